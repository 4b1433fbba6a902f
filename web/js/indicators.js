// indicators.js — this fiscal year's indicators against their targets,
// from GET /api/indicators?fy=Y.  A figure the hub cannot give (yet)
// shows as "—".
import { $, h, replaceKeepFocus } from './dom.js';
import { t, fmtNumber, fmtPercent, fiscalYear } from './i18n.js';
import { get } from './api.js';

export const INDICATORS = ['participation_projects', 'quebec_culture_projects', 'sessions', 'participants',
	'contributions_confirmed', 'votes', 'appreciation_rate_pct', 'machine_busy_hours',
	'print_jobs_finished', 'print_jobs_failed', 'scans'];

export function createIndicators() {
	let data = null;
	const fy = fiscalYear();

	const fmt = (name, v) => (v === null || v === undefined ? '—'
		: name.endsWith('_pct') ? fmtPercent(v) : fmtNumber(v, 1));

	function render() {
		$('#ind-fy').textContent = t('ind.fy', { from: fy, to: fy + 1 });
		const ind = (data && data.indicators) || {};
		replaceKeepFocus($('#ind-body'), INDICATORS.map((name) => {
			const row = ind[name] || {};
			const v = typeof row === 'object' ? row.value : row;
			const target = typeof row === 'object' ? row.target : null;
			let bar = h('span', { class: 'muted' }, '—');
			if (typeof v === 'number' && typeof target === 'number' && target > 0) {
				const pct = Math.max(0, Math.min(100, (v / target) * 100));
				bar = h('div', {
					class: `bar ${pct >= 100 ? 'bar-done' : ''}`, role: 'progressbar',
					'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(pct),
					'aria-label': t('ind.progress_label', { name: t('ind.' + name) }),
				}, h('span', { class: 'bar-fill' }));
				bar.firstChild.style.width = pct + '%';
			}
			return h('tr', {},
				h('th', { scope: 'row' }, t('ind.' + name)),
				h('td', { class: 'num' }, fmt(name, v)),
				h('td', { class: 'num' }, fmt(name, target)),
				h('td', {}, bar));
		}));
	}

	async function refresh() {
		const r = await get('/api/indicators?fy=' + fy);
		data = r.ok ? r.data : null;
		render();
	}

	return { refresh, relabel: render };
}
