/*
 * homie.c — devices that follow the Homie convention, v4 (and v3) and v5.
 *
 * Homie describes a device in retained plain-text topics under a base
 * topic (default "homie"):
 *
 *	v4	homie/<dev>/$state, $name, $nodes, …
 *		homie/<dev>/<node>/<prop>/$name|$unit|$datatype|$format|$settable|$retained
 *		homie/<dev>/<node>/<prop>			the value, plain text
 *	v5	homie/5/<dev>/$state, homie/5/<dev>/$description (one JSON document
 *		with nodes{properties{name,datatype,unit,format,settable,retained}})
 *		homie/5/<dev>/<node>/<prop>			the value
 *
 * A value means nothing without its property's attributes, which arrive
 * in other messages (in any order after a reconnect), so the attributes
 * are kept in this ecosystem's priv: bounded tables of devices and
 * properties, least recently used evicted.  A value becomes a canonical
 * metric by its unit (°C, °F, %, hPa, Pa, ppm, lx, W, kWh, V, A, …) and,
 * without a unit, by its name; a settable boolean is the device's switch;
 * an enum that looks like a button is a button press.  `$state` says
 * whether the device is online; an empty `$state` means it was removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

#define HOMIE_DEFAULT		"homie"
#define HOMIE_MAX_DEVS		64
#define HOMIE_MAX_PROPS		512
#define HOMIE_ID		48	/* node and property ids, bytes incl. NUL */

struct homie_devm {
	struct eco_slot slot;		/* key: the device id */
	int v5;
	char sw_node[HOMIE_ID], sw_prop[HOMIE_ID];	/* the switch, if any */
	int sw_sure;			/* 1: declared settable boolean; 0: guessed */
	int meter, env;			/* such values were seen (homie_kind) */
};

struct homie_prop {
	struct eco_slot slot;		/* key: "dev/node/prop"; used 0: free */
	int dev;			/* index in devs */
	char node[HOMIE_ID], prop[HOMIE_ID];
	char name[ECO_MAX];
	char unit[16];
	char datatype[12];
	char format[96];
	int settable, retained;		/* -1 unknown, 0, 1 */
};

struct homie_priv {
	struct homie_devm devs[HOMIE_MAX_DEVS];
	struct homie_prop props[HOMIE_MAX_PROPS];
	struct eco_cache dcache, pcache;	/* LRU both */
};

/* Units → canonical metric and the conversion (scale, then offset). */
static const struct {
	const char *unit, *metric;
	double scale, offset;
	const char *hint;		/* the name must contain this (NULL: any) */
} homie_units[] = {
	{ "°C", "temperature_c", 1, 0, NULL },
	{ "ºC", "temperature_c", 1, 0, NULL },
	{ "C", "temperature_c", 1, 0, NULL },
	{ "degC", "temperature_c", 1, 0, NULL },
	{ "K", "temperature_c", 1, -273.15, "temp" },
	{ "%", "humidity_pct", 1, 0, "humid" },
	{ "%", "battery_pct", 1, 0, "batt" },
	{ "%RH", "humidity_pct", 1, 0, NULL },
	{ "RH", "humidity_pct", 1, 0, NULL },
	{ "hPa", "pressure_hpa", 1, 0, NULL },
	{ "mbar", "pressure_hpa", 1, 0, NULL },
	{ "Pa", "pressure_hpa", 0.01, 0, NULL },
	{ "kPa", "pressure_hpa", 10, 0, NULL },
	{ "bar", "pressure_hpa", 1000, 0, NULL },
	{ "ppm", "co2_ppm", 1, 0, "co2" },
	{ "ppm", "co2_ppm", 1, 0, "carbon" },
	{ "lx", "illuminance_lx", 1, 0, NULL },
	{ "lux", "illuminance_lx", 1, 0, NULL },
	{ "W", "power_w", 1, 0, NULL },
	{ "kW", "power_w", 1000, 0, NULL },
	{ "kWh", "energy_kwh", 1, 0, NULL },
	{ "Wh", "energy_kwh", 0.001, 0, NULL },
	{ "V", "voltage_v", 1, 0, NULL },
	{ "mV", "voltage_v", 0.001, 0, NULL },
	{ "A", "current_a", 1, 0, NULL },
	{ "mA", "current_a", 0.001, 0, NULL },
	{ "dBm", "rssi_dbm", 1, 0, NULL },
};

/* Without a unit: names → metric in its canonical unit (assumed). */
static const struct {
	const char *hint, *metric;
} homie_names[] = {
	{ "temperature", "temperature_c" },
	{ "humidity", "humidity_pct" },
	{ "temp", "temperature_c" },
	{ "pressure", "pressure_hpa" },
	{ "co2", "co2_ppm" },
	{ "illuminance", "illuminance_lx" },
	{ "lux", "illuminance_lx" },
	{ "battery", "battery_pct" },
	{ "energy", "energy_kwh" },
	{ "voltage", "voltage_v" },
	{ "current", "current_a" },
	{ "power", "power_w" },
	{ "rssi", "rssi_dbm" },
};

/* Property ids that are a switch when nothing says otherwise. */
static const char *homie_switch_ids[] = {
	"power", "on", "switch", "relay", "state", "output", "onoff",
};

static const char *homie_prefix(const struct eco_ctx *ctx)
{
	return *ctx->prefix ? ctx->prefix : HOMIE_DEFAULT;
}

static int homie_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	if (max < 1)
		return 0;
	snprintf(filters[0], ECO_FILTER_LEN, "%s/#", *prefix ? prefix : HOMIE_DEFAULT);
	return 1;
}

static void homie_evicted(void *slot, void *arg);

static int homie_init(struct eco_ctx *ctx)
{
	struct homie_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	eco_cache_init(&p->dcache, p->devs, sizeof(p->devs[0]), HOMIE_MAX_DEVS, ECO_CACHE_LRU);
	p->dcache.evicted = homie_evicted;
	p->dcache.arg = p;
	eco_cache_init(&p->pcache, p->props, sizeof(p->props[0]), HOMIE_MAX_PROPS, ECO_CACHE_LRU);
	ctx->priv = p;
	return 0;
}

static void homie_fini(struct eco_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

/* A device slot is reused: forget every property remembered for it. */
static void homie_evicted(void *slot, void *arg)
{
	struct homie_priv *p = arg;
	int i = (int)((struct homie_devm *)slot - p->devs);

	for (int k = 0; k < HOMIE_MAX_PROPS; k++)
		if (p->props[k].slot.used && p->props[k].dev == i)
			memset(&p->props[k], 0, sizeof(p->props[k]));
}

/* Device slot i is gone ($state emptied): free it and its properties. */
static void homie_drop(struct homie_priv *p, int i)
{
	homie_evicted(&p->devs[i], p);
	memset(&p->devs[i], 0, sizeof(p->devs[i]));
}

/*
 * The slot of device `id`, or -1.  With create, an unknown device gets a
 * slot (evicting the least recently used device and its properties).
 */
static int homie_dev(struct homie_priv *p, const char *id, int create)
{
	struct homie_devm *dm = p ? eco_cache_get(&p->dcache, id, create) : NULL;

	return dm ? (int)(dm - p->devs) : -1;
}

/*
 * The remembered attributes of property node/prop of device slot dev, or
 * NULL.  With create, an unknown one gets a slot (least recently used
 * evicted) with every attribute unknown.
 */
static struct homie_prop *homie_prop(struct homie_priv *p, int dev, const char *node,
				     const char *prop, int create)
{
	struct homie_prop *q;
	char key[ECO_ID_MAX];

	if (!p || dev < 0 || strlen(node) >= HOMIE_ID || strlen(prop) >= HOMIE_ID)
		return NULL;
	snprintf(key, sizeof(key), "%d/%s/%s", dev, node, prop);
	if ((q = eco_cache_get(&p->pcache, key, 0)) || !create)
		return q;
	if ((q = eco_cache_get(&p->pcache, key, 1))) {
		q->dev = dev;
		strcpy(q->node, node);
		strcpy(q->prop, prop);
		q->settable = q->retained = -1;
	}
	return q;
}

/* Does any of the property's names contain s (case-insensitive)? */
static int homie_named(const struct homie_prop *q, const char *node, const char *prop,
		       const char *s)
{
	return strcasestr(prop, s) || strcasestr(node, s) || (q && strcasestr(q->name, s));
}

static int homie_is_switch_id(const char *prop)
{
	for (size_t i = 0; i < sizeof(homie_switch_ids) / sizeof(homie_switch_ids[0]); i++)
		if (!strcasecmp(prop, homie_switch_ids[i]))
			return 1;
	return 0;
}

/* Remember q as its device's switch when it is a settable boolean. */
static void homie_note_switch(struct homie_priv *p, struct homie_prop *q)
{
	struct homie_devm *dm = &p->devs[q->dev];

	if (q->settable != 1 || strcmp(q->datatype, "boolean") || dm->sw_sure)
		return;
	strcpy(dm->sw_node, q->node);
	strcpy(dm->sw_prop, q->prop);
	dm->sw_sure = 1;
}

/* Is property node/prop (attributes q, may be NULL) a button? */
static int homie_is_button(const struct homie_prop *q, const char *node, const char *prop)
{
	if (q && q->datatype[0] && strcmp(q->datatype, "enum") && strcmp(q->datatype, "string"))
		return 0;
	if (homie_named(q, node, prop, "button") || homie_named(q, node, prop, "btn"))
		return 1;
	return q && !strcmp(q->datatype, "enum") &&
	       (strcasestr(q->format, "press") || strcasestr(q->format, "click"));
}

/*
 * The canonical metric of node/prop (attributes q, may be NULL) and the
 * conversion to it (value * *scale + *offset), or NULL when the property
 * has no canonical meaning.
 */
static const char *homie_metric_name(const struct homie_prop *q, const char *node,
				     const char *prop, double *scale, double *offset)
{
	const char *unit = q ? q->unit : "";
	size_t i;

	*scale = 1;
	*offset = 0;
	while (*unit == ' ')
		unit++;
	if (*unit) {
		if (!strcmp(unit, "°F") || !strcmp(unit, "ºF") || !strcmp(unit, "F")) {
			*scale = 5.0 / 9.0;
			*offset = -32.0 * 5.0 / 9.0;
			return "temperature_c";
		}
		for (i = 0; i < sizeof(homie_units) / sizeof(homie_units[0]); i++) {
			if (strcmp(unit, homie_units[i].unit))
				continue;
			if (homie_units[i].hint &&
			    !homie_named(q, node, prop, homie_units[i].hint))
				continue;
			*scale = homie_units[i].scale;
			*offset = homie_units[i].offset;
			return homie_units[i].metric;
		}
		return NULL;	/* a unit we do not know: do not guess */
	}
	for (i = 0; i < sizeof(homie_names) / sizeof(homie_names[0]); i++)
		if (homie_named(q, node, prop, homie_names[i].hint))
			return homie_names[i].metric;
	return NULL;
}

/* What a metric says about its device: 2 metering, 1 environment, 0 neither. */
static int homie_metric_class(const char *m)
{
	static const char *meter[] = { "power_w", "energy_kwh", "current_a" };
	static const char *env[] = { "temperature_c", "humidity_pct", "pressure_hpa",
				     "co2_ppm", "illuminance_lx" };

	for (size_t i = 0; m && i < sizeof(meter) / sizeof(meter[0]); i++)
		if (!strcmp(m, meter[i]))
			return 2;
	for (size_t i = 0; m && i < sizeof(env) / sizeof(env[0]); i++)
		if (!strcmp(m, env[i]))
			return 1;
	return 0;
}

/*
 * Map numeric value v of node/prop (attributes q, may be NULL) to a
 * canonical metric in d.  Returns its class (homie_metric_class) + 1
 * when it did, 0 when the value has no canonical meaning.
 */
static int homie_metric(struct eco_dev *d, const struct homie_prop *q,
			const char *node, const char *prop, double v)
{
	double scale, offset;
	const char *m = homie_metric_name(q, node, prop, &scale, &offset);

	if (!m)
		return 0;
	if (!strcmp(m, "temperature_c") && scale != 1)
		eco_metric(d, m, eco_f_to_c(v));	/* exactly, for °F */
	else
		eco_metric(d, m, v * scale + offset);
	return homie_metric_class(m) + 1;
}

/*
 * The kind the hub should show for device slot dev: metering makes a
 * plug, a button property a button, an environmental reading a sensor
 * (even with a settable fan or LED beside it), a switch alone a plug.
 * Numeric properties count by their attributes and by the values seen.
 */
static const char *homie_kind(struct homie_priv *p, int dev)
{
	int button = 0, meter, env;

	if (dev < 0)
		return "sensor";
	meter = p->devs[dev].meter;
	env = p->devs[dev].env;
	for (int i = 0; i < HOMIE_MAX_PROPS; i++) {
		const struct homie_prop *q = &p->props[i];
		double sc, off;
		int c;

		if (!q->slot.used || q->dev != dev)
			continue;
		if (homie_is_button(q, q->node, q->prop))
			button = 1;
		if (q->datatype[0] && strcmp(q->datatype, "float") &&
		    strcmp(q->datatype, "integer"))
			continue;
		c = homie_metric_class(homie_metric_name(q, q->node, q->prop, &sc, &off));
		meter |= c == 2;
		env |= c == 1;
	}
	if (meter)
		return "plug";
	if (button)
		return "button";
	if (env)
		return "sensor";
	return p->devs[dev].sw_node[0] ? "plug" : "sensor";
}

/*
 * A property value.  Returns ECO_OK with d filled (metric, switch or
 * button), or ECO_IGNORED when the value has no meaning for the hub.
 */
static int homie_value(struct homie_priv *p, int dev, struct eco_dev *d,
		       const char *node, const char *prop, const char *payload,
		       size_t len, int retained)
{
	struct homie_prop *q = homie_prop(p, dev, node, prop, 0);
	const char *dt = q ? q->datatype : "";
	double v;
	int b;

	if (!len)
		return ECO_IGNORED;
	if (!strcmp(dt, "boolean") || (!dt[0] && eco_bool(payload, len) >= 0 &&
					eco_num(payload, len, 0, &v))) {
		struct homie_devm *dm = dev >= 0 ? &p->devs[dev] : NULL;

		b = eco_bool(payload, len);
		if (b < 0)
			return ECO_IGNORED;
		if (dm && !dm->sw_node[0] &&
		    ((q && q->settable == 1) || ((!q || q->settable < 0) && homie_is_switch_id(prop)))) {
			/* the first switch-like property becomes the switch */
			strcpy(dm->sw_node, node);
			strcpy(dm->sw_prop, prop);
			dm->sw_sure = q && q->settable == 1 && !strcmp(dt, "boolean");
		}
		if (dm ? strcmp(dm->sw_node, node) || strcmp(dm->sw_prop, prop)
		       : !homie_is_switch_id(prop))
			return ECO_IGNORED;	/* a read-only boolean: motion, contact… */
		d->switch_on = b;
		d->has |= ECO_SWITCH;
		return ECO_OK;
	}
	if (!eco_num(payload, len, 0, &v)) {
		int c = homie_metric(d, q, node, prop, v);

		if (c && dev >= 0) {
			p->devs[dev].meter |= c == 3;
			p->devs[dev].env |= c == 2;
		}
		return c ? ECO_OK : ECO_IGNORED;
	}
	if (homie_is_button(q, node, prop)) {
		if (retained)
			return ECO_IGNORED;	/* an old press replayed on subscribe */
		eco_strlcpy(d->button, sizeof(d->button), payload, len);
		d->has |= ECO_BUTTON;
		return ECO_OK;
	}
	return ECO_IGNORED;
}

/* A v4 property attribute (node/prop/$attr): remember it.  ECO_IGNORED. */
static int homie_attr(struct homie_priv *p, int dev, const char *node, const char *prop,
		      const char *attr, const char *payload, size_t len)
{
	struct homie_prop *q = homie_prop(p, dev, node, prop, 1);

	if (!q)
		return ECO_IGNORED;
	if (!strcmp(attr, "$name"))
		eco_strlcpy(q->name, sizeof(q->name), payload, len);
	else if (!strcmp(attr, "$unit"))
		eco_strlcpy(q->unit, sizeof(q->unit), payload, len);
	else if (!strcmp(attr, "$datatype"))
		eco_strlcpy(q->datatype, sizeof(q->datatype), payload, len);
	else if (!strcmp(attr, "$format"))
		eco_strlcpy(q->format, sizeof(q->format), payload, len);
	else if (!strcmp(attr, "$settable"))
		q->settable = eco_bool(payload, len);
	else if (!strcmp(attr, "$retained"))
		q->retained = eco_bool(payload, len);
	homie_note_switch(p, q);
	return ECO_IGNORED;
}

/* Copy JSON string member key of obj into dst (dst untouched otherwise). */
static void homie_jcopy(const cJSON *obj, const char *key, char *dst, size_t len)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsString(j) && j->valuestring)
		eco_strlcpy(dst, len, j->valuestring, strlen(j->valuestring));
}

/*
 * v5 $description: the whole device in one JSON document.  Replaces what
 * was remembered of the device; returns ECO_OK with its name and kind,
 * or ECO_BAD when the document is not a JSON object.
 */
static int homie_description(struct homie_priv *p, int dev, struct eco_dev *d,
			     const char *payload, size_t len, char *why, size_t whylen)
{
	cJSON *root = cJSON_ParseWithLength(payload, len);
	const cJSON *nodes, *node, *props, *pr;

	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(why, whylen, "homie: $description is not a JSON object");
		return ECO_BAD;
	}
	if (dev >= 0) {		/* forget the old description's properties */
		for (int k = 0; k < HOMIE_MAX_PROPS; k++)
			if (p->props[k].slot.used && p->props[k].dev == dev)
				memset(&p->props[k], 0, sizeof(p->props[k]));
		p->devs[dev].sw_node[0] = p->devs[dev].sw_prop[0] = '\0';
		p->devs[dev].sw_sure = 0;
		p->devs[dev].meter = p->devs[dev].env = 0;
	}
	homie_jcopy(root, "name", d->name, sizeof(d->name));
	if (d->name[0])
		d->has |= ECO_NAME;
	nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
	if (!cJSON_IsObject(nodes))
		nodes = NULL;
	cJSON_ArrayForEach(node, nodes) {
		props = cJSON_GetObjectItemCaseSensitive(node, "properties");
		if (!node->string || !cJSON_IsObject(props))
			continue;
		cJSON_ArrayForEach(pr, props) {
			struct homie_prop *q;
			int b;

			if (!pr->string || !cJSON_IsObject(pr))
				continue;
			q = homie_prop(p, dev, node->string, pr->string, 1);
			if (!q)
				continue;
			homie_jcopy(pr, "name", q->name, sizeof(q->name));
			homie_jcopy(pr, "unit", q->unit, sizeof(q->unit));
			homie_jcopy(pr, "datatype", q->datatype, sizeof(q->datatype));
			homie_jcopy(pr, "format", q->format, sizeof(q->format));
			b = eco_jbool(cJSON_GetObjectItemCaseSensitive(pr, "settable"));
			q->settable = b < 0 ? 0 : b;	/* v5 defaults */
			b = eco_jbool(cJSON_GetObjectItemCaseSensitive(pr, "retained"));
			q->retained = b < 0 ? 1 : b;
			homie_note_switch(p, q);
		}
	}
	cJSON_Delete(root);
	if (dev >= 0) {
		strcpy(d->kind, homie_kind(p, dev));
		d->has |= ECO_KIND;
	}
	return d->has ? ECO_OK : ECO_IGNORED;
}

/* $state words → online (1/0); -1 for anything else. */
static int homie_state(const char *s, size_t len)
{
	static const struct {
		const char *word;
		int online;
	} states[] = {
		{ "ready", 1 }, { "init", 1 }, { "alert", 1 },
		{ "disconnected", 0 }, { "sleeping", 0 }, { "lost", 0 },
	};

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strlen(states[i].word) == len && !memcmp(s, states[i].word, len))
			return states[i].online;
	return -1;
}

/*
 * Parse one message under the Homie base topic.  Returns ECO_OK with the
 * device (online, name, metric, switch, button, or ECO_FORGET), ECO_IGNORED
 * for attributes (remembered) and topics without meaning, ECO_BAD for a
 * malformed $state or $description.
 */
static int homie_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		       size_t len, int retained, struct eco_out *out)
{
	struct homie_priv *p = ctx->priv;
	const char *prefix = homie_prefix(ctx);
	size_t plen = strlen(prefix);
	char buf[512], *seg[8];
	const char *id, **rest;
	struct eco_dev *d;
	int n, nrest, v5 = 0, dev, rc = ECO_IGNORED, ndev = out->ndev;

	if (strncmp(topic, prefix, plen) || topic[plen] != '/')
		return ECO_IGNORED;
	n = eco_split(topic + plen + 1, buf, sizeof(buf), seg, 6);
	if (n < 2 || n > 5)
		return ECO_IGNORED;	/* too deep, too long, or just the device */
	if (n >= 3 && !strcmp(seg[0], "5") && seg[1][0] != '$') {
		v5 = 1;
		id = seg[1];
		rest = (const char **)seg + 2;
		nrest = n - 2;
	} else {
		id = seg[0];
		rest = (const char **)seg + 1;
		nrest = n - 1;
	}
	if (!id[0] || id[0] == '$' || strpbrk(id, "+#"))
		return ECO_IGNORED;	/* $broadcast and the like */
	for (int i = 0; i < nrest; i++)
		if (!rest[i][0])
			return ECO_IGNORED;

	if (nrest == 1 && !strcmp(rest[0], "$state")) {
		int on;

		if (!len) {	/* zero-length $state: the device was removed */
			dev = homie_dev(p, id, 0);
			if (dev >= 0)
				homie_drop(p, dev);
			d = eco_dev_add(out, id);
			if (!d)
				return ECO_IGNORED;
			d->has |= ECO_FORGET;
			return ECO_OK;
		}
		on = homie_state(payload, len);
		if (on < 0) {
			snprintf(out->why, sizeof(out->why), "homie: unknown $state");
			return ECO_BAD;
		}
		dev = homie_dev(p, id, 1);
		if (dev >= 0)
			p->devs[dev].v5 = v5;
		d = eco_dev_add(out, id);
		if (!d)
			return ECO_IGNORED;
		d->online = on;
		d->has |= ECO_ONLINE;
		return ECO_OK;
	}
	if (!len)
		return ECO_IGNORED;	/* other retained topics being cleared */
	if (nrest == 1 && !strcmp(rest[0], "$name")) {
		d = eco_dev_add(out, id);
		if (!d)
			return ECO_IGNORED;
		eco_strlcpy(d->name, sizeof(d->name), payload, len);
		d->has |= ECO_NAME;
		return ECO_OK;
	}
	if (nrest == 1 && !strcmp(rest[0], "$online")) {	/* Homie 2 */
		int on = eco_bool(payload, len);

		if (on < 0 || !(d = eco_dev_add(out, id)))
			return ECO_IGNORED;
		d->online = on;
		d->has |= ECO_ONLINE;
		return ECO_OK;
	}
	if (nrest == 2 && !strcmp(rest[0], "$fw") && !strcmp(rest[1], "version")) {	/* Homie 3 */
		if (!(d = eco_dev_add(out, id)))
			return ECO_IGNORED;
		eco_strlcpy(d->firmware, sizeof(d->firmware), payload, len);
		d->has |= ECO_FIRMWARE;
		return ECO_OK;
	}
	if (nrest == 1 && v5 && !strcmp(rest[0], "$description")) {
		dev = homie_dev(p, id, 1);
		if (dev >= 0)
			p->devs[dev].v5 = 1;
		if (!(d = eco_dev_add(out, id)))
			return ECO_IGNORED;
		rc = homie_description(p, dev, d, payload, len, out->why, sizeof(out->why));
		if (rc != ECO_OK)
			out->ndev = ndev;
		return rc;
	}
	if (rest[0][0] == '$')
		return ECO_IGNORED;	/* $homie, $nodes, $log/…, $alert/…, $stats/… */
	if (nrest == 3 && rest[2][0] == '$') {	/* v4 property attribute */
		if (v5 || rest[1][0] == '$')
			return ECO_IGNORED;	/* v5 $target */
		dev = homie_dev(p, id, 1);
		if (dev >= 0)
			p->devs[dev].v5 = 0;
		return homie_attr(p, dev, rest[0], rest[1], rest[2], payload, len);
	}
	if (nrest != 2 || rest[1][0] == '$')
		return ECO_IGNORED;	/* …/set, node attributes */

	dev = homie_dev(p, id, 1);
	if (dev >= 0)
		p->devs[dev].v5 = v5;
	if (!(d = eco_dev_add(out, id)))
		return ECO_IGNORED;
	rc = homie_value(p, dev, d, rest[0], rest[1], payload, len, retained);
	if (rc != ECO_OK) {
		out->ndev = ndev;
		return rc;
	}
	if (p && dev >= 0) {
		strcpy(d->kind, homie_kind(p, dev));
		d->has |= ECO_KIND;
	}
	return ECO_OK;
}

/*
 * The command that switches device `native`: its switch property's
 * `…/set` topic with "true"/"false".  Returns 0, or -1 when the device
 * has no known switch or the buffers are too small.
 */
static int homie_switch_cmd(struct eco_ctx *ctx, const char *native, int on,
			    char *topic, size_t tlen, char *payload, size_t plen)
{
	struct homie_priv *p = ctx->priv;
	int dev = homie_dev(p, native, 0), n;

	if (dev < 0 || !p->devs[dev].sw_node[0])
		return -1;
	n = snprintf(topic, tlen, "%s/%s%s/%s/%s/set", homie_prefix(ctx),
		     p->devs[dev].v5 ? "5/" : "", native,
		     p->devs[dev].sw_node, p->devs[dev].sw_prop);
	if (n < 0 || (size_t)n >= tlen)
		return -1;
	n = snprintf(payload, plen, "%s", on ? "true" : "false");
	if (n < 0 || (size_t)n >= plen)
		return -1;
	return 0;
}

const struct eco_ops homie_ops = {
	.name = "homie",
	.default_prefix = HOMIE_DEFAULT,
	.filters = homie_filters,
	.parse = homie_parse,
	.switch_cmd = homie_switch_cmd,
	.init = homie_init,
	.fini = homie_fini,
};
