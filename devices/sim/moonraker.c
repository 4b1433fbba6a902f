/*
 * moonraker.c — a simulated Klipper printer behind Moonraker's MQTT
 * client: <instance>/klipper/status with a full status, then deltas of
 * print_stats, virtual_sdcard, extruder and heater_bed;
 * <instance>/moonraker/status as last will.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "../common/sbuf.h"

static void moon_status(struct sdev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Publish {"eventtime":…,"status":{<fmt>}} on <inst>/klipper/status. */
static void moon_status(struct sdev *d, const char *fmt, ...)
{
	char body[1024];
	struct sbuf sb;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	sbuf_init(&sb);
	sbuf_printf(&sb, "{\"eventtime\":%.3f,\"status\":{%s}}",
		    5000.0 + S.t, body);
	sim_pubf(d, 0, sbuf_str(&sb), "%s/klipper/status", d->nid);
	sbuf_free(&sb);
}

static void moon_full(struct sdev *d)
{
	struct sbuf fn;
	const char *state = d->job != J_IDLE ? "printing" :
			    d->jobs_done ? "complete" : "standby";

	sbuf_init(&fn);
	sbuf_jstr(&fn, d->file, SBUF_UTF8);
	moon_status(d, "\"webhooks\":{\"state\":\"ready\",\"state_message\":"
		    "\"Printer is ready\"},\"print_stats\":{\"filename\":%s,"
		    "\"total_duration\":%.1f,\"print_duration\":%.1f,"
		    "\"filament_used\":%.1f,\"state\":\"%s\",\"message\":\"\","
		    "\"info\":{\"total_layer\":null,\"current_layer\":null}},"
		    "\"virtual_sdcard\":{\"progress\":%.4f,\"is_active\":%s,"
		    "\"file_position\":%ld},\"extruder\":{\"temperature\":%.2f,"
		    "\"target\":%.1f},\"heater_bed\":{\"temperature\":%.2f,"
		    "\"target\":%.1f}", sbuf_str(&fn), d->heat_t + d->job_t,
		    d->job_t, d->job_t * 0.9, state, d->progress / 100.0,
		    d->job != J_IDLE ? "true" : "false",
		    (long)(d->file_size * (d->progress / 100.0)), d->nozzle,
		    d->nozzle_target, d->bed, d->bed_target);
	sbuf_free(&fn);
}

static void moon_temps(struct sdev *d)
{
	if (fabs(d->nozzle - d->last_nozzle) < 0.1 &&
	    fabs(d->bed - d->last_bed) < 0.1)
		return;
	moon_status(d, "\"extruder\":{\"temperature\":%.2f},"
		    "\"heater_bed\":{\"temperature\":%.2f}", d->nozzle, d->bed);
	d->last_nozzle = d->nozzle;
	d->last_bed = d->bed;
}

static void moon_started(struct sdev *d)
{
	struct sbuf sb;

	sbuf_init(&sb);
	sbuf_jstr(&sb, d->file, SBUF_UTF8);
	moon_status(d, "\"print_stats\":{\"filename\":%s,\"state\":"
		    "\"printing\",\"print_duration\":0.0,"
		    "\"total_duration\":0.0},\"virtual_sdcard\":"
		    "{\"is_active\":true,\"progress\":0.0,"
		    "\"file_position\":0},\"extruder\":{\"target\":"
		    "%.1f},\"heater_bed\":{\"target\":%.1f}",
		    sbuf_str(&sb), d->nozzle_target, d->bed_target);
	sbuf_free(&sb);
}

static void moon_ended(struct sdev *d, const char *how, double took)
{
	const char *state = !strcmp(how, "done") ? "complete" :
			    !strcmp(how, "cancelled") ? "cancelled" :
							"error";
	const char *msg = !strcmp(how, "power") ?
		"Lost communication with MCU 'mcu'" :
		!strcmp(how, "failed") ?
		"Heater extruder not heating at expected rate" : "";

	if (!strcmp(how, "done"))
		d->progress = 100;
	moon_status(d, "\"print_stats\":{\"state\":\"%s\","
		    "\"message\":\"%s\",\"print_duration\":%.1f,"
		    "\"total_duration\":%.1f},\"virtual_sdcard\":"
		    "{\"is_active\":false,\"progress\":%.4f},"
		    "\"extruder\":{\"target\":0.0},\"heater_bed\":"
		    "{\"target\":0.0}", state, msg, d->job_t, took,
		    d->progress / 100.0);
}

static void moon_heated(struct sdev *d)
{
	moon_status(d, "\"print_stats\":{\"info\":{\"total_layer\":%d,"
		    "\"current_layer\":1}}", d->layers);
}

static void moon_progress(struct sdev *d, int pct, int changed)
{
	if (sim_due(&d->next_prog, 10))
		moon_status(d, "\"print_stats\":{\"print_duration\":"
			    "%.1f,\"total_duration\":%.1f,"
			    "\"filament_used\":%.1f,\"info\":"
			    "{\"total_layer\":%d,\"current_layer\":%d}},"
			    "\"virtual_sdcard\":{\"progress\":%.4f,"
			    "\"file_position\":%ld}", d->job_t,
			    d->job_t + d->heat_t, d->job_t * 0.9,
			    d->layers, 1 + d->layers * pct / 100,
			    d->job_t / d->job_len,
			    (long)(d->file_size * d->job_t / d->job_len));
}

static void moon_announce(struct sdev *d)
{
	sim_pubf(d, 1, "{\"server\":\"online\"}", "%s/moonraker/status",
		 d->nid);
	printer_announce(d);
}

static void moon_will(const struct sdev *d, char *topic, size_t tl,
		      const char **payload)
{
	snprintf(topic, tl, "%s/moonraker/status", d->nid);
	*payload = "{\"server\":\"offline\"}";
}

static const struct printer_fmt moon_fmt = {
	.nozzle_target = 240.0,
	.bed_target = 100.0,
	.announce = moon_full,
	.started = moon_started,
	.ended = moon_ended,
	.heated = moon_heated,
	.progress = moon_progress,
	.temps = moon_temps,
};

const struct sim_ops sim_moonraker = {
	.kind = "printer",
	.source = "moonraker",
	.printer = &moon_fmt,
	.announce = moon_announce,
	.will = moon_will,
	.step = printer_step,
	.once_start = printer_start,
};
