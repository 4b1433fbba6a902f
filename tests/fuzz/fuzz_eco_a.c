/*
 * fuzz_eco_a.c — libFuzzer target for the Tasmota, Shelly, ESPHome,
 * Zigbee2MQTT and Home Assistant discovery parsers.
 *
 * The input is a topic up to the first '\n', then the payload.  When the
 * topic's first byte is one of "TSEZHD" it picks a topic family to
 * prepend (tele/<t>/, shellies/<p>/, <node>/sensor/, zigbee2mqtt/,
 * homeassistant/sensor/, tasmota/discovery/) so the fuzzer reaches the
 * parsers' inner paths quickly; otherwise the topic is used as is.  The
 * second byte's low bit is the retain flag.  Every ecosystem of eco_table
 * has a ctx (so peers such as hadisco_lookup work), state persists across
 * inputs as in the hub and is rebuilt every 4096 runs.  Each result is
 * checked against the contract, and every device returned is switched.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Ihub tests/fuzz/fuzz_eco_a.c \
 *	hub/eco.c hub/tasmota.c hub/shelly.c hub/esphome.c hub/z2m.c \
 *	hub/hadisco.c hub/homie.c hub/octoprint.c hub/moonraker.c hub/bambu.c \
 *	hub/mlab.c -lcjson -lm -o fuzz
 *
 * mlab.c needs hub_parse_time() from hub.c; a weak stand-in below lets
 * the eco files link alone (hub.c's own wins when it is linked too).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eco.h"

extern const struct eco_ops tasmota_ops, shelly_ops, esphome_ops, z2m_ops,
	homeassistant_ops;

/* Stand-in for hub.c's, for the native parser we link but do not fuzz. */
__attribute__((weak)) int hub_parse_time(const char *s, double *t);
__attribute__((weak)) int hub_parse_time(const char *s, double *t)
{
	(void)s;
	(void)t;
	return -1;
}

static const struct eco_ops *const fz_mine[] = {
	&tasmota_ops, &shelly_ops, &esphome_ops, &z2m_ops, &homeassistant_ops,
};
#define FZ_N	5
#define FZ_MAX	32

static struct eco_ctx fz_ctx[FZ_MAX];
static int fz_ready;
static unsigned long fz_runs;

static void fz_reset(void)
{
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

static struct eco_ctx *fz_of(const struct eco_ops *ops)
{
	for (int i = 0; i < eco_count; i++)
		if (eco_table[i] == ops)
			return &fz_ctx[i];
	abort();
}

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
	for (int i = 0; i < out->ndev && rc == ECO_OK; i++) {
		const struct eco_dev *d = &out->dev[i];

		fz_str(d->native, sizeof(d->native));
		fz_str(d->source, sizeof(d->source));
		fz_str(d->name, sizeof(d->name));
		fz_str(d->kind, sizeof(d->kind));
		fz_str(d->model, sizeof(d->model));
		fz_str(d->firmware, sizeof(d->firmware));
		fz_str(d->button, sizeof(d->button));
		if (!d->native[0])
			abort();
		if (d->nmetric < 0 || d->nmetric > ECO_MAX_METRIC)
			abort();
		for (int m = 0; m < d->nmetric; m++) {
			fz_str(d->metric[m].name, sizeof(d->metric[m].name));
			if (!isfinite(d->metric[m].value) || !d->metric[m].name[0])
				abort();
		}
		if ((d->has & ECO_TS) && !isfinite(d->ts))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *fam[] = { "tele/fz/", "shellies/fz/", "fz/sensor/", "zigbee2mqtt/",
				     "homeassistant/sensor/", "tasmota/discovery/" };
	static const char pick[] = "TSEZHD";
	const uint8_t *nl = memchr(data, '\n', size);
	size_t tlen = nl ? (size_t)(nl - data) : size;
	const char *payload = nl ? (const char *)nl + 1 : "";
	size_t plen = nl ? size - tlen - 1 : 0;
	char topic[600], *pcopy;
	int retained = 0;
	const char *p;

	if (!fz_ready || ++fz_runs % 4096 == 0)
		fz_reset();
	if (tlen > 500)
		tlen = 500;
	topic[0] = '\0';
	if (tlen && (p = memchr(pick, data[0], 6))) {
		snprintf(topic, sizeof(topic), "%s", fam[p - pick]);
		data++, tlen--;
	}
	if (tlen)
		retained = data[0] & 1;
	/* the topic is a C string: an embedded NUL simply ends it */
	{
		size_t fl = strlen(topic);

		memcpy(topic + fl, data, tlen);
		topic[fl + tlen] = '\0';
	}
	pcopy = malloc(plen + 1);
	if (!pcopy)
		return 0;
	memcpy(pcopy, payload, plen);
	pcopy[plen] = '\0';
	for (int i = 0; i < FZ_N; i++) {
		struct eco_ctx *c = fz_of(fz_mine[i]);
		struct eco_out out;
		int rc;

		memset(&out, 0, sizeof(out));
		rc = fz_mine[i]->parse(c, topic, pcopy, plen, retained, &out);
		fz_check(rc, &out);
		for (int d = 0; rc == ECO_OK && d < out.ndev && fz_mine[i]->switch_cmd; d++) {
			char t[256], pl[256];

			if (fz_mine[i]->switch_cmd(c, out.dev[d].native, d & 1, t, sizeof(t),
						   pl, sizeof(pl)) == 0) {
				fz_str(t, sizeof(t));
				fz_str(pl, sizeof(pl));
				if (!t[0] || !pl[0] || strchr(t, '+') || strchr(t, '#'))
					abort();
			}
		}
	}
	free(pcopy);
	return 0;
}
