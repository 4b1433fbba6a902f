/*
 * door.c — the front door: which new connections the hub takes.
 *
 * lws accepts on http.listen and asks protocols[0] about each new socket
 * (LWS_CALLBACK_FILTER_NETWORK_CONNECTION, in http.c), which asks here.
 * A connection is closed at once when its address already has
 * http.max_per_addr open, or when it would eat into the descriptors kept
 * for the database, the broker and files (http.fd_reserve, and a spare
 * descriptor for the day accept() fails for want of one).
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

int door_init(struct hub *h)
{
	spare_hub = h;
	spare_out = 0;
	if ((spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		LOG(L_ERR, "door: no spare file descriptor: %s", strerror(errno));
		return -1;
	}
	log_watch_lws("accept:", accept_failed);
	loop_every(h, 500, 500, spare_tick, NULL);	/* none without a loop */
	return 0;
}

void door_fini(struct hub *h)
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
int door_admit(struct hub *h, int fd)
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
