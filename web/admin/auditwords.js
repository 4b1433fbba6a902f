// auditwords.js — the audit log's object and detail columns in words.
// The hub writes codes ("session/3", "history kept", "school", "name,
// room"); the viewer shows what they mean in the page's language, the
// way the action column does.  A value this file does not know is shown
// as it is, so nothing is hidden.  The CSV keeps the codes.
import { t, tn, has } from '../js/i18n.js';

const NUMBERED = /^(session|project|participant|contribution|rating|alert)\/(\d+)$/;
const SETTINGS = { name: 'devset.name', public_name: 'devset.public_name', room: 'devset.room',
	hidden_metrics: 'devset.hidden', feeds: 'devset.feeds', machine: 'devset.machine', busy_w: 'devset.busy_w' };

const word = (key, raw) => (has(key) ? t(key) : raw);

// The object of audit line a in words; devices maps a device id to the
// name the staff know it by.  Returns a string.
export function auditObject(a, devices) {
	const o = a.object;
	if (!o) return '';
	const m = NUMBERED.exec(o);
	if (m) return t('adm.obj.' + m[1], { n: m[2] });
	const fam = a.action.split('.')[0];
	if (fam === 'user') return t('adm.obj.user', { name: o });
	if (fam === 'device') return devices.get(o) ? t('adm.obj.device', { name: devices.get(o) }) : t('adm.obj.device', { name: o });
	if (o === 'participants') return t('adm.obj.participants');
	return o;
}

// The detail of audit line a in words (a reason a person typed is shown
// as typed).  Returns a string.
export function auditDetail(a) {
	const d = a.detail;
	if (!d) return '';
	let m;
	switch (a.action) {
	case 'session.open': case 'session.record':
		return t('adm.det.group', { group: word('group.' + d, d) });
	case 'session.delete': case 'contribution.reject': case 'contribution.reopen':
		return t('adm.det.reason', { reason: d });
	case 'session.merge':
		if ((m = /^into session\/(\d+): ([\s\S]*)$/.exec(d)))
			return t('adm.det.merged', { n: m[1], reason: m[2] });
		return d;
	case 'participant.checkin':
		return word('adm.det.' + (d === 'with consent' ? 'consent' : d), d);
	case 'participant.search':
		return (m = /^(\d+) found$/.exec(d)) ? tn('adm.det.found', Number(m[1])) : d;
	case 'privacy.purge':
		return (m = /^(\d+) participants past (\d+) months$/.exec(d))
			? tn('adm.det.purged', Number(m[1]), { months: m[2] }) : d;
	case 'contribution.create':
		return word('ckind.' + d, d);
	case 'contribution.confirm':
		return t('adm.det.licence', { licence: word('licence.' + d, d) });
	case 'user.add': case 'auth.login':
		return word('role.' + d, d);
	case 'user.change':
		if (d === 'own password') return t('adm.det.own_password');
		return d.split(', ').map((x) => word('adm.det.' + x, x)).join(', ');
	case 'device.switch':
		return word('adm.det.switch_' + d, d);
	case 'device.settings':
		return d.split(', ').map((x) => (SETTINGS[x] ? t(SETTINGS[x]) : word('adm.det.' + x, x))).join(', ');
	case 'device.remove':
		return word('adm.det.' + d.replace(' ', '_'), d);
	case 'alert.ack':
		return word('alert.kind.' + d, d);
	default:
		return d;
	}
}
