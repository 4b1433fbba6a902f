/*
 * devset.c — what facilitators say about a device, from the dashboard:
 * a name and a room that win over what the device reports, the metrics
 * nobody reads (hidden on the tiles), and for a plug the printer or
 * scanner it feeds and the machine it measures (with its busy threshold),
 * and the public name the wall shows instead of the staff's name.
 *
 *	PATCH /api/devices/{id}  {"name"?, "public_name"?, "room"?,
 *	                          "hidden_metrics"?: […], "feeds"?, "machine"?,
 *	                          "busy_w"?}
 *
 * A member that is null or "" clears that setting.  The settings live in
 * the device_settings table (one row per device; the public name in
 * devices.public_name, where the schema has kept a place for it since
 * version 9), so they survive a restart; each change is audit-logged with the members it touched.  The
 * device's JSON shows the chosen name and room, with what the device
 * reports under "reported"; a plug's machine goes to machine.c, where it
 * takes over from (or adds to) the machine.*.plug configuration.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "auth/auth.h"
#include "core/hub.h"
#include "core/log.h"
#include "lab/device.h"
#include "lab/devset.h"
#include "lab/machine.h"
#include "net/api.h"
#include "net/args.h"
#include "store/store.h"

#define DEVSET_NAME_MAX 127
#define DEVSET_ROOM_MAX 63
#define DEVSET_HIDDEN_MAX 64	/* hidden metrics per device */

static const char *const members[] = {
	"name", "public_name", "room", "hidden_metrics", "feeds", "machine", "busy_w", NULL,
};

static const char *sget(const cJSON *s, const char *k)
{
	const cJSON *v = s ? cJSON_GetObjectItemCaseSensitive(s, k) : NULL;

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static double nget(const cJSON *s, const char *k)
{
	const cJSON *v = s ? cJSON_GetObjectItemCaseSensitive(s, k) : NULL;

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* Put d's settings into its JSON o: the chosen name and room, "reported"
 * with the device's own, hidden_metrics, feeds, machine. */
static void decorate(const struct device *d, cJSON *o)
{
	const cJSON *s = d->settings;
	const cJSON *hid = s ? cJSON_GetObjectItemCaseSensitive(s, "hidden_metrics") : NULL;
	const char *name = sget(s, "name"), *room = sget(s, "room");

	if (!s)
		return;
	if (name || room) {
		cJSON *rep = cJSON_AddObjectToObject(o, "reported");

		cJSON_AddStringToObject(rep, "name", d->name[0] ? d->name : d->native);
		if (d->room[0])
			cJSON_AddStringToObject(rep, "room", d->room);
	}
	if (name)
		cJSON_ReplaceItemInObjectCaseSensitive(o, "name", cJSON_CreateString(name));
	if (room) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "room");
		cJSON_AddStringToObject(o, "room", room);
	}
	if (cJSON_IsArray(hid) && cJSON_GetArraySize(hid))
		cJSON_AddItemToObject(o, "hidden_metrics", cJSON_Duplicate(hid, 1));
	if (sget(s, "public_name"))
		cJSON_AddStringToObject(o, "public_name", sget(s, "public_name"));
	if (sget(s, "feeds"))
		cJSON_AddStringToObject(o, "feeds", sget(s, "feeds"));
	if (sget(s, "machine"))
		cJSON_AddStringToObject(o, "machine", sget(s, "machine"));
	if (nget(s, "busy_w") > 0)
		cJSON_AddNumberToObject(o, "busy_w", nget(s, "busy_w"));
}

cJSON *devset_json(const struct device *d)
{
	cJSON *o = device_json(d);

	if (o)
		decorate(d, o);
	return o;
}

void devset_public(cJSON *o)
{
	static const char *const staff_only[] = { "name", "reported", "machine" };

	for (size_t i = 0; i < sizeof(staff_only) / sizeof(staff_only[0]); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(o, staff_only[i]);
}

/* Tell machine.c what plug d measures now. */
static void to_machines(struct hub *h, const struct device *d)
{
	machine_plug_set(h, d->id, sget(d->settings, "machine"), nget(d->settings, "busy_w"));
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Write d's settings row (inside the open group transaction).  0 or -1. */
static int save(struct hub *h, const struct device *d, const char *by)
{
	static const char put[] =
		"INSERT OR REPLACE INTO device_settings(id, name, room, hidden_metrics, feeds,"
		" machine, busy_w, updated_at, updated_by) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)";
	static const char pub[] = "UPDATE devices SET public_name=?2 WHERE id=?1";
	const cJSON *s = d->settings;
	const cJSON *hid = cJSON_GetObjectItemCaseSensitive(s, "hidden_metrics");
	sqlite3_stmt *st = store_stmt(h, pub);
	char *hidden = NULL;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	bind_opt(st, 2, sget(s, "public_name"));
	if (store_exec(h, st) != SQLITE_DONE || !(st = store_stmt(h, put)))
		return -1;
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	bind_opt(st, 2, sget(s, "name"));
	bind_opt(st, 3, sget(s, "room"));
	if (cJSON_IsArray(hid) && cJSON_GetArraySize(hid) && (hidden = cJSON_PrintUnformatted(hid)))
		sqlite3_bind_text(st, 4, hidden, -1, free);
	bind_opt(st, 5, sget(s, "feeds"));
	bind_opt(st, 6, sget(s, "machine"));
	if (nget(s, "busy_w") > 0)
		sqlite3_bind_double(st, 7, nget(s, "busy_w"));
	sqlite3_bind_double(st, 8, hub_now());
	bind_opt(st, 9, by);
	rc = store_exec(h, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Check one member of the PATCH body and fold it into s (owned by the
 * caller).  0, or -1 after answering 400. */
static int take(struct api_req *req, struct api_resp *resp, cJSON *s, const cJSON *v)
{
	const char *k = v->string;
	const char *str;

	if (!strcmp(k, "hidden_metrics")) {
		const cJSON *m;
		cJSON *arr;

		if (cJSON_IsNull(v)) {
			cJSON_DeleteItemFromObjectCaseSensitive(s, k);
			return 0;
		}
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > DEVSET_HIDDEN_MAX)
			return api_error(resp, 400, "hidden_metrics must be a list of at most %d metric names",
					 DEVSET_HIDDEN_MAX), -1;
		arr = cJSON_CreateArray();
		cJSON_ArrayForEach(m, v) {
			if (!cJSON_IsString(m) || !m->valuestring[0] ||
			    strlen(m->valuestring) >= sizeof(((struct metric *)0)->name)) {
				cJSON_Delete(arr);
				return api_error(resp, 400, "hidden_metrics: each is a metric name of 1 to %zu bytes",
						 sizeof(((struct metric *)0)->name) - 1), -1;
			}
			cJSON_AddItemToArray(arr, cJSON_CreateString(m->valuestring));
		}
		cJSON_DeleteItemFromObjectCaseSensitive(s, k);
		cJSON_AddItemToObject(s, k, arr);
		return 0;
	}
	if (!strcmp(k, "busy_w")) {
		cJSON_DeleteItemFromObjectCaseSensitive(s, k);
		if (cJSON_IsNull(v))
			return 0;
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble <= 0 ||
		    v->valuedouble > 100000)
			return api_error(resp, 400, "busy_w must be a power in watts, above 0 and at most 100000"), -1;
		cJSON_AddNumberToObject(s, k, v->valuedouble);
		return 0;
	}
	if (args_str(resp, req->json, k, NULL,
		     !strcmp(k, "room") ? DEVSET_ROOM_MAX : !strcmp(k, "feeds") ? ECO_ID_MAX + 19 :
		     DEVSET_NAME_MAX, 0, &str))
		return -1;
	if (str && !strcmp(k, "feeds") && !device_find(req->h, str))
		return api_error(resp, 400, "feeds: no device %s", str), -1;
	cJSON_DeleteItemFromObjectCaseSensitive(s, k);
	if (str)
		cJSON_AddStringToObject(s, k, str);
	return 0;
}

/* PATCH /api/devices/{id} (facilitators): the settings above; answers
 * the device's JSON. */
static int patch_device(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	char *p = req->params[0];
	size_t n = strlen(p);
	struct device *d;
	const cJSON *v;
	cJSON *s;
	char what[160] = "";
	int bad = 0;

	if (n && p[n - 1] == '/')
		p[--n] = '\0';
	if (!(d = device_find(h, p)))
		return api_error(resp, 404, "no such device");
	if (!cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	cJSON_ArrayForEach(v, req->json)
		if (args_in_list(members, v->string) < 0)
			return api_error(resp, 400, "unknown member %s (name, public_name, room,"
					 " hidden_metrics, feeds, machine, busy_w)", v->string);
	if (cJSON_GetObjectItemCaseSensitive(req->json, "feeds") &&
	    args_string(req->json, "feeds") && !strcmp(args_string(req->json, "feeds"), d->id))
		return api_error(resp, 400, "feeds: a plug cannot feed itself");
	s = d->settings ? cJSON_Duplicate(d->settings, 1) : cJSON_CreateObject();
	cJSON_ArrayForEach(v, req->json) {
		if (take(req, resp, s, v)) {
			bad = 1;
			break;
		}
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%s",
			 what[0] ? ", " : "", v->string);
	}
	if (bad) {
		cJSON_Delete(s);
		return 0;
	}
	cJSON_Delete(d->settings);
	d->settings = s;
	if (save(h, d, req->user))
		return api_error(resp, 500, "database error");
	api_audit(req, "device.settings", d->id, what[0] ? what : "nothing");
	if (args_commit(req, resp))
		return 0;
	to_machines(h, d);
	device_changed(h, d);
	return api_json(resp, 200, devset_json(d));
}

void devset_forget(struct hub *h, const struct device *d)
{
	machine_plug_gone(h, d->id);
	for (int i = 0; i < device_count(h); i++) {
		struct device *o = device_at(h, i);
		const char *f = sget(o->settings, "feeds");

		if (o != d && f && !strcmp(f, d->id)) {
			cJSON_DeleteItemFromObjectCaseSensitive(o->settings, "feeds");
			device_changed(h, o);
		}
	}
}

static const struct api_route routes[] = {
	{ "PATCH", "/api/devices/**", ROLE_FACILITATOR, patch_device },
	{ NULL, NULL, 0, NULL },
};

/* The stored row of the current statement as a settings object (caller
 * owns it). */
static cJSON *row_settings(sqlite3_stmt *st)
{
	static const char *const cols[] = { NULL, "name", "room", NULL, "feeds", "machine" };
	cJSON *s = cJSON_CreateObject();
	const char *hid = (const char *)sqlite3_column_text(st, 3);

	for (int i = 1; i < 6; i++)
		if (cols[i] && sqlite3_column_type(st, i) != SQLITE_NULL)
			cJSON_AddStringToObject(s, cols[i], (const char *)sqlite3_column_text(st, i));
	if (hid) {
		cJSON *arr = cJSON_Parse(hid);

		if (cJSON_IsArray(arr))
			cJSON_AddItemToObject(s, "hidden_metrics", arr);
		else
			cJSON_Delete(arr);
	}
	if (sqlite3_column_type(st, 6) != SQLITE_NULL)
		cJSON_AddNumberToObject(s, "busy_w", sqlite3_column_double(st, 6));
	return s;
}

int devset_init(struct hub *h)
{
	static const char q[] =
		"SELECT id, name, room, hidden_metrics, feeds, machine, busy_w FROM device_settings";
	static const char pq[] = "SELECT id, public_name FROM devices WHERE public_name <> ''";
	sqlite3_stmt *st = store_stmt(h, q);
	int n = 0;

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct device *d = device_find(h, (const char *)sqlite3_column_text(st, 0));

		if (!d)
			continue;
		cJSON_Delete(d->settings);
		d->settings = row_settings(st);
		to_machines(h, d);
		n++;
	}
	sqlite3_reset(st);
	if (!(st = store_stmt(h, pq)))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct device *d = device_find(h, (const char *)sqlite3_column_text(st, 0));

		if (!d)
			continue;
		if (!d->settings)
			d->settings = cJSON_CreateObject();
		cJSON_AddStringToObject(d->settings, "public_name", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (n)
		LOG(L_INFO, "devset: settings for %d device(s)", n);
	return api_register(h, routes);
}
