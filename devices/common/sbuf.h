/*
 * sbuf.h — a growable string buffer for building MQTT payloads.
 *
 * The simulators must reproduce each ecosystem's exact bytes (Python
 * json.dumps spacing for OctoPrint, Tasmota's space-padded integers,
 * Shelly's odd ", " spacing), so payloads are written with printf-style
 * appends rather than a JSON library; sbuf_jstr() adds one correctly
 * escaped JSON string.  Allocation failure is sticky: sbuf.err is set,
 * later appends do nothing, and sbuf_str() still returns a valid string.
 */
#ifndef MLAB_DEV_SBUF_H
#define MLAB_DEV_SBUF_H

#include <stddef.h>

struct sbuf {
	char *buf;		/* owned; NUL-terminated when len > 0 */
	size_t len, cap;
	int err;		/* an allocation failed */
};

/* How sbuf_jstr() writes characters above U+007F. */
enum sbuf_esc {
	SBUF_UTF8,		/* raw UTF-8 (ArduinoJson, Tasmota, Z2M, msgspec) */
	SBUF_ASCII		/* \uXXXX, as Python's json.dumps(ensure_ascii=True) */
};

void sbuf_init(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);		/* empty it, keep memory */
void sbuf_free(struct sbuf *sb);		/* free memory, buf = NULL */
int sbuf_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sbuf_jstr(struct sbuf *sb, const char *s, enum sbuf_esc esc);
/* The contents; never NULL, owned by sb, valid until the next append. */
const char *sbuf_str(const struct sbuf *sb);

#endif
