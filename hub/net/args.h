/*
 * args.h — reading request arguments (path, query, JSON body) with one
 * 400 message per kind of mistake.  Shared by every module that serves
 * API routes.
 */
#ifndef MLAB_ARGS_H
#define MLAB_ARGS_H

#include <stddef.h>
#include <stdint.h>

struct api_req;
struct api_resp;
struct cJSON;

#define ARGS_LIMIT_MAX 100000	/* rows one list answer may ask for */
#define ARGS_LIST_MAX 20	/* strings in a list member */

int args_in_list(const char *const *list, const char *s);

/* The positive integer in path parameter i, or 0. */
int64_t args_path_id(const struct api_req *req, int i);

/* The positive integer query argument name: 1 found (*out), 0 absent,
 * -1 malformed. */
int args_query_id(const struct api_req *req, const char *name, int64_t *out);

const struct cJSON *args_member(const struct cJSON *o, const char *key);

/* A string of at most max bytes; *out NULL when absent, null or "". */
int args_str(struct api_resp *resp, const struct cJSON *o, const char *key,
	    const char *label, size_t max, int required, const char **out);

/* One of choices; *out = def when absent. */
int args_enum(struct api_resp *resp, const struct cJSON *o, const char *key,
	     const char *label, const char *const *choices, const char *def,
	     const char **out);

/* A whole number in [min, max]; *present says whether it was given. */
int args_int(struct api_resp *resp, const struct cJSON *o, const char *key,
	    const char *label, double min, double max, long long *out, int *present);

int args_bool(struct api_resp *resp, const struct cJSON *o, const char *key,
	     const char *label, int *out, int *present);

/* A time: ISO-8601 with a UTC offset ("2026-11-21T10:00:00-05:00",
 * "…Z") or Unix seconds. */
int args_time(struct api_resp *resp, const struct cJSON *o, const char *key,
	     double *out, int *present);

/* An array of at most ARGS_LIST_MAX strings of 1..max bytes (NULL if absent). */
int args_str_list(struct api_resp *resp, const struct cJSON *o, const char *key,
		 size_t max, const struct cJSON **out);

/* "YYYY-MM-DD" dates for projects. */
int args_date(struct api_resp *resp, const struct cJSON *o, const char *key, const char **out);

/* Overlay the members of patch onto base (both objects). */
void args_overlay(struct cJSON *base, const struct cJSON *patch);

/* The string member name of o, or NULL when absent or not a string.  The
 * result points into o. */
const char *args_string(const struct cJSON *o, const char *name);

/* Commit the request's writes (store_flush) before it is answered.  0, or
 * -1 after answering 503. */
int args_commit(struct api_req *req, struct api_resp *resp);

/* The query argument name as a count in 1..ARGS_LIMIT_MAX into *out,
 * which keeps def when the argument is absent.  0, or -1 after answering
 * 400 "name must be 1..100000". */
int args_limit(const struct api_req *req, struct api_resp *resp, const char *name,
	       long def, long *out);

#endif
