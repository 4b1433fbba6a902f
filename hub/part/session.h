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

/* Register the /api/sessions routes (current, list, open, patch, end, delete,
 * merge) (part_init).  0 or -1. */
int session_init(struct hub *h);

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

/* End session id at time t. */
int session_end(struct hub *h, int64_t id, double t);

/* The first project of session id (lowest id), 0 when none. */
int64_t session_first_project(struct hub *h, int64_t session);

#endif
