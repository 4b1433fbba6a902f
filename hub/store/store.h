/*
 * store.h — SQLite: the connection, prepared statements, group commit,
 * retention and backups (the schema is schema.h's).
 *
 * Writes from the service thread go into one open transaction that is
 * committed after store.commit_ms (or at store.batch_max writes), never
 * one transaction per message.  The store knows nothing of what it
 * stores: a module that saves rows at commit time registers a
 * before-commit hook, one that acts on what is on disk (acknowledgements)
 * a commit hook (store_on_commit).
 */
#ifndef MLAB_STORE_H
#define MLAB_STORE_H

#include <sqlite3.h>

struct hub;

#define STORE_HOOKS_MAX 8		/* hooks of each kind */
#define STORE_BATCH_MAX_DEFAULT 20000	/* as store.batch_max in conf.c (test_store) */
#define STORE_COMMIT_MS_DEFAULT 50	/* as store.commit_ms in conf.c */
#define STORE_TELE_COMMIT_S_DEFAULT 10	/* as store.telemetry_commit_s */
struct tele;

/* A commit hook: ok is 1 when the group transaction is on disk, 0 when it
 * failed and was rolled back (nothing in it is stored).  Before-commit
 * hooks are called with ok = 1 inside the open transaction, and only
 * when no write of it has failed; they may write (store_exec). */
typedef void (*store_hook_fn)(struct hub *h, int ok, void *arg);

/* Open (creating) the database at path, migrate it to the current schema
 * and set h->store.  Returns 0 or -1 (logged, naming the path). */
int store_open(struct hub *h, const char *path);
/* Commit what is pending and close. */
void store_close(struct hub *h);

sqlite3 *store_db(struct hub *h);

/* A cached prepared statement for sql, which must be a string constant
 * (the cache is keyed by its address).  Returned reset with bindings
 * cleared; it belongs to the store: do not finalize it.  NULL on error
 * (logged with the SQL). */
sqlite3_stmt *store_stmt(struct hub *h, const char *sql);

/* One integer from one SQL statement: the first column of the first row
 * of sql (a string constant, as for store_stmt), with ?1 bound to arg
 * when the statement has a parameter.  0 when there is no row, and when
 * the statement failed (logged by store_stmt or here), so a count or an
 * existence test reads "none". */
long long store_int(struct hub *h, const char *sql, long long arg);

/* Step a write statement inside the open group transaction (opening it if
 * needed) and reset it.  Returns the sqlite3_step() result code
 * (SQLITE_DONE on success); failures are logged and counted once here. */
int store_exec(struct hub *h, sqlite3_stmt *st);

/* Open the group transaction (if none is) without writing anything, so
 * that state saved at commit time (device rows) has a commit coming.
 * Returns 0 or -1 (logged). */
int store_begin(struct hub *h);

/* Make sure a commit comes within store.telemetry_commit_s, without
 * opening a transaction now: telemetry and device rows, whose loss in a
 * power cut costs seconds of readings and no promise. */
void store_soon(struct hub *h);

/* A queue of writes on its own, slower commit (the telemetry, tele.c):
 * the store commits it every store.telemetry_commit_s once store_soon
 * asked, when it holds store.batch_max rows, and at close.  pending: rows
 * waiting; unwritten: nonzero while sums are still being made; write: put
 * what is queued into the open transaction (all: the sums in progress
 * too), 0 or -1; free: at store_close, with the state. */
struct store_queue {
	long (*pending)(struct hub *h);
	int (*unwritten)(struct hub *h);
	int (*write)(struct hub *h, int all);
	void (*free)(void *state);
};
/* Register the queue q and its state (kept until store_close frees it).
 * 0, or -1 when the store is not open or has a queue already. */
int store_set_queue(struct hub *h, const struct store_queue *q, void *state);
/* The queue's state (the store keeps it: store_close frees it through
 * the queue), NULL when none is registered or the store is closed. */
void *store_queue(struct hub *h);

/* Call fn(h, 1, arg) just before each group commit, inside the
 * transaction.  0, or -1 when the store is not open or full of hooks. */
int store_before_commit(struct hub *h, store_hook_fn fn, void *arg);
/* Call fn(h, ok, arg) after each group commit or rollback.  0 or -1. */
int store_on_commit(struct hub *h, store_hook_fn fn, void *arg);

/* Commit the group transaction now (if one is open); the API calls this
 * before answering a write.  Returns 0, or -1 when the commit failed and
 * was rolled back. */
int store_flush(struct hub *h);

/* Commit now if the open transaction holds store.batch_max writes or
 * more: called between messages, never in the middle of one. */
int store_flush_if_full(struct hub *h);

/* Drop raw telemetry older than store.raw_days, minute rows older than
 * two days (PACK_MINUTE_ROWS_H), their hour blocks older than
 * store.aggregate_days and hourly rollups older than store.hour_days
 * (run hourly by the hub). 0 or -1. */
int store_retention(struct hub *h, double now);

/* The database's size (file and WAL) and the space left for it on its
 * file system, in bytes.  0 or -1 (no store, statvfs failed). */
int store_space(struct hub *h, long long *db_bytes, long long *free_bytes);

/* Copy the live database at src into dst with SQLite's online backup API
 * (safe while the hub runs).  0 or -1 (logged). */
int store_backup(const char *src, const char *dst);

/* Commit what is pending, then copy the write-ahead log into the database
 * and truncate it (after an erasure: the old values leave the -wal file;
 * secure_delete has zeroed them in the pages).  Failures are logged. */
void store_checkpoint(struct hub *h);

#endif
