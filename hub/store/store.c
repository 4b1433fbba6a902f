/*
 * store.c — the SQLite database.
 *
 * Migrations are an array of SQL scripts; PRAGMA user_version says how
 * many have run.  A module that needs tables adds a script at the end of
 * `migrations` (never edits one that has shipped).  WAL mode and
 * synchronous=FULL: a commit that returned is on the SD card, which is
 * what lets the hub say "acknowledged means stored".  The CHECK lists
 * come from core/vocab.h (schema 2's licence list, since widened, stays
 * as it shipped).
 *
 * Two commit windows: a write (an event, a job, an account…) opens the
 * group transaction and is committed within store.commit_ms; telemetry and
 * device rows only ask for a commit within store.telemetry_commit_s
 * (store_soon), and their rows are written then (tele.c).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <libwebsockets.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/vocab.h"
#include "store/store.h"
#include "store/tele.h"

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
#define STMT_CACHE 256

struct store {
	sqlite3 *db;
	char *path;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	int ncache;
	int in_txn;		/* a group transaction is open */
	int txn_failed;		/* a write failed: roll back at commit */
	long pending;		/* writes in the open transaction */
	int timer_armed;
	long batch_max, commit_ms, tele_commit_s;
	lws_sorted_usec_list_t sul;
	lws_sorted_usec_list_t lazy;	/* the telemetry window */
	int lazy_armed;
	struct tele *tele;
	struct hub *h;
	int flushing;		/* inside store_flush: no re-entry */
	struct store_hook {
		store_hook_fn fn;
		void *arg;
	} before[STORE_HOOKS_MAX], after[STORE_HOOKS_MAX];
	int nbefore, nafter;
};

int store_schema_version(void)
{
	return NMIGRATIONS;
}

static int exec_sql(sqlite3 *db, const char *sql, const char *what)
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
static int migrate(sqlite3 *db, const char *path)
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
		if (exec_sql(db, "BEGIN IMMEDIATE", "migrate") ||
		    exec_sql(db, migrations[v], "migration") ||
		    exec_sql(db, bump, "migrate") ||
		    exec_sql(db, "COMMIT", "migrate")) {
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

/* Create the directory that will hold path, if missing (one level). */
static void make_parent(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) && errno != EEXIST)
		LOG(L_WARN, "store: cannot create %s: %s", dir, strerror(errno));
}

static void retention_tick(struct hub *h, void *arg);

int store_open(struct hub *h, const char *path)
{
	struct store *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -1;
	s->h = h;
	make_parent(path);
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		LOG(L_ERR, "%s: cannot open database: %s", path,
		    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		sqlite3_close(s->db);
		free(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	/* a checkpoint copies each page once however often the WAL holds it:
	 * a longer WAL (4,000 pages, 16 MB) copies the pages every commit
	 * rewrites (the last page of a table, device rows) less often.
	 * secure_delete=FAST zeroes deleted content wherever that costs no
	 * extra write (an erased person's row, in the page rewritten anyway)
	 * without zeroing whole freed pages of old telemetry on the SD card */
	if (tele_sql_functions(s->db) ||
	    exec_sql(s->db, "PRAGMA journal_mode=WAL", path) ||
	    exec_sql(s->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=FAST;"
		     "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-4000;"
		     "PRAGMA wal_autocheckpoint=4000", path) ||
	    migrate(s->db, path) || !(s->tele = tele_new(h))) {
		sqlite3_close(s->db);
		free(s);
		return -1;
	}
	s->path = strdup(path);
	/* without a configuration (a tool, a test): the configuration's defaults */
	s->batch_max = h->conf ? conf_int(h->conf, "store.batch_max") : STORE_BATCH_MAX_DEFAULT;
	s->commit_ms = h->conf ? conf_int(h->conf, "store.commit_ms") : STORE_COMMIT_MS_DEFAULT;
	s->tele_commit_s = h->conf ? conf_int(h->conf, "store.telemetry_commit_s") :
		STORE_TELE_COMMIT_S_DEFAULT;
	h->store = s;
	if (h->conf)	/* hourly; no loop (a tool): never */
		loop_every(h, 60 * 1000, 3600 * 1000, retention_tick, NULL);
	return 0;
}

struct tele *store_tele(struct hub *h)
{
	return h->store ? h->store->tele : NULL;
}

sqlite3 *store_db(struct hub *h)
{
	return h->store ? h->store->db : NULL;
}

sqlite3_stmt *store_stmt(struct hub *h, const char *sql)
{
	struct store *s = h->store;
	sqlite3_stmt *st;

	for (int i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			st = s->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		LOG(L_ERR, "store: cannot prepare \"%s\": %s", sql, sqlite3_errmsg(s->db));
		return NULL;
	}
	if (s->ncache < STMT_CACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache++].st = st;
	} else {
		/* programmer error: more distinct statements than the cache holds */
		LOG(L_ERR, "store: statement cache full");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Hourly: retention, and a warning when the card fills up. */
static void retention_tick(struct hub *h, void *arg)
{
	long long db, avail, low = conf_int(h->conf, "store.min_free_mb") * 1024LL * 1024LL;

	store_retention(h, hub_now());
	if (!store_space(h, &db, &avail) && avail < low)
		LOG(L_WARN, "store: %lld MiB left for %s (store.min_free_mb = %lld; database %lld MiB)",
		    avail >> 20, h->store->path, low >> 20, db >> 20);
}

static void commit_timer(lws_sorted_usec_list_t *sul)
{
	struct store *s = lws_container_of(sul, struct store, sul);

	s->timer_armed = 0;
	store_flush(s->h);
}

/* Open the group transaction if none is, and arm the commit timer (also
 * for a transaction opened before the loop existed). */
static int txn_begin(struct hub *h)
{
	struct store *s = h->store;

	if (!s->in_txn) {
		if (exec_sql(s->db, "BEGIN IMMEDIATE", "begin"))
			return -1;
		s->in_txn = 1;
		s->txn_failed = 0;
		s->pending = 0;
	}
	if (h->lws && !s->timer_armed) {
		s->timer_armed = 1;
		lws_sul_schedule(h->lws, 0, &s->sul, commit_timer,
				 s->commit_ms * LWS_US_PER_MS);
	}
	return 0;
}

/* Write the telemetry queued (and what else is open) and commit. */
static int tele_commit(struct hub *h, int all)
{
	if (txn_begin(h))
		return -1;
	tele_write(h, all);
	return store_flush(h);
}

static void lazy_timer(lws_sorted_usec_list_t *sul)
{
	struct store *s = lws_container_of(sul, struct store, lazy);

	s->lazy_armed = 0;
	tele_commit(s->h, 0);
	/* a minute still being summed is written once it is over */
	if (tele_unwritten(s->h))
		store_soon(s->h);
}

void store_soon(struct hub *h)
{
	struct store *s = h->store;

	if (!s || !h->lws || s->lazy_armed)
		return;
	s->lazy_armed = 1;
	lws_sul_schedule(h->lws, 0, &s->lazy, lazy_timer, s->tele_commit_s * LWS_US_PER_SEC);
}

int store_begin(struct hub *h)
{
	return h->store ? txn_begin(h) : -1;
}

int store_exec(struct hub *h, sqlite3_stmt *st)
{
	struct store *s = h->store;
	int rc;

	if (!st)
		return SQLITE_ERROR;
	if (txn_begin(h)) {
		sqlite3_reset(st);
		return SQLITE_ERROR;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int ext = sqlite3_extended_errcode(s->db);

		/* constraint failures are the caller's business (duplicates) */
		if ((ext & 0xff) != SQLITE_CONSTRAINT) {
			LOG(L_ERR, "store: %s: %s", sqlite3_sql(st), sqlite3_errmsg(s->db));
			s->txn_failed = 1;
		}
	}
	sqlite3_reset(st);
	s->pending++;
	/* SQLITE_FULL, IOERR or NOMEM may roll the transaction back by
	 * themselves: end our view of it now (nothing in it is acknowledged),
	 * so the next write opens a new group instead of running unwrapped.
	 * Inside store_flush (a before-commit hook writing), the flush in
	 * progress ends it. */
	if (s->txn_failed && s->in_txn && !s->flushing && sqlite3_get_autocommit(s->db))
		store_flush(h);
	return rc;
}

static int add_hook(struct store_hook *hooks, int *n, store_hook_fn fn, void *arg)
{
	if (*n >= STORE_HOOKS_MAX) {
		LOG(L_ERR, "store: more than %d commit hooks", STORE_HOOKS_MAX);
		return -1;
	}
	hooks[*n].fn = fn;
	hooks[(*n)++].arg = arg;
	return 0;
}

int store_before_commit(struct hub *h, store_hook_fn fn, void *arg)
{
	return h->store ? add_hook(h->store->before, &h->store->nbefore, fn, arg) : -1;
}

int store_on_commit(struct hub *h, store_hook_fn fn, void *arg)
{
	return h->store ? add_hook(h->store->after, &h->store->nafter, fn, arg) : -1;
}

int store_flush_if_full(struct hub *h)
{
	struct store *s = h->store;

	if (s && tele_pending(h) >= s->batch_max)
		return tele_commit(h, 0);
	return s && s->in_txn && s->pending >= s->batch_max ? store_flush(h) : 0;
}

int store_flush(struct hub *h)
{
	struct store *s = h->store;
	double t0;
	int ok;

	if (!s || !s->in_txn || s->flushing)
		return 0;
	if (s->timer_armed) {
		lws_sul_cancel(&s->sul);
		s->timer_armed = 0;
	}
	s->flushing = 1;
	/* rows saved at commit time (devices) go in the same transaction
	 * (not into one that failed: they stay to be saved in the next) */
	for (int i = 0; i < s->nbefore && !s->txn_failed; i++)
		s->before[i].fn(h, 1, s->before[i].arg);
	t0 = hub_now();
	ok = !s->txn_failed && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	if (!ok) {
		if (!s->txn_failed)
			LOG(L_ERR, "store: commit failed: %s", sqlite3_errmsg(s->db));
		else
			LOG(L_ERR, "store: a write failed; rolling back %ld writes (nothing of them is acknowledged)",
			    s->pending);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		h->stats.commit_failures++;
	} else {
		double ms = (hub_now() - t0) * 1000.0;

		h->stats.commits++;
		h->stats.commit_ms_last = ms;
		h->stats.commit_ms_sum += ms;
		stats_commit(&h->stats, ms / 1000.0);
		if (ms > h->stats.commit_ms_max)
			h->stats.commit_ms_max = ms;
	}
	s->in_txn = 0;
	s->pending = 0;
	s->flushing = 0;
	for (int i = 0; i < s->nafter; i++)
		s->after[i].fn(h, ok, s->after[i].arg);
	return ok ? 0 : -1;
}

void store_checkpoint(struct hub *h)
{
	int rc;

	if (!h->store)
		return;
	store_flush(h);
	rc = sqlite3_exec(h->store->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		LOG(L_WARN, "store: checkpoint: %s", sqlite3_errmsg(h->store->db));
}

void store_close(struct hub *h)
{
	struct store *s = h->store;

	if (!s)
		return;
	if (s->lazy_armed)
		lws_sul_cancel(&s->lazy);
	if (tele_pending(h) || tele_unwritten(h))
		tele_commit(h, 1);
	store_flush(h);
	tele_free(s->tele);
	for (int i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	/* leave no -wal file behind on a clean stop */
	sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	if (sqlite3_close(s->db) != SQLITE_OK)
		LOG(L_WARN, "store: close: %s", sqlite3_errmsg(s->db));
	free(s->path);
	free(s);
	h->store = NULL;
}

int store_retention(struct hub *h, double now)
{
	static const char drop_raw[] = "DELETE FROM telemetry WHERE ts < ?1";
	static const char drop_min[] = "DELETE FROM telemetry_min WHERE minute < ?1";
	static const char drop_blk[] = "DELETE FROM telemetry_mblk WHERE hour < ?1";
	static const char drop_hour[] = "DELETE FROM telemetry_hour WHERE hour < ?1";
	/* minute aggregates are written live (tele.c): retiring raw rows
	 * loses no sums, so there is nothing to roll up here; minute rows go
	 * after two days, their hour blocks after store.aggregate_days */
	double raw_cut = now - conf_int(h->conf, "store.raw_days") * 86400.0;
	double agg_cut = now - conf_int(h->conf, "store.aggregate_days") * 86400.0;
	double min_cut = fmax(agg_cut, now - TELE_MINUTE_ROWS_H * 3600.0);
	double hour_cut = now - conf_int(h->conf, "store.hour_days") * 86400.0;
	sqlite3_stmt *st;
	int changes = 0;

	if ((st = store_stmt(h, drop_raw)) == NULL)
		return -1;
	sqlite3_bind_double(st, 1, raw_cut);
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	changes = sqlite3_changes(h->store->db);
	if ((st = store_stmt(h, drop_min)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)floor(min_cut / 60.0));
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	if ((st = store_stmt(h, drop_blk)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)floor(agg_cut / 3600.0));
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	if ((st = store_stmt(h, drop_hour)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)floor(hour_cut / 3600.0));
	if (store_exec(h, st) != SQLITE_DONE)
		return -1;
	if (changes)
		LOG(L_INFO, "store: retention removed %d raw telemetry rows", changes);
	return store_flush(h);
}

int store_space(struct hub *h, long long *db_bytes, long long *free_bytes)
{
	struct store *s = h->store;
	char dir[4096], wal[4200], *slash;
	struct statvfs v;
	struct stat st;

	if (!s)
		return -1;
	*db_bytes = stat(s->path, &st) ? 0 : (long long)st.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", s->path);
	if (!stat(wal, &st))
		*db_bytes += (long long)st.st_size;
	snprintf(dir, sizeof(dir), "%s", s->path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';
	if (statvfs(dir, &v))
		return -1;
	*free_bytes = (long long)v.f_bavail * (long long)v.f_frsize;
	return 0;
}

int store_backup(const char *src, const char *dst)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		LOG(L_ERR, "backup: cannot open %s: %s", src, sqlite3_errmsg(from));
		sqlite3_close(from);
		return -1;
	}
	if (sqlite3_open(dst, &to) != SQLITE_OK) {
		LOG(L_ERR, "backup: cannot create %s: %s", dst, sqlite3_errmsg(to));
		sqlite3_close(from);
		sqlite3_close(to);
		return -1;
	}
	sqlite3_busy_timeout(from, 5000);
	b = sqlite3_backup_init(to, "main", from, "main");
	if (!b) {
		LOG(L_ERR, "backup: %s", sqlite3_errmsg(to));
		sqlite3_close(from);
		sqlite3_close(to);
		return -1;
	}
	/* small steps so the running hub is never blocked for long */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		LOG(L_ERR, "backup: %s → %s: %s", src, dst, sqlite3_errstr(rc));
		sqlite3_close(from);
		sqlite3_close(to);
		return -1;
	}
	/* the copy is a plain file: no WAL to carry around */
	sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close(from);
	sqlite3_close(to);
	return 0;
}
