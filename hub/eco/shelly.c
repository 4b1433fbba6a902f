/*
 * shelly.c — Shelly relays and plugs, Gen2/Gen3 (JSON-RPC) and Gen1.
 *
 * Gen2/Gen3 publish under a topic prefix (default the device id, e.g.
 * `shellyplusplugs-80646fd031f8`; often customised, e.g.
 * `shellies/plus1pm`): `<prefix>/online` (true/false, retained; false is
 * the last will), `<prefix>/status/<component:id>` (a component's full
 * status), `<prefix>/status` (every component), and `<prefix>/events/rpc`
 * (NotifyStatus deltas, NotifyFullStatus, NotifyEvent button pushes).
 * switch:N carries output, apower W, voltage V, current A, aenergy.total
 * Wh (converted to kWh) and temperature.tC (tF is ignored).
 *
 * Gen1 publishes under `shellies/<id>/`: relay/N (on/off), relay/N/power
 * W, relay/N/energy watt-minutes, emeter/N/{power,total,…}, sensor/<x> (H&T),
 * input/N (0/1, the switch input's level), input_event/N
 * ({"event":"S"|"SS"|"L",…}, the press), longpush/N (0/1: how the last
 * press was, no event of its own), announce, temperature, overtemperature
 * (0/1), and the add-on's ext_temperature/N and ext_humidity/N.
 *
 * The native id is the prefix.  The `+/status` filter is shared with
 * ESPHome (`<node>/status` online/offline) and `+/+/status` with
 * Moonraker: a status topic is ours only when its payload is a JSON
 * object of Shelly components.  NotifyStatus `ts` is used only once the
 * clock is set (> 1e9).  A configured prefix narrows the subscriptions
 * to `<prefix>/+/…`.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

#define SH_MAX_DEV	256

struct sh_dev {
	struct eco_slot slot;		/* key: the device's topic prefix */
	int gen1;
	int ext_temp;		/* Gen1: an add-on probe gives the temperature */
	int plug;		/* a switch, cover or meter was seen */
	int relay;		/* a switch or cover was seen */
};

struct sh_priv {
	struct sh_dev dev[SH_MAX_DEV];
	struct eco_cache cache;		/* FIFO */
};

static struct sh_dev *sh_find(struct sh_priv *p, const char *prefix, int create)
{
	return p ? eco_cache_get(&p->cache, prefix, create) : NULL;
}

/* Component keys: sys, wifi, … or type:N (switch:0, input:1, em1:0). */
static int sh_component(const char *k, char *type, size_t tlen, int *id)
{
	static const char *plain[] = { "sys", "wifi", "eth", "ble", "cloud", "mqtt",
		"ws", "plugs_ui", "ui", "ht_ui", "matter", "knx", "modbus", "bthome",
		"zigbee", "wd", NULL };
	const char *c = strchr(k, ':');

	if (c) {
		size_t n = (size_t)(c - k);
		char *end;
		long v;

		if (!n || n >= tlen || !isdigit((unsigned char)c[1]))
			return 0;
		for (size_t i = 0; i < n; i++)
			if (!islower((unsigned char)k[i]) && !isdigit((unsigned char)k[i]) && k[i] != '_')
				return 0;
		v = strtol(c + 1, &end, 10);
		if (*end || v < 0 || v > 1000)
			return 0;
		memcpy(type, k, n);
		type[n] = '\0';
		*id = (int)v;
		return 1;
	}
	for (int i = 0; plain[i]; i++)
		if (!strcmp(k, plain[i])) {
			snprintf(type, tlen, "%s", k);
			*id = -1;
			return 1;
		}
	return 0;
}

struct sh_walk {
	struct eco_dev *d;
	int plug, sensor, inputs, others;
	int meter;		/* an energy meter (em, em1, pm1): a relay only if one shows */
	int have_temp_comp;	/* a temperature:N gives the real temperature */
	int known_plug;		/* the device showed a relay or meter before */
	int known_relay;	/* the device showed a relay before */
};

/* Metric name for component instance id: `name` for id 0, else name_<id>. */
static void sh_metric(struct eco_dev *d, const char *name, int id, double v)
{
	char full[32];

	if (id <= 0) {
		eco_metric(d, name, v);
		return;
	}
	snprintf(full, sizeof(full), "%s_%d", name, id);
	eco_metric(d, full, v);
}

static int sh_num(const cJSON *o, const char *k, double *v)
{
	return eco_jnum(cJSON_GetObjectItemCaseSensitive(o, k), 0, v);
}

/* Read one component's status object (full or delta). */
static void sh_comp(struct sh_walk *w, const char *type, int id, const cJSON *c)
{
	struct eco_dev *d = w->d;
	const cJSON *j;
	double v;

	if (!cJSON_IsObject(c))
		return;
	if (!strcmp(type, "switch") || !strcmp(type, "light") || !strcmp(type, "pm1") ||
	    !strcmp(type, "cover") || !strcmp(type, "em1") || !strcmp(type, "em")) {
		int on = eco_jbool(cJSON_GetObjectItemCaseSensitive(c, "output"));

		if (on >= 0 && id == 0 && (!strcmp(type, "switch") ||
					   !(d->has & ECO_SWITCH))) {
			d->switch_on = on;
			d->has |= ECO_SWITCH;
		}
		if (!strcmp(type, "light"))
			w->others = 1;
		else if (!strcmp(type, "em") || !strcmp(type, "em1") || !strcmp(type, "pm1"))
			w->meter = 1;
		else
			w->plug = 1;
		if (sh_num(c, "apower", &v) == 0 || sh_num(c, "act_power", &v) == 0 ||
		    sh_num(c, "total_act_power", &v) == 0)
			sh_metric(d, "power_w", id, v);
		if (sh_num(c, "voltage", &v) == 0 || sh_num(c, "a_voltage", &v) == 0)
			sh_metric(d, "voltage_v", id, v);
		if (sh_num(c, "current", &v) == 0 || sh_num(c, "total_current", &v) == 0)
			sh_metric(d, "current_a", id, v);
		if (sh_num(c, "freq", &v) == 0 || sh_num(c, "a_freq", &v) == 0)
			sh_metric(d, "frequency_hz", id, v);
		if (sh_num(c, "pf", &v) == 0)
			sh_metric(d, "power_factor", id, v);
		j = cJSON_GetObjectItemCaseSensitive(c, "aenergy");
		if (sh_num(j, "total", &v) == 0)
			sh_metric(d, "energy_kwh", id, v / 1000.0);
		j = cJSON_GetObjectItemCaseSensitive(c, "ret_aenergy");
		if (sh_num(j, "total", &v) == 0)
			sh_metric(d, "returned_energy_kwh", id, v / 1000.0);
		j = cJSON_GetObjectItemCaseSensitive(c, "temperature");
		if (!w->have_temp_comp && sh_num(j, "tC", &v) == 0)
			sh_metric(d, "temperature_c", id, v);
	} else if (!strcmp(type, "emdata") || !strcmp(type, "em1data")) {
		if (sh_num(c, "total_act", &v) == 0 || sh_num(c, "total_act_energy", &v) == 0)
			sh_metric(d, "energy_kwh", id, v / 1000.0);
		if (sh_num(c, "total_act_ret", &v) == 0 || sh_num(c, "total_act_ret_energy", &v) == 0)
			sh_metric(d, "returned_energy_kwh", id, v / 1000.0);
		w->meter = 1;
	} else if (!strcmp(type, "temperature")) {
		if (sh_num(c, "tC", &v) == 0)
			sh_metric(d, "temperature_c", id >= 100 ? id - 100 : id, v);
		w->sensor = 1;
	} else if (!strcmp(type, "humidity")) {
		if (sh_num(c, "rh", &v) == 0)
			sh_metric(d, "humidity_pct", id >= 100 ? id - 100 : id, v);
		w->sensor = 1;
	} else if (!strcmp(type, "illuminance")) {
		if (sh_num(c, "lux", &v) == 0)
			sh_metric(d, "illuminance_lx", id, v);
		w->sensor = 1;
	} else if (!strcmp(type, "devicepower")) {
		j = cJSON_GetObjectItemCaseSensitive(c, "battery");
		if (sh_num(j, "percent", &v) == 0)
			eco_metric(d, "battery_pct", v);
		w->sensor = 1;	/* battery devices: H&T, Smoke, … */
	} else if (!strcmp(type, "wifi")) {
		if (sh_num(c, "rssi", &v) == 0)
			eco_metric(d, "rssi_dbm", v);
	} else if (!strcmp(type, "sys")) {
		if (sh_num(c, "uptime", &v) == 0)
			eco_metric(d, "uptime_s", v);
	} else if (!strcmp(type, "input")) {
		w->inputs = 1;
	}
}

/* Every component of a status object (full status or params). */
static void sh_comps(struct sh_walk *w, const cJSON *obj)
{
	const cJSON *c;
	char type[24];
	int id;

	cJSON_ArrayForEach(c, obj)
		if (c->string && sh_component(c->string, type, sizeof(type), &id) &&
		    !strcmp(type, "temperature"))
			w->have_temp_comp = 1;
	cJSON_ArrayForEach(c, obj)
		if (c->string && sh_component(c->string, type, sizeof(type), &id))
			sh_comp(w, type, id, c);
}

/*
 * Kind from what a status shows.  A full status shows every component; a
 * single component or a delta shows one part: a temperature, humidity or
 * battery reading alone makes a sensor (a Plus H&T publishes nothing
 * else) unless the device showed a relay or meter before (a Pro with an
 * add-on probe).  An energy meter without a relay (Pro 3EM, EM Gen3,
 * PM Mini) is a sensor too: it cannot be switched.
 */
static void sh_kind(struct sh_walk *w, int full)
{
	const char *k = NULL;

	if (w->plug)
		k = "plug";
	else if (w->meter)
		k = w->known_relay ? NULL : "sensor";
	else if (w->sensor && (full || !w->known_plug))
		k = "sensor";
	else if (full && w->inputs && !w->others)
		k = "button";
	if (k) {
		snprintf(w->d->kind, sizeof(w->d->kind), "%s", k);
		w->d->has |= ECO_KIND;
	}
}

/* The model from an RPC `src` such as shellyplus1pm-4417939341dc. */
static void sh_model(struct eco_dev *d, const cJSON *src)
{
	char s[ECO_MAX], *dash;

	if (eco_jstr(src, s, sizeof(s)) < 0 || strncmp(s, "shelly", 6))
		return;
	dash = strrchr(s, '-');
	if (dash && dash != s)
		*dash = '\0';
	eco_strlcpy(d->model, sizeof(d->model), s, strlen(s));
	d->has |= ECO_MODEL;
}

/* Gen2 `<prefix>/events/rpc`: NotifyStatus, NotifyFullStatus, NotifyEvent. */
static int sh_rpc(struct sh_walk *w, const cJSON *root, int retained)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
	struct eco_dev *d = w->d;
	char method[32];
	double ts;

	if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "method"), method,
		     sizeof(method)) < 0 || !cJSON_IsObject(params))
		return ECO_IGNORED;
	if (sh_num(params, "ts", &ts) == 0 && ts > 1e9) {
		d->ts = ts;
		d->has |= ECO_TS;
	}
	sh_model(d, cJSON_GetObjectItemCaseSensitive(root, "src"));
	if (!strcmp(method, "NotifyStatus") || !strcmp(method, "NotifyFullStatus")) {
		sh_comps(w, params);
		sh_kind(w, !strcmp(method, "NotifyFullStatus"));
		return ECO_OK;
	}
	if (!strcmp(method, "NotifyEvent")) {
		const cJSON *e, *ev = cJSON_GetObjectItemCaseSensitive(params, "events");

		cJSON_ArrayForEach(e, ev) {
			char comp[32], what[32];

			if (eco_jstr(cJSON_GetObjectItemCaseSensitive(e, "component"),
				     comp, sizeof(comp)) < 0 ||
			    eco_jstr(cJSON_GetObjectItemCaseSensitive(e, "event"),
				     what, sizeof(what)) < 0)
				continue;
			if (strncmp(comp, "input:", 6) || !strstr(what, "_push"))
				continue;	/* btn_down/up, config_changed, … */
			if (!retained) {
				snprintf(d->button, sizeof(d->button), "%s %s", comp, what);
				d->has |= ECO_BUTTON;
			}
			break;
		}
		return ECO_OK;
	}
	return ECO_IGNORED;
}

/* Gen1 input_event letters → Gen2 event names. */
static const char *sh_gen1_event(const char *e)
{
	static const struct {
		const char *code, *name;
	} map[] = { { "S", "single_push" }, { "SS", "double_push" },
		    { "SSS", "triple_push" }, { "L", "long_push" },
		    { "SL", "short_long_push" }, { "LS", "long_short_push" } };

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(e, map[i].code))
			return map[i].name;
	return NULL;
}

/* Gen1 plain-text topics under shellies/<id>/.  seg[0..n-1] are what
 * follows the prefix; sd is what is known of the device (may be NULL). */
static int sh_gen1(struct eco_dev *d, struct sh_dev *sd, char **seg, int n,
		   const char *payload, size_t len, int retained, struct eco_out *out)
{
	double v;
	int id = 0;

	if (n >= 2)
		id = atoi(seg[1]);
	if (!strcmp(seg[0], "roller") && n == 2)	/* a cover: open, close, stop */
		return len ? ECO_OK : ECO_IGNORED;
	if ((!strcmp(seg[0], "roller") && n == 3) ||
	    (!strcmp(seg[0], "relay") && n == 2 && !isdigit((unsigned char)seg[1][0]))) {
		/* roller/N/power|energy, and the Shelly 2's relay/power in
		 * roller mode: metering, no relay to switch */
		const char *what = seg[n - 1];

		if (eco_num(payload, len, 0, &v) < 0)
			return ECO_IGNORED;
		if (!strcmp(what, "power"))
			sh_metric(d, "power_w", id, v);
		else if (!strcmp(what, "energy"))	/* watt-minutes */
			sh_metric(d, "energy_kwh", id, v / 60000.0);
		else if (strcmp(what, "pos"))
			return ECO_IGNORED;
		return ECO_OK;
	}
	if (!strcmp(seg[0], "relay") && n == 2) {
		int on = eco_bool(payload, len);

		if (!strncmp(payload, "overpower", 9))
			on = 0;
		if (on < 0 || id != 0)
			return ECO_IGNORED;
		d->switch_on = on;
		d->has |= ECO_SWITCH | ECO_KIND;
		snprintf(d->kind, sizeof(d->kind), "plug");
		return ECO_OK;
	}
	if ((!strcmp(seg[0], "relay") || !strcmp(seg[0], "emeter")) && n == 3) {
		if (eco_num(payload, len, 0, &v) < 0)
			return ECO_IGNORED;
		if (!strcmp(seg[2], "power"))
			sh_metric(d, "power_w", id, v);
		else if (!strcmp(seg[2], "energy"))	/* watt-minutes */
			sh_metric(d, "energy_kwh", id, v / 60000.0);
		else if (!strcmp(seg[2], "total"))	/* emeter: Wh */
			sh_metric(d, "energy_kwh", id, v / 1000.0);
		else if (!strcmp(seg[2], "voltage"))
			sh_metric(d, "voltage_v", id, v);
		else if (!strcmp(seg[2], "current"))
			sh_metric(d, "current_a", id, v);
		else if (!strcmp(seg[2], "pf"))
			sh_metric(d, "power_factor", id, v);
		else
			return ECO_IGNORED;
		d->has |= ECO_KIND;
		snprintf(d->kind, sizeof(d->kind), "plug");
		return ECO_OK;
	}
	if (!strcmp(seg[0], "sensor") && n == 2) {
		static const struct {
			const char *k, *m;
		} map[] = { { "temperature", "temperature_c" }, { "humidity", "humidity_pct" },
			    { "battery", "battery_pct" }, { "lux", "illuminance_lx" } };

		if (eco_num(payload, len, 0, &v) < 0)
			return ECO_IGNORED;
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcmp(seg[1], map[i].k)) {
				eco_metric(d, map[i].m, v);
				if (i != 2) {
					d->has |= ECO_KIND;
					snprintf(d->kind, sizeof(d->kind), "sensor");
				}
				return ECO_OK;
			}
		return ECO_IGNORED;
	}
	if (!strcmp(seg[0], "temperature") && n == 1) {
		if (eco_num(payload, len, 0, &v) < 0)
			return ECO_IGNORED;
		if (!sd || !sd->ext_temp)	/* the add-on's probe is the room's */
			eco_metric(d, "temperature_c", v);
		return ECO_OK;
	}
	if ((!strcmp(seg[0], "ext_temperature") || !strcmp(seg[0], "ext_humidity")) && n == 2) {
		/* the add-on's DS18B20 / DHT22 probes, N = 0..2; an unplugged
		 * probe reads 999 */
		int t = seg[0][4] == 't';

		if (!isdigit((unsigned char)seg[1][0]) || eco_num(payload, len, 0, &v) < 0)
			return ECO_IGNORED;
		if (v >= 999 || (t ? v < -60 : v < 0))
			return ECO_OK;
		sh_metric(d, t ? "temperature_c" : "humidity_pct", id, v);
		if (t && sd)
			sd->ext_temp = 1;
		if (!sd || !sd->plug) {
			d->has |= ECO_KIND;
			snprintf(d->kind, sizeof(d->kind), "sensor");
		}
		return ECO_OK;
	}
	if ((!strcmp(seg[0], "input") || !strcmp(seg[0], "longpush")) && n == 2) {
		int on = eco_bool(payload, len);

		if (on < 0 || !isdigit((unsigned char)seg[1][0]))
			return ECO_IGNORED;
		if (seg[0][0] == 'i')	/* longpush: alive; the press is input_event's */
			sh_metric(d, "input", id, on);
		return ECO_OK;
	}
	if (!strcmp(seg[0], "overtemperature") && n == 1) {
		int on = eco_bool(payload, len);

		if (on < 0)
			return ECO_IGNORED;
		eco_metric(d, "overtemperature", on);
		return ECO_OK;
	}
	if ((!strcmp(seg[0], "input_event") && n == 2) || (!strcmp(seg[0], "announce") && n == 1)) {
		cJSON *root = cJSON_ParseWithLength(payload, len);
		char s[ECO_MAX];
		int rc = ECO_OK;

		if (!cJSON_IsObject(root)) {
			cJSON_Delete(root);
			snprintf(out->why, sizeof(out->why), "shelly gen1 %s: not a JSON object", seg[0]);
			return len ? ECO_BAD : ECO_IGNORED;
		}
		if (!strcmp(seg[0], "announce")) {
			if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "model"), s, sizeof(s)) == 0 && s[0]) {
				eco_strlcpy(d->model, sizeof(d->model), s, strlen(s));
				d->has |= ECO_MODEL;
			}
			if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "fw_ver"), s, sizeof(s)) == 0 && s[0]) {
				eco_strlcpy(d->firmware, sizeof(d->firmware), s, strlen(s));
				d->has |= ECO_FIRMWARE;
			}
		} else if (eco_jstr(cJSON_GetObjectItemCaseSensitive(root, "event"), s, sizeof(s)) == 0) {
			const char *name = sh_gen1_event(s);

			if (name && !retained) {
				snprintf(d->button, sizeof(d->button), "input:%d %s", id, name);
				d->has |= ECO_BUTTON;
			}
		}
		cJSON_Delete(root);
		return rc;
	}
	return ECO_IGNORED;
}

/* Is the payload (after blanks) a JSON object? */
static int looks_object(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)p[i]))
		i++;
	return i < len && p[i] == '{';
}

/*
 * Parse one message.  The prefix is what precedes the recognised tail
 * (online, events/rpc, status, status/<comp>, or a Gen1 tail under
 * shellies/<id>).  Returns ECO_OK, ECO_IGNORED (not ours) or ECO_BAD.
 */
static int sh_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		    size_t len, int retained, struct eco_out *out)
{
	char buf[512], *seg[9], prefix[ECO_ID_MAX];
	int n, tail, gen1 = 0;
	struct eco_dev *d;
	struct sh_dev *sd;
	size_t pl = strlen(ctx->prefix);
	char type[24];
	int cid;

	if (pl && (strncmp(topic, ctx->prefix, pl) || topic[pl] != '/'))
		return ECO_IGNORED;
	n = eco_split(topic, buf, sizeof(buf), seg, 8);
	if (n < 2 || n > 8)
		return ECO_IGNORED;
	/* find the tail */
	if (!strcmp(seg[n - 1], "online"))
		tail = n - 1;
	else if (n >= 3 && !strcmp(seg[n - 2], "events") && !strcmp(seg[n - 1], "rpc"))
		tail = n - 2;
	else if (!strcmp(seg[n - 1], "status"))
		tail = n - 1;
	else if (n >= 3 && !strcmp(seg[n - 2], "status") &&
		 sh_component(seg[n - 1], type, sizeof(type), &cid))
		tail = n - 2;
	else if (n >= 3 && (pl || !strcmp(seg[0], "shellies"))) {
		/* Gen1: shellies/<id>/<what>…, or <configured prefix>/<id>/… */
		tail = 2;
		for (const char *c = ctx->prefix; pl && *c; c++)
			tail += *c == '/';
		gen1 = 1;
	} else
		return ECO_IGNORED;
	if (tail < 1 || (gen1 && tail >= n))
		return ECO_IGNORED;
	prefix[0] = '\0';
	for (int i = 0; i < tail; i++)
		snprintf(prefix + strlen(prefix), sizeof(prefix) - strlen(prefix),
			 "%s%s", i ? "/" : "", seg[i]);
	if (!prefix[0])
		return ECO_IGNORED;

	if (!strcmp(seg[tail], "online") && tail == n - 1) {
		int on;

		if (!len) {
			if (!retained || !(d = eco_dev_add(out, prefix)))
				return ECO_IGNORED;
			d->has |= ECO_FORGET;
			return ECO_OK;
		}
		on = eco_bool(payload, len);
		if (on < 0 || !(d = eco_dev_add(out, prefix)))
			return ECO_IGNORED;
		d->online = on;
		d->has |= ECO_ONLINE;
		return ECO_OK;
	}
	if (gen1) {
		int rc;

		d = eco_dev_add(out, prefix);
		if (!d)
			return ECO_IGNORED;
		sd = sh_find(ctx->priv, prefix, 1);
		rc = sh_gen1(d, sd, seg + tail, n - tail, payload, len, retained, out);
		if (rc != ECO_OK) {
			out->ndev--;
			return rc;
		}
		if (sd) {
			sd->gen1 = 1;
			sd->plug |= (d->has & ECO_KIND) && !strcmp(d->kind, "plug");
			sd->relay |= sd->plug;
		}
		return ECO_OK;
	}
	/* Gen2 JSON: events/rpc, status, status/<comp> */
	if (!looks_object(payload, len))
		return ECO_IGNORED;	/* e.g. ESPHome's <node>/status online */
	{
		cJSON *root = cJSON_ParseWithLength(payload, len);
		struct sh_walk w = { 0 };
		int rc = ECO_OK;

		if (!cJSON_IsObject(root)) {
			cJSON_Delete(root);
			snprintf(out->why, sizeof(out->why), "shelly: bad or truncated JSON");
			return ECO_BAD;
		}
		d = eco_dev_add(out, prefix);
		if (!d) {
			cJSON_Delete(root);
			return ECO_IGNORED;
		}
		w.d = d;
		sd = sh_find(ctx->priv, prefix, 0);
		w.known_plug = sd && sd->plug;
		w.known_relay = sd && sd->relay;
		if (!strcmp(seg[tail], "events")) {
			rc = sh_rpc(&w, root, retained);
		} else if (tail == n - 1) {
			/* full status: must look like Shelly components */
			const cJSON *c;
			int comps = 0;

			cJSON_ArrayForEach(c, root)
				comps += c->string && sh_component(c->string, type, sizeof(type), &cid);
			if (!cJSON_GetObjectItemCaseSensitive(root, "sys") && comps < 2)
				rc = ECO_IGNORED;	/* Moonraker, Klipper, … */
			else {
				sh_comps(&w, root);
				sh_kind(&w, 1);
			}
		} else {
			sh_comp(&w, type, cid, root);
			sh_kind(&w, 0);
		}
		cJSON_Delete(root);
		if (rc != ECO_OK)
			out->ndev--;
		else if ((sd = sh_find(ctx->priv, prefix, 1))) {
			sd->gen1 = 0;
			sd->plug |= w.plug || w.meter;
			sd->relay |= w.plug;
		}
		return rc;
	}
}

/* Gen2: <prefix>/rpc Switch.Set; Gen1 (when seen): relay/0/command. */
static int sh_switch(struct eco_ctx *ctx, const char *native, int on,
		     char *topic, size_t tlen, char *payload, size_t plen)
{
	struct sh_dev *sd = sh_find(ctx->priv, native, 0);
	int k;

	if (!native[0] || strchr(native, '+') || strchr(native, '#'))
		return -1;
	if (sd && sd->gen1) {
		k = snprintf(topic, tlen, "%s/relay/0/command", native);
		snprintf(payload, plen, "%s", on ? "on" : "off");
	} else {
		k = snprintf(topic, tlen, "%s/rpc", native);
		snprintf(payload, plen,
			 "{\"id\":1,\"src\":\"mlab-hub\",\"method\":\"Switch.Set\","
			 "\"params\":{\"id\":0,\"on\":%s}}", on ? "true" : "false");
	}
	return k < 0 || (size_t)k >= tlen ? -1 : 0;
}

/* With no prefix, any one- or two-level device prefix; Gen1 under
 * shellies/.  A configured prefix P: devices under P/. */
static int sh_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	static const char *tails[] = { "online", "events/rpc", "status", "status/+", NULL };
	static const char *gen1[] = { "relay/#", "roller/#", "emeter/+/+", "sensor/+",
				      "input/+", "input_event/+", "longpush/+", "announce",
				      "temperature", "overtemperature", "ext_temperature/+",
				      "ext_humidity/+", NULL };
	int n = 0;

	if (prefix && prefix[0]) {
		for (int i = 0; tails[i] && n < max; i++)
			snprintf(filters[n++], ECO_FILTER_LEN, "%s/+/%s", prefix, tails[i]);
		for (int i = 0; gen1[i] && n < max; i++)
			snprintf(filters[n++], ECO_FILTER_LEN, "%s/+/%s", prefix, gen1[i]);
		return n;
	}
	for (int i = 0; tails[i] && n < max; i++)
		snprintf(filters[n++], ECO_FILTER_LEN, "+/%s", tails[i]);
	for (int i = 0; tails[i] && n < max; i++)
		snprintf(filters[n++], ECO_FILTER_LEN, "+/+/%s", tails[i]);
	for (int i = 0; gen1[i] && n < max; i++)
		snprintf(filters[n++], ECO_FILTER_LEN, "shellies/+/%s", gen1[i]);
	return n;
}

static int sh_init(struct eco_ctx *ctx)
{
	struct sh_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	eco_cache_init(&p->cache, p->dev, sizeof(p->dev[0]), SH_MAX_DEV, ECO_CACHE_FIFO);
	ctx->priv = p;
	return 0;
}

static void sh_fini(struct eco_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

const struct eco_ops shelly_ops = {
	.name = "shelly",
	.default_prefix = "",
	.filters = sh_filters,
	.parse = sh_parse,
	.switch_cmd = sh_switch,
	.init = sh_init,
	.fini = sh_fini,
};
