/*
 * corpus.h — the shared device corpus for the ecosystem unit tests: the
 * jsonl files of tests/corpus/devices (or $MLAB_CORPUS) loaded into
 * memory, and the MQTT topic-filter matcher that decides which parser a
 * line goes to.  Header-only: each test is one program.
 */
#ifndef MLAB_CORPUS_H
#define MLAB_CORPUS_H
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

/* One message of the corpus; topic and payload are owned by corpus[]. */
struct line {
	char *topic, *payload;
	size_t len;
	int retained;
};

#define CORPUS_MAX 1024
static struct line corpus[CORPUS_MAX];
static int ncorpus;

static inline FILE *corpus_open(const char *name)
{
	static const char *dirs[] = {
		"tests/corpus/devices", "../tests/corpus/devices",
		"../../tests/corpus/devices", "../../../tests/corpus/devices",
	};
	const char *env = getenv("MLAB_CORPUS");
	char path[1024];
	FILE *f;

	if (env && *env) {
		snprintf(path, sizeof(path), "%s/%s", env, name);
		return fopen(path, "r");
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if ((f = fopen(path, "r")))
			return f;
	}
	return NULL;
}

/* Load the n files in order into corpus[]; the lines of file i are
 * corpus[start[i]] up to corpus[end[i]] (start and end may be NULL).
 * A file that cannot be opened is said on stderr and skipped.  Returns
 * the number of lines; corpus_free() frees them. */
static inline int corpus_load(const char *const *files, int n, int *start, int *end)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;

	for (int i = 0; i < n; i++) {
		FILE *f = corpus_open(files[i]);

		if (start)
			start[i] = ncorpus;
		if (!f)
			fprintf(stderr, "  cannot open corpus %s: %s\n", files[i], strerror(errno));
		while (f && (len = getline(&buf, &cap, f)) > 0 && ncorpus < CORPUS_MAX) {
			cJSON *j = cJSON_ParseWithLength(buf, (size_t)len);
			const cJSON *tp = cJSON_GetObjectItem(j, "topic");
			const cJSON *pl = cJSON_GetObjectItem(j, "payload");

			if (cJSON_IsString(tp) && cJSON_IsString(pl)) {
				struct line *ln = &corpus[ncorpus++];

				ln->topic = strdup(tp->valuestring);
				ln->payload = strdup(pl->valuestring);
				ln->len = strlen(pl->valuestring);
				ln->retained = cJSON_IsTrue(cJSON_GetObjectItem(j, "retained"));
			}
			cJSON_Delete(j);
		}
		if (f)
			fclose(f);
		if (end)
			end[i] = ncorpus;
	}
	free(buf);
	return ncorpus;
}

static inline void corpus_free(void)
{
	for (int i = 0; i < ncorpus; i++) {
		free(corpus[i].topic);
		free(corpus[i].payload);
	}
	ncorpus = 0;
}

/* The first corpus line with this topic whose payload contains `has`,
 * or NULL (said on stderr). */
static inline const struct line *corpus_find(const char *topic, const char *has)
{
	for (int i = 0; i < ncorpus; i++)
		if (!strcmp(corpus[i].topic, topic) && strstr(corpus[i].payload, has))
			return &corpus[i];
	fprintf(stderr, "  corpus line missing: %s %s\n", topic, has);
	return NULL;
}

/* MQTT topic filter matching: '+' one level, '#' the rest. */
static inline int topic_match(const char *filter, const char *topic)
{
	while (*filter) {
		if (filter[0] == '#')
			return 1;
		if (filter[0] == '+') {
			while (*topic && *topic != '/')
				topic++;
			filter++;
			continue;
		}
		if (*filter != *topic)
			return 0;
		if (*filter == '/' && filter[1] == '#' && !topic[1])
			return 1;	/* "a/#" matches "a/" */
		filter++, topic++;
	}
	return !*topic;
}

/* Whether one of ops' filters for prefix (NULL: its default) matches topic. */
static inline int matches(const struct eco_ops *ops, const char *prefix, const char *topic)
{
	char f[ECO_FILTERS_MAX][ECO_FILTER_LEN];
	int n = ops->filters(prefix ? prefix : ops->default_prefix, f, ECO_FILTERS_MAX);

	for (int i = 0; i < n; i++)
		if (topic_match(f[i], topic))
			return 1;
	return 0;
}
/* Device `native` of a parse result (NULL: the first), or an empty one
 * so that checks on it fail rather than crash. */
static inline struct eco_dev *out_dev(struct eco_out *o, const char *native)
{
	static struct eco_dev none;

	for (int i = 0; i < o->ndev; i++)
		if (!native || !strcmp(o->dev[i].native, native))
			return &o->dev[i];
	memset(&none, 0, sizeof(none));
	return &none;
}

/* A metric of d, NAN when absent. */
static inline double out_metric(const struct eco_dev *d, const char *name)
{
	for (int i = 0; i < d->nmetric; i++)
		if (!strcmp(d->metric[i].name, name))
			return d->metric[i].value;
	return NAN;
}

#endif
