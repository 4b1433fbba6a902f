/*
 * esphome.c — ESPHome nodes speaking native MQTT.
 *
 * A node publishes under its topic_prefix (by default its node name, the
 * native id): `<node>/status` (online/offline, retained birth and last
 * will), `<node>/<component>/<object_id>/state` (plain text: sensors as
 * "%.Nf" or "nan", binary sensors and switches ON/OFF; lights and events
 * as JSON), `<node>/climate/<object_id>/<attr>/state`, and
 * `esphome/discover/<node>` (dashboard discovery: name, board, version).
 *
 * State payloads carry no unit: the unit and device class come from the
 * node's Home Assistant discovery, which hadisco.c records; this file asks
 * it (hadisco_lookup).  Without discovery the metric is guessed from the
 * object id (temperature → temperature_c, wifi_signal → rssi_dbm, …) and
 * the value taken as already in the canonical unit.
 *
 * The `+/status` filter is shared with Shelly (`<prefix>/status`, JSON):
 * a status topic is ours only for the plain words online/offline.  A
 * binary sensor whose object id or discovery name says "button" reports
 * presses; an `event` entity's event_type does too.  A configured prefix
 * P means nodes live under `P/<node>/…` (native id still the node).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

#define ESP_MAX_NODE	256

struct esp_node {
	struct eco_slot slot;		/* key: the node name */
	char switch_obj[ECO_MAX];	/* the object switched by switch_cmd */
	int env, power, button, sw, detector;
};

struct esp_priv {
	struct esp_node node[ESP_MAX_NODE];
	struct eco_cache cache;		/* FIFO */
};

static struct esp_node *esp_find(struct esp_priv *p, const char *node, int create)
{
	return p ? eco_cache_get(&p->cache, node, create) : NULL;
}

static int esp_is_component(const char *c)
{
	static const char *comps[] = { "sensor", "binary_sensor", "switch", "light",
		"fan", "cover", "text_sensor", "number", "select", "climate", "lock",
		"valve", "event", "button", "text", "datetime", "date", "time",
		"alarm_control_panel", "update", NULL };

	for (int i = 0; comps[i]; i++)
		if (!strcmp(c, comps[i]))
			return 1;
	return 0;
}

/* First segments that belong to other ecosystems on the same broker. */
static int esp_reserved(struct eco_ctx *ctx, const char *node)
{
	static const char *words[] = { "homeassistant", "zigbee2mqtt", "homie",
		"mlab", "tele", "stat", "cmnd", "shellies", "esphome", "device", NULL };
	struct eco_ctx *z = eco_peer(ctx, "z2m");

	for (int i = 0; words[i]; i++)
		if (!strcmp(node, words[i]))
			return 1;
	return z && z->prefix[0] && !strcmp(node, z->prefix);
}

/* Kind from what the node has shown so far: a relay that meters, a
 * detector (motion, door, …), a button, an environmental reading, a
 * relay.  Metering without a relay is an energy meter (an inverter, a
 * clamp on a panel): a sensor, until a relay shows, whichever comes
 * first. */
static void esp_kind(struct eco_dev *d, const struct esp_node *e)
{
	const char *k = e->power && e->sw ? "plug" : e->detector ? "sensor" :
			e->button ? "button" : e->env ? "sensor" : e->sw ? "plug" :
			e->power ? "sensor" : NULL;

	if (k) {
		snprintf(d->kind, sizeof(d->kind), "%s", k);
		d->has |= ECO_KIND;
	}
}

static void esp_note_metric(struct esp_node *e, const char *m)
{
	if (!strcmp(m, "power_w") || !strcmp(m, "energy_kwh") || !strcmp(m, "current_a"))
		e->power = 1;
	else if (hametric_env(m))
		e->env = 1;
}

/* ESPHome's restart, safe_mode, shutdown and factory_reset switches
 * (often named "<node>_restart" or "Restart") reboot the node: they are
 * not a relay, and a node with one is not a plug. */
static int esp_admin_switch(const char *obj)
{
	static const char *tails[] = { "restart", "reboot", "safe_mode", "shutdown",
				       "factory_reset" };
	size_t n = strlen(obj);

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t t = strlen(tails[i]);

		if (n >= t && !strcasecmp(obj + n - t, tails[i]) &&
		    (n == t || !isalnum((unsigned char)obj[n - t - 1])))
			return 1;
	}
	return 0;
}

/* One `<node>/<comp>/<obj>/state` message (attr: climate attribute). */
static int esp_state(struct eco_ctx *ctx, struct eco_dev *d, struct esp_node *e,
		     const char *topic, const char *comp, const char *obj,
		     const char *attr, const char *payload, size_t len,
		     int retained, struct eco_out *out)
{
	const struct hadisco_entity *h = hadisco_lookup(ctx, topic, NULL);
	char name[32];
	double v, mul = 1, add = 0;
	int b;

	/* a number is a setting (temperature_offset, a set point, a delay),
	 * never a reading: taking "temperature_offset" for a temperature
	 * would overwrite the node's real one */
	if (!strcmp(comp, "sensor") ||
	    (!strcmp(comp, "climate") && attr && !strcmp(attr, "current_temperature"))) {
		if (h && h->metric[0]) {
			snprintf(name, sizeof(name), "%s", h->metric);
			mul = h->mul;
			add = h->add;
		} else if (!strcmp(comp, "climate")) {
			snprintf(name, sizeof(name), "temperature_c");
		} else if (hametric_name(NULL, NULL, obj, name, sizeof(name), &mul, &add) < 0) {
			return ECO_OK;
		}
		if (eco_num(payload, len, 0, &v) == 0) {
			eco_metric(d, name, v * mul + add);
			esp_note_metric(e, name);
		}
		return ECO_OK;	/* "nan": a failed reading; the node is alive */
	}
	if (!strcmp(comp, "binary_sensor")) {
		int button = strcasestr(obj, "button") || strcasestr(obj, "bouton") ||
			     (h && !h->dev_class[0] && strcasestr(h->object_id, "button"));

		b = eco_bool(payload, len);
		if (b < 0)
			return ECO_OK;
		if (button) {
			e->button = 1;
			if (b == 1 && !retained) {
				snprintf(d->button, sizeof(d->button), "%.50s press", obj);
				d->has |= ECO_BUTTON;
			}
			return ECO_OK;
		}
		if (hametric_detector(h ? h->dev_class : NULL, obj))
			e->detector = 1;
		{
			char m[32];
			size_t o = 0;

			for (const char *s = obj; *s && o + 1 < sizeof(m); s++)
				m[o++] = isalnum((unsigned char)*s) ?
					 (char)tolower((unsigned char)*s) : '_';
			m[o] = '\0';
			if (o)
				eco_metric(d, m, b);
		}
		return ECO_OK;
	}
	if (!strcmp(comp, "switch")) {
		b = eco_bool(payload, len);
		if (b < 0 || esp_admin_switch(obj))
			return ECO_OK;
		e->sw = 1;
		if (!e->switch_obj[0])
			snprintf(e->switch_obj, sizeof(e->switch_obj), "%s", obj);
		if (!strcmp(e->switch_obj, obj)) {
			d->switch_on = b;
			d->has |= ECO_SWITCH;
		}
		return ECO_OK;
	}
	if (!strcmp(comp, "event")) {
		cJSON *root = cJSON_ParseWithLength(payload, len);
		char t[40];

		if (!root) {
			snprintf(out->why, sizeof(out->why), "esphome event: not JSON");
			return ECO_BAD;
		}
		e->button = 1;
		if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "event_type"), t, sizeof(t)) == 0 &&
		    t[0] && !retained) {
			snprintf(d->button, sizeof(d->button), "%.20s %s", obj, t);
			d->has |= ECO_BUTTON;
		}
		cJSON_Delete(root);
		return ECO_OK;
	}
	return ECO_OK;	/* text_sensor, light, …: the node is alive */
}

/* esphome/discover/<node>: the dashboard's announcement. */
static int esp_discover(struct eco_dev *d, const char *payload, size_t len,
			struct eco_out *out)
{
	cJSON *root = cJSON_ParseWithLength(payload, len);
	char s[128];

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(out->why, sizeof(out->why), "esphome discover: not a JSON object");
		return ECO_BAD;
	}
	if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "friendly_name"), s, sizeof(s)) == 0 && s[0]) {
		eco_strlcpy(d->name, sizeof(d->name), s, strlen(s));
		d->has |= ECO_NAME;
	}
	if ((eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "board"), s, sizeof(s)) == 0 && s[0]) ||
	    (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "platform"), s, sizeof(s)) == 0 && s[0])) {
		eco_strlcpy(d->model, sizeof(d->model), s, strlen(s));
		d->has |= ECO_MODEL;
	}
	if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "version"), s, sizeof(s)) == 0 && s[0]) {
		eco_strlcpy(d->firmware, sizeof(d->firmware), s, strlen(s));
		d->has |= ECO_FIRMWARE;
	}
	cJSON_Delete(root);
	return ECO_OK;
}

/*
 * Parse one message.  Returns ECO_OK with the node, ECO_IGNORED for
 * topics that are not clearly ESPHome's, ECO_BAD for a broken JSON
 * payload where JSON is due.
 */
static int esp_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		     size_t len, int retained, struct eco_out *out)
{
	char buf[512], *seg[7];
	size_t pl = strlen(ctx->prefix);
	const char *rest = topic;
	struct esp_node *e, tmp;
	struct eco_dev *d;
	int n, rc;

	if (!strncmp(topic, "esphome/discover/", 17)) {
		const char *node = topic + 17;

		if (!node[0] || strchr(node, '/'))
			return ECO_IGNORED;
		if (!len) {
			if (!retained || !(d = eco_dev_add(out, node)))
				return ECO_IGNORED;
			d->has |= ECO_FORGET;
			return ECO_OK;
		}
		if (!(d = eco_dev_add(out, node)))
			return ECO_IGNORED;
		rc = esp_discover(d, payload, len, out);
		if (rc != ECO_OK)
			out->ndev--;
		return rc;
	}
	if (pl) {
		if (strncmp(topic, ctx->prefix, pl) || topic[pl] != '/')
			return ECO_IGNORED;
		rest = topic + pl + 1;
	}
	n = eco_split(rest, buf, sizeof(buf), seg, 6);
	if (n < 2 || n > 5 || !seg[0][0] || (!pl && esp_reserved(ctx, seg[0])))
		return ECO_IGNORED;

	if (n == 2 && !strcmp(seg[1], "status")) {
		size_t i = 0, j = len;

		if (!len) {
			if (!retained || !(d = eco_dev_add(out, seg[0])))
				return ECO_IGNORED;
			d->has |= ECO_FORGET;
			return ECO_OK;
		}
		while (i < j && isspace((unsigned char)payload[i]))
			i++;
		while (j > i && isspace((unsigned char)payload[j - 1]))
			j--;
		if (!((j - i == 6 && !strncasecmp(payload + i, "online", 6)) ||
		      (j - i == 7 && !strncasecmp(payload + i, "offline", 7))))
			return ECO_IGNORED;	/* Shelly's JSON, others' words */
		if (!(d = eco_dev_add(out, seg[0])))
			return ECO_IGNORED;
		d->online = j - i == 6;
		d->has |= ECO_ONLINE;
		return ECO_OK;
	}
	if (!((n == 4 && !strcmp(seg[3], "state") && esp_is_component(seg[1])) ||
	      (n == 5 && !strcmp(seg[4], "state") && !strcmp(seg[1], "climate"))))
		return ECO_IGNORED;
	if (!seg[2][0])
		return ECO_IGNORED;
	if (!(d = eco_dev_add(out, seg[0])))
		return ECO_IGNORED;
	e = esp_find(ctx->priv, seg[0], 1);
	if (!e) {
		memset(&tmp, 0, sizeof(tmp));
		e = &tmp;
	}
	rc = esp_state(ctx, d, e, topic, seg[1], seg[2], n == 5 ? seg[3] : NULL,
		       payload, len, retained, out);
	if (rc != ECO_OK) {
		out->ndev--;
		return rc;
	}
	esp_kind(d, e);
	return ECO_OK;
}

/* <node>/switch/<object>/command ON|OFF: the object from the node's
 * switch states, else from its discovery. */
static int esp_switch(struct eco_ctx *ctx, const char *native, int on,
		      char *topic, size_t tlen, char *payload, size_t plen)
{
	struct esp_node *e = esp_find(ctx->priv, native, 0);
	size_t pl = strlen(ctx->prefix);
	int k;

	if (!native[0] || strchr(native, '/') || strchr(native, '+') || strchr(native, '#'))
		return -1;
	if (e && e->switch_obj[0])
		k = snprintf(topic, tlen, "%s%s%s/switch/%s/command", ctx->prefix,
			     pl ? "/" : "", native, e->switch_obj);
	else if (hadisco_switch_topic(ctx, "esphome", native, topic, tlen) == 0)
		k = (int)strlen(topic);
	else
		return -1;
	if (k < 0 || (size_t)k >= tlen || strpbrk(topic, "+#"))
		return -1;
	snprintf(payload, plen, "%s", on ? "ON" : "OFF");
	return 0;
}

static int esp_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	static const char *f[] = { "+/status", "+/+/+/state", "+/climate/+/+/state", NULL };
	int n = 0;

	for (int i = 0; f[i] && n < max; i++) {
		if (prefix && prefix[0])
			snprintf(filters[n++], ECO_FILTER_LEN, "%s/%s", prefix, f[i]);
		else
			snprintf(filters[n++], ECO_FILTER_LEN, "%s", f[i]);
	}
	if (n < max)
		snprintf(filters[n++], ECO_FILTER_LEN, "esphome/discover/+");
	return n;
}

static int esp_init(struct eco_ctx *ctx)
{
	struct esp_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	eco_cache_init(&p->cache, p->node, sizeof(p->node[0]), ESP_MAX_NODE, ECO_CACHE_FIFO);
	ctx->priv = p;
	return 0;
}

static void esp_fini(struct eco_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

const struct eco_ops esphome_ops = {
	.name = "esphome",
	.default_prefix = "",
	.filters = esp_filters,
	.parse = esp_parse,
	.switch_cmd = esp_switch,
	.init = esp_init,
	.fini = esp_fini,
};
