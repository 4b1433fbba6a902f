/*
 * sbuf.c — growable string buffer and JSON string escaping (see sbuf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "sbuf.h"

void sbuf_init(struct sbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	sb->err = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sbuf_free(struct sbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

/* Make room for n more bytes plus the NUL.  Returns 0 or -1 (sets err). */
static int sbuf_grow(struct sbuf *sb, size_t n)
{
	size_t want = sb->len + n + 1;
	char *p;

	if (sb->err)
		return -1;
	if (want <= sb->cap)
		return 0;
	if (want < 2 * sb->cap)
		want = 2 * sb->cap;
	if (want < 256)
		want = 256;
	p = realloc(sb->buf, want);
	if (!p) {
		sb->err = 1;
		return -1;
	}
	sb->buf = p;
	sb->cap = want;
	return 0;
}

int sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sbuf_grow(sb, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

/* Decode one UTF-8 sequence at s; stores the code point, returns its length
 * (1 for an invalid byte, which is then passed through as U+FFFD). */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x0f) << 12) |
		      ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		return 3;
	}
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) |
		      ((uint32_t)(s[1] & 0x3f) << 12) |
		      ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

/*
 * Append s as a quoted JSON string.  With SBUF_ASCII every code point above
 * U+007F becomes \uXXXX (a surrogate pair above U+FFFF), like Python.
 */
int sbuf_jstr(struct sbuf *sb, const char *s, enum sbuf_esc esc)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	int n;

	sbuf_printf(sb, "\"");
	while (*p) {
		if (*p == '"' || *p == '\\') {
			sbuf_printf(sb, "\\%c", *p);
			p++;
		} else if (*p == '\n') {
			sbuf_printf(sb, "\\n");
			p++;
		} else if (*p == '\t') {
			sbuf_printf(sb, "\\t");
			p++;
		} else if (*p == '\r') {
			sbuf_printf(sb, "\\r");
			p++;
		} else if (*p < 0x20) {
			sbuf_printf(sb, "\\u%04x", *p);
			p++;
		} else if (*p < 0x80 || esc == SBUF_UTF8) {
			sbuf_printf(sb, "%c", *p);
			p++;
		} else {
			n = utf8_next(p, &cp);
			p += n;
			if (cp > 0xffff) {
				cp -= 0x10000;
				sbuf_printf(sb, "\\u%04x\\u%04x",
					    0xd800 + (cp >> 10),
					    0xdc00 + (cp & 0x3ff));
			} else {
				sbuf_printf(sb, "\\u%04x", cp);
			}
		}
	}
	return sbuf_printf(sb, "\"");
}

const char *sbuf_str(const struct sbuf *sb)
{
	return sb->buf && !sb->err ? sb->buf : "";
}
