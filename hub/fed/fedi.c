/*
 * fedi.c — the two helpers every file of hub/fed/ uses (fedi.h): a site
 * id's check and one integer from SQL.  The lowest file of the module:
 * it calls none of the others, so that fed.c can call them all.
 */
#include <string.h>

#include "fed/fedi.h"
#include "store/store.h"

int fedi_site_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* The first column of sql's first row on h, as an integer (0 if none). */
long long fedi_int(struct hub *h, const char *sql)
{
	sqlite3_stmt *st = store_stmt(h, sql);
	long long n = 0;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return n;
}
