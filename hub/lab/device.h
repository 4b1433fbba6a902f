/*
 * device.h — the device registry: every device the hub has heard of, in
 * memory (service thread only) and in the devices table.
 *
 * device_apply() is where a parsed message becomes state: registry fields,
 * telemetry rows and sequenced events (idempotent).  What else must happen
 * (jobs, machines, alerts, buttons, WebSocket clients, participation, the
 * LEDs) is announced to the subscribers of one const table, device_subs,
 * which lives at the top (hub/wire.c; a unit test links its own).
 * Acknowledgements for sequenced events go out after the group commit that
 * stored them (a store_on_commit hook), and mean "every event of this
 * boot up to this seq is stored" (ack.h has the rule): a hole, or events
 * lost to a failed commit, hold the ack until the device's resends fill
 * it.  The watermark is written in the same transaction as the events.
 */
#ifndef MLAB_DEVICE_H
#define MLAB_DEVICE_H

#include <stdint.h>
#include "eco/eco.h"
#include "lab/devrec.h"

struct hub;
struct cJSON;

/* A subscriber to device news.  Every member may be NULL; the registry
 * calls them in table order, on the service thread, never keeping a
 * subscriber's pointer beyond the call. */
struct device_sub {
	const char *name;
	/* Fold update u of d into its own state (jobs).  Returns 1 when
	 * something visible changed, 0 when not, negative on error. */
	int (*update)(struct hub *h, struct device *d, const struct eco_dev *u, double ts);
	/* A metric value arrived (after it was stored). */
	void (*metric)(struct hub *h, struct device *d, const char *name, double value,
		       double ts);
	/* d went online (1) or offline (0). */
	void (*online)(struct hub *h, struct device *d, int online, double ts);
	/* d's button sent action. */
	void (*button)(struct hub *h, struct device *d, const char *action, double ts);
	/* A job on d ended (finished|failed|cancelled); job_id its jobs row. */
	void (*job_ended)(struct hub *h, struct device *d, int64_t job_id, const char *state,
			  double ts);
	/* Something of d that clients see changed (d->version was bumped). */
	void (*changed)(struct hub *h, struct device *d);
	/* A broker link went up or down (link 0: the lab broker). */
	void (*link)(struct hub *h, int link, int up);
	/* Participation session id was opened, updated, ended, removed (the
	 * event); announced by part/session.c, a layer above. */
	void (*session)(struct hub *h, int64_t id, const char *event);
};

/* The subscribers, in the order they hear the news (hub/wire.c). */
extern const struct device_sub *const device_subs[];
extern const int device_nsubs;

/* Tell the subscribers that a job on d ended (job.c) or that a link
 * changed state (ingest.c). */
void device_job_ended(struct hub *h, struct device *d, int64_t job_id, const char *state,
		      double ts);
void device_link_changed(struct hub *h, int link, int up);
/* Announce a session's news to device_subs' session members. */
void device_session_changed(struct hub *h, int64_t id, const char *event);

/* Create the registry, load every stored device, register the commit
 * hooks and arm the staleness timer.  0 or -1 (logged). */
int device_init(struct hub *h);
void device_fini(struct hub *h);

int device_count(const struct hub *h);
struct device *device_at(const struct hub *h, int idx);
struct device *device_find(const struct hub *h, const char *id);

/* Take d out of the registry and free it (lab/removal.c, which has
 * already dealt with its rows).  Indexes change: the last device takes
 * d's; the caller re-syncs the WebSocket clients. */
void device_unlink(struct hub *h, struct device *d);

/* Apply one parsed update from ecosystem eco_idx (link: where it came
 * from; rx: when it was received; raw/rawlen: the payload, stored with
 * sequenced events).  Returns 0, or -1 when it could not be stored. */
int device_apply(struct hub *h, int eco_idx, int link,
		 const struct eco_dev *u, double rx, const char *raw,
		 size_t rawlen);

/* Something of d that clients see changed outside device_apply (its
 * settings): bump its version and tell the subscribers. */
void device_changed(struct hub *h, struct device *d);

/* Mark the device offline when its link or its ecosystem says so. */
void device_set_online(struct hub *h, struct device *d, int online, double ts);

/* Devices without an online signal of their own, silent longer than
 * devices.stale_s, go offline.  Not while the lab broker is away (their
 * state is unknown, not offline), and the silence counts from the
 * broker's return at the earliest.  Once the first stale_s after the
 * broker's first connection is over, the devices stored offline (that had
 * been online) and still offline are announced offline once, as if they
 * had just gone: the alerts live in memory and a restart forgot them. */
void device_check_stale(struct hub *h, double now);

/* The id of metric `name` in the metrics dictionary (added when create
 * is set), always positive.  0 when it is unknown and !create, -1 on
 * error (logged): neither is ever a metrics.id (SQLite's rowids start at
 * 1), so a query by them finds none. */
int64_t device_metric_id(struct hub *h, const char *name, int create);

/* The device as it reports itself, in INTERFACES.md's JSON, without
 * what facilitators set (devset_json adds that).  Caller owns the result
 * (cJSON_Delete). */
struct cJSON *device_json(const struct device *d);

/* Make room in a full registry (devices.max): remove one device silent
 * since before now - stale_s.  0 when one was removed, -1 when none may
 * be. */
typedef int (*device_evict_fn)(struct hub *h, double now, double stale_s);
/* Set the hook a full registry calls before it refuses a new device
 * (removal_init); without one, it refuses. */
void device_on_full(struct hub *h, device_evict_fn fn);

#endif
