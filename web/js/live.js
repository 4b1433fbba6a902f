// live.js — the /ws connection every page shares, and the hub's health.
//
// The hub sends a snapshot first, then one message per change.  When the
// socket closes (hub restart, network loss) the page shows a banner,
// reconnects with exponential back-off (0.5 s doubling to 15 s, with
// jitter), and the new snapshot resynchronises everything.
//
// The hub's own health (its MQTT broker, each MQTT link, whether commits
// succeed, the database's free disk) is read from every message that
// carries it: the snapshot's "broker", a {"type":"status",…} message,
// or a "broker" field on any other message.  Until the hub has sent one
// "status" message on this connection, the page also asks GET /healthz
// every few seconds, so the banner follows the broker both ways without
// a reload even from a hub that announces changes only in snapshots.
import { t } from './i18n.js';

const POLL_MS = 5000;
const DISK_LOW = 200 * 1024 * 1024;	// below this, warn (a hub that does not say "disk_low")

export function connect({ onSnapshot, onMessage, onStatus, onLink, banner }) {
	let delay = 500, ws = null, timer = null, tick = null, everUp = false, poll = null;
	let linkKey = null, linkVars = null, pushed = false;
	const status = { broker: null, links: [], commit_ok: true, disk_low: null, disk_free_bytes: null, at: null };

	function render() {
		if (!banner) return;
		let kind = '', key = null, vars = linkVars;
		if (linkKey) { kind = 'error'; key = linkKey; }
		else if (status.commit_ok === false) { kind = 'error'; key = 'live.commit_failing'; }
		else if (status.broker === 'disconnected') { kind = 'warn'; key = 'live.broker_down'; }
		else if (status.links.some((l) => l && l.connected === false)) {
			kind = 'warn'; key = 'live.link_down';
			vars = { name: status.links.filter((l) => l && l.connected === false).map((l) => l.name || l.id || '?').join(', ') };
		} else if (typeof status.disk_low === 'boolean' ? status.disk_low
			: typeof status.disk_free_bytes === 'number' && status.disk_free_bytes < DISK_LOW) {
			kind = 'warn'; key = 'live.disk_low';
		}
		banner.hidden = !key;
		banner.dataset.kind = kind;
		banner.dataset.key = key || '';
		banner.textContent = key ? t(key, vars) : '';
	}

	function link(key, vars) {
		linkKey = key; linkVars = vars;
		render();
		if (onLink) onLink(!key ? 'up' : everUp ? 'lost' : 'unreachable');
	}

	// Fold what a message says about the hub's health into status.
	function absorb(m) {
		let changed = false;
		const set = (k, v) => { if (v !== undefined && status[k] !== v) { status[k] = v; changed = true; } };
		if (m.broker === 'connected' || m.broker === 'disconnected') set('broker', m.broker);
		if (Array.isArray(m.links)) { status.links = m.links; changed = true; }
		if (typeof m.commit_ok === 'boolean') set('commit_ok', m.commit_ok);
		if (typeof m.disk_low === 'boolean') set('disk_low', m.disk_low);
		if (typeof m.disk_free_bytes === 'number') set('disk_free_bytes', m.disk_free_bytes);
		status.at = new Date();
		if (changed) {
			render();
			if (onStatus) onStatus({ ...status });
		}
	}

	async function healthz() {
		if (pushed || !ws || ws.readyState !== 1) return;
		try {
			const r = await fetch('/healthz', { cache: 'no-store' });
			const j = await r.json();
			if (!pushed) absorb({ broker: j.broker, commit_ok: j.commit_ok, disk_low: j.disk_low, disk_free_bytes: j.disk_free_bytes, links: j.links });
		} catch { }
	}

	function schedule() {
		const wait = Math.min(15000, delay) * (0.8 + Math.random() * 0.4);
		let left = Math.ceil(wait / 1000);
		delay = Math.min(15000, delay * 2);
		link(everUp ? 'live.lost' : 'live.unreachable', { s: left });
		clearInterval(tick);
		tick = setInterval(() => {
			left = Math.max(0, left - 1);
			link(everUp ? 'live.lost' : 'live.unreachable', { s: left });
		}, 1000);
		timer = setTimeout(open, wait);
	}

	function open() {
		clearTimeout(timer);
		clearInterval(tick);
		const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
		try { ws = new WebSocket(url); } catch { schedule(); return; }
		pushed = false;
		ws.onmessage = (ev) => {
			let m;
			try { m = JSON.parse(ev.data); } catch { return; }
			if (m.type === 'status') pushed = true;
			absorb(m);
			if (m.type === 'snapshot') {
				delay = 500;
				everUp = true;
				link(null);
				onSnapshot(m);
			} else if (m.type !== 'status') {
				onMessage(m);
			}
		};
		ws.onclose = () => { ws = null; schedule(); };
		ws.onerror = () => { try { ws && ws.close(); } catch { } };
	}

	// After a login or logout the role changes: start again for a new snapshot.
	function restart() {
		delay = 500;
		if (ws) { ws.onclose = null; ws.close(); ws = null; }
		open();
	}

	open();
	poll = setInterval(healthz, POLL_MS);
	return {
		restart, status,
		relabel: render,
		get connected() { return !!ws && ws.readyState === 1; },
		stop() { clearInterval(poll); },
	};
}
