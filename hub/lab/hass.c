/*
 * hass.c — Home Assistant MQTT discovery for the hub's own entities, so a
 * Home Assistant on the lab's broker sees the lab without any YAML.
 *
 * Each entity's config is published retained on
 * <ha.prefix>/<component>/mlab_hub/<object>/config (Home Assistant's
 * documented discovery topic, full key names, no abbreviations), with a
 * unique_id, the hub's device block and availability from the hub's own
 * status topic (mlab/v1/hub/status, "online" / "offline" as its last
 * will).  The entities:
 *   - binary_sensor "broker": connectivity, from mlab/v1/hub/status;
 *   - binary_sensor per alert kind and device (device class problem),
 *     its state retained on mlab/v1/hub/alert/<device>/<kind> ON|OFF
 *     (<kind>-<metric> for a threshold) so
 *     that a restarted Home Assistant reads the active ones back.
 * ha.discovery = no turns it off (the alert state topics stay: other
 * tools read them).
 */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/conf.h"
#include "core/hub.h"
#include "lab/hass.h"
#include "mqtt/mqtt.h"
#include "version.h"	/* MLAB_VERSION */

#define NODE "mlab_hub"
#define STATUS "mlab/v1/hub/status"

int hass_enabled(struct hub *h)
{
	return h->conf && h->mqtt && conf_bool(h->conf, "ha.discovery");
}

/* object ids: [a-zA-Z0-9_-] only, as Home Assistant wants */
static void object_id(char *out, size_t len, const char *a, const char *b)
{
	size_t n = 0;

	snprintf(out, len, "%s_%s", a, b);
	for (; out[n]; n++)
		if (!((out[n] >= 'a' && out[n] <= 'z') || (out[n] >= 'A' && out[n] <= 'Z') ||
		      (out[n] >= '0' && out[n] <= '9') || out[n] == '_' || out[n] == '-'))
			out[n] = '_';
}

/* The base config every entity shares; the caller owns it. */
cJSON *hass_config(struct hub *h, const char *object, const char *name)
{
	cJSON *o = cJSON_CreateObject(), *dev, *ids;
	char uid[200];

	snprintf(uid, sizeof(uid), "%s_%s", NODE, object);
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "unique_id", uid);
	cJSON_AddStringToObject(o, "availability_topic", STATUS);
	cJSON_AddStringToObject(o, "payload_available", "online");
	cJSON_AddStringToObject(o, "payload_not_available", "offline");
	dev = cJSON_AddObjectToObject(o, "device");
	ids = cJSON_AddArrayToObject(dev, "identifiers");
	cJSON_AddItemToArray(ids, cJSON_CreateString(NODE));
	cJSON_AddStringToObject(dev, "name", conf_str(h->conf, "lab.name"));
	cJSON_AddStringToObject(dev, "manufacturer", "mlab-hub");
	cJSON_AddStringToObject(dev, "model", "mlab-hub");
	cJSON_AddStringToObject(dev, "sw_version", MLAB_VERSION);
	return o;
}

/* Publish o (taken) retained on <prefix>/<component>/mlab_hub/<object>/config. */
void hass_announce(struct hub *h, const char *component, const char *object, cJSON *o)
{
	char topic[512], *s = cJSON_PrintUnformatted(o);

	snprintf(topic, sizeof(topic), "%s/%s/%s/%s/config", conf_str(h->conf, "ha.prefix"),
		 component, NODE, object);
	if (s)
		mqtt_publish(h, 0, topic, s, strlen(s), 1, 1);
	cJSON_free(s);
	cJSON_Delete(o);
}

void hass_link(struct hub *h, int link, int up)
{
	cJSON *o;

	if (link != 0 || !up || !hass_enabled(h))
		return;
	o = hass_config(h, "broker", "Hub");
	cJSON_AddStringToObject(o, "device_class", "connectivity");
	cJSON_AddStringToObject(o, "state_topic", STATUS);
	cJSON_AddStringToObject(o, "payload_on", "online");
	cJSON_AddStringToObject(o, "payload_off", "offline");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "availability_topic");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "payload_available");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "payload_not_available");
	hass_announce(h, "binary_sensor", "broker", o);
}

void hass_alert(struct hub *h, const char *device, const char *kind0, const char *metric,
		const char *name, int active)
{
	char topic[512], object[200], label[300], kind[128];
	cJSON *o;

	if (!h->mqtt)
		return;
	/* two thresholds of one device are two alerts */
	snprintf(kind, sizeof(kind), "%s%s%s", kind0, metric && metric[0] ? "-" : "",
		 metric ? metric : "");
	snprintf(topic, sizeof(topic), "mlab/v1/hub/alert/%s/%s", device, kind);
	if (hass_enabled(h)) {
		object_id(object, sizeof(object), device, kind);
		snprintf(label, sizeof(label), "%s: %s", name && name[0] ? name : device, kind);
		o = hass_config(h, object, label);
		cJSON_AddStringToObject(o, "device_class", "problem");
		cJSON_AddStringToObject(o, "state_topic", topic);
		cJSON_AddStringToObject(o, "payload_on", "ON");
		cJSON_AddStringToObject(o, "payload_off", "OFF");
		hass_announce(h, "binary_sensor", object, o);
	}
	mqtt_publish(h, 0, topic, active ? "ON" : "OFF", active ? 2 : 3, 1, 1);
}
