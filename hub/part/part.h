/*
 * part.h — participation: projects, sessions, participants,
 * contributions and ratings (each file serves its own routes; part_init
 * registers them).
 * These are the entry points other subsystems call.
 */
#ifndef MLAB_PART_H
#define MLAB_PART_H

#include <stdint.h>

struct hub;
struct device;
struct cJSON;

#define PART_PURGE_FIRST_MS 60000	/* the first purge, a minute after start */
#define PART_PURGE_EVERY_MS 3600000	/* then hourly */

/* Check the sessions, serve the routes, arm the hourly purge.  0 or -1. */
int part_init(struct hub *h);
void part_fini(struct hub *h);

/* Record an appreciation vote (value on a scale of 3 or 5) from a button
 * box or the GPIO box, tied to the open session if any.  source says
 * where it came from ("gpio:vote-happy", "button:z2m/boite").  0 or -1. */
int part_vote(struct hub *h, int value, int scale, const char *source);

/* Open a session if none is open, else close it.  0 or -1. */
int part_session_toggle(struct hub *h, const char *source);

/* 1 when a session is open. */
int part_session_open(struct hub *h);

/* A job on device d ended (state finished/failed/cancelled): a finished
 * print or scan on a device in use in the open session becomes a pending
 * contribution with the device and job as provenance. */
void part_job_ended(struct hub *h, struct device *d, int64_t job_id,
		    const char *state, double ts);

/* Add the participation part of a /ws snapshot for this audience
 * (WS_PUBLIC, WS_KIOSK, WS_STAFF) to snap. */
void part_ws_snapshot(struct hub *h, struct cJSON *snap, int audience);

/* The retention purge: participants whose last session ended more than
 * privacy.retention_months before `now` lose their personal fields
 * (name, email); the anonymous row stays.  Logged and audited as a count.
 * Commits.  Returns how many were purged, or -1.  Meant to run hourly. */
int part_purge(struct hub *h, double now);

/* `mlab-hub purge [--now ISO-8601]` (argv after "purge"), with the store
 * open.  Returns the process exit code. */
int part_purge_command(struct hub *h, int argc, char **argv);

#endif
