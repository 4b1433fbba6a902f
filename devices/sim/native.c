/*
 * native.c — a simulated 3D scanner speaking the hub's native schema
 * (mlab/v1/<id>/status, meta, event; acknowledgements on …/ack), as the
 * scanner agent mlab-scand does for a real one.
 */
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

static void scanner_event(struct sdev *d, const char *type)
{
	struct sbuf sb;
	char ts[40];

	clk_iso_utc(ts, sizeof(ts), clk_real_us());
	sbuf_init(&sb);
	sbuf_printf(&sb, "{\"seq\":%lld,\"type\":\"%s\",\"ts\":\"%s\","
		    "\"file\":", (long long)d->seq++, type, ts);
	sbuf_jstr(&sb, d->scan_file, SBUF_UTF8);
	if (!strcmp(type, "scan.finished")) {
		long faces = rng_range(d->r, 200000, 2500000);

		sbuf_printf(&sb, ",\"size\":%ld,\"vertices\":%ld,\"faces\":%ld,"
			    "\"duration_s\":%.1f", 84 + 50 * faces, faces / 2 + 2,
			    faces, (clk_real_us() - d->scan_start_us) / 1e6 *
			    S.speed);
	}
	sbuf_printf(&sb, "}");
	sim_pubf(d, 0, sbuf_str(&sb), "mlab/v1/%s/event", d->nid);
	sbuf_free(&sb);
	DLOG(D_INFO, "%s %s %s", d->hub_id, type, d->scan_file);
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
	int64_t seq;

	if (native_parse_ack(payload, len, &seq) == 0 && seq >= d->seq)
		d->seq = seq + 1;	/* the hub knows later events */
}

static void scanner_announce(struct sdev *d)
{
	struct sbuf sb;

	sim_pubf(d, 1, "online", "mlab/v1/%s/status", d->nid);
	sbuf_init(&sb);
	native_meta_json(&sb, d->name, "scanner", d->model, d->room);
	sim_pubf(d, 1, sbuf_str(&sb), "mlab/v1/%s/meta", d->nid);
	sbuf_free(&sb);
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
};
