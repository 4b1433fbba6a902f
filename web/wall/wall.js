// wall.js — the big screen: live lab activity, no login, no personal data
// (no file names, no people: machines, counts and project titles only).
//
// It fits one screen (1920×1080) with no scrollbar: a list longer than its
// box is shown a page at a time, turning every PAGE_MS.  It has no control
// (no one can press one): it alternates French and English by itself every
// LANG_MS, unless ?lang=fr|en fixes one.  When the hub or its broker is
// away it says calmly that updates are paused, with the time of the last
// data, and keeps showing that data.  "Machines at work" counts only
// devices known to be online, so it never exceeds "devices online".
import { $, h, replaceKeepFocus } from '../js/dom.js';
import * as i18n from '../js/i18n.js';
import { t, tn, fmtNumber, fmtPercent, fmtDuration, fmtTime, fmtEta } from '../js/i18n.js';
import { get, list } from '../js/api.js';
import { connect } from '../js/live.js';
import { vocab } from '../js/vocab.js';

let ACTIVE = new Set();	// a job under way: the hub's job_state_active (main)
const PAGE_MS = 12000, LANG_MS = 30000;
const devices = new Map();
let projects = [], projectsFromSnap = false, todayKey = '';
let counts = { scans: null, prints: null };
let lastData = null, hubAway = false, brokerDown = false;
const pages = new Map();	// list element → first item shown

// The wall is public: a machine shows its public name, else a plain one
// made from its kind and a number ("Imprimante 3D 2"), never the staff's
// name for it (which may name a person or a serial number).  The number
// counts the unnamed machines of that kind in the order of their ids, so
// it stays the same from one day to the next.
const KINDS = new Set(['printer', 'scanner']);
function publicName(d) {
	if (d.public_name) return d.public_name;
	const kind = KINDS.has(d.kind) ? d.kind : 'other';
	const same = [...devices.values()].filter((x) => !x.public_name && (KINDS.has(x.kind) ? x.kind : 'other') === kind)
		.map((x) => x.id).sort();
	return t('wall.kind.' + kind, { n: same.indexOf(d.id) + 1 });
}
const publicTitle = (p) => p.public_title || p.title;

function stat(id, n, key) {
	$('#' + id).textContent = n === null ? '—' : fmtNumber(n, 0);
	$('#' + id + '-label').textContent = tn(key, n === null ? 2 : n);
}

function renderDevices() {
	const online = [...devices.values()].filter((d) => d.online);
	const busy = online.filter((d) => d.job && ACTIVE.has(d.job.state))
		.sort((a, b) => publicName(a).localeCompare(publicName(b)));
	replaceKeepFocus($('#w-busy'), busy.map((d) => {
		const j = d.job, scan = j.kind === 'scan' || d.kind === 'scanner';
		const pct = typeof j.progress_pct === 'number' && !(scan && j.progress_pct === 0) ? j.progress_pct : null;
		let progress;
		if (pct !== null) {
			const bar = h('div', {
				class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
				'aria-valuenow': Math.round(pct), 'aria-label': t('job.progress'),
			}, h('span', { class: 'bar-fill' }));
			bar.firstChild.style.width = pct + '%';
			progress = h('div', { class: 'busy-progress' }, bar, h('span', { class: 'pct' }, fmtPercent(pct)));
		} else {
			progress = h('p', { class: 'busy-nopct' }, t('job.no_pct'));
		}
		const left = typeof j.remaining_s === 'number' && j.remaining_s > 0 && j.state !== 'paused'
			? h('p', { class: 'busy-left' }, t('wall.left', { t: fmtDuration(j.remaining_s), eta: fmtEta(j.remaining_s) })) : null;
		return h('li', { class: 'busy' },
			h('p', { class: 'busy-name' }, publicName(d)),
			h('p', { class: `busy-state state-${j.state}` }, t(scan && j.state === 'printing' ? 'job.state.scanning' : 'job.state.' + j.state)),
			progress, left);
	}));
	$('#w-busy-none').hidden = busy.length > 0;
	stat('w-printing', busy.length, 'wall.printing_now');
	stat('w-online', online.length, 'wall.online');
	paginate($('#w-busy'));
}

function confirmedOf(p) {
	const c = p.contributions;
	if (c && typeof c === 'object') return c.confirmed ?? 0;
	return p.contributions_confirmed ?? p.contribution_count ?? (typeof c === 'number' ? c : 0);
}

function renderProjects() {
	const shown = projects.filter((p) => (!p.status || p.status === 'active') && p.visibility !== 'internal');
	replaceKeepFocus($('#w-projects'), shown.map((p) => h('li', { class: 'proj' },
		h('span', { class: 'proj-num' }, fmtNumber(confirmedOf(p), 0)),
		h('span', { class: 'proj-text' }, h('span', { class: 'proj-title' }, publicTitle(p)),
			h('span', { class: 'proj-unit' }, tn('wall.contributions', confirmedOf(p)))))));
	$('#w-projects-none').hidden = shown.length > 0;
	paginate($('#w-projects'));
}

function renderCounts() {
	stat('w-scans', counts.scans, 'wall.scans_today');
	stat('w-prints', counts.prints, 'wall.prints_today');
}

// Show one page of ul: pages are cut where the next item would not fit in
// the box (measured with every item shown), the current page is the one
// holding the first item shown, and the note says "2 / 3" when there is
// more than one.  ul.dataset.next is the first item of the next page.
function paginate(ul) {
	const items = [...ul.children], note = ul.parentElement.querySelector('.page-note');
	if (!note) return;
	for (const li of items) li.hidden = false;
	const box = ul.getBoundingClientRect(), starts = [];
	let top = 0;
	for (const [i, li] of items.entries()) {
		const r = li.getBoundingClientRect();
		if (!starts.length || r.bottom - top > box.height + 1) { starts.push(i); top = r.top; }
	}
	const page = Math.max(0, starts.findLastIndex((s) => s <= (pages.get(ul) || 0)));
	const from = starts[page] || 0, to = page + 1 < starts.length ? starts[page + 1] : items.length;
	for (const [i, li] of items.entries()) li.hidden = i < from || i >= to;
	pages.set(ul, from);
	ul.dataset.next = page + 1 < starts.length ? starts[page + 1] : 0;
	note.hidden = starts.length <= 1;
	note.textContent = note.hidden ? '' : t('wall.page', { n: page + 1, of: starts.length });
}

function turnPages() {
	for (const ul of [$('#w-busy'), $('#w-projects')]) {
		pages.set(ul, +ul.dataset.next || 0);
		paginate(ul);
	}
}

async function refreshCounts() {
	const from = encodeURIComponent(i18n.todayStartIso());
	todayKey = i18n.todayStartIso();
	const [scans, prints] = await Promise.all([
		get(`/api/jobs?kind=scan&state=finished&from=${from}&limit=100000`),
		get(`/api/jobs?kind=print&state=finished&from=${from}&limit=100000`),
	]);
	if (scans.ok) counts.scans = list(scans.data, 'jobs').length;
	if (prints.ok) counts.prints = list(prints.data, 'jobs').length;
	renderCounts();
}

async function refreshProjects(snap) {
	if (snap && Array.isArray(snap.projects)) { projects = snap.projects; projectsFromSnap = true; }
	else if (!projectsFromSnap || !snap) {
		const r = await get('/api/projects');
		if (r.ok) projects = list(r.data, 'projects');
	}
	renderProjects();
}

// "Mise à jour en pause" while the hub or its broker is away.
function renderPaused() {
	const el = $('#w-paused');
	el.hidden = !(hubAway || brokerDown);
	el.textContent = el.hidden ? '' : t('wall.paused', { t: lastData ? fmtTime(lastData.toISOString()) : '—' });
	document.body.classList.toggle('is-paused', !el.hidden);
}

function tickClock() {
	$('#clock').textContent = i18n.fmtDate(new Date()) + ' · ' + i18n.fmtTime(new Date().toISOString());
	if (todayKey && i18n.todayStartIso() !== todayKey) refreshCounts();	// midnight
}

function onSnapshot(s) {
	lastData = new Date();
	devices.clear();
	for (const d of s.devices || []) devices.set(d.id, d);
	renderDevices();
	refreshCounts();
	refreshProjects(s);
}

let countsTimer = null;
function onMessage(m) {
	if (!brokerDown) lastData = new Date();
	if (m.type === 'device') { devices.set(m.device.id, m.device); renderDevices(); }
	else if (m.type === 'job') { clearTimeout(countsTimer); countsTimer = setTimeout(refreshCounts, 300); }
	else if (/^(project|contribution)/.test(m.type)) refreshProjects(null);
}

function relabel() { renderDevices(); renderProjects(); renderCounts(); renderPaused(); tickClock(); }

async function main() {
	const q = new URLSearchParams(location.search).get('lang');
	await i18n.init({ remembered: false });
	if (q) await i18n.setLang(q, false);
	ACTIVE = new Set((await vocab()).job_state_active || []);
	i18n.onLangChange(relabel);
	relabel();
	setInterval(tickClock, 15000);
	setInterval(() => { refreshCounts(); refreshProjects(null); }, 300000);
	setInterval(turnPages, PAGE_MS);
	if (!q) setInterval(() => i18n.setLang(i18n.currentLang() === 'fr' ? 'en' : 'fr', false), LANG_MS);
	// the boxes change size with the language, the clock, the stats: fit again
	const ro = new ResizeObserver((entries) => { for (const e of entries) paginate(e.target); });
	ro.observe($('#w-busy'));
	ro.observe($('#w-projects'));
	connect({
		onSnapshot, onMessage, banner: null,
		onLink: (state) => { hubAway = state !== 'up'; renderPaused(); },
		onStatus: (st) => { brokerDown = st.broker === 'disconnected'; renderPaused(); },
	});
}

main();
