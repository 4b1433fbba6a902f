/*
 * alert.c — the list of active alerts, raised by the device registry
 * (offline), the lab broker link (gone), jobs (failed) and telemetry (a
 * metric past alert.<metric>.above / alert.<metric>.below) and the disk
 * (less than store.min_free_mb left for the database, checked every
 * minute), cleared when the condition ends, and acknowledged by a
 * facilitator.
 *
 * Every change of an alert goes out twice, with the same JSON: on MQTT,
 * mlab/v1/hub/alert/<kind> (QoS 1, not retained), for the lab's other
 * tools, and on /ws as {"type":"alert",…} for the dashboard.  Active
 * alerts are part of the /ws snapshot and of GET /api/alerts.
 *
 * The list is bounded (ALERT_MAX); when it is full the oldest
 * acknowledged alert, else the oldest alert, makes room.  The list hangs
 * off the hub (h->alerts, service thread only), like machine.c's state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "auth/auth.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "lab/alert.h"
#include "core/loop.h"
#include "lab/hass.h"
#include "lab/device.h"
#include "mqtt/mqtt.h"
#include "net/api.h"
#include "net/args.h"
#include "net/ws.h"
#include "store/store.h"

#define ALERT_MAX 256
#define THRESH_MAX 64

struct alert {
	long long id;
	char kind[24];		/* device-offline | broker-down | job-failed | threshold | disk-low */
	char device[ECO_ID_MAX + 20];
	char name[128];		/* the device's display name */
	char metric[32];	/* threshold: the metric */
	char dir[8];		/* threshold: above | below */
	char file[256];		/* job-failed: the job's file */
	char message[320];	/* plain English, for MQTT consumers */
	double value, threshold;
	double since;
	int acked;
	char acked_by[64];
	double acked_at;
};

struct thresh {
	char metric[32];
	double above, below;	/* NAN = not set */
};

struct alerts {
	struct alert list[ALERT_MAX];
	int n;
	long long next_id;
	struct thresh th[THRESH_MAX];	/* from alert.*.above / .below */
	int nth;
};

/* ---- the list -------------------------------------------------------- */

static struct alert *find(struct alerts *al, const char *kind, const char *device,
			  const char *metric, const char *dir)
{
	for (int i = 0; i < al->n; i++) {
		struct alert *a = &al->list[i];

		if (!strcmp(a->kind, kind) && !strcmp(a->device, device) &&
		    (!metric || !strcmp(a->metric, metric)) &&
		    (!dir || !strcmp(a->dir, dir)))
			return a;
	}
	return NULL;
}

static struct alert *find_id(struct alerts *al, long long id)
{
	for (int i = 0; i < al->n; i++)
		if (al->list[i].id == id)
			return &al->list[i];
	return NULL;
}

static void remove_at(struct alerts *al, int i)
{
	memmove(&al->list[i], &al->list[i + 1], (size_t)(al->n - i - 1) * sizeof(al->list[0]));
	al->n--;
}

/* A fresh, zeroed slot at the end of the list (making room if needed). */
static struct alert *add(struct alerts *al)
{
	struct alert *a;

	if (al->n == ALERT_MAX) {
		int victim = 0;

		for (int i = 0; i < al->n; i++)
			if (al->list[i].acked) {
				victim = i;
				break;
			}
		LOG(L_WARN, "alert: list full (%d), dropping alert %lld", ALERT_MAX,
		    al->list[victim].id);
		remove_at(al, victim);
	}
	a = &al->list[al->n++];
	memset(a, 0, sizeof(*a));
	a->id = ++al->next_id;
	return a;
}

/* The alert as JSON (both MQTT payload and /ws members). Caller owns it. */
static cJSON *alert_json(const struct alert *a, int active)
{
	cJSON *o = cJSON_CreateObject();
	char iso[40];

	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "kind", a->kind);
	cJSON_AddStringToObject(o, "device", a->device);
	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddStringToObject(o, "level", strcmp(a->kind, "device-offline") &&
				strcmp(a->kind, "broker-down") ? "warning" : "critical");
	cJSON_AddStringToObject(o, "message", a->message);
	cJSON_AddStringToObject(o, "since", hub_iso(a->since, iso, sizeof(iso), 0));
	cJSON_AddBoolToObject(o, "active", active);
	cJSON_AddBoolToObject(o, "acknowledged", a->acked);
	if (a->acked) {
		cJSON_AddStringToObject(o, "acknowledged_by", a->acked_by);
		cJSON_AddStringToObject(o, "acknowledged_at",
					hub_iso(a->acked_at, iso, sizeof(iso), 0));
	}
	if (a->metric[0]) {
		cJSON_AddStringToObject(o, "metric", a->metric);
		cJSON_AddStringToObject(o, "direction", a->dir);
		cJSON_AddNumberToObject(o, "value", a->value);
		cJSON_AddNumberToObject(o, "threshold", a->threshold);
	}
	if (a->file[0])
		cJSON_AddStringToObject(o, "file", a->file);
	if (!strcmp(a->kind, "disk-low")) {
		cJSON_AddNumberToObject(o, "free_mb", a->value);
		cJSON_AddNumberToObject(o, "min_free_mb", a->threshold);
	}
	return o;
}

/* Tell MQTT and /ws about a (active = still in the list, or just ended). */
static void publish(struct hub *h, const struct alert *a, int active)
{
	cJSON *o = alert_json(a, active);
	char topic[128], *s = cJSON_PrintUnformatted(o);

	snprintf(topic, sizeof(topic), "mlab/v1/hub/alert/%s", a->kind);
	if (s && h->mqtt)
		mqtt_publish(h, 0, topic, s, strlen(s), 1, 0);
	cJSON_free(s);
	hass_alert(h, a->device, a->kind, a->metric, a->name, active);
	ws_broadcast(h, "alert", o, WS_PUBLIC);
}

static void raise_alert(struct hub *h, struct alert *a, struct device *d,
			const char *kind, double ts)
{
	snprintf(a->kind, sizeof(a->kind), "%s", kind);
	snprintf(a->device, sizeof(a->device), "%s", d->id);
	snprintf(a->name, sizeof(a->name), "%.*s", (int)sizeof(a->name) - 1,
		 d->name[0] ? d->name : d->native);
	a->since = ts > 0 ? ts : hub_now();
	LOG(L_NOTICE, "alert %lld: %s: %s", a->id, a->device, a->message);
	publish(h, a, 1);
}

/* The alert ended: publish it as inactive and drop it from the list. */
static void clear_alert(struct hub *h, struct alert *a)
{
	LOG(L_INFO, "alert %lld cleared: %s %s", a->id, a->kind, a->device);
	publish(h, a, 0);
	remove_at(h->alerts, (int)(a - h->alerts->list));
}

/* ---- raising and clearing ---------------------------------------------- */

void alert_device_online(struct hub *h, struct device *d, int online, double ts)
{
	struct alert *a = h->alerts ? find(h->alerts, "device-offline", d->id, NULL, NULL) : NULL;

	if (!h->alerts) {
		/* no alert list (a tool, a unit test): only the LEDs */
	} else if (online && a) {
		clear_alert(h, a);
	} else if (!online && !a) {
		a = add(h->alerts);
		snprintf(a->message, sizeof(a->message), "%s is offline",
			 d->name[0] ? d->name : d->native);
		raise_alert(h, a, d, "device-offline", ts);
	}
}

/* The lab broker went away (link 0 down): one alert says so, instead of
 * one per device, and it clears when the broker is back.  The devices
 * are not offline meanwhile, their state is unknown (device.c). */
void alert_link(struct hub *h, int link, int up)
{
	struct alert *a;

	if (!h->alerts || link != 0)
		return;
	a = find(h->alerts, "broker-down", "hub", NULL, NULL);
	if (up && a) {
		clear_alert(h, a);
	} else if (!up && !a) {
		a = add(h->alerts);
		snprintf(a->kind, sizeof(a->kind), "broker-down");
		snprintf(a->device, sizeof(a->device), "hub");
		snprintf(a->name, sizeof(a->name), "MQTT broker");
		snprintf(a->message, sizeof(a->message),
			 "the hub cannot reach the MQTT broker: device states are unknown");
		a->since = hub_now();
		LOG(L_NOTICE, "alert %lld: %s", a->id, a->message);
		publish(h, a, 1);
	}
}

void alert_job_ended(struct hub *h, struct device *d, int64_t job_id, const char *state,
		     double ts)
{
	const char *file = d->job.file;
	struct alert *a;

	if (!h->alerts)
		return;
	a = find(h->alerts, "job-failed", d->id, NULL, NULL);
	if (a)	/* the next job ended: the old failure is history */
		clear_alert(h, a);
	if (strcmp(state, "failed"))
		return;
	a = add(h->alerts);
	snprintf(a->file, sizeof(a->file), "%s", file ? file : "");
	/* bounded so the message always fits (and says which device) */
	/* the file (often a person's name) is its own member, for staff
	 * only: the message is shown to everyone */
	snprintf(a->message, sizeof(a->message), "a job failed on %.120s",
		 d->name[0] ? d->name : d->native);
	raise_alert(h, a, d, "job-failed", ts);
}

void alert_disk(struct hub *h, long long avail, long long limit, long long db)
{
	struct alert *a;

	if (!h->alerts)
		return;
	a = find(h->alerts, "disk-low", "hub", NULL, NULL);
	if (avail >= limit) {
		if (a)
			clear_alert(h, a);
		return;
	}
	if (a)
		return;
	a = add(h->alerts);
	snprintf(a->kind, sizeof(a->kind), "disk-low");
	snprintf(a->device, sizeof(a->device), "hub");
	snprintf(a->name, sizeof(a->name), "mlab-hub");
	a->value = (double)(avail >> 20);
	a->threshold = (double)(limit >> 20);
	snprintf(a->message, sizeof(a->message),
		 "%lld MiB left for the database (store.min_free_mb = %lld; database %lld MiB)",
		 avail >> 20, limit >> 20, db >> 20);
	a->since = hub_now();
	LOG(L_NOTICE, "alert %lld: %s", a->id, a->message);
	publish(h, a, 1);
}

/* Every minute: the space left beside the database. */
static void disk_tick(struct hub *h, void *arg)
{
	long long db, avail;

	if (!store_space(h, &db, &avail))
		alert_disk(h, avail, conf_int(h->conf, "store.min_free_mb") * 1024LL * 1024LL, db);
}

static void thresh_add(void *arg, const char *key, const char *name, const char *value)
{
	struct alerts *al = arg;
	struct thresh *t = NULL;
	const char *dir = strrchr(key, '.');

	for (int i = 0; i < al->nth; i++)
		if (!strcmp(al->th[i].metric, name))
			t = &al->th[i];
	if (!t) {
		if (al->nth == THRESH_MAX) {
			LOG(L_WARN, "alert: more than %d metrics with thresholds; %s ignored",
			    THRESH_MAX, key);
			return;
		}
		t = &al->th[al->nth++];
		snprintf(t->metric, sizeof(t->metric), "%s", name);
		t->above = t->below = NAN;
	}
	if (dir && !strcmp(dir, ".above"))
		t->above = strtod(value, NULL);
	else
		t->below = strtod(value, NULL);
}

static const struct api_route alert_routes[];

int alert_init(struct hub *h)
{
	struct alerts *al = calloc(1, sizeof(*al));

	if (!al)
		return -1;
	conf_each(h->conf, "alert.*.above", thresh_add, al);
	conf_each(h->conf, "alert.*.below", thresh_add, al);
	h->alerts = al;
	if (h->store)	/* the first look soon after start, then every minute */
		loop_every(h, 2000, 60 * 1000, disk_tick, NULL);
	return api_register(h, alert_routes);
}

void alert_fini(struct hub *h)
{
	free(h->alerts);
	h->alerts = NULL;
}

/* One direction of one threshold: raise when past, clear when back. */
static void check_one(struct hub *h, struct device *d, const char *metric, double value,
		      double limit, const char *dir, double ts)
{
	int past = !strcmp(dir, "above") ? value > limit : value < limit;
	struct alert *a;

	if (isnan(limit))
		return;
	a = find(h->alerts, "threshold", d->id, metric, dir);
	if (a && !past) {
		a->value = value;
		clear_alert(h, a);
	} else if (a) {
		a->value = value;	/* visible on the next change only */
	} else if (past) {
		a = add(h->alerts);
		snprintf(a->metric, sizeof(a->metric), "%s", metric);
		snprintf(a->dir, sizeof(a->dir), "%s", dir);
		a->value = value;
		a->threshold = limit;
		snprintf(a->message, sizeof(a->message), "%s: %s = %g, %s %g",
			 d->name[0] ? d->name : d->native, metric, value, dir, limit);
		raise_alert(h, a, d, "threshold", ts);
	}
}

void alert_metric(struct hub *h, struct device *d, const char *metric, double value, double ts)
{
	struct alerts *al = h->alerts;

	for (int i = 0; al && i < al->nth; i++)
		if (!strcmp(al->th[i].metric, metric)) {
			check_one(h, d, metric, value, al->th[i].above, "above", ts);
			check_one(h, d, metric, value, al->th[i].below, "below", ts);
			return;
		}
}

int alert_count(const struct hub *h, int unacked_only)
{
	int n = 0;

	for (int i = 0; h->alerts && i < h->alerts->n; i++)
		n += !unacked_only || !h->alerts->list[i].acked;
	return n;
}

void alert_ws_snapshot(struct hub *h, struct cJSON *snap)
{
	cJSON *arr = cJSON_AddArrayToObject(snap, "alerts");

	for (int i = 0; h->alerts && i < h->alerts->n; i++)
		cJSON_AddItemToArray(arr, alert_json(&h->alerts->list[i], 1));
}

/* ---- HTTP ------------------------------------------------------------- */

/* GET /api/alerts: {"alerts":[…]} oldest first. */
static int get_alerts(struct api_req *req, struct api_resp *resp)
{
	cJSON *o = cJSON_CreateObject();

	alert_ws_snapshot(req->h, o);
	if (req->role < ROLE_FACILITATOR)
		api_strip_personal(o);
	return api_json(resp, 200, o);
}

/* POST /api/alerts/{id}/ack: a facilitator saw it.  A failed job is an
 * event, not a condition: acknowledging it ends it. */
static int post_ack(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	char obj[32];
	int64_t id = args_path_id(req, 0);
	struct alert *a = !id || !h->alerts ? NULL : find_id(h->alerts, id);
	cJSON *o;

	if (!a)
		return api_error(resp, 404, "no such alert");
	if (!a->acked) {
		a->acked = 1;
		a->acked_at = hub_now();
		snprintf(a->acked_by, sizeof(a->acked_by), "%s",
			 req->user[0] ? req->user : req->peer);
		snprintf(obj, sizeof(obj), "alert/%lld", a->id);
		api_audit(req, "alert.ack", obj, a->kind);
	}
	o = alert_json(a, strcmp(a->kind, "job-failed") != 0);
	if (!strcmp(a->kind, "job-failed"))
		clear_alert(h, a);
	else
		publish(h, a, 1);
	return api_json(resp, 200, o);
}

static const struct api_route alert_routes[] = {
	{ "GET", "/api/alerts", ROLE_NONE, get_alerts },
	{ "POST", "/api/alerts/*/ack", ROLE_FACILITATOR, post_ack },
	{ NULL, NULL, 0, NULL },
};
