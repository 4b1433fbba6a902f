// chart.js — a small SVG line chart of [[iso, value], …] over a time span.
// No library: a polyline, min/max labels and a time axis in the lab's
// time zone.  Colours come from CSS (class names), not inline styles.
import { h } from './dom.js';
import { fmtNumber, fmtTime } from './i18n.js';

export function lineChart(points, { from, to, label, unit = '' }) {
	const W = 320, H = 120, L = 44, R = 8, T = 10, B = 22;
	const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': label });
	const t0 = new Date(from).getTime(), t1 = new Date(to).getTime();
	const vals = points.map((p) => p[1]);
	let lo = Math.min(...vals), hi = Math.max(...vals);
	if (!vals.length) { lo = 0; hi = 1; }
	if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
	const x = (ms) => L + ((ms - t0) / (t1 - t0)) * (W - L - R);
	const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
	svg.append(h('svg:rect', { x: L, y: T, width: W - L - R, height: H - T - B, class: 'chart-bg' }));
	for (const v of [lo, hi]) {
		svg.append(h('svg:line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'chart-grid' }));
		svg.append(h('svg:text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-label' },
			fmtNumber(v) + unit));
	}
	for (const ms of [t0, (t0 + t1) / 2, t1]) {
		svg.append(h('svg:text', { x: x(ms), y: H - 6, 'text-anchor': ms === t0 ? 'start' : ms === t1 ? 'end' : 'middle', class: 'chart-label' },
			fmtTime(new Date(ms).toISOString())));
	}
	if (points.length) {
		const pts = points.map((p) => `${x(new Date(p[0]).getTime()).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
		svg.append(h('svg:polyline', { points: pts, class: 'chart-line' }));
	}
	return svg;
}
