// hub_edges.mjs — edge cases found in review: HEAD requests, device state
// that changes without any other write, metric growth per device.
import {
	HUB_BIN, test, main, assert, eq, sleep, startBroker, startHub, pub, request, run,
} from '../lib/harness.mjs';

test('HEAD is answered wherever GET is (not 405)', async () => {
	const hub = await startHub({});
	for (const p of ['/healthz', '/api/devices', '/metrics']) {
		const r = await request(hub.url + p, { method: 'HEAD' });
		eq(r.status, 200, 'HEAD ' + p);
		eq(r.text, '', 'HEAD has no body');
	}
	eq((await request(hub.url + '/api/nothing', { method: 'HEAD' })).status, 404, 'HEAD unknown');
	eq((await hub.stop()).code, 0);
});

test('a device that goes offline with no other traffic is still offline after a restart', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	pub(b, 'mlab/v1/quiet-1/telemetry', { temperature_c: 20 });
	await hub.waitFor(async () => (await hub.device('mlab/quiet-1'))?.online === true, 3000, 'online');
	await sleep(300);	// the telemetry row's commit is behind us
	pub(b, 'mlab/v1/quiet-1/status', 'offline');	// not retained: only this hub run sees it
	await hub.waitFor(async () => (await hub.device('mlab/quiet-1')).online === false, 3000, 'offline');
	await sleep(300);
	eq((await hub.stop()).code, 0);
	await hub.start();
	eq((await hub.device('mlab/quiet-1')).online, false, 'offline state stored');
	eq((await hub.stop()).code, 0);
});

test('a device cannot grow its metric list without bound', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	const lines = [];
	for (let i = 0; i < 40; i++) {
		const o = {};
		for (let k = 0; k < 30; k++) o[`m${i}x${k}_c`] = k;
		lines.push(o);
	}
	for (const o of lines) pub(b, 'mlab/v1/greedy-1/telemetry', o);
	await sleep(1500);
	const d = await hub.device('mlab/greedy-1');
	assert(d && Object.keys(d.metrics).length <= 128, `${Object.keys(d.metrics).length} metrics kept`);
	eq((await hub.stop()).code, 0);
});

test('two hubs with one client id on one broker: the log names the likely cause', async () => {
	const b = await startBroker();
	const same = ['broker.client_id=mlab-hub-twin'];
	const one = await startHub({ broker: b, sets: same });
	const two = await startHub({ broker: b, sets: same });
	const said = /closed the connection right after it opened, 3 times in a row: is another client using the client id "mlab-hub-twin"/;
	await one.waitFor(() => said.test(one.log) || said.test(two.log), 10000, 'the warning');
	await two.stop();
	eq((await one.stop()).code, 0);
	assert(!said.test((await startHub({ broker: b })).log), 'a hub alone does not warn');
});

test('an ecosystem name that does not exist is an error naming the key', async () => {
	const bad = run(HUB_BIN, ['--set', 'eco.tasmot.enabled=no', '--check-config']);
	eq(bad.status, 2, 'exit status');
	assert(/eco\.tasmot\.enabled/.test(bad.stderr), bad.stderr);
	const good = run(HUB_BIN, ['--set', 'eco.tasmota.enabled=no', '--set', 'eco.homeassistant.prefix=ha',
		'--check-config']);
	eq(good.status, 0, good.stderr);
});

main();
