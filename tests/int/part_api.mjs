// part_api.mjs — issue 4: participation through the real hub (ASan build)
// on a temp SQLite file, with a real mosquitto where devices matter.
// Accounts from the command line, login with its cookie and rate limit,
// every endpoint with good and bad input, every role against what it must
// not reach, consent rules, export and erase, the retention purge with a
// moved clock, a print job over MQTT becoming one pending contribution,
// SQL injection and oversized strings, and the issue's "Done when" session
// checked row by row in the database.
import fs from 'node:fs';
import path from 'node:path';
import {
	HUB_BIN, ROOT, test, main, assert, eq, sleep, startBroker, startHub, pub, wsClient,
	waitFor, run, tmpdir,
} from '../lib/harness.mjs';

const sql = (db, q) => {
	const r = run('sqlite3', ['-bail', db, q]);
	if (r.status !== 0) throw new Error('sqlite3: ' + r.stderr);
	return r.stdout.trim();
};
const cli = (db, args, input) => {
	const r = run(HUB_BIN, ['--set', `store.path=${db}`, '--set', 'log.level=warn', ...args],
		{ input, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
	if (r.error || r.status === null) throw new Error(`${HUB_BIN} ${args.join(' ')}: ${r.error || 'killed by ' + r.signal}`);
	return r;
};
const PW = { ad: 'admin-password', fa: 'facilitator-pw', ki: 'kiosk-password' };

// A hub with three accounts made on the command line, and their cookies.
async function setup({ broker, sets = [] } = {}) {
	const dir = tmpdir('part');
	const db = path.join(dir, 'hub.db');
	for (const [name, role] of [['ad', 'admin'], ['fa', 'facilitator'], ['ki', 'kiosk']]) {
		const r = cli(db, ['user', 'add', name, '--role', role], PW[name] + '\n');
		eq(r.status, 0, `user add ${name}: ${r.stderr}`);
	}
	const hub = await startHub({ broker, db, sets });
	const c = { hub, db };
	for (const name of ['ad', 'fa', 'ki']) c[name] = await login(hub, name, PW[name]);
	c.api = (method, p, body, cookie) => request(hub, method, p, body, cookie);
	return c;
}

// Writes carry Content-Type: application/json (the hub's CSRF rule).
async function request(hub, method, p, body, cookie) {
	const headers = { 'content-type': 'application/json' };
	if (cookie) headers.cookie = cookie;
	const opts = { method, headers };
	if (method !== 'GET') opts.body = typeof body === 'string' ? body : JSON.stringify(body ?? {});
	const r = await fetch(hub.url + p, opts);
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch { }
	return { status: r.status, json, text, headers: r.headers };
}

async function login(hub, user, password) {
	const r = await request(hub, 'POST', '/api/login', { user, password });
	eq(r.status, 200, `login ${user}: ${r.text}`);
	const sc = r.headers.get('set-cookie');
	const m = /mlab_session=([0-9a-f]{64})/.exec(sc);
	assert(m, 'a session cookie: ' + sc);
	return 'mlab_session=' + m[1];
}

const T = (s) => new Date(s).toISOString();

// ---- accounts ---------------------------------------------------------------

test('user add|passwd|del|list on the command line, argon2id, passwords on stdin', async () => {
	const db = path.join(tmpdir('users'), 'hub.db');
	eq(cli(db, ['user', 'add', 'alice', '--role', 'admin'], 'short\n').status, 1, 'refuses < 8 characters');
	eq(cli(db, ['user', 'add', 'alice', '--role', 'boss'], 'long enough\n').status, 2, 'bad role');
	eq(cli(db, ['user', 'add', 'al ice', '--role', 'admin'], 'long enough\n').status, 2, 'bad name');
	const a = cli(db, ['user', 'add', 'alice', '--role', 'admin'], 'correct horse\n');
	eq(a.status, 0, a.stderr);
	eq(cli(db, ['user', 'add', 'alice', '--role', 'kiosk'], 'correct horse\n').status, 1, 'duplicate refused');
	eq(cli(db, ['user', 'add', 'bob'], 'battery staple\n').status, 0, 'role defaults to facilitator');
	const list = cli(db, ['user', 'list']).stdout;
	assert(/alice\s+admin/.test(list) && /bob\s+facilitator/.test(list), list);
	const hash = sql(db, "SELECT hash FROM users WHERE name='alice'");
	assert(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'), 'argon2id hash: ' + hash);
	assert(!hash.includes('correct horse'), 'no clear text');
	eq(cli(db, ['user', 'passwd', 'alice'], 'new password 1\n').status, 0);
	assert(sql(db, "SELECT hash FROM users WHERE name='alice'") !== hash, 'hash changed');
	eq(cli(db, ['user', 'passwd', 'nobody'], 'new password 1\n').status, 1, 'unknown user');
	eq(cli(db, ['user', 'del', 'bob']).status, 0);
	eq(sql(db, "SELECT count(*) FROM users WHERE name='bob'"), '0');
	eq(sql(db, "SELECT group_concat(action) FROM audit ORDER BY id"), 'user.add,user.add,user.passwd,user.delete', 'audited');
	const hub = await startHub({ db });
	eq((await request(hub, 'POST', '/api/login', { user: 'alice', password: 'correct horse' })).status, 401, 'old password');
	await login(hub, 'alice', 'new password 1');
	eq((await hub.stop()).code, 0, 'clean exit, no leak');
});

test('login: cookie attributes, /api/me, logout, wrong password, stored hashed', async () => {
	const { hub, db, fa, api } = await setup();
	const r = await api('POST', '/api/login', { user: 'fa', password: PW.fa });
	const sc = r.headers.get('set-cookie');
	assert(/HttpOnly/.test(sc) && /SameSite=Strict/.test(sc) && /Path=\//.test(sc), sc);
	assert(!/Secure/.test(sc), 'no Secure over plain HTTP');
	eq(r.json, { user: 'fa', role: 'facilitator' });
	const token = /mlab_session=([0-9a-f]{64})/.exec(sc)[1];
	eq(sql(db, `SELECT count(*) FROM auth_sessions WHERE token_hash='${token}'`), '0', 'the token itself is not stored');
	eq((await api('GET', '/api/me', undefined, fa)).json, { user: 'fa', role: 'facilitator' });
	eq((await api('GET', '/api/me')).status, 401, 'anonymous');
	eq((await api('GET', '/api/me', undefined, 'mlab_session=' + '0'.repeat(64))).status, 401, 'forged token');
	eq((await api('POST', '/api/login', { user: 'fa', password: 'wrong-password' })).status, 401);
	eq((await api('POST', '/api/login', { user: 'nobody', password: 'wrong-password' })).status, 401);
	eq((await api('POST', '/api/login', { user: 'fa' })).status, 400, 'password missing');
	eq((await api('POST', '/api/login', { user: 42, password: 'x' })).status, 400, 'user not a string');
	eq((await api('POST', '/api/login', '{"user":')).status, 400, 'broken JSON');
	const other = 'mlab_session=' + token;
	eq((await api('POST', '/api/logout', {}, other)).status, 200);
	eq((await api('GET', '/api/me', undefined, other)).status, 401, 'logged out');
	eq((await api('GET', '/api/me', undefined, fa)).status, 200, 'the other login lives on');
	eq((await hub.stop()).code, 0);
});

test('failed logins are rate-limited per address (429), and the limit survives a restart', async () => {
	const { hub, api } = await setup({ sets: ['auth.max_attempts=3', 'auth.window_s=60'] });
	for (let i = 0; i < 3; i++)
		eq((await api('POST', '/api/login', { user: 'fa', password: 'nope-nope' })).status, 401);
	const r = await api('POST', '/api/login', { user: 'fa', password: PW.fa });
	eq(r.status, 429, 'even the right password waits');
	eq(r.headers.get('retry-after'), '60');
	await hub.stop();
	await hub.start();
	eq((await api('POST', '/api/login', { user: 'fa', password: PW.fa })).status, 429, 'after a restart too');
	eq((await hub.stop()).code, 0);
});

test('admin manages accounts over the API; the last admin stays', async () => {
	const { hub, ad, fa, api } = await setup();
	eq((await api('POST', '/api/users', { name: 'kim', password: 'kim-password', role: 'facilitator' }, ad)).status, 201);
	eq((await api('POST', '/api/users', { name: 'kim', password: 'kim-password', role: 'facilitator' }, ad)).status, 409);
	eq((await api('POST', '/api/users', { name: 'x', password: 'short', role: 'facilitator' }, ad)).status, 400);
	eq((await api('POST', '/api/users', { name: 'x', password: 'long enough', role: 'god' }, ad)).status, 400);
	eq((await api('POST', '/api/users', { name: "x'; DROP TABLE users;--", password: 'long enough', role: 'kiosk' }, ad)).status, 400);
	const users = (await api('GET', '/api/users', undefined, ad)).json.users;
	assert(users.some((u) => u.name === 'kim' && u.role === 'facilitator'), 'listed');
	assert(users.every((u) => !('hash' in u)), 'no hashes out');
	const kim = await login(hub, 'kim', 'kim-password');
	eq((await api('PATCH', '/api/users/kim', { role: 'kiosk' }, ad)).status, 200);
	eq((await api('GET', '/api/me', undefined, kim)).status, 401, 'a role change ends the logins');
	eq((await api('PATCH', '/api/users/ad', { role: 'facilitator' }, ad)).status, 409, 'last admin');
	eq((await api('DELETE', '/api/users/ad', {}, ad)).status, 409, 'last admin');
	eq((await api('DELETE', '/api/users/kim', {}, ad)).status, 200);
	eq((await api('DELETE', '/api/users/kim', {}, ad)).status, 404);
	eq((await api('GET', '/api/users', undefined, fa)).status, 403, 'facilitator cannot');
	const audit = (await api('GET', '/api/audit?limit=50', undefined, ad)).json.audit;
	assert(audit.some((a) => a.action === 'user.add' && a.object === 'kim' && a.user === 'ad'), 'audited');
	assert(audit.some((a) => a.action === 'user.delete'), 'audited delete');
	eq((await hub.stop()).code, 0);
});

// ---- roles ------------------------------------------------------------------

test('every role is kept from what it must not reach', async () => {
	const { hub, ad, fa, ki, api } = await setup();
	const p = (await api('POST', '/api/projects', { title: 'P' }, fa)).json.id;
	const s = (await api('POST', '/api/sessions', { project_ids: [p] }, fa)).json.id;
	const part = (await api('POST', '/api/participants', { age_band: '25-34' }, fa)).json.id;
	const contrib = (await api('POST', '/api/contributions', { kind: 'text', title: 'T' }, fa)).json.id;
	const writes = [
		['POST', '/api/projects', { title: 'x' }], ['PATCH', `/api/projects/${p}`, { title: 'y' }],
		['POST', '/api/sessions', {}], ['PATCH', `/api/sessions/${s}`, { notes: 'n' }],
		['POST', `/api/sessions/${s}/end`, {}], ['POST', '/api/participants', {}],
		['DELETE', `/api/participants/${part}`, {}], ['POST', '/api/contributions', { kind: 'idea', title: 'i' }],
		['PATCH', `/api/contributions/${contrib}`, { status: 'confirmed' }], ['POST', '/api/ratings', { value: 2 }],
		['POST', '/api/users', { name: 'z', password: 'zzzzzzzz', role: 'kiosk' }], ['DELETE', '/api/users/fa', {}],
		['PATCH', '/api/users/fa', { role: 'kiosk' }], ['POST', '/api/purge', {}], ['POST', '/api/logout', {}],
		['DELETE', `/api/sessions/${s}`, { reason: 'r' }], ['POST', `/api/sessions/${s}/merge`, { into: s, reason: 'r' }],
	];
	for (const [m, u, b] of writes) {
		const r = await api(m, u, b);
		if (u === '/api/logout') { eq(r.status, 200, 'logout without a login is harmless'); continue; }
		eq(r.status, 401, `anonymous ${m} ${u}`);
	}
	const staffReads = ['/api/sessions', `/api/sessions/${s}`, '/api/participants', `/api/participants?session_id=${s}`,
		`/api/participants/${part}`, `/api/participants/${part}/export`, '/api/contributions',
		`/api/contributions/${contrib}`, '/api/ratings', '/api/participants?q=ab&from=2020-01-01T00:00:00Z',
		'/api/contributions?status=decided&from=2020-01-01T00:00:00Z', '/api/sessions?removed=1'];
	for (const u of staffReads) {
		eq((await api('GET', u)).status, 401, `anonymous GET ${u}`);
		eq((await api('GET', u, undefined, ki)).status, 403, `kiosk GET ${u}`);
		eq((await api('GET', u, undefined, fa)).status, 200, `facilitator GET ${u}`);
	}
	const kioskNo = [
		['POST', '/api/projects', { title: 'x' }], ['PATCH', `/api/projects/${p}`, { title: 'y' }],
		['POST', '/api/sessions', {}], ['PATCH', `/api/sessions/${s}`, { notes: 'n' }],
		['POST', `/api/sessions/${s}/end`, {}], ['DELETE', `/api/participants/${part}`, {}],
		['PATCH', `/api/contributions/${contrib}`, { status: 'confirmed' }],
		['POST', '/api/contributions', { kind: 'print', title: 'not an idea' }],
		['POST', '/api/contributions', { kind: 'idea', title: 'confirmed?', status: 'confirmed' }],
		['POST', '/api/participants', { session_id: s + 100 }],
		['POST', '/api/ratings', { value: 2, session_id: s }],
		['GET', '/api/users'], ['GET', '/api/audit'], ['POST', '/api/purge', {}],
		['DELETE', `/api/sessions/${s}`, { reason: 'r' }], ['POST', `/api/sessions/${s}/merge`, { into: s, reason: 'r' }],
		['GET', `/api/projects/${p}`],
	];
	for (const [m, u, b] of kioskNo) {
		if (m === 'GET' && u.startsWith('/api/projects/')) {	// public view: no page figures
			const r = await api(m, u, b, ki);
			eq([r.status, 'sessions' in r.json, 'licence' in r.json], [200, false, false], 'kiosk project view');
			continue;
		}
		eq((await api(m, u, b, ki)).status, 403, `kiosk ${m} ${u} ${JSON.stringify(b)}`);
	}
	for (const [m, u, b] of [['GET', '/api/users'], ['GET', '/api/audit'], ['POST', '/api/users', { name: 'z', password: 'zzzzzzzz', role: 'kiosk' }],
		['DELETE', '/api/users/ki', {}], ['PATCH', '/api/users/ki', { role: 'admin' }], ['POST', '/api/purge', {}]])
		eq((await api(m, u, b, fa)).status, 403, `facilitator ${m} ${u}`);
	// what the kiosk may do
	eq((await api('POST', '/api/participants', { age_band: '35-44' }, ki)).status, 201, 'kiosk check-in');
	eq((await api('POST', '/api/ratings', { value: 3 }, ki)).status, 201, 'kiosk rating');
	const idea = await api('POST', '/api/contributions', { title: 'Scan the old bridge' }, ki);
	eq(idea.status, 201, 'kiosk idea');
	eq(Object.keys(idea.json), ['id'], 'the kiosk reads back only the id');
	const cur = await api('GET', '/api/sessions/current', undefined, ki);
	eq(cur.status, 200);
	assert(!('facilitator' in cur.json) && !('notes' in cur.json), 'public view of the session');
	eq((await api('GET', '/api/me', undefined, ki)).json.role, 'kiosk');
	// the admin is staff too
	eq((await api('GET', '/api/participants', undefined, ad)).status, 200);
	eq((await api('GET', '/api/audit', undefined, ad)).status, 200);
	// cross-site writes
	const xs = await fetch(hub.url + '/api/projects', { method: 'POST', headers: { 'content-type': 'application/json', cookie: fa, origin: 'http://evil.example' }, body: '{"title":"x"}' });
	eq(xs.status, 403, 'another Origin');
	const form = await fetch(hub.url + '/api/projects', { method: 'POST', headers: { 'content-type': 'text/plain', cookie: fa }, body: '{"title":"x"}' });
	eq(form.status, 415, 'not JSON');
	eq((await hub.stop()).code, 0);
});

// ---- projects -----------------------------------------------------------------

test('projects: create, read, patch, internal ones hidden from the public, validation', async () => {
	const { hub, fa, ki, api } = await setup();
	const body = { title: 'Numériser le Vieux-Québec', summary: 'Scans de façades', themes: ['quebec-culture', 'heritage'],
		status: 'active', visibility: 'public', starts_on: '2026-04-01', ends_on: '2027-03-31', partners: ['Ville de Québec'] };
	const r = await api('POST', '/api/projects', body, fa);
	eq(r.status, 201, r.text);
	const id = r.json.id;
	eq([r.json.title, r.json.themes, r.json.partners, r.json.ends_on], [body.title, ['heritage', 'quebec-culture'], body.partners, '2027-03-31']);
	const hidden = (await api('POST', '/api/projects', { title: 'Internal', visibility: 'internal' }, fa)).json.id;
	eq((await api('GET', `/api/projects/${hidden}`)).status, 404, 'internal hidden from the public');
	eq((await api('GET', `/api/projects/${hidden}`, undefined, ki)).status, 404, 'and from the kiosk');
	eq((await api('GET', `/api/projects/${hidden}`, undefined, fa)).status, 200, 'staff sees it');
	eq((await api('GET', '/api/projects')).json.projects.map((p) => p.id), [id]);
	eq((await api('GET', '/api/projects', undefined, fa)).json.projects.map((p) => p.id), [id, hidden]);
	const pub1 = (await api('GET', `/api/projects/${id}`)).json;
	assert(!('contributions_pending' in pub1) && pub1.contributions_confirmed === 0, 'public counts');
	const p2 = await api('PATCH', `/api/projects/${id}`, { status: 'completed', themes: ['quebec-culture'] }, fa);
	eq(p2.status, 200, p2.text);
	eq([p2.json.status, p2.json.themes, p2.json.title], ['completed', ['quebec-culture'], body.title], 'patched, rest kept');
	eq((await api('PATCH', '/api/projects/999', { title: 'x' }, fa)).status, 404);
	eq((await api('GET', '/api/projects/abc')).status, 404);
	const bad = [
		[{}, /title/], [{ title: '' }, /title/], [{ title: 'x'.repeat(201) }, /title/], [{ title: 7 }, /title/],
		[{ title: 'x', status: 'done' }, /status/], [{ title: 'x', visibility: 'secret' }, /visibility/],
		[{ title: 'x', themes: 'quebec-culture' }, /themes/], [{ title: 'x', themes: ['Québec Culture'] }, /themes\[0\]/],
		[{ title: 'x', starts_on: '2026-13-01' }, /starts_on/], [{ title: 'x', starts_on: '2026-05-01', ends_on: '2026-04-01' }, /ends_on/],
		[{ title: 'x', partners: [1] }, /partners\[0\]/], [{ title: 'x', summary: 'y'.repeat(5001) }, /summary/], [[1, 2], /object/],
	];
	for (const [b, re] of bad) {
		const x = await api('POST', '/api/projects', b, fa);
		eq(x.status, 400, JSON.stringify(b).slice(0, 80));
		assert(re.test(x.json.error), `error names the field: ${x.json.error}`);
	}
	eq((await api('PATCH', `/api/projects/${id}`, { title: null }, fa)).status, 400, 'title cannot be cleared');
	eq((await hub.stop()).code, 0);
});

// ---- sessions -----------------------------------------------------------------

test('sessions: one open at a time, current, patch, end, after the fact, list', async () => {
	const { hub, fa, api } = await setup();
	const pr = (await api('POST', '/api/projects', { title: 'P' }, fa)).json.id;
	eq((await api('GET', '/api/sessions/current')).status, 404, 'none open');
	const r = await api('POST', '/api/sessions', { project_ids: [pr], device_ids: ['mlab/printer-1'], group: { type: 'school', size: 24, grade: 'sec 2' }, notes: 'bus late' }, fa);
	eq(r.status, 201, r.text);
	const id = r.json.id;
	eq([r.json.open, r.json.group, r.json.project_ids, r.json.device_ids, r.json.facilitator],
		[true, { type: 'school', size: 24, grade: 'sec 2' }, [pr], ['mlab/printer-1'], 'fa']);
	const again = await api('POST', '/api/sessions', {}, fa);
	eq(again.status, 409, 'only one open session');
	const cur = (await api('GET', '/api/sessions/current')).json;
	eq(cur.id, id);
	assert(!('notes' in cur) && !('facilitator' in cur), 'public view');
	eq((await api('GET', '/api/sessions/current', undefined, fa)).json.notes, 'bus late', 'staff view');
	const p = await api('PATCH', `/api/sessions/${id}`, { group: { size: 26 } }, fa);
	eq(p.status, 200, p.text);
	eq(p.json.group, { type: 'school', size: 26, grade: 'sec 2' }, 'group members merge');
	eq(p.json.project_ids, [pr], 'projects kept');
	eq((await api('PATCH', `/api/sessions/${id}`, { group: { size: -1 } }, fa)).status, 400);
	eq((await api('PATCH', `/api/sessions/${id}`, { group: { type: 'crowd' } }, fa)).status, 400);
	eq((await api('PATCH', `/api/sessions/${id}`, { ended_at: new Date().toISOString() }, fa)).status, 400, 'end with /end');
	eq((await api('PATCH', '/api/sessions/9999', { notes: 'x' }, fa)).status, 404);
	const e = await api('POST', `/api/sessions/${id}/end`, {}, fa);
	eq([e.status, e.json.open], [200, false]);
	eq((await api('POST', `/api/sessions/${id}/end`, {}, fa)).status, 409, 'already ended');
	eq((await api('POST', '/api/sessions/9999/end', {}, fa)).status, 404);
	eq((await api('GET', '/api/sessions/current')).status, 404);
	// after the fact
	const past = await api('POST', '/api/sessions', { started_at: '2026-03-10T09:30:00-04:00', ended_at: '2026-03-10T11:00:00-04:00', group: { type: 'family', size: 4 } }, fa);
	eq(past.status, 201, past.text);
	eq([past.json.started_at, past.json.ended_at, past.json.open], ['2026-03-10T13:30:00Z', '2026-03-10T15:00:00Z', false]);
	const bad = [
		[{ started_at: '2026-03-10T09:30:00' }, /started_at/], [{ started_at: '2026-03-10' }, /started_at/],
		[{ started_at: 'yesterday' }, /started_at/], [{ ended_at: '2026-03-10T11:00:00Z' }, /started_at/],
		[{ started_at: '2026-03-10T11:00:00Z', ended_at: '2026-03-10T10:00:00Z' }, /before/],
		[{ started_at: '2099-01-01T00:00:00Z' }, /future/], [{ group: { type: 'mob' } }, /group.type/],
		[{ group: { size: 1.5 } }, /group.size/], [{ group: 'school' }, /group/], [{ project_ids: [999] }, /project_ids\[0\]/],
		[{ project_ids: ['1'] }, /project_ids\[0\]/], [{ device_ids: [''] }, /device_ids\[0\]/], [{ notes: 'n'.repeat(5001) }, /notes/],
	];
	for (const [b, re] of bad) {
		const x = await api('POST', '/api/sessions', b, fa);
		eq(x.status, 400, JSON.stringify(b).slice(0, 80) + ' ' + x.text);
		assert(re.test(x.json.error), `error names the field: ${x.json.error}`);
	}
	const list = (await api('GET', '/api/sessions?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z', undefined, fa)).json.sessions;
	eq(list.map((s) => s.id), [past.json.id], 'from/to');
	eq((await api('GET', '/api/sessions', undefined, fa)).json.sessions.length, 2);
	eq((await api('GET', '/api/sessions?from=garbage', undefined, fa)).status, 400);
	eq((await hub.stop()).code, 0);
});

// ---- participants and consent -------------------------------------------------

test('participants: anonymous by default, personal data only with the matching consent', async () => {
	const { hub, db, fa, ki, api } = await setup();
	eq((await api('POST', '/api/participants', { age_band: '25-34' }, fa)).status, 409, 'no open session');
	const s = (await api('POST', '/api/sessions', {}, fa)).json.id;
	const anon = await api('POST', '/api/participants', { age_band: '25-34', postal_area: 'g1r 2b5', party_size: 3 }, ki);
	eq(anon.status, 201, anon.text);
	eq(sql(db, `SELECT age_band, postal_area, party_size, display_name IS NULL, email IS NULL FROM participants WHERE id=${anon.json.id}`),
		'25-34|G1R|3|1|1', 'only the postal area (FSA) is kept');
	const cases = [
		[{ display_name: 'Zoé' }, 400, /display_name/], [{ display_name: 'Zoé', consent: { photo: true } }, 400, /display_name/],
		[{ email: 'z@example.org', consent: { publish_name: true } }, 400, /email/],
		[{ email: 'not-an-email', consent: { contact: true } }, 400, /email/],
		[{ age_band: '10-13', consent: { publish_name: true }, display_name: 'Léo' }, 400, /guardian/],
		[{ age_band: '10-13', consent: { publish_name: true, given_by: 'guardian' }, display_name: 'Léo' }, 201],
		[{ age_band: '14-17', consent: { contact: true }, email: 'teen@example.org' }, 201],
		[{ age_band: '33' }, 400, /age_band/], [{ consent: { contact: 'yes' } }, 400, /consent.contact/],
		[{ consent: { contact: true, given_by: 'neighbour' } }, 400, /given_by/], [{ consent: true }, 400, /consent/],
		[{ party_size: 0 }, 400, /party_size/], [{ postal_area: '12345' }, 400, /postal_area/],
		[{ session_id: 999 }, 400, /session_id/], [{ display_name: 'x'.repeat(81), consent: { publish_name: true } }, 400, /display_name/],
	];
	for (const [b, st, re] of cases) {
		const x = await api('POST', '/api/participants', b, fa);
		eq(x.status, st, JSON.stringify(b) + ' ' + x.text);
		if (re) assert(re.test(x.json.error), x.json.error);
	}
	const z = await api('POST', '/api/participants', { age_band: '25-34', consent: { contact: true, photo: false, publish_name: true }, display_name: 'Zoé', email: 'zoe@example.org' }, ki);
	eq(z.status, 201);
	eq(Object.keys(z.json).sort(), ['id', 'session_id'], 'the kiosk gets no personal data back');
	eq(sql(db, `SELECT group_concat(purpose || '=' || granted || '/' || given_by || '/' || text_version, ' ') FROM consents WHERE participant_id=${z.json.id}`),
		'contact=1/self/2026-1 photo=0/self/2026-1 publish_name=1/self/2026-1', 'consent rows with version and who');
	const list = (await api('GET', `/api/participants?session_id=${s}`, undefined, fa)).json.participants;
	const zz = list.find((p) => p.id === z.json.id);
	eq([zz.display_name, zz.email, zz.consent.contact, zz.consent.photo, zz.consent.given_by], ['Zoé', 'zoe@example.org', true, false, 'self']);
	eq((await api('GET', '/api/participants?session_id=abc', undefined, fa)).status, 400);
	eq((await api('GET', '/api/participants/999', undefined, fa)).status, 404);
	eq((await hub.stop()).code, 0);
});

test('export everything held about a person, then erase it; the counts do not move', async () => {
	const { hub, db, fa, ad, api } = await setup();
	const p = (await api('POST', '/api/projects', { title: 'P' }, fa)).json.id;
	const s = (await api('POST', '/api/sessions', { project_ids: [p] }, fa)).json.id;
	const id = (await api('POST', '/api/participants', { age_band: '45-54', postal_area: 'G1K', consent: { contact: true, publish_name: true }, display_name: 'Marie-Ève', email: 'me@example.org' }, fa)).json.id;
	const c = (await api('POST', '/api/contributions', { kind: 'photo', title: 'Façade', participant_id: id, licence: 'cc-by-sa' }, fa)).json;
	eq([c.author, c.licence, c.project_id], ['Marie-Ève', 'CC-BY-SA-4.0', p], 'attributed by consent; licence normalised; project of the session');
	const ex = await api('GET', `/api/participants/${id}/export`, undefined, fa);
	eq(ex.status, 200);
	eq([ex.json.participant.display_name, ex.json.participant.email], ['Marie-Ève', 'me@example.org']);
	eq(ex.json.consents.map((k) => k.purpose + ':' + k.granted), ['contact:true', 'publish_name:true']);
	eq(ex.json.contributions.map((k) => k.title), ['Façade']);
	eq(ex.json.ratings, [], 'ratings are anonymous');
	assert(/anonymous/.test(ex.json.ratings_note));
	assert(ex.json.history.some((h) => h.action === 'participant.checkin'), 'history');
	const before = (await api('GET', '/api/sessions/current')).json.participants;
	const del = await api('DELETE', `/api/participants/${id}`, {}, fa);
	eq(del.status, 200, del.text);
	eq([del.json.display_name, del.json.email, del.json.postal_area, del.json.age_band], [null, null, null, '45-54']);
	assert(del.json.erased_at, 'erased_at set');
	eq(sql(db, `SELECT count(*), display_name IS NULL, email IS NULL, erased_at IS NOT NULL FROM participants WHERE id=${id}`), '1|1|1|1', 'anonymous row kept');
	eq((await api('GET', '/api/sessions/current')).json.participants, before, 'the count did not move');
	const c2 = (await api('GET', `/api/contributions/${c.id}`, undefined, fa)).json;
	eq([c2.title, c2.author], ['Façade', null], 'the contribution stays, without the name');
	eq((await api('DELETE', `/api/participants/${id}`, {}, fa)).status, 200, 'erasing twice is fine');
	eq((await api('DELETE', '/api/participants/999', {}, fa)).status, 404);
	eq((await api('GET', '/api/participants/999/export', undefined, fa)).status, 404);
	// nothing personal in the audit log or the hub's log
	const audit = JSON.stringify((await api('GET', '/api/audit?limit=1000', undefined, ad)).json);
	assert(!/Marie|me@example/.test(audit), 'audit holds no personal data');
	assert(!/Marie|me@example/.test(hub.log), 'the log holds no personal data');
	assert(!/Marie|me@example/.test(sql(db, 'SELECT group_concat(coalesce(detail,"") || coalesce(object,"")) FROM audit')));
	eq((await hub.stop()).code, 0);
});

test('retention purge with a moved clock: the admin endpoint and `mlab-hub purge --now`', async () => {
	const { hub, db, fa, ad, api } = await setup({ sets: ['privacy.retention_months=12'] });
	const old = (await api('POST', '/api/sessions', { started_at: '2026-01-10T10:00:00-05:00', ended_at: '2026-01-10T12:00:00-05:00' }, fa)).json.id;
	const a = (await api('POST', '/api/participants', { session_id: old, consent: { contact: true }, email: 'a@example.org', display_name: 'Ana' }, fa)).json.id;
	const b = (await api('POST', '/api/participants', { session_id: old, age_band: '18-24' }, fa)).json.id;
	const s = (await api('POST', '/api/sessions', {}, fa)).json.id;
	const c = (await api('POST', '/api/participants', { session_id: s, consent: { contact: true }, email: 'c@example.org' }, fa)).json.id;
	// participants were created now: move their last_seen back to the old session
	sql(db, `UPDATE participants SET created_at=1768057200, last_seen=1768057200 WHERE id IN (${a},${b})`);
	eq((await api('POST', '/api/purge', { now: '2026-06-01T00:00:00Z' }, ad)).json.purged, 0, 'not yet 12 months');
	eq((await api('POST', '/api/purge', { now: 'soon' }, ad)).status, 400);
	const r = await api('POST', '/api/purge', { now: '2027-02-01T00:00:00Z' }, ad);
	eq(r.json.purged, 1, 'a is past retention; c is in an open session');
	eq(sql(db, `SELECT display_name IS NULL, email IS NULL, purged_at IS NOT NULL FROM participants WHERE id=${a}`), '1|1|1');
	eq(sql(db, `SELECT email FROM participants WHERE id=${c}`), 'c@example.org');
	await api('POST', `/api/sessions/${s}/end`, {}, fa);
	eq((await hub.stop()).code, 0);
	const out = cli(db, ['purge', '--now', '2028-01-01T00:00:00Z']);
	eq(out.status, 0, out.stderr);
	assert(/purged the personal fields of 1 participants/.test(out.stdout), out.stdout);
	eq(sql(db, `SELECT count(*) FROM participants WHERE email IS NOT NULL OR display_name IS NOT NULL`), '0');
	eq(sql(db, 'SELECT count(*) FROM participants'), '3', 'rows kept for the counts');
	eq(sql(db, "SELECT detail FROM audit WHERE action='privacy.purge' ORDER BY id"), '1 participants past 12 months\n1 participants past 12 months');
	eq(cli(db, ['purge', '--now', 'tomorrow']).status, 2);
	assert(!/a@example|c@example|Ana/.test(hub.log + out.stdout + out.stderr), 'counts only in the logs');
});

// ---- contributions and ratings --------------------------------------------------

test('contributions: create, licences, confirm/reject/edit, filters, validation', async () => {
	const { hub, fa, ki, api } = await setup();
	const p1 = (await api('POST', '/api/projects', { title: 'P1' }, fa)).json.id;
	const p2 = (await api('POST', '/api/projects', { title: 'P2' }, fa)).json.id;
	const r = await api('POST', '/api/contributions', { project_id: p1, kind: 'scan', title: 'Buste', licence: 'CC BY 4.0', links: ['https://example.org/buste.ply'] }, fa);
	eq(r.status, 201, r.text);
	eq([r.json.licence, r.json.status, r.json.links, r.json.session_id], ['CC-BY-4.0', 'pending', ['https://example.org/buste.ply'], null]);
	for (const [given, want] of [['CC0', 'CC0-1.0'], ['cc0 1.0', 'CC0-1.0'], ['CC BY-SA 4.0', 'CC-BY-SA-4.0'], ['CC-BY-4.0', 'CC-BY-4.0'], ['not for publication', 'none'], [undefined, 'none']])
		eq((await api('POST', '/api/contributions', { kind: 'text', title: 't', licence: given }, fa)).json.licence, want, String(given));
	const id = r.json.id;
	const conf = await api('PATCH', `/api/contributions/${id}`, { status: 'confirmed' }, fa);
	eq([conf.status, conf.json.status, conf.json.decided_by], [200, 'confirmed', 'fa']);
	assert(conf.json.decided_at, 'decided_at');
	eq((await api('GET', `/api/projects/${p1}`)).json.contributions_confirmed, 1, 'public count');
	const ed = await api('PATCH', `/api/contributions/${id}`, { title: 'Buste de Champlain', licence: 'cc-by-sa', project_id: p2 }, fa);
	eq([ed.json.title, ed.json.licence, ed.json.project_id, ed.json.status], ['Buste de Champlain', 'CC-BY-SA-4.0', p2, 'confirmed']);
	eq((await api('PATCH', `/api/contributions/${id}`, { status: 'rejected' }, fa)).json.status, 'rejected');
	eq((await api('GET', '/api/contributions?status=rejected', undefined, fa)).json.contributions.map((c) => c.id), [id]);
	eq((await api('GET', `/api/contributions?project_id=${p2}`, undefined, fa)).json.contributions.length, 1);
	eq((await api('GET', '/api/contributions?kind=text', undefined, fa)).json.contributions.length, 6);
	eq((await api('GET', '/api/contributions?status=maybe', undefined, fa)).status, 400);
	const bad = [
		[{ title: 'x' }, /kind/], [{ kind: 'sculpture', title: 'x' }, /kind/], [{ kind: 'idea' }, /title/],
		[{ kind: 'idea', title: 'x', licence: 'GPL' }, /licence/], [{ kind: 'idea', title: 'x', project_id: 999 }, /project_id/],
		[{ kind: 'idea', title: 'x', participant_id: 999 }, /participant_id/], [{ kind: 'idea', title: 'x', status: 'maybe' }, /status/],
		[{ kind: 'idea', title: 'x', links: 'http://x' }, /links/], [{ kind: 'idea', title: 'x', body: 'b'.repeat(5001) }, /body/],
	];
	for (const [b, re] of bad) {
		const x = await api('POST', '/api/contributions', b, fa);
		eq(x.status, 400, JSON.stringify(b) + ' ' + x.text);
		assert(re.test(x.json.error), x.json.error);
	}
	eq((await api('PATCH', `/api/contributions/${id}`, { status: 'maybe' }, fa)).status, 400);
	eq((await api('PATCH', '/api/contributions/999', { status: 'confirmed' }, fa)).status, 404);
	eq((await api('POST', '/api/contributions', { title: 'idea' }, ki)).status, 409, 'the kiosk needs an open session');
	eq((await hub.stop()).code, 0);
});

test('ratings: tied to the open session, validated, anonymous (button votes: gpio_sim.mjs)', async () => {
	const { hub, db, fa, ki, api } = await setup({ sets: ['rating.scale=3'] });
	const r0 = await api('POST', '/api/ratings', { value: 2 }, ki);
	eq([r0.status, r0.json.session_id], [201, null], 'no session: stored without one');
	const s = (await api('POST', '/api/sessions', {}, fa)).json.id;
	eq((await api('POST', '/api/ratings', { value: 3, scale: 3 }, ki)).json.session_id, s);
	eq((await api('POST', '/api/ratings', { value: 5, scale: 5 }, ki)).status, 201);
	for (const b of [{ value: 4 }, { value: 0 }, { value: 6, scale: 5 }, { value: 2, scale: 4 }, { value: '3' }, {}, { value: 2.5 }])
		eq((await api('POST', '/api/ratings', b, ki)).status, 400, JSON.stringify(b));
	eq((await api('POST', '/api/ratings', { value: 1 })).status, 401, 'anonymous');
	const g = (await api('GET', `/api/ratings?session_id=${s}`, undefined, fa)).json;
	eq([g.count, g.top], [2, 2]);
	eq(sql(db, `SELECT group_concat(value || '/' || scale || '/' || question || '/' || source, ' ') FROM ratings WHERE session_id=${s}`),
		'3/3/novelty/kiosk:ki 5/5/novelty/kiosk:ki');
	eq((await hub.stop()).code, 0);
});

test('GET /api/vocab: public, the lists the schema checks and the API accepts', async () => {
	const { hub, db, fa, api } = await setup();
	const v = await api('GET', '/api/vocab');
	eq(v.status, 200, v.text);
	eq(v.json.child_age_bands, [...v.json.age_band.slice(0, 3), '0-17']);
	eq(v.json.minor_age_bands, v.json.age_band.slice(0, 4));
	eq(v.json.age_band_broad, ['0-17', v.json.adult_age_band]);
	// the pages keep no copy of a list (they read this answer, web/js/vocab.js;
	// tests/web/vocab.mjs compares what they show with it): no array in
	// their scripts holds three values or more of one list
	const lists = Object.values(v.json).filter(Array.isArray);
	for (const file of fs.readdirSync(path.join(ROOT, 'web'), { recursive: true }).filter((f) => f.endsWith('.js'))) {
		const src = fs.readFileSync(path.join(ROOT, 'web', file), 'utf8');
		for (const arr of src.match(/\[[^[\]]*\]/g) || []) {
			const strs = (arr.match(/'[^']*'|"[^"]*"/g) || []).map((q) => q.slice(1, -1));
			for (const l of lists)
				assert(strs.filter((x) => l.includes(x)).length < 3, `web/${file} keeps a copy of a vocabulary: ${arr.slice(0, 120)}`);
		}
	}
	// the CHECK lists in the stored schema are the JSON's lists
	const schema = sql(db, "SELECT group_concat(sql, ' ') FROM sqlite_master WHERE type = 'table'");
	for (const [col, list] of [['group_type', 'group_type'], ['kind', 'contribution_kind'], ['licence', 'licence'],
		['role', 'role'], ['visibility', 'visibility'], ['purpose', 'consent_purpose'], ['given_by', 'given_by']]) {
		const want = `CHECK(${col} IN (${v.json[list].map((x) => `'${x}'`).join(',')}))`;
		assert(schema.includes(want), `${want} in the schema`);
	}
	// every value is accepted where it is an input, and nothing else is
	for (const type of v.json.group_type) {
		const r = await api('POST', '/api/sessions', { group: { type, size: 2 }, started_at: T('2025-05-01T10:00:00-04:00'), ended_at: T('2025-05-01T11:00:00-04:00') }, fa);
		eq([r.status, r.json.group.type], [201, type], r.text);
	}
	eq((await api('POST', '/api/sessions', { group: { type: 'Walk-in' } }, fa)).status, 400);
	for (const kind of v.json.contribution_kind)
		for (const licence of v.json.licence)
			eq((await api('POST', '/api/contributions', { kind, title: 't', licence }, fa)).json.licence, licence, `${kind} ${licence}`);
	eq((await api('POST', '/api/sessions', { group: { type: 'family', size: 3 } }, fa)).status, 201, 'an open session');
	for (const band of v.json.age_band) {
		const r = await api('POST', '/api/participants', { age_band: band, consent: { photo: true }, given_by: 'guardian' }, fa);
		eq(r.status, 201, `${band}: ${r.text}`);
	}
	eq((await api('POST', '/api/participants', { age_band: '6-12' }, fa)).status, 400);
	eq((await hub.stop()).code, 0);
});

test('SQL injection and 100 KB strings in every text field: stored as text or refused', async () => {
	const { hub, db, fa, api } = await setup();
	const inj = "x'); DROP TABLE participants; --";
	const big = 'é'.repeat(50 * 1024);	// 100 KB of UTF-8
	const tables = () => sql(db, "SELECT group_concat(name) FROM sqlite_master WHERE type='table' ORDER BY name");
	const t0 = tables();
	const p = await api('POST', '/api/projects', { title: inj, summary: inj, themes: ['x-1'], partners: [inj], cover: inj }, fa);
	eq(p.status, 201);
	eq([p.json.title, p.json.summary, p.json.partners[0], p.json.cover], [inj, inj, inj, inj], 'stored as text');
	const s = await api('POST', '/api/sessions', { project_ids: [p.json.id], device_ids: [inj], notes: inj, group: { grade: inj.slice(0, 40) } }, fa);
	eq(s.status, 201, s.text);
	eq([s.json.notes, s.json.device_ids[0]], [inj, inj]);
	const part = await api('POST', '/api/participants', { display_name: inj.slice(0, 80), consent: { publish_name: true } }, fa);
	eq(part.status, 201);
	const c = await api('POST', '/api/contributions', { kind: 'idea', title: inj, body: inj, links: [inj] }, fa);
	eq([c.status, c.json.title, c.json.body, c.json.links[0]], [201, inj, inj, inj]);
	eq((await api('GET', '/api/contributions?kind=' + encodeURIComponent(inj), undefined, fa)).status, 400);
	eq((await api('GET', '/api/sessions?from=' + encodeURIComponent(inj), undefined, fa)).status, 400);
	eq((await api('GET', '/api/audit?user=' + encodeURIComponent(inj), undefined, fa)).status, 403);
	const bigs = [
		['POST', '/api/projects', { title: big }], ['POST', '/api/projects', { title: 't', summary: big }],
		['POST', '/api/projects', { title: 't', cover: big }], ['POST', '/api/projects', { title: 't', partners: [big] }],
		['POST', '/api/projects', { title: 't', themes: [big] }], ['PATCH', `/api/projects/${p.json.id}`, { title: big }],
		['POST', '/api/sessions', { notes: big }], ['POST', '/api/sessions', { device_ids: [big] }],
		['POST', '/api/sessions', { group: { grade: big } }], ['POST', '/api/sessions', { group: { type: big } }],
		['PATCH', `/api/sessions/${s.json.id}`, { notes: big }], ['POST', '/api/participants', { display_name: big, consent: { publish_name: true } }],
		['POST', '/api/participants', { email: big, consent: { contact: true } }], ['POST', '/api/participants', { postal_area: big }],
		['POST', '/api/participants', { age_band: big }], ['POST', '/api/participants', { consent: { given_by: big, contact: true } }],
		['POST', '/api/contributions', { kind: 'idea', title: big }], ['POST', '/api/contributions', { kind: 'idea', title: 't', body: big }],
		['POST', '/api/contributions', { kind: 'idea', title: 't', links: [big] }], ['POST', '/api/contributions', { kind: 'idea', title: 't', licence: big }],
		['POST', '/api/contributions', { kind: big, title: 't' }], ['PATCH', `/api/contributions/${c.json.id}`, { title: big }],
		['POST', '/api/users', { name: big, password: 'long enough', role: 'kiosk' }], ['POST', '/api/login', { user: big, password: 'x' }],
		['POST', '/api/sessions', { started_at: big }],
	];
	for (const [m, u, b] of bigs) {
		const x = await api(m, u, b, u === '/api/users' ? undefined : fa);
		assert(x.status === 400 || (u === '/api/users' && x.status === 401), `${m} ${u} ${Object.keys(b)}: ${x.status}`);
	}
	eq(tables(), t0, 'no table dropped');
	eq(sql(db, 'SELECT count(*) FROM participants'), '1');
	eq((await api('GET', '/healthz')).status, 200, 'still alive');
	eq((await hub.stop()).code, 0);
});

// ---- devices, WebSocket, and the whole session ------------------------------------

test('a print job over MQTT during a session becomes exactly one pending contribution', async () => {
	const b = await startBroker();
	const { hub, db, fa, api } = await setup({ broker: b });
	const staff = await wsClient(hub, { cookie: fa });
	const pub0 = await wsClient(hub);
	const p = (await api('POST', '/api/projects', { title: 'Imprimer le patrimoine', themes: ['quebec-culture'] }, fa)).json.id;
	const s = (await api('POST', '/api/sessions', { project_ids: [p], device_ids: ['mlab/printer-1'], group: { type: 'workshop', size: 8 } }, fa)).json.id;
	pub(b, 'mlab/v1/printer-1/meta', { name: 'Prusa', kind: 'printer' }, { retain: true });
	pub(b, 'mlab/v1/printer-2/meta', { name: 'Other', kind: 'printer' }, { retain: true });
	pub(b, 'mlab/v1/printer-1/event', { seq: 1, type: 'job.started', file: 'gcodes/benchy.gcode' });
	pub(b, 'mlab/v1/printer-2/event', { seq: 1, type: 'job.started', file: 'not-in-session.gcode' });
	await hub.waitFor(async () => (await hub.device('mlab/printer-1'))?.job?.state === 'printing', 3000, 'printing');
	pub(b, 'mlab/v1/printer-1/event', { seq: 2, type: 'job.finished' });
	pub(b, 'mlab/v1/printer-2/event', { seq: 2, type: 'job.finished' });
	pub(b, 'mlab/v1/printer-1/event', { seq: 2, type: 'job.finished' });	// a resend
	const msg = await staff.waitFor((m) => m.type === 'contribution' && m.event === 'created', 3000, 'staff told');
	await hub.waitFor(async () => (await hub.device('mlab/printer-2'))?.job?.state === 'finished', 3000, 'printer-2 finished');
	await sleep(300);
	const list = (await api('GET', '/api/contributions', undefined, fa)).json.contributions;
	eq(list.length, 1, 'exactly one');
	const c = list[0];
	eq([c.kind, c.title, c.status, c.device_id, c.project_id, c.session_id], ['print', 'benchy.gcode', 'pending', 'mlab/printer-1', p, s]);
	eq([c.job.file, c.job.state, c.job.device], ['gcodes/benchy.gcode', 'finished', 'mlab/printer-1'], 'job provenance');
	eq(sql(db, `SELECT count(*) FROM contributions c JOIN jobs j ON j.id = c.job_id WHERE j.file='gcodes/benchy.gcode'`), '1');
	eq(msg.contribution.id, c.id);
	assert(!pub0.messages.some((m) => m.type === 'contribution'), 'not to the public');
	// a session listing no devices takes any device's jobs
	await api('POST', `/api/sessions/${s}/end`, {}, fa);
	await api('POST', '/api/sessions', {}, fa);
	pub(b, 'mlab/v1/printer-2/event', { seq: 3, type: 'job.started', file: 'walkin.gcode' });
	await hub.waitFor(async () => (await hub.device('mlab/printer-2'))?.job?.state === 'printing', 3000);
	pub(b, 'mlab/v1/printer-2/event', { seq: 4, type: 'job.failed' });
	pub(b, 'mlab/v1/printer-2/event', { seq: 5, type: 'job.started', file: 'walkin2.gcode' });
	// (file names are for staff: the anonymous device view has none)
	await hub.waitFor(async () => (await api('GET', '/api/devices/mlab/printer-2', undefined, fa)).json?.job?.file === 'walkin2.gcode', 3000);
	pub(b, 'mlab/v1/printer-2/event', { seq: 6, type: 'job.finished' });
	await hub.waitFor(async () => (await api('GET', '/api/contributions', undefined, fa)).json.contributions.length === 2, 3000, 'walk-in job');
	eq((await api('GET', '/api/contributions', undefined, fa)).json.contributions[0].title, 'walkin2.gcode', 'the failed job made none');
	staff.close();
	pub0.close();
	eq((await hub.stop()).code, 0);
});

test('WebSocket: public and kiosk clients get counts, never personal data; staff get more', async () => {
	const { hub, fa, ki, api } = await setup();
	await api('POST', '/api/projects', { title: 'Public P' }, fa);
	await api('POST', '/api/projects', { title: 'Secret P', visibility: 'internal' }, fa);
	await api('POST', '/api/sessions', { notes: 'staff only note' }, fa);
	await api('POST', '/api/contributions', { kind: 'idea', title: 'pending idea' }, fa);
	const pubc = await wsClient(hub), kio = await wsClient(hub, { cookie: ki }), staff = await wsClient(hub, { cookie: fa });
	const ps = await pubc.waitFor((m) => m.type === 'snapshot');
	const ks = await kio.waitFor((m) => m.type === 'snapshot');
	const ss = await staff.waitFor((m) => m.type === 'snapshot');
	eq(ps.projects.map((p) => p.title), ['Public P']);
	eq(ss.projects.map((p) => p.title), ['Public P', 'Secret P']);
	assert(ps.session && !('notes' in ps.session) && !('pending' in ps), 'public snapshot');
	eq(ks.rating, { scale: 3, question: 'novelty' });
	eq(ss.pending.map((c) => c.title), ['pending idea']);
	eq(ss.session.notes, 'staff only note');
	await api('POST', '/api/participants', { consent: { contact: true, publish_name: true }, display_name: 'Camille', email: 'camille@example.org' }, ki);
	await staff.waitFor((m) => m.type === 'participant' && m.participant.display_name === 'Camille');
	await pubc.waitFor((m) => m.type === 'session' && m.session.participants === 1, 2000, 'public count');
	await kio.waitFor((m) => m.type === 'session' && m.session.participants === 1, 2000, 'kiosk count');
	await api('POST', '/api/ratings', { value: 3 }, ki);
	await pubc.waitFor((m) => m.type === 'rating');
	await sleep(200);
	for (const c of [pubc, kio])
		assert(!/Camille|camille@|staff only note|Secret P|pending idea/.test(JSON.stringify(c.messages)), 'no personal or internal data');
	for (const c of [pubc, kio, staff]) c.close();
	eq((await hub.stop()).code, 0);
});

test('Done when: a whole session through the API, and every number in the database', async () => {
	const b = await startBroker();
	const { hub, db, fa, ki, api } = await setup({ broker: b });
	const proj = (await api('POST', '/api/projects', { title: 'Mémoire des quartiers', themes: ['quebec-culture'], status: 'active' }, fa)).json.id;
	// start it
	const s = await api('POST', '/api/sessions', { project_ids: [proj], device_ids: ['mlab/printer-1'], group: { type: 'school', size: 0 } }, fa);
	eq(s.status, 201);
	const sid = s.json.id;
	// count a school group of 24
	eq((await api('PATCH', `/api/sessions/${sid}`, { group: { type: 'school', size: 24, grade: 'sec 3' } }, fa)).json.group.size, 24);
	// check in two consenting participants (one at the kiosk, one by the facilitator for a child)
	const p1 = await api('POST', '/api/participants', { age_band: '14-17', consent: { contact: false, photo: true, publish_name: true }, display_name: 'Maya' }, ki);
	const p2 = await api('POST', '/api/participants', { age_band: '10-13', consent: { photo: true, publish_name: false, given_by: 'guardian' } }, fa);
	eq([p1.status, p2.status], [201, 201]);
	// a finished print arrives as a pending contribution
	pub(b, 'mlab/v1/printer-1/event', { seq: 1, type: 'job.started', file: 'maison-jacquet.gcode' });
	await hub.waitFor(async () => (await hub.device('mlab/printer-1'))?.job?.state === 'printing', 3000);
	pub(b, 'mlab/v1/printer-1/event', { seq: 2, type: 'job.finished' });
	let pending;
	await hub.waitFor(async () => {
		pending = (await api('GET', '/api/contributions?status=pending', undefined, fa)).json.contributions;
		return pending.length === 1;
	}, 3000, 'pending contribution');
	// confirm it, with the licence the student chose and their name (consented)
	const conf = await api('PATCH', `/api/contributions/${pending[0].id}`, { status: 'confirmed', licence: 'CC BY 4.0', participant_id: p1.json.id }, fa);
	eq([conf.json.status, conf.json.author, conf.json.licence], ['confirmed', 'Maya', 'CC-BY-4.0']);
	// five ratings
	for (const v of [3, 3, 2, 3, 1]) eq((await api('POST', '/api/ratings', { value: v, scale: 3 }, ki)).status, 201);
	// end the session
	eq((await api('POST', `/api/sessions/${sid}/end`, {}, fa)).json.open, false);
	eq((await hub.stop()).code, 0);
	// every number the annual report needs, from the database
	eq(sql(db, `SELECT group_type, group_size, grade, ended_at > started_at, facilitator FROM sessions WHERE id=${sid}`), 'school|24|sec 3|1|fa');
	eq(sql(db, `SELECT count(*) FROM session_projects sp JOIN project_themes t ON t.project_id = sp.project_id WHERE sp.session_id=${sid} AND t.theme='quebec-culture'`), '1', 'a Québec-culture project');
	eq(sql(db, `SELECT count(*) FROM participants WHERE session_id=${sid}`), '2');
	eq(sql(db, `SELECT count(*) FROM contributions WHERE session_id=${sid} AND status='confirmed' AND kind='print' AND device_id='mlab/printer-1' AND job_id IS NOT NULL AND project_id=${proj}`), '1');
	eq(sql(db, `SELECT count(*), sum(value = 3), min(scale), max(scale) FROM ratings WHERE session_id=${sid}`), '5|3|3|3', 'appreciation: 3 of 5 happy');
	// personal data only where consent allows
	eq(sql(db, `SELECT count(*) FROM participants WHERE email IS NOT NULL`), '0', 'nobody consented to contact');
	eq(sql(db, `SELECT group_concat(coalesce(display_name, '-')) FROM participants ORDER BY id`), 'Maya,-');
	eq(sql(db, `SELECT count(*) FROM participants p WHERE display_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.participant_id = p.id AND c.granted AND c.purpose IN ('publish_name','contact'))`), '0');
	eq(sql(db, `SELECT given_by FROM consents WHERE participant_id=${p2.json.id} LIMIT 1`), 'guardian');
	const actions = sql(db, 'SELECT group_concat(action) FROM (SELECT DISTINCT action FROM audit ORDER BY action)');
	for (const a of ['project.create', 'session.open', 'session.update', 'participant.checkin', 'contribution.confirm', 'session.end'])
		assert(actions.includes(a), `audited ${a}: ${actions}`);
});


// ---- issue 15: the facilitator's workflows --------------------------------------

const fy25 = async (api, name) => (await api('GET', '/api/indicators?fy=2025')).json.indicators[name].value;
const explain = async (api, name) => (await api('GET', '/api/indicators?fy=2025&explain=' + encodeURIComponent(name))).json;

test('a session opened by mistake: deleted or merged with a reason, audited; the indicators and their trail follow', async () => {
	const { hub, db, ad, fa, ki, api } = await setup();
	const hh = (n) => String(n).padStart(2, '0');
	const at = (d, h) => ({ started_at: `2025-10-0${d}T${hh(h)}:00:00-04:00`, ended_at: `2025-10-0${d}T${hh(h + 1)}:00:00-04:00` });
	const p = (await api('POST', '/api/projects', { title: 'Patrimoine' }, fa)).json.id;
	const a = (await api('POST', '/api/sessions', { ...at(1, 9), project_ids: [p], group: { type: 'school', size: 24 } }, fa)).json.id;
	const b = (await api('POST', '/api/sessions', { ...at(1, 10), project_ids: [p], group: { type: 'school', size: 24 } }, fa)).json.id;
	const c = (await api('POST', '/api/sessions', { ...at(2, 13), group: { type: 'walk-in', size: 3 } }, fa)).json.id;
	const d = (await api('POST', '/api/sessions', { ...at(2, 14), device_ids: ['mlab/printer-9'], group: { type: 'walk-in', size: 0 } }, fa)).json.id;
	for (let i = 0; i < 2; i++) eq((await api('POST', '/api/participants', { session_id: d, age_band: '25-34' }, fa)).status, 201);
	const idea = (await api('POST', '/api/contributions', { session_id: d, kind: 'idea', title: 'Une idée' }, fa)).json.id;
	eq([await fy25(api, 'sessions'), await fy25(api, 'participants')], [4, 24 + 24 + 3 + 2], 'the double counts twice');
	// refusals first: nothing may change
	eq((await api('DELETE', `/api/sessions/${b}`, {}, fa)).status, 400, 'a reason is required');
	eq((await api('DELETE', `/api/sessions/${b}`, { reason: '' }, fa)).status, 400);
	eq((await api('DELETE', `/api/sessions/${b}`, { reason: 'x'.repeat(501) }, fa)).status, 400);
	eq((await api('DELETE', '/api/sessions/999', { reason: 'r' }, fa)).status, 404);
	const used = await api('DELETE', `/api/sessions/${d}`, { reason: 'oops' }, fa);
	eq(used.status, 409, 'people checked in: merge instead');
	assert(/merge/.test(used.json.error), used.json.error);
	eq((await api('POST', `/api/sessions/${d}/merge`, { reason: 'r' }, fa)).status, 400, 'into is required');
	eq((await api('POST', `/api/sessions/${d}/merge`, { into: d, reason: 'r' }, fa)).status, 400, 'not into itself');
	eq((await api('POST', `/api/sessions/${d}/merge`, { into: 999, reason: 'r' }, fa)).status, 404);
	eq((await api('POST', `/api/sessions/${d}/merge`, { into: c }, fa)).status, 400, 'merge needs a reason');
	eq(await fy25(api, 'sessions'), 4, 'unchanged by refusals');
	// delete the double, merge d into c
	const del = await api('DELETE', `/api/sessions/${b}`, { reason: 'Groupe ouvert deux fois' }, fa);
	eq([del.status, del.json.removed.reason, del.json.removed.by, del.json.removed.merged_into], [200, 'Groupe ouvert deux fois', 'fa', null]);
	const m = await api('POST', `/api/sessions/${d}/merge`, { into: c, reason: 'Même visite' }, fa);
	eq(m.status, 200, m.text);
	eq([m.json.id, m.json.participants, m.json.contributions, m.json.merged_from, m.json.device_ids], [c, 2, 1, [d], ['mlab/printer-9']]);
	eq((await api('GET', `/api/contributions/${idea}`, undefined, fa)).json.session_id, c, 'the contribution moved');
	// removed sessions: out of the list, the counts and the edits; in the trail
	eq((await api('GET', '/api/sessions', undefined, fa)).json.sessions.map((x) => x.id), [c, a]);
	eq((await api('GET', '/api/sessions?removed=1', undefined, fa)).json.sessions.map((x) => [x.id, x.removed?.merged_into ?? null]),
		[[d, c], [c, null], [b, null], [a, null]]);
	for (const [mth, u, body] of [['DELETE', `/api/sessions/${b}`, { reason: 'again' }], ['PATCH', `/api/sessions/${b}`, { notes: 'n' }],
		['POST', `/api/sessions/${b}/merge`, { into: a, reason: 'r' }], ['POST', `/api/sessions/${a}/merge`, { into: d, reason: 'r' }]])
		eq((await api(mth, u, body, fa)).status, 409, `${mth} ${u} on a removed session`);
	eq((await api('POST', '/api/participants', { session_id: b }, fa)).status, 400, 'no check-in to a removed session');
	eq([await fy25(api, 'sessions'), await fy25(api, 'participants')], [2, 24 + 3], 'the school group counts once, the walk-ins once');
	eq(await fy25(api, 'participation_projects'), 1);
	const ex = await explain(api, 'sessions');
	eq(ex.rows.map((r) => [r.session_id, r.counted, r.merged_from, r.removed]),
		[[a, 1, null, null], [c, 1, String(d), null], [b, 0, null, 'deleted'], [d, 0, null, `merged into ${c}`]]);
	eq(ex.rows.reduce((n, r) => n + r.counted, 0), ex.value);
	assert(!JSON.stringify(ex).includes('Groupe ouvert'), 'the reason stays in the audit log');
	eq(sql(db, "SELECT action, object, user, detail FROM audit WHERE action IN ('session.delete','session.merge') ORDER BY id"),
		`session.delete|session/${b}|fa|Groupe ouvert deux fois\nsession.merge|session/${d}|fa|into session/${c}: Même visite`);
	// the open session can be removed too: it is no longer open
	const o = (await api('POST', '/api/sessions', {}, fa)).json.id;
	eq((await api('DELETE', `/api/sessions/${o}`, { reason: 'bouton pressé par erreur' }, ki)).status, 403, 'not the kiosk');
	eq((await api('DELETE', `/api/sessions/${o}`, { reason: 'bouton pressé par erreur' })).status, 401);
	eq((await api('DELETE', `/api/sessions/${o}`, { reason: 'bouton pressé par erreur' }, ad)).status, 200, 'the admin is staff');
	eq((await api('GET', '/api/sessions/current')).status, 404, 'nothing open');
	eq(sql(db, `SELECT ended_at IS NOT NULL, removed_by FROM sessions WHERE id=${o}`), '1|ad', 'ended when removed');
	// merging keeps the earlier start and, both ended, the later end
	eq(sql(db, `SELECT datetime(started_at, 'unixepoch'), datetime(ended_at, 'unixepoch') FROM sessions WHERE id=${c}`),
		'2025-10-02 17:00:00|2025-10-02 19:00:00');
	eq((await hub.stop()).code, 0);
});

test('editing an open session\'s devices changes which jobs become its pending contributions', async () => {
	const br = await startBroker();
	const { hub, fa, api } = await setup({ broker: br });
	const s = (await api('POST', '/api/sessions', { device_ids: ['mlab/printer-1'] }, fa)).json.id;
	const job = async (dev, seq, file) => {
		pub(br, `mlab/v1/${dev}/event`, { seq, type: 'job.started', file });
		// (file names are for staff: the anonymous device view has none)
		await hub.waitFor(async () => (await api('GET', '/api/devices/mlab/' + dev, undefined, fa)).json?.job?.file === file, 3000, file);
		pub(br, `mlab/v1/${dev}/event`, { seq: seq + 1, type: 'job.finished' });
		await hub.waitFor(async () => (await hub.device('mlab/' + dev))?.job?.state === 'finished', 3000, file + ' finished');
		await sleep(200);
	};
	await job('printer-2', 1, 'a.gcode');
	eq((await api('GET', '/api/contributions', undefined, fa)).json.contributions.length, 0, 'printer-2 is not in the session');
	eq((await api('PATCH', `/api/sessions/${s}`, { device_ids: ['mlab/printer-1', 'mlab/printer-2'] }, fa)).json.device_ids, ['mlab/printer-1', 'mlab/printer-2']);
	await job('printer-2', 3, 'b.gcode');
	eq((await api('GET', '/api/contributions', undefined, fa)).json.contributions.map((c) => [c.title, c.session_id]), [['b.gcode', s]]);
	eq((await api('PATCH', `/api/sessions/${s}`, { device_ids: ['mlab/printer-1'] }, fa)).status, 200);
	await job('printer-2', 5, 'c.gcode');
	eq((await api('GET', '/api/contributions', undefined, fa)).json.contributions.length, 1, 'taken off again');
	eq((await hub.stop()).code, 0);
});

test('families check in as adults plus children, by band per person or per group; the indicators count each band', async () => {
	const { hub, db, fa, ki, api } = await setup();
	const s = (await api('POST', '/api/sessions', { started_at: '2025-07-01T10:00:00-04:00', ended_at: '2025-07-01T12:00:00-04:00', group: { type: 'family', size: 0 } }, fa)).json.id;
	// a family of 4 with one 10-year-old: three adults and a 10-13
	const f = await api('POST', '/api/participants', { session_id: s, members: [{ age_band: '18+', n: 3 }, { age_band: '10-13' }] }, fa);
	eq(f.status, 201, f.text);
	const got = (await api('GET', `/api/participants/${f.json.id}`, undefined, fa)).json;
	eq([got.party_size, got.age_band, got.members], [4, null, [{ age_band: '18+', n: 3 }, { age_band: '10-13', n: 1 }]]);
	// per person, with a child whose age was not given and an adult's band
	eq((await api('POST', '/api/participants', { session_id: s, party_size: 3, members: [{ age_band: '35-44' }, { age_band: '0-17' }, { age_band: '6-9' }] }, fa)).status, 201);
	const bad = [
		[{ members: [] }, /members/], [{ members: {} }, /members/], [{ members: [{ age_band: 'teen' }] }, /members\[0\]\.age_band/],
		[{ members: [{ n: 0 }] }, /members\[0\]\.n/], [{ members: [{ n: 1.5 }] }, /members\[0\]\.n/], [{ members: [3] }, /members\[0\]/],
		[{ members: [{ n: 20 }, { n: 20 }] }, /kiosk.party_max/], [{ party_size: 5, members: [{ n: 4 }] }, /party_size/],
		[{ members: Array.from({ length: 51 }, () => ({})) }, /members/],
	];
	for (const [body, re] of bad) {
		const x = await api('POST', '/api/participants', { session_id: s, ...body }, fa);
		eq(x.status, 400, JSON.stringify(body));
		assert(re.test(x.json.error), x.json.error);
	}
	eq(sql(db, 'SELECT count(*), sum(party_size) FROM participants'), '2|7', 'refusals left nothing');
	eq(sql(db, 'SELECT count(*), sum(n) FROM participant_members'), '5|7');
	const ind = (await api('GET', '/api/indicators?fy=2025')).json.indicators;
	eq([ind.participants.value, ind.participants_young.value, ind['participants.by_age.18+'].value,
		ind['participants.by_age.10-13'].value, ind['participants.by_age.0-17'].value, Math.round(ind.young_share_pct.value)],
	[7, 3, 3, 1, 1, 43], 'a family of 4 with one 10-year-old is one young person');
	const ex = await explain(api, 'participants_young');
	eq(ex.rows.map((r) => [r.session_id, r.young, r.counted]), [[s, 3, 3]]);
	// the kiosk checks a family in to the open session
	await api('POST', '/api/sessions', {}, fa);
	const k = await api('POST', '/api/participants', { members: [{ age_band: '18+', n: 2 }, { age_band: '6-9', n: 2 }] }, ki);
	eq([k.status, Object.keys(k.json)], [201, ['id', 'session_id']]);
	eq(sql(db, `SELECT party_size FROM participants WHERE id=${k.json.id}`), '4');
	eq((await hub.stop()).code, 0);
});

test('contributions: every CC licence, the licence remembered per project, reject with a reason, the decided list with undo, added by hand', async () => {
	const { hub, db, fa, api } = await setup();
	const p1 = (await api('POST', '/api/projects', { title: 'P1' }, fa)).json.id;
	const p2 = (await api('POST', '/api/projects', { title: 'P2' }, fa)).json.id;
	for (const [given, want] of [['CC BY-NC 4.0', 'CC-BY-NC-4.0'], ['cc-by-nc-sa', 'CC-BY-NC-SA-4.0'], ['CC BY-ND 4.0', 'CC-BY-ND-4.0'],
		['CC-BY-NC-ND-4.0', 'CC-BY-NC-ND-4.0'], ['all rights reserved', 'none']])
		eq((await api('POST', '/api/contributions', { kind: 'text', title: 't', licence: given }, fa)).json.licence, want, given);
	const s = (await api('POST', '/api/sessions', { project_ids: [p1] }, fa)).json.id;
	// by hand: an idea, and a photo described in words
	const idea = await api('POST', '/api/contributions', { kind: 'idea', title: 'Numériser le vieux pont', body: 'Avec le scanner' }, fa);
	const photo = await api('POST', '/api/contributions', { kind: 'photo', title: 'Maquette', body: 'Une maquette en carton du quartier Saint-Roch' }, fa);
	eq([idea.status, idea.json.session_id, idea.json.project_id, photo.json.kind], [201, s, p1, 'photo']);
	eq((await api('GET', `/api/projects/${p1}`, undefined, fa)).json.licence, null, 'no licence chosen yet');
	const conf = await api('PATCH', `/api/contributions/${idea.json.id}`, { status: 'confirmed', licence: 'CC-BY-NC-SA-4.0', project_id: p2 }, fa);
	eq([conf.json.status, conf.json.licence, conf.json.project_id], ['confirmed', 'CC-BY-NC-SA-4.0', p2]);
	eq((await api('GET', `/api/projects/${p2}`, undefined, fa)).json.licence, 'CC-BY-NC-SA-4.0', 'remembered for the project');
	eq((await api('GET', `/api/projects/${p1}`, undefined, fa)).json.licence, null, 'not for the other one');
	assert(!('licence' in (await api('GET', `/api/projects/${p2}`)).json), 'the public view has no default licence');
	const rej = await api('PATCH', `/api/contributions/${photo.json.id}`, { status: 'rejected', reason: 'Hors sujet' }, fa);
	eq([rej.json.status, rej.json.reason], ['rejected', 'Hors sujet']);
	eq((await api('PATCH', `/api/contributions/${photo.json.id}`, { reason: 'r'.repeat(501) }, fa)).status, 400);
	const decided = (q) => api('GET', '/api/contributions?status=decided' + q, undefined, fa).then((r) => r.json.contributions.map((c) => c.id));
	eq(await decided(''), [photo.json.id, idea.json.id]);
	eq(await decided(`&project_id=${p2}`), [idea.json.id]);
	eq(await decided(`&session_id=${s}`), [photo.json.id, idea.json.id]);
	eq(await decided('&from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z'), []);
	eq(await decided('&from=' + encodeURIComponent(new Date(Date.now() - 3600e3).toISOString())), [photo.json.id, idea.json.id]);
	eq((await api('GET', '/api/contributions?from=yesterday', undefined, fa)).status, 400);
	// undo
	const undo = await api('PATCH', `/api/contributions/${photo.json.id}`, { status: 'pending' }, fa);
	eq([undo.json.status, undo.json.reason, undo.json.decided_at], ['pending', null, null]);
	eq(await decided(''), [idea.json.id]);
	eq(sql(db, `SELECT action || ':' || coalesce(detail, '') FROM audit WHERE object IN ('contribution/${idea.json.id}', 'contribution/${photo.json.id}') ORDER BY id`),
		'contribution.create:idea\ncontribution.create:photo\ncontribution.confirm:CC-BY-NC-SA-4.0\ncontribution.reject:Hors sujet\ncontribution.reopen:');
	eq((await hub.stop()).code, 0);
});

test('the project page: its sessions, people, ratings and contributions with licences', async () => {
	const { hub, fa, ki, api } = await setup();
	const p = (await api('POST', '/api/projects', { title: 'Quartiers', summary: 'Mémoire', themes: ['quebec-culture'], visibility: 'public' }, fa)).json.id;
	const s1 = (await api('POST', '/api/sessions', { started_at: '2025-05-01T10:00:00-04:00', ended_at: '2025-05-01T11:00:00-04:00', project_ids: [p], group: { type: 'school', size: 20 } }, fa)).json.id;
	const s2 = (await api('POST', '/api/sessions', { project_ids: [p], group: { size: 1 } }, fa)).json.id;
	await api('POST', '/api/participants', { age_band: '25-34', party_size: 3 }, fa);
	for (const v of [3, 1]) await api('POST', '/api/ratings', { value: v, scale: 3 }, ki);
	const c = (await api('POST', '/api/contributions', { kind: 'scan', title: 'Buste', licence: 'CC-BY-4.0' }, fa)).json.id;
	await api('PATCH', `/api/contributions/${c}`, { status: 'confirmed' }, fa);
	const x = (await api('POST', '/api/sessions', {}, fa));
	eq(x.status, 409);
	const pg = (await api('GET', `/api/projects/${p}`, undefined, fa)).json;
	eq(pg.sessions.map((s) => [s.id, s.counted]), [[s2, 3], [s1, 20]]);
	eq([pg.participants, pg.ratings, pg.contributions.map((k) => [k.id, k.licence, k.status])], [23, { count: 2, positive: 1 }, [[c, 'CC-BY-4.0', 'confirmed']]]);
	// archive: a PATCH of status, kept out of the session form's choices by the page
	eq((await api('PATCH', `/api/projects/${p}`, { status: 'archived' }, fa)).json.status, 'archived');
	eq((await api('GET', `/api/projects/${p}`)).json.status, 'archived');
	eq((await hub.stop()).code, 0);
});

test('privacy requests: find a check-in by name, e-mail, session or date; export; erase; every step audited', async () => {
	const { hub, db, ad, ki, fa, api } = await setup();
	const s = (await api('POST', '/api/sessions', {}, fa)).json.id;
	const ana = (await api('POST', '/api/participants', { age_band: '25-34', consent: { contact: true }, display_name: 'Ana Tremblay', email: 'ana@example.org' }, fa)).json.id;
	const bo = (await api('POST', '/api/participants', { age_band: '35-44', consent: { publish_name: true }, display_name: 'Bo' }, fa)).json.id;
	await api('POST', '/api/participants', { age_band: '18-24' }, fa);
	const find = (q) => api('GET', '/api/participants?' + q, undefined, fa).then((r) => r.status === 200 ? r.json.participants.map((p) => p.id) : r.status);
	eq(await find('q=TREMB'), [ana], 'any case');
	eq(await find('q=example.org'), [ana]);
	eq(await find('q=bo'), [bo]);
	eq(await find('q=%25%25'), [], 'a % is a character, not a wildcard');
	eq(await find('q=z'), 400, 'at least 2 characters');
	eq((await find(`session_id=${s}`)).length, 3);
	eq(await find('from=2000-01-01T00:00:00Z&to=2000-02-01T00:00:00Z'), []);
	eq((await find('from=' + encodeURIComponent(new Date(Date.now() - 3600e3).toISOString()))).length, 3);
	eq(await find('from=hier'), 400);
	for (const [who, want] of [[undefined, 401], [ki, 403], [ad, 200]])
		eq((await api('GET', '/api/participants?q=zz', undefined, who)).status, want, 'search as ' + (who === ad ? 'admin' : who ? 'kiosk' : 'nobody'));
	const ex = await api('GET', `/api/participants/${ana}/export`, undefined, fa);
	eq([ex.status, ex.json.participant.email], [200, 'ana@example.org']);
	const er = await api('DELETE', `/api/participants/${ana}`, {}, fa);
	eq([er.status, er.json.email, er.json.display_name, er.json.age_band, er.json.session_id], [200, null, null, '25-34', s]);
	eq(await find('q=tremb'), [], 'erased: not found by name any more');
	const log = sql(db, "SELECT action || '|' || object || '|' || coalesce(detail, '') FROM audit WHERE action LIKE 'participant.%' AND action <> 'participant.checkin' ORDER BY id");
	eq(log, ['participant.search|participants|1 found', 'participant.search|participants|1 found', 'participant.search|participants|1 found',
		'participant.search|participants|0 found', 'participant.search|participants|0 found', `participant.export|participant/${ana}|`, `participant.erase|participant/${ana}|`,
		'participant.search|participants|0 found'].join('\n'));
	assert(!/tremb|example\.org/i.test(sql(db, 'SELECT group_concat(coalesce(detail, \'\')) FROM audit')), 'what was searched is not logged');
	eq((await hub.stop()).code, 0);
});

main();
