/*
 * explain.h — the rows behind one figure (an explain table).
 */
#ifndef MLAB_EXPLAIN_H
#define MLAB_EXPLAIN_H

struct report;

struct xtab {
	const char *const *cols;	/* column names */
	const char *types;		/* per column: 'n' number, 's' text, 'b' 0 or 1 (yes, no) */
	int ncols;
	char **cells;			/* nrows * ncols, owned; NULL = null */
	int ncells;
	int oom;
};

void explain_free(struct xtab *x);

/* Does name equal base, or base + "." + anything? Sets *sub to the rest. */
int explain_family(const char *name, const char *base, const char **sub);

/* Fill x with the rows behind figure name (which exists). */
void explain_rows(struct report *r, const char *name, struct xtab *x);

#endif
