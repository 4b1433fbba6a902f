/*
 * test_gpio.c — the GPIO module's pure parts and its failure paths:
 * the debouncer against recorded bounce patterns, the mapping and
 * pattern syntax, LED patterns over time, and gpio_init() with the
 * libgpiod backend on a machine without that chip.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "gpio/debounce.h"
#include "gpio/gpio.h"
#include "gpio/gpiomap.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/reload.h"
#include "t.h"

/* ------------------------------------------------------------ debounce */

/* One recorded edge: at t ms, line `line` reads `level` (1 = pressed). */
struct edge {
	int line;
	int64_t t;
	int level;
};

#define NLINES 4

/* Replay edges (sorted by time) through one debouncer per line, running
 * each line's timer exactly as gpio.c does with its lws_sul: re-armed on
 * every deadline debounce_edge() returns, fired when due.  Counts the
 * presses and releases per line. */
static void replay(const struct edge *e, int n, int window, int press[NLINES],
		   int release[NLINES])
{
	struct debounce d[NLINES];
	int64_t due[NLINES];
	int i = 0;

	for (int l = 0; l < NLINES; l++) {
		debounce_init(&d[l], 0);
		due[l] = -1;
		press[l] = release[l] = 0;
	}
	for (;;) {
		/* the earliest of: the next edge, any due timer */
		int64_t next = i < n ? e[i].t : INT64_MAX;
		int which = -1;

		for (int l = 0; l < NLINES; l++)
			if (due[l] >= 0 && due[l] <= next) {
				next = due[l];
				which = l;
			}
		if (which >= 0) {
			int64_t again = -1;
			enum debounce_result r = debounce_settle(&d[which], next, window, &again);

			due[which] = -1;
			if (r == DEBOUNCE_PRESS)
				press[which]++;
			else if (r == DEBOUNCE_RELEASE)
				release[which]++;
			else if (r == DEBOUNCE_WAIT)
				due[which] = again;
			continue;
		}
		if (i >= n)
			break;
		int64_t t = debounce_edge(&d[e[i].line], e[i].level, e[i].t, window);

		if (t >= 0)
			due[e[i].line] = t;
		i++;
	}
}

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

/* A clean press and release. */
TEST(debounce_clean)
{
	static const struct edge e[] = { { 0, 1000, 1 }, { 0, 1150, 0 } };
	int p[NLINES], r[NLINES];

	replay(e, N(e), 30, p, r);
	CHECK(p[0] == 1);
	CHECK(r[0] == 1);
}

/* Contact bounce of a few ms to 20 ms on press and on release, as
 * recorded from a cheap arcade button: one press. */
TEST(debounce_bounce_1_to_20ms)
{
	static const struct edge e[] = {
		{ 0, 1000, 1 }, { 0, 1001, 0 }, { 0, 1002, 1 }, { 0, 1004, 0 },
		{ 0, 1007, 1 }, { 0, 1011, 0 }, { 0, 1015, 1 }, { 0, 1020, 0 },
		{ 0, 1020, 1 },
		/* held ~120 ms, then a 1–20 ms bouncing release */
		{ 0, 1140, 0 }, { 0, 1141, 1 }, { 0, 1143, 0 }, { 0, 1148, 1 },
		{ 0, 1152, 0 }, { 0, 1159, 1 }, { 0, 1160, 0 },
	};
	int p[NLINES], r[NLINES];

	replay(e, N(e), 30, p, r);
	CHECK(p[0] == 1);
	CHECK(r[0] == 1);
	/* still one press with the bounce at the limit of the window */
	replay(e, N(e), 21, p, r);
	CHECK(p[0] == 1);
	CHECK(r[0] == 1);
}

/* Every bounce interval from 1 to 20 ms, repeated: always one press. */
TEST(debounce_bounce_sweep)
{
	for (int gap = 1; gap <= 20; gap++) {
		struct edge e[16];
		int n = 0, p[NLINES], r[NLINES];
		int64_t t = 500;

		for (int k = 0; k < 3; k++) {
			e[n++] = (struct edge){ 0, t, 1 };
			e[n++] = (struct edge){ 0, t + gap / 2, 0 };
			t += gap;
		}
		e[n++] = (struct edge){ 0, t, 1 };
		e[n++] = (struct edge){ 0, t + 400, 0 };
		replay(e, n, 30, p, r);
		CHECK(p[0] == 1);
		CHECK(r[0] == 1);
	}
}

/* Held for 2 s (with the same level reported again, as an MQTT driver
 * may): one press, released once. */
TEST(debounce_hold_2s)
{
	static const struct edge e[] = {
		{ 0, 0, 1 }, { 0, 3, 0 }, { 0, 5, 1 },
		{ 0, 700, 1 }, { 0, 1400, 1 },
		{ 0, 2005, 0 }, { 0, 2008, 1 }, { 0, 2012, 0 },
	};
	int p[NLINES], r[NLINES];

	replay(e, N(e), 30, p, r);
	CHECK(p[0] == 1);
	CHECK(r[0] == 1);
}

/* Two buttons pressed together, their bounces interleaved: two presses,
 * one on each line. */
TEST(debounce_two_at_once)
{
	static const struct edge e[] = {
		{ 0, 100, 1 }, { 1, 101, 1 }, { 0, 102, 0 }, { 1, 103, 0 },
		{ 0, 104, 1 }, { 1, 106, 1 }, { 1, 109, 0 }, { 1, 112, 1 },
		{ 0, 300, 0 }, { 1, 302, 0 }, { 0, 303, 1 }, { 0, 305, 0 },
	};
	int p[NLINES], r[NLINES];

	replay(e, N(e), 30, p, r);
	CHECK(p[0] == 1);
	CHECK(p[1] == 1);
	CHECK(r[0] == 1);
	CHECK(r[1] == 1);
	CHECK(p[2] == 0);
}

/* A glitch shorter than the window (EMI, a knock on the box): nothing. */
TEST(debounce_glitch)
{
	static const struct edge e[] = {
		{ 0, 100, 1 }, { 0, 110, 0 },
		{ 0, 500, 1 }, { 0, 501, 0 }, { 0, 503, 1 }, { 0, 520, 0 },
	};
	int p[NLINES], r[NLINES];

	replay(e, N(e), 30, p, r);
	CHECK(p[0] == 0);
	CHECK(r[0] == 0);
}

/* Three separate presses: three. Window 0 still works (no debounce). */
TEST(debounce_repeated_presses)
{
	static const struct edge e[] = {
		{ 0, 0, 1 }, { 0, 100, 0 }, { 0, 200, 1 }, { 0, 300, 0 },
		{ 0, 400, 1 }, { 0, 500, 0 },
	};
	int p[NLINES], r[NLINES];

	replay(e, N(e), 30, p, r);
	CHECK(p[0] == 3);
	replay(e, N(e), 0, p, r);
	CHECK(p[0] == 3);
	CHECK(r[0] == 3);
}

/* The timer firing early (a clock step) waits, it does not commit. */
TEST(debounce_early_timer)
{
	struct debounce d;
	int64_t due = 0;

	debounce_init(&d, 0);
	CHECK(debounce_edge(&d, 1, 1000, 30) == 1030);
	CHECK(debounce_settle(&d, 1010, 30, &due) == DEBOUNCE_WAIT);
	CHECK(due == 1030);
	CHECK(debounce_settle(&d, 1030, 30, &due) == DEBOUNCE_PRESS);
	CHECK(debounce_settle(&d, 1040, 30, &due) == DEBOUNCE_NONE);
	/* same level again: nothing new is due */
	CHECK(debounce_edge(&d, 1, 1050, 30) == -1);
}

/* ------------------------------------------------------------ mapping */

TEST(map_inputs)
{
	char why[200];
	int v;

	CHECK(gpiomap_parse_input("vote:3", &v, why, sizeof(why)) == 0 && v == 3);
	CHECK(gpiomap_parse_input("vote:1", &v, why, sizeof(why)) == 0 && v == 1);
	CHECK(gpiomap_parse_input("vote:5", &v, why, sizeof(why)) == 0 && v == 5);
	CHECK(gpiomap_parse_input("session", &v, why, sizeof(why)) == 0 && v == 0);
	CHECK(gpiomap_parse_input("event:door-bell_2", &v, why, sizeof(why)) == 0 && v == 0);
	CHECK(gpiomap_parse_input("vote:0", &v, why, sizeof(why)) == -1);
	CHECK(strstr(why, "vote:1 to vote:5") != NULL);
	CHECK(gpiomap_parse_input("vote:6", &v, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_input("vote:33", &v, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_input("vote:", &v, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_input("event:", &v, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_input("event:a/b", &v, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_input("event:#", &v, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_input("sessions", &v, why, sizeof(why)) == -1);
	CHECK(strstr(why, "'sessions'") != NULL);
	CHECK(gpiomap_parse_input("", &v, why, sizeof(why)) == -1);
}

TEST(map_outputs)
{
	struct gpiomap_out o;
	char why[200];

	CHECK(gpiomap_parse_output("broker", &o, why, sizeof(why)) == 0);
	CHECK(o.state == GPIOMAP_BROKER && o.pattern == GPIOMAP_ON && !o.ack);
	CHECK(gpiomap_parse_output("offline:slow", &o, why, sizeof(why)) == 0);
	CHECK(o.state == GPIOMAP_OFFLINE && o.pattern == GPIOMAP_SLOW && !o.ack);
	CHECK(gpiomap_parse_output("offline:fast", &o, why, sizeof(why)) == 0);
	CHECK(o.pattern == GPIOMAP_FAST);
	CHECK(gpiomap_parse_output("session:flash", &o, why, sizeof(why)) == 0);
	CHECK(o.state == GPIOMAP_SESSION && o.pattern == GPIOMAP_ON && o.ack);
	CHECK(gpiomap_parse_output("session:slow:flash", &o, why, sizeof(why)) == 0);
	CHECK(o.pattern == GPIOMAP_SLOW && o.ack);
	CHECK(gpiomap_parse_output("vote:flash", &o, why, sizeof(why)) == 0);
	CHECK(o.state == GPIOMAP_VOTE && o.ack);
	CHECK(gpiomap_parse_output("broker:on", &o, why, sizeof(why)) == 0);

	CHECK(gpiomap_parse_output("brokers", &o, why, sizeof(why)) == -1);
	CHECK(strstr(why, "broker, offline, session or vote") != NULL);
	CHECK(gpiomap_parse_output("broker:blink", &o, why, sizeof(why)) == -1);
	CHECK(strstr(why, "'blink'") != NULL);
	CHECK(gpiomap_parse_output("broker:slow:fast", &o, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_output("broker:", &o, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_output("broker::on", &o, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_output(":on", &o, why, sizeof(why)) == -1);
	CHECK(gpiomap_parse_output("", &o, why, sizeof(why)) == -1);
}

TEST(map_defaults)
{
	const struct gpiomap_default *d;
	struct gpiomap_out o;
	char why[200];
	int v;

	CHECK(gpiomap_ndefaults == 7);
	d = gpiomap_default_of("vote-happy");
	CHECK(d && !d->output && !strcmp(d->value, "vote:3") && d->bcm == 17 && d->pin == 11);
	d = gpiomap_default_of("vote-neutral");
	CHECK(d && !strcmp(d->value, "vote:2"));
	d = gpiomap_default_of("vote-unhappy");
	CHECK(d && !strcmp(d->value, "vote:1"));
	d = gpiomap_default_of("session");
	CHECK(d && !strcmp(d->value, "session"));
	CHECK(gpiomap_default_of("led-broker") && gpiomap_default_of("led-broker")->output);
	CHECK(gpiomap_default_of("led-offline") && gpiomap_default_of("led-session"));
	CHECK(gpiomap_default_of("nope") == NULL);
	/* every default parses, and no two share a header pin */
	for (int i = 0; i < gpiomap_ndefaults; i++) {
		d = &gpiomap_defaults[i];
		if (d->output)
			CHECK(gpiomap_parse_output(d->value, &o, why, sizeof(why)) == 0);
		else
			CHECK(gpiomap_parse_input(d->value, &v, why, sizeof(why)) == 0);
		for (int j = 0; j < i; j++)
			CHECK(gpiomap_defaults[j].bcm != d->bcm && gpiomap_defaults[j].pin != d->pin);
	}
}

/* ------------------------------------------------------------ patterns */

TEST(pattern_levels)
{
	struct gpiomap_out on = { GPIOMAP_BROKER, GPIOMAP_ON, 0 };
	struct gpiomap_out slow = { GPIOMAP_OFFLINE, GPIOMAP_SLOW, 0 };
	struct gpiomap_out fast = { GPIOMAP_OFFLINE, GPIOMAP_FAST, 0 };
	struct gpiomap_out ack = { GPIOMAP_SESSION, GPIOMAP_ON, 1 };

	CHECK(gpiomap_level(&on, 1, 12345, -1) == 1);
	CHECK(gpiomap_level(&on, 0, 12345, -1) == 0);
	CHECK(gpiomap_next(&on, 1, 12345, -1) == -1);
	CHECK(gpiomap_next(&on, 0, 12345, -1) == -1);

	/* slow: 1 Hz, lit the first half second */
	CHECK(gpiomap_level(&slow, 1, 10000, -1) == 1);
	CHECK(gpiomap_level(&slow, 1, 10499, -1) == 1);
	CHECK(gpiomap_level(&slow, 1, 10500, -1) == 0);
	CHECK(gpiomap_level(&slow, 1, 10999, -1) == 0);
	CHECK(gpiomap_level(&slow, 0, 10000, -1) == 0);
	CHECK(gpiomap_next(&slow, 1, 10100, -1) == 10500);
	CHECK(gpiomap_next(&slow, 1, 10500, -1) == 11000);
	CHECK(gpiomap_next(&slow, 0, 10100, -1) == -1);
	/* fast: 2.5 Hz */
	CHECK(gpiomap_level(&fast, 1, 10000, -1) == 1);
	CHECK(gpiomap_level(&fast, 1, 10200, -1) == 0);
	CHECK(gpiomap_next(&fast, 1, 10250, -1) == 10400);
	/* transitions per second stay sane: count them over 10 s */
	{
		int changes = 0, last = gpiomap_level(&fast, 1, 0, -1);

		for (int64_t t = 0; t < 10000; t++) {
			int l = gpiomap_level(&fast, 1, t, -1);

			changes += l != last;
			last = l;
		}
		CHECK(changes <= 50);
	}

	/* the acknowledgement: two flashes after a vote, on a dark LED ... */
	CHECK(gpiomap_level(&ack, 0, 5000, 5000) == 1);
	CHECK(gpiomap_level(&ack, 0, 5119, 5000) == 1);
	CHECK(gpiomap_level(&ack, 0, 5120, 5000) == 0);
	CHECK(gpiomap_level(&ack, 0, 5240, 5000) == 1);
	CHECK(gpiomap_level(&ack, 0, 5360, 5000) == 0);
	CHECK(gpiomap_level(&ack, 0, 5480, 5000) == 0);
	CHECK(gpiomap_next(&ack, 0, 5000, 5000) == 5120);
	CHECK(gpiomap_next(&ack, 0, 5130, 5000) == 5240);
	CHECK(gpiomap_next(&ack, 0, 5400, 5000) == 5480);
	CHECK(gpiomap_next(&ack, 0, 5480, 5000) == -1);
	/* ... and as two dark blinks on a lit one */
	CHECK(gpiomap_level(&ack, 1, 5000, 5000) == 0);
	CHECK(gpiomap_level(&ack, 1, 5120, 5000) == 1);
	CHECK(gpiomap_level(&ack, 1, 5240, 5000) == 0);
	CHECK(gpiomap_level(&ack, 1, 5480, 5000) == 1);
	/* an LED without :flash ignores votes */
	CHECK(gpiomap_level(&on, 1, 5000, 5000) == 1);
	CHECK(gpiomap_next(&on, 1, 5000, 5000) == -1);
}

/* ------------------------------------------------------------ gpio_init */

/* A hub with just a configuration, as gpio_init sees it before the loop. */
static struct conf *cfg(const char *const *sets)
{
	struct conf *c = conf_new();

	for (; *sets; sets++)
		if (conf_set_arg(c, *sets))
			abort();
	return c;
}

static int init_with(const char *const *sets, struct hub *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->conf = cfg(sets);
	rc = gpio_init(h);
	return rc;
}

static void done(struct hub *h)
{
	gpio_fini(h);
	CHECK(h->gpio == NULL);
	reload_fini(h);
	conf_free(h->conf);
}

TEST(init_none)
{
	static const char *const s[] = { "gpio.backend=none", NULL };
	struct hub h;

	CHECK(init_with(s, &h) == 0);
	CHECK(h.gpio == NULL);
	done(&h);
}

/* No chip at that path: one clear error, the hub goes on without GPIO. */
TEST(init_gpiod_missing_chip)
{
	static const char *const s[] = { "gpio.backend=gpiod", "gpio.chip=/dev/nonexistent", NULL };
	struct hub h;

	CHECK(init_with(s, &h) == 0);
	CHECK(h.gpio == NULL);
	done(&h);
}

/* ... and with gpio.required = yes, gpio_init fails (the hub exits). */
TEST(init_gpiod_missing_chip_required)
{
	static const char *const s[] = { "gpio.backend=gpiod", "gpio.chip=/dev/nonexistent",
					 "gpio.required=yes", NULL };
	struct hub h;

	CHECK(init_with(s, &h) == -1);
	CHECK(h.gpio == NULL);
	done(&h);
}

/* By label, as on a Pi 5, when this machine has no such chip. */
TEST(init_gpiod_label_and_auto)
{
	static const char *const s1[] = { "gpio.backend=gpiod", "gpio.chip=pinctrl-rp1-not-here",
					  "gpio.required=yes", NULL };
	static const char *const s2[] = { "gpio.backend=gpiod", NULL };
	struct hub h;

	CHECK(init_with(s1, &h) == -1);
	done(&h);
	/* auto: a Pi's header chip if any; this test only asks that it
	 * does not fail the hub */
	CHECK(init_with(s2, &h) == 0);
	done(&h);
}

/* Bad mappings are configuration errors whatever the backend. */
TEST(init_bad_mapping)
{
	static const char *const s1[] = { "gpio.input.b1=vote:9", NULL };
	static const char *const s2[] = { "gpio.output.l1=broker:blink", NULL };
	static const char *const s3[] = { "rating.scale=3", "gpio.input.b1=vote:4", NULL };
	static const char *const s4[] = { "gpio.input.x=session", "gpio.output.x=broker", NULL };
	static const char *const ok[] = { "rating.scale=5", "gpio.input.17=vote:5",
					  "gpio.input.GPIO27=event:bell", "gpio.output.13=session:fast:flash",
					  NULL };
	struct hub h;

	CHECK(init_with(s1, &h) == -1);
	done(&h);
	CHECK(init_with(s2, &h) == -1);
	done(&h);
	CHECK(init_with(s3, &h) == -1);
	done(&h);
	CHECK(init_with(s4, &h) == -1);
	done(&h);
	CHECK(init_with(ok, &h) == 0);
	done(&h);
}

/* The simulated chip opens the default box without any hardware. */
TEST(init_sim_defaults)
{
	static const char *const s[] = { "gpio.backend=sim", NULL };
	struct hub h;

	CHECK(init_with(s, &h) == 0);
	CHECK(h.gpio != NULL);
	/* unknown lines and bad payloads are logged and ignored */
	gpio_sim_input(&h, "nope", "1", 1);
	gpio_sim_input(&h, "vote-happy", "2", 1);
	gpio_state_changed(&h);
	done(&h);
}

/* Reload: release and set up again from a new configuration. */
TEST(reload)
{
	static const char *const s[] = { "gpio.backend=sim", NULL };
	static const char *const s2[] = { "gpio.backend=sim", "gpio.input.b=vote:1", NULL };
	struct conf *c2 = cfg(s2);
	struct hub h;

	CHECK(init_with(s, &h) == 0);
	CHECK(gpio_reload(&h, c2) == 0);
	conf_free(c2);	/* nothing of it is kept */
	CHECK(h.gpio != NULL);
	gpio_sim_input(&h, "b", "1", 1);
	done(&h);
}

int main(void)
{
	log_verbosity = getenv("VERBOSE") ? L_DEBUG : -1;
	RUN(debounce_clean);
	RUN(debounce_bounce_1_to_20ms);
	RUN(debounce_bounce_sweep);
	RUN(debounce_hold_2s);
	RUN(debounce_two_at_once);
	RUN(debounce_glitch);
	RUN(debounce_repeated_presses);
	RUN(debounce_early_timer);
	RUN(map_inputs);
	RUN(map_outputs);
	RUN(map_defaults);
	RUN(pattern_levels);
	RUN(init_none);
	RUN(init_gpiod_missing_chip);
	RUN(init_gpiod_missing_chip_required);
	RUN(init_gpiod_label_and_auto);
	RUN(init_bad_mapping);
	RUN(init_sim_defaults);
	RUN(reload);
	return t_done();
}
