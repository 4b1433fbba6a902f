/*
 * test_ack.c — the acknowledgement rule (lab/ack.h): first the pure
 * watermark + ranges structure, then the registry storing events under it
 * on a real SQLite file (lab/event.c): a commit that fails acknowledges
 * nothing and resends fill the hole; after a restart the watermark, the
 * boot and the seqs stored above a hole are read back.
 *
 * A failed commit is a real one: a deferred foreign key violated inside the
 * group makes COMMIT fail and SQLite roll the transaction back.  Links
 * store, core, eco, mqtt, net, auth and lab with an empty subscriber table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/hub.h"
#include "eco/eco.h"
#include "lab/ack.h"
#include "lab/device.h"
#include "store/store.h"
#include "t.h"

static const char *json(const struct ack_mark *m)
{
	static char buf[ACK_JSON_MAX];

	if (ack_json(m, buf, sizeof(buf)) < 0)
		return "(too long)";
	return buf;
}

/* store each seq of list (0-terminated) in the open state */
static void store_seqs(struct ack *a, const long long *list)
{
	for (; *list; list++)
		if (ack_check(a, a->open.boot, *list) == ACK_FRESH)
			ack_stored(a, *list);
}

TEST(one_two_four)
{
	struct ack a;

	ack_load(&a, "b1", 0);
	store_seqs(&a, (const long long[]){ 1, 2, 4, 0 });
	ack_commit(&a, 1);
	CHECK(a.done.w == 2);
	CHECK_STR(json(&a.done), "{\"seq\":2,\"boot\":\"b1\",\"missing\":[[3,3]]}");
	CHECK(ack_check(&a, "b1", 4) == ACK_DUP);
	CHECK(ack_check(&a, "b1", 3) == ACK_FRESH);
	ack_stored(&a, 3);
	ack_commit(&a, 1);
	CHECK_STR(json(&a.done), "{\"seq\":4,\"boot\":\"b1\"}");
}

TEST(holes_filled_out_of_order)
{
	struct ack a;

	ack_load(&a, "", 0);
	store_seqs(&a, (const long long[]){ 9, 3, 7, 5, 0 });
	ack_commit(&a, 1);
	CHECK_STR(json(&a.done), "{\"seq\":0,\"missing\":[[1,2],[4,4],[6,6],[8,8]]}");
	store_seqs(&a, (const long long[]){ 6, 8, 0 });	/* 5..9 one range */
	ack_commit(&a, 1);
	CHECK_STR(json(&a.done), "{\"seq\":0,\"missing\":[[1,2],[4,4]]}");
	store_seqs(&a, (const long long[]){ 4, 2, 0 });
	ack_commit(&a, 1);
	CHECK(a.done.w == 0);
	store_seqs(&a, (const long long[]){ 1, 0 });
	ack_commit(&a, 1);
	CHECK_STR(json(&a.done), "{\"seq\":9}");	/* legacy "": no boot */
}

TEST(duplicates_change_nothing)
{
	struct ack a;

	ack_load(&a, "b", 0);
	store_seqs(&a, (const long long[]){ 1, 2, 5, 0 });
	ack_commit(&a, 1);
	CHECK(ack_check(&a, "b", 1) == ACK_DUP);
	CHECK(ack_check(&a, "b", 5) == ACK_DUP);
	ack_stored(&a, 5);
	ack_stored(&a, 2);
	CHECK(!a.dirty);	/* nothing to write again */
	ack_commit(&a, 1);
	CHECK_STR(json(&a.done), "{\"seq\":2,\"boot\":\"b\",\"missing\":[[3,4]]}");
}

TEST(new_boot_and_base)
{
	struct ack a;

	ack_load(&a, "old", 40);
	CHECK(ack_check(&a, "new", 1) == ACK_OTHER);
	ack_restart(&a, "new");
	CHECK(ack_check(&a, "new", 1) == ACK_FRESH);
	ack_stored(&a, 1);
	ack_commit(&a, 1);
	CHECK_STR(json(&a.done), "{\"seq\":1,\"boot\":\"new\"}");
	/* base: every seq below 20 was acknowledged or will never be sent */
	ack_stored(&a, 25);
	ack_base(&a, 20);
	ack_commit(&a, 1);
	CHECK_STR(json(&a.done), "{\"seq\":19,\"boot\":\"new\",\"missing\":[[20,24]]}");
	ack_base(&a, 26);	/* a base over a stored range joins it */
	ack_commit(&a, 1);
	CHECK(a.done.w == 25 && a.done.n == 0);
	ack_base(&a, 3);	/* a base never lowers the watermark */
	CHECK(a.open.w == 25);
}

TEST(failed_commit_acknowledges_nothing)
{
	struct ack a;

	ack_load(&a, "b", 3);
	store_seqs(&a, (const long long[]){ 4, 5, 7, 0 });
	ack_restart(&a, "c");	/* even a boot switch in the lost group is undone */
	ack_commit(&a, 0);
	CHECK_STR(json(&a.done), "{\"seq\":3,\"boot\":\"b\"}");
	CHECK(ack_check(&a, "b", 4) == ACK_FRESH);	/* the resend is stored */
	store_seqs(&a, (const long long[]){ 7, 4, 5, 6, 0 });
	ack_commit(&a, 1);
	CHECK_STR(json(&a.done), "{\"seq\":7,\"boot\":\"b\"}");
}

TEST(ranges_are_bounded)
{
	struct ack a;
	char want[32];
	long long seq;

	ack_load(&a, "b", 0);
	for (seq = 2; seq <= 2 * (ACK_RANGES + 4); seq += 2)	/* every other seq */
		ack_stored(&a, seq);
	ack_commit(&a, 1);
	CHECK(a.done.n == ACK_RANGES);
	CHECK(strlen(json(&a.done)) < ACK_JSON_MAX - 1);
	/* the highest were forgotten: not known, so resent and stored again */
	CHECK(ack_check(&a, "b", 2 * (ACK_RANGES + 4)) == ACK_FRESH);
	for (seq = 1; seq <= 2 * (ACK_RANGES + 4); seq++)
		if (ack_check(&a, "b", seq) == ACK_FRESH)
			ack_stored(&a, seq);
	ack_commit(&a, 1);
	snprintf(want, sizeof(want), "{\"seq\":%d,\"boot\":\"b\"}", 2 * (ACK_RANGES + 4));
	CHECK_STR(json(&a.done), want);
}

/* ---- on a real SQLite file, through the registry -------------------- */

static char dbpath[64];
static struct hub hub;

static void exec(const char *sql)
{
	if (sqlite3_exec(store_db(&hub), sql, NULL, NULL, NULL) != SQLITE_OK)
		fprintf(stderr, "  %s: %s\n", sql, sqlite3_errmsg(store_db(&hub)));
}

static long long count(const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(store_db(&hub), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int event(const char *native, const char *boot, long long seq, long long base)
{
	struct eco_dev u;
	char raw[64];
	int n;

	memset(&u, 0, sizeof(u));
	snprintf(u.native, sizeof(u.native), "%s", native);
	snprintf(u.boot, sizeof(u.boot), "%s", boot);
	snprintf(u.event, sizeof(u.event), "button.pressed");
	u.has = ECO_EVENT;
	u.seq = seq;
	u.base = base;
	n = snprintf(raw, sizeof(raw), "{\"seq\":%lld}", seq);
	return device_apply(&hub, 0, 0, &u, hub_now(), raw, (size_t)n);
}

static const struct ack_mark *done(const char *native)
{
	char id[ECO_ID_MAX + 20];
	struct device *d;

	snprintf(id, sizeof(id), "%s/%s", eco_table[0]->name, native);
	d = device_find(&hub, id);
	return d && d->ack ? &d->ack->done : NULL;
}

static int open_hub(void)
{
	if (store_open(&hub, dbpath))
		return -1;
	exec("CREATE TABLE IF NOT EXISTS t_parent(id INTEGER PRIMARY KEY);"
	     "CREATE TABLE IF NOT EXISTS t_child(parent INTEGER REFERENCES t_parent(id)"
	     " DEFERRABLE INITIALLY DEFERRED)");
	return device_init(&hub);
}

static void close_hub(void)
{
	store_close(&hub);
	device_fini(&hub);
}

TEST(stored_with_its_watermark)
{
	CHECK(event("ev-1", "b1", 1, 0) == 0);
	CHECK(event("ev-1", "b1", 2, 0) == 0);
	CHECK(event("ev-1", "b1", 4, 0) == 0);
	CHECK(store_flush(&hub) == 0);
	CHECK(done("ev-1") && done("ev-1")->w == 2);
	CHECK_STR(json(done("ev-1")), "{\"seq\":2,\"boot\":\"b1\",\"missing\":[[3,3]]}");
	CHECK(count("SELECT seq FROM event_acks") == 2);
	/* a duplicate is not stored twice */
	CHECK(event("ev-1", "b1", 2, 0) == 0);
	CHECK(store_flush(&hub) == 0);
	CHECK(count("SELECT count(*) FROM events WHERE seq = 2") == 1);
}

TEST(failed_commit_then_resend)
{
	unsigned long long fails = hub.stats.commit_failures;

	CHECK(event("ev-1", "b1", 3, 0) == 0);	/* fills the hole ... */
	CHECK(event("ev-1", "b1", 5, 0) == 0);
	{
		sqlite3_stmt *st = store_stmt(&hub, "INSERT INTO t_child(parent) VALUES (42)");

		CHECK(store_exec(&hub, st) == SQLITE_DONE);	/* ... but COMMIT fails */
	}
	CHECK(store_flush(&hub) < 0);
	CHECK(hub.stats.commit_failures == fails + 1);
	CHECK(done("ev-1")->w == 2);	/* nothing acknowledged */
	CHECK(count("SELECT seq FROM event_acks") == 2);
	CHECK(count("SELECT count(*) FROM events WHERE seq IN (3, 5)") == 0);
	CHECK(event("ev-1", "b1", 5, 0) == 0);	/* the device resends */
	CHECK(event("ev-1", "b1", 3, 0) == 0);
	CHECK(store_flush(&hub) == 0);
	CHECK_STR(json(done("ev-1")), "{\"seq\":5,\"boot\":\"b1\"}");
}

TEST(new_boot_base_and_older_boot)
{
	CHECK(event("ev-1", "b2", 10, 10) == 0);	/* new numbering, base 10 */
	CHECK(store_flush(&hub) == 0);
	CHECK_STR(json(done("ev-1")), "{\"seq\":10,\"boot\":\"b2\"}");
	CHECK(event("ev-1", "b1", 6, 0) == 0);	/* late, of the older one */
	CHECK(event("ev-1", "b2", 13, 0) == 0);
	CHECK(store_flush(&hub) == 0);
	CHECK_STR(json(done("ev-1")), "{\"seq\":10,\"boot\":\"b2\",\"missing\":[[11,12]]}");
	CHECK(count("SELECT count(*) FROM events WHERE boot = 'b1' AND seq = 6") == 1);
}

TEST(restart_reloads_the_watermark)
{
	close_hub();
	CHECK(open_hub() == 0);
	CHECK(done("ev-1") != NULL);
	if (!done("ev-1"))
		return;
	CHECK_STR(json(done("ev-1")), "{\"seq\":10,\"boot\":\"b2\",\"missing\":[[11,12]]}");
	CHECK(event("ev-1", "b2", 11, 0) == 0);
	CHECK(event("ev-1", "b2", 12, 0) == 0);
	CHECK(store_flush(&hub) == 0);
	CHECK_STR(json(done("ev-1")), "{\"seq\":13,\"boot\":\"b2\"}");
}

int main(void)
{
	RUN(one_two_four);
	RUN(holes_filled_out_of_order);
	RUN(duplicates_change_nothing);
	RUN(new_boot_and_base);
	RUN(failed_commit_acknowledges_nothing);
	RUN(ranges_are_bounded);

	if (t_tmp_db(dbpath, sizeof(dbpath), "test_ack"))
		return 1;
	hub.conf = conf_new();	/* every setting at its default */
	if (!hub.conf || open_hub())
		return 1;
	RUN(stored_with_its_watermark);
	RUN(failed_commit_then_resend);
	RUN(new_boot_base_and_older_boot);
	RUN(restart_reloads_the_watermark);
	close_hub();
	conf_free(hub.conf);
	t_unlink_db(dbpath);
	return t_done();
}
