// vocab.js — the hub's fixed vocabularies (GET /api/vocab: group types,
// age bands, contribution kinds, licences…).  Pages build their choices
// from it instead of keeping their own copy of the lists, so a list
// changes in one place (the hub's core/vocab.h).  The last answer is kept
// in localStorage, so a page opened while the hub restarts (the kiosk's
// cached shell) still has its choices.
import { get } from './api.js';

const KEY = 'mlab.vocab';
let lists = null, asking = null;

async function ask() {
	const r = await get('/api/vocab');
	if (r.ok && r.data && typeof r.data === 'object') {
		lists = r.data;
		try { localStorage.setItem(KEY, JSON.stringify(lists)); } catch { }
		return lists;
	}
	try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch { return {}; }
}

// The lists as {"group_type": [...], "age_band": [...], ...}: the hub's,
// else the last ones seen, else {} (asked again next time).  Callers at
// the same moment share one request.
export async function vocab() {
	if (lists) return lists;
	if (!asking) asking = ask().finally(() => { asking = null; });
	return asking;
}
