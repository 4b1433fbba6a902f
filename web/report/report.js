// report.js — the annual report for the staff: a fiscal-year picker, every
// figure with its target and gap (GET /api/indicators?fy=Y), the HTML,
// CSV, JSON and spreadsheet (.ods) links, and each figure's explain trail
// (…&explain=NAME) as a table whose columns, codes and times are in the
// page's language.  Figures use the dashboard's words (ind.* keys);
// machines and devices show the names they were given (GET /api/machines,
// /api/devices), not their plug ids.
import { $, h } from '../js/dom.js';
import { t, tn, tOr, has, fmtNumber, fiscalYear, currentLang, locale, TZ } from '../js/i18n.js';
import { get, list } from '../js/api.js';
import { startPage } from '../js/staffpage.js';

const FIRST_FY = 2018;
let fy = fiscalYear(), data = null, machines = new Map(), devices = new Map(), trail = null, trailName = null;

const url = (fmt, extra = '') => `/api/indicators?fy=${fy}&format=${fmt}&lang=${currentLang()}${extra}`;

// "participants.by_group.school" → "Participants — Groupe scolaire"
function figLabel(name) {
	if (has('ind.' + name)) return t('ind.' + name);
	const m = /^(.*)\.(by_[a-z_]+)\.(.*)$/.exec(name);
	if (!m) return tOr('ind.' + name, name);
	const [, base, by, key] = m;
	let k = key;
	if (by === 'by_machine') k = machines.get(key) || key;
	else if (by === 'by_group') k = tOr('group.' + key, key === 'none' ? t('rep.key.none') : key);
	else if (by === 'by_age') k = key === 'unknown' ? t('rep.key.unknown') : tOr('age.' + key, key);
	else if (by === 'by_kind') k = tOr('ckind.' + key, key);
	else if (by === 'by_licence') k = tOr('licence.' + key, key);
	else if (by === 'by_scale') k = t('rep.key.scale', { n: key });
	return `${tOr('ind.' + base, base)} — ${k}`;
}

const fmt = (name, v) => (v === null || v === undefined ? '—'
	: fmtNumber(v, name.includes('_pct') ? 1 : 2) + (name.includes('_pct') ? ' %' : ''));

function drawYears() {
	const now = fiscalYear(), sel = $('#rep-fy');
	const years = [];
	for (let y = now; y >= FIRST_FY; y--) years.push(y);
	sel.replaceChildren(...years.map((y) => h('option', { value: y, selected: y === fy ? 'selected' : null },
		t('rep.fy_option', { from: y, to: y + 1 }))));
}

function drawLinks() {
	$('#rep-html').href = url('html');
	$('#rep-csv').href = url('csv');
	$('#rep-json').href = url('json');
	$('#rep-ods').href = url('ods');
	$('#rep-period').textContent = data ? t('rep.period', { from: data.from, to: data.to }) : t('rep.unavailable');
}

function drawFigures() {
	const ind = (data && data.indicators) || {};
	$('#rep-body').replaceChildren(...Object.entries(ind).map(([name, f]) => {
		const gap = typeof f.gap === 'number' ? f.gap : null;
		const sub = name.includes('.by_');
		return h('tr', { class: sub ? 'sub' : null },
			h('th', { scope: 'row' }, figLabel(name)),
			h('td', { class: 'num' }, fmt(name, f.value)),
			h('td', { class: 'num' }, fmt(name, f.target)),
			h('td', { class: 'num ' + (gap === null ? '' : gap < 0 ? 'gap-neg' : 'gap-pos') },
				gap === null ? '—' : (gap > 0 ? '+' : '') + fmt(name, gap)),
			h('td', {}, h('button', {
				type: 'button', class: 'btn btn-small btn-quiet', dataset: { focus: 'trail:' + name },
				onclick: () => showTrail(name),
			}, t('rep.show_trail'), h('span', { class: 'visually-hidden' }, ' ' + t('rep.trail_of', { name: figLabel(name) })))));
	}));
}

// A time of the trail: the day with its year (a fiscal year spans two).
const fmtWhen = (iso) => new Intl.DateTimeFormat(locale(), {
	timeZone: TZ, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit',
}).format(new Date(iso));

// A cell of the trail in people's words: times local, codes translated,
// the hub's 0/1 columns (trail.yes_no) as yes and no.
function cellText(col, v) {
	if (v === null || v === undefined || v === '') return '—';
	if (trail && (trail.yes_no || []).includes(col)) return t(v ? 'common.yes' : 'common.no');
	if (/(_at|^at|_activity|counted_from|counted_to)$/.test(col) && typeof v === 'string' && /^\d{4}-/.test(v)) return fmtWhen(v);
	if (col === 'group_type') return tOr('group.' + v, v);
	if (col === 'kind') return tOr('ckind.' + v, v);
	if (col === 'state') return tOr('job.state.' + v, v);
	if (col === 'status') return tOr('rep.status.' + v, v);
	if (col === 'machine') return machines.get(v) || v;
	if (col === 'device' || col === 'plug') return devices.get(v) || v;
	if (col === 'licence') return tOr('licence.' + v, v);
	if (col === 'duration_s') return fmtNumber(v / 3600, 2) + ' h';
	if (col === 'bands') {
		return String(v).split(' ').map((b) => {
			const i = b.lastIndexOf(':');
			return t('rep.band_n', { band: tOr('age.' + b.slice(0, i), b.slice(0, i)), n: b.slice(i + 1) });
		}).join(', ');
	}
	if (col === 'removed') {
		const m = /^merged into (\d+)$/.exec(v);
		return m ? t('trail.removed.merged', { n: m[1] }) : tOr('trail.removed.' + v, v);
	}
	if (typeof v === 'number') return fmtNumber(v, 3);
	return String(v);
}

async function showTrail(name) {
	trailName = name;
	const r = await get(`/api/indicators?fy=${fy}&explain=${encodeURIComponent(name)}`);
	trail = r.ok ? r.data : null;
	drawTrail();
	$('#trail').hidden = false;
	$('#trail').focus();
}

function drawTrail() {
	if (!trailName) return;
	$('#trail-h').textContent = t('rep.trail_of', { name: figLabel(trailName) });
	$('#trail-cap').textContent = t('rep.trail_caption', { name: figLabel(trailName) });
	$('#trail-csv').href = url('csv', '&explain=' + encodeURIComponent(trailName));
	const cols = trail ? trail.columns || [] : [];
	const rows = trail ? trail.rows || [] : [];
	$('#trail-note').textContent = trail ? tn('rep.trail_rows', rows.length, { value: fmt(trailName, trail.value) }) : t('rep.unavailable');
	$('#trail-head').replaceChildren(...cols.map((c) => h('th', { scope: 'col' }, tOr('trail.col.' + c, c))));
	$('#trail-body').replaceChildren(...rows.map((row) => h('tr', {},
		cols.map((c) => h('td', { class: typeof row[c] === 'number' ? 'num' : 'wrap' }, cellText(c, row[c]))))));
}

async function load() {
	const [r, m, d] = await Promise.all([get(`/api/indicators?fy=${fy}`), get('/api/machines'), get('/api/devices')]);
	devices = new Map(list(d.data, 'devices').map((x) => [x.id, x.name || x.id]));
	data = r.ok ? r.data : null;
	machines = new Map(list(m.data, 'machines').map((x) => [x.machine, x.name]));
	drawLinks();
	drawFigures();
	$('#trail').hidden = true;
	trailName = null;
}

startPage('facilitator', async () => {
	drawYears();
	$('#rep-fy').addEventListener('change', (e) => { fy = Number(e.target.value); load(); });
	await load();
}, () => { drawYears(); drawLinks(); drawFigures(); drawTrail(); });
