/*
 * snap.c — the device messages and snapshots the /ws clients share (see
 * snap.h).
 *
 * The snapshot is {"type":"snapshot","broker":…,"role":…} plus what each
 * part of ws_parts adds; the part with items (the devices) adds an empty
 * array, and the text is split there: "name":[ … ] — the items go between
 * the two halves, copied from their messages ({"type":T,"T":item}, the
 * item at a known offset).  The text is kept per role with the epoch it
 * was built at; snap_changed() moves the epoch on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "core/hub.h"
#include "net/api.h"
#include "net/snap.h"
#include "net/utf8.h"
#include "net/wspart.h"

/* Bytes of snapshot per fragment: what lws holds for a socket that does
 * not take a whole write. */
#define SNAP_FRAG 8192

/* The last message built for each item (by registry idx). */
struct wire {
	unsigned version;
	int valid;
	size_t len;
	size_t item_off, item_len;	/* the item inside it */
	unsigned char *buf;		/* LWS_PRE + len */
};

/* A snapshot's text, less the items; counted references. */
struct snaptext {
	int refs;
	unsigned epoch;
	int broker_up;
	size_t len;
	size_t split;		/* where the items go (the item array's ']') */
	int items;		/* 0: there is no item array */
	char s[];
};

struct snap {
	struct wire *wire[2];	/* [1]: for staff, [0]: without personal members */
	int nwire[2];
	unsigned epoch;		/* changes so far */
	struct snaptext *text[ROLE_ADMIN + 1];	/* the last built, by role */
};

static void text_put(struct snaptext *t)
{
	if (t && --t->refs <= 0)
		free(t);
}

struct snap *snap_new(void)
{
	return calloc(1, sizeof(struct snap));
}

void snap_free(struct snap *s)
{
	if (!s)
		return;
	for (int r = 0; r <= ROLE_ADMIN; r++)
		text_put(s->text[r]);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < s->nwire[k]; i++)
			free(s->wire[k][i].buf);
		free(s->wire[k]);
	}
	free(s);
}

void snap_changed(struct snap *s)
{
	s->epoch++;
}

void snap_renumbered(struct snap *s)
{
	s->epoch++;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < s->nwire[k]; i++)
			s->wire[k][i].valid = 0;
}

/* Print o (taken: freed here) without what names a person unless for
 * staff, its bytes that are not UTF-8 replaced: a stored one must not end
 * every screen's connection ("invalid UTF-8 in text frame").  The text
 * (the caller frees it) and its length, or NULL. */
static char *print(cJSON *o, int staff, size_t *len)
{
	char *txt;

	if (!staff)
		api_strip_personal(o);
	txt = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!txt)
		return NULL;
	*len = strlen(txt);
	utf8_scrub(txt, *len);
	return txt;
}

/* The part whose items coalesce (the devices), or NULL. */
static const struct ws_part *item_part(void)
{
	for (int i = 0; i < ws_nparts; i++)
		if (ws_parts[i]->item)
			return ws_parts[i];
	return NULL;
}

/* The cached message of item idx, built anew when its version moved. */
static struct wire *item_wire(struct hub *h, struct snap *s, int idx, int staff)
{
	const struct ws_part *p = item_part();
	struct wire *c;
	unsigned version;

	if (!p || p->version(h, idx, &version))
		return NULL;
	if (idx >= s->nwire[staff]) {
		int n = s->nwire[staff] ? s->nwire[staff] : 64;
		struct wire *nw;

		while (n <= idx)
			n *= 2;
		nw = realloc(s->wire[staff], (size_t)n * sizeof(*nw));
		if (!nw)
			return NULL;
		memset(nw + s->nwire[staff], 0, (size_t)(n - s->nwire[staff]) * sizeof(*nw));
		s->wire[staff] = nw;
		s->nwire[staff] = n;
	}
	c = &s->wire[staff][idx];
	if (!c->valid || c->version != version) {
		cJSON *o = cJSON_CreateObject(), *it = p->item(h, idx, staff);
		char *txt, head[64];
		size_t len, hlen;
		unsigned char *nb;

		if (!it) {
			cJSON_Delete(o);
			return NULL;
		}
		/* {"type":T,"T":item}: the item is what the snapshot lists */
		cJSON_AddStringToObject(o, "type", p->item_type);
		cJSON_AddItemToObject(o, p->item_type, it);
		if (!(txt = print(o, staff, &len)))
			return NULL;
		hlen = (size_t)snprintf(head, sizeof(head), "{\"type\":\"%s\",\"%s\":",
					p->item_type, p->item_type);
		if (len < hlen + 1 || memcmp(txt, head, hlen)) {
			free(txt);	/* not the shape printed above: never */
			return NULL;
		}
		nb = realloc(c->buf, LWS_PRE + len);
		if (!nb) {
			free(txt);
			return NULL;
		}
		memcpy(nb + LWS_PRE, txt, len);
		free(txt);
		c->buf = nb;
		c->len = len;
		c->item_off = hlen;
		c->item_len = len - hlen - 1;
		c->version = version;
		c->valid = 1;
	}
	return c;
}

unsigned char *snap_item(struct hub *h, struct snap *s, int idx, int staff, size_t *len)
{
	struct wire *w = item_wire(h, s, idx, staff);

	if (!w)
		return NULL;
	*len = w->len;
	return w->buf + LWS_PRE;
}

/* The text for role, built when the epoch or the broker moved.  A new
 * reference, or NULL when out of memory. */
static struct snaptext *text_get(struct hub *h, struct snap *s, int role)
{
	const struct ws_part *ip = item_part();
	struct snaptext *t = s->text[role];
	int audience = role >= ROLE_FACILITATOR ? WS_STAFF : role == ROLE_KIOSK ? WS_KIOSK : WS_PUBLIC;
	cJSON *o;
	char key[64], *txt, *at = NULL;
	size_t len;

	if (t && t->epoch == s->epoch && t->broker_up == h->broker_up) {
		t->refs++;
		return t;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "snapshot");
	cJSON_AddStringToObject(o, "broker", h->broker_up ? "connected" : "disconnected");
	cJSON_AddStringToObject(o, "role", role == ROLE_ADMIN ? "admin" :
				role == ROLE_FACILITATOR ? "facilitator" :
				role == ROLE_KIOSK ? "kiosk" : "public");
	for (int i = 0; i < ws_nparts; i++)
		if (ws_parts[i]->item)
			cJSON_AddArrayToObject(o, ws_parts[i]->name);
		else if (ws_parts[i]->snapshot)
			ws_parts[i]->snapshot(h, o, audience);
	if (!(txt = print(o, audience >= WS_STAFF, &len)))
		return NULL;
	if (!(t = malloc(sizeof(*t) + len + 1))) {
		free(txt);
		return NULL;
	}
	memcpy(t->s, txt, len + 1);
	free(txt);
	/* "name":[] — being a key, that text cannot occur inside a string */
	if (ip) {
		snprintf(key, sizeof(key), "\"%s\":[]", ip->name);
		at = strstr(t->s, key);
	}
	t->len = len;
	t->split = at ? (size_t)(at - t->s) + strlen(key) - 1 : len;
	t->items = at != NULL;
	t->epoch = s->epoch;
	t->broker_up = h->broker_up;
	t->refs = 2;	/* the cache's and the caller's */
	text_put(s->text[role]);
	s->text[role] = t;
	return t;
}

int snap_begin(struct hub *h, struct snap *s, struct snap_stream *st, int role)
{
	memset(st, 0, sizeof(*st));
	if (role < 0 || role > ROLE_ADMIN || !(st->text = text_get(h, s, role)))
		return -1;
	st->idx = st->text->items ? 0 : -1;
	return 0;
}

void snap_end(struct snap_stream *st)
{
	text_put(st->text);
	st->text = NULL;
}

/* Append n bytes to the fragment being built; 0, or -1 when out of
 * memory. */
static int frag_add(unsigned char **f, size_t *cap, size_t *len, const void *src, size_t n)
{
	if (LWS_PRE + *len + n > *cap) {
		size_t ncap = LWS_PRE + *len + n + SNAP_FRAG;
		unsigned char *nf = realloc(*f, ncap);

		if (!nf)
			return -1;
		*f = nf;
		*cap = ncap;
	}
	memcpy(*f + LWS_PRE + *len, src, n);
	*len += n;
	return 0;
}

unsigned char *snap_next(struct hub *h, struct snap *s, struct snap_stream *st, int staff,
			 size_t *lenp, int *first, int *fin)
{
	const struct ws_part *ip = item_part();
	struct snaptext *t = st->text;
	size_t cap = LWS_PRE + SNAP_FRAG + 1024, len = 0, n;
	unsigned char *f = malloc(cap);

	if (!f)
		return NULL;
	while (len < SNAP_FRAG && st->off < t->len) {
		if (st->off < t->split || st->idx < 0) {
			/* the text up to the items, or after them */
			size_t end = st->off < t->split ? t->split : t->len;

			n = end - st->off;
			if (n > SNAP_FRAG - len)
				n = SNAP_FRAG - len;
			if (frag_add(&f, &cap, &len, t->s + st->off, n))
				goto oom;
			st->off += n;
			continue;
		}
		/* the items as they are now, from their shared messages */
		for (unsigned v; len < SNAP_FRAG; st->idx++) {
			struct wire *w;

			if (ip->version(h, st->idx, &v)) {
				st->idx = -1;	/* past the last: the rest */
				break;
			}
			if (!(w = item_wire(h, s, st->idx, staff)))
				goto oom;
			if (st->items++ && frag_add(&f, &cap, &len, ",", 1))
				goto oom;
			if (frag_add(&f, &cap, &len, w->buf + LWS_PRE + w->item_off, w->item_len))
				goto oom;
		}
	}
	*first = st->frags++ == 0;
	*fin = st->off >= t->len;
	*lenp = len;
	return f;
oom:
	free(f);
	return NULL;
}
