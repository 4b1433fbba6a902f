// admin.js — the administrator's page: accounts (create, disable or
// enable, reset a password, change a role: /api/users), the audit log
// with filters and its CSV (/api/audit), and one's own password
// (POST /api/me/password).
import { $, h } from '../js/dom.js';
import { t, tn, fmtDateTime } from '../js/i18n.js';
import { get, post, patch, list } from '../js/api.js';
import { errorText } from '../js/errors.js';
import { startPage, withQuery, dayStart, dayEnd } from '../js/staffpage.js';
import { vocab } from '../js/vocab.js';
import { auditObject, auditDetail } from './auditwords.js';

let me = null, users = [], audit = [], devices = new Map();
let roles = [];		// the hub's (GET /api/vocab), for both role choices

// A status message, kept as a function so it follows a language change.
const said = new Map();
function say(el, words, bad) {
	said.set(el, { words, bad });
	el.textContent = words();
	el.className = bad ? 'error' : 'ok-text';
}
function resay() { for (const [el, m] of said) say(el, m.words, m.bad); }

async function loadUsers() {
	const r = await get('/api/users');
	users = list(r.data, 'users');
	drawUsers();
}

async function change(u, body, done) {
	const r = await patch('/api/users/' + encodeURIComponent(u.name), body);
	say($('#users-msg'), () => r.ok ? t(done, { name: u.name }) : errorText(r), !r.ok);
	if (r.ok) { await loadUsers(); await loadAudit(); }
}

function userRow(u) {
	const roleSel = h('select', {
		'aria-label': t('adm.role_of', { name: u.name }), dataset: { focus: 'role:' + u.name },
	}, roles.map((r) => h('option', { value: r, selected: r === u.role ? 'selected' : null }, t('role.' + r))));
	roleSel.addEventListener('change', () => change(u, { role: roleSel.value }, 'adm.done.role'));
	const pw = h('input', { type: 'password', autocomplete: 'new-password', minlength: 8, 'aria-label': t('adm.reset_for', { name: u.name }) });
	const self = me && me.user === u.name;
	return h('tr', { dataset: { user: u.name } },
		h('th', { scope: 'row' }, u.name, self ? h('span', { class: 'muted small' }, ' ' + t('adm.you')) : null),
		h('td', {}, roleSel),
		h('td', {}, h('span', { class: u.disabled ? 'pill pill-off' : 'pill pill-on' }, t(u.disabled ? 'adm.disabled' : 'adm.enabled'))),
		h('td', {}, fmtDateTime(u.created_at)),
		h('td', { class: 'row-actions' },
			h('button', {
				type: 'button', class: 'btn btn-small ' + (u.disabled ? 'btn-quiet' : 'btn-danger'), disabled: self,
				onclick: () => change(u, { disabled: !u.disabled }, u.disabled ? 'adm.done.enabled' : 'adm.done.disabled'),
			}, t(u.disabled ? 'adm.enable' : 'adm.disable'), h('span', { class: 'visually-hidden' }, ' ' + u.name)),
			h('form', {
				class: 'inline-form', novalidate: true,
				onsubmit: (ev) => {
					ev.preventDefault();
					if (pw.value.length < 8) { say($('#users-msg'), () => t('adm.pw_short'), true); pw.focus(); return; }
					change(u, { password: pw.value }, 'adm.done.password');
				},
			}, pw, h('button', { type: 'submit', class: 'btn btn-small btn-quiet' }, t('adm.reset'),
				h('span', { class: 'visually-hidden' }, ' ' + u.name)))));
}

function drawUsers() {
	$('#users-body').replaceChildren(...users.map(userRow));
}

function auditQuery() {
	return {
		user: $('#af-user').value.trim(), action: $('#af-action').value,
		from: dayStart($('#af-from').value), to: dayEnd($('#af-to').value),
	};
}

async function loadAudit() {
	const q = auditQuery();
	const [r, d] = await Promise.all([get(withQuery('/api/audit', { ...q, limit: 500 })), get('/api/devices')]);
	devices = new Map(list(d.data, 'devices').map((x) => [x.id, x.name || x.id]));
	audit = list(r.data, 'audit');
	$('#audit-csv').href = withQuery('/api/audit', { ...q, format: 'csv' });
	drawAudit();
}

function actionWord(a) {
	const k = 'audit.' + a;
	const s = t(k);
	return s.startsWith('⟦') ? a : s;
}

// The object in words, then its code small (as for the action) unless
// the words already hold it (an account's name).
function objectCell(a) {
	if (!a.object) return '—';
	const w = auditObject(a, devices);
	return w.includes(a.object) ? w : [w, h('span', { class: 'muted small code' }, ' ' + a.object)];
}

function drawAudit() {
	$('#audit-count').textContent = tn('adm.audit_count', audit.length);
	$('#audit-body').replaceChildren(...audit.map((a) => h('tr', {},
		h('td', {}, h('time', { datetime: a.ts }, fmtDateTime(a.ts))),
		h('td', {}, a.user || '—'),
		h('td', {}, actionWord(a.action), h('span', { class: 'muted small code' }, ' ' + a.action)),
		h('td', { class: 'wrap' }, objectCell(a)),
		h('td', { class: 'wrap' }, auditDetail(a) || '—'))));
}

async function addUser(ev) {
	ev.preventDefault();
	const err = $('#ua-error');
	const body = { name: $('#ua-name').value.trim(), role: $('#ua-role').value, password: $('#ua-pass').value };
	if (!body.name) { err.hidden = false; err.textContent = t('adm.name_needed'); $('#ua-name').focus(); return; }
	if (body.password.length < 8) { err.hidden = false; err.textContent = t('adm.pw_short'); $('#ua-pass').focus(); return; }
	const r = await post('/api/users', body);
	if (!r.ok) { err.hidden = false; err.textContent = r.status === 409 ? t('adm.exists', { name: body.name }) : errorText(r); return; }
	err.hidden = true;
	$('#user-add').reset();
	say($('#users-msg'), () => t('adm.done.added', { name: body.name }));
	await loadUsers();
	await loadAudit();
}

async function ownPassword(ev) {
	ev.preventDefault();
	const msg = $('#pw-msg');
	const cur = $('#pw-cur').value, nw = $('#pw-new').value;
	if (nw.length < 8) { say(msg, () => t('adm.pw_short'), true); $('#pw-new').focus(); return; }
	if (nw !== $('#pw-again').value) { say(msg, () => t('adm.pw_mismatch'), true); $('#pw-again').focus(); return; }
	const r = await post('/api/me/password', { current: cur, password: nw });
	if (!r.ok) { say(msg, () => r.status === 403 ? t('adm.pw_wrong') : errorText(r), true); $('#pw-cur').focus(); return; }
	$('#pw-form').reset();
	say(msg, () => t('adm.pw_done'));
}

// The add form's role choice; a new account is a facilitator unless told.
function drawRoleChoice() {
	const sel = $('#ua-role'), was = sel.value || 'facilitator';
	sel.replaceChildren(...roles.map((r) => h('option', { value: r, 'data-i18n': 'role.' + r }, t('role.' + r))));
	if (roles.includes(was)) sel.value = was;
}

startPage('admin', async (m) => {
	me = m;
	roles = (await vocab()).role || [];
	drawRoleChoice();
	$('#user-add').addEventListener('submit', addUser);
	$('#audit-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loadAudit(); });
	$('#pw-form').addEventListener('submit', ownPassword);
	await loadUsers();
	await loadAudit();
}, () => { drawUsers(); drawAudit(); resay(); });
