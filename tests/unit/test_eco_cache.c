/*
 * test_eco_cache.c — the parsers' bounded per-device cache (eco/cache.c):
 * capacity, which slot is reused (LRU and FIFO), fresh slots zeroed, the
 * eviction hook, the key length limit, and the search by position.
 */
#include <stdio.h>
#include <string.h>

#include "eco/eco.h"
#include "t.h"

struct ent {
	struct eco_slot slot;
	int v;
};

#define CAP 4

static struct ent *get(struct eco_cache *c, const char *key, int create)
{
	return eco_cache_get(c, key, create);
}

TEST(capacity_and_find)
{
	struct ent e[CAP];
	struct eco_cache c;
	char k[8];

	memset(e, 0, sizeof(e));
	eco_cache_init(&c, e, sizeof(e[0]), CAP, ECO_CACHE_LRU);
	CHECK(get(&c, "a", 0) == NULL);
	for (int i = 0; i < CAP; i++) {
		struct ent *x;

		snprintf(k, sizeof(k), "d%d", i);
		x = get(&c, k, 1);
		CHECK(x != NULL && x->v == 0);
		if (x)
			x->v = 10 + i;
	}
	for (int i = 0; i < CAP; i++) {
		struct ent *x;

		snprintf(k, sizeof(k), "d%d", i);
		x = get(&c, k, 0);
		CHECK(x == &e[i] && x->v == 10 + i);	/* all CAP kept */
	}
	CHECK(c.n == CAP);
	CHECK(get(&c, "d4", 1) != NULL);	/* one more: one is gone */
	int kept = 0;

	for (int i = 0; i <= CAP; i++) {
		snprintf(k, sizeof(k), "d%d", i);
		kept += get(&c, k, 0) != NULL;
	}
	CHECK(kept == CAP);
	CHECK(get(&c, "", 1) != NULL);		/* an empty key is a key */
	CHECK(get(&c, "", 0) != NULL);
}

TEST(lru_reuses_least_recently_used)
{
	struct ent e[CAP];
	struct eco_cache c;
	struct ent *x;

	memset(e, 0, sizeof(e));
	eco_cache_init(&c, e, sizeof(e[0]), CAP, ECO_CACHE_LRU);
	get(&c, "a", 1)->v = 1;
	get(&c, "b", 1)->v = 2;
	get(&c, "c", 1)->v = 3;
	get(&c, "d", 1)->v = 4;
	CHECK(get(&c, "a", 0) != NULL);		/* a used: b is now the oldest */
	x = get(&c, "e", 1);
	CHECK(x == &e[1] && x->v == 0);		/* b's slot, zeroed */
	CHECK_STR(x->slot.key, "e");
	CHECK(get(&c, "b", 0) == NULL);
	CHECK(get(&c, "a", 0) && get(&c, "a", 0)->v == 1);
	CHECK(get(&c, "f", 1) == &e[2]);	/* then c */
	CHECK(get(&c, "c", 0) == NULL);
}

TEST(fifo_reuses_first_filled)
{
	struct ent e[CAP];
	struct eco_cache c;

	memset(e, 0, sizeof(e));
	eco_cache_init(&c, e, sizeof(e[0]), CAP, ECO_CACHE_FIFO);
	for (const char *k = "abcd"; *k; k++) {
		char s[2] = { *k, 0 };

		CHECK(get(&c, s, 1) != NULL);
	}
	CHECK(get(&c, "a", 0) == &e[0]);	/* a find does not count */
	CHECK(get(&c, "e", 1) == &e[0]);	/* a was filled first */
	CHECK(get(&c, "a", 0) == NULL);
	CHECK(get(&c, "f", 1) == &e[1]);	/* then b: round robin */
	CHECK(get(&c, "g", 1) == &e[2]);
	CHECK(get(&c, "h", 1) == &e[3]);
	CHECK(get(&c, "i", 1) == &e[0]);
}

static int nevicted;
static char last_evicted[ECO_ID_MAX];

static void on_evict(void *slot, void *arg)
{
	struct ent *x = slot;

	nevicted += *(int *)arg;
	snprintf(last_evicted, sizeof(last_evicted), "%s", x->slot.key);
}

TEST(eviction_hook_and_freed_slots)
{
	struct ent e[2];
	struct eco_cache c;
	int one = 1;

	memset(e, 0, sizeof(e));
	eco_cache_init(&c, e, sizeof(e[0]), 2, ECO_CACHE_LRU);
	c.evicted = on_evict;
	c.arg = &one;
	get(&c, "a", 1);
	get(&c, "b", 1);
	CHECK(nevicted == 0);
	get(&c, "c", 1);
	CHECK(nevicted == 1);
	CHECK_STR(last_evicted, "a");
	memset(&e[1], 0, sizeof(e[1]));		/* the parser frees b's slot */
	CHECK(eco_cache_at(&c, 1) == NULL);
	CHECK(eco_cache_at(&c, 0) == &e[0]);
	CHECK(eco_cache_at(&c, 2) == NULL && eco_cache_at(&c, -1) == NULL);
	CHECK(get(&c, "d", 1) == &e[1]);	/* a free slot first, no eviction */
	CHECK(nevicted == 1);
}

TEST(key_length)
{
	struct ent e[2];
	struct eco_cache c;
	char k[ECO_ID_MAX + 1];

	memset(e, 0, sizeof(e));
	eco_cache_init(&c, e, sizeof(e[0]), 2, ECO_CACHE_LRU);
	memset(k, 'x', ECO_ID_MAX - 1);
	k[ECO_ID_MAX - 1] = '\0';
	CHECK(get(&c, k, 1) != NULL);		/* ECO_ID_MAX - 1 bytes fit */
	CHECK(get(&c, k, 0) != NULL);
	k[ECO_ID_MAX - 1] = 'y';
	k[ECO_ID_MAX] = '\0';
	CHECK(get(&c, k, 1) == NULL);		/* one more does not, and is not cut */
	k[ECO_ID_MAX - 1] = '\0';
	CHECK(get(&c, k, 0) == &e[0]);
	CHECK(c.n == 1);
}

TEST(zero_capacity)
{
	struct eco_cache c;

	eco_cache_init(&c, NULL, sizeof(struct ent), 0, ECO_CACHE_LRU);
	CHECK(get(&c, "a", 1) == NULL);
}

int main(void)
{
	RUN(capacity_and_find);
	RUN(lru_reuses_least_recently_used);
	RUN(fifo_reuses_first_filled);
	RUN(eviction_hook_and_freed_slots);
	RUN(key_length);
	RUN(zero_capacity);
	return t_done();
}
