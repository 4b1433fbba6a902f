// family.js — a family (or any party) at the kiosk checks in as adults
// plus children: when more than one person comes, the visitor says how
// many of the others are children, by age band.  The check-in then lists
// its people by band ("members"), so a family of 4 with one 10-year-old
// counts one young person, not four.  Nothing here is personal data.
// The bands are the hub's (GET /api/vocab: minor_age_bands, the others
// counted as adult_age_band), given by kiosk.js through bands().
import { $, h } from '../js/dom.js';
import { t } from '../js/i18n.js';

// bands() → { minor: ['0-5', …], adult: '18+' }, read at each (re)build.
export function createFamily(box, sizeInput, bands) {
	const inputs = {};
	let minors = [], adult = null;

	function build() {
		({ minor: minors, adult } = bands());
		for (const b of Object.keys(inputs)) if (!minors.includes(b)) delete inputs[b];
		box.replaceChildren(h('fieldset', { class: 'group family' },
			h('legend', {}, t('kiosk.family.heading')),
			h('p', { class: 'muted' }, t('kiosk.family.help')),
			minors.map((b) => {
				const id = 'k-fam-' + b;
				const was = inputs[b] ? inputs[b].value : '0';
				const minus = h('button', { type: 'button', class: 'btn step', 'aria-label': t('kiosk.family.less', { band: t('age.' + b) }) }, '−');
				const plus = h('button', { type: 'button', class: 'btn step', 'aria-label': t('kiosk.family.more', { band: t('age.' + b) }) }, '+');
				const input = h('input', { id, type: 'number', min: 0, max: 49, value: was, inputmode: 'numeric' });
				minus.addEventListener('click', () => { input.value = Math.max(0, (+input.value || 0) - 1); });
				plus.addEventListener('click', () => { input.value = Math.min(49, (+input.value || 0) + 1); });
				inputs[b] = input;
				return h('div', { class: 'family-row' }, h('label', { for: id }, t('age.' + b)),
					h('div', { class: 'stepper' }, minus, input, plus));
			}),
			h('p', { class: 'muted', id: 'k-fam-adults', role: 'status' })));
		sync();
	}

	function children() { return minors.reduce((n, b) => n + Math.max(0, +inputs[b].value || 0), 0); }

	// Show the question only for a party; say how many adults that leaves.
	function sync() {
		const size = +sizeInput.value || 1;
		box.hidden = size < 2;
		const adults = size - 1 - children();
		$('#k-fam-adults').textContent = adults >= 0 ? t('kiosk.family.adults', { n: adults }) : t('kiosk.family.too_many');
	}

	// The members of a party of `size` whose visitor is in band `own`:
	// null for one person (or bands not known yet: the party size alone
	// then), an error text when the children outnumber the others, else
	// [{age_band, n}, …] (the others not named as children are adults,
	// adult_age_band).
	function members(own, size) {
		if (size < 2 || !adult) return null;
		const kids = children();
		if (kids > size - 1) return t('kiosk.family.too_many');
		const out = [{ age_band: own, n: 1 }];
		for (const b of minors) if (+inputs[b].value > 0) out.push({ age_band: b, n: +inputs[b].value });
		if (size - 1 - kids > 0) out.push({ age_band: adult, n: size - 1 - kids });
		return out;
	}

	function reset() { for (const b of minors) inputs[b].value = '0'; sync(); }

	build();
	const later = () => queueMicrotask(sync);
	sizeInput.form.addEventListener('click', later);
	sizeInput.form.addEventListener('input', later);
	return { members, reset, relabel: build };
}
