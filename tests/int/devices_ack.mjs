// devices_ack.mjs — the device side of the acknowledgement rule
// (docs/devices.md, "Acknowledgements"), without a hub: the test itself
// plays the hub, storing the events it sees and publishing acks
// {"seq":W,"boot":B,"missing":[…]} on mlab/v1/<id>/ack.
//
//  1. mlab-scand keeps its boot id in its journal: the same boot after a
//     restart, seq going on; an ack of another boot is ignored; a range an
//     ack reports missing is republished at once (not on the resend timer).
//  2. mlab-load --resend-until-ack: an ack of another boot covers nothing,
//     --skip-seq 3 holds event 3 back until an ack reports it missing, and
//     the per-device summary says what was sent and acknowledged.
//  3. mlab-load --resend-until-ack with the broker restarted mid-burst:
//     every event reaches the "hub" and the loader ends with all acked.
//
// Run: node tests/int/devices_ack.mjs   (after make)
// Prints "ok - …" / "not ok - …" per check and ends with "N passed, N failed".

import fs from 'node:fs';
import path from 'node:path';
import {
	ROOT, test, main, check, poll, sleep, freePort, startBroker, subscribe, pub, startProc, stopProc, tmpdir,
} from '../lib/harness.mjs';

const SCAND = path.join(ROOT, 'devices/mlab-scand');
const LOADER = path.join(ROOT, 'devices/mlab-load');

const binStl = (n) => { const b = Buffer.alloc(84 + 50 * n); b.writeUInt32LE(n, 80); return b; };
const evs = (sub, id) => sub.msgs.filter((m) => m.topic === `mlab/v1/${id}/event` && m.json);
const summary = (out) => out.split('\n').filter((l) => l.startsWith('{"device"')).map((l) => JSON.parse(l));

// A stand-in hub: stores events per device and boot, acks the watermark.
function fakeHub(broker, sub) {
	const seen = new Map();	// device -> Set of seqs (one boot per device here)
	let stop = false, read = 0;
	const loop = (async () => {
		while (!stop) {
			const news = new Set();
			for (; read < sub.msgs.length; read++) {
				const m = sub.msgs[read];
				const d = m.topic.match(/^mlab\/v1\/([^/]+)\/event$/);
				if (!d || !m.json) continue;
				if (!seen.has(d[1])) seen.set(d[1], { boot: m.json.boot, seqs: new Set() });
				seen.get(d[1]).seqs.add(m.json.seq);
				news.add(d[1]);
			}
			for (const id of news) {
				const s = seen.get(id);
				let w = 0;
				while (s.seqs.has(w + 1)) w++;
				try { pub(broker, `mlab/v1/${id}/ack`, { seq: w, boot: s.boot }); } catch { /* broker away */ }
			}
			await sleep(100);
		}
	})();
	return { seen, stop: async () => { stop = true; await loop; } };
}

test('mlab-scand: the boot id lives in the journal; other boots ignored; missing ranges resent at once', async () => {
	const tmp = tmpdir('scand-ack');
	const dir = path.join(tmp, 'scans'), state = path.join(tmp, 'state'), id = 'ackscan';
	const journal = path.join(state, `${id}.journal`);
	fs.mkdirSync(dir);
	const broker = await startBroker({ persistence: false });
	const sub = await subscribe(broker, 'mlab/v1/#');
	const args = ['--dir', dir, '--id', id, '--state-dir', state, '--settle-ms', '200', '--resend-s', '600',
		'--port', String(broker.port)];
	let agent = startProc(SCAND, args);
	try {
		await poll(() => sub.msgs.some((m) => m.topic === `mlab/v1/${id}/status` && m.payload === 'online'));
		fs.writeFileSync(path.join(dir, 'a.stl'), binStl(2));
		const a = await poll(() => evs(sub, id).find((m) => m.json.type === 'scan.finished' && m.json.file === 'a.stl'), 4000);
		const boot = a && a.json.boot;
		check(boot && /^[A-Za-z0-9._-]{1,32}$/.test(boot) && a.json.seq === 2 && a.json.base === 1,
			'events carry seq, boot and base', a && a.payload);
		check(fs.readFileSync(journal, 'utf8').split('\n').includes(`B ${boot}`), 'the boot is in the journal');

		// an ack of another boot covers nothing
		pub(broker, `mlab/v1/${id}/ack`, { seq: 2, boot: 'someone-else' });
		await sleep(500);
		check((fs.readFileSync(journal, 'utf8').match(/^E /mg) || []).length === 2, 'an ack of another boot is ignored');

		// missing: seq 1 republished at once (the resend timer is 600 s)
		const before = evs(sub, id).length;
		pub(broker, `mlab/v1/${id}/ack`, { seq: 0, boot, missing: [[1, 1]] });
		const again = await poll(() => evs(sub, id).slice(before).find((m) => m.json.seq === 1), 3000);
		check(again && again.json.boot === boot && !evs(sub, id).slice(before).some((m) => m.json.seq === 2),
			'a missing range is republished at once, and only it');

		// acked with the right boot: journal emptied
		pub(broker, `mlab/v1/${id}/ack`, { seq: 2, boot });
		check(await poll(() => !/^E /m.test(fs.readFileSync(journal, 'utf8')), 3000), 'an ack of our boot empties the journal');

		// restart: same boot, seq goes on
		check(await stopProc(agent) === 0, 'agent stops with exit 0');
		agent = startProc(SCAND, args);
		await poll(() => agent.err.includes('watching'), 3000);
		fs.writeFileSync(path.join(dir, 'b.stl'), binStl(3));
		const b = await poll(() => evs(sub, id).find((m) => m.json.type === 'scan.finished' && m.json.file === 'b.stl'), 4000);
		check(b && b.json.boot === boot && b.json.seq === 4 && b.json.base === 3,
			'after a restart: the same boot, seq 3, 4 and base 3', b && b.payload);
		check(await stopProc(agent) === 0, 'second agent stops with exit 0');

		// a journal from before boot ids gets a boot, keeps seq and rewrites its pending events
		fs.writeFileSync(journal, 'S 8 5\nE 6 {"seq":6,"type":"scan.started","ts":"2026-01-01T00:00:00Z","file":"old.stl"}\n');
		agent = startProc(SCAND, args);
		const old = await poll(() => evs(sub, id).find((m) => m.json.seq === 6 && m.json.file === 'old.stl'), 4000);
		const j = fs.readFileSync(journal, 'utf8');
		const nb = (j.match(/^B (\S+)$/m) || [])[1];
		check(old && nb && old.json.boot === nb && old.json.base === 6 && /^S 8 5$/m.test(j),
			'an old journal: new boot, seq kept, pending event rewritten with boot and base', j);
		check(await stopProc(agent) === 0, 'third agent stops with exit 0');
	} catch (e) {
		console.log('# agent stderr:\n# ' + agent.err.split('\n').join('\n# '));
		throw e;
	}
});

test('mlab-load: acks of other boots, --skip-seq held back until reported missing, summary', async () => {
	const broker = await startBroker({ persistence: false });
	const sub = await subscribe(broker, 'mlab/v1/#');
	const boot = 'skiptest';
	const l = startProc(LOADER, ['-p', String(broker.port), '-n', '1', '-c', '4', '-r', '50', '-k', 'event',
		'--resend-until-ack', '--resend-ms', '600000', '--ack-timeout', '20', '--skip-seq', '3', '--boot', boot,
		'--id-prefix', 'skip', '--no-announce']);
	const id = 'skip-0001';
	const got = await poll(() => evs(sub, id).some((m) => m.json.seq === 4) && evs(sub, id), 5000);
	check(got && got.map((m) => m.json.seq).join(',') === '1,2,4' && got.every((m) => m.json.boot === boot),
		'--skip-seq 3: events 1, 2, 4 go out, with the boot', got && got.map((m) => m.payload).join(' '));
	// another boot's ack would cover 1..4; it must not
	pub(broker, `mlab/v1/${id}/ack`, { seq: 4, boot: 'not-mine' });
	pub(broker, `mlab/v1/${id}/ack`, { seq: 2, boot });
	await sleep(500);
	check(!evs(sub, id).some((m) => m.json.seq === 3), 'event 3 is not sent before an ack reports it missing');
	pub(broker, `mlab/v1/${id}/ack`, { seq: 2, boot, missing: [[3, 3]] });
	const three = await poll(() => evs(sub, id).find((m) => m.json.seq === 3), 3000);
	check(three && three.json.base === 3 && three.json.boot === boot, 'reported missing: event 3 sent at once, base 3',
		three && three.payload);
	pub(broker, `mlab/v1/${id}/ack`, { seq: 4, boot });
	const code = await Promise.race([l.exited, sleep(10000).then(() => 'timeout')]);
	check(code === 0, 'the loader ends with everything acknowledged', l.out + l.err);
	const s = summary(l.out);
	check(s.length === 1 && s[0].device === id && s[0].boot === boot && s[0].sent === 4 && s[0].acked === 4,
		'summary: one line per device with boot, last seq sent and acked', l.out);
});

test('mlab-load: resend until acknowledged across a broker restart', async () => {
	const port = await freePort();
	const broker = await startBroker({ port, persistence: false });
	let sub = await subscribe(broker, 'mlab/v1/+/event');
	let hub = fakeHub(broker, sub);
	const l = startProc(LOADER, ['-p', String(port), '-n', '3', '-c', '600', '-r', '200', '-k', 'event',
		'--resend-until-ack', '--resend-ms', '300', '--ack-timeout', '30', '--id-prefix', 'rb', '--no-announce']);
	await sleep(1000);
	await hub.stop();
	const seen = hub.seen;
	await broker.stop();
	await sleep(800);
	await broker.start();
	sub = await subscribe(broker, 'mlab/v1/+/event');
	hub = fakeHub(broker, sub);
	for (const [k, v] of seen) hub.seen.set(k, v);	// the stand-in hub keeps what it stored
	const code = await Promise.race([l.exited, sleep(40000).then(() => 'timeout')]);
	await hub.stop();
	check(code === 0, 'the loader ends with everything acknowledged', (l.out + l.err).trim().split('\n').slice(-3).join(' | '));
	const s = summary(l.out);
	check(s.length === 3 && s.every((d) => d.sent === 200 && d.acked === 200 && d.boot === s[0].boot),
		'summary: each device sent and had acknowledged seq 1..200 under one boot', l.out);
	check([...hub.seen.values()].every((v) => v.seqs.size === 200), 'every event reached the hub',
		[...hub.seen.values()].map((v) => v.seqs.size).join(','));
	check(/resent=[1-9]/.test(l.out), 'some events were resent after the restart', l.out.trim().split('\n').pop());
});

main();
