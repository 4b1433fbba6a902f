/*
 * fed.h — a network of labs (docs/network.md).
 *
 * A lab hub with net.site set keeps an append-only log of anonymous
 * participation facts (fact.c) and publishes it on mlab/v1/net/<site>/fact;
 * a hub with net.role = network stores every site's facts, acknowledges
 * them with the same gapless rule as the devices' events (central.c) and
 * adds them up with the lab's own report (sum.c).  The lab's Mosquitto
 * carries the facts to the central broker over a bridge: configuration,
 * not code (scripts/net-bridge.sh).
 */
#ifndef MLAB_FED_H
#define MLAB_FED_H

struct hub;

/* Start the lab side (net.site set) or the network side (net.role =
 * network); nothing otherwise.  0 or -1 (logged). */
int fed_init(struct hub *h);
void fed_fini(struct hub *h);

/* The lab broker link went up or down (a device_subs row in wire.c):
 * a lab resends what the network has not acknowledged. */
void fed_link(struct hub *h, int link, int up);

#endif
