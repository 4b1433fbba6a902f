// screens-outage.mjs — the dashboard (1920×1080 and 1366×768) and the wall
// (1920×1080), in French and in English, open side by side through a
// broker outage and a hub outage, as the lab lives them: banners on and
// off without a reload, tiles "state unknown" (not "online", not
// "offline") and the plug's button disabled with its reason while
// either is away, one broker alert and no per-device
// alert, the wall paused calmly with figures that agree with each other
// (machines at work ≤ devices online, the same figures after as before),
// and the wall showing public names only: a machine without a public
// name is "Imprimante 3D 1", never its staff name.  Screenshots of every
// page at every stage go to tests/out/screenshots/outage-*.png.
// A Bambu printer cancelled during the broker outage comes back idle then
// repeats "FINISH" at 0 %: its tile and the job history both say
// cancelled, in Chromium (tests/int/health.mjs replays it on the API).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startBroker, startHub, pub, assert, eq, sleep, waitFor } from '../lib/harness.mjs';
import { newPage, dashboardPage, addUser, loginCookie, shot, step as test, runSteps, stopAll } from './lib/web.mjs';

const PASS = 'anim-secret-2026';
const STAFF_NAMES = ['Prusa de Marc', 'Artec Eva SN1234', 'XL-02 atelier', '01P00A000000001'];
const BAMBU = 'bambu/01P00A000000001';
// the silent devices speak (devices.stale_s is 10 s, shorter than opening six pages)
const speak = () => {
	pub(broker, 'zigbee2mqtt/capteur-co2', { co2: 615, temperature: 21.5, humidity: 40 });
	bambu({ gcode_state: 'RUNNING', mc_percent: 30, mc_remaining_time: 20 });
};
const bambu = (print) => pub(broker, 'device/01P00A000000001/report', { print: { command: 'push_status', ...print } });
let broker, hub, full, dir, cookie;
const P = {};	// name → page: dash-fr-1920, dash-en-1920, dash-fr-1366, dash-en-1366, wall-fr, wall-en
const dashes = () => Object.keys(P).filter((k) => k.startsWith('dash'));
const walls = () => Object.keys(P).filter((k) => k.startsWith('wall'));
const UNKNOWN = /^(État inconnu|State unknown)$/;

async function dashboard(lang, width, height) {
	const p = await dashboardPage(hub, lang, { width, height }, 'anim', PASS);
	if (hub !== full) await p.locator('article[data-id="mlab/mk4"]').waitFor();
	await p.evaluate(() => { window.__noReload = 1; });
	return p;
}

// What a dashboard shows: the banner, the alert titles, each tile's badge.
const dashState = (p) => p.evaluate(() => ({
	banner: document.querySelector('#banner').hidden ? '' : document.querySelector('#banner').textContent,
	alerts: [...document.querySelectorAll('li.alert .alert-title')].map((e) => e.textContent.replace(/^\W*!\s*/, '').trim()),
	badges: [...document.querySelectorAll('article[data-id] .badge')].map((e) => e.textContent.trim()),
	narrow: [...document.querySelectorAll('.tile-name')].filter((n) => n.getBoundingClientRect().width < 120).map((n) => n.textContent),
	// the plug's button: usable, or disabled with the reason it points to
	plug: [...document.querySelectorAll('article[data-id] .switch-row button')].map((b) => ({
		disabled: b.disabled, title: b.title,
		why: (document.getElementById(b.getAttribute('aria-describedby') || '-') || {}).textContent || '',
	})),
}));
const PLUG_WHY = { fr: 'État de la prise inconnu\u00a0: commande indisponible.', en: 'The plug\'s state is unknown: no command for now.' };
const langOf = (k) => k.includes('-fr-') ? 'fr' : 'en';
function plugUsable(k, d) {
	eq(d.plug, [{ disabled: false, title: '', why: '' }], k + ': the plug\'s button is usable');
}
function plugDisabled(k, d) {
	const w = PLUG_WHY[langOf(k)];
	eq(d.plug, [{ disabled: true, title: w, why: w }], k + ': the plug\'s button is disabled and says why');
}
// What a wall shows: its figures, the machines' names, the pause line.
const wallState = (p) => p.evaluate(() => ({
	busy: +document.querySelector('#w-printing').textContent, online: +document.querySelector('#w-online').textContent,
	paused: document.querySelector('#w-paused').hidden ? '' : document.querySelector('#w-paused').textContent,
	text: document.body.innerText, h: document.documentElement.scrollHeight,
}));

// Wait until every dashboard's banner and every wall's pause line is in state.
async function waitAll(state, ms) {
	for (const k of dashes()) await P[k].locator('#banner').waitFor({ state, timeout: ms });
	for (const k of walls()) await P[k].locator('#w-paused').waitFor({ state, timeout: ms });
}

async function shots(stage) {
	for (const [k, p] of Object.entries(P)) {
		await p.evaluate(() => window.scrollTo(0, 0));
		await shot(p, `outage-${stage}-${k}`, { fullPage: false });
		if (k.startsWith('dash')) await p.locator('#devices').screenshot({ path: path.join(path.dirname(await shot(p, `outage-${stage}-${k}`, { fullPage: false })), `outage-${stage}-${k}-devices.png`) });
	}
}

async function wallsAgree(stage, paused, atWork) {
	for (const k of walls()) {
		const w = await wallState(P[k]);
		assert(w.busy <= w.online, `${stage} ${k}: ${w.busy} machines at work but ${w.online} devices online`);
		eq(w.busy, atWork, `${stage} ${k}: machines at work`);
		assert(w.h <= 1080, `${stage} ${k}: the wall is ${w.h} px tall`);
		for (const n of STAFF_NAMES) assert(!w.text.includes(n), `${stage} ${k}: staff name ${n} on the wall`);
		if (paused) assert(k === 'wall-fr' ? /^Mise à jour en pause — dernières données à \d\d? h \d\d$/.test(w.paused)
			: /^Updates paused — last data at \d\d?:\d\d [ap]\.m\.$/.test(w.paused), `${stage} ${k}: ${JSON.stringify(w.paused)}`);
		else eq(w.paused, '', `${stage} ${k}: paused`);
	}
}

test('setup: two printers at work (one without a public name), a scanner, a Zigbee sensor, a plug', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weboutage-'));
	const db = path.join(dir, 'hub.db');
	addUser(db, 'anim', 'facilitator', PASS);
	hub = await startHub({ broker, db, sets: ['devices.stale_s=10'] });
	cookie = await loginCookie(hub, 'anim', PASS);
	pub(broker, 'mlab/v1/mk4/meta', { name: 'Prusa de Marc (ne pas toucher)', kind: 'printer', room: 'Atelier' }, { retain: true });
	pub(broker, 'mlab/v1/mk4/status', 'online', { retain: true });
	pub(broker, 'mlab/v1/mk4/event', { seq: 1, type: 'job.started', file: 'benchy.gcode' });
	pub(broker, 'mlab/v1/mk4/event', { seq: 2, type: 'job.progress', progress_pct: 42.5, remaining_s: 5400, layer: 37, layers: 180 });
	pub(broker, 'mlab/v1/xl/meta', { name: 'XL-02 atelier', kind: 'printer', room: 'Atelier' }, { retain: true });
	pub(broker, 'mlab/v1/xl/status', 'online', { retain: true });
	pub(broker, 'mlab/v1/xl/event', { seq: 1, type: 'job.started', file: 'vase.gcode' });
	pub(broker, 'mlab/v1/xl/event', { seq: 2, type: 'job.progress', progress_pct: 10, remaining_s: 3000 });
	pub(broker, 'mlab/v1/artec/meta', { name: 'Artec Eva SN1234', kind: 'scanner', room: 'Atelier' }, { retain: true });
	pub(broker, 'mlab/v1/artec/status', 'online', { retain: true });
	pub(broker, 'mlab/v1/artec/event', { seq: 1, type: 'scan.started', file: 'vase.ply' });
	bambu({ gcode_state: 'RUNNING', subtask_name: 'cube', gcode_file: 'cube.3mf', mc_percent: 30, mc_remaining_time: 20 });
	pub(broker, 'zigbee2mqtt/bridge/state', { state: 'online' }, { retain: true });
	pub(broker, 'zigbee2mqtt/capteur-co2', { co2: 612, temperature: 21.5, humidity: 40 });
	pub(broker, 'tele/prise-1/LWT', 'Online', { retain: true });
	pub(broker, 'tele/prise-1/STATE', { POWER: 'ON' });
	pub(broker, 'tele/prise-1/SENSOR', { ENERGY: { Power: 80, Total: 1.234 } });
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.length >= 7, 4000, 'devices');
	const r = await hub.patch('/api/devices/' + encodeURIComponent('mlab/xl'), { public_name: 'Grande imprimante' }, { cookie });
	assert(r.status < 300, r.text);
	const pr = (await hub.post('/api/projects', { title: 'Objets de nos grands-parents', themes: ['quebec-culture'], status: 'active' }, { cookie })).json;
	await hub.post('/api/contributions', { project_id: pr.id, kind: 'idea', title: 'Une idée', status: 'confirmed' }, { cookie });
});

test('the pages open: four dashboards, two walls; the wall names machines by their public name or their kind', async () => {
	for (const [w, h] of [[1920, 1080], [1366, 768]])
		for (const lang of ['fr', 'en']) P[`dash-${lang}-${w}`] = await dashboard(lang, w, h);
	for (const lang of ['fr', 'en']) {
		const w = P['wall-' + lang] = await newPage(hub, { width: 1920, height: 1080 });
		w.setDefaultTimeout(5000);
		await w.goto('/wall/?lang=' + lang);
		await w.locator('#w-busy > li').first().waitFor();
		await w.evaluate(() => { window.__noReload = 1; });
	}
	speak();
	await waitFor(async () => (await wallState(P['wall-en'])).online === 7, 3000, 'all seven devices online');
	for (const lang of ['fr', 'en']) {
		// every machine at work, page after page: generic names for those
		// without a public name, the public name for the other
		const names = await P['wall-' + lang].evaluate(() => {
			const ul = document.querySelector('#w-busy');
			const seen = [...ul.children].map((li) => li.querySelector('.busy-name').textContent);
			return seen;
		});
		eq(names, lang === 'fr' ? ['Grande imprimante', 'Imprimante 3D 1', 'Imprimante 3D 2', 'Numériseur 3D 1']
			: ['3D printer 1', '3D printer 2', '3D scanner 1', 'Grande imprimante']);
	}
	await wallsAgree('before', false, 4);
	for (const k of dashes()) {
		const d = await dashState(P[k]);
		eq(d.banner, '', k + ': banner');
		assert(!d.badges.some((b) => UNKNOWN.test(b)), k + ': ' + d.badges);
	plugUsable(k, d);
	}
	await shots('before');
});

test('the broker stops: banners and "state unknown" everywhere, one broker alert, the walls pause with the same figures', async () => {
	// from now on only the outage keeps the devices silent
	speak();
	await waitFor(async () => (await dashState(P['dash-fr-1920'])).alerts.length === 0, 3000, 'no alert before the outage');
	await broker.stop();
	await waitAll('visible', 15000);
	await sleep(12000);	// longer than devices.stale_s: still unknown, no device alert
	for (const k of dashes()) {
		const d = await dashState(P[k]);
		assert(k.includes('-fr-') ? /courtier MQTT/.test(d.banner) : /MQTT broker/.test(d.banner), `${k}: ${d.banner}`);
		assert(d.badges.length === 7 && d.badges.every((b) => UNKNOWN.test(b)), `${k}: ${d.badges}`);
		eq(d.alerts, [k.includes('-fr-') ? 'Courtier injoignable' : 'Broker unreachable'], k + ': alerts');
		eq(d.narrow, [], k + ': squeezed tile names');
	plugDisabled(k, d);
	}
	await wallsAgree('broker-down', true, 4);
	await shots('broker-down');
});

test('the broker returns: banners, the broker alert and the pause go away by themselves; the job cancelled meanwhile says so', async () => {
	await broker.start();
	pub(broker, 'zigbee2mqtt/capteur-co2', { co2: 618, temperature: 21.5, humidity: 40 });
	// the Bambu was cancelled during the outage: idle, then its last
	// terminal state over and over, at 0 %
	await hub.waitFor(async () => (await hub.get('/healthz')).json.broker === 'connected', 10000, 'broker back');
	bambu({ gcode_state: 'IDLE' });
	await sleep(300);
	bambu({ gcode_state: 'FINISH', mc_percent: 0 });
	await sleep(300);
	bambu({ gcode_state: 'FINISH' });
	await waitAll('hidden', 20000);
	for (const k of dashes())
		await waitFor(async () => { const d = await dashState(P[k]); return !d.alerts.length && !d.badges.some((b) => UNKNOWN.test(b)); }, 5000, k + ': known again');
	for (const k of dashes()) plugUsable(k, await dashState(P[k]));
	for (const k of dashes()) {
		const st = P[k].locator(`article[data-id="${BAMBU}"] .job-state`);
		await waitFor(async () => (await st.innerText()) === (k.includes('-fr-') ? 'Annulé' : 'Cancelled'), 5000, k + ': the tile says cancelled');
	}
	const jobs = (await hub.get('/api/jobs?device=' + encodeURIComponent(BAMBU), { cookie })).json.jobs;
	eq(jobs.map((j) => j.state), ['cancelled'], 'the job history');
	const hist = await newPage(hub, { width: 1920, height: 1080 });
	await hist.context().addCookies([{ name: cookie.split('=')[0], value: cookie.split('=').slice(1).join('='), url: hub.url }]);
	await hist.goto('/jobs/');
	const row = hist.locator('#jobs-body tr', { hasText: 'cube' });
	await row.waitFor();
	assert(/Annulé/.test(await row.innerText()), 'the job history page: ' + await row.innerText());
	await hist.close();
	await wallsAgree('broker-back', false, 3);
	await shots('broker-back');
});

test('the hub stops: the dashboards say so and their tiles are "state unknown", the walls pause', async () => {
	await hub.stop();
	await waitAll('visible', 5000);
	for (const k of dashes()) {
		const d = await dashState(P[k]);
		assert(/hub/.test(d.banner), `${k}: ${d.banner}`);
		assert(d.badges.length === 7 && d.badges.every((b) => UNKNOWN.test(b)), `${k}: tiles while the hub is away: ${d.badges}`);
	plugDisabled(k, d);
	}
	await wallsAgree('hub-down', true, 3);
	await shots('hub-down');
});

test('the hub returns: everything resumes without a reload, the same figures', async () => {
	await hub.start();
	await waitAll('hidden', 20000);
	for (const k of dashes())
		await waitFor(async () => !(await dashState(P[k])).badges.some((b) => UNKNOWN.test(b)), 5000, k + ': known again');
	await wallsAgree('hub-back', false, 3);
	await shots('hub-back');
	for (const [k, p] of Object.entries(P)) {
		eq(await p.evaluate(() => window.__noReload), 1, k + ' was reloaded');
		assert(!p.errors.length, k + ': ' + p.errors.join('\n'));
	}
});

test('a hub past its store.min_free_mb: the disk banner shows on open pages, in both languages (the hub\'s line, not the page\'s)', async () => {
	const db = path.join(dir, 'full.db');
	addUser(db, 'anim', 'facilitator', PASS);
	full = await startHub({ broker, db, sets: ['store.min_free_mb=1048576'] });	// 1 TiB: more than this disk
	eq((await full.get('/readyz')).json.reasons.includes('disk_low'), true, 'the hub says disk_low');
	const saved = hub;
	hub = full;
	try {
		for (const lang of ['fr', 'en']) {
			const p = await dashboard(lang, 1366, 768);
			await p.locator('#banner').waitFor({ state: 'visible', timeout: 8000 });
			eq(await p.locator('#banner').innerText(), lang === 'fr' ? 'Le disque du hub est presque plein.' : 'The hub\'s disk is nearly full.');
			await shot(p, `outage-disk-low-${lang}`, { fullPage: false });
			await p.close();
		}
	} finally { hub = saved; }
});

runSteps(async () => {
	await stopAll(full, hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
