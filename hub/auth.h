/*
 * auth.h — accounts, roles, login sessions and the audit log.
 */
#ifndef MLAB_AUTH_H
#define MLAB_AUTH_H

struct hub;
struct api_req;

/* Fill req->role / user / user_id from the request's session cookie
 * (ROLE_NONE when there is none or it expired). */
void auth_identify(struct api_req *req);

/* Role of the WebSocket client whose Cookie header is `cookie`. */
int auth_role_of_cookie(struct hub *h, const char *cookie);

/* `mlab-hub user add|passwd|del|list …` (argv after "user").
 * Returns the process exit code. */
int auth_user_command(struct hub *h, int argc, char **argv);

#endif
