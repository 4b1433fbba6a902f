/*
 * tasmota_read.c — the JSON payloads of Tasmota: STATE, SENSOR (one
 * object per sensor, ENERGY for metering, ZbReceived on Zigbee bridges),
 * RESULT and STATUSn, read into one device.  tasmota.c finds the device
 * in the topic and decides what the readings make of it.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "eco/tasmota.h"

/* Metric `name`, or `name_<sensor>` when an earlier sensor in this
 * message already gave `name` (three DS18B20 probes, say). */
static void tas_metric(struct eco_dev *d, const char *name, const char *sensor,
		       double v)
{
	char full[32];
	size_t o;

	for (int i = 0; i < d->nmetric; i++)
		if (!strcmp(d->metric[i].name, name))
			goto suffixed;
	eco_metric(d, name, v);
	return;
suffixed:
	o = (size_t)snprintf(full, sizeof(full), "%s_", name);
	for (const char *s = sensor; *s && o + 1 < sizeof(full); s++)
		if (isalnum((unsigned char)*s))
			full[o++] = (char)tolower((unsigned char)*s);
		else if (full[o - 1] != '_')
			full[o++] = '_';
	full[o] = '\0';
	eco_metric(d, full, v);
}

/* The readings of one sensor object (BME280, DS18B20-1, SCD40, ANALOG,
 * …) or of the message itself (a Sonoff SC's top-level Temperature). */
static void tas_readings(struct tas_walk *w, const char *key, const cJSON *obj)
{
	struct eco_dev *d = w->d;
	int chip = !strcmp(key, "ESP32") || !strcmp(key, "ESP8266") || !strcmp(key, "Global");
	const cJSON *j;
	double v;

	j = cJSON_GetObjectItemCaseSensitive(obj, "Temperature");
	if (eco_jnum(j, 0, &v) == 0) {
		if (w->fahrenheit)
			v = eco_f_to_c(v);
		if (chip) {
			eco_metric(d, "device_temperature_c", v);
		} else {
			tas_metric(d, "temperature_c", key, v);
			w->env = 1;
		}
	}
	if (chip)
		return;
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "Humidity"), 0, &v) == 0) {
		tas_metric(d, "humidity_pct", key, v);
		w->env = 1;
	}
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "DewPoint"), 0, &v) == 0)
		tas_metric(d, "dew_point_c", key, w->fahrenheit ? eco_f_to_c(v) : v);
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "Pressure"), 0, &v) == 0) {
		tas_metric(d, "pressure_hpa", key, v * w->press_mul);
		w->env = 1;
	}
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "CarbonDioxide"), 0, &v) == 0 ||
	    eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "CO2"), 0, &v) == 0 ||
	    eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "eCO2"), 0, &v) == 0) {
		tas_metric(d, "co2_ppm", key, v);
		w->env = 1;
	}
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "Illuminance"), 0, &v) == 0) {
		tas_metric(d, "illuminance_lx", key, v);
		w->env = 1;
	}
	/* air quality boards (PMS5003, SDS011, SGP30) are sensors too */
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "PM2.5"), 0, &v) == 0) {
		tas_metric(d, "pm25_ugm3", key, v);
		w->env = 1;
	}
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "PM10"), 0, &v) == 0) {
		tas_metric(d, "pm10_ugm3", key, v);
		w->env = 1;
	}
	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, "TVOC"), 0, &v) == 0) {
		tas_metric(d, "voc_ppb", key, v);
		w->env = 1;
	}
	/* Smart meters read by the SML / OBIS script driver (an IR head on
	 * the building's meter): the names are the script's, and the ones
	 * the driver's documentation teaches are Total_in / Total_out kWh
	 * and Power_curr W (negative when exporting).  A meter, no relay. */
	{
		static const struct {
			const char *key, *metric;
		} sml[] = {
			{ "Total_in", "energy_kwh" }, { "Total_out", "returned_energy_kwh" },
			{ "Power_curr", "power_w" }, { "Power_cur", "power_w" },
		};

		for (size_t i = 0; i < sizeof(sml) / sizeof(sml[0]); i++)
			if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, sml[i].key), 0, &v) == 0) {
				tas_metric(d, sml[i].metric, key, v);
				w->meter = 1;
				w->norelay = 1;
			}
	}
	/* ADC channels: ANALOG{A0…}, ADS1115{A0…A3}, ADS1x15 */
	cJSON_ArrayForEach(j, obj) {
		char name[16];
		const char *k = j->string;

		if (!k || k[0] != 'A' || !isdigit((unsigned char)k[1]) ||
		    (k[2] && (!isdigit((unsigned char)k[2]) || k[3])) ||
		    eco_jnum(j, 0, &v) < 0)
			continue;
		snprintf(name, sizeof(name), "analog_a%s", k + 1);
		tas_metric(d, name, key, v);
	}
}

/* One sensor object, or an array of them (several chips of one kind, as
 * Tasmota 6.x sent ADS1115).  The old DS18x20 driver nests one level more,
 * "DS18x20":{"DS1":{"Type","Address","Temperature"},"DS2":{…}}: an
 * object holding only objects is a group, each member a sensor. */
static void tas_sensor(struct tas_walk *w, const char *key, const cJSON *obj)
{
	const cJSON *j;
	int inner = 0, other = 0;

	if (cJSON_IsArray(obj)) {	/* "ADS1115":[{A0…},{A0…}]: one per chip */
		cJSON_ArrayForEach(j, obj)
			if (cJSON_IsObject(j))
				tas_readings(w, key, j);
		return;
	}
	cJSON_ArrayForEach(j, obj)
		if (cJSON_IsObject(j))
			inner++;
		else
			other++;
	if (!inner || other) {
		tas_readings(w, key, obj);
		return;
	}
	cJSON_ArrayForEach(j, obj)
		if (j->string)
			tas_readings(w, j->string, j);
}

/* Readings outside any sensor object: the Sonoff SC (Temperature,
 * Humidity, Light, Noise, AirQuality at the top) and the old ADC's
 * "Analog0". */
static void tas_toplevel(struct tas_walk *w, const cJSON *obj)
{
	static const struct {
		const char *key, *metric;
	} sc[] = {
		{ "Light", "light_level" }, { "Noise", "noise_level" },
		{ "AirQuality", "air_quality_level" }, { "Analog0", "analog_a0" },
	};
	double v;

	tas_readings(w, "SC", obj);
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++)
		if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, sc[i].key), 0, &v) == 0)
			eco_metric(w->d, sc[i].metric, v);
}

/* A value that may be an array (multi-channel meters): the sum of its
 * numbers when sum, else the first. */
static int tas_chan(const cJSON *j, int sum, double *v)
{
	const cJSON *e;
	double t = 0, x;
	int got = 0;

	if (!cJSON_IsArray(j))
		return eco_jnum(j, 0, v);
	cJSON_ArrayForEach(e, j) {
		if (eco_jnum(e, 0, &x) < 0)
			continue;
		if (!sum) {
			*v = x;
			return 0;
		}
		t += x;
		got = 1;
	}
	if (!got)
		return -1;
	*v = t;
	return 0;
}

/* The ENERGY object of a metering plug. */
void tas_energy(struct tas_walk *w, const cJSON *e)
{
	static const struct {
		const char *key, *metric;
		int sum;
	} map[] = {
		{ "Total", "energy_kwh", 1 }, { "Today", "energy_today_kwh", 1 },
		{ "Yesterday", "energy_yesterday_kwh", 1 }, { "Power", "power_w", 1 },
		{ "ApparentPower", "apparent_power_va", 1 },
		{ "ReactivePower", "reactive_power_var", 1 },
		{ "Factor", "power_factor", 0 }, { "Voltage", "voltage_v", 0 },
		{ "Current", "current_a", 1 }, { "Frequency", "frequency_hz", 0 },
	};
	double v;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (tas_chan(cJSON_GetObjectItemCaseSensitive(e, map[i].key),
			     map[i].sum, &v) == 0)
			eco_metric(w->d, map[i].metric, v);
	w->meter = 1;
}

/* ZbReceived: Zigbee devices heard by a Tasmota bridge, one device each.
 * A key with '!' is a cluster command (a remote's press); otherwise the
 * keys are attribute reports. */
static void tas_zigbee(struct tas_walk *w, const cJSON *zb)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, zb) {
		char id[ECO_ID_MAX], name[ECO_MAX] = "";
		const cJSON *k;
		struct eco_dev *d;
		int command = 0;
		double v;

		if (!cJSON_IsObject(c) || !c->string || !c->string[0])
			continue;
		snprintf(id, sizeof(id), "%s/%s", w->native, c->string);
		d = eco_dev_add(w->out, id);
		if (!d)
			return;
		if (eco_jstr(cJSON_GetObjectItemCaseSensitive(c, "Name"), name, sizeof(name)) == 0) {
			char *s = name;

			while (*s == ' ')
				s++;
			if (*s) {
				eco_strlcpy(d->name, sizeof(d->name), s, strlen(s));
				d->has |= ECO_NAME;
			}
		}
		cJSON_ArrayForEach(k, c)
			if (k->string && strchr(k->string, '!'))
				command = 1;
		if (eco_jnum(cJSON_GetObjectItemCaseSensitive(c, "LinkQuality"), 0, &v) == 0)
			eco_metric(d, "linkquality", v);
		if (eco_jnum(cJSON_GetObjectItemCaseSensitive(c, "BatteryPercentage"), 0, &v) == 0)
			eco_metric(d, "battery_pct", v);
		if (eco_jnum(cJSON_GetObjectItemCaseSensitive(c, "BatteryVoltage"), 0, &v) == 0)
			eco_metric(d, "voltage_v", v);
		if (eco_jnum(cJSON_GetObjectItemCaseSensitive(c, "Occupancy"), 0, &v) == 0)
			eco_metric(d, "occupancy", v);
		if (eco_jnum(cJSON_GetObjectItemCaseSensitive(c, "Contact"), 0, &v) == 0)
			eco_metric(d, "contact", v);
		{
			struct tas_walk cw = *w;

			cw.d = d;
			cw.env = 0;
			tas_sensor(&cw, c->string, c);
			if (cw.env && !command) {
				snprintf(d->kind, sizeof(d->kind), "sensor");
				d->has |= ECO_KIND;
			}
		}
		if (command) {
			static const struct {
				const char *key, *action;
			} acts[] = {
				{ "DimmerUp", "dimmer_up" }, { "DimmerDown", "dimmer_down" },
				{ "DimmerStop", "dimmer_stop" }, { "DimmerMove", "dimmer_move" },
				{ "DimmerStep", "dimmer_step" }, { "ArrowClick", "arrow_click" },
				{ "ArrowHold", "arrow_hold" }, { "ArrowRelease", "arrow_release" },
				{ "Scene", "scene" },
			};
			const char *act = NULL;
			const cJSON *pw = cJSON_GetObjectItemCaseSensitive(c, "Power");

			if (eco_jnum(pw, 0, &v) == 0)
				act = v == 0 ? "off" : v == 1 ? "on" : "toggle";
			for (size_t i = 0; !act && i < sizeof(acts) / sizeof(acts[0]); i++)
				if (cJSON_GetObjectItemCaseSensitive(c, acts[i].key))
					act = acts[i].action;
			cJSON_ArrayForEach(k, c)
				if (!act && k->string && strchr(k->string, '!'))
					act = k->string;
			snprintf(d->kind, sizeof(d->kind), "button");
			d->has |= ECO_KIND;
			if (act && !w->retained) {
				eco_strlcpy(d->button, sizeof(d->button), act, strlen(act));
				d->has |= ECO_BUTTON;
			}
		} else {
			int on = eco_jbool(cJSON_GetObjectItemCaseSensitive(c, "Power"));

			if (on >= 0) {
				d->switch_on = on;
				d->has |= ECO_SWITCH;
			}
		}
	}
}

/* Read units first: TempUnit comes after the sensors it qualifies. */
static void tas_units(struct tas_walk *w, const cJSON *obj)
{
	char s[16];

	if (eco_jstr(cJSON_GetObjectItemCaseSensitive(obj, "TempUnit"), s, sizeof(s)) == 0)
		w->fahrenheit = !strcmp(s, "F");
	if (eco_jstr(cJSON_GetObjectItemCaseSensitive(obj, "PressureUnit"), s, sizeof(s)) == 0)
		w->press_mul = !strcmp(s, "mmHg") ? 1.33322 : !strcmp(s, "inHg") ? 33.8639 : 1;
}

void tas_str(struct eco_dev *d, unsigned bit, char *dst, size_t len,
		    const cJSON *j)
{
	char s[128];

	if (eco_jstr(j, s, sizeof(s)) == 0 && s[0]) {
		eco_strlcpy(dst, len, s, strlen(s));
		d->has |= bit;
	}
}

/* Walk one JSON object of STATE/SENSOR/RESULT/STATUSn. */
void tas_walk(struct tas_walk *w, const cJSON *obj, int depth)
{
	struct eco_dev *d = w->d;
	const cJSON *j;
	double v;

	if (depth > 3)
		return;
	tas_units(w, obj);
	tas_toplevel(w, obj);
	cJSON_ArrayForEach(j, obj) {
		const char *k = j->string;

		if (!k)
			continue;
		if (!strcmp(k, "StatusSNS") || !strcmp(k, "StatusSTS")) {
			if (cJSON_IsObject(j))
				tas_walk(w, j, depth + 1);
		} else if (!strcmp(k, "POWER") || !strcmp(k, "POWER1")) {
			int on = eco_jbool(j);

			if (on >= 0 && cJSON_IsString(j)) {
				d->switch_on = on;
				d->has |= ECO_SWITCH;
				w->plug = 1;
			}
		} else if ((!strcmp(k, "ENERGY") || !strcmp(k, "StatusPWR")) &&
			   cJSON_IsObject(j)) {
			tas_energy(w, j);	/* StatusPWR: Tasmota 5.x STATUS8 */
		} else if (!strcmp(k, "TIC") && cJSON_IsObject(j)) {
			w->norelay = 1;		/* Teleinfo: an electricity meter */
		} else if (!strcmp(k, "Wifi") && cJSON_IsObject(j)) {
			if (eco_jnum(cJSON_GetObjectItemCaseSensitive(j, "Signal"), 1, &v) == 0)
				eco_metric(d, "rssi_dbm", v);
		} else if (!strcmp(k, "Signal (dBm)")) {
			if (eco_jnum(j, 1, &v) == 0)
				eco_metric(d, "rssi_dbm", v);
		} else if (!strcmp(k, "UptimeSec")) {
			if (eco_jnum(j, 0, &v) == 0)
				eco_metric(d, "uptime_s", v);
		} else if (!strcmp(k, "Epoch")) {
			if (eco_jnum(j, 0, &v) == 0 && v > 1e9) {
				d->ts = v;
				d->has |= ECO_TS;
			}
		} else if (!strcmp(k, "Status") && cJSON_IsObject(j)) {
			const cJSON *fn = cJSON_GetObjectItemCaseSensitive(j, "FriendlyName");

			if (cJSON_IsArray(fn))
				fn = cJSON_GetArrayItem(fn, 0);
			tas_str(d, ECO_NAME, d->name, sizeof(d->name),
				cJSON_GetObjectItemCaseSensitive(j, "DeviceName"));
			if (!(d->has & ECO_NAME))
				tas_str(d, ECO_NAME, d->name, sizeof(d->name), fn);
		} else if ((!strcmp(k, "StatusFWR") || !strcmp(k, "Info1")) && cJSON_IsObject(j)) {
			tas_str(d, ECO_FIRMWARE, d->firmware, sizeof(d->firmware),
				cJSON_GetObjectItemCaseSensitive(j, "Version"));
			if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "Module")))
				tas_str(d, ECO_MODEL, d->model, sizeof(d->model),
					cJSON_GetObjectItemCaseSensitive(j, "Module"));
		} else if ((!strcmp(k, "Module") || !strcmp(k, "Module or Template")) &&
			   cJSON_IsString(j)) {
			tas_str(d, ECO_MODEL, d->model, sizeof(d->model), j);
		} else if (!strcmp(k, "Version") && cJSON_IsString(j)) {
			tas_str(d, ECO_FIRMWARE, d->firmware, sizeof(d->firmware), j);
		} else if (!strcmp(k, "ZbReceived") && cJSON_IsObject(j)) {
			tas_zigbee(w, j);
		} else if ((cJSON_IsObject(j) || cJSON_IsArray(j)) && strncmp(k, "Status", 6) &&
			   strcmp(k, "Berry") && strcmp(k, "Info2") && strcmp(k, "Info3")) {
			tas_sensor(w, k, j);
		}
	}
}
