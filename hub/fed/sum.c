/*
 * sum.c — the network's indicators: each site's facts turned back into
 * the rows a lab's report counts, then counted by the lab's own report.
 *
 * For one site, the latest state of each key (the highest seq of its
 * current numbering, whatever the order facts arrived in; none when it
 * is a *.deleted fact, the row being gone from the lab) becomes rows
 * of a scratch in-memory database with the lab's schema — a session and
 * its parties, a project and its themes, a contribution, a rating, a day
 * of machine use and jobs — and report_render() (hub/report/) computes
 * the figures with exactly the rules and names of a lab.  The total is
 * the same report over every site's rows at once (ids kept apart by a
 * per-site offset), so a count in the total is the sum of the sites'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/hub.h"
#include "core/log.h"
#include "fed/fedi.h"
#include "fed/sum.h"
#include "net/api.h"
#include "report/report.h"
#include "store/store.h"

#define SITE_OFFSET 1000000000000LL	/* ids of site i in the total: + (i+1) × this */

/* Bind a JSON number or null. */
static void bind_num(sqlite3_stmt *st, int i, const cJSON *v, long long off, int is_id)
{
	if (!cJSON_IsNumber(v))
		sqlite3_bind_null(st, i);
	else if (is_id)
		sqlite3_bind_int64(st, i, (long long)v->valuedouble + off);
	else
		sqlite3_bind_double(st, i, v->valuedouble);
}

static void bind_str(sqlite3_stmt *st, int i, const cJSON *v)
{
	if (cJSON_IsString(v))
		sqlite3_bind_text(st, i, v->valuestring, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Step st (prepared on db) and reset it; 0 or -1 (a row the lab's schema
 * refuses: counted by the caller). */
static int step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Parties [[n, band, [[band, n],…]],…] of session sid (0: a lone check-in at at). */
static int put_parties(struct hub *t, const cJSON *parties, long long sid, double at)
{
	static const char ip[] =
		"INSERT INTO participants(session_id, age_band, party_size, created_at, last_seen)"
		" VALUES (?1, ?2, ?3, ?4, ?4)";
	static const char im[] =
		"INSERT INTO participant_members(participant_id, age_band, n) VALUES (?1, ?2, ?3)";
	const cJSON *p, *m;
	int bad = 0;

	cJSON_ArrayForEach(p, parties) {
		sqlite3_stmt *st = store_stmt(t, ip);
		long long pid;

		if (!st)
			return -1;
		if (sid)
			sqlite3_bind_int64(st, 1, sid);
		bind_str(st, 2, cJSON_GetArrayItem(p, 1));
		bind_num(st, 3, cJSON_GetArrayItem(p, 0), 0, 1);
		sqlite3_bind_double(st, 4, at);
		if (step(st)) {
			bad++;
			continue;
		}
		pid = sqlite3_last_insert_rowid(store_db(t));
		cJSON_ArrayForEach(m, cJSON_GetArrayItem(p, 2)) {
			if (!(st = store_stmt(t, im)))
				return -1;
			sqlite3_bind_int64(st, 1, pid);
			bind_str(st, 2, cJSON_GetArrayItem(m, 0));
			bind_num(st, 3, cJSON_GetArrayItem(m, 1), 0, 1);
			bad += step(st) ? 1 : 0;
		}
	}
	return bad;
}

/* One state back into rows of t.  0, or -1 when the lab's schema refuses it. */
static int put_state(struct hub *t, const char *key, const cJSON *s, long long off)
{
	static const char is[] =
		"INSERT INTO sessions(id, started_at, ended_at, group_type, group_size, removed_at,"
		" merged_into) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	static const char isp[] = "INSERT INTO session_projects(session_id, project_id) VALUES (?1, ?2)";
	static const char iproj[] =
		"INSERT INTO projects(id, title, status, visibility, created_at, updated_at)"
		" VALUES (?1, coalesce(?2, ''), ?3, ?4, 0, 0)";
	static const char ith[] = "INSERT INTO project_themes(project_id, theme) VALUES (?1, ?2)";
	static const char ic[] =
		"INSERT INTO contributions(id, project_id, session_id, kind, title, licence, status,"
		" created_at, decided_at) VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, ?7, ?8)";
	static const char ir[] =
		"INSERT INTO ratings(id, session_id, value, scale, question, source, at)"
		" VALUES (?1, ?2, ?3, ?4, '', 'net', ?5)";
	static const char iu[] =
		"INSERT INTO machine_use(machine, plug, started_at, ended_at, energy_kwh)"
		" VALUES (?1, 'net', ?2, ?3, ?4)";
	static const char ij[] =
		"INSERT INTO jobs(dev, kind, state, started_at, ended_at) VALUES (0, ?1, ?2, ?3, ?4)";
	const char *colon = strchr(key, ':');
	long long id = colon ? atoll(colon + 1) : 0;
	sqlite3_stmt *st;
	const cJSON *v;

	if (!strncmp(key, "session:", 8)) {
		if (!(st = store_stmt(t, is)))
			return -1;
		sqlite3_bind_int64(st, 1, id + off);
		bind_num(st, 2, get(s, "started"), 0, 0);
		bind_num(st, 3, get(s, "ended"), 0, 0);
		bind_str(st, 4, get(s, "group"));
		bind_num(st, 5, get(s, "size"), 0, 1);
		v = get(s, "removed");	/* 1 as the lab's SQLite writes it, or true */
		if (cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0))
			bind_num(st, 6, get(s, "started"), 0, 0);
		bind_num(st, 7, get(s, "merged_into"), off, 1);
		if (step(st))
			return -1;
		cJSON_ArrayForEach(v, get(s, "projects")) {
			if (!(st = store_stmt(t, isp)))
				return -1;
			sqlite3_bind_int64(st, 1, id + off);
			bind_num(st, 2, v, off, 1);
			step(st);
		}
		return put_parties(t, get(s, "parties"), id + off,
				   cJSON_IsNumber(get(s, "started")) ? get(s, "started")->valuedouble : 0)
			? -1 : 0;
	}
	if (!strncmp(key, "checkin:", 8))
		return put_parties(t, get(s, "parties"), 0,
				   cJSON_IsNumber(get(s, "at")) ? get(s, "at")->valuedouble : 0) ? -1 : 0;
	if (!strncmp(key, "project:", 8)) {
		if (!(st = store_stmt(t, iproj)))
			return -1;
		sqlite3_bind_int64(st, 1, id + off);
		bind_str(st, 2, get(s, "title"));
		bind_str(st, 3, get(s, "status"));
		bind_str(st, 4, get(s, "visibility"));
		if (step(st))
			return -1;
		cJSON_ArrayForEach(v, get(s, "themes")) {
			if (!(st = store_stmt(t, ith)))
				return -1;
			sqlite3_bind_int64(st, 1, id + off);
			bind_str(st, 2, v);
			step(st);
		}
		return 0;
	}
	if (!strncmp(key, "contribution:", 13)) {
		if (!(st = store_stmt(t, ic)))
			return -1;
		sqlite3_bind_int64(st, 1, id + off);
		bind_num(st, 2, get(s, "project"), off, 1);
		bind_num(st, 3, get(s, "session"), off, 1);
		bind_str(st, 4, get(s, "kind"));
		bind_str(st, 5, get(s, "licence"));
		bind_str(st, 6, get(s, "status"));
		bind_num(st, 7, get(s, "created"), 0, 0);
		bind_num(st, 8, get(s, "decided"), 0, 0);
		return step(st);
	}
	if (!strncmp(key, "rating:", 7)) {
		if (!(st = store_stmt(t, ir)))
			return -1;
		sqlite3_bind_int64(st, 1, id + off);
		bind_num(st, 2, get(s, "session"), off, 1);
		bind_num(st, 3, get(s, "value"), 0, 1);
		bind_num(st, 4, get(s, "scale"), 0, 1);
		bind_num(st, 5, get(s, "at"), 0, 0);
		return step(st);
	}
	if (!strncmp(key, "day:", 4)) {
		double start = cJSON_IsNumber(get(s, "start")) ? get(s, "start")->valuedouble : 0;
		const cJSON *k, *n;
		int bad = 0;

		cJSON_ArrayForEach(v, get(s, "machines")) {
			const cJSON *hrs = get(v, "hours"), *kwh = get(v, "kwh");

			if (!cJSON_IsNumber(hrs) || !(st = store_stmt(t, iu)))
				continue;
			sqlite3_bind_text(st, 1, v->string, -1, SQLITE_TRANSIENT);
			sqlite3_bind_double(st, 2, start);
			sqlite3_bind_double(st, 3, start + hrs->valuedouble * 3600.0);
			bind_num(st, 4, kwh, 0, 0);
			bad += step(st) ? 1 : 0;
		}
		cJSON_ArrayForEach(k, get(s, "jobs"))
			cJSON_ArrayForEach(n, k) {
				for (int i = 0; cJSON_IsNumber(n) && i < n->valueint && i < 1000000; i++) {
					if (!(st = store_stmt(t, ij)))
						return -1;
					sqlite3_bind_text(st, 1, k->string, -1, SQLITE_TRANSIENT);
					sqlite3_bind_text(st, 2, n->string, -1, SQLITE_TRANSIENT);
					sqlite3_bind_double(st, 3, start);
					sqlite3_bind_double(st, 4, start + 1);
					bad += step(st) ? 1 : 0;
				}
			}
		return bad ? -1 : 0;
	}
	return -1;
}

/* Is a fact of this type the last word on a row the lab no longer has
 * (session.deleted, checkin.deleted, …, machines.day.deleted)? */
static int gone(const char *type)
{
	size_t n = type ? strlen(type) : 0;

	return n > 8 && !strcmp(type + n - 8, ".deleted");
}

/* With track, the scratch database also says where each row came from:
 * trail_src holds every state loaded (its fact's key, seq, type, time and
 * state), trail_rows the rows a lone check-in or a day made (their ids
 * are the scratch database's own). */
static const char trail_schema[] =
	"CREATE TABLE trail_src(key TEXT PRIMARY KEY, seq INTEGER, type TEXT, at REAL,"
	" state TEXT) WITHOUT ROWID;"
	"CREATE TABLE trail_rows(tbl TEXT, id INTEGER, key TEXT, PRIMARY KEY(tbl, id)) WITHOUT ROWID;";

/* Note the rows sql selects above id `above` as made by key. */
static void track_rows(struct hub *t, const char *sql, long long above, const char *key)
{
	sqlite3_stmt *st = store_stmt(t, sql);

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, above);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	step(st);
}

int sum_load_site(struct hub *h, struct hub *t, const char *site, long long off, int track)
{
	static const char sel[] =
		"SELECT r.key, r.state, r.seq, r.type, r.at FROM net_rx r JOIN net_sites s"
		" ON s.site = r.site AND s.boot = r.boot WHERE r.site = ?1 AND NOT EXISTS"
		" (SELECT 1 FROM net_rx q WHERE q.site = r.site AND q.boot = r.boot"
		"  AND q.key = r.key AND q.seq > r.seq)"
		" ORDER BY r.key";
	static const char src[] = "INSERT OR REPLACE INTO trail_src VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char mp[] = "SELECT coalesce(max(id), 0) FROM participants";
	static const char mu[] = "SELECT coalesce(max(id), 0) FROM machine_use";
	static const char mj[] = "SELECT coalesce(max(id), 0) FROM jobs";
	static const char tp[] =
		"INSERT INTO trail_rows SELECT 'participants', id, ?2 FROM participants WHERE id > ?1";
	static const char tu[] =
		"INSERT INTO trail_rows SELECT 'machine_use', id, ?2 FROM machine_use WHERE id > ?1";
	static const char tj[] =
		"INSERT INTO trail_rows SELECT 'jobs', id, ?2 FROM jobs WHERE id > ?1";
	sqlite3_stmt *st = store_stmt(h, sel), *ts;
	int bad = 0;

	if (!st)
		return -1;
	if (track && sqlite3_exec(store_db(t), trail_schema, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		const char *text = (const char *)sqlite3_column_text(st, 1);
		const char *type = (const char *)sqlite3_column_text(st, 3);
		cJSON *s;
		long long p = 0, u = 0, j = 0;

		if (gone(type))
			continue;	/* the row is gone from the lab: nothing counts */
		s = cJSON_Parse(text);

		if (track) {
			p = store_int(t, mp, 0);
			u = store_int(t, mu, 0);
			j = store_int(t, mj, 0);
		}
		if (!s || put_state(t, key, s, off))
			bad++;
		cJSON_Delete(s);
		if (!track || !(ts = store_stmt(t, src)))
			continue;
		sqlite3_bind_text(ts, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ts, 2, sqlite3_column_int64(st, 2));
		sqlite3_bind_text(ts, 3, type, -1, SQLITE_STATIC);
		sqlite3_bind_double(ts, 4, sqlite3_column_double(st, 4));
		sqlite3_bind_text(ts, 5, text, -1, SQLITE_STATIC);
		step(ts);
		track_rows(t, tp, p, key);
		track_rows(t, tu, u, key);
		track_rows(t, tj, j, key);
	}
	sqlite3_reset(st);
	return bad;
}

int sum_scratch_open(struct hub *h, struct hub *t)
{
	memset(t, 0, sizeof(*t));
	t->conf = h->conf;
	if (store_open(t, ":memory:"))
		return -1;
	sqlite3_exec(store_db(t), "PRAGMA foreign_keys=OFF; BEGIN", NULL, NULL, NULL);
	return 0;
}

/* The "indicators" object of t's report for fy (the caller owns it), or NULL. */
static cJSON *scratch_figures(struct hub *t, int fy, char *err, size_t errlen)
{
	struct report_opts op = { .fy = fy, .format = "json", .lang = "fr" };
	struct api_resp out;
	cJSON *o, *ind = NULL;

	sqlite3_exec(store_db(t), "COMMIT", NULL, NULL, NULL);
	memset(&out, 0, sizeof(out));
	if (report_render(t, &op, &out, err, errlen)) {
		api_resp_free(&out);
		return NULL;
	}
	o = cJSON_ParseWithLength(out.body, out.len);
	api_resp_free(&out);
	if (o)
		ind = cJSON_DetachItemFromObject(o, "indicators");
	cJSON_Delete(o);
	return ind;
}

/* {"fy":Y,"sites":{SITE:{"indicators":…,"acknowledged":W,"last":{…}}},"total":{…}};
 * the caller owns it.  NULL with err. */
static cJSON *sum_json(struct hub *h, int fy, char *err, size_t errlen)
{
	static const char sites[] =
		"SELECT site, w, last_seq, last_type, last_at, received FROM net_sites ORDER BY site";
	sqlite3_stmt *st = store_stmt(h, sites);
	struct hub all;
	cJSON *o, *so, *ind;
	int i = 0, bad = 0;

	if (!st || sum_scratch_open(h, &all)) {
		snprintf(err, errlen, "cannot open a scratch database");
		return NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "fy", fy);
	so = cJSON_AddObjectToObject(o, "sites");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *site = (const char *)sqlite3_column_text(st, 0);
		cJSON *one = cJSON_AddObjectToObject(so, site), *last;
		struct hub t;
		char iso[40];
		int b;

		if (sum_scratch_open(h, &t))
			break;
		b = sum_load_site(h, &t, site, 0, 0);
		sum_load_site(h, &all, site, (i + 1) * SITE_OFFSET, 0);
		ind = scratch_figures(&t, fy, err, errlen);
		store_close(&t);
		if (!ind)
			break;
		cJSON_AddItemToObject(one, "indicators", ind);
		cJSON_AddNumberToObject(one, "acknowledged", (double)sqlite3_column_int64(st, 1));
		cJSON_AddNumberToObject(one, "refused", b);
		last = cJSON_AddObjectToObject(one, "last");
		cJSON_AddNumberToObject(last, "seq", (double)sqlite3_column_int64(st, 2));
		cJSON_AddStringToObject(last, "type", (const char *)sqlite3_column_text(st, 3));
		cJSON_AddStringToObject(last, "at", hub_iso(sqlite3_column_double(st, 4), iso, sizeof(iso), 0));
		cJSON_AddStringToObject(last, "received",
					hub_iso(sqlite3_column_double(st, 5), iso, sizeof(iso), 0));
		bad += b > 0 ? b : 0;
		i++;
	}
	sqlite3_reset(st);
	ind = scratch_figures(&all, fy, err, errlen);
	store_close(&all);
	if (!ind) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "total"), "indicators", ind);
	if (bad)
		LOG(L_WARN, "net: %d fact state(s) refused by the lab's schema (see refused per site)", bad);
	return o;
}

cJSON *sum_figures(struct hub *h, int fy, char *err, size_t errlen)
{
	if (fy < 2000 || fy > 2999) {
		snprintf(err, errlen, "fy must be a year between 2000 and 2999");
		return NULL;
	}
	return sum_json(h, fy, err, errlen);
}

static void put_value(struct api_resp *out, const cJSON *fig)
{
	const cJSON *v = get(fig, "value");
	char *s = v && !cJSON_IsNull(v) ? cJSON_PrintUnformatted(v) : NULL;

	api_csv(out, s ? s : "", ',');
	free(s);
}

int sum_render(struct hub *h, int fy, const char *format, const char *lang,
	       struct api_resp *out, char *err, size_t errlen)
{
	int en = lang && !strcmp(lang, "en");
	const cJSON *site, *fig, *total;
	cJSON *o;
	char *s;

	if (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "html")) {
		snprintf(err, errlen, "format must be json, csv or html");
		return -3;
	}
	if (fy < 2000 || fy > 2999) {
		snprintf(err, errlen, "fy must be a year between 2000 and 2999");
		return -3;
	}
	if (!(o = sum_json(h, fy, err, errlen)))
		return -1;
	total = get(get(o, "total"), "indicators");
	if (!strcmp(format, "json")) {
		s = cJSON_PrintUnformatted(o);
		if (s)
			api_printf(out, "%s\n", s);
		free(s);
	} else if (!strcmp(format, "csv")) {
		api_printf(out, "site,indicator,value\r\n");
		cJSON_ArrayForEach(site, get(o, "sites"))
			cJSON_ArrayForEach(fig, get(site, "indicators")) {
				api_csv(out, site->string, ',');
				api_csv(out, fig->string, ',');
				put_value(out, fig);
				out->len--;	/* the ',' becomes the end of the line */
				api_printf(out, "\r\n");
			}
		cJSON_ArrayForEach(fig, total) {
			api_csv(out, "total", ',');
			api_csv(out, fig->string, ',');
			put_value(out, fig);
			out->len--;
			api_printf(out, "\r\n");
		}
	} else {
		api_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
			   "<title>%s %d</title><link rel=\"stylesheet\" href=\"/api/indicators/report.css\">"
			   "</head><body><main><h1>%s, %d-%d</h1><table><thead><tr><th scope=\"col\">%s</th>",
			   en ? "en" : "fr-CA", en ? "Network indicators" : "Indicateurs du réseau", fy,
			   en ? "Network indicators" : "Indicateurs du réseau", fy, fy + 1,
			   en ? "Indicator" : "Indicateur");
		cJSON_ArrayForEach(site, get(o, "sites")) {
			/* a site id is [A-Za-z0-9._-]: nothing to escape */
			api_printf(out, "<th scope=\"col\" class=\"n\">%s</th>", site->string);
		}
		api_printf(out, "<th scope=\"col\" class=\"n\">%s</th></tr></thead><tbody>\n",
			   en ? "Network" : "Réseau");
		cJSON_ArrayForEach(fig, total) {
			api_printf(out, "<tr><th scope=\"row\"><code>");
			for (const char *c = fig->string; *c; c++)	/* an age band is lab text */
				api_printf(out, "%s", *c == '<' ? "&lt;" : *c == '&' ? "&amp;" :
					   *c == '>' ? "&gt;" : (char[2]){ *c, 0 });
			api_printf(out, "</code></th>");
			cJSON_ArrayForEach(site, get(o, "sites")) {
				const cJSON *v = get(get(get(site, "indicators"), fig->string), "value");

				s = v && !cJSON_IsNull(v) ? cJSON_PrintUnformatted(v) : NULL;
				api_printf(out, "<td class=\"n\">%s</td>", s ? s : "–");
				free(s);
			}
			s = cJSON_IsNull(get(fig, "value")) ? NULL : cJSON_PrintUnformatted(get(fig, "value"));
			api_printf(out, "<td class=\"n\">%s</td></tr>\n", s ? s : "–");
			free(s);
		}
		api_printf(out, "</tbody></table></main></body></html>\n");
	}
	cJSON_Delete(o);
	return 0;
}
