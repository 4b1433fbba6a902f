/*
 * render.c — the report and explain tables written as JSON, CSV and
 * HTML (with French or English labels and an SVG chart).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "report/explain.h"
#include "report/fig.h"
#include "core/conf.h"
#include "report/fiscal.h"
#include "core/hub.h"
#include "report/render.h"
#include "report/trail.h"
#include "report/opts.h"
#include "report/year.h"
#include "report/words.h"

/* Append a string literal (its length known at compile time). */
#define PUT(o, lit) api_write((o), (lit), sizeof(lit) - 1)

static void json_str(struct api_resp *o, const char *s)
{
	PUT(o, "\"");
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			api_printf(o, "\\%c", c);
		else if (c < 0x20)
			api_printf(o, "\\u%04x", c);
		else
			api_write(o, s, 1);
	}
	PUT(o, "\"");
}

static void html_str(struct api_resp *o, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': PUT(o, "&lt;"); break;
		case '>': PUT(o, "&gt;"); break;
		case '&': PUT(o, "&amp;"); break;
		case '"': PUT(o, "&quot;"); break;
		case '\'': PUT(o, "&#39;"); break;
		default: api_write(o, s, 1);
		}
	}
}

/* The HTML report's stylesheet (render.h). */
const char render_css[] =
	"body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
	"color:#1b1b1b;margin:2em auto;max-width:60em;padding:0 1em;line-height:1.4}\n"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;"
	"border-bottom:2px solid #2a6f97}h3{font-size:1.05em;margin-bottom:.3em}\n"
	".period{color:#444;margin-top:0}\n"
	"table{border-collapse:collapse;width:100%;margin:.5em 0 1em}\n"
	"th,td{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.below{color:#a4161a;font-weight:600}td.met{color:#2b7a0b;font-weight:600}\n"
	"code{font-size:.85em;color:#555}\n"
	".wide{overflow-x:auto}table.trail{font-size:.9em}"
	"table.trail td,table.trail th{padding:.3em .35em}table.trail td{overflow-wrap:anywhere}\n"
	".charts{display:flex;flex-wrap:wrap;gap:1em}.chart{flex:1 1 26em}\n"
	"svg{max-width:100%;height:auto}svg text{font-size:12px;fill:#1b1b1b}\n"
	"footer{margin-top:2em;font-size:.85em;color:#555}\n"
	"@media print{body{margin:0;max-width:none}h2{break-after:avoid}"
	".chart,table{break-inside:avoid}a{color:inherit;text-decoration:none}}\n";

/* ---- labels (HTML) ---------------------------------------------------
 * The words are the dashboard's: "ind.<name>" in web/i18n/fr.json and
 * en.json, compiled in by the Makefile (words.c), so the report and the
 * pages read one catalogue.  A breakdown's keys take the words
 * the pages use for the same values (group.school, age.0-5, ckind.scan);
 * a name without an entry is shown as it is. */

static const char *label(const cJSON *cat, const char *name)
{
	return words_get(cat, "ind.", name);
}

/* A breakdown's name "participants.by_age.13-17" split into its family
 * ("participants.by_age", into fam) and its key ("13-17", returned);
 * NULL for a top-level figure. */
static const char *split_fam(const char *name, char *fam, size_t len)
{
	const char *by = strstr(name, ".by_"), *dot;

	if (!by || !(dot = strchr(by + 1, '.')))
		return NULL;
	snprintf(fam, len, "%.*s", (int)(dot - name), name);
	return dot + 1;
}

/* The label of a breakdown's key (group types, age bands, kinds, scales,
 * licences; machines by the names people know them by, from r when
 * there is one). */
static const char *key_label(const struct report *r, const cJSON *cat, const char *fam,
			     const char *key)
{
	static const struct { const char *by, *prefix; } keys[] = {
		{ ".by_group", "group." }, { ".by_age", "age." },
		{ ".by_kind", "ckind." }, { ".by_scale", "ind.by_scale." },
		{ ".by_licence", "licence." },
	};
	const char *by = strstr(fam, ".by_");

	if (r && by && !strcmp(by, ".by_machine"))
		return year_machine_label(r, key);

	for (size_t i = 0; by && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(by, keys[i].by))
			return words_get(cat, keys[i].prefix, key);
	return key;
}

const char *render_label_r(const struct report *r, const char *name, int fr, char *buf,
			   size_t len)
{
	cJSON *cat = words_load(fr);
	char fam[160];
	const char *key = split_fam(name, fam, sizeof(fam));

	/* French puts a no-break space before the colon (as the catalogue does) */
	if (!key)
		snprintf(buf, len, "%s", label(cat, name));
	else
		snprintf(buf, len, "%s%s: %s", label(cat, fam), fr ? "\u00a0" : "",
			 key_label(r, cat, fam, key));
	cJSON_Delete(cat);
	return buf;
}

const char *render_label(const char *name, int fr, char *buf, size_t len)
{
	return render_label_r(NULL, name, fr, buf, len);
}

/* Write a number for people: decimal comma in French. */
static void html_num(struct api_resp *o, double v, int dec, int fr)
{
	char b[64];

	fig_num(v, dec, b, sizeof(b));
	if (fr) {
		char *dot = strchr(b, '.');

		if (dot)
			*dot = ',';
	}
	html_str(o, b);
}

/* ---- outputs --------------------------------------------------------- */

static void out_header_json(struct report *r, struct api_resp *o)
{
	char a[48], b[48];

	api_printf(o, "{\"fy\":%d,\"from\":\"%d-04-01\",\"to\":\"%d-03-31\",\"timezone\":",
		   r->fy, r->fy, r->fy + 1);
	json_str(o, r->tz);
	api_printf(o, ",\"start\":\"%s\",\"end\":\"%s\"",
		   fiscal_local_iso(r->start, a, sizeof(a)), fiscal_local_iso(r->end, b, sizeof(b)));
}

void render_json(struct report *r, struct api_resp *o)
{
	char b[64];

	out_header_json(r, o);
	PUT(o, ",\"indicators\":{");
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];

		api_printf(o, "%s", i ? "," : "");
		json_str(o, f->name);
		api_printf(o, ":{\"value\":%s", f->null ? "null" : fig_num(f->v, f->dec, b, sizeof(b)));
		api_printf(o, ",\"target\":%s", f->has_t ? fig_num(f->t, 3, b, sizeof(b)) : "null");
		api_printf(o, ",\"gap\":%s}", f->has_t && !f->null ? fig_gap(f, b, sizeof(b)) : "null");
	}
	PUT(o, "}}\n");
}

void render_csv(struct report *r, struct api_resp *o)
{
	char b[64];

	PUT(o, "indicator,value,target\r\n");
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];

		api_csv(o, f->name, ',');
		api_csv(o, f->null ? "" : fig_num(f->v, f->dec, b, sizeof(b)), ',');
		api_csv(o, f->has_t ? fig_num(f->t, 3, b, sizeof(b)) : "", '\n');
	}
}

void render_explain_json(struct report *r, const struct fig *f, struct xtab *x, struct api_resp *o)
{
	char b[64];

	out_header_json(r, o);
	PUT(o, ",\"indicator\":");
	json_str(o, f->name);
	api_printf(o, ",\"value\":%s", f->null ? "null" : fig_num(f->v, f->dec, b, sizeof(b)));
	api_printf(o, ",\"target\":%s", f->has_t ? fig_num(f->t, 3, b, sizeof(b)) : "null");
	PUT(o, ",\"columns\":[");
	for (int c = 0; c < x->ncols; c++) {
		api_printf(o, "%s", c ? "," : "");
		json_str(o, x->cols[c]);
	}
	PUT(o, "],\"yes_no\":[");
	for (int c = 0, n = 0; c < x->ncols; c++)
		if (x->types[c] == 'b') {
			api_printf(o, "%s", n++ ? "," : "");
			json_str(o, x->cols[c]);
		}
	PUT(o, "],\"rows\":[");
	for (int i = 0; i < x->ncells; i++) {
		int c = i % x->ncols;
		const char *v = x->cells[i];

		api_printf(o, "%s", c ? "," : i ? ",{" : "{");
		json_str(o, x->cols[c]);
		PUT(o, ":");
		if (!v)
			PUT(o, "null");
		else if (x->types[c] == 'n' || x->types[c] == 'b')
			api_write(o, v, strlen(v));
		else
			json_str(o, v);
		if (c == x->ncols - 1)
			PUT(o, "}");
	}
	PUT(o, "]}\n");
}

void render_explain_csv(struct xtab *x, struct api_resp *o)
{
	for (int c = 0; c < x->ncols; c++)
		api_csv(o, x->cols[c], c == x->ncols - 1 ? '\n' : ',');
	for (int i = 0; i < x->ncells; i++)
		api_csv(o, x->cells[i] ? x->cells[i] : "", i % x->ncols == x->ncols - 1 ? '\n' : ',');
}

/* A horizontal bar chart of the figures named prefix + "…", as SVG
 * (presentation attributes only: no style attributes, which a strict
 * Content-Security-Policy would block). */
static void svg_chart(struct report *r, struct api_resp *o, const cJSON *cat, const char *prefix, int fr)
{
	size_t pl = strlen(prefix);
	double max = 0;
	int n = 0, y = 0;
	char fam[160];

	for (int i = 0; i < r->nfigs; i++)
		if (!strncmp(r->figs[i].name, prefix, pl) && !r->figs[i].null) {
			n++;
			if (r->figs[i].v > max)
				max = r->figs[i].v;
		}
	if (!n)
		return;
	snprintf(fam, sizeof(fam), "%.*s", (int)pl - 1, prefix);
	PUT(o, "<figure class=\"chart\"><figcaption>");
	html_str(o, label(cat, fam));
	api_printf(o, "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\""
		   " height=\"%d\" viewBox=\"0 0 480 %d\" role=\"img\" aria-label=\"", n * 24 + 4, n * 24 + 4);
	html_str(o, label(cat, fam));	/* the chart's name; the table below has its numbers */
	PUT(o, "\">");
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];
		char w[32];

		if (strncmp(f->name, prefix, pl) || f->null)
			continue;
		snprintf(w, sizeof(w), "%.1f", max > 0 ? f->v / max * 240.0 : 0.0);
		api_printf(o, "<text x=\"166\" y=\"%d\" text-anchor=\"end\">", y + 16);
		html_str(o, key_label(r, cat, fam, f->name + pl));
		api_printf(o, "</text><rect x=\"172\" y=\"%d\" width=\"%s\" height=\"18\""
			   " fill=\"#2a6f97\"/><text x=\"%d\" y=\"%d\">", y + 2, w,
			   176 + (int)(max > 0 ? f->v / max * 240.0 : 0), y + 16);
		html_num(o, f->v, f->dec, fr);
		PUT(o, "</text>");
		y += 24;
	}
	PUT(o, "</svg></figure>\n");
}

char *render_text(const struct report *r, const cJSON *cat, const char *key, char *buf,
		  size_t len)
{
	const char *s = words_get(cat, "", key);
	size_t n = 0;

	for (; *s && n + 1 < len; s++) {
		int w = 1;

		if (!strncmp(s, "{from}", 6)) {
			w = snprintf(buf + n, len - n, "%d", r->fy);
			s += 5;
		} else if (!strncmp(s, "{to}", 4)) {
			w = snprintf(buf + n, len - n, "%d", r->fy + 1);
			s += 3;
		} else if (!strncmp(s, "{tz}", 4)) {
			w = snprintf(buf + n, len - n, "%s", r->tz);
			s += 3;
		} else {
			buf[n] = *s;
		}
		n = w < 0 || n + (size_t)w >= len ? len - 1 : n + (size_t)w;
	}
	buf[n] = '\0';
	return buf;
}

/* Catalogue entry key of cat, its placeholders filled (render_text),
 * HTML-escaped: the printable report's own words are the pages'
 * (rep.doc.*). */
static void html_word(struct report *r, struct api_resp *o, const cJSON *cat, const char *key)
{
	char buf[1024];

	html_str(o, render_text(r, cat, key, buf, sizeof(buf)));
}

static void html_head(struct report *r, struct api_resp *o, const struct report_opts *op,
		      const cJSON *cat, int fr, const char *title_extra)
{
	const char *lab = r->h->conf ? conf_str(r->h->conf, "lab.name") : "MLab";

	api_printf(o, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
		   fr ? "fr" : "en");
	html_str(o, lab);
	PUT(o, " — ");
	html_word(r, o, cat, "rep.doc.title");
	if (title_extra) {
		PUT(o, " — ");
		html_str(o, title_extra);
	}
	PUT(o, "</title>\n");
	if (op->css_href) {
		PUT(o, "<link rel=\"stylesheet\" href=\"");
		html_str(o, op->css_href);
		PUT(o, "\">\n");
	} else {
		api_printf(o, "<style>\n%s</style>\n", render_css);
	}
	PUT(o, "</head>\n<body>\n<header><h1>");
	html_str(o, lab);
	PUT(o, " — ");
	html_word(r, o, cat, "rep.doc.heading");
	PUT(o, "</h1>\n<p class=\"period\">");
	html_word(r, o, cat, "rep.doc.period");
	PUT(o, "</p>");
	if (op->css_href) {	/* served by the hub: the way back to the staff's page */
		PUT(o, "<p><a href=\"/report/\">");
		html_word(r, o, cat, "rep.doc.pick");
		PUT(o, "</a></p>");
	}
	PUT(o, "</header>\n");
}

static void html_foot(struct report *r, struct api_resp *o, const cJSON *cat)
{
	PUT(o, "<footer><p>");
	html_word(r, o, cat, "rep.doc.foot");
	PUT(o, "</p></footer>\n</body>\n</html>\n");
}

/* Text, as a link to the trail of figure name when the hub serves the
 * page (a report written to files has no such address). */
static void trail_link(struct report *r, struct api_resp *o, const struct report_opts *op,
		       const char *name, int fr, const char *text)
{
	if (!op->css_href) {
		html_str(o, text);
		return;
	}
	api_printf(o, "<a href=\"/api/indicators?fy=%d&amp;format=html&amp;lang=%s&amp;explain=",
		   r->fy, fr ? "fr" : "en");
	for (const char *p = name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("._-", *p))
			api_write(o, p, 1);
		else
			api_printf(o, "%%%02X", (unsigned char)*p);
	}
	PUT(o, "\">");
	html_str(o, text);
	PUT(o, "</a>");
}

void render_html(struct report *r, struct api_resp *o, const struct report_opts *op)
{
	static const char *const charts[] = {
		"participants.by_group.", "participants.by_age.",
		"contributions_confirmed.by_kind.", "machine_busy_hours.by_machine.",
	};
	int fr = !strcmp(op->lang, "fr");
	cJSON *cat = words_load(fr);
	char fam[160] = "";

	html_head(r, o, op, cat, fr, NULL);
	PUT(o, "<section><h2>");
	html_word(r, o, cat, "rep.doc.indicators");
	PUT(o, "</h2>\n<table>\n<thead><tr><th>");
	html_word(r, o, cat, "ind.name");
	PUT(o, "</th><th class=\"n\">");
	html_word(r, o, cat, "ind.value");
	PUT(o, "</th><th class=\"n\">");
	html_word(r, o, cat, "ind.target");
	PUT(o, "</th><th class=\"n\">");
	html_word(r, o, cat, "rep.gap");
	PUT(o, "</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];
		char g[64];

		if (strchr(f->name, '.'))
			continue;
		PUT(o, "<tr><td>");
		trail_link(r, o, op, f->name, fr, label(cat, f->name));
		PUT(o, " <code>");
		html_str(o, f->name);
		PUT(o, "</code></td><td class=\"n\">");
		if (f->null)
			PUT(o, "–");
		else
			html_num(o, f->v, f->dec, fr);
		PUT(o, "</td><td class=\"n\">");
		if (f->has_t)
			html_num(o, f->t, 3, fr);
		if (f->has_t && !f->null) {
			double gap = strtod(fig_gap(f, g, sizeof(g)), NULL);

			api_printf(o, "</td><td class=\"n %s\">%s", gap < 0 ? "below" : "met",
				   gap > 0 ? "+" : "");
			html_num(o, gap, f->dec > 0 ? f->dec : 3, fr);
		} else {
			PUT(o, "</td><td class=\"n\">");
		}
		PUT(o, "</td></tr>\n");
	}
	PUT(o, "</tbody>\n</table>\n</section>\n<section><h2>");
	html_word(r, o, cat, "rep.doc.charts");
	PUT(o, "</h2>\n<div class=\"charts\">\n");
	for (size_t c = 0; c < sizeof(charts) / sizeof(charts[0]); c++)
		svg_chart(r, o, cat, charts[c], fr);
	PUT(o, "</div>\n</section>\n<section><h2>");
	html_word(r, o, cat, "rep.doc.details");
	PUT(o, "</h2>\n");
	/* the breakdowns, one table per family ("participants.by_age") */
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];
		char thisfam[160];
		const char *key = split_fam(f->name, thisfam, sizeof(thisfam));

		if (!key)
			continue;
		if (strcmp(fam, thisfam)) {
			if (fam[0])
				PUT(o, "</tbody></table>\n");
			snprintf(fam, sizeof(fam), "%s", thisfam);
			PUT(o, "<h3>");
			html_str(o, label(cat, thisfam));
			PUT(o, "</h3>\n<table><tbody>\n");
		}
		PUT(o, "<tr><td>");
		trail_link(r, o, op, f->name, fr, key_label(r, cat, thisfam, key));
		PUT(o, "</td><td class=\"n\">");
		if (f->null)
			PUT(o, "–");
		else
			html_num(o, f->v, f->dec, fr);
		PUT(o, "</td></tr>\n");
	}
	if (fam[0])
		PUT(o, "</tbody></table>\n");
	PUT(o, "</section>\n");
	html_foot(r, o, cat);
	cJSON_Delete(cat);
}

void render_explain_html(struct report *r, const struct fig *f, struct xtab *x,
		  struct api_resp *o, const struct report_opts *op)
{
	int fr = !strcmp(op->lang, "fr");
	cJSON *cat = words_load(fr);
	char fam[160], g[64];
	const char *key = split_fam(f->name, fam, sizeof(fam));

	html_head(r, o, op, cat, fr, f->name);
	PUT(o, "<section><h2>");
	if (key) {
		html_str(o, label(cat, fam));
		PUT(o, " — ");
		html_str(o, key_label(r, cat, fam, key));
	} else {
		html_str(o, label(cat, f->name));
	}
	PUT(o, " <code>");
	html_str(o, f->name);
	PUT(o, "</code></h2>\n<p>");
	html_word(r, o, cat, "rep.doc.value");
	PUT(o, " ");
	if (f->null)
		PUT(o, "–");
	else
		html_num(o, f->v, f->dec, fr);
	if (f->has_t) {
		PUT(o, " — ");
		html_word(r, o, cat, "rep.doc.target");
		PUT(o, " ");
		html_num(o, f->t, 3, fr);
		if (!f->null) {
			PUT(o, " — ");
			html_word(r, o, cat, "rep.doc.gap");
			PUT(o, " ");
			html_num(o, strtod(fig_gap(f, g, sizeof(g)), NULL), f->dec ? f->dec : 3, fr);
		}
	}
	PUT(o, "</p>\n<p>");
	html_word(r, o, cat, "rep.doc.rows");
	PUT(o, "</p>\n<div class=\"wide\"><table class=\"trail\">\n<thead><tr>");
	for (int c = 0; c < x->ncols; c++) {
		api_printf(o, "<th scope=\"col\"%s>", x->types[c] == 'n' ? " class=\"n\"" : "");
		html_str(o, trail_head(cat, x->cols[c]));
		PUT(o, "</th>");
	}
	PUT(o, "</tr></thead>\n<tbody>\n");
	for (int i = 0; i < x->ncells; i++) {
		int c = i % x->ncols;
		char b[256];

		if (!c)
			PUT(o, "<tr>");
		api_printf(o, "<td%s>", x->types[c] == 'n' ? " class=\"n\"" : "");
		html_str(o, trail_cell(r, cat, fr, x, c, x->cells[i], b, sizeof(b)));
		PUT(o, "</td>");
		if (c == x->ncols - 1)
			PUT(o, "</tr>\n");
	}
	PUT(o, "</tbody>\n</table></div>\n");
	if (op->css_href) {
		api_printf(o, "<p><a href=\"/api/indicators?fy=%d&amp;format=html&amp;lang=%s\">",
			   r->fy, fr ? "fr" : "en");
		html_word(r, o, cat, "rep.doc.back");
		PUT(o, "</a></p>\n");
	}
	PUT(o, "</section>\n");
	html_foot(r, o, cat);
	cJSON_Delete(cat);
}
