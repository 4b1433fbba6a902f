/*
 * native.h — the hub's own MQTT schema, as spoken by devices built for it.
 *
 *   mlab/v1/<id>/status     "online" / "offline", retained, the last will
 *   mlab/v1/<id>/meta       {"name","kind","model","room"}, retained
 *   mlab/v1/<id>/telemetry  flat JSON of metric names to numbers
 *   mlab/v1/<id>/event      {"seq":N,"type":…,"ts":…,…}
 *   mlab/v1/<id>/ack        {"seq":N} from the hub: events <= N are stored
 *   mlab/v1/<id>/cmd        {"type":"switch","on":true} from the hub
 *
 * See docs/devices.md.  Formatting and parsing here do no I/O.
 */
#ifndef MLAB_DEV_NATIVE_H
#define MLAB_DEV_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

#define NATIVE_ID_MAX 64
#define NATIVE_TOPIC_MAX (8 + NATIVE_ID_MAX + 16)

/* 1 if id matches [A-Za-z0-9._-]{1,64} and is not the reserved "hub". */
int native_id_valid(const char *id);
/* "mlab/v1/<id>/<leaf>" into buf; returns 0, -1 if it does not fit. */
int native_topic(char *buf, size_t len, const char *id, const char *leaf);
/* Append the meta document for a device to sb. */
int native_meta_json(struct sbuf *sb, const char *name, const char *kind,
		     const char *model, const char *room);
/* Read {"seq":N} (N >= 0); returns 0 and sets *seq, -1 if malformed. */
int native_parse_ack(const char *payload, int len, int64_t *seq);

#endif
