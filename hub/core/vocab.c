/*
 * vocab.c — the arrays and the JSON generated from the lists in vocab.h.
 * No I/O.
 */
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
	if (rc) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
