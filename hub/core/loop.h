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
struct inbox_msg;

struct lws_protocols;

#define LOOP_TIMERS_MAX 16
#define LOOP_PROTOCOLS_MAX 4

/* A request head (request line and header fields) is at most this many
 * bytes, lines and query arguments (net/door.c answers 431 or 414 past
 * them); lws's header table is sized so that any such head fits it. */
#define HTTP_HEAD_MAX 8192
#define HTTP_HEAD_LINES 64
#define HTTP_HEAD_ARGS 24
#define HTTP_HEAD_WAIT_S 10	/* for a whole head, as lws waits (timeout_secs) */
#define HTTP_HEAD_LINGER_S 2	/* reading and dropping after a 431 */

/* The lws protocols the hub serves, the first being the HTTP one: a const
 * table at the top (hub/wire.c), so the loop names no module. */
extern const struct lws_protocols *const loop_protocols[];
extern const int loop_nprotocols;

typedef void (*loop_fd_fn)(struct hub *h, int fd, void *arg);
typedef void (*loop_timer_fn)(struct hub *h, void *arg);
/* Takes one inbox message; the loop frees it afterwards. */
typedef void (*loop_inbox_fn)(struct hub *h, struct inbox_msg *m);

/* Create the lws context and vhost (HTTP on http.listen) and adopt the
 * signal fd; before the modules' _init, which arm their timers.  0 or -1
 * (logged). */
int loop_init(struct hub *h);
/* Service until SIGTERM/SIGINT. */
void loop_run(struct hub *h);
void loop_fini(struct hub *h);

/* Watch fd for input: fn runs on the service thread each time it is
 * readable.  The fd stays the caller's (close it after loop_unwatch()).
 * Returns a handle for loop_unwatch, or NULL (logged). */
struct lws *loop_watch_fd(struct hub *h, int fd, loop_fd_fn fn, void *arg);
void loop_unwatch(struct hub *h, struct lws *w);

/* Run fn(h, arg) on the service thread every period_ms, the first time
 * after first_ms; cancelled by loop_fini.  0, or -1 when there is no loop
 * (a command-line tool, a unit test: the timer never runs) or too many
 * timers (logged). */
int loop_every(struct hub *h, long first_ms, long period_ms, loop_timer_fn fn, void *arg);

/* fn takes every inbox message from now on (the ingest). */
void loop_on_inbox(struct hub *h, loop_inbox_fn fn);

/* Drain the inbox now (also at shutdown, after the links stopped). */
void loop_drain(struct hub *h);

#endif
