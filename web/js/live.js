// live.js — the /ws connection every page shares.
//
// The hub sends a snapshot first, then one message per change.  When the
// socket closes (hub restart, network loss) the page shows a banner,
// reconnects with exponential back-off (0.5 s doubling to 15 s, with
// jitter), and the new snapshot resynchronises everything.
import { t } from './i18n.js';

export function connect({ onSnapshot, onMessage, banner }) {
	let delay = 500, ws = null, timer = null, tick = null, everUp = false;

	function show(kind, key, vars) {
		if (!banner) return;
		banner.hidden = !key;
		banner.dataset.kind = kind || '';
		banner.textContent = key ? t(key, vars) : '';
	}

	function schedule() {
		const wait = Math.min(15000, delay) * (0.8 + Math.random() * 0.4);
		let left = Math.ceil(wait / 1000);
		delay = Math.min(15000, delay * 2);
		show('error', everUp ? 'live.lost' : 'live.unreachable', { s: left });
		clearInterval(tick);
		tick = setInterval(() => {
			left = Math.max(0, left - 1);
			show('error', everUp ? 'live.lost' : 'live.unreachable', { s: left });
		}, 1000);
		timer = setTimeout(open, wait);
	}

	function open() {
		clearTimeout(timer);
		clearInterval(tick);
		const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
		try { ws = new WebSocket(url); } catch { schedule(); return; }
		ws.onmessage = (ev) => {
			let m;
			try { m = JSON.parse(ev.data); } catch { return; }
			if (m.type === 'snapshot') {
				delay = 500;
				everUp = true;
				show(m.broker === 'connected' ? '' : 'warn', m.broker === 'connected' ? '' : 'live.broker_down');
				onSnapshot(m);
			} else {
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
	return { restart, get connected() { return !!ws && ws.readyState === 1; } };
}
