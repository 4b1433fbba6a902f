/*
 * machine.c — machines measured by smart plugs.
 *
 *	[machine.prusa-mk4]
 *	plug = tasmota/prusa-salle2	# the plug's device id
 *	busy_w = 15			# busy above this power
 *	name = Prusa MK4
 *
 * A busy period opens a machine_use row when the plug's power_w rises
 * above busy_w and closes it when it falls back, with the energy
 * integrated from the power readings.  A row left open by a restart is
 * resumed.
 *
 * Facilitators can say the same from the dashboard (a plug's settings,
 * lab/devset.c): a name there wins over machine.<name>.name, a busy_w
 * over the configured one, and a plug that no section names becomes a
 * machine of its own, keyed by the plug's id.  GET /api/machines lists
 * them with their names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "lab/device.h"
#include "lab/machine.h"
#include "net/api.h"
#include "net/ws.h"
#include "store/store.h"

struct machine {
	char name[ECO_ID_MAX + 20];	/* machine_use.machine: the config section, or the plug */
	char label[128];	/* for people: the dashboard's, else machine.<name>.name */
	char conf_label[128];	/* machine.<name>.name ("" for a dashboard machine) */
	char plug[ECO_ID_MAX + 20];
	double busy_w, conf_busy_w;
	int configured;		/* from a [machine.<name>] section */
	int busy;
	int64_t row;
	double last_ts, last_w, energy_kwh;
};

struct machines {
	int n;
	struct machine m[32];
};

static struct machines *mstate(struct hub *h)
{
	return h->machines;
}

static void each_plug(void *arg, const char *key, const char *name, const char *value)
{
	struct hub *h = arg;
	struct machines *ms = mstate(h);
	struct machine *m;
	char k[160];

	if (ms->n >= (int)(sizeof(ms->m) / sizeof(ms->m[0]))) {
		LOG(L_WARN, "machine.%s: too many machines, ignored", name);
		return;
	}
	m = &ms->m[ms->n++];
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(k, sizeof(k), "machine.%s.name", name);
	snprintf(m->label, sizeof(m->label), "%s", conf_str(h->conf, k) ? conf_str(h->conf, k) : name);
	snprintf(m->plug, sizeof(m->plug), "%s", value);
	snprintf(k, sizeof(k), "machine.%s.busy_w", name);
	m->busy_w = m->conf_busy_w = conf_num(h->conf, k);
	memcpy(m->conf_label, m->label, sizeof(m->conf_label));
	m->configured = 1;
}

static int get_machines(struct api_req *req, struct api_resp *resp);

static const struct api_route machine_routes[] = {
	{ "GET", "/api/machines", ROLE_NONE, get_machines },
	{ NULL, NULL, 0, NULL },
};

/* Resume the busy period machine m left open before a restart. */
static int resume(struct hub *h, struct machine *m)
{
	static const char open_rows[] =
		"SELECT id, started_at FROM machine_use WHERE machine=?1 AND ended_at IS NULL"
		" ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = store_stmt(h, open_rows);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		m->busy = 1;
		m->row = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return 0;
}

int machine_init(struct hub *h)
{
	struct machines *ms = h->machines = calloc(1, sizeof(*ms));

	if (!ms)
		return -1;
	conf_each(h->conf, "machine.*.plug", each_plug, h);
	if (api_register(h, machine_routes))
		return -1;
	for (int i = 0; i < ms->n; i++)
		if (resume(h, &ms->m[i]))
			return -1;
	if (ms->n)
		LOG(L_INFO, "machine: %d machine(s) measured by plugs", ms->n);
	return 0;
}

void machine_fini(struct hub *h)
{
	free(h->machines);
	h->machines = NULL;
}

static void announce(struct hub *h, struct machine *m, double ts)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "machine", m->name);
	cJSON_AddStringToObject(o, "name", m->label);
	cJSON_AddStringToObject(o, "plug", m->plug);
	cJSON_AddBoolToObject(o, "busy", m->busy);
	cJSON_AddNumberToObject(o, "energy_kwh", m->energy_kwh);
	ws_broadcast(h, "machine", o, WS_PUBLIC);
}

/* Close m's open busy period at ts (power fell, or it stops being
 * measured). */
static void close_open(struct hub *h, struct machine *m, double ts)
{
	static const char end[] =
		"UPDATE machine_use SET ended_at=?2, energy_kwh=coalesce(energy_kwh, 0) + ?3 WHERE id=?1";
	sqlite3_stmt *st;

	if (!m->busy || !(st = store_stmt(h, end)))
		return;
	sqlite3_bind_int64(st, 1, m->row);
	sqlite3_bind_double(st, 2, ts);
	sqlite3_bind_double(st, 3, m->energy_kwh);
	store_exec(h, st);
	m->busy = 0;
	m->row = 0;
}

void machine_metric(struct hub *h, struct device *d, const char *metric,
		    double value, double ts)
{
	static const char start[] =
		"INSERT INTO machine_use(machine, plug, started_at) VALUES (?1, ?2, ?3)";
	struct machines *ms = mstate(h);

	if (!ms || strcmp(metric, "power_w"))
		return;
	for (int i = 0; i < ms->n; i++) {
		struct machine *m = &ms->m[i];
		sqlite3_stmt *st;

		if (strcmp(m->plug, d->id))
			continue;
		if (m->busy && m->last_ts && ts > m->last_ts)
			m->energy_kwh += (m->last_w + value) / 2 * (ts - m->last_ts) / 3.6e6;
		m->last_ts = ts;
		m->last_w = value;
		if (!m->busy && value > m->busy_w) {
			if (!(st = store_stmt(h, start)))
				return;
			sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, m->plug, -1, SQLITE_STATIC);
			sqlite3_bind_double(st, 3, ts);
			if (store_exec(h, st) != SQLITE_DONE)
				return;
			m->row = sqlite3_last_insert_rowid(store_db(h));
			m->busy = 1;
			m->energy_kwh = 0;
			announce(h, m, ts);
		} else if (m->busy && value <= m->busy_w) {
			close_open(h, m, ts);
			announce(h, m, ts);
		}
	}
}

int machine_plug_set(struct hub *h, const char *plug, const char *label, double busy_w)
{
	struct machines *ms = mstate(h);
	struct machine *m = NULL;

	if (!ms)
		return 0;
	for (int i = 0; i < ms->n && !m; i++)
		if (!strcmp(ms->m[i].plug, plug))
			m = &ms->m[i];
	if (!m && !label)
		return 0;
	if (!m) {
		if (ms->n >= (int)(sizeof(ms->m) / sizeof(ms->m[0]))) {
			LOG(L_WARN, "machine: too many machines, %s not measured", plug);
			return -1;
		}
		m = &ms->m[ms->n++];
		memset(m, 0, sizeof(*m));
		snprintf(m->name, sizeof(m->name), "%s", plug);
		snprintf(m->plug, sizeof(m->plug), "%s", plug);
		resume(h, m);
	}
	if (!label && !m->configured) {	/* a dashboard machine no more */
		close_open(h, m, hub_now());
		*m = ms->m[--ms->n];
		return 0;
	}
	snprintf(m->label, sizeof(m->label), "%s", label ? label : m->conf_label);
	m->busy_w = busy_w > 0 ? busy_w : m->configured ? m->conf_busy_w : MACHINE_BUSY_W;
	return 0;
}

void machine_plug_gone(struct hub *h, const char *plug)
{
	struct machines *ms = mstate(h);

	for (int i = 0; ms && i < ms->n; i++)
		if (!strcmp(ms->m[i].plug, plug) && ms->m[i].busy) {
			close_open(h, &ms->m[i], hub_now());
			announce(h, &ms->m[i], hub_now());
		}
	machine_plug_set(h, plug, NULL, 0);
}

const char *machine_label(struct hub *h, const char *machine)
{
	struct machines *ms = mstate(h);

	for (int i = 0; ms && i < ms->n; i++)
		if (!strcmp(ms->m[i].name, machine))
			return ms->m[i].label;
	return NULL;
}

/* GET /api/machines: {"machines":[{"machine","name","plug","busy",
 * "busy_w","configured"}]}; without "name" for a reader who is not staff. */
static int get_machines(struct api_req *req, struct api_resp *resp)
{
	struct machines *ms = mstate(req->h);
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "machines");

	for (int i = 0; ms && i < ms->n; i++) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "machine", ms->m[i].name);
		cJSON_AddStringToObject(m, "name", ms->m[i].label);
		cJSON_AddStringToObject(m, "plug", ms->m[i].plug);
		cJSON_AddBoolToObject(m, "busy", ms->m[i].busy);
		cJSON_AddNumberToObject(m, "busy_w", ms->m[i].busy_w);
		cJSON_AddBoolToObject(m, "configured", ms->m[i].configured);
		cJSON_AddItemToArray(arr, m);
	}
	if (req->role < ROLE_FACILITATOR)	/* the staff's names may name people */
		api_strip_personal(o);
	return api_json(resp, 200, o);
}
