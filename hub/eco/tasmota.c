/*
 * tasmota.c — Tasmota firmware (smart plugs, relays, sensor boards).
 *
 * Tasmota publishes under its FullTopic, by default `%prefix%/%topic%/`:
 * `tele/<topic>/LWT` (Online/Offline, retained), `tele/<topic>/STATE`
 * (POWERn, Wifi, uptime), `tele/<topic>/SENSOR` (one object per sensor,
 * ENERGY for metering plugs, ZbReceived on Zigbee bridges),
 * `stat/<topic>/POWERn` (plain ON/OFF), `stat/<topic>/RESULT` (command
 * replies) and `stat/<topic>/STATUSn` (StatusSNS, StatusSTS, …).  The
 * native id is the device's %topic%.
 *
 * FullTopic is configurable.  A configured prefix containing %topic% is
 * taken as the FullTopic pattern (filters and matching follow it).
 * Otherwise the parser also recognises the common variant with the
 * prefix after the topic (`…/<topic>/tele/SENSOR`, up to four leading
 * levels are subscribed), and remembers per device the layout it saw so
 * that commands go back the same way.  Tasmota's own discovery
 * (`tasmota/discovery/<mac>/config|sensors`) gives names, model, firmware
 * and the FullTopic.
 *
 * `Time` is local time without a zone and is never trusted; `Epoch`
 * (deep-sleep firmware, UTC) is.  TempUnit "F" and PressureUnit mmHg/inHg
 * are converted.  Zigbee devices seen by a Tasmota bridge (ZbReceived)
 * become devices "<bridge topic>/<zigbee name>".
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"
#include "eco/tasmota.h"

#define TAS_MAX_DEV	256
#define TAS_DEFAULT_FT	"%prefix%/%topic%/"

struct tas_dev {
	struct eco_slot slot;		/* key: the device topic */
	char ft[128];		/* FullTopic pattern this device uses */
	char cmnd[16];		/* its command prefix word */
	char mac[16];		/* from discovery */
	int plug;		/* a relay was seen */
	int norelay;		/* it said it has none: a meter when it meters */
};

struct tas_priv {
	struct tas_dev dev[TAS_MAX_DEV];
	struct eco_cache cache;		/* FIFO */
};

/* The record for topic (or mac, when topic is NULL); created when asked. */
static struct tas_dev *tas_find(struct tas_priv *p, const char *topic,
				const char *mac, int create)
{
	struct tas_dev *t;

	if (!p)
		return NULL;
	if (topic)
		return eco_cache_get(&p->cache, topic, create);
	for (int i = 0; mac && mac[0] && i < p->cache.n; i++)
		if ((t = eco_cache_at(&p->cache, i)) && !strcmp(t->mac, mac))
			return t;
	return NULL;
}

static int is_prefix_word(const char *s)
{
	return !strcmp(s, "tele") || !strcmp(s, "stat");
}

/* Tasmota's message words are upper case: STATE, SENSOR, POWER1, … */
static int is_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/*
 * Find the device topic in a message topic.  With a configured FullTopic
 * pattern, match it segment by segment; otherwise %topic% is the segment
 * next to tele|stat, on either side.  Writes the native id, the prefix
 * word, and the FullTopic pattern the topic follows.  Returns 0 or -1.
 */
static int tas_topic(const char *pattern, char **seg, int n, char *native,
		     char *pfx, char *ft, size_t ftlen)
{
	if (n < 3 || !is_word(seg[n - 1]))
		return -1;
	if (pattern && strstr(pattern, "%topic%") && strcmp(pattern, TAS_DEFAULT_FT)) {
		char pbuf[128], *ps[16];
		int pn = eco_split(pattern, pbuf, sizeof(pbuf), ps, 16);

		if (pn > 0 && !ps[pn - 1][0])
			pn--;		/* trailing '/' */
		if (pn > 0 && pn <= 15 && pn == n - 1) {
			int ok = 1;

			native[0] = pfx[0] = '\0';
			for (int i = 0; i < pn && ok; i++) {
				if (!strcmp(ps[i], "%prefix%")) {
					ok = is_prefix_word(seg[i]);
					snprintf(pfx, 8, "%s", seg[i]);
				} else if (!strcmp(ps[i], "%topic%")) {
					eco_strlcpy(native, ECO_ID_MAX, seg[i], strlen(seg[i]));
				} else if (ps[i][0] != '%') {
					ok = !strcmp(ps[i], seg[i]);
				}
			}
			if (ok && native[0] && pfx[0]) {
				snprintf(ft, ftlen, "%s", pattern);
				return 0;
			}
		}
	}
	if (is_prefix_word(seg[n - 3]) && seg[n - 2][0]) {
		eco_strlcpy(native, ECO_ID_MAX, seg[n - 2], strlen(seg[n - 2]));
		snprintf(pfx, 8, "%s", seg[n - 3]);
		ft[0] = '\0';
		for (int i = 0; i < n - 3; i++)
			snprintf(ft + strlen(ft), ftlen - strlen(ft), "%s/", seg[i]);
		snprintf(ft + strlen(ft), ftlen - strlen(ft), "%%prefix%%/%%topic%%/");
		return 0;
	}
	if (is_prefix_word(seg[n - 2]) && seg[n - 3][0]) {
		eco_strlcpy(native, ECO_ID_MAX, seg[n - 3], strlen(seg[n - 3]));
		snprintf(pfx, 8, "%s", seg[n - 2]);
		ft[0] = '\0';
		for (int i = 0; i < n - 3; i++)
			snprintf(ft + strlen(ft), ftlen - strlen(ft), "%s/", seg[i]);
		snprintf(ft + strlen(ft), ftlen - strlen(ft), "%%topic%%/%%prefix%%/");
		return 0;
	}
	return -1;
}

/*
 * Remember what the message said about relays and set the kind: a relay
 * makes a plug; readings of energy without a relay make a meter (a
 * Teleinfo or PZEM reader: kind "sensor"); energy from a device not yet
 * known either way is taken for a metering plug, the common case;
 * environmental readings alone make a sensor.
 */
static void tas_kind(struct eco_dev *d, struct tas_dev *t, const struct tas_walk *w)
{
	const char *kind = NULL;

	if (t && w->plug)
		t->plug = 1;
	if (t && w->norelay && !w->plug)
		t->norelay = 1;
	if (w->plug)
		kind = "plug";
	else if (w->meter)
		kind = (t && t->plug) || !((t && t->norelay) || w->norelay) ? "plug" : "sensor";
	else if (w->env && !(t && t->plug))
		kind = "sensor";
	if (kind) {
		snprintf(d->kind, sizeof(d->kind), "%s", kind);
		d->has |= ECO_KIND;
	}
}

/* Tasmota's own discovery: tasmota/discovery/<mac>/config|sensors. */
static int tas_discovery(struct eco_ctx *ctx, char **seg, int n,
			 const char *payload, size_t len, int retained,
			 struct eco_out *out)
{
	struct tas_priv *p = ctx->priv;
	struct tas_dev *t;
	struct eco_dev *d;
	char topic[ECO_ID_MAX], s[128];
	cJSON *root, *j;

	if (n != 4 || (strcmp(seg[3], "config") && strcmp(seg[3], "sensors")))
		return ECO_IGNORED;
	if (!len) {
		t = tas_find(p, NULL, seg[2], 0);
		if (!t || !retained || strcmp(seg[3], "config"))
			return ECO_IGNORED;
		d = eco_dev_add(out, t->slot.key);
		if (!d)
			return ECO_IGNORED;
		d->has |= ECO_FORGET;
		return ECO_OK;
	}
	root = cJSON_ParseWithLength(payload, len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(out->why, sizeof(out->why), "tasmota discovery: not a JSON object");
		return ECO_BAD;
	}
	if (!strcmp(seg[3], "sensors")) {
		struct tas_walk w = { .out = out, .press_mul = 1, .retained = retained };

		t = tas_find(p, NULL, seg[2], 0);
		j = cJSON_GetObjectItemCaseSensitive(root, "sn");
		if (!t || !cJSON_IsObject(j) || !(d = eco_dev_add(out, t->slot.key))) {
			cJSON_Delete(root);
			return ECO_IGNORED;
		}
		w.d = d;
		w.native = t->slot.key;
		tas_walk(&w, j, 0);
		tas_kind(d, t, &w);
		d->has |= ECO_DESCRIBE;
		cJSON_Delete(root);
		return ECO_OK;
	}
	if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "t"), topic, sizeof(topic)) < 0 ||
	    !topic[0] || strchr(topic, '/') || !(d = eco_dev_add(out, topic))) {
		cJSON_Delete(root);
		snprintf(out->why, sizeof(out->why), "tasmota discovery: no topic");
		return ECO_BAD;
	}
	t = tas_find(p, topic, NULL, 1);
	if (t) {
		snprintf(t->mac, sizeof(t->mac), "%.15s", seg[2]);
		if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "ft"), s, sizeof(s)) == 0 &&
		    strstr(s, "%topic%"))
			snprintf(t->ft, sizeof(t->ft), "%s", s);
		j = cJSON_GetObjectItemCaseSensitive(root, "tp");
		if (eco_jstr(cJSON_GetArrayItem(j, 0), s, sizeof(s)) == 0 && s[0])
			snprintf(t->cmnd, sizeof(t->cmnd), "%.15s", s);
	}
	j = cJSON_GetObjectItemCaseSensitive(root, "fn");
	if (cJSON_IsArray(j))
		tas_str(d, ECO_NAME, d->name, sizeof(d->name), cJSON_GetArrayItem(j, 0));
	if (!(d->has & ECO_NAME))
		tas_str(d, ECO_NAME, d->name, sizeof(d->name),
			cJSON_GetObjectItemCaseSensitive(root, "dn"));
	tas_str(d, ECO_MODEL, d->model, sizeof(d->model),
		cJSON_GetObjectItemCaseSensitive(root, "md"));
	tas_str(d, ECO_FIRMWARE, d->firmware, sizeof(d->firmware),
		cJSON_GetObjectItemCaseSensitive(root, "sw"));
	j = cJSON_GetObjectItemCaseSensitive(root, "rl");
	if (cJSON_IsArray(j)) {
		const cJSON *r;
		int relay = 0;

		cJSON_ArrayForEach(r, j)
			relay |= cJSON_IsNumber(r) && r->valuedouble == 1;
		if (relay) {
			if (t)
				t->plug = 1;
			snprintf(d->kind, sizeof(d->kind), "plug");
			d->has |= ECO_KIND;
		} else if (t && !t->plug) {
			t->norelay = 1;		/* "rl":[0,0,…]: no relay */
		}
	}
	d->has |= ECO_DESCRIBE;		/* retained: says nothing of now */
	cJSON_Delete(root);
	return ECO_OK;
}

/*
 * Parse one Tasmota message.  Returns ECO_OK with the device (and any
 * Zigbee children), ECO_IGNORED for topics that are not Tasmota's or say
 * nothing, ECO_BAD for broken JSON.
 */
static int tas_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		     size_t len, int retained, struct eco_out *out)
{
	struct tas_priv *p = ctx->priv;
	char buf[512], *seg[17], native[ECO_ID_MAX], pfx[8], ft[128];
	const char *w;
	struct tas_walk tw = { .out = out, .press_mul = 1, .retained = retained };
	struct tas_dev *t;
	struct eco_dev *d;
	cJSON *root;
	int n;

	n = eco_split(topic, buf, sizeof(buf), seg, 16);
	if (n < 3 || n > 16)
		return ECO_IGNORED;
	if (!strcmp(seg[0], "tasmota") && !strcmp(seg[1], "discovery"))
		return tas_discovery(ctx, seg, n, payload, len, retained, out);
	if (tas_topic(ctx->prefix, seg, n, native, pfx, ft, sizeof(ft)) < 0)
		return ECO_IGNORED;
	w = seg[n - 1];

	if (!strcmp(w, "LWT")) {
		int on;

		if (!len) {
			if (!retained || !(d = eco_dev_add(out, native)))
				return ECO_IGNORED;
			d->has |= ECO_FORGET;
			return ECO_OK;
		}
		on = eco_bool(payload, len);
		if (on < 0 || !(d = eco_dev_add(out, native)))
			return ECO_IGNORED;
		d->online = on;
		d->has |= ECO_ONLINE;
		goto remember;
	}
	if (!strncmp(w, "POWER", 5) && (!w[5] || isdigit((unsigned char)w[5]))) {
		int on = eco_bool(payload, len);

		if (on < 0 || (w[5] && strcmp(w + 5, "1")) || !(d = eco_dev_add(out, native)))
			return ECO_IGNORED;
		d->switch_on = on;
		d->has |= ECO_SWITCH;
		t = tas_find(p, native, NULL, 1);
		if (t)
			t->plug = 1;
		snprintf(d->kind, sizeof(d->kind), "plug");
		d->has |= ECO_KIND;
		goto remember;
	}
	/* everything else that matters is a JSON object */
	{
		size_t i = 0;

		while (i < len && isspace((unsigned char)payload[i]))
			i++;
		if (i == len || payload[i] != '{')
			return ECO_IGNORED;	/* plain text: POWER_LOW ON, Done, … */
	}
	root = cJSON_ParseWithLength(payload, len);
	if (!root) {
		snprintf(out->why, sizeof(out->why), "tasmota %s: bad or truncated JSON", pfx);
		return ECO_BAD;
	}
	d = eco_dev_add(out, native);
	if (!d || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ECO_IGNORED;
	}
	tw.d = d;
	tw.native = d->native;
	tas_walk(&tw, root, 0);
	/* Tasmota 5.x: tele/<t>/ENERGY with the readings at the top */
	if (!strcmp(w, "ENERGY") &&
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "ENERGY")))
		tas_energy(&tw, root);
	/* STATE lists POWERn for each relay: none listed, none there */
	if (!strcmp(w, "STATE") && !tw.plug)
		tw.norelay = 1;
	cJSON_Delete(root);
	t = tas_find(p, native, NULL, tw.plug || tw.meter || tw.norelay);
	tas_kind(d, t, &tw);
remember:
	if (strcmp(ft, TAS_DEFAULT_FT) && !strpbrk(ft, "+#") &&
	    (t = tas_find(p, native, NULL, 1)))
		snprintf(t->ft, sizeof(t->ft), "%s", ft);
	return ECO_OK;
}

/* Substitute %prefix% and %topic% in a FullTopic pattern; -1 if another
 * placeholder (%hostname%, %id%) is left that we cannot fill. */
static int tas_fill(const char *ft, const char *cmnd, const char *native,
		    char *dst, size_t len)
{
	size_t o = 0;

	for (const char *s = ft; *s; ) {
		const char *put = NULL;
		size_t skip = 1;

		if (!strncmp(s, "%prefix%", 8)) {
			put = cmnd;
			skip = 8;
		} else if (!strncmp(s, "%topic%", 7)) {
			put = native;
			skip = 7;
		} else if (*s == '%') {
			return -1;
		}
		if (put) {
			int k = snprintf(dst + o, len - o, "%s", put);

			if (k < 0 || (size_t)k >= len - o)
				return -1;
			o += (size_t)k;
		} else {
			if (o + 1 >= len)
				return -1;
			dst[o++] = *s;
		}
		s += skip;
	}
	dst[o] = '\0';
	return 0;
}

/* cmnd/<topic>/POWER ON|OFF, following the device's FullTopic. */
static int tas_switch(struct eco_ctx *ctx, const char *native, int on,
		      char *topic, size_t tlen, char *payload, size_t plen)
{
	struct tas_dev *t = tas_find(ctx->priv, native, NULL, 0);
	const char *ft = TAS_DEFAULT_FT, *cmnd = "cmnd";
	char base[256];

	if (!native[0] || strchr(native, '/') || strchr(native, '+') || strchr(native, '#'))
		return -1;	/* Zigbee children are not switched this way */
	if (t && t->ft[0])
		ft = t->ft;
	else if (strstr(ctx->prefix, "%topic%"))
		ft = ctx->prefix;
	if (t && t->cmnd[0])
		cmnd = t->cmnd;
	if (tas_fill(ft, cmnd, native, base, sizeof(base)) < 0 &&
	    tas_fill(TAS_DEFAULT_FT, cmnd, native, base, sizeof(base)) < 0)
		return -1;
	if ((size_t)snprintf(topic, tlen, "%s%sPOWER", base,
			     base[0] && base[strlen(base) - 1] == '/' ? "" : "/") >= tlen ||
	    strpbrk(topic, "+#"))
		return -1;	/* wildcards cannot be published to */
	snprintf(payload, plen, "%s", on ? "ON" : "OFF");
	return 0;
}

/* Subscriptions: the FullTopic pattern with + for %topic%, or by default
 * tele|stat first and the prefix-after-topic variants. */
static int tas_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	static const char *deflt[] = {
		"tele/+/+", "stat/+/+", "tasmota/discovery/+/config",
		"tasmota/discovery/+/sensors", "+/tele/+", "+/stat/+",
		"+/+/tele/+", "+/+/+/tele/+", "+/+/+/+/tele/+",
		"+/+/stat/+", "+/+/+/stat/+", "+/+/+/+/stat/+", NULL
	};
	int n = 0;

	if (prefix && strstr(prefix, "%topic%") && strcmp(prefix, TAS_DEFAULT_FT)) {
		static const char *words[] = { "tele", "stat" };

		for (int k = 0; k < 2 && n < max; k++) {
			char f[ECO_FILTER_LEN];
			size_t o = 0;

			for (const char *s = prefix; *s && o + 8 < sizeof(f); ) {
				if (!strncmp(s, "%prefix%", 8)) {
					o += (size_t)snprintf(f + o, sizeof(f) - o, "%s", words[k]);
					s += 8;
				} else if (*s == '%') {
					const char *e = strchr(s + 1, '%');

					f[o++] = '+';
					s = e ? e + 1 : s + strlen(s);
				} else {
					f[o++] = *s++;
				}
			}
			if (o && f[o - 1] != '/')
				f[o++] = '/';
			f[o++] = '+';
			f[o] = '\0';
			snprintf(filters[n++], ECO_FILTER_LEN, "%s", f);
		}
		for (int i = 2; i < 4 && n < max; i++)
			snprintf(filters[n++], ECO_FILTER_LEN, "%s", deflt[i]);
		return n;
	}
	for (int i = 0; deflt[i] && n < max; i++)
		snprintf(filters[n++], ECO_FILTER_LEN, "%s", deflt[i]);
	return n;
}

static int tas_init(struct eco_ctx *ctx)
{
	struct tas_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	eco_cache_init(&p->cache, p->dev, sizeof(p->dev[0]), TAS_MAX_DEV, ECO_CACHE_FIFO);
	ctx->priv = p;
	return 0;
}

static void tas_fini(struct eco_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

const struct eco_ops tasmota_ops = {
	.name = "tasmota",
	.default_prefix = TAS_DEFAULT_FT,
	.filters = tas_filters,
	.parse = tas_parse,
	.switch_cmd = tas_switch,
	.init = tas_init,
	.fini = tas_fini,
};
