// staff_more.mjs — issue 15's leftovers on the staff screens, by clicking
// in a real Chromium against a real hub and mosquitto, in French and in
// English: a device's public name set in its settings and shown on the
// wall; the report's explain trails in people's words (the /report/ page
// and the HTML the hub renders), with no horizontal overflow at 1366 and
// 1024 px; the dashboard and the report using the same words for the same
// figure; the way from the dashboard to each staff page and back; a
// facilitator at /admin/ and the kiosk account at the staff pages told
// kindly whom the page is for.  axe-core and the catalogue check on each
// screen; screenshots under tests/out/screenshots/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, pub, assert, eq, waitFor } from '../lib/harness.mjs';
import { newPage, addUser, loginCookie, shot, axe, i18nProblems, FR, EN, SHOTS, step as test, runSteps, stopAll } from './lib/web.mjs';
import { INDICATORS } from '../../web/js/indicators.js';

const PASS = { chef: 'chef-secret-2026', anim: 'anim-secret-2026', borne: 'borne-secret-2026' };
const PRINTER = 'mlab/prusa-1', PLUG = 'tasmota/prise-prusa';
const DATA = ['Prusa MK4', 'Prusa MK4 (prise)', 'Prise de la Prusa', 'Imprimante 3D', 'benchy.gcode', 'chef', 'anim', 'borne'];
let broker, hub, dir, db, cookie, page;
const fy = (() => { const d = new Date(); return d.getMonth() >= 3 ? d.getFullYear() : d.getFullYear() - 1; })();
const text = async (sel, p = page) => (await p.locator(sel).innerText()).replace(/\s+/g, ' ');

async function clean(p, what, lang, data = []) {
	const v = await axe(p);
	assert(!v.length, `${what} (${lang}): axe: ` + v.join('\n'));
	const pr = await i18nProblems(p, lang, [...DATA, ...data]);
	assert(!pr.length, `${what} (${lang}): ` + pr.join('\n'));
	assert(!p.errors.length, p.errors.join('\n'));
}

// Nothing wider than the window, and no table wider than its box.
async function fits(p, what) {
	const r = await p.evaluate(() => ({
		page: document.documentElement.scrollWidth - window.innerWidth,
		tables: [...document.querySelectorAll('table')].filter((t) => t.offsetParent)
			.map((t) => t.scrollWidth - t.parentElement.clientWidth).filter((d) => d > 1),
	}));
	assert(r.page <= 1, `${what}: the page is ${r.page}px too wide`);
	assert(!r.tables.length, `${what}: a table is wider than its box by ${r.tables.join(', ')}px`);
}

async function login(p, user) {
	await p.goto('/');
	await p.fill('#login-user', user);
	await p.fill('#login-pass', PASS[user]);
	await p.click('#login-form button[type=submit]');
	await p.locator('#app').waitFor({ state: 'visible' });
}

// Show page p in language l: the choice the pages remember, then a reload
// (the switch itself is clicked in staff.mjs and workflows.mjs).
async function lang(p, l) {
	await p.evaluate((x) => localStorage.setItem('mlab.lang', x), l);
	await p.reload();
	await waitFor(async () => (await p.getAttribute('html', 'lang')) === (l === 'en' ? 'en-CA' : 'fr-CA'), 3000, l);
}

test('setup: a printer and its plug, a school group that prints, rates and checks in', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webstaff2-'));
	db = path.join(dir, 'hub.db');
	addUser(db, 'chef', 'admin', PASS.chef);
	addUser(db, 'anim', 'facilitator', PASS.anim);
	addUser(db, 'borne', 'kiosk', PASS.borne);
	hub = await startHub({ broker, db });
	cookie = await loginCookie(hub, 'anim', PASS.anim);
	pub(broker, 'mlab/v1/prusa-1/meta', { name: 'Prusa MK4', kind: 'printer', room: 'Salle A' }, { retain: true });
	pub(broker, 'tele/prise-prusa/STATE', { POWER: 'ON' });
	pub(broker, 'tele/prise-prusa/SENSOR', { ENERGY: { Power: 2, Total: 1 } });
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.length >= 2, 3000, 'two devices');
	const r = await hub.patch('/api/devices/' + encodeURIComponent(PLUG), { name: 'Prise de la Prusa', machine: 'Prusa MK4 (prise)', feeds: PRINTER }, { cookie });
	eq(r.status, 200, r.text);
	const s = await hub.post('/api/sessions', { device_ids: [PRINTER], group: { type: 'school', size: 24, grade: 'sec 2' } }, { cookie });
	eq(s.status, 201, s.text);
	eq((await hub.post('/api/participants', { age_band: '10-13', party_size: 3 }, { cookie })).status, 201);
	eq((await hub.post('/api/ratings', { value: 3, scale: 3 }, { cookie })).status, 201);
	pub(broker, 'tele/prise-prusa/SENSOR', { ENERGY: { Power: 90, Total: 1.1 } });
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 1, type: 'job.started', file: 'benchy.gcode' });
	await waitFor(async () => (await hub.device(PRINTER)).job?.state === 'printing', 3000, 'printing');
});

test('a public name for the wall, set in the device settings by clicking, shown on the wall', async () => {
	page = await newPage(hub, { width: 1366, height: 900 });
	page.setDefaultTimeout(5000);
	await login(page, 'anim');
	const tile = page.locator(`article[data-id="${PRINTER}"]`);
	await tile.getByRole('button', { name: /Réglages de Prusa MK4/ }).click();
	const dlg = page.locator('dialog.dlg');
	await dlg.waitFor();
	await dlg.getByLabel('Nom public (mur)').fill('Imprimante 3D');
	await clean(page, 'settings dialog with the public name', 'fr');
	await shot(page, 'staff2-public-name-fr', { fullPage: false });
	await dlg.getByRole('button', { name: 'Enregistrer' }).click();
	await dlg.waitFor({ state: 'detached' });
	eq((await hub.device(PRINTER)).public_name, 'Imprimante 3D');
	const wall = await newPage(hub, { width: 1920, height: 1080 });
	await wall.goto('/wall/?lang=fr');
	await waitFor(async () => (await text('#w-busy', wall)).includes('Imprimante 3D'), 5000, 'the wall shows the public name');
	assert(!(await text('#w-busy', wall)).includes('Prusa MK4'), 'not the staff name');
	await shot(wall, 'staff2-wall-public-name');
	await wall.context().close();
	// the print ends: a pending contribution, confirmed with a licence; the plug falls idle
	pub(broker, 'mlab/v1/prusa-1/event', { seq: 2, type: 'job.finished', file: 'benchy.gcode' });
	pub(broker, 'tele/prise-prusa/SENSOR', { ENERGY: { Power: 1, Total: 1.2 } });
	const c = await waitFor(async () => (await hub.get('/api/contributions?status=pending', { cookie })).json.contributions?.[0], 5000, 'pending');
	const ok = await hub.patch('/api/contributions/' + c.id, { status: 'confirmed', licence: 'CC-BY-4.0' }, { cookie });
	eq(ok.status, 200, ok.text);
	await waitFor(async () => !(await hub.get('/api/machines')).json.machines[0].busy, 5000, 'the machine idle');
	const cur = (await hub.get('/api/sessions/current', { cookie })).json;
	eq((await hub.post(`/api/sessions/${cur.id ?? cur.session?.id}/end`, {}, { cookie })).status, 200);
});

// The trails a figure's "Show the trail" opens, and what must (not) be in them.
const TRAILS = [
	['sessions', { fr: ['Type de groupe', 'Groupe scolaire', 'Compté', 'oui'], en: ['Group type', 'School group', 'Counted', 'yes'] }, ['school', 'group_type', 'T0', 'T1', 'T2']],
	['contributions_confirmed', { fr: ['Licence', 'CC BY 4.0', 'Impression', 'Prusa MK4', 'confirmée'], en: ['Licence', 'CC BY 4.0', 'Print', 'Prusa MK4', 'confirmed'] }, ['CC-BY-4.0', 'mlab/prusa-1', 'decided_at']],
	['machine_busy_hours', { fr: ['Machine', 'Prusa MK4 (prise)', 'Prise de la Prusa'], en: ['Machine', 'Prusa MK4 (prise)', 'Prise de la Prusa'] }, ['tasmota/prise-prusa', 'counted_from']],
	['participants', { fr: ['Tranches d\'âge', '10 à 13 ans : 3'], en: ['Age bands', '10 to 13: 3'] }, ['10-13:3', 'known_band']],
];
const TIME = { fr: new RegExp(`\\d{1,2} [a-zéû]+\\.? ${new Date().getFullYear()}`), en: new RegExp(`[A-Z][a-z]+\\.? \\d{1,2}, ${new Date().getFullYear()}`) };

for (const l of ['fr', 'en']) {
	test(`the /report/ page's trails in ${l}: columns and codes in words, local times, names; no overflow at 1366 and 1024 px`, async () => {
		await page.setViewportSize({ width: 1366, height: 768 });
		await page.goto('/report/');
		await lang(page, l);
		await page.locator('#rep-body tr').first().waitFor();
		for (const [name, want, never] of TRAILS) {
			const label = (l === 'en' ? EN : FR)['ind.' + name];
			await page.getByRole('button', { name: new RegExp(': ' + label.replace(/[()]/g, '\\$&') + '$') }).click();
			await waitFor(async () => (await text('#trail-h')).endsWith(label), 3000, 'the trail of ' + name);
			await page.locator('#trail-body tr').first().waitFor();
			const all = (await text('#trail-head')) + ' | ' + (await text('#trail-body'));
			for (const w of want[l]) assert(all.includes(w), `${name} (${l}): no "${w}" in ${all}`);
			for (const n of never) assert(!all.includes(n), `${name} (${l}): "${n}" shown in ${all}`);
			if (name === 'sessions') assert(TIME[l].test(all), `${name} (${l}): times with their day and year: ${all}`);
			for (const w of [1366, 1024]) {
				await page.setViewportSize({ width: w, height: 768 });
				await fits(page, `/report/ ${name} trail at ${w}px`);
			}
			await page.setViewportSize({ width: 1366, height: 768 });
		}
		await clean(page, 'report page with a trail', l);
		await page.setViewportSize({ width: 1024, height: 768 });
		await shot(page, `staff2-report-trail-1024-${l}`);
		await page.locator('#trail').screenshot({ path: path.join(SHOTS, `staff2-report-trail-only-1024-${l}.png`) });
		await page.setViewportSize({ width: 1366, height: 768 });
	});

	test(`the HTML report the hub renders in ${l}: each figure links to its trail, in words, no overflow`, async () => {
		await page.goto(`/api/indicators?fy=${fy}&format=html&lang=${l}`);
		// the figures' codes beside their words (<code>scans</code>) are data
		await clean(page, 'HTML report', l, await page.locator('code').allInnerTexts());
		// its own headings are the pages' catalogue's words, not the C's
		const W = (k) => (l === 'en' ? EN : FR)[k].replace('{from}', fy).replace('{to}', fy + 1);
		eq(await page.locator('h2').allInnerTexts(), [W('rep.doc.indicators'), W('rep.doc.charts'), W('rep.doc.details')]);
		eq(await page.locator('thead th').allInnerTexts(), [W('ind.name'), W('ind.value'), W('ind.target'), W('rep.gap')]);
		assert((await text('h1')).endsWith(' — ' + W('rep.doc.heading')), await text('h1'));
		assert((await page.title()).endsWith(' — ' + W('rep.doc.title')), await page.title());
		eq(await text('footer'), W('rep.doc.foot').replace(/\s+/g, ' '));
		for (const [name, want, never] of TRAILS) {
			await page.goto(`/api/indicators?fy=${fy}&format=html&lang=${l}`);
			const label = (l === 'en' ? EN : FR)['ind.' + name];
			await page.getByRole('link', { name: label, exact: true }).click();
			await page.locator('table.trail tbody tr').first().waitFor();
			assert(new URL(page.url()).searchParams.get('explain') === name, page.url());
			const all = (await text('table.trail thead')) + ' | ' + (await text('table.trail tbody'));
			for (const w of want[l]) assert(all.includes(w), `HTML ${name} (${l}): no "${w}" in ${all}`);
			const first = await page.locator('section > p').first().innerText();
			assert(first.startsWith(W('rep.doc.value') + ' '), first);
			assert((await page.locator('section').first().innerText()).includes(W('rep.doc.rows')), 'the rows counted, in words');
			for (const n of never) assert(!all.includes(n), `HTML ${name} (${l}): "${n}" shown in ${all}`);
			if (name === 'sessions') assert(TIME[l].test(all), `HTML ${name} (${l}): local times: ${all}`);
			for (const w of [1366, 1024]) {
				await page.setViewportSize({ width: w, height: 768 });
				await fits(page, `HTML ${name} trail at ${w}px`);
			}
			await clean(page, 'HTML trail ' + name, l, await page.locator('code').allInnerTexts());
			if (name === 'sessions') await shot(page, `staff2-html-trail-1024-${l}`);
			await page.setViewportSize({ width: 1366, height: 768 });
		}
		await page.getByRole('link', { name: W('rep.doc.back') }).click();
		await page.getByRole('link', { name: W('rep.doc.pick') }).click();
		await page.waitForURL('**/report/');
	});

	test(`the dashboard, the report page and the HTML report name each figure with the same words (${l})`, async () => {
		await page.goto('/');
		await lang(page, l);
		await page.locator('#ind-body tr').first().waitFor();
		const dash = await page.locator('#ind-body th').allInnerTexts();
		eq(dash.length, INDICATORS.length);
		await page.getByRole('link', { name: (l === 'en' ? EN : FR)['ind.to_report'] }).click();
		await page.locator('#rep-body tr').first().waitFor();
		const rep = await page.locator('#rep-body th').allInnerTexts();
		await page.goto(`/api/indicators?fy=${fy}&format=html&lang=${l}`);
		const html = await page.locator('section').first().locator('tbody td:first-child a').allInnerTexts();
		for (const label of dash) {
			assert(rep.includes(label), `the report page has no "${label}": ${rep.join(' / ')}`);
			assert(html.includes(label), `the HTML report has no "${label}": ${html.join(' / ')}`);
		}
	});
}

test('the dashboard leads to each staff page the account may open, and each page leads back', async () => {
	await page.goto('/');
	await lang(page, 'fr');
	const nav = page.locator('#staff-nav');
	await nav.waitFor();
	const links = await nav.getByRole('link').allInnerTexts();
	eq(links.join(' | '), 'Tableau de bord | Historique des travaux | Rapport annuel', 'a facilitator: no accounts page');
	await nav.getByRole('link', { name: 'Historique des travaux' }).click();
	await page.locator('#jobs-body tr').first().waitFor();
	await page.locator('#staff-nav').getByRole('link', { name: 'Tableau de bord' }).click();
	await page.locator('#app').waitFor({ state: 'visible' });
	const admin = await newPage(hub);
	await login(admin, 'chef');
	const all = await admin.locator('#staff-nav').getByRole('link').allInnerTexts();
	eq(all.join(' | '), 'Tableau de bord | Historique des travaux | Rapport annuel | Comptes et journal');
	await clean(admin, 'dashboard with the staff links', 'fr');
	await shot(admin, 'staff2-dashboard-links-fr', { fullPage: false });
	await admin.locator('#staff-nav').getByRole('link', { name: 'Comptes et journal' }).click();
	await admin.locator('#users-body tr').first().waitFor();
	await admin.locator('#staff-nav').getByRole('link', { name: 'Tableau de bord' }).click();
	await admin.locator('#app').waitFor({ state: 'visible' });
	await lang(admin, 'en');
	eq((await admin.locator('#staff-nav').getByRole('link').allInnerTexts()).join(' | '), 'Dashboard | Job history | Annual report | Accounts and audit log');
	await admin.context().close();
});

for (const l of ['fr', 'en']) {
	test(`a facilitator at /admin/ is told kindly it is for admins; the kiosk account sees no staff page (${l})`, async () => {
		const refused = [];
		page.on('response', (r) => { if (r.status() === 403) refused.push(r.url()); });
		await page.goto('/admin/');
		await lang(page, l);
		const C = l === 'en' ? EN : FR;
		await page.locator('#denied').waitFor({ state: 'visible' });
		eq(await text('#denied-h'), C['staff.admins_only_h']);
		eq(await text('#denied-text'), C['staff.admins_only']);
		assert(await page.locator('#app').isHidden(), 'nothing of the admin page');
		eq(await page.locator('#denied a').innerText(), C['staff.back']);
		assert(!(await page.locator('#staff-nav').innerText()).includes(C['adm.heading']), 'no link to a page it cannot open');
		eq(refused.length, 0, 'no refused request behind the page: ' + refused.join(', '));
		await clean(page, 'admin page for a facilitator', l);
		await shot(page, `staff2-admin-denied-${l}`);
		const kiosk = await newPage(hub);
		await kiosk.context().addCookies([{ name: (await loginCookie(hub, 'borne', PASS.borne)).split('=')[0], value: (await loginCookie(hub, 'borne', PASS.borne)).split('=').slice(1).join('='), url: hub.url }]);
		for (const p of ['/jobs/', '/report/', '/admin/']) {
			await kiosk.goto(p);
			await lang(kiosk, l);
			await kiosk.locator('#denied').waitFor({ state: 'visible' });
			eq(await text('#denied-h', kiosk), C[p === '/admin/' ? 'staff.admins_only_h' : 'staff.staff_only_h'], p);
			assert(await kiosk.locator('#app').isHidden(), p + ': nothing of the page');
			eq((await kiosk.locator('#staff-nav').getByRole('link').allInnerTexts()).join('|'), C['staff.to_dashboard'], p + ': only the way back');
			assert(!(await kiosk.locator('body').innerText()).includes('403'), 'no raw 403');
			await clean(kiosk, 'staff page for the kiosk ' + p, l);
		}
		await shot(kiosk, `staff2-kiosk-denied-${l}`);
		await kiosk.context().close();
	});
}

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
