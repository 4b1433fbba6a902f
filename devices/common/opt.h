/*
 * opt.h — command-line helpers shared by the device programs.
 *
 * Every program reports a bad option the same way: one line on stderr
 * naming the option, exit status 2 (like getopt's own errors).
 */
#ifndef MLAB_DEV_OPT_H
#define MLAB_DEV_OPT_H

#include <stddef.h>
#include <stdio.h>

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

/* The MQTT connection every device program takes from its options. */
struct opt_conn {
	const char *host;		/* --host, default 127.0.0.1 */
	int port;			/* --port, default 1883 */
	const char *username;		/* --username, NULL = none */
	const char *password;		/* --password or MLAB_MQTT_PASSWORD */
};

/* The options the device programs share, each program's getopt_long()
 * table lists them (before its { NULL } end) and its short-option string
 * adds OPT_BROKER_SHORT; opt_broker() handles them.  --quiet is apart:
 * mlab-load has none. */
#define OPT_BROKER_LONGOPTS \
	{ "host", required_argument, NULL, 'H' }, \
	{ "port", required_argument, NULL, 'p' }, \
	{ "username", required_argument, NULL, 'u' }, \
	{ "password", required_argument, NULL, 'P' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }
#define OPT_BROKER_SHORT "H:p:u:P:vhV"
#define OPT_QUIET_LONGOPT { "quiet", no_argument, NULL, 'q' }

/* Defaults of conn: 127.0.0.1:1883, no user, the password from
 * MLAB_MQTT_PASSWORD (borrowed from the environment). */
void opt_conn_init(struct opt_conn *conn);

/* Handle getopt_long()'s c (optarg its value) when it is a shared option:
 * the connection into conn (strings borrowed from argv), -v and -q into
 * dlog_verbosity, -h prints usage on stdout and exits 0, -V the version.
 * Returns 1 when c was one of them, 0 when it is the program's own. */
int opt_broker(int c, struct opt_conn *conn, void (*usage)(FILE *f));

#endif
