/*
 * t.h — the tiny unit-test runner: one program per tests/unit/test_*.c.
 *
 *	TEST(name) { CHECK(x == 1); CHECK_STR(a, "b"); CHECK_NEAR(v, 1.5, 1e-9); }
 *	int main(void) { RUN(name); return t_done(); }
 *
 * Prints each failure with file:line and ends with "N passed, N failed".
 * Built with ASan/UBSan by `make check`; a leak fails the program.
 */
#ifndef MLAB_T_H
#define MLAB_T_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int t_pass, t_fail, t_cur_failed;

#define TEST(name) static void name(void)
#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	t_cur_failed = 1; } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b)) { \
	fprintf(stderr, "  %s:%d: '%s' != '%s'\n", __FILE__, __LINE__, \
		_a ? _a : "(null)", _b ? _b : "(null)"); t_cur_failed = 1; } } while (0)
#define CHECK_NEAR(a, b, eps) do { double _a = (a), _b = (b); \
	if (!(fabs(_a - _b) <= (eps))) { \
	fprintf(stderr, "  %s:%d: %s = %.9g, want %.9g\n", __FILE__, __LINE__, #a, _a, _b); \
	t_cur_failed = 1; } } while (0)
#define RUN(name) do { t_cur_failed = 0; name(); \
	if (t_cur_failed) { t_fail++; fprintf(stderr, "FAIL %s\n", #name); } \
	else { t_pass++; printf("ok   %s\n", #name); } } while (0)

/* A fresh empty file /tmp/NAME-XXXXXX for a test's database, its path in
 * buf.  0, or -1 if it could not be made. */
static inline int t_tmp_db(char *buf, size_t len, const char *name)
{
	int fd;

	snprintf(buf, len, "/tmp/%s-XXXXXX", name);
	if ((fd = mkstemp(buf)) < 0)
		return -1;
	close(fd);
	return 0;
}

/* Remove a test's SQLite file and its -wal and -shm companions. */
static inline void t_unlink_db(const char *path)
{
	char side[4096];

	remove(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	remove(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	remove(side);
}

static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}
#endif
