// audit_words.mjs — every action code the hub writes into the audit log
// has words in both catalogues (audit.<code> in web/i18n/fr.json and
// en.json), and every family of codes is a choice of the audit viewer's
// filter (adm.action.<family>, an <option> of web/admin/index.html).  The
// codes are read from the hub's sources: each string literal "family.verb"
// inside a call that writes the log (auth_audit, api_audit, session_done).
// A catalogue entry for a code the hub never writes fails too (a stale
// word hides the real code from the viewer).
import fs from 'node:fs';
import path from 'node:path';
import { test, main, assert, ROOT } from '../lib/harness.mjs';

const CALL = /\b(?:auth_audit|api_audit|session_done)\s*\(/g;

function sources(dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const p = path.join(dir, e.name);
		return e.isDirectory() ? sources(p) : p.endsWith('.c') ? [p] : [];
	});
}

// The codes one file writes: literals in the statement of each call.
function codesOf(text) {
	const out = new Set();
	for (const m of text.matchAll(CALL)) {
		if (/^\s*(?:void|int|static)\b/.test(text.slice(text.lastIndexOf('\n', m.index) + 1, m.index + 1)))
			continue;	/* the definition, not a call */
		const end = text.indexOf(';', m.index);
		for (const lit of text.slice(m.index, end).matchAll(/"([a-z]+\.[a-z_]+)"/g)) out.add(lit[1]);
	}
	return out;
}

const codes = new Set(sources(path.join(ROOT, 'hub')).flatMap((f) => [...codesOf(fs.readFileSync(f, 'utf8'))]));
const cat = (lang) => JSON.parse(fs.readFileSync(path.join(ROOT, 'web/i18n', lang + '.json'), 'utf8'));

test('the sources name the codes this test knows to look for', async () => {
	for (const c of ['auth.login', 'user.add', 'device.settings', 'session.delete', 'session.merge', 'participant.erase', 'contribution.confirm'])
		assert(codes.has(c), `${c} not found among ${[...codes].join(', ')}`);
	assert(codes.size >= 25, `only ${codes.size} codes found`);
});

for (const lang of ['fr', 'en']) {
	test(`every code the hub writes has words in ${lang}.json, and no word is for a code it never writes`, async () => {
		const c = cat(lang);
		const missing = [...codes].filter((k) => typeof c['audit.' + k] !== 'string' || !c['audit.' + k].trim());
		assert(!missing.length, `no audit.* words in ${lang}.json for: ${missing.join(', ')}`);
		const stale = Object.keys(c).filter((k) => k.startsWith('audit.') && !codes.has(k.slice(6)));
		assert(!stale.length, `${lang}.json has words for codes the hub never writes: ${stale.join(', ')}`);
	});
}

test('every family of codes is a choice of the audit filter, in both languages', async () => {
	const html = fs.readFileSync(path.join(ROOT, 'web/admin/index.html'), 'utf8');
	const fams = new Set([...codes].map((k) => k.split('.')[0]));
	for (const f of fams) {
		assert(new RegExp(`<option value="${f}" data-i18n="adm.action.${f}">`).test(html), `no filter choice for ${f}.*`);
		for (const lang of ['fr', 'en']) assert(cat(lang)['adm.action.' + f], `no adm.action.${f} in ${lang}.json`);
	}
});

main();
