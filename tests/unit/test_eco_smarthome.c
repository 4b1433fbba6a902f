/*
 * test_eco_smarthome.c — the Tasmota, Shelly, ESPHome, Zigbee2MQTT and Home
 * Assistant discovery parsers.
 *
 * A small "lab" holds one ctx per ecosystem of eco_table (so peers such as
 * hadisco_lookup work as in the hub).  Every line of the shared corpus
 * files for these ecosystems (directory from $MLAB_CORPUS, default
 * tests/corpus/devices) is fed to each of our parsers whose filters
 * match; then specific lines are checked for what they mean, and
 * sequences written from each firmware's format (a plug going busy and
 * offline, missing readings, buttons, discovery with `~`, commands back,
 * hostile payloads) are replayed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "corpus.h"
#include "eco/eco.h"
#include "t.h"

extern const struct eco_ops tasmota_ops, shelly_ops, esphome_ops, z2m_ops,
	homeassistant_ops;

static const struct eco_ops *const mine[] = {
	&tasmota_ops, &shelly_ops, &esphome_ops, &z2m_ops, &homeassistant_ops,
};
#define NMINE	((int)(sizeof(mine) / sizeof(mine[0])))

/* ---------------------------------------------------------------- helpers */

#define LAB_MAX 32

/* Every ecosystem's ctx, as the hub holds them. */
struct lab {
	struct eco_ctx ctx[LAB_MAX];
	struct eco_out out;
	int rc;
};

static struct lab *lab_open(const char *name, const char *prefix)
{
	struct lab *l = calloc(1, sizeof(*l));

	if (!l || eco_count > LAB_MAX)
		abort();
	for (int i = 0; i < eco_count; i++) {
		l->ctx[i].ops = eco_table[i];
		l->ctx[i].prefix = eco_table[i]->default_prefix ? eco_table[i]->default_prefix : "";
		if (name && prefix && !strcmp(eco_table[i]->name, name))
			l->ctx[i].prefix = prefix;
		l->ctx[i].all = l->ctx;
		if (eco_table[i]->init && eco_table[i]->init(&l->ctx[i]))
			abort();
	}
	return l;
}

static void lab_close(struct lab *l)
{
	for (int i = 0; i < eco_count; i++) {
		if (eco_table[i]->fini)
			eco_table[i]->fini(&l->ctx[i]);
		CHECK(l->ctx[i].priv == NULL);
	}
	free(l);
}

static struct eco_ctx *ctx_of(struct lab *l, const char *name)
{
	for (int i = 0; i < eco_count; i++)
		if (!strcmp(eco_table[i]->name, name))
			return &l->ctx[i];
	abort();
}

/* Parse with one ecosystem (len -1: strlen) into a fresh l->out. */
static int feedl(struct lab *l, const char *eco, const char *topic,
		 const char *payload, long len, int retained)
{
	struct eco_ctx *c = ctx_of(l, eco);
	size_t n = len < 0 ? strlen(payload) : (size_t)len;
	char *copy = malloc(n + 1);

	memcpy(copy, payload, n);
	copy[n] = '\0';
	memset(&l->out, 0, sizeof(l->out));
	l->rc = c->ops->parse(c, topic, copy, n, retained, &l->out);
	free(copy);
	return l->rc;
}

static int feed(struct lab *l, const char *eco, const char *topic, const char *payload)
{
	return feedl(l, eco, topic, payload, -1, 0);
}

static int feedr(struct lab *l, const char *eco, const char *topic, const char *payload)
{
	return feedl(l, eco, topic, payload, -1, 1);
}

/* Device `native` of the last parse, or an empty one so checks fail. */
static struct eco_dev *dev(struct lab *l, const char *native)
{
	return out_dev(&l->out, native);
}

#define metric(d, name) out_metric(d, name)

#define HAS(d, bits) (((d)->has & (bits)) == (bits))

/* Every parser of ours whose filters match; returns how many said OK.
 * Results land in l->out of the last one that said OK (kept in *keep). */
static int dispatch(struct lab *l, const char *topic, const char *payload, long len,
		    int retained, struct eco_out *keep, const char **who)
{
	int ok = 0;

	for (int i = 0; i < NMINE; i++) {
		int rc;

		if (!matches(mine[i], NULL, topic))
			continue;
		rc = feedl(l, mine[i]->name, topic, payload, len, retained);
		CHECK(rc == ECO_OK || rc == ECO_IGNORED || rc == ECO_BAD);
		if (rc == ECO_BAD)
			CHECK(l->out.why[0] != '\0');
		for (int d = 0; rc == ECO_OK && d < l->out.ndev; d++) {
			CHECK(l->out.dev[d].native[0] != '\0');
			CHECK(l->out.dev[d].nmetric <= ECO_MAX_METRIC);
			for (int m = 0; m < l->out.dev[d].nmetric; m++)
				CHECK(isfinite(l->out.dev[d].metric[m].value));
		}
		if (rc == ECO_OK) {
			ok++;
			if (keep)
				*keep = l->out;
			if (who)
				*who = mine[i]->name;
		}
	}
	return ok;
}

/* --------------------------------------------------------------- corpus */

/* Replay corpus lines in order up to and including the first one with
 * this topic whose payload contains `has`, through dispatch; the result
 * of that line is left in *out.  Returns how many parsers said OK, or -99
 * when the line is missing. */
static int replay_to(struct lab *l, const char *topic, const char *has,
		     struct eco_out *out, const char **who)
{
	for (int i = 0; i < ncorpus; i++) {
		int ok = dispatch(l, corpus[i].topic, corpus[i].payload, (long)corpus[i].len,
				  corpus[i].retained, out, who);

		if (!strcmp(corpus[i].topic, topic) && strstr(corpus[i].payload, has))
			return ok;
	}
	fprintf(stderr, "  corpus line missing: %s %s\n", topic, has);
	return -99;
}

/* One corpus line, alone, through dispatch on lab l (-99: missing). */
static int line(struct lab *l, const char *topic, const char *has,
		struct eco_out *out, const char **who)
{
	const struct line *c = corpus_find(topic, has);

	return c ? dispatch(l, c->topic, c->payload, (long)c->len, c->retained, out, who) : -99;
}

static struct eco_dev *odev(struct eco_out *o, const char *native)
{
	static struct eco_dev none;

	for (int i = 0; i < o->ndev; i++)
		if (!strcmp(o->dev[i].native, native))
			return &o->dev[i];
	memset(&none, 0, sizeof(none));
	return &none;
}

/* ---------------------------------------------------------------- tests */

TEST(t_filters)
{
	char f[16][256];
	int n;

	CHECK(!strcmp(tasmota_ops.name, "tasmota") && !strcmp(shelly_ops.name, "shelly") &&
	      !strcmp(esphome_ops.name, "esphome") && !strcmp(z2m_ops.name, "z2m") &&
	      !strcmp(homeassistant_ops.name, "homeassistant"));
	n = tasmota_ops.filters(tasmota_ops.default_prefix, f, 16);
	CHECK(n >= 5 && n <= 16);
	CHECK_STR(f[0], "tele/+/+");
	CHECK_STR(f[1], "stat/+/+");
	CHECK(matches(&tasmota_ops, NULL, "emoncms/ch2i/factory/denky_D6C0C0/tele/SENSOR"));
	n = tasmota_ops.filters("lab/%topic%/%prefix%/", f, 16);
	CHECK(n >= 2);
	CHECK_STR(f[0], "lab/+/tele/+");
	CHECK_STR(f[1], "lab/+/stat/+");
	CHECK(tasmota_ops.filters(NULL, f, 1) == 1);
	n = shelly_ops.filters("", f, 16);
	CHECK(n == 16);		/* cut at the room given */
	{
		char all[ECO_FILTERS_MAX][ECO_FILTER_LEN];

		n = shelly_ops.filters("", all, ECO_FILTERS_MAX);
		CHECK(n > 16 && n < ECO_FILTERS_MAX);	/* every Gen1 family fits */
		CHECK_STR(all[n - 1], "shellies/+/ext_humidity/+");
	}
	CHECK(matches(&shelly_ops, "", "shellyplus1-441793ab3fb4/status/switch:0"));
	CHECK(matches(&shelly_ops, "", "shellies/plus1pm/events/rpc"));
	CHECK(matches(&shelly_ops, "", "shellies/shelly1-AB/relay/0/power"));
	n = shelly_ops.filters("lab", f, 16);
	CHECK_STR(f[0], "lab/+/online");
	n = esphome_ops.filters("", f, 16);
	CHECK_STR(f[0], "+/status");
	CHECK(matches(&esphome_ops, "", "esphome/discover/lab-env"));
	n = z2m_ops.filters("zigbee2mqtt", f, 16);
	CHECK(n == 1);
	CHECK_STR(f[0], "zigbee2mqtt/#");
	n = homeassistant_ops.filters("homeassistant", f, 16);
	CHECK(n == 2);
	CHECK(matches(&homeassistant_ops, NULL, "homeassistant/sensor/lab-env/temperature/config"));
	CHECK(matches(&homeassistant_ops, NULL, "homeassistant/sensor/9539A2_ENERGY_Factor/config"));
	/* the whole set fits what the hub asks for */
	for (int i = 0; i < NMINE; i++)
		CHECK(mine[i]->filters(mine[i]->default_prefix, f, 16) <= 16);
	/* order in the table: ours before mlab */
	{
		int pos[6] = { -1, -1, -1, -1, -1, -1 };

		for (int i = 0; i < eco_count; i++) {
			for (int k = 0; k < NMINE; k++)
				if (eco_table[i] == mine[k])
					pos[k] = i;
			if (!strcmp(eco_table[i]->name, "mlab"))
				pos[5] = i;
		}
		for (int k = 0; k < NMINE; k++)
			CHECK(pos[k] >= 0 && (k == 0 || pos[k] > pos[k - 1]));
		CHECK(pos[5] < 0 || pos[5] > pos[NMINE - 1]);
	}
}

TEST(t_corpus_all)
{
	struct lab *l = lab_open(NULL, NULL);
	int claimed = 0;

	CHECK(ncorpus >= 80);
	for (int i = 0; i < ncorpus; i++) {
		int ok = dispatch(l, corpus[i].topic, corpus[i].payload, (long)corpus[i].len,
				  corpus[i].retained, NULL, NULL);

		claimed += ok > 0;
		CHECK(ok <= 1);	/* never two of ours for one message */
	}
	/* almost every line means something to someone */
	CHECK(claimed >= ncorpus * 3 / 4);
	lab_close(l);
}

TEST(t_corpus_tasmota)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_out o;
	const char *who = NULL;
	struct eco_dev *d;

	CHECK(line(l, "tele/tasmota_XXXXXX/LWT", "Online", &o, &who) == 1);
	CHECK_STR(who, "tasmota");
	d = odev(&o, "tasmota_XXXXXX");
	CHECK(HAS(d, ECO_ONLINE) && d->online == 1);
	CHECK(line(l, "tele/tasmota_XXXXXX/LWT", "Offline", &o, NULL) == 1);
	CHECK(HAS(odev(&o, "tasmota_XXXXXX"), ECO_ONLINE) && odev(&o, "tasmota_XXXXXX")->online == 0);

	CHECK(line(l, "tele/tasmota/STATE", "\"POWER\":\"OFF\"", &o, NULL) == 1);
	d = odev(&o, "tasmota");
	CHECK(HAS(d, ECO_SWITCH | ECO_KIND) && d->switch_on == 0);
	CHECK_STR(d->kind, "plug");
	CHECK(!HAS(d, ECO_TS));		/* Time is local, not trusted */
	CHECK_NEAR(metric(d, "uptime_s"), 66972, 0);

	CHECK(line(l, "tele/demo-sensor/STATE", "DEMOAP", &o, NULL) == 1);
	d = odev(&o, "demo-sensor");
	CHECK(HAS(d, ECO_SWITCH) && d->switch_on == 1);
	CHECK_NEAR(metric(d, "rssi_dbm"), -57, 0);

	CHECK(line(l, "tele/tasmota/STATE", "DeepSleep", &o, NULL) == 1);
	d = odev(&o, "tasmota");
	CHECK(!HAS(d, ECO_SWITCH));
	CHECK(HAS(d, ECO_TS) && d->ts == 1567595328);	/* Epoch is UTC */

	CHECK(line(l, "stat/GD-30W/STATE", "POWER5", &o, NULL) == 1);
	CHECK(HAS(odev(&o, "GD-30W"), ECO_SWITCH) && odev(&o, "GD-30W")->switch_on == 1);

	CHECK(line(l, "tele/ds1820/SENSOR", "20.9", &o, NULL) == 1);
	d = odev(&o, "ds1820");
	CHECK_NEAR(metric(d, "temperature_c"), 20.9, 1e-9);
	CHECK_STR(d->kind, "sensor");

	CHECK(line(l, "tele/tasmota/SENSOR", "DS18B20-3", &o, NULL) == 1);
	d = odev(&o, "tasmota");
	CHECK_NEAR(metric(d, "temperature_c"), 13.3, 1e-9);
	CHECK_NEAR(metric(d, "temperature_c_ds18b20_2"), 1.2, 1e-9);
	CHECK_NEAR(metric(d, "temperature_c_ds18b20_3"), 22.5, 1e-9);

	CHECK(line(l, "tele/tasmota/SENSOR", "BME280", &o, NULL) == 1);
	d = odev(&o, "tasmota");
	CHECK_NEAR(metric(d, "temperature_c"), 21.7, 1e-9);
	CHECK_NEAR(metric(d, "humidity_pct"), 66.6, 1e-9);
	CHECK_NEAR(metric(d, "pressure_hpa"), 988.6, 1e-9);

	CHECK(line(l, "tele/tasmota/SENSOR", "AM2301", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "tasmota"), "humidity_pct"), 58.2, 1e-9);

	CHECK(line(l, "tele/tasmota/SENSOR", "SCD40", &o, NULL) == 1);
	d = odev(&o, "tasmota");
	CHECK_NEAR(metric(d, "co2_ppm"), 618, 0);
	CHECK_NEAR(metric(d, "temperature_c"), 23.8, 1e-9);
	CHECK_NEAR(metric(d, "dew_point_c"), 15.8, 1e-9);

	CHECK(line(l, "tele/tasmota/SENSOR", "ANALOG", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "tasmota"), "analog_a0"), 8, 0);

	CHECK(line(l, "tele/pow1/SENSOR", "2635", &o, NULL) == 1);
	d = odev(&o, "pow1");
	CHECK_NEAR(metric(d, "power_w"), 2635, 0);
	CHECK_NEAR(metric(d, "voltage_v"), 227, 0);
	CHECK_NEAR(metric(d, "current_a"), 11.661, 1e-9);
	CHECK_NEAR(metric(d, "energy_kwh"), 6.294, 1e-9);
	CHECK_STR(d->kind, "plug");

	CHECK(line(l, "stat/pow1/STATUS8", "StatusSNS", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "pow1"), "power_w"), 2629, 0);
	CHECK_NEAR(metric(odev(&o, "pow1"), "energy_kwh"), 6.404, 1e-9);

	CHECK(line(l, "emoncms/ch2i/factory/denky_D6C0C0/tele/SENSOR", "TIC", &o, &who) == 1);
	CHECK_STR(who, "tasmota");
	d = odev(&o, "denky_D6C0C0");
	CHECK_NEAR(metric(d, "power_w"), 170, 0);
	CHECK_NEAR(metric(d, "energy_kwh"), 9098.245, 1e-9);
	CHECK(isnan(metric(d, "temperature_c")));	/* ESP32 is the chip */
	CHECK_NEAR(metric(d, "device_temperature_c"), 36.1, 1e-9);

	CHECK(line(l, "tele/caldera/SENSOR", "DS18B20-4", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "caldera"), "temperature_c"), 21.4, 1e-9);

	CHECK(line(l, "tele/tasmota/POWER_LOW", "ON", &o, NULL) == 0);

	CHECK(line(l, "tele/zbbridge/SENSOR", "0006!02", &o, NULL) == 1);
	d = odev(&o, "zbbridge/IKEA_remote");
	CHECK(HAS(d, ECO_BUTTON | ECO_KIND));
	CHECK_STR(d->button, "toggle");
	CHECK_STR(d->kind, "button");
	CHECK_NEAR(metric(d, "linkquality"), 75, 0);
	CHECK(line(l, "tele/zbbridge/SENSOR", "DimmerUp", &o, NULL) == 1);
	CHECK_STR(odev(&o, "zbbridge/IKEA_remote")->button, "dimmer_up");
	lab_close(l);
}

TEST(t_corpus_tasmota_discovery)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_ctx *ha = ctx_of(l, "homeassistant");
	const struct hadisco_entity *e;
	struct eco_out o;

	line(l, "homeassistant/sensor/D744A8_DS18B20-2_Temperature/config", "caldera", &o, NULL);
	e = hadisco_lookup(ha, "tele/caldera/SENSOR", NULL);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->source, "tasmota");
		CHECK_STR(e->native, "caldera");
		CHECK_STR(e->metric, "temperature_c");
	}
	CHECK(line(l, "homeassistant/sensor/9539A2_ENERGY_Factor/config", "Factor", &o, NULL) == 0);
	CHECK(line(l, "homeassistant/sensor/9539A2_ENERGY_Voltage/config", "Voltage", &o, NULL) == 0);
	e = hadisco_lookup(ha, "MYHOME/Switch/AVATTO2/tele/SENSOR", NULL);
	CHECK(e && !strcmp(e->native, "AVATTO2") && !strcmp(e->source, "tasmota"));
	/* the empty retained config drops one entity; Factor remains */
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/9539A2_ENERGY_Voltage/config", "") ==
	      ECO_IGNORED);
	CHECK(hadisco_lookup(ha, "MYHOME/Switch/AVATTO2/tele/SENSOR", NULL) != NULL);
	/* …and the last one forgets the device */
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/9539A2_ENERGY_Factor/config", "") ==
	      ECO_OK);
	CHECK(HAS(dev(l, "AVATTO2"), ECO_FORGET));
	CHECK_STR(dev(l, "AVATTO2")->source, "tasmota");
	CHECK(hadisco_lookup(ha, "MYHOME/Switch/AVATTO2/tele/SENSOR", NULL) == NULL);
	lab_close(l);
}

TEST(t_corpus_shelly)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_out o;
	const char *who = NULL;
	struct eco_dev *d;

	CHECK(line(l, "shellies/plus1pm/events/rpc", "\"ts\":1.61", &o, &who) == 1);
	CHECK_STR(who, "shelly");
	d = odev(&o, "shellies/plus1pm");
	CHECK(!HAS(d, ECO_TS));
	CHECK_STR(d->model, "shellyplus1pm");

	CHECK(line(l, "shellies/plus1pm/online", "true", &o, NULL) == 1);
	CHECK(HAS(odev(&o, "shellies/plus1pm"), ECO_ONLINE) && odev(&o, "shellies/plus1pm")->online);

	CHECK(line(l, "shellies/plus1pm/events/rpc", "232.7", &o, NULL) == 1);
	d = odev(&o, "shellies/plus1pm");
	CHECK_NEAR(metric(d, "voltage_v"), 232.7, 1e-9);
	CHECK(HAS(d, ECO_TS));
	CHECK_NEAR(d->ts, 1661517385.44, 1e-6);

	CHECK(line(l, "shellies/plus1pm/status/switch:0", "\"init\"", &o, NULL) == 1);
	d = odev(&o, "shellies/plus1pm");
	CHECK(HAS(d, ECO_SWITCH) && d->switch_on == 0);
	CHECK_NEAR(metric(d, "power_w"), 0, 0);
	CHECK_NEAR(metric(d, "energy_kwh"), 0, 0);
	CHECK_NEAR(metric(d, "temperature_c"), 39.2, 1e-9);	/* tC, not tF */
	CHECK_STR(d->kind, "plug");

	CHECK(line(l, "shellies/plus1pm/events/rpc", "WS_in", &o, NULL) == 1);
	CHECK(HAS(odev(&o, "shellies/plus1pm"), ECO_SWITCH) && odev(&o, "shellies/plus1pm")->switch_on);

	CHECK(line(l, "shellies/plus1pm/online", "false", &o, NULL) == 1);
	CHECK(odev(&o, "shellies/plus1pm")->online == 0);

	CHECK(line(l, "shellyplus1-441793ab3fb4/events/rpc", "37.67", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "shellyplus1-441793ab3fb4"), "temperature_c"), 37.67, 1e-9);

	CHECK(line(l, "shellyplus1-441793ab3fb4/status", "it_burns", &o, &who) == 1);
	CHECK_STR(who, "shelly");
	d = odev(&o, "shellyplus1-441793ab3fb4");
	CHECK(HAS(d, ECO_SWITCH) && d->switch_on == 1);
	CHECK_NEAR(metric(d, "temperature_c"), 54.6, 1e-9);
	CHECK_NEAR(metric(d, "rssi_dbm"), -52, 0);
	CHECK_STR(d->kind, "plug");

	CHECK(line(l, "shellyplus1-441793ab3fb4/status/input:0", "false", &o, NULL) == 1);
	CHECK(!HAS(odev(&o, "shellyplus1-441793ab3fb4"), ECO_SWITCH | ECO_BUTTON));
	lab_close(l);
}

TEST(t_corpus_esphome)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_out o;
	const char *who = NULL;
	struct eco_dev *d;

	CHECK(line(l, "lab-env/status", "online", &o, &who) == 1);
	CHECK_STR(who, "esphome");
	CHECK(HAS(odev(&o, "lab-env"), ECO_ONLINE) && odev(&o, "lab-env")->online == 1);

	CHECK(line(l, "homeassistant/sensor/lab-env/temperature/config", "temperature", &o, &who) == 1);
	CHECK_STR(who, "homeassistant");
	d = odev(&o, "lab-env");
	CHECK_STR(d->source, "esphome");
	CHECK_STR(d->name, "Capteur labo — salle 2");
	CHECK_STR(d->model, "Espressif esp32dev");
	CHECK(HAS(d, ECO_FIRMWARE) && !strncmp(d->firmware, "2024.10.2", 9));
	CHECK_STR(d->kind, "sensor");

	CHECK(line(l, "esphome/discover/lab-env", "friendly_name", &o, &who) == 1);
	CHECK_STR(who, "esphome");
	d = odev(&o, "lab-env");
	CHECK_STR(d->name, "Capteur labo — salle 2");
	CHECK_STR(d->model, "esp32dev");
	CHECK_STR(d->firmware, "2024.10.2");

	/* the rest in order, so discovery is known */
	CHECK(replay_to(l, "lab-env/sensor/pressure/state", "1013.2", &o, &who) == 1);
	CHECK_NEAR(metric(odev(&o, "lab-env"), "pressure_hpa"), 1013.2, 1e-9);
	CHECK(replay_to(l, "lab-env/sensor/temperature/state", "21.5", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "lab-env"), "temperature_c"), 21.5, 1e-9);
	CHECK(replay_to(l, "lab-env/sensor/humidity/state", "45.2", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "lab-env"), "humidity_pct"), 45.2, 1e-9);
	CHECK(replay_to(l, "lab-env/binary_sensor/enclosure_door/state", "OFF", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "lab-env"), "enclosure_door"), 0, 0);
	CHECK(replay_to(l, "lab-env/switch/fume_extractor/state", "ON", &o, NULL) == 1);
	d = odev(&o, "lab-env");
	CHECK(HAS(d, ECO_SWITCH) && d->switch_on == 1);
	CHECK_STR(d->kind, "sensor");	/* a switch does not make a sensor board a plug */
	CHECK(replay_to(l, "lab-env/sensor/temperature/state", "nan", &o, NULL) == 1);
	CHECK(isnan(metric(odev(&o, "lab-env"), "temperature_c")));
	CHECK(replay_to(l, "lab-env/status", "offline", &o, NULL) == 1);
	CHECK(HAS(odev(&o, "lab-env"), ECO_ONLINE) && odev(&o, "lab-env")->online == 0);
	/* discovery: clean removes one entity; others remain, so no forget */
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/lab-env/temperature/config", "") ==
	      ECO_IGNORED);
	lab_close(l);
}

TEST(t_corpus_z2m)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_ctx *ha = ctx_of(l, "homeassistant");
	const struct hadisco_entity *e;
	struct eco_out o;
	const char *who = NULL;
	struct eco_dev *d;

	CHECK(line(l, "homeassistant/sensor/0x0017880104e45522/temperature/config", "temperature",
		   &o, &who) == 1);
	CHECK_STR(who, "homeassistant");
	d = odev(&o, "weather_sensor");
	CHECK_STR(d->source, "z2m");
	CHECK_STR(d->name, "weather_sensor");
	CHECK_STR(d->model, "Aqara Temperature and humidity sensor");
	CHECK_STR(d->kind, "sensor");
	e = hadisco_lookup(ha, "zigbee2mqtt/weather_sensor", "temperature");
	CHECK(e && !strcmp(e->metric, "temperature_c"));

	CHECK(line(l, "homeassistant/sensor/0x00158d0008aa5a0d/linkquality/config", "Balkon", &o, NULL) == 1);
	CHECK_STR(odev(&o, "Temperatur Balkon")->source, "z2m");
	e = hadisco_lookup(ha, "zigbee2mqtt/Temperatur Balkon", "linkquality");
	CHECK(e && !strcmp(e->metric, "linkquality"));

	CHECK(line(l, "homeassistant/update/0x001788010804145f/update/config", "latest_version", &o, NULL) == 1);
	d = odev(&o, "Hue SmartPlug");
	CHECK_STR(d->firmware, "1.122.8");
	CHECK_STR(d->model, "Philips Hue smart plug - EU");

	CHECK(line(l, "homeassistant/sensor/0xa4c138493f8d6167/current/config", "current", &o, NULL) == 1);
	CHECK_STR(odev(&o, "DeumidificatoreC")->kind, "plug");

	CHECK(line(l, "homeassistant/sensor/0x00158d00054220cb/voltage/config", "mV", &o, NULL) == 1);
	e = hadisco_lookup(ha, "zigbee2mqtt/temp_3d_printer", "voltage");
	CHECK(e && !strcmp(e->metric, "voltage_v") && fabs(e->mul - 0.001) < 1e-12);

	CHECK(line(l, "zigbee2mqtt/bridge/state", "online", &o, &who) == 1);
	CHECK_STR(who, "z2m");
	d = odev(&o, "bridge");
	CHECK(HAS(d, ECO_ONLINE) && d->online == 1);
	CHECK(line(l, "zigbee2mqtt/bridge/state", "{\"state\":\"offline\"}", &o, NULL) == 1);
	CHECK(odev(&o, "bridge")->online == 0);

	CHECK(line(l, "zigbee2mqtt/weather_sensor", "-0.85", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "weather_sensor"), "temperature_c"), -0.85, 1e-9);
	CHECK(line(l, "zigbee2mqtt/weather_sensor", "0.01", &o, NULL) == 1);
	d = odev(&o, "weather_sensor");
	CHECK_NEAR(metric(d, "humidity_pct"), 0.01, 1e-9);
	CHECK_NEAR(metric(d, "pressure_hpa"), 2, 0);

	CHECK(line(l, "zigbee2mqtt/button", "single", &o, NULL) == 1);
	d = odev(&o, "button");
	CHECK(HAS(d, ECO_BUTTON | ECO_KIND));
	CHECK_STR(d->button, "single");
	CHECK_STR(d->kind, "button");
	CHECK_NEAR(metric(d, "linkquality"), 10, 0);

	CHECK(line(l, "zigbee2mqtt/0x00158d00023dc252", "3035", &o, NULL) == 1);
	d = odev(&o, "0x00158d00023dc252");
	CHECK_NEAR(metric(d, "battery_pct"), 100, 0);
	CHECK_NEAR(metric(d, "voltage_v"), 3.035, 1e-9);	/* mV → V */
	CHECK_NEAR(metric(d, "linkquality"), 73, 0);

	CHECK(line(l, "zigbee2mqtt/Bedroom_Aqara_Button_Bed", "\"click\":\"single\"", &o, NULL) == 1);
	d = odev(&o, "Bedroom_Aqara_Button_Bed");
	CHECK(HAS(d, ECO_BUTTON));
	CHECK_STR(d->button, "single");
	CHECK(HAS(d, ECO_TS));
	CHECK_NEAR(d->ts, 1574456452.223, 1e-3);
	CHECK(line(l, "zigbee2mqtt/Bedroom_Aqara_Button_Bed", "\"click\":\"\"", &o, NULL) == 1);
	CHECK(!HAS(odev(&o, "Bedroom_Aqara_Button_Bed"), ECO_BUTTON));

	CHECK(line(l, "zigbee2mqtt/childroom_sw", "\"action\":\"single_right\"", &o, NULL) == 1);
	CHECK_STR(odev(&o, "childroom_sw")->button, "single_right");
	CHECK_STR(odev(&o, "childroom_sw")->kind, "button");
	CHECK(line(l, "zigbee2mqtt/childroom_sw", "\"action\":\"\"", &o, NULL) == 1);
	CHECK(!HAS(odev(&o, "childroom_sw"), ECO_BUTTON));
	CHECK(line(l, "zigbee2mqtt/childroom_sw", "\"action\":null", &o, NULL) == 1);
	CHECK(!HAS(odev(&o, "childroom_sw"), ECO_BUTTON));
	/* JSON seen from this device: the attribute copy is not a second press */
	CHECK(line(l, "zigbee2mqtt/childroom_sw/action", "single_right", &o, NULL) == 1);
	CHECK(!HAS(odev(&o, "childroom_sw"), ECO_BUTTON));
	CHECK(odev(&o, "childroom_sw/action")->native[0] == '\0');

	CHECK(line(l, "zigbee2mqtt/hallway_il", "12042", &o, NULL) == 1);
	CHECK_NEAR(metric(odev(&o, "hallway_il"), "illuminance_lx"), 16, 0);
	CHECK(line(l, "zigbee2mqtt/0x00158d0009e05ea2", "3055", &o, NULL) == 1);
	CHECK(!HAS(odev(&o, "0x00158d0009e05ea2"), ECO_BUTTON));
	CHECK(line(l, "zigbee2mqtt/bridge/state", "offline", &o, NULL) == 1);
	CHECK(odev(&o, "bridge")->online == 0);
	lab_close(l);

	/* attribute-only output mode: the attribute topic is the press */
	l = lab_open(NULL, NULL);
	CHECK(line(l, "zigbee2mqtt/childroom_sw/action", "single_right", &o, NULL) == 1);
	CHECK(HAS(odev(&o, "childroom_sw"), ECO_BUTTON));
	CHECK_STR(odev(&o, "childroom_sw")->button, "single_right");
	lab_close(l);
}

/* A Sonoff S31-style ENERGY report (integers below 10 space-padded). */
static void s31(char *buf, size_t len, const char *power, const char *volt, const char *cur)
{
	snprintf(buf, len, "{\"Time\":\"2026-11-21T10:00:00\",\"ENERGY\":{\"TotalStartTime\":"
		 "\"2026-01-01T00:00:00\",\"Total\":1.500,\"Yesterday\":0.2,\"Today\":0.1,"
		 "\"Period\": 0,\"Power\":%s,\"ApparentPower\": 0,\"ReactivePower\": 0,"
		 "\"Factor\":0.00,\"Voltage\":%s,\"Current\":%s}}", power, volt, cur);
}

TEST(t_tasmota_plug_sequence)
{
	struct lab *l = lab_open(NULL, NULL);
	char buf[512];

	CHECK(feedr(l, "tasmota", "tele/prusa-salle2/LWT", "Online") == ECO_OK);
	CHECK(dev(l, "prusa-salle2")->online == 1);
	CHECK(feed(l, "tasmota", "stat/prusa-salle2/POWER", "ON") == ECO_OK);
	CHECK(HAS(dev(l, "prusa-salle2"), ECO_SWITCH) && dev(l, "prusa-salle2")->switch_on == 1);
	s31(buf, sizeof(buf), " 6", "230", "0.050");	/* idle, space-padded */
	CHECK(feed(l, "tasmota", "tele/prusa-salle2/SENSOR", buf) == ECO_OK);
	CHECK_NEAR(metric(dev(l, "prusa-salle2"), "power_w"), 6, 0);
	s31(buf, sizeof(buf), "215", "231", "0.930");	/* heating */
	CHECK(feed(l, "tasmota", "tele/prusa-salle2/SENSOR", buf) == ECO_OK);
	CHECK_NEAR(metric(dev(l, "prusa-salle2"), "power_w"), 215, 0);
	CHECK_NEAR(metric(dev(l, "prusa-salle2"), "current_a"), 0.93, 1e-9);
	CHECK_STR(dev(l, "prusa-salle2")->kind, "plug");
	s31(buf, sizeof(buf), "\"7\"", "230", "0.05");	/* numbers as strings */
	CHECK(feed(l, "tasmota", "tele/prusa-salle2/SENSOR", buf) == ECO_OK);
	CHECK_NEAR(metric(dev(l, "prusa-salle2"), "power_w"), 7, 0);
	CHECK(feed(l, "tasmota", "stat/prusa-salle2/RESULT", "{\"POWER\":\"OFF\"}") == ECO_OK);
	CHECK(HAS(dev(l, "prusa-salle2"), ECO_SWITCH) && dev(l, "prusa-salle2")->switch_on == 0);
	s31(buf, sizeof(buf), " 0", " 0", "0.000");	/* relay off reads 0 V */
	CHECK(feed(l, "tasmota", "tele/prusa-salle2/SENSOR", buf) == ECO_OK);
	CHECK_NEAR(metric(dev(l, "prusa-salle2"), "voltage_v"), 0, 0);
	CHECK(feedr(l, "tasmota", "tele/prusa-salle2/LWT", "Offline") == ECO_OK);
	CHECK(HAS(dev(l, "prusa-salle2"), ECO_ONLINE) && dev(l, "prusa-salle2")->online == 0);
	/* an emptied retained LWT: the device is gone */
	CHECK(feedr(l, "tasmota", "tele/prusa-salle2/LWT", "") == ECO_OK);
	CHECK(HAS(dev(l, "prusa-salle2"), ECO_FORGET));
	/* truncated report (Tasmota's buffer overflow) */
	CHECK(feed(l, "tasmota", "tele/prusa-salle2/SENSOR", "{\"Time\":\"2026-11-21T10:00:00\",\"ENERGY\":{\"To") ==
	      ECO_BAD);
	CHECK(l->out.why[0] && !strstr(l->out.why, "ENERGY"));
	/* Fahrenheit and a Status 0 reply */
	CHECK(feed(l, "tasmota", "tele/th/SENSOR",
		   "{\"AM2301\":{\"Temperature\":72.5,\"Humidity\":40},\"TempUnit\":\"F\"}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "th"), "temperature_c"), 22.5, 1e-9);
	CHECK(feed(l, "tasmota", "stat/th/STATUS",
		   "{\"Status\":{\"Module\":1,\"DeviceName\":\"Imprimante 2\",\"FriendlyName\":[\"Prusa\"],\"Topic\":\"th\"}}") == ECO_OK);
	CHECK_STR(dev(l, "th")->name, "Imprimante 2");
	/* missing readings */
	CHECK(feed(l, "tasmota", "tele/th/SENSOR",
		   "{\"AM2301\":{\"Temperature\":null,\"Humidity\":\"nan\"},\"TempUnit\":\"C\"}") == ECO_OK);
	CHECK(dev(l, "th")->nmetric == 0);
	lab_close(l);
}

TEST(t_tasmota_fulltopic_and_switch)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_ctx *t = ctx_of(l, "tasmota");
	char topic[256], payload[256];

	CHECK(tasmota_ops.switch_cmd(t, "prusa-salle2", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "cmnd/prusa-salle2/POWER");
	CHECK_STR(payload, "ON");
	CHECK(tasmota_ops.switch_cmd(t, "prusa-salle2", 0, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(payload, "OFF");
	/* seen with the prefix after the topic: commands go back that way */
	CHECK(feed(l, "tasmota", "emoncms/lab/denky/tele/STATE", "{\"POWER\":\"ON\"}") == ECO_OK);
	CHECK(tasmota_ops.switch_cmd(t, "denky", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "emoncms/lab/denky/cmnd/POWER");
	/* fuzz crash: a wildcard in the seen layout must not reach a command */
	CHECK(feed(l, "tasmota", "emon#ms/lab/wild/tele/SENSOR", "{\"ENERGY\":{\"Power\":1}}") == ECO_OK);
	CHECK(tasmota_ops.switch_cmd(t, "wild", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "cmnd/wild/POWER");
	CHECK(tasmota_ops.switch_cmd(t, "zbbridge/IKEA_remote", 1, topic, sizeof(topic),
				     payload, sizeof(payload)) == -1);
	CHECK(tasmota_ops.switch_cmd(t, "x", 1, topic, 8, payload, sizeof(payload)) == -1);
	lab_close(l);

	/* a configured FullTopic pattern */
	l = lab_open("tasmota", "lab/%prefix%/%topic%/");
	t = ctx_of(l, "tasmota");
	CHECK(feed(l, "tasmota", "lab/tele/plug7/SENSOR", "{\"ENERGY\":{\"Power\":12}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "plug7"), "power_w"), 12, 0);
	CHECK(tasmota_ops.switch_cmd(t, "plug9", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "lab/cmnd/plug9/POWER");
	lab_close(l);

	/* Tasmota's own discovery */
	l = lab_open(NULL, NULL);
	t = ctx_of(l, "tasmota");
	CHECK(feedr(l, "tasmota", "tasmota/discovery/A4CF12B3C4D5/config",
		    "{\"ip\":\"10.0.0.5\",\"dn\":\"Tasmota\",\"fn\":[\"Découpeuse laser\",null],"
		    "\"hn\":\"laser\",\"mac\":\"A4CF12B3C4D5\",\"md\":\"Sonoff S31\",\"sw\":\"13.1.0\","
		    "\"t\":\"laser\",\"ft\":\"%topic%/%prefix%/\",\"tp\":[\"cmnd\",\"stat\",\"tele\"],"
		    "\"rl\":[1,0,0,0,0,0,0,0]}") == ECO_OK);
	CHECK_STR(dev(l, "laser")->name, "Découpeuse laser");
	CHECK_STR(dev(l, "laser")->model, "Sonoff S31");
	CHECK_STR(dev(l, "laser")->kind, "plug");
	CHECK(tasmota_ops.switch_cmd(t, "laser", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "laser/cmnd/POWER");
	CHECK(feed(l, "tasmota", "tasmota/discovery/A4CF12B3C4D5/sensors",
		   "{\"sn\":{\"Time\":\"2026-01-01T00:00:00\",\"ENERGY\":{\"Power\":42}},\"ver\":1}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "laser"), "power_w"), 42, 0);
	CHECK(feedr(l, "tasmota", "tasmota/discovery/A4CF12B3C4D5/config", "") == ECO_OK);
	CHECK(HAS(dev(l, "laser"), ECO_FORGET));
	lab_close(l);
}

/* Tasmota sensor boards other than the sample's: SHT3X, SI7021 in °F,
 * BMP280, BME680 in inHg, MHZ19B, BH1750, PMS5003, SGP30; multi-channel
 * ENERGY arrays (Shelly 2.5, three-phase PZEM); two relays. */
TEST(t_tasmota_sensor_types)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_dev *d;

	CHECK(feed(l, "tasmota", "tele/sht/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"SHT3X\":"
		   "{\"Temperature\":21.8,\"Humidity\":45.3,\"DewPoint\":9.5},\"TempUnit\":\"C\"}") == ECO_OK);
	d = dev(l, "sht");
	CHECK_STR(d->kind, "sensor");
	CHECK_NEAR(metric(d, "temperature_c"), 21.8, 1e-9);
	CHECK_NEAR(metric(d, "humidity_pct"), 45.3, 1e-9);
	CHECK(feed(l, "tasmota", "tele/si/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"SI7021\":"
		   "{\"Temperature\":71.6,\"Humidity\":40.1,\"DewPoint\":46.4},\"TempUnit\":\"F\"}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "si"), "temperature_c"), 22, 1e-9);
	CHECK_NEAR(metric(dev(l, "si"), "dew_point_c"), 8, 1e-9);
	CHECK(feed(l, "tasmota", "tele/bmp/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"BMP280\":"
		   "{\"Temperature\":22.1,\"Pressure\":1013.2,\"SeaPressure\":1020.1},"
		   "\"PressureUnit\":\"hPa\",\"TempUnit\":\"C\"}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "bmp"), "pressure_hpa"), 1013.2, 1e-9);
	CHECK_STR(dev(l, "bmp")->kind, "sensor");
	CHECK(feed(l, "tasmota", "tele/bme680/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"BME680\":"
		   "{\"Temperature\":24.1,\"Humidity\":38.2,\"DewPoint\":9.1,\"Pressure\":29.92,\"Gas\":120.4},"
		   "\"PressureUnit\":\"inHg\",\"TempUnit\":\"C\"}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "bme680"), "pressure_hpa"), 29.92 * 33.8639, 1e-6);
	CHECK(feed(l, "tasmota", "tele/co2/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"MHZ19B\":"
		   "{\"Model\":\"B\",\"CarbonDioxide\":612,\"Temperature\":24.0},\"TempUnit\":\"C\"}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "co2"), "co2_ppm"), 612, 0);
	CHECK(feed(l, "tasmota", "tele/lux/SENSOR",
		   "{\"Time\":\"2024-03-01T10:00:00\",\"BH1750\":{\"Illuminance\":235}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "lux"), "illuminance_lx"), 235, 0);
	CHECK_STR(dev(l, "lux")->kind, "sensor");
	/* particulate and VOC boards: sensors */
	CHECK(feed(l, "tasmota", "tele/pms/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"PMS5003\":"
		   "{\"CF1\":3,\"CF2.5\":5,\"CF10\":6,\"PM1\":3,\"PM2.5\":5,\"PM10\":6,\"PB0.3\":789,"
		   "\"PB0.5\":240,\"PB1\":40,\"PB2.5\":2,\"PB5\":0,\"PB10\":0}}") == ECO_OK);
	d = dev(l, "pms");
	CHECK_NEAR(metric(d, "pm25_ugm3"), 5, 0);
	CHECK_NEAR(metric(d, "pm10_ugm3"), 6, 0);
	CHECK(HAS(d, ECO_KIND));
	CHECK_STR(d->kind, "sensor");
	CHECK(feed(l, "tasmota", "tele/sgp/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"SGP30\":"
		   "{\"eCO2\":420,\"TVOC\":12,\"aHumidity\":8.1}}") == ECO_OK);
	CHECK_STR(dev(l, "sgp")->kind, "sensor");
	CHECK_NEAR(metric(dev(l, "sgp"), "voc_ppb"), 12, 0);

	/* Shelly 2.5 on Tasmota: two channels, Voltage shared */
	CHECK(feed(l, "tasmota", "tele/sh25/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"Switch1\":\"OFF\","
		   "\"ENERGY\":{\"TotalStartTime\":\"2021-01-01T00:00:00\",\"Total\":1.234,"
		   "\"Yesterday\":0.100,\"Today\":0.050,\"Period\":[0,0],\"Power\":[25,10],"
		   "\"ApparentPower\":[30,12],\"ReactivePower\":[10,5],\"Factor\":[0.83,0.80],"
		   "\"Voltage\":230,\"Current\":[0.130,0.052]},\"TempUnit\":\"C\"}") == ECO_OK);
	d = dev(l, "sh25");
	CHECK_STR(d->kind, "plug");
	CHECK_NEAR(metric(d, "power_w"), 35, 1e-9);
	CHECK_NEAR(metric(d, "current_a"), 0.182, 1e-9);
	CHECK_NEAR(metric(d, "voltage_v"), 230, 0);
	CHECK_NEAR(metric(d, "energy_kwh"), 1.234, 1e-9);
	/* three-phase PZEM with SetOption129: per-phase totals */
	CHECK(feed(l, "tasmota", "tele/pzem3/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"ENERGY\":"
		   "{\"TotalStartTime\":\"2021-01-01T00:00:00\",\"Total\":[1.1,2.2,3.3],\"Yesterday\":[0.1,0.1,0.1],"
		   "\"Today\":[0.01,0.02,0.03],\"Period\":[0,0,0],\"Power\":[100,200,300],"
		   "\"Factor\":[0.9,0.95,0.97],\"Frequency\":[50,50,50],\"Voltage\":[230,231,229],"
		   "\"Current\":[0.45,0.9,1.3]}}") == ECO_OK);
	d = dev(l, "pzem3");
	CHECK_NEAR(metric(d, "power_w"), 600, 1e-9);
	CHECK_NEAR(metric(d, "energy_kwh"), 6.6, 1e-9);
	CHECK_NEAR(metric(d, "voltage_v"), 230, 0);
	CHECK_NEAR(metric(d, "frequency_hz"), 50, 0);
	/* two relays: the first is the device's switch */
	CHECK(feed(l, "tasmota", "tele/twoch/STATE", "{\"Time\":\"2024-03-01T10:00:00\",\"UptimeSec\":3600,"
		   "\"POWER1\":\"ON\",\"POWER2\":\"OFF\",\"Wifi\":{\"AP\":1,\"RSSI\":76,\"Signal\":-62}}") == ECO_OK);
	d = dev(l, "twoch");
	CHECK(HAS(d, ECO_SWITCH | ECO_KIND) && d->switch_on == 1);
	CHECK_STR(d->kind, "plug");
	CHECK_NEAR(metric(d, "rssi_dbm"), -62, 0);
	CHECK(feed(l, "tasmota", "stat/twoch/POWER2", "ON") == ECO_IGNORED);
	CHECK(feed(l, "tasmota", "stat/twoch/RESULT", "{\"POWER1\":\"OFF\"}") == ECO_OK);
	CHECK(HAS(dev(l, "twoch"), ECO_SWITCH) && dev(l, "twoch")->switch_on == 0);
	/* a sensor board's chip temperature is not the room's */
	CHECK(feed(l, "tasmota", "tele/htu/SENSOR", "{\"Time\":\"2024-03-01T10:00:00\",\"HTU21\":"
		   "{\"Temperature\":23.4,\"Humidity\":50.2,\"DewPoint\":12.4},\"ESP32\":{\"Temperature\":48.9},"
		   "\"TempUnit\":\"C\"}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "htu"), "temperature_c"), 23.4, 1e-9);
	CHECK_NEAR(metric(dev(l, "htu"), "device_temperature_c"), 48.9, 1e-9);
	lab_close(l);
}

TEST(t_shelly_plug_sequence)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_ctx *s = ctx_of(l, "shelly");
	const char *P = "shellyplusplugs-80646fd031f8";
	char topic[256], payload[256], t[128];

	snprintf(t, sizeof(t), "%s/online", P);
	CHECK(feedr(l, "shelly", t, "true") == ECO_OK && dev(l, P)->online == 1);
	snprintf(t, sizeof(t), "%s/events/rpc", P);
	CHECK(feed(l, "shelly", t, "{\"src\":\"shellyplusplugs-80646fd031f8\",\"dst\":\"x/events\","
		   "\"method\":\"NotifyFullStatus\",\"params\":{\"ts\":1700000000.1,\"switch:0\":{\"id\":0,"
		   "\"output\":true, \"apower\":3.2, \"voltage\":229.1, \"current\":0.04,"
		   "\"aenergy\":{\"total\":1234.5,\"by_minute\":[1,2,3],\"minute_ts\":1700000000},"
		   "\"temperature\":{\"tC\":30.0, \"tF\":86.0}},\"sys\":{\"uptime\":5},"
		   "\"wifi\":{\"rssi\":-61}}}") == ECO_OK);
	CHECK(HAS(dev(l, P), ECO_SWITCH | ECO_KIND | ECO_TS) && dev(l, P)->switch_on == 1);
	CHECK_NEAR(metric(dev(l, P), "energy_kwh"), 1.2345, 1e-9);	/* Wh → kWh */
	CHECK_NEAR(metric(dev(l, P), "power_w"), 3.2, 1e-9);
	CHECK_STR(dev(l, P)->kind, "plug");
	CHECK_STR(dev(l, P)->model, "shellyplusplugs");
	CHECK(feed(l, "shelly", t, "{\"method\":\"NotifyStatus\",\"params\":{\"ts\":1700000060,"
		   "\"switch:0\":{\"id\":0,\"apower\":180.4,\"current\":0.8}}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, P), "power_w"), 180.4, 1e-9);
	CHECK(!HAS(dev(l, P), ECO_SWITCH));
	CHECK(feed(l, "shelly", t, "{\"method\":\"NotifyStatus\",\"params\":{\"ts\":1700000900,"
		   "\"switch:0\":{\"id\":0,\"apower\":2.9}}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, P), "power_w"), 2.9, 1e-9);
	snprintf(t, sizeof(t), "%s/online", P);
	CHECK(feedr(l, "shelly", t, "false") == ECO_OK && dev(l, P)->online == 0);
	CHECK(feedr(l, "shelly", t, "") == ECO_OK && HAS(dev(l, P), ECO_FORGET));

	/* buttons: NotifyEvent pushes, not btn_down */
	CHECK(feed(l, "shelly", "shellyplusi4-c4d8d5/events/rpc",
		   "{\"src\":\"shellyplusi4-c4d8d5\",\"method\":\"NotifyEvent\",\"params\":{\"ts\":1700000001.5,"
		   "\"events\":[{\"component\":\"input:0\",\"id\":0,\"event\":\"btn_down\",\"ts\":1700000001.5},"
		   "{\"component\":\"input:0\",\"id\":0,\"event\":\"single_push\",\"ts\":1700000001.5}]}}") == ECO_OK);
	CHECK(HAS(dev(l, "shellyplusi4-c4d8d5"), ECO_BUTTON));
	CHECK_STR(dev(l, "shellyplusi4-c4d8d5")->button, "input:0 single_push");
	CHECK(feed(l, "shelly", "shellyplusi4-c4d8d5/events/rpc",
		   "{\"method\":\"NotifyEvent\",\"params\":{\"ts\":1700000002,\"events\":[{\"component\":"
		   "\"input:1\",\"id\":1,\"event\":\"long_push\"}]}}") == ECO_OK);
	CHECK_STR(dev(l, "shellyplusi4-c4d8d5")->button, "input:1 long_push");
	CHECK(feed(l, "shelly", "shellyplusi4-c4d8d5/events/rpc",
		   "{\"method\":\"NotifyEvent\",\"params\":{\"events\":[{\"component\":\"input:0\","
		   "\"event\":\"btn_up\"}]}}") == ECO_OK);
	CHECK(!HAS(dev(l, "shellyplusi4-c4d8d5"), ECO_BUTTON));

	/* Gen1 */
	CHECK(feed(l, "shelly", "shellies/shellyplug-s-7AB123/relay/0", "on") == ECO_OK);
	CHECK(HAS(dev(l, "shellies/shellyplug-s-7AB123"), ECO_SWITCH));
	CHECK(feed(l, "shelly", "shellies/shellyplug-s-7AB123/relay/0/power", "57.3") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shellyplug-s-7AB123"), "power_w"), 57.3, 1e-9);
	CHECK(feed(l, "shelly", "shellies/shellyplug-s-7AB123/relay/0/energy", "60000") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shellyplug-s-7AB123"), "energy_kwh"), 1.0, 1e-9);
	CHECK(feed(l, "shelly", "shellies/shellybutton1-A4CF/input_event/0",
		   "{\"event\":\"SS\",\"event_cnt\":4}") == ECO_OK);
	CHECK_STR(dev(l, "shellies/shellybutton1-A4CF")->button, "input:0 double_push");
	CHECK(feed(l, "shelly", "shellies/shellyht-1/sensor/temperature", "19.25") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shellyht-1"), "temperature_c"), 19.25, 1e-9);

	/* commands */
	CHECK(shelly_ops.switch_cmd(s, P, 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "shellyplusplugs-80646fd031f8/rpc");
	CHECK_STR(payload, "{\"id\":1,\"src\":\"mlab-hub\",\"method\":\"Switch.Set\",\"params\":{\"id\":0,\"on\":true}}");
	CHECK(shelly_ops.switch_cmd(s, "shellies/shellyplug-s-7AB123", 0, topic, sizeof(topic),
				    payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "shellies/shellyplug-s-7AB123/relay/0/command");
	CHECK_STR(payload, "off");
	lab_close(l);
}

/* Shelly devices other than plugs: a Plus H&T that publishes one
 * component per topic, a Pro 3EM, a Gen3 plug with returned energy, a
 * Plus 2PM as a cover and as two switches, a Pro with an add-on probe. */
TEST(t_shelly_more_devices)
{
	struct lab *l = lab_open(NULL, NULL);
	const char *HT = "shellyplusht-08b61fcb7f3c", *EM = "shellypro3em-c8f09e8a1b2c";
	const char *PM = "shellyplus1pm-a8032ab12345";
	struct eco_dev *d;

	/* H&T: temperature:0, humidity:0, devicepower:0, each alone */
	CHECK(feedr(l, "shelly", "shellyplusht-08b61fcb7f3c/online", "true") == ECO_OK);
	CHECK(feed(l, "shelly", "shellyplusht-08b61fcb7f3c/status/temperature:0",
		   "{\"id\": 0,\"tC\":22.4, \"tF\":72.3}") == ECO_OK);
	d = dev(l, HT);
	CHECK_NEAR(metric(d, "temperature_c"), 22.4, 1e-9);
	CHECK(HAS(d, ECO_KIND));
	CHECK_STR(d->kind, "sensor");
	CHECK(feed(l, "shelly", "shellyplusht-08b61fcb7f3c/status/humidity:0",
		   "{\"id\": 0,\"rh\":45.6}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, HT), "humidity_pct"), 45.6, 1e-9);
	CHECK_STR(dev(l, HT)->kind, "sensor");
	CHECK(feed(l, "shelly", "shellyplusht-08b61fcb7f3c/status/devicepower:0",
		   "{\"id\": 0,\"battery\":{\"V\":5.98, \"percent\":99},\"external\":{\"present\":false}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, HT), "battery_pct"), 99, 1e-9);
	CHECK_STR(dev(l, HT)->kind, "sensor");
	CHECK(feed(l, "shelly", "shellyplusht-08b61fcb7f3c/events/rpc",
		   "{\"src\":\"shellyplusht-08b61fcb7f3c\",\"dst\":\"shellyplusht-08b61fcb7f3c/events\","
		   "\"method\":\"NotifyStatus\",\"params\":{\"ts\":1700000000.12,"
		   "\"temperature:0\":{\"id\":0,\"tC\":22.9,\"tF\":73.2}}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, HT), "temperature_c"), 22.9, 1e-9);
	CHECK_STR(dev(l, HT)->kind, "sensor");
	/* Gen3 H&T waking up: the full status */
	CHECK(feed(l, "shelly", "shellyhtg3-84fce63a1b2c/events/rpc",
		   "{\"src\":\"shellyhtg3-84fce63a1b2c\",\"dst\":\"shellyhtg3-84fce63a1b2c/events\","
		   "\"method\":\"NotifyFullStatus\",\"params\":{\"ts\":1700000100.00,\"ble\":{},"
		   "\"cloud\":{\"connected\":false},\"devicepower:0\":{\"id\":0,\"battery\":{\"V\":5.6,"
		   "\"percent\":78},\"external\":{\"present\":false}},\"ht_ui\":{},\"humidity:0\":{\"id\":0,"
		   "\"rh\":51.2},\"mqtt\":{\"connected\":true},\"sys\":{\"uptime\":3},\"temperature:0\":"
		   "{\"id\":0,\"tC\":20.1,\"tF\":68.2},\"wifi\":{\"rssi\":-61}}}") == ECO_OK);
	d = dev(l, "shellyhtg3-84fce63a1b2c");
	CHECK_STR(d->kind, "sensor");
	CHECK_NEAR(metric(d, "temperature_c"), 20.1, 1e-9);
	CHECK_NEAR(metric(d, "battery_pct"), 78, 1e-9);

	/* Pro 3EM: three phases in em:0, energy in emdata:0 (Wh) */
	CHECK(feed(l, "shelly", "shellypro3em-c8f09e8a1b2c/status/em:0",
		   "{\"id\":0,\"a_current\":0.412,\"a_voltage\":231.2,\"a_act_power\":75.3,"
		   "\"a_aprt_power\":95.1,\"a_pf\":0.79,\"a_freq\":50.0,\"b_current\":1.1,"
		   "\"b_voltage\":230.1,\"b_act_power\":200.5,\"c_current\":0.2,\"c_voltage\":229.5,"
		   "\"c_act_power\":-10.2,\"n_current\":null,\"total_current\":1.712,"
		   "\"total_act_power\":265.6,\"total_aprt_power\":385.2,\"user_calibrated_phase\":[]}") == ECO_OK);
	d = dev(l, EM);
	CHECK_STR(d->kind, "sensor");	/* a meter without a relay */
	CHECK_NEAR(metric(d, "power_w"), 265.6, 1e-9);
	CHECK_NEAR(metric(d, "current_a"), 1.712, 1e-9);
	CHECK_NEAR(metric(d, "voltage_v"), 231.2, 1e-9);
	CHECK(feed(l, "shelly", "shellypro3em-c8f09e8a1b2c/status/emdata:0",
		   "{\"id\":0,\"a_total_act_energy\":1234.5,\"a_total_act_ret_energy\":0,"
		   "\"total_act\":3680.1,\"total_act_ret\":50.0}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, EM), "energy_kwh"), 3.6801, 1e-9);
	CHECK_NEAR(metric(dev(l, EM), "returned_energy_kwh"), 0.05, 1e-9);
	/* the Pro's own temperature after its meter: still the meter */
	CHECK(feed(l, "shelly", "shellypro3em-c8f09e8a1b2c/status/temperature:0",
		   "{\"id\":0,\"tC\":42.3,\"tF\":108.1}") == ECO_OK);
	CHECK(!HAS(dev(l, EM), ECO_KIND));

	/* Gen3 plug: ret_aenergy, freq */
	CHECK(feed(l, "shelly", "shellyplugsg3-a1b2c3d4e5f6/status/switch:0",
		   "{\"id\":0, \"source\":\"button\", \"output\":true, \"apower\":120.5, \"voltage\":229.8,"
		   " \"freq\":50.0, \"current\":0.548, \"pf\":0.95, \"aenergy\":{\"total\":5432.1,"
		   "\"by_minute\":[1800.0,1900.0,1850.0],\"minute_ts\":1700000220},\"ret_aenergy\":"
		   "{\"total\":12.000,\"by_minute\":[0.000,0.000,0.000],\"minute_ts\":1700000220},"
		   "\"temperature\":{\"tC\":38.2, \"tF\":100.8}}") == ECO_OK);
	d = dev(l, "shellyplugsg3-a1b2c3d4e5f6");
	CHECK(HAS(d, ECO_SWITCH) && d->switch_on == 1);
	CHECK_STR(d->kind, "plug");
	CHECK_NEAR(metric(d, "energy_kwh"), 5.4321, 1e-9);
	CHECK_NEAR(metric(d, "returned_energy_kwh"), 0.012, 1e-9);
	CHECK_NEAR(metric(d, "frequency_hz"), 50, 1e-9);

	/* Plus 2PM in cover mode: metering, no output */
	CHECK(feed(l, "shelly", "shellyplus2pm-b0b21c0a1b2c/status/cover:0",
		   "{\"id\":0, \"source\":\"WS_in\", \"state\":\"opening\", \"apower\":85.2,"
		   " \"voltage\":231.0, \"current\":0.410, \"pf\":0.90, \"freq\":50.0, \"aenergy\":"
		   "{\"total\":12.345,\"by_minute\":[0.0,0.0,0.0],\"minute_ts\":1700000300},"
		   "\"temperature\":{\"tC\":41.2, \"tF\":106.2},\"pos_control\":true,"
		   "\"last_direction\":\"open\",\"current_pos\":35}") == ECO_OK);
	d = dev(l, "shellyplus2pm-b0b21c0a1b2c");
	CHECK_STR(d->kind, "plug");
	CHECK(!HAS(d, ECO_SWITCH));
	CHECK_NEAR(metric(d, "power_w"), 85.2, 1e-9);
	/* Plus 2PM as two switches: the second channel has its own names */
	CHECK(feed(l, "shelly", "shellyplus2pm-b0b21c0a9999/status/switch:1",
		   "{\"id\":1, \"source\":\"WS_in\", \"output\":true, \"apower\":12.1, \"voltage\":230.2,"
		   " \"current\":0.060, \"aenergy\":{\"total\":50.0,\"by_minute\":[0.0,0.0,0.0],"
		   "\"minute_ts\":1700000300},\"temperature\":{\"tC\":40.0, \"tF\":104.0}}") == ECO_OK);
	d = dev(l, "shellyplus2pm-b0b21c0a9999");
	CHECK_STR(d->kind, "plug");
	CHECK_NEAR(metric(d, "power_w_1"), 12.1, 1e-9);
	CHECK_NEAR(metric(d, "energy_kwh_1"), 0.05, 1e-9);
	CHECK(isnan(metric(d, "power_w")));
	CHECK(!HAS(d, ECO_SWITCH));	/* the hub switches channel 0 */

	/* a Plus 1PM with an add-on probe: the probe alone does not make a sensor */
	CHECK(feed(l, "shelly", "shellyplus1pm-a8032ab12345/status/switch:0",
		   "{\"id\":0, \"source\":\"init\", \"output\":false, \"apower\":0.0, \"voltage\":230.0,"
		   " \"current\":0.000, \"aenergy\":{\"total\":100.0,\"by_minute\":[0,0,0],"
		   "\"minute_ts\":1},\"temperature\":{\"tC\":40.0, \"tF\":104.0}}") == ECO_OK);
	CHECK(feed(l, "shelly", "shellyplus1pm-a8032ab12345/status/temperature:100",
		   "{\"id\":100,\"tC\":19.9,\"tF\":67.8}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, PM), "temperature_c"), 19.9, 1e-9);
	CHECK(!HAS(dev(l, PM), ECO_KIND));
	lab_close(l);
}

TEST(t_collisions)
{
	struct lab *l = lab_open(NULL, NULL);

	/* <x>/status: ESPHome's words, Shelly's JSON, Moonraker's server */
	CHECK(feedr(l, "shelly", "lab-env/status", "online") == ECO_IGNORED);
	CHECK(feed(l, "esphome", "shellyplus1-441793ab3fb4/status",
		   "{\"sys\":{\"uptime\":3},\"switch:0\":{\"output\":true}}") == ECO_IGNORED);
	CHECK(feedr(l, "shelly", "voron/moonraker/status", "{\"server\":\"online\"}") == ECO_IGNORED);
	CHECK(feed(l, "shelly", "voron/klipper/status",
		   "{\"eventtime\":1.5,\"status\":{\"extruder\":{\"temperature\":21}}}") == ECO_IGNORED);
	CHECK(feedr(l, "esphome", "mlab/v1/hub/status", "online") == ECO_IGNORED);
	CHECK(feedr(l, "shelly", "mlab/v1/hub/status", "online") == ECO_IGNORED);
	CHECK(feed(l, "esphome", "homie/lab-bme/sensor/state", "ON") == ECO_IGNORED);
	CHECK(feed(l, "tasmota", "lab-env/sensor/temperature/state", "21.5") == ECO_IGNORED);
	CHECK(feed(l, "z2m", "zigbee2mqtt/bridge/devices", "[]") == ECO_IGNORED);
	CHECK(feed(l, "z2m", "zigbee2mqtt/bridge/logging", "{\"level\":\"info\"}") == ECO_IGNORED);
	CHECK(feed(l, "z2m", "zigbee2mqtt/plug/set", "{\"state\":\"ON\"}") == ECO_IGNORED);
	CHECK(feed(l, "z2m", "zigbee2mqtt/plug/get", "{\"state\":\"\"}") == ECO_IGNORED);
	CHECK(feed(l, "z2m", "zigbee2mqtt/plug/set/state", "ON") == ECO_IGNORED);
	CHECK(feed(l, "z2m", "zigbee2mqttx/plug", "{\"state\":\"ON\"}") == ECO_IGNORED);
	CHECK(feed(l, "homeassistant", "homeassistant/status", "online") == ECO_IGNORED);
	lab_close(l);
}

TEST(t_esphome_without_and_with_discovery)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_ctx *e = ctx_of(l, "esphome");
	char topic[256], payload[64];

	/* no discovery: names from the object id */
	CHECK(feed(l, "esphome", "atelier/sensor/wifi_signal/state", "-67") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "atelier"), "rssi_dbm"), -67, 0);
	CHECK(feed(l, "esphome", "atelier/sensor/bme_temperature/state", " 19.4 ") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "atelier"), "temperature_c"), 19.4, 1e-9);
	CHECK(feed(l, "esphome", "atelier/sensor/co2/state", "812") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "atelier"), "co2_ppm"), 812, 0);
	CHECK_STR(dev(l, "atelier")->kind, "sensor");
	CHECK(feed(l, "esphome", "atelier/sensor/co2/state", "null") == ECO_OK);
	CHECK(dev(l, "atelier")->nmetric == 0);
	CHECK(esphome_ops.switch_cmd(e, "atelier", 1, topic, sizeof(topic), payload, sizeof(payload)) == -1);
	CHECK(feed(l, "esphome", "atelier/switch/relais_1/state", "OFF") == ECO_OK);
	CHECK(esphome_ops.switch_cmd(e, "atelier", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "atelier/switch/relais_1/command");
	CHECK_STR(payload, "ON");
	/* a button binary sensor and an event entity */
	CHECK(feed(l, "esphome", "boite/binary_sensor/vote_button/state", "ON") == ECO_OK);
	CHECK(HAS(dev(l, "boite"), ECO_BUTTON));
	CHECK_STR(dev(l, "boite")->button, "vote_button press");
	CHECK(feed(l, "esphome", "boite/binary_sensor/vote_button/state", "OFF") == ECO_OK);
	CHECK(!HAS(dev(l, "boite"), ECO_BUTTON));
	CHECK(feed(l, "esphome", "boite/event/doorbell/state", "{\"event_type\":\"press\"}") == ECO_OK);
	CHECK_STR(dev(l, "boite")->button, "doorbell press");
	CHECK_STR(dev(l, "boite")->kind, "button");
	CHECK(feed(l, "esphome", "boite/event/doorbell/state", "{\"event_type\":") == ECO_BAD);

	/* with discovery: `~`, abbreviations, °F, and a switch known only there */
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/cuisine/temp_f/config",
		    "{\"~\":\"cuisine\",\"dev_cla\":\"temperature\",\"unit_of_meas\":\"°F\","
		    "\"stat_t\":\"~/sensor/temp_f/state\",\"avty_t\":\"~/status\",\"uniq_id\":\"x1\","
		    "\"dev\":{\"ids\":\"aa\",\"name\":\"Cuisine\",\"mdl\":\"esp01_1m\",\"mf\":\"Espressif\"}}") == ECO_OK);
	CHECK_STR(dev(l, "cuisine")->source, "esphome");
	CHECK_STR(dev(l, "cuisine")->name, "Cuisine");
	CHECK(feed(l, "esphome", "cuisine/sensor/temp_f/state", "70.0") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "cuisine"), "temperature_c"), 21.111111, 1e-5);
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/cuisine/power/config",
		    "{\"dev_cla\":\"power\",\"unit_of_meas\":\"kW\",\"stat_t\":\"cuisine/sensor/four/state\","
		    "\"avty_t\":\"cuisine/status\",\"dev\":{\"ids\":\"aa\"}}") == ECO_OK);
	CHECK_STR(dev(l, "cuisine")->kind, "plug");
	CHECK(feed(l, "esphome", "cuisine/sensor/four/state", "1.5") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "cuisine"), "power_w"), 1500, 1e-9);
	CHECK(feedr(l, "homeassistant", "homeassistant/switch/cuisine/hotte/config",
		    "{\"~\":\"cuisine/switch/hotte\",\"name\":\"Hotte\",\"stat_t\":\"~/state\","
		    "\"cmd_t\":\"~/command\",\"avty_t\":\"cuisine/status\"}") == ECO_OK);
	CHECK(esphome_ops.switch_cmd(e, "cuisine", 0, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "cuisine/switch/hotte/command");
	CHECK_STR(payload, "OFF");
	CHECK(esphome_ops.switch_cmd(e, "inconnu", 0, topic, sizeof(topic), payload, sizeof(payload)) == -1);
	lab_close(l);
}

TEST(t_hadisco_shapes)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_ctx *ha = ctx_of(l, "homeassistant");
	const struct hadisco_entity *e;
	char name[32];
	double mul, add;

	/* unknown owner: recorded, nothing emitted */
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/weird/t/config",
		    "{\"stat_t\":\"weird/place/t\",\"unit_of_meas\":\"°C\",\"name\":\"T\"}") == ECO_IGNORED);
	e = hadisco_lookup(ha, "weird/place/t", NULL);
	CHECK(e && !strcmp(e->source, "") && !strcmp(e->metric, "temperature_c"));
	/* full keys, Z2M action sensor → a button device */
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/0xabc/action/config",
		    "{\"state_topic\":\"zigbee2mqtt/Bouton accueil\",\"value_template\":\"{{ value_json.action }}\","
		    "\"device\":{\"identifiers\":[\"zigbee2mqtt_0xabc\"],\"name\":\"Bouton accueil\"},"
		    "\"origin\":{\"name\":\"Zigbee2MQTT\"}}") == ECO_OK);
	CHECK_STR(dev(l, "Bouton accueil")->kind, "button");
	e = hadisco_lookup(ha, "zigbee2mqtt/Bouton accueil", "action");
	CHECK(e && !strcmp(e->native, "Bouton accueil") && !strcmp(e->json_key, "action"));
	/* device-based discovery with components */
	CHECK(feedr(l, "homeassistant", "homeassistant/device/atelier2/config",
		    "{\"dev\":{\"ids\":\"x\",\"name\":\"Atelier 2\"},\"o\":{\"name\":\"esphome\"},"
		    "\"cmps\":{\"t\":{\"p\":\"sensor\",\"dev_cla\":\"humidity\",\"unit_of_meas\":\"%\","
		    "\"stat_t\":\"atelier2/sensor/hum/state\"}}}") == ECO_OK);
	CHECK_STR(dev(l, "atelier2")->source, "esphome");
	e = hadisco_lookup(ha, "atelier2/sensor/hum/state", NULL);
	CHECK(e && !strcmp(e->metric, "humidity_pct"));
	/* broken */
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/x/y/config", "{\"stat_t\":") == ECO_BAD);
	CHECK(l->out.why[0] != '\0');
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/x/y/config", "[1,2]") == ECO_BAD);
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/x/y/state", "{}") == ECO_IGNORED);
	/* metric naming */
	CHECK(hametric_name("energy", "Wh", NULL, name, sizeof(name), &mul, &add) == 0);
	CHECK_STR(name, "energy_kwh");
	CHECK_NEAR(mul, 0.001, 1e-12);
	CHECK(hametric_name(NULL, "mV", "batt", name, sizeof(name), &mul, &add) == 0);
	CHECK_STR(name, "voltage_v");
	CHECK(hametric_name(NULL, "", "uptime", name, sizeof(name), &mul, &add) == 0);
	CHECK_STR(name, "uptime_s");
	CHECK(hametric_name(NULL, "%", "Niveau réservoir", name, sizeof(name), &mul, &add) == 0);
	CHECK_STR(name, "niveau_r_servoir_pct");
	CHECK(hametric_name(NULL, NULL, NULL, name, sizeof(name), &mul, &add) == -1);
	lab_close(l);
}

TEST(t_z2m_sequences)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_ctx *z = ctx_of(l, "z2m");
	char topic[256], payload[64];

	/* availability, new and legacy, and removal */
	CHECK(feedr(l, "z2m", "zigbee2mqtt/Prise imprimante/availability", "{\"state\":\"online\"}") == ECO_OK);
	CHECK(dev(l, "Prise imprimante")->online == 1);
	CHECK(feedr(l, "z2m", "zigbee2mqtt/Prise imprimante/availability", "offline") == ECO_OK);
	CHECK(dev(l, "Prise imprimante")->online == 0);
	CHECK(feedr(l, "z2m", "zigbee2mqtt/Prise imprimante/availability", "") == ECO_OK);
	CHECK(HAS(dev(l, "Prise imprimante"), ECO_FORGET));
	CHECK(feedr(l, "z2m", "zigbee2mqtt/Prise imprimante/availability", "{\"state\":") == ECO_BAD);
	/* a metering plug: V stays V */
	CHECK(feed(l, "z2m", "zigbee2mqtt/Prise imprimante",
		   "{\"current\":0.52,\"energy\":12.5,\"linkquality\":120,\"power\":118,\"state\":\"ON\",\"voltage\":231}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "Prise imprimante"), "voltage_v"), 231, 0);
	CHECK_NEAR(metric(dev(l, "Prise imprimante"), "energy_kwh"), 12.5, 0);
	CHECK(HAS(dev(l, "Prise imprimante"), ECO_SWITCH) && dev(l, "Prise imprimante")->switch_on);
	CHECK_STR(dev(l, "Prise imprimante")->kind, "plug");
	/* names with '/' and UTF-8, numbers as strings, null, nan */
	CHECK(feed(l, "z2m", "zigbee2mqtt/salle 2/détecteur_pir",
		   "{\"occupancy\":true,\"temperature\":\"21.5\",\"humidity\":null,\"pressure\":\"nan\",\"battery\":\" 87 \"}") == ECO_OK);
	CHECK_STR(dev(l, "salle 2/détecteur_pir")->native, "salle 2/détecteur_pir");
	CHECK_NEAR(metric(dev(l, "salle 2/détecteur_pir"), "temperature_c"), 21.5, 0);
	CHECK_NEAR(metric(dev(l, "salle 2/détecteur_pir"), "occupancy"), 1, 0);
	CHECK_NEAR(metric(dev(l, "salle 2/détecteur_pir"), "battery_pct"), 87, 0);
	CHECK(isnan(metric(dev(l, "salle 2/détecteur_pir"), "humidity_pct")));
	CHECK(isnan(metric(dev(l, "salle 2/détecteur_pir"), "pressure_hpa")));
	/* a press, then the clearing "" */
	CHECK(feed(l, "z2m", "zigbee2mqtt/Bouton vote", "{\"action\":\"double\",\"battery\":90}") == ECO_OK);
	CHECK(HAS(dev(l, "Bouton vote"), ECO_BUTTON));
	CHECK_STR(dev(l, "Bouton vote")->button, "double");
	CHECK(feed(l, "z2m", "zigbee2mqtt/Bouton vote", "{\"action\":\"\",\"battery\":90}") == ECO_OK);
	CHECK(!HAS(dev(l, "Bouton vote"), ECO_BUTTON));
	CHECK_STR(dev(l, "Bouton vote")->kind, "button");
	/* a retained press is old news */
	CHECK(feedr(l, "z2m", "zigbee2mqtt/Bouton vote", "{\"action\":\"single\"}") == ECO_OK);
	CHECK(!HAS(dev(l, "Bouton vote"), ECO_BUTTON));
	/* a removed device's retained state is cleared */
	CHECK(feedr(l, "z2m", "zigbee2mqtt/Bouton vote", "") == ECO_OK);
	CHECK(HAS(dev(l, "Bouton vote"), ECO_FORGET));
	CHECK(feed(l, "z2m", "zigbee2mqtt/Bouton vote", "{\"action\":\"sin") == ECO_BAD);
	CHECK(feed(l, "z2m", "zigbee2mqtt/Bouton vote", "hello") == ECO_IGNORED);
	/* commands */
	CHECK(z2m_ops.switch_cmd(z, "Prise imprimante", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "zigbee2mqtt/Prise imprimante/set");
	CHECK_STR(payload, "{\"state\":\"ON\"}");
	CHECK(z2m_ops.switch_cmd(z, "Prise imprimante", 0, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(payload, "{\"state\":\"OFF\"}");
	CHECK(z2m_ops.switch_cmd(z, "bridge", 0, topic, sizeof(topic), payload, sizeof(payload)) == -1);
	lab_close(l);

	/* another base topic */
	l = lab_open("z2m", "zb");
	CHECK(feed(l, "z2m", "zb/capteur", "{\"temperature\":20}") == ECO_OK);
	CHECK(feed(l, "z2m", "zigbee2mqtt/capteur", "{\"temperature\":20}") == ECO_IGNORED);
	lab_close(l);
}

/* Hostile inputs through every parser of ours (ignoring filters). */
static void hostile(struct lab *l, const char *topic, const char *payload, size_t len, int retained)
{
	for (int i = 0; i < NMINE; i++) {
		int rc = feedl(l, mine[i]->name, topic, payload, (long)len, retained);

		CHECK(rc == ECO_OK || rc == ECO_IGNORED || rc == ECO_BAD);
		if (rc == ECO_BAD)
			CHECK(l->out.why[0] && strlen(l->out.why) < sizeof(l->out.why));
		CHECK(l->out.ndev >= 0 && l->out.ndev <= ECO_MAX_DEV);
	}
}

/* Zigbee2MQTT devices other than the sample's: light sensors (2.x lx and
 * 1.x raw + lux), CO2 and PM2.5, a metering plug (JSON and attribute
 * output), contact, occupancy with battery_low, leak, soil, a thermostat
 * (better_thermostat log), a bulb, a vibration sensor whose action is
 * not a button, and its discovery saying the same. */
TEST(t_z2m_more_devices)
{
	struct lab *l = lab_open(NULL, NULL);
	struct eco_dev *d;

	CHECK(feed(l, "z2m", "zigbee2mqtt/lux_sensor", "{\"battery\":100,\"device_temperature\":23,"
		   "\"illuminance\":120,\"linkquality\":90,\"power_outage_count\":3,\"voltage\":3000}") == ECO_OK);
	d = dev(l, "lux_sensor");
	CHECK_NEAR(metric(d, "illuminance_lx"), 120, 0);
	CHECK_NEAR(metric(d, "voltage_v"), 3.0, 1e-9);
	CHECK(isnan(metric(d, "temperature_c")));
	CHECK_STR(d->kind, "sensor");
	CHECK(feed(l, "z2m", "zigbee2mqtt/lux_old", "{\"battery\":100,\"illuminance\":21000,"
		   "\"illuminance_lux\":126,\"linkquality\":90,\"voltage\":3000}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "lux_old"), "illuminance_lx"), 126, 0);
	CHECK(feed(l, "z2m", "zigbee2mqtt/air", "{\"co2\":650,\"formaldehyd\":0.01,\"humidity\":45,"
		   "\"linkquality\":120,\"temperature\":22,\"voc\":12}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "air"), "co2_ppm"), 650, 0);
	CHECK_STR(dev(l, "air")->kind, "sensor");
	CHECK(feed(l, "z2m", "zigbee2mqtt/pm", "{\"linkquality\":120,\"pm25\":12}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "pm"), "pm25_ugm3"), 12, 0);
	CHECK_STR(dev(l, "pm")->kind, "sensor");

	/* a metering plug: V stays V, and attribute output */
	CHECK(feed(l, "z2m", "zigbee2mqtt/printer_plug", "{\"current\":0.05,\"energy\":1.23,"
		   "\"linkquality\":120,\"power\":12,\"power_on_behavior\":\"off\",\"state\":\"ON\","
		   "\"voltage\":231}") == ECO_OK);
	d = dev(l, "printer_plug");
	CHECK_STR(d->kind, "plug");
	CHECK(HAS(d, ECO_SWITCH) && d->switch_on == 1);
	CHECK_NEAR(metric(d, "power_w"), 12, 0);
	CHECK_NEAR(metric(d, "energy_kwh"), 1.23, 1e-9);
	CHECK_NEAR(metric(d, "voltage_v"), 231, 0);
	CHECK(feedr(l, "z2m", "zigbee2mqtt/printer_plug/availability", "{\"state\":\"offline\"}") == ECO_OK);
	CHECK(HAS(dev(l, "printer_plug"), ECO_ONLINE) && dev(l, "printer_plug")->online == 0);
	CHECK(feed(l, "z2m", "zigbee2mqtt/printer_plug/state", "OFF") == ECO_OK);
	CHECK(HAS(dev(l, "printer_plug"), ECO_SWITCH) && dev(l, "printer_plug")->switch_on == 0);
	CHECK(feed(l, "z2m", "zigbee2mqtt/printer_plug/power", "0") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "printer_plug"), "power_w"), 0, 0);
	/* a plug without metering */
	CHECK(feed(l, "z2m", "zigbee2mqtt/hue_plug", "{\"linkquality\":255,\"power_on_behavior\":\"on\","
		   "\"state\":\"ON\",\"update\":{\"installed_version\":1,\"latest_version\":1,\"state\":\"idle\"}}") == ECO_OK);
	CHECK_STR(dev(l, "hue_plug")->kind, "plug");
	/* a bulb is no plug */
	CHECK(feed(l, "z2m", "zigbee2mqtt/bulb", "{\"brightness\":254,\"color_mode\":\"color_temp\","
		   "\"color_temp\":370,\"linkquality\":100,\"state\":\"ON\"}") == ECO_OK);
	CHECK(!HAS(dev(l, "bulb"), ECO_KIND) && HAS(dev(l, "bulb"), ECO_SWITCH));

	/* detectors */
	CHECK(feed(l, "z2m", "zigbee2mqtt/door", "{\"battery\":100,\"contact\":false,"
		   "\"linkquality\":60,\"voltage\":3015}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "door"), "contact"), 0, 0);
	CHECK_NEAR(metric(dev(l, "door"), "voltage_v"), 3.015, 1e-9);
	CHECK_STR(dev(l, "door")->kind, "sensor");
	CHECK(feed(l, "z2m", "zigbee2mqtt/pir", "{\"battery\":97,\"battery_low\":false,"
		   "\"illuminance\":12,\"linkquality\":80,\"occupancy\":true,\"tamper\":false}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "pir"), "occupancy"), 1, 0);
	CHECK_NEAR(metric(dev(l, "pir"), "battery_low"), 0, 0);
	CHECK_STR(dev(l, "pir")->kind, "sensor");
	CHECK(feed(l, "z2m", "zigbee2mqtt/leak", "{\"battery\":100,\"linkquality\":70,"
		   "\"voltage\":3005,\"water_leak\":false}") == ECO_OK);
	CHECK_STR(dev(l, "leak")->kind, "sensor");
	CHECK(feed(l, "z2m", "zigbee2mqtt/soil", "{\"battery\":88,\"linkquality\":50,"
		   "\"soil_moisture\":32,\"temperature\":18}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "soil"), "moisture_pct"), 32, 0);
	CHECK(feed(l, "z2m", "zigbee2mqtt/vib", "{\"action\":\"tilt\",\"angle\":12,\"battery\":100,"
		   "\"linkquality\":50,\"strength\":10,\"vibration\":true}") == ECO_OK);
	d = dev(l, "vib");
	CHECK_NEAR(metric(d, "vibration"), 1, 0);
	CHECK_STR(d->kind, "sensor");

	/* a thermostatic valve: its room temperature, battery, volts */
	CHECK(feed(l, "z2m", "zigbee2mqtt/Thermostat Buero", "{\"away_preset_temperature\":\"5.0\","
		   "\"battery\":30,\"calibrate\":null,\"calibrated\":true,\"child_lock\":\"UNLOCK\","
		   "\"device_temperature\":24,\"external_temperature_input\":null,"
		   "\"internal_heating_setpoint\":19.5,\"linkquality\":53,\"local_temperature\":21.5,"
		   "\"occupied_heating_setpoint\":5,\"power_outage_count\":7,\"preset\":\"manual\","
		   "\"schedule\":false,\"sensor\":\"external\",\"setup\":false,\"system_mode\":\"heat\","
		   "\"update\":{\"installed_version\":2590,\"latest_version\":2590,\"state\":\"idle\"},"
		   "\"valve_alarm\":false,\"voltage\":3000,\"window_detection\":false,\"window_open\":false}") == ECO_OK);
	d = dev(l, "Thermostat Buero");
	CHECK_NEAR(metric(d, "temperature_c"), 21.5, 1e-9);
	CHECK_NEAR(metric(d, "device_temperature_c"), 24, 0);
	CHECK_NEAR(metric(d, "battery_pct"), 30, 0);
	CHECK_NEAR(metric(d, "voltage_v"), 3.0, 1e-9);
	CHECK(!HAS(d, ECO_SWITCH));	/* update.state is not a relay */
	CHECK_STR(d->kind, "sensor");

	/* the vibration sensor's discovery: a binary sensor and an action */
	CHECK(feedr(l, "homeassistant", "homeassistant/binary_sensor/0x00158d000a1b2c3d/vibration/config",
		    "{\"availability\":[{\"topic\":\"zigbee2mqtt/bridge/state\"}],\"device\":{\"identifiers\":"
		    "[\"zigbee2mqtt_0x00158d000a1b2c3d\"],\"manufacturer\":\"Aqara\",\"model\":\"Vibration sensor\","
		    "\"name\":\"vib\"},\"device_class\":\"vibration\",\"name\":\"Vibration\",\"payload_off\":false,"
		    "\"payload_on\":true,\"state_topic\":\"zigbee2mqtt/vib\",\"unique_id\":\"0x00158d000a1b2c3d_vibration_zigbee2mqtt\","
		    "\"value_template\":\"{{ value_json.vibration }}\"}") == ECO_OK);
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/0x00158d000a1b2c3d/action/config",
		    "{\"availability\":[{\"topic\":\"zigbee2mqtt/bridge/state\"}],\"device\":{\"identifiers\":"
		    "[\"zigbee2mqtt_0x00158d000a1b2c3d\"],\"manufacturer\":\"Aqara\",\"model\":\"Vibration sensor\","
		    "\"name\":\"vib\"},\"name\":\"Action\",\"state_topic\":\"zigbee2mqtt/vib\","
		    "\"unique_id\":\"0x00158d000a1b2c3d_action_zigbee2mqtt\",\"value_template\":\"{{ value_json.action }}\"}") == ECO_OK);
	CHECK_STR(dev(l, "vib")->source, "z2m");
	CHECK_STR(dev(l, "vib")->kind, "sensor");
	lab_close(l);
}

/* ESPHome nodes other than lab-env: °F, kW and Wh through discovery, an
 * air-quality node, a door contact alone, a PIR without discovery, a
 * text sensor, failed readings. */
TEST(t_esphome_more_nodes)
{
	struct lab *l = lab_open(NULL, NULL);

	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/weather-st/outdoor_temperature/config",
		    "{\"dev_cla\":\"temperature\",\"unit_of_meas\":\"°F\",\"stat_cla\":\"measurement\","
		    "\"name\":\"Outdoor Temperature\",\"stat_t\":\"weather-st/sensor/outdoor_temperature/state\","
		    "\"avty_t\":\"weather-st/status\",\"uniq_id\":\"ESPsensoroutdoor_temperature\",\"dev\":"
		    "{\"ids\":\"a4cf12b3c4d5\",\"name\":\"weather-st\",\"sw\":\"esphome v2024.6.1\","
		    "\"mdl\":\"esp32dev\",\"mf\":\"espressif\"}}") == ECO_OK);
	CHECK(feed(l, "esphome", "weather-st/sensor/outdoor_temperature/state", "68.0") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "weather-st"), "temperature_c"), 20, 1e-9);
	CHECK_STR(dev(l, "weather-st")->kind, "sensor");
	CHECK(feed(l, "esphome", "weather-st/sensor/outdoor_temperature/state", "nan") == ECO_OK);
	CHECK(dev(l, "weather-st")->nmetric == 0);

	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/heater-plug/heater_power/config",
		    "{\"dev_cla\":\"power\",\"unit_of_meas\":\"kW\",\"stat_cla\":\"measurement\",\"name\":"
		    "\"Heater Power\",\"stat_t\":\"heater-plug/sensor/heater_power/state\",\"avty_t\":"
		    "\"heater-plug/status\",\"uniq_id\":\"ESPsensorheater_power\",\"dev\":{\"ids\":\"a4cf12b3c4d6\","
		    "\"name\":\"heater-plug\",\"sw\":\"esphome v2024.6.1\",\"mdl\":\"esp8285\",\"mf\":\"espressif\"}}") == ECO_OK);
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/heater-plug/energy_wh/config",
		    "{\"dev_cla\":\"energy\",\"unit_of_meas\":\"Wh\",\"stat_cla\":\"total_increasing\",\"name\":"
		    "\"Energy\",\"stat_t\":\"heater-plug/sensor/energy_wh/state\",\"avty_t\":\"heater-plug/status\","
		    "\"uniq_id\":\"ESPsensorenergy_wh\",\"dev\":{\"ids\":\"a4cf12b3c4d6\",\"name\":\"heater-plug\","
		    "\"sw\":\"esphome v2024.6.1\",\"mdl\":\"esp8285\",\"mf\":\"espressif\"}}") == ECO_OK);
	CHECK(feed(l, "esphome", "heater-plug/sensor/heater_power/state", "1.25") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "heater-plug"), "power_w"), 1250, 1e-9);
	CHECK_STR(dev(l, "heater-plug")->kind, "sensor");	/* no relay seen yet */
	CHECK(feed(l, "esphome", "heater-plug/sensor/energy_wh/state", "1500") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "heater-plug"), "energy_kwh"), 1.5, 1e-9);
	CHECK(feed(l, "esphome", "heater-plug/switch/relay/state", "ON") == ECO_OK);
	CHECK(HAS(dev(l, "heater-plug"), ECO_SWITCH) && dev(l, "heater-plug")->switch_on == 1);
	CHECK_STR(dev(l, "heater-plug")->kind, "plug");
	CHECK(feed(l, "esphome", "heater-plug/text_sensor/ip_address/state", "192.168.1.50") == ECO_OK);
	CHECK(dev(l, "heater-plug")->nmetric == 0);

	/* particulates: a sensor, by discovery and without */
	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/airq/pm25/config",
		    "{\"dev_cla\":\"pm25\",\"unit_of_meas\":\"µg/m³\",\"stat_cla\":\"measurement\",\"name\":"
		    "\"PM2.5\",\"stat_t\":\"airq/sensor/pm25/state\",\"avty_t\":\"airq/status\",\"uniq_id\":"
		    "\"ESPsensorpm25\",\"dev\":{\"ids\":\"x1\",\"name\":\"airq\",\"sw\":\"esphome v2024.6.1\","
		    "\"mdl\":\"esp32dev\",\"mf\":\"espressif\"}}") == ECO_OK);
	CHECK_STR(dev(l, "airq")->kind, "sensor");
	CHECK(feed(l, "esphome", "airq/sensor/pm25/state", "12") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "airq"), "pm25_ugm3"), 12, 0);
	CHECK_STR(dev(l, "airq")->kind, "sensor");

	/* a door contact alone, announced */
	CHECK(feedr(l, "homeassistant", "homeassistant/binary_sensor/door/door_contact/config",
		    "{\"dev_cla\":\"door\",\"name\":\"Door Contact\",\"stat_t\":\"door/binary_sensor/door_contact/state\","
		    "\"avty_t\":\"door/status\",\"uniq_id\":\"ESPbinary_sensordoor_contact\",\"dev\":{\"ids\":\"x2\","
		    "\"name\":\"door\",\"sw\":\"esphome v2024.6.1\",\"mdl\":\"esp32dev\",\"mf\":\"espressif\"}}") == ECO_OK);
	CHECK_STR(dev(l, "door")->kind, "sensor");
	CHECK(feed(l, "esphome", "door/binary_sensor/door_contact/state", "OFF") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "door"), "door_contact"), 0, 0);
	CHECK_STR(dev(l, "door")->kind, "sensor");
	/* a PIR without discovery; its node's status binary sensor says nothing */
	CHECK(feed(l, "esphome", "hall/binary_sensor/status/state", "ON") == ECO_OK);
	CHECK(!HAS(dev(l, "hall"), ECO_KIND));
	CHECK(feed(l, "esphome", "hall/binary_sensor/pir_motion/state", "ON") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "hall"), "pir_motion"), 1, 0);
	CHECK_STR(dev(l, "hall")->kind, "sensor");
	CHECK(feed(l, "esphome", "hall/sensor/wifi_signal/state", "-67") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "hall"), "rssi_dbm"), -67, 0);
	lab_close(l);
}

TEST(t_hostile)
{
	static const char *topics[] = {
		"tele/x/SENSOR", "tele/x/STATE", "stat/x/RESULT", "tele/x/LWT", "stat/x/POWER",
		"a/b/c/x/tele/SENSOR", "tasmota/discovery/AA/config", "tasmota/discovery/AA/sensors",
		"shellies/x/status/switch:0", "shellies/x/events/rpc", "x/status", "x/online",
		"shellies/x/relay/0", "shellies/x/input_event/0", "shellies/x/announce",
		"x/sensor/temperature/state", "x/event/e/state", "esphome/discover/x",
		"zigbee2mqtt/x", "zigbee2mqtt/x y/availability", "zigbee2mqtt/bridge/state",
		"zigbee2mqtt/a/b", "homeassistant/sensor/x/config", "homeassistant/device/x/config",
		"homeassistant/sensor/n/x/config", "", "/", "//", "tele//", "zigbee2mqtt/",
		"x/climate/t/current_temperature/state",
	};
	static const char *payloads[] = {
		"", "{", "}", "[]", "null", "nan", "ON", "{\"a\":", "{\"ENERGY\":{\"Power\":[1,2,\"x\",null]}}",
		"{\"POWER\":1}", "{\"StatusSNS\":{\"StatusSNS\":{\"StatusSNS\":{\"StatusSNS\":{}}}}}",
		"{\"ZbReceived\":{\"a\":{\"0006!02\":\"\",\"Power\":\"x\"},\"b\":5,\"\":{}}}",
		"{\"method\":\"NotifyEvent\",\"params\":{\"events\":[1,null,{\"component\":5}]}}",
		"{\"method\":\"NotifyStatus\",\"params\":[]}", "{\"switch:99999999999\":{}}",
		"{\"sys\":[],\"switch:0\":7}", "{\"action\":5,\"click\":[],\"voltage\":\"1e999\"}",
		"{\"last_seen\":\"2019-13-45T99:99:99Z\"}", "{\"last_seen\":1e300}",
		"{\"~\":\"\",\"stat_t\":\"~\",\"dev\":{\"ids\":[[]]},\"o\":5}",
		"{\"cmps\":{\"a\":{\"p\":\"sensor\",\"stat_t\":\"~/x\"},\"b\":[]},\"~\":\"zigbee2mqtt\"}",
		"{\"val_tpl\":\"{{ value_json['unterminated }}\",\"stat_t\":\"zigbee2mqtt/a\"}",
		"\xff\xfe\x80 invalid utf-8 \xc3", "{\"friendly_name\":\"\xc3\x28\",\"board\":\"\xe2\x82\"}",
		"{\"t\":\"a/b\"}", "{\"t\":\"\"}", "{\"sn\":5}", "  21.5  ", "-45dBm", "1e308",
	};

	struct lab *l = lab_open(NULL, NULL);

	for (size_t t = 0; t < sizeof(topics) / sizeof(topics[0]); t++)
		for (size_t p = 0; p < sizeof(payloads) / sizeof(payloads[0]); p++) {
			hostile(l, topics[t], payloads[p], strlen(payloads[p]), 0);
			hostile(l, topics[t], payloads[p], strlen(payloads[p]), 1);
		}
	/* NULs inside, a topic with spaces, 1 MB of garbage, a 10 KB report */
	hostile(l, "tele/a b/SENSOR", "{\"x\":1}\0{\"y\":2}", 15, 0);
	{
		size_t n = 1 << 20;
		char *g = malloc(n + 1);
		unsigned s = 12345;

		for (size_t i = 0; i < n; i++) {
			s = s * 1103515245u + 12345u;
			g[i] = (char)(s >> 16);
		}
		g[n] = '\0';
		for (size_t t = 0; t < sizeof(topics) / sizeof(topics[0]); t++)
			hostile(l, topics[t], g, n, 0);
		memset(g, '{', n);
		hostile(l, "tele/x/SENSOR", g, n, 0);
		memset(g, '[', n);
		hostile(l, "zigbee2mqtt/x", g, n, 0);
		free(g);
	}
	{
		char big[12000];
		size_t o = 0;

		o += (size_t)snprintf(big + o, sizeof(big) - o, "{\"Time\":\"2026-01-01T00:00:00\"");
		for (int i = 1; o + 100 < sizeof(big) && i < 200; i++)
			o += (size_t)snprintf(big + o, sizeof(big) - o,
					      ",\"DS18B20-%d\":{\"Id\":\"0000%08d\",\"Temperature\":%d.5}", i, i, i);
		o += (size_t)snprintf(big + o, sizeof(big) - o, ",\"TempUnit\":\"C\"}");
		CHECK(o > 10000);
		CHECK(feedl(l, "tasmota", "tele/big/SENSOR", big, (long)o, 0) == ECO_OK);
		CHECK(dev(l, "big")->nmetric == ECO_MAX_METRIC);
		CHECK_NEAR(metric(dev(l, "big"), "temperature_c"), 1.5, 0);
	}
	/* a very long topic */
	{
		char t[2000];

		memset(t, 'a', sizeof(t) - 1);
		t[sizeof(t) - 1] = '\0';
		memcpy(t, "zigbee2mqtt/", 12);
		hostile(l, t, "{\"temperature\":1}", 17, 0);
		memcpy(t + sizeof(t) - 12, "/tele/STATE", 11);
		hostile(l, t, "{\"POWER\":\"ON\"}", 14, 0);
	}
	lab_close(l);
}

TEST(t_no_priv)
{
	/* parsers must cope without init() (no state kept) */
	for (int i = 0; i < NMINE; i++) {
		struct eco_ctx c = { .ops = mine[i], .prefix = mine[i]->default_prefix };
		struct eco_out o;
		char topic[256], payload[256];

		memset(&o, 0, sizeof(o));
		CHECK(mine[i]->parse(&c, "tele/x/STATE", "{\"POWER\":\"ON\"}", 14, 0, &o) >= ECO_BAD);
		memset(&o, 0, sizeof(o));
		CHECK(mine[i]->parse(&c, "x/switch/y/state", "ON", 2, 0, &o) >= ECO_BAD);
		memset(&o, 0, sizeof(o));
		CHECK(mine[i]->parse(&c, "homeassistant/sensor/x/y/config",
				     "{\"stat_t\":\"zigbee2mqtt/a\"}", 25, 1, &o) >= ECO_BAD);
		if (mine[i]->switch_cmd)
			CHECK(mine[i]->switch_cmd(&c, "a", 1, topic, sizeof(topic), payload,
						  sizeof(payload)) >= -1);
	}
	CHECK(hadisco_lookup(NULL, "x", NULL) == NULL);
}

int main(void)
{
	static const char *const files[] = {
		"tasmota.jsonl", "shelly.jsonl", "esphome.jsonl", "zigbee2mqtt.jsonl",
	};

	corpus_load(files, 4, NULL, NULL);
	RUN(t_filters);
	RUN(t_corpus_all);
	RUN(t_corpus_tasmota);
	RUN(t_corpus_tasmota_discovery);
	RUN(t_corpus_shelly);
	RUN(t_corpus_esphome);
	RUN(t_corpus_z2m);
	RUN(t_tasmota_plug_sequence);
	RUN(t_tasmota_fulltopic_and_switch);
	RUN(t_tasmota_sensor_types);
	RUN(t_shelly_plug_sequence);
	RUN(t_shelly_more_devices);
	RUN(t_collisions);
	RUN(t_esphome_without_and_with_discovery);
	RUN(t_hadisco_shapes);
	RUN(t_z2m_sequences);
	RUN(t_z2m_more_devices);
	RUN(t_esphome_more_nodes);
	RUN(t_hostile);
	RUN(t_no_priv);
	corpus_free();
	return t_done();
}
