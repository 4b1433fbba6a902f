/*
 * ws.c — the /ws WebSocket protocol (see ws.h for the promises).
 *
 * Per client: a bitmap of devices changed since they were last sent (so a
 * slow client gets the latest state once, never a backlog), a FIFO of
 * other messages bounded by ws.queue_max and ws.queue_max_kb, and a
 * snapshot.  Each writeable callback sends what the socket takes:
 * snapshot, then queued messages, then changed devices.
 *
 * Memory does not grow with clients times devices.  The snapshot is sent
 * as one message in fragments, from what all clients share (net/snap.c);
 * a device that changes meanwhile is marked changed and sent again
 * after.  A queued message is one buffer shared by every client it is
 * queued for.  A client that never reads therefore holds its queue's
 * nodes and one fragment, and the heap is trimmed once clients are
 * gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cjson/cJSON.h>
#include <libwebsockets.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/loop.h"
#include "net/api.h"
#include "net/snap.h"
#include "net/utf8.h"
#include "net/ws.h"

/* Logins behind open staff sockets are re-checked after every API write
 * and on this period (expiry, the command line). */
#define WS_RECHECK_MS 2000

/* A message queued for clients: one buffer, counted references. */
struct qmsg {
	int refs;
	size_t len;
	unsigned char buf[];	/* LWS_PRE + len */
};

struct qnode {
	struct qnode *next;
	struct qmsg *m;
};

struct client {
	struct client *next;
	struct lws *wsi;
	char peer[64];		/* remote address */
	char *cookie;		/* the Cookie header of a logged-in client */
	int role;
	int audience;
	int snapshot;		/* a snapshot to start */
	struct snap_stream st;	/* the snapshot being sent */
	int dead;
	int ping;		/* a ping to send */
	double heard;		/* last frame (or pong) from the client */
	unsigned char *dirty;	/* bitmap by device idx */
	int dirty_bits;
	int dirty_cursor;
	int ndirty;
	struct qnode *qhead, *qtail;
	int qlen;
	size_t qbytes;
};

struct ws {
	struct client *clients;
	struct snap *snap;	/* what the clients share */
	int n;
	int queue_max;
	size_t queue_bytes;
	int trim;		/* clients left since the heap was last trimmed */
	int max_clients;
	int max_per_addr;
	int staff_reserve;
	int sndbuf;
	double idle_s;
};

static void drop(struct client *c, const char *why);

/* A client silent for ws.idle_s is pinged (browsers answer by
 * themselves); one still silent after twice that is closed: a socket
 * held open and never read must not keep its place for ever. */
static void idle_check(struct hub *h)
{
	double now = hub_now();

	for (struct client *c = h->ws->clients; c; c = c->next) {
		if (c->dead)
			continue;
		if (now - c->heard > 2 * h->ws->idle_s) {
			LOG(L_INFO, "ws: closing a client silent for %.0f s", now - c->heard);
			drop(c, "idle");
		} else if (now - c->heard > h->ws->idle_s) {
			c->ping = 1;
			lws_callback_on_writable(c->wsi);
		}
	}
}

static void recheck_tick(struct hub *h, void *arg)
{
	(void)arg;
	ws_recheck(h);	/* logins that expired, or changed by the CLI */
	idle_check(h);
#ifdef __GLIBC__
	/* what clients that left held goes back to the system, not kept
	 * for the next burst */
	if (h->ws->trim) {
		h->ws->trim = 0;
		malloc_trim(0);
	}
#endif
}

int ws_init(struct hub *h)
{
	struct ws *w = calloc(1, sizeof(*w));

	if (!w || !(w->snap = snap_new())) {
		free(w);
		return -1;
	}
	w->queue_max = (int)conf_int(h->conf, "ws.queue_max");
	w->queue_bytes = (size_t)conf_int(h->conf, "ws.queue_max_kb") * 1024;
	w->max_clients = (int)conf_int(h->conf, "ws.max_clients");
	w->sndbuf = (int)conf_int(h->conf, "ws.sndbuf_kb") * 1024;
	w->max_per_addr = (int)conf_int(h->conf, "ws.max_per_addr");
	w->staff_reserve = (int)conf_int(h->conf, "ws.staff_reserve");
	w->idle_s = (double)conf_int(h->conf, "ws.idle_s");
	h->ws = w;
	api_on_write(h, ws_recheck);
	loop_every(h, WS_RECHECK_MS, WS_RECHECK_MS, recheck_tick, NULL);
	return 0;
}

void ws_fini(struct hub *h)
{
	if (h->ws)
		snap_free(h->ws->snap);
	free(h->ws);
	h->ws = NULL;
}

int ws_client_count(const struct hub *h)
{
	return h->ws ? h->ws->n : 0;
}

static void qmsg_put(struct qmsg *m)
{
	if (m && --m->refs <= 0)
		free(m);
}

/* Free what c holds (its queue, its snapshot in progress). */
static void queue_free(struct client *c)
{
	struct qnode *n, *next;

	for (n = c->qhead; n; n = next) {
		next = n->next;
		qmsg_put(n->m);
		free(n);
	}
	c->qhead = c->qtail = NULL;
	c->qlen = 0;
	c->qbytes = 0;
	snap_end(&c->st);
}

/* Bytes held for c alone (its queue: the snapshot's text is shared),
 * kept as a high-water mark for /metrics. */
static void note_held(struct hub *h, const struct client *c)
{
	if (c->qbytes > h->stats.ws_held_peak)
		h->stats.ws_held_peak = c->qbytes;
}

static int set_dirty(struct client *c, int idx)
{
	if (idx >= c->dirty_bits) {
		int bits = c->dirty_bits ? c->dirty_bits : 256;
		unsigned char *nd;

		while (bits <= idx)
			bits *= 2;
		nd = realloc(c->dirty, (size_t)bits / 8);
		if (!nd)
			return -1;
		memset(nd + c->dirty_bits / 8, 0, (size_t)(bits - c->dirty_bits) / 8);
		c->dirty = nd;
		c->dirty_bits = bits;
	}
	if (!(c->dirty[idx / 8] & (1u << (idx % 8)))) {
		c->dirty[idx / 8] |= (unsigned char)(1u << (idx % 8));
		c->ndirty++;
	}
	return 0;
}

void ws_device_changed(struct hub *h, int idx)
{
	if (!h->ws)
		return;
	for (struct client *c = h->ws->clients; c; c = c->next) {
		if (c->dead || c->snapshot)
			continue;	/* the snapshot will carry it */
		if (set_dirty(c, idx) == 0)
			lws_callback_on_writable(c->wsi);
	}
}

/* Close c now: free what it holds, send nothing more, close it
 * asynchronously (it may never become writeable again). */
static void drop(struct client *c, const char *why)
{
	c->dead = 1;
	c->snapshot = 0;
	c->ndirty = 0;
	queue_free(c);
	lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
			 (unsigned char *)why, strlen(why));
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

/* Drop a client that cannot keep up. */
static void drop_slow(struct hub *h, struct client *c)
{
	h->stats.ws_dropped_slow++;
	LOG(L_WARN, "ws: closing a client that fell %d messages behind (%zu bytes)",
	    c->qlen, c->qbytes);
	drop(c, "too slow");
}

void ws_resync(struct hub *h)
{
	if (!h->ws)
		return;
	snap_renumbered(h->ws->snap);
	for (struct client *c = h->ws->clients; c; c = c->next) {
		if (c->dead)
			continue;
		c->snapshot = 1;
		c->ndirty = 0;
		if (c->dirty)
			memset(c->dirty, 0, (size_t)c->dirty_bits / 8);
		lws_callback_on_writable(c->wsi);
	}
}

void ws_recheck(struct hub *h)
{
	if (!h->ws)
		return;
	/* after an API write, and every WS_RECHECK_MS (the command line
	 * writes too): a snapshot's text is built anew */
	snap_changed(h->ws->snap);
	for (struct client *c = h->ws->clients; c; c = c->next) {
		if (c->dead || c->role == ROLE_NONE)
			continue;
		if (api_role_of_cookie(h, c->cookie) == c->role)
			continue;
		/* logged out, disabled, deleted, new password or new role:
		 * nothing more for this socket; the page reconnects and gets
		 * the view its cookie now gives */
		LOG(L_INFO, "ws: closing a socket whose login ended or changed");
		drop(c, "login ended");
	}
}

static struct qmsg *qmsg_new(const char *s, size_t len)
{
	struct qmsg *m = malloc(sizeof(*m) + LWS_PRE + len);

	if (!m)
		return NULL;
	m->refs = 0;
	m->len = len;
	memcpy(m->buf + LWS_PRE, s, len);
	return m;
}

void ws_broadcast(struct hub *h, const char *type, cJSON *obj,
		  enum ws_audience audience)
{
	char *s, *pub;
	size_t len, publen;
	struct qmsg *ms, *mp;

	if (h->ws)
		snap_changed(h->ws->snap);	/* a snapshot built before misses it */
	if (!h->ws || !h->ws->clients) {
		cJSON_Delete(obj);
		return;
	}
	{	/* "type" first, as in every message */
		cJSON *msg = cJSON_CreateObject(), *it;

		cJSON_AddStringToObject(msg, "type", type);
		while (obj && (it = obj->child)) {
			cJSON_DetachItemViaPointer(obj, it);
			cJSON_AddItemToObject(msg, it->string, it);
		}
		cJSON_Delete(obj);
		obj = msg;
	}
	s = cJSON_PrintUnformatted(obj);
	/* the public and the kiosk get it without what names a person */
	pub = api_strip_personal(obj) ? cJSON_PrintUnformatted(obj) : NULL;
	cJSON_Delete(obj);
	if (!s) {
		free(pub);
		return;
	}
	len = strlen(s);
	utf8_scrub(s, len);
	publen = pub ? strlen(pub) : len;
	if (pub)
		utf8_scrub(pub, publen);
	/* one buffer per audience, shared by every client it goes to */
	ms = qmsg_new(s, len);
	mp = pub ? qmsg_new(pub, publen) : NULL;
	free(s);
	free(pub);
	if (!ms || (pub && !mp)) {
		free(ms);
		free(mp);
		return;
	}
	for (struct client *c = h->ws->clients; c; c = c->next) {
		struct qmsg *m = c->audience >= WS_STAFF || !mp ? ms : mp;
		struct qnode *n;

		if (c->dead || c->audience < (int)audience || c->snapshot)
			continue;
		if (c->qlen >= h->ws->queue_max ||
		    (c->qlen && c->qbytes + m->len > h->ws->queue_bytes)) {
			drop_slow(h, c);
			continue;
		}
		if (!(n = malloc(sizeof(*n))))
			continue;
		n->next = NULL;
		n->m = m;
		m->refs++;
		if (c->qtail)
			c->qtail->next = n;
		else
			c->qhead = n;
		c->qtail = n;
		c->qlen++;
		c->qbytes += m->len;
		note_held(h, c);
		lws_callback_on_writable(c->wsi);
	}
	ms->refs++;
	qmsg_put(ms);
	if (mp) {
		mp->refs++;
		qmsg_put(mp);
	}
}

/* Put the parts' after-snapshot messages (the status) first in c's
 * queue, in table order. */
static void queue_after(struct hub *h, struct client *c)
{
	struct qnode *head = NULL, *last = NULL;

	for (int i = 0; i < ws_nparts; i++) {
		cJSON *o = ws_parts[i]->after ? ws_parts[i]->after(h, c->audience) : NULL;
		char *s = o ? cJSON_PrintUnformatted(o) : NULL;
		struct qmsg *m = s ? qmsg_new(s, strlen(s)) : NULL;
		struct qnode *n = m ? malloc(sizeof(*n)) : NULL;

		cJSON_Delete(o);
		free(s);
		if (!n) {
			free(m);
			continue;
		}
		m->refs = 1;
		n->m = m;
		n->next = NULL;
		if (last)
			last->next = n;
		else
			head = n;
		last = n;
		c->qlen++;
		c->qbytes += m->len;
	}
	if (!head)
		return;
	last->next = c->qhead;
	if (!c->qhead)
		c->qtail = last;
	c->qhead = head;
}

/* Send the next fragment of c's snapshot.  0, or -1 to close. */
static int snap_send(struct hub *h, struct client *c)
{
	size_t len;
	int first, fin, rc;
	unsigned char *f = snap_next(h, h->ws->snap, &c->st, c->audience >= WS_STAFF,
				     &len, &first, &fin);
	enum lws_write_protocol wp = first ? LWS_WRITE_TEXT : LWS_WRITE_CONTINUATION;

	if (!f)
		return -1;
	if (!fin)
		wp |= LWS_WRITE_NO_FIN;
	rc = lws_write(c->wsi, f + LWS_PRE, len, wp) < (int)len;
	free(f);
	if (fin) {
		snap_end(&c->st);
		if (!rc)
			queue_after(h, c);
	}
	return rc ? -1 : 0;
}

/* Send one message (or snapshot fragment) to c. Returns 0, or -1 to
 * close. */
static int send_one(struct hub *h, struct client *c)
{
	if (c->st.text)
		return snap_send(h, c);
	if (c->snapshot) {
		c->snapshot = 0;
		if (snap_begin(h, h->ws->snap, &c->st, c->role))
			return -1;
		return snap_send(h, c);
	}
	if (c->qhead) {
		struct qnode *n = c->qhead;
		struct qmsg *m = n->m;
		int rc;

		c->qhead = n->next;
		if (!c->qhead)
			c->qtail = NULL;
		c->qlen--;
		c->qbytes -= m->len;
		free(n);
		rc = lws_write(c->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) < (int)m->len;
		qmsg_put(m);
		return rc ? -1 : 0;
	}
	while (c->ndirty) {
		int idx = c->dirty_cursor;
		unsigned char *m;
		size_t len;

		c->dirty_cursor = (c->dirty_cursor + 1) % c->dirty_bits;
		if (!(c->dirty[idx / 8] & (1u << (idx % 8))))
			continue;
		c->dirty[idx / 8] &= (unsigned char)~(1u << (idx % 8));
		c->ndirty--;
		if (!(m = snap_item(h, h->ws->snap, idx, c->audience >= WS_STAFF, &len)))
			continue;	/* gone, or out of memory: the next change sends it */
		return lws_write(c->wsi, m, len, LWS_WRITE_TEXT) < (int)len ? -1 : 0;
	}
	return 0;
}

/* Copy header t into dst; "" when absent, "!" (never a valid value)
 * when longer than dst. */
static void header(struct lws *wsi, char *dst, int len, enum lws_token_indexes t)
{
	int n = lws_hdr_total_length(wsi, t);

	if (n <= 0)
		dst[0] = '\0';
	else if (n >= len || lws_hdr_copy(wsi, dst, len, t) < 0)
		snprintf(dst, (size_t)len, "!");
}

/* May this handshake become a client?  0 yes, 1 no (logged once per
 * reason and time by the caller's counters). */
static int admit(struct hub *h, struct lws *wsi)
{
	struct ws *w = h->ws;
	char uri[64], cookie[2048], origin[512], host[256], peer[64];
	int role, same = 0;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 ||
	    (strcmp(uri, "/ws") && strcmp(uri, "/ws/")))
		return 1;	/* WebSockets live on /ws only */
	header(wsi, cookie, sizeof(cookie), WSI_TOKEN_HTTP_COOKIE);
	header(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN);
	header(wsi, host, sizeof(host), WSI_TOKEN_HOST);
	role = api_role_of_cookie(h, cookie);
	/* the JSON API's rule: a page of another site may not act with
	 * the staff's cookie */
	if (role > ROLE_NONE && !api_origin_ok(origin[0] ? origin : NULL, host, lws_is_ssl(wsi))) {
		LOG(L_NOTICE, "ws: refusing a logged-in handshake from another origin");
		return 1;
	}
	lws_get_peer_simple(wsi, peer, sizeof(peer));
	for (struct client *c = w->clients; c; c = c->next)
		same += !c->dead && !strcmp(c->peer, peer);
	if (w->n >= w->max_clients ||
	    (role == ROLE_NONE && w->n >= w->max_clients - w->staff_reserve)) {
		h->stats.ws_refused++;
		LOG(L_WARN, "ws: refusing a client: ws.max_clients (%d) reached", w->max_clients);
		return 1;
	}
	if (role == ROLE_NONE && same >= w->max_per_addr) {
		h->stats.ws_refused++;
		LOG(L_INFO, "ws: refusing a client: ws.max_per_addr (%d) reached for %s",
		    w->max_per_addr, peer);
		return 1;
	}
	return 0;
}

static int ws_cb(struct lws *wsi, enum lws_callback_reasons reason,
		 void *user, void *in, size_t len)
{
	struct hub *h = lws_context_user(lws_get_context(wsi));
	struct client *c = user;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return admit(h, wsi);

	case LWS_CALLBACK_HTTP:
		/* a file a mount does not have, asked on a fresh connection
		 * (bound to this default protocol): answer now, not at the
		 * 10 s timeout */
		if (lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL) ||
		    lws_http_transaction_completed(wsi))
			return -1;
		return 0;
	case LWS_CALLBACK_ESTABLISHED: {
		char cookie[2048];

		memset(c, 0, sizeof(*c));
		c->wsi = wsi;
		if (lws_hdr_copy(wsi, cookie, sizeof(cookie), WSI_TOKEN_HTTP_COOKIE) < 0)
			cookie[0] = '\0';
		c->role = api_role_of_cookie(h, cookie);
		lws_get_peer_simple(wsi, c->peer, sizeof(c->peer));
		if (c->role > ROLE_NONE && !(c->cookie = strdup(cookie)))
			return -1;
		c->audience = c->role >= ROLE_FACILITATOR ? WS_STAFF :
			      c->role == ROLE_KIOSK ? WS_KIOSK : WS_PUBLIC;
		c->snapshot = 1;
		c->heard = hub_now();
		/* the kernel's buffer counts too: left to autotune, a stalled
		 * client can hold megabytes before our own queue notices */
		if (h->ws->sndbuf)
			setsockopt(lws_get_socket_fd(wsi), SOL_SOCKET, SO_SNDBUF,
				   &h->ws->sndbuf, sizeof(h->ws->sndbuf));
		c->next = h->ws->clients;
		h->ws->clients = c;
		h->ws->n++;
		lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (c->dead)
			return -1;
		if (c->ping) {
			unsigned char pb[LWS_PRE + 4];

			c->ping = 0;
			if (lws_write(wsi, pb + LWS_PRE, 0, LWS_WRITE_PING) < 0)
				return -1;
			lws_callback_on_writable(wsi);
			return 0;
		}
		/* several messages while the socket takes them: one per loop
		 * turn would let a busy lab outrun every client */
		for (int n = 0; n < 64 && (c->st.text || c->snapshot || c->qhead || c->ndirty); n++) {
			if (send_one(h, c))
				return -1;
			if (lws_send_pipe_choked(wsi))
				break;
		}
		if (c->st.text || c->snapshot || c->qhead || c->ndirty)
			lws_callback_on_writable(wsi);
		return 0;

	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		/* mlab-ws is the vhost's default protocol, so plain file
		 * transactions on a fresh connection are bound to it: finish
		 * them as lws's dummy does, or the next request on the kept-
		 * alive connection is answered with the previous file */
		return lws_callback_http_dummy(wsi, reason, user, in, len);

	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_RECEIVE_PONG:
		/* clients only listen; a ping-like "hello" is fine, the rest
		 * ignored: either says the client is there */
		c->heard = hub_now();
		return 0;

	case LWS_CALLBACK_CLOSED:
		for (struct client **pp = &h->ws->clients; *pp; pp = &(*pp)->next)
			if (*pp == c) {
				*pp = c->next;
				h->ws->n--;
				break;
			}
		queue_free(c);
		free(c->dirty);
		c->dirty = NULL;
		h->ws->trim = 1;
		free(c->cookie);
		c->cookie = NULL;
		return 0;

	default:
		break;
	}
	return 0;
}

const struct lws_protocols ws_protocol = {
	"mlab-ws", ws_cb, sizeof(struct client), 4096, 0, NULL, 0
};
