/*
 * report.h — annual indicators per fiscal year (1 April – 31 March,
 * America/Toronto), as JSON, CSV or HTML, with the rows behind each figure.
 */
#ifndef MLAB_REPORT_H
#define MLAB_REPORT_H

struct hub;

/* `mlab-hub report --fy Y [--format json|csv|html] [--explain NAME] [--db PATH]`
 * (argv after "report"). Returns the process exit code. */
int report_command(struct hub *h, int argc, char **argv);

#endif
