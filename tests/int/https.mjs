// https.mjs — the hub serving HTTPS itself (http.tls_cert, http.tls_key;
// docs/pi.md "TLS"): pages, the API, a login whose cookie is Secure, the
// WebSocket over wss, and what it does with plain HTTP and with a head too
// large on that port (hub/net/door.c leaves TLS connections to lws).
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import {
	test, main, eq, check, run, startHub, tmpdir, HUB_BIN,
} from '../lib/harness.mjs';

// One HTTPS exchange; the certificate is our own self-signed one.
function get(port, p, { method = 'GET', body, headers = {} } = {}) {
	const data = body ? JSON.stringify(body) : null;
	return new Promise((resolve) => {
		const req = https.request({ host: '127.0.0.1', port, path: p, method, rejectUnauthorized: false,
			headers: { ...headers, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
			let text = '';
			res.on('data', (d) => { text += d; });
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
		});
		req.on('error', (e) => resolve({ status: 0, error: e.code || e.message }));
		req.setTimeout(5000, () => req.destroy(new Error('timeout')));
		if (data) req.write(data);
		req.end();
	});
}

function rawPlain(port, text) {
	return new Promise((resolve) => {
		const s = net.connect(port, '127.0.0.1');
		let got = '';
		const t = setTimeout(() => { s.destroy(); resolve(got || 'no answer'); }, 5000);
		s.on('data', (d) => { got += d; });
		s.on('close', () => { clearTimeout(t); resolve(got || 'closed'); });
		s.on('error', () => {});
		s.write(text);
	});
}

test('HTTPS: pages, API, a Secure login cookie and wss, nothing in clear', async () => {
	const dir = tmpdir('tls');
	const key = path.join(dir, 'key.pem'), cert = path.join(dir, 'cert.pem');
	const r = run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=mlab.local',
		'-keyout', key, '-out', cert]);
	eq(r.status, 0, 'openssl: ' + r.stderr);
	const hub = await startHub({ sets: [`http.tls_cert=${cert}`, `http.tls_key=${key}`] });
	const port = hub.port;

	const hz = await get(port, '/healthz');
	eq(hz.status, 200, '/healthz over HTTPS');
	check(JSON.parse(hz.text).schema > 0, 'the health answer is whole');
	const page = await get(port, '/');
	eq(page.status, 200, 'the dashboard page over HTTPS');
	check(/default-src 'none'/.test(page.headers['content-security-policy'] || ''), 'with its security headers');

	const add = spawnSync(HUB_BIN, ['--set', `store.path=${hub.db}`, 'user', 'add', 'anim', '--role', 'facilitator'],
		{ input: 'mot-de-passe-1\n', encoding: 'utf8' });
	eq(add.status, 0, 'user add: ' + add.stderr);
	const origin = `https://127.0.0.1:${port}`;
	const login = await get(port, '/api/login', { method: 'POST', body: { user: 'anim', password: 'mot-de-passe-1' },
		headers: { origin } });
	eq(login.status, 200, 'login over HTTPS');
	const sc = [].concat(login.headers['set-cookie'] || []).join('; ');
	check(/Secure/.test(sc) && /HttpOnly/.test(sc), 'the session cookie is Secure and HttpOnly', sc);
	const cookie = sc.split(';')[0];
	const me = await get(port, '/api/me', { headers: { cookie } });
	eq(me.status, 200, 'the cookie opens the staff API');
	const refused = await get(port, '/api/login', { method: 'POST', body: { user: 'anim', password: 'mot-de-passe-1' },
		headers: { origin: `http://127.0.0.1:${port}` } });
	check(refused.status === 403, 'an http:// Origin is foreign to an HTTPS hub', `${refused.status}`);

	const ws = await new Promise((resolve, reject) => {
		const w = new WebSocket(`wss://127.0.0.1:${port}/ws`, { rejectUnauthorized: false, headers: { cookie, origin } });
		w.msgs = [];
		w.on('message', (d) => w.msgs.push(JSON.parse(d.toString())));
		w.on('open', () => resolve(w));
		w.on('error', reject);
	});
	await hub.waitFor(() => ws.msgs.some((m) => m.type === 'snapshot'), 3000, 'the snapshot over wss');
	ws.close();

	const clear = await rawPlain(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
	check(!/"schema"/.test(clear), 'plain HTTP on the HTTPS port gets no data', clear.slice(0, 60));
	// the door cannot read encrypted heads: lws closes an oversized one
	// (README "Limits"); the hub goes on
	const big = await get(port, '/healthz', { headers: { 'x-big': 'a'.repeat(12000) } });
	check(big.status !== 200, 'a 12 KiB head over HTTPS is not served', `${big.status} ${big.error || ''}`);
	eq((await get(port, '/healthz')).status, 200, 'the hub goes on');
});

main();
