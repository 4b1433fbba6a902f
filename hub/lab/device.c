/*
 * device.c — the device registry and the apply path.
 *
 * The registry is an array of devices (index = idx, stable while the hub
 * runs) plus an open-addressing hash on the id.  Everything here runs on
 * the service thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/loop.h"
#include "lab/device.h"
#include "lab/event.h"
#include "mqtt/mqtt.h"
#include "store/store.h"
#include "store/tele.h"

/* Call member fn of every subscriber that has one, with the arguments. */
#define ANNOUNCE(fn, ...) do { \
	for (int s_ = 0; s_ < device_nsubs; s_++) \
		if (device_subs[s_]->fn) \
			device_subs[s_]->fn(__VA_ARGS__); \
	} while (0)

struct registry {
	struct device **dev;	/* by idx */
	int n, cap;
	int *hash;		/* idx+1, 0 = empty; size hcap (power of 2) */
	int hcap;
	int *touched;		/* idx of devices dirty or with acks pending */
	int ntouched, tcap;
	double stale_s;
	double broker_since;	/* the lab broker came back: silence counts from here */
	int start_told;		/* the devices offline at the start were announced */
	int max;		/* devices.max */
	double refused_logged;	/* last time a refusal was logged */
	device_evict_fn evict;	/* makes room when full (removal.c), or NULL */
};

static uint32_t hash_str(const char *s)
{
	uint32_t x = 2166136261u;	/* FNV-1a */

	while (*s)
		x = (x ^ (unsigned char)*s++) * 16777619u;
	return x;
}

static int hash_put(struct registry *r, int idx)
{
	if ((r->n + 1) * 2 > r->hcap) {
		int ncap = r->hcap ? r->hcap * 2 : 256;
		int *nh = calloc((size_t)ncap, sizeof(int));

		if (!nh)
			return -1;
		for (int i = 0; i < r->hcap; i++) {
			if (!r->hash[i])
				continue;
			uint32_t p = hash_str(r->dev[r->hash[i] - 1]->id) & (uint32_t)(ncap - 1);

			while (nh[p])
				p = (p + 1) & (uint32_t)(ncap - 1);
			nh[p] = r->hash[i];
		}
		free(r->hash);
		r->hash = nh;
		r->hcap = ncap;
	}
	uint32_t p = hash_str(r->dev[idx]->id) & (uint32_t)(r->hcap - 1);

	while (r->hash[p])
		p = (p + 1) & (uint32_t)(r->hcap - 1);
	r->hash[p] = idx + 1;
	return 0;
}

struct device *device_find(const struct hub *h, const char *id)
{
	const struct registry *r = h->reg;

	if (!r->hcap)
		return NULL;
	for (uint32_t p = hash_str(id) & (uint32_t)(r->hcap - 1); r->hash[p];
	     p = (p + 1) & (uint32_t)(r->hcap - 1))
		if (!strcmp(r->dev[r->hash[p] - 1]->id, id))
			return r->dev[r->hash[p] - 1];
	return NULL;
}

int device_count(const struct hub *h)
{
	return h->reg->n;
}

struct device *device_at(const struct hub *h, int idx)
{
	return idx >= 0 && idx < h->reg->n ? h->reg->dev[idx] : NULL;
}

static void touch(struct hub *h, struct device *d)
{
	struct registry *r = h->reg;

	if (d->touched)
		goto begin;
	if (r->ntouched == r->tcap) {
		int ncap = r->tcap ? r->tcap * 2 : 64;
		int *nt = realloc(r->touched, (size_t)ncap * sizeof(int));

		if (!nt)
			return;	/* saved at the next touch; acks wait */
		r->touched = nt;
		r->tcap = ncap;
	}
	r->touched[r->ntouched++] = d->idx;
	d->touched = 1;
begin:
	/* its row (or ack) goes out with the next commit: make sure there is
	 * one even when nothing else is written (a status, a stale device, a
	 * row left over from a failed commit); events and acks have theirs
	 * within store.commit_ms already (store_exec) */
	store_soon(h);
}

static void changed(struct hub *h, struct device *d)
{
	d->version++;
	d->dirty = 1;
	touch(h, d);
	ANNOUNCE(changed, h, d);
}

void device_job_ended(struct hub *h, struct device *d, int64_t job_id, const char *state,
		      double ts)
{
	ANNOUNCE(job_ended, h, d, job_id, state, ts);
}

void device_changed(struct hub *h, struct device *d)
{
	changed(h, d);
}

void device_link_changed(struct hub *h, int link, int up)
{
	if (link == 0 && up && h->reg)
		h->reg->broker_since = hub_now();
	if (up && h->reg)	/* acks an older hub retained */
		for (int i = 0; i < h->reg->n; i++)
			if (h->reg->dev[i]->link == link &&
			    event_clear_retained(h, h->reg->dev[i]))
				touch(h, h->reg->dev[i]);
	ANNOUNCE(link, h, link, up);
}

void device_session_changed(struct hub *h, int64_t id, const char *event)
{
	ANNOUNCE(session, h, id, event);
}

/* Add d to the registry; the registry owns it from here. */
static int registry_add(struct hub *h, struct device *d)
{
	struct registry *r = h->reg;

	if (r->n == r->cap) {
		int ncap = r->cap ? r->cap * 2 : 64;
		struct device **nd = realloc(r->dev, (size_t)ncap * sizeof(*nd));

		if (!nd)
			return -1;
		r->dev = nd;
		r->cap = ncap;
	}
	d->idx = r->n;
	r->dev[r->n] = d;
	if (hash_put(r, d->idx))
		return -1;
	r->n++;
	return 0;
}

void device_unlink(struct hub *h, struct device *d)
{
	struct registry *r = h->reg;
	int idx = d->idx, last = r->n - 1, keep = 0;

	/* the last device takes the freed index */
	r->dev[idx] = r->dev[last];
	r->dev[idx]->idx = idx;
	r->n--;
	for (int i = 0; i < r->ntouched; i++) {
		if (r->touched[i] == idx)
			continue;
		r->touched[keep++] = r->touched[i] == last ? idx : r->touched[i];
	}
	r->ntouched = keep;
	memset(r->hash, 0, (size_t)r->hcap * sizeof(int));
	for (int i = 0; i < r->n; i++) {
		uint32_t p = hash_str(r->dev[i]->id) & (uint32_t)(r->hcap - 1);

		while (r->hash[p])
			p = (p + 1) & (uint32_t)(r->hcap - 1);
		r->hash[p] = i + 1;
	}
	cJSON_Delete(d->settings);
	free(d->metric);
	event_free(d);
	free(d);
}

static int eco_index(const char *source)
{
	for (int i = 0; i < eco_count; i++)
		if (!strcmp(eco_table[i]->name, source))
			return i;
	return -1;
}

/* The slot of metric `name` in d, added if new; NULL when out of memory or
 * when d already has DEVICE_METRIC_MAX metrics (a device, or anyone
 * publishing on its topics, must not grow the registry without bound). */
static struct metric *metric_slot(struct device *d, const char *name)
{
	for (int i = 0; i < d->nmetric; i++)
		if (!strcmp(d->metric[i].name, name))
			return &d->metric[i];
	if (d->nmetric >= DEVICE_METRIC_MAX) {
		if (!d->metric_full)
			LOG(L_WARN, "device: %s has %d metrics; new names are ignored",
			    d->id, DEVICE_METRIC_MAX);
		d->metric_full = 1;
		return NULL;
	}
	if (d->nmetric == d->cap) {
		int ncap = d->cap ? d->cap * 2 : 8;
		struct metric *nm = realloc(d->metric, (size_t)ncap * sizeof(*nm));

		if (!nm)
			return NULL;
		d->metric = nm;
		d->cap = ncap;
	}
	memset(&d->metric[d->nmetric], 0, sizeof(struct metric));
	snprintf(d->metric[d->nmetric].name, sizeof(d->metric[0].name), "%s", name);
	return &d->metric[d->nmetric++];
}

static void job_clear(struct device_job *j)
{
	memset(j, 0, sizeof(*j));
	j->progress = j->remaining = j->layer = j->layers = j->filament_mm = -1;
}

/* Restore metrics, job and switch from the devices.state JSON. */
static void state_restore(struct device *d, const char *json)
{
	cJSON *root = json ? cJSON_Parse(json) : NULL, *it;

	job_clear(&d->job);
	if (!root)
		return;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "metrics")) {
		struct metric *m;

		if (cJSON_GetArraySize(it) != 2 || !(m = metric_slot(d, it->string)))
			continue;
		m->value = cJSON_GetArrayItem(it, 0)->valuedouble;
		m->ts = cJSON_GetArrayItem(it, 1)->valuedouble;
	}
	if ((it = cJSON_GetObjectItem(root, "job"))) {
		cJSON *v;

		d->has_job = 1;
		eco_jstr(cJSON_GetObjectItem(it, "state"), d->job.state, sizeof(d->job.state));
		eco_jstr(cJSON_GetObjectItem(it, "kind"), d->job.kind, sizeof(d->job.kind));
		eco_jstr(cJSON_GetObjectItem(it, "file"), d->job.file, sizeof(d->job.file));
		if ((v = cJSON_GetObjectItem(it, "progress")))
			d->job.progress = v->valuedouble;
		if ((v = cJSON_GetObjectItem(it, "remaining")))
			d->job.remaining = v->valuedouble;
		if ((v = cJSON_GetObjectItem(it, "started_at")))
			d->job.started_at = v->valuedouble;
		if ((v = cJSON_GetObjectItem(it, "row")))
			d->job.row = (int64_t)v->valuedouble;
	}
	if ((it = cJSON_GetObjectItem(root, "switch"))) {
		d->has_switch = 1;
		d->switch_on = cJSON_IsTrue(it);
	}
	cJSON_Delete(root);
}

static char *state_json(const struct device *d)
{
	cJSON *root = cJSON_CreateObject(), *m = cJSON_AddObjectToObject(root, "metrics");
	char *out;

	for (int i = 0; i < d->nmetric; i++) {
		cJSON *pair = cJSON_CreateArray();

		cJSON_AddItemToArray(pair, cJSON_CreateNumber(d->metric[i].value));
		cJSON_AddItemToArray(pair, cJSON_CreateNumber(d->metric[i].ts));
		cJSON_AddItemToObject(m, d->metric[i].name, pair);
	}
	if (d->has_job) {
		cJSON *j = cJSON_AddObjectToObject(root, "job");

		cJSON_AddStringToObject(j, "state", d->job.state);
		cJSON_AddStringToObject(j, "kind", d->job.kind);
		cJSON_AddStringToObject(j, "file", d->job.file);
		cJSON_AddNumberToObject(j, "progress", d->job.progress);
		cJSON_AddNumberToObject(j, "remaining", d->job.remaining);
		cJSON_AddNumberToObject(j, "started_at", d->job.started_at);
		cJSON_AddNumberToObject(j, "row", (double)d->job.row);
	}
	if (d->has_switch)
		cJSON_AddBoolToObject(root, "switch", d->switch_on);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static void save_dirty(struct hub *h, int ok, void *arg);
static void committed(struct hub *h, int ok, void *arg);

#define DEVICE_STALE_TICK_MS 2000	/* how often silent devices are looked for */

static void stale_tick(struct hub *h, void *arg)
{
	device_check_stale(h, hub_now());
}

int device_init(struct hub *h)
{
	static const char load[] =
		"SELECT d.dev, id, source, native, name, kind, model, room, firmware,"
		" online, first_seen, last_seen, state, a.dev, a.boot, a.seq, a.retained"
		" FROM devices d LEFT JOIN event_acks a ON a.dev = d.dev WHERE d.id NOT LIKE 'removed/%' ORDER BY d.dev";
	sqlite3_stmt *st;
	int rc;

	h->reg = calloc(1, sizeof(struct registry));
	if (!h->reg)
		return -1;
	h->reg->stale_s = (double)conf_int(h->conf, "devices.stale_s");
	h->reg->max = (int)conf_int(h->conf, "devices.max");
	/* the readings' queue, committed by the store on its own window */
	if (tele_init(h) || !(st = store_stmt(h, load)))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct device *d = calloc(1, sizeof(*d));

		if (!d)
			break;
		d->dev = sqlite3_column_int64(st, 0);
		snprintf(d->id, sizeof(d->id), "%s", col(st, 1));
		snprintf(d->source, sizeof(d->source), "%s", col(st, 2));
		snprintf(d->native, sizeof(d->native), "%s", col(st, 3));
		snprintf(d->name, sizeof(d->name), "%s", col(st, 4));
		snprintf(d->kind, sizeof(d->kind), "%s", col(st, 5));
		snprintf(d->model, sizeof(d->model), "%s", col(st, 6));
		snprintf(d->room, sizeof(d->room), "%s", col(st, 7));
		snprintf(d->firmware, sizeof(d->firmware), "%s", col(st, 8));
		d->online = sqlite3_column_int(st, 9);
		d->first_seen = sqlite3_column_double(st, 10);
		d->last_seen = sqlite3_column_double(st, 11);
		state_restore(d, (const char *)sqlite3_column_text(st, 12));
		/* offline, and once online (heard after its first message or
		 * with a state): not a device known only from a description */
		d->offline_at_start = !d->online &&
			(d->last_seen > d->first_seen || d->nmetric || d->has_job || d->has_switch);
		d->eco = eco_index(d->source);
		if (registry_add(h, d)) {
			free(d->metric);
			free(d);
			break;
		}
		if (sqlite3_column_type(st, 13) != SQLITE_NULL &&
		    event_load(h, d, col(st, 14), sqlite3_column_int64(st, 15),
			       sqlite3_column_int(st, 16)))
			break;
	}
	sqlite3_reset(st);
	LOG(L_INFO, "device: %d devices loaded", h->reg->n);
	if (store_before_commit(h, save_dirty, NULL) || store_on_commit(h, committed, NULL))
		return -1;
	loop_every(h, DEVICE_STALE_TICK_MS, DEVICE_STALE_TICK_MS, stale_tick, NULL);
	return 0;
}

void device_fini(struct hub *h)
{
	struct registry *r = h->reg;

	if (!r)
		return;
	for (int i = 0; i < r->n; i++) {
		cJSON_Delete(r->dev[i]->settings);
		free(r->dev[i]->metric);
		event_free(r->dev[i]);
		free(r->dev[i]);
	}
	free(r->dev);
	free(r->hash);
	free(r->touched);
	free(r);
	h->reg = NULL;
}

/* Find or create the device source/native; a new one gets its row now so
 * that telemetry rows can reference it. NULL if it cannot be stored. */
static struct device *device_get(struct hub *h, const char *source,
				 const char *native, double ts, int online)
{
	static const char ins[] =
		"INSERT INTO devices(id, source, native, kind, online, first_seen, last_seen)"
		" VALUES (?1, ?2, ?3, 'other', ?5, ?4, ?4)";
	char id[sizeof(((struct device *)0)->id)];
	struct device *d;
	sqlite3_stmt *st;

	snprintf(id, sizeof(id), "%s/%s", source, native);
	if ((d = device_find(h, id)))
		return d;
	/* a flood of made-up ids must not grow the registry and the database
	 * for ever: past devices.max, new devices are refused and counted */
	if (h->reg->n >= h->reg->max &&
	    (!h->reg->evict || h->reg->evict(h, ts, h->reg->stale_s))) {
		h->stats.devices_refused++;
		if (ts - h->reg->refused_logged > 60) {
			LOG(L_WARN, "device: %s refused: devices.max (%d) reached", id, h->reg->max);
			h->reg->refused_logged = ts;
		}
		return NULL;
	}
	if (!(st = store_stmt(h, ins)))
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, native, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 4, ts);
	sqlite3_bind_int(st, 5, online);
	if (store_exec(h, st) != SQLITE_DONE)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->dev = sqlite3_last_insert_rowid(store_db(h));
	snprintf(d->id, sizeof(d->id), "%s", id);
	snprintf(d->source, sizeof(d->source), "%s", source);
	snprintf(d->native, sizeof(d->native), "%s", native);
	snprintf(d->kind, sizeof(d->kind), "other");
	d->online = online;
	d->first_seen = d->last_seen = ts;
	d->eco = eco_index(source);
	job_clear(&d->job);
	if (registry_add(h, d)) {
		free(d);
		return NULL;
	}
	LOG(L_INFO, "device: new device %s", id);
	return d;
}

void device_set_online(struct hub *h, struct device *d, int online, double ts)
{
	if (d->online == online)
		return;
	d->online = online;
	changed(h, d);
	ANNOUNCE(online, h, d, online, ts);
}

/* Copy a string field if it differs; returns 1 when it changed. */
static int set_str(char *dst, size_t len, const char *src)
{
	if (!strncmp(dst, src, len))
		return 0;
	snprintf(dst, len, "%s", src);
	return 1;
}

/* The metrics.id of name, adding it to the dictionary the first time
 * (create).  Returns the id (> 0); 0 when name is not in the dictionary
 * and !create; -1 on error (logged, by the store for the insert). */
int64_t device_metric_id(struct hub *h, const char *name, int create)
{
	static const char ins[] = "INSERT OR IGNORE INTO metrics(name) VALUES (?1)";
	static const char sel[] = "SELECT id FROM metrics WHERE name = ?1";
	sqlite3_stmt *st;
	int64_t id = -1;
	int rc;

	/* a failed insert shows below: the name has no id */
	if (create && (st = store_stmt(h, ins))) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		store_exec(h, st);
	}
	if (!(st = store_stmt(h, sel)))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		id = create ? -1 : 0;	/* the insert's failure was logged */
	else
		LOG(L_ERR, "device: metric %s: %s", name, sqlite3_errstr(rc));
	sqlite3_reset(st);
	return id;
}

/* Queue the readings of one message (tele.c: written with the next
 * telemetry commit, thinned where unchanged).  0 or -1. */
static int telemetry_store(struct hub *h, struct device *d, const int *idx, int n, double ts)
{
	int64_t mid[ECO_MAX_METRIC];
	double val[ECO_MAX_METRIC];

	for (int i = 0; i < n; i++) {
		struct metric *m = &d->metric[idx[i]];

		if (!m->mid) {
			int64_t id = device_metric_id(h, m->name, 1);

			if (id <= 0)
				return -1;
			m->mid = id;
		}
		mid[i] = m->mid;
		val[i] = m->value;
	}
	return n && tele_put(h, d->dev, ts, n, mid, val) < 0 ? -1 : 0;
}

int device_apply(struct hub *h, int eco_idx, int link,
		 const struct eco_dev *u, double rx, const char *raw,
		 size_t rawlen)
{
	const char *source = u->source[0] ? u->source : eco_table[eco_idx]->name;
	double ts = rx;
	struct device *d;
	int got[ECO_MAX_METRIC];
	int vis = 0, ngot = 0;

	/* a device clock is trusted if it is after 2001 and not in the future */
	if ((u->has & ECO_TS) && u->ts > 1e9 && u->ts < rx + 60)
		ts = u->ts;
	if (!u->native[0])
		return 0;
	if (u->has & ECO_FORGET) {
		char id[sizeof(d->id)];

		snprintf(id, sizeof(id), "%s/%s", source, u->native);
		if ((d = device_find(h, id)) && d->online)
			device_set_online(h, d, 0, ts);
		return 0;	/* history is kept; the device just goes quiet */
	}
	/* a device known only from a description (a retained discovery
	 * config) is not online until it reports or announces it */
	if (!(d = device_get(h, source, u->native, ts,
			     !(u->has & ECO_DESCRIBE) ||
			     ((u->has & ECO_ONLINE) && u->online))))
		return -1;
	d->link = link;
	if (u->has & ECO_EVENT) {
		int fresh;

		touch(h, d);	/* its watermark and ack go with the next commit */
		if (!d->touched)
			return -1;
		if ((fresh = event_store(h, d, u, ts, rx, raw, rawlen)) < 0)
			return -1;
		if (!fresh) {	/* a resend: stored and applied before */
			h->stats.events_duplicate++;
			return 0;
		}
		h->stats.events_stored++;
	}
	if (rx > d->last_seen && !(u->has & ECO_DESCRIBE)) {
		d->last_seen = rx;
		d->dirty = 1;
		touch(h, d);
	}
	if (u->has & ECO_NAME)
		vis |= set_str(d->name, sizeof(d->name), u->name);
	if (u->has & ECO_KIND)
		vis |= set_str(d->kind, sizeof(d->kind), u->kind);
	if (u->has & ECO_MODEL)
		vis |= set_str(d->model, sizeof(d->model), u->model);
	if (u->has & ECO_ROOM)
		vis |= set_str(d->room, sizeof(d->room), u->room);
	if (u->has & ECO_FIRMWARE)
		vis |= set_str(d->firmware, sizeof(d->firmware), u->firmware);
	if (u->has & ECO_ONLINE) {
		d->has_signal = 1;
		if (d->online != u->online)
			device_set_online(h, d, u->online, ts);
	} else if (!d->online && !(u->has & (ECO_FORGET | ECO_DESCRIBE)) &&
		   (u->nmetric || (u->has & (ECO_JOB_STATE | ECO_SWITCH | ECO_EVENT)))) {
		/* a device that talks is online, whatever it said before */
		device_set_online(h, d, 1, ts);
	}
	for (int i = 0; i < u->nmetric; i++) {
		struct metric *m = metric_slot(d, u->metric[i].name);

		if (!m)
			continue;
		if (m->value != u->metric[i].value || !m->ts)
			vis = 1;
		m->value = u->metric[i].value;
		m->ts = ts;
		got[ngot++] = (int)(m - d->metric);	/* the array may move */
		ANNOUNCE(metric, h, d, m->name, m->value, ts);
	}
	if (telemetry_store(h, d, got, ngot, ts))
		return -1;
	if (u->has & ECO_SWITCH) {
		if (!d->has_switch || d->switch_on != u->switch_on)
			vis = 1;
		d->has_switch = 1;
		d->switch_on = u->switch_on;
	}
	if (u->has & (ECO_JOB_STATE | ECO_JOB_FILE | ECO_JOB_PROGRESS |
		      ECO_JOB_REMAINING | ECO_JOB_LAYER | ECO_JOB_FILAMENT))
		for (int s = 0; s < device_nsubs; s++)
			if (device_subs[s]->update && device_subs[s]->update(h, d, u, ts) > 0)
				vis = 1;
	if (u->has & ECO_BUTTON)
		ANNOUNCE(button, h, d, u->button, ts);
	if (vis)
		changed(h, d);
	else if (u->nmetric) {
		d->version++;	/* fresh timestamps: same values, newer last_seen */
		ANNOUNCE(changed, h, d);
	}
	return 0;
}

void device_check_stale(struct hub *h, double now)
{
	struct registry *r = h->reg;

	/* without the broker, silence says nothing about a device: its state
	 * is unknown (the pages show it so), not offline; once the broker is
	 * back, each device has stale_s to be heard again */
	if (!h->broker_up)
		return;
	for (int i = 0; i < r->n; i++) {
		struct device *d = r->dev[i];
		double heard = d->last_seen > r->broker_since ? d->last_seen : r->broker_since;

		/* a device with a last will is offline when its broker says so */
		if (d->online && !d->has_signal && now - heard > r->stale_s) {
			LOG(L_INFO, "device: %s silent for %.0f s: offline", d->id,
			    now - d->last_seen);
			device_set_online(h, d, 0, now);
		}
	}
	/* the devices stored offline had their chance to report since the
	 * broker's first connection: those still offline are announced (the
	 * alert list is in memory), as if they had just gone offline */
	if (!r->start_told && r->broker_since > 0 && now - r->broker_since > r->stale_s) {
		r->start_told = 1;
		for (int i = 0; i < r->n; i++) {
			struct device *d = r->dev[i];

			if (d->offline_at_start && !d->online)
				ANNOUNCE(online, h, d, 0, now);
			d->offline_at_start = 0;
		}
	}
}

/* Before each group commit (store_before_commit): write the rows of the
 * devices changed in this window into the transaction.  They stay dirty
 * until the commit that holds them succeeds (committed()). */
static void save_dirty(struct hub *h, int ok, void *arg)
{
	static const char upd[] =
		"UPDATE devices SET name=?2, kind=?3, model=?4, room=?5, firmware=?6,"
		" online=?7, last_seen=?8, state=?9 WHERE dev=?1";
	struct registry *r = h->reg;

	if (!r)
		return;
	for (int i = 0; i < r->ntouched; i++) {
		struct device *d = r->dev[r->touched[i]];
		sqlite3_stmt *st;
		char *state;

		event_save(h, d);	/* a failure fails the commit: nothing acked */
		if (!d->dirty || !(st = store_stmt(h, upd)))
			continue;
		state = state_json(d);
		sqlite3_bind_int64(st, 1, d->dev);
		sqlite3_bind_text(st, 2, d->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, d->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, d->model, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, d->room, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, d->firmware, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, d->online);
		sqlite3_bind_double(st, 8, d->last_seen);
		sqlite3_bind_text(st, 9, state, -1, free);
		d->saving = store_exec(h, st) == SQLITE_DONE;
	}
}

/* After each group commit (store_on_commit; ok: it is on disk): rows
 * saved are clean, watermarks settle and acknowledgements go out
 * (event.c).  A device whose row did not reach the disk stays dirty and in
 * the touched list, so the next commit saves it. */
static void committed(struct hub *h, int ok, void *arg)
{
	struct registry *r = h->reg;
	int keep = 0;

	if (!r)
		return;
	for (int i = 0; i < r->ntouched; i++) {
		struct device *d = r->dev[r->touched[i]];

		if (d->saving && ok)
			d->dirty = 0;
		d->saving = 0;
		if (d->dirty)
			r->touched[keep++] = d->idx;
		else
			d->touched = 0;
		event_committed(h, d, ok);
	}
	r->ntouched = keep;
}

cJSON *device_json(const struct device *d)
{
	cJSON *o = cJSON_CreateObject(), *m;
	char iso[40];

	cJSON_AddStringToObject(o, "id", d->id);
	cJSON_AddStringToObject(o, "source", d->source);
	cJSON_AddStringToObject(o, "name", d->name[0] ? d->name : d->native);
	cJSON_AddStringToObject(o, "kind", d->kind);
	if (d->model[0])
		cJSON_AddStringToObject(o, "model", d->model);
	if (d->room[0])
		cJSON_AddStringToObject(o, "room", d->room);
	if (d->firmware[0])
		cJSON_AddStringToObject(o, "firmware", d->firmware);
	cJSON_AddBoolToObject(o, "online", d->online);
	cJSON_AddStringToObject(o, "last_seen", hub_iso(d->last_seen, iso, sizeof(iso), 0));
	m = cJSON_AddObjectToObject(o, "metrics");
	for (int i = 0; i < d->nmetric; i++)
		cJSON_AddNumberToObject(m, d->metric[i].name, d->metric[i].value);
	if (d->has_job) {
		cJSON *j = cJSON_AddObjectToObject(o, "job");

		cJSON_AddStringToObject(j, "state", d->job.state[0] ? d->job.state : "idle");
		if (d->job.kind[0] && strcmp(d->job.kind, "print"))
			cJSON_AddStringToObject(j, "kind", d->job.kind);
		if (d->job.file[0])
			cJSON_AddStringToObject(j, "file", d->job.file);
		if (d->job.progress >= 0)
			cJSON_AddNumberToObject(j, "progress_pct", round(d->job.progress * 10) / 10);
		if (d->job.remaining >= 0)
			cJSON_AddNumberToObject(j, "remaining_s", round(d->job.remaining));
		if (d->job.layer >= 0)
			cJSON_AddNumberToObject(j, "layer", d->job.layer);
		if (d->job.layers >= 0)
			cJSON_AddNumberToObject(j, "layers", d->job.layers);
		if (d->job.started_at > 0)
			cJSON_AddStringToObject(j, "started_at",
						hub_iso(d->job.started_at, iso, sizeof(iso), 0));
	}
	if (d->has_switch) {
		cJSON *s = cJSON_AddObjectToObject(o, "switch");

		cJSON_AddBoolToObject(s, "on", d->switch_on);
	}
	return o;
}

void device_on_full(struct hub *h, device_evict_fn fn)
{
	if (h->reg)
		h->reg->evict = fn;
}
