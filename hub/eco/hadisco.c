/*
 * hadisco.c — Home Assistant MQTT discovery, as a source of knowledge.
 *
 * Many firmwares announce what they publish on
 * `homeassistant/<component>/[<node_id>/]<object_id>/config` (retained
 * JSON, often with abbreviated keys such as stat_t, unit_of_meas,
 * dev{ids,name,mdl,mf,sw}, and the `~` base-topic shorthand).  This file
 * reads those announcements into a table of entities, kept in the
 * homeassistant ecosystem's priv: state topic → owning device (source and
 * native id), metric name and unit conversion, component, command topic.
 * ESPHome and Zigbee2MQTT, whose state payloads do not carry units, look
 * their topics up here (hadisco_lookup).
 *
 * A discovery message also names the device that owns it: when the owner
 * is recognisably an ESPHome node, a Zigbee2MQTT device or a Tasmota
 * device, parse() emits that device (source set) with its name, model,
 * firmware and — from all of its entities so far — its kind.  Entities of
 * ecosystems the hub does not parse are recorded but emit nothing; the
 * hub does not subscribe to their state topics (filters are static), so
 * their values are not read.
 *
 * An empty retained config deletes one entity; when it was the last one
 * known for its device, the device is forgotten (ECO_FORGET).
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

#define HAD_MAX_ENT	4096	/* entities remembered; older ones are evicted */

struct had_ent {
	struct hadisco_entity pub;
	char disc_topic[256];	/* the config topic that announced it */
	uint32_t hash;		/* of pub.state_topic */
};

struct had_priv {
	struct had_ent *e;
	int n, cap;
	unsigned evict;
};

static uint32_t had_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* A child of obj under its abbreviated or its full key. */
static cJSON *jget(const cJSON *obj, const char *abbr, const char *full)
{
	cJSON *j = NULL;

	if (!cJSON_IsObject(obj))
		return NULL;
	if (abbr)
		j = cJSON_GetObjectItemCaseSensitive(obj, abbr);
	if (!j && full)
		j = cJSON_GetObjectItemCaseSensitive(obj, full);
	return j;
}

/* Copy a string member into dst ("" when absent or not a string). */
static void jcopy(const cJSON *obj, const char *abbr, const char *full,
		  char *dst, size_t len)
{
	dst[0] = '\0';
	if (eco_jstr(jget(obj, abbr, full), dst, len) < 0)
		dst[0] = '\0';
}

/* A topic member with Home Assistant's `~` rule applied: a leading or a
 * trailing `~` stands for the base topic. */
static void jtopic(const cJSON *obj, const char *abbr, const char *full,
		   const char *base, char *dst, size_t len)
{
	char raw[256];
	size_t n;

	jcopy(obj, abbr, full, raw, sizeof(raw));
	n = strlen(raw);
	if (base[0] && n && raw[0] == '~')
		snprintf(dst, len, "%s%s", base, raw + 1);
	else if (base[0] && n && raw[n - 1] == '~')
		snprintf(dst, len, "%.*s%s", (int)(n - 1), raw, base);
	else
		snprintf(dst, len, "%s", raw);
}

/* --- the entity table -------------------------------------------------- */

static struct had_priv *had_priv_of(struct eco_ctx *any)
{
	struct eco_ctx *c;

	if (!any)
		return NULL;
	if (any->ops && !strcmp(any->ops->name, "homeassistant"))
		return any->priv;
	c = eco_peer(any, "homeassistant");
	return c ? c->priv : NULL;
}

const struct hadisco_entity *hadisco_lookup(struct eco_ctx *any,
					    const char *state_topic,
					    const char *json_key)
{
	struct had_priv *p = had_priv_of(any);
	uint32_t h;

	if (!p || !state_topic)
		return NULL;
	h = had_hash(state_topic);
	for (int i = 0; i < p->n; i++) {
		struct had_ent *e = &p->e[i];

		if (e->hash != h || strcmp(e->pub.state_topic, state_topic))
			continue;
		if (json_key && strcmp(e->pub.json_key, json_key))
			continue;
		return &e->pub;
	}
	return NULL;
}

int hadisco_switch_topic(struct eco_ctx *any, const char *source,
			 const char *native, char *buf, size_t len)
{
	struct had_priv *p = had_priv_of(any);

	if (!p)
		return -1;
	for (int i = 0; i < p->n; i++) {
		struct hadisco_entity *e = &p->e[i].pub;

		if (!strcmp(e->component, "switch") && e->cmd_topic[0] &&
		    !strcmp(e->source, source) && !strcmp(e->native, native)) {
			snprintf(buf, len, "%s", e->cmd_topic);
			return 0;
		}
	}
	return -1;
}

/* Drop every entity announced on disc_topic; *source/native say whose it
 * was.  Returns how many were dropped. */
static int had_remove(struct had_priv *p, const char *disc_topic,
		      char *source, char *native)
{
	int k = 0, n = 0;

	for (int i = 0; i < p->n; i++) {
		if (!strcmp(p->e[i].disc_topic, disc_topic)) {
			snprintf(source, 16, "%s", p->e[i].pub.source);
			snprintf(native, ECO_ID_MAX, "%s", p->e[i].pub.native);
			n++;
			continue;
		}
		if (k != i)
			p->e[k] = p->e[i];
		k++;
	}
	p->n = k;
	return n;
}

/* A slot for disc_topic/state_topic: the existing record, else a new one
 * (evicting round-robin when the table is full).  NULL on ENOMEM. */
static struct had_ent *had_slot(struct had_priv *p, const char *disc_topic,
				const char *state_topic)
{
	struct had_ent *e;

	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->e[i].disc_topic, disc_topic) &&
		    !strcmp(p->e[i].pub.state_topic, state_topic))
			return &p->e[i];
	if (p->n == p->cap) {
		if (p->cap >= HAD_MAX_ENT) {
			e = &p->e[p->evict++ % (unsigned)p->cap];
			memset(e, 0, sizeof(*e));
			return e;
		}
		int ncap = p->cap ? p->cap * 2 : 64;
		struct had_ent *ne = realloc(p->e, (size_t)ncap * sizeof(*ne));

		if (!ne)
			return NULL;
		p->e = ne;
		p->cap = ncap;
	}
	e = &p->e[p->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* The JSON key of a template `{{ value_json.X }}`, `{{ value_json['X'] }}`
 * or `{{ value_json["X"] | filter }}`; "" for anything else. */
static void template_key(const char *t, char *key, size_t len)
{
	const char *p = t, *s;
	size_t n;

	key[0] = '\0';
	while (*p == ' ')
		p++;
	if (strncmp(p, "{{", 2))
		return;
	p += 2;
	while (*p == ' ')
		p++;
	if (strncmp(p, "value_json", 10))
		return;
	p += 10;
	if (*p == '.') {
		s = ++p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
	} else if (*p == '[' && (p[1] == '\'' || p[1] == '"')) {
		char q = p[1];

		s = p += 2;
		while (*p && *p != q)
			p++;
		if (*p != q || p[1] != ']')
			return;
		n = (size_t)(p - s);
		p += 2;
		goto tail;
	} else {
		return;
	}
	n = (size_t)(p - s);
tail:
	while (*p == ' ')
		p++;
	if (*p != '|' && strncmp(p, "}}", 2))
		return;		/* nested: value_json.a.b */
	if (!n || n >= len)
		return;
	memcpy(key, s, n);
	key[n] = '\0';
}

static int is_tasmota_word(const char *w)
{
	static const char *words[] = { "STATE", "SENSOR", "LWT", "RESULT",
		"POWER", "STATUS", "INFO", "HASS_STATE", "UPTIME", "ENERGY", NULL };

	for (int i = 0; words[i]; i++)
		if (!strncmp(w, words[i], strlen(words[i])))
			return 1;
	return 0;
}

/* Tasmota device topic in a state or availability topic: the segment next
 * to tele|stat (either side: FullTopic may put %prefix% after %topic%). */
static int tasmota_native(const char *topic, char *native, size_t len)
{
	char buf[256], *seg[12];
	int n = eco_split(topic, buf, sizeof(buf), seg, 12);

	if (n < 3 || n > 12 || !is_tasmota_word(seg[n - 1]))
		return -1;
	if (!strcmp(seg[n - 3], "tele") || !strcmp(seg[n - 3], "stat")) {
		snprintf(native, len, "%s", seg[n - 2]);
		return 0;
	}
	if (!strcmp(seg[n - 2], "tele") || !strcmp(seg[n - 2], "stat")) {
		snprintf(native, len, "%s", seg[n - 3]);
		return 0;
	}
	return -1;
}

/* ESPHome node prefix P of `P/<component>/<object>/state|command`. */
static int esphome_native(const char *topic, char *native, size_t len)
{
	char buf[256], *seg[6];
	int n = eco_split(topic, buf, sizeof(buf), seg, 6);

	if (n != 4 || !seg[0][0])
		return -1;
	if (strcmp(seg[3], "state") && strcmp(seg[3], "command"))
		return -1;
	snprintf(native, len, "%s", seg[0]);
	return 0;
}

struct had_owner {
	char source[16];
	char native[ECO_ID_MAX];
};

/* Who owns an announced entity: Zigbee2MQTT, ESPHome or Tasmota, from
 * the origin, the device block and the shape of its topics.  Leaves
 * o->source "" when it cannot tell. */
static void had_owner(struct eco_ctx *ctx, const cJSON *root, const cJSON *dev,
		      const char *stat_t, const char *cmd_t, const char *avty_t,
		      struct had_owner *o)
{
	struct eco_ctx *z = eco_peer(ctx, "z2m");
	const char *zbase = z && z->prefix[0] ? z->prefix : "zigbee2mqtt";
	char origin[ECO_MAX], ids[128], mf[ECO_MAX], sw[ECO_MAX], dname[128];
	const cJSON *ij;
	size_t zl = strlen(zbase);

	o->source[0] = o->native[0] = '\0';
	jcopy(jget(root, "o", "origin"), NULL, "name", origin, sizeof(origin));
	ij = jget(dev, "ids", "identifiers");
	if (cJSON_IsArray(ij))
		ij = cJSON_GetArrayItem(ij, 0);
	if (eco_jstr(ij, ids, sizeof(ids)) < 0)
		ids[0] = '\0';
	jcopy(dev, "mf", "manufacturer", mf, sizeof(mf));
	jcopy(dev, "sw", "sw_version", sw, sizeof(sw));
	jcopy(dev, NULL, "name", dname, sizeof(dname));

	/* Zigbee2MQTT: state topic is <base>/<friendly name> */
	if (!strcasecmp(origin, "zigbee2mqtt") || !strncmp(ids, "zigbee2mqtt_", 12) ||
	    (!strncmp(stat_t, zbase, zl) && stat_t[zl] == '/')) {
		const char *t = stat_t[0] ? stat_t : cmd_t;

		snprintf(o->source, sizeof(o->source), "z2m");
		if (!strncmp(t, zbase, zl) && t[zl] == '/') {
			const char *rest = t + zl + 1;
			size_t n = strlen(rest);
			static const char *tails[] = { "/availability", "/action",
						       "/click", "/set", NULL };

			if (!strncmp(rest, "bridge/", 7) || !strcmp(rest, "bridge")) {
				snprintf(o->native, sizeof(o->native), "bridge");
				return;
			}
			for (int i = 0; tails[i]; i++) {
				size_t tl = strlen(tails[i]);

				if (n > tl && !strcmp(rest + n - tl, tails[i])) {
					n -= tl;
					break;
				}
			}
			eco_strlcpy(o->native, sizeof(o->native), rest, n);
		} else if (dname[0]) {
			snprintf(o->native, sizeof(o->native), "%s", dname);
		}
		if (!o->native[0])
			o->source[0] = '\0';
		return;
	}
	/* ESPHome: P/<component>/<object>/state, availability P/status */
	{
		char p1[ECO_ID_MAX] = "", want[ECO_ID_MAX + 8];
		int esp = !strcasecmp(origin, "esphome") || strcasestr(sw, "esphome") != NULL;

		if (esphome_native(stat_t, p1, sizeof(p1)) < 0)
			esphome_native(cmd_t, p1, sizeof(p1));
		if (p1[0]) {
			snprintf(want, sizeof(want), "%s/status", p1);
			if (esp || !strcmp(avty_t, want) || !strcasecmp(mf, "espressif")) {
				snprintf(o->source, sizeof(o->source), "esphome");
				snprintf(o->native, sizeof(o->native), "%s", p1);
				return;
			}
		}
	}
	/* Tasmota (legacy SetOption19 discovery) */
	if (tasmota_native(stat_t, o->native, sizeof(o->native)) == 0 ||
	    tasmota_native(avty_t, o->native, sizeof(o->native)) == 0 ||
	    tasmota_native(cmd_t, o->native, sizeof(o->native)) == 0) {
		snprintf(o->source, sizeof(o->source), "tasmota");
		return;
	}
	o->native[0] = '\0';
}

/* Kind of device source/native from all of its entities: "" when they
 * say nothing.  Metering makes a plug; a detector (motion, door, leak,
 * vibration binary sensor), a sensor; a trigger or event, a button; an
 * environmental reading, a sensor; a bare relay, a plug.  (A remote's
 * own temperature does not make it a sensor; a vibration sensor's
 * "tilt" action does not make it a button.) */
static const char *had_kind(struct had_priv *p, const char *source,
			    const char *native)
{
	int power = 0, button = 0, env = 0, sw = 0, detector = 0;

	for (int i = 0; i < p->n; i++) {
		const struct hadisco_entity *e = &p->e[i].pub;

		if (strcmp(e->source, source) || strcmp(e->native, native))
			continue;
		if (!strcmp(e->metric, "power_w") || !strcmp(e->metric, "energy_kwh") ||
		    !strcmp(e->metric, "current_a"))
			power = 1;
		else if (hametric_env(e->metric))
			env = 1;
		if (!strcmp(e->component, "binary_sensor") && e->dev_class[0] &&
		    hametric_detector(e->dev_class, NULL))
			detector = 1;
		if (!strcmp(e->component, "device_automation") ||
		    !strcmp(e->component, "event") ||
		    (!strcmp(e->component, "sensor") &&
		     (!strcmp(e->json_key, "action") || !strcmp(e->json_key, "click"))) ||
		    (!strcmp(e->component, "binary_sensor") &&
		     strstr(e->object_id, "button")))
			button = 1;
		if (!strcmp(e->component, "switch"))
			sw = 1;
	}
	if (power)
		return "plug";
	if (detector)
		return "sensor";
	if (button)
		return "button";
	if (env)
		return "sensor";
	if (sw)
		return "plug";
	return "";
}

/* Record one entity (cfg: its config object; root: the message, for the
 * device, origin and `~` when cfg is a component of a device discovery). */
static void had_entity(struct eco_ctx *ctx, struct had_priv *p,
		       const char *disc_topic, const cJSON *root, const cJSON *cfg,
		       const char *component, const char *object_id,
		       struct had_owner *o)
{
	char base[256], stat_t[256], cmd_t[256], avty_t[256], tpl[256];
	char unit[16], cls[32], obj[ECO_MAX];
	const cJSON *dev = jget(root, "dev", "device");
	const cJSON *avty;
	struct had_ent *e;

	jcopy(cfg, "~", NULL, base, sizeof(base));
	if (!base[0] && cfg != root)
		jcopy(root, "~", NULL, base, sizeof(base));
	jtopic(cfg, "stat_t", "state_topic", base, stat_t, sizeof(stat_t));
	if (!stat_t[0])	/* device triggers announce `topic` */
		jtopic(cfg, "t", "topic", base, stat_t, sizeof(stat_t));
	jtopic(cfg, "cmd_t", "command_topic", base, cmd_t, sizeof(cmd_t));
	jtopic(cfg, "avty_t", "availability_topic", base, avty_t, sizeof(avty_t));
	avty = jget(cfg, "avty", "availability");
	if (!avty_t[0] && cfg != root)
		jtopic(root, "avty_t", "availability_topic", base, avty_t, sizeof(avty_t));
	if (!avty_t[0] && cJSON_IsArray(avty)) {
		const cJSON *a;

		/* the device's own availability, not the bridge's */
		cJSON_ArrayForEach(a, avty) {
			jtopic(a, "t", "topic", base, avty_t, sizeof(avty_t));
			if (!strstr(avty_t, "bridge/state"))
				break;
		}
	}
	jcopy(cfg, "unit_of_meas", "unit_of_measurement", unit, sizeof(unit));
	jcopy(cfg, "dev_cla", "device_class", cls, sizeof(cls));
	jcopy(cfg, "val_tpl", "value_template", tpl, sizeof(tpl));
	jcopy(cfg, "obj_id", "object_id", obj, sizeof(obj));
	if (!obj[0])
		snprintf(obj, sizeof(obj), "%s", object_id);

	if (!o->source[0])
		had_owner(ctx, root, dev, stat_t, cmd_t, avty_t, o);
	if (!stat_t[0] && !cmd_t[0])
		return;
	e = had_slot(p, disc_topic, stat_t);
	if (!e)
		return;
	snprintf(e->disc_topic, sizeof(e->disc_topic), "%s", disc_topic);
	snprintf(e->pub.state_topic, sizeof(e->pub.state_topic), "%s", stat_t);
	e->hash = had_hash(stat_t);
	template_key(tpl, e->pub.json_key, sizeof(e->pub.json_key));
	snprintf(e->pub.source, sizeof(e->pub.source), "%s", o->source);
	snprintf(e->pub.native, sizeof(e->pub.native), "%s", o->native);
	snprintf(e->pub.component, sizeof(e->pub.component), "%s", component);
	snprintf(e->pub.object_id, sizeof(e->pub.object_id), "%s", object_id);
	snprintf(e->pub.unit, sizeof(e->pub.unit), "%s", unit);
	snprintf(e->pub.dev_class, sizeof(e->pub.dev_class), "%s", cls);
	snprintf(e->pub.cmd_topic, sizeof(e->pub.cmd_topic), "%s", cmd_t);
	e->pub.metric[0] = '\0';
	e->pub.mul = 1;
	e->pub.add = 0;
	if (!strcmp(component, "sensor") || !strcmp(component, "number")) {
		/* a Z2M key or ESPHome object id names the quantity best */
		const char *what = e->pub.json_key[0] ? e->pub.json_key : obj;

		if (hametric_name(cls, unit, what, e->pub.metric,
				   sizeof(e->pub.metric), &e->pub.mul, &e->pub.add) < 0)
			e->pub.metric[0] = '\0';
	}
}

/* Fill d with what the device block says: name, model, firmware. */
static void had_devinfo(const cJSON *dev, struct eco_dev *d)
{
	char mdl[ECO_MAX], mf[ECO_MAX], s[128];

	jcopy(dev, NULL, "name", s, sizeof(s));
	if (s[0]) {
		eco_strlcpy(d->name, sizeof(d->name), s, strlen(s));
		d->has |= ECO_NAME;
	}
	jcopy(dev, "mdl", "model", mdl, sizeof(mdl));
	jcopy(dev, "mf", "manufacturer", mf, sizeof(mf));
	if (mdl[0]) {
		if (mf[0] && strncasecmp(mdl, mf, strlen(mf)))
			snprintf(s, sizeof(s), "%s %s", mf, mdl);
		else
			snprintf(s, sizeof(s), "%s", mdl);
		eco_strlcpy(d->model, sizeof(d->model), s, strlen(s));
		d->has |= ECO_MODEL;
	}
	jcopy(dev, "sw", "sw_version", s, sizeof(s));
	if (s[0]) {
		eco_strlcpy(d->firmware, sizeof(d->firmware), s, strlen(s));
		d->has |= ECO_FIRMWARE;
	}
}

/*
 * Parse one discovery message.  Returns ECO_OK with the owning device
 * when it is known, ECO_IGNORED when the message is not discovery or says
 * nothing about a known ecosystem's device, ECO_BAD for broken JSON.
 */
static int had_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		     size_t len, int retained, struct eco_out *out)
{
	struct had_priv *p = ctx->priv;
	const char *base = ctx->prefix[0] ? ctx->prefix : "homeassistant";
	size_t bl = strlen(base);
	char buf[256], *seg[6], component[24], object_id[ECO_MAX];
	struct had_owner o = { "", "" };
	struct eco_dev *d;
	cJSON *root;
	int n;

	if (strncmp(topic, base, bl) || topic[bl] != '/')
		return ECO_IGNORED;
	n = eco_split(topic + bl + 1, buf, sizeof(buf), seg, 5);
	if ((n != 3 && n != 4) || strcmp(seg[n - 1], "config"))
		return ECO_IGNORED;
	eco_strlcpy(component, sizeof(component), seg[0], strlen(seg[0]));
	eco_strlcpy(object_id, sizeof(object_id), seg[n - 2], strlen(seg[n - 2]));

	if (len == 0) {
		char src[16] = "", nat[ECO_ID_MAX] = "";

		if (!p || !had_remove(p, topic, src, nat) || !src[0] || !nat[0])
			return ECO_IGNORED;
		for (int i = 0; i < p->n; i++)
			if (!strcmp(p->e[i].pub.source, src) &&
			    !strcmp(p->e[i].pub.native, nat))
				return ECO_IGNORED;	/* the device has others */
		d = eco_dev_add(out, nat);
		if (!d)
			return ECO_IGNORED;
		snprintf(d->source, sizeof(d->source), "%s", src);
		d->has |= ECO_FORGET;
		return ECO_OK;
	}
	root = cJSON_ParseWithLength(payload, len);
	if (!root) {
		snprintf(out->why, sizeof(out->why), "discovery: not JSON");
		return ECO_BAD;
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(out->why, sizeof(out->why), "discovery: not an object");
		return ECO_BAD;
	}
	if (p) {
		const cJSON *cmps = jget(root, "cmps", "components");

		/* a re-announcement replaces what was there */
		char s2[16], n2[ECO_ID_MAX];

		had_remove(p, topic, s2, n2);
		if (!strcmp(component, "device") && cJSON_IsObject(cmps)) {
			const cJSON *c;

			cJSON_ArrayForEach(c, cmps) {
				char plat[24];

				jcopy(c, "p", "platform", plat, sizeof(plat));
				if (plat[0] && c->string)
					had_entity(ctx, p, topic, root, c, plat,
						   c->string, &o);
			}
		} else {
			had_entity(ctx, p, topic, root, root, component, object_id, &o);
		}
	} else {
		/* no table: still say whose device it is */
		char st[256], ct[256], at[256];

		jtopic(root, "stat_t", "state_topic", "", st, sizeof(st));
		jtopic(root, "cmd_t", "command_topic", "", ct, sizeof(ct));
		jtopic(root, "avty_t", "availability_topic", "", at, sizeof(at));
		had_owner(ctx, root, jget(root, "dev", "device"), st, ct, at, &o);
	}
	if (!o.source[0] || !o.native[0] ||
	    (!strcmp(o.source, "z2m") && !strcmp(o.native, "bridge"))) {
		cJSON_Delete(root);
		return ECO_IGNORED;
	}
	d = eco_dev_add(out, o.native);
	if (!d) {
		cJSON_Delete(root);
		return ECO_IGNORED;
	}
	snprintf(d->source, sizeof(d->source), "%s", o.source);
	had_devinfo(jget(root, "dev", "device"), d);
	if (p && strcmp(o.source, "tasmota")) {
		/* Tasmota's own messages know its kind better */
		const char *k = had_kind(p, o.source, o.native);

		if (k[0]) {
			snprintf(d->kind, sizeof(d->kind), "%s", k);
			d->has |= ECO_KIND;
		}
	}
	cJSON_Delete(root);
	if (!d->has) {
		out->ndev--;
		return ECO_IGNORED;
	}
	/* a config, retained for years, is no sign that the device is
	 * there: its state or availability topics will say so */
	d->has |= ECO_DESCRIBE;
	return ECO_OK;
}

static int had_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	const char *base = prefix && prefix[0] ? prefix : "homeassistant";
	int n = 0;

	if (n < max)
		snprintf(filters[n++], ECO_FILTER_LEN, "%s/+/+/config", base);
	if (n < max)
		snprintf(filters[n++], ECO_FILTER_LEN, "%s/+/+/+/config", base);
	return n;
}

static int had_init(struct eco_ctx *ctx)
{
	ctx->priv = calloc(1, sizeof(struct had_priv));
	return ctx->priv ? 0 : -1;
}

static void had_fini(struct eco_ctx *ctx)
{
	struct had_priv *p = ctx->priv;

	if (p) {
		free(p->e);
		free(p);
	}
	ctx->priv = NULL;
}

const struct eco_ops homeassistant_ops = {
	.name = "homeassistant",
	.default_prefix = "homeassistant",
	.filters = had_filters,
	.parse = had_parse,
	.switch_cmd = NULL,
	.init = had_init,
	.fini = had_fini,
};
