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

/* Register GET/POST /api/projects, GET/PATCH /api/projects/{id} (part_init).  0 or
 * -1. */
int project_init(struct hub *h);

/* Project id as JSON (caller owns it), or NULL when there is none or, for
 * the public (staff = 0), when it is internal. */
struct cJSON *project_json(struct hub *h, int64_t id, int staff);

/* Tell clients about project id: everyone if it is public, else staff. */
void project_changed(struct hub *h, int64_t id);

#endif
