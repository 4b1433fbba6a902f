/*
 * main.c — mlab-hub: options → config → log → loop → store → api/ws →
 * auth → registry, ingest, jobs, machines, alerts → participation →
 * report → mqtt → gpio → run, then teardown in reverse.
 *
 *	mlab-hub [-c FILE] [--set section.key=value]... [--check-config]
 *	mlab-hub [-c FILE] [--set …] user add|passwd|del|list [NAME] [--role R]
 *	mlab-hub [-c FILE] [--set …] backup --to FILE
 *	mlab-hub [-c FILE] [--set …] purge [--now ISO-8601]
 *	mlab-hub [-c FILE] [--set …] device remove ID [--drop-history]
 *	mlab-hub routes
 *	mlab-hub [-c FILE] [--set …] report --fy YEAR [--format json|csv|html] …
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/account.h"
#include "auth/auth.h"
#include "core/conf.h"
#include "core/hub.h"
#include "core/inbox.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/reload.h"
#include "fed/fed.h"
#include "fed/sum.h"
#include "gpio/gpio.h"
#include "ha/ha.h"
#include "lab/alert.h"
#include "lab/device.h"
#include "lab/device_api.h"
#include "lab/devset.h"
#include "lab/health.h"
#include "lab/ingest.h"
#include "lab/job.h"
#include "lab/machine.h"
#include "lab/removal.h"
#include "mqtt/mqtt.h"
#include "net/api.h"
#include "net/door.h"
#include "net/http.h"
#include "net/openapi.h"
#include "net/ws.h"
#include "part/part.h"
#include "report/report.h"
#include "store/store.h"

#include "version.h"	/* MLAB_VERSION, generated from debian/changelog */

#define VERSION MLAB_VERSION
#define DEFAULT_CONF "/etc/mlab-hub/mlab-hub.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mlab-hub [-c FILE | --config=FILE] [--set section.key=value]... [--check-config]\n"
		"       mlab-hub [options] user add|passwd|del|list [NAME] [--role admin|facilitator|kiosk]\n"
		"       mlab-hub [options] backup --to FILE\n"
		"       mlab-hub [options] purge [--now ISO-8601]\n"
		"       mlab-hub [options] device remove ID [--drop-history]   (with the hub stopped)\n"
		"       mlab-hub routes   (every API route and the least role it needs)\n"
		"       mlab-hub [options] report --fy YEAR [--format json|csv|html|datapackage] [--explain NAME] [--lang fr|en] [--out DIR] [--db PATH]\n"
		"\n"
		"  -c, --config=FILE   read settings from FILE (INI: [section] key = value);\n"
		"                      default " DEFAULT_CONF " when it exists\n"
		"      --set=KEY=VALUE override one setting, e.g. --set broker.port=1884\n"
		"      --check-config  check the settings, print them, exit\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n"
		"\n"
		"Exit status: 0 done, 1 failure while running, 2 bad options or settings.\n"
		"See mlab-hub(8) and mlab-hub.conf(5).\n");
}

enum { OPT_RUN, OPT_EXIT, OPT_BAD };

/*
 * One pass over the options with getopt_long, stopping at the first word
 * that is not an option (a subcommand: its own options follow it).  Pass 0
 * takes -c/--config (*conf_path points into argv), --help and --version;
 * pass 1 applies every --set to h->conf in order and notes --check-config.
 * Returns OPT_RUN, OPT_EXIT (help or version printed) or OPT_BAD (logged);
 * optind is left at the subcommand, if any.
 */
static int parse_options(struct hub *h, int argc, char **argv, int pass, int *check,
			 const char **conf_path)
{
	enum { O_SET = 256, O_CHECK };
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, O_SET },
		{ "check-config", no_argument, NULL, O_CHECK },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 0;	/* a full reset: the second pass starts again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			*conf_path = optarg;
			break;
		case O_SET:
			if (pass == 1 && conf_set_arg(h->conf, optarg))
				return OPT_BAD;
			break;
		case O_CHECK:
			*check = 1;
			break;
		case 'h':
			usage(stdout);
			return OPT_EXIT;
		case 'V':
			printf("mlab-hub %s\n", VERSION);
			return OPT_EXIT;
		case ':':
			LOG(L_ERR, "%s needs a value (see mlab-hub --help)", argv[optind - 1]);
			return OPT_BAD;
		default:
			LOG(L_ERR, "unknown option %s (see mlab-hub --help)", argv[optind - 1]);
			return OPT_BAD;
		}
	}
	return OPT_RUN;
}

/* Open the database only: for the command-line tools.  A tool that only
 * reads, or changes what must already be there, does not create one. */
static int open_store_only(struct hub *h, int create)
{
	const char *path = conf_str(h->conf, "store.path");

	if (!create && access(path, F_OK)) {
		LOG(L_ERR, "no database at %s (set store.path, or -c the hub's configuration)", path);
		return -1;
	}
	return store_open(h, path);
}

/* The modules that serve, lowest first: each _init registers its routes,
 * hooks and timers with the layers below.  0 or -1. */
static int modules_init(struct hub *h)
{
	return api_init(h) || openapi_init(h) || ws_init(h) || door_init(h) || auth_init(h) ||
	       account_init(h) ||
	       device_init(h) || device_api_init(h) || removal_init(h) || ingest_init(h) ||
	       job_init(h) || machine_init(h) || devset_init(h) || alert_init(h) || health_init(h) ||
	       part_init(h) || report_init(h) || ha_init(h) ||
	       fed_init(h) ? -1 : 0;
}

/* `mlab-hub routes`: every route the hub serves and the least role it
 * needs, from the route tables themselves (the authorization tests read
 * it, so that a new route cannot go untested).  An in-memory database,
 * no loop: nothing is served. */
static int routes_command(struct hub *h)
{
	int rc = 1;

	if (store_open(h, ":memory:"))
		return 1;
	if (!modules_init(h)) {
		api_routes_print(h, stdout);
		rc = 0;
	}
	part_fini(h);
	health_fini(h);
	alert_fini(h);
	machine_fini(h);
	ingest_fini(h);
	store_close(h);
	fed_fini(h);
	device_fini(h);
	door_fini(h);
	ws_fini(h);
	api_fini(h);
	return rc;
}

/* Lowest layer first: each module's _init registers its routes, hooks
 * and timers with the layers below, so the loop comes before them. */
static int serve(struct hub *h)
{
	int rc = 1;

	h->started = hub_now();
	h->inbox = inbox_new((size_t)conf_int(h->conf, "broker.inbox_max"));
	if (!h->inbox)
		return 1;
	if (loop_init(h))
		goto out_loop;
	if (store_open(h, conf_str(h->conf, "store.path")))
		goto out_loop;
	if (modules_init(h))
		goto out_store;
	if (mqtt_start(h))
		goto out_mqtt;
	if (gpio_init(h))
		goto out_gpio;
	LOG(L_NOTICE, "mlab-hub %s running (database %s)", VERSION, conf_str(h->conf, "store.path"));
	loop_run(h);
	rc = 0;
out_gpio:
	gpio_fini(h);
out_mqtt:
	mqtt_stop(h);
	loop_drain(h);	/* what the links delivered before they stopped */
	store_flush(h);
out_store:
	part_fini(h);
	health_fini(h);
	alert_fini(h);
	machine_fini(h);
	ingest_fini(h);
	store_close(h);		/* its last commit may still ack devices */
	fed_fini(h);
	device_fini(h);
out_loop:
	loop_fini(h);		/* closes the WebSocket clients: before ws_fini */
	door_fini(h);
	ws_fini(h);
	api_fini(h);
	reload_fini(h);
	inbox_free(h->inbox);
	if (rc == 0)
		LOG(L_NOTICE, "mlab-hub stopped");
	return rc;
}

int main(int argc, char **argv)
{
	struct hub hub;
	const char *conf_path = NULL;
	int check = 0, i, rc;
	sigset_t set;

	memset(&hub, 0, sizeof(hub));
	/* signals are read from a signalfd by the loop: block them in every
	 * thread, starting before any thread exists */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	hub.conf = conf_new();
	if (!hub.conf)
		return 1;
	/* first pass: the config file, so --set overrides it whatever the order */
	switch (parse_options(&hub, argc, argv, 0, &check, &conf_path)) {
	case OPT_EXIT:
		conf_free(hub.conf);
		return 0;
	case OPT_BAD:
		goto bad_config;
	}
	if (!conf_path && !access(DEFAULT_CONF, F_OK))
		conf_path = DEFAULT_CONF;
	if (conf_path && conf_load(hub.conf, conf_path))
		goto bad_config;
	hub.conf_path = conf_path;
	hub.argc = argc;
	hub.argv = argv;
	/* second pass: --set, in order */
	if (parse_options(&hub, argc, argv, 1, &check, &conf_path) != OPT_RUN)
		goto bad_config;
	i = optind;
	log_verbosity = log_level_parse(conf_str(hub.conf, "log.level"));
	if (check) {
		conf_dump(hub.conf);
		printf("configuration OK\n");
		conf_free(hub.conf);
		return 0;
	}
	if (i < argc) {
		const char *cmd = argv[i];

		if (!strcmp(cmd, "user")) {
			/* only `user add` may create the database */
			if (open_store_only(&hub, i + 1 < argc && !strcmp(argv[i + 1], "add"))) {
				conf_free(hub.conf);
				return 1;
			}
			rc = account_command(&hub, argc - i - 1, argv + i + 1);
		} else if (!strcmp(cmd, "backup")) {
			if (i + 2 < argc && !strcmp(argv[i + 1], "--to")) {
				rc = store_backup(conf_str(hub.conf, "store.path"), argv[i + 2]) ? 1 : 0;
				if (!rc)
					printf("backup written to %s\n", argv[i + 2]);
			} else {
				LOG(L_ERR, "usage: mlab-hub backup --to FILE");
				rc = 2;
			}
			conf_free(hub.conf);
			return rc;
		} else if (!strcmp(cmd, "purge")) {
			if (open_store_only(&hub, 0)) {
				conf_free(hub.conf);
				return 1;
			}
			rc = part_purge_command(&hub, argc - i - 1, argv + i + 1);
		} else if (!strcmp(cmd, "device")) {
			if (open_store_only(&hub, 0)) {
				conf_free(hub.conf);
				return 1;
			}
			rc = removal_command(&hub, argc - i - 1, argv + i + 1);
		} else if (!strcmp(cmd, "routes")) {
			rc = routes_command(&hub);
			conf_free(hub.conf);
			return rc;
		} else if (!strcmp(cmd, "report")) {
			rc = report_command(&hub, argc - i - 1, argv + i + 1,
					    strcmp(conf_str(hub.conf, "net.role"), "network") ? NULL : sum_figures);
			store_close(&hub);
			conf_free(hub.conf);
			return rc;
		} else {
			LOG(L_ERR, "unknown command '%s' (see mlab-hub --help)", cmd);
			conf_free(hub.conf);
			return 2;
		}
		store_close(&hub);
		conf_free(hub.conf);
		return rc;
	}
	rc = serve(&hub);
	conf_free(hub.conf);
	return rc;
bad_config:
	conf_free(hub.conf);
	return 2;
}
