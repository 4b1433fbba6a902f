/*
 * door.h — the front door: admission of new connections (per address,
 * descriptors kept in reserve) and the first request head (431, 414).
 */
#ifndef MLAB_DOOR_H
#define MLAB_DOOR_H

struct hub;
struct lws;
struct lws_protocols;

/* The raw-socket protocol that reads a new connection's first head. */
extern const struct lws_protocols door_protocol;

/* Keep a spare descriptor for the day accept() fails for want of one
 * (EMFILE): then it is given up, the waiting connections are taken and
 * closed at once instead of lws retrying accept() on every loop turn, and
 * it is taken back within a second.  0, or -1 (logged). */
int door_init(struct hub *h);
void door_fini(struct hub *h);

/* A new connection on fd (just accepted by lws): 1 when lws must close
 * it (refused), 0 to let it in. */
int door_admit(struct hub *h, int fd);

/* Answer status (431 or 414) on the plain socket fd, then stop sending
 * (the caller closes it).  Counted and logged (one line per 10 s). */
void door_refuse_head(struct hub *h, int fd, int status);

/* For http.c when lws drops its protocol from wsi (HTTP_DROP_PROTOCOL,
 * WSI_DESTROY): answers 431 when lws has just given up on a later head of
 * a kept-alive plain connection. */
void door_http_drop(struct hub *h, struct lws *wsi);

#endif
