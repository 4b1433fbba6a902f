/*
 * mlab-scand — scanner agent: turns files that 3D-scanning software saves
 * into a folder (Creaform VXelements, EinScan, Revopoint…) into native
 * scan events for mlab-hub.
 *
 * It watches one folder with inotify.  A new mesh or scan file publishes
 * `scan.started`; once the file is complete — no writes for --settle-ms,
 * size stable, and the format's own length or trailer present — it
 * publishes `scan.finished` with the file name, size and, for STL, PLY, OBJ
 * and ASC, vertex and face counts.  IN_CLOSE_WRITE is not trusted alone,
 * since Samba and Windows writers may keep a file open or never close it.
 * A rename into a watched extension (`scan.tmp` → `scan.stl`) completes a
 * file at once.  A file deleted or moved away before it is complete
 * publishes nothing more.  If the folder disappears, the agent polls for it
 * every second and watches it again when it comes back.
 *
 * Events are written to an fsync'd journal under --state-dir before they
 * are published, and are republished in order (on every reconnect, then
 * every --resend-s seconds, and at once when an ack reports them missing)
 * until an ack of the journal's boot covers them on mlab/v1/<id>/ack, so a
 * scan made while the hub or the network is down is still counted.  The
 * boot id and seq live in the journal and survive restarts (docs/devices.md,
 * "Acknowledgements").  Files already counted are
 * remembered in <id>.known so a restart or a returning folder does not
 * count them twice.
 *
 * Threads: main owns the inotify fd, the journal and every file; the
 * libmosquitto thread only stores the acknowledged seq in an atomic (and
 * the missing ranges under a mutex) and wakes main through an eventfd.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <limits.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/broker.h"
#include "common/clk.h"
#include "common/dlog.h"
#include "common/journal.h"
#include "common/mesh.h"
#include "common/native.h"
#include "common/opt.h"
#include "common/sbuf.h"

#define DEFAULT_EXTS "stl,ply,obj,3mf,asc,e57"
#define LIMBO_MS 1000		/* how long a moved-away file may come back */

/* A file seen being written, not yet reported finished. */
struct tracked {
	char *name;		/* owned */
	int64_t size;
	int64_t last_ms;	/* monotonic ms of the last activity */
	int64_t started_us;	/* wall clock at scan.started */
	int moved_in;		/* arrived by rename: complete now */
	int limbo;		/* moved away; may reappear under a new name */
	uint32_t cookie;
	int64_t limbo_ms;
};

/* A file already counted: same name, size and mtime is not a new scan. */
struct known {
	char *name;		/* owned */
	int64_t size;
	int64_t mtime_ns;
};

struct scand {
	/* options; strings borrowed from argv or static */
	const char *dir, *id, *name, *room, *model, *state_dir;
	struct opt_conn mqtt;	/* the broker */
	long settle_ms, resend_s, journal_max;
	char *exts[32];		/* owned, lowercase, no dot */
	size_t n_exts;

	int ino, wd, efd, sfd;
	int64_t next_dir_poll_ms, next_resend_ms;
	struct journal j;
	struct broker b;
	int broker_up;
	char t_status[NATIVE_TOPIC_MAX], t_meta[NATIVE_TOPIC_MAX];
	char t_event[NATIVE_TOPIC_MAX], t_ack[NATIVE_TOPIC_MAX];
	struct sbuf meta;
	atomic_llong ack_rx;	/* written by the network thread */
	atomic_int need_resend;
	pthread_mutex_t mlock;	/* guards missing, nmissing */
	int64_t missing[NATIVE_MISSING_MAX][2];
	int nmissing;

	struct tracked *tr;
	size_t ntr, captr;
	struct known *kn;
	size_t nkn, capkn;
	char *known_path;	/* owned */
	int known_fd;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: mlab-scand --dir DIR [OPTION]...\n"
"Watch DIR for scans saved by 3D-scanning software and report them to\n"
"mlab-hub as native events on mlab/v1/<id>/event (scan.started,\n"
"scan.finished), kept in a journal until the hub acknowledges them.\n"
"\n"
"  -d, --dir DIR          folder the scanning software saves into (required)\n"
"  -i, --id ID            device id, [A-Za-z0-9._-]{1,64} (default scanner-<host>)\n"
"  -n, --name NAME        display name (default \"Scanner 3D\")\n"
"  -r, --room ROOM        room, e.g. \"Salle 2\"\n"
"  -m, --model MODEL      scanner model, e.g. \"Creaform Go!SCAN 3D\"\n"
"  -H, --host HOST        MQTT broker (default 127.0.0.1)\n"
"  -p, --port PORT        MQTT port (default 1883)\n"
"  -u, --username USER    MQTT user name\n"
"  -P, --password PASS    MQTT password (or MLAB_MQTT_PASSWORD)\n"
"  -s, --state-dir DIR    journal and known-file list (default\n"
"                         $STATE_DIRECTORY, else /var/lib/mlab-scand)\n"
"  -S, --settle-ms MS     quiet time before a file counts as complete (3000)\n"
"  -e, --extensions LIST  watched extensions (default " DEFAULT_EXTS ")\n"
"      --resend-s S       republish unacknowledged events every S s (10)\n"
"      --journal-max N    keep at most N unacknowledged events, dropping the\n"
"                         oldest (100000)\n"
"  -v, --verbose          more log lines (repeat for debug)\n"
"  -q, --quiet            warnings and errors only\n"
"  -V, --version          print the version and exit\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 after SIGINT/SIGTERM, 1 on a runtime error, 2 on bad options.\n");
}

/* 1 if name ends in one of the watched extensions (case-insensitive). */
static int ext_match(const struct scand *s, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (!dot || dot == name || name[0] == '.')
		return 0;
	for (i = 0; i < s->n_exts; i++)
		if (strcasecmp(dot + 1, s->exts[i]) == 0)
			return 1;
	return 0;
}

/* Split a comma-separated list into s->exts, or exit 2. */
static void parse_exts(struct scand *s, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;

	if (!copy)
		exit(1);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *p;

		while (*tok == ' ' || *tok == '.')
			tok++;
		if (!*tok)
			continue;
		for (p = tok; *p; p++) {
			if (*p == '/' || *p == ' ')
				opt_usage_error("--extensions: bad extension "
						"'%s'", tok);
			*p = (char)tolower((unsigned char)*p);
		}
		if (s->n_exts == sizeof(s->exts) / sizeof(s->exts[0]))
			opt_usage_error("--extensions: too many");
		s->exts[s->n_exts++] = strdup(tok);
	}
	free(copy);
	if (s->n_exts == 0)
		opt_usage_error("--extensions: empty list");
}

static void wake(struct scand *s)
{
	uint64_t one = 1;

	if (write(s->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		DLOG(D_DEBUG, "eventfd: %s", strerror(errno));
}

/* Network thread: birth messages, ack subscription, ask main to resend. */
static void on_connect(struct broker *b, void *arg)
{
	struct scand *s = arg;

	broker_publish(b, s->t_status, "online", 1, 1);
	broker_publish(b, s->t_meta, sbuf_str(&s->meta), 1, 1);
	broker_subscribe(b, s->t_ack, 1);
	atomic_store(&s->need_resend, 1);
	wake(s);
}

/*
 * Network thread: keep the highest seq acknowledged for our boot (an ack
 * without boot, from a hub before boot ids, counts as ours), and the
 * ranges it reports missing.  s->j.boot is fixed before the broker starts.
 */
static void on_message(struct broker *b, const char *topic,
		       const char *payload, int len, int retained, void *arg)
{
	struct scand *s = arg;
	struct native_ack a;
	long long cur;

	if (strcmp(topic, s->t_ack) != 0)
		return;
	if (native_parse_ack(payload, len, &a) < 0) {
		DLOG(D_WARN, "ignoring malformed ack: %.*s", len, payload);
		return;
	}
	if (!native_ack_covers(&a, s->j.boot)) {
		DLOG(D_INFO, "ignoring an ack of boot %s (ours is %s)", a.boot,
		     s->j.boot);
		return;
	}
	cur = atomic_load(&s->ack_rx);
	while (a.seq > cur &&
	       !atomic_compare_exchange_weak(&s->ack_rx, &cur, a.seq))
		;
	if (a.nmissing) {
		pthread_mutex_lock(&s->mlock);
		memcpy(s->missing, a.missing, sizeof(a.missing));
		s->nmissing = a.nmissing;
		pthread_mutex_unlock(&s->mlock);
	}
	wake(s);
}

/* ---- known files ---------------------------------------------------- */

static int known_add_mem(struct scand *s, const char *name, int64_t size,
			 int64_t mtime_ns)
{
	struct known *k;

	if (s->nkn == s->capkn) {
		size_t cap = s->capkn ? 2 * s->capkn : 64;

		k = realloc(s->kn, cap * sizeof(*k));
		if (!k)
			return -1;
		s->kn = k;
		s->capkn = cap;
	}
	k = &s->kn[s->nkn];
	k->name = strdup(name);
	if (!k->name)
		return -1;
	k->size = size;
	k->mtime_ns = mtime_ns;
	s->nkn++;
	return 0;
}

static int known_has(const struct scand *s, const char *name, int64_t size,
		     int64_t mtime_ns)
{
	size_t i;

	for (i = s->nkn; i-- > 0;)
		if (s->kn[i].size == size && s->kn[i].mtime_ns == mtime_ns &&
		    strcmp(s->kn[i].name, name) == 0)
			return 1;
	return 0;
}

/* Remember a counted file, in memory and on disk. */
static int known_add(struct scand *s, const char *name, int64_t size,
		     int64_t mtime_ns)
{
	char *line = NULL;
	int n;

	if (known_add_mem(s, name, size, mtime_ns) < 0)
		return -1;
	n = asprintf(&line, "%lld %lld %s\n", (long long)mtime_ns,
		     (long long)size, name);
	if (n < 0)
		return -1;
	if (write(s->known_fd, line, (size_t)n) != n ||
	    fdatasync(s->known_fd) < 0) {
		DLOG(D_WARN, "%s: %s", s->known_path, strerror(errno));
		free(line);
		return -1;
	}
	free(line);
	return 0;
}

static int stat_file(const struct scand *s, const char *name,
		     struct stat *st)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", s->dir, name) >=
	    (int)sizeof(path))
		return -1;
	return stat(path, st);
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/*
 * Load <id>.known.  On the very first run (no file yet) the files already
 * in the folder are taken as counted, so installing the agent on a folder
 * full of old scans does not report them all.
 */
static int known_open(struct scand *s)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int first = 0;

	if (asprintf(&s->known_path, "%s/%s.known", s->state_dir, s->id) < 0)
		return -1;
	f = fopen(s->known_path, "re");
	if (f) {
		while ((n = getline(&line, &cap, f)) > 0) {
			long long mt, sz;
			int off = 0;

			if (line[n - 1] != '\n')
				break;
			line[n - 1] = '\0';
			if (sscanf(line, "%lld %lld %n", &mt, &sz, &off) == 2 &&
			    off > 0 && line[off])
				known_add_mem(s, line + off, sz, mt);
		}
		free(line);
		fclose(f);
	} else if (errno == ENOENT) {
		first = 1;
	} else {
		DLOG(D_ERR, "%s: %s", s->known_path, strerror(errno));
		return -1;
	}
	s->known_fd = open(s->known_path,
			   O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (s->known_fd < 0) {
		DLOG(D_ERR, "%s: %s", s->known_path, strerror(errno));
		return -1;
	}
	if (first) {
		DIR *d = opendir(s->dir);
		struct dirent *de;
		struct stat st;
		int count = 0;

		while (d && (de = readdir(d))) {
			if (!ext_match(s, de->d_name) ||
			    stat_file(s, de->d_name, &st) < 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			known_add(s, de->d_name, st.st_size, mtime_ns(&st));
			count++;
		}
		if (d)
			closedir(d);
		if (count)
			DLOG(D_NOTICE, "first run: %d file(s) already in %s "
			     "taken as counted", count, s->dir);
	}
	return 0;
}

/* ---- events ---------------------------------------------------------- */

/* Publish every unacknowledged event, oldest first. */
static void resend_all(struct scand *s)
{
	size_t i;

	if (!atomic_load(&s->b.connected))
		return;
	for (i = 0; i < s->j.n; i++)
		broker_publish(&s->b, s->t_event, s->j.ev[i].json, 1, 0);
	if (s->j.n)
		DLOG(D_INFO, "republished %zu unacknowledged event(s)", s->j.n);
	s->next_resend_ms = clk_mono_ms() + s->resend_s * 1000;
}

/* Publish at once the pending events an ack reported missing. */
static void resend_missing(struct scand *s)
{
	int64_t r[NATIVE_MISSING_MAX][2];
	int n, k;
	size_t i, sent = 0;

	pthread_mutex_lock(&s->mlock);
	n = s->nmissing;
	memcpy(r, s->missing, sizeof(r));
	s->nmissing = 0;
	pthread_mutex_unlock(&s->mlock);
	if (!n || !atomic_load(&s->b.connected))
		return;
	for (i = 0; i < s->j.n; i++)
		for (k = 0; k < n; k++)
			if (s->j.ev[i].seq >= r[k][0] &&
			    s->j.ev[i].seq <= r[k][1]) {
				broker_publish(&s->b, s->t_event,
					       s->j.ev[i].json, 1, 0);
				sent++;
				break;
			}
	if (sent)
		DLOG(D_INFO, "republished %zu event(s) the hub is missing",
		     sent);
}

/*
 * Journal then publish one event about file t.  mi is NULL for
 * scan.started.  Returns 0, or -1 if it could not be journaled.
 */
static int emit(struct scand *s, const char *type, const struct tracked *t,
		const struct mesh_info *mi)
{
	struct sbuf sb;
	char ts[40];
	int64_t now = clk_real_us(), seq = s->j.next_seq;
	int64_t base = journal_next(&s->j);
	int rc;

	clk_iso_utc(ts, sizeof(ts), now);
	sbuf_init(&sb);
	sbuf_printf(&sb, "{\"seq\":%lld,\"boot\":\"%s\",\"base\":%lld,"
		    "\"type\":\"%s\",\"ts\":\"%s\",\"file\":", (long long)seq,
		    s->j.boot, (long long)base, type, ts);
	sbuf_jstr(&sb, t->name, SBUF_UTF8);
	if (mi) {
		if (mi->format[0])
			sbuf_printf(&sb, ",\"format\":\"%s\"", mi->format);
		sbuf_printf(&sb, ",\"size\":%lld", (long long)mi->size);
		if (mi->vertices >= 0)
			sbuf_printf(&sb, ",\"vertices\":%lld",
				    (long long)mi->vertices);
		if (mi->faces >= 0)
			sbuf_printf(&sb, ",\"faces\":%lld",
				    (long long)mi->faces);
		sbuf_printf(&sb, ",\"duration_s\":%.1f",
			    (double)(now - t->started_us) / 1e6);
	}
	sbuf_printf(&sb, "}");
	if (sb.err) {
		sbuf_free(&sb);
		return -1;
	}
	rc = journal_append(&s->j, sbuf_str(&sb));
	if (rc == 0) {
		DLOG(D_NOTICE, "%s %s (seq %lld)", type, t->name,
		     (long long)seq);
		if (atomic_load(&s->b.connected))
			broker_publish(&s->b, s->t_event, sbuf_str(&sb), 1, 0);
		if (s->j.n == 1)
			s->next_resend_ms = clk_mono_ms() + s->resend_s * 1000;
	}
	sbuf_free(&sb);
	return rc;
}

/* ---- tracked files ----------------------------------------------------- */

static struct tracked *find(struct scand *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ntr; i++)
		if (!s->tr[i].limbo && strcmp(s->tr[i].name, name) == 0)
			return &s->tr[i];
	return NULL;
}

static void untrack(struct scand *s, struct tracked *t)
{
	size_t i = (size_t)(t - s->tr);

	free(t->name);
	s->tr[i] = s->tr[--s->ntr];
}

/* Start following name and publish scan.started.  Returns NULL on error. */
static struct tracked *track(struct scand *s, const char *name)
{
	struct tracked *t;

	if (s->ntr == s->captr) {
		size_t cap = s->captr ? 2 * s->captr : 16;

		t = realloc(s->tr, cap * sizeof(*t));
		if (!t)
			return NULL;
		s->tr = t;
		s->captr = cap;
	}
	t = &s->tr[s->ntr];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	if (!t->name)
		return NULL;
	t->size = -1;
	t->last_ms = clk_mono_ms();
	t->started_us = clk_real_us();
	s->ntr++;
	emit(s, "scan.started", t, NULL);
	return t;
}

/* Forget every file in progress (the folder went away). */
static void untrack_all(struct scand *s)
{
	while (s->ntr)
		untrack(s, &s->tr[0]);
}

/*
 * Publish scan.finished for every file that is quiet, stable in size and
 * complete by its format.  A file that vanished is dropped silently.
 */
static void check_settled(struct scand *s)
{
	int64_t now = clk_mono_ms();
	size_t i = 0;

	while (i < s->ntr) {
		struct tracked *t = &s->tr[i];
		struct mesh_info mi;
		struct stat st;
		char path[PATH_MAX];

		if (t->limbo) {
			if (now - t->limbo_ms >= LIMBO_MS) {
				DLOG(D_INFO, "%s moved away before it was "
				     "complete", t->name);
				untrack(s, t);
				continue;
			}
			i++;
			continue;
		}
		if (!t->moved_in && now - t->last_ms < s->settle_ms) {
			i++;
			continue;
		}
		if (stat_file(s, t->name, &st) < 0 || !S_ISREG(st.st_mode)) {
			DLOG(D_INFO, "%s is gone before it was complete",
			     t->name);
			untrack(s, t);
			continue;
		}
		if (st.st_size != t->size) {
			t->size = st.st_size;	/* not stable yet */
			t->last_ms = now;
			if (!t->moved_in) {
				i++;
				continue;
			}
		}
		snprintf(path, sizeof(path), "%s/%s", s->dir, t->name);
		if (mesh_probe(path, &mi) < 0 || !mi.complete) {
			t->moved_in = 0;	/* wait for more bytes */
			t->last_ms = now;
			i++;
			continue;
		}
		if (emit(s, "scan.finished", t, &mi) < 0) {
			i++;
			continue;
		}
		known_add(s, t->name, st.st_size, mtime_ns(&st));
		untrack(s, t);
	}
}

/* The earliest time check_settled() has something to do, in ms from now. */
static long settle_timeout(const struct scand *s)
{
	int64_t now = clk_mono_ms(), best = 1000;
	size_t i;

	for (i = 0; i < s->ntr; i++) {
		const struct tracked *t = &s->tr[i];
		int64_t due = t->limbo ? t->limbo_ms + LIMBO_MS :
			      t->moved_in ? now : t->last_ms + s->settle_ms;

		if (due - now < best)
			best = due - now;
	}
	return best < 0 ? 0 : (long)best;
}

/* Note activity on name; starts tracking it unless it is already counted. */
static void activity(struct scand *s, const char *name, int moved_in)
{
	struct tracked *t = find(s, name);
	struct stat st;

	if (stat_file(s, name, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	if (!t) {
		if (known_has(s, name, st.st_size, mtime_ns(&st)))
			return;	/* e.g. a late IN_CLOSE_WRITE */
		t = track(s, name);
		if (!t)
			return;
	}
	t->last_ms = clk_mono_ms();
	t->size = st.st_size;
	if (moved_in)
		t->moved_in = 1;
}

/* Look at every file in the folder (start, folder back, queue overflow). */
static void rescan(struct scand *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (ext_match(s, de->d_name))
			activity(s, de->d_name, 0);
	closedir(d);
}

/* ---- the folder watch -------------------------------------------------- */

#define WATCH_MASK (IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | \
		    IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | \
		    IN_MOVE_SELF | IN_ONLYDIR)

/* Try to watch the folder; on success look at what is already there. */
static void watch_dir(struct scand *s)
{
	static int logged;

	s->wd = inotify_add_watch(s->ino, s->dir, WATCH_MASK);
	if (s->wd < 0) {
		if (!logged++)
			DLOG(D_WARN, "%s: %s; waiting for it", s->dir,
			     strerror(errno));
		s->next_dir_poll_ms = clk_mono_ms() + 1000;
		return;
	}
	if (logged)
		DLOG(D_NOTICE, "%s is back, watching it", s->dir);
	logged = 0;
	rescan(s);
}

static void dir_lost(struct scand *s, int rm)
{
	if (rm && s->wd >= 0)
		inotify_rm_watch(s->ino, s->wd);
	s->wd = -1;
	if (s->ntr)
		DLOG(D_WARN, "%s went away with %zu file(s) in progress",
		     s->dir, s->ntr);
	untrack_all(s);
	s->next_dir_poll_ms = clk_mono_ms();
	watch_dir(s);
}

static void handle_inotify(struct scand *s)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;
	char *p;

	while ((len = read(s->ino, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;
			struct tracked *t;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				DLOG(D_WARN, "inotify queue overflow, rescanning");
				rescan(s);
				continue;
			}
			if (ev->wd != s->wd || s->wd < 0)
				continue;
			if (ev->mask & (IN_DELETE_SELF | IN_IGNORED |
					IN_UNMOUNT)) {
				dir_lost(s, 0);
				continue;
			}
			if (ev->mask & IN_MOVE_SELF) {
				dir_lost(s, 1);
				continue;
			}
			if (!ev->len || (ev->mask & IN_ISDIR) ||
			    !ext_match(s, ev->name))
				continue;
			if (ev->mask & IN_MOVED_FROM) {
				t = find(s, ev->name);
				if (t) {
					t->limbo = 1;
					t->cookie = ev->cookie;
					t->limbo_ms = clk_mono_ms();
				}
			} else if (ev->mask & IN_MOVED_TO) {
				size_t i;

				for (i = 0; i < s->ntr; i++) {
					t = &s->tr[i];
					if (t->limbo && t->cookie == ev->cookie) {
						char *n = strdup(ev->name);

						if (!n)
							break;
						free(t->name);
						t->name = n;
						t->limbo = 0;
						break;
					}
				}
				activity(s, ev->name, 1);
			} else if (ev->mask & IN_DELETE) {
				t = find(s, ev->name);
				if (t) {
					DLOG(D_INFO, "%s deleted before it was "
					     "complete", t->name);
					untrack(s, t);
				}
			} else {
				activity(s, ev->name, 0);
			}
		}
	}
}

/* ---- main ------------------------------------------------------------- */

/* "scanner-<hostname>" cut to the native id alphabet. */
static const char *default_id(void)
{
	static char id[NATIVE_ID_MAX + 1];
	char host[256] = "";
	size_t i, n;

	gethostname(host, sizeof(host) - 1);
	n = (size_t)snprintf(id, sizeof(id), "scanner-%s", host);
	if (n >= sizeof(id))
		n = sizeof(id) - 1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("._-", id[i]))
			id[i] = '-';
	id[n] = '\0';
	if (n == 8)
		strcpy(id, "scanner-1");
	return id;
}

static void parse_args(struct scand *s, int argc, char **argv)
{
	enum { O_RESEND = 256, O_JMAX };
	static const struct option lo[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "id", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "room", required_argument, NULL, 'r' },
		{ "model", required_argument, NULL, 'm' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "settle-ms", required_argument, NULL, 'S' },
		{ "extensions", required_argument, NULL, 'e' },
		{ "resend-s", required_argument, NULL, O_RESEND },
		{ "journal-max", required_argument, NULL, O_JMAX },
		OPT_BROKER_LONGOPTS,
		OPT_QUIET_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	const char *exts = DEFAULT_EXTS;
	int c;

	s->name = "Scanner 3D";
	s->room = "";
	s->model = "";
	opt_conn_init(&s->mqtt);
	s->settle_ms = 3000;
	s->resend_s = 10;
	s->journal_max = 100000;
	s->state_dir = getenv("STATE_DIRECTORY");
	if (!s->state_dir || !*s->state_dir)
		s->state_dir = "/var/lib/mlab-scand";
	opterr = 0;
	while ((c = getopt_long(argc, argv,
				":d:i:n:r:m:s:S:e:q" OPT_BROKER_SHORT, lo,
				NULL)) != -1) {
		switch (c) {
		case 'd': s->dir = opt_str("dir", optarg, PATH_MAX - 256); break;
		case 'i': s->id = optarg; break;
		case 'n': s->name = opt_str("name", optarg, 200); break;
		case 'r': s->room = opt_str("room", optarg, 200); break;
		case 'm': s->model = opt_str("model", optarg, 200); break;
		case 's': s->state_dir = opt_str("state-dir", optarg,
						 PATH_MAX - 256); break;
		case 'S': s->settle_ms = opt_long("settle-ms", optarg, 50,
						  3600000); break;
		case 'e': exts = optarg; break;
		case O_RESEND: s->resend_s = opt_long("resend-s", optarg, 1,
						      86400); break;
		case O_JMAX: s->journal_max = opt_long("journal-max", optarg,
						       1, 100000000); break;
		default:
			if (!opt_broker(c, &s->mqtt, usage))
				opt_getopt_error(c, argv);
		}
	}
	opt_no_more_args(argc, argv);
	if (!s->dir)
		opt_usage_error("--dir is required");
	if (!s->id)
		s->id = default_id();
	if (!native_id_valid(s->id))
		opt_usage_error("--id: '%s' is not a valid device id "
				"([A-Za-z0-9._-]{1,64}, not 'hub')", s->id);
	parse_exts(s, exts);
}

int main(int argc, char **argv)
{
	struct scand s;
	struct broker_opts bo = { 0 };
	char jpath[PATH_MAX];
	sigset_t sigs;
	int rc = 1, stop = 0;

	opt_prog = "mlab-scand";
	memset(&s, 0, sizeof(s));
	s.ino = s.efd = s.sfd = s.wd = s.known_fd = -1;
	atomic_init(&s.ack_rx, -1);
	pthread_mutex_init(&s.mlock, NULL);
	parse_args(&s, argc, argv);

	native_topic(s.t_status, sizeof(s.t_status), s.id, "status");
	native_topic(s.t_meta, sizeof(s.t_meta), s.id, "meta");
	native_topic(s.t_event, sizeof(s.t_event), s.id, "event");
	native_topic(s.t_ack, sizeof(s.t_ack), s.id, "ack");
	sbuf_init(&s.meta);
	native_meta_json(&s.meta, s.name, "scanner", s.model, s.room);

	if (mkdir(s.state_dir, 0700) < 0 && errno != EEXIST) {
		DLOG(D_ERR, "--state-dir %s: %s", s.state_dir, strerror(errno));
		goto out;
	}
	snprintf(jpath, sizeof(jpath), "%s/%s.journal", s.state_dir, s.id);
	if (journal_open(&s.j, jpath) < 0)
		goto out;
	s.j.max = (size_t)s.journal_max;
	if (s.j.n)
		DLOG(D_NOTICE, "%zu event(s) from an earlier run await the "
		     "hub's acknowledgement", s.j.n);
	if (known_open(&s) < 0)
		goto out;

	/* signals go to signalfd; block them before any thread starts */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	s.sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	s.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s.ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (s.sfd < 0 || s.efd < 0 || s.ino < 0) {
		DLOG(D_ERR, "signalfd/eventfd/inotify: %s", strerror(errno));
		goto out;
	}

	if (broker_lib_init() < 0)
		goto out;
	bo.host = s.mqtt.host;
	bo.port = s.mqtt.port;
	bo.username = s.mqtt.username;
	bo.password = s.mqtt.password;
	bo.client_id = s.id;
	bo.will_topic = s.t_status;
	bo.will_payload = "offline";
	bo.will_retain = 1;
	bo.on_connect = on_connect;
	bo.on_message = on_message;
	bo.arg = &s;
	if (broker_start(&s.b, &bo) < 0)
		goto out_lib;
	s.broker_up = 1;

	watch_dir(&s);
	DLOG(D_NOTICE, "watching %s as mlab/%s (settle %ld ms, boot %s, next "
	     "seq %lld)", s.dir, s.id, s.settle_ms, s.j.boot,
	     (long long)s.j.next_seq);

	while (!stop) {
		struct pollfd pfd[3] = {
			{ .fd = s.sfd, .events = POLLIN },
			{ .fd = s.efd, .events = POLLIN },
			{ .fd = s.ino, .events = POLLIN },
		};
		long timeout = settle_timeout(&s);
		int64_t now = clk_mono_ms();

		if (s.wd < 0 && s.next_dir_poll_ms - now < timeout)
			timeout = s.next_dir_poll_ms - now;
		if (s.j.n && s.next_resend_ms - now < timeout)
			timeout = s.next_resend_ms - now;
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, 3, (int)timeout) < 0 && errno != EINTR) {
			DLOG(D_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(s.sfd, &si, sizeof(si)) > 0)
				DLOG(D_NOTICE, "signal %u, stopping",
				     si.ssi_signo);
			stop = 1;
			rc = 0;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			uint64_t v;
			long long ack;

			if (read(s.efd, &v, sizeof(v)) < 0)
				v = 0;
			ack = atomic_load(&s.ack_rx);
			if (ack > s.j.acked) {
				DLOG(D_INFO, "hub acknowledged up to seq %lld",
				     ack);
				journal_ack(&s.j, ack);
			}
			resend_missing(&s);
			if (atomic_exchange(&s.need_resend, 0))
				resend_all(&s);
		}
		if (pfd[2].revents & POLLIN)
			handle_inotify(&s);
		now = clk_mono_ms();
		if (s.wd < 0 && now >= s.next_dir_poll_ms)
			watch_dir(&s);
		check_settled(&s);
		if (s.j.n && now >= s.next_resend_ms)
			resend_all(&s);
	}

	if (atomic_load(&s.b.connected)) {
		broker_publish(&s.b, s.t_status, "offline", 1, 1);
		broker_drain(&s.b, 2000);
	}
	if (s.j.n)
		DLOG(D_NOTICE, "%zu event(s) kept in %s for the next run",
		     s.j.n, jpath);
	broker_stop(&s.b);
out_lib:
	broker_lib_cleanup();
out:
	untrack_all(&s);
	free(s.tr);
	while (s.nkn)
		free(s.kn[--s.nkn].name);
	free(s.kn);
	free(s.known_path);
	if (s.known_fd >= 0)
		close(s.known_fd);
	for (size_t i = 0; i < s.n_exts; i++)
		free(s.exts[i]);
	if (s.j.path)
		journal_close(&s.j);
	sbuf_free(&s.meta);
	if (s.ino >= 0)
		close(s.ino);
	if (s.efd >= 0)
		close(s.efd);
	if (s.sfd >= 0)
		close(s.sfd);
	return rc;
}
