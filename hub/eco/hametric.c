/*
 * hametric.c — Home Assistant's device classes and units turned into the
 * hub's metric names and SI units (hametric_name), and the words that say
 * an entity is a detector.  Pure: no state, no I/O.  Used by hadisco.c,
 * and by esphome.c, whose state payloads carry no unit.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eco/eco.h"

struct had_unit {
	const char *unit;
	double mul, add;
};

struct had_class {
	const char *cls;
	const char *metric;
	const struct had_unit *units;	/* NULL: any unit, no conversion */
};

static const struct had_unit u_temp[] = {
	{ "°C", 1, 0 }, { "C", 1, 0 }, { "ºC", 1, 0 }, { "℃", 1, 0 },
	{ "°F", 5.0 / 9, -32.0 * 5 / 9 }, { "F", 5.0 / 9, -32.0 * 5 / 9 },
	{ "ºF", 5.0 / 9, -32.0 * 5 / 9 }, { "K", 1, -273.15 }, { NULL, 0, 0 } };
static const struct had_unit u_press[] = {
	{ "hPa", 1, 0 }, { "mbar", 1, 0 }, { "Pa", 0.01, 0 }, { "kPa", 10, 0 },
	{ "bar", 1000, 0 }, { "psi", 68.9476, 0 }, { "inHg", 33.8639, 0 },
	{ "mmHg", 1.33322, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_power[] = {
	{ "W", 1, 0 }, { "kW", 1000, 0 }, { "mW", 0.001, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_energy[] = {
	{ "kWh", 1, 0 }, { "Wh", 0.001, 0 }, { "MWh", 1000, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_volt[] = {
	{ "V", 1, 0 }, { "mV", 0.001, 0 }, { "kV", 1000, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_amp[] = {
	{ "A", 1, 0 }, { "mA", 0.001, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_pct[] = { { "%", 1, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_lux[] = {
	{ "lx", 1, 0 }, { "lux", 1, 0 }, { "Lux", 1, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_ppm[] = { { "ppm", 1, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_dbm[] = { { "dBm", 1, 0 }, { "dB", 1, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_hz[] = {
	{ "Hz", 1, 0 }, { "kHz", 1000, 0 }, { NULL, 0, 0 } };
static const struct had_unit u_pf[] = {
	{ "", 1, 0 }, { "%", 0.01, 0 }, { "Cos φ", 1, 0 }, { NULL, 0, 0 } };

/* Home Assistant device classes the hub has a canonical name for. */
static const struct had_class had_classes[] = {
	{ "temperature", "temperature_c", u_temp },
	{ "humidity", "humidity_pct", u_pct },
	{ "moisture", "moisture_pct", u_pct },
	{ "pressure", "pressure_hpa", u_press },
	{ "atmospheric_pressure", "pressure_hpa", u_press },
	{ "carbon_dioxide", "co2_ppm", u_ppm },
	{ "illuminance", "illuminance_lx", u_lux },
	{ "power", "power_w", u_power },
	{ "energy", "energy_kwh", u_energy },
	{ "voltage", "voltage_v", u_volt },
	{ "current", "current_a", u_amp },
	{ "battery", "battery_pct", u_pct },
	{ "signal_strength", "rssi_dbm", u_dbm },
	{ "frequency", "frequency_hz", u_hz },
	{ "power_factor", "power_factor", u_pf },
	{ "pm25", "pm25_ugm3", NULL },
	{ "pm10", "pm10_ugm3", NULL },
	{ "pm1", "pm1_ugm3", NULL },
	{ "apparent_power", "apparent_power_va", NULL },
	{ "reactive_power", "reactive_power_var", NULL },
	{ "volatile_organic_compounds", "voc_ugm3", NULL },
	{ "volatile_organic_compounds_parts", "voc_ppb", NULL },
	{ NULL, NULL, NULL }
};

/* Object-id words, for sensors without a device class (ESPHome without
 * discovery; diagnostics).  Order matters: first match wins. */
static const struct {
	const char *word;
	const char *cls;
} had_words[] = {
	{ "linkquality", "linkquality" }, { "link_quality", "linkquality" },
	{ "power_factor", "power_factor" }, { "apparent_power", "apparent_power" },
	{ "reactive_power", "reactive_power" },
	{ "wifi_signal", "signal_strength" }, { "rssi", "signal_strength" },
	{ "signal", "signal_strength" },
	{ "temperature", "temperature" }, { "temp", "temperature" },
	{ "humidity", "humidity" }, { "co2", "carbon_dioxide" },
	{ "carbon_dioxide", "carbon_dioxide" },
	{ "pressure", "pressure" }, { "illuminance", "illuminance" },
	{ "lux", "illuminance" }, { "energy", "energy" }, { "power", "power" },
	{ "voltage", "voltage" }, { "current", "current" },
	{ "battery", "battery" }, { "frequency", "frequency" },
	{ "uptime", "uptime" },
	{ NULL, NULL }
};

/* Unit → class, for sensors with a unit but no device class. */
static const char *class_from_unit(const char *unit)
{
	for (int i = 0; had_classes[i].cls; i++) {
		const struct had_unit *u = had_classes[i].units;

		if (!u || u == u_pct || u == u_pf)
			continue;	/* % alone says nothing */
		for (; u->unit; u++)
			if (!strcmp(u->unit, unit))
				return had_classes[i].cls;
	}
	if (!strcmp(unit, "lqi"))
		return "linkquality";
	return NULL;
}

/* Lowercase [a-z0-9_] copy of s with `suffix`, for unnamed quantities. */
static void sanitize(const char *s, const char *suffix, char *dst, size_t len)
{
	size_t o = 0, sl = strlen(suffix);

	for (; *s && o + sl + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c))
			dst[o++] = (char)tolower(c);
		else if (o && dst[o - 1] != '_')
			dst[o++] = '_';
	}
	while (o && dst[o - 1] == '_')
		o--;
	memcpy(dst + o, suffix, sl + 1);
}

int hametric_name(const char *dev_class, const char *unit,
		  const char *object_id, char *name, size_t len,
		  double *mul, double *add)
{
	const char *cls = NULL;

	if (!unit)
		unit = "";
	if (!object_id)
		object_id = "";
	*mul = 1;
	*add = 0;
	if (dev_class && dev_class[0])
		cls = dev_class;
	if (!cls && unit[0])
		cls = class_from_unit(unit);
	if (!cls && object_id[0]) {
		char low[ECO_MAX];

		sanitize(object_id, "", low, sizeof(low));
		for (int i = 0; had_words[i].word; i++)
			if (strstr(low, had_words[i].word)) {
				cls = had_words[i].cls;
				break;
			}
		if (cls && !strcmp(cls, "signal_strength") && !strcmp(unit, "%"))
			cls = NULL;
	}
	if (cls && !strcmp(cls, "linkquality")) {
		snprintf(name, len, "linkquality");
		return 0;
	}
	if (cls && !strcmp(cls, "uptime") && (!unit[0] || !strcmp(unit, "s"))) {
		snprintf(name, len, "uptime_s");
		return 0;
	}
	for (int i = cls ? 0 : -1; i >= 0 && had_classes[i].cls; i++) {
		const struct had_unit *u = had_classes[i].units;

		if (strcmp(had_classes[i].cls, cls))
			continue;
		if (u && unit[0]) {
			for (; u->unit && strcmp(u->unit, unit); u++)
				;
			if (!u->unit)
				break;	/* a unit we cannot convert: generic name */
			*mul = u->mul;
			*add = u->add;
		}
		snprintf(name, len, "%s", had_classes[i].metric);
		return 0;
	}
	if (!object_id[0])
		return -1;
	/* a generic, still unit-bearing name: <object_id>_<unit> */
	{
		char suf[16] = "";

		if (!strcmp(unit, "%"))
			snprintf(suf, sizeof(suf), "_pct");
		else if (!strcmp(unit, "s"))
			snprintf(suf, sizeof(suf), "_s");
		else if (unit[0]) {
			char u[12];

			sanitize(unit, "", u, sizeof(u));
			if (u[0])
				snprintf(suf, sizeof(suf), "_%s", u);
		}
		sanitize(object_id, suf, name, len);
	}
	return name[0] ? 0 : -1;
}

int hametric_detector(const char *dev_class, const char *object_id)
{
	static const char *classes[] = { "motion", "occupancy", "presence", "door",
		"window", "opening", "garage_door", "moisture", "smoke", "gas",
		"carbon_monoxide", "vibration", "tamper", NULL };
	static const char *words[] = { "motion", "pir", "door", "window", "contact",
		"occupancy", "presence", "leak", "smoke", "vibration", NULL };

	if (dev_class && dev_class[0]) {
		for (int i = 0; classes[i]; i++)
			if (!strcmp(dev_class, classes[i]))
				return 1;
		return 0;
	}
	for (int i = 0; object_id && words[i]; i++)
		if (strcasestr(object_id, words[i]))
			return 1;
	return 0;
}

int hametric_env(const char *m)
{
	static const char *env[] = { "temperature_c", "humidity_pct", "pressure_hpa",
		"co2_ppm", "illuminance_lx", "pm25_ugm3", "pm10_ugm3", "pm1_ugm3",
		"voc_ppb", "voc_ugm3", "moisture_pct", NULL };

	for (int i = 0; m && env[i]; i++)
		if (!strcmp(m, env[i]))
			return 1;
	return 0;
}
