// backup.mjs — issue 9: `mlab-hub backup --to FILE` while the hub stores a
// stream of events gives a copy that opens and passes integrity_check, and
// the documented restore (stop, copy over, drop -wal/-shm, start) brings
// the data back.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, HUB_BIN, test, main, assert, eq, sleep, startBroker, startHub, tmpdir, run, track } from '../lib/harness.mjs';

const LOADER = path.join(ROOT, 'devices/mlab-load');
const sql = (db, q) => run('sqlite3', [db, q]).stdout.trim();

test('a backup taken under load is consistent, and a restore brings the data back', async () => {
	const b = await startBroker();
	// events (committed within store.commit_ms) are what the copies count:
	// telemetry waits for its own, longer window
	const hub = await startHub({ broker: b, sets: ['store.commit_ms=20'] });
	const dir = tmpdir();
	const load = track(spawn(LOADER, ['-p', String(b.port), '-n', '10', '-r', '1000', '-d', '4', '-k', 'mixed', '--no-announce'],
		{ stdio: 'ignore' }));
	const loadDone = new Promise((r) => load.on('exit', r));
	await sleep(1500);
	const copies = [];
	for (let i = 0; i < 3; i++) {	// several copies while rows keep arriving
		const f = path.join(dir, `backup-${i}.db`);
		const r = run(HUB_BIN, ['--set', `store.path=${hub.db}`, 'backup', '--to', f]);
		eq(r.status, 0, r.stderr);
		copies.push(f);
		await sleep(300);
	}
	await loadDone;
	// the broker may still hold a backlog for the hub's persistent session:
	// let it drain, or it would arrive after the restore as new rows
	let last = -1;
	for (let now = Number(sql(hub.db, 'SELECT count(*) FROM events')); now !== last;
		now = Number(sql(hub.db, 'SELECT count(*) FROM events'))) {
		last = now;
		await sleep(500);
	}
	for (const f of copies) {
		eq(sql(f, 'PRAGMA integrity_check'), 'ok', f);
		assert(!fs.existsSync(f + '-wal') || fs.statSync(f + '-wal').size === 0, 'a plain file, no WAL to carry');
	}
	const n0 = Number(sql(copies[0], 'SELECT count(*) FROM events'));
	const n2 = Number(sql(copies[2], 'SELECT count(*) FROM events'));
	assert(n0 > 0 && n2 > n0, `copies grow with the data (${n0} then ${n2})`);
	eq(sql(copies[2], 'PRAGMA user_version'), sql(hub.db, 'PRAGMA user_version'), 'same schema');

	// the restore of docs/pi.md: stop, copy over, drop -wal/-shm, start
	const before = Number(sql(copies[2], 'SELECT count(*) FROM devices'));
	eq((await hub.stop()).code, 0);
	const later = Number(sql(hub.db, 'SELECT count(*) FROM events'));
	assert(later >= n2, 'the live database had at least as much');
	fs.copyFileSync(copies[2], hub.db);
	for (const x of ['-wal', '-shm']) fs.rmSync(hub.db + x, { force: true });
	await hub.start();
	eq((await hub.get('/api/devices')).json.devices.length, before, 'the devices of the backup are back');
	eq(Number(sql(hub.db, 'SELECT count(*) FROM events')), n2, 'exactly the rows of the backup');
	eq((await hub.stop()).code, 0);
});

test('backup errors are clear: missing --to, unwritable target', async () => {
	const dir = tmpdir();
	let r = run(HUB_BIN, ['--set', `store.path=${dir}/x.db`, 'backup']);
	assert(r.status !== 0 && /usage: mlab-hub backup --to FILE/.test(r.stderr), r.stderr);
	r = run(HUB_BIN, ['--set', `store.path=${dir}/none.db`, 'backup', '--to', `${dir}/out.db`]);
	assert(r.status !== 0 && /backup: cannot open/.test(r.stderr), 'a missing database: ' + r.stderr);
	fs.writeFileSync(`${dir}/live.db`, '');
	run('sqlite3', [`${dir}/live.db`, 'CREATE TABLE t(x)']);
	r = run(HUB_BIN, ['--set', `store.path=${dir}/live.db`, 'backup', '--to', '/nonexistent/dir/out.db']);
	assert(r.status !== 0 && /cannot create|unable to open/i.test(r.stderr), r.stderr);
});

main();
