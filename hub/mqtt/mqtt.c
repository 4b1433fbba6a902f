/*
 * mqtt.c — broker links: connect, reconnect, subscribe, hand over.
 *
 * Each link runs its own thread (not mosquitto_loop_start) so that the
 * reconnect policy is ours: capped exponential back-off with full jitter,
 * in milliseconds, interruptible at shutdown.  The lab link uses a
 * persistent session (stable client id, clean session off, QoS 1
 * subscriptions) so messages published while the hub was down are
 * delivered when it returns; the hub's own status is published retained
 * on mlab/v1/hub/status with "offline" as its last will.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mosquitto.h>

#include "core/conf.h"
#include "eco/eco.h"
#include "core/hub.h"
#include "core/inbox.h"
#include "core/log.h"
#include "mqtt/mqtt.h"

#define LINK_FILTERS_MAX 64	/* topic filters on one link, all ecosystems */
#define MQTT_MAX_BAMBU 16	/* printers reached directly: one link (thread) each */
#define HUB_STATUS "mlab/v1/hub/status"

struct link {
	struct mosquitto *mosq;
	struct inbox *inbox;
	int index;
	char name[96];
	char host[256];
	int port, keepalive;
	char serial[64];		/* Bambu only */
	int nfilters;
	char filters[LINK_FILTERS_MAX][ECO_FILTER_LEN];
	long backoff_min, backoff_max;	/* ms */
	size_t max_payload;
	int is_lab;
	pthread_t thread;
	int started;
	volatile int stop;
	int up;				/* service thread's view */
	pthread_mutex_t sleep_lock;
	pthread_cond_t sleep_cond;
	uint64_t too_big;		/* atomic */
	int last_rc;			/* last connect failure logged */
	int quick_drops;		/* connections lost within seconds, in a row */
	char client_id[128];
};

struct mqtt {
	int nlinks;
	struct link *links;
};

static void on_log(struct mosquitto *m, void *obj, int level, const char *str)
{
	struct link *l = obj;
	int lvl = L_DEBUG;

	if (level & MOSQ_LOG_ERR)
		lvl = L_WARN;
	LOG(lvl, "mqtt[%s]: %s", l->name, str);
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags,
		       const mosquitto_property *props)
{
	struct link *l = obj;

	if (rc) {
		if (rc != l->last_rc)
			LOG(L_WARN, "mqtt[%s]: broker refused the connection: %s",
			    l->name, mosquitto_connack_string(rc));
		l->last_rc = rc;
		return;	/* the broker will close; the thread backs off */
	}
	l->last_rc = 0;
	for (int i = 0; i < l->nfilters; i++)
		mosquitto_subscribe(m, NULL, l->filters[i], 1);
	if (l->is_lab)
		mosquitto_publish(m, NULL, HUB_STATUS, 6, "online", 1, true);
	/* the CONNACK flags (session present) are not needed: subscriptions
	 * are made again on every connection */
	inbox_push(l->inbox, INBOX_CONNECTED, l->index, NULL, NULL, 0, 0, 0);
}

static void on_message(struct mosquitto *m, void *obj,
		       const struct mosquitto_message *msg)
{
	struct link *l = obj;

	if ((size_t)msg->payloadlen > l->max_payload) {
		__atomic_add_fetch(&l->too_big, 1, __ATOMIC_RELAXED);
		LOG(L_WARN, "mqtt[%s]: %s: %d-byte payload dropped (broker.max_payload is %zu)",
		    l->name, msg->topic, msg->payloadlen, l->max_payload);
		return;
	}
	inbox_push(l->inbox, INBOX_MESSAGE, l->index, msg->topic, msg->payload,
		   (size_t)msg->payloadlen, msg->qos, msg->retain);
}

/* Sleep ms milliseconds unless the link is being stopped. */
static void link_sleep(struct link *l, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&l->sleep_lock);
	while (!l->stop &&
	       pthread_cond_timedwait(&l->sleep_cond, &l->sleep_lock, &ts) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&l->sleep_lock);
}

/* The link's thread: connect, run until the connection drops, back off
 * (full jitter: a random delay in [min, cap], cap doubling per failure),
 * try again; never exits until stopped. */
static void *link_thread(void *arg)
{
	struct link *l = arg;
	long cap = l->backoff_min;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)(l->index * 2654435761u);
	int said_down = 0;	/* the service thread knows the link is down */

	while (!l->stop) {
		int rc = mosquitto_connect(l->mosq, l->host, l->port, l->keepalive);

		/* unreachable from the start: say so once, as a lost link */
		if (rc != MOSQ_ERR_SUCCESS && !said_down) {
			inbox_push(l->inbox, INBOX_DISCONNECTED, l->index, NULL, NULL, 0, rc, 0);
			said_down = 1;
		}

		if (rc == MOSQ_ERR_SUCCESS) {
			int connected_once = 0;
			time_t up_at = time(NULL);

			while (!l->stop) {
				rc = mosquitto_loop(l->mosq, 1000, 1);
				if (rc != MOSQ_ERR_SUCCESS)
					break;
				connected_once = 1;
			}
			if (l->stop)
				break;
			inbox_push(l->inbox, INBOX_DISCONNECTED, l->index, NULL,
				   NULL, 0, rc, 0);
			said_down = 1;
			if (connected_once && l->last_rc == 0)
				cap = l->backoff_min;	/* it worked: start over */
			LOG(L_INFO, "mqtt[%s]: connection lost: %s", l->name,
			    mosquitto_strerror(rc));
			/* A broker that closes a fresh connection again and again
			 * is most often handing the client id to another client
			 * (MQTT 3.1.1 gives no reason): say it once per streak. */
			if (time(NULL) - up_at > 5)
				l->quick_drops = 0;
			else if (++l->quick_drops == 3)
				LOG(L_WARN, "mqtt[%s]: the broker closed the connection right "
				    "after it opened, 3 times in a row: is another client "
				    "using the client id \"%s\"? (broker.client_id)",
				    l->name, l->client_id);
		} else if (rc != l->last_rc) {
			LOG(L_WARN, "mqtt[%s]: cannot reach %s:%d: %s", l->name,
			    l->host, l->port,
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
			l->last_rc = rc;
		}
		{
			long ms = l->backoff_min + (long)(rand_r(&seed) % (unsigned)(cap - l->backoff_min + 1));

			link_sleep(l, ms);
			cap = cap * 2 > l->backoff_max ? l->backoff_max : cap * 2;
		}
	}
	return NULL;
}

/* Create the mosquitto handle for l; returns 0 or -1 (logged). */
static int link_init(struct link *l, const char *client_id, int clean,
		     const char *user, const char *pass)
{
	/* first, so that mqtt_stop() can always use them */
	pthread_mutex_init(&l->sleep_lock, NULL);
	pthread_cond_init(&l->sleep_cond, NULL);
	snprintf(l->client_id, sizeof l->client_id, "%s", client_id ? client_id : "");
	l->mosq = mosquitto_new(client_id, clean, l);
	if (!l->mosq) {
		LOG(L_ERR, "mqtt[%s]: cannot create client: %s", l->name, strerror(errno));
		return -1;
	}
	mosquitto_threaded_set(l->mosq, true);
	mosquitto_int_option(l->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_int_option(l->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_max_inflight_messages_set(l->mosq, 100);
	mosquitto_log_callback_set(l->mosq, on_log);
	mosquitto_connect_v5_callback_set(l->mosq, on_connect);
	mosquitto_message_callback_set(l->mosq, on_message);
	if (user && mosquitto_username_pw_set(l->mosq, user, pass)) {
		LOG(L_ERR, "mqtt[%s]: bad user name or password", l->name);
		return -1;
	}
	return 0;
}

struct bambu_cfg {
	struct hub *h;
	int n;
	char names[MQTT_MAX_BAMBU][64];
};

static void count_bambu(void *arg, const char *key, const char *name,
			const char *value)
{
	struct bambu_cfg *b = arg;

	for (int i = 0; i < b->n; i++)
		if (!strcmp(b->names[i], name))
			return;
	if (b->n < MQTT_MAX_BAMBU)
		snprintf(b->names[b->n++], sizeof(b->names[0]), "%s", name);
	else
		LOG(L_ERR, "bambu.%s: at most %d printers can be reached directly; this one is ignored",
		    name, MQTT_MAX_BAMBU);
}

/* Fill the lab link's filters from every enabled ecosystem, plus the
 * hub's own topics. */
static void lab_filters(struct hub *h, struct link *l)
{
	for (int i = 0; i < eco_count; i++) {
		const struct eco_ops *ops = eco_table[i];
		char key[128], f[ECO_FILTERS_MAX][ECO_FILTER_LEN];
		int n;

		snprintf(key, sizeof(key), "eco.%s.enabled", ops->name);
		if (!conf_bool(h->conf, key) || !ops->filters)
			continue;
		n = ops->filters(h->eco[i].prefix, f, ECO_FILTERS_MAX);
		for (int j = 0; j < n && l->nfilters < LINK_FILTERS_MAX; j++) {
			int dup = 0;

			for (int k = 0; k < l->nfilters; k++)
				dup |= !strcmp(l->filters[k], f[j]);
			if (!dup)
				memcpy(l->filters[l->nfilters++], f[j], ECO_FILTER_LEN);
		}
	}
	if (l->nfilters < LINK_FILTERS_MAX)
		snprintf(l->filters[l->nfilters++], ECO_FILTER_LEN, "%s+", MQTT_HUB_GPIO_SIM);
	/* a network of labs (hub/fed/): a lab hears its acks, the network the facts */
	if (!strcmp(conf_str(h->conf, "net.role"), "network") && l->nfilters < LINK_FILTERS_MAX)
		snprintf(l->filters[l->nfilters++], ECO_FILTER_LEN, "%s+/fact", MQTT_NET);
	else if (conf_str(h->conf, "net.site") && l->nfilters < LINK_FILTERS_MAX)
		snprintf(l->filters[l->nfilters++], ECO_FILTER_LEN, "%s%s/ack", MQTT_NET,
			 conf_str(h->conf, "net.site"));
}

int mqtt_start(struct hub *h)
{
	struct bambu_cfg b = { .h = h };
	struct mqtt *mq;
	const struct conf *c = h->conf;
	int rc = 0;

	mosquitto_lib_init();
	conf_each(c, "bambu.*.host", count_bambu, &b);
	mq = calloc(1, sizeof(*mq));
	if (!mq)
		return -1;
	mq->links = calloc((size_t)(1 + b.n), sizeof(struct link));
	if (!mq->links) {
		free(mq);
		return -1;
	}
	h->mqtt = mq;
	mq->nlinks = 1 + b.n;

	for (int i = 0; i < mq->nlinks && rc == 0; i++) {
		struct link *l = &mq->links[i];

		l->index = i;
		l->inbox = h->inbox;
		l->backoff_min = conf_int(c, "broker.backoff_min_ms");
		l->backoff_max = conf_int(c, "broker.backoff_max_ms");
		if (l->backoff_max < l->backoff_min)
			l->backoff_max = l->backoff_min;
		l->max_payload = (size_t)conf_int(c, "broker.max_payload");
		l->keepalive = (int)conf_int(c, "broker.keepalive");
		if (i == 0) {
			l->is_lab = 1;
			snprintf(l->name, sizeof(l->name), "broker");
			snprintf(l->host, sizeof(l->host), "%s", conf_str(c, "broker.host"));
			l->port = (int)conf_int(c, "broker.port");
			lab_filters(h, l);
			rc = link_init(l, conf_str(c, "broker.client_id"), 0,
				       conf_str(c, "broker.username"),
				       conf_str(c, "broker.password"));
			if (rc == 0)
				rc = mosquitto_will_set(l->mosq, HUB_STATUS, 7,
							"offline", 1, true) ? -1 : 0;
			if (rc == 0 && conf_str(c, "broker.tls_ca")) {
				if (mosquitto_tls_set(l->mosq, conf_str(c, "broker.tls_ca"), NULL,
						      conf_str(c, "broker.tls_cert"),
						      conf_str(c, "broker.tls_key"), NULL)) {
					LOG(L_ERR, "broker.tls_ca: cannot use the TLS files given");
					rc = -1;
				} else if (conf_bool(c, "broker.tls_insecure")) {
					mosquitto_tls_insecure_set(l->mosq, true);
				}
			}
		} else {
			const char *nm = b.names[i - 1];
			char key[160], cid[128];
			const char *serial, *code;

			snprintf(l->name, sizeof(l->name), "bambu:%s", nm);
			snprintf(key, sizeof(key), "bambu.%s.host", nm);
			snprintf(l->host, sizeof(l->host), "%s", conf_str(c, key));
			snprintf(key, sizeof(key), "bambu.%s.port", nm);
			l->port = (int)conf_int(c, key);
			snprintf(key, sizeof(key), "bambu.%s.serial", nm);
			serial = conf_str(c, key);
			snprintf(key, sizeof(key), "bambu.%s.access_code", nm);
			code = conf_str(c, key);
			if (!serial || !code) {
				LOG(L_ERR, "bambu.%s: needs serial and access_code", nm);
				rc = -1;
				break;
			}
			snprintf(l->serial, sizeof(l->serial), "%s", serial);
			snprintf(l->filters[0], ECO_FILTER_LEN, "device/%s/report", serial);
			l->nfilters = 1;
			snprintf(cid, sizeof(cid), "mlab-hub-%s", nm);
			rc = link_init(l, cid, 1, "bblp", code);
			/* the printer's certificate is self-signed: encrypt, don't verify */
			if (rc == 0 && (mosquitto_tls_set(l->mosq, NULL, "/etc/ssl/certs", NULL, NULL, NULL) ||
					mosquitto_tls_opts_set(l->mosq, 0, NULL, NULL) ||
					mosquitto_tls_insecure_set(l->mosq, true))) {
				LOG(L_ERR, "bambu.%s: cannot set up TLS", nm);
				rc = -1;
			}
		}
	}
	for (int i = 0; i < mq->nlinks && rc == 0; i++) {
		struct link *l = &mq->links[i];

		if (pthread_create(&l->thread, NULL, link_thread, l)) {
			LOG(L_ERR, "mqtt[%s]: cannot start thread", l->name);
			rc = -1;
		} else {
			l->started = 1;
		}
	}
	if (rc == 0)
		LOG(L_NOTICE, "mqtt: broker %s:%d, %d Bambu printer link(s)",
		    mq->links[0].host, mq->links[0].port, b.n);
	return rc;
}

void mqtt_stop(struct hub *h)
{
	struct mqtt *mq = h->mqtt;

	if (!mq)
		return;
	for (int i = 0; i < mq->nlinks; i++) {
		struct link *l = &mq->links[i];

		if (!l->mosq)
			continue;
		if (l->is_lab && l->up)
			mosquitto_publish(l->mosq, NULL, HUB_STATUS, 7, "offline", 1, true);
		pthread_mutex_lock(&l->sleep_lock);
		l->stop = 1;
		pthread_cond_broadcast(&l->sleep_cond);
		pthread_mutex_unlock(&l->sleep_lock);
	}
	for (int i = 0; i < mq->nlinks; i++) {
		struct link *l = &mq->links[i];

		if (l->started)
			pthread_join(l->thread, NULL);
		if (l->mosq) {
			/* send what is queued (the offline status), then say goodbye */
			for (int k = 0; k < 20 && l->up && mosquitto_want_write(l->mosq); k++)
				mosquitto_loop(l->mosq, 50, 1);
			mosquitto_disconnect(l->mosq);
			mosquitto_loop(l->mosq, 50, 1);
			mosquitto_destroy(l->mosq);
			pthread_mutex_destroy(&l->sleep_lock);
			pthread_cond_destroy(&l->sleep_cond);
		}
	}
	free(mq->links);
	free(mq);
	h->mqtt = NULL;
	mosquitto_lib_cleanup();
}

int mqtt_publish(struct hub *h, int link, const char *topic,
		 const void *payload, size_t len, int qos, int retain)
{
	struct mqtt *mq = h->mqtt;
	int rc;

	if (!mq || link < 0 || link >= mq->nlinks)
		return -1;
	rc = mosquitto_publish(mq->links[link].mosq, NULL, topic, (int)len,
			       payload, qos, retain);
	if (rc) {
		LOG(L_DEBUG, "mqtt[%s]: publish %s: %s", mq->links[link].name,
		    topic, mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

void mqtt_link_state(struct hub *h, int link, int up)
{
	struct mqtt *mq = h->mqtt;

	if (!mq || link < 0 || link >= mq->nlinks)
		return;
	if (mq->links[link].up != up)
		LOG(L_NOTICE, "mqtt[%s]: %s", mq->links[link].name,
		    up ? "connected" : "disconnected");
	mq->links[link].up = up;
	if (link == 0) {
		h->broker_up = up;
		if (up)
			h->stats.broker_connects++;
	}
}

int mqtt_link_count(const struct hub *h)
{
	return h->mqtt ? h->mqtt->nlinks : 0;
}

const char *mqtt_link_name(const struct hub *h, int link)
{
	return h->mqtt && link >= 0 && link < h->mqtt->nlinks ? h->mqtt->links[link].name : "";
}

const char *mqtt_link_serial(const struct hub *h, int link)
{
	if (!h->mqtt || link <= 0 || link >= h->mqtt->nlinks)
		return NULL;
	return h->mqtt->links[link].serial;
}

int mqtt_link_up(const struct hub *h, int link)
{
	return h->mqtt && link >= 0 && link < h->mqtt->nlinks && h->mqtt->links[link].up;
}

uint64_t mqtt_too_big(const struct hub *h)
{
	uint64_t n = 0;

	if (!h->mqtt)
		return 0;
	for (int i = 0; i < h->mqtt->nlinks; i++)
		n += __atomic_load_n(&h->mqtt->links[i].too_big, __ATOMIC_RELAXED);
	return n;
}
