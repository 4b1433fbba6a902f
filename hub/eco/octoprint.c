/*
 * octoprint.c — OctoPrint printers through the OctoPrint-MQTT plugin.
 *
 * The plugin publishes under a base topic (default "octoPrint/"), which is
 * also the printer's native id: a lab with several OctoPrints gives each a
 * base topic and lists them, comma-separated, in the ecosystem's prefix
 * (a '+' segment in a listed base matches any one level).  Under the base:
 *
 *	mqtt			"connected" / "disconnected" (last will), retained
 *	event/<Event>		the OctoPrint event payload + _event, _timestamp;
 *				Connected/Disconnected (the serial link to the
 *				printer) say whether the printer is there
 *	progress/printing	{"location","path","progress":<int %>}, retained
 *	temperature/<heater>	{"actual","target","_timestamp"}, retained
 *	progress/slicing, metadata/<key>	ignored
 *
 * Payloads come from Python's json.dumps: ", " separators and non-ASCII
 * escaped as \uXXXX (cJSON decodes them).  Print-job events map to job
 * states; the empty "progress/printing" the plugin publishes on every
 * connect is a reset, not the end of a job, and is ignored.  `_timestamp`
 * is Unix seconds and is passed on as the device's own time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "eco/eco.h"

#define OCTO_DEFAULT	"octoPrint"
#define OCTO_MAX_BASES	16

/* Job events and the state each one means (NULL: the file only). */
static const struct {
	const char *event, *state;
} octo_events[] = {
	{ "PrintStarted", "printing" },
	{ "PrintDone", "finished" },
	{ "PrintFailed", "failed" },		/* reason "cancelled": cancelled */
	{ "PrintCancelled", "cancelled" },
	{ "PrintPaused", "paused" },
	{ "PrintResumed", "printing" },
	{ "FileSelected", NULL },
};

/* Heaters and the metrics they feed (target NULL: not reported). */
static const struct {
	const char *heater, *actual, *target;
} octo_heaters[] = {
	{ "tool0", "nozzle_temp_c", "nozzle_target_c" },
	{ "bed", "bed_temp_c", "bed_target_c" },
	{ "chamber", "chamber_temp_c", NULL },
};

/* The i-th base topic of prefix (default "octoPrint" when prefix is
 * empty) into buf, as eco_list_item(). */
static int octo_base(const char *prefix, int i, char *buf, size_t len)
{
	return eco_list_item(*prefix ? prefix : OCTO_DEFAULT, i, buf, len);
}

static int octo_filters(const char *prefix, char filters[][ECO_FILTER_LEN], int max)
{
	char base[240];
	int n = 0;

	for (int i = 0; n < max && i < OCTO_MAX_BASES; i++) {
		if (octo_base(prefix, i, base, sizeof(base)))
			break;
		snprintf(filters[n++], ECO_FILTER_LEN, "%s/#", base);
	}
	return n;
}

/*
 * If topic starts with base (where a '+' segment matches one level),
 * copy the matched part into id and return a pointer to the rest after
 * the '/', else NULL.
 */
static const char *octo_match(const char *base, const char *topic, char *id, size_t idlen)
{
	const char *b = base, *t = topic;

	while (*b) {
		if (b[0] == '+' && (b[1] == '/' || !b[1])) {
			if (*t == '/' || !*t)
				return NULL;	/* an empty level is no printer */
			while (*t && *t != '/')
				t++;
			b++;
			continue;
		}
		if (*b != *t)
			return NULL;
		b++, t++;
	}
	if (*t != '/' || (size_t)(t - topic) >= idlen)
		return NULL;
	memcpy(id, topic, (size_t)(t - topic));
	id[t - topic] = '\0';
	return t + 1;
}

/* Unix seconds from _timestamp into d when it looks like one (2000..2100). */
static void octo_ts(struct eco_dev *d, const cJSON *root)
{
	double v;

	if (eco_jnum(cJSON_GetObjectItemCaseSensitive(root, "_timestamp"), 0, &v) ||
	    v < 946684800.0 || v > 4102444800.0)
		return;
	d->ts = v;
	d->has |= ECO_TS;
}

/* Set the job's file from the last path component of s. */
static int octo_file(struct eco_dev *d, const char *s)
{
	const char *base = strrchr(s, '/');

	base = base ? base + 1 : s;
	if (!*base)
		return 0;
	eco_strlcpy(d->job_file, sizeof(d->job_file), base, strlen(base));
	d->has |= ECO_JOB_FILE;
	return 1;
}

/* The file a job event names: name (1.4+), filename (older), path, file. */
static int octo_event_file(struct eco_dev *d, const cJSON *root)
{
	static const char *keys[] = { "name", "filename", "path", "file" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, keys[i]);

		if (cJSON_IsString(j) && j->valuestring && octo_file(d, j->valuestring))
			return 1;
	}
	return 0;
}

/*
 * event/<Event>: the print-job events.  Returns ECO_OK when d was filled,
 * ECO_IGNORED for the many events that do not concern a job.
 */
static int octo_event(struct eco_dev *d, const char *event, const cJSON *root)
{
	const char *state = NULL;
	const cJSON *j;
	size_t i, n = sizeof(octo_events) / sizeof(octo_events[0]);
	double v;
	int fraction = 0;

	/* the printer's serial link: the first message of a printer that
	 * was switched on is often Connected, and it creates the printer */
	if (!strcmp(event, "Connected") || !strcmp(event, "Disconnected")) {
		d->online = !strcmp(event, "Connected");
		d->has |= ECO_ONLINE;
		octo_ts(d, root);
		return ECO_OK;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(event, octo_events[i].event))
			break;
	if (i == n)
		return ECO_IGNORED;
	state = octo_events[i].state;
	if (!strcmp(event, "PrintFailed")) {
		j = cJSON_GetObjectItemCaseSensitive(root, "reason");
		if (cJSON_IsString(j) && j->valuestring &&
		    !strcmp(j->valuestring, "cancelled"))
			state = "cancelled";
		else
			fraction = 1;	/* the error variant: progress 0..1 */
	}
	if (state) {
		strcpy(d->job_state, state);
		d->has |= ECO_JOB_STATE;
	}
	octo_event_file(d, root);
	if (!strcmp(event, "PrintStarted")) {
		d->job_progress = 0;
		d->has |= ECO_JOB_PROGRESS;
	} else if (!strcmp(event, "PrintDone")) {
		d->job_progress = 100;
		d->job_remaining = 0;
		d->has |= ECO_JOB_PROGRESS | ECO_JOB_REMAINING;
	} else if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(root, "progress"), 0, &v)) {
		if (fraction && v <= 1.0)
			v *= 100.0;
		if (v >= 0 && v <= 100) {
			d->job_progress = v;
			d->has |= ECO_JOB_PROGRESS;
		}
	}
	if (!d->has)
		return ECO_IGNORED;	/* FileSelected without a file */
	octo_ts(d, root);
	return ECO_OK;
}

/* printer_data.state.flags of a progress message: the job's state when
 * the flags say printing or paused (the retained progress is all a hub
 * started mid-print gets, the PrintStarted event is long gone). */
static void octo_flags(struct eco_dev *d, const cJSON *flags)
{
	const char *state = NULL;

	if (!cJSON_IsObject(flags))
		return;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(flags, "paused")) ||
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(flags, "pausing")))
		state = "paused";
	else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(flags, "printing")))
		state = "printing";
	if (state) {
		strcpy(d->job_state, state);
		d->has |= ECO_JOB_STATE;
	}
}

/*
 * progress/printing: {"location","path","progress"} and, with the
 * printerData option, printer_data{state{flags}, progress{printTimeLeft}}.
 */
static int octo_progress(struct eco_dev *d, const cJSON *root)
{
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(root, "path");
	const cJSON *pd;
	double v;

	if (!cJSON_IsString(path) || !path->valuestring || !path->valuestring[0])
		return ECO_IGNORED;	/* the reset sent on every connect */
	octo_file(d, path->valuestring);
	if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(root, "progress"), 0, &v) &&
	    v >= 0 && v <= 100) {
		d->job_progress = v;
		d->has |= ECO_JOB_PROGRESS;
	}
	pd = cJSON_GetObjectItemCaseSensitive(root, "printer_data");
	octo_flags(d, cJSON_GetObjectItemCaseSensitive(
			      cJSON_GetObjectItemCaseSensitive(pd, "state"), "flags"));
	pd = cJSON_GetObjectItemCaseSensitive(pd, "progress");
	if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(pd, "printTimeLeft"), 0, &v) &&
	    v >= 0) {
		d->job_remaining = v;
		d->has |= ECO_JOB_REMAINING;
	}
	if (!d->has)
		return ECO_IGNORED;
	octo_ts(d, root);
	return ECO_OK;
}

/* temperature/<heater>: {"actual","target"} in °C; either may be null. */
static int octo_temperature(struct eco_dev *d, const char *heater, const cJSON *root)
{
	size_t i, n = sizeof(octo_heaters) / sizeof(octo_heaters[0]);
	double v;

	for (i = 0; i < n; i++)
		if (!strcmp(heater, octo_heaters[i].heater))
			break;
	if (i == n)
		return ECO_IGNORED;	/* tool1…, custom sensors */
	if (!eco_jnum(cJSON_GetObjectItemCaseSensitive(root, "actual"), 0, &v))
		eco_metric(d, octo_heaters[i].actual, v);
	if (octo_heaters[i].target &&
	    !eco_jnum(cJSON_GetObjectItemCaseSensitive(root, "target"), 0, &v))
		eco_metric(d, octo_heaters[i].target, v);
	if (!d->nmetric)
		return ECO_IGNORED;
	octo_ts(d, root);
	return ECO_OK;
}

/*
 * Parse one message under one of the configured base topics.  Returns
 * ECO_OK with the printer, ECO_IGNORED for topics and events that say
 * nothing about it, ECO_BAD for JSON topics whose payload is not JSON.
 */
static int octo_parse(struct eco_ctx *ctx, const char *topic, const char *payload,
		      size_t len, int retained, struct eco_out *out)
{
	char base[240], id[ECO_ID_MAX];
	const char *rest = NULL, *sub;
	struct eco_dev *d;
	cJSON *root;
	int rc, ndev = out->ndev;

	for (int i = 0; !rest && i < OCTO_MAX_BASES; i++) {
		if (octo_base(ctx->prefix, i, base, sizeof(base)))
			break;
		rest = octo_match(base, topic, id, sizeof(id));
	}
	if (!rest || !len)
		return ECO_IGNORED;	/* not ours, or a retained topic cleared */

	if (!strcmp(rest, "mqtt")) {
		int on = eco_bool(payload, len);

		if (on < 0) {
			if (len == 9 && !memcmp(payload, "connected", 9))
				on = 1;
			else if (len == 12 && !memcmp(payload, "disconnected", 12))
				on = 0;
			else {
				snprintf(out->why, sizeof(out->why), "octoprint: unknown connection state");
				return ECO_BAD;
			}
		}
		d = eco_dev_add(out, id);
		if (!d)
			return ECO_IGNORED;
		d->online = on;
		strcpy(d->kind, "printer");
		d->has |= ECO_ONLINE | ECO_KIND;
		return ECO_OK;
	}

	if (!strncmp(rest, "event/", 6))
		sub = rest + 6;
	else if (!strcmp(rest, "progress/printing"))
		sub = NULL;
	else if (!strncmp(rest, "temperature/", 12))
		sub = rest + 12;
	else
		return ECO_IGNORED;	/* progress/slicing, metadata/…, plugin extras */

	root = cJSON_ParseWithLength(payload, len);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(out->why, sizeof(out->why), "octoprint: payload is not a JSON object");
		return ECO_BAD;
	}
	d = eco_dev_add(out, id);
	if (!d) {
		cJSON_Delete(root);
		return ECO_IGNORED;
	}
	if (!strncmp(rest, "event/", 6))
		rc = octo_event(d, sub, root);
	else if (!sub)
		rc = octo_progress(d, root);
	else
		rc = octo_temperature(d, sub, root);
	cJSON_Delete(root);
	if (rc != ECO_OK) {
		out->ndev = ndev;
		return rc;
	}
	strcpy(d->kind, "printer");
	d->has |= ECO_KIND;
	return ECO_OK;
}

const struct eco_ops octoprint_ops = {
	.name = "octoprint",
	.default_prefix = OCTO_DEFAULT,
	.filters = octo_filters,
	.parse = octo_parse,
	.switch_cmd = NULL,
	.init = NULL,
	.fini = NULL,
};
