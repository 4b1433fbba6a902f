/*
 * journal.c — durable queue of unacknowledged events (see journal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlog.h"
#include "journal.h"
#include "sbuf.h"

/* Add an event to the in-memory list; json is copied. */
static int push(struct journal *j, int64_t seq, const char *json)
{
	struct journal_ev *ev;
	char *copy;

	if (j->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 16;

		ev = realloc(j->ev, cap * sizeof(*ev));
		if (!ev)
			return -1;
		j->ev = ev;
		j->cap = cap;
	}
	copy = strdup(json);
	if (!copy)
		return -1;
	j->ev[j->n].seq = seq;
	j->ev[j->n].json = copy;
	j->n++;
	return 0;
}

/* Drop in-memory events with seq <= upto. */
static void drop(struct journal *j, int64_t upto)
{
	size_t i, k = 0;

	for (i = 0; i < j->n; i++) {
		if (j->ev[i].seq <= upto) {
			free(j->ev[i].json);
			j->ev[i].json = NULL;
		} else {
			j->ev[k++] = j->ev[i];
		}
	}
	j->n = k;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

/* Replay one line into j; unknown or torn lines are skipped. */
static void replay(struct journal *j, char *line, int64_t *trim_upto)
{
	long long a, b;
	int off = 0;

	if (line[0] == 'B' && line[1] == ' ' && native_boot_valid(line + 2)) {
		snprintf(j->boot, sizeof(j->boot), "%s", line + 2);
	} else if (sscanf(line, "T %lld", &a) == 1) {
		if (a > *trim_upto)
			*trim_upto = a;
	} else if (sscanf(line, "S %lld %lld", &a, &b) == 2) {
		if (a > j->next_seq)
			j->next_seq = a;
		if (b > j->acked)
			j->acked = b;
	} else if (sscanf(line, "A %lld", &a) == 1) {
		if (a > j->acked)
			j->acked = a;
	} else if (sscanf(line, "E %lld %n", &a, &off) == 1 && off > 0 &&
		   line[off] == '{' && line[strlen(line) - 1] == '}') {
		if (a >= j->next_seq)
			j->next_seq = a + 1;
		push(j, a, line + off);
	}
}

/* Rewrite the file with a state line and the pending events. */
static int compact(struct journal *j)
{
	struct sbuf sb;
	char *tmp = NULL;
	int fd = -1, rc = -1;
	size_t i;

	if (!j->path)
		return 0;
	sbuf_init(&sb);
	sbuf_printf(&sb, "S %lld %lld\nB %s\n", (long long)j->next_seq,
		    (long long)j->acked, j->boot);
	for (i = 0; i < j->n; i++)
		sbuf_printf(&sb, "E %lld %s\n", (long long)j->ev[i].seq,
			    j->ev[i].json);
	if (sb.err || asprintf(&tmp, "%s.tmp", j->path) < 0) {
		tmp = NULL;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, sbuf_str(&sb), sb.len) < 0 ||
	    fsync(fd) < 0 || rename(tmp, j->path) < 0) {
		DLOG(D_ERR, "journal %s: %s", tmp, strerror(errno));
		goto out;
	}
	fsync_dir_of(j->path);
	close(j->fd);
	j->fd = fd;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	sbuf_free(&sb);
	return rc;
}

/*
 * A journal written before boot ids: its pending events (numbering "")
 * are rewritten to carry the new boot and the base, so that they and the
 * events after them make one numbering.  Our events start with {"seq":.
 */
static int upgrade(struct journal *j)
{
	int64_t base = journal_base(j);
	size_t i;

	for (i = 0; i < j->n; i++) {
		char *json = NULL;

		if (strstr(j->ev[i].json, "\"boot\":") ||
		    j->ev[i].json[0] != '{')
			continue;
		if (asprintf(&json, "{\"boot\":\"%s\",\"base\":%lld,%s",
			     j->boot, (long long)base, j->ev[i].json + 1) < 0)
			return -1;
		free(j->ev[i].json);
		j->ev[i].json = json;
	}
	return 0;
}

int journal_open(struct journal *j, const char *path)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t trim_upto = 0;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->next_seq = 1;
	if (path) {
		j->path = strdup(path);
		if (!j->path)
			return -1;
		f = fopen(path, "re");
		if (!f && errno != ENOENT) {
			DLOG(D_ERR, "journal %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	if (f) {
		while ((n = getline(&line, &cap, f)) > 0) {
			if (line[n - 1] != '\n')
				break;	/* torn last line */
			line[n - 1] = '\0';
			replay(j, line, &trim_upto);
		}
		free(line);
		fclose(f);
	}
	drop(j, j->acked > trim_upto ? j->acked : trim_upto);
	if (!j->boot[0]) {
		native_boot_new(j->boot, sizeof(j->boot));
		if (upgrade(j) < 0)
			goto fail;
	}
	if (!path)
		return 0;
	j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		DLOG(D_ERR, "journal %s: %s", path, strerror(errno));
		goto fail;
	}
	/* start from a clean file: drops torn lines and acknowledged events */
	if (compact(j) < 0)
		goto fail;
	return 0;
fail:
	journal_close(j);
	return -1;
}

int64_t journal_base(const struct journal *j)
{
	return j->n ? j->ev[0].seq : j->next_seq;
}

int64_t journal_next(struct journal *j)
{
	if (j->max && j->n >= j->max) {
		int64_t upto = j->ev[j->n - j->max].seq;
		char *line = NULL;
		int len;

		if (!j->trimmed)
			DLOG(D_WARN, "journal full (%zu events): dropping the "
			     "oldest unacknowledged ones", j->max);
		j->trimmed += (int64_t)(j->n - j->max + 1);
		drop(j, upto);
		/* on disk with the next event's fsync */
		len = asprintf(&line, "T %lld\n", (long long)upto);
		if (j->path && len > 0 &&
		    write_all(j->fd, line, (size_t)len) < 0)
			DLOG(D_ERR, "journal %s: %s", j->path, strerror(errno));
		free(line);
	}
	return journal_base(j);
}

int journal_append(struct journal *j, const char *json)
{
	char *line = NULL;
	int len;

	len = asprintf(&line, "E %lld %s\n", (long long)j->next_seq, json);
	if (len < 0)
		return -1;
	if (j->path && (write_all(j->fd, line, (size_t)len) < 0 ||
			fdatasync(j->fd) < 0)) {
		DLOG(D_ERR, "journal %s: %s", j->path, strerror(errno));
		free(line);
		return -1;
	}
	free(line);
	if (push(j, j->next_seq, json) < 0)
		return -1;
	j->next_seq++;
	return 0;
}

int journal_ack(struct journal *j, int64_t seq)
{
	if (seq <= j->acked)
		return 0;
	j->acked = seq;
	if (seq >= j->next_seq) {
		DLOG(D_WARN, "hub acknowledged seq %lld beyond the last event "
		     "%lld; continuing after it", (long long)seq,
		     (long long)j->next_seq - 1);
		j->next_seq = seq + 1;
	}
	drop(j, seq);
	return compact(j);
}

void journal_close(struct journal *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		free(j->ev[i].json);
	free(j->ev);
	j->ev = NULL;
	j->n = j->cap = 0;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	free(j->path);
	j->path = NULL;
}
