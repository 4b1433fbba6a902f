/*
 * native.c — topics and documents of the hub's native schema (native.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "native.h"

int native_id_valid(const char *id)
{
	size_t n = strlen(id), i;

	if (n == 0 || n > NATIVE_ID_MAX || strcmp(id, "hub") == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

int native_topic(char *buf, size_t len, const char *id, const char *leaf)
{
	int n = snprintf(buf, len, "mlab/v1/%s/%s", id, leaf);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int native_meta_json(struct sbuf *sb, const char *name, const char *kind,
		     const char *model, const char *room)
{
	sbuf_printf(sb, "{\"name\":");
	sbuf_jstr(sb, name, SBUF_UTF8);
	sbuf_printf(sb, ",\"kind\":");
	sbuf_jstr(sb, kind, SBUF_UTF8);
	sbuf_printf(sb, ",\"model\":");
	sbuf_jstr(sb, model ? model : "", SBUF_UTF8);
	sbuf_printf(sb, ",\"room\":");
	sbuf_jstr(sb, room ? room : "", SBUF_UTF8);
	return sbuf_printf(sb, "}");
}

int native_parse_ack(const char *payload, int len, int64_t *seq)
{
	cJSON *root, *s;
	int rc = -1;

	root = cJSON_ParseWithLength(payload, (size_t)len);
	if (!root)
		return -1;
	s = cJSON_GetObjectItemCaseSensitive(root, "seq");
	if (cJSON_IsNumber(s) && s->valuedouble >= 0 &&
	    s->valuedouble < 9.0e15) {
		*seq = (int64_t)s->valuedouble;
		rc = 0;
	}
	cJSON_Delete(root);
	return rc;
}
