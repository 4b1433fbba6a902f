/*
 * test_part.c — participation logic without HTTP, on a real temporary
 * SQLite file: licence spellings, votes from buttons, the session button,
 * a finished job becoming a pending contribution (listed device, unlisted
 * device, a session listing none, failed jobs, the same job twice), and
 * the retention purge at its calendar-month boundary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "lab/device.h"
#include "core/hub.h"
#include "core/vocab.h"
#include "part/part.h"
#include "store/store.h"
#include "t.h"

static char dir[] = "/tmp/test_part-XXXXXX";

static struct hub *hub_new(const char *name)
{
	struct hub *h = calloc(1, sizeof(*h));
	char path[256];

	h->conf = conf_new();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (store_open(h, path) || part_init(h)) {
		conf_free(h->conf);
		free(h);
		return NULL;
	}
	return h;
}

static void hub_free(struct hub *h)
{
	part_fini(h);
	store_close(h);
	conf_free(h->conf);
	free(h);
}

/* Run one SQL statement (test set-up only). */
static void exec(struct hub *h, const char *sql)
{
	char *err = NULL;

	store_flush(h);
	if (sqlite3_exec(store_db(h), sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "  %s: %s\n", sql, err);
		t_cur_failed = 1;
	}
	sqlite3_free(err);
}

/* The first column of the first row of sql as a number (-1 if none). */
static double num(struct hub *h, const char *sql)
{
	sqlite3_stmt *st;
	double v = -1;

	store_flush(h);
	if (sqlite3_prepare_v2(store_db(h), sql, -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

TEST(licences)
{
	static const char *const v[][2] = {
		{ "CC BY 4.0", "CC-BY-4.0" }, { "cc-by", "CC-BY-4.0" }, { "CC-BY-4.0", "CC-BY-4.0" },
		{ "CC BY-SA 4.0", "CC-BY-SA-4.0" }, { "cc_by_sa", "CC-BY-SA-4.0" },
		{ "CC0", "CC0-1.0" }, { "CC0 1.0", "CC0-1.0" }, { "public domain", "CC0-1.0" },
		{ "none", "none" }, { "Not for publication", "none" }, { "", "none" },
		{ "CC BY-NC 4.0", "CC-BY-NC-4.0" }, { "cc-by-nc-sa", "CC-BY-NC-SA-4.0" },
		{ "CC BY-ND 4.0", "CC-BY-ND-4.0" }, { "CC BY-NC-ND 4.0", "CC-BY-NC-ND-4.0" },
		{ "All rights reserved", "none" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_STR(vocab_licence(v[i][0]), v[i][1]);
	CHECK(vocab_licence("GPL-3.0") == NULL);
	CHECK(vocab_licence("CC BY-NC 3.0") == NULL);
	CHECK(vocab_licence("cc by sa 4.0 cc by sa 4.0 cc by sa 4.0") == NULL);
}

TEST(votes_and_session_button)
{
	struct hub *h = hub_new("votes.db");

	CHECK(h != NULL);
	if (!h)
		return;
	CHECK(part_session_open(h) == 0);
	CHECK(part_vote(h, 3, 3, "gpio:vote-happy") == 0);
	CHECK(part_vote(h, 4, 3, "gpio:x") == -1);
	CHECK(part_vote(h, 0, 5, "gpio:x") == -1);
	CHECK(part_vote(h, 2, 4, "gpio:x") == -1);
	CHECK(part_session_toggle(h, "gpio:session") == 0);
	CHECK(part_session_open(h) == 1);
	CHECK(part_vote(h, 5, 5, "button:z2m/box") == 0);
	CHECK(num(h, "SELECT count(*) FROM ratings WHERE session_id IS NULL") == 1);
	CHECK(num(h, "SELECT count(*) FROM ratings WHERE session_id = 1 AND value = 5 AND "
		  "source = 'button:z2m/box' AND question = 'novelty'") == 1);
	CHECK(num(h, "SELECT group_size FROM sessions WHERE id = 1 AND group_type = 'walk-in' "
		  "AND source = 'gpio:session'") == 0);
	CHECK(part_session_toggle(h, "gpio:session") == 0);
	CHECK(part_session_open(h) == 0);
	CHECK(num(h, "SELECT count(*) FROM sessions WHERE ended_at IS NOT NULL") == 1);
	CHECK(num(h, "SELECT count(*) FROM audit WHERE user = 'gpio:session'") == 2);
	hub_free(h);
}

static void job(struct device *d, const char *id, const char *kind, const char *file)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->id, sizeof(d->id), "%s", id);
	snprintf(d->kind, sizeof(d->kind), "%s", !strcmp(kind, "scan") ? "scanner" : "printer");
	snprintf(d->job.kind, sizeof(d->job.kind), "%s", kind);
	snprintf(d->job.file, sizeof(d->job.file), "%s", file);
}

TEST(jobs_become_pending_contributions)
{
	struct hub *h = hub_new("jobs.db");
	struct device d;

	CHECK(h != NULL);
	if (!h)
		return;
	exec(h, "INSERT INTO jobs(id, dev, kind, file, state) VALUES"
	     " (1, 1, 'print', 'a/benchy.gcode', 'finished'), (2, 2, 'print', 'other.gcode', 'finished'),"
	     " (3, 1, 'print', 'x.gcode', 'failed'), (4, 3, 'scan', '', 'finished'),"
	     " (5, 1, 'print', 'early.gcode', 'finished')");
	exec(h, "INSERT INTO projects(id, title, created_at, updated_at) VALUES (7, 'P7', 0, 0), (9, 'P9', 0, 0)");
	/* no session: nothing */
	job(&d, "mlab/printer-1", "print", "early.gcode");
	part_job_ended(h, &d, 5, "finished", 1000);
	CHECK(num(h, "SELECT count(*) FROM contributions") == 0);
	exec(h, "INSERT INTO sessions(id, started_at) VALUES (1, 0)");
	exec(h, "INSERT INTO session_devices VALUES (1, 'mlab/printer-1')");
	exec(h, "INSERT INTO session_projects VALUES (1, 9), (1, 7)");
	job(&d, "mlab/printer-1", "print", "a/benchy.gcode");
	part_job_ended(h, &d, 1, "finished", 1000);
	part_job_ended(h, &d, 1, "finished", 1001);	/* the same job again */
	job(&d, "mlab/printer-2", "print", "other.gcode");
	part_job_ended(h, &d, 2, "finished", 1000);	/* not in the session */
	job(&d, "mlab/printer-1", "print", "x.gcode");
	part_job_ended(h, &d, 3, "failed", 1000);
	CHECK(num(h, "SELECT count(*) FROM contributions") == 1);
	CHECK(num(h, "SELECT count(*) FROM contributions WHERE title = 'benchy.gcode' AND kind = 'print'"
		  " AND status = 'pending' AND device_id = 'mlab/printer-1' AND job_id = 1"
		  " AND session_id = 1 AND project_id = 7 AND licence = 'none'") == 1);
	/* a session that lists no device takes every device's jobs */
	exec(h, "DELETE FROM session_devices");
	job(&d, "mlab/scanner-1", "scan", "");
	snprintf(d.name, sizeof(d.name), "Einscan");
	part_job_ended(h, &d, 4, "finished", 1000);
	CHECK(num(h, "SELECT count(*) FROM contributions WHERE kind = 'scan' AND title = 'Scan Einscan'") == 1);
	hub_free(h);
}

TEST(purge_after_retention)
{
	struct hub *h = hub_new("purge.db");
	double now;

	CHECK(h != NULL);
	if (!h)
		return;
	CHECK(hub_parse_time("2027-03-15T12:00:00Z", &now) == 0);
	/* session 1 ended 2026-03-15T11:00Z (12 months and 1 hour before),
	 * session 2 ended 2026-03-15T13:00Z (1 hour short of 12 months),
	 * session 3 is still open */
	exec(h, "INSERT INTO sessions(id, started_at, ended_at) VALUES"
	     " (1, 1773568800, 1773572400), (2, 1773576000, 1773579600), (3, 1773576000, NULL)");
	exec(h, "INSERT INTO participants(id, session_id, display_name, email, age_band, created_at, last_seen) VALUES"
	     " (1, 1, 'A', 'a@x.org', '25-34', 1773568800, 1773568800),"
	     " (2, 2, 'B', NULL, '25-34', 1773576000, 1773576000),"
	     " (3, 3, NULL, 'c@x.org', NULL, 1773576000, 1773576000),"
	     " (4, 1, NULL, NULL, '65+', 1773568800, 1773568800)");
	CHECK(part_purge(h, now) == 1);
	CHECK(num(h, "SELECT count(*) FROM participants WHERE id = 1 AND display_name IS NULL"
		  " AND email IS NULL AND purged_at IS NOT NULL AND age_band = '25-34'") == 1);
	CHECK(num(h, "SELECT count(*) FROM participants WHERE display_name = 'B'") == 1);
	CHECK(num(h, "SELECT count(*) FROM participants WHERE email = 'c@x.org'") == 1);
	CHECK(num(h, "SELECT count(*) FROM participants WHERE id = 4 AND purged_at IS NULL") == 1);
	CHECK(part_purge(h, now) == 0);		/* nothing twice */
	CHECK(part_purge(h, now + 7200) == 1);	/* B's turn */
	CHECK(num(h, "SELECT count(*) FROM participants") == 4);
	CHECK(num(h, "SELECT count(*) FROM audit WHERE action = 'privacy.purge'") == 2);
	hub_free(h);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(licences);
	RUN(votes_and_session_button);
	RUN(jobs_become_pending_contributions);
	RUN(purge_after_retention);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done();
}
