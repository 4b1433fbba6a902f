// family.js — a family (or any party) at the kiosk checks in as adults
// plus children: when more than one person comes, the visitor says how
// many of the others are children, by age band.  The check-in then lists
// its people by band ("members"), so a family of 4 with one 10-year-old
// counts one young person, not four.  Nothing here is personal data.
import { $, h } from '../js/dom.js';
import { t } from '../js/i18n.js';

const CHILD = ['0-5', '6-9', '10-13', '14-17'];

export function createFamily(box, sizeInput) {
	const inputs = {};

	function build() {
		box.replaceChildren(h('fieldset', { class: 'group family' },
			h('legend', {}, t('kiosk.family.heading')),
			h('p', { class: 'muted' }, t('kiosk.family.help')),
			CHILD.map((b) => {
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

	function children() { return CHILD.reduce((n, b) => n + Math.max(0, +inputs[b].value || 0), 0); }

	// Show the question only for a party; say how many adults that leaves.
	function sync() {
		const size = +sizeInput.value || 1;
		box.hidden = size < 2;
		const adults = size - 1 - children();
		$('#k-fam-adults').textContent = adults >= 0 ? t('kiosk.family.adults', { n: adults }) : t('kiosk.family.too_many');
	}

	// The members of a party of `size` whose visitor is in band `own`:
	// null for one person, an error text when the children outnumber the
	// others, else [{age_band, n}, …] (the others not named as children
	// are adults, "18+").
	function members(own, size) {
		if (size < 2) return null;
		const kids = children();
		if (kids > size - 1) return t('kiosk.family.too_many');
		const out = [{ age_band: own, n: 1 }];
		for (const b of CHILD) if (+inputs[b].value > 0) out.push({ age_band: b, n: +inputs[b].value });
		if (size - 1 - kids > 0) out.push({ age_band: '18+', n: size - 1 - kids });
		return out;
	}

	function reset() { for (const b of CHILD) inputs[b].value = '0'; sync(); }

	build();
	const later = () => queueMicrotask(sync);
	sizeInput.form.addEventListener('click', later);
	sizeInput.form.addEventListener('input', later);
	return { members, reset, relabel: build };
}
