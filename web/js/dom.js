// dom.js — a tiny element builder (no innerHTML: data is never markup).
//   h('p', {class: 'x', dataset: {id: 1}, onclick: fn}, 'text', child, …)
export function h(tag, attrs, ...children) {
	const el = tag.startsWith('svg:')
		? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
		: document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) continue;
		if (k === 'dataset') Object.assign(el.dataset, v);
		else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
		else if (k === 'text') el.textContent = v;
		else if (k === 'hidden') el.hidden = !!v;
		else if (k === 'value' && 'value' in el) el.value = v;
		else if (k === 'checked') el.checked = !!v;
		else el.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false) continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// Replace el's children, keeping keyboard focus on the element with the
// same data-focus key if it was focused before.
export function replaceKeepFocus(el, ...children) {
	const active = document.activeElement;
	const key = active && el.contains(active) ? active.dataset.focus : null;
	el.replaceChildren(...children.flat().filter(Boolean));
	if (key) {
		const again = el.querySelector(`[data-focus="${CSS.escape(key)}"]`);
		if (again) again.focus();
	}
}
