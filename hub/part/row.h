/*
 * row.h — helpers shared by participation's files (project, session,
 * participant, contrib, rating, privacy): field limits, columns to JSON,
 * savepoints, checked writes, the contributions query.  Not used
 * outside hub/part/ (one integer from SQL is the store's: store_int).
 */
#ifndef MLAB_ROW_H
#define MLAB_ROW_H

#include <stdint.h>
#include <sqlite3.h>

struct hub;
struct api_req;
struct api_resp;
struct cJSON;

#define TITLE_MAX 200
#define TEXT_MAX 5000
#define NAME_MAX 80
#define EMAIL_MAX 254
#define LINK_MAX 2000

int row_staff(const struct api_req *req);

/* Savepoint around a multi-row write: row_sp_begin, the writes, row_sp_end(ok).
 * A failed write (constraint) then leaves nothing behind. */
int row_sp_begin(struct hub *h);

void row_sp_end(struct hub *h, int ok);

/* Step a write: 0 when it is done, -1 when it failed (no statement, or
 * SQLite refused it; a constraint failure is logged here, validation
 * should have caught it). */
int row_step(struct hub *h, sqlite3_stmt *st);

int64_t row_last_id(struct hub *h);

void row_add_text(struct cJSON *o, const char *name, sqlite3_stmt *st, int col);

void row_add_time(struct cJSON *o, const char *name, sqlite3_stmt *st, int col);

void row_add_int(struct cJSON *o, const char *name, sqlite3_stmt *st, int col);

/* A JSON-array text column as an array (empty when NULL or broken). */
void row_add_list(struct cJSON *o, const char *name, sqlite3_stmt *st, int col);

/* Bind a string list as JSON text (NULL when absent). */
void row_bind_list(sqlite3_stmt *st, int i, const struct cJSON *list);

void row_bind_opt_text(sqlite3_stmt *st, int i, const char *s);

/* The kiosk's client_id (what it made offline, sent until answered): */
enum row_table { ROW_PARTICIPANTS, ROW_RATINGS, ROW_CONTRIBUTIONS };
/* Read "client_id" from the request body.  Returns 1 when the request is
 * answered here (a bad id: 400; a row with this id exists: 200 with its
 * {"id","session_id"}, nothing inserted), else 0 with *client the id
 * (pointing into req->json) or NULL when none was sent. */
int row_client_seen(struct api_req *req, struct api_resp *resp, enum row_table t,
		    const char **client);
/* Record client (may be NULL: nothing to do) on the new row id of t,
 * inside the open transaction.  0 or -1. */
int row_client_keep(struct hub *h, enum row_table t, int64_t id, const char *client);

/* The contributions, read by the project page, the participant's export,
 * the snapshot and contrib.c's routes. */
/* Contributions matching the filters (0/NULL = any), newest first, as a
 * JSON array (caller owns it).  author is the participant's name only
 * when they consented to publishing it and were not erased. */
struct cJSON *row_contrib_list(struct hub *h, int64_t id, const char *status,
			       int64_t project, int64_t session, const char *kind,
			       int64_t participant, long limit);

struct contrib_filter {		/* 0/NULL = any */
	int64_t id, project, session, participant;
	const char *status, *kind;	/* status "decided": confirmed or rejected */
	double from, to;		/* created_at in [from, to) */
	long limit;
};

/* Contributions matching f, newest first, as a JSON array (caller owns it). */
struct cJSON *row_contribs(struct hub *h, const struct contrib_filter *f);

/* 1 when project id exists, else 0 (session.c, contrib.c). */
int row_project_exists(struct hub *h, int64_t id);

#endif
