/*
 * account.h — staff accounts (admin routes and the command line).
 */
#ifndef MLAB_ACCOUNT_H
#define MLAB_ACCOUNT_H

struct hub;

/* Register the account routes: GET/POST /api/users, PATCH/DELETE
 * /api/users/{name} (admin) and POST /api/me/password (staff: one's own
 * password; one's other logins end, this one stays).  0 or -1. */
int account_init(struct hub *h);

/* `mlab-hub user add|passwd|del|list …` (argv after "user").
 * Returns the process exit code. */
int account_command(struct hub *h, int argc, char **argv);

#endif
