/*
 * native.c — a simulated 3D scanner speaking the hub's native schema
 * (mlab/v1/<id>/status, meta, event; acknowledgements on …/ack), as the
 * scanner agent mlab-scand does for a real one.  Its events follow the
 * acknowledgement rule (docs/devices.md): a random boot id at start, seq
 * from 1, each event kept in memory until an ack of that boot covers it,
 * republished every 10 s, after a reconnect, and at once when an ack
 * reports it missing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "../common/clk.h"
#include "../common/dlog.h"
#include "../common/native.h"
#include "../common/sbuf.h"

static const char *const scan_files[] = {
	"buste-champlain.stl", "masque-wendat.ply", "canot-écorce.obj",
	"raquette-babiche.stl", "statuette-bois.ply",
};

#define RESEND_MS 10000	/* republish unacknowledged events (real time) */
#define JOURNAL_MAX 1000	/* events kept at most; the oldest go first */

/* Publish every pending event in seq..to (all: 1..INT64_MAX), in order. */
static void resend(struct sdev *d, int64_t from, int64_t to)
{
	char topic[NATIVE_TOPIC_MAX];
	size_t i;

	native_topic(topic, sizeof(topic), d->nid, "event");
	for (i = 0; i < d->j.n; i++)
		if (d->j.ev[i].seq >= from && d->j.ev[i].seq <= to)
			sim_pub(d, topic, d->j.ev[i].json, 0);
	d->next_resend_ms = clk_mono_ms() + RESEND_MS;
}

/* Keep then publish one event (the acknowledgement rule of
 * docs/devices.md: boot, seq, base; kept until an ack covers it). */
static void scanner_event(struct sdev *d, const char *type)
{
	struct sbuf sb;
	char ts[40];
	int64_t seq = d->j.next_seq, base = journal_next(&d->j);

	clk_iso_utc(ts, sizeof(ts), clk_real_us());
	sbuf_init(&sb);
	sbuf_printf(&sb, "{\"seq\":%lld,\"boot\":\"%s\",\"base\":%lld,"
		    "\"type\":\"%s\",\"ts\":\"%s\",\"file\":", (long long)seq,
		    d->j.boot, (long long)base, type, ts);
	sbuf_jstr(&sb, d->scan_file, SBUF_UTF8);
	if (!strcmp(type, "scan.finished")) {
		long faces = rng_range(d->r, 200000, 2500000);

		sbuf_printf(&sb, ",\"size\":%ld,\"vertices\":%ld,\"faces\":%ld,"
			    "\"duration_s\":%.1f", 84 + 50 * faces, faces / 2 + 2,
			    faces, (clk_real_us() - d->scan_start_us) / 1e6 *
			    S.speed);
	}
	sbuf_printf(&sb, "}");
	if (journal_append(&d->j, sbuf_str(&sb)) == 0) {
		if (d->j.n == 1)
			d->next_resend_ms = clk_mono_ms() + RESEND_MS;
		sim_pubf(d, 0, sbuf_str(&sb), "mlab/v1/%s/event", d->nid);
	}
	sbuf_free(&sb);
	DLOG(D_INFO, "%s %s %s (seq %lld)", d->hub_id, type, d->scan_file,
	     (long long)seq);
}

static void scanner_start(struct sdev *d)
{
	snprintf(d->scan_file, sizeof(d->scan_file), "%s",
		 scan_files[rng_range(d->r, 0, NELEM(scan_files) - 1)]);
	d->scanning = 1;
	d->scan_start_us = clk_real_us();
	d->scan_end = S.t + rng_uniform(d->r, 300, 1200);
	scanner_event(d, "scan.started");
}

static void scanner_step(struct sdev *d, double dt)
{
	if (!d->online || S.once)
		return;
	if (d->j.n && clk_mono_ms() >= d->next_resend_ms)
		resend(d, 1, INT64_MAX);
	if (!d->scanning && S.t >= d->next_scan)
		scanner_start(d);
	else if (d->scanning && S.t >= d->scan_end) {
		scanner_event(d, "scan.finished");
		d->scanning = 0;
		d->next_scan = S.t + rng_uniform(d->r, 900, 3600);
	}
}

static void scanner_once_end(struct sdev *d)
{
	if (d->scanning) {
		scanner_event(d, "scan.finished");
		d->scanning = 0;
	}
}

static void scanner_message(struct sdev *d, const char *topic,
			    const char *payload, int len, int retained)
{
	struct native_ack a;
	int i;

	if (native_parse_ack(payload, len, &a) < 0 ||
	    !native_ack_covers(&a, d->j.boot))
		return;
	if (a.seq > d->j.acked)
		journal_ack(&d->j, a.seq);	/* may jump past a retained
						 * ack of an older hub */
	for (i = 0; i < a.nmissing; i++)
		resend(d, a.missing[i][0], a.missing[i][1]);
}

static void scanner_announce(struct sdev *d)
{
	struct sbuf sb;

	sim_pubf(d, 1, "online", "mlab/v1/%s/status", d->nid);
	sbuf_init(&sb);
	native_meta_json(&sb, d->name, "scanner", d->model, d->room);
	sim_pubf(d, 1, sbuf_str(&sb), "mlab/v1/%s/meta", d->nid);
	sbuf_free(&sb);
	resend(d, 1, INT64_MAX);	/* back online: what is still pending */
}

static int scanner_init(struct sdev *d)
{
	if (journal_open(&d->j, NULL) < 0)
		return -1;
	d->j.max = JOURNAL_MAX;
	return 0;
}

static void scanner_fini(struct sdev *d)
{
	journal_close(&d->j);
}

static void scanner_will(const struct sdev *d, char *topic, size_t tl,
			 const char **payload)
{
	snprintf(topic, tl, "mlab/v1/%s/status", d->nid);
	*payload = "offline";
}

static void scanner_listen(const struct sdev *d, char *topic, size_t tl)
{
	snprintf(topic, tl, "mlab/v1/%s/ack", d->nid);
}

const struct sim_ops sim_scanner = {
	.kind = "scanner",
	.source = "mlab",
	.listen = scanner_listen,
	.announce = scanner_announce,
	.will = scanner_will,
	.step = scanner_step,
	.message = scanner_message,
	.once_start = scanner_start,
	.once_end = scanner_once_end,
	.init = scanner_init,
	.fini = scanner_fini,
};
