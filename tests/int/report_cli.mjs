// report_cli.mjs — issue 6: the annual indicators through the real binary
// (ASan build): `mlab-hub report` on a seeded database, a live database
// and a backup copy; GET /api/indicators on the running hub; the CSV read
// back by Python's csv module (a real RFC 4180 reader); byte-identical
// output across runs, between the CLI and the API, and across erasing a
// participant through the participation API.
import fs from 'node:fs';
import path from 'node:path';
import { HUB_BIN, test, main, assert, eq, startHub, run, tmpdir } from '../lib/harness.mjs';
import { checkPackage, validateDescriptor } from '../lib/dpkg.mjs';

const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' };
const cli = (db, args, input) => run(HUB_BIN, ['--set', `store.path=${db}`, '--set', 'log.level=warn',
	'--set', 'target.sessions.2025=3', ...args], { input, env });
const report = (db, args) => {
	const r = cli(db, ['report', ...args]);
	eq(r.status, 0, `report ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
};

// Unix seconds of a wall-clock time in Toronto given with its offset.
const T = (iso) => Date.parse(iso) / 1000;

const py = (script, input) => {
	const r = run('python3', ['-c', script], { input });
	eq(r.status, 0, 'python3: ' + r.stderr);
	return r.stdout;
};

// A database with rows on both sides of the FY2025 boundaries (local
// time), the November DST change, a check-in with a name, votes on both
// scales, a machine busy across the year's end.  The schema comes from
// `mlab-hub user add`, which also makes the facilitator account.
function seeded() {
	const db = path.join(tmpdir('report'), 'hub.db');
	const u = cli(db, ['user', 'add', 'fa', '--role', 'facilitator'], 'facilitator-pw\n');
	eq(u.status, 0, 'user add: ' + u.stderr);
	const S = [
		[1, T('2025-04-01T00:00:00-04:00'), 'walk-in', 5],	// first instant of FY2025
		[2, T('2026-03-31T23:59:00-04:00'), 'school', 24],	// last minute
		[3, T('2025-11-02T01:30:00-04:00'), 'family', 0],	// 01:30 EDT
		[4, T('2025-11-02T01:30:00-05:00'), 'workshop', 2],	// 01:30 EST, an hour later
		[5, T('2025-03-31T23:59:00-04:00'), 'partner', 10],	// FY2024
		[6, T('2026-04-01T00:00:00-04:00'), 'school', 30],	// FY2026
	];
	const sql = [
		"INSERT INTO projects(id, title, visibility, created_at, updated_at) VALUES" +
		" (1, 'Objets, \"guillemets\" et virgules', 'public', 0, 0), (2, 'Patrimoine', 'public', 0, 0)," +
		" (3, 'Interne', 'internal', 0, 0)",
		"INSERT INTO project_themes VALUES (2, 'quebec-culture'), (3, 'quebec-culture')",
		...S.map(([id, t, g, n]) => `INSERT INTO sessions(id, started_at, group_type, group_size) VALUES (${id}, ${t}, '${g}', ${n})`),
		'INSERT INTO session_projects VALUES (1, 1), (2, 2), (6, 3)',
		'INSERT INTO participants(id, session_id, age_band, display_name, email, created_at, last_seen, party_size) VALUES' +
		` (1, 1, '6-9', NULL, NULL, ${S[0][1]}, ${S[0][1]}, 1),` +
		` (2, 1, '35-44', 'Alice Tremblay', 'alice@example.org', ${S[0][1]}, ${S[0][1]}, 1),` +
		` (3, 3, '0-5', NULL, NULL, ${S[2][1]}, ${S[2][1]}, 1), (4, 3, NULL, NULL, NULL, ${S[2][1]}, ${S[2][1]}, 3),` +
		` (5, 4, '14-17', NULL, NULL, ${S[3][1]}, ${S[3][1]}, 1), (6, 4, '14-17', NULL, NULL, ${S[3][1]}, ${S[3][1]}, 1),` +
		` (7, 4, '18-24', NULL, NULL, ${S[3][1]}, ${S[3][1]}, 1), (8, 5, '6-9', NULL, NULL, ${S[4][1]}, ${S[4][1]}, 1)`,
		`INSERT INTO consents(participant_id, purpose, granted, text_version, at) VALUES (2, 'contact', 1, '2026-1', ${S[0][1]})`,
		'INSERT INTO contributions(id, project_id, kind, title, licence, status, created_at, decided_at) VALUES' +
		` (1, 2, 'scan', 'a', 'CC-BY-4.0', 'confirmed', ${T('2025-06-01T12:00:00-04:00')}, ${T('2025-06-02T12:00:00-04:00')}),` +
		` (2, 3, 'idea', 'b', 'none', 'rejected', ${T('2025-07-01T12:00:00-04:00')}, ${T('2025-07-02T12:00:00-04:00')}),` +
		` (3, 3, 'photo', 'c', 'none', 'pending', ${T('2026-02-01T12:00:00-05:00')}, NULL),` +
		` (4, NULL, 'print', 'd', 'CC0-1.0', 'confirmed', ${T('2026-03-31T23:59:30-04:00')}, ${T('2026-04-02T10:00:00-04:00')})`,
		'INSERT INTO ratings(id, session_id, value, scale, question, source, at) VALUES' +
		` (1, 1, 3, 3, 'novelty', 'kiosk', ${S[0][1] + 60}), (2, 1, 1, 3, 'novelty', 'kiosk', ${S[0][1] + 70}),` +
		` (3, NULL, 5, 5, 'novelty', 'kiosk', ${T('2025-12-01T10:00:00-05:00')}), (4, NULL, 3, 5, 'novelty', 'kiosk', ${T('2025-12-01T10:01:00-05:00')}),` +
		` (5, 2, 3, 3, 'novelty', 'gpio', ${T('2026-03-31T23:59:59-04:00')}), (6, 6, 3, 3, 'novelty', 'gpio', ${S[5][1]})`,
		'INSERT INTO machine_use(id, machine, plug, started_at, ended_at, energy_kwh) VALUES' +
		` (1, 'prusa', 'tasmota/prusa', ${T('2025-06-10T23:00:00-04:00')}, ${T('2025-06-11T01:30:00-04:00')}, 0.5),` +
		` (2, 'prusa', 'tasmota/prusa', ${T('2026-03-31T22:00:00-04:00')}, ${T('2026-04-01T02:00:00-04:00')}, 0.4)`,
		"INSERT INTO devices(dev, id, source, native, kind, first_seen, last_seen) VALUES (1, 'octoprint/prusa', 'octoprint', 'prusa', 'printer', 0, 0), (2, 'mlab/scan', 'mlab', 'scan', 'scanner', 0, 0)",
		"INSERT INTO jobs(id, dev, kind, file, state, started_at, ended_at) VALUES" +
		` (1, 1, 'print', 'alice.gcode', 'finished', 0, ${T('2025-05-01T12:00:00-04:00')}),` +
		` (2, 1, 'print', 'b.gcode', 'failed', 0, ${T('2026-03-31T23:59:00-04:00')}),` +
		` (3, 1, 'print', 'c.gcode', 'finished', 0, ${T('2026-04-01T00:00:00-04:00')}),` +
		` (4, 2, 'scan', 's', 'finished', 0, ${T('2025-09-01T12:00:00-04:00')})`,
	].join(';\n') + ';';
	const r = run('python3', ['-c', 'import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.executescript(sys.stdin.read())\nc.commit()', db], { input: sql });
	eq(r.status, 0, 'seed: ' + r.stderr);
	return db;
}

// Python's csv module reads the CSV back (newline='' keeps CRLF honest).
function readCsv(text) {
	return JSON.parse(py('import csv,io,json,sys\n' +
		'data=sys.stdin.buffer.read()\n' +
		'assert data.endswith(b"\\r\\n"), "records end with CRLF"\n' +
		'assert b"\\n" not in data.replace(b"\\r\\n", b""), "no bare LF"\n' +
		'print(json.dumps(list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))))', text));
}

const value = (j, name) => j.indicators[name].value;

test('mlab-hub report --fy 2025: every contract figure, counted by hand', async () => {
	const db = seeded();
	const j = JSON.parse(report(db, ['--fy', '2025']));
	eq([j.fy, j.from, j.to], [2025, '2025-04-01', '2026-03-31']);
	for (const k of ['participation_projects', 'quebec_culture_projects', 'sessions', 'participants',
		'contributions_confirmed', 'votes', 'appreciation_rate_pct', 'machine_busy_hours',
		'print_jobs_finished', 'print_jobs_failed', 'scans'])
		assert(k in j.indicators && 'value' in j.indicators[k] && 'target' in j.indicators[k], 'has ' + k);
	eq(value(j, 'participation_projects'), 2, 'P1 (session 1), P2 (session 2 at 23:59 and a confirmed scan)');
	eq(value(j, 'quebec_culture_projects'), 1);
	eq(j.indicators.quebec_culture_projects.target, 2);
	eq(j.indicators.quebec_culture_projects.gap, -1);
	eq(value(j, 'sessions'), 4);
	eq(j.indicators.sessions.target, 3, '--set target.sessions.2025');
	eq(value(j, 'participants'), 5 + 24 + 4 + 3, 'max(head count, people checked in) per session');
	eq(value(j, 'participants_young'), 1 + 1 + 2);
	eq(value(j, 'contributions_confirmed'), 2);
	eq(value(j, 'contributions_pending'), 1);
	eq(value(j, 'contributions_rejected'), 1);
	eq(value(j, 'votes'), 5);
	eq(value(j, 'votes_positive'), 3);
	eq(value(j, 'appreciation_rate_pct'), 60);
	eq(j.indicators.appreciation_rate_pct.target, 85);
	eq(j.indicators.appreciation_rate_pct.gap, -25);
	eq(value(j, 'machine_busy_hours'), 4.5);
	eq(value(j, 'machine_energy_kwh'), 0.7);
	eq(value(j, 'print_jobs_finished'), 1);
	eq(value(j, 'print_jobs_failed'), 1);
	eq(value(j, 'scans'), 1);
	eq(value(j, 'participants.by_group.school'), 24);
	eq(value(j, 'participants.by_age.unknown'), 3 + 24 + 3);
	const y24 = JSON.parse(report(db, ['--fy', '2024']));
	eq([value(y24, 'sessions'), value(y24, 'participants'), y24.indicators.sessions.target], [1, 10, null]);
	const y26 = JSON.parse(report(db, ['--fy', '2026-27']));
	eq([y26.fy, value(y26, 'sessions'), value(y26, 'print_jobs_finished'), value(y26, 'votes')], [2026, 1, 1, 1]);
});

test('CSV: RFC 4180 read back by Python, one row per JSON indicator, same values', async () => {
	const db = seeded();
	const j = JSON.parse(report(db, ['--fy', '2025']));
	const rows = readCsv(report(db, ['--fy', '2025', '--format', 'csv']));
	eq(rows[0], ['indicator', 'value', 'target']);
	eq(rows.length - 1, Object.keys(j.indicators).length);
	for (const [name, v, t] of rows.slice(1)) {
		assert(name in j.indicators, 'csv row ' + name);
		eq(v === '' ? null : Number(v), j.indicators[name].value, name);
		eq(t === '' ? null : Number(t), j.indicators[name].target, name + ' target');
	}
	// an explain list with a comma and quotes in a field
	const ex = readCsv(report(db, ['--fy', '2025', '--format', 'csv', '--explain', 'participation_projects']));
	eq(ex[0].slice(0, 2), ['project_id', 'title']);
	eq(ex[1].slice(0, 2), ['1', 'Objets, "guillemets" et virgules']);
});

test('--explain: the rows behind a figure, in local time, nothing personal', async () => {
	const db = seeded();
	const s = JSON.parse(report(db, ['--fy', '2025', '--explain', 'sessions']));
	eq(s.rows.map((r) => r.session_id), [1, 3, 4, 2]);
	eq(s.rows.map((r) => r.started_at), ['2025-04-01T00:00:00-04:00', '2025-11-02T01:30:00-04:00',
		'2025-11-02T01:30:00-05:00', '2026-03-31T23:59:00-04:00']);
	const p = JSON.parse(report(db, ['--fy', '2025', '--explain', 'participants']));
	eq(p.rows.map((r) => r.counted), [5, 4, 3, 24]);
	eq(p.rows.reduce((a, r) => a + r.counted, 0), p.value);
	const m = JSON.parse(report(db, ['--fy', '2025', '--explain', 'machine_busy_hours']));
	eq(m.rows.map((r) => [r.use_id, r.hours]), [[1, 2.5], [2, 2]]);
	eq(m.rows[1].counted_to, '2026-04-01T00:00:00-04:00');
	const v = JSON.parse(report(db, ['--fy', '2025', '--explain', 'appreciation_rate_pct']));
	eq(v.rows.map((r) => r.positive), [1, 0, 1, 0, 1]);
	const all = ['json', 'csv', 'html'].map((f) => report(db, ['--fy', '2025', '--format', f])).join('') +
		Object.keys(JSON.parse(report(db, ['--fy', '2025'])).indicators)
			.map((n) => report(db, ['--fy', '2025', '--explain', n])).join('');
	for (const secret of ['Alice', 'example.org', 'gcode'])
		assert(!all.includes(secret), 'no personal data: ' + secret);
});

test('bad arguments: exit codes and one-line reasons', async () => {
	const db = seeded();
	let r = cli(db, ['report', '--fy', 'abc']);
	eq(r.status, 2, r.stderr);
	assert(/--fy abc/.test(r.stderr), r.stderr);
	r = cli(db, ['report', '--fy', '2025', '--explain', 'nope']);
	eq(r.status, 2);
	assert(/no indicator named 'nope'/.test(r.stderr), r.stderr);
	r = cli(db, ['report', '--fy', '2025', '--format', 'xml']);
	eq(r.status, 2);
	r = cli(db, ['report', '--fy', '2025', '--db', path.join(path.dirname(db), 'missing.db')]);
	eq(r.status, 1);
	assert(/cannot read database/.test(r.stderr), r.stderr);
	assert(!fs.existsSync(path.join(path.dirname(db), 'missing.db')), 'no empty database created');
	eq(report(db, ['--fy=2025', '--format=csv']), report(db, ['--fy', '2025', '--format', 'csv']), '--opt=value form');
	r = cli(db, ['report', '--fy', '2025', '--bogus', 'x']);
	eq(r.status, 2);
	assert(/unknown option --bogus/.test(r.stderr), r.stderr);
	r = cli(db, ['--set', 'lab.timezone=Nowhere/Atlantis', 'report', '--fy', '2025']);
	eq(r.status, 1);
	assert(/tzdata/.test(r.stderr), r.stderr);
});

test('HTML report: French and English, printable, SVG charts', async () => {
	const db = seeded();
	const fr = report(db, ['--fy', '2025', '--format', 'html']);
	const en = report(db, ['--fy', '2025', '--format', 'html', '--lang', 'en']);
	assert(fr.startsWith('<!DOCTYPE html>') && fr.includes('<html lang="fr">'), 'French by default');
	assert(fr.includes('Séances') && fr.includes('<svg') && fr.includes('@media print'), 'fr content');
	assert(en.includes('<html lang="en">') && en.includes('Sessions') && en.includes('Appreciation rate'), 'en');
	assert(!en.includes(' style="'), 'no inline style attributes');
});

// One catalogue: the report's HTML words are the dashboard's (web/i18n,
// the keys the dashboard's indicator table reads), for every indicator,
// every breakdown and every group type, age band and kind.
test('the HTML report and the dashboard use the same words (web/i18n catalogues)', async () => {
	const db = seeded();
	const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
	const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;').replace(/'/g, '&#39;');
	const names = Object.keys(JSON.parse(report(db, ['--fy', '2025'])).indicators);
	const dash = fs.readFileSync(path.join(ROOT, 'web/js/indicators.js'), 'utf8');
	const shown = JSON.parse(/INDICATORS = (\[[^\]]*\])/.exec(dash)[1].replace(/'/g, '"'));
	for (const n of shown) assert(names.includes(n), `the dashboard's ${n} is a figure of the report`);
	const prefix = { by_group: 'group.', by_age: 'age.', by_kind: 'ckind.', by_scale: 'ind.by_scale.' };
	for (const lang of ['fr', 'en']) {
		const cat = JSON.parse(fs.readFileSync(path.join(ROOT, `web/i18n/${lang}.json`), 'utf8'));
		const html = report(db, ['--fy', '2025', '--format', 'html', '--lang', lang]);
		const want = new Set();
		for (const n of names) {
			const m = /^(.*\.(by_[a-z]+))\.(.*)$/.exec(n);
			if (!m) { want.add('ind.' + n); continue; }
			want.add('ind.' + m[1]);
			if (prefix[m[2]]) want.add(prefix[m[2]] + m[3]);
		}
		for (const k of want) {
			assert(typeof cat[k] === 'string', `${lang}.json has ${k}`);
			assert(html.includes(esc(cat[k])), `the ${lang} report shows ${k} as ${JSON.stringify(cat[k])}`);
		}
	}
});

// The report's own headings too ("Indicateurs", "Valeur :"): rep.doc.*
// of the same catalogues; render.c writes no words of its own.
test("the HTML report's headings and footer are the catalogues' words, and only theirs", async () => {
	const db = seeded();
	const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
	const src = fs.readFileSync(path.join(ROOT, 'hub/report/render.c'), 'utf8');
	const own = [...src.matchAll(/\bfr \? "([^"]*)"/g)].map((m) => m[1]).filter((w) => w !== 'fr' && w !== '\\u00a0');
	assert(!own.length, 'render.c picks words by language itself: ' + own.join(', '));
	const esc = (s) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;');
	for (const lang of ['fr', 'en']) {
		const cat = JSON.parse(fs.readFileSync(path.join(ROOT, `web/i18n/${lang}.json`), 'utf8'));
		const W = (k) => esc(cat[k].replace('{from}', 2025).replace('{to}', 2026).replace('{tz}', 'America/Toronto'));
		const html = report(db, ['--fy', '2025', '--format', 'html', '--lang', lang]);
		for (const k of ['rep.doc.title', 'rep.doc.heading', 'rep.doc.period', 'rep.doc.indicators', 'rep.doc.charts', 'rep.doc.details', 'rep.doc.foot'])
			assert(html.includes(W(k)), `the ${lang} report shows ${k} as ${W(k)}`);
		const ex = report(db, ['--fy', '2025', '--format', 'html', '--lang', lang, '--explain', 'sessions']);
		for (const k of ['rep.doc.value', 'rep.doc.rows'])
			assert(ex.includes(W(k)), `the ${lang} trail shows ${k} as ${W(k)}`);
	}
});

test('reproducible; the API agrees with the CLI; live database, backup copy, erasure', async () => {
	const db = seeded();
	const args = [['--fy', '2025'], ['--fy', '2025', '--format', 'csv'], ['--fy', '2025', '--explain', 'participants'],
		['--fy', '2025', '--explain', 'votes', '--format', 'csv'], ['--fy', '2025', '--format', 'html', '--lang', 'en']];
	const first = args.map((a) => report(db, a));
	eq(args.map((a) => report(db, a)), first, 'two runs, same bytes');

	const hub = await startHub({ db, sets: ['target.sessions.2025=3'] });
	const queries = ['fy=2025', 'fy=2025&format=csv', 'fy=2025&explain=participants',
		'fy=2025&explain=votes&format=csv'];
	for (let i = 0; i < queries.length; i++) {
		const r = await hub.get('/api/indicators?' + queries[i]);
		eq(r.status, 200, queries[i] + ': ' + r.text);
		eq(r.text, first[i], 'API = CLI for ' + queries[i]);
	}
	const c = await hub.get('/api/indicators?fy=2025&format=csv');
	assert(c.headers.get('content-type').startsWith('text/csv'), c.headers.get('content-type'));
	const h = await hub.get('/api/indicators?fy=2025&format=html&lang=en');
	eq(h.status, 200);
	assert(h.text.includes('<link rel="stylesheet" href="/api/indicators/report.css">') && !h.text.includes('<style>'),
		'over HTTP the stylesheet is linked (CSP)');
	// served, its figures link to their trails and its header back to /report/
	assert(h.text.includes('<a href="/api/indicators?fy=2025&amp;format=html&amp;lang=en&amp;explain=sessions">Sessions</a>'), 'a figure links to its trail');
	const unlinked = h.text.replace(/<link[^>]*>\n/, '').replace(/<p><a href="\/report\/">[^<]*<\/a><\/p>/, '').replace(/<a href="[^"]*">([^<]*)<\/a>/g, '$1');
	eq(unlinked, first[4].replace(/<style>[^]*?<\/style>\n/, ''), 'same page otherwise');
	const css = await hub.get('/api/indicators/report.css');
	assert(css.status === 200 && css.headers.get('content-type').startsWith('text/css'), 'css');
	eq((await hub.get('/api/indicators?fy=2025&explain=nope')).status, 404);
	eq((await hub.get('/api/indicators?fy=banana')).status, 400);
	eq((await hub.get('/api/indicators?fy=2025&format=xml')).status, 400);
	const cur = await hub.get('/api/indicators');
	eq(cur.status, 200, 'no fy: the current fiscal year');

	// the CLI on the live database while the hub runs
	eq(report(db, ['--fy', '2025']), first[0], 'live database');
	// a backup copy, read offline
	const copy = path.join(path.dirname(db), 'copy.db');
	eq(cli(db, ['backup', '--to', copy]).status, 0);
	eq(report(db, ['--fy', '2025', '--db', copy]), first[0], 'backup copy');

	// erase Alice through the participation API: nothing moves
	const login = await fetch(hub.url + '/api/login', { method: 'POST', headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ user: 'fa', password: 'facilitator-pw' }) });
	eq(login.status, 200, 'login');
	const cookie = /mlab_session=[0-9a-f]+/.exec(login.headers.get('set-cookie'))[0];
	const del = await fetch(hub.url + '/api/participants/2', { method: 'DELETE', headers: { cookie, 'content-type': 'application/json' } });
	eq(del.status, 200, 'erase: ' + await del.text());
	for (let i = 0; i < queries.length; i++)
		eq((await hub.get('/api/indicators?' + queries[i])).text, first[i], 'after erasure: ' + queries[i]);
	eq((await hub.stop()).code, 0, 'the hub stops cleanly (no leak): ' + hub.log.slice(-500));
	eq(args.map((a) => report(db, a)), first, 'CLI after erasure');
});

test('mlab-hub report --format datapackage: a Frictionless Data Package of the year', async () => {
	const db = seeded();
	const dir = path.join(tmpdir('dpkg'), 'out');	// created by the hub
	report(db, ['--fy', '2025', '--format', 'datapackage', '--out', dir]);
	const { pkg, resource, rows } = checkPackage(dir);
	eq(fs.readdirSync(dir).sort(), ['datapackage.json', 'indicators-2025.csv'], 'the two files, no leftovers');
	eq(resource.path, 'indicators-2025.csv');
	eq(pkg.licenses[0].name, 'CC-BY-4.0');
	assert(pkg.sources.length === 1 && pkg.sources[0].title.includes('MLab'), 'sources name the lab');
	eq(rows.length, 1, 'one row: the year');
	// every figure of the JSON report, with the same value, in both languages
	const j = JSON.parse(report(db, ['--fy', '2025']));
	const fields = Object.fromEntries(resource.schema.fields.map((f) => [f.name, f]));
	eq(rows[0].fiscal_year, '2025');
	for (const [name, fig] of Object.entries(j.indicators)) {
		assert(fields[name], `field ${name}`);
		eq(rows[0][name] === null ? null : Number(rows[0][name]), fig.value, `${name} in the CSV`);
		if (fig.target !== null)
			eq(Number(rows[0][name + '.target']), fig.target, `${name}.target`);
	}
	eq(fields.sessions.type, 'integer');
	eq(fields.machine_busy_hours.type, 'number');
	eq(fields.sessions.title, 'Séances');
	assert(fields.sessions.description.includes('Séances') && fields.sessions.description.includes('Sessions'),
		'a field is described in French and English');
	assert(fields['participants.by_group.school'].description.includes('Groupe scolaire') &&
		fields['participants.by_group.school'].description.includes('School group'), 'a breakdown\'s key is translated');
	eq(rows[0].appreciation_rate_pct, '60');

	// the validator refuses what the specifications refuse
	const bad = (f, what) => {
		const p = JSON.parse(JSON.stringify(pkg));
		f(p);
		let threw = false;
		try { validateDescriptor(p); } catch { threw = true; }
		assert(threw, 'the validator accepts ' + what);
	};
	bad((p) => delete p.resources, 'no resources');
	bad((p) => { p.name = 'Upper Case'; }, 'a bad package name');
	bad((p) => { p.resources[0].schema.fields[1].type = 'count'; }, 'an unknown field type');
	bad((p) => { p.resources[0].path = '../x.csv'; }, 'a path out of the package');
	bad((p) => { p.licenses = [{ title: 'x' }]; }, 'a licence without name or path');
	bad((p) => { p.resources[0].schema.primaryKey = ['nope']; }, 'a primary key that is no field');

	// bad use: a clear error and nothing written
	const none = path.join(tmpdir('dpkg'), 'none');
	let r = cli(db, ['report', '--fy', '2025', '--format', 'datapackage']);
	eq(r.status, 2, 'datapackage without --out');
	assert(/needs --out/.test(r.stderr), r.stderr);
	r = cli(db, ['report', '--fy', '2025', '--out', none]);
	eq(r.status, 2, '--out without datapackage');
	assert(!fs.existsSync(none), 'nothing written');
});

main();
