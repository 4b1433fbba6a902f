/*
 * ws.h — the /ws WebSocket: a snapshot first, then one message per change.
 *
 * Device changes coalesce: a client that is behind receives the latest
 * state of each changed device once, never a backlog.  Other messages
 * (jobs, alerts, sessions…) queue per client up to ws.queue_max; a client
 * past that is closed with a reason (1008 "too slow") and counted.
 * Messages carry an audience: public (wall), kiosk, staff (facilitators
 * and admins); personal data is only ever sent to staff.
 */
#ifndef MLAB_WS_H
#define MLAB_WS_H

struct hub;
struct cJSON;
struct lws_protocols;

enum ws_audience { WS_PUBLIC = 0, WS_KIOSK = 1, WS_STAFF = 2 };

extern const struct lws_protocols ws_protocol;

int ws_init(struct hub *h);
void ws_fini(struct hub *h);

/* The device at registry index idx changed: every client will get it. */
void ws_device_changed(struct hub *h, int idx);

/* Send {"type":type, ...obj's members} to every client whose audience is
 * at least `audience`.  Takes ownership of obj (may be NULL = no members). */
void ws_broadcast(struct hub *h, const char *type, struct cJSON *obj,
		  enum ws_audience audience);

int ws_client_count(const struct hub *h);

#endif
