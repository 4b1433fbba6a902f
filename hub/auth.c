/*
 * auth.c — accounts, roles and login sessions.  (Placeholder until the
 * participation work lands: nobody is logged in.)
 */
#include <stdio.h>

#include "api.h"
#include "auth.h"
#include "hub.h"
#include "log.h"

void auth_identify(struct api_req *req)
{
	req->role = ROLE_NONE;
}

int auth_role_of_cookie(struct hub *h, const char *cookie)
{
	return ROLE_NONE;
}

int auth_user_command(struct hub *h, int argc, char **argv)
{
	fprintf(stderr, "mlab-hub user: not available yet\n");
	return 2;
}

void api_audit(struct api_req *req, const char *action, const char *object,
	       const char *detail)
{
	LOG(L_INFO, "audit: %s %s %s", action, object, detail ? detail : "");
}

const struct api_route auth_routes[] = {
	{ NULL, NULL, 0, NULL },
};
