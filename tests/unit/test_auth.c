/*
 * test_auth.c — accounts and logins without HTTP: SHA-256 against the
 * FIPS 180-4 examples, `mlab-hub user …` on a real temporary SQLite file
 * (passwords fed on stdin), argon2id checks, cookie parsing, the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/api.h"
#include "auth/account.h"
#include "auth/auth.h"
#include "auth/sha256.h"
#include "core/conf.h"
#include "core/hub.h"
#include "store/store.h"
#include "t.h"

static char dir[] = "/tmp/test_auth-XXXXXX";

static void hexs(const unsigned char *d, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

TEST(sha256_vectors)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	unsigned char d[32];
	char hx[65];
	char *million = malloc(1000000);

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256_sum(v[i].in, strlen(v[i].in), d);
		hexs(d, hx);
		CHECK_STR(hx, v[i].out);
	}
	/* one million 'a' (crosses every padding case on the way) */
	memset(million, 'a', 1000000);
	sha256_sum(million, 1000000, d);
	hexs(d, hx);
	CHECK_STR(hx, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* 55, 56, 63, 64 bytes: the padding boundaries */
	sha256_sum(million, 55, d);
	hexs(d, hx);
	CHECK_STR(hx, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	sha256_sum(million, 64, d);
	hexs(d, hx);
	CHECK_STR(hx, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	free(million);
}

/* Run `mlab-hub user argv…` with `input` on stdin. */
static int user_cmd(struct hub *h, const char *input, int argc, char **argv)
{
	char path[256];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/stdin", dir);
	f = fopen(path, "w");
	fputs(input, f);
	fclose(f);
	if (!freopen(path, "r", stdin))
		return -99;
	rc = account_command(h, argc, argv);
	return rc;
}

static struct hub *hub_new(const char *name)
{
	struct hub *h = calloc(1, sizeof(*h));
	char path[256];

	h->conf = conf_new();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (store_open(h, path)) {
		conf_free(h->conf);
		free(h);
		return NULL;
	}
	return h;
}

static void hub_free(struct hub *h)
{
	store_close(h);
	conf_free(h->conf);
	free(h);
}

TEST(user_command)
{
	struct hub *h = hub_new("users.db");
	char *add[] = { "add", "alice", "--role", "admin" };
	char *add_bad[] = { "add", "bob", "--role", "root" };
	char *passwd[] = { "passwd", "alice" };
	char *del[] = { "del", "alice" };
	char *list[] = { "list" };
	char *nothing[] = { "frobnicate", "x" };
	int64_t id = 0;
	int role = 0;

	CHECK(h != NULL);
	if (!h)
		return;
	CHECK(user_cmd(h, "short\n", 4, add) == 1);
	CHECK(user_cmd(h, "long enough\n", 4, add_bad) == 2);
	CHECK(user_cmd(h, "", 4, add) == 1);			/* no password at all */
	CHECK(user_cmd(h, "long enough\r\n", 4, add) == 0);	/* CRLF stripped */
	CHECK(user_cmd(h, "long enough\n", 4, add) == 1);	/* exists */
	CHECK(auth_check_password(h, "alice", "long enough", &id, &role) == 0);
	CHECK(role == ROLE_ADMIN && id > 0);
	CHECK(auth_check_password(h, "alice", "long enough\r", &id, &role) == -1);
	CHECK(auth_check_password(h, "alice", "", &id, &role) == -1);
	CHECK(auth_check_password(h, "nobody", "long enough", &id, &role) == -1);
	CHECK(user_cmd(h, "another one\n", 2, passwd) == 0);
	CHECK(auth_check_password(h, "alice", "long enough", &id, &role) == -1);
	CHECK(auth_check_password(h, "alice", "another one", &id, &role) == 0);
	CHECK(user_cmd(h, "", 1, list) == 0);
	CHECK(user_cmd(h, "", 2, nothing) == 2);
	CHECK(user_cmd(h, "", 2, del) == 0);
	CHECK(user_cmd(h, "", 2, del) == 1);
	CHECK(auth_check_password(h, "alice", "another one", &id, &role) == -1);
	hub_free(h);
}

TEST(identify_and_audit)
{
	struct hub *h = hub_new("identify.db");
	struct api_req req;
	sqlite3_stmt *st;
	static const char q[] = "SELECT user, action, object, detail FROM audit ORDER BY id DESC LIMIT 1";

	CHECK(h != NULL);
	if (!h)
		return;
	memset(&req, 0, sizeof(req));
	req.h = h;
	req.cookie = "theme=dark; mlab_session=0000000000000000000000000000000000000000000000000000000000000000";
	auth_identify(&req);
	CHECK(req.role == ROLE_NONE);
	req.cookie = "mlab_session=' OR 1=1 --";
	auth_identify(&req);
	CHECK(req.role == ROLE_NONE);
	CHECK(auth_role_of_cookie(h, "") == ROLE_NONE);
	CHECK(auth_role_of_cookie(h, NULL) == ROLE_NONE);
	snprintf(req.user, sizeof(req.user), "fa");
	api_audit(&req, "session.open", "session/1", "school");
	CHECK(store_flush(h) == 0);
	st = store_stmt(h, q);
	CHECK(st && sqlite3_step(st) == SQLITE_ROW);
	if (st) {
		CHECK_STR((const char *)sqlite3_column_text(st, 0), "fa");
		CHECK_STR((const char *)sqlite3_column_text(st, 1), "session.open");
		CHECK_STR((const char *)sqlite3_column_text(st, 2), "session/1");
		CHECK_STR((const char *)sqlite3_column_text(st, 3), "school");
		sqlite3_reset(st);
	}
	CHECK_STR(auth_role_name(ROLE_KIOSK), "kiosk");
	CHECK_STR(auth_role_name(ROLE_ADMIN), "admin");
	CHECK_STR(auth_role_name(7), "none");
	hub_free(h);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(sha256_vectors);
	RUN(user_command);
	RUN(identify_and_audit);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done();
}
