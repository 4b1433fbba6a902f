// admin_api.mjs — issue 15 items 5–8 through the real hub (ASan build), a
// real mosquitto and a real SQLite file: a device's settings (PATCH
// /api/devices/{id}) for every role, kept across a restart, audit-logged,
// a plug's machine taking over from the configuration and named in the
// report; the audit log as CSV with its filters; one's own password; the
// jobs' session column; the indicators as an OpenDocument spreadsheet.
import fs from 'node:fs';
import path from 'node:path';
import {
	test, main, assert, eq, startBroker, startHub, pub, waitFor, run, tmpdir, ROOT,
} from '../lib/harness.mjs';

const sql = (db, q) => {
	const r = run('sqlite3', ['-bail', db, q]);
	if (r.status !== 0) throw new Error('sqlite3: ' + r.stderr);
	return r.stdout.trim();
};

// A hub with an admin, a facilitator and a kiosk account; none = no cookie.
async function setup(opts = {}) {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['store.commit_ms=20', ...(opts.sets || [])] });
	const who = {
		none: undefined,
		kiosk: await hub.login('borne', 'kiosk', 'borne-password'),
		facilitator: await hub.login('anim', 'facilitator', 'anim-password'),
		admin: await hub.login('chef', 'admin', 'chef-password'),
	};
	return { broker, hub, who };
}

const PLUG = 'mlab/plug-1', PRINTER = 'mlab/printer-1';

async function devices(broker, hub) {
	pub(broker, 'mlab/v1/plug-1/meta', JSON.stringify({ name: 'plug-1', kind: 'plug', room: 'atelier' }), { retain: true });
	pub(broker, 'mlab/v1/printer-1/meta', JSON.stringify({ name: 'printer-1', kind: 'printer' }), { retain: true });
	pub(broker, 'mlab/v1/plug-1/telemetry', JSON.stringify({ power_w: 2, uptime_s: 50, power_factor: 0.5 }));
	await waitFor(async () => (await hub.device(PLUG))?.metrics?.power_w === 2 && await hub.device(PRINTER), 5000, 'devices');
}

const enc = encodeURIComponent;

test('PATCH /api/devices/{id}: roles, bad input, kept across a restart, audit-logged', async () => {
	const { broker, hub, who } = await setup();
	await devices(broker, hub);
	const body = { name: 'Prise de la Prusa', room: 'Salle 2', hidden_metrics: ['uptime_s', 'power_factor'], feeds: PRINTER, machine: 'Prusa MK4', busy_w: 15 };
	const want = { none: 401, kiosk: 403, facilitator: 200, admin: 200 };
	for (const [role, cookie] of Object.entries(who)) {
		const r = await hub.patch('/api/devices/' + enc(PLUG), body, { cookie });
		eq(r.status, want[role], `${role}: ${r.text}`);
	}
	// the staff's view (the public's has no staff name: see below)
	const staffDevice = async (id) => (await hub.get('/api/devices/' + enc(id), { cookie: who.facilitator })).json;
	const d = await staffDevice(PLUG);
	eq(d.name, 'Prise de la Prusa');
	eq(d.room, 'Salle 2');
	eq(d.reported.name, 'plug-1', 'what the device says stays visible');
	eq(d.reported.room, 'atelier');
	eq(JSON.stringify(d.hidden_metrics), '["uptime_s","power_factor"]');
	eq(d.feeds, PRINTER);
	eq(d.machine, 'Prusa MK4');
	eq(d.busy_w, 15);
	const bad = [
		[{ colour: 'red' }, /unknown member colour/],
		[{ hidden_metrics: 'uptime_s' }, /hidden_metrics/],
		[{ hidden_metrics: [''] }, /hidden_metrics/],
		[{ busy_w: -1 }, /busy_w/],
		[{ feeds: 'mlab/nope' }, /feeds: no device/],
		[{ feeds: PLUG }, /cannot feed itself/],
		[{ name: 'x'.repeat(200) }, /name is longer/],
		[{ room: 5 }, /room must be a string/],
		['[1]', /JSON object/],
	];
	for (const [b, re] of bad) {
		const r = await hub.patch('/api/devices/' + enc(PLUG), b, { cookie: who.facilitator });
		eq(r.status, 400, JSON.stringify(b));
		assert(re.test(r.json.error), `${JSON.stringify(b)}: ${r.json.error}`);
	}
	eq((await hub.patch('/api/devices/' + enc('mlab/ghost'), { name: 'x' }, { cookie: who.facilitator })).status, 404);
	eq((await staffDevice(PLUG)).name, 'Prise de la Prusa', 'a refused change changed nothing');
	const audit = sql(hub.db, "SELECT user || '|' || object || '|' || detail FROM audit WHERE action='device.settings' ORDER BY id");
	eq(audit.split('\n').length, 2, 'one line per accepted change: ' + audit);
	assert(audit.startsWith(`anim|${PLUG}|name, room, hidden_metrics, feeds, machine, busy_w`), audit);
	// clearing one member keeps the others; the device's own room comes back
	eq((await hub.patch('/api/devices/' + enc(PLUG), { room: null }, { cookie: who.admin })).json.room, 'atelier');
	eq((await hub.stop()).code, 0);
	await hub.start();
	const again = await staffDevice(PLUG);
	eq(again.name, 'Prise de la Prusa', 'kept across a restart');
	eq(again.room, 'atelier');
	eq(again.hidden_metrics.length, 2);
	const m = (await hub.get('/api/machines', { cookie: who.facilitator })).json.machines;
	eq(m.length, 1);
	eq(m[0].name, 'Prusa MK4');
	eq(m[0].plug, PLUG);
	eq(m[0].busy_w, 15);
	// a removed device takes its settings along, whether its history stays or goes
	eq(sql(hub.db, 'SELECT count(*) FROM device_settings'), '1');
	eq((await hub.del('/api/devices/' + enc(PLUG), { cookie: who.admin })).status, 200);
	eq(sql(hub.db, 'SELECT count(*) FROM device_settings'), '0', 'settings removed with the device');
	eq((await hub.patch('/api/devices/' + enc(PRINTER), { name: 'Imprimante' }, { cookie: who.facilitator })).status, 200);
	eq((await hub.del('/api/devices/' + enc(PRINTER) + '?history=drop', { cookie: who.admin })).status, 200);
	eq(sql(hub.db, 'SELECT count(*) FROM device_settings'), '0');
	eq((await hub.stop()).code, 0, 'clean exit, no leak');
});

test('a plug\'s machine: the dashboard\'s name wins over the config, busy periods and the report use it', async () => {
	const { broker, hub, who } = await setup({ sets: [`machine.prusa.plug=${PLUG}`, 'machine.prusa.name=Prusa (config)', 'machine.prusa.busy_w=20'] });
	await devices(broker, hub);
	let m = (await hub.get('/api/machines', { cookie: who.facilitator })).json.machines;
	eq(m[0].name, 'Prusa (config)');
	eq((await hub.patch('/api/devices/' + enc(PLUG), { machine: 'Prusa MK4 de la salle 2' }, { cookie: who.facilitator })).status, 200);
	m = (await hub.get('/api/machines', { cookie: who.facilitator })).json.machines;
	eq(m.length, 1, 'the same machine, renamed');
	eq(m[0].machine, 'prusa');
	eq(m[0].name, 'Prusa MK4 de la salle 2');
	eq(m[0].busy_w, 20, 'the configured threshold stays');
	pub(broker, 'mlab/v1/plug-1/telemetry', JSON.stringify({ power_w: 80 }));
	await waitFor(async () => (await hub.get('/api/machines', { cookie: who.facilitator })).json.machines[0].busy, 5000, 'busy');
	pub(broker, 'mlab/v1/plug-1/telemetry', JSON.stringify({ power_w: 1 }));
	await waitFor(async () => !(await hub.get('/api/machines', { cookie: who.facilitator })).json.machines[0].busy, 5000, 'idle');
	await waitFor(() => sql(hub.db, 'SELECT count(*) FROM machine_use WHERE ended_at IS NOT NULL') === '1', 5000, 'a busy period');
	const html = (await hub.get('/api/indicators?format=html&lang=fr', { cookie: who.facilitator })).text;
	assert(html.includes('Prusa MK4 de la salle 2'), 'the report names the machine as people know it');
	// the public's report and machine list do not: the staff's names may name people
	assert(!(await hub.get('/api/indicators?format=html&lang=fr')).text.includes('salle 2'), 'the public report: the machine by its key');
	eq((await hub.get('/api/machines')).json.machines[0].name, undefined, 'the public machine list: no name');
	// forgetting the name: the config's comes back, the machine stays
	eq((await hub.patch('/api/devices/' + enc(PLUG), { machine: null }, { cookie: who.facilitator })).status, 200);
	eq((await hub.get('/api/machines', { cookie: who.facilitator })).json.machines[0].name, 'Prusa (config)');
	// a plug no section names becomes a machine of its own, and goes again
	eq((await hub.patch('/api/devices/' + enc(PRINTER), { machine: 'Imprimante' }, { cookie: who.facilitator })).status, 200);
	eq((await hub.get('/api/machines', { cookie: who.facilitator })).json.machines.length, 2);
	eq((await hub.patch('/api/devices/' + enc(PRINTER), { machine: '' }, { cookie: who.facilitator })).status, 200);
	eq((await hub.get('/api/machines', { cookie: who.facilitator })).json.machines.length, 1);
});

test('a public name for the wall: set from the settings, audit-logged, kept, public; cleared by null', async () => {
	const { broker, hub, who } = await setup();
	await devices(broker, hub);
	const r = await hub.patch('/api/devices/' + enc(PRINTER), { name: 'Prusa atelier (prise 3)', public_name: 'Imprimante 3D' }, { cookie: who.facilitator });
	eq(r.status, 200, r.text);
	eq(r.json.public_name, 'Imprimante 3D');
	eq(r.json.name, 'Prusa atelier (prise 3)', 'the staff keep their own name');
	eq((await hub.patch('/api/devices/' + enc(PRINTER), { public_name: 'x'.repeat(200) }, { cookie: who.facilitator })).status, 400);
	eq((await hub.patch('/api/devices/' + enc(PRINTER), { public_name: 'y' }, { cookie: who.kiosk })).status, 403);
	eq(sql(hub.db, `SELECT public_name FROM devices WHERE id='${PRINTER}'`), 'Imprimante 3D', 'in devices.public_name');
	assert(sql(hub.db, "SELECT detail FROM audit WHERE action='device.settings'").includes('public_name'), 'audit-logged');
	// what the public reads (the wall's REST and its snapshot) carries it
	const pubDev = (await hub.get('/api/devices')).json.devices.find((d) => d.id === PRINTER);
	eq(pubDev.public_name, 'Imprimante 3D');
	eq([pubDev.name, pubDev.reported], [undefined, undefined], 'and not the staff name');
	eq((await hub.stop()).code, 0);
	await hub.start();
	eq((await hub.device(PRINTER)).public_name, 'Imprimante 3D', 'kept across a restart');
	const cleared = await hub.patch('/api/devices/' + enc(PRINTER), { public_name: null }, { cookie: who.admin });
	eq(cleared.json.public_name, undefined);
	eq(sql(hub.db, `SELECT count(*) FROM devices WHERE public_name IS NOT NULL`), '0');
});

test('a removed device leaves the machines and the plugs that fed it at once, not at the next restart', async () => {
	const { broker, hub, who } = await setup({ sets: [`machine.conf.plug=${PRINTER}`, 'machine.conf.name=Config'] });
	await devices(broker, hub);
	eq((await hub.patch('/api/devices/' + enc(PLUG), { machine: 'Prusa MK4', feeds: PRINTER }, { cookie: who.facilitator })).status, 200);
	pub(broker, 'mlab/v1/plug-1/telemetry', JSON.stringify({ power_w: 80 }));
	await waitFor(async () => (await hub.get('/api/machines', { cookie: who.facilitator })).json.machines.find((m) => m.plug === PLUG)?.busy, 5000, 'busy');
	eq((await hub.get('/api/machines', { cookie: who.facilitator })).json.machines.length, 2);
	// the printer goes: the plug no longer feeds it, in memory and in the database
	eq((await hub.del('/api/devices/' + enc(PRINTER), { cookie: who.admin })).status, 200);
	eq((await hub.device(PLUG)).feeds, undefined, 'the plug forgot the removed printer');
	eq(sql(hub.db, `SELECT count(*) FROM device_settings WHERE feeds IS NOT NULL`), '0');
	// the configured machine stays (its section names the plug), the plug goes: its machine too
	eq((await hub.del('/api/devices/' + enc(PLUG) + '?history=keep', { cookie: who.admin })).status, 200);
	const m = (await hub.get('/api/machines', { cookie: who.facilitator })).json.machines;
	eq(m.map((x) => x.name).join(','), 'Config', 'the dashboard machine is gone at once');
	eq(sql(hub.db, 'SELECT count(*) FROM machine_use WHERE ended_at IS NULL'), '0', 'its busy period was closed');
	eq((await hub.stop()).code, 0, 'clean exit, no leak');
});

test('GET /api/audit: admins only, filters by action family, CSV export', async () => {
	const { broker, hub, who } = await setup();
	await devices(broker, hub);
	await hub.patch('/api/devices/' + enc(PLUG), { name: 'P' }, { cookie: who.facilitator });
	await hub.post('/api/users', { name: 'nouveau', password: 'nouveau-password', role: 'facilitator' }, { cookie: who.admin });
	await hub.patch('/api/users/nouveau', { disabled: true }, { cookie: who.admin });
	const want = { none: 401, kiosk: 403, facilitator: 403, admin: 200 };
	for (const [role, cookie] of Object.entries(who)) {
		eq((await hub.get('/api/audit', { cookie })).status, want[role], role);
		eq((await hub.get('/api/audit?format=csv', { cookie })).status, want[role], role + ' csv');
	}
	const fam = (await hub.get('/api/audit?action=user&user=chef', { cookie: who.admin })).json.audit.map((a) => a.action);
	eq(fam.join(','), 'user.change,user.add', 'the user.* family, newest first');
	eq((await hub.get('/api/audit?action=use', { cookie: who.admin })).json.audit.length, 0, 'a prefix is a whole word');
	eq((await hub.get('/api/audit?user=anim&action=device', { cookie: who.admin })).json.audit.length, 1);
	const csv = await hub.get('/api/audit?format=csv&action=user&user=chef', { cookie: who.admin });
	assert(/text\/csv/.test(csv.headers.get('content-type')));
	assert(/attachment; filename="audit.csv"/.test(csv.headers.get('content-disposition')));
	const lines = csv.text.trim().split('\r\n');
	eq(lines[0], 'ts,user,action,object,detail');
	eq(lines.length, 3);
	assert(/^\d{4}-\d\d-\d\dT[^,]+,chef,user\.change,nouveau,disabled$/.test(lines[1]), lines[1]);
	eq((await hub.get('/api/audit?format=xml', { cookie: who.admin })).status, 400);
});

test('POST /api/me/password: staff change their own, other logins end, this one stays', async () => {
	const { hub, who } = await setup();
	const other = (await hub.post('/api/login', { user: 'anim', password: 'anim-password' })).headers.get('set-cookie').split(';')[0];
	const want = { none: 401, kiosk: 403 };
	for (const role of ['none', 'kiosk'])
		eq((await hub.post('/api/me/password', { current: 'x', password: 'new-password' }, { cookie: who[role] })).status, want[role], role);
	eq((await hub.post('/api/me/password', { current: 'wrong-password', password: 'nouveau-mot' }, { cookie: who.facilitator })).status, 403);
	eq((await hub.post('/api/me/password', { current: 'anim-password', password: 'court' }, { cookie: who.facilitator })).status, 400);
	eq((await hub.post('/api/me/password', { password: 'nouveau-mot' }, { cookie: who.facilitator })).status, 400);
	eq((await hub.post('/api/me/password', { current: 'anim-password', password: 'nouveau-mot' }, { cookie: who.facilitator })).status, 200);
	eq((await hub.get('/api/me', { cookie: who.facilitator })).json.user, 'anim', 'this login stays');
	eq((await hub.get('/api/me', { cookie: other })).status, 401, 'the other login ended');
	eq((await hub.post('/api/login', { user: 'anim', password: 'anim-password' })).status, 401);
	eq((await hub.post('/api/login', { user: 'anim', password: 'nouveau-mot' })).status, 200);
	eq((await hub.post('/api/me/password', { current: 'chef-password', password: 'chef-nouveau' }, { cookie: who.admin })).status, 200);
	eq(sql(hub.db, "SELECT count(*) FROM audit WHERE action='user.change' AND detail='own password'"), '2');
});

test('GET /api/jobs names the session a job ran in (JSON and CSV)', async () => {
	const { broker, hub, who } = await setup();
	const s = await hub.post('/api/sessions', { group: { type: 'walk-in', size: 3 } }, { cookie: who.facilitator });
	eq(s.status, 201, s.text);
	pub(broker, 'mlab/v1/printer-1/meta', JSON.stringify({ name: 'printer-1', kind: 'printer' }), { retain: true });
	pub(broker, 'mlab/v1/printer-1/event', JSON.stringify({ seq: 1, type: 'job.started', file: 'benchy.gcode' }));
	pub(broker, 'mlab/v1/printer-1/event', JSON.stringify({ seq: 2, type: 'job.finished', file: 'benchy.gcode' }));
	const jobs = await waitFor(async () => {
		const j = (await hub.get('/api/jobs')).json.jobs;
		return j.length && j[0].state === 'finished' && j;
	}, 5000, 'a finished job');
	eq(jobs[0].session, s.json.id);
	for (const cookie of Object.values(who))
		eq((await hub.get('/api/jobs?format=csv', { cookie })).status, 200);
	const csv = (await hub.get('/api/jobs?format=csv')).text.trim().split('\r\n');
	assert(csv[1].endsWith(',' + s.json.id), csv[1]);
});

test('GET /api/indicators?format=ods: an OpenDocument spreadsheet every role may fetch', async () => {
	const { hub, who } = await setup();
	for (const [role, cookie] of Object.entries(who)) {
		const r = await fetch(hub.url + '/api/indicators?fy=2025&format=ods', { headers: cookie ? { cookie } : {} });
		eq(r.status, 200, role);
	}
	const r = await fetch(hub.url + '/api/indicators?fy=2025&format=ods&lang=fr');
	eq(r.headers.get('content-type'), 'application/vnd.oasis.opendocument.spreadsheet');
	assert(/attachment; filename="indicators-2025.ods"/.test(r.headers.get('content-disposition')));
	const buf = Buffer.from(await r.arrayBuffer());
	eq(buf.subarray(30, 38).toString(), 'mimetype', 'mimetype is the first entry');
	eq(buf.subarray(38, 84).toString(), 'application/vnd.oasis.opendocument.spreadsheet', 'stored, uncompressed');
	const file = path.join(tmpdir('ods'), 'i.ods');
	fs.writeFileSync(file, buf);
	const t = run('unzip', ['-t', file]);
	eq(t.status, 0, 'a valid zip (CRCs): ' + t.stdout + t.stderr);
	// the sheet's name and headings are the catalogues' words, in each
	// language (the printable report's table: rep.doc.title, ind.*, rep.gap)
	const xml = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;').replace(/'/g, '&apos;');
	const words = { fr: ['Indicateurs 2025-2026', 'Code', 'Indicateur', 'Valeur', 'Cible', 'Écart'],
		en: ['Indicators 2025-2026', 'Code', 'Indicator', 'Value', 'Target', 'Gap'] };
	for (const lang of ['fr', 'en']) {
		const cat = JSON.parse(fs.readFileSync(path.join(ROOT, `web/i18n/${lang}.json`), 'utf8'));
		const W = ['rep.doc.title', 'rep.doc.code', 'ind.name', 'ind.value', 'ind.target', 'rep.gap']
			.map((k) => cat[k].replace('{from}', 2025).replace('{to}', 2026));
		eq(W, words[lang], `the ${lang} catalogue's words for the sheet`);
		const b = lang === 'fr' ? buf
			: Buffer.from(await (await fetch(hub.url + '/api/indicators?fy=2025&format=ods&lang=en')).arrayBuffer());
		fs.writeFileSync(file, b);
		const content = run('unzip', ['-p', file, 'content.xml']).stdout;
		assert(content.includes(`<table:table table:name="${xml(W[0])}">`), content.slice(0, 400));
		const head = content.match(/<table:table-row>(.*?)<\/table:table-row>/)[1];
		eq([...head.matchAll(/<text:p>(.*?)<\/text:p>/g)].map((m) => m[1]), W.slice(1).map(xml), `${lang} headings`);
		assert(content.includes('<text:p>participation_projects</text:p>'));
		assert(content.includes(`<text:p>${xml(cat['ind.participation_projects'])}</text:p>`), lang);
		assert(content.includes('office:value-type="float" office:value="0"'));
	}
	const src = fs.readFileSync(path.join(ROOT, 'hub/report/ods.c'), 'utf8');
	assert(!/\bfr \? "/.test(src), 'ods.c picks no words by language itself');
	for (const f of ['xlsx', 'pdf']) {
		const b = await hub.get(`/api/indicators?fy=2025&format=${f}`);
		eq(b.status, 400, f);
		assert(/ods/.test(b.json.error), b.json.error);
	}
	eq((await hub.get('/api/indicators?fy=2025&format=ods&explain=sessions')).status, 400);
});

main();
