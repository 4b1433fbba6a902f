/*
 * test_store.c — the group commit on a real SQLite file, with the device
 * registry as the store's hook user: rows saved at commit time, acks after
 * it, and commits that fail.
 *
 * Two real failures, no mocks: a deferred foreign key violated inside the
 * group makes COMMIT itself fail (SQLITE_CONSTRAINT_FOREIGNKEY; the
 * transaction is rolled back), and PRAGMA max_page_count set to the file's
 * size makes the next write that needs a page fail with SQLITE_FULL, as a
 * full SD card does.  Links store, core, eco, mqtt, net, auth and lab with
 * an empty subscriber table (stub_wire.c): the store knows nothing of
 * devices, the registry registers itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/hub.h"
#include "eco/eco.h"
#include "lab/device.h"
#include "store/pack.h"
#include "store/store.h"
#include "store/tele.h"
#include "t.h"

/* the id of a device of eco_table[0] */
static const char *ID(const char *native)
{
	static char id[ECO_ID_MAX + 20];

	snprintf(id, sizeof(id), "%s/%s", eco_table[0]->name, native);
	return id;
}

static char dbpath[64];
static struct hub hub;

static int hooks_before, hooks_after, last_ok = -1;

static void before(struct hub *h, int ok, void *arg)
{
	hooks_before++;
}

static void after(struct hub *h, int ok, void *arg)
{
	hooks_after++;
	last_ok = ok;
}

static void exec(const char *sql)
{
	if (sqlite3_exec(store_db(&hub), sql, NULL, NULL, NULL) != SQLITE_OK)
		fprintf(stderr, "  %s: %s\n", sql, sqlite3_errmsg(store_db(&hub)));
}

/* A write in the group that only COMMIT finds wrong. */
static void poison_group(void)
{
	sqlite3_stmt *st = store_stmt(&hub, "INSERT INTO t_child(parent) VALUES (42)");

	CHECK(store_exec(&hub, st) == SQLITE_DONE);	/* deferred: fine until COMMIT */
}

static struct eco_dev named(const char *native, const char *name)
{
	struct eco_dev u;

	memset(&u, 0, sizeof(u));
	snprintf(u.native, sizeof(u.native), "%s", native);
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.has = ECO_NAME;
	return u;
}

/* The name stored in the devices table, read back through a second
 * connection (what another process, or the hub after a restart, sees). */
static void stored_name(const char *id, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(db, "SELECT name FROM devices WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* The store's own fallbacks (no configuration: a tool, a test) are the
 * configured defaults: each is written in two layers, kept equal here. */
TEST(fallbacks_are_the_defaults)
{
	CHECK(conf_int(hub.conf, "store.batch_max") == STORE_BATCH_MAX_DEFAULT);
	CHECK(conf_int(hub.conf, "store.commit_ms") == STORE_COMMIT_MS_DEFAULT);
	CHECK(conf_int(hub.conf, "store.telemetry_commit_s") == STORE_TELE_COMMIT_S_DEFAULT);
}

/* store_int: one integer from one statement, ?1 bound when there is
 * one; no row, and a statement that fails, read 0. */
TEST(one_integer_from_sql)
{
	static const char q_n[] = "SELECT count(*) FROM t_parent";
	static const char q_has[] = "SELECT count(*) FROM t_parent WHERE id = ?1";
	static const char q_id[] = "SELECT id FROM t_parent WHERE id > ?1 ORDER BY id";
	static const char q_bad[] = "SELECT 1 / 0 + abs(-9223372036854775807 - 1)";

	exec("INSERT INTO t_parent(id) VALUES (7), (9)");
	CHECK(store_int(&hub, q_n, 12345) == 2);	/* no ?1: arg ignored */
	CHECK(store_int(&hub, q_has, 9) == 1);
	CHECK(store_int(&hub, q_has, 8) == 0);
	CHECK(store_int(&hub, q_id, 7) == 9);
	CHECK(store_int(&hub, q_id, 9) == 0);		/* no row */
	CHECK(store_int(&hub, q_id, 0) == 7);		/* the statement was reset */
	CHECK(store_int(&hub, q_bad, 0) == 0);		/* integer overflow: an error */
	CHECK(store_int(&hub, "SELECT nope FROM nowhere", 0) == 0);
	exec("DELETE FROM t_parent");
}

TEST(hooks_run_around_each_commit)
{
	int b = hooks_before, a = hooks_after;

	CHECK(store_flush(&hub) == 0);		/* nothing open: no commit */
	CHECK(hooks_before == b && hooks_after == a);
	CHECK(store_begin(&hub) == 0);
	CHECK(store_flush(&hub) == 0);
	CHECK(hooks_before == b + 1 && hooks_after == a + 1 && last_ok == 1);
}

TEST(failed_commit_is_reported_once)
{
	unsigned long long fails = hub.stats.commit_failures;
	int b = hooks_before, a = hooks_after;

	CHECK(store_begin(&hub) == 0);
	poison_group();
	CHECK(store_flush(&hub) == -1);
	CHECK(hub.stats.commit_failures == fails + 1);
	CHECK(hooks_before == b + 1);		/* the group had no failed write */
	CHECK(hooks_after == a + 1 && last_ok == 0);
	CHECK(sqlite3_get_autocommit(store_db(&hub)));	/* rolled back, nothing open */
	CHECK(store_flush(&hub) == 0);		/* and nothing left to commit */
}

/* A device renamed in a group whose commit fails: its row did not reach
 * the disk, so it must be saved by the next commit, not forgotten. */
TEST(device_row_survives_a_failed_commit)
{
	struct eco_dev u = named("env-1", "avant");
	char name[128];

	CHECK(device_apply(&hub, 0, 0, &u, hub_now(), "", 0) == 0);
	CHECK(store_flush(&hub) == 0);
	stored_name(ID("env-1"), name, sizeof(name));
	CHECK_STR(name, "avant");

	u = named("env-1", "après");
	CHECK(device_apply(&hub, 0, 0, &u, hub_now(), "", 0) == 0);
	poison_group();
	CHECK(store_flush(&hub) == -1);
	stored_name(ID("env-1"), name, sizeof(name));
	CHECK_STR(name, "avant");		/* the failed group is gone */

	CHECK(store_begin(&hub) == 0);		/* any later commit */
	CHECK(store_flush(&hub) == 0);
	stored_name(ID("env-1"), name, sizeof(name));
	CHECK_STR(name, "après");
}

/* A write that fails with SQLITE_FULL: the group is rolled back, counted
 * once, and the hub writes again once there is room. */
TEST(full_disk_then_room_again)
{
	unsigned long long fails = hub.stats.commit_failures;
	struct eco_dev u = named("env-2", "plein");
	char name[128];
	sqlite3_stmt *st;
	int pages = 0;

	CHECK(store_flush(&hub) == 0);
	st = store_stmt(&hub, "PRAGMA page_count");
	if (st && sqlite3_step(st) == SQLITE_ROW)
		pages = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", pages);
		exec(sql);
	}
	/* a new device needs pages: its insert fails */
	for (int i = 0; i < 200; i++) {
		char native[64];
		struct eco_dev v;

		snprintf(native, sizeof(native), "fill-%03d-%s", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		v = named(native, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		if (device_apply(&hub, 0, 0, &v, hub_now(), "", 0))
			break;
	}
	store_flush(&hub);
	CHECK(hub.stats.commit_failures > fails);
	CHECK(sqlite3_get_autocommit(store_db(&hub)));
	exec("PRAGMA max_page_count = 1073741823");
	CHECK(device_apply(&hub, 0, 0, &u, hub_now(), "", 0) == 0);
	CHECK(store_flush(&hub) == 0);
	stored_name(ID("env-2"), name, sizeof(name));
	CHECK_STR(name, "plein");
}

/* Schema 11 on a database of schema 10: the minutes of every hour already
 * rolled become one block per series and hour (the hour in progress keeps
 * its minute rows only), and a block reads back minute by minute. */
TEST(minute_blocks_from_a_schema_10_database)
{
	sqlite3_stmt *st;
	int off = 0, m, got = 0;
	long n;
	double sum;

	store_close(&hub);
	{
		sqlite3 *db;

		CHECK(sqlite3_open(dbpath, &db) == SQLITE_OK);
		CHECK(sqlite3_exec(db, "DROP TABLE telemetry_mblk; PRAGMA user_version = 10;"
				   /* hour 100: minutes 0, 7 and 59 of series (1, 2);
				    * hour 101 in progress */
				   "INSERT INTO telemetry_min VALUES (6000, 1, 2, 3, 30.0, 9, 11),"
				   " (6007, 1, 2, 200, 4000.5, 1, 30), (6059, 1, 2, 1, -2.5, -2.5, -2.5),"
				   " (6003, 1, 3, 1, 1, 1, 1), (6060, 1, 2, 1, 5, 5, 5);"
				   "INSERT INTO telemetry_hour VALUES (1, 2, 100, 204, 4028.0, -2.5, 30),"
				   " (1, 3, 100, 1, 1, 1, 1);", NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(db);
	}
	CHECK(store_open(&hub, dbpath) == 0);
	st = store_stmt(&hub, "SELECT (SELECT count(*) FROM telemetry_mblk),"
			" (SELECT mins FROM telemetry_mblk WHERE dev = 1 AND mid = 2 AND hour = 100)");
	CHECK(st && sqlite3_step(st) == SQLITE_ROW);
	CHECK(sqlite3_column_int(st, 0) == 2);	/* (1,2,100) and (1,3,100); not 101 */
	while (pack_mblk_next(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), &off, &m, &n, &sum)) {
		static const int wm[] = { 0, 7, 59 };
		static const long wn[] = { 3, 200, 1 };
		static const double ws[] = { 30.0, 4000.5, -2.5 };

		CHECK(got < 3 && m == wm[got] && n == wn[got] && sum == ws[got]);
		got++;
	}
	CHECK(got == 3);
	sqlite3_reset(st);
	/* a damaged block ends the walk instead of reading past it */
	off = 0;
	CHECK(!pack_mblk_next("\x07\x83", 2, &off, &m, &n, &sum));
	off = 0;
	CHECK(!pack_mblk_next("\x3c\x01\0\0\0\0\0\0\0\0", 10, &off, &m, &n, &sum));
}

int main(void)
{
	int fd;

	snprintf(dbpath, sizeof(dbpath), "/tmp/test_store-XXXXXX");
	fd = mkstemp(dbpath);
	if (fd < 0)
		return 1;
	close(fd);
	hub.conf = conf_new();	/* every setting at its default */
	if (!hub.conf || store_open(&hub, dbpath))
		return 1;
	exec("CREATE TABLE t_parent(id INTEGER PRIMARY KEY);"
	     "CREATE TABLE t_child(parent INTEGER REFERENCES t_parent(id)"
	     " DEFERRABLE INITIALLY DEFERRED)");
	if (store_before_commit(&hub, before, NULL) || store_on_commit(&hub, after, NULL))
		return 1;
	RUN(fallbacks_are_the_defaults);
	RUN(one_integer_from_sql);
	RUN(hooks_run_around_each_commit);
	RUN(failed_commit_is_reported_once);
	if (device_init(&hub))
		return 1;
	RUN(device_row_survives_a_failed_commit);
	RUN(full_disk_then_room_again);
	RUN(minute_blocks_from_a_schema_10_database);
	store_close(&hub);
	device_fini(&hub);
	conf_free(hub.conf);
	unlink(dbpath);
	{
		char side[80];

		snprintf(side, sizeof(side), "%s-wal", dbpath);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", dbpath);
		unlink(side);
	}
	return t_done();
}
