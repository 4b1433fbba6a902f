/*
 * health.c — is the hub doing its job, said the same way everywhere: the
 * lab broker, each MQTT link, the last group commit and the free space
 * beside the database.
 *
 * Open pages get it as {"type":"status",…} on /ws (every audience: the
 * wall pauses on it) whenever a part of it changes, and once right after
 * their snapshot; monitoring reads GET /readyz (200, or 503 with the
 * reasons) and GET /healthz (liveness, with the same fields).  Link
 * changes arrive as device news (health_link, hub/wire.c), commits
 * through a store_on_commit hook, and the disk is looked at on a timer
 * (store_space): its free space is sent again only when it crosses the
 * store.min_free_mb line or moves by DISK_STEP, so a busy lab does not
 * chatter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "auth/auth.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/loop.h"
#include "lab/device.h"
#include "lab/health.h"
#include "mqtt/mqtt.h"
#include "net/api.h"
#include "net/ws.h"
#include "store/schema.h"
#include "store/store.h"

#define HEALTH_TICK_MS 2000
#define DISK_STEP (64.0 * 1024 * 1024)	/* bytes of free-space change worth a message */

struct health {
	int commit_ok;		/* the last group commit reached the disk */
	double disk_free;	/* bytes; <0 unknown */
	double disk_low;	/* bytes: below this, "nearly full" */
	double disk_sent;	/* disk_free in the last message */
	char *sent;		/* the last status message's other fields */
};

/* Free bytes for the database (store_space), -1 unknown. */
static void disk_measure(struct hub *h, struct health *hs)
{
	long long db, avail;

	hs->disk_free = store_space(h, &db, &avail) ? -1 : (double)avail;
}

static int disk_low(const struct health *hs)
{
	return hs->disk_free >= 0 && hs->disk_free < hs->disk_low;
}

void health_fields(struct hub *h, cJSON *o)
{
	struct health *hs = h->health;
	cJSON *links = cJSON_AddArrayToObject(o, "links");

	cJSON_AddStringToObject(o, "broker", h->broker_up ? "connected" : "disconnected");
	for (int i = 0; i < mqtt_link_count(h); i++) {
		cJSON *l = cJSON_CreateObject();

		cJSON_AddStringToObject(l, "name", mqtt_link_name(h, i));
		cJSON_AddBoolToObject(l, "connected", mqtt_link_up(h, i));
		cJSON_AddItemToArray(links, l);
	}
	if (!hs)
		return;
	cJSON_AddBoolToObject(o, "commit_ok", hs->commit_ok);
	/* past store.min_free_mb: the pages' banner follows the hub's line */
	cJSON_AddBoolToObject(o, "disk_low", disk_low(hs));
	if (hs->disk_free >= 0)
		cJSON_AddNumberToObject(o, "disk_free_bytes", hs->disk_free);
}

int health_reasons(struct hub *h, cJSON *arr)
{
	struct health *hs = h->health;
	int n = 0;

	if (!h->broker_up && ++n)
		cJSON_AddItemToArray(arr, cJSON_CreateString("broker_disconnected"));
	if (hs && !hs->commit_ok && ++n)
		cJSON_AddItemToArray(arr, cJSON_CreateString("commit_failing"));
	if (hs && disk_low(hs) && ++n)
		cJSON_AddItemToArray(arr, cJSON_CreateString("disk_low"));
	return n;
}

/* {"broker","links","commit_ok","disk_low","disk_free_bytes"}; the
 * caller owns it. */
static cJSON *status_obj(struct hub *h)
{
	cJSON *o = cJSON_CreateObject();

	health_fields(h, o);
	return o;
}

cJSON *health_status_message(struct hub *h, int audience)
{
	cJSON *o = cJSON_CreateObject(), *f = status_obj(h), *it;

	cJSON_AddStringToObject(o, "type", "status");
	while ((it = f->child)) {
		cJSON_DetachItemViaPointer(f, it);
		cJSON_AddItemToObject(o, it->string, it);
	}
	cJSON_Delete(f);
	return o;
}

/* Send a status message when something in it changed (the free space:
 * only past the low line or by DISK_STEP). */
static void check(struct hub *h)
{
	struct health *hs = h->health;
	cJSON *o;
	char *s;
	int disk_moved;

	if (!hs)
		return;
	o = status_obj(h);
	cJSON_DeleteItemFromObject(o, "disk_free_bytes");
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		return;
	disk_moved = (hs->disk_free < 0) != (hs->disk_sent < 0) ||
		     (hs->disk_free < hs->disk_low) != (hs->disk_sent < hs->disk_low) ||
		     hs->disk_free - hs->disk_sent >= DISK_STEP ||
		     hs->disk_sent - hs->disk_free >= DISK_STEP;
	if (hs->sent && !strcmp(hs->sent, s) && !disk_moved) {
		free(s);
		return;
	}
	free(hs->sent);
	hs->sent = s;
	hs->disk_sent = hs->disk_free;
	o = status_obj(h);
	ws_broadcast(h, "status", o, WS_PUBLIC);
}

void health_link(struct hub *h, int link, int up)
{
	check(h);
}

static void committed(struct hub *h, int ok, void *arg)
{
	struct health *hs = h->health;

	if (!hs || hs->commit_ok == ok)	/* (the last commit comes after health_fini) */
		return;
	hs->commit_ok = ok;
	if (!ok)
		LOG(L_WARN, "health: group commits are failing: /readyz answers 503");
	else
		LOG(L_NOTICE, "health: group commits succeed again");
	check(h);
}

static void tick(struct hub *h, void *arg)
{
	struct health *hs = h->health;
	int was_low = disk_low(hs);

	disk_measure(h, hs);
	if (disk_low(hs) != was_low)
		LOG(disk_low(hs) ? L_WARN : L_NOTICE, "health: %.0f MiB left for the database%s",
		    hs->disk_free / 1048576.0, disk_low(hs) ? ": /readyz says disk_low" : "");
	check(h);
}

/* GET /healthz: the process answers (always 200); "status" says whether
 * it is degraded, with the same fields as the /ws status message. */
static int get_healthz(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	cJSON *o = cJSON_CreateObject(), *r = cJSON_CreateArray();
	char iso[40];
	int n = health_reasons(h, r);

	cJSON_AddStringToObject(o, "status", n ? "degraded" : "ok");
	health_fields(h, o);
	cJSON_AddItemToObject(o, "reasons", r);
	cJSON_AddNumberToObject(o, "devices", device_count(h));
	cJSON_AddNumberToObject(o, "ws_clients", ws_client_count(h));
	cJSON_AddNumberToObject(o, "uptime_s", (double)(long long)(hub_now() - h->started));
	cJSON_AddStringToObject(o, "started", hub_iso(h->started, iso, sizeof(iso), 0));
	cJSON_AddNumberToObject(o, "schema", schema_version());
	return api_json(resp, 200, o);
}

/* GET /readyz: 200 {"status":"ok"} when the hub can do its job, else 503
 * {"status":"degraded","reasons":[…]}. */
static int get_readyz(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	cJSON *o = cJSON_CreateObject(), *r = cJSON_CreateArray();
	int n = health_reasons(h, r);

	cJSON_AddStringToObject(o, "status", n ? "degraded" : "ok");
	cJSON_AddItemToObject(o, "reasons", r);
	health_fields(h, o);
	return api_json(resp, n ? 503 : 200, o);
}

static const struct api_route health_routes[] = {
	{ "GET", "/healthz", ROLE_NONE, get_healthz },
	{ "GET", "/readyz", ROLE_NONE, get_readyz },
	{ NULL, NULL, 0, NULL },
};

int health_init(struct hub *h)
{
	struct health *hs = calloc(1, sizeof(*hs));

	if (!hs)
		return -1;
	h->health = hs;
	hs->commit_ok = 1;
	hs->disk_low = (double)conf_int(h->conf, "store.min_free_mb") * 1048576.0;
	disk_measure(h, hs);
	hs->disk_sent = hs->disk_free;
	if (store_on_commit(h, committed, NULL) ||
	    (h->loop && loop_every(h, HEALTH_TICK_MS, HEALTH_TICK_MS, tick, NULL)))
		return -1;
	return api_register(h, health_routes);
}

void health_fini(struct hub *h)
{
	if (!h->health)
		return;
	free(h->health->sent);
	free(h->health);
	h->health = NULL;
}
