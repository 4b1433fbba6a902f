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
};

/* Walk one JSON object of STATE/SENSOR/RESULT/STATUSn into w->d (and
 * Zigbee children into w->out).  depth starts at 0. */
void tas_walk(struct tas_walk *w, const struct cJSON *obj, int depth);
/* Copy a JSON string into dst (len bytes) and set bit in d->has, when
 * it is a non-empty string. */
void tas_str(struct eco_dev *d, unsigned bit, char *dst, size_t len,
	     const struct cJSON *j);

#endif
