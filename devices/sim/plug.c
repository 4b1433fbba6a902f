/*
 * plug.c — what the two simulated plug ecosystems share (see sim.h): a
 * plug's load follows the printer it feeds (heating, printing, idle) or
 * the scanning station, and its energy counters grow with it.
 */
#include "sim.h"
#include "../common/dlog.h"

/* The plug's load: the printer's phase, the scanner station, or idle. */
double plug_load(struct sdev *p)
{
	struct sdev *pr = p->feeds;
	int i;

	if (!p->on)
		return 0;
	if (pr) {
		if (pr->job == J_HEATING)
			return rng_uniform(p->r, 120, 200);
		if (pr->job == J_PRINTING)
			return rng_gauss(p->r, 80, 6);
		return pr->nozzle > 50 ? rng_uniform(p->r, 4, 8) :
					 rng_uniform(p->r, 1.6, 2.4);
	}
	for (i = 0; i < S.ndev; i++)
		if (S.dev[i].scanning)
			return rng_gauss(p->r, 115, 8);
	return rng_uniform(p->r, 30, 38);	/* scanning station at rest */
}

void plug_set(struct sdev *d, int on, const char *source,
	      void (*report)(struct sdev *d, const char *source))
{
	if (d->on != on)
		DLOG(D_NOTICE, "%s switched %s", d->hub_id, on ? "on" : "off");
	d->on = on;
	d->power = plug_load(d);
	report(d, source);
}

void plug_step(struct sdev *d, double dt, double tele_s,
	       void (*telemetry)(struct sdev *d))
{
	double wh;

	d->power = plug_load(d);
	wh = d->power * dt / 3600.0;
	d->energy_kwh += wh / 1000;
	d->today_kwh += wh / 1000;
	d->period_wh += wh;
	if (d->online && sim_due(&d->next_tele, tele_s))
		telemetry(d);
}
