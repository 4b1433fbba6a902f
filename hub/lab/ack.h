/*
 * ack.h — the acknowledgement rule for sequenced events, as a watermark
 * and a few ranges, with no I/O (README, "Acknowledged means stored").
 *
 * Per device: the current numbering (boot, "" for devices that send none)
 * and its watermark W, the highest seq such that every seq <= W of that
 * boot is stored.  Seqs stored above a hole are kept as ranges so the
 * watermark can jump over them when the hole is filled, and so an ack can
 * name what is missing.  Two copies are kept: `done`, what is on disk, and
 * `open`, what will be once the open group transaction commits; a failed
 * commit drops `open` back to `done`.
 *
 * At most ACK_RANGES ranges are remembered; past that the highest are
 * forgotten, which is safe: a forgotten seq is just not known to be
 * stored, the device resends it, and the resend (a duplicate in the
 * database) marks it again.  The caller (device.c) decides whether a boot
 * it does not hold is new or an older one, with the database.
 */
#ifndef MLAB_ACK_H
#define MLAB_ACK_H

#include <stddef.h>

#define ACK_BOOT_MAX 32		/* boot id: 1..32 of [A-Za-z0-9._-], or "" */
#define ACK_RANGES 16		/* stored ranges above W kept (= holes an ack names) */
#define ACK_JSON_MAX (96 + ACK_BOOT_MAX + ACK_RANGES * 44)	/* ack_json's longest */

struct ack_mark {
	char boot[ACK_BOOT_MAX + 1];
	long long w;			/* every seq <= w of boot is stored */
	int n;				/* ranges in r */
	long long r[ACK_RANGES][2];	/* stored above w: inclusive, ascending,
					 * with a gap before each (r[0][0] > w + 1) */
};

struct ack {
	struct ack_mark done;		/* committed */
	struct ack_mark open;		/* with the open transaction */
	int dirty;			/* open changed since the last commit */
};

/* What an event of (boot, seq) is to the open state. */
enum {
	ACK_FRESH = 0,		/* current boot, not known to be stored: store it */
	ACK_DUP = 1,		/* current boot, stored already: acknowledge again */
	ACK_OTHER = 2,		/* another boot: a new numbering, or an older one */
};

/* Start from what is on disk: numbering boot, watermark w. */
void ack_load(struct ack *a, const char *boot, long long w);

/* Classify an event (boot, seq) against the open state. */
int ack_check(const struct ack *a, const char *boot, long long seq);

/* A new numbering starts: boot := boot, W := 0, nothing above it. */
void ack_restart(struct ack *a, const char *boot);

/* The device says every seq < base of the current boot is acknowledged or
 * will never be sent: W := max(W, base - 1), then over what is stored. */
void ack_base(struct ack *a, long long base);

/* seq of the current boot is stored (in the open transaction, or was
 * already): W advances over every consecutive stored seq. */
void ack_stored(struct ack *a, long long seq);

/* The group transaction committed (ok = 1: open becomes done) or was
 * rolled back (ok = 0: open goes back to done). */
void ack_commit(struct ack *a, int ok);

/* The ack of m as JSON: {"seq":W,"boot":B,"missing":[[a,b],…]} (no boot
 * for the numbering "", no missing when nothing is stored above W) into
 * buf (ACK_JSON_MAX bytes are always enough).  Returns its length, or -1
 * if it did not fit. */
int ack_json(const struct ack_mark *m, char *buf, size_t len);

#endif
