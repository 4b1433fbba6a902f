/*
 * http.c — the lws HTTP protocol for the dynamic endpoints (/api, /healthz,
 * /metrics): gather the request (headers, query, body up to 1 MiB), hand
 * it to api_dispatch(), send the answer from LWS_CALLBACK_HTTP_WRITEABLE.
 * Static files under web/ are served by lws's own file mount.
 *
 * This protocol is protocols[0], so the inbox wake-up
 * (LWS_CALLBACK_EVENT_WAIT_CANCELLED) arrives here too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <libwebsockets.h>

#include "net/api.h"
#include "net/http.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
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

/* The peer of each connection admitted, by descriptor.  Connections are
 * counted per address without following each one's life: an entry whose
 * descriptor no longer has that peer (closed, or reused) is stale. */
static struct sockaddr_storage *peer_by_fd;
static int npeer_by_fd;

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
	return 0;
}

static int same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (!same_addr(a, b))
		return 0;
	return a->ss_family == AF_INET ?
	       ((const struct sockaddr_in *)a)->sin_port == ((const struct sockaddr_in *)b)->sin_port :
	       ((const struct sockaddr_in6 *)a)->sin6_port == ((const struct sockaddr_in6 *)b)->sin6_port;
}

/* Open connections from fd's address (fd not counted), at most cap (it
 * stops there).  Records fd's peer.  -1 when fd has no peer. */
static int from_same_addr(int fd, int cap)
{
	struct sockaddr_storage peer, now;
	socklen_t sl = sizeof(peer);
	int n = 0;

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&peer, &sl))
		return -1;
	if (fd >= npeer_by_fd) {
		int nn = npeer_by_fd ? npeer_by_fd : 256;
		struct sockaddr_storage *nt;

		while (nn <= fd)
			nn *= 2;
		if (!(nt = realloc(peer_by_fd, (size_t)nn * sizeof(*nt))))
			return -1;
		memset(nt + npeer_by_fd, 0, (size_t)(nn - npeer_by_fd) * sizeof(*nt));
		peer_by_fd = nt;
		npeer_by_fd = nn;
	}
	for (int i = 0; i < npeer_by_fd && n < cap; i++) {
		if (i == fd || !same_addr(&peer_by_fd[i], &peer))
			continue;
		sl = sizeof(now);
		if (!getpeername(i, (struct sockaddr *)&now, &sl) && same_peer(&now, &peer_by_fd[i]))
			n++;
		else
			peer_by_fd[i].ss_family = AF_UNSPEC;	/* stale */
	}
	peer_by_fd[fd] = peer;
	return n;
}

/* The spare descriptor (see http.h); out: given up, connections are
 * closed at once until it is back. */
static struct hub *spare_hub;
static int spare_fd = -1;
static int spare_out;

/* lws could not accept (it logs "accept: errno N"): give the spare up,
 * so the next accept() succeeds and admit_fd() closes what it took. */
static void accept_failed(const char *line)
{
	(void)line;
	if (!spare_hub)
		return;
	spare_hub->stats.accept_errors++;
	if (spare_fd >= 0) {
		close(spare_fd);
		spare_fd = -1;
		spare_out = 1;
	}
}

static void spare_tick(struct hub *h, void *arg)
{
	(void)h;
	(void)arg;
	if (spare_out && (spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		spare_out = 0;
}

int http_init(struct hub *h)
{
	spare_hub = h;
	spare_out = 0;
	if ((spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		LOG(L_ERR, "http: no spare file descriptor: %s", strerror(errno));
		return -1;
	}
	log_watch_lws("accept:", accept_failed);
	loop_every(h, 500, 500, spare_tick, NULL);	/* none without a loop */
	return 0;
}

void http_fini(struct hub *h)
{
	(void)h;
	log_watch_lws(NULL, NULL);
	if (spare_fd >= 0)
		close(spare_fd);
	spare_fd = -1;
	spare_hub = NULL;
	free(peer_by_fd);
	peer_by_fd = NULL;
	npeer_by_fd = 0;
}

/* A new connection on fd: close it at once when its address already has
 * http.max_per_addr open (one address cannot take every connection), or
 * when it would eat into the descriptors kept for the database, the
 * broker and files.  The kernel hands out the lowest free number, so
 * fd >= limit - reserve means that many are open.  1 to refuse. */
static int admit_fd(struct hub *h, int fd)
{
	struct rlimit lim;
	static double last_log, last_addr_log;
	static uint64_t logged, logged_addr;
	long reserve = conf_int(h->conf, "http.fd_reserve");
	int per_addr = (int)conf_int(h->conf, "http.max_per_addr");
	double now = hub_now();

	if (getrlimit(RLIMIT_NOFILE, &lim))	/* it may change (prlimit) */
		lim.rlim_cur = RLIM_INFINITY;
	if (spare_out ||	/* no descriptor was left: this one is the spare's */
	    (lim.rlim_cur != RLIM_INFINITY && (rlim_t)fd + (rlim_t)reserve >= lim.rlim_cur)) {
		h->stats.conns_refused++;
		if (now - last_log >= 10) {	/* one line per 10 s, however many */
			LOG(L_WARN, "http: %llu connections refused: %s (%ld of %llu file"
			    " descriptors kept free, http.fd_reserve)",
			    (unsigned long long)(h->stats.conns_refused - logged),
			    spare_out ? "none was left" : "few left",
			    reserve, (unsigned long long)lim.rlim_cur);
			last_log = now;
			logged = h->stats.conns_refused;
		}
		return 1;
	}
	if (from_same_addr(fd, per_addr) >= per_addr) {
		peer_by_fd[fd].ss_family = AF_UNSPEC;	/* lws closes it */
		h->stats.conns_refused_addr++;
		if (now - last_addr_log >= 10) {
			LOG(L_WARN, "http: %llu connections refused: one address had"
			    " http.max_per_addr (%d) open",
			    (unsigned long long)(h->stats.conns_refused_addr - logged_addr), per_addr);
			last_addr_log = now;
			logged_addr = h->stats.conns_refused_addr;
		}
		return 1;
	}
	return 0;
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
		return h ? admit_fd(h, (int)(intptr_t)in) : 0;

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

	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
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
