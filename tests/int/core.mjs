// core.mjs — issue 2: a device's MQTT message reaches SQLite, the HTTP API
// and every WebSocket client; the hub survives broker loss, its own
// restarts and SIGKILL without losing what it acknowledged; bad input is
// counted and refused.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import {
	ROOT, HUB_BIN, test, main, assert, eq, sleep, startBroker, startHub, pub, sub,
	wsClient, waitFor, run, pubLines, tmpdir, track, freePort, request,
} from '../lib/harness.mjs';

const LOADER = path.join(ROOT, 'devices/mlab-load');
const metric = async (hub, name) => {
	const t = (await hub.get('/metrics')).text;
	const m = t.match(new RegExp('^mlab_' + name.replace(/[{}"=]/g, (c) => '\\' + c) + ' (\\S+)$', 'm'));
	return m ? Number(m[1]) : NaN;
};
const sql = (db, q) => run('sqlite3', [db, q]).stdout.trim();

test('a native device appears, its metrics update and history answers', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	pub(b, 'mlab/v1/env-1/meta', { name: 'Capteur labo — salle 2', kind: 'sensor', room: 'Salle 2' }, { retain: true });
	pub(b, 'mlab/v1/env-1/telemetry', { temperature_c: 21.5, humidity_pct: 40 });
	await hub.waitFor(async () => (await hub.device('mlab/env-1'))?.metrics?.temperature_c === 21.5, 3000, 'first reading');
	pub(b, 'mlab/v1/env-1/telemetry', { temperature_c: 22.25, ts: new Date(Date.now() + 200).toISOString() });
	await hub.waitFor(async () => (await hub.device('mlab/env-1')).metrics.temperature_c === 22.25, 3000, 'second reading');
	const d = await hub.device('mlab/env-1');
	eq(d.name, undefined, 'no staff name for the public');
	const staff = await hub.login();
	eq((await hub.get('/api/devices/' + encodeURIComponent('mlab/env-1'), { cookie: staff })).json.name,
		'Capteur labo — salle 2', 'UTF-8 name (staff view)');
	eq([d.kind, d.room, d.online, d.source], ['sensor', 'Salle 2', true, 'mlab']);
	const list = (await hub.get('/api/devices')).json.devices.map((x) => x.id);
	assert(list.includes('mlab/env-1'), 'listed');
	const h = (await hub.get('/api/devices/' + encodeURIComponent('mlab/env-1') +
		'/history?metric=temperature_c&from=' + new Date(Date.now() - 60000).toISOString())).json;
	eq(h.points.map((p) => p[1]), [21.5, 22.25], 'history values');
	assert(/^\d{4}-\d\d-\d\dT/.test(h.points[0][0]), 'ISO times');
	eq((await hub.get('/api/devices/nope%2Fnothing')).status, 404, 'unknown device');
	eq((await hub.get('/api/devices/' + encodeURIComponent('mlab/env-1') + '/history')).status, 400, 'metric required');
	// max= is read as every list's limit is (net/args.c): a count in 1..100000, nothing after it
	for (const max of ['0', '5x', '', '100001']) {
		const r = await hub.get('/api/devices/' + encodeURIComponent('mlab/env-1') +
			'/history?metric=temperature_c&max=' + max);
		eq([r.status, r.json?.error], [400, 'max must be 1..100000'], 'max=' + max);
	}
	eq((await hub.get('/api/devices/' + encodeURIComponent('mlab/env-1') +
		'/history?metric=temperature_c&max=1&from=' + new Date(Date.now() - 60000).toISOString())).status, 200, 'max=1');
	const st = await hub.stop();
	eq(st.code, 0, 'SIGTERM exits 0 (and ASan found no leak)');
});

test('a WebSocket client gets the snapshot, then each change', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	pub(b, 'mlab/v1/plug-1/telemetry', { power_w: 5 });
	await hub.waitFor(async () => (await hub.device('mlab/plug-1'))?.metrics?.power_w === 5, 3000);
	const ws = await wsClient(hub);
	const snap = await ws.waitFor((m) => m.type === 'snapshot');
	eq(ws.messages[0].type, 'snapshot', 'snapshot first');
	assert(snap.devices.some((d) => d.id === 'mlab/plug-1' && d.metrics.power_w === 5), 'device in snapshot');
	pub(b, 'mlab/v1/plug-1/telemetry', { power_w: 123.5 });
	// how fast is `make bench`'s business; here only that it comes
	const delta = await ws.waitFor((m) => m.type === 'device' && m.device.metrics.power_w === 123.5, 10000, 'the delta');
	eq(delta.device.id, 'mlab/plug-1');
	ws.close();
	eq((await hub.stop()).code, 0);
});

test('the broker dies and comes back: data keeps flowing without a hub restart', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	pub(b, 'mlab/v1/s-1/telemetry', { co2_ppm: 400 });
	await hub.waitFor(async () => (await hub.device('mlab/s-1'))?.metrics?.co2_ppm === 400, 3000);
	await b.stop('SIGKILL');
	await hub.waitFor(async () => (await hub.get('/healthz')).json.broker === 'disconnected', 5000, 'disconnected seen');
	await sleep(1500);	// a few back-off rounds
	await b.start();
	await hub.waitFor(async () => (await hub.get('/healthz')).json.broker === 'connected', 8000, 'reconnected');
	pub(b, 'mlab/v1/s-1/telemetry', { co2_ppm: 812 });
	await hub.waitFor(async () => (await hub.device('mlab/s-1')).metrics.co2_ppm === 812, 3000, 'new data after reconnect');
	assert(await metric(hub, 'broker_connects_total') >= 2, 'two connects counted');
	const status = await sub(b, 'mlab/v1/hub/status', { count: 1, ms: 2000 });
	eq(status[0]?.payload, 'online', 'hub status retained online');
	eq((await hub.stop()).code, 0);
});

test('messages published while the hub is down are stored when it returns', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	await hub.stop();
	const down = await sub(b, 'mlab/v1/hub/status', { count: 1, ms: 2000 });
	eq(down[0]?.payload, 'offline', 'offline status after a clean stop');
	for (let i = 1; i <= 20; i++)
		pub(b, 'mlab/v1/late-1/event', { seq: i, type: 'button.pressed', button: 'b' + i });
	await hub.start();
	await hub.waitFor(() => sql(hub.db, 'SELECT count(*) FROM events') === '20', 5000, '20 events stored');
	eq(sql(hub.db, 'SELECT count(*) FROM buttons'), '20', 'each press stored once');
	eq((await hub.stop()).code, 0);
});

test('SIGKILL during a burst: after restart every acknowledged-until-done event is stored exactly once', async () => {
	assert(fs.existsSync(LOADER), 'devices/mlab-load built');
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['store.commit_ms=20'] });
	const loader = track(spawn(LOADER, ['-p', String(b.port), '-n', '5', '-r', '1500', '-c', '3000', '-k', 'event',
		'--resend-until-ack', '--resend-ms', '500', '--ack-timeout', '40', '--no-announce'], { stdio: ['ignore', 'pipe', 'pipe'] }));
	let out = '';
	loader.stdout.on('data', (d) => { out += d; });
	loader.stderr.on('data', (d) => { out += d; });
	const done = new Promise((r) => loader.on('exit', r));
	await sleep(700);
	await hub.stop('SIGKILL');
	await sleep(300);
	await hub.start();
	const code = await done;
	eq(code, 0, 'the loader saw every event acknowledged: ' + out.trim().split('\n').pop());
	await hub.stop();
	eq(sql(hub.db, 'PRAGMA integrity_check'), 'ok', 'database intact after SIGKILL');
	eq(sql(hub.db, 'SELECT count(*) FROM events'), '3000', 'every event stored');
	eq(sql(hub.db, 'SELECT count(*) FROM (SELECT dev, count(*) c, max(seq) m FROM events GROUP BY dev HAVING c = m)'), '5',
		'per device: seq 1..N each exactly once');
});

test('a burst larger than store.batch_max commits early and the hub stays up', async () => {
	// regression: an early commit saved device rows through the same path
	// that triggered it, and recursed until the stack overflowed
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['store.batch_max=100', 'store.commit_ms=1000'] });
	const l = run(LOADER, ['-p', String(b.port), '-n', '40', '-r', '0', '-c', '5000', '-Q', '1', '-k', 'telemetry', '--no-announce']);
	eq(l.status, 0, l.stdout + l.stderr);
	await hub.waitFor(async () => (await metric(hub, 'messages_parsed_total')) === 5000, 8000, '5000 messages parsed');
	assert(await metric(hub, 'commits_total') >= 10, 'committed in batches, not after the 1 s window only');
	eq((await hub.stop()).code, 0);
	eq(sql(hub.db, 'SELECT count(*) FROM telemetry'), '5000', 'every message stored (one row each)');
	eq(sql(hub.db, 'SELECT sum(n) FROM telemetry_min JOIN metrics m ON m.id = mid WHERE m.name = \'power_w\''), '5000',
		'every reading counted in the minute aggregates');
});

test('malformed payloads are logged and counted, and the hub goes on', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['broker.max_payload=65536'] });
	const dir = tmpdir();
	const big = path.join(dir, 'big');
	fs.writeFileSync(big, Buffer.alloc(1024 * 1024, 0x7b));
	const badutf = path.join(dir, 'badutf');
	fs.writeFileSync(badutf, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
	pub(b, 'mlab/v1/bad-1/telemetry', 'not json');
	pub(b, 'mlab/v1/bad-1/telemetry', { temperature_c: 'warm' });
	pub(b, 'mlab/v1/bad-1/event', { type: 'job.started' });	// no seq
	pub(b, 'mlab/v1/bad-1/event', { seq: -3, type: 'job.started' });
	pub(b, 'mlab/v1/bad-1/telemetry', '', { file: big });
	pub(b, 'mlab/v1/bad-1/telemetry', '', { file: badutf });
	pub(b, 'mlab/v1/bad 1/telemetry', { power_w: 1 });	// bad id
	pub(b, 'mlab/v1/bad-1/status', 'perhaps');
	pub(b, 'mlab/v1/bad-1/telemetry', { power_w: 7, colour: 'blue', seq: 4, t_us: 5, nested: { a: 1 } });	// unknown fields skipped
	await hub.waitFor(async () => (await hub.device('mlab/bad-1'))?.metrics?.power_w === 7, 3000, 'the good message after the bad ones');
	const d = await hub.device('mlab/bad-1');
	eq(Object.keys(d.metrics), ['power_w'], 'only the numeric metric kept');
	eq(await metric(hub, 'messages_dropped_total{reason="malformed"}'), 7, 'malformed counted');
	eq(await metric(hub, 'messages_dropped_total{reason="too_big"}'), 1, 'oversized counted');
	assert(/malformed .*not a JSON object/.test(hub.log), 'logged with its reason');
	assert(!hub.log.includes('not json'), 'payload not echoed into the log');
	eq((await hub.stop()).code, 0);
});

test('sequenced events are absorbed when resent and acknowledged once committed', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	const acks = sub(b, 'mlab/v1/scan-9/ack', { count: 2, ms: 4000 });
	pub(b, 'mlab/v1/scan-9/event', { seq: 1, type: 'scan.started', file: 'buste.stl' });
	pub(b, 'mlab/v1/scan-9/event', { seq: 2, type: 'scan.finished', file: 'buste.stl', vertices: 10, faces: 20 });
	await sleep(300);
	pub(b, 'mlab/v1/scan-9/event', { seq: 2, type: 'scan.finished', file: 'buste.stl' });
	const got = await acks;
	assert(got.some((m) => JSON.parse(m.payload).seq === 2), 'ack for seq 2: ' + JSON.stringify(got));
	await hub.waitFor(async () => (await hub.get('/api/jobs')).json.jobs.length === 1, 2000);
	// file names are for staff (often a person's name; tests/attack/sessions.mjs)
	const cookie = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const jobs = (await hub.get('/api/jobs?device=' + encodeURIComponent('mlab/scan-9'), { cookie })).json.jobs;
	eq(jobs.length, 1, 'one scan job despite the resend');
	eq([jobs[0].kind, jobs[0].state, jobs[0].file], ['scan', 'finished', 'buste.stl']);
	assert(await metric(hub, 'events_duplicate_total') >= 1, 'duplicate counted');
	const csv = (await hub.get('/api/jobs?format=csv', { cookie })).text.split('\r\n');
	eq(csv[0], 'device,kind,file,state,started_at,ended_at,duration_s,progress_pct,layers,filament_mm,session');
	assert(csv[1].startsWith('mlab/scan-9,scan,buste.stl,finished,'), csv[1]);
	eq((await hub.stop()).code, 0);
});

test('only devices without an online signal of their own go stale', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['devices.stale_s=10'] });
	pub(b, 'mlab/v1/quiet-lwt/status', 'online', { retain: true });	// has a last will
	pub(b, 'mlab/v1/quiet-lwt/telemetry', { co2_ppm: 500 });
	pub(b, 'mlab/v1/quiet-none/telemetry', { co2_ppm: 600 });	// no signal at all
	pub(b, 'tele/plug-q/LWT', 'Online', { retain: true });	// a Tasmota plug that says nothing more
	await hub.waitFor(async () => (await hub.device('mlab/quiet-none'))?.online === true, 3000);
	await hub.waitFor(async () => (await hub.device('mlab/quiet-none')).online === false, 20000, 'the silent device without a signal goes offline');
	eq((await hub.device('mlab/quiet-lwt')).online, true, 'its last will decides, not silence');
	eq((await hub.device('tasmota/plug-q')).online, true, 'Tasmota LWT Online holds');
	eq((await hub.stop()).code, 0);
});

test('past devices.max, new devices are refused and counted; known ones go on', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['devices.max=3'] });
	for (let i = 1; i <= 6; i++)
		pub(b, `mlab/v1/many-${i}/telemetry`, { power_w: i });
	await hub.waitFor(async () => (await metric(hub, 'messages_dropped_total{reason="device_limit"}')) === 3, 3000, 'three refused');
	eq((await hub.get('/api/devices')).json.devices.map((d) => d.id).sort(), ['mlab/many-1', 'mlab/many-2', 'mlab/many-3']);
	pub(b, 'mlab/v1/many-2/telemetry', { power_w: 42 });
	await hub.waitFor(async () => (await hub.device('mlab/many-2')).metrics.power_w === 42, 3000, 'a known device still updates');
	assert(/many-4 refused: devices\.max \(3\) reached/.test(hub.log), 'logged once with the reason');
	eq(hub.log.match(/refused: devices\.max/g).length, 1, 'not once per message');
	eq((await hub.stop()).code, 0);
});

test('devices and their state survive a restart', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	pub(b, 'mlab/v1/keep-1/telemetry', { energy_kwh: 1.234, switch: true });
	await hub.waitFor(async () => (await hub.device('mlab/keep-1'))?.metrics?.energy_kwh === 1.234, 3000);
	await hub.stop();
	await hub.start();
	const d = await hub.device('mlab/keep-1');
	eq([d.metrics.energy_kwh, d.switch.on], [1.234, true], 'restored from SQLite');
	eq((await hub.stop()).code, 0);
});

test('bad configuration: one line naming the key or file:line, non-zero exit', async () => {
	const dir = tmpdir();
	let r = run(HUB_BIN, ['--set', 'broker.port=seventy']);
	assert(r.status !== 0, 'non-zero');
	assert(/--set: broker\.port: 'seventy' is not a whole number/.test(r.stderr), r.stderr);
	eq(r.stderr.trim().split('\n').length, 1, 'one line');
	r = run(HUB_BIN, ['--set', 'broker.hots=x']);
	assert(r.status !== 0 && /unknown key 'broker\.hots'/.test(r.stderr), r.stderr);
	r = run(HUB_BIN, ['--set', 'gpio.backend=banana']);
	assert(r.status !== 0 && /gpio\.backend: 'banana' is not one of none\|gpiod\|sim/.test(r.stderr), r.stderr);
	const f = path.join(dir, 'bad.conf');
	fs.writeFileSync(f, '[broker]\nhost = 127.0.0.1\nport = 99999\n');
	r = run(HUB_BIN, ['-c', f, '--check-config']);
	assert(r.status !== 0 && r.stderr.includes(f + ':3: broker.port: 99999 is out of range'), r.stderr);
	fs.writeFileSync(f, '[http]\nlisten = 127.0.0.1:8080\n[store]\npath = /tmp/x.db\n');
	r = run(HUB_BIN, ['-c', f, '--check-config', '--set', 'http.listen=0.0.0.0:9000']);
	eq(r.status, 0, 'a good file checks: ' + r.stderr);
	assert(r.stdout.includes('http.listen = 0.0.0.0:9000'), '--set wins over the file');
	r = run(HUB_BIN, ['-c', path.join(dir, 'missing.conf')]);
	assert(r.status !== 0 && /missing\.conf: cannot open/.test(r.stderr), r.stderr);
});

test('SIGHUP reloads the file with the command line on top; a broken file changes nothing', async () => {
	const dir = tmpdir();
	const f = path.join(dir, 'hub.conf');
	fs.writeFileSync(f, '[log]\nlevel = notice\n');
	const hub = await startHub({ args: ['-c', f] });
	fs.writeFileSync(f, '[log]\nlevel = info\n');
	hub.proc.kill('SIGHUP');
	await hub.waitFor(() => hub.log.includes('configuration reloaded'), 3000, 'reloaded');
	fs.writeFileSync(f, '[log]\nlevel = chatty\n');
	hub.proc.kill('SIGHUP');
	await hub.waitFor(() => hub.log.includes('reload refused'), 3000, 'refused');
	assert(hub.log.includes(f + ":2: log.level: 'chatty' is not one of"), 'the error names file:line');
	// no broker here: alive, and honest about it
	eq((await hub.get('/healthz')).json.status, 'degraded', 'still serving (no broker)');
	eq((await hub.stop()).code, 0);
});

test('bad HTTP and WebSocket requests get clear errors', async () => {
	const hub = await startHub({});
	let r = await hub.get('/api/nothing-here');
	eq([r.status, typeof r.json.error], [404, 'string']);
	r = await hub.del('/api/devices');
	eq(r.status, 405);
	r = await hub.post('/api/devices/x/switch', 'on', { headers: { 'content-type': 'text/plain' } });
	eq(r.status, 415, 'writes must be JSON');
	r = await hub.post('/api/devices/x/switch', '{"on":', {});
	eq(r.status, 400, 'broken JSON');
	r = await hub.post('/api/devices/x/switch', { on: true }, { headers: { origin: 'http://evil.example' } });
	eq(r.status, 403, 'cross-origin write refused');
	r = await hub.post('/api/devices/x/switch', 'x'.repeat(2 * 1024 * 1024));
	eq(r.status, 413, 'oversized body');
	r = await request(hub.url + '/api/devices/' + encodeURIComponent('mlab/none') + '/history?metric=a&from=yesterday');
	eq(r.status, 404);
	// a WebSocket upgrade elsewhere than /ws is refused; the hub goes on
	const ok = await new Promise((res) => {
		import('ws').then(({ default: WS }) => {
			const w = new WS(hub.url.replace('http', 'ws') + '/elsewhere');
			w.on('open', () => res(false));
			w.on('error', () => res(true));
		});
	});
	assert(ok, 'upgrade outside /ws refused');
	eq((await hub.get('/healthz')).json.status, 'degraded', 'alive (no broker)');
	eq((await hub.stop()).code, 0);
});

// A client that completes the handshake with a 2 KB receive buffer and then
// never reads: what a phone on a dying Wi-Fi looks like to the hub.
function stalledClient(port) {
	const py = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.connect(("127.0.0.1", ${port}))
s.sendall(b"GET /ws HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n")
buf = b""
while b"\\r\\n\\r\\n" not in buf:
    buf += s.recv(1)
print(buf.split(b"\\r\\n")[0].decode(), flush=True)
time.sleep(60)
`;
	const p = track(spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'inherit'] }));
	return new Promise((resolve) => p.stdout.once('data', (d) => resolve({ proc: p, status: d.toString().trim() })));
}

test('a stalled WebSocket client is dropped and never delays the others', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['ws.queue_max=64'] });
	const fast = await wsClient(hub);
	const slow = await stalledClient(hub.port);
	eq(slow.status, 'HTTP/1.1 101 Switching Protocols', 'the stalled client is connected');
	eq(await metric(hub, 'ws_clients'), 2);
	const lines = [];
	for (let i = 1; i <= 2000; i++)
		lines.push({ seq: i, type: 'button.pressed', button: String(i).padEnd(60, '-') });
	for (let i = 0; i < lines.length; i += 25) {	// bursts a live client can follow
		await pubLines(b, 'mlab/v1/flood-1/event', lines.slice(i, i + 25));
		await sleep(15);
	}
	await hub.waitFor(async () => (await metric(hub, 'ws_dropped_slow_total')) >= 1, 8000, 'slow client dropped');
	await fast.waitFor(() => fast.messages.filter((m) => m.type === 'button').length === 2000, 8000,
		'all 2000 presses on the live client');
	eq(await metric(hub, 'ws_clients'), 1, 'only the live client remains');
	assert(/closing a client that fell 64 messages behind/.test(hub.log), 'logged with the reason');
	fast.close();
	slow.proc.kill();
	eq((await hub.stop()).code, 0);
});

test('a full disk: writes fail loudly, nothing is acknowledged, the hub goes on', async () => {
	if (process.getuid && process.getuid() !== 0) { console.log('# SKIP needs root to mount a tiny tmpfs'); return; }
	const dir = tmpdir('full');
	// room for the migrated schema's WAL (schema 11 needs more than 400k) and
	// little more: a few 20 KB events fill it
	const r0 = run('mount', ['-t', 'tmpfs', '-o', 'size=440k', 'tmpfs', dir]);
	if (r0.status !== 0) { console.log('# SKIP cannot mount tmpfs: ' + r0.stderr); return; }
	try {
		const b = await startBroker();
		const hub = await startHub({ broker: b, db: path.join(dir, 'hub.db') });
		const acks = [];
		const s = spawn('mosquitto_sub', ['-p', String(b.port), '-t', 'mlab/v1/fill-1/ack'], { stdio: ['ignore', 'pipe', 'ignore'] });
		track(s).stdout.on('data', (d) => acks.push(...d.toString().trim().split('\n')));
		const big = 'y'.repeat(20000);
		for (let i = 1; i <= 60; i++)
			pub(b, 'mlab/v1/fill-1/event', { seq: i, type: 'button.pressed', button: 'b', pad: big });
		await hub.waitFor(async () => (await metric(hub, 'commit_failures_total')) >= 1, 8000, 'a failed commit');
		await sleep(500);
		const maxAck = Math.max(0, ...acks.map((a) => JSON.parse(a).seq));
		const hz = (await hub.get('/healthz')).json;
		eq(hz.status, 'degraded', 'the hub still answers, and says it is degraded');
		eq(hz.commit_ok, false, '/healthz: commits fail');
		const rz = await hub.get('/readyz');
		eq(rz.status, 503, '/readyz: not ready');
		assert(rz.json.reasons.includes('commit_failing'), 'reason: ' + JSON.stringify(rz.json));
		assert(/store: .*(full|disk)/i.test(hub.log), 'the cause is logged');
		await hub.stop('SIGKILL');
		s.kill();
		const stored = Number(sql(path.join(dir, 'hub.db'), `SELECT count(*) FROM events WHERE seq <= ${maxAck}`));
		eq(stored, maxAck, `every event up to the last ack (${maxAck}) is stored`);
		assert(maxAck < 60, 'the events lost to the full disk are not acknowledged: ' + maxAck);
	} finally {
		await sleep(200);
		run('umount', ['-l', dir]);
	}
});

main();
