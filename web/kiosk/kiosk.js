// kiosk.js — the tablet at the lab's door (kiosk role).
//
// Screens: home → check in | rate | idea → thanks → home.  It never shows
// personal data: what a visitor types is sent and the form is emptied
// at once; nothing is read back.  After kiosk.idle_s seconds without a
// touch it starts over, in French.  The kiosk account logs in once (a
// facilitator types it); the login cookie keeps it logged in.
import { $, $$, h } from '../js/dom.js';
import * as i18n from '../js/i18n.js';
import { t } from '../js/i18n.js';
import { get, post, list } from '../js/api.js';
import { connect } from '../js/live.js';
import { errorText } from '../js/errors.js';
import * as outbox from './outbox.js';
import { createFamily } from './family.js';
import { vocab } from '../js/vocab.js';

// the participation API's age bands, those of children under 14 (for
// whom a parent or guardian gives any consent), those of minors (the
// family question) and the adults' broad band, from GET /api/vocab
let ageBands = [], childBands = [], minorBands = [], adultBand = null;
const SCREENS = ['k-login', 'k-home', 'k-checkin', 'k-rate', 'k-idea', 'k-thanks'];
let role = null, session = null, projects = [], live = null, family = null;
let idleMs = Number(document.body.dataset.idleS || 60) * 1000, idleTimer = null, thanksTimer = null;
let scale = 3;

function show(id) {
	for (const s of SCREENS) $('#' + s).hidden = s !== id;
	document.body.dataset.screen = id;
	const heading = $('#' + id + ' h2');
	if (heading) { heading.tabIndex = -1; heading.focus(); }
}

// Forget everything typed and go home; for the next visitor (idle, or
// after the thanks screen times out) also back to French.
function reset(nextVisitor = false) {
	clearTimeout(thanksTimer);
	for (const f of $$('form')) f.reset();
	for (const el of $$('.reveal')) el.hidden = true;
	for (const el of $$('.error')) el.hidden = true;
	$('#k-guardian-box').hidden = true;
	$('#k-size').value = 1;
	if (family) family.reset();
	if (nextVisitor === true && i18n.currentLang() !== 'fr') i18n.setLang('fr', false);
	show(role === 'public' || !role ? 'k-login' : 'k-home');
}

function poke() {
	clearTimeout(idleTimer);
	idleTimer = setTimeout(() => { if (document.body.dataset.screen !== 'k-login') reset(true); }, idleMs);
}

// ---- the open session and its project --------------------------------

function currentProject() {
	const ids = (session && (session.project_ids || (session.projects || []).map((p) => p.id ?? p))) || [];
	const id = ids[0];
	if (id === undefined) return null;
	return projects.find((p) => p.id === id) || (session.projects || []).find((p) => p.id === id) || { id };
}

async function refreshSession(snap) {
	if (snap && (snap.session !== undefined || snap.current_session !== undefined))
		session = snap.session !== undefined ? snap.session : snap.current_session;
	else {
		const r = await get('/api/sessions/current');
		session = r.ok && r.data ? (r.data.session !== undefined ? r.data.session : r.data) : null;
	}
	if (session && (!session.id || session.ended_at)) session = null;
	if (snap && Array.isArray(snap.projects)) projects = snap.projects;
	else {
		const r = await get('/api/projects');
		projects = r.ok ? list(r.data, 'projects') : projects;
	}
	renderProject();
}

function renderProject() {
	const p = currentProject();
	const line = p && p.title ? t('kiosk.project', { title: p.title }) : '';
	$('#k-project').hidden = !line;
	$('#k-project').textContent = line;
	$('#k-idea-project').textContent = line;
	$('#k-idea-nosession').hidden = !!p;
	$('#k-idea-form').hidden = !p;
	$('#k-checkin-nosession').hidden = !!session;
	// with no session open, offer only what works: the rating
	const open = !!session;
	$('#k-home-nosession').hidden = open;
	for (const b of $$('[data-needs-session]')) b.hidden = !open;
	document.body.dataset.session = open ? 'open' : 'none';
	if (!open && ['k-checkin', 'k-idea'].includes(document.body.dataset.screen)) show('k-home');
}

// ---- the outbox: kept while the hub is away, sent when it is back --------

let outboxTimer = null, receivedTimer = null;

async function refreshOutbox() {
	let n = 0;
	try { n = await outbox.count(); } catch { }
	const el = $('#k-outbox');
	el.hidden = !n;
	el.dataset.n = n;
	el.textContent = n ? i18n.tn('kiosk.outbox.waiting', n) : '';
}

async function flushOutbox() {
	const sent = await outbox.flush();
	await refreshOutbox();
	if (sent.length) {
		$('#k-thanks-kept').hidden = true;	// no longer true
		const el = $('#k-received');
		el.dataset.n = sent.length;
		el.textContent = i18n.tn('kiosk.outbox.received', sent.length);
		el.hidden = false;
		clearTimeout(receivedTimer);
		receivedTimer = setTimeout(() => { el.hidden = true; }, 15000);
	}
}

// ---- check in ----------------------------------------------------------

function buildAges() {
	const box = $('#k-ages'), was = (box.querySelector('input:checked') || {}).value;
	box.replaceChildren(...ageBands.map((b, i) => h('div', { class: 'pill' },
		h('input', { type: 'radio', name: 'age', id: 'k-age-' + i, value: b, checked: b === was }),
		h('label', { for: 'k-age-' + i }, t('age.' + b)))));
}

function wireCheckin() {
	const reveal = (box, on, input) => { $(box).hidden = !on; if (!on) $(input).value = ''; };
	$('#k-c-contact').addEventListener('change', (e) => reveal('#k-email-box', e.target.checked, '#k-email'));
	$('#k-c-name').addEventListener('change', (e) => reveal('#k-name-box', e.target.checked, '#k-name'));
	$('#k-checkin-form').addEventListener('change', guardianBox);
	const size = $('#k-size');
	family = createFamily($('#k-family'), size, () => ({ minor: minorBands, adult: adultBand }));
	const clamp = (v) => Math.max(1, Math.min(50, v || 1));
	$('#k-size-minus').addEventListener('click', () => { size.value = clamp(+size.value - 1); });
	$('#k-size-plus').addEventListener('click', () => { size.value = clamp(+size.value + 1); });
	$('#k-checkin-form').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const err = $('#k-checkin-error');
		const age = ($('#k-ages input:checked') || {}).value;
		const consent = { contact: $('#k-c-contact').checked, photo: $('#k-c-photo').checked, publish_name: $('#k-c-name').checked };
		const email = $('#k-email').value.trim(), name = $('#k-name').value.trim();
		const fail = (key, vars, answer) => { err.hidden = false; err.textContent = answer ? errorText(answer) : t(key, vars); };
		if (!age) return fail('kiosk.err.age');
		if (consent.contact && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return fail('kiosk.err.email');
		if (consent.publish_name && !name) return fail('kiosk.err.name');
		if (isChild() && anyConsent() && !$('#k-guardian').checked) return fail('kiosk.err.guardian');
		if (isChild() && anyConsent()) consent.given_by = 'guardian';
		const body = { age_band: age, party_size: clamp(+size.value), consent };
		const members = family.members(age, body.party_size);
		if (typeof members === 'string') return fail('kiosk.family.too_many');
		if (members) body.members = members;
		if (session) body.session_id = session.id;
		if (consent.contact) body.email = email;
		if (consent.publish_name) body.display_name = name;
		const r = await outbox.submit('/api/participants', body, 'checkin');
		if (r.state === 'refused') return fail(null, null, r.answer);
		thanks('kiosk.thanks.checkin', r.state);
	});
}

function isChild() {
	const age = ($('#k-ages input:checked') || {}).value;
	return childBands.includes(age);
}
const anyConsent = () => ['#k-c-contact', '#k-c-photo', '#k-c-name'].some((id) => $(id).checked);

// A child's consents are given by a parent or guardian: ask them to say so.
function guardianBox() {
	const need = isChild() && anyConsent();
	$('#k-guardian-box').hidden = !need;
	if (!need) $('#k-guardian').checked = false;
}

// ---- rating ------------------------------------------------------------

// A face drawn in SVG (no emoji font needed): value 1 (sad) … scale (happy).
function face(value, of) {
	const mood = of === 1 ? 0 : (value - 1) / (of - 1);	// 0 sad … 1 happy
	const curve = 22 * (mood - 0.5) * 2;			// mouth bend
	const svg = h('svg:svg', { viewBox: '0 0 100 100', class: 'face-svg', 'aria-hidden': 'true' },
		h('svg:circle', { cx: 50, cy: 50, r: 46, class: 'face-head' }),
		h('svg:circle', { cx: 35, cy: 40, r: 6, class: 'face-eye' }),
		h('svg:circle', { cx: 65, cy: 40, r: 6, class: 'face-eye' }),
		h('svg:path', { d: `M 28 ${68 - curve / 2} Q 50 ${68 + curve} 72 ${68 - curve / 2}`, class: 'face-mouth' }));
	return svg;
}

function buildFaces() {
	const box = $('#k-faces');
	const values = Array.from({ length: scale }, (_, i) => scale - i);	// happiest first
	box.replaceChildren(...values.map((v) => h('button', {
		type: 'button', class: `face face-${v}`, dataset: { value: v },
		onclick: () => rate(v),
	}, face(v, scale), h('span', { class: 'face-label' }, t(`rating.${scale}.${v}`)))));
}

async function rate(v) {
	for (const b of $$('.face')) b.disabled = true;
	const r = await outbox.submit('/api/ratings', { value: v, scale }, 'rating');
	for (const b of $$('.face')) b.disabled = false;
	if (r.state === 'refused') {
		const err = $('#k-rate-error');
		err.hidden = false;
		err.textContent = errorText(r.answer);
		return;
	}
	thanks('kiosk.thanks.rate', r.state);
}

// ---- idea --------------------------------------------------------------

function wireIdea() {
	$('#k-idea-form').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const err = $('#k-idea-error'), text = $('#k-idea-text').value.trim(), p = currentProject();
		if (!text) { err.hidden = false; err.textContent = t('kiosk.err.idea'); return; }
		const body = { project_id: p ? p.id : null, kind: 'idea', title: text.slice(0, 200), body: text };
		if (session) body.session_id = session.id;
		const r = await outbox.submit('/api/contributions', body, 'idea');
		if (r.state === 'refused') { err.hidden = false; err.textContent = errorText(r.answer); return; }
		thanks('kiosk.thanks.idea', r.state);
	});
}

// state 'kept': the hub was away; it is kept here and will be sent.
function thanks(key, state = 'sent') {
	for (const f of $$('form')) f.reset();
	for (const el of $$('.reveal')) el.hidden = true;
	for (const el of $$('.error')) el.hidden = true;
	$('#k-guardian-box').hidden = true;
	$('#k-thanks-text').dataset.key = key;
	$('#k-thanks-text').textContent = t(key);
	$('#k-thanks-kept').hidden = state !== 'kept';
	show('k-thanks');
	if (state === 'kept') refreshOutbox();
	thanksTimer = setTimeout(() => reset(true), 6000);
}

// ---- login and live ------------------------------------------------------

async function login(ev) {
	ev.preventDefault();
	const err = $('#k-login-error');
	const r = await post('/api/login', { user: $('#k-user').value, password: $('#k-pass').value });
	$('#k-pass').value = '';
	$('#k-user').value = '';
	if (!r.ok) {
		err.hidden = false;
		err.textContent = r.status === 401 ? t('login.bad') : r.status === 404 ? t('login.unavailable') : errorText(r);
		return;
	}
	err.hidden = true;
	live.restart();
}

// The age bands from the hub (or the last ones seen while it is away).
async function loadVocab() {
	const v = await vocab();
	ageBands = v.age_band || [];
	childBands = v.child_age_bands || [];
	minorBands = v.minor_age_bands || [];
	adultBand = v.adult_age_band || null;
}

function onSnapshot(s) {
	if (!ageBands.length) {		// opened while the hub was away
		loadVocab().then(() => {
			buildAges();
			if (family) family.relabel();
		});
	}
	const was = role;
	role = s.role;
	const idle = (s.kiosk && s.kiosk.idle_s) || s.kiosk_idle_s;
	if (idle) idleMs = idle * 1000;
	const sc = s.rating && s.rating.scale;
	if ((sc === 5 || sc === 3) && sc !== scale) { scale = sc; buildFaces(); }
	refreshSession(s);
	if (was !== role) reset();
	if (role !== 'public') flushOutbox();
}

// The hub away, in a visitor's words: nothing for them to do, nothing
// lost (the outbox keeps what they give).  The broker, the database and
// the disk are the facilitators' business (the dashboard says so), so
// the kiosk shows only whether it can reach the hub, and no countdown.
function onLink(state) {
	const b = $('#banner'), away = state !== 'up';
	b.hidden = !away;
	b.dataset.kind = away ? 'calm' : '';
	b.dataset.key = away ? 'kiosk.away' : '';
	b.textContent = away ? t('kiosk.away') : '';
}

function onMessage(m) {
	if (/^(session|project)/.test(m.type)) refreshSession(null);
}

async function main() {
	await i18n.init({ remembered: false });
	if (i18n.config.kiosk_idle_s) idleMs = i18n.config.kiosk_idle_s * 1000;
	await loadVocab();
	i18n.wireSwitch($('#lang'), false);
	i18n.onLangChange(() => {
		buildAges(); buildFaces(); renderProject();
		if (family) family.relabel();
		const k = $('#k-thanks-text').dataset.key;
		if (k) $('#k-thanks-text').textContent = t(k);
		refreshOutbox();
		if ($('#banner').dataset.key) $('#banner').textContent = t($('#banner').dataset.key);
		const rec = $('#k-received');
		if (!rec.hidden) rec.textContent = i18n.tn('kiosk.outbox.received', +rec.dataset.n);
	});
	buildAges();
	buildFaces();
	wireCheckin();
	wireIdea();
	$('#k-login-form').addEventListener('submit', login);
	for (const b of $$('[data-go]')) b.addEventListener('click', () => show(b.dataset.go));
	for (const b of $$('[data-home]')) b.addEventListener('click', () => reset(false));
	for (const ev of ['pointerdown', 'keydown', 'input']) document.addEventListener(ev, poke, { passive: true });
	poke();
	live = connect({ onSnapshot, onMessage, onLink });
	refreshOutbox();
	outboxTimer = setInterval(() => { if (live.connected) flushOutbox(); }, 15000);
	installable();
}

// Installable full-screen: a service worker that caches the page shell
// only, and only in a secure context (plain HTTP works without it).  The
// manifest is linked once the hub's Content-Security-Policy lets it load
// (manifest-src 'self'); without it the browser would refuse it.
async function installable() {
	if (!window.isSecureContext) return;
	if ('serviceWorker' in navigator)
		navigator.serviceWorker.register('/kiosk/sw.js', { scope: '/kiosk/' }).catch(() => { });
	try {
		const r = await fetch('/kiosk/', { method: 'HEAD', cache: 'no-store' });
		const csp = r.headers.get('content-security-policy') || '';
		if (!csp || /manifest-src[^;]*'self'/.test(csp))
			document.head.append(h('link', { rel: 'manifest', href: '/kiosk/manifest.json' }));
	} catch { }
}

main();
