/*
 * rating.h — appreciation ratings.
 */
#ifndef MLAB_RATING_H
#define MLAB_RATING_H

#include <stdint.h>

struct hub;
struct api_req;
struct api_resp;

/* Store a rating (already validated) made at time at in session (0 =
 * none).  Returns the row id or 0. */
int64_t rating_insert(struct hub *h, int64_t session, int value, int scale,
		      const char *source, double at);

/* Tell everyone about a vote (anonymous: value, scale, session). */
void rating_changed(struct hub *h, int64_t session, int value, int scale);

/* POST /api/ratings {"value":N,"scale":3|5}: tied to the open session;
 * staff may name a past session_id (paper ballots). */
int rating_post(struct api_req *req, struct api_resp *resp);

/* GET /api/ratings?session_id=&from=&to= (staff): the votes and a summary. */
int rating_get_all(struct api_req *req, struct api_resp *resp);

#endif
