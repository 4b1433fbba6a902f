/*
 * gpio.c — physical controls: the appreciation button box, the session
 * button and the status LEDs, on a real chip (libgpiod 1.6) or on the
 * simulated chip driven over MQTT.
 *
 * Both backends share everything above the wire: an input's level goes
 * through debounce.c (a per-line lws_sul timer confirms it stayed put),
 * a press runs its gpio.input.* action through button_do(), and the
 * outputs are recomputed from hub state by gpiomap.c's patterns.
 *
 *	real chip:  the line's event fd is watched by the one lws loop
 *	            (loop_watch_fd); on each wake-up the events are drained
 *	            and the line's current value is fed to the debouncer.
 *	simulated:  mlab/v1/hub/gpio-sim/<line> "1"/"0" (ingest.c calls
 *	            gpio_sim_input); outputs are published, retained, on
 *	            mlab/v1/hub/gpio-sim/<line>/out whenever they change.
 *
 * Safe by default: a missing chip, a missing or busy line is one error
 * line naming it and the hub runs on (without that line, or without
 * GPIO); gpio.required = yes makes each of these fatal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <gpiod.h>
#include <libwebsockets.h>
#include <cjson/cJSON.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/reload.h"
#include "gpio/debounce.h"
#include "gpio/gpio.h"
#include "gpio/gpiomap.h"
#include "lab/device.h"
#include "lab/ingest.h"
#include "mqtt/mqtt.h"
#include "net/ws.h"
#include "part/button.h"
#include "part/part.h"

#define GPIO_LINES_MAX	32
#define GPIO_CONSUMER	"mlab-hub"
#define GPIO_SIM_PREFIX	MQTT_HUB_GPIO_SIM
#define GPIO_RECHECK_MS	1000	/* outputs re-derived at least this often */

enum { BACKEND_NONE, BACKEND_GPIOD, BACKEND_SIM };

struct gline {
	lws_sorted_usec_list_t sul;	/* debounce timer (inputs) */
	struct gpio *g;
	char name[GPIOMAP_NAME_MAX];	/* as configured: "vote-happy", "17" */
	int output;
	char action[GPIOMAP_NAME_MAX + 8];	/* inputs: for button_do() */
	int vote;			/* inputs: N of vote:N, else 0 */
	int scale;			/* inputs: 3 for the default box, 0 = rating.scale */
	int warned;			/* outputs: a write failure was logged */
	struct gpiomap_out out;		/* outputs */
	struct debounce db;		/* inputs */
	int level;			/* outputs: last written, -1 unknown */
	int open;			/* usable (sim: always) */
	unsigned offset;		/* gpiod */
	struct gpiod_line *line;	/* gpiod: requested; the chip owns it */
	struct lws *watch;		/* gpiod inputs: the event fd's watcher */
};

struct gpio {
	struct hub *h;
	int backend;
	int debounce_ms;
	int required;
	struct gpiod_chip *chip;
	char chip_desc[128];		/* "gpiochip0 [pinctrl-bcm2711]" */
	int pi_header;			/* chip is a Pi's header chip */
	int n;
	struct gline line[GPIO_LINES_MAX];
	lws_sorted_usec_list_t sul_out;	/* output patterns and re-check */
	int64_t ack_ms;			/* last vote acknowledged, -1 never */
	int broker_was_up;
};

/* Monotonic milliseconds: the debouncer's and the patterns' clock. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- config */

struct collect {
	struct gpio *g;
	int output;
	int rc;
	int vote_max;
};

/* conf_each callback: one gpio.input.<line> or gpio.output.<line> row. */
static void collect_line(void *arg, const char *key, const char *name,
			 const char *value)
{
	struct collect *c = arg;
	struct gpio *g = c->g;
	struct gline *l;
	char why[200];

	if (c->rc)
		return;
	for (int i = 0; i < g->n; i++)
		if (!strcmp(g->line[i].name, name)) {
			LOG(L_ERR, "%s: line '%s' is both an input and an output", key, name);
			c->rc = -1;
			return;
		}
	if (g->n >= GPIO_LINES_MAX || strlen(name) >= GPIOMAP_NAME_MAX) {
		LOG(L_ERR, "%s: %s", key, g->n >= GPIO_LINES_MAX ?
		    "too many GPIO lines (32 at most)" : "line name too long");
		c->rc = -1;
		return;
	}
	l = &g->line[g->n];
	memset(l, 0, sizeof(*l));
	l->g = g;
	l->level = -1;
	l->output = c->output;
	snprintf(l->name, sizeof(l->name), "%s", name);
	if (c->output) {
		if (gpiomap_parse_output(value, &l->out, why, sizeof(why))) {
			LOG(L_ERR, "%s: %s", key, why);
			c->rc = -1;
			return;
		}
	} else {
		if (gpiomap_parse_input(value, &l->vote, why, sizeof(why))) {
			LOG(L_ERR, "%s: %s", key, why);
			c->rc = -1;
			return;
		}
		if (l->vote > c->vote_max) {
			LOG(L_ERR, "%s: vote:%d is above rating.scale = %d", key, l->vote, c->vote_max);
			c->rc = -1;
			return;
		}
		snprintf(l->action, sizeof(l->action), "%s", value);
	}
	g->n++;
}

/* Fill g->line from the config, or from the documented box when no
 * gpio.input.* and no gpio.output.* is set (configuring either replaces
 * the whole default, so no header pin is driven that the config does
 * not name).  0, or -1 after logging the key. */
static int gpio_lines_from_conf(struct gpio *g, const struct conf *c)
{
	struct collect col = { g, 0, 0, (int)conf_int(c, "rating.scale") };
	int i;

	conf_each(c, "gpio.input.*", collect_line, &col);
	col.output = 1;
	conf_each(c, "gpio.output.*", collect_line, &col);
	if (col.rc)
		return -1;
	if (g->n)
		return 0;
	/* the box's faces are a three-face scale whatever rating.scale says */
	col.vote_max = 3;
	for (i = 0; i < gpiomap_ndefaults; i++) {
		const struct gpiomap_default *d = &gpiomap_defaults[i];
		char key[128];

		col.output = d->output;
		snprintf(key, sizeof(key), "gpio.%s.%s", d->output ? "output" : "input", d->line);
		collect_line(&col, key, d->line, d->value);
	}
	for (i = 0; i < g->n; i++)
		g->line[i].scale = 3;
	return col.rc;
}

/* ---------------------------------------------------------------- outputs */

static int any_offline(struct hub *h)
{
	int n = h->reg ? device_count(h) : 0;

	for (int i = 0; i < n; i++) {
		struct device *d = device_at(h, i);

		if (d && !d->online)
			return 1;
	}
	return 0;
}

static int state_holds(struct gpio *g, int state)
{
	switch (state) {
	case GPIOMAP_BROKER:
		return g->h->broker_up;
	case GPIOMAP_OFFLINE:
		return any_offline(g->h);
	case GPIOMAP_SESSION:
		return part_session_open(g->h);
	default:
		return 0;
	}
}

/* Drive one output to level.  Returns 0, or -1 when it could not be
 * written (the level is then left unknown, to be written again). */
static int write_output(struct gpio *g, struct gline *l, int level)
{
	if (g->backend == BACKEND_GPIOD) {
		if (gpiod_line_set_value(l->line, level) < 0) {
			if (!l->warned)
				LOG(L_WARN, "gpio: cannot set line %s: %s", l->name, strerror(errno));
			l->warned = 1;
			return -1;
		}
		l->warned = 0;
	} else if (g->backend == BACKEND_SIM) {
		char topic[GPIOMAP_NAME_MAX + 40];

		/* while the broker is away, the state is said again on
		 * reconnection (gpio_state_changed) */
		if (!g->h->broker_up)
			return -1;
		snprintf(topic, sizeof(topic), GPIO_SIM_PREFIX "%s/out", l->name);
		if (mqtt_publish(g->h, 0, topic, level ? "1" : "0", 1, 1, 1))
			return -1;
	}
	return 0;
}

static void out_timer(lws_sorted_usec_list_t *sul);

/* Recompute every output; write those that changed (all of them when
 * force) and arm the timer for the next blink or flash step, or for the
 * periodic re-check. */
static void refresh_outputs(struct gpio *g, int force)
{
	int64_t now = now_ms(), next = now + GPIO_RECHECK_MS;
	int cache[4] = { -1, -1, -1, -1 };

	for (int i = 0; i < g->n; i++) {
		struct gline *l = &g->line[i];
		int active, level;
		int64_t t;

		if (!l->output || !l->open)
			continue;
		if (cache[l->out.state] < 0)
			cache[l->out.state] = state_holds(g, l->out.state);
		active = cache[l->out.state];
		level = gpiomap_level(&l->out, active, now, g->ack_ms);
		if (force || level != l->level) {
			l->level = write_output(g, l, level) ? -1 : level;
			if (l->level >= 0)
				LOG(L_DEBUG, "gpio: %s -> %d", l->name, level);
		}
		t = gpiomap_next(&l->out, active, now, g->ack_ms);
		if (t >= 0 && t < next)
			next = t;
	}
	if (g->h->lws)
		lws_sul_schedule(g->h->lws, 0, &g->sul_out, out_timer,
				 (next > now ? next - now : 1) * LWS_US_PER_MS);
}

static void out_timer(lws_sorted_usec_list_t *sul)
{
	struct gpio *g = lws_container_of(sul, struct gpio, sul_out);

	refresh_outputs(g, 0);
}

void gpio_state_changed(struct hub *h)
{
	struct gpio *g = h->gpio;
	int force;

	if (!g)
		return;
	/* the broker forgets nothing retained, but a fresh broker knows
	 * nothing: say everything again on each (re)connection */
	force = h->broker_up && !g->broker_was_up;
	g->broker_was_up = h->broker_up;
	refresh_outputs(g, force);
}

/* ---------------------------------------------------------------- inputs */

/* A debounced press: run the line's action, tell staff screens, flash
 * the acknowledgement after a recorded vote. */
static void pressed(struct gpio *g, struct gline *l)
{
	char source[GPIOMAP_NAME_MAX + 8];
	cJSON *o;
	int rc;

	snprintf(source, sizeof(source), "gpio:%s", l->name);
	LOG(L_INFO, "gpio: %s pressed (%s)", l->name, l->action);
	if (l->vote && l->scale)
		rc = part_vote(g->h, l->vote, l->scale, source);
	else
		rc = button_do(g->h, l->action, source);
	o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "line", l->name);
		cJSON_AddStringToObject(o, "event", "press");
		cJSON_AddStringToObject(o, "action", l->action);
		cJSON_AddBoolToObject(o, "ok", rc == 0);
		ws_broadcast(g->h, "gpio", o, WS_STAFF);
	}
	if (l->vote && rc == 0)
		g->ack_ms = now_ms();
	refresh_outputs(g, 0);
}

static void settle_timer(lws_sorted_usec_list_t *sul)
{
	struct gline *l = lws_container_of(sul, struct gline, sul);
	struct gpio *g = l->g;
	int64_t due = 0, now = now_ms();

	switch (debounce_settle(&l->db, now, g->debounce_ms, &due)) {
	case DEBOUNCE_PRESS:
		pressed(g, l);
		break;
	case DEBOUNCE_RELEASE:
		LOG(L_DEBUG, "gpio: %s released", l->name);
		break;
	case DEBOUNCE_WAIT:
		lws_sul_schedule(g->h->lws, 0, &l->sul, settle_timer,
				 (due > now ? due - now : 1) * LWS_US_PER_MS);
		break;
	default:
		break;
	}
}

/* The line's level is `level` now, from either backend: hand it to the
 * debouncer and arm the line's timer when it asks to look again. */
static void input_level(struct gpio *g, struct gline *l, int level)
{
	int64_t now = now_ms();
	int64_t due = debounce_edge(&l->db, level, now, g->debounce_ms);

	if (due >= 0 && g->h->lws)
		lws_sul_schedule(g->h->lws, 0, &l->sul, settle_timer,
				 (due > now ? due - now : 1) * LWS_US_PER_MS);
}

/* The event fd of a real input is readable: drain the queued edges and
 * feed the line's present value (active-low applied by the kernel, so
 * 1 = pressed).  Bounces read in one go collapse into the last level,
 * which is all the debouncer needs. */
static void on_edge(struct hub *h, int fd, void *arg)
{
	struct gline *l = arg;
	struct gpiod_line_event ev[16];
	int v;

	if (gpiod_line_event_read_fd_multiple(fd, ev, 16) < 0 && errno != EAGAIN)
		LOG(L_WARN, "gpio: %s: cannot read events: %s", l->name, strerror(errno));
	v = gpiod_line_get_value(l->line);
	if (v < 0) {
		LOG(L_WARN, "gpio: %s: cannot read the level: %s", l->name, strerror(errno));
		return;
	}
	input_level(l->g, l, v);
}

void gpio_sim_input(struct hub *h, const char *line, const char *payload, size_t len)
{
	struct gpio *g = h->gpio;

	if (!g || g->backend != BACKEND_SIM) {
		LOG(L_DEBUG, "gpio-sim: %s ignored (gpio.backend is not sim)", line);
		return;
	}
	while (len && (payload[len - 1] == '\n' || payload[len - 1] == ' ' ||
		       payload[len - 1] == '\r'))
		len--;
	for (int i = 0; i < g->n; i++) {
		struct gline *l = &g->line[i];

		if (l->output || strcmp(l->name, line))
			continue;
		if (len != 1 || (payload[0] != '0' && payload[0] != '1')) {
			LOG(L_WARN, "gpio-sim: %s: payload must be 1 (pressed) or 0 (released)", line);
			return;
		}
		input_level(g, l, payload[0] == '1');
		return;
	}
	LOG(L_INFO, "gpio-sim: no input line '%s' (inputs come from gpio.input.*)", line);
}

/* ---------------------------------------------------------------- libgpiod */

/* Open gpio.chip: a name (gpiochip0), a path, a number or a label
 * (pinctrl-rp1); "auto" tries the Pi 5's, the Pi 4's and the older Pis'
 * header chips, then gpiochip0.  0, or -1 after the one error line. */
static int chip_open(struct gpio *g, const char *want)
{
	static const char *const autos[] = {
		"pinctrl-rp1", "pinctrl-bcm2711", "pinctrl-bcm2835", "gpiochip0",
	};
	const char *label;

	if (!strcmp(want, "auto")) {
		for (size_t i = 0; i < sizeof(autos) / sizeof(autos[0]) && !g->chip; i++)
			g->chip = gpiod_chip_open_lookup(autos[i]);
		if (!g->chip) {
			LOG(L_ERR, "gpio: no GPIO chip found (looked for pinctrl-rp1, pinctrl-bcm2711, "
			    "pinctrl-bcm2835, gpiochip0): set gpio.chip%s",
			    g->required ? "; gpio.required = yes: stopping" : "; running without GPIO");
			return -1;
		}
	} else {
		g->chip = gpiod_chip_open_lookup(want);
		if (!g->chip) {
			LOG(L_ERR, "gpio: cannot open GPIO chip '%s' (gpio.chip): %s%s", want,
			    errno ? strerror(errno) : "no such chip",
			    g->required ? "; gpio.required = yes: stopping" : "; running without GPIO");
			return -1;
		}
	}
	label = gpiod_chip_label(g->chip);
	snprintf(g->chip_desc, sizeof(g->chip_desc), "%s [%s]",
		 gpiod_chip_name(g->chip), label ? label : "");
	g->pi_header = label && (!strncmp(label, "pinctrl-bcm", 11) || !strcmp(label, "pinctrl-rp1"));
	LOG(L_NOTICE, "gpio: chip %s, %u lines", g->chip_desc, gpiod_chip_num_lines(g->chip));
	return 0;
}

/* Find the line l names: an offset ("17"), a line name the chip knows
 * ("GPIO17", or a name given in the device tree), or, on a Pi's header
 * chip, one of the box's documented names (vote-happy = BCM17). */
static struct gpiod_line *line_lookup(struct gpio *g, struct gline *l)
{
	const struct gpiomap_default *d;
	struct gpiod_line *line;
	char *end;
	unsigned long off = strtoul(l->name, &end, 10);

	if (l->name[0] >= '0' && l->name[0] <= '9' && !*end) {
		if (off >= gpiod_chip_num_lines(g->chip)) {
			LOG(L_ERR, "gpio: line %s: chip %s has lines 0 to %u", l->name,
			    g->chip_desc, gpiod_chip_num_lines(g->chip) - 1);
			return NULL;
		}
		return gpiod_chip_get_line(g->chip, (unsigned)off);
	}
	line = gpiod_chip_find_line(g->chip, l->name);
	if (line)
		return line;
	d = gpiomap_default_of(l->name);
	if (d && g->pi_header && (unsigned)d->bcm < gpiod_chip_num_lines(g->chip))
		return gpiod_chip_get_line(g->chip, (unsigned)d->bcm);
	LOG(L_ERR, "gpio: line '%s' not found on chip %s (give an offset or a line name)",
	    l->name, g->chip_desc);
	return NULL;
}

/* Request one line: inputs with pull-up, active-low and both edges,
 * watched by the loop; outputs driven low (off).  0, or -1 after one
 * error line naming the line. */
static int line_open(struct gpio *g, struct gline *l)
{
	int flags = GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP | GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
	struct gpiod_line *line = line_lookup(g, l);
	int rc, v;

	if (!line)
		return -1;
	l->offset = gpiod_line_offset(line);
	if (l->output)
		rc = gpiod_line_request_output(line, GPIO_CONSUMER, 0);
	else
		rc = gpiod_line_request_both_edges_events_flags(line, GPIO_CONSUMER, flags);
	if (rc < 0) {
		int e = errno;

		if (e == EBUSY) {
			const char *who;

			gpiod_line_update(line);
			who = gpiod_line_consumer(line);
			LOG(L_ERR, "gpio: line %s (offset %u on %s) is busy, used by '%s'",
			    l->name, l->offset, g->chip_desc, who ? who : "another program");
		} else {
			LOG(L_ERR, "gpio: cannot request line %s (offset %u on %s): %s",
			    l->name, l->offset, g->chip_desc, strerror(e));
		}
		return -1;
	}
	l->line = line;
	if (!l->output) {
		int fd = gpiod_line_event_get_fd(line);

		v = gpiod_line_get_value(line);
		/* a button held at start is not a press */
		debounce_init(&l->db, v > 0);
		/* a spurious wake-up must not block the loop in read() */
		if (fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		l->watch = fd >= 0 ? loop_watch_fd(g->h, fd, on_edge, l) : NULL;
		if (!l->watch) {
			gpiod_line_release(line);
			l->line = NULL;
			return -1;	/* loop_watch_fd logged it */
		}
	}
	l->open = 1;
	LOG(L_INFO, "gpio: %s %s = offset %u on %s", l->output ? "output" : "input",
	    l->name, l->offset, g->chip_desc);
	return 0;
}

/* ---------------------------------------------------------------- life */

/* Release everything g holds; outputs go off first.  Frees g. */
static void gpio_free(struct gpio *g)
{
	if (!g)
		return;
	lws_sul_cancel(&g->sul_out);
	for (int i = 0; i < g->n; i++) {
		struct gline *l = &g->line[i];

		lws_sul_cancel(&l->sul);
		if (l->watch)
			loop_unwatch(g->h, l->watch);
		l->watch = NULL;
		if (l->output && l->open && l->level != 0)
			write_output(g, l, 0);
		if (l->line)
			gpiod_line_release(l->line);
		l->line = NULL;
		l->open = 0;
	}
	if (g->chip)
		gpiod_chip_close(g->chip);
	free(g);
}

/* Set up GPIO from configuration c (copied: c may be freed after).
 * Returns 0 (GPIO running, or deliberately without it) or -1 (a bad
 * mapping, or a failure while gpio.required = yes). */
static int gpio_setup(struct hub *h, const struct conf *c)
{
	const char *backend = conf_str(c, "gpio.backend");
	struct gpio *g = calloc(1, sizeof(*g));
	int failed = 0;

	if (!g) {
		LOG(L_ERR, "gpio: out of memory");
		return -1;
	}
	g->h = h;
	g->ack_ms = -1;
	g->debounce_ms = (int)conf_int(c, "gpio.debounce_ms");
	g->required = conf_bool(c, "gpio.required");
	g->backend = !strcasecmp(backend, "gpiod") ? BACKEND_GPIOD :
		     !strcasecmp(backend, "sim") ? BACKEND_SIM : BACKEND_NONE;
	/* mappings are checked whatever the backend: a typo is an error now,
	 * not on the day the Pi gets its buttons */
	if (gpio_lines_from_conf(g, c)) {
		free(g);
		return -1;
	}
	if (g->backend == BACKEND_NONE) {
		free(g);
		return 0;
	}
	if (g->backend == BACKEND_SIM) {
		for (int i = 0; i < g->n; i++) {
			g->line[i].open = 1;
			debounce_init(&g->line[i].db, 0);
		}
		LOG(L_NOTICE, "gpio: simulated chip, %d line%s (MQTT " GPIO_SIM_PREFIX "<line>)",
		    g->n, g->n == 1 ? "" : "s");
	} else {
		if (chip_open(g, conf_str(c, "gpio.chip"))) {
			int required = g->required;

			gpio_free(g);
			return required ? -1 : 0;
		}
		for (int i = 0; i < g->n; i++)
			if (line_open(g, &g->line[i]))
				failed++;
		if (failed && g->required) {
			LOG(L_ERR, "gpio: %d line%s unusable; gpio.required = yes: stopping",
			    failed, failed > 1 ? "s" : "");
			gpio_free(g);
			return -1;
		}
		if (failed)
			LOG(L_WARN, "gpio: running with %d of %d lines", g->n - failed, g->n);
	}
	h->gpio = g;
	g->broker_was_up = h->broker_up;
	refresh_outputs(g, 1);
	return 0;
}

/* mlab/v1/hub/gpio-sim/<line> (routed here by the ingest); deeper
 * topics (<line>/out, our own outputs) are not inputs. */
static void sim_topic(struct hub *h, const char *line, const char *payload, size_t len)
{
	if (!strchr(line, '/'))
		gpio_sim_input(h, line, payload, len);
}

int gpio_init(struct hub *h)
{
	if (reload_hook(h, gpio_reload) || ingest_on_topic(h, GPIO_SIM_PREFIX, sim_topic))
		return -1;
	return gpio_setup(h, h->conf);
}

void gpio_fini(struct hub *h)
{
	gpio_free(h->gpio);
	h->gpio = NULL;
}

int gpio_reload(struct hub *h, const struct conf *c)
{
	gpio_fini(h);
	return gpio_setup(h, c);
}
