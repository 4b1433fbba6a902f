/*
 * auth.c — roles, login sessions and the audit log; accounts are in
 * account.c, SHA-256 in sha256.c.
 *
 * Passwords are hashed with argon2id (libargon2) at OWASP's minimum for a
 * small machine: 19 MiB, 2 passes, 1 lane — about a tenth of a second on
 * a Raspberry Pi 4, paid once per login.  Logging in gives a random
 * 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure under TLS);
 * the database keeps only SHA-256 of it (see auth_token_hash()).  Failed logins
 * are counted per peer address in login_failures, so the limit
 * (auth.max_attempts per auth.window_s) survives a restart, and per
 * account, where they add a growing delay (account_wait()).
 *
 * Roles are ordered admin > facilitator > kiosk; each route names the
 * least role it needs (api.h), and the kiosk's routes are few on purpose
 * (see docs/participation.md).  Every staff write lands in `audit`:
 * who, what, when, on which object — never personal data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>
#include <argon2.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "net/args.h"
#include "auth/auth.h"
#include "auth/sha256.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "store/store.h"
#include "net/ws.h"

#define HASH_T 2		/* argon2id passes */
#define HASH_M 19456		/* KiB: 19 MiB */
#define HASH_P 1
#define SALT_LEN 16
#define KEY_LEN 32
#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024
#define COOKIE "mlab_session"

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The stored form of a session token.  A token is 256 random bits, so
 * nobody can guess one from its hash: a fast hash is enough to keep a
 * copied database from yielding live cookies, and a slow one (argon2)
 * would cost a tenth of a second on every request. */
void auth_token_hash(const char *token, char out[65])
{
	unsigned char d[32];

	sha256_sum(token, strlen(token), d);
	hex(d, sizeof(d), out);
}

/* Fill buf with n bytes from the kernel's CSPRNG. 0 or -1 (logged). */
static int random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			LOG(L_ERR, "auth: getrandom: %s", strerror(errno));
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* ---- roles and names ------------------------------------------------- */

const char *auth_role_name(int role)
{
	switch (role) {
	case ROLE_ADMIN: return "admin";
	case ROLE_FACILITATOR: return "facilitator";
	case ROLE_KIOSK: return "kiosk";
	default: return "none";
	}
}

int auth_role_parse(const char *s)
{
	if (!s)
		return ROLE_NONE;
	if (!strcmp(s, "admin"))
		return ROLE_ADMIN;
	if (!strcmp(s, "facilitator"))
		return ROLE_FACILITATOR;
	if (!strcmp(s, "kiosk"))
		return ROLE_KIOSK;
	return ROLE_NONE;
}

/* Account names: 1–64 of [A-Za-z0-9._@-]. */
int auth_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._@-") == n;
}

/* ---- the audit log ----------------------------------------------------- */

void auth_audit(struct hub *h, const char *who, const char *action,
		const char *object, const char *detail)
{
	static const char ins[] =
		"INSERT INTO audit(ts, user, action, object, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st = h->store ? store_stmt(h, ins) : NULL;

	if (!st)
		return;
	sqlite3_bind_double(st, 1, hub_now());
	if (who && *who)
		sqlite3_bind_text(st, 2, who, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_TRANSIENT);
	if (object)
		sqlite3_bind_text(st, 4, object, -1, SQLITE_TRANSIENT);
	if (detail)
		sqlite3_bind_text(st, 5, detail, -1, SQLITE_TRANSIENT);
	store_exec(h, st);
	LOG(L_INFO, "audit: %s %s %s", who && *who ? who : "-", action, object ? object : "");
}

void api_audit(struct api_req *req, const char *action, const char *object,
	       const char *detail)
{
	auth_audit(req->h, req->user[0] ? req->user : "anonymous", action, object, detail);
}

/* ---- passwords ----------------------------------------------------------- */

/* Hash password into a malloc'd argon2id encoded string (caller frees),
 * or NULL (logged). */
char *auth_password_hash(const char *password)
{
	unsigned char salt[SALT_LEN];
	size_t len = argon2_encodedlen(HASH_T, HASH_M, HASH_P, SALT_LEN, KEY_LEN, Argon2_id);
	char *enc = malloc(len);
	int rc;

	if (!enc || random_bytes(salt, sizeof(salt))) {
		free(enc);
		return NULL;
	}
	rc = argon2id_hash_encoded(HASH_T, HASH_M, HASH_P, password, strlen(password),
				   salt, sizeof(salt), KEY_LEN, enc, len);
	if (rc != ARGON2_OK) {
		LOG(L_ERR, "auth: argon2id: %s", argon2_error_message(rc));
		free(enc);
		return NULL;
	}
	return enc;
}

int auth_check_password(struct hub *h, const char *user, const char *password,
			int64_t *id, int *role)
{
	static const char q[] = "SELECT id, role, hash, disabled FROM users WHERE name=?1";
	/* verified against when the user does not exist, so that a wrong
	 * name costs as long as a wrong password (no user enumeration) */
	static const char dummy[] =
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
		"CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
	sqlite3_stmt *st = store_stmt(h, q);
	char *hash = NULL;
	int ok = 0, found = 0, disabled = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		*id = sqlite3_column_int64(st, 0);
		*role = auth_role_parse((const char *)sqlite3_column_text(st, 1));
		hash = strdup((const char *)sqlite3_column_text(st, 2));
		disabled = sqlite3_column_int(st, 3);
	}
	sqlite3_reset(st);
	ok = argon2id_verify(found && hash ? hash : dummy, password, strlen(password)) == ARGON2_OK;
	free(hash);
	return found && ok && !disabled ? 0 : -1;
}

/* ---- who is asking ------------------------------------------------------- */

/* Find our cookie's value in a Cookie header: a 64-hex-digit token into
 * out.  0 found, -1 not. */
static int cookie_token(const char *cookie, char out[65])
{
	const char *p = cookie;
	size_t nl = strlen(COOKIE);

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!strncmp(p, COOKIE, nl) && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t n = strcspn(v, "; ");

			if (n == 64 && strspn(v, "0123456789abcdef") >= 64) {
				memcpy(out, v, 64);
				out[64] = '\0';
				return 0;
			}
		}
		p = strchr(p, ';');
	}
	return -1;
}

/* Look a token up.  Fills id/name/role when the session is live.  0 or -1. */
static int session_lookup(struct hub *h, const char *token, int64_t *id,
			  char *name, size_t nlen, int *role)
{
	static const char q[] =
		"SELECT u.id, u.name, u.role FROM auth_sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.token_hash=?1 AND s.expires_at > ?2 AND u.disabled = 0";
	sqlite3_stmt *st;
	char th[65];
	int rc = -1;

	if (!h->store || !(st = store_stmt(h, q)))
		return -1;
	auth_token_hash(token, th);
	sqlite3_bind_text(st, 1, th, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, hub_now());
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(name, nlen, "%s", (const char *)sqlite3_column_text(st, 1));
		*role = auth_role_parse((const char *)sqlite3_column_text(st, 2));
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

void auth_identify(struct api_req *req)
{
	char token[65];

	req->role = ROLE_NONE;
	req->user_id = 0;
	req->user[0] = '\0';
	req->session_token[0] = '\0';
	if (!req->cookie || cookie_token(req->cookie, token))
		return;
	if (session_lookup(req->h, token, &req->user_id, req->user, sizeof(req->user),
			   &req->role) == 0)
		snprintf(req->session_token, sizeof(req->session_token), "%s", token);
	else
		req->role = ROLE_NONE;
}

int auth_role_of_cookie(struct hub *h, const char *cookie)
{
	char token[65], name[64];
	int64_t id;
	int role = ROLE_NONE;

	if (!cookie || cookie_token(cookie, token) ||
	    session_lookup(h, token, &id, name, sizeof(name), &role))
		return ROLE_NONE;
	return role;
}

/* ---- HTTP: login, logout, me ------------------------------------------ */

/* How many failed logins from this peer within the window. */
static long failures(struct hub *h, const char *peer, double since)
{
	static const char q[] = "SELECT count(*) FROM login_failures WHERE peer=?1 AND at > ?2";
	sqlite3_stmt *st = store_stmt(h, q);
	long n = 0;

	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, since);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* The per-account limit: after auth.account_free failures on one account
 * within the window, from whatever addresses, each further try on it
 * waits twice as long as the one before (capped at auth.account_delay_s)
 * after the last failure.  A delay, never a lock-out: the right password
 * still works once it has passed, from any address, so guessing from many
 * addresses slows down without keeping the real admin out.  The failures
 * share login_failures with the per-address ones, under "user:NAME".
 * Returns the seconds still to wait, 0 when the try may go ahead. */
static long account_wait(struct hub *h, const char *key, double now, long window)
{
	static const char q[] =
		"SELECT count(*), max(at) FROM login_failures WHERE peer=?1 AND at > ?2";
	sqlite3_stmt *st = store_stmt(h, q);
	long n = 0, free_tries = conf_int(h->conf, "auth.account_free");
	long cap = conf_int(h->conf, "auth.account_delay_s"), delay;
	double last = 0;

	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, now - (double)window);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		last = sqlite3_column_double(st, 1);
	}
	sqlite3_reset(st);
	if (n < free_tries)
		return 0;
	delay = n - free_tries >= 16 ? cap : 1L << (n - free_tries);
	if (delay > cap)
		delay = cap;
	return last + (double)delay > now ? (long)(last + (double)delay - now) + 1 : 0;
}

/* POST /api/login {"user","password"}: 200 {"user","role"} + cookie,
 * 400 malformed, 401 wrong, 429 too many failures from this address. */
static int post_login(struct api_req *req, struct api_resp *resp)
{
	static const char ins_fail[] = "INSERT INTO login_failures(peer, at) VALUES (?1, ?2)";
	static const char del_old[] = "DELETE FROM login_failures WHERE at <= ?1";
	static const char del_ok[] = "DELETE FROM login_failures WHERE peer=?1";
	static const char del_exp[] = "DELETE FROM auth_sessions WHERE expires_at <= ?1";
	static const char ins_sess[] =
		"INSERT INTO auth_sessions(token_hash, user_id, created_at, expires_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	struct hub *h = req->h;
	const char *user = args_string(req->json, "user");
	const char *password = args_string(req->json, "password");
	long window = conf_int(h->conf, "auth.window_s");
	long max = conf_int(h->conf, "auth.max_attempts");
	double now = hub_now(), life = (double)conf_int(h->conf, "auth.session_hours") * 3600.0;
	unsigned char raw[32];
	char token[65], th[65], cookie[256], age[32], key[80];
	long wait;
	sqlite3_stmt *st;
	int64_t id = 0;
	int role = ROLE_NONE;
	cJSON *o;

	if (!user || !*user || strlen(user) > 64)
		return api_error(resp, 400, "user: a string of 1 to 64 characters is required");
	if (!password || strlen(password) > PASSWORD_MAX)
		return api_error(resp, 400, "password: a string is required");
	if (failures(h, req->peer, now - (double)window) >= max) {
		snprintf(age, sizeof(age), "%ld", window);
		api_header(resp, "Retry-After", age);
		return api_error(resp, 429, "too many failed logins from this address; wait %ld s",
				 window);
	}
	snprintf(key, sizeof(key), "user:%s", user);
	if ((wait = account_wait(h, key, now, window)) > 0) {
		snprintf(age, sizeof(age), "%ld", wait);
		api_header(resp, "Retry-After", age);
		return api_error(resp, 429, "too many failed logins for this account; wait %ld s",
				 wait);
	}
	if (auth_check_password(h, user, password, &id, &role)) {
		if ((st = store_stmt(h, del_old))) {
			sqlite3_bind_double(st, 1, now - (double)window);
			store_exec(h, st);
		}
		for (int i = 0; i < 2; i++)	/* this address, this account */
			if ((st = store_stmt(h, ins_fail))) {
				sqlite3_bind_text(st, 1, i ? key : req->peer, -1, SQLITE_TRANSIENT);
				sqlite3_bind_double(st, 2, now);
				store_exec(h, st);
			}
		store_flush(h);
		LOG(L_NOTICE, "auth: failed login from %s", req->peer);
		return api_error(resp, 401, "wrong user name or password");
	}
	if (random_bytes(raw, sizeof(raw)))
		return api_error(resp, 500, "no randomness available");
	hex(raw, sizeof(raw), token);
	auth_token_hash(token, th);
	if ((st = store_stmt(h, del_exp))) {
		sqlite3_bind_double(st, 1, now);
		store_exec(h, st);
	}
	for (int i = 0; i < 2; i++)
		if ((st = store_stmt(h, del_ok))) {
			sqlite3_bind_text(st, 1, i ? key : req->peer, -1, SQLITE_TRANSIENT);
			store_exec(h, st);
		}
	if (!(st = store_stmt(h, ins_sess)))
		return api_error(resp, 500, "database error");
	sqlite3_bind_text(st, 1, th, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_double(st, 3, now);
	sqlite3_bind_double(st, 4, now + life);
	if (store_exec(h, st) != SQLITE_DONE)
		return api_error(resp, 500, "database error");
	auth_audit(h, user, "auth.login", NULL, auth_role_name(role));
	if (args_commit(req, resp))
		return 0;
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%.0f%s",
		 token, life, req->tls ? "; Secure" : "");
	api_header(resp, "Set-Cookie", cookie);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "user", user);
	cJSON_AddStringToObject(o, "role", auth_role_name(role));
	return api_json(resp, 200, o);
}

/* POST /api/logout: forget this login (if any) and clear the cookie. */
static int post_logout(struct api_req *req, struct api_resp *resp)
{
	static const char del[] = "DELETE FROM auth_sessions WHERE token_hash=?1";
	char th[65], cookie[160];
	sqlite3_stmt *st;

	if (req->session_token[0] && (st = store_stmt(req->h, del))) {
		auth_token_hash(req->session_token, th);
		sqlite3_bind_text(st, 1, th, -1, SQLITE_TRANSIENT);
		store_exec(req->h, st);
		api_audit(req, "auth.logout", NULL, NULL);
		if (args_commit(req, resp))
			return 0;
	}
	snprintf(cookie, sizeof(cookie), COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0%s",
		 req->tls ? "; Secure" : "");
	api_header(resp, "Set-Cookie", cookie);
	return api_json(resp, 200, cJSON_CreateObject());
}

/* GET /api/me: who the cookie belongs to. */
static int get_me(struct api_req *req, struct api_resp *resp)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "user", req->user);
	cJSON_AddStringToObject(o, "role", auth_role_name(req->role));
	return api_json(resp, 200, o);
}

/* One audit row as a CSV line (ts,user,action,object,detail). */
static void audit_csv_row(struct api_resp *resp, sqlite3_stmt *st, const char *iso)
{
	api_csv(resp, iso, ',');
	for (int i = 2; i < 6; i++)
		api_csv(resp, (const char *)sqlite3_column_text(st, i), i == 5 ? '\n' : ',');
}

/* GET /api/audit?from=&to=&user=&action=&object=&limit=N[&format=csv]:
 * newest first.  action "user" matches user.add, user.change…; "user.add"
 * only itself. */
static int get_audit(struct api_req *req, struct api_resp *resp)
{
	static const char q[] =
		"SELECT id, ts, user, action, object, detail FROM audit"
		" WHERE ts >= ?1 AND ts <= ?2 AND (?3 IS NULL OR user = ?3)"
		" AND (?4 IS NULL OR action = ?4 OR instr(action, ?4 || '.') = 1)"
		" AND (?6 IS NULL OR object = ?6)"
		" ORDER BY id DESC LIMIT ?5";
	char user[80], action[80], object[128], fmt[16];
	int bad = 0, csv = 0;
	long limit = 500;
	double from = api_time_arg(req, "from", 0, &bad);
	double to = api_time_arg(req, "to", 1e15, &bad);
	sqlite3_stmt *st;
	cJSON *o = NULL, *arr = NULL;
	char iso[40];

	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	if (!api_query(req, "format", fmt, sizeof(fmt))) {
		if (strcmp(fmt, "csv") && strcmp(fmt, "json"))
			return api_error(resp, 400, "format must be json or csv");
		csv = !strcmp(fmt, "csv");
	}
	if (args_limit(req, resp, "limit", csv ? ARGS_LIMIT_MAX : 500, &limit))
		return 0;
	if (!(st = store_stmt(req->h, q)))
		return api_error(resp, 500, "database error");
	sqlite3_bind_double(st, 1, from);
	sqlite3_bind_double(st, 2, to);
	if (!api_query(req, "user", user, sizeof(user)) && user[0])
		sqlite3_bind_text(st, 3, user, -1, SQLITE_TRANSIENT);
	if (!api_query(req, "action", action, sizeof(action)) && action[0])
		sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, limit);
	if (!api_query(req, "object", object, sizeof(object)) && object[0])
		sqlite3_bind_text(st, 6, object, -1, SQLITE_TRANSIENT);
	if (csv) {
		resp->ctype = "text/csv; charset=utf-8";
		api_header(resp, "Content-Disposition", "attachment; filename=\"audit.csv\"");
		api_printf(resp, "ts,user,action,object,detail\r\n");
	} else {
		o = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(o, "audit");
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *a;

		hub_iso(sqlite3_column_double(st, 1), iso, sizeof(iso), 0);
		if (csv) {
			audit_csv_row(resp, st, iso);
			continue;
		}
		a = cJSON_CreateObject();
		cJSON_AddNumberToObject(a, "id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(a, "ts", iso);
		for (int i = 2; i < 6; i++) {
			static const char *const names[] = { "user", "action", "object", "detail" };

			if (sqlite3_column_type(st, i) == SQLITE_NULL)
				cJSON_AddNullToObject(a, names[i - 2]);
			else
				cJSON_AddStringToObject(a, names[i - 2],
							(const char *)sqlite3_column_text(st, i));
		}
		cJSON_AddItemToArray(arr, a);
	}
	sqlite3_reset(st);
	if (csv) {
		resp->status = 200;
		return 0;
	}
	return api_json(resp, 200, o);
}

static const struct api_route auth_routes[] = {
	{ "POST", "/api/login", ROLE_NONE, post_login },
	{ "POST", "/api/logout", ROLE_NONE, post_logout },
	{ "GET", "/api/me", ROLE_KIOSK, get_me },
	{ "GET", "/api/audit", ROLE_ADMIN, get_audit },
	{ NULL, NULL, 0, NULL },
};

int auth_init(struct hub *h)
{
	api_set_auth(h, auth_identify, auth_role_of_cookie);
	return api_register(h, auth_routes);
}
