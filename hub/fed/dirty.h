/*
 * dirty.h — the triggers that note what changed for a lab's scan
 * (dirty.c).
 */
#ifndef MLAB_FED_DIRTY_H
#define MLAB_FED_DIRTY_H

struct hub;

/* The triggers that note what changed for the lab's scan, made
 * (or remade when this binary's differ) in their own transaction.  0 or
 * -1 (logged). */
int dirty_install(struct hub *h);

#endif
