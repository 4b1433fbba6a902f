/*
 * trail.c — a network figure explained: the facts that count for it.
 *
 * For each site (or the one asked for) the latest states are loaded into
 * a scratch database as sum.c does, remembering which fact made each row
 * (sum_load_site with track); the lab's own explain list (hub/report/,
 * GET /api/indicators?explain=NAME) then names the rows behind the figure
 * and how much each counts, and each row is traced back to its fact.
 * Rows of one fact (a day's jobs, say) become one line whose "counted" is
 * their sum, so the lines of a site add up to the site's figure and all
 * the lines to the total's — for every count; a share (a rate) lists its
 * denominator, as the lab's trail does.  A line carries the site, the
 * fact's seq, key, type and time, and its state: the anonymous fields the
 * figure was made from, exactly as the lab sent them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/hub.h"
#include "fed/fedi.h"
#include "fed/sum.h"
#include "fed/trail.h"
#include "net/api.h"
#include "report/report.h"
#include "store/store.h"

static const char *const cols[] = { "site", "seq", "key", "type", "at", "counted", "state" };
#define NCOLS 7

/* The fact key behind one row of the lab's explain list, into key.  The
 * first id column the row has decides (a contribution also names its
 * session).  0, or -1 when the row names nothing known. */
static int row_key(struct hub *t, const cJSON *row, char *key, size_t len)
{
	static const struct { const char *col, *prefix, *tbl; } ids[] = {
		{ "contribution_id", "contribution:", NULL },
		{ "rating_id", "rating:", NULL },
		{ "project_id", "project:", NULL },
		{ "use_id", NULL, "machine_use" },
		{ "job_id", NULL, "jobs" },
		{ "session_id", "session:", NULL },
		{ "participant_id", NULL, "participants" },
	};
	static const char q[] = "SELECT key FROM trail_rows WHERE tbl = ?1 AND id = ?2";

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, ids[i].col);
		sqlite3_stmt *st;
		int rc = -1;

		if (!cJSON_IsNumber(v))
			continue;
		if (ids[i].prefix) {
			snprintf(key, len, "%s%lld", ids[i].prefix, (long long)v->valuedouble);
			return 0;
		}
		if (!(st = store_stmt(t, q)))
			return -1;
		sqlite3_bind_text(st, 1, ids[i].tbl, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (long long)v->valuedouble);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(key, len, "%s", (const char *)sqlite3_column_text(st, 0));
			rc = 0;
		}
		sqlite3_reset(st);
		return rc;
	}
	return -1;
}

/* A number as the trail prints it: at most 4 decimals, no trailing zeros. */
static cJSON *counted_num(double v)
{
	return cJSON_CreateNumber(round(v * 1e4) / 1e4);
}

/* Append site's lines behind figure name to rows (owned by the caller).
 * 0; 1 when the site has no such figure; -1 on error (err set). */
static int site_lines(struct hub *h, int fy, const char *name, const char *site,
		      cJSON *rows, char *err, size_t errlen)
{
	static const char tally[] =
		"INSERT INTO trail_out(key, ord, counted) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(key) DO UPDATE SET counted = counted + excluded.counted";
	static const char lines[] =
		"SELECT o.key, s.seq, s.type, s.at, s.state, o.counted FROM trail_out o"
		" JOIN trail_src s ON s.key = o.key ORDER BY o.ord";
	struct report_opts op = { .fy = fy, .format = "json", .lang = "fr", .explain = name };
	struct api_resp out;
	struct hub t;
	cJSON *o = NULL, *row;
	sqlite3_stmt *st;
	int rc = -1, n = 0;

	memset(&out, 0, sizeof(out));
	if (sum_scratch_open(h, &t)) {
		snprintf(err, errlen, "cannot open a scratch database");
		return -1;
	}
	if (sum_load_site(h, &t, site, 0, 1) < 0 ||
	    sqlite3_exec(store_db(&t), "CREATE TABLE trail_out(key TEXT PRIMARY KEY,"
			 " ord INTEGER, counted REAL); COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot load site %s", site);
		goto out;
	}
	rc = report_render(&t, &op, &out, err, errlen);
	if (rc == -2) {
		rc = 1;
		goto out;
	}
	if (rc || !(o = cJSON_ParseWithLength(out.body, out.len))) {
		rc = -1;
		goto out;
	}
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(o, "rows")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "counted");
		char key[160];

		if (row_key(&t, row, key, sizeof(key)) || !(st = store_stmt(&t, tally)))
			continue;	/* not from a fact: cannot happen with sum.c's rows */
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, n++);
		sqlite3_bind_double(st, 3, cJSON_IsNumber(c) ? c->valuedouble : 0);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	if (!(st = store_stmt(&t, lines))) {
		rc = -1;
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *l = cJSON_CreateObject();
		char iso[40];

		cJSON_AddStringToObject(l, "site", site);
		cJSON_AddNumberToObject(l, "seq", (double)sqlite3_column_int64(st, 1));
		cJSON_AddStringToObject(l, "key", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(l, "type", (const char *)sqlite3_column_text(st, 2));
		cJSON_AddStringToObject(l, "at", hub_iso(sqlite3_column_double(st, 3), iso, sizeof(iso), 0));
		cJSON_AddItemToObject(l, "counted", counted_num(sqlite3_column_double(st, 5)));
		cJSON_AddItemToObject(l, "state", cJSON_Parse((const char *)sqlite3_column_text(st, 4)));
		cJSON_AddItemToArray(rows, l);
	}
	sqlite3_reset(st);
	rc = 0;
out:
	cJSON_Delete(o);
	api_resp_free(&out);
	store_close(&t);
	return rc;
}

/* The trail as JSON: {"fy","indicator","site","value","columns","rows"}. */
static cJSON *trail_json(struct hub *h, int fy, const char *name, const char *site,
			 char *err, size_t errlen, int *rc)
{
	cJSON *all = sum_figures(h, fy, err, errlen), *o = NULL, *rows, *s;
	const cJSON *scope, *fig;

	*rc = -1;
	if (!all)
		return NULL;
	scope = site ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(all, "sites"), site)
		     : cJSON_GetObjectItemCaseSensitive(all, "total");
	fig = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(scope, "indicators"), name);
	if (!scope || !fig) {
		snprintf(err, errlen, site && !scope ? "no site named '%s' in the network" :
			 "no indicator named '%s' in fiscal year %d", site && !scope ? site : name, fy);
		*rc = -2;
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "fy", fy);
	cJSON_AddStringToObject(o, "indicator", name);
	if (site)
		cJSON_AddStringToObject(o, "site", site);
	else
		cJSON_AddNullToObject(o, "site");
	cJSON_AddItemToObject(o, "value", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(fig, "value"), 1));
	cJSON_AddItemToObject(o, "columns", cJSON_CreateStringArray(cols, NCOLS));
	rows = cJSON_AddArrayToObject(o, "rows");
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(all, "sites")) {
		if (site && strcmp(site, s->string))
			continue;
		if (site_lines(h, fy, name, s->string, rows, err, errlen) < 0) {
			cJSON_Delete(o);
			o = NULL;
			goto out;
		}
	}
	*rc = 0;
out:
	cJSON_Delete(all);
	return o;
}

/* Text for HTML, escaped. */
static void put_html(struct api_resp *out, const char *s)
{
	for (; *s; s++)
		api_printf(out, "%s", *s == '<' ? "&lt;" : *s == '&' ? "&amp;" : *s == '>' ? "&gt;" :
			   *s == '"' ? "&quot;" : (char[2]){ *s, 0 });
}

int trail_render(struct hub *h, int fy, const char *name, const char *site,
		 const char *format, const char *lang, struct api_resp *out,
		 char *err, size_t errlen)
{
	int en = lang && !strcmp(lang, "en"), rc;
	const cJSON *l, *v;
	cJSON *o;
	char *s;

	if (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "html")) {
		snprintf(err, errlen, "format must be json, csv or html");
		return -3;
	}
	if (fy < 2000 || fy > 2999 || !name[0] || strlen(name) > 150 || (site && !fedi_site_ok(site))) {
		snprintf(err, errlen, !name[0] || strlen(name) > 150 ? "key must name an indicator" :
			 site && !fedi_site_ok(site) ? "site must be a site id ([A-Za-z0-9._-], 1 to 64)" :
			 "fy must be a year between 2000 and 2999");
		return -3;
	}
	if (!(o = trail_json(h, fy, name, site, err, errlen, &rc)))
		return rc;
	if (!strcmp(format, "json")) {
		if ((s = cJSON_PrintUnformatted(o)))
			api_printf(out, "%s\n", s);
		free(s);
	} else if (!strcmp(format, "csv")) {
		for (int c = 0; c < NCOLS; c++)
			api_csv(out, cols[c], c == NCOLS - 1 ? '\n' : ',');
		cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(o, "rows"))
			for (int c = 0; c < NCOLS; c++) {
				v = cJSON_GetObjectItemCaseSensitive(l, cols[c]);
				s = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
				api_csv(out, s ? s : v->valuestring, c == NCOLS - 1 ? '\n' : ',');
				free(s);
			}
	} else {
		api_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
			   "<title>%s</title><link rel=\"stylesheet\" href=\"/api/indicators/report.css\">"
			   "</head><body><main><h1>", en ? "en" : "fr-CA",
			   en ? "Network figure: its facts" : "Figure du réseau : ses faits");
		put_html(out, name);
		api_printf(out, ", %d-%d, %s</h1><p>%s ", fy, fy + 1,
			   site ? site : en ? "network" : "réseau", en ? "Value:" : "Valeur :");
		s = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "value"));
		api_printf(out, "%s</p><table><thead><tr>", s ? s : "–");
		free(s);
		for (int c = 0; c < NCOLS; c++)
			api_printf(out, "<th scope=\"col\">%s</th>", cols[c]);
		api_printf(out, "</tr></thead><tbody>\n");
		cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(o, "rows")) {
			api_printf(out, "<tr>");
			for (int c = 0; c < NCOLS; c++) {
				v = cJSON_GetObjectItemCaseSensitive(l, cols[c]);
				s = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
				api_printf(out, c == 6 ? "<td><code>" : "<td>");
				put_html(out, s ? s : v->valuestring);
				api_printf(out, c == 6 ? "</code></td>" : "</td>");
				free(s);
			}
			api_printf(out, "</tr>\n");
		}
		api_printf(out, "</tbody></table></main></body></html>\n");
	}
	cJSON_Delete(o);
	return 0;
}
