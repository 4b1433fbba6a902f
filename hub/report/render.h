/*
 * render.h — the report and explain tables as JSON, CSV or HTML.
 */
#ifndef MLAB_RENDER_H
#define MLAB_RENDER_H

struct report;
struct fig;
struct xtab;
struct api_resp;
struct report_opts;

void render_json(struct report *r, struct api_resp *o);

void render_csv(struct report *r, struct api_resp *o);

void render_explain_json(struct report *r, const struct fig *f, struct xtab *x, struct api_resp *o);

void render_explain_csv(struct xtab *x, struct api_resp *o);

void render_html(struct report *r, struct api_resp *o, const struct report_opts *op);

void render_explain_html(struct report *r, const struct fig *f, struct xtab *x,
		  struct api_resp *o, const struct report_opts *op);

#endif
