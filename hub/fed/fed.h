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

/* A site id: [A-Za-z0-9._-]{1,64}.  1 or 0.  Pure. */
int fed_site_ok(const char *s);

/* Start the lab side (net.site set) or the network side (net.role =
 * network); nothing otherwise.  0 or -1 (logged). */
int fed_init(struct hub *h);
void fed_fini(struct hub *h);

/* The lab broker link went up or down (a device_subs row in wire.c):
 * a lab resends what the network has not acknowledged. */
void fed_link(struct hub *h, int link, int up);

/* A network hub's figures for fiscal year fy: {"fy":Y,"sites":{SITE:
 * {"indicators":…,"acknowledged":W,"last":{…}}},"total":{"indicators":…}}
 * (the caller frees it with cJSON_Delete), or NULL with err.  Reads
 * h's open store (sum.c); a report_net_fn for `mlab-hub report`. */
struct cJSON;
struct cJSON *fed_figures(struct hub *h, int fy, char *err, size_t errlen);

#endif
