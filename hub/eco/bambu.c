/*
 * bambu.c — Bambu Lab printers (X1, P1, A1, H2 …) over MQTT.
 *
 * A Bambu printer is its own broker (TLS 8883, user bblp); the core either
 * connects to it or reads the reports bridged onto the lab broker.  Either
 * way every report arrives here as `device/<serial>/report` with one JSON
 * object whose single top-level key says what it is:
 *
 *	{"print":{"command":"push_status","gcode_state":"RUNNING",
 *		  "mc_percent":42,"mc_remaining_time":17,...}}
 *	{"mc_print":{"command":"push_info",...}}	firmware chatter: ignored
 *	{"info":{"command":"get_version","module":[...]}}	firmware version
 *
 * X1 printers send the whole state (about 10 KB); P1 and A1 send deltas
 * where an absent field means "unchanged", so only what is present is
 * reported.  Numbers often come as strings ("-45dBm", "100").  The layer
 * pair is remembered per serial (deltas send layer_num alone).  The
 * connection's online state is the core's business, not the parser's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

#define BAMBU_MAX_PRINTERS	32

/* What a delta needs from earlier reports: the last layer counts. */
struct bambu_mem {
	struct eco_slot slot;		/* key: the serial number */
	double layer, layers;
	double print_error;		/* the last print_error seen (0: none) */
	char state[16];			/* the last job state reported */
};

struct bambu_priv {
	struct bambu_mem mem[BAMBU_MAX_PRINTERS];
	struct eco_cache cache;		/* LRU */
};

/* Model names by the first three characters of the serial number. */
static const struct {
	const char *prefix, *model;
} bambu_models[] = {
	{ "00M", "X1 Carbon" },
	{ "00W", "X1" },
	{ "03W", "X1E" },
	{ "01S", "P1P" },
	{ "01P", "P1S" },
	{ "030", "A1 mini" },
	{ "039", "A1" },
	{ "22E", "P2S" },
	{ "093", "H2S" },
	{ "094", "H2D" },
	{ "239", "H2D Pro" },
};

/* gcode_state words → job states. */
static const struct {
	const char *bambu, *state;
} bambu_states[] = {
	{ "IDLE", "idle" },
	{ "INIT", "idle" },
	{ "OFFLINE", "idle" },
	{ "PREPARE", "preparing" },
	{ "SLICING", "preparing" },
	{ "RUNNING", "printing" },
	{ "PAUSE", "paused" },
	{ "FINISH", "finished" },
	{ "FAILED", "failed" },
};

/* chamber_temper of printers that have no chamber sensor */
#define BAMBU_NO_CHAMBER	5.0

/* print_error 0x0300400C: "the task was cancelled" (stopped by a user). */
#define BAMBU_ERR_CANCELLED	50348044.0

static int bambu_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	if (max < 1)
		return 0;
	snprintf(filters[0], ECO_FILTER_LEN, "%s/+/report", *prefix ? prefix : "device");
	return 1;
}

static int bambu_init(struct eco_ctx *ctx)
{
	struct bambu_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	eco_cache_init(&p->cache, p->mem, sizeof(p->mem[0]), BAMBU_MAX_PRINTERS, ECO_CACHE_LRU);
	ctx->priv = p;
	return 0;
}

static void bambu_fini(struct eco_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

/*
 * The remembered state of printer `serial`, created (evicting the least
 * recently used one) when unknown.  NULL without priv or for a serial
 * of ECO_ID_MAX bytes or more.
 */
static struct bambu_mem *bambu_mem(struct eco_ctx *ctx, const char *serial)
{
	struct bambu_priv *p = ctx->priv;

	return p ? eco_cache_get(&p->cache, serial, 1) : NULL;
}

/* Add metric `name` from JSON field `key` of obj when it holds a number. */
static int bambu_metric(struct eco_dev *d, const cJSON *obj, const char *key,
			const char *name)
{
	double v;

	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(obj, key), 1, &v))
		return 0;
	eco_metric(d, name, v);
	return 1;
}

/*
 * Read a "print" object (full status or delta) into d.  Returns the
 * number of facts found (0: nothing the hub cares about).
 */
static int bambu_print(struct eco_ctx *ctx, struct eco_dev *d,
		       const cJSON *pr)
{
	const cJSON *j;
	struct bambu_mem *m = bambu_mem(ctx, d->native);
	char buf[256];
	double v;
	int n = 0, layer = 0, err;

	/* FAILED with print_error "cancelled" is a cancel; deltas may carry
	 * the two in separate reports, in either order */
	err = !eco_jnum(cJSON_GetObjectItemCaseSensitive(pr, "print_error"), 0, &v);
	if (err && m)
		m->print_error = v;
	j = cJSON_GetObjectItemCaseSensitive(pr, "gcode_state");
	if (cJSON_IsString(j) && j->valuestring) {
		for (size_t i = 0; i < sizeof(bambu_states) / sizeof(bambu_states[0]); i++) {
			if (strcmp(j->valuestring, bambu_states[i].bambu))
				continue;
			strcpy(d->job_state, bambu_states[i].state);
			d->has |= ECO_JOB_STATE;
			n++;
		}
		if (m && !err && (!strcmp(d->job_state, "preparing") ||
				  !strcmp(d->job_state, "printing")))
			m->print_error = 0;	/* a new job: an old error is gone */
		if (!strcmp(d->job_state, "failed") &&
		    ((err && v == BAMBU_ERR_CANCELLED) ||
		     (!err && m && m->print_error == BAMBU_ERR_CANCELLED)))
			strcpy(d->job_state, "cancelled");
	} else if (err && v == BAMBU_ERR_CANCELLED && m && !strcmp(m->state, "failed")) {
		strcpy(d->job_state, "cancelled");	/* the reason came late */
		d->has |= ECO_JOB_STATE;
		n++;
	}
	if (m && (d->has & ECO_JOB_STATE))
		snprintf(m->state, sizeof(m->state), "%s", d->job_state);
	if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(pr, "mc_percent"), 0, &v) &&
	    v >= 0 && v <= 100) {
		d->job_progress = v;
		d->has |= ECO_JOB_PROGRESS;
		n++;
	}
	if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(pr, "mc_remaining_time"), 0, &v) &&
	    v >= 0) {
		d->job_remaining = v * 60.0;
		d->has |= ECO_JOB_REMAINING;
		n++;
	}
	/* the job's name: subtask_name, else the gcode file's */
	buf[0] = '\0';
	if (eco_jstr(cJSON_GetObjectItemCaseSensitive(pr, "subtask_name"), buf, sizeof(buf)) || !buf[0])
		eco_jstr(cJSON_GetObjectItemCaseSensitive(pr, "gcode_file"), buf, sizeof(buf));
	if (buf[0]) {
		const char *base = strrchr(buf, '/');

		base = base ? base + 1 : buf;
		if (*base) {
			eco_strlcpy(d->job_file, sizeof(d->job_file), base, strlen(base));
			d->has |= ECO_JOB_FILE;
			n++;
		}
	}
	/* layers: deltas carry layer_num alone, so remember both */
	if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(pr, "layer_num"), 0, &v) &&
	    v >= 0 && m) {
		m->layer = v;
		layer = 1;
	}
	if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(pr, "total_layer_num"), 0, &v) &&
	    v >= 0 && m) {
		m->layers = v;
		layer = 1;
	}
	if (layer) {
		d->job_layer = m->layer;
		d->job_layers = m->layers;
		d->has |= ECO_JOB_LAYER;
		n++;
	}

	n += bambu_metric(d, pr, "nozzle_temper", "nozzle_temp_c");
	n += bambu_metric(d, pr, "nozzle_target_temper", "nozzle_target_c");
	n += bambu_metric(d, pr, "bed_temper", "bed_temp_c");
	n += bambu_metric(d, pr, "bed_target_temper", "bed_target_c");
	/* printers without a chamber sensor (P1, A1, and whatever a new
	 * model or firmware does) send a constant 5: a placeholder, never a
	 * reading, whatever the model table says */
	j = cJSON_GetObjectItemCaseSensitive(pr, "chamber_temper");
	if (eco_jnum(j, 0, &v) == 0 && v != BAMBU_NO_CHAMBER)
		n += bambu_metric(d, pr, "chamber_temper", "chamber_temp_c");
	n += bambu_metric(d, pr, "wifi_signal", "rssi_dbm");
	return n;
}

/* Firmware version from a get_version reply: the "ota" module's. */
static int bambu_info(struct eco_dev *d, const cJSON *info)
{
	const cJSON *mod, *m;

	mod = cJSON_GetObjectItemCaseSensitive(info, "module");
	if (!cJSON_IsArray(mod))
		return 0;
	cJSON_ArrayForEach(m, mod) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");

		if (!cJSON_IsString(name) || !name->valuestring ||
		    strcmp(name->valuestring, "ota"))
			continue;
		if (eco_jstr(cJSON_GetObjectItemCaseSensitive(m, "sw_ver"),
			     d->firmware, sizeof(d->firmware)) || !d->firmware[0])
			return 0;
		d->has |= ECO_FIRMWARE;
		return 1;
	}
	return 0;
}

/*
 * Parse one report.  ECO_OK with one printer when the report says
 * something; ECO_IGNORED for other topics and chatter; ECO_BAD for
 * payloads that are not a JSON object (a cut 10 KB report among them).
 */
static int bambu_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		       size_t len, int retained, struct eco_out *out)
{
	const char *prefix = *ctx->prefix ? ctx->prefix : "device";
	size_t plen = strlen(prefix);
	const char *serial, *slash;
	char id[ECO_ID_MAX];
	struct eco_dev *d;
	cJSON *root;
	const cJSON *pr, *info;
	int n = 0, ndev = out->ndev;

	if (strncmp(topic, prefix, plen) || topic[plen] != '/')
		return ECO_IGNORED;
	serial = topic + plen + 1;
	slash = strchr(serial, '/');
	if (!slash || slash == serial || strcmp(slash, "/report") ||
	    (size_t)(slash - serial) >= sizeof(id))
		return ECO_IGNORED;
	memcpy(id, serial, (size_t)(slash - serial));
	id[slash - serial] = '\0';
	if (strpbrk(id, "+#"))
		return ECO_IGNORED;

	if (!len)
		return ECO_IGNORED;	/* a retained report being cleared */
	root = cJSON_ParseWithLength(payload, len);
	if (!root) {
		snprintf(out->why, sizeof(out->why), "bambu: report is not valid JSON (%zu bytes, truncated?)", len);
		return ECO_BAD;
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(out->why, sizeof(out->why), "bambu: report is not a JSON object");
		return ECO_BAD;
	}
	pr = cJSON_GetObjectItemCaseSensitive(root, "print");
	info = cJSON_GetObjectItemCaseSensitive(root, "info");
	if (!cJSON_IsObject(pr) && !cJSON_IsObject(info)) {
		cJSON_Delete(root);	/* mc_print, system, camera, … */
		return ECO_IGNORED;
	}
	d = eco_dev_add(out, id);
	if (!d) {
		cJSON_Delete(root);
		return ECO_IGNORED;
	}
	for (size_t i = 0; i < sizeof(bambu_models) / sizeof(bambu_models[0]); i++) {
		if (strncmp(id, bambu_models[i].prefix, 3))
			continue;
		strcpy(d->model, bambu_models[i].model);
		d->has |= ECO_MODEL;
	}
	if (cJSON_IsObject(pr))
		n += bambu_print(ctx, d, pr);
	if (cJSON_IsObject(info))
		n += bambu_info(d, info);
	cJSON_Delete(root);
	if (!n) {
		out->ndev = ndev;	/* command replies: nothing to say */
		return ECO_IGNORED;
	}
	strcpy(d->kind, "printer");
	d->has |= ECO_KIND;
	return ECO_OK;
}

const struct eco_ops bambu_ops = {
	.name = "bambu",
	.default_prefix = "device",
	.filters = bambu_filters,
	.parse = bambu_parse,
	.switch_cmd = NULL,
	.init = bambu_init,
	.fini = bambu_fini,
};
