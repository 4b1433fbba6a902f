/*
 * gpiomap.c — parsing gpio.input.* / gpio.output.* values, the default
 * button box, and LED patterns over time (see gpiomap.h).  Pure.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpio/gpiomap.h"

/* The documented box (docs/wiring.svg, docs/gpio.md).  Votes on the
 * three-face scale: happy 3, neutral 2, unhappy 1. */
const struct gpiomap_default gpiomap_defaults[] = {
	{ "vote-happy",   0, "vote:3",       17, 11 },
	{ "vote-neutral", 0, "vote:2",       27, 13 },
	{ "vote-unhappy", 0, "vote:1",       22, 15 },
	{ "session",      0, "session",      23, 16 },
	{ "led-broker",   1, "broker",        5, 29 },
	{ "led-offline",  1, "offline:slow",  6, 31 },
	{ "led-session",  1, "session:flash", 13, 33 },
};
const int gpiomap_ndefaults = (int)(sizeof(gpiomap_defaults) / sizeof(gpiomap_defaults[0]));

const struct gpiomap_default *gpiomap_default_of(const char *line)
{
	for (int i = 0; i < gpiomap_ndefaults; i++)
		if (!strcmp(gpiomap_defaults[i].line, line))
			return &gpiomap_defaults[i];
	return NULL;
}

static int event_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= GPIOMAP_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

int gpiomap_parse_input(const char *value, int *vote, char *why, size_t n)
{
	*vote = 0;
	if (!strcmp(value, "session"))
		return 0;
	if (!strncmp(value, "vote:", 5)) {
		const char *p = value + 5;

		if (p[0] >= '1' && p[0] <= '5' && !p[1]) {
			*vote = p[0] - '0';
			return 0;
		}
		snprintf(why, n, "'%s': a vote is vote:1 to vote:5", value);
		return -1;
	}
	if (!strncmp(value, "event:", 6)) {
		if (event_name_ok(value + 6))
			return 0;
		snprintf(why, n, "'%s': an event name is letters, digits, '-' and '_'", value);
		return -1;
	}
	snprintf(why, n, "'%s' is not vote:N, session or event:NAME", value);
	return -1;
}

int gpiomap_parse_output(const char *value, struct gpiomap_out *o,
			 char *why, size_t n)
{
	static const char *const states[] = { "broker", "offline", "session", "vote" };
	char buf[128], *tok, *save = NULL;
	int first = 1, have_pattern = 0;

	memset(o, 0, sizeof(*o));
	if (strlen(value) >= sizeof(buf)) {
		snprintf(why, n, "'%.40s…' is too long", value);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save), first = 0) {
		if (first) {
			size_t i;

			for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
				if (!strcmp(tok, states[i]))
					break;
			if (i == sizeof(states) / sizeof(states[0])) {
				snprintf(why, n, "'%s': the state is broker, offline, session or vote", value);
				return -1;
			}
			o->state = (int)i;
			continue;
		}
		if (!strcmp(tok, "flash")) {
			o->ack = 1;
			continue;
		}
		if (have_pattern) {
			snprintf(why, n, "'%s': one of on, slow, fast at most", value);
			return -1;
		}
		if (!strcmp(tok, "on"))
			o->pattern = GPIOMAP_ON;
		else if (!strcmp(tok, "slow"))
			o->pattern = GPIOMAP_SLOW;
		else if (!strcmp(tok, "fast"))
			o->pattern = GPIOMAP_FAST;
		else {
			snprintf(why, n, "'%s': unknown pattern '%s' (on, slow, fast, flash)", value, tok);
			return -1;
		}
		have_pattern = 1;
	}
	if (first || value[strlen(value) - 1] == ':' || strstr(value, "::")) {
		snprintf(why, n, "'%s' is not STATE[:PATTERN][:flash]", value);
		return -1;
	}
	return 0;
}

static int64_t half_period(int pattern)
{
	return pattern == GPIOMAP_SLOW ? GPIOMAP_SLOW_MS :
	       pattern == GPIOMAP_FAST ? GPIOMAP_FAST_MS : 0;
}

static int in_ack(const struct gpiomap_out *o, int64_t now_ms, int64_t ack_ms)
{
	return o->ack && ack_ms >= 0 && now_ms >= ack_ms &&
	       now_ms - ack_ms < GPIOMAP_ACK_STEP_MS * GPIOMAP_ACK_STEPS;
}

int gpiomap_level(const struct gpiomap_out *o, int active, int64_t now_ms,
		  int64_t ack_ms)
{
	int64_t half = half_period(o->pattern);

	if (in_ack(o, now_ms, ack_ms)) {
		int step = (int)((now_ms - ack_ms) / GPIOMAP_ACK_STEP_MS);

		/* against the steady level, so it shows on a lit LED too */
		return step % 2 == 0 ? !active : !!active;
	}
	if (!active)
		return 0;
	if (!half)
		return 1;
	/* lit in the first half of each period */
	return (now_ms / half) % 2 == 0;
}

int64_t gpiomap_next(const struct gpiomap_out *o, int active, int64_t now_ms,
		     int64_t ack_ms)
{
	int64_t half = half_period(o->pattern);

	if (in_ack(o, now_ms, ack_ms))
		return ack_ms + ((now_ms - ack_ms) / GPIOMAP_ACK_STEP_MS + 1) * GPIOMAP_ACK_STEP_MS;
	if (!active || !half)
		return -1;
	return (now_ms / half + 1) * half;
}
