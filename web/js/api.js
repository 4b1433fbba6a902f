// api.js — JSON over fetch, same origin, with the login cookie.
// Every call resolves to {status, ok, data}; it never throws, so pages can
// show "—" when an endpoint is not there (yet) or refuses.

export async function api(method, path, body) {
	const opts = { method, credentials: 'same-origin', headers: {} };
	if (body !== undefined) {
		opts.headers['content-type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	try {
		const r = await fetch(path, opts);
		let data = null;
		try { data = await r.json(); } catch { }
		return { status: r.status, ok: r.ok, data };
	} catch {
		return { status: 0, ok: false, data: null };
	}
}

export const get = (p) => api('GET', p);
export const post = (p, b = {}) => api('POST', p, b);
export const patch = (p, b = {}) => api('PATCH', p, b);

// A list out of an answer that may be {"<name>":[…]} or […].
export function list(data, name) {
	if (Array.isArray(data)) return data;
	if (data && Array.isArray(data[name])) return data[name];
	return [];
}
