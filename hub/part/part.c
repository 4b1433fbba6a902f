/*
 * part.c — participation: projects, lab sessions, participants with
 * per-purpose consent, contributions and appreciation ratings; the
 * privacy operations (export, erase, retention purge); and the hooks
 * the rest of the hub calls (a finished job becomes a pending
 * contribution, GPIO/button votes and the session button).
 *
 * Data model: store.c schema 2 (+3).  Rules kept here:
 *  - at most one open session (ended_at NULL) at a time;
 *  - a participant is anonymous unless a consent allows more: a name
 *    needs consent to publish it or to be contacted, an email needs
 *    consent to be contacted; a child under 14 needs a parent's or
 *    guardian's consent (Québec, Act respecting the protection of
 *    personal information in the private sector, s. 4.1);
 *  - erasing or purging keeps the anonymous row (session, age band,
 *    party size) so the year's counts do not move;
 *  - personal data goes only to staff: public and kiosk answers and
 *    WebSocket messages carry counts and public project data.
 * Every API write is committed (store_flush) before it is answered, and
 * multi-row writes run inside a savepoint so a refused one leaves nothing.
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
#include "auth/auth.h"
#include "core/conf.h"
#include "lab/device.h"
#include "core/hub.h"
#include "core/log.h"
#include "part/part.h"
#include "store/store.h"
#include "net/ws.h"

#define TITLE_MAX 200
#define TEXT_MAX 5000
#define NAME_MAX 80
#define EMAIL_MAX 254
#define LINK_MAX 2000
#define LIST_MAX 20

static const char *const group_types[] = {
	"walk-in", "school", "family", "workshop", "partner", NULL
};
static const char *const project_statuses[] = {
	"planned", "active", "completed", "archived", NULL
};
static const char *const visibilities[] = { "public", "internal", NULL };
static const char *const kinds[] = {
	"scan", "print", "idea", "photo", "text", "code", "other", NULL
};
static const char *const statuses[] = { "pending", "confirmed", "rejected", NULL };
/* the first three are children under 14 */
static const char *const age_bands[] = {
	"0-5", "6-9", "10-13", "14-17", "18-24", "25-34", "35-44", "45-54",
	"55-64", "65+", NULL
};
#define CHILD_BANDS 3
static const char *const purposes[] = { "contact", "photo", "publish_name", NULL };

/* ---- small helpers ------------------------------------------------------ */

static int in_list(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

static int is_staff(const struct api_req *req)
{
	return req->role >= ROLE_FACILITATOR;
}

/* The positive integer in path parameter i, or 0. */
static int64_t param_id(const struct api_req *req, int i)
{
	const char *s = req->params[i];
	char *end;
	long long v;

	if (i >= req->nparams || !isdigit((unsigned char)*s))
		return 0;
	v = strtoll(s, &end, 10);
	return *end || v <= 0 ? 0 : (int64_t)v;
}

/* The positive integer query argument name: 1 found (*out), 0 absent,
 * -1 malformed. */
static int query_id(const struct api_req *req, const char *name, int64_t *out)
{
	char v[32], *end;
	long long n;

	if (api_query(req, name, v, sizeof(v)) || !v[0])
		return 0;
	n = strtoll(v, &end, 10);
	if (*end || n <= 0)
		return -1;
	*out = (int64_t)n;
	return 1;
}

static int commit(struct api_req *req, struct api_resp *resp)
{
	if (store_flush(req->h) == 0)
		return 0;
	api_error(resp, 503, "the database could not store this; try again");
	return -1;
}

/* Savepoint around a multi-row write: sp_begin, the writes, sp_end(ok).
 * A failed write (constraint) then leaves nothing behind. */
static int sp_begin(struct hub *h)
{
	static const char q[] = "SAVEPOINT part";

	return store_exec(h, store_stmt(h, q)) == SQLITE_DONE ? 0 : -1;
}

static void sp_end(struct hub *h, int ok)
{
	static const char rb[] = "ROLLBACK TO part";
	static const char rel[] = "RELEASE part";

	if (!ok)
		store_exec(h, store_stmt(h, rb));
	store_exec(h, store_stmt(h, rel));
}

/* Step a write and say whether it worked; a constraint failure is logged
 * here (validation should have caught it). */
static int step_ok(struct hub *h, sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return 0;
	rc = store_exec(h, st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		LOG(L_WARN, "part: a write broke a constraint: %s", sqlite3_errstr(rc));
	return rc == SQLITE_DONE;
}

static int64_t last_id(struct hub *h)
{
	return (int64_t)sqlite3_last_insert_rowid(store_db(h));
}

/* ---- reading JSON bodies --------------------------------------------------
 * Each getter answers 400 naming the field and returns -1 on bad input;
 * 0 otherwise.  label is the name used in messages (NULL: key). */

static const cJSON *member(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* A string of at most max bytes; *out NULL when absent, null or "". */
static int get_str(struct api_resp *resp, const cJSON *o, const char *key,
		   const char *label, size_t max, int required, const char **out)
{
	const cJSON *v = member(o, key);

	*out = NULL;
	label = label ? label : key;
	if (v && !cJSON_IsNull(v) && !cJSON_IsString(v)) {
		api_error(resp, 400, "%s must be a string", label);
		return -1;
	}
	if (v && cJSON_IsString(v) && strlen(v->valuestring) > max) {
		api_error(resp, 400, "%s is longer than %zu bytes", label, max);
		return -1;
	}
	if (v && cJSON_IsString(v) && v->valuestring[0])
		*out = v->valuestring;
	if (required && !*out) {
		api_error(resp, 400, "%s is required", label);
		return -1;
	}
	return 0;
}

/* One of choices; *out = def when absent. */
static int get_enum(struct api_resp *resp, const cJSON *o, const char *key,
		    const char *label, const char *const *choices, const char *def,
		    const char **out)
{
	const char *s;
	char list[256] = "";

	label = label ? label : key;
	if (get_str(resp, o, key, label, 64, 0, &s))
		return -1;
	*out = s ? s : def;
	if (!*out || in_list(choices, *out) >= 0)
		return 0;
	for (int i = 0; choices[i]; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", choices[i]);
	api_error(resp, 400, "%s must be one of %s", label, list);
	return -1;
}

/* A whole number in [min, max]; *present says whether it was given. */
static int get_int(struct api_resp *resp, const cJSON *o, const char *key,
		   const char *label, double min, double max, long long *out, int *present)
{
	const cJSON *v = member(o, key);

	label = label ? label : key;
	*present = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble < min || v->valuedouble > max) {
		api_error(resp, 400, "%s must be a whole number from %.0f to %.0f", label, min, max);
		return -1;
	}
	*out = (long long)v->valuedouble;
	*present = 1;
	return 0;
}

static int get_bool(struct api_resp *resp, const cJSON *o, const char *key,
		    const char *label, int *out, int *present)
{
	const cJSON *v = member(o, key);

	*present = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v)) {
		api_error(resp, 400, "%s must be true or false", label ? label : key);
		return -1;
	}
	*out = cJSON_IsTrue(v);
	*present = 1;
	return 0;
}

/* A time: ISO-8601 with a UTC offset ("2026-11-21T10:00:00-05:00",
 * "…Z") or Unix seconds. */
static int get_time(struct api_resp *resp, const cJSON *o, const char *key,
		    double *out, int *present)
{
	const cJSON *v = member(o, key);

	*present = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble > 0) {
		*out = v->valuedouble;
	} else if (cJSON_IsString(v) && strlen(v->valuestring) < 64 &&
		   strchr(v->valuestring, 'T') &&
		   strpbrk(strchr(v->valuestring, 'T'), "Zz+-") &&
		   hub_parse_time(v->valuestring, out) == 0) {
		;
	} else {
		api_error(resp, 400, "%s must be an ISO-8601 time with its offset "
			  "(2026-11-21T10:00:00-05:00) or Unix seconds", key);
		return -1;
	}
	*present = 1;
	return 0;
}

/* An array of at most LIST_MAX strings of 1..max bytes (NULL if absent). */
static int get_str_list(struct api_resp *resp, const cJSON *o, const char *key,
			size_t max, const cJSON **out)
{
	const cJSON *v = member(o, key), *it;
	int i = 0;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > LIST_MAX) {
		api_error(resp, 400, "%s must be an array of at most %d strings", key, LIST_MAX);
		return -1;
	}
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > max) {
			api_error(resp, 400, "%s[%d] must be a string of 1 to %zu bytes", key, i, max);
			return -1;
		}
		i++;
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DD" dates for projects. */
static int get_date(struct api_resp *resp, const cJSON *o, const char *key, const char **out)
{
	int y, m, d;
	char tail;

	if (get_str(resp, o, key, NULL, 10, 0, out))
		return -1;
	if (*out && (strlen(*out) != 10 || sscanf(*out, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
		     m < 1 || m > 12 || d < 1 || d > 31)) {
		api_error(resp, 400, "%s must be a date YYYY-MM-DD", key);
		return -1;
	}
	return 0;
}

/* The licence in its SPDX spelling, from friendly ones ("CC BY 4.0",
 * "cc-by-sa", "CC0", "not for publication"); NULL if unknown. */
const char *part_licence(const char *s)
{
	static const struct { const char *k, *spdx; } map[] = {
		{ "ccby40", "CC-BY-4.0" }, { "ccby", "CC-BY-4.0" },
		{ "ccbysa40", "CC-BY-SA-4.0" }, { "ccbysa", "CC-BY-SA-4.0" },
		{ "cc010", "CC0-1.0" }, { "cc0", "CC0-1.0" }, { "publicdomain", "CC0-1.0" },
		{ "none", "none" }, { "notforpublication", "none" },
		{ "allrightsreserved", "none" }, { "", "none" },
	};
	char k[32];
	size_t n = 0;

	for (const char *p = s; *p; p++) {
		if (isalnum((unsigned char)*p)) {
			if (n + 1 >= sizeof(k))
				return NULL;
			k[n++] = (char)tolower((unsigned char)*p);
		}
	}
	k[n] = '\0';
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].k, k))
			return map[i].spdx;
	return NULL;
}

/* ---- columns to JSON ---------------------------------------------------- */

static void add_text(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, (const char *)sqlite3_column_text(st, col));
}

static void add_time(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	char iso[40];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, hub_iso(sqlite3_column_double(st, col),
							 iso, sizeof(iso), 0));
}

static void add_int(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, (double)sqlite3_column_int64(st, col));
}

/* A JSON-array text column as an array (empty when NULL or broken). */
static void add_list(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	cJSON *v = s ? cJSON_Parse(s) : NULL;

	if (!cJSON_IsArray(v)) {
		cJSON_Delete(v);
		v = cJSON_CreateArray();
	}
	cJSON_AddItemToObject(o, name, v);
}

/* Bind a string list as JSON text (NULL when absent). */
static void bind_list(sqlite3_stmt *st, int i, const cJSON *list)
{
	char *s = list ? cJSON_PrintUnformatted(list) : NULL;

	if (s) {
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
		free(s);
	}
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static int64_t scalar_id(struct hub *h, const char *sql, int64_t arg)
{
	sqlite3_stmt *st = store_stmt(h, sql);
	int64_t v = 0;

	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* ---- projects ------------------------------------------------------------ */

/* Project id as JSON (caller owns it), or NULL when there is none or, for
 * the public (staff = 0), when it is internal. */
static cJSON *project_json(struct hub *h, int64_t id, int staff)
{
	static const char q[] =
		"SELECT id, title, summary, status, visibility, starts_on, ends_on, partners,"
		" cover, created_at, updated_at,"
		" (SELECT count(*) FROM contributions c WHERE c.project_id = p.id AND c.status = 'confirmed'),"
		" (SELECT count(*) FROM contributions c WHERE c.project_id = p.id AND c.status = 'pending')"
		" FROM projects p WHERE id = ?1";
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
		add_text(o, "title", st, 1);
		add_text(o, "summary", st, 2);
		themes = cJSON_AddArrayToObject(o, "themes");
		add_text(o, "status", st, 3);
		add_text(o, "visibility", st, 4);
		add_text(o, "starts_on", st, 5);
		add_text(o, "ends_on", st, 6);
		add_list(o, "partners", st, 7);
		add_text(o, "cover", st, 8);
		add_time(o, "created_at", st, 9);
		add_time(o, "updated_at", st, 10);
		add_int(o, "contributions_confirmed", st, 11);
		if (staff)
			add_int(o, "contributions_pending", st, 12);
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

static int project_exists(struct hub *h, int64_t id)
{
	static const char q[] = "SELECT count(*) FROM projects WHERE id = ?1";

	return scalar_id(h, q, id) > 0;
}

/* Tell clients about project id: everyone if it is public, else staff. */
static void project_changed(struct hub *h, int64_t id)
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
		" partners, cover, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?9)";
	static const char upd[] =
		"UPDATE projects SET title=?1, summary=?2, status=?3, visibility=?4, starts_on=?5,"
		" ends_on=?6, partners=?7, cover=?8, updated_at=?9 WHERE id=?10";
	static const char del_themes[] = "DELETE FROM project_themes WHERE project_id=?1";
	static const char ins_theme[] =
		"INSERT OR IGNORE INTO project_themes(project_id, theme) VALUES (?1, ?2)";
	struct hub *h = req->h;
	const char *title, *summary, *status, *vis, *starts, *ends, *cover;
	const cJSON *themes = member(o, "themes"), *partners, *it;
	sqlite3_stmt *st;
	char obj[48];
	int ok, i = 0;

	if (get_str(resp, o, "title", NULL, TITLE_MAX, 1, &title) ||
	    get_str(resp, o, "summary", NULL, TEXT_MAX, 0, &summary) ||
	    get_enum(resp, o, "status", NULL, project_statuses, "active", &status) ||
	    get_enum(resp, o, "visibility", NULL, visibilities, "public", &vis) ||
	    get_date(resp, o, "starts_on", &starts) || get_date(resp, o, "ends_on", &ends) ||
	    get_str(resp, o, "cover", NULL, 500, 0, &cover) ||
	    get_str_list(resp, o, "partners", TITLE_MAX, &partners))
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
	if (sp_begin(h))
		return api_error(resp, 500, "database error");
	st = store_stmt(h, id ? upd : ins);
	if (st) {
		sqlite3_bind_text(st, 1, title, -1, SQLITE_TRANSIENT);
		bind_opt_text(st, 2, summary);
		sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, vis, -1, SQLITE_STATIC);
		bind_opt_text(st, 5, starts);
		bind_opt_text(st, 6, ends);
		bind_list(st, 7, partners);
		bind_opt_text(st, 8, cover);
		if (id) {
			sqlite3_bind_double(st, 9, hub_now());
			sqlite3_bind_int64(st, 10, id);
		} else {
			sqlite3_bind_double(st, 9, hub_now());
		}
	}
	ok = step_ok(h, st);
	if (ok && !id)
		id = last_id(h);
	if (ok && themes && (st = store_stmt(h, del_themes))) {
		sqlite3_bind_int64(st, 1, id);
		ok = step_ok(h, st);
		cJSON_ArrayForEach(it, themes) {
			if (!ok || !(st = store_stmt(h, ins_theme)))
				break;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, it->valuestring, -1, SQLITE_TRANSIENT);
			ok = step_ok(h, st);
		}
	}
	sp_end(h, ok);
	if (!ok)
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "project/%lld", (long long)id);
	api_audit(req, req->method[0] == 'P' && req->method[1] == 'A' ? "project.update" :
		  "project.create", obj, NULL);
	if (commit(req, resp))
		return 0;
	project_changed(h, id);
	return api_json(resp, req->method[1] == 'A' ? 200 : 201, project_json(h, id, 1));
}

/* GET /api/projects[?status=S]: public projects for everyone, all for staff. */
static int get_projects(struct api_req *req, struct api_resp *resp)
{
	static const char q[] =
		"SELECT id FROM projects WHERE (?1 OR visibility = 'public')"
		" AND (?2 IS NULL OR status = ?2) ORDER BY id";
	sqlite3_stmt *st = store_stmt(req->h, q);
	cJSON *o, *arr;
	char status[32];

	if (!st)
		return api_error(resp, 500, "database error");
	sqlite3_bind_int(st, 1, is_staff(req));
	if (!api_query(req, "status", status, sizeof(status)) && status[0])
		sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "projects");
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *p = project_json(req->h, sqlite3_column_int64(st, 0), is_staff(req));

		if (p)
			cJSON_AddItemToArray(arr, p);
	}
	sqlite3_reset(st);
	return api_json(resp, 200, o);
}

static int get_project(struct api_req *req, struct api_resp *resp)
{
	int64_t id = param_id(req, 0);
	cJSON *p = id ? project_json(req->h, id, is_staff(req)) : NULL;

	if (!p)
		return api_error(resp, 404, "no such project");
	return api_json(resp, 200, p);
}

static int post_project(struct api_req *req, struct api_resp *resp)
{
	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	return project_write(req, resp, req->json, 0);
}

/* Overlay the members of patch onto base (both objects). */
static void overlay(cJSON *base, const cJSON *patch)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, patch) {
		cJSON *copy = cJSON_Duplicate(it, 1);

		if (!copy)
			continue;
		if (cJSON_GetObjectItemCaseSensitive(base, it->string))
			cJSON_ReplaceItemInObjectCaseSensitive(base, it->string, copy);
		else
			cJSON_AddItemToObject(base, it->string, copy);
	}
}

/* PATCH /api/projects/{id}: any of POST's members. */
static int patch_project(struct api_req *req, struct api_resp *resp)
{
	int64_t id = param_id(req, 0);
	cJSON *cur;
	int rc;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (!id || !(cur = project_json(req->h, id, 1)))
		return api_error(resp, 404, "no such project");
	overlay(cur, req->json);
	rc = project_write(req, resp, cur, id);
	cJSON_Delete(cur);
	return rc;
}

/* ---- sessions -------------------------------------------------------------- */

/* The open session's id, 0 when none. */
static int64_t open_session(struct hub *h)
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

/* Session id as JSON (caller owns it), NULL if none.  The public view
 * (staff = 0) leaves out who ran it, its notes and internal projects. */
static cJSON *session_json(struct hub *h, int64_t id, int staff)
{
	static const char q[] =
		"SELECT started_at, ended_at, facilitator, group_type, group_size, grade, notes, source,"
		" (SELECT count(*) FROM participants WHERE session_id = s.id),"
		" (SELECT coalesce(sum(party_size), 0) FROM participants WHERE session_id = s.id),"
		" (SELECT count(*) FROM contributions WHERE session_id = s.id),"
		" (SELECT count(*) FROM ratings WHERE session_id = s.id)"
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
	add_time(o, "started_at", st, 0);
	add_time(o, "ended_at", st, 1);
	cJSON_AddBoolToObject(o, "open", sqlite3_column_type(st, 1) == SQLITE_NULL);
	g = cJSON_AddObjectToObject(o, "group");
	add_text(g, "type", st, 3);
	add_int(g, "size", st, 4);
	add_text(g, "grade", st, 5);
	add_int(o, "participants", st, 8);
	add_int(o, "people_checked_in", st, 9);
	add_int(o, "contributions", st, 10);
	add_int(o, "ratings", st, 11);
	if (staff) {
		add_text(o, "facilitator", st, 2);
		add_text(o, "notes", st, 6);
		add_text(o, "source", st, 7);
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
			add_int(p, "id", st, 0);
			add_text(p, "title", st, 1);
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
static void session_changed(struct hub *h, int64_t id, const char *event)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddItemToObject(o, "session", session_json(h, id, 0));
	ws_broadcast(h, "session", o, WS_PUBLIC);
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
	const cJSON *g = member(o, "group"), *it;
	double now = hub_now();
	int present, i = 0;

	memset(s, 0, sizeof(*s));
	s->group_type = "walk-in";
	if (g && !cJSON_IsNull(g) && !cJSON_IsObject(g))
		return api_error(resp, 400, "group must be an object {\"type\",\"size\"}"), -1;
	if (get_enum(resp, g, "type", "group.type", group_types, "walk-in", &s->group_type) ||
	    get_int(resp, g, "size", "group.size", 0, 100000, &s->size, &present) ||
	    get_str(resp, g, "grade", "group.grade", 40, 0, &s->grade) ||
	    get_str(resp, o, "notes", NULL, TEXT_MAX, 0, &s->notes) ||
	    get_time(resp, o, "started_at", &s->started, &s->has_started) ||
	    get_time(resp, o, "ended_at", &s->ended, &s->has_ended) ||
	    get_str_list(resp, o, "device_ids", 200, &s->devices))
		return -1;
	if (s->has_started && s->started > now + 300)
		return api_error(resp, 400, "started_at is in the future"), -1;
	if (s->has_ended && s->ended > now + 300)
		return api_error(resp, 400, "ended_at is in the future"), -1;
	if (s->has_ended && !s->has_started)
		return api_error(resp, 400, "ended_at needs started_at"), -1;
	if (s->has_ended && s->ended < s->started)
		return api_error(resp, 400, "ended_at is before started_at"), -1;
	s->projects = member(o, "project_ids");
	if (s->projects && cJSON_IsNull(s->projects))
		s->projects = NULL;
	if (s->projects) {
		if (!cJSON_IsArray(s->projects) || cJSON_GetArraySize(s->projects) > LIST_MAX)
			return api_error(resp, 400, "project_ids must be an array of at most %d ids",
					 LIST_MAX), -1;
		cJSON_ArrayForEach(it, s->projects) {
			if (!cJSON_IsNumber(it) || it->valuedouble < 1 ||
			    it->valuedouble != floor(it->valuedouble) || it->valuedouble > 9e15)
				return api_error(resp, 400, "project_ids[%d] must be a project id", i), -1;
			if (!project_exists(h, (int64_t)it->valuedouble))
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
		ok = step_ok(h, st);
		cJSON_ArrayForEach(it, s->projects) {
			if (!ok || !(st = store_stmt(h, ins_p)))
				break;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, (int64_t)it->valuedouble);
			ok = step_ok(h, st);
		}
	}
	if (ok && s->devices && (st = store_stmt(h, del_d))) {
		sqlite3_bind_int64(st, 1, id);
		ok = step_ok(h, st);
		cJSON_ArrayForEach(it, s->devices) {
			if (!ok || !(st = store_stmt(h, ins_d)))
				break;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, it->valuestring, -1, SQLITE_TRANSIENT);
			ok = step_ok(h, st);
		}
	}
	return ok;
}

/* POST /api/sessions: open a session now, or record one after the fact
 * (started_at and ended_at).  409 when one is open and this would open
 * another. */
static int post_session(struct api_req *req, struct api_resp *resp)
{
	static const char ins[] =
		"INSERT INTO sessions(started_at, ended_at, facilitator, group_type, group_size,"
		" grade, notes, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'api')";
	struct hub *h = req->h;
	struct session_in s;
	int64_t open, id;
	sqlite3_stmt *st;
	char obj[48];
	int ok;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (session_read(h, resp, req->json, &s))
		return 0;
	if (!s.has_ended && (open = open_session(h)))
		return api_error(resp, 409, "session %lld is already open; end it first",
				 (long long)open);
	if (sp_begin(h))
		return api_error(resp, 500, "database error");
	if ((st = store_stmt(h, ins))) {
		sqlite3_bind_double(st, 1, s.has_started ? s.started : hub_now());
		if (s.has_ended)
			sqlite3_bind_double(st, 2, s.ended);
		bind_opt_text(st, 3, req->user[0] ? req->user : NULL);
		sqlite3_bind_text(st, 4, s.group_type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, s.size);
		bind_opt_text(st, 6, s.grade);
		bind_opt_text(st, 7, s.notes);
	}
	ok = step_ok(h, st);
	id = ok ? last_id(h) : 0;
	ok = ok && session_links(h, id, &s);
	sp_end(h, ok);
	if (!ok)
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "session/%lld", (long long)id);
	api_audit(req, s.has_ended ? "session.record" : "session.open", obj, s.group_type);
	if (commit(req, resp))
		return 0;
	session_changed(h, id, s.has_ended ? "recorded" : "opened");
	return api_json(resp, 201, session_json(h, id, 1));
}

/* GET /api/sessions/current: the open session (public view unless staff). */
static int get_current(struct api_req *req, struct api_resp *resp)
{
	int64_t id = open_session(req->h);

	if (!id)
		return api_error(resp, 404, "no session is open");
	return api_json(resp, 200, session_json(req->h, id, is_staff(req)));
}

/* GET /api/sessions?from=&to=&limit=: sessions overlapping [from, to],
 * newest first. */
static int get_sessions(struct api_req *req, struct api_resp *resp)
{
	static const char q[] =
		"SELECT id FROM sessions WHERE started_at <= ?2 AND coalesce(ended_at, 1e18) >= ?1"
		" ORDER BY started_at DESC, id DESC LIMIT ?3";
	int bad = 0;
	double from = api_time_arg(req, "from", 0, &bad);
	double to = api_time_arg(req, "to", 1e15, &bad);
	char lim[16], *end;
	long limit = 1000;
	sqlite3_stmt *st;
	cJSON *o, *arr;

	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	if (!api_query(req, "limit", lim, sizeof(lim))) {
		limit = strtol(lim, &end, 10);
		if (*end || limit < 1 || limit > 100000)
			return api_error(resp, 400, "limit must be 1..100000");
	}
	if (!(st = store_stmt(req->h, q)))
		return api_error(resp, 500, "database error");
	sqlite3_bind_double(st, 1, from);
	sqlite3_bind_double(st, 2, to);
	sqlite3_bind_int64(st, 3, limit);
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
		return open_session(req->h);
	return param_id(req, 0);
}

static int get_session(struct api_req *req, struct api_resp *resp)
{
	int64_t id = session_param(req);
	cJSON *s = id ? session_json(req->h, id, 1) : NULL;

	if (!s)
		return api_error(resp, 404, "no such session");
	return api_json(resp, 200, s);
}

/* PATCH /api/sessions/{id}: group (members merged), notes, project_ids,
 * device_ids, started_at, and ended_at of a session already ended. */
static int patch_session(struct api_req *req, struct api_resp *resp)
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
	char obj[48];
	int ok, was_open;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (!id || !(cur = session_json(h, id, 1)))
		return api_error(resp, 404, "no such session");
	was_open = cJSON_IsTrue(member(cur, "open"));
	if (was_open && member(req->json, "ended_at") && !cJSON_IsNull(member(req->json, "ended_at"))) {
		cJSON_Delete(cur);
		return api_error(resp, 400, "ended_at: end an open session with POST /api/sessions/%lld/end",
				 (long long)id);
	}
	/* group members merge; the rest replaces */
	g = cJSON_DetachItemFromObjectCaseSensitive(cur, "group");
	pg = member(req->json, "group");
	if (pg && !cJSON_IsObject(pg)) {
		cJSON_Delete(g);
		cJSON_Delete(cur);
		return api_error(resp, 400, "group must be an object {\"type\",\"size\"}");
	}
	overlay(cur, req->json);
	if (pg) {
		overlay(g, pg);
		cJSON_ReplaceItemInObjectCaseSensitive(cur, "group", g);
	} else {
		cJSON_AddItemToObject(cur, "group", g);
	}
	/* keep what was there unless the body replaces it */
	if (!member(req->json, "project_ids"))
		cJSON_DeleteItemFromObjectCaseSensitive(cur, "project_ids");
	if (!member(req->json, "device_ids"))
		cJSON_DeleteItemFromObjectCaseSensitive(cur, "device_ids");
	if (session_read(h, resp, cur, &s)) {
		cJSON_Delete(cur);
		return 0;
	}
	if (sp_begin(h)) {
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
		bind_opt_text(st, 6, s.grade);
		bind_opt_text(st, 7, s.notes);
	}
	ok = step_ok(h, st) && session_links(h, id, &s);
	sp_end(h, ok);
	cJSON_Delete(cur);
	if (!ok)
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "session/%lld", (long long)id);
	api_audit(req, "session.update", obj, NULL);
	if (commit(req, resp))
		return 0;
	session_changed(h, id, "updated");
	return api_json(resp, 200, session_json(h, id, 1));
}

/* End session id at time t. */
static int session_end(struct hub *h, int64_t id, double t)
{
	static const char upd[] =
		"UPDATE sessions SET ended_at = max(?2, started_at) WHERE id = ?1 AND ended_at IS NULL";
	sqlite3_stmt *st = store_stmt(h, upd);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_double(st, 2, t);
	return step_ok(h, st) ? 0 : -1;
}

/* POST /api/sessions/{id|current}/end [{"ended_at"}]: 409 if not open. */
static int post_session_end(struct api_req *req, struct api_resp *resp)
{
	int64_t id = session_param(req);
	cJSON *cur;
	double t = hub_now();
	int present, open;
	char obj[48];

	if (req->json && !cJSON_IsObject(req->json))
		return api_error(resp, 400, "the body must be a JSON object");
	if (get_time(resp, req->json, "ended_at", &t, &present))
		return 0;
	if (!id || !(cur = session_json(req->h, id, 1)))
		return api_error(resp, 404, "no such session");
	open = cJSON_IsTrue(member(cur, "open"));
	cJSON_Delete(cur);
	if (!open)
		return api_error(resp, 409, "session %lld has already ended", (long long)id);
	if (present && t > hub_now() + 300)
		return api_error(resp, 400, "ended_at is in the future");
	if (session_end(req->h, id, t))
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "session/%lld", (long long)id);
	api_audit(req, "session.end", obj, NULL);
	if (commit(req, resp))
		return 0;
	session_changed(req->h, id, "ended");
	return api_json(resp, 200, session_json(req->h, id, 1));
}

/* ---- participants ----------------------------------------------------------- */

/* The participant rows matching (id, session) as JSON objects appended
 * to arr; full = with personal fields (staff only). */
static void participants_json(struct hub *h, cJSON *arr, int64_t id, int64_t session,
			      long limit)
{
	static const char q[] =
		"SELECT id, session_id, age_band, postal_area, party_size, display_name, email,"
		" created_at, last_seen, erased_at, purged_at FROM participants"
		" WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL OR session_id = ?2)"
		" ORDER BY id LIMIT ?3";
	static const char q_cons[] =
		"SELECT purpose, granted, given_by, text_version, at FROM consents"
		" WHERE participant_id = ?1 ORDER BY id";
	sqlite3_stmt *st = store_stmt(h, q), *cs;

	if (!st)
		return;
	if (id)
		sqlite3_bind_int64(st, 1, id);
	if (session)
		sqlite3_bind_int64(st, 2, session);
	sqlite3_bind_int64(st, 3, limit);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *p = cJSON_CreateObject(), *c;
		int64_t pid = sqlite3_column_int64(st, 0);

		cJSON_AddNumberToObject(p, "id", (double)pid);
		add_int(p, "session_id", st, 1);
		add_text(p, "age_band", st, 2);
		add_text(p, "postal_area", st, 3);
		add_int(p, "party_size", st, 4);
		add_text(p, "display_name", st, 5);
		add_text(p, "email", st, 6);
		c = cJSON_AddObjectToObject(p, "consent");
		add_time(p, "created_at", st, 7);
		add_time(p, "last_seen", st, 8);
		add_time(p, "erased_at", st, 9);
		add_time(p, "purged_at", st, 10);
		if ((cs = store_stmt(h, q_cons))) {
			sqlite3_bind_int64(cs, 1, pid);
			while (sqlite3_step(cs) == SQLITE_ROW) {
				const char *purpose = (const char *)sqlite3_column_text(cs, 0);

				cJSON_DeleteItemFromObjectCaseSensitive(c, purpose);
				cJSON_AddBoolToObject(c, purpose, sqlite3_column_int(cs, 1));
				cJSON_DeleteItemFromObjectCaseSensitive(c, "given_by");
				cJSON_DeleteItemFromObjectCaseSensitive(c, "version");
				cJSON_DeleteItemFromObjectCaseSensitive(c, "at");
				add_text(c, "given_by", cs, 2);
				add_text(c, "version", cs, 3);
				add_time(c, "at", cs, 4);
			}
			sqlite3_reset(cs);
		}
		cJSON_AddItemToArray(arr, p);
	}
	sqlite3_reset(st);
}

static cJSON *participant_json(struct hub *h, int64_t id)
{
	cJSON *arr = cJSON_CreateArray(), *p = NULL;

	participants_json(h, arr, id, 0, 1);
	if (cJSON_GetArraySize(arr))
		p = cJSON_DetachItemFromArray(arr, 0);
	cJSON_Delete(arr);
	return p;
}

/* Keep only the forward sortation area ("G1R") of a Canadian postal
 * code: the least that still says where visitors come from.  0 with out
 * filled, -1 if s is not one. */
static int postal_area(const char *s, char out[4])
{
	char c[3];
	int n = 0;

	for (const char *p = s; *p && n < 3; p++) {
		if (*p == ' ')
			continue;
		c[n++] = (char)toupper((unsigned char)*p);
	}
	if (n < 3 || !isalpha((unsigned char)c[0]) || !isdigit((unsigned char)c[1]) ||
	    !isalpha((unsigned char)c[2]))
		return -1;
	memcpy(out, c, 3);
	out[3] = '\0';
	return 0;
}

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at != s && at[1] && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
	       !strpbrk(s, " \t\r\n<>,;\"");
}

/* Broadcast a check-in: counts to everyone, the row to staff. */
static void participant_changed(struct hub *h, int64_t id, int64_t session, const char *event)
{
	cJSON *o = cJSON_CreateObject(), *s;

	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddItemToObject(o, "participant", participant_json(h, id));
	ws_broadcast(h, "participant", o, WS_STAFF);
	if (session && (s = session_json(h, session, 0))) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "event", "updated");
		cJSON_AddItemToObject(o, "session", s);
		ws_broadcast(h, "session", o, WS_PUBLIC);
	}
}

/* POST /api/participants: check a person (or a party) in.  The kiosk may
 * check in to the open session only and reads nothing back but the id. */
static int post_participant(struct api_req *req, struct api_resp *resp)
{
	static const char ins[] =
		"INSERT INTO participants(session_id, age_band, postal_area, party_size,"
		" display_name, email, created_at, last_seen) VALUES (?1,?2,?3,?4,?5,?6,?7,?7)";
	static const char ins_c[] =
		"INSERT INTO consents(participant_id, purpose, granted, given_by, text_version, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	static const char q_sess[] = "SELECT count(*) FROM sessions WHERE id = ?1";
	struct hub *h = req->h;
	const cJSON *o = req->json, *consent = member(o, "consent");
	const char *age, *postal, *name, *email, *given_by;
	int granted[3] = { 0, 0, 0 }, given[3] = { 0, 0, 0 }, any = 0, present, ok;
	long long session = 0, party = 1;
	char area[4], obj[48], label[40];
	double now = hub_now();
	sqlite3_stmt *st;
	int64_t id, open = open_session(h);
	cJSON *r;

	if (!cJSON_IsObject(o))
		return api_error(resp, 400, "a JSON object is required");
	if (get_int(resp, o, "session_id", NULL, 1, 9e15, &session, &present))
		return 0;
	if (!present) {
		if (!open)
			return api_error(resp, 409, "no session is open; give session_id");
		session = open;
	}
	if (req->role == ROLE_KIOSK && session != open)
		return api_error(resp, 403, "the kiosk checks in to the open session only");
	if (scalar_id(h, q_sess, session) == 0)
		return api_error(resp, 400, "session_id: no session %lld", session);
	if (get_enum(resp, o, "age_band", NULL, age_bands, NULL, &age) ||
	    get_str(resp, o, "postal_area", NULL, 10, 0, &postal) ||
	    get_int(resp, o, "party_size", NULL, 1, 1000, &party, &present) ||
	    get_str(resp, o, "display_name", NULL, NAME_MAX, 0, &name) ||
	    get_str(resp, o, "email", NULL, EMAIL_MAX, 0, &email))
		return 0;
	if (postal && postal_area(postal, area))
		return api_error(resp, 400, "postal_area must be a Canadian postal code or its first 3 characters (G1R)");
	if (consent && !cJSON_IsNull(consent) && !cJSON_IsObject(consent))
		return api_error(resp, 400, "consent must be an object {\"contact\",\"photo\",\"publish_name\"}");
	for (int i = 0; purposes[i]; i++) {
		snprintf(label, sizeof(label), "consent.%s", purposes[i]);
		if (get_bool(resp, consent, purposes[i], label, &granted[i], &given[i]))
			return 0;
		any |= granted[i];
	}
	if (get_enum(resp, consent, "given_by", "consent.given_by",
		     (const char *const[]){ "self", "guardian", NULL }, NULL, &given_by))
		return 0;
	if (!given_by && get_enum(resp, o, "given_by", NULL,
				  (const char *const[]){ "self", "guardian", NULL }, "self", &given_by))
		return 0;
	/* personal data only with the consent that covers it */
	if (name && !granted[0] && !granted[2])
		return api_error(resp, 400, "display_name needs consent.publish_name or consent.contact");
	if (email && !granted[0])
		return api_error(resp, 400, "email needs consent.contact");
	if (email && !email_ok(email))
		return api_error(resp, 400, "email is not an email address");
	if (any && age && in_list(age_bands, age) < CHILD_BANDS && strcmp(given_by, "guardian"))
		return api_error(resp, 400, "consent.given_by must be \"guardian\": a parent or "
				 "guardian consents for a child under 14");
	if (sp_begin(h))
		return api_error(resp, 500, "database error");
	if ((st = store_stmt(h, ins))) {
		sqlite3_bind_int64(st, 1, session);
		bind_opt_text(st, 2, age);
		bind_opt_text(st, 3, postal ? area : NULL);
		sqlite3_bind_int64(st, 4, party);
		bind_opt_text(st, 5, name);
		bind_opt_text(st, 6, email);
		sqlite3_bind_double(st, 7, now);
	}
	ok = step_ok(h, st);
	id = ok ? last_id(h) : 0;
	for (int i = 0; ok && purposes[i]; i++) {
		if (!given[i])
			continue;
		if (!(st = store_stmt(h, ins_c))) {
			ok = 0;
			break;
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, purposes[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, granted[i]);
		sqlite3_bind_text(st, 4, given_by, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, conf_str(h->conf, "privacy.consent_version"), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 6, now);
		ok = step_ok(h, st);
	}
	sp_end(h, ok);
	if (!ok)
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "participant/%lld", (long long)id);
	api_audit(req, "participant.checkin", obj, any ? "with consent" : "anonymous");
	if (commit(req, resp))
		return 0;
	participant_changed(h, id, session, "checked_in");
	r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "id", (double)id);
	cJSON_AddNumberToObject(r, "session_id", (double)session);
	return api_json(resp, 201, r);
}

/* GET /api/participants[?session_id=N][&limit=N] (staff). */
static int get_participants(struct api_req *req, struct api_resp *resp)
{
	int64_t session = 0;
	char lim[16], *end;
	long limit = 10000;
	cJSON *o;

	if (query_id(req, "session_id", &session) < 0)
		return api_error(resp, 400, "session_id must be a session id");
	if (!api_query(req, "limit", lim, sizeof(lim))) {
		limit = strtol(lim, &end, 10);
		if (*end || limit < 1 || limit > 100000)
			return api_error(resp, 400, "limit must be 1..100000");
	}
	o = cJSON_CreateObject();
	participants_json(req->h, cJSON_AddArrayToObject(o, "participants"), 0, session, limit);
	return api_json(resp, 200, o);
}

static int get_participant(struct api_req *req, struct api_resp *resp)
{
	int64_t id = param_id(req, 0);
	cJSON *p = id ? participant_json(req->h, id) : NULL;

	if (!p)
		return api_error(resp, 404, "no such participant");
	return api_json(resp, 200, p);
}

static cJSON *contribution_list(struct hub *h, int64_t id, const char *status,
				int64_t project, int64_t session, const char *kind,
				int64_t participant, long limit);

/* GET /api/participants/{id}/export: everything held about the person. */
static int get_participant_export(struct api_req *req, struct api_resp *resp)
{
	static const char q_cons[] =
		"SELECT purpose, granted, given_by, text_version, at FROM consents"
		" WHERE participant_id = ?1 ORDER BY id";
	static const char q_audit[] =
		"SELECT ts, user, action, detail FROM audit WHERE object = ?1 ORDER BY id";
	int64_t id = param_id(req, 0);
	cJSON *p = id ? participant_json(req->h, id) : NULL, *o, *arr;
	sqlite3_stmt *st;
	char obj[48], iso[40];

	if (!p)
		return api_error(resp, 404, "no such participant");
	snprintf(obj, sizeof(obj), "participant/%lld", (long long)id);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "exported_at", hub_iso(hub_now(), iso, sizeof(iso), 0));
	cJSON_AddStringToObject(o, "controller", conf_str(req->h->conf, "lab.name"));
	cJSON_AddItemToObject(o, "participant", p);
	arr = cJSON_AddArrayToObject(o, "consents");
	if ((st = store_stmt(req->h, q_cons))) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *c = cJSON_CreateObject();

			add_text(c, "purpose", st, 0);
			cJSON_AddBoolToObject(c, "granted", sqlite3_column_int(st, 1));
			add_text(c, "given_by", st, 2);
			add_text(c, "text_version", st, 3);
			add_time(c, "at", st, 4);
			cJSON_AddItemToArray(arr, c);
		}
		sqlite3_reset(st);
	}
	cJSON_AddItemToObject(o, "contributions",
			      contribution_list(req->h, 0, NULL, 0, 0, NULL, id, 100000));
	cJSON_AddItemToObject(o, "ratings", cJSON_CreateArray());
	cJSON_AddStringToObject(o, "ratings_note", "Appreciation ratings are anonymous: they are "
				"not linked to anyone, so none can be attributed to this person.");
	arr = cJSON_AddArrayToObject(o, "history");
	if ((st = store_stmt(req->h, q_audit))) {
		sqlite3_bind_text(st, 1, obj, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *a = cJSON_CreateObject();

			add_time(a, "ts", st, 0);
			add_text(a, "by", st, 1);
			add_text(a, "action", st, 2);
			add_text(a, "detail", st, 3);
			cJSON_AddItemToArray(arr, a);
		}
		sqlite3_reset(st);
	}
	api_audit(req, "participant.export", obj, NULL);
	if (commit(req, resp)) {
		cJSON_Delete(o);
		return 0;
	}
	api_header(resp, "Content-Disposition", "attachment; filename=\"participant.json\"");
	return api_json(resp, 200, o);
}

/* DELETE /api/participants/{id}: erase the personal fields; the
 * anonymous row (session, age band, party size) stays for the counts. */
static int delete_participant(struct api_req *req, struct api_resp *resp)
{
	static const char upd[] =
		"UPDATE participants SET display_name = NULL, email = NULL, postal_area = NULL,"
		" erased_at = coalesce(erased_at, ?2) WHERE id = ?1";
	int64_t id = param_id(req, 0), session;
	cJSON *p = id ? participant_json(req->h, id) : NULL, *r;
	sqlite3_stmt *st;
	char obj[48];

	if (!p)
		return api_error(resp, 404, "no such participant");
	session = cJSON_IsNumber(member(p, "session_id")) ?
		  (int64_t)member(p, "session_id")->valuedouble : 0;
	cJSON_Delete(p);
	if (!(st = store_stmt(req->h, upd)))
		return api_error(resp, 500, "database error");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_double(st, 2, hub_now());
	if (!step_ok(req->h, st))
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "participant/%lld", (long long)id);
	api_audit(req, "participant.erase", obj, NULL);
	if (commit(req, resp))
		return 0;
	participant_changed(req->h, id, session > 0 ? session : 0, "erased");
	r = participant_json(req->h, id);
	return api_json(resp, 200, r);
}

/* ---- contributions ---------------------------------------------------------- */

/* Contributions matching the filters (0/NULL = any), newest first, as a
 * JSON array (caller owns it).  author is the participant's name only
 * when they consented to publishing it and were not erased. */
static cJSON *contribution_list(struct hub *h, int64_t id, const char *status,
				int64_t project, int64_t session, const char *kind,
				int64_t participant, long limit)
{
	static const char q[] =
		"SELECT c.id, c.project_id, pr.title, c.session_id, c.participant_id, c.kind, c.title,"
		" c.body, c.links, c.licence, c.status, c.device_id, c.job_id, c.created_at,"
		" c.decided_at, c.decided_by,"
		" CASE WHEN p.erased_at IS NULL AND EXISTS (SELECT 1 FROM consents k"
		"  WHERE k.participant_id = p.id AND k.purpose = 'publish_name' AND k.granted)"
		"  THEN p.display_name END,"
		" j.file, j.state, j.started_at, j.ended_at, j.kind"
		" FROM contributions c LEFT JOIN participants p ON p.id = c.participant_id"
		" LEFT JOIN jobs j ON j.id = c.job_id LEFT JOIN projects pr ON pr.id = c.project_id"
		" WHERE (?1 IS NULL OR c.id = ?1) AND (?2 IS NULL OR c.status = ?2)"
		" AND (?3 IS NULL OR c.project_id = ?3) AND (?4 IS NULL OR c.session_id = ?4)"
		" AND (?5 IS NULL OR c.kind = ?5) AND (?7 IS NULL OR c.participant_id = ?7)"
		" ORDER BY c.id DESC LIMIT ?6";
	sqlite3_stmt *st = store_stmt(h, q);
	cJSON *arr = cJSON_CreateArray();

	if (!st)
		return arr;
	if (id)
		sqlite3_bind_int64(st, 1, id);
	bind_opt_text(st, 2, status);
	if (project)
		sqlite3_bind_int64(st, 3, project);
	if (session)
		sqlite3_bind_int64(st, 4, session);
	bind_opt_text(st, 5, kind);
	sqlite3_bind_int64(st, 6, limit);
	if (participant)
		sqlite3_bind_int64(st, 7, participant);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *c = cJSON_CreateObject(), *prov;

		add_int(c, "id", st, 0);
		add_int(c, "project_id", st, 1);
		add_text(c, "project_title", st, 2);
		add_int(c, "session_id", st, 3);
		add_int(c, "participant_id", st, 4);
		add_text(c, "author", st, 16);
		add_text(c, "kind", st, 5);
		add_text(c, "title", st, 6);
		add_text(c, "body", st, 7);
		add_list(c, "links", st, 8);
		add_text(c, "licence", st, 9);
		add_text(c, "status", st, 10);
		add_text(c, "device_id", st, 11);
		add_int(c, "job_id", st, 12);
		add_time(c, "created_at", st, 13);
		add_time(c, "decided_at", st, 14);
		add_text(c, "decided_by", st, 15);
		if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
			prov = cJSON_AddObjectToObject(c, "job");
			add_int(prov, "id", st, 12);
			add_text(prov, "device", st, 11);
			add_text(prov, "kind", st, 21);
			add_text(prov, "file", st, 17);
			add_text(prov, "state", st, 18);
			add_time(prov, "started_at", st, 19);
			add_time(prov, "ended_at", st, 20);
		}
		cJSON_AddItemToArray(arr, c);
	}
	sqlite3_reset(st);
	return arr;
}

static cJSON *contribution_json(struct hub *h, int64_t id)
{
	cJSON *arr = contribution_list(h, id, NULL, 0, 0, NULL, 0, 1), *c = NULL;

	if (cJSON_GetArraySize(arr))
		c = cJSON_DetachItemFromArray(arr, 0);
	cJSON_Delete(arr);
	return c;
}

/* A contribution changed: the row to staff, its project's counts to all. */
static void contribution_changed(struct hub *h, int64_t id, const char *event)
{
	cJSON *c = contribution_json(h, id), *o = cJSON_CreateObject();
	const cJSON *pid = c ? member(c, "project_id") : NULL;

	cJSON_AddStringToObject(o, "event", event);
	if (cJSON_IsNumber(pid))
		project_changed(h, (int64_t)pid->valuedouble);
	cJSON_AddItemToObject(o, "contribution", c);
	ws_broadcast(h, "contribution", o, WS_STAFF);
}

/* The first project of session id (lowest id), 0 when none. */
static int64_t session_first_project(struct hub *h, int64_t session)
{
	static const char q[] =
		"SELECT min(project_id) FROM session_projects WHERE session_id = ?1";

	return session ? scalar_id(h, q, session) : 0;
}

/* Validate a contribution body and write it as id (0: new).  The kiosk
 * adds ideas to the open session only.  Answers the request. */
static int contribution_write(struct api_req *req, struct api_resp *resp, const cJSON *o,
			      int64_t id, const char *old_status)
{
	static const char ins[] =
		"INSERT INTO contributions(project_id, session_id, participant_id, kind, title, body,"
		" links, licence, status, created_at, decided_at, decided_by)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)";
	static const char upd[] =
		"UPDATE contributions SET project_id=?1, session_id=?2, participant_id=?3, kind=?4,"
		" title=?5, body=?6, links=?7, licence=?8, status=?9,"
		" decided_at=CASE WHEN ?9 = status THEN decided_at ELSE ?11 END,"
		" decided_by=CASE WHEN ?9 = status THEN decided_by ELSE ?12 END WHERE id=?13";
	static const char q_part[] = "SELECT session_id FROM participants WHERE id = ?1";
	static const char q_pexists[] = "SELECT count(*) FROM participants WHERE id = ?1";
	static const char q_sess[] = "SELECT count(*) FROM sessions WHERE id = ?1";
	struct hub *h = req->h;
	const char *kind, *title, *body, *lic_in, *licence, *status;
	const cJSON *links;
	long long project = 0, session = 0, participant = 0;
	int has_project, has_session, has_participant, kiosk = req->role == ROLE_KIOSK;
	int64_t open = open_session(h);
	double now = hub_now();
	sqlite3_stmt *st;
	char obj[48];

	if (get_enum(resp, o, "kind", NULL, kinds, kiosk ? "idea" : NULL, &kind) ||
	    get_str(resp, o, "title", NULL, TITLE_MAX, 1, &title) ||
	    get_str(resp, o, "body", NULL, TEXT_MAX, 0, &body) ||
	    get_str(resp, o, "licence", NULL, 64, 0, &lic_in) ||
	    get_enum(resp, o, "status", NULL, statuses, "pending", &status) ||
	    get_str_list(resp, o, "links", LINK_MAX, &links) ||
	    get_int(resp, o, "project_id", NULL, 1, 9e15, &project, &has_project) ||
	    get_int(resp, o, "session_id", NULL, 1, 9e15, &session, &has_session) ||
	    get_int(resp, o, "participant_id", NULL, 1, 9e15, &participant, &has_participant))
		return 0;
	if (!kind)
		return api_error(resp, 400, "kind is required (scan, print, idea, photo, text, code, other)");
	if (!(licence = part_licence(lic_in ? lic_in : "none")))
		return api_error(resp, 400, "licence must be CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0 or none");
	if (!id && !has_session && open) {
		session = open;
		has_session = 1;
	}
	if (kiosk) {
		if (strcmp(kind, "idea"))
			return api_error(resp, 403, "the kiosk may only add ideas");
		if (strcmp(status, "pending"))
			return api_error(resp, 403, "the kiosk may only add pending ideas");
		if (!open)
			return api_error(resp, 409, "no session is open");
		if (session != open)
			return api_error(resp, 403, "the kiosk adds ideas to the open session only");
	}
	if (has_session && !scalar_id(h, q_sess, session))
		return api_error(resp, 400, "session_id: no session %lld", session);
	if (!has_project && has_session && !id)
		project = session_first_project(h, session), has_project = project > 0;
	if (has_project && !project_exists(h, project))
		return api_error(resp, 400, "project_id: no project %lld", project);
	if (has_participant) {
		int64_t ps = scalar_id(h, q_part, participant);

		if (!ps && !scalar_id(h, q_pexists, participant))
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
	bind_opt_text(st, 6, body);
	bind_list(st, 7, links);
	sqlite3_bind_text(st, 8, licence, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, status, -1, SQLITE_STATIC);
	if (!id)
		sqlite3_bind_double(st, 10, now);
	if (strcmp(status, "pending")) {
		sqlite3_bind_double(st, 11, now);
		bind_opt_text(st, 12, req->user[0] ? req->user : NULL);
	}
	if (id)
		sqlite3_bind_int64(st, 13, id);
	if (!step_ok(h, st))
		return api_error(resp, 500, "database error");
	if (!id)
		id = last_id(h);
	snprintf(obj, sizeof(obj), "contribution/%lld", (long long)id);
	if (!old_status)
		api_audit(req, "contribution.create", obj, kind);
	else if (strcmp(old_status, status))
		api_audit(req, !strcmp(status, "confirmed") ? "contribution.confirm" :
			  !strcmp(status, "rejected") ? "contribution.reject" : "contribution.reopen",
			  obj, NULL);
	else
		api_audit(req, "contribution.update", obj, NULL);
	if (commit(req, resp))
		return 0;
	contribution_changed(h, id, !old_status ? "created" : strcmp(old_status, status) ? status : "updated");
	if (kiosk) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddNumberToObject(r, "id", (double)id);
		return api_json(resp, 201, r);
	}
	return api_json(resp, old_status ? 200 : 201, contribution_json(h, id));
}

static int post_contribution(struct api_req *req, struct api_resp *resp)
{
	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	return contribution_write(req, resp, req->json, 0, NULL);
}

/* PATCH /api/contributions/{id}: status (confirmed, rejected, pending),
 * title, licence, project_id, kind, body, links, participant_id. */
static int patch_contribution(struct api_req *req, struct api_resp *resp)
{
	int64_t id = param_id(req, 0);
	cJSON *cur;
	char old[16];
	int rc;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (!id || !(cur = contribution_json(req->h, id)))
		return api_error(resp, 404, "no such contribution");
	snprintf(old, sizeof(old), "%s", cJSON_GetStringValue(member(cur, "status")));
	if (member(req->json, "session_id"))
		return cJSON_Delete(cur), api_error(resp, 400, "session_id cannot be changed");
	overlay(cur, req->json);
	rc = contribution_write(req, resp, cur, id, old);
	cJSON_Delete(cur);
	return rc;
}

/* GET /api/contributions?status=&project_id=&session_id=&kind=&limit= (staff). */
static int get_contributions(struct api_req *req, struct api_resp *resp)
{
	int64_t project = 0, session = 0;
	char status[16] = "", kind[16] = "", lim[16], *end;
	long limit = 1000;
	cJSON *o;

	if (query_id(req, "project_id", &project) < 0 || query_id(req, "session_id", &session) < 0)
		return api_error(resp, 400, "project_id and session_id must be ids");
	if (!api_query(req, "status", status, sizeof(status)) && status[0] &&
	    in_list(statuses, status) < 0)
		return api_error(resp, 400, "status must be pending, confirmed or rejected");
	if (!api_query(req, "kind", kind, sizeof(kind)) && kind[0] && in_list(kinds, kind) < 0)
		return api_error(resp, 400, "kind must be scan, print, idea, photo, text, code or other");
	if (!api_query(req, "limit", lim, sizeof(lim))) {
		limit = strtol(lim, &end, 10);
		if (*end || limit < 1 || limit > 100000)
			return api_error(resp, 400, "limit must be 1..100000");
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "contributions",
			      contribution_list(req->h, 0, status[0] ? status : NULL, project,
						session, kind[0] ? kind : NULL, 0, limit));
	return api_json(resp, 200, o);
}

static int get_contribution(struct api_req *req, struct api_resp *resp)
{
	int64_t id = param_id(req, 0);
	cJSON *c = id ? contribution_json(req->h, id) : NULL;

	if (!c)
		return api_error(resp, 404, "no such contribution");
	return api_json(resp, 200, c);
}

/* ---- ratings --------------------------------------------------------------- */

/* Store a rating (already validated) in session (0 = none).  Returns the
 * row id or 0. */
static int64_t rating_insert(struct hub *h, int64_t session, int value, int scale,
			     const char *source)
{
	static const char ins[] =
		"INSERT INTO ratings(session_id, value, scale, question, source, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st = store_stmt(h, ins);

	if (!st)
		return 0;
	if (session)
		sqlite3_bind_int64(st, 1, session);
	sqlite3_bind_int(st, 2, value);
	sqlite3_bind_int(st, 3, scale);
	sqlite3_bind_text(st, 4, conf_str(h->conf, "rating.question"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 6, hub_now());
	return step_ok(h, st) ? last_id(h) : 0;
}

/* Tell everyone about a vote (anonymous: value, scale, session). */
static void rating_changed(struct hub *h, int64_t session, int value, int scale)
{
	cJSON *o = cJSON_CreateObject();

	if (session)
		cJSON_AddNumberToObject(o, "session_id", (double)session);
	else
		cJSON_AddNullToObject(o, "session_id");
	cJSON_AddNumberToObject(o, "value", value);
	cJSON_AddNumberToObject(o, "scale", scale);
	ws_broadcast(h, "rating", o, WS_PUBLIC);
}

/* POST /api/ratings {"value":N,"scale":3|5}: tied to the open session;
 * staff may name a past session_id (paper ballots). */
static int post_rating(struct api_req *req, struct api_resp *resp)
{
	static const char q_sess[] = "SELECT count(*) FROM sessions WHERE id = ?1";
	long long value, scale = conf_int(req->h->conf, "rating.scale"), session = 0;
	int has_value, has_scale, has_session;
	char source[100];
	int64_t id;
	cJSON *r;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (get_int(resp, req->json, "scale", NULL, 3, 5, &scale, &has_scale) ||
	    get_int(resp, req->json, "session_id", NULL, 1, 9e15, &session, &has_session))
		return 0;
	if (scale != 3 && scale != 5)
		return api_error(resp, 400, "scale must be 3 or 5");
	if (get_int(resp, req->json, "value", NULL, 1, (double)scale, &value, &has_value))
		return 0;
	if (!has_value)
		return api_error(resp, 400, "value is required (1 to %lld)", scale);
	if (has_session && !is_staff(req))
		return api_error(resp, 403, "only staff may rate a session other than the open one");
	if (has_session && !scalar_id(req->h, q_sess, session))
		return api_error(resp, 400, "session_id: no session %lld", session);
	if (!has_session)
		session = open_session(req->h);
	snprintf(source, sizeof(source), "%s:%s", req->role == ROLE_KIOSK ? "kiosk" : "api",
		 req->user);
	if (!(id = rating_insert(req->h, session, (int)value, (int)scale, source)))
		return api_error(resp, 500, "database error");
	if (is_staff(req)) {	/* staff entering votes (paper ballots) is an action */
		char obj[48];

		snprintf(obj, sizeof(obj), "rating/%lld", (long long)id);
		api_audit(req, "rating.add", obj, NULL);
	}
	if (commit(req, resp))
		return 0;
	rating_changed(req->h, session, (int)value, (int)scale);
	r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "id", (double)id);
	if (session)
		cJSON_AddNumberToObject(r, "session_id", (double)session);
	else
		cJSON_AddNullToObject(r, "session_id");
	return api_json(resp, 201, r);
}

/* GET /api/ratings?session_id=&from=&to= (staff): the votes and a summary. */
static int get_ratings(struct api_req *req, struct api_resp *resp)
{
	static const char q[] =
		"SELECT id, session_id, value, scale, question, source, at FROM ratings"
		" WHERE (?1 IS NULL OR session_id = ?1) AND at >= ?2 AND at <= ?3 ORDER BY id";
	int64_t session = 0;
	int bad = 0;
	double from = api_time_arg(req, "from", 0, &bad);
	double to = api_time_arg(req, "to", 1e15, &bad);
	double sum = 0;
	long n = 0, top = 0;
	sqlite3_stmt *st;
	cJSON *o, *arr;

	if (bad || query_id(req, "session_id", &session) < 0)
		return api_error(resp, 400, "session_id must be an id, from/to times");
	if (!(st = store_stmt(req->h, q)))
		return api_error(resp, 500, "database error");
	if (session)
		sqlite3_bind_int64(st, 1, session);
	sqlite3_bind_double(st, 2, from);
	sqlite3_bind_double(st, 3, to);
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "ratings");
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *r = cJSON_CreateObject();
		int v = sqlite3_column_int(st, 2), sc = sqlite3_column_int(st, 3);

		add_int(r, "id", st, 0);
		add_int(r, "session_id", st, 1);
		add_int(r, "value", st, 2);
		add_int(r, "scale", st, 3);
		add_text(r, "question", st, 4);
		add_text(r, "source", st, 5);
		add_time(r, "at", st, 6);
		cJSON_AddItemToArray(arr, r);
		n++;
		sum += sc > 1 ? (double)(v - 1) / (sc - 1) : 0;
		top += v == sc;
	}
	sqlite3_reset(st);
	cJSON_AddNumberToObject(o, "count", (double)n);
	/* mean on 0..1 whatever the scale; "top" = the happiest face */
	cJSON_AddNumberToObject(o, "mean_0_1", n ? round(sum / (double)n * 1000) / 1000 : 0);
	cJSON_AddNumberToObject(o, "top", (double)top);
	return api_json(resp, 200, o);
}

/* ---- privacy: retention purge ------------------------------------------ */

/* now minus `months` calendar months (UTC). */
static double months_before(double now, long months)
{
	time_t t = (time_t)now;
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mon -= (int)months;
	while (tm.tm_mon < 0) {
		tm.tm_mon += 12;
		tm.tm_year--;
	}
	return (double)timegm(&tm) + (now - floor(now));
}

int part_purge(struct hub *h, double now)
{
	static const char upd[] =
		"UPDATE participants SET display_name = NULL, email = NULL, purged_at = ?1"
		" WHERE erased_at IS NULL AND purged_at IS NULL"
		" AND (display_name IS NOT NULL OR email IS NOT NULL)"
		" AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = participants.session_id"
		"  AND (s.ended_at IS NULL OR s.ended_at >= ?2))"
		" AND last_seen < ?2";
	long months = conf_int(h->conf, "privacy.retention_months");
	double cutoff = months_before(now, months);
	sqlite3_stmt *st = store_stmt(h, upd);
	char detail[64];
	int n;

	if (!st)
		return -1;
	sqlite3_bind_double(st, 1, now);
	sqlite3_bind_double(st, 2, cutoff);
	if (!step_ok(h, st))
		return -1;
	n = sqlite3_changes(store_db(h));
	if (n) {
		snprintf(detail, sizeof(detail), "%d participants past %ld months", n, months);
		auth_audit(h, "system", "privacy.purge", NULL, detail);
	}
	if (store_flush(h))
		return -1;
	if (n) {
		cJSON *o = cJSON_CreateObject();

		LOG(L_NOTICE, "privacy: purged the personal fields of %d participants "
		    "(last session more than %ld months ago)", n, months);
		cJSON_AddNumberToObject(o, "purged", n);
		ws_broadcast(h, "purge", o, WS_STAFF);
	}
	return n;
}

int part_purge_command(struct hub *h, int argc, char **argv)
{
	double now = hub_now();
	int n;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--now") && i + 1 < argc) {
			if (hub_parse_time(argv[++i], &now)) {
				fprintf(stderr, "mlab-hub purge: --now: '%s' is not a time\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: mlab-hub purge [--now ISO-8601]\n");
			return 2;
		}
	}
	if ((n = part_purge(h, now)) < 0)
		return 1;
	printf("purged the personal fields of %d participants\n", n);
	return 0;
}

/* POST /api/purge [{"now": time}] (admin): run the retention purge now,
 * optionally as if it were `now` (to check the policy). */
static int post_purge(struct api_req *req, struct api_resp *resp)
{
	double now = hub_now();
	int present, n;
	cJSON *o;

	if (req->json && !cJSON_IsObject(req->json))
		return api_error(resp, 400, "the body must be a JSON object");
	if (get_time(resp, req->json, "now", &now, &present))
		return 0;
	api_audit(req, "privacy.purge_run", NULL, NULL);
	if ((n = part_purge(req->h, now)) < 0)
		return api_error(resp, 503, "the database could not store this; try again");
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "purged", n);
	return api_json(resp, 200, o);
}

/* ---- hooks for the rest of the hub ------------------------------------ */

int part_init(struct hub *h)
{
	static const char q[] = "SELECT count(*) FROM sessions WHERE ended_at IS NULL";
	int64_t n = scalar_id(h, q, 0);

	if (n > 1)
		LOG(L_WARN, "part: %lld sessions are open; the newest counts as the open one",
		    (long long)n);
	return 0;
}

void part_fini(struct hub *h)
{
}

int part_vote(struct hub *h, int value, int scale, const char *source)
{
	if ((scale != 3 && scale != 5) || value < 1 || value > scale) {
		LOG(L_WARN, "part: vote %d on a scale of %d from %s ignored", value, scale, source);
		return -1;
	}
	int64_t session = open_session(h);

	if (!rating_insert(h, session, value, scale, source))
		return -1;
	rating_changed(h, session, value, scale);
	return 0;
}

int part_session_open(struct hub *h)
{
	return open_session(h) != 0;
}

int part_session_toggle(struct hub *h, const char *source)
{
	static const char ins[] =
		"INSERT INTO sessions(started_at, group_type, group_size, source)"
		" VALUES (?1, 'walk-in', 0, ?2)";
	int64_t id = open_session(h);
	sqlite3_stmt *st;
	char obj[48];

	if (id) {
		if (session_end(h, id, hub_now()))
			return -1;
		snprintf(obj, sizeof(obj), "session/%lld", (long long)id);
		auth_audit(h, source, "session.end", obj, NULL);
		session_changed(h, id, "ended");
		return 0;
	}
	if (!(st = store_stmt(h, ins)))
		return -1;
	sqlite3_bind_double(st, 1, hub_now());
	sqlite3_bind_text(st, 2, source, -1, SQLITE_TRANSIENT);
	if (!step_ok(h, st))
		return -1;
	id = last_id(h);
	snprintf(obj, sizeof(obj), "session/%lld", (long long)id);
	auth_audit(h, source, "session.open", obj, "walk-in");
	session_changed(h, id, "opened");
	return 0;
}

void part_job_ended(struct hub *h, struct device *d, int64_t job_id,
		    const char *state, double ts)
{
	static const char q_ndev[] = "SELECT count(*) FROM session_devices WHERE session_id = ?1";
	static const char q_dev[] =
		"SELECT count(*) FROM session_devices WHERE session_id = ?1 AND device_id = ?2";
	static const char ins[] =
		"INSERT INTO contributions(project_id, session_id, kind, title, licence, status,"
		" device_id, job_id, created_at)"
		" SELECT ?1, ?2, ?3, ?4, 'none', 'pending', ?5, ?6, ?7"
		" WHERE NOT EXISTS (SELECT 1 FROM contributions WHERE job_id = ?6)";
	int64_t session = open_session(h), project, id;
	const char *file, *slash;
	char title[TITLE_MAX + 1];
	sqlite3_stmt *st;
	int listed = 0;

	if (!session || strcmp(state, "finished") || job_id <= 0)
		return;
	/* devices "in use": those the session lists, or every device when it
	 * lists none (a walk-in session opened by the button) */
	if (scalar_id(h, q_ndev, session) > 0) {
		if (!(st = store_stmt(h, q_dev)))
			return;
		sqlite3_bind_int64(st, 1, session);
		sqlite3_bind_text(st, 2, d->id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			listed = sqlite3_column_int(st, 0) > 0;
		sqlite3_reset(st);
		if (!listed)
			return;
	}
	file = d->job.file;
	slash = strrchr(file, '/');
	if (slash && slash[1])
		file = slash + 1;
	if (*file) {
		size_t n = strlen(file);

		if (n > TITLE_MAX) {	/* cut on a UTF-8 character boundary */
			n = TITLE_MAX;
			while (n && ((unsigned char)file[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(title, file, n);
		title[n] = '\0';
	} else
		snprintf(title, sizeof(title), "%s %s", !strcmp(d->job.kind, "scan") ? "Scan" : "Print",
			 d->name[0] ? d->name : d->id);
	project = session_first_project(h, session);
	if (!(st = store_stmt(h, ins)))
		return;
	if (project)
		sqlite3_bind_int64(st, 1, project);
	sqlite3_bind_int64(st, 2, session);
	sqlite3_bind_text(st, 3, !strcmp(d->job.kind, "scan") ? "scan" : "print", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, d->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, job_id);
	sqlite3_bind_double(st, 7, ts);
	if (!step_ok(h, st) || !sqlite3_changes(store_db(h)))
		return;
	id = last_id(h);
	LOG(L_INFO, "part: job %lld on %s became pending contribution %lld (session %lld)",
	    (long long)job_id, d->id, (long long)id, (long long)session);
	contribution_changed(h, id, "created");
}

void part_ws_snapshot(struct hub *h, cJSON *snap, int audience)
{
	static const char q[] =
		"SELECT id FROM projects WHERE (?1 OR visibility = 'public') ORDER BY id";
	int staff = audience >= WS_STAFF;
	int64_t open = open_session(h);
	sqlite3_stmt *st;
	cJSON *arr, *r;

	if (open)
		cJSON_AddItemToObject(snap, "session", session_json(h, open, staff));
	else
		cJSON_AddNullToObject(snap, "session");
	arr = cJSON_AddArrayToObject(snap, "projects");
	if ((st = store_stmt(h, q))) {
		sqlite3_bind_int(st, 1, staff);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *p = project_json(h, sqlite3_column_int64(st, 0), staff);

			if (p)
				cJSON_AddItemToArray(arr, p);
		}
		sqlite3_reset(st);
	}
	r = cJSON_AddObjectToObject(snap, "rating");
	cJSON_AddNumberToObject(r, "scale", (double)conf_int(h->conf, "rating.scale"));
	cJSON_AddStringToObject(r, "question", conf_str(h->conf, "rating.question"));
	cJSON_AddStringToObject(snap, "consent_version", conf_str(h->conf, "privacy.consent_version"));
	if (staff)
		cJSON_AddItemToObject(snap, "pending",
				      contribution_list(h, 0, "pending", 0, 0, NULL, 0, 200));
}

const struct api_route part_routes[] = {
	{ "GET", "/api/projects", ROLE_NONE, get_projects },
	{ "POST", "/api/projects", ROLE_FACILITATOR, post_project },
	{ "GET", "/api/projects/*", ROLE_NONE, get_project },
	{ "PATCH", "/api/projects/*", ROLE_FACILITATOR, patch_project },
	{ "GET", "/api/sessions/current", ROLE_NONE, get_current },
	{ "GET", "/api/sessions", ROLE_FACILITATOR, get_sessions },
	{ "POST", "/api/sessions", ROLE_FACILITATOR, post_session },
	{ "GET", "/api/sessions/*", ROLE_FACILITATOR, get_session },
	{ "PATCH", "/api/sessions/*", ROLE_FACILITATOR, patch_session },
	{ "POST", "/api/sessions/*/end", ROLE_FACILITATOR, post_session_end },
	{ "GET", "/api/participants", ROLE_FACILITATOR, get_participants },
	{ "POST", "/api/participants", ROLE_KIOSK, post_participant },
	{ "GET", "/api/participants/*", ROLE_FACILITATOR, get_participant },
	{ "DELETE", "/api/participants/*", ROLE_FACILITATOR, delete_participant },
	{ "GET", "/api/participants/*/export", ROLE_FACILITATOR, get_participant_export },
	{ "GET", "/api/contributions", ROLE_FACILITATOR, get_contributions },
	{ "POST", "/api/contributions", ROLE_KIOSK, post_contribution },
	{ "GET", "/api/contributions/*", ROLE_FACILITATOR, get_contribution },
	{ "PATCH", "/api/contributions/*", ROLE_FACILITATOR, patch_contribution },
	{ "GET", "/api/ratings", ROLE_FACILITATOR, get_ratings },
	{ "POST", "/api/ratings", ROLE_KIOSK, post_rating },
	{ "POST", "/api/purge", ROLE_ADMIN, post_purge },
	{ NULL, NULL, 0, NULL },
};
