// network_week.mjs — issue 18: a lab offline for a week catches up by
// itself.  A lab mosquitto bridged to a central one with the script's own
// snippet and a bridge queue smaller than the week (max_queued_messages
// 200; Debian leaves mosquitto's default of 1000, and the hub, which sends
// each fact once and then probes with one at a time while no ack comes,
// may not reach that in a short test); the central broker goes away, a
// busy week of the lab's activity is written (~1,900 facts, well past the
// bridge's queue, which drops the rest), the central broker comes back and,
// with no other action, the network's figures for the site equal the lab's
// own, every fact stored once and acknowledged: the hub's keep-until-acked
// resend fills in what the broker's queue dropped.
import { execFileSync } from 'node:child_process';
import {
	ROOT, test, main, assert, eq, sleep, startBroker, startHub, run, waitFor,
} from '../lib/harness.mjs';

const sql = (db, q) => {
	const r = run('sqlite3', ['-bail', '-cmd', '.timeout 10000', db, q]);
	if (r.status !== 0) throw new Error('sqlite3: ' + r.stderr);
	return r.stdout.trim();
};
const T = (s) => Date.parse(s) / 1000;

// A busy day as the lab's modules write it: 12 sessions of 1 to 4 parties,
// 60 check-ins outside a session, 40 contributions, 150 ratings, 2 projects,
// machine use and jobs.  One fact per session, lone check-in,
// contribution, rating and project, and one for the day's machines:
// 265 facts a day.
function day(db, d) {
	const t = T(`${d}T13:00:00Z`);
	sql(db, `BEGIN;
INSERT INTO projects(title, status, visibility, created_at, updated_at)
  VALUES ('Atelier du ${d}', 'active', 'public', ${t}, ${t}), ('Projet interne ${d}', 'active', 'internal', ${t}, ${t});
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 11)
INSERT INTO sessions(started_at, ended_at, facilitator, group_type, group_size, notes)
  SELECT ${t} + n * 1200, ${t} + n * 1200 + 3600, 'Zoé Tremblay', CASE n % 3 WHEN 0 THEN 'school' WHEN 1 THEN 'family' ELSE 'walk-in' END,
  5 + n, 'Notes du groupe' FROM i;
INSERT INTO participants(session_id, age_band, postal_area, display_name, email, created_at, last_seen, party_size)
  SELECT s.id, CASE (s.id + k.n) % 3 WHEN 0 THEN '10-13' WHEN 1 THEN '35-44' ELSE '65+' END, 'G1R 4S9', 'Zoé Tremblay',
  'zoe@example.org', s.started_at, s.started_at, 1 + k.n % 3
  FROM sessions s, (WITH RECURSIVE j(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM j WHERE n < 3) SELECT n FROM j) k
  WHERE s.started_at >= ${t} AND s.started_at < ${t} + 86400 AND k.n <= s.id % 4;
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 59)
INSERT INTO participants(age_band, created_at, last_seen, party_size)
  SELECT CASE n % 4 WHEN 0 THEN '6-9' WHEN 1 THEN '18-24' WHEN 2 THEN '45-54' ELSE '14-17' END, ${t} + n * 300, ${t} + n * 300, 1 + n % 2 FROM i;
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 39)
INSERT INTO contributions(project_id, session_id, kind, title, body, licence, status, created_at, decided_at)
  SELECT (SELECT max(id) - 1 FROM projects), (SELECT max(id) - n % 12 FROM sessions),
  CASE n % 3 WHEN 0 THEN 'scan' WHEN 1 THEN 'print' ELSE 'idea' END, 'scan-de-zoe.stl', 'un texte libre',
  'CC-BY-4.0', CASE n % 4 WHEN 3 THEN 'pending' ELSE 'confirmed' END, ${t} + n * 60, CASE n % 4 WHEN 3 THEN NULL ELSE ${t} + n * 60 + 30 END FROM i;
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 149)
INSERT INTO ratings(session_id, value, scale, question, source, at)
  SELECT CASE WHEN n % 5 = 0 THEN NULL ELSE (SELECT max(id) - n % 12 FROM sessions) END, 1 + n % 5, 5, 'q', 'kiosk', ${t} + n * 20 FROM i;
INSERT OR IGNORE INTO devices(dev, id, source, native) VALUES (1, 'mlab/p1', 'mlab', 'p1');
INSERT INTO machine_use(machine, plug, started_at, ended_at, energy_kwh) VALUES ('prusa', 'plug1', ${t}, ${t} + 14400, 0.6);
INSERT INTO jobs(dev, kind, file, state, started_at, ended_at) VALUES (1, 'print', 'piece.gcode', 'finished', ${t}, ${t} + 3600),
  (1, 'print', 'piece.gcode', 'failed', ${t}, ${t} + 1800);
COMMIT;`);
}

async function differs(net, lab, site) {
	const r = await net.get('/api/network/indicators?fy=2025');
	if (r.status !== 200) return 'network ' + r.status;
	const mine = (await lab.get('/api/indicators?fy=2025')).json.indicators;
	const theirs = r.json.sites[site];
	if (!theirs) return 'no site yet';
	for (const [k, v] of Object.entries(mine)) {
		const w = theirs.indicators[k];
		if (!w || w.value !== v.value) return `${k}: lab ${v.value}, network ${w && w.value}`;
	}
	return '';
}

test('a lab offline for a week catches up by itself, past the bridge queue', async () => {
	const central = await startBroker();
	const snippet = execFileSync(`${ROOT}/scripts/net-bridge.sh`,
		['--site', 'lab-a', '--central', `127.0.0.1:${central.port}`, '--no-tls'], { encoding: 'utf8' });
	// a queue the week overflows for sure (the harness raises it), and
	// mosquitto's notices, which say when it drops
	const lab = await startBroker({ extra: 'max_queued_messages 200\nlog_type notice\n' + snippet });
	const net = await startHub({ broker: central, sets: ['net.role=network', 'log.level=warn'] });
	const hub = await startHub({ broker: lab, sets: ['net.site=lab-a', 'net.scan_ms=200', 'net.resend_ms=1000', 'log.level=warn'] });
	let why = '';

	day(hub.db, '2025-05-04');
	await waitFor(async () => !(why = await differs(net, hub, 'lab-a')), 30000, 'the first day')
		.catch(() => { throw new Error('first day: ' + why); });
	const before = Number(sql(hub.db, 'SELECT max(seq) FROM net_facts'));

	const published = async () => Number((await hub.get('/metrics')).text.match(/^mlab_net_facts_sent_total (\d+)/m)[1]);
	// the link to the central broker is down for the whole week
	await central.stop();
	const from = await published();
	for (let i = 5; i <= 11; i++) day(hub.db, `2025-05-${String(i).padStart(2, '0')}`);
	// the scans are done when the log stops growing (a scan every 200 ms)
	let last = -1, n = 0;
	for (let i = 0; i < 60; i++) {
		const now = Number(sql(hub.db, 'SELECT max(seq) FROM net_facts'));
		if (now === last && now > before) break;
		last = now;
		await sleep(700);
	}
	n = last - before;
	assert(n >= 1500, `a busy week is well over 1,000 facts (${n})`);
	// the hub published (and resent) into the lab broker until its queue
	// for the bridge was full: mosquitto drops the rest
	await waitFor(() => /Outgoing messages are being dropped/.test(lab.log), 30000, 'the bridge queue overflows');
	eq(Number(sql(hub.db, "SELECT value FROM net_state WHERE name = 'acked'")), before, 'nothing acknowledged while offline');

	// each fact once, the unacknowledged ones once more (at most a batch of
	// 500) after a silent turn, then one fact at a time as a probe: no
	// blind resends of whole batches every turn that would fill the bridge
	// queue with copies (the old hub: 500 more every second here)
	const sent = await published() - from;
	assert(sent < n + 500 + 100, `the hub published ${sent} facts for ${n} while the bridge was down`);
	// the link comes back; nothing else is done
	await central.start();
	await waitFor(async () => !(why = await differs(net, hub, 'lab-a')), 50000, 'the week caught up')
		.catch(() => { throw new Error('after the week: ' + why); });
	const max = Number(sql(hub.db, 'SELECT max(seq) FROM net_facts'));
	eq(sql(net.db, "SELECT count(*) || ' ' || max(seq) FROM net_rx WHERE site = 'lab-a'"), `${max} ${max}`,
		'every fact of the week stored once');
	await waitFor(() => sql(hub.db, "SELECT value FROM net_state WHERE name = 'acked'") === String(max),
		10000, `acknowledged up to ${max}`);
	const r = (await net.get('/api/network/indicators?fy=2025')).json;
	eq(r.sites['lab-a'].indicators.sessions.value, 8 * 12, 'eight days of twelve sessions');
	eq(r.total.indicators.sessions.value, 8 * 12, 'and the total');
	const dup = Number(((await net.get('/metrics')).text.match(/^mlab_events_duplicate_total (\d+)/m) || [, NaN])[1]);
	console.log(`# a week: ${n} facts; the network absorbed ${dup} duplicates`);
});

main();
