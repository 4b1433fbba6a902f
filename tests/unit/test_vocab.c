/*
 * test_vocab.c — the vocabularies of core/vocab.h and what is generated
 * from them: the SQL CHECK text (byte for byte what shipped, and what a
 * fresh database holds), the C validators (the arrays, vocab_index, the
 * licence and role parsers, the report's lists) and the JSON of
 * GET /api/vocab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "auth/auth.h"
#include "net/api.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/vocab.h"
#include "part/part.h"
#include "report/year.h"
#include "store/store.h"
#include "t.h"

/* The CHECK lists as the shipped migrations have them (licences: schema
 * 5): changing a list that feeds a CHECK must fail here (it needs a new
 * migration). */
TEST(sql_text_is_what_shipped)
{
	CHECK_STR(VOCAB_SQL(VOCAB_GROUP_TYPE), "'walk-in','school','family','workshop','partner'");
	CHECK_STR(VOCAB_SQL(VOCAB_CONTRIB_KIND), "'scan','print','idea','photo','text','code','other'");
	CHECK_STR(VOCAB_SQL(VOCAB_CONTRIB_STATUS), "'pending','confirmed','rejected'");
	CHECK_STR(VOCAB_SQL(VOCAB_LICENCE), "'CC-BY-4.0','CC-BY-SA-4.0','CC-BY-NC-4.0',"
		  "'CC-BY-NC-SA-4.0','CC-BY-ND-4.0','CC-BY-NC-ND-4.0','CC0-1.0','none'");
	CHECK_STR(VOCAB_SQL(VOCAB_PROJECT_STATUS), "'planned','active','completed','archived'");
	CHECK_STR(VOCAB_SQL(VOCAB_VISIBILITY), "'public','internal'");
	CHECK_STR(VOCAB_SQL(VOCAB_CONSENT_PURPOSE), "'contact','photo','publish_name'");
	CHECK_STR(VOCAB_SQL(VOCAB_GIVEN_BY), "'self','guardian'");
	CHECK_STR(VOCAB_SQL(VOCAB_ROLE), "'admin','facilitator','kiosk'");
}

static int count(const char *const *list)
{
	int n = 0;

	while (list[n])
		n++;
	return n;
}

/* Every array: as long as its list, no value twice, each found where it
 * is; unknown text, other case and NULL are not found. */
TEST(arrays_and_index)
{
#define LEN(c, json, list) CHECK(count(vocab_##c) == VOCAB_COUNT(list));
	VOCAB_ALL(LEN)
#undef LEN
	static const char *const *const all[] = {
#define PTR(c, json, list) vocab_##c,
		VOCAB_ALL(PTR)
#undef PTR
	};

	for (size_t l = 0; l < sizeof(all) / sizeof(all[0]); l++) {
		CHECK(count(all[l]) > 0);
		for (int i = 0; all[l][i]; i++)
			CHECK(vocab_index(all[l], all[l][i]) == i);
		CHECK(vocab_index(all[l], "bogus") == -1);
		CHECK(vocab_index(all[l], "") == -1);
		CHECK(vocab_index(all[l], NULL) == -1);
	}
	CHECK(vocab_index(vocab_group_types, "Walk-in") == -1);
	CHECK(vocab_index(vocab_group_types, "walk-in ") == -1);
	CHECK(vocab_index(vocab_age_bands, "10-13") < VOCAB_CHILD_BANDS);
	CHECK(vocab_index(vocab_age_bands, "14-17") == VOCAB_CHILD_BANDS);
	CHECK(VOCAB_CHILD_BANDS < VOCAB_COUNT(VOCAB_AGE_BAND));
	CHECK(vocab_child_band("0-5") && vocab_child_band("10-13") && vocab_child_band("0-17"));
	CHECK(!vocab_child_band("14-17") && !vocab_child_band("18+") && !vocab_child_band("65+"));
	CHECK(!vocab_child_band("6-12") && !vocab_child_band("") && !vocab_child_band(NULL));
	CHECK(vocab_index(vocab_age_bands_broad, VOCAB_CHILD_BROAD) >= 0);
	/* the minors end at 17, the adults' broad band starts at 18 */
	CHECK(VOCAB_CHILD_BANDS < VOCAB_MINOR_BANDS && VOCAB_MINOR_BANDS < VOCAB_COUNT(VOCAB_AGE_BAND));
	CHECK_STR(vocab_age_bands[VOCAB_MINOR_BANDS - 1], "14-17");
	CHECK_STR(vocab_age_bands[VOCAB_MINOR_BANDS], "18-24");
	CHECK(vocab_index(vocab_age_bands_broad, VOCAB_ADULT_BROAD) >= 0);
	CHECK(!vocab_child_band(VOCAB_ADULT_BROAD));
}

/* The parsers that map other spellings onto a list give back its values. */
TEST(parsers_agree)
{
	for (int i = 0; vocab_licences[i]; i++)
		CHECK_STR(vocab_licence(vocab_licences[i]), vocab_licences[i]);
	for (int i = 0; vocab_roles[i]; i++) {
		int r = auth_role_parse(vocab_roles[i]);

		CHECK(r != ROLE_NONE);
		CHECK_STR(auth_role_name(r), vocab_roles[i]);
	}
	CHECK(auth_role_parse("none") == ROLE_NONE);
}

/* The report counts by the same lists ("none" ends the groups). */
TEST(report_lists)
{
	CHECK(NGROUPS == count(vocab_group_types) + 1);
	for (int i = 0; i < NGROUPS - 1; i++)
		CHECK_STR(year_groups[i], vocab_group_types[i]);
	CHECK_STR(year_groups[NGROUPS - 1], "none");
	CHECK(NKINDS == count(vocab_contrib_kinds));
	for (int i = 0; i < NKINDS; i++)
		CHECK_STR(year_kinds[i], vocab_contrib_kinds[i]);
	CHECK(NLICENCES == count(vocab_licences));
	for (int i = 0; i < NLICENCES; i++)
		CHECK_STR(year_licences[i], vocab_licences[i]);
	CHECK(NSTD_BANDS == count(vocab_age_bands));
	for (int i = 0; i < NSTD_BANDS; i++)
		CHECK_STR(year_std_bands[i], vocab_age_bands[i]);
}

static void check_json_list(const cJSON *o, const char *name, const char *const *list, int n)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, name);
	int i = 0;

	CHECK(cJSON_IsArray(a));
	CHECK(cJSON_GetArraySize(a) == n);
	for (const cJSON *e = a ? a->child : NULL; e; e = e->next, i++)
		CHECK(cJSON_IsString(e) && i < n && !strcmp(e->valuestring, list[i]));
}

TEST(json)
{
	cJSON *o = vocab_json();
	int nkeys = 0;

	CHECK(o != NULL);
	if (!o)
		return;
#define JS(c, json, list) check_json_list(o, json, vocab_##c, VOCAB_COUNT(list)); nkeys++;
	VOCAB_ALL(JS)
#undef JS
	{
		static const char *const child[] = { "0-5", "6-9", "10-13", "0-17", NULL };

		static const char *const minor[] = { "0-5", "6-9", "10-13", "14-17", NULL };
		const cJSON *adult = cJSON_GetObjectItemCaseSensitive(o, "adult_age_band");

		check_json_list(o, "child_age_bands", child, 4);
		check_json_list(o, "minor_age_bands", minor, 4);
		CHECK(cJSON_IsString(adult) && !strcmp(adult->valuestring, "18+"));
	}
	CHECK(cJSON_GetArraySize(o) == nkeys + 3);
	cJSON_Delete(o);
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* A fresh database holds the generated CHECK text, and SQLite accepts
 * exactly what the C validators accept. */
TEST(schema_agrees)
{
	static const struct { const char *table, *check; } want[] = {
		{ "users", "CHECK(role IN (" VOCAB_SQL(VOCAB_ROLE) "))" },
		{ "projects", "CHECK(status IN (" VOCAB_SQL(VOCAB_PROJECT_STATUS) "))" },
		{ "projects", "CHECK(visibility IN (" VOCAB_SQL(VOCAB_VISIBILITY) "))" },
		{ "sessions", "CHECK(group_type IN (" VOCAB_SQL(VOCAB_GROUP_TYPE) "))" },
		{ "consents", "CHECK(purpose IN (" VOCAB_SQL(VOCAB_CONSENT_PURPOSE) "))" },
		{ "consents", "CHECK(given_by IN (" VOCAB_SQL(VOCAB_GIVEN_BY) "))" },
		{ "contributions", "CHECK(kind IN (" VOCAB_SQL(VOCAB_CONTRIB_KIND) "))" },
		{ "contributions", "CHECK(licence IN (" VOCAB_SQL(VOCAB_LICENCE) "))" },
		{ "contributions", "CHECK(status IN (" VOCAB_SQL(VOCAB_CONTRIB_STATUS) "))" },
	};
	char dir[] = "/tmp/test_vocab-XXXXXX", path[64], sql[256];
	struct hub *h = calloc(1, sizeof(*h));
	sqlite3 *db;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	h->conf = conf_new();
	CHECK(store_open(h, path) == 0);
	db = store_db(h);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		sqlite3_stmt *st;
		const unsigned char *t = NULL;

		sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
				   -1, &st, NULL);
		sqlite3_bind_text(st, 1, want[i].table, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			t = sqlite3_column_text(st, 0);
		CHECK(t && strstr((const char *)t, want[i].check));
		sqlite3_finalize(st);
	}
	for (int i = 0; vocab_group_types[i]; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO sessions(started_at, group_type) VALUES (1, '%s')",
			 vocab_group_types[i]);
		CHECK(exec(db, sql) == 0);
	}
	CHECK(exec(db, "INSERT INTO sessions(started_at, group_type) VALUES (1, 'bogus')") < 0);
	for (int i = 0; vocab_contrib_kinds[i]; i++)
		for (int j = 0; vocab_licences[j]; j++) {
			snprintf(sql, sizeof(sql), "INSERT INTO contributions(kind, title, licence,"
				 " created_at) VALUES ('%s', 't', '%s', 1)",
				 vocab_contrib_kinds[i], vocab_licences[j]);
			CHECK(exec(db, sql) == 0);
		}
	CHECK(exec(db, "INSERT INTO contributions(kind, title, created_at) VALUES ('Scan', 't', 1)") < 0);
	CHECK(exec(db, "INSERT INTO contributions(kind, title, licence, created_at)"
		       " VALUES ('scan', 't', 'CC-BY', 1)") < 0);
	store_close(h);
	conf_free(h->conf);
	free(h);
	unlink(path);
	snprintf(sql, sizeof(sql), "%s-wal", path);
	unlink(sql);
	snprintf(sql, sizeof(sql), "%s-shm", path);
	unlink(sql);
	rmdir(dir);
}

int main(void)
{
	RUN(sql_text_is_what_shipped);
	RUN(arrays_and_index);
	RUN(parsers_agree);
	RUN(report_lists);
	RUN(json);
	RUN(schema_agrees);
	return t_done();
}
