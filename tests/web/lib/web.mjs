// web.mjs — what the browser tests share: Debian's Chromium through
// playwright-core, accounts made with `mlab-hub user add`, axe-core,
// the catalogue check, screenshots under tests/out/screenshots/.
// (A sub-directory, so tests/run.sh does not run it as a suite.)
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, HUB_BIN, run, request, assert } from '../../lib/harness.mjs';

export const SHOTS = path.join(ROOT, 'tests/out/screenshots');
fs.mkdirSync(SHOTS, { recursive: true });
export const FR = JSON.parse(fs.readFileSync(path.join(ROOT, 'web/i18n/fr.json'), 'utf8'));
export const EN = JSON.parse(fs.readFileSync(path.join(ROOT, 'web/i18n/en.json'), 'utf8'));
const AXE_SRC = fs.readFileSync(path.join(ROOT, 'tests/node_modules/axe-core/axe.min.js'), 'utf8');

let browser = null;
export async function launch() {
	if (!browser) browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--no-first-run'],
	});
	return browser;
}
export async function closeBrowser() { if (browser) await browser.close(); browser = null; }

// A fresh page (own cookies) that fails the test on any page error or
// CSP violation; page.errors collects them.
export async function newPage(hub, { width = 1366, height = 900, locale = 'fr-CA' } = {}) {
	const b = await launch();
	const ctx = await b.newContext({ viewport: { width, height }, locale, timezoneId: 'America/Toronto', baseURL: hub.url });
	const page = await ctx.newPage();
	page.errors = [];
	page.on('pageerror', (e) => page.errors.push('pageerror: ' + e.message));
	page.on('console', (m) => {
		if (m.type() === 'error' && !/WebSocket|Failed to load resource|ERR_CONNECTION_REFUSED/.test(m.text()))
			page.errors.push('console: ' + m.text());
	});
	return page;
}

// The kiosk at viewport {width, height}, logged in with its account by the
// form (as a facilitator does once), in lang ('fr' or 'en', by its button).
export async function kioskPage(hub, viewport, lang = 'fr', user = 'borne', password = 'kiosk-secret-2026') {
	const p = await newPage(hub, { ...viewport, locale: lang === 'en' ? 'en-CA' : 'fr-CA' });
	p.setDefaultTimeout(5000);
	await p.goto('/kiosk/');
	await p.locator('#k-login').waitFor({ state: 'visible' });
	await p.fill('#k-user', user);
	await p.fill('#k-pass', password);
	await p.click('#k-login-form button[type=submit]');
	await p.locator('#k-home').waitFor({ state: 'visible' });
	if (lang === 'en') {
		await p.click('#lang');
		const t0 = Date.now();
		while ((await p.getAttribute('html', 'lang')) !== 'en-CA') {
			if (Date.now() - t0 > 2000) throw new Error('the kiosk did not switch to English');
			await p.waitForTimeout(50);
		}
	}
	return p;
}

// The dashboard at viewport {width, height} in lang ('fr' or 'en', as
// remembered by the page), logged in by the form.
export async function dashboardPage(hub, lang, { width = 1366, height = 900 } = {}, user = 'anim', password = 'anim-secret-2026') {
	const p = await newPage(hub, { width, height, locale: lang === 'en' ? 'en-CA' : 'fr-CA' });
	p.setDefaultTimeout(5000);
	await p.goto('/');
	await p.evaluate((l) => localStorage.setItem('mlab.lang', l), lang);
	await p.reload();
	await p.locator('#login-form').waitFor();
	await p.fill('#login-user', user);
	await p.fill('#login-pass', password);
	await p.click('#login-form button[type=submit]');
	await p.locator('#app').waitFor({ state: 'visible' });
	return p;
}

// A staff page at 1366x900 in fr-CA, logged in as user by the dashboard's
// form, as staff do; then at path.
export async function staffPage(hub, user, password, path = '/') {
	const p = await dashboardPage(hub, 'fr', {}, user, password);
	if (path !== '/') await p.goto(path);
	return p;
}

// `mlab-hub user add NAME --role ROLE` on the hub's database (password on stdin).
export function addUser(db, name, role, password) {
	const r = run(HUB_BIN, ['--set', `store.path=${db}`, 'user', 'add', name, '--role', role],
		{ input: password + '\n', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
	if (r.status !== 0) throw new Error(`user add ${name}: ${r.status} ${r.stderr}`);
}

// POST /api/login from node; returns the Cookie header value.
export async function loginCookie(hub, user, password) {
	const r = await request(hub.url + '/api/login', { method: 'POST', body: { user, password } });
	assert(r.status === 200, `login ${user}: ${r.status} ${r.text}`);
	const set = r.headers.get('set-cookie') || '';
	return set.split(';')[0];
}

export async function shot(page, name, opts = {}) {
	const file = path.join(SHOTS, name + '.png');
	await page.screenshot({ path: file, fullPage: true, ...opts });
	return file;
}

// axe-core: the serious and critical violations (empty = pass).
export async function axe(page) {
	// page.evaluate is not subject to the page's CSP (addScriptTag is: an
	// inline script, which the hub's script-src 'self' refuses)
	if (!await page.evaluate(() => !!window.axe)) await page.evaluate(AXE_SRC);
	const res = await page.evaluate(async () => await window.axe.run(document, {
		resultTypes: ['violations'],
		runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
	}));
	return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

// Every visible [data-i18n] element shows its catalogue text in lang,
// no raw key or ⟦missing⟧ marker is visible, and (for English) no
// French-only catalogue string is left on the page.  Returns problems.
// data: strings that are the lab's data (device names, titles), not ours.
export async function i18nProblems(page, lang, data = []) {
	const cat = lang === 'en' ? EN : FR, other = lang === 'en' ? FR : EN;
	const { tagged, text } = await page.evaluate(() => {
		const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) && !el.closest('[hidden]');
		return {
			tagged: [...document.querySelectorAll('[data-i18n]')].filter(visible)
				.map((el) => ({ key: el.dataset.i18n, text: el.textContent })),
			text: document.body.innerText,
		};
	});
	let text2 = text;
	for (const d of data) text2 = text2.split(d).join(' ');
	const problems = [];
	for (const { key, text: tx } of tagged)
		if (cat[key] !== tx) problems.push(`[data-i18n=${key}] shows ${JSON.stringify(tx)}, want ${JSON.stringify(cat[key])}`);
	if (text.includes('⟦')) problems.push('a missing key is shown: ' + text.match(/⟦[^⟧]*⟧/)[0]);
	for (const k of Object.keys(cat))
		if (new RegExp(`(^|\\s)${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(text)) problems.push('raw key shown: ' + k);
	for (const [k, s] of Object.entries(other)) {
		if (s === cat[k] || s.length < 6 || /[{}]/.test(s)) continue;
		if (Object.values(cat).some((c) => c.includes(s))) continue;
		if (text2.includes(s)) problems.push(`untranslated (${k}): ${JSON.stringify(s)}`);
	}
	return problems;
}

// ---- a runner for a story told in steps ----------------------------------
// The harness's runner cleans up (kills the hub) after every test; a
// browser story needs one hub and one page across its steps.  Each step
// still counts on its own; teardown stops what the story started.
const steps = [];
export function step(name, fn) { steps.push({ name, fn }); }

export async function runSteps(teardown) {
	let pass = 0, fail = 0;
	const only = process.env.ONLY_STEP;
	for (const s of steps) {
		if (only && !s.name.includes(only) && pass + fail > 0) continue;
		const t0 = Date.now();
		try {
			await s.fn();
			pass++;
			console.log(`ok - ${s.name} (${Date.now() - t0} ms)`);
		} catch (e) {
			fail++;
			console.log(`not ok - ${s.name}: ${e && e.stack || e}`);
		}
	}
	try { await closeBrowser(); } catch { }
	try { await teardown(); } catch (e) { console.log('teardown: ' + e); }
	console.log(`${pass} passed, ${fail} failed`);
	process.exit(fail ? 1 : 0);
}

// Stop a harness hub/broker and remove their temp directories.
export async function stopAll(...procs) {
	for (const p of procs) {
		if (!p) continue;
		const r = await p.stop();
		if (p.dir) fs.rmSync(p.dir, { recursive: true, force: true });
		if (p.log !== undefined && r && r.code) console.log(`# ${p.url ? 'hub' : 'broker'} exited ${r.code}:\n` + p.log.split('\n').filter((l) => /ERROR|Sanitizer|leak/i.test(l)).slice(0, 30).join('\n'));
		if (r && r.code) throw new Error('a process exited with code ' + r.code + ' (sanitizer report above)');
	}
}
