/*
 * hass.h — Home Assistant MQTT discovery for the hub's own entities.
 */
#ifndef MLAB_HASS_H
#define MLAB_HASS_H

struct hub;
struct cJSON;

/* 1 when discovery is on (ha.discovery) and there is a broker link. */
int hass_enabled(struct hub *h);
/* A new entity config for object (an id of [A-Za-z0-9_-]) named name, with
 * the unique_id, the hub's device block and the hub's availability; the
 * caller owns it (or hands it to hass_announce). */
struct cJSON *hass_config(struct hub *h, const char *object, const char *name);
/* Publish config o (taken) retained on
 * <ha.prefix>/<component>/mlab_hub/<object>/config. */
void hass_announce(struct hub *h, const char *component, const char *object, struct cJSON *o);

/* The broker link came up (1) or went down: on the lab link coming up,
 * publish the retained discovery configs of the hub's entities. */
void hass_link(struct hub *h, int link, int up);
/* An alert of kind (on metric, "" if none) on device (its display name)
 * is active (1) or ended (0): its retained config and its retained state,
 * mlab/v1/hub/alert/<device>/<kind>[-<metric>] ON|OFF. */
void hass_alert(struct hub *h, const char *device, const char *kind, const char *metric,
		const char *name, int active);

#endif
