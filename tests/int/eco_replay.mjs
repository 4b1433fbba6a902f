// eco_replay.mjs — issue 3: every shared sample file replayed through a
// real mosquitto into the hub (retain flags as recorded, empty payloads as
// empty messages); lines with an `expect` are checked against the device
// right after their message, and the count read as expected is printed.
// The devices, their kinds, states, canonical metrics and the print jobs
// come out of /api/devices and /api/jobs.  And commands
// back: switching a Tasmota and a Shelly plug publishes their firmware's
// own command.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, shareBetweenTests, test, main, assert, eq, sleep, startBroker, startHub, sub, tmpdir, run } from '../lib/harness.mjs';

const CORPUS = process.env.MLAB_CORPUS || path.join(ROOT, 'tests/corpus/devices');
const files = fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).filter((f) => f.endsWith('.jsonl')).sort() : [];

// Publish one recorded message byte for byte (payload through a file).
function replay(broker, dir, m, i) {
	const f = path.join(dir, 'p' + i);
	fs.writeFileSync(f, m.payload, 'utf8');
	const args = ['-h', '127.0.0.1', '-p', String(broker.port), '-t', m.topic, '-q', '1'];
	if (m.retained) args.push('-r');
	if (m.payload === '') args.push('-n'); else args.push('-f', f);
	const r = run('mosquitto_pub', args);
	if (r.status !== 0) throw new Error(`mosquitto_pub ${m.topic}: ${r.stderr}`);
}

// What the hub shows of a device against a line's `expect` (README of the
// corpus): "" when it reads so, else what differs.
function differs(d, x) {
	if (!d || !d.id)
		return 'no device';
	const near = (a, b) => typeof a === 'number' && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
	const out = [];
	for (const k of ['kind', 'online', 'model', 'firmware', 'name'])
		if (k in x && d[k] !== x[k])
			out.push(`${k} ${JSON.stringify(d[k])} not ${JSON.stringify(x[k])}`);
	if ('switch' in x && (x.switch === null ? d.switch != null : d.switch?.on !== x.switch))
		out.push(`switch ${JSON.stringify(d.switch)} not ${JSON.stringify(x.switch)}`);
	for (const [m, v] of Object.entries(x.metrics || {}))
		if (!near(d.metrics?.[m], v))
			out.push(`${m} ${d.metrics?.[m]} not ${v}`);
	for (const [k, v] of Object.entries(x.job || {}))
		if (typeof v === 'number' ? !near(d.job?.[k], v) : d.job?.[k] !== v)
			out.push(`job.${k} ${JSON.stringify(d.job?.[k])} not ${JSON.stringify(v)}`);
	return out.join(', ');
}

// Replay every line in order; after each line that carries an `expect`,
// read the device back once the hub has taken the message (retrying a
// moment, since taking and applying are two steps).  Read as staff: a
// job's file is personal (files are named after people) and anonymous
// readers never see it.
async function replayAll() {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	const cookie = await hub.login();
	const dir = tmpdir();
	const taken = async () => Number((await hub.get('/metrics')).text.match(/^mlab_messages_received_total (\d+)/m)[1]);
	const expects = { checked: 0, read: 0, misses: [] };
	let i = 0;
	for (const f of files) {
		const lines = fs.readFileSync(path.join(CORPUS, f), 'utf8').split('\n');
		for (let n = 0; n < lines.length; n++) {
			if (!lines[n])
				continue;
			const m = JSON.parse(lines[n]);
			replay(b, dir, m, i++);
			if (!m.expect)
				continue;
			await hub.waitFor(async () => (await taken()) >= i, 10000, `message ${i} taken`);
			let miss;
			for (let t = 0; t < 10; t++) {
				miss = differs((await hub.get('/api/devices/' + encodeURIComponent(m.expect.device), { cookie })).json, m.expect);
				if (!miss)
					break;
				await sleep(100);
			}
			expects.checked++;
			if (miss)
				expects.misses.push(`${f}:${n + 1} ${m.topic}: ${miss}`);
			else
				expects.read++;
		}
	}
	await hub.waitFor(async () => (await taken()) >= i, 10000, `${i} messages taken`);
	await sleep(200);
	return { b, hub, count: i, expects, cookie };
}

shareBetweenTests();
let ctx;
const dev = async (id) => (await ctx.hub.get('/api/devices/' + encodeURIComponent(id))).json;
// the staff's view: the names the devices give themselves (the public's has none)
const staffDev = async (id) => (await ctx.hub.get('/api/devices/' + encodeURIComponent(id), { cookie: ctx.cookie })).json;

test('the sample corpus is here', async () => {
	assert(files.length >= 8, 'corpus files in ' + CORPUS);
	ctx = await replayAll();
	assert(ctx.count >= 130, 'messages replayed: ' + ctx.count);
	eq((await ctx.hub.get('/healthz')).json.status, 'ok', 'alive after the whole corpus');
});

test('every line with an expectation is read as it says', async () => {
	const e = ctx.expects;
	console.log(`  read ${e.read} of ${e.checked} corpus lines with an expectation as expected`);
	for (const m of e.misses)
		console.log('  not read: ' + m);
	assert(e.checked >= 50, 'lines with an expectation: ' + e.checked);
	eq(e.misses, [], 'every expectation met');
});

test('Tasmota: plugs with energy, online from LWT, metrics in canonical units', async () => {
	const d = await dev('tasmota/pow1');
	eq(d.kind, 'plug');
	assert(typeof d.metrics.power_w === 'number' && typeof d.metrics.energy_kwh === 'number', JSON.stringify(d.metrics));
	const denky = await dev('tasmota/denky_D6C0C0');
	assert(denky && 'energy_kwh' in denky.metrics, 'non-default FullTopic (prefix after the topic)');
	const lwt = await dev('tasmota/tasmota_XXXXXX');
	eq(lwt.online, false, 'Online then Offline on tele/<t>/LWT');
	const ds = await dev('tasmota/ds1820');
	assert(Number.isFinite(ds.metrics.temperature_c), 'DS18B20 temperature');
	const all = (await ctx.hub.get('/api/devices')).json.devices.filter((x) => x.source === 'tasmota');
	assert(all.length >= 4, 'several Tasmota devices: ' + all.map((x) => x.id));
});

test('Shelly: the Plus 1PM and plug devices, their power and energy in kWh', async () => {
	const d = await dev('shelly/shellies/plus1pm');
	assert(d && d.id, 'shelly/shellies/plus1pm known');
	eq(d.online, false, 'online true, then false as its last will');
	assert('voltage_v' in d.metrics, JSON.stringify(d.metrics));
	const plugs = (await ctx.hub.get('/api/devices')).json.devices.filter((x) => x.source === 'shelly');
	assert(plugs.some((x) => typeof x.metrics.energy_kwh === 'number' && x.metrics.energy_kwh < 1000), 'aenergy Wh → kWh');
});

test('ESPHome: named by discovery, units from it, nan dropped', async () => {
	const d = await dev('esphome/lab-env');
	eq(d.kind, 'sensor');
	const named = (await staffDev(d.id)).name;
	assert(/—/.test(named), 'UTF-8 name from discovery: ' + named);
	assert(Math.abs(d.metrics.temperature_c - 21.5) < 5, JSON.stringify(d.metrics));
	assert(Object.values(d.metrics).every(Number.isFinite), 'no nan');
});

test('Zigbee2MQTT: sensors and buttons, voltage mV → V, names with spaces', async () => {
	const all = (await ctx.hub.get('/api/devices')).json.devices.filter((x) => x.source === 'z2m');
	assert(all.some((x) => x.id === 'z2m/Temperatur Balkon'), 'friendly name with a space: ' + all.map((x) => x.id));
	const withV = all.filter((x) => 'voltage_v' in x.metrics && 'battery_pct' in x.metrics);
	assert(withV.length && withV.every((x) => x.metrics.voltage_v < 10), 'a battery in volts, not millivolts');
	const mains = all.filter((x) => 'voltage_v' in x.metrics && 'power_w' in x.metrics);
	assert(mains.length && mains.every((x) => x.metrics.voltage_v > 100 && x.metrics.voltage_v < 260), 'mains in volts');
	assert(all.some((x) => x.kind === 'button'), 'a button device');
});

test('Homie: the v4 example device and the v5 one, online from $state', async () => {
	const all = (await ctx.hub.get('/api/devices')).json.devices.filter((x) => x.source === 'homie');
	assert(all.length >= 2, all.map((x) => x.id).join());
	assert(all.some((x) => x.id === 'homie/super-car'), 'homie/super-car');
});

test('Printers: OctoPrint, Moonraker and Bambu with job states and temperatures', async () => {
	const o = await dev('octoprint/octoPrint');
	eq(o.kind, 'printer');
	eq(o.job.file, undefined, 'a job\'s file is for staff only');
	assert('nozzle_temp_c' in o.metrics || 'bed_temp_c' in o.metrics, JSON.stringify(o.metrics));
	const m = await dev('moonraker/lab-voron');
	eq([m.kind, m.job.state], ['printer', 'printing']);
	assert(m.job.progress_pct > 0 && m.job.progress_pct < 1, 'fraction 0.0042 → 0.42 %: ' + m.job.progress_pct);
	const x1 = await dev('bambu/00M09A350100123');
	eq([x1.kind, x1.job.state], ['printer', 'finished']);
	const p1 = await dev('bambu/01S00A000000123');
	eq(p1.job.state, 'failed');
	assert(p1.job.remaining_s === 0 || p1.job.remaining_s === 759 * 60, 'minutes → seconds: ' + p1.job.remaining_s);
});

test('print jobs are in the job history', async () => {
	const jobs = (await ctx.hub.get('/api/jobs')).json.jobs;
	assert(jobs.some((j) => j.device === 'moonraker/lab-voron' && j.state === 'printing'), JSON.stringify(jobs));
	const csv = (await ctx.hub.get('/api/jobs?format=csv')).text;
	assert(csv.startsWith('device,kind,file,state,started_at,ended_at,duration_s'), 'CSV header');
});

test('no sample message was refused as malformed except the ones marked so', async () => {
	const t = (await ctx.hub.get('/metrics')).text;
	const bad = Number(t.match(/reason="malformed"\} (\d+)/)[1]);
	let marked = 0;
	for (const f of files)
		for (const line of fs.readFileSync(path.join(CORPUS, f), 'utf8').split('\n').filter(Boolean))
			if (/MALFORMED|truncat/i.test(JSON.parse(line).meaning)) marked++;
	assert(bad <= marked, `malformed ${bad}, marked ${marked}`);
});

test('switching plugs publishes each firmware\'s own command', async () => {
	const path1 = '/api/devices/' + encodeURIComponent('tasmota/pow1') + '/switch';
	let r = await ctx.hub.post(path1, { on: false });
	eq(r.status, 401, 'switching needs a login');
	const cookie = await ctx.hub.login();
	const got = sub(ctx.b, 'cmnd/#', { count: 1, ms: 3000 });
	await sleep(200);
	r = await ctx.hub.post(path1, { on: false }, { cookie });
	eq(r.status, 202, r.text);
	const t = await got;
	eq([t[0]?.topic, t[0]?.payload], ['cmnd/pow1/POWER', 'OFF']);
	const rpc = sub(ctx.b, 'shellies/plus1pm/rpc', { count: 1, ms: 3000 });
	await sleep(200);
	r = await ctx.hub.post('/api/devices/' + encodeURIComponent('shelly/shellies/plus1pm') + '/switch', { on: true }, { cookie });
	eq(r.status, 202, r.text);
	const s = JSON.parse((await rpc)[0].payload);
	eq([s.method, s.params.id, s.params.on], ['Switch.Set', 0, true]);
	r = await ctx.hub.post('/api/devices/' + encodeURIComponent('esphome/lab-env') + '/switch', { on: 'yes' }, { cookie });
	eq(r.status, 400, 'a bad body is refused');
});

test('the hub stops cleanly after the corpus', async () => {
	eq((await ctx.hub.stop()).code, 0, 'exit 0, no leak');
});

main();
