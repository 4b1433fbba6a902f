/*
 * snap.h — what the /ws clients share: the device messages and the
 * snapshot, streamed in fragments (net/ws.c sends them).
 *
 * A device ("item") message is built once per device version and
 * audience, and written to every client from the same buffer.  A
 * snapshot's text less the devices is built once per role and change
 * (snap_changed) and shared; the devices are copied in from the device
 * messages as the client's socket drains.  So what one client holds does
 * not grow with the devices.
 */
#ifndef MLAB_SNAP_H
#define MLAB_SNAP_H

#include <stddef.h>

struct hub;
struct snap;
struct snaptext;

/* A snapshot being sent to one client. */
struct snap_stream {
	struct snaptext *text;	/* shared; NULL when none is being sent */
	size_t off;		/* bytes of the text sent */
	int idx;		/* next item to copy in; -1: all copied */
	int frags;		/* fragments sent */
	int items;		/* items copied in */
};

/* The caches, freed by snap_free.  NULL when out of memory. */
struct snap *snap_new(void);
void snap_free(struct snap *s);

/* Something a snapshot shows changed: the next one is built anew. */
void snap_changed(struct snap *s);

/* The items were renumbered: no cached item message is reused. */
void snap_renumbered(struct snap *s);

/* The current message for item idx ({"type":…,…}), for staff or not:
 * *len bytes at the returned pointer, with LWS_PRE bytes of headroom
 * before it.  The buffer belongs to the cache (valid until the next
 * call).  NULL when there is no such item or out of memory. */
unsigned char *snap_item(struct hub *h, struct snap *s, int idx, int staff, size_t *len);

/* Start st for role (ROLE_*).  0, or -1 when out of memory. */
int snap_begin(struct hub *h, struct snap *s, struct snap_stream *st, int role);

/* The next fragment of st (about 8 KiB): a buffer the caller frees,
 * *len bytes after LWS_PRE of headroom; *first and *fin say whether it
 * starts and ends the message (then st is over).  NULL when out of
 * memory. */
unsigned char *snap_next(struct hub *h, struct snap *s, struct snap_stream *st, int staff,
			 size_t *len, int *first, int *fin);

/* Let st go (sent or not). */
void snap_end(struct snap_stream *st);

#endif
