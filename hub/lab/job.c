/*
 * job.c — print and scan jobs.
 *
 * A device's job state comes from its ecosystem (OctoPrint events,
 * Moonraker print_stats, Bambu gcode_state, native job.* / scan.* events).
 * Here transitions become history: entering preparing/printing/paused
 * opens a jobs row; finished/failed/cancelled closes it with its duration.
 * A terminal state repeated (Bambu repeats FINISH in every report) or seen
 * first after a restart opens nothing.  An active job that falls back to
 * idle without a final word is closed as cancelled.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/hub.h"
#include "core/log.h"
#include "core/vocab.h"
#include "lab/device.h"
#include "lab/job.h"
#include "net/api.h"
#include "net/args.h"
#include "net/ws.h"
#include "store/store.h"

static int is_active(const char *s)
{
	return vocab_index(vocab_job_active, s) >= 0;
}

static int is_terminal(const char *s)
{
	return vocab_index(vocab_job_end, s) >= 0;
}

static void announce(struct hub *h, struct device *d, const char *what)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "event", what);
	cJSON_AddStringToObject(o, "device", d->id);
	cJSON_AddStringToObject(o, "kind", d->job.kind[0] ? d->job.kind : "print");
	cJSON_AddStringToObject(o, "state", d->job.state);
	cJSON_AddStringToObject(o, "file", d->job.file);
	ws_broadcast(h, "job", o, WS_PUBLIC);
}

static int open_row(struct hub *h, struct device *d, double ts)
{
	static const char ins[] =
		"INSERT INTO jobs(dev, kind, file, state, started_at) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st = store_stmt(h, ins);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, d->dev);
	sqlite3_bind_text(st, 2, d->job.kind[0] ? d->job.kind : "print", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->job.file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->job.state, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 5, ts);
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	d->job.row = sqlite3_last_insert_rowid(store_db(h));
	d->job.started_at = ts;
	return 0;
}

static void close_row(struct hub *h, struct device *d, const char *state, double ts)
{
	static const char upd[] =
		"UPDATE jobs SET state=?2, ended_at=?3, duration_s=?3 - started_at,"
		" file=CASE WHEN ?4 <> '' THEN ?4 ELSE file END,"
		" progress_pct=?5, layers=?6, filament_mm=?7 WHERE id=?1";
	sqlite3_stmt *st = store_stmt(h, upd);
	int64_t row = d->job.row;

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, ts);
	sqlite3_bind_text(st, 4, d->job.file, -1, SQLITE_STATIC);
	if (!strcmp(state, "finished"))
		sqlite3_bind_double(st, 5, 100);
	else if (d->job.progress >= 0)
		sqlite3_bind_double(st, 5, d->job.progress);
	if (d->job.layers >= 0)
		sqlite3_bind_int64(st, 6, (sqlite3_int64)d->job.layers);
	if (d->job.filament_mm >= 0)
		sqlite3_bind_double(st, 7, d->job.filament_mm);
	store_exec(h, st);
	d->job.row = 0;
	device_job_ended(h, d, row, state, ts);
}

/* A terminal state arrived with no job open: old news (a retained
 * message after an outage, Bambu repeating FINISH) or the last word of a
 * job the hub already closed (as cancelled, when the device fell idle
 * without one).  Either way the tile must say what the job history says,
 * so the device's last job row wins; with no row, the device's word
 * stands, as it does for a job of another file. */
static void agree_with_history(struct hub *h, struct device *d)
{
	static const char q[] =
		"SELECT state, progress_pct, file FROM jobs WHERE dev = ?1 AND ended_at IS NOT NULL"
		" ORDER BY ended_at DESC, id DESC LIMIT 1";
	sqlite3_stmt *st = store_stmt(h, q);

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, d->dev);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		const char *f = (const char *)sqlite3_column_text(st, 2);
		int same = !f || !*f || !d->job.file[0] || !strcmp(f, d->job.file);

		/* another file: a job the hub never saw start, the device's word stands */
		if (s && same && is_terminal(s) && strcmp(s, d->job.state)) {
			LOG(L_INFO, "job: %s says %s, its last job is %s: showing %s", d->id,
			    d->job.state, s, s);
			snprintf(d->job.state, sizeof(d->job.state), "%s", s);
			d->job.progress = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 :
					  sqlite3_column_double(st, 1);
			d->job.remaining = -1;
		}
	}
	sqlite3_reset(st);
}

int job_update(struct hub *h, struct device *d, const struct eco_dev *u, double ts)
{
	char prev[16];
	int vis = 0;

	if (!d->has_job) {
		d->has_job = 1;
		vis = 1;
	}
	snprintf(prev, sizeof(prev), "%s", d->job.state);
	if ((u->has & ECO_JOB_KIND) && strcmp(d->job.kind, u->job_kind)) {
		snprintf(d->job.kind, sizeof(d->job.kind), "%s", u->job_kind);
		vis = 1;
	}
	if ((u->has & ECO_JOB_FILE) && strcmp(d->job.file, u->job_file)) {
		snprintf(d->job.file, sizeof(d->job.file), "%s", u->job_file);
		vis = 1;
	}
	if ((u->has & ECO_JOB_PROGRESS) && d->job.progress != u->job_progress) {
		d->job.progress = fmin(100, fmax(0, u->job_progress));
		vis = 1;
	}
	if ((u->has & ECO_JOB_REMAINING) && d->job.remaining != u->job_remaining) {
		d->job.remaining = fmax(0, u->job_remaining);
		vis = 1;
	}
	if (u->has & ECO_JOB_LAYER) {	/* a side not given (<0) is kept */
		double layer = u->job_layer >= 0 ? u->job_layer : d->job.layer;
		double layers = u->job_layers >= 0 ? u->job_layers : d->job.layers;

		vis |= d->job.layer != layer || d->job.layers != layers;
		d->job.layer = layer;
		d->job.layers = layers;
	}
	if (u->has & ECO_JOB_FILAMENT)
		d->job.filament_mm = u->job_filament_mm;
	if (!(u->has & ECO_JOB_STATE) || !strcmp(prev, u->job_state))
		return vis;

	snprintf(d->job.state, sizeof(d->job.state), "%s", u->job_state);
	if (is_active(d->job.state)) {
		if (!d->job.row) {
			if (!(u->has & ECO_JOB_PROGRESS))
				d->job.progress = -1;	/* unknown until reported */
			if (!(u->has & ECO_JOB_LAYER))
				d->job.layer = d->job.layers = -1;
			if (!(u->has & ECO_JOB_REMAINING))
				d->job.remaining = -1;
			if (!(u->has & ECO_JOB_KIND) && !is_active(prev))
				snprintf(d->job.kind, sizeof(d->job.kind), "%s",
					 !strcmp(d->kind, "scanner") ? "scan" : "print");
			if (open_row(h, d, ts) == 0)
				announce(h, d, "started");
		}
	} else if (is_terminal(d->job.state)) {
		if (d->job.row) {
			if (!strcmp(d->job.state, "finished"))
				d->job.progress = 100;
			d->job.remaining = 0;
			close_row(h, d, d->job.state, ts);
			announce(h, d, "ended");
		} else {
			agree_with_history(h, d);
		}
	} else if (d->job.row) {	/* idle with a job open */
		close_row(h, d, "cancelled", ts);
		announce(h, d, "ended");
	}
	return 1;
}

/* GET /api/jobs?device=ID&from=T&to=T[&state=S][&limit=N][&format=csv] */
static int get_jobs(struct api_req *req, struct api_resp *resp)
{
	static const char q[] =
		"SELECT d.id, j.kind, j.file, j.state, j.started_at, j.ended_at, j.duration_s,"
		" j.progress_pct, j.layers, j.filament_mm, j.id,"
		/* the session: the one its contribution names, else the one
		 * open when it started */
		" coalesce((SELECT c.session_id FROM contributions c WHERE c.job_id = j.id"
		"   AND c.session_id IS NOT NULL LIMIT 1),"
		"  (SELECT s.id FROM sessions s WHERE s.started_at <= j.started_at"
		"   AND (s.ended_at IS NULL OR s.ended_at >= j.started_at) AND s.removed_at IS NULL"
		"   ORDER BY s.id DESC LIMIT 1))"
		" FROM jobs j JOIN devices d ON d.dev = j.dev"
		" WHERE (?1 IS NULL OR d.id = ?1)"
		" AND coalesce(j.ended_at, j.started_at, 1e18) >= ?2"
		" AND coalesce(j.started_at, j.ended_at, 0) <= ?3"
		" AND (?4 IS NULL OR j.state = ?4) AND (?6 IS NULL OR j.kind = ?6)"
		" ORDER BY coalesce(j.started_at, j.ended_at) DESC, j.id DESC LIMIT ?5";
	char dev[300], state[32], fmt[16], kind[16];
	int bad = 0, csv;
	/* print files are often named after people: staff only */
	int personal = req->role >= ROLE_FACILITATOR;
	long limit = 1000;
	double from = api_time_arg(req, "from", 0, &bad);
	double to = api_time_arg(req, "to", 1e15, &bad);
	sqlite3_stmt *st;
	cJSON *o = NULL, *arr = NULL;

	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	csv = !api_query(req, "format", fmt, sizeof(fmt)) && !strcmp(fmt, "csv");
	if (!api_query(req, "format", fmt, sizeof(fmt)) && strcmp(fmt, "csv") && strcmp(fmt, "json"))
		return api_error(resp, 400, "format must be json or csv");
	if (args_limit(req, resp, "limit", 1000, &limit))
		return 0;
	if (!(st = store_stmt(req->h, q)))
		return api_error(resp, 500, "database error");
	if (!api_query(req, "device", dev, sizeof(dev)) && dev[0])
		sqlite3_bind_text(st, 1, dev, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, from);
	sqlite3_bind_double(st, 3, to);
	if (!api_query(req, "state", state, sizeof(state)) && state[0])
		sqlite3_bind_text(st, 4, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, limit);
	if (!api_query(req, "kind", kind, sizeof(kind)) && kind[0])
		sqlite3_bind_text(st, 6, kind, -1, SQLITE_TRANSIENT);
	if (csv) {
		resp->ctype = "text/csv; charset=utf-8";
		api_header(resp, "Content-Disposition", "attachment; filename=\"jobs.csv\"");
		api_printf(resp, "device,kind,file,state,started_at,ended_at,duration_s,progress_pct,layers,filament_mm,session\r\n");
	} else {
		o = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(o, "jobs");
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		char t1[40] = "", t2[40] = "", num[4][32] = { "", "", "", "" }, sess[24] = "";

		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			hub_iso(sqlite3_column_double(st, 4), t1, sizeof(t1), 0);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			hub_iso(sqlite3_column_double(st, 5), t2, sizeof(t2), 0);
		for (int i = 0; i < 4; i++)
			if (sqlite3_column_type(st, 6 + i) != SQLITE_NULL)
				snprintf(num[i], sizeof(num[i]), "%.10g",
					 i == 0 ? round(sqlite3_column_double(st, 6 + i)) :
					 sqlite3_column_double(st, 6 + i));
		if (sqlite3_column_type(st, 11) != SQLITE_NULL)
			snprintf(sess, sizeof(sess), "%lld", (long long)sqlite3_column_int64(st, 11));
		if (csv) {
			api_csv(resp, (const char *)sqlite3_column_text(st, 0), ',');
			api_csv(resp, (const char *)sqlite3_column_text(st, 1), ',');
			api_csv(resp, personal ? (const char *)sqlite3_column_text(st, 2) : "", ',');
			api_csv(resp, (const char *)sqlite3_column_text(st, 3), ',');
			api_csv(resp, t1, ',');
			api_csv(resp, t2, ',');
			for (int i = 0; i < 4; i++)
				api_csv(resp, num[i], ',');
			api_csv(resp, sess, '\n');
		} else {
			cJSON *j = cJSON_CreateObject();

			cJSON_AddNumberToObject(j, "id", (double)sqlite3_column_int64(st, 10));
			cJSON_AddStringToObject(j, "device", (const char *)sqlite3_column_text(st, 0));
			cJSON_AddStringToObject(j, "kind", (const char *)sqlite3_column_text(st, 1));
			if (personal)
				cJSON_AddStringToObject(j, "file", sqlite3_column_text(st, 2) ?
							(const char *)sqlite3_column_text(st, 2) : "");
			cJSON_AddStringToObject(j, "state", (const char *)sqlite3_column_text(st, 3));
			if (t1[0])
				cJSON_AddStringToObject(j, "started_at", t1);
			else
				cJSON_AddNullToObject(j, "started_at");
			if (t2[0])
				cJSON_AddStringToObject(j, "ended_at", t2);
			else
				cJSON_AddNullToObject(j, "ended_at");
			if (num[0][0])
				cJSON_AddNumberToObject(j, "duration_s", atof(num[0]));
			else
				cJSON_AddNullToObject(j, "duration_s");
			if (num[1][0])
				cJSON_AddNumberToObject(j, "progress_pct", atof(num[1]));
			if (num[2][0])
				cJSON_AddNumberToObject(j, "layers", atof(num[2]));
			if (num[3][0])
				cJSON_AddNumberToObject(j, "filament_mm", atof(num[3]));
			if (sess[0])
				cJSON_AddNumberToObject(j, "session", atof(sess));
			else
				cJSON_AddNullToObject(j, "session");
			cJSON_AddItemToArray(arr, j);
		}
	}
	sqlite3_reset(st);
	if (csv) {
		resp->status = 200;
		return 0;
	}
	return api_json(resp, 200, o);
}

static const struct api_route job_routes[] = {
	{ "GET", "/api/jobs", ROLE_NONE, get_jobs },
	{ NULL, NULL, 0, NULL },
};

int job_init(struct hub *h)
{
	return api_register(h, job_routes);
}
