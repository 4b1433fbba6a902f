/*
 * devrec.h — the device record: what the registry (device.c) keeps of
 * each device, and the files under it read and write (event.c: its
 * numbering and acks).  Types only: the functions are device.h's.
 */
#ifndef MLAB_DEVREC_H
#define MLAB_DEVREC_H

#include <stdint.h>
#include "eco/eco.h"

struct cJSON;
struct ack;

#define DEVICE_METRIC_MAX 128	/* distinct metrics kept per device */

struct metric {
	char name[32];
	double value;
	double ts;		/* when the value was measured */
	int64_t mid;		/* metrics.id, 0 until first stored */
};

struct device_job {
	char state[16];		/* "" = none known */
	char kind[8];		/* print | scan */
	char file[256];
	double progress;	/* percent, <0 unknown */
	double remaining;	/* seconds, <0 unknown */
	double layer, layers, filament_mm;	/* <0 unknown */
	double started_at;	/* 0 unknown */
	int64_t row;		/* open jobs row, 0 = none */
};

struct device {
	int64_t dev;		/* devices.dev */
	int idx;		/* index in the registry (stable while running) */
	int eco;		/* eco_table index of its source; -1 unknown */
	int link;		/* mqtt link it was last heard on */
	char id[ECO_ID_MAX + 20];	/* "<source>/<native>" */
	char source[16];
	char native[ECO_ID_MAX];
	char name[128], kind[16], model[64], room[64], firmware[64];
	int online;
	int has_signal;		/* its ecosystem says online/offline itself (LWT…) */
	int offline_at_start;	/* stored offline, once online: told again after the start */
	double first_seen, last_seen;
	int nmetric, cap;
	struct metric *metric;	/* owned; grows up to DEVICE_METRIC_MAX */
	int metric_full;	/* the cap was hit (logged once) */
	int has_job;
	struct device_job job;
	int has_switch, switch_on;
	unsigned version;	/* bumped on every visible change */
	int dirty;		/* row to save at the next commit */
	int saving;		/* row written in the open transaction */
	int touched;		/* in the registry's touched list */
	struct ack *ack;	/* owned; its numbering and watermark (ack.h),
				 * NULL until it sends a sequenced event */
	int ack_pending;	/* publish its ack after the next commit */
	int ack_clear;		/* an older hub may have left a retained ack: clear it */
	int evict_checked;	/* has history: never evicted (removal.c) */
	struct cJSON *settings;	/* owned: what facilitators set (devset.c), or NULL */
};

#endif
