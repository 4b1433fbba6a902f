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

#endif
