/*
 * debounce.c — the contact-bounce filter (see debounce.h).  Pure: the
 * caller supplies the time and runs the timer.
 */
#include "gpio/debounce.h"

void debounce_init(struct debounce *d, int level)
{
	d->stable = level ? 1 : 0;
	d->raw = d->stable;
	d->edge_ms = 0;
	d->pending = 0;
}

/* Record a raw level.  Only a change of level restarts the window, so a
 * driver repeating the same level (MQTT "1" twice) cannot hold off a
 * settle forever.  Returns the new deadline or -1. */
int64_t debounce_edge(struct debounce *d, int level, int64_t now_ms,
		      int window_ms)
{
	level = level ? 1 : 0;
	if (level == d->raw)
		return -1;
	d->raw = level;
	d->edge_ms = now_ms;
	d->pending = 1;
	return now_ms + (window_ms > 0 ? window_ms : 0);
}

/* Commit the raw level once it has been stable for the window.  A raw
 * level equal to the stable one (a glitch that bounced back) commits
 * nothing and reports DEBOUNCE_NONE. */
enum debounce_result debounce_settle(struct debounce *d, int64_t now_ms,
				     int window_ms, int64_t *due)
{
	int64_t deadline;

	if (!d->pending)
		return DEBOUNCE_NONE;
	deadline = d->edge_ms + (window_ms > 0 ? window_ms : 0);
	if (now_ms < deadline) {
		if (due)
			*due = deadline;
		return DEBOUNCE_WAIT;
	}
	d->pending = 0;
	if (d->raw == d->stable)
		return DEBOUNCE_NONE;
	d->stable = d->raw;
	return d->stable ? DEBOUNCE_PRESS : DEBOUNCE_RELEASE;
}
