/*
 * cache.c — the bounded per-device caches of the parsers: a fixed array
 * of slots the parser owns, found by key, the oldest reused when full
 * (eco.h says which "oldest").  No I/O, no allocation.
 */
#include <string.h>

#include "eco/eco.h"

static struct eco_slot *slot(const struct eco_cache *c, int i)
{
	return (struct eco_slot *)((char *)c->slots + (size_t)i * c->size);
}

void eco_cache_init(struct eco_cache *c, void *slots, size_t size, int cap, int policy)
{
	memset(c, 0, sizeof(*c));
	c->slots = slots;
	c->size = size;
	c->cap = cap;
	c->lru = policy == ECO_CACHE_LRU;
}

/* The slot returned belongs to the caller's array (NULL: none). */
void *eco_cache_get(struct eco_cache *c, const char *key, int create)
{
	struct eco_slot *s, *old = NULL;
	size_t kl = strlen(key);

	if (kl >= ECO_ID_MAX)
		return NULL;
	for (int i = 0; i < c->n; i++) {
		s = slot(c, i);
		if (s->used && !strcmp(s->key, key)) {
			if (c->lru)
				s->used = ++c->clock;
			return s;
		}
		if (!old || s->used < old->used)
			old = s;
	}
	if (!create)
		return NULL;
	if (c->n < c->cap)
		old = slot(c, c->n++);
	if (!old)
		return NULL;	/* no slots at all */
	if (old->used && c->evicted)
		c->evicted(old, c->arg);
	memset(old, 0, c->size);
	memcpy(old->key, key, kl + 1);
	old->used = ++c->clock;
	return old;
}

/* Slot i of the caller's array, or NULL when free or out of range. */
void *eco_cache_at(const struct eco_cache *c, int i)
{
	struct eco_slot *s;

	if (i < 0 || i >= c->n)
		return NULL;
	s = slot(c, i);
	return s->used ? s : NULL;
}
