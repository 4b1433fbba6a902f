/*
 * alert.h — alerts: a device gone offline, the lab broker gone, a job failed, a sensor past a
 * configured threshold (alert.<metric>.above / .below).  Kept in a bounded
 * list while the condition lasts, shown on the dashboard (acknowledged by
 * a facilitator), and published on MQTT (mlab/v1/hub/alert/<kind>) and
 * /ws ({"type":"alert",…}) for the lab's other tools.
 * HTTP: GET /api/alerts, POST /api/alerts/{id}/ack (alert_routes).
 */
#ifndef MLAB_ALERT_H
#define MLAB_ALERT_H

#include <stdint.h>

struct hub;
struct device;
struct cJSON;

/* The device went offline (raise) or came back (clear). */
void alert_device_online(struct hub *h, struct device *d, int online, double ts);
/* A broker link went up or down: link 0 (the lab broker) down raises one
 * "broker-down" alert (device "hub"), up clears it. */
void alert_link(struct hub *h, int link, int up);
/* A metric value arrived: raise or clear its threshold alerts. */
void alert_metric(struct hub *h, struct device *d, const char *metric, double value, double ts);
/* A job (d->job.file) ended in state (finished|failed|cancelled): a
 * failure raises an alert; any later end clears the device's previous
 * failure. */
void alert_job_ended(struct hub *h, struct device *d, int64_t job_id, const char *state,
		     double ts);

/* The space left for the database: raise "disk-low" when avail < limit
 * (bytes; store.min_free_mb), clear it when space is back.  db: the
 * database's size, for the message. */
void alert_disk(struct hub *h, long long avail, long long limit, long long db);
/* Add "alerts":[…] (every alert in the list) to a /ws snapshot. */
void alert_ws_snapshot(struct hub *h, struct cJSON *snap);

/* Alerts in the list (all, or only those not acknowledged). */
int alert_count(const struct hub *h, int unacked_only);

/* Create the (empty) alert list, h->alerts, with the thresholds of the
 * configuration, and serve its routes.  0 or -1.  Without it, nothing
 * raises alerts. */
int alert_init(struct hub *h);
/* Forget every alert and free the list (teardown, tests). */
void alert_fini(struct hub *h);

#endif
