// privacy.js — privacy requests, the screen the kiosk sends visitors to:
// find a check-in by session, date, or the name or e-mail given with
// consent; export it (the API's JSON, downloaded); erase it after a
// confirmation that says what goes (name, e-mail, postal area) and what
// stays (the anonymous check-in the yearly counts need).  The hub
// audit-logs the search, the export and the erasure.
import { $, h, replaceKeepFocus } from './dom.js';
import { t, fmtDateTime } from './i18n.js';
import { get, api, list } from './api.js';
import { dialog, why, dayIso } from './wf.js';

export function createPrivacy() {
	let rows = null, sessions = [], msg = null;	// msg: [key, vars] of the status line
	let shown = null;	// the query of the rows shown, to fetch them again when they change

	function say(key, vars) {
		msg = key ? [key, vars] : null;
		$('#wf-priv-msg').textContent = key ? t(key, vars) : '';
	}

	async function loadSessions() {
		const r = await get('/api/sessions?limit=50');
		sessions = r.ok ? list(r.data, 'sessions') : [];
		options();
	}

	function options() {
		const sel = $('#wf-priv-form').elements.session, was = sel.value;
		replaceKeepFocus(sel, h('option', { value: '' }, t('wf.c.any_session')),
			sessions.map((s) => h('option', { value: String(s.id) }, fmtDateTime(s.started_at))));
		sel.value = was;
	}

	async function search(ev) {
		if (ev) ev.preventDefault();
		const f = $('#wf-priv-form').elements, q = new URLSearchParams({ limit: '100' });
		const text = f.q.value.trim();
		if (text) q.set('q', text);
		if (f.session.value) q.set('session_id', f.session.value);
		if (f.day.value) { q.set('from', dayIso(f.day.value)); q.set('to', dayIso(f.day.value, 1)); }
		if (!text && !f.session.value && !f.day.value) { say('wf.v.need_criterion'); rows = null; return render(); }
		if (text && text.length < 2) return say('wf.v.too_short');
		const r = await get('/api/participants?' + q);
		if (!r.ok) { say(null); $('#wf-priv-msg').textContent = why(r); return; }
		rows = list(r.data, 'participants');
		shown = q.toString();
		say('wf.v.found', { n: rows.length });
		render();
	}

	async function erase(p) {
		const who = p.display_name || p.email || t('wf.v.anon', { id: p.id });
		const done = await dialog({
			title: t('wf.v.erase_title', { who }), ok: 'wf.v.erase', okClass: 'btn-danger',
			body: [
				h('p', {}, t('wf.v.erase_goes')),
				h('ul', {}, ['display_name', 'email', 'postal_area'].filter((k) => p[k]).map((k) => h('li', {}, t('wf.v.f.' + k) + ' : ' + p[k])),
					h('li', {}, t('wf.v.goes_consent'))),
				h('p', {}, t('wf.v.erase_stays')),
				h('ul', {}, h('li', {}, t('wf.v.stays_row', { n: p.party_size || 1, band: p.age_band ? t('age.' + p.age_band) : t('wf.v.no_band') }))),
				h('p', { class: 'muted small' }, t('wf.v.erase_final')),
			],
			onOk: async () => {
				const r = await api('DELETE', '/api/participants/' + p.id);
				return r.ok ? r.data : why(r);
			},
		});
		if (done) { await search(); say('wf.v.erased', { who }); }
	}

	function render() {
		replaceKeepFocus($('#wf-privacy-body'), !rows ? null : rows.length ? h('table', { class: 'wf-table' },
			h('caption', { class: 'visually-hidden' }, t('wf.v.heading')),
			h('thead', {}, h('tr', {}, ['wf.v.when', 'wf.v.session', 'wf.v.band', 'wf.v.name', 'wf.v.email', 'wf.actions']
				.map((k) => h('th', { scope: 'col' }, t(k))))),
			h('tbody', {}, rows.map((p) => {
				const who = p.display_name || p.email || t('wf.v.anon', { id: p.id });
				return h('tr', { dataset: { id: p.id } },
					h('th', { scope: 'row' }, fmtDateTime(p.created_at)),
					h('td', {}, p.session_id ? fmtDateTime((sessions.find((s) => s.id === p.session_id) || {}).started_at) || '#' + p.session_id : '—'),
					h('td', {}, p.age_band ? t('age.' + p.age_band) : '—', p.party_size > 1 ? ' · ' + t('wf.v.party', { n: p.party_size }) : ''),
					h('td', {}, p.display_name || (p.erased_at ? t('wf.v.erased_mark') : '—')),
					h('td', {}, p.email || '—'),
					h('td', { class: 'wf-actions' },
						h('a', { class: 'btn btn-small btn-quiet', href: `/api/participants/${p.id}/export`, download: `participant-${p.id}.json`, 'aria-label': t('wf.v.export_label', { who }) }, t('wf.v.export')),
						p.erased_at ? null : h('button', { type: 'button', class: 'btn btn-small btn-danger', dataset: { focus: 'erase:' + p.id }, 'aria-label': t('wf.v.erase_label', { who }), onclick: () => erase(p) }, t('wf.v.erase'))));
			})))
			: h('p', { class: 'muted' }, t('wf.v.none')));
	}

	// A check-in changed elsewhere (erased from another tab, a session
	// merged): the rows shown are fetched again, the status line kept.
	async function refresh() {
		await loadSessions();
		if (!shown || !rows) return;
		const r = await get('/api/participants?' + shown);
		if (!r.ok) return;
		rows = list(r.data, 'participants');
		if (msg && msg[0] === 'wf.v.found') say('wf.v.found', { n: rows.length });
		render();
	}

	$('#wf-priv-form').addEventListener('submit', search);
	return { refresh, relabel() { options(); render(); if (msg) say(...msg); } };
}
