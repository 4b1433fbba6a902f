/*
 * schema.h — the database's schema: the numbered migrations that build it
 * (schema.c), run by store_open().
 */
#ifndef MLAB_SCHEMA_H
#define MLAB_SCHEMA_H

#include <sqlite3.h>

/* Bring db (the file at path, named in errors) to the current schema: run
 * each migration past its PRAGMA user_version in its own transaction.
 * db stays the caller's.  Returns 0, or -1 (logged) when a migration
 * failed or the file is newer than this build. */
int schema_migrate(sqlite3 *db, const char *path);

/* Run sql (one or more statements, no rows wanted) on db.  Returns 0, or
 * -1 logged with what (the migrations, and the store's settings and
 * transactions on its connection). */
int schema_sql(sqlite3 *db, const char *sql, const char *what);

/* Schema version this build migrates to. */
int schema_version(void);

#endif
