/*
 * machine.h — machines measured by smart plugs: machine.<name>.plug names
 * the plug, machine.<name>.busy_w the threshold; busy periods become
 * machine_use rows with start, end and energy.
 */
#ifndef MLAB_MACHINE_H
#define MLAB_MACHINE_H

struct hub;
struct device;

#define MACHINE_BUSY_W 10.0	/* a dashboard machine's default threshold */

int machine_init(struct hub *h);
void machine_fini(struct hub *h);
/* A metric of device d changed (only plugs named in config matter). */
void machine_metric(struct hub *h, struct device *d, const char *metric,
		    double value, double ts);

/* What the dashboard says plug feeds (devset.c): label NULL forgets a
 * machine the dashboard made (a configured one keeps its config name);
 * busy_w <= 0 keeps the configured threshold (or MACHINE_BUSY_W).  0, or
 * -1 when the table of machines is full (logged). */
int machine_plug_set(struct hub *h, const char *plug, const char *label, double busy_w);

/* Plug was removed: its open busy period ends now, a machine the
 * dashboard made for it is forgotten, a configured one goes back to its
 * configuration (and measures again if the plug comes back). */
void machine_plug_gone(struct hub *h, const char *plug);

/* The name people know machine (a machine_use.machine key) by, or NULL.
 * The string belongs to the machine table. */
const char *machine_label(struct hub *h, const char *machine);

#endif
