// harness.mjs — the pieces every black-box test uses: a real mosquitto on
// a free loopback port, the real hub (sanitized build) on a temp SQLite
// file, MQTT through mosquitto_pub/mosquitto_sub, HTTP through fetch,
// WebSocket through `ws`, and a tiny runner that ends with
// "N passed, N failed".
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HUB_BIN = process.env.MLAB_HUB_BIN ||
	(fs.existsSync(path.join(ROOT, 'build/asan/mlab-hub')) ? path.join(ROOT, 'build/asan/mlab-hub')
		: path.join(ROOT, 'hub/mlab-hub'));
export const MOSQUITTO = fs.existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const children = new Set();
const cleanups = [];
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL'); } catch { } } });
process.on('SIGINT', () => process.exit(130));

export function tmpdir(name = 'mlab') {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), name + '-'));
	cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
	return d;
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.unref();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
	});
}

export async function waitPort(port, ms = 5000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		const ok = await new Promise((r) => {
			const c = net.connect(port, '127.0.0.1');
			c.on('connect', () => { c.destroy(); r(true); });
			c.on('error', () => r(false));
		});
		if (ok) return;
		await sleep(50);
	}
	throw new Error(`nothing listens on ${port} after ${ms} ms`);
}

// fn runs when the test ends (last registered, first run).
export function atCleanup(fn) { cleanups.push(fn); }

export function track(child) {
	children.add(child);
	child.on('exit', () => children.delete(child));
	return child;
}

// A real mosquitto on a free port.  persistence keeps queued messages
// of persistent sessions across broker restarts (the tests kill it).
export async function startBroker({ port, persistence = true, extra = '' } = {}) {
	const dir = tmpdir('mosq');
	port = port || await freePort();
	const conf = path.join(dir, 'mosquitto.conf');
	fs.writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true',
		`persistence ${persistence}`, `persistence_location ${dir}/`, 'max_queued_messages 100000',
		'log_dest stderr', 'log_type error',
		// started as root, mosquitto would become user "mosquitto", which
		// cannot read our temp dirs (persistence, keys)
		...(process.getuid && process.getuid() === 0 ? ['user root'] : []), extra].join('\n') + '\n');
	const b = { port, dir, conf, proc: null, log: '' };
	b.start = async () => {
		b.proc = track(spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] }));
		b.proc.stderr.on('data', (d) => { b.log += d; });
		await waitPort(port);
	};
	b.stop = async (signal = 'SIGTERM') => {
		if (!b.proc || b.proc.exitCode !== null) return;
		const p = new Promise((r) => b.proc.once('exit', r));
		b.proc.kill(signal);
		await p;
	};
	await b.start();
	cleanups.push(() => b.stop('SIGKILL'));
	return b;
}

// The hub with a temp database; sets: extra --set values.
// wrap: a command the hub runs under, e.g. ['prlimit', '--nofile=128:128'].
export async function startHub({ broker, db, sets = [], env = {}, args = [], httpPort, wrap = [] } = {}) {
	const dir = tmpdir('hub');
	httpPort = httpPort || await freePort();
	const h = {
		dir, db: db || path.join(dir, 'hub.db'), port: httpPort, url: `http://127.0.0.1:${httpPort}`,
		log: '', proc: null,
	};
	h.args = ['--set', `broker.port=${broker ? broker.port : 1}`, '--set', 'broker.host=127.0.0.1',
		'--set', `http.listen=127.0.0.1:${httpPort}`, '--set', `store.path=${h.db}`,
		'--set', 'broker.backoff_min_ms=100', '--set', 'broker.backoff_max_ms=1000',
		// one client id per hub: hubs sharing a broker would take over
		// each other's session (a later --set in sets wins)
		'--set', `broker.client_id=mlab-hub-${httpPort}`,
		'--set', 'log.level=info', ...sets.flatMap((s) => ['--set', s]), ...args];
	h.start = async () => {
		h.proc = track(spawn(wrap.length ? wrap[0] : HUB_BIN, wrap.length ? [...wrap.slice(1), HUB_BIN, ...h.args] : h.args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', ...env },
		}));
		h.exit = new Promise((r) => h.proc.once('exit', (code, sig) => r({ code, sig })));
		h.proc.stdout.on('data', (d) => { h.log += d; });
		h.proc.stderr.on('data', (d) => { h.log += d; });
		await waitPort(httpPort, 10000);
		if (broker) await h.waitFor(async () => (await h.get('/healthz')).json.broker === 'connected', 5000, 'hub connected to broker');
	};
	h.stop = async (signal = 'SIGTERM') => {
		if (!h.proc || h.proc.exitCode !== null || h.proc.signalCode) return h.exit && await h.exit;
		h.proc.kill(signal);
		return await h.exit;
	};
	h.get = (p, opts = {}) => request(h.url + p, opts);
	h.post = (p, body, opts = {}) => request(h.url + p, { method: 'POST', body, ...opts });
	h.patch = (p, body, opts = {}) => request(h.url + p, { method: 'PATCH', body, ...opts });
	h.del = (p, opts = {}) => request(h.url + p, { method: 'DELETE', ...opts });
	h.waitFor = (fn, ms, what) => waitFor(fn, ms, what);
	// an account made with the real command line, then its login cookie
	h.login = async (name = 'anim', role = 'facilitator', password = 'mot-de-passe-1') => {
		const r = spawnSync(HUB_BIN, ['--set', `store.path=${h.db}`, 'user', 'add', name, '--role', role],
			{ input: password + '\n', encoding: 'utf8' });
		if (r.status !== 0 && !/exists/.test(r.stderr)) throw new Error('user add: ' + r.stderr);
		const l = await h.post('/api/login', { user: name, password });
		if (l.status !== 200) throw new Error('login: ' + l.status + ' ' + l.text);
		return l.headers.get('set-cookie').split(';')[0];
	};
	h.device = async (id) => (await h.get('/api/devices/' + encodeURIComponent(id))).json;
	await h.start();
	cleanups.push(() => h.stop('SIGKILL'));
	return h;
}

export async function request(url, { method = 'GET', body, headers = {}, cookie, raw = false } = {}) {
	const hd = { ...headers };
	if (body !== undefined && typeof body !== 'string') { body = JSON.stringify(body); }
	if (body !== undefined && !hd['content-type'] && !hd['Content-Type']) hd['content-type'] = 'application/json';
	if (cookie) hd.cookie = cookie;
	const r = await fetch(url, { method, body, headers: hd });
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch { }
	return { status: r.status, text, json, headers: r.headers };
}

// Call fn every step ms until it returns something truthy or ms pass (a
// throw counts as falsy); returns that value, else the last falsy one.
async function pollFor(fn, ms, step) {
	const end = Date.now() + ms;
	const r = { value: undefined, error: undefined };
	for (;;) {
		try { r.value = await fn(); } catch (e) { r.value = undefined; r.error = e; }
		if (r.value || Date.now() >= end) return r;
		await sleep(step);
	}
}
export async function poll(fn, ms = 5000, step = 50) { return (await pollFor(fn, ms, step)).value; }

// As poll, but a timeout throws; returns the truthy value.
export async function waitFor(fn, ms = 5000, what = 'condition') {
	const { value, error } = await pollFor(fn, ms, 50);
	if (value) return value;
	throw new Error(`timed out after ${ms} ms waiting for ${what}${error ? ': ' + error.message : ''}`);
}

export function pub(broker, topic, payload, { retain = false, qos = 1, file } = {}) {
	const args = ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic, '-q', String(qos)];
	if (retain) args.push('-r');
	if (file) args.push('-f', file);
	else if (payload === '' || payload === null) args.push('-n');
	else args.push('-m', typeof payload === 'string' ? payload : JSON.stringify(payload));
	const r = spawnSync('mosquitto_pub', args, { encoding: 'utf8' });
	if (r.status !== 0) throw new Error('mosquitto_pub failed: ' + r.stderr);
}

// Publish many messages fast: one mosquitto_pub -l, one line per message.
export function pubLines(broker, topic, lines, { qos = 0 } = {}) {
	return new Promise((resolve, reject) => {
		const p = track(spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic,
			'-q', String(qos), '-l'], { stdio: ['pipe', 'ignore', 'pipe'] }));
		let err = '';
		p.stderr.on('data', (d) => { err += d; });
		p.on('exit', (code) => code === 0 ? resolve() : reject(new Error('mosquitto_pub -l: ' + err)));
		p.stdin.end(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)) + '\n').join(''));
	});
}

// One line of mosquitto_sub -v: {topic, payload, json} (json null when
// the payload is not JSON).
function subLine(line) {
	const i = line.indexOf(' ');
	const m = { topic: i < 0 ? line : line.slice(0, i), payload: i < 0 ? '' : line.slice(i + 1), json: null };
	try { m.json = JSON.parse(m.payload); } catch { }
	return m;
}

// Collect messages on topic for up to ms or until count arrive;
// retainedOnly: only what a fresh subscriber is sent as retained.
export function sub(broker, topic, { count = 1, ms = 3000, retainedOnly = false } = {}) {
	return new Promise((resolve) => {
		const p = track(spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic,
			'-v', '-C', String(count), '-W', String(Math.ceil(ms / 1000)), ...(retainedOnly ? ['--retained-only'] : [])],
		{ stdio: ['ignore', 'pipe', 'ignore'] }));
		let out = '';
		p.stdout.on('data', (d) => { out += d; });
		p.on('exit', () => resolve(out.split('\n').filter(Boolean).map(subLine)));
	});
}

// A process of the test (killed when the test ends): p.out and p.err
// collect its output, p.exited resolves to its exit code.
export function startProc(cmd, args, opts = {}) {
	const p = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }));
	p.out = '';
	p.err = '';
	p.stdout.on('data', (d) => { p.out += d; });
	p.stderr.on('data', (d) => { p.err += d; });
	p.exited = new Promise((r) => p.on('exit', (code, sig) => { p.code = code; p.sig = sig; r(code); }));
	cleanups.push(() => stopProc(p, 'SIGKILL'));
	return p;
}

// Signal p, SIGKILL after ms; returns its exit code (null after a signal).
export async function stopProc(p, sig = 'SIGTERM', ms = 5000) {
	if (!p || p.code !== undefined || p.sig)
		return p ? p.code : undefined;
	p.kill(sig);
	const t = setTimeout(() => p.kill('SIGKILL'), ms);
	await p.exited;
	clearTimeout(t);
	return p.code;
}

// A live mosquitto_sub on topic: s.msgs fills with {topic, payload, json}
// as they come.  Resolves once a probe on the filter comes back (the
// subscription is live); s.stop() ends it.
export async function subscribe(broker, topic) {
	const probe = topic.replace(/#$/, 'probe-sub/x').replace(/\+/g, 'probe');
	const s = startProc('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-v', '-t', topic]);
	s.msgs = [];
	let buf = '';
	s.stdout.on('data', (d) => {
		buf += d;
		let i;
		while ((i = buf.indexOf('\n')) >= 0) {
			s.msgs.push(subLine(buf.slice(0, i)));
			buf = buf.slice(i + 1);
		}
	});
	s.stop = (sig) => stopProc(s, sig);
	await waitFor(() => {
		pub(broker, probe, 'probe');
		return s.msgs.some((m) => m.topic === probe);
	}, 5000, `mosquitto_sub on ${topic} to subscribe`);
	return s;
}

// A WebSocket client that records every message.
export function wsClient(hub, { cookie, path: p = '/ws' } = {}) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(hub.url.replace('http', 'ws') + p, { headers: cookie ? { cookie } : {} });
		ws.messages = [];
		ws.on('message', (d) => { try { ws.messages.push(JSON.parse(d.toString())); } catch { ws.messages.push({ raw: d.toString() }); } });
		ws.waitFor = (pred, ms = 3000, what = 'a WebSocket message') => waitFor(() => ws.messages.find(pred), ms, what).then(() => ws.messages.find(pred));
		ws.on('open', () => resolve(ws));
		ws.on('error', reject);
		cleanups.push(() => ws.terminate());
	});
}

export function run(cmd, args, opts = {}) {
	return spawnSync(cmd, args, { encoding: 'utf8', ...opts });
}

// ---- the runner --------------------------------------------------------
const tests = [];
let shared = false;
// Keep brokers and hubs between the tests of this file (cleaned at the end):
// for suites whose checks read one shared set-up.
export function shareBetweenTests() { shared = true; }
export function test(name, fn) { tests.push({ name, fn }); }

// A check that does not end its test: counted on its own in the total.
const checks = { pass: 0, fail: 0 };
export function check(cond, what, detail) {
	if (cond) {
		checks.pass++;
		console.log(`ok - ${what}`);
	} else {
		checks.fail++;
		console.log(`not ok - ${what}${detail !== undefined ? ' # ' + detail : ''}`);
	}
	return cond;
}

export function assert(cond, msg) { if (!cond) throw new Error(msg || 'assertion failed'); }
export function eq(a, b, msg) {
	if (JSON.stringify(a) !== JSON.stringify(b))
		throw new Error(`${msg ? msg + ': ' : ''}got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`);
}

export async function main() {
	let pass = 0, fail = 0;
	const only = process.env.ONLY_TEST;	// ONLY (tests/run.sh) picks suites, ONLY_TEST tests in one
	for (const t of tests) {
		if (only && !t.name.includes(only)) continue;
		const t0 = Date.now();
		try {
			await t.fn();
			pass++;
			console.log(`ok - ${t.name} (${Date.now() - t0} ms)`);
		} catch (e) {
			fail++;
			console.log(`not ok - ${t.name}: ${e && e.stack || e}`);
		}
		while (!shared && cleanups.length) { try { await cleanups.pop()(); } catch { } }
	}
	while (cleanups.length) { try { await cleanups.pop()(); } catch { } }
	pass += checks.pass;
	fail += checks.fail;
	console.log(`${pass} passed, ${fail} failed`);
	process.exit(fail ? 1 : 0);
}
