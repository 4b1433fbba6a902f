/*
 * fig.h — the figures of a year and their number formatting.
 */
#ifndef MLAB_FIG_H
#define MLAB_FIG_H

#include <stddef.h>

struct report;
struct fig;

/* Compute every figure from the loaded rows, in the published order. */
void fig_compute(struct report *r);

const struct fig *fig_find(const struct report *r, const char *name);

/* v with dec decimals, trailing zeros dropped, never "-0". Returns buf. */
char *fig_num(double v, int dec, char *buf, size_t len);

/* Gap = displayed value − target, with the figure's decimals. */
char *fig_gap(const struct fig *f, char *buf, size_t len);

/* The built-in target for indicator name in fiscal year fy (MISSION.md);
 * 0 and *t, or -1 when there is none.  Pure. */
int fig_default_target(const char *name, int fy, double *t);

#endif
