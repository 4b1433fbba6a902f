/*
 * auth.c — accounts, roles, login sessions and the audit log.
 *
 * Passwords are hashed with argon2id (libargon2) at OWASP's minimum for a
 * small machine: 19 MiB, 2 passes, 1 lane — about a tenth of a second on
 * a Raspberry Pi 4, paid once per login.  Logging in gives a random
 * 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure under TLS);
 * the database keeps only SHA-256 of it (see token_hash()).  Failed logins
 * are counted per peer address in login_failures, so the limit
 * (auth.max_attempts per auth.window_s) survives a restart.
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
#include "auth/auth.h"
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

/* ---- SHA-256 (FIPS 180-4), for session tokens only ------------------- */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t hs[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = hs[0]; b = hs[1]; c = hs[2]; d = hs[3];
	e = hs[4]; f = hs[5]; g = hs[6]; hh = hs[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
			      ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
			      ((a & b) ^ (a & c) ^ (b & c));

		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	hs[0] += a; hs[1] += b; hs[2] += c; hs[3] += d;
	hs[4] += e; hs[5] += f; hs[6] += g; hs[7] += hh;
}

void auth_sha256(const void *data, size_t len, unsigned char out[32])
{
	uint32_t hs[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128];
	size_t rest = len % 64, n;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i + 64 <= len; i += 64)
		sha_block(hs, p + i);
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, p + len - rest, rest);
	tail[rest] = 0x80;
	n = rest + 9 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(hs, tail);
	if (n == 128)
		sha_block(hs, tail + 64);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(hs[i] >> 24);
		out[4 * i + 1] = (unsigned char)(hs[i] >> 16);
		out[4 * i + 2] = (unsigned char)(hs[i] >> 8);
		out[4 * i + 3] = (unsigned char)hs[i];
	}
}

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
static void token_hash(const char *token, char out[65])
{
	unsigned char d[32];

	auth_sha256(token, strlen(token), d);
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

static int role_parse(const char *s)
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
static int name_ok(const char *s)
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
static char *password_hash(const char *password)
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
		*role = role_parse((const char *)sqlite3_column_text(st, 1));
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
	token_hash(token, th);
	sqlite3_bind_text(st, 1, th, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, hub_now());
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(name, nlen, "%s", (const char *)sqlite3_column_text(st, 1));
		*role = role_parse((const char *)sqlite3_column_text(st, 2));
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

static const char *jstring(const cJSON *o, const char *name)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int commit(struct api_req *req, struct api_resp *resp)
{
	if (store_flush(req->h) == 0)
		return 0;
	api_error(resp, 503, "the database could not store this; try again");
	return -1;
}

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
	const char *user = jstring(req->json, "user");
	const char *password = jstring(req->json, "password");
	long window = conf_int(h->conf, "auth.window_s");
	long max = conf_int(h->conf, "auth.max_attempts");
	double now = hub_now(), life = (double)conf_int(h->conf, "auth.session_hours") * 3600.0;
	unsigned char raw[32];
	char token[65], th[65], cookie[256], age[32];
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
	if (auth_check_password(h, user, password, &id, &role)) {
		if ((st = store_stmt(h, del_old))) {
			sqlite3_bind_double(st, 1, now - (double)window);
			store_exec(h, st);
		}
		if ((st = store_stmt(h, ins_fail))) {
			sqlite3_bind_text(st, 1, req->peer, -1, SQLITE_TRANSIENT);
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
	token_hash(token, th);
	if ((st = store_stmt(h, del_exp))) {
		sqlite3_bind_double(st, 1, now);
		store_exec(h, st);
	}
	if ((st = store_stmt(h, del_ok))) {
		sqlite3_bind_text(st, 1, req->peer, -1, SQLITE_TRANSIENT);
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
	if (commit(req, resp))
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
		token_hash(req->session_token, th);
		sqlite3_bind_text(st, 1, th, -1, SQLITE_TRANSIENT);
		store_exec(req->h, st);
		api_audit(req, "auth.logout", NULL, NULL);
		if (commit(req, resp))
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

/* ---- HTTP: accounts (admin) ---------------------------------------------- */

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

static int get_users(struct api_req *req, struct api_resp *resp)
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
static int post_users(struct api_req *req, struct api_resp *resp)
{
	static const char ins[] =
		"INSERT INTO users(name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)";
	const char *name = jstring(req->json, "name");
	const char *password = jstring(req->json, "password");
	const char *role = jstring(req->json, "role");
	sqlite3_stmt *st;
	char *hash;
	int rc;
	cJSON *o;

	if (!name || !name_ok(name))
		return api_error(resp, 400, "name: 1 to 64 of letters, digits and ._@-");
	if (!role || role_parse(role) == ROLE_NONE)
		return api_error(resp, 400, "role: admin, facilitator or kiosk");
	if (!password || strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX)
		return api_error(resp, 400, "password: %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
	if (!(hash = password_hash(password)))
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
	if (commit(req, resp))
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
		role = role_parse((const char *)sqlite3_column_text(st, 0));
		if (disabled)
			*disabled = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return role;
}

/* PATCH /api/users/{name} {"role"?, "password"?, "disabled"?}.  A new
 * password or role, or disabling, ends the user's logins. */
static int patch_user(struct api_req *req, struct api_resp *resp)
{
	static const char upd[] =
		"UPDATE users SET role=coalesce(?2, role), hash=coalesce(?3, hash),"
		" disabled=coalesce(?4, disabled) WHERE name=?1";
	static const char kill[] =
		"DELETE FROM auth_sessions WHERE user_id=(SELECT id FROM users WHERE name=?1)";
	const char *name = req->params[0];
	const char *role = jstring(req->json, "role");
	const char *password = jstring(req->json, "password");
	cJSON *dis = req->json ? cJSON_GetObjectItemCaseSensitive(req->json, "disabled") : NULL;
	int cur, was_disabled = 0;
	char *hash = NULL;
	sqlite3_stmt *st;

	if (!req->json || !cJSON_IsObject(req->json))
		return api_error(resp, 400, "a JSON object is required");
	if ((cur = user_role(req->h, name, &was_disabled)) == ROLE_NONE)
		return api_error(resp, 404, "no such user");
	if (cJSON_GetObjectItemCaseSensitive(req->json, "role") && (!role || role_parse(role) == ROLE_NONE))
		return api_error(resp, 400, "role: admin, facilitator or kiosk");
	if (dis && !cJSON_IsBool(dis))
		return api_error(resp, 400, "disabled: true or false");
	if (cJSON_GetObjectItemCaseSensitive(req->json, "password") &&
	    (!password || strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX))
		return api_error(resp, 400, "password: %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
	if (cur == ROLE_ADMIN && !was_disabled && count_admins(req->h) <= 1 &&
	    ((role && role_parse(role) != ROLE_ADMIN) || cJSON_IsTrue(dis)))
		return api_error(resp, 409, "%s is the last admin", name);
	if (password && !(hash = password_hash(password)))
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
	if (commit(req, resp))
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
static int delete_user(struct api_req *req, struct api_resp *resp)
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
	if (commit(req, resp))
		return 0;
	user_changed(req->h, "deleted", name, NULL);
	return api_json(resp, 200, cJSON_CreateObject());
}

/* GET /api/audit?from=&to=&user=&action=&limit=N: newest first. */
static int get_audit(struct api_req *req, struct api_resp *resp)
{
	static const char q[] =
		"SELECT id, ts, user, action, object, detail FROM audit"
		" WHERE ts >= ?1 AND ts <= ?2 AND (?3 IS NULL OR user = ?3)"
		" AND (?4 IS NULL OR action = ?4) AND (?6 IS NULL OR object = ?6)"
		" ORDER BY id DESC LIMIT ?5";
	char user[80], action[80], lim[16], object[128];
	int bad = 0;
	long limit = 500;
	double from = api_time_arg(req, "from", 0, &bad);
	double to = api_time_arg(req, "to", 1e15, &bad);
	sqlite3_stmt *st;
	cJSON *o, *arr;
	char iso[40];

	if (bad)
		return api_error(resp, 400, "from/to must be ISO-8601 times or Unix seconds");
	if (!api_query(req, "limit", lim, sizeof(lim))) {
		char *end;

		limit = strtol(lim, &end, 10);
		if (*end || limit < 1 || limit > 100000)
			return api_error(resp, 400, "limit must be 1..100000");
	}
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
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "audit");
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *a = cJSON_CreateObject();

		cJSON_AddNumberToObject(a, "id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(a, "ts", hub_iso(sqlite3_column_double(st, 1), iso, sizeof(iso), 0));
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
	return api_json(resp, 200, o);
}

const struct api_route auth_routes[] = {
	{ "POST", "/api/login", ROLE_NONE, post_login },
	{ "POST", "/api/logout", ROLE_NONE, post_logout },
	{ "GET", "/api/me", ROLE_KIOSK, get_me },
	{ "GET", "/api/users", ROLE_ADMIN, get_users },
	{ "POST", "/api/users", ROLE_ADMIN, post_users },
	{ "PATCH", "/api/users/*", ROLE_ADMIN, patch_user },
	{ "DELETE", "/api/users/*", ROLE_ADMIN, delete_user },
	{ "GET", "/api/audit", ROLE_ADMIN, get_audit },
	{ NULL, NULL, 0, NULL },
};

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

int auth_user_command(struct hub *h, int argc, char **argv)
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
	if (!name_ok(name)) {
		fprintf(stderr, "mlab-hub user: '%s': names are 1 to 64 of letters, digits and ._@-\n", name);
		return 2;
	}
	if (!strcmp(cmd, "add") && role_parse(role) == ROLE_NONE) {
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
	hash = password_hash(pw);
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
