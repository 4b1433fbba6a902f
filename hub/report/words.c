/*
 * words.c — the dashboard's words (web/i18n/fr.json and en.json),
 * compiled in by the Makefile (build/gen/catalogue.h): the report's HTML
 * and spreadsheet labels and its trail read the same catalogue as the
 * pages.  It calls nothing of the module: render.c, ods.c and trail.c
 * stand above it.
 */
#include <stdio.h>
#include <cjson/cJSON.h>

#include "catalogue.h"	/* generated in build/gen/ */
#include "report/words.h"

cJSON *words_load(int fr)
{
	return cJSON_Parse((const char *)(fr ? catalogue_fr : catalogue_en));
}

const char *words_get(const cJSON *cat, const char *prefix, const char *name)
{
	const cJSON *v;
	char k[200];

	if (snprintf(k, sizeof(k), "%s%s", prefix, name) >= (int)sizeof(k))
		return name;
	v = cJSON_GetObjectItemCaseSensitive(cat, k);
	return cJSON_IsString(v) ? v->valuestring : name;
}
