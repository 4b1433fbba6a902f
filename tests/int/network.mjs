// network.mjs — issue 18: two labs and a network hub over real bridged
// mosquitto brokers on loopback.  Each lab's database holds names, e-mails,
// postal codes, file names and free text; none may reach the network.  The
// central broker is cut during activity, the network hub is killed with
// SIGKILL mid-stream, a lab erases a participant: the network's figures
// for each site equal that lab's own report, and the total is their sum.
// NET_CENTRAL=rabbitmq (make check-network) makes the central broker a
// private RabbitMQ node with its MQTT plugin (tests/lib/rabbit.mjs) and
// the bridges the script's --rabbitmq snippet.
import { execFileSync } from 'node:child_process';
import {
	ROOT, HUB_BIN, test, main, assert, eq, sleep, startBroker, startHub, run, waitFor, subscribe, tmpdir,
} from '../lib/harness.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { checkPackage } from '../lib/dpkg.mjs';
import { startRabbit } from '../lib/rabbit.mjs';

const RABBIT = process.env.NET_CENTRAL === 'rabbitmq';
// a RabbitMQ node takes ~10 s to come back, and the bridges' back-off
// (restart_timeout 2 30) grows while it does
const SLOW = RABBIT ? 4 : 1;

const sql = (db, q) => {
	const r = run('sqlite3', ['-bail', '-cmd', '.timeout 10000', db, q]);
	if (r.status !== 0) throw new Error('sqlite3: ' + r.stderr);
	return r.stdout.trim();
};
const T = (s) => Date.parse(s) / 1000;
const SECRETS = ['Zoé Tremblay', 'zoe@example.org', 'G1R 4S9', 'scan-de-zoe.stl',
	'un texte libre très personnel', 'benchy-zoe.gcode', 'Notes du groupe', 'Projet interne secret'];

// One lab's activity on day d (a fiscal-2025 date), written as the lab's own
// modules would, with every personal field filled.
function activity(db, d, n) {
	const t = T(`${d}T14:00:00Z`);
	sql(db, `
INSERT INTO projects(title, summary, status, visibility, created_at, updated_at)
  VALUES ('Mémoire du quartier ${n}', 'Projet interne secret', 'active', 'public', ${t}, ${t});
INSERT INTO project_themes VALUES (last_insert_rowid(), 'quebec-culture');
INSERT INTO projects(title, status, visibility, created_at, updated_at)
  VALUES ('Projet interne secret', 'active', 'internal', ${t}, ${t});
INSERT INTO sessions(started_at, ended_at, facilitator, group_type, group_size, notes)
  VALUES (${t}, ${t + 5400}, 'Zoé Tremblay', 'school', 25, 'Notes du groupe');
INSERT INTO session_projects VALUES ((SELECT max(id) FROM sessions), (SELECT max(id) - 1 FROM projects));
INSERT INTO participants(session_id, age_band, postal_area, display_name, email, created_at, last_seen, party_size)
  VALUES ((SELECT max(id) FROM sessions), '10-13', 'G1R 4S9', 'Zoé Tremblay', 'zoe@example.org', ${t}, ${t}, 3);
INSERT INTO participants(session_id, age_band, created_at, last_seen, party_size)
  VALUES ((SELECT max(id) FROM sessions), NULL, ${t}, ${t}, 4);
INSERT INTO participant_members VALUES (last_insert_rowid(), '35-44', 2), (last_insert_rowid(), '6-9', 2);
INSERT INTO participants(age_band, display_name, email, created_at, last_seen) VALUES ('65+', 'Zoé Tremblay', 'zoe@example.org', ${t}, ${t});
INSERT INTO contributions(project_id, session_id, participant_id, kind, title, body, links, licence, status, created_at, decided_at)
  VALUES ((SELECT max(id) - 1 FROM projects), (SELECT max(id) FROM sessions), (SELECT min(id) FROM participants), 'scan', 'scan-de-zoe.stl',
  'un texte libre très personnel', 'https://example.org/zoe', 'CC-BY-4.0', 'confirmed', ${t + 60}, ${t + 120});
INSERT INTO contributions(session_id, kind, title, status, created_at) VALUES ((SELECT max(id) FROM sessions), 'idea', 'un texte libre très personnel', 'pending', ${t + 70});
INSERT INTO ratings(session_id, value, scale, question, source, at) VALUES ((SELECT max(id) FROM sessions), 3, 3, 'q', 'kiosk', ${t + 100}),
  ((SELECT max(id) FROM sessions), 1, 3, 'q', 'kiosk', ${t + 101}), (NULL, 5, 5, 'q', 'gpio', ${t + 102});
INSERT OR IGNORE INTO devices(dev, id, source, native) VALUES (1, 'mlab/p1', 'mlab', 'p1');
INSERT INTO machine_use(machine, plug, started_at, ended_at, energy_kwh) VALUES ('prusa', 'plug1', ${t}, ${t + 5400}, 0.25);
INSERT INTO jobs(dev, kind, file, state, started_at, ended_at) VALUES (1, 'print', 'benchy-zoe.gcode', 'finished', ${t}, ${t + 3600}),
  (1, 'print', 'benchy-zoe.gcode', 'failed', ${t}, ${t + 1800}), (1, 'scan', 'scan-de-zoe.stl', 'finished', ${t}, ${t + 600});`);
}

async function labFigures(hub) {
	const r = await hub.get('/api/indicators?fy=2025');
	eq(r.status, 200, 'lab indicators');
	return r.json.indicators;
}

// Every lab figure equals the network's for that site; every count in the
// total is the sum of the sites'.  Returns a reason, or '' when all hold.
async function compare(net, labs) {
	const r = await net.get('/api/network/indicators?fy=2025');
	if (r.status !== 200) return 'network ' + r.status;
	const sum = {};
	for (const [site, hub] of Object.entries(labs)) {
		const mine = await labFigures(hub);
		const theirs = r.json.sites[site];
		if (!theirs) return `no site ${site}`;
		for (const [k, v] of Object.entries(mine)) {
			const w = theirs.indicators[k];
			if (!w || w.value !== v.value) return `${site} ${k}: lab ${v.value}, network ${w && w.value}`;
			if (!k.includes('_pct')) sum[k] = Math.round(((sum[k] || 0) + v.value) * 1000) / 1000;
		}
	}
	for (const [k, v] of Object.entries(sum))
		if (r.json.total.indicators[k]?.value !== v) return `total ${k}: ${r.json.total.indicators[k]?.value} ≠ ${v}`;
	return '';
}

async function converge(net, labs, what, ms = 30000 * SLOW) {
	let why = '';
	await waitFor(async () => !(why = await compare(net, labs)), ms, what + ' (' + (() => why)() + ')')
		.catch((e) => { throw new Error(`${what}: ${why}`); });
}

test(`two bridged labs and a network hub (central: ${RABBIT ? 'RabbitMQ' : 'mosquitto'}): figures equal, nothing personal, outage, kill -9, erase`, async () => {
	const central = RABBIT ? await startRabbit() : await startBroker();
	const bridge = (site) => execFileSync(`${ROOT}/scripts/net-bridge.sh`,
		['--site', site, '--central', `127.0.0.1:${central.port}`, '--no-tls', ...(RABBIT ? ['--rabbitmq'] : [])],
		{ encoding: 'utf8' });
	const ba = await startBroker({ extra: bridge('lab-a') });
	const bb = await startBroker({ extra: bridge('lab-b') });
	const fast = ['net.scan_ms=200', 'net.resend_ms=1000'];
	const net = await startHub({ broker: central, sets: ['net.role=network'] });
	const la = await startHub({ broker: ba, sets: ['net.site=lab-a', ...fast] });
	const lb = await startHub({ broker: bb, sets: ['net.site=lab-b', ...fast] });
	const labs = { 'lab-a': la, 'lab-b': lb };
	const seen = await subscribe(central, 'mlab/v1/net/+/fact');

	activity(la.db, '2025-06-10', 1);
	activity(lb.db, '2025-09-02', 1);
	activity(lb.db, '2026-03-31', 2);	// the last day of the fiscal year
	await converge(net, labs, 'first activity');
	const r = await net.get('/api/network/indicators?fy=2025');
	assert(r.json.total.indicators.sessions.value === 3, 'three sessions in the network');

	// the central broker goes away during activity
	await central.stop();
	activity(la.db, '2025-07-01', 2);
	activity(lb.db, '2025-12-01', 3);
	await sleep(1500);
	await central.start();
	await converge(net, labs, 'after the central outage');

	// kill -9 of the network hub in the middle of a stream
	for (let i = 0; i < 5; i++) activity(la.db, `2025-08-0${i + 1}`, 10 + i);
	await sleep(300);
	await net.stop('SIGKILL');
	for (let i = 0; i < 3; i++) activity(lb.db, `2025-10-0${i + 1}`, 20 + i);
	await net.start();
	await converge(net, labs, 'after kill -9');
	for (const site of ['lab-a', 'lab-b']) {
		const lab = labs[site];
		const max = Number(sql(lab.db, 'SELECT max(seq) FROM net_facts'));
		eq(sql(net.db, `SELECT count(*) || ' ' || max(seq) FROM net_rx WHERE site = '${site}'`), `${max} ${max}`,
			`${site}: every fact stored once`);
		await waitFor(() => sql(lab.db, "SELECT value FROM net_state WHERE name = 'acked'") === String(max),
			10000 * SLOW, `${site}: acknowledged up to ${max}`);
	}

	// a lab erases a participant: no network figure changes
	const before = JSON.stringify((await net.get('/api/network/indicators?fy=2025')).json.total);
	sql(la.db, "UPDATE participants SET display_name = NULL, email = NULL, postal_area = NULL, erased_at = 1 WHERE display_name IS NOT NULL");
	await sleep(1000);
	await converge(net, labs, 'after an erase');
	eq(JSON.stringify((await net.get('/api/network/indicators?fy=2025')).json.total), before, 'erase changes no network figure');

	// nothing personal on the wire nor in the network's database
	const wire = seen.msgs.map((m) => m.payload).join('\n');
	assert(seen.msgs.length > 0, 'facts seen on the central broker');
	const stored = sql(net.db, 'SELECT group_concat(state, char(10)) FROM net_rx');
	for (const s of SECRETS) {
		assert(!wire.includes(s), `"${s}" went over the wire`);
		assert(!stored.includes(s), `"${s}" is in the network's database`);
	}
	assert(stored.includes('Mémoire du quartier'), 'a public project title is a fact');

	// CSV and HTML of the same figures
	const csv = await net.get('/api/network/indicators?fy=2025&format=csv');
	assert(/^site,indicator,value\r\n/.test(csv.text) && csv.text.includes('total,sessions,'), 'CSV');
	const html = await net.get('/api/network/indicators?fy=2025&format=html&lang=en');
	assert(html.text.includes('<th scope="col" class="n">lab-a</th>'), 'HTML');
	eq((await net.get('/api/network/indicators?fy=nope')).status, 400, 'a bad year');
	// one rule for a fiscal year (report/fiscal.c): a lab's report and the
	// network's figures take the same spellings and refuse the same ones
	for (const fy of ['2025', '2025-26', '2025-2026', 'nope', '25', '2025-27', '2025-2027', '2025-', '+2025', '2025-26x', '1999']) {
		const q = encodeURIComponent(fy);
		const a = await la.get(`/api/indicators?fy=${q}`), b = await net.get(`/api/network/indicators?fy=${q}`);
		eq([a.status, a.json && a.json.fy], [b.status, b.json && b.json.fy], `fy=${fy}: lab and network`);
		eq(a.status, /^2025(-26|-2026)?$/.test(fy) ? 200 : 400, `fy=${fy}`);
		if (a.status === 200) eq(a.json.fy, 2025, `fy=${fy} is 2025`);
	}

	// a trail back to the facts: for each count, each site's lines and the
	// total's add up to the figure, exactly, and each line is a stored fact
	const COUNTS = ['sessions', 'sessions.by_group.school', 'participants', 'participants.by_age.10-13',
		'contributions_confirmed', 'contributions_pending', 'votes', 'votes_positive', 'participation_projects',
		'quebec_culture_projects', 'print_jobs_finished', 'print_jobs_failed', 'scans'];
	const figs = (await net.get('/api/network/indicators?fy=2025')).json;
	let trailText = '';
	for (const key of COUNTS) {
		let all = 0;
		for (const site of [null, 'lab-a', 'lab-b']) {
			const q = `/api/network/indicators/explain?fy=2025&key=${encodeURIComponent(key)}${site ? '&site=' + site : ''}`;
			const t = await net.get(q);
			eq(t.status, 200, q);
			const want = (site ? figs.sites[site] : figs.total).indicators[key].value;
			eq(t.json.value, want, `${q}: the figure`);
			const sum = t.json.rows.reduce((a, r) => a + r.counted, 0);
			eq(sum, want, `${q}: the lines add up to the figure`);
			assert(t.json.rows.length > 0, `${q}: lines`);
			for (const r of t.json.rows.slice(0, 3)) {
				assert(!site || r.site === site, `${q}: a line of ${site}`);
				eq(sql(net.db, `SELECT type || ' ' || state FROM net_rx WHERE site = '${r.site}' AND seq = ${r.seq}`),
					`${r.type} ${JSON.stringify(r.state)}`, `${q}: line ${r.key} is fact ${r.seq}`);
			}
			trailText += t.text;
			if (!site) all = t.json.rows.length;
			else all -= t.json.rows.length;
		}
		eq(all, 0, `${key}: the total's lines are the sites' lines`);
		const csv = await net.get(`/api/network/indicators/explain?fy=2025&key=${encodeURIComponent(key)}&format=csv`);
		const lines = csv.text.trim().split('\r\n');
		eq(lines[0], 'site,seq,key,type,at,counted,state', 'the trail as CSV');
		eq(lines.length - 1, (await net.get(`/api/network/indicators/explain?fy=2025&key=${encodeURIComponent(key)}`)).json.rows.length,
			`${key}: a CSV line per fact`);
	}
	const hours = await net.get('/api/network/indicators/explain?fy=2025&key=machine_busy_hours');
	eq(Math.round(hours.json.rows.reduce((a, r) => a + r.counted, 0) * 100) / 100,
		Math.round(figs.total.indicators.machine_busy_hours.value * 100) / 100, 'machine hours: the days add up');
	assert(hours.json.rows.every((r) => r.type === 'machines.day'), 'machine hours come from days');
	for (const s of SECRETS) assert(!trailText.includes(s), `"${s}" is in a trail`);
	eq((await net.get('/api/network/indicators/explain?fy=2025&key=nope')).status, 404, 'no such figure');
	eq((await net.get('/api/network/indicators/explain?fy=2025&key=sessions&site=lab-z')).status, 404, 'no such site');
	eq((await net.get('/api/network/indicators/explain?fy=2025')).status, 400, 'a trail needs a key');
	const th = await net.get('/api/network/indicators/explain?fy=2025&key=sessions&format=html&lang=en');
	assert(th.text.includes('<html lang="en">') && th.text.includes('<td>session.closed</td>'), 'the trail as HTML');

	// open data: the network's Data Package, one row per site and the total
	const dir = path.join(tmpdir('netdp'), 'out');
	const dp = run(HUB_BIN, ['--set', `store.path=${net.db}`, '--set', 'net.role=network', '--set', 'log.level=warn',
		'report', '--fy', '2025', '--format', 'datapackage', '--out', dir]);
	eq(dp.status, 0, 'network datapackage: ' + dp.stderr);
	const { pkg, resource, rows } = checkPackage(dir);
	eq(resource.path, 'network-indicators-2025.csv');
	eq(resource.schema.primaryKey, ['fiscal_year', 'site']);
	eq(rows.map((o) => o.site), ['lab-a', 'lab-b', 'total'], 'a row per site, then the total');
	eq(pkg.sources.length, 2, 'a source per site');
	const api = (await net.get('/api/network/indicators?fy=2025')).json;
	for (const o of rows) {
		const ind = o.site === 'total' ? api.total.indicators : api.sites[o.site].indicators;
		for (const f of resource.schema.fields.slice(2).filter((f) => !f.name.endsWith('.target'))) {
			const v = ind[f.name] ? ind[f.name].value : null;
			eq(o[f.name] === null ? null : Number(o[f.name]), v, `${o.site} ${f.name}`);
		}
	}
	for (const f of resource.schema.fields.filter((f) => f.type === 'integer'))
		eq(Number(rows[2][f.name]), rows.slice(0, 2).reduce((a, o) => a + Number(o[f.name] || 0), 0),
			`total ${f.name} = the sum of the sites'`);
	const text = fs.readFileSync(path.join(dir, resource.path), 'utf8') + fs.readFileSync(path.join(dir, 'datapackage.json'), 'utf8');
	for (const s of SECRETS)
		assert(!text.includes(s), `"${s}" is in the open data`);
	await seen.stop();
});

main();
