/*
 * part.c — participation as the rest of the hub sees it (part.h): the
 * hooks it calls (a finished job becomes a pending contribution,
 * GPIO/button votes and the session button), the /ws snapshot part and
 * GET /api/vocab.  The work is done by the files below it, each with its
 * own routes (part_init registers them): project.c, session.c,
 * participant.c (consent, export, erase), contrib.c, rating.c and
 * privacy.c (retention purge); row.c, below them all, holds what they
 * share.  Nothing there calls back up into part.c.
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
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "auth/auth.h"
#include "core/conf.h"
#include "lab/device.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/vocab.h"
#include "part/contrib.h"
#include "core/loop.h"
#include "part/part.h"
#include "part/participant.h"
#include "part/privacy.h"
#include "part/project.h"
#include "part/rating.h"
#include "part/row.h"
#include "part/session.h"
#include "store/store.h"
#include "net/ws.h"

/* ---- hooks for the rest of the hub ------------------------------------ */

static const struct api_route part_routes[];

/* Hourly: personal fields past privacy.retention_months. */
static void purge_tick(struct hub *h, void *arg)
{
	part_purge(h, hub_now());
}

int part_init(struct hub *h)
{
	static const char q[] = "SELECT count(*) FROM sessions WHERE ended_at IS NULL";
	int64_t n = store_int(h, q, 0);

	if (n > 1)
		LOG(L_WARN, "part: %lld sessions are open; the newest counts as the open one",
		    (long long)n);
	loop_every(h, PART_PURGE_FIRST_MS, PART_PURGE_EVERY_MS, purge_tick, NULL);
	/* each file serves its own routes, in this order */
	return api_register(h, part_routes) || project_init(h) || session_init(h) ||
	       participant_init(h) || contrib_init(h) || rating_init(h) ||
	       privacy_init(h) ? -1 : 0;
}

void part_fini(struct hub *h)
{
}

int part_purge(struct hub *h, double now)
{
	return privacy_purge(h, now);
}

int part_purge_command(struct hub *h, int argc, char **argv)
{
	return privacy_command(h, argc, argv);
}

int part_vote(struct hub *h, int value, int scale, const char *source)
{
	if ((scale != 3 && scale != 5) || value < 1 || value > scale) {
		LOG(L_WARN, "part: vote %d on a scale of %d from %s ignored", value, scale, source);
		return -1;
	}
	int64_t session = session_open_id(h);

	if (!rating_insert(h, session, value, scale, source, hub_now()))
		return -1;
	rating_changed(h, session, value, scale);
	return 0;
}

int part_session_open(struct hub *h)
{
	return session_open_id(h) != 0;
}

int part_session_toggle(struct hub *h, const char *source)
{
	static const char ins[] =
		"INSERT INTO sessions(started_at, group_type, group_size, source)"
		" VALUES (?1, 'walk-in', 0, ?2)";
	int64_t id = session_open_id(h);
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
	if (row_step(h, st))
		return -1;
	id = row_last_id(h);
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
	int64_t session = session_open_id(h), project, id;
	const char *file, *slash;
	char title[TITLE_MAX + 1];
	sqlite3_stmt *st;
	int listed = 0;

	if (!session || strcmp(state, "finished") || job_id <= 0)
		return;
	/* devices "in use": those the session lists, or every device when it
	 * lists none (a walk-in session opened by the button) */
	if (store_int(h, q_ndev, session) > 0) {
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
	if (row_step(h, st) || !sqlite3_changes(store_db(h)))
		return;
	id = row_last_id(h);
	LOG(L_INFO, "part: job %lld on %s became pending contribution %lld (session %lld)",
	    (long long)job_id, d->id, (long long)id, (long long)session);
	contrib_changed(h, id, "created");
}

void part_ws_snapshot(struct hub *h, cJSON *snap, int audience)
{
	static const char q[] =
		"SELECT id FROM projects WHERE (?1 OR visibility = 'public') ORDER BY id";
	int staff = audience >= WS_STAFF;
	int64_t open = session_open_id(h);
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
	cJSON_AddItemToObject(snap, "recent_contributions", contrib_recent_public(h));
	if (staff)
		cJSON_AddItemToObject(snap, "pending",
				      row_contrib_list(h, 0, "pending", 0, 0, NULL, 0, 200));
}

/* GET /api/vocab: the fixed vocabularies (core/vocab.h) the pages build
 * their choices from; public. */
static int part_get_vocab(struct api_req *req, struct api_resp *resp)
{
	cJSON *o = vocab_json();

	if (!o)
		return api_error(resp, 500, "out of memory");
	return api_json(resp, 200, o);
}

static const struct api_route part_routes[] = {
	{ "GET", "/api/vocab", ROLE_NONE, part_get_vocab },
	{ NULL, NULL, 0, NULL },
};

