/*
 * report.h — annual indicators per fiscal year (1 April – 31 March,
 * in lab.timezone), as JSON, CSV or HTML, with the rows behind each
 * figure (docs/indicators.md has every rule).
 *
 * The same renderer serves `mlab-hub report` and GET /api/indicators, so
 * both give byte-identical answers for the same database.
 */
#ifndef MLAB_REPORT_H
#define MLAB_REPORT_H

#include <stddef.h>

#include "report/opts.h"

struct hub;

/* Serve GET /api/indicators….  0 or -1. */
int report_init(struct hub *h);
struct api_resp;

/* Render the report described by o from h's open store into out (used as
 * a growing buffer: the caller frees it with api_resp_free()).  Returns 0;
 * -1 on a database or time-zone error; -2 when o->explain names no
 * figure; -3 for a bad year, format or language.  err gets one line. */
int report_render(struct hub *h, const struct report_opts *o, struct api_resp *out,
		  char *err, size_t errlen);

/* A network hub's figures for fiscal year fy, as the object of
 * GET /api/network/indicators (the caller frees it), or NULL with err
 * (hub/fed/ gives it; report cannot call above itself). */
struct cJSON;
typedef struct cJSON *(*report_net_fn)(struct hub *h, int fy, char *err, size_t errlen);

/* `mlab-hub report [--fy Y] [--format json|csv|html|datapackage]
 * [--explain NAME] [--lang fr|en] [--out DIR] [--db PATH]` (argv after
 * "report"); opens the store itself (main.c closes it).  With net set
 * (a network hub), a data package holds the network's figures.  Returns
 * the process exit code. */
int report_command(struct hub *h, int argc, char **argv, report_net_fn net);

/* The fiscal year containing now, in the lab's zone. */
int report_current_fy(struct hub *h);

/* *n gets the report's participation_projects for fiscal year fy (projects
 * with a session or a confirmed contribution in the year).  0 or -1. */
int report_participation_projects(struct hub *h, int fy, long *n);

#endif
