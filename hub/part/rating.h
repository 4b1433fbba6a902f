/*
 * rating.h — appreciation ratings.
 */
#ifndef MLAB_RATING_H
#define MLAB_RATING_H

#include <stdint.h>

struct hub;
struct api_req;
struct api_resp;

/* Register GET/POST /api/ratings (part_init).  0 or -1. */
int rating_init(struct hub *h);

/* Store a rating (already validated) made at time at in session (0 =
 * none).  Returns the row id or 0. */
int64_t rating_insert(struct hub *h, int64_t session, int value, int scale,
		      const char *source, double at);

/* Tell everyone about a vote (anonymous: value, scale, session). */
void rating_changed(struct hub *h, int64_t session, int value, int scale);

#endif
