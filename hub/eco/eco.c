/*
 * eco.c — the table of device ecosystems, and the small helpers every
 * parser shares (numbers as devices send them, UTF-8-safe copies).
 * No I/O here: see eco.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

extern const struct eco_ops tasmota_ops, shelly_ops, esphome_ops, z2m_ops,
	homeassistant_ops;
extern const struct eco_ops homie_ops, octoprint_ops, moonraker_ops, bambu_ops;
extern const struct eco_ops mlab_ops;

/* Every enabled ecosystem whose filters match a topic parses the message
 * (ingest.c), and the devices of each one that returns ECO_OK are
 * applied: no ecosystem stops the others.  Order matters only when none
 * accepts a message: the first ECO_BAD's reason is the one logged. */
const struct eco_ops *const eco_table[] = {
	&tasmota_ops,
	&shelly_ops,
	&esphome_ops,
	&z2m_ops,
	&homeassistant_ops,
	&homie_ops,
	&octoprint_ops,
	&moonraker_ops,
	&bambu_ops,
	&mlab_ops,
};
const int eco_count = sizeof(eco_table) / sizeof(eco_table[0]);
_Static_assert(sizeof(eco_table) / sizeof(eco_table[0]) <= ECO_TABLE_MAX,
	       "eco_table has more rows than ECO_TABLE_MAX (eco.h)");

struct eco_dev *eco_dev_add(struct eco_out *out, const char *native)
{
	struct eco_dev *d;

	for (int i = 0; i < out->ndev; i++)
		if (!strcmp(out->dev[i].native, native))
			return &out->dev[i];
	if (out->ndev >= ECO_MAX_DEV)
		return NULL;
	d = &out->dev[out->ndev++];
	memset(d, 0, sizeof(*d));
	eco_strlcpy(d->native, sizeof(d->native), native, strlen(native));
	return d;
}

void eco_metric(struct eco_dev *d, const char *name, double value)
{
	if (!isfinite(value))
		return;
	for (int i = 0; i < d->nmetric; i++)
		if (!strcmp(d->metric[i].name, name)) {
			d->metric[i].value = value;
			return;
		}
	if (d->nmetric >= ECO_MAX_METRIC)
		return;
	eco_strlcpy(d->metric[d->nmetric].name, sizeof(d->metric[0].name),
		    name, strlen(name));
	d->metric[d->nmetric++].value = value;
}

int eco_num(const char *s, size_t len, int allow_suffix, double *v)
{
	char buf[64], *end;
	size_t i = 0, j;
	double d;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	j = len;
	while (j > i && isspace((unsigned char)s[j - 1]))
		j--;
	if (j == i || j - i >= sizeof(buf))
		return -1;
	memcpy(buf, s + i, j - i);
	buf[j - i] = '\0';
	if (buf[0] != '-' && buf[0] != '+' && buf[0] != '.' && !isdigit((unsigned char)buf[0]))
		return -1;	/* refuses "nan", "inf", "null", hex words */
	d = strtod(buf, &end);
	if (end == buf || !isfinite(d))
		return -1;
	if (*end && !allow_suffix)
		return -1;
	if (*end && !isalpha((unsigned char)*end) && *end != '%' && *end != ' ')
		return -1;
	*v = d;
	return 0;
}

int eco_bool(const char *s, size_t len)
{
	static const char *yes[] = { "on", "true", "1", "open", "yes", "online" };
	static const char *no[] = { "off", "false", "0", "closed", "no", "offline" };

	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strlen(yes[i]) == len && !strncasecmp(s, yes[i], len))
			return 1;
		if (strlen(no[i]) == len && !strncasecmp(s, no[i], len))
			return 0;
	}
	return -1;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2; cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3; cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4; cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void eco_strlcpy(char *dst, size_t dstlen, const char *s, size_t len)
{
	size_t o = 0, i = 0;

	if (!dstlen)
		return;
	while (i < len) {
		size_t l = utf8_seq((const unsigned char *)s + i, len - i);

		if (!l) {	/* invalid byte: one '?' */
			if (o + 1 >= dstlen)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + l >= dstlen)
			break;
		memcpy(dst + o, s + i, l);
		if (l == 1 && (unsigned char)s[i] < 0x20)
			dst[o] = ' ';	/* control characters never reach a page */
		o += l;
		i += l;
	}
	dst[o] = '\0';
}

int eco_split(const char *topic, char *buf, size_t buflen, char **seg, int max)
{
	size_t len = strlen(topic);
	int n = 0;
	char *p;

	if (len + 1 > buflen || max < 1)
		return 0;
	memcpy(buf, topic, len + 1);
	p = buf;
	seg[n++] = p;
	while ((p = strchr(p, '/')) && n < max) {
		*p++ = '\0';
		seg[n++] = p;
	}
	if (p)	/* more segments than max: say so by returning max+1 */
		return max + 1;
	return n;
}

int eco_list_item(const char *list, int i, char *buf, size_t len)
{
	const char *p = list, *e;
	size_t n;

	for (;;) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		while (p < e && *p == ' ')
			p++;
		n = (size_t)(e - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '/'))
			n--;
		if (n && i-- == 0) {
			if (n >= len)
				return -1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return 0;
		}
		if (!*e)
			return -1;
		p = e + 1;
	}
}

double eco_f_to_c(double f)
{
	return (f - 32.0) * 5.0 / 9.0;
}

struct eco_ctx *eco_peer(struct eco_ctx *ctx, const char *name)
{
	if (!ctx->all)
		return NULL;
	for (int i = 0; i < eco_count; i++)
		if (ctx->all[i].ops && !strcmp(ctx->all[i].ops->name, name))
			return &ctx->all[i];
	return NULL;
}

int eco_jnum(const struct cJSON *j, int allow_suffix, double *v)
{
	if (!j)
		return -1;
	if (cJSON_IsNumber(j)) {
		if (!isfinite(j->valuedouble))
			return -1;
		*v = j->valuedouble;
		return 0;
	}
	if (cJSON_IsString(j) && j->valuestring)
		return eco_num(j->valuestring, strlen(j->valuestring), allow_suffix, v);
	return -1;
}

int eco_jbool(const struct cJSON *j)
{
	if (!j)
		return -1;
	if (cJSON_IsBool(j))
		return cJSON_IsTrue(j);
	if (cJSON_IsNumber(j))
		return j->valuedouble != 0;
	if (cJSON_IsString(j) && j->valuestring)
		return eco_bool(j->valuestring, strlen(j->valuestring));
	return -1;
}

int eco_jstr(const struct cJSON *j, char *dst, size_t dstlen)
{
	if (!j)
		return -1;
	if (cJSON_IsString(j) && j->valuestring) {
		eco_strlcpy(dst, dstlen, j->valuestring, strlen(j->valuestring));
		return 0;
	}
	if (cJSON_IsNumber(j)) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "%.15g", j->valuedouble);

		eco_strlcpy(dst, dstlen, buf, (size_t)n);
		return 0;
	}
	return -1;
}
