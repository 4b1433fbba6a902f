// errors.js — an API answer that failed, as words a person understands,
// in the page's language.
//
// The hub answers {"error":"…"} in English for developers.  Until it also
// sends a stable "code" (see docs/web.md), the pages recognise its messages
// here, by pattern, and fall back on the HTTP status.  A message nobody
// mapped never reaches a visitor raw: it becomes the status's words.
import { t } from './i18n.js';

// [code, pattern of the hub's English message]; the code is also the
// catalogue key's last part (err.<code>).
const PATTERNS = [
	['no_session', /no session is open/],
	['not_checked_in', /not checked in to the open session/],
	['kiosk_scope', /^the kiosk /],
	['login_required', /login required/],
	['bad_login', /wrong user name or password/],
	['too_many_logins', /too many failed logins/],
	['forbidden', /your role may not do this|only staff may/],
	['cross_origin', /cross-origin request refused/],
	['store_failed', /database could not store this|database error/],
	['broker_down', /broker is not reachable/],
	['no_project', /project_id: no project|no such project/],
	['no_such', /^no such /],
	['already_open', /is already open/],
	['already_ended', /has already ended/],
	['email', /^email /],
	['display_name', /^display_name /],
	['guardian', /given_by must be "guardian"/],
	['too_long', /is longer than|body over/],
	['too_late', /too late to count/],
	['bad_request', /./],
];

// The code for an answer {status, data}: the hub's own "code" when it
// sends one, else one recognised from its message, else from the status.
export function errorCode(r) {
	if (!r || r.status === 0) return 'network';
	const d = r.data || {};
	if (typeof d.code === 'string' && /^[a-z_]+$/.test(d.code)) return d.code;
	const msg = typeof d.error === 'string' ? d.error : '';
	if (msg && r.status >= 400 && r.status < 500)
		for (const [code, re] of PATTERNS) if (re.test(msg)) return code;
	if (msg && /database|store/.test(msg)) return 'store_failed';
	if (r.status === 401) return 'login_required';
	if (r.status === 403) return 'forbidden';
	if (r.status === 404) return 'not_found';
	if (r.status === 409) return 'conflict';
	if (r.status === 413) return 'too_long';
	if (r.status === 429) return 'too_many_logins';
	if (r.status === 503) return 'unavailable';
	if (r.status >= 500) return 'server';
	return 'bad_request';
}

// The translated sentence for a failed answer.
export function errorText(r) {
	const code = errorCode(r);
	const key = 'err.' + code;
	const s = t(key);
	return s.startsWith('⟦') ? t('err.bad_request') : s;
}
