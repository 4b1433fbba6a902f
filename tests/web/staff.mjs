// staff.mjs — issue 15 items 5–8 by clicking, in a real Chromium against a
// real hub and mosquitto, in French then English: a device's settings
// (name, room, what a plug feeds, hidden measures), the switch-off
// confirmation that names the print, the accounts and audit page, the job
// history, the annual report with its trails; axe-core and the catalogue
// check on each screen; screenshots under tests/out/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startBroker, startHub, pub, assert, eq, waitFor } from '../lib/harness.mjs';
import { staffPage, addUser, loginCookie, shot, axe, i18nProblems, step as test, runSteps, stopAll } from './lib/web.mjs';

const PASS = 'chef-secret-2026';
let broker, hub, page, dir;
const text = async (sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ');
const tile = (id) => page.locator(`article[data-id="${id}"]`);
const clean = async (what, lang, data = []) => {
	const v = await axe(page);
	assert(!v.length, `${what}: axe: ` + v.join('\n'));
	const p = await i18nProblems(page, lang, data);
	assert(!p.length, `${what} (${lang}): ` + p.join('\n'));
	assert(!page.errors.length, page.errors.join('\n'));
};
const toEnglish = async () => {
	await page.click('#lang');
	await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en-CA', 2000, 'English');
};

test('the admin renames a plug, gives it a room, says what it feeds and hides a measure', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webstaff-'));
	const db = path.join(dir, 'hub.db');
	addUser(db, 'chef', 'admin', PASS);
	hub = await startHub({ broker, db });
	pub(broker, 'mlab/v1/prusa-1/meta', { name: 'Prusa MK4', kind: 'printer', room: 'Salle A' }, { retain: true });
	pub(broker, 'tele/shellyplug-80646f/STATE', { POWER: 'ON' });
	pub(broker, 'tele/shellyplug-80646f/SENSOR', { ENERGY: { Power: 95, Total: 1.234, Today: 0.4, ApparentPower: 100, Factor: 0.95 } });
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.length >= 2, 3000, 'two devices');
	page = await staffPage(hub, 'chef', PASS);
	const plug = tile('tasmota/shellyplug-80646f');
	await plug.waitFor();
	assert(!(await plug.innerText()).includes('Facteur de puissance'), 'secondary measures fold away');
	await plug.locator('details.metrics-more summary').click();
	const t0 = await plug.innerText();
	assert(t0.includes('Facteur de puissance') && t0.includes('Puissance apparente') && !/power_factor|apparent_power_va/.test(t0),
		'metric labels translated: ' + t0);
	await plug.getByRole('button', { name: /Réglages de shellyplug-80646f/ }).click();
	const dlg = page.locator('dialog.dlg');
	await dlg.waitFor();
	await clean('settings dialog', 'fr', ['shellyplug-80646f', 'tasmota/shellyplug-80646f', 'Prusa MK4']);
	await dlg.getByLabel('Nom affiché').fill('Prise de la Prusa');
	await dlg.getByLabel('Salle', { exact: true }).fill('Salle A');
	await dlg.getByLabel('Imprimante ou machine branchée').selectOption({ label: 'Prusa MK4' });
	await dlg.getByLabel('Nom de la machine pour le rapport').fill('Prusa MK4 (prise)');
	await dlg.getByLabel('Facteur de puissance').check();
	await shot(page, 'staff-device-settings-fr', { fullPage: false });
	await dlg.getByRole('button', { name: 'Enregistrer' }).click();
	await dlg.waitFor({ state: 'detached' });
	await waitFor(async () => (await page.locator('section.room', { hasText: 'Salle A' }).innerText()).includes('Prise de la Prusa'), 3000, 'renamed, in its room');
	const t1 = (await tile('tasmota/shellyplug-80646f').innerText()).replace(/\s+/g, ' ');
	assert(!t1.includes('Facteur de puissance'), 'hidden measure gone: ' + t1);
	assert(t1.includes('Alimente : Prusa MK4 (prise) · Prusa MK4'), t1);
	const d = (await hub.get('/api/devices/' + encodeURIComponent('tasmota/shellyplug-80646f'), { cookie: await loginCookie(hub, 'chef', PASS) })).json;
	eq(d.name, 'Prise de la Prusa');
	eq(d.feeds, 'mlab/prusa-1');
});

test('switching off a plug whose printer is printing asks first and names the print', async () => {
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 1, type: 'job.started', file: 'benchy.gcode' });
	await waitFor(async () => (await tile('mlab/prusa-1').innerText()).includes('benchy.gcode'), 3000, 'printing');
	await tile('tasmota/shellyplug-80646f').getByRole('button', { name: /interrupteur de Prise de la Prusa/ }).click();
	const dlg = page.locator('dialog.dlg');
	await dlg.waitFor();
	const said = (await dlg.innerText()).replace(/\s+/g, ' ');
	assert(said.includes('Prusa MK4 est en plein travail (« benchy.gcode »)'), said);
	await shot(page, 'staff-switch-confirm-fr', { fullPage: false });
	await dlg.getByRole('button', { name: 'Annuler' }).click();
	await dlg.waitFor({ state: 'detached' });
	assert((await tile('tasmota/shellyplug-80646f').innerText()).includes('Allumée'), 'nothing was sent');
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 2, type: 'job.finished', file: 'benchy.gcode' });
});

test('accounts: create, change the role, reset the password, disable — then the audit log and its CSV', async () => {
	await page.getByRole('link', { name: 'Comptes et journal' }).click();
	await page.locator('#users-body tr').first().waitFor();
	await page.fill('#ua-name', 'marie');
	await page.fill('#ua-pass', 'marie-password');
	await page.click('#user-add button[type=submit]');
	const row = page.locator('#users-body tr[data-user="marie"]');
	await row.waitFor();
	await row.getByLabel('Rôle de marie').selectOption('admin');
	await waitFor(async () => (await text('#users-msg')).includes('Rôle de marie changé'), 3000, 'role changed');
	await row.getByLabel('Nouveau mot de passe pour marie').fill('autre-password');
	await row.getByRole('button', { name: /Réinitialiser le mot de passe marie/ }).click();
	await waitFor(async () => (await text('#users-msg')).includes('Mot de passe de marie réinitialisé'), 3000, 'reset');
	await row.getByRole('button', { name: /Désactiver marie/ }).click();
	await waitFor(async () => (await row.innerText()).includes('Désactivé'), 3000, 'disabled');
	eq((await hub.post('/api/login', { user: 'marie', password: 'autre-password' })).status, 401, 'a disabled account cannot log in');
	await page.selectOption('#af-action', 'user');
	await page.click('#audit-filter button[type=submit]');
	await waitFor(async () => !(await text('#audit-body')).includes('Connexion'), 3000, 'only the accounts family');
	assert((await page.locator('#audit-body tr').count()) >= 4, 'the account lines');
	assert((await text('#audit-body')).includes('Compte créé'), await text('#audit-body'));
	assert((await page.getAttribute('#audit-csv', 'href')).includes('action=user'), 'the CSV follows the filter');
	await clean('admin page', 'fr', ['chef', 'marie']);
	await shot(page, 'staff-admin-fr');
	await page.fill('#pw-cur', PASS);
	await page.fill('#pw-new', 'chef-nouveau-2026');
	await page.fill('#pw-again', 'chef-nouveau-2026');
	await page.click('#pw-form button[type=submit]');
	await waitFor(async () => (await text('#pw-msg')).includes('Mot de passe changé'), 3000, 'own password');
	await toEnglish();
	await clean('admin page', 'en', ['chef', 'marie']);
	assert((await text('#audit-body')).includes('Account created'));
	await shot(page, 'staff-admin-en');
});

test('the job history lists the print with its device, duration and state, filterable, with a CSV', async () => {
	await page.getByRole('link', { name: 'Job history' }).click();
	await page.locator('#jobs-body tr').first().waitFor();
	const r = await text('#jobs-body');
	assert(r.includes('benchy.gcode') && r.includes('Prusa MK4') && r.includes('Finished'), r);
	await clean('jobs page', 'en', ['Prusa MK4', 'benchy.gcode']);
	await shot(page, 'staff-jobs-en');
	await page.click('#lang');
	await waitFor(async () => (await text('#jobs-body')).includes('Terminé'), 2000, 'French');
	await page.selectOption('#jf-state', 'failed');
	await page.click('#jobs-filter button[type=submit]');
	await waitFor(async () => (await page.locator('#jobs-body tr').count()) === 0, 3000, 'no failed print');
	assert((await page.getAttribute('#jobs-csv', 'href')).includes('state=failed'));
	await page.selectOption('#jf-state', '');
	await page.click('#jobs-filter button[type=submit]');
	await page.locator('#jobs-body tr').first().waitFor();
	await clean('jobs page', 'fr', ['Prusa MK4', 'benchy.gcode']);
	await shot(page, 'staff-jobs-fr');
});

test('the annual report: a year picker, figures with targets and gaps, downloads and translated trails', async () => {
	await page.getByRole('link', { name: 'Rapport annuel' }).click();
	await page.locator('#rep-body tr').first().waitFor();
	assert((await text('#rep-body')).includes('Projets de participation citoyenne'), await text('#rep-body'));
	const ods = await page.getAttribute('#rep-ods', 'href');
	assert(/format=ods/.test(ods), ods);
	const bytes = Buffer.from(await (await fetch(hub.url + ods)).arrayBuffer());
	eq(bytes.subarray(0, 2).toString(), 'PK', 'a zip');
	await page.getByRole('button', { name: /Voir le détail Détail\s: Impressions 3D terminées/ }).click();
	await page.locator('#trail-body tr').first().waitFor();
	const head = await text('#trail-head');
	assert(head.includes('Appareil') && head.includes('Début') && !head.includes('started_at'), head);
	const cells = await text('#trail-body');
	assert(cells.includes('Prusa MK4') && !cells.includes('mlab/prusa-1') && cells.includes('Terminé'), 'names, not ids: ' + cells);
	await clean('report page', 'fr', ['Prusa MK4', 'benchy.gcode', 'mlab/prusa-1']);
	const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert(over <= 1, `the page is ${over}px too wide`);
	await shot(page, 'staff-report-fr');
	await page.selectOption('#rep-fy', String(Number(await page.inputValue('#rep-fy')) - 1));
	await waitFor(async () => (await page.getAttribute('#rep-csv', 'href')).includes('fy=' + (Number(await page.inputValue('#rep-fy')))), 2000, 'year changed');
	await toEnglish();
	await clean('report page', 'en');
	await shot(page, 'staff-report-en');
});

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
