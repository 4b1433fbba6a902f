/*
 * participant.h — participants and their consents.
 */
#ifndef MLAB_PARTICIPANT_H
#define MLAB_PARTICIPANT_H

#include <stdint.h>

struct hub;
struct api_req;
struct api_resp;
struct cJSON;

/* Register the /api/participants routes (check-in, list, get, export, erase)
 * (part_init).  0 or -1. */
int participant_init(struct hub *h);

/* The participant rows matching (id, session) as JSON objects appended
 * to arr; full = with personal fields (staff only). */
void participant_list_json(struct hub *h, struct cJSON *arr, int64_t id, int64_t session,
		       long limit);

#endif
