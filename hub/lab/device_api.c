/*
 * device_api.c — the device endpoints, /api/devices[/{id}[/history|/switch]],
 * and the hub's counters, /metrics (which count devices), registered by
 * device_api_init.  /healthz and /readyz are health.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "auth/auth.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/inbox.h"
#include "eco/eco.h"
#include "lab/device.h"
#include "lab/device_api.h"
#include "lab/devset.h"
#include "mqtt/mqtt.h"
#include "net/api.h"
#include "net/args.h"
#include "net/ws.h"
#include "store/pack.h"
#include "store/store.h"
#include "store/tele.h"
#include "version.h"	/* MLAB_VERSION (build/gen, from debian/changelog) */

/* Resident memory of this process, bytes (-1 when unknown). */
static double rss_bytes(void)
{
	long pages = -1, resident = -1;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : (double)resident * (double)sysconf(_SC_PAGESIZE);
}

/*
 * GET /metrics: the Prometheus text format (version 0.0.4), checked by
 * `promtool check metrics` in the tests.  Durations are in seconds, sizes
 * in bytes; counters end in _total.
 */
static int get_metrics(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	const struct stats *s = &h->stats;
	double rss = rss_bytes();
	int online = 0;

	for (int i = 0; i < device_count(h); i++)
		online += device_at(h, i)->online;
	resp->ctype = "text/plain; version=0.0.4; charset=utf-8";
#define HELP(name, type, help) api_printf(resp, "# HELP " name " " help "\n# TYPE " name " " type "\n")
#define C(name, help, v) api_printf(resp, "# HELP mlab_" name " " help "\n# TYPE mlab_" name " counter\nmlab_" name " %llu\n", (unsigned long long)(v))
#define G(name, help, fmt, v) api_printf(resp, "# HELP mlab_" name " " help "\n# TYPE mlab_" name " gauge\nmlab_" name " " fmt "\n", v)
	HELP("mlab_build_info", "gauge", "The running hub's version (always 1).");
	api_printf(resp, "mlab_build_info{version=\"%s\"} 1\n", MLAB_VERSION);
	HELP("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
	api_printf(resp, "process_start_time_seconds %.3f\n", h->started);
	if (rss >= 0) {
		HELP("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
		api_printf(resp, "process_resident_memory_bytes %.0f\n", rss);
	}
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
	C("net_facts_sent_total", "Facts a lab published to the network, resends included.", s->net_facts_sent);
	C("commits_total", "Group commits that succeeded.", s->commits);
	C("commit_failures_total", "Group commits rolled back (nothing acknowledged).", s->commit_failures);
	HELP("mlab_commit_duration_seconds", "histogram", "Duration of the group commits that succeeded.");
	for (int i = 0; i < STATS_COMMIT_BUCKETS; i++)
		api_printf(resp, "mlab_commit_duration_seconds_bucket{le=\"%g\"} %llu\n",
			   stats_commit_le(i), (unsigned long long)s->commit_le[i]);
	api_printf(resp, "mlab_commit_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		   "mlab_commit_duration_seconds_sum %.6f\n"
		   "mlab_commit_duration_seconds_count %llu\n",
		   (unsigned long long)s->commits, s->commit_s_sum,
		   (unsigned long long)s->commits);
	G("inbox_depth", "Messages waiting for the service thread.", "%zu", inbox_depth(h->inbox));
	G("ws_clients", "WebSocket clients connected.", "%d", ws_client_count(h));
	C("ws_dropped_slow_total", "WebSocket clients closed for being too slow.", s->ws_dropped_slow);
	G("ws_client_bytes_peak", "Most bytes ever queued for one WebSocket client (its snapshot text is shared).",
	  "%llu", (unsigned long long)s->ws_held_peak);
	C("ws_refused_total", "WebSocket handshakes refused (ws.max_clients, ws.max_per_addr).", s->ws_refused);
	C("connections_refused_total", "Connections closed at once to keep http.fd_reserve free.", s->conns_refused);
	C("connections_refused_per_addr_total", "Connections closed at once: their address had http.max_per_addr open.",
	  s->conns_refused_addr);
	C("accept_errors_total", "Times accept() failed (no file descriptor left).", s->accept_errors);
	C("http_heads_refused_total", "Request heads answered 431 or 414 (too many bytes, lines or query arguments).", s->heads_refused);
	HELP("mlab_http_requests_total", "counter", "API requests answered, by status code.");
	for (int code = 100; code < 600; code++)
		if (s->http_status[code])
			api_printf(resp, "mlab_http_requests_total{code=\"%d\"} %llu\n", code,
				   (unsigned long long)s->http_status[code]);
	G("broker_connected", "1 when the lab broker is connected.", "%d", h->broker_up);
	C("broker_connects_total", "Successful broker connections.", s->broker_connects);
	{
		long long db = 0, avail = 0;
		long long low = conf_int(h->conf, "store.min_free_mb") * 1024LL * 1024LL;

		if (!store_space(h, &db, &avail)) {
			G("db_bytes", "Database size on disk (file and WAL).", "%lld", db);
			G("disk_free_bytes", "Space left for the database.", "%lld", avail);
			G("disk_low", "1 when the space left is under store.min_free_mb.", "%d", avail < low);
		}
	}
	G("devices", "Devices known.", "%d", device_count(h));
	G("devices_online", "Devices online.", "%d", online);
	if (mqtt_link_count(h) > 1)
		HELP("mlab_link_connected", "gauge", "1 when a printer's own broker is connected.");
	for (int i = 1; i < mqtt_link_count(h); i++)
		api_printf(resp, "mlab_link_connected{link=\"%s\"} %d\n", mqtt_link_name(h, i),
			   mqtt_link_up(h, i));
#undef HELP
#undef C
#undef G
	resp->status = 200;
	return 0;
}

static int get_devices(struct api_req *req, struct api_resp *resp)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "devices");

	for (int i = 0; i < device_count(req->h); i++) {
		cJSON *d = devset_json(device_at(req->h, i));

		if (req->role < ROLE_FACILITATOR)
			devset_public(d);
		cJSON_AddItemToArray(arr, d);
	}
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

/* The resolutions of a history, finest first: a level serves spans up to
 * its limit (README "HTTP API"), so a chart reads at most a few thousand
 * rows whatever its range.  Raw rows are keyed by time first (cheap to
 * write, every device's rows in a range are read), minute aggregates too;
 * hourly ones by series. */
enum { H_RAW, H_MINUTE, H_HOUR };
static const char *const step_names[] = { "raw", "minute", "hour" };
#define HIST_RAW_SPAN (2 * 3600.0)
#define HIST_MINUTE_SPAN (2 * 86400.0)

struct hist {
	struct api_resp *resp;
	int first, ms;
	double from, to, width;	/* bucket width (0: every point) */
	long bucket;		/* current bucket, -1: none */
	double bts, bsum;
	long bn;
};

/* Write the point being summed, if any. */
static void hist_out(struct hist *o)
{
	char iso[40];

	if (o->bn) {
		api_printf(o->resp, "%s[\"%s\",%.10g]", o->first ? "" : ",",
			   hub_iso(o->bts, iso, sizeof(iso), o->ms), o->bsum / (double)o->bn);
		o->first = 0;
	}
	o->bn = 0;
}

/* One point (ts, sum of n values): into its bucket, or out at once. */
static void hist_point(struct hist *o, double ts, double sum, long n)
{
	long b = o->width > 0 ? (long)((ts - o->from) / o->width) : -1;

	if (b < 0 || b != o->bucket) {
		hist_out(o);
		o->bucket = b;
		o->bts = ts;
		o->bsum = 0;
		o->bn = 0;
	}
	o->bsum += sum;
	o->bn += n;
}

/* Emit the minutes [m0, m1) of one series that are in hour blocks
 * (telemetry_mblk: a row per hour that is over), in order. */
static void hist_blocks(struct hub *h, struct hist *o, int64_t dev, int64_t mid,
			double m0, double m1)
{
	static const char q[] =
		"SELECT hour, mins FROM telemetry_mblk WHERE dev = ?1 AND mid = ?2"
		" AND hour >= ?3 AND hour < ?4";
	sqlite3_stmt *st = store_stmt(h, q);

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, dev);
	sqlite3_bind_int64(st, 2, mid);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)floor(m0 / 60));
	sqlite3_bind_int64(st, 4, (sqlite3_int64)ceil(m1 / 60));
	while (sqlite3_step(st) == SQLITE_ROW) {
		double base = (double)sqlite3_column_int64(st, 0) * 60;
		const void *b = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1), off = 0, m;
		long n;
		double sum;

		while (pack_mblk_next(b, len, &off, &m, &n, &sum))
			if (base + m >= m0 && base + m < m1)
				hist_point(o, (base + m) * 60, sum, n);
	}
	sqlite3_reset(st);
}

/* Emit the points of level lv in [from, to): for aggregates, the minutes
 * or hours that start there (whole: only those that also end by `to`, when
 * a finer level follows). */
static void hist_level(struct hub *h, struct hist *o, int lv, int64_t dev,
		       int64_t mid, double from, double to, int whole)
{
	static const char q_raw[] =
		"SELECT ts, mlab_val(vals, ?2) FROM telemetry WHERE ts >= ?3 AND ts < ?4 AND dev = ?1";
	/* the minutes not yet in an hour block (the recent hours) */
	static const char q_min[] =
		"SELECT minute * 60, sum, n FROM telemetry_min WHERE minute >= max(?3,"
		" (SELECT coalesce(max(hour) + 1, 0) FROM telemetry_mblk WHERE dev = ?1 AND mid = ?2) * 60)"
		" AND minute < ?4 AND dev = ?1 AND mid = ?2";
	/* the hours rolled up, then the minutes of the hours not yet rolled */
	static const char q_hour[] =
		"SELECT hour * 3600, sum, n FROM telemetry_hour WHERE dev = ?1 AND mid = ?2"
		" AND hour >= ?3 AND hour < ?4"
		" UNION ALL SELECT * FROM (SELECT (minute / 60) * 3600, sum(sum), sum(n)"
		" FROM telemetry_min WHERE minute >= max(?3, (SELECT coalesce(max(hour) + 1, 0)"
		"  FROM telemetry_hour WHERE dev = ?1 AND mid = ?2)) * 60"
		" AND minute < ?5 AND dev = ?1 AND mid = ?2 GROUP BY 1)";
	sqlite3_stmt *st = store_stmt(h, lv == H_RAW ? q_raw : lv == H_MINUTE ? q_min : q_hour);

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, dev);
	sqlite3_bind_int64(st, 2, mid);
	if (lv == H_RAW) {
		sqlite3_bind_double(st, 3, from);
		sqlite3_bind_double(st, 4, to);
	} else if (lv == H_MINUTE) {
		sqlite3_bind_int64(st, 3, (sqlite3_int64)floor(from / 60));
		sqlite3_bind_int64(st, 4, (sqlite3_int64)(whole ? floor(to / 60) : ceil(to / 60)));
	} else {
		sqlite3_bind_int64(st, 3, (sqlite3_int64)floor(from / 3600));
		sqlite3_bind_int64(st, 4, (sqlite3_int64)(whole ? floor(to / 3600) : ceil(to / 3600)));
		sqlite3_bind_int64(st, 5, (sqlite3_int64)(whole ? floor(to / 3600) * 60 : ceil(to / 60)));
	}
	o->ms = lv == H_RAW;
	if (lv == H_MINUTE)
		hist_blocks(h, o, dev, mid, floor(from / 60),
			    whole ? floor(to / 60) : ceil(to / 60));
	while (sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			hist_point(o, sqlite3_column_double(st, 0), sqlite3_column_double(st, 1),
				   lv == H_RAW ? 1 : sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
}

/* The start of level lv's rows (retention retired what is before), or
 * `to` when it has none. */
static double level_start(struct hub *h, int lv, double to, int64_t dev, int64_t mid)
{
	static const char *const q[] = {
		"SELECT min(ts) FROM telemetry",
		/* this series' first hour block, else the first minute row */
		"SELECT coalesce((SELECT min(hour) * 3600 FROM telemetry_mblk WHERE dev = ?1"
		" AND mid = ?2), (SELECT min(minute) * 60 FROM telemetry_min))",
	};
	sqlite3_stmt *st = store_stmt(h, lv == H_RAW ? q[0] : q[1]);
	double v = to;

	if (st && lv != H_RAW) {
		sqlite3_bind_int64(st, 1, dev);
		sqlite3_bind_int64(st, 2, mid);
	}
	if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	if (st)
		sqlite3_reset(st);
	return v;
}

/* GET /api/devices/{id}/history?metric=M&from=T&to=T[&max=N][&step=S]:
 * points of the finest resolution the span allows (raw up to 2 hours,
 * minute averages up to 2 days, hourly averages beyond; step=raw|minute|
 * hour chooses), older points of the next coarser level where retention
 * retired the finer one, more than max points averaged into equal
 * buckets.  The answer says the level: {"step":…,"points":[…]}. */
static int get_history(struct api_req *req, struct api_resp *resp, struct device *d)
{
	struct hub *h = req->h;
	char metric[64], step[16];
	double now = hub_now(), from, to, cut;
	struct hist o = { .resp = resp, .first = 1, .bucket = -1 };
	long max;
	int64_t mid;
	int bad = 0, lv;

	if (api_query(req, "metric", metric, sizeof(metric)) || !metric[0])
		return api_error(resp, 400, "metric= is required");
	from = api_time_arg(req, "from", now - 86400, &bad);
	to = api_time_arg(req, "to", now + 86400, &bad);
	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	if (args_limit(req, resp, "max", 2000, &max))
		return -1;
	/* the span that matters is the one with data: up to now */
	lv = (fmin(to, now) - from) <= HIST_RAW_SPAN ? H_RAW :
	     (fmin(to, now) - from) <= HIST_MINUTE_SPAN ? H_MINUTE : H_HOUR;
	if (!api_query(req, "step", step, sizeof(step)) && strcmp(step, "auto")) {
		for (lv = 0; lv <= H_HOUR && strcmp(step, step_names[lv]); lv++)
			;
		if (lv > H_HOUR)
			return api_error(resp, 400, "step must be raw, minute, hour or auto");
	}
	mid = device_metric_id(h, metric, 0);	/* 0 never stored, -1 unreadable: no points */
	tele_sync(h);	/* the readings still queued, on disk first */
	resp->ctype = "application/json";
	api_printf(resp, "{\"step\":\"%s\",\"points\":[", step_names[lv]);
	o.from = from;
	o.to = to;
	/* more points than max: averaged into max equal buckets (raw rows
	 * are counted below) */
	if (lv > H_RAW && (fmin(to, now) - from) / (lv == H_MINUTE ? 60 : 3600) > max)
		o.width = (to - from) / (double)max;
	if (lv == H_RAW && (cut = level_start(h, H_RAW, to, d->dev, mid)) > from) {
		double mcut = level_start(h, H_MINUTE, cut, d->dev, mid);

		if (mcut > from)
			hist_level(h, &o, H_HOUR, d->dev, mid, from, fmin(mcut, cut), 1);
		hist_level(h, &o, H_MINUTE, d->dev, mid, fmax(from, mcut), cut, 1);
		from = cut;
	} else if (lv == H_MINUTE && (cut = level_start(h, H_MINUTE, to, d->dev, mid)) > from) {
		hist_level(h, &o, H_HOUR, d->dev, mid, from, cut, 1);
		from = cut;
	}
	if (lv == H_RAW) {
		static const char q_count[] =
			"SELECT count(*) FROM telemetry WHERE ts >= ?3 AND ts <= ?4 AND dev = ?1"
			" AND mlab_val(vals, ?2) IS NOT NULL";
		sqlite3_stmt *st = store_stmt(h, q_count);

		if (st) {
			sqlite3_bind_int64(st, 1, d->dev);
			sqlite3_bind_int64(st, 2, mid);
			sqlite3_bind_double(st, 3, from);
			sqlite3_bind_double(st, 4, to);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > max)
				o.width = (to - from) / (double)max;
			sqlite3_reset(st);
		}
	}
	hist_level(h, &o, lv, d->dev, mid, from, lv == H_RAW ? nextafter(to, INFINITY) : to, 0);
	hist_out(&o);
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
		cJSON *o = devset_json(d);

		if (req->role < ROLE_FACILITATOR) {
			api_strip_personal(o);
			devset_public(o);
		}
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
