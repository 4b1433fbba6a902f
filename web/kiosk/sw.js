// sw.js — the kiosk's service worker: it keeps the page shell (markup,
// scripts, styles, catalogues, icons) so the kiosk opens even while the
// hub restarts.  It never touches /api, /ws, /healthz or anything outside
// the shell: those go to the network as if it were not there.  Registered
// only in a secure context (see kiosk.js); plain HTTP works without it.
const CACHE = 'mlab-kiosk-shell-v3';
const SHELL = ['/kiosk/', '/kiosk/kiosk.js', '/kiosk/kiosk.css', '/kiosk/outbox.js', '/kiosk/family.js',
	'/kiosk/family.css', '/kiosk/manifest.json', '/kiosk/icon.svg', '/kiosk/icon-192.png', '/kiosk/icon-512.png',
	'/style.css', '/favicon.svg',
	'/js/dom.js', '/js/i18n.js', '/js/api.js', '/js/live.js', '/js/errors.js', '/js/vocab.js', '/i18n/fr.json', '/i18n/en.json'];

self.addEventListener('install', (e) => {
	e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
	e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
		.then(() => self.clients.claim()));
});

// Network first (a fresh page when the hub answers), the cached shell
// when it does not.  Only GETs of shell files are answered here.
self.addEventListener('fetch', (e) => {
	const url = new URL(e.request.url);
	if (e.request.method !== 'GET' || url.origin !== location.origin) return;
	const path = url.pathname === '/kiosk/index.html' ? '/kiosk/' : url.pathname;
	if (!SHELL.includes(path)) return;
	e.respondWith(fetch(e.request).then((r) => {
		if (r.ok) { const copy = r.clone(); caches.open(CACHE).then((c) => c.put(path, copy)); }
		return r;
	}).catch(() => caches.match(path).then((r) => r || Response.error())));
});
