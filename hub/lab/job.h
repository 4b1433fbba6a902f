/*
 * job.h — print and scan jobs: the job model on each device, and the job
 * history (one row per job: device, file, start, end, final state,
 * duration, layers, filament) behind GET /api/jobs.
 */
#ifndef MLAB_JOB_H
#define MLAB_JOB_H

struct hub;
struct device;
struct eco_dev;

/* Serve GET /api/jobs.  0 or -1. */
int job_init(struct hub *h);

/* Fold the job fields of update u into d->job; open a jobs row when a job
 * becomes active and close it with its final state.  ts: when it
 * happened.  Returns 1 if anything visible changed, 0 if not. */
int job_update(struct hub *h, struct device *d, const struct eco_dev *u,
	       double ts);

#endif
