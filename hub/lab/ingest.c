/*
 * ingest.c — dispatch each MQTT message to the ecosystems whose topic
 * filters match it, and apply what they understood.
 *
 * Counting: a message some ecosystem understood is "parsed"; one that
 * only got ECO_BAD answers is "malformed" (logged, at most a few lines a
 * minute, with the parser's reason); one nobody claimed is "unclaimed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mosquitto.h>

#include "core/conf.h"
#include "lab/device.h"
#include "eco/eco.h"
#include "gpio/gpio.h"
#include "core/hub.h"
#include "core/inbox.h"
#include "lab/ingest.h"
#include "core/log.h"
#include "mqtt/mqtt.h"
#include "part/part.h"
#include "store/store.h"

#define MAX_FILTERS 16
#define BAD_LOG_PER_MINUTE 20

struct ingest {
	struct eco_out out;
	int enabled[64];
	int nfilters[64];
	char filters[64][MAX_FILTERS][256];
	char prefix[64][256];
	int bad_logged;		/* this minute */
	long bad_suppressed;
	int bambu;		/* eco index of bambu, -1 none */
	double minute;		/* start of the bad-message log window */
};

int ingest_init(struct hub *h)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (!in)
		return -1;
	h->ingest = in;
	h->eco = calloc((size_t)eco_count, sizeof(struct eco_ctx));
	if (!h->eco)
		return -1;
	in->bambu = -1;
	for (int i = 0; i < eco_count && i < 64; i++) {
		const struct eco_ops *ops = eco_table[i];
		char key[128];
		const char *prefix;

		snprintf(key, sizeof(key), "eco.%s.prefix", ops->name);
		prefix = conf_str(h->conf, key);
		snprintf(in->prefix[i], sizeof(in->prefix[i]), "%s",
			 prefix ? prefix : (ops->default_prefix ? ops->default_prefix : ""));
		snprintf(key, sizeof(key), "eco.%s.enabled", ops->name);
		in->enabled[i] = conf_bool(h->conf, key);
		h->eco[i].ops = ops;
		h->eco[i].prefix = in->prefix[i];
		h->eco[i].all = h->eco;
		if (!strcmp(ops->name, "bambu"))
			in->bambu = i;
		if (ops->filters)
			in->nfilters[i] = ops->filters(in->prefix[i], in->filters[i], MAX_FILTERS);
		if (ops->init && ops->init(&h->eco[i])) {
			LOG(L_ERR, "eco: %s: cannot initialise", ops->name);
			return -1;
		}
	}
	return 0;
}

void ingest_fini(struct hub *h)
{
	if (h->eco) {
		for (int i = 0; i < eco_count; i++)
			if (eco_table[i]->fini && h->eco[i].ops)
				eco_table[i]->fini(&h->eco[i]);
		free(h->eco);
		h->eco = NULL;
	}
	free(h->ingest);
	h->ingest = NULL;
}

static int matches(struct ingest *in, int i, const char *topic)
{
	for (int f = 0; f < in->nfilters[i]; f++) {
		bool m = false;

		if (mosquitto_topic_matches_sub(in->filters[i][f], topic, &m) == MOSQ_ERR_SUCCESS && m)
			return 1;
	}
	return 0;
}

static void bad(struct hub *h, const char *eco, const char *topic, const char *why,
		size_t len)
{
	struct ingest *in = h->ingest;

	h->stats.msgs_bad++;
	if (in->bad_logged++ < BAD_LOG_PER_MINUTE)
		LOG(L_WARN, "%s: %.200s: malformed %zu-byte payload: %s", eco, topic, len,
		    why[0] ? why : "not understood");
	else
		in->bad_suppressed++;
}

void ingest_message(struct hub *h, const struct inbox_msg *m)
{
	struct ingest *in = h->ingest;
	int ok = 0, rejected = -1;
	char why[sizeof(in->out.why)] = "";

	h->stats.msgs_in++;
	if (!strncmp(m->topic, "mlab/v1/hub/gpio-sim/", 21) && m->link == 0) {
		if (!strchr(m->topic + 21, '/'))
			gpio_sim_input(h, m->topic + 21, m->payload, m->len);
		h->stats.msgs_parsed++;
		return;
	}
	for (int i = 0; i < eco_count; i++) {
		int rc;

		if (!in->enabled[i])
			continue;
		/* a Bambu printer's own link speaks only Bambu */
		if (m->link > 0 && i != in->bambu)
			continue;
		if (m->link == 0 && !matches(in, i, m->topic))
			continue;
		in->out.ndev = 0;
		in->out.why[0] = '\0';
		rc = eco_table[i]->parse(&h->eco[i], m->topic, m->payload, m->len,
					 m->retained, &in->out);
		if (rc == ECO_BAD) {
			if (rejected < 0) {
				rejected = i;
				memcpy(why, in->out.why, sizeof(why));
			}
			continue;
		}
		if (rc != ECO_OK)
			continue;
		ok = 1;
		for (int d = 0; d < in->out.ndev; d++)
			device_apply(h, i, m->link, &in->out.dev[d], m->rx, m->payload, m->len);
	}
	if (ok)
		h->stats.msgs_parsed++;
	else if (rejected >= 0)
		bad(h, eco_table[rejected]->name, m->topic, why, m->len);
	else
		h->stats.msgs_ignored++;
}

/* A Bambu printer is its own broker: its link state is its online state. */
void ingest_link_state(struct hub *h, int link, int up)
{
	struct ingest *in = h->ingest;
	const char *serial = mqtt_link_serial(h, link);
	char id[ECO_ID_MAX + 20];
	struct device *d;

	gpio_state_changed(h);
	if (link == 0 || !serial || in->bambu < 0)
		return;
	snprintf(id, sizeof(id), "bambu/%s", serial);
	d = device_find(h, id);
	if (d) {
		d->has_signal = 1;	/* the link itself */
		device_set_online(h, d, up, hub_now());
	} else if (up) {
		struct eco_dev u;

		memset(&u, 0, sizeof(u));
		snprintf(u.native, sizeof(u.native), "%s", serial);
		u.has = ECO_ONLINE | ECO_KIND;
		u.online = 1;
		snprintf(u.kind, sizeof(u.kind), "printer");
		device_apply(h, in->bambu, link, &u, hub_now(), "", 0);
	}
	/* ask for a full report: P1/A1 printers only send deltas otherwise */
	if (up) {
		char topic[128];
		static const char pushall[] =
			"{\"pushing\":{\"sequence_id\":\"0\",\"command\":\"pushall\"}}";

		snprintf(topic, sizeof(topic), "device/%s/request", serial);
		mqtt_publish(h, link, topic, pushall, sizeof(pushall) - 1, 0, 0);
	}
}

void ingest_tick(struct hub *h, double now)
{
	struct ingest *in = h->ingest;

	if (now - in->minute >= 60) {
		if (in->bad_suppressed)
			LOG(L_WARN, "ingest: %ld more malformed messages not logged", in->bad_suppressed);
		in->bad_suppressed = 0;
		in->bad_logged = 0;
		in->minute = now;
	}
}

void ingest_hourly(struct hub *h, double now)
{
	part_purge(h, now);	/* personal fields past privacy.retention_months */
}

/* SIGHUP: read the file again, apply the command line's --set values on
 * top (as at start-up), then take what can change without a restart: the
 * log level and the GPIO lines.  A bad file changes nothing. */
void ingest_reload(struct hub *h)
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
		gpio_reload(h, c);	/* lines released and set up again */
		LOG(L_NOTICE, "hub: configuration reloaded (log level, GPIO; other changes need a restart)");
	} else {
		LOG(L_ERR, "hub: reload refused: the configuration has errors (above); nothing changed");
	}
	conf_free(c);
}
