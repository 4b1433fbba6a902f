/*
 * words.h — the pages' catalogue of words, compiled in (words.c).
 */
#ifndef MLAB_WORDS_H
#define MLAB_WORDS_H

struct cJSON;

/* The catalogue of French (fr) or English, web/i18n/ compiled in, parsed:
 * the pages' words, which the report's are too.  The caller frees it
 * (cJSON_Delete).  NULL when memory ran out: every word is then its key. */
struct cJSON *words_load(int fr);

/* The entry prefix + name of catalogue cat, or name when there is none
 * (the string belongs to cat or is name). */
const char *words_get(const struct cJSON *cat, const char *prefix, const char *name);

#endif
