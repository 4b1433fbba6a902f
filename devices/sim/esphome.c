/*
 * esphome.c — a simulated ESPHome environment sensor (ESP32, BME280 and a
 * CO2 sensor): plain-text <node>/sensor/<obj>/state, <node>/status as last
 * will, retained Home Assistant discovery with abbreviated keys, and
 * esphome/discover/<node>.
 */
#include <stdio.h>

#include "sim.h"
#include "../common/sbuf.h"

static void esphome_discovery(struct sdev *d)
{
	static const struct {
		const char *obj, *cla, *unit, *name;
	} ents[] = {
		{ "temperature", "temperature", "°C", "Temperature" },
		{ "humidity", "humidity", "%", "Humidity" },
		{ "pressure", "pressure", "hPa", "Pressure" },
		{ "co2", "carbon_dioxide", "ppm", "CO2" },
	};
	struct sbuf sb;
	size_t i;

	sbuf_init(&sb);
	for (i = 0; i < NELEM(ents); i++) {
		sbuf_reset(&sb);
		sbuf_printf(&sb, "{\"dev_cla\":\"%s\",\"unit_of_meas\":\"%s\","
			    "\"stat_cla\":\"measurement\",\"name\":\"%s\","
			    "\"stat_t\":\"%s/sensor/%s/state\",\"avty_t\":"
			    "\"%s/status\",\"uniq_id\":\"ESPsensor%s\","
			    "\"dev\":{\"ids\":\"%s\",\"name\":", ents[i].cla,
			    ents[i].unit, ents[i].name, d->nid, ents[i].obj,
			    d->nid, ents[i].obj, d->mac);
		sbuf_jstr(&sb, d->name, SBUF_UTF8);
		sbuf_printf(&sb, ",\"sw\":\"2024.10.2 (Oct 25 2024, 11:05:25)\","
			    "\"mdl\":\"esp32dev\",\"mf\":\"Espressif\","
			    "\"cns\":[[\"mac\",\"%s\"]]}}", d->mac);
		sim_pubf(d, 1, sbuf_str(&sb),
			 "homeassistant/sensor/%s/%s/config", d->nid,
			 ents[i].obj);
	}
	sbuf_reset(&sb);
	sbuf_printf(&sb, "{\"ip\":\"192.168.10.%d\",\"name\":\"%s\","
		    "\"friendly_name\":", 40 + (int)(d - S.dev), d->nid);
	sbuf_jstr(&sb, d->name, SBUF_UTF8);
	sbuf_printf(&sb, ",\"port\":6053,\"version\":\"2024.10.2\",\"mac\":"
		    "\"%s\",\"platform\":\"ESP32\",\"board\":\"esp32dev\","
		    "\"network\":\"wifi\"}", d->mac);
	sim_pubf(d, 0, sbuf_str(&sb), "esphome/discover/%s", d->nid);
	sbuf_free(&sb);
}

static void esphome_telemetry(struct sdev *d)
{
	char p[64];

	snprintf(p, sizeof(p), "%.1f", d->temp);
	sim_pubf(d, 0, p, "%s/sensor/temperature/state", d->nid);
	snprintf(p, sizeof(p), "%.1f", d->hum);
	sim_pubf(d, 0, p, "%s/sensor/humidity/state", d->nid);
	snprintf(p, sizeof(p), "%.1f", d->press);
	sim_pubf(d, 0, p, "%s/sensor/pressure/state", d->nid);
	snprintf(p, sizeof(p), "%.0f", d->co2);
	sim_pubf(d, 0, p, "%s/sensor/co2/state", d->nid);
}

static void esphome_announce(struct sdev *d)
{
	sim_pubf(d, 1, "online", "%s/status", d->nid);
	esphome_discovery(d);
	esphome_telemetry(d);
}

static void esphome_will(const struct sdev *d, char *topic, size_t tl,
			 const char **payload)
{
	snprintf(topic, tl, "%s/status", d->nid);
	*payload = "offline";
}

static void esphome_step(struct sdev *d, double dt)
{
	sim_air_drift(d, dt);
	if (d->online && sim_due(&d->next_tele, 15))
		esphome_telemetry(d);
}

const struct sim_ops sim_esphome = {
	.kind = "sensor",
	.source = "esphome",
	.announce = esphome_announce,
	.will = esphome_will,
	.step = esphome_step,
	.telemetry = esphome_telemetry,
};
