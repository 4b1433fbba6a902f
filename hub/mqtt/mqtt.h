/*
 * mqtt.h — broker links (libmosquitto).
 *
 * Link 0 is the lab broker; one more link per configured Bambu Lab
 * printer (each printer is its own TLS broker).  Every link has its own
 * network thread that connects, reconnects with capped exponential
 * back-off and jitter, and copies each message into the inbox; nothing
 * else happens on those threads.  Publishing is safe from the service
 * thread at any time (libmosquitto queues it when the link is down).
 */
#ifndef MLAB_MQTT_H
#define MLAB_MQTT_H

#include <stddef.h>
#include <stdint.h>

struct hub;

/* The hub's own topic for the simulated GPIO chip's inputs (its lines
 * follow): subscribed on the lab link, routed to gpio by the ingest. */
#define MQTT_HUB_GPIO_SIM "mlab/v1/hub/gpio-sim/"
/* A network of labs: mlab/v1/net/<site>/fact and /ack (hub/fed/). */
#define MQTT_NET "mlab/v1/net/"

/* Build the links from the configuration and start their threads.
 * Subscriptions come from the ecosystem table. Returns 0 or -1 (logged). */
int mqtt_start(struct hub *h);
/* Publish "offline", disconnect, join the threads, free. */
void mqtt_stop(struct hub *h);

/* Queue a publish on a link. Returns 0, or -1 (logged at DEBUG: the
 * link may simply be down and libmosquitto refuses while it is). */
int mqtt_publish(struct hub *h, int link, const char *topic,
		 const void *payload, size_t len, int qos, int retain);

/* The service thread's view of link state changes (from the inbox). */
void mqtt_link_state(struct hub *h, int link, int up);

int mqtt_link_count(const struct hub *h);
const char *mqtt_link_name(const struct hub *h, int link);	/* "broker", "bambu:<name>" */
const char *mqtt_link_serial(const struct hub *h, int link);	/* Bambu serial or NULL */
int mqtt_link_up(const struct hub *h, int link);
uint64_t mqtt_too_big(const struct hub *h);			/* payloads dropped for size */

#endif
