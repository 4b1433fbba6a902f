/*
 * project.c — participation projects: their JSON, validation and the
 * /api/projects routes.
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
#include "core/hub.h"
#include "auth/auth.h"
#include "core/vocab.h"
#include "part/project.h"
#include "part/row.h"
#include "store/store.h"
#include "net/ws.h"

/* Project id as JSON (caller owns it), or NULL when there is none or, for
 * the public (staff = 0), when it is internal. */
cJSON *project_json(struct hub *h, int64_t id, int staff)
{
	static const char q[] =
		"SELECT id, title, summary, status, visibility, starts_on, ends_on, partners,"
		" cover, created_at, updated_at,"
		" (SELECT count(*) FROM contributions c WHERE c.project_id = p.id AND c.status = 'confirmed'),"
		" (SELECT count(*) FROM contributions c WHERE c.project_id = p.id AND c.status = 'pending'),"
		" licence, public_title FROM projects p WHERE id = ?1";
	static const char q_themes[] =
		"SELECT theme FROM project_themes WHERE project_id = ?1 ORDER BY theme";
	sqlite3_stmt *st = store_stmt(h, q);
	cJSON *o = NULL, *themes;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (staff || !strcmp((const char *)sqlite3_column_text(st, 4), "public"))) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)id);
		row_add_text(o, "title", st, 1);
		if (sqlite3_column_type(st, 14) != SQLITE_NULL)	/* the wall's, when set */
			row_add_text(o, "public_title", st, 14);
		row_add_text(o, "summary", st, 2);
		themes = cJSON_AddArrayToObject(o, "themes");
		row_add_text(o, "status", st, 3);
		row_add_text(o, "visibility", st, 4);
		row_add_text(o, "starts_on", st, 5);
		row_add_text(o, "ends_on", st, 6);
		row_add_list(o, "partners", st, 7);
		row_add_text(o, "cover", st, 8);
		row_add_time(o, "created_at", st, 9);
		row_add_time(o, "updated_at", st, 10);
		row_add_int(o, "contributions_confirmed", st, 11);
		if (staff) {
			row_add_int(o, "contributions_pending", st, 12);
			row_add_text(o, "licence", st, 13);
		}
		sqlite3_reset(st);
		if ((st = store_stmt(h, q_themes))) {
			sqlite3_bind_int64(st, 1, id);
			while (sqlite3_step(st) == SQLITE_ROW)
				cJSON_AddItemToArray(themes, cJSON_CreateString(
					(const char *)sqlite3_column_text(st, 0)));
		}
	}
	if (st)
		sqlite3_reset(st);
	return o;
}

/* Tell clients about project id: everyone if it is public, else staff. */
void project_changed(struct hub *h, int64_t id)
{
	cJSON *pub = project_json(h, id, 0), *o = cJSON_CreateObject();

	if (pub) {
		cJSON_AddItemToObject(o, "project", pub);
		ws_broadcast(h, "project", o, WS_PUBLIC);
	} else {
		cJSON_AddItemToObject(o, "project", project_json(h, id, 1));
		ws_broadcast(h, "project", o, WS_STAFF);
	}
}

static int theme_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Validate project body o and write it as project id (0: a new one).
 * Answers the request either way. */
static int project_write(struct api_req *req, struct api_resp *resp, const cJSON *o,
		  int64_t id)
{
	static const char ins[] =
		"INSERT INTO projects(title, summary, status, visibility, starts_on, ends_on,"
		" partners, cover, created_at, updated_at, public_title)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?9,?11)";
	static const char upd[] =
		"UPDATE projects SET title=?1, summary=?2, status=?3, visibility=?4, starts_on=?5,"
		" ends_on=?6, partners=?7, cover=?8, updated_at=?9, public_title=?11 WHERE id=?10";
	static const char del_themes[] = "DELETE FROM project_themes WHERE project_id=?1";
	static const char ins_theme[] =
		"INSERT OR IGNORE INTO project_themes(project_id, theme) VALUES (?1, ?2)";
	struct hub *h = req->h;
	const char *title, *summary, *status, *vis, *starts, *ends, *cover, *ptitle;
	const cJSON *themes = args_member(o, "themes"), *partners, *it;
	sqlite3_stmt *st;
	char obj[48];
	int ok, i = 0;

	if (args_str(resp, o, "title", NULL, TITLE_MAX, 1, &title) ||
	    args_str(resp, o, "public_title", NULL, TITLE_MAX, 0, &ptitle) ||
	    args_str(resp, o, "summary", NULL, TEXT_MAX, 0, &summary) ||
	    args_enum(resp, o, "status", NULL, vocab_project_statuses, "active", &status) ||
	    args_enum(resp, o, "visibility", NULL, vocab_visibilities, "public", &vis) ||
	    args_date(resp, o, "starts_on", &starts) || args_date(resp, o, "ends_on", &ends) ||
	    args_str(resp, o, "cover", NULL, 500, 0, &cover) ||
	    args_str_list(resp, o, "partners", TITLE_MAX, &partners))
		return 0;
	if (starts && ends && strcmp(ends, starts) < 0)
		return api_error(resp, 400, "ends_on is before starts_on");
	if (themes && !cJSON_IsNull(themes)) {
		if (!cJSON_IsArray(themes) || cJSON_GetArraySize(themes) > 10)
			return api_error(resp, 400, "themes must be an array of at most 10 themes");
		cJSON_ArrayForEach(it, themes) {
			if (!cJSON_IsString(it) || !theme_ok(it->valuestring))
				return api_error(resp, 400, "themes[%d] must be 1 to 40 of a-z, 0-9 and -"
						 " (e.g. quebec-culture)", i);
			i++;
		}
	}
	if (row_sp_begin(h))
		return api_error(resp, 500, "database error");
	st = store_stmt(h, id ? upd : ins);
	if (st) {
		sqlite3_bind_text(st, 1, title, -1, SQLITE_TRANSIENT);
		row_bind_opt_text(st, 2, summary);
		sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, vis, -1, SQLITE_STATIC);
		row_bind_opt_text(st, 5, starts);
		row_bind_opt_text(st, 6, ends);
		row_bind_list(st, 7, partners);
		row_bind_opt_text(st, 8, cover);
		row_bind_opt_text(st, 11, ptitle && *ptitle ? ptitle : NULL);
		if (id) {
			sqlite3_bind_double(st, 9, hub_now());
			sqlite3_bind_int64(st, 10, id);
		} else {
			sqlite3_bind_double(st, 9, hub_now());
		}
	}
	ok = row_step(h, st) == 0;
	if (ok && !id)
		id = row_last_id(h);
	if (ok && themes && (st = store_stmt(h, del_themes))) {
		sqlite3_bind_int64(st, 1, id);
		ok = row_step(h, st) == 0;
		cJSON_ArrayForEach(it, themes) {
			if (!ok || !(st = store_stmt(h, ins_theme)))
				break;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, it->valuestring, -1, SQLITE_TRANSIENT);
			ok = row_step(h, st) == 0;
		}
	}
	row_sp_end(h, ok);
	if (!ok)
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "project/%lld", (long long)id);
	api_audit(req, req->method[0] == 'P' && req->method[1] == 'A' ? "project.update" :
		  "project.create", obj, NULL);
	if (args_commit(req, resp))
		return 0;
	project_changed(h, id);
	return api_json(resp, req->method[1] == 'A' ? 200 : 201, project_json(h, id, 1));
}

/* GET /api/projects[?status=S]: public projects for everyone, all for staff. */
static int project_get_all(struct api_req *req, struct api_resp *resp)
{
	static const char q[] =
		"SELECT id FROM projects WHERE (?1 OR visibility = 'public')"
		" AND (?2 IS NULL OR status = ?2) ORDER BY id";
	sqlite3_stmt *st = store_stmt(req->h, q);
	cJSON *o, *arr;
	char status[32];

	if (!st)
		return api_error(resp, 500, "database error");
	sqlite3_bind_int(st, 1, row_staff(req));
	if (!api_query(req, "status", status, sizeof(status)) && status[0])
		sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "projects");
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *p = project_json(req->h, sqlite3_column_int64(st, 0), row_staff(req));

		if (p)
			cJSON_AddItemToArray(arr, p);
	}
	sqlite3_reset(st);
	return api_json(resp, 200, o);
}

/* The project page's figures, added to p (staff): its sessions (not
 * removed) with the people each counts (the larger of head count and
 * check-ins, as the report counts them), the people in all, its ratings
 * (votes given during its sessions; positive as the report reads them)
 * and its contributions with their licences. */
static void project_detail(struct hub *h, cJSON *p, int64_t id)
{
	static const char q_ses[] =
		"SELECT s.id, s.started_at, s.ended_at, s.group_type, s.group_size,"
		" (SELECT coalesce(sum(party_size), 0) FROM participants WHERE session_id = s.id)"
		" FROM session_projects sp JOIN sessions s ON s.id = sp.session_id"
		" WHERE sp.project_id = ?1 AND s.removed_at IS NULL ORDER BY s.started_at DESC";
	static const char q_rat[] =
		"SELECT count(*), coalesce(sum((scale = 3 AND value = 3) OR (scale = 5 AND value >= 4)), 0)"
		" FROM ratings WHERE session_id IN (SELECT sp.session_id FROM session_projects sp"
		" JOIN sessions s ON s.id = sp.session_id WHERE sp.project_id = ?1"
		" AND s.removed_at IS NULL)";
	sqlite3_stmt *st;
	cJSON *arr = cJSON_AddArrayToObject(p, "sessions"), *r;
	long long people = 0;

	if ((st = store_stmt(h, q_ses))) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *o = cJSON_CreateObject();
			long long size = sqlite3_column_int64(st, 4), in = sqlite3_column_int64(st, 5);

			row_add_int(o, "id", st, 0);
			row_add_time(o, "started_at", st, 1);
			row_add_time(o, "ended_at", st, 2);
			row_add_text(o, "group_type", st, 3);
			row_add_int(o, "group_size", st, 4);
			row_add_int(o, "checked_in", st, 5);
			cJSON_AddNumberToObject(o, "counted", (double)(size > in ? size : in));
			people += size > in ? size : in;
			cJSON_AddItemToArray(arr, o);
		}
		sqlite3_reset(st);
	}
	cJSON_AddNumberToObject(p, "participants", (double)people);
	r = cJSON_AddObjectToObject(p, "ratings");
	if ((st = store_stmt(h, q_rat))) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			row_add_int(r, "count", st, 0);
			row_add_int(r, "positive", st, 1);
		}
		sqlite3_reset(st);
	}
	cJSON_AddItemToObject(p, "contributions", row_contrib_list(h, 0, NULL, id, 0, NULL, 0, 500));
}

/* GET /api/projects/{id}: the project; staff also get its page's
 * figures (project_detail). */
static int project_get(struct api_req *req, struct api_resp *resp)
{
	int64_t id = args_path_id(req, 0);
	int staff = row_staff(req);
	cJSON *p = id ? project_json(req->h, id, staff) : NULL;

	if (!p)
		return api_error(resp, 404, "no such project");
	if (staff)
		project_detail(req->h, p, id);
	return api_json(resp, 200, p);
}

static int project_post(struct api_req *req, struct api_resp *resp)
{
	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	return project_write(req, resp, req->json, 0);
}

/* PATCH /api/projects/{id}: any of POST's members. */
static int project_patch(struct api_req *req, struct api_resp *resp)
{
	int64_t id = args_path_id(req, 0);
	cJSON *cur;
	int rc;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (!id || !(cur = project_json(req->h, id, 1)))
		return api_error(resp, 404, "no such project");
	args_overlay(cur, req->json);
	rc = project_write(req, resp, cur, id);
	cJSON_Delete(cur);
	return rc;
}

static const struct api_route project_routes[] = {
	{ "GET", "/api/projects", ROLE_NONE, project_get_all },
	{ "POST", "/api/projects", ROLE_FACILITATOR, project_post },
	{ "GET", "/api/projects/*", ROLE_NONE, project_get },
	{ "PATCH", "/api/projects/*", ROLE_FACILITATOR, project_patch },
	{ NULL, NULL, 0, NULL },
};

int project_init(struct hub *h)
{
	return api_register(h, project_routes);
}
