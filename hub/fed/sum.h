/*
 * sum.h — the network's figures, summed with the lab's own report (sum.c).
 */
#ifndef MLAB_FED_SUM_H
#define MLAB_FED_SUM_H

#include <stddef.h>

struct hub;
struct api_resp;
struct cJSON;

/* The network's indicators for fiscal year fy in format ("json",
 * "csv", "html") into out (the caller frees it with api_resp_free).
 * 0, -1 (database), -3 (bad arguments), with err. */
int sum_render(struct hub *h, int fy, const char *format, const char *lang,
	       struct api_resp *out, char *err, size_t errlen);

/* A scratch hub t over an empty in-memory database of the lab's schema,
 * a transaction open (the caller closes it with store_close).  0 or -1. */
int sum_scratch_open(struct hub *h, struct hub *t);

/* Load site's latest states (h's net_rx) into scratch t as the lab's rows,
 * ids + off; with track, also trail_src and trail_rows (where each row
 * came from, sum.c).  Returns how many states the lab's schema refused,
 * or -1. */
int sum_load_site(struct hub *h, struct hub *t, const char *site, long long off, int track);


/* A network hub's figures for fiscal year fy: {"fy":Y,"sites":{SITE:
 * {"indicators":…,"acknowledged":W,"last":{…}}},"total":{"indicators":…}}
 * (the caller frees it with cJSON_Delete), or NULL with err.  Reads
 * h's open store; a report_net_fn for `mlab-hub report`. */
struct cJSON *sum_figures(struct hub *h, int fy, char *err, size_t errlen);

#endif
