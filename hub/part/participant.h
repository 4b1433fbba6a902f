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

/* The participant rows matching (id, session) as JSON objects appended
 * to arr; full = with personal fields (staff only). */
void participant_list_json(struct hub *h, struct cJSON *arr, int64_t id, int64_t session,
		       long limit);

/* POST /api/participants: check a person (or a party) in.  The kiosk may
 * check in to the open session only and reads nothing back but the id. */
int participant_post(struct api_req *req, struct api_resp *resp);

/* GET /api/participants[?session_id=N][&limit=N] (staff). */
int participant_get_all(struct api_req *req, struct api_resp *resp);

int participant_get(struct api_req *req, struct api_resp *resp);

/* GET /api/participants/{id}/export: everything held about the person. */
int participant_get_export(struct api_req *req, struct api_resp *resp);

/* DELETE /api/participants/{id}: erase the personal fields; the
 * anonymous row (session, age band, party size) stays for the counts. */
int participant_delete(struct api_req *req, struct api_resp *resp);

#endif
