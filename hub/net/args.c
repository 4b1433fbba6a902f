/*
 * args.c — reading request arguments: path ids, query ids, and the
 * members of a JSON body, each answering 400 with a message naming the
 * field when the input is bad.  No I/O beyond the request and response.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "net/args.h"
#include "core/hub.h"
#include "store/store.h"

int args_in_list(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

/* The positive integer in path parameter i, or 0. */
int64_t args_path_id(const struct api_req *req, int i)
{
	const char *s = req->params[i];
	char *end;
	long long v;

	if (i >= req->nparams || !isdigit((unsigned char)*s))
		return 0;
	v = strtoll(s, &end, 10);
	return *end || v <= 0 ? 0 : (int64_t)v;
}

/* The positive integer query argument name: 1 found (*out), 0 absent,
 * -1 malformed. */
int args_query_id(const struct api_req *req, const char *name, int64_t *out)
{
	char v[32], *end;
	long long n;

	if (api_query(req, name, v, sizeof(v)) || !v[0])
		return 0;
	n = strtoll(v, &end, 10);
	if (*end || n <= 0)
		return -1;
	*out = (int64_t)n;
	return 1;
}

/* ---- reading JSON bodies --------------------------------------------------
 * Each getter answers 400 naming the field and returns -1 on bad input;
 * 0 otherwise.  label is the name used in messages (NULL: key). */

const cJSON *args_member(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* A string of at most max bytes; *out NULL when absent, null or "". */
int args_str(struct api_resp *resp, const cJSON *o, const char *key,
	    const char *label, size_t max, int required, const char **out)
{
	const cJSON *v = args_member(o, key);

	*out = NULL;
	label = label ? label : key;
	if (v && !cJSON_IsNull(v) && !cJSON_IsString(v)) {
		api_error(resp, 400, "%s must be a string", label);
		return -1;
	}
	if (v && cJSON_IsString(v) && strlen(v->valuestring) > max) {
		api_error(resp, 400, "%s is longer than %zu bytes", label, max);
		return -1;
	}
	if (v && cJSON_IsString(v) && v->valuestring[0])
		*out = v->valuestring;
	if (required && !*out) {
		api_error(resp, 400, "%s is required", label);
		return -1;
	}
	return 0;
}

/* One of choices; *out = def when absent. */
int args_enum(struct api_resp *resp, const cJSON *o, const char *key,
	     const char *label, const char *const *choices, const char *def,
	     const char **out)
{
	const char *s;
	char list[256] = "";

	label = label ? label : key;
	if (args_str(resp, o, key, label, 64, 0, &s))
		return -1;
	*out = s ? s : def;
	if (!*out || args_in_list(choices, *out) >= 0)
		return 0;
	for (int i = 0; choices[i]; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", choices[i]);
	api_error(resp, 400, "%s must be one of %s", label, list);
	return -1;
}

/* A whole number in [min, max]; *present says whether it was given. */
int args_int(struct api_resp *resp, const cJSON *o, const char *key,
	    const char *label, double min, double max, long long *out, int *present)
{
	const cJSON *v = args_member(o, key);

	label = label ? label : key;
	*present = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble < min || v->valuedouble > max) {
		api_error(resp, 400, "%s must be a whole number from %.0f to %.0f", label, min, max);
		return -1;
	}
	*out = (long long)v->valuedouble;
	*present = 1;
	return 0;
}

int args_bool(struct api_resp *resp, const cJSON *o, const char *key,
	     const char *label, int *out, int *present)
{
	const cJSON *v = args_member(o, key);

	*present = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v)) {
		api_error(resp, 400, "%s must be true or false", label ? label : key);
		return -1;
	}
	*out = cJSON_IsTrue(v);
	*present = 1;
	return 0;
}

/* A time: ISO-8601 with a UTC offset ("2026-11-21T10:00:00-05:00",
 * "…Z") or Unix seconds. */
int args_time(struct api_resp *resp, const cJSON *o, const char *key,
	     double *out, int *present)
{
	const cJSON *v = args_member(o, key);

	*present = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble > 0) {
		*out = v->valuedouble;
	} else if (cJSON_IsString(v) && strlen(v->valuestring) < 64 &&
		   strchr(v->valuestring, 'T') &&
		   strpbrk(strchr(v->valuestring, 'T'), "Zz+-") &&
		   hub_parse_time(v->valuestring, out) == 0) {
		;
	} else {
		api_error(resp, 400, "%s must be an ISO-8601 time with its offset "
			  "(2026-11-21T10:00:00-05:00) or Unix seconds", key);
		return -1;
	}
	*present = 1;
	return 0;
}

/* An array of at most ARGS_LIST_MAX strings of 1..max bytes (NULL if absent). */
int args_str_list(struct api_resp *resp, const cJSON *o, const char *key,
		 size_t max, const cJSON **out)
{
	const cJSON *v = args_member(o, key), *it;
	int i = 0;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > ARGS_LIST_MAX) {
		api_error(resp, 400, "%s must be an array of at most %d strings", key, ARGS_LIST_MAX);
		return -1;
	}
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > max) {
			api_error(resp, 400, "%s[%d] must be a string of 1 to %zu bytes", key, i, max);
			return -1;
		}
		i++;
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DD" dates for projects. */
int args_date(struct api_resp *resp, const cJSON *o, const char *key, const char **out)
{
	int y, m, d;
	char tail;

	if (args_str(resp, o, key, NULL, 10, 0, out))
		return -1;
	if (*out && (strlen(*out) != 10 || sscanf(*out, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
		     m < 1 || m > 12 || d < 1 || d > 31)) {
		api_error(resp, 400, "%s must be a date YYYY-MM-DD", key);
		return -1;
	}
	return 0;
}

/* Overlay the members of patch onto base (both objects). */
void args_overlay(cJSON *base, const cJSON *patch)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, patch) {
		cJSON *copy = cJSON_Duplicate(it, 1);

		if (!copy)
			continue;
		if (cJSON_GetObjectItemCaseSensitive(base, it->string))
			cJSON_ReplaceItemInObjectCaseSensitive(base, it->string, copy);
		else
			cJSON_AddItemToObject(base, it->string, copy);
	}
}

/* The string member name of o, or NULL when absent or not a string.  The
 * result points into o. */
const char *args_string(const cJSON *o, const char *name)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Commit the request's writes (store_flush) before it is answered.  0, or
 * -1 after answering 503. */
int args_commit(struct api_req *req, struct api_resp *resp)
{
	if (store_flush(req->h) == 0)
		return 0;
	api_error(resp, 503, "the database could not store this; try again");
	return -1;
}

/* The query argument name as a count in 1..ARGS_LIMIT_MAX into *out,
 * which keeps def when the argument is absent.  0, or -1 after answering
 * 400 "name must be 1..100000". */
int args_limit(const struct api_req *req, struct api_resp *resp, const char *name,
	       long def, long *out)
{
	char v[24], *end;
	long n;

	*out = def;
	if (api_query(req, name, v, sizeof(v)))
		return 0;
	n = strtol(v, &end, 10);
	if (!v[0] || *end || n < 1 || n > ARGS_LIMIT_MAX) {
		api_error(resp, 400, "%s must be 1..%d", name, ARGS_LIMIT_MAX);
		return -1;
	}
	*out = n;
	return 0;
}
