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
#include "core/hub.h"
#include "core/inbox.h"
#include "core/log.h"
#include "core/loop.h"
#include "eco/eco.h"
#include "lab/device.h"
#include "lab/ingest.h"
#include "mqtt/mqtt.h"
#include "store/store.h"

#define BAD_LOG_PER_MINUTE 20
#define INGEST_HOOKS_MAX 4

struct ingest {
	struct eco_out out;
	int enabled[ECO_TABLE_MAX];
	int nfilters[ECO_TABLE_MAX];
	char filters[ECO_TABLE_MAX][ECO_FILTERS_MAX][ECO_FILTER_LEN];
	/* each filter's literal head (up to its first wildcard): a topic
	 * that does not start with it cannot match, checked before libmosquitto's
	 * full match (which was 16 % of the instructions per stored message) */
	unsigned short lit[ECO_TABLE_MAX][ECO_FILTERS_MAX];
	/* and its literal tail (after its last '+', when it has no '#'): a
	 * topic must end with it ("+/+/online" and the like) */
	unsigned short tail[ECO_TABLE_MAX][ECO_FILTERS_MAX];
	char prefix[ECO_TABLE_MAX][ECO_FILTER_LEN];
	struct {
		char prefix[ECO_FILTER_LEN];
		ingest_topic_fn fn;
	} hook[INGEST_HOOKS_MAX];
	int nhook;
	int bad_logged;		/* this minute */
	long bad_suppressed;
	int bambu;		/* eco index of bambu, -1 none */
	double minute;		/* start of the bad-message log window */
};

static void inbox(struct hub *h, struct inbox_msg *m);
static void bad_log_window(struct hub *h, void *arg);

int ingest_init(struct hub *h)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (!in)
		return -1;
	h->ingest = in;
	loop_on_inbox(h, inbox);
	loop_every(h, 2000, 2000, bad_log_window, NULL);
	h->eco = calloc((size_t)eco_count, sizeof(struct eco_ctx));
	if (!h->eco)
		return -1;
	in->bambu = -1;
	for (int i = 0; i < eco_count; i++) {
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
			in->nfilters[i] = ops->filters(in->prefix[i], in->filters[i], ECO_FILTERS_MAX);
		for (int f = 0; f < in->nfilters[i]; f++) {
			const char *fl = in->filters[i][f];
			size_t n = strcspn(fl, "+#");

			const char *plus = strrchr(fl, '+');

			/* "a/#" matches "a" too: its head is "a" */
			in->lit[i][f] = (unsigned short)(n && fl[n] == '#' && fl[n - 1] == '/' ? n - 1 : n);
			in->tail[i][f] = (unsigned short)(plus && !strchr(fl, '#') ? strlen(plus + 1) : 0);
		}
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
	size_t len = strlen(topic);

	for (int f = 0; f < in->nfilters[i]; f++) {
		const char *fl = in->filters[i][f];
		size_t tl = in->tail[i][f];
		bool m = false;

		if (strncmp(fl, topic, in->lit[i][f]))
			continue;
		if (tl && (len < tl || memcmp(fl + strlen(fl) - tl, topic + len - tl, tl)))
			continue;
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
	for (int k = 0; k < in->nhook && m->link == 0; k++) {
		size_t n = strlen(in->hook[k].prefix);

		if (!strncmp(m->topic, in->hook[k].prefix, n)) {
			in->hook[k].fn(h, m->topic + n, m->payload, m->len);
			h->stats.msgs_parsed++;
			return;
		}
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

	device_link_changed(h, link, up);
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

int ingest_on_topic(struct hub *h, const char *prefix, ingest_topic_fn fn)
{
	struct ingest *in = h->ingest;

	if (!in)
		return 0;	/* no ingest (a unit test): no messages either */
	if (in->nhook >= INGEST_HOOKS_MAX || strlen(prefix) >= sizeof(in->hook[0].prefix)) {
		LOG(L_ERR, "ingest: cannot route %s", prefix);
		return -1;
	}
	snprintf(in->hook[in->nhook].prefix, sizeof(in->hook[0].prefix), "%s", prefix);
	in->hook[in->nhook++].fn = fn;
	return 0;
}

/* The inbox consumer (loop_on_inbox): messages, and link state. */
static void inbox(struct hub *h, struct inbox_msg *m)
{
	switch (m->kind) {
	case INBOX_MESSAGE:
		ingest_message(h, m);
		store_flush_if_full(h);
		break;
	case INBOX_CONNECTED:
	case INBOX_DISCONNECTED:
		mqtt_link_state(h, m->link, m->kind == INBOX_CONNECTED);
		ingest_link_state(h, m->link, m->kind == INBOX_CONNECTED);
		break;
	}
}

/* Every 2 s (a timer, not a minute tick): once a minute has passed,
 * close the window of the malformed-message log and say what it left out. */
static void bad_log_window(struct hub *h, void *arg)
{
	struct ingest *in = h->ingest;
	double now = hub_now();

	if (now - in->minute >= 60) {
		if (in->bad_suppressed)
			LOG(L_WARN, "ingest: %ld more malformed messages not logged", in->bad_suppressed);
		in->bad_suppressed = 0;
		in->bad_logged = 0;
		in->minute = now;
	}
}
