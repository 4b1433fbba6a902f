// dashboard.mjs — the facilitator dashboard in a real Chromium against a
// real hub and mosquitto: login, live tiles, a print job to the end, a
// plug switch, alerts (offline, threshold) and their acknowledgement,
// a session started and ended, a pending contribution confirmed, the
// language switch, axe-core, a hub restart, screenshots.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startBroker, startHub, pub, sub, assert, eq, sleep, waitFor, ROOT } from '../lib/harness.mjs';
import { newPage, addUser, loginCookie, shot, axe, i18nProblems, step as test, runSteps, stopAll } from './lib/web.mjs';

const PASS = 'anim-secret-2026';
let broker, hub, page, cookie, dir;
const text = async (sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ');
const tile = (id) => page.locator(`article[data-id="${id}"]`);

async function setup() {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webdash-'));
	const db = path.join(dir, 'hub.db');
	addUser(db, 'anim', 'facilitator', PASS);
	hub = await startHub({ broker, db, sets: ['alert.temperature_c.above=30', 'alert.co2_ppm.above=1500'] });
	cookie = await loginCookie(hub, 'anim', PASS);
	pub(broker, 'mlab/v1/env-1/meta', { name: 'Capteur Salle A', kind: 'sensor', room: 'Salle A' }, { retain: true });
	pub(broker, 'mlab/v1/env-1/telemetry', { temperature_c: 21.5, humidity_pct: 40 });
	pub(broker, 'mlab/v1/prusa-1/meta', { name: 'Prusa MK4', kind: 'printer', room: 'Salle A' }, { retain: true });
	pub(broker, 'mlab/v1/prusa-1/status', 'online', { retain: true });
	pub(broker, 'tele/prise-1/STATE', { POWER: 'OFF' });
	pub(broker, 'tele/prise-1/SENSOR', { ENERGY: { Power: 0, Total: 1.234 } });
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.length >= 3, 3000, 'three devices');
}

test('the login page is French, accessible, with no page error', async () => {
	await setup();
	page = await newPage(hub);
	page.setDefaultTimeout(5000);
	await page.goto('/');
	await page.locator('#login-form').waitFor();
	assert(await page.locator('#app').isHidden(), 'the dashboard is hidden before login');
	eq(await page.getAttribute('html', 'lang'), 'fr-CA');
	eq(await text('#login-h'), 'Connexion des animateurs');
	const v = await axe(page);
	assert(!v.length, 'axe: ' + v.join('\n'));
	await shot(page, 'dashboard-login');
	assert(!page.errors.length, page.errors.join('\n'));
});

test('a wrong password is refused; the right one opens the dashboard', async () => {
	await page.fill('#login-user', 'anim');
	await page.fill('#login-pass', 'wrong-password');
	await page.click('#login-form button[type=submit]');
	await page.locator('#login-error').waitFor();
	eq(await text('#login-error'), 'Nom d\'utilisateur ou mot de passe incorrect.');
	await page.fill('#login-pass', PASS);
	await page.click('#login-form button[type=submit]');
	await page.locator('#app').waitFor({ state: 'visible', timeout: 3000 });
	assert(await page.locator('#login').isHidden(), 'login form hidden');
	await tile('mlab/env-1').waitFor();
	assert((await text('#rooms')).includes('Salle A'), 'grouped by room');
});

test('an MQTT message changes the tile', async () => {
	await waitFor(async () => (await tile('mlab/env-1').innerText()).includes('21,5 °C'), 2000, 'first value')
		.catch(async (e) => { throw new Error(e.message + ': ' + await tile('mlab/env-1').innerText()); });
	pub(broker, 'mlab/v1/env-1/telemetry', { temperature_c: 23.75 });
	// how fast is `make bench`'s business; here only that it arrives
	await waitFor(async () => (await tile('mlab/env-1').innerText()).includes('23,8 °C'), 10000, 'new value on the tile');
});

test('a sensor tile draws its 24-hour chart from the history API', async () => {
	await tile('mlab/env-1').locator('summary').click();
	await tile('mlab/env-1').locator('svg.chart polyline').waitFor({ state: 'attached', timeout: 3000 })
		.catch(async (e) => { throw new Error(e.message + ': ' + await tile('mlab/env-1').innerText()); });
	const label = await tile('mlab/env-1').locator('svg.chart').getAttribute('aria-label');
	assert(/Température de Capteur Salle A/.test(label), label);
});

test('a printer job runs through to the end on its tile', async () => {
	const pt = tile('mlab/prusa-1');
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 1, type: 'job.started', file: 'benchy.gcode' });
	await waitFor(async () => (await pt.innerText()).includes('benchy.gcode'), 2000, 'file shown');
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 2, type: 'job.progress', progress_pct: 42, remaining_s: 1500 });
	await waitFor(async () => (await pt.locator('[role=progressbar]').getAttribute('aria-valuenow')) === '42', 2000, 'progress 42');
	const s = (await pt.innerText()).replace(/\s+/g, ' ');
	assert(s.includes('En cours') && s.includes('Reste 25 min'), s);
	await shot(page, 'dashboard-printing');
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 3, type: 'job.finished', file: 'benchy.gcode' });
	await waitFor(async () => (await pt.innerText()).includes('Terminé'), 2000, 'finished');
	eq(await pt.locator('[role=progressbar]').getAttribute('aria-valuenow'), '100');
});

test('the plug switch sends the command; the tile flips only on the device\'s report', async () => {
	const pt = tile('tasmota/prise-1');
	await waitFor(async () => (await pt.innerText()).includes('Éteinte'), 2000, 'plug off');
	const cmd = sub(broker, 'cmnd/prise-1/POWER', { count: 1, ms: 4000 });
	await sleep(300);
	await pt.getByRole('button', { name: /interrupteur de prise-1/ }).click();
	const got = await cmd;
	eq(got.map((m) => m.payload), ['ON'], 'command on the broker');
	assert((await pt.innerText()).includes('Éteinte'), 'still off until the device says otherwise');
	pub(broker, 'stat/prise-1/POWER', 'ON');
	await waitFor(async () => (await pt.innerText()).includes('Allumée'), 2000, 'on after the report');
	eq(await pt.getByRole('button', { name: /interrupteur/ }).getAttribute('aria-pressed'), 'true');
});

test('an offline device raises an alert (MQTT and page) that a facilitator acknowledges', async () => {
	const mq = sub(broker, 'mlab/v1/hub/alert/#', { count: 1, ms: 4000 });
	await sleep(300);
	pub(broker, 'mlab/v1/prusa-1/status', 'offline', { retain: true });
	const item = page.locator('#alert-list > li', { hasText: 'Prusa MK4' });
	await item.waitFor({ timeout: 2000 });
	assert((await item.innerText()).includes('Appareil hors ligne'), await item.innerText());
	assert((await tile('mlab/prusa-1').innerText()).includes('Hors ligne'), 'tile offline');
	const m = (await mq)[0];
	eq(m && m.topic, 'mlab/v1/hub/alert/device-offline');
	const a = JSON.parse(m.payload);
	eq([a.device, a.active, a.acknowledged], ['mlab/prusa-1', true, false]);
	await shot(page, 'dashboard-alert');
	await item.getByRole('button', { name: /^J'ai vu/ }).click();
	await waitFor(async () => (await item.innerText()).includes('Vue'), 2000, 'acknowledged');
	const api = (await hub.get('/api/alerts', { cookie })).json.alerts;
	assert(api.some((x) => x.id === a.id && x.acknowledged), JSON.stringify(api));
	pub(broker, 'mlab/v1/prusa-1/status', 'online', { retain: true });
	await waitFor(async () => (await page.locator('#alert-list > li', { hasText: 'Prusa MK4' }).count()) === 0, 2000, 'alert cleared when back online');
});

test('a failed job raises an alert; acknowledging it ends it', async () => {
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 10, type: 'job.started', file: 'tour-eiffel.gcode' });
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 11, type: 'job.failed', file: 'tour-eiffel.gcode' });
	const item = page.locator('#alert-list > li', { hasText: 'tour-eiffel.gcode' });
	await item.waitFor({ timeout: 2000 });
	assert((await item.innerText()).includes('Travail échoué'), await item.innerText());
	await item.getByRole('button', { name: /^J'ai vu/ }).click();
	await waitFor(async () => (await item.count()) === 0, 2000, 'failed-job alert ended by its acknowledgement');
	const left = (await hub.get('/api/alerts')).json.alerts.filter((a) => a.kind === 'job-failed');
	eq(left.length, 0);
});

test('a sensor past alert.temperature_c.above raises an alert, cleared when it comes back', async () => {
	pub(broker, 'mlab/v1/env-1/telemetry', { temperature_c: 31.2 });
	const item = page.locator('#alert-list > li', { hasText: 'Capteur Salle A' });
	await item.waitFor({ timeout: 2000 });
	assert(/Seuil dépassé[\s\S]*31,2 °C[\s\S]*30 °C/.test(await item.innerText()), await item.innerText());
	pub(broker, 'mlab/v1/env-1/telemetry', { temperature_c: 22 });
	await waitFor(async () => (await item.count()) === 0, 2000, 'threshold alert cleared');
});

test('start a session, see it, end it', async () => {
	const pr = await hub.post('/api/projects', { title: 'Patrimoine en 3D', summary: 'Numériser des objets', themes: ['quebec-culture'], status: 'active' }, { cookie });
	assert(pr.status === 200 || pr.status === 201, pr.text);
	await page.reload();
	await page.locator('#session-form').waitFor();
	await page.locator('#session-proj option', { hasText: 'Patrimoine en 3D' }).waitFor({ state: 'attached' });
	await page.selectOption('#session-type', 'school');
	await page.fill('#session-count', '24');
	await page.selectOption('#session-proj', { label: 'Patrimoine en 3D' });
	await page.click('#session-form button[type=submit]');
	await page.locator('#session-current').waitFor({ state: 'visible', timeout: 3000 });
	const s = await text('#session-current');
	assert(s.includes('Groupe scolaire') && s.includes('24') && s.includes('Patrimoine en 3D'), s);
	const cur = (await hub.get('/api/sessions/current', { cookie })).json;
	eq([cur.group.type, cur.group.size, cur.project_ids], ['school', 24, [pr.json.id]]);
	await shot(page, 'dashboard-session');
	await page.click('#session-end');
	await page.locator('dialog[open]').getByRole('button', { name: 'Terminer la séance' }).click();	// it asks first
	await page.locator('#session-form').waitFor({ state: 'visible', timeout: 3000 });
	eq((await hub.get('/api/sessions/current', { cookie })).status, 404);
});

test('a print finished during a session becomes a pending contribution; confirming it sticks', async () => {
	const projects = (await hub.get('/api/projects', { cookie })).json.projects;
	const r = await hub.post('/api/sessions', { project_ids: [projects[0].id], device_ids: [], group: { type: 'walk-in', size: 5 } }, { cookie });
	assert(r.status < 300, r.text);
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 4, type: 'job.started', file: 'masque-huron.gcode' });
	await sleep(200);
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 5, type: 'job.finished', file: 'masque-huron.gcode' });
	const card = page.locator('#pending-list > li', { hasText: 'masque-huron.gcode' });
	await card.first().waitFor({ timeout: 3000 });
	eq(await card.count(), 1, 'one pending card: ' + JSON.stringify((await hub.get('/api/contributions?status=pending', { cookie })).json));
	const c = (await card.innerText()).replace(/\s+/g, ' ');
	assert(c.includes('Appareil : Prusa MK4') && /Travail nº \d+/.test(c) && c.includes('Patrimoine en 3D'), c);
	await shot(page, 'dashboard-pending');
	await card.getByRole('button', { name: /^Confirmer/ }).click();
	await page.locator('dialog[open]').getByRole('button', { name: 'Confirmer' }).click();	// with a licence
	await waitFor(async () => (await card.count()) === 0, 3000, 'card gone');
	const all = (await hub.get('/api/contributions', { cookie })).json.contributions;
	const mine = all.find((x) => x.job && x.job.file === 'masque-huron.gcode');
	eq(mine && mine.status, 'confirmed');
	await waitFor(async () => (await text('#project-list')).includes('1 contribution confirmée'), 3000, 'project count');
});

test('indicators show this fiscal year against targets (or — when absent)', async () => {
	const rows = await page.locator('#ind-body tr').count();
	eq(rows, 11);
	assert(/année \d{4}-\d{4}/.test(await text('#ind-fy')), await text('#ind-fy'));
});

test('axe-core finds no serious violation on the live dashboard', async () => {
	const v = await axe(page);
	assert(!v.length, 'axe: ' + v.join('\n'));
	await shot(page, 'dashboard-fr');
});

test('the language switch changes every visible string, and back', async () => {
	let p = await i18nProblems(page, 'fr');
	assert(!p.length, 'fr: ' + p.join('\n'));
	await page.click('#lang');
	await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en-CA', 2000, 'English');
	await tile('mlab/env-1').locator('summary').waitFor();
	p = await i18nProblems(page, 'en', ['Capteur Salle A', 'Patrimoine en 3D', 'Salle A']);
	assert(!p.length, 'en: ' + p.join('\n'));
	assert((await tile('tasmota/prise-1').innerText()).includes('On'), 'tile relabelled');
	await shot(page, 'dashboard-en');
	const v = await axe(page);
	assert(!v.length, 'axe (en): ' + v.join('\n'));
	await page.click('#lang');
	await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'fr-CA', 2000, 'French again');
});

test('keyboard: tab reaches the section links and the focus ring is visible', async () => {
	await page.reload();
	await page.locator('#app').waitFor({ state: 'visible' });
	await page.keyboard.press('Tab');
	const first = await page.evaluate(() => document.activeElement.className);
	assert(/skip/.test(first), 'first tab stop is the skip link, got ' + first);
	let found = false;
	for (let i = 0; i < 8 && !found; i++) {
		await page.keyboard.press('Tab');
		found = await page.evaluate(() => document.activeElement.matches('.sections a'));
	}
	assert(found, 'a section link is reachable by keyboard');
	const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
	eq(ring, 'solid');
});

test('phone width: one column, nothing wider than the screen', async () => {
	await page.setViewportSize({ width: 390, height: 844 });
	await sleep(200);
	const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert(over <= 1, `page is ${over}px wider than the phone`);
	await shot(page, 'dashboard-phone');
	await page.setViewportSize({ width: 1366, height: 900 });
});

test('after a hub restart the page says so, reconnects and resynchronises', async () => {
	await hub.stop();
	await page.locator('#banner').waitFor({ state: 'visible', timeout: 3000 });
	assert(/Connexion au hub perdue/.test(await text('#banner')), await text('#banner'));
	await shot(page, 'dashboard-disconnected');
	await hub.start();
	await page.locator('#banner').waitFor({ state: 'hidden', timeout: 20000 });
	assert(await page.locator('#app').isVisible(), 'still logged in after the restart');
	pub(broker, 'mlab/v1/env-1/telemetry', { temperature_c: 19.25 });
	await waitFor(async () => (await tile('mlab/env-1').innerText()).includes('19,3 °C'), 3000, 'live again');
	assert(!page.errors.length, page.errors.join('\n'));
});

test('logging out returns to the login form', async () => {
	await page.click('#logout');
	await page.locator('#login-form').waitFor({ state: 'visible', timeout: 3000 });
	assert(await page.locator('#app').isHidden(), 'dashboard hidden');
	await page.context().close();
});

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
