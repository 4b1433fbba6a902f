/*
 * event.c — sequenced device events on disk, under the acknowledgement
 * rule (ack.h; README, "Acknowledged means stored").
 *
 * An event of the device's current numbering (boot) is stored unless it
 * is known to be (seq <= W, or in a range above W), and W moves over what
 * is stored.  An event of another boot starts a new numbering, unless
 * that boot already has events here: then it is an older numbering whose
 * late events are stored if new and never acknowledged.  "base" raises W
 * first.  The watermark is written by the registry's before-commit hook,
 * in the transaction that holds the events; the ack goes out after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hub.h"
#include "core/log.h"
#include "eco/eco.h"
#include "lab/ack.h"
#include "lab/devrec.h"
#include "lab/event.h"
#include "mqtt/mqtt.h"
#include "store/store.h"

#define EVENT_RELOAD_MAX 4096	/* stored seqs above W read back at start */

int event_load(struct hub *h, struct device *d, const char *boot, long long w,
	       int retained)
{
	static const char above[] =
		"SELECT seq FROM events WHERE dev=?1 AND boot=?2 AND seq>?3"
		" ORDER BY seq LIMIT ?4";
	sqlite3_stmt *st;

	if (!d->ack && !(d->ack = malloc(sizeof(*d->ack))))
		return -1;
	ack_load(d->ack, boot, w);
	/* seqs stored above a hole: the watermark jumps them once it is filled */
	if (!(st = store_stmt(h, above)))
		return -1;
	sqlite3_bind_int64(st, 1, d->dev);
	sqlite3_bind_text(st, 2, boot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, w);
	sqlite3_bind_int(st, 4, EVENT_RELOAD_MAX);
	while (sqlite3_step(st) == SQLITE_ROW)
		ack_stored(d->ack, sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	ack_commit(d->ack, 1);
	d->ack_clear = retained;
	return 0;
}

void event_free(struct device *d)
{
	free(d->ack);
	d->ack = NULL;
}

/* Has d stored events of numbering boot?  1, 0, or -1 on error. */
static int boot_seen(struct hub *h, struct device *d, const char *boot)
{
	static const char q[] = "SELECT 1 FROM events WHERE dev=?1 AND boot=?2 LIMIT 1";
	sqlite3_stmt *st = store_stmt(h, q);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, d->dev);
	sqlite3_bind_text(st, 2, boot, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int event_store(struct hub *h, struct device *d, const struct eco_dev *u,
		double ts, double rx, const char *raw, size_t rawlen)
{
	static const char ins[] =
		"INSERT OR IGNORE INTO events(dev, boot, seq, type, ts, rx, body)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *st;
	int what, older = 0;

	if (!d->ack) {	/* never seen: its first event names the numbering */
		if (!(d->ack = malloc(sizeof(*d->ack))))
			return -1;
		ack_load(d->ack, u->boot, 0);
	}
	what = ack_check(d->ack, u->boot, u->seq);
	if (what == ACK_OTHER) {
		if ((older = boot_seen(h, d, u->boot)) < 0)
			return -1;
		if (!older) {
			LOG(L_INFO, "event: %s starts numbering \"%s\" (was \"%s\", acknowledged to %lld)",
			    d->id, u->boot, d->ack->open.boot, d->ack->open.w);
			ack_restart(d->ack, u->boot);
		}
	}
	if (!older) {
		if (u->base)
			ack_base(d->ack, u->base);
		d->ack_pending = 1;	/* new or not, the device hears where it stands */
		if (ack_check(d->ack, u->boot, u->seq) == ACK_DUP)
			/* acks go out after a commit: ask for the events' quick
			 * one, not the telemetry window */
			return store_begin(h) ? -1 : 0;
	}
	if (!(st = store_stmt(h, ins)))
		return -1;
	sqlite3_bind_int64(st, 1, d->dev);
	sqlite3_bind_text(st, 2, u->boot, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, u->seq);
	sqlite3_bind_text(st, 4, u->event, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, ts);
	sqlite3_bind_double(st, 6, rx);
	sqlite3_bind_text(st, 7, raw, (int)rawlen, SQLITE_TRANSIENT);
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	/* stored now, or before (a seq the ranges had forgotten, or one
	 * stored above W before a restart): either way it is on disk once
	 * this transaction is */
	if (!older)
		ack_stored(d->ack, u->seq);
	return sqlite3_changes(store_db(h)) > 0;
}

int event_save(struct hub *h, struct device *d)
{
	static const char put[] =
		"INSERT OR REPLACE INTO event_acks(dev, boot, seq, retained) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st;

	if (!d->ack || !d->ack->dirty)
		return 0;
	if (!(st = store_stmt(h, put)))
		return -1;
	sqlite3_bind_int64(st, 1, d->dev);
	sqlite3_bind_text(st, 2, d->ack->open.boot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d->ack->open.w);
	sqlite3_bind_int(st, 4, d->ack_clear);
	return store_exec(h, st) == SQLITE_DONE ? 0 : -1;
}

static void ack_topic(const struct device *d, char *topic, size_t len)
{
	snprintf(topic, len, "mlab/v1/%s/ack", d->native);
}

int event_clear_retained(struct hub *h, struct device *d)
{
	char topic[ECO_ID_MAX + 32];

	if (!d->ack_clear || !d->ack)
		return 0;
	ack_topic(d, topic, sizeof(topic));
	if (mqtt_publish(h, d->link, topic, "", 0, 1, 1))
		return 0;
	LOG(L_INFO, "event: %s: the retained ack an older hub left is cleared", d->id);
	d->ack_clear = 0;
	d->ack->dirty = 1;	/* its row says so at the next commit */
	return 1;
}

void event_committed(struct hub *h, struct device *d, int ok)
{
	char topic[ECO_ID_MAX + 32], body[ACK_JSON_MAX];
	int n;

	if (d->ack)
		ack_commit(d->ack, ok);
	if (!d->ack_pending)
		return;
	d->ack_pending = 0;
	if (!ok || !d->ack)
		return;	/* lost: nothing is acknowledged, the device resends */
	event_clear_retained(h, d);
	ack_topic(d, topic, sizeof(topic));
	n = ack_json(&d->ack->done, body, sizeof(body));
	if (n > 0)
		mqtt_publish(h, d->link, topic, body, (size_t)n, 1, 0);
}
