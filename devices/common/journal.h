/*
 * journal.h — an fsync'd, append-only journal of events awaiting the hub's
 * acknowledgement, so that events survive crashes, reboots and outages.
 *
 * File format (text, one record per line):
 *   S <next_seq> <acked>     state header, first line after compaction
 *   E <seq> <json>           an event, JSON on one line
 *   A <seq>                  the hub acknowledged every event <= seq
 * Loading replays the lines; a torn last line (crash mid-write) is ignored.
 * When events are acknowledged the file is rewritten with only what is
 * still pending (write to a temporary, fsync, rename, fsync the folder).
 * Used by one thread only.
 */
#ifndef MLAB_DEV_JOURNAL_H
#define MLAB_DEV_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct journal_ev {
	int64_t seq;
	char *json;		/* owned by the journal */
};

struct journal {
	char *path;		/* owned */
	int fd;
	int64_t next_seq;	/* seq the next event gets, >= 1 */
	int64_t acked;		/* highest acknowledged seq, 0 = none */
	struct journal_ev *ev;	/* pending events, seq ascending */
	size_t n, cap;
};

/* Open or create path and load it.  Returns 0, or -1 (logged). */
int journal_open(struct journal *j, const char *path);
/* Append an event under seq j->next_seq (the JSON must carry that seq),
 * then advance next_seq; json is copied.  Returns 0 once it is on disk,
 * -1 (logged). */
int journal_append(struct journal *j, const char *json);
/* The acknowledgement seq; drops events <= seq, compacts the file.  A seq
 * beyond the last event moves next_seq past it (the hub knows more than
 * this journal, e.g. after the state folder was lost).  Returns 0 or -1. */
int journal_ack(struct journal *j, int64_t seq);
void journal_close(struct journal *j);

#endif
