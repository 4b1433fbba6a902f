/*
 * auth.h — accounts, roles, login sessions and the audit log.
 */
#ifndef MLAB_AUTH_H
#define MLAB_AUTH_H

#include <stddef.h>
#include <stdint.h>

struct hub;
struct api_req;

/* Register the auth routes and hooks (identify API callers and WebSocket
 * clients).  0 or -1. */
int auth_init(struct hub *h);

/* Log that an authenticated user did something (the audit log). */
void api_audit(struct api_req *req, const char *action, const char *object,
	       const char *detail);

/* Fill req->role / user / user_id from the request's session cookie
 * (ROLE_NONE when there is none or it expired). */
void auth_identify(struct api_req *req);

/* Role of the WebSocket client whose Cookie header is `cookie`. */
int auth_role_of_cookie(struct hub *h, const char *cookie);

/* Check user's password (argon2id).  0 and *id, *role when it matches an
 * enabled account; -1 otherwise (same cost whether the user exists). */
int auth_check_password(struct hub *h, const char *user, const char *password,
			int64_t *id, int *role);

/* Append a line to the audit log (inside the open group transaction; the
 * caller's store_flush() commits it).  who: the account or "cli", "gpio"…
 * object/detail may be NULL and never carry personal data. */
void auth_audit(struct hub *h, const char *who, const char *action,
		const char *object, const char *detail);

/* The hex SHA-256 of a session token: what auth_sessions keeps. */
void auth_token_hash(const char *token, char out[65]);

/* "admin", "facilitator", "kiosk" or "none" for a ROLE_*. */
const char *auth_role_name(int role);

/* The ROLE_* named "admin", "facilitator" or "kiosk"; ROLE_NONE for
 * anything else (NULL too). */
int auth_role_parse(const char *s);

/* 1 when s is a valid account name: 1–64 of [A-Za-z0-9._@-]. */
int auth_name_ok(const char *s);

/* The argon2id encoding of password (malloc'd, caller frees), or NULL. */
char *auth_password_hash(const char *password);

#endif
