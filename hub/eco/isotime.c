/*
 * isotime.c — ISO-8601 and Unix-seconds times as devices and API clients
 * write them, parsed without the C library's time zone state (pure, so
 * the parsers and the fuzzers use it as they are).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "eco/isotime.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): independent of TZ and of timegm(). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

int isotime_parse(const char *s, double *t)
{
	int Y, M, D, h = 0, m = 0, sec = 0, oh = 0, om = 0;
	double frac = 0;
	const char *p = s;
	long off = 0;

	if (!s || !*s)
		return -1;
	/* plain Unix seconds */
	if (isdigit((unsigned char)*s) || *s == '-') {
		char *end;
		double v = strtod(s, &end);

		if (!*end && end != s && (v > 1e5 || v < -1e5 || !strchr(s, '-'))) {
			/* milliseconds are common too */
			*t = v > 1e11 ? v / 1000.0 : v;
			return 0;
		}
	}
	if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) ||
	    *p++ != '-' || digits(&p, 2, &D))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31)
		return -1;
	if (*p == 'T' || *p == ' ' || *p == 't') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -1;
			if (*p == '.' || *p == ',') {
				double scale = 0.1;

				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				while (isdigit((unsigned char)*p)) {
					frac += (*p++ - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (h > 24 || m > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;

			if (digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (*p && digits(&p, 2, &om))
				return -1;
			off = sign * (oh * 3600L + om * 60L);
		}
	}
	if (*p)
		return -1;
	*t = (double)(days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400L +
		      h * 3600L + m * 60L + sec - off) + frac;
	return 0;
}
