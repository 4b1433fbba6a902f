/*
 * fact.c — the lab side of a network of labs: anonymous facts, kept in an
 * append-only log until the network acknowledges them.
 *
 * The facts are projections of the participation tables, never copies of
 * them: every net.scan_ms (when the database changed) each changed key's
 * state is computed in SQL — a session ("session:12": times, group type, head
 * count, the parties by age band, its projects), a lone check-in, a
 * contribution (kind, licence, status: never its title or author), a
 * rating, a project (its public title and themes), a day of machine use
 * (hours and energy per machine, jobs per kind and state) — and compared
 * with the last state published for that key (net_last).  A change
 * appends a fact with the next seq (net_facts) in the group transaction;
 * after the commit it is published, QoS 1, on mlab/v1/net/<site>/fact.
 * A later fact for a key replaces the earlier one on the network, so a
 * resend or a reordering changes nothing there.  No column that holds a
 * name, an e-mail, a postal code, a file name or free text is ever read.
 *
 * A key whose row is gone (deleted outright, a lone check-in now in a
 * session, a day whose jobs and machine use went) gets one *.deleted
 * fact, so the network stops counting it.
 *
 * A scan is incremental: triggers on those tables (dirty.c) note in
 * net_dirty the key of every fact whose state may have changed, whichever
 * process wrote, and the days a machine use or an ended job touches; a
 * scan computes just those states, by primary key, and empties net_dirty
 * in the same write transaction.  The first scan of a database (no
 * "scanned" in net_state) projects every row once, then looks up again
 * every key it published before, to find the rows gone meanwhile.
 *
 * The network acknowledges {"seq":W,"boot":B} (the gapless watermark of
 * docs/network.md); facts above W are resent every net.resend_ms, at once
 * when the link comes back, and at once for the ranges an ack lists as
 * "missing".  While acks come, the resend only slides the window over
 * facts not yet published; when they stop (the bridge beyond the lab's
 * broker is down, which the hub cannot see), everything unacknowledged
 * goes once more, then a single fact as a probe at growing intervals:
 * copies of whole batches would only fill the bridge's queue, and arrive
 * as duplicates when it drains.  The numbering (boot) is made once and kept in net_state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/loop.h"
#include "fed/fedi.h"
#include "fed/dirty.h"
#include "fed/fact.h"
#include "mqtt/mqtt.h"
#include "report/fiscal.h"
#include "store/store.h"

/* (key, state) pairs: one SELECT per kind of fact, over every row (for a
 * full scan) or one id (?1, for a key noted in net_dirty).  Floating-point
 * columns go through json_object(), which keeps 15 significant digits. */
#define Q_SESSIONS(where)								\
	"SELECT 'session:' || s.id, json_object('id', s.id, 'started', s.started_at,"	\
	" 'ended', s.ended_at, 'group', s.group_type, 'size', s.group_size,"		\
	" 'removed', s.removed_at IS NOT NULL, 'merged_into', s.merged_into,"		\
	" 'head', (SELECT coalesce(sum(party_size), 0) FROM participants WHERE session_id = s.id),"	\
	" 'projects', json((SELECT json_group_array(project_id) FROM (SELECT project_id"	\
	"   FROM session_projects WHERE session_id = s.id ORDER BY project_id))),"	\
	" 'parties', json((SELECT json_group_array(json_array(p.party_size, p.age_band,"	\
	"   json((SELECT json_group_array(json_array(m.age_band, m.n)) FROM"		\
	"   (SELECT age_band, n FROM participant_members WHERE participant_id = p.id"	\
	"    ORDER BY rowid) m)))) FROM (SELECT id, party_size, age_band FROM participants"	\
	"   WHERE session_id = s.id ORDER BY id) p)))"					\
	" FROM sessions s" where " ORDER BY s.id"
#define Q_CHECKINS(where)								\
	"SELECT 'checkin:' || p.id, json_object('at', p.created_at,"			\
	" 'parties', json_array(json_array(p.party_size, p.age_band,"			\
	"  json((SELECT json_group_array(json_array(m.age_band, m.n)) FROM"		\
	"  (SELECT age_band, n FROM participant_members WHERE participant_id = p.id"	\
	"   ORDER BY rowid) m)))))"							\
	" FROM participants p WHERE p.session_id IS NULL" where " ORDER BY p.id"
#define Q_CONTRIBUTIONS(where)								\
	"SELECT 'contribution:' || id, json_object('created', created_at,"		\
	" 'decided', decided_at, 'status', status, 'kind', kind, 'licence', licence,"	\
	" 'project', project_id, 'session', session_id)"				\
	" FROM contributions" where " ORDER BY id"
#define Q_RATINGS(where)								\
	"SELECT 'rating:' || id, json_object('at', at, 'scale', scale, 'value', value,"	\
	" 'session', session_id) FROM ratings" where " ORDER BY id"
#define Q_PROJECTS(where)								\
	"SELECT 'project:' || p.id, json_object('title', CASE WHEN p.visibility = 'public'"	\
	" THEN p.title END, 'status', p.status, 'visibility', p.visibility,"		\
	" 'themes', json((SELECT json_group_array(theme) FROM (SELECT theme"		\
	"  FROM project_themes WHERE project_id = p.id ORDER BY theme))))"		\
	" FROM projects p" where " ORDER BY p.id"

/* Each kind of fact in scan order: its key prefix, every row, one row,
 * and the type of the fact that says its row is gone. */
static const struct kind {
	const char *prefix, *all, *one, *gone;
} kinds[] = {
	{ "project:", Q_PROJECTS(""), Q_PROJECTS(" WHERE p.id = ?1"), "project.deleted" },
	{ "session:", Q_SESSIONS(""), Q_SESSIONS(" WHERE s.id = ?1"), "session.deleted" },
	{ "checkin:", Q_CHECKINS(""), Q_CHECKINS(" AND p.id = ?1"), "checkin.deleted" },
	{ "contribution:", Q_CONTRIBUTIONS(""), Q_CONTRIBUTIONS(" WHERE id = ?1"),
	  "contribution.deleted" },
	{ "rating:", Q_RATINGS(""), Q_RATINGS(" WHERE id = ?1"), "rating.deleted" },
};

/* The state of a key whose row is gone (a row deleted outright, a lone
 * check-in that joined a session, a day whose jobs went with their
 * device): its fact, of type *.deleted, replaces the last state on the
 * network, which then counts nothing for it (sum.c). */
#define FACT_GONE "{\"deleted\":true}"

/* The type a fact of key with this state carries (a string constant). */
static const char *fact_type(const char *key, const cJSON *st, int known)
{
	const cJSON *v;

	if (!strncmp(key, "session:", 8)) {
		v = cJSON_GetObjectItem(st, "removed");
		/* SQLite's json_object() writes the flag as 1 */
		if (cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0))
			return "session.removed";
		v = cJSON_GetObjectItem(st, "ended");
		return v && !cJSON_IsNull(v) ? "session.closed" : "session.opened";
	}
	if (!strncmp(key, "contribution:", 13)) {
		v = cJSON_GetObjectItem(st, "status");
		if (cJSON_IsString(v) && !strcmp(v->valuestring, "confirmed"))
			return "contribution.confirmed";
		if (cJSON_IsString(v) && !strcmp(v->valuestring, "rejected"))
			return known ? "contribution.withdrawn" : "contribution.rejected";
		return "contribution.pending";
	}
	if (!strncmp(key, "project:", 8))
		return known ? "project.changed" : "project.created";
	if (!strncmp(key, "rating:", 7))
		return "rating";
	if (!strncmp(key, "checkin:", 8))
		return "checkin";
	return "machines.day";
}

/* Append a fact for key when state differs from the last one published;
 * its type is the one its state says, or gone (a *.deleted type, state
 * FACT_GONE), appended only for a key published before: a row made and
 * gone between two scans was never told.  0 or -1. */
static int fact_put(struct hub *h, const char *key, const char *state, const char *gone)
{
	static const char last[] = "SELECT state FROM net_last WHERE key = ?1";
	static const char ins[] =
		"INSERT INTO net_facts(key, type, state, at) VALUES (?1, ?2, ?3, ?4)";
	static const char put[] = "INSERT OR REPLACE INTO net_last(key, state) VALUES (?1, ?2)";
	sqlite3_stmt *st = store_stmt(h, last);
	cJSON *o;
	int known = 0, rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		known = 1;
		if (!strcmp((const char *)sqlite3_column_text(st, 0), state)) {
			sqlite3_reset(st);
			return 0;
		}
	}
	sqlite3_reset(st);
	if (gone && !known)
		return 0;
	o = cJSON_Parse(state);
	if (!(st = store_stmt(h, ins))) {
		cJSON_Delete(o);
		return -1;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, gone ? gone : fact_type(key, o, known), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 4, hub_now());
	cJSON_Delete(o);
	rc = store_exec(h, st);
	if (rc != SQLITE_DONE || !(st = store_stmt(h, put)))
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	return store_exec(h, st) == SQLITE_DONE ? 0 : -1;
}

/* Every (key, state) row of kind k through fact_put: id > 0 the row of
 * that id (a cached statement; none left, its key gets the kind's
 * deleted fact), 0 every row.  0 or -1. */
static int scan_one(struct hub *h, const struct kind *k, long long id)
{
	sqlite3_stmt *st;
	int rc = 0, n = 0;

	if (id) {
		if (!(st = store_stmt(h, k->one)))
			return -1;
		sqlite3_bind_int64(st, 1, id);
	} else if (sqlite3_prepare_v2(store_db(h), k->all, -1, &st, NULL) != SQLITE_OK) {
		LOG(L_ERR, "net: %s", sqlite3_errmsg(store_db(h)));
		return -1;
	}
	while (!rc && sqlite3_step(st) == SQLITE_ROW && ++n)
		rc = fact_put(h, (const char *)sqlite3_column_text(st, 0),
			      (const char *)sqlite3_column_text(st, 1), NULL);
	if (!id) {
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_reset(st);
	if (!rc && !n) {
		char key[48];

		snprintf(key, sizeof(key), "%s%lld", k->prefix, id);
		rc = fact_put(h, key, FACT_GONE, k->gone);
	}
	return rc;
}

/* Local midnight at or before t (the process is in the lab's zone). */
static double day_start(double t, char *day, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(day, len, "%Y-%m-%d", &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (double)mktime(&tm);
}

/* The next local midnight after the day starting at d0. */
static double day_next(double d0)
{
	time_t s = (time_t)d0;
	struct tm tm;

	localtime_r(&s, &tm);
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (double)mktime(&tm);
}

/* The day object of days (created with its start), owned by days. */
static cJSON *day_obj(cJSON *days, const char *day, double start)
{
	cJSON *d = cJSON_GetObjectItem(days, day);

	if (!d) {
		d = cJSON_AddObjectToObject(days, day);
		cJSON_AddNumberToObject(d, "start", start);
		cJSON_AddObjectToObject(d, "machines");
		cJSON_AddObjectToObject(d, "jobs");
	}
	return d;
}

static void add_num(cJSON *o, const char *name, double v)
{
	cJSON *n = cJSON_GetObjectItem(o, name);

	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + v);
	else
		cJSON_AddNumberToObject(o, name, v);
}

/* The days in [lo, hi) the network holds a state of but days (what the
 * scan found) lacks: their machine use and jobs are gone (a device
 * removed with its history), so each gets a deleted fact.  0 or -1. */
static int days_gone(struct hub *h, const cJSON *days, double lo, double hi)
{
	static const char q[] =
		"SELECT key FROM net_last WHERE key >= ?1 AND key < ?2 AND state <> '" FACT_GONE "'";
	sqlite3_stmt *st = store_stmt(h, q);
	char from[32] = "day:", to[32] = "day;", day[16];
	cJSON *gone = cJSON_CreateArray(), *g;
	int rc = 0;

	if (!st || !gone) {
		cJSON_Delete(gone);
		return -1;
	}
	if (lo > -1e17) {	/* one day (a full scan: every day) */
		day_start(lo, day, sizeof(day));
		snprintf(from, sizeof(from), "day:%s", day);
		day_start(hi, day, sizeof(day));
		snprintf(to, sizeof(to), "day:%s", day);
	}
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	/* read the keys first: fact_put writes net_last */
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);

		if (!cJSON_GetObjectItemCaseSensitive(days, key + 4))
			cJSON_AddItemToArray(gone, cJSON_CreateString(key));
	}
	sqlite3_reset(st);
	cJSON_ArrayForEach(g, gone)
		if (!rc)
			rc = fact_put(h, g->valuestring, FACT_GONE, "machines.day.deleted");
	cJSON_Delete(gone);
	return rc;
}

/* Machine use split at local midnights, and jobs that ended, per local
 * day: one "day:YYYY-MM-DD" state for each day that starts in [lo, hi)
 * (a full scan: every day).  Rows are read in the same order either way,
 * so a day's sums come out the same to the last bit.  0 or -1; the
 * caller is in the lab's zone (fiscal_tz_enter). */
static int scan_days(struct hub *h, double lo, double hi)
{
	static const char uses[] =
		"SELECT machine, started_at, ended_at, coalesce(energy_kwh, 0) FROM machine_use"
		" WHERE ended_at IS NOT NULL AND ended_at > started_at AND ended_at > ?1"
		" AND started_at < ?2 ORDER BY machine, started_at, id";
	static const char jobs[] =
		"SELECT ended_at, kind, state FROM jobs WHERE ended_at IS NOT NULL"
		" AND state IN ('finished', 'failed', 'cancelled') AND ended_at >= ?1"
		" AND ended_at < ?2 ORDER BY ended_at, id";
	sqlite3_stmt *st;
	cJSON *days = cJSON_CreateObject(), *d;
	char day[16], key[32];
	int rc = 0;

	if (!days)
		return -1;
	if (!(st = store_stmt(h, uses)))
		rc = -1;
	if (st) {
		sqlite3_bind_double(st, 1, lo);
		sqlite3_bind_double(st, 2, hi);
	}
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		double a = sqlite3_column_double(st, 1), b = sqlite3_column_double(st, 2);
		double kwh = sqlite3_column_double(st, 3);

		for (double d0 = day_start(a, day, sizeof(day)), d1; d0 < b; d0 = d1) {
			double from, to;
			cJSON *mo;

			d1 = day_next(d0);
			day_start(d0, day, sizeof(day));
			from = a > d0 ? a : d0;
			to = b < d1 ? b : d1;
			if (to <= from || d0 < lo || d0 >= hi)
				continue;
			d = cJSON_GetObjectItem(day_obj(days, day, d0), "machines");
			if (!(mo = cJSON_GetObjectItem(d, m)))
				mo = cJSON_AddObjectToObject(d, m);
			add_num(mo, "hours", (to - from) / 3600.0);
			add_num(mo, "kwh", kwh * (to - from) / (b - a));
		}
	}
	if (st)
		sqlite3_reset(st);
	if (!rc && !(st = store_stmt(h, jobs)))
		rc = -1;
	if (!rc) {
		sqlite3_bind_double(st, 1, lo);
		sqlite3_bind_double(st, 2, hi);
	}
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		double t = sqlite3_column_double(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *state = (const char *)sqlite3_column_text(st, 2);
		double d0 = day_start(t, day, sizeof(day));
		cJSON *j = cJSON_GetObjectItem(day_obj(days, day, d0), "jobs"), *k;

		if (!(k = cJSON_GetObjectItem(j, kind)))
			k = cJSON_AddObjectToObject(j, kind);
		add_num(k, state, 1);
	}
	if (!rc)
		sqlite3_reset(st);
	for (d = days->child; !rc && d; d = d->next) {
		char *s = cJSON_PrintUnformatted(d);

		snprintf(key, sizeof(key), "day:%s", d->string);
		rc = s ? fact_put(h, key, s, NULL) : -1;
		free(s);
	}
	if (!rc)
		rc = days_gone(h, days, lo, hi);
	cJSON_Delete(days);
	return rc;
}

/* PRAGMA data_version: changes when another connection commits. */
static long long data_version(struct hub *h)
{
	return store_int(h, "PRAGMA data_version", 0);
}

/* Save one value of net_state in the group transaction. */
static void state_put(struct hub *h, const char *name, const char *value)
{
	static const char put[] = "INSERT OR REPLACE INTO net_state(name, value) VALUES (?1, ?2)";
	sqlite3_stmt *st = store_stmt(h, put);

	if (!st)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	store_exec(h, st);
}

/* Compare two doubles for qsort. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The days the "span:A:B" keys of net_dirty touch, each once.  0 or -1. */
static int scan_dirty_days(struct hub *h)
{
	static const char q[] = "SELECT key FROM net_dirty WHERE key LIKE 'span:%'";
	sqlite3_stmt *st = store_stmt(h, q);
	double *d0 = NULL;
	size_t n = 0, cap = 0;
	char day[16];
	int rc = 0;

	if (!st)
		return -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		long long a, b;

		if (sscanf((const char *)sqlite3_column_text(st, 0), "span:%lld:%lld", &a, &b) != 2)
			continue;
		for (double t = day_start((double)a, day, sizeof(day)); t < (double)b; t = day_next(t)) {
			if (n == cap) {
				void *m = realloc(d0, (cap = cap ? cap * 2 : 16) * sizeof(*d0));

				if (!m) {
					rc = -1;
					break;
				}
				d0 = m;
			}
			d0[n++] = t;
		}
	}
	sqlite3_reset(st);
	if (n)
		qsort(d0, n, sizeof(*d0), cmp_double);
	for (size_t i = 0; !rc && i < n; i++)
		if (!i || d0[i] != d0[i - 1])
			rc = scan_days(h, d0[i], day_next(d0[i]));
	free(d0);
	return rc;
}

/* The facts of the keys noted in net_dirty since the last scan, kind by
 * kind in id order, then the days of the spans noted.  0 or -1. */
static int scan_dirty(struct hub *h)
{
	static const char keys[] =
		"SELECT CAST(substr(key, length(?1) + 1) AS INTEGER) AS id FROM net_dirty"
		" WHERE substr(key, 1, length(?1)) = ?1 ORDER BY id";
	sqlite3_stmt *st;
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		long long *ids = NULL;
		size_t n = 0, cap = 0;

		/* read the ids first: fact_put reuses cached statements */
		if (!(st = store_stmt(h, keys)))
			return -1;
		sqlite3_bind_text(st, 1, kinds[i].prefix, -1, SQLITE_STATIC);
		while (!rc && sqlite3_step(st) == SQLITE_ROW) {
			if (n == cap) {
				void *m = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof(*ids));

				if (!m) {
					rc = -1;
					break;
				}
				ids = m;
			}
			ids[n++] = sqlite3_column_int64(st, 0);
		}
		sqlite3_reset(st);
		for (size_t j = 0; !rc && j < n; j++)
			rc = scan_one(h, &kinds[i], ids[j]);
		free(ids);
	}
	return rc ? -1 : scan_dirty_days(h);
}

/* Every fact's state, from every row: the first scan of a database (no
 * "scanned" in net_state), which may hold years of history.  Then each
 * key published before (net_last) is looked up again by id, so one whose
 * row went while no trigger watched (triggers remade, a copy restored)
 * gets its deleted fact.  0 or -1. */
static int scan_full(struct hub *h)
{
	static const char known[] =
		"INSERT OR IGNORE INTO net_dirty SELECT key FROM net_last WHERE key NOT LIKE 'day:%'";

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (scan_one(h, &kinds[i], 0))
			return -1;
	if (scan_days(h, -1e18, 1e18) || store_exec(h, store_stmt(h, known)) != SQLITE_DONE)
		return -1;
	return scan_dirty(h);
}

/* A value of net_state, into buf ("" when absent). */
static void state_get(struct hub *h, const char *name, char *buf, size_t len)
{
	static const char get[] = "SELECT value FROM net_state WHERE name = ?1";
	sqlite3_stmt *st = store_stmt(h, get);

	buf[0] = '\0';
	if (!st)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
}

int fact_scan(struct hub *h)
{
	static const char clear[] = "DELETE FROM net_dirty";
	struct fed *f = h->fed;
	long long now = sqlite3_total_changes64(store_db(h)) + (data_version(h) << 40);
	struct fiscal_tz z;
	char err[256], done[8];
	int rc;

	/* nothing written here (total_changes) nor by another process (data_version) */
	if (now == f->changes)
		return 0;
	/* one write transaction (BEGIN IMMEDIATE): no other process adds to
	 * net_dirty between reading it and emptying it */
	if (store_begin(h) || fiscal_tz_enter(&z, conf_str(h->conf, "lab.timezone"), err, sizeof(err)))
		return -1;
	state_get(h, "scanned", done, sizeof(done));
	rc = done[0] ? scan_dirty(h) : scan_full(h);
	fiscal_tz_leave(&z);
	if (!rc)
		rc = store_exec(h, store_stmt(h, clear)) == SQLITE_DONE ? 0 : -1;
	if (!rc && !done[0])
		state_put(h, "scanned", "1");
	if (!rc)
		f->changes = sqlite3_total_changes64(store_db(h)) + (data_version(h) << 40);
	return rc;
}

/* Publish up to FED_BATCH facts with seq in (from, to].  0 or -1. */
static int publish_range(struct hub *h, long long from, long long to)
{
	static const char sel[] =
		"SELECT seq, key, type, state, at FROM net_facts WHERE seq > ?1 AND seq <= ?2"
		" ORDER BY seq LIMIT ?3";
	struct fed *f = h->fed;
	sqlite3_stmt *st = store_stmt(h, sel);
	char topic[128];

	if (!st)
		return -1;
	snprintf(topic, sizeof(topic), "%s%s/fact", MQTT_NET, f->site);
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int(st, 3, FED_BATCH);
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0);
		cJSON *o = cJSON_CreateObject();
		char *s;

		cJSON_AddNumberToObject(o, "seq", (double)seq);
		cJSON_AddStringToObject(o, "boot", f->boot);
		cJSON_AddStringToObject(o, "site", f->site);
		cJSON_AddStringToObject(o, "key", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(o, "type", (const char *)sqlite3_column_text(st, 2));
		cJSON_AddNumberToObject(o, "at", sqlite3_column_double(st, 4));
		cJSON_AddRawToObject(o, "state", (const char *)sqlite3_column_text(st, 3));
		s = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!s || mqtt_publish(h, 0, topic, s, strlen(s), 1, 0)) {
			free(s);
			sqlite3_reset(st);
			return -1;
		}
		free(s);
		h->stats.net_facts_sent++;
		if (seq > f->sent)
			f->sent = seq;
	}
	sqlite3_reset(st);
	return 0;
}

int fact_publish(struct hub *h, long long from)
{
	struct fed *f = h->fed;

	if (!f->up)
		return 0;
	if (from < f->acked)
		from = f->acked;
	return publish_range(h, from, INT64_MAX);
}

/* {"seq":W,"boot":B,"missing":[[a,b],…]} on mlab/v1/net/<site>/ack. */
void fact_ack(struct hub *h, const char *payload, size_t len)
{
	struct fed *f = h->fed;
	cJSON *o = cJSON_ParseWithLength(payload, len), *seq, *boot, *miss, *r;

	seq = cJSON_GetObjectItem(o, "seq");
	boot = cJSON_GetObjectItem(o, "boot");
	if (!cJSON_IsNumber(seq) || seq->valuedouble < 0 ||
	    (boot && (!cJSON_IsString(boot) || strcmp(boot->valuestring, f->boot)))) {
		LOG(L_INFO, "net: an ack that is not for this numbering: ignored");
		cJSON_Delete(o);
		return;
	}
	if ((long long)seq->valuedouble > f->acked) {
		char v[32];

		f->acked = (long long)seq->valuedouble;
		snprintf(v, sizeof(v), "%lld", f->acked);
		state_put(h, "acked", v);
	}
	miss = cJSON_GetObjectItem(o, "missing");
	cJSON_ArrayForEach(r, miss) {
		cJSON *a = cJSON_GetArrayItem(r, 0), *b = cJSON_GetArrayItem(r, 1);

		if (f->up && cJSON_IsNumber(a) && cJSON_IsNumber(b))
			publish_range(h, (long long)a->valuedouble - 1, (long long)b->valuedouble);
	}
	cJSON_Delete(o);
}

/* After the commit that stored new facts, publish them. */
static void committed(struct hub *h, int ok, void *arg)
{
	struct fed *f = h->fed;

	if (!f)
		return;
	if (ok && f->up)
		fact_publish(h, f->sent);
}

static void scan_timer(struct hub *h, void *arg)
{
	fact_scan(h);
}

/* Every net.resend_ms.  While acks move the watermark, the window slides:
 * facts not yet published, up to FED_BATCH past the watermark.  After a
 * turn in which none moved it, everything unacknowledged once more (the
 * last facts may have been lost where the network cannot see a hole);
 * after that only the first one, as a probe, on stalled turns 2, 3, 5,
 * 9, … 65 (then every 64th), until an ack moves the watermark again. */
static void resend_timer(struct hub *h, void *arg)
{
	struct fed *f = h->fed;
	int n;

	if (f->acked != f->resent_at || f->sent <= f->acked) {
		f->quiet = 0;
		f->resent_at = f->acked;
		if (f->up)
			publish_range(h, f->sent > f->acked ? f->sent : f->acked,
				      f->acked + FED_BATCH);
		return;
	}
	n = f->quiet++;
	if (n == 0) {
		f->sent = f->acked;
		fact_publish(h, f->acked);
	} else if (f->up && (n >= 64 ? n % 64 == 0 : (n & (n - 1)) == 0)) {
		publish_range(h, f->acked, f->acked + 1);
	}
}

/* The numbering and the watermark kept in net_state; a new numbering the
 * first time.  0 or -1. */
static int load_state(struct hub *h)
{
	static const char get[] = "SELECT name, value FROM net_state";
	struct fed *f = h->fed;
	sqlite3_stmt *st = store_stmt(h, get);

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);

		if (!strcmp(n, "boot"))
			snprintf(f->boot, sizeof(f->boot), "%s", v);
		else if (!strcmp(n, "acked"))
			f->acked = atoll(v);
	}
	sqlite3_reset(st);
	if (!f->boot[0]) {
		FILE *r = fopen("/dev/urandom", "rb");
		unsigned char b[8] = { 0 };

		if (!r || fread(b, 1, sizeof(b), r) != sizeof(b)) {
			double t = hub_now();

			memcpy(b, &t, sizeof(b));
		}
		if (r)
			fclose(r);
		for (int i = 0; i < 8; i++)
			snprintf(f->boot + 2 * i, 3, "%02x", b[i]);
		state_put(h, "boot", f->boot);
		if (store_flush(h))
			return -1;
	}
	f->resent_at = f->sent = f->acked;
	return 0;
}

int fact_init(struct hub *h)
{
	struct fed *f = h->fed;
	long scan = conf_int(h->conf, "net.scan_ms");

	snprintf(f->site, sizeof(f->site), "%s", conf_str(h->conf, "net.site"));
	if (load_state(h) || dirty_install(h) || store_on_commit(h, committed, NULL) ||
	    loop_every(h, scan, scan, scan_timer, NULL) ||
	    loop_every(h, conf_int(h->conf, "net.resend_ms"), conf_int(h->conf, "net.resend_ms"),
		       resend_timer, NULL))
		return -1;
	LOG(L_NOTICE, "net: lab %s publishes its facts (numbering %s, acknowledged up to %lld)",
	    f->site, f->boot, f->acked);
	return 0;
}
