/*
 * test_fed.c — a network of labs (hub/fed/) on real SQLite files.
 *
 * The network side: facts arriving out of order, twice, from a new
 * numbering and late from an older one move each site's watermark by the
 * devices' own rule (lab/ack.c), in memory and in net_sites, and a
 * restart reads it back.  Links every layer up to fed with an empty
 * subscriber table; no broker (the acks' publishing fails quietly).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/hub.h"
#include "fed/fed.h"
#include "fed/fedi.h"
#include "lab/ack.h"
#include "store/store.h"
#include "t.h"

static char netpath[64];
static struct hub net;

static long long count(struct hub *h, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(store_db(h), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* A fact of site with seq in numbering boot (base 0: none). */
static void fact(const char *site, const char *boot, long long seq, long long base)
{
	char p[256], b[32] = "";
	int n;

	if (base)
		snprintf(b, sizeof(b), "\"base\":%lld,", base);
	n = snprintf(p, sizeof(p), "{\"seq\":%lld,\"boot\":\"%s\",\"site\":\"%s\",\"key\":\"rating:%lld\","
		     "\"type\":\"rating\",\"at\":1750000000,%s\"state\":{\"value\":3,\"scale\":3}}",
		     seq, boot, site, seq, b);
	central_fact(&net, site, p, (size_t)n);
}

/* The acknowledgement site would get now, as on disk. */
static const char *acked(const char *site)
{
	static char buf[ACK_JSON_MAX];
	struct fed *f = net.fed;

	for (int i = 0; f && i < f->nsites; i++)
		if (!strcmp(f->sites[i].site, site))
			return ack_json(&f->sites[i].a.done, buf, sizeof(buf)) < 0 ? "(too long)" : buf;
	return "(no site)";
}

static int open_net(void)
{
	struct fed *f = calloc(1, sizeof(*f));

	if (!f || store_open(&net, netpath))
		return -1;
	f->network = 1;
	net.fed = f;
	return central_init(&net);
}

static void close_net(void)
{
	store_close(&net);
	fed_fini(&net);
}

TEST(central_out_of_order_and_twice)
{
	fact("lab-a", "b1", 1, 0);
	fact("lab-a", "b1", 2, 0);
	fact("lab-a", "b1", 4, 0);
	fact("lab-a", "b1", 2, 0);	/* twice */
	CHECK(store_flush(&net) == 0);
	CHECK_STR(acked("lab-a"), "{\"seq\":2,\"boot\":\"b1\",\"missing\":[[3,3]]}");
	CHECK(count(&net, "SELECT w FROM net_sites WHERE site = 'lab-a'") == 2);
	CHECK(count(&net, "SELECT count(*) FROM net_rx WHERE site = 'lab-a'") == 3);
	fact("lab-a", "b1", 3, 0);	/* the hole, late */
	fact("lab-b", "x", 1, 0);	/* another site, its own watermark */
	CHECK(store_flush(&net) == 0);
	CHECK_STR(acked("lab-a"), "{\"seq\":4,\"boot\":\"b1\"}");
	CHECK_STR(acked("lab-b"), "{\"seq\":1,\"boot\":\"x\"}");
	CHECK(count(&net, "SELECT w FROM net_sites WHERE site = 'lab-a'") == 4);
	CHECK(count(&net, "SELECT last_seq FROM net_sites WHERE site = 'lab-a'") == 3);
}

TEST(central_failed_commit_acknowledges_nothing)
{
	fact("lab-a", "b1", 5, 0);
	CHECK(store_exec(&net, store_stmt(&net, "INSERT INTO t_child(parent) VALUES (42)"))
	      == SQLITE_DONE);
	CHECK(store_flush(&net) < 0);
	CHECK_STR(acked("lab-a"), "{\"seq\":4,\"boot\":\"b1\"}");
	CHECK(count(&net, "SELECT w FROM net_sites WHERE site = 'lab-a'") == 4);
	fact("lab-a", "b1", 5, 0);	/* the lab resends */
	CHECK(store_flush(&net) == 0);
	CHECK_STR(acked("lab-a"), "{\"seq\":5,\"boot\":\"b1\"}");
}

TEST(central_new_numbering_and_an_older_one)
{
	fact("lab-a", "b2", 8, 8);	/* a new numbering, base 8 */
	CHECK(store_flush(&net) == 0);
	CHECK_STR(acked("lab-a"), "{\"seq\":8,\"boot\":\"b2\"}");
	fact("lab-a", "b1", 6, 0);	/* late, of the older numbering: stored only */
	fact("lab-a", "b2", 10, 0);
	CHECK(store_flush(&net) == 0);
	CHECK_STR(acked("lab-a"), "{\"seq\":8,\"boot\":\"b2\",\"missing\":[[9,9]]}");
	CHECK(count(&net, "SELECT count(*) FROM net_rx WHERE boot = 'b1' AND seq = 6") == 1);
	CHECK(count(&net, "SELECT last_seq FROM net_sites WHERE site = 'lab-a'") == 10);
}

TEST(central_restart_reads_the_watermark_back)
{
	close_net();
	CHECK(open_net() == 0);
	fact("lab-a", "b2", 9, 0);
	CHECK(store_flush(&net) == 0);
	/* 10 was stored above the hole before the restart: W jumps it */
	CHECK_STR(acked("lab-a"), "{\"seq\":10,\"boot\":\"b2\"}");
	CHECK(count(&net, "SELECT w FROM net_sites WHERE site = 'lab-a'") == 10);
}

int main(void)
{
	if (t_tmp_db(netpath, sizeof(netpath), "test_fed_net"))
		return 1;
	net.conf = conf_new();
	if (!net.conf || open_net() ||
	    sqlite3_exec(store_db(&net),
			 "CREATE TABLE t_parent(id INTEGER PRIMARY KEY);"
			 "CREATE TABLE t_child(parent INTEGER REFERENCES t_parent(id)"
			 " DEFERRABLE INITIALLY DEFERRED)", NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	RUN(central_out_of_order_and_twice);
	RUN(central_failed_commit_acknowledges_nothing);
	RUN(central_new_numbering_and_an_older_one);
	RUN(central_restart_reads_the_watermark_back);
	close_net();
	conf_free(net.conf);
	t_unlink_db(netpath);
	return t_done();
}
