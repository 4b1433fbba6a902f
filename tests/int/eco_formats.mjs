// eco_formats.mjs — issue 17 part 8 through a real mosquitto and hub: a
// device known only from its retained discovery config is listed but not
// online until it reports or announces itself; a Teleinfo meter is a
// sensor, not a plug; OctoPrint's Connected event creates the printer.
import { test, main, assert, eq, startBroker, startHub, pub } from '../lib/harness.mjs';

const known = (hub, id) => async () => { const d = await hub.device(id); return d && d.id ? d : null; };

test('a retained discovery config alone does not make a device online', async () => {
	const b = await startBroker();
	pub(b, 'homeassistant/sensor/atelier/temperature/config', {
		name: 'Température', stat_t: 'atelier/sensor/temperature/state', avty_t: 'atelier/status',
		unit_of_meas: '°C', dev_cla: 'temperature', uniq_id: 'atelier-temp',
		dev: { ids: ['atelier'], name: 'Atelier', mf: 'espressif', mdl: 'esp32' },
	}, { retain: true });
	const hub = await startHub({ broker: b });
	const d = await hub.waitFor(known(hub, 'esphome/atelier'), 5000, 'the described device');
	eq(d.online, false, 'described, not seen');
	const staff = await hub.login();
	const named = (await hub.get('/api/devices/' + encodeURIComponent('esphome/atelier'), { cookie: staff })).json.name;
	assert(named === 'Atelier', 'its name from the config (staff view): ' + named);
	pub(b, 'atelier/status', 'online', { retain: true });
	await hub.waitFor(async () => (await hub.device('esphome/atelier')).online === true, 5000, 'online once it announces itself');
	eq((await hub.stop()).code, 0);
});

test('a Teleinfo meter is a sensor; OctoPrint Connected creates the printer', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	pub(b, 'tele/linky/SENSOR', {
		Time: '2021-10-26T17:28:45', ENERGY: { Total: 9098.245, Power: 170, Current: 1 },
		TIC: { ADCO: '021528603314', OPTARIF: 'HC..', PAPP: 170 },
	});
	pub(b, 'octoPrint/event/Connected', { port: '/dev/ttyACM0', baudrate: 115200, _event: 'Connected', _timestamp: Math.floor(Date.now() / 1000) });
	const m = await hub.waitFor(known(hub, 'tasmota/linky'), 5000, 'the meter');
	eq(m.kind, 'sensor');
	eq(m.metrics.power_w, 170);
	assert(!m.switch, 'no switch on a meter');
	const p = await hub.waitFor(known(hub, 'octoprint/octoPrint'), 5000, 'the printer');
	eq(p.kind, 'printer');
	eq(p.online, true);
	eq((await hub.stop()).code, 0);
});

main();
