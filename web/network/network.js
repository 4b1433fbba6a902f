// network.js — the network hub's page: each site's indicators for a fiscal
// year (from its anonymous facts, counted by the lab report's own code),
// with targets and gaps, the network's total, and for each site the last
// fact received and how far it is acknowledged.  Each figure links to the
// facts behind it (GET /api/network/indicators/explain, as a page).  GET
// /api/network/indicators?fy=Y, again every REFRESH_MS; when the hub does
// not answer, the last figures stay, with the time they are from.
// ?fy=Y opens a year, ?lang=fr|en a language.
import { $, h, replaceKeepFocus } from '../js/dom.js';
import * as i18n from '../js/i18n.js';
import { t, tn, tOr, fmtNumber, fmtPercent, fmtTime, fmtDateTime, fiscalYear, currentLang } from '../js/i18n.js';
import { get } from '../js/api.js';
import { INDICATORS } from '../js/indicators.js';

const REFRESH_MS = 30000, YEARS = 6;
let fy = 0, data = null, at = null, stale = false, timer = 0;

const fmt = (name, v) => (v === null || v === undefined ? '—'
	: name.endsWith('_pct') ? fmtPercent(v) : fmtNumber(v, 1));

function fmtGap(name, g) {
	if (typeof g !== 'number') return '—';
	return (g > 0 ? '+' : '') + fmt(name, g);
}

// The indicators shown: the dashboard's, in its order, then any other the
// hub gives that the catalogues name.
function names(ind) {
	return [...INDICATORS, ...Object.keys(ind).filter((n) => !INDICATORS.includes(n) && i18n.has('ind.' + n))];
}

// The facts behind figure name of site (null: the total), as a page.
function trailHref(name, site) {
	const q = new URLSearchParams({ fy: String(fy), key: name });
	if (site) q.set('site', site);
	q.set('format', 'html');
	q.set('lang', currentLang() === 'en' ? 'en' : 'fr');
	return '/api/network/indicators/explain?' + q;
}

function figures(id, label, ind, site) {
	const rows = names(ind).map((name) => {
		const row = ind[name] || {};
		const v = typeof row === 'object' ? row.value : row;
		const target = typeof row === 'object' ? row.target : null;
		let gap = typeof row === 'object' ? row.gap : null;
		if (typeof gap !== 'number' && typeof v === 'number' && typeof target === 'number') gap = v - target;
		const cls = typeof gap === 'number' ? (gap < 0 ? 'num below' : 'num met') : 'num';
		return h('tr', {},
			h('th', { scope: 'row' }, t('ind.' + name)),
			h('td', { class: 'num' }, fmt(name, v)),
			h('td', { class: 'num' }, fmt(name, target)),
			h('td', { class: cls }, fmtGap(name, gap)),
			h('td', {}, h('a', {
				class: 'net-trail', href: trailHref(name, site),
				'aria-label': t('net.trail_label', { name: t('ind.' + name), site: label }),
			}, t('net.trail'))));
	});
	return h('table', { class: 'ind-table' },
		h('caption', { class: 'visually-hidden' }, t('net.caption', { site: label, from: fy, to: fy + 1 })),
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col' }, t('ind.name')),
			h('th', { scope: 'col', class: 'num' }, t('ind.value')),
			h('th', { scope: 'col', class: 'num' }, t('ind.target')),
			h('th', { scope: 'col', class: 'num' }, t('net.gap')),
			h('th', { scope: 'col' }, t('net.trail_col')))),
		h('tbody', { id }, ...rows));
}

function factType(type) {
	return type ? tOr('net.type.' + type, type) : '—';
}

function siteCard(site, s, i) {
	const hid = `net-site-${i}-h`, last = s.last || {};
	const meta = [
		h('p', { class: 'net-meta net-last' }, t('net.last', {
			seq: fmtNumber(last.seq, 0), type: factType(last.type),
			at: fmtDateTime(last.at), received: fmtDateTime(last.received),
		})),
		h('p', { class: 'net-meta net-acked' }, t('net.acked', { seq: fmtNumber(s.acknowledged, 0) })),
	];
	if (s.refused > 0) meta.push(h('p', { class: 'net-meta below' }, tn('net.refused', s.refused)));
	return h('section', { class: 'panel net-card net-site', 'aria-labelledby': hid, 'data-site': site },
		h('h2', { id: hid }, site), ...meta,
		figures(`net-body-${i}`, site, (s.indicators) || {}, site));
}

function render() {
	const sites = Object.entries((data && data.sites) || {});
	$('#net-none').hidden = !data || sites.length > 0;
	const cards = [];
	if (data) {
		const total = t('net.total');
		cards.push(h('section', { class: 'panel net-card net-total', 'aria-labelledby': 'net-total-h' },
			h('h2', { id: 'net-total-h' }, total),
			h('p', { class: 'net-meta' }, tn('net.sites', sites.length)),
			figures('net-total-body', total, (data.total && data.total.indicators) || {}, null)));
		sites.forEach(([site, s], i) => cards.push(siteCard(site, s, i)));
	}
	replaceKeepFocus($('#net-cards'), ...cards);
	const st = $('#net-status');
	st.classList.toggle('stale', stale);
	st.textContent = !at ? '' : t(stale ? 'net.stale' : 'net.updated', { t: fmtTime(at.toISOString()) });
	$('#net-csv').href = `/api/network/indicators?fy=${fy}&format=csv`;
	for (const o of $('#net-fy').options) o.textContent = t('net.fy_option', { from: +o.value, to: +o.value + 1 });
}

async function refresh() {
	clearTimeout(timer);
	const want = fy;
	const r = await get('/api/network/indicators?fy=' + want);
	if (want !== fy) return;	// the year changed meanwhile: its own refresh follows
	if (r.ok && r.data) {
		data = r.data;
		at = new Date();
		stale = false;
	} else {
		stale = true;
	}
	render();
	timer = setTimeout(refresh, REFRESH_MS);
}

function yearPicker() {
	const now = fiscalYear(), sel = $('#net-fy');
	const years = [];
	for (let y = now; y > now - YEARS; y--) years.push(y);
	if (!years.includes(fy)) years.push(fy);
	replaceKeepFocus(sel, ...years.sort((a, b) => b - a).map((y) => h('option', { value: String(y) }, String(y))));
	sel.value = String(fy);
	sel.addEventListener('change', () => {
		fy = +sel.value;
		data = null;
		at = null;
		const u = new URL(location.href);
		u.searchParams.set('fy', fy);
		history.replaceState(null, '', u);
		render();
		refresh();
	});
}

async function start() {
	const q = new URLSearchParams(location.search);
	await i18n.init();
	if (q.get('lang')) await i18n.setLang(q.get('lang'), false);
	i18n.wireSwitch($('#lang'));
	i18n.onLangChange(render);
	const asked = Number(q.get('fy'));
	fy = Number.isInteger(asked) && asked >= 2000 && asked <= 2999 ? asked : fiscalYear();
	yearPicker();
	render();
	refresh();
}

start();
