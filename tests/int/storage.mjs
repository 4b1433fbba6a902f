// storage.mjs — issue 14: the durability classes.  A power cut (kill -9)
// loses at most the last store.telemetry_commit_s of telemetry and never
// an acknowledged event; unchanged readings are thinned while the minute
// aggregates count every one; long histories come from hourly rollups,
// a day's from per-series hour blocks of minutes.
import {
	test, main, assert, eq, sleep, startBroker, startHub, pub, subscribe, run,
} from '../lib/harness.mjs';

const sql = (db, q) => run('sqlite3', [db, q]).stdout.trim();
const hist = async (hub, dev, q) =>
	(await hub.get('/api/devices/' + encodeURIComponent(dev) + '/history?' + q)).json;

test('kill -9: telemetry older than the window is on disk, every acknowledged event too', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['store.telemetry_commit_s=2'] });
	const acks = await subscribe(b, 'mlab/v1/cut-1/ack');
	for (let i = 1; i <= 5; i++)
		pub(b, 'mlab/v1/cut-1/telemetry', { temperature_c: 20 + i });
	for (let seq = 1; seq <= 10; seq++)
		pub(b, 'mlab/v1/cut-1/event', { seq, type: 'button.pressed', button: 'b' + seq });
	await hub.waitFor(() => acks.msgs.some((m) => m.payload !== 'probe' && JSON.parse(m.payload).seq === 10), 5000, 'events 1..10 acknowledged');
	// past the telemetry window (2 s) and one more commit
	await sleep(4500);
	await hub.stop('SIGKILL');
	await acks.stop();
	eq(sql(hub.db, 'PRAGMA integrity_check'), 'ok', 'database intact');
	eq(sql(hub.db, 'SELECT count(*) FROM events e JOIN devices d USING (dev) WHERE d.id = \'mlab/cut-1\''), '10',
		'every acknowledged event stored');
	eq(sql(hub.db, 'SELECT count(*) FROM telemetry t JOIN devices d USING (dev) WHERE d.id = \'mlab/cut-1\''), '5',
		'the readings older than the window stored');
	await hub.start();
	const h = await hist(hub, 'mlab/cut-1', 'metric=temperature_c&from=' + new Date(Date.now() - 600e3).toISOString());
	eq(h.points.map((p) => p[1]), [21, 22, 23, 24, 25], 'history after the cut');
	eq(h.step, 'raw', 'ten minutes: raw points');
	eq((await hub.stop()).code, 0);
	await b.stop();
});

test('an unchanged reading is stored once until the heartbeat; the minute counts all of them', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	for (let i = 0; i < 6; i++)
		pub(b, 'mlab/v1/flat-1/telemetry', { humidity_pct: 40, power_w: 10 + i });
	await hub.waitFor(async () => (await hub.get('/api/devices/' + encodeURIComponent('mlab/flat-1'))).json?.metrics?.power_w === 15,
		5000, 'six readings applied');
	eq((await hub.stop()).code, 0);
	const q = (name, col) => sql(hub.db, `SELECT ${col} FROM telemetry_min JOIN metrics m ON m.id = mid WHERE m.name = '${name}'`);
	eq(q('humidity_pct', 'sum(n)'), '6', 'six humidity readings in the minute aggregates');
	eq(q('humidity_pct', 'min(min) || \'/\' || max(max)'), '40.0/40.0', 'their range');
	eq(q('power_w', 'sum(n)'), '6', 'six power readings');
	eq(sql(hub.db, 'SELECT count(*) FROM telemetry'), '6', 'six raw rows (power changed every time)');
	await hub.start();
	const h = await hist(hub, 'mlab/flat-1', 'metric=humidity_pct&from=' + new Date(Date.now() - 600e3).toISOString());
	eq(h.points.length, 1, 'one raw humidity point: the rest were the same value');
	eq((await hub.stop()).code, 0);
	await b.stop();
});

test('history: hourly rollups for long spans, step= chooses, a bad step is refused', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['store.telemetry_commit_s=1'] });
	const now = Math.floor(Date.now() / 1000);
	const hourAgo = (Math.floor(now / 3600) - 3) * 3600;	// an hour that is over
	for (let i = 0; i < 4; i++)	// device clock: readings from three hours ago
		pub(b, 'mlab/v1/old-1/telemetry', { ts: hourAgo + 60 * i, co2_ppm: 400 + 100 * i });
	await hub.waitFor(async () => (await hub.get('/api/devices/' + encodeURIComponent('mlab/old-1'))).json?.metrics?.co2_ppm === 700,
		5000, 'readings applied');
	await sleep(2500);	// one telemetry commit: minutes written, the hour rolled
	const from = new Date((hourAgo - 86400 * 5) * 1000).toISOString();
	const h = await hist(hub, 'mlab/old-1', `metric=co2_ppm&from=${from}`);
	eq(h.step, 'hour', 'five days: hourly');
	eq(h.points.map((p) => p[1]), [550], 'the hour\'s average');
	const near = `from=${hourAgo - 600}&to=${hourAgo + 600}`;	// 20 minutes: not bucketed
	const m = await hist(hub, 'mlab/old-1', `metric=co2_ppm&${near}&step=minute`);
	eq(m.points.map((p) => p[1]), [400, 500, 600, 700], 'step=minute: the minutes');
	// the hour that is over: its minutes in one block per series, which a
	// day's chart reads without the minute rows (kept two days)
	eq(sql(hub.db, `SELECT count(*), length(mins) FROM telemetry_mblk WHERE hour = ${hourAgo / 3600}`), '1|40', 'one block of 4 minutes');
	run('sqlite3', ['-cmd', '.timeout 5000', hub.db, `DELETE FROM telemetry_min WHERE minute < ${hourAgo / 60 + 60}`]);
	const mb = await hist(hub, 'mlab/old-1', `metric=co2_ppm&${near}&step=minute`);
	eq(mb.points, m.points, 'step=minute from the block alone: the same points');
	const r = await hub.get('/api/devices/' + encodeURIComponent('mlab/old-1') + '/history?metric=co2_ppm&step=week');
	eq(r.status, 400, 'unknown step refused');
	const met = (await hub.get('/metrics')).text;
	assert(/^mlab_db_bytes \d+/m.test(met), 'database size gauge');
	assert(/^mlab_disk_free_bytes \d+/m.test(met), 'free space gauge');
	eq((await hub.stop()).code, 0);
	await b.stop();
});

test('disk-low: raised on MQTT, /ws and /api/alerts when less than store.min_free_mb is left', async () => {
	const b = await startBroker();
	const alerts = await subscribe(b, 'mlab/v1/hub/alert/#');
	// more than any disk here has free: the first look (2 s after start) raises it
	const hub = await startHub({ broker: b, sets: ['store.min_free_mb=1048576'] });
	const a = await hub.waitFor(async () => (await hub.get('/api/alerts')).json.alerts?.find((x) => x.kind === 'disk-low'), 8000, 'disk-low alert');
	eq(a.device, 'hub');
	eq(a.min_free_mb, 1048576);
	assert(a.free_mb >= 0 && a.free_mb < 1048576, 'free_mb ' + a.free_mb);
	eq(a.message, undefined, 'the anonymous view carries no message (staff labels stay with the staff)');
	const m = await hub.waitFor(() => alerts.msgs.find((x) => x.topic === 'mlab/v1/hub/alert/disk-low'), 5000, 'disk-low on MQTT');
	assert(/MiB left for the database/.test(m.json.message), m.payload);
	// only once, however many minutes it lasts
	eq((await hub.get('/api/alerts')).json.alerts.filter((x) => x.kind === 'disk-low').length, 1);
	await alerts.stop();
	await hub.stop();
	const quiet = await startHub({ broker: b, sets: ['store.min_free_mb=0'] });
	await sleep(3000);
	eq((await quiet.get('/api/alerts')).json.alerts.filter((x) => x.kind === 'disk-low').length, 0, 'no alert with space left');
	await quiet.stop();
	await b.stop();
});

await main();
