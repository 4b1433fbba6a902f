/*
 * z2m.c — simulated Zigbee devices behind one Zigbee2MQTT bridge: a CO2
 * sensor and an Aqara button box (WXKG01LM).  Both publish sorted-key,
 * compact JSON on zigbee2mqtt/<friendly name> and their availability on
 * zigbee2mqtt/<name>/availability; they have no connection of their own
 * (the bridge's is in sim.c).
 */
#include <stdio.h>

#include "sim.h"
#include "../common/dlog.h"

static void z2m_will(const struct sdev *d, char *topic, size_t tl,
		     const char **payload)
{
	snprintf(topic, tl, "zigbee2mqtt/%s/availability", d->nid);
	*payload = "{\"state\":\"offline\"}";
}

static void z2m_online(struct sdev *d)
{
	sim_pubf(d, 1, "{\"state\":\"online\"}", "zigbee2mqtt/%s/availability",
		 d->nid);
}

/* ---- the CO2 sensor ------------------------------------------------- */

static void co2_telemetry(struct sdev *d)
{
	char p[256];

	snprintf(p, sizeof(p), "{\"battery\":%d,\"co2\":%.0f,\"humidity\":%.1f,"
		 "\"linkquality\":%d,\"temperature\":%.1f,\"voltage\":%d}",
		 d->battery, d->co2, d->hum, d->lqi, d->temp,
		 2700 + d->battery * 3);
	sim_pubf(d, 0, p, "zigbee2mqtt/%s", d->nid);
}

static void co2_announce(struct sdev *d)
{
	z2m_online(d);
	co2_telemetry(d);
}

static void co2_step(struct sdev *d, double dt)
{
	sim_air_drift(d, dt);
	if (d->online && sim_due(&d->next_tele, 30))
		co2_telemetry(d);
}

const struct sim_ops sim_z2m_sensor = {
	.kind = "sensor",
	.source = "z2m",
	.bridged = 1,
	.announce = co2_announce,
	.will = z2m_will,
	.step = co2_step,
	.telemetry = co2_telemetry,
};

/* ---- the button box ------------------------------------------------- */

static void button_press(struct sdev *d)
{
	static const char *const actions[] = { "single", "single", "single",
					       "double", "double", "hold" };
	char p[160];
	const char *a = actions[rng_range(d->r, 0, NELEM(actions) - 1)];

	snprintf(p, sizeof(p), "{\"action\":\"%s\",\"battery\":%d,"
		 "\"linkquality\":%d,\"voltage\":%d}", a, d->battery, d->lqi,
		 2700 + d->battery * 3);
	sim_pubf(d, 0, p, "zigbee2mqtt/%s", d->nid);
	d->release_pending = 1;
	DLOG(D_INFO, "%s: %s", d->hub_id, a);
}

static void button_release(struct sdev *d)
{
	char p[160];

	snprintf(p, sizeof(p), "{\"action\":\"\",\"battery\":%d,"
		 "\"linkquality\":%d,\"voltage\":%d}", d->battery, d->lqi,
		 2700 + d->battery * 3);
	sim_pubf(d, 0, p, "zigbee2mqtt/%s", d->nid);
	d->release_pending = 0;
}

static void button_step(struct sdev *d, double dt)
{
	if (d->release_pending)
		button_release(d);
	else if (d->online && !S.once && S.t >= d->next_press) {
		button_press(d);
		d->next_press = S.t + rng_uniform(d->r, 60, 900);
	}
}

const struct sim_ops sim_z2m_button = {
	.kind = "button",
	.source = "z2m",
	.bridged = 1,
	.announce = z2m_online,
	.will = z2m_will,
	.step = button_step,
	.once_start = button_press,
};
