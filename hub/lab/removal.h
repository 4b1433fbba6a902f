/*
 * removal.h — taking devices out: DELETE /api/devices/{id} (admins),
 * `mlab-hub device remove`, and the eviction of silent devices without
 * history when the registry is full (devices.max).
 */
#ifndef MLAB_REMOVAL_H
#define MLAB_REMOVAL_H

struct hub;

/* Register DELETE /api/devices/{id}?history=keep|drop.  0 or -1. */
int removal_init(struct hub *h);

/* The registry is full: remove the device silent longest (more than
 * stale_s before now) that has no history at all.  0 when one was
 * removed, -1 when none may be. */
int removal_evict(struct hub *h, double now, double stale_s);

/* `mlab-hub device remove ID [--drop-history]` (argv after "device"),
 * on the database alone: for a hub that is stopped.  Exit code. */
int removal_command(struct hub *h, int argc, char **argv);

#endif
