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

/* Contributions matching the filters (0/NULL = any), newest first, as a
 * JSON array (caller owns it).  author is the participant's name only
 * when they consented to publishing it and were not erased. */
struct cJSON *contrib_list(struct hub *h, int64_t id, const char *status,
			 int64_t project, int64_t session, const char *kind,
			 int64_t participant, long limit);

/* A contribution changed: the row to staff, its project's counts to all. */
void contrib_changed(struct hub *h, int64_t id, const char *event);

int contrib_post(struct api_req *req, struct api_resp *resp);

/* PATCH /api/contributions/{id}: status (confirmed, rejected, pending),
 * title, licence, project_id, kind, body, links, participant_id. */
int contrib_patch(struct api_req *req, struct api_resp *resp);

/* GET /api/contributions?status=&project_id=&session_id=&kind=&limit= (staff). */
int contrib_get_all(struct api_req *req, struct api_resp *resp);

int contrib_get(struct api_req *req, struct api_resp *resp);

#endif
