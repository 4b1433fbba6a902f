/*
 * loop.c — the lws context, adopted fds, signals, timers and the inbox
 * drain: everything that makes the one service thread go round.  It knows
 * no module by name: modules arm their timers (loop_every), the ingest
 * takes the inbox (loop_on_inbox), SIGHUP goes to reload.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <libwebsockets.h>
#include <systemd/sd-daemon.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/inbox.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/reload.h"


struct watch {
	loop_fd_fn fn;
	void *arg;
	int fd;
};

struct loop_timer {
	lws_sorted_usec_list_t sul;
	struct loop *l;
	loop_timer_fn fn;
	void *arg;
	long period_ms;
};

struct loop {
	struct hub *h;
	int sigfd;
	struct lws *sigwsi;
	lws_sorted_usec_list_t sul_watchdog;
	struct loop_timer timer[LOOP_TIMERS_MAX];
	int ntimer;
	loop_inbox_fn inbox_fn;		/* who takes the inbox's messages */
	struct lws_http_mount mounts[8];
	struct lws_protocol_vhost_options pvo_default, pvo;
	char listen_host[256];
	char kiosk[4200], wall[4200];	/* mount origins */
};

/* The raw-file protocol: adopted fds (signalfd, GPIO) readable → callback. */
static char loop_root[4096];

static int raw_cb(struct lws *wsi, enum lws_callback_reasons reason,
		  void *user, void *in, size_t len)
{
	struct hub *h = lws_context_user(lws_get_context(wsi));
	struct watch *w = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (w)
			w->fn(h, w->fd, w->arg);
		break;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		free(w);
		lws_set_opaque_user_data(wsi, NULL);
		break;
	default:
		break;
	}
	return 0;
}

/* The inbox wake-up arrives on protocol[0]'s callback as
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED (see http.c, which calls loop_drain). */

static const struct lws_protocols raw_protocol = {
	"mlab-raw", raw_cb, 0, 0, 0, NULL, 0
};

static struct lws_protocols protocols[LOOP_PROTOCOLS_MAX + 2];

struct lws *loop_watch_fd(struct hub *h, int fd, loop_fd_fn fn, void *arg)
{
	lws_adopt_desc_t info;
	struct watch *w = calloc(1, sizeof(*w));
	struct lws *wsi;

	if (!w)
		return NULL;
	w->fn = fn;
	w->arg = arg;
	w->fd = fd;
	memset(&info, 0, sizeof(info));
	info.vh = h->vhost;
	info.type = LWS_ADOPT_RAW_FILE_DESC;
	/* lws closes what it adopts: give it a dup, the caller keeps fd */
	info.fd.filefd = dup(fd);
	if (info.fd.filefd < 0) {
		LOG(L_ERR, "loop: cannot watch fd %d: %s", fd, strerror(errno));
		free(w);
		return NULL;
	}
	info.vh_prot_name = "mlab-raw";
	info.opaque = w;
	wsi = lws_adopt_descriptor_vhost_via_info(&info);
	if (!wsi) {
		LOG(L_ERR, "loop: cannot watch fd %d", fd);
		close(info.fd.filefd);
		free(w);
	}
	return wsi;
}

void loop_unwatch(struct hub *h, struct lws *w)
{
	if (w)	/* closes lws's dup; the caller's fd stays open */
		lws_set_timeout(w, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
}

static void on_signal(struct hub *h, int fd, void *arg)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (!h->stopping)
				LOG(L_NOTICE, "hub: %s: stopping", strsignal((int)si.ssi_signo));
			h->stopping = 1;
			lws_cancel_service(h->lws);
			break;
		case SIGHUP:
			LOG(L_NOTICE, "hub: SIGHUP: reloading");
			reload_run(h);
			break;
		default:
			break;
		}
	}
}

void loop_on_inbox(struct hub *h, loop_inbox_fn fn)
{
	if (h->loop)
		h->loop->inbox_fn = fn;
}

void loop_drain(struct hub *h)
{
	struct inbox_msg *m = inbox_take(h->inbox), *next;
	loop_inbox_fn fn = h->loop ? h->loop->inbox_fn : NULL;

	for (; m; m = next) {
		next = m->next;
		if (fn)
			fn(h, m);
		free(m);
	}
}

/* A timer gets only its sul: the hub is found through the loop state
 * that holds it.  Rescheduled first, so fn may cancel nothing. */
static void timer_cb(lws_sorted_usec_list_t *sul)
{
	struct loop_timer *t = lws_container_of(sul, struct loop_timer, sul);

	lws_sul_schedule(t->l->h->lws, 0, &t->sul, timer_cb, t->period_ms * LWS_US_PER_MS);
	t->fn(t->l->h, t->arg);
}

int loop_every(struct hub *h, long first_ms, long period_ms, loop_timer_fn fn, void *arg)
{
	struct loop *l = h->loop;
	struct loop_timer *t;

	if (!l || !h->lws)
		return -1;	/* a tool or a unit test: nothing runs */
	if (l->ntimer >= LOOP_TIMERS_MAX) {
		LOG(L_ERR, "loop: more than %d timers", LOOP_TIMERS_MAX);
		return -1;
	}
	t = &l->timer[l->ntimer++];
	t->l = l;
	t->fn = fn;
	t->arg = arg;
	t->period_ms = period_ms;
	lws_sul_schedule(h->lws, 0, &t->sul, timer_cb, first_ms * LWS_US_PER_MS);
	return 0;
}

static void tick_watchdog(lws_sorted_usec_list_t *sul)
{
	struct loop *l = lws_container_of(sul, struct loop, sul_watchdog);
	uint64_t usec;

	sd_notify(0, "WATCHDOG=1");
	if (sd_watchdog_enabled(0, &usec) > 0)
		lws_sul_schedule(l->h->lws, 0, &l->sul_watchdog, tick_watchdog,
				 (lws_usec_t)(usec / 3));
}

/* Resolve the web root: http.root, else ./web next to a source checkout,
 * else the installed share directory. */
static void web_root(struct hub *h)
{
	const char *root = conf_str(h->conf, "http.root");
	char exe[3000];
	ssize_t n;

	if (root) {
		snprintf(h->web_root, sizeof(h->web_root), "%s", root);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash, cand[4200];

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';	/* …/hub or …/bin */
			snprintf(cand, sizeof(cand), "%s/../web/index.html", exe);
			if (!access(cand, R_OK)) {
				snprintf(h->web_root, sizeof(h->web_root), "%s/../web", exe);
				return;
			}
			snprintf(cand, sizeof(cand), "%s/../../web/index.html", exe);
			if (!access(cand, R_OK)) {
				snprintf(h->web_root, sizeof(h->web_root), "%s/../../web", exe);
				return;
			}
			snprintf(cand, sizeof(cand), "%s/../share/mlab-hub/web", exe);
			if (!access(cand, R_OK)) {
				snprintf(h->web_root, sizeof(h->web_root), "%s/../share/mlab-hub/web", exe);
				return;
			}
		}
	}
	snprintf(h->web_root, sizeof(h->web_root), "web");
}

/* ---- files under the web root, never through a symbolic link ---------- */

static int root_fd = -1;	/* the web root (one context per process) */
static size_t root_len;
static lws_fop_fd_t (*plain_open)(const struct lws_plat_file_ops *fops,
				  const char *filename, const char *vpath,
				  lws_fop_flags_t *flags);

/* lws's file open, after checking that filename resolves beneath the web
 * root without a symbolic link (openat2 RESOLVE_NO_SYMLINKS): a link left
 * in web/ must not serve /etc or the database.  NULL is "not found". */
static lws_fop_fd_t open_beneath(const struct lws_plat_file_ops *fops,
				 const char *filename, const char *vpath,
				 lws_fop_flags_t *flags)
{
	const char *rel = filename + root_len;
	struct open_how how;
	long fd;

	if (root_fd >= 0 && !strncmp(filename, loop_root, root_len) && *rel == '/') {
		while (*rel == '/')
			rel++;
		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_CLOEXEC;
		how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH;
		fd = *rel ? syscall(SYS_openat2, root_fd, rel, &how, sizeof(how)) : dup(root_fd);
		if (fd < 0)
			return NULL;
		close((int)fd);
	}
	return plain_open(fops, filename, vpath, flags);
}

static void guard_files(struct hub *h)
{
	struct lws_plat_file_ops *f = lws_get_fops(h->lws);

	snprintf(loop_root, sizeof(loop_root), "%s", h->web_root);
	root_len = strlen(loop_root);
	root_fd = open(loop_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 || !f) {
		LOG(L_WARN, "http: cannot open the web root %s: %s", loop_root, strerror(errno));
		return;
	}
	plain_open = f->LWS_FOP_OPEN;
	f->LWS_FOP_OPEN = open_beneath;
}

/* As many descriptors as the hard limit allows (systemd's LimitNOFILE):
 * the soft limit is often 1,024. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static void mount(struct loop *l, int i, const char *at, const char *origin,
		  int kind, const char *def)
{
	struct lws_http_mount *m = &l->mounts[i];

	memset(m, 0, sizeof(*m));
	m->mountpoint = at;
	m->mountpoint_len = (unsigned char)strlen(at);
	m->origin = origin;
	m->origin_protocol = (unsigned char)kind;
	m->def = def;
	if (kind == LWSMPRO_FILE) {
		/* files: kept by the browser, revalidated with their ETag
		 * (lws answers 304 to a matching If-None-Match) after a
		 * second, so an upgrade shows at the next load while an
		 * unchanged page costs one small round trip per file */
		m->cache_max_age = 1;
		m->cache_reusable = 1;
		m->cache_revalidate = 1;
		m->cache_intermediaries = 0;	/* private */
	}
	if (i > 0)
		l->mounts[i - 1].mount_next = m;
}

/* The security headers of every answer, static files included.  lws's
 * own set (LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE)
 * has no manifest-src, so the kiosk's web app manifest would be refused
 * under its default-src 'none'; this is the same set plus manifest-src
 * (workers fall back to script-src 'self').  Names end with ':' (lws). */
static const struct lws_protocol_vhost_options sec_headers[] = {
	{ &sec_headers[1], NULL, "content-security-policy:",
	  "default-src 'none'; img-src 'self' data:; script-src 'self'; font-src 'self'; "
	  "style-src 'self'; connect-src 'self' ws: wss:; manifest-src 'self'; "
	  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'" },
	{ &sec_headers[2], NULL, "x-content-type-options:", "nosniff" },
	{ &sec_headers[3], NULL, "x-xss-protection:", "1; mode=block" },
	{ &sec_headers[4], NULL, "x-frame-options:", "deny" },
	{ NULL, NULL, "referrer-policy:", "no-referrer" },
};

int loop_init(struct hub *h)
{
	struct lws_context_creation_info info;
	const char *listen = conf_str(h->conf, "http.listen");
	const char *colon = strrchr(listen, ':');
	struct loop *l = calloc(1, sizeof(*l));
	sigset_t set;

	if (!l)
		return -1;
	l->h = h;
	l->sigfd = -1;
	h->loop = l;
	web_root(h);
	snprintf(l->listen_host, sizeof(l->listen_host), "%.*s",
		 (int)(colon - listen), listen);
	snprintf(l->kiosk, sizeof(l->kiosk), "%s/kiosk", h->web_root);
	snprintf(l->wall, sizeof(l->wall), "%s/wall", h->web_root);
	mount(l, 0, "/api", "http", LWSMPRO_CALLBACK, NULL);
	mount(l, 1, "/healthz", "http", LWSMPRO_CALLBACK, NULL);
	mount(l, 2, "/metrics", "http", LWSMPRO_CALLBACK, NULL);
	mount(l, 3, "/kiosk", l->kiosk, LWSMPRO_FILE, "index.html");
	mount(l, 4, "/wall", l->wall, LWSMPRO_FILE, "index.html");
	mount(l, 5, "/", h->web_root, LWSMPRO_FILE, "index.html");
	mount(l, 6, "/readyz", "http", LWSMPRO_CALLBACK, NULL);

	/* the served protocols (hub/wire.c: http first, it gets the inbox
	 * wake-up), then the raw files, then the terminator */
	for (int i = 0; i < loop_nprotocols && i < LOOP_PROTOCOLS_MAX; i++)
		protocols[i] = *loop_protocols[i];
	protocols[loop_nprotocols] = raw_protocol;
	memset(&protocols[loop_nprotocols + 1], 0, sizeof(protocols[0]));

	/* a WebSocket upgrade without a subprotocol name gets mlab-ws */
	l->pvo_default.name = "default";
	l->pvo_default.value = "1";
	l->pvo.name = "mlab-ws";
	l->pvo.options = &l->pvo_default;

	raise_nofile();
	memset(&info, 0, sizeof(info));
	info.port = atoi(colon + 1);
	if (strcmp(l->listen_host, "*") && strcmp(l->listen_host, "0.0.0.0") && l->listen_host[0])
		info.iface = l->listen_host;
	if (!strcmp(l->listen_host, "[::]"))
		info.iface = NULL;
	info.protocols = protocols;
	info.pvo = &l->pvo;
	info.mounts = l->mounts;
	info.user = h;
	info.headers = sec_headers;
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 |
		       LWS_SERVER_OPTION_DISABLE_IPV6;
	info.vhost_name = "mlab-hub";
	info.server_string = "mlab-hub";
	info.timeout_secs = HTTP_HEAD_WAIT_S;
	/* lws stores a head's known values and unknown fields with 8 bytes
	 * of its own each (at most 4 more than the raw line): any head the
	 * door lets through fits, and lws never gives up on one silently */
	info.max_http_header_data = HTTP_HEAD_MAX + 4 * HTTP_HEAD_LINES + 512;
	info.keepalive_timeout = 5;
	if (conf_str(h->conf, "http.tls_cert")) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = conf_str(h->conf, "http.tls_cert");
		info.ssl_private_key_filepath = conf_str(h->conf, "http.tls_key");
	}
	log_route_lws();
	h->lws = lws_create_context(&info);
	if (!h->lws) {
		LOG(L_ERR, "http.listen: cannot serve on %s (address in use or not local?)", listen);
		return -1;
	}
	h->vhost = lws_get_vhost_by_name(h->lws, "mlab-hub");
	if (!h->vhost) {
		LOG(L_ERR, "http.listen: cannot serve on %s", listen);
		return -1;
	}
	inbox_wake_context(h->inbox, h->lws);
	guard_files(h);

	/* signals come through the loop */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0 || !(l->sigwsi = loop_watch_fd(h, l->sigfd, on_signal, NULL))) {
		LOG(L_ERR, "loop: cannot set up signal handling: %s", strerror(errno));
		return -1;
	}
	LOG(L_NOTICE, "http: serving %s on http://%s/", h->web_root, listen);
	return 0;
}

void loop_run(struct hub *h)
{
	uint64_t usec;

	sd_notify(0, "READY=1\nSTATUS=running");
	if (sd_watchdog_enabled(0, &usec) > 0)
		tick_watchdog(&h->loop->sul_watchdog);
	while (!h->stopping && lws_service(h->lws, 0) >= 0)
		;
	sd_notify(0, "STOPPING=1");
	/* what arrived before the signal is still stored */
	loop_drain(h);
}

void loop_fini(struct hub *h)
{
	struct loop *l = h->loop;

	if (h->lws) {
		if (l) {
			for (int i = 0; i < l->ntimer; i++)
				lws_sul_cancel(&l->timer[i].sul);
			lws_sul_cancel(&l->sul_watchdog);
		}
		inbox_wake_context(h->inbox, NULL);
		lws_context_destroy(h->lws);
		h->lws = NULL;
	}
	if (l && l->sigfd >= 0)
		close(l->sigfd);
	if (root_fd >= 0)
		close(root_fd);
	root_fd = -1;
	free(l);
	h->loop = NULL;
}
