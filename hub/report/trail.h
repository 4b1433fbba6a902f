/*
 * trail.h — an explain trail's columns and cells in people's words (the
 * HTML the hub renders).
 */
#ifndef MLAB_TRAIL_H
#define MLAB_TRAIL_H

#include <stddef.h>

struct report;
struct xtab;
struct cJSON;

/* The words of column col in catalogue cat (trail.col.<col>), or col.
 * The string belongs to cat. */
const char *trail_head(const struct cJSON *cat, const char *col);

/* Cell v (NULL for none) of column c of x in people's words: the string
 * returned is buf, v, or a string of cat or r (none for the caller to
 * free). */
const char *trail_cell(struct report *r, const struct cJSON *cat, int fr, const struct xtab *x,
		       int c, const char *v, char *buf, size_t len);

#endif
