/*
 * vocab.c — the arrays and the JSON generated from the lists in vocab.h.
 * No I/O.
 */
#include <ctype.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/vocab.h"

#define VOCAB_DEFINE(c, json, list) const char *const vocab_##c[] = { VOCAB_C(list) NULL };
VOCAB_ALL(VOCAB_DEFINE)
#undef VOCAB_DEFINE

int vocab_index(const char *const *list, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

int vocab_child_band(const char *b)
{
	int i = vocab_index(vocab_age_bands, b);

	return (i >= 0 && i < VOCAB_CHILD_BANDS) || (b && !strcmp(b, VOCAB_CHILD_BROAD));
}

static int add_list(cJSON *o, const char *name, const char *const *list, int n)
{
	cJSON *a = cJSON_AddArrayToObject(o, name);

	if (!a)
		return -1;
	for (int i = 0; list[i] && (n < 0 || i < n); i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(list[i])))
			return -1;
	return 0;
}

/* The caller owns the object returned (cJSON_Delete); NULL on ENOMEM. */
cJSON *vocab_json(void)
{
	cJSON *o = cJSON_CreateObject();
	int rc = o ? 0 : -1;

#define VOCAB_ADD(c, json, list) \
	if (!rc) \
		rc = add_list(o, json, vocab_##c, -1);
	VOCAB_ALL(VOCAB_ADD)
#undef VOCAB_ADD
	if (!rc)
		rc = add_list(o, "child_age_bands", vocab_age_bands, VOCAB_CHILD_BANDS);
	if (!rc && !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(o, "child_age_bands"),
					 cJSON_CreateString(VOCAB_CHILD_BROAD)))
		rc = -1;
	if (!rc)
		rc = add_list(o, "minor_age_bands", vocab_age_bands, VOCAB_MINOR_BANDS);
	if (!rc && !cJSON_AddStringToObject(o, "adult_age_band", VOCAB_ADULT_BROAD))
		rc = -1;
	if (rc) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The licence in its SPDX spelling, from friendly ones ("CC BY 4.0",
 * "cc-by-nc-sa", "CC0", "not for publication"); NULL if unknown.  The
 * six Creative Commons 4.0 licences, CC0, and "none" (all rights
 * reserved: not for publication). */
const char *vocab_licence(const char *s)
{
	static const struct { const char *k, *spdx; } map[] = {
		{ "ccby40", "CC-BY-4.0" }, { "ccby", "CC-BY-4.0" },
		{ "ccbysa40", "CC-BY-SA-4.0" }, { "ccbysa", "CC-BY-SA-4.0" },
		{ "ccbync40", "CC-BY-NC-4.0" }, { "ccbync", "CC-BY-NC-4.0" },
		{ "ccbyncsa40", "CC-BY-NC-SA-4.0" }, { "ccbyncsa", "CC-BY-NC-SA-4.0" },
		{ "ccbynd40", "CC-BY-ND-4.0" }, { "ccbynd", "CC-BY-ND-4.0" },
		{ "ccbyncnd40", "CC-BY-NC-ND-4.0" }, { "ccbyncnd", "CC-BY-NC-ND-4.0" },
		{ "cc010", "CC0-1.0" }, { "cc0", "CC0-1.0" }, { "publicdomain", "CC0-1.0" },
		{ "none", "none" }, { "notforpublication", "none" },
		{ "allrightsreserved", "none" }, { "", "none" },
	};
	char k[32];
	size_t n = 0;

	for (const char *p = s; *p; p++) {
		if (isalnum((unsigned char)*p)) {
			if (n + 1 >= sizeof(k))
				return NULL;
			k[n++] = (char)tolower((unsigned char)*p);
		}
	}
	k[n] = '\0';
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].k, k))
			return map[i].spdx;
	return NULL;
}
