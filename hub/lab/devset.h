/*
 * devset.h — facilitators' settings of a device (name, public name,
 * room, hidden metrics, what a plug feeds), kept in device_settings; PATCH
 * /api/devices/{id}.
 */
#ifndef MLAB_DEVSET_H
#define MLAB_DEVSET_H

struct hub;
struct device;
struct cJSON;

/* Load every device's settings, hand plugs' machines to machine.c and
 * register the PATCH route (after device_init and machine_init).  0 or -1. */
int devset_init(struct hub *h);

/* The device's JSON (device_json) with its settings over it: the chosen
 * name and room, "reported" with the device's own, hidden_metrics, feeds,
 * machine.  What every view of a device shows.  Caller owns the result
 * (cJSON_Delete); NULL when out of memory. */
struct cJSON *devset_json(const struct device *d);

/* Make o (devset_json) the public's view of the device (the
 * wall, anonymous readers, the kiosk): without the names the staff gave
 * it or it reports itself (a person's name, a serial number): "name",
 * "reported" and "machine" go; "public_name" stays when set, and the
 * wall names the others by kind and number.  o stays the caller's. */
void devset_public(struct cJSON *o);

/* Device d is being removed: a machine its plug measured is forgotten
 * (a configured one goes back to its configuration) and other plugs stop
 * saying they feed it (in memory; removal.c clears the rows). */
void devset_forget(struct hub *h, const struct device *d);

#endif
