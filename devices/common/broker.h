/*
 * broker.h — one MQTT connection with a last will and automatic reconnect.
 *
 * A thin layer over libmosquitto 2.0: the network runs on libmosquitto's
 * own thread (mosquitto_loop_start), which reconnects with back-off after
 * the connection is lost.  libmosquitto 2.0.11 does not retry when the
 * very first connection fails, so a small connector thread makes that
 * first connection (1 s, 2 s, 4 s… at most 4 s apart) and then hands over
 * to the network thread: a broker that is down at start is not an error.
 * The callbacks run on that network thread: they must copy what they keep
 * and must not block.  on_connect is the place to (re)subscribe and to
 * publish birth messages, since it runs after every successful connect.
 */
#ifndef MLAB_DEV_BROKER_H
#define MLAB_DEV_BROKER_H

#include <pthread.h>
#include <stdatomic.h>

struct broker;
struct mosquitto;

typedef void (*broker_connect_cb)(struct broker *b, void *arg);
typedef void (*broker_message_cb)(struct broker *b, const char *topic,
				  const char *payload, int len, int retained,
				  void *arg);

struct broker_opts {
	const char *host;		/* default "127.0.0.1" */
	int port;			/* default 1883 */
	const char *username, *password;	/* NULL = none */
	const char *client_id;		/* NULL = generated */
	const char *will_topic;		/* NULL = no last will */
	const char *will_payload;
	int will_retain;
	int keepalive;			/* seconds, default 30 */
	int max_inflight;		/* QoS 1 window, default 20 */
	int quiet;			/* log connection changes at D_INFO */
	broker_connect_cb on_connect;
	broker_message_cb on_message;
	void *arg;
};

struct broker {
	struct mosquitto *mosq;		/* owned */
	struct broker_opts o;		/* strings borrowed from the caller */
	atomic_int connected;
	atomic_long pending;		/* publishes not yet handed over */
	atomic_int down_logged;
	atomic_int stopping;
	pthread_t connector;
	int connector_running;	/* joined in broker_stop() */
	int loop_running;	/* set by the connector before it ends */
};

int broker_lib_init(void);
void broker_lib_cleanup(void);
/* Create the client and start connecting in the background.  The strings
 * in o must outlive b.  Returns 0, or -1 (logged) if the client cannot be
 * created at all; an unreachable broker is not an error. */
int broker_start(struct broker *b, const struct broker_opts *o);
int broker_publish(struct broker *b, const char *topic, const char *payload,
		   int qos, int retain);
int broker_publish_len(struct broker *b, const char *topic, const void *buf,
		       int len, int qos, int retain);
int broker_subscribe(struct broker *b, const char *pattern, int qos);
/* Wait until every publish was handed to the broker (QoS 1: PUBACK) or
 * timeout_ms passed.  Returns 0 if drained, -1 on timeout. */
int broker_drain(struct broker *b, long timeout_ms);
/* Disconnect cleanly (no last will), stop the thread, free the client. */
void broker_stop(struct broker *b);

#endif
