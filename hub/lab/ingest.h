/*
 * ingest.h — from an inbox message to the ecosystems' parsers and the
 * registry: topic-filter dispatch, counting of what was understood,
 * ignored or malformed, and link state for devices that are brokers
 * themselves (Bambu Lab).
 */
#ifndef MLAB_INGEST_H
#define MLAB_INGEST_H

struct hub;
struct inbox_msg;

/* Create the ecosystem contexts (h->eco) from the configuration. */
int ingest_init(struct hub *h);
void ingest_fini(struct hub *h);

void ingest_message(struct hub *h, const struct inbox_msg *m);
void ingest_link_state(struct hub *h, int link, int up);
void ingest_tick(struct hub *h, double now);	/* every 10 s */
void ingest_hourly(struct hub *h, double now);
void ingest_reload(struct hub *h);		/* SIGHUP */

#endif
