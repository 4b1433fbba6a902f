/*
 * report.c — the annual indicators: load the fiscal year's rows, count
 * them, and write figures with targets and gaps as JSON, CSV or HTML,
 * or one figure's rows ("explain").
 *
 * Every figure is computed in C from the same rows its explain list
 * shows, so a figure and its trail cannot disagree.  Rows are read in a
 * total order (ORDER BY time, id), figures are listed in a fixed order
 * and numbers are printed with a fixed number of decimals: the same
 * database gives byte-identical output.  The rules are written down in
 * docs/indicators.md; keep the two in step.
 *
 * No personal data leaves here: explain lists carry ids, dates, codes
 * and counts, never names, e-mails, notes or file names.
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
#include "core/conf.h"
#include "report/fiscal.h"
#include "core/hub.h"
#include "core/log.h"
#include "report/dpkg.h"
#include "report/explain.h"
#include "report/fig.h"
#include "report/ods.h"
#include "report/render.h"
#include "report/report.h"
#include "report/year.h"
#include "store/store.h"

int report_render(struct hub *h, const struct report_opts *op, struct api_resp *o,
		  char *err, size_t errlen)
{
	struct report r;
	struct fiscal_tz z;
	int rc = 0;

	if (strcmp(op->format, "json") && strcmp(op->format, "csv") && strcmp(op->format, "html") &&
	    strcmp(op->format, "ods")) {
		snprintf(err, errlen, "format must be json, csv, html or ods (xlsx: use ods, which"
			 " Excel opens too)");
		return -3;
	}
	if (op->explain && !strcmp(op->format, "ods")) {
		snprintf(err, errlen, "an explain trail comes as json, csv or html");
		return -3;
	}
	if (strcmp(op->lang, "fr") && strcmp(op->lang, "en")) {
		snprintf(err, errlen, "lang must be fr or en");
		return -3;
	}
	if (op->fy < 2000 || op->fy > 2999) {
		snprintf(err, errlen, "fy must be a year between 2000 and 2999");
		return -3;
	}
	if (!h->store) {
		snprintf(err, errlen, "no database open");
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.h = h;
	r.fy = op->fy;
	r.public_view = op->public_view;
	r.tz = h->conf ? conf_str(h->conf, "lab.timezone") : "America/Toronto";
	if (fiscal_tz_enter(&z, r.tz, err, errlen))
		return -1;
	fiscal_bounds(r.fy, &r.start, &r.end);
	if (year_load_sessions(&r) || year_load_projects(&r) || year_load_contributions(&r) ||
	    year_load_ratings(&r) || year_load_machine_use(&r) || year_load_jobs(&r)) {
		snprintf(err, errlen, "cannot read the database: %s", sqlite3_errmsg(store_db(h)));
		rc = -1;
		goto out;
	}
	year_sort_bands(&r);
	year_count_sessions(&r);
	fig_compute(&r);
	if (r.oom) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	if (op->explain) {
		const struct fig *f = fig_find(&r, op->explain);
		struct xtab x;

		if (!f) {
			snprintf(err, errlen, "no indicator named '%s' in fiscal year %d",
				 op->explain, r.fy);
			rc = -2;
			goto out;
		}
		memset(&x, 0, sizeof(x));
		explain_rows(&r, f->name, &x);
		if (x.oom) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else if (!strcmp(op->format, "json")) {
			render_explain_json(&r, f, &x, o);
		} else if (!strcmp(op->format, "csv")) {
			render_explain_csv(&x, o);
		} else {
			render_explain_html(&r, f, &x, o, op);
		}
		explain_free(&x);
	} else if (!strcmp(op->format, "json")) {
		render_json(&r, o);
	} else if (!strcmp(op->format, "csv")) {
		render_csv(&r, o);
	} else if (!strcmp(op->format, "ods")) {
		if (ods_write(&r, !strcmp(op->lang, "fr"), o)) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
	} else {
		render_html(&r, o, op);
	}
out:
	fiscal_tz_leave(&z);
	year_free(&r);
	return rc;
}

/* ---- the API --------------------------------------------------------- */

/* The fiscal year containing now, in the lab's zone (2025 until 31 March
 * 2026).  Falls back to the UTC calendar when the zone is missing. */
static int current_fy(struct hub *h)
{
	struct fiscal_tz z;
	char err[256];
	int fy;

	if (fiscal_tz_enter(&z, h->conf ? conf_str(h->conf, "lab.timezone") : "America/Toronto",
			    err, sizeof(err))) {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		return tm.tm_year + 1900 - (tm.tm_mon < 3);
	}
	fy = fiscal_year_of(hub_now());
	fiscal_tz_leave(&z);
	return fy;
}

int report_current_fy(struct hub *h)
{
	return current_fy(h);
}

int report_participation_projects(struct hub *h, int fy, long *n)
{
	struct report r;
	struct fiscal_tz z;
	char err[256];
	int rc;

	if (!h->store)
		return -1;
	memset(&r, 0, sizeof(r));
	r.h = h;
	r.fy = fy;
	r.tz = h->conf ? conf_str(h->conf, "lab.timezone") : "America/Toronto";
	if (fiscal_tz_enter(&z, r.tz, err, sizeof(err)))
		return -1;
	fiscal_bounds(r.fy, &r.start, &r.end);
	rc = year_load_projects(&r) || r.oom ? -1 : 0;
	*n = r.nproj;
	fiscal_tz_leave(&z);
	year_free(&r);
	return rc;
}

/* GET /api/indicators?fy=Y[&format=json|csv|html|ods][&explain=NAME][&lang=fr|en] */
static int get_indicators(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	struct report_opts op;
	char fy[32], format[16] = "json", explain_name[160], lang[8], err[300];
	int rc;

	memset(&op, 0, sizeof(op));
	if (!api_query(req, "fy", fy, sizeof(fy)) && fy[0]) {
		if (fiscal_parse_year(fy, &op.fy))
			return api_error(resp, 400, "fy must be " FISCAL_YEAR_HELP);
	} else {
		op.fy = current_fy(h);
	}
	if (api_query(req, "format", format, sizeof(format)) || !format[0])
		snprintf(format, sizeof(format), "json");
	if (api_query(req, "lang", lang, sizeof(lang)) || !lang[0])
		snprintf(lang, sizeof(lang), "%s", conf_str(h->conf, "report.lang"));
	if (!api_query(req, "explain", explain_name, sizeof(explain_name)) && explain_name[0])
		op.explain = explain_name;
	op.format = format;
	op.lang = lang;
	op.css_href = "/api/indicators/report.css";
	op.public_view = req->role < ROLE_FACILITATOR;
	resp->len = 0;
	rc = report_render(h, &op, resp, err, sizeof(err));
	if (rc) {
		resp->len = 0;
		return api_error(resp, rc == -2 ? 404 : rc == -3 ? 400 : 500, "%s", err);
	}
	resp->status = 200;
	if (!strcmp(format, "csv")) {
		char disp[128];

		resp->ctype = "text/csv; charset=utf-8";
		snprintf(disp, sizeof(disp), "inline; filename=\"indicators-%d%s%s.csv\"", op.fy,
			 op.explain ? "-" : "", op.explain ? "explain" : "");
		api_header(resp, "Content-Disposition", disp);
	} else if (!strcmp(format, "html")) {
		resp->ctype = "text/html; charset=utf-8";
	} else if (!strcmp(format, "ods")) {
		char disp[128];

		resp->ctype = "application/vnd.oasis.opendocument.spreadsheet";
		snprintf(disp, sizeof(disp), "attachment; filename=\"indicators-%d.ods\"", op.fy);
		api_header(resp, "Content-Disposition", disp);
	} else {
		resp->ctype = "application/json";
	}
	return 0;
}

static int get_css(struct api_req *req, struct api_resp *resp)
{
	resp->status = 200;
	resp->ctype = "text/css; charset=utf-8";
	api_write(resp, render_css, strlen(render_css));
	return 0;
}

/*
 * GET /api/config: what the pages need to know of the lab, public (the
 * kiosk reads it before any login): its name, time zone, where fiscal
 * years start and which one is current, the kiosk's idle time, and the
 * languages of the pages (the first is the default).
 */
static int get_config(struct api_req *req, struct api_resp *resp)
{
	struct conf *c = req->h->conf;
	const char *tz = c ? conf_str(c, "lab.timezone") : "America/Toronto";
	cJSON *o = cJSON_CreateObject(), *fy, *langs;
	struct fiscal_tz z;
	char err[160];
	int cur = 0;

	if (fiscal_tz_enter(&z, tz, err, sizeof(err)) == 0) {
		cur = fiscal_year_of(hub_now());
		fiscal_tz_leave(&z);
	}
	cJSON_AddStringToObject(o, "lab_name", c ? conf_str(c, "lab.name") : "MLab");
	cJSON_AddStringToObject(o, "timezone", tz);
	fy = cJSON_AddObjectToObject(o, "fiscal_year");
	cJSON_AddNumberToObject(fy, "start_month", 4);	/* Québec: 1 April */
	cJSON_AddNumberToObject(fy, "start_day", 1);
	if (cur)
		cJSON_AddNumberToObject(fy, "current", cur);
	cJSON_AddNumberToObject(o, "kiosk_idle_s", c ? conf_int(c, "kiosk.idle_s") : 60);
	langs = cJSON_AddArrayToObject(o, "languages");
	cJSON_AddItemToArray(langs, cJSON_CreateString("fr"));
	cJSON_AddItemToArray(langs, cJSON_CreateString("en"));
	return api_json(resp, 200, o);
}

static const struct api_route report_routes[] = {
	{ "GET", "/api/config", ROLE_NONE, get_config },
	{ "GET", "/api/indicators", ROLE_NONE, get_indicators },
	{ "GET", "/api/indicators/report.css", ROLE_NONE, get_css },
	{ NULL, NULL, 0, NULL },
};

/* ---- the command line ------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: mlab-hub report [--fy YEAR] [--format json|csv|html|ods|datapackage] "
		"[--explain NAME] [--lang fr|en] [--out DIR] [--db PATH]\n");
}

/* Write the data package of fiscal year fy into dir: the lab's report, or
 * the network's figures (net).  The process exit code. */
static int datapackage(struct hub *h, int fy, const char *dir, report_net_fn net)
{
	struct report_opts op = { .fy = fy, .format = "json", .lang = "fr" };
	struct api_resp out;
	char err[300];
	cJSON *o = NULL;
	int rc;

	memset(&out, 0, sizeof(out));
	if (net) {
		o = net(h, fy, err, sizeof(err));
	} else if (!(rc = report_render(h, &op, &out, err, sizeof(err)))) {
		o = cJSON_ParseWithLength(out.body, out.len);
		snprintf(err, sizeof(err), "out of memory");
	}
	api_resp_free(&out);
	if (!o) {
		fprintf(stderr, "mlab-hub report: %s\n", err);
		return 1;
	}
	rc = dpkg_write(dir, o, conf_str(h->conf, "lab.name"), err, sizeof(err));
	cJSON_Delete(o);
	if (rc) {
		fprintf(stderr, "mlab-hub report: %s\n", err);
		return 1;
	}
	return 0;
}

int report_command(struct hub *h, int argc, char **argv, report_net_fn net)
{
	struct report_opts op;
	struct api_resp out;
	const char *db = NULL, *dir = NULL;
	char err[300];
	int fy_set = 0, rc;

	memset(&op, 0, sizeof(op));
	memset(&out, 0, sizeof(out));
	op.format = "json";
	op.lang = conf_str(h->conf, "report.lang");
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char *eq = strchr(a, '=');
		char opt[32];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			return 0;
		}
		/* --fy=2025 is --fy 2025 */
		if (a[0] == '-' && eq && (size_t)(eq - a) < sizeof(opt)) {
			snprintf(opt, sizeof(opt), "%.*s", (int)(eq - a), a);
			a = opt;
			v = eq + 1;
			i--;	/* the value is not a separate argument */
		}
		if (!v || a[0] != '-') {
			fprintf(stderr, "mlab-hub report: %s%s\n", a,
				a[0] == '-' ? " needs a value" : ": unexpected argument");
			usage();
			return 2;
		}
		if (!strcmp(a, "--fy")) {
			if (fiscal_parse_year(v, &op.fy)) {
				fprintf(stderr, "mlab-hub report: --fy %s: expected " FISCAL_YEAR_HELP "\n", v);
				return 2;
			}
			fy_set = 1;
		} else if (!strcmp(a, "--format")) {
			op.format = v;
		} else if (!strcmp(a, "--explain")) {
			op.explain = v;
		} else if (!strcmp(a, "--lang")) {
			op.lang = v;
		} else if (!strcmp(a, "--db")) {
			db = v;
		} else if (!strcmp(a, "--out")) {
			dir = v;
		} else {
			fprintf(stderr, "mlab-hub report: unknown option %s\n", a);
			usage();
			return 2;
		}
		i++;
	}
	if (!strcmp(op.format, "datapackage") && (!dir || op.explain)) {
		fprintf(stderr, "mlab-hub report: --format datapackage needs --out DIR (and no --explain)\n");
		return 2;
	}
	if (dir && strcmp(op.format, "datapackage")) {
		fprintf(stderr, "mlab-hub report: --out goes with --format datapackage\n");
		return 2;
	}
	if (!db)
		db = conf_str(h->conf, "store.path");
	/* never create an empty database by mistake */
	if (access(db, R_OK)) {
		fprintf(stderr, "mlab-hub report: cannot read database %s\n", db);
		return 1;
	}
	if (!fy_set)
		op.fy = current_fy(h);
	if (store_open(h, db))
		return 1;
	if (dir)
		return datapackage(h, op.fy, dir, net);
	rc = report_render(h, &op, &out, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "mlab-hub report: %s\n", err);
		api_resp_free(&out);
		return rc == -1 ? 1 : 2;
	}
	if (out.len && fwrite(out.body, 1, out.len, stdout) != out.len)
		rc = 1;
	if (fflush(stdout))
		rc = 1;
	api_resp_free(&out);
	return rc;
}

int report_init(struct hub *h)
{
	return api_register(h, report_routes);
}
