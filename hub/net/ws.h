/*
 * ws.h — the /ws WebSocket: a snapshot first, then one message per change.
 *
 * Device changes coalesce: a client that is behind receives the latest
 * state of each changed device once, never a backlog.  Other messages
 * (jobs, alerts, sessions…) queue per client up to ws.queue_max messages
 * and ws.queue_max_kb bytes; a client past that is closed with a reason
 * (1008 "too slow") and counted.  What the hub holds for one client does
 * not grow with the devices: the snapshot is streamed in fragments.
 * Messages carry an audience: public (wall), kiosk, staff (facilitators
 * and admins); personal data is only ever sent to staff.
 */
#ifndef MLAB_WS_H
#define MLAB_WS_H

#include "net/wspart.h"

struct hub;
struct cJSON;
struct lws_protocols;

extern const struct lws_protocols ws_protocol;

int ws_init(struct hub *h);
void ws_fini(struct hub *h);

/* The item at index idx (a device) changed: every client will get its
 * latest message once. */
void ws_device_changed(struct hub *h, int idx);

/* Send {"type":type, ...obj's members} to every client whose audience is
 * at least `audience`.  Takes ownership of obj (may be NULL = no members). */
void ws_broadcast(struct hub *h, const char *type, struct cJSON *obj,
		  enum ws_audience audience);

int ws_client_count(const struct hub *h);

/* Items were renumbered (a device removed): every client gets a fresh
 * snapshot, and no cached item message is reused. */
void ws_resync(struct hub *h);

/* Re-check the login behind each logged-in client: one whose session
 * ended or whose role changed is closed at once (1008 "login ended") and
 * sent nothing more.  Called after every API write (the api_on_write
 * hook ws_init registers) and on a timer. */
void ws_recheck(struct hub *h);

#endif
