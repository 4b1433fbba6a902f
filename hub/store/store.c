/*
 * store.c — the SQLite database: the connection, the statement cache (and
 * store_int, one integer from one statement), the group commit and its
 * hooks, retention and backups.
 *
 * store_open() brings the file to the current schema (schema.c's
 * migrations).  WAL mode and synchronous=FULL: a commit that returned is
 * on the SD card, which is what lets the hub say "acknowledged means
 * stored".
 *
 * Two commit windows: a write (an event, a job, an account…) opens the
 * group transaction and is committed within store.commit_ms; telemetry and
 * device rows only ask for a commit within store.telemetry_commit_s
 * (store_soon), and their rows are written then (tele.c).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <libwebsockets.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/loop.h"
#include "store/pack.h"
#include "store/schema.h"
#include "store/store.h"

#define STMT_CACHE 256

struct store {
	sqlite3 *db;
	char *path;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	int ncache;
	int in_txn;		/* a group transaction is open */
	int txn_failed;		/* a write failed: roll back at commit */
	long pending;		/* writes in the open transaction */
	int timer_armed;
	long batch_max, commit_ms, tele_commit_s;
	lws_sorted_usec_list_t sul;
	lws_sorted_usec_list_t lazy;	/* the telemetry window */
	int lazy_armed;
	const struct store_queue *queue;	/* the telemetry queue (tele.c), or NULL */
	void *queue_state;
	struct hub *h;
	int flushing;		/* inside store_flush: no re-entry */
	struct store_hook {
		store_hook_fn fn;
		void *arg;
	} before[STORE_HOOKS_MAX], after[STORE_HOOKS_MAX];
	int nbefore, nafter;
};

/* Create the directory that will hold path, if missing (one level). */
static void make_parent(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) && errno != EEXIST)
		LOG(L_WARN, "store: cannot create %s: %s", dir, strerror(errno));
}

static void retention_tick(struct hub *h, void *arg);

int store_open(struct hub *h, const char *path)
{
	struct store *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -1;
	s->h = h;
	make_parent(path);
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		LOG(L_ERR, "%s: cannot open database: %s", path,
		    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		sqlite3_close(s->db);
		free(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	/* a checkpoint copies each page once however often the WAL holds it:
	 * a longer WAL (4,000 pages, 16 MB) copies the pages every commit
	 * rewrites (the last page of a table, device rows) less often.
	 * secure_delete=FAST zeroes deleted content wherever that costs no
	 * extra write (an erased person's row, in the page rewritten anyway)
	 * without zeroing whole freed pages of old telemetry on the SD card.
	 * What an erasure or the purge clears is short (NAME_MAX 80, EMAIL_MAX
	 * 254 bytes, part/row.h) and so never in an overflow page, where FAST
	 * would leave it on the freelist */
	if (pack_sql_functions(s->db) ||
	    schema_sql(s->db, "PRAGMA journal_mode=WAL", path) ||
	    schema_sql(s->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=FAST;"
		     "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-4000;"
		     "PRAGMA wal_autocheckpoint=4000", path) ||
	    schema_migrate(s->db, path)) {
		sqlite3_close(s->db);
		free(s);
		return -1;
	}
	s->path = strdup(path);
	/* without a configuration (a tool, a test): the configuration's defaults */
	s->batch_max = h->conf ? conf_int(h->conf, "store.batch_max") : STORE_BATCH_MAX_DEFAULT;
	s->commit_ms = h->conf ? conf_int(h->conf, "store.commit_ms") : STORE_COMMIT_MS_DEFAULT;
	s->tele_commit_s = h->conf ? conf_int(h->conf, "store.telemetry_commit_s") :
		STORE_TELE_COMMIT_S_DEFAULT;
	h->store = s;
	if (h->conf)	/* hourly; no loop (a tool): never */
		loop_every(h, 60 * 1000, 3600 * 1000, retention_tick, NULL);
	return 0;
}

int store_set_queue(struct hub *h, const struct store_queue *q, void *state)
{
	struct store *s = h->store;

	if (!s || s->queue)
		return -1;
	s->queue = q;
	s->queue_state = state;
	return 0;
}

void *store_queue(struct hub *h)
{
	return h->store ? h->store->queue_state : NULL;
}

static long queue_pending(struct hub *h)
{
	return h->store->queue ? h->store->queue->pending(h) : 0;
}

static int queue_unwritten(struct hub *h)
{
	return h->store->queue ? h->store->queue->unwritten(h) : 0;
}

sqlite3 *store_db(struct hub *h)
{
	return h->store ? h->store->db : NULL;
}

sqlite3_stmt *store_stmt(struct hub *h, const char *sql)
{
	struct store *s = h->store;
	sqlite3_stmt *st;

	for (int i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			st = s->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		LOG(L_ERR, "store: cannot prepare \"%s\": %s", sql, sqlite3_errmsg(s->db));
		return NULL;
	}
	if (s->ncache < STMT_CACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache++].st = st;
	} else {
		/* programmer error: more distinct statements than the cache holds */
		LOG(L_ERR, "store: statement cache full");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

long long store_int(struct hub *h, const char *sql, long long arg)
{
	sqlite3_stmt *st = store_stmt(h, sql);
	long long v = 0;
	int rc;

	if (!st)
		return 0;
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, arg);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		LOG(L_ERR, "store: \"%s\": %s", sql, sqlite3_errmsg(h->store->db));
	sqlite3_reset(st);
	return v;
}

/* Hourly: retention, and a warning when the card fills up. */
static void retention_tick(struct hub *h, void *arg)
{
	long long db, avail, low = conf_int(h->conf, "store.min_free_mb") * 1024LL * 1024LL;

	store_retention(h, hub_now());
	if (!store_space(h, &db, &avail) && avail < low)
		LOG(L_WARN, "store: %lld MiB left for %s (store.min_free_mb = %lld; database %lld MiB)",
		    avail >> 20, h->store->path, low >> 20, db >> 20);
}

static void commit_timer(lws_sorted_usec_list_t *sul)
{
	struct store *s = lws_container_of(sul, struct store, sul);

	s->timer_armed = 0;
	store_flush(s->h);
}

/* Open the group transaction if none is, and arm the commit timer (also
 * for a transaction opened before the loop existed). */
static int txn_begin(struct hub *h)
{
	struct store *s = h->store;

	if (!s->in_txn) {
		if (schema_sql(s->db, "BEGIN IMMEDIATE", "begin"))
			return -1;
		s->in_txn = 1;
		s->txn_failed = 0;
		s->pending = 0;
	}
	if (h->lws && !s->timer_armed) {
		s->timer_armed = 1;
		lws_sul_schedule(h->lws, 0, &s->sul, commit_timer,
				 s->commit_ms * LWS_US_PER_MS);
	}
	return 0;
}

/* Write the telemetry queued (and what else is open) and commit. */
static int queue_commit(struct hub *h, int all)
{
	if (txn_begin(h))
		return -1;
	if (h->store->queue)
		h->store->queue->write(h, all);
	return store_flush(h);
}

static void lazy_timer(lws_sorted_usec_list_t *sul)
{
	struct store *s = lws_container_of(sul, struct store, lazy);

	s->lazy_armed = 0;
	queue_commit(s->h, 0);
	/* a minute still being summed is written once it is over */
	if (queue_unwritten(s->h))
		store_soon(s->h);
}

void store_soon(struct hub *h)
{
	struct store *s = h->store;

	if (!s || !h->lws || s->lazy_armed)
		return;
	s->lazy_armed = 1;
	lws_sul_schedule(h->lws, 0, &s->lazy, lazy_timer, s->tele_commit_s * LWS_US_PER_SEC);
}

int store_begin(struct hub *h)
{
	return h->store ? txn_begin(h) : -1;
}

int store_exec(struct hub *h, sqlite3_stmt *st)
{
	struct store *s = h->store;
	int rc;

	if (!st)
		return SQLITE_ERROR;
	if (txn_begin(h)) {
		sqlite3_reset(st);
		return SQLITE_ERROR;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int ext = sqlite3_extended_errcode(s->db);

		/* constraint failures are the caller's business (duplicates) */
		if ((ext & 0xff) != SQLITE_CONSTRAINT) {
			LOG(L_ERR, "store: %s: %s", sqlite3_sql(st), sqlite3_errmsg(s->db));
			s->txn_failed = 1;
		}
	}
	sqlite3_reset(st);
	s->pending++;
	/* SQLITE_FULL, IOERR or NOMEM may roll the transaction back by
	 * themselves: end our view of it now (nothing in it is acknowledged),
	 * so the next write opens a new group instead of running unwrapped.
	 * Inside store_flush (a before-commit hook writing), the flush in
	 * progress ends it. */
	if (s->txn_failed && s->in_txn && !s->flushing && sqlite3_get_autocommit(s->db))
		store_flush(h);
	return rc;
}

static int add_hook(struct store_hook *hooks, int *n, store_hook_fn fn, void *arg)
{
	if (*n >= STORE_HOOKS_MAX) {
		LOG(L_ERR, "store: more than %d commit hooks", STORE_HOOKS_MAX);
		return -1;
	}
	hooks[*n].fn = fn;
	hooks[(*n)++].arg = arg;
	return 0;
}

int store_before_commit(struct hub *h, store_hook_fn fn, void *arg)
{
	return h->store ? add_hook(h->store->before, &h->store->nbefore, fn, arg) : -1;
}

int store_on_commit(struct hub *h, store_hook_fn fn, void *arg)
{
	return h->store ? add_hook(h->store->after, &h->store->nafter, fn, arg) : -1;
}

int store_flush_if_full(struct hub *h)
{
	struct store *s = h->store;

	if (s && queue_pending(h) >= s->batch_max)
		return queue_commit(h, 0);
	return s && s->in_txn && s->pending >= s->batch_max ? store_flush(h) : 0;
}

int store_flush(struct hub *h)
{
	struct store *s = h->store;
	double t0;
	int ok;

	if (!s || !s->in_txn || s->flushing)
		return 0;
	if (s->timer_armed) {
		lws_sul_cancel(&s->sul);
		s->timer_armed = 0;
	}
	s->flushing = 1;
	/* rows saved at commit time (devices) go in the same transaction
	 * (not into one that failed: they stay to be saved in the next) */
	for (int i = 0; i < s->nbefore && !s->txn_failed; i++)
		s->before[i].fn(h, 1, s->before[i].arg);
	t0 = hub_now();
	ok = !s->txn_failed && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	if (!ok) {
		if (!s->txn_failed)
			LOG(L_ERR, "store: commit failed: %s", sqlite3_errmsg(s->db));
		else
			LOG(L_ERR, "store: a write failed; rolling back %ld writes (nothing of them is acknowledged)",
			    s->pending);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		h->stats.commit_failures++;
	} else {
		double ms = (hub_now() - t0) * 1000.0;

		h->stats.commits++;
		h->stats.commit_ms_last = ms;
		h->stats.commit_ms_sum += ms;
		stats_commit(&h->stats, ms / 1000.0);
		if (ms > h->stats.commit_ms_max)
			h->stats.commit_ms_max = ms;
	}
	s->in_txn = 0;
	s->pending = 0;
	s->flushing = 0;
	for (int i = 0; i < s->nafter; i++)
		s->after[i].fn(h, ok, s->after[i].arg);
	return ok ? 0 : -1;
}

void store_checkpoint(struct hub *h)
{
	int rc;

	if (!h->store)
		return;
	store_flush(h);
	rc = sqlite3_exec(h->store->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		LOG(L_WARN, "store: checkpoint: %s", sqlite3_errmsg(h->store->db));
}

void store_close(struct hub *h)
{
	struct store *s = h->store;

	if (!s)
		return;
	if (s->lazy_armed)
		lws_sul_cancel(&s->lazy);
	if (queue_pending(h) || queue_unwritten(h))
		queue_commit(h, 1);
	store_flush(h);
	if (s->queue)
		s->queue->free(s->queue_state);
	for (int i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	/* leave no -wal file behind on a clean stop */
	sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	if (sqlite3_close(s->db) != SQLITE_OK)
		LOG(L_WARN, "store: close: %s", sqlite3_errmsg(s->db));
	free(s->path);
	free(s);
	h->store = NULL;
}

int store_retention(struct hub *h, double now)
{
	static const char drop_raw[] = "DELETE FROM telemetry WHERE ts < ?1";
	static const char drop_min[] = "DELETE FROM telemetry_min WHERE minute < ?1";
	static const char drop_blk[] = "DELETE FROM telemetry_mblk WHERE hour < ?1";
	static const char drop_hour[] = "DELETE FROM telemetry_hour WHERE hour < ?1";
	/* minute aggregates are written live (tele.c): retiring raw rows
	 * loses no sums, so there is nothing to roll up here; minute rows go
	 * after two days, their hour blocks after store.aggregate_days */
	double raw_cut = now - conf_int(h->conf, "store.raw_days") * 86400.0;
	double agg_cut = now - conf_int(h->conf, "store.aggregate_days") * 86400.0;
	double min_cut = fmax(agg_cut, now - PACK_MINUTE_ROWS_H * 3600.0);
	double hour_cut = now - conf_int(h->conf, "store.hour_days") * 86400.0;
	sqlite3_stmt *st;
	int changes = 0;

	if ((st = store_stmt(h, drop_raw)) == NULL)
		return -1;
	sqlite3_bind_double(st, 1, raw_cut);
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	changes = sqlite3_changes(h->store->db);
	if ((st = store_stmt(h, drop_min)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)floor(min_cut / 60.0));
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	if ((st = store_stmt(h, drop_blk)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)floor(agg_cut / 3600.0));
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	if ((st = store_stmt(h, drop_hour)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)floor(hour_cut / 3600.0));
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	if (changes)
		LOG(L_INFO, "store: retention removed %d raw telemetry rows", changes);
	return store_flush(h);
}

int store_space(struct hub *h, long long *db_bytes, long long *free_bytes)
{
	struct store *s = h->store;
	char dir[4096], wal[4200], *slash;
	struct statvfs v;
	struct stat st;

	if (!s)
		return -1;
	*db_bytes = stat(s->path, &st) ? 0 : (long long)st.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", s->path);
	if (!stat(wal, &st))
		*db_bytes += (long long)st.st_size;
	snprintf(dir, sizeof(dir), "%s", s->path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';
	if (statvfs(dir, &v))
		return -1;
	*free_bytes = (long long)v.f_bavail * (long long)v.f_frsize;
	return 0;
}

int store_backup(const char *src, const char *dst)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		LOG(L_ERR, "backup: cannot open %s: %s", src, sqlite3_errmsg(from));
		sqlite3_close(from);
		return -1;
	}
	if (sqlite3_open(dst, &to) != SQLITE_OK) {
		LOG(L_ERR, "backup: cannot create %s: %s", dst, sqlite3_errmsg(to));
		sqlite3_close(from);
		sqlite3_close(to);
		return -1;
	}
	sqlite3_busy_timeout(from, 5000);
	b = sqlite3_backup_init(to, "main", from, "main");
	if (!b) {
		LOG(L_ERR, "backup: %s", sqlite3_errmsg(to));
		sqlite3_close(from);
		sqlite3_close(to);
		return -1;
	}
	/* small steps so the running hub is never blocked for long */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		LOG(L_ERR, "backup: %s → %s: %s", src, dst, sqlite3_errstr(rc));
		sqlite3_close(from);
		sqlite3_close(to);
		return -1;
	}
	/* the copy is a plain file: no WAL to carry around */
	sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close(from);
	sqlite3_close(to);
	return 0;
}
