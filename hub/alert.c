/*
 * alert.c — alerts (first cut: published on MQTT and to WebSocket staff
 * clients; no acknowledgement yet).
 */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "alert.h"
#include "device.h"
#include "gpio.h"
#include "hub.h"
#include "mqtt.h"
#include "ws.h"

static void raise_alert(struct hub *h, const char *kind, struct device *d,
			const char *level, const char *msg, int active)
{
	cJSON *o = cJSON_CreateObject();
	char topic[128], *s;

	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "device", d->id);
	cJSON_AddStringToObject(o, "name", d->name[0] ? d->name : d->native);
	cJSON_AddStringToObject(o, "level", level);
	cJSON_AddStringToObject(o, "message", msg);
	cJSON_AddBoolToObject(o, "active", active);
	snprintf(topic, sizeof(topic), "mlab/v1/hub/alert/%s", kind);
	s = cJSON_PrintUnformatted(o);
	if (s)
		mqtt_publish(h, 0, topic, s, strlen(s), 1, 0);
	cJSON_free(s);
	ws_broadcast(h, "alert", o, WS_PUBLIC);
}

void alert_device_online(struct hub *h, struct device *d, int online, double ts)
{
	raise_alert(h, "device-offline", d, online ? "info" : "warning",
		    online ? "back online" : "offline", !online);
	gpio_state_changed(h);
}

void alert_metric(struct hub *h, struct device *d, const char *metric, double value, double ts)
{
}

void alert_job_ended(struct hub *h, struct device *d, const char *state, const char *file, double ts)
{
	if (!strcmp(state, "failed"))
		raise_alert(h, "job-failed", d, "warning", file && *file ? file : "job failed", 1);
}
