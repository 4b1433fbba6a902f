// wall.js — the big screen: live lab activity, no login, no personal data
// (no file names, no people: machines, counts and project titles only).
import { $, h, replaceKeepFocus } from '../js/dom.js';
import * as i18n from '../js/i18n.js';
import { t, fmtNumber, fmtDuration } from '../js/i18n.js';
import { get, list } from '../js/api.js';
import { connect } from '../js/live.js';

const ACTIVE = new Set(['preparing', 'printing', 'paused']);
const devices = new Map();
let projects = [], projectsFromSnap = false, todayKey = '';

function renderDevices() {
	const busy = [...devices.values()].filter((d) => d.job && ACTIVE.has(d.job.state))
		.sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
	replaceKeepFocus($('#w-busy'), busy.map((d) => {
		const pct = d.job.progress_pct;
		const bar = h('div', {
			class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
			'aria-valuenow': Math.round(pct || 0), 'aria-label': t('job.progress'),
		}, h('span', { class: 'bar-fill' }));
		bar.firstChild.style.width = (pct || 0) + '%';
		return h('li', { class: 'busy' },
			h('p', { class: 'busy-name' }, d.name || d.id),
			h('p', { class: 'busy-state' }, t((d.job.kind === 'scan' || d.kind === 'scanner') && d.job.state === 'printing'
				? 'job.state.scanning' : 'job.state.' + d.job.state)),
			pct !== undefined ? h('div', { class: 'busy-progress' }, bar, h('span', { class: 'pct' }, fmtNumber(pct, 0) + ' %')) : null,
			d.job.remaining_s !== undefined ? h('p', { class: 'busy-left' }, t('job.remaining', { t: fmtDuration(d.job.remaining_s) })) : null);
	}));
	$('#w-busy-none').hidden = busy.length > 0;
	$('#w-printing').textContent = fmtNumber(busy.length, 0);
	$('#w-online').textContent = fmtNumber([...devices.values()].filter((d) => d.online).length, 0);
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
		h('span', { class: 'proj-text' }, h('span', { class: 'proj-title' }, p.title),
			h('span', { class: 'proj-unit' }, t('wall.contributions', { n: confirmedOf(p) }))))));
	$('#w-projects-none').hidden = shown.length > 0;
}

async function refreshCounts() {
	const from = encodeURIComponent(i18n.todayStartIso());
	todayKey = i18n.todayStartIso();
	const [scans, prints] = await Promise.all([
		get(`/api/jobs?kind=scan&state=finished&from=${from}&limit=100000`),
		get(`/api/jobs?kind=print&state=finished&from=${from}&limit=100000`),
	]);
	$('#w-scans').textContent = scans.ok ? fmtNumber(list(scans.data, 'jobs').length, 0) : '—';
	$('#w-prints').textContent = prints.ok ? fmtNumber(list(prints.data, 'jobs').length, 0) : '—';
}

async function refreshProjects(snap) {
	if (snap && Array.isArray(snap.projects)) { projects = snap.projects; projectsFromSnap = true; }
	else if (!projectsFromSnap || !snap) {
		const r = await get('/api/projects');
		if (r.ok) projects = list(r.data, 'projects');
	}
	renderProjects();
}

function tickClock() {
	$('#clock').textContent = i18n.fmtDate(new Date()) + ' · ' + i18n.fmtTime(new Date().toISOString());
	if (todayKey && i18n.todayStartIso() !== todayKey) refreshCounts();	// midnight
}

function onSnapshot(s) {
	devices.clear();
	for (const d of s.devices || []) devices.set(d.id, d);
	renderDevices();
	refreshCounts();
	refreshProjects(s);
}

let countsTimer = null;
function onMessage(m) {
	if (m.type === 'device') { devices.set(m.device.id, m.device); renderDevices(); }
	else if (m.type === 'job') { clearTimeout(countsTimer); countsTimer = setTimeout(refreshCounts, 300); }
	else if (/^(project|contribution)/.test(m.type)) refreshProjects(null);
}

async function main() {
	const q = new URLSearchParams(location.search).get('lang');
	await i18n.init();
	if (q) await i18n.setLang(q, false);
	i18n.wireSwitch($('#lang'));
	i18n.onLangChange(() => { renderDevices(); renderProjects(); refreshCounts(); tickClock(); });
	tickClock();
	setInterval(tickClock, 15000);
	setInterval(() => { refreshCounts(); refreshProjects(null); }, 300000);
	connect({ onSnapshot, onMessage, banner: $('#banner') });
}

main();
