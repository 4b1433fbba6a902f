/*
 * api.h — the JSON API: requests, responses and route tables.
 *
 * http.c turns an lws HTTP transaction into an api_req, calls
 * api_dispatch() and sends the api_resp.  Handlers never touch lws.  Each
 * module that serves endpoints keeps a `static const struct api_route
 * routes[]` (ended by an all-zero row) and registers it in its _init
 * (api_register).
 */
#ifndef MLAB_API_H
#define MLAB_API_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
	/* filled by the identify hook (auth) */
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

/* A handler: fills resp whatever happens (api_json, api_error…) and
 * returns 0, or negative when it failed; a failure whose answer is not an
 * error (status < 400) becomes a 500 in api_dispatch, logged. */
typedef int (*api_fn)(struct api_req *req, struct api_resp *resp);
/* The auth hooks: fill req->role, user, user_id, session_token from its
 * cookie; the role of a WebSocket client's Cookie header. */
typedef void (*api_identify_fn)(struct api_req *req);
typedef int (*api_role_fn)(struct hub *h, const char *cookie);
/* Called after each write that succeeded (the WebSocket re-checks its
 * clients' logins). */
typedef void (*api_write_fn)(struct hub *h);

#define API_TABLES_MAX 32

struct api_route {
	const char *method;
	const char *pattern;	/* "/api/devices/ *": "*" is one segment */
	int min_role;		/* ROLE_* needed */
	api_fn fn;
};

/* Create h->api (no routes yet).  0 or -1. */
int api_init(struct hub *h);
void api_fini(struct hub *h);
/* Serve the routes of a module's table (kept: a constant).  0, or -1
 * when the table of tables is full (logged).  Without api_init (a tool, a
 * unit test) nothing is served and 0 is returned. */
int api_register(struct hub *h, const struct api_route *routes);
/* Set the auth hooks (auth_init). */
void api_set_auth(struct hub *h, api_identify_fn identify, api_role_fn role_of_cookie);
/* Set the after-write hook (ws_init).  One caller: a later one replaces it. */
void api_on_write(struct hub *h, api_write_fn fn);
/* The role of a Cookie header (ROLE_NONE without the auth hook). */
int api_role_of_cookie(struct hub *h, const char *cookie);

/* Dispatch req to its route, after the cross-site checks (origin, host:
 * the request's Origin and Host headers or NULL; ctype its Content-Type
 * or "").  Always fills resp (404/405/401/403/415…).  Returns 0. */
int api_dispatch(struct api_req *req, struct api_resp *resp,
		 const char *origin, const char *host, const char *ctype);
void api_resp_free(struct api_resp *resp);

/* May a request whose Origin header is origin (NULL: none) act for a page
 * of this hub (Host header host, reached over TLS or not)?  Strict: the
 * scheme must be ours and the rest exactly the Host; "null", a path or
 * a truncated header is foreign.  1 yes, 0 no. */
int api_origin_ok(const char *origin, const char *host, int tls);
/* Remove, at any depth of o, the members that may name a person in a
 * public view: "file" (print files are often named after people),
 * "acknowledged_by", and the staff's own labels, "name" and the alerts'
 * "message" that repeats it (a device or machine named after a person or
 * holding a serial number; the public views use "public_name").
 * Returns how many were removed. */
int api_strip_personal(struct cJSON *o);
/* Every route served, one "METHOD PATTERN ROLE" line each (mlab-hub
 * routes): the authorization tests read it. */
void api_routes_print(struct hub *h, FILE *f);

/* The query argument `name`, URL-decoded, into out.  0 found, -1 absent. */
int api_query(const struct api_req *req, const char *name, char *out, size_t len);

/* Answer with obj as JSON (takes ownership of obj). Returns 0. */
int api_json(struct api_resp *resp, int status, struct cJSON *obj);
/* Answer {"error": "...", "code": "..."} with status; the code (snake_case,
 * stable, for the pages to translate) comes from api.c's table.  Returns 0. */
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

#endif
