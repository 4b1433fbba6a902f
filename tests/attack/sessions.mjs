// sessions.mjs — what a login, a role and an address may keep: staff
// WebSockets end with their login, a foreign Origin cannot open one with
// the staff's cookie, the public views name nobody, an erased participant
// leaves no trace in the database files, logins are slowed per account,
// kiosk writes are bounded, WebSockets are capped per address and in
// total with room for staff, devices can be removed and evicted.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import {
	HUB_BIN, test, main, assert, eq, check, run, startBroker, startHub, request, wsClient, pub, sleep, waitFor,
} from '../lib/harness.mjs';

const closed = (ws) => new Promise((r) => { if (ws.readyState === WebSocket.CLOSED) r(); else ws.once('close', () => r()); });
// Open a WebSocket; resolves 'open' or 'refused'.
function tryWs(hub, { cookie, origin, localAddress } = {}) {
	return new Promise((resolve) => {
		const ws = new WebSocket(hub.url.replace('http', 'ws') + '/ws', {
			headers: { ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) }, localAddress,
		});
		ws.on('open', () => resolve({ ws, state: 'open' }));
		ws.on('error', () => resolve({ ws, state: 'refused' }));
		ws.on('unexpected-response', () => resolve({ ws, state: 'refused' }));
	});
}

test('a staff WebSocket ends with its login: logout, disable, delete, password, demotion, the CLI', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	await hub.login('ad', 'admin', 'admin-password');
	const ad = await hub.login('ad', 'admin', 'admin-password');
	const ways = [
		['logout', async (c) => request(hub.url + '/api/logout', { method: 'POST', body: {}, cookie: c })],
		['disable', async () => request(hub.url + '/api/users/fa', { method: 'PATCH', body: { disabled: true }, cookie: ad })],
		['password change', async () => request(hub.url + '/api/users/fa', { method: 'PATCH', body: { password: 'another-password' }, cookie: ad })],
		['demotion to kiosk', async () => request(hub.url + '/api/users/fa', { method: 'PATCH', body: { role: 'kiosk' }, cookie: ad })],
		['delete', async () => request(hub.url + '/api/users/fa', { method: 'DELETE', cookie: ad })],
		['mlab-hub user del', async () => run(HUB_BIN, ['--set', `store.path=${hub.db}`, 'user', 'del', 'fa'])],
	];
	for (const [what, end] of ways) {
		run(HUB_BIN, ['--set', `store.path=${hub.db}`, 'user', 'del', 'fa']);
		const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
		const ws = await wsClient(hub, { cookie: fa });
		const snap = await ws.waitFor((m) => m.type === 'snapshot');
		eq(snap.role, 'facilitator', 'the socket starts as staff');
		const r = await end(fa);
		assert(r.status === undefined || r.status < 300 || r.status === 0, `${what}: ${r.status} ${r.text || r.stderr}`);
		eq((await request(hub.url + '/api/me', { cookie: fa })).status, 401, `${what}: the login is over`);
		const before = ws.messages.length;
		const done = await Promise.race([closed(ws).then(() => true), sleep(5000).then(() => false)]);
		check(done, `${what}: the open /ws is closed`);
		// and nothing personal reached it after the end
		await request(hub.url + '/api/participants', { method: 'POST', body: { display_name: 'Zoé Tremblay', email: 'zoe@example.org', consent: { contact: true, publish_name: true } }, cookie: ad });
		await sleep(200);
		check(!JSON.stringify(ws.messages.slice(before)).includes('zoe@example.org'), `${what}: no participant data after the end`);
		ws.terminate();
	}
});

test('the /ws handshake refuses a foreign Origin with a staff cookie', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const host = `127.0.0.1:${hub.port}`;
	for (const [origin, want] of [['http://evil.example', 'refused'], ['null', 'refused'], [`https://${host}`, 'refused'],
		['http://' + 'x'.repeat(300), 'refused'], [`http://${host}`, 'open'], [undefined, 'open']]) {
		const { ws, state } = await tryWs(hub, { cookie: fa, origin });
		check(state === want, `staff cookie, Origin ${String(origin).slice(0, 40)}: ${want}`, state);
		ws.terminate();
	}
	const { ws, state } = await tryWs(hub, { origin: 'http://evil.example' });
	eq(state, 'open', 'no cookie: the public view, from anywhere');
	ws.terminate();
});

test('the public views name nobody: no print file names, no acknowledged_by', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const pubWs = await wsClient(hub);
	const staffWs = await wsClient(hub, { cookie: fa });
	const file = 'marie-tremblay-porte-cles.gcode';
	pub(broker, 'mlab/v1/prn-1/event', { seq: 1, type: 'job.started', file });
	pub(broker, 'mlab/v1/prn-1/event', { seq: 2, type: 'job.failed', file });
	await hub.waitFor(async () => (await request(hub.url + '/api/alerts', { cookie: fa })).json.alerts.length > 0, 5000, 'the alert');
	const alert = (await request(hub.url + '/api/alerts', { cookie: fa })).json.alerts[0];
	eq((await request(hub.url + `/api/alerts/${alert.id}/ack`, { method: 'POST', body: {}, cookie: fa })).status, 200);
	pub(broker, 'mlab/v1/prn-1/event', { seq: 3, type: 'job.started', file });
	await hub.waitFor(async () => JSON.stringify((await request(hub.url + '/api/jobs', { cookie: fa })).json).includes(file), 5000, 'the job');
	await staffWs.waitFor((m) => JSON.stringify(m).includes(file), 3000, 'staff see the file');
	const late = await wsClient(hub);
	await late.waitFor((m) => m.type === 'snapshot');
	await sleep(300);
	for (const [what, body] of [['/api/jobs', (await request(hub.url + '/api/jobs')).text],
		['/api/jobs?format=csv', (await request(hub.url + '/api/jobs?format=csv')).text],
		['/api/devices', (await request(hub.url + '/api/devices')).text],
		['/api/devices/mlab/prn-1', (await request(hub.url + '/api/devices/mlab/prn-1')).text],
		['/api/alerts', (await request(hub.url + '/api/alerts')).text],
		['public /ws messages', JSON.stringify(pubWs.messages)], ['public /ws snapshot', JSON.stringify(late.messages)]]) {
		check(!body.includes('marie') && !body.includes('acknowledged_by'), `anonymous ${what}: no file name, no acknowledged_by`, body.slice(0, 120));
	}
	check((await request(hub.url + '/api/jobs', { cookie: fa })).text.includes(file), 'staff still see the file');
});

test('an erased participant leaves the database files: secure_delete and a checkpoint', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: fa });
	const p = await request(hub.url + '/api/participants', { method: 'POST', body: { display_name: 'Zebulon Quasimodo', email: 'zebulon.quasimodo@example.org', consent: { contact: true, publish_name: true } }, cookie: fa });
	eq(p.status, 201, p.text);
	eq((await request(hub.url + `/api/participants/${p.json.id}`, { method: 'DELETE', cookie: fa })).status, 200);
	for (const f of [hub.db, hub.db + '-wal']) {
		const b = fs.existsSync(f) ? fs.readFileSync(f) : Buffer.alloc(0);
		check(!b.includes('Quasimodo') && !b.includes('zebulon.quasimodo'), `${f.split('/').pop()}: the erased name is gone`);
	}
});

test('logins are slowed per account, from any address, without locking the right password out', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['auth.account_free=3', 'auth.account_delay_s=2', 'auth.max_attempts=50'] });
	await hub.login('ad', 'admin', 'admin-password');
	// one address per guess: 127.0.0.2, .3, …, each far below its own limit
	const login = (password, localAddress) => new Promise((resolve) => {
		const body = JSON.stringify({ user: 'ad', password });
		const rq = http.request(hub.url + '/api/login', { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
			let t = ''; res.on('data', (d) => { t += d; }); res.on('end', () => resolve({ status: res.statusCode, retry: res.headers['retry-after'], text: t }));
		});
		rq.end(body);
	});
	let guesses = 0, slowed = 0;
	for (let i = 2; i < 10; i++) {
		const r = await login('guess-' + i, `127.0.0.${i}`);
		guesses++;
		if (r.status === 429) slowed++;
	}
	console.log(`# password guesses from ${guesses} addresses: ${slowed} slowed down`);
	check(slowed > 0, 'guesses from many addresses are slowed on the account');
	const early = await login('admin-password', '127.0.0.20');
	check(early.status === 429 && Number(early.retry) > 0, 'within the delay, even the right password waits', `${early.status}`);
	await sleep(Number(early.retry || 2) * 1000 + 200);
	const late = await login('admin-password', '127.0.0.21');
	eq(late.status, 200, 'after the delay the right password works from a new address');
});

test('kiosk writes are rate-limited and party_size is bounded', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['kiosk.writes_per_min=5'] });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const ki = await hub.login('ki', 'kiosk', 'kiosk-password');
	await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: fa });
	eq((await request(hub.url + '/api/participants', { method: 'POST', body: { party_size: 1000 }, cookie: ki })).status, 400, 'party_size 1000');
	let limited = 0, posted = 1;
	for (let i = 0; i < 10; i++) {
		const r = await request(hub.url + '/api/ratings', { method: 'POST', body: { value: 2 }, cookie: ki });
		posted++;
		if (r.status === 429) limited++;
	}
	check(limited >= 5, `kiosk writes past kiosk.writes_per_min get 429 (${limited} of ${posted})`);
	eq((await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: fa })).status === 429, false, 'staff are not limited');
});

test('WebSockets: capped per address and in total, with room kept for staff; unread sockets time out', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['ws.max_per_addr=3', 'ws.max_clients=6', 'ws.staff_reserve=2', 'ws.idle_s=2'] });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const open = [];
	let tried = 0;
	for (let i = 0; i < 4; i++) { open.push(await tryWs(hub, { localAddress: '127.0.0.1' })); tried++; }
	eq(open.map((o) => o.state), ['open', 'open', 'open', 'refused'], 'ws.max_per_addr from one address');
	open.push(await tryWs(hub, { localAddress: '127.0.0.2' }));
	eq(open.at(-1).state, 'open', 'another address');
	open.push(await tryWs(hub, { localAddress: '127.0.0.3' }));
	eq(open.at(-1).state, 'refused', 'anonymous clients stop at ws.max_clients - ws.staff_reserve');
	open.push(await tryWs(hub, { cookie: fa, localAddress: '127.0.0.1' }));
	eq(open.at(-1).state, 'open', 'staff still get in');
	tried += 3;
	for (const o of open) o.ws.terminate();
	// a socket that completes the handshake, then never reads nor answers a ping
	await sleep(300);
	const s = net.connect(hub.port, '127.0.0.1');
	s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
		'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
	let head = '';
	await new Promise((r) => s.once('data', (d) => { head += d; r(); }));
	assert(/101/.test(head), 'the raw socket is upgraded: ' + head.split('\r\n')[0]);
	s.pause();	// (a paused socket does not see the close either: ask the hub)
	const clients = async () => Number(/mlab_ws_clients (\d+)/.exec((await request(hub.url + '/metrics')).text)[1]);
	eq(await clients(), 1, 'the raw socket is a client');
	const gone = await Promise.race([waitFor(async () => (await clients()) === 0, 20000).then(() => true, () => false)]);
	s.destroy();
	check(gone, 'an unread, silent socket is closed (ws.idle_s)');
	console.log(`# WebSocket handshakes tried: ${tried + 1}`);
});

test('too many connections: refused at once, /healthz still answers, the log stays short', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['http.fd_reserve=40'] });
	// the hub's own limit, lowered for it alone
	const lim = run('prlimit', ['--pid', String(hub.proc.pid), '--nofile=100:100']);
	eq(lim.status, 0, 'prlimit: ' + lim.stderr);
	const socks = [];
	for (let i = 0; i < 200; i++) {
		const s = net.connect(hub.port, '127.0.0.1');
		s.on('error', () => {});
		socks.push(s);
	}
	await sleep(1500);
	for (const s of socks) s.destroy();
	await sleep(300);
	// the loop did not spin on accept(): it answers as soon as they go
	const h = await request(hub.url + '/healthz');
	eq(h.status, 200, '/healthz answers');
	const m = await request(hub.url + '/metrics');
	check(/mlab_connections_refused_total [1-9]/.test(m.text), 'connections past the reserve are refused and counted', m.text.match(/mlab_connections_refused_total.*/)?.[0]);
	const lines = hub.log.split('\n').filter((l) => /accept|refused: /.test(l)).length;
	check(lines < 20, `the log says it in a few lines (${lines})`);
	console.log('# connections opened at once: 200');
});

test('devices: an admin removes one (audited, history kept or dropped); a full registry evicts a silent one without history', async () => {
	const broker = await startBroker();
	let hub = await startHub({ broker, sets: ['devices.max=3', 'devices.stale_s=10'] });
	const ad = await hub.login('ad', 'admin', 'admin-password');
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	for (const id of ['a', 'b', 'c'])
		if (id === 'c') pub(broker, `mlab/v1/${id}/telemetry`, { temperature_c: 20 });
		else pub(broker, `mlab/v1/${id}/status`, 'online');
	pub(broker, 'mlab/v1/b/meta', { name: 'B', kind: 'sensor' }, { retain: true });
	await hub.waitFor(async () => (await request(hub.url + '/api/devices')).json.devices.length === 3, 5000, 'three devices');
	eq((await request(hub.url + '/api/devices/mlab/c', { method: 'DELETE', cookie: fa })).status, 403, 'facilitators may not');
	eq((await request(hub.url + '/api/devices/mlab/c?history=maybe', { method: 'DELETE', cookie: ad })).status, 400);
	const r = await request(hub.url + '/api/devices/mlab/c?history=drop', { method: 'DELETE', cookie: ad });
	eq(r.status, 200, r.text);
	eq((await request(hub.url + '/api/devices/mlab/c')).status, 404, 'gone');
	const audit = (await request(hub.url + '/api/audit?action=device.remove', { cookie: ad })).json.audit;
	eq(audit.length, 1, 'audited');
	eq((await request(hub.url + '/api/devices/mlab/c', { method: 'DELETE', cookie: ad })).status, 404);
	// the registry is full (devices.max=3 with a, b and d): a new one
	// takes the place of a device silent past devices.stale_s without history
	pub(broker, 'mlab/v1/d/status', 'online');
	await hub.waitFor(async () => (await request(hub.url + '/api/devices')).json.devices.length === 3, 5000, 'd');
	await hub.stop();
	run('sqlite3', [hub.db, "UPDATE devices SET last_seen = last_seen - 3600, online = 0 WHERE id IN ('mlab/a','mlab/d')"]);
	run('sqlite3', [hub.db, "INSERT INTO events(dev, seq, type, ts, rx) SELECT dev, 1, 'x', 0, 0 FROM devices WHERE id='mlab/d'"]);
	await hub.start();
	pub(broker, 'mlab/v1/printer/telemetry', { power_w: 5 });
	await hub.waitFor(async () => (await request(hub.url + '/api/devices')).json.devices.some((d) => d.id === 'mlab/printer'), 5000, 'the real printer is let in');
	const ids = (await request(hub.url + '/api/devices')).json.devices.map((d) => d.id).sort();
	eq(ids, ['mlab/b', 'mlab/d', 'mlab/printer'], 'a (silent, no history) was evicted; d (history) kept');
	// the command line, on a stopped hub, keeps the history by default
	await hub.stop();
	const cli = run(HUB_BIN, ['--set', `store.path=${hub.db}`, 'device', 'remove', 'mlab/d']);
	eq(cli.status, 0, cli.stderr);
	eq(run('sqlite3', [hub.db, "SELECT count(*) FROM events e JOIN devices d ON d.dev=e.dev WHERE d.id LIKE 'removed/%/mlab/d'"]).stdout.trim(), '1', 'its events kept');
	eq(run(HUB_BIN, ['--set', `store.path=${hub.db}`, 'device', 'remove', 'mlab/nope']).status, 1);
	await hub.start();
	eq((await request(hub.url + '/api/devices/mlab/d')).status, 404, 'not loaded again');
});

await main();
