/*
 * pack.h — the telemetry tables' packed formats and their SQL functions
 * (pack.c).
 */
#ifndef MLAB_PACK_H
#define MLAB_PACK_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/* Minute rows (telemetry_min, keyed by time) are kept this many hours;
 * older minutes are read from the hour blocks (telemetry_mblk), kept
 * store.aggregate_days. */
#define PACK_MINUTE_ROWS_H 48

/* The SQL functions the schema and the history need on a connection:
 * mlab_val(vals, mid) (the value of metric mid in a packed row, or NULL)
 * and the aggregates mlab_pack(mid, value) and mlab_mblk(minute of the
 * hour, n, sum) (an hour block of minutes, pack_mblk_next).  0 or -1. */
int pack_sql_functions(sqlite3 *db);

/* Decode the next minute of an hour block (telemetry_mblk.mins) at *off
 * (start at 0): its minute of the hour, count and sum.  1, or 0 at the
 * end (or on a damaged block). */
int pack_mblk_next(const void *blob, int len, int *off, int *minute, long *n, double *sum);

/* Decode a packed row: the value of metric mid, 1 if found, else 0. */
int pack_unpack(const void *blob, int len, int64_t mid, double *out);

/* Append v to p at *len as a varint (at most 10 bytes; p has room). */
void pack_varint(unsigned char *p, size_t *len, uint64_t v);

#endif
