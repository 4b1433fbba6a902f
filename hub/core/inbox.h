/*
 * inbox.h — the one hand-over point between the MQTT network threads and
 * the service thread: a bounded, locked queue of copied messages.
 *
 * Producers (libmosquitto callbacks) push a copy and, when the queue was
 * empty, wake the lws loop with lws_cancel_service(); the service thread
 * takes everything in one swap from LWS_CALLBACK_EVENT_WAIT_CANCELLED.  When full, new messages
 * are dropped and counted: memory stays bounded whatever the broker does.
 */
#ifndef MLAB_INBOX_H
#define MLAB_INBOX_H

#include <stddef.h>
#include <stdint.h>

struct lws_context;

enum inbox_kind {
	INBOX_MESSAGE,		/* an MQTT message */
	INBOX_CONNECTED,	/* link came up (no topic, no payload) */
	INBOX_DISCONNECTED,	/* link went down */
};

struct inbox_msg {
	struct inbox_msg *next;
	enum inbox_kind kind;
	int link;		/* index of the mqtt link it came from */
	int qos, retained;
	double rx;		/* Unix seconds when received */
	char *topic;		/* points inside this allocation */
	char *payload;		/* NUL-terminated at payload[len] */
	size_t len;
};

struct inbox;

/* Create an inbox holding at most max messages. Caller frees: inbox_free(). */
struct inbox *inbox_new(size_t max);
/* Free the inbox and every message still queued. */
void inbox_free(struct inbox *ib);
/* Tell the inbox which lws context to wake (may be NULL until lws is up). */
void inbox_wake_context(struct inbox *ib, struct lws_context *ctx);

/* Copy and queue a message (any thread). Returns 0, or -1 when full or
 * out of memory (counted in inbox_dropped()). */
int inbox_push(struct inbox *ib, enum inbox_kind kind, int link,
	       const char *topic, const void *payload, size_t len, int qos,
	       int retained);

/* Take every queued message, oldest first (service thread).  The caller
 * owns the list and frees each message with free(). */
struct inbox_msg *inbox_take(struct inbox *ib);

uint64_t inbox_dropped(struct inbox *ib);
size_t inbox_depth(struct inbox *ib);

#endif
