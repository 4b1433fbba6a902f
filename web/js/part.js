// part.js — the dashboard's participation panels: the current session
// (start with group type, head count and project; end), contributions
// waiting for a facilitator (confirm / reject, with their provenance:
// device, job, file) and the projects with their contribution counts.
//
// Data comes from the participation API (INTERFACES.md); /ws messages
// about sessions, contributions or projects trigger a refresh, so the
// panels never depend on a message's exact shape.
import { $, h, replaceKeepFocus } from './dom.js';
import { t, tn, fmtDateTime, fmtNumber } from './i18n.js';
import { errorText } from './errors.js';
import { get, post, patch, list } from './api.js';
import { vocab } from './vocab.js';

// hooks (sessions.js, contribs.js): startFields() → more of the start
// form's body; shown(session) draws the open session's other lines;
// confirmEnd(session) and decide(contribution, status) ask first and
// resolve to a falsy value when the facilitator cancels.
export function createPart({ deviceName, hooks = {} }) {
	let session = null, projects = [], pending = [], timer = null, available = true, groupTypes = [];

	async function refresh() {
		const [s, p, c, v] = await Promise.all([
			get('/api/sessions/current'),
			get('/api/projects'),
			get('/api/contributions?status=pending'),
			vocab(),
		]);
		groupTypes = v.group_type || groupTypes;
		available = ![s, p, c].every((r) => r.status === 404 && r.data && /no such endpoint/.test(r.data.error || ''));
		session = s.ok && s.data ? (s.data.session !== undefined ? s.data.session : s.data) : null;
		if (session && !session.id) session = null;
		if (session && session.ended_at) session = null;
		projects = p.ok ? list(p.data, 'projects') : [];
		pending = c.ok ? list(c.data, 'contributions').filter((x) => !x.status || x.status === 'pending') : [];
		render();
	}

	// Coalesce bursts of /ws messages into one refresh.
	function soon() {
		clearTimeout(timer);
		timer = setTimeout(refresh, 150);
	}

	const projectTitle = (id) => (projects.find((p) => p.id === id) || {}).title || (id ? '#' + id : '—');

	function renderSession() {
		const cur = $('#session-current'), form = $('#session-form');
		$('#session-unavailable').hidden = available;
		cur.hidden = !session || !available;
		form.hidden = !!session || !available;
		if (session) {
			const g = session.group || {};
			const type = g.type || session.group_type || 'walk-in';
			const size = g.size ?? session.group_size;
			$('#session-group').textContent = t('group.' + type);
			$('#session-size').textContent = size === undefined ? '—' : fmtNumber(size, 0);
			$('#session-started').textContent = fmtDateTime(session.started_at);
			const ids = session.project_ids || (session.projects || []).map((p) => p.id ?? p);
			$('#session-project').textContent = ids && ids.length ? ids.map(projectTitle).join(', ') : t('session.no_project');
		}
		if (hooks.shown) hooks.shown(session);
		const types = $('#session-type'), wasType = types.value;
		replaceKeepFocus(types, groupTypes.map((g) => h('option', { value: g, 'data-i18n': 'group.' + g }, t('group.' + g))));
		if (groupTypes.includes(wasType)) types.value = wasType;
		const sel = $('#session-proj'), was = sel.value;
		replaceKeepFocus(sel, h('option', { value: '' }, t('session.no_project')),
			projects.filter((p) => !p.status || p.status === 'active')
				.map((p) => h('option', { value: String(p.id) }, p.title)));
		if ([...sel.options].some((o) => o.value === was)) sel.value = was;
	}

	function provenance(c) {
		const items = [];
		const dev = c.device_id || c.device;
		if (dev) items.push(h('li', {}, t('pending.device', { name: deviceName(dev) })));
		if (c.job_id || (c.job && c.job.id)) items.push(h('li', {}, t('pending.job', { id: c.job_id || c.job.id })));
		const file = c.file || (c.job && c.job.file);
		if (file) items.push(h('li', {}, t('pending.file', { file })));
		if (c.created_at) items.push(h('li', {}, t('pending.when', { t: fmtDateTime(c.created_at) })));
		return items.length ? h('ul', { class: 'provenance', 'aria-label': t('pending.provenance') }, items) : null;
	}

	async function decide(c, status, btn) {
		if (hooks.decide) {
			if (!await hooks.decide(c, status)) return;
		} else {
			btn.disabled = true;
			const r = await patch('/api/contributions/' + c.id, { status });
			if (!r.ok) { btn.disabled = false; btn.textContent = t('common.failed'); btn.title = errorText(r); return; }
		}
		pending = pending.filter((x) => x.id !== c.id);
		render();
		soon();
	}

	function renderPending() {
		replaceKeepFocus($('#pending-list'), pending.map((c) => h('li', { class: 'card' },
			h('p', { class: 'card-title' }, h('span', { class: 'tag' }, t('ckind.' + c.kind)), ' ', c.title || '—'),
			h('p', { class: 'muted small' }, t('pending.project', { title: c.project_title || projectTitle(c.project_id) })),
			provenance(c),
			h('div', { class: 'actions' },
				h('button', {
					type: 'button', class: 'btn btn-primary btn-small', dataset: { focus: 'confirm:' + c.id },
					'aria-label': t('pending.confirm_label', { title: c.title || '' }),
					onclick: (e) => decide(c, 'confirmed', e.currentTarget),
				}, t('pending.confirm')),
				h('button', {
					type: 'button', class: 'btn btn-quiet btn-small', dataset: { focus: 'reject:' + c.id },
					'aria-label': t('pending.reject_label', { title: c.title || '' }),
					onclick: (e) => decide(c, 'rejected', e.currentTarget),
				}, t('pending.reject'))))));
		$('#pending-none').hidden = pending.length > 0;
		$('#pending-none').textContent = available ? t('pending.none') : t('common.unavailable');
		$('#pending-count').textContent = pending.length ? tn('pending.count', pending.length) : '';
	}

	function count(p, status) {
		const c = p.contributions;
		if (c && typeof c === 'object') return c[status] ?? 0;
		if (status === 'confirmed') return p.contributions_confirmed ?? p.contribution_count ?? (typeof c === 'number' ? c : 0);
		return p['contributions_' + status] ?? 0;
	}

	function renderProjects() {
		replaceKeepFocus($('#project-list'), projects.map((p) => h('li', { class: 'card' },
			h('p', { class: 'card-title' }, p.title),
			h('p', { class: 'muted small' }, t('pstatus.' + (p.status || 'active')),
				(p.themes || []).includes('quebec-culture') ? [' · ', t('projects.quebec')] : null),
			h('p', { class: 'project-counts' },
				h('span', { class: 'big-num' }, fmtNumber(count(p, 'confirmed'), 0)), ' ',
				tn('projects.confirmed', count(p, 'confirmed')),
				count(p, 'pending') ? [' · ', tn('projects.pending', count(p, 'pending'))] : null))));
		$('#projects-none').hidden = projects.length > 0;
		$('#projects-none').textContent = available ? t('projects.none') : t('common.unavailable');
	}

	function render() { renderSession(); renderPending(); renderProjects(); }

	async function startSession(ev) {
		ev.preventDefault();
		const err = $('#session-error');
		const size = parseInt($('#session-count').value, 10);
		if (!(size >= 0)) { err.hidden = false; err.textContent = t('session.bad_size'); return; }
		const proj = $('#session-proj').value;
		const { group, ...more } = hooks.startFields ? hooks.startFields() : {};
		const r = await post('/api/sessions', {
			project_ids: proj ? [Number(proj)] : [],
			device_ids: [],
			group: { type: $('#session-type').value, size, ...group },
			...more,
		});
		err.hidden = r.ok;
		if (!r.ok) { err.textContent = errorText(r); return; }
		await refresh();
		$('#session-end').focus();
	}

	async function endSession() {
		if (!session) return;
		if (hooks.confirmEnd && !await hooks.confirmEnd(session)) return;
		const r = await post(`/api/sessions/${session.id}/end`, {});
		if (!r.ok) { $('#session-end').textContent = t('common.failed'); return; }
		await refresh();
		$('#session-type').focus();
	}

	$('#session-form').addEventListener('submit', startSession);
	$('#session-end').addEventListener('click', endSession);

	return {
		refresh, soon, relabel: render, get session() { return session; },
		onMessage(m) {
			if (/^(session|contribution|project|participant|rating|participation)/.test(m.type)) soon();
			else if (m.type === 'job' && m.event === 'ended') soon();	// may have made a pending contribution
		},
	};
}
