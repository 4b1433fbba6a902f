/*
 * opts.h — what a report is asked for (report_render): a header of its
 * own, below render.c, which reads the language and the stylesheet link,
 * and report.c, which takes the request.
 */
#ifndef MLAB_OPTS_H
#define MLAB_OPTS_H

struct report_opts {
	int fy;			/* fiscal year: 2025 = 2025-04-01 … 2026-03-31 */
	const char *format;	/* "json", "csv" or "html" */
	const char *explain;	/* NULL, or a figure's name: its rows instead */
	const char *lang;	/* "fr" or "en" (HTML labels) */
	const char *css_href;	/* HTML: link this stylesheet; NULL embeds it */
	int public_view;	/* 1 for a reader who is not staff: trails name no one
				 * (devices by public name or id, no account in a
				 * rating's source) */
};

#endif
