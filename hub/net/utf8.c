/*
 * utf8.c — UTF-8 validation and scrubbing (see utf8.h).
 *
 * The decoder follows the table of well-formed byte sequences in the
 * Unicode standard (chapter 3, table 3-7): the second byte's range
 * depends on the first, which rules out overlong forms, surrogates and
 * code points past U+10FFFF without decoding them.
 */
#include "net/utf8.h"

/* Length of the well-formed sequence at s (at most n bytes), or 0. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c >= 0x01 && c <= 0x7F)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;	/* NUL, a continuation byte, C0, C1, F5–FF */
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t l = seq_len(p + i, n - i);

		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

size_t utf8_scrub(char *s, size_t n)
{
	unsigned char *p = (unsigned char *)s;
	size_t bad = 0;

	for (size_t i = 0; i < n;) {
		size_t l = seq_len(p + i, n - i);

		if (l) {
			i += l;
			continue;
		}
		p[i++] = '?';
		bad++;
	}
	return bad;
}

int utf8_json_nul(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 5 < n && s[i + 2] == '0' && s[i + 3] == '0' &&
		    s[i + 4] == '0' && s[i + 5] == '0')
			return 1;
		i++;	/* the escaped character, a backslash perhaps */
	}
	return 0;
}
