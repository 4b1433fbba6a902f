/*
 * mlab.c — the hub's native schema, for devices built for the hub and the
 * simulators:
 *
 *	mlab/v1/<id>/status	online | offline (retained; the device's will)
 *	mlab/v1/<id>/meta	{"name","kind","model","room","firmware"} (retained)
 *	mlab/v1/<id>/telemetry	{"temperature_c":21.5,…,"switch":true,"ts":…}
 *	mlab/v1/<id>/event	{"seq":N,"boot":B,"base":K,"type":"job.started",…}
 *	mlab/v1/<id>/ack	{"seq":W,"boot":B,"missing":[[a,b],…]}	published by the hub
 *	mlab/v1/<id>/cmd	{"type":"switch","on":true}	published by the hub
 *
 * <id> is 1–64 of [A-Za-z0-9._-]; "hub" is the hub's own.  Telemetry
 * values must be numbers under canonical metric names (lower case,
 * digits and '_'); anything else in it is skipped and said so.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"
#include "eco/isotime.h"

static int filters(const char *prefix, char f[][ECO_FILTER_LEN], int max)
{
	static const char *const leaf[] = { "status", "meta", "telemetry", "event" };
	int n = 0;

	for (size_t i = 0; i < sizeof(leaf) / sizeof(leaf[0]) && n < max; i++)
		snprintf(f[n++], ECO_FILTER_LEN, "%s/+/%s", prefix, leaf[i]);
	return n;
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64 || !strcmp(s, "hub"))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/* A metric name carries its unit (INTERFACES.md): lower case, digits
 * and '_', ending in a known unit suffix (or one of the few unitless
 * names).  Anything else in telemetry — "seq", "t_us", "colour" — is not
 * a measurement and is skipped. */
static int valid_metric(const char *s)
{
	static const char *const units[] = {
		"_c", "_pct", "_hpa", "_ppm", "_ppb", "_lx", "_w", "_kwh", "_wh", "_v",
		"_a", "_dbm", "_db", "_s", "_mm", "_m", "_hz", "_rpm", "_kg", "_g",
		"_l", "_ugm3", "_va", "_var", "_count",
	};
	size_t n = strlen(s);

	if (!n || n >= sizeof(((struct eco_metric *)0)->name) || !islower((unsigned char)*s))
		return 0;
	for (const char *p = s; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return 0;
	if (!strcmp(s, "linkquality") || !strcmp(s, "power_factor"))
		return 1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t u = strlen(units[i]);

		if (n > u && !strcmp(s + n - u, units[i]))
			return 1;
	}
	return 0;
}

static const char *const kinds[] = { "printer", "scanner", "sensor", "plug", "button", "other" };

/* Map an event type to the job state it means; NULL if none. */
static const char *event_state(const char *type, const char **kind)
{
	static const struct { const char *type, *state, *kind; } map[] = {
		{ "job.started", "printing", "print" },
		{ "job.progress", "printing", "print" },
		{ "job.paused", "paused", "print" },
		{ "job.resumed", "printing", "print" },
		{ "job.finished", "finished", "print" },
		{ "job.failed", "failed", "print" },
		{ "job.cancelled", "cancelled", "print" },
		{ "scan.started", "printing", "scan" },
		{ "scan.progress", "printing", "scan" },
		{ "scan.finished", "finished", "scan" },
		{ "scan.failed", "failed", "scan" },
		{ "scan.cancelled", "cancelled", "scan" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].type, type)) {
			*kind = map[i].kind;
			return map[i].state;
		}
	return NULL;
}

static int parse_ts(const cJSON *j, double *ts)
{
	if (cJSON_IsNumber(j) && isfinite(j->valuedouble)) {
		*ts = j->valuedouble > 1e11 ? j->valuedouble / 1000 : j->valuedouble;
		return 0;
	}
	if (cJSON_IsString(j) && j->valuestring)
		return isotime_parse(j->valuestring, ts);
	return -1;
}

/* A whole number in 1..9e15, else -1. */
static long long whole(const cJSON *n)
{
	if (!cJSON_IsNumber(n) || n->valuedouble < 1 || n->valuedouble > 9e15 ||
	    n->valuedouble != floor(n->valuedouble))
		return -1;
	return (long long)n->valuedouble;
}

/* The event's numbering: "boot" is 1..32 of [A-Za-z0-9._-], or a whole
 * number taken as its decimal string; absent, the numbering "".  Returns
 * 0, or -1 if it is neither. */
static int parse_boot(const cJSON *b, char *boot, size_t len)
{
	const char *s;

	boot[0] = '\0';
	if (!b || cJSON_IsNull(b))
		return 0;
	if (cJSON_IsNumber(b) && (b->valuedouble == 0 || whole(b) > 0)) {
		snprintf(boot, len, "%lld", (long long)b->valuedouble);
		return 0;
	}
	if (!cJSON_IsString(b) || !(s = b->valuestring) || !s[0] || strlen(s) >= len)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return -1;
	snprintf(boot, len, "%s", s);
	return 0;
}

static int parse_event(cJSON *root, struct eco_dev *d, struct eco_out *out)
{
	cJSON *seq = cJSON_GetObjectItem(root, "seq");
	cJSON *type = cJSON_GetObjectItem(root, "type");
	cJSON *base = cJSON_GetObjectItem(root, "base");
	const char *state, *kind = "print";
	double v;

	if (whole(seq) < 0) {
		snprintf(out->why, sizeof(out->why), "event without a whole-number \"seq\" >= 1");
		return ECO_BAD;
	}
	if (parse_boot(cJSON_GetObjectItem(root, "boot"), d->boot, sizeof(d->boot))) {
		snprintf(out->why, sizeof(out->why),
			 "event \"boot\" must be 1-32 of [A-Za-z0-9._-] or a whole number");
		return ECO_BAD;
	}
	if (base && !cJSON_IsNull(base) && whole(base) < 0) {
		snprintf(out->why, sizeof(out->why), "event \"base\" must be a whole number >= 1");
		return ECO_BAD;
	}
	d->base = base && !cJSON_IsNull(base) ? whole(base) : 0;
	if (!cJSON_IsString(type) || !type->valuestring || !type->valuestring[0] ||
	    strlen(type->valuestring) >= sizeof(d->event)) {
		snprintf(out->why, sizeof(out->why), "event without a \"type\" string");
		return ECO_BAD;
	}
	d->has |= ECO_EVENT;
	d->seq = whole(seq);
	eco_strlcpy(d->event, sizeof(d->event), type->valuestring, strlen(type->valuestring));
	if ((state = event_state(d->event, &kind))) {
		d->has |= ECO_JOB_STATE | ECO_JOB_KIND;
		snprintf(d->job_state, sizeof(d->job_state), "%s", state);
		snprintf(d->job_kind, sizeof(d->job_kind), "%s", kind);
		if (!eco_jstr(cJSON_GetObjectItem(root, "file"), d->job_file, sizeof(d->job_file)))
			d->has |= ECO_JOB_FILE;
		if (!eco_jnum(cJSON_GetObjectItem(root, "progress_pct"), 0, &v)) {
			d->has |= ECO_JOB_PROGRESS;
			d->job_progress = v;
		}
		if (!eco_jnum(cJSON_GetObjectItem(root, "remaining_s"), 0, &v)) {
			d->has |= ECO_JOB_REMAINING;
			d->job_remaining = v;
		}
		d->job_layer = d->job_layers = -1;	/* a side not given is kept */
		if (!eco_jnum(cJSON_GetObjectItem(root, "layer"), 0, &v)) {
			d->has |= ECO_JOB_LAYER;
			d->job_layer = v;
		}
		if (!eco_jnum(cJSON_GetObjectItem(root, "layers"), 0, &v)) {
			d->has |= ECO_JOB_LAYER;
			d->job_layers = v;
		}
		if ((!strcmp(d->event, "job.progress") || !strcmp(d->event, "scan.progress")) &&
		    !(d->has & (ECO_JOB_PROGRESS | ECO_JOB_REMAINING | ECO_JOB_LAYER)))
			d->has &= ~(unsigned)ECO_JOB_STATE;	/* progress alone says little */
	} else if (!strcmp(d->event, "button.pressed")) {
		if (eco_jstr(cJSON_GetObjectItem(root, "button"), d->button, sizeof(d->button)) &&
		    eco_jstr(cJSON_GetObjectItem(root, "action"), d->button, sizeof(d->button)))
			snprintf(d->button, sizeof(d->button), "press");
		d->has |= ECO_BUTTON;
	}
	return ECO_OK;
}

static int parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		 size_t len, int retained, struct eco_out *out)
{
	char buf[512], *seg[8];
	size_t plen = strlen(ctx->prefix);
	int n, rc = ECO_OK;
	struct eco_dev *d;
	cJSON *root, *it;
	const char *leaf;

	if (strncmp(topic, ctx->prefix, plen) || topic[plen] != '/')
		return ECO_IGNORED;
	n = eco_split(topic + plen + 1, buf, sizeof(buf), seg, 8);
	if (n != 2)
		return ECO_IGNORED;
	if (!strcmp(seg[0], "hub"))
		return ECO_IGNORED;
	if (!valid_id(seg[0])) {
		snprintf(out->why, sizeof(out->why), "device id must be 1-64 of [A-Za-z0-9._-]");
		return ECO_BAD;
	}
	leaf = seg[1];
	if (!strcmp(leaf, "status")) {
		int on = eco_bool(payload, len);

		if (!len)
			return ECO_IGNORED;	/* a retained status being cleared */
		if (on < 0) {
			snprintf(out->why, sizeof(out->why), "status must be online or offline");
			return ECO_BAD;
		}
		d = eco_dev_add(out, seg[0]);
		d->has |= ECO_ONLINE;
		d->online = on;
		return ECO_OK;
	}
	if (!len)
		return ECO_IGNORED;
	root = cJSON_ParseWithLength(payload, len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(out->why, sizeof(out->why), "not a JSON object");
		return ECO_BAD;
	}
	d = eco_dev_add(out, seg[0]);
	if (!strcmp(leaf, "meta")) {
		if (!eco_jstr(cJSON_GetObjectItem(root, "name"), d->name, sizeof(d->name)))
			d->has |= ECO_NAME;
		if (!eco_jstr(cJSON_GetObjectItem(root, "model"), d->model, sizeof(d->model)))
			d->has |= ECO_MODEL;
		if (!eco_jstr(cJSON_GetObjectItem(root, "room"), d->room, sizeof(d->room)))
			d->has |= ECO_ROOM;
		if (!eco_jstr(cJSON_GetObjectItem(root, "firmware"), d->firmware, sizeof(d->firmware)))
			d->has |= ECO_FIRMWARE;
		if (!eco_jstr(cJSON_GetObjectItem(root, "kind"), d->kind, sizeof(d->kind))) {
			int known = 0;

			for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
				known |= !strcmp(kinds[i], d->kind);
			if (!known)
				snprintf(d->kind, sizeof(d->kind), "other");
			d->has |= ECO_KIND;
		}
	} else if (!strcmp(leaf, "telemetry")) {
		int skipped = 0;
		double ts;

		cJSON_ArrayForEach(it, root) {
			if (!it->string)
				continue;
			if (!strcmp(it->string, "ts")) {
				if (!parse_ts(it, &ts)) {
					d->has |= ECO_TS;
					d->ts = ts;
				}
			} else if (!strcmp(it->string, "switch") && cJSON_IsBool(it)) {
				d->has |= ECO_SWITCH;
				d->switch_on = cJSON_IsTrue(it);
			} else if (cJSON_IsNumber(it) && isfinite(it->valuedouble) &&
				   valid_metric(it->string)) {
				eco_metric(d, it->string, it->valuedouble);
			} else {
				skipped++;
			}
		}
		if (!d->nmetric && !(d->has & ECO_SWITCH)) {
			out->ndev = 0;
			snprintf(out->why, sizeof(out->why), "telemetry without any numeric metric");
			rc = ECO_BAD;
		}
	} else if (!strcmp(leaf, "event")) {
		rc = parse_event(root, d, out);
		if (rc != ECO_OK)
			out->ndev = 0;
		else if (!parse_ts(cJSON_GetObjectItem(root, "ts"), &d->ts))
			d->has |= ECO_TS;
	}
	cJSON_Delete(root);
	return rc;
}

static int switch_cmd(struct eco_ctx *ctx, const char *native, int on,
		      char *topic, size_t tlen, char *payload, size_t plen)
{
	snprintf(topic, tlen, "%s/%s/cmd", ctx->prefix, native);
	snprintf(payload, plen, "{\"type\":\"switch\",\"on\":%s}", on ? "true" : "false");
	return 0;
}

const struct eco_ops mlab_ops = {
	.name = "mlab",
	.default_prefix = "mlab/v1",
	.filters = filters,
	.parse = parse,
	.switch_cmd = switch_cmd,
};
