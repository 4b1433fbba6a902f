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

await main();
