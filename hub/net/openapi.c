/*
 * openapi.c — GET /api/openapi.json: the OpenAPI 3 description of every
 * route, public.
 *
 * The description is hub/net/openapi.json, written by hand and compiled
 * in (the Makefile turns it into build/gen/openapi_json.h), so the binary and
 * the description it serves always go together.  It cannot drift from the
 * route tables unnoticed: tests/int/openapi.mjs fails when a route that
 * `mlab-hub routes` prints is not described, when a described one is not
 * served, when their roles (x-mlab-role) differ, or when a real answer
 * does not match its schema.
 */
#include <string.h>

#include "net/api.h"
#include "net/openapi.h"
#include "openapi_json.h"	/* build/gen: openapi_json[], NUL-terminated */

static int get_openapi(struct api_req *req, struct api_resp *resp)
{
	resp->status = 200;
	api_write(resp, (const char *)openapi_json, sizeof(openapi_json) - 1);
	return 0;
}

static const struct api_route openapi_routes[] = {
	{ "GET", "/api/openapi.json", ROLE_NONE, get_openapi },
	{ NULL, NULL, 0, NULL },
};

int openapi_init(struct hub *h)
{
	return api_register(h, openapi_routes);
}
