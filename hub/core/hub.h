/*
 * hub.h — the one shared context, passed explicitly to every subsystem.
 *
 * Threads: the lws service thread (main) owns everything in here except
 * the inbox (inbox.c: the one lock shared between threads) and the
 * libmosquitto handles, whose network threads call back into mqtt.c and
 * touch nothing but the inbox (each link also has a private lock for its
 * back-off sleep, mqtt.c).
 */
#ifndef MLAB_HUB_H
#define MLAB_HUB_H

#include <stdint.h>
#include <time.h>

#include "eco/isotime.h"

struct conf;
struct store;
struct registry;
struct inbox;
struct mqtt;
struct lws_context;
struct lws_vhost;
struct eco_ctx;
struct ws;
struct gpio;
struct machines;
struct alerts;
struct loop;
struct ingest;
struct reload;
struct api;
struct fed;
struct health;

/* Upper bounds, in seconds, of the commit-duration histogram buckets
 * (the last, +Inf, is implicit: the count of commits). */
#define STATS_COMMIT_BUCKETS 11
static inline double stats_commit_le(int i)
{
	static const double le[STATS_COMMIT_BUCKETS] = {
		0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
	};

	return le[i];
}

/* Counters shown on /metrics.  Written by the service thread only, except
 * where noted (atomics). */
struct stats {
	uint64_t msgs_in;		/* taken from the inbox */
	uint64_t msgs_parsed;		/* an ecosystem understood it */
	uint64_t msgs_ignored;		/* no ecosystem claimed it */
	uint64_t msgs_bad;		/* malformed: logged and counted */
	uint64_t msgs_too_big;		/* over broker.max_payload */
	uint64_t devices_refused;	/* messages from new devices past devices.max */
	uint64_t inbox_dropped;		/* inbox full (atomic, MQTT threads) */
	uint64_t rows_stored;		/* telemetry rows committed */
	uint64_t events_stored;		/* sequenced events committed */
	uint64_t events_duplicate;	/* (device, boot, seq) seen before */
	uint64_t net_facts_sent;	/* a lab: facts published, resends included */
	uint64_t commits;
	uint64_t commit_failures;	/* e.g. disk full: nothing acked */
	double commit_ms_last, commit_ms_max, commit_ms_sum;
	/* commit durations: counts per upper bound stats_commit_le(i) */
	uint64_t commit_le[STATS_COMMIT_BUCKETS];
	double commit_s_sum;
	uint64_t ws_dropped_slow;	/* clients closed for being too slow */
	uint64_t ws_held_peak;		/* most bytes held for one WebSocket client */
	uint64_t ws_refused;		/* handshakes past ws.max_clients / max_per_addr */
	uint64_t conns_refused_addr;	/* connections past http.max_per_addr */
	uint64_t conns_refused;		/* connections closed at accept (fd reserve) */
	uint64_t accept_errors;		/* accept() failed (EMFILE…) */
	uint64_t heads_refused;		/* request heads answered 431 or 414 */
	uint64_t http_requests;
	uint64_t http_errors;
	uint64_t http_status[600];	/* API answers by status code */
	uint64_t broker_connects;
};

struct hub {
	struct conf *conf;
	struct store *store;
	struct registry *reg;
	struct inbox *inbox;
	struct mqtt *mqtt;		/* the lab broker link, then Bambu links */
	struct eco_ctx *eco;		/* eco_count contexts */
	struct lws_context *lws;
	struct lws_vhost *vhost;
	struct loop *loop;		/* loop.c: timers, mounts, signal fd */
	struct ws *ws;
	struct gpio *gpio;
	struct stats stats;
	const char *conf_path;
	int argc;			/* the command line, for --set on reload */
	char **argv;
	char web_root[4096];
	int broker_up;			/* lab broker connected */
	int stopping;
	double started;			/* Unix seconds */
	struct machines *machines;	/* machine.c */
	struct alerts *alerts;		/* alert.c */
	struct ingest *ingest;		/* ingest.c */
	struct reload *reload;		/* reload.c: SIGHUP hooks */
	struct api *api;		/* api.c: routes, the auth hooks */
	struct fed *fed;		/* fed/: a network of labs */
	struct health *health;		/* health.c: commits, disk, /readyz */
};

/* Count one commit that took `s` seconds in the histogram. */
static inline void stats_commit(struct stats *st, double s)
{
	for (int i = 0; i < STATS_COMMIT_BUCKETS; i++)
		if (s <= stats_commit_le(i))
			st->commit_le[i]++;
	st->commit_s_sum += s;
}

/* Wall-clock time, Unix seconds with sub-second part. */
double hub_now(void);
/* Format t (Unix seconds) as "2026-11-21T15:00:00Z" (or with .mmm when
 * ms is non-zero) into buf; returns buf. */
char *hub_iso(double t, char *buf, size_t len, int ms);
/* Parse ISO-8601 or Unix seconds (eco/isotime.h).  Returns 0 and *t, or -1. */
static inline int hub_parse_time(const char *s, double *t)
{
	return isotime_parse(s, t);
}

#endif
