/*
 * contrib.h — contributions.
 */
#ifndef MLAB_CONTRIB_H
#define MLAB_CONTRIB_H

#include <stdint.h>

struct hub;
struct api_req;
struct api_resp;
struct cJSON;

/* Register the /api/contributions routes (list, post, get, patch) (part_init).  0
 * or -1. */
int contrib_init(struct hub *h);

/* A contribution changed: the row to staff, its project's counts to all. */
void contrib_changed(struct hub *h, int64_t id, const char *event);
/* The titles of the latest confirmed contributions with a licence, of
 * public projects: [{"title","project_id"},…] for the wall (every
 * audience).  The caller owns it. */
struct cJSON *contrib_recent_public(struct hub *h);

#endif
