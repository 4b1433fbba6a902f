/*
 * account.h — staff accounts (admin routes and the command line).
 */
#ifndef MLAB_ACCOUNT_H
#define MLAB_ACCOUNT_H

struct hub;
struct api_req;
struct api_resp;

/* GET /api/users, POST /api/users, PATCH and DELETE /api/users/{name}
 * (admin; the route table is auth.c's). */
int account_get_all(struct api_req *req, struct api_resp *resp);
int account_post(struct api_req *req, struct api_resp *resp);
int account_patch(struct api_req *req, struct api_resp *resp);
int account_delete(struct api_req *req, struct api_resp *resp);

/* POST /api/me/password {"current","password"} (staff): one's own
 * password; one's other logins end, this one stays. */
int account_password_self(struct api_req *req, struct api_resp *resp);

/* `mlab-hub user add|passwd|del|list …` (argv after "user").
 * Returns the process exit code. */
int account_command(struct hub *h, int argc, char **argv);

#endif
