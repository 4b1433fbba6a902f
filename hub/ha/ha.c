/*
 * ha.c — the lab's participation as Home Assistant sensors, beside the
 * hub's own entities that lab/hass.c announces (the same device block and
 * availability).  It lives above report because the fiscal year's count
 * is the report's own figure.
 *
 * One retained JSON state on HA_STATE_TOPIC (mlab/v1/hub/participation),
 * republished every minute (today's counts change with every check-in)
 * and at once when a session opens, changes or ends.  Four sensors read
 * it with a value template:
 *   - "Session": open / closed, with the public project titles, the head
 *     count and the start as attributes;
 *   - "Check-ins today", "Contributions confirmed today" (lab's local day);
 *   - "Participation projects (fiscal year)": the report's
 *     participation_projects for the current fiscal year.
 * Only what the public dashboard shows: no names, no internal projects.
 * ha.discovery = no stops the configs, not the state (Node-RED reads it).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/loop.h"
#include "lab/hass.h"
#include "mqtt/mqtt.h"
#include "part/session.h"
#include "report/fiscal.h"
#include "report/report.h"
#include "store/store.h"
#include "ha/ha.h"

/* Midnight of today in the lab's zone (UTC when the zone is missing), a
 * whole second; the date as YYYY-MM-DD into day. */
static double today_start(struct hub *h, char *day, size_t len)
{
	struct fiscal_tz z;
	char err[256];
	time_t now = (time_t)hub_now();
	struct tm tm;
	int zone = !fiscal_tz_enter(&z, conf_str(h->conf, "lab.timezone"), err, sizeof(err));
	double t;

	if (zone)
		localtime_r(&now, &tm);
	else
		gmtime_r(&now, &tm);
	strftime(day, len, "%Y-%m-%d", &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	t = zone ? (double)mktime(&tm) : (double)timegm(&tm);
	if (zone)
		fiscal_tz_leave(&z);
	return t;
}

/* The "session" part of the state into o. */
static void session_state(struct hub *h, cJSON *o)
{
	int64_t id = session_open_id(h);
	cJSON *s = id ? session_json(h, id, 0) : NULL, *titles, *p;

	cJSON_AddStringToObject(o, "state", s ? "open" : "closed");
	if (!s) {
		cJSON_AddNullToObject(o, "id");
		cJSON_AddItemToObject(o, "projects", cJSON_CreateArray());
		cJSON_AddNumberToObject(o, "head_count", 0);
		return;
	}
	cJSON_AddNumberToObject(o, "id", (double)id);
	titles = cJSON_AddArrayToObject(o, "projects");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "projects")) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "title"));

		if (t)
			cJSON_AddItemToArray(titles, cJSON_CreateString(t));
	}
	p = cJSON_GetObjectItemCaseSensitive(s, "people_checked_in");
	cJSON_AddNumberToObject(o, "head_count", cJSON_IsNumber(p) ? p->valuedouble : 0);
	p = cJSON_GetObjectItemCaseSensitive(s, "started_at");
	if (cJSON_IsString(p))
		cJSON_AddStringToObject(o, "started_at", p->valuestring);
	cJSON_Delete(s);
}

cJSON *ha_state(struct hub *h)
{
	static const char q_in[] =
		"SELECT count(*) FROM participants p LEFT JOIN sessions s ON s.id = p.session_id"
		" WHERE p.created_at >= ?1 AND s.removed_at IS NULL";
	static const char q_people[] =
		"SELECT coalesce(sum(p.party_size), 0) FROM participants p"
		" LEFT JOIN sessions s ON s.id = p.session_id"
		" WHERE p.created_at >= ?1 AND s.removed_at IS NULL";
	static const char q_conf[] =
		"SELECT count(*) FROM contributions WHERE status = 'confirmed' AND decided_at >= ?1";
	cJSON *o, *t, *y;
	char day[16];
	double t0;
	long n = 0;
	int fy;

	if (!h->store)
		return NULL;
	o = cJSON_CreateObject();
	session_state(h, cJSON_AddObjectToObject(o, "session"));
	t0 = today_start(h, day, sizeof(day));
	t = cJSON_AddObjectToObject(o, "today");
	cJSON_AddStringToObject(t, "date", day);
	cJSON_AddNumberToObject(t, "checkins", (double)store_int(h, q_in, (long long)t0));
	cJSON_AddNumberToObject(t, "people", (double)store_int(h, q_people, (long long)t0));
	cJSON_AddNumberToObject(t, "contributions_confirmed",
				(double)store_int(h, q_conf, (long long)t0));
	fy = report_current_fy(h);
	y = cJSON_AddObjectToObject(o, "fiscal_year");
	cJSON_AddNumberToObject(y, "fy", fy);
	if (report_participation_projects(h, fy, &n))
		cJSON_AddNullToObject(y, "participation_projects");
	else
		cJSON_AddNumberToObject(y, "participation_projects", (double)n);
	return o;
}

void ha_publish(struct hub *h)
{
	cJSON *o;
	char *s;

	if (!h->mqtt || !(o = ha_state(h)))
		return;
	s = cJSON_PrintUnformatted(o);
	if (s)
		mqtt_publish(h, 0, HA_STATE_TOPIC, s, strlen(s), 1, 1);
	cJSON_free(s);
	cJSON_Delete(o);
}

static void tick(struct hub *h, void *arg)
{
	ha_publish(h);
}

/* One sensor reading field (a template path into the state) of the state. */
static void sensor(struct hub *h, const char *object, const char *name, const char *value,
		   const char *attributes, const char *icon)
{
	cJSON *o = hass_config(h, object, name);

	cJSON_AddStringToObject(o, "state_topic", HA_STATE_TOPIC);
	cJSON_AddStringToObject(o, "value_template", value);
	if (attributes) {
		cJSON_AddStringToObject(o, "json_attributes_topic", HA_STATE_TOPIC);
		cJSON_AddStringToObject(o, "json_attributes_template", attributes);
	} else {
		cJSON_AddStringToObject(o, "state_class", "measurement");
	}
	cJSON_AddStringToObject(o, "icon", icon);
	hass_announce(h, "sensor", object, o);
}

void ha_link(struct hub *h, int link, int up)
{
	if (link != 0 || !up)
		return;
	if (hass_enabled(h)) {
		sensor(h, "session", "Session", "{{ value_json.session.state }}",
		       "{{ value_json.session | tojson }}", "mdi:account-group");
		sensor(h, "checkins_today", "Check-ins today", "{{ value_json.today.checkins }}",
		       NULL, "mdi:account-check");
		sensor(h, "contributions_today", "Contributions confirmed today",
		       "{{ value_json.today.contributions_confirmed }}", NULL, "mdi:lightbulb-on");
		sensor(h, "fy_projects", "Participation projects (fiscal year)",
		       "{{ value_json.fiscal_year.participation_projects }}", NULL, "mdi:folder-star");
	}
	ha_publish(h);
}

void ha_session(struct hub *h, int64_t id, const char *event)
{
	ha_publish(h);
}

int ha_init(struct hub *h)
{
	loop_every(h, HA_EVERY_MS, HA_EVERY_MS, tick, NULL);
	return 0;
}
