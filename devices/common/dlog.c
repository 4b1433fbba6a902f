/*
 * dlog.c — one stderr log sink for the device programs (see dlog.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "dlog.h"
#include "opt.h"

int dlog_verbosity = D_NOTICE;

void dlog_write(int level, const char *fmt, ...)
{
	static const char *names[] = { "ERR", "WARN", "NOTICE", "INFO",
				       "DEBUG" };
	va_list ap;

	if (level < D_ERR || level > D_DEBUG)
		level = D_DEBUG;
	/* stdio locks the stream per call; one call per line keeps lines
	 * from different threads whole */
	flockfile(stderr);
	fprintf(stderr, "%s: %s ", opt_prog, names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
