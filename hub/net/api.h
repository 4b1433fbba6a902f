/*
 * api.h — the JSON API: requests, responses and route tables.
 *
 * http.c turns an lws HTTP transaction into an api_req, calls
 * api_dispatch() and sends the api_resp.  Handlers never touch lws.  Each module that
 * serves endpoints defines a `const struct api_route NAME_routes[]`
 * (ended by an all-zero row) listed in api.c's table of tables.
 */
#ifndef MLAB_API_H
#define MLAB_API_H

#include <stddef.h>
#include <stdint.h>

struct hub;
struct cJSON;

enum role { ROLE_NONE = 0, ROLE_KIOSK = 1, ROLE_FACILITATOR = 2, ROLE_ADMIN = 3 };

#define API_MAX_PARAMS 4

struct api_req {
	struct hub *h;
	const char *method;		/* GET POST PATCH PUT DELETE */
	const char *path;		/* raw path, no query */
	char params[API_MAX_PARAMS][512];	/* "*" segments, URL-decoded */
	int nparams;
	const char *query;		/* raw query string, "" if none */
	const char *body;		/* NUL-terminated */
	size_t body_len;
	struct cJSON *json;		/* parsed body (JSON writes), or NULL */
	const char *cookie;		/* Cookie header, "" if none */
	char peer[64];			/* remote address */
	int loopback;			/* peer is 127.0.0.0/8 or ::1 */
	int tls;			/* came over HTTPS */
	/* filled by auth_identify() */
	int role;
	int64_t user_id;
	char user[64];
	char session_token[80];
};

struct api_resp {
	int status;
	const char *ctype;		/* default "application/json" */
	char *body;			/* owned, grows */
	size_t len, cap;
	char headers[1024];		/* extra "Name: value\r\n" lines */
	size_t hlen;
};

typedef int (*api_fn)(struct api_req *req, struct api_resp *resp);

struct api_route {
	const char *method;
	const char *pattern;	/* "/api/devices/ *": "*" is one segment */
	int min_role;		/* ROLE_* needed */
	api_fn fn;
};

/* Dispatch req to its route, after the cross-site checks (origin, host:
 * the request's Origin and Host headers or NULL; ctype its Content-Type
 * or "").  Always fills resp (404/405/401/403/415…).  Returns 0. */
int api_dispatch(struct api_req *req, struct api_resp *resp,
		 const char *origin, const char *host, const char *ctype);
void api_resp_free(struct api_resp *resp);

/* The query argument `name`, URL-decoded, into out.  0 found, -1 absent. */
int api_query(const struct api_req *req, const char *name, char *out, size_t len);

/* Answer with obj as JSON (takes ownership of obj). Returns 0. */
int api_json(struct api_resp *resp, int status, struct cJSON *obj);
/* Answer {"error": "..."} with status. Returns 0. */
int api_error(struct api_resp *resp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append raw bytes / formatted text to the body. */
void api_write(struct api_resp *resp, const char *data, size_t len);
void api_printf(struct api_resp *resp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add a response header line. */
void api_header(struct api_resp *resp, const char *name, const char *value);
/* Append one RFC 4180 CSV field (quoted when needed), then sep
 * (',' or '\n'). */
void api_csv(struct api_resp *resp, const char *field, char sep);

/* Parse a time query argument (ISO-8601 or Unix seconds) with default. */
double api_time_arg(const struct api_req *req, const char *name, double def, int *bad);

/* Log that an authenticated user did something (the audit log). */
void api_audit(struct api_req *req, const char *action, const char *object,
	       const char *detail);

#endif
