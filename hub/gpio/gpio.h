/*
 * gpio.h — physical controls: the appreciation button box, the session
 * button and the status LEDs, through libgpiod or the simulated chip.
 */
#ifndef MLAB_GPIO_H
#define MLAB_GPIO_H

#include <stddef.h>

struct hub;
struct conf;

/* Open the chip and lines per gpio.* config; without a chip, log one
 * clear error and carry on (unless gpio.required).  Registers the reload
 * hook and the simulated chip's topic (after ingest_init).  0 or -1. */
int gpio_init(struct hub *h);
/* Release every line (outputs off first). */
void gpio_fini(struct hub *h);
/* SIGHUP: release every line and set up again from c (which the caller
 * keeps owning; nothing in it is kept).  0 or -1 as gpio_init. */
int gpio_reload(struct hub *h, const struct conf *c);

/* The simulated chip's input: line name and "1"/"0" from
 * mlab/v1/hub/gpio-sim/<line>. */
void gpio_sim_input(struct hub *h, const char *line, const char *payload, size_t len);

/* Broker, device or session state changed: recompute the LEDs (a device
 * and link subscriber, hub/wire.c; sessions are re-checked on a timer). */
void gpio_state_changed(struct hub *h);

#endif
