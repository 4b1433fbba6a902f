// vocab.mjs — issue 12: the pages offer the hub's vocabularies and nothing
// else.  A real hub's GET /api/vocab is read, then the choices the pages
// show are compared with it, value for value and in order: the dashboard's
// session start form and session edit dialog (group types), the
// contribution confirm and add dialogs (licences, kinds), the project
// dialog (statuses, visibilities), the admin page's roles, the kiosk's age bands, its family
// question (minor bands, the rest sent as the adults' band) and its
// guardian question (child bands).  Every value has its label in both
// catalogues, and the page shows that label.  Then the hub goes away and
// the kiosk is reopened from its cached shell (service worker): the same
// choices, from the last vocabulary seen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, assert, eq } from '../lib/harness.mjs';
import { staffPage, kioskPage, addUser, loginCookie, FR, EN, step as test, runSteps, stopAll } from './lib/web.mjs';

const PASS = 'anim-secret-2026';
let broker, hub, page, kiosk, cookie, dir, db, V;
const dlg = () => page.locator('dialog[open]');

// The label key of each vocabulary's values, as the pages write them.
const LABEL = {
	group_type: (v) => 'group.' + v, licence: (v) => 'wf.lic.' + v, project_status: (v) => 'pstatus.' + v,
	visibility: (v) => 'wf.vis.' + v, contribution_kind: (v) => 'ckind.' + v, age_band: (v) => 'age.' + v,
	role: (v) => 'role.' + v,
};

// The options of a <select>: [[value, text], …].
const options = (loc) => loc.evaluate((s) => [...s.options].map((o) => [o.value, o.textContent]));

// The select's options are exactly list (in order), each with its label.
async function offers(loc, name, list, what) {
	const got = await options(loc);
	eq(got.map(([v]) => v), list, `${what}: the values are the hub's ${name}`);
	for (const [v, text] of got) eq(text, FR[LABEL[name](v)], `${what}: ${v} has its label`);
}

test('setup: a hub, a facilitator and a kiosk account, a project, an open session, a pending contribution; GET /api/vocab', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webvocab-'));
	db = path.join(dir, 'hub.db');
	addUser(db, 'anim', 'facilitator', PASS);
	addUser(db, 'borne', 'kiosk', 'kiosk-secret-2026');
	addUser(db, 'chef', 'admin', 'chef-secret-2026');
	hub = await startHub({ broker, db });
	cookie = await loginCookie(hub, 'anim', PASS);
	const r = await hub.get('/api/vocab');
	eq(r.status, 200, r.text);
	V = r.json;
	for (const name of Object.keys(LABEL)) assert(Array.isArray(V[name]) && V[name].length > 1, name);
	const p = (await hub.post('/api/projects', { title: 'Mémoire du quartier', status: 'active' }, { cookie })).json.id;
	eq((await hub.post('/api/sessions', { project_ids: [p], group: { type: 'school', size: 20 } }, { cookie })).status, 201);
	eq((await hub.post('/api/contributions', { kind: 'scan', title: 'Buste', project_id: p }, { cookie })).status, 201);
});

test('every value of the lists the pages show has its label in both catalogues', async () => {
	const missing = [];
	for (const [name, key] of Object.entries(LABEL))
		for (const v of V[name])
			for (const [lang, cat] of [['fr', FR], ['en', EN]])
				if (typeof cat[key(v)] !== 'string' || !cat[key(v)]) missing.push(`${lang}: ${key(v)}`);
	assert(!missing.length, 'labels missing: ' + missing.join(', '));
});

test('dashboard: the session start form and the session edit dialog offer the hub\'s group types', async () => {
	page = await staffPage(hub, 'anim', PASS);
	await page.locator('#session-current').waitFor({ state: 'visible' });
	await page.locator('#session-type option').first().waitFor({ state: 'attached' });
	await offers(page.locator('#session-type'), 'group_type', V.group_type, 'start form');
	await page.getByRole('button', { name: FR['wf.s.edit_open'] }).click();
	await dlg().waitFor();
	await offers(dlg().locator('select[name=type]'), 'group_type', V.group_type, 'session edit dialog');
	eq(await dlg().locator('select[name=type]').inputValue(), 'school', 'the session\'s own type chosen');
	await page.keyboard.press('Escape');
	await dlg().waitFor({ state: 'detached' });
});

test('dashboard: the contribution confirm and add dialogs offer the hub\'s licences and kinds', async () => {
	const card = page.locator('#pending-list > li', { hasText: 'Buste' });
	await card.getByRole('button', { name: FR['pending.confirm_label'].replace('{title}', 'Buste') }).click();
	await dlg().waitFor();
	await offers(dlg().locator('select[name=licence]'), 'licence', V.licence, 'confirm dialog');
	await page.keyboard.press('Escape');
	await dlg().waitFor({ state: 'detached' });
	await page.locator('#wf-contrib-add').click();
	await dlg().waitFor();
	await offers(dlg().locator('select[name=licence]'), 'licence', V.licence, 'add dialog');
	const kinds = (await options(dlg().locator('select[name=kind]'))).map(([v]) => v);
	assert(kinds.length && kinds.every((k) => V.contribution_kind.includes(k)), 'add dialog kinds: ' + kinds);
	await page.keyboard.press('Escape');
	await dlg().waitFor({ state: 'detached' });
});

test('dashboard: the project dialog offers the hub\'s statuses and visibilities', async () => {
	await page.locator('#wf-project-new').click();
	await dlg().waitFor();
	await offers(dlg().locator('select[name=status]'), 'project_status', V.project_status, 'project dialog');
	await offers(dlg().locator('select[name=visibility]'), 'visibility', V.visibility, 'project dialog');
	await page.keyboard.press('Escape');
	await dlg().waitFor({ state: 'detached' });
	assert(!page.errors.length, page.errors.join('\n'));
});

test('dashboard and job history: the filters offer the hub\'s contribution statuses and job states', async () => {
	const status = await options(page.locator('#wf-c-status'));
	eq(status.map(([v]) => v), ['decided', ...V.contribution_status.filter((v) => v !== 'pending')], 'contribution filter: "decided", then the hub\'s decided statuses');
	for (const [v, text] of status) eq(text, FR['wf.cs.' + v], `contribution filter: ${v} has its label`);
	const jobs = await staffPage(hub, 'anim', PASS, '/jobs/');
	await jobs.locator('#jf-state option').nth(1).waitFor({ state: 'attached' });
	const states = await options(jobs.locator('#jf-state'));
	eq(states.map(([v]) => v), ['', ...V.job_state_end, ...V.job_state_active], 'job filter: all, then the hub\'s ended and active states');
	for (const [v, text] of states.slice(1)) eq(text, FR['job.state.' + v], `job filter: ${v} has its label`);
	assert(!jobs.errors.length, jobs.errors.join('\n'));
	await jobs.context().close();
});

test('admin page: the new account\'s role and each account\'s role offer the hub\'s roles', async () => {
	const adm = await staffPage(hub, 'chef', 'chef-secret-2026', '/admin/');
	await adm.locator('#users-body tr[data-user=anim] select').waitFor();
	await offers(adm.locator('#ua-role'), 'role', V.role, 'add form');
	eq(await adm.locator('#ua-role').inputValue(), 'facilitator', 'a facilitator unless told');
	for (const u of ['anim', 'borne', 'chef'])
		await offers(adm.locator(`#users-body tr[data-user=${u}] select`), 'role', V.role, `${u}'s role`);
	eq(await adm.locator('#users-body tr[data-user=borne] select').inputValue(), 'kiosk');
	assert(!adm.errors.length, adm.errors.join('\n'));
	await adm.context().close();
});

// The kiosk's choices: its age bands, and the bands of its family question.
const kioskChoices = (p) => p.evaluate(() => ({
	ages: [...document.querySelectorAll('#k-ages input[name=age]')].map((i) => [i.value, document.querySelector(`label[for="${i.id}"]`).textContent]),
	family: [...document.querySelectorAll('#k-family input[type=number]')].map((i) => [i.id.replace(/^k-fam-/, ''), document.querySelector(`label[for="${i.id}"]`).textContent]),
}));

async function kioskOffers(p, what) {
	const c = await kioskChoices(p);
	eq(c.ages.map(([v]) => v), V.age_band, `${what}: the age bands are the hub's age_band`);
	eq(c.family.map(([v]) => v), V.minor_age_bands, `${what}: the family question asks for the hub's minor_age_bands`);
	for (const [v, text] of [...c.ages, ...c.family]) eq(text, FR['age.' + v], `${what}: ${v} has its label`);
}

test('kiosk: the age bands, the family question and the guardian question follow the hub\'s lists', async () => {
	kiosk = await kioskPage(hub, { width: 1024, height: 768 });
	await kiosk.click('[data-go=k-checkin]');
	await kiosk.locator('#k-ages input').first().waitFor({ state: 'attached' });
	await kioskOffers(kiosk, 'kiosk');
	// a parent or guardian consents for exactly the hub's child bands
	await kiosk.check('#k-c-photo');
	const asks = [];
	for (let i = 0; i < V.age_band.length; i++) {
		await kiosk.click(`label[for=k-age-${i}]`);
		if (await kiosk.locator('#k-guardian-box').isVisible()) asks.push(V.age_band[i]);
	}
	eq(asks, V.child_age_bands.filter((b) => V.age_band.includes(b)), 'the guardian is asked for the child bands');
	// a party of 3 with one child: the others are sent as the adults' band
	await kiosk.uncheck('#k-c-photo');
	await kiosk.click(`label[for=k-age-${V.age_band.indexOf('35-44')}]`);
	await kiosk.click('#k-size-plus');
	await kiosk.click('#k-size-plus');
	await kiosk.locator('#k-family').waitFor({ state: 'visible' });
	await kiosk.getByRole('button', { name: FR['kiosk.family.more'].replace('{band}', FR['age.' + V.minor_age_bands[1]]) }).click();
	await kiosk.click('#k-checkin-form button[type=submit]');
	await kiosk.locator('#k-thanks').waitFor({ state: 'visible' });
	const rows = (await hub.get('/api/participants', { cookie })).json.participants;
	eq(rows[0].members, [{ age_band: '35-44', n: 1 }, { age_band: V.minor_age_bands[1], n: 1 }, { age_band: V.adult_age_band, n: 1 }]);
	assert(!kiosk.errors.length, kiosk.errors.join('\n'));
});

test('kiosk: reopened from its cached shell while the hub is away, it offers the same choices', async () => {
	// 127.0.0.1 is a secure context: the shell's service worker is there
	assert(await kiosk.evaluate(async () => !!(await navigator.serviceWorker.ready).active), 'service worker active');
	await kiosk.evaluate(async () => {	// the shell is cached (install done)
		for (let i = 0; i < 100 && !(await caches.match('/kiosk/family.js')); i++) await new Promise((r) => setTimeout(r, 50));
	});
	await hub.stop();
	await kiosk.reload();
	await kiosk.locator('#k-ages input').first().waitFor({ state: 'attached' });
	await kiosk.locator('#k-family input').first().waitFor({ state: 'attached' });
	await kioskOffers(kiosk, 'kiosk, hub away');
	await hub.start();
	await kiosk.locator('#k-home').waitFor({ state: 'visible', timeout: 15000 });
	const errors = kiosk.errors.filter((e) => !/Failed to fetch|NetworkError|net::ERR/.test(e));
	assert(!errors.length, errors.join('\n'));
});

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
