// authz.mjs — the authorization matrix, from the hub's own route tables:
// `mlab-hub routes` lists every route and the least role it needs; each is
// tried with every role (admin, facilitator, kiosk, none).  EXPECTED below
// is the specification: a route the hub serves that is not in it (a new
// route nobody decided about) fails the suite, as does a route whose
// declared role differs, or one that lets a role through that it must not
// (or keeps out one it must let in).
import {
	HUB_BIN, test, main, assert, eq, check, run, startBroker, startHub, request,
} from '../lib/harness.mjs';

// 'METHOD PATTERN': the least role.  Add a row when you add a route.
const EXPECTED = {
	'POST /api/login': 'none',
	'POST /api/logout': 'none',
	'GET /api/me': 'kiosk',
	'GET /api/users': 'admin',
	'POST /api/users': 'admin',
	'PATCH /api/users/*': 'admin',
	'DELETE /api/users/*': 'admin',
	'GET /api/audit': 'admin',
	'POST /api/me/password': 'facilitator',
	'GET /healthz': 'none',
	'GET /readyz': 'none',
	'GET /metrics': 'none',
	'GET /api/devices': 'none',
	'GET /api/devices/**': 'none',
	'POST /api/devices/**': 'facilitator',
	'DELETE /api/devices/**': 'admin',
	'PATCH /api/devices/**': 'facilitator',
	'GET /api/machines': 'none',
	'GET /api/jobs': 'none',
	'GET /api/alerts': 'none',
	'POST /api/alerts/*/ack': 'facilitator',
	'GET /api/vocab': 'none',
	'GET /api/projects': 'none',
	'POST /api/projects': 'facilitator',
	'GET /api/projects/*': 'none',
	'PATCH /api/projects/*': 'facilitator',
	'GET /api/sessions/current': 'none',
	'GET /api/sessions': 'facilitator',
	'POST /api/sessions': 'facilitator',
	'GET /api/sessions/*': 'facilitator',
	'PATCH /api/sessions/*': 'facilitator',
	'POST /api/sessions/*/end': 'facilitator',
	'DELETE /api/sessions/*': 'facilitator',
	'POST /api/sessions/*/merge': 'facilitator',
	'GET /api/participants': 'facilitator',
	'POST /api/participants': 'kiosk',
	'GET /api/participants/*': 'facilitator',
	'DELETE /api/participants/*': 'facilitator',
	'GET /api/participants/*/export': 'facilitator',
	'GET /api/contributions': 'facilitator',
	'POST /api/contributions': 'kiosk',
	'GET /api/contributions/*': 'facilitator',
	'PATCH /api/contributions/*': 'facilitator',
	'GET /api/ratings': 'facilitator',
	'POST /api/ratings': 'kiosk',
	'POST /api/purge': 'admin',
	'GET /api/config': 'none',	// the lab's public settings (issue 17 part 5)
	'GET /api/indicators': 'none',
	'GET /api/indicators/report.css': 'none',
	'GET /api/openapi.json': 'none',	// the API's description (issue 17 part 4)
	'GET /api/network/indicators': 'none',	// a network hub's (net.role = network)
	'GET /api/network/indicators/explain': 'none',	// a network figure's facts: open, as the figures
};
const RANK = { none: 0, kiosk: 1, facilitator: 2, admin: 3 };

// The routes the hub serves, from its own tables: a lab's, then those
// only a network hub (net.role = network) serves.
function served() {
	const list = (sets) => {
		const r = run(HUB_BIN, [...sets, '--set', 'log.level=warn', 'routes']);
		assert(r.status === 0, 'mlab-hub routes: ' + r.stderr);
		return r.stdout.trim().split('\n').map((l) => {
			const [method, pattern, role] = l.split(' ');
			return { method, pattern, role, key: `${method} ${pattern}` };
		});
	};
	const lab = list([]);
	const more = list(['--set', 'net.role=network']).filter((r) => !lab.some((l) => l.key === r.key));
	assert(more.length > 0, 'a network hub serves routes a lab does not');
	return [...lab, ...more];
}

// A concrete path for a pattern: ids that exist nowhere, so that a write
// that gets through changes nothing.
const concrete = (p) => p.replace('/**', '/test/none-such').replace(/\*/g, '999999');

// Refused for the role (not a business answer such as 404 or 409)?
const denied = (r) => (r.status === 401 && /login required/.test(r.text)) ||
	(r.status === 403 && /role may not/.test(r.text));

test('every route the hub serves has an expected role, and the same one', async () => {
	const routes = served();
	const missing = routes.filter((r) => !(r.key in EXPECTED));
	check(!missing.length, 'every served route is in EXPECTED', missing.map((r) => r.key).join(', '));
	const gone = Object.keys(EXPECTED).filter((k) => !routes.some((r) => r.key === k));
	check(!gone.length, 'every EXPECTED route is served', gone.join(', '));
	for (const r of routes)
		if (r.key in EXPECTED)
			check(r.role === EXPECTED[r.key], `${r.key} needs ${EXPECTED[r.key]}`, `the hub says ${r.role}`);
	assert(!missing.length && !gone.length, 'the route tables and EXPECTED differ');
});

test('every route × every role: let in exactly the roles that may', async () => {
	const broker = await startBroker();
	// a network hub serves everything a lab does, and its own routes
	const hub = await startHub({ broker, sets: ['kiosk.writes_per_min=100000', 'net.role=network'] });
	const cookies = {
		admin: await hub.login('ad', 'admin', 'admin-password'),
		facilitator: await hub.login('fa', 'facilitator', 'facilitator-pw'),
		kiosk: await hub.login('ki', 'kiosk', 'kiosk-password'),
		none: undefined,
	};
	// logging out ends the login the next requests need: last
	const routes = served().sort((a, b) => (a.key === 'POST /api/logout') - (b.key === 'POST /api/logout'));
	let tried = 0, wrong = 0;
	for (const r of routes) {
		const need = RANK[EXPECTED[r.key] || 'admin'];
		for (const role of Object.keys(cookies)) {
			const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : {};
			const res = await request(hub.url + concrete(r.pattern), { method: r.method, body, cookie: cookies[role] });
			tried++;
			const refused = denied(res);
			const ok = RANK[role] >= need ? !refused : refused;
			if (!ok) wrong++;
			check(ok, `${r.key} as ${role}: ${RANK[role] >= need ? 'let in' : 'refused'}`, `${res.status} ${res.text.slice(0, 80)}`);
		}
	}
	console.log(`# authorization matrix: ${routes.length} routes × 4 roles = ${tried} requests, ${wrong} wrong`);
	eq(wrong, 0, 'requests answered against the matrix');
	eq(tried, routes.length * 4);
});

await main();
