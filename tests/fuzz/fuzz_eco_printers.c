/*
 * fuzz_eco_printers.c — libFuzzer target for the Homie, OctoPrint, Moonraker and
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
#include "fuzz.h"

extern const struct eco_ops homie_ops, octoprint_ops, moonraker_ops, bambu_ops;

static const struct eco_ops *const fz_ops[] = {
	&homie_ops, &octoprint_ops, &moonraker_ops, &bambu_ops,
};
#define FZ_N	4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fam[] = { "homie/", "octoPrint/", "lab-voron/klipper/", "device/" };
	struct fz_input in;
	struct eco_out out;
	size_t o;

	fz_tick();
	if (fz_split(data, size, "HOMB", fam, &in))
		return 0;
	o = in.tlen;
	if (in.topic[0] == 'd' && !strncmp(in.topic, "device/", 7) && !strstr(in.topic, "/report"))
		strcpy(in.topic + o, "/report");
	if (strlen(in.topic) != o && strlen(in.topic) != o + 7) {
		fz_split_free(&in);
		return 0;	/* a NUL in the topic: MQTT forbids it */
	}

	for (int i = 0; i < FZ_N; i++) {
		struct eco_ctx *c = fz_of(fz_ops[i]);

		for (int retained = 0; retained < 2; retained++) {
			memset(&out, 0, sizeof(out));
			fz_check(fz_ops[i]->parse(c, in.topic, in.payload, in.plen, retained, &out), &out);
		}
		if (fz_ops[i]->switch_cmd) {
			char t[256], p[16];
			const char *native = out.ndev ? out.dev[0].native : "x";

			if (!fz_ops[i]->switch_cmd(c, native, (int)(in.plen & 1), t, sizeof(t), p, sizeof(p))) {
				fz_str(t, sizeof(t));
				if (strcmp(p, "true") && strcmp(p, "false"))
					abort();
			}
		}
	}
	fz_split_free(&in);
	return 0;
}
