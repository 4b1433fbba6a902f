/*
 * central.c — the network side: every lab's facts, stored idempotently,
 * acknowledged per site with the gapless watermark.
 *
 * A fact {"seq":N,"boot":B,"key":K,"type":T,"state":{…}} on
 * mlab/v1/net/<site>/fact is stored once on (site, boot, seq); the site's
 * watermark W then advances over every consecutive stored seq of its
 * current numbering, holes hold it, a new boot starts W again at base-1
 * or 0.  The rule is the devices' own, lab/ack.c (a struct ack per site,
 * kept in memory and read back from net_sites and net_rx at first use);
 * the watermark is written to net_sites in the transaction that stores
 * the fact.
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
#include "fed/fedi.h"
#include "fed/central.h"
#include "mqtt/mqtt.h"
#include "store/store.h"

#define CENTRAL_RELOAD_MAX 4096	/* stored seqs above W read back per site */

/* The site's entry, created (and its numbering read from net_sites, with
 * the seqs stored above its watermark) the first time; owned by h->fed.
 * NULL on a database or memory error. */
static struct fed_site *site_get(struct hub *h, const char *site)
{
	static const char get[] = "SELECT boot, w FROM net_sites WHERE site = ?1";
	static const char above[] =
		"SELECT seq FROM net_rx WHERE site = ?1 AND boot = ?2 AND seq > ?3"
		" ORDER BY seq LIMIT ?4";
	struct fed *f = h->fed;
	struct fed_site *s;
	sqlite3_stmt *st;
	char boot[ACK_BOOT_MAX + 1];
	long long w;

	for (int i = 0; i < f->nsites; i++)
		if (!strcmp(f->sites[i].site, site))
			return &f->sites[i];
	if (!(st = store_stmt(h, get)))
		return NULL;
	if (f->nsites == f->cap) {
		int cap = f->cap ? f->cap * 2 : 16;
		void *n = realloc(f->sites, (size_t)cap * sizeof(*f->sites));

		if (!n) {
			sqlite3_reset(st);
			return NULL;
		}
		f->sites = n;
		f->cap = cap;
	}
	s = &f->sites[f->nsites++];
	memset(s, 0, sizeof(*s));
	snprintf(s->site, sizeof(s->site), "%s", site);
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return s;	/* its first fact names the numbering */
	}
	snprintf(boot, sizeof(boot), "%s", (const char *)sqlite3_column_text(st, 0));
	w = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	ack_load(&s->a, boot, w);
	s->known = 1;
	/* seqs stored above a hole: the watermark jumps them once it is filled */
	if (!(st = store_stmt(h, above)))
		return NULL;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, boot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, w);
	sqlite3_bind_int(st, 4, CENTRAL_RELOAD_MAX);
	while (sqlite3_step(st) == SQLITE_ROW)
		ack_stored(&s->a, sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	ack_commit(&s->a, 1);
	return s;
}

/* Has site stored facts of numbering boot?  1, 0, or -1 on error. */
static int boot_seen(struct hub *h, const char *site, const char *boot)
{
	static const char q[] = "SELECT 1 FROM net_rx WHERE site = ?1 AND boot = ?2 LIMIT 1";
	sqlite3_stmt *st = store_stmt(h, q);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, boot, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int boot_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > ACK_BOOT_MAX)
		return 0;
	return fedi_site_ok(s) || !n;
}

/* The site's row as the open transaction leaves it: its numbering, its
 * watermark, the last fact of that numbering.  0 or -1. */
static int save_site(struct hub *h, const struct fed_site *s, long long seq,
		     const char *type, double at)
{
	static const char put[] =
		"INSERT OR REPLACE INTO net_sites(site, boot, w, last_seq, last_type, last_at, received)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *st = store_stmt(h, put);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, s->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->a.open.boot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->a.open.w);
	sqlite3_bind_int64(st, 4, seq);
	sqlite3_bind_text(st, 5, type, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 6, at);
	sqlite3_bind_double(st, 7, hub_now());
	return store_exec(h, st) == SQLITE_DONE ? 0 : -1;
}

/* A fact from site (topic mlab/v1/net/<site>/fact), under the devices'
 * rule (lab/ack.h): a fact of the site's numbering is stored and moves
 * the watermark; one of another numbering starts a new one, unless facts
 * of it are stored already (an older numbering's late fact: stored, never
 * acknowledged).  Bad input is logged and dropped; nothing else is lost. */
void central_fact(struct hub *h, const char *site, const char *payload, size_t len)
{
	static const char ins[] =
		"INSERT OR IGNORE INTO net_rx(site, boot, seq, key, type, state, at, received)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	cJSON *o = cJSON_ParseWithLength(payload, len);
	const cJSON *seq = cJSON_GetObjectItem(o, "seq"), *boot = cJSON_GetObjectItem(o, "boot");
	const cJSON *key = cJSON_GetObjectItem(o, "key"), *type = cJSON_GetObjectItem(o, "type");
	const cJSON *state = cJSON_GetObjectItem(o, "state"), *at = cJSON_GetObjectItem(o, "at");
	const cJSON *base = cJSON_GetObjectItem(o, "base");
	const char *b = cJSON_IsString(boot) ? boot->valuestring : "";
	double when = cJSON_IsNumber(at) ? at->valuedouble : 0;
	struct fed_site *s;
	sqlite3_stmt *st;
	char *text = NULL;
	long long n;
	int older = 0;

	if (!fedi_site_ok(site) || !cJSON_IsNumber(seq) || seq->valuedouble < 1 ||
	    seq->valuedouble > 9e15 || (boot && !cJSON_IsString(boot)) || !boot_ok(b) ||
	    !cJSON_IsString(key) || strlen(key->valuestring) > 128 || !cJSON_IsString(type) ||
	    strlen(type->valuestring) > 32 || !cJSON_IsObject(state) ||
	    !(text = cJSON_PrintUnformatted(state))) {
		LOG(L_WARN, "net: a malformed fact from site '%.64s': dropped", site);
		h->stats.msgs_bad++;
		goto out;
	}
	n = (long long)seq->valuedouble;
	if (!(s = site_get(h, site)))
		goto out;
	if (!s->known) {
		ack_load(&s->a, b, 0);
		s->known = 1;
	}
	if (ack_check(&s->a, b, n) == ACK_OTHER) {
		if ((older = boot_seen(h, site, b)) < 0)
			goto out;
		if (!older) {
			LOG(L_INFO, "net: site %s starts numbering \"%s\" (was \"%s\", acknowledged to %lld)",
			    site, b, s->a.open.boot, s->a.open.w);
			ack_restart(&s->a, b);
		}
	}
	if (!older && cJSON_IsNumber(base) && base->valuedouble >= 1 && base->valuedouble <= 9e15)
		ack_base(&s->a, (long long)base->valuedouble);
	if (!(st = store_stmt(h, ins)))
		goto out;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n);
	sqlite3_bind_text(st, 4, key->valuestring, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, type->valuestring, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, when);
	sqlite3_bind_double(st, 8, hub_now());
	if (store_exec(h, st) != SQLITE_DONE)
		goto out;
	if (sqlite3_changes(store_db(h)))
		h->stats.events_stored++;
	else
		h->stats.events_duplicate++;
	/* stored now or before: on disk once this transaction is */
	if (!older) {
		ack_stored(&s->a, n);
		if (!save_site(h, s, n, type->valuestring, when))
			s->pending = 1;
	}
out:
	free(text);
	cJSON_Delete(o);
}

/* After the commit, never before: each site's watermark settles (or goes
 * back to what is on disk when the commit failed) and the sites heard
 * from get {"seq":W,"boot":B[,"missing":…]} on mlab/v1/net/<site>/ack. */
static void committed(struct hub *h, int ok, void *arg)
{
	struct fed *f = h->fed;
	char topic[128], body[ACK_JSON_MAX];

	if (!f)
		return;
	for (int i = 0; i < f->nsites; i++) {
		struct fed_site *s = &f->sites[i];
		int n;

		ack_commit(&s->a, ok);
		if (!s->pending)
			continue;
		s->pending = 0;
		if (!ok || (n = ack_json(&s->a.done, body, sizeof(body))) < 0)
			continue;	/* nothing acknowledged: the lab resends */
		snprintf(topic, sizeof(topic), "%s%s/ack", MQTT_NET, s->site);
		mqtt_publish(h, 0, topic, body, (size_t)n, 1, 0);
	}
}

int central_init(struct hub *h)
{
	if (store_on_commit(h, committed, NULL))
		return -1;
	LOG(L_NOTICE, "net: network hub: collecting mlab/v1/net/+/fact");
	return 0;
}
