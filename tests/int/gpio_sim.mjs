// gpio_sim.mjs — the GPIO module, black-box: the hub with the simulated
// chip (gpio.backend = sim) and a real mosquitto; buttons pressed by
// publishing the physical level on mlab/v1/hub/gpio-sim/<line>, LEDs read
// back on mlab/v1/hub/gpio-sim/<line>/out.  Then the libgpiod backend on a
// machine without the chip: one clear error, the hub serves on; fatal
// with gpio.required = yes.
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
	HUB_BIN, assert, eq, freePort, main, pub, run, sleep, startBroker, startHub, sub, test, tmpdir,
	waitFor, wsClient,
} from '../lib/harness.mjs';

const SIM = 'mlab/v1/hub/gpio-sim/';
const PASSWORD = 'gpio-test-password-42';

// Levels published back to back by one client (-l: one message per line),
// so they arrive within a millisecond or two: contact bounce.
function levels(broker, line, seq) {
	const r = run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', SIM + line,
		'-q', '1', '-l'], { input: seq.join('\n') + '\n' });
	if (r.status !== 0) throw new Error('mosquitto_pub -l failed: ' + r.stderr);
}

// A press with bounce on both edges, held ~100 ms.
async function press(broker, line) {
	levels(broker, line, ['1', '0', '1', '0', '1']);
	await sleep(100);
	levels(broker, line, ['0', '1', '0']);
	await sleep(150);	// past the debounce window
}

function sql(db, q) {
	const r = run('sqlite3', ['-cmd', '.timeout 3000', '-json', db, q]);
	if (r.status !== 0) throw new Error('sqlite3: ' + r.stderr);
	return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

// The latest retained value of an output (waits for one that satisfies want).
async function outIs(broker, line, want, ms = 4000) {
	await waitFor(async () => {
		const m = await sub(broker, SIM + line + '/out', { count: 1, ms: 1000 });
		return m.length && m[0].payload === want;
	}, ms, `${line}/out = ${want}`);
}

async function labHub(sets = []) {
	const broker = await startBroker();
	const dir = tmpdir('gpio');
	const db = path.join(dir, 'hub.db');
	const u = run(HUB_BIN, ['--set', `store.path=${db}`, 'user', 'add', 'fac', '--role', 'facilitator'],
		{ input: PASSWORD + '\n', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
	const hub = await startHub({ broker, db, sets: ['gpio.backend=sim', 'gpio.debounce_ms=30', ...sets] });
	let cookie = null;
	if (u.status === 0) {
		const r = await hub.post('/api/login', { user: 'fac', password: PASSWORD });
		if (r.status === 200) cookie = (r.headers.get('set-cookie') || '').split(';')[0];
	}
	return { broker, hub, db, cookie };
}

async function currentSession(hub, cookie) {
	return hub.get('/api/sessions/current', { cookie });
}

test('outputs: led-broker lit once the broker is reached, others dark', async () => {
	const { broker } = await labHub();
	await outIs(broker, 'led-broker', '1');
	await outIs(broker, 'led-offline', '0');
	await outIs(broker, 'led-session', '0');
});

test('outputs: led-offline follows a native device going offline and back', async () => {
	const { broker, hub } = await labHub();
	pub(broker, 'mlab/v1/gpio-dev1/status', 'online', { retain: true });
	await waitFor(async () => (await hub.device('mlab/gpio-dev1'))?.online === true, 3000, 'device online');
	await outIs(broker, 'led-offline', '0');
	pub(broker, 'mlab/v1/gpio-dev1/status', 'offline', { retain: true });
	await waitFor(async () => (await hub.device('mlab/gpio-dev1'))?.online === false, 3000, 'device offline');
	// slow blink: a retained "1" shows within a period
	await outIs(broker, 'led-offline', '1');
	pub(broker, 'mlab/v1/gpio-dev1/status', 'online', { retain: true });
	await waitFor(async () => (await hub.device('mlab/gpio-dev1'))?.online === true, 3000, 'device back');
	await sleep(300);
	const m = await sub(broker, SIM + 'led-offline/out', { count: 1, ms: 1000 });
	eq(m[0]?.payload, '0', 'led-offline dark again');
});

test('outputs: led-broker republished on reconnection after a broker restart', async () => {
	const { broker, hub } = await labHub();
	await outIs(broker, 'led-broker', '1');
	await broker.stop();
	// a broker without persistence of that retained message: start it anew, empty
	const fs = await import('node:fs');
	fs.rmSync(path.join(broker.dir, 'mosquitto.db'), { force: true });
	await broker.start();
	await waitFor(async () => (await hub.get('/healthz')).json.broker === 'connected', 5000, 'reconnected');
	await outIs(broker, 'led-broker', '1');
});

test('session button: one press opens a session, a second closes it; led-session follows', async () => {
	const { broker, hub, cookie } = await labHub();
	assert(cookie, 'facilitator login (needed to read /api/sessions/current)');
	await press(broker, 'session');
	await waitFor(async () => (await currentSession(hub, cookie)).status === 200, 3000,
		'GET /api/sessions/current 200 after the first press');
	await outIs(broker, 'led-session', '1');
	await press(broker, 'session');
	await waitFor(async () => (await currentSession(hub, cookie)).status === 404, 3000,
		'GET /api/sessions/current 404 after the second press');
	await outIs(broker, 'led-session', '0');
});

test('led-session follows a session opened and closed through the API', async () => {
	const { broker, hub, cookie } = await labHub();
	assert(cookie, 'facilitator login');
	await outIs(broker, 'led-session', '0');
	const r = await hub.post('/api/sessions', { project_ids: [], device_ids: [], group: { type: 'walk-in', size: 1 } }, { cookie });
	assert(r.status === 200 || r.status === 201, `POST /api/sessions: ${r.status} ${r.text}`);
	await outIs(broker, 'led-session', '1');
	const e = await hub.post(`/api/sessions/${r.json.id}/end`, {}, { cookie });
	assert(e.status === 200 || e.status === 204, `end: ${e.status} ${e.text}`);
	await outIs(broker, 'led-session', '0');
});

test('vote button: a bouncing press on vote-happy is one stored vote (3 of 3) in the open session, shown on /ws', async () => {
	const { broker, hub, db, cookie } = await labHub();
	assert(cookie, 'facilitator login');
	const ws = await wsClient(hub, { cookie });
	await ws.waitFor((m) => m.type === 'snapshot', 3000, 'the snapshot');
	// a session: through the API when it is there, else the session button
	let r = await hub.post('/api/sessions', { project_ids: [], device_ids: [], group: { type: 'walk-in', size: 1 } }, { cookie });
	if (r.status !== 200 && r.status !== 201) await press(broker, 'session');
	await waitFor(async () => (await currentSession(hub, cookie)).status === 200, 3000, 'an open session');
	const sid = (await currentSession(hub, cookie)).json.id;

	await outIs(broker, 'led-session', '1');
	const led = sub(broker, SIM + 'led-session/out', { count: 5, ms: 3000 });
	await sleep(200);
	await press(broker, 'vote-happy');
	// the acknowledgement: the lit led-session blinks dark twice
	eq((await led).map((m) => m.payload), ['1', '0', '1', '0', '1'], 'led-session flashes twice');
	const g = await ws.waitFor((m) => m.type === 'gpio' && m.line === 'vote-happy', 3000, 'the gpio press on /ws');
	eq(g.event, 'press');
	await waitFor(() => sql(db, 'SELECT count(*) AS n FROM ratings')[0].n >= 1, 3000, 'a stored vote');
	await sleep(300);	// a second (wrong) vote from the bounce would have landed by now
	const rows = sql(db, 'SELECT value, scale, session_id, source FROM ratings');
	eq(rows.length, 1, 'exactly one vote');
	eq(rows[0].value, 3);
	eq(rows[0].scale, 3);
	eq(String(rows[0].session_id), String(sid), 'tied to the open session');
	eq(rows[0].source, 'gpio:vote-happy');
	await ws.waitFor((m) => /rating|vote/.test(m.type) && m.type !== 'gpio', 3000, 'the vote on /ws');
});

test('vote buttons: two pressed together are two votes, neutral 2 and unhappy 1', async () => {
	const { broker, db } = await labHub();
	levels(broker, 'vote-neutral', ['1', '0', '1']);
	levels(broker, 'vote-unhappy', ['1', '0', '1']);
	await sleep(120);
	levels(broker, 'vote-neutral', ['0']);
	levels(broker, 'vote-unhappy', ['0']);
	await waitFor(() => sql(db, 'SELECT count(*) AS n FROM ratings')[0].n >= 2, 3000, 'two votes');
	await sleep(300);
	const rows = sql(db, 'SELECT value FROM ratings ORDER BY value');
	eq(rows.map((x) => x.value), [1, 2]);
});

test('the default box votes on the three-face scale even when rating.scale = 5', async () => {
	const { broker, db } = await labHub(['rating.scale=5']);
	await press(broker, 'vote-happy');
	await waitFor(() => sql(db, 'SELECT count(*) AS n FROM ratings')[0].n >= 1, 3000, 'a stored vote');
	const rows = sql(db, 'SELECT value, scale FROM ratings');
	eq(rows, [{ value: 3, scale: 3 }]);
});

test('a held button is one press; a glitch shorter than the debounce is none', async () => {
	const { broker, hub } = await labHub();
	levels(broker, 'vote-happy', ['1']);
	await sleep(1500);
	levels(broker, 'vote-happy', ['1', '1']);	// a driver repeating itself
	await sleep(500);
	levels(broker, 'vote-happy', ['0']);
	levels(broker, 'vote-neutral', ['1', '0']);	// glitch
	await sleep(300);
	const presses = hub.log.split('\n').filter((l) => /gpio: vote-\w+ pressed/.test(l));
	eq(presses.length, 1, 'one press logged');
	assert(/vote-happy pressed/.test(presses[0]));
});

test('event mapping: gpio.input.<line> = event:NAME publishes mlab/v1/hub/button/NAME', async () => {
	const { broker } = await labHub(['gpio.input.bell=event:door-bell', 'gpio.output.lamp=broker']);
	const got = sub(broker, 'mlab/v1/hub/button/door-bell', { count: 1, ms: 4000 });
	await sleep(300);
	await press(broker, 'bell');
	const m = await got;
	eq(m.length, 1, 'one event');
	eq(m[0].payload, 'gpio:bell');
	await outIs(broker, 'lamp', '1');
});

test('simulated chip: an unknown line or a bad payload is logged, the hub runs on', async () => {
	const { broker, hub } = await labHub();
	pub(broker, SIM + 'no-such-line', '1');
	pub(broker, SIM + 'vote-happy', 'pressed');
	await waitFor(() => /no input line 'no-such-line'/.test(hub.log), 3000, 'unknown line logged');
	await waitFor(() => /vote-happy: payload must be 1 \(pressed\) or 0 \(released\)/.test(hub.log), 3000, 'bad payload logged');
	eq((await hub.get('/healthz')).status, 200);
});

test('gpiod without the chip: one clear error naming it, /healthz still served', async () => {
	const hub = await startHub({ sets: ['gpio.backend=gpiod', 'gpio.chip=/dev/nonexistent'] });
	eq((await hub.get('/healthz')).status, 200);
	const errs = hub.log.split('\n').filter((l) => /gpio/.test(l) && /\bERR\b/.test(l));
	eq(errs.length, 1, 'one error line: ' + JSON.stringify(errs));
	assert(/cannot open GPIO chip '\/dev\/nonexistent'/.test(errs[0]), errs[0]);
	assert(/running without GPIO/.test(errs[0]), errs[0]);
	const st = await hub.stop();
	eq(st.code, 0, 'clean exit');
});

// Runs the hub to its exit; returns { code, log }.
async function runToExit(args, ms = 10000) {
	const port = await freePort();
	return new Promise((resolve) => {
		const dir = tmpdir('gpio');
		const p = spawn(HUB_BIN, ['--set', `store.path=${path.join(dir, 'hub.db')}`, '--set', 'broker.port=1',
			'--set', `http.listen=127.0.0.1:${port}`, ...args.flatMap((a) => ['--set', a])],
			{ stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
		let log = '';
		p.stdout.on('data', (d) => { log += d; });
		p.stderr.on('data', (d) => { log += d; });
		const t = setTimeout(() => p.kill('SIGKILL'), ms);
		p.on('exit', (code, sig) => { clearTimeout(t); resolve({ code, sig, log }); });
	});
}

test('gpiod without the chip and gpio.required = yes: exits non-zero with that message', async () => {
	const r = await runToExit(['gpio.backend=gpiod', 'gpio.chip=/dev/nonexistent', 'gpio.required=yes']);
	assert(r.code !== 0 && r.code !== null, `exit code ${r.code} (${r.sig})`);
	assert(/cannot open GPIO chip '\/dev\/nonexistent'.*gpio.required = yes/.test(r.log), r.log);
});

test('a bad mapping is a configuration error naming the key', async () => {
	const r = await runToExit(['gpio.backend=sim', 'gpio.input.b1=vote:9']);
	assert(r.code !== 0 && r.code !== null, `exit code ${r.code}`);
	assert(/gpio\.input\.b1: 'vote:9'/.test(r.log), r.log);
});

await main();
