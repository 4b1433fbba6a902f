/*
 * fedi.c — the helper every file of hub/fed/ uses (fedi.h): a site id's
 * check (one integer from SQL is the store's store_int).  The lowest file
 * of the module: it calls none of the others, so that fed.c can call them
 * all.
 */
#include <string.h>

#include "fed/fedi.h"

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
