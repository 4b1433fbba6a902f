/*
 * alert.h — alerts: a device gone offline, a job failed, a sensor past a
 * configured threshold.  Shown on the dashboard until acknowledged and
 * published on MQTT (mlab/v1/hub/alert/<kind>) for the lab's other tools.
 */
#ifndef MLAB_ALERT_H
#define MLAB_ALERT_H

struct hub;
struct device;

void alert_device_online(struct hub *h, struct device *d, int online, double ts);
void alert_metric(struct hub *h, struct device *d, const char *metric, double value, double ts);
void alert_job_ended(struct hub *h, struct device *d, const char *state, const char *file, double ts);

#endif
