/*
 * fuzz.h — what the libFuzzer targets of tests/fuzz/ share: one ctx per
 * ecosystem of eco_table (state persists across inputs as in the hub and
 * is rebuilt every 4096 runs), the split of an input into topic and
 * payload, and the parsers' contract, checked on every result.
 * Header-only: each target is one program.
 */
#ifndef MLAB_FUZZ_H
#define MLAB_FUZZ_H
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eco/eco.h"

#define FZ_MAX	32

static struct eco_ctx fz_ctx[FZ_MAX];
static int fz_ready;
static unsigned long fz_runs;

/* (Re)build every ecosystem's ctx on the first run and every 4096th. */
static inline void fz_tick(void)
{
	if (fz_ready && ++fz_runs % 4096)
		return;
	if (eco_count > FZ_MAX)
		abort();
	for (int i = 0; i < eco_count; i++) {
		if (fz_ready && eco_table[i]->fini)
			eco_table[i]->fini(&fz_ctx[i]);
		memset(&fz_ctx[i], 0, sizeof(fz_ctx[i]));
		fz_ctx[i].ops = eco_table[i];
		fz_ctx[i].prefix = eco_table[i]->default_prefix ? eco_table[i]->default_prefix : "";
		fz_ctx[i].all = fz_ctx;
		if (eco_table[i]->init && eco_table[i]->init(&fz_ctx[i]))
			abort();
	}
	fz_ready = 1;
}

static inline struct eco_ctx *fz_of(const struct eco_ops *ops)
{
	for (int i = 0; i < eco_count; i++)
		if (eco_table[i] == ops)
			return &fz_ctx[i];
	abort();
}

/* One input: the topic up to the first '\n', then the payload.  When the
 * topic's first byte is in pick, fam[its index] is prepended and the byte
 * dropped; raw/rawlen are the topic bytes that follow (cut to fit).
 * topic is NUL-terminated after tlen bytes (an embedded NUL ends it
 * earlier).  payload is a NUL-terminated copy: fz_split_free() frees it. */
struct fz_input {
	char topic[600];
	size_t tlen;
	const uint8_t *raw;
	size_t rawlen;
	char *payload;
	size_t plen;
};

/* Returns 0, or -1 when out of memory (nothing to free then). */
static inline int fz_split(const uint8_t *data, size_t size, const char *pick,
			   const char *const *fam, struct fz_input *in)
{
	const uint8_t *nl = memchr(data, '\n', size);
	const char *p;
	size_t o = 0;

	in->rawlen = nl ? (size_t)(nl - data) : size;
	in->plen = nl ? size - in->rawlen - 1 : 0;
	if (in->rawlen && data[0] && (p = strchr(pick, data[0]))) {
		o = strlen(fam[p - pick]);
		memcpy(in->topic, fam[p - pick], o);
		data++, in->rawlen--;
	}
	if (in->rawlen > sizeof(in->topic) - o - 16)
		in->rawlen = sizeof(in->topic) - o - 16;
	in->raw = data;
	memcpy(in->topic + o, data, in->rawlen);
	in->tlen = o + in->rawlen;
	in->topic[in->tlen] = '\0';
	in->payload = malloc(in->plen + 1);
	if (!in->payload)
		return -1;
	if (in->plen)
		memcpy(in->payload, nl + 1, in->plen);
	in->payload[in->plen] = '\0';
	return 0;
}

static inline void fz_split_free(struct fz_input *in)
{
	free(in->payload);
	in->payload = NULL;
}

/* Abort unless s is NUL-terminated within n bytes. */
static inline void fz_str(const char *s, size_t n)
{
	if (!memchr(s, '\0', n))
		abort();
}

/* The contract of eco_ops.parse: a known return code, a reason on
 * ECO_BAD, bounded counts, NUL-terminated strings, finite numbers, and
 * on ECO_OK at least one device, each with a native id and named metrics. */
static inline void fz_check(int rc, const struct eco_out *out)
{
	if (rc != ECO_OK && rc != ECO_IGNORED && rc != ECO_BAD)
		abort();
	if (rc == ECO_BAD && !out->why[0])
		abort();
	if (out->ndev < 0 || out->ndev > ECO_MAX_DEV)
		abort();
	if (rc == ECO_OK && out->ndev < 1)
		abort();
	fz_str(out->why, sizeof(out->why));
	for (int i = 0; i < out->ndev; i++) {
		const struct eco_dev *d = &out->dev[i];

		fz_str(d->native, sizeof(d->native));
		fz_str(d->source, sizeof(d->source));
		fz_str(d->name, sizeof(d->name));
		fz_str(d->kind, sizeof(d->kind));
		fz_str(d->model, sizeof(d->model));
		fz_str(d->firmware, sizeof(d->firmware));
		fz_str(d->job_state, sizeof(d->job_state));
		fz_str(d->job_file, sizeof(d->job_file));
		fz_str(d->button, sizeof(d->button));
		if (rc == ECO_OK && !d->native[0])
			abort();
		if (d->nmetric < 0 || d->nmetric > ECO_MAX_METRIC)
			abort();
		for (int m = 0; m < d->nmetric; m++) {
			fz_str(d->metric[m].name, sizeof(d->metric[m].name));
			if (!isfinite(d->metric[m].value) || (rc == ECO_OK && !d->metric[m].name[0]))
				abort();
		}
		if ((d->has & ECO_TS) && !isfinite(d->ts))
			abort();
		if ((d->has & ECO_JOB_PROGRESS) && !(d->job_progress >= 0 && d->job_progress <= 100))
			abort();
		if ((d->has & ECO_JOB_REMAINING) && !isfinite(d->job_remaining))
			abort();
	}
}
#endif
