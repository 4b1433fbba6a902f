/*
 * debounce.h — the contact-bounce filter every GPIO input goes through,
 * real or simulated: pure state and arithmetic, no clock, no I/O, so it
 * is tested against recorded bounce patterns (tests/unit/test_gpio.c).
 *
 * A level counts when it has stayed the same for the debounce window
 * after its last edge.  The caller owns the timer: debounce_edge() says
 * when to look again, debounce_settle() looks.  A press is the debounced
 * level going from released (0) to pressed (1); holding the button is
 * still one press; each line has its own state, so two buttons pressed
 * together are two presses.
 */
#ifndef MLAB_DEBOUNCE_H
#define MLAB_DEBOUNCE_H

#include <stdint.h>

struct debounce {
	int stable;		/* debounced level: 1 pressed, 0 released */
	int raw;		/* last level seen */
	int64_t edge_ms;	/* when raw last changed (caller's clock, ms) */
	int pending;		/* a settle is due at edge_ms + window */
};

enum debounce_result {
	DEBOUNCE_NONE = 0,	/* nothing changed */
	DEBOUNCE_PRESS,		/* stable 0 -> 1 */
	DEBOUNCE_RELEASE,	/* stable 1 -> 0 */
	DEBOUNCE_WAIT,		/* not yet stable long enough: look again at *due */
};

/* Start a line at level (normally 0, released) with nothing pending. */
void debounce_init(struct debounce *d, int level);

/* The raw level is `level` at now_ms.  Returns the time (ms) at which the
 * caller must call debounce_settle(), or -1 when the level did not change
 * and nothing new is due (a repeated level keeps the earlier deadline). */
int64_t debounce_edge(struct debounce *d, int level, int64_t now_ms,
		      int window_ms);

/* The timer fired at now_ms.  Commits the raw level when it has been
 * stable for window_ms and reports what that did; DEBOUNCE_WAIT (with
 * *due set) when the timer fired early. */
enum debounce_result debounce_settle(struct debounce *d, int64_t now_ms,
				     int window_ms, int64_t *due);

#endif
