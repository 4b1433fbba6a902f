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
#include "net/ws.h"
#include "store/store.h"

struct machine {
	char name[64];		/* the config section: machine_use.machine */
	char label[128];	/* machine.<name>.name, for people */
	char plug[ECO_ID_MAX + 20];
	double busy_w;
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
	m->busy_w = conf_num(h->conf, k);
}

int machine_init(struct hub *h)
{
	static const char open_rows[] =
		"SELECT id, started_at FROM machine_use WHERE machine=?1 AND ended_at IS NULL"
		" ORDER BY id DESC LIMIT 1";
	struct machines *ms = h->machines = calloc(1, sizeof(*ms));

	if (!ms)
		return -1;
	conf_each(h->conf, "machine.*.plug", each_plug, h);
	for (int i = 0; i < ms->n; i++) {
		sqlite3_stmt *st = store_stmt(h, open_rows);

		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, ms->m[i].name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			ms->m[i].busy = 1;
			ms->m[i].row = sqlite3_column_int64(st, 0);
		}
		sqlite3_reset(st);
	}
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

void machine_metric(struct hub *h, struct device *d, const char *metric,
		    double value, double ts)
{
	static const char start[] =
		"INSERT INTO machine_use(machine, plug, started_at) VALUES (?1, ?2, ?3)";
	static const char end[] =
		"UPDATE machine_use SET ended_at=?2, energy_kwh=coalesce(energy_kwh, 0) + ?3 WHERE id=?1";
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
			if (!(st = store_stmt(h, end)))
				return;
			sqlite3_bind_int64(st, 1, m->row);
			sqlite3_bind_double(st, 2, ts);
			sqlite3_bind_double(st, 3, m->energy_kwh);
			store_exec(h, st);
			m->busy = 0;
			m->row = 0;
			announce(h, m, ts);
		}
	}
}
