/*
 * test_args.c — net/args.c: the shared request-argument parsing (limits,
 * ids, JSON body members), and api_dispatch's rule for a handler that
 * fails without an error answer.  Pure: no store, no network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/hub.h"
#include "net/api.h"
#include "net/args.h"
#include "t.h"

/* A request with this query string; the response empty. */
static void req_init(struct api_req *req, struct api_resp *resp, const char *query)
{
	memset(req, 0, sizeof(*req));
	memset(resp, 0, sizeof(*resp));
	req->query = query;
}

/* Does resp hold a 400 whose body contains text? */
static int is_400(struct api_resp *resp, const char *text)
{
	int ok = resp->status == 400 && resp->body && strstr(resp->body, text);

	api_resp_free(resp);
	return ok;
}

TEST(limit_default_and_bounds)
{
	struct api_req req;
	struct api_resp resp;
	long n = -5;

	req_init(&req, &resp, "");
	CHECK(args_limit(&req, &resp, "limit", 1000, &n) == 0 && n == 1000);
	CHECK(resp.status == 0);
	req_init(&req, &resp, "limit=1");
	CHECK(args_limit(&req, &resp, "limit", 1000, &n) == 0 && n == 1);
	req_init(&req, &resp, "a=b&limit=100000");
	CHECK(args_limit(&req, &resp, "limit", 1000, &n) == 0 && n == 100000);
	api_resp_free(&resp);
}

TEST(limit_refused)
{
	static const char *const bad[] = {
		"limit=0", "limit=100001", "limit=-3", "limit=10abc", "limit=", "limit=1e3",
	};
	struct api_req req;
	struct api_resp resp;
	long n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req_init(&req, &resp, bad[i]);
		CHECK(args_limit(&req, &resp, "limit", 7, &n) == -1);
		CHECK(n == 7);
		CHECK(is_400(&resp, "limit must be 1..100000"));
	}
	req_init(&req, &resp, "max=0");
	CHECK(args_limit(&req, &resp, "max", 7, &n) == -1);
	CHECK(is_400(&resp, "max must be 1..100000"));
}

TEST(ids)
{
	struct api_req req;
	struct api_resp resp;
	int64_t id = 0;

	req_init(&req, &resp, "session_id=42&project_id=x");
	CHECK(args_query_id(&req, "session_id", &id) == 1 && id == 42);
	CHECK(args_query_id(&req, "project_id", &id) == -1);
	CHECK(args_query_id(&req, "other", &id) == 0);
	strcpy(req.params[0], "17");
	strcpy(req.params[1], "17a");
	req.nparams = 2;
	CHECK(args_path_id(&req, 0) == 17);
	CHECK(args_path_id(&req, 1) == 0);
	CHECK(args_path_id(&req, 2) == 0);
}

TEST(body_members)
{
	cJSON *o = cJSON_Parse("{\"t\":\"hello\",\"n\":3,\"f\":2.5,\"b\":true,"
			       "\"e\":\"family\",\"l\":[\"a\",\"b\"],\"d\":\"2026-02-30x\"}");
	static const char *const groups[] = { "walk-in", "family", NULL };
	struct api_resp resp;
	const char *s;
	const cJSON *list;
	long long n;
	int present, b;

	memset(&resp, 0, sizeof(resp));
	CHECK(args_str(&resp, o, "t", NULL, 10, 1, &s) == 0);
	CHECK_STR(s, "hello");
	CHECK(args_str(&resp, o, "t", NULL, 3, 0, &s) == -1);
	CHECK(is_400(&resp, "t is longer than 3 bytes"));
	CHECK(args_str(&resp, o, "missing", "the name", 10, 1, &s) == -1);
	CHECK(is_400(&resp, "the name is required"));
	CHECK(args_int(&resp, o, "n", NULL, 0, 5, &n, &present) == 0 && present && n == 3);
	CHECK(args_int(&resp, o, "f", NULL, 0, 5, &n, &present) == -1);
	CHECK(is_400(&resp, "f must be a whole number from 0 to 5"));
	CHECK(args_bool(&resp, o, "b", NULL, &b, &present) == 0 && present && b == 1);
	CHECK(args_enum(&resp, o, "e", NULL, groups, "walk-in", &s) == 0);
	CHECK_STR(s, "family");
	CHECK(args_enum(&resp, o, "t", NULL, groups, "walk-in", &s) == -1);
	CHECK(is_400(&resp, "t must be one of walk-in, family"));
	CHECK(args_str_list(&resp, o, "l", 5, &list) == 0 && cJSON_GetArraySize(list) == 2);
	CHECK(args_date(&resp, o, "d", &s) == -1);
	CHECK(is_400(&resp, "d is longer than 10 bytes"));
	CHECK_STR(args_string(o, "t"), "hello");
	CHECK(args_string(o, "n") == NULL);
	cJSON_Delete(o);
}

static int h_ok(struct api_req *req, struct api_resp *resp)
{
	(void)req;
	return api_json(resp, 200, NULL);
}

static int h_quiet_failure(struct api_req *req, struct api_resp *resp)
{
	(void)req;
	(void)resp;
	return -1;
}

static int h_answered_failure(struct api_req *req, struct api_resp *resp)
{
	(void)req;
	api_error(resp, 409, "taken");
	return -1;
}

static int h_failure_after_success(struct api_req *req, struct api_resp *resp)
{
	(void)req;
	api_json(resp, 201, NULL);
	return -1;	/* e.g. a later step failed */
}

static const struct api_route test_routes[] = {
	{ "GET", "/t/ok", ROLE_NONE, h_ok },
	{ "GET", "/t/quiet", ROLE_NONE, h_quiet_failure },
	{ "GET", "/t/answered", ROLE_NONE, h_answered_failure },
	{ "GET", "/t/after", ROLE_NONE, h_failure_after_success },
	{ NULL, NULL, 0, NULL },
};

TEST(failure_never_reads_as_success)
{
	static const struct { const char *path; int status; } cases[] = {
		{ "/t/ok", 200 }, { "/t/quiet", 500 }, { "/t/answered", 409 }, { "/t/after", 500 },
	};
	struct hub h;

	memset(&h, 0, sizeof(h));
	CHECK(api_init(&h) == 0 && api_register(&h, test_routes) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct api_req req;
		struct api_resp resp;

		req_init(&req, &resp, "");
		req.h = &h;
		req.method = "GET";
		req.path = cases[i].path;
		req.cookie = "";
		req.body = "";
		api_dispatch(&req, &resp, NULL, NULL, "");
		CHECK(resp.status == cases[i].status);
		api_resp_free(&resp);
	}
	api_fini(&h);
}

int main(void)
{
	RUN(limit_default_and_bounds);
	RUN(limit_refused);
	RUN(ids);
	RUN(body_members);
	RUN(failure_never_reads_as_success);
	return t_done();
}
