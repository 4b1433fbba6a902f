// outbox.mjs — what the kiosk sends again after a lost answer is stored
// once: a check-in, a rating and an idea carry the kiosk's client_id, and
// a resend with the same id gets the first row back (200), not a second
// row.  Real hub, real SQLite.
import { test, main, startHub, run, eq, assert, wsClient } from '../lib/harness.mjs';

// `mlab-hub user add` (argon2id, under ASan, on a busy machine) now and
// then dies before it writes; hub.login then meets a missing account
const login = async (hub, ...a) => {
	for (let i = 0; ; i++) {
		try { return await hub.login(...a); } catch (e) { if (i === 2) throw e; }
	}
};
const count = (db, q) => Number(run('sqlite3', [db, q]).stdout.trim());

test('posting twice with the same client_id stores one row and answers the same id', async () => {
	const hub = await startHub();
	const fa = await login(hub, 'fa', 'facilitator');
	const ki = await login(hub, 'ki', 'kiosk', 'kiosk-password-1');
	const p = (await hub.post('/api/projects', { title: 'Murale', themes: [] }, { cookie: fa })).json.id;
	const s = (await hub.post('/api/sessions', { project_ids: [p] }, { cookie: fa })).json.id;
	assert(s, 'a session is open');
	const cases = [
		['/api/participants', { session_id: s, age_band: '18-24', consent: { contact: false, photo: false, publish_name: false } }, 'participants'],
		['/api/ratings', { value: 3, scale: 3 }, 'ratings'],
		['/api/contributions', { kind: 'idea', title: 'Une fresque du quartier' }, 'contributions'],
	];
	for (const [url, body, table] of cases) {
		const cid = (table + '0123456789abcdef0123456789abcdef').slice(-32);
		const first = await hub.post(url, { ...body, client_id: cid }, { cookie: ki });
		eq(first.status, 201, `${url}: first post stored (${first.text})`);
		const again = await hub.post(url, { ...body, client_id: cid }, { cookie: ki });
		eq(again.status, 200, `${url}: the resend is recognised`);
		eq(again.json.id, first.json.id, `${url}: same id`);
		eq(count(hub.db, `SELECT count(*) FROM ${table} WHERE client_id = '${cid}'`), 1, `${url}: one row`);
		eq(count(hub.db, `SELECT count(*) FROM ${table}`), 1, `${url}: one row in all`);
		const other = await hub.post(url, { ...body, client_id: cid.replace(/.$/, 'z') }, { cookie: ki });
		eq(other.status, 201, `${url}: another client_id is another row`);
		const bad = await hub.post(url, { ...body, client_id: 'x' }, { cookie: ki });
		eq(bad.status, 400, `${url}: a malformed client_id is refused`);
		eq(bad.json.code, 'bad_request');
	}
	// the session ended meanwhile: a resend of a stored check-in still gets its id
	eq((await hub.post(`/api/sessions/${s}/end`, {}, { cookie: fa })).status, 200);
	const late = await hub.post('/api/participants', { ...cases[0][1], client_id: ('participants0123456789abcdef0123456789abcdef').slice(-32) }, { cookie: ki });
	eq(late.status, 200, 'the resend after the session ended is recognised');
	eq((await hub.stop()).code, 0);
});

test('the wall: public titles of projects, and the titles of confirmed public contributions, live', async () => {
	const hub = await startHub();
	const fa = await login(hub, 'fa', 'facilitator');
	const p = (await hub.post('/api/projects', { title: 'Murale', themes: [], visibility: 'public' }, { cookie: fa })).json.id;
	const mk = async (title, licence) => (await hub.post('/api/contributions', { project_id: p, kind: 'idea', title, licence }, { cookie: fa })).json.id;
	const a = await mk('Le fleuve en bleu', 'CC-BY-4.0');
	const b = await mk('Brouillon privé', 'none');
	const pub = await wsClient(hub);	// no cookie: the wall's audience
	const snap = await pub.waitFor((m) => m.type === 'snapshot');
	eq(snap.recent_contributions.length, 0, 'nothing confirmed yet');
	// a public title for the wall, kept across a PATCH that does not name it
	eq((await hub.patch(`/api/projects/${p}`, { public_title: 'Une murale pour le quartier' }, { cookie: fa })).status, 200);
	eq((await hub.patch(`/api/projects/${p}`, { summary: 'Peinte en juin' }, { cookie: fa })).status, 200);
	const pj = await pub.waitFor((x) => x.type === 'project' && x.project.summary === 'Peinte en juin', 3000, 'the project, live');
	eq(pj.project.public_title, 'Une murale pour le quartier');
	eq(pj.project.title, 'Murale');
	eq((await hub.patch(`/api/contributions/${a}`, { status: 'confirmed' }, { cookie: fa })).status, 200);
	eq((await hub.patch(`/api/contributions/${b}`, { status: 'confirmed' }, { cookie: fa })).status, 200);
	const m = await pub.waitFor((x) => x.type === 'recent_contributions' && x.recent_contributions.length === 1, 3000, 'the live list');
	eq(m.recent_contributions[0].title, 'Le fleuve en bleu');
	eq(m.recent_contributions[0].project_id, p);
	const again = await wsClient(hub);
	eq((await again.waitFor((x) => x.type === 'snapshot')).recent_contributions.map((c) => c.title), ['Le fleuve en bleu'],
		'a licence "none" stays off the wall');
	eq((await hub.stop()).code, 0);
});

// A write kept in the kiosk's outbox while the hub was away carries when
// the visitor made it (made_at).  Delivered after its session ended, it
// counts for the session open at made_at — never a later one — and only
// within kiosk.late_grace_s, so a kiosk cannot backdate into an old session.
test('a late delivery counts for the session open at made_at, within kiosk.late_grace_s only', async () => {
	const hub = await startHub({ sets: ['kiosk.late_grace_s=14400'] });
	const fa = await login(hub, 'fa', 'facilitator');
	const ki = await login(hub, 'ki', 'kiosk', 'kiosk-password-1');
	const now = Date.now() / 1000, iso = (t) => new Date(t * 1000).toISOString();
	const rec = async (from, to) => {
		const r = await hub.post('/api/sessions', { project_ids: [], started_at: iso(from), ended_at: iso(to) }, { cookie: fa });
		assert(r.status < 300, r.text);
		return r.json.id;
	};
	const old = await rec(now - 8 * 3600, now - 7 * 3600);	// before the grace
	const a = await rec(now - 3 * 3600, now - 2 * 3600);	// ended, within the grace
	const b = (await hub.post('/api/sessions', { project_ids: [] }, { cookie: fa })).json.id;	// open now
	assert(old && a && b, 'three sessions');
	const body = { age_band: '25-34', consent: {} };
	let n = 0;
	const cid = () => ('late' + (++n) + '0123456789abcdef0123456789abcdef').slice(0, 32);
	const checkin = (extra) => hub.post('/api/participants', { ...body, client_id: cid(), ...extra }, { cookie: ki });
	const sessionOf = (id) => count(hub.db, `SELECT session_id FROM participants WHERE id = ${id}`);

	// made during A, delivered now: A, with A's time, not B
	let r = await checkin({ session_id: a, made_at: iso(now - 2.5 * 3600) });
	eq(r.status, 201, r.text);
	eq(r.json.session_id, a, 'counts for the session open when it was made');
	eq(sessionOf(r.json.id), a);
	const at = count(hub.db, `SELECT CAST(created_at AS INTEGER) FROM participants WHERE id = ${r.json.id}`);
	assert(Math.abs(at - (now - 2.5 * 3600)) < 5, 'stored at the time it was made: ' + at);
	// the hint is what the kiosk saw; made_at decides (no hint: still A)
	r = await checkin({ made_at: iso(now - 2.5 * 3600) });
	eq(r.json.session_id, a, r.text);
	// made between sessions: none was open then, and B is later: refused
	r = await checkin({ session_id: a, made_at: iso(now - 1.5 * 3600) });
	eq(r.status, 409, r.text);
	eq(r.json.code, 'no_session');
	// made during an old session, past the grace: refused, not backdated
	r = await checkin({ session_id: old, made_at: iso(now - 7.5 * 3600) });
	eq(r.status, 409, r.text);
	eq(r.json.code, 'too_late');
	// in the future (past the clock slack): refused
	r = await checkin({ made_at: iso(now + 3600) });
	eq(r.status, 400, r.text);
	// a past session named without made_at: the open session only, as before
	r = await checkin({ session_id: a });
	eq(r.status, 403, r.text);
	eq(r.json.code, 'kiosk_scope');
	// made now, during B, named B: B
	r = await checkin({ session_id: b, made_at: iso(now) });
	eq(r.json.session_id, b, r.text);
	// nothing else was stored
	eq(count(hub.db, `SELECT count(*) FROM participants WHERE session_id = ${old}`), 0);
	eq(count(hub.db, `SELECT count(*) FROM participants`), 3);

	// an idea and a rating follow the same rule
	r = await hub.post('/api/contributions', { kind: 'idea', title: 'Une idée tardive', client_id: cid(), session_id: a, made_at: iso(now - 2.5 * 3600) }, { cookie: ki });
	eq(r.status, 201, r.text);
	eq(count(hub.db, `SELECT session_id FROM contributions WHERE id = ${r.json.id}`), a, 'the idea counts for A');
	r = await hub.post('/api/ratings', { value: 3, scale: 3, client_id: cid(), made_at: iso(now - 2.5 * 3600) }, { cookie: ki });
	eq(r.status, 201, r.text);
	eq(r.json.session_id, a, 'the vote counts for A');
	r = await hub.post('/api/ratings', { value: 2, scale: 3, client_id: cid(), made_at: iso(now - 1.5 * 3600) }, { cookie: ki });
	eq(r.status, 201, r.text);
	eq(r.json.session_id, null, 'a vote made between sessions counts for none, not for B');
	r = await hub.post('/api/ratings', { value: 2, scale: 3, client_id: cid(), made_at: iso(now - 7.5 * 3600) }, { cookie: ki });
	eq(r.status, 409, 'a vote past the grace: ' + r.text);
	eq((await hub.stop()).code, 0);
});

await main();
