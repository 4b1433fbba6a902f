/*
 * log.h — the hub's one log sink.
 *
 * Every line the hub, libwebsockets and libmosquitto print goes through
 * here, so all output has one format:  "LVL module: message".
 * Under systemd (JOURNAL_STREAM set) lines carry a <N> syslog priority
 * prefix instead of a timestamp, since the journal adds its own.
 * LOG() checks the level before formatting anything (Redis serverLog).
 */
#ifndef MLAB_LOG_H
#define MLAB_LOG_H

enum log_level { L_ERR, L_WARN, L_NOTICE, L_INFO, L_DEBUG };

extern int log_verbosity;

#define LOG(lvl, ...) do { \
	if ((lvl) <= log_verbosity) log_write((lvl), __VA_ARGS__); \
} while (0)

void log_write(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int log_level_parse(const char *name);	/* -1 if not a level name */
void log_route_lws(void);		/* send libwebsockets' logging here */
/* fn(line) for every libwebsockets line starting with prefix (a static
 * string), repeats included; a line for which fn returns 1 is not logged
 * (fn says it in its own words).  A few prefixes at once; fn NULL forgets
 * prefix.  0, or -1 when no slot is left. */
int log_watch_lws(const char *prefix, int (*fn)(const char *line));

#endif
