/*
 * central.c — the network side: every lab's facts, stored idempotently,
 * acknowledged per site with the gapless watermark.
 *
 * A fact {"seq":N,"boot":B,"key":K,"type":T,"state":{…}} on
 * mlab/v1/net/<site>/fact is stored once on (site, boot, seq); the site's
 * watermark W (net_sites) then advances over every consecutive stored
 * seq of its current numbering, holes hold it, a new boot starts W again
 * at base-1 or 0 (docs/network.md, the same rule as devices' events).
 * After the group commit that stored them — never before — the network
 * publishes {"seq":W,"boot":B} on mlab/v1/net/<site>/ack, with "missing"
 * ranges when facts above a hole are stored.  A failed commit publishes
 * nothing: the lab resends.  Which state counts is decided when figures
 * are made (sum.c): the highest seq per key, whatever the arrival order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/hub.h"
#include "core/log.h"
#include "fed/fed.h"
#include "fed/fedi.h"
#include "mqtt/mqtt.h"
#include "store/store.h"

/* Note site as one to acknowledge after the commit.  0 or -1. */
static int mark_dirty(struct fed *f, const char *site)
{
	for (int i = 0; i < f->ndirty; i++)
		if (!strcmp(f->dirty[i], site))
			return 0;
	if (f->ndirty == f->cap) {
		int cap = f->cap ? f->cap * 2 : 16;
		void *n = realloc(f->dirty, (size_t)cap * sizeof(*f->dirty));

		if (!n)
			return -1;
		f->dirty = n;
		f->cap = cap;
	}
	snprintf(f->dirty[f->ndirty++], sizeof(f->dirty[0]), "%s", site);
	return 0;
}

static int boot_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > 32)
		return 0;
	return fed_site_ok(s) || !n;
}

/* Apply the watermark rule for one stored (or duplicate) fact. 0 or -1. */
static int advance(struct hub *h, const char *site, const char *boot, long long base,
		   long long seq, const char *type, double at)
{
	static const char get[] = "SELECT boot, w FROM net_sites WHERE site = ?1";
	static const char has[] =
		"SELECT 1 FROM net_rx WHERE site = ?1 AND boot = ?2 AND seq = ?3";
	static const char put[] =
		"INSERT OR REPLACE INTO net_sites(site, boot, w, last_seq, last_type, last_at, received)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *st = store_stmt(h, get);
	long long w = 0;
	char cur[40] = "";
	int known = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		known = 1;
		snprintf(cur, sizeof(cur), "%s", (const char *)sqlite3_column_text(st, 0));
		w = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (known && strcmp(cur, boot)) {
		/* an older numbering's late fact: stored, not acknowledged */
		return 0;
	}
	if (!known)
		snprintf(cur, sizeof(cur), "%s", boot);
	if (base > 0 && base - 1 > w)
		w = base - 1;
	for (;;) {
		int found;

		if (!(st = store_stmt(h, has)))
			return -1;
		sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cur, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, w + 1);
		found = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		if (!found)
			break;
		w++;
	}
	if (!(st = store_stmt(h, put)))
		return -1;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cur, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, w);
	sqlite3_bind_int64(st, 4, seq);
	sqlite3_bind_text(st, 5, type, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 6, at);
	sqlite3_bind_double(st, 7, hub_now());
	return store_exec(h, st) == SQLITE_DONE ? 0 : -1;
}

/* A fact from site (topic mlab/v1/net/<site>/fact).  Bad input is logged
 * and dropped; nothing else is lost. */
void central_fact(struct hub *h, const char *site, const char *payload, size_t len)
{
	static const char ins[] =
		"INSERT OR IGNORE INTO net_rx(site, boot, seq, key, type, state, at, received)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char newer[] =
		"SELECT 1 FROM net_sites WHERE site = ?1 AND boot <> ?2";
	cJSON *o = cJSON_ParseWithLength(payload, len);
	const cJSON *seq = cJSON_GetObjectItem(o, "seq"), *boot = cJSON_GetObjectItem(o, "boot");
	const cJSON *key = cJSON_GetObjectItem(o, "key"), *type = cJSON_GetObjectItem(o, "type");
	const cJSON *state = cJSON_GetObjectItem(o, "state"), *at = cJSON_GetObjectItem(o, "at");
	const cJSON *base = cJSON_GetObjectItem(o, "base");
	const char *b = cJSON_IsString(boot) ? boot->valuestring : "";
	sqlite3_stmt *st;
	char *text = NULL;

	if (!fed_site_ok(site) || !cJSON_IsNumber(seq) || seq->valuedouble < 1 ||
	    seq->valuedouble > 9e15 || (boot && !cJSON_IsString(boot)) || !boot_ok(b) ||
	    !cJSON_IsString(key) || strlen(key->valuestring) > 128 || !cJSON_IsString(type) ||
	    strlen(type->valuestring) > 32 || !cJSON_IsObject(state) ||
	    !(text = cJSON_PrintUnformatted(state))) {
		LOG(L_WARN, "net: a malformed fact from site '%.64s': dropped", site);
		h->stats.msgs_bad++;
		goto out;
	}
	/* a new numbering replaces the site's current one */
	if ((st = store_stmt(h, newer))) {
		sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			static const char renum[] =
				"UPDATE net_sites SET boot = ?2, w = 0 WHERE site = ?1"
				" AND NOT EXISTS (SELECT 1 FROM net_rx WHERE site = ?1 AND boot = ?2)";

			sqlite3_reset(st);
			if ((st = store_stmt(h, renum))) {
				sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
				sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
				store_exec(h, st);
			}
		} else {
			sqlite3_reset(st);
		}
	}
	if (!(st = store_stmt(h, ins)))
		goto out;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (long long)seq->valuedouble);
	sqlite3_bind_text(st, 4, key->valuestring, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, type->valuestring, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, cJSON_IsNumber(at) ? at->valuedouble : 0);
	sqlite3_bind_double(st, 8, hub_now());
	if (store_exec(h, st) != SQLITE_DONE)
		goto out;
	if (sqlite3_changes(store_db(h)))
		h->stats.events_stored++;
	else
		h->stats.events_duplicate++;
	if (!advance(h, site, b, cJSON_IsNumber(base) ? (long long)base->valuedouble : 0,
		     (long long)seq->valuedouble, type->valuestring,
		     cJSON_IsNumber(at) ? at->valuedouble : 0))
		mark_dirty(h->fed, site);
out:
	free(text);
	cJSON_Delete(o);
}

/* The ack of one site as it is on disk: {"seq":W,"boot":B,"missing":…}. */
static void send_ack(struct hub *h, const char *site)
{
	static const char get[] = "SELECT boot, w FROM net_sites WHERE site = ?1";
	static const char above[] =
		"SELECT seq FROM net_rx WHERE site = ?1 AND boot = ?2 AND seq > ?3 ORDER BY seq";
	sqlite3_stmt *st = store_stmt(h, get);
	char boot[40], topic[128], *s;
	long long w, next;
	cJSON *o, *miss;
	int n = 0;

	if (!st)
		return;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return;
	}
	snprintf(boot, sizeof(boot), "%s", (const char *)sqlite3_column_text(st, 0));
	w = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)w);
	cJSON_AddStringToObject(o, "boot", boot);
	miss = cJSON_CreateArray();
	if ((st = store_stmt(h, above))) {
		sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, boot, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, w);
		next = w + 1;
		while (n < FED_MISSING_MAX && sqlite3_step(st) == SQLITE_ROW) {
			long long q = sqlite3_column_int64(st, 0);

			if (q > next) {
				cJSON *r = cJSON_CreateArray();

				cJSON_AddItemToArray(r, cJSON_CreateNumber((double)next));
				cJSON_AddItemToArray(r, cJSON_CreateNumber((double)(q - 1)));
				cJSON_AddItemToArray(miss, r);
				n++;
			}
			next = q + 1;
		}
		sqlite3_reset(st);
	}
	if (n)
		cJSON_AddItemToObject(o, "missing", miss);
	else
		cJSON_Delete(miss);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	snprintf(topic, sizeof(topic), "%s%s/ack", MQTT_NET, site);
	if (s)
		mqtt_publish(h, 0, topic, s, strlen(s), 1, 0);
	free(s);
}

/* After the commit, never before: the acks of the sites heard from. */
static void committed(struct hub *h, int ok, void *arg)
{
	struct fed *f = h->fed;

	if (!f)
		return;
	for (int i = 0; ok && i < f->ndirty; i++)
		send_ack(h, f->dirty[i]);
	f->ndirty = 0;
}

int central_init(struct hub *h)
{
	if (store_on_commit(h, committed, NULL))
		return -1;
	LOG(L_NOTICE, "net: network hub: collecting mlab/v1/net/+/fact");
	return 0;
}
