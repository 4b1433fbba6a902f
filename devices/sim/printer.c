/*
 * printer.c — the job cycle both simulated printer ecosystems share
 * (see sim.h): heat, print, finish; sometimes fail or get cancelled
 * (--fail-rate); a plug switched off fails the running job.  What each
 * ecosystem publishes at each step is its printer_fmt (octoprint.c,
 * moonraker.c).
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "../common/dlog.h"

static const char *const gcode_files[] = {
	"benchy.gcode", "vase-lithophane.gcode", "support-écran.gcode",
	"porte-clés-musée.gcode", "engrenage-m3.gcode",
	"château-frontenac.gcode", "boîtier-capteur.gcode",
	"calibration-cube.gcode", "fleur-de-lys.gcode",
};

void printer_announce(struct sdev *d)
{
	d->ops->printer->announce(d);
}

void printer_start(struct sdev *d)
{
	const struct printer_fmt *f = d->ops->printer;

	snprintf(d->file, sizeof(d->file), "%s",
		 gcode_files[rng_range(d->r, 0, NELEM(gcode_files) - 1)]);
	d->file_size = rng_range(d->r, 200000, 9000000);
	d->job_len = S.once ? 60 : rng_uniform(d->r, 1200, 5400);
	d->layers = (int)rng_range(d->r, 40, 400);
	d->job = J_HEATING;
	d->job_t = d->heat_t = 0;
	d->progress = 0;
	d->nozzle_target = f->nozzle_target;
	d->bed_target = f->bed_target;
	DLOG(D_INFO, "%s starts %s", d->hub_id, d->file);
	f->started(d);
}

/* End the current job: how = "done", "failed", "cancelled" or "power". */
static void printer_end(struct sdev *d, const char *how)
{
	const struct printer_fmt *f = d->ops->printer;

	DLOG(D_INFO, "%s %s %s", d->hub_id, how, d->file);
	f->ended(d, how, d->heat_t + d->job_t);
	d->job = J_IDLE;
	d->nozzle_target = d->bed_target = 0;
	d->jobs_done++;
	d->next_job = S.t + rng_uniform(d->r, 300, 1200);
	if (f->idle)
		f->idle(d);
}

/* Advance a printer by dt simulated seconds. */
void printer_step(struct sdev *d, double dt)
{
	const struct printer_fmt *f = d->ops->printer;
	int powered = !d->plug || d->plug->on;
	double k = dt / 45.0 > 1 ? 1 : dt / 45.0;

	if (!powered) {
		d->nozzle_target = d->bed_target = 0;
		if (d->job != J_IDLE)
			printer_end(d, "power");
	}
	/* heaters approach their target (or the room) */
	d->nozzle += ((d->nozzle_target > 0 ? d->nozzle_target : AMBIENT) -
		      d->nozzle) * k;
	d->bed += ((d->bed_target > 0 ? d->bed_target : AMBIENT) - d->bed) *
		  k * 0.5;
	if (!d->online)
		return;
	if (d->job == J_IDLE) {
		if (powered && !S.once && S.t >= d->next_job)
			printer_start(d);
	} else if (d->job == J_HEATING) {
		d->heat_t += dt;
		if ((d->nozzle >= d->nozzle_target - 2 &&
		     d->bed >= d->bed_target - 1.5) || d->heat_t > 400) {
			d->job = J_PRINTING;
			if (f->heated)
				f->heated(d);
		}
	} else {
		int pct, changed;

		d->job_t += dt;
		pct = (int)(100 * d->job_t / d->job_len);
		if (pct > 100)
			pct = 100;
		if (pct >= 100) {
			printer_end(d, "done");
			return;
		}
		if (!S.once && rng_chance(d->r, S.fail_rate * dt / d->job_len)) {
			printer_end(d, rng_chance(d->r, 0.5) ? "failed" :
							       "cancelled");
			return;
		}
		changed = pct != d->progress;
		if (changed)
			d->progress = pct;
		f->progress(d, pct, changed);
	}
	if (sim_due(&d->next_temp, d->job == J_IDLE ? 30 : 5))
		f->temps(d);
}
