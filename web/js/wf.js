// wf.js — what the facilitator's workflow screens share (projects.js,
// sessions.js, contribs.js, privacy.js): a modal dialog that traps focus
// and says what went wrong, labelled fields, and a licence's label.  The
// values the participation API takes (licences, group types, statuses…)
// are the hub's, from vocab.js; no list of them is kept here.
import { h } from './dom.js';
import { t } from './i18n.js';
import { errorText } from './errors.js';

let seq = 0;
export const uid = (p) => `${p}-${++seq}`;

// A label and its control, wired by id.  Returns [label, control].
export function field(labelKey, control, hint) {
	if (!control.id) control.id = uid('wf');
	const out = [h('label', { for: control.id }, t(labelKey)), control];
	if (hint) {
		const p = h('p', { class: 'muted small', id: control.id + '-hint' }, hint);
		control.setAttribute('aria-describedby', p.id);
		out.push(p);
	}
	return out;
}

export function select(name, values, labelOf, value) {
	return h('select', { name }, values.map((v) => h('option', { value: String(v), selected: String(v) === String(value) ? 'selected' : null }, labelOf(v))));
}

// A group of checkboxes in a fieldset; checked values are read back with
// checkedValues(fieldset).
export function checks(legendKey, items, isChecked, name) {
	return h('fieldset', { class: 'wf-checks' }, h('legend', {}, t(legendKey)),
		items.length ? items.map(([value, label]) => {
			const id = uid('wf-c');
			return h('div', { class: 'wf-check' },
				h('input', { type: 'checkbox', id, name, value: String(value), checked: isChecked(value) }),
				h('label', { for: id }, label));
		}) : h('p', { class: 'muted small' }, t('wf.none')));
}
export const checkedValues = (root, name) => [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

// Open a modal dialog.  body: nodes inside the form; ok: the key of the
// button that submits (none: a "Close" dialog); onOk(form) returns an
// error text to show (the dialog stays) or anything else to close with.
// Resolves to what onOk returned, or null when cancelled (Escape too).
// Focus goes to the first control and back to the opener afterwards (or
// to the element with the same data-focus key, if the list was redrawn).
export function dialog({ title, body, ok, okClass = 'btn-primary', onOk, wide = false }) {
	const opener = document.activeElement;
	const key = opener && opener.dataset ? opener.dataset.focus : null;
	const hid = uid('wf-dlg');
	const err = h('p', { class: 'error', role: 'alert', hidden: true });
	const submit = ok ? h('button', { type: 'submit', class: 'btn ' + okClass }, t(ok)) : null;
	const cancel = h('button', { type: 'button', class: 'btn btn-quiet', value: 'cancel' }, t(ok ? 'wf.cancel' : 'wf.close'));
	const form = h('form', { novalidate: true }, h('h2', { id: hid }, title), body, err,
		h('div', { class: 'actions' }, submit, cancel));
	const dlg = h('dialog', { class: 'wf-dialog' + (wide ? ' wf-wide' : ''), 'aria-labelledby': hid }, form);
	document.body.append(dlg);
	return new Promise((resolve) => {
		let result = null;
		const close = () => dlg.close();
		dlg.addEventListener('close', () => {
			dlg.remove();
			// the list may have been redrawn meanwhile: the opener's twin
			const back = opener && opener.isConnected ? opener
				: key ? document.querySelector(`[data-focus="${CSS.escape(key)}"]`) : null;
			if (back) back.focus();
			resolve(result);
		});
		cancel.addEventListener('click', close);
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			if (!onOk) {
				result = true;
				return close();
			}
			submit.disabled = true;
			const r = await onOk(form);
			submit.disabled = false;
			if (typeof r === 'string') {
				err.hidden = false;
				err.textContent = r;
				return;
			}
			result = r === undefined ? true : r;
			close();
		});
		dlg.showModal();
		const first = form.querySelector('input, select, textarea, a[href]') || submit || cancel;
		first.focus();
	});
}

// The error text of a failed API answer, in the page's words (errors.js).
export const why = (r) => errorText(r);

// "YYYY-MM-DD" of a date input → ISO time of that local midnight (+days).
export function dayIso(v, days = 0) {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v || '');
	return m ? new Date(+m[1], +m[2] - 1, +m[3] + days).toISOString() : '';
}

export const licenceLabel = (l) => t('wf.lic.' + l);
