// kiosk-outage.mjs — the kiosk through a hub outage, in French and
// English, portrait 1080×1920 and landscape 1280×800: while the hub is
// away a calm, translated line tells the visitor they can carry on (no
// technical words, no countdown, no alarm colour), and it goes by itself
// when the hub is back; a check-in made during the outage, delivered after
// its session ended and another opened, counts for the session that was
// open when the visitor made it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, startHub, assert, eq, run } from '../lib/harness.mjs';
import { kioskPage as openKiosk, addUser, loginCookie, shot, axe, i18nProblems, FR, EN, step as test, runSteps, stopAll } from './lib/web.mjs';

let broker, hub, page, staff, dir, db;
const sql = (q) => run('sqlite3', [db, q]).stdout.trim();
const SIZES = { portrait: { width: 1080, height: 1920 }, landscape: { width: 1280, height: 800 } };

const kioskPage = (size, lang = 'fr') => openKiosk(hub, SIZES[size], lang);

const openSession = () => Number(sql('SELECT id FROM sessions WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1') || 0);

test('setup: a hub, a kiosk account, a session open', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weboutage-'));
	db = path.join(dir, 'hub.db');
	addUser(db, 'borne', 'kiosk', 'kiosk-secret-2026');
	addUser(db, 'anim', 'facilitator', 'anim-secret-2026');
	hub = await startHub({ broker, db });
	staff = await loginCookie(hub, 'anim', 'anim-secret-2026');
	const s = await hub.post('/api/sessions', { project_ids: [], device_ids: [], group: { type: 'walk-in', size: 2 } }, { cookie: staff });
	assert(s.status < 300, s.text);
});

for (const [size, lang] of [['portrait', 'fr'], ['landscape', 'fr'], ['portrait', 'en'], ['landscape', 'en']]) {
	test(`${lang}, ${size}: the hub away — a calm line, the check-in kept; back — the line goes, the check-in counts for the session open when it was made`, async () => {
		const cat = lang === 'en' ? EN : FR;
		page = await kioskPage(size, lang);
		await page.locator('[data-go=k-checkin]').waitFor({ state: 'visible' });
		assert(await page.locator('#banner').isHidden(), 'no banner while the hub is there');
		const a = openSession();
		assert(a, 'a session is open');
		const before = +sql(`SELECT count(*) FROM participants WHERE session_id = ${a}`);

		await hub.stop();
		// the line: in the page's language, the kiosk's own words, no countdown
		await page.locator('#banner').waitFor({ state: 'visible', timeout: 10000 });
		eq(await page.locator('#banner').innerText(), cat['kiosk.away']);
		eq(await page.getAttribute('#banner', 'data-kind'), 'calm');
		await page.waitForTimeout(1500);	// a countdown would have changed by now
		eq(await page.locator('#banner').innerText(), cat['kiosk.away'], 'the line stays the same (no countdown)');
		const look = await page.evaluate(() => {
			const b = document.querySelector('#banner'), cs = getComputedStyle(b), r = b.getBoundingClientRect();
			return { size: parseFloat(cs.fontSize), bg: cs.backgroundColor, bottom: r.bottom, right: r.right, sw: document.documentElement.scrollWidth };
		});
		assert(look.size >= 18, 'banner text ≥ 18 px: ' + look.size);
		assert(look.right <= SIZES[size].width && look.sw <= SIZES[size].width, 'no sideways overflow');
		const v = await axe(page);
		assert(!v.length, 'axe: ' + v.join('\n'));
		const p = await i18nProblems(page, lang);
		assert(!p.length, p.join('\n'));
		await shot(page, `kiosk-away-${size}-${lang}`, { fullPage: false });

		// a visitor checks in: kept on the kiosk
		await page.click('[data-go=k-checkin]');
		await page.click('label[for=k-age-5]');
		await page.click('#k-checkin-form button[type=submit]');
		await page.locator('#k-thanks').waitFor({ state: 'visible' });
		assert(await page.locator('#k-thanks-kept').isVisible(), 'told it is kept');
		await shot(page, `kiosk-away-kept-${size}-${lang}`, { fullPage: false });

		// while the kiosk is cut off, the facilitator ends the session and
		// the next one starts (written as the hub would, while it is stopped)
		const t = Date.now() / 1000;
		sql(`UPDATE sessions SET ended_at = ${t} WHERE id = ${a}; INSERT INTO sessions(started_at, group_type, group_size) VALUES (${t + 1}, 'walk-in', 0)`);
		const b = openSession();
		assert(b && b !== a, 'another session open');

		await hub.start();
		await page.locator('#k-received').waitFor({ state: 'visible', timeout: 30000 });
		await page.locator('#banner').waitFor({ state: 'hidden', timeout: 5000 });
		eq(+sql(`SELECT count(*) FROM participants WHERE session_id = ${a}`), before + 1, 'the check-in counts for the session open when it was made');
		eq(+sql(`SELECT count(*) FROM participants WHERE session_id = ${b}`), 0, 'not for the later session');
		await page.locator('#k-outbox').waitFor({ state: 'hidden' });
		const p2 = await i18nProblems(page, lang);
		assert(!p2.length, p2.join('\n'));
		await shot(page, `kiosk-back-${size}-${lang}`, { fullPage: false });
		assert(!page.errors.length, page.errors.join('\n'));
		await page.context().close();
	});
}

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
