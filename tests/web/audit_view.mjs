// audit_view.mjs — the admin's audit log shows each line's object and
// detail in words, in French and in English: "Séance nº 3", not
// "session/3"; "Raison : …", not "into session/2: …"; a device by the
// name the staff gave it; group types, licences, roles, kinds and the
// settings changed in the catalogues' words.  The CSV keeps the codes.
// Real hub, real mosquitto, real Chromium; axe and the catalogue check.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startBroker, startHub, pub, assert, eq, waitFor } from '../lib/harness.mjs';
import { staffPage, addUser, loginCookie, shot, axe, i18nProblems, FR, EN, step as test, runSteps, stopAll } from './lib/web.mjs';

const PASS = 'chef-secret-2026', APASS = 'anim-secret-2026';
let broker, hub, page, dir, ids = {};
const PLUG = 'tasmota/shellyplug-80646f';

test('setup: a facilitator opens, deletes and merges sessions, decides contributions, names a plug, searches a person', async () => {
	broker = await startBroker();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webaudit-'));
	const db = path.join(dir, 'hub.db');
	addUser(db, 'chef', 'admin', PASS);
	addUser(db, 'anim', 'facilitator', APASS);
	hub = await startHub({ broker, db });
	pub(broker, 'tele/shellyplug-80646f/STATE', { POWER: 'ON' });
	await hub.waitFor(async () => (await hub.get('/api/devices')).json.devices.some((d) => d.id === PLUG), 3000, 'the plug');
	const c = await loginCookie(hub, 'anim', APASS);
	const ok = (r) => { assert(r.status < 300, `${r.status} ${r.text}`); return r.json; };
	const rec = (h, type) => hub.post('/api/sessions', { started_at: `2026-01-12T${h}:00:00-05:00`, ended_at: `2026-01-12T${h}:30:00-05:00`, group: { type, size: 20 } }, { cookie: c }).then(ok);
	ids.a = (await rec(13, 'school')).id;
	ids.b = (await rec(14, 'school')).id;
	ids.c = (await rec(15, 'family')).id;
	ok(await hub.del(`/api/sessions/${ids.c}`, { cookie: c, body: { reason: 'Bouton pressé par erreur' } }));
	ok(await hub.post(`/api/sessions/${ids.b}/merge`, { into: ids.a, reason: 'Groupe ouvert deux fois' }, { cookie: c }));
	ids.p = ok(await hub.post('/api/projects', { title: 'Mémoire des quartiers' }, { cookie: c })).id;
	ids.k = ok(await hub.post('/api/contributions', { kind: 'scan', title: 'Buste', project_id: ids.p }, { cookie: c })).id;
	ok(await hub.patch(`/api/contributions/${ids.k}`, { status: 'confirmed', licence: 'none' }, { cookie: c }));
	ids.r = ok(await hub.post('/api/contributions', { kind: 'idea', title: 'Vase' }, { cookie: c })).id;
	ok(await hub.patch(`/api/contributions/${ids.r}`, { status: 'rejected', reason: 'Hors sujet' }, { cookie: c }));
	ok(await hub.patch('/api/devices/' + PLUG, { name: 'Prise de la Prusa', room: 'Salle A' }, { cookie: c }));
	ok(await hub.post('/api/devices/' + PLUG + '/switch', { on: false }, { cookie: c }));
	const open = ok(await hub.post('/api/sessions', {}, { cookie: c })).id;
	ids.v = ok(await hub.post('/api/participants', { age_band: '25-34', consent: { contact: true }, display_name: 'Ana Tremblay', email: 'ana@example.org' }, { cookie: c })).id;
	ok(await hub.post(`/api/sessions/${open}/end`, {}, { cookie: c }));
	eq(ok(await hub.get('/api/participants?q=tremblay', { cookie: c })).participants.length, 1);
	page = await staffPage(hub, 'chef', PASS, '/admin/');
	await page.locator('#audit-body tr').first().waitFor();
});

// The object and detail cells of the newest line whose action code is code.
async function cells(code) {
	const row = page.locator('#audit-body tr', { has: page.locator('td:nth-child(3) .code', { hasText: new RegExp(`^\\s*${code.replace('.', '\\.')}$`) }) }).first();
	await row.waitFor();
	const tds = row.locator('td');
	return [(await tds.nth(3).innerText()).trim(), (await tds.nth(4).innerText()).trim()];
}

for (const lang of ['fr', 'en']) {
	const C = lang === 'en' ? EN : FR;
	const L = (k, v = {}) => C[k].replace(/\{(\w+)\}/g, (m, x) => (v[x] !== undefined ? String(v[x]) : m));
	test(`${lang}: the object and detail columns say what happened in words`, async () => {
		if (lang === 'en') {
			await page.click('#lang');
			await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en-CA', 2000, 'English');
		}
		const want = {
			'session.record': [L('adm.obj.session', { n: ids.c }), L('adm.det.group', { group: C['group.family'] })],
			'session.delete': [L('adm.obj.session', { n: ids.c }), L('adm.det.reason', { reason: 'Bouton pressé par erreur' })],
			'session.merge': [L('adm.obj.session', { n: ids.b }), L('adm.det.merged', { n: ids.a, reason: 'Groupe ouvert deux fois' })],
			'project.create': [L('adm.obj.project', { n: ids.p }), '—'],
			'contribution.create': [L('adm.obj.contribution', { n: ids.r }), C['ckind.idea']],
			'contribution.confirm': [L('adm.obj.contribution', { n: ids.k }), L('adm.det.licence', { licence: C['licence.none'] })],
			'contribution.reject': [L('adm.obj.contribution', { n: ids.r }), L('adm.det.reason', { reason: 'Hors sujet' })],
			'device.settings': [L('adm.obj.device', { name: 'Prise de la Prusa' }), `${C['devset.name']}, ${C['devset.room']}`],
			'device.switch': [L('adm.obj.device', { name: 'Prise de la Prusa' }), C['adm.det.switch_off']],
			'participant.checkin': [L('adm.obj.participant', { n: ids.v }), C['adm.det.consent']],
			'participant.search': [L('adm.obj.participants'), L('adm.det.found.one', { n: 1 })],
			'auth.login': ['—', C['role.admin']],
		};
		for (const [code, [obj, det]] of Object.entries(want)) {
			const [o, d] = await cells(code);
			// the words first; the code itself follows, small, as for the action
			assert(o === obj || o.startsWith(obj + ' '), `${code}: object ${JSON.stringify(o)}, want ${JSON.stringify(obj)}`);
			eq(d, det, `${code}: detail`);
		}
		// no cell's words are a bare code any more (in English some words are the codes)
		const words = await page.locator('#audit-body td:nth-child(5)').allInnerTexts();
		for (const w of lang === 'fr' ? words : [])
			assert(!/^(into session\/|history |with consent$|school$|family$|name, room$|\d+ found$)/.test(w), 'a raw detail: ' + w);
		const v = await axe(page);
		assert(!v.length, 'axe: ' + v.join('\n'));
		// the action codes shown small beside their words are meant to be codes
		const codes = new Set(await page.locator('#audit-body td:nth-child(3) .code').allInnerTexts().then((a) => a.map((x) => x.trim())));
		const p = (await i18nProblems(page, lang, ['Prise de la Prusa', 'Bouton pressé par erreur', 'Groupe ouvert deux fois', 'Hors sujet', 'chef', 'anim']))
			.filter((x) => !(x.startsWith('raw key shown: ') && codes.has(x.slice(15))));
		assert(!p.length, p.join('\n'));
		assert(!page.errors.length, page.errors.join('\n'));
		await shot(page, `audit-words-${lang}`);
	});
}

test('the CSV keeps the codes', async () => {
	const c = await loginCookie(hub, 'chef', PASS);
	const csv = (await hub.get('/api/audit?format=csv&action=session', { cookie: c })).text;
	assert(csv.includes(`session/${ids.b}`) && csv.includes(`into session/${ids.a}: Groupe ouvert deux fois`), csv);
});

runSteps(async () => stopAll(hub, broker));
