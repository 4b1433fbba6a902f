/*
 * test_eco_printers.c — the printer parsers (OctoPrint-MQTT, Moonraker,
 * Bambu Lab) and Homie.
 *
 * Replays every line of the shared device corpus for these ecosystems
 * (directory from $MLAB_CORPUS, default tests/corpus/devices) through
 * each parser whose topic filters match, then checks what specific lines
 * mean; then whole print jobs, deltas, switches and broken payloads
 * written here from each firmware's format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "corpus.h"
#include "eco/eco.h"
#include "t.h"

extern const struct eco_ops homie_ops, octoprint_ops, moonraker_ops, bambu_ops;

static const struct eco_ops *const mine[] = {
	&homie_ops, &octoprint_ops, &moonraker_ops, &bambu_ops,
};
#define NMINE	((int)(sizeof(mine) / sizeof(mine[0])))

/* ---------------------------------------------------------------- helpers */

/* One parser with its state, as the hub would hold it. */
struct tctx {
	struct eco_ctx ctx;
	struct eco_out out;
};

static void t_open(struct tctx *t, const struct eco_ops *ops, const char *prefix)
{
	memset(t, 0, sizeof(*t));
	t->ctx.ops = ops;
	t->ctx.prefix = prefix ? prefix : ops->default_prefix;
	if (ops->init && ops->init(&t->ctx))
		abort();
}

static void t_close(struct tctx *t)
{
	if (t->ctx.ops->fini)
		t->ctx.ops->fini(&t->ctx);
	CHECK(t->ctx.priv == NULL);
}

/* Parse topic/payload (len -1: strlen) into a fresh t->out. */
static int feedl(struct tctx *t, const char *topic, const char *payload, long len, int retained)
{
	size_t n = len < 0 ? strlen(payload) : (size_t)len;
	char *copy = malloc(n + 1);
	int rc;

	memcpy(copy, payload, n);
	copy[n] = '\0';
	memset(&t->out, 0, sizeof(t->out));
	rc = t->ctx.ops->parse(&t->ctx, topic, copy, n, retained, &t->out);
	free(copy);
	return rc;
}

static int feed(struct tctx *t, const char *topic, const char *payload)
{
	return feedl(t, topic, payload, -1, 0);
}

/* The first device of the last parse; an empty one (so that checks fail
 * rather than crash) when there is none. */
static struct eco_dev *dev0(struct tctx *t)
{
	static struct eco_dev none;

	if (t->out.ndev > 0)
		return &t->out.dev[0];
	memset(&none, 0, sizeof(none));
	return &none;
}

/* The value of metric name in d, or NAN when absent. */
static double metric(const struct eco_dev *d, const char *name)
{
	if (!d)
		return NAN;
	for (int i = 0; i < d->nmetric; i++)
		if (!strcmp(d->metric[i].name, name))
			return d->metric[i].value;
	return NAN;
}

#define HAS(d, bits) ((d) && ((d)->has & (bits)) == (bits))

/* --------------------------------------------------------------- corpus */

static int corpus_start[4], corpus_end[4];	/* per file: homie, octoprint, moonraker, bambu */

static int feed_line(struct tctx *t, const struct line *l)
{
	if (!l)
		return -99;	/* corpus_find said which */
	return feedl(t, l->topic, l->payload, (long)l->len, l->retained);
}

/* ---------------------------------------------------------------- tests */

TEST(t_filters)
{
	char f[16][256];
	int n;

	n = homie_ops.filters("homie", f, 16);
	CHECK(n == 1);
	CHECK_STR(f[0], "homie/#");
	n = octoprint_ops.filters("octoPrint", f, 16);
	CHECK(n == 1);
	CHECK_STR(f[0], "octoPrint/#");
	n = octoprint_ops.filters("octoPrint/, lab/mk4 ,", f, 16);
	CHECK(n == 2);
	CHECK_STR(f[1], "lab/mk4/#");
	n = moonraker_ops.filters("", f, 16);
	CHECK(n == 3);
	CHECK_STR(f[0], "+/moonraker/status");
	CHECK_STR(f[1], "+/klipper/status");
	CHECK_STR(f[2], "+/klipper/state/#");
	n = moonraker_ops.filters("voron,ender", f, 16);
	CHECK(n == 6);
	CHECK_STR(f[3], "ender/moonraker/status");
	n = bambu_ops.filters("device", f, 16);
	CHECK(n == 1);
	CHECK_STR(f[0], "device/+/report");
	CHECK(bambu_ops.filters("device", f, 0) == 0);
	CHECK(!strcmp(homie_ops.name, "homie") && !strcmp(octoprint_ops.name, "octoprint") &&
	      !strcmp(moonraker_ops.name, "moonraker") && !strcmp(bambu_ops.name, "bambu"));
	CHECK(homie_ops.switch_cmd && !octoprint_ops.switch_cmd &&
	      !moonraker_ops.switch_cmd && !bambu_ops.switch_cmd);
	/* the test's own matcher */
	CHECK(topic_match("device/+/report", "device/01S00A/report"));
	CHECK(!topic_match("device/+/report", "device/01S00A/request"));
	CHECK(topic_match("+/klipper/state/#", "v/klipper/state/print_stats/state"));
	CHECK(!topic_match("homie/#", "homies/x"));
}

/* Every corpus line through every parser whose filters match it. */
TEST(t_corpus_replay)
{
	struct tctx t[NMINE];
	int ok[4] = { 0 }, bad = 0, seen = 0;

	CHECK(ncorpus > 40);
	for (int k = 0; k < NMINE; k++)
		t_open(&t[k], mine[k], NULL);
	for (int f = 0; f < 4; f++) {
		for (int i = corpus_start[f]; i < corpus_end[f]; i++) {
			for (int k = 0; k < NMINE; k++) {
				int rc;

				if (!matches(mine[k], NULL, corpus[i].topic))
					continue;
				seen++;
				rc = feed_line(&t[k], &corpus[i]);
				CHECK(rc == ECO_OK || rc == ECO_IGNORED || rc == ECO_BAD);
				if (rc == ECO_BAD) {
					bad++;
					CHECK(t[k].out.why[0]);
				}
				if (rc != ECO_OK)
					continue;
				ok[f]++;
				CHECK(t[k].out.ndev >= 1);
				for (int d = 0; d < t[k].out.ndev; d++) {
					CHECK(t[k].out.dev[d].native[0]);
					CHECK(t[k].out.dev[d].has);
					for (int m = 0; m < t[k].out.dev[d].nmetric; m++)
						CHECK(isfinite(t[k].out.dev[d].metric[m].value));
				}
			}
		}
	}
	CHECK(seen >= ncorpus);		/* every line is someone's */
	CHECK(ok[0] >= 10);		/* homie */
	CHECK(ok[1] >= 7);		/* octoprint */
	CHECK(ok[2] == corpus_end[2] - corpus_start[2]);	/* moonraker: all */
	CHECK(ok[3] >= 5);		/* bambu */
	CHECK(bad == 0);		/* the sample has no broken line for these four */
	for (int k = 0; k < NMINE; k++)
		t_close(&t[k]);
}

TEST(t_corpus_homie)
{
	struct tctx t;
	struct eco_dev *d;

	CHECK(ncorpus > 0);
	if (!ncorpus)
		return;
	t_open(&t, &homie_ops, NULL);
	/* the v4 spec example in order: attributes first, then the value */
	for (int i = corpus_start[0]; i < corpus_end[0]; i++)
		if (!strncmp(corpus[i].topic, "homie/super-car/", 16) &&
		    strcmp(corpus[i].topic, "homie/super-car/engine/temperature"))
			feed_line(&t, &corpus[i]);
	CHECK(feed_line(&t, corpus_find("homie/super-car/engine/temperature", "21.5")) == ECO_OK);
	d = dev0(&t);
	CHECK(d && !strcmp(d->native, "super-car"));
	CHECK_NEAR(metric(d, "temperature_c"), 21.5, 1e-9);
	CHECK(HAS(d, ECO_KIND) && !strcmp(d->kind, "sensor"));

	CHECK(feed_line(&t, corpus_find("homie/super-car/$name", "Super")) == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_NAME));
	CHECK_STR(dev0(&t)->name, "Super car");
	CHECK(feed_line(&t, corpus_find("homie/super-car/$state", "ready")) == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_ONLINE) && dev0(&t)->online == 1);
	CHECK(feed_line(&t, corpus_find("homie/super-car/$homie", "")) == ECO_IGNORED);
	CHECK(feed_line(&t, corpus_find("homie/super-car/engine/temperature/$unit", "C")) == ECO_IGNORED);

	/* v5 */
	CHECK(feed_line(&t, corpus_find("homie/5/lab-bme/$state", "init")) == ECO_OK);
	CHECK_STR(dev0(&t)->native, "lab-bme");
	CHECK(dev0(&t)->online == 1);
	CHECK(feed_line(&t, corpus_find("homie/5/lab-bme/$description", "nodes")) == ECO_OK);
	d = dev0(&t);
	CHECK(HAS(d, ECO_NAME));
	CHECK_STR(d->name, "Capteur labo — salle 2");
	CHECK(feed_line(&t, corpus_find("homie/5/lab-bme/env/temperature", "22.4")) == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "temperature_c"), 22.4, 1e-9);
	CHECK(feed_line(&t, corpus_find("homie/5/lab-bme/env/humidity", "41.5")) == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "humidity_pct"), 41.5, 1e-9);
	CHECK(feed_line(&t, corpus_find("homie/5/lab-bme/$state", "lost")) == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_ONLINE) && dev0(&t)->online == 0);
	CHECK(feed(&t, "homie/5/lab-bme/$state", "") == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_FORGET));
	CHECK(!HAS(dev0(&t), ECO_ONLINE));

	CHECK(feed_line(&t, corpus_find("homie/5/kitchen-light/light/power", "true")) == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_SWITCH) && dev0(&t)->switch_on == 1);
	CHECK(feed_line(&t, corpus_find("homie/5/kitchen-light/light/brightness/$target", "100")) == ECO_IGNORED);
	CHECK(feed_line(&t, corpus_find("homie/5/mydevid/$alert/battery", "low")) == ECO_IGNORED);
	CHECK(feed_line(&t, corpus_find("homie/5/my-device/$log/warn", "low")) == ECO_IGNORED);
	/* v5 value without a description: known by its name */
	CHECK(feed_line(&t, corpus_find("homie/5/super-car/engine/temperature", "21.5")) == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "temperature_c"), 21.5, 1e-9);
	t_close(&t);
}

TEST(t_corpus_octoprint)
{
	struct tctx t;
	struct eco_dev *d;

	CHECK(ncorpus > 0);
	if (!ncorpus)
		return;
	t_open(&t, &octoprint_ops, NULL);
	CHECK(feed_line(&t, corpus_find("octoPrint/mqtt", "connected")) == ECO_OK);
	d = dev0(&t);
	CHECK(d && !strcmp(d->native, "octoPrint") && HAS(d, ECO_ONLINE | ECO_KIND));
	CHECK(d->online == 1);
	CHECK_STR(d->kind, "printer");
	CHECK(feed_line(&t, corpus_find("octoPrint/mqtt", "disconnected")) == ECO_OK);
	CHECK(dev0(&t)->online == 0);

	CHECK(feed_line(&t, corpus_find("octoPrint/event/ClientOpened", "")) == ECO_IGNORED);
	/* the serial link to the printer: creates it, says it is there */
	CHECK(feed_line(&t, corpus_find("octoPrint/event/Connected", "")) == ECO_OK);
	CHECK_STR(dev0(&t)->kind, "printer");
	CHECK(dev0(&t)->online == 1);
	CHECK(feed_line(&t, corpus_find("octoPrint/event/PrintStarted", "")) == ECO_OK);
	d = dev0(&t);
	CHECK(HAS(d, ECO_JOB_STATE | ECO_JOB_FILE | ECO_TS));
	CHECK_STR(d->job_state, "printing");
	CHECK_STR(d->job_file, "case_bp_3.6.v1.0.gco");
	CHECK_NEAR(d->ts, 1517190629, 0);

	CHECK(feed_line(&t, corpus_find("octoPrint/progress/printing", "\"progress\": 23")) == ECO_OK);
	d = dev0(&t);
	CHECK(HAS(d, ECO_JOB_PROGRESS | ECO_JOB_FILE));
	CHECK_NEAR(d->job_progress, 23, 0);
	CHECK_STR(d->job_file, "test.gco");
	CHECK(!HAS(d, ECO_JOB_STATE));

	CHECK(feed_line(&t, corpus_find("octoPrint/progress/printing", "printer_data")) == ECO_OK);
	d = dev0(&t);
	CHECK(HAS(d, ECO_JOB_REMAINING));
	CHECK_NEAR(d->job_remaining, 273, 0);
	CHECK_STR(d->job_file, "Stringing_Test.gco");

	CHECK(feed_line(&t, corpus_find("octoPrint/progress/slicing", "")) == ECO_IGNORED);
	CHECK(feed_line(&t, corpus_find("octoPrint/temperature/tool0", "")) == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "nozzle_temp_c"), 65.3, 1e-9);
	CHECK_NEAR(metric(dev0(&t), "nozzle_target_c"), 210, 1e-9);
	CHECK(feed_line(&t, corpus_find("octoPrint/temperature/bed", "")) == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "bed_temp_c"), 42.1, 1e-9);
	CHECK_NEAR(metric(dev0(&t), "bed_target_c"), 65, 1e-9);
	t_close(&t);
}

TEST(t_corpus_moonraker)
{
	struct tctx t;
	struct eco_dev *d;
	int i = corpus_start[2];

	CHECK(corpus_end[2] - i >= 5);
	if (corpus_end[2] - i < 5)
		return;
	t_open(&t, &moonraker_ops, NULL);
	CHECK(feed_line(&t, &corpus[i]) == ECO_OK);
	d = dev0(&t);
	CHECK(d && !strcmp(d->native, "lab-voron") && HAS(d, ECO_ONLINE) && d->online == 1);

	CHECK(feed_line(&t, &corpus[i + 1]) == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "idle");
	CHECK(!HAS(d, ECO_JOB_FILE));		/* "" is no file */
	CHECK(!HAS(d, ECO_TS));			/* eventtime is monotonic */
	CHECK_NEAR(metric(d, "nozzle_temp_c"), 24.31, 1e-9);
	CHECK_NEAR(metric(d, "bed_temp_c"), 23.87, 1e-9);
	CHECK_NEAR(metric(d, "nozzle_target_c"), 0, 0);
	CHECK_NEAR(d->job_progress, 0, 0);

	CHECK(feed_line(&t, &corpus[i + 2]) == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "printing");
	CHECK_STR(d->job_file, "Imprimante Prusa — salle 2/support_écran.gcode");
	CHECK_NEAR(metric(d, "nozzle_target_c"), 215, 0);
	CHECK_NEAR(metric(d, "bed_target_c"), 60, 0);
	CHECK(isnan(metric(d, "nozzle_temp_c")));	/* not in this delta */

	CHECK(feed_line(&t, &corpus[i + 3]) == ECO_OK);
	d = dev0(&t);
	CHECK(!HAS(d, ECO_JOB_STATE));
	CHECK_NEAR(metric(d, "nozzle_temp_c"), 26.1, 1e-9);
	CHECK_NEAR(metric(d, "bed_temp_c"), 24.4, 1e-9);

	CHECK(feed_line(&t, &corpus[i + 4]) == ECO_OK);
	d = dev0(&t);
	CHECK(HAS(d, ECO_JOB_LAYER | ECO_JOB_PROGRESS | ECO_JOB_FILAMENT));
	CHECK_NEAR(d->job_layer, 1, 0);
	CHECK_NEAR(d->job_layers, 142, 0);
	CHECK_NEAR(d->job_progress, 0.42, 1e-9);
	CHECK_NEAR(d->job_filament_mm, 3.2, 1e-9);
	t_close(&t);
}

TEST(t_corpus_bambu)
{
	struct tctx t;
	struct eco_dev *d;

	CHECK(ncorpus > 0);
	if (!ncorpus)
		return;
	t_open(&t, &bambu_ops, NULL);
	CHECK(feed_line(&t, corpus_find("device/03919A3B0700123/report", "IDLE")) == ECO_OK);
	d = dev0(&t);
	CHECK(d && !strcmp(d->native, "03919A3B0700123"));
	CHECK_STR(d->kind, "printer");
	CHECK_STR(d->job_state, "idle");
	CHECK_STR(d->model, "A1");
	CHECK_NEAR(metric(d, "nozzle_temp_c"), 27.8125, 1e-9);
	CHECK_NEAR(metric(d, "bed_temp_c"), 29.75, 1e-9);
	CHECK_NEAR(metric(d, "rssi_dbm"), -48, 0);
	CHECK(isnan(metric(d, "chamber_temp_c")));	/* A1: placeholder 5 */
	CHECK(!HAS(d, ECO_JOB_FILE));
	CHECK(!HAS(d, ECO_ONLINE));			/* the core's business */

	CHECK(feed_line(&t, corpus_find("device/00M09A350100123/report", "FINISH")) == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "finished");
	CHECK_NEAR(d->job_progress, 100, 0);
	CHECK_STR(d->job_file, "Garden Hose Healer: Male fitting");
	CHECK_NEAR(d->job_layer, 480, 0);
	CHECK_NEAR(d->job_layers, 480, 0);
	CHECK_NEAR(metric(d, "rssi_dbm"), -66, 0);
	CHECK_NEAR(metric(d, "nozzle_temp_c"), 26, 0);
	CHECK_STR(d->model, "X1 Carbon");

	CHECK(feed_line(&t, corpus_find("device/01S00A000000123/report", "FAILED")) == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "failed");
	CHECK_NEAR(d->job_remaining, 759 * 60, 0);
	CHECK_STR(d->job_file, "Fidget Collection");
	CHECK_NEAR(d->job_layer, 1, 0);
	CHECK_NEAR(d->job_layers, 70, 0);

	CHECK(feed_line(&t, corpus_find("device/00M00A2A0814242/report", "push_status")) == ECO_OK);
	d = dev0(&t);
	CHECK_NEAR(metric(d, "chamber_temp_c"), 24, 0);
	CHECK_NEAR(metric(d, "rssi_dbm"), -45, 0);
	CHECK_NEAR(metric(d, "nozzle_target_c"), 25, 0);

	CHECK(feed_line(&t, corpus_find("device/00M00A2A0814242/report", "push_info")) == ECO_IGNORED);
	CHECK(t.out.ndev == 0);
	CHECK(feed_line(&t, corpus_find("device/00M00A2A0814242/report", "get_version")) == ECO_OK);
	d = dev0(&t);
	CHECK(HAS(d, ECO_FIRMWARE));
	CHECK_STR(d->firmware, "01.01.01.00");
	t_close(&t);
}

TEST(t_octoprint_print)
{
	struct tctx t;
	struct eco_dev *d;

	t_open(&t, &octoprint_ops, NULL);
	CHECK(feed(&t, "octoPrint/mqtt", "connected") == ECO_OK);
	/* the reset on every connect is not the end of a job */
	CHECK(feed(&t, "octoPrint/progress/printing",
		   "{\"location\": \"\", \"path\": \"\", \"progress\": 0, \"_timestamp\": 1763737200}") == ECO_IGNORED);
	CHECK(t.out.ndev == 0);
	CHECK(feed(&t, "octoPrint/event/FileSelected",
		   "{\"name\": \"support_\\u00e9cran.gcode\", \"path\": \"salle2/support_\\u00e9cran.gcode\", "
		   "\"origin\": \"local\", \"size\": 1234, \"_event\": \"FileSelected\", \"_timestamp\": 1763737201}") == ECO_OK);
	d = dev0(&t);
	CHECK(HAS(d, ECO_JOB_FILE) && !HAS(d, ECO_JOB_STATE));
	CHECK_STR(d->job_file, "support_écran.gcode");
	CHECK(feed(&t, "octoPrint/event/PrintStarted",
		   "{\"name\": \"support_\\u00e9cran.gcode\", \"path\": \"salle2/support_\\u00e9cran.gcode\", "
		   "\"origin\": \"local\", \"size\": 1234, \"owner\": \"lab\", \"user\": \"lab\", "
		   "\"_event\": \"PrintStarted\", \"_timestamp\": 1763737202}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "printing");
	CHECK_STR(d->job_file, "support_écran.gcode");
	CHECK_NEAR(d->job_progress, 0, 0);
	CHECK_NEAR(d->ts, 1763737202, 0);
	CHECK(feed(&t, "octoPrint/progress/printing",
		   "{\"location\": \"local\", \"path\": \"salle2/support_\\u00e9cran.gcode\", \"progress\": 50, \"_timestamp\": 1763737900}") == ECO_OK);
	CHECK_NEAR(dev0(&t)->job_progress, 50, 0);
	CHECK(feed(&t, "octoPrint/temperature/tool0", "{\"actual\": 214.8, \"target\": 215.0, \"_timestamp\": 1763737901}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "nozzle_temp_c"), 214.8, 1e-9);
	CHECK(feed(&t, "octoPrint/temperature/chamber", "{\"actual\": 31.0, \"target\": null, \"_timestamp\": 1763737901}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "chamber_temp_c"), 31, 0);
	CHECK(dev0(&t)->nmetric == 1);
	CHECK(feed(&t, "octoPrint/temperature/tool1", "{\"actual\": 20.0, \"target\": 0.0, \"_timestamp\": 1}") == ECO_IGNORED);
	CHECK(feed(&t, "octoPrint/temperature/bed", "{\"actual\": null, \"target\": null, \"_timestamp\": 1}") == ECO_IGNORED);
	CHECK(feed(&t, "octoPrint/event/PrintPaused",
		   "{\"name\": \"support_\\u00e9cran.gcode\", \"path\": \"salle2/support_\\u00e9cran.gcode\", "
		   "\"origin\": \"local\", \"progress\": 61, \"_event\": \"PrintPaused\", \"_timestamp\": 1763738000}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "paused");
	CHECK_NEAR(dev0(&t)->job_progress, 61, 0);
	CHECK(feed(&t, "octoPrint/event/PrintResumed",
		   "{\"name\": \"support_\\u00e9cran.gcode\", \"_event\": \"PrintResumed\", \"_timestamp\": 1763738100}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "printing");
	CHECK(feed(&t, "octoPrint/event/PrintDone",
		   "{\"name\": \"support_\\u00e9cran.gcode\", \"path\": \"salle2/support_\\u00e9cran.gcode\", "
		   "\"origin\": \"local\", \"time\": 1530.2, \"_event\": \"PrintDone\", \"_timestamp\": 1763738800}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "finished");
	CHECK_NEAR(d->job_progress, 100, 0);
	CHECK_STR(d->job_file, "support_écran.gcode");
	CHECK(feed(&t, "octoPrint/event/ZChange", "{\"new\": 0.2, \"old\": 0.0, \"_event\": \"ZChange\", \"_timestamp\": 1}") == ECO_IGNORED);
	/* a timestamp that is no Unix time is not passed on */
	CHECK(feed(&t, "octoPrint/event/PrintResumed", "{\"name\": \"a.gcode\", \"_timestamp\": 12}") == ECO_OK);
	CHECK(!HAS(dev0(&t), ECO_TS));
	t_close(&t);
}

TEST(t_octoprint_failed_cancelled)
{
	struct tctx t;

	t_open(&t, &octoprint_ops, "octoPrint, lab/+/octoprint");
	CHECK(feed(&t, "octoPrint/event/PrintFailed",
		   "{\"name\": \"a.gcode\", \"path\": \"a.gcode\", \"origin\": \"local\", \"time\": 12.5, "
		   "\"reason\": \"error\", \"error\": \"Thermal runaway\", \"progress\": 0.42, "
		   "\"_event\": \"PrintFailed\", \"_timestamp\": 1763737300}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "failed");
	CHECK_NEAR(dev0(&t)->job_progress, 42, 1e-9);
	CHECK(feed(&t, "octoPrint/event/PrintCancelled",
		   "{\"name\": \"b.gcode\", \"path\": \"b.gcode\", \"origin\": \"local\", \"time\": 80.0, \"progress\": 17, "
		   "\"_event\": \"PrintCancelled\", \"_timestamp\": 1763737400}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	CHECK_NEAR(dev0(&t)->job_progress, 17, 0);
	CHECK(feed(&t, "octoPrint/event/PrintFailed",
		   "{\"name\": \"b.gcode\", \"path\": \"b.gcode\", \"origin\": \"local\", \"time\": 80.0, "
		   "\"reason\": \"cancelled\", \"_event\": \"PrintFailed\", \"_timestamp\": 1763737400}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	CHECK_STR(dev0(&t)->job_file, "b.gcode");
	/* a second OctoPrint under a wildcard base: its own native id */
	CHECK(matches(&octoprint_ops, "octoPrint, lab/+/octoprint", "lab/mk4/octoprint/mqtt"));
	CHECK(feed(&t, "lab/mk4/octoprint/event/PrintStarted",
		   "{\"name\": \"c.gcode\", \"path\": \"c.gcode\", \"_event\": \"PrintStarted\", \"_timestamp\": 1763737500}") == ECO_OK);
	CHECK_STR(dev0(&t)->native, "lab/mk4/octoprint");
	CHECK(feed(&t, "lab/mk4/other/event/PrintStarted", "{\"name\": \"c.gcode\"}") == ECO_IGNORED);
	CHECK(feed(&t, "octoPrintX/mqtt", "connected") == ECO_IGNORED);
	/* metadata and empty retained topics */
	CHECK(feed(&t, "octoPrint/metadata/foo", "") == ECO_IGNORED);
	CHECK(feed(&t, "octoPrint/mqtt", "") == ECO_IGNORED);
	CHECK(feed(&t, "octoPrint/mqtt", "maybe") == ECO_BAD);
	CHECK(t.out.why[0]);
	t_close(&t);
}

TEST(t_moonraker_print)
{
	struct tctx t;
	struct eco_dev *d;

	t_open(&t, &moonraker_ops, NULL);
	CHECK(feed(&t, "mk3/klipper/status",
		   "{\"eventtime\":100.5,\"status\":{\"print_stats\":{\"filename\":\"benchy.gcode\",\"state\":\"printing\","
		   "\"filament_used\":0.0,\"info\":{\"total_layer\":50,\"current_layer\":0}},"
		   "\"virtual_sdcard\":{\"progress\":0.0},\"display_status\":{\"progress\":0.9}}}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "printing");
	CHECK_STR(d->job_file, "benchy.gcode");
	CHECK_NEAR(d->job_layers, 50, 0);
	CHECK_NEAR(d->job_progress, 0, 0);	/* virtual_sdcard wins */
	/* deltas: only what changed */
	CHECK(feed(&t, "mk3/klipper/status",
		   "{\"eventtime\":160.5,\"status\":{\"print_stats\":{\"info\":{\"current_layer\":7}},\"virtual_sdcard\":{\"progress\":0.25}}}") == ECO_OK);
	d = dev0(&t);
	CHECK(!HAS(d, ECO_JOB_STATE) && !HAS(d, ECO_JOB_FILE) && d->nmetric == 0);
	CHECK_NEAR(d->job_layer, 7, 0);
	CHECK_NEAR(d->job_layers, 50, 0);	/* remembered */
	CHECK_NEAR(d->job_progress, 25, 1e-9);
	CHECK(feed(&t, "mk3/klipper/status", "{\"eventtime\":161.0,\"status\":{\"display_status\":{\"progress\":0.3}}}") == ECO_OK);
	CHECK_NEAR(dev0(&t)->job_progress, 30, 1e-9);
	/* an object the hub does not read still shows the printer (Moonraker#255) */
	CHECK(feed(&t, "mk3/klipper/status", "{\"eventtime\":162.0,\"status\":{\"webhooks\":{\"state\":\"ready\"}}}") == ECO_OK);
	CHECK(!HAS(dev0(&t), ECO_JOB_STATE) && dev0(&t)->nmetric == 0);
	CHECK(feed(&t, "mk3/klipper/status", "{\"eventtime\":163.0,\"status\":{}}") == ECO_IGNORED);
	/* split status, object name with a space */
	CHECK(feed(&t, "mk3/klipper/state/temperature_sensor chamber/temperature", "{\"eventtime\":170.0,\"value\":35.5}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "chamber_temp_c"), 35.5, 1e-9);
	CHECK(feed(&t, "mk3/klipper/state/extruder/temperature", "{\"eventtime\":170.0,\"value\":\" 210.5 \"}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "nozzle_temp_c"), 210.5, 1e-9);
	CHECK(feed(&t, "mk3/klipper/state/print_stats/info", "{\"eventtime\":171.0,\"value\":{\"total_layer\":50,\"current_layer\":49}}") == ECO_OK);
	CHECK_NEAR(dev0(&t)->job_layer, 49, 0);
	CHECK(feed(&t, "mk3/klipper/state/print_stats/state", "{\"eventtime\":180.0,\"value\":\"complete\"}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "finished");
	CHECK(feed(&t, "mk3/klipper/state/virtual_sdcard/progress", "{\"eventtime\":180.0,\"value\":1.0}") == ECO_OK);
	CHECK_NEAR(dev0(&t)->job_progress, 100, 0);
	CHECK(feed(&t, "mk3/klipper/state/extruder/target", "{\"eventtime\":180.0,\"value\":null}") == ECO_IGNORED);
	CHECK(feed(&t, "mk3/klipper/state/print_stats/state", "{\"eventtime\":190.0,\"value\":\"standby\"}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "idle");
	CHECK(feed(&t, "mk3/moonraker/status", "{\"server\":\"offline\"}") == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_ONLINE) && dev0(&t)->online == 0);
	CHECK(feed(&t, "mk3/moonraker/status", "") == ECO_IGNORED);
	CHECK(feed(&t, "mk3/moonraker/api/response", "{\"jsonrpc\":\"2.0\",\"result\":\"ok\"}") == ECO_IGNORED);
	t_close(&t);
}

TEST(t_moonraker_failed_cancelled)
{
	struct tctx t;

	t_open(&t, &moonraker_ops, "voron");
	CHECK(feed(&t, "voron/klipper/status",
		   "{\"eventtime\":5.0,\"status\":{\"print_stats\":{\"state\":\"error\",\"message\":\"MCU shutdown\"}}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "failed");
	CHECK(feed(&t, "voron/klipper/status",
		   "{\"eventtime\":6.0,\"status\":{\"print_stats\":{\"state\":\"cancelled\"}}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	CHECK(feed(&t, "voron/klipper/status",
		   "{\"eventtime\":6.0,\"status\":{\"print_stats\":{\"state\":\"paused\"}}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "paused");
	/* another instance is not listed in the prefix */
	CHECK(feed(&t, "ender/klipper/status", "{\"eventtime\":6.0,\"status\":{\"print_stats\":{\"state\":\"cancelled\"}}}") == ECO_IGNORED);
	CHECK(feed(&t, "voron/klipper/status", "{\"eventtime\":6.0,\"status\":{\"print_st") == ECO_BAD);
	CHECK(t.out.why[0]);
	t_close(&t);
}

TEST(t_bambu_p1_deltas)
{
	struct tctx t;
	struct eco_dev *d;
	const char *topic = "device/01P00C000000042/report";

	t_open(&t, &bambu_ops, NULL);
	CHECK(feed(&t, topic,
		   "{\"print\":{\"gcode_state\":\"PREPARE\",\"subtask_name\":\"porte-clé musée\",\"gcode_file\":\"/data/Metadata/plate_1.gcode\","
		   "\"mc_percent\":0,\"mc_remaining_time\":35,\"layer_num\":0,\"total_layer_num\":120,\"nozzle_temper\":\"25.0\","
		   "\"nozzle_target_temper\":220,\"bed_temper\":24,\"bed_target_temper\":55,\"chamber_temper\":5,"
		   "\"gcode_file_prepare_percent\":\"10\",\"wifi_signal\":\"-52dBm\",\"command\":\"push_status\",\"msg\":0,\"sequence_id\":\"1\"}}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "preparing");
	CHECK_STR(d->job_file, "porte-clé musée");
	CHECK_NEAR(d->job_remaining, 35 * 60, 0);
	CHECK_NEAR(metric(d, "nozzle_temp_c"), 25, 0);
	CHECK(isnan(metric(d, "chamber_temp_c")));
	CHECK_STR(d->model, "P1S");
	/* delta: only the state and progress */
	CHECK(feed(&t, topic, "{\"print\":{\"gcode_state\":\"RUNNING\",\"mc_percent\":\"1\",\"command\":\"push_status\",\"msg\":1,\"sequence_id\":\"2\"}}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "printing");
	CHECK_NEAR(d->job_progress, 1, 0);
	CHECK(d->nmetric == 0);
	CHECK(!HAS(d, ECO_JOB_FILE) && !HAS(d, ECO_JOB_REMAINING) && !HAS(d, ECO_JOB_LAYER));
	/* delta: a layer alone keeps the total */
	CHECK(feed(&t, topic, "{\"print\":{\"layer_num\":60,\"mc_percent\":50,\"mc_remaining_time\":\"17\",\"msg\":1}}") == ECO_OK);
	d = dev0(&t);
	CHECK(!HAS(d, ECO_JOB_STATE));
	CHECK_NEAR(d->job_layer, 60, 0);
	CHECK_NEAR(d->job_layers, 120, 0);
	CHECK_NEAR(d->job_remaining, 17 * 60, 0);
	CHECK(feed(&t, topic, "{\"print\":{\"nozzle_temper\":219.5,\"msg\":1}}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "nozzle_temp_c"), 219.5, 1e-9);
	CHECK(dev0(&t)->has == (ECO_KIND | ECO_MODEL));
	CHECK(feed(&t, topic, "{\"print\":{\"gcode_state\":\"PAUSE\",\"msg\":1}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "paused");
	CHECK(feed(&t, topic, "{\"print\":{\"gcode_state\":\"FINISH\",\"mc_percent\":100,\"mc_remaining_time\":0,\"layer_num\":120,\"msg\":1}}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "finished");
	CHECK_NEAR(d->job_progress, 100, 0);
	CHECK_NEAR(d->job_layer, 120, 0);
	/* a command's reply says nothing */
	CHECK(feed(&t, topic, "{\"print\":{\"command\":\"pause\",\"result\":\"success\",\"sequence_id\":\"9\"}}") == ECO_IGNORED);
	CHECK(t.out.ndev == 0);
	t_close(&t);
}

TEST(t_bambu_failed_cancelled)
{
	struct tctx t;

	t_open(&t, &bambu_ops, NULL);
	CHECK(feed(&t, "device/00M00A000000001/report", "{\"print\":{\"gcode_state\":\"FAILED\",\"print_error\":50348044,\"msg\":1}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	CHECK(feed(&t, "device/00M00A000000001/report", "{\"print\":{\"gcode_state\":\"FAILED\",\"print_error\":117473286,\"msg\":1}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "failed");
	CHECK(feed(&t, "device/00M00A000000001/report", "{\"print\":{\"gcode_state\":\"SLICING\",\"msg\":1}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "preparing");
	CHECK(feed(&t, "device/00M00A000000001/report", "{\"print\":{\"gcode_state\":\"WHATEVER\"}}") == ECO_IGNORED);
	t_close(&t);
}

/* Print jobs as the printers' other firmware sends them: an A1 whose
 * FAILED and print_error arrive in separate deltas (both orders), a new
 * job forgetting an old cancel; OctoPrint's end events with `time`;
 * Moonraker's split state topics through complete, cancelled and error. */
TEST(t_printers_more_jobs)
{
	struct tctx t;
	struct eco_dev *d;
	const char *A1 = "device/03919A123456789/report";

	t_open(&t, &bambu_ops, NULL);
	CHECK(feed(&t, A1, "{\"print\":{\"gcode_state\":\"PREPARE\",\"gcode_file\":\"/data/Metadata/plate_1.gcode\","
		   "\"subtask_name\":\"vase\",\"mc_percent\":0,\"command\":\"push_status\",\"msg\":1,\"sequence_id\":\"201\"}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "preparing");
	CHECK_STR(dev0(&t)->model, "A1");
	CHECK(feed(&t, A1, "{\"print\":{\"gcode_file_prepare_percent\":\"55\",\"command\":\"push_status\",\"msg\":1}}") == ECO_IGNORED);
	CHECK(feed(&t, A1, "{\"print\":{\"gcode_state\":\"RUNNING\",\"mc_percent\":1,\"mc_remaining_time\":95,"
		   "\"layer_num\":1,\"total_layer_num\":120,\"nozzle_temper\":219.8,\"bed_temper\":59.9,"
		   "\"chamber_temper\":5,\"msg\":1}}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "printing");
	CHECK_NEAR(d->job_remaining, 95 * 60, 0);
	CHECK(isnan(metric(d, "chamber_temp_c")));	/* the A1 has none */
	/* the state first, the reason in the next delta */
	CHECK(feed(&t, A1, "{\"print\":{\"gcode_state\":\"FAILED\",\"msg\":1}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "failed");
	CHECK(feed(&t, A1, "{\"print\":{\"print_error\":50348044,\"msg\":1}}") == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_JOB_STATE));
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	/* a new job forgets it; a real failure stays a failure */
	CHECK(feed(&t, A1, "{\"print\":{\"gcode_state\":\"RUNNING\",\"mc_percent\":5,\"msg\":1}}") == ECO_OK);
	CHECK(feed(&t, A1, "{\"print\":{\"gcode_state\":\"FAILED\",\"msg\":1}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "failed");
	CHECK(feed(&t, A1, "{\"print\":{\"print_error\":117473282,\"msg\":1}}") == ECO_IGNORED);
	/* the reason first, then the state */
	CHECK(feed(&t, A1, "{\"print\":{\"gcode_state\":\"RUNNING\",\"print_error\":0,\"msg\":1}}") == ECO_OK);
	CHECK(feed(&t, A1, "{\"print\":{\"print_error\":50348044,\"mc_percent\":31,\"msg\":1}}") == ECO_OK);
	CHECK(!HAS(dev0(&t), ECO_JOB_STATE));
	CHECK(feed(&t, A1, "{\"print\":{\"gcode_state\":\"FAILED\",\"msg\":1}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	/* P1S: to the end */
	CHECK(feed(&t, "device/01P00A123456789/report", "{\"print\":{\"gcode_state\":\"FINISH\",\"mc_percent\":100,"
		   "\"mc_remaining_time\":0,\"layer_num\":120,\"msg\":1}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "finished");
	t_close(&t);

	t_open(&t, &octoprint_ops, NULL);
	CHECK(feed(&t, "octoPrint/event/PrintStarted", "{\"name\": \"benchy.gcode\", \"path\": \"benchy.gcode\", "
		   "\"origin\": \"local\", \"size\": 1234567, \"owner\": \"admin\", \"user\": \"admin\", "
		   "\"_event\": \"PrintStarted\", \"_timestamp\": 1700000000}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "printing");
	CHECK(feed(&t, "octoPrint/event/PrintDone", "{\"name\": \"benchy.gcode\", \"path\": \"benchy.gcode\", "
		   "\"origin\": \"local\", \"size\": 1234567, \"owner\": \"admin\", \"user\": \"admin\", "
		   "\"time\": 3601.52, \"_event\": \"PrintDone\", \"_timestamp\": 1700003601}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->job_state, "finished");
	CHECK_STR(d->job_file, "benchy.gcode");
	CHECK_NEAR(d->ts, 1700003601, 0);
	/* after a job, the printer going back to Operational keeps the end state */
	CHECK(feed(&t, "octoPrint/event/PrinterStateChanged", "{\"state_id\": \"OPERATIONAL\", "
		   "\"state_string\": \"Operational\", \"_event\": \"PrinterStateChanged\", \"_timestamp\": 1700003602}") == ECO_IGNORED);
	CHECK(feed(&t, "octoPrint/event/PrintFailed", "{\"name\": \"b.gcode\", \"path\": \"b.gcode\", "
		   "\"origin\": \"local\", \"size\": 12, \"owner\": \"admin\", \"user\": \"admin\", \"time\": 120.2, "
		   "\"reason\": \"error\", \"error\": \"Thermal runaway\", \"progress\": 0.25, "
		   "\"_event\": \"PrintFailed\", \"_timestamp\": 1700004000}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "failed");
	CHECK_NEAR(dev0(&t)->job_progress, 25, 1e-9);
	CHECK(feed(&t, "octoPrint/event/PrintCancelled", "{\"name\": \"c.gcode\", \"path\": \"folder/c.gcode\", "
		   "\"origin\": \"sdcard\", \"size\": 12, \"owner\": \"admin\", \"user\": \"admin\", \"time\": 60.0, "
		   "\"progress\": 12, \"_event\": \"PrintCancelled\", \"_timestamp\": 1700005000}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	CHECK_STR(dev0(&t)->job_file, "c.gcode");
	CHECK_NEAR(dev0(&t)->job_progress, 12, 0);
	CHECK(feed(&t, "octoPrint/event/PrintFailed", "{\"name\": \"c.gcode\", \"path\": \"folder/c.gcode\", "
		   "\"origin\": \"sdcard\", \"size\": 12, \"owner\": \"admin\", \"user\": \"admin\", \"time\": 60.0, "
		   "\"reason\": \"cancelled\", \"_event\": \"PrintFailed\", \"_timestamp\": 1700005000}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	CHECK(feed(&t, "octoPrint/temperature/chamber", "{\"actual\": 31.2, \"target\": null, \"_timestamp\": 1700005002}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "chamber_temp_c"), 31.2, 1e-9);
	t_close(&t);

	t_open(&t, &moonraker_ops, NULL);
	CHECK(feed(&t, "voron/klipper/state/print_stats/state", "{\"eventtime\":100.5,\"value\":\"printing\"}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "printing");
	CHECK_STR(dev0(&t)->kind, "printer");
	CHECK(feed(&t, "voron/klipper/state/print_stats/filename", "{\"eventtime\":100.5,\"value\":\"cube.gcode\"}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_file, "cube.gcode");
	CHECK(feed(&t, "voron/klipper/state/virtual_sdcard/progress", "{\"eventtime\":200.0,\"value\":0.5}") == ECO_OK);
	CHECK_NEAR(dev0(&t)->job_progress, 50, 1e-9);
	CHECK(feed(&t, "voron/klipper/state/temperature_sensor chamber/temperature",
		   "{\"eventtime\":200.0,\"value\":35.2}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "chamber_temp_c"), 35.2, 1e-9);
	CHECK(feed(&t, "voron/klipper/state/heater_bed/target", "{\"eventtime\":200.0,\"value\":60.0}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "bed_target_c"), 60, 0);
	CHECK(feed(&t, "voron/klipper/state/print_stats/state", "{\"eventtime\":300.5,\"value\":\"complete\"}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "finished");
	CHECK(feed(&t, "voron/klipper/status", "{\"eventtime\":400.1,\"status\":{\"print_stats\":"
		   "{\"state\":\"cancelled\",\"message\":\"\"}}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "cancelled");
	CHECK(feed(&t, "voron/klipper/status", "{\"eventtime\":500.1,\"status\":{\"print_stats\":"
		   "{\"state\":\"error\",\"message\":\"Move out of range\"},\"webhooks\":{\"state\":\"shutdown\","
		   "\"state_message\":\"Move out of range\"}}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_state, "failed");
	CHECK(feed(&t, "voron/moonraker/status", "{\"server\":\"offline\"}") == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_ONLINE) && dev0(&t)->online == 0);
	t_close(&t);
}

TEST(t_bambu_bad)
{
	struct tctx t;
	const struct line *x1 = corpus_find("device/00M09A350100123/report", "FINISH");
	char *garbage;
	size_t big = 1 << 20;

	t_open(&t, &bambu_ops, NULL);
	CHECK(x1 != NULL && x1->len > 10000);
	if (x1) {
		/* the 10 KB report cut where an MQTT buffer would cut it */
		CHECK(feedl(&t, x1->topic, x1->payload, (long)(x1->len / 2), 0) == ECO_BAD);
		CHECK(t.out.why[0] && t.out.ndev == 0);
		CHECK(!strstr(t.out.why, "print"));	/* never echoes the payload */
		CHECK(feedl(&t, x1->topic, x1->payload, (long)x1->len - 1, 0) == ECO_BAD);
	}
	garbage = malloc(big);
	for (size_t i = 0; i < big; i++)
		garbage[i] = (char)(i * 7919 % 251);
	CHECK(feedl(&t, "device/00M000/report", garbage, (long)big, 0) == ECO_BAD);
	memset(garbage, '[', big);
	CHECK(feedl(&t, "device/00M000/report", garbage, (long)big, 0) == ECO_BAD);
	free(garbage);
	CHECK(feed(&t, "device/00M000/report", "[1,2]") == ECO_BAD);
	CHECK(feed(&t, "device/00M000/report", "null") == ECO_BAD);
	CHECK(feed(&t, "device/00M000/report", "") == ECO_IGNORED);
	CHECK(feed(&t, "device/00M000/request", "{\"print\":{\"gcode_state\":\"IDLE\"}}") == ECO_IGNORED);
	CHECK(feed(&t, "device/a/b/report", "{\"print\":{\"gcode_state\":\"IDLE\"}}") == ECO_IGNORED);
	CHECK(feed(&t, "device//report", "{\"print\":{\"gcode_state\":\"IDLE\"}}") == ECO_IGNORED);
	CHECK(feed(&t, "device/x/report", "{\"print\":{\"nozzle_temper\":\"nan\",\"bed_temper\":null,\"wifi_signal\":\"dBm\"}}") == ECO_IGNORED);
	CHECK(feed(&t, "device/x/report", "{\"print\":{\"nozzle_temper\":\" 201.5 \",\"gcode_state\":\"\\u0052UNNING\"}}") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "nozzle_temp_c"), 201.5, 1e-9);
	CHECK_STR(dev0(&t)->job_state, "printing");
	/* invalid UTF-8 in a task name */
	CHECK(feed(&t, "device/x/report", "{\"print\":{\"subtask_name\":\"ab\xff\xfe" "c\"}}") == ECO_OK);
	CHECK_STR(dev0(&t)->job_file, "ab??c");
	t_close(&t);
}

TEST(t_homie_v4_fahrenheit_switch)
{
	struct tctx t;
	char topic[256], payload[16];
	struct eco_dev *d;

	t_open(&t, &homie_ops, NULL);
	CHECK(feed(&t, "homie/plug-3d/$homie", "4.0.0") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/$name", "Prise imprimante — salle 2") == ECO_OK);
	CHECK_STR(dev0(&t)->name, "Prise imprimante — salle 2");
	CHECK(feed(&t, "homie/plug-3d/$state", "init") == ECO_OK);
	CHECK(feed(&t, "homie/plug-3d/$nodes", "relay,env") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/env/$name", "Environment") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/env/temp/$unit", "°F") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/env/temp/$datatype", "float") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/relay/power/$datatype", "boolean") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/relay/power/$settable", "true") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/relay/motion/$datatype", "boolean") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/relay/watts/$unit", "W") == ECO_IGNORED);
	CHECK(feed(&t, "homie/plug-3d/$state", "ready") == ECO_OK);
	CHECK(dev0(&t)->online == 1);

	CHECK(feed(&t, "homie/plug-3d/env/temp", "70.7") == ECO_OK);
	d = dev0(&t);
	CHECK_NEAR(metric(d, "temperature_c"), 21.5, 1e-9);
	CHECK_STR(d->kind, "plug");
	CHECK(feed(&t, "homie/plug-3d/relay/power", "true") == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_SWITCH) && dev0(&t)->switch_on == 1);
	CHECK(feed(&t, "homie/plug-3d/relay/power", "false") == ECO_OK);
	CHECK(dev0(&t)->switch_on == 0);
	CHECK(feed(&t, "homie/plug-3d/relay/motion", "true") == ECO_IGNORED);	/* read-only */
	CHECK(feed(&t, "homie/plug-3d/relay/watts", "35.2") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "power_w"), 35.2, 1e-9);
	CHECK(feed(&t, "homie/plug-3d/relay/power/set", "true") == ECO_IGNORED);

	CHECK(homie_ops.switch_cmd(&t.ctx, "plug-3d", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "homie/plug-3d/relay/power/set");
	CHECK_STR(payload, "true");
	CHECK(homie_ops.switch_cmd(&t.ctx, "plug-3d", 0, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(payload, "false");
	CHECK(homie_ops.switch_cmd(&t.ctx, "plug-3d", 0, topic, 10, payload, sizeof(payload)) == -1);
	CHECK(homie_ops.switch_cmd(&t.ctx, "nobody", 1, topic, sizeof(topic), payload, sizeof(payload)) == -1);
	CHECK(feed(&t, "homie/sensor-only/env/temperature", "20") == ECO_OK);
	CHECK(homie_ops.switch_cmd(&t.ctx, "sensor-only", 1, topic, sizeof(topic), payload, sizeof(payload)) == -1);

	/* removal forgets the switch too */
	CHECK(feed(&t, "homie/plug-3d/$state", "") == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_FORGET));
	CHECK(homie_ops.switch_cmd(&t.ctx, "plug-3d", 1, topic, sizeof(topic), payload, sizeof(payload)) == -1);
	t_close(&t);
}

TEST(t_homie_v5_description)
{
	struct tctx t;
	char topic[256], payload[16];
	struct eco_dev *d;

	t_open(&t, &homie_ops, NULL);
	CHECK(feed(&t, "homie/5/atelier/$description",
		   "{\"homie\":\"5.0\",\"version\":7,\"name\":\"Atelier\",\"nodes\":{"
		   "\"air\":{\"name\":\"Air\",\"properties\":{"
		   "\"p\":{\"name\":\"Pression\",\"datatype\":\"float\",\"unit\":\"Pa\"},"
		   "\"co2\":{\"datatype\":\"integer\",\"unit\":\"ppm\"},"
		   "\"lum\":{\"datatype\":\"integer\",\"unit\":\"lx\"},"
		   "\"t\":{\"datatype\":\"float\",\"unit\":\"°F\"},"
		   "\"dim\":{\"datatype\":\"integer\",\"unit\":\"%\",\"settable\":true}}},"
		   "\"plug\":{\"properties\":{"
		   "\"on\":{\"datatype\":\"boolean\",\"settable\":true},"
		   "\"kwh\":{\"datatype\":\"float\",\"unit\":\"Wh\"},"
		   "\"v\":{\"datatype\":\"float\",\"unit\":\"V\"},"
		   "\"i\":{\"datatype\":\"float\",\"unit\":\"mA\"}}}}}") == ECO_OK);
	d = dev0(&t);
	CHECK_STR(d->name, "Atelier");
	CHECK_STR(d->kind, "plug");
	CHECK(feed(&t, "homie/5/atelier/air/p", "101325") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "pressure_hpa"), 1013.25, 1e-9);
	CHECK(feed(&t, "homie/5/atelier/air/co2", "612") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "co2_ppm"), 612, 0);
	CHECK(feed(&t, "homie/5/atelier/air/lum", "340") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "illuminance_lx"), 340, 0);
	CHECK(feed(&t, "homie/5/atelier/air/t", "32") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "temperature_c"), 0, 1e-9);
	CHECK(feed(&t, "homie/5/atelier/air/dim", "40") == ECO_IGNORED);	/* % of what? */
	CHECK(feed(&t, "homie/5/atelier/plug/kwh", "1234") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "energy_kwh"), 1.234, 1e-9);
	CHECK(feed(&t, "homie/5/atelier/plug/v", "230.1") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "voltage_v"), 230.1, 1e-9);
	CHECK(feed(&t, "homie/5/atelier/plug/i", "150") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "current_a"), 0.15, 1e-9);
	CHECK(feed(&t, "homie/5/atelier/plug/on", "true") == ECO_OK);
	CHECK(dev0(&t)->switch_on == 1);
	CHECK(feed(&t, "homie/5/atelier/plug/on/$target", "false") == ECO_IGNORED);
	CHECK(homie_ops.switch_cmd(&t.ctx, "atelier", 0, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "homie/5/atelier/plug/on/set");
	CHECK_STR(payload, "false");
	/* a broken description is refused and says why */
	CHECK(feed(&t, "homie/5/atelier/$description", "{\"homie\":\"5.0\",\"nodes\":{\"air\":") == ECO_BAD);
	CHECK(t.out.why[0] && t.out.ndev == 0);
	CHECK(feed(&t, "homie/5/atelier/$description", "") == ECO_IGNORED);
	t_close(&t);
}

TEST(t_homie_button)
{
	struct tctx t;

	t_open(&t, &homie_ops, NULL);
	CHECK(feed(&t, "homie/5/vote-box/$description",
		   "{\"homie\":\"5.0\",\"version\":1,\"name\":\"Boîte à votes\",\"nodes\":{\"happy\":{\"properties\":{"
		   "\"action\":{\"datatype\":\"enum\",\"format\":\"press,long-press\",\"retained\":false}}}}}") == ECO_OK);
	CHECK_STR(dev0(&t)->kind, "button");
	CHECK(feedl(&t, "homie/5/vote-box/happy/action", "press", -1, 0) == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_BUTTON | ECO_KIND));
	CHECK_STR(dev0(&t)->button, "press");
	CHECK_STR(dev0(&t)->kind, "button");
	/* replayed on subscribe: not a new press */
	CHECK(feedl(&t, "homie/5/vote-box/happy/action", "press", -1, 1) == ECO_IGNORED);
	CHECK(feedl(&t, "homie/5/vote-box/happy/action", "", 0, 0) == ECO_IGNORED);
	/* v4 without attributes: a node named like a button */
	CHECK(feed(&t, "homie/door/button/event", "single") == ECO_OK);
	CHECK_STR(dev0(&t)->button, "single");
	t_close(&t);
}

/* Homie devices of other shapes: a v4 thermometer in °F with a battery
 * in %, a v4 relay (settable boolean) with a meter, a v5 CO2 meter whose
 * settable fan does not make it a plug, a v4 sensor sending values
 * before (or without) their attributes. */
TEST(t_homie_kinds)
{
	struct tctx t;
	struct eco_dev *d;

	t_open(&t, &homie_ops, NULL);
	CHECK(feed(&t, "homie/thermo-f/$homie", "4.0.0") == ECO_IGNORED);
	CHECK(feed(&t, "homie/thermo-f/$state", "ready") == ECO_OK);
	CHECK(feed(&t, "homie/thermo-f/sensor/$properties", "temperature,battery") == ECO_IGNORED);
	CHECK(feed(&t, "homie/thermo-f/sensor/temperature/$unit", "°F") == ECO_IGNORED);
	CHECK(feed(&t, "homie/thermo-f/sensor/temperature/$datatype", "float") == ECO_IGNORED);
	CHECK(feed(&t, "homie/thermo-f/sensor/battery/$unit", "%") == ECO_IGNORED);
	CHECK(feed(&t, "homie/thermo-f/sensor/battery/$datatype", "integer") == ECO_IGNORED);
	CHECK(feed(&t, "homie/thermo-f/sensor/temperature", "71.6") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "temperature_c"), 22, 1e-9);
	CHECK_STR(dev0(&t)->kind, "sensor");
	CHECK(feed(&t, "homie/thermo-f/sensor/battery", "88") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "battery_pct"), 88, 0);
	CHECK_STR(dev0(&t)->kind, "sensor");

	CHECK(feed(&t, "homie/relay1/$state", "ready") == ECO_OK);
	CHECK(feed(&t, "homie/relay1/relay/power/$datatype", "boolean") == ECO_IGNORED);
	CHECK(feed(&t, "homie/relay1/relay/power/$settable", "true") == ECO_IGNORED);
	CHECK(feed(&t, "homie/relay1/relay/power", "true") == ECO_OK);
	CHECK(HAS(dev0(&t), ECO_SWITCH) && dev0(&t)->switch_on == 1);
	CHECK_STR(dev0(&t)->kind, "plug");
	CHECK(feed(&t, "homie/relay1/meter/consumption/$unit", "W") == ECO_IGNORED);
	CHECK(feed(&t, "homie/relay1/meter/consumption", "45.5") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "power_w"), 45.5, 1e-9);
	CHECK_STR(dev0(&t)->kind, "plug");
	CHECK(feed(&t, "homie/relay1/$state", "lost") == ECO_OK && dev0(&t)->online == 0);

	CHECK(feed(&t, "homie/5/lab-co2/$state", "ready") == ECO_OK);
	CHECK(feed(&t, "homie/5/lab-co2/$description",
		   "{\"homie\":\"5.0\",\"version\":7,\"name\":\"CO2 meter\",\"nodes\":{\"air\":{\"name\":\"Air\","
		   "\"properties\":{\"co2\":{\"name\":\"CO2\",\"datatype\":\"integer\",\"unit\":\"ppm\"},"
		   "\"temp\":{\"name\":\"Temperature\",\"datatype\":\"float\",\"unit\":\"°F\"},"
		   "\"rh\":{\"name\":\"Humidity\",\"datatype\":\"float\",\"unit\":\"%\"},"
		   "\"fan\":{\"datatype\":\"boolean\",\"settable\":true}}}}}") == ECO_OK);
	CHECK_STR(dev0(&t)->kind, "sensor");
	CHECK(feed(&t, "homie/5/lab-co2/air/co2", "812") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "co2_ppm"), 812, 0);
	CHECK_STR(dev0(&t)->kind, "sensor");
	CHECK(feed(&t, "homie/5/lab-co2/air/temp", "70.1") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "temperature_c"), (70.1 - 32) * 5 / 9, 1e-9);
	CHECK(feed(&t, "homie/5/lab-co2/air/rh", "38.5") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "humidity_pct"), 38.5, 1e-9);
	CHECK(feed(&t, "homie/5/lab-co2/air/fan", "true") == ECO_OK);
	d = dev0(&t);
	CHECK(HAS(d, ECO_SWITCH) && d->switch_on == 1);
	CHECK_STR(d->kind, "sensor");
	CHECK(feed(&t, "homie/5/lab-co2/$state", "sleeping") == ECO_OK && dev0(&t)->online == 0);

	/* v4 values without attributes, a settable LED declared first */
	CHECK(feed(&t, "homie/desk/led/on/$datatype", "boolean") == ECO_IGNORED);
	CHECK(feed(&t, "homie/desk/led/on/$settable", "true") == ECO_IGNORED);
	CHECK(feed(&t, "homie/desk/climate/temperature", "20.5") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "temperature_c"), 20.5, 1e-9);
	CHECK_STR(dev0(&t)->kind, "sensor");
	CHECK(feed(&t, "homie/desk/led/on", "false") == ECO_OK);
	CHECK_STR(dev0(&t)->kind, "sensor");
	/* a light's boolean "power" is a switch, not a power reading */
	CHECK(feed(&t, "homie/5/lamp/$description",
		   "{\"homie\":\"5.0\",\"version\":1,\"nodes\":{\"light\":{\"properties\":{"
		   "\"power\":{\"datatype\":\"boolean\",\"settable\":true}}}}}") == ECO_OK);
	CHECK_STR(dev0(&t)->kind, "plug");
	t_close(&t);
}

TEST(t_homie_robust)
{
	struct tctx t;
	char longtopic[700];
	char *garbage;

	t_open(&t, &homie_ops, NULL);
	CHECK(feed(&t, "homie/x/$state", "exploded") == ECO_BAD);
	CHECK(t.out.why[0]);
	CHECK(feed(&t, "homie/x/$state", "ready\n") == ECO_OK);
	CHECK(feed(&t, "homie/x/env/temperature", "nan") == ECO_IGNORED);
	CHECK(feed(&t, "homie/x/env/temperature", "null") == ECO_IGNORED);
	CHECK(feed(&t, "homie/x/env/temperature", " 21.5 ") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "temperature_c"), 21.5, 1e-9);
	CHECK(feed(&t, "homie/x/env/temperature", "") == ECO_IGNORED);
	CHECK(feed(&t, "homie/y/env/temp", "19.5") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "temperature_c"), 19.5, 1e-9);
	CHECK(feed(&t, "homie/y/env/lux", "120") == ECO_OK);
	CHECK_NEAR(metric(dev0(&t), "illuminance_lx"), 120, 0);
	CHECK(feed(&t, "homie/y/env/speed", "3") == ECO_IGNORED);
	CHECK(feed(&t, "homie/x/env/temperature", "21,5°") == ECO_IGNORED);
	CHECK(feed(&t, "homie/x/$name", "caf\xc3\xa9 \xff") == ECO_OK);
	CHECK_STR(dev0(&t)->name, "café ?");
	CHECK(feed(&t, "homie/Temp Balcon/env/humidity", "55") == ECO_OK);
	CHECK_STR(dev0(&t)->native, "Temp Balcon");
	CHECK_NEAR(metric(dev0(&t), "humidity_pct"), 55, 0);
	CHECK(feed(&t, "homie/$broadcast/alert", "fire") == ECO_IGNORED);
	CHECK(feed(&t, "homie/5/$broadcast/alert", "fire") == ECO_IGNORED);
	CHECK(feed(&t, "homie/x", "hello") == ECO_IGNORED);
	CHECK(feed(&t, "homie//env/t", "1") == ECO_IGNORED);
	CHECK(feed(&t, "homie/x/a/b/c/d/e/f", "1") == ECO_IGNORED);
	CHECK(feed(&t, "homies/x/$state", "ready") == ECO_IGNORED);
	CHECK(feed(&t, "homie/x/$online", "false") == ECO_OK);
	CHECK(dev0(&t)->online == 0);
	CHECK(feed(&t, "homie/x/$fw/version", "1.2.3") == ECO_OK);
	CHECK_STR(dev0(&t)->firmware, "1.2.3");
	memset(longtopic, 'a', sizeof(longtopic) - 1);
	memcpy(longtopic, "homie/", 6);
	longtopic[sizeof(longtopic) - 1] = '\0';
	CHECK(feed(&t, longtopic, "1") == ECO_IGNORED);
	garbage = malloc(1 << 20);
	for (size_t i = 0; i < (1u << 20); i++)
		garbage[i] = (char)(i * 31 % 256);
	CHECK(feedl(&t, "homie/5/x/$description", garbage, 1 << 20, 1) == ECO_BAD);
	CHECK(feedl(&t, "homie/x/$state", garbage, 1 << 20, 1) == ECO_BAD);
	CHECK(feedl(&t, "homie/x/env/temperature", garbage, 1 << 20, 1) == ECO_IGNORED);
	CHECK(feedl(&t, "homie/x/env/temperature/$unit", garbage, 1 << 20, 1) == ECO_IGNORED);
	free(garbage);
	/* the unit attribute was cut to its buffer: still bounded, no crash */
	CHECK(feed(&t, "homie/x/env/temperature", "5") == ECO_IGNORED);	/* unknown unit */
	t_close(&t);
}

/* More devices and properties than the tables hold: bounded, still right. */
TEST(t_priv_bounds)
{
	struct tctx h, b, m;
	char topic[128], payload[64];

	t_open(&h, &homie_ops, NULL);
	for (int i = 0; i < 300; i++) {
		snprintf(topic, sizeof(topic), "homie/dev%d/n%d/p%d/$unit", i, i % 7, i);
		feed(&h, topic, "°F");
		snprintf(topic, sizeof(topic), "homie/dev%d/relay/on/$settable", i);
		feed(&h, topic, "true");
		snprintf(topic, sizeof(topic), "homie/dev%d/relay/on/$datatype", i);
		feed(&h, topic, "boolean");
		for (int k = 0; k < 12; k++) {
			snprintf(topic, sizeof(topic), "homie/dev%d/n/q%d/$unit", i, k);
			feed(&h, topic, "W");
		}
	}
	CHECK(feed(&h, "homie/dev299/n5/p299", "212") == ECO_OK);
	CHECK_NEAR(metric(dev0(&h), "temperature_c"), 100, 1e-9);
	CHECK(homie_ops.switch_cmd(&h.ctx, "dev299", 1, topic, sizeof(topic), payload, sizeof(payload)) == 0);
	CHECK_STR(topic, "homie/dev299/relay/on/set");
	t_close(&h);

	t_open(&b, &bambu_ops, NULL);
	for (int i = 0; i < 100; i++) {
		snprintf(topic, sizeof(topic), "device/SN%03d/report", i);
		feed(&b, topic, "{\"print\":{\"layer_num\":1,\"total_layer_num\":9}}");
	}
	CHECK(feed(&b, "device/SN099/report", "{\"print\":{\"layer_num\":2}}") == ECO_OK);
	CHECK_NEAR(dev0(&b)->job_layers, 9, 0);
	t_close(&b);

	t_open(&m, &moonraker_ops, NULL);
	for (int i = 0; i < 100; i++) {
		snprintf(topic, sizeof(topic), "k%d/klipper/status", i);
		feed(&m, topic, "{\"status\":{\"print_stats\":{\"info\":{\"total_layer\":33,\"current_layer\":1}}}}");
	}
	CHECK(feed(&m, "k99/klipper/status", "{\"status\":{\"print_stats\":{\"info\":{\"current_layer\":2}}}}") == ECO_OK);
	CHECK_NEAR(dev0(&m)->job_layers, 33, 0);
	t_close(&m);
}

/* Without init() (no priv) the parsers still work, minus the memory. */
TEST(t_no_priv)
{
	struct tctx t;
	char topic[64], payload[8];

	for (int k = 0; k < NMINE; k++) {
		memset(&t, 0, sizeof(t));
		t.ctx.ops = mine[k];
		t.ctx.prefix = mine[k]->default_prefix;
		feed(&t, "homie/x/relay/power", "true");
		feed(&t, "homie/5/x/$description", "{\"nodes\":{\"a\":{\"properties\":{\"b\":{}}}}}");
		feed(&t, "homie/x/$state", "");
		feed(&t, "device/x/report", "{\"print\":{\"layer_num\":3}}");
		feed(&t, "x/klipper/status", "{\"status\":{\"print_stats\":{\"info\":{\"current_layer\":2}}}}");
		feed(&t, "octoPrint/mqtt", "connected");
	}
	memset(&t, 0, sizeof(t));
	t.ctx.ops = &homie_ops;
	t.ctx.prefix = "homie";
	CHECK(feed(&t, "homie/x/env/temperature", "20") == ECO_OK);
	CHECK(homie_ops.switch_cmd(&t.ctx, "x", 1, topic, sizeof(topic), payload, sizeof(payload)) == -1);
}

/* Messages of one ecosystem are left alone by the others. */
TEST(t_not_mine)
{
	struct tctx t[NMINE];
	static const char *const topics[] = {
		"tele/prusa/SENSOR", "zigbee2mqtt/Temperatur Balkon", "shellyplus1/status/switch:0",
		"mlab/v1/scanner-1/status", "homeassistant/sensor/x/config", "esphome/discover/n",
	};
	int claimed = 0;

	for (int k = 0; k < NMINE; k++)
		t_open(&t[k], mine[k], NULL);
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
		for (int k = 0; k < NMINE; k++)
			claimed += feed(&t[k], topics[i], "{\"state\":\"ON\",\"print\":{\"gcode_state\":\"IDLE\"}}") != ECO_IGNORED;
	CHECK(claimed == 0);
	/* and each ecosystem's own topics by exactly one of the four */
	for (int f = 0; f < 4; f++)
		for (int i = corpus_start[f]; i < corpus_end[f]; i++) {
			int n = 0;

			for (int k = 0; k < NMINE; k++)
				n += feed_line(&t[k], &corpus[i]) == ECO_OK;
			CHECK(n <= 1);
		}
	for (int k = 0; k < NMINE; k++)
		t_close(&t[k]);
}

int main(void)
{
	static const char *const files[4] = {
		"homie.jsonl", "octoprint.jsonl", "moonraker.jsonl", "bambulab.jsonl",
	};

	corpus_load(files, 4, corpus_start, corpus_end);
	RUN(t_filters);
	RUN(t_corpus_replay);
	RUN(t_corpus_homie);
	RUN(t_corpus_octoprint);
	RUN(t_corpus_moonraker);
	RUN(t_corpus_bambu);
	RUN(t_octoprint_print);
	RUN(t_octoprint_failed_cancelled);
	RUN(t_moonraker_print);
	RUN(t_moonraker_failed_cancelled);
	RUN(t_bambu_p1_deltas);
	RUN(t_bambu_failed_cancelled);
	RUN(t_printers_more_jobs);
	RUN(t_bambu_bad);
	RUN(t_homie_v4_fahrenheit_switch);
	RUN(t_homie_v5_description);
	RUN(t_homie_button);
	RUN(t_homie_kinds);
	RUN(t_homie_robust);
	RUN(t_priv_bounds);
	RUN(t_no_priv);
	RUN(t_not_mine);
	corpus_free();
	return t_done();
}
