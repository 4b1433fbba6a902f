/*
 * project.h — participation projects.
 */
#ifndef MLAB_PROJECT_H
#define MLAB_PROJECT_H

#include <stdint.h>

struct hub;
struct api_req;
struct api_resp;
struct cJSON;

/* Project id as JSON (caller owns it), or NULL when there is none or, for
 * the public (staff = 0), when it is internal. */
struct cJSON *project_json(struct hub *h, int64_t id, int staff);

/* Tell clients about project id: everyone if it is public, else staff. */
void project_changed(struct hub *h, int64_t id);

/* GET /api/projects[?status=S]: public projects for everyone, all for staff. */
int project_get_all(struct api_req *req, struct api_resp *resp);

int project_get(struct api_req *req, struct api_resp *resp);

int project_post(struct api_req *req, struct api_resp *resp);

/* PATCH /api/projects/{id}: any of POST's members. */
int project_patch(struct api_req *req, struct api_resp *resp);

#endif
