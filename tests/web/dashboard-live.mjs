// dashboard-live.mjs — the dashboard telling the truth as it happens, in
// French and in English: the broker banner on and off without a reload
// (tiles "state unknown" meanwhile), printer tiles with remaining time,
// ETA, layer and temperatures with targets, a scanner with no percentage,
// finished/cancelled/failed with their own words, plural and number forms,
// the charts (ranges, readable labels, hover and keyboard values, a young
// lab's window, the printer's temperature chart), the user's name in a
// new tab.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startBroker, startHub, pub, assert, eq, sleep, waitFor } from '../lib/harness.mjs';
import { dashboardPage, addUser, shot, axe, i18nProblems, step as test, runSteps, stopAll } from './lib/web.mjs';

const PASS = 'anim-secret-2026';
let broker, hub, dir, ctxPage = {};
const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ');
const tile = (p, id) => p.locator(`article[data-id="${id}"]`);

const dashboard = (lang) => dashboardPage(hub, lang, {}, 'anim', PASS);

test('setup: a printer at work, a scanner without percentage, a sensor', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webdashlive-'));
	const db = path.join(dir, 'hub.db');
	addUser(db, 'anim', 'facilitator', PASS);
	// silent devices go stale after 10 s (the least): not during an outage
	hub = await startHub({ broker, db, sets: ['devices.stale_s=10'] });
	pub(broker, 'mlab/v1/mk4/meta', { name: 'Prusa MK4', kind: 'printer', room: 'Atelier' }, { retain: true });
	pub(broker, 'mlab/v1/mk4/status', 'online', { retain: true });
	pub(broker, 'mlab/v1/mk4/telemetry', { nozzle_temp_c: 214.6, nozzle_target_c: 215, bed_temp_c: 59.8, bed_target_c: 60 });
	pub(broker, 'mlab/v1/mk4/event', { seq: 1, type: 'job.started', file: 'benchy.gcode' });
	pub(broker, 'mlab/v1/mk4/event', { seq: 2, type: 'job.progress', progress_pct: 42.5, remaining_s: 5400, layer: 37, layers: 180 });
	// Klipper through Moonraker reports layers
	pub(broker, 'voron/moonraker/status', { server: 'online' }, { retain: true });
	pub(broker, 'voron/klipper/status', { eventtime: 1, status: { print_stats: { filename: 'support.gcode', state: 'printing' }, virtual_sdcard: { is_active: true } } });
	pub(broker, 'voron/klipper/status', { eventtime: 2, status: { print_stats: { info: { total_layer: 180, current_layer: 37 } }, virtual_sdcard: { progress: 0.2 } } });
	pub(broker, 'mlab/v1/artec/meta', { name: 'Numériseur Artec', kind: 'scanner', room: 'Atelier' }, { retain: true });
	pub(broker, 'mlab/v1/artec/status', 'online', { retain: true });
	pub(broker, 'mlab/v1/artec/event', { seq: 1, type: 'scan.started', file: 'vase.ply' });
	pub(broker, 'mlab/v1/env/meta', { name: 'Capteur', kind: 'sensor', room: 'Atelier' }, { retain: true });
	pub(broker, 'mlab/v1/env/status', 'online', { retain: true });
	// a young lab: its sensor has two hours of data
	const now = Math.floor(Date.now() / 1000);
	for (let i = 0; i < 5; i++) { pub(broker, 'mlab/v1/env/telemetry', { temperature_c: 20 + i, humidity_pct: 40 + i, ts: now - 7200 + i * 1800 }); await sleep(120); }
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.length >= 4, 3000, 'devices');
});

for (const lang of ['fr', 'en']) {
	test(`${lang}: printer tile — remaining time, ETA on the local clock, layer, temperatures with targets`, async () => {
		const p = ctxPage[lang] = await dashboard(lang);
		const t = tile(p, 'mlab/mk4');
		await waitFor(async () => /214/.test(await t.innerText()), 3000, 'temperatures shown');
		const layer = tile(p, 'moonraker/voron');
		await waitFor(async () => /37/.test(await layer.innerText()), 3000, 'layer shown');
		const ls = norm(await layer.innerText());
		assert(lang === 'fr' ? /Couche 37 sur 180/.test(ls) : /Layer 37 of 180/.test(ls), ls);
		const s = norm(await t.innerText());
		if (lang === 'fr') {
			assert(/Reste 1 h 30/.test(s) && /Fin prévue \d\d? h \d\d/.test(s), s);
			assert(/Buse 214,6 °C → 215 °C/.test(s) && /Plateau 59,8 °C → 60 °C/.test(s), s);
			assert(/\b4[23] %/.test(s), 'French percent with its space: ' + s);
		} else {
			assert(/Left 1 h 30/.test(s) && /Done at \d\d?:\d\d/.test(s), s);
			assert(!/Done at 0\d:/.test(s), 'an hour with a leading zero: ' + s);
			assert(/Nozzle 214\.6 °C → 215 °C/.test(s) && /Bed 59\.8 °C → 60 °C/.test(s), s);
			assert(/\b4[23]%/.test(s) && !/4[23] %/.test(s), 'English percent without French spacing: ' + s);
		}
		// ETA = when the progress arrived + 1 h 30, on the lab's clock (this
		// minute or the one before: the message came a few seconds ago)
		const etas = await p.evaluate((l) => [0, 60e3, 120e3].map((back) => new Intl.DateTimeFormat(l, {
			timeZone: 'America/Toronto', hour: 'numeric', minute: '2-digit' }).format(new Date(Date.now() + 5400e3 - back))), lang === 'fr' ? 'fr-CA' : 'en-CA');
		assert(etas.some((e) => s.includes(norm(e))), `ETA one of ${etas} in ${s}`);
	});

	test(`${lang}: a scanner that reports no percentage says so; plural and number forms`, async () => {
		const p = ctxPage[lang];
		const s = norm(await tile(p, 'mlab/artec').innerText());
		assert(lang === 'fr' ? /En cours, sans pourcentage/.test(s) : /In progress, no percentage/.test(s), s);
		assert(!/0 ?%/.test(s), 'a false 0 % on the scanner: ' + s);
		const count = norm(await p.locator('#devices-count').innerText());
		eq(count, lang === 'fr' ? '4 en ligne sur 4' : '4 of 4 online');
		const forms = await p.evaluate(async () => {
			const i = await import('/js/i18n.js');
			return [i.tn('device.has_alerts', 1), i.tn('device.has_alerts', 2), i.tn('projects.confirmed', 1), i.tn('projects.confirmed', 2),
				i.tn('wall.scans_today', 1), i.tn('wall.scans_today', 2), i.fmtPercent(84), i.fmtNumber(1234.5)];
		});
		eq(forms.map(norm), lang === 'fr'
			? ['1 alerte — voir en haut', '2 alertes — voir en haut', 'contribution confirmée', 'contributions confirmées', 'numérisation aujourd\'hui', 'numérisations aujourd\'hui', '84 %', '1 234,5']
			: ['1 alert — see above', '2 alerts — see above', 'confirmed contribution', 'confirmed contributions', 'scan today', 'scans today', '84%', '1,234.5']);
	});

	test(`${lang}: charts — ranges, readable labels, the value on hover and on keyboard focus, a young lab's window`, async () => {
		const p = ctxPage[lang];
		const t = tile(p, 'mlab/env');
		await t.locator('summary').click();
		const svg = t.locator('svg.chart');
		await svg.waitFor({ timeout: 4000 });
		for (const r of ['day', 'week', 'month', 'year']) assert(await t.locator(`.chart-ranges [data-range=${r}]`).count() === 1, 'range ' + r);
		const m = await svg.evaluate((el) => {
			const labels = [...el.querySelectorAll('.chart-label')].map((x) => x.getBoundingClientRect().height);
			const line = el.querySelector('.chart-line').getBBox(), bg = el.querySelector('.chart-bg').getBBox();
			return { minLabel: Math.min(...labels), lineW: line.width, bgW: bg.width, fs: parseFloat(getComputedStyle(el.querySelector('.chart-label')).fontSize) };
		});
		assert(m.fs >= 12 && m.minLabel >= 12, `labels ${m.fs} px / ${m.minLabel} px`);
		assert(m.lineW > m.bgW * 0.5, `a young lab's data spans ${Math.round(m.lineW)} of ${Math.round(m.bgW)} px`);
		await svg.hover();
		await waitFor(async () => /\d/.test(await t.locator('.chart-readout').innerText()), 2000, 'hover value');
		await svg.focus();
		await p.keyboard.press('Home');
		const first = await t.locator('.chart-readout').innerText();
		await p.keyboard.press('End');
		const last = await t.locator('.chart-readout').innerText();
		assert(first !== last && /2[04]/.test(first + last), first + ' / ' + last);
		await t.locator('.chart-ranges [data-range=week]').click();
		await waitFor(async () => /(7 derniers jours|last 7 days)/.test(await t.locator('svg.chart').getAttribute('aria-label') || ''), 4000, 'week chart');
		const v = await axe(p);
		assert(!v.length, 'axe: ' + v.join('\n'));
		await shot(p, `dashboard-chart-${lang}`);
	});

	test(`${lang}: a printer has a temperature chart (nozzle and bed, with targets)`, async () => {
		const p = ctxPage[lang];
		const t = tile(p, 'mlab/mk4');
		await t.locator('summary').click();
		await t.locator('svg.chart').waitFor({ timeout: 4000 });
		eq(await t.locator('svg.chart polyline').count(), 4);
		const legend = norm(await t.locator('.chart-legend').innerText());
		assert(lang === 'fr' ? /Buse.*Buse \(cible\).*Plateau.*Plateau \(cible\)/.test(legend) : /Nozzle.*Bed/.test(legend), legend);
		await shot(p, `dashboard-printer-${lang}`);
		const pr = await i18nProblems(p, lang, ['Prusa MK4', 'Numériseur Artec', 'Capteur', 'Atelier', 'benchy.gcode', 'vase.ply']);
		assert(!pr.length, pr.join('\n'));
	});
}

test('finished, cancelled and failed jobs show their true word and colour', async () => {
	const p = ctxPage.fr;
	const t = tile(p, 'mlab/mk4');
	const st = () => t.locator('.job-state');
	pub(broker, 'mlab/v1/mk4/event', { seq: 3, type: 'job.cancelled', file: 'benchy.gcode' });
	await waitFor(async () => (await st().innerText()) === 'Annulé', 3000, 'cancelled');
	const cancelled = await st().evaluate((e) => getComputedStyle(e).color);
	assert(!(await t.locator('[role=progressbar]').count()), 'no progress bar on a cancelled job');
	pub(broker, 'mlab/v1/mk4/event', { seq: 4, type: 'job.started', file: 'b.gcode' });
	pub(broker, 'mlab/v1/mk4/event', { seq: 5, type: 'job.failed', file: 'b.gcode' });
	await waitFor(async () => (await st().innerText()) === 'Échoué', 3000, 'failed');
	const failed = await st().evaluate((e) => getComputedStyle(e).color);
	pub(broker, 'mlab/v1/mk4/event', { seq: 6, type: 'job.started', file: 'c.gcode' });
	pub(broker, 'mlab/v1/mk4/event', { seq: 7, type: 'job.finished', file: 'c.gcode' });
	await waitFor(async () => (await st().innerText()) === 'Terminé', 3000, 'finished');
	const finished = await st().evaluate((e) => getComputedStyle(e).color);
	eq(new Set([cancelled, failed, finished]).size, 3, 'three colours: ' + [cancelled, failed, finished]);
});

for (const lang of ['fr', 'en']) {
	test(`${lang}: the broker stops — banner on and tiles "state unknown" without reload; it returns — banner off`, async () => {
		const p = ctxPage[lang];
		await p.evaluate(() => { window.__noReload = 1; });
		// a sensor with no online signal of its own: silence would make it stale
		pub(broker, `mlab/v1/co2-${lang}/telemetry`, { co2_ppm: 612 });
		await waitFor(async () => (await tile(p, `mlab/co2-${lang}`).count()) === 1, 3000, 'the silent sensor shown');
		await broker.stop();
		await p.locator('#banner').waitFor({ state: 'visible', timeout: 15000 });
		const b = await p.locator('#banner').innerText();
		assert(lang === 'fr' ? /courtier MQTT/.test(b) : /MQTT broker/.test(b), b);
		await waitFor(async () => /(État inconnu|State unknown)/.test(await tile(p, 'mlab/env').innerText()), 3000, 'state unknown');
		assert(await tile(p, 'mlab/env').evaluate((e) => e.classList.contains('is-unknown')), 'greyed');
		assert(!/(Hors ligne|Offline)/.test(await tile(p, 'mlab/mk4').innerText()), 'shown offline, not unknown');
		// longer than devices.stale_s: still unknown, not offline, and one
		// alert for the broker instead of one per device
		const brokerAlert = lang === 'fr' ? /Courtier injoignable/ : /Broker unreachable/;
		await waitFor(async () => (await p.locator('li.alert .alert-title').allInnerTexts()).some((x) => brokerAlert.test(x)),
			5000, 'the broker alert');
		await sleep(12000);
		assert(/(État inconnu|State unknown)/.test(await tile(p, `mlab/co2-${lang}`).innerText()), 'the silent sensor is unknown');
		const titles = await p.locator('li.alert .alert-title').allInnerTexts();
		eq(titles.filter((x) => brokerAlert.test(x)).length, 1, 'one broker alert: ' + titles.join(' | '));
		const other = lang === 'fr' ? 'co2-en' : 'co2-fr';	// the other run's sensor may be stale for real
		const offline = (await p.locator('li.alert').allInnerTexts())
			.filter((x) => /(Appareil hors ligne|Device offline)/.test(x) && !x.includes(other));
		eq(offline.length, 0, 'no per-device alert: ' + offline.join(' | '));
		await shot(p, `dashboard-broker-down-${lang}`);
		// beside the "state unknown" badge and the settings button, a tile's
		// name keeps room for words (it once wrapped a letter per line)
		const narrow = await p.evaluate(() => [...document.querySelectorAll('.tile-name')]
			.filter((n) => n.getBoundingClientRect().width < 120).map((n) => n.textContent));
		assert(!narrow.length, 'squeezed tile names: ' + narrow.join(', '));
		await broker.start();
		await p.locator('#banner').waitFor({ state: 'hidden', timeout: 20000 });
		await waitFor(async () => !(await p.locator('li.alert .alert-title').allInnerTexts()).some((x) => brokerAlert.test(x)),
			5000, 'the broker alert gone');
		await waitFor(async () => !/(État inconnu|State unknown)/.test(await tile(p, 'mlab/env').innerText()), 3000, 'known again');
		eq(await p.evaluate(() => window.__noReload), 1, 'the page was not reloaded');
		assert(!p.errors.length, p.errors.join('\n'));
	});
}

test('the logged-in user\'s name shows in a new tab (from GET /api/me)', async () => {
	const p = ctxPage.fr;
	await waitFor(async () => (await p.locator('#who').innerText()).includes('anim'), 2000, 'name in the first tab');
	const tab = await p.context().newPage();
	await tab.goto('/');
	await tab.locator('#app').waitFor({ state: 'visible' });
	await waitFor(async () => (await tab.locator('#who').innerText()).includes('anim'), 3000, 'name in a new tab');
});

runSteps(async () => {
	await stopAll(hub, broker);
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
