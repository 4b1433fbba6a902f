/*
 * tasmota.h — what tasmota.c (topics, discovery, commands) and
 * tasmota_read.c (the JSON payloads) share.  Private to the Tasmota
 * ecosystem; the rest of the hub sees only tasmota_ops in the eco table.
 */
#ifndef MLAB_ECO_TASMOTA_H
#define MLAB_ECO_TASMOTA_H

#include <stddef.h>

#include "eco/eco.h"

struct cJSON;

/* One message being read into one device. */
struct tas_walk {
	struct eco_dev *d;
	struct eco_out *out;
	const char *native;
	int fahrenheit;
	double press_mul;
	int plug, env, retained;
	int meter;		/* ENERGY readings */
	int norelay;		/* a STATE without POWER, or a Teleinfo TIC */
};

/* Walk one JSON object of STATE/SENSOR/RESULT/STATUSn into w->d (and
 * Zigbee children into w->out).  depth starts at 0. */
void tas_walk(struct tas_walk *w, const struct cJSON *obj, int depth);
/* The readings of an ENERGY object (or of a Tasmota 5.x flat ENERGY
 * message) into w->d; sets w->meter. */
void tas_energy(struct tas_walk *w, const struct cJSON *e);
/* Copy a JSON string into dst (len bytes) and set bit in d->has, when
 * it is a non-empty string. */
void tas_str(struct eco_dev *d, unsigned bit, char *dst, size_t len,
	     const struct cJSON *j);

#endif
