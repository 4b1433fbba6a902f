/*
 * row.c — what participation's files share: SQLite columns to JSON,
 * savepoints around multi-row writes, a checked step, the kiosk's client
 * ids (a resent row answered, not stored twice); and the reads several
 * of them need: the contributions query (the project page, a
 * participant's export, the snapshot, contrib.c's routes) and whether a
 * project exists.  Moved here so that the files above include each other
 * one way.
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
#include "core/hub.h"
#include "core/log.h"
#include "part/row.h"
#include "store/store.h"

int row_staff(const struct api_req *req)
{
	return req->role >= ROLE_FACILITATOR;
}

/* Savepoint around a multi-row write: row_sp_begin, the writes, row_sp_end(ok).
 * A failed write (constraint) then leaves nothing behind. */
int row_sp_begin(struct hub *h)
{
	static const char q[] = "SAVEPOINT part";

	return store_exec(h, store_stmt(h, q)) == SQLITE_DONE ? 0 : -1;
}

void row_sp_end(struct hub *h, int ok)
{
	static const char rb[] = "ROLLBACK TO part";
	static const char rel[] = "RELEASE part";

	if (!ok)
		store_exec(h, store_stmt(h, rb));
	store_exec(h, store_stmt(h, rel));
}

/* Step a write: 0 when it is done, -1 when it failed (no statement, or
 * SQLite refused it; a constraint failure is logged here, validation
 * should have caught it). */
int row_step(struct hub *h, sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return -1;
	rc = store_exec(h, st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		LOG(L_WARN, "part: a write broke a constraint: %s", sqlite3_errstr(rc));
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t row_last_id(struct hub *h)
{
	return (int64_t)sqlite3_last_insert_rowid(store_db(h));
}

/* ---- columns to JSON ---------------------------------------------------- */

void row_add_text(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, (const char *)sqlite3_column_text(st, col));
}

void row_add_time(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	char iso[40];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, hub_iso(sqlite3_column_double(st, col),
							 iso, sizeof(iso), 0));
}

void row_add_int(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, (double)sqlite3_column_int64(st, col));
}

/* A JSON-array text column as an array (empty when NULL or broken). */
void row_add_list(cJSON *o, const char *name, sqlite3_stmt *st, int col)
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
void row_bind_list(sqlite3_stmt *st, int i, const cJSON *list)
{
	char *s = list ? cJSON_PrintUnformatted(list) : NULL;

	if (s) {
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
		free(s);
	}
}

void row_bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static const struct {
	const char *find, *keep;
} client_sql[] = {
	[ROW_PARTICIPANTS] = {
		"SELECT id, session_id FROM participants WHERE client_id = ?1",
		"UPDATE participants SET client_id = ?2 WHERE id = ?1" },
	[ROW_RATINGS] = {
		"SELECT id, session_id FROM ratings WHERE client_id = ?1",
		"UPDATE ratings SET client_id = ?2 WHERE id = ?1" },
	[ROW_CONTRIBUTIONS] = {
		"SELECT id, session_id FROM contributions WHERE client_id = ?1",
		"UPDATE contributions SET client_id = ?2 WHERE id = ?1" },
};

#define CLIENT_ID_MIN 8
#define CLIENT_ID_MAX 64

int row_client_seen(struct api_req *req, struct api_resp *resp, enum row_table t,
		    const char **client)
{
	const cJSON *c = cJSON_IsObject(req->json) ?
			 cJSON_GetObjectItemCaseSensitive(req->json, "client_id") : NULL;
	sqlite3_stmt *st;
	size_t n;
	int found = 0;

	*client = NULL;
	if (!c || cJSON_IsNull(c))
		return 0;
	n = cJSON_IsString(c) && c->valuestring ? strlen(c->valuestring) : 0;
	if (n < CLIENT_ID_MIN || n > CLIENT_ID_MAX ||
	    strspn(c->valuestring, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-_") != n) {
		api_error(resp, 400, "client_id must be %d to %d letters, digits, - or _",
			  CLIENT_ID_MIN, CLIENT_ID_MAX);
		return 1;
	}
	if (!(st = store_stmt(req->h, client_sql[t].find))) {
		api_error(resp, 500, "database error");
		return 1;
	}
	sqlite3_bind_text(st, 1, c->valuestring, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddNumberToObject(r, "id", (double)sqlite3_column_int64(st, 0));
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			cJSON_AddNullToObject(r, "session_id");
		else
			cJSON_AddNumberToObject(r, "session_id", (double)sqlite3_column_int64(st, 1));
		cJSON_AddBoolToObject(r, "duplicate", 1);
		api_json(resp, 200, r);
		found = 1;
	}
	sqlite3_reset(st);
	if (!found)
		*client = c->valuestring;
	return found;
}

int row_client_keep(struct hub *h, enum row_table t, int64_t id, const char *client)
{
	sqlite3_stmt *st;

	if (!client)
		return 0;
	if (!(st = store_stmt(h, client_sql[t].keep)))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, client, -1, SQLITE_TRANSIENT);
	return row_step(h, st);
}

/* Contributions matching f, newest first, as a JSON array (caller owns
 * it).  status "decided" is confirmed or rejected; from/to (0: no bound)
 * bound created_at. */
cJSON *row_contribs(struct hub *h, const struct contrib_filter *f)
{
	static const char q[] =
		"SELECT c.id, c.project_id, pr.title, c.session_id, c.participant_id, c.kind, c.title,"
		" c.body, c.links, c.licence, c.status, c.device_id, c.job_id, c.created_at,"
		" c.decided_at, c.decided_by,"
		" CASE WHEN p.erased_at IS NULL AND EXISTS (SELECT 1 FROM consents k"
		"  WHERE k.participant_id = p.id AND k.purpose = 'publish_name' AND k.granted)"
		"  THEN p.display_name END,"
		" j.file, j.state, j.started_at, j.ended_at, j.kind, c.reason"
		" FROM contributions c LEFT JOIN participants p ON p.id = c.participant_id"
		" LEFT JOIN jobs j ON j.id = c.job_id LEFT JOIN projects pr ON pr.id = c.project_id"
		" WHERE (?1 IS NULL OR c.id = ?1)"
		" AND (?2 IS NULL OR c.status = ?2 OR (?2 = 'decided' AND c.status <> 'pending'))"
		" AND (?8 IS NULL OR c.created_at >= ?8) AND (?9 IS NULL OR c.created_at < ?9)"
		" AND (?3 IS NULL OR c.project_id = ?3) AND (?4 IS NULL OR c.session_id = ?4)"
		" AND (?5 IS NULL OR c.kind = ?5) AND (?7 IS NULL OR c.participant_id = ?7)"
		" ORDER BY c.id DESC LIMIT ?6";
	sqlite3_stmt *st = store_stmt(h, q);
	cJSON *arr = cJSON_CreateArray();

	if (!st)
		return arr;
	if (f->id)
		sqlite3_bind_int64(st, 1, f->id);
	row_bind_opt_text(st, 2, f->status);
	if (f->project)
		sqlite3_bind_int64(st, 3, f->project);
	if (f->session)
		sqlite3_bind_int64(st, 4, f->session);
	row_bind_opt_text(st, 5, f->kind);
	sqlite3_bind_int64(st, 6, f->limit);
	if (f->participant)
		sqlite3_bind_int64(st, 7, f->participant);
	if (f->from > 0)
		sqlite3_bind_double(st, 8, f->from);
	if (f->to > 0)
		sqlite3_bind_double(st, 9, f->to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *c = cJSON_CreateObject(), *prov;

		row_add_int(c, "id", st, 0);
		row_add_int(c, "project_id", st, 1);
		row_add_text(c, "project_title", st, 2);
		row_add_int(c, "session_id", st, 3);
		row_add_int(c, "participant_id", st, 4);
		row_add_text(c, "author", st, 16);
		row_add_text(c, "kind", st, 5);
		row_add_text(c, "title", st, 6);
		row_add_text(c, "body", st, 7);
		row_add_list(c, "links", st, 8);
		row_add_text(c, "licence", st, 9);
		row_add_text(c, "status", st, 10);
		row_add_text(c, "device_id", st, 11);
		row_add_int(c, "job_id", st, 12);
		row_add_time(c, "created_at", st, 13);
		row_add_time(c, "decided_at", st, 14);
		row_add_text(c, "decided_by", st, 15);
		row_add_text(c, "reason", st, 22);
		if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
			prov = cJSON_AddObjectToObject(c, "job");
			row_add_int(prov, "id", st, 12);
			row_add_text(prov, "device", st, 11);
			row_add_text(prov, "kind", st, 21);
			row_add_text(prov, "file", st, 17);
			row_add_text(prov, "state", st, 18);
			row_add_time(prov, "started_at", st, 19);
			row_add_time(prov, "ended_at", st, 20);
		}
		cJSON_AddItemToArray(arr, c);
	}
	sqlite3_reset(st);
	return arr;
}

/* Contributions matching the filters (0/NULL = any), newest first, as a
 * JSON array (caller owns it).  author is the participant's name only
 * when they consented to publishing it and were not erased. */
cJSON *row_contrib_list(struct hub *h, int64_t id, const char *status,
		       int64_t project, int64_t session, const char *kind,
		       int64_t participant, long limit)
{
	struct contrib_filter f = { .id = id, .status = status, .project = project,
		.session = session, .kind = kind, .participant = participant, .limit = limit };

	return row_contribs(h, &f);
}

int row_project_exists(struct hub *h, int64_t id)
{
	static const char q[] = "SELECT count(*) FROM projects WHERE id = ?1";

	return store_int(h, q, id) > 0;
}
