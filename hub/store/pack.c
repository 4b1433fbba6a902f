/*
 * pack.c — the packed formats of the telemetry tables, and the SQL
 * functions that read and make them on a connection.
 *
 * A raw row's values (telemetry.vals) are (varint mid, 8-byte double)
 * pairs, the last of a mid winning; an hour block of minutes
 * (telemetry_mblk.mins) is (minute of the hour, n, sum) triples.  The
 * lowest file of hub/store/: no I/O, nothing of the hub; store.c gives
 * the functions to each connection before the migrations, which use
 * them, and tele.c packs its rows with pack_varint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/pack.h"

void pack_varint(unsigned char *p, size_t *len, uint64_t v)
{
	do {
		p[(*len)++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

int pack_unpack(const void *blob, int len, int64_t mid, double *out)
{
	const unsigned char *p = blob, *end = p + (len > 0 ? len : 0);
	int found = 0;

	while (p < end) {
		uint64_t m = 0;
		int shift = 0;

		while (p < end && (*p & 0x80) && shift < 63) {
			m |= (uint64_t)(*p++ & 0x7f) << shift;
			shift += 7;
		}
		if (p >= end)
			break;
		m |= (uint64_t)(*p++ & 0x7f) << shift;
		if (end - p < 8)
			break;
		if ((int64_t)m == mid) {	/* the last one wins (merged rows) */
			memcpy(out, p, 8);
			found = 1;
		}
		p += 8;
	}
	return found;
}

static void sql_val(sqlite3_context *c, int argc, sqlite3_value **v)
{
	double x;

	if (pack_unpack(sqlite3_value_blob(v[0]), sqlite3_value_bytes(v[0]),
			sqlite3_value_int64(v[1]), &x))
		sqlite3_result_double(c, x);
}

struct pack {
	unsigned char *p;
	size_t len, cap;
};

static void sql_pack_step(sqlite3_context *c, int argc, sqlite3_value **v)
{
	struct pack *k = sqlite3_aggregate_context(c, sizeof(*k));
	double x = sqlite3_value_double(v[1]);

	if (!k)
		return;
	if (k->len + 18 > k->cap) {
		size_t ncap = k->cap ? k->cap * 2 : 64;
		unsigned char *np = realloc(k->p, ncap);

		if (!np) {
			sqlite3_result_error_nomem(c);
			return;
		}
		k->p = np;
		k->cap = ncap;
	}
	pack_varint(k->p, &k->len, (uint64_t)sqlite3_value_int64(v[0]));
	memcpy(k->p + k->len, &x, 8);
	k->len += 8;
}

static void sql_pack_final(sqlite3_context *c)
{
	struct pack *k = sqlite3_aggregate_context(c, 0);

	if (k && k->p)
		sqlite3_result_blob(c, k->p, (int)k->len, free);
	else
		sqlite3_result_zeroblob(c, 0);
}

/* An hour of one series' minutes, being gathered by mlab_mblk(). */
struct mblk {
	long n[60];
	double sum[60];
};

static void sql_mblk_step(sqlite3_context *c, int argc, sqlite3_value **v)
{
	struct mblk *k = sqlite3_aggregate_context(c, sizeof(*k));
	sqlite3_int64 m = sqlite3_value_int64(v[0]);

	if (!k || m < 0 || m > 59)
		return;
	k->n[m] += (long)sqlite3_value_int64(v[1]);
	k->sum[m] += sqlite3_value_double(v[2]);
}

/* The block: for each minute with readings, in order, (1 byte minute,
 * varint n, 8-byte double sum): ~10 bytes a minute, so an hour fits in
 * its b-tree leaf (no overflow page). */
static void sql_mblk_final(sqlite3_context *c)
{
	struct mblk *k = sqlite3_aggregate_context(c, 0);
	unsigned char buf[60 * 19];
	size_t len = 0;

	for (int m = 0; k && m < 60; m++) {
		if (!k->n[m])
			continue;
		buf[len++] = (unsigned char)m;
		pack_varint(buf, &len, (uint64_t)k->n[m]);
		memcpy(buf + len, &k->sum[m], 8);
		len += 8;
	}
	sqlite3_result_blob(c, buf, (int)len, SQLITE_TRANSIENT);
}

int pack_mblk_next(const void *blob, int len, int *off, int *minute, long *n, double *sum)
{
	const unsigned char *p = blob;
	uint64_t v = 0;
	int shift = 0, i = *off;

	if (!p || i + 1 >= len || p[i] > 59)
		return 0;
	*minute = p[i++];
	while (i < len && (p[i] & 0x80) && shift < 63) {
		v |= (uint64_t)(p[i++] & 0x7f) << shift;
		shift += 7;
	}
	if (i >= len)
		return 0;
	v |= (uint64_t)(p[i++] & 0x7f) << shift;
	if (len - i < 8)
		return 0;
	*n = (long)v;
	memcpy(sum, p + i, 8);
	*off = i + 8;
	return 1;
}

int pack_sql_functions(sqlite3 *db)
{
	int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

	return sqlite3_create_function(db, "mlab_val", 2, f, NULL, sql_val, NULL, NULL) ||
	       sqlite3_create_function(db, "mlab_pack", 2, f, NULL, NULL, sql_pack_step,
				       sql_pack_final) ||
	       sqlite3_create_function(db, "mlab_mblk", 3, f, NULL, NULL, sql_mblk_step,
				       sql_mblk_final) ? -1 : 0;
}
