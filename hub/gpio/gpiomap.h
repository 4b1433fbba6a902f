/*
 * gpiomap.h — what the GPIO lines mean: the input actions and output
 * states of gpio.input.* / gpio.output.*, the default three-button box,
 * and the LED patterns as a function of time.  Pure: no I/O, no clock,
 * so it is unit-tested on its own (tests/unit/test_gpio.c).
 *
 *	gpio.input.<line>  = vote:N | session | event:NAME
 *	gpio.output.<line> = broker | offline | session | vote [:on|:slow|:fast] [:flash]
 *
 * An output is lit, or blinks, while its state holds: broker = the lab
 * broker is reached, offline = some device is offline, session = a
 * session is open, vote = never (an LED that only acknowledges votes).
 * :on (the default) is steady, :slow blinks at 1 Hz, :fast at 2.5 Hz;
 * :flash adds the acknowledgement: the LED flashes twice (inverts for
 * 120 ms, twice) right after a vote is recorded.  ":flash" alone means
 * ":on:flash".
 */
#ifndef MLAB_GPIOMAP_H
#define MLAB_GPIOMAP_H

#include <stddef.h>
#include <stdint.h>

#define GPIOMAP_NAME_MAX	64	/* line names, event names */
#define GPIOMAP_SLOW_MS		500	/* half-periods */
#define GPIOMAP_FAST_MS		200
#define GPIOMAP_ACK_STEP_MS	120	/* invert, back, invert, back */
#define GPIOMAP_ACK_STEPS	4

enum gpiomap_state { GPIOMAP_BROKER, GPIOMAP_OFFLINE, GPIOMAP_SESSION, GPIOMAP_VOTE };
enum gpiomap_pattern { GPIOMAP_ON, GPIOMAP_SLOW, GPIOMAP_FAST };

struct gpiomap_out {
	int state;		/* enum gpiomap_state */
	int pattern;		/* enum gpiomap_pattern, while the state holds */
	int ack;		/* flash twice after each vote */
};

/* One line of the documented button box.  bcm is the Broadcom GPIO
 * number (the offset on the Pi 4's pinctrl-bcm2711 and the Pi 5's
 * pinctrl-rp1), pin the physical pin on the 40-pin header. */
struct gpiomap_default {
	const char *line;
	int output;
	const char *value;	/* as it would be written in the config */
	int bcm, pin;
};

extern const struct gpiomap_default gpiomap_defaults[];
extern const int gpiomap_ndefaults;

/* The documented default for line name, or NULL. */
const struct gpiomap_default *gpiomap_default_of(const char *line);

/* Check an input action.  Returns 0, or -1 with the reason in why.
 * On success *vote is N for "vote:N", else 0. */
int gpiomap_parse_input(const char *value, int *vote, char *why, size_t n);

/* Parse an output spec into *o.  0, or -1 with the reason in why. */
int gpiomap_parse_output(const char *value, struct gpiomap_out *o,
			 char *why, size_t n);

/* The level (1 lit) of output o at now_ms when its state is `active`;
 * ack_ms is when the last vote was acknowledged (<0: never).  Blinking
 * is phased on the clock, so every blinking LED blinks together. */
int gpiomap_level(const struct gpiomap_out *o, int active, int64_t now_ms,
		  int64_t ack_ms);

/* When the level may next change without a state change (ms), or -1 if
 * it holds until the state changes. */
int64_t gpiomap_next(const struct gpiomap_out *o, int active, int64_t now_ms,
		     int64_t ack_ms);

#endif
