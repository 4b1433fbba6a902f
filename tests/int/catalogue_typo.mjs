// catalogue_typo.mjs — the pages' catalogues (web/i18n/fr.json, en.json)
// hold the same keys with the same {placeholders}, and the French one
// follows Quebec typography: a no-break space before « : » (U+00A0) and a
// narrow one (U+202F; U+00A0 is accepted) before « ? ! ; », no-break spaces
// inside « », and one numbering sign, « nº » (U+00BA, not the degree sign
// nor "no"), held to its number by a no-break space.  Punctuation inside a
// word is not prose: a URL's "?fy=", a time "9:05".  The pages' French
// fallback text (data-i18n in web/**/*.html) is the catalogue's, so the
// same spaces show before the script runs.  No hub needed.
import fs from 'node:fs';
import path from 'node:path';
import { test, main, assert, eq, ROOT } from '../lib/harness.mjs';

const cat = (lang) => JSON.parse(fs.readFileSync(path.join(ROOT, 'web/i18n', lang + '.json'), 'utf8'));
const FR = cat('fr'), EN = cat('en');
const show = (s) => s.replace(/\u00a0/g, '⍽').replace(/\u202f/g, '·');

// What is wrong with French string s, in words (empty: nothing).
function typoProblems(s) {
	const out = [];
	// a group of ? ! ; : that ends a word (then a space, the end, or a closer)
	for (const m of s.matchAll(/([?!;:]+)(?=$|[\s)»".,])/g)) {
		const before = s[m.index - 1];
		const want = m[1][0] === ':' ? '\u00a0' : '\u00a0\u202f';
		if (m.index === 0) continue;
		if (before === ' ') out.push(`a breaking space before "${m[1]}"`);
		else if (!want.includes(before)) out.push(`no no-break space before "${m[1]}"`);
	}
	for (const m of s.matchAll(/«(.)/g))
		if (m[1] !== '\u00a0' && m[1] !== '\u202f') out.push('no no-break space after «');
	for (const m of s.matchAll(/(.)»/g))
		if (m[1] !== '\u00a0' && m[1] !== '\u202f') out.push('no no-break space before »');
	if (/n°/.test(s)) out.push('"n°" with the degree sign: write "nº"');
	if (/\b[Nn]o \{|\b[Nn]o \d/.test(s)) out.push('"no" as a numbering sign: write "nº"');
	if (/nº[ {0-9]/.test(s)) out.push('"nº" not held to its number by a no-break space');
	return out;
}

test('the checker fails what it should and passes what it should', async () => {
	const bad = ['Effacer les données de {name}?', 'Effacer les données de {name} ?', 'Raison: {r}',
		'Raison : {r}', '{t} : {v}', 'Merci!', '«{title}»', '« {title} »', 'Séance n° {n}', 'Travail no {id}',
		'Séance nº {n}', 'un; deux'];
	for (const s of bad) assert(typoProblems(s).length, `not caught: ${s}`);
	const good = ['Effacer les données de {name}\u202f?', 'Raison\u00a0: {r}', 'Merci\u00a0!', '«\u00a0{t}\u00a0»',
		'Séance nº\u00a0{n}', 'Séance nº', '/api/indicators?fy=ANNÉE&format=csv', 'à 9 h 05', 'à 9:05',
		'Voir\u202f?!', 'un\u202f; deux', 'docs/indicators.md. Données ouvertes\u00a0: /api/x?fy=1'];
	for (const s of good) eq(typoProblems(s), [], show(s));
});

test('fr.json and en.json hold the same keys with the same placeholders', async () => {
	const onlyFr = Object.keys(FR).filter((k) => !(k in EN)), onlyEn = Object.keys(EN).filter((k) => !(k in FR));
	assert(!onlyFr.length && !onlyEn.length, `only in fr: ${onlyFr.join(', ')}; only in en: ${onlyEn.join(', ')}`);
	const ph = (s) => [...new Set(s.match(/\{\w+\}/g) || [])].sort().join(' ');
	const diff = Object.keys(FR).filter((k) => ph(FR[k]) !== ph(EN[k]));
	assert(!diff.length, 'placeholders differ: ' + diff.map((k) => `${k} (${ph(FR[k])} / ${ph(EN[k])})`).join(', '));
});

test('every French string follows Quebec typography', async () => {
	const bad = Object.entries(FR).flatMap(([k, v]) => typoProblems(v).map((p) => `${k}: ${p}: ${show(v)}`));
	assert(!bad.length, bad.length + ' problems:\n' + bad.join('\n'));
});

test("the pages' French fallback text is the catalogue's", async () => {
	const pages = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const p = path.join(dir, e.name);
		return e.isDirectory() ? pages(p) : p.endsWith('.html') ? [p] : [];
	});
	const unhtml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
	const bad = [];
	let n = 0;
	for (const f of pages(path.join(ROOT, 'web'))) {
		const html = fs.readFileSync(f, 'utf8');
		for (const m of html.matchAll(/data-i18n="([^"]+)"[^>]*>([^<]*)</g)) {
			if (!(m[1] in FR)) continue;
			n++;
			if (unhtml(m[2]) !== FR[m[1]]) bad.push(`${path.relative(ROOT, f)} ${m[1]}: ${show(m[2])} ≠ ${show(FR[m[1]])}`);
		}
	}
	assert(n > 100, `only ${n} fallbacks found`);
	assert(!bad.length, bad.join('\n'));
});

main();
