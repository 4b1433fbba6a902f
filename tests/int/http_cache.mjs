// http_cache.mjs — issue 17 part 5: HTTP as browsers expect.  Static
// files are revalidated with their ETag (304, not a new download); each
// page preloads its whole module chain (computed here from the import
// statements, so a new module without its <link rel="modulepreload">
// fails); the lab's settings come from GET /api/config, not from
// constants in the JavaScript.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, shareBetweenTests, test, main, assert, eq, startHub, request } from '../lib/harness.mjs';

shareBetweenTests();

const WEB = path.join(ROOT, 'web');
let hub;

test('static files: cache-control that lets the ETag work, 304 on If-None-Match', async () => {
	hub = await startHub({ sets: ['lab.timezone=Europe/Paris', 'kiosk.idle_s=30', 'lab.name=Atelier test'] });
	for (const p of ['/app.js', '/js/i18n.js', '/style.css', '/kiosk/', '/']) {
		const r = await hub.get(p);
		eq(r.status, 200, p);
		const cc = r.headers.get('cache-control') || '';
		assert(!/no-store/.test(cc), `${p}: ${cc}`);
		assert(/must-revalidate|no-cache/.test(cc), `${p} is revalidated: ${cc}`);
		const etag = r.headers.get('etag');
		assert(etag, p + ' has an ETag');
		const again = await request(hub.url + p, { headers: { 'if-none-match': etag } });
		eq(again.status, 304, p + ' unchanged: 304');
	}
	// the API is never cached
	assert(/no-store/.test((await hub.get('/api/config')).headers.get('cache-control')), 'API: no-store');
});

// Modules a module imports, relative to the web root ("/js/dom.js").
function imports(url) {
	const file = path.join(WEB, url);
	const src = fs.readFileSync(file, 'utf8');
	const out = [];
	for (const m of src.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm))
		out.push(path.posix.normalize(path.posix.join(path.posix.dirname(url), m[1])));
	return out;
}

test('each page preloads its whole module chain', async () => {
	for (const page of ['index.html', 'kiosk/index.html', 'wall/index.html', 'network/index.html', 'admin/index.html',
		'jobs/index.html', 'report/index.html']) {
		const html = fs.readFileSync(path.join(WEB, page), 'utf8');
		const entry = html.match(/<script type="module" src="([^"]+)"/)[1];
		const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]));
		const seen = new Set(), todo = [entry];
		while (todo.length) {
			const u = todo.pop();
			if (seen.has(u)) continue;
			seen.add(u);
			todo.push(...imports(u));
		}
		seen.delete(entry);
		for (const u of seen) assert(preloaded.has(u), `${page}: ${u} is imported but not preloaded`);
		for (const u of preloaded) {
			assert(seen.has(u), `${page}: ${u} is preloaded but not imported`);
			eq((await hub.get(u)).status, 200, u);
		}
	}
});

test('GET /api/config: the lab settings the pages use, none hard-coded in the JavaScript', async () => {
	const c = (await hub.get('/api/config')).json;
	eq(c.timezone, 'Europe/Paris');
	eq(c.lab_name, 'Atelier test');
	eq(c.kiosk_idle_s, 30);
	eq(c.fiscal_year.start_month, 4);
	eq(c.fiscal_year.start_day, 1);
	assert(Number.isInteger(c.fiscal_year.current) && c.fiscal_year.current >= 2024, 'current fiscal year');
	eq(JSON.stringify(c.languages), '["fr","en"]');
	const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.js') ? [path.join(d, e.name)] : []);
	for (const f of walk(WEB)) {
		const src = fs.readFileSync(f, 'utf8');
		assert(!/America\/Toronto/.test(src), path.relative(ROOT, f) + ' hard-codes the time zone');
		assert(!/m >= 4 \?/.test(src), path.relative(ROOT, f) + ' hard-codes the fiscal year start');
	}
	assert(/\/api\/config/.test(fs.readFileSync(path.join(WEB, 'js/i18n.js'), 'utf8')), 'the pages read /api/config');
	eq((await hub.stop()).code, 0);
});

main();
