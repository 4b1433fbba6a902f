/*
 * test_fed.c — a network of labs (hub/fed/) on real SQLite files.
 *
 * The network side: facts arriving out of order, twice, from a new
 * numbering and late from an older one move each site's watermark by the
 * devices' own rule (lab/ack.c), in memory and in net_sites, and a
 * restart reads it back.
 *
 * The lab side: after a first (full) scan, only what changed is read
 * again (net_dirty, kept by triggers whichever connection writes), and a
 * session edited, a participant erased, two sessions merged, a
 * contribution withdrawn, a check-in's party and a day's jobs changed —
 * by this connection or another process — give exactly the facts a full
 * rescan would: a full rescan afterwards appends nothing.  A row deleted
 * outright, a lone check-in attached to a session, a day whose jobs and
 * machine use went give one *.deleted fact each, also when the row went
 * while no trigger watched (found by the full projection).
 *
 * Links every layer up to fed with an empty subscriber table; no broker
 * (publishing fails quietly).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/conf.h"
#include "core/hub.h"
#include "fed/fed.h"
#include "fed/central.h"
#include "fed/dirty.h"
#include "fed/fact.h"
#include "fed/fedi.h"
#include "fed/sum.h"
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
		     "\"type\":\"rating\",\"at\":1750000000,%s\"state\":{\"at\":1750000000,\"value\":3,\"scale\":3}}",
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

/* The value of figure name of site in figures o. */
static double site_figure(const cJSON *o, const char *site, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
		cJSON_GetObjectItem(o, "sites"), site), "indicators"), name), "value");

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

TEST(central_a_removed_session_is_not_counted)
{
	static const char f1[] =
		"{\"seq\":1,\"boot\":\"m\",\"key\":\"session:1\",\"type\":\"session.closed\",\"at\":1750000000,"
		"\"state\":{\"id\":1,\"started\":1750000000,\"ended\":1750003600,\"group\":\"school\",\"size\":5,"
		"\"removed\":0,\"merged_into\":null,\"head\":0,\"projects\":[],\"parties\":[]}}";
	static const char f2[] =
		"{\"seq\":2,\"boot\":\"m\",\"key\":\"session:2\",\"type\":\"session.removed\",\"at\":1750000000,"
		"\"state\":{\"id\":2,\"started\":1750000000,\"ended\":1750003600,\"group\":\"school\",\"size\":5,"
		"\"removed\":1,\"merged_into\":1,\"head\":0,\"projects\":[],\"parties\":[]}}";
	char err[256];
	cJSON *o;

	central_fact(&net, "lab-m", f1, sizeof(f1) - 1);
	central_fact(&net, "lab-m", f2, sizeof(f2) - 1);
	CHECK(store_flush(&net) == 0);
	o = sum_figures(&net, 2025, err, sizeof(err));
	CHECK(o != NULL);
	CHECK_NEAR(site_figure(o, "lab-m", "sessions"), 1, 0);
	cJSON_Delete(o);
}

TEST(central_a_deleted_row_is_not_counted)
{
	static const char f3[] =
		"{\"seq\":3,\"boot\":\"m\",\"key\":\"session:1\",\"type\":\"session.deleted\","
		"\"at\":1750000000,\"state\":{\"deleted\":true}}";
	char err[256];
	cJSON *o;

	/* session 1 of lab-m (counted above) is deleted outright at the lab */
	central_fact(&net, "lab-m", f3, sizeof(f3) - 1);
	CHECK(store_flush(&net) == 0);
	o = sum_figures(&net, 2025, err, sizeof(err));
	CHECK(o != NULL);
	CHECK_NEAR(site_figure(o, "lab-m", "sessions"), 0, 0);
	/* nothing refused: a deleted fact is no broken state */
	CHECK_NEAR(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "sites"), "lab-m"),
				       "refused")->valuedouble, 0, 0);
	cJSON_Delete(o);
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

/* ---- the lab side: incremental scans ------------------------------- */

static char labpath[64];
static struct hub lab;
static char last_seq[16];

static void lab_exec(const char *sql)
{
	if (sqlite3_exec(store_db(&lab), sql, NULL, NULL, NULL) != SQLITE_OK)
		fprintf(stderr, "  %s: %s\n", sql, sqlite3_errmsg(store_db(&lab)));
}

/* Text of the first column of sql's first row on the lab ("" if none). */
static const char *lab_text(const char *sql)
{
	static char buf[8192];
	sqlite3_stmt *st;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(store_db(&lab), sql, -1, &st, NULL) != SQLITE_OK)
		return "(bad sql)";
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof(buf), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

static int scan(void)
{
	return fact_scan(&lab) || store_flush(&lab) ? -1 : 0;
}

/* 14:00 UTC on a day of June 2025 */
#define DAY(d) "(1748786400 + 86400 * (" #d " - 1))"

TEST(lab_first_scan_is_full)
{
	lab_exec("INSERT INTO projects(id, title, status, visibility, created_at, updated_at)"
		 " VALUES (1, 'Mémoire', 'active', 'public', " DAY(1) ", " DAY(1) ");"
		 "INSERT INTO project_themes VALUES (1, 'quebec-culture');"
		 "INSERT INTO sessions(id, started_at, ended_at, group_type, group_size, facilitator)"
		 " VALUES (1, " DAY(2) ", " DAY(2) " + 3600, 'school', 20, 'Zoé'),"
		 "  (2, " DAY(2) " + 600, " DAY(2) " + 4000, 'school', 5, 'Zoé');"
		 "INSERT INTO session_projects VALUES (1, 1), (2, 1);"
		 "INSERT INTO participants(id, session_id, age_band, display_name, email, created_at, last_seen, party_size)"
		 " VALUES (1, 1, '10-13', 'Zoé', 'zoe@example.org', " DAY(2) ", " DAY(2) ", 3),"
		 "  (2, 2, NULL, NULL, NULL, " DAY(2) ", " DAY(2) ", 4),"
		 "  (3, NULL, '65+', NULL, NULL, " DAY(3) ", " DAY(3) ", 1);"
		 "INSERT INTO participant_members VALUES (2, '35-44', 2), (2, '6-9', 2);"
		 "INSERT INTO contributions(id, project_id, session_id, participant_id, kind, title, licence, status,"
		 " created_at, decided_at) VALUES (1, 1, 2, 2, 'scan', 'secret.stl', 'CC-BY-4.0', 'confirmed', "
		 DAY(2) ", " DAY(2) " + 60);"
		 "INSERT INTO ratings(id, session_id, value, scale, question, source, at)"
		 " VALUES (1, 2, 3, 3, 'q', 'kiosk', " DAY(2) " + 100);"
		 "INSERT INTO devices(dev, id, source, native, first_seen, last_seen) VALUES (1, 'mlab/p1', 'mlab', 'p1', 1, 1);"
		 "INSERT INTO machine_use(machine, plug, started_at, ended_at, energy_kwh)"
		 " VALUES ('prusa', 'plug1', " DAY(4) ", " DAY(4) " + 86400, 2.0);"
		 "INSERT INTO jobs(dev, kind, file, state, started_at, ended_at)"
		 " VALUES (1, 'print', 'a.gcode', 'finished', " DAY(4) ", " DAY(4) " + 3600);");
	CHECK(scan() == 0);
	CHECK_STR(lab_text("SELECT value FROM net_state WHERE name = 'scanned'"), "1");
	CHECK_STR(lab_text("SELECT count(*) FROM net_dirty"), "0");
	/* a project, two sessions, a check-in, a contribution, a rating, two days */
	CHECK_STR(lab_text("SELECT count(*) FROM net_facts"), "8");
	CHECK_STR(lab_text("SELECT group_concat(key, ' ') FROM (SELECT key FROM net_facts"
			   " WHERE key LIKE 'day:%' ORDER BY key)"), "day:2025-06-04 day:2025-06-05");
}

TEST(lab_changes_are_noted)
{
	lab_exec("UPDATE contributions SET status = 'rejected', decided_at = " DAY(5) " WHERE id = 1");
	CHECK_STR(lab_text("SELECT group_concat(key, ' ') FROM net_dirty"), "contribution:1");
	/* an erasure touches no column a fact reads: nothing noted */
	lab_exec("UPDATE participants SET display_name = NULL, email = NULL, postal_area = NULL,"
		 " erased_at = " DAY(5) " WHERE id = 1");
	CHECK_STR(lab_text("SELECT group_concat(key, ' ') FROM net_dirty"), "contribution:1");
	CHECK(scan() == 0);
	CHECK_STR(lab_text("SELECT type FROM net_facts ORDER BY seq DESC"), "contribution.withdrawn");
	CHECK_STR(lab_text("SELECT count(*) FROM net_facts"), "9");
	CHECK_STR(lab_text("SELECT count(*) FROM net_dirty"), "0");
}

TEST(lab_edit_merge_and_more_give_the_full_scan_facts)
{
	sqlite3 *other;

	/* an edit */
	lab_exec("UPDATE sessions SET group_size = 22 WHERE id = 1;"
		 "UPDATE projects SET title = 'Mémoire du quartier' WHERE id = 1");
	/* session 2 merged into 1, as POST /api/sessions/2/merge does */
	lab_exec("UPDATE participants SET session_id = 1 WHERE session_id = 2;"
		 "UPDATE contributions SET session_id = 1 WHERE session_id = 2;"
		 "UPDATE ratings SET session_id = 1 WHERE session_id = 2;"
		 "UPDATE sessions SET group_size = max(group_size, 5) WHERE id = 1;"
		 "UPDATE sessions SET removed_at = " DAY(5) ", merged_into = 1, removed_reason = 'twice'"
		 " WHERE id = 2");
	/* another process: the lone check-in's party grows, a job ends on day 4 */
	CHECK(sqlite3_open(labpath, &other) == SQLITE_OK);
	CHECK(sqlite3_exec(other, "INSERT INTO participant_members VALUES (3, '65+', 1);"
			   "UPDATE participants SET party_size = 2 WHERE id = 3;"
			   "INSERT INTO jobs(dev, kind, file, state, started_at, ended_at)"
			   " VALUES (1, 'scan', 'b.stl', 'failed', " DAY(4) ", " DAY(4) " + 7200)",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(other);
	CHECK_STR(lab_text("SELECT group_concat(key, ' ') FROM (SELECT key FROM net_dirty ORDER BY key)"),
		  "checkin:3 contribution:1 project:1 rating:1 session:1 session:2 span:1749052800:1749052801");
	CHECK(scan() == 0);
	CHECK_STR(lab_text("SELECT type FROM net_facts WHERE key = 'session:2' ORDER BY seq DESC"),
		  "session.removed");
	CHECK_STR(lab_text("SELECT json_extract(state, '$.head') || ' ' || json_extract(state, '$.size')"
			   " FROM net_facts WHERE key = 'session:1' ORDER BY seq DESC"), "7 22");
	CHECK_STR(lab_text("SELECT json_extract(state, '$.session') FROM net_facts"
			   " WHERE key = 'rating:1' ORDER BY seq DESC"), "1");
	CHECK_STR(lab_text("SELECT json_extract(state, '$.jobs.scan.failed') FROM net_facts"
			   " WHERE key = 'day:2025-06-04' ORDER BY seq DESC"), "1");
	CHECK_STR(lab_text("SELECT json_extract(state, '$.parties[0][0]') FROM net_facts"
			   " WHERE key = 'checkin:3' ORDER BY seq DESC"), "2");
	/* the day after (same machine use) did not change: no fact for it */
	CHECK_STR(lab_text("SELECT count(*) FROM net_facts WHERE key = 'day:2025-06-05'"), "1");
}

TEST(lab_rows_gone_give_deleted_facts)
{
	/* a script deletes a rating outright, attaches the lone check-in to
	 * session 1 and a device's jobs go with its history; the day after
	 * keeps its machine use */
	lab_exec("DELETE FROM ratings WHERE id = 1;"
		 "UPDATE participants SET session_id = 1 WHERE id = 3;"
		 "DELETE FROM jobs WHERE dev = 1;"
		 "DELETE FROM machine_use WHERE machine = 'prusa'");
	/* a row made and gone between two scans was never told: no fact */
	lab_exec("INSERT INTO ratings(id, value, scale, question, source, at)"
		 " VALUES (2, 1, 3, 'q', 'kiosk', " DAY(6) "); DELETE FROM ratings WHERE id = 2");
	CHECK(scan() == 0);
	CHECK_STR(lab_text("SELECT group_concat(key || ' ' || type, ', ') FROM (SELECT key, type"
			   " FROM net_facts WHERE type LIKE '%.deleted' ORDER BY key)"),
		  "checkin:3 checkin.deleted, day:2025-06-04 machines.day.deleted, "
		  "day:2025-06-05 machines.day.deleted, rating:1 rating.deleted");
	CHECK_STR(lab_text("SELECT state FROM net_facts WHERE key = 'rating:1' ORDER BY seq DESC"),
		  "{\"deleted\":true}");
	/* the check-in now counts in session 1 */
	CHECK_STR(lab_text("SELECT json_extract(state, '$.head') FROM net_facts"
			   " WHERE key = 'session:1' ORDER BY seq DESC"), "9");
	CHECK_STR(lab_text("SELECT count(*) FROM net_facts WHERE key = 'rating:2'"), "0");
	/* said once: a scan with the same rows gone adds nothing */
	snprintf(last_seq, sizeof(last_seq), "%s", lab_text("SELECT max(seq) FROM net_facts"));
	lab_exec("UPDATE sessions SET group_size = 22 WHERE id = 1");
	CHECK(scan() == 0);
	CHECK_STR(lab_text("SELECT max(seq) FROM net_facts"), last_seq);
	/* a check-in back out of its session is a lone one again */
	lab_exec("UPDATE participants SET session_id = NULL WHERE id = 3");
	CHECK(scan() == 0);
	CHECK_STR(lab_text("SELECT type FROM net_facts WHERE key = 'checkin:3' ORDER BY seq DESC"), "checkin");
}

TEST(lab_a_full_rescan_finds_nothing_more)
{
	char before[16], last[8192];

	snprintf(before, sizeof(before), "%s", lab_text("SELECT max(seq) FROM net_facts"));
	snprintf(last, sizeof(last), "%s",
		 lab_text("SELECT group_concat(key || '=' || state, char(10)) FROM (SELECT * FROM net_last ORDER BY key)"));
	lab_exec("DELETE FROM net_state WHERE name = 'scanned'");
	CHECK(scan() == 0);
	CHECK_STR(lab_text("SELECT value FROM net_state WHERE name = 'scanned'"), "1");
	CHECK_STR(lab_text("SELECT max(seq) FROM net_facts"), before);
	CHECK_STR(lab_text("SELECT group_concat(key || '=' || state, char(10)) FROM (SELECT * FROM net_last ORDER BY key)"),
		  last);
	/* nothing personal in any fact */
	CHECK_STR(lab_text("SELECT count(*) FROM net_facts WHERE state LIKE '%Zoé%' OR state LIKE '%secret%'"
			   " OR state LIKE '%example.org%'"), "0");
}

TEST(lab_a_full_rescan_tells_rows_gone_unwatched)
{
	/* a row deleted while no trigger watched (a copy restored, triggers
	 * remade): the next full projection finds its key gone */
	lab_exec("DROP TRIGGER net_contributions_d; DELETE FROM contributions WHERE id = 1;"
		 "DELETE FROM net_state WHERE name = 'scanned'");
	CHECK_STR(lab_text("SELECT count(*) FROM net_dirty"), "0");
	CHECK(scan() == 0);
	CHECK_STR(lab_text("SELECT type FROM net_facts ORDER BY seq DESC"), "contribution.deleted");
	CHECK_STR(lab_text("SELECT count(*) FROM net_facts WHERE seq > " "(SELECT max(seq) FROM net_facts"
			   " WHERE key <> 'contribution:1')"), "1");
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
	RUN(central_a_removed_session_is_not_counted);
	RUN(central_a_deleted_row_is_not_counted);
	RUN(central_restart_reads_the_watermark_back);
	close_net();

	if (t_tmp_db(labpath, sizeof(labpath), "test_fed_lab"))
		return 1;
	lab.conf = net.conf;
	if (!(lab.fed = calloc(1, sizeof(*lab.fed))) || store_open(&lab, labpath))
		return 1;
	snprintf(lab.fed->site, sizeof(lab.fed->site), "lab-t");
	lab_exec("INSERT INTO net_state(name, value) VALUES ('boot', 't1')");
	if (dirty_install(&lab) || dirty_install(&lab))	/* a lab of a network; once is enough */
		return 1;
	RUN(lab_first_scan_is_full);
	RUN(lab_changes_are_noted);
	RUN(lab_edit_merge_and_more_give_the_full_scan_facts);
	RUN(lab_rows_gone_give_deleted_facts);
	RUN(lab_a_full_rescan_finds_nothing_more);
	RUN(lab_a_full_rescan_tells_rows_gone_unwatched);
	store_close(&lab);
	fed_fini(&lab);
	conf_free(net.conf);
	t_unlink_db(netpath);
	t_unlink_db(labpath);
	return t_done();
}
