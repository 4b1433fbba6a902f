/*
 * http.h — the HTTP protocol of the lws vhost: /api, /healthz and
 * /metrics go to api_dispatch(); files are served by lws's mounts; the
 * inbox wake-up (LWS_CALLBACK_EVENT_WAIT_CANCELLED) drains the inbox.
 */
#ifndef MLAB_HTTP_H
#define MLAB_HTTP_H

struct hub;
struct lws_protocols;

extern const struct lws_protocols http_protocol;

/* Keep a spare descriptor for the day accept() fails for want of one
 * (EMFILE): then it is given up, the waiting connections are taken and
 * closed at once instead of lws retrying accept() on every loop turn, and
 * it is taken back within a second.  0, or -1 (logged). */
int http_init(struct hub *h);
void http_fini(struct hub *h);

#endif
