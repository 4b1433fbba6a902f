// workflows.mjs — issue 15's facilitator workflows done by clicking, in a
// real Chromium against a real hub and mosquitto, once in French and once
// in English: projects (create, edit, archive, the project page), sessions
// (start with grade, devices and notes; edit while open; end after a
// confirmation; delete and merge with a reason), contributions (confirm
// with a licence remembered per project, reject with a reason, the decided
// list with its filters and undo, one added by hand), privacy requests
// (find, export, erase), and a family checking in at the kiosk.  axe-core
// on every screen and dialog, the catalogue check, screenshots.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, pub, assert, eq, waitFor, run } from '../lib/harness.mjs';
import { staffPage, kioskPage, addUser, loginCookie, shot, axe, i18nProblems, FR, EN, step as test, runSteps, stopAll } from './lib/web.mjs';

const PASS = 'anim-secret-2026';
let broker, hub, page, kiosk, cookie, dir, db, lang = 'fr';
const sql = (q) => run('sqlite3', [db, q]).stdout.trim();
const L = (key, vars) => {
	let s = (lang === 'en' ? EN : FR)[key];
	assert(s !== undefined, 'no catalogue key ' + key);
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
	return s;
};
const api = (p) => hub.get(p, { cookie }).then((r) => r.json);
const dlg = () => page.locator('dialog[open]');
const section = (id) => page.locator('#' + id);
async function clean(what) {
	const v = await axe(page);
	assert(!v.length, `axe (${lang}, ${what}): ` + v.join('\n'));
	const p = await i18nProblems(page, lang, ['Prusa MK4', 'Bambu X1']);
	assert(!p.length, `${lang}, ${what}: ` + p.join('\n'));
	assert(!page.errors.length, page.errors.join('\n'));
}

test('setup: a hub with two printers, a facilitator and a kiosk account; login by the form', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webwf-'));
	db = path.join(dir, 'hub.db');
	addUser(db, 'anim', 'facilitator', PASS);
	addUser(db, 'borne', 'kiosk', 'kiosk-secret-2026');
	hub = await startHub({ broker, db });
	cookie = await loginCookie(hub, 'anim', PASS);
	pub(broker, 'mlab/v1/prusa-1/meta', { name: 'Prusa MK4', kind: 'printer', room: 'Salle A' }, { retain: true });
	pub(broker, 'mlab/v1/bambu-1/meta', { name: 'Bambu X1', kind: 'printer', room: 'Salle A' }, { retain: true });
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.length >= 2, 3000, 'two devices');
	page = await staffPage(hub, 'anim', PASS);
	await section('wf-projects').waitFor();
});

for (const pass of ['fr', 'en']) {
	const tag = (s) => `${s}-${pass}`;
	let projectId, otherId;

	test(`[${pass}] projects: create, edit, archive and reactivate, then the project page`, async () => {
		if (pass === 'en') {
			await page.click('#lang');
			lang = 'en';
			await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en-CA', 2000, 'English');
		}
		const title = pass === 'fr' ? 'Mémoire des quartiers' : 'Neighbourhood memories';
		await section('wf-projects').getByRole('button', { name: L('wf.p.new') }).click();
		await dlg().waitFor();
		await shot(page, tag('wf-project-new'), { fullPage: false });
		await clean('new project dialog');
		await dlg().getByLabel(L('wf.p.title')).fill(title + ' (brouillon)');
		await dlg().getByLabel(L('wf.p.summary'), { exact: true }).fill('Numériser des objets de famille');
		await dlg().getByLabel(L('wf.p.quebec')).check();
		await dlg().getByLabel(L('wf.p.themes')).fill('patrimoine, Vie de quartier');
		await dlg().getByLabel(L('wf.p.visibility')).selectOption('public');
		await dlg().getByRole('button', { name: L('wf.p.create') }).click();
		await dlg().waitFor({ state: 'detached' });
		const row = section('wf-projects').locator('tr', { hasText: title });
		await row.waitFor();
		const p = (await api('/api/projects')).projects.find((x) => x.title.startsWith(title));
		projectId = p.id;
		eq([p.themes, p.visibility, p.status], [['patrimoine', 'quebec-culture', 'vie-de-quartier'], 'public', 'active']);
		// edit: the title and the status
		await row.getByRole('button', { name: L('wf.edit_label', { title: p.title }) }).click();
		await dlg().getByLabel(L('wf.p.title')).fill(title);
		await dlg().getByLabel(L('wf.p.status')).selectOption('planned');
		await dlg().getByRole('button', { name: L('wf.save') }).click();
		await dlg().waitFor({ state: 'detached' });
		await waitFor(async () => (await api(`/api/projects/${projectId}`)).title === title, 2000, 'renamed');
		eq((await api(`/api/projects/${projectId}`)).status, 'planned');
		// archive, then reactivate (keyboard: Enter on the focused button)
		await row.getByRole('button', { name: L('wf.p.archive_label', { title }) }).click();
		await waitFor(async () => (await api(`/api/projects/${projectId}`)).status === 'archived', 2000, 'archived');
		await row.getByRole('button', { name: L('wf.p.unarchive_label', { title }) }).focus();
		await page.keyboard.press('Enter');
		await waitFor(async () => (await api(`/api/projects/${projectId}`)).status === 'active', 2000, 'active again');
		otherId = (await hub.post('/api/projects', { title: pass + ' autre projet' }, { cookie })).json.id;
		// the page: a dialog; Escape closes it and focus returns to its button
		const open = row.getByRole('button', { name: L('wf.p.open_label', { title }) });
		await open.click();
		await dlg().locator('h2', { hasText: title }).waitFor();
		const txt = await dlg().innerText();
		assert(txt.includes(L('wf.p.quebec')) && txt.includes(L('wf.p.sessions')) && txt.includes(L('wf.p.contribs')), txt);
		await clean('project page');
		await page.keyboard.press('Escape');
		await dlg().waitFor({ state: 'detached' });
		eq(await open.evaluate((el) => el === document.activeElement), true, 'focus back on the opener');
		await shot(page, tag('wf-projects'));
	});

	test(`[${pass}] sessions: start with grade, devices and notes; edit it open; ending asks first`, async () => {
		await page.reload();
		await page.locator('#session-form').waitFor({ state: 'visible' });
		await page.locator('#session-proj option', { hasText: pass === 'fr' ? 'Mémoire des quartiers' : 'Neighbourhood memories' }).waitFor({ state: 'attached' });
		await page.selectOption('#session-type', 'school');
		await page.fill('#session-count', '24');
		await page.selectOption('#session-proj', String(projectId));
		await page.fill('#session-grade', '3e secondaire');
		await page.locator('#session-devices-pick').getByLabel('Prusa MK4').check();
		await page.fill('#session-notes', 'Groupe de Charlesbourg');
		assert((await page.locator('#session-form').innerText()).includes(L('wf.s.devices_hint')), 'the form says what devices do');
		await clean('start form');
		await page.click('#session-form button[type=submit]');
		await page.locator('#session-current').waitFor({ state: 'visible' });
		let cur = (await hub.get('/api/sessions/current', { cookie })).json;
		eq([cur.group.type, cur.group.size, cur.group.grade, cur.device_ids, cur.notes, cur.project_ids],
			['school', 24, '3e secondaire', ['mlab/prusa-1'], 'Groupe de Charlesbourg', [projectId]]);
		await waitFor(async () => (await page.locator('#session-devices').innerText()) === 'Prusa MK4', 2000, 'devices shown');
		// edit it while open: head count and a second device
		await page.getByRole('button', { name: L('wf.s.edit_open') }).click();
		await dlg().waitFor();
		await dlg().getByLabel(L('session.size')).fill('26');
		await dlg().getByLabel('Bambu X1').check();
		await shot(page, tag('wf-session-edit'), { fullPage: false });
		await clean('session edit dialog');
		await dlg().getByRole('button', { name: L('wf.save') }).click();
		await dlg().waitFor({ state: 'detached' });
		cur = (await hub.get('/api/sessions/current', { cookie })).json;
		eq([cur.group.size, cur.device_ids, cur.group.grade], [26, ['mlab/bambu-1', 'mlab/prusa-1'], '3e secondaire']);
		// end: cancel first, then confirm
		await page.click('#session-end');
		await dlg().waitFor();
		assert((await dlg().innerText()).includes(L('wf.s.end_title')), await dlg().innerText());
		await dlg().getByRole('button', { name: L('wf.cancel') }).click();
		eq((await hub.get('/api/sessions/current', { cookie })).status, 200, 'cancelled: still open');
		await page.click('#session-end');
		await dlg().getByRole('button', { name: L('session.end') }).click();
		await page.locator('#session-form').waitFor({ state: 'visible' });
		eq((await hub.get('/api/sessions/current', { cookie })).status, 404);
		// a session with no devices says it takes every device's jobs
		await page.fill('#session-count', '2');
		await page.click('#session-form button[type=submit]');
		await waitFor(async () => (await page.locator('#session-devices').innerText()) === L('wf.s.all_devices'), 3000, 'all devices');
		await page.click('#session-end');
		await dlg().getByRole('button', { name: L('session.end') }).click();
		await page.locator('#session-form').waitFor({ state: 'visible' });
	});

	test(`[${pass}] sessions: edit one that ended, delete one opened by mistake, merge a double, with reasons`, async () => {
		const rec = (h, size) => hub.post('/api/sessions', { started_at: `2026-01-1${pass === 'fr' ? 2 : 3}T${h}:00:00-05:00`, ended_at: `2026-01-1${pass === 'fr' ? 2 : 3}T${h}:30:00-05:00`, group: { type: 'school', size } }, { cookie }).then((r) => r.json.id);
		const a = await rec(13, 20), b = await rec(14, 20), c = await rec(15, 1);
		await page.reload();
		const row = (id) => section('wf-sessions').locator(`tr[data-id="${id}"]`);
		await row(c).waitFor();
		// edit an ended session
		await row(a).getByRole('button', { name: L('wf.edit') }).click();
		await dlg().getByLabel(L('wf.s.notes')).fill('Corrigé après coup');
		await dlg().getByRole('button', { name: L('wf.save') }).click();
		await dlg().waitFor({ state: 'detached' });
		eq((await api(`/api/sessions/${a}`)).notes, 'Corrigé après coup');
		// delete c: a reason is required
		await row(c).getByRole('button', { name: L('wf.s.delete') }).click();
		await dlg().getByRole('button', { name: L('wf.s.delete') }).click();
		await dlg().getByText(L('wf.s.need_reason')).waitFor();
		await dlg().getByLabel(L('wf.s.reason')).fill('Bouton pressé par erreur');
		await shot(page, tag('wf-session-delete'), { fullPage: false });
		await clean('delete dialog');
		await dlg().getByRole('button', { name: L('wf.s.delete') }).click();
		await dlg().waitFor({ state: 'detached' });
		await row(c).waitFor({ state: 'detached' });
		// merge b into a
		await row(b).getByRole('button', { name: L('wf.s.merge') }).click();
		await dlg().getByLabel(L('wf.s.merge_into')).selectOption(String(a));
		await dlg().getByLabel(L('wf.s.reason')).fill('Groupe ouvert deux fois');
		await clean('merge dialog');
		await dlg().getByRole('button', { name: L('wf.s.merge') }).click();
		await dlg().waitFor({ state: 'detached' });
		await row(b).waitFor({ state: 'detached' });
		const removed = (await api('/api/sessions?removed=1')).sessions;
		eq(removed.find((s) => s.id === c).removed.reason, 'Bouton pressé par erreur');
		eq(removed.find((s) => s.id === b).removed.merged_into, a);
		eq(sql(`SELECT action || ':' || detail FROM audit WHERE object IN ('session/${b}','session/${c}') AND action IN ('session.delete','session.merge') ORDER BY id`),
			`session.delete:Bouton pressé par erreur\nsession.merge:into session/${a}: Groupe ouvert deux fois`);
		await shot(page, tag('wf-sessions'));
	});

	test(`[${pass}] contributions: confirm with a licence (remembered), reject with a reason, the list, undo, add by hand`, async () => {
		const mk = (title) => hub.post('/api/contributions', { kind: 'scan', title, project_id: projectId }, { cookie }).then((r) => r.json.id);
		const c1 = await mk(pass + ' buste'), c2 = await mk(pass + ' vase');
		await page.reload();
		const card = (t) => page.locator('#pending-list > li', { hasText: t });
		await card(pass + ' buste').waitFor();
		await card(pass + ' buste').getByRole('button', { name: L('pending.confirm_label', { title: pass + ' buste' }) }).click();
		await dlg().waitFor();
		eq(await dlg().getByLabel(L('wf.c.licence')).inputValue(), 'CC-BY-4.0', 'the default before any choice');
		await dlg().getByLabel(L('wf.c.licence')).selectOption('CC-BY-NC-SA-4.0');
		await dlg().getByLabel(L('wf.c.project')).selectOption(String(otherId));
		await shot(page, tag('wf-confirm'), { fullPage: false });
		await clean('confirm dialog');
		await dlg().getByRole('button', { name: L('pending.confirm') }).click();
		await dlg().waitFor({ state: 'detached' });
		let c = await api(`/api/contributions/${c1}`);
		eq([c.status, c.licence, c.project_id], ['confirmed', 'CC-BY-NC-SA-4.0', otherId]);
		eq((await api(`/api/projects/${otherId}`)).licence, 'CC-BY-NC-SA-4.0');
		// reject with a reason
		await card(pass + ' vase').getByRole('button', { name: L('pending.reject_label', { title: pass + ' vase' }) }).click();
		await dlg().getByLabel(L('wf.c.reason')).fill('Hors sujet');
		await dlg().getByRole('button', { name: L('pending.reject') }).click();
		await dlg().waitFor({ state: 'detached' });
		eq([(await api(`/api/contributions/${c2}`)).status, (await api(`/api/contributions/${c2}`)).reason], ['rejected', 'Hors sujet']);
		// the decided list, filtered by project, then undo
		const list = section('wf-contribs');
		await waitFor(async () => (await list.innerText()).includes(pass + ' vase'), 3000, 'decided list');
		await list.getByLabel(L('wf.c.project')).selectOption(String(otherId));
		await list.getByRole('button', { name: L('wf.filter') }).click();
		await waitFor(async () => !(await list.innerText()).includes(pass + ' vase'), 3000, 'filtered');
		assert((await list.innerText()).includes(pass + ' buste'), await list.innerText());
		await list.getByLabel(L('wf.c.project')).selectOption('');
		const today = new Date().toLocaleDateString('en-CA', { timeZone: 'America/Toronto' });
		await list.getByLabel(L('wf.c.from')).fill(today);
		await list.getByRole('button', { name: L('wf.filter') }).click();
		await list.locator('tr', { hasText: pass + ' vase' }).waitFor();
		assert((await list.innerText()).includes('Hors sujet'), 'the reason is shown');
		await clean('contributions list');
		await list.locator('tr', { hasText: pass + ' vase' }).getByRole('button', { name: L('wf.c.undo') }).click();
		await waitFor(async () => (await api(`/api/contributions/${c2}`)).status === 'pending', 3000, 'undone');
		await card(pass + ' vase').waitFor();
		// added by hand: a photo described in words
		await list.getByRole('button', { name: L('wf.c.add_title') }).click();
		await dlg().getByLabel(L('wf.c.kind')).selectOption('photo');
		await dlg().getByLabel(L('wf.c.title')).fill(pass + ' maquette');
		await dlg().getByLabel(L('wf.c.body')).fill('Une maquette en carton du quartier Saint-Roch');
		await dlg().getByLabel(L('wf.c.project')).selectOption(String(projectId));
		await clean('add dialog');
		await dlg().getByRole('button', { name: L('wf.c.add') }).click();
		await dlg().waitFor({ state: 'detached' });
		c = (await api('/api/contributions?status=confirmed')).contributions.find((x) => x.title === pass + ' maquette');
		eq([c.kind, c.body, c.project_id, c.licence], ['photo', 'Une maquette en carton du quartier Saint-Roch', projectId, 'CC-BY-4.0']);
		await shot(page, tag('wf-contribs'));
	});

	test(`[${pass}] privacy request: find a check-in by name, export it, erase it after a confirmation`, async () => {
		const s = (await hub.post('/api/sessions', {}, { cookie })).json.id;
		const name = pass === 'fr' ? 'Ana Tremblay' : 'Bea Gagnon';
		const id = (await hub.post('/api/participants', { age_band: '25-34', party_size: 2, consent: { contact: true }, display_name: name, email: pass + '@example.org' }, { cookie })).json.id;
		await page.reload();
		const box = section('wf-privacy');
		await box.getByRole('button', { name: L('wf.v.search') }).click();
		await box.getByText(L('wf.v.need_criterion')).waitFor();
		// by session, then by the day of the check-in (today), each alone
		await box.getByLabel(L('wf.v.session')).selectOption(String(s));
		await box.getByRole('button', { name: L('wf.v.search') }).click();
		await box.locator(`tr[data-id="${id}"]`).waitFor();
		await box.getByLabel(L('wf.v.session')).selectOption('');
		await box.getByLabel(L('wf.v.day')).fill(new Date().toLocaleDateString('en-CA', { timeZone: 'America/Toronto' }));
		await box.getByRole('button', { name: L('wf.v.search') }).click();
		await box.locator(`tr[data-id="${id}"]`).waitFor();
		await box.getByLabel(L('wf.v.day')).fill('2020-01-01');
		await box.getByRole('button', { name: L('wf.v.search') }).click();
		await box.locator(`tr[data-id="${id}"]`).waitFor({ state: 'detached' });
		await box.getByLabel(L('wf.v.day')).fill('');
		await box.getByLabel(L('wf.v.q')).fill(name.split(' ')[1].slice(0, 5).toLowerCase());
		await box.getByRole('button', { name: L('wf.v.search') }).click();
		const row = box.locator(`tr[data-id="${id}"]`);
		await row.waitFor();
		eq(await box.locator('tbody tr').count(), 1);
		await clean('privacy search');
		// export: the API's JSON, downloaded
		const [dl] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: L('wf.v.export') }).click()]);
		const got = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
		eq([got.participant.id, got.participant.display_name, got.participant.email], [id, name, pass + '@example.org']);
		// erase: the confirmation says what goes and what stays
		await row.getByRole('button', { name: L('wf.v.erase') }).click();
		await dlg().waitFor();
		const txt = await dlg().innerText();
		assert(txt.includes(L('wf.v.erase_goes')) && txt.includes(name) && txt.includes(L('wf.v.erase_stays')) &&
			txt.includes(L('wf.v.stays_row', { n: 2, band: L('age.25-34') })), txt);
		await shot(page, tag('wf-erase'), { fullPage: false });
		await clean('erase dialog');
		await dlg().getByRole('button', { name: L('wf.v.erase') }).click();
		await dlg().waitFor({ state: 'detached' });
		await box.getByText(L('wf.v.erased', { who: name })).waitFor();
		eq(sql(`SELECT display_name IS NULL, email IS NULL, party_size, age_band, session_id FROM participants WHERE id=${id}`), `1|1|2|25-34|${s}`);
		eq(sql(`SELECT group_concat(action) FROM (SELECT action FROM audit WHERE object='participant/${id}' ORDER BY id)`),
			'participant.checkin,participant.export,participant.erase');
		assert(Number(sql("SELECT count(*) FROM audit WHERE action='participant.search'")) >= 1, 'the search is audited');
		await hub.post(`/api/sessions/${s}/end`, {}, { cookie });
		await shot(page, tag('wf-privacy'));
	});

	test(`[${pass}] a family of 4 with one 10-year-old checks in at the kiosk: one young person`, async () => {
		const s = (await hub.post('/api/sessions', { group: { type: 'family', size: 0 } }, { cookie })).json.id;
		if (!kiosk) kiosk = await kioskPage(hub, { width: 1024, height: 768 });
		await kiosk.locator('#k-home').waitFor({ state: 'visible' });
		if (pass === 'en') await kiosk.click('#lang');
		await kiosk.click('[data-go=k-checkin]');
		await kiosk.click('label[for=k-age-6]');		// 35-44
		assert(await kiosk.locator('#k-family').isHidden(), 'one person: no family question');
		for (let i = 0; i < 3; i++) await kiosk.click('#k-size-plus');
		await kiosk.locator('#k-family').waitFor({ state: 'visible' });
		await kiosk.getByRole('button', { name: L('kiosk.family.more', { band: L('age.10-13') }) }).click();
		await kiosk.getByText(L('kiosk.family.adults', { n: 2 })).waitFor();
		await shot(kiosk, tag('wf-kiosk-family'));
		const v = await axe(kiosk);
		assert(!v.length, 'axe (kiosk): ' + v.join('\n'));
		const p = await i18nProblems(kiosk, lang);
		assert(!p.length, p.join('\n'));
		await kiosk.click('#k-checkin-form button[type=submit]');
		await kiosk.locator('#k-thanks').waitFor({ state: 'visible' });
		const row = (await api(`/api/participants?session_id=${s}`)).participants[0];
		eq([row.party_size, row.members], [4, [{ age_band: '35-44', n: 1 }, { age_band: '10-13', n: 1 }, { age_band: '18+', n: 2 }]]);
		await hub.post(`/api/sessions/${s}/end`, {}, { cookie });
		assert(!kiosk.errors.length, kiosk.errors.join('\n'));
	});
}

runSteps(async () => stopAll(hub, broker));
