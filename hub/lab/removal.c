/*
 * removal.c — taking a device out of the registry and the database.
 *
 * With history=drop every row of the device goes (telemetry, aggregates,
 * events, jobs, button presses; a contribution made from one of its jobs
 * stays, without the link to the job).  With history=keep (the default) its
 * rows stay for the reports and its devices row is renamed
 * "removed/<dev>/<old id>": no ecosystem is called "removed", so the id
 * can never be a live one, the registry does not load it, and a device
 * that comes back with the old id starts afresh.  Every removal is in the
 * audit log.  When the registry is full, a device that has been silent
 * past devices.stale_s and has no history at all is removed before a new
 * one is refused.
 */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "auth/auth.h"
#include "core/hub.h"
#include "core/log.h"
#include "lab/device.h"
#include "lab/devset.h"
#include "lab/removal.h"
#include "net/api.h"
#include "net/args.h"
#include "net/ws.h"
#include "store/store.h"

/* Statements are cached by address (store_stmt): one constant each.  A
 * contribution a job became stays (it is a person's work, counted in the
 * indicators); it only loses the link to the job, and keeps the device's
 * name (device_id) — without that the foreign key refused the removal. */
static const char *const drop_sql[] = {
	"DELETE FROM telemetry WHERE dev=?1", "DELETE FROM telemetry_min WHERE dev=?1",
	"DELETE FROM telemetry_mblk WHERE dev=?1",
	"DELETE FROM events WHERE dev=?1",
	"UPDATE contributions SET job_id = NULL WHERE job_id IN (SELECT id FROM jobs WHERE dev=?1)",
	"DELETE FROM jobs WHERE dev=?1",
	"DELETE FROM buttons WHERE dev=?1", "DELETE FROM event_acks WHERE dev=?1",
	"DELETE FROM devices WHERE dev=?1",
};
static const char *const any_sql[] = {
	"SELECT 1 FROM telemetry WHERE dev=?1 LIMIT 1", "SELECT 1 FROM telemetry_min WHERE dev=?1 LIMIT 1",
	"SELECT 1 FROM telemetry_mblk WHERE dev=?1 LIMIT 1",
	"SELECT 1 FROM events WHERE dev=?1 LIMIT 1", "SELECT 1 FROM jobs WHERE dev=?1 LIMIT 1",
	"SELECT 1 FROM buttons WHERE dev=?1 LIMIT 1",
};
/* what other plugs said they feed goes with the device */
static const char feeds_sql[] =
	"UPDATE device_settings SET feeds = NULL"
	" WHERE feeds = (SELECT id FROM devices WHERE dev=?1)";
static const char keep_sql[] =
	"UPDATE devices SET id = 'removed/' || dev || '/' || id, online = 0"
	" WHERE dev=?1 AND id NOT LIKE 'removed/%'";
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Remove the rows of device number dev (in the open transaction), or
 * rename its row out of the way (keep).  0 or -1 (logged by the store). */
static int forget(struct hub *h, long long dev, int drop)
{
	for (int i = -1; i < (drop ? N(drop_sql) : 1); i++) {
		sqlite3_stmt *st = store_stmt(h, i < 0 ? feeds_sql : drop ? drop_sql[i] : keep_sql);

		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, dev);
		if (store_exec(h, st) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* 1 when device number dev has a row in any history table. */
static int has_history(struct hub *h, long long dev)
{
	int found = 0;

	for (int i = 0; i < N(any_sql) && !found; i++) {
		sqlite3_stmt *st = store_stmt(h, any_sql[i]);

		if (!st)
			return 1;	/* cannot tell: keep it */
		sqlite3_bind_int64(st, 1, dev);
		found = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
	}
	return found;
}

/* Remove d everywhere (the database, the settings that name it, the
 * machine it measured); the clients get a fresh snapshot without it. */
static int remove_device(struct hub *h, struct device *d, int drop)
{
	if (forget(h, d->dev, drop))
		return -1;
	devset_forget(h, d);
	device_unlink(h, d);
	ws_resync(h);
	return 0;
}

/* The registry is full (device_on_full): remove the device silent longest
 * (more than stale_s before now) that has no history at all.  0 when one
 * was removed, -1 when none may be. */
static int evict(struct hub *h, double now, double stale_s)
{
	/* the oldest silent ones first; looking at a few is enough */
	for (int tries = 0; tries < 8; tries++) {
		struct device *best = NULL;

		for (int i = 0; i < device_count(h); i++) {
			struct device *d = device_at(h, i);

			if (now - d->last_seen <= stale_s || d->evict_checked)
				continue;
			if (!best || d->last_seen < best->last_seen)
				best = d;
		}
		if (!best)
			return -1;
		if (has_history(h, best->dev)) {
			best->evict_checked = 1;	/* until it is heard again */
			continue;
		}
		LOG(L_NOTICE, "device: %s evicted: silent, no history, and devices.max reached",
		    best->id);
		auth_audit(h, "hub", "device.evict", best->id, NULL);
		return remove_device(h, best, 1);
	}
	return -1;
}

/* DELETE /api/devices/{id}?history=keep|drop (admins). */
static int delete_device(struct api_req *req, struct api_resp *resp)
{
	char *id = req->params[0], history[8] = "keep", obj[sizeof(((struct device *)0)->id)];
	size_t n = strlen(id);
	struct device *d;
	int drop;

	if (n && id[n - 1] == '/')
		id[--n] = '\0';
	if (!api_query(req, "history", history, sizeof(history)) &&
	    strcmp(history, "keep") && strcmp(history, "drop"))
		return api_error(resp, 400, "history must be keep or drop");
	drop = !strcmp(history, "drop");
	if (!(d = device_find(req->h, id)))
		return api_error(resp, 404, "no such device");
	snprintf(obj, sizeof(obj), "%s", d->id);
	if (remove_device(req->h, d, drop))
		return api_error(resp, 500, "database error");
	api_audit(req, "device.remove", obj, drop ? "history dropped" : "history kept");
	if (args_commit(req, resp))
		return 0;
	{
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "removed", obj);
		cJSON_AddStringToObject(o, "history", drop ? "dropped" : "kept");
		return api_json(resp, 200, o);
	}
}

int removal_command(struct hub *h, int argc, char **argv)
{
	static const char q[] = "SELECT dev FROM devices WHERE id=?1";
	const char *id = NULL;
	int drop = 0;
	long long dev = -1;
	sqlite3_stmt *st;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--drop-history"))
			drop = 1;
		else if (!id && argv[i][0] != '-')
			id = argv[i];
		else
			id = NULL, argc = 0;
	}
	if (argc < 2 || strcmp(argv[0], "remove") || !id) {
		fprintf(stderr, "usage: mlab-hub device remove ID [--drop-history]\n");
		return 2;
	}
	if (!(st = store_stmt(h, q)))
		return 1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		dev = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (dev < 0) {
		fprintf(stderr, "mlab-hub device: no device %s\n", id);
		return 1;
	}
	if (forget(h, dev, drop))
		return 1;
	auth_audit(h, "cli", "device.remove", id, drop ? "history dropped" : "history kept");
	if (store_flush(h))
		return 1;
	printf("device %s removed (history %s)\n", id, drop ? "dropped" : "kept");
	return 0;
}

static const struct api_route routes[] = {
	{ "DELETE", "/api/devices/**", ROLE_ADMIN, delete_device },
	{ NULL, NULL, 0, NULL },
};

int removal_init(struct hub *h)
{
	device_on_full(h, evict);
	return api_register(h, routes);
}
