// staffpage.js — what the staff pages beside the dashboard share (the
// accounts and audit page, the job history, the annual report): the
// catalogues, the language switch, who is logged in (GET /api/me), the
// links to the staff pages the account may open, a way back to the
// dashboard, and a kind word for an account a page is not for.
import { $, h } from './dom.js';
import * as i18n from './i18n.js';
import { get } from './api.js';

const RANK = { none: 0, kiosk: 1, facilitator: 2, admin: 3 };

// [address, words, the role it needs]
const PAGES = [['/', 'staff.to_dashboard', 'none'], ['/jobs/', 'jobs.heading', 'facilitator'],
	['/report/', 'rep.heading', 'facilitator'], ['/admin/', 'adm.heading', 'admin']];

// The links between the staff pages and the dashboard, in #staff-nav:
// only those the account's role may open (the dashboard's is always
// there).  The dashboard calls it too, once it knows who is logged in.
export function staffNav(role) {
	$('#staff-nav').replaceChildren(
		h('h2', { id: 'staff-nav-h', class: 'visually-hidden', dataset: { i18n: 'staff.nav' } }),
		h('ul', {}, PAGES.filter(([, , need]) => RANK[role] >= RANK[need]).map(([href, key]) => h('li', {}, h('a', {
			href, dataset: { i18n: key }, 'aria-current': location.pathname === href ? 'page' : null,
		})))));
	i18n.apply($('#staff-nav'));
}

// What a visitor without the right login sees.
function frame() {
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
	document.body.dataset.role = me.role;
	staffNav(me.role);
	const who = () => { $('#who').textContent = me.user ? i18n.t('login.who', { user: me.user }) : ''; };
	who();
	if (me.role !== 'none') {
		// logged in, but this page is not for this account: say whom it is
		// for, kindly, and lead back to the dashboard (a kiosk account has
		// none: it goes back to the login)
		const forAdmins = need === 'admin';
		$('#denied-h').dataset.i18n = forAdmins ? 'staff.admins_only_h' : 'staff.staff_only_h';
		$('#denied-text').dataset.i18n = forAdmins ? 'staff.admins_only' : 'staff.staff_only';
		if (RANK[me.role] >= RANK.facilitator) $('#denied a').dataset.i18n = 'staff.back';
	}
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
