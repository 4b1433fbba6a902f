/*
 * fuzz_eco_b.c — libFuzzer target for the Homie, OctoPrint, Moonraker and
 * Bambu Lab parsers.
 *
 * The input is a topic up to the first '\n', then the payload.  The first
 * byte of the topic, when it is one of "HOMB", picks a topic family to
 * prepend (homie/, octoPrint/, <inst>/klipper/, device/…/report) so the
 * fuzzer reaches the parsers' inner paths quickly; otherwise the topic is
 * used as is.  Every parser sees every input, with state that persists
 * across inputs (as in the hub) and is rebuilt every 4096 runs so the
 * bounded tables are exercised from empty too.  Each result is checked
 * for the contract: a known return code, a reason on ECO_BAD, finite
 * metrics, NUL-terminated strings, and a sane switch command.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "eco.h"

extern const struct eco_ops homie_ops, octoprint_ops, moonraker_ops, bambu_ops;

static const struct eco_ops *const fz_ops[] = {
	&homie_ops, &octoprint_ops, &moonraker_ops, &bambu_ops,
};
#define FZ_N	4

static struct eco_ctx fz_ctx[FZ_N];
static int fz_ready;
static unsigned long fz_runs;

static void fz_reset(void)
{
	for (int i = 0; i < FZ_N; i++) {
		if (fz_ready && fz_ops[i]->fini)
			fz_ops[i]->fini(&fz_ctx[i]);
		memset(&fz_ctx[i], 0, sizeof(fz_ctx[i]));
		fz_ctx[i].ops = fz_ops[i];
		fz_ctx[i].prefix = fz_ops[i]->default_prefix;
		if (fz_ops[i]->init && fz_ops[i]->init(&fz_ctx[i]))
			abort();
	}
	fz_ready = 1;
}

/* Abort unless s is NUL-terminated within n bytes. */
static void fz_str(const char *s, size_t n)
{
	if (!memchr(s, '\0', n))
		abort();
}

static void fz_check(int rc, const struct eco_out *out)
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
		fz_str(d->name, sizeof(d->name));
		fz_str(d->kind, sizeof(d->kind));
		fz_str(d->model, sizeof(d->model));
		fz_str(d->firmware, sizeof(d->firmware));
		fz_str(d->job_state, sizeof(d->job_state));
		fz_str(d->job_file, sizeof(d->job_file));
		fz_str(d->button, sizeof(d->button));
		if (d->nmetric < 0 || d->nmetric > ECO_MAX_METRIC)
			abort();
		for (int m = 0; m < d->nmetric; m++)
			if (!isfinite(d->metric[m].value))
				abort();
		if ((d->has & ECO_JOB_PROGRESS) && !(d->job_progress >= 0 && d->job_progress <= 100))
			abort();
		if ((d->has & ECO_JOB_REMAINING) && !isfinite(d->job_remaining))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *fam[] = { "homie/", "octoPrint/", "lab-voron/klipper/", "device/" };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t tlen = nl ? (size_t)(nl - data) : size;
	size_t plen = nl ? size - tlen - 1 : 0;
	char topic[600], *payload;
	struct eco_out out;
	size_t o = 0;

	if (!fz_ready || ++fz_runs % 4096 == 0)
		fz_reset();
	if (tlen && data[0] && strchr("HOMB", data[0])) {
		const char *f = fam[strchr("HOMB", data[0]) - "HOMB"];

		o = strlen(f);
		memcpy(topic, f, o);
		data++, tlen--;
	}
	if (tlen > sizeof(topic) - o - 16)
		tlen = sizeof(topic) - o - 16;
	memcpy(topic + o, data, tlen);
	o += tlen;
	topic[o] = '\0';
	if (topic[0] == 'd' && !strncmp(topic, "device/", 7) && !strstr(topic, "/report"))
		strcpy(topic + o, "/report");
	if (strlen(topic) != o && strlen(topic) != o + 7)
		return 0;	/* a NUL in the topic: MQTT forbids it */

	payload = malloc(plen + 1);
	if (!payload)
		return 0;
	if (plen)
		memcpy(payload, nl + 1, plen);
	payload[plen] = '\0';

	for (int i = 0; i < FZ_N; i++) {
		for (int retained = 0; retained < 2; retained++) {
			memset(&out, 0, sizeof(out));
			fz_check(fz_ops[i]->parse(&fz_ctx[i], topic, payload, plen, retained, &out), &out);
		}
		if (fz_ops[i]->switch_cmd) {
			char t[256], p[16];
			const char *native = out.ndev ? out.dev[0].native : "x";

			if (!fz_ops[i]->switch_cmd(&fz_ctx[i], native, (int)(plen & 1), t, sizeof(t), p, sizeof(p))) {
				fz_str(t, sizeof(t));
				if (strcmp(p, "true") && strcmp(p, "false"))
					abort();
			}
		}
	}
	free(payload);
	return 0;
}
