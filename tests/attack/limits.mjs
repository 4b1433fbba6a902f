// limits.mjs — what one client or one address may take from the hub:
// the bytes held for a WebSocket that never reads (bounded, whatever the
// number of devices), the connections of one address (http.max_per_addr,
// /healthz still answered for the others), the file descriptors of a hub
// started under a low `ulimit -n`, and accept() failing for want of one
// (the waiting connections closed, not retried on every loop turn).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
	ROOT, test, main, assert, eq, check, run, startBroker, startHub, request, wsClient, sleep, waitFor,
} from '../lib/harness.mjs';

const metric = async (hub, name) => {
	const m = new RegExp('^mlab_' + name + ' (\\d+)$', 'm').exec((await request(hub.url + '/metrics')).text);
	return m ? Number(m[1]) : NaN;
};

// A raw /ws client from localAddress that completes the handshake, then
// never reads: resolves with the socket, or null when refused.
function stalled(hub, { cookie, localAddress = '127.0.0.1' } = {}) {
	return new Promise((resolve) => {
		const s = net.connect({ port: hub.port, host: '127.0.0.1', localAddress }, () => {
			s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
				(cookie ? `Cookie: ${cookie}\r\n` : '') +
				'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
		});
		s.once('data', (d) => { s.pause(); resolve(/^HTTP\/1\.1 101/.test(d.toString()) ? s : (s.destroy(), null)); });
		s.on('error', () => resolve(null));
	});
}

// A plain connection from localAddress that sends nothing; .gone says
// whether the hub has closed it.
function idle(port, localAddress) {
	return new Promise((resolve) => {
		const s = net.connect({ port, host: '127.0.0.1', localAddress });
		s.gone = false;
		s.on('close', () => { s.gone = true; });
		s.on('error', () => {});
		s.on('connect', () => resolve(s));
		s.on('error', () => resolve(s));
	});
}

// GET /healthz from localAddress: the status, or 0 when the connection
// was refused or closed.
function healthz(hub, localAddress) {
	return new Promise((resolve) => {
		const s = net.connect({ port: hub.port, host: '127.0.0.1', localAddress }, () =>
			s.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nConnection: close\r\n\r\n`));
		let got = '';
		s.on('data', (d) => { got += d; });
		s.on('close', () => resolve(Number((/^HTTP\/1\.1 (\d+)/.exec(got) || [, 0])[1])));
		s.on('error', () => {});
	});
}

test('a WebSocket that never reads: the hub holds a bounded number of bytes for it, whatever the devices', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['ws.queue_max_kb=16', 'ws.queue_max=100000', 'ws.sndbuf_kb=4', 'devices.max=1000'] });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const devices = 600;
	const l = run(path.join(ROOT, 'devices/mlab-load'), ['-p', String(broker.port), '-n', String(devices), '-r', '0',
		'-c', String(devices), '-Q', '1', '-k', 'telemetry']);
	eq(l.status, 0, 'mlab-load: ' + l.stderr);
	await waitFor(async () => (await metric(hub, 'devices')) === devices, 20000, 'the devices');
	// a reading client gets the whole snapshot, in one message
	const reader = await wsClient(hub, { cookie: fa });
	let snapBytes = 0;
	reader.on('message', (d) => { if (!snapBytes) snapBytes = d.length; });
	const snap = await reader.waitFor((m) => m.type === 'snapshot', 10000, 'the snapshot');
	eq(snap.devices.length, devices, 'every device in the snapshot');
	eq(new Set(snap.devices.map((d) => d.id)).size, devices, 'each once');
	assert(snapBytes > 128 * 1024, `the snapshot is large (${snapBytes} B)`);
	const slow = await stalled(hub, { cookie: fa });
	assert(slow, 'the stalled client is upgraded');
	// messages for every client until the stalled one is dropped
	const summary = 'é'.repeat(1000);
	let posted = 0;
	for (; posted < 400 && (await metric(hub, 'ws_dropped_slow_total')) === 0; posted++)
		eq((await request(hub.url + '/api/projects', { method: 'POST', body: { title: `P${posted}`, summary }, cookie: fa })).status, 201);
	const peak = await metric(hub, 'ws_client_bytes_peak');
	eq(await metric(hub, 'ws_dropped_slow_total'), 1, `the stalled client is dropped as too slow (after ${posted} messages)`);
	check(peak > 0 && peak <= 16 * 1024, `bytes queued for one client stay under ws.queue_max_kb (${peak} B; the snapshot: ${snapBytes} B)`);
	await reader.waitFor((m) => m.type === 'project' && m.project?.title === `P${posted - 1}`, 5000, 'the last project');
	eq(reader.readyState, 1, 'the reading client stays');
	slow.destroy();
	console.log(`# devices: ${devices}; messages posted while one client did not read: ${posted}`);
});

test('one address cannot take every connection: http.max_per_addr, /healthz answered for the others', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['http.max_per_addr=8'] });
	const flood = [];
	for (let i = 0; i < 30; i++) flood.push(await idle(hub.port, '127.0.0.2'));
	await waitFor(async () => flood.filter((s) => s.gone).length >= 22, 5000, 'the connections past the cap closed');
	eq(flood.filter((s) => s.gone).length, 22, '8 kept, 22 closed at once');
	eq(await healthz(hub, '127.0.0.1'), 200, '/healthz from another address during the flood');
	eq(await healthz(hub, '127.0.0.2'), 0, 'a ninth from the flooding address is closed');
	eq((await wsClient(hub)).readyState, 1, 'a WebSocket from another address opens');
	check(await metric(hub, 'connections_refused_per_addr_total') >= 23, 'counted');
	for (const s of flood) s.destroy();
	await waitFor(async () => (await healthz(hub, '127.0.0.2')) === 200, 5000, 'the address is welcome again once its connections are gone');
	const lines = hub.log.split('\n').filter((l) => /max_per_addr/.test(l)).length;
	check(lines <= 2, `logged in ${lines} line(s)`);
	console.log(`# connections from one address: ${flood.length}`);
});

test('started under `ulimit -n 128`: connections past the limit are closed at once, the hub answers when they go', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, wrap: ['prlimit', '--nofile=128:128'], sets: ['http.fd_reserve=32', 'http.max_per_addr=40'] });
	eq(run('prlimit', ['--pid', String(hub.proc.pid), '--nofile', '--noheadings', '--raw', '--output=SOFT']).stdout.trim(), '128', 'the hub runs with 128 descriptors');
	const flood = [];
	for (let a = 2; a < 7; a++)
		for (let i = 0; i < 40; i++) flood.push(await idle(hub.port, `127.0.0.${a}`));
	eq(await healthz(hub, '127.0.0.1'), 0, 'every descriptor the reserve allows is taken');
	await waitFor(async () => flood.filter((s) => s.gone).length >= 200 - 96, 5000, 'the connections past the limit closed');
	const held = flood.filter((s) => !s.gone).length;
	check(held >= 40 && held <= 128 - 32, `the others held, within the limit less http.fd_reserve (${held})`);
	for (const s of flood) s.destroy();
	await waitFor(async () => (await healthz(hub, '127.0.0.1')) === 200, 5000, '/healthz once they are gone');
	check(await metric(hub, 'connections_refused_total') >= 100, 'counted');
	eq(await metric(hub, 'accept_errors_total'), 0, 'accept() never failed');
	const lines = hub.log.split('\n').filter((l) => /refused|accept/.test(l)).length;
	check(lines <= 3, `logged in ${lines} line(s)`);
	console.log(`# connections opened at once: ${flood.length}`);
});

test('accept() failing for want of a descriptor: waiting connections are closed, not retried on every loop turn', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const pid = hub.proc.pid;
	await sleep(300);
	// no descriptor left at all: the soft limit at the lowest free number
	const open = new Set(fs.readdirSync(`/proc/${pid}/fd`).map(Number));
	let free = 0;
	while (open.has(free)) free++;
	eq(run('prlimit', ['--pid', String(pid), `--nofile=${free}:1024`]).status, 0, 'prlimit');
	const flood = [];
	for (let i = 0; i < 20; i++) flood.push(await idle(hub.port, '127.0.0.3'));
	const done = await waitFor(() => flood.every((s) => s.gone), 8000, 'closed').then(() => true, () => false);
	check(done, `every waiting connection is closed by the hub (${flood.filter((s) => s.gone).length} of ${flood.length})`);
	eq(run('prlimit', ['--pid', String(pid), '--nofile=1024:1024']).status, 0, 'prlimit back');
	await waitFor(async () => (await healthz(hub, '127.0.0.1')) === 200, 5000, '/healthz');
	const errors = await metric(hub, 'accept_errors_total');
	check(errors >= 1 && errors <= 2 * flood.length, `accept() failed a few times, not on every loop turn (${errors})`);
	const lines = hub.log.split('\n').filter((l) => /accept|refused/.test(l)).length;
	check(lines <= 4, `logged in ${lines} line(s)`);
	for (const s of flood) s.destroy();
});

await main();
