/*
 * privacy.c — the retention purge (Law 25: kept only as long as
 * needed): by the hour, by command and by API.
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
#include "part/privacy.h"
#include "part/row.h"
#include "store/store.h"
#include "net/ws.h"

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

int privacy_purge(struct hub *h, double now)
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
	if (row_step(h, st))
		return -1;
	n = sqlite3_changes(store_db(h));
	if (n) {
		snprintf(detail, sizeof(detail), "%d participants past %ld months", n, months);
		auth_audit(h, "system", "privacy.purge", NULL, detail);
	}
	if (store_flush(h))
		return -1;
	/* as an erasure: secure_delete zeroed the old values in the database
	 * pages, the write-ahead log keeps them until a checkpoint */
	if (n)
		store_checkpoint(h);
	if (n) {
		cJSON *o = cJSON_CreateObject();

		LOG(L_NOTICE, "privacy: purged the personal fields of %d participants "
		    "(last session more than %ld months ago)", n, months);
		cJSON_AddNumberToObject(o, "purged", n);
		ws_broadcast(h, "purge", o, WS_STAFF);
	}
	return n;
}

int privacy_command(struct hub *h, int argc, char **argv)
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
	if ((n = privacy_purge(h, now)) < 0)
		return 1;
	printf("purged the personal fields of %d participants\n", n);
	return 0;
}

/* POST /api/purge [{"now": time}] (admin): run the retention purge now,
 * optionally as if it were `now` (to check the policy). */
static int privacy_post_purge(struct api_req *req, struct api_resp *resp)
{
	double now = hub_now();
	int present, n;
	cJSON *o;

	if (req->json && !cJSON_IsObject(req->json))
		return api_error(resp, 400, "the body must be a JSON object");
	if (args_time(resp, req->json, "now", &now, &present))
		return 0;
	api_audit(req, "privacy.purge_run", NULL, NULL);
	if ((n = privacy_purge(req->h, now)) < 0)
		return api_error(resp, 503, "the database could not store this; try again");
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "purged", n);
	return api_json(resp, 200, o);
}

static const struct api_route privacy_routes[] = {
	{ "POST", "/api/purge", ROLE_ADMIN, privacy_post_purge },
	{ NULL, NULL, 0, NULL },
};

int privacy_init(struct hub *h)
{
	return api_register(h, privacy_routes);
}
