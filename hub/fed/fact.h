/*
 * fact.h — a lab's fact log: its incremental scan, what it publishes and
 * resends, the network's acks (fact.c).
 */
#ifndef MLAB_FED_FACT_H
#define MLAB_FED_FACT_H

#include <stddef.h>

struct hub;

/* Start the lab side: its numbering, the triggers (dirty.c), the commit
 * hook and the scan and resend timers.  0 or -1. */
int fact_init(struct hub *h);
/* Look for changed states and append a fact for each.  0 or -1. */
int fact_scan(struct hub *h);
/* Publish unacknowledged facts from seq from+1 on.  0 or -1. */
int fact_publish(struct hub *h, long long from);
void fact_ack(struct hub *h, const char *payload, size_t len);

#endif
