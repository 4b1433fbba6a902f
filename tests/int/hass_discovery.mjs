// hass_discovery.mjs — the hub's Home Assistant MQTT discovery (issue 17
// part 3), read off a real mosquitto by a subscriber to homeassistant/#,
// and checked against Home Assistant's documented MQTT discovery schema:
// the topic <prefix>/<component>/[<node_id>/]<object_id>/config, the keys
// each component requires, a unique_id, a device block with identifiers,
// availability, and only keys (or their documented abbreviations) Home
// Assistant knows.  Alerts' retained per-device state survives a restart
// of the subscriber, as it must for a restarted Home Assistant.
import fs from 'node:fs';
import path from 'node:path';
import {
	ROOT, test, main, assert, eq, check, startBroker, startHub, pub, sub, waitFor, sleep, request,
} from '../lib/harness.mjs';

// The documented configuration variables of the MQTT binary_sensor and
// sensor platforms (the subset of names anyone may use), with the
// abbreviations Home Assistant expands (MQTT discovery docs).
const COMMON = ['name', 'unique_id', 'object_id', 'device', 'availability', 'availability_topic',
	'availability_mode', 'payload_available', 'payload_not_available', 'device_class', 'state_topic',
	'value_template', 'json_attributes_topic', 'json_attributes_template', 'icon', 'entity_category',
	'enabled_by_default', 'expire_after', 'force_update', 'qos', 'origin', 'encoding'];
const KEYS = {
	binary_sensor: [...COMMON, 'payload_on', 'payload_off', 'off_delay'],
	sensor: [...COMMON, 'unit_of_measurement', 'state_class', 'suggested_display_precision', 'last_reset_value_template'],
};
const REQUIRED = { binary_sensor: ['state_topic'], sensor: ['state_topic'] };
const ABBR = { uniq_id: 'unique_id', obj_id: 'object_id', dev: 'device', avty_t: 'availability_topic',
	stat_t: 'state_topic', dev_cla: 'device_class', pl_on: 'payload_on', pl_off: 'payload_off',
	pl_avail: 'payload_available', pl_not_avail: 'payload_not_available', val_tpl: 'value_template',
	json_attr_t: 'json_attributes_topic', unit_of_meas: 'unit_of_measurement', stat_cla: 'state_class' };
const DEVICE_KEYS = ['identifiers', 'connections', 'name', 'manufacturer', 'model', 'sw_version',
	'hw_version', 'suggested_area', 'via_device', 'configuration_url', 'serial_number'];
const BINARY_CLASSES = ['connectivity', 'problem', 'running', 'occupancy', 'power', 'safety'];
const TOPIC = /^homeassistant\/(binary_sensor|sensor)\/([A-Za-z0-9_-]+\/)?([A-Za-z0-9_-]+)\/config$/;

// One config: the list of what is wrong with it (empty: fine).
function problems(topic, payload) {
	const bad = [];
	const m = TOPIC.exec(topic);
	if (!m) return [`topic ${topic} is not <prefix>/<component>/[<node>/]<object>/config`];
	const comp = m[1];
	let c;
	try { c = JSON.parse(payload); } catch { return [`${topic}: not JSON`]; }
	const full = {};
	for (const [k, v] of Object.entries(c)) full[ABBR[k] || k] = v;
	for (const k of Object.keys(full)) if (!KEYS[comp].includes(k)) bad.push(`unknown key ${k}`);
	for (const k of REQUIRED[comp]) if (typeof full[k] !== 'string' || !full[k]) bad.push(`no ${k}`);
	if (typeof full.unique_id !== 'string' || !full.unique_id) bad.push('no unique_id');
	if (typeof full.name !== 'string') bad.push('no name');
	const d = full.device;
	if (!d || typeof d !== 'object') bad.push('no device block');
	else {
		if (!Array.isArray(d.identifiers) || !d.identifiers.length) bad.push('device without identifiers');
		for (const k of Object.keys(d)) if (!DEVICE_KEYS.includes(k)) bad.push(`unknown device key ${k}`);
	}
	if (comp === 'binary_sensor' && full.device_class && !BINARY_CLASSES.includes(full.device_class))
		bad.push(`device_class ${full.device_class}`);
	for (const t of ['state_topic', 'availability_topic', 'json_attributes_topic'])
		if (full[t] !== undefined && (typeof full[t] !== 'string' || /[#+]/.test(full[t]))) bad.push(`${t} is not a topic`);
	return bad;
}

// the participation sensors (hub/ha/ha.c)
const SENSORS = ['session', 'checkins_today', 'contributions_today', 'fy_projects'];
const STATE = 'mlab/v1/hub/participation';

// What Home Assistant shows for a sensor: its value_template applied to the
// state JSON.  Only the two forms the hub uses ({{ value_json.a.b }} and
// {{ value_json.a | tojson }}); anything else fails the test.
function render(tpl, payload) {
	const m = /^\{\{ value_json((?:\.[a-z_]+)+)( \| tojson)? \}\}$/.exec(tpl);
	if (!m) throw new Error(`template ${tpl} is not one this test renders`);
	let v = JSON.parse(payload);
	for (const k of m[1].slice(1).split('.')) v = v?.[k];
	return m[2] ? JSON.stringify(v) : String(v);
}

const configs = (msgs) => Object.fromEntries(msgs.filter((m) => m.topic.endsWith('/config') && m.payload)
	.map((m) => [m.topic, JSON.parse(m.payload)]));

test('the schema check can fail', async () => {
	check(problems('homeassistant/sensor/x/config', '{"name":"x"}').length > 0, 'a sensor without state_topic, unique_id, device');
	check(problems('homeassistant/light/n/x/config', '{}').length > 0, 'a component we do not publish');
	check(problems('homeassistant/binary_sensor/n/x/config', JSON.stringify({ name: 'x', unique_id: 'u', state_topic: 's', device: { identifiers: ['i'] }, colour: 1 })).length > 0, 'an unknown key');
	eq(problems('homeassistant/binary_sensor/n/x/config', JSON.stringify({ name: 'x', uniq_id: 'u', stat_t: 's', dev: { identifiers: ['i'] } })), [], 'abbreviations are expanded');
});

test('the hub announces itself and each active alert, retained, as Home Assistant documents', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['alert.temperature_c.above=30', 'lab.name=Lab Test'] });
	pub(broker, 'mlab/v1/sensor-1/status', { state: 'online', kind: 'sensor' }, { retain: true });
	pub(broker, 'mlab/v1/sensor-1/telemetry', { temperature_c: 41 });
	await waitFor(async () => (await hub.get('/api/alerts')).json?.alerts?.length, 5000, 'the alert');
	// a fresh subscriber (a Home Assistant started now) gets it all retained
	const msgs = await sub(broker, 'homeassistant/#', { count: 6, ms: 3000, retainedOnly: true });
	const cf = configs(msgs);
	const topics = Object.keys(cf).sort();
	eq(topics, ['homeassistant/binary_sensor/mlab_hub/broker/config',
		'homeassistant/binary_sensor/mlab_hub/mlab_sensor-1_threshold-temperature_c/config',
		...SENSORS.map((o) => `homeassistant/sensor/mlab_hub/${o}/config`).sort()]);
	for (const m of msgs) {
		const p = problems(m.topic, m.payload);
		check(!p.length, `${m.topic} fits Home Assistant's schema`, p.join('; '));
	}
	const hubc = cf['homeassistant/binary_sensor/mlab_hub/broker/config'];
	eq([hubc.device_class, hubc.state_topic, hubc.payload_on, hubc.payload_off], ['connectivity', 'mlab/v1/hub/status', 'online', 'offline']);
	eq(hubc.device.name, 'Lab Test');
	const al = cf['homeassistant/binary_sensor/mlab_hub/mlab_sensor-1_threshold-temperature_c/config'];
	eq([al.device_class, al.state_topic, al.availability_topic], ['problem', 'mlab/v1/hub/alert/mlab/sensor-1/threshold-temperature_c', 'mlab/v1/hub/status']);
	eq(al.device.identifiers, hubc.device.identifiers, 'one device: the hub');
	check(new Set(Object.values(cf).map((c) => c.unique_id)).size === 6, 'unique_ids differ');
	// availability: the hub's status, retained "online"
	eq((await sub(broker, 'mlab/v1/hub/status', { retainedOnly: true }))[0].payload, 'online');
	// the alert's state is retained: a restarted Home Assistant reads ON back
	eq((await sub(broker, al.state_topic, { retainedOnly: true }))[0].payload, 'ON');
	pub(broker, 'mlab/v1/sensor-1/telemetry', { temperature_c: 20 });
	await waitFor(async () => !(await hub.get('/api/alerts')).json?.alerts?.length, 5000, 'the alert to clear');
	await waitFor(async () => (await sub(broker, al.state_topic, { retainedOnly: true }))[0]?.payload === 'OFF', 5000, 'OFF retained');
	// the hub stops: its will makes every entity unavailable
	await hub.stop();
	eq((await sub(broker, 'mlab/v1/hub/status', { retainedOnly: true }))[0].payload, 'offline');
});

test('participation sensors: session, today\'s counts, fiscal year, from one retained state', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker });
	const cf = configs(await sub(broker, 'homeassistant/sensor/#', { count: 4, ms: 3000, retainedOnly: true }));
	eq(Object.keys(cf).length, 4, 'four sensor configs');
	const by = Object.fromEntries(SENSORS.map((o) => [o, cf[`homeassistant/sensor/mlab_hub/${o}/config`]]));
	for (const o of SENSORS) {
		check(by[o], `sensor ${o} announced`);
		const p = problems(`homeassistant/sensor/mlab_hub/${o}/config`, JSON.stringify(by[o]));
		check(!p.length, `sensor ${o} fits Home Assistant's schema`, p.join('; '));
		eq(by[o].state_topic, STATE);
	}
	eq(by.session.json_attributes_topic, STATE);
	const state = async () => (await sub(broker, STATE, { retainedOnly: true }))[0]?.payload;
	const shown = (o, payload) => render(by[o].value_template, payload);
	// no session yet: closed, zero today
	let st = await state();
	eq(shown('session', st), 'closed');
	eq(shown('checkins_today', st), '0');
	eq(shown('contributions_today', st), '0');
	eq(shown('fy_projects', st), '0');
	// a session opens on a public and an internal project: the state follows at once
	const cookie = await hub.login();
	const pub1 = (await hub.post('/api/projects', { title: 'Robot-poisson' }, { cookie })).json.id;
	const priv = (await hub.post('/api/projects', { title: 'Secret', visibility: 'internal' }, { cookie })).json.id;
	eq((await hub.post('/api/sessions', { project_ids: [pub1, priv], group: { type: 'family', size: 4 } }, { cookie })).status, 201, 'session opened');
	await waitFor(async () => shown('session', await state()) === 'open', 5000, 'the session state to turn open');
	st = await state();
	const attrs = JSON.parse(render(by.session.json_attributes_template, st));
	eq(attrs.projects, ['Robot-poisson'], 'public project titles only');
	eq(attrs.head_count, 0);
	// check-ins and a confirmed contribution count today; the state follows the session's next change
	eq((await hub.post('/api/participants', { age_band: '25-34', party_size: 3 }, { cookie })).status, 201, 'check-in');
	const c = (await hub.post('/api/contributions', { kind: 'idea', title: 'Nageoire', project_id: pub1 }, { cookie })).json.id;
	eq((await request(hub.url + `/api/contributions/${c}`, { method: 'PATCH', body: { status: 'confirmed' }, cookie })).status, 200, 'confirmed');
	eq((await hub.post('/api/sessions/current/end', {}, { cookie })).status, 200, 'session ended');
	await waitFor(async () => shown('session', await state()) === 'closed', 5000, 'the session state to turn closed');
	st = await state();
	eq(shown('checkins_today', st), '1');
	eq(JSON.parse(st).today.people, 3, 'the party counts as its people');
	eq(shown('contributions_today', st), '1');
	eq(shown('fy_projects', st), '2', 'both projects had a session this fiscal year (the report\'s figure)');
	await hub.stop();
});

// MQTT topic filter f matches topic t
const matches = (f, t) => {
	const a = f.split('/'), b = t.split('/');
	for (let i = 0; i < a.length; i++) {
		if (a[i] === '#') return true;
		if (i >= b.length || (a[i] !== '+' && a[i] !== b[i])) return false;
	}
	return a.length === b.length;
};

test('the example Node-RED flow is importable and reads what the hub publishes', async () => {
	const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/examples/node-red-flow.json'), 'utf8'));
	check(Array.isArray(flow) && flow.length, 'a flow is an array of nodes');
	const ids = new Set(flow.map((n) => n.id));
	eq(ids.size, flow.length, 'node ids are unique');
	for (const n of flow) {
		check(typeof n.id === 'string' && typeof n.type === 'string', `node ${n.id} has an id and a type`);
		if (n.z) check(ids.has(n.z), `node ${n.id} is on a tab of the flow`);
		for (const w of (n.wires || []).flat()) check(ids.has(w), `node ${n.id} is wired to a node of the flow (${w})`);
	}
	const ins = flow.filter((n) => n.type === 'mqtt in');
	check(ins.length >= 3, 'mqtt in nodes');
	for (const n of ins) {
		check(flow.find((b) => b.id === n.broker)?.type === 'mqtt-broker', `${n.name} uses the flow's broker node`);
		check(matches('mlab/v1/#', n.topic) || matches('homeassistant/#', n.topic), `${n.name} reads within the consumer's rights`);
	}
	// a hub with an alert and a session: each mqtt in node gets a retained
	// message, and its function runs on it (as Node-RED runs it) without error
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['alert.temperature_c.above=30'] });
	pub(broker, 'mlab/v1/sensor-1/status', { state: 'online', kind: 'sensor' }, { retain: true });
	pub(broker, 'mlab/v1/sensor-1/telemetry', { temperature_c: 41 });
	await waitFor(async () => (await hub.get('/api/alerts')).json?.alerts?.length, 5000, 'the alert');
	const cookie = await hub.login();
	await hub.post('/api/sessions', { group: { type: 'walk-in', size: 1 } }, { cookie });
	await waitFor(async () => (await sub(broker, STATE, { retainedOnly: true }))[0]?.payload.includes('"open"'), 5000, 'the open session');
	const out = {};
	for (const n of ins) {
		const msgs = await sub(broker, n.topic, { ms: 2000, retainedOnly: true });
		check(msgs.length > 0, `${n.name} (${n.topic}) gets a retained message`);
		let msg = { topic: msgs[0].topic, payload: n.datatype === 'json' ? JSON.parse(msgs[0].payload) : msgs[0].payload };
		for (const id of n.wires.flat()) {
			const f = flow.find((x) => x.id === id);
			if (f.type !== 'function') continue;
			const store = {};
			const context = { get: (k) => store[k], set: (k, v) => { store[k] = v; } };
			msg = new Function('msg', 'context', f.func)(msg, context);
		}
		out[n.topic] = msg.payload;
	}
	check(/session open .* 0 people/.test(out[STATE]), 'the participation summary', out[STATE]);
	eq(out['mlab/v1/hub/alert/+/+/+'], ['mlab/sensor-1/threshold-temperature_c'], 'the active alert');
	await hub.stop();
});

test('ha.discovery=no publishes no config; ha.prefix moves them', async () => {
	const broker = await startBroker();
	const hub = await startHub({ broker, sets: ['ha.discovery=no'] });
	await sleep(300);
	eq(await sub(broker, 'homeassistant/#', { ms: 1000, retainedOnly: true }), [], 'nothing under homeassistant/');
	await hub.stop();
	const h2 = await startHub({ broker, sets: ['ha.prefix=ha-test'] });
	const m = await sub(broker, 'ha-test/#', { count: 5, ms: 3000, retainedOnly: true });
	eq(m.map((x) => x.topic).sort(), ['ha-test/binary_sensor/mlab_hub/broker/config',
		...SENSORS.map((o) => `ha-test/sensor/mlab_hub/${o}/config`)].sort());
	await h2.stop();
});

await main();
