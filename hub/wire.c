/*
 * wire.c — who hears what: the hub's fan-out tables, in one place.
 *
 * Lower layers announce; they never name who listens.  The registry
 * (lab/device.c) announces device news to device_subs, the WebSocket
 * transport (net/ws.c) builds its snapshot from ws_parts, and the loop
 * (core/loop.c) serves loop_protocols.  Each table is a const array of
 * const structs, the same idiom as the ecosystem table (eco/eco.c): adding
 * a listener is adding a row.  Unit tests link their own tables
 * (tests/unit/stub_*.c) instead of this file.
 */
#include <cjson/cJSON.h>

#include "core/hub.h"
#include "core/loop.h"
#include "fed/fed.h"
#include "gpio/gpio.h"
#include "ha/ha.h"
#include "lab/alert.h"
#include "lab/device.h"
#include "lab/devset.h"
#include "lab/hass.h"
#include "lab/health.h"
#include "lab/job.h"
#include "lab/machine.h"
#include "net/door.h"
#include "net/http.h"
#include "net/ws.h"
#include "part/button.h"
#include "part/part.h"

/* ---- device news: jobs, machines, alerts, buttons, clients, sessions, LEDs */

static void ws_changed(struct hub *h, struct device *d)
{
	ws_device_changed(h, d->idx);
}

static void gpio_online(struct hub *h, struct device *d, int online, double ts)
{
	gpio_state_changed(h);
}

static void gpio_link(struct hub *h, int link, int up)
{
	gpio_state_changed(h);
}

static const struct device_sub job_sub = { .name = "job", .update = job_update };
static const struct device_sub machine_sub = { .name = "machine", .metric = machine_metric };
static const struct device_sub alert_sub = {
	.name = "alert", .metric = alert_metric, .online = alert_device_online,
	.job_ended = alert_job_ended, .link = alert_link,
};
static const struct device_sub button_sub = { .name = "button", .button = button_pressed };
static const struct device_sub ws_sub = { .name = "ws", .changed = ws_changed };
static const struct device_sub part_sub = { .name = "part", .job_ended = part_job_ended };
static const struct device_sub gpio_sub = {
	.name = "gpio", .online = gpio_online, .link = gpio_link,
};
static const struct device_sub health_sub = { .name = "health", .link = health_link };

static const struct device_sub fed_sub = { .name = "fed", .link = fed_link };
static const struct device_sub hass_sub = { .name = "hass", .link = hass_link };
static const struct device_sub ha_sub = { .name = "ha", .link = ha_link, .session = ha_session };

const struct device_sub *const device_subs[] = {
	&job_sub, &machine_sub, &alert_sub, &button_sub, &ws_sub, &part_sub, &gpio_sub, &fed_sub,
	&hass_sub, &ha_sub,
	&health_sub,
};
const int device_nsubs = sizeof(device_subs) / sizeof(device_subs[0]);

/* ---- what a WebSocket client sees: devices, participation, alerts, health */

static int device_version(struct hub *h, int idx, unsigned *version)
{
	struct device *d = device_at(h, idx);

	if (!d)
		return -1;
	*version = d->version;
	return 0;
}

/* The device as the snapshot lists it, for staff or for the public (no
 * staff names); the caller owns it. */
static cJSON *device_item(struct hub *h, int idx, int staff)
{
	struct device *d = device_at(h, idx);
	cJSON *o = d ? devset_json(d) : NULL;

	if (o && !staff)
		devset_public(o);
	return o;
}

static void alerts_snapshot(struct hub *h, cJSON *snap, int audience)
{
	alert_ws_snapshot(h, snap);
}

/* The health fields beside the snapshot's own "broker" (links, commits,
 * disk), and a status message right after it. */
static void status_snapshot(struct hub *h, cJSON *snap, int audience)
{
	cJSON *f = cJSON_CreateObject(), *it;

	health_fields(h, f);
	cJSON_DeleteItemFromObject(f, "broker");
	while ((it = f->child)) {
		cJSON_DetachItemViaPointer(f, it);
		cJSON_AddItemToObject(snap, it->string, it);
	}
	cJSON_Delete(f);
}

static const struct ws_part devices_part = {
	.name = "devices", .version = device_version, .item = device_item,
	.item_type = "device",
};
static const struct ws_part part_part = { .name = "part", .snapshot = part_ws_snapshot };
static const struct ws_part alerts_part = { .name = "alerts", .snapshot = alerts_snapshot };
static const struct ws_part status_part = {
	.name = "status", .snapshot = status_snapshot, .after = health_status_message,
};

const struct ws_part *const ws_parts[] = { &devices_part, &part_part, &alerts_part, &status_part };
const int ws_nparts = sizeof(ws_parts) / sizeof(ws_parts[0]);

/* ---- what the loop serves: HTTP first (it gets the inbox wake-up) */

const struct lws_protocols *const loop_protocols[] = { &http_protocol, &ws_protocol, &door_protocol };
const int loop_nprotocols = sizeof(loop_protocols) / sizeof(loop_protocols[0]);
