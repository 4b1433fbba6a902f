/*
 * vocab.h — every fixed vocabulary of the hub, written once.
 *
 * Each list is an X-macro: VOCAB_GROUP_TYPE(V, S) calls V("walk-in"),
 * then S, then V("school")…  One list expands into the three places that
 * must agree (as SQLite generates opcodes.h from one list):
 *   - the SQL CHECK constraints of the schema (store/schema.c):
 *       "CHECK(group_type IN (" VOCAB_SQL(VOCAB_GROUP_TYPE) "))"
 *     is one string literal, byte for byte the text that shipped;
 *   - the C validators: the NULL-terminated arrays in vocab.c that the
 *     participation API and the report check input against;
 *   - the JSON the pages read (vocab_json(), GET /api/vocab).
 * Adding a value to a list that feeds a CHECK changes the schema: that
 * needs a migration (a new table definition), never an edit of a shipped
 * one, so those lists are frozen until someone writes it.
 */
#ifndef MLAB_VOCAB_H
#define MLAB_VOCAB_H

struct cJSON;

/* sessions.group_type (CHECK) */
#define VOCAB_GROUP_TYPE(V, S) \
	V("walk-in") S V("school") S V("family") S V("workshop") S V("partner")
/* contributions.kind (CHECK) */
#define VOCAB_CONTRIB_KIND(V, S) \
	V("scan") S V("print") S V("idea") S V("photo") S V("text") S V("code") S V("other")
/* contributions.status (CHECK) */
#define VOCAB_CONTRIB_STATUS(V, S) \
	V("pending") S V("confirmed") S V("rejected")
/* contributions.licence (CHECK since schema 5), SPDX spellings: the six
 * Creative Commons 4.0 licences, CC0, and "none" (not for publication) */
#define VOCAB_LICENCE(V, S) \
	V("CC-BY-4.0") S V("CC-BY-SA-4.0") S V("CC-BY-NC-4.0") S V("CC-BY-NC-SA-4.0") S \
	V("CC-BY-ND-4.0") S V("CC-BY-NC-ND-4.0") S V("CC0-1.0") S V("none")
/* projects.status and projects.visibility (CHECK) */
#define VOCAB_PROJECT_STATUS(V, S) \
	V("planned") S V("active") S V("completed") S V("archived")
#define VOCAB_VISIBILITY(V, S) \
	V("public") S V("internal")
/* consents.purpose and consents.given_by (CHECK) */
#define VOCAB_CONSENT_PURPOSE(V, S) \
	V("contact") S V("photo") S V("publish_name")
#define VOCAB_GIVEN_BY(V, S) \
	V("self") S V("guardian")
/* users.role (CHECK); "none" (ROLE_NONE, the public) is never stored */
#define VOCAB_ROLE(V, S) \
	V("admin") S V("facilitator") S V("kiosk")
/* participants.age_band (no CHECK: older rows may hold other text, which
 * the report lists after these), in age order; the first
 * VOCAB_CHILD_BANDS are children under 14, for whom a parent or guardian
 * gives any consent */
#define VOCAB_AGE_BAND(V, S) \
	V("0-5") S V("6-9") S V("10-13") S V("14-17") S V("18-24") S V("25-34") S \
	V("35-44") S V("45-54") S V("55-64") S V("65+")
#define VOCAB_CHILD_BANDS 3
/* the first VOCAB_MINOR_BANDS are minors (under 18): the kiosk asks a
 * party how many of its others are in each, and counts the rest as
 * VOCAB_ADULT_BROAD */
#define VOCAB_MINOR_BANDS 4
/* bands a check-in may give when the exact age was not: a child (treated
 * as under 14 for consent) or an adult; the report lists them after the
 * standard ones */
#define VOCAB_AGE_BAND_BROAD(V, S) \
	V("0-17") S V("18+")
#define VOCAB_CHILD_BROAD "0-17"
#define VOCAB_ADULT_BROAD "18+"
/* jobs.state (no CHECK): a job under way, then how it ended */
#define VOCAB_JOB_ACTIVE(V, S) \
	V("preparing") S V("printing") S V("paused")
#define VOCAB_JOB_END(V, S) \
	V("finished") S V("failed") S V("cancelled")

/* The body of a SQL IN (…) list, as one string literal: 'a','b','c' */
#define VOCAB_SQL_ITEM(s) "'" s "'"
#define VOCAB_SQL(list) list(VOCAB_SQL_ITEM, ",")
/* Array initialiser items: "a", "b", "c", */
#define VOCAB_C_ITEM(s) s,
#define VOCAB_C(list) list(VOCAB_C_ITEM, )
/* The number of values in a list, as a constant expression */
#define VOCAB_ONE(s) +1
#define VOCAB_COUNT(list) (0 list(VOCAB_ONE, ))

/* Every list with the name it has in the JSON: X(c_name, json_name, LIST) */
#define VOCAB_ALL(X) \
	X(group_types, "group_type", VOCAB_GROUP_TYPE) \
	X(contrib_kinds, "contribution_kind", VOCAB_CONTRIB_KIND) \
	X(contrib_statuses, "contribution_status", VOCAB_CONTRIB_STATUS) \
	X(licences, "licence", VOCAB_LICENCE) \
	X(project_statuses, "project_status", VOCAB_PROJECT_STATUS) \
	X(visibilities, "visibility", VOCAB_VISIBILITY) \
	X(consent_purposes, "consent_purpose", VOCAB_CONSENT_PURPOSE) \
	X(given_by, "given_by", VOCAB_GIVEN_BY) \
	X(roles, "role", VOCAB_ROLE) \
	X(age_bands, "age_band", VOCAB_AGE_BAND) \
	X(age_bands_broad, "age_band_broad", VOCAB_AGE_BAND_BROAD) \
	X(job_active, "job_state_active", VOCAB_JOB_ACTIVE) \
	X(job_end, "job_state_end", VOCAB_JOB_END)

/* vocab_group_types[] = { "walk-in", …, NULL }, one array per list */
#define VOCAB_DECLARE(c, json, list) extern const char *const vocab_##c[];
VOCAB_ALL(VOCAB_DECLARE)
#undef VOCAB_DECLARE

/* The index of s in the NULL-terminated list, or -1 (also for NULL s). */
int vocab_index(const char *const *list, const char *s);

/* 1 when age band b is a child's for consent (one of the first
 * VOCAB_CHILD_BANDS, or VOCAB_CHILD_BROAD), else 0. */
int vocab_child_band(const char *b);

/* The SPDX id for a licence spelled the friendly way ("CC BY 4.0",
 * "cc0", "not for publication" → "none"); NULL when unknown.  The result
 * is a string constant (one of vocab_licences).  Participation checks
 * a contribution's licence with it. */
const char *vocab_licence(const char *s);

/* Every list as one JSON object {"group_type": ["walk-in", …], …,
 * "child_age_bands": ["0-5", "6-9", "10-13", "0-17"],
 * "minor_age_bands": ["0-5", "6-9", "10-13", "14-17"],
 * "adult_age_band": "18+"}; the caller owns it (cJSON_Delete).
 * NULL when memory ran out. */
struct cJSON *vocab_json(void);

#endif
