// health.mjs — status that is true and live: /readyz and /healthz, /ws
// status messages, the broker outage (devices unknown, not offline; one
// broker-down alert), and the job state after an outage agreeing with the
// job history.  Real mosquitto, real hub.
import {
	test, main, startBroker, startHub, wsClient, pub, sleep, eq, assert, request,
} from '../lib/harness.mjs';

test('/readyz: 200 with the broker, 503 with the reasons without it; /healthz says the same', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	let r = await hub.get('/readyz');
	eq(r.status, 200, '/readyz ready');
	eq(r.json.status, 'ok');
	eq(r.json.reasons.length, 0, 'no reasons');
	eq(r.json.commit_ok, true);
	assert(r.json.disk_free_bytes > 0, 'free space given: ' + r.json.disk_free_bytes);
	eq(r.json.links[0].connected, true, 'the lab link is up');
	r = await hub.get('/healthz');
	eq(r.json.status, 'ok');
	eq(r.json.broker, 'connected');
	await b.stop('SIGKILL');
	await hub.waitFor(async () => (await hub.get('/readyz')).status === 503, 5000, '/readyz 503');
	r = await hub.get('/readyz');
	eq(r.json.status, 'degraded');
	eq(JSON.stringify(r.json.reasons), '["broker_disconnected"]');
	r = await hub.get('/healthz');
	eq(r.status, 200, '/healthz is liveness: still 200');
	eq(r.json.status, 'degraded');
	eq(r.json.links[0].connected, false);
	await b.start();
	await hub.waitFor(async () => (await hub.get('/readyz')).status === 200, 8000, '/readyz ready again');
	// every answer carries the security headers, the manifest allowed
	const csp = r.headers.get('content-security-policy');
	assert(/manifest-src 'self'/.test(csp) && /default-src 'none'/.test(csp), 'CSP: ' + csp);
	eq((await hub.stop()).code, 0);
});

test('/readyz: a nearly full disk (store.min_free_mb) is a reason; errors carry a code', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['store.min_free_mb=1048576'] });
	const r = await hub.get('/readyz');
	eq(r.status, 503);
	eq(JSON.stringify(r.json.reasons), '["disk_low"]');
	// every error answer has a stable code beside the English message
	const e = await hub.get('/api/nope');
	eq(e.json.code, 'not_found', JSON.stringify(e.json));
	const k = await hub.post('/api/participants', { session_id: 1, age_band: '18-24', consent: {} });
	eq(k.json.code, 'login_required', JSON.stringify(k.json));
	const nj = await request(hub.url + '/api/login', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
	eq(nj.json.code, 'json_required', JSON.stringify(nj.json));
	eq((await hub.stop()).code, 0);
});

test('a broker outage: live status, one broker-down alert, devices unknown rather than offline', async () => {
	const b = await startBroker();
	// devices silent for 10 s (the least) are stale: the outage lasts longer
	const hub = await startHub({ broker: b, sets: ['devices.stale_s=10'] });
	for (let i = 1; i <= 5; i++) pub(b, `mlab/v1/env-${i}/telemetry`, { temperature_c: 20 + i });
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.length === 5, 3000, '5 devices');
	const ws = await wsClient(hub);
	const snap = await ws.waitFor((m) => m.type === 'snapshot');
	eq(snap.commit_ok, true, 'the snapshot carries the health fields');
	await ws.waitFor((m) => m.type === 'status' && m.broker === 'connected', 3000, 'a status right after the snapshot');
	await b.stop('SIGKILL');
	await ws.waitFor((m) => m.type === 'status' && m.broker === 'disconnected', 5000, 'status: broker disconnected');
	const down = await ws.waitFor((m) => m.type === 'alert' && m.kind === 'broker-down' && m.active, 3000, 'the broker-down alert');
	eq(down.level, 'critical');
	await sleep(12000);	// longer than devices.stale_s
	const devs = (await hub.get('/api/devices')).json.devices;
	eq(devs.filter((d) => !d.online).length, 0, 'no device marked offline during the outage');
	eq(ws.messages.filter((m) => m.type === 'alert' && m.kind === 'device-offline').length, 0, 'no per-device alert');
	eq(ws.messages.filter((m) => m.type === 'alert' && m.kind === 'broker-down').length, 1, 'one broker alert');
	eq((await hub.get('/api/alerts')).json.alerts.length, 1, 'one alert in the list');
	await b.start();
	await ws.waitFor((m) => m.type === 'status' && m.broker === 'connected' &&
		ws.messages.indexOf(m) > ws.messages.indexOf(down), 8000, 'status: connected again');
	await ws.waitFor((m) => m.type === 'alert' && m.kind === 'broker-down' && m.active === false, 3000, 'the alert cleared');
	eq((await hub.get('/api/alerts')).json.alerts.length, 0, 'no alert left');
	// a device still silent stale_s after the broker's return goes offline;
	// one that talks stays online
	await hub.waitFor(async () => {
		pub(b, 'mlab/v1/env-1/telemetry', { temperature_c: 30 });
		const ds = (await hub.get('/api/devices')).json.devices;
		return ds.filter((d) => !d.online).length === 4 && ds.find((d) => d.id === 'mlab/env-1').online;
	}, 15000, 'the 4 silent devices offline after the return, env-1 online');
	ws.close();
	eq((await hub.stop()).code, 0);
});

// A Bambu Lab printer bridged onto the lab broker, as in the lab.
const report = (b, print) => pub(b, 'device/01P00A000000001/report', { print: { command: 'push_status', ...print } });
const ID = 'bambu/01P00A000000001';

test('outage replay: mid-print the broker dies, the printer cancels meanwhile; tile and /api/jobs agree', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	report(b, { gcode_state: 'PREPARE', subtask_name: 'cube', gcode_file: 'cube.3mf' });
	await hub.waitFor(async () => (await hub.device(ID))?.job?.state === 'preparing', 3000, 'preparing');
	const prep = (await hub.device(ID)).job;
	eq(prep.progress_pct, undefined, 'progress unknown, not 0, until the printer says');
	report(b, { gcode_state: 'RUNNING', mc_percent: 30, mc_remaining_time: 20 });
	await hub.waitFor(async () => (await hub.device(ID)).job.progress_pct === 30, 3000, 'printing 30 %');
	await b.stop('SIGKILL');
	await hub.waitFor(async () => (await hub.get('/healthz')).json.broker === 'disconnected', 5000, 'broker gone');
	await b.start();
	await hub.waitFor(async () => (await hub.get('/healthz')).json.broker === 'connected', 8000, 'broker back');
	// the printer was cancelled meanwhile: it comes back idle, then keeps
	// repeating the last terminal state it knows in its full reports
	report(b, { gcode_state: 'IDLE' });
	await hub.waitFor(async () => (await hub.get('/api/jobs?device=' + encodeURIComponent(ID))).json.jobs[0]?.ended_at,
		3000, 'the job closed');
	report(b, { gcode_state: 'FINISH', mc_percent: 0 });
	await sleep(300);
	report(b, { gcode_state: 'FINISH' });
	await sleep(300);
	const jobs = (await hub.get('/api/jobs?device=' + encodeURIComponent(ID))).json.jobs;
	eq(jobs.length, 1, 'one job in the history');
	const tile = (await hub.device(ID)).job;
	eq(jobs[0].state, 'cancelled', 'the history says cancelled');
	eq(tile.state, jobs[0].state, 'the tile says what the history says');
	// a later job of the same printer is told as it happens
	report(b, { gcode_state: 'RUNNING', subtask_name: 'vase', gcode_file: 'vase.3mf', mc_percent: 5 });
	report(b, { gcode_state: 'FINISH', mc_percent: 100 });
	await hub.waitFor(async () => (await hub.device(ID)).job.state === 'finished', 3000, 'the next job finished');
	const j2 = (await hub.get('/api/jobs?device=' + encodeURIComponent(ID))).json.jobs;
	eq(j2[0].state, 'finished', 'history: the newest job finished');
	eq((await hub.device(ID)).job.progress_pct, 100);
	eq((await hub.stop()).code, 0);
});

test('a native job: progress unknown until reported; layers and remaining time from job.progress', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	const ev = (seq, e) => pub(b, 'mlab/v1/mk4-1/event', { seq, ...e });
	ev(1, { type: 'job.started', file: 'benchy.gcode' });
	await hub.waitFor(async () => (await hub.device('mlab/mk4-1'))?.job?.state === 'printing', 3000, 'printing');
	eq((await hub.device('mlab/mk4-1')).job.progress_pct, undefined, 'no percentage yet');
	ev(2, { type: 'job.progress', layer: 3, layers: 120, remaining_s: 900 });
	await hub.waitFor(async () => (await hub.device('mlab/mk4-1')).job.layer === 3, 3000, 'layer 3');
	let j = (await hub.device('mlab/mk4-1')).job;
	eq([j.layers, j.remaining_s, j.progress_pct], [120, 900, undefined]);
	ev(3, { type: 'job.progress', progress_pct: 10, layer: 12 });
	await hub.waitFor(async () => (await hub.device('mlab/mk4-1')).job.layer === 12, 3000, 'layer 12');
	j = (await hub.device('mlab/mk4-1')).job;
	eq([j.layers, j.progress_pct], [120, 10], 'the total is kept');
	eq((await hub.stop()).code, 0);
});

test('after a restart, a device still offline once the devices had stale_s to report gets its alert again, once', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b, sets: ['devices.stale_s=10'] });
	const status = (id, s) => pub(b, `mlab/v1/${id}/status`, s, { retain: true });
	for (const id of ['gone-1', 'back-1']) {
		status(id, 'online');
		pub(b, `mlab/v1/${id}/telemetry`, { power_w: 3 });
	}
	await hub.waitFor(async () => (await hub.device('mlab/back-1'))?.metrics?.power_w === 3, 3000, 'both online');
	status('gone-1', 'offline');
	status('back-1', 'offline');
	await hub.waitFor(async () => (await hub.get('/api/alerts')).json.alerts.filter((a) => a.kind === 'device-offline').length === 2,
		3000, 'two offline alerts before the restart');
	eq((await hub.stop()).code, 0);
	await hub.start();
	const ws = await wsClient(hub);
	const snap = await ws.waitFor((m) => m.type === 'snapshot');
	eq(snap.alerts.length, 0, 'the alerts were in memory: none yet');
	status('back-1', 'online');	// back during the grace: no alert
	const a = await ws.waitFor((m) => m.type === 'alert' && m.kind === 'device-offline', 15000, 'the offline alert after the grace');
	eq([a.device, a.active, a.level], ['mlab/gone-1', true, 'critical']);
	await sleep(2500);	// a stale check later: still one
	const list = (await hub.get('/api/alerts')).json.alerts;
	eq(list.map((x) => x.device), ['mlab/gone-1'], 'one alert, for the device still offline');
	eq(ws.messages.filter((m) => m.type === 'alert').length, 1, 'no storm');
	// it clears as any offline alert does
	status('gone-1', 'online');
	await ws.waitFor((m) => m.type === 'alert' && m.device === 'mlab/gone-1' && m.active === false, 3000, 'cleared when back');
	ws.close();
	eq((await hub.stop()).code, 0);
});

await main();
