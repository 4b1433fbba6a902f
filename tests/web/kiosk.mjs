// kiosk.mjs — the kiosk at the door in a real Chromium: the one-time
// kiosk login, a check-in with consent (name and email fields appear
// only with their consent) and a rating that land in the database, an
// idea for the current project, no personal data on screen, the idle
// reset, the English switch, axe-core, screenshots.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, assert, eq, waitFor, run } from '../lib/harness.mjs';
import { newPage, addUser, loginCookie, shot, axe, i18nProblems, step as test, runSteps, stopAll } from './lib/web.mjs';

const NAME = 'Éloïse Tremblay-Kiosque', EMAIL = 'eloise.kiosque@example.org';
let broker, hub, page, staff, dir, db, projectId;
const sql = (q) => run('sqlite3', [db, q]).stdout.trim();

test('setup: a hub, a kiosk account, an open session with a project', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webkiosk-'));
	db = path.join(dir, 'hub.db');
	addUser(db, 'borne', 'kiosk', 'kiosk-secret-2026');
	addUser(db, 'anim', 'facilitator', 'anim-secret-2026');
	hub = await startHub({ broker, db });
	staff = await loginCookie(hub, 'anim', 'anim-secret-2026');
	const p = await hub.post('/api/projects', { title: 'Mémoire du quartier', themes: ['quebec-culture'], status: 'active' }, { cookie: staff });
	projectId = p.json.id;
	const s = await hub.post('/api/sessions', { project_ids: [projectId], device_ids: [], group: { type: 'family', size: 4 } }, { cookie: staff });
	assert(s.status < 300, s.text);
});

test('the kiosk asks once for its account, then shows its home screen', async () => {
	page = await newPage(hub, { width: 1024, height: 768 });
	page.setDefaultTimeout(5000);
	await page.goto('/kiosk/');
	await page.locator('#k-login').waitFor({ state: 'visible' });
	await shot(page, 'kiosk-login');
	await page.fill('#k-user', 'borne');
	await page.fill('#k-pass', 'kiosk-secret-2026');
	await page.click('#k-login-form button[type=submit]');
	await page.locator('#k-home').waitFor({ state: 'visible' });
	assert((await page.locator('#k-project').innerText()).includes('Mémoire du quartier'), 'current project shown');
	await page.reload();	// the cookie keeps it logged in
	await page.locator('#k-home').waitFor({ state: 'visible' });
	await shot(page, 'kiosk-home');
	const v = await axe(page);
	assert(!v.length, 'axe: ' + v.join('\n'));
});

test('check in: name and email fields appear only with their consent; the row lands in the database', async () => {
	await page.click('[data-go=k-checkin]');
	await page.locator('#k-checkin').waitFor({ state: 'visible' });
	assert(await page.locator('#k-email').isHidden() && await page.locator('#k-name').isHidden(), 'no personal field before consent');
	await page.click('label[for=k-age-5]');		// 25-34
	await page.click('#k-size-plus');
	await page.click('#k-size-plus');
	await page.check('#k-c-contact');
	await page.locator('#k-email').waitFor({ state: 'visible' });
	await page.fill('#k-email', EMAIL);
	await page.check('#k-c-name');
	await page.fill('#k-name', NAME);
	await page.check('#k-c-photo');
	await shot(page, 'kiosk-checkin');
	const v = await axe(page);
	assert(!v.length, 'axe: ' + v.join('\n'));
	await page.click('#k-checkin-form button[type=submit]');
	await page.locator('#k-thanks').waitFor({ state: 'visible' });
	const rows = sql("SELECT age_band, party_size, display_name, email FROM participants");
	eq(rows, `25-34|3|${NAME}|${EMAIL}`);
	eq(sql("SELECT group_concat(purpose || '=' || granted, ',') FROM (SELECT purpose, granted FROM consents ORDER BY purpose)"),
		'contact=1,photo=1,publish_name=1');
});

test('a child\'s consent needs a parent or guardian', async () => {
	await page.click('#k-thanks [data-home]');
	await page.click('[data-go=k-checkin]');
	await page.click('label[for=k-age-1]');		// 6-9
	await page.check('#k-c-photo');
	await page.locator('#k-guardian-box').waitFor({ state: 'visible' });
	await page.click('#k-checkin-form button[type=submit]');
	assert((await page.locator('#k-checkin-error').innerText()).includes('parent'), 'guardian asked');
	await page.check('#k-guardian');
	await page.click('#k-checkin-form button[type=submit]');
	await page.locator('#k-thanks').waitFor({ state: 'visible' });
	eq(sql("SELECT DISTINCT c.given_by FROM consents c JOIN participants p ON p.id = c.participant_id WHERE p.age_band = '6-9'"), 'guardian');
});

test('one tap on a face records a rating', async () => {
	await page.click('#k-thanks [data-home]');
	await page.click('[data-go=k-rate]');
	await page.locator('#k-rate').waitFor({ state: 'visible' });
	await shot(page, 'kiosk-rate');
	const v = await axe(page);
	assert(!v.length, 'axe: ' + v.join('\n'));
	await page.click('.face[data-value="3"]');
	await page.locator('#k-thanks').waitFor({ state: 'visible' });
	eq(sql('SELECT value, scale FROM ratings'), '3|3');
});

test('an idea joins the current project as a pending contribution', async () => {
	await page.click('#k-thanks [data-home]');
	await page.click('[data-go=k-idea]');
	await page.fill('#k-idea-text', 'Numériser les enseignes du Vieux-Québec');
	await page.click('#k-idea-form button[type=submit]');
	await page.locator('#k-thanks').waitFor({ state: 'visible' });
	eq(sql('SELECT kind, status, project_id, title FROM contributions'), `idea|pending|${projectId}|Numériser les enseignes du Vieux-Québec`);
});

test('the kiosk shows no personal data, on any screen', async () => {
	for (const scr of ['k-home', 'k-checkin', 'k-rate', 'k-idea']) {
		await page.evaluate(() => { for (const b of document.querySelectorAll('[data-home]')) if (b.offsetParent) { b.click(); break; } });
		if (scr !== 'k-home') await page.click(`[data-go=${scr}]`);
		const html = await page.content();
		assert(!html.includes(NAME) && !html.includes(EMAIL) && !html.includes('Tremblay'), `personal data on ${scr}`);
		const values = await page.evaluate(() => [...document.querySelectorAll('input, textarea')].map((i) => i.value).join('|'));
		assert(!values.includes(NAME) && !values.includes(EMAIL), `personal data left in a field on ${scr}`);
	}
});

test('English everywhere after the switch; no untranslated string', async () => {
	await page.evaluate(() => { for (const b of document.querySelectorAll('[data-home]')) if (b.offsetParent) { b.click(); break; } });
	await page.click('#lang');
	await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en-CA', 2000, 'English');
	for (const scr of ['k-home', 'k-checkin', 'k-rate']) {
		if (scr !== 'k-home') await page.click(`[data-go=${scr}]`);
		const p = await i18nProblems(page, 'en', ['Mémoire du quartier']);
		assert(!p.length, scr + ': ' + p.join('\n'));
		await shot(page, `kiosk-en-${scr.slice(2)}`);
		await page.evaluate(() => { for (const b of document.querySelectorAll('[data-home]')) if (b.offsetParent) { b.click(); break; } });
	}
});

test('after the idle time the kiosk starts over, in French, with empty forms', async () => {
	await page.clock.install();
	await page.click('[data-go=k-checkin]');
	await page.fill('#k-size', '7');
	await page.clock.fastForward(61000);
	await page.locator('#k-home').waitFor({ state: 'visible' });
	eq(await page.getAttribute('html', 'lang'), 'fr-CA');
	eq(await page.inputValue('#k-size'), '1');
});

test('a phone-sized kiosk has nothing wider than the screen', async () => {
	await page.setViewportSize({ width: 390, height: 844 });
	await page.click('[data-go=k-checkin]');
	const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert(over <= 1, `${over}px too wide`);
	await shot(page, 'kiosk-phone');
	assert(!page.errors.length, page.errors.join('\n'));
});

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
