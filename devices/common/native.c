/*
 * native.c — topics and documents of the hub's native schema (native.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
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

int native_boot_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > NATIVE_BOOT_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

void native_boot_new(char *buf, size_t len)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* no entropy source: the time and pid still differ per start */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		r = (uint64_t)ts.tv_sec * 1000000007ULL ^
		    (uint64_t)ts.tv_nsec << 20 ^ (uint64_t)getpid();
	}
	snprintf(buf, len, "%016llx", (unsigned long long)r);
}

/* A whole number in 0..9e15, else -1. */
static int64_t whole(const cJSON *n)
{
	if (!cJSON_IsNumber(n) || n->valuedouble < 0 ||
	    n->valuedouble > 9.0e15 || n->valuedouble != floor(n->valuedouble))
		return -1;
	return (int64_t)n->valuedouble;
}

int native_parse_ack(const char *payload, int len, struct native_ack *a)
{
	cJSON *root, *b, *m, *r;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	root = cJSON_ParseWithLength(payload, (size_t)len);
	if (!root)
		return -1;
	a->seq = whole(cJSON_GetObjectItemCaseSensitive(root, "seq"));
	if (a->seq < 0)
		goto out;
	b = cJSON_GetObjectItemCaseSensitive(root, "boot");
	if (cJSON_IsString(b) && native_boot_valid(b->valuestring)) {
		snprintf(a->boot, sizeof(a->boot), "%s", b->valuestring);
		a->has_boot = 1;
	} else if (whole(b) >= 0) {
		snprintf(a->boot, sizeof(a->boot), "%lld",
			 (long long)whole(b));
		a->has_boot = 1;
	} else if (b && !cJSON_IsNull(b)) {
		goto out;	/* a boot we cannot read: not ours to apply */
	}
	m = cJSON_GetObjectItemCaseSensitive(root, "missing");
	if (!cJSON_IsArray(m))
		m = NULL;
	cJSON_ArrayForEach(r, m) {
		int64_t lo = whole(cJSON_GetArrayItem(r, 0));
		int64_t hi = whole(cJSON_GetArrayItem(r, 1));

		if (a->nmissing == NATIVE_MISSING_MAX)
			break;
		if (!cJSON_IsArray(r) || lo < 1 || hi < lo)
			continue;
		a->missing[a->nmissing][0] = lo;
		a->missing[a->nmissing][1] = hi;
		a->nmissing++;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

int native_ack_covers(const struct native_ack *a, const char *boot)
{
	return !a->has_boot || strcmp(a->boot, boot) == 0;
}
