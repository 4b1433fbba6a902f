/*
 * dirty.c — what changed since a lab's last scan (fact.c reads only that).
 *
 * Triggers on the tables facts are made from note in net_dirty the key of
 * each fact whose state may have changed — "session:12", "checkin:7"
 * (a party's members note their session or check-in), "contribution:3",
 * "rating:9", "project:2" — and "span:A:B" for a machine use or an ended
 * job: the days [A, B) touches.  They fire whichever process writes (the
 * hub, sqlite3, a restore script), and only on columns a fact reads: an
 * erasure of names and e-mails notes nothing.  A key '' (a member whose
 * participant is gone, a job not ended) means nothing.
 *
 * They belong to a lab of a network only, so they are made here when the
 * lab side starts (net.site set), not by a store migration: a lab alone or
 * a network hub has none, and the definitions always match this binary
 * (DIRTY_VERSION in net_state; a new version is installed in place and
 * the next scan is a full one).  A lab that leaves the network keeps them:
 * net_dirty then holds at most one row per changed row, read when it
 * joins again.
 */
#include <stdio.h>
#include <string.h>

#include "core/hub.h"
#include "core/log.h"
#include "fed/fedi.h"
#include "fed/dirty.h"
#include "store/store.h"

/* 2: the same triggers; the full projection a new version makes once
 * also tells the network which rows went before (*.deleted facts) */
#define DIRTY_VERSION "2"

static const char install[] =
	"CREATE TABLE IF NOT EXISTS net_dirty(key TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS machine_use_ended ON machine_use(ended_at);"
	"DROP TRIGGER IF EXISTS net_sessions_i; DROP TRIGGER IF EXISTS net_sessions_u;"
	"DROP TRIGGER IF EXISTS net_sessions_d; DROP TRIGGER IF EXISTS net_session_projects_i;"
	"DROP TRIGGER IF EXISTS net_session_projects_u; DROP TRIGGER IF EXISTS net_session_projects_d;"
	"DROP TRIGGER IF EXISTS net_participants_i; DROP TRIGGER IF EXISTS net_participants_u;"
	"DROP TRIGGER IF EXISTS net_participants_d; DROP TRIGGER IF EXISTS net_members_i;"
	"DROP TRIGGER IF EXISTS net_members_u; DROP TRIGGER IF EXISTS net_members_d;"
	"DROP TRIGGER IF EXISTS net_contributions_i; DROP TRIGGER IF EXISTS net_contributions_u;"
	"DROP TRIGGER IF EXISTS net_contributions_d; DROP TRIGGER IF EXISTS net_ratings_i;"
	"DROP TRIGGER IF EXISTS net_ratings_u; DROP TRIGGER IF EXISTS net_ratings_d;"
	"DROP TRIGGER IF EXISTS net_projects_i; DROP TRIGGER IF EXISTS net_projects_u;"
	"DROP TRIGGER IF EXISTS net_projects_d; DROP TRIGGER IF EXISTS net_themes_i;"
	"DROP TRIGGER IF EXISTS net_themes_u; DROP TRIGGER IF EXISTS net_themes_d;"
	"DROP TRIGGER IF EXISTS net_uses_i; DROP TRIGGER IF EXISTS net_uses_u;"
	"DROP TRIGGER IF EXISTS net_uses_d; DROP TRIGGER IF EXISTS net_jobs_i;"
	"DROP TRIGGER IF EXISTS net_jobs_u; DROP TRIGGER IF EXISTS net_jobs_d;"
	"CREATE TRIGGER net_sessions_i AFTER INSERT ON sessions"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('session:'||new.id); END;"
	"CREATE TRIGGER net_sessions_u AFTER UPDATE OF started_at,ended_at,group_type,group_size,removed_at,merged_into ON sessions"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('session:'||old.id); INSERT OR IGNORE INTO net_dirty VALUES('session:'||new.id); END;"
	"CREATE TRIGGER net_sessions_d AFTER DELETE ON sessions"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('session:'||old.id); END;"
	"CREATE TRIGGER net_session_projects_i AFTER INSERT ON session_projects"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('session:'||new.session_id); END;"
	"CREATE TRIGGER net_session_projects_u AFTER UPDATE ON session_projects"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('session:'||old.session_id); INSERT OR IGNORE INTO net_dirty VALUES('session:'||new.session_id); END;"
	"CREATE TRIGGER net_session_projects_d AFTER DELETE ON session_projects"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('session:'||old.session_id); END;"
	"CREATE TRIGGER net_participants_i AFTER INSERT ON participants"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(coalesce('session:'||new.session_id,'checkin:'||new.id)); END;"
	"CREATE TRIGGER net_participants_u AFTER UPDATE OF session_id,party_size,age_band,created_at ON participants"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(coalesce('session:'||old.session_id,'checkin:'||old.id)); INSERT OR IGNORE INTO net_dirty VALUES(coalesce('session:'||new.session_id,'checkin:'||new.id)); END;"
	"CREATE TRIGGER net_participants_d AFTER DELETE ON participants"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(coalesce('session:'||old.session_id,'checkin:'||old.id)); END;"
	"CREATE TRIGGER net_members_i AFTER INSERT ON participant_members"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(coalesce((SELECT coalesce('session:'||session_id,'checkin:'||id) FROM participants WHERE id=new.participant_id),'')); END;"
	"CREATE TRIGGER net_members_u AFTER UPDATE ON participant_members"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(coalesce((SELECT coalesce('session:'||session_id,'checkin:'||id) FROM participants WHERE id=old.participant_id),'')); INSERT OR IGNORE INTO net_dirty VALUES(coalesce((SELECT coalesce('session:'||session_id,'checkin:'||id) FROM participants WHERE id=new.participant_id),'')); END;"
	"CREATE TRIGGER net_members_d AFTER DELETE ON participant_members"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(coalesce((SELECT coalesce('session:'||session_id,'checkin:'||id) FROM participants WHERE id=old.participant_id),'')); END;"
	"CREATE TRIGGER net_contributions_i AFTER INSERT ON contributions"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('contribution:'||new.id); END;"
	"CREATE TRIGGER net_contributions_u AFTER UPDATE OF created_at,decided_at,status,kind,licence,project_id,session_id ON contributions"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('contribution:'||old.id); INSERT OR IGNORE INTO net_dirty VALUES('contribution:'||new.id); END;"
	"CREATE TRIGGER net_contributions_d AFTER DELETE ON contributions"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('contribution:'||old.id); END;"
	"CREATE TRIGGER net_ratings_i AFTER INSERT ON ratings"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('rating:'||new.id); END;"
	"CREATE TRIGGER net_ratings_u AFTER UPDATE OF at,scale,value,session_id ON ratings"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('rating:'||old.id); INSERT OR IGNORE INTO net_dirty VALUES('rating:'||new.id); END;"
	"CREATE TRIGGER net_ratings_d AFTER DELETE ON ratings"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('rating:'||old.id); END;"
	"CREATE TRIGGER net_projects_i AFTER INSERT ON projects"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('project:'||new.id); END;"
	"CREATE TRIGGER net_projects_u AFTER UPDATE OF title,status,visibility ON projects"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('project:'||old.id); INSERT OR IGNORE INTO net_dirty VALUES('project:'||new.id); END;"
	"CREATE TRIGGER net_projects_d AFTER DELETE ON projects"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('project:'||old.id); END;"
	"CREATE TRIGGER net_themes_i AFTER INSERT ON project_themes"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('project:'||new.project_id); END;"
	"CREATE TRIGGER net_themes_u AFTER UPDATE ON project_themes"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('project:'||old.project_id); INSERT OR IGNORE INTO net_dirty VALUES('project:'||new.project_id); END;"
	"CREATE TRIGGER net_themes_d AFTER DELETE ON project_themes"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES('project:'||old.project_id); END;"
	"CREATE TRIGGER net_uses_i AFTER INSERT ON machine_use"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(CASE WHEN new.ended_at>new.started_at THEN printf('span:%d:%d',new.started_at,new.ended_at+1) ELSE '' END); END;"
	"CREATE TRIGGER net_uses_u AFTER UPDATE OF machine,started_at,ended_at,energy_kwh ON machine_use"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(CASE WHEN old.ended_at>old.started_at THEN printf('span:%d:%d',old.started_at,old.ended_at+1) ELSE '' END); INSERT OR IGNORE INTO net_dirty VALUES(CASE WHEN new.ended_at>new.started_at THEN printf('span:%d:%d',new.started_at,new.ended_at+1) ELSE '' END); END;"
	"CREATE TRIGGER net_uses_d AFTER DELETE ON machine_use"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(CASE WHEN old.ended_at>old.started_at THEN printf('span:%d:%d',old.started_at,old.ended_at+1) ELSE '' END); END;"
	"CREATE TRIGGER net_jobs_i AFTER INSERT ON jobs"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(CASE WHEN new.ended_at NOTNULL THEN printf('span:%d:%d',new.ended_at,new.ended_at+1) ELSE '' END); END;"
	"CREATE TRIGGER net_jobs_u AFTER UPDATE OF kind,state,ended_at ON jobs"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(CASE WHEN old.ended_at NOTNULL THEN printf('span:%d:%d',old.ended_at,old.ended_at+1) ELSE '' END); INSERT OR IGNORE INTO net_dirty VALUES(CASE WHEN new.ended_at NOTNULL THEN printf('span:%d:%d',new.ended_at,new.ended_at+1) ELSE '' END); END;"
	"CREATE TRIGGER net_jobs_d AFTER DELETE ON jobs"
	" BEGIN INSERT OR IGNORE INTO net_dirty VALUES(CASE WHEN old.ended_at NOTNULL THEN printf('span:%d:%d',old.ended_at,old.ended_at+1) ELSE '' END); END;"
	"INSERT OR REPLACE INTO net_state(name, value) VALUES ('dirty', '" DIRTY_VERSION "');"
	"DELETE FROM net_state WHERE name = 'scanned';";

int dirty_install(struct hub *h)
{
	static const char q[] = "SELECT value FROM net_state WHERE name = 'dirty'";
	sqlite3_stmt *st;
	char *err = NULL;
	int same = 0;

	if (store_flush(h) || !(st = store_stmt(h, q)))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		same = !strcmp((const char *)sqlite3_column_text(st, 0), DIRTY_VERSION);
	sqlite3_reset(st);
	if (same)
		return 0;
	if (sqlite3_exec(store_db(h), "BEGIN IMMEDIATE", NULL, NULL, &err) == SQLITE_OK &&
	    sqlite3_exec(store_db(h), install, NULL, NULL, &err) == SQLITE_OK &&
	    sqlite3_exec(store_db(h), "COMMIT", NULL, NULL, &err) == SQLITE_OK) {
		LOG(L_INFO, "net: change triggers installed (version %s); the next scan is a full one",
		    DIRTY_VERSION);
		return 0;
	}
	LOG(L_ERR, "net: cannot install the change triggers: %s", err ? err : "?");
	sqlite3_free(err);
	sqlite3_exec(store_db(h), "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
