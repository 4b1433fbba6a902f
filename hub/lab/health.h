/*
 * health.h — the hub's own health: the lab broker, each MQTT link, the
 * last group commit, the free space beside the database.  Pushed to open
 * pages as {"type":"status",…} on /ws when it changes; GET /healthz
 * (liveness, "status":"ok"|"degraded") and GET /readyz (200, or 503
 * {"status":"degraded","reasons":[…]}) for monitoring.
 */
#ifndef MLAB_HEALTH_H
#define MLAB_HEALTH_H

struct hub;
struct cJSON;

/* Add "broker", "links", "commit_ok" and "disk_free_bytes" to o. */
void health_fields(struct hub *h, struct cJSON *o);
/* Append why the hub is degraded ("broker_disconnected",
 * "commit_failing", "disk_low") to the array arr; returns how many. */
int health_reasons(struct hub *h, struct cJSON *arr);
/* {"type":"status",…} for a client that just got its snapshot; the
 * caller owns it. */
struct cJSON *health_status_message(struct hub *h, int audience);
/* A broker link went up or down (device news): tell the pages. */
void health_link(struct hub *h, int link, int up);

/* Watch commits and the disk, serve /healthz and /readyz.  0 or -1. */
int health_init(struct hub *h);
void health_fini(struct hub *h);

#endif
