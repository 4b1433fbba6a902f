/*
 * session.c — lab sessions: at most one open at a time, its group,
 * projects and devices, and the /api/sessions routes.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "net/args.h"
#include "auth/auth.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/vocab.h"
#include "lab/device.h"
#include "part/row.h"
#include "part/session.h"
#include "store/store.h"
#include "net/ws.h"

/* The open session's id, 0 when none. */
int64_t session_open_id(struct hub *h)
{
	static const char q[] =
		"SELECT id FROM sessions WHERE ended_at IS NULL ORDER BY started_at DESC LIMIT 1";
	sqlite3_stmt *st;
	int64_t id = 0;

	if (!h->store || !(st = store_stmt(h, q)))
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* The session that was open at time t (not removed), 0 when none.  Of
 * overlapping ones (a session recorded after the fact), the latest started. */
int64_t session_at(struct hub *h, double t)
{
	static const char q[] =
		"SELECT id FROM sessions WHERE removed_at IS NULL AND started_at <= ?1"
		" AND (ended_at IS NULL OR ended_at >= ?1) ORDER BY started_at DESC LIMIT 1";
	sqlite3_stmt *st;
	int64_t id = 0;

	if (!h->store || !(st = store_stmt(h, q)))
		return 0;
	sqlite3_bind_double(st, 1, t);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

#define MADE_AHEAD_S 300	/* a kiosk's clock may run this far ahead */

/* The session a kiosk's write belongs to.  The kiosk names the session it
 * saw open (hint, 0 = none) and when the visitor made the write (made_at,
 * its "made_at"; absent when has_made is 0).  A write that reaches the
 * hub while that session is still open goes to it.  One that comes late
 * (kept in the kiosk's outbox while the hub was away) goes to the session
 * open at made_at — never to a later one — if made_at is at most
 * kiosk.late_grace_s old, so a kiosk cannot backdate into an old session.
 * *at is the write's time: now, or made_at for a late one.  Returns 0 with
 * *out (0 when no session was open: need says whether that is an error),
 * or 1 when resp holds the refusal. */
int session_kiosk(struct api_req *req, struct api_resp *resp, int64_t hint, int need,
		  int has_made, double made_at, int64_t *out, double *at)
{
	struct hub *h = req->h;
	double now = hub_now(), grace = conf_int(h->conf, "kiosk.late_grace_s");
	int64_t open = session_open_id(h);

	*at = now;
	*out = open;
	if (open && hint == open)
		goto done;
	if (!has_made) {
		if (hint)
			return api_error(resp, 403, "the kiosk writes to the open session only"), 1;
		goto done;
	}
	if (made_at > now + MADE_AHEAD_S)
		return api_error(resp, 400, "made_at is in the future"), 1;
	if (made_at > now)
		made_at = now;
	if (now - made_at > grace)
		return api_error(resp, 409, "made_at: made %.0f s ago, more than kiosk.late_grace_s "
				 "(%.0f s); too late to count for a past session",
				 now - made_at, grace), 1;
	*out = session_at(h, made_at);
	if (*out != open)
		*at = made_at;
done:
	if (need && !*out)
		return api_error(resp, 409, has_made ? "no session is open, nor was one at made_at" :
				 "no session is open; give session_id"), 1;
	return 0;
}

/* Session id as JSON (caller owns it), NULL if none.  The public view
 * (staff = 0) leaves out who ran it, its notes and internal projects. */
cJSON *session_json(struct hub *h, int64_t id, int staff)
{
	static const char q[] =
		"SELECT started_at, ended_at, facilitator, group_type, group_size, grade, notes, source,"
		" (SELECT count(*) FROM participants WHERE session_id = s.id),"
		" (SELECT coalesce(sum(party_size), 0) FROM participants WHERE session_id = s.id),"
		" (SELECT count(*) FROM contributions WHERE session_id = s.id),"
		" (SELECT count(*) FROM ratings WHERE session_id = s.id),"
		" removed_at, removed_by, removed_reason, merged_into,"
		" (SELECT group_concat(id, ';') FROM sessions m WHERE m.merged_into = s.id)"
		" FROM sessions s WHERE id = ?1";
	static const char q_proj[] =
		"SELECT p.id, p.title, p.visibility FROM session_projects sp"
		" JOIN projects p ON p.id = sp.project_id WHERE sp.session_id = ?1 ORDER BY p.id";
	static const char q_dev[] =
		"SELECT device_id FROM session_devices WHERE session_id = ?1 ORDER BY device_id";
	sqlite3_stmt *st = store_stmt(h, q);
	cJSON *o, *g, *ids, *projects, *devs;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	row_add_time(o, "started_at", st, 0);
	row_add_time(o, "ended_at", st, 1);
	cJSON_AddBoolToObject(o, "open", sqlite3_column_type(st, 1) == SQLITE_NULL);
	g = cJSON_AddObjectToObject(o, "group");
	row_add_text(g, "type", st, 3);
	row_add_int(g, "size", st, 4);
	row_add_text(g, "grade", st, 5);
	row_add_int(o, "participants", st, 8);
	row_add_int(o, "people_checked_in", st, 9);
	row_add_int(o, "contributions", st, 10);
	row_add_int(o, "ratings", st, 11);
	if (staff) {
		row_add_text(o, "facilitator", st, 2);
		row_add_text(o, "notes", st, 6);
		row_add_text(o, "source", st, 7);
		if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
			cJSON *rm = cJSON_AddObjectToObject(o, "removed");

			row_add_time(rm, "at", st, 12);
			row_add_text(rm, "by", st, 13);
			row_add_text(rm, "reason", st, 14);
			row_add_int(rm, "merged_into", st, 15);
		}
		if (sqlite3_column_type(st, 16) != SQLITE_NULL) {
			const char *m = (const char *)sqlite3_column_text(st, 16);
			cJSON *arr = cJSON_AddArrayToObject(o, "merged_from");

			while (m && *m) {
				cJSON_AddItemToArray(arr, cJSON_CreateNumber(strtod(m, NULL)));
				m = strchr(m, ';');
				m = m ? m + 1 : NULL;
			}
		}
	}
	sqlite3_reset(st);
	ids = cJSON_AddArrayToObject(o, "project_ids");
	projects = cJSON_AddArrayToObject(o, "projects");
	if ((st = store_stmt(h, q_proj))) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *p;

			if (!staff && strcmp((const char *)sqlite3_column_text(st, 2), "public"))
				continue;
			cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)sqlite3_column_int64(st, 0)));
			p = cJSON_CreateObject();
			row_add_int(p, "id", st, 0);
			row_add_text(p, "title", st, 1);
			cJSON_AddItemToArray(projects, p);
		}
		sqlite3_reset(st);
	}
	devs = cJSON_AddArrayToObject(o, "device_ids");
	if ((st = store_stmt(h, q_dev))) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW)
			cJSON_AddItemToArray(devs, cJSON_CreateString(
				(const char *)sqlite3_column_text(st, 0)));
		sqlite3_reset(st);
	}
	return o;
}

/* Tell everyone what became of session id ("opened", "updated", "ended",
 * "recorded"): the public view, which has no personal data. */
void session_changed(struct hub *h, int64_t id, const char *event)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddItemToObject(o, "session", session_json(h, id, 0));
	ws_broadcast(h, "session", o, WS_PUBLIC);
	device_session_changed(h, id, event);
}

/* The end of a session write: audit it (action on session/id, detail),
 * commit, tell clients (event) and answer status with the staff view.
 * Returns 0 (the request is answered either way). */
static int session_done(struct api_req *req, struct api_resp *resp, int64_t id, int status,
			const char *action, const char *detail, const char *event)
{
	char obj[48];

	snprintf(obj, sizeof(obj), "session/%lld", (long long)id);
	api_audit(req, action, obj, detail);
	if (args_commit(req, resp))
		return 0;
	session_changed(req->h, id, event);
	return api_json(resp, status, session_json(req->h, id, 1));
}

struct session_in {
	const char *group_type, *grade, *notes;
	long long size;
	double started, ended;
	int has_started, has_ended;
	const cJSON *projects, *devices;
};

/* Validate a session body.  0, or -1 after answering 400. */
static int session_read(struct hub *h, struct api_resp *resp, const cJSON *o,
		 struct session_in *s)
{
	const cJSON *g = args_member(o, "group"), *it;
	double now = hub_now();
	int present, i = 0;

	memset(s, 0, sizeof(*s));
	s->group_type = "walk-in";
	if (g && !cJSON_IsNull(g) && !cJSON_IsObject(g))
		return api_error(resp, 400, "group must be an object {\"type\",\"size\"}"), -1;
	if (args_enum(resp, g, "type", "group.type", vocab_group_types, "walk-in", &s->group_type) ||
	    args_int(resp, g, "size", "group.size", 0, 100000, &s->size, &present) ||
	    args_str(resp, g, "grade", "group.grade", 40, 0, &s->grade) ||
	    args_str(resp, o, "notes", NULL, TEXT_MAX, 0, &s->notes) ||
	    args_time(resp, o, "started_at", &s->started, &s->has_started) ||
	    args_time(resp, o, "ended_at", &s->ended, &s->has_ended) ||
	    args_str_list(resp, o, "device_ids", 200, &s->devices))
		return -1;
	if (s->has_started && s->started > now + 300)
		return api_error(resp, 400, "started_at is in the future"), -1;
	if (s->has_ended && s->ended > now + 300)
		return api_error(resp, 400, "ended_at is in the future"), -1;
	if (s->has_ended && !s->has_started)
		return api_error(resp, 400, "ended_at needs started_at"), -1;
	if (s->has_ended && s->ended < s->started)
		return api_error(resp, 400, "ended_at is before started_at"), -1;
	s->projects = args_member(o, "project_ids");
	if (s->projects && cJSON_IsNull(s->projects))
		s->projects = NULL;
	if (s->projects) {
		if (!cJSON_IsArray(s->projects) || cJSON_GetArraySize(s->projects) > ARGS_LIST_MAX)
			return api_error(resp, 400, "project_ids must be an array of at most %d ids",
					 ARGS_LIST_MAX), -1;
		cJSON_ArrayForEach(it, s->projects) {
			if (!cJSON_IsNumber(it) || it->valuedouble < 1 ||
			    it->valuedouble != floor(it->valuedouble) || it->valuedouble > 9e15)
				return api_error(resp, 400, "project_ids[%d] must be a project id", i), -1;
			if (!row_project_exists(h, (int64_t)it->valuedouble))
				return api_error(resp, 400, "project_ids[%d]: no project %.0f", i,
						 it->valuedouble), -1;
			i++;
		}
	}
	return 0;
}

/* Replace the projects and devices of session id (when given). */
static int session_links(struct hub *h, int64_t id, const struct session_in *s)
{
	static const char del_p[] = "DELETE FROM session_projects WHERE session_id = ?1";
	static const char ins_p[] =
		"INSERT OR IGNORE INTO session_projects(session_id, project_id) VALUES (?1, ?2)";
	static const char del_d[] = "DELETE FROM session_devices WHERE session_id = ?1";
	static const char ins_d[] =
		"INSERT OR IGNORE INTO session_devices(session_id, device_id) VALUES (?1, ?2)";
	const cJSON *it;
	sqlite3_stmt *st;
	int ok = 1;

	if (s->projects && (st = store_stmt(h, del_p))) {
		sqlite3_bind_int64(st, 1, id);
		ok = row_step(h, st) == 0;
		cJSON_ArrayForEach(it, s->projects) {
			if (!ok || !(st = store_stmt(h, ins_p)))
				break;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, (int64_t)it->valuedouble);
			ok = row_step(h, st) == 0;
		}
	}
	if (ok && s->devices && (st = store_stmt(h, del_d))) {
		sqlite3_bind_int64(st, 1, id);
		ok = row_step(h, st) == 0;
		cJSON_ArrayForEach(it, s->devices) {
			if (!ok || !(st = store_stmt(h, ins_d)))
				break;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, it->valuestring, -1, SQLITE_TRANSIENT);
			ok = row_step(h, st) == 0;
		}
	}
	return ok;
}

/* POST /api/sessions: open a session now, or record one after the fact
 * (started_at and ended_at).  409 when one is open and this would open
 * another. */
static int session_post(struct api_req *req, struct api_resp *resp)
{
	static const char ins[] =
		"INSERT INTO sessions(started_at, ended_at, facilitator, group_type, group_size,"
		" grade, notes, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'api')";
	struct hub *h = req->h;
	struct session_in s;
	int64_t open, id;
	sqlite3_stmt *st;
	int ok;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (session_read(h, resp, req->json, &s))
		return 0;
	if (!s.has_ended && (open = session_open_id(h)))
		return api_error(resp, 409, "session %lld is already open; end it first",
				 (long long)open);
	if (row_sp_begin(h))
		return api_error(resp, 500, "database error");
	if ((st = store_stmt(h, ins))) {
		sqlite3_bind_double(st, 1, s.has_started ? s.started : hub_now());
		if (s.has_ended)
			sqlite3_bind_double(st, 2, s.ended);
		row_bind_opt_text(st, 3, req->user[0] ? req->user : NULL);
		sqlite3_bind_text(st, 4, s.group_type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, s.size);
		row_bind_opt_text(st, 6, s.grade);
		row_bind_opt_text(st, 7, s.notes);
	}
	ok = row_step(h, st) == 0;
	id = ok ? row_last_id(h) : 0;
	ok = ok && session_links(h, id, &s);
	row_sp_end(h, ok);
	if (!ok)
		return api_error(resp, 500, "database error");
	return session_done(req, resp, id, 201, s.has_ended ? "session.record" : "session.open",
			    s.group_type, s.has_ended ? "recorded" : "opened");
}

/* GET /api/sessions/current: the open session (public view unless staff). */
static int session_get_current(struct api_req *req, struct api_resp *resp)
{
	int64_t id = session_open_id(req->h);

	if (!id)
		return api_error(resp, 404, "no session is open");
	return api_json(resp, 200, session_json(req->h, id, row_staff(req)));
}

/* GET /api/sessions?from=&to=&limit=&removed=1: sessions overlapping
 * [from, to], newest first; removed ones only with removed=1. */
static int session_get_all(struct api_req *req, struct api_resp *resp)
{
	static const char q[] =
		"SELECT id FROM sessions WHERE started_at <= ?2 AND coalesce(ended_at, 1e18) >= ?1"
		" AND (?4 OR removed_at IS NULL)"
		" ORDER BY started_at DESC, id DESC LIMIT ?3";
	char removed[4] = "";
	int bad = 0;
	double from = api_time_arg(req, "from", 0, &bad);
	double to = api_time_arg(req, "to", 1e15, &bad);
		long limit = 1000;
	sqlite3_stmt *st;
	cJSON *o, *arr;

	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	if (args_limit(req, resp, "limit", 1000, &limit))
		return 0;
	if (!(st = store_stmt(req->h, q)))
		return api_error(resp, 500, "database error");
	sqlite3_bind_double(st, 1, from);
	sqlite3_bind_double(st, 2, to);
	sqlite3_bind_int64(st, 3, limit);
	api_query(req, "removed", removed, sizeof(removed));
	sqlite3_bind_int(st, 4, !strcmp(removed, "1"));
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "sessions");
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *s = session_json(req->h, sqlite3_column_int64(st, 0), 1);

		if (s)
			cJSON_AddItemToArray(arr, s);
	}
	sqlite3_reset(st);
	return api_json(resp, 200, o);
}

/* "current" or an id in path parameter 0. */
static int64_t session_param(struct api_req *req)
{
	if (!strcmp(req->params[0], "current"))
		return session_open_id(req->h);
	return args_path_id(req, 0);
}

static int session_get(struct api_req *req, struct api_resp *resp)
{
	int64_t id = session_param(req);
	cJSON *s = id ? session_json(req->h, id, 1) : NULL;

	if (!s)
		return api_error(resp, 404, "no such session");
	return api_json(resp, 200, s);
}

/* PATCH /api/sessions/{id}: group (members merged), notes, project_ids,
 * device_ids, started_at, and ended_at of a session already ended. */
static int session_patch(struct api_req *req, struct api_resp *resp)
{
	static const char upd[] =
		"UPDATE sessions SET started_at=?2, ended_at=?3, group_type=?4, group_size=?5,"
		" grade=?6, notes=?7 WHERE id=?1";
	struct hub *h = req->h;
	int64_t id = session_param(req);
	cJSON *cur, *g;
	const cJSON *pg;
	struct session_in s;
	sqlite3_stmt *st;
	int ok, was_open;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (!id || !(cur = session_json(h, id, 1)))
		return api_error(resp, 404, "no such session");
	if (args_member(cur, "removed")) {
		cJSON_Delete(cur);
		return api_error(resp, 409, "session %lld was removed", (long long)id);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(cur, "merged_from");
	was_open = cJSON_IsTrue(args_member(cur, "open"));
	if (was_open && args_member(req->json, "ended_at") && !cJSON_IsNull(args_member(req->json, "ended_at"))) {
		cJSON_Delete(cur);
		return api_error(resp, 400, "ended_at: end an open session with POST /api/sessions/%lld/end",
				 (long long)id);
	}
	/* group members merge; the rest replaces */
	g = cJSON_DetachItemFromObjectCaseSensitive(cur, "group");
	pg = args_member(req->json, "group");
	if (pg && !cJSON_IsObject(pg)) {
		cJSON_Delete(g);
		cJSON_Delete(cur);
		return api_error(resp, 400, "group must be an object {\"type\",\"size\"}");
	}
	args_overlay(cur, req->json);
	if (pg) {
		args_overlay(g, pg);
		cJSON_ReplaceItemInObjectCaseSensitive(cur, "group", g);
	} else {
		cJSON_AddItemToObject(cur, "group", g);
	}
	/* keep what was there unless the body replaces it */
	if (!args_member(req->json, "project_ids"))
		cJSON_DeleteItemFromObjectCaseSensitive(cur, "project_ids");
	if (!args_member(req->json, "device_ids"))
		cJSON_DeleteItemFromObjectCaseSensitive(cur, "device_ids");
	if (session_read(h, resp, cur, &s)) {
		cJSON_Delete(cur);
		return 0;
	}
	if (row_sp_begin(h)) {
		cJSON_Delete(cur);
		return api_error(resp, 500, "database error");
	}
	if ((st = store_stmt(h, upd))) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_double(st, 2, s.started);
		if (s.has_ended)
			sqlite3_bind_double(st, 3, s.ended);
		sqlite3_bind_text(st, 4, s.group_type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, s.size);
		row_bind_opt_text(st, 6, s.grade);
		row_bind_opt_text(st, 7, s.notes);
	}
	ok = row_step(h, st) == 0 && session_links(h, id, &s);
	row_sp_end(h, ok);
	cJSON_Delete(cur);
	if (!ok)
		return api_error(resp, 500, "database error");
	return session_done(req, resp, id, 200, "session.update", NULL, "updated");
}

/* End session id at time t. */
int session_end(struct hub *h, int64_t id, double t)
{
	static const char upd[] =
		"UPDATE sessions SET ended_at = max(?2, started_at) WHERE id = ?1 AND ended_at IS NULL";
	sqlite3_stmt *st = store_stmt(h, upd);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_double(st, 2, t);
	return row_step(h, st);
}

/* POST /api/sessions/{id|current}/end [{"ended_at"}]: 409 if not open. */
static int session_post_end(struct api_req *req, struct api_resp *resp)
{
	int64_t id = session_param(req);
	cJSON *cur;
	double t = hub_now();
	int present, open;

	if (req->json && !cJSON_IsObject(req->json))
		return api_error(resp, 400, "the body must be a JSON object");
	if (args_time(resp, req->json, "ended_at", &t, &present))
		return 0;
	if (!id || !(cur = session_json(req->h, id, 1)))
		return api_error(resp, 404, "no such session");
	open = cJSON_IsTrue(args_member(cur, "open"));
	cJSON_Delete(cur);
	if (!open)
		return api_error(resp, 409, "session %lld has already ended", (long long)id);
	if (present && t > hub_now() + 300)
		return api_error(resp, 400, "ended_at is in the future");
	if (session_end(req->h, id, t))
		return api_error(resp, 500, "database error");
	return session_done(req, resp, id, 200, "session.end", NULL, "ended");
}

/* The first project of session id (lowest id), 0 when none. */
int64_t session_first_project(struct hub *h, int64_t session)
{
	static const char q[] =
		"SELECT min(project_id) FROM session_projects WHERE session_id = ?1";

	return session ? store_int(h, q, session) : 0;
}

/* ---- removing a session opened by mistake ----------------------------- */

/* The reason a removal gives (1..500 bytes), or NULL after answering 400. */
static const char *removal_reason(struct api_req *req, struct api_resp *resp)
{
	const char *reason;

	if (req->json && !cJSON_IsObject(req->json))
		return api_error(resp, 400, "the body must be a JSON object"), NULL;
	if (args_str(resp, req->json, "reason", NULL, 500, 0, &reason))
		return NULL;
	if (!reason)
		return api_error(resp, 400, "reason is required: say why the session is removed"), NULL;
	return reason;
}

/* Session id when it exists and was not removed; 0 after answering 404/409. */
static int64_t live_session(struct api_req *req, struct api_resp *resp, int64_t id)
{
	static const char q[] = "SELECT removed_at IS NOT NULL FROM sessions WHERE id = ?1";
	sqlite3_stmt *st = id ? store_stmt(req->h, q) : NULL;
	int removed = -1;

	if (st) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			removed = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
	}
	if (removed < 0)
		return api_error(resp, 404, "no such session"), 0;
	if (removed)
		return api_error(resp, 409, "session %lld was already removed", (long long)id), 0;
	return id;
}

/* Mark session id removed (ended too, so it is never the open one). */
static int mark_removed(struct api_req *req, int64_t id, int64_t into, const char *reason)
{
	static const char upd[] =
		"UPDATE sessions SET removed_at = ?2, removed_by = ?3, removed_reason = ?4,"
		" merged_into = ?5, ended_at = coalesce(ended_at, max(?2, started_at)) WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(req->h, upd);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_double(st, 2, hub_now());
	row_bind_opt_text(st, 3, req->user[0] ? req->user : NULL);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
	if (into)
		sqlite3_bind_int64(st, 5, into);
	return row_step(req->h, st);
}

/* DELETE /api/sessions/{id} {"reason"}: remove a session opened by
 * mistake.  Its row stays, marked removed, so the audit log and the
 * report's trail can still name it; the indicators no longer count it.
 * A session people checked in to or contributed in is merged instead
 * (409), so no one's visit is lost. */
static int session_delete(struct api_req *req, struct api_resp *resp)
{
	static const char q_used[] =
		"SELECT (SELECT count(*) FROM participants WHERE session_id = ?1)"
		" + (SELECT count(*) FROM contributions WHERE session_id = ?1)";
	const char *reason = removal_reason(req, resp);
	int64_t id;

	if (!reason || !(id = live_session(req, resp, args_path_id(req, 0))))
		return 0;
	if (store_int(req->h, q_used, id) > 0)
		return api_error(resp, 409, "session %lld has check-ins or contributions: merge it "
				 "into the session it belongs to instead", (long long)id);
	if (mark_removed(req, id, 0, reason))
		return api_error(resp, 500, "database error");
	return session_done(req, resp, id, 200, "session.delete", reason, "removed");
}

/* POST /api/sessions/{id}/merge {"into", "reason"}: session id was the
 * same visit as session `into` (a group opened twice).  Its check-ins,
 * contributions, ratings, projects and devices move to `into`, whose
 * head count becomes the larger of the two, whose start the earlier and,
 * when both have ended, whose end the later; id is marked removed
 * (merged_into), so the visit counts once. */
static int session_merge(struct api_req *req, struct api_resp *resp)
{
	static const char *const moves[] = {
		"UPDATE participants SET session_id = ?2 WHERE session_id = ?1",
		"UPDATE contributions SET session_id = ?2 WHERE session_id = ?1",
		"UPDATE ratings SET session_id = ?2 WHERE session_id = ?1",
		"INSERT OR IGNORE INTO session_projects(session_id, project_id)"
		" SELECT ?2, project_id FROM session_projects WHERE session_id = ?1",
		"INSERT OR IGNORE INTO session_devices(session_id, device_id)"
		" SELECT ?2, device_id FROM session_devices WHERE session_id = ?1",
		"UPDATE sessions SET group_size = max(group_size,"
		" (SELECT group_size FROM sessions WHERE id = ?1)),"
		" started_at = min(started_at, (SELECT started_at FROM sessions WHERE id = ?1)),"
		" ended_at = max(ended_at, coalesce((SELECT ended_at FROM sessions WHERE id = ?1),"
		"  ended_at))"
		" WHERE id = ?2",
	};
	const char *reason = removal_reason(req, resp);
	long long into;
	int64_t id;
	int present, ok = 1;
	char obj[48], detail[600];

	if (!reason || args_int(resp, req->json, "into", NULL, 1, 9e15, &into, &present))
		return 0;
	if (!present)
		return api_error(resp, 400, "into is required: the id of the session to merge into");
	if (!(id = live_session(req, resp, args_path_id(req, 0))))
		return 0;
	if (into == id)
		return api_error(resp, 400, "into: a session cannot be merged into itself");
	if (!live_session(req, resp, into))
		return 0;
	if (row_sp_begin(req->h))
		return api_error(resp, 500, "database error");
	for (size_t i = 0; ok && i < sizeof(moves) / sizeof(moves[0]); i++) {
		sqlite3_stmt *st = store_stmt(req->h, moves[i]);

		if (st) {
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, into);
		}
		ok = row_step(req->h, st) == 0;
	}
	ok = ok && mark_removed(req, id, into, reason) == 0;
	row_sp_end(req->h, ok);
	if (!ok)
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "session/%lld", (long long)id);
	snprintf(detail, sizeof(detail), "into session/%lld: %s", into, reason);
	api_audit(req, "session.merge", obj, detail);
	if (args_commit(req, resp))
		return 0;
	session_changed(req->h, id, "removed");
	session_changed(req->h, into, "updated");
	return api_json(resp, 200, session_json(req->h, into, 1));
}

static const struct api_route session_routes[] = {
	{ "GET", "/api/sessions/current", ROLE_NONE, session_get_current },
	{ "GET", "/api/sessions", ROLE_FACILITATOR, session_get_all },
	{ "POST", "/api/sessions", ROLE_FACILITATOR, session_post },
	{ "GET", "/api/sessions/*", ROLE_FACILITATOR, session_get },
	{ "PATCH", "/api/sessions/*", ROLE_FACILITATOR, session_patch },
	{ "POST", "/api/sessions/*/end", ROLE_FACILITATOR, session_post_end },
	{ "DELETE", "/api/sessions/*", ROLE_FACILITATOR, session_delete },
	{ "POST", "/api/sessions/*/merge", ROLE_FACILITATOR, session_merge },
	{ NULL, NULL, 0, NULL },
};

int session_init(struct hub *h)
{
	return api_register(h, session_routes);
}
