/*
 * moonraker.c — Klipper printers through Moonraker's [mqtt] component.
 *
 * Moonraker publishes under its instance name (default: the hostname),
 * which is the printer's native id:
 *
 *	<inst>/moonraker/status		{"server":"online"|"offline"}, retained (LWT)
 *	<inst>/klipper/status		{"eventtime":…,"status":{<object>:{fields}}}
 *	<inst>/klipper/state/<object>/<field>	{"eventtime":…,"value":…}
 *					(publish_split_status), retained
 *
 * After the first full status Klipper sends only the fields that changed,
 * so every field present is reported and nothing else.  The layer pair is
 * remembered per instance because current_layer changes alone.
 * `eventtime` is Klipper's monotonic clock, not a Unix time: never a ts.
 *
 * The prefix is empty by default (any instance, one topic level) or a
 * comma-separated list of instance names to read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

#define MR_MAX_INSTANCES	32
#define MR_MAX_NAMES		16

struct mr_mem {
	struct eco_slot slot;		/* key: the instance name */
	double layer, layers;
};

struct mr_priv {
	struct mr_mem mem[MR_MAX_INSTANCES];
	struct eco_cache cache;		/* LRU */
};

/* print_stats.state → job states. */
static const struct {
	const char *klipper, *state;
} mr_states[] = {
	{ "standby", "idle" },
	{ "printing", "printing" },
	{ "paused", "paused" },
	{ "complete", "finished" },
	{ "cancelled", "cancelled" },
	{ "error", "failed" },
};

static int mr_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	static const char *tails[] = { "moonraker/status", "klipper/status", "klipper/state/#" };
	char inst[200];
	int n = 0;

	for (int i = 0; i < MR_MAX_NAMES; i++) {
		if (!*prefix)
			strcpy(inst, "+");
		else if (eco_list_item(prefix, i, inst, sizeof(inst)))
			break;
		for (int t = 0; t < 3 && n < max; t++)
			snprintf(filters[n++], ECO_FILTER_LEN, "%s/%s", inst, tails[t]);
		if (!*prefix)
			break;
	}
	return n;
}

static int mr_init(struct eco_ctx *ctx)
{
	struct mr_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	eco_cache_init(&p->cache, p->mem, sizeof(p->mem[0]), MR_MAX_INSTANCES, ECO_CACHE_LRU);
	ctx->priv = p;
	return 0;
}

static void mr_fini(struct eco_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

/* The remembered layers of instance `inst` (LRU slot); NULL without priv. */
static struct mr_mem *mr_mem(struct eco_ctx *ctx, const char *inst)
{
	struct mr_priv *p = ctx->priv;

	return p ? eco_cache_get(&p->cache, inst, 1) : NULL;
}

/* A temperature object: extruder, heater_bed, or a chamber sensor. */
static const char *mr_heater_metric(const char *obj, int target)
{
	if (!strcmp(obj, "extruder"))
		return target ? "nozzle_target_c" : "nozzle_temp_c";
	if (!strcmp(obj, "heater_bed"))
		return target ? "bed_target_c" : "bed_temp_c";
	if (!target && (!strncmp(obj, "temperature_sensor ", 19) ||
			!strncmp(obj, "heater_generic ", 15)) && strstr(obj, "chamber"))
		return "chamber_temp_c";
	return NULL;
}

/*
 * One field of one Klipper object into d (m: the instance's layer
 * memory, may be NULL).  Returns 1 when it said something, else 0.
 */
static int mr_field(struct eco_dev *d, struct mr_mem *m, const char *obj,
		    const char *field, const cJSON *val)
{
	const char *metric;
	double v;
	int n = 0;

	if (!strcmp(obj, "print_stats")) {
		if (!strcmp(field, "state") && cJSON_IsString(val) && val->valuestring) {
			for (size_t i = 0; i < sizeof(mr_states) / sizeof(mr_states[0]); i++) {
				if (strcmp(val->valuestring, mr_states[i].klipper))
					continue;
				strcpy(d->job_state, mr_states[i].state);
				d->has |= ECO_JOB_STATE;
				return 1;
			}
		} else if (!strcmp(field, "filename") && cJSON_IsString(val) &&
			   val->valuestring && val->valuestring[0]) {
			eco_strlcpy(d->job_file, sizeof(d->job_file), val->valuestring,
				    strlen(val->valuestring));
			d->has |= ECO_JOB_FILE;
			return 1;
		} else if (!strcmp(field, "filament_used") && !eco_jnum(val, 0, &v) && v >= 0) {
			d->job_filament_mm = v;
			d->has |= ECO_JOB_FILAMENT;
			return 1;
		} else if (!strcmp(field, "info") && cJSON_IsObject(val) && m) {
			if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(val, "current_layer"), 0, &v) &&
			    v >= 0)
				m->layer = v, n = 1;
			if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(val, "total_layer"), 0, &v) &&
			    v >= 0)
				m->layers = v, n = 1;
			if (n) {
				d->job_layer = m->layer;
				d->job_layers = m->layers;
				d->has |= ECO_JOB_LAYER;
			}
			return n;
		}
		return 0;
	}
	if (!strcmp(obj, "virtual_sdcard") || !strcmp(obj, "display_status")) {
		if (strcmp(field, "progress") || eco_jnum(val, 0, &v) || v < 0 || v > 1)
			return 0;
		/* virtual_sdcard is the file position; display_status only
		 * stands in when the former is not published */
		if (!strcmp(obj, "display_status") && (d->has & ECO_JOB_PROGRESS))
			return 0;
		d->job_progress = v * 100.0;
		d->has |= ECO_JOB_PROGRESS;
		return 1;
	}
	if (!strcmp(field, "temperature") || !strcmp(field, "target")) {
		metric = mr_heater_metric(obj, field[1] == 'a');
		if (!metric || eco_jnum(val, 0, &v))
			return 0;
		eco_metric(d, metric, v);
		return 1;
	}
	return 0;
}

/* {"status":{<object>:{<field>:value}}} — every field present. */
static int mr_status(struct eco_dev *d, struct mr_mem *m, const cJSON *status)
{
	const cJSON *obj, *f;
	int n = 0;

	/* virtual_sdcard first, so that it wins over display_status */
	obj = cJSON_GetObjectItemCaseSensitive(status, "virtual_sdcard");
	if (cJSON_IsObject(obj))
		cJSON_ArrayForEach(f, obj)
			if (f->string)
				n += mr_field(d, m, "virtual_sdcard", f->string, f);
	cJSON_ArrayForEach(obj, status) {
		if (!obj->string || !cJSON_IsObject(obj) ||
		    !strcmp(obj->string, "virtual_sdcard"))
			continue;
		cJSON_ArrayForEach(f, obj)
			if (f->string)
				n += mr_field(d, m, obj->string, f->string, f);
	}
	return n;
}

/*
 * Parse one Moonraker message.  ECO_OK with the instance's printer;
 * ECO_IGNORED for other topics, cleared retained topics and empty statuses
 * or values the hub does not read; ECO_BAD for payloads that are not JSON.
 */
static int mr_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		    size_t len, int retained, struct eco_out *out)
{
	char inst[ECO_ID_MAX], name[ECO_ID_MAX], objbuf[256];
	const char *p, *kind = NULL, *obj = NULL, *field = NULL;
	struct eco_dev *d;
	cJSON *root;
	const cJSON *j;
	int n = 0, ndev = out->ndev;

	/* <inst>/moonraker/status, <inst>/klipper/status, <inst>/klipper/state/o/f */
	for (p = topic; (p = strchr(p, '/')); p++) {
		if (!strcmp(p, "/moonraker/status") || !strcmp(p, "/klipper/status")) {
			kind = p + 1;
			break;
		}
		if (!strncmp(p, "/klipper/state/", 15)) {
			const char *o = p + 15, *s = strchr(o, '/');

			if (!s || s == o || !s[1] || strchr(s + 1, '/') ||
			    (size_t)(s - o) >= sizeof(objbuf))
				return ECO_IGNORED;
			memcpy(objbuf, o, (size_t)(s - o));
			objbuf[s - o] = '\0';
			obj = objbuf;
			field = s + 1;
			kind = "state";
			break;
		}
	}
	if (!kind || p == topic || (size_t)(p - topic) >= sizeof(inst))
		return ECO_IGNORED;
	memcpy(inst, topic, (size_t)(p - topic));
	inst[p - topic] = '\0';
	if (*ctx->prefix) {	/* only the listed instances */
		int i;

		for (i = 0; !eco_list_item(ctx->prefix, i, name, sizeof(name)); i++)
			if (!strcmp(name, inst))
				break;
		if (eco_list_item(ctx->prefix, i, name, sizeof(name)))
			return ECO_IGNORED;
	}
	if (!len)
		return ECO_IGNORED;	/* a retained topic cleared */

	root = cJSON_ParseWithLength(payload, len);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(out->why, sizeof(out->why), "moonraker: payload is not a JSON object");
		return ECO_BAD;
	}
	d = eco_dev_add(out, inst);
	if (!d) {
		cJSON_Delete(root);
		return ECO_IGNORED;
	}
	if (kind[0] == 'm') {
		j = cJSON_GetObjectItemCaseSensitive(root, "server");
		if (cJSON_IsString(j) && j->valuestring &&
		    (!strcmp(j->valuestring, "online") || !strcmp(j->valuestring, "offline"))) {
			d->online = j->valuestring[1] == 'n';
			d->has |= ECO_ONLINE;
			n = 1;
		}
	} else if (!strcmp(kind, "klipper/status")) {
		/* Klipper only sends what changed: a status of objects the
		 * hub does not read (webhooks ready, toolhead) still says
		 * that the printer is there */
		j = cJSON_GetObjectItemCaseSensitive(root, "status");
		if (cJSON_IsObject(j))
			n = mr_status(d, mr_mem(ctx, inst), j) + (j->child != NULL);
	} else {
		j = cJSON_GetObjectItemCaseSensitive(root, "value");
		if (j)
			n = mr_field(d, mr_mem(ctx, inst), obj, field, j);
	}
	cJSON_Delete(root);
	if (!n) {
		out->ndev = ndev;
		return ECO_IGNORED;
	}
	strcpy(d->kind, "printer");
	d->has |= ECO_KIND;
	return ECO_OK;
}

const struct eco_ops moonraker_ops = {
	.name = "moonraker",
	.default_prefix = "",
	.filters = mr_filters,
	.parse = mr_parse,
	.switch_cmd = NULL,
	.init = mr_init,
	.fini = mr_fini,
};
