/*
 * tele.h — telemetry on its own, slower commit: the durability class of
 * readings (README "Durability classes").
 *
 * Readings wait in memory and are written every store.telemetry_commit_s
 * (or at store.batch_max rows), one row per message with the values
 * packed, keyed by time first so that a commit appends to the last pages
 * of the table.  A reading equal to the last one stored (within
 * store.deadband_pct) is not stored again before store.heartbeat_s.
 * Per-minute aggregates of every reading (thinned or not) are summed in
 * memory and written once a minute; hourly rollups and per-series hour
 * blocks of minutes are made from them when an hour is over.
 */
#ifndef MLAB_TELE_H
#define MLAB_TELE_H

#include <stdint.h>

struct hub;
struct tele;

/* Allocate the buffers and read the settings; NULL when out of memory.
 * Owned by the store (tele_free). */
struct tele *tele_new(struct hub *h);
void tele_free(struct tele *t);

/* Queue n readings (mid[i], val[i]) of device dev at ts.  Returns how
 * many raw values will be stored (the rest were thinned), or -1. */
int tele_put(struct hub *h, int64_t dev, double ts, int n,
	     const int64_t *mid, const double *val);

/* Rows waiting to be written. */
long tele_pending(struct hub *h);
/* Minute aggregates summed and not yet written. */
int tele_unwritten(struct hub *h);

/* Write what is queued into the open transaction: the rows, the minute
 * aggregates of minutes that are over (all of them when all is set, at
 * shutdown) and the rollups of hours that are over.  0 or -1. */
int tele_write(struct hub *h, int all);

/* Write and commit what is queued now, with the sums of the minutes in
 * progress (the history API, before reading it).  0 or -1. */
int tele_sync(struct hub *h);

#endif
