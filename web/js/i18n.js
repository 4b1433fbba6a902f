// i18n.js — the one place visible text comes from.
//
// Every string shown on a page is a key in /i18n/fr.json and /i18n/en.json
// (same keys).  Static markup carries data-i18n="key" (text) and
// data-i18n-attr="attr:key;attr:key" (aria-label, placeholder, title…);
// code calls t('key', {name: value}).  French (fr-CA) is the default;
// the choice is remembered per browser.  Dates and times are shown in the
// lab's time zone, numbers in the page's locale.

// The lab's settings come from the hub (GET /api/config, read by init()):
// lab.timezone, where fiscal years start, kiosk.idle_s, the languages.
// Until then (or if the hub cannot say) the browser's own zone is used.
export const config = {};
export let TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
let fyStart = { month: 4, day: 1 };

async function loadConfig() {
	try {
		const r = await fetch('/api/config');
		if (r.ok) Object.assign(config, await r.json());
	} catch { }
	if (config.timezone) TZ = config.timezone;
	if (config.fiscal_year && config.fiscal_year.start_month)
		fyStart = { month: config.fiscal_year.start_month, day: config.fiscal_year.start_day || 1 };
}
const LOCALES = { fr: 'fr-CA', en: 'en-CA' };
const catalogues = {};
let lang = 'fr';
const listeners = [];

export function currentLang() { return lang; }
export function locale() { return LOCALES[lang]; }

async function load(l) {
	if (!catalogues[l]) {
		const r = await fetch(`/i18n/${l}.json`, { cache: 'no-store' });
		catalogues[l] = await r.json();
	}
	return catalogues[l];
}

// The string for key, with {name} placeholders filled from vars.
// A missing key shows as itself, wrapped so tests and eyes catch it.
export function t(key, vars) {
	const cat = catalogues[lang] || {};
	let s = cat[key];
	if (s === undefined) s = (catalogues.fr || {})[key];
	if (s === undefined) return `⟦${key}⟧`;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
	return s;
}

// The plural form of key for n: key.one / key.other (key.zero, .two,
// .few, .many where a language has them), chosen by Intl.PluralRules in
// the page's language; {n} is n formatted as a number in that language.
export function tn(key, n, vars = {}) {
	const cat = catalogues[lang] || {};
	const form = new Intl.PluralRules(locale()).select(n);
	const k = cat[key + '.' + form] !== undefined ? key + '.' + form : key + '.other';
	return t(k, { ...vars, n: fmtNumber(n, 1) });
}

// Is key in the catalogue?  For data-driven keys (a metric's name).
export function has(key) {
	return (catalogues[lang] || {})[key] !== undefined;
}

// t(key), or fallback when the catalogue has no such key.
export function tOr(key, fallback, vars) {
	return has(key) ? t(key, vars) : fallback;
}

// Translate every data-i18n / data-i18n-attr element under root.
export function apply(root = document) {
	for (const el of root.querySelectorAll('[data-i18n]'))
		el.textContent = t(el.dataset.i18n);
	for (const el of root.querySelectorAll('[data-i18n-attr]')) {
		for (const pair of el.dataset.i18nAttr.split(';')) {
			const [attr, key] = pair.split(':').map((s) => s.trim());
			if (attr && key) el.setAttribute(attr, t(key));
		}
	}
	document.documentElement.lang = LOCALES[lang];
	const title = document.querySelector('title[data-i18n]');
	if (title) document.title = title.textContent;
}

// Switch the page to language l ('fr' | 'en'); remember=false for kiosk
// resets.  Listeners re-render what code built.
export async function setLang(l, remember = true) {
	if (!LOCALES[l]) l = 'fr';
	await load(l);
	lang = l;
	if (remember) try { localStorage.setItem('mlab.lang', l); } catch { }
	apply();
	for (const fn of listeners) fn(l);
}

export function onLangChange(fn) { listeners.push(fn); }

// Load both catalogues and show the remembered language (default fr).
export async function init({ remembered = true } = {}) {
	await Promise.all([load('fr'), loadConfig()]);
	let l = 'fr';
	if (remembered) try { l = localStorage.getItem('mlab.lang') || 'fr'; } catch { }
	await setLang(l, false);
}

// Wire a button that toggles between the two languages.  Its label is
// the *other* language's name, in that language (so it is found by those
// who need it): key lang.switch in each catalogue.
export function wireSwitch(button, remember = true) {
	button.addEventListener('click', () => setLang(lang === 'fr' ? 'en' : 'fr', remember));
}

// ---- formatting ---------------------------------------------------------

export function fmtNumber(v, digits = 1) {
	if (v === null || v === undefined || Number.isNaN(v)) return '—';
	return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(v);
}

export function fmtPercent(v) {
	if (v === null || v === undefined || Number.isNaN(v)) return '—';
	return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(v / 100);
}

export function fmtTime(iso) {
	if (!iso) return '—';
	return new Intl.DateTimeFormat(locale(), { timeZone: TZ, hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

export function fmtDateTime(iso) {
	if (!iso) return '—';
	return new Intl.DateTimeFormat(locale(), {
		timeZone: TZ, day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit',
	}).format(new Date(iso));
}

// The local clock time (and the day when it is not today) at which
// something s seconds from now will happen: an ETA.
export function fmtEta(s, now = Date.now()) {
	if (s === null || s === undefined || s < 0) return '—';
	const at = new Date(now + s * 1000);
	const day = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ, dateStyle: 'short' }).format(d);
	if (day(at) === day(new Date(now))) return fmtTime(at.toISOString());
	return new Intl.DateTimeFormat(locale(), { timeZone: TZ, weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(at);
}

export function fmtDate(d) {
	return new Intl.DateTimeFormat(locale(), { timeZone: TZ, dateStyle: 'full' }).format(d);
}

// 3725 → "1 h 02 min" style, from the catalogue's units.
export function fmtDuration(s) {
	if (s === null || s === undefined || s < 0) return '—';
	s = Math.round(s);
	const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
	if (h) return t('unit.h_min', { h, m: String(m).padStart(2, '0') });
	if (m) return t('unit.min', { m });
	return t('unit.s', { s });
}

// Midnight today in the lab's time zone, as an ISO string with offset.
export function todayStartIso(now = new Date()) {
	const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
		timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
		hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
	}).formatToParts(now).map((p) => [p.type, p.value]));
	const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
	const offsetMin = Math.round((asUtc - now.getTime()) / 60000);	// local − UTC
	const sign = offsetMin <= 0 ? '-' : '+';
	const a = Math.abs(offsetMin);
	return `${parts.year}-${parts.month}-${parts.day}T00:00:00${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

// The fiscal year containing now (the hub says where years start: the
// Québec government's run 1 April – 31 March), named by the year it
// starts in, in the lab's time zone.
export function fiscalYear(now = new Date()) {
	const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: 'numeric', day: 'numeric' })
		.formatToParts(now).map((x) => [x.type, x.value]));
	const y = +p.year, m = +p.month, d = +p.day;
	return m > fyStart.month || (m === fyStart.month && d >= fyStart.day) ? y : y - 1;
}
