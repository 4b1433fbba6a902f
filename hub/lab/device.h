/*
 * device.h — the device registry: every device the hub has heard of, in
 * memory (service thread only) and in the devices table.
 *
 * device_apply() is where a parsed message becomes state: registry fields,
 * telemetry rows, sequenced events (idempotent), jobs, buttons, and the
 * WebSocket notification.  Acknowledgements for sequenced events go out
 * from device_committed(), after the group commit that stored them, and
 * mean "every event up to this seq is stored": after a failed commit the
 * ack stops below the lost events until the device's resends fill the hole.
 */
#ifndef MLAB_DEVICE_H
#define MLAB_DEVICE_H

#include <stdint.h>
#include "eco/eco.h"

struct hub;
struct cJSON;

#define DEVICE_METRIC_MAX 128	/* distinct metrics kept per device */

struct metric {
	char name[32];
	double value;
	double ts;		/* when the value was measured */
	double stored_ts;	/* last raw row written (store.min_interval_ms) */
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
	double first_seen, last_seen;
	int nmetric, cap;
	struct metric *metric;	/* owned; grows up to DEVICE_METRIC_MAX */
	int metric_full;	/* the cap was hit (logged once) */
	int has_job;
	struct device_job job;
	int has_switch, switch_on;
	unsigned version;	/* bumped on every visible change */
	int dirty;		/* row to save at the next commit */
	int touched;		/* in the registry's touched list */
	long long seq_max;	/* highest event seq written (maybe uncommitted) */
	long long seq_acked;	/* highest seq acknowledged */
	long long txn_seq_min;	/* lowest fresh seq in the open transaction */
	long long hole;		/* lowest seq lost to a failed commit, 0 none */
	int ack_pending;
};

/* Create the registry and load every stored device. 0 or -1 (logged). */
int device_init(struct hub *h);
void device_fini(struct hub *h);

int device_count(const struct hub *h);
struct device *device_at(const struct hub *h, int idx);
struct device *device_find(const struct hub *h, const char *id);

/* Apply one parsed update from ecosystem eco_idx (link: where it came
 * from; rx: when it was received; raw/rawlen: the payload, stored with
 * sequenced events).  Returns 0, or -1 when it could not be stored. */
int device_apply(struct hub *h, int eco_idx, int link,
		 const struct eco_dev *u, double rx, const char *raw,
		 size_t rawlen);

/* Mark the device offline when its link or its ecosystem says so. */
void device_set_online(struct hub *h, struct device *d, int online, double ts);

/* Devices without an online signal of their own, silent longer than
 * devices.stale_s, go offline. */
void device_check_stale(struct hub *h, double now);

/* Called by the store: save changed rows inside the open transaction;
 * after the commit (ok = it is on disk) publish acks and reset. */
void device_save_dirty(struct hub *h);
void device_committed(struct hub *h, int ok);

/* The id of metric `name` in the metrics dictionary (added when create
 * is set).  0 when unknown or on error. */
int64_t device_metric_id(struct hub *h, const char *name, int create);

/* The device as INTERFACES.md's JSON. Caller owns the result
 * (cJSON_Delete). */
struct cJSON *device_json(const struct device *d);

#endif
