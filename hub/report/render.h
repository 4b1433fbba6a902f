/*
 * render.h — the report and explain tables as JSON, CSV or HTML.
 */
#ifndef MLAB_RENDER_H
#define MLAB_RENDER_H

#include <stddef.h>

struct report;
struct fig;
struct xtab;
struct api_resp;
struct report_opts;
struct cJSON;

/* The French (fr = 1) or English label of indicator name into buf, a
 * breakdown as "family: key" ("Séances par type de groupe : Famille", the words of web/i18n/).
 * Returns buf.  Pure. */
const char *render_label(const char *name, int fr, char *buf, size_t len);
/* The same, machines by the names people know them by (r's). */
const char *render_label_r(const struct report *r, const char *name, int fr, char *buf, size_t len);

/* Catalogue entry key of cat into buf (plain text, cut to len), with
 * {from} and {to} the fiscal year's first and last calendar years and {tz}
 * the report's time zone.  Returns buf. */
char *render_text(const struct report *r, const struct cJSON *cat, const char *key, char *buf,
		  size_t len);

/* The stylesheet of the HTML report, embedded or served as
 * GET /api/indicators/report.css (report.c). */
extern const char render_css[];

void render_json(struct report *r, struct api_resp *o);

void render_csv(struct report *r, struct api_resp *o);

void render_explain_json(struct report *r, const struct fig *f, struct xtab *x, struct api_resp *o);

void render_explain_csv(struct xtab *x, struct api_resp *o);

void render_html(struct report *r, struct api_resp *o, const struct report_opts *op);

void render_explain_html(struct report *r, const struct fig *f, struct xtab *x,
		  struct api_resp *o, const struct report_opts *op);

#endif
