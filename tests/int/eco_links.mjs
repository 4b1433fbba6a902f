// eco_links.mjs — issue 3 beyond parsing: a machine measured by its plug
// (busy periods with energy), a device button mapped to a vote, and a
// Bambu Lab printer reached directly over TLS as its own broker (user
// bblp, access code as password, self-signed certificate).
import fs from 'node:fs';
import path from 'node:path';
import { test, main, assert, eq, sleep, startBroker, startHub, pub, tmpdir, run, freePort } from '../lib/harness.mjs';

const sql = (db, q) => run('sqlite3', [db, q]).stdout.trim();
const tasmota = (b, w) => pub(b, 'tele/prusa/SENSOR', { Time: '2026-11-21T10:00:00', ENERGY: { Total: 1.5, Power: w, Voltage: 120, Current: w / 120 } });

test('a plug-measured machine: busy above busy_w, a machine_use row with its energy', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['machine.mk4.plug=tasmota/prusa', 'machine.mk4.busy_w=20'] });
	tasmota(b, 3);
	await sleep(300);
	tasmota(b, 150);	// busy
	await sleep(1200);
	tasmota(b, 150);
	await sleep(1200);
	tasmota(b, 4);	// idle again
	await hub.waitFor(() => sql(hub.db, 'SELECT count(*) FROM machine_use WHERE ended_at IS NOT NULL') === '1', 3000, 'a closed busy period');
	const [start, end, kwh] = sql(hub.db, 'SELECT started_at, ended_at, energy_kwh FROM machine_use').split('|').map(Number);
	assert(end - start > 2 && end - start < 4, 'about 2.4 s busy: ' + (end - start));
	const want = 150 * (end - start) / 3.6e6;	// trapezoids between readings
	assert(kwh > want * 0.5 && kwh < want * 1.5, `energy ${kwh} kWh ≈ ${want}`);
	eq(sql(hub.db, "SELECT machine || ',' || plug FROM machine_use"), 'mk4,tasmota/prusa');
	eq((await hub.stop()).code, 0);
});

test('a Zigbee button box press becomes a vote of the open session', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['button.happy.device=z2m/boutons', 'button.happy.action=single',
		'button.happy.do=vote:3', 'button.sad.device=z2m/boutons', 'button.sad.action=double', 'button.sad.do=vote:1'] });
	const cookie = await hub.login();
	const s = await hub.post('/api/sessions', { group: { type: 'walk-in', size: 3 } }, { cookie });
	assert(s.status === 200 || s.status === 201, s.text);
	pub(b, 'zigbee2mqtt/boutons', { action: 'single', battery: 90, linkquality: 120 });
	pub(b, 'zigbee2mqtt/boutons', { action: '', battery: 90, linkquality: 120 });
	pub(b, 'zigbee2mqtt/boutons', { action: 'double', battery: 90, linkquality: 120 });
	pub(b, 'zigbee2mqtt/boutons', { action: 'hold', battery: 90, linkquality: 120 });	// not mapped
	await hub.waitFor(() => sql(hub.db, 'SELECT count(*) FROM buttons') === '3', 3000, 'three presses stored');
	await hub.waitFor(() => sql(hub.db, 'SELECT count(*) FROM ratings') === '2', 3000, 'two votes');
	eq(sql(hub.db, 'SELECT group_concat(value) FROM (SELECT value FROM ratings ORDER BY id)'), '3,1');
	eq(sql(hub.db, 'SELECT count(*) FROM ratings WHERE session_id = ' + s.json.id), '2', 'tied to the open session');
	eq((await hub.stop()).code, 0);
});

test('a Bambu Lab printer reached directly: TLS, bblp and the access code, online with its link', async () => {
	const dir = tmpdir('bambu');
	const r = run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=bambu-printer',
		'-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`]);
	eq(r.status, 0, r.stderr);
	fs.writeFileSync(`${dir}/passwd`, '');
	eq(run('mosquitto_passwd', ['-b', `${dir}/passwd`, 'bblp', '12345678']).status, 0);
	const tlsPort = await freePort();
	// a broker that plays the printer: TLS only, no anonymous access
	const printer = await startBroker({
		extra: [`listener ${tlsPort} 127.0.0.1`, `certfile ${dir}/cert.pem`, `keyfile ${dir}/key.pem`,
			`password_file ${dir}/passwd`, 'per_listener_settings false'].join('\n'),
	});
	fs.chmodSync(`${dir}/passwd`, 0o600);
	const lab = await startBroker();
	const hub = await startHub({ broker: lab, sets: ['bambu.x1.host=127.0.0.1', `bambu.x1.port=${tlsPort}`,
		'bambu.x1.serial=00M09A350100123', 'bambu.x1.access_code=12345678'] });
	await hub.waitFor(async () => (await hub.device('bambu/00M09A350100123'))?.online === true, 8000, 'the printer link up');
	// the hub asked for a full report on connect; answer it as the printer would
	const report = { print: { command: 'push_status', msg: 0, sequence_id: '1', gcode_state: 'RUNNING', mc_percent: 37,
		mc_remaining_time: 42, subtask_name: 'vase', nozzle_temper: 219.5, bed_temper: 60.1 } };
	const pr = run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(tlsPort), '--cafile', `${dir}/cert.pem`, '--insecure',
		'-u', 'bblp', '-P', '12345678', '-t', 'device/00M09A350100123/report', '-m', JSON.stringify(report)]);
	eq(pr.status, 0, pr.stderr);
	await hub.waitFor(async () => (await hub.device('bambu/00M09A350100123'))?.job?.state === 'printing', 4000, 'the report');
	const d = await hub.device('bambu/00M09A350100123');
	eq([d.kind, d.job.progress_pct, d.job.remaining_s, d.metrics.nozzle_temp_c], ['printer', 37, 2520, 219.5]);
	assert((await hub.get('/metrics')).text.includes('mlab_link_connected{link="bambu:x1"} 1'), 'link on /metrics');
	await printer.stop('SIGKILL');
	await hub.waitFor(async () => (await hub.device('bambu/00M09A350100123')).online === false, 5000, 'offline when the link drops');
	await printer.start();
	await hub.waitFor(async () => (await hub.device('bambu/00M09A350100123')).online === true, 8000, 'back with the link');
	eq((await hub.stop()).code, 0);
});

main();
