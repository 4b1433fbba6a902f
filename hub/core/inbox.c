/*
 * inbox.c — the bounded, locked hand-over queue (see inbox.h).
 * The one lock the service thread shares with the MQTT threads lives
 * here (each link also has a private one for its back-off sleep).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libwebsockets.h>

#include "core/hub.h"
#include "core/inbox.h"

struct inbox {
	pthread_mutex_t lock;
	struct inbox_msg *head, *tail;
	size_t depth, max;
	uint64_t dropped;
	struct lws_context *ctx;
};

struct inbox *inbox_new(size_t max)
{
	struct inbox *ib = calloc(1, sizeof(*ib));

	if (!ib)
		return NULL;
	pthread_mutex_init(&ib->lock, NULL);
	ib->max = max;
	return ib;
}

void inbox_free(struct inbox *ib)
{
	struct inbox_msg *m, *next;

	if (!ib)
		return;
	for (m = ib->head; m; m = next) {
		next = m->next;
		free(m);
	}
	pthread_mutex_destroy(&ib->lock);
	free(ib);
}

void inbox_wake_context(struct inbox *ib, struct lws_context *ctx)
{
	pthread_mutex_lock(&ib->lock);
	ib->ctx = ctx;
	pthread_mutex_unlock(&ib->lock);
}

int inbox_push(struct inbox *ib, enum inbox_kind kind, int link,
	       const char *topic, const void *payload, size_t len, int qos,
	       int retained)
{
	size_t tlen = topic ? strlen(topic) : 0;
	struct inbox_msg *m;
	struct lws_context *wake;

	m = malloc(sizeof(*m) + tlen + 1 + len + 1);
	if (!m) {
		__atomic_add_fetch(&ib->dropped, 1, __ATOMIC_RELAXED);
		return -1;
	}
	m->next = NULL;
	m->kind = kind;
	m->link = link;
	m->qos = qos;
	m->retained = retained;
	m->rx = hub_now();
	m->topic = (char *)(m + 1);
	memcpy(m->topic, topic ? topic : "", tlen + 1);
	m->payload = m->topic + tlen + 1;
	if (len)
		memcpy(m->payload, payload, len);
	m->payload[len] = '\0';
	m->len = len;

	pthread_mutex_lock(&ib->lock);
	/* link state changes always get through: they are few */
	if (kind == INBOX_MESSAGE && ib->depth >= ib->max) {
		__atomic_add_fetch(&ib->dropped, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&ib->lock);
		free(m);
		return -1;
	}
	/* the service thread takes the whole queue at once: it needs waking
	 * only when the queue goes from empty to not (a wake per message
	 * would cost a poll() over every client socket each time) */
	wake = ib->head ? NULL : ib->ctx;
	if (ib->tail)
		ib->tail->next = m;
	else
		ib->head = m;
	ib->tail = m;
	ib->depth++;
	pthread_mutex_unlock(&ib->lock);
	if (wake)
		lws_cancel_service(wake);
	return 0;
}

struct inbox_msg *inbox_take(struct inbox *ib)
{
	struct inbox_msg *list;

	pthread_mutex_lock(&ib->lock);
	list = ib->head;
	ib->head = ib->tail = NULL;
	ib->depth = 0;
	pthread_mutex_unlock(&ib->lock);
	return list;
}

uint64_t inbox_dropped(struct inbox *ib)
{
	uint64_t d;

	d = __atomic_load_n(&ib->dropped, __ATOMIC_RELAXED);
	return d;
}

size_t inbox_depth(struct inbox *ib)
{
	size_t d;

	pthread_mutex_lock(&ib->lock);
	d = ib->depth;
	pthread_mutex_unlock(&ib->lock);
	return d;
}
