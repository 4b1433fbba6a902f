/*
 * loop.h — the single event loop: libwebsockets owns the main thread.
 *
 * lws serves HTTP and WebSocket; file descriptors (signalfd, GPIO line
 * events) are adopted into it as raw files; MQTT messages arrive through
 * the inbox and lws_cancel_service(); periodic work runs on lws_sul
 * timers.  SQLite, the registry and lws are touched by this thread only.
 */
#ifndef MLAB_LOOP_H
#define MLAB_LOOP_H

struct hub;
struct lws;

typedef void (*loop_fd_fn)(struct hub *h, int fd, void *arg);

/* Create the lws context and vhost (HTTP on http.listen), adopt the
 * signal fd, arm the periodic timers. 0 or -1 (logged). */
int loop_init(struct hub *h);
/* Service until SIGTERM/SIGINT. */
void loop_run(struct hub *h);
void loop_fini(struct hub *h);

/* Watch fd for input: fn runs on the service thread each time it is
 * readable.  The fd stays the caller's (close it after loop_unwatch()).
 * Returns a handle for loop_unwatch, or NULL (logged). */
struct lws *loop_watch_fd(struct hub *h, int fd, loop_fd_fn fn, void *arg);
void loop_unwatch(struct hub *h, struct lws *w);

/* Drain the inbox now (also used by tests and the benchmark). */
void loop_drain(struct hub *h);

#endif
