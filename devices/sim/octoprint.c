/*
 * octoprint.c — a simulated OctoPrint printer with the OctoPrint-MQTT
 * plugin: <base>/event/<Event> with Python json.dumps spacing and \uXXXX
 * escapes, retained progress and temperatures, <base>/mqtt as last will.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "../common/sbuf.h"

/* Start an OctoPrint event payload: the job fields (Python spacing). */
static void octo_job_fields(struct sbuf *sb, struct sdev *d)
{
	sbuf_printf(sb, "{\"name\": ");
	sbuf_jstr(sb, d->file, SBUF_ASCII);
	sbuf_printf(sb, ", \"path\": ");
	sbuf_jstr(sb, d->file, SBUF_ASCII);
	sbuf_printf(sb, ", \"origin\": \"local\", \"size\": %ld, "
		    "\"owner\": \"mlab\", \"user\": \"mlab\"", d->file_size);
}

static void octo_event(struct sdev *d, const char *ev, struct sbuf *sb)
{
	char topic[128];

	sbuf_printf(sb, ", \"_event\": \"%s\", \"_timestamp\": %ld}", ev,
		    sim_now_s());
	snprintf(topic, sizeof(topic), "%s/event/%s", d->nid, ev);
	sim_pub(d, topic, sbuf_str(sb), 0);
}

static void octo_progress(struct sdev *d)
{
	struct sbuf sb;

	sbuf_init(&sb);
	sbuf_printf(&sb, "{\"location\": \"%s\", \"path\": ",
		    d->job == J_IDLE && !d->file[0] ? "" : "local");
	sbuf_jstr(&sb, d->file, SBUF_ASCII);
	sbuf_printf(&sb, ", \"progress\": %d, \"_timestamp\": %ld}",
		    d->progress, sim_now_s());
	sim_pubf(d, 1, sbuf_str(&sb), "%s/progress/printing", d->nid);
	sbuf_free(&sb);
}

static void octo_temps_force(struct sdev *d, int force)
{
	char p[160];

	if (force || fabs(d->nozzle - d->last_nozzle) >= 0.1) {
		snprintf(p, sizeof(p), "{\"actual\": %.1f, \"target\": %.1f, "
			 "\"_timestamp\": %ld}", d->nozzle, d->nozzle_target,
			 sim_now_s());
		sim_pubf(d, 1, p, "%s/temperature/tool0", d->nid);
		d->last_nozzle = d->nozzle;
	}
	if (force || fabs(d->bed - d->last_bed) >= 0.1) {
		snprintf(p, sizeof(p), "{\"actual\": %.1f, \"target\": %.1f, "
			 "\"_timestamp\": %ld}", d->bed, d->bed_target,
			 sim_now_s());
		sim_pubf(d, 1, p, "%s/temperature/bed", d->nid);
		d->last_bed = d->bed;
	}
}

static void octo_temps(struct sdev *d)
{
	octo_temps_force(d, 0);
}

static void octo_idle(struct sdev *d)
{
	octo_temps_force(d, 1);
}

static void octo_printer_announce(struct sdev *d)
{
	char p[160];

	snprintf(p, sizeof(p), "{\"port\": \"/dev/ttyACM0\", "
		 "\"baudrate\": 115200, \"_event\": \"Connected\", "
		 "\"_timestamp\": %ld}", sim_now_s());
	sim_pubf(d, 0, p, "%s/event/Connected", d->nid);
	octo_progress(d);
	octo_temps_force(d, 1);
}

static void octo_started(struct sdev *d)
{
	struct sbuf sb;

	sbuf_init(&sb);
	octo_job_fields(&sb, d);
	octo_event(d, "FileSelected", &sb);
	sbuf_reset(&sb);
	octo_job_fields(&sb, d);
	octo_event(d, "PrintStarted", &sb);
	sbuf_free(&sb);
	octo_progress(d);
	octo_temps_force(d, 1);
}

static void octo_ended(struct sdev *d, const char *how, double took)
{
	struct sbuf sb;

	sbuf_init(&sb);
	if (!strcmp(how, "done")) {
		d->progress = 100;
		octo_progress(d);
		octo_job_fields(&sb, d);
		sbuf_printf(&sb, ", \"time\": %.3f", took);
		octo_event(d, "PrintDone", &sb);
	} else if (!strcmp(how, "cancelled")) {
		octo_job_fields(&sb, d);
		octo_event(d, "PrintCancelling", &sb);
		sbuf_reset(&sb);
		octo_job_fields(&sb, d);
		sbuf_printf(&sb, ", \"time\": %.3f, \"reason\": "
			    "\"cancelled\"", took);
		octo_event(d, "PrintFailed", &sb);
		sbuf_reset(&sb);
		octo_job_fields(&sb, d);
		sbuf_printf(&sb, ", \"time\": %.3f, \"progress\": %d",
			    took, d->progress);
		octo_event(d, "PrintCancelled", &sb);
	} else {
		octo_job_fields(&sb, d);
		sbuf_printf(&sb, ", \"time\": %.3f, \"reason\": "
			    "\"error\", \"error\": \"%s\", "
			    "\"progress\": %.4f", took,
			    !strcmp(how, "power") ?
			    "Connection to printer lost" :
			    "Thermal runaway on heater tool0",
			    d->progress / 100.0);
		octo_event(d, "PrintFailed", &sb);
	}
	sbuf_free(&sb);
}

static void octo_on_progress(struct sdev *d, int pct, int changed)
{
	if (changed)
		octo_progress(d);
}

static void octo_announce(struct sdev *d)
{
	sim_pubf(d, 1, "connected", "%s/mqtt", d->nid);
	printer_announce(d);
}

static void octo_will(const struct sdev *d, char *topic, size_t tl,
		      const char **payload)
{
	snprintf(topic, tl, "%s/mqtt", d->nid);
	*payload = "disconnected";
}

static const struct printer_fmt octo_fmt = {
	.nozzle_target = 215.0,
	.bed_target = 60.0,
	.announce = octo_printer_announce,
	.started = octo_started,
	.ended = octo_ended,
	.progress = octo_on_progress,
	.temps = octo_temps,
	.idle = octo_idle,
};

const struct sim_ops sim_octoprint = {
	.kind = "printer",
	.source = "octoprint",
	.printer = &octo_fmt,
	.announce = octo_announce,
	.will = octo_will,
	.step = printer_step,
	.once_start = printer_start,
};
