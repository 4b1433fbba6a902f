/*
 * hub.c — small shared helpers: the clock and ISO-8601 times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hub.h"

double hub_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

char *hub_iso(double t, char *buf, size_t len, int ms)
{
	time_t s = (time_t)t;
	struct tm tm;
	size_t n;

	if (t < 0 && (double)s != t)
		s--;	/* floor for negative times */
	gmtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms) {
		int m = (int)((t - (double)s) * 1000.0 + 0.5);

		if (m > 999)
			m = 999;
		snprintf(buf + n, len - n, ".%03dZ", m);
	} else {
		snprintf(buf + n, len - n, "Z");
	}
	return buf;
}
