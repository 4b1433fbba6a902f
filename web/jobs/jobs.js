// jobs.js — the print and scan history (GET /api/jobs): state, device,
// duration, file and session, filtered by kind, state, device and dates,
// with the same filters as a CSV link.
import { $, h } from '../js/dom.js';
import { t, tn, tOr, fmtDateTime, fmtDuration } from '../js/i18n.js';
import { get, list } from '../js/api.js';
import { startPage, withQuery, dayStart, dayEnd } from '../js/staffpage.js';
import { vocab } from '../js/vocab.js';

let jobs = [], names = new Map();

function query() {
	return {
		kind: $('#jf-kind').value, state: $('#jf-state').value, device: $('#jf-device').value,
		from: dayStart($('#jf-from').value), to: dayEnd($('#jf-to').value),
	};
}

async function loadDevices() {
	const r = await get('/api/devices');
	const devs = list(r.data, 'devices').filter((d) => d.kind === 'printer' || d.kind === 'scanner' || d.job);
	names = new Map(list(r.data, 'devices').map((d) => [d.id, d.name || d.id]));
	const sel = $('#jf-device'), keep = sel.value;
	sel.replaceChildren(h('option', { value: '' }, t('jobs.device.all')),
		...devs.sort((a, b) => (a.name || '').localeCompare(b.name || '')).map((d) => h('option', { value: d.id }, d.name || d.id)));
	sel.value = keep;
}

// The state choices: the hub's own lists (GET /api/vocab), ended first.
async function loadStates() {
	const v = await vocab();
	const sel = $('#jf-state'), keep = sel.value;
	sel.replaceChildren(h('option', { value: '' }, t('jobs.state.all')),
		...[...(v.job_state_end || []), ...(v.job_state_active || [])].map((s) => h('option', { value: s }, t('job.state.' + s))));
	sel.value = keep;
}

async function load() {
	const q = query();
	const r = await get(withQuery('/api/jobs', { ...q, limit: 1000 }));
	jobs = list(r.data, 'jobs');
	$('#jobs-csv').href = withQuery('/api/jobs', { ...q, format: 'csv' });
	draw();
}

function draw() {
	$('#jobs-count').textContent = tn('jobs.count', jobs.length);
	$('#jobs-body').replaceChildren(...jobs.map((j) => {
		const scan = j.kind === 'scan';
		const state = scan && j.state === 'printing' ? 'job.state.scanning' : 'job.state.' + j.state;
		return h('tr', { class: 'state-' + j.state },
			h('td', {}, j.started_at ? h('time', { datetime: j.started_at }, fmtDateTime(j.started_at)) : '—'),
			h('td', {}, names.get(j.device) || j.device),
			h('td', {}, t(scan ? 'jobs.kind.one.scan' : 'jobs.kind.one.print')),
			h('td', { class: 'wrap' }, j.file || '—'),
			h('td', {}, h('span', { class: 'state-dot', 'aria-hidden': 'true' }), ' ', tOr(state, j.state)),
			h('td', { class: 'num' }, fmtDuration(j.duration_s)),
			h('td', { class: 'num' }, j.session ? t('jobs.session_n', { n: j.session }) : '—'));
	}));
}

startPage('facilitator', async () => {
	$('#jobs-filter').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
	await Promise.all([loadDevices(), loadStates()]);
	await load();
}, () => { loadDevices(); loadStates(); draw(); });
