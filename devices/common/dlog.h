/*
 * dlog.h — stderr logging for the device programs: "prog: LVL message".
 *
 * Small tools, one sink: the level is checked before formatting, and
 * libmosquitto's own log lines are not routed here (they are too chatty
 * for tools; connection state changes are logged by broker.c instead).
 */
#ifndef MLAB_DEV_DLOG_H
#define MLAB_DEV_DLOG_H

enum dlog_level { D_ERR, D_WARN, D_NOTICE, D_INFO, D_DEBUG };

extern int dlog_verbosity;		/* default D_NOTICE */

#define DLOG(lvl, ...) do { \
	if ((lvl) <= dlog_verbosity) dlog_write((lvl), __VA_ARGS__); \
} while (0)

void dlog_write(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
