// promises.mjs — issue 13's promises where the first attack pass did not
// look: every body-taking route of the route tables (not four chosen
// ones), a login that runs out by time under an open /ws, families past
// kiosk.party_max, every anonymous route and the public /ws after staff
// have worked (no staff name, file name or acknowledged_by), the retention
// purge leaving the database files, check-ins answered 201 and a kill -9
// (a power cut) at once, and every command that reads on a missing
// database.
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import {
	HUB_BIN, test, main, assert, eq, check, run, startBroker, startHub, request, wsClient, pub, sleep, waitFor, tmpdir,
} from '../lib/harness.mjs';

// The routes of the hub's own tables (a network hub's: every route).
function routes() {
	const r = run(HUB_BIN, ['--set', 'log.level=warn', '--set', 'net.role=network', 'routes']);
	assert(r.status === 0, 'mlab-hub routes: ' + r.stderr);
	return r.stdout.trim().split('\n').map((l) => {
		const [method, pattern, role] = l.split(' ');
		return { method, pattern, role };
	});
}
const concrete = (p, id = '999999') => p.replace('/**', '/test/none-such').replace(/\*/g, id);
const closed = (ws) => new Promise((r) => { if (ws.readyState === WebSocket.CLOSED) r(); else ws.once('close', () => r()); });

test('every body-taking route of the tables refuses bytes that are not UTF-8, NUL, and an escaped NUL', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['kiosk.writes_per_min=100000', 'net.role=network'] });
	const ad = await hub.login('ad', 'admin', 'admin-password');
	const writes = routes().filter((r) => r.method !== 'GET' && r.method !== 'DELETE' && r.pattern !== '/api/logout');
	assert(writes.some((r) => r.method === 'PATCH'), 'PATCH routes among them');
	const bad = [Buffer.from([0xff, 0xfe]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0x00]),
		Buffer.from('\\u0000'), Buffer.from('\\u0000\\u0000')];
	let tried = 0;
	for (const r of writes)
		for (const b of bad) {
			const body = Buffer.concat([Buffer.from('{"title":"a'), b, Buffer.from('b","display_name":"a'), b, Buffer.from('b"}')]);
			const res = await fetch(hub.url + concrete(r.pattern), { method: r.method, body, headers: { 'content-type': 'application/json', cookie: ad } });
			const text = await res.text();
			tried++;
			check(res.status === 400 && /UTF-8|NUL/.test(text), `${r.method} ${r.pattern} with ${b.toString().startsWith('\\') ? b.toString() : b.toString('hex')}: 400`, `${res.status} ${text.slice(0, 80)}`);
		}
	// an escaped NUL would be cut there by the C strings that carry it:
	// "a\u0000b" stored as "a" without a word
	await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: ad });
	const p = await request(hub.url + '/api/projects', { method: 'POST', body: '{"title":"Vrai\\u0000 titre"}', cookie: ad });
	check(p.status === 400, 'a title with \\u0000 is refused, not cut short', `${p.status} ${p.text.slice(0, 80)}`);
	const ok = await request(hub.url + '/api/projects', { method: 'POST', body: '{"title":"Tab\\u0009 \\\\u0000 é\\u00e9"}', cookie: ad });
	eq(ok.status, 201, 'other escapes, and a backslash before u0000, are text: ' + ok.text);
	eq(ok.json.title, 'Tab\t \\u0000 éé', 'stored as sent');
	console.log(`# malformed bodies tried on ${writes.length} body-taking routes: ${tried}`);
});

test('a staff /ws ends when its login runs out by time, with nothing personal after', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const ad = await hub.login('ad', 'admin', 'admin-password');
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const ws = await wsClient(hub, { cookie: fa });
	eq((await ws.waitFor((m) => m.type === 'snapshot')).role, 'facilitator', 'staff at first');
	// as the clock would make it: the login's end now in the past
	const r = run('sqlite3', [hub.db, "UPDATE auth_sessions SET expires_at = 1 WHERE user_id = (SELECT id FROM users WHERE name = 'fa')"]);
	eq(r.status, 0, r.stderr);
	eq((await request(hub.url + '/api/me', { cookie: fa })).status, 401, 'the login is over');
	const done = await Promise.race([closed(ws).then(() => true), sleep(6000).then(() => false)]);
	check(done, 'the open /ws is closed');
	const before = ws.messages.length;
	await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: ad });
	await request(hub.url + '/api/participants', { method: 'POST', body: { display_name: 'Zoé Tremblay', email: 'zoe@example.org', consent: { contact: true, publish_name: true } }, cookie: ad });
	await sleep(300);
	check(!JSON.stringify(ws.messages.slice(before)).includes('zoe@example.org'), 'no participant data after the end');
	ws.terminate();
});

test('kiosk: every kiosk-writable route of the tables is rate-limited; a family stays within kiosk.party_max', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['kiosk.writes_per_min=3', 'kiosk.party_max=30'] });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const ki = await hub.login('ki', 'kiosk', 'kiosk-password');
	eq((await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: fa })).status, 201);
	for (const [what, body] of [['party_size 31', { party_size: 31 }],
		['members adding up to 1000', { members: [{ age_band: '25-34', n: 1000 }] }],
		['members adding up to 31', { members: [{ age_band: '25-34', n: 16 }, { age_band: '0-5', n: 15 }] }]]) {
		const r = await request(hub.url + '/api/participants', { method: 'POST', body, cookie: fa });
		check(r.status === 400 && /party|members/.test(r.text), `${what}: 400`, `${r.status} ${r.text.slice(0, 80)}`);
	}
	const heads = () => Number(run('sqlite3', [hub.db, 'SELECT coalesce(sum(party_size),0) FROM participants']).stdout.trim());
	eq(heads(), 0, 'nobody counted by the refused check-ins');
	const kioskRoutes = routes().filter((r) => r.role === 'kiosk' && r.method !== 'GET');
	assert(kioskRoutes.length >= 3, 'the kiosk writes somewhere');
	let tried = 0;
	for (const r of kioskRoutes) {
		// a fresh budget for each route: a new kiosk account
		const k = await hub.login('k' + tried, 'kiosk', 'kiosk-password');
		let limited = 0;
		for (let i = 0; i < 6; i++) {
			const res = await request(hub.url + concrete(r.pattern), { method: r.method, body: {}, cookie: k });
			tried++;
			if (res.status === 429) limited++;
		}
		check(limited >= 3, `${r.method} ${r.pattern}: kiosk writes past kiosk.writes_per_min get 429 (${limited} of 6)`);
	}
	console.log(`# kiosk-writable routes: ${kioskRoutes.length}, writes tried: ${tried}`);
});

test('after staff have worked, no anonymous route nor the public /ws names them, a print file or an acknowledger', async () => {
	const broker = await startBroker();
	// a machine whose configured and staff-given names name a person
	const hub = await startHub({ broker, sets: ['net.role=network', 'machine.laser.plug=mlab/plug-1',
		'machine.laser.name=Laser de Gaston-Lagaffe'] });
	const staff = 'gaston-lagaffe';
	const ad = await hub.login(staff, 'admin', 'admin-password');
	const file = 'marie-tremblay-porte-cles.gcode';
	pub(broker, 'mlab/v1/prn-1/meta', { name: 'Imprimante de Gaston-Lagaffe', kind: 'printer' }, { retain: true });
	pub(broker, 'mlab/v1/prn-1/event', { seq: 1, type: 'job.started', file });
	pub(broker, 'mlab/v1/prn-1/event', { seq: 2, type: 'job.failed', file });
	await waitFor(async () => (await request(hub.url + '/api/alerts', { cookie: ad })).json.alerts.length > 0, 5000, 'the alert');
	const alert = (await request(hub.url + '/api/alerts', { cookie: ad })).json.alerts[0];
	eq((await request(hub.url + `/api/alerts/${alert.id}/ack`, { method: 'POST', body: {}, cookie: ad })).status, 200);
	pub(broker, 'mlab/v1/prn-1/event', { seq: 3, type: 'job.started', file });
	await waitFor(async () => (await request(hub.url + '/api/jobs', { cookie: ad })).text.includes(file), 5000, 'the job');
	await request(hub.url + '/api/devices/mlab/prn-1', { method: 'PATCH', body: { name: 'Prusa de Gaston-Lagaffe' }, cookie: ad });
	const s = await request(hub.url + '/api/sessions', { method: 'POST', body: { title: 'Atelier' }, cookie: ad });
	const pj = await request(hub.url + '/api/projects', { method: 'POST', body: { title: 'Porte-clés' }, cookie: ad });
	const pa = await request(hub.url + '/api/participants', { method: 'POST', body: { display_name: 'Zoé Cachée', email: 'zoe@example.org', consent: { contact: true } }, cookie: ad });
	const co = await request(hub.url + '/api/contributions', { method: 'POST', body: { title: 'Idée', kind: 'idea', participant_id: pa.json?.id, project_id: pj.json?.id }, cookie: ad });
	eq((await request(hub.url + `/api/contributions/${co.json?.id}`, { method: 'PATCH', body: { status: 'confirmed' }, cookie: ad })).status, 200, 'confirmed by the staff');
	pub(broker, 'mlab/v1/prn-1/event', { seq: 4, type: 'job.finished', file });
	await request(hub.url + '/api/ratings', { method: 'POST', body: { value: 3 }, cookie: ad });
	const ids = { '/api/projects/*': pj.json?.id, '/api/sessions/*': s.json?.id, '/api/alerts/*': alert.id };
	eq([pj.status, s.status, pa.status], [201, 201, 201], 'the staff\'s work');
	const ki = await hub.login('ki', 'kiosk', 'kiosk-password');
	const secrets = [staff, 'Gaston', file, 'marie-tremblay', 'acknowledged_by', 'zoe@example.org', 'Zoé Cachée'];
	const found = (text) => secrets.find((x) => text.toLowerCase().includes(x.toLowerCase()));
	const around = (text, x) => { const i = text.toLowerCase().indexOf(x.toLowerCase()); return text.slice(Math.max(0, i - 60), i + 60); };
	let tried = 0;
	for (const [role, cookie] of [['anonymous', undefined], ['kiosk', ki]]) {
		const ws = await wsClient(hub, { cookie });
		await ws.waitFor((m) => m.type === 'snapshot');
		// live messages too: the staff rename the printer, a print starts
		await request(hub.url + '/api/devices/mlab/prn-1', { method: 'PATCH', body: { name: 'Prusa ' + role + ' de Gaston' }, cookie: ad });
		pub(broker, 'mlab/v1/prn-1/event', { seq: role === 'kiosk' ? 6 : 5, type: 'job.started', file });
		await sleep(500);
		// (the API's description names its fields, acknowledged_by among them)
		for (const r of routes().filter((x) => (x.role === 'none' || x.role === role) && x.method === 'GET' && x.pattern !== '/api/openapi.json'))
			for (const q of ['', '?format=csv']) {
				const url = concrete(r.pattern.replace(/\/\*$/, '/' + (ids[r.pattern] || 999999)).replace('/**', '/mlab/prn-1')) + q;
				const res = await request(hub.url + url, { cookie });
				tried++;
				const leak = found(res.text);
				check(!leak, `${role} GET ${url}: names nobody`, leak && `${leak} in ${around(res.text, leak)}`);
			}
		// the figures' trails and the report's other forms
		const names = Object.keys((await request(hub.url + '/api/indicators')).json.indicators);
		assert(names.includes('print_jobs_finished'), 'the indicators: ' + names.join(' '));
		for (const q of [...names.flatMap((n) => ['json', 'csv', 'html'].map((f) => `?explain=${n}&format=${f}`)), '?format=html', '?format=ods']) {
			const res = await request(hub.url + '/api/indicators' + q, { cookie });
			tried++;
			const leak = found(res.text);
			check(!leak, `${role} GET /api/indicators${q}: names nobody`, leak && `${leak} in ${around(res.text, leak)}`);
		}
		const text = JSON.stringify(ws.messages);
		check(!found(text), `the ${role} /ws: names nobody`, found(text) && around(text, found(text)));
		ws.terminate();
	}
	// the staff's own view keeps the names
	check((await request(hub.url + '/api/indicators?explain=votes', { cookie: ad })).text.includes('api:' + staff), 'staff: a vote\'s source names the account');
	check((await request(hub.url + '/api/indicators?explain=print_jobs_finished&format=html', { cookie: ad })).text.includes('de Gaston'), 'staff: the printer by the staff\'s name');
	check((await request(hub.url + '/api/indicators?explain=print_jobs_finished&format=html')).text.includes('mlab/prn-1'), 'the public: the printer by its id');
	check((await request(hub.url + '/api/indicators?format=html', { cookie: ad })).text.includes('Laser de Gaston'), 'staff: the machine by its configured name');
	check((await request(hub.url + '/api/indicators?format=html')).text.includes('laser'), 'the public: the machine by its key');
	console.log(`# anonymous and kiosk reads tried: ${tried}`);
});

test('the retention purge leaves the database files too: checkpoint after it', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const ad = await hub.login('ad', 'admin', 'admin-password');
	await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: ad });
	const p = await request(hub.url + '/api/participants', { method: 'POST', body: { display_name: 'Zebulon Quasimodo', email: 'zebulon.quasimodo@example.org', consent: { contact: true, publish_name: true } }, cookie: ad });
	eq(p.status, 201, p.text);
	eq((await request(hub.url + '/api/sessions/current', { cookie: ad })).status, 200);
	const cur = (await request(hub.url + '/api/sessions/current', { cookie: ad })).json;
	eq((await request(hub.url + `/api/sessions/${cur.id ?? cur.session?.id}/end`, { method: 'POST', body: {}, cookie: ad })).status, 200, 'the session ended');
	const r = await request(hub.url + '/api/purge', { method: 'POST', body: { now: '2099-01-01T00:00:00Z' }, cookie: ad });
	eq(r.status, 200, r.text);
	eq(r.json.purged, 1, 'one participant purged');
	for (const f of [hub.db, hub.db + '-wal']) {
		const b = fs.existsSync(f) ? fs.readFileSync(f) : Buffer.alloc(0);
		check(!b.includes('Quasimodo') && !b.includes('zebulon.quasimodo'), `${path.basename(f)}: the purged name is gone`);
	}
});

test('a power cut right after 201: every check-in answered is in the database', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['kiosk.writes_per_min=100000', 'store.commit_ms=1000'] });
	const fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	const ki = await hub.login('ki', 'kiosk', 'kiosk-password');
	await request(hub.url + '/api/sessions', { method: 'POST', body: {}, cookie: fa });
	let kills = 0, answered = 0;
	for (let round = 0; round < 5; round++) {
		const got = [];
		for (let i = 0; i < 10; i++) {
			const r = await request(hub.url + '/api/participants', { method: 'POST', body: { age_band: '25-34' }, cookie: ki });
			if (r.status === 201) got.push(r.json.id);
		}
		await hub.stop('SIGKILL');
		kills++;
		answered += got.length;
		await hub.start();
		const n = Number(run('sqlite3', [hub.db, `SELECT count(*) FROM participants WHERE id IN (${got.join(',') || 0})`]).stdout.trim());
		check(n === got.length, `round ${round}: ${got.length} answered 201, ${n} stored`);
	}
	eq(run('sqlite3', [hub.db, 'PRAGMA integrity_check']).stdout.trim(), 'ok', 'database intact');
	console.log(`# kills: ${kills}; check-ins answered before them: ${answered}`);
});

test('commands that read do not create a database', async () => {
	const dir = tmpdir('empty');
	const db = path.join(dir, 'var', 'nothing.db');
	for (const args of [['user', 'list'], ['report', '--fy', '2024'], ['report', '--fy', '2024', '--db', db],
		['backup', '--to', path.join(dir, 'b.db')], ['user', 'del', 'nobody'], ['device', 'remove', 'mlab/x']]) {
		const r = run(HUB_BIN, ['--set', `store.path=${db}`, ...args], { cwd: dir });
		check(r.status !== 0 && !fs.existsSync(db) && !fs.existsSync(path.join(dir, 'var')),
			`${args.join(' ')} on a missing database: an error, nothing created`, `${r.status} ${r.stderr.trim().slice(0, 100)}`);
	}
	eq(fs.readdirSync(dir), [], 'nothing created');
});

await main();
