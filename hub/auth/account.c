/*
 * account.c — staff accounts: the admin's /api/users routes and the
 * `mlab-hub user …` command line.  Passwords are hashed by auth.c; the
 * routes are registered here (account_init), not by auth.c, so that the
 * two files include each other one way: account.c → auth.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "net/args.h"
#include "auth/account.h"
#include "auth/auth.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "store/store.h"
#include "net/ws.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024

static int count_admins(struct hub *h)
{
	static const char q[] = "SELECT count(*) FROM users WHERE role='admin' AND disabled=0";
	sqlite3_stmt *st = store_stmt(h, q);
	int n = 0;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	if (st)
		sqlite3_reset(st);
	return n;
}

/* The users as a JSON array (caller owns it). */
static cJSON *users_json(struct hub *h)
{
	static const char q[] = "SELECT name, role, created_at, disabled FROM users ORDER BY name";
	sqlite3_stmt *st = store_stmt(h, q);
	cJSON *arr = cJSON_CreateArray();
	char iso[40];

	while (st && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *u = cJSON_CreateObject();

		cJSON_AddStringToObject(u, "name", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(u, "role", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(u, "created_at",
					hub_iso(sqlite3_column_double(st, 2), iso, sizeof(iso), 0));
		cJSON_AddBoolToObject(u, "disabled", sqlite3_column_int(st, 3));
		cJSON_AddItemToArray(arr, u);
	}
	if (st)
		sqlite3_reset(st);
	return arr;
}

static int account_get_all(struct api_req *req, struct api_resp *resp)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "users", users_json(req->h));
	return api_json(resp, 200, o);
}

static void user_changed(struct hub *h, const char *event, const char *name, const char *role)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddStringToObject(o, "name", name);
	if (role)
		cJSON_AddStringToObject(o, "role", role);
	ws_broadcast(h, "user", o, WS_STAFF);
}

/* POST /api/users {"name","password","role"} → 201 {"name","role"}. */
static int account_post(struct api_req *req, struct api_resp *resp)
{
	static const char ins[] =
		"INSERT INTO users(name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)";
	const char *name = args_string(req->json, "name");
	const char *password = args_string(req->json, "password");
	const char *role = args_string(req->json, "role");
	sqlite3_stmt *st;
	char *hash;
	int rc;
	cJSON *o;

	if (!name || !auth_name_ok(name))
		return api_error(resp, 400, "name: 1 to 64 of letters, digits and ._@-");
	if (!role || auth_role_parse(role) == ROLE_NONE)
		return api_error(resp, 400, "role: admin, facilitator or kiosk");
	if (!password || strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX)
		return api_error(resp, 400, "password: %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
	if (!(hash = auth_password_hash(password)))
		return api_error(resp, 500, "cannot hash the password");
	if (!(st = store_stmt(req->h, ins))) {
		free(hash);
		return api_error(resp, 500, "database error");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 4, hub_now());
	rc = store_exec(req->h, st);
	free(hash);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return api_error(resp, 409, "user %s already exists", name);
	if (rc != SQLITE_DONE)
		return api_error(resp, 500, "database error");
	api_audit(req, "user.add", name, role);
	if (args_commit(req, resp))
		return 0;
	user_changed(req->h, "added", name, role);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "role", role);
	return api_json(resp, 201, o);
}

/* The role of user name, ROLE_NONE if there is no such user. */
static int user_role(struct hub *h, const char *name, int *disabled)
{
	static const char q[] = "SELECT role, disabled FROM users WHERE name=?1";
	sqlite3_stmt *st = store_stmt(h, q);
	int role = ROLE_NONE;

	if (!st)
		return ROLE_NONE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		role = auth_role_parse((const char *)sqlite3_column_text(st, 0));
		if (disabled)
			*disabled = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return role;
}

/* PATCH /api/users/{name} {"role"?, "password"?, "disabled"?}.  A new
 * password or role, or disabling, ends the user's logins. */
static int account_patch(struct api_req *req, struct api_resp *resp)
{
	static const char upd[] =
		"UPDATE users SET role=coalesce(?2, role), hash=coalesce(?3, hash),"
		" disabled=coalesce(?4, disabled) WHERE name=?1";
	static const char kill[] =
		"DELETE FROM auth_sessions WHERE user_id=(SELECT id FROM users WHERE name=?1)";
	const char *name = req->params[0];
	const char *role = args_string(req->json, "role");
	const char *password = args_string(req->json, "password");
	cJSON *dis = req->json ? cJSON_GetObjectItemCaseSensitive(req->json, "disabled") : NULL;
	int cur, was_disabled = 0;
	char *hash = NULL;
	sqlite3_stmt *st;

	if (!req->json || !cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if ((cur = user_role(req->h, name, &was_disabled)) == ROLE_NONE)
		return api_error(resp, 404, "no such user");
	if (cJSON_GetObjectItemCaseSensitive(req->json, "role") && (!role || auth_role_parse(role) == ROLE_NONE))
		return api_error(resp, 400, "role: admin, facilitator or kiosk");
	if (dis && !cJSON_IsBool(dis))
		return api_error(resp, 400, "disabled: true or false");
	if (cJSON_GetObjectItemCaseSensitive(req->json, "password") &&
	    (!password || strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX))
		return api_error(resp, 400, "password: %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
	if (cur == ROLE_ADMIN && !was_disabled && count_admins(req->h) <= 1 &&
	    ((role && auth_role_parse(role) != ROLE_ADMIN) || cJSON_IsTrue(dis)))
		return api_error(resp, 409, "%s is the last admin", name);
	if (password && !(hash = auth_password_hash(password)))
		return api_error(resp, 500, "cannot hash the password");
	if (!(st = store_stmt(req->h, upd))) {
		free(hash);
		return api_error(resp, 500, "database error");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (role)
		sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
	if (hash)
		sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
	if (dis)
		sqlite3_bind_int(st, 4, cJSON_IsTrue(dis));
	store_exec(req->h, st);
	free(hash);
	hash = NULL;
	if (role || password || cJSON_IsTrue(dis)) {
		if ((st = store_stmt(req->h, kill))) {
			sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
			store_exec(req->h, st);
		}
	}
	api_audit(req, "user.change", name, password ? (role ? "role, password" : "password") :
		  role ? "role" : dis ? (cJSON_IsTrue(dis) ? "disabled" : "enabled") : "nothing");
	if (args_commit(req, resp))
		return 0;
	user_changed(req->h, "changed", name, role ? role : auth_role_name(cur));
	{
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddStringToObject(o, "role", role ? role : auth_role_name(cur));
		return api_json(resp, 200, o);
	}
}

/* DELETE /api/users/{name}: the account and its logins go (its audit
 * lines stay, naming it). */
static int account_delete(struct api_req *req, struct api_resp *resp)
{
	static const char del[] = "DELETE FROM users WHERE name=?1";
	const char *name = req->params[0];
	int cur, disabled = 0;
	sqlite3_stmt *st;

	if ((cur = user_role(req->h, name, &disabled)) == ROLE_NONE)
		return api_error(resp, 404, "no such user");
	if (cur == ROLE_ADMIN && !disabled && count_admins(req->h) <= 1)
		return api_error(resp, 409, "%s is the last admin", name);
	if (!(st = store_stmt(req->h, del)))
		return api_error(resp, 500, "database error");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (store_exec(req->h, st) != SQLITE_DONE)
		return api_error(resp, 500, "database error");
	api_audit(req, "user.delete", name, NULL);
	if (args_commit(req, resp))
		return 0;
	user_changed(req->h, "deleted", name, NULL);
	return api_json(resp, 200, cJSON_CreateObject());
}

static int account_password_self(struct api_req *req, struct api_resp *resp)
{
	static const char upd[] = "UPDATE users SET hash=?2 WHERE id=?1";
	static const char kill[] = "DELETE FROM auth_sessions WHERE user_id=?1 AND token_hash<>?2";
	const char *current = args_string(req->json, "current");
	const char *password = args_string(req->json, "password");
	char thx[65];
	int64_t id = 0;
	int role;
	char *hash;
	sqlite3_stmt *st;

	if (!current || !password)
		return api_error(resp, 400, "current and password are required");
	if (strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX)
		return api_error(resp, 400, "password: %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
	if (auth_check_password(req->h, req->user, current, &id, &role) || id != req->user_id)
		return api_error(resp, 403, "the current password is wrong");
	if (!(hash = auth_password_hash(password)))
		return api_error(resp, 500, "cannot hash the password");
	if (!(st = store_stmt(req->h, upd))) {
		free(hash);
		return api_error(resp, 500, "database error");
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, hash, -1, free);
	if (store_exec(req->h, st) != SQLITE_DONE)
		return api_error(resp, 500, "database error");
	auth_token_hash(req->session_token, thx);
	if ((st = store_stmt(req->h, kill))) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, thx, -1, SQLITE_TRANSIENT);
		store_exec(req->h, st);
	}
	api_audit(req, "user.change", req->user, "own password");
	if (args_commit(req, resp))
		return 0;
	return api_json(resp, 200, cJSON_CreateObject());
}

/* ---- the command line: mlab-hub user … -------------------------------- */

/* Read one line (the password) from stdin, without echo on a terminal.
 * Returns a malloc'd string (caller frees) or NULL. */
static char *read_password(void)
{
	struct termios old, quiet;
	int tty = isatty(0) && tcgetattr(0, &old) == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int cli_usage(void)
{
	fprintf(stderr, "usage: mlab-hub user add NAME [--role admin|facilitator|kiosk]  (password on stdin)\n"
		"       mlab-hub user passwd NAME                                 (password on stdin)\n"
		"       mlab-hub user del NAME\n"
		"       mlab-hub user list\n");
	return 2;
}

/* Read and check a new password from stdin; NULL after saying why. */
static char *cli_password(void)
{
	char *pw = read_password();

	if (!pw) {
		fprintf(stderr, "mlab-hub user: no password on standard input\n");
		return NULL;
	}
	if (strlen(pw) < PASSWORD_MIN || strlen(pw) > PASSWORD_MAX) {
		fprintf(stderr, "mlab-hub user: the password must have %d to %d characters\n",
			PASSWORD_MIN, PASSWORD_MAX);
		free(pw);
		return NULL;
	}
	return pw;
}

int account_command(struct hub *h, int argc, char **argv)
{
	static const char ins[] =
		"INSERT INTO users(name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)";
	static const char upd[] = "UPDATE users SET hash=?2 WHERE name=?1";
	static const char kill[] =
		"DELETE FROM auth_sessions WHERE user_id=(SELECT id FROM users WHERE name=?1)";
	static const char del[] = "DELETE FROM users WHERE name=?1";
	const char *cmd = argc > 0 ? argv[0] : "", *name = NULL, *role = "facilitator";
	sqlite3_stmt *st;
	char *pw, *hash;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role = argv[++i];
		else if (!strncmp(argv[i], "--role=", 7))
			role = argv[i] + 7;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return cli_usage();
	}
	if (!strcmp(cmd, "list")) {
		cJSON *arr = users_json(h), *u;

		cJSON_ArrayForEach(u, arr)
			printf("%-24s %-12s %s%s\n", cJSON_GetObjectItem(u, "name")->valuestring,
			       cJSON_GetObjectItem(u, "role")->valuestring,
			       cJSON_GetObjectItem(u, "created_at")->valuestring,
			       cJSON_IsTrue(cJSON_GetObjectItem(u, "disabled")) ? " disabled" : "");
		cJSON_Delete(arr);
		return 0;
	}
	if (!name || (strcmp(cmd, "add") && strcmp(cmd, "passwd") && strcmp(cmd, "del")))
		return cli_usage();
	if (!auth_name_ok(name)) {
		fprintf(stderr, "mlab-hub user: '%s': names are 1 to 64 of letters, digits and ._@-\n", name);
		return 2;
	}
	if (!strcmp(cmd, "add") && auth_role_parse(role) == ROLE_NONE) {
		fprintf(stderr, "mlab-hub user: --role must be admin, facilitator or kiosk\n");
		return 2;
	}
	if (strcmp(cmd, "add") && user_role(h, name, NULL) == ROLE_NONE) {
		fprintf(stderr, "mlab-hub user: no user %s\n", name);
		return 1;
	}
	if (!strcmp(cmd, "del")) {
		if (!(st = store_stmt(h, del)))
			return 1;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		store_exec(h, st);
		auth_audit(h, "cli", "user.delete", name, NULL);
		if (store_flush(h))
			return 1;
		printf("user %s deleted\n", name);
		return 0;
	}
	if (!strcmp(cmd, "add") && user_role(h, name, NULL) != ROLE_NONE) {
		fprintf(stderr, "mlab-hub user: %s already exists (use passwd)\n", name);
		return 1;
	}
	if (!(pw = cli_password()))
		return 1;
	hash = auth_password_hash(pw);
	free(pw);
	if (!hash)
		return 1;
	st = store_stmt(h, !strcmp(cmd, "add") ? ins : upd);
	if (!st) {
		free(hash);
		return 1;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (!strcmp(cmd, "add")) {
		sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 4, hub_now());
	} else {
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	}
	rc = store_exec(h, st);
	free(hash);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "mlab-hub user: cannot store %s\n", name);
		return 1;
	}
	if (!strcmp(cmd, "passwd") && (st = store_stmt(h, kill))) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		store_exec(h, st);
	}
	auth_audit(h, "cli", !strcmp(cmd, "add") ? "user.add" : "user.passwd", name,
		   !strcmp(cmd, "add") ? role : NULL);
	if (store_flush(h))
		return 1;
	if (!strcmp(cmd, "add"))
		printf("user %s added (%s)\n", name, role);
	else
		printf("password of %s changed; its logins ended\n", name);
	return 0;
}


static const struct api_route account_routes[] = {
	{ "POST", "/api/me/password", ROLE_FACILITATOR, account_password_self },
	{ "GET", "/api/users", ROLE_ADMIN, account_get_all },
	{ "POST", "/api/users", ROLE_ADMIN, account_post },
	{ "PATCH", "/api/users/*", ROLE_ADMIN, account_patch },
	{ "DELETE", "/api/users/*", ROLE_ADMIN, account_delete },
	{ NULL, NULL, 0, NULL },
};

int account_init(struct hub *h)
{
	return api_register(h, account_routes);
}
