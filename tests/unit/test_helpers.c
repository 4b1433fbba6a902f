/*
 * test_helpers.c — the small shared helpers every parser and the API lean
 * on: UTF-8-safe copies, numbers and booleans as devices send them, and
 * ISO-8601 times.
 */
#include "t.h"
#include "eco/eco.h"
#include "core/hub.h"

TEST(strlcpy_cuts_at_characters_and_cleans)
{
	char out[8];

	eco_strlcpy(out, sizeof(out), "caf\xc3\xa9\x01z", 7);
	CHECK_STR(out, "caf\xc3\xa9 z");		/* control char → space */
	eco_strlcpy(out, sizeof(out), "ab\xff" "cd", 5);
	CHECK_STR(out, "ab?cd");			/* invalid byte → '?' */
	eco_strlcpy(out, 6, "abcd\xc3\xa9", 6);
	CHECK_STR(out, "abcd");			/* é would not fit whole */
	eco_strlcpy(out, sizeof(out), "\xed\xa0\x80", 3);
	CHECK_STR(out, "???");			/* a UTF-16 surrogate is not UTF-8 */
}

TEST(numbers_as_devices_send_them)
{
	double v = 0;

	CHECK(eco_num(" 21.5 ", 6, 0, &v) == 0 && v == 21.5);
	CHECK(eco_num("-45dBm", 6, 1, &v) == 0 && v == -45);
	CHECK(eco_num("-45dBm", 6, 0, &v) == -1);
	CHECK(eco_num("nan", 3, 0, &v) == -1);
	CHECK(eco_num("null", 4, 0, &v) == -1);
	CHECK(eco_num("", 0, 0, &v) == -1);
	CHECK(eco_num("1e999", 5, 0, &v) == -1);
	CHECK(eco_bool("ON", 2) == 1 && eco_bool(" off ", 5) == 0 && eco_bool("maybe", 5) == -1);
}

TEST(times_in_and_out)
{
	double t = 0;
	char buf[40];

	CHECK(hub_parse_time("2026-03-31T23:59:00-04:00", &t) == 0);
	CHECK_STR(hub_iso(t, buf, sizeof(buf), 0), "2026-04-01T03:59:00Z");
	CHECK(hub_parse_time("2026-11-21T15:00:00.250Z", &t) == 0);
	CHECK_STR(hub_iso(t, buf, sizeof(buf), 1), "2026-11-21T15:00:00.250Z");
	CHECK(hub_parse_time("1763737200", &t) == 0 && t == 1763737200);
	CHECK(hub_parse_time("1763737200000", &t) == 0 && t == 1763737200);	/* ms */
	CHECK(hub_parse_time("2026-13-01", &t) == -1);
	CHECK(hub_parse_time("yesterday", &t) == -1);
	CHECK(hub_parse_time("2026-11-21T25:00", &t) == -1);
}

int main(void)
{
	RUN(strlcpy_cuts_at_characters_and_cleans);
	RUN(numbers_as_devices_send_them);
	RUN(times_in_and_out);
	return t_done();
}
