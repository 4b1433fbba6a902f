/*
 * year.h — the rows of one fiscal year that every figure is counted from
 * (struct report), the fixed vocabularies, and their loading.  Shared by
 * report's files; not used outside hub/report/.
 */
#ifndef MLAB_YEAR_H
#define MLAB_YEAR_H

#include <stddef.h>
#include <sqlite3.h>

#include "core/vocab.h"

struct hub;

extern const char *const year_groups[];
/* the group types, then "none": a check-in outside any session */
#define NGROUPS (VOCAB_COUNT(VOCAB_GROUP_TYPE) + 1)
extern const char *const year_kinds[];
#define NKINDS VOCAB_COUNT(VOCAB_CONTRIB_KIND)
extern const char *const year_licences[];
#define NLICENCES VOCAB_COUNT(VOCAB_LICENCE)
/* the participation API's bands; any other text is listed after */
extern const char *const year_std_bands[];
#define NSTD_BANDS VOCAB_COUNT(VOCAB_AGE_BAND)
#define MAX_BANDS 64

struct nint {			/* a nullable integer column */
	long long v;
	int null;
};

struct r_session {
	long long id;
	double started;
	double ended_at;
	int has_end;
	int group;		/* index in year_groups[] */
	long size, checked, counted, known, young;
	char *projects;		/* "1;4", owned */
	char *merged;		/* ids of the sessions merged into it, "5;9", owned */
	int bn_first, bn_count;	/* its rows in report.bn (sorted by session) */
};

struct r_gone {			/* a session removed (deleted or merged): not counted */
	long long id, into;	/* into: the session it was merged into, 0 if deleted */
	double started;
	int group;
	long size;
};

struct r_bandn {		/* people checked in to one session with one band */
	int sess;		/* index in sessions */
	int band;		/* index in bands; -1 = no band */
	long n;			/* sum of party_size */
};

struct r_lone {			/* a check-in outside any session */
	long long id;
	double at;
	int band;
	long n;			/* party_size */
};

struct r_project {
	long long id;
	char *title;		/* NULL for internal projects */
	char *status, *themes;
	int quebec;
	long nsess, ncontrib;
	double first, last;
};

struct r_contrib {
	long long id;
	double created;
	double decided;
	int has_decided;
	char *status, *kind, *licence, *device;
	struct nint project, session, job;
};

struct r_rating {
	long long id;
	double at;
	int scale, value, positive;
	struct nint session;
	char *source;
};

struct r_use {
	long long id;
	char *machine, *plug;
	double started, ended, from, to, hours, kwh;
};

struct r_job {
	long long id;
	char *device, *kind, *state;
	double started, ended, duration;
	int has_started, has_duration;
};

struct fig {
	char name[160];
	int null;
	double v;
	int dec;
	int has_t;
	double t;
};

struct report {
	struct hub *h;
	int fy;
	double start, end;
	const char *tz;
	struct r_session *ses;
	int nses;
	struct r_gone *gone;
	int ngone;
	struct r_bandn *bn;
	int nbn;
	struct r_lone *lone;
	int nlone;
	struct r_project *proj;
	int nproj;
	struct r_contrib *con;
	int ncon;
	struct r_rating *rat;
	int nrat;
	struct r_use *use;
	int nuse;
	struct r_job *job;
	int njob;
	char *bands[MAX_BANDS];
	int nbands;
	char **mach;
	char **mach_label;	/* parallel to mach: the name people know it by */
	int nmach;
	struct fig *figs;
	int nfigs;
	int oom;
	int public_view;	/* report_opts.public_view */
};

/* The name people know machine key (a machine_use.machine) by: the
 * dashboard's (device_settings.machine of its plug), else the config's
 * machine.<key>.name, else the key.  Points into r. */
const char *year_machine_label(const struct report *r, const char *key);

#define PUSH(r, arr, n, slot) do { void *_s; \
	(arr) = year_grow((arr), (n), sizeof(*(arr)), &_s); \
	if (!_s) { (r)->oom = 1; (slot) = NULL; } else { (slot) = _s; (n)++; } } while (0)

/* Make room for slot n of arr (n slots of elem bytes in use; capacity
 * doubles whenever n is a power of two) and return the array, which the
 * caller owns.  *out points at the zeroed slot n, or is NULL when memory
 * ran out (the array is then returned unchanged). */
void *year_grow(void *arr, int n, size_t elem, void **out);

int year_index(const char *const *list, int n, const char *s);

/* Sessions that started in the year, the people checked in to them by age
 * band, and check-ins outside any session.  0 or -1 (SQLite error). */
int year_load_sessions(struct report *r);

/* The projects active in the year (a session or a confirmed contribution
 * in it), by id, with their activity counts.  0 or -1. */
int year_load_projects(struct report *r);

/* Every contribution made in the year, whatever its status.  0 or -1. */
int year_load_contributions(struct report *r);

/* Every vote cast in the year, with whether it is positive.  0 or -1. */
int year_load_ratings(struct report *r);

/* Closed busy periods overlapping the year, clipped to it (hours and a
 * time-proportional share of energy), and the list of machines: those
 * seen plus those configured, sorted.  0 or -1. */
int year_load_machine_use(struct report *r);

/* Jobs that ended in the year in a terminal state.  0 or -1. */
int year_load_jobs(struct report *r);

/* Order bands: the standard ones in age order, then others by text.
 * Remaps the band indexes already stored. */
void year_sort_bands(struct report *r);

void year_count_sessions(struct report *r);

/* Free everything the report loaded (the strings are owned by it). */
void year_free(struct report *r);

/* 1 when age band b ("6-12", "13-17", "65+") lies wholly under 18. Pure. */
int year_band_young(const char *b);

#endif
