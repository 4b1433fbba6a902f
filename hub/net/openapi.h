/*
 * openapi.h — the API's own description, served at GET /api/openapi.json.
 */
#ifndef MLAB_OPENAPI_H
#define MLAB_OPENAPI_H

struct hub;

/* Serve GET /api/openapi.json (api_register).  0 or -1. */
int openapi_init(struct hub *h);

#endif
