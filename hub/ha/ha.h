/*
 * ha.h — the lab's participation seen from Home Assistant: the open
 * session, today's counts and the fiscal year's projects as sensors.
 */
#ifndef MLAB_HA_H
#define MLAB_HA_H

#include <stdint.h>

struct hub;
struct cJSON;

#define HA_STATE_TOPIC "mlab/v1/hub/participation"
#define HA_EVERY_MS 60000	/* the state is republished every minute */

/* Arm the timer that republishes the state.  0 (never fails: without a
 * loop, a command-line run, the timer simply never runs). */
int ha_init(struct hub *h);

/* The state JSON (caller owns it), NULL without a store:
 * {"session":{"state":"open"|"closed", "id", "projects":[titles],
 *   "head_count", "started_at"}, "today":{"date", "checkins", "people",
 *   "contributions_confirmed"}, "fiscal_year":{"fy",
 *   "participation_projects"}}.  Public data only. */
struct cJSON *ha_state(struct hub *h);

/* Publish the state retained on HA_STATE_TOPIC now. */
void ha_publish(struct hub *h);

/* device_subs members: the lab link came up (publish the discovery
 * configs and the state); a session changed (publish the state). */
void ha_link(struct hub *h, int link, int up);
void ha_session(struct hub *h, int64_t id, const char *event);

#endif
