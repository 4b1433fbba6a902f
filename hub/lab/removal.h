/*
 * removal.h — taking devices out: DELETE /api/devices/{id} (admins),
 * `mlab-hub device remove`, and the eviction of silent devices without
 * history when the registry is full (devices.max).
 */
#ifndef MLAB_REMOVAL_H
#define MLAB_REMOVAL_H

struct hub;

/* Register DELETE /api/devices/{id}?history=keep|drop, and the eviction
 * of a silent device without history when the registry is full
 * (device_on_full).  0 or -1. */
int removal_init(struct hub *h);

/* `mlab-hub device remove ID [--drop-history]` (argv after "device"),
 * on the database alone: for a hub that is stopped.  Exit code. */
int removal_command(struct hub *h, int argc, char **argv);

#endif
