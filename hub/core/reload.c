/*
 * reload.c — SIGHUP (see reload.h): the configuration read again, the log
 * level applied here, the rest handed to the modules' hooks.
 */
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/reload.h"

struct reload {
	reload_fn fn[RELOAD_HOOKS_MAX];
	int n;
};

int reload_hook(struct hub *h, reload_fn fn)
{
	if (!h->reload && !(h->reload = calloc(1, sizeof(*h->reload))))
		return -1;
	if (h->reload->n >= RELOAD_HOOKS_MAX) {
		LOG(L_ERR, "reload: more than %d hooks", RELOAD_HOOKS_MAX);
		return -1;
	}
	h->reload->fn[h->reload->n++] = fn;
	return 0;
}

void reload_fini(struct hub *h)
{
	free(h->reload);
	h->reload = NULL;
}

void reload_run(struct hub *h)
{
	struct conf *c = conf_new();
	int rc = c ? 0 : -1;

	if (rc == 0 && h->conf_path)
		rc = conf_load(c, h->conf_path);
	for (int i = 1; rc == 0 && i < h->argc; i++) {
		if (!strcmp(h->argv[i], "--set") && i + 1 < h->argc)
			rc = conf_set_arg(c, h->argv[++i]);
		else if (!strncmp(h->argv[i], "--set=", 6))
			rc = conf_set_arg(c, h->argv[i] + 6);
	}
	if (rc == 0) {
		int lvl = log_level_parse(conf_str(c, "log.level"));

		if (lvl >= 0)
			log_verbosity = lvl;
		log_route_lws();
		for (int i = 0; h->reload && i < h->reload->n; i++)
			h->reload->fn[i](h, c);
		LOG(L_NOTICE, "hub: configuration reloaded (log level, GPIO; other changes need a restart)");
	} else {
		LOG(L_ERR, "hub: reload refused: the configuration has errors (above); nothing changed");
	}
	conf_free(c);
}
