/*
 * privacy.h — the retention purge.
 */
#ifndef MLAB_PRIVACY_H
#define MLAB_PRIVACY_H

struct hub;
struct api_req;
struct api_resp;

/* Register POST /api/purge (admin) (part_init).  0 or -1. */
int privacy_init(struct hub *h);

/* The retention purge (see part_purge in part.h).  Returns how many
 * participants were purged, or -1. */
int privacy_purge(struct hub *h, double now);

/* `mlab-hub purge [--now ISO-8601]`: the process exit code. */
int privacy_command(struct hub *h, int argc, char **argv);

#endif
