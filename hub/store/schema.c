/*
 * schema.c — the database's schema, as the migrations that build it.
 *
 * Migrations are an array of SQL scripts; PRAGMA user_version says how
 * many have run.  A module that needs tables adds a script at the end of
 * `migrations` (never edits one that has shipped).  The CHECK lists come
 * from core/vocab.h (schema 2's licence list, since widened, stays as it
 * shipped).  A script may call the SQL functions store_open() registers
 * first (pack.c's mlab_mblk).  The connection, the group commit and its
 * hooks are store.c's.
 */
#include <stdio.h>

#include "core/log.h"
#include "core/vocab.h"
#include "store/schema.h"

static const char *const migrations[] = {
	/* 1: devices, telemetry, events, jobs, buttons, machine use */
	"CREATE TABLE devices("
	"  dev INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  source TEXT NOT NULL,"
	"  native TEXT NOT NULL,"
	"  name TEXT, kind TEXT, model TEXT, room TEXT, firmware TEXT,"
	"  online INTEGER NOT NULL DEFAULT 0,"
	"  first_seen REAL NOT NULL,"
	"  last_seen REAL NOT NULL,"
	"  state TEXT);"
	/* one b-tree, not a table plus an index: half the work per row */
	"CREATE TABLE telemetry("
	"  dev INTEGER NOT NULL, metric TEXT NOT NULL,"
	"  ts REAL NOT NULL, value REAL NOT NULL,"
	"  PRIMARY KEY(dev, metric, ts)) WITHOUT ROWID;"
	"CREATE TABLE telemetry_min("
	"  dev INTEGER NOT NULL, metric TEXT NOT NULL, minute INTEGER NOT NULL,"
	"  n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
	"  PRIMARY KEY(dev, metric, minute)) WITHOUT ROWID;"
	"CREATE TABLE events("
	"  dev INTEGER NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,"
	"  ts REAL NOT NULL, rx REAL NOT NULL, body TEXT,"
	"  PRIMARY KEY(dev, seq)) WITHOUT ROWID;"
	"CREATE TABLE jobs("
	"  id INTEGER PRIMARY KEY, dev INTEGER NOT NULL,"
	"  kind TEXT NOT NULL DEFAULT 'print', file TEXT, state TEXT NOT NULL,"
	"  started_at REAL, ended_at REAL, duration_s REAL,"
	"  progress_pct REAL, layers INTEGER, filament_mm REAL, meta TEXT);"
	"CREATE INDEX jobs_dev ON jobs(dev, started_at);"
	"CREATE INDEX jobs_ended ON jobs(ended_at);"
	"CREATE TABLE buttons("
	"  id INTEGER PRIMARY KEY, dev INTEGER NOT NULL,"
	"  action TEXT NOT NULL, ts REAL NOT NULL);"
	"CREATE TABLE machine_use("
	"  id INTEGER PRIMARY KEY, machine TEXT NOT NULL, plug TEXT NOT NULL,"
	"  started_at REAL NOT NULL, ended_at REAL, energy_kwh REAL);"
	"CREATE INDEX machine_use_m ON machine_use(machine, started_at);",

	/* 2: accounts, audit, and participation (projects, sessions,
	 * participants with per-purpose consents, contributions, ratings).
	 * Times are Unix seconds (REAL); a participant erased or purged keeps
	 * its row (age band, session) with the personal columns NULL. */
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK(role IN (" VOCAB_SQL(VOCAB_ROLE) ")),"
	"  hash TEXT NOT NULL, created_at REAL NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE auth_sessions("
	"  token_hash TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_at REAL NOT NULL, expires_at REAL NOT NULL);"
	"CREATE TABLE audit("
	"  id INTEGER PRIMARY KEY, ts REAL NOT NULL, user TEXT,"
	"  action TEXT NOT NULL, object TEXT, detail TEXT);"
	"CREATE TABLE projects("
	"  id INTEGER PRIMARY KEY, title TEXT NOT NULL, summary TEXT,"
	"  status TEXT NOT NULL DEFAULT 'active'"
	"   CHECK(status IN (" VOCAB_SQL(VOCAB_PROJECT_STATUS) ")),"
	"  visibility TEXT NOT NULL DEFAULT 'public' CHECK(visibility IN (" VOCAB_SQL(VOCAB_VISIBILITY) ")),"
	"  starts_on TEXT, ends_on TEXT, partners TEXT, cover TEXT,"
	"  created_at REAL NOT NULL, updated_at REAL NOT NULL);"
	"CREATE TABLE project_themes("
	"  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
	"  theme TEXT NOT NULL, PRIMARY KEY(project_id, theme)) WITHOUT ROWID;"
	"CREATE TABLE sessions("
	"  id INTEGER PRIMARY KEY, started_at REAL NOT NULL, ended_at REAL,"
	"  facilitator TEXT,"
	"  group_type TEXT NOT NULL DEFAULT 'walk-in'"
	"   CHECK(group_type IN (" VOCAB_SQL(VOCAB_GROUP_TYPE) ")),"
	"  group_size INTEGER NOT NULL DEFAULT 0 CHECK(group_size >= 0),"
	"  grade TEXT, notes TEXT, source TEXT);"
	"CREATE INDEX sessions_started ON sessions(started_at);"
	"CREATE TABLE session_projects("
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  project_id INTEGER NOT NULL REFERENCES projects(id),"
	"  PRIMARY KEY(session_id, project_id)) WITHOUT ROWID;"
	"CREATE TABLE session_devices("
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  device_id TEXT NOT NULL, PRIMARY KEY(session_id, device_id)) WITHOUT ROWID;"
	"CREATE TABLE participants("
	"  id INTEGER PRIMARY KEY, session_id INTEGER REFERENCES sessions(id),"
	"  age_band TEXT, postal_area TEXT, display_name TEXT, email TEXT,"
	"  created_at REAL NOT NULL, last_seen REAL NOT NULL,"
	"  erased_at REAL, purged_at REAL);"
	"CREATE INDEX participants_session ON participants(session_id);"
	"CREATE TABLE consents("
	"  id INTEGER PRIMARY KEY,"
	"  participant_id INTEGER NOT NULL REFERENCES participants(id),"
	"  purpose TEXT NOT NULL CHECK(purpose IN (" VOCAB_SQL(VOCAB_CONSENT_PURPOSE) ")),"
	"  granted INTEGER NOT NULL, given_by TEXT NOT NULL DEFAULT 'self'"
	"   CHECK(given_by IN (" VOCAB_SQL(VOCAB_GIVEN_BY) ")),"
	"  text_version TEXT NOT NULL, at REAL NOT NULL);"
	"CREATE TABLE contributions("
	"  id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES projects(id),"
	"  session_id INTEGER REFERENCES sessions(id),"
	"  participant_id INTEGER REFERENCES participants(id),"
	"  kind TEXT NOT NULL CHECK(kind IN (" VOCAB_SQL(VOCAB_CONTRIB_KIND) ")),"
	"  title TEXT NOT NULL, body TEXT, links TEXT,"
	"  licence TEXT NOT NULL DEFAULT 'none'"
	/* the licences as this schema shipped them; schema 5 widened the list */
	"   CHECK(licence IN ('CC-BY-4.0','CC-BY-SA-4.0','CC0-1.0','none')),"
	"  status TEXT NOT NULL DEFAULT 'pending' CHECK(status IN (" VOCAB_SQL(VOCAB_CONTRIB_STATUS) ")),"
	"  device_id TEXT, job_id INTEGER REFERENCES jobs(id),"
	"  created_at REAL NOT NULL, decided_at REAL, decided_by TEXT);"
	"CREATE INDEX contributions_status ON contributions(status, created_at);"
	"CREATE TABLE ratings("
	"  id INTEGER PRIMARY KEY, session_id INTEGER REFERENCES sessions(id),"
	"  value INTEGER NOT NULL, scale INTEGER NOT NULL CHECK(scale IN (3, 5)),"
	"  question TEXT NOT NULL, source TEXT NOT NULL, at REAL NOT NULL,"
	"  CHECK(value BETWEEN 1 AND scale));"
	"CREATE INDEX ratings_at ON ratings(at);",

	/* 3: participation, second step: failed logins per peer (the login
	 * rate limit survives a restart), how many people one check-in stands
	 * for (a family checking in once), and indexes the API reads by. */
	"CREATE TABLE login_failures(peer TEXT NOT NULL, at REAL NOT NULL);"
	"CREATE INDEX login_failures_peer ON login_failures(peer, at);"
	"ALTER TABLE participants ADD COLUMN party_size INTEGER NOT NULL DEFAULT 1"
	"  CHECK(party_size BETWEEN 1 AND 1000);"
	"CREATE INDEX sessions_ended ON sessions(ended_at);"
	"CREATE INDEX consents_participant ON consents(participant_id);"
	"CREATE INDEX contributions_participant ON contributions(participant_id);"
	"CREATE INDEX audit_ts ON audit(ts);",

	/* 4: metric names once, in a dictionary: telemetry keys carry a small
	 * integer instead of the name (rows about 40 % smaller, cheaper key
	 * comparisons, fewer pages written per commit) */
	"CREATE TABLE metrics(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"INSERT INTO metrics(name) SELECT metric FROM telemetry"
	"  UNION SELECT metric FROM telemetry_min;"
	"CREATE TABLE telemetry_new("
	"  dev INTEGER NOT NULL, mid INTEGER NOT NULL,"
	"  ts REAL NOT NULL, value REAL NOT NULL,"
	"  PRIMARY KEY(dev, mid, ts)) WITHOUT ROWID;"
	"INSERT OR REPLACE INTO telemetry_new SELECT t.dev, m.id, t.ts, t.value"
	"  FROM telemetry t JOIN metrics m ON m.name = t.metric;"
	"DROP TABLE telemetry;"
	"ALTER TABLE telemetry_new RENAME TO telemetry;"
	"CREATE TABLE telemetry_min_new("
	"  dev INTEGER NOT NULL, mid INTEGER NOT NULL, minute INTEGER NOT NULL,"
	"  n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
	"  PRIMARY KEY(dev, mid, minute)) WITHOUT ROWID;"
	"INSERT OR REPLACE INTO telemetry_min_new SELECT t.dev, m.id, t.minute, t.n, t.sum, t.min, t.max"
	"  FROM telemetry_min t JOIN metrics m ON m.name = t.metric;"
	"DROP TABLE telemetry_min;"
	"ALTER TABLE telemetry_min_new RENAME TO telemetry_min;",

	/* 5: the facilitator's workflows.  A session opened by mistake is
	 * removed (deleted, or merged into another) without losing its row:
	 * removed_* say when, by whom and why, merged_into where its people
	 * went; the report skips removed sessions and its trail lists them.
	 * A rejected contribution keeps its reason; a project remembers the
	 * licence last chosen for it; contributions take every CC 4.0 licence
	 * (the CHECK changes, so the table is rebuilt); a check-in may list
	 * its people by age band (a family: adults plus children). */
	"ALTER TABLE sessions ADD COLUMN removed_at REAL;"
	"ALTER TABLE sessions ADD COLUMN removed_by TEXT;"
	"ALTER TABLE sessions ADD COLUMN removed_reason TEXT;"
	"ALTER TABLE sessions ADD COLUMN merged_into INTEGER REFERENCES sessions(id);"
	"ALTER TABLE projects ADD COLUMN licence TEXT;"
	"CREATE TABLE contributions_new("
	"  id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES projects(id),"
	"  session_id INTEGER REFERENCES sessions(id),"
	"  participant_id INTEGER REFERENCES participants(id),"
	"  kind TEXT NOT NULL CHECK(kind IN (" VOCAB_SQL(VOCAB_CONTRIB_KIND) ")),"
	"  title TEXT NOT NULL, body TEXT, links TEXT,"
	"  licence TEXT NOT NULL DEFAULT 'none'"
	"   CHECK(licence IN (" VOCAB_SQL(VOCAB_LICENCE) ")),"
	"  status TEXT NOT NULL DEFAULT 'pending' CHECK(status IN (" VOCAB_SQL(VOCAB_CONTRIB_STATUS) ")),"
	"  device_id TEXT, job_id INTEGER REFERENCES jobs(id),"
	"  created_at REAL NOT NULL, decided_at REAL, decided_by TEXT, reason TEXT);"
	"INSERT INTO contributions_new(id, project_id, session_id, participant_id, kind, title,"
	"  body, links, licence, status, device_id, job_id, created_at, decided_at, decided_by)"
	"  SELECT id, project_id, session_id, participant_id, kind, title, body, links, licence,"
	"  status, device_id, job_id, created_at, decided_at, decided_by FROM contributions;"
	"DROP TABLE contributions;"
	"ALTER TABLE contributions_new RENAME TO contributions;"
	"CREATE INDEX contributions_status ON contributions(status, created_at);"
	"CREATE INDEX contributions_participant ON contributions(participant_id);"
	"CREATE INDEX contributions_session ON contributions(session_id);"
	"CREATE TABLE participant_members("
	"  participant_id INTEGER NOT NULL REFERENCES participants(id),"
	"  age_band TEXT, n INTEGER NOT NULL CHECK(n BETWEEN 1 AND 1000));"
	"CREATE INDEX participant_members_p ON participant_members(participant_id);",

	/* 6: acknowledged means stored (lab/ack.h): events are numbered per
	 * (device, boot), and each device's current numbering and watermark
	 * (every seq <= it of that boot is stored) are written in the same
	 * transaction as its events.  Events stored before belong to the
	 * numbering "", and their watermark is the highest seq stored: what
	 * the hub before this acknowledged, so what devices have forgotten. */
	"CREATE TABLE events_new("
	"  dev INTEGER NOT NULL, boot TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL,"
	"  type TEXT NOT NULL, ts REAL NOT NULL, rx REAL NOT NULL, body TEXT,"
	"  PRIMARY KEY(dev, boot, seq)) WITHOUT ROWID;"
	"INSERT INTO events_new(dev, boot, seq, type, ts, rx, body)"
	"  SELECT dev, '', seq, type, ts, rx, body FROM events;"
	"DROP TABLE events;"
	"ALTER TABLE events_new RENAME TO events;"
	"CREATE TABLE event_acks("
	"  dev INTEGER PRIMARY KEY, boot TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  retained INTEGER NOT NULL DEFAULT 0);"
	/* retained: the hub before this retained its acks; one is cleared
	 * the first time the hub is connected (a stale ack would tell a
	 * rebooted device that its new events are stored) */
	"INSERT INTO event_acks(dev, boot, seq, retained)"
	"  SELECT dev, '', max(seq), 1 FROM events GROUP BY dev;",

	/* 7: telemetry laid out for the SD card (tele.c): one row per message,
	 * values packed, keyed by time first so a commit appends to the last
	 * pages; minute aggregates keyed by time first too (written once a
	 * minute, live); hourly rollups by series, for long charts.  Raw rows
	 * that had no aggregate get theirs now. */
	"CREATE TABLE telemetry_new("
	"  ts REAL NOT NULL, dev INTEGER NOT NULL, vals BLOB NOT NULL,"
	"  PRIMARY KEY(ts, dev)) WITHOUT ROWID;"
	"INSERT INTO telemetry_new SELECT ts, dev, mlab_pack(mid, value)"
	"  FROM telemetry GROUP BY ts, dev;"
	"CREATE TABLE telemetry_min_new("
	"  minute INTEGER NOT NULL, dev INTEGER NOT NULL, mid INTEGER NOT NULL,"
	"  n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
	"  PRIMARY KEY(minute, dev, mid)) WITHOUT ROWID;"
	"INSERT INTO telemetry_min_new SELECT minute, dev, mid, n, sum, min, max FROM telemetry_min;"
	"INSERT OR IGNORE INTO telemetry_min_new SELECT CAST(ts / 60 AS INTEGER), dev, mid,"
	"  count(*), sum(value), min(value), max(value) FROM telemetry GROUP BY 1, 2, 3;"
	"DROP TABLE telemetry;"
	"DROP TABLE telemetry_min;"
	"ALTER TABLE telemetry_new RENAME TO telemetry;"
	"ALTER TABLE telemetry_min_new RENAME TO telemetry_min;"
	"CREATE TABLE telemetry_hour("
	"  dev INTEGER NOT NULL, mid INTEGER NOT NULL, hour INTEGER NOT NULL,"
	"  n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
	"  PRIMARY KEY(dev, mid, hour)) WITHOUT ROWID;"
	"INSERT INTO telemetry_hour SELECT dev, mid, minute / 60, sum(n), sum(sum), min(min), max(max)"
	"  FROM telemetry_min GROUP BY 1, 2, 3;",

	/* 8: a network of labs (hub/fed/).  A lab keeps an append-only log of
	 * the anonymous facts it publishes (net_facts, numbered by seq) and the
	 * last state published per key (net_last); net_state holds its numbering
	 * (boot) and the watermark the network acknowledged.  A network hub
	 * keeps every fact received per site, idempotently on (site, boot, seq),
	 * and each site's numbering and gapless watermark (net_sites). */
	"CREATE TABLE net_facts(seq INTEGER PRIMARY KEY, key TEXT NOT NULL,"
	"  type TEXT NOT NULL, state TEXT NOT NULL, at REAL NOT NULL);"
	"CREATE TABLE net_last(key TEXT PRIMARY KEY, state TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE net_state(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE net_rx(site TEXT NOT NULL, boot TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  key TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL, at REAL NOT NULL,"
	"  received REAL NOT NULL, PRIMARY KEY(site, boot, seq)) WITHOUT ROWID;"
	"CREATE INDEX net_rx_key ON net_rx(site, key, seq);"
	"CREATE TABLE net_sites(site TEXT PRIMARY KEY, boot TEXT NOT NULL,"
	"  w INTEGER NOT NULL, last_seq INTEGER, last_type TEXT, last_at REAL,"
	"  received REAL) WITHOUT ROWID;",

	/* 9: the kiosk's own id for what it sends (client_id: a resend after
	 * a lost answer finds the first row), public names for the wall */
	"ALTER TABLE participants ADD COLUMN client_id TEXT;"
	"CREATE UNIQUE INDEX participants_client ON participants(client_id)"
	"  WHERE client_id IS NOT NULL;"
	"ALTER TABLE ratings ADD COLUMN client_id TEXT;"
	"CREATE UNIQUE INDEX ratings_client ON ratings(client_id) WHERE client_id IS NOT NULL;"
	"ALTER TABLE contributions ADD COLUMN client_id TEXT;"
	"CREATE UNIQUE INDEX contributions_client ON contributions(client_id)"
	"  WHERE client_id IS NOT NULL;"
	"ALTER TABLE devices ADD COLUMN public_name TEXT;"
	"ALTER TABLE projects ADD COLUMN public_title TEXT;",

	/* 10: what facilitators say about a device (lab/devset.c): a name and
	 * a room that win over what the device reports, metrics nobody reads,
	 * the printer or machine a plug feeds.  Keyed by the device's id text;
	 * removing the device removes them (deferred: a device first seen in
	 * the open group transaction gets its row before the commit). */
	"CREATE TABLE device_settings("
	"  id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE"
	"   DEFERRABLE INITIALLY DEFERRED,"
	"  name TEXT, room TEXT, hidden_metrics TEXT,"
	"  feeds TEXT, machine TEXT, busy_w REAL,"
	"  updated_at REAL NOT NULL, updated_by TEXT) WITHOUT ROWID;"
	/* a device removed with its history kept is renamed removed/…:
	 * its settings go as they would with the row */
	"CREATE TRIGGER device_settings_renamed AFTER UPDATE OF id ON devices"
	"  BEGIN DELETE FROM device_settings WHERE id = old.id; END;",

	/* 11: a day's chart of one series read from 24 rows: each hour that
	 * is over, its minutes (n, sum) packed in one row per series (tele.c,
	 * mlab_mblk); minute rows, keyed by time, then stay two days. */
	"CREATE TABLE telemetry_mblk("
	"  dev INTEGER NOT NULL, mid INTEGER NOT NULL, hour INTEGER NOT NULL,"
	"  mins BLOB NOT NULL, PRIMARY KEY(dev, mid, hour)) WITHOUT ROWID;"
	"INSERT INTO telemetry_mblk SELECT dev, mid, minute / 60, mlab_mblk(minute % 60, n, sum)"
	"  FROM telemetry_min WHERE minute < (SELECT coalesce(max(hour) + 1, 0) * 60"
	"  FROM telemetry_hour) GROUP BY 1, 2, 3;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int schema_version(void)
{
	return NMIGRATIONS;
}

/* Run sql (one or more statements, no rows wanted) on db.  Returns 0, or
 * -1 logged with what. */
int schema_sql(sqlite3 *db, const char *sql, const char *what)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		LOG(L_ERR, "store: %s: %s", what, err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Run every migration past the database's user_version, each in its own
 * transaction with the version bump.  Returns 0 or -1 (logged). */
int schema_migrate(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	int version = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > NMIGRATIONS) {
		LOG(L_ERR, "%s: schema version %d is newer than this mlab-hub (%d)",
		    path, version, NMIGRATIONS);
		return -1;
	}
	for (int v = version; v < NMIGRATIONS; v++) {
		char bump[64];

		snprintf(bump, sizeof(bump), "PRAGMA user_version=%d", v + 1);
		if (schema_sql(db, "BEGIN IMMEDIATE", "migrate") ||
		    schema_sql(db, migrations[v], "migration") ||
		    schema_sql(db, bump, "migrate") ||
		    schema_sql(db, "COMMIT", "migrate")) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			LOG(L_ERR, "%s: migration to schema %d failed", path, v + 1);
			return -1;
		}
		if (v == version)
			LOG(L_NOTICE, "store: migrating %s from schema %d to %d",
			    path, version, NMIGRATIONS);
	}
	return 0;
}
