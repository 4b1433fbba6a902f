/*
 * tele.c — telemetry between the device registry and the disk.
 *
 * Readings are most of what the hub stores and none of them is
 * acknowledged, so they do not ride the fast group commit of events:
 * they wait here and are written every store.telemetry_commit_s.  A row
 * is one message: (ts, dev) and the values packed as (varint mid, 8-byte
 * double) pairs; the key starts with the time, so a commit appends to the
 * right-hand pages of the b-tree instead of touching one page per series.
 * Each series (device, metric) keeps its last stored reading (thinning)
 * and the sums of its current minute, written once the minute is over.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "store/pack.h"
#include "store/store.h"
#include "store/tele.h"

struct series {
	int64_t dev, mid;	/* dev 0: empty slot */
	int64_t minute;		/* the minute being summed (when n > 0) */
	long n;
	double sum, min, max;
	double last_ts, last_val;	/* last reading stored raw (last_ts 0: none) */
};

struct agg {
	int64_t minute, dev, mid;
	long n;
	double sum, min, max;
};

struct row {
	double ts;
	int64_t dev;
	size_t off, len;	/* its packed values in pool */
};

struct tele {
	struct row *row;
	long nrow, rcap;
	unsigned char *pool;
	size_t plen, pcap;
	struct series *ser;	/* open addressing on (dev, mid) */
	int nser, scap;
	struct agg *done;	/* minutes left behind by a late reading */
	int ndone, dcap;
	int64_t hour_done;	/* hours below this are rolled up */
	int64_t hour_dirty;	/* lowest older hour whose minutes changed since */
	double heartbeat, deadband, min_interval;
};

/* Allocate the buffers and read the settings; NULL when out of memory. */
static struct tele *tele_new(struct hub *h)
{
	struct tele *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->scap = 256;
	if (!(t->ser = calloc((size_t)t->scap, sizeof(*t->ser)))) {
		free(t);
		return NULL;
	}
	t->hour_done = t->hour_dirty = INT64_MAX;	/* read at the first write */
	if (h->conf) {
		t->heartbeat = conf_int(h->conf, "store.heartbeat_s");
		t->deadband = conf_int(h->conf, "store.deadband_pct") / 100.0;
		t->min_interval = conf_int(h->conf, "store.min_interval_ms") / 1000.0;
	}
	return t;
}

static void tele_free(void *state)
{
	struct tele *t = state;

	if (!t)
		return;
	free(t->row);
	free(t->pool);
	free(t->ser);
	free(t->done);
	free(t);
}

static long tele_pending(struct hub *h);
static int tele_unwritten(struct hub *h);
static int tele_write(struct hub *h, int all);

/* The store commits the queue (store_set_queue): the readings ride the
 * slower telemetry commit, not the group commit of events. */
static const struct store_queue tele_queue = {
	.pending = tele_pending,
	.unwritten = tele_unwritten,
	.write = tele_write,
	.free = tele_free,
};

/* h's queue, made and handed to the store on first use; NULL when the
 * store is not open or memory ran out. */
static struct tele *queue(struct hub *h)
{
	struct tele *t = store_queue(h);

	if (t || !h->store)
		return t;
	if (!(t = tele_new(h)))
		return NULL;
	if (store_set_queue(h, &tele_queue, t)) {
		tele_free(t);
		return NULL;
	}
	return t;
}

int tele_init(struct hub *h)
{
	return queue(h) ? 0 : -1;
}

static struct series *slot(struct series *tab, int cap, int64_t dev, int64_t mid)
{
	uint64_t x = ((uint64_t)dev * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)mid * 0xc2b2ae3d27d4eb4full);
	int i = (int)((x >> 17) & (uint64_t)(cap - 1));

	while (tab[i].dev && (tab[i].dev != dev || tab[i].mid != mid))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct series *series_get(struct tele *t, int64_t dev, int64_t mid)
{
	struct series *s;

	if ((t->nser + 1) * 2 > t->scap) {
		int ncap = t->scap * 2;
		struct series *nt = calloc((size_t)ncap, sizeof(*nt));

		if (!nt)
			return NULL;
		for (int i = 0; i < t->scap; i++)
			if (t->ser[i].dev)
				*slot(nt, ncap, t->ser[i].dev, t->ser[i].mid) = t->ser[i];
		free(t->ser);
		t->ser = nt;
		t->scap = ncap;
	}
	s = slot(t->ser, t->scap, dev, mid);
	if (!s->dev) {
		s->dev = dev;
		s->mid = mid;
		t->nser++;
	}
	return s;
}

/* Set the series' minute sums aside to be written (a reading of another
 * minute came).  0 or -1. */
static int set_aside(struct tele *t, struct series *s)
{
	if (t->ndone == t->dcap) {
		int ncap = t->dcap ? t->dcap * 2 : 64;
		struct agg *nd = realloc(t->done, (size_t)ncap * sizeof(*nd));

		if (!nd)
			return -1;
		t->done = nd;
		t->dcap = ncap;
	}
	t->done[t->ndone++] = (struct agg){ s->minute, s->dev, s->mid, s->n, s->sum, s->min, s->max };
	s->n = 0;
	return 0;
}

/* Is reading v at ts worth a raw row, given what s last stored? */
static int keep(const struct tele *t, const struct series *s, double ts, double v)
{
	double dt = ts - s->last_ts;

	if (!s->last_ts)
		return 1;
	if (t->min_interval > 0 && dt >= 0 && dt < t->min_interval)
		return 0;
	if (t->heartbeat > 0 && dt >= 0 && dt < t->heartbeat &&
	    fabs(v - s->last_val) <= t->deadband * fabs(s->last_val))
		return 0;
	return 1;
}

static int grow(struct tele *t, size_t need)
{
	if (t->nrow == t->rcap) {
		long ncap = t->rcap ? t->rcap * 2 : 256;
		struct row *nr = realloc(t->row, (size_t)ncap * sizeof(*nr));

		if (!nr)
			return -1;
		t->row = nr;
		t->rcap = ncap;
	}
	if (t->plen + need > t->pcap) {
		size_t ncap = t->pcap ? t->pcap * 2 : 8192;
		unsigned char *np;

		while (ncap < t->plen + need)
			ncap *= 2;
		if (!(np = realloc(t->pool, ncap)))
			return -1;
		t->pool = np;
		t->pcap = ncap;
	}
	return 0;
}

int tele_put(struct hub *h, int64_t dev, double ts, int n,
	     const int64_t *mid, const double *val)
{
	struct tele *t = queue(h);
	int64_t minute = (int64_t)floor(ts / 60);
	size_t start;
	int kept = 0;

	if (!t || grow(t, (size_t)n * 18))
		return -1;
	start = t->plen;
	for (int i = 0; i < n; i++) {
		struct series *s = series_get(t, dev, mid[i]);

		if (!s)
			return -1;
		if (s->n && s->minute != minute && set_aside(t, s))
			return -1;
		if (!s->n) {
			s->minute = minute;
			s->sum = 0;
			s->min = s->max = val[i];
		}
		s->n++;
		s->sum += val[i];
		if (val[i] < s->min)
			s->min = val[i];
		if (val[i] > s->max)
			s->max = val[i];
		if (!keep(t, s, ts, val[i]))
			continue;
		s->last_ts = ts;
		s->last_val = val[i];
		pack_varint(t->pool, &t->plen, (uint64_t)mid[i]);
		memcpy(t->pool + t->plen, &val[i], 8);
		t->plen += 8;
		kept++;
	}
	if (!kept)
		return 0;
	/* the same message in two calls: one row */
	if (t->nrow && t->row[t->nrow - 1].dev == dev && t->row[t->nrow - 1].ts == ts &&
	    t->row[t->nrow - 1].off + t->row[t->nrow - 1].len == start)
		t->row[t->nrow - 1].len += t->plen - start;
	else
		t->row[t->nrow++] = (struct row){ ts, dev, start, t->plen - start };
	h->stats.rows_stored += (uint64_t)kept;
	store_soon(h);
	return kept;
}

/* Rows waiting to be written. */
static long tele_pending(struct hub *h)
{
	struct tele *t = store_queue(h);

	return t ? t->nrow : 0;
}

/* Minute aggregates summed and not yet written. */
static int tele_unwritten(struct hub *h)
{
	struct tele *t = store_queue(h);
	int n = 0;

	if (!t)
		return 0;
	for (int i = 0; i < t->scap && !n; i++)
		n = t->ser[i].dev && t->ser[i].n;
	return n || t->ndone;
}

static int write_agg(struct hub *h, struct tele *t, const struct agg *a)
{
	static const char up[] =
		"INSERT INTO telemetry_min(minute, dev, mid, n, sum, min, max)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT(minute, dev, mid) DO UPDATE SET n = n + excluded.n,"
		"  sum = sum + excluded.sum, min = min(min, excluded.min),"
		"  max = max(max, excluded.max)";
	sqlite3_stmt *st = store_stmt(h, up);
	int64_t hour = a->minute / 60;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, a->minute);
	sqlite3_bind_int64(st, 2, a->dev);
	sqlite3_bind_int64(st, 3, a->mid);
	sqlite3_bind_int64(st, 4, a->n);
	sqlite3_bind_double(st, 5, a->sum);
	sqlite3_bind_double(st, 6, a->min);
	sqlite3_bind_double(st, 7, a->max);
	if (hour < t->hour_done && hour < t->hour_dirty)
		t->hour_dirty = hour;	/* a late reading: roll that hour again */
	return store_exec(h, st) == SQLITE_DONE ? 0 : -1;
}

/* Roll the minutes of hours [from, to) into telemetry_hour, and into
 * one block of minutes per series and hour (telemetry_mblk: what charts
 * of a day read, 24 rows instead of the day's minutes of every series).
 * Only hours whose minute rows are all still kept: older ones would be
 * replaced by what a late reading left. */
static int roll_hours(struct hub *h, int64_t from, int64_t to)
{
	static const char roll[] =
		"INSERT OR REPLACE INTO telemetry_hour(dev, mid, hour, n, sum, min, max)"
		" SELECT dev, mid, minute / 60, sum(n), sum(sum), min(min), max(max)"
		" FROM telemetry_min WHERE minute >= ?1 AND minute < ?2 GROUP BY 1, 2, 3";
	static const char block[] =
		"INSERT OR REPLACE INTO telemetry_mblk(dev, mid, hour, mins)"
		" SELECT dev, mid, minute / 60, mlab_mblk(minute % 60, n, sum)"
		" FROM telemetry_min WHERE minute >= ?1 AND minute < ?2 GROUP BY 1, 2, 3";
	int64_t kept = (int64_t)floor(hub_now() / 3600) - PACK_MINUTE_ROWS_H + 1;
	int rc = 0;

	if (from < kept)
		from = kept;
	for (int i = 0; i < 2 && from < to; i++) {
		sqlite3_stmt *st = store_stmt(h, i ? block : roll);

		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, from * 60);
		sqlite3_bind_int64(st, 2, to * 60);
		rc |= store_exec(h, st) == SQLITE_DONE ? 0 : -1;
	}
	return rc;
}

/* Where the hourly rollups stop: after the last hour rolled, or at the
 * first minute when there is none. */
static int64_t first_unrolled(struct hub *h)
{
	sqlite3_stmt *st = store_stmt(h, "SELECT (SELECT max(hour) + 1 FROM telemetry_hour),"
				      " (SELECT min(minute) / 60 FROM telemetry_min)");
	int64_t v = (int64_t)floor(hub_now() / 3600);

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			v = sqlite3_column_int64(st, 0);
		else if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			v = sqlite3_column_int64(st, 1);
	}
	if (st)
		sqlite3_reset(st);
	return v;
}

/* Write what is queued into the open transaction: the rows, the minute
 * aggregates of minutes that are over (all of them when all is set, at
 * shutdown) and the rollups of hours that are over.  0 or -1. */
static int tele_write(struct hub *h, int all)
{
	static const char ins[] =
		"INSERT INTO telemetry(ts, dev, vals) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(ts, dev) DO UPDATE SET vals = vals || excluded.vals";
	struct tele *t = store_queue(h);
	double now = hub_now();
	int64_t minute = (int64_t)floor(now / 60), hour = (int64_t)floor(now / 3600);
	int rc = 0;

	if (!t)
		return 0;
	for (long i = 0; i < t->nrow; i++) {
		sqlite3_stmt *st = store_stmt(h, ins);

		if (!st)
			return -1;
		sqlite3_bind_double(st, 1, t->row[i].ts);
		sqlite3_bind_int64(st, 2, t->row[i].dev);
		sqlite3_bind_blob(st, 3, t->pool + t->row[i].off, (int)t->row[i].len, SQLITE_STATIC);
		if (store_exec(h, st) != SQLITE_DONE)
			rc = -1;
	}
	t->nrow = 0;
	t->plen = 0;
	if (t->hour_done == INT64_MAX)
		t->hour_done = first_unrolled(h);
	for (int i = 0; i < t->ndone; i++)
		rc |= write_agg(h, t, &t->done[i]);
	t->ndone = 0;
	for (int i = 0; i < t->scap; i++) {
		struct series *s = &t->ser[i];

		if (!s->dev || !s->n || (s->minute >= minute && !all))
			continue;
		rc |= write_agg(h, t, &(struct agg){ s->minute, s->dev, s->mid, s->n, s->sum, s->min, s->max });
		s->n = 0;
	}
	if (t->hour_dirty < t->hour_done) {
		rc |= roll_hours(h, t->hour_dirty, t->hour_done);
		t->hour_dirty = INT64_MAX;
	}
	if (hour > t->hour_done) {
		rc |= roll_hours(h, t->hour_done, hour);
		t->hour_done = hour;
	}
	return rc;
}

int tele_sync(struct hub *h)
{
	if (!tele_pending(h) && !tele_unwritten(h))
		return 0;
	/* the minutes in progress too: the sums are added (upsert), so the
	 * rest of the minute joins them later */
	if (store_begin(h) || tele_write(h, 1))
		return -1;
	return store_flush(h);
}
