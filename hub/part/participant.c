/*
 * participant.c — participants with per-purpose consent: check-in,
 * the staff views, the export and erasure a person may ask for.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "net/args.h"
#include "auth/auth.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/vocab.h"
#include "part/participant.h"
#include "part/row.h"
#include "part/session.h"
#include "store/store.h"
#include "net/ws.h"

/* the bands a check-in may give (core/vocab.h): the standard ones, then
 * the broad "0-17" and "18+" for an age not given */
static const char *const age_bands[] = {
	VOCAB_C(VOCAB_AGE_BAND) VOCAB_C(VOCAB_AGE_BAND_BROAD) NULL
};
#define MEMBERS_MAX 50

/* The people a check-in lists by band (a family), as "members" in p. */
static void participant_members_json(struct hub *h, cJSON *p, int64_t id)
{
	static const char q[] =
		"SELECT age_band, n FROM participant_members WHERE participant_id = ?1 ORDER BY rowid";
	sqlite3_stmt *st = store_stmt(h, q);
	cJSON *arr = NULL;

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *m = cJSON_CreateObject();

		if (!arr)
			arr = cJSON_AddArrayToObject(p, "members");
		row_add_text(m, "age_band", st, 0);
		row_add_int(m, "n", st, 1);
		cJSON_AddItemToArray(arr, m);
	}
	sqlite3_reset(st);
}

/* Validate "members": [{"age_band"?, "n"?}, …] (at most MEMBERS_MAX
 * entries, n 1..max, 1 when absent, adding up to max at most: a family is
 * one check-in, bounded as party_size is); *total gets the people they
 * add up to.  0, or -1 after answering 400. */
static int members_read(struct api_resp *resp, const cJSON *list, long long max,
			long long *total)
{
	const cJSON *m;
	char label[40];
	int i = 0;

	*total = 0;
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
	    cJSON_GetArraySize(list) > MEMBERS_MAX)
		return api_error(resp, 400, "members must be an array of 1 to %d {\"age_band\",\"n\"}",
				 MEMBERS_MAX), -1;
	cJSON_ArrayForEach(m, list) {
		const char *band;
		long long n = 1;
		int present;

		if (!cJSON_IsObject(m))
			return api_error(resp, 400, "members[%d] must be an object {\"age_band\",\"n\"}", i), -1;
		snprintf(label, sizeof(label), "members[%d].age_band", i);
		if (args_enum(resp, m, "age_band", label, age_bands, NULL, &band))
			return -1;
		snprintf(label, sizeof(label), "members[%d].n", i);
		if (args_int(resp, m, "n", label, 1, max, &n, &present))
			return -1;
		*total += n;
		i++;
	}
	if (*total > max)
		return api_error(resp, 400, "members add up to %lld people; at most %lld (kiosk.party_max)",
				 *total, max), -1;
	return 0;
}

/* The participant rows matching id, session, text (a part of the name or
 * email given with consent, any case) and [from, to) (check-in time; 0
 * for no bound) as JSON objects appended to arr. */
static void list_where(struct hub *h, cJSON *arr, int64_t id, int64_t session,
		       const char *text, double from, double to, long limit)
{
	static const char q[] =
		"SELECT id, session_id, age_band, postal_area, party_size, display_name, email,"
		" created_at, last_seen, erased_at, purged_at FROM participants"
		" WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL OR session_id = ?2)"
		" AND (?4 IS NULL OR instr(lower(display_name), lower(?4)) OR instr(lower(email), lower(?4)))"
		" AND (?5 IS NULL OR created_at >= ?5) AND (?6 IS NULL OR created_at < ?6)"
		" ORDER BY id DESC LIMIT ?3";
	static const char q_cons[] =
		"SELECT purpose, granted, given_by, text_version, at FROM consents"
		" WHERE participant_id = ?1 ORDER BY id";
	sqlite3_stmt *st = store_stmt(h, q), *cs;

	if (!st)
		return;
	if (id)
		sqlite3_bind_int64(st, 1, id);
	if (session)
		sqlite3_bind_int64(st, 2, session);
	sqlite3_bind_int64(st, 3, limit);
	row_bind_opt_text(st, 4, text);
	if (from > 0)
		sqlite3_bind_double(st, 5, from);
	if (to > 0)
		sqlite3_bind_double(st, 6, to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *p = cJSON_CreateObject(), *c;
		int64_t pid = sqlite3_column_int64(st, 0);

		cJSON_AddNumberToObject(p, "id", (double)pid);
		row_add_int(p, "session_id", st, 1);
		row_add_text(p, "age_band", st, 2);
		row_add_text(p, "postal_area", st, 3);
		row_add_int(p, "party_size", st, 4);
		participant_members_json(h, p, pid);
		row_add_text(p, "display_name", st, 5);
		row_add_text(p, "email", st, 6);
		c = cJSON_AddObjectToObject(p, "consent");
		row_add_time(p, "created_at", st, 7);
		row_add_time(p, "last_seen", st, 8);
		row_add_time(p, "erased_at", st, 9);
		row_add_time(p, "purged_at", st, 10);
		if ((cs = store_stmt(h, q_cons))) {
			sqlite3_bind_int64(cs, 1, pid);
			while (sqlite3_step(cs) == SQLITE_ROW) {
				const char *purpose = (const char *)sqlite3_column_text(cs, 0);

				cJSON_DeleteItemFromObjectCaseSensitive(c, purpose);
				cJSON_AddBoolToObject(c, purpose, sqlite3_column_int(cs, 1));
				cJSON_DeleteItemFromObjectCaseSensitive(c, "given_by");
				cJSON_DeleteItemFromObjectCaseSensitive(c, "version");
				cJSON_DeleteItemFromObjectCaseSensitive(c, "at");
				row_add_text(c, "given_by", cs, 2);
				row_add_text(c, "version", cs, 3);
				row_add_time(c, "at", cs, 4);
			}
			sqlite3_reset(cs);
		}
		cJSON_AddItemToArray(arr, p);
	}
	sqlite3_reset(st);
}

/* The participant rows matching (id, session) as JSON objects appended
 * to arr, with their personal fields (staff only). */
void participant_list_json(struct hub *h, cJSON *arr, int64_t id, int64_t session,
		       long limit)
{
	list_where(h, arr, id, session, NULL, 0, 0, limit);
}

static cJSON *participant_json(struct hub *h, int64_t id)
{
	cJSON *arr = cJSON_CreateArray(), *p = NULL;

	participant_list_json(h, arr, id, 0, 1);
	if (cJSON_GetArraySize(arr))
		p = cJSON_DetachItemFromArray(arr, 0);
	cJSON_Delete(arr);
	return p;
}

/* Keep only the forward sortation area ("G1R") of a Canadian postal
 * code: the least that still says where visitors come from.  0 with out
 * filled, -1 if s is not one. */
static int postal_area(const char *s, char out[4])
{
	char c[3];
	int n = 0;

	for (const char *p = s; *p && n < 3; p++) {
		if (*p == ' ')
			continue;
		c[n++] = (char)toupper((unsigned char)*p);
	}
	if (n < 3 || !isalpha((unsigned char)c[0]) || !isdigit((unsigned char)c[1]) ||
	    !isalpha((unsigned char)c[2]))
		return -1;
	memcpy(out, c, 3);
	out[3] = '\0';
	return 0;
}

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at != s && at[1] && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
	       !strpbrk(s, " \t\r\n<>,;\"");
}

/* Broadcast a check-in: counts to everyone, the row to staff. */
static void participant_changed(struct hub *h, int64_t id, int64_t session, const char *event)
{
	cJSON *o = cJSON_CreateObject(), *s;

	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddItemToObject(o, "participant", participant_json(h, id));
	ws_broadcast(h, "participant", o, WS_STAFF);
	if (session && (s = session_json(h, session, 0))) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "event", "updated");
		cJSON_AddItemToObject(o, "session", s);
		ws_broadcast(h, "session", o, WS_PUBLIC);
	}
}

/* POST /api/participants: check a person (or a party) in.  The kiosk may
 * check in to the open session only and reads nothing back but the id. */
static int participant_post(struct api_req *req, struct api_resp *resp)
{
	static const char ins[] =
		"INSERT INTO participants(session_id, age_band, postal_area, party_size,"
		" display_name, email, created_at, last_seen) VALUES (?1,?2,?3,?4,?5,?6,?7,?7)";
	static const char ins_c[] =
		"INSERT INTO consents(participant_id, purpose, granted, given_by, text_version, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	static const char ins_m[] =
		"INSERT INTO participant_members(participant_id, age_band, n) VALUES (?1, ?2, ?3)";
	static const char q_sess[] =
		"SELECT count(*) FROM sessions WHERE id = ?1 AND removed_at IS NULL";
	struct hub *h = req->h;
	const cJSON *o = req->json, *consent = args_member(o, "consent");
	const cJSON *members = args_member(o, "members"), *m;
	long long people = 0;
	const char *age, *postal, *name, *email, *given_by, *client;
	int granted[VOCAB_COUNT(VOCAB_CONSENT_PURPOSE)] = { 0 }, given[VOCAB_COUNT(VOCAB_CONSENT_PURPOSE)] = { 0 };
	int any = 0, present, ok, made;
	long long session = 0, party = 1;
	char area[4], obj[48], label[40];
	double now = hub_now(), made_at = 0;
	sqlite3_stmt *st;
	int64_t id, open = session_open_id(h);
	cJSON *r;

	if (!cJSON_IsObject(o))
		return api_error(resp, 400, "a JSON object is required");
	if (row_client_seen(req, resp, ROW_PARTICIPANTS, &client))
		return 0;	/* a resend: answered with the first row */
	if (args_int(resp, o, "session_id", NULL, 1, 9e15, &session, &present) ||
	    args_time(resp, o, "made_at", &made_at, &made))
		return 0;
	if (req->role == ROLE_KIOSK) {
		/* the open session, or the one open when a late check-in was made */
		if (session_kiosk(req, resp, present ? session : 0, 1, made, made_at, &open, &now))
			return 0;
		session = open;
	} else if (!present) {
		if (!open)
			return api_error(resp, 409, "no session is open; give session_id");
		session = open;
	}
	if (store_int(h, q_sess, session) == 0)
		return api_error(resp, 400, "session_id: no session %lld", session);
	if (args_enum(resp, o, "age_band", NULL, age_bands, NULL, &age) ||
	    args_str(resp, o, "postal_area", NULL, 10, 0, &postal) ||
	    args_int(resp, o, "party_size", NULL, 1, conf_int(h->conf, "kiosk.party_max"),
		     &party, &present) ||
	    args_str(resp, o, "display_name", NULL, NAME_MAX, 0, &name) ||
	    args_str(resp, o, "email", NULL, EMAIL_MAX, 0, &email) ||
	    members_read(resp, members, conf_int(h->conf, "kiosk.party_max"), &people))
		return 0;
	/* a family lists its people: the party is what they add up to */
	if (people && present && party != people)
		return api_error(resp, 400, "party_size is %lld but members add up to %lld",
				 party, people);
	if (people)
		party = people;
	if (postal && postal_area(postal, area))
		return api_error(resp, 400, "postal_area must be a Canadian postal code or its first 3 characters (G1R)");
	if (consent && !cJSON_IsNull(consent) && !cJSON_IsObject(consent))
		return api_error(resp, 400, "consent must be an object {\"contact\",\"photo\",\"publish_name\"}");
	for (int i = 0; vocab_consent_purposes[i]; i++) {
		snprintf(label, sizeof(label), "consent.%s", vocab_consent_purposes[i]);
		if (args_bool(resp, consent, vocab_consent_purposes[i], label, &granted[i], &given[i]))
			return 0;
		any |= granted[i];
	}
	if (args_enum(resp, consent, "given_by", "consent.given_by",
		     vocab_given_by, NULL, &given_by))
		return 0;
	if (!given_by && args_enum(resp, o, "given_by", NULL,
				  vocab_given_by, "self", &given_by))
		return 0;
	/* personal data only with the consent that covers it */
	if (name && !granted[0] && !granted[2])
		return api_error(resp, 400, "display_name needs consent.publish_name or consent.contact");
	if (email && !granted[0])
		return api_error(resp, 400, "email needs consent.contact");
	if (email && !email_ok(email))
		return api_error(resp, 400, "email is not an email address");
	if (any && age && vocab_child_band(age) && strcmp(given_by, "guardian"))
		return api_error(resp, 400, "consent.given_by must be \"guardian\": a parent or "
				 "guardian consents for a child under 14");
	if (row_sp_begin(h))
		return api_error(resp, 500, "database error");
	if ((st = store_stmt(h, ins))) {
		sqlite3_bind_int64(st, 1, session);
		row_bind_opt_text(st, 2, age);
		row_bind_opt_text(st, 3, postal ? area : NULL);
		sqlite3_bind_int64(st, 4, party);
		row_bind_opt_text(st, 5, name);
		row_bind_opt_text(st, 6, email);
		sqlite3_bind_double(st, 7, now);
	}
	ok = row_step(h, st) == 0;
	id = ok ? row_last_id(h) : 0;
	ok = ok && row_client_keep(h, ROW_PARTICIPANTS, id, client) == 0;
	for (int i = 0; ok && vocab_consent_purposes[i]; i++) {
		if (!given[i])
			continue;
		if (!(st = store_stmt(h, ins_c))) {
			ok = 0;
			break;
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, vocab_consent_purposes[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, granted[i]);
		sqlite3_bind_text(st, 4, given_by, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, conf_str(h->conf, "privacy.consent_version"), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 6, now);
		ok = row_step(h, st) == 0;
	}
	if (people) {
		cJSON_ArrayForEach(m, members) {
			const cJSON *b = args_member(m, "age_band"), *n = args_member(m, "n");

			if (!ok || !(st = store_stmt(h, ins_m))) {
				ok = 0;
				break;
			}
			sqlite3_bind_int64(st, 1, id);
			row_bind_opt_text(st, 2, cJSON_IsString(b) && *b->valuestring ? b->valuestring : NULL);
			sqlite3_bind_int64(st, 3, cJSON_IsNumber(n) ? (int64_t)n->valuedouble : 1);
			ok = row_step(h, st) == 0;
		}
	}
	row_sp_end(h, ok);
	if (!ok)
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "participant/%lld", (long long)id);
	api_audit(req, "participant.checkin", obj, any ? "with consent" : "anonymous");
	if (args_commit(req, resp))
		return 0;
	participant_changed(h, id, session, "checked_in");
	r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "id", (double)id);
	cJSON_AddNumberToObject(r, "session_id", (double)session);
	return api_json(resp, 201, r);
}

/* GET /api/participants[?session_id=N][&q=TEXT][&from=T][&to=T][&limit=N]
 * (staff), newest first.  A search by name or email (q) is a look at
 * personal data: it is audit-logged (what was searched stays out of the
 * log, which outlives an erasure). */
static int participant_get_all(struct api_req *req, struct api_resp *resp)
{
	int64_t session = 0;
	long limit = 10000;
	char text[EMAIL_MAX + 1] = "";
	int bad = 0;
	double from = api_time_arg(req, "from", 0, &bad);
	double to = api_time_arg(req, "to", 0, &bad);
	cJSON *o, *arr;

	if (args_query_id(req, "session_id", &session) < 0)
		return api_error(resp, 400, "session_id must be a session id");
	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	if (args_limit(req, resp, "limit", 10000, &limit))
		return 0;
	if (api_query(req, "q", text, sizeof(text)) == 0 && text[0] && strlen(text) < 2)
		return api_error(resp, 400, "q must be at least 2 characters");
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "participants");
	list_where(req->h, arr, 0, session, text[0] ? text : NULL, from, to, limit);
	if (text[0]) {
		char detail[48];

		snprintf(detail, sizeof(detail), "%d found", cJSON_GetArraySize(arr));
		api_audit(req, "participant.search", "participants", detail);
		if (args_commit(req, resp)) {
			cJSON_Delete(o);
			return 0;
		}
	}
	return api_json(resp, 200, o);
}

static int participant_get(struct api_req *req, struct api_resp *resp)
{
	int64_t id = args_path_id(req, 0);
	cJSON *p = id ? participant_json(req->h, id) : NULL;

	if (!p)
		return api_error(resp, 404, "no such participant");
	return api_json(resp, 200, p);
}


/* GET /api/participants/{id}/export: everything held about the person. */
static int participant_get_export(struct api_req *req, struct api_resp *resp)
{
	static const char q_cons[] =
		"SELECT purpose, granted, given_by, text_version, at FROM consents"
		" WHERE participant_id = ?1 ORDER BY id";
	static const char q_audit[] =
		"SELECT ts, user, action, detail FROM audit WHERE object = ?1 ORDER BY id";
	int64_t id = args_path_id(req, 0);
	cJSON *p = id ? participant_json(req->h, id) : NULL, *o, *arr;
	sqlite3_stmt *st;
	char obj[48], iso[40];

	if (!p)
		return api_error(resp, 404, "no such participant");
	snprintf(obj, sizeof(obj), "participant/%lld", (long long)id);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "exported_at", hub_iso(hub_now(), iso, sizeof(iso), 0));
	cJSON_AddStringToObject(o, "controller", conf_str(req->h->conf, "lab.name"));
	cJSON_AddItemToObject(o, "participant", p);
	arr = cJSON_AddArrayToObject(o, "consents");
	if ((st = store_stmt(req->h, q_cons))) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *c = cJSON_CreateObject();

			row_add_text(c, "purpose", st, 0);
			cJSON_AddBoolToObject(c, "granted", sqlite3_column_int(st, 1));
			row_add_text(c, "given_by", st, 2);
			row_add_text(c, "text_version", st, 3);
			row_add_time(c, "at", st, 4);
			cJSON_AddItemToArray(arr, c);
		}
		sqlite3_reset(st);
	}
	cJSON_AddItemToObject(o, "contributions",
			      row_contrib_list(req->h, 0, NULL, 0, 0, NULL, id, 100000));
	cJSON_AddItemToObject(o, "ratings", cJSON_CreateArray());
	cJSON_AddStringToObject(o, "ratings_note", "Appreciation ratings are anonymous: they are "
				"not linked to anyone, so none can be attributed to this person.");
	arr = cJSON_AddArrayToObject(o, "history");
	if ((st = store_stmt(req->h, q_audit))) {
		sqlite3_bind_text(st, 1, obj, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *a = cJSON_CreateObject();

			row_add_time(a, "ts", st, 0);
			row_add_text(a, "by", st, 1);
			row_add_text(a, "action", st, 2);
			row_add_text(a, "detail", st, 3);
			cJSON_AddItemToArray(arr, a);
		}
		sqlite3_reset(st);
	}
	api_audit(req, "participant.export", obj, NULL);
	if (args_commit(req, resp)) {
		cJSON_Delete(o);
		return 0;
	}
	api_header(resp, "Content-Disposition", "attachment; filename=\"participant.json\"");
	return api_json(resp, 200, o);
}

/* DELETE /api/participants/{id}: erase the personal fields; the
 * anonymous row (session, age band, party size) stays for the counts. */
static int participant_delete(struct api_req *req, struct api_resp *resp)
{
	static const char upd[] =
		"UPDATE participants SET display_name = NULL, email = NULL, postal_area = NULL,"
		" erased_at = coalesce(erased_at, ?2) WHERE id = ?1";
	int64_t id = args_path_id(req, 0), session;
	cJSON *p = id ? participant_json(req->h, id) : NULL, *r;
	sqlite3_stmt *st;
	char obj[48];

	if (!p)
		return api_error(resp, 404, "no such participant");
	session = cJSON_IsNumber(args_member(p, "session_id")) ?
		  (int64_t)args_member(p, "session_id")->valuedouble : 0;
	cJSON_Delete(p);
	if (!(st = store_stmt(req->h, upd)))
		return api_error(resp, 500, "database error");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_double(st, 2, hub_now());
	if (row_step(req->h, st))
		return api_error(resp, 500, "database error");
	snprintf(obj, sizeof(obj), "participant/%lld", (long long)id);
	api_audit(req, "participant.erase", obj, NULL);
	if (args_commit(req, resp))
		return 0;
	/* secure_delete zeroed the old values in the database pages; the
	 * write-ahead log still holds them until a checkpoint */
	store_checkpoint(req->h);
	participant_changed(req->h, id, session > 0 ? session : 0, "erased");
	r = participant_json(req->h, id);
	return api_json(resp, 200, r);
}

static const struct api_route participant_routes[] = {
	{ "GET", "/api/participants", ROLE_FACILITATOR, participant_get_all },
	{ "POST", "/api/participants", ROLE_KIOSK, participant_post },
	{ "GET", "/api/participants/*", ROLE_FACILITATOR, participant_get },
	{ "DELETE", "/api/participants/*", ROLE_FACILITATOR, participant_delete },
	{ "GET", "/api/participants/*/export", ROLE_FACILITATOR, participant_get_export },
	{ NULL, NULL, 0, NULL },
};

int participant_init(struct hub *h)
{
	return api_register(h, participant_routes);
}
