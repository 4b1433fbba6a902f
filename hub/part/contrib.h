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

/* A contribution changed: the row to staff, its project's counts to all. */
void contrib_changed(struct hub *h, int64_t id, const char *event);
/* The titles of the latest confirmed contributions with a licence, of
 * public projects: [{"title","project_id"},…] for the wall (every
 * audience).  The caller owns it. */
struct cJSON *contrib_recent_public(struct hub *h);

int contrib_post(struct api_req *req, struct api_resp *resp);

/* PATCH /api/contributions/{id}: status (confirmed, rejected, pending),
 * title, licence, project_id, kind, body, links, participant_id, reason
 * (why it was rejected).  Confirming with a licence and a project makes
 * that licence the project's default. */
int contrib_patch(struct api_req *req, struct api_resp *resp);

/* GET /api/contributions?status=&project_id=&session_id=&kind=&from=&to=
 * &limit= (staff); status=decided is confirmed or rejected. */
int contrib_get_all(struct api_req *req, struct api_resp *resp);

int contrib_get(struct api_req *req, struct api_resp *resp);

#endif
