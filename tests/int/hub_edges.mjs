// hub_edges.mjs — edge cases found in review: HEAD requests, device state
// that changes without any other write, metric growth per device.
import {
	test, main, assert, eq, sleep, startBroker, startHub, pub, request,
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

main();
