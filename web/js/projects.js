// projects.js — the projects screen: create, edit and archive a project
// (title, description, themes — "quebec-culture" is the one the annual
// indicator counts —, visibility, status), and a project's page: its
// sessions, contributions with their licences, people and ratings.
import { $, h, replaceKeepFocus } from './dom.js';
import { t, fmtDateTime, fmtNumber } from './i18n.js';
import { get, post, patch, list } from './api.js';
import { dialog, field, select, why, licenceLabel } from './wf.js';
import { vocab } from './vocab.js';

const QC = 'quebec-culture';

export function createProjects({ onChange }) {
	let projects = [];
	const root = $('#wf-projects');

	async function refresh() {
		const r = await get('/api/projects');
		projects = r.ok ? list(r.data, 'projects') : [];
		render();
	}

	function form(p, v) {
		const themes = (p.themes || []).filter((x) => x !== QC);
		return [
			...field('wf.p.title', h('input', { name: 'title', required: true, maxlength: 200, value: p.title || '' })),
			...field('wf.p.summary', h('textarea', { name: 'summary', rows: 3, maxlength: 5000 }, p.summary || '')),
			h('div', { class: 'wf-check' },
				h('input', { type: 'checkbox', id: 'wf-p-qc', name: 'qc', checked: (p.themes || []).includes(QC) }),
				h('label', { for: 'wf-p-qc' }, t('wf.p.quebec'))),
			...field('wf.p.themes', h('input', { name: 'themes', value: themes.join(', ') }), t('wf.p.themes_hint')),
			...field('wf.p.visibility', select('visibility', v.visibility || [], (x) => t('wf.vis.' + x), p.visibility || 'public')),
			...field('wf.p.status', select('status', v.project_status || [], (x) => t('pstatus.' + x), p.status || 'active')),
		];
	}

	function read(form) {
		const f = form.elements;
		const themes = f.themes.value.split(',').map((s) => s.trim().toLowerCase().replace(/\s+/g, '-')).filter(Boolean);
		if (f.qc.checked) themes.unshift(QC);
		return { title: f.title.value.trim(), summary: f.summary.value.trim(), themes: [...new Set(themes)],
			visibility: f.visibility.value, status: f.status.value };
	}

	async function edit(p) {
		const done = await dialog({
			title: p ? t('wf.p.edit_title', { title: p.title }) : t('wf.p.new'),
			body: form(p || {}, await vocab()), ok: p ? 'wf.save' : 'wf.p.create',
			onOk: async (f) => {
				const body = read(f);
				if (!body.title) return t('wf.p.need_title');
				const r = p ? await patch('/api/projects/' + p.id, body) : await post('/api/projects', body);
				return r.ok ? r.data : why(r);
			},
		});
		if (done) { await refresh(); onChange(); }
	}

	async function setStatus(p, status) {
		const r = await patch('/api/projects/' + p.id, { status });
		if (r.ok) { await refresh(); onChange(); }
	}

	async function page(p) {
		const r = await get('/api/projects/' + p.id);
		if (!r.ok) return;
		const d = r.data, rat = d.ratings || {};
		const sessions = d.sessions || [], contribs = d.contributions || [];
		await dialog({
			title: d.title, wide: true,
			body: [
				d.summary ? h('p', {}, d.summary) : null,
				h('dl', { class: 'facts' },
					h('dt', {}, t('wf.p.status')), h('dd', {}, t('pstatus.' + d.status)),
					h('dt', {}, t('wf.p.visibility')), h('dd', {}, t('wf.vis.' + d.visibility)),
					h('dt', {}, t('wf.p.themes')), h('dd', {}, (d.themes || []).map((x) => (x === QC ? t('wf.p.quebec') : x)).join(', ') || '—'),
					h('dt', {}, t('wf.p.licence')), h('dd', {}, d.licence ? licenceLabel(d.licence) : '—'),
					h('dt', {}, t('wf.p.people')), h('dd', {}, fmtNumber(d.participants || 0, 0)),
					h('dt', {}, t('wf.p.ratings')), h('dd', {}, rat.count ? t('wf.p.ratings_n', { n: rat.count, pos: rat.positive }) : '—')),
				h('h3', {}, t('wf.p.sessions')),
				sessions.length ? h('table', { class: 'wf-table' },
					h('caption', { class: 'visually-hidden' }, t('wf.p.sessions')),
					h('thead', {}, h('tr', {}, ['wf.s.started', 'wf.s.group', 'wf.s.people'].map((k) => h('th', { scope: 'col' }, t(k))))),
					h('tbody', {}, sessions.map((s) => h('tr', {},
						h('td', {}, fmtDateTime(s.started_at)), h('td', {}, t('group.' + s.group_type)),
						h('td', { class: 'num' }, fmtNumber(s.counted, 0))))))
					: h('p', { class: 'muted' }, t('wf.none')),
				h('h3', {}, t('wf.p.contribs')),
				contribs.length ? h('table', { class: 'wf-table' },
					h('caption', { class: 'visually-hidden' }, t('wf.p.contribs')),
					h('thead', {}, h('tr', {}, ['wf.c.title', 'wf.c.kind', 'wf.c.status', 'wf.c.licence'].map((k) => h('th', { scope: 'col' }, t(k))))),
					h('tbody', {}, contribs.map((c) => h('tr', {},
						h('td', {}, c.title), h('td', {}, t('ckind.' + c.kind)), h('td', {}, t('wf.cs.' + c.status)),
						h('td', {}, licenceLabel(c.licence))))))
					: h('p', { class: 'muted' }, t('wf.none')),
			],
		});
	}

	const btn = (key, label, focus, onclick) => h('button', {
		type: 'button', class: 'btn btn-small btn-quiet', dataset: { focus }, 'aria-label': label, onclick,
	}, t(key));

	function row(p) {
		const archived = p.status === 'archived';
		return h('tr', { dataset: { id: p.id } },
			h('th', { scope: 'row' }, p.title),
			h('td', {}, t('pstatus.' + p.status)),
			h('td', {}, t('wf.vis.' + (p.visibility || 'public'))),
			h('td', {}, (p.themes || []).includes(QC) ? t('wf.p.quebec_short') : '—'),
			h('td', { class: 'wf-actions' },
				btn('wf.p.open', t('wf.p.open_label', { title: p.title }), 'p-open:' + p.id, () => page(p)),
				btn('wf.edit', t('wf.edit_label', { title: p.title }), 'p-edit:' + p.id, () => edit(p)),
				archived
					? btn('wf.p.unarchive', t('wf.p.unarchive_label', { title: p.title }), 'p-arch:' + p.id, () => setStatus(p, 'active'))
					: btn('wf.p.archive', t('wf.p.archive_label', { title: p.title }), 'p-arch:' + p.id, () => setStatus(p, 'archived'))));
	}

	function render() {
		const head = ['wf.p.title', 'wf.p.status', 'wf.p.visibility', 'wf.p.themes', 'wf.actions'];
		replaceKeepFocus($('#wf-projects-body'), projects.length
			? h('table', { class: 'wf-table' },
				h('caption', { class: 'visually-hidden' }, t('wf.p.heading')),
				h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col' }, t(k))))),
				h('tbody', {}, projects.map(row)))
			: h('p', { class: 'muted' }, t('projects.none')));
	}

	root.querySelector('#wf-project-new').addEventListener('click', () => edit(null));
	return { refresh, relabel: render, get projects() { return projects; } };
}
