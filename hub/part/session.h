/*
 * session.h — lab sessions.
 */
#ifndef MLAB_SESSION_H
#define MLAB_SESSION_H

#include <stdint.h>

struct hub;
struct api_req;
struct api_resp;
struct cJSON;

/* The open session's id, 0 when none. */
int64_t session_open_id(struct hub *h);

/* The session open at time t (not removed), 0 when none. */
int64_t session_at(struct hub *h, double t);

/* The session a kiosk's write belongs to: the open one, or, for a write
 * delivered late from the kiosk's outbox, the one open at its made_at if
 * that is at most kiosk.late_grace_s ago (never a later session).  *at is
 * the write's time.  0 with *out (0 = none; need: an error), or 1 when
 * resp holds the refusal. */
int session_kiosk(struct api_req *req, struct api_resp *resp, int64_t hint, int need,
		  int has_made, double made_at, int64_t *out, double *at);

/* Session id as JSON (caller owns it), NULL if none.  The public view
 * (staff = 0) leaves out who ran it, its notes and internal projects. */
struct cJSON *session_json(struct hub *h, int64_t id, int staff);

/* Tell everyone what became of session id ("opened", "updated", "ended",
 * "recorded"): the public view, which has no personal data. */
void session_changed(struct hub *h, int64_t id, const char *event);

/* POST /api/sessions: open a session now, or record one after the fact
 * (started_at and ended_at).  409 when one is open and this would open
 * another. */
int session_post(struct api_req *req, struct api_resp *resp);

/* GET /api/sessions/current: the open session (public view unless staff). */
int session_get_current(struct api_req *req, struct api_resp *resp);

/* GET /api/sessions?from=&to=&limit=&removed=1: sessions overlapping
 * [from, to], newest first; removed ones only with removed=1. */
int session_get_all(struct api_req *req, struct api_resp *resp);

int session_get(struct api_req *req, struct api_resp *resp);

/* PATCH /api/sessions/{id}: group (members merged), notes, project_ids,
 * device_ids, started_at, and ended_at of a session already ended. */
int session_patch(struct api_req *req, struct api_resp *resp);

/* End session id at time t. */
int session_end(struct hub *h, int64_t id, double t);

/* POST /api/sessions/{id|current}/end [{"ended_at"}]: 409 if not open. */
int session_post_end(struct api_req *req, struct api_resp *resp);

/* DELETE /api/sessions/{id} {"reason"}: mark a session opened by mistake
 * removed (audit-logged, no longer counted); 409 when people checked in
 * to it or contributed (merge it instead). */
int session_delete(struct api_req *req, struct api_resp *resp);

/* POST /api/sessions/{id}/merge {"into","reason"}: move its check-ins,
 * contributions, ratings, projects and devices into session `into` and
 * mark it removed (merged_into), so the visit counts once. */
int session_merge(struct api_req *req, struct api_resp *resp);

/* The first project of session id (lowest id), 0 when none. */
int64_t session_first_project(struct hub *h, int64_t session);

#endif
