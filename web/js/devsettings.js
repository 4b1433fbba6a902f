// devsettings.js — a device's settings dialog (name, public name, room, hidden
// metrics, what a plug feeds and measures: PATCH /api/devices/{id}) and
// the confirmation asked before a plug is switched off.  Both are native
// <dialog>s opened modally: focus stays inside, Escape cancels, and focus
// goes back to the button that opened them.
import { h } from './dom.js';
import { t, tOr } from './i18n.js';
import { patch } from './api.js';
import { errorText } from './errors.js';
import { vocab } from './vocab.js';

function modal(content, opener, onClose) {
	const dlg = h('dialog', { class: 'dlg', 'aria-labelledby': 'dlg-h' }, content);
	dlg.addEventListener('close', () => {
		dlg.remove();
		if (onClose) onClose(dlg.returnValue);
		if (opener && opener.isConnected) opener.focus();
	});
	document.body.append(dlg);
	dlg.showModal();
	return dlg;
}

// Ask before switching plug d off.  When the machine it feeds is busy
// the question names the job (one in a state of the hub's
// job_state_active).  Resolves true to go ahead.
export async function confirmSwitchOff(d, devices, opener) {
	const fed = d.feeds ? devices.get(d.feeds) : null;
	const active = (await vocab()).job_state_active || [];
	const job = fed && fed.job && active.includes(fed.job.state) ? fed.job : null;
	const text = job
		? t('switch.confirm_job', { name: d.name, machine: fed.name, file: job.file || t('alert.job.nofile') })
		: t('switch.confirm', { name: d.name });
	return new Promise((resolve) => {
		const form = h('form', { method: 'dialog' },
			h('h2', { id: 'dlg-h' }, t('switch.confirm_title')),
			h('p', { class: job ? 'warn-text' : null }, text),
			h('div', { class: 'actions' },
				h('button', { type: 'submit', value: 'cancel', class: 'btn btn-quiet', autofocus: true }, t('common.cancel')),
				h('button', { type: 'submit', value: 'off', class: 'btn btn-danger' }, t('switch.turn_off'))));
		modal(form, opener, (v) => resolve(v === 'off'));
	});
}

// The settings of device d; devices: the wall's map (for rooms and the
// machines a plug may feed).  onSaved(device) with the hub's answer.
export function openDeviceSettings(d, devices, opener, onSaved) {
	// what the device itself says (d.reported once a name or room is set here)
	const repName = d.reported ? d.reported.name : d.name;
	const repRoom = (d.reported ? d.reported.room : d.room) || '';
	const rooms = [...new Set([...devices.values()].map((x) => x.room).filter(Boolean))].sort();
	const hidden = new Set(d.hidden_metrics || []);
	const metricNames = Object.keys(d.metrics || {}).sort();
	const plug = d.kind === 'plug' || !!d.switch;
	const machines = [...devices.values()].filter((x) => x.id !== d.id && ['printer', 'scanner', 'other'].includes(x.kind));
	const err = h('p', { class: 'error', role: 'alert', hidden: true });
	const field = (id, key, input, hint) => h('div', { class: 'field' },
		h('label', { for: id }, t(key)), input, hint ? h('p', { class: 'muted small', id: id + '-hint' }, hint) : null);
	const name = h('input', { id: 'ds-name', name: 'name', maxlength: 127, value: d.name || '', 'aria-describedby': 'ds-name-hint' });
	const pubName = h('input', { id: 'ds-public', name: 'public_name', maxlength: 127, value: d.public_name || '', 'aria-describedby': 'ds-public-hint' });
	const room = h('input', { id: 'ds-room', name: 'room', maxlength: 63, list: 'ds-rooms', value: d.room || '', 'aria-describedby': 'ds-room-hint' });
	const feeds = plug ? h('select', { id: 'ds-feeds', name: 'feeds' },
		h('option', { value: '' }, t('devset.feeds_none')),
		machines.map((m) => h('option', { value: m.id, selected: m.id === d.feeds ? 'selected' : null }, m.name))) : null;
	const machine = plug ? h('input', { id: 'ds-machine', name: 'machine', maxlength: 127, value: d.machine || '', 'aria-describedby': 'ds-machine-hint' }) : null;
	const busy = plug ? h('input', { id: 'ds-busy', name: 'busy_w', type: 'number', min: 1, max: 100000, step: 'any', inputmode: 'decimal', value: d.busy_w || '' }) : null;
	const boxes = metricNames.map((m) => h('label', { class: 'check' },
		h('input', { type: 'checkbox', name: 'hidden', value: m, checked: hidden.has(m) }),
		' ', tOr('metric.' + m, m)));
	const form = h('form', { method: 'dialog', class: 'devset', novalidate: true },
		h('h2', { id: 'dlg-h' }, t('devset.title', { name: d.name })),
		h('p', { class: 'muted small' }, t('devset.id', { id: d.id })),
		field('ds-name', 'devset.name', name, t('devset.reported', { v: repName })),
		field('ds-public', 'devset.public_name', pubName, t('devset.public_hint')),
		field('ds-room', 'devset.room', room, repRoom ? t('devset.reported', { v: repRoom }) : t('devset.room_hint')),
		h('datalist', { id: 'ds-rooms' }, rooms.map((r) => h('option', { value: r }))),
		plug ? h('fieldset', {}, h('legend', {}, t('devset.plug')),
			field('ds-feeds', 'devset.feeds', feeds),
			field('ds-machine', 'devset.machine', machine, t('devset.machine_hint')),
			field('ds-busy', 'devset.busy_w', busy)) : null,
		metricNames.length ? h('fieldset', { class: 'checks' }, h('legend', {}, t('devset.hidden')),
			h('p', { class: 'muted small' }, t('devset.hidden_hint')), boxes) : null,
		err,
		h('div', { class: 'actions' },
			h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => dlg.close('cancel') }, t('common.cancel')),
			h('button', { type: 'submit', class: 'btn btn-primary' }, t('devset.save'))));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const body = {
			name: name.value.trim() === repName ? null : name.value.trim() || null,
			public_name: pubName.value.trim() || null,
			room: room.value.trim() === repRoom ? null : room.value.trim() || null,
			hidden_metrics: [...form.querySelectorAll('input[name=hidden]:checked')].map((c) => c.value),
		};
		if (plug) {
			body.feeds = feeds.value || null;
			body.machine = machine.value.trim() || null;
			body.busy_w = busy.value ? Number(busy.value) : null;
		}
		const r = await patch('/api/devices/' + encodeURIComponent(d.id), body);
		if (!r.ok) {
			err.hidden = false;
			err.textContent = errorText(r);
			return;
		}
		dlg.close('saved');
		onSaved(r.data);
	});
	const dlg = modal(form, opener);
	name.focus();
	return dlg;
}
