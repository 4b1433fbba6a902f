/*
 * fed.c — a network of labs: start-up, the MQTT topics and the routes.
 *
 * A lab (net.site set) hears its acks on mlab/v1/net/<site>/ack; the
 * network (net.role = network) hears every site's facts on
 * mlab/v1/net/+/fact.  The lab link subscribes to them (mqtt.c, from the
 * same two settings) and the ingest routes them here (ingest_on_topic).
 * The network serves GET /api/network/indicators?fy=Y[&format=…] and
 * the facts behind one figure, GET /api/network/indicators/explain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "fed/fed.h"
#include "fed/fedi.h"
#include "fed/central.h"
#include "fed/fact.h"
#include "fed/sum.h"
#include "fed/trail.h"
#include "lab/ingest.h"
#include "mqtt/mqtt.h"
#include "net/api.h"
#include "report/fiscal.h"
#include "store/store.h"

/* mlab/v1/net/<site>/<leaf>: topic is "<site>/<leaf>". */
static void on_topic(struct hub *h, const char *topic, const char *payload, size_t len)
{
	struct fed *f = h->fed;
	const char *slash = strchr(topic, '/');
	char site[72];

	if (!slash || slash - topic >= (long)sizeof(site))
		return;
	snprintf(site, sizeof(site), "%.*s", (int)(slash - topic), topic);
	if (f->network && !strcmp(slash, "/fact"))
		central_fact(h, site, payload, len);
	else if (!f->network && !strcmp(slash, "/ack") && !strcmp(site, f->site))
		fact_ack(h, payload, len);
}

void fed_link(struct hub *h, int link, int up)
{
	struct fed *f = h->fed;

	if (!f || link)
		return;
	f->up = up;
	if (up && !f->network && f->site[0]) {
		f->sent = f->acked;
		fact_publish(h, f->acked);
	}
}

/* The answer's format and language from the query (json, report.lang). */
static void query_form(struct api_req *req, char *format, size_t flen, char *lang, size_t llen)
{
	if (api_query(req, "format", format, flen) || !format[0])
		snprintf(format, flen, "json");
	if (api_query(req, "lang", lang, llen) || !lang[0])
		snprintf(lang, llen, "%s", conf_str(req->h->conf, "report.lang"));
}

/* Finish resp after a renderer returned rc (0, or -1/-2/-3 with err). */
static int answer(struct api_resp *resp, int rc, const char *format, const char *err)
{
	if (rc) {
		resp->len = 0;
		return api_error(resp, rc == -3 ? 400 : rc == -2 ? 404 : 500, "%s", err);
	}
	resp->status = 200;
	resp->ctype = !strcmp(format, "csv") ? "text/csv; charset=utf-8" :
		      !strcmp(format, "html") ? "text/html; charset=utf-8" : "application/json";
	return 0;
}

/* GET /api/network/indicators?fy=Y[&format=json|csv|html][&lang=fr|en] */
static int get_indicators(struct api_req *req, struct api_resp *resp)
{
	char fy[16], format[16], lang[8], err[300] = "";
	int y;

	if (api_query(req, "fy", fy, sizeof(fy)) || fiscal_parse_year(fy, &y))
		return api_error(resp, 400, "fy must be " FISCAL_YEAR_HELP);
	query_form(req, format, sizeof(format), lang, sizeof(lang));
	store_flush(req->h);
	resp->len = 0;
	return answer(resp, sum_render(req->h, y, format, lang, resp, err, sizeof(err)), format, err);
}

/* GET /api/network/indicators/explain?fy=Y&key=NAME[&site=S]
 * [&format=json|csv|html][&lang=fr|en]: the facts behind one figure of a
 * site, or of the total without site (trail.c). */
static int get_explain(struct api_req *req, struct api_resp *resp)
{
	char fy[16], key[160], site[72] = "", format[16], lang[8], err[300] = "";
	int y;

	if (api_query(req, "fy", fy, sizeof(fy)) || fiscal_parse_year(fy, &y))
		return api_error(resp, 400, "fy must be " FISCAL_YEAR_HELP);
	if (api_query(req, "key", key, sizeof(key)) || !key[0])
		return api_error(resp, 400, "key must name an indicator, such as sessions");
	if (api_query(req, "site", site, sizeof(site)))
		site[0] = '\0';
	query_form(req, format, sizeof(format), lang, sizeof(lang));
	store_flush(req->h);
	resp->len = 0;
	return answer(resp, trail_render(req->h, y, key, site[0] ? site : NULL, format, lang,
					 resp, err, sizeof(err)), format, err);
}

static const struct api_route routes[] = {
	{ "GET", "/api/network/indicators", ROLE_NONE, get_indicators },
	{ "GET", "/api/network/indicators/explain", ROLE_NONE, get_explain },
	{ NULL, NULL, 0, NULL },
};

int fed_init(struct hub *h)
{
	const char *site = conf_str(h->conf, "net.site");
	int network = !strcmp(conf_str(h->conf, "net.role"), "network");
	struct fed *f;

	if (!network && !site)
		return 0;
	if (site && !fedi_site_ok(site)) {
		LOG(L_ERR, "net.site: '%s' is not a site id ([A-Za-z0-9._-], 1 to 64)", site);
		return -1;
	}
	if (!(f = calloc(1, sizeof(*f))))
		return -1;
	f->network = network;
	h->fed = f;
	if (ingest_on_topic(h, MQTT_NET, on_topic))
		return -1;
	if (network)
		return central_init(h) || api_register(h, routes) ? -1 : 0;
	return fact_init(h);
}

void fed_fini(struct hub *h)
{
	struct fed *f = h->fed;

	if (!f)
		return;
	free(f->sites);
	free(f);
	h->fed = NULL;
}
