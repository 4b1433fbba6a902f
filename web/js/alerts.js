// alerts.js — the dashboard's alert list: what the hub raised (device
// offline, the broker gone, job failed, a metric past its threshold, the
// disk nearly full), newest first,
// acknowledged with POST /api/alerts/{id}/ack.  An alert the hub sends
// with "active": false has ended and leaves the list.
import { h, replaceKeepFocus } from './dom.js';
import { t, tn, fmtNumber, fmtDateTime } from './i18n.js';
import { post } from './api.js';

export function createAlerts(listEl, noneEl, countEl, onChange) {
	const alerts = new Map();	// id → alert

	function text(a) {
		switch (a.kind) {
		case 'device-offline': return t('alert.offline.text', { name: a.name });
		case 'broker-down': return t('alert.broker.text');
		case 'job-failed': return t('alert.job.text', { name: a.name, file: a.file || t('alert.job.nofile') });
		case 'threshold': return t(a.direction === 'below' ? 'alert.below.text' : 'alert.above.text', {
			name: a.name, metric: t('metric.' + a.metric),
			value: fmtNumber(a.value) + t('unitsym.' + a.metric),
			limit: fmtNumber(a.threshold) + t('unitsym.' + a.metric),
		});
		case 'disk-low': return t('alert.disk.text', { free: fmtNumber(a.free_mb), limit: fmtNumber(a.min_free_mb) });
		default: return a.message || a.kind;
		}
	}

	async function ack(a, btn) {
		btn.disabled = true;
		const r = await post(`/api/alerts/${a.id}/ack`, {});
		if (!r.ok) { btn.disabled = false; btn.textContent = t('alert.ack_failed'); return; }
		if (r.data) apply(r.data);
	}

	function render() {
		const list = [...alerts.values()].sort((x, y) => (x.acknowledged - y.acknowledged) || (y.id - x.id));
		replaceKeepFocus(listEl, list.map((a) => h('li', {
			class: `alert level-${a.level || 'warning'} ${a.acknowledged ? 'is-acked' : ''}`,
		},
		h('div', { class: 'alert-body' },
			h('strong', { class: 'alert-title' },
				h('span', { class: 'alert-icon', 'aria-hidden': 'true' }, a.acknowledged ? '✓' : '!'),
				t('alert.kind.' + a.kind)),
			h('span', { class: 'alert-text' }, text(a)),
			h('span', { class: 'alert-since' }, t('alert.since', { t: fmtDateTime(a.since) }))),
		a.acknowledged
			? h('span', { class: 'alert-acked' }, t('alert.acked'))
			: h('button', {
				type: 'button', class: 'btn btn-small', dataset: { focus: 'ack:' + a.id },
				onclick: (e) => ack(a, e.currentTarget),
			}, t('alert.ack'), h('span', { class: 'visually-hidden' }, ' ' + t('alert.ack_label', { what: text(a) }))))));
		noneEl.hidden = alerts.size > 0;
		const open = list.filter((a) => !a.acknowledged).length;
		countEl.textContent = open ? tn('alerts.count', open) : '';
		const byDevice = new Map();
		for (const a of list) if (!a.acknowledged) byDevice.set(a.device, (byDevice.get(a.device) || 0) + 1);
		onChange(byDevice);
	}

	function apply(a) {
		if (a.active === false) alerts.delete(a.id);
		else alerts.set(a.id, a);
		render();
	}

	return {
		snapshot(list) { alerts.clear(); for (const a of list || []) alerts.set(a.id, a); render(); },
		apply,
		relabel: render,
	};
}
