// acks.mjs — issue 13, part 1: "acknowledged means stored", from the hub's
// side (README, "Acknowledged means stored"; lab/ack.h has the rule).
//
//  1. 1-2-4: mlab-load holds event 3 back; the hub acknowledges 2 and
//     reports 3 missing (never 4 over the hole), the loader resends 3,
//     the final ack is 4, and the database holds 1..4 exactly once.
//  2. The rule on the wire: duplicates re-acked, a new boot starts a new
//     numbering, base honoured, an older boot stored but not acknowledged,
//     legacy events without boot, acks not retained (a stale retained ack
//     of an older hub is cleared), and the watermark and boot kept across a
//     restart.
//  3. A kill storm: 20+ kill -9 of the hub at random moments and 2 broker
//     restarts during a resent burst (10 devices x 1,600 events); then
//     every acknowledged event is in the database exactly once.
//
// Run: node tests/int/acks.mjs   (after make; uses build/asan/mlab-hub)
import fs from 'node:fs';
import path from 'node:path';
import {
	ROOT, test, main, assert, eq, check, sleep, startBroker, startHub, pub, sub, subscribe,
	startProc, run, waitFor,
} from '../lib/harness.mjs';

const LOADER = path.join(ROOT, 'devices/mlab-load');
const sql = (db, q) => run('sqlite3', [db, q]).stdout.trim();
const summary = (out) => out.split('\n').filter((l) => l.startsWith('{"device"')).map((l) => JSON.parse(l));
const acksOf = (s, id) => s.msgs.filter((m) => m.topic === `mlab/v1/${id}/ack`);

// count, distinct seqs, min and max of device id's events of boot (up to seq max)
function stored(db, id, boot, max = 9e15) {
	const r = sql(db, `SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM events e
		JOIN devices d ON d.dev = e.dev WHERE d.id = 'mlab/${id}' AND e.boot = '${boot}' AND e.seq <= ${max}`);
	return r.split('|').map((x) => (x === '' ? null : Number(x)));
}

test('1-2-4: the hub acknowledges 2, reports 3 missing, and 4 only once 3 is stored', async () => {
	assert(fs.existsSync(LOADER), 'devices/mlab-load built');
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	const s = await subscribe(b, 'mlab/v1/+/ack');
	const loader = startProc(LOADER, ['-p', String(b.port), '-n', '1', '-c', '4', '-k', 'event', '--id-prefix', 'hole',
		'--resend-until-ack', '--skip-seq', '3', '--resend-ms', '600000', '--ack-timeout', '10', '--no-announce']);
	const code = await loader.exited;
	await waitFor(() => acksOf(s, 'hole-0001').some((m) => m.json?.seq === 4), 5000, 'our copy of the last ack');
	const acks = acksOf(s, 'hole-0001').map((m) => m.json).filter(Boolean);
	const [dev] = summary(loader.out);
	check(code === 0, 'the loader ends with every event acknowledged', loader.out + loader.err);
	const first = acks.findIndex((a) => a.seq >= 3);
	check(acks.some((a, i) => a.seq === 2 && JSON.stringify(a.missing) === '[[3,3]]' && (first < 0 || i < first)),
		'the hub acknowledges 2 and reports 3 missing before any higher ack', JSON.stringify(acks));
	check(first >= 0 && acks[first].seq === 4 && !acks[first].missing, 'the next ack is 4, with nothing missing',
		JSON.stringify(acks));
	check(acks.every((a) => a.boot === dev?.boot), 'every ack names the loader\'s boot', JSON.stringify(acks));
	check(JSON.stringify(dev && [dev.sent, dev.acked]) === '[4,4]', 'the loader: 4 sent, 4 acknowledged', JSON.stringify(dev));
	eq(stored(hub.db, 'hole-0001', dev?.boot), [4, 4, 1, 4], 'events 1..4 stored exactly once');
	await s.stop();
	eq((await hub.stop()).code, 0, 'clean exit (no leak)');
});

test('the rule on the wire: duplicates, boots, base, older boots, legacy, no retained acks, restarts', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	const s = await subscribe(b, 'mlab/v1/+/ack');
	const ev = (seq, extra = {}) => pub(b, 'mlab/v1/w-1/event', { seq, type: 'button.pressed', button: 'x', ...extra });
	const next = async (pred, what) => {
		const from = s.seen || 0;
		const m = await waitFor(() => acksOf(s, 'w-1').slice(from).find((x) => x.json && pred(x.json)), 5000, what);
		s.seen = acksOf(s, 'w-1').indexOf(m) + 1;
		return m.json;
	};

	ev(1, { boot: 'a' });
	eq(await next((a) => a.boot === 'a', 'ack of a/1'), { seq: 1, boot: 'a' }, 'first event');
	eq((await sub(b, 'mlab/v1/w-1/ack', { retainedOnly: true, ms: 1000 })).filter((m) => m.payload), [],
		'acks are not retained');
	ev(1, { boot: 'a' });
	eq(await next((a) => a.boot === 'a', 'ack of the duplicate'), { seq: 1, boot: 'a' }, 'a duplicate is acknowledged again');
	ev(3, { boot: 'a' });
	eq(await next((a) => a.boot === 'a', 'ack over a hole'), { seq: 1, boot: 'a', missing: [[2, 2]] }, 'a hole holds the ack');
	ev(2, { boot: 'a' });
	eq(await next((a) => a.boot === 'a' && a.seq > 1, 'hole filled'), { seq: 3, boot: 'a' }, 'the hole filled: 3');

	ev(1, { boot: 'b' });
	eq(await next((a) => a.boot === 'b', 'ack of boot b'), { seq: 1, boot: 'b' }, 'a new boot starts at 1');
	ev(4, { boot: 'a' });	// late, of the older numbering: stored, not acknowledged
	ev(10, { boot: 'c', base: 10 });
	const c = await next((a) => a.boot !== 'b', 'ack of boot c');
	eq(c, { seq: 10, boot: 'c' }, 'a new boot with base 10: nothing below 10 is waited for (and no ack for old boot a)');
	ev(12, { boot: 'c', base: 10 });
	eq(await next((a) => a.boot === 'c' && a.missing, 'ack with 11 missing'), { seq: 10, boot: 'c', missing: [[11, 11]] }, '11 missing');

	eq((await hub.stop()).code, 0, 'clean exit');
	// as if an older hub had acknowledged w-1 (schema 6 marks such devices):
	// its retained ack would tell a rebooted device its new events are stored
	sql(hub.db, 'UPDATE event_acks SET retained = 1');
	pub(b, 'mlab/v1/w-1/ack', { seq: 99 }, { retain: true });
	await hub.start();
	await waitFor(async () => !(await sub(b, 'mlab/v1/w-1/ack', { retainedOnly: true, ms: 1000 })).some((m) => m.json),
		5000, 'the stale retained ack cleared at connection');
	ev(13, { boot: 'c' });
	eq(await next((a) => a.boot === 'c' && a.missing, 'ack after restart'), { seq: 10, boot: 'c', missing: [[11, 11]] },
		'after a restart: same boot, watermark and the seqs stored above it');
	ev(11, { boot: 'c' });
	eq(await next((a) => a.boot === 'c' && a.seq > 10, 'hole filled after restart'), { seq: 13, boot: 'c' }, 'then 13');

	pub(b, 'mlab/v1/w-2/event', { seq: 1, type: 'button.pressed' });
	pub(b, 'mlab/v1/w-2/event', { seq: 2, type: 'button.pressed' });
	await waitFor(() => acksOf(s, 'w-2').some((m) => m.json?.seq === 2), 5000, 'legacy ack');
	check(acksOf(s, 'w-2').every((m) => !m.json || !('boot' in m.json)), 'events without boot: acks without boot',
		JSON.stringify(acksOf(s, 'w-2')));
	eq((await sub(b, 'mlab/v1/+/ack', { retainedOnly: true, ms: 1000 })).filter((m) => m.payload), [], 'still nothing retained');

	eq(stored(hub.db, 'w-1', 'a'), [4, 4, 1, 4], 'boot a: 1..4 (4 late, stored)');
	eq(stored(hub.db, 'w-1', 'b'), [1, 1, 1, 1], 'boot b: 1');
	eq(stored(hub.db, 'w-1', 'c'), [4, 4, 10, 13], 'boot c: 10..13');
	eq(stored(hub.db, 'w-2', ''), [2, 2, 1, 2], 'legacy: 1..2');
	await s.stop();
	eq((await hub.stop()).code, 0, 'clean exit');
});

test('kill storm: 20+ kill -9 and 2 broker restarts during a resent burst; every acknowledged event stored once', async () => {
	const DEVICES = 10, PER = 1600, KILLS = 20;
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['store.commit_ms=20'] });
	const loader = startProc(LOADER, ['-p', String(b.port), '-n', String(DEVICES), '-r', '1000',
		'-c', String(DEVICES * PER), '-k', 'event', '--id-prefix', 'storm', '--resend-until-ack',
		'--resend-ms', '1000', '--ack-timeout', '60', '--no-announce']);
	let kills = 0, brokers = 0;
	while (kills < KILLS && loader.code === undefined) {
		await sleep(100 + Math.random() * 500);
		await hub.stop('SIGKILL');
		kills++;
		if (kills === 7 || kills === 14) {	// the broker too, while the hub is down
			await b.stop(kills === 7 ? 'SIGTERM' : 'SIGKILL');
			await sleep(200);
			await b.start();
			brokers++;
		}
		await sleep(Math.random() * 300);
		await hub.start();
	}
	const code = await loader.exited;
	console.log(`# tried: ${kills} hub kills (kill -9), ${brokers} broker restarts, ` +
		`${DEVICES} devices x ${PER} events = ${DEVICES * PER} events`);
	check(kills >= KILLS, `at least ${KILLS} kills during the burst`, kills);
	check(brokers >= 2, 'at least 2 broker restarts', brokers);
	check(code === 0, 'the loader ends with every event acknowledged', loader.out.split('\n').slice(-2).join(' ') + loader.err.slice(-500));
	eq((await hub.stop()).code, 0, 'clean exit after the storm');
	eq(sql(hub.db, 'PRAGMA integrity_check'), 'ok', 'database intact');
	const devs = summary(loader.out);
	eq(devs.length, DEVICES, 'one summary line per device');
	let lost = 0, acked = 0;
	for (const d of devs) {
		const id = d.device;
		const [n, distinct, min, max] = stored(hub.db, id, d.boot, d.acked);
		acked += d.acked;
		if (!(n === d.acked && distinct === n && (n === 0 || (min === 1 && max === d.acked)))) {
			lost += d.acked - distinct;
			check(false, `${id}: events 1..${d.acked} acknowledged, stored once`, JSON.stringify([n, distinct, min, max]));
		}
	}
	check(lost === 0 && acked === DEVICES * PER, `every acknowledged event is stored exactly once (${acked} acknowledged)`,
		`${lost} lost`);
	eq(sql(hub.db, "SELECT count(*) FROM events e JOIN devices d ON d.dev = e.dev WHERE d.id LIKE 'mlab/storm-%'"),
		String(DEVICES * PER), 'nothing stored twice or invented');
});

await main();
