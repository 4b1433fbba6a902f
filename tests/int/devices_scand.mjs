// devices_scand.mjs — black-box test of devices/mlab-scand, the scanner agent.
//
// Starts a private mosquitto on a free loopback port, runs mlab-scand on a
// temporary folder and watches mlab/v1/# with mosquitto_sub.  It writes a
// binary STL slowly in pieces, renames a .tmp to .stl, writes an ASCII PLY,
// deletes a half-written file, removes and recreates the folder, and checks
// exactly which events come out, with their counts.  Acknowledgements are
// published by the test itself (no hub needed).  Then: the agent started
// while the broker is down still delivers its backlog once the broker
// starts, and a killed agent resends unacknowledged events with the same seq.
//
// Run: node tests/int/devices_scand.mjs   (after make devices/mlab-scand)
// Prints "ok - …" / "not ok - …" per check and ends with "N passed, N failed".

import fs from 'node:fs';
import path from 'node:path';
import {
	ROOT, test, main, check, poll, sleep, freePort, startBroker, subscribe, pub, startProc, stopProc, run, tmpdir,
} from '../lib/harness.mjs';

const SCAND = path.join(ROOT, 'devices/mlab-scand');
const ID = 'scantest';

// binary STL with n facets
function binStl(n) {
	const b = Buffer.alloc(84 + 50 * n);
	b.write('binary stl written by devices_scand.mjs', 0, 'ascii');
	b.writeUInt32LE(n, 80);
	for (let i = 0; i < n; i++) {
		const o = 84 + 50 * i;
		const v = [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, i];
		v.forEach((x, k) => b.writeFloatLE(x, o + 4 * k));
	}
	return b;
}

// ASCII PLY cube: 8 vertices, 6 faces
function plyCube() {
	const v = [];
	for (let i = 0; i < 8; i++)
		v.push(`${i & 1} ${(i >> 1) & 1} ${(i >> 2) & 1}`);
	const f = ['4 0 1 3 2', '4 4 5 7 6', '4 0 1 5 4', '4 2 3 7 6', '4 0 2 6 4', '4 1 3 7 5'];
	return ['ply', 'format ascii 1.0', 'comment made by devices_scand.mjs', 'element vertex 8',
		'property float x', 'property float y', 'property float z', 'element face 6',
		'property list uchar int vertex_indices', 'end_header', ...v, ...f].join('\n') + '\n';
}

const events = (sub) => sub.msgs.filter((m) => m.topic === `mlab/v1/${ID}/event` && m.json);
const evFor = (sub, type, file) => events(sub).filter((m) => m.json.type === type && m.json.file === file);

test('mlab-scand: events, journal, acks, broker down, restarts', async () => {
	const tmp = tmpdir('mlab-scand-test');
	const dir = path.join(tmp, 'scans');
	const state = path.join(tmp, 'state');
	const journal = path.join(state, `${ID}.journal`);
	fs.mkdirSync(dir);
	const port = await freePort();
	let broker, sub, agent;
	const agentArgs = ['--dir', dir, '--id', ID, '--name', 'Creaform Go!SCAN', '--room', 'Salle 2',
		'--model', 'Go!SCAN 3D', '--state-dir', state, '--settle-ms', '400', '--resend-s', '60',
		'--host', '127.0.0.1', '--port', String(port)];
	try {
		// bad options: exit 2, one line naming the option
		let r = run(SCAND, ['--dir', dir, '--settle-ms', 'soon']);
		check(r.status === 2 && /--settle-ms/.test(r.stderr) && r.stderr.trim().split('\n').length === 1,
			'bad --settle-ms exits 2 with one line naming it', r.stderr);
		r = run(SCAND, ['--dir', dir, '--id', 'hub']);
		check(r.status === 2 && /--id/.test(r.stderr), 'reserved id "hub" is refused', r.stderr);
		r = run(SCAND, ['--help']);
		check(r.status === 0 && /--settle-ms/.test(r.stdout), '--help prints usage and exits 0');

		broker = await startBroker({ port, persistence: false });
		sub = await subscribe(broker, 'mlab/v1/#');

		// a scan already in the folder at the first start is not counted
		fs.writeFileSync(path.join(dir, 'old.stl'), binStl(1));
		agent = startProc(SCAND, agentArgs);
		check(await poll(() => sub.msgs.some((m) => m.topic === `mlab/v1/${ID}/status` && m.payload === 'online')),
			'agent publishes status online', agent.err);
		const meta = await poll(() => sub.msgs.find((m) => m.topic === `mlab/v1/${ID}/meta`));
		check(meta && meta.json && meta.json.kind === 'scanner' && meta.json.room === 'Salle 2' &&
			meta.json.name === 'Creaform Go!SCAN', 'agent publishes meta with kind scanner', meta && meta.payload);

		// 1. a binary STL written slowly, in pieces, through one open fd
		const cube = binStl(12);
		const fd = fs.openSync(path.join(dir, 'cube.stl'), 'w');
		for (let off = 0; off < cube.length; off += 200) {
			fs.writeSync(fd, cube, off, Math.min(200, cube.length - off));
			await sleep(150);
		}
		const writtenAt = Date.now();
		check(evFor(sub, 'scan.started', 'cube.stl').length === 1, 'scan.started for cube.stl while it is written');
		check(evFor(sub, 'scan.finished', 'cube.stl').length === 0, 'no scan.finished while cube.stl is still written');
		await sleep(150);
		fs.closeSync(fd);
		const fin = await poll(() => evFor(sub, 'scan.finished', 'cube.stl')[0], 4000);
		check(fin && Date.now() - writtenAt >= 350, 'scan.finished for cube.stl after it settled');
		check(fin && fin.json.faces === 12 && fin.json.vertices === 36 && fin.json.size === 684,
			'cube.stl: 12 faces, 36 vertices, 684 bytes', fin && fin.payload);

		// 2. a .tmp renamed to .stl is complete at once
		fs.writeFileSync(path.join(dir, 'part.tmp'), binStl(2));
		await sleep(100);
		fs.renameSync(path.join(dir, 'part.tmp'), path.join(dir, 'part.stl'));
		const part = await poll(() => evFor(sub, 'scan.finished', 'part.stl')[0], 3000);
		check(part && part.json.faces === 2 && evFor(sub, 'scan.started', 'part.stl').length === 1,
			'rename part.tmp -> part.stl: started + finished, 2 faces', part && part.payload);
		check(events(sub).every((m) => !/\.tmp$/.test(m.json.file)), 'no event names the .tmp file');

		// 3. an ASCII PLY
		fs.writeFileSync(path.join(dir, 'bust.ply'), plyCube());
		const ply = await poll(() => evFor(sub, 'scan.finished', 'bust.ply')[0], 3000);
		check(ply && ply.json.vertices === 8 && ply.json.faces === 6, 'bust.ply: 8 vertices, 6 faces', ply && ply.payload);

		// 4. a half-written file deleted before it is complete
		fs.writeFileSync(path.join(dir, 'broken.stl'), binStl(12).subarray(0, 300));
		await poll(() => evFor(sub, 'scan.started', 'broken.stl').length, 2000);
		await sleep(150);
		fs.unlinkSync(path.join(dir, 'broken.stl'));
		await sleep(1000);
		check(evFor(sub, 'scan.started', 'broken.stl').length === 1 &&
			events(sub).filter((m) => m.json.file === 'broken.stl').length === 1,
			'deleted half-written file: scan.started only, nothing more');

		// 5. the folder disappears and comes back
		fs.rmSync(dir, { recursive: true, force: true });
		await sleep(1500);
		fs.mkdirSync(dir);
		await sleep(1300);
		fs.writeFileSync(path.join(dir, 'after.obj'), 'v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nvt 0 0\nvn 0 0 1\nf 1 2 3\nf 1 3 4\n');
		const obj = await poll(() => evFor(sub, 'scan.finished', 'after.obj')[0], 4000);
		check(obj && obj.json.vertices === 4 && obj.json.faces === 2,
			'folder removed and recreated: after.obj finished with 4 vertices, 2 faces', obj && obj.payload);

		// the whole sequence, exactly, in seq order
		const evs = events(sub);
		const got = evs.map((m) => `${m.json.seq}:${m.json.type}:${m.json.file}`);
		const want = ['1:scan.started:cube.stl', '2:scan.finished:cube.stl', '3:scan.started:part.stl',
			'4:scan.finished:part.stl', '5:scan.started:bust.ply', '6:scan.finished:bust.ply',
			'7:scan.started:broken.stl', '8:scan.started:after.obj', '9:scan.finished:after.obj'];
		check(JSON.stringify(got) === JSON.stringify(want), 'exactly the expected events, seq 1..9', got.join(' '));
		check(!evs.some((m) => m.json.file === 'old.stl'), 'the file present at first start is not reported');
		check(evs.every((m) => typeof m.json.ts === 'string' && /^\d{4}-\d\d-\d\dT/.test(m.json.ts)), 'every event has an ISO-8601 ts');

		// acknowledge; the journal is compacted
		check(/^E 9 /m.test(fs.readFileSync(journal, 'utf8')), 'unacknowledged events are in the journal');
		pub(broker, `mlab/v1/${ID}/ack`, '{"seq":9}', { retain: true });
		check(await poll(() => !/^E /m.test(fs.readFileSync(journal, 'utf8')), 3000),
			'ack {"seq":9} empties the journal');

		// clean stop
		const code = await stopProc(agent);
		check(code === 0, 'SIGTERM: exit 0', agent.err);
		check(await poll(() => sub.msgs.filter((m) => m.topic === `mlab/v1/${ID}/status`).pop()?.payload === 'offline'),
			'SIGTERM: status offline published');

		// broker down: the agent starts anyway, and its scan waits on disk
		// from here on, a short resend period: the first delivery after the
		// broker returns may beat the test's new subscription
		const agentArgs2 = agentArgs.map((a, i) => (agentArgs[i - 1] === '--resend-s' ? '2' : a));
		await sub.stop();
		await broker.stop();
		agent = startProc(SCAND, agentArgs2);
		await sleep(500);
		fs.writeFileSync(path.join(dir, 'offline.stl'), binStl(3));
		check(await poll(() => (fs.readFileSync(journal, 'utf8').match(/^E /mg) || []).length === 2, 4000),
			'broker down: started + finished kept in the journal', fs.readFileSync(journal, 'utf8'));
		await broker.start();
		sub = await subscribe(broker, 'mlab/v1/#');
		const back = await poll(() => evFor(sub, 'scan.finished', 'offline.stl')[0], 10000);
		check(back && back.json.seq === 11 && back.json.faces === 3 &&
			evFor(sub, 'scan.started', 'offline.stl').some((m) => m.json.seq === 10),
			'broker back: backlog delivered as seq 10, 11', back && back.payload);

		// killed before the ack: the same events come again after a restart
		await stopProc(agent, 'SIGKILL');
		const before = events(sub).length;
		const firstPayload = (fs.readFileSync(journal, 'utf8').match(/^E 11 (.*)$/m) || [])[1];
		check(firstPayload && back && firstPayload === back.payload, 'published payload is the journaled one');
		agent = startProc(SCAND, agentArgs2);
		const again = await poll(() => events(sub).slice(before).filter((m) => m.json.seq === 11)[0], 8000);
		check(again && again.payload === firstPayload, 'restart before ack: seq 11 resent with identical payload');
		check(events(sub).slice(before).some((m) => m.json.seq === 10 && m.json.type === 'scan.started'),
			'restart before ack: seq 10 resent too');
		const order = events(sub).slice(before).map((m) => m.json.seq);
		check(order.indexOf(10) >= 0 && order.indexOf(10) < order.indexOf(11), 'resent in order');
		pub(broker, `mlab/v1/${ID}/ack`, '{"seq":11}', { retain: true });
		check(await poll(() => !/^E /m.test(fs.readFileSync(journal, 'utf8')), 3000), 'ack {"seq":11} empties the journal');

		// a new scan after the restart continues the sequence
		fs.writeFileSync(path.join(dir, 'next.stl'), binStl(1));
		const next = await poll(() => evFor(sub, 'scan.finished', 'next.stl')[0], 4000);
		check(next && next.json.seq === 13, 'seq survives restarts (next scan is 12, 13)', next && next.payload);
		check(await stopProc(agent) === 0, 'second agent stops with exit 0');
	} catch (e) {
		if (agent)
			console.log('# agent stderr:\n# ' + agent.err.split('\n').join('\n# '));
		throw e;
	}
});

main();
