/*
 * event.h — sequenced device events on disk: stored under the
 * acknowledgement rule (ack.h), the watermark written in the same
 * transaction, the ack published after the commit.  The registry
 * (device.c) calls these; nothing else does.
 *
 * Tables (store.c, schema 6): events(dev, boot, seq, …), unique on
 * (dev, boot, seq); event_acks(dev, boot, seq, retained): per device its
 * current numbering and watermark, and whether a retained ack may be left.
 */
#ifndef MLAB_EVENT_H
#define MLAB_EVENT_H

#include <stddef.h>

struct hub;
struct device;
struct eco_dev;

/* d's numbering as stored (boot, watermark w; retained: an older hub may
 * have left a retained ack), and the seqs stored above w; allocates d->ack
 * (freed by event_free).  0 or -1 (logged). */
int event_load(struct hub *h, struct device *d, const char *boot, long long w,
	       int retained);

/* Store the sequenced event u of d (ts: its time, rx: when received,
 * raw/rawlen: the payload) in the open transaction.  d must already be in
 * the registry's touched list.  Sets d->ack_pending when an ack is due
 * after the commit (the event is of d's current numbering, new or not).
 * Returns 1 if it is new, 0 if it was stored before, -1 on error. */
int event_store(struct hub *h, struct device *d, const struct eco_dev *u,
		double ts, double rx, const char *raw, size_t rawlen);

/* Before the commit: write d's watermark if it moved.  0 or -1. */
int event_save(struct hub *h, struct device *d);

/* After the commit (ok: on disk): settle d's watermark and, if one is
 * due, publish its ack (never after a failed commit: the device resends). */
void event_committed(struct hub *h, struct device *d, int ok);

/* Clear the retained ack an older hub left for d, if its row says there
 * may be one (acks are no longer retained: a stale one would tell a
 * rebooted device that its new events are stored).  Returns 1 when it was
 * cleared now (d's row must be saved: touch it), else 0. */
int event_clear_retained(struct hub *h, struct device *d);

void event_free(struct device *d);

#endif
