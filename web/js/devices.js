// devices.js — the dashboard's wall of device tiles, grouped by room and
// kind, updated in place from /ws "device" messages.
//
// A plug's switch sends POST /api/devices/{id}/switch and shows "sending"
// until the device's own report says the new state: the tile only ever
// shows what the device said.
import { h, replaceKeepFocus } from './dom.js';
import { t, tOr, fmtNumber, fmtDuration, fmtDateTime } from './i18n.js';
import { get, post } from './api.js';
import { lineChart } from './chart.js';

const KIND_ORDER = ['printer', 'scanner', 'plug', 'sensor', 'button', 'other'];
const CHART_METRICS = ['temperature_c', 'humidity_pct', 'co2_ppm', 'pressure_hpa', 'illuminance_lx',
	'power_w', 'nozzle_temp_c', 'bed_temp_c', 'chamber_temp_c', 'battery_pct'];
const ACTIVE = new Set(['preparing', 'printing', 'paused']);

export function createDeviceWall(root, emptyNote, countEl) {
	const devices = new Map();		// id → device JSON
	const tiles = new Map();		// id → <article>
	const pendingSwitch = new Map();	// id → {on, timer, failed}
	const charts = new Map();		// id → {open, metric, points, from, to, at}
	let alertsByDevice = new Map();
	let layoutKey = '';

	const kindOf = (d) => (KIND_ORDER.includes(d.kind) ? d.kind : 'other');
	const roomOf = (d) => d.room || '';

	function metricLine(name, value) {
		return [h('dt', {}, tOr('metric.' + name, name)),
			h('dd', {}, fmtNumber(value, name.endsWith('_kwh') ? 3 : 1) + tOr('unitsym.' + name, ''))];
	}

	function jobBlock(d) {
		const j = d.job;
		if (!j) return null;
		const active = ACTIVE.has(j.state);
		const pct = j.progress_pct ?? (j.state === 'finished' ? 100 : null);
		const parts = [h('p', { class: `job-state state-${j.state}` }, t('job.state.' + j.state))];
		if (j.file) parts.push(h('p', { class: 'job-file' }, h('span', { class: 'visually-hidden' }, t('job.file') + ' '), j.file));
		if (pct !== null && (active || j.state === 'finished')) {
			const bar = h('div', {
				class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
				'aria-valuenow': Math.round(pct), 'aria-label': t('job.progress'),
			}, h('span', { class: 'bar-fill' }));
			bar.firstChild.style.width = Math.max(0, Math.min(100, pct)) + '%';
			parts.push(h('div', { class: 'job-progress' }, bar, h('span', { class: 'pct' }, fmtNumber(pct, 0) + ' %')));
		}
		if (active && j.remaining_s !== undefined)
			parts.push(h('p', { class: 'job-remaining' }, t('job.remaining', { t: fmtDuration(j.remaining_s) })));
		return h('div', { class: 'job' }, parts);
	}

	function switchBlock(d) {
		if (!d.switch) return null;
		const p = pendingSwitch.get(d.id);
		const on = !!d.switch.on;
		const label = p && !p.failed ? t('switch.sending') : on ? t('switch.turn_off') : t('switch.turn_on');
		return h('div', { class: 'switch-row' },
			h('span', { class: `switch-state ${on ? 'is-on' : 'is-off'}` }, on ? t('switch.on') : t('switch.off')),
			h('button', {
				type: 'button', class: 'btn btn-small', 'aria-pressed': String(on), disabled: p && !p.failed,
				dataset: { focus: 'switch:' + d.id }, onclick: () => toggle(d),
			}, label, h('span', { class: 'visually-hidden' }, ' ' + t('switch.label', { name: d.name }))),
			p && p.failed ? h('span', { class: 'error small', role: 'alert' }, t(p.failed)) : null);
	}

	async function toggle(d) {
		const want = !d.switch.on;
		const p = { on: want, failed: null };
		pendingSwitch.set(d.id, p);
		render(d.id);
		const r = await post('/api/devices/' + encodeURIComponent(d.id) + '/switch', { on: want });
		if (!r.ok) {
			p.failed = r.status === 401 || r.status === 403 ? 'switch.refused' : 'switch.failed';
			render(d.id);
			return;
		}
		p.timer = setTimeout(() => {	// the device never confirmed
			if (pendingSwitch.get(d.id) === p) { p.failed = 'switch.no_answer'; render(d.id); }
		}, 15000);
	}

	function chartBlock(d) {
		const names = Object.keys(d.metrics || {}).filter((m) => CHART_METRICS.includes(m));
		if (!names.length || d.kind === 'printer') return null;
		let c = charts.get(d.id);
		if (!c) { c = { open: false, metric: names[0] }; charts.set(d.id, c); }
		if (!names.includes(c.metric)) c.metric = names[0];
		const area = h('div', { class: 'chart-area' });
		const select = h('select', {
			'aria-label': t('chart.metric'), dataset: { focus: 'chart:' + d.id },
			onchange: (e) => { c.metric = e.target.value; c.points = null; fill(); },
		}, names.map((m) => h('option', { value: m, selected: m === c.metric ? 'selected' : null }, t('metric.' + m))));
		const det = h('details', { class: 'chart-box', open: c.open ? 'open' : null },
			h('summary', { dataset: { focus: 'summary:' + d.id } }, t('chart.show')), select, area);
		det.addEventListener('toggle', () => { c.open = det.open; if (det.open) fill(); });
		async function fill() {
			const fresh = c.points && c.metric === c.pmetric && Date.now() - c.at < 60000;
			if (!fresh) {
				area.replaceChildren(h('p', { class: 'muted small' }, t('chart.loading')));
				const to = new Date(), from = new Date(to.getTime() - 86400000);
				const r = await get(`/api/devices/${encodeURIComponent(d.id)}/history?metric=${encodeURIComponent(c.metric)}` +
					`&from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&max=300`);
				c.points = r.ok && r.data ? r.data.points || [] : [];
				c.pmetric = c.metric; c.from = from; c.to = to; c.at = Date.now();
			}
			area.replaceChildren(c.points.length
				? lineChart(c.points, { from: c.from, to: c.to, label: t('chart.label', { metric: t('metric.' + c.metric), name: d.name }), unit: t('unitsym.' + c.metric) })
				: h('p', { class: 'muted small' }, t('chart.empty')));
		}
		if (c.open) fill();
		return det;
	}

	function tileContent(d) {
		const metrics = Object.entries(d.metrics || {});
		const alerts = alertsByDevice.get(d.id) || 0;
		return [
			h('header', { class: 'tile-head' },
				h('h4', { class: 'tile-name' }, d.name || d.id),
				h('span', { class: `badge ${d.online ? 'badge-on' : 'badge-off'}` },
					h('span', { class: 'dot', 'aria-hidden': 'true' }), d.online ? t('device.online') : t('device.offline'))),
			h('p', { class: 'tile-meta' }, t('kind.' + kindOf(d)), ' · ', d.source,
				d.last_seen ? [' · ', t('device.seen', { t: fmtDateTime(d.last_seen) })] : null),
			alerts ? h('p', { class: 'tile-alert' }, t('device.has_alerts', { n: alerts })) : null,
			jobBlock(d),
			switchBlock(d),
			metrics.length ? h('dl', { class: 'metrics' }, metrics.map(([k, v]) => metricLine(k, v))) : null,
			chartBlock(d),
		];
	}

	function render(id) {
		const d = devices.get(id), el = tiles.get(id);
		if (!d || !el) return;
		el.className = `tile kind-${kindOf(d)} ${d.online ? 'is-online' : 'is-offline'}` +
			((alertsByDevice.get(id) || 0) ? ' has-alert' : '');
		replaceKeepFocus(el, tileContent(d));
	}

	// Rebuild the room/kind grouping (new device, room or kind change).
	function layout() {
		const byRoom = new Map();
		for (const d of devices.values()) {
			const r = roomOf(d);
			if (!byRoom.has(r)) byRoom.set(r, new Map());
			const k = kindOf(d), kinds = byRoom.get(r);
			if (!kinds.has(k)) kinds.set(k, []);
			kinds.get(k).push(d);
		}
		const rooms = [...byRoom.keys()].sort((a, b) => (a === '') - (b === '') || a.localeCompare(b));
		const sections = rooms.map((r, ri) => h('section', { class: 'room', 'aria-labelledby': 'room-' + ri },
			h('h3', { id: 'room-' + ri }, r || t('devices.no_room')),
			KIND_ORDER.filter((k) => byRoom.get(r).has(k)).map((k) => h('div', { class: 'kind-group' },
				h('h4', { class: 'kind-heading' }, t('kinds.' + k)),
				h('div', { class: 'tiles' }, byRoom.get(r).get(k)
					.sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id))
					.map((d) => {
						let el = tiles.get(d.id);
						if (!el) { el = h('article', { dataset: { id: d.id } }); tiles.set(d.id, el); }
						render(d.id);
						return el;
					}))))));
		replaceKeepFocus(root, sections);
		layoutKey = keyOf();
		emptyNote.hidden = devices.size > 0;
		updateCount();
	}

	function keyOf() {
		return [...devices.values()].map((d) => `${d.id}|${roomOf(d)}|${kindOf(d)}|${d.name}`).sort().join('\n');
	}

	function updateCount() {
		const online = [...devices.values()].filter((d) => d.online).length;
		countEl.textContent = t('devices.count', { online, total: devices.size });
	}

	return {
		devices,
		snapshot(list) {
			devices.clear();
			for (const d of list) devices.set(d.id, d);
			for (const id of [...tiles.keys()]) if (!devices.has(id)) tiles.delete(id);
			layout();
		},
		update(d) {
			const p = pendingSwitch.get(d.id);
			if (p && d.switch && !!d.switch.on === p.on) { clearTimeout(p.timer); pendingSwitch.delete(d.id); }
			devices.set(d.id, d);
			if (keyOf() !== layoutKey) layout();
			else { render(d.id); updateCount(); }
		},
		setAlerts(map) {
			alertsByDevice = map;
			for (const id of tiles.keys()) render(id);
		},
		relabel() { layout(); },
	};
}
