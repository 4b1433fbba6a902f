/*
 * tasmota.c — a simulated Tasmota plug (Sonoff S31): tele/<t>/LWT,
 * tele/<t>/STATE and tele/<t>/SENSOR with ENERGY (integers below 10
 * space-padded, as the firmware writes them); obeys cmnd/<t>/POWER and
 * answers on stat/<t>/RESULT and stat/<t>/POWER.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim.h"
#include "../common/clk.h"

/* Tasmota writes integers below 10 with a leading space. */
static const char *tpad(char *buf, long v)
{
	sprintf(buf, v < 10 && v >= 0 ? " %ld" : "%ld", v);
	return buf;
}

static void tasmota_state(struct sdev *d)
{
	char t[32], up[32], p[512];
	long secs = (long)((clk_real_us() - S.t0_us) / 1000000) + 3600;

	clk_iso_local(t, sizeof(t), clk_real_us());
	snprintf(up, sizeof(up), "%ldT%02ld:%02ld:%02ld", secs / 86400,
		 secs / 3600 % 24, secs / 60 % 60, secs % 60);
	snprintf(p, sizeof(p), "{\"Time\":\"%s\",\"Uptime\":\"%s\","
		 "\"UptimeSec\":%ld,\"Heap\":26,\"SleepMode\":\"Dynamic\","
		 "\"Sleep\":50,\"LoadAvg\":19,\"MqttCount\":1,"
		 "\"POWER\":\"%s\",\"Wifi\":{\"AP\":1,\"SSId\":\"MLab-IoT\","
		 "\"BSSId\":\"C4:AD:34:5E:12:90\",\"Channel\":6,"
		 "\"Mode\":\"11n\",\"RSSI\":%d,\"Signal\":%d,"
		 "\"LinkCount\":1,\"Downtime\":\"0T00:00:05\"}}", t, up, secs,
		 d->on ? "ON" : "OFF", 70 + (int)rng_range(d->r, 0, 20),
		 -68 + (int)rng_range(d->r, 0, 10));
	sim_pubf(d, 0, p, "tele/%s/STATE", d->nid);
}

static void tasmota_sensor(struct sdev *d)
{
	char t[32], p[640], a[4][16];
	double v = d->on ? rng_gauss(d->r, 120.5, 0.8) : 0;
	double i = d->on && v > 0 ? d->power / v : 0;
	double pf = d->power > 20 ? 0.95 : d->power > 0 ? 0.42 : 0;
	double va = pf > 0 ? d->power / pf : 0;

	clk_iso_local(t, sizeof(t), clk_real_us());
	snprintf(p, sizeof(p), "{\"Time\":\"%s\",\"ENERGY\":{\"TotalStartTime\":"
		 "\"2024-09-03T10:12:44\",\"Total\":%.3f,\"Yesterday\":0.412,"
		 "\"Today\":%.3f,\"Period\":%s,\"Power\":%s,\"ApparentPower\":%s,"
		 "\"ReactivePower\":%s,\"Factor\":%.2f,\"Voltage\":%ld,"
		 "\"Current\":%.3f}}", t, d->energy_kwh, d->today_kwh,
		 tpad(a[0], lround(d->period_wh)), tpad(a[1], lround(d->power)),
		 tpad(a[2], lround(va)),
		 tpad(a[3], lround(sqrt(fmax(va * va - d->power * d->power, 0)))),
		 pf, lround(v), i);
	d->period_wh = 0;
	sim_pubf(d, 0, p, "tele/%s/SENSOR", d->nid);
}

static void tasmota_telemetry(struct sdev *d)
{
	tasmota_state(d);
	tasmota_sensor(d);
}

/* The answer to a POWER command (or a switch made here). */
static void tasmota_report(struct sdev *d, const char *source)
{
	char p[96];

	snprintf(p, sizeof(p), "{\"POWER\":\"%s\"}", d->on ? "ON" : "OFF");
	sim_pubf(d, 0, p, "stat/%s/RESULT", d->nid);
	sim_pubf(d, 0, d->on ? "ON" : "OFF", "stat/%s/POWER", d->nid);
}

static void tasmota_message(struct sdev *d, const char *topic,
			    const char *payload, int len, int retained)
{
	const char *leaf = strrchr(topic, '/');
	char v[16] = "";

	if (!leaf || retained)
		return;
	leaf++;
	if (strcasecmp(leaf, "POWER") && strcasecmp(leaf, "POWER1"))
		return;
	snprintf(v, sizeof(v), "%.*s", len < 15 ? len : 15, payload);
	if (!strcasecmp(v, "ON") || !strcmp(v, "1"))
		plug_set(d, 1, "mqtt", tasmota_report);
	else if (!strcasecmp(v, "OFF") || !strcmp(v, "0"))
		plug_set(d, 0, "mqtt", tasmota_report);
	else if (!strcasecmp(v, "TOGGLE") || !strcmp(v, "2"))
		plug_set(d, !d->on, "mqtt", tasmota_report);
	else
		plug_set(d, d->on, "mqtt", tasmota_report);	/* query */
}

static void tasmota_announce(struct sdev *d)
{
	sim_pubf(d, 1, "Online", "tele/%s/LWT", d->nid);
	tasmota_report(d, NULL);
	tasmota_telemetry(d);
}

static void tasmota_will(const struct sdev *d, char *topic, size_t tl,
			 const char **payload)
{
	snprintf(topic, tl, "tele/%s/LWT", d->nid);
	*payload = "Offline";
}

static void tasmota_step(struct sdev *d, double dt)
{
	plug_step(d, dt, 10, tasmota_telemetry);
}

static void tasmota_listen(const struct sdev *d, char *topic, size_t tl)
{
	snprintf(topic, tl, "cmnd/%s/+", d->nid);
}

const struct sim_ops sim_tasmota = {
	.kind = "plug",
	.source = "tasmota",
	.listen = tasmota_listen,
	.announce = tasmota_announce,
	.will = tasmota_will,
	.step = tasmota_step,
	.message = tasmota_message,
	.telemetry = tasmota_telemetry,
};
