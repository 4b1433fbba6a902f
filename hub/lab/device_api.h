/*
 * device_api.h — the HTTP face of the registry: /api/devices…, /metrics
 * (INTERFACES.md).
 */
#ifndef MLAB_DEVICE_API_H
#define MLAB_DEVICE_API_H

struct hub;

/* Serve the routes.  0 or -1. */
int device_api_init(struct hub *h);

#endif
