/*
 * door.h — the front door: admission of new connections (per address,
 * descriptors kept in reserve).
 */
#ifndef MLAB_DOOR_H
#define MLAB_DOOR_H

struct hub;

/* Keep a spare descriptor for the day accept() fails for want of one
 * (EMFILE): then it is given up, the waiting connections are taken and
 * closed at once instead of lws retrying accept() on every loop turn, and
 * it is taken back within a second.  0, or -1 (logged). */
int door_init(struct hub *h);
void door_fini(struct hub *h);

/* A new connection on fd (just accepted by lws): 1 when lws must close
 * it (refused), 0 to let it in. */
int door_admit(struct hub *h, int fd);

#endif
