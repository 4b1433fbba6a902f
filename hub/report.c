/*
 * report.c — annual indicators (placeholder until the indicators work lands).
 */
#include "api.h"

const struct api_route report_routes[] = {
	{ NULL, NULL, 0, NULL },
};

#include <stdio.h>
#include "report.h"

int report_command(struct hub *h, int argc, char **argv)
{
	fprintf(stderr, "mlab-hub report: not available yet\n");
	return 2;
}
