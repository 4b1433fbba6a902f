// dashboard-lists.mjs — issue 16: "indicators, project counts and lists
// update live when what they count changes".  A facilitator's dashboard
// stays open (never reloaded) while another facilitator works through the
// API, as a second tab would: contributions confirmed, rejected and undone;
// sessions edited, merged and deleted; a participant erased; a project
// archived.  Every list that shows those, and the indicators that count
// them, must follow without a reload.  Once in French, once in English.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, assert, eq, waitFor } from '../lib/harness.mjs';
import { newPage, addUser, loginCookie, shot, i18nProblems, step as test, runSteps, stopAll } from './lib/web.mjs';

const PASS = 'anim-secret-2026';
let broker, hub, page, cookie, kiosk, dir, db, loads = 0;
const post = (p, b, c = cookie) => hub.post(p, b, { cookie: c }).then((r) => { assert(r.status < 300, `${p}: ${r.status} ${r.text}`); return r.json; });
const patch = (p, b) => hub.patch(p, b, { cookie }).then((r) => { assert(r.status < 300, `${p}: ${r.status} ${r.text}`); return r.json; });
const del = (p, b) => hub.del(p, { cookie, body: b }).then((r) => { assert(r.status < 300, `${p}: ${r.status} ${r.text}`); return r.json; });
// an indicator's figure as the page shows it
const ind = async (name) => {
	const i = await page.evaluate(async (n) => (await import('/js/indicators.js')).INDICATORS.indexOf(n), name);
	assert(i >= 0, 'no indicator ' + name);
	return page.locator(`#ind-body tr:nth-child(${i + 1}) td.num`).first().innerText();
};
const until = (fn, what) => waitFor(fn, 5000, what + ' (without a reload)');
const text = (sel) => page.locator(sel).innerText();
const num = (s) => Number(String(s).replace(/[^\d]/g, '') || 0);

test('setup: a hub, a facilitator on the dashboard (one page load for the whole story), a kiosk account', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weblists-'));
	db = path.join(dir, 'hub.db');
	addUser(db, 'anim', 'facilitator', PASS);
	addUser(db, 'borne', 'kiosk', 'kiosk-secret-2026');
	hub = await startHub({ broker, db });
	cookie = await loginCookie(hub, 'anim', PASS);
	kiosk = await loginCookie(hub, 'borne', 'kiosk-secret-2026');
	page = await newPage(hub, { width: 1366, height: 768 });
	page.setDefaultTimeout(5000);
	page.on('load', () => loads++);
	await page.goto('/');
	await page.fill('#login-user', 'anim');
	await page.fill('#login-pass', PASS);
	await page.click('#login-form button[type=submit]');
	await page.locator('#app').waitFor({ state: 'visible' });
	await page.locator('#ind-body tr').first().waitFor();
});

for (const lang of ['fr', 'en']) {
	let project, session;
	const T = (s) => `${s} ${lang}`;

	test(`${lang}: contributions confirmed, rejected and undone — pending list, project count, indicator, decided list`, async () => {
		if (lang === 'en') {
			await page.click('#lang');
			await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en-CA', 2000, 'English');
		}
		project = (await post('/api/projects', { title: T('Patrimoine'), themes: [] })).id;
		session = (await post('/api/sessions', { project_ids: [project], group: { type: 'walk-in', size: 3 } })).id;
		const card = page.locator('#project-list li', { hasText: T('Patrimoine') });
		await card.waitFor();
		const confirmed0 = num(await ind('contributions_confirmed'));
		const mk = async (title) => (await post('/api/contributions', { kind: 'scan', title, project_id: project, session_id: session })).id;
		const c1 = await mk(T('buste')), c2 = await mk(T('vase'));
		const pending = page.locator('#pending-list');
		await until(async () => (await pending.innerText()).includes(T('buste')) && (await pending.innerText()).includes(T('vase')), 'new contributions pending');
		// confirmed
		await patch(`/api/contributions/${c1}`, { status: 'confirmed', licence: 'CC-BY-4.0' });
		await until(async () => !(await pending.innerText()).includes(T('buste')), 'the confirmed one leaves the pending list');
		await until(async () => num(await card.locator('.big-num').innerText()) === 1, 'the project card counts it');
		await until(async () => num(await ind('contributions_confirmed')) === confirmed0 + 1, 'the indicator counts it');
		// rejected
		await patch(`/api/contributions/${c2}`, { status: 'rejected', reason: 'flou' });
		await until(async () => !(await pending.innerText()).includes(T('vase')), 'the rejected one leaves the pending list');
		eq(num(await card.locator('.big-num').innerText()), 1, 'a rejection does not count');
		// undone: the confirmed one is pending again
		await patch(`/api/contributions/${c1}`, { status: 'pending' });
		await until(async () => (await pending.innerText()).includes(T('buste')), 'the undone one is pending again');
		await until(async () => num(await card.locator('.big-num').innerText()) === 0, 'the project card no longer counts it');
		await until(async () => num(await ind('contributions_confirmed')) === confirmed0, 'nor the indicator');
		await shot(page, `lists-contribs-${lang}`, { fullPage: false });
	});

	test(`${lang}: sessions edited, merged and deleted — the session panel, the sessions list, the indicator`, async () => {
		// edited: the open session's head count
		await patch(`/api/sessions/${session}`, { group: { type: 'walk-in', size: 7 } });
		await until(async () => (await text('#session-size')).trim() === '7', 'the open session shows the new head count');
		// two recorded sessions, one merged into the other, a third deleted
		// earlier today (this fiscal year, which the indicators count)
		const now = Math.floor(Date.now() / 1000);
		const rec = (hAgo) => post('/api/sessions', { started_at: now - hAgo * 3600, ended_at: now - hAgo * 3600 + 1800, group: { type: 'school', size: 20 } }).then((r) => r.id);
		const row = (id) => page.locator(`#wf-sessions-body tr[data-id="${id}"]`);
		const sessions0 = num(await ind('sessions'));
		const a = await rec(3), b = await rec(2.5), c = await rec(2);
		await until(async () => await row(c).count() === 1, 'recorded sessions listed');
		await until(async () => num(await ind('sessions')) === sessions0 + 3, 'the indicator counts them');
		await post(`/api/sessions/${b}/merge`, { into: a, reason: 'ouverte deux fois' });
		await until(async () => await row(b).count() === 0, 'the merged session leaves the list');
		await until(async () => num(await ind('sessions')) === sessions0 + 2, 'the indicator drops the merged one');
		await del(`/api/sessions/${c}`, { reason: 'erreur' });
		await until(async () => await row(c).count() === 0, 'the deleted session leaves the list');
		await until(async () => num(await ind('sessions')) === sessions0 + 1, 'the indicator drops the deleted one');
		await shot(page, `lists-sessions-${lang}`, { fullPage: false });
	});

	test(`${lang}: a participant erased — the privacy request's list shows it erased, not the name`, async () => {
		const name = lang === 'fr' ? 'Gisèle Tremblay' : 'Gail Thompson';
		const participants0 = num(await ind('participants'));
		const p = await post('/api/participants', { session_id: session, age_band: '65+', party_size: 1, consent: { publish_name: true }, display_name: name }, kiosk);
		await page.selectOption('#wf-priv-form [name=session]', '');
		await page.fill('#wf-priv-form [name=q]', name.split(' ')[0]);
		await page.locator('#wf-priv-form [type=submit]').click();
		const r = page.locator(`#wf-privacy-body tr[data-id="${p.id}"]`);
		await r.waitFor();
		assert((await r.innerText()).includes(name), await r.innerText());
		await del(`/api/participants/${p.id}`);
		// searched by name: an erased check-in no longer matches
		await until(async () => (await r.count()) === 0, 'the erased name leaves the list');
		assert(!(await text('#wf-privacy')).includes(name), 'the name is nowhere');
		// searched by session: it stays, marked erased, with no erase button
		await page.fill('#wf-priv-form [name=q]', '');
		await page.selectOption('#wf-priv-form [name=session]', String(session));
		await page.locator('#wf-priv-form [type=submit]').click();
		await r.waitFor();
		const p2 = await post('/api/participants', { session_id: session, age_band: '65+', party_size: 1, consent: { publish_name: true }, display_name: name }, kiosk);
		const r2 = page.locator(`#wf-privacy-body tr[data-id="${p2.id}"]`);
		await until(async () => (await r2.count()) === 1 && (await r2.innerText()).includes(name), 'a new check-in in the searched session appears');
		await del(`/api/participants/${p2.id}`);
		await until(async () => !(await r2.innerText()).includes(name), 'the erased name leaves the row');
		eq(await r2.locator('button.btn-danger').count(), 0, 'no erase button on an erased check-in');
		// (the session's head count of 7 already covers this one person)
		eq(num(await ind('participants')), participants0, 'the anonymous check-in still counts');
		await shot(page, `lists-privacy-${lang}`, { fullPage: false });
	});

	test(`${lang}: a project archived — the project cards, the projects list, the session form's choices`, async () => {
		const other = (await post('/api/projects', { title: T('Murale'), themes: ['quebec-culture'] })).id;
		const wfRow = page.locator(`#wf-projects-body tr[data-id="${other}"]`);
		await wfRow.waitFor();
		const card = page.locator('#project-list li', { hasText: T('Murale') });
		await card.waitFor();
		const before = await card.innerText(), rowBefore = await wfRow.innerText();
		await patch(`/api/projects/${other}`, { status: 'archived' });
		await until(async () => (await card.count()) === 0 || (await card.innerText()) !== before, 'the project card shows it archived');
		await until(async () => (await wfRow.innerText()) !== rowBefore, 'the projects list shows it archived');
		eq(await page.locator(`#session-proj option[value="${other}"]`).count(), 0, 'an archived project is not offered');
		const p = await i18nProblems(page, lang, [T('Patrimoine'), T('Murale'), T('buste'), T('vase'), 'Gisèle Tremblay', 'Gail Thompson']);
		assert(!p.length, p.join('\n'));
		await shot(page, `lists-projects-${lang}`, { fullPage: false });
		eq(loads, 1, 'the page was never reloaded');
		assert(!page.errors.length, page.errors.join('\n'));
		// end the open session so the next language starts afresh
		await post(`/api/sessions/${session}/end`, {});
	});
}

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
