/*
 * ingest.h — from an inbox message to the ecosystems' parsers and the
 * registry: topic-filter dispatch, counting of what was understood,
 * ignored or malformed, and link state for devices that are brokers
 * themselves (Bambu Lab).  It only dispatches: what a message means is
 * the parsers' business, what it changes the registry's (device_apply).
 */
#ifndef MLAB_INGEST_H
#define MLAB_INGEST_H

struct hub;
struct inbox_msg;

#include <stddef.h>

/* A handler for the hub's own topics under a prefix (the lab broker
 * only): topic is what follows the prefix. */
typedef void (*ingest_topic_fn)(struct hub *h, const char *topic,
				const char *payload, size_t len);

/* Create the ecosystem contexts (h->eco) from the configuration, take
 * the inbox (loop_on_inbox) and arm the log-window timer.  0 or -1. */
int ingest_init(struct hub *h);
void ingest_fini(struct hub *h);

/* Messages on the lab broker whose topic starts with prefix go to fn
 * instead of the ecosystems (the simulated GPIO chip).  0 (also without
 * ingest_init: then no message comes) or -1 (logged). */
int ingest_on_topic(struct hub *h, const char *prefix, ingest_topic_fn fn);

void ingest_message(struct hub *h, const struct inbox_msg *m);
void ingest_link_state(struct hub *h, int link, int up);

#endif
