// app.js — the facilitator dashboard: login, then everything live from
// /ws (devices, alerts, participation) with REST for the rest.
import { $ } from './js/dom.js';
import * as i18n from './js/i18n.js';
import { t } from './js/i18n.js';
import { get, post } from './js/api.js';
import { errorText } from './js/errors.js';
import { connect } from './js/live.js';
import { createDeviceWall } from './js/devices.js';
import { createAlerts } from './js/alerts.js';
import { createPart } from './js/part.js';
import { createIndicators } from './js/indicators.js';
import { createWorkflows } from './js/workflows.js';
import { staffNav } from './js/staffpage.js';

const STAFF = new Set(['facilitator', 'admin']);
let role = null, live = null, user = '', indTimer = null;

const wall = createDeviceWall($('#rooms'), $('#devices-none'), $('#devices-count'));
const alerts = createAlerts($('#alert-list'), $('#alert-none'), $('#alert-count'), (m) => wall.setAlerts(m));
const deviceName = (id) => (wall.devices.get(id) || {}).name || id;
const wf = createWorkflows({ deviceName, onChange: () => part.soon() });
const part = createPart({ deviceName, hooks: wf.hooks });
const indicators = createIndicators();

function showApp(staff) {
	$('#login').hidden = staff;
	$('#app').hidden = !staff;
	$('#logout').hidden = !staff;
	$('#who').hidden = !staff || !user;
	$('#who').textContent = user ? t('login.who', { user }) : '';
	document.body.dataset.role = role || '';
	// the way to the staff pages this account may open
	$('#staff-nav').hidden = !staff;
	if (staff) staffNav(role);
}

function onSnapshot(s) {
	const was = role;
	role = s.role;
	showApp(STAFF.has(role));
	wall.snapshot(s.devices || []);
	alerts.snapshot(s.alerts || []);
	if (STAFF.has(role)) {
		whoAmI();
		part.refresh();
		indicators.refresh();
		wf.refresh();
	} else if (was !== role) {
		$('#login-user').focus();
	}
}

function onMessage(m) {
	switch (m.type) {
	case 'device': wall.update(m.device); break;
	case 'alert': alerts.apply(m); break;
	case 'job': if (m.event === 'ended') indicators.refresh(); part.onMessage(m); break;
	default:
		part.onMessage(m);
		wf.onMessage(m);
		// what the indicators count changed: refresh them too (coalesced)
		if (STAFF.has(role) && /^(contribution|project|session|participant|rating)/.test(m.type)) {
			clearTimeout(indTimer);
			indTimer = setTimeout(() => indicators.refresh(), 300);
		}
	}
}

// The logged-in user's name, in every tab: GET /api/me answers for the
// login cookie, which all tabs share.
async function whoAmI() {
	const r = await get('/api/me');
	if (r.ok && r.data && r.data.user) {
		user = r.data.user;
		showApp(STAFF.has(role));
	}
}

async function login(ev) {
	ev.preventDefault();
	const err = $('#login-error');
	const r = await post('/api/login', { user: $('#login-user').value, password: $('#login-pass').value });
	$('#login-pass').value = '';
	if (!r.ok) {
		err.hidden = false;
		err.textContent = r.status === 401 ? t('login.bad') : r.status === 429 ? t('login.too_many')
			: r.status === 404 ? t('login.unavailable') : errorText(r);
		return;
	}
	err.hidden = true;
	user = $('#login-user').value;
	live.restart();	// a new snapshot for the facilitator audience
	$('#main').focus();
}

async function logout() {
	await post('/api/logout', {});
	user = '';
	live.restart();
}

function tickClock() {
	$('#clock').textContent = i18n.fmtDate(new Date()) + ' · ' + i18n.fmtTime(new Date().toISOString());
}

async function main() {
	await i18n.init();
	i18n.wireSwitch($('#lang'));
	i18n.onLangChange(() => { wall.relabel(); alerts.relabel(); part.relabel(); indicators.relabel(); wf.relabel(); showApp(STAFF.has(role)); tickClock(); live && live.relabel(); });
	$('#login-form').addEventListener('submit', login);
	$('#logout').addEventListener('click', logout);
	tickClock();
	setInterval(tickClock, 15000);
	// the tiles say "state unknown" while the hub has lost its broker, or
	// the page has lost the hub: either way no device can tell us anything
	let hubUp = true, brokerUp = true;
	const known = () => wall.setBroker(hubUp && brokerUp);
	live = connect({
		onSnapshot, onMessage, banner: $('#banner'),
		onStatus: (st) => { brokerUp = st.broker !== 'disconnected'; known(); },
		onLink: (state) => { hubUp = state === 'up'; known(); },
	});
	setInterval(() => { if (STAFF.has(role)) indicators.refresh(); }, 300000);
}

main();
