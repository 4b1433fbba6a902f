/*
 * broker.c — libmosquitto connection with reconnect (see broker.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <mosquitto.h>

#include "broker.h"
#include "clk.h"
#include "dlog.h"

int broker_lib_init(void)
{
	if (mosquitto_lib_init() != MOSQ_ERR_SUCCESS) {
		DLOG(D_ERR, "libmosquitto init failed");
		return -1;
	}
	return 0;
}

void broker_lib_cleanup(void)
{
	mosquitto_lib_cleanup();
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct broker *b = arg;

	if (rc != 0) {
		if (!atomic_exchange(&b->down_logged, 1))
			DLOG(D_WARN, "%s:%d refused the connection: %s",
			     b->o.host, b->o.port,
			     mosquitto_connack_string(rc));
		return;
	}
	atomic_store(&b->connected, 1);
	atomic_store(&b->down_logged, 0);
	DLOG(b->o.quiet ? D_INFO : D_NOTICE, "connected to %s:%d as %s",
	     b->o.host, b->o.port, b->o.client_id ? b->o.client_id : "?");
	if (b->o.on_connect)
		b->o.on_connect(b, b->o.arg);
}

static void on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct broker *b = arg;

	if (atomic_exchange(&b->connected, 0) && rc != 0)
		DLOG(b->o.quiet ? D_INFO : D_WARN,
		     "lost %s:%d, reconnecting", b->o.host, b->o.port);
}

static void on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct broker *b = arg;

	atomic_fetch_sub(&b->pending, 1);
}

static void on_message(struct mosquitto *m, void *arg,
		       const struct mosquitto_message *msg)
{
	struct broker *b = arg;

	if (b->o.on_message)
		b->o.on_message(b, msg->topic,
				msg->payload ? msg->payload : "",
				msg->payloadlen, msg->retain, b->o.arg);
}

/*
 * Connector thread: make the first connection, retrying with back-off
 * until it succeeds or broker_stop() is called, then start libmosquitto's
 * network thread, which handles every later reconnect itself.
 */
static void *connector(void *arg)
{
	struct broker *b = arg;
	long delay_ms = 1000;
	int rc;

	for (;;) {
		rc = mosquitto_connect(b->mosq, b->o.host, b->o.port,
				       b->o.keepalive);
		if (rc == MOSQ_ERR_SUCCESS)
			break;
		if (!atomic_exchange(&b->down_logged, 1))
			DLOG(b->o.quiet ? D_INFO : D_WARN,
			     "cannot reach %s:%d (%s), will keep trying",
			     b->o.host, b->o.port,
			     rc == MOSQ_ERR_ERRNO ? strerror(errno) :
						    mosquitto_strerror(rc));
		for (long t = 0; t < delay_ms; t += 50) {
			if (atomic_load(&b->stopping))
				return NULL;
			clk_sleep_ms(50);
		}
		if (delay_ms < 4000)
			delay_ms *= 2;
	}
	rc = mosquitto_loop_start(b->mosq);
	if (rc != MOSQ_ERR_SUCCESS)
		DLOG(D_ERR, "mosquitto_loop_start: %s", mosquitto_strerror(rc));
	else
		b->loop_running = 1;
	return NULL;
}

/*
 * Create the client, set the will and callbacks, and start connecting in
 * the background (see connector()).
 */
int broker_start(struct broker *b, const struct broker_opts *o)
{
	int rc;

	memset(b, 0, sizeof(*b));
	b->o = *o;
	if (!b->o.host)
		b->o.host = "127.0.0.1";
	if (!b->o.port)
		b->o.port = 1883;
	if (!b->o.keepalive)
		b->o.keepalive = 30;
	b->mosq = mosquitto_new(b->o.client_id, true, b);
	if (!b->mosq) {
		DLOG(D_ERR, "mosquitto_new: %s", strerror(errno));
		return -1;
	}
	mosquitto_int_option(b->mosq, MOSQ_OPT_PROTOCOL_VERSION,
			     MQTT_PROTOCOL_V311);
	if (b->o.max_inflight > 0)
		mosquitto_max_inflight_messages_set(b->mosq,
						    (unsigned)b->o.max_inflight);
	if (b->o.username)
		mosquitto_username_pw_set(b->mosq, b->o.username,
					  b->o.password);
	if (b->o.will_topic) {
		rc = mosquitto_will_set(b->mosq, b->o.will_topic,
					(int)strlen(b->o.will_payload),
					b->o.will_payload, 1,
					b->o.will_retain);
		if (rc != MOSQ_ERR_SUCCESS) {
			DLOG(D_ERR, "last will on %s: %s", b->o.will_topic,
			     mosquitto_strerror(rc));
			goto fail;
		}
	}
	mosquitto_reconnect_delay_set(b->mosq, 1, 4, true);
	mosquitto_connect_callback_set(b->mosq, on_connect);
	mosquitto_disconnect_callback_set(b->mosq, on_disconnect);
	mosquitto_publish_callback_set(b->mosq, on_publish);
	mosquitto_message_callback_set(b->mosq, on_message);

	if (pthread_create(&b->connector, NULL, connector, b) != 0) {
		DLOG(D_ERR, "cannot start the connector thread");
		goto fail;
	}
	b->connector_running = 1;
	return 0;
fail:
	mosquitto_destroy(b->mosq);
	b->mosq = NULL;
	return -1;
}

int broker_publish_len(struct broker *b, const char *topic, const void *buf,
		       int len, int qos, int retain)
{
	int rc;

	atomic_fetch_add(&b->pending, 1);
	rc = mosquitto_publish(b->mosq, NULL, topic, len, buf, qos,
			       retain ? true : false);
	if (rc == MOSQ_ERR_SUCCESS)
		return 0;
	/* QoS 0 while disconnected: nothing was queued, nothing will ack */
	atomic_fetch_sub(&b->pending, 1);
	if (rc != MOSQ_ERR_NO_CONN)
		DLOG(D_WARN, "publish %s: %s", topic, mosquitto_strerror(rc));
	return -1;
}

int broker_publish(struct broker *b, const char *topic, const char *payload,
		   int qos, int retain)
{
	return broker_publish_len(b, topic, payload, (int)strlen(payload), qos,
				  retain);
}

int broker_subscribe(struct broker *b, const char *pattern, int qos)
{
	int rc = mosquitto_subscribe(b->mosq, NULL, pattern, qos);

	if (rc != MOSQ_ERR_SUCCESS) {
		DLOG(D_WARN, "subscribe %s: %s", pattern,
		     mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

int broker_drain(struct broker *b, long timeout_ms)
{
	int64_t end = clk_mono_ms() + timeout_ms;

	while (atomic_load(&b->pending) > 0) {
		if (clk_mono_ms() >= end)
			return -1;
		clk_sleep_ms(5);
	}
	return 0;
}

void broker_stop(struct broker *b)
{
	if (!b->mosq)
		return;
	atomic_store(&b->stopping, 1);
	if (b->connector_running)
		pthread_join(b->connector, NULL);
	b->connector_running = 0;
	mosquitto_disconnect(b->mosq);
	if (b->loop_running)
		mosquitto_loop_stop(b->mosq, false);
	b->loop_running = 0;
	mosquitto_destroy(b->mosq);
	b->mosq = NULL;
	atomic_store(&b->connected, 0);
}
