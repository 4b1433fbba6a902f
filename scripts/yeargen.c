/*
 * yeargen.c — a simulated year of a busy lab, for `make bench` (issue 14).
 *
 *   build/yeargen DB [DAYS] [RAW_DAYS] [AGG_DAYS]
 *
 * DB must already carry the hub's schema (bench.mjs runs `mlab-hub user
 * list` on it first, which migrates).  Fills it as the hub would have after
 * DAYS (365) days ending now: 20 devices each sending 4 metrics every 2 s,
 * in the telemetry layout of tele.c (one packed row per message, minute
 * aggregates, hourly rollups), with what retention leaves of them (raw rows
 * for the last RAW_DAYS (30), minutes for the last AGG_DAYS (90) in hour
 * blocks and the last two days as minute rows too, every hour); and 3,000 sessions, 30,000 check-ins, 10,000 ratings, 2,000
 * contributions and 5,000 jobs spread over the same days.  Values follow a
 * daily curve plus noise, from a fixed seed: two runs give the same file.
 * Writes without a journal (a bench file, rebuilt if interrupted).
 * RAW_DAYS 0 leaves the telemetry out (the participation alone, for the
 * network bench's facts: BENCH=network).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#define NDEV 20
#define NMET 4
#define PERIOD 2		/* seconds between messages of one device */

static sqlite3 *db;
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static double urand(void)
{
	return rnd() / 4294967296.0;
}

static void die(const char *what)
{
	fprintf(stderr, "yeargen: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql);
}

/* Caller finalizes the statement. */
static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(sql);
	return st;
}

static void step(sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(sqlite3_sql(st));
	sqlite3_reset(st);
}

/* Metric m of device d at t: a daily curve, a slow drift, noise. */
static double value(int d, int m, double t, double noise)
{
	static const double base[NMET] = { 21, 40, 120, -60 }, amp[NMET] = { 3, 10, 100, 5 };
	double day = fmod(t, 86400) / 86400;

	return base[m] + d * 0.1 + amp[m] * sin(2 * M_PI * day) + noise;
}

struct sum {
	long n;
	double sum, min, max;
};

static void add(struct sum *s, double v)
{
	if (!s->n || v < s->min)
		s->min = v;
	if (!s->n || v > s->max)
		s->max = v;
	s->n++;
	s->sum += v;
}

static void telemetry(double now, int days, int raw_days, int agg_days)
{
	sqlite3_stmt *raw = prep("INSERT INTO telemetry(ts, dev, vals) VALUES (?1, ?2, ?3)");
	sqlite3_stmt *min = prep("INSERT INTO telemetry_min(minute, dev, mid, n, sum, min, max)"
				 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	sqlite3_stmt *hr = prep("INSERT INTO telemetry_hour(dev, mid, hour, n, sum, min, max)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	int64_t m0 = (int64_t)floor((now - days * 86400.0) / 60), m1 = (int64_t)floor(now / 60);
	double raw_cut = now - raw_days * 86400.0;
	sqlite3_stmt *blk = prep("INSERT INTO telemetry_mblk(dev, mid, hour, mins) VALUES (?1, ?2, ?3, ?4)");
	int64_t agg_cut = (int64_t)floor((now - agg_days * 86400.0) / 60);
	/* minute rows: the last two days (PACK_MINUTE_ROWS_H); before, only
	 * the hour blocks of minutes */
	int64_t min_cut = (int64_t)floor((now - 48 * 3600.0) / 60);
	static struct sum hour[NDEV][NMET];
	static unsigned char block[NDEV][NMET][60 * 19];
	static size_t blen[NDEV][NMET];
	int64_t cur_hour = -1;

	m0 -= m0 % 60;	/* whole hours */
	exec("BEGIN");
	for (int64_t m = m0; m < m1; m++) {
		struct sum ms[NDEV][NMET];

		if (m / 60 != cur_hour) {
			if (cur_hour >= 0)
				for (int d = 0; d < NDEV; d++)
					for (int k = 0; k < NMET; k++) {
						struct sum *s = &hour[d][k];

						sqlite3_bind_int64(hr, 1, d + 1);
						sqlite3_bind_int64(hr, 2, k + 1);
						sqlite3_bind_int64(hr, 3, cur_hour);
						sqlite3_bind_int64(hr, 4, s->n);
						sqlite3_bind_double(hr, 5, s->sum);
						sqlite3_bind_double(hr, 6, s->min);
						sqlite3_bind_double(hr, 7, s->max);
						step(hr);
						if (!blen[d][k])
							continue;
						sqlite3_bind_int64(blk, 1, d + 1);
						sqlite3_bind_int64(blk, 2, k + 1);
						sqlite3_bind_int64(blk, 3, cur_hour);
						sqlite3_bind_blob(blk, 4, block[d][k], (int)blen[d][k], SQLITE_STATIC);
						step(blk);
					}
			memset(hour, 0, sizeof(hour));
			memset(blen, 0, sizeof(blen));
			cur_hour = m / 60;
		}
		memset(ms, 0, sizeof(ms));
		for (int s = 0; s < 60; s += PERIOD)
			for (int d = 0; d < NDEV; d++) {
				/* devices do not send in step: d/NDEV of a period apart */
				double t = m * 60.0 + s + (double)d * PERIOD / NDEV;
				unsigned char blob[NMET * 9];

				for (int k = 0; k < NMET; k++) {
					double v = value(d, k, t, (urand() - 0.5) * 0.2);

					add(&ms[d][k], v);
					blob[k * 9] = (unsigned char)(k + 1);	/* varint mid */
					memcpy(blob + k * 9 + 1, &v, 8);
				}
				if (t < raw_cut)
					continue;
				sqlite3_bind_double(raw, 1, t);
				sqlite3_bind_int64(raw, 2, d + 1);
				sqlite3_bind_blob(raw, 3, blob, sizeof(blob), SQLITE_STATIC);
				step(raw);
			}
		for (int d = 0; d < NDEV; d++)
			for (int k = 0; k < NMET; k++) {
				struct sum *s = &ms[d][k], *h = &hour[d][k];

				if (!h->n || s->min < h->min)
					h->min = s->min;
				if (!h->n || s->max > h->max)
					h->max = s->max;
				h->n += s->n;
				h->sum += s->sum;
				if (m < agg_cut)
					continue;
				{	/* as tele.c's mlab_mblk: minute, varint n, sum */
					unsigned char *b = block[d][k];
					size_t *l = &blen[d][k];
					uint64_t n = (uint64_t)s->n;

					b[(*l)++] = (unsigned char)(m % 60);
					do {
						b[(*l)++] = (unsigned char)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
						n >>= 7;
					} while (n);
					memcpy(b + *l, &s->sum, 8);
					*l += 8;
				}
				if (m < min_cut)
					continue;
				sqlite3_bind_int64(min, 1, m);
				sqlite3_bind_int64(min, 2, d + 1);
				sqlite3_bind_int64(min, 3, k + 1);
				sqlite3_bind_int64(min, 4, s->n);
				sqlite3_bind_double(min, 5, s->sum);
				sqlite3_bind_double(min, 6, s->min);
				sqlite3_bind_double(min, 7, s->max);
				step(min);
			}
		if (m % (60 * 24 * 7) == 0) {	/* a week: commit, keep the cache small */
			exec("COMMIT");
			exec("BEGIN");
		}
	}
	/* the hour in progress is not rolled up yet: its minutes are */
	exec("COMMIT");
	sqlite3_finalize(raw);
	sqlite3_finalize(min);
	sqlite3_finalize(hr);
	sqlite3_finalize(blk);
}

static void devices(double now, double t0)
{
	static const char *const names[NMET] = { "temp_c", "humidity_pct", "power_w", "rssi_dbm" };
	sqlite3_stmt *st = prep("INSERT INTO devices(dev, id, source, native, name, kind, room, online,"
				" first_seen, last_seen) VALUES (?1, ?2, 'mlab', ?2, ?3, 'sensor', 'atelier', 0, ?4, ?5)");
	sqlite3_stmt *mt = prep("INSERT INTO metrics(id, name) VALUES (?1, ?2)");
	char id[32], name[32];

	for (int k = 0; k < NMET; k++) {
		sqlite3_bind_int(mt, 1, k + 1);
		sqlite3_bind_text(mt, 2, names[k], -1, SQLITE_STATIC);
		step(mt);
	}
	for (int d = 0; d < NDEV; d++) {
		snprintf(id, sizeof(id), "bench-%02d", d + 1);
		snprintf(name, sizeof(name), "Bench %d", d + 1);
		sqlite3_bind_int(st, 1, d + 1);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 4, t0);
		sqlite3_bind_double(st, 5, now);
		step(st);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(mt);
}

/* A time during opening hours (10:00–17:00 UTC-ish) of a day in range. */
static double lab_time(double t0, int days)
{
	double day = floor(t0 / 86400) + 1 + (int)(urand() * (days - 1));

	return day * 86400 + 14 * 3600 + urand() * 7 * 3600;
}

static void participation(double t0, int days)
{
	static const char *const groups[] = { "walk-in", "school", "family", "workshop", "partner" };
	static const char *const bands[] = { "0-5", "6-9", "10-13", "14-17", "18-24", "25-34",
					     "35-44", "45-54", "55-64", "65+" };
	static const char *const kinds[] = { "scan", "print", "idea", "photo", "text", "code", "other" };
	static const char *const states[] = { "pending", "confirmed", "confirmed", "rejected" };
	sqlite3_stmt *st;
	enum { NPROJ = 40, NSESS = 3000, NCHECK = 30000, NRATE = 10000, NCONTRIB = 2000, NJOB = 5000 };
	double *sess_t = malloc(sizeof(double) * NSESS);

	if (!sess_t)
		exit(1);
	exec("BEGIN");
	st = prep("INSERT INTO projects(id, title, status, created_at, updated_at)"
		  " VALUES (?1, 'Projet ' || ?1, 'active', ?2, ?2)");
	for (int i = 1; i <= NPROJ; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_double(st, 2, t0);
		step(st);
	}
	sqlite3_finalize(st);
	st = prep("INSERT INTO sessions(id, started_at, ended_at, facilitator, group_type, group_size, source)"
		  " VALUES (?1, ?2, ?2 + 5400, 'anim', ?3, ?4, 'bench')");
	for (int i = 0; i < NSESS; i++) {
		sess_t[i] = lab_time(t0, days);
		sqlite3_bind_int(st, 1, i + 1);
		sqlite3_bind_double(st, 2, sess_t[i]);
		sqlite3_bind_text(st, 3, groups[rnd() % 5], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, 1 + (int)(rnd() % 30));
		step(st);
	}
	sqlite3_finalize(st);
	st = prep("INSERT INTO session_projects(session_id, project_id) VALUES (?1, ?2)");
	for (int i = 0; i < NSESS; i++) {
		sqlite3_bind_int(st, 1, i + 1);
		sqlite3_bind_int(st, 2, 1 + (int)(rnd() % NPROJ));
		step(st);
	}
	sqlite3_finalize(st);
	st = prep("INSERT INTO participants(id, session_id, age_band, postal_area, created_at, last_seen, party_size)"
		  " VALUES (?1, ?2, ?3, 'H2X', ?4, ?4, ?5)");
	for (int i = 0; i < NCHECK; i++) {
		int s = (int)(rnd() % NSESS);

		sqlite3_bind_int(st, 1, i + 1);
		sqlite3_bind_int(st, 2, s + 1);
		sqlite3_bind_text(st, 3, bands[rnd() % 10], -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, sess_t[s] + urand() * 3600);
		sqlite3_bind_int(st, 5, rnd() % 8 ? 1 : 2 + (int)(rnd() % 4));
		step(st);
	}
	sqlite3_finalize(st);
	st = prep("INSERT INTO ratings(session_id, value, scale, question, source, at)"
		  " VALUES (?1, ?2, 5, 'satisfaction', 'kiosk:bench', ?3)");
	for (int i = 0; i < NRATE; i++) {
		int s = (int)(rnd() % NSESS);

		sqlite3_bind_int(st, 1, s + 1);
		sqlite3_bind_int(st, 2, 1 + (int)(rnd() % 5));
		sqlite3_bind_double(st, 3, sess_t[s] + 4000);
		step(st);
	}
	sqlite3_finalize(st);
	st = prep("INSERT INTO jobs(id, dev, kind, file, state, started_at, ended_at, duration_s,"
		  " progress_pct, filament_mm) VALUES (?1, ?2, 'print', 'piece-' || ?1 || '.gcode',"
		  " ?3, ?4, ?4 + ?5, ?5, 100, ?6)");
	for (int i = 0; i < NJOB; i++) {
		double t = lab_time(t0, days), dur = 600 + urand() * 7200;

		sqlite3_bind_int(st, 1, i + 1);
		sqlite3_bind_int(st, 2, 1 + (int)(rnd() % NDEV));
		sqlite3_bind_text(st, 3, rnd() % 10 ? "finished" : "failed", -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, t);
		sqlite3_bind_double(st, 5, dur);
		sqlite3_bind_double(st, 6, dur * 3);
		step(st);
	}
	sqlite3_finalize(st);
	st = prep("INSERT INTO contributions(project_id, session_id, participant_id, kind, title,"
		  " licence, status, job_id, created_at) VALUES (?1, ?2, ?3, ?4, 'Contribution ' || ?3,"
		  " 'CC-BY-4.0', ?5, ?6, ?7)");
	for (int i = 0; i < NCONTRIB; i++) {
		int s = (int)(rnd() % NSESS);

		sqlite3_bind_int(st, 1, 1 + (int)(rnd() % NPROJ));
		sqlite3_bind_int(st, 2, s + 1);
		sqlite3_bind_int(st, 3, 1 + (int)(rnd() % NCHECK));
		sqlite3_bind_text(st, 4, kinds[rnd() % 7], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, states[rnd() % 4], -1, SQLITE_STATIC);
		if (rnd() % 4 == 0)
			sqlite3_bind_int(st, 6, 1 + (int)(rnd() % NJOB));
		sqlite3_bind_double(st, 7, sess_t[s] + 3000);
		step(st);
		sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	exec("COMMIT");
	free(sess_t);
}

int main(int argc, char **argv)
{
	int days = argc > 2 ? atoi(argv[2]) : 365, raw_days = argc > 3 ? atoi(argv[3]) : 30;
	int agg_days = argc > 4 ? atoi(argv[4]) : 90;
	double now = (double)time(NULL), t0 = now - days * 86400.0;

	if (argc < 2 || days < 2 || raw_days < 0 || agg_days < 1) {
		fprintf(stderr, "usage: yeargen DB [DAYS [RAW_DAYS [AGG_DAYS]]]\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die(argv[1]);
	exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;"
	     "PRAGMA foreign_keys=OFF");
	exec("BEGIN");
	devices(now, t0);
	exec("COMMIT");
	participation(t0, days);
	if (raw_days)
		telemetry(now, days, raw_days, agg_days);
	exec("PRAGMA journal_mode=WAL");
	if (sqlite3_close(db) != SQLITE_OK)
		die("close");
	return 0;
}
