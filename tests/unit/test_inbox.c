/*
 * test_inbox.c — the hand-over queue between the MQTT threads and the
 * service thread: copies (the sender's buffers may go), order, the bound
 * (a full inbox drops and counts, it never blocks), binary payloads, and
 * four producer threads at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/inbox.h"
#include "t.h"

static void free_list(struct inbox_msg *m)
{
	while (m) {
		struct inbox_msg *next = m->next;

		free(m);
		m = next;
	}
}

TEST(copies_in_order)
{
	struct inbox *ib = inbox_new(8);
	char topic[32], payload[32];
	struct inbox_msg *m, *l;

	for (int i = 0; i < 3; i++) {
		snprintf(topic, sizeof(topic), "t/%d", i);
		snprintf(payload, sizeof(payload), "p%d", i);
		CHECK(inbox_push(ib, INBOX_MESSAGE, i, topic, payload, strlen(payload), 1, i == 2) == 0);
		memset(topic, 'x', sizeof(topic) - 1);	/* the sender's buffer goes */
	}
	CHECK(inbox_depth(ib) == 3);
	l = inbox_take(ib);
	CHECK(inbox_depth(ib) == 0);
	m = l;
	for (int i = 0; m; m = m->next, i++) {
		char want[8];

		snprintf(want, sizeof(want), "t/%d", i);
		CHECK_STR(m->topic, want);
		CHECK(m->link == i && m->kind == INBOX_MESSAGE && m->len == 2);
		CHECK(m->payload[m->len] == '\0');
		CHECK(m->retained == (i == 2));
	}
	free_list(l);
	CHECK(inbox_take(ib) == NULL);
	inbox_free(ib);
}

TEST(full_drops_and_counts)
{
	struct inbox *ib = inbox_new(2);

	CHECK(inbox_push(ib, INBOX_MESSAGE, 0, "a", "1", 1, 0, 0) == 0);
	CHECK(inbox_push(ib, INBOX_MESSAGE, 0, "b", "2", 1, 0, 0) == 0);
	CHECK(inbox_push(ib, INBOX_MESSAGE, 0, "c", "3", 1, 0, 0) == -1);
	CHECK(inbox_dropped(ib) == 1);
	free_list(inbox_take(ib));
	CHECK(inbox_push(ib, INBOX_MESSAGE, 0, "d", "4", 1, 0, 0) == 0);	/* room again */
	inbox_free(ib);		/* frees what is still queued */
}

TEST(binary_payload_and_link_events)
{
	static const char bin[] = { 'a', 0, 'b', 0, (char)0xff };
	struct inbox *ib = inbox_new(4);
	struct inbox_msg *m;

	CHECK(inbox_push(ib, INBOX_MESSAGE, 0, "bin", bin, sizeof(bin), 0, 0) == 0);
	CHECK(inbox_push(ib, INBOX_CONNECTED, 3, NULL, NULL, 0, 0, 0) == 0);
	m = inbox_take(ib);
	CHECK(m && m->len == sizeof(bin) && !memcmp(m->payload, bin, sizeof(bin)));
	CHECK(m && m->next && m->next->kind == INBOX_CONNECTED && m->next->link == 3);
	free_list(m);
	inbox_free(ib);
}

#define PRODUCERS 4
#define PER_PRODUCER 2000

static void *producer(void *arg)
{
	struct inbox *ib = arg;
	char t[32];

	for (int i = 0; i < PER_PRODUCER; i++) {
		snprintf(t, sizeof(t), "p/%d", i);
		inbox_push(ib, INBOX_MESSAGE, 0, t, t, strlen(t), 0, 0);
	}
	return NULL;
}

/* Every message is either taken or counted as dropped: none lost. */
TEST(threads_lose_nothing)
{
	struct inbox *ib = inbox_new(500);
	pthread_t th[PRODUCERS];
	long taken = 0;

	for (int i = 0; i < PRODUCERS; i++)
		pthread_create(&th[i], NULL, producer, ib);
	for (int k = 0; k < 1000; k++) {
		struct inbox_msg *l = inbox_take(ib);

		for (struct inbox_msg *m = l; m; m = m->next)
			taken++;
		free_list(l);
	}
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(th[i], NULL);
	{
		struct inbox_msg *rest = inbox_take(ib);

		for (struct inbox_msg *m = rest; m; m = m->next)
			taken++;
		free_list(rest);
	}
	CHECK(taken + (long)inbox_dropped(ib) == PRODUCERS * PER_PRODUCER);
	inbox_free(ib);
}

int main(void)
{
	RUN(copies_in_order);
	RUN(full_drops_and_counts);
	RUN(binary_payload_and_link_events);
	RUN(threads_lose_nothing);
	return t_done();
}
