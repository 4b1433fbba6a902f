/*
 * test_eco_formats.c — device formats seen in real logs that are not the
 * firmware's current default shape (issue 17, part 8): Tasmota readings
 * outside a one-level "<Sensor>":{…} object (the flat ENERGY topic of
 * Tasmota 5.x, the Sonoff SC, the old DS18x20 driver), energy meters
 * without a relay, OctoPrint's Connected event as a printer's first
 * message, Bambu printers' chamber placeholder on any model, and
 * discovery configs that describe a device without saying it is there.
 *
 * The payloads follow each firmware's source (Sonoff-Tasmota 5.x
 * xsns_03_energy/xsns_04_snfsc/xsns_05_ds18x20, Tasmota's Teleinfo
 * driver, OctoPrint's events, Bambu's push_status); each case is one
 * test so that a regression names the format.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "eco/eco.h"
#include "t.h"

extern const struct eco_ops tasmota_ops, octoprint_ops, bambu_ops,
	homeassistant_ops, shelly_ops, z2m_ops;

/* Every ecosystem of the table, as the hub holds them (peers included). */
struct lab {
	struct eco_ctx ctx[32];
	struct eco_out out;
};

static struct lab *lab_open(void)
{
	struct lab *l = calloc(1, sizeof(*l));

	if (!l || eco_count > 32)
		abort();
	for (int i = 0; i < eco_count; i++) {
		l->ctx[i].ops = eco_table[i];
		l->ctx[i].prefix = eco_table[i]->default_prefix ? eco_table[i]->default_prefix : "";
		l->ctx[i].all = l->ctx;
		if (eco_table[i]->init && eco_table[i]->init(&l->ctx[i]))
			abort();
	}
	return l;
}

static void lab_close(struct lab *l)
{
	for (int i = 0; i < eco_count; i++)
		if (eco_table[i]->fini)
			eco_table[i]->fini(&l->ctx[i]);
	free(l);
}

/* Parse with the ecosystem named eco into a fresh l->out. */
static int feedr(struct lab *l, const char *eco, const char *topic,
		 const char *payload, int retained)
{
	size_t n = strlen(payload);
	char *copy = malloc(n + 1);
	int rc = ECO_IGNORED;

	memcpy(copy, payload, n + 1);
	memset(&l->out, 0, sizeof(l->out));
	for (int i = 0; i < eco_count; i++)
		if (!strcmp(eco_table[i]->name, eco))
			rc = eco_table[i]->parse(&l->ctx[i], topic, copy, n, retained, &l->out);
	free(copy);
	return rc;
}

static int feed(struct lab *l, const char *eco, const char *topic, const char *payload)
{
	return feedr(l, eco, topic, payload, 0);
}

static struct eco_dev *dev(struct lab *l, const char *native)
{
	return out_dev(&l->out, native);
}

#define metric(d, name) out_metric(d, name)

/* ------------------------------------------------------------- Tasmota */

/* Tasmota 5.x (Sonoff POW): tele/<t>/ENERGY, the readings at the top. */
TEST(t_tasmota5_flat_energy)
{
	struct lab *l = lab_open();
	struct eco_dev *d;

	CHECK(feed(l, "tasmota", "tele/sonoffpow/ENERGY",
		   "{\"Time\":\"2017-03-04T13:37:24\", \"Total\":0.013, \"Yesterday\":0.013, "
		   "\"Today\":0.000, \"Period\":0, \"Power\":42, \"Factor\":0.91, "
		   "\"Voltage\":229, \"Current\":0.190}") == ECO_OK);
	d = dev(l, "sonoffpow");
	CHECK_NEAR(metric(d, "power_w"), 42, 0);
	CHECK_NEAR(metric(d, "energy_kwh"), 0.013, 1e-9);
	CHECK_NEAR(metric(d, "voltage_v"), 229, 0);
	CHECK_NEAR(metric(d, "current_a"), 0.19, 1e-9);
	CHECK_NEAR(metric(d, "power_factor"), 0.91, 1e-9);
	/* the same firmware line's later shape: ENERGY nested on ENERGY */
	CHECK(feed(l, "tasmota", "tele/sonoffpow/ENERGY",
		   "{\"Time\":\"2017-12-16T11:48:55\",\"ENERGY\":{\"Total\":0.212,\"Yesterday\":0.000,"
		   "\"Today\":0.014,\"Period\":2.0,\"Power\":22.0,\"Factor\":1.00,\"Voltage\":213.6,"
		   "\"Current\":0.100}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "sonoffpow"), "power_w"), 22, 0);
	CHECK_NEAR(metric(dev(l, "sonoffpow"), "energy_kwh"), 0.212, 1e-9);
	/* STATUS8 of 5.x: StatusPWR */
	CHECK(feed(l, "tasmota", "stat/sonoffpow/STATUS8",
		   "{\"StatusPWR\":{\"Total\":0.300,\"Yesterday\":0.013,\"Today\":0.020,"
		   "\"Power\":30,\"Factor\":0.95,\"Voltage\":230,\"Current\":0.137}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "sonoffpow"), "power_w"), 30, 0);
	/* its relay: a plug */
	CHECK(feed(l, "tasmota", "tele/sonoffpow/STATE",
		   "{\"Time\":\"2017-03-04T13:37:24\",\"Uptime\":3,\"Vcc\":3.2,\"POWER\":\"ON\","
		   "\"Wifi\":{\"AP\":1,\"SSId\":\"lab\",\"RSSI\":80}}") == ECO_OK);
	CHECK_STR(dev(l, "sonoffpow")->kind, "plug");
	CHECK(feed(l, "tasmota", "tele/sonoffpow/ENERGY", "{\"Time\":\"2017-03-04T13:38:24\","
		   "\"Total\":0.014,\"Power\":40}") == ECO_OK);
	CHECK_STR(dev(l, "sonoffpow")->kind, "plug");
	lab_close(l);
}

/* Sonoff SC: Temperature, Humidity, Light, Noise, AirQuality at the top. */
TEST(t_tasmota_sonoff_sc)
{
	struct lab *l = lab_open();
	struct eco_dev *d;

	CHECK(feed(l, "tasmota", "tele/sonoffsc/SENSOR",
		   "{\"Time\":\"2018-01-20T17:02:37\",\"Temperature\":21.0,\"Humidity\":42.0,"
		   "\"Light\":10,\"Noise\":20,\"AirQuality\":90,\"TempUnit\":\"C\"}") == ECO_OK);
	d = dev(l, "sonoffsc");
	CHECK_NEAR(metric(d, "temperature_c"), 21, 0);
	CHECK_NEAR(metric(d, "humidity_pct"), 42, 0);
	CHECK_NEAR(metric(d, "light_level"), 10, 0);
	CHECK_NEAR(metric(d, "noise_level"), 20, 0);
	CHECK_NEAR(metric(d, "air_quality_level"), 90, 0);
	CHECK_STR(d->kind, "sensor");
	/* in Fahrenheit: TempUnit at the end still applies */
	CHECK(feed(l, "tasmota", "tele/sonoffsc/SENSOR",
		   "{\"Time\":\"2018-01-20T17:07:37\",\"Temperature\":71.6,\"Humidity\":40.0,"
		   "\"Light\":9,\"Noise\":30,\"AirQuality\":90,\"TempUnit\":\"F\"}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "sonoffsc"), "temperature_c"), 22, 1e-9);
	/* the old ADC: "Analog0" at the top */
	CHECK(feed(l, "tasmota", "tele/adc/SENSOR", "{\"Time\":\"2018-02-23T17:36:59\",\"Analog0\":298}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "adc"), "analog_a0"), 298, 0);
	lab_close(l);
}

/* The old DS18x20 driver: "DS18x20":{"DS1":{…},"DS2":{…}}. */
TEST(t_tasmota_ds18x20_nested)
{
	struct lab *l = lab_open();
	struct eco_dev *d;

	CHECK(feed(l, "tasmota", "tele/cave/SENSOR",
		   "{\"Time\":\"2017-10-05T17:43:19\", \"DS18x20\":{\"DS1\":{\"Type\":\"DS18B20\", "
		   "\"Address\":\"28FF9A9876815022A\", \"Temperature\":12.2}, \"DS2\":{\"Type\":\"DS18S20\", "
		   "\"Address\":\"10FF9A9876815022B\", \"Temperature\":14.5}}, \"TempUnit\":\"C\"}") == ECO_OK);
	d = dev(l, "cave");
	CHECK_NEAR(metric(d, "temperature_c"), 12.2, 1e-9);
	CHECK_NEAR(metric(d, "temperature_c_ds2"), 14.5, 1e-9);
	CHECK_STR(d->kind, "sensor");
	/* one probe only */
	CHECK(feed(l, "tasmota", "tele/cave2/SENSOR",
		   "{\"Time\":\"2017-10-05T17:43:19\", \"DS18x20\":{\"DS1\":{\"Type\":\"DS18B20\", "
		   "\"Address\":\"28FF9A9876815022A\", \"Temperature\":\"19.8\"}}, \"TempUnit\":\"C\"}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "cave2"), "temperature_c"), 19.8, 1e-9);
	lab_close(l);
}

/* Teleinfo (a French electricity meter's output): ENERGY + TIC, no
 * relay; a meter, never a plug — whatever order the messages come in. */
TEST(t_tasmota_meter_without_relay)
{
	struct lab *l = lab_open();

	CHECK(feed(l, "tasmota", "tele/linky/SENSOR",
		   "{\"Time\":\"2021-10-26T17:28:45\",\"ENERGY\":{\"TotalStartTime\":\"2021-10-25T15:22:04\","
		   "\"Total\":9098.245,\"Yesterday\":6822.685,\"Today\":2275.560,\"Period\":9,\"Power\":170,"
		   "\"Current\":1.000,\"Load\":6},\"TIC\":{\"ADCO\":\"021528603314\",\"OPTARIF\":\"HC..\","
		   "\"ISOUSC\":15,\"PAPP\":170}}") == ECO_OK);
	CHECK_STR(dev(l, "linky")->kind, "sensor");
	CHECK_NEAR(metric(dev(l, "linky"), "power_w"), 170, 0);
	CHECK(!(dev(l, "linky")->has & ECO_SWITCH));
	/* Teleinfo in standard mode sends ENERGY alone in later messages */
	CHECK(feed(l, "tasmota", "tele/linky/SENSOR", "{\"Time\":\"2021-10-26T17:29:45\","
		   "\"ENERGY\":{\"Total\":9098.3,\"Power\":180}}") == ECO_OK);
	CHECK_STR(dev(l, "linky")->kind, "sensor");

	/* a PZEM on a bare ESP: its STATE lists no POWER, so no relay */
	CHECK(feed(l, "tasmota", "tele/pzem/STATE", "{\"Time\":\"2024-01-01T10:00:00\","
		   "\"Uptime\":\"0T01:00:00\",\"UptimeSec\":3600,\"Heap\":25,\"Wifi\":{\"AP\":1,\"RSSI\":70}}") == ECO_OK);
	CHECK(!(dev(l, "pzem")->has & ECO_SWITCH));
	CHECK(feed(l, "tasmota", "tele/pzem/SENSOR", "{\"Time\":\"2024-01-01T10:00:00\","
		   "\"ENERGY\":{\"Total\":12.5,\"Power\":800,\"Voltage\":231,\"Current\":3.5}}") == ECO_OK);
	CHECK_STR(dev(l, "pzem")->kind, "sensor");
	CHECK_NEAR(metric(dev(l, "pzem"), "power_w"), 800, 0);

	/* a meter known from Tasmota discovery: "rl" all zero */
	CHECK(feedr(l, "tasmota", "tasmota/discovery/A4CF12AABBCC/config",
		    "{\"ip\":\"10.0.0.9\",\"dn\":\"Compteur\",\"fn\":[\"Compteur\",null],"
		    "\"hn\":\"compteur\",\"mac\":\"A4CF12AABBCC\",\"md\":\"Generic\",\"sw\":\"12.1.1\","
		    "\"t\":\"compteur\",\"ft\":\"%prefix%/%topic%/\",\"tp\":[\"cmnd\",\"stat\",\"tele\"],"
		    "\"rl\":[0,0,0,0,0,0,0,0],\"swc\":[-1,-1]}", 1) == ECO_OK);
	CHECK(feed(l, "tasmota", "tele/compteur/SENSOR", "{\"Time\":\"2024-01-01T10:00:00\","
		   "\"ENERGY\":{\"Total\":1.5,\"Power\":100}}") == ECO_OK);
	CHECK_STR(dev(l, "compteur")->kind, "sensor");

	/* and a metering plug stays a plug, even seen before its STATE */
	CHECK(feed(l, "tasmota", "tele/pow2/SENSOR", "{\"Time\":\"2024-01-01T10:00:00\","
		   "\"ENERGY\":{\"Total\":1.5,\"Power\":100}}") == ECO_OK);
	CHECK_STR(dev(l, "pow2")->kind, "plug");
	CHECK(feed(l, "tasmota", "tele/pow2/STATE", "{\"Time\":\"2024-01-01T10:00:00\","
		   "\"UptimeSec\":10,\"POWER\":\"OFF\"}") == ECO_OK);
	CHECK_STR(dev(l, "pow2")->kind, "plug");
	CHECK(feed(l, "tasmota", "tele/pow2/SENSOR", "{\"Time\":\"2024-01-01T10:01:00\","
		   "\"ENERGY\":{\"Total\":1.5,\"Power\":0}}") == ECO_OK);
	CHECK_STR(dev(l, "pow2")->kind, "plug");
	lab_close(l);
}

/* ----------------------------------------------------------- OctoPrint */

/* Connected is often a printer's first message: it creates the printer. */
TEST(t_octoprint_connected_first)
{
	struct lab *l = lab_open();
	struct eco_dev *d;

	CHECK(feed(l, "octoprint", "octoPrint/event/Connected",
		   "{\"port\": \"/dev/ttyACM0\", \"baudrate\": 115200, \"_event\": \"Connected\", "
		   "\"_timestamp\": 1763737901}") == ECO_OK);
	CHECK(l->out.ndev == 1);
	d = dev(l, "octoPrint");
	CHECK_STR(d->kind, "printer");
	CHECK((d->has & ECO_KIND) && (d->has & ECO_ONLINE) && d->online == 1);
	CHECK(feed(l, "octoprint", "octoPrint/event/Disconnected",
		   "{\"_event\": \"Disconnected\", \"_timestamp\": 1763737999}") == ECO_OK);
	CHECK((dev(l, "octoPrint")->has & ECO_ONLINE) && dev(l, "octoPrint")->online == 0);
	/* other events still say nothing */
	CHECK(feed(l, "octoprint", "octoPrint/event/ClientOpened",
		   "{\"remoteAddress\": \"10.0.0.5\", \"_event\": \"ClientOpened\"}") == ECO_IGNORED);
	lab_close(l);
}

/* --------------------------------------------------------------- Bambu */

/* chamber_temper 5 is a placeholder on every model, known or not. */
TEST(t_bambu_chamber_placeholder)
{
	static const char *const serials[] = {
		"device/00M00A123456789/report",	/* X1C */
		"device/01P00A123456789/report",	/* P1S */
		"device/0309DA123456789/report",	/* A1 mini */
		"device/ZZZ00A123456789/report",	/* a model not in the table */
	};
	struct lab *l = lab_open();

	for (size_t i = 0; i < sizeof(serials) / sizeof(serials[0]); i++) {
		CHECK(feed(l, "bambu", serials[i], "{\"print\":{\"nozzle_temper\":24.5,"
			   "\"bed_temper\":23,\"chamber_temper\":5,\"command\":\"push_status\",\"msg\":1}}") == ECO_OK);
		CHECK(isnan(metric(&l->out.dev[0], "chamber_temp_c")));
		CHECK_NEAR(metric(&l->out.dev[0], "nozzle_temp_c"), 24.5, 1e-9);
		CHECK(feed(l, "bambu", serials[i], "{\"print\":{\"chamber_temper\":5.0,"
			   "\"command\":\"push_status\",\"msg\":1}}") == ECO_IGNORED);
	}
	/* a real chamber reading is kept, on any model */
	CHECK(feed(l, "bambu", serials[0], "{\"print\":{\"chamber_temper\":31,\"command\":\"push_status\",\"msg\":1}}") == ECO_OK);
	CHECK_NEAR(metric(&l->out.dev[0], "chamber_temp_c"), 31, 0);
	CHECK(feed(l, "bambu", serials[3], "{\"print\":{\"chamber_temper\":28.5,\"command\":\"push_status\",\"msg\":1}}") == ECO_OK);
	CHECK_NEAR(metric(&l->out.dev[0], "chamber_temp_c"), 28.5, 1e-9);
	lab_close(l);
}

/* ----------------------------------------------------------- discovery */

/* A retained config describes a device; it does not say it is there. */
TEST(t_discovery_is_no_sign_of_life)
{
	struct lab *l = lab_open();
	struct eco_dev *d;

	CHECK(feedr(l, "homeassistant", "homeassistant/sensor/atelier/temperature/config",
		    "{\"name\":\"Température\",\"stat_t\":\"atelier/sensor/temperature/state\","
		    "\"avty_t\":\"atelier/status\",\"unit_of_meas\":\"°C\",\"dev_cla\":\"temperature\","
		    "\"uniq_id\":\"atelier-temp\",\"dev\":{\"ids\":[\"atelier\"],\"name\":\"Atelier\","
		    "\"mf\":\"espressif\",\"mdl\":\"esp32\",\"sw\":\"2024.6.0\"}}", 1) == ECO_OK);
	d = dev(l, "atelier");
	CHECK(d->has & ECO_DESCRIBE);
	CHECK(!(d->has & ECO_ONLINE));
	CHECK(d->nmetric == 0);
	/* the device itself then says it is there */
	CHECK(feedr(l, "esphome", "atelier/status", "online", 1) == ECO_OK);
	CHECK(!(dev(l, "atelier")->has & ECO_DESCRIBE));
	CHECK(dev(l, "atelier")->online == 1);
	/* Tasmota's own discovery config too */
	CHECK(feedr(l, "tasmota", "tasmota/discovery/A4CF12000001/config",
		    "{\"dn\":\"Prise\",\"fn\":[\"Prise\"],\"md\":\"Sonoff Basic\",\"sw\":\"13.0.0\","
		    "\"t\":\"prise\",\"ft\":\"%prefix%/%topic%/\",\"tp\":[\"cmnd\",\"stat\",\"tele\"],"
		    "\"rl\":[1,0]}", 1) == ECO_OK);
	CHECK(dev(l, "prise")->has & ECO_DESCRIBE);
	CHECK_STR(dev(l, "prise")->kind, "plug");
	CHECK(feed(l, "tasmota", "tele/prise/LWT", "Online") == ECO_OK);
	CHECK(!(dev(l, "prise")->has & ECO_DESCRIBE));
	lab_close(l);
}

/* ------------------------------------------- formats from real logs, 2 */

/* Tasmota 6.x sent several chips of one kind as an array
 * ("ADS1115":[{"A0":…}]); ADC channels beyond A0 are read too. */
TEST(t_tasmota_sensor_arrays)
{
	struct lab *l = lab_open();
	struct eco_dev *d;

	CHECK(matches(&tasmota_ops, NULL, "PoolController/tele/SENSOR"));
	CHECK(feed(l, "tasmota", "PoolController/tele/SENSOR",
		   "{\"Time\":\"2019-04-21T05:47:55\",\"ADS1115\":[{\"A0\":1959,\"A1\":-1,"
		   "\"A2\":3165,\"A3\":3238}]}") == ECO_OK);
	d = dev(l, "PoolController");
	CHECK_NEAR(metric(d, "analog_a0"), 1959, 0);
	CHECK_NEAR(metric(d, "analog_a1"), -1, 0);
	CHECK_NEAR(metric(d, "analog_a3"), 3238, 0);
	/* two chips: the second one's channels get its name */
	CHECK(feed(l, "tasmota", "tele/pool/SENSOR",
		   "{\"ADS1115\":[{\"A0\":10,\"A1\":11},{\"A0\":20}],\"ANALOG\":{\"A0\":5,\"A1\":6}}") == ECO_OK);
	d = dev(l, "pool");
	CHECK_NEAR(metric(d, "analog_a0"), 10, 0);
	CHECK_NEAR(metric(d, "analog_a1"), 11, 0);
	CHECK_NEAR(metric(d, "analog_a0_ads1115"), 20, 0);
	CHECK_NEAR(metric(d, "analog_a0_analog"), 5, 0);
	/* keys that only look like channels, arrays of numbers: nothing */
	CHECK(feed(l, "tasmota", "tele/odd/SENSOR",
		   "{\"X\":{\"A\":1,\"A1B\":2,\"A123\":3},\"Y\":[1,2,3]}") == ECO_OK);
	CHECK(dev(l, "odd")->nmetric == 0);
	lab_close(l);
}

/* A FullTopic with levels before %topic% (fhem/%topic%/%prefix%/): the
 * stat/ replies are heard as well as tele/. */
TEST(t_tasmota_stat_behind_levels)
{
	struct lab *l = lab_open();

	CHECK(matches(&tasmota_ops, NULL, "fhem/H3_Garage_Temp/stat/STATUS2"));
	CHECK(matches(&tasmota_ops, NULL, "a/b/c/dev/stat/RESULT"));
	CHECK(feed(l, "tasmota", "fhem/H3_Garage_Temp/stat/STATUS2",
		   "{\"StatusFWR\":{\"Version\":\"15.0.1(release-sensors)\",\"Boot\":31}}") == ECO_OK);
	CHECK_STR(dev(l, "H3_Garage_Temp")->firmware, "15.0.1(release-sensors)");
	lab_close(l);
}

/* Shelly Gen1 publishes the device temperature at shellies/<id>/temperature,
 * and a Shelly 2/2.5 in roller mode its cover under roller/N. */
TEST(t_shelly_gen1_temperature)
{
	struct lab *l = lab_open();

	CHECK(matches(&shelly_ops, NULL, "shellies/shellyswitch25-0083A7/temperature"));
	CHECK(feed(l, "shelly", "shellies/shellyswitch25-0083A7/temperature", "59.03") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shellyswitch25-0083A7"), "temperature_c"), 59.03, 1e-9);
	/* in roller mode: the cover's state, its motor's power and energy */
	CHECK(matches(&shelly_ops, NULL, "shellies/shellyswitch25-0083A7/roller/0/power"));
	CHECK(feed(l, "shelly", "shellies/shellyswitch25-0083A7/roller/0", "stop") == ECO_OK);
	CHECK(feed(l, "shelly", "shellies/shellyswitch25-0083A7/roller/0/power", "12.5") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shellyswitch25-0083A7"), "power_w"), 12.5, 1e-9);
	CHECK(feed(l, "shelly", "shellies/shellyswitch25-0083A7/relay/energy", "453") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shellyswitch25-0083A7"), "energy_kwh"), 453 / 60000.0, 1e-12);
	CHECK(!(dev(l, "shellies/shellyswitch25-0083A7")->has & (ECO_KIND | ECO_SWITCH)));
	CHECK(feed(l, "shelly", "shellies/shellyswitch25-0083A7/roller/0/command", "open") == ECO_IGNORED);
	lab_close(l);
}

/* The ctx of ecosystem name in l. */
static struct eco_ctx *ctx_of(struct lab *l, const char *name)
{
	for (int i = 0; i < eco_count; i++)
		if (!strcmp(eco_table[i]->name, name))
			return &l->ctx[i];
	abort();
}

/* Zigbee2MQTT multi-gang relays (TS0002 and the like, Z2M#12481) have
 * state_l1, state_l2, … and no plain state: the first gang is the
 * device's switch, and switching it names that gang. */
TEST(t_z2m_multi_gang)
{
	struct lab *l = lab_open();
	struct eco_ctx *z = ctx_of(l, "z2m");
	char topic[256], payload[64];

	CHECK(feed(l, "z2m", "zigbee2mqtt/0xa4c138a75a17fa91",
		   "{\"linkquality\":114,\"state_l1\":\"OFF\",\"state_l2\":\"ON\"}") == ECO_OK);
	CHECK(dev(l, "0xa4c138a75a17fa91")->has & ECO_SWITCH);
	CHECK(dev(l, "0xa4c138a75a17fa91")->switch_on == 0);
	CHECK_STR(dev(l, "0xa4c138a75a17fa91")->kind, "plug");
	CHECK(z2m_ops.switch_cmd(z, "0xa4c138a75a17fa91", 1, topic, sizeof(topic),
				 payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "zigbee2mqtt/0xa4c138a75a17fa91/set");
	CHECK_STR(payload, "{\"state_l1\":\"ON\"}");
	/* left/right naming (eWeLink ZB-SW02) */
	CHECK(feed(l, "z2m", "zigbee2mqtt/LAZIENKA",
		   "{\"state_left\":\"ON\",\"state_right\":\"OFF\"}") == ECO_OK);
	CHECK(dev(l, "LAZIENKA")->switch_on == 1);
	CHECK(z2m_ops.switch_cmd(z, "LAZIENKA", 0, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(payload, "{\"state_left\":\"OFF\"}");
	/* a plain state wins, and a one-gang plug is switched by it */
	CHECK(feed(l, "z2m", "zigbee2mqtt/4gang",
		   "{\"state\":\"ON\",\"state_l1\":\"OFF\",\"state_l2\":\"OFF\"}") == ECO_OK);
	CHECK(dev(l, "4gang")->switch_on == 1);
	CHECK(z2m_ops.switch_cmd(z, "4gang", 0, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(payload, "{\"state\":\"OFF\"}");
	CHECK(z2m_ops.switch_cmd(z, "never-seen", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(payload, "{\"state\":\"ON\"}");
	/* a dimmer's per-gang brightness alone is no relay */
	CHECK(feed(l, "z2m", "zigbee2mqtt/dim", "{\"brightness_l1\":235}") == ECO_OK);
	CHECK(!(dev(l, "dim")->has & ECO_SWITCH));
	lab_close(l);
}

/* Tasmota's SML script driver (an IR head on the building's meter):
 * Total_in / Total_out kWh and Power_curr W under the script's sensor
 * name, even "" (Trucki2Shelly-Gateway#17).  A meter, no relay. */
TEST(t_tasmota_sml_meter)
{
	struct lab *l = lab_open();

	CHECK(feed(l, "tasmota", "stat/lesekopf/STATUS10",
		   "{\"StatusSNS\":{\"Time\":\"1970-06-11T05:35:26\",\"\":{\"Total_in\":2173.5,"
		   "\"Total_out\":349.3,\"Power_curr\":-136.39}}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "lesekopf"), "energy_kwh"), 2173.5, 1e-9);
	CHECK_NEAR(metric(dev(l, "lesekopf"), "returned_energy_kwh"), 349.3, 1e-9);
	CHECK_NEAR(metric(dev(l, "lesekopf"), "power_w"), -136.39, 1e-9);
	CHECK_STR(dev(l, "lesekopf")->kind, "sensor");
	CHECK(!(dev(l, "lesekopf")->has & ECO_SWITCH));
	CHECK(feed(l, "tasmota", "tele/sml2/SENSOR",
		   "{\"Time\":\"2024-09-12T12:11:20\",\"SML\":{\"Total_in\":\"12.5\",\"Power_cur\":450}}") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "sml2"), "energy_kwh"), 12.5, 1e-9);
	CHECK_NEAR(metric(dev(l, "sml2"), "power_w"), 450, 1e-9);
	CHECK_STR(dev(l, "sml2")->kind, "sensor");
	lab_close(l);
}

/* Shelly Gen1 inputs, presses, the long-push flag, overheating and the
 * add-on's probes: subscribed to and read (Shelly_MQTT#37, #73, #61,
 * ha-shellies-discovery#50 show them). */
TEST(t_shelly_gen1_inputs)
{
	struct lab *l = lab_open();
	const char *sw = "shellies/shellyswitch25-73123D";

	CHECK(matches(&shelly_ops, NULL, "shellies/shellyswitch25-73123D/input/1"));
	CHECK(matches(&shelly_ops, NULL, "shellies/shellydimmer2-E09806966E32/longpush/0"));
	CHECK(matches(&shelly_ops, NULL, "shellies/shelly1-328900/input_event/0"));
	CHECK(matches(&shelly_ops, NULL, "shellies/shelly1pm-A1/overtemperature"));
	CHECK(matches(&shelly_ops, NULL, "shellies/shelly1-A2/ext_temperature/0"));
	CHECK(matches(&shelly_ops, NULL, "shellies/shelly1-A2/ext_humidity/0"));
	CHECK(matches(&shelly_ops, "lab", "lab/shelly1-A2/input/0"));

	CHECK(feed(l, "shelly", "shellies/shellyswitch25-73123D/input/1", "1") == ECO_OK);
	CHECK_NEAR(metric(dev(l, sw), "input_1"), 1, 0);
	CHECK(!(dev(l, sw)->has & (ECO_KIND | ECO_SWITCH | ECO_BUTTON)));
	CHECK(feed(l, "shelly", "shellies/shellyswitch25-73123D/input/0", "0") == ECO_OK);
	CHECK_NEAR(metric(dev(l, sw), "input"), 0, 0);
	CHECK(feed(l, "shelly", "shellies/shellyswitch25-73123D/input/0", "x") == ECO_IGNORED);
	/* longpush says how the last press was; the press is input_event's */
	CHECK(feed(l, "shelly", "shellies/shellydimmer2-E09806966E32/longpush/0", "1") == ECO_OK);
	CHECK(dev(l, "shellies/shellydimmer2-E09806966E32")->nmetric == 0);
	CHECK(!(dev(l, "shellies/shellydimmer2-E09806966E32")->has & ECO_BUTTON));
	CHECK(feed(l, "shelly", "shellies/shelly1-328900/input_event/0",
		   "{\"event\":\"L\",\"event_cnt\":11}") == ECO_OK);
	CHECK_STR(dev(l, "shellies/shelly1-328900")->button, "input:0 long_push");

	CHECK(feed(l, "shelly", "shellies/shelly1pm-A1/overtemperature", "0") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shelly1pm-A1"), "overtemperature"), 0, 0);
	CHECK(feed(l, "shelly", "shellies/shelly1pm-A1/overtemperature", "1") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shelly1pm-A1"), "overtemperature"), 1, 0);

	/* the add-on's probes: °C and %, an unplugged one (999) says nothing,
	 * and once a probe is there the board's own temperature is not the room's */
	CHECK(feed(l, "shelly", "shellies/shelly1-A2/ext_temperature/0", "21.38") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shelly1-A2"), "temperature_c"), 21.38, 1e-9);
	CHECK_STR(dev(l, "shellies/shelly1-A2")->kind, "sensor");
	CHECK(feed(l, "shelly", "shellies/shelly1-A2/ext_temperature/1", "999") == ECO_OK);
	CHECK(dev(l, "shellies/shelly1-A2")->nmetric == 0);
	CHECK(feed(l, "shelly", "shellies/shelly1-A2/ext_humidity/0", "48.5") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "shellies/shelly1-A2"), "humidity_pct"), 48.5, 1e-9);
	CHECK(feed(l, "shelly", "shellies/shelly1-A2/temperature", "55.2") == ECO_OK);
	CHECK(dev(l, "shellies/shelly1-A2")->nmetric == 0);
	/* a relay seen first keeps it a plug */
	CHECK(feed(l, "shelly", "shellies/shelly1-A3/relay/0", "on") == ECO_OK);
	CHECK(feed(l, "shelly", "shellies/shelly1-A3/ext_temperature/0", "19") == ECO_OK);
	CHECK(!(dev(l, "shellies/shelly1-A3")->has & ECO_KIND));
	lab_close(l);
}

/* Gen2+ energy meters without a relay (3EM-63 Gen3 em1:N, Pro 3EM em:0,
 * PM Mini pm1:0) are sensors; a switch seen on the same device makes it
 * a plug, whichever comes first. */
TEST(t_shelly_meter_without_relay)
{
	struct lab *l = lab_open();

	CHECK(feed(l, "shelly", "shelly3em63g3-48f6eead1a8c/status/em1:0",
		   "{\"id\":0,\"current\":0.068,\"voltage\":229.5,\"act_power\":2.3,\"aprt_power\":15.6,"
		   "\"pf\":0.15,\"freq\":50.0,\"calibration\":\"factory\"}") == ECO_OK);
	CHECK_STR(dev(l, "shelly3em63g3-48f6eead1a8c")->kind, "sensor");
	CHECK_NEAR(metric(dev(l, "shelly3em63g3-48f6eead1a8c"), "power_w"), 2.3, 1e-9);
	CHECK(feed(l, "shelly", "shellypmminig3-1/status/pm1:0",
		   "{\"id\":0,\"voltage\":230.1,\"current\":0.1,\"apower\":20.5,"
		   "\"aenergy\":{\"total\":12.5}}") == ECO_OK);
	CHECK_STR(dev(l, "shellypmminig3-1")->kind, "sensor");
	/* a Pro EM: its contactor switch, then its meter: a plug */
	CHECK(feed(l, "shelly", "shellyproem50-1/status/switch:0",
		   "{\"id\":0,\"source\":\"init\",\"output\":false}") == ECO_OK);
	CHECK_STR(dev(l, "shellyproem50-1")->kind, "plug");
	CHECK(feed(l, "shelly", "shellyproem50-1/status/em1:0",
		   "{\"id\":0,\"current\":1.0,\"voltage\":230.0,\"act_power\":200.0}") == ECO_OK);
	CHECK(!(dev(l, "shellyproem50-1")->has & ECO_KIND));
	/* meter first, then the switch */
	CHECK(feed(l, "shelly", "shellyproem50-2/status/em1:0",
		   "{\"id\":0,\"act_power\":1.0}") == ECO_OK);
	CHECK_STR(dev(l, "shellyproem50-2")->kind, "sensor");
	CHECK(feed(l, "shelly", "shellyproem50-2/status/switch:0",
		   "{\"id\":0,\"output\":true}") == ECO_OK);
	CHECK_STR(dev(l, "shellyproem50-2")->kind, "plug");
	lab_close(l);
}

/* ESPHome's restart / safe_mode / shutdown switches are no relay. */
TEST(t_esphome_admin_switch)
{
	struct lab *l = lab_open();

	CHECK(feed(l, "esphome", "attic-powerwall/switch/attic-powerwall_restart/state", "OFF") == ECO_OK);
	CHECK(!(dev(l, "attic-powerwall")->has & (ECO_KIND | ECO_SWITCH)));
	CHECK(feed(l, "esphome", "node1/switch/safe_mode/state", "OFF") == ECO_OK);
	CHECK(!(dev(l, "node1")->has & ECO_SWITCH));
	/* a relay named so that it merely contains the word is a relay */
	CHECK(feed(l, "esphome", "node2/switch/restartable_pump/state", "ON") == ECO_OK);
	CHECK(dev(l, "node2")->has & ECO_SWITCH);
	CHECK_STR(dev(l, "node2")->kind, "plug");
	lab_close(l);
}

/* An ESPHome node that meters power with no relay (an inverter's power
 * demand, a clamp meter) is a meter, a sensor; a relay seen before or
 * after the readings makes it a plug. */
TEST(t_esphome_meter_without_relay)
{
	struct lab *l = lab_open();

	CHECK(feed(l, "esphome", "attic-powerwall/sensor/inverter0_power_demand/state", "190") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "attic-powerwall"), "power_w"), 190, 1e-9);
	CHECK_STR(dev(l, "attic-powerwall")->kind, "sensor");
	CHECK(feed(l, "esphome", "attic-powerwall/switch/attic-powerwall_restart/state", "OFF") == ECO_OK);
	CHECK(feed(l, "esphome", "attic-powerwall/sensor/inverter0_power_demand/state", "185") == ECO_OK);
	CHECK_STR(dev(l, "attic-powerwall")->kind, "sensor");	/* a restart switch is no relay */

	/* readings first, then the relay */
	CHECK(feed(l, "esphome", "bench-plug/sensor/power/state", "12.5") == ECO_OK);
	CHECK_STR(dev(l, "bench-plug")->kind, "sensor");
	CHECK(feed(l, "esphome", "bench-plug/switch/relay/state", "ON") == ECO_OK);
	CHECK_STR(dev(l, "bench-plug")->kind, "plug");
	CHECK(feed(l, "esphome", "bench-plug/sensor/power/state", "13") == ECO_OK);
	CHECK_STR(dev(l, "bench-plug")->kind, "plug");

	/* the relay first, then the readings */
	CHECK(feed(l, "esphome", "printer-plug/switch/relay/state", "OFF") == ECO_OK);
	CHECK_STR(dev(l, "printer-plug")->kind, "plug");
	CHECK(feed(l, "esphome", "printer-plug/sensor/current/state", "0.05") == ECO_OK);
	CHECK_STR(dev(l, "printer-plug")->kind, "plug");
	lab_close(l);
}

/* An ESPHome number is a setting: a node's temperature_offset must not
 * pass for its temperature (topics as esphome#10411's node logs them). */
TEST(t_esphome_number_is_setting)
{
	struct lab *l = lab_open();

	CHECK(feed(l, "esphome", "weather-sensor/sensor/temperature/state", "21.3") == ECO_OK);
	CHECK_NEAR(metric(dev(l, "weather-sensor"), "temperature_c"), 21.3, 1e-9);
	CHECK(feed(l, "esphome", "weather-sensor/number/temperature_offset/state", "-1.5") == ECO_OK);
	CHECK(dev(l, "weather-sensor")->nmetric == 0);
	CHECK(feed(l, "esphome", "weather-sensor/number/humidity_offset/state", "2") == ECO_OK);
	CHECK(dev(l, "weather-sensor")->nmetric == 0);
	lab_close(l);
}

/* OctoPrint's retained progress with printer_data: its state flags say
 * whether a job runs (a hub started mid-print never saw PrintStarted). */
TEST(t_octoprint_progress_flags)
{
	struct lab *l = lab_open();

	CHECK(feed(l, "octoprint", "octoPrint/progress/printing",
		   "{\"location\": \"local\", \"path\": \"a.gcode\", \"progress\": 92, \"printer_data\": "
		   "{\"state\": {\"text\": \"Printing\", \"flags\": {\"operational\": true, \"printing\": true, "
		   "\"paused\": false, \"pausing\": false}}, \"progress\": {\"printTimeLeft\": 912}}, "
		   "\"_timestamp\": 1629303524}") == ECO_OK);
	CHECK_STR(dev(l, "octoPrint")->job_state, "printing");
	CHECK_NEAR(dev(l, "octoPrint")->job_progress, 92, 0);
	CHECK(feed(l, "octoprint", "octoPrint/progress/printing",
		   "{\"location\": \"local\", \"path\": \"a.gcode\", \"progress\": 40, \"printer_data\": "
		   "{\"state\": {\"flags\": {\"printing\": false, \"paused\": true}}}}") == ECO_OK);
	CHECK_STR(dev(l, "octoPrint")->job_state, "paused");
	/* without printer_data the progress says nothing of the state */
	CHECK(feed(l, "octoprint", "octoPrint/progress/printing",
		   "{\"location\": \"local\", \"path\": \"a.gcode\", \"progress\": 41}") == ECO_OK);
	CHECK(!(dev(l, "octoPrint")->has & ECO_JOB_STATE));
	lab_close(l);
}

/* Klipper sends only what changed: a status of objects the hub does not
 * read (webhooks ready, toolhead) still shows the printer. */
TEST(t_moonraker_status_unread_objects)
{
	struct lab *l = lab_open();

	CHECK(feed(l, "moonraker", "moonraker/klipper/status",
		   "{\"eventtime\": 423824.53180501, \"status\": {\"webhooks\": {\"state\": \"ready\", "
		   "\"state_message\": \"Printer is ready\"}}}") == ECO_OK);
	CHECK_STR(dev(l, "moonraker")->kind, "printer");
	CHECK(feed(l, "moonraker", "moonraker/klipper/status",
		   "{\"eventtime\": 1.0, \"status\": {}}") == ECO_IGNORED);
	lab_close(l);
}

int main(void)
{
	RUN(t_tasmota5_flat_energy);
	RUN(t_tasmota_sonoff_sc);
	RUN(t_tasmota_ds18x20_nested);
	RUN(t_tasmota_meter_without_relay);
	RUN(t_octoprint_connected_first);
	RUN(t_bambu_chamber_placeholder);
	RUN(t_discovery_is_no_sign_of_life);
	RUN(t_tasmota_sensor_arrays);
	RUN(t_tasmota_stat_behind_levels);
	RUN(t_shelly_gen1_temperature);
	RUN(t_shelly_meter_without_relay);
	RUN(t_shelly_gen1_inputs);
	RUN(t_z2m_multi_gang);
	RUN(t_tasmota_sml_meter);
	RUN(t_esphome_admin_switch);
	RUN(t_esphome_meter_without_relay);
	RUN(t_esphome_number_is_setting);
	RUN(t_octoprint_progress_flags);
	RUN(t_moonraker_status_unread_objects);
	return t_done();
}
