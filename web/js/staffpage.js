// staffpage.js — what the staff pages beside the dashboard share (the
// accounts and audit page, the job history, the annual report): the
// catalogues, the language switch, who is logged in (GET /api/me), and a
// way back to the dashboard to log in.
import { $, h } from './dom.js';
import * as i18n from './i18n.js';
import { get } from './api.js';

const RANK = { none: 0, kiosk: 1, facilitator: 2, admin: 3 };

const PAGES = [['/', 'staff.to_dashboard'], ['/jobs/', 'jobs.heading'], ['/report/', 'rep.heading'],
	['/admin/', 'adm.heading']];

// The parts every staff page has: the links between them, and what a
// visitor without the right login sees.
function frame() {
	$('#staff-nav').replaceChildren(
		h('h2', { id: 'staff-nav-h', class: 'visually-hidden', dataset: { i18n: 'staff.nav' } }),
		h('ul', {}, PAGES.map(([href, key]) => h('li', {}, h('a', {
			href, dataset: { i18n: key }, 'aria-current': location.pathname === href ? 'page' : null,
		})))));
	$('#denied').replaceChildren(
		h('h2', { id: 'denied-h', dataset: { i18n: 'staff.denied_h' } }),
		h('p', { id: 'denied-text', dataset: { i18n: 'staff.denied' } }),
		h('p', {}, h('a', { class: 'btn btn-primary', href: '/', dataset: { i18n: 'staff.login' } })));
}

// Start a page that needs at least role `need`; onReady(me) once allowed,
// onLang() after each language change.  Returns me ({user, role}).
export async function startPage(need, onReady, onLang) {
	frame();
	await i18n.init();
	i18n.wireSwitch($('#lang'));
	const r = await get('/api/me');
	const me = r.ok && r.data ? r.data : { user: '', role: 'none' };
	const ok = RANK[me.role] >= RANK[need];
	$('#denied').hidden = ok;
	$('#app').hidden = !ok;
	$('#who').hidden = !me.user;
	const who = () => { $('#who').textContent = me.user ? i18n.t('login.who', { user: me.user }) : ''; };
	who();
	if (me.role !== 'none') $('#denied-text').dataset.i18n = 'staff.denied_role';
	i18n.apply();
	i18n.onLangChange(() => { who(); if (ok && onLang) onLang(); });
	if (ok) await onReady(me);
	return me;
}

// A CSV link's href for the current filters of a list.
export function withQuery(base, params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
	const s = q.toString();
	return s ? `${base}?${s}` : base;
}

// "2026-01-15" (a date input, in the lab's zone) → ISO start or end of day.
export function dayStart(d) { return d ? new Date(d + 'T00:00:00').toISOString() : ''; }
export function dayEnd(d) { return d ? new Date(d + 'T23:59:59').toISOString() : ''; }
