/*
 * wspart.h — what the /ws clients are shown, as types: the audiences and
 * the parts of a snapshot.  Types only, below ws.c and snap.c, which both
 * read the table (hub/wire.c fills it).
 */
#ifndef MLAB_WSPART_H
#define MLAB_WSPART_H

struct hub;
struct cJSON;

enum ws_audience { WS_PUBLIC = 0, WS_KIOSK = 1, WS_STAFF = 2 };

/* A part of the hub's state the clients see.  The snapshot a client gets
 * first is {"type":"snapshot","broker":…,"role":…} plus what each part's
 * snapshot adds, in table order.  One part may have items that coalesce
 * (the devices): item idx's version (0 and *version, or -1 when there is
 * no such item) and the item (the caller owns it; NULL when none).  The
 * snapshot lists the items in an array named after the part; a change is
 * sent as {"type":item_type, item_type: item}.  The table is ws_parts
 * (hub/wire.c), so the transport names none of them. */
struct ws_part {
	const char *name;
	void (*snapshot)(struct hub *h, struct cJSON *snap, int audience);
	int (*version)(struct hub *h, int idx, unsigned *version);
	/* Item idx as staff (1) or everyone else (0) see it; caller owns it. */
	struct cJSON *(*item)(struct hub *h, int idx, int staff);
	const char *item_type;
	/* A message sent right after the snapshot (the hub's status), or
	 * NULL; the caller owns it. */
	struct cJSON *(*after)(struct hub *h, int audience);
};
extern const struct ws_part *const ws_parts[];
extern const int ws_nparts;

#endif
