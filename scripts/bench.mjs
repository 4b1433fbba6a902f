// bench.mjs — the numbers behind BENCHMARKS.md (run by `make bench`).
//
// 1. Throughput: the loader's stream (unpaced) to a bare mosquitto_sub
//    (the ceiling) and to the hub (messages stored), at QoS 0 and 1.
// 2. Latency publish→WebSocket at a fixed rate with 1, 50 and 200 clients,
//    next to publish→mosquitto_sub.  A few clients parse and measure
//    (metrics.sent_s is the loader's send time); the rest are raw sockets
//    that only drain, so the measuring process does not become the
//    bottleneck it is measuring.
//    With 200 clients, interleaved runs against mosquitto's own WebSocket
//    listener serving the stream to MQTT-over-WebSocket subscribers
//    (scripts/mqttws.mjs): the yardstick for publish→screen.
// 3. The hub's peak RSS (VmHWM) with 50 clients.
// 4. Instructions per stored event under callgrind: (a loaded run − an
//    idle run of the same length) / events.  Stable on noisy machines.
//    The outputs stay in build/callgrind-{idle,loaded}.out.
// 5. Writes: bytes the hub makes the kernel send to the disk
//    (/proc/<pid>/io write_bytes) and fsyncs (strace -c) at a steady
//    10 and 100 msg/s of QoS 1 telemetry, database growth, and the ratio
//    to the logical data (BENCH_ONLY=write runs only this).
// 6. A year of a busy lab (scripts/yeargen.c, cached in build/bench-year/
//    for a day): its size per table, hub start-up to /healthz, a year-long
//    and a 24 h chart, the annual report in every format (BENCH=year).
// 7. Slow clients (BENCH_ONLY=slow): 2,000 devices, then N WebSockets
//    that complete the handshake and never read (spread over loopback
//    addresses, under ws.max_per_addr), while the devices keep changing;
//    the hub's RSS before, at its peak (VmHWM) and after they are gone.
// 8. A network of labs (BENCH=network, docs/network.md): a lab hub on a
//    generated year of participation (build/yeargen, no telemetry) makes
//    its facts and sends them over its mosquitto's bridge, through a
//    byte-counting TCP relay, to a central mosquitto and a network hub:
//    facts per day, bytes per fact up and down.  Then 100 sites' streams
//    (scripts/netgen.mjs, one connection per site like the bridges) at a
//    realistic and at a 100× rate into a central mosquitto with a network
//    hub: CPU and RSS of both, facts stored per second, ack latency.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import WebSocket from '../tests/node_modules/ws/index.js';
import { mqttSubscriber, mqttDrainer } from './mqttws.mjs';
import { ROOT, startBroker, startHub, sleep, track, freePort, waitFor } from '../tests/lib/harness.mjs';
import { generate } from './netgen.mjs';

const quick = !!process.env.BENCH_QUICK;
const only = process.env.BENCH_ONLY || process.env.BENCH || '';	// throughput|commit|latency|fanout|cpu|write|year|slow|network: one part (writes nothing)
const want = (part) => !only || only === part;
const LOADER = path.join(ROOT, 'devices/mlab-load');
const HUB = process.env.MLAB_HUB_BIN || path.join(ROOT, 'hub/mlab-hub');
const N = quick ? 20000 : 100000;
const rows = [];
const note = [];

function loader(port, args) {
	return new Promise((resolve) => {
		const p = track(spawn(LOADER, ['-p', String(port), '--no-announce', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
		let out = '';
		p.stdout.on('data', (d) => { out += d; });
		p.stderr.on('data', (d) => { out += d; });
		p.on('exit', (code) => resolve({ code, out }));
	});
}

async function metric(hub, name) {
	const t = (await hub.get('/metrics')).text;
	const m = t.match(new RegExp('^mlab_' + name + ' (\\S+)$', 'm'));
	return m ? Number(m[1]) : NaN;
}

// The ceiling: how fast the broker hands the stream to a bare subscriber.
async function ceiling(qos) {
	const b = await startBroker({ persistence: false });
	const sub = track(spawn('mosquitto_sub', ['-p', String(b.port), '-t', 'mlab/v1/+/telemetry', '-q', String(qos), '-C', String(N)],
		{ stdio: ['ignore', 'pipe', 'ignore'] }));
	let first = 0, last = 0, n = 0;
	sub.stdout.on('data', (d) => { const now = performance.now(); if (!first) first = now; last = now; n += d.toString().split('\n').length - 1; });
	const done = new Promise((r) => sub.on('exit', r));
	await sleep(300);
	const l = loader(b.port, ['-n', '50', '-r', '0', '-c', String(N), '-Q', String(qos), '-k', 'telemetry']);
	await Promise.race([done, sleep(120000)]);
	sub.kill();
	await l;
	await b.stop();
	return { rate: n / ((last - first) / 1000), n };
}

async function stored(qos, sets = []) {
	const b = await startBroker({ persistence: false });
	const hub = await startHub({ broker: b, sets: ['log.level=warn', 'broker.inbox_max=1000000', ...sets] });
	const t0 = performance.now();
	let first = 0;
	const l = loader(b.port, ['-n', '50', '-r', '0', '-c', String(N), '-Q', String(qos), '-k', 'telemetry']);
	let parsed = 0, lastChange = performance.now(), prev = -1;
	while (performance.now() - lastChange < 3000) {
		parsed = await metric(hub, 'messages_parsed_total');
		if (parsed > 0 && !first) first = performance.now();
		if (parsed !== prev) { prev = parsed; lastChange = performance.now(); }
		if (parsed >= N) break;
		await sleep(20);
	}
	const end = performance.now();
	await l;
	const dropped = await metric(hub, 'messages_dropped_total\\{reason="inbox_full"\\}');
	const commits = await metric(hub, 'commits_total');
	const commitMs = commits ? 1000 * await metric(hub, 'commit_duration_seconds_sum') / commits : 0;
	const rowsStored = await metric(hub, 'telemetry_rows_stored_total');
	await hub.stop();
	await b.stop();
	return { rate: parsed / ((end - (first || t0)) / 1000), n: parsed, dropped, commits, rowsStored, commitMs };
}

// A raw WebSocket client that completes the handshake and drains bytes.
function drainer(port) {
	return new Promise((resolve, reject) => {
		const s = net.connect(port, '127.0.0.1', () => {
			s.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
				'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
		});
		s.once('data', (d) => (d.toString().startsWith('HTTP/1.1 101') ? resolve(s) : reject(new Error('no upgrade'))));
		s.once('close', () => reject(new Error('closed before the upgrade')));
		s.on('data', () => { });
		s.on('error', () => { });
	});
}

function pct(a, p) {
	if (!a.length) return NaN;
	const s = [...a].sort((x, y) => x - y);
	return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))];
}

// Latency publish→screen at `rate` changes/s with `clients` clients, by
// the hub's /ws (via 'hub') or by mosquitto's own WebSocket listener to
// MQTT-over-WebSocket subscribers (via 'mqtt-ws': what a dashboard
// connecting straight to the broker gets).  Either way a fresh broker,
// four clients that parse and measure, the rest raw sockets that drain,
// and mosquitto_sub on the TCP listener beside them.  seen: the share of
// the messages sent that the measuring clients received (the hub
// coalesces a device's changes for a client that is behind; mosquitto
// sends every one or drops); closed: clients the server closed.
async function latency(clients, { via = 'hub', rate = 2000, secs = quick ? 4 : 10 } = {}) {
	const port = await freePort();
	let wsPort = 0;
	while (via === 'mqtt-ws' && (!wsPort || wsPort === port))
		wsPort = await freePort();
	// 'lo', not 127.0.0.1: lws 4.1 matches a websockets listener's address
	// against interface names; mosquitto 2.0.11 also needs the TCP listener
	const b = await startBroker({ port, persistence: false,
		extra: wsPort ? `listener ${wsPort} lo\nprotocol websockets\nsocket_domain ipv4` : '' });
	if (wsPort)
		await waitFor(() => new Promise((r) => net.connect(wsPort, '127.0.0.1').on('connect', function () { this.destroy(); r(true); }).on('error', () => r(false))),
			5000, 'mosquitto websockets listener: ' + b.log);
	// every client comes from 127.0.0.1: lift the per-address caps (32, 64)
	const hub = via === 'hub' ? await startHub({ broker: b, sets: ['log.level=warn', `ws.max_per_addr=${clients + 8}`, `http.max_per_addr=${clients + 8}`] }) : null;
	const measuring = Math.min(clients, 4);
	const lat = [], subLat = [];
	const socks = [];
	let closed = 0;
	const now_s = () => (performance.timeOrigin + performance.now()) / 1000;
	for (let i = 0; i < measuring; i++) {
		if (hub) {
			const ws = new WebSocket(hub.url.replace('http', 'ws') + '/ws');
			await new Promise((r) => ws.on('open', r));
			ws.on('message', (d) => {
				const now = now_s();
				const m = JSON.parse(d.toString());
				if (m.type === 'device' && m.device.metrics.sent_s) lat.push((now - m.device.metrics.sent_s) * 1000);
			});
			socks.push(ws);
		} else {
			socks.push(await mqttSubscriber(`ws://127.0.0.1:${wsPort}/mqtt`, `bench-m${i}`, 'mlab/v1/+/telemetry', (topic, payload) => {
				const now = now_s();
				const m = payload.toString().match(/"t_us":(\d+)/);
				if (m) lat.push((now * 1e6 - Number(m[1])) / 1000);
			}));
		}
	}
	for (let i = measuring; i < clients; i++) {
		const s = hub ? await drainer(hub.port) : await mqttDrainer(wsPort, `bench-d${i}`, 'mlab/v1/+/telemetry');
		s.on('close', () => { closed++; });
		socks.push(s);
	}
	for (const s of socks.slice(0, measuring)) s.on('close', () => { closed++; });
	const sub = track(spawn('mosquitto_sub', ['-p', String(b.port), '-t', 'mlab/v1/+/telemetry'], { stdio: ['ignore', 'pipe', 'ignore'] }));
	let buf = '';
	sub.stdout.on('data', (d) => {
		const now = (performance.timeOrigin + performance.now()) * 1000;
		buf += d.toString();
		const lines = buf.split('\n');
		buf = lines.pop();
		for (const l of lines) { const m = l.match(/"t_us":(\d+)/); if (m) subLat.push((now - Number(m[1])) / 1000); }
	});
	await sleep(500);
	const rss0 = hub ? rss(hub.proc.pid) : rss(b.proc.pid);
	const l = await loader(b.port, ['-n', '50', '-r', String(rate), '-d', String(secs), '-Q', '0', '-k', 'telemetry']);
	const sent = Number((l.out.match(/sent=(\d+)/) || [, 0])[1]);
	// what is still on its way arrives late, not never: wait until the
	// measuring clients have heard nothing for a second (at most 30 s)
	for (let n = -1, t0 = Date.now(); n !== lat.length && Date.now() - t0 < 30000;) {
		n = lat.length;
		await sleep(n === 0 ? 300 : 1000);
	}
	const peak = peakRss(hub ? hub.proc.pid : b.proc.pid);
	const wsc = hub ? await metric(hub, 'ws_clients') : clients - closed;
	const dropped = hub ? await metric(hub, 'ws_dropped_slow_total') : closed;
	sub.kill();
	for (const s of socks) (s.terminate ? s.terminate() : s.destroy());
	if (hub) await hub.stop();
	await b.stop();
	return { via, clients, p50: pct(lat, 50), p99: pct(lat, 99), n: lat.length, sent, seen: lat.length / (measuring * sent),
		sub50: pct(subLat, 50), sub99: pct(subLat, 99), peak, rss0, wsc, dropped, closed };
}

function rss(pid) {
	const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(s.match(/VmRSS:\s+(\d+)/)[1]) / 1024;
}
function peakRss(pid) {
	const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(s.match(/VmHWM:\s+(\d+)/)[1]) / 1024;
}

// Instructions per stored event: two callgrind runs of the same length,
// one idle and one storing `events` telemetry messages.
async function instructions(events = quick ? 2000 : 10000, secs = quick ? 15 : 40) {
	const out = {};
	for (const mode of ['idle', 'loaded']) {
		const b = await startBroker({ persistence: false });
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
		const httpPort = await freePort();
		const cg = path.join(dir, 'callgrind.out');
		const p = track(spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=' + cg, HUB,
			'--set', `broker.port=${b.port}`, '--set', `http.listen=127.0.0.1:${httpPort}`,
			'--set', `store.path=${dir}/hub.db`, '--set', 'log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] }));
		let err = '';
		p.stderr.on('data', (d) => { err += d; });
		await waitFor(async () => { try { return (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok; } catch { return false; } }, 60000, 'hub under valgrind');
		await sleep(2000);
		const t0 = Date.now();
		if (mode === 'loaded')
			await loader(b.port, ['-n', '20', '-r', String(Math.ceil(events / (secs * 0.6))), '-c', String(events), '-Q', '1', '-k', 'telemetry']);
		const stored = mode === 'loaded' ? Number((await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()).match(/^mlab_messages_parsed_total (\d+)/m)[1]) : 0;
		await sleep(Math.max(0, secs * 1000 - (Date.now() - t0)));
		p.kill('SIGTERM');
		await new Promise((r) => p.on('exit', r));
		const m = err.match(/Collected : (\d+)/) || fs.readFileSync(cg, 'utf8').match(/summary: (\d+)/);
		out[mode] = { ir: Number(m[1]), stored };
		// for callgrind_annotate: where the instructions go
		fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
		fs.copyFileSync(cg, path.join(ROOT, 'build', `callgrind-${mode}.out`));
		await b.stop();
		fs.rmSync(dir, { recursive: true, force: true });
	}
	return { perEvent: (out.loaded.ir - out.idle.ir) / out.loaded.stored, ...out };
}

// The hub under strace (seccomp-filtered: only the fsync family stops the
// process; -ttt stamps each call), its pid found as strace's child.
async function tracedHub(b, dir, sets = []) {
	const httpPort = await freePort();
	const trace = path.join(dir, 'strace.txt');
	const p = track(spawn('strace', ['-f', '-ttt', '--seccomp-bpf', '-e', 'trace=fsync,fdatasync', '-o', trace, HUB,
		'--set', `broker.port=${b.port}`, '--set', `http.listen=127.0.0.1:${httpPort}`,
		'--set', `store.path=${dir}/hub.db`, '--set', 'log.level=warn', ...sets.flatMap((x) => ['--set', x])],
	{ stdio: ['ignore', 'ignore', 'pipe'] }));
	p.stderr.on('data', () => { });
	const url = `http://127.0.0.1:${httpPort}`;
	await waitFor(async () => { try { return (await fetch(url + '/healthz')).ok; } catch { return false; } }, 20000, 'hub under strace');
	const pid = Number(fs.readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
	return {
		p, pid, url, trace,
		io: () => Number(fs.readFileSync(`/proc/${pid}/io`, 'utf8').match(/^write_bytes: (\d+)/m)[1]),
		stop: async () => { process.kill(pid, 'SIGTERM'); await new Promise((r) => p.on('exit', r)); },
	};
}

function dbBytes(db) {
	const r = spawnSync('sqlite3', [db, 'PRAGMA page_count; PRAGMA freelist_count; PRAGMA page_size;'], { encoding: 'utf8' });
	const [pc, fl, ps] = r.stdout.trim().split('\n').map(Number);
	return (pc - fl) * ps;
}

// fsync-family calls stamped within [t0, t1] (Unix seconds)
function fsyncs(trace, t0, t1) {
	let n = 0;
	for (const l of fs.readFileSync(trace, 'utf8').split('\n')) {
		const m = l.match(/^\d+\s+(\d+\.\d+)\s+(fsync|fdatasync)\(/);
		if (m && Number(m[1]) >= t0 && Number(m[1]) <= t1) n++;
	}
	return n;
}

// A steady stream for secs seconds: write_bytes, fsyncs and growth.
const FLOOR_B = 96;	// logical bytes per message: 4 × (8 B time, 8 B value, 8 B series key)
async function writes(rate, devices, secs = quick ? 20 : 60) {
	const b = await startBroker({ persistence: false });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wr-'));
	const hub = await tracedHub(b, dir);
	// a first message per device creates its rows (not the steady state)
	await loader(b.port, ['-n', String(devices), '-r', '0', '-c', String(devices), '-Q', '1', '-k', 'telemetry']);
	await sleep(3000);
	const w0 = hub.io(), g0 = dbBytes(`${dir}/hub.db`), t0 = Date.now() / 1000;
	const l = await loader(b.port, ['-n', String(devices), '-r', String(rate), '-d', String(secs), '-Q', '1', '-k', 'telemetry']);
	const sent = Number((l.out.match(/sent=(\d+)/) || [, 0])[1]);
	const w1 = hub.io(), g1 = dbBytes(`${dir}/hub.db`), t1 = Date.now() / 1000;
	const t = (await (await fetch(hub.url + '/metrics')).text());
	const parsed = Number(t.match(/^mlab_messages_parsed_total (\d+)/m)[1]);
	await hub.stop();
	const fs_ = fsyncs(hub.trace, t0, t1);
	await b.stop();
	fs.rmSync(dir, { recursive: true, force: true });
	const perDay = 86400 / secs;
	return { rate, secs, sent, parsed, bytes: w1 - w0, perMsg: (w1 - w0) / sent, perDay: (w1 - w0) * perDay,
		fsyncMin: fs_ * 60 / (t1 - t0), growthDay: (g1 - g0) * perDay, floorDay: FLOOR_B * rate * 86400 };
}

// A simulated year (build/yeargen): built once a day, reused by later runs.
const YEARGEN = path.join(ROOT, 'build/yeargen');
function yearDb() {
	const dir = path.join(ROOT, quick ? 'build/bench-year-quick' : 'build/bench-year');
	const db = path.join(dir, 'year.db'), side = path.join(dir, 'year.json');
	let meta = fs.existsSync(side) && fs.existsSync(db) ? JSON.parse(fs.readFileSync(side, 'utf8')) : null;
	if (!meta || Date.now() / 1000 - meta.now > 20 * 3600 || process.env.BENCH_YEAR_REGEN) {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		const sets = ['--set', `store.path=${db}`, '--set', 'log.level=warn'];
		// the schema, by the hub (a command that may create the database)
		const m = spawnSync(HUB, [...sets, 'user', 'add', 'bench', '--role', 'admin'], { encoding: 'utf8', input: 'bench-year-password\n' });
		if (m.status !== 0) throw new Error('mlab-hub user add: ' + m.stderr);
		const t0 = performance.now(), now = Math.floor(Date.now() / 1000);
		const g = spawnSync(YEARGEN, [db, ...(quick ? ['30', '3', '10'] : ['365', '30', '90'])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		if (g.status !== 0) throw new Error('yeargen: ' + g.stderr);
		meta = { now, buildS: (performance.now() - t0) / 1000 };
		fs.writeFileSync(side, JSON.stringify(meta));
	}
	return { db, ...meta };
}

function tableSizes(db) {
	const r = spawnSync('sqlite3', [db, "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'telemetry%' GROUP BY name;"], { encoding: 'utf8' });
	return Object.fromEntries(r.stdout.trim().split('\n').filter(Boolean).map((l) => { const [n, b] = l.split('|'); return [n, Number(b)]; }));
}


// ms for one GET (the body read whole), and the body's length
async function timed(url) {
	const t0 = performance.now();
	const r = await fetch(url);
	const body = await r.text();
	if (!r.ok) throw new Error(`${url}: ${r.status} ${body.slice(0, 200)}`);
	return { ms: performance.now() - t0, len: body.length, body };
}

async function year() {
	const y = yearDb();
	const size = fs.statSync(y.db).size, tables = tableSizes(y.db);
	const b = await startBroker({ persistence: false });
	const starts = [];
	let hub;
	for (let i = 0; i < 5; i++) {
		const httpPort = await freePort();
		const t0 = performance.now();
		const p = track(spawn(HUB, ['--set', `broker.port=${b.port}`, '--set', `http.listen=127.0.0.1:${httpPort}`,
			'--set', `store.path=${y.db}`, '--set', 'log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] }));
		p.stderr.on('data', () => { });
		const url = `http://127.0.0.1:${httpPort}`;
		await waitFor(async () => { try { return (await fetch(url + '/healthz')).ok; } catch { return false; } }, 20000, 'hub on the year');
		starts.push(performance.now() - t0);
		hub = { p, url };
		if (i < 4) { p.kill('SIGTERM'); await new Promise((r) => p.on('exit', r)); }
	}
	// the year ends at the generator's "now"; the device's busiest metric
	const to = y.now, q = (from, step = '') => `${hub.url}/api/devices/bench-03/history?metric=power_w&from=${from}&to=${to}${step}`;
	// the first request with the file out of the page cache (as after a
	// reboot): dd's nocache drops this file's cached pages
	const cold = () => spawnSync('dd', [`if=${y.db}`, 'iflag=nocache', 'count=0', 'status=none']);
	const chart = async (from) => {
		cold();
		const first = await timed(q(from));
		const ms = [];
		for (let i = 0; i < 10; i++) ms.push((await timed(q(from))).ms);
		return { first: first.ms, med: median(ms), max: Math.max(...ms), pts: JSON.parse(first.body).points.length, step: JSON.parse(first.body).step };
	};
	const yr = await chart(to - 365 * 86400), day = await chart(to - 86400), two = await chart(to - 7200);
	const d = new Date((to - 182 * 86400) * 1000);
	const fy = d.getUTCMonth() >= 3 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
	const rep = {};
	for (const f of ['json', 'csv', 'html']) {
		const ms = [];
		for (let i = 0; i < 5; i++) ms.push((await timed(`${hub.url}/api/indicators?fy=${fy}&format=${f}`)).ms);
		rep[f] = median(ms);
	}
	hub.p.kill('SIGTERM');
	await new Promise((r) => hub.p.on('exit', r));
	await b.stop();
	return { ...y, size, tables, start: median(starts), startMax: Math.max(...starts), yr, day, two, fy, rep };
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

// N WebSockets that never read, from 127.0.1.x (ws.max_per_addr each).
function stalled(port, i) {
	return new Promise((resolve) => {
		const s = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.1.${1 + Math.floor(i / 25)}` }, () => {
			s.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
				'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
		});
		s.once('data', (d) => { s.pause(); resolve(d.toString().startsWith('HTTP/1.1 101') ? s : (s.destroy(), null)); });
		s.on('error', () => resolve(null));
	});
}

async function slowClients(clients = quick ? 100 : 300, devices = 2000) {
	const b = await startBroker({ persistence: false });
	const hub = await startHub({ broker: b, sets: ['log.level=warn', `devices.max=${devices}`] });
	await loader(b.port, ['-n', String(devices), '-r', '0', '-c', String(devices), '-Q', '1', '-k', 'telemetry']);
	await waitFor(async () => (await metric(hub, 'devices')) >= devices, 30000, 'devices');
	await sleep(1000);
	const pid = hub.proc.pid;
	const rss0 = rss(pid), hwm0 = peakRss(pid);
	const socks = [];
	for (let i = 0; i < clients; i++) socks.push(await stalled(hub.port, i));
	const open = socks.filter(Boolean).length;
	// the devices keep changing while nobody reads
	await loader(b.port, ['-n', String(devices), '-r', '2000', '-d', quick ? '3' : '8', '-Q', '0', '-k', 'telemetry']);
	await sleep(1000);
	const during = rss(pid), peak = peakRss(pid);
	const queued = await metric(hub, 'ws_client_bytes_peak');
	const dropped = await metric(hub, 'ws_dropped_slow_total');
	for (const s of socks) if (s) s.destroy();
	await waitFor(async () => (await metric(hub, 'ws_clients')) === 0, 10000, 'clients gone');
	await sleep(1500);
	const after = rss(pid);
	await hub.stop();
	await b.stop();
	return { clients, open, devices, rss0, hwm0, during, peak, after, queued, dropped };
}

// CPU seconds (user + system) a process has used so far
function cpuS(pid) {
	const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(f[11]) + Number(f[12])) / 100;
}

const sq = (db, q) => spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8' }).stdout.trim();

// A TCP relay that counts the bytes each way (the bridge's link).
async function relay(to) {
	const port = await freePort(), n = { up: 0, down: 0 };
	const srv = net.createServer((a) => {
		const b = net.connect(to, '127.0.0.1');
		a.on('data', (d) => { n.up += d.length; b.write(d); });
		b.on('data', (d) => { n.down += d.length; a.write(d); });
		a.on('error', () => b.destroy());
		b.on('error', () => a.destroy());
		a.on('close', () => b.destroy());
		b.on('close', () => a.destroy());
	});
	await new Promise((r) => srv.listen(port, '127.0.0.1', r));
	return { port, n, close: () => srv.close() };
}

// A lab's year of facts over a real bridge, then 100 sites' load.
async function network() {
	const days = quick ? 30 : 365;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbench-'));
	const db = path.join(dir, 'lab.db');
	const m = spawnSync(HUB, ['--set', `store.path=${db}`, '--set', 'log.level=warn', 'user', 'add', 'bench', '--role', 'admin'],
		{ encoding: 'utf8', input: 'bench-net-password\n' });
	if (m.status !== 0) throw new Error('mlab-hub user add: ' + m.stderr);
	const g = spawnSync(YEARGEN, [db, String(days), '0'], { encoding: 'utf8' });
	if (g.status !== 0) throw new Error('yeargen: ' + g.stderr);
	const central = await startBroker();
	const link = await relay(central.port);
	const snippet = spawnSync(path.join(ROOT, 'scripts/net-bridge.sh'), ['--site', 'bench', '--central', `127.0.0.1:${link.port}`, '--no-tls'],
		{ encoding: 'utf8' }).stdout;
	const lab = await startBroker({ extra: snippet });
	const netHub = await startHub({ broker: central, sets: ['net.role=network', 'log.level=warn'] });
	const t0 = performance.now();
	const hub = await startHub({ broker: lab, db, sets: ['net.site=bench', 'net.scan_ms=1000', 'net.resend_ms=5000', 'log.level=warn'] });
	let facts = 0;
	await waitFor(() => {
		facts = Number(sq(db, 'SELECT max(seq) FROM net_facts')) || 0;
		return facts > 0 && sq(db, "SELECT value FROM net_state WHERE name = 'acked'") === String(facts);
	}, 600000, 'the year acknowledged');
	const allAcked = (performance.now() - t0) / 1000;
	const types = Object.fromEntries(sq(db, 'SELECT type, count(*) FROM net_facts GROUP BY type ORDER BY 2 DESC').split('\n').map((l) => l.split('|')));
	const payload = Number(sq(db, "SELECT sum(length(state) + length(key) + length(type)) FROM net_facts"));
	const samples = sq(db, "SELECT json_group_array(json_object('key', key, 'type', type, 'state', state)) FROM (SELECT * FROM net_facts ORDER BY random() LIMIT 2000)");
	await sleep(1500);	// the last acks down the link
	const year = { days, facts, perDay: facts / days, types, up: link.n.up, down: link.n.down, payload, allAcked };
	await hub.stop();
	await netHub.stop();
	await lab.stop();
	link.close();
	await central.stop();

	// 100 sites into one central broker and one network hub
	const load = [];
	const busyDay = 600, open = 8 * 3600, sites = 100;
	const real = sites * busyDay / open;
	for (const [name, rate] of [['realistic', real], ['100×', real * 100]]) {
		const b = await startBroker();
		const nh = await startHub({ broker: b, sets: ['net.role=network', 'log.level=warn'] });
		const secs = quick ? 10 : (rate < 10 ? 60 : 30);
		const c0 = { b: cpuS(b.proc.pid), h: cpuS(nh.proc.pid) };
		const r = await generate({ port: b.port, sites, rate, secs, samples: JSON.parse(samples) });
		const c1 = { b: cpuS(b.proc.pid), h: cpuS(nh.proc.pid) };
		const stored = Number(sq(nh.db, 'SELECT count(*) FROM net_rx'));
		load.push({ name, rate, secs, ...r, stored, cpuB: (c1.b - c0.b) / r.elapsed, cpuH: (c1.h - c0.h) / r.elapsed,
			rssB: rss(b.proc.pid), rssH: peakRss(nh.proc.pid), p50: pct(r.lat, 50), p99: pct(r.lat, 99), max: Math.max(...r.lat) });
		await nh.stop();
		await b.stop();
	}
	fs.rmSync(dir, { recursive: true, force: true });
	return { year, load, sites, busyDay };
}

const loads = [os.loadavg()[0]];
const loadTimer = setInterval(() => loads.push(os.loadavg()[0]), 30000);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');

console.error('bench: throughput…');
// Interleaved pairs (bare, hub, bare, hub, …): a ratio is taken within
// each pair, so a machine that slows down between runs moves both sides;
// the rows give the medians (the rates of the median pair's runs are
// what the ratio is not: medians of their own).
const PAIRS = quick ? 1 : 3;
for (const q of want('throughput') ? [0, 1] : []) {
	const pairs = [];
	for (let i = 0; i < PAIRS; i++)
		pairs.push({ c: await ceiling(q), s: await stored(q) });
	const ratios = pairs.map((x) => x.s.rate / x.c.rate).sort((x, y) => x - y);
	const med = (f) => median(pairs.map(f));
	const s = pairs.find((x) => x.s.rate / x.c.rate === ratios[Math.floor(ratios.length / 2)]).s;
	rows.push(['throughput', `QoS ${q}: bare mosquitto_sub`, f0(med((x) => x.c.rate)) + ' msg/s',
		`median of ${PAIRS}, interleaved with the hub's runs (${pairs.map((x) => f0(x.c.rate)).join(', ')}); ${pairs.map((x) => x.c.n).join('/')} of ${N} delivered`]);
	rows.push(['throughput', `QoS ${q}: hub, parsed and stored`, f0(med((x) => x.s.rate)) + ' msg/s',
		`median ratio to the bare run just before it ${(100 * ratios[Math.floor(ratios.length / 2)]).toFixed(0)} % (each pair: ${pairs.map((x) => (100 * x.s.rate / x.c.rate).toFixed(0) + ' %').join(', ')}; goal ≥ 80 %); ` +
		`median pair: ${s.n} of ${N}; ${s.rowsStored} rows in ${s.commits} commits; inbox drops ${s.dropped}`]);
}
console.error('bench: group commit window…');
for (const ms of want('commit') ? [5, 50, 250] : []) {
	const s = await stored(1, [`store.commit_ms=${ms}`, 'store.batch_max=1000000']);
	rows.push(['group commit', `QoS 1, store.commit_ms=${ms}`, f0(s.rate) + ' msg/s',
		`${s.commits} commits of ${f1(s.commitMs)} ms on average; a device waits ≤ ${ms} ms + one commit for its ack`]);
}
console.error('bench: latency…');
let rss50 = NaN;
for (const k of want('latency') ? (process.env.BENCH_CLIENTS || '1,50').split(',').map(Number) : []) {
	const r = await latency(k);
	if (k === 50) rss50 = r.peak;
	rows.push(['latency @2000/s', `${k} WebSocket client(s): publish→/ws p50 / p99`, `${f1(r.p50)} / ${f1(r.p99)} ms`,
		`${r.n} samples; publish→mosquitto_sub ${f1(r.sub50)} / ${f1(r.sub99)} ms; peak RSS ${f1(r.peak)} MB; ${r.wsc} clients still connected, ${r.dropped} dropped`]);
}
if (want('latency'))
	rows.push(['memory', 'peak RSS with 50 clients', f1(rss50) + ' MB', 'goal ≤ 24 MB (VmHWM, release build)']);
// Fan-out against the yardstick (issue 14 part 5): mosquitto's WebSocket
// listener to MQTT-over-WebSocket subscribers, and the hub's /ws, the same
// stream and client count, interleaved (mosquitto, hub, mosquitto, hub…)
// so that the machine's load moves both; the rows give medians.
console.error('bench: fan-out, mosquitto WebSocket listener against the hub…');
const FAN = Number(process.env.BENCH_FANOUT || 200), ROUNDS = quick ? 1 : 3;
if (want('fanout') || want('latency')) {
	const runs = { 'mqtt-ws': [], hub: [] };
	for (let i = 0; i < ROUNDS; i++)
		for (const via of ['mqtt-ws', 'hub']) {
			const r = await latency(FAN, { via });
			console.error(`bench:   ${via} ${f1(r.p50)} / ${f1(r.p99)} ms, seen ${(100 * r.seen).toFixed(0)} %, closed ${r.dropped}`);
			runs[via].push(r);
		}
	for (const [via, name] of [['mqtt-ws', `${FAN} MQTT-over-WebSocket subscribers of mosquitto: publish→screen p50 / p99`],
		['hub', `${FAN} clients of the hub's /ws: publish→screen p50 / p99`]]) {
		const a = runs[via];
		rows.push(['fan-out @2000/s', name, `${f1(median(a.map((r) => r.p50)))} / ${f1(median(a.map((r) => r.p99)))} ms`,
			`median of ${a.length}, interleaved (each run: ${a.map((r) => `${f1(r.p50)} / ${f1(r.p99)}`).join(', ')}); ` +
			`messages seen by the measuring clients ${a.map((r) => (100 * r.seen).toFixed(0) + ' %').join(', ')}` +
			(via === 'hub' ? ' (a client behind gets the newest state of a device, not every state)' : '') +
			`; clients dropped ${a.map((r) => r.dropped).join(', ')}; publish→mosquitto_sub ${f1(median(a.map((r) => r.sub50)))} / ${f1(median(a.map((r) => r.sub99)))} ms; ` +
			`peak RSS of the ${via === 'hub' ? 'hub' : 'broker'} ${f1(median(a.map((r) => r.peak)))} MB`]);
	}
}
console.error('bench: slow clients…');
if (want('slow')) {
	const r = await slowClients();
	rows.push(['memory', `${r.devices} devices, ${r.open} WebSockets that never read: RSS start / peak / after`,
		`${f1(r.rss0)} / ${f1(r.peak)} / ${f1(r.after)} MB`,
		`goal: peak ≤ 64 MB, after near the start; RSS while they hang ${f1(r.during)} MB; most bytes queued for one client ${f0(r.queued)}; ${r.dropped} dropped as too slow`]);
}
console.error('bench: instructions (callgrind)…');
if (want('cpu')) try {
	const ins = await instructions();
	rows.push(['cpu', 'instructions per stored event', f0(ins.perEvent), `callgrind: loaded ${f0(ins.loaded.ir)} − idle ${f0(ins.idle.ir)} over ${ins.loaded.stored} events (QoS 1 telemetry, 4 metrics each)`]);
} catch (e) {
	rows.push(['cpu', 'instructions per stored event', '—', 'callgrind run failed: ' + e.message]);
}
const gb = (x) => (x / 1e9).toFixed(2) + ' GB';
console.error('bench: writes…');
for (const [rate, devs, goal] of want('write') ? [[10, 20, 0.5e9], [100, 50, 4e9]] : []) {
	const w = await writes(rate, devs);
	rows.push(['writes', `${rate} msg/s (${devs} devices, QoS 1): written per day`, gb(w.perDay),
		`goal ≤ ${gb(goal)}; ${f0(w.perMsg)} B per message (${f0(w.bytes)} B write_bytes for ${w.sent} messages in ${w.secs} s, ${w.parsed} parsed); ` +
		`${f0(w.perDay / w.floorDay)} × the logical floor (${FLOOR_B} B/message = ${gb(w.floorDay)}/day)`]);
	rows.push(['writes', `${rate} msg/s: fsyncs per minute`, f1(w.fsyncMin), 'strace -ttt, counted over the steady stream only; goal ≤ 10 from telemetry']);
	rows.push(['writes', `${rate} msg/s: database growth per day`, gb(w.growthDay), '(page_count − freelist_count) × page_size, before and after; ' +
		`a checkpoint copies each new page once more: written + growth = ${gb(w.perDay + w.growthDay)}/day`]);
}

console.error('bench: a year of a busy lab…');
if (want('year')) {
	const y = await year();
	const mb = (x) => (x / 1e6).toFixed(0) + ' MB';
	const t = y.tables;
	rows.push(['year', 'database after a simulated year', gb(y.size),
		`20 devices × 4 metrics every 2 s, 3,000 sessions, 30,000 check-ins, 10,000 ratings, 2,000 contributions, 5,000 jobs (scripts/yeargen.c, built in ${f0(y.buildS)} s); ` +
		`raw ${mb(t.telemetry)} (30 days), minutes ${mb(t.telemetry_mblk)} in hour blocks (90 days) and ${mb(t.telemetry_min)} as rows (2 days), hours ${mb(t.telemetry_hour)} (a year)`]);
	rows.push(['year', 'hub start-up to /healthz', `${f0(y.start)} ms`, `median of 5 (slowest ${f0(y.startMax)} ms); goal ≤ 1 s`]);
	for (const [name, c] of [['a year of one metric', y.yr], ['24 h of one metric', y.day], ['2 h of one metric', y.two]])
		rows.push(['year', `chart: ${name}`, `${f1(c.med)} ms`, `median of 10 (slowest ${f1(c.max)}); first, file out of the page cache: ${f1(c.first)} ms; ${c.pts} points, step ${c.step}; goal ≤ 100 ms`]);
	rows.push(['year', `annual report (fy ${y.fy}) json / csv / html`, `${f0(y.rep.json)} / ${f0(y.rep.csv)} / ${f0(y.rep.html)} ms`, 'GET /api/indicators, median of 5; goal ≤ 1 s']);
}

console.error('bench: a network of labs…');
if (want('network')) {
	const { year: y, load, sites, busyDay } = await network();
	const kb = (x) => (x / 1e3).toFixed(1) + ' kB';
	rows.push(['network', `facts of a generated year (${y.days} days)`, `${f0(y.facts)} (${f1(y.perDay)} a day)`,
		`scripts/yeargen.c's participation (3,000 sessions, 30,000 check-ins in them, 10,000 ratings, 2,000 contributions, 40 projects, 5,000 jobs): ` +
		Object.entries(y.types).map(([t, n]) => `${t} ${f0(Number(n))}`).join(', ') + `; made, sent over the bridge and acknowledged in ${f1(y.allAcked)} s`]);
	rows.push(['network', 'bytes on the wire per fact, lab → central', `${f0(y.up / y.facts)} B`,
		`MQTT through the bridge, counted by a TCP relay (${f0(y.up)} B for ${y.facts} facts; JSON state, key and type alone ${f0(y.payload / y.facts)} B); TLS adds ~30 B per record`]);
	rows.push(['network', 'bytes on the wire per fact, central → lab', `${f1(y.down / y.facts)} B`, `the acks and PUBACKs (${f0(y.down)} B)`]);
	rows.push(['network', `a busy day (${busyDay} facts) on the wire`, kb(busyDay * (y.up + y.down) / y.facts), `both ways, before TLS; the year's average day: ${kb(y.perDay * (y.up + y.down) / y.facts)}`]);
	for (const l of load)
		rows.push(['network', `${sites} sites, ${l.name}: ${f1(l.rate)} facts/s for ${l.secs} s`,
			`${f1(l.stored / l.elapsed)} facts/s stored`,
			`${l.sent} sent, ${l.stored} stored, ${l.acked} acknowledged; ack latency p50 / p99 / max ${f1(l.p50)} / ${f1(l.p99)} / ${f1(l.max)} ms; ` +
			`central mosquitto ${(100 * l.cpuB).toFixed(1)} % of a core, RSS ${f1(l.rssB)} MB; network hub ${(100 * l.cpuH).toFixed(1)} % of a core, peak RSS ${f1(l.rssH)} MB`]);
}

const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [, '?'])[1];
// the 1-minute load average, sampled every 30 s over the run: the machine
// may be shared, and wall times move with it
clearInterval(loadTimer);
loads.push(os.loadavg()[0]);
const loadNote = `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run (1-minute, sampled every 30 s)`;
const head = `| area | measure | value | notes |\n|---|---|---|---|\n`;
const table = head + rows.map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
console.log(table);
console.error('bench: ' + loadNote);
if (!quick && !only) {
	// only the measured part between the markers changes; the analysis
	// written around it stays
	const file = path.join(ROOT, 'BENCHMARKS.md');
	const measured = `<!-- measured -->\nProduced by \`make bench\` (scripts/bench.sh → scripts/bench.mjs) on ${new Date().toISOString().slice(0, 10)}, ` +
		`${os.cpus().length} × ${cpu}, ${loadNote}, release build (\`-O2\`), default settings (store.commit_ms=50, synchronous=FULL).\n\n` +
		table + '<!-- /measured -->';
	let md = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	if (/<!-- measured -->[\s\S]*<!-- \/measured -->/.test(md))
		md = md.replace(/<!-- measured -->[\s\S]*<!-- \/measured -->/, measured);
	else
		md = '# Benchmarks\n\n' + measured + '\n';
	fs.writeFileSync(file, md);
	console.error('bench: written to BENCHMARKS.md');
}
process.exit(0);
