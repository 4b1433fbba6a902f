// devices_sim.mjs — black-box test of devices/mlab-sim, the simulated lab.
//
// Starts a private mosquitto on a free loopback port, subscribes to '#',
// runs `mlab-sim --once --seed 1` and checks that what it announced appears
// in each ecosystem's real format (as in the device corpus): OctoPrint
// PrintStarted → PrintDone with Python json.dumps spacing, Moonraker
// klipper/status deltas to "complete", Tasmota LWT/STATE/SENSOR with ENERGY,
// Shelly NotifyStatus, ESPHome plain-text states and retained discovery,
// Zigbee2MQTT sorted-key JSON and button action then "", and the native
// scanner's status/meta/events.  Then a long-running sim obeys a Tasmota
// POWER command and a Shelly Switch.Set, and stops cleanly on SIGTERM.
//
// Run: node tests/int/devices_sim.mjs   (after make devices/mlab-sim)
// Prints "ok - …" / "not ok - …" per check and ends with "N passed, N failed".

import path from 'node:path';
import {
	ROOT, test, main, check, poll, sleep, startBroker, subscribe, sub as collect, pub, startProc, stopProc, run,
} from '../lib/harness.mjs';

const SIM = path.join(ROOT, 'devices/mlab-sim');

const on = (sub, topic) => sub.msgs.filter((m) => m.topic === topic);
const last = (sub, topic) => on(sub, topic).pop();
const sortedKeys = (o) => JSON.stringify(Object.keys(o)) === JSON.stringify(Object.keys(o).slice().sort());

test('mlab-sim: every ecosystem in its own format, commands, SIGTERM', async () => {
	let broker, sub, sim;
	try {
		let r = run(SIM, ['--speed', 'fast']);
		check(r.status === 2 && /--speed/.test(r.stderr) && r.stderr.trim().split('\n').length === 1,
			'bad --speed exits 2 with one line naming it', r.stderr);
		r = run(SIM, ['--list']);
		const ids = r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
		check(r.status === 0 && ids.includes('octoprint/octoPrint') && ids.includes('tasmota/prusa-salle2') &&
			ids.includes('mlab/scanner-1') && ids.includes('moonraker/lab-voron') &&
			ids.includes('esphome/lab-env') && ids.some((i) => i.startsWith('shelly/')) &&
			ids.some((i) => i.startsWith('z2m/')), '--list names devices in hub form', r.stdout);
		const again = run(SIM, ['--list', '--seed', '1']);
		check(again.stdout === r.stdout, '--list is the same for the same seed');

		broker = await startBroker({ persistence: false });
		const port = broker.port;
		sub = await subscribe(broker, '#');
		sim = startProc(SIM, ['--once', '--seed', '1', '--host', '127.0.0.1', '--port', String(port)]);
		const code = await Promise.race([sim.exited, sleep(30000).then(() => 'timeout')]);
		check(code === 0, 'mlab-sim --once --seed 1 exits 0', sim.err);
		await sleep(500);

		// OctoPrint
		const ev = (name) => on(sub, `octoPrint/event/${name}`);
		const started = ev('PrintStarted')[0], done = ev('PrintDone')[0];
		check(started && done && sub.msgs.indexOf(started) < sub.msgs.indexOf(done), 'OctoPrint PrintStarted then PrintDone');
		check(done && /^\{"name": "/.test(done.payload) && done.payload.includes('", "path": ') &&
			done.json && done.json._event === 'PrintDone' && Number.isInteger(done.json._timestamp) &&
			typeof done.json.time === 'number' && done.json.name === started.json.name,
			'PrintDone: Python json.dumps spacing, _event, _timestamp, time, same file', done && done.payload);
		check(on(sub, 'octoPrint/event/PrintStarted').every((m) => /^[\x00-\x7f]*$/.test(m.payload)),
			'OctoPrint payloads are ASCII (non-ASCII escaped as \\uXXXX)');
		const prog = on(sub, 'octoPrint/progress/printing').map((m) => m.json && m.json.progress);
		check(prog.includes(100) && prog.some((p) => p > 0 && p < 100), 'OctoPrint progress/printing goes to 100', prog.join(','));
		const tool = last(sub, 'octoPrint/temperature/tool0');
		check(tool && tool.json && 'actual' in tool.json && 'target' in tool.json && /, "target": /.test(tool.payload),
			'OctoPrint temperature/tool0 {"actual", "target"}', tool && tool.payload);
		check(on(sub, 'octoPrint/mqtt')[0]?.payload === 'connected' && last(sub, 'octoPrint/mqtt')?.payload === 'disconnected',
			'OctoPrint octoPrint/mqtt connected, then disconnected at exit');

		// Moonraker
		check(on(sub, 'lab-voron/moonraker/status')[0]?.payload === '{"server":"online"}', 'Moonraker status {"server":"online"}');
		const kl = on(sub, 'lab-voron/klipper/status').map((m) => m.json).filter(Boolean);
		const states = kl.map((j) => j.status?.print_stats?.state).filter(Boolean);
		check(kl.length > 3 && kl.every((j) => typeof j.eventtime === 'number') &&
			states.includes('printing') && states[states.length - 1] === 'complete',
			'Moonraker klipper/status deltas: printing → complete', states.join(','));
		check(kl.some((j) => typeof j.status?.virtual_sdcard?.progress === 'number' && j.status.virtual_sdcard.progress > 0 &&
			j.status.virtual_sdcard.progress < 1), 'Moonraker virtual_sdcard.progress is a 0..1 fraction');

		// Tasmota
		check(on(sub, 'tele/prusa-salle2/LWT')[0]?.payload === 'Online', 'Tasmota tele/<topic>/LWT Online');
		const sens = on(sub, 'tele/prusa-salle2/SENSOR');
		const e = sens.map((m) => m.json && m.json.ENERGY).filter(Boolean);
		check(e.length > 0 && e.every((x) => ['Total', 'Today', 'Power', 'Voltage', 'Current'].every((k) => typeof x[k] === 'number')),
			'Tasmota SENSOR with ENERGY{Total,Today,Power,Voltage,Current}', sens[0] && sens[0].payload);
		const watts = e.map((x) => x.Power);
		check(Math.max(...watts) >= 100 && Math.min(...watts) <= 10, 'plug power follows the printer (heating ≥100 W, idle ≤10 W)', watts.join(','));
		check(sens.some((m) => /"Power": \d[,}]/.test(m.payload)), 'Tasmota pads integers below 10 with a space');
		const st = on(sub, 'tele/prusa-salle2/STATE')[0];
		check(st && st.json && st.json.POWER === 'ON' && typeof st.json.UptimeSec === 'number', 'Tasmota STATE with POWER and UptimeSec');

		// Shelly
		const sp = 'shellyplusplugs-80646fd031f8';
		check(on(sub, `${sp}/online`)[0]?.payload === 'true' && last(sub, `${sp}/online`)?.payload === 'false', 'Shelly online true, false at exit');
		const ns = on(sub, `${sp}/events/rpc`).map((m) => m.json).filter((j) => j && j.method === 'NotifyStatus');
		check(ns.some((j) => j.params && j.params['switch:0'] && typeof j.params['switch:0'].apower === 'number' &&
			typeof j.params['switch:0'].aenergy?.total === 'number'), 'Shelly NotifyStatus with switch:0 apower/aenergy');
		const ss = last(sub, `${sp}/status/switch:0`);
		check(ss && ss.json && ss.json.output === true && /"id":0, "source"/.test(ss.payload), 'Shelly status/switch:0 (firmware spacing)', ss && ss.payload);

		// ESPHome
		check(on(sub, 'lab-env/status')[0]?.payload === 'online', 'ESPHome <node>/status online');
		const t = last(sub, 'lab-env/sensor/temperature/state');
		check(t && /^-?\d+\.\d$/.test(t.payload), 'ESPHome state is plain text like "21.5"', t && t.payload);
		// mosquitto_sub -R drops retained messages, so --retained-only
		const disc = await collect(broker, 'homeassistant/sensor/lab-env/+/config', { count: 100, ms: 1000, retainedOnly: true });
		const dt = disc.find((m) => m.topic.endsWith('/temperature/config'));
		let dj = null;
		try { dj = JSON.parse(dt.payload); } catch { /* checked below */ }
		check(dj && dj.stat_t === 'lab-env/sensor/temperature/state' && dj.unit_of_meas === '°C' && dj.avty_t === 'lab-env/status' &&
			dj.dev && dj.dev.name.includes('—'), 'ESPHome discovery retained, abbreviated keys, raw UTF-8', dt && dt.payload);

		// Zigbee2MQTT
		check(on(sub, 'zigbee2mqtt/bridge/state')[0]?.payload === '{"state":"online"}', 'Z2M bridge/state online');
		const co2 = on(sub, 'zigbee2mqtt/co2-salle2').map((m) => m.json).filter(Boolean);
		check(co2.length && co2.every(sortedKeys) && co2.every((j) => typeof j.co2 === 'number' && typeof j.linkquality === 'number' &&
			j.voltage > 1000), 'Z2M sensor: sorted keys, co2, linkquality, voltage in mV');
		check(on(sub, 'zigbee2mqtt/co2-salle2/availability')[0]?.payload === '{"state":"online"}', 'Z2M availability {"state":"online"}');
		const btn = on(sub, 'zigbee2mqtt/boutons-accueil').map((m) => m.json).filter(Boolean);
		check(btn.length === 2 && ['single', 'double', 'hold'].includes(btn[0].action) && btn[1].action === '' && btn.every(sortedKeys),
			'Z2M button: one action, then ""', JSON.stringify(btn));

		// native scanner
		check(on(sub, 'mlab/v1/scanner-1/status')[0]?.payload === 'online' && last(sub, 'mlab/v1/scanner-1/status')?.payload === 'offline',
			'scanner status online, offline at exit');
		const meta = last(sub, 'mlab/v1/scanner-1/meta');
		check(meta && meta.json && meta.json.kind === 'scanner' && meta.json.room && meta.json.name, 'scanner meta {"name","kind","model","room"}');
		const sev = on(sub, 'mlab/v1/scanner-1/event').map((m) => m.json);
		check(sev.length === 2 && sev[0].type === 'scan.started' && sev[1].type === 'scan.finished' && sev[1].seq === sev[0].seq + 1 &&
			sev[1].file === sev[0].file && sev[1].faces > 0, 'scanner scan.started → scan.finished, consecutive seq', JSON.stringify(sev));
		check(sev.length === 2 && /^[A-Za-z0-9._-]{1,32}$/.test(sev[0].boot) && sev[1].boot === sev[0].boot && sev[0].base === 1,
			'scanner events carry one boot id and a base', JSON.stringify(sev));

		// a second --once run with the same seed makes the same choices
		const files1 = on(sub, 'octoPrint/event/PrintDone').map((m) => m.json.name);
		sub.msgs.length = 0;
		const sim2 = startProc(SIM, ['--once', '--seed', '1', '--port', String(port)]);
		await sim2.exited;
		await sleep(300);
		check(JSON.stringify(on(sub, 'octoPrint/event/PrintDone').map((m) => m.json.name)) === JSON.stringify(files1),
			'same seed, same print file');

		// commands to plugs on a long-running sim
		sub.msgs.length = 0;
		sim = startProc(SIM, ['--seed', '2', '--speed', '30', '--flap-rate', '0', '--port', String(port)]);
		await poll(() => on(sub, 'tele/prusa-salle2/LWT').some((m) => m.payload === 'Online') &&
			on(sub, `${sp}/online`).some((m) => m.payload === 'true'), 5000);
		pub(broker, 'cmnd/prusa-salle2/POWER', 'OFF');
		const res = await poll(() => on(sub, 'stat/prusa-salle2/RESULT').find((m) => m.payload === '{"POWER":"OFF"}'), 4000);
		check(res && on(sub, 'stat/prusa-salle2/POWER').some((m) => m.payload === 'OFF'), 'Tasmota cmnd POWER OFF → stat RESULT + POWER OFF');
		const off = await poll(() => on(sub, 'tele/prusa-salle2/SENSOR').filter((m) => sub.msgs.indexOf(m) > sub.msgs.indexOf(res))
			.find((m) => m.json && m.json.ENERGY.Power === 0 && m.json.ENERGY.Voltage === 0), 6000);
		check(off, 'switched-off Tasmota plug reads 0 W, 0 V');
		pub(broker, `${sp}/rpc`, '{"id":42,"src":"mlab-test","method":"Switch.Set","params":{"id":0,"on":false}}');
		const rpc = await poll(() => last(sub, 'mlab-test/rpc'), 4000);
		check(rpc && rpc.json && rpc.json.id === 42 && rpc.json.result && rpc.json.result.was_on === true,
			'Shelly Switch.Set answers on <src>/rpc with was_on', rpc && rpc.payload);
		check(await poll(() => on(sub, `${sp}/events/rpc`).some((m) => m.json?.params?.['switch:0']?.output === false), 3000),
			'Shelly NotifyStatus reports output false');
		check(await stopProc(sim) === 0, 'SIGTERM: exit 0', sim.err);
		await sleep(300);
		check(last(sub, 'tele/prusa-salle2/LWT')?.payload === 'Offline' && last(sub, 'lab-env/status')?.payload === 'offline' &&
			last(sub, 'zigbee2mqtt/bridge/state')?.payload === '{"state":"offline"}', 'SIGTERM: offline statuses published');
	} catch (e) {
		if (sim)
			console.log('# sim stderr:\n# ' + sim.err.split('\n').join('\n# '));
		throw e;
	}
});

main();
