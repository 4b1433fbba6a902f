/*
 * fedi.h — what the files of hub/fed/ share, not used outside it: the
 * module's state and a site id's check (fedi.c).  Each other file has its
 * own header; fed.c, the top of the module, starts them and serves their
 * routes, and none of them calls fed.c back.
 */
#ifndef MLAB_FEDI_H
#define MLAB_FEDI_H

#include <stddef.h>

#include "lab/ack.h"

struct hub;

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

/* fedi.c: a site id: [A-Za-z0-9._-]{1,64}.  1 or 0.  Pure. */
int fedi_site_ok(const char *s);

#endif
