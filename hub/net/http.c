/*
 * http.c — the lws HTTP protocol for the dynamic endpoints (/api, /healthz,
 * /metrics): gather the request (headers, query, body up to 1 MiB), hand
 * it to api_dispatch(), send the answer from LWS_CALLBACK_HTTP_WRITEABLE.
 * Static files under web/ are served by lws's own file mount.
 *
 * This protocol is protocols[0], so the inbox wake-up
 * (LWS_CALLBACK_EVENT_WAIT_CANCELLED) arrives here too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libwebsockets.h>

#include "net/api.h"
#include "net/door.h"
#include "net/http.h"
#include "core/hub.h"
#include "core/loop.h"

#define BODY_MAX (1024 * 1024)

struct pss {
	struct api_req req;
	struct api_resp resp;
	char method[8];
	char path[1024];
	char query[2048];
	char cookie[2048];
	char origin[512];
	char host[256];
	char ctype[128];
	char *body;
	size_t body_len;
	size_t sent;
	int headers_sent;
	int too_big;
	int chunked;		/* Transfer-Encoding without a length: 411, then close */
	int answered;
};

static const struct { int token; const char *name; } methods[] = {
	{ WSI_TOKEN_GET_URI, "GET" },
	{ WSI_TOKEN_POST_URI, "POST" },
	{ WSI_TOKEN_PATCH_URI, "PATCH" },
	{ WSI_TOKEN_PUT_URI, "PUT" },
	{ WSI_TOKEN_DELETE_URI, "DELETE" },
	{ WSI_TOKEN_HEAD_URI, "HEAD" },
	{ WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
};

/* Copy header t into dst: "" when absent, "!" (never a valid value, so
 * never mistaken for an absent header) when it does not fit. */
static void hdr(struct lws *wsi, char *dst, size_t len, enum lws_token_indexes t)
{
	int n = lws_hdr_total_length(wsi, t);

	if (n <= 0)
		dst[0] = '\0';
	else if ((size_t)n >= len || lws_hdr_copy(wsi, dst, (int)len, t) < 0)
		snprintf(dst, len, "!");
}

/* Rebuild the query string from lws's (already decoded) fragments,
 * re-encoding what api_query() would otherwise misread. */
static void query(struct lws *wsi, char *out, size_t len)
{
	char frag[1024];
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
					     WSI_TOKEN_HTTP_URI_ARGS, i) > 0; i++) {
		int seen_eq = 0;

		if (o && o + 1 < len)
			out[o++] = '&';
		for (char *p = frag; *p && o + 4 < len; p++) {
			if ((*p == '%' || *p == '&' || *p == '+' || (*p == '=' && seen_eq))) {
				o += (size_t)snprintf(out + o, len - o, "%%%02X", (unsigned char)*p);
			} else {
				if (*p == '=')
					seen_eq = 1;
				out[o++] = *p;
			}
		}
		out[o] = '\0';
	}
}

static void answer(struct lws *wsi, struct pss *p)
{
	struct hub *h = lws_context_user(lws_get_context(wsi));

	p->req.h = h;
	p->req.method = p->method;
	p->req.path = p->path;
	p->req.query = p->query;
	p->req.cookie = p->cookie;
	p->req.body = p->body ? p->body : "";
	p->req.body_len = p->body_len;
	lws_get_peer_simple(wsi, p->req.peer, sizeof(p->req.peer));
	p->req.loopback = !strncmp(p->req.peer, "127.", 4) || !strcmp(p->req.peer, "::1") ||
			  !strncmp(p->req.peer, "::ffff:127.", 11);
	p->req.tls = lws_is_ssl(wsi);
	if (p->too_big)
		api_error(&p->resp, 413, "request body over %d bytes", BODY_MAX);
	else if (p->chunked)
		api_error(&p->resp, 411, "send the body with a Content-Length, not chunked");
	else
		api_dispatch(&p->req, &p->resp, p->origin[0] ? p->origin : NULL,
			     p->host[0] ? p->host : NULL, p->ctype);
	p->answered = 1;
	lws_callback_on_writable(wsi);
}

static int send_headers(struct lws *wsi, struct pss *p)
{
	uint8_t buf[LWS_PRE + 4096], *start = &buf[LWS_PRE], *q = start,
		*end = &buf[sizeof(buf) - 1];
	char *line = p->resp.headers;

	if (lws_add_http_common_headers(wsi, (unsigned)p->resp.status,
					p->resp.ctype ? p->resp.ctype : "application/json",
					(lws_filepos_t)p->resp.len, &q, end))
		return -1;
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
					(const unsigned char *)"no-store", 8, &q, end))
		return -1;
	while (line && *line) {
		char *colon = strchr(line, ':'), *eol = strstr(line, "\r\n");
		char name[128];

		if (!colon || !eol || colon > eol || (size_t)(colon - line) + 2 > sizeof(name))
			break;
		snprintf(name, sizeof(name), "%.*s:", (int)(colon - line), line);
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		colon++;
		while (*colon == ' ')
			colon++;
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)name,
						(const unsigned char *)colon,
						(int)(eol - colon), &q, end))
			return -1;
		line = eol + 2;
	}
	if (lws_finalize_write_http_header(wsi, start, &q, end))
		return -1;
	p->headers_sent = 1;
	return 0;
}

static int http_cb(struct lws *wsi, enum lws_callback_reasons reason,
		   void *user, void *in, size_t len)
{
	struct hub *h = lws_context_user(lws_get_context(wsi));
	struct pss *p = user;

	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (h)
			loop_drain(h);
		return 0;

	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		return h ? door_admit(h, (int)(intptr_t)in) : 0;

	case LWS_CALLBACK_HTTP: {
		char cl[32];
		long clen = 0;

		/* keep-alive: the previous transaction's buffers go first */
		free(p->body);
		api_resp_free(&p->resp);
		memset(p, 0, sizeof(*p));
		for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			if (lws_hdr_total_length(wsi, methods[i].token) > 0) {
				snprintf(p->method, sizeof(p->method), "%s", methods[i].name);
				hdr(wsi, p->path, sizeof(p->path), methods[i].token);
				break;
			}
		if (!p->method[0])
			return lws_return_http_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, NULL) ? -1 : 0;
		query(wsi, p->query, sizeof(p->query));
		hdr(wsi, p->cookie, sizeof(p->cookie), WSI_TOKEN_HTTP_COOKIE);
		hdr(wsi, p->origin, sizeof(p->origin), WSI_TOKEN_ORIGIN);
		hdr(wsi, p->host, sizeof(p->host), WSI_TOKEN_HOST);
		hdr(wsi, p->ctype, sizeof(p->ctype), WSI_TOKEN_HTTP_CONTENT_TYPE);
		hdr(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH);
		clen = atol(cl);
		if (clen > BODY_MAX)
			p->too_big = 1;
		if (!cl[0] && lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
			p->chunked = 1;	/* refused at once, not read */
		if (clen > 0 && !p->too_big)
			return 0;	/* answered once the body is in */
		answer(wsi, p);
		return 0;
	}

	case LWS_CALLBACK_HTTP_BODY:
		if (p->too_big || p->body_len + len > BODY_MAX) {
			p->too_big = 1;
			return 0;
		}
		{
			char *nb = realloc(p->body, p->body_len + len + 1);

			if (!nb)
				return -1;
			p->body = nb;
			memcpy(p->body + p->body_len, in, len);
			p->body_len += len;
			p->body[p->body_len] = '\0';
		}
		return 0;

	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (!p->answered)
			answer(wsi, p);
		return 0;

	case LWS_CALLBACK_HTTP_WRITEABLE: {
		size_t chunk;
		uint8_t *buf;
		int final;

		if (!p || !p->answered)
			return 0;
		if (!p->headers_sent) {
			if (send_headers(wsi, p))
				return -1;
			if (!strcmp(p->method, "HEAD"))
				p->sent = p->resp.len;
			lws_callback_on_writable(wsi);
			return 0;
		}
		chunk = p->resp.len - p->sent;
		if (chunk > 16384)
			chunk = 16384;
		final = p->sent + chunk >= p->resp.len;
		buf = malloc(LWS_PRE + chunk + 1);
		if (!buf)
			return -1;
		if (chunk)
			memcpy(buf + LWS_PRE, p->resp.body + p->sent, chunk);
		if (lws_write(wsi, buf + LWS_PRE, chunk,
			      final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)chunk) {
			free(buf);
			return -1;
		}
		free(buf);
		p->sent += chunk;
		if (!final) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		if (p->chunked)
			return -1;	/* the unread body makes the connection unusable */
		if (lws_http_transaction_completed(wsi))
			return -1;
		return 0;
	}

	case LWS_CALLBACK_WSI_DESTROY:
		if (h)
			door_http_drop(h, wsi);
		break;

	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (h && reason == LWS_CALLBACK_HTTP_DROP_PROTOCOL)
			door_http_drop(h, wsi);
		if (p) {
			free(p->body);
			p->body = NULL;
			api_resp_free(&p->resp);
		}
		return 0;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

const struct lws_protocols http_protocol = {
	"http", http_cb, sizeof(struct pss), 0, 0, NULL, 0
};
