/*
 * journal.h — an fsync'd, append-only journal of events awaiting the hub's
 * acknowledgement, so that events survive crashes, reboots and outages.
 *
 * It also keeps the device's numbering (docs/devices.md, "Acknowledgements"):
 * the boot id, created once and kept forever with the file, and the next
 * seq.  Every event stays until an acknowledgement of the same boot covers
 * it, or until the journal holds more than its maximum and the oldest is
 * trimmed; base() then says which seqs below will never be sent.
 *
 * File format (text, one record per line):
 *   S <next_seq> <acked>     state header, first line after compaction
 *   B <boot>                 the numbering's boot id, second line
 *   E <seq> <json>           an event, JSON on one line
 *   A <seq>                  the hub acknowledged every event <= seq
 *   T <seq>                  events <= seq were trimmed unacknowledged
 * Loading replays the lines; a torn last line (crash mid-write) is ignored.
 * When events are acknowledged the file is rewritten with only what is
 * still pending (write to a temporary, fsync, rename, fsync the folder).
 * A journal opened without a path does the same in memory only (mlab-sim).
 * Used by one thread only.
 */
#ifndef MLAB_DEV_JOURNAL_H
#define MLAB_DEV_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "native.h"

struct journal_ev {
	int64_t seq;
	char *json;		/* owned by the journal */
};

struct journal {
	char *path;		/* owned; NULL = in memory only */
	char boot[NATIVE_BOOT_MAX + 1];	/* this device's numbering */
	size_t max;		/* trim the oldest beyond this many, 0 = never */
	int64_t trimmed;	/* events dropped unacknowledged, ever */
	int fd;
	int64_t next_seq;	/* seq the next event gets, >= 1 */
	int64_t acked;		/* highest acknowledged seq, 0 = none */
	struct journal_ev *ev;	/* pending events, seq ascending */
	size_t n, cap;
};

/* Open or create path (NULL: memory only) and load it; a new journal gets
 * a new random boot and starts at seq 1.  A journal written before boot
 * ids gets a boot now, keeps its seq, and its pending events are rewritten
 * to carry it.  Returns 0, or -1 (logged). */
int journal_open(struct journal *j, const char *path);
/* Every seq below this one was acknowledged or will never be sent: the
 * oldest pending event's seq, else next_seq.  Goes into each new event. */
int64_t journal_base(const struct journal *j);
/* Make room for the next event (trimming the oldest if the journal holds
 * max events already) and return its base. */
int64_t journal_next(struct journal *j);
/* Append an event under seq j->next_seq (the JSON must carry that seq, the
 * boot and the base journal_next() returned), then advance next_seq; json
 * is copied.  Returns 0 once it is on disk, -1 (logged). */
int journal_append(struct journal *j, const char *json);
/* The acknowledgement seq of this journal's boot (the caller checks the
 * boot); drops events <= seq, compacts the file.  A seq beyond the last
 * event moves next_seq past it (the hub knows more than this journal, e.g.
 * a hub from before boot ids after the state folder was lost); the next
 * event's base then says so.  Returns 0 or -1. */
int journal_ack(struct journal *j, int64_t seq);
void journal_close(struct journal *j);

#endif
