// network.mjs — issue 18: the network hub's page in a real Chromium.  Two
// lab hubs (net.site = lab-a, lab-b) and a network hub share one real
// mosquitto (the bridged set-up is tests/int/network.mjs's); the labs'
// databases get activity as their own modules would write it.  The page
// shows each site's figures, targets and gaps, the total, the last fact
// received per site with its acknowledged seq; the year picker and the
// timer bring other figures; French and English; axe; a screenshot.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, run, assert, eq, waitFor } from '../lib/harness.mjs';
import { newPage, shot, axe, i18nProblems, FR, EN, step as test, runSteps, stopAll } from './lib/web.mjs';

let broker, net, la, lb, page, dir;
const now = new Date();
// the fiscal year the page opens on (April to March), and the one before
const FY = now.getMonth() >= 3 ? now.getFullYear() : now.getFullYear() - 1;
const T = (s) => Date.parse(s) / 1000;

const sql = (db, q) => {
	const r = run('sqlite3', ['-bail', '-cmd', '.timeout 10000', db, q]);
	if (r.status !== 0) throw new Error('sqlite3: ' + r.stderr);
	return r.stdout.trim();
};

// A session of `size` with one party, a confirmed contribution, a rating
// and a public project, on day d.
function activity(db, d, size, title) {
	const t = T(`${d}T14:00:00Z`);
	sql(db, `
INSERT INTO projects(title, status, visibility, created_at, updated_at) VALUES ('${title}', 'active', 'public', ${t}, ${t});
INSERT INTO project_themes VALUES (last_insert_rowid(), 'quebec-culture');
INSERT INTO sessions(started_at, ended_at, facilitator, group_type, group_size) VALUES (${t}, ${t + 3600}, 'Anim', 'school', ${size});
INSERT INTO session_projects VALUES ((SELECT max(id) FROM sessions), (SELECT max(id) FROM projects));
INSERT INTO participants(session_id, age_band, created_at, last_seen, party_size) VALUES ((SELECT max(id) FROM sessions), '10-13', ${t}, ${t}, ${size});
INSERT INTO contributions(project_id, session_id, kind, title, licence, status, created_at, decided_at)
  VALUES ((SELECT max(id) FROM projects), (SELECT max(id) FROM sessions), 'idea', 'une idée', 'CC-BY-4.0', 'confirmed', ${t + 60}, ${t + 120});
INSERT INTO ratings(session_id, value, scale, question, source, at) VALUES ((SELECT max(id) FROM sessions), 3, 3, 'q', 'kiosk', ${t + 100});`);
}

async function api(fy) {
	const r = await net.get('/api/network/indicators?fy=' + fy);
	eq(r.status, 200, 'network indicators');
	return r.json;
}

// What a card shows for an indicator: [value, target, gap] as displayed.
async function cell(card, key, lang = 'fr') {
	const label = (lang === 'en' ? EN : FR)['ind.' + key];
	const row = page.locator(`${card} tbody tr`).filter({ has: page.locator('th', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
	return (await row.locator('td').allInnerTexts()).map((s) => s.replace(/[\u00a0\u202f]/g, ' '));
}
// Until the network counts `sessions` this year and has every fact of
// both labs (acknowledged up to each lab's last seq).
async function settled(sessions) {
	await waitFor(async () => {
		const j = await api(FY);
		if (j.total.indicators.sessions.value !== sessions) return false;
		for (const [s, hub] of [['lab-a', la], ['lab-b', lb]])
			if (!j.sites[s] || j.sites[s].acknowledged !== Number(sql(hub.db, 'SELECT max(seq) FROM net_facts'))) return false;
		return true;
	}, 60000, `the network has every fact (${sessions} sessions)`);
}
const site = (s) => `.net-site[data-site="${s}"]`;

test('setup: two labs and a network hub on one broker, facts received', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webnet-'));
	const fast = ['net.scan_ms=200', 'net.resend_ms=1000'];
	net = await startHub({ broker, sets: ['net.role=network'] });
	la = await startHub({ broker, sets: ['net.site=lab-a', ...fast] });
	lb = await startHub({ broker, sets: ['net.site=lab-b', ...fast] });
	activity(la.db, `${FY}-06-10`, 25, 'Mémoire du quartier');
	activity(lb.db, `${FY}-09-02`, 12, 'Objets de nos grands-parents');
	activity(lb.db, `${FY}-10-02`, 8, 'Sons du fleuve');
	activity(lb.db, `${FY - 1}-11-20`, 5, 'Une année plus tôt');
	await settled(3);
});

test('the page shows each site, the total, targets and gaps, in French', async () => {
	page = await newPage(net, { width: 1366, height: 900 });
	page.setDefaultTimeout(5000);
	await page.clock.install();
	await page.goto('/network/');
	await page.locator(site('lab-b')).waitFor();
	eq(await page.evaluate(() => document.documentElement.lang), 'fr-CA');
	eq(await page.locator('#net-fy').inputValue(), String(FY), 'the current fiscal year');
	const j = await api(FY);
	eq((await cell(site('lab-a'), 'sessions'))[0], '1', 'lab-a: one session');
	eq((await cell(site('lab-b'), 'sessions'))[0], '2', 'lab-b: two sessions');
	eq((await cell('.net-total', 'sessions'))[0], '3', 'total: three sessions');
	eq((await cell('.net-total', 'participants'))[0], String(j.total.indicators.participants.value), 'total participants');
	for (const [name, v] of Object.entries(j.sites['lab-b'].indicators)) {
		if (typeof v.target !== 'number' || typeof v.value !== 'number' || !FR['ind.' + name]) continue;
		const [, target, gap] = await cell(site('lab-b'), name);
		assert(target !== '—', `${name}: a target`);
		const g = v.gap ?? v.value - v.target;
		assert(gap.startsWith(g > 0 ? '+' : g < 0 ? '-' : '0') || gap.startsWith('−'), `${name}: gap ${gap} for ${g}`);
	}
	assert((await page.locator('.net-total .num.below, .net-total .num.met').count()) > 0, 'gaps are marked');
	const problems = await i18nProblems(page, 'fr', ['lab-a', 'lab-b']);
	assert(!problems.length, problems.join('\n'));
});

test('last fact received per site with its acknowledged seq', async () => {
	const j = await api(FY);
	for (const s of ['lab-a', 'lab-b']) {
		const w = j.sites[s].acknowledged, last = j.sites[s].last;
		assert(last.seq > 0 && w > 0, `${s}: facts and an acknowledgement`);
		const text = (await page.locator(`${site(s)} .net-last`).innerText()).replace(/[\u00a0\u202f]/g, ' ');
		assert(text.includes(`nº ${last.seq},`), `${s}: ${text} shows seq ${last.seq}`);
		assert(text.includes(FR['net.type.' + last.type]), `${s}: ${text} names the type ${last.type}`);
		const ack = await page.locator(`${site(s)} .net-acked`).innerText();
		assert(ack.replace(/[\u00a0\u202f]/g, ' ').endsWith(`nº ${w}`), `${s}: ${ack}, want ${w}`);
	}
});

test('each figure links to the facts behind it, and they add up to it', async () => {
	const links = page.locator(`${site('lab-a')} a.net-trail`);
	eq(await links.count(), await page.locator(`${site('lab-a')} tbody tr`).count(), 'a link per figure');
	const label = FR['net.trail_label'].replace('{name}', FR['ind.sessions']).replace('{site}', 'lab-a');
	const a = page.getByRole('link', { name: label, exact: true });
	const href = await a.getAttribute('href');
	eq(href, `/api/network/indicators/explain?fy=${FY}&key=sessions&site=lab-a&format=html&lang=fr`);
	const r = await net.get(href);
	eq(r.status, 200, 'the trail page answers');
	assert(r.text.includes('<html lang="fr-CA">') && r.text.includes('<td>lab-a</td>'), 'a page of lab-a\'s facts');
	const j = (await net.get(href.replace('format=html', 'format=json'))).json;
	eq(String(j.rows.reduce((n, row) => n + row.counted, 0)), (await cell(site('lab-a'), 'sessions'))[0],
		'the facts add up to the figure shown');
	const total = await page.locator('.net-total a.net-trail').first().getAttribute('href');
	assert(!total.includes('site='), 'the total\'s trail covers every site');
});

test('axe: no serious or critical violation (fr), screenshot', async () => {
	const v = await axe(page);
	assert(!v.length, v.join('\n'));
	const file = await shot(page, 'network-fr');
	assert(fs.statSync(file).size > 10000, 'a screenshot');
});

test('the timer brings new facts without a reload', async () => {
	activity(la.db, `${FY}-07-01`, 6, 'Atelier de juillet');
	await settled(4);
	eq((await cell(site('lab-a'), 'sessions'))[0], '1', 'not before the timer');
	await page.clock.fastForward(31000);
	await waitFor(async () => (await cell(site('lab-a'), 'sessions'))[0] === '2', 5000, 'the page updates');
	eq((await cell('.net-total', 'sessions'))[0], '4');
	const last = (await api(FY)).sites['lab-a'].last.seq;
	assert((await page.locator(`${site('lab-a')} .net-last`).innerText()).replace(/\s+/g, ' ').includes(`nº ${last},`), 'and the last fact');
});

test('the fiscal-year picker shows another year, and its CSV', async () => {
	await page.locator('#net-fy').selectOption(String(FY - 1));
	await waitFor(async () => (await cell('.net-total', 'sessions'))[0] === '1', 5000, 'one session the year before');
	eq((await cell(site('lab-b'), 'sessions'))[0], '1');
	eq((await cell(site('lab-a'), 'sessions'))[0], '0');
	assert(page.url().includes('fy=' + (FY - 1)), 'the year is in the address');
	const href = await page.locator('#net-csv').getAttribute('href');
	eq(href, `/api/network/indicators?fy=${FY - 1}&format=csv`);
	const csv = await net.get(href);
	assert(csv.text.startsWith('site,indicator,value'), 'the CSV link answers');
});

test('English: complete, axe-clean, screenshot', async () => {
	await page.locator('#lang').click();
	await waitFor(async () => (await page.evaluate(() => document.documentElement.lang)) === 'en-CA', 3000, 'English');
	eq((await cell('.net-total', 'sessions', 'en'))[0], '1');
	eq(await page.locator('.net-total h2').innerText(), EN['net.total']);
	const problems = await i18nProblems(page, 'en', ['lab-a', 'lab-b']);
	assert(!problems.length, problems.join('\n'));
	const text = await page.locator(`${site('lab-b')} .net-last`).innerText();
	assert(text.startsWith('Last fact: no. '), text);
	const v = await axe(page);
	assert(!v.length, v.join('\n'));
	await shot(page, 'network-en');
});

test('a network hub that does not answer: the figures stay, marked stale', async () => {
	await net.stop();
	await page.clock.fastForward(31000);
	await waitFor(async () => (await page.locator('#net-status').getAttribute('class')).includes('stale'), 5000, 'stale');
	assert((await page.locator('#net-status').innerText()).startsWith('The network hub is not answering'), 'says so');
	eq((await cell('.net-total', 'sessions', 'en'))[0], '1', 'the last figures stay');
	await net.start();
});

runSteps(async () => {
	await stopAll(la, lb, net, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
