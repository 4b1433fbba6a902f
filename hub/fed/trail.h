/*
 * trail.h — the facts behind one network figure (trail.c).
 */
#ifndef MLAB_FED_TRAIL_H
#define MLAB_FED_TRAIL_H

#include <stddef.h>

struct hub;
struct api_resp;

/* The facts behind one network figure (GET
 * /api/network/indicators/explain), in format ("json", "csv", "html")
 * into out (the caller frees it with api_resp_free).  site NULL: every
 * site's, behind the total.  0, -1 (database), -2 (no such figure or
 * site: 404), -3 (bad arguments), with err. */
int trail_render(struct hub *h, int fy, const char *name, const char *site,
		 const char *format, const char *lang, struct api_resp *out,
		 char *err, size_t errlen);

#endif
