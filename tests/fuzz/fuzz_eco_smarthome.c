/*
 * fuzz_eco_smarthome.c — libFuzzer target for the Tasmota, Shelly, ESPHome,
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
 *   clang -g -fsanitize=fuzzer,address,undefined -Ihub tests/fuzz/fuzz_eco_smarthome.c \
 *	hub/eco/*.c hub/core/hub.c \
 *	-lcjson -lm -o fuzz
 *
 * mlab.c needs hub_parse_time() from hub.c; a weak stand-in below lets
 * the eco files link alone (hub.c's own wins when it is linked too).
 */
#include "fuzz.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fam[] = { "tele/fz/", "shellies/fz/", "fz/sensor/", "zigbee2mqtt/",
					   "homeassistant/sensor/", "tasmota/discovery/" };
	struct fz_input in;
	int retained;

	fz_tick();
	if (fz_split(data, size, "TSEZHD", fam, &in))
		return 0;
	retained = in.rawlen ? in.raw[0] & 1 : 0;
	/* the topic is a C string: an embedded NUL simply ends it */
	for (int i = 0; i < FZ_N; i++) {
		struct eco_ctx *c = fz_of(fz_mine[i]);
		struct eco_out out;
		int rc;

		memset(&out, 0, sizeof(out));
		rc = fz_mine[i]->parse(c, in.topic, in.payload, in.plen, retained, &out);
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
	fz_split_free(&in);
	return 0;
}
