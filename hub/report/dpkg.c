/*
 * dpkg.c — the fiscal year's indicators as a Frictionless Data Package
 * (https://specs.frictionlessdata.io/data-package/, tabular profile):
 * datapackage.json, whose one resource has a Table Schema
 * (https://specs.frictionlessdata.io/table-schema/), and the CSV it
 * describes.  This is the shape open-data portals (Données Québec's
 * CKAN among them) take in.
 *
 * The CSV is wide: one row per year (a lab) or per site plus a row
 * "total" (a network), one column per indicator, named as in the API,
 * then a column "<name>.target" for each figure with a target.  Each
 * field carries its type (integer counts; numbers for shares, hours and
 * energy), the report's own label in French as its title, and both
 * languages' labels in its description.  An empty cell is a figure with
 * no value (a rate over no vote) or one a site does not have (a machine
 * it does not own): missingValues [""].
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "report/dpkg.h"
#include "report/render.h"

#define LICENCE "CC-BY-4.0"
#define LICENCE_URL "https://creativecommons.org/licenses/by/4.0/"

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Shares, hours and energy have decimals; everything else is a count. */
static int is_count(const char *name)
{
	return !strstr(name, "_pct") && !strstr(name, "_hours") && !strstr(name, "_kwh");
}

static cJSON *field(cJSON *fields, const char *name, const char *type, const char *fr,
		    const char *en)
{
	cJSON *f = cJSON_CreateObject();
	char d[700];

	cJSON_AddStringToObject(f, "name", name);
	cJSON_AddStringToObject(f, "type", type);
	cJSON_AddStringToObject(f, "title", fr);
	snprintf(d, sizeof(d), "Français\u00a0: %s. English: %s.", fr, en);
	cJSON_AddStringToObject(f, "description", d);
	cJSON_AddItemToArray(fields, f);
	return f;
}

/* The Table Schema of the figures in ind (the total's for a network). */
static cJSON *schema(const cJSON *ind, int network)
{
	cJSON *s = cJSON_CreateObject(), *fields = cJSON_AddArrayToObject(s, "fields"), *f, *pk;
	const cJSON *fig;
	char fr[400], en[400], nm[200];

	field(fields, "fiscal_year", "year", "Exercice financier (1er avril – 31 mars)",
	      "Fiscal year (1 April – 31 March)");
	if (network) {
		f = field(fields, "site", "string", "Site du réseau (« total » : le réseau entier)",
			  "Network site (\"total\": the whole network)");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(f, "constraints"), "pattern",
					"[A-Za-z0-9._-]{1,64}");
	}
	cJSON_ArrayForEach(fig, ind) {
		f = field(fields, fig->string, is_count(fig->string) ? "integer" : "number",
			  render_label(fig->string, 1, fr, sizeof(fr)),
			  render_label(fig->string, 0, en, sizeof(en)));
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(f, "constraints"), "minimum", 0);
	}
	cJSON_ArrayForEach(fig, ind) {
		if (cJSON_IsNull(get(fig, "target")) || !get(fig, "target"))
			continue;
		snprintf(nm, sizeof(nm), "%s.target", fig->string);
		snprintf(fr, sizeof(fr), "Cible : ");
		render_label(fig->string, 1, fr + strlen(fr), sizeof(fr) - strlen(fr));
		snprintf(en, sizeof(en), "Target: ");
		render_label(fig->string, 0, en + strlen(en), sizeof(en) - strlen(en));
		field(fields, nm, "number", fr, en);
	}
	cJSON_AddItemToArray(cJSON_AddArrayToObject(s, "missingValues"), cJSON_CreateString(""));
	pk = cJSON_AddArrayToObject(s, "primaryKey");
	cJSON_AddItemToArray(pk, cJSON_CreateString("fiscal_year"));
	if (network)
		cJSON_AddItemToArray(pk, cJSON_CreateString("site"));
	return s;
}

static void put_num(struct api_resp *o, const cJSON *v, char sep)
{
	char *s = cJSON_IsNumber(v) ? cJSON_PrintUnformatted(v) : NULL;

	api_csv(o, s ? s : "", sep);
	free(s);
}

/* One CSV row: the columns of all (every figure, then the targets),
 * values from ind (a site may lack a breakdown: empty). */
static void row(struct api_resp *o, int fy, const char *site, const cJSON *all, const cJSON *ind)
{
	const cJSON *fig;

	api_printf(o, "%d,", fy);
	if (site)
		api_csv(o, site, ',');
	cJSON_ArrayForEach(fig, all)
		put_num(o, get(get(ind, fig->string), "value"), ',');
	cJSON_ArrayForEach(fig, all)
		if (cJSON_IsNumber(get(fig, "target")))
			put_num(o, get(get(ind, fig->string), "target"), ',');
	o->len--;	/* the last ',' */
	api_printf(o, "\r\n");
}

static void header(struct api_resp *o, int network, const cJSON *all)
{
	const cJSON *fig;
	char nm[200];

	api_printf(o, "fiscal_year,%s", network ? "site," : "");
	cJSON_ArrayForEach(fig, all)
		api_csv(o, fig->string, ',');
	cJSON_ArrayForEach(fig, all)
		if (cJSON_IsNumber(get(fig, "target"))) {
			snprintf(nm, sizeof(nm), "%s.target", fig->string);
			api_csv(o, nm, ',');
		}
	o->len--;
	api_printf(o, "\r\n");
}

/* Write buf to dir/name through a temporary file and a rename. */
static int put_file(const char *dir, const char *name, const char *buf, size_t len,
		    char *err, size_t errlen)
{
	char path[4200], tmp[4300];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	bad = len && fwrite(buf, 1, len, f) != len;
	bad |= fflush(f) || fsync(fileno(f));
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int dpkg_write(const char *dir, const cJSON *o, const char *lab, char *err, size_t errlen)
{
	const cJSON *sites = get(o, "sites"), *all, *site;
	int network = sites != NULL, fy = (int)cJSON_GetNumberValue(get(o, "fy")), rc;
	struct api_resp csv;
	cJSON *p, *r, *x;
	char name[80], file[96], t[300];
	char *js;

	all = network ? get(get(o, "total"), "indicators") : get(o, "indicators");
	if (!cJSON_IsObject(all) || fy < 2000) {
		snprintf(err, errlen, "no indicators to write");
		return -1;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(name, sizeof(name), "%s-%d", network ? "network-indicators" : "indicators", fy);
	snprintf(file, sizeof(file), "%s.csv", name);

	memset(&csv, 0, sizeof(csv));
	header(&csv, network, all);
	if (network) {
		cJSON_ArrayForEach(site, sites)
			row(&csv, fy, site->string, all, get(site, "indicators"));
		row(&csv, fy, "total", all, all);
	} else {
		row(&csv, fy, NULL, all, all);
	}

	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "profile", "tabular-data-package");
	snprintf(t, sizeof(t), "mlab-%s", name);
	cJSON_AddStringToObject(p, "name", t);
	snprintf(t, sizeof(t), "%s — %s %d-%d / %s %d-%d", lab,
		 network ? "indicateurs du réseau" : "indicateurs annuels", fy, fy + 1,
		 network ? "network indicators" : "annual indicators", fy, fy + 1);
	cJSON_AddStringToObject(p, "title", t);
	snprintf(t, sizeof(t), "Indicateurs de l'exercice du 1er avril %d au 31 mars %d%s. "
		 "Indicators of the fiscal year from 1 April %d to 31 March %d%s.",
		 fy, fy + 1, network ? ", par site et pour le réseau" : "",
		 fy, fy + 1, network ? ", per site and for the network" : "");
	cJSON_AddStringToObject(p, "description", t);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "keywords"), cJSON_CreateString("mlab-hub"));
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", LICENCE);
	cJSON_AddStringToObject(x, "path", LICENCE_URL);
	cJSON_AddStringToObject(x, "title", "Creative Commons Attribution 4.0 International");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "licenses"), x);
	r = cJSON_AddArrayToObject(p, "sources");
	if (network) {
		cJSON_ArrayForEach(site, sites) {
			snprintf(t, sizeof(t), "Faits anonymes du site / anonymous facts of site %s",
				 site->string);
			x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "title", t);
			cJSON_AddItemToArray(r, x);
		}
	} else {
		snprintf(t, sizeof(t), "%s — base de participation et d'appareils de mlab-hub / "
			 "mlab-hub participation and device database", lab);
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "title", t);
		cJSON_AddItemToArray(r, x);
	}
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "name", name);
	cJSON_AddStringToObject(r, "path", file);
	cJSON_AddStringToObject(r, "profile", "tabular-data-resource");
	cJSON_AddStringToObject(r, "format", "csv");
	cJSON_AddStringToObject(r, "mediatype", "text/csv");
	cJSON_AddStringToObject(r, "encoding", "utf-8");
	x = cJSON_AddObjectToObject(r, "dialect");
	cJSON_AddStringToObject(x, "delimiter", ",");
	cJSON_AddStringToObject(x, "lineTerminator", "\r\n");
	cJSON_AddBoolToObject(x, "header", 1);
	cJSON_AddItemToObject(r, "schema", schema(all, network));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "resources"), r);

	js = cJSON_Print(p);
	cJSON_Delete(p);
	if (!js || !csv.body) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	} else {
		/* the CSV first: a datapackage.json never names a missing file */
		rc = put_file(dir, file, csv.body, csv.len, err, errlen);
		if (!rc) {
			size_t n = strlen(js);

			js[n] = '\n';	/* cJSON_Print leaves no final newline */
			rc = put_file(dir, "datapackage.json", js, n + 1, err, errlen);
			js[n] = '\0';
		}
	}
	free(js);
	api_resp_free(&csv);
	return rc;
}
