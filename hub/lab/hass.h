/*
 * hass.h — Home Assistant MQTT discovery for the hub's own entities.
 */
#ifndef MLAB_HASS_H
#define MLAB_HASS_H

struct hub;

/* The broker link came up (1) or went down: on the lab link coming up,
 * publish the retained discovery configs of the hub's entities. */
void hass_link(struct hub *h, int link, int up);
/* An alert of kind (on metric, "" if none) on device (its display name)
 * is active (1) or ended (0): its retained config and its retained state,
 * mlab/v1/hub/alert/<device>/<kind>[-<metric>] ON|OFF. */
void hass_alert(struct hub *h, const char *device, const char *kind, const char *metric,
		const char *name, int active);

#endif
