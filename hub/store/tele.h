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

/* Start h's queue (its buffers and settings) and hand it to the store,
 * which commits it (store_set_queue) and frees it at store_close; the
 * registry calls this from device_init, tele_put on first use otherwise.
 * 0, or -1 when the store is not open or memory ran out. */
int tele_init(struct hub *h);

/* Queue n readings (mid[i], val[i]) of device dev at ts.  Returns how
 * many raw values will be stored (the rest were thinned), or -1. */
int tele_put(struct hub *h, int64_t dev, double ts, int n,
	     const int64_t *mid, const double *val);

/* Write and commit what is queued now, with the sums of the minutes in
 * progress (the history API, before reading it).  0 or -1. */
int tele_sync(struct hub *h);

#endif
