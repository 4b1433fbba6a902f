/*
 * device_api.c — the device endpoints, /api/devices[/{id}[/history|/switch]],
 * and the hub's health and counters, /healthz and /metrics (which count
 * devices), registered by device_api_init.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "auth/auth.h"
#include "core/hub.h"
#include "core/inbox.h"
#include "eco/eco.h"
#include "lab/device.h"
#include "lab/device_api.h"
#include "mqtt/mqtt.h"
#include "net/api.h"
#include "net/ws.h"
#include "store/store.h"

static int get_healthz(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	cJSON *o = cJSON_CreateObject();
	char iso[40];

	cJSON_AddStringToObject(o, "status", "ok");
	cJSON_AddStringToObject(o, "broker", h->broker_up ? "connected" : "disconnected");
	cJSON_AddNumberToObject(o, "devices", device_count(h));
	cJSON_AddNumberToObject(o, "ws_clients", ws_client_count(h));
	cJSON_AddNumberToObject(o, "uptime_s", floor(hub_now() - h->started));
	cJSON_AddStringToObject(o, "started", hub_iso(h->started, iso, sizeof(iso), 0));
	cJSON_AddNumberToObject(o, "schema", store_schema_version());
	return api_json(resp, 200, o);
}

static int get_metrics(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	const struct stats *s = &h->stats;
	int online = 0;

	for (int i = 0; i < device_count(h); i++)
		online += device_at(h, i)->online;
	resp->ctype = "text/plain; version=0.0.4; charset=utf-8";
#define C(name, help, v) api_printf(resp, "# HELP mlab_" name " " help "\n# TYPE mlab_" name " counter\nmlab_" name " %llu\n", (unsigned long long)(v))
#define G(name, help, fmt, v) api_printf(resp, "# HELP mlab_" name " " help "\n# TYPE mlab_" name " gauge\nmlab_" name " " fmt "\n", v)
	C("messages_received_total", "MQTT messages taken from the inbox.", s->msgs_in);
	C("messages_parsed_total", "Messages an ecosystem understood.", s->msgs_parsed);
	api_printf(resp, "# HELP mlab_messages_dropped_total Messages not stored, by reason.\n"
		   "# TYPE mlab_messages_dropped_total counter\n"
		   "mlab_messages_dropped_total{reason=\"malformed\"} %llu\n"
		   "mlab_messages_dropped_total{reason=\"unclaimed\"} %llu\n"
		   "mlab_messages_dropped_total{reason=\"too_big\"} %llu\n"
		   "mlab_messages_dropped_total{reason=\"inbox_full\"} %llu\n"
		   "mlab_messages_dropped_total{reason=\"device_limit\"} %llu\n",
		   (unsigned long long)s->msgs_bad, (unsigned long long)s->msgs_ignored,
		   (unsigned long long)mqtt_too_big(h),
		   (unsigned long long)inbox_dropped(h->inbox),
		   (unsigned long long)s->devices_refused);
	C("telemetry_rows_stored_total", "Telemetry rows written.", s->rows_stored);
	C("events_stored_total", "Sequenced device events stored.", s->events_stored);
	C("events_duplicate_total", "Resent events absorbed.", s->events_duplicate);
	C("commits_total", "Group commits.", s->commits);
	C("commit_failures_total", "Group commits rolled back (nothing acknowledged).", s->commit_failures);
	G("commit_latency_ms_last", "Duration of the last commit.", "%.3f", s->commit_ms_last);
	G("commit_latency_ms_max", "Longest commit.", "%.3f", s->commit_ms_max);
	G("commit_latency_ms_avg", "Mean commit duration.", "%.3f",
	  s->commits ? s->commit_ms_sum / (double)s->commits : 0.0);
	G("inbox_depth", "Messages waiting for the service thread.", "%zu", inbox_depth(h->inbox));
	G("ws_clients", "WebSocket clients connected.", "%d", ws_client_count(h));
	C("ws_dropped_slow_total", "WebSocket clients closed for being too slow.", s->ws_dropped_slow);
	C("ws_refused_total", "WebSocket handshakes refused (ws.max_clients, ws.max_per_addr).", s->ws_refused);
	C("connections_refused_total", "Connections closed at once to keep http.fd_reserve free.", s->conns_refused);
	C("http_requests_total", "API requests.", s->http_requests);
	C("http_errors_total", "API requests answered 4xx/5xx.", s->http_errors);
	G("broker_connected", "1 when the lab broker is connected.", "%d", h->broker_up);
	C("broker_connects_total", "Successful broker connections.", s->broker_connects);
	G("devices", "Devices known.", "%d", device_count(h));
	G("devices_online", "Devices online.", "%d", online);
	if (mqtt_link_count(h) > 1)
		api_printf(resp, "# HELP mlab_link_connected 1 when a printer's own broker is connected.\n"
			   "# TYPE mlab_link_connected gauge\n");
	for (int i = 1; i < mqtt_link_count(h); i++)
		api_printf(resp, "mlab_link_connected{link=\"%s\"} %d\n", mqtt_link_name(h, i),
			   mqtt_link_up(h, i));
#undef C
#undef G
	resp->status = 200;
	return 0;
}

static int get_devices(struct api_req *req, struct api_resp *resp)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "devices");

	for (int i = 0; i < device_count(req->h); i++)
		cJSON_AddItemToArray(arr, device_json(device_at(req->h, i)));
	if (req->role < ROLE_FACILITATOR)
		api_strip_personal(o);
	return api_json(resp, 200, o);
}

/* Split "/api/devices/<id>[/history|/switch]" (params[0] is everything
 * after /api/devices/) into the device and the action; the id may itself
 * contain '/' (decoded %2F). */
static struct device *device_of(struct api_req *req, const char **action)
{
	static const char *const actions[] = { "history", "switch" };
	char *p = req->params[0];
	size_t n = strlen(p);
	struct device *d;

	*action = "";
	if (n && p[n - 1] == '/')
		p[--n] = '\0';
	if ((d = device_find(req->h, p)))
		return d;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		size_t al = strlen(actions[i]);

		if (n > al + 1 && p[n - al - 1] == '/' && !strcmp(p + n - al, actions[i])) {
			p[n - al - 1] = '\0';
			*action = actions[i];
			return device_find(req->h, p);
		}
	}
	return NULL;
}

/* GET /api/devices/{id}/history?metric=M&from=T&to=T[&max=N]: raw points,
 * then per-minute aggregates (averages) where raw ones were retired; more
 * than max points are averaged into equal buckets. */
static int get_history(struct api_req *req, struct api_resp *resp, struct device *d)
{
	static const char q_count[] =
		"SELECT count(*) FROM telemetry WHERE dev=?1 AND mid=?2 AND ts>=?3 AND ts<=?4";
	static const char q_raw[] =
		"SELECT ts, value FROM telemetry WHERE dev=?1 AND mid=?2 AND ts>=?3 AND ts<=?4"
		" ORDER BY ts";
	static const char q_bucket[] =
		"SELECT min(ts), avg(value) FROM telemetry WHERE dev=?1 AND mid=?2"
		" AND ts>=?3 AND ts<=?4 GROUP BY CAST((ts - ?3) / ?5 AS INTEGER) ORDER BY 1";
	static const char q_min[] =
		"SELECT minute * 60, sum / n FROM telemetry_min WHERE dev=?1 AND mid=?2"
		" AND minute>=?3 AND minute<=?4 AND minute < ?5 ORDER BY minute";
	struct hub *h = req->h;
	char metric[64], maxs[16], iso[40];
	double now = hub_now(), from, to, first_raw = 0;
	long max = 2000;
	int64_t mid;
	int bad = 0;
	sqlite3_stmt *st;
	int first = 1;

	if (api_query(req, "metric", metric, sizeof(metric)) || !metric[0])
		return api_error(resp, 400, "metric= is required");
	from = api_time_arg(req, "from", now - 86400, &bad);
	to = api_time_arg(req, "to", now + 86400, &bad);
	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	mid = device_metric_id(h, metric, 0);	/* 0: never stored, no points */
	if (!api_query(req, "max", maxs, sizeof(maxs)))
		max = strtol(maxs, NULL, 10);
	if (max < 1 || max > 100000)
		return api_error(resp, 400, "max must be 1..100000");
	resp->ctype = "application/json";
	api_write(resp, "{\"points\":[", 11);

	/* aggregates first: they are older than any raw point */
	st = store_stmt(h, "SELECT min(ts) FROM telemetry WHERE dev=?1 AND mid=?2");
	if (st) {
		sqlite3_bind_int64(st, 1, d->dev);
		sqlite3_bind_int64(st, 2, mid);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			first_raw = sqlite3_column_double(st, 0);
		else
			first_raw = to + 1;
		sqlite3_reset(st);
	}
	if (from < first_raw && (st = store_stmt(h, q_min))) {
		sqlite3_bind_int64(st, 1, d->dev);
		sqlite3_bind_int64(st, 2, mid);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)floor(from / 60));
		sqlite3_bind_int64(st, 4, (sqlite3_int64)floor(to / 60));
		sqlite3_bind_int64(st, 5, (sqlite3_int64)floor(first_raw / 60));
		while (sqlite3_step(st) == SQLITE_ROW) {
			api_printf(resp, "%s[\"%s\",%.10g]", first ? "" : ",",
				   hub_iso(sqlite3_column_double(st, 0), iso, sizeof(iso), 0),
				   sqlite3_column_double(st, 1));
			first = 0;
		}
		sqlite3_reset(st);
	}
	if ((st = store_stmt(h, q_count))) {
		long n = 0;

		sqlite3_bind_int64(st, 1, d->dev);
		sqlite3_bind_int64(st, 2, mid);
		sqlite3_bind_double(st, 3, from);
		sqlite3_bind_double(st, 4, to);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		st = store_stmt(h, n > max ? q_bucket : q_raw);
		if (st) {
			sqlite3_bind_int64(st, 1, d->dev);
			sqlite3_bind_int64(st, 2, mid);
			sqlite3_bind_double(st, 3, from);
			sqlite3_bind_double(st, 4, to);
			if (n > max)
				sqlite3_bind_double(st, 5, (to - from) / (double)max);
			while (sqlite3_step(st) == SQLITE_ROW) {
				api_printf(resp, "%s[\"%s\",%.10g]", first ? "" : ",",
					   hub_iso(sqlite3_column_double(st, 0), iso, sizeof(iso), 1),
					   sqlite3_column_double(st, 1));
				first = 0;
			}
			sqlite3_reset(st);
		}
	}
	api_write(resp, "]}", 2);
	resp->status = 200;
	return 0;
}

static int get_device(struct api_req *req, struct api_resp *resp)
{
	const char *action;
	struct device *d = device_of(req, &action);

	if (!d)
		return api_error(resp, 404, "no such device");
	if (!strcmp(action, "history"))
		return get_history(req, resp, d);
	if (*action) {
		api_header(resp, "Allow", "POST");
		return api_error(resp, 405, "use POST for %s", action);
	}
	{
		cJSON *o = device_json(d);

		if (req->role < ROLE_FACILITATOR)
			api_strip_personal(o);
		return api_json(resp, 200, o);
	}
}

/* POST /api/devices/{id}/switch {"on":bool} (facilitators): publish the
 * ecosystem's own command; the new state shows when the device reports it. */
static int post_device(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	const char *action;
	struct device *d = device_of(req, &action);
	char topic[512], payload[512];
	cJSON *on;
	int link;

	if (!d)
		return api_error(resp, 404, "no such device");
	if (strcmp(action, "switch"))
		return api_error(resp, 404, "no such action");
	on = req->json ? cJSON_GetObjectItem(req->json, "on") : NULL;
	if (!cJSON_IsBool(on))
		return api_error(resp, 400, "body must be {\"on\": true|false}");
	if (d->eco < 0 || !eco_table[d->eco]->switch_cmd ||
	    eco_table[d->eco]->switch_cmd(&h->eco[d->eco], d->native, cJSON_IsTrue(on),
					  topic, sizeof(topic), payload, sizeof(payload)))
		return api_error(resp, 409, "%s cannot be switched", d->id);
	link = d->link > 0 ? d->link : 0;
	if (mqtt_publish(h, link, topic, payload, strlen(payload), 1, 0))
		return api_error(resp, 503, "the broker is not reachable");
	api_audit(req, "device.switch", d->id, cJSON_IsTrue(on) ? "on" : "off");
	{
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "device", d->id);
		cJSON_AddStringToObject(o, "topic", topic);
		cJSON_AddBoolToObject(o, "requested", cJSON_IsTrue(on));
		cJSON_AddStringToObject(o, "status", "sent");
		return api_json(resp, 202, o);
	}
}

static const struct api_route routes[] = {
	{ "GET", "/healthz", ROLE_NONE, get_healthz },
	{ "GET", "/metrics", ROLE_NONE, get_metrics },
	{ "GET", "/api/devices", ROLE_NONE, get_devices },
	{ "GET", "/api/devices/**", ROLE_NONE, get_device },
	{ "POST", "/api/devices/**", ROLE_FACILITATOR, post_device },
	{ NULL, NULL, 0, NULL },
};

int device_api_init(struct hub *h)
{
	return api_register(h, routes);
}
