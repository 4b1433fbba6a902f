/*
 * test_report.c — the annual indicators against a seeded database with
 * answers counted by hand.
 *
 * The database (a temp file, real SQLite through store_open) holds rows
 * on both sides of each fiscal-year boundary in America/Toronto local
 * time (31 March 23:59 vs 1 April 00:00 = 03:59 vs 04:00 UTC), sessions
 * in the hour that repeats when daylight saving ends, an erased
 * participant, rejected and pending contributions, votes on both scales,
 * and machines busy across midnight and across both year boundaries.
 * Every figure of three fiscal years is checked, every explain list is
 * summed back to its figure, and the output is byte-compared across
 * runs, across the API and the renderer, and across an erasure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "core/conf.h"
#include "report/fiscal.h"
#include "core/hub.h"
#include "report/fig.h"
#include "report/render.h"
#include "report/report.h"
#include "report/year.h"
#include "store/store.h"
#include "t.h"

#define A	1743480000.0	/* 2025-04-01T00:00:00-04:00 = 04:00Z: FY2025 starts */
#define B	1775016000.0	/* 2026-04-01T00:00:00-04:00: FY2025 ends, FY2026 starts */
#define DAY	86400.0

static struct hub hub;
static char dbpath[64];

/* ---------------------------------------------------------------- seed */

static void exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void exec(const char *fmt, ...)
{
	char sql[4096], *err = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_exec(store_db(&hub), sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "seed: %s: %s\n", sql, err);
		sqlite3_free(err);
		abort();
	}
}

static void seed(void)
{
	/* projects: P3, P5, P6 internal; P2, P3, P4 about Québec culture */
	exec("INSERT INTO projects(id, title, visibility, status, created_at, updated_at) VALUES"
	     " (1, 'Objets du quotidien', 'public', 'active', 0, 0),"
	     " (2, 'Patrimoine numérisé', 'public', 'active', 0, 0),"
	     " (3, 'Projet interne QC', 'internal', 'planned', 0, 0),"
	     " (4, 'Chansons de Québec', 'public', 'completed', 0, 0),"
	     " (5, 'Ancien projet', 'internal', 'archived', 0, 0),"
	     " (6, 'Atelier privé', 'internal', 'active', 0, 0)");
	exec("INSERT INTO project_themes VALUES (1, 'heritage'), (2, 'quebec-culture'), (2, 'scan'),"
	     " (3, 'quebec-culture'), (4, 'quebec-culture')");
	/* sessions: S1 at the first instant of FY2025, S2 at its last minute,
	 * S3/S4 at 01:30 EDT and 01:30 EST on 2 November 2025, S5 the last
	 * minute of FY2024, S6 the first instant of FY2026 */
	exec("INSERT INTO sessions(id, started_at, ended_at, group_type, group_size, facilitator, notes) VALUES"
	     " (1, %.0f, %.0f, 'walk-in', 5, 'Julie', 'secret note'),"
	     " (2, %.0f, NULL, 'school', 24, NULL, NULL),"
	     " (3, 1762061400, 1762063200, 'family', 0, NULL, NULL),"
	     " (4, 1762065000, 1762068600, 'workshop', 2, NULL, NULL),"
	     " (5, %.0f, %.0f, 'partner', 10, NULL, NULL),"
	     " (6, %.0f, NULL, 'school', 30, NULL, NULL)",
	     A, A + 3600, B - 60, A - 60, A + 600, B);
	exec("INSERT INTO session_projects VALUES (1, 1), (2, 2), (6, 3)");
	exec("INSERT INTO participants(id, session_id, age_band, display_name, email, created_at, last_seen, erased_at, party_size) VALUES"
	     " (1, 1, '6-9', NULL, NULL, %.0f, %.0f, NULL, 1),"
	     " (2, 1, '35-44', 'Alice Tremblay', 'alice@example.org', %.0f, %.0f, NULL, 1),"
	     " (3, 3, '0-5', NULL, NULL, 1762061500, 1762061500, NULL, 1),"
	     " (4, 3, '35-44', NULL, NULL, 1762061500, 1762061500, 1762100000, 1),"
	     " (5, 3, NULL, NULL, NULL, 1762061500, 1762061500, NULL, 3),"
	     " (6, 4, '14-17', NULL, NULL, 1762065100, 1762065100, NULL, 1),"
	     " (7, 4, '14-17', NULL, NULL, 1762065100, 1762065100, NULL, 1),"
	     " (8, 4, '18-24', NULL, NULL, 1762065100, 1762065100, NULL, 1),"
	     " (9, 4, 'adult', NULL, NULL, 1762065100, 1762065100, NULL, 1),"
	     " (10, 5, '6-9', NULL, NULL, %.0f, %.0f, NULL, 1),"
	     " (11, NULL, '6-9', NULL, NULL, %.0f, %.0f, NULL, 2),"
	     " (12, NULL, '25-34', NULL, NULL, %.0f, %.0f, NULL, 1)",
	     A + 60, A + 60, A + 60, A + 60, A - 30, A - 30, A + 244 * DAY, A + 244 * DAY, B, B);
	exec("INSERT INTO consents(participant_id, purpose, granted, text_version, at)"
	     " VALUES (2, 'contact', 1, '2026-1', %.0f)", A + 60);
	exec("INSERT INTO contributions(id, project_id, participant_id, kind, title, licence, status, created_at, decided_at) VALUES"
	     " (1, 4, 2, 'scan', 'Alice Tremblay scan', 'CC-BY-4.0', 'confirmed', %.0f, %.0f),"
	     " (2, 6, NULL, 'print', 'p', 'none', 'confirmed', %.0f, %.0f),"
	     " (3, 3, NULL, 'idea', 'i', 'none', 'rejected', %.0f, %.0f),"
	     " (4, 3, NULL, 'photo', 'ph', 'none', 'pending', %.0f, NULL),"
	     " (5, NULL, NULL, 'idea', 'i2', 'CC0-1.0', 'confirmed', %.0f, %.0f),"
	     " (6, 5, NULL, 'scan', 's', 'CC-BY-SA-4.0', 'confirmed', %.0f, %.0f),"
	     " (7, 1, NULL, 'photo', 'ph2', 'CC-BY-4.0', 'confirmed', %.0f, %.0f)",
	     A + 61 * DAY, A + 62 * DAY, A + 167 * DAY, A + 167 * DAY, A + 91 * DAY, A + 92 * DAY,
	     A + 306 * DAY, B - 30, B + 86400, A - 60, A + DAY, B, B + 60);
	exec("INSERT INTO ratings(id, session_id, value, scale, question, source, at) VALUES"
	     " (1, 1, 3, 3, 'novelty', 'kiosk', %.0f), (2, 1, 2, 3, 'novelty', 'kiosk', %.0f),"
	     " (3, NULL, 1, 3, 'novelty', 'gpio', %.0f), (4, NULL, 5, 5, 'novelty', 'kiosk', %.0f),"
	     " (5, NULL, 4, 5, 'novelty', 'kiosk', %.0f), (6, NULL, 3, 5, 'novelty', 'kiosk', %.0f),"
	     " (7, 2, 3, 3, 'novelty', 'gpio', %.0f), (8, 6, 3, 3, 'novelty', 'gpio', %.0f),"
	     " (9, 5, 1, 3, 'novelty', 'gpio', %.1f)",
	     A + 10 * DAY, A + 11 * DAY, A + 12 * DAY, A + 13 * DAY, A + 14 * DAY, A + 15 * DAY,
	     B - 1, B, A - 0.5);
	/* M1 across midnight (23:00 → 01:30 EDT), M2 across the end of
	 * FY2025, M3 across its start, M4 still open, M5 wholly in FY2024 */
	exec("INSERT INTO machine_use(id, machine, plug, started_at, ended_at, energy_kwh) VALUES"
	     " (1, 'prusa', 'tasmota/prusa', %.0f, %.0f, 0.5),"
	     " (2, 'prusa', 'tasmota/prusa', %.0f, %.0f, 0.4),"
	     " (3, 'laser', 'shelly/laser', %.0f, %.0f, 1.0),"
	     " (4, 'laser', 'shelly/laser', %.0f, NULL, NULL),"
	     " (5, 'laser', 'shelly/laser', %.0f, %.0f, 0.3)",
	     A + 71 * DAY - 3600, A + 71 * DAY - 3600 + 9000, B - 7200, B + 7200,
	     A - 3600, A + 3600, A + 100 * DAY, A - 10 * DAY, A - 10 * DAY + 7200);
	exec("INSERT INTO devices(dev, id, source, native, kind, first_seen, last_seen) VALUES"
	     " (1, 'octoprint/prusa', 'octoprint', 'prusa', 'printer', 0, 0),"
	     " (2, 'mlab/scanner-1', 'mlab', 'scanner-1', 'scanner', 0, 0)");
	exec("INSERT INTO jobs(id, dev, kind, file, state, started_at, ended_at, duration_s) VALUES"
	     " (1, 1, 'print', 'alice_tremblay.gcode', 'finished', %.0f, %.0f, 3600),"
	     " (2, 1, 'print', 'b.gcode', 'finished', %.0f, %.0f, 600),"
	     " (3, 1, 'print', 'c.gcode', 'finished', %.0f, %.0f, 600),"
	     " (4, 1, 'print', 'd.gcode', 'failed', %.0f, %.0f, 60),"
	     " (5, 1, 'print', 'e.gcode', 'cancelled', NULL, %.0f, NULL),"
	     " (6, 2, 'scan', 's1', 'finished', %.0f, %.0f, 60),"
	     " (7, 2, 'scan', 's2', 'failed', %.0f, %.0f, 60),"
	     " (8, 1, 'print', 'f.gcode', 'printing', %.0f, NULL, NULL),"
	     " (9, 2, 'scan', 's3', 'finished', %.0f, %.0f, 60)",
	     A + 30 * DAY, A + 30 * DAY + 3600, B - 660, B - 60, B - 600, B,
	     A + 122 * DAY - 60, A + 122 * DAY, A + 123 * DAY, A + 153 * DAY - 60, A + 153 * DAY,
	     A + 154 * DAY - 60, A + 154 * DAY, A + 200 * DAY, A - 3660, A - 3600);
}

/* ------------------------------------------------------------- helpers */

/* The rendered report; caller frees.  NULL (and a failure) on error. */
static char *render(int fy, const char *format, const char *explain, const char *lang)
{
	struct report_opts o = { fy, format, explain, lang ? lang : "en", NULL, 0 };
	struct api_resp out;
	char err[300];
	int rc;

	memset(&out, 0, sizeof(out));
	rc = report_render(&hub, &o, &out, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "  render %d %s %s: %s\n", fy, format, explain ? explain : "", err);
		api_resp_free(&out);
		return NULL;
	}
	return out.body ? out.body : strdup("");
}

static cJSON *report_json(int fy)
{
	char *s = render(fy, "json", NULL, NULL);
	cJSON *j = s ? cJSON_Parse(s) : NULL;

	free(s);
	return j;
}

/* value of indicator name in j; NAN when null, -999 when absent */
static double val(cJSON *j, const char *name)
{
	cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "indicators"), name);
	cJSON *v = f ? cJSON_GetObjectItem(f, "value") : NULL;

	if (!f)
		return -999;
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double field(cJSON *j, const char *name, const char *what)
{
	cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "indicators"), name);
	cJSON *v = f ? cJSON_GetObjectItem(f, what) : NULL;

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

#define CHECK_VAL(j, name, want) CHECK_NEAR(val(j, name), want, 1e-9)
#define CHECK_NULL(j, name) CHECK(isnan(val(j, name)))

/* The explain rows of name in fiscal year fy, parsed; caller deletes. */
static cJSON *explain_json(int fy, const char *name)
{
	char *s = render(fy, "json", name, NULL);
	cJSON *j = s ? cJSON_Parse(s) : NULL;

	free(s);
	return j;
}

/* Column col of every explain row, joined with ',' ("" for null). */
static void column(cJSON *x, const char *col, char *out, size_t len)
{
	cJSON *row;
	size_t o = 0;
	int n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(x, "rows")) {
		cJSON *c = cJSON_GetObjectItem(row, col);
		char b[128] = "";

		if (cJSON_IsNumber(c))
			snprintf(b, sizeof(b), "%.10g", c->valuedouble);
		else if (cJSON_IsString(c))
			snprintf(b, sizeof(b), "%s", c->valuestring);
		o += (size_t)snprintf(out + o, len - o, "%s%s", n++ ? "," : "", b);
		if (o >= len)
			return;
	}
}

static void check_column(int fy, const char *name, const char *col, const char *want,
			 const char *file, int line)
{
	cJSON *x = explain_json(fy, name);
	char got[4096];

	if (!x) {
		fprintf(stderr, "  %s:%d: no explain for %s\n", file, line, name);
		t_cur_failed = 1;
		return;
	}
	column(x, col, got, sizeof(got));
	if (strcmp(got, want)) {
		fprintf(stderr, "  %s:%d: explain %s %s: '%s' != '%s'\n", file, line, name, col,
			got, want);
		t_cur_failed = 1;
	}
	cJSON_Delete(x);
}
#define CHECK_COL(fy, name, col, want) check_column(fy, name, col, want, __FILE__, __LINE__)

/* ---------------------------------------------------------------- tests */

TEST(fiscal_boundaries)
{
	struct fiscal_tz z;
	char err[200], b[64];
	double s, e;

	CHECK(fiscal_tz_enter(&z, "America/Toronto", err, sizeof(err)) == 0);
	CHECK(fiscal_bounds(2025, &s, &e) == 0);
	CHECK_NEAR(s, A, 0);
	CHECK_NEAR(e, B, 0);
	/* 2006: DST started on 2 April, so 1 April 00:00 was EST (05:00Z) */
	CHECK(fiscal_bounds(2005, &s, &e) == 0);
	CHECK_NEAR(e, 1143867600, 0);
	CHECK(fiscal_bounds(1969, &s, &e) == -1);
	CHECK(fiscal_year_of(B - 60) == 2025);	/* 31 March 23:59 */
	CHECK(fiscal_year_of(B) == 2026);	/* 1 April 00:00 */
	CHECK(fiscal_year_of(A - 0.5) == 2024);
	CHECK_STR(fiscal_local_iso(B - 60, b, sizeof(b)), "2026-03-31T23:59:00-04:00");
	CHECK_STR(fiscal_local_iso(A, b, sizeof(b)), "2025-04-01T00:00:00-04:00");
	/* the repeated hour of 2 November 2025, then the skipped one of 8 March */
	CHECK_STR(fiscal_local_iso(1762061400, b, sizeof(b)), "2025-11-02T01:30:00-04:00");
	CHECK_STR(fiscal_local_iso(1762065000, b, sizeof(b)), "2025-11-02T01:30:00-05:00");
	CHECK_STR(fiscal_local_iso(1772953199, b, sizeof(b)), "2026-03-08T01:59:59-05:00");
	CHECK_STR(fiscal_local_iso(1772953200, b, sizeof(b)), "2026-03-08T03:00:00-04:00");
	CHECK_STR(fiscal_local_iso(A - 0.5, b, sizeof(b)), "2025-03-31T23:59:59.500-04:00");
	fiscal_tz_leave(&z);
	/* another lab, another zone: 1 April 00:00 CEST is 31 March 22:00Z */
	CHECK(fiscal_tz_enter(&z, "Europe/Paris", err, sizeof(err)) == 0);
	CHECK(fiscal_bounds(2025, &s, &e) == 0);
	CHECK_NEAR(s, A - 6 * 3600, 0);
	CHECK_STR(fiscal_local_iso(s, b, sizeof(b)), "2025-04-01T00:00:00+02:00");
	fiscal_tz_leave(&z);
	/* a missing zone is an error, never a silent UTC */
	CHECK(fiscal_tz_enter(&z, "Mars/Olympus_Mons", err, sizeof(err)) == -1);
	CHECK(strstr(err, "tzdata") != NULL);
	CHECK(fiscal_tz_enter(&z, "../etc/passwd", err, sizeof(err)) == -1);
	CHECK(fiscal_zone_path("", b, sizeof(b)) == -1);
}

/* The one spelling rule of a fiscal year (the API, the CLI and the
 * network's API all read it with fiscal_parse_year). */
TEST(fiscal_year_spellings)
{
	static const char *const good[] = { "2025", "2025-26", "2025-2026", "2000", "2999", "2099-00", "2999-3000" };
	static const int want[] = { 2025, 2025, 2025, 2000, 2999, 2099, 2999 };
	static const char *const bad[] = {
		"", "nope", "25", "202", "20250", "1999", "3000", "2025-", "2025-27", "2025-2027", "2025-6",
		"2025-026", "2025/26", "2025 ", " 2025", "+2025", "2025-+26", "2025-26x", "2025x", "-2025",
		"2025--26", "2024-25-26",
	};
	int fy;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		fy = 0;
		CHECK(fiscal_parse_year(good[i], &fy) == 0 && fy == want[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fy = 7;
		if (fiscal_parse_year(bad[i], &fy) != -1 || fy != 7)
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
		CHECK(fiscal_parse_year(bad[i], &fy) == -1 && fy == 7);
	}
	CHECK(fiscal_parse_year(NULL, &fy) == -1);
}

TEST(tz_restored)
{
	struct fiscal_tz z;
	char err[200];

	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(fiscal_tz_enter(&z, "America/Toronto", err, sizeof(err)) == 0);
	fiscal_tz_leave(&z);
	CHECK_STR(getenv("TZ"), "UTC");
	unsetenv("TZ");
	tzset();
	CHECK(fiscal_tz_enter(&z, "America/Toronto", err, sizeof(err)) == 0);
	fiscal_tz_leave(&z);
	CHECK(getenv("TZ") == NULL);
}

TEST(pure_helpers)
{
	double t;

	CHECK(year_band_young("0-5"));
	CHECK(year_band_young("6-12"));
	CHECK(year_band_young("13-17"));
	CHECK(year_band_young("10-13"));
	CHECK(year_band_young("14-17"));
	CHECK(!year_band_young("18-24"));
	CHECK(!year_band_young("12-19"));
	CHECK(!year_band_young("65+"));
	CHECK(!year_band_young("adult"));
	CHECK(!year_band_young(""));
	CHECK(!year_band_young(NULL));
	CHECK(fig_default_target("quebec_culture_projects", 2018, &t) == 0 && t == 1);
	CHECK(fig_default_target("quebec_culture_projects", 2021, &t) == 0 && t == 2);
	CHECK(fig_default_target("participation_projects", 2030, &t) == 0 && t == 2);
	CHECK(fig_default_target("appreciation_rate_pct", 2019, &t) == 0 && t == 80);
	CHECK(fig_default_target("appreciation_rate_pct", 2020, &t) == 0 && t == 82);
	CHECK(fig_default_target("appreciation_rate_pct", 2021, &t) == 0 && t == 85);
	CHECK(fig_default_target("appreciation_rate_pct", 2026, &t) == 0 && t == 85);
	CHECK(fig_default_target("appreciation_rate_pct", 2018, &t) == -1);
	CHECK(fig_default_target("sessions", 2025, &t) == -1);
}

TEST(fy2025_figures)
{
	cJSON *j = report_json(2025);

	CHECK(j != NULL);
	if (!j)
		return;
	CHECK(cJSON_GetObjectItem(j, "fy")->valueint == 2025);
	CHECK_STR(cJSON_GetObjectItem(j, "from")->valuestring, "2025-04-01");
	CHECK_STR(cJSON_GetObjectItem(j, "to")->valuestring, "2026-03-31");
	CHECK_STR(cJSON_GetObjectItem(j, "start")->valuestring, "2025-04-01T00:00:00-04:00");
	CHECK_STR(cJSON_GetObjectItem(j, "end")->valuestring, "2026-04-01T00:00:00-04:00");
	/* projects: P1 (S1), P2 (S2, 23:59), P4 and P6 (confirmed contributions);
	 * not P3 (only rejected/pending here, session next year), not P5
	 * (contribution made 31 March 23:59 of FY2024, confirmed in FY2025) */
	CHECK_VAL(j, "participation_projects", 4);
	CHECK_VAL(j, "quebec_culture_projects", 2);
	CHECK_NEAR(field(j, "quebec_culture_projects", "target"), 2, 0);
	CHECK_NEAR(field(j, "quebec_culture_projects", "gap"), 0, 0);
	CHECK_VAL(j, "sessions", 4);
	CHECK_NEAR(field(j, "sessions", "target"), 10, 0);	/* target.sessions.2025 */
	CHECK_NEAR(field(j, "sessions", "gap"), -6, 0);
	/* max(5,2) + 24 + max(0,1+1+3) + max(2,4) + a party of 2 outside a session */
	CHECK_VAL(j, "participants", 40);
	CHECK(isnan(field(j, "participants", "target")));
	CHECK(isnan(field(j, "participants", "gap")));
	CHECK_VAL(j, "participants_young", 6);
	CHECK_VAL(j, "young_share_pct", 60);	/* 6 of 10 with a known band */
	CHECK_VAL(j, "contributions_confirmed", 3);
	CHECK_VAL(j, "contributions_pending", 1);
	CHECK_VAL(j, "contributions_rejected", 1);
	CHECK_VAL(j, "votes", 7);
	CHECK_NEAR(field(j, "votes", "target"), 100, 0);	/* target.votes */
	CHECK_VAL(j, "votes_positive", 4);
	CHECK_VAL(j, "appreciation_rate_pct", 57.1);
	CHECK_NEAR(field(j, "appreciation_rate_pct", "target"), 85, 0);
	CHECK_NEAR(field(j, "appreciation_rate_pct", "gap"), -27.9, 1e-9);
	CHECK_VAL(j, "machine_busy_hours", 5.5);
	CHECK_VAL(j, "machine_energy_kwh", 1.2);
	CHECK_VAL(j, "print_jobs_finished", 2);
	CHECK_VAL(j, "print_jobs_failed", 1);
	CHECK_VAL(j, "print_jobs_cancelled", 1);
	CHECK_VAL(j, "scans", 1);
	/* breakdowns */
	CHECK_VAL(j, "sessions.by_group.walk-in", 1);
	CHECK_VAL(j, "sessions.by_group.school", 1);
	CHECK_VAL(j, "sessions.by_group.family", 1);
	CHECK_VAL(j, "sessions.by_group.workshop", 1);
	CHECK_VAL(j, "sessions.by_group.partner", 0);
	CHECK_VAL(j, "participants.by_group.walk-in", 5);
	CHECK_VAL(j, "participants.by_group.school", 24);
	CHECK_VAL(j, "participants.by_group.family", 5);
	CHECK_VAL(j, "participants.by_group.workshop", 4);
	CHECK_VAL(j, "participants.by_group.partner", 0);
	CHECK_VAL(j, "participants.by_group.none", 2);
	CHECK_VAL(j, "participants.by_age.0-5", 1);
	CHECK_VAL(j, "participants.by_age.6-9", 3);
	CHECK_VAL(j, "participants.by_age.10-13", 0);
	CHECK_VAL(j, "participants.by_age.14-17", 2);
	CHECK_VAL(j, "participants.by_age.18-24", 1);
	CHECK_VAL(j, "participants.by_age.25-34", 0);
	CHECK_VAL(j, "participants.by_age.35-44", 2);
	CHECK_VAL(j, "participants.by_age.45-54", 0);
	CHECK_VAL(j, "participants.by_age.55-64", 0);
	CHECK_VAL(j, "participants.by_age.65+", 0);
	CHECK_VAL(j, "participants.by_age.adult", 1);	/* a band the API does not offer */
	CHECK_VAL(j, "participants.by_age.unknown", 30);
	CHECK_VAL(j, "contributions_confirmed.by_kind.scan", 1);
	CHECK_VAL(j, "contributions_confirmed.by_kind.print", 1);
	CHECK_VAL(j, "contributions_confirmed.by_kind.idea", 1);
	CHECK_VAL(j, "contributions_confirmed.by_kind.photo", 0);
	CHECK_VAL(j, "contributions_confirmed.by_licence.CC-BY-4.0", 1);
	CHECK_VAL(j, "contributions_confirmed.by_licence.CC-BY-SA-4.0", 0);
	CHECK_VAL(j, "contributions_confirmed.by_licence.CC0-1.0", 1);
	CHECK_VAL(j, "contributions_confirmed.by_licence.none", 1);
	CHECK_VAL(j, "votes.by_scale.3", 4);
	CHECK_VAL(j, "votes.by_scale.5", 3);
	CHECK_VAL(j, "appreciation_rate_pct.by_scale.3", 50);
	CHECK_VAL(j, "appreciation_rate_pct.by_scale.5", 66.7);
	CHECK_VAL(j, "machine_busy_hours.by_machine.cnc", 0);	/* configured, idle */
	CHECK_VAL(j, "machine_busy_hours.by_machine.laser", 1);
	CHECK_VAL(j, "machine_busy_hours.by_machine.prusa", 4.5);
	CHECK_VAL(j, "machine_energy_kwh.by_machine.laser", 0.5);
	CHECK_VAL(j, "machine_energy_kwh.by_machine.prusa", 0.7);
	cJSON_Delete(j);
}

TEST(fy2024_and_fy2026_figures)
{
	cJSON *j = report_json(2024);

	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_STR(cJSON_GetObjectItem(j, "from")->valuestring, "2024-04-01");
	CHECK_VAL(j, "participation_projects", 1);	/* P5 */
	CHECK_VAL(j, "quebec_culture_projects", 0);
	CHECK_VAL(j, "sessions", 1);
	CHECK_VAL(j, "participants", 10);
	CHECK_VAL(j, "participants_young", 1);
	CHECK_VAL(j, "young_share_pct", 100);
	CHECK_VAL(j, "contributions_confirmed", 1);
	CHECK_VAL(j, "votes", 1);
	CHECK_VAL(j, "appreciation_rate_pct", 0);
	CHECK_NEAR(field(j, "appreciation_rate_pct", "target"), 70, 0);	/* .2024 key */
	CHECK_NEAR(field(j, "appreciation_rate_pct", "gap"), -70, 0);
	CHECK(isnan(field(j, "sessions", "target")));	/* target.sessions.2025 only */
	CHECK_NEAR(field(j, "votes", "target"), 100, 0);
	CHECK_VAL(j, "machine_busy_hours", 3);
	CHECK_VAL(j, "machine_energy_kwh", 0.8);
	CHECK_VAL(j, "print_jobs_finished", 0);
	CHECK_VAL(j, "scans", 1);
	cJSON_Delete(j);

	j = report_json(2026);
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_VAL(j, "participation_projects", 2);	/* P3 (S6), P1 (C7) */
	CHECK_VAL(j, "quebec_culture_projects", 1);
	CHECK_VAL(j, "sessions", 1);
	CHECK_VAL(j, "participants", 31);
	CHECK_VAL(j, "young_share_pct", 0);
	CHECK_VAL(j, "contributions_confirmed", 1);
	CHECK_VAL(j, "votes", 1);
	CHECK_VAL(j, "appreciation_rate_pct", 100);
	CHECK_VAL(j, "machine_busy_hours", 2);
	CHECK_VAL(j, "machine_energy_kwh", 0.2);
	CHECK_VAL(j, "print_jobs_finished", 1);
	CHECK_VAL(j, "scans", 0);
	cJSON_Delete(j);

	j = report_json(2023);	/* nothing recorded: zeros, rates null */
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_VAL(j, "sessions", 0);
	CHECK_NULL(j, "appreciation_rate_pct");
	CHECK_NULL(j, "young_share_pct");
	CHECK(isnan(field(j, "appreciation_rate_pct", "gap")));
	cJSON_Delete(j);
}

TEST(explain_lists)
{
	CHECK_COL(2025, "participation_projects", "project_id", "1,2,4,6");
	CHECK_COL(2025, "participation_projects", "title",
		  "Objets du quotidien,Patrimoine numérisé,Chansons de Québec,");	/* P6 internal */
	CHECK_COL(2025, "participation_projects", "sessions", "1,1,0,0");
	CHECK_COL(2025, "participation_projects", "contributions", "0,0,1,1");
	CHECK_COL(2025, "quebec_culture_projects", "project_id", "2,4");
	CHECK_COL(2025, "quebec_culture_projects", "first_activity",
		  "2026-03-31T23:59:00-04:00,2025-06-01T00:00:00-04:00");
	CHECK_COL(2025, "sessions", "session_id", "1,3,4,2");
	CHECK_COL(2025, "sessions", "started_at",
		  "2025-04-01T00:00:00-04:00,2025-11-02T01:30:00-04:00,"
		  "2025-11-02T01:30:00-05:00,2026-03-31T23:59:00-04:00");
	CHECK_COL(2025, "sessions.by_group.school", "session_id", "2");
	CHECK_COL(2025, "sessions", "projects", "1,,,2");
	CHECK_COL(2025, "participants", "session_id", "1,3,4,2,");
	CHECK_COL(2025, "participants", "participant_id", ",,,,11");
	CHECK_COL(2025, "participants", "counted", "5,5,4,24,2");
	CHECK_COL(2025, "participants", "bands",
		  "6-9:1 35-44:1 unknown:3,0-5:1 35-44:1 unknown:3,"
		  "14-17:2 18-24:1 adult:1,unknown:24,6-9:2");
	CHECK_COL(2025, "participants.by_age.unknown", "counted", "3,3,24");
	CHECK_COL(2025, "participants.by_age.6-9", "counted", "1,2");
	CHECK_COL(2025, "participants", "checked_in", "2,5,4,0,2");
	CHECK_COL(2025, "participants.by_group.none", "participant_id", "11");
	CHECK_COL(2025, "participants_young", "counted", "1,1,2,2");
	CHECK_COL(2025, "young_share_pct", "known_band", "2,2,4,2");
	CHECK_COL(2025, "contributions_confirmed", "contribution_id", "1,2,5");
	CHECK_COL(2025, "contributions_confirmed", "created_at",
		  "2025-06-01T00:00:00-04:00,2025-09-15T00:00:00-04:00,2026-03-31T23:59:30-04:00");
	CHECK_COL(2025, "contributions_confirmed.by_kind.idea", "contribution_id", "5");
	CHECK_COL(2025, "contributions_confirmed.by_licence.none", "contribution_id", "2");
	CHECK_COL(2025, "contributions_pending", "contribution_id", "4");
	CHECK_COL(2025, "contributions_pending", "decided_at", "");
	CHECK_COL(2025, "contributions_rejected", "contribution_id", "3");
	CHECK_COL(2024, "contributions_confirmed", "decided_at", "2025-04-02T00:00:00-04:00");
	CHECK_COL(2025, "votes", "rating_id", "1,2,3,4,5,6,7");
	CHECK_COL(2025, "votes_positive", "rating_id", "1,4,5,7");
	CHECK_COL(2025, "appreciation_rate_pct", "counted", "1,0,0,1,1,0,1");
	CHECK_COL(2025, "votes.by_scale.5", "value", "5,4,3");
	CHECK_COL(2025, "appreciation_rate_pct.by_scale.3", "positive", "1,0,0,1");
	CHECK_COL(2024, "votes", "at", "2025-03-31T23:59:59.500-04:00");
	CHECK_COL(2025, "machine_busy_hours", "use_id", "3,1,2");
	CHECK_COL(2025, "machine_busy_hours", "hours", "1,2.5,2");
	CHECK_COL(2025, "machine_busy_hours", "counted_from",
		  "2025-04-01T00:00:00-04:00,2025-06-10T23:00:00-04:00,2026-03-31T22:00:00-04:00");
	CHECK_COL(2025, "machine_busy_hours", "counted_to",
		  "2025-04-01T01:00:00-04:00,2025-06-11T01:30:00-04:00,2026-04-01T00:00:00-04:00");
	CHECK_COL(2025, "machine_energy_kwh", "counted", "0.5,0.5,0.2");
	CHECK_COL(2025, "machine_busy_hours.by_machine.prusa", "use_id", "1,2");
	CHECK_COL(2025, "machine_busy_hours.by_machine.cnc", "use_id", "");
	CHECK_COL(2025, "print_jobs_finished", "job_id", "1,2");
	CHECK_COL(2025, "print_jobs_finished", "device", "octoprint/prusa,octoprint/prusa");
	CHECK_COL(2025, "print_jobs_failed", "job_id", "4");
	CHECK_COL(2025, "print_jobs_cancelled", "started_at", "");
	CHECK_COL(2025, "scans", "job_id", "6");
	CHECK_COL(2024, "scans", "job_id", "9");
	CHECK_COL(2026, "print_jobs_finished", "job_id", "3");
}

/* Every figure of every year: its explain list sums back to it (counts:
 * the "counted" column; shares: counted over the rows' denominator). */
TEST(every_explain_adds_up)
{
	for (int fy = 2024; fy <= 2026; fy++) {
		cJSON *j = report_json(fy), *f;

		CHECK(j != NULL);
		if (!j)
			return;
		cJSON_ArrayForEach(f, cJSON_GetObjectItem(j, "indicators")) {
			cJSON *x = explain_json(fy, f->string), *row;
			double sum = 0, den = 0, v = val(j, f->string);
			int rate = strstr(f->string, "_pct") != NULL;

			CHECK(x != NULL);
			if (!x)
				continue;
			cJSON_ArrayForEach(row, cJSON_GetObjectItem(x, "rows")) {
				sum += cJSON_GetObjectItem(row, "counted")->valuedouble;
				den += !strncmp(f->string, "young", 5)
				       ? cJSON_GetObjectItem(row, "known_band")->valuedouble : 1;
			}
			if (rate && den > 0)
				sum = round(1000.0 * sum / den) / 10.0;
			if (!(rate && den == 0 ? isnan(v) : fabs(sum - v) < 0.0051)) {
				fprintf(stderr, "  FY%d %s: explain sums to %g, figure %g\n", fy,
					f->string, sum, v);
				t_cur_failed = 1;
			}
			/* the explain repeats the figure */
			if (!rate || den > 0)
				CHECK_NEAR(cJSON_GetObjectItem(x, "value")->valuedouble, v, 1e-9);
			cJSON_Delete(x);
		}
		cJSON_Delete(j);
	}
}

TEST(unknown_and_bad_requests)
{
	struct report_opts o = { 2025, "json", "no_such_figure", "en", NULL, 0 };
	struct api_resp out;
	char err[300];

	memset(&out, 0, sizeof(out));
	CHECK(report_render(&hub, &o, &out, err, sizeof(err)) == -2);
	CHECK(strstr(err, "no_such_figure") != NULL);
	o.explain = NULL;
	o.format = "xml";
	CHECK(report_render(&hub, &o, &out, err, sizeof(err)) == -3);
	o.format = "json";
	o.lang = "de";
	CHECK(report_render(&hub, &o, &out, err, sizeof(err)) == -3);
	o.lang = "fr";
	o.fy = 1999;
	CHECK(report_render(&hub, &o, &out, err, sizeof(err)) == -3);
	api_resp_free(&out);
}

/* Minimal RFC 4180 reader: fields of one record from *p (advanced). */
static int csv_record(const char **p, char fields[][128], int max)
{
	int n = 0;

	if (!**p)
		return -1;
	for (;;) {
		size_t o = 0;

		if (**p == '"') {
			(*p)++;
			while (**p && !(**p == '"' && (*p)[1] != '"')) {
				if (**p == '"')
					(*p)++;
				if (o < 127)
					fields[n][o++] = **p;
				(*p)++;
			}
			if (**p == '"')
				(*p)++;
		} else {
			while (**p && **p != ',' && **p != '\r' && **p != '\n') {
				if (o < 127)
					fields[n][o++] = **p;
				(*p)++;
			}
		}
		fields[n][o] = '\0';
		if (n < max - 1)
			n++;
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (**p == '\r' && (*p)[1] == '\n') {
			*p += 2;
			return n;
		}
		return -2;	/* a record must end with CRLF */
	}
}

TEST(csv_matches_json)
{
	char *csv = render(2025, "csv", NULL, NULL), f[8][128];
	cJSON *j = report_json(2025);
	const char *p = csv;
	int rows = 0;

	CHECK(csv && j);
	if (!csv || !j)
		goto out;
	CHECK(csv_record(&p, f, 8) == 3);
	CHECK_STR(f[0], "indicator");
	CHECK_STR(f[1], "value");
	CHECK_STR(f[2], "target");
	for (int n; (n = csv_record(&p, f, 8)) != -1; rows++) {
		char want[64];
		double v = val(j, f[0]), t = field(j, f[0], "target");

		CHECK(n == 3);
		if (n != 3)
			break;
		CHECK(v != -999);
		if (isnan(v))
			CHECK_STR(f[1], "");
		else
			CHECK_NEAR(strtod(f[1], NULL), v, 1e-9);
		if (isnan(t))
			CHECK_STR(f[2], "");
		else {
			snprintf(want, sizeof(want), "%g", t);
			CHECK_STR(f[2], want);
		}
	}
	CHECK(rows == cJSON_GetArraySize(cJSON_GetObjectItem(j, "indicators")));
	CHECK(rows > 50);
out:
	free(csv);
	cJSON_Delete(j);
}

TEST(explain_csv)
{
	char *csv = render(2025, "csv", "sessions", NULL), f[12][128];
	const char *p = csv;
	int n;

	CHECK(csv != NULL);
	if (!csv)
		return;
	CHECK(csv_record(&p, f, 12) == 10);
	CHECK_STR(f[0], "session_id");
	CHECK_STR(f[7], "counted");
	CHECK_STR(f[8], "merged_from");
	CHECK_STR(f[9], "removed");
	CHECK((n = csv_record(&p, f, 12)) == 10);
	CHECK_STR(f[0], "1");
	CHECK_STR(f[1], "2025-04-01T00:00:00-04:00");
	CHECK_STR(f[3], "walk-in");
	free(csv);
}

TEST(html_report)
{
	char *fr = render(2025, "html", NULL, "fr"), *en = render(2025, "html", NULL, "en");
	char *ex = render(2025, "html", "votes", "fr");
	struct report_opts o = { 2025, "html", NULL, "en", "/api/indicators/report.css", 0 };
	struct api_resp out;
	char err[300];

	CHECK(fr && en && ex);
	if (!fr || !en || !ex)
		goto out;
	CHECK(strstr(fr, "<html lang=\"fr\">") != NULL);
	CHECK(strstr(fr, "Taux d&#39;appréciation (%)") != NULL);
	CHECK(strstr(fr, "57,1") != NULL);	/* decimal comma */
	CHECK(strstr(fr, "<style>") != NULL);	/* a file stands alone */
	CHECK(strstr(fr, "<svg") != NULL);
	CHECK(strstr(fr, "Groupe scolaire") != NULL);	/* group.school of web/i18n/fr.json */
	CHECK(strstr(en, "<html lang=\"en\">") != NULL);
	CHECK(strstr(en, "Appreciation rate (%)") != NULL);
	CHECK(strstr(en, "57.1") != NULL);
	CHECK(strstr(en, "School group") != NULL);
	CHECK(strstr(en, "style=") == NULL);	/* no inline style attributes */
	/* a trail in words: its columns and yes/no from web/i18n/fr.json */
	CHECK(strstr(ex, "Vote nº") != NULL && strstr(ex, "rating_id") == NULL);
	CHECK(strstr(ex, "<td>oui</td>") != NULL);
	/* over HTTP: the stylesheet is linked, not inline */
	memset(&out, 0, sizeof(out));
	CHECK(report_render(&hub, &o, &out, err, sizeof(err)) == 0);
	CHECK(out.body && strstr(out.body, "<link rel=\"stylesheet\" href=\"/api/indicators/report.css\">"));
	CHECK(out.body && !strstr(out.body, "<style>"));
	api_resp_free(&out);
out:
	free(fr);
	free(en);
	free(ex);
}

/* Everything the report can print, for the byte comparisons. */
static char *everything(void)
{
	static const char *const fmts[] = { "json", "csv", "html" };
	struct api_resp all;
	cJSON *j = report_json(2025), *f;

	memset(&all, 0, sizeof(all));
	for (int fy = 2024; fy <= 2026; fy++)
		for (int i = 0; i < 3; i++) {
			char *s = render(fy, fmts[i], NULL, i == 2 ? "fr" : "en");

			api_write(&all, s ? s : "ERR", strlen(s ? s : "ERR"));
			free(s);
		}
	CHECK(j != NULL);
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(j, "indicators"))
		for (int i = 0; i < 3; i++) {
			char *s = render(2025, fmts[i], f->string, "en");

			api_write(&all, s ? s : "ERR", strlen(s ? s : "ERR"));
			free(s);
		}
	cJSON_Delete(j);
	return all.body;
}

TEST(reproducible_and_private)
{
	char *one = everything(), *two = everything(), *three;

	CHECK(one && two && !strcmp(one, two));
	CHECK(one && !strstr(one, "ERR"));
	/* nothing personal: names, e-mails, notes, facilitators, file names */
	CHECK(one && !strstr(one, "Alice"));
	CHECK(one && !strstr(one, "example.org"));
	CHECK(one && !strstr(one, "secret"));
	CHECK(one && !strstr(one, "Julie"));
	CHECK(one && !strstr(one, "gcode"));
	/* erase participant 2 as the participation API does: figures and
	 * trails stay byte for byte the same */
	exec("UPDATE participants SET display_name = NULL, email = NULL, postal_area = NULL,"
	     " erased_at = %.0f WHERE id = 2", B + DAY);
	exec("DELETE FROM consents WHERE participant_id = 2");
	three = everything();
	CHECK(one && three && !strcmp(one, three));
	free(one);
	free(two);
	free(three);
}

TEST(api_agrees_with_renderer)
{
	static const char *const queries[] = {
		"fy=2025", "fy=2025&format=csv", "fy=2025-26&format=json&explain=participants",
		"fy=2025&format=csv&explain=votes&lang=en",
	};
	static const char *const direct[][3] = {
		{ "json", NULL, "en" }, { "csv", NULL, "en" }, { "json", "participants", "en" },
		{ "csv", "votes", "en" },
	};

	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		struct api_req req;
		struct api_resp resp;
		char *want = render(2025, direct[i][0], direct[i][1], direct[i][2]);

		memset(&req, 0, sizeof(req));
		memset(&resp, 0, sizeof(resp));
		req.h = &hub;
		req.method = "GET";
		req.path = "/api/indicators";
		req.query = queries[i];
		req.cookie = "";
		req.body = "";
		api_dispatch(&req, &resp, NULL, NULL, "");
		CHECK(resp.status == 200);
		CHECK(want && resp.body && !strcmp(resp.body, want));
		if (i == 1)
			CHECK(resp.ctype && !strncmp(resp.ctype, "text/csv", 8));
		api_resp_free(&resp);
		free(want);
	}
	{
		struct api_req req;
		struct api_resp resp;

		memset(&req, 0, sizeof(req));
		memset(&resp, 0, sizeof(resp));
		req.h = &hub;
		req.method = "GET";
		req.path = "/api/indicators";
		req.query = "fy=2025&explain=nope";
		req.cookie = "";
		req.body = "";
		api_dispatch(&req, &resp, NULL, NULL, "");
		CHECK(resp.status == 404);
		api_resp_free(&resp);
		memset(&resp, 0, sizeof(resp));
		req.query = "fy=abc";
		api_dispatch(&req, &resp, NULL, NULL, "");
		CHECK(resp.status == 400);
		api_resp_free(&resp);
		memset(&resp, 0, sizeof(resp));
		req.path = "/api/indicators/report.css";
		req.query = "";
		api_dispatch(&req, &resp, NULL, NULL, "");
		CHECK(resp.status == 200 && resp.body && !strcmp(resp.body, render_css));
		api_resp_free(&resp);
	}
}

int main(void)
{
	int fd;

	snprintf(dbpath, sizeof(dbpath), "/tmp/test_report-XXXXXX");
	fd = mkstemp(dbpath);
	if (fd < 0)
		return 1;
	close(fd);
	hub.conf = conf_new();
	if (conf_set(hub.conf, "target.sessions.2025", "10", "test") ||
	    conf_set(hub.conf, "target.votes", "100", "test") ||
	    conf_set(hub.conf, "target.appreciation_rate_pct.2024", "70", "test") ||
	    conf_set(hub.conf, "machine.cnc.plug", "tasmota/cnc", "test") ||
	    store_open(&hub, dbpath) || api_init(&hub) || report_init(&hub))
		return 1;
	seed();
	RUN(fiscal_boundaries);
	RUN(fiscal_year_spellings);
	RUN(tz_restored);
	RUN(pure_helpers);
	RUN(fy2025_figures);
	RUN(fy2024_and_fy2026_figures);
	RUN(explain_lists);
	RUN(every_explain_adds_up);
	RUN(unknown_and_bad_requests);
	RUN(csv_matches_json);
	RUN(explain_csv);
	RUN(html_report);
	RUN(reproducible_and_private);
	RUN(api_agrees_with_renderer);
	api_fini(&hub);
	store_close(&hub);
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
