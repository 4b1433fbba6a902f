/*
 * api.c — request dispatch, the route tables the modules register, and
 * the request and response helpers.  It knows no endpoint: each module
 * registers its own (api_register in its _init); who the caller is comes
 * from the hook auth registers (api_set_auth).
 *
 * Cross-site request protection lives here, once for every write: a write
 * must be Content-Type: application/json, and an Origin header naming
 * another origin is refused.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "net/api.h"
#include "net/utf8.h"

#define API_KIOSKS 16	/* kiosk accounts rate-limited at once */

/* The route tables, in the order the modules registered them (the first
 * match wins), the auth hooks and the after-write hook. */
struct api {
	const struct api_route *tables[API_TABLES_MAX];
	int ntables;
	struct {		/* kiosk writes: a token bucket per account */
		int64_t user;
		double tokens, at;
	} kiosk[API_KIOSKS];
	api_identify_fn identify;
	api_role_fn role_of_cookie;
	api_write_fn after_write;
};

/* May this kiosk account write now?  A bucket of kiosk.writes_per_min
 * tokens refilled over a minute: a kiosk checks a family in or takes a
 * rating every few seconds at most; a script posting without end is
 * slowed to that.  1 yes, 0 no. */
static int kiosk_may_write(struct hub *h, int64_t user)
{
	struct api *a = h->api;
	double rate = h->conf ? (double)conf_int(h->conf, "kiosk.writes_per_min") : 30, now = hub_now();
	int slot = 0;

	for (int i = 0; i < API_KIOSKS; i++) {
		if (a->kiosk[i].user == user) {
			slot = i;
			break;
		}
		if (a->kiosk[i].at < a->kiosk[slot].at)
			slot = i;	/* else the least recently used */
	}
	if (a->kiosk[slot].user != user) {
		a->kiosk[slot].user = user;
		a->kiosk[slot].tokens = rate;
		a->kiosk[slot].at = now;
	}
	a->kiosk[slot].tokens += (now - a->kiosk[slot].at) * rate / 60.0;
	if (a->kiosk[slot].tokens > rate)
		a->kiosk[slot].tokens = rate;
	a->kiosk[slot].at = now;
	if (a->kiosk[slot].tokens < 1)
		return 0;
	a->kiosk[slot].tokens -= 1;
	return 1;
}

int api_init(struct hub *h)
{
	h->api = calloc(1, sizeof(*h->api));
	return h->api ? 0 : -1;
}

void api_fini(struct hub *h)
{
	free(h->api);
	h->api = NULL;
}

int api_register(struct hub *h, const struct api_route *routes)
{
	struct api *a = h->api;

	if (!a)
		return 0;	/* a tool or a unit test without the API */
	if (a->ntables >= API_TABLES_MAX) {
		LOG(L_ERR, "api: more than %d route tables", API_TABLES_MAX);
		return -1;
	}
	a->tables[a->ntables++] = routes;
	return 0;
}

void api_set_auth(struct hub *h, api_identify_fn identify, api_role_fn role_of_cookie)
{
	if (h->api) {
		h->api->identify = identify;
		h->api->role_of_cookie = role_of_cookie;
	}
}

void api_on_write(struct hub *h, api_write_fn fn)
{
	if (h->api)
		h->api->after_write = fn;
}

int api_role_of_cookie(struct hub *h, const char *cookie)
{
	return h->api && h->api->role_of_cookie ? h->api->role_of_cookie(h, cookie) : ROLE_NONE;
}

/* ---- response helpers ------------------------------------------------ */

void api_write(struct api_resp *resp, const char *data, size_t len)
{
	if (resp->len + len + 1 > resp->cap) {
		size_t ncap = resp->cap ? resp->cap : 1024;
		char *nb;

		while (ncap < resp->len + len + 1)
			ncap *= 2;
		nb = realloc(resp->body, ncap);
		if (!nb)
			return;
		resp->body = nb;
		resp->cap = ncap;
	}
	memcpy(resp->body + resp->len, data, len);
	resp->len += len;
	resp->body[resp->len] = '\0';
}

void api_printf(struct api_resp *resp, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		api_write(resp, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);

	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	api_write(resp, big, (size_t)n);
	free(big);
}

void api_header(struct api_resp *resp, const char *name, const char *value)
{
	int n = snprintf(resp->headers + resp->hlen, sizeof(resp->headers) - resp->hlen,
			 "%s: %s\r\n", name, value);

	if (n > 0 && resp->hlen + (size_t)n < sizeof(resp->headers))
		resp->hlen += (size_t)n;
	else
		resp->headers[resp->hlen] = '\0';
}

int api_json(struct api_resp *resp, int status, cJSON *obj)
{
	char *s = obj ? cJSON_PrintUnformatted(obj) : NULL;

	resp->status = status;
	resp->ctype = "application/json";
	resp->len = 0;
	if (s) {
		api_write(resp, s, strlen(s));
		free(s);
	} else {
		api_write(resp, "{}", 2);
	}
	cJSON_Delete(obj);
	return 0;
}

/* The stable "code" of an error answer, for the pages to translate
 * (web/js/errors.js, catalogue keys err.<code>): the first row whose
 * status (0: any) and message prefix or substring match, else the
 * status's own code.  One table, so that every api_error gets a code
 * without its callers naming one. */
static const struct {
	int status;
	const char *text;	/* substring of the message */
	const char *code;
} error_codes[] = {
	{ 0, "no session is open", "no_session" },
	{ 0, "not checked in to the open session", "not_checked_in" },
	{ 403, "the kiosk ", "kiosk_scope" },
	{ 401, "login required", "login_required" },
	{ 401, "wrong user name or password", "bad_login" },
	{ 403, "cross-origin request refused", "cross_origin" },
	{ 0, "database", "store_failed" },
	{ 503, "broker is not reachable", "broker_down" },
	{ 0, "project_id: no project", "no_project" },
	{ 404, "no such project", "no_project" },
	{ 404, "no such endpoint", "not_found" },
	{ 404, "no such ", "no_such" },
	{ 409, "is already open", "already_open" },
	{ 409, "has already ended", "already_ended" },
	{ 400, "email ", "email" },
	{ 400, "display_name ", "display_name" },
	{ 400, "\"guardian\"", "guardian" },
	{ 0, "is longer than", "too_long" },
	{ 409, "too late to count", "too_late" },
};

static const char *error_code(int status, const char *msg)
{
	for (size_t i = 0; i < sizeof(error_codes) / sizeof(error_codes[0]); i++)
		if ((!error_codes[i].status || error_codes[i].status == status) &&
		    strstr(msg, error_codes[i].text))
			return error_codes[i].code;
	switch (status) {
	case 401: return "login_required";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "too_long";
	case 415: return "json_required";
	case 429: return "too_many_logins";
	case 503: return "unavailable";
	default: return status >= 500 ? "server" : "bad_request";
	}
}

int api_error(struct api_resp *resp, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	cJSON *o = cJSON_CreateObject();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddStringToObject(o, "code", error_code(status, msg));
	return api_json(resp, status, o);
}

void api_csv(struct api_resp *resp, const char *field, char sep)
{
	const char *f = field ? field : "";

	if (strpbrk(f, ",\"\r\n") || (*f && (isspace((unsigned char)*f) ||
					      isspace((unsigned char)f[strlen(f) - 1])))) {
		api_write(resp, "\"", 1);
		for (const char *p = f; *p; p++) {
			if (*p == '"')
				api_write(resp, "\"", 1);
			api_write(resp, p, 1);
		}
		api_write(resp, "\"", 1);
	} else {
		api_write(resp, f, strlen(f));
	}
	if (sep == '\n')
		api_write(resp, "\r\n", 2);
	else
		api_write(resp, &sep, 1);
}

void api_resp_free(struct api_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = resp->cap = 0;
}

/* ---- request helpers ------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* URL-decode n bytes of s into out ('+' is a space in queries). */
static void url_decode(const char *s, size_t n, char *out, size_t len, int plus)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else if (plus && s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

int api_query(const struct api_req *req, const char *name, char *out, size_t len)
{
	const char *p = req->query;
	size_t nl = strlen(name);

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', seg);
		char key[128];

		url_decode(p, eq ? (size_t)(eq - p) : seg, key, sizeof(key), 1);
		if (strlen(key) == nl && !strcmp(key, name)) {
			if (eq)
				url_decode(eq + 1, seg - (size_t)(eq + 1 - p), out, len, 1);
			else if (len)
				out[0] = '\0';
			return 0;
		}
		p = amp ? amp + 1 : NULL;
	}
	return -1;
}

double api_time_arg(const struct api_req *req, const char *name, double def, int *bad)
{
	char v[80];
	double t;

	if (api_query(req, name, v, sizeof(v)) || !v[0])
		return def;
	if (hub_parse_time(v, &t) || t < -62135596800.0 || t > 253402300799.0) {
		*bad = 1;
		return def;
	}
	return t;
}

/* Does path match pattern?  "*" is one segment, a final "**" the rest.
 * Fills req->params with the decoded segments. */
static int route_match(const char *pat, const char *path, struct api_req *req)
{
	req->nparams = 0;
	while (*pat && *path) {
		if (pat[0] == '*' && pat[1] == '*') {
			if (req->nparams < API_MAX_PARAMS)
				url_decode(path, strlen(path), req->params[req->nparams++],
					   sizeof(req->params[0]), 0);
			return 1;
		}
		if (*pat == '*') {
			size_t seg = strcspn(path, "/");

			if (!seg)
				return 0;
			if (req->nparams < API_MAX_PARAMS)
				url_decode(path, seg, req->params[req->nparams++],
					   sizeof(req->params[0]), 0);
			path += seg;
			pat++;
			continue;
		}
		if (*pat++ != *path++)
			return 0;
	}
	if (*path == '/' && !path[1] && !*pat)
		return 1;	/* trailing slash */
	return !*pat && !*path;
}

int api_origin_ok(const char *origin, const char *host, int tls)
{
	const char *scheme = tls ? "https://" : "http://";
	size_t sl = strlen(scheme);

	if (!origin)
		return 1;
	/* "null" (a sandboxed or privacy-minded page), a truncated header,
	 * another scheme, a path or another host: all foreign */
	if (strncasecmp(origin, scheme, sl) || !host || !*host)
		return 0;
	return !strcasecmp(origin + sl, host);
}

/* Is this write allowed to come from where it comes from? */
static int csrf_ok(struct api_req *req, struct api_resp *resp,
		   const char *origin, const char *host, const char *ctype)
{
	if (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD"))
		return 1;
	/* a DELETE without a body cannot come from a cross-site form; the
	 * Origin check below still applies */
	if (!strcmp(req->method, "DELETE") && !req->body_len && !*ctype)
		ctype = "application/json";
	if (strncasecmp(ctype, "application/json", 16)) {
		api_error(resp, 415, "writes must be Content-Type: application/json");
		return 0;
	}
	if (!api_origin_ok(origin, host, req->tls)) {
		api_error(resp, 403, "cross-origin request refused");
		return 0;
	}
	return 1;
}

/* The methods the routes matching path accept, as an Allow header
 * value ("GET, HEAD, POST"). */
static void allow_header(struct api_req *req, struct api_resp *resp)
{
	char allow[128] = "";
	size_t o = 0;

	for (int t = 0; t < req->h->api->ntables; t++)
		for (const struct api_route *r = req->h->api->tables[t]; r->pattern; r++) {
			if (!route_match(r->pattern, req->path, req) ||
			    strstr(allow, r->method))
				continue;
			o += (size_t)snprintf(allow + o, sizeof(allow) - o, "%s%s%s",
					      o ? ", " : "", r->method,
					      !strcmp(r->method, "GET") ? ", HEAD" : "");
			if (o >= sizeof(allow))
				return;
		}
	api_header(resp, "Allow", allow);
}

int api_strip_personal(cJSON *o)
{
	int n = 0;
	cJSON *it, *next;

	for (it = o ? o->child : NULL; it; it = next) {
		next = it->next;
		if (it->string && (!strcmp(it->string, "file") ||
				   !strcmp(it->string, "acknowledged_by") ||
				   !strcmp(it->string, "name") ||
				   !strcmp(it->string, "message"))) {
			cJSON_Delete(cJSON_DetachItemViaPointer(o, it));
			n++;
		} else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
			n += api_strip_personal(it);
		}
	}
	return n;
}

void api_routes_print(struct hub *h, FILE *f)
{
	static const char *const roles[] = { "none", "kiosk", "facilitator", "admin" };

	for (int t = 0; h->api && t < h->api->ntables; t++)
		for (const struct api_route *r = h->api->tables[t]; r->pattern; r++)
			fprintf(f, "%s %s %s\n", r->method, r->pattern,
				r->min_role >= 0 && r->min_role <= ROLE_ADMIN ?
				roles[r->min_role] : "?");
}

int api_dispatch(struct api_req *req, struct api_resp *resp,
		 const char *origin, const char *host, const char *ctype)
{
	const struct api_route *match = NULL;
	int path_known = 0;
	/* HEAD is GET without the body (http.c sends only the headers) */
	const char *method = !strcmp(req->method, "HEAD") ? "GET" : req->method;

	req->h->stats.http_requests++;
	resp->status = 200;
	/* the search stops at the winner, so req->params are its own */
	for (int t = 0; req->h->api && t < req->h->api->ntables && !match; t++)
		for (const struct api_route *r = req->h->api->tables[t]; r->pattern; r++) {
			if (!route_match(r->pattern, req->path, req))
				continue;
			path_known = 1;
			if (!strcmp(r->method, method)) {
				match = r;
				break;
			}
		}
	if (!match) {
		if (path_known) {
			api_error(resp, 405, "method %s not allowed here", req->method);
			allow_header(req, resp);
		} else
			api_error(resp, 404, "no such endpoint: %s", req->path);
		goto out;
	}
	if (!csrf_ok(req, resp, origin, host, ctype))
		goto out;
	/* one place for every body: what is stored is text a WebSocket
	 * frame can carry */
	if (req->body_len && !utf8_valid(req->body, req->body_len)) {
		api_error(resp, 400, "the body is not valid UTF-8 text (or holds a NUL byte)");
		goto out;
	}
	if (req->body_len && !strncasecmp(ctype, "application/json", 16)) {
		if (utf8_json_nul(req->body, req->body_len)) {
			api_error(resp, 400, "the body holds \\u0000, a NUL byte no text may carry");
			goto out;
		}
		req->json = cJSON_ParseWithLength(req->body, req->body_len);
		if (!req->json) {
			api_error(resp, 400, "the body is not valid JSON");
			goto out;
		}
	}
	if (req->h->api->identify)
		req->h->api->identify(req);
	if (req->role < match->min_role) {
		if (req->role == ROLE_NONE)
			api_error(resp, 401, "login required");
		else
			api_error(resp, 403, "your role may not do this");
		goto out;
	}
	if (req->role == ROLE_KIOSK && strcmp(method, "GET") && !kiosk_may_write(req->h, req->user_id)) {
		api_header(resp, "Retry-After", "60");
		api_error(resp, 429, "too many writes from this kiosk; kiosk.writes_per_min is %ld",
			  conf_int(req->h->conf, "kiosk.writes_per_min"));
		goto out;
	}
	/* a handler answers every outcome itself (resp carries it); one that
	 * failed (negative) without an error answer gets a 500 here, logged:
	 * never a success that was not one */
	if (match->fn(req, resp) < 0 && resp->status < 400) {
		LOG(L_ERR, "api: %s %s failed without an error answer: 500", method, req->path);
		api_error(resp, 500, "internal error: the request was not carried out whole");
	}
	/* a write may have ended a login or changed a role (logout, an
	 * account changed or deleted): open staff sockets follow at once,
	 * through the hook the WebSocket registered */
	if (strcmp(method, "GET") && resp->status < 400 && req->h->api->after_write)
		req->h->api->after_write(req->h);
out:
	if (resp->status >= 400)
		req->h->stats.http_errors++;
	if (resp->status >= 100 && resp->status < 600)
		req->h->stats.http_status[resp->status]++;
	cJSON_Delete(req->json);
	req->json = NULL;
	return 0;
}
