// outbox.js — what a visitor gave the kiosk, kept in the browser
// (IndexedDB) until the hub has it.
//
// Every check-in, rating and idea gets a client-made id ("client_id", sent
// in the body) and is written here before it is sent.  It leaves the
// outbox only when the hub has answered: stored (2xx) or refused for good
// (4xx, which a later try cannot mend).  When the hub cannot be reached
// (no answer, 5xx) it stays, and flush() sends it again later: when the
// page sees the hub again, and on a timer.  The hub is to de-duplicate on
// client_id (an answer lost on the way back would otherwise store it
// twice); the outbox itself never sends an item twice at the same time.
import { api } from '../js/api.js';

const DB = 'mlab-kiosk', STORE = 'outbox';
let dbp = null, flushing = null;

function db() {
	if (!dbp) dbp = new Promise((resolve, reject) => {
		const rq = indexedDB.open(DB, 1);
		rq.onupgradeneeded = () => rq.result.createObjectStore(STORE, { keyPath: 'client_id' });
		rq.onsuccess = () => resolve(rq.result);
		rq.onerror = () => reject(rq.error);
	});
	return dbp;
}

async function tx(mode, fn) {
	const d = await db();
	return new Promise((resolve, reject) => {
		const x = d.transaction(STORE, mode);
		const r = fn(x.objectStore(STORE));
		x.oncomplete = () => resolve(r && r.result);
		x.onerror = () => reject(x.error);
	});
}

// 128 random bits as 32 hex digits (crypto.randomUUID needs a secure
// context; getRandomValues does not).
export function newId() {
	const b = crypto.getRandomValues(new Uint8Array(16));
	return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

export const all = () => tx('readonly', (s) => s.getAll());
export const count = () => tx('readonly', (s) => s.count());
const put = (item) => tx('readwrite', (s) => s.put(item));
const drop = (id) => tx('readwrite', (s) => s.delete(id));

const permanent = (r) => r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429;

// Keep {path, body, kind} with a new client_id, then try to send it.
// Resolves to {state: 'sent'|'kept'|'refused', answer}.
export async function submit(path, body, kind) {
	const item = { client_id: newId(), path, kind, body: { ...body }, at: new Date().toISOString(), tries: 0 };
	item.body.client_id = item.client_id;
	// when the visitor made it: a late delivery counts for the session
	// that was open then (the hub allows kiosk.late_grace_s), not a later one
	item.body.made_at = item.at;
	let kept = true;
	inFlight.add(item.client_id);	// not flush()'s to send
	try { await put(item); } catch { kept = false; }	// no IndexedDB: send anyway
	const r = await send(item);
	if (r.ok || permanent(r)) {
		if (kept) await drop(item.client_id).catch(() => { });
		return { state: r.ok ? 'sent' : 'refused', answer: r };
	}
	return { state: kept ? 'kept' : 'refused', answer: r };
}

const inFlight = new Set();
async function send(item) {
	inFlight.add(item.client_id);
	try { return await api('POST', item.path, item.body); } finally { inFlight.delete(item.client_id); }
}

// Send what is waiting, oldest first, one at a time; stop at the first
// that cannot reach the hub.  Resolves to the items the hub now has.
export function flush() {
	if (flushing) return flushing;
	flushing = (async () => {
		const sent = [];
		let items = [];
		try { items = (await all()).sort((a, b) => a.at.localeCompare(b.at)); } catch { return sent; }
		for (const item of items) {
			if (inFlight.has(item.client_id)) continue;
			const r = await send(item);
			if (r.ok || permanent(r)) {
				await drop(item.client_id).catch(() => { });
				if (r.ok) sent.push(item);
			} else {
				item.tries++;
				await put(item).catch(() => { });
				break;
			}
		}
		return sent;
	})().finally(() => { flushing = null; });
	return flushing;
}
