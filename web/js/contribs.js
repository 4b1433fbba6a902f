// contribs.js — contributions beyond the pending list (part.js): the
// confirm dialog (a licence — the project's last choice comes first — and
// a project) and the reject dialog (a reason); the list of confirmed and
// rejected contributions, filtered by project, session and dates, with
// undo; and a contribution added by hand (an idea, or a photo described
// in words).
import { $, h, replaceKeepFocus } from './dom.js';
import { t, fmtDateTime } from './i18n.js';
import { get, post, patch, list } from './api.js';
import { dialog, field, select, why, dayIso, licenceLabel } from './wf.js';
import { vocab } from './vocab.js';

// The kinds a facilitator adds by hand (the others come from devices),
// those of them the hub has.
const BY_HAND = ['idea', 'photo'];

export function createContribs({ projects, onChange }) {
	let rows = [], sessions = [], statuses = [], undone = null;	// undone: the title the status line names
	const live = () => projects().filter((p) => p.status !== 'archived');
	const projSelect = (value, blank = true) => select('project', [...(blank ? [''] : []), ...live().map((p) => p.id)],
		(id) => (id === '' ? t('session.no_project') : live().find((p) => p.id === id).title), value ?? '');

	// PATCH body for deciding contribution c, or null when cancelled.
	async function decide(c, status) {
		if (status === 'confirmed') {
			const licences = (await vocab()).licence || [];
			const proj = projects().find((p) => p.id === c.project_id);
			const lic = (proj && proj.licence) || (c.licence !== 'none' ? c.licence : 'CC-BY-4.0');
			return dialog({
				title: t('wf.c.confirm_title', { title: c.title }), ok: 'pending.confirm',
				body: [...field('wf.c.licence', select('licence', licences, licenceLabel, lic), t('wf.c.licence_hint')),
					...field('wf.c.project', projSelect(c.project_id))],
				onOk: async (form) => {
					const f = form.elements, body = { status, licence: f.licence.value };
					if (f.project.value) body.project_id = Number(f.project.value);
					const r = await patch('/api/contributions/' + c.id, body);
					return r.ok ? r.data : why(r);
				},
			});
		}
		return dialog({
			title: t('wf.c.reject_title', { title: c.title }), ok: 'pending.reject', okClass: 'btn-danger',
			body: field('wf.c.reason', h('textarea', { name: 'reason', rows: 2, maxlength: 500 }), t('wf.c.reason_hint')),
			onOk: async (form) => {
				const reason = form.elements.reason.value.trim();
				const r = await patch('/api/contributions/' + c.id, { status, reason: reason || undefined });
				return r.ok ? r.data : why(r);
			},
		});
	}

	function query() {
		const f = $('#wf-c-filter').elements, q = new URLSearchParams({ status: f.status.value, limit: '200' });
		if (f.project.value) q.set('project_id', f.project.value);
		if (f.session.value) q.set('session_id', f.session.value);
		if (f.from.value) q.set('from', dayIso(f.from.value));
		if (f.to.value) q.set('to', dayIso(f.to.value, 1));
		return q;
	}

	async function refresh() {
		// the decided statuses the hub has (GET /api/vocab), after "decided" (both)
		statuses = ((await vocab()).contribution_status || []).filter((v) => v !== 'pending');
		const [c, s] = await Promise.all([get('/api/contributions?' + query()), get('/api/sessions?limit=50')]);
		rows = c.ok ? list(c.data, 'contributions') : [];
		sessions = s.ok ? list(s.data, 'sessions') : [];
		render();
	}

	async function undo(c, btn) {
		btn.disabled = true;
		const r = await patch('/api/contributions/' + c.id, { status: 'pending' });
		if (!r.ok) { btn.disabled = false; btn.textContent = t('common.failed'); return; }
		undone = c.title;
		await refresh();
		onChange();
	}

	async function add() {
		const v = await vocab(), kinds = BY_HAND.filter((k) => (v.contribution_kind || []).includes(k));
		const done = await dialog({
			title: t('wf.c.add_title'), ok: 'wf.c.add',
			body: [
				...field('wf.c.kind', select('kind', kinds, (k) => t('ckind.' + k), 'idea')),
				...field('wf.c.title', h('input', { name: 'title', maxlength: 200, required: true })),
				...field('wf.c.body', h('textarea', { name: 'body', rows: 4, maxlength: 5000 }), t('wf.c.body_hint')),
				...field('wf.c.project', projSelect('')),
				...field('wf.c.licence', select('licence', v.licence || [], licenceLabel, 'CC-BY-4.0')),
			],
			onOk: async (form) => {
				const f = form.elements, body = { kind: f.kind.value, title: f.title.value.trim(), body: f.body.value.trim() || undefined,
					licence: f.licence.value, status: 'confirmed' };
				if (!body.title) return t('wf.c.need_title');
				if (f.project.value) body.project_id = Number(f.project.value);
				const r = await post('/api/contributions', body);
				return r.ok ? r.data : why(r);
			},
		});
		if (done) { await refresh(); onChange(); }
	}

	function renderFilters() {
		const f = $('#wf-c-filter').elements, keep = { status: f.status.value, project: f.project.value, session: f.session.value };
		replaceKeepFocus(f.status, ['decided', ...statuses].map((v) => h('option', { value: v }, t('wf.cs.' + v))));
		f.status.value = keep.status || 'decided';
		replaceKeepFocus(f.project, h('option', { value: '' }, t('wf.c.any_project')),
			projects().map((p) => h('option', { value: String(p.id) }, p.title)));
		f.project.value = keep.project;
		replaceKeepFocus(f.session, h('option', { value: '' }, t('wf.c.any_session')),
			sessions.map((s) => h('option', { value: String(s.id) }, fmtDateTime(s.started_at))));
		f.session.value = keep.session;
	}

	function render() {
		renderFilters();
		$('#wf-c-status-msg').textContent = undone ? t('wf.c.undone', { title: undone }) : '';
		replaceKeepFocus($('#wf-contribs-body'), rows.length ? h('table', { class: 'wf-table' },
			h('caption', { class: 'visually-hidden' }, t('wf.c.heading')),
			h('thead', {}, h('tr', {}, ['wf.c.created', 'wf.c.title', 'wf.c.kind', 'wf.c.project', 'wf.c.licence', 'wf.c.status', 'wf.actions']
				.map((k) => h('th', { scope: 'col' }, t(k))))),
			h('tbody', {}, rows.map((c) => h('tr', { dataset: { id: c.id } },
				h('td', {}, fmtDateTime(c.created_at)),
				h('th', { scope: 'row' }, c.title),
				h('td', {}, t('ckind.' + c.kind)),
				h('td', {}, c.project_title || '—'),
				h('td', {}, licenceLabel(c.licence)),
				h('td', {}, t('wf.cs.' + c.status), c.reason ? h('span', { class: 'muted small' }, ' — ' + c.reason) : null),
				h('td', { class: 'wf-actions' }, c.status === 'pending' ? null : h('button', {
					type: 'button', class: 'btn btn-small btn-quiet', dataset: { focus: 'undo:' + c.id },
					'aria-label': t('wf.c.undo_label', { title: c.title }), onclick: (e) => undo(c, e.currentTarget),
				}, t('wf.c.undo')))))))
			: h('p', { class: 'muted' }, t('wf.c.none')));
	}

	$('#wf-c-filter').addEventListener('submit', (ev) => { ev.preventDefault(); refresh(); });
	$('#wf-contrib-add').addEventListener('click', add);
	return { refresh, relabel: render, decide };
}
