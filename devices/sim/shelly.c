/*
 * shelly.c — a simulated Shelly Plus Plug S (Gen2): <p>/online as last
 * will, NotifyStatus on <p>/events/rpc, <p>/status/switch:0 with the
 * firmware's own spacing; obeys JSON-RPC Switch.Set, Switch.Toggle and
 * Switch.GetStatus on <p>/rpc, answering on <src>/rpc.
 */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "sim.h"
#include "../common/clk.h"
#include "../common/sbuf.h"

/* The switch:0 status document, with Shelly's own spacing. */
static void shelly_switch_json(struct sdev *d, char *p, size_t len,
			       const char *source)
{
	double v = rng_gauss(d->r, 120.4, 0.6);
	double tc = 38 + d->power / 20;

	snprintf(p, len, "{\"id\":0, \"source\":\"%s\", \"output\":%s, "
		 "\"apower\":%.1f, \"voltage\":%.1f, \"current\":%.3f, "
		 "\"aenergy\":{\"total\":%.3f,\"by_minute\":[%.3f,%.3f,%.3f],"
		 "\"minute_ts\":%ld},\"temperature\":{\"tC\":%.1f, "
		 "\"tF\":%.1f}}", source, d->on ? "true" : "false", d->power,
		 v, d->power / v, d->energy_kwh * 1000, d->power * 16.667,
		 d->power * 16.667, d->power * 16.667, sim_now_s() / 60 * 60,
		 tc, tc * 1.8 + 32);
}

static void shelly_notify(struct sdev *d, const char *params)
{
	char p[700];

	snprintf(p, sizeof(p), "{\"src\":\"%s\",\"dst\":\"%s/events\","
		 "\"method\":\"NotifyStatus\",\"params\":{\"ts\":%.2f,%s}}",
		 d->nid, d->nid, clk_real_us() / 1e6, params);
	sim_pubf(d, 0, p, "%s/events/rpc", d->nid);
}

static void shelly_status(struct sdev *d, const char *source)
{
	char p[512];

	shelly_switch_json(d, p, sizeof(p), source);
	sim_pubf(d, 0, p, "%s/status/switch:0", d->nid);
}

static void shelly_telemetry(struct sdev *d)
{
	char p[256];

	snprintf(p, sizeof(p), "\"switch:0\":{\"id\":0,\"apower\":%.1f,"
		 "\"current\":%.3f,\"aenergy\":{\"by_minute\":[%.3f,%.3f,"
		 "%.3f],\"minute_ts\":%ld,\"total\":%.3f}}", d->power,
		 d->power / 120.4, d->power * 16.667, d->power * 16.667,
		 d->power * 16.667, sim_now_s() / 60 * 60,
		 d->energy_kwh * 1000);
	shelly_notify(d, p);
	shelly_status(d, "init");
}

/* What the plug says after its output was switched. */
static void shelly_report(struct sdev *d, const char *source)
{
	char p[96];

	snprintf(p, sizeof(p), "\"switch:0\":{\"id\":0,\"output\":%s,"
		 "\"source\":\"%s\"}", d->on ? "true" : "false", source);
	shelly_notify(d, p);
	shelly_status(d, source);
}

/* Shelly Gen2 JSON-RPC over MQTT: Switch.Set/Toggle/GetStatus. */
static void shelly_rpc(struct sdev *d, const char *payload, int len)
{
	cJSON *req = cJSON_ParseWithLength(payload, (size_t)len);
	cJSON *id, *src, *method, *params, *on;
	char topic[160], res[600], st[512];
	int was_on = d->on;

	if (!req)
		return;
	id = cJSON_GetObjectItemCaseSensitive(req, "id");
	src = cJSON_GetObjectItemCaseSensitive(req, "src");
	method = cJSON_GetObjectItemCaseSensitive(req, "method");
	params = cJSON_GetObjectItemCaseSensitive(req, "params");
	if (!cJSON_IsString(method) || !cJSON_IsString(src))
		goto out;
	snprintf(topic, sizeof(topic), "%s/rpc", src->valuestring);
	if (!strcmp(method->valuestring, "Switch.Set")) {
		on = cJSON_GetObjectItemCaseSensitive(params, "on");
		if (!cJSON_IsBool(on))
			goto out;
		plug_set(d, cJSON_IsTrue(on), "MQTT", shelly_report);
		snprintf(res, sizeof(res), "{\"was_on\":%s}",
			 was_on ? "true" : "false");
	} else if (!strcmp(method->valuestring, "Switch.Toggle")) {
		plug_set(d, !d->on, "MQTT", shelly_report);
		snprintf(res, sizeof(res), "{\"was_on\":%s}",
			 was_on ? "true" : "false");
	} else if (!strcmp(method->valuestring, "Switch.GetStatus")) {
		shelly_switch_json(d, st, sizeof(st), "MQTT");
		snprintf(res, sizeof(res), "%s", st);
	} else {
		goto out;
	}
	{
		struct sbuf sb;

		sbuf_init(&sb);
		sbuf_printf(&sb, "{\"id\":%d,\"src\":\"%s\",\"dst\":",
			    cJSON_IsNumber(id) ? id->valueint : 0, d->nid);
		sbuf_jstr(&sb, src->valuestring, SBUF_UTF8);
		sbuf_printf(&sb, ",\"result\":%s}", res);
		sim_pub(d, topic, sbuf_str(&sb), 0);
		sbuf_free(&sb);
	}
out:
	cJSON_Delete(req);
}

static void shelly_message(struct sdev *d, const char *topic,
			   const char *payload, int len, int retained)
{
	if (!retained)
		shelly_rpc(d, payload, len);
}

static void shelly_announce(struct sdev *d)
{
	sim_pubf(d, 1, "true", "%s/online", d->nid);
	shelly_notify(d, "\"mqtt\":{\"connected\":true}");
	shelly_telemetry(d);
}

static void shelly_will(const struct sdev *d, char *topic, size_t tl,
			const char **payload)
{
	snprintf(topic, tl, "%s/online", d->nid);
	*payload = "false";
}

static void shelly_step(struct sdev *d, double dt)
{
	plug_step(d, dt, 15, shelly_telemetry);
}

static void shelly_listen(const struct sdev *d, char *topic, size_t tl)
{
	snprintf(topic, tl, "%s/rpc", d->nid);
}

const struct sim_ops sim_shelly = {
	.kind = "plug",
	.source = "shelly",
	.listen = shelly_listen,
	.announce = shelly_announce,
	.will = shelly_will,
	.step = shelly_step,
	.message = shelly_message,
	.telemetry = shelly_telemetry,
};
