/*
 * report.c — the annual indicators: load the fiscal year's rows, count
 * them, and write figures with targets and gaps as JSON, CSV or HTML,
 * or one figure's rows ("explain").
 *
 * Every figure is computed in C from the same rows its explain list
 * shows, so a figure and its trail cannot disagree.  Rows are read in a
 * total order (ORDER BY time, id), figures are listed in a fixed order
 * and numbers are printed with a fixed number of decimals: the same
 * database gives byte-identical output.  The rules are written down in
 * docs/indicators.md; keep the two in step.
 *
 * No personal data leaves here: explain lists carry ids, dates, codes
 * and counts, never names, e-mails, notes or file names.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/api.h"
#include "core/conf.h"
#include "report/fiscal.h"
#include "core/hub.h"
#include "core/log.h"
#include "report/report.h"
#include "store/store.h"

/* ---- fixed vocabularies (the schema's CHECK lists) ------------------- */

static const char *const groups[] = { "walk-in", "school", "family", "workshop", "partner", "none" };
#define NGROUPS 6	/* "none": a check-in outside any session */
static const char *const kinds[] = { "scan", "print", "idea", "photo", "text", "code", "other" };
#define NKINDS 7
static const char *const licences[] = { "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "none" };
#define NLICENCES 4
/* the participation API's bands (part.c); any other text is listed after */
static const char *const std_bands[] = {
	"0-5", "6-9", "10-13", "14-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+",
};
#define NSTD_BANDS 10
#define MAX_BANDS 64

/* ---- the rows of one fiscal year ------------------------------------- */

struct nint {			/* a nullable integer column */
	long long v;
	int null;
};

struct r_session {
	long long id;
	double started;
	double ended_at;
	int has_end;
	int group;		/* index in groups[] */
	long size, checked, counted, known, young;
	char *projects;		/* "1;4", owned */
	int bn_first, bn_count;	/* its rows in report.bn (sorted by session) */
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
	int nmach;
	struct fig *figs;
	int nfigs;
	int oom;
};

/* Make room for slot n of arr (n slots of elem bytes in use; capacity
 * doubles whenever n is a power of two) and return the array, which the
 * caller owns.  *out points at the zeroed slot n, or is NULL when memory
 * ran out (the array is then returned unchanged). */
static void *grow(void *arr, int n, size_t elem, void **out)
{
	if ((n & (n - 1)) == 0) {
		size_t cap = n ? (size_t)n * 2 : 1;
		void *na = realloc(arr, cap * elem);

		if (!na) {
			*out = NULL;
			return arr;
		}
		arr = na;
	}
	*out = (char *)arr + (size_t)n * elem;
	memset(*out, 0, elem);
	return arr;
}

#define PUSH(r, arr, n, slot) do { void *_s; \
	(arr) = grow((arr), (n), sizeof(*(arr)), &_s); \
	if (!_s) { (r)->oom = 1; (slot) = NULL; } else { (slot) = _s; (n)++; } } while (0)

/* Column i as a malloc'd string the caller frees, or NULL for SQL NULL. */
static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

static struct nint col_nint(sqlite3_stmt *st, int i)
{
	struct nint n = { 0, 1 };

	if (sqlite3_column_type(st, i) != SQLITE_NULL) {
		n.v = sqlite3_column_int64(st, i);
		n.null = 0;
	}
	return n;
}

static int index_of(const char *const *list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (s && !strcmp(list[i], s))
			return i;
	return -1;
}

int report_band_young(const char *b)
{
	char *end;
	long lo, hi;

	if (!b || !*b)
		return 0;
	lo = strtol(b, &end, 10);
	if (end == b || lo < 0 || *end != '-')
		return 0;
	hi = strtol(end + 1, &end, 10);
	return *end == '\0' && hi >= lo && hi < 18;
}

int report_default_target(const char *name, int fy, double *t)
{
	if (!strcmp(name, "participation_projects") || !strcmp(name, "quebec_culture_projects")) {
		if (fy < 2018)
			return -1;
		*t = fy == 2018 ? 1 : 2;
		return 0;
	}
	if (!strcmp(name, "appreciation_rate_pct")) {
		if (fy < 2019)
			return -1;
		*t = fy == 2019 ? 80 : fy == 2020 ? 82 : 85;
		return 0;
	}
	return -1;
}

/* Index of band text b in r->bands, adding it; -1 for no band. */
static int band_index(struct report *r, const char *b)
{
	if (!b || !*b || !strcmp(b, "unknown"))
		return -1;
	for (int i = 0; i < r->nbands; i++)
		if (!strcmp(r->bands[i], b))
			return i;
	if (r->nbands >= MAX_BANDS)
		return -1;	/* beyond 64 distinct bands: counted as unknown */
	if (!(r->bands[r->nbands] = strdup(b))) {
		r->oom = 1;
		return -1;
	}
	return r->nbands++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- loading --------------------------------------------------------- */

struct idx {
	long long id;
	int i;
};

static int cmp_idx(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Sessions that started in the year, the people checked in to them by age
 * band, and check-ins outside any session.  0 or -1 (SQLite error). */
static int load_sessions(struct report *r)
{
	static const char q_ses[] =
		"SELECT s.id, s.started_at, s.ended_at, s.group_type, s.group_size,"
		" (SELECT coalesce(sum(party_size), 0) FROM participants p WHERE p.session_id = s.id),"
		" (SELECT group_concat(project_id, ';') FROM (SELECT project_id"
		"   FROM session_projects WHERE session_id = s.id ORDER BY project_id))"
		" FROM sessions s WHERE s.started_at >= ?1 AND s.started_at < ?2"
		" ORDER BY s.started_at, s.id";
	static const char q_bands[] =
		"SELECT p.session_id, p.age_band, sum(p.party_size) FROM participants p"
		" JOIN sessions s ON s.id = p.session_id"
		" WHERE s.started_at >= ?1 AND s.started_at < ?2"
		" GROUP BY p.session_id, p.age_band ORDER BY p.session_id, p.age_band";
	static const char q_lone[] =
		"SELECT id, created_at, age_band, party_size FROM participants"
		" WHERE session_id IS NULL AND created_at >= ?1 AND created_at < ?2"
		" ORDER BY created_at, id";
	struct idx *byid = NULL;
	sqlite3_stmt *st;
	int rc;

	if (!(st = store_stmt(r->h, q_ses)))
		return -1;
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct r_session *s;
		const char *g = (const char *)sqlite3_column_text(st, 3);

		PUSH(r, r->ses, r->nses, s);
		if (!s)
			break;
		s->id = sqlite3_column_int64(st, 0);
		s->started = sqlite3_column_double(st, 1);
		s->has_end = sqlite3_column_type(st, 2) != SQLITE_NULL;
		s->ended_at = sqlite3_column_double(st, 2);
		s->group = index_of(groups, NGROUPS - 1, g);
		if (s->group < 0)
			s->group = 0;	/* the schema allows no other value */
		s->size = (long)sqlite3_column_int64(st, 4);
		s->checked = (long)sqlite3_column_int64(st, 5);
		s->projects = col_dup(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;

	/* the sessions are in time order and the band rows in session id
	 * order: find each row's session through an id-sorted index */
	if (r->nses && !(byid = malloc((size_t)r->nses * sizeof(*byid))))
		return -1;
	for (int i = 0; i < r->nses; i++)
		byid[i] = (struct idx){ r->ses[i].id, i };
	if (r->nses)
		qsort(byid, (size_t)r->nses, sizeof(*byid), cmp_idx);
	if (!(st = store_stmt(r->h, q_bands))) {
		free(byid);
		return -1;
	}
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct idx key = { sqlite3_column_int64(st, 0), 0 }, *hit;
		struct r_bandn *b;
		int si;

		hit = r->nses ? bsearch(&key, byid, (size_t)r->nses, sizeof(*byid), cmp_idx) : NULL;
		if (!hit)
			continue;
		si = hit->i;
		PUSH(r, r->bn, r->nbn, b);
		if (!b)
			break;
		b->sess = si;
		b->band = band_index(r, (const char *)sqlite3_column_text(st, 1));
		b->n = (long)sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	free(byid);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;

	if (!(st = store_stmt(r->h, q_lone)))
		return -1;
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct r_lone *l;

		PUSH(r, r->lone, r->nlone, l);
		if (!l)
			break;
		l->id = sqlite3_column_int64(st, 0);
		l->at = sqlite3_column_double(st, 1);
		l->band = band_index(r, (const char *)sqlite3_column_text(st, 2));
		l->n = (long)sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The projects active in the year (a session or a confirmed contribution
 * in it), by id, with their activity counts.  0 or -1. */
static int load_projects(struct report *r)
{
	static const char q[] =
		"WITH act(project_id, t, what) AS ("
		"  SELECT sp.project_id, s.started_at, 's' FROM session_projects sp"
		"   JOIN sessions s ON s.id = sp.session_id"
		"   WHERE s.started_at >= ?1 AND s.started_at < ?2"
		"  UNION ALL SELECT c.project_id, c.created_at, 'c' FROM contributions c"
		"   WHERE c.status = 'confirmed' AND c.project_id IS NOT NULL"
		"   AND c.created_at >= ?1 AND c.created_at < ?2)"
		" SELECT p.id, CASE WHEN p.visibility = 'public' THEN p.title END, p.status,"
		"  (SELECT group_concat(theme, ';') FROM (SELECT theme FROM project_themes"
		"    WHERE project_id = p.id ORDER BY theme)),"
		"  EXISTS(SELECT 1 FROM project_themes t WHERE t.project_id = p.id"
		"    AND t.theme = 'quebec-culture'),"
		"  sum(a.what = 's'), sum(a.what = 'c'), min(a.t), max(a.t)"
		" FROM projects p JOIN act a ON a.project_id = p.id"
		" GROUP BY p.id ORDER BY p.id";
	sqlite3_stmt *st = store_stmt(r->h, q);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct r_project *p;

		PUSH(r, r->proj, r->nproj, p);
		if (!p)
			break;
		p->id = sqlite3_column_int64(st, 0);
		p->title = col_dup(st, 1);
		p->status = col_dup(st, 2);
		p->themes = col_dup(st, 3);
		p->quebec = sqlite3_column_int(st, 4);
		p->nsess = (long)sqlite3_column_int64(st, 5);
		p->ncontrib = (long)sqlite3_column_int64(st, 6);
		p->first = sqlite3_column_double(st, 7);
		p->last = sqlite3_column_double(st, 8);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* Every contribution made in the year, whatever its status.  0 or -1. */
static int load_contributions(struct report *r)
{
	static const char q[] =
		"SELECT id, created_at, decided_at, status, kind, licence, project_id,"
		" session_id, device_id, job_id FROM contributions"
		" WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id";
	sqlite3_stmt *st = store_stmt(r->h, q);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct r_contrib *c;

		PUSH(r, r->con, r->ncon, c);
		if (!c)
			break;
		c->id = sqlite3_column_int64(st, 0);
		c->created = sqlite3_column_double(st, 1);
		c->has_decided = sqlite3_column_type(st, 2) != SQLITE_NULL;
		c->decided = sqlite3_column_double(st, 2);
		c->status = col_dup(st, 3);
		c->kind = col_dup(st, 4);
		c->licence = col_dup(st, 5);
		c->project = col_nint(st, 6);
		c->session = col_nint(st, 7);
		c->device = col_dup(st, 8);
		c->job = col_nint(st, 9);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* Every vote cast in the year, with whether it is positive.  0 or -1. */
static int load_ratings(struct report *r)
{
	static const char q[] =
		"SELECT id, at, scale, value, session_id, source FROM ratings"
		" WHERE at >= ?1 AND at < ?2 ORDER BY at, id";
	sqlite3_stmt *st = store_stmt(r->h, q);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct r_rating *v;

		PUSH(r, r->rat, r->nrat, v);
		if (!v)
			break;
		v->id = sqlite3_column_int64(st, 0);
		v->at = sqlite3_column_double(st, 1);
		v->scale = sqlite3_column_int(st, 2);
		v->value = sqlite3_column_int(st, 3);
		v->positive = (v->scale == 3 && v->value == 3) || (v->scale == 5 && v->value >= 4);
		v->session = col_nint(st, 4);
		v->source = col_dup(st, 5);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static void add_machine(struct report *r, const char *m)
{
	char **na;

	for (int i = 0; i < r->nmach; i++)
		if (!strcmp(r->mach[i], m))
			return;
	na = realloc(r->mach, (size_t)(r->nmach + 1) * sizeof(*na));
	if (!na || !(na[r->nmach] = strdup(m))) {
		if (na)
			r->mach = na;
		r->oom = 1;
		return;
	}
	r->mach = na;
	r->nmach++;
}

static void each_machine(void *arg, const char *key, const char *name, const char *value)
{
	add_machine(arg, name);
}

/* Closed busy periods overlapping the year, clipped to it (hours and a
 * time-proportional share of energy), and the list of machines: those
 * seen plus those configured, sorted.  0 or -1. */
static int load_machine_use(struct report *r)
{
	static const char q[] =
		"SELECT id, machine, plug, started_at, ended_at, energy_kwh FROM machine_use"
		" WHERE ended_at IS NOT NULL AND started_at < ?2 AND ended_at > ?1"
		" ORDER BY machine, started_at, id";
	sqlite3_stmt *st = store_stmt(r->h, q);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct r_use *u;
		double e;

		PUSH(r, r->use, r->nuse, u);
		if (!u)
			break;
		u->id = sqlite3_column_int64(st, 0);
		u->machine = col_dup(st, 1);
		u->plug = col_dup(st, 2);
		u->started = sqlite3_column_double(st, 3);
		u->ended = sqlite3_column_double(st, 4);
		e = sqlite3_column_double(st, 5);	/* NULL reads as 0 */
		u->from = u->started > r->start ? u->started : r->start;
		u->to = u->ended < r->end ? u->ended : r->end;
		u->hours = (u->to - u->from) / 3600.0;
		/* energy of a period cut by the year boundary: pro rata of time */
		u->kwh = u->ended > u->started ? e * (u->to - u->from) / (u->ended - u->started) : e;
		if (u->machine)
			add_machine(r, u->machine);
	}
	sqlite3_reset(st);
	if (r->h->conf)
		conf_each(r->h->conf, "machine.*.plug", each_machine, r);
	if (r->nmach > 1)
		qsort(r->mach, (size_t)r->nmach, sizeof(*r->mach), cmp_str);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* Jobs that ended in the year in a terminal state.  0 or -1. */
static int load_jobs(struct report *r)
{
	static const char q[] =
		"SELECT j.id, d.id, j.kind, j.state, j.started_at, j.ended_at, j.duration_s"
		" FROM jobs j LEFT JOIN devices d ON d.dev = j.dev"
		" WHERE j.ended_at >= ?1 AND j.ended_at < ?2"
		" AND j.state IN ('finished', 'failed', 'cancelled')"
		" ORDER BY j.ended_at, j.id";
	sqlite3_stmt *st = store_stmt(r->h, q);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct r_job *j;

		PUSH(r, r->job, r->njob, j);
		if (!j)
			break;
		j->id = sqlite3_column_int64(st, 0);
		j->device = col_dup(st, 1);
		j->kind = col_dup(st, 2);
		j->state = col_dup(st, 3);
		j->has_started = sqlite3_column_type(st, 4) != SQLITE_NULL;
		j->started = sqlite3_column_double(st, 4);
		j->ended = sqlite3_column_double(st, 5);
		j->has_duration = sqlite3_column_type(st, 6) != SQLITE_NULL;
		j->duration = sqlite3_column_double(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* Order bands: the standard ones in age order, then others by text.
 * Remaps the band indexes already stored. */
static void sort_bands(struct report *r)
{
	char *sorted[MAX_BANDS];
	int map[MAX_BANDS], n = 0;

	for (int s = 0; s < NSTD_BANDS; s++)
		band_index(r, std_bands[s]);	/* every standard band is listed */
	for (int s = 0; s < NSTD_BANDS; s++)
		for (int i = 0; i < r->nbands; i++)
			if (!strcmp(r->bands[i], std_bands[s]))
				sorted[n++] = r->bands[i];
	{
		int first_other = n;

		for (int i = 0; i < r->nbands; i++)
			if (index_of(std_bands, NSTD_BANDS, r->bands[i]) < 0)
				sorted[n++] = r->bands[i];
		qsort(sorted + first_other, (size_t)(n - first_other), sizeof(char *), cmp_str);
	}
	for (int i = 0; i < r->nbands; i++)
		for (int j = 0; j < n; j++)
			if (sorted[j] == r->bands[i])
				map[i] = j;
	for (int i = 0; i < r->nbn; i++)
		if (r->bn[i].band >= 0)
			r->bn[i].band = map[r->bn[i].band];
	for (int i = 0; i < r->nlone; i++)
		if (r->lone[i].band >= 0)
			r->lone[i].band = map[r->lone[i].band];
	memcpy(r->bands, sorted, (size_t)n * sizeof(char *));
}

/* Per session: counted = max(head count, check-ins); known = check-ins
 * with a band; young = check-ins with a band under 18. */
static int cmp_bn(const void *a, const void *b)
{
	const struct r_bandn *x = a, *y = b;

	if (x->sess != y->sess)
		return x->sess < y->sess ? -1 : 1;
	return x->band < y->band ? -1 : x->band > y->band;
}

static void count_sessions(struct report *r)
{
	/* band rows grouped by session (in band order): each session's rows
	 * are one run, found in O(1) by the explain lists */
	if (r->nbn)
		qsort(r->bn, (size_t)r->nbn, sizeof(*r->bn), cmp_bn);
	for (int i = r->nbn - 1; i >= 0; i--) {
		r->ses[r->bn[i].sess].bn_first = i;
		r->ses[r->bn[i].sess].bn_count++;
	}
	for (int i = 0; i < r->nbn; i++) {
		struct r_session *s = &r->ses[r->bn[i].sess];

		if (r->bn[i].band >= 0) {
			s->known += r->bn[i].n;
			if (report_band_young(r->bands[r->bn[i].band]))
				s->young += r->bn[i].n;
		}
	}
	for (int i = 0; i < r->nses; i++)
		r->ses[i].counted = r->ses[i].size > r->ses[i].checked ? r->ses[i].size
								     : r->ses[i].checked;
}

/* Free everything the report loaded (the strings are owned by it). */
static void report_free(struct report *r)
{
	for (int i = 0; i < r->nses; i++)
		free(r->ses[i].projects);
	free(r->ses);
	free(r->bn);
	free(r->lone);
	for (int i = 0; i < r->nproj; i++) {
		free(r->proj[i].title);
		free(r->proj[i].status);
		free(r->proj[i].themes);
	}
	free(r->proj);
	for (int i = 0; i < r->ncon; i++) {
		free(r->con[i].status);
		free(r->con[i].kind);
		free(r->con[i].licence);
		free(r->con[i].device);
	}
	free(r->con);
	for (int i = 0; i < r->nrat; i++)
		free(r->rat[i].source);
	free(r->rat);
	for (int i = 0; i < r->nuse; i++) {
		free(r->use[i].machine);
		free(r->use[i].plug);
	}
	free(r->use);
	for (int i = 0; i < r->njob; i++) {
		free(r->job[i].device);
		free(r->job[i].kind);
		free(r->job[i].state);
	}
	free(r->job);
	for (int i = 0; i < r->nbands; i++)
		free(r->bands[i]);
	for (int i = 0; i < r->nmach; i++)
		free(r->mach[i]);
	free(r->mach);
	free(r->figs);
	memset(r, 0, sizeof(*r));
}

/* ---- figures --------------------------------------------------------- */

/* Look up the target: target.<name>.<fy>, then target.<name>, then the
 * built-in default.  Only top-level names (no '.') have targets. */
static void fig_target(struct report *r, struct fig *f)
{
	char key[200];
	double t;

	if (strchr(f->name, '.'))
		return;
	if (r->h->conf) {
		snprintf(key, sizeof(key), "target.%s.%d", f->name, r->fy);
		t = conf_num(r->h->conf, key);
		if (isnan(t)) {
			snprintf(key, sizeof(key), "target.%s", f->name);
			t = conf_num(r->h->conf, key);
		}
		if (!isnan(t)) {
			f->has_t = 1;
			f->t = t;
			return;
		}
	}
	if (!report_default_target(f->name, r->fy, &t)) {
		f->has_t = 1;
		f->t = t;
	}
}

static void fig_add(struct report *r, int dec, int null, double v, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void fig_add(struct report *r, int dec, int null, double v, const char *fmt, ...)
{
	struct fig *f;
	va_list ap;

	PUSH(r, r->figs, r->nfigs, f);
	if (!f)
		return;
	va_start(ap, fmt);
	vsnprintf(f->name, sizeof(f->name), fmt, ap);
	va_end(ap);
	f->dec = dec;
	f->null = null;
	f->v = null ? 0 : v;
	fig_target(r, f);
}

static double pct(long num, long den)
{
	return den ? 100.0 * (double)num / (double)den : 0;
}

/* Compute every figure from the loaded rows, in the published order. */
static void compute(struct report *r)
{
	long quebec = 0, ppl = 0, young = 0, known = 0, conf[3] = { 0 };
	long vpos = 0, jobs[4] = { 0 };
	long ses_g[NGROUPS] = { 0 }, ppl_g[NGROUPS] = { 0 };
	long kind_n[NKINDS] = { 0 }, lic_n[NLICENCES] = { 0 };
	long band_n[MAX_BANDS] = { 0 }, unknown = 0;
	long sc_n[2] = { 0 }, sc_pos[2] = { 0 };
	double hours = 0, kwh = 0;

	for (int i = 0; i < r->nproj; i++)
		quebec += r->proj[i].quebec;
	for (int i = 0; i < r->nses; i++) {
		struct r_session *s = &r->ses[i];

		ses_g[s->group]++;
		ppl_g[s->group] += s->counted;
		ppl += s->counted;
		young += s->young;
		known += s->known;
		unknown += s->counted - s->known;
	}
	for (int i = 0; i < r->nbn; i++)
		if (r->bn[i].band >= 0)
			band_n[r->bn[i].band] += r->bn[i].n;
	for (int i = 0; i < r->nlone; i++) {
		struct r_lone *l = &r->lone[i];

		ppl += l->n;
		ppl_g[NGROUPS - 1] += l->n;
		if (l->band >= 0) {
			band_n[l->band] += l->n;
			known += l->n;
			young += report_band_young(r->bands[l->band]) ? l->n : 0;
		} else {
			unknown += l->n;
		}
	}
	for (int i = 0; i < r->ncon; i++) {
		struct r_contrib *c = &r->con[i];
		int k;

		if (!strcmp(c->status, "confirmed")) {
			conf[0]++;
			if ((k = index_of(kinds, NKINDS, c->kind)) >= 0)
				kind_n[k]++;
			if ((k = index_of(licences, NLICENCES, c->licence)) >= 0)
				lic_n[k]++;
		} else if (!strcmp(c->status, "pending")) {
			conf[1]++;
		} else if (!strcmp(c->status, "rejected")) {
			conf[2]++;
		}
	}
	for (int i = 0; i < r->nrat; i++) {
		int s = r->rat[i].scale == 5;

		vpos += r->rat[i].positive;
		sc_n[s]++;
		sc_pos[s] += r->rat[i].positive;
	}
	for (int i = 0; i < r->nuse; i++) {
		hours += r->use[i].hours;
		kwh += r->use[i].kwh;
	}
	for (int i = 0; i < r->njob; i++) {
		struct r_job *j = &r->job[i];

		if (!strcmp(j->kind, "print")) {
			if (!strcmp(j->state, "finished"))
				jobs[0]++;
			else if (!strcmp(j->state, "failed"))
				jobs[1]++;
			else if (!strcmp(j->state, "cancelled"))
				jobs[2]++;
		} else if (!strcmp(j->kind, "scan") && !strcmp(j->state, "finished")) {
			jobs[3]++;
		}
	}

	fig_add(r, 0, 0, r->nproj, "participation_projects");
	fig_add(r, 0, 0, quebec, "quebec_culture_projects");
	fig_add(r, 0, 0, r->nses, "sessions");
	fig_add(r, 0, 0, ppl, "participants");
	fig_add(r, 0, 0, young, "participants_young");
	fig_add(r, 1, !known, pct(young, known), "young_share_pct");
	fig_add(r, 0, 0, conf[0], "contributions_confirmed");
	fig_add(r, 0, 0, conf[1], "contributions_pending");
	fig_add(r, 0, 0, conf[2], "contributions_rejected");
	fig_add(r, 0, 0, r->nrat, "votes");
	fig_add(r, 0, 0, vpos, "votes_positive");
	fig_add(r, 1, !r->nrat, pct(vpos, r->nrat), "appreciation_rate_pct");
	fig_add(r, 2, 0, hours, "machine_busy_hours");
	fig_add(r, 3, 0, kwh, "machine_energy_kwh");
	fig_add(r, 0, 0, jobs[0], "print_jobs_finished");
	fig_add(r, 0, 0, jobs[1], "print_jobs_failed");
	fig_add(r, 0, 0, jobs[2], "print_jobs_cancelled");
	fig_add(r, 0, 0, jobs[3], "scans");

	for (int g = 0; g < NGROUPS - 1; g++)
		fig_add(r, 0, 0, ses_g[g], "sessions.by_group.%s", groups[g]);
	for (int g = 0; g < NGROUPS; g++)
		fig_add(r, 0, 0, ppl_g[g], "participants.by_group.%s", groups[g]);
	for (int b = 0; b < r->nbands; b++)
		fig_add(r, 0, 0, band_n[b], "participants.by_age.%s", r->bands[b]);
	fig_add(r, 0, 0, unknown, "participants.by_age.unknown");
	for (int k = 0; k < NKINDS; k++)
		fig_add(r, 0, 0, kind_n[k], "contributions_confirmed.by_kind.%s", kinds[k]);
	for (int k = 0; k < NLICENCES; k++)
		fig_add(r, 0, 0, lic_n[k], "contributions_confirmed.by_licence.%s", licences[k]);
	fig_add(r, 0, 0, sc_n[0], "votes.by_scale.3");
	fig_add(r, 0, 0, sc_n[1], "votes.by_scale.5");
	fig_add(r, 1, !sc_n[0], pct(sc_pos[0], sc_n[0]), "appreciation_rate_pct.by_scale.3");
	fig_add(r, 1, !sc_n[1], pct(sc_pos[1], sc_n[1]), "appreciation_rate_pct.by_scale.5");
	for (int m = 0; m < r->nmach; m++) {
		double h = 0;

		for (int i = 0; i < r->nuse; i++)
			if (r->use[i].machine && !strcmp(r->use[i].machine, r->mach[m]))
				h += r->use[i].hours;
		fig_add(r, 2, 0, h, "machine_busy_hours.by_machine.%s", r->mach[m]);
	}
	for (int m = 0; m < r->nmach; m++) {
		double e = 0;

		for (int i = 0; i < r->nuse; i++)
			if (r->use[i].machine && !strcmp(r->use[i].machine, r->mach[m]))
				e += r->use[i].kwh;
		fig_add(r, 3, 0, e, "machine_energy_kwh.by_machine.%s", r->mach[m]);
	}
}

static const struct fig *fig_find(const struct report *r, const char *name)
{
	for (int i = 0; i < r->nfigs; i++)
		if (!strcmp(r->figs[i].name, name))
			return &r->figs[i];
	return NULL;
}

/* ---- number and text formatting ------------------------------------- */

/* Append a string literal (its length known at compile time). */
#define PUT(o, lit) api_write((o), (lit), sizeof(lit) - 1)

/* v with dec decimals, trailing zeros dropped, never "-0". Returns buf. */
static char *fmtnum(double v, int dec, char *buf, size_t len)
{
	char *dot;

	snprintf(buf, len, "%.*f", dec, v);
	if (dec > 0 && (dot = strchr(buf, '.'))) {
		char *e = buf + strlen(buf);

		while (e > dot + 1 && e[-1] == '0')
			*--e = '\0';
		if (e == dot + 1)
			*dot = '\0';
	}
	if (!strcmp(buf, "-0"))
		snprintf(buf, len, "0");
	return buf;
}

/* Gap = displayed value − target, with the figure's decimals. */
static char *fmtgap(const struct fig *f, char *buf, size_t len)
{
	char v[64];

	fmtnum(f->v, f->dec, v, sizeof(v));
	return fmtnum(strtod(v, NULL) - f->t, f->dec > 0 ? f->dec : 3, buf, len);
}

static void json_str(struct api_resp *o, const char *s)
{
	PUT(o, "\"");
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			api_printf(o, "\\%c", c);
		else if (c < 0x20)
			api_printf(o, "\\u%04x", c);
		else
			api_write(o, s, 1);
	}
	PUT(o, "\"");
}

static void html_str(struct api_resp *o, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': PUT(o, "&lt;"); break;
		case '>': PUT(o, "&gt;"); break;
		case '&': PUT(o, "&amp;"); break;
		case '"': PUT(o, "&quot;"); break;
		case '\'': PUT(o, "&#39;"); break;
		default: api_write(o, s, 1);
		}
	}
}

/* ---- explain tables -------------------------------------------------- */

struct xtab {
	const char *const *cols;	/* column names */
	const char *types;		/* per column: 'n' number, 's' text */
	int ncols;
	char **cells;			/* nrows * ncols, owned; NULL = null */
	int ncells;
	int oom;
};

/* Append one cell (formatted; fmt NULL for a null) to the current row;
 * the table owns the text.  Out of memory sets x->oom. */
static void xcell(struct xtab *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xcell(struct xtab *x, const char *fmt, ...)
{
	char **slot, *s = NULL;
	va_list ap;

	x->cells = grow(x->cells, x->ncells, sizeof(char *), (void **)&slot);
	if (!slot) {
		x->oom = 1;
		return;
	}
	x->ncells++;
	if (fmt) {
		va_start(ap, fmt);
		if (vasprintf(&s, fmt, ap) < 0) {
			s = NULL;
			x->oom = 1;
		}
		va_end(ap);
	}
	*slot = s;
}

static void xtime(struct xtab *x, double t)
{
	char b[48];

	xcell(x, "%s", fiscal_local_iso(t, b, sizeof(b)));
}

static void xnint(struct xtab *x, struct nint n)
{
	if (n.null)
		xcell(x, NULL);
	else
		xcell(x, "%lld", n.v);
}

static void xnum(struct xtab *x, double v, int dec)
{
	char b[64];

	xcell(x, "%s", fmtnum(v, dec, b, sizeof(b)));
}

static void xtab_free(struct xtab *x)
{
	for (int i = 0; i < x->ncells; i++)
		free(x->cells[i]);
	free(x->cells);
	x->cells = NULL;
	x->ncells = 0;
}

/* Does name equal base, or base + "." + anything? Sets *sub to the rest. */
static int family(const char *name, const char *base, const char **sub)
{
	size_t n = strlen(base);

	if (strncmp(name, base, n))
		return 0;
	if (!name[n]) {
		*sub = "";
		return 1;
	}
	if (name[n] != '.')
		return 0;
	*sub = name + n + 1;
	return 1;
}

/* Strip "by_xxx." from a breakdown suffix: "by_group.school" → "school". */
static const char *sub_key(const char *sub, const char *by)
{
	size_t n = strlen(by);

	return !strncmp(sub, by, n) && sub[n] == '.' ? sub + n + 1 : NULL;
}

static void explain_projects(struct report *r, const char *name, struct xtab *x)
{
	static const char *const cols[] = { "project_id", "title", "status", "themes",
		"quebec_culture", "sessions", "contributions", "first_activity",
		"last_activity", "counted" };
	int quebec = !strcmp(name, "quebec_culture_projects");

	x->cols = cols;
	x->types = "nsssnnnssn";
	x->ncols = 10;
	for (int i = 0; i < r->nproj; i++) {
		struct r_project *p = &r->proj[i];

		if (quebec && !p->quebec)
			continue;
		xcell(x, "%lld", p->id);
		xcell(x, p->title ? "%s" : NULL, p->title);
		xcell(x, "%s", p->status);
		xcell(x, p->themes ? "%s" : NULL, p->themes);
		xcell(x, "%d", p->quebec);
		xcell(x, "%ld", p->nsess);
		xcell(x, "%ld", p->ncontrib);
		xtime(x, p->first);
		xtime(x, p->last);
		xcell(x, "1");
	}
}

static void explain_sessions(struct report *r, const char *sub, struct xtab *x)
{
	static const char *const cols[] = { "session_id", "started_at", "ended_at",
		"group_type", "group_size", "checked_in", "projects", "counted" };
	const char *g = *sub ? sub_key(sub, "by_group") : NULL;

	x->cols = cols;
	x->types = "nsssnnsn";
	x->ncols = 8;
	for (int i = 0; i < r->nses; i++) {
		struct r_session *s = &r->ses[i];

		if (g && strcmp(groups[s->group], g))
			continue;
		xcell(x, "%lld", s->id);
		xtime(x, s->started);
		if (s->has_end)
			xtime(x, s->ended_at);
		else
			xcell(x, NULL);
		xcell(x, "%s", groups[s->group]);
		xcell(x, "%ld", s->size);
		xcell(x, "%ld", s->checked);
		xcell(x, s->projects ? "%s" : NULL, s->projects);
		xcell(x, "1");
	}
}

/* The bands of session si (or of lone check-in li) as "6-12:3 unknown:2". */
static void bands_text(struct report *r, int si, const struct r_lone *l, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (l) {
		snprintf(buf, len, "%s:%ld", l->band >= 0 ? r->bands[l->band] : "unknown", l->n);
		return;
	}
	for (int i = r->ses[si].bn_first; i < r->ses[si].bn_first + r->ses[si].bn_count; i++)
		if (r->bn[i].band >= 0 && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s:%ld", o ? " " : "",
					      r->bands[r->bn[i].band], r->bn[i].n);
	if (r->ses[si].counted > r->ses[si].known && o < len)
		snprintf(buf + o, len - o, "%sunknown:%ld", o ? " " : "",
			 r->ses[si].counted - r->ses[si].known);
}

/* How many of session si's people figure `what` counts. */
static long session_part(struct report *r, int si, const char *what, const char *key)
{
	struct r_session *s = &r->ses[si];
	long n = 0;

	if (!strcmp(what, "participants"))
		return s->counted;
	if (!strcmp(what, "group"))
		return strcmp(groups[s->group], key) ? 0 : s->counted;
	if (!strcmp(what, "young"))
		return s->young;
	if (!strcmp(what, "age")) {
		if (!strcmp(key, "unknown"))
			return s->counted - s->known;
		for (int i = s->bn_first; i < s->bn_first + s->bn_count; i++)
			if (r->bn[i].band >= 0 && !strcmp(r->bands[r->bn[i].band], key))
				n += r->bn[i].n;
	}
	return n;
}

static long lone_part(struct report *r, const struct r_lone *l, const char *what, const char *key)
{
	const char *band = l->band >= 0 ? r->bands[l->band] : "unknown";

	if (!strcmp(what, "participants"))
		return l->n;
	if (!strcmp(what, "group"))
		return !strcmp(key, "none") ? l->n : 0;
	if (!strcmp(what, "young"))
		return report_band_young(band) ? l->n : 0;
	if (!strcmp(what, "age"))
		return !strcmp(band, key) ? l->n : 0;
	return 0;
}

static void explain_participants(struct report *r, const char *name, struct xtab *x)
{
	static const char *const cols[] = { "session_id", "participant_id", "at",
		"group_type", "group_size", "checked_in", "known_band", "young", "bands",
		"counted" };
	const char *what = "participants", *key = "", *sub;
	int share = !strcmp(name, "young_share_pct");
	char bands[1024];

	x->cols = cols;
	x->types = "nnssnnnnsn";
	x->ncols = 10;
	if (share || !strcmp(name, "participants_young")) {
		what = "young";
	} else if (family(name, "participants", &sub) && *sub) {
		if ((key = sub_key(sub, "by_group")))
			what = "group";
		else if ((key = sub_key(sub, "by_age")))
			what = "age";
		else
			key = "";
	}
	for (int i = 0; i < r->nses; i++) {
		struct r_session *s = &r->ses[i];
		long n = session_part(r, i, what, key);

		/* a share lists its whole denominator; a count what it counts */
		if (share ? s->known == 0 : n == 0)
			continue;
		bands_text(r, i, NULL, bands, sizeof(bands));
		xcell(x, "%lld", s->id);
		xcell(x, NULL);
		xtime(x, s->started);
		xcell(x, "%s", groups[s->group]);
		xcell(x, "%ld", s->size);
		xcell(x, "%ld", s->checked);
		xcell(x, "%ld", s->known);
		xcell(x, "%ld", s->young);
		xcell(x, "%s", bands);
		xcell(x, "%ld", n);
	}
	for (int i = 0; i < r->nlone; i++) {
		struct r_lone *l = &r->lone[i];
		long n = lone_part(r, l, what, key);
		int kn = l->band >= 0;

		if (share ? !kn : n == 0)
			continue;
		bands_text(r, -1, l, bands, sizeof(bands));
		xcell(x, NULL);
		xcell(x, "%lld", l->id);
		xtime(x, l->at);
		xcell(x, "none");
		xcell(x, "0");
		xcell(x, "%ld", l->n);
		xcell(x, "%ld", kn ? l->n : 0);
		xcell(x, "%ld", kn && report_band_young(r->bands[l->band]) ? l->n : 0);
		xcell(x, "%s", bands);
		xcell(x, "%ld", n);
	}
}

static void explain_contributions(struct report *r, const char *name, struct xtab *x)
{
	static const char *const cols[] = { "contribution_id", "created_at", "decided_at",
		"status", "kind", "licence", "project_id", "session_id", "device", "job_id",
		"counted" };
	const char *status = "confirmed", *sub = "", *kind = NULL, *lic = NULL;

	x->cols = cols;
	x->types = "nsssssnnsnn";
	x->ncols = 11;
	if (!strcmp(name, "contributions_pending"))
		status = "pending";
	else if (!strcmp(name, "contributions_rejected"))
		status = "rejected";
	else if (family(name, "contributions_confirmed", &sub) && *sub) {
		kind = sub_key(sub, "by_kind");
		lic = sub_key(sub, "by_licence");
	}
	for (int i = 0; i < r->ncon; i++) {
		struct r_contrib *c = &r->con[i];

		if (strcmp(c->status, status) || (kind && strcmp(c->kind, kind)) ||
		    (lic && strcmp(c->licence, lic)))
			continue;
		xcell(x, "%lld", c->id);
		xtime(x, c->created);
		if (c->has_decided)
			xtime(x, c->decided);
		else
			xcell(x, NULL);
		xcell(x, "%s", c->status);
		xcell(x, "%s", c->kind);
		xcell(x, "%s", c->licence);
		xnint(x, c->project);
		xnint(x, c->session);
		xcell(x, c->device ? "%s" : NULL, c->device);
		xnint(x, c->job);
		xcell(x, "1");
	}
}

static void explain_ratings(struct report *r, const char *name, struct xtab *x)
{
	static const char *const cols[] = { "rating_id", "at", "scale", "value",
		"positive", "session_id", "source", "counted" };
	const char *sub = "", *scale = NULL;
	int rate = family(name, "appreciation_rate_pct", &sub);
	int pos = !strcmp(name, "votes_positive");

	if (!rate)
		family(name, "votes", &sub);
	if (*sub)
		scale = sub_key(sub, "by_scale");
	x->cols = cols;
	x->types = "nsnnnnsn";
	x->ncols = 8;
	for (int i = 0; i < r->nrat; i++) {
		struct r_rating *v = &r->rat[i];

		if ((pos && !v->positive) || (scale && v->scale != atoi(scale)))
			continue;
		xcell(x, "%lld", v->id);
		xtime(x, v->at);
		xcell(x, "%d", v->scale);
		xcell(x, "%d", v->value);
		xcell(x, "%d", v->positive);
		xnint(x, v->session);
		xcell(x, v->source ? "%s" : NULL, v->source);
		xcell(x, "%d", rate ? v->positive : 1);
	}
}

static void explain_machines(struct report *r, const char *name, struct xtab *x)
{
	static const char *const cols[] = { "use_id", "machine", "plug", "started_at",
		"ended_at", "counted_from", "counted_to", "hours", "energy_kwh", "counted" };
	const char *sub = "", *m = NULL;
	int energy = family(name, "machine_energy_kwh", &sub);

	if (!energy)
		family(name, "machine_busy_hours", &sub);
	if (*sub)
		m = sub_key(sub, "by_machine");
	x->cols = cols;
	x->types = "nssssssnnn";
	x->ncols = 10;
	for (int i = 0; i < r->nuse; i++) {
		struct r_use *u = &r->use[i];

		if (m && (!u->machine || strcmp(u->machine, m)))
			continue;
		xcell(x, "%lld", u->id);
		xcell(x, u->machine ? "%s" : NULL, u->machine);
		xcell(x, u->plug ? "%s" : NULL, u->plug);
		xtime(x, u->started);
		xtime(x, u->ended);
		xtime(x, u->from);
		xtime(x, u->to);
		xnum(x, u->hours, 4);
		xnum(x, u->kwh, 4);
		xnum(x, energy ? u->kwh : u->hours, 4);
	}
}

static void explain_jobs(struct report *r, const char *name, struct xtab *x)
{
	static const char *const cols[] = { "job_id", "device", "kind", "state",
		"started_at", "ended_at", "duration_s", "counted" };
	const char *kind = "print", *state = "finished";

	x->cols = cols;
	x->types = "nsssssnn";
	x->ncols = 8;
	if (!strcmp(name, "scans"))
		kind = "scan";
	else if (!strcmp(name, "print_jobs_failed"))
		state = "failed";
	else if (!strcmp(name, "print_jobs_cancelled"))
		state = "cancelled";
	for (int i = 0; i < r->njob; i++) {
		struct r_job *j = &r->job[i];

		if (strcmp(j->kind, kind) || strcmp(j->state, state))
			continue;
		xcell(x, "%lld", j->id);
		xcell(x, j->device ? "%s" : NULL, j->device);
		xcell(x, "%s", j->kind);
		xcell(x, "%s", j->state);
		if (j->has_started)
			xtime(x, j->started);
		else
			xcell(x, NULL);
		xtime(x, j->ended);
		if (j->has_duration)
			xnum(x, j->duration, 3);
		else
			xcell(x, NULL);
		xcell(x, "1");
	}
}

/* Fill x with the rows behind figure name (which exists). */
static void explain(struct report *r, const char *name, struct xtab *x)
{
	const char *sub;

	if (!strcmp(name, "participation_projects") || !strcmp(name, "quebec_culture_projects"))
		explain_projects(r, name, x);
	else if (family(name, "sessions", &sub))
		explain_sessions(r, sub, x);
	else if (!strncmp(name, "participants", 12) || !strcmp(name, "young_share_pct"))
		explain_participants(r, name, x);
	else if (!strncmp(name, "contributions_", 14))
		explain_contributions(r, name, x);
	else if (!strncmp(name, "votes", 5) || !strncmp(name, "appreciation_rate_pct", 21))
		explain_ratings(r, name, x);
	else if (!strncmp(name, "machine_", 8))
		explain_machines(r, name, x);
	else
		explain_jobs(r, name, x);
}

/* ---- labels (HTML) --------------------------------------------------- */

static const struct label {
	const char *name, *fr, *en;
} labels[] = {
	{ "participation_projects", "Projets de participation citoyenne actifs", "Active citizen-participation projects" },
	{ "quebec_culture_projects", "Projets sur le contenu culturel numérique québécois", "Projects about Québec digital cultural content" },
	{ "sessions", "Séances", "Sessions" },
	{ "participants", "Participants", "Participants" },
	{ "participants_young", "Jeunes de moins de 18 ans", "Young people under 18" },
	{ "young_share_pct", "Part des jeunes (%, âge connu)", "Share of young people (%, known age)" },
	{ "contributions_confirmed", "Contributions confirmées", "Confirmed contributions" },
	{ "contributions_pending", "Contributions en attente", "Pending contributions" },
	{ "contributions_rejected", "Contributions refusées", "Rejected contributions" },
	{ "votes", "Votes d'appréciation", "Appreciation votes" },
	{ "votes_positive", "Votes positifs", "Positive votes" },
	{ "appreciation_rate_pct", "Taux d'appréciation (%)", "Appreciation rate (%)" },
	{ "machine_busy_hours", "Heures d'utilisation des machines", "Machine busy hours" },
	{ "machine_energy_kwh", "Énergie consommée par les machines (kWh)", "Machine energy (kWh)" },
	{ "print_jobs_finished", "Impressions 3D terminées", "3D prints finished" },
	{ "print_jobs_failed", "Impressions 3D échouées", "3D prints failed" },
	{ "print_jobs_cancelled", "Impressions 3D annulées", "3D prints cancelled" },
	{ "scans", "Numérisations 3D", "3D scans" },
	{ "sessions.by_group", "Séances par type de groupe", "Sessions by group type" },
	{ "participants.by_group", "Participants par type de groupe", "Participants by group type" },
	{ "participants.by_age", "Participants par tranche d'âge", "Participants by age band" },
	{ "contributions_confirmed.by_kind", "Contributions confirmées par type", "Confirmed contributions by kind" },
	{ "contributions_confirmed.by_licence", "Contributions confirmées par licence", "Confirmed contributions by licence" },
	{ "votes.by_scale", "Votes par échelle", "Votes by scale" },
	{ "appreciation_rate_pct.by_scale", "Taux d'appréciation par échelle (%)", "Appreciation rate by scale (%)" },
	{ "machine_busy_hours.by_machine", "Heures d'utilisation par machine", "Busy hours by machine" },
	{ "machine_energy_kwh.by_machine", "Énergie par machine (kWh)", "Energy by machine (kWh)" },
};

static const struct label keys_fr_en[] = {
	{ "by_group.walk-in", "visiteurs libres", "walk-in" },
	{ "by_group.school", "groupe scolaire", "school group" },
	{ "by_group.family", "famille", "family" },
	{ "by_group.workshop", "atelier", "workshop" },
	{ "by_group.partner", "partenaire", "partner" },
	{ "by_group.none", "accueil hors séance", "check-in outside a session" },
	{ "by_age.unknown", "inconnue", "unknown" },
	{ "by_scale.3", "échelle à 3 visages", "3-face scale" },
	{ "by_scale.5", "échelle à 5 niveaux", "5-point scale" },
};

static const char *label(const char *name, int fr)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].name, name))
			return fr ? labels[i].fr : labels[i].en;
	return name;
}

/* A breakdown's name "participants.by_age.13-17" split into its family
 * ("participants.by_age", into fam) and its key ("13-17", returned);
 * NULL for a top-level figure. */
static const char *split_fam(const char *name, char *fam, size_t len)
{
	const char *by = strstr(name, ".by_"), *dot;

	if (!by || !(dot = strchr(by + 1, '.')))
		return NULL;
	snprintf(fam, len, "%.*s", (int)(dot - name), name);
	return dot + 1;
}

/* The label of a breakdown's key (the group names, "unknown", scales). */
static const char *key_label(const char *fam, const char *key, int fr)
{
	const char *by = strstr(fam, ".by_");
	char k[200];

	snprintf(k, sizeof(k), "%s.%s", by ? by + 1 : fam, key);
	for (size_t i = 0; i < sizeof(keys_fr_en) / sizeof(keys_fr_en[0]); i++)
		if (!strcmp(keys_fr_en[i].name, k))
			return fr ? keys_fr_en[i].fr : keys_fr_en[i].en;
	return key;
}

/* Write a number for people: decimal comma in French. */
static void html_num(struct api_resp *o, double v, int dec, int fr)
{
	char b[64];

	fmtnum(v, dec, b, sizeof(b));
	if (fr) {
		char *dot = strchr(b, '.');

		if (dot)
			*dot = ',';
	}
	html_str(o, b);
}

/* ---- outputs --------------------------------------------------------- */

const char report_css[] =
	"body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
	"color:#1b1b1b;margin:2em auto;max-width:60em;padding:0 1em;line-height:1.4}\n"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;"
	"border-bottom:2px solid #2a6f97}h3{font-size:1.05em;margin-bottom:.3em}\n"
	".period{color:#444;margin-top:0}\n"
	"table{border-collapse:collapse;width:100%;margin:.5em 0 1em}\n"
	"th,td{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.below{color:#a4161a;font-weight:600}td.met{color:#2b7a0b;font-weight:600}\n"
	"code{font-size:.85em;color:#555}\n"
	".charts{display:flex;flex-wrap:wrap;gap:1em}.chart{flex:1 1 26em}\n"
	"svg{max-width:100%;height:auto}svg text{font-size:12px;fill:#1b1b1b}\n"
	"footer{margin-top:2em;font-size:.85em;color:#555}\n"
	"@media print{body{margin:0;max-width:none}h2{break-after:avoid}"
	".chart,table{break-inside:avoid}a{color:inherit;text-decoration:none}}\n";

static void out_header_json(struct report *r, struct api_resp *o)
{
	char a[48], b[48];

	api_printf(o, "{\"fy\":%d,\"from\":\"%d-04-01\",\"to\":\"%d-03-31\",\"timezone\":",
		   r->fy, r->fy, r->fy + 1);
	json_str(o, r->tz);
	api_printf(o, ",\"start\":\"%s\",\"end\":\"%s\"",
		   fiscal_local_iso(r->start, a, sizeof(a)), fiscal_local_iso(r->end, b, sizeof(b)));
}

static void out_json(struct report *r, struct api_resp *o)
{
	char b[64];

	out_header_json(r, o);
	PUT(o, ",\"indicators\":{");
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];

		api_printf(o, "%s", i ? "," : "");
		json_str(o, f->name);
		api_printf(o, ":{\"value\":%s", f->null ? "null" : fmtnum(f->v, f->dec, b, sizeof(b)));
		api_printf(o, ",\"target\":%s", f->has_t ? fmtnum(f->t, 3, b, sizeof(b)) : "null");
		api_printf(o, ",\"gap\":%s}", f->has_t && !f->null ? fmtgap(f, b, sizeof(b)) : "null");
	}
	PUT(o, "}}\n");
}

static void out_csv(struct report *r, struct api_resp *o)
{
	char b[64];

	PUT(o, "indicator,value,target\r\n");
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];

		api_csv(o, f->name, ',');
		api_csv(o, f->null ? "" : fmtnum(f->v, f->dec, b, sizeof(b)), ',');
		api_csv(o, f->has_t ? fmtnum(f->t, 3, b, sizeof(b)) : "", '\n');
	}
}

static void explain_json(struct report *r, const struct fig *f, struct xtab *x, struct api_resp *o)
{
	char b[64];

	out_header_json(r, o);
	PUT(o, ",\"indicator\":");
	json_str(o, f->name);
	api_printf(o, ",\"value\":%s", f->null ? "null" : fmtnum(f->v, f->dec, b, sizeof(b)));
	api_printf(o, ",\"target\":%s", f->has_t ? fmtnum(f->t, 3, b, sizeof(b)) : "null");
	PUT(o, ",\"columns\":[");
	for (int c = 0; c < x->ncols; c++) {
		api_printf(o, "%s", c ? "," : "");
		json_str(o, x->cols[c]);
	}
	PUT(o, "],\"rows\":[");
	for (int i = 0; i < x->ncells; i++) {
		int c = i % x->ncols;
		const char *v = x->cells[i];

		api_printf(o, "%s", c ? "," : i ? ",{" : "{");
		json_str(o, x->cols[c]);
		PUT(o, ":");
		if (!v)
			PUT(o, "null");
		else if (x->types[c] == 'n')
			api_write(o, v, strlen(v));
		else
			json_str(o, v);
		if (c == x->ncols - 1)
			PUT(o, "}");
	}
	PUT(o, "]}\n");
}

static void explain_csv(struct xtab *x, struct api_resp *o)
{
	for (int c = 0; c < x->ncols; c++)
		api_csv(o, x->cols[c], c == x->ncols - 1 ? '\n' : ',');
	for (int i = 0; i < x->ncells; i++)
		api_csv(o, x->cells[i] ? x->cells[i] : "", i % x->ncols == x->ncols - 1 ? '\n' : ',');
}

/* A horizontal bar chart of the figures named prefix + "…", as SVG
 * (presentation attributes only: no style attributes, which a strict
 * Content-Security-Policy would block). */
static void svg_chart(struct report *r, struct api_resp *o, const char *prefix, int fr)
{
	size_t pl = strlen(prefix);
	double max = 0;
	int n = 0, y = 0;
	char fam[160];

	for (int i = 0; i < r->nfigs; i++)
		if (!strncmp(r->figs[i].name, prefix, pl) && !r->figs[i].null) {
			n++;
			if (r->figs[i].v > max)
				max = r->figs[i].v;
		}
	if (!n)
		return;
	snprintf(fam, sizeof(fam), "%.*s", (int)pl - 1, prefix);
	PUT(o, "<figure class=\"chart\"><figcaption>");
	html_str(o, label(fam, fr));
	api_printf(o, "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\""
		   " height=\"%d\" viewBox=\"0 0 480 %d\" role=\"img\">", n * 24 + 4, n * 24 + 4);
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];
		char w[32];

		if (strncmp(f->name, prefix, pl) || f->null)
			continue;
		snprintf(w, sizeof(w), "%.1f", max > 0 ? f->v / max * 240.0 : 0.0);
		api_printf(o, "<text x=\"166\" y=\"%d\" text-anchor=\"end\">", y + 16);
		html_str(o, key_label(fam, f->name + pl, fr));
		api_printf(o, "</text><rect x=\"172\" y=\"%d\" width=\"%s\" height=\"18\""
			   " fill=\"#2a6f97\"/><text x=\"%d\" y=\"%d\">", y + 2, w,
			   176 + (int)(max > 0 ? f->v / max * 240.0 : 0), y + 16);
		html_num(o, f->v, f->dec, fr);
		PUT(o, "</text>");
		y += 24;
	}
	PUT(o, "</svg></figure>\n");
}

static void html_head(struct report *r, struct api_resp *o, const struct report_opts *op,
		      int fr, const char *title_extra)
{
	const char *lab = r->h->conf ? conf_str(r->h->conf, "lab.name") : "MLab";

	api_printf(o, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
		   fr ? "fr" : "en");
	html_str(o, lab);
	api_printf(o, " — %s %d-%d", fr ? "Indicateurs" : "Indicators", r->fy, r->fy + 1);
	if (title_extra) {
		PUT(o, " — ");
		html_str(o, title_extra);
	}
	PUT(o, "</title>\n");
	if (op->css_href) {
		PUT(o, "<link rel=\"stylesheet\" href=\"");
		html_str(o, op->css_href);
		PUT(o, "\">\n");
	} else {
		api_printf(o, "<style>\n%s</style>\n", report_css);
	}
	PUT(o, "</head>\n<body>\n<header><h1>");
	html_str(o, lab);
	api_printf(o, " — %s %d-%d</h1>\n<p class=\"period\">",
		   fr ? "Indicateurs de l'exercice" : "Indicators for fiscal year", r->fy, r->fy + 1);
	api_printf(o, fr ? "Du %d-04-01 au %d-03-31 inclusivement, heure de " :
			   "From %d-04-01 to %d-03-31 inclusive, local time in ", r->fy, r->fy + 1);
	html_str(o, r->tz);
	PUT(o, ".</p></header>\n");
}

static void html_foot(struct api_resp *o, int fr)
{
	api_printf(o, "<footer><p>%s</p></footer>\n</body>\n</html>\n",
		   fr ? "Définitions : docs/indicators.md. Données ouvertes : "
			"/api/indicators?fy=ANNÉE&amp;format=csv (une ligne par indicateur)."
		      : "Definitions: docs/indicators.md. Open data: "
			"/api/indicators?fy=YEAR&amp;format=csv (one row per indicator).");
}

static void out_html(struct report *r, struct api_resp *o, const struct report_opts *op)
{
	static const char *const charts[] = {
		"participants.by_group.", "participants.by_age.",
		"contributions_confirmed.by_kind.", "machine_busy_hours.by_machine.",
	};
	int fr = !strcmp(op->lang, "fr");
	char fam[160] = "";

	html_head(r, o, op, fr, NULL);
	api_printf(o, "<section><h2>%s</h2>\n<table>\n<thead><tr><th>%s</th><th class=\"n\">%s</th>"
		   "<th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead>\n<tbody>\n",
		   fr ? "Indicateurs" : "Indicators", fr ? "Indicateur" : "Indicator",
		   fr ? "Valeur" : "Value", fr ? "Cible" : "Target", fr ? "Écart" : "Gap");
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];
		char g[64];

		if (strchr(f->name, '.'))
			continue;
		PUT(o, "<tr><td>");
		html_str(o, label(f->name, fr));
		PUT(o, " <code>");
		html_str(o, f->name);
		PUT(o, "</code></td><td class=\"n\">");
		if (f->null)
			PUT(o, "–");
		else
			html_num(o, f->v, f->dec, fr);
		PUT(o, "</td><td class=\"n\">");
		if (f->has_t)
			html_num(o, f->t, 3, fr);
		if (f->has_t && !f->null) {
			double gap = strtod(fmtgap(f, g, sizeof(g)), NULL);

			api_printf(o, "</td><td class=\"n %s\">%s", gap < 0 ? "below" : "met",
				   gap > 0 ? "+" : "");
			html_num(o, gap, f->dec > 0 ? f->dec : 3, fr);
		} else {
			PUT(o, "</td><td class=\"n\">");
		}
		PUT(o, "</td></tr>\n");
	}
	api_printf(o, "</tbody>\n</table>\n</section>\n<section><h2>%s</h2>\n<div class=\"charts\">\n",
		   fr ? "Graphiques" : "Charts");
	for (size_t c = 0; c < sizeof(charts) / sizeof(charts[0]); c++)
		svg_chart(r, o, charts[c], fr);
	api_printf(o, "</div>\n</section>\n<section><h2>%s</h2>\n", fr ? "Détails" : "Details");
	/* the breakdowns, one table per family ("participants.by_age") */
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];
		char thisfam[160];
		const char *key = split_fam(f->name, thisfam, sizeof(thisfam));

		if (!key)
			continue;
		if (strcmp(fam, thisfam)) {
			if (fam[0])
				PUT(o, "</tbody></table>\n");
			snprintf(fam, sizeof(fam), "%s", thisfam);
			PUT(o, "<h3>");
			html_str(o, label(thisfam, fr));
			PUT(o, "</h3>\n<table><tbody>\n");
		}
		PUT(o, "<tr><td>");
		html_str(o, key_label(thisfam, key, fr));
		PUT(o, "</td><td class=\"n\">");
		if (f->null)
			PUT(o, "–");
		else
			html_num(o, f->v, f->dec, fr);
		PUT(o, "</td></tr>\n");
	}
	if (fam[0])
		PUT(o, "</tbody></table>\n");
	PUT(o, "</section>\n");
	html_foot(o, fr);
}

static void explain_html(struct report *r, const struct fig *f, struct xtab *x,
			 struct api_resp *o, const struct report_opts *op)
{
	int fr = !strcmp(op->lang, "fr");
	char fam[160], g[64];
	const char *key = split_fam(f->name, fam, sizeof(fam));

	html_head(r, o, op, fr, f->name);
	PUT(o, "<section><h2>");
	if (key) {
		html_str(o, label(fam, fr));
		PUT(o, " — ");
		html_str(o, key_label(fam, key, fr));
	} else {
		html_str(o, label(f->name, fr));
	}
	PUT(o, " <code>");
	html_str(o, f->name);
	api_printf(o, "</code></h2>\n<p>%s ", fr ? "Valeur :" : "Value:");
	if (f->null)
		PUT(o, "–");
	else
		html_num(o, f->v, f->dec, fr);
	if (f->has_t) {
		api_printf(o, " — %s ", fr ? "cible :" : "target:");
		html_num(o, f->t, 3, fr);
		if (!f->null) {
			api_printf(o, " — %s ", fr ? "écart :" : "gap:");
			html_num(o, strtod(fmtgap(f, g, sizeof(g)), NULL), f->dec ? f->dec : 3, fr);
		}
	}
	api_printf(o, "</p>\n<p>%s</p>\n<table>\n<thead><tr>",
		   fr ? "Les lignes comptées :" : "The rows counted:");
	for (int c = 0; c < x->ncols; c++) {
		api_printf(o, "<th%s>", x->types[c] == 'n' ? " class=\"n\"" : "");
		html_str(o, x->cols[c]);
		PUT(o, "</th>");
	}
	PUT(o, "</tr></thead>\n<tbody>\n");
	for (int i = 0; i < x->ncells; i++) {
		int c = i % x->ncols;

		if (!c)
			PUT(o, "<tr>");
		api_printf(o, "<td%s>", x->types[c] == 'n' ? " class=\"n\"" : "");
		html_str(o, x->cells[i] ? x->cells[i] : "");
		PUT(o, "</td>");
		if (c == x->ncols - 1)
			PUT(o, "</tr>\n");
	}
	PUT(o, "</tbody>\n</table>\n</section>\n");
	html_foot(o, fr);
}

int report_render(struct hub *h, const struct report_opts *op, struct api_resp *o,
		  char *err, size_t errlen)
{
	struct report r;
	struct fiscal_tz z;
	int rc = 0;

	if (strcmp(op->format, "json") && strcmp(op->format, "csv") && strcmp(op->format, "html")) {
		snprintf(err, errlen, "format must be json, csv or html");
		return -3;
	}
	if (strcmp(op->lang, "fr") && strcmp(op->lang, "en")) {
		snprintf(err, errlen, "lang must be fr or en");
		return -3;
	}
	if (op->fy < 2000 || op->fy > 2999) {
		snprintf(err, errlen, "fy must be a year between 2000 and 2999");
		return -3;
	}
	if (!h->store) {
		snprintf(err, errlen, "no database open");
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.h = h;
	r.fy = op->fy;
	r.tz = h->conf ? conf_str(h->conf, "lab.timezone") : "America/Toronto";
	if (fiscal_tz_enter(&z, r.tz, err, errlen))
		return -1;
	fiscal_bounds(r.fy, &r.start, &r.end);
	if (load_sessions(&r) || load_projects(&r) || load_contributions(&r) ||
	    load_ratings(&r) || load_machine_use(&r) || load_jobs(&r)) {
		snprintf(err, errlen, "cannot read the database: %s", sqlite3_errmsg(store_db(h)));
		rc = -1;
		goto out;
	}
	sort_bands(&r);
	count_sessions(&r);
	compute(&r);
	if (r.oom) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	if (op->explain) {
		const struct fig *f = fig_find(&r, op->explain);
		struct xtab x;

		if (!f) {
			snprintf(err, errlen, "no indicator named '%s' in fiscal year %d",
				 op->explain, r.fy);
			rc = -2;
			goto out;
		}
		memset(&x, 0, sizeof(x));
		explain(&r, f->name, &x);
		if (x.oom) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else if (!strcmp(op->format, "json")) {
			explain_json(&r, f, &x, o);
		} else if (!strcmp(op->format, "csv")) {
			explain_csv(&x, o);
		} else {
			explain_html(&r, f, &x, o, op);
		}
		xtab_free(&x);
	} else if (!strcmp(op->format, "json")) {
		out_json(&r, o);
	} else if (!strcmp(op->format, "csv")) {
		out_csv(&r, o);
	} else {
		out_html(&r, o, op);
	}
out:
	fiscal_tz_leave(&z);
	report_free(&r);
	return rc;
}

/* ---- the API --------------------------------------------------------- */

/* The fiscal year containing now, in the lab's zone (2025 until 31 March
 * 2026).  Falls back to the UTC calendar when the zone is missing. */
static int current_fy(struct hub *h)
{
	struct fiscal_tz z;
	char err[256];
	int fy;

	if (fiscal_tz_enter(&z, h->conf ? conf_str(h->conf, "lab.timezone") : "America/Toronto",
			    err, sizeof(err))) {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		return tm.tm_year + 1900 - (tm.tm_mon < 3);
	}
	fy = fiscal_year_of(hub_now());
	fiscal_tz_leave(&z);
	return fy;
}

static int parse_fy(const char *s, int *fy)
{
	char *end;
	long v = strtol(s, &end, 10);

	/* "2025" or "2025-26" / "2025-2026" */
	if (end == s || (*end && *end != '-') || v < 2000 || v > 2999)
		return -1;
	if (*end == '-') {
		long w = strtol(end + 1, &end, 10);

		if (*end || (w != (v + 1) % 100 && w != v + 1))
			return -1;
	}
	*fy = (int)v;
	return 0;
}

/* GET /api/indicators?fy=Y[&format=json|csv|html][&explain=NAME][&lang=fr|en] */
static int get_indicators(struct api_req *req, struct api_resp *resp)
{
	struct hub *h = req->h;
	struct report_opts op;
	char fy[32], format[16] = "json", explain_name[160], lang[8], err[300];
	int rc;

	memset(&op, 0, sizeof(op));
	if (!api_query(req, "fy", fy, sizeof(fy)) && fy[0]) {
		if (parse_fy(fy, &op.fy))
			return api_error(resp, 400, "fy must be a year such as 2025 (2025-04-01 … 2026-03-31)");
	} else {
		op.fy = current_fy(h);
	}
	if (api_query(req, "format", format, sizeof(format)) || !format[0])
		snprintf(format, sizeof(format), "json");
	if (api_query(req, "lang", lang, sizeof(lang)) || !lang[0])
		snprintf(lang, sizeof(lang), "%s", conf_str(h->conf, "report.lang"));
	if (!api_query(req, "explain", explain_name, sizeof(explain_name)) && explain_name[0])
		op.explain = explain_name;
	op.format = format;
	op.lang = lang;
	op.css_href = "/api/indicators/report.css";
	resp->len = 0;
	rc = report_render(h, &op, resp, err, sizeof(err));
	if (rc) {
		resp->len = 0;
		return api_error(resp, rc == -2 ? 404 : rc == -3 ? 400 : 500, "%s", err);
	}
	resp->status = 200;
	if (!strcmp(format, "csv")) {
		char disp[128];

		resp->ctype = "text/csv; charset=utf-8";
		snprintf(disp, sizeof(disp), "inline; filename=\"indicators-%d%s%s.csv\"", op.fy,
			 op.explain ? "-" : "", op.explain ? "explain" : "");
		api_header(resp, "Content-Disposition", disp);
	} else if (!strcmp(format, "html")) {
		resp->ctype = "text/html; charset=utf-8";
	} else {
		resp->ctype = "application/json";
	}
	return 0;
}

static int get_css(struct api_req *req, struct api_resp *resp)
{
	resp->status = 200;
	resp->ctype = "text/css; charset=utf-8";
	api_write(resp, report_css, strlen(report_css));
	return 0;
}

const struct api_route report_routes[] = {
	{ "GET", "/api/indicators", ROLE_NONE, get_indicators },
	{ "GET", "/api/indicators/report.css", ROLE_NONE, get_css },
	{ NULL, NULL, 0, NULL },
};

/* ---- the command line ------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: mlab-hub report [--fy YEAR] [--format json|csv|html] "
		"[--explain NAME] [--lang fr|en] [--db PATH]\n");
}

int report_command(struct hub *h, int argc, char **argv)
{
	struct report_opts op;
	struct api_resp out;
	const char *db = NULL;
	char err[300];
	int fy_set = 0, rc;

	memset(&op, 0, sizeof(op));
	memset(&out, 0, sizeof(out));
	op.format = "json";
	op.lang = conf_str(h->conf, "report.lang");
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char *eq = strchr(a, '=');
		char opt[32];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			return 0;
		}
		/* --fy=2025 is --fy 2025 */
		if (a[0] == '-' && eq && (size_t)(eq - a) < sizeof(opt)) {
			snprintf(opt, sizeof(opt), "%.*s", (int)(eq - a), a);
			a = opt;
			v = eq + 1;
			i--;	/* the value is not a separate argument */
		}
		if (!v || a[0] != '-') {
			fprintf(stderr, "mlab-hub report: %s%s\n", a,
				a[0] == '-' ? " needs a value" : ": unexpected argument");
			usage();
			return 2;
		}
		if (!strcmp(a, "--fy")) {
			if (parse_fy(v, &op.fy)) {
				fprintf(stderr, "mlab-hub report: --fy %s: expected a year such as 2025\n", v);
				return 2;
			}
			fy_set = 1;
		} else if (!strcmp(a, "--format")) {
			op.format = v;
		} else if (!strcmp(a, "--explain")) {
			op.explain = v;
		} else if (!strcmp(a, "--lang")) {
			op.lang = v;
		} else if (!strcmp(a, "--db")) {
			db = v;
		} else {
			fprintf(stderr, "mlab-hub report: unknown option %s\n", a);
			usage();
			return 2;
		}
		i++;
	}
	if (!db)
		db = conf_str(h->conf, "store.path");
	/* never create an empty database by mistake */
	if (access(db, R_OK)) {
		fprintf(stderr, "mlab-hub report: cannot read database %s\n", db);
		return 1;
	}
	if (!fy_set)
		op.fy = current_fy(h);
	if (store_open(h, db))
		return 1;
	rc = report_render(h, &op, &out, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "mlab-hub report: %s\n", err);
		api_resp_free(&out);
		return rc == -1 ? 1 : 2;
	}
	if (out.len && fwrite(out.body, 1, out.len, stdout) != out.len)
		rc = 1;
	if (fflush(stdout))
		rc = 1;
	api_resp_free(&out);
	return rc;
}
