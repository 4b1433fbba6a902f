/*
 * central.h — the network's side: every site's facts stored and
 * acknowledged under the devices' rule (central.c).
 */
#ifndef MLAB_FED_CENTRAL_H
#define MLAB_FED_CENTRAL_H

#include <stddef.h>

struct hub;

/* Start the network side.  0 or -1. */
int central_init(struct hub *h);
void central_fact(struct hub *h, const char *site, const char *payload, size_t len);

#endif
