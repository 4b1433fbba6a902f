/*
 * opt.h — command-line helpers shared by the device programs.
 *
 * Every program reports a bad option the same way: one line on stderr
 * naming the option, exit status 2 (like getopt's own errors).
 */
#ifndef MLAB_DEV_OPT_H
#define MLAB_DEV_OPT_H

#include <stddef.h>

/* The program name used in messages; set once from argv[0]. */
extern const char *opt_prog;

void opt_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* getopt_long() returned ':' or '?' (c): exit 2 naming the option. */
void opt_getopt_error(int c, char **argv) __attribute__((noreturn));
/* --version: print "<opt_prog> <version>" on stdout, exit 0. */
void opt_version(void) __attribute__((noreturn));
/* After the options: exit 2 if an argument is left over. */
void opt_no_more_args(int argc, char **argv);
/* Parse arg as an integer/number in [min, max] or exit 2 naming --name. */
long long opt_long(const char *name, const char *arg, long long min, long long max);
double opt_double(const char *name, const char *arg, double min, double max);
/* Non-empty string, at most maxlen bytes, or exit 2. Returns arg. */
const char *opt_str(const char *name, const char *arg, size_t maxlen);

#endif
