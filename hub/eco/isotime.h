/*
 * isotime.h — parse a time the way devices and API clients write it.
 * Pure: no I/O, no state; shared by the ecosystem parsers and the hub.
 */
#ifndef MLAB_ISOTIME_H
#define MLAB_ISOTIME_H

/* Parse ISO-8601 ("2026-11-21T10:00:00-05:00", "…Z", "2026-11-21",
 * fractional seconds) or Unix seconds.  Returns 0 and *t, or -1. */
int isotime_parse(const char *s, double *t);

#endif
