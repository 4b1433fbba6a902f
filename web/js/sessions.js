// sessions.js — sessions beyond starting one (part.js): the extra fields
// of the start form (grade or age band, devices, notes), editing a session
// while it is open or after it ended, the confirmation before ending it,
// and the recent sessions with delete or merge (with a reason) for one
// opened by mistake.  Devices: only the ones attached to a session turn
// its finished jobs into pending contributions; with none, every device
// does — the form and the session say so.
import { $, h, replaceKeepFocus } from './dom.js';
import { t, fmtDateTime, fmtNumber } from './i18n.js';
import { get, patch, post, api, list } from './api.js';
import { dialog, field, select, checks, checkedValues, why } from './wf.js';
import { vocab } from './vocab.js';

export function createSessions({ deviceName, projects, onChange }) {
	let sessions = [], devices = [];

	async function loadDevices() {
		const r = await get('/api/devices');
		devices = r.ok ? list(r.data, 'devices') : [];
		return devices;
	}
	const devItems = () => devices.map((d) => [d.id, d.name || deviceName(d.id)]);
	const projTitle = (id) => (projects().find((p) => p.id === id) || {}).title || '#' + id;
	const devicesText = (ids) => (ids && ids.length ? ids.map(deviceName).join(', ') : t('wf.s.all_devices'));

	async function refresh() {
		const [r] = await Promise.all([get('/api/sessions?limit=30'), loadDevices()]);
		sessions = r.ok ? list(r.data, 'sessions') : [];
		render();
		renderPick();
	}

	// The start form's device choices (part.js reads them with startFields).
	function renderPick() {
		const box = $('#session-devices-pick');
		const was = new Set(checkedValues(box, 'dev'));
		replaceKeepFocus(box, checks('wf.s.devices', devItems(), (id) => was.has(id), 'dev'));
	}

	// What part.js adds to POST /api/sessions from the start form.
	function startFields() {
		const grade = $('#session-grade').value.trim(), notes = $('#session-notes').value.trim();
		return { group: { grade: grade || undefined }, notes: notes || undefined, device_ids: checkedValues($('#session-devices-pick'), 'dev') };
	}

	// The open session's lines that part.js does not draw.
	function shown(s) {
		if (s) {	// started: the start form is empty for the next one
			$('#session-grade').value = '';
			$('#session-notes').value = '';
			for (const c of $('#session-devices-pick').querySelectorAll('input:checked')) c.checked = false;
		}
		$('#session-devices').textContent = s ? devicesText(s.device_ids) : '';
		$('#session-grade-shown').textContent = s && s.group && s.group.grade ? s.group.grade : '—';
	}

	function confirmEnd(s) {
		return dialog({
			title: t('wf.s.end_title'), ok: 'session.end', okClass: 'btn-danger',
			body: h('p', {}, t('wf.s.end_text', { n: s.people_checked_in ?? 0, started: fmtDateTime(s.started_at) })),
		});
	}

	async function edit(s) {
		if (!devices.length) await loadDevices();
		const g = s.group || {}, groups = (await vocab()).group_type || [];
		const done = await dialog({
			title: t('wf.s.edit_title', { started: fmtDateTime(s.started_at) }), ok: 'wf.save', wide: true,
			body: [
				...field('session.group', select('type', groups, (v) => t('group.' + v), g.type)),
				...field('session.size', h('input', { name: 'size', type: 'number', min: 0, max: 100000, inputmode: 'numeric', value: g.size ?? 0 })),
				...field('wf.s.grade', h('input', { name: 'grade', maxlength: 40, value: g.grade || '' }), t('wf.s.grade_hint')),
				checks('wf.s.projects', projects().filter((p) => p.status !== 'archived' || (s.project_ids || []).includes(p.id)).map((p) => [p.id, p.title]),
					(id) => (s.project_ids || []).includes(id), 'proj'),
				checks('wf.s.devices', devItems(), (id) => (s.device_ids || []).includes(id), 'dev'),
				h('p', { class: 'muted small' }, t('wf.s.devices_hint')),
				...field('wf.s.notes', h('textarea', { name: 'notes', rows: 3, maxlength: 5000 }, s.notes || '')),
			],
			onOk: async (form) => {
				const f = form.elements, size = parseInt(f.size.value, 10);
				if (!(size >= 0)) return t('session.bad_size');
				const r = await patch('/api/sessions/' + s.id, {
					group: { type: f.type.value, size, grade: f.grade.value.trim() || null },
					project_ids: checkedValues(form, 'proj').map(Number),
					device_ids: checkedValues(form, 'dev'),
					notes: f.notes.value.trim() || null,
				});
				return r.ok ? r.data : why(r);
			},
		});
		if (done) { await refresh(); onChange(); }
	}

	const reasonField = () => field('wf.s.reason', h('textarea', { name: 'reason', rows: 2, maxlength: 500, required: true }), t('wf.s.reason_hint'));

	async function remove(s) {
		const done = await dialog({
			title: t('wf.s.delete_title', { started: fmtDateTime(s.started_at) }), ok: 'wf.s.delete', okClass: 'btn-danger',
			body: [h('p', {}, t('wf.s.delete_text')), ...reasonField()],
			onOk: async (form) => {
				const reason = form.elements.reason.value.trim();
				if (!reason) return t('wf.s.need_reason');
				const r = await api('DELETE', '/api/sessions/' + s.id, { reason });
				return r.ok ? r.data : r.status === 409 ? t('wf.s.delete_used') : why(r);
			},
		});
		if (done) { await refresh(); onChange(); }
	}

	async function merge(s) {
		const others = sessions.filter((x) => x.id !== s.id);
		const label = (x) => t('wf.s.merge_choice', { started: fmtDateTime(x.started_at), group: t('group.' + ((x.group || {}).type || 'walk-in')), n: (x.group || {}).size ?? 0 });
		const done = await dialog({
			title: t('wf.s.merge_title', { started: fmtDateTime(s.started_at) }), ok: 'wf.s.merge', okClass: 'btn-danger',
			body: [h('p', {}, t('wf.s.merge_text')),
				...field('wf.s.merge_into', select('into', others.map((x) => x.id), (id) => label(others.find((x) => x.id === id)))),
				...reasonField()],
			onOk: async (form) => {
				const reason = form.elements.reason.value.trim(), into = Number(form.elements.into.value);
				if (!into) return t('wf.s.need_into');
				if (!reason) return t('wf.s.need_reason');
				const r = await post(`/api/sessions/${s.id}/merge`, { into, reason });
				return r.ok ? r.data : why(r);
			},
		});
		if (done) { await refresh(); onChange(); }
	}

	function render() {
		replaceKeepFocus($('#wf-sessions-body'), sessions.length ? h('table', { class: 'wf-table' },
			h('caption', { class: 'visually-hidden' }, t('wf.s.heading')),
			h('thead', {}, h('tr', {}, ['wf.s.started', 'wf.s.ended', 'wf.s.group', 'wf.s.people', 'wf.s.projects', 'wf.s.devices', 'wf.actions']
				.map((k) => h('th', { scope: 'col' }, t(k))))),
			h('tbody', {}, sessions.map((s) => {
				const g = s.group || {}, name = fmtDateTime(s.started_at);
				return h('tr', { dataset: { id: s.id } },
					h('th', { scope: 'row' }, name),
					h('td', {}, s.open ? t('wf.s.open') : fmtDateTime(s.ended_at)),
					h('td', {}, t('group.' + (g.type || 'walk-in')), g.grade ? ' · ' + g.grade : ''),
					h('td', { class: 'num' }, fmtNumber(Math.max(g.size || 0, s.people_checked_in || 0), 0)),
					h('td', {}, (s.project_ids || []).map(projTitle).join(', ') || '—'),
					h('td', {}, devicesText(s.device_ids)),
					h('td', { class: 'wf-actions' },
						h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { focus: 's-edit:' + s.id }, 'aria-label': t('wf.edit_label', { title: name }), onclick: () => edit(s) }, t('wf.edit')),
						h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { focus: 's-merge:' + s.id }, 'aria-label': t('wf.s.merge_label', { title: name }), disabled: sessions.length < 2, onclick: () => merge(s) }, t('wf.s.merge')),
						h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { focus: 's-del:' + s.id }, 'aria-label': t('wf.s.delete_label', { title: name }), onclick: () => remove(s) }, t('wf.s.delete'))));
			})))
			: h('p', { class: 'muted' }, t('wf.s.none')));
	}

	return { refresh, relabel() { render(); renderPick(); }, startFields, shown, confirmEnd, edit };
}
