// metrics_prom.mjs — issue 17 part 2: /metrics is what Prometheus users
// expect, checked with Prometheus's own linter (`promtool check metrics`,
// Debian package prometheus): seconds as the unit, a commit-duration
// histogram, API requests by status code, build info, process start time,
// the database's size and the space left beside it.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, test, main, assert, eq, startBroker, startHub, pub } from '../lib/harness.mjs';

const DOCS = path.join(ROOT, 'docs/monitoring');
let seen = '';	// the /metrics text of the first test

const value = (text, re) => {
	const m = text.match(new RegExp('^' + re + ' ([0-9.e+-]+)$', 'm'));
	return m ? Number(m[1]) : NaN;
};

test('promtool check metrics accepts /metrics, and the figures add up', async () => {
	const b = await startBroker();
	const hub = await startHub({ broker: b });
	for (let i = 0; i < 5; i++)
		pub(b, 'mlab/v1/probe/telemetry', { temperature_c: 20 + i });
	await hub.waitFor(async () => (await hub.device('mlab/probe'))?.metrics?.temperature_c === 24, 5000, 'telemetry stored');
	await hub.get('/api/no-such-route');
	await hub.get('/api/devices');
	await hub.waitFor(async () => value((await hub.get('/metrics')).text, 'mlab_commits_total') >= 1, 5000, 'a commit');
	const r = await hub.get('/metrics');
	eq(r.status, 200);
	assert(/^text\/plain; version=0\.0\.4/.test(r.headers.get('content-type')), r.headers.get('content-type'));
	const t = r.text;
	seen = t;
	const p = spawnSync('promtool', ['check', 'metrics'], { input: t, encoding: 'utf8' });
	assert(!p.error, 'promtool is installed (scripts/deps.sh check installs the prometheus package): ' + (p.error && p.error.message));
	eq(p.status, 0, 'promtool check metrics: ' + p.stdout + p.stderr);
	eq((p.stdout + p.stderr).trim(), '', 'no lint remarks');

	assert(!/_ms\b|_ms_/.test(t), 'no milliseconds left');
	const count = value(t, 'mlab_commit_duration_seconds_count');
	assert(count >= 1, 'commits counted in the histogram');
	eq(value(t, 'mlab_commit_duration_seconds_bucket\\{le="\\+Inf"\\}'), count, '+Inf bucket = count');
	assert(value(t, 'mlab_commit_duration_seconds_sum') > 0, 'sum of durations');
	assert(value(t, 'mlab_http_requests_total\\{code="404"\\}') >= 1, 'the 404 counted by its code');
	assert(value(t, 'mlab_http_requests_total\\{code="200"\\}') >= 1, '200s counted');
	assert(/^mlab_build_info\{version="[^"]+"\} 1$/m.test(t), 'build info');
	const start = value(t, 'process_start_time_seconds');
	assert(Math.abs(start - Date.now() / 1000) < 600, 'process start time in Unix seconds: ' + start);
	assert(value(t, 'mlab_db_bytes') > 4096, 'database size');
	assert(value(t, 'mlab_disk_free_bytes') > 0, 'free space');
	eq((await hub.stop()).code, 0);
});

test('the scrape example is a valid Prometheus config; the dashboard asks only for metrics the hub has', async () => {
	const p = spawnSync('promtool', ['check', 'config', path.join(DOCS, 'prometheus.yml')], { encoding: 'utf8' });
	eq(p.status, 0, 'promtool check config: ' + p.stdout + p.stderr);
	const dash = JSON.parse(fs.readFileSync(path.join(DOCS, 'grafana-dashboard.json'), 'utf8'));
	assert(Array.isArray(dash.panels) && dash.panels.length >= 8, 'panels');
	const names = new Set(seen.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
	assert(names.size > 10, 'metric names from the first test');
	let used = 0;
	for (const panel of dash.panels)
		for (const t of panel.targets || [])
			for (const m of t.expr.match(/\b(mlab_[a-z_]+|process_[a-z_]+)/g) || []) {
				const base = m.replace(/_(bucket|sum|count)$/, '');
				assert(names.has(m) || names.has(base), `panel "${panel.title}" asks for ${m}, which /metrics does not have`);
				used++;
			}
	assert(used >= 15, 'metrics used by the dashboard: ' + used);
});

main();
