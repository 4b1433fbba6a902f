/*
 * z2m.c — Zigbee2MQTT: Zigbee sensors, plugs and remotes behind a bridge.
 *
 * Under the base topic (default `zigbee2mqtt`): `<base>/<friendly name>`
 * is the device's state as one JSON object (temperature °C, humidity %,
 * pressure hPa, battery %, voltage mV on battery devices, linkquality,
 * power W, energy kWh, state ON/OFF, action/click for remotes,
 * last_seen); `<base>/<name>/availability` is {"state":"online"} or, in
 * 1.x legacy mode, plain online/offline; `<base>/bridge/state` is the
 * bridge's own availability; `<base>/<name>/set|get[/attr]` are commands
 * (ignored); `<base>/bridge/…` other than state are not devices.
 *
 * Friendly names may contain spaces, UTF-8 and '/'.  A JSON object on
 * `<base>/<rest>` is the state of the device named <rest> (whatever it
 * contains); plain text on `<base>/<name>/<attr>` is the `output:
 * attribute` mode, attribute <attr> of device <name>.  Names ending in
 * /availability, /set or /get cannot be told apart and are taken as those
 * topics.
 *
 * The bridge is reported as device "bridge" (kind other), online or not.
 * When it goes offline, the hub cannot know its children's state, so they
 * are left as they were; their own availability topics (when Z2M's
 * availability feature is on) say the rest.
 *
 * Buttons: a non-empty `action` (or legacy `click` when there is no
 * action) is a press; "" and null are Z2M clearing it.  A detector
 * (vibration, occupancy, contact, …) is a sensor even when it also
 * reports an action (an Aqara vibration sensor's "tilt").  In
 * attribute_and_json mode the JSON carries the press, so attribute-topic
 * presses count only for devices never seen sending JSON.  Voltage is in
 * mV on battery devices and V on mains plugs: discovery's unit decides
 * when known, else values above 1000 are taken as mV.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

#define Z2M_MAX_DEV	512

struct z2m_dev {
	struct eco_slot slot;		/* key: the friendly name */
	int json_seen;
	char relay[16];			/* the switched state key when not "state":
					 * "state_l1", "state_left" (multi-gang) */
};

struct z2m_priv {
	struct z2m_dev dev[Z2M_MAX_DEV];
	struct eco_cache cache;		/* FIFO */
};

static struct z2m_dev *z2m_find(struct z2m_priv *p, const char *name, int create)
{
	return p ? eco_cache_get(&p->cache, name, create) : NULL;
}

static const char *z2m_base(struct eco_ctx *ctx)
{
	return ctx->prefix[0] ? ctx->prefix : "zigbee2mqtt";
}

/* State keys with a plain canonical metric (no conversion). */
static const struct {
	const char *key, *metric;
	int kind;	/* 1 env (sensor), 2 metering (plug), 3 detector (sensor) */
} z2m_keys[] = {
	{ "temperature", "temperature_c", 1 }, { "local_temperature", "temperature_c", 1 },
	{ "humidity", "humidity_pct", 1 }, { "pressure", "pressure_hpa", 1 },
	{ "co2", "co2_ppm", 1 }, { "illuminance_lux", "illuminance_lx", 1 },
	{ "soil_moisture", "moisture_pct", 1 },
	{ "battery", "battery_pct", 0 }, { "linkquality", "linkquality", 0 },
	{ "power", "power_w", 2 }, { "current", "current_a", 2 },
	{ "energy", "energy_kwh", 2 }, { "device_temperature", "device_temperature_c", 0 },
	{ "pm25", "pm25_ugm3", 1 }, { "pm10", "pm10_ugm3", 1 }, { "voc", "voc_ppb", 1 },
	{ "power_factor", "power_factor", 0 }, { "ac_frequency", "frequency_hz", 0 },
	{ "occupancy", "occupancy", 3 }, { "contact", "contact", 3 },
	{ "water_leak", "water_leak", 3 }, { "smoke", "smoke", 3 },
	{ "vibration", "vibration", 3 }, { "presence", "presence", 3 },
	{ "battery_low", "battery_low", 0 }, { "tamper", "tamper", 0 },
	{ NULL, NULL, 0 }
};

/* ISO-8601 (with Z or ±hh:mm) or epoch milliseconds → Unix seconds. */
static int z2m_time(const cJSON *j, double *ts)
{
	struct tm tm;
	const char *s, *p;
	int y, mo, d, h, mi, n = 0;
	double sec, off = 0;

	if (cJSON_IsNumber(j)) {
		*ts = j->valuedouble > 1e12 ? j->valuedouble / 1000 : j->valuedouble;
		return *ts > 1e9 && isfinite(*ts) ? 0 : -1;
	}
	if (!cJSON_IsString(j) || !(s = j->valuestring))
		return -1;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	p = s + n;
	if (*p == '+' || *p == '-') {
		int oh, om;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return -1;
		off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
	} else if (*p != 'Z') {
		return -1;	/* no zone: local time, not trusted */
	}
	if (y < 2000 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || !(sec >= 0 && sec < 61))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	*ts = (double)timegm(&tm) + (sec - floor(sec)) + floor(sec) - off;
	return 0;
}

/* Volts from a Z2M voltage reading of device `topic`. */
static double z2m_volts(struct eco_ctx *ctx, const char *topic, double v)
{
	const struct hadisco_entity *h = hadisco_lookup(ctx, topic, "voltage");

	if (h && h->metric[0])
		return v * h->mul + h->add;
	return v > 1000 ? v / 1000 : v;
}

/* A press: non-empty string (retained ones are old news). */
static int z2m_press(struct eco_dev *d, const cJSON *j, int retained)
{
	char s[ECO_MAX];

	if (!cJSON_IsString(j) || eco_jstr(j, s, sizeof(s)) < 0 || !s[0])
		return 0;
	if (!retained) {
		snprintf(d->button, sizeof(d->button), "%s", s);
		d->has |= ECO_BUTTON;
	}
	return 1;
}

/* A multi-gang relay (TS0002, ZB-SW02, …) has no "state" but one per
 * endpoint: state_l1…state_l8 or state_left/center/right.  The first
 * one present is the device's switch; its key into relay (16 bytes). */
static const cJSON *z2m_gang(const cJSON *root, char *relay)
{
	static const char *const eps[] = { "l1", "left", "l2", "center", "right", "l3",
					   "l4", "l5", "l6", "l7", "l8", NULL };
	char key[16];

	for (int i = 0; eps[i]; i++) {
		const cJSON *j;

		snprintf(key, sizeof(key), "state_%s", eps[i]);
		j = cJSON_GetObjectItemCaseSensitive(root, key);
		if (cJSON_IsString(j) && eco_jbool(j) >= 0) {
			memcpy(relay, key, sizeof(key));
			return j;
		}
	}
	return NULL;
}

/* The device's JSON state object; z is what is known of it (may be NULL). */
static void z2m_state(struct eco_ctx *ctx, struct eco_dev *d, struct z2m_dev *z,
		      const char *topic, const cJSON *root, int retained)
{
	const cJSON *j;
	int env = 0, meter = 0, button = 0, sw = 0, detector = 0;
	double v;
	char relay[16] = "";

	for (int i = 0; z2m_keys[i].key; i++) {
		j = cJSON_GetObjectItemCaseSensitive(root, z2m_keys[i].key);
		if (!j)
			continue;
		if (cJSON_IsBool(j))
			v = cJSON_IsTrue(j);
		else if (eco_jnum(j, 0, &v) < 0)
			continue;
		eco_metric(d, z2m_keys[i].metric, v);
		env |= z2m_keys[i].kind == 1 || z2m_keys[i].kind == 3;
		meter |= z2m_keys[i].kind == 2;
		detector |= z2m_keys[i].kind == 3;
	}
	/* 2.x: illuminance in lx; 1.x: raw, with illuminance_lux beside it */
	if (!cJSON_GetObjectItemCaseSensitive(root, "illuminance_lux") &&
	    eco_jnum(cJSON_GetObjectItemCaseSensitive(root, "illuminance"), 0, &v) == 0) {
		eco_metric(d, "illuminance_lx", v);
		env = 1;
	}
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(root, "voltage"), 0, &v) == 0)
		eco_metric(d, "voltage_v", z2m_volts(ctx, topic, v));
	j = cJSON_GetObjectItemCaseSensitive(root, "state");
	if (!(cJSON_IsString(j) && eco_jbool(j) >= 0))
		j = z2m_gang(root, relay);
	if (z && (j || relay[0]))
		memcpy(z->relay, relay, sizeof(relay));
	if (j) {
		d->switch_on = eco_jbool(j);
		d->has |= ECO_SWITCH;
		sw = 1;
	}
	if (cJSON_GetObjectItemCaseSensitive(root, "action") ||
	    cJSON_GetObjectItemCaseSensitive(root, "click"))
		button = 1;
	if (!z2m_press(d, cJSON_GetObjectItemCaseSensitive(root, "action"), retained))
		z2m_press(d, cJSON_GetObjectItemCaseSensitive(root, "click"), retained);
	if (z2m_time(cJSON_GetObjectItemCaseSensitive(root, "last_seen"), &v) == 0) {
		d->ts = v;
		d->has |= ECO_TS;
	}
	/* a vibration sensor's action (vibration, tilt, drop) still makes
	 * it a sensor: a detector beats an action (a button's own
	 * temperature does not) */
	{
		const char *k = meter ? "plug" : detector ? "sensor" :
				button ? "button" : env ? "sensor" :
				sw && !cJSON_GetObjectItemCaseSensitive(root, "brightness") ?
				"plug" : NULL;

		if (k) {
			snprintf(d->kind, sizeof(d->kind), "%s", k);
			d->has |= ECO_KIND;
		}
	}
}

/* Availability: {"state":"online"} or plain online/offline. */
static int z2m_avail(const char *payload, size_t len)
{
	cJSON *root;
	int on;

	on = eco_bool(payload, len);
	if (on >= 0)
		return on;
	root = cJSON_ParseWithLength(payload, len);
	on = eco_jbool(cJSON_GetObjectItemCaseSensitive(root, "state"));
	cJSON_Delete(root);
	return on;
}

static int ends_with(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	return n > t && !memcmp(s + n - t, tail, t);
}

/*
 * Parse one message under the base topic.  Returns ECO_OK with the
 * device, ECO_IGNORED for bridge chatter, commands and other bases,
 * ECO_BAD for broken JSON.
 */
static int z2m_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		     size_t len, int retained, struct eco_out *out)
{
	const char *base = z2m_base(ctx), *rest, *slash;
	size_t bl = strlen(base), rl;
	char name[ECO_ID_MAX];
	struct eco_dev *d;
	struct z2m_dev *z;
	size_t i = 0;

	if (strncmp(topic, base, bl) || topic[bl] != '/' || !topic[bl + 1])
		return ECO_IGNORED;
	rest = topic + bl + 1;
	rl = strlen(rest);
	if (rl >= ECO_ID_MAX)
		return ECO_IGNORED;

	if (!strcmp(rest, "bridge/state")) {
		int on;

		if (!len) {
			if (!retained || !(d = eco_dev_add(out, "bridge")))
				return ECO_IGNORED;
			d->has |= ECO_FORGET;
			return ECO_OK;
		}
		on = z2m_avail(payload, len);
		if (on < 0) {
			snprintf(out->why, sizeof(out->why), "z2m bridge/state: unknown payload");
			return ECO_BAD;
		}
		d = eco_dev_add(out, "bridge");
		if (!d)
			return ECO_IGNORED;
		d->online = on;
		snprintf(d->name, sizeof(d->name), "Zigbee2MQTT bridge");
		snprintf(d->kind, sizeof(d->kind), "other");
		d->has |= ECO_ONLINE | ECO_NAME | ECO_KIND;
		return ECO_OK;
	}
	if (!strncmp(rest, "bridge/", 7) || !strcmp(rest, "bridge"))
		return ECO_IGNORED;
	/* commands: <name>/set, <name>/get, <name>/set/<attr>, <name>/get/<attr> */
	if (ends_with(rest, rl, "/set") || ends_with(rest, rl, "/get"))
		return ECO_IGNORED;
	slash = strrchr(rest, '/');
	if (slash && slash > rest + 4 &&
	    (!strncmp(slash - 4, "/set/", 5) || !strncmp(slash - 4, "/get/", 5)))
		return ECO_IGNORED;

	if (ends_with(rest, rl, "/availability")) {
		int on;

		eco_strlcpy(name, sizeof(name), rest, rl - 13);
		if (!len) {
			if (!retained || !(d = eco_dev_add(out, name)))
				return ECO_IGNORED;
			d->has |= ECO_FORGET;
			return ECO_OK;
		}
		on = z2m_avail(payload, len);
		if (on < 0) {
			snprintf(out->why, sizeof(out->why), "z2m availability: unknown payload");
			return ECO_BAD;
		}
		if (!(d = eco_dev_add(out, name)))
			return ECO_IGNORED;
		d->online = on;
		d->has |= ECO_ONLINE;
		return ECO_OK;
	}

	while (i < len && isspace((unsigned char)payload[i]))
		i++;
	if (i < len && payload[i] == '{') {
		cJSON *root = cJSON_ParseWithLength(payload, len);

		if (!cJSON_IsObject(root)) {
			cJSON_Delete(root);
			snprintf(out->why, sizeof(out->why), "z2m: bad or truncated JSON");
			return ECO_BAD;
		}
		eco_strlcpy(name, sizeof(name), rest, rl);
		if (!(d = eco_dev_add(out, name))) {
			cJSON_Delete(root);
			return ECO_IGNORED;
		}
		if ((z = z2m_find(ctx->priv, d->native, 1)))
			z->json_seen = 1;
		z2m_state(ctx, d, z, topic, root, retained);
		cJSON_Delete(root);
		return ECO_OK;
	}
	if (!len) {
		/* Z2M clears a removed device's retained state */
		if (!retained || slash)
			return ECO_IGNORED;
		if (!(d = eco_dev_add(out, rest)))
			return ECO_IGNORED;
		d->has |= ECO_FORGET;
		return ECO_OK;
	}
	/* output: attribute — <name>/<attr> plain text */
	if (!slash || !slash[1] || slash == rest)
		return ECO_IGNORED;
	{
		const char *attr = slash + 1;
		double v;

		eco_strlcpy(name, sizeof(name), rest, (size_t)(slash - rest));
		if (!(d = eco_dev_add(out, name)))
			return ECO_IGNORED;
		z = z2m_find(ctx->priv, name, 0);
		if (!strcmp(attr, "action") || !strcmp(attr, "click")) {
			char s[ECO_MAX];

			eco_strlcpy(s, sizeof(s), payload, len);
			if (s[0] && !retained && !(z && z->json_seen)) {
				snprintf(d->button, sizeof(d->button), "%s", s);
				d->has |= ECO_BUTTON;
			}
			return ECO_OK;
		}
		if (!strcmp(attr, "state")) {
			int on = eco_bool(payload, len);

			if (on >= 0) {
				d->switch_on = on;
				d->has |= ECO_SWITCH;
			}
			return ECO_OK;
		}
		if (!strcmp(attr, "voltage") && eco_num(payload, len, 0, &v) == 0) {
			char t[ECO_ID_MAX + 64];

			snprintf(t, sizeof(t), "%s/%s", base, name);
			eco_metric(d, "voltage_v", z2m_volts(ctx, t, v));
			return ECO_OK;
		}
		for (int k = 0; z2m_keys[k].key; k++)
			if (!strcmp(attr, z2m_keys[k].key)) {
				int b = eco_bool(payload, len);

				if (eco_num(payload, len, 0, &v) == 0)
					eco_metric(d, z2m_keys[k].metric, v);
				else if (b >= 0)
					eco_metric(d, z2m_keys[k].metric, b);
				return ECO_OK;
			}
		out->ndev--;
		return ECO_IGNORED;
	}
}

/* <base>/<name>/set {"state":"ON"} (or {"state_l1":"ON"} for the
 * first gang of a multi-gang relay). */
static int z2m_switch(struct eco_ctx *ctx, const char *native, int on,
		      char *topic, size_t tlen, char *payload, size_t plen)
{
	struct z2m_dev *z = z2m_find(ctx->priv, native, 0);
	int k;

	if (!native[0] || !strcmp(native, "bridge") || !strncmp(native, "bridge/", 7) ||
	    strchr(native, '+') || strchr(native, '#'))
		return -1;
	k = snprintf(topic, tlen, "%s/%s/set", z2m_base(ctx), native);
	if (k < 0 || (size_t)k >= tlen)
		return -1;
	snprintf(payload, plen, "{\"%s\":\"%s\"}", z && z->relay[0] ? z->relay : "state",
		 on ? "ON" : "OFF");
	return 0;
}

static int z2m_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	if (max < 1)
		return 0;
	snprintf(filters[0], ECO_FILTER_LEN, "%s/#", prefix && prefix[0] ? prefix : "zigbee2mqtt");
	return 1;
}

static int z2m_init(struct eco_ctx *ctx)
{
	struct z2m_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	eco_cache_init(&p->cache, p->dev, sizeof(p->dev[0]), Z2M_MAX_DEV, ECO_CACHE_FIFO);
	ctx->priv = p;
	return 0;
}

static void z2m_fini(struct eco_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

const struct eco_ops z2m_ops = {
	.name = "z2m",
	.default_prefix = "zigbee2mqtt",
	.filters = z2m_filters,
	.parse = z2m_parse,
	.switch_cmd = z2m_switch,
	.init = z2m_init,
	.fini = z2m_fini,
};
