// vocab.js — the hub's fixed vocabularies (GET /api/vocab: group types,
// age bands, contribution kinds, licences…), fetched once.  Pages build
// their choices from it instead of keeping their own copy of the lists,
// so a list changes in one place (the hub's core/vocab.h).
import { get } from './api.js';

let lists = null;

// The lists as {"group_type": [...], "age_band": [...], ...}; {} while the
// hub cannot be reached (asked again next time).
export async function vocab() {
	if (!lists) {
		const r = await get('/api/vocab');
		if (!r.ok || !r.data) return {};
		lists = r.data;
	}
	return lists;
}
