// rabbit.mjs — a private RabbitMQ node with its MQTT plugin, as the
// network's central broker (make check-network; docs/network.md).
//
// Its own node name, ports (AMQP, distribution, epmd, MQTT), Mnesia and
// log folders and Erlang cookie (HOME) under a temp folder: nothing is
// shared with a system RabbitMQ or another test, and no systemd.  The
// object has the shape of harness.startBroker's ({port, start, stop,
// log}); stop() ends the node (SIGTERM: RabbitMQ stops cleanly), start()
// brings it back on the same Mnesia folder, so durable queues (the
// bridges' persistent sessions) survive as on a real restart.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir, freePort, track, atCleanup, waitPort, sleep } from './harness.mjs';

export const RABBIT_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export async function startRabbit() {
	const dir = tmpdir('rabbit');
	const [amqp, dist, epmd, port] = [await freePort(), await freePort(), await freePort(), await freePort()];
	const node = `mlabtest${port}@localhost`;
	fs.writeFileSync(path.join(dir, 'rabbitmq.conf'), [
		`listeners.tcp.default = 127.0.0.1:${amqp}`,
		`mqtt.listeners.tcp.default = 127.0.0.1:${port}`,
		'mqtt.allow_anonymous = true',
		'log.console = false',
		'log.file.level = info',
	].join('\n') + '\n');
	fs.writeFileSync(path.join(dir, 'enabled_plugins'), '[rabbitmq_mqtt].\n');
	fs.writeFileSync(path.join(dir, '.erlang.cookie'), `mlabtest${port}cookie`, { mode: 0o400 });
	const env = {
		...process.env, HOME: dir, RABBITMQ_NODENAME: node, RABBITMQ_NODE_PORT: String(amqp),
		RABBITMQ_DIST_PORT: String(dist), ERL_EPMD_PORT: String(epmd),
		RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'), RABBITMQ_LOG_BASE: path.join(dir, 'log'),
		RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq'), RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
		RABBITMQ_PLUGINS_EXPAND_DIR: path.join(dir, 'plugins'), RABBITMQ_PID_FILE: path.join(dir, 'pid'),
		RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
		RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'advanced.config'),
	};
	const b = { port, dir, node, env, proc: null, log: '' };
	b.start = async () => {
		b.proc = track(spawn(RABBIT_SERVER, [], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
		b.proc.stdout.on('data', (d) => { b.log += d; });
		b.proc.stderr.on('data', (d) => { b.log += d; });
		// the MQTT listener opens last, once the node has booted
		await waitPort(port, 90000);
	};
	// the script runs the VM as its child and stops it on SIGTERM; a
	// SIGKILL would leave the VM behind, so that one goes to the VM (its
	// pid file) and then to the script
	const vm = () => { try { return Number(fs.readFileSync(env.RABBITMQ_PID_FILE, 'utf8')); } catch { return 0; } };
	b.stop = async (signal = 'SIGTERM') => {
		if (!b.proc || b.proc.exitCode !== null || b.proc.signalCode) return;
		const p = new Promise((r) => b.proc.once('exit', r));
		const kill = () => { if (vm()) try { process.kill(vm(), 'SIGKILL'); } catch { } };
		if (signal === 'SIGKILL') kill();
		b.proc.kill(signal);
		if (await Promise.race([p.then(() => true), sleep(30000)])) return;
		kill();
		b.proc.kill('SIGKILL');
		await p;
	};
	process.on('exit', () => { if (b.proc && b.proc.exitCode === null && vm()) try { process.kill(vm(), 'SIGKILL'); } catch { } });
	// rabbitmqctl against this node (its env, its cookie)
	b.ctl = (...args) => spawnSync('/usr/lib/rabbitmq/bin/rabbitmqctl', args, { env, encoding: 'utf8', timeout: 60000 });
	// the epmd the first start launches (a daemon on its private port):
	// it refuses -kill while a node is registered, i.e. until the VM's
	// connection to it is gone
	atCleanup(async () => {
		for (let i = 0; i < 50; i++) {
			const r = spawnSync('epmd', ['-port', String(epmd), '-kill'], { env, encoding: 'utf8' });
			if (!/not allowed/.test(r.stdout + r.stderr)) return;
			await sleep(200);
		}
	});
	atCleanup(() => b.stop());
	await b.start();
	return b;
}
