// kiosk-tablet.mjs — the kiosk on its tablet, in French and English:
// portrait 1080×1920 and landscape 1280×800 fill the screen with the main
// button in view, text ≥ 18 px and targets ≥ 48 px (axe-clean); with no
// session open it offers only the rating, kindly; API errors are
// translated; a check-in made while the hub is away is kept in IndexedDB
// and delivered once when it is back; the shell-only service worker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, assert, eq, run } from '../lib/harness.mjs';
import { kioskPage as openKiosk, addUser, loginCookie, shot, axe, i18nProblems, step as test, runSteps, stopAll } from './lib/web.mjs';

let broker, hub, page, staff, dir, db, sessionId;
const sql = (q) => run('sqlite3', [db, q]).stdout.trim();
const SIZES = { portrait: { width: 1080, height: 1920 }, landscape: { width: 1280, height: 800 } };

const kioskPage = (size, lang = 'fr') => openKiosk(hub, SIZES[size], lang);

// Is el's box entirely inside the viewport?
const inView = (p, sel) => p.evaluate((s) => {
	const r = document.querySelector(s).getBoundingClientRect();
	return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height > 0;
}, sel);

// Visible text smaller than 18 px, and touch targets smaller than 48 px.
const sizes = (p) => p.evaluate(() => {
	const vis = (el) => el.getClientRects().length && !el.closest('[hidden]') && !el.closest('.visually-hidden');
	const small = [], tiny = [];
	for (const el of document.querySelectorAll('main *, .outbox-line *')) {
		if (!vis(el) || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
		if (parseFloat(getComputedStyle(el).fontSize) < 18) small.push(el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 30));
	}
	for (const el of document.querySelectorAll('button, input, select, textarea, .pill label, .consent label')) {
		if (!vis(el) || (el.type === 'radio')) continue;
		const r = el.getBoundingClientRect();
		if (r.width < 48 || r.height < 48) tiny.push(`${el.tagName}#${el.id} ${Math.round(r.width)}×${Math.round(r.height)}`);
	}
	return { small, tiny };
});

test('setup: a hub, a kiosk account, no session yet', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtablet-'));
	db = path.join(dir, 'hub.db');
	addUser(db, 'borne', 'kiosk', 'kiosk-secret-2026');
	addUser(db, 'anim', 'facilitator', 'anim-secret-2026');
	hub = await startHub({ broker, db });
	staff = await loginCookie(hub, 'anim', 'anim-secret-2026');
});

for (const lang of ['fr', 'en']) {
	test(`${lang}: no session open — the kiosk says so kindly and offers only the rating, which works`, async () => {
		page = await kioskPage('landscape', lang);
		await page.locator('#k-home-nosession').waitFor({ state: 'visible' });
		assert(await page.locator('[data-go=k-checkin]').isHidden(), 'check-in offered with no session');
		assert(await page.locator('[data-go=k-idea]').isHidden(), 'idea offered with no session');
		const p = await i18nProblems(page, lang);
		assert(!p.length, p.join('\n'));
		await shot(page, `kiosk-nosession-${lang}`, { fullPage: false });
		const before = +sql('SELECT count(*) FROM ratings');
		await page.click('[data-go=k-rate]');
		await page.click('.face[data-value="2"]');
		await page.locator('#k-thanks').waitFor({ state: 'visible' });
		eq(+sql('SELECT count(*) FROM ratings'), before + 1);
		await page.context().close();
	});
}

for (const lang of ['fr', 'en']) {
	test(`${lang}: the hub's real errors reach people translated, never raw`, async () => {
		page = await kioskPage('landscape', lang);
		// real answers from the real hub, through the page's own modules
		const got = await page.evaluate(async () => {
			const { api } = await import('/js/api.js');
			const { errorText, errorCode } = await import('/js/errors.js');
			const out = [];
			for (const [path, body] of [['/api/participants', { age_band: '25-34', consent: {} }],
				['/api/contributions', { kind: 'idea', title: 'x' }], ['/api/ratings', { value: 9, scale: 3 }],
				['/api/projects', { title: 'x' }]]) {
				const r = await api('POST', path, body);
				out.push({ path, status: r.status, raw: r.data && r.data.error, code: errorCode(r), text: errorText(r) });
			}
			out.push({ path: 'network', code: errorCode({ status: 0 }), text: errorText({ status: 0 }) });
			return out;
		});
		const cat = JSON.parse(fs.readFileSync(new URL('../../web/i18n/' + lang + '.json', import.meta.url)));
		for (const g of got) {
			assert(g.raw === undefined || !g.text.includes(g.raw), 'raw error shown: ' + JSON.stringify(g));
			eq(g.text, cat['err.' + g.code], JSON.stringify(g));
		}
		eq(got[0].code, 'no_session', JSON.stringify(got[0]));
		eq(got[3].code, 'forbidden', JSON.stringify(got[3]));
		await page.context().close();
	});
}

test('a session opens: the kiosk offers check-in again, live', async () => {
	page = await kioskPage('landscape');
	await page.locator('#k-home-nosession').waitFor({ state: 'visible' });
	const s = await hub.post('/api/sessions', { project_ids: [], device_ids: [], group: { type: 'walk-in', size: 2 } }, { cookie: staff });
	assert(s.status < 300, s.text);
	sessionId = s.json.id;
	await page.locator('[data-go=k-checkin]').waitFor({ state: 'visible', timeout: 3000 });
	assert(await page.locator('#k-home-nosession').isHidden(), 'no-session note gone');
	await page.context().close();
});

for (const size of ['portrait', 'landscape']) {
	for (const lang of ['fr', 'en']) {
		test(`${lang}, ${size} ${SIZES[size].width}×${SIZES[size].height}: fills the screen, main button in view, ≥ 18 px text, ≥ 48 px targets, axe-clean`, async () => {
			page = await kioskPage(size, lang);
			await page.locator('[data-go=k-checkin]').waitFor({ state: 'visible' });
			// home: the choices fill the screen's height
			const fill = await page.evaluate(() => {
				const c = document.querySelector('#k-home .choices').getBoundingClientRect();
				return c.bottom / innerHeight;
			});
			assert(fill > 0.85, `home uses only ${Math.round(fill * 100)} % of the height`);
			assert(await inView(page, '[data-go=k-checkin]'), 'check-in choice in view');
			await shot(page, `kiosk-${size}-${lang}-home`, { fullPage: false });
			// check-in: the send button is in view with the form at its top and at its bottom
			await page.click('[data-go=k-checkin]');
			assert(await inView(page, '#k-checkin-form .main-action'), 'Envoyer in view (top)');
			await page.check('#k-c-contact');
			await page.check('#k-c-name');
			await page.locator('#k-c-photo').scrollIntoViewIfNeeded();
			assert(await inView(page, '#k-checkin-form .main-action'), 'Envoyer in view (scrolled)');
			const s = await sizes(page);
			assert(!s.small.length, 'text under 18 px: ' + s.small.slice(0, 5).join(' | '));
			assert(!s.tiny.length, 'targets under 48 px: ' + s.tiny.slice(0, 5).join(' | '));
			const v = await axe(page);
			assert(!v.length, 'axe: ' + v.join('\n'));
			const p = await i18nProblems(page, lang);
			assert(!p.length, p.join('\n'));
			await shot(page, `kiosk-${size}-${lang}-checkin`, { fullPage: false });
			await page.click('#k-checkin .btn-quiet[data-home]');
			await page.click('[data-go=k-rate]');
			assert(await inView(page, '.face[data-value="1"]'), 'every face in view');
			await shot(page, `kiosk-${size}-${lang}-rate`, { fullPage: false });
			assert(!page.errors.length, page.errors.join('\n'));
			await page.context().close();
		});
	}
}

for (const lang of ['fr', 'en']) {
	test(`${lang}: the hub away — a check-in is kept in the browser, sent once when it is back, and the visitor told`, async () => {
		page = await kioskPage('landscape', lang);
		await page.locator('[data-go=k-checkin]').waitFor({ state: 'visible' });
		const before = +sql('SELECT count(*) FROM participants');
		const posts = [];
		page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/participants')) posts.push(r.postDataJSON()); });
		await hub.stop();
		await page.click('[data-go=k-checkin]');
		await page.click('label[for=k-age-6]');
		await page.click('#k-checkin-form button[type=submit]');
		await page.locator('#k-thanks').waitFor({ state: 'visible' });
		assert(await page.locator('#k-thanks-kept').isVisible(), 'the visitor is told it is kept');
		await page.locator('#k-outbox').waitFor({ state: 'visible' });
		eq(await page.locator('#k-outbox').getAttribute('data-n'), '1');
		const kept = await page.evaluate(() => new Promise((res) => {
			const rq = indexedDB.open('mlab-kiosk');
			rq.onsuccess = () => { const g = rq.result.transaction('outbox').objectStore('outbox').getAll(); g.onsuccess = () => res(g.result); };
		}));
		eq(kept.length, 1, 'one item in IndexedDB');
		assert(/^[0-9a-f]{32}$/.test(kept[0].client_id) && kept[0].body.client_id === kept[0].client_id, JSON.stringify(kept));
		await shot(page, `kiosk-kept-${lang}`, { fullPage: false });
		await hub.start();
		await page.locator('#k-received').waitFor({ state: 'visible', timeout: 25000 });
		const rec = await page.locator('#k-received').innerText();
		assert(lang === 'fr' ? /bien été reçue/.test(rec) : /was received/.test(rec), rec);
		await page.locator('#k-outbox').waitFor({ state: 'hidden' });
		eq(+sql('SELECT count(*) FROM participants'), before + 1, 'exactly one check-in stored');
		const ids = posts.map((b) => b.client_id);
		eq(new Set(ids).size, 1, 'one client_id');
		eq(posts.filter((b) => b.client_id === kept[0].client_id).length, ids.length);
		// sent once to the hub that answered (the first try met a stopped hub)
		await shot(page, `kiosk-received-${lang}`, { fullPage: false });
		assert(!page.errors.length, page.errors.join('\n'));
		await page.context().close();
	});
}

test('installable: manifest and icons are served, the service worker caches the shell and never /api or /ws', async () => {
	const m = await hub.get('/kiosk/manifest.json');
	eq(m.status, 200);
	eq(m.json.start_url, '/kiosk/');
	for (const i of m.json.icons) eq((await hub.get(i.src)).status, 200, i.src);
	page = await kioskPage('landscape');
	// 127.0.0.1 is a secure context: the worker registers
	const ok = await page.evaluate(async () => {
		const reg = await navigator.serviceWorker.ready;
		return !!reg.active;
	});
	assert(ok, 'service worker active');
	const cached = await page.evaluate(async () => {
		const keys = [];
		for (const n of await caches.keys()) for (const r of await (await caches.open(n)).keys()) keys.push(new URL(r.url).pathname);
		return keys;
	});
	assert(cached.includes('/kiosk/') && cached.includes('/kiosk/kiosk.js'), JSON.stringify(cached));
	assert(!cached.some((k) => k.startsWith('/api') || k.startsWith('/ws') || k.startsWith('/healthz')), JSON.stringify(cached));
	await page.reload();
	await page.locator('#k-home').waitFor({ state: 'visible' });
	const viaSw = await page.evaluate(async () => (await fetch('/api/me')).headers.get('content-type'));
	assert(/json/.test(viaSw || ''), 'the API still answers through the page');
	assert(!page.errors.length, page.errors.join('\n'));
	await page.context().close();
});

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
