/*
 * part.c — participation (placeholder until the participation work lands).
 */
#include "api.h"
#include "hub.h"
#include "log.h"
#include "part.h"

int part_init(struct hub *h)
{
	return 0;
}

void part_fini(struct hub *h)
{
}

int part_vote(struct hub *h, int value, int scale, const char *source)
{
	LOG(L_INFO, "part: vote %d/%d from %s (not stored yet)", value, scale, source);
	return -1;
}

int part_session_toggle(struct hub *h, const char *source)
{
	return -1;
}

int part_session_open(struct hub *h)
{
	return 0;
}

void part_job_ended(struct hub *h, struct device *d, int64_t job_id,
		    const char *state, double ts)
{
}

void part_ws_snapshot(struct hub *h, struct cJSON *snap, int audience)
{
}

const struct api_route part_routes[] = {
	{ NULL, NULL, 0, NULL },
};
