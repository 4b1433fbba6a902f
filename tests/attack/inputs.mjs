// inputs.mjs — malformed and hostile input at the HTTP and WebSocket
// edges: bytes that are not UTF-8, NUL, a long or foreign Origin, header
// chunked bodies, a missing file on a fresh connection,
// symbolic links under the web root.  Each case failed on the hub before
// issue 13; the counts of what was tried are printed.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
	test, main, assert, eq, check, run, startBroker, startHub, request, wsClient, tmpdir, ROOT,
} from '../lib/harness.mjs';

// One raw HTTP exchange on a fresh connection: resolves with the head of
// the answer, or 'no answer' when none came within ms (the hub's own
// timeout is 10 s: 5 s tells a hang from an answer).
function raw(port, text, ms = 5000) {
	return new Promise((resolve) => {
		const s = net.connect(port, '127.0.0.1');
		let got = '';
		const t = setTimeout(() => { s.destroy(); resolve(got || 'no answer'); }, ms);
		s.on('data', (d) => { got += d; if (/\r\n\r\n/.test(got)) { clearTimeout(t); s.destroy(); resolve(got); } });
		s.on('close', () => { clearTimeout(t); resolve(got || 'closed without an answer'); });
		s.on('error', () => {});
		s.write(text);
	});
}
const status = (head) => (/^HTTP\/1\.[01] (\d+)/.exec(head) || [])[1];

let malformed = 0;

test('a body that is not UTF-8, or holds NUL, is refused with 400 wherever it goes', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const ki = await hub.login('ki', 'kiosk', 'kiosk-password');
	await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: fa });
	const bad = [Buffer.from([0xff, 0xfe]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]),
		Buffer.from([0xe2, 0x82]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0x00])];
	// each body is accepted (2xx, or 401 for the login) with good text in its place
	const targets = [['/api/projects', 'title', fa, ''], ['/api/participants', 'display_name', ki, ',"consent":{"publish_name":true}'],
		['/api/contributions', 'title', ki, ''], ['/api/login', 'user', undefined, ',"password":"x"']];
	for (const [url, field, cookie, rest] of targets)
		for (const b of bad) {
			const body = Buffer.concat([Buffer.from(`{"${field}":"a`), b, Buffer.from(`b"${rest}}`)]);
			const r = await fetch(hub.url + url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) } });
			const text = await r.text();
			malformed++;
			check(r.status === 400 && /UTF-8/.test(text), `${url} ${field} with ${b.toString('hex')}: 400`, `${r.status} ${text}`);
		}
	// and good UTF-8 still goes through
	const ok = await request(hub.url + '/api/projects', { method: 'POST', body: { title: 'Café éolien ✓ 🚀' }, cookie: fa });
	eq(ok.status, 201, 'a valid UTF-8 title');
	console.log(`# malformed bodies tried: ${malformed}`);
});

test('a byte already stored that is not UTF-8 cannot end the WebSocket clients', async () => {
	const broker = await startBroker();
	let hub = await startHub({ broker });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	eq((await request(hub.url + '/api/projects', { method: 'POST', body: { title: 'Projet' }, cookie: fa })).status, 201);
	await hub.stop();
	// an older hub, a restored backup or a hand edit left these bytes
	const r = run('sqlite3', [hub.db, "UPDATE projects SET title = CAST(X'4162FFFE63' AS TEXT)"]);
	eq(r.status, 0, 'sqlite3: ' + r.stderr);
	await hub.start();
	for (const cookie of [undefined, fa]) {
		const ws = await wsClient(hub, { cookie });
		let closed = null;
		ws.on('close', (code) => { closed = code; });
		const snap = await ws.waitFor((m) => m.type === 'snapshot', 3000, 'the snapshot');
		check(JSON.stringify(snap).includes('Ab??c'), 'the bytes arrive replaced, the rest intact');
		await new Promise((res) => setTimeout(res, 300));
		eq(closed, null, `the ${cookie ? 'staff' : 'public'} socket stays open`);
		ws.close();
	}
});

test('HTTP edges: 404 at once, 405 with Allow, 411 for chunked, long and foreign Origins', async () => {
	const root = tmpdir('webroot');
	fs.cpSync(path.join(ROOT, 'web'), root, { recursive: true });
	const secret = path.join(tmpdir('secret'), 'secret.txt');
	fs.writeFileSync(secret, 'not for the web\n');
	fs.symlinkSync(secret, path.join(root, 'secret.txt'));
	fs.symlinkSync(path.dirname(secret), path.join(root, 'linked'));
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: [`http.root=${root}`] });
	const host = `127.0.0.1:${hub.port}`;
	let tried = 0;
	for (const p of ['/robots.txt', '/favicon.ico', '/kiosk/nope.js', '/wall/nope.css']) {
		const head = await raw(hub.port, `GET ${p} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
		tried++;
		check(status(head) === '404', `a fresh GET ${p}: 404 at once`, head.split('\r\n')[0]);
	}
	for (const p of ['/secret.txt', '/linked/secret.txt']) {
		const r = await request(hub.url + p);
		tried++;
		check(r.status === 404 && !/not for the web/.test(r.text), `${p} through a symbolic link: not served`, `${r.status}`);
	}
	eq((await request(hub.url + '/kiosk/')).status, 200, 'real files are still served');
	{
		const r = await request(hub.url + '/api/jobs', { method: 'DELETE' });
		tried++;
		check(r.status === 405 && /GET/.test(r.headers.get('allow') || ''), '405 carries Allow', `${r.status} allow=${r.headers.get('allow')}`);
	}
	{
		const head = await raw(hub.port, `POST /api/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n`);
		tried++;
		check(status(head) === '411', 'a chunked body: 411 at once', head.split('\r\n')[0]);
	}
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	for (const [origin, what] of [['http://' + 'x'.repeat(300) + '.example', 'an Origin over 255 bytes'],
		[`ftp://${host}`, 'another scheme'], [`https://${host}`, 'https on a plain hub'],
		['null', 'the null origin'], [`http://${host}/path`, 'a path'], [`http://${host}.evil`, 'a longer host']]) {
		const r = await request(hub.url + '/api/projects', { method: 'POST', body: { title: 'x' }, cookie: fa, headers: { origin } });
		tried++;
		check(r.status === 403, `${what}: 403`, `${r.status}`);
	}
	eq((await request(hub.url + '/api/projects', { method: 'POST', body: { title: 'same origin' }, cookie: fa, headers: { origin: `http://${host}` } })).status, 201, 'our own origin');
	malformed += tried;
	console.log(`# HTTP edge cases tried: ${tried}; malformed inputs in all: ${malformed}`);
});

// the keep-alive case: a first request answered, then a second on the same socket
function rawTwice(port, first, second, ms = 5000) {
	return new Promise((resolve) => {
		const s = net.connect(port, '127.0.0.1');
		let got = '', sent = false;
		const t = setTimeout(() => { s.destroy(); resolve(got); }, ms);
		s.on('data', (d) => {
			got += d;
			if (!sent && /\r\n\r\n[^]*\}/.test(got)) { sent = true; s.write(second); }
			else if (sent && (got.match(/HTTP\/1\.1 /g) || []).length >= 2 && /\r\n\r\n[^]*\r\n\r\n/.test(got)) {
				clearTimeout(t); s.destroy(); resolve(got);
			}
		});
		s.on('close', () => { clearTimeout(t); resolve(got); });
		s.on('error', () => {});
		s.write(first);
	});
}

test('a request head too large gets 431 (too many query arguments 414) at once, fresh or kept alive', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const host = `127.0.0.1:${hub.port}`;
	const get = (extra, target = '/healthz') => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`;
	let tried = 0;
	for (const [what, text, want] of [
		['one 9 KiB header field', get(`X-Big: ${'a'.repeat(9000)}\r\n`), '431'],
		['a 64 KiB header field', get(`X-Big: ${'a'.repeat(65536)}\r\n`), '431'],
		['a 9 KiB cookie', get(`Cookie: mlab=${'b'.repeat(9000)}\r\n`), '431'],
		['100 short header fields', get('Accept: x\r\n'.repeat(100)), '431'],
		['40 query arguments', get('', '/api/jobs?' + Array.from({ length: 40 }, (_, i) => `a${i}=1`).join('&')), '414'],
		['a 10 KiB request target', get('', '/' + 'c'.repeat(10000)), '414'],
	]) {
		const head = await raw(hub.port, text);
		tried++;
		malformed++;
		check(status(head) === want, `${what}: ${want} at once`, head.split('\r\n')[0]);
	}
	// the largest heads that are allowed still reach the hub whole
	{
		const fields = Array.from({ length: 55 }, (_, i) => `X-Field-${i}: ${'d'.repeat(120)}\r\n`).join('');
		const head = await raw(hub.port, get(fields));
		tried++;
		check(status(head) === '200', `a head of ${fields.length} bytes in 57 lines: 200`, head.split('\r\n')[0]);
	}
	// a head that arrives a few bytes at a time is read whole
	{
		const text = get('Accept: application/json\r\n');
		const got = await new Promise((resolve) => {
			const s = net.connect(hub.port, '127.0.0.1');
			let out = '', i = 0;
			s.on('data', (d) => { out += d; if (/\r\n\r\n/.test(out)) { s.destroy(); resolve(out); } });
			s.on('error', () => resolve(out));
			const step = () => { if (i < text.length) { s.write(text.slice(i, i + 7)); i += 7; setTimeout(step, 15); } };
			step();
		});
		tried++;
		check(status(got) === '200', 'a head sent 7 bytes at a time: 200', got.split('\r\n')[0]);
	}
	// a body that came in the same packet as its head is not lost on the way
	{
		const body = JSON.stringify({ user: 'nobody', password: 'wrong-password' });
		const head = await raw(hub.port, `POST /api/login HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n` +
			`Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
		tried++;
		check(status(head) === '401', 'a login with its body in one write: read whole (401)', head.split('\r\n')[0]);
	}
	// the second request of a kept-alive connection
	{
		const got = await rawTwice(hub.port, get(''), get(`X-Big: ${'e'.repeat(12000)}\r\n`));
		const codes = [...got.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
		tried++;
		check(codes[0] === '200' && codes[1] === '431', 'kept alive: 200, then 431 for a 12 KiB head', codes.join(','));
	}
	const m = await request(hub.url + '/metrics');
	const refused = Number((/mlab_http_heads_refused_total (\d+)/.exec(m.text) || [])[1]);
	check(refused >= 7, 'the refused heads are counted in /metrics', `${refused}`);
	eq((await request(hub.url + '/healthz')).status, 200, 'the hub goes on');
	const log = hub.log;
	check(!/Ran out of header data space|adopt_socket_readbuf/.test(log), "lws's own lines are not logged as errors");
	check(/request heads refused with 4\d\d/.test(log), 'one line says the heads were refused');
	console.log(`# oversized request heads tried: ${tried}`);
});

test('read commands do not create a database', async () => {
	const dir = tmpdir('empty');
	const r = run(process.env.MLAB_HUB_BIN || path.join(ROOT, 'build/asan/mlab-hub'), ['user', 'list'], { cwd: dir });
	check(r.status !== 0 && /no database/.test(r.stderr), 'user list in an empty directory: an error', r.stderr);
	eq(fs.readdirSync(dir), [], 'nothing created');
});

await main();
