/*
 * door.c — the front door: which new connections the hub takes.
 *
 * lws accepts on http.listen and asks protocols[0] about each new socket
 * (LWS_CALLBACK_FILTER_NETWORK_CONNECTION, in http.c), which asks here.
 * A connection is closed at once when its address already has
 * http.max_per_addr open, or when it would eat into the descriptors kept
 * for the database, the broker and files (http.fd_reserve, and a spare
 * descriptor for the day accept() fails for want of one).
 *
 * Then, on plain HTTP, the door looks at the connection's first request
 * head itself.  lws 4.1 keeps a head in a table of max_http_header_data bytes;
 * one that does not fit makes its parser give up and close the connection
 * without a word, before any callback.  Here a head over HTTP_HEAD_MAX
 * bytes or HTTP_HEAD_LINES lines gets a 431, a target with over
 * HTTP_HEAD_ARGS query arguments a 414, on the spot.  The door only looks
 * (MSG_PEEK) until the head is whole: then the socket goes to lws with
 * every byte still unread, and the head always fits lws's table
 * (core/loop.c sizes it).  (lws 4.1's adoption with a read buffer loops
 * on request bodies, so nothing is read before lws.)  Later requests on a
 * kept-alive connection are read by lws: http.c answers 431 when lws says
 * its table is full.  Under TLS (http.tls_cert) the bytes are encrypted:
 * lws takes the connection directly, and closes one whose head is too big.
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

#include "net/door.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/loop.h"

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

/* Room in peer_by_fd for descriptor fd.  0, or -1 out of memory. */
static int peer_room(int fd)
{
	int nn = npeer_by_fd ? npeer_by_fd : 256;
	struct sockaddr_storage *nt;

	if (fd < npeer_by_fd)
		return 0;
	while (nn <= fd)
		nn *= 2;
	if (!(nt = realloc(peer_by_fd, (size_t)nn * sizeof(*nt))))
		return -1;
	memset(nt + npeer_by_fd, 0, (size_t)(nn - npeer_by_fd) * sizeof(*nt));
	peer_by_fd = nt;
	npeer_by_fd = nn;
	return 0;
}

/* Open connections from fd's address (fd not counted), at most cap (it
 * stops there).  Records fd's peer.  -1 when fd has no peer. */
static int from_same_addr(int fd, int cap)
{
	struct sockaddr_storage peer, now;
	socklen_t sl = sizeof(peer);
	int n = 0;

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&peer, &sl) || peer_room(fd))
		return -1;
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

/* The spare descriptor (see door.h); out: given up, connections are
 * closed at once until it is back. */
static struct hub *spare_hub;
static int spare_fd = -1;
static int spare_out;

/* The connection on fd lives on in its duplicate `to`: move its record. */
static void peer_moved(int fd, int to)
{
	if (fd < 0 || fd >= npeer_by_fd || to < 0 || peer_room(to))
		return;
	peer_by_fd[to] = peer_by_fd[fd];
	peer_by_fd[fd].ss_family = AF_UNSPEC;
}

/* lws could not accept (it logs "accept: errno N"): give the spare up,
 * so the next accept() succeeds and door_admit() closes what it took. */
static int accept_failed(const char *line)
{
	(void)line;
	if (!spare_hub)
		return 0;
	spare_hub->stats.accept_errors++;
	if (spare_fd >= 0) {
		close(spare_fd);
		spare_fd = -1;
		spare_out = 1;
	}
	return 0;	/* lws's line is logged (folded when it repeats) */
}


static void spare_tick(struct hub *h, void *arg)
{
	(void)h;
	(void)arg;
	if (spare_out && (spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		spare_out = 0;
}

/* ---- the first request head ------------------------------------------ */

struct head {
	int done;	/* answered: what the client still sends is dropped */
};

#define HEAD_LOOK_US 20000	/* a partial head: look again this much later */

/* One line per 10 s, however many heads were refused. */
static void head_refused(struct hub *h, int status)
{
	static double last_log;
	static uint64_t logged;
	double now = hub_now();

	h->stats.heads_refused++;
	if (now - last_log >= 10) {
		LOG(L_WARN, "http: %llu request heads refused with %d (a head is at most %d bytes,"
		    " %d lines and %d query arguments)",
		    (unsigned long long)(h->stats.heads_refused - logged), status,
		    HTTP_HEAD_MAX, HTTP_HEAD_LINES, HTTP_HEAD_ARGS);
		last_log = now;
		logged = h->stats.heads_refused;
	}
}

void door_refuse_head(struct hub *h, int fd, int status)
{
	char out[512];
	const char *why = status == 414 ?
		"request line too long or with too many query arguments" :
		"request header block too large";
	char body[160];
	int bl = snprintf(body, sizeof(body), "{\"error\":\"%s (at most %d bytes, %d lines, %d query arguments)\"}\n",
			  why, HTTP_HEAD_MAX, HTTP_HEAD_LINES, HTTP_HEAD_ARGS);
	int n = snprintf(out, sizeof(out), "HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
			 "content-length: %d\r\ncache-control: no-store\r\nconnection: close\r\n\r\n%s",
			 status, status == 414 ? "URI Too Long" : "Request Header Fields Too Large",
			 bl, body);

	/* a small answer into an empty send buffer: it fits or the peer is gone */
	if (send(fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		LOG(L_DEBUG, "http: the %d could not be sent: %s", status, strerror(errno));
	shutdown(fd, SHUT_WR);
	head_refused(h, status);
}

/* What the head in b[0..len) calls for: 0 not whole yet, 1 whole and
 * within bounds, 414 (too many query arguments, or a request line longer
 * than a head) or 431. */
static int head_check(const char *b, size_t len)
{
	int lines = 0, args = 0, part = 0;	/* request line: method, target, version */

	for (size_t i = 0; i < len && i < HTTP_HEAD_MAX; i++) {
		char c = b[i];

		if (c == '\n') {
			if (i && (b[i - 1] == '\n' || (b[i - 1] == '\r' && i > 1 && b[i - 2] == '\n')))
				return args > HTTP_HEAD_ARGS ? 414 : 1;
			if (++lines > HTTP_HEAD_LINES)
				return 431;
		} else if (!lines) {	/* count the query arguments as lws splits them */
			if (c == ' ')
				part++;
			else if (part == 1 && c == '?' && !args)
				args = 1;
			else if (part == 1 && args && (c == '&' || c == ';'))
				args++;
		}
	}
	if (len < HTTP_HEAD_MAX)
		return 0;
	return lines ? 431 : 414;	/* no end of the request line: the target is too long */
}

/* lws gives up on a later head of a kept-alive connection that does not
 * fit its table (the door read only the first): it logs one of these
 * lines inside its parser and closes the connection, and the first word
 * the hub hears of it is HTTP_DROP_PROTOCOL, while the socket still sends.
 * The line marks the connection being closed: one thread, nothing runs
 * in between. */
static int head_full;

static int head_overflow(const char *line)
{
	(void)line;
	head_full = 1;
	return 1;	/* said by head_refused() instead */
}

void door_http_drop(struct hub *h, struct lws *wsi)
{
	int fd = lws_get_socket_fd(wsi);

	if (head_full && fd >= 0 && !lws_is_ssl(wsi))
		door_refuse_head(h, fd, 431);
	head_full = 0;
}

/* Hand the connection behind wsi to lws as HTTP, every byte unread. */
static void head_hand_over(struct hub *h, struct lws *wsi)
{
	int fd = lws_get_socket_fd(wsi);
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (nfd < 0) {
		LOG(L_WARN, "http: a connection closed: no descriptor to hand it on: %s", strerror(errno));
		return;
	}
	peer_moved(fd, nfd);
	lws_adopt_socket_vhost(h->vhost, nfd);	/* lws's from here, closed by lws even on failure */
}

/* Drop what the client sent after its head was refused: 0 while it may
 * send more, -1 once it closed (or failed). */
static int head_drain(int fd)
{
	char sink[4096];
	ssize_t n;

	while ((n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT)) > 0)
		;
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
}

static int door_cb(struct lws *wsi, enum lws_callback_reasons reason,
		   void *user, void *in, size_t len)
{
	static char look[HTTP_HEAD_MAX];	/* one thread: one look at a time */
	struct hub *h = lws_context_user(lws_get_context(wsi));
	struct head *hd = user;
	int fd = lws_get_socket_fd(wsi);
	ssize_t n;
	int verdict;

	switch (reason) {
	case LWS_CALLBACK_RAW_ADOPT_FILE:
		memset(hd, 0, sizeof(*hd));
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, HTTP_HEAD_WAIT_S);
		return 0;

	case LWS_CALLBACK_RAW_RX_FILE:
		if (hd->done)
			return head_drain(fd);
		n = recv(fd, look, sizeof(look), MSG_PEEK | MSG_DONTWAIT);
		if (n <= 0)	/* closed before a whole head, or failed */
			return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
		verdict = head_check(look, (size_t)n);
		if (verdict == 1) {
			head_hand_over(h, wsi);
			return -1;	/* our duplicate closes (a raw file: no shutdown) */
		}
		if (!verdict) {
			/* the bytes stay unread, so the socket stays readable:
			 * stop watching it for a moment instead of spinning */
			lws_rx_flow_control(wsi, 0);
			lws_set_timer_usecs(wsi, HEAD_LOOK_US);
			return 0;
		}
		hd->done = 1;
		if (head_drain(fd))
			return -1;
		door_refuse_head(h, fd, verdict);
		/* go on reading and dropping what the client still sends,
		 * so that closing with unread bytes does not reset the
		 * connection (and the answer with it) before it is read */
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, HTTP_HEAD_LINGER_S);
		return 0;

	case LWS_CALLBACK_TIMER:
		lws_rx_flow_control(wsi, 1);
		return 0;

	default:
		return 0;
	}
}

const struct lws_protocols door_protocol = {
	"mlab-door", door_cb, sizeof(struct head), 0, 0, NULL, 0
};

/* Watch nfd (a duplicate of a connection lws just accepted) until its
 * first head is whole: 0 when taken, -1 when it could not be (nfd is
 * closed then, and lws goes on with its own descriptor). */
static int door_take(struct hub *h, int nfd)
{
	lws_adopt_desc_t info;

	fcntl(nfd, F_SETFL, fcntl(nfd, F_GETFL) | O_NONBLOCK);
	memset(&info, 0, sizeof(info));
	info.vh = h->vhost;
	info.type = LWS_ADOPT_RAW_FILE_DESC;	/* polled; the door reads */
	info.fd.filefd = nfd;
	info.vh_prot_name = "mlab-door";
	if (!lws_adopt_descriptor_vhost_via_info(&info)) {
		close(nfd);
		return -1;
	}
	return 0;
}

/* The admission rules for a connection on fd: 1 refused (counted and
 * logged), 0 admitted (its peer noted). */
static int refused(struct hub *h, int fd)
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
		peer_by_fd[fd].ss_family = AF_UNSPEC;	/* closed */
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

int door_admit(struct hub *h, int fd)
{
	int nfd = -1;

	/* On plain HTTP the door keeps a duplicate, and that is the number
	 * the connection holds once lws closes its own: judge by it. */
	if (!conf_str(h->conf, "http.tls_cert"))	/* else encrypted: lws reads the head */
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (refused(h, nfd >= 0 ? nfd : fd)) {
		if (nfd >= 0)
			close(nfd);
		return 1;
	}
	if (nfd < 0)
		return 0;
	if (door_take(h, nfd)) {
		peer_moved(nfd, fd);
		return 0;
	}
	return 1;	/* lws closes fd; the connection lives on in nfd */
}

/* ---- start and stop --------------------------------------------------- */

int door_init(struct hub *h)
{
	spare_hub = h;
	spare_out = 0;
	if ((spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		LOG(L_ERR, "door: no spare file descriptor: %s", strerror(errno));
		return -1;
	}
	log_watch_lws("accept:", accept_failed);
	log_watch_lws("Ran out of header data space", head_overflow);
	log_watch_lws("More hdr frags than we can deal with", head_overflow);
	loop_every(h, 500, 500, spare_tick, NULL);	/* none without a loop */
	return 0;
}

void door_fini(struct hub *h)
{
	(void)h;
	log_watch_lws("accept:", NULL);
	log_watch_lws("Ran out of header data space", NULL);
	log_watch_lws("More hdr frags than we can deal with", NULL);
	if (spare_fd >= 0)
		close(spare_fd);
	spare_fd = -1;
	spare_hub = NULL;
	free(peer_by_fd);
	peer_by_fd = NULL;
	npeer_by_fd = 0;
}
