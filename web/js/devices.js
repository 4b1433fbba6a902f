// devices.js — the dashboard's wall of device tiles, grouped by room and
// kind, updated in place from /ws "device" messages.
//
// A plug's switch sends POST /api/devices/{id}/switch and shows "sending"
// until the device's own report says the new state: the tile only ever
// shows what the device said.
import { h, replaceKeepFocus } from './dom.js';
import { t, tn, tOr, fmtNumber, fmtPercent, fmtDuration, fmtDateTime, fmtEta } from './i18n.js';
import { get, post } from './api.js';
import { lineChart, RANGES } from './chart.js';
import { openDeviceSettings, confirmSwitchOff } from './devsettings.js';
import { vocab } from './vocab.js';

const KIND_ORDER = ['printer', 'scanner', 'plug', 'sensor', 'button', 'other'];
const CHART_METRICS = ['temperature_c', 'humidity_pct', 'co2_ppm', 'pressure_hpa', 'illuminance_lx',
	'power_w', 'nozzle_temp_c', 'bed_temp_c', 'chamber_temp_c', 'battery_pct'];
let ACTIVE = new Set();	// the job states of a job under way: the hub's job_state_active
const TEMP_SERIES = ['nozzle_temp_c', 'nozzle_target_c', 'bed_temp_c', 'bed_target_c'];
const TARGETS = { nozzle_temp_c: 'nozzle_target_c', bed_temp_c: 'bed_target_c' };
const SHOWN_WITH = new Set(Object.values(TARGETS));	// targets ride on their temperature's line
// The metrics a tile shows first; the others fold under "more measures".
const MAIN_METRICS = new Set(['power_w', 'energy_today_kwh', 'temperature_c', 'humidity_pct', 'co2_ppm',
	'pressure_hpa', 'illuminance_lx', 'nozzle_temp_c', 'bed_temp_c', 'chamber_temp_c', 'pm25_ugm3',
	'voc_ppb', 'moisture_pct', 'battery_pct']);
const DURATION_METRICS = new Set(['uptime_s', 'remaining_s']);

export function createDeviceWall(root, emptyNote, countEl) {
	const devices = new Map();		// id → device JSON
	const tiles = new Map();		// id → <article>
	const pendingSwitch = new Map();	// id → {on, timer, failed}
	const charts = new Map();		// id → {open, metric, points, from, to, at}
	let alertsByDevice = new Map();
	const receivedAt = new Map();	// id → when its last update arrived (ms)
	const moreOpen = new Map();	// id → "more measures" unfolded
	let layoutKey = '', brokerDown = false;

	// The active states, asked again at a snapshot while not known (a
	// page opened while the hub was away, nothing seen before).
	function loadActive() {
		vocab().then((v) => {
			ACTIVE = new Set(v.job_state_active || []);
			if (ACTIVE.size) for (const id of tiles.keys()) render(id);
		});
	}
	loadActive();

	const kindOf = (d) => (KIND_ORDER.includes(d.kind) ? d.kind : 'other');
	const roomOf = (d) => d.room || '';

	function metricLine(name, value, d) {
		const unit = tOr('unitsym.' + name, '');
		let v = DURATION_METRICS.has(name) ? fmtDuration(value)
			: fmtNumber(value, name.endsWith('_kwh') || name === 'power_factor' ? 3 : 1) + unit;
		const target = TARGETS[name];
		if (target && d.metrics[target] !== undefined && d.metrics[target] > 0)
			v = t('metric.with_target', { value: v, target: fmtNumber(d.metrics[target], 0) + unit });
		return [h('dt', {}, tOr('metric.' + name, name)), h('dd', {}, v)];
	}

	// A scanner (or any device) that never reports a percentage keeps the
	// 0 the hub starts a job with: "in progress, no percentage", honestly.
	function knownPct(d, j) {
		if (j.progress_known === false) return null;
		if (typeof j.progress_pct !== 'number') return j.state === 'finished' ? 100 : null;
		if (j.progress_pct === 0 && ACTIVE.has(j.state) && (d.kind === 'scanner' || j.kind === 'scan')) return null;
		return j.progress_pct;
	}

	function jobBlock(d) {
		const j = d.job;
		if (!j) return null;
		const active = ACTIVE.has(j.state);
		const scan = d.kind === 'scanner' || j.kind === 'scan';
		const pct = knownPct(d, j);
		const word = scan && j.state === 'printing' ? 'job.state.scanning' : 'job.state.' + j.state;
		const parts = [h('p', { class: `job-state state-${j.state}` },
			h('span', { class: 'state-dot', 'aria-hidden': 'true' }), tOr(word, j.state))];
		if (j.file) parts.push(h('p', { class: 'job-file' }, h('span', { class: 'visually-hidden' }, t('job.file') + ' '), j.file));
		if (pct !== null && (active || j.state === 'finished')) {
			const bar = h('div', {
				class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
				'aria-valuenow': Math.round(pct), 'aria-label': t('job.progress'),
			}, h('span', { class: 'bar-fill' }));
			bar.firstChild.style.width = Math.max(0, Math.min(100, pct)) + '%';
			parts.push(h('div', { class: 'job-progress' }, bar, h('span', { class: 'pct' }, fmtPercent(pct))));
		} else if (active && j.state !== 'paused') {
			parts.push(h('p', { class: 'job-nopct' }, h('span', { class: 'bar bar-busy', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill' })),
				h('span', {}, t('job.no_pct'))));
		}
		const facts = [];
		if (active && typeof j.remaining_s === 'number' && j.remaining_s >= 0) {
			facts.push([t('job.left'), fmtDuration(j.remaining_s)]);
			if (j.state !== 'paused') facts.push([t('job.eta'), fmtEta(j.remaining_s, receivedAt.get(d.id) || Date.now())]);
		}
		if (active && typeof j.layer === 'number')
			facts.push([t('job.layer'), typeof j.layers === 'number' && j.layers > 0
				? t('job.layer_of', { n: fmtNumber(j.layer, 0), of: fmtNumber(j.layers, 0) }) : fmtNumber(j.layer, 0)]);
		if (active && j.started_at) facts.push([t('job.started'), fmtDateTime(j.started_at)]);
		if (facts.length) parts.push(h('dl', { class: 'job-facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
		return h('div', { class: 'job' }, parts);
	}

	function switchBlock(d) {
		if (!d.switch) return null;
		const p = pendingSwitch.get(d.id);
		const on = !!d.switch.on;
		const label = p && !p.failed ? t('switch.sending') : on ? t('switch.turn_off') : t('switch.turn_on');
		// while the broker or the hub is away the plug's state is unknown:
		// no command, and the button says why
		const why = brokerDown ? 'switch-why-' + encodeURIComponent(d.id).replace(/%/g, '_') : null;
		return h('div', { class: 'switch-row' },
			h('span', { class: `switch-state ${on ? 'is-on' : 'is-off'}` }, on ? t('switch.on') : t('switch.off')),
			h('button', {
				type: 'button', class: 'btn btn-small', 'aria-pressed': String(on), disabled: brokerDown || (p && !p.failed),
				title: why ? t('switch.unknown') : null, 'aria-describedby': why,
				dataset: { focus: 'switch:' + d.id }, onclick: (ev) => toggle(d, ev),
			}, label, h('span', { class: 'visually-hidden' }, ' ' + t('switch.label', { name: d.name }))),
			why ? h('span', { id: why, class: 'muted small switch-why' }, t('switch.unknown')) : null,
			p && p.failed ? h('span', { class: 'error small', role: 'alert' }, t(p.failed)) : null);
	}

	async function toggle(d, ev) {
		const want = !d.switch.on;
		if (!want && !await confirmSwitchOff(d, devices, ev && ev.currentTarget)) return;
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

	// The chart under a tile: a metric (or, for a printer, its nozzle and
	// bed temperatures with their targets) over 24 h, 7 days, 30 days or a
	// year, from GET /api/devices/{id}/history.
	function chartBlock(d) {
		const names = Object.keys(d.metrics || {}).filter((m) => CHART_METRICS.includes(m));
		const temps = TEMP_SERIES.filter((m) => (d.metrics || {})[m] !== undefined);
		const printer = d.kind === 'printer';
		if (printer ? !temps.length : !names.length) return null;
		let c = charts.get(d.id);
		if (!c) { c = { open: false, metric: printer ? 'temps' : names[0], range: 'day' }; charts.set(d.id, c); }
		if (!printer && !names.includes(c.metric)) c.metric = names[0];
		const area = h('div', { class: 'chart-area' });
		const select = printer ? null : h('select', {
			'aria-label': t('chart.metric'), dataset: { focus: 'chart:' + d.id },
			onchange: (e) => { c.metric = e.target.value; c.data = null; fill(); },
		}, names.map((m) => h('option', { value: m, selected: m === c.metric ? 'selected' : null }, t('metric.' + m))));
		const ranges = h('div', { class: 'chart-ranges', role: 'group', 'aria-label': t('chart.range') },
			Object.keys(RANGES).map((r) => h('button', {
				type: 'button', class: 'btn btn-small', 'aria-pressed': String(c.range === r),
				dataset: { focus: `range:${d.id}:${r}`, range: r },
				onclick: (e) => {
					c.range = r; c.data = null;
					for (const b of ranges.children) b.setAttribute('aria-pressed', String(b.dataset.range === r));
					fill();
				},
			}, t('chart.range.' + r))));
		const det = h('details', { class: 'chart-box', open: c.open ? 'open' : null },
			h('summary', { dataset: { focus: 'summary:' + d.id } }, printer ? t('chart.show_temps') : t('chart.show')),
			h('div', { class: 'chart-controls' }, select, ranges), area);
		det.addEventListener('toggle', () => {
			c.open = det.open;
			const tile = tiles.get(d.id);
			if (tile) tile.classList.toggle('chart-open', det.open);
			if (det.open) fill();
		});
		async function fetchSeries(metric, from, to) {
			const r = await get(`/api/devices/${encodeURIComponent(d.id)}/history?metric=${encodeURIComponent(metric)}` +
				`&from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&max=1000`);
			return r.ok && r.data ? r.data.points || [] : [];
		}
		async function fill() {
			const key = c.metric + '|' + c.range;
			const fresh = c.data && c.dkey === key && Date.now() - c.at < 60000;
			if (!fresh) {
				area.replaceChildren(h('p', { class: 'muted small' }, t('chart.loading')));
				const to = new Date(), from = new Date(to.getTime() - RANGES[c.range]);
				const metrics = printer ? temps : [c.metric];
				const all = await Promise.all(metrics.map((m) => fetchSeries(m, from, to)));
				c.data = metrics.map((m, i) => ({ key: m, label: t('metric.' + m), points: all[i], cls: 'series-' + m }));
				c.dkey = key; c.from = from; c.to = to; c.at = Date.now();
			}
			const what = printer ? t('chart.temps') : t('metric.' + c.metric);
			const label = t('chart.label', { metric: what, name: d.name, range: t('chart.range_long.' + c.range) });
			c.fig = c.data.some((s) => s.points.length)
				? lineChart(c.data, {
					from: c.from, to: c.to, label, width: area.clientWidth || 320, focusKey: 'svg:' + d.id,
					unit: t('unitsym.' + (printer ? 'nozzle_temp_c' : c.metric)),
				})
				: h('p', { class: 'muted small' }, t('chart.empty', { range: t('chart.range_long.' + c.range) }));
			c.fkey = key;
			area.replaceChildren(c.fig);
		}
		const fresh = c.fig && c.fkey === c.metric + '|' + c.range && Date.now() - c.at < 60000;
		if (c.open && fresh) area.append(c.fig);
		else if (c.open) queueMicrotask(fill);
		return det;
	}

	// While the hub has lost its broker (or the page has lost the hub), no
	// device can tell us anything: every tile says "state unknown" and
	// greys its last values.
	function badge(d) {
		if (brokerDown) return h('span', { class: 'badge badge-unknown' },
			h('span', { class: 'dot', 'aria-hidden': 'true' }), t('device.unknown'));
		return h('span', { class: `badge ${d.online ? 'badge-on' : 'badge-off'}` },
			h('span', { class: 'dot', 'aria-hidden': 'true' }), d.online ? t('device.online') : t('device.offline'));
	}

	function tileContent(d) {
		const hidden = new Set(d.hidden_metrics || []);
		const metrics = Object.entries(d.metrics || {}).filter(([k]) => !hidden.has(k) && (!SHOWN_WITH.has(k) ||
			d.metrics[Object.keys(TARGETS).find((x) => TARGETS[x] === k)] === undefined));
		const main = metrics.filter(([k]) => MAIN_METRICS.has(k));
		const more = metrics.filter(([k]) => !MAIN_METRICS.has(k));
		const moreBox = more.length ? h('details', { class: 'metrics-more', open: moreOpen.get(d.id) ? 'open' : null },
			h('summary', { dataset: { focus: 'more:' + d.id } }, tn('devices.more_metrics', more.length)),
			h('dl', { class: 'metrics' }, more.map(([k, v]) => metricLine(k, v, d)))) : null;
		if (moreBox) moreBox.addEventListener('toggle', () => moreOpen.set(d.id, moreBox.open));
		const feeds = d.feeds && devices.get(d.feeds) ? devices.get(d.feeds).name : null;
		const alerts = alertsByDevice.get(d.id) || 0;
		return [
			h('header', { class: 'tile-head' }, h('h4', { class: 'tile-name' }, d.name || d.id), badge(d),
				h('button', {
					type: 'button', class: 'btn btn-small btn-quiet tile-settings', dataset: { focus: 'settings:' + d.id },
					onclick: (ev) => openDeviceSettings(d, devices, ev.currentTarget, (nd) => api.update(nd)),
				}, t('devset.open'), h('span', { class: 'visually-hidden' }, ' ' + t('devset.open_label', { name: d.name || d.id })))),
			h('p', { class: 'tile-meta' }, t('kind.' + kindOf(d)), ' · ', d.source,
				d.last_seen ? [' · ', t(brokerDown ? 'device.last_known' : 'device.seen', { t: fmtDateTime(d.last_seen) })] : null),
			alerts ? h('p', { class: 'tile-alert' }, tn('device.has_alerts', alerts)) : null,
			feeds || d.machine ? h('p', { class: 'tile-feeds' }, t('devset.feeds_line', { what: [d.machine, feeds].filter(Boolean).join(' · ') })) : null,
			h('div', { class: 'tile-live' },
				jobBlock(d),
				switchBlock(d),
				main.length ? h('dl', { class: 'metrics' }, main.map(([k, v]) => metricLine(k, v, d))) : null,
				moreBox),
			chartBlock(d),
		];
	}

	function render(id) {
		const d = devices.get(id), el = tiles.get(id);
		if (!d || !el) return;
		const c = charts.get(id);
		el.className = `tile kind-${kindOf(d)} ` + (brokerDown ? 'is-unknown' : d.online ? 'is-online' : 'is-offline') +
			((alertsByDevice.get(id) || 0) ? ' has-alert' : '') + (c && c.open ? ' chart-open' : '');
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
		countEl.textContent = brokerDown ? tn('devices.count_unknown', devices.size)
			: tn('devices.count', devices.size, { online: fmtNumber(online, 0) });
	}

	const api = {
		devices,
		snapshot(list) {
			if (!ACTIVE.size) loadActive();
			devices.clear();
			for (const d of list) devices.set(d.id, d);
			for (const id of [...tiles.keys()]) if (!devices.has(id)) tiles.delete(id);
			layout();
		},
		update(d) {
			const p = pendingSwitch.get(d.id);
			if (p && d.switch && !!d.switch.on === p.on) { clearTimeout(p.timer); pendingSwitch.delete(d.id); }
			devices.set(d.id, d);
			receivedAt.set(d.id, Date.now());
			if (keyOf() !== layoutKey) layout();
			else { render(d.id); updateCount(); }
		},
		setAlerts(map) {
			alertsByDevice = map;
			for (const id of tiles.keys()) render(id);
		},
		relabel() { layout(); },
		setBroker(up) {
			if (brokerDown === !up) return;
			brokerDown = !up;
			root.classList.toggle('broker-down', brokerDown);
			for (const id of tiles.keys()) render(id);
			updateCount();
		},
	};
	return api;
}
