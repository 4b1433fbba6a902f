/*
 * fiscal.h — the Québec government's fiscal year (1 April – 31 March) in
 * the lab's time zone, and local times for reports.
 *
 * The C library does the time-zone arithmetic (the tz database, daylight
 * saving included): fiscal_tz_enter() points TZ at the lab's zone for the
 * length of one report and fiscal_tz_leave() puts the process's TZ back.
 * Between the two, fiscal_bounds() and fiscal_local_iso() answer in that
 * zone.  No I/O except checking that the zone file exists.
 */
#ifndef MLAB_FISCAL_H
#define MLAB_FISCAL_H

#include <stddef.h>

struct fiscal_tz {
	char *saved;		/* TZ before enter (owned), NULL if unset */
	int active;
};

/* Path of the tz database file for zone name tz (TZDIR or
 * /usr/share/zoneinfo) into path.  Returns 0, or -1 when the name is not
 * a zone name (empty, absolute with "..", too long).  Pure. */
int fiscal_zone_path(const char *tz, char *path, size_t len);

/* Switch the process to zone tz until fiscal_tz_leave(z).  Fails (-1, with
 * a one-line reason in err) when the zone's tz database file is missing,
 * instead of letting the C library fall back to UTC silently. */
int fiscal_tz_enter(struct fiscal_tz *z, const char *tz, char *err, size_t errlen);
void fiscal_tz_leave(struct fiscal_tz *z);

/* Fiscal year fy runs from 1 April fy 00:00 local time (inclusive) to
 * 1 April fy+1 00:00 local time (exclusive), i.e. to the end of 31 March
 * fy+1.  Sets the two instants in Unix seconds.  Returns 0 or -1 (year
 * out of 1970..9999).  Needs fiscal_tz_enter(). */
int fiscal_bounds(int fy, double *start, double *end);

/* A fiscal year as people write it: "2025", "2025-26" or "2025-2026"
 * (the second year the next one), nothing else around it; the year it
 * starts in, 2000..2999, into *fy.  0, or -1 (*fy unchanged).  Pure.  The
 * one rule for GET /api/indicators, mlab-hub report --fy and the
 * network's GET /api/network/indicators. */
int fiscal_parse_year(const char *s, int *fy);
/* What a caller says when fiscal_parse_year refused a year */
#define FISCAL_YEAR_HELP "a year such as 2025 or 2025-26 (2025-04-01 … 2026-03-31)"

/* The fiscal year containing instant t (local time).  Needs enter. */
int fiscal_year_of(double t);

/* t as local ISO-8601 with its offset, "2026-03-31T23:59:00-04:00"
 * (".mmm" added when t has a fractional second).  Returns buf. */
char *fiscal_local_iso(double t, char *buf, size_t len);

#endif
