/*
 * native.h — the hub's own MQTT schema, as spoken by devices built for it.
 *
 *   mlab/v1/<id>/status     "online" / "offline", retained, the last will
 *   mlab/v1/<id>/meta       {"name","kind","model","room"}, retained
 *   mlab/v1/<id>/telemetry  flat JSON of metric names to numbers
 *   mlab/v1/<id>/event      {"seq":N,"boot":B,"base":K,"type":…,"ts":…,…}
 *   mlab/v1/<id>/ack        {"seq":W,"boot":B,"missing":[[a,b],…]} from the
 *                           hub: every event of boot B with seq <= W is
 *                           stored; the ranges above W are not (yet)
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
#define NATIVE_BOOT_MAX 32	/* boot id: 1..32 of [A-Za-z0-9._-] */
#define NATIVE_MISSING_MAX 16	/* ranges an ack may report */

/* An acknowledgement as the hub publishes it (docs/devices.md). */
struct native_ack {
	int64_t seq;			/* the watermark W */
	int has_boot;			/* 0: a hub from before boot ids */
	char boot[NATIVE_BOOT_MAX + 1];
	int nmissing;
	int64_t missing[NATIVE_MISSING_MAX][2];	/* inclusive, ascending */
};

/* 1 if id matches [A-Za-z0-9._-]{1,64} and is not the reserved "hub". */
int native_id_valid(const char *id);
/* "mlab/v1/<id>/<leaf>" into buf; returns 0, -1 if it does not fit. */
int native_topic(char *buf, size_t len, const char *id, const char *leaf);
/* Append the meta document for a device to sb. */
int native_meta_json(struct sbuf *sb, const char *name, const char *kind,
		     const char *model, const char *room);
/* 1 if s is a valid boot id. */
int native_boot_valid(const char *s);
/* A new random boot id (16 hex digits from getrandom) into buf (at least
 * NATIVE_BOOT_MAX + 1 bytes). */
void native_boot_new(char *buf, size_t len);
/* Read {"seq":N[,"boot":B][,"missing":[[a,b],…]]} (N >= 0; an integer
 * boot is taken as its decimal string; malformed or extra ranges are
 * skipped).  Returns 0 and fills *a, -1 if malformed. */
int native_parse_ack(const char *payload, int len, struct native_ack *a);
/* 1 if the ack speaks of the numbering boot: it names that boot, or names
 * none (a hub from before boot ids acknowledges the current numbering). */
int native_ack_covers(const struct native_ack *a, const char *boot);

#endif
