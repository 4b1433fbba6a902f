/*
 * log.c — one log sink for the hub and the libraries it embeds.
 *
 * Writes whole lines to stderr with a single write(2), so lines from the
 * MQTT threads never interleave with the service thread's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <libwebsockets.h>

#include "core/log.h"

int log_verbosity = L_NOTICE;

static const char *names[] = { "ERR", "WARN", "NOTICE", "INFO", "DEBUG" };
static const int syslog_prio[] = { 3, 4, 5, 6, 7 };

void log_write(int level, const char *fmt, ...)
{
	char line[2048];
	size_t n = 0;
	va_list ap;
	static int journal = -1;

	if (level < L_ERR)
		level = L_ERR;
	if (level > L_DEBUG)
		level = L_DEBUG;
	if (journal < 0)
		journal = getenv("JOURNAL_STREAM") != NULL;
	if (journal) {
		n = (size_t)snprintf(line, sizeof(line), "<%d>", syslog_prio[level]);
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ %s ",
				      ts.tv_nsec / 1000000, names[level]);
	}
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nowhere left to report it */
	}
}

int log_level_parse(const char *name)
{
	for (int i = 0; i <= L_DEBUG; i++)
		if (!strcasecmp(name, names[i]))
			return i;
	if (!strcasecmp(name, "error"))
		return L_ERR;
	if (!strcasecmp(name, "warning"))
		return L_WARN;
	return -1;
}

/* lws's lines, with repeats folded: a failing accept() is logged by lws
 * on every loop turn, and 60,000 identical lines help nobody.  The same
 * line again within LWS_REPEAT_S is counted, and the count logged with
 * the next different line or after the window. */
#define LWS_REPEAT_S 10

static int lws_repeat(int lvl, const char *line)
{
	static char last[160];
	static time_t since;
	static unsigned long repeats;
	time_t now = time(NULL);

	if (!strncmp(line, last, sizeof(last) - 1) && now - since < LWS_REPEAT_S) {
		repeats++;
		return 1;
	}
	if (repeats)
		log_write(lvl, "lws: (the line \"%.60s…\" came %lu more times)", last, repeats);
	snprintf(last, sizeof(last), "%s", line);
	since = now;
	repeats = 0;
	return 0;
}

#define LOG_WATCHES 4

static struct { const char *prefix; int (*fn)(const char *line); } watches[LOG_WATCHES];

int log_watch_lws(const char *prefix, int (*fn)(const char *line))
{
	int free_slot = -1;

	for (int i = 0; i < LOG_WATCHES; i++) {
		if (watches[i].fn && !strcmp(watches[i].prefix, prefix)) {
			watches[i].fn = fn;	/* replaced, or forgotten (NULL) */
			return 0;
		}
		if (!watches[i].fn && free_slot < 0)
			free_slot = i;
	}
	if (!fn)
		return 0;
	if (free_slot < 0)
		return -1;
	watches[free_slot].prefix = prefix;
	watches[free_slot].fn = fn;
	return 0;
}

static void lws_emit(int lws_level, const char *line)
{
	int lvl = L_DEBUG;

	for (int i = 0; i < LOG_WATCHES; i++)
		if (watches[i].fn && !strncmp(line, watches[i].prefix, strlen(watches[i].prefix)) &&
		    watches[i].fn(line))
			return;	/* the watcher said it in its own words */

	if (lws_level & LLL_ERR)
		lvl = L_ERR;
	else if (lws_level & LLL_WARN)
		lvl = L_WARN;
	else if (lws_level & LLL_NOTICE)
		lvl = L_INFO;	/* lws notices are chatty: our INFO */
	if (lvl <= log_verbosity && !lws_repeat(lvl, line))
		log_write(lvl, "lws: %s", line);
}

void log_route_lws(void)
{
	int mask = LLL_ERR | LLL_WARN;

	if (log_verbosity >= L_INFO)
		mask |= LLL_NOTICE;
	lws_set_log_level(mask, lws_emit);
}
