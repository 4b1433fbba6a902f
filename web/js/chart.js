// chart.js — SVG line charts of [[iso, value], …] series over a time span.
//
// No library.  The chart is drawn at the pixel size of its box, so the
// labels are real 13 px text whatever the tile's width.  A young lab's
// short history fills the chart instead of being a vertical line at its
// right edge: the window starts a little before the first point when that
// is later than the asked "from".  More points than the width can show are
// averaged into buckets here (the hub should send rollups: see
// docs/web.md).  Moving the pointer over the chart, or focusing it and
// using the arrow keys, shows the value and time under a cursor and says
// it to screen readers.  Colours come from CSS (class names).
import { h } from './dom.js';
import { t, fmtNumber, fmtTime, fmtDateTime, TZ, locale } from './i18n.js';

export const RANGES = { day: 86400e3, week: 7 * 86400e3, month: 30 * 86400e3, year: 365 * 86400e3 };
const MAX_POINTS = 400;

// Average points into at most max equal time buckets.
export function downsample(points, max = MAX_POINTS) {
	if (points.length <= max) return points;
	const t0 = Date.parse(points[0][0]), t1 = Date.parse(points[points.length - 1][0]);
	const w = (t1 - t0) / max || 1;
	const out = [];
	let b = -1, sum = 0, n = 0, at = 0;
	for (const [iso, v] of points) {
		const ms = Date.parse(iso), k = Math.min(max - 1, Math.floor((ms - t0) / w));
		if (k !== b && n) { out.push([new Date(at / n).toISOString(), sum / n]); sum = 0; n = 0; at = 0; }
		b = k; sum += v; n++; at += ms;
	}
	if (n) out.push([new Date(at / n).toISOString(), sum / n]);
	return out;
}

// The window actually shown: [from, to], or from just before the first
// point when the data starts well after from (a young lab).
export function window_(series, from, to) {
	const t1 = new Date(to).getTime();
	let t0 = new Date(from).getTime(), first = Infinity;
	for (const s of series) if (s.points.length) first = Math.min(first, Date.parse(s.points[0][0]));
	if (first !== Infinity && first - t0 > (t1 - t0) * 0.1) {
		const span = Math.max(t1 - first, 10 * 60e3);
		t0 = Math.max(t0, t1 - span * 1.05);
	}
	return [t0, t1];
}

function fmtAxisTime(ms, span) {
	const d = new Date(ms);
	if (span <= 36 * 3600e3) return fmtTime(d.toISOString());
	return new Intl.DateTimeFormat(locale(), {
		timeZone: TZ, day: 'numeric', month: 'short', ...(span > 200 * 86400e3 ? { year: '2-digit' } : {}),
	}).format(d);
}

// series: [{key, label, points, cls}] (cls: a CSS class for the line).
// Returns a <figure> holding the SVG, its legend and a live readout.
export function lineChart(series, { from, to, label, unit = '', width = 320, height = 190, focusKey }) {
	series = series.map((s) => ({ ...s, points: downsample(s.points || []) }));
	const W = Math.max(240, Math.round(width)), H = height, L = 56, R = 14, T = 12, B = 30;
	const [t0, t1] = window_(series, from, to);
	const vals = series.flatMap((s) => s.points.map((p) => p[1]));
	let lo = vals.length ? Math.min(...vals) : 0, hi = vals.length ? Math.max(...vals) : 1;
	if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
	const pad = (hi - lo) * 0.08;
	lo -= pad; hi += pad;
	const x = (ms) => L + ((ms - t0) / (t1 - t0)) * (W - L - R);
	const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
	const svg = h('svg:svg', {
		viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'chart', role: 'img', tabindex: '0',
		'aria-label': label + '. ' + t('chart.keys'),
	});
	if (focusKey) svg.dataset.focus = focusKey;
	svg.append(h('svg:rect', { x: L, y: T, width: W - L - R, height: H - T - B, class: 'chart-bg' }));
	for (const v of [lo + pad, (lo + hi) / 2, hi - pad]) {
		svg.append(h('svg:line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'chart-grid' }));
		svg.append(h('svg:text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-label' },
			fmtNumber(v, Math.abs(hi - lo) < 10 ? 1 : 0) + unit));
	}
	const ticks = W > 480 ? 5 : 3;
	for (let i = 0; i < ticks; i++) {
		const ms = t0 + ((t1 - t0) * i) / (ticks - 1);
		svg.append(h('svg:text', {
			x: x(ms), y: H - 9, class: 'chart-label',
			'text-anchor': i === 0 ? 'start' : i === ticks - 1 ? 'end' : 'middle',
		}, fmtAxisTime(ms, t1 - t0)));
	}
	for (const s of series) {
		if (!s.points.length) continue;
		const pts = s.points.map((p) => `${x(Date.parse(p[0])).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
		svg.append(h('svg:polyline', { points: pts, class: 'chart-line ' + (s.cls || '') }));
		if (s.points.length === 1) {
			const p = s.points[0];
			svg.append(h('svg:circle', { cx: x(Date.parse(p[0])), cy: y(p[1]), r: 3, class: 'chart-dot ' + (s.cls || '') }));
		}
	}

	// the cursor: a vertical line, a dot per series, a readout
	const main = series.find((s) => s.points.length) || { points: [] };
	const cursor = h('svg:g', { class: 'chart-cursor', visibility: 'hidden' },
		h('svg:line', { y1: T, y2: H - B, class: 'chart-cursor-line' }),
		series.map((s) => h('svg:circle', { r: 4, class: 'chart-dot ' + (s.cls || '') })));
	svg.append(cursor);
	const readout = h('p', { class: 'chart-readout', 'aria-live': 'polite' }, '\u00a0');
	let idx = -1;

	function nearest(points, ms) {
		let best = 0, bd = Infinity;
		for (let i = 0; i < points.length; i++) {
			const d = Math.abs(Date.parse(points[i][0]) - ms);
			if (d < bd) { bd = d; best = i; }
		}
		return best;
	}
	function showAt(i) {
		if (!main.points.length) return;
		idx = Math.max(0, Math.min(main.points.length - 1, i));
		const ms = Date.parse(main.points[idx][0]), cx = x(ms);
		cursor.setAttribute('visibility', 'visible');
		cursor.firstChild.setAttribute('x1', cx);
		cursor.firstChild.setAttribute('x2', cx);
		const parts = [];
		series.forEach((s, k) => {
			const dot = cursor.childNodes[k + 1];
			if (!s.points.length) { dot.setAttribute('visibility', 'hidden'); return; }
			const p = s.points[nearest(s.points, ms)];
			dot.setAttribute('visibility', 'visible');
			dot.setAttribute('cx', x(Date.parse(p[0])));
			dot.setAttribute('cy', y(p[1]));
			parts.push(t('chart.value', { name: s.label, value: fmtNumber(p[1]) + unit }));
		});
		readout.textContent = t('chart.at', { t: fmtDateTime(main.points[idx][0]), values: parts.join(' · ') });
	}
	function hide() { cursor.setAttribute('visibility', 'hidden'); }

	svg.addEventListener('pointermove', (e) => {
		const r = svg.getBoundingClientRect();
		const px = ((e.clientX - r.left) / r.width) * W;
		showAt(nearest(main.points, t0 + ((px - L) / (W - L - R)) * (t1 - t0)));
	});
	svg.addEventListener('pointerleave', () => { if (document.activeElement !== svg) hide(); });
	svg.addEventListener('focus', () => showAt(idx < 0 ? main.points.length - 1 : idx));
	svg.addEventListener('blur', hide);
	svg.addEventListener('keydown', (e) => {
		const step = { ArrowLeft: -1, ArrowRight: 1, PageUp: -10, PageDown: 10 }[e.key];
		if (step) showAt(idx + step);
		else if (e.key === 'Home') showAt(0);
		else if (e.key === 'End') showAt(main.points.length - 1);
		else return;
		e.preventDefault();
	});

	const legend = series.length > 1 ? h('ul', { class: 'chart-legend' }, series.map((s) =>
		h('li', {}, h('span', { class: 'chart-swatch ' + (s.cls || ''), 'aria-hidden': 'true' }), s.label))) : null;
	return h('figure', { class: 'chart-fig' }, svg, legend, readout);
}
