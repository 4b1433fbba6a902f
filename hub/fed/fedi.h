/*
 * fedi.h — what the files of hub/fed/ share; not used outside it.
 */
#ifndef MLAB_FEDI_H
#define MLAB_FEDI_H

#include <stddef.h>

#include "lab/ack.h"

struct hub;
struct api_resp;

#define FED_BATCH 500		/* facts published per go */

struct fed {
	int network;		/* net.role = network */
	char site[65];		/* a lab: its id */
	char boot[33];		/* a lab: its numbering */
	long long acked;	/* a lab: the network's watermark */
	long long sent;		/* a lab: highest seq published since the last (re)send */
	long long resent_at;	/* a lab: the watermark at the last resend */
	int quiet;		/* a lab: resends in a row that the network did not answer */
	long long changes;	/* a lab: sqlite3_total_changes() at the last scan */
	int up;			/* the lab broker link */
	struct fed_site *sites;	/* the network: every site heard from */
	int nsites, cap;
};

/* The network's view of one site: its numbering and watermark under the
 * devices' rule (lab/ack.h), loaded from net_sites on first use. */
struct fed_site {
	char site[65];
	struct ack a;
	int known;		/* a numbering is held (net_sites row, or a first fact) */
	int pending;		/* acknowledge it after the commit */
};

/* fed.c: the first column of sql's first row on h (a cached statement),
 * as an integer; 0 if none. */
long long fed_int(struct hub *h, const char *sql);

/* dirty.c: the triggers that note what changed for the lab's scan, made
 * (or remade when this binary's differ) in their own transaction.  0 or
 * -1 (logged). */
int dirty_install(struct hub *h);

/* fact.c, the lab side */
int fact_init(struct hub *h);
/* Look for changed states and append a fact for each.  0 or -1. */
int fact_scan(struct hub *h);
/* Publish unacknowledged facts from seq from+1 on.  0 or -1. */
int fact_publish(struct hub *h, long long from);
void fact_ack(struct hub *h, const char *payload, size_t len);

/* central.c, the network side */
int central_init(struct hub *h);
void central_fact(struct hub *h, const char *site, const char *payload, size_t len);

/* sum.c: the network's indicators for fiscal year fy in format ("json",
 * "csv", "html") into out (the caller frees it with api_resp_free).
 * 0, -1 (database), -3 (bad arguments), with err. */
int sum_render(struct hub *h, int fy, const char *format, const char *lang,
	       struct api_resp *out, char *err, size_t errlen);

/* A scratch hub t over an empty in-memory database of the lab's schema,
 * a transaction open (the caller closes it with store_close).  0 or -1. */
int sum_scratch_open(struct hub *h, struct hub *t);

/* Load site's latest states (h's net_rx) into scratch t as the lab's rows,
 * ids + off; with track, also trail_src and trail_rows (where each row
 * came from, sum.c).  Returns how many states the lab's schema refused,
 * or -1. */
int sum_load_site(struct hub *h, struct hub *t, const char *site, long long off, int track);

/* trail.c: the facts behind one network figure (GET
 * /api/network/indicators/explain), in format ("json", "csv", "html")
 * into out (the caller frees it with api_resp_free).  site NULL: every
 * site's, behind the total.  0, -1 (database), -2 (no such figure or
 * site: 404), -3 (bad arguments), with err. */
int trail_render(struct hub *h, int fy, const char *name, const char *site,
		 const char *format, const char *lang, struct api_resp *out,
		 char *err, size_t errlen);

#endif
