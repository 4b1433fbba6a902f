/*
 * rating.c — appreciation ratings from the kiosk and the button boxes.
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
#include "core/conf.h"
#include "auth/auth.h"
#include "core/hub.h"
#include "core/log.h"
#include "part/rating.h"
#include "part/row.h"
#include "part/session.h"
#include "store/store.h"
#include "net/ws.h"

/* Store a rating (already validated) made at time at in session (0 =
 * none).  Returns the row id or 0. */
int64_t rating_insert(struct hub *h, int64_t session, int value, int scale,
		      const char *source, double at)
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
	sqlite3_bind_double(st, 6, at);
	return row_step(h, st) ? 0 : row_last_id(h);
}

/* Tell everyone about a vote (anonymous: value, scale, session). */
void rating_changed(struct hub *h, int64_t session, int value, int scale)
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

/* POST /api/ratings {"value":N,"scale":3|5}: tied to the open session
 * (for the kiosk's kept while the hub was away, the one open at its
 * "made_at"); staff may name a past session_id (paper ballots). */
static int rating_post(struct api_req *req, struct api_resp *resp)
{
	static const char q_sess[] = "SELECT count(*) FROM sessions WHERE id = ?1";
	long long value, scale = conf_int(req->h->conf, "rating.scale"), session = 0;
	int has_value, has_scale, has_session, made = 0;
	double made_at = 0, at = hub_now();
	int64_t open = 0;
	char source[100];
	const char *client;
	int64_t id;
	cJSON *r;

	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if (row_client_seen(req, resp, ROW_RATINGS, &client))
		return 0;	/* a resend: answered with the first row */
	if (args_int(resp, req->json, "scale", NULL, 3, 5, &scale, &has_scale) ||
	    args_int(resp, req->json, "session_id", NULL, 1, 9e15, &session, &has_session))
		return 0;
	if (scale != 3 && scale != 5)
		return api_error(resp, 400, "scale must be 3 or 5");
	if (args_int(resp, req->json, "value", NULL, 1, (double)scale, &value, &has_value))
		return 0;
	if (!has_value)
		return api_error(resp, 400, "value is required (1 to %lld)", scale);
	if (has_session && !row_staff(req))
		return api_error(resp, 403, "only staff may rate a session other than the open one");
	if (has_session && !store_int(req->h, q_sess, session))
		return api_error(resp, 400, "session_id: no session %lld", session);
	if (args_time(resp, req->json, "made_at", &made_at, &made))
		return 0;
	/* the kiosk's: the open session, or the one open when a late vote was made */
	if (req->role == ROLE_KIOSK) {
		if (session_kiosk(req, resp, 0, 0, made, made_at, &open, &at))
			return 0;
		session = open;
	} else if (!has_session) {
		session = session_open_id(req->h);
	}
	snprintf(source, sizeof(source), "%s:%s", req->role == ROLE_KIOSK ? "kiosk" : "api",
		 req->user);
	if (!(id = rating_insert(req->h, session, (int)value, (int)scale, source, at)) ||
	    row_client_keep(req->h, ROW_RATINGS, id, client))
		return api_error(resp, 500, "database error");
	if (row_staff(req)) {	/* staff entering votes (paper ballots) is an action */
		char obj[48];

		snprintf(obj, sizeof(obj), "rating/%lld", (long long)id);
		api_audit(req, "rating.add", obj, NULL);
	}
	if (args_commit(req, resp))
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
static int rating_get_all(struct api_req *req, struct api_resp *resp)
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

	if (bad || args_query_id(req, "session_id", &session) < 0)
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

		row_add_int(r, "id", st, 0);
		row_add_int(r, "session_id", st, 1);
		row_add_int(r, "value", st, 2);
		row_add_int(r, "scale", st, 3);
		row_add_text(r, "question", st, 4);
		row_add_text(r, "source", st, 5);
		row_add_time(r, "at", st, 6);
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

static const struct api_route rating_routes[] = {
	{ "GET", "/api/ratings", ROLE_FACILITATOR, rating_get_all },
	{ "POST", "/api/ratings", ROLE_KIOSK, rating_post },
	{ NULL, NULL, 0, NULL },
};

int rating_init(struct hub *h)
{
	return api_register(h, rating_routes);
}
