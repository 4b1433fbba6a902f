/*
 * contrib.c — contributions (a scan, a print, an idea…): their JSON,
 * validation, confirmation and the /api/contributions routes.
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
#include "part/contrib.h"
#include "core/hub.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/vocab.h"
#include "part/project.h"
#include "part/row.h"
#include "part/session.h"
#include "store/store.h"
#include "net/ws.h"

static cJSON *contrib_json(struct hub *h, int64_t id)
{
	cJSON *arr = row_contrib_list(h, id, NULL, 0, 0, NULL, 0, 1), *c = NULL;

	if (cJSON_GetArraySize(arr))
		c = cJSON_DetachItemFromArray(arr, 0);
	cJSON_Delete(arr);
	return c;
}

#define RECENT_PUBLIC 20	/* confirmed public contributions on the wall */

cJSON *contrib_recent_public(struct hub *h)
{
	static const char q[] =
		"SELECT c.title, c.project_id FROM contributions c JOIN projects p ON p.id = c.project_id"
		" WHERE c.status = 'confirmed' AND c.licence <> 'none' AND p.visibility = 'public'"
		" ORDER BY c.decided_at DESC, c.id DESC LIMIT ?1";
	sqlite3_stmt *st = store_stmt(h, q);
	cJSON *arr = cJSON_CreateArray();

	if (!st)
		return arr;
	sqlite3_bind_int(st, 1, RECENT_PUBLIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		row_add_text(o, "title", st, 0);
		row_add_int(o, "project_id", st, 1);
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(st);
	return arr;
}

/* A contribution changed: the row to staff, its project's counts to all,
 * and the wall's list of confirmed public contributions. */
void contrib_changed(struct hub *h, int64_t id, const char *event)
{
	cJSON *c = contrib_json(h, id), *o = cJSON_CreateObject();
	const cJSON *pid = c ? args_member(c, "project_id") : NULL;

	cJSON_AddStringToObject(o, "event", event);
	if (cJSON_IsNumber(pid))
		project_changed(h, (int64_t)pid->valuedouble);
	cJSON_AddItemToObject(o, "contribution", c);
	ws_broadcast(h, "contribution", o, WS_STAFF);
	if (strcmp(event, "created")) {	/* a decision may change the public list */
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "recent_contributions", contrib_recent_public(h));
		ws_broadcast(h, "recent_contributions", o, WS_PUBLIC);
	}
}

/* Validate a contribution body and write it as id (0: new, with the
 * kiosk's client id or NULL).  The kiosk adds ideas to the open session
 * only, or, kept offline, to the one open when made (session_kiosk).
 * Answers the request. */
static int contrib_write(struct api_req *req, struct api_resp *resp, const cJSON *o,
		       int64_t id, const char *old_status, const char *client)
{
	static const char ins[] =
		"INSERT INTO contributions(project_id, session_id, participant_id, kind, title, body,"
		" links, licence, status, created_at, decided_at, decided_by, reason)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?14)";
	static const char upd[] =
		"UPDATE contributions SET project_id=?1, session_id=?2, participant_id=?3, kind=?4,"
		" title=?5, body=?6, links=?7, licence=?8, status=?9, reason=?14,"
		" decided_at=CASE WHEN ?9 = status THEN decided_at ELSE ?11 END,"
		" decided_by=CASE WHEN ?9 = status THEN decided_by ELSE ?12 END WHERE id=?13";
	static const char q_part[] = "SELECT session_id FROM participants WHERE id = ?1";
	static const char q_pexists[] = "SELECT count(*) FROM participants WHERE id = ?1";
	static const char q_sess[] = "SELECT count(*) FROM sessions WHERE id = ?1";
	static const char remember[] = "UPDATE projects SET licence = ?2 WHERE id = ?1";
	struct hub *h = req->h;
	const char *kind, *title, *body, *lic_in, *licence, *status, *reason;
	const cJSON *links;
	long long project = 0, session = 0, participant = 0;
	int has_project, has_session, has_participant, made = 0, kiosk = req->role == ROLE_KIOSK;
	int64_t open = session_open_id(h);
	double now = hub_now(), made_at = 0;
	sqlite3_stmt *st;
	char obj[48];

	if (args_enum(resp, o, "kind", NULL, vocab_contrib_kinds, kiosk ? "idea" : NULL, &kind) ||
	    args_str(resp, o, "title", NULL, TITLE_MAX, 1, &title) ||
	    args_str(resp, o, "body", NULL, TEXT_MAX, 0, &body) ||
	    args_str(resp, o, "licence", NULL, 64, 0, &lic_in) ||
	    args_enum(resp, o, "status", NULL, vocab_contrib_statuses, "pending", &status) ||
	    args_str_list(resp, o, "links", LINK_MAX, &links) ||
	    args_str(resp, o, "reason", NULL, 500, 0, &reason) ||
	    args_int(resp, o, "project_id", NULL, 1, 9e15, &project, &has_project) ||
	    args_int(resp, o, "session_id", NULL, 1, 9e15, &session, &has_session) ||
	    args_int(resp, o, "participant_id", NULL, 1, 9e15, &participant, &has_participant))
		return 0;
	if (!kind)
		return api_error(resp, 400, "kind is required (scan, print, idea, photo, text, code, other)");
	if (!(licence = vocab_licence(lic_in ? lic_in : "none")))
		return api_error(resp, 400, "licence must be CC-BY-4.0, CC-BY-SA-4.0, CC-BY-NC-4.0, "
				 "CC-BY-NC-SA-4.0, CC-BY-ND-4.0, CC-BY-NC-ND-4.0, CC0-1.0 or none");
	/* a reason says why it was rejected; it goes when it is no longer */
	if (strcmp(status, "rejected"))
		reason = NULL;
	if (kiosk) {
		if (strcmp(kind, "idea"))
			return api_error(resp, 403, "the kiosk may only add ideas");
		if (strcmp(status, "pending"))
			return api_error(resp, 403, "the kiosk may only add pending ideas");
		/* the open session, or the one open when a late idea was made */
		if (args_time(resp, o, "made_at", &made_at, &made) ||
		    session_kiosk(req, resp, has_session ? session : 0, 1, made, made_at, &open, &now))
			return 0;
		session = open;
		has_session = 1;
	}
	if (!id && !has_session && open) {
		session = open;
		has_session = 1;
	}
	if (has_session && !store_int(h, q_sess, session))
		return api_error(resp, 400, "session_id: no session %lld", session);
	if (!has_project && has_session && !id)
		project = session_first_project(h, session), has_project = project > 0;
	if (has_project && !row_project_exists(h, project))
		return api_error(resp, 400, "project_id: no project %lld", project);
	if (has_participant) {
		int64_t ps = store_int(h, q_part, participant);

		if (!ps && !store_int(h, q_pexists, participant))
			return api_error(resp, 400, "participant_id: no participant %lld", participant);
		if (kiosk && ps != open)
			return api_error(resp, 403, "participant_id: not checked in to the open session");
	}
	if (!(st = store_stmt(h, id ? upd : ins)))
		return api_error(resp, 500, "database error");
	if (has_project)
		sqlite3_bind_int64(st, 1, project);
	if (has_session)
		sqlite3_bind_int64(st, 2, session);
	if (has_participant)
		sqlite3_bind_int64(st, 3, participant);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, title, -1, SQLITE_TRANSIENT);
	row_bind_opt_text(st, 6, body);
	row_bind_list(st, 7, links);
	sqlite3_bind_text(st, 8, licence, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, status, -1, SQLITE_STATIC);
	if (!id)
		sqlite3_bind_double(st, 10, now);
	if (strcmp(status, "pending")) {
		sqlite3_bind_double(st, 11, now);
		row_bind_opt_text(st, 12, req->user[0] ? req->user : NULL);
	}
	if (id)
		sqlite3_bind_int64(st, 13, id);
	row_bind_opt_text(st, 14, reason);
	if (row_step(h, st))
		return api_error(resp, 500, "database error");
	/* the licence chosen when confirming is the project's next default */
	if (!strcmp(status, "confirmed") && has_project && lic_in && (st = store_stmt(h, remember))) {
		sqlite3_bind_int64(st, 1, project);
		sqlite3_bind_text(st, 2, licence, -1, SQLITE_STATIC);
		if (row_step(h, st))
			return api_error(resp, 500, "database error");
	}
	if (!id) {
		id = row_last_id(h);
		if (row_client_keep(h, ROW_CONTRIBUTIONS, id, client))
			return api_error(resp, 500, "database error");
	}
	snprintf(obj, sizeof(obj), "contribution/%lld", (long long)id);
	if (!old_status)
		api_audit(req, "contribution.create", obj, kind);
	else if (strcmp(old_status, status))
		api_audit(req, !strcmp(status, "confirmed") ? "contribution.confirm" :
			  !strcmp(status, "rejected") ? "contribution.reject" : "contribution.reopen",
			  obj, !strcmp(status, "confirmed") ? licence : reason);
	else
		api_audit(req, "contribution.update", obj, NULL);
	if (args_commit(req, resp))
		return 0;
	contrib_changed(h, id, !old_status ? "created" : strcmp(old_status, status) ? status : "updated");
	if (kiosk) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddNumberToObject(r, "id", (double)id);
		return api_json(resp, 201, r);
	}
	return api_json(resp, old_status ? 200 : 201, contrib_json(h, id));
}

static int contrib_post(struct api_req *req, struct api_resp *resp)
{
	const char *client;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (row_client_seen(req, resp, ROW_CONTRIBUTIONS, &client))
		return 0;	/* a resend: answered with the first row */
	return contrib_write(req, resp, req->json, 0, NULL, client);
}

/* PATCH /api/contributions/{id}: status (confirmed, rejected, pending),
 * title, licence, project_id, kind, body, links, participant_id. */
static int contrib_patch(struct api_req *req, struct api_resp *resp)
{
	int64_t id = args_path_id(req, 0);
	cJSON *cur;
	char old[16];
	int rc;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (!id || !(cur = contrib_json(req->h, id)))
		return api_error(resp, 404, "no such contribution");
	snprintf(old, sizeof(old), "%s", cJSON_GetStringValue(args_member(cur, "status")));
	if (args_member(req->json, "session_id"))
		return cJSON_Delete(cur), api_error(resp, 400, "session_id cannot be changed");
	args_overlay(cur, req->json);
	rc = contrib_write(req, resp, cur, id, old, NULL);
	cJSON_Delete(cur);
	return rc;
}

/* GET /api/contributions?status=&project_id=&session_id=&kind=&from=&to=
 * &limit= (staff); status=decided is confirmed or rejected. */
static int contrib_get_all(struct api_req *req, struct api_resp *resp)
{
	int64_t project = 0, session = 0;
	char status[16] = "", kind[16] = "";
	long limit = 1000;
	int bad = 0;
	struct contrib_filter f = { .from = api_time_arg(req, "from", 0, &bad),
				    .to = api_time_arg(req, "to", 0, &bad) };
	cJSON *o;

	if (args_query_id(req, "project_id", &project) < 0 || args_query_id(req, "session_id", &session) < 0)
		return api_error(resp, 400, "project_id and session_id must be ids");
	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	if (!api_query(req, "status", status, sizeof(status)) && status[0] &&
	    args_in_list(vocab_contrib_statuses, status) < 0 && strcmp(status, "decided"))
		return api_error(resp, 400, "status must be pending, confirmed, rejected or decided");
	if (!api_query(req, "kind", kind, sizeof(kind)) && kind[0] && args_in_list(vocab_contrib_kinds, kind) < 0)
		return api_error(resp, 400, "kind must be scan, print, idea, photo, text, code or other");
	if (args_limit(req, resp, "limit", 1000, &limit))
		return 0;
	f.status = status[0] ? status : NULL;
	f.project = project;
	f.session = session;
	f.kind = kind[0] ? kind : NULL;
	f.limit = limit;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "contributions", row_contribs(req->h, &f));
	return api_json(resp, 200, o);
}

static int contrib_get(struct api_req *req, struct api_resp *resp)
{
	int64_t id = args_path_id(req, 0);
	cJSON *c = id ? contrib_json(req->h, id) : NULL;

	if (!c)
		return api_error(resp, 404, "no such contribution");
	return api_json(resp, 200, c);
}

static const struct api_route contrib_routes[] = {
	{ "GET", "/api/contributions", ROLE_FACILITATOR, contrib_get_all },
	{ "POST", "/api/contributions", ROLE_KIOSK, contrib_post },
	{ "GET", "/api/contributions/*", ROLE_FACILITATOR, contrib_get },
	{ "PATCH", "/api/contributions/*", ROLE_FACILITATOR, contrib_patch },
	{ NULL, NULL, 0, NULL },
};

int contrib_init(struct hub *h)
{
	return api_register(h, contrib_routes);
}
