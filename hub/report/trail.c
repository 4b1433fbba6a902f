/*
 * trail.c — an explain trail in people's words, for the HTML the hub
 * renders: column names from the pages' catalogue (trail.col.*), codes
 * by the words the pages use for them (group.*, rep.status.*,
 * job.state.*, ckind.*, licence.*, age.*), times in the lab's local
 * format ("26 nov. 2026, 14 h 05", "Nov. 26, 2026, 2:05 p.m."), yes and
 * no for the 0/1 columns, devices and machines by the names people gave
 * them, numbers with the language's decimal mark.  The JSON and CSV keep
 * the codes: they are for programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "report/explain.h"
#include "report/trail.h"
#include "report/year.h"
#include "report/words.h"
#include "store/store.h"

/* The codes of a column and the catalogue prefix of their words. */
static const struct { const char *col, *prefix; } codes[] = {
	{ "group_type", "group." }, { "status", "rep.status." }, { "state", "job.state." },
	{ "kind", "ckind." }, { "licence", "licence." },
};

const char *trail_head(const cJSON *cat, const char *col)
{
	return words_get(cat, "trail.col.", col);
}

/* Does col hold a time (an ISO text in the lab's zone)? */
static int is_time(const char *col)
{
	size_t n = strlen(col);

	return !strcmp(col, "at") || (n > 3 && !strcmp(col + n - 3, "_at")) ||
	       (n > 9 && !strcmp(col + n - 9, "_activity")) ||
	       !strcmp(col, "counted_from") || !strcmp(col, "counted_to");
}

/* "2026-11-26T14:05:00-05:00" (already local) → the day and the time as
 * the pages write them; the text itself when it is no such time. */
static const char *local_time(const char *v, int fr, char *buf, size_t len)
{
	static const char *const fr_mon[] = { "janv.", "févr.", "mars", "avr.", "mai", "juin",
		"juill.", "août", "sept.", "oct.", "nov.", "déc." };
	static const char *const en_mon[] = { "Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.",
		"Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec." };
	int y, mo, d, hh, mm;

	if (sscanf(v, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &hh, &mm) != 5 || mo < 1 || mo > 12) {
		snprintf(buf, len, "%s", v);
		return buf;
	}
	if (fr)
		snprintf(buf, len, "%d %s %d, %d\u00a0h\u00a0%02d", d, fr_mon[mo - 1], y, hh, mm);
	else	/* no break inside the time: U+00A0 */
		snprintf(buf, len, "%s %d, %d, %d:%02d\u00a0%s", en_mon[mo - 1], d, y,
			 hh % 12 ? hh % 12 : 12, mm, hh < 12 ? "a.m." : "p.m.");
	return buf;
}

/* A number as the language writes it (decimal comma in French). */
static const char *number(const char *v, int fr, char *buf, size_t len)
{
	char *dot;

	snprintf(buf, len, "%s", v);
	if (fr && (dot = strchr(buf, '.')))
		*dot = ',';
	return buf;
}

/* The name people gave device id (the dashboard's, else the device's
 * own), or id; for a public view its public name, else id (the others
 * may name people: devset_public).  Read from the database so that the
 * report command, which runs no registry, names them too. */
static const char *device_name(struct report *r, const char *id, char *buf, size_t len)
{
	static const char q[] =
		"SELECT coalesce(nullif(s.name, ''), nullif(d.name, ''), d.native) FROM devices d"
		" LEFT JOIN device_settings s ON s.id = d.id WHERE d.id = ?1";
	static const char q_pub[] =
		"SELECT coalesce(nullif(public_name, ''), id) FROM devices WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(r->h, r->public_view ? q_pub : q);

	snprintf(buf, len, "%s", id);
	if (!st)
		return buf;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return buf;
}

/* "6-12:3 unknown:2" → "6 à 12 ans : 3, âge inconnu : 2". */
static const char *bands(const cJSON *cat, int fr, const char *v, char *buf, size_t len)
{
	char *copy = strdup(v), *save = NULL, *tok;
	size_t o = 0;

	buf[0] = '\0';
	if (!copy)
		return v;
	for (tok = strtok_r(copy, " ", &save); tok && o < len; tok = strtok_r(NULL, " ", &save)) {
		char *colon = strrchr(tok, ':');

		if (!colon)
			continue;
		*colon = '\0';
		o += (size_t)snprintf(buf + o, len - o, "%s%s%s: %s", o ? ", " : "",
				      words_get(cat, "age.", tok), fr ? "\u00a0" : "", colon + 1);
	}
	free(copy);
	return buf;
}

/* "merged into 12" / "deleted" (what became of a removed session). */
static const char *removed(const cJSON *cat, const char *v, char *buf, size_t len)
{
	const char *w = words_get(cat, "trail.removed.", "merged"), *at = strstr(w, "{n}");
	long long into;

	if (sscanf(v, "merged into %lld", &into) == 1) {

		if (at)
			snprintf(buf, len, "%.*s%lld%s", (int)(at - w), w, into, at + 3);
		else
			snprintf(buf, len, "%s %lld", w, into);
		return buf;
	}
	return words_get(cat, "trail.removed.", v);
}

const char *trail_cell(struct report *r, const cJSON *cat, int fr, const struct xtab *x,
		       int c, const char *v, char *buf, size_t len)
{
	const char *col = x->cols[c];

	if (!v || !v[0])
		return "—";
	if (x->types[c] == 'b')
		return words_get(cat, "common.", strcmp(v, "0") ? "yes" : "no");
	if (is_time(col))
		return local_time(v, fr, buf, len);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(col, codes[i].col))
			return words_get(cat, codes[i].prefix, v);
	if (!strcmp(col, "machine"))
		return year_machine_label(r, v);
	if (!strcmp(col, "device") || !strcmp(col, "plug"))
		return device_name(r, v, buf, len);
	if (!strcmp(col, "bands"))
		return bands(cat, fr, v, buf, len);
	if (!strcmp(col, "removed"))
		return removed(cat, v, buf, len);
	if (!strcmp(col, "duration_s")) {
		char n[32], out[32];

		snprintf(n, sizeof(n), "%.2f", strtod(v, NULL) / 3600.0);
		snprintf(buf, len, "%s h", number(n, fr, out, sizeof(out)));
		return buf;
	}
	if (x->types[c] == 'n')
		return number(v, fr, buf, len);
	return v;
}
