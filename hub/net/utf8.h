/*
 * utf8.h — is it text?  Request bodies are checked once on the way in
 * (api_dispatch), and every WebSocket message is scrubbed on the way out,
 * so that nothing already stored can break a text frame.
 */
#ifndef MLAB_UTF8_H
#define MLAB_UTF8_H

#include <stddef.h>

/* 1 when the n bytes of s are well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF) without a NUL byte; 0 otherwise. */
int utf8_valid(const char *s, size_t n);

/* Replace, in place, each byte of s that does not belong to a well-formed
 * UTF-8 sequence (and each NUL) with '?'.  The length is kept.  Returns
 * how many bytes were replaced. */
size_t utf8_scrub(char *s, size_t n);

/* 1 when the n bytes of JSON text s hold the escape \u0000 (a NUL once
 * parsed: the C strings that carry a value would end there and drop the
 * rest without a word); 0 otherwise.  An escaped backslash is skipped, so
 * "\\u0000" is text. */
int utf8_json_nul(const char *s, size_t n);

#endif
