/*
 * button.c — button presses from devices: stored in `buttons`, sent to
 * WebSocket clients, and mapped to actions by config:
 *
 *	[button.happy]
 *	device = z2m/boite-votes	# the device id
 *	action = single			# its action string (empty: any)
 *	do = vote:3			# vote:N | session | event:NAME
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "part/button.h"
#include "core/conf.h"
#include "lab/device.h"
#include "core/hub.h"
#include "core/log.h"
#include "mqtt/mqtt.h"
#include "part/part.h"
#include "store/store.h"
#include "net/ws.h"

struct match {
	struct hub *h;
	const struct device *d;
	const char *action;
	double ts;
};

/* Run what config maps `name` to ("vote:3", "session", "event:NAME").
 * Shared with the GPIO buttons. */
int button_do(struct hub *h, const char *what, const char *source)
{
	if (!strncmp(what, "vote:", 5)) {
		int v = atoi(what + 5);

		return part_vote(h, v, (int)conf_int(h->conf, "rating.scale"), source);
	}
	if (!strcmp(what, "session"))
		return part_session_toggle(h, source);
	if (!strncmp(what, "event:", 6)) {
		char topic[160];

		snprintf(topic, sizeof(topic), "mlab/v1/hub/button/%s", what + 6);
		return mqtt_publish(h, 0, topic, source, strlen(source), 1, 0);
	}
	LOG(L_WARN, "button: unknown action '%s' for %s", what, source);
	return -1;
}

static void each_mapping(void *arg, const char *key, const char *name,
			 const char *value)
{
	struct match *m = arg;
	char k[256], source[300];
	const char *want, *what;

	if (strcmp(value, m->d->id))
		return;
	snprintf(k, sizeof(k), "button.%s.action", name);
	want = conf_str(m->h->conf, k);
	if (want && *want && strcmp(want, m->action))
		return;
	snprintf(k, sizeof(k), "button.%s.do", name);
	what = conf_str(m->h->conf, k);
	if (!what)
		return;
	snprintf(source, sizeof(source), "button:%s", m->d->id);
	button_do(m->h, what, source);
}

void button_pressed(struct hub *h, struct device *d, const char *action, double ts)
{
	static const char ins[] = "INSERT INTO buttons(dev, action, ts) VALUES (?1, ?2, ?3)";
	struct match m = { h, d, action, ts };
	sqlite3_stmt *st = store_stmt(h, ins);
	cJSON *o;

	if (st) {
		sqlite3_bind_int64(st, 1, d->dev);
		sqlite3_bind_text(st, 2, action, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 3, ts);
		store_exec(h, st);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "device", d->id);
	cJSON_AddStringToObject(o, "action", action);
	ws_broadcast(h, "button", o, WS_PUBLIC);
	conf_each(h->conf, "button.*.device", each_mapping, &m);
}
