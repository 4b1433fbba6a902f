// wall.mjs — the big screen in a real Chromium, no login: printers at
// work live, scans done today, projects with their contribution counts,
// no personal data (not even in the public /ws snapshot), no staff name
// of a device in the public views (/ws, /api/devices), English,
// axe-core, a wall-sized screenshot.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, pub, assert, eq, waitFor, wsClient } from '../lib/harness.mjs';
import { newPage, addUser, loginCookie, shot, axe, i18nProblems, step as test, runSteps, stopAll } from './lib/web.mjs';

const NAME = 'Gaston Lagaffe-Mural', EMAIL = 'gaston.mural@example.org';
let broker, hub, page, staff, kiosk, dir;

test('setup: a hub, a project with a confirmed contribution, a participant with consent', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webwall-'));
	const db = path.join(dir, 'hub.db');
	addUser(db, 'anim', 'facilitator', 'anim-secret-2026');
	addUser(db, 'borne', 'kiosk', 'kiosk-secret-2026');
	hub = await startHub({ broker, db });
	staff = await loginCookie(hub, 'anim', 'anim-secret-2026');
	kiosk = await loginCookie(hub, 'borne', 'kiosk-secret-2026');
	const p = (await hub.post('/api/projects', { title: 'Objets de nos grands-parents', themes: ['quebec-culture'], status: 'active' }, { cookie: staff })).json;
	await hub.post('/api/sessions', { project_ids: [p.id], device_ids: [], group: { type: 'walk-in', size: 3 } }, { cookie: staff });
	const who = await hub.post('/api/participants', { age_band: '35-44', consent: { contact: true, photo: false, publish_name: true }, display_name: NAME, email: EMAIL }, { cookie: kiosk });
	assert(who.status < 300, who.text);
	const c = await hub.post('/api/contributions', { project_id: p.id, kind: 'idea', title: 'Une idée de ' + NAME, status: 'confirmed', participant_id: who.json.id }, { cookie: staff });
	assert(c.status < 300, c.text);
	pub(broker, 'mlab/v1/prusa-2/meta', { name: 'Prusa XL', kind: 'printer', room: 'Atelier' }, { retain: true });
	pub(broker, 'mlab/v1/scan-1/meta', { name: 'Numériseur Artec', kind: 'scanner', room: 'Atelier' }, { retain: true });
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.length >= 2, 3000, 'devices');
	// the printer has a public name; the scanner has none (the wall calls it by its kind)
	const r = await hub.patch('/api/devices/' + encodeURIComponent('mlab/prusa-2'), { public_name: 'Prusa XL' }, { cookie: staff });
	assert(r.status < 300, r.text);
});

test('the wall opens without login and shows the projects with their counts', async () => {
	page = await newPage(hub, { width: 1920, height: 1080 });
	page.setDefaultTimeout(5000);
	await page.goto('/wall/?lang=fr');
	const proj = page.locator('#w-projects > li', { hasText: 'Objets de nos grands-parents' });
	await proj.waitFor();
	eq(await proj.locator('.proj-num').innerText(), '1');
	eq(await page.locator('#w-busy-none').isVisible(), true);
});

test('a print at work appears live, with its progress, without its file name', async () => {
	pub(broker, 'mlab/v1/prusa-2/event', { seq: 1, type: 'job.started', file: 'portrait-de-gaston.gcode' });
	pub(broker, 'mlab/v1/prusa-2/event', { seq: 2, type: 'job.progress', progress_pct: 64, remaining_s: 900 });
	const busy = page.locator('#w-busy > li', { hasText: 'Prusa XL' });
	await busy.waitFor({ timeout: 2000 });
	await waitFor(async () => (await busy.innerText()).replace(/[\u00a0\u202f]/g, ' ').includes('64 %'), 2000, 'progress');
	assert(!(await page.content()).includes('portrait-de-gaston'), 'file names are not shown on the wall');
	eq(await page.locator('#w-printing').innerText(), '1');
});

test('a scan finished today increments the scans count', async () => {
	const before = await page.locator('#w-scans').innerText();
	eq(before, '0');
	pub(broker, 'mlab/v1/scan-1/event', { seq: 1, type: 'scan.started', file: 'vase.ply' });
	pub(broker, 'mlab/v1/scan-1/event', { seq: 2, type: 'scan.finished', file: 'vase.ply' });
	await waitFor(async () => (await page.locator('#w-scans').innerText()) === '1', 3000, 'scans today = 1');
	await shot(page, 'wall-fr');
});

test('no personal data on the wall, nor in the public /ws snapshot', async () => {
	const html = await page.content();
	for (const s of [NAME, EMAIL, 'Gaston', 'Lagaffe'])
		assert(!html.includes(s), 'the wall shows ' + s);
	const ws = await wsClient(hub);
	const snap = await ws.waitFor((m) => m.type === 'snapshot');
	const json = JSON.stringify(snap);
	eq(snap.role, 'public');
	assert(!json.includes(EMAIL) && !json.includes('Lagaffe'), 'public snapshot carries personal data');
	ws.close();
});

test('the public views carry no staff name for a device: /ws (snapshot and updates) and /api/devices; the staff keep it', async () => {
	// the scanner has no public name: its staff name ("Numériseur Artec")
	// stays with the staff; the wall says "Numériseur 3D 1"
	const SCAN = 'mlab/scan-1', STAFF_NAME = 'Numériseur Artec';
	const ws = await wsClient(hub), kws = await wsClient(hub, { cookie: kiosk });
	const snap = await ws.waitFor((m) => m.type === 'snapshot');
	await kws.waitFor((m) => m.type === 'snapshot');
	const sd = snap.devices.find((d) => d.id === SCAN);
	eq([sd.name, sd.public_name, sd.kind], [undefined, undefined, 'scanner'], 'the public snapshot: no name, the kind');
	eq(snap.devices.find((d) => d.id === 'mlab/prusa-2').public_name, 'Prusa XL', 'the public name stays');
	pub(broker, 'mlab/v1/scan-1/telemetry', { temperature_c: 22 });
	await ws.waitFor((m) => m.type === 'device' && m.device.id === SCAN && m.device.metrics.temperature_c === 22, 3000, 'a public device update');
	await kws.waitFor((m) => m.type === 'device' && m.device.id === SCAN && m.device.metrics.temperature_c === 22, 3000, 'a kiosk device update');
	// an alert names the device too: the public gets its kind, not the name
	pub(broker, 'mlab/v1/scan-1/status', 'offline');
	await ws.waitFor((m) => m.type === 'alert' && m.device === SCAN && m.active, 3000, 'a public alert');
	await kws.waitFor((m) => m.type === 'alert' && m.device === SCAN && m.active, 3000, 'a kiosk alert');
	const anon = [['public /ws', JSON.stringify(ws.messages)],
		['kiosk /ws', JSON.stringify(kws.messages)],
		['GET /api/alerts', (await hub.get('/api/alerts')).text],
		['GET /api/devices', (await hub.get('/api/devices')).text],
		['GET /api/devices/{id}', (await hub.get('/api/devices/' + encodeURIComponent(SCAN))).text],
		['GET /api/devices (kiosk)', (await hub.get('/api/devices', { cookie: kiosk })).text]];
	for (const [what, text] of anon) assert(!text.includes(STAFF_NAME), `${what} carries the staff name: ${text.slice(0, 200)}`);
	ws.close();
	kws.close();
	eq((await hub.get('/api/devices/' + encodeURIComponent(SCAN), { cookie: staff })).json.name, STAFF_NAME, 'staff see the name');
	assert((await hub.get('/api/alerts', { cookie: staff })).text.includes(STAFF_NAME), 'staff see the alert\'s name');
	pub(broker, 'mlab/v1/scan-1/status', 'online');
	const sws = await wsClient(hub, { cookie: staff });
	const ssnap = await sws.waitFor((m) => m.type === 'snapshot');
	eq(ssnap.devices.find((d) => d.id === SCAN).name, STAFF_NAME, 'the staff snapshot keeps the name');
	sws.close();
	// the wall still names machines by kind and number: 'long lists turn pages' below
});

test('axe-core finds no serious violation on the wall', async () => {
	const v = await axe(page);
	assert(!v.length, 'axe: ' + v.join('\n'));
});

test('the wall in English: every string translated', async () => {
	await page.goto('/wall/?lang=en');
	await page.locator('#w-projects > li').first().waitFor();
	await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en-CA', 2000, 'English');
	const p = await i18nProblems(page, 'en', ['Objets de nos grands-parents', 'Prusa XL', 'Numériseur Artec']);
	assert(!p.length, p.join('\n'));
	await shot(page, 'wall-en');
	await page.goto('/wall/?lang=fr');
	await page.locator('#w-projects > li').first().waitFor();
	eq(await page.getAttribute('html', 'lang'), 'fr-CA');
});

for (const lang of ['fr', 'en']) {
	test(`${lang}: at 1920×1080 the wall fits one screen, no scrollbar, nothing hidden, no control`, async () => {
		await page.setViewportSize({ width: 1920, height: 1080 });
		// enough to overflow: 8 machines at work and 9 projects
		for (let i = 1; i <= 8; i++) {
			pub(broker, `mlab/v1/imp-${i}/meta`, { name: `Imprimante ${i}`, kind: 'printer', room: 'Atelier' }, { retain: true });
			pub(broker, `mlab/v1/imp-${i}/event`, { seq: 1, type: 'job.started', file: 'x.gcode' });
		}
		for (let i = 1; i <= 9; i++)
			await hub.post('/api/projects', { title: `Projet public ${i}`, themes: [], status: 'active' }, { cookie: staff });
		await page.goto('/wall/?lang=' + lang);
		await waitFor(async () => (await page.locator('#w-busy > li').count()) >= 8, 4000, 'eight machines');
		await waitFor(async () => (await page.locator('#w-projects > li').count()) >= 10, 4000, 'ten projects');
		const m = await page.evaluate(() => ({
			h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth,
			buttons: document.querySelectorAll('button, a[href], input, select, textarea').length,
			clipped: [...document.querySelectorAll('#w-busy > li:not([hidden]), #w-projects > li:not([hidden]), .stat')]
				.filter((el) => el.getBoundingClientRect().bottom > innerHeight + 1).length,
			pages: [...document.querySelectorAll('.page-note')].map((n) => n.hidden ? '' : n.textContent),
		}));
		assert(m.h <= 1080 && m.w <= 1920, `page is ${m.w}×${m.h}`);
		eq(m.clipped, 0, 'items cut off at the bottom');
		eq(m.buttons, 0, 'controls on the wall');
		assert(m.pages.some((p) => /^1 \/ \d/.test(p)), 'long lists turn pages: ' + JSON.stringify(m.pages));
		const body = await page.locator('body').innerText();
		assert(lang === 'fr' ? /machines au travail/.test(body) : /machines at work/.test(body), body.slice(0, 300));
		assert(!/imp-\d/.test(body), 'technical device ids on the wall');
		const p = await i18nProblems(page, lang, ['Objets de nos grands-parents', 'Prusa XL', 'Numériseur Artec', 'Projet public', 'Imprimante']);
		assert(!p.length, p.join('\n'));
		await shot(page, `wall-1920-${lang}`, { fullPage: false });
	});
}

test('long lists turn pages one after another: "1 / N" … "N / N", then "1 / N" again, each machine once', async () => {
	const p = await newPage(hub, { width: 1920, height: 1080 });
	await p.clock.install();
	await p.goto('/wall/?lang=fr');
	await waitFor(async () => (await p.locator('#w-busy > li').count()) >= 9, 4000, 'nine machines');
	const total = await p.locator('#w-busy > li').count();
	const notes = [], seen = [];
	for (let i = 0; i < total + 1; i++) {
		const s = await p.evaluate(() => ({
			note: document.querySelector('#w-busy-h .page-note').textContent,
			names: [...document.querySelectorAll('#w-busy > li:not([hidden]) .busy-name')].map((e) => e.textContent),
		}));
		notes.push(s.note);
		if (i && s.note.startsWith('1 /')) break;
		seen.push(...s.names);
		await p.clock.fastForward(12100);
	}
	const n = +notes[0].split('/')[1];
	assert(n >= 2, 'pages: ' + notes);
	eq(notes, [...Array(n).keys()].map((i) => `${i + 1} / ${n}`).concat(`1 / ${n}`), 'the page notes');
	eq(seen.length, total, 'machines shown over the pages: ' + seen);
	eq(new Set(seen).size, total, 'each machine once: ' + seen);
	// no staff name: the printers without a public name are numbered by kind
	assert(seen.includes('Prusa XL') && seen.includes('Imprimante 3D 1') && !seen.some((x) => /^Imprimante \d+$/.test(x)), seen.join(', '));
	await p.close();
});

test('plurals and numbers on the wall: "1 numérisation", "9 machines"; "1 scan today" in English', async () => {
	await page.goto('/wall/?lang=fr');
	await waitFor(async () => (await page.locator('#w-scans').innerText()) === '1', 3000, 'one scan');
	eq(await page.locator('#w-scans-label').innerText(), 'numérisation aujourd\'hui');
	eq(await page.locator('#w-printing-label').innerText(), 'machines au travail');
	await page.goto('/wall/?lang=en');
	await waitFor(async () => (await page.locator('#w-scans').innerText()) === '1', 3000, 'one scan');
	eq(await page.locator('#w-scans-label').innerText(), 'scan today');
});

test('the wall alternates French and English by itself', async () => {
	await page.clock.install();
	await page.goto('/wall/');
	await page.locator('#w-projects > li').first().waitFor();
	eq(await page.getAttribute('html', 'lang'), 'fr-CA');
	await page.clock.fastForward(31000);
	await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en-CA', 3000, 'English after 30 s');
	await page.clock.fastForward(31000);
	await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'fr-CA', 3000, 'French again');
});

test('the broker away: "mise à jour en pause" with the last time; machines at work never exceed devices online', async () => {
	page = await newPage(hub, { width: 1920, height: 1080 });
	await page.goto('/wall/?lang=fr');
	await page.locator('#w-busy > li').first().waitFor();
	await broker.stop();
	await page.locator('#w-paused').waitFor({ state: 'visible', timeout: 15000 });
	assert(/^Mise à jour en pause — dernières données à \d\d? h \d\d$/.test(await page.locator('#w-paused').innerText()),
		await page.locator('#w-paused').innerText());
	await waitFor(async () => {
		const busy = +(await page.locator('#w-printing').innerText()), online = +(await page.locator('#w-online').innerText());
		return busy <= online;
	}, 5000, 'busy ≤ online');
	assert(!(await page.locator('.banner').count()), 'no technical banner on the wall');
	await shot(page, 'wall-paused-fr', { fullPage: false });
	await broker.start();
	await page.locator('#w-paused').waitFor({ state: 'hidden', timeout: 15000 });
});

test('the hub away: the wall pauses calmly, keeps its figures, and resumes', async () => {
	await hub.stop();
	await page.locator('#w-paused').waitFor({ state: 'visible', timeout: 5000 });
	assert((await page.locator('#w-projects > li').count()) > 0, 'figures kept');
	await hub.start();
	await page.locator('#w-paused').waitFor({ state: 'hidden', timeout: 20000 });
});

test('a tablet-sized wall stays within the screen', async () => {
	await page.setViewportSize({ width: 768, height: 1024 });
	const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert(over <= 1, `${over}px too wide`);
	await shot(page, 'wall-tablet');
	assert(!page.errors.length, page.errors.join('\n'));
});

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
