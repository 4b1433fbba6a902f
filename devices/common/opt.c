/*
 * opt.c — option value parsing that exits 2 with one line on error, and
 * the broker and logging options every device program shares.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "dlog.h"
#include "opt.h"
#include "version.h"	/* MLAB_VERSION, generated from debian/changelog */

const char *opt_prog = "mlab";

void opt_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", opt_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

void opt_version(void)
{
	printf("%s %s\n", opt_prog, MLAB_VERSION);
	exit(0);
}

long long opt_long(const char *name, const char *arg, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end)
		opt_usage_error("--%s: '%s' is not an integer", name, arg);
	if (v < min || v > max)
		opt_usage_error("--%s: %lld is out of range %lld..%lld", name, v,
				min, max);
	return v;
}

double opt_double(const char *name, const char *arg, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v))
		opt_usage_error("--%s: '%s' is not a number", name, arg);
	if (v < min || v > max)
		opt_usage_error("--%s: %g is out of range %g..%g", name, v, min,
				max);
	return v;
}

const char *opt_str(const char *name, const char *arg, size_t maxlen)
{
	if (!*arg)
		opt_usage_error("--%s: empty value", name);
	if (strlen(arg) > maxlen)
		opt_usage_error("--%s: longer than %zu bytes", name, maxlen);
	return arg;
}

void opt_getopt_error(int c, char **argv)
{
	if (c == ':')
		opt_usage_error("option %s needs a value", argv[optind - 1]);
	if (optopt)
		opt_usage_error("unknown option -%c", optopt);
	opt_usage_error("unknown option %s", argv[optind - 1]);
}

void opt_no_more_args(int argc, char **argv)
{
	if (optind < argc)
		opt_usage_error("unexpected argument '%s'", argv[optind]);
}

void opt_conn_init(struct opt_conn *conn)
{
	conn->host = "127.0.0.1";
	conn->port = 1883;
	conn->username = NULL;
	conn->password = getenv("MLAB_MQTT_PASSWORD");
}

int opt_broker(int c, struct opt_conn *conn, void (*usage)(FILE *f))
{
	switch (c) {
	case 'H': conn->host = opt_str("host", optarg, 255); break;
	case 'p': conn->port = (int)opt_long("port", optarg, 1, 65535); break;
	case 'u': conn->username = opt_str("username", optarg, 255); break;
	case 'P': conn->password = optarg; break;
	case 'v': dlog_verbosity++; break;
	case 'q': dlog_verbosity = D_WARN; break;
	case 'h': usage(stdout); exit(0);
	case 'V': opt_version();
	default: return 0;
	}
	return 1;
}
