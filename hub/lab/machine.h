/*
 * machine.h — machines measured by smart plugs: machine.<name>.plug names
 * the plug, machine.<name>.busy_w the threshold; busy periods become
 * machine_use rows with start, end and energy.
 */
#ifndef MLAB_MACHINE_H
#define MLAB_MACHINE_H

struct hub;
struct device;

int machine_init(struct hub *h);
void machine_fini(struct hub *h);
/* A metric of device d changed (only plugs named in config matter). */
void machine_metric(struct hub *h, struct device *d, const char *metric,
		    double value, double ts);

#endif
