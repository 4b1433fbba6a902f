// workflows.js — the facilitator's workflow screens in one place for
// app.js: projects, sessions, contributions, privacy requests, and the
// hooks part.js calls (the start form's extra fields, confirmations).
import { $ } from './dom.js';
import { createProjects } from './projects.js';
import { createSessions } from './sessions.js';
import { createContribs } from './contribs.js';
import { createPrivacy } from './privacy.js';

export function createWorkflows({ deviceName, onChange }) {
	let timer = null;
	const changed = () => { soon(); onChange(); };
	const projects = createProjects({ onChange: changed });
	const list = () => projects.projects;
	const sessions = createSessions({ deviceName, projects: list, onChange: changed });
	const contribs = createContribs({ projects: list, onChange: changed });
	const privacy = createPrivacy();

	async function refresh() {
		await projects.refresh();
		await Promise.all([sessions.refresh(), contribs.refresh(), privacy.refresh()]);
	}
	function soon() {
		clearTimeout(timer);
		timer = setTimeout(refresh, 200);
	}
	// the open session's "Modify" button (the session shown by part.js)
	let current = null;
	$('#session-edit').addEventListener('click', () => { if (current) sessions.edit(current); });

	return {
		refresh,
		relabel() { projects.relabel(); sessions.relabel(); contribs.relabel(); privacy.relabel(); },
		onMessage(m) { if (/^(session|contribution|project|participant|purge)/.test(m.type)) soon(); },
		hooks: {
			startFields: sessions.startFields,
			shown(s) { current = s; sessions.shown(s); },
			confirmEnd: sessions.confirmEnd,
			decide: async (c, status) => { const r = await contribs.decide(c, status); if (r) changed(); return r; },
		},
	};
}
