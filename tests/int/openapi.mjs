// openapi.mjs — GET /api/openapi.json (issue 17 part 4) against the hub's
// own route tables and its real answers.  The description is written by
// hand (hub/net/openapi.json, compiled in), so this suite is what keeps it
// true: a route `mlab-hub routes` prints that is not described fails, as
// does a described one that is not served or a role (x-mlab-role) that
// differs; then every GET route and the main writes are called on a hub
// with data in it, and each answer must match its schema (ajv, JSON Schema
// 2020-12 as OpenAPI 3.1 uses).
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import {
	HUB_BIN, ROOT, test, main, assert, eq, check, run, startBroker, startHub, pub, shareBetweenTests, waitFor,
} from '../lib/harness.mjs';

shareBetweenTests();
const FILE = JSON.parse(fs.readFileSync(path.join(ROOT, 'hub/net/openapi.json'), 'utf8'));
const METHODS = ['get', 'post', 'patch', 'put', 'delete'];

// 'METHOD PATTERN' of a described operation: {x} is one segment ("*"),
// unless the operation names its route table pattern (x-mlab-pattern).
function described(doc) {
	const out = [];
	for (const [p, item] of Object.entries(doc.paths))
		for (const m of METHODS)
			if (item[m])
				out.push({ key: `${m.toUpperCase()} ${item[m]['x-mlab-pattern'] || p.replace(/\{[^}]+\}/g, '*')}`,
					role: item[m]['x-mlab-role'], method: m, path: p });
	return out;
}

// A lab's routes, then those only a network hub (net.role = network) serves.
function served() {
	const list = (sets) => {
		const r = run(HUB_BIN, [...sets, '--set', 'log.level=warn', 'routes']);
		assert(r.status === 0, 'mlab-hub routes: ' + r.stderr);
		return r.stdout.trim().split('\n').map((l) => {
			const [method, pattern, role] = l.split(' ');
			return { key: `${method} ${pattern}`, role };
		});
	};
	const lab = list([]);
	return [...lab, ...list(['--set', 'net.role=network']).filter((r) => !lab.some((l) => l.key === r.key))];
}

// The description as ajv schemas: one per (path, method, status, media type).
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
ajv.addFormat('date', /^\d{4}-\d\d-\d\d$/);
ajv.addSchema({ $id: 'mlab:openapi', components: FILE.components }, 'mlab:openapi');
const ptr = (...segs) => segs.map((s) => encodeURIComponent(String(s).replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
function validator(p, method, status, ctype) {
	let resp = FILE.paths[p]?.[method]?.responses?.[status];
	if (resp?.$ref) resp = FILE.components.responses[resp.$ref.split('/').pop()];
	assert(resp, `${method.toUpperCase()} ${p}: no ${status} answer described`);
	const media = resp.content?.[ctype];
	assert(media, `${method.toUpperCase()} ${p} ${status}: no ${ctype} described`);
	const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"mlab:openapi#/components/'));
	return ajv.compile(schema);
}

test('the description is OpenAPI 3 and each operation has a role, a summary and answers', async () => {
	assert(/^3\.\d+\.\d+$/.test(FILE.openapi), 'openapi version ' + FILE.openapi);
	for (const d of described(FILE)) {
		const op = FILE.paths[d.path][d.method];
		check(['none', 'kiosk', 'facilitator', 'admin'].includes(op['x-mlab-role']), `${d.key}: x-mlab-role`, op['x-mlab-role']);
		check(op.summary && Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)), `${d.key}: a summary and a 2xx answer`);
		for (const m of (FILE.paths[d.path].parameters || []).concat(op.parameters || []))
			if (m.in === 'path') check(d.path.includes(`{${m.name}}`), `${d.key}: path parameter ${m.name} is in the path`);
	}
	// every $ref resolves
	const refs = JSON.stringify(FILE).match(/"\$ref":"[^"]+"/g) || [];
	for (const r of new Set(refs)) {
		const p = r.slice(8, -1).replace(/^#\//, '').split('/');
		let o = FILE;
		for (const s of p) o = o && o[s];
		check(o !== undefined, `${r} resolves`);
	}
});

test('every route the hub serves is described, with its role, and nothing else is', async () => {
	const routes = served(), doc = described(FILE);
	const missing = routes.filter((r) => !doc.some((d) => d.key === r.key));
	const extra = [...new Set(doc.map((d) => d.key))].filter((k) => !routes.some((r) => r.key === k));
	check(!missing.length, 'every served route is described', missing.map((r) => r.key).join(', '));
	check(!extra.length, 'every described route is served', extra.join(', '));
	for (const d of doc) {
		const r = routes.find((x) => x.key === d.key);
		if (r) check(r.role === d.role, `${d.key} (${d.path}) needs ${r.role}`, `described as ${d.role}`);
	}
	assert(!missing.length && !extra.length, 'the route tables and the description differ');
});

// One hub with something of everything in it, for the answers below.
let hub, broker, fa, ad, ki, ids = {};
async function lab() {
	if (hub) return;
	broker = await startBroker();
	hub = await startHub({ broker, sets: ['alert.temperature_c.above=30', 'kiosk.writes_per_min=100000'] });
	ad = await hub.login('ad', 'admin', 'admin-password');
	fa = await hub.login('fa', 'facilitator', 'facilitator-pw');
	ki = await hub.login('ki', 'kiosk', 'kiosk-password');
	pub(broker, 'mlab/v1/printer-1/status', { state: 'online', kind: 'printer' }, { retain: true });
	pub(broker, 'mlab/v1/printer-1/telemetry', { temperature_c: 41.5 });
	pub(broker, 'mlab/v1/printer-1/event', { seq: 1, boot: 'b1', type: 'job.started', file: 'benchy.gcode' });
	pub(broker, 'mlab/v1/printer-1/event', { seq: 2, boot: 'b1', type: 'job.finished', file: 'benchy.gcode' });
	await waitFor(async () => (await hub.get('/api/jobs')).json?.jobs?.length &&
		(await hub.get('/api/alerts')).json?.alerts?.length, 5000, 'a job and an alert');
	ids.alert = (await hub.get('/api/alerts')).json.alerts[0].id;
}

// [method, path template, concrete path, body, cookie, status]
const calls = () => [
	['get', '/healthz', '/healthz', undefined, undefined, 200],
	['get', '/readyz', '/readyz', undefined, undefined, 200],
	['get', '/api/openapi.json', '/api/openapi.json', undefined, undefined, 200],
	['get', '/api/config', '/api/config', undefined, undefined, 200],
	['post', '/api/projects', '/api/projects', { title: 'Pont' }, fa, 201, (j) => { ids.project = j.id; }],
	['patch', '/api/projects/{id}', () => `/api/projects/${ids.project}`, { summary: 'Un pont' }, fa, 200],
	['post', '/api/sessions', '/api/sessions', () => ({ project_ids: [ids.project], group: { type: 'school', size: 20 } }), fa, 201, (j) => { ids.session = j.id; }],
	['patch', '/api/sessions/{id}', () => `/api/sessions/${ids.session}`, { notes: 'n' }, fa, 200],
	['post', '/api/participants', '/api/participants', { age_band: '25-34' }, ki, 201, (j) => { ids.participant = j.id; }],
	['post', '/api/contributions', '/api/contributions', { kind: 'text', title: 'T' }, fa, 201, (j) => { ids.contribution = j.id; }],
	['post', '/api/contributions', '/api/contributions', { title: 'Une idée' }, ki, 201],
	['patch', '/api/contributions/{id}', () => `/api/contributions/${ids.contribution}`, { status: 'confirmed' }, fa, 200],
	['post', '/api/ratings', '/api/ratings', { value: 2 }, ki, 201],
	['post', '/api/users', '/api/users', { name: 'zed', password: 'zzzzzzzz', role: 'kiosk' }, ad, 201],
	['patch', '/api/users/{name}', '/api/users/zed', { role: 'facilitator' }, ad, 200],
	['post', '/api/devices/{id}/switch', '/api/devices/mlab%2Fprinter-1/switch', { on: true }, fa, 202],
	['patch', '/api/devices/{id}', '/api/devices/mlab%2Fprinter-1', { name: 'Prusa', room: 'Salle 2', hidden_metrics: ['rssi_dbm'], machine: 'Prusa MK4' }, fa, 200],
	['get', '/api/machines', '/api/machines', undefined, undefined, 200],
	['post', '/api/me/password', '/api/me/password', { current: 'x', password: 'yyyyyyyy' }, fa, 403],
	['post', '/api/alerts/{id}/ack', () => `/api/alerts/${ids.alert}/ack`, {}, fa, 200],
	['get', '/api/me', '/api/me', undefined, ki, 200],
	['get', '/api/users', '/api/users', undefined, ad, 200],
	['get', '/api/audit', '/api/audit', undefined, ad, 200],
	['get', '/api/audit', '/api/audit?action=device&format=csv', undefined, ad, 200],
	['get', '/metrics', '/metrics', undefined, undefined, 200],
	['get', '/api/devices', '/api/devices', undefined, undefined, 200],
	['get', '/api/devices/{id}', '/api/devices/mlab%2Fprinter-1', undefined, undefined, 200],
	['get', '/api/devices/{id}/history', '/api/devices/mlab%2Fprinter-1/history?metric=temperature_c', undefined, undefined, 200],
	['get', '/api/jobs', '/api/jobs', undefined, undefined, 200],
	['get', '/api/jobs', '/api/jobs?format=csv', undefined, undefined, 200],
	['get', '/api/alerts', '/api/alerts', undefined, fa, 200],
	['get', '/api/vocab', '/api/vocab', undefined, undefined, 200],
	['get', '/api/projects', '/api/projects', undefined, undefined, 200],
	['get', '/api/projects/{id}', () => `/api/projects/${ids.project}`, undefined, undefined, 200],
	['get', '/api/projects/{id}', () => `/api/projects/${ids.project}`, undefined, fa, 200],
	['get', '/api/sessions/current', '/api/sessions/current', undefined, undefined, 200],
	['get', '/api/sessions', '/api/sessions', undefined, fa, 200],
	['get', '/api/sessions/{id}', () => `/api/sessions/${ids.session}`, undefined, fa, 200],
	['get', '/api/participants', '/api/participants', undefined, fa, 200],
	['get', '/api/participants/{id}', () => `/api/participants/${ids.participant}`, undefined, fa, 200],
	['get', '/api/participants/{id}/export', () => `/api/participants/${ids.participant}/export`, undefined, fa, 200],
	['get', '/api/contributions', '/api/contributions', undefined, fa, 200],
	['get', '/api/contributions/{id}', () => `/api/contributions/${ids.contribution}`, undefined, fa, 200],
	['get', '/api/ratings', '/api/ratings', undefined, fa, 200],
	['get', '/api/indicators', '/api/indicators', undefined, undefined, 200],
	['get', '/api/indicators', '/api/indicators?format=csv', undefined, undefined, 200],
	['get', '/api/indicators', '/api/indicators?format=html', undefined, undefined, 200],
	['get', '/api/indicators', '/api/indicators?format=ods', undefined, undefined, 200],
	['get', '/api/indicators/report.css', '/api/indicators/report.css', undefined, undefined, 200],
	['post', '/api/sessions/{id}/end', () => `/api/sessions/${ids.session}/end`, {}, fa, 200],
	['delete', '/api/participants/{id}', () => `/api/participants/${ids.participant}`, undefined, fa, 200],
	['post', '/api/purge', '/api/purge', {}, ad, 200],
	['delete', '/api/users/{name}', '/api/users/zed', undefined, ad, 200],
	['get', '/api/projects/{id}', '/api/projects/999999', undefined, undefined, 404],
	['post', '/api/login', '/api/login', { user: 'ad', password: 'admin-password' }, undefined, 200],
	['post', '/api/logout', '/api/logout', {}, ad, 200],
];

test('every GET route and the main writes answer as described', async () => {
	await lab();
	const tried = new Set();
	for (const [method, tpl, url, b, cookie, status, after] of calls()) {
		const u = typeof url === 'function' ? url() : url;
		const body = typeof b === 'function' ? b() : b;
		const r = await hub[method === 'delete' ? 'del' : method](u, method === 'get' || method === 'delete' ? { cookie } : body, { cookie });
		if (!check(r.status === status, `${method.toUpperCase()} ${u}: ${status}`, `${r.status} ${r.text.slice(0, 120)}`)) continue;
		tried.add(`${method} ${tpl}`);
		const ctype = (r.headers.get('content-type') || '').split(';')[0].trim();
		const code = FILE.paths[tpl]?.[method]?.responses?.[status] ? String(status) : 'default';
		const v = validator(tpl, method, code, ctype);
		const data = ctype === 'application/json' ? r.json : r.text;
		check(v(data), `${method.toUpperCase()} ${u} ${status} ${ctype} matches ${tpl}`,
			JSON.stringify(v.errors?.slice(0, 3)) + ' ' + r.text.slice(0, 200));
		if (after && r.json) after(r.json);
	}
	// a network hub's routes (net.role = network), over one site's fact
	const nh = await startHub({ broker, sets: ['net.role=network'] });
	const at = Date.parse('2025-06-01T14:00:00Z') / 1000;
	pub(broker, 'mlab/v1/net/lab-x/fact', { seq: 1, boot: 'b1', site: 'lab-x', key: 'rating:1', type: 'rating', at,
		state: { at, scale: 3, value: 3, session: null } });
	await waitFor(async () => (await nh.get('/api/network/indicators?fy=2025')).json?.sites?.['lab-x'], 10000, 'the network hears lab-x');
	for (const [tpl, u] of [['/api/network/indicators', '/api/network/indicators?fy=2025'],
		['/api/network/indicators', '/api/network/indicators?fy=2025&format=csv'],
		['/api/network/indicators/explain', '/api/network/indicators/explain?fy=2025&key=votes'],
		['/api/network/indicators/explain', '/api/network/indicators/explain?fy=2025&key=votes&site=lab-x&format=csv']]) {
		const r = await nh.get(u);
		if (!check(r.status === 200, `GET ${u}: 200`, `${r.status} ${r.text.slice(0, 120)}`)) continue;
		tried.add(`get ${tpl}`);
		const ctype = (r.headers.get('content-type') || '').split(';')[0].trim();
		const v = validator(tpl, 'get', '200', ctype);
		check(v(ctype === 'application/json' ? r.json : r.text), `GET ${u} ${ctype} matches ${tpl}`,
			JSON.stringify(v.errors?.slice(0, 3)) + ' ' + r.text.slice(0, 200));
	}
	await nh.stop();
	const gets = described(FILE).filter((d) => d.method === 'get').map((d) => `get ${d.path}`);
	const untried = gets.filter((g) => !tried.has(g));
	check(!untried.length, 'every described GET was called and checked', untried.join(', '));
});

test('the served description is the compiled-in file, public and JSON', async () => {
	await lab();
	const r = await hub.get('/api/openapi.json');
	eq(r.status, 200);
	assert(/^application\/json/.test(r.headers.get('content-type')), r.headers.get('content-type'));
	eq(r.json, FILE, 'GET /api/openapi.json is hub/net/openapi.json');
});

test('a schema that does not fit is noticed (the validator can fail)', async () => {
	const v = validator('/api/devices', 'get', '200', 'application/json');
	check(!v({ devices: [{ id: 1 }] }), 'a device without source, name, kind, online is refused');
	check(!v({}), 'an answer without devices is refused');
	check(v({ devices: [] }), 'an empty list is fine');
});

await main();
