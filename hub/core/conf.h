/*
 * conf.h — runtime configuration: an INI file plus --set overrides.
 *
 * Every key the hub understands is a row of one table in conf.c, with its
 * type, default and allowed values; a key pattern may use "*" for one
 * dotted segment (machine.*.plug).  Unknown keys and bad values are
 * errors naming file:line or the --set key.
 */
#ifndef MLAB_CONF_H
#define MLAB_CONF_H

struct conf;

/* Allocate an empty configuration with defaults. Caller frees: conf_free(). */
struct conf *conf_new(void);
void conf_free(struct conf *c);

/* Parse an INI file into c. Returns 0, or -1 after logging "file:line: why". */
int conf_load(struct conf *c, const char *path);

/* Apply one "section.key=value" override. -1 after logging the key. */
int conf_set_arg(struct conf *c, const char *arg);

/* Set key to value; origin is used in messages ("--set", "file:12").
 * Returns 0, or -1 after logging "origin: key: why". */
int conf_set(struct conf *c, const char *key, const char *value,
	     const char *origin);

/* Typed getters. The key must be in the table (assert).  The returned
 * string belongs to c and lives until conf_free(). */
const char *conf_str(const struct conf *c, const char *key);
long conf_int(const struct conf *c, const char *key);
double conf_num(const struct conf *c, const char *key);
int conf_bool(const struct conf *c, const char *key);

/* Call fn for each key set (by file or --set) that matches pattern
 * ("machine.*.plug"), in the order they were set.  name is the text of
 * the first "*" segment. */
typedef void (*conf_each_fn)(void *arg, const char *key, const char *name,
			     const char *value);
void conf_each(const struct conf *c, const char *pattern, conf_each_fn fn,
	       void *arg);

/* Print every known key with its value (for --check-config -v). */
void conf_dump(const struct conf *c);

#endif
