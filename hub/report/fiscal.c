/*
 * fiscal.c — fiscal-year boundaries and local times in the lab's zone.
 *
 * glibc has no per-call time zone, so a report sets TZ once, does all its
 * conversions with mktime()/localtime_r(), and restores TZ.  The hub's
 * own logs use gmtime_r() and are not affected; the report runs on the
 * service thread, which is the only one that converts local times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/fiscal.h"

/* n decimal digits at s, and nothing but digits there: their value, or -1 */
static long digits(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int fiscal_parse_year(const char *s, int *fy)
{
	size_t n = s ? strlen(s) : 0;
	long v = n >= 4 ? digits(s, 4) : -1;

	if (v < 2000 || v > 2999)
		return -1;
	if (n != 4) {		/* the next year after a dash: 2 or 4 digits */
		if (s[4] != '-' || (n != 7 && n != 9))
			return -1;
		if (digits(s + 5, (int)n - 5) != (n == 7 ? (v + 1) % 100 : v + 1))
			return -1;
	}
	*fy = (int)v;
	return 0;
}

int fiscal_zone_path(const char *tz, char *path, size_t len)
{
	const char *dir = getenv("TZDIR");
	int n;

	if (!tz || !*tz)
		return -1;
	if (*tz == ':')
		tz++;
	if (!*tz || strstr(tz, ".."))
		return -1;
	if (*tz == '/')
		n = snprintf(path, len, "%s", tz);
	else
		n = snprintf(path, len, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int fiscal_tz_enter(struct fiscal_tz *z, const char *tz, char *err, size_t errlen)
{
	const char *old = getenv("TZ");
	char path[4096];

	memset(z, 0, sizeof(*z));
	if (fiscal_zone_path(tz, path, sizeof(path))) {
		snprintf(err, errlen, "lab.timezone '%s' is not a time-zone name", tz ? tz : "");
		return -1;
	}
	if (access(path, R_OK)) {
		snprintf(err, errlen, "lab.timezone '%s': %s is missing (install the tzdata package)",
			 tz, path);
		return -1;
	}
	if (old && !(z->saved = strdup(old))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	setenv("TZ", tz, 1);
	tzset();
	z->active = 1;
	return 0;
}

void fiscal_tz_leave(struct fiscal_tz *z)
{
	if (!z->active)
		return;
	if (z->saved)
		setenv("TZ", z->saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(z->saved);
	z->saved = NULL;
	z->active = 0;
}

/* Local midnight starting 1 April of year y. */
static double april_first(int y)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = 3;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;	/* let the zone say whether DST is in force */
	return (double)mktime(&tm);
}

int fiscal_bounds(int fy, double *start, double *end)
{
	if (fy < 1970 || fy > 9999)
		return -1;
	*start = april_first(fy);
	*end = april_first(fy + 1);
	return 0;
}

int fiscal_year_of(double t)
{
	time_t s = (time_t)t;
	struct tm tm;

	if ((double)s > t)
		s--;
	localtime_r(&s, &tm);
	return tm.tm_year + 1900 - (tm.tm_mon < 3);
}

char *fiscal_local_iso(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	long off;
	size_t n;
	int ms;

	if ((double)s > t)
		s--;	/* floor for negative times */
	localtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	ms = (int)((t - (double)s) * 1000.0 + 0.5);
	if (ms > 999)
		ms = 999;
	if (ms && n < len)
		n += (size_t)snprintf(buf + n, len - n, ".%03d", ms);
	off = tm.tm_gmtoff;
	if (n < len)
		snprintf(buf + n, len - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
			 labs(off) / 3600, labs(off) % 3600 / 60);
	return buf;
}
