/*
 * year.c — the rows of one fiscal year, read from the store in a total
 * order (ORDER BY time, id) into a struct report.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/hub.h"
#include "core/log.h"
#include "core/vocab.h"
#include "store/store.h"
#include "report/year.h"

/* the lists of core/vocab.h, without the NULL (counts in year.h) */
const char *const year_groups[] = { VOCAB_C(VOCAB_GROUP_TYPE) "none" };
const char *const year_kinds[] = { VOCAB_C(VOCAB_CONTRIB_KIND) };
const char *const year_licences[] = { VOCAB_C(VOCAB_LICENCE) };
const char *const year_std_bands[] = { VOCAB_C(VOCAB_AGE_BAND) };


/* Make room for slot n of arr (n slots of elem bytes in use; capacity
 * doubles whenever n is a power of two) and return the array, which the
 * caller owns.  *out points at the zeroed slot n, or is NULL when memory
 * ran out (the array is then returned unchanged). */
void *year_grow(void *arr, int n, size_t elem, void **out)
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

int year_index(const char *const *list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (s && !strcmp(list[i], s))
			return i;
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
int year_load_sessions(struct report *r)
{
	/* removed sessions (deleted, or merged into another) are not
	 * counted; a check-in that lists its people by band (a family)
	 * counts them by their bands, not all under the check-in's */
	static const char q_ses[] =
		"SELECT s.id, s.started_at, s.ended_at, s.group_type, s.group_size,"
		" (SELECT coalesce(sum(party_size), 0) FROM participants p WHERE p.session_id = s.id),"
		" (SELECT group_concat(project_id, ';') FROM (SELECT project_id"
		"   FROM session_projects WHERE session_id = s.id ORDER BY project_id)),"
		" g.ids FROM sessions s"
		/* the sessions merged into each, gathered once: a subquery per
		 * session scanned the whole table (no index on merged_into),
		 * 5 billion instructions on a year of 3,000 sessions */
		" LEFT JOIN (SELECT merged_into AS into_id, group_concat(id, ';') AS ids"
		"  FROM (SELECT merged_into, id FROM sessions WHERE merged_into IS NOT NULL"
		"   ORDER BY merged_into, id) GROUP BY merged_into) g ON g.into_id = s.id"
		" WHERE s.started_at >= ?1 AND s.started_at < ?2"
		" AND s.removed_at IS NULL ORDER BY s.started_at, s.id";
	static const char q_gone[] =
		"SELECT id, started_at, coalesce(merged_into, 0), group_type, group_size"
		" FROM sessions WHERE started_at >= ?1 AND started_at < ?2"
		" AND removed_at IS NOT NULL ORDER BY started_at, id";
	static const char q_bands[] =
		"SELECT p.session_id, coalesce(m.age_band, p.age_band), sum(coalesce(m.n, p.party_size))"
		" FROM participants p JOIN sessions s ON s.id = p.session_id"
		" LEFT JOIN participant_members m ON m.participant_id = p.id"
		" WHERE s.started_at >= ?1 AND s.started_at < ?2 AND s.removed_at IS NULL"
		" GROUP BY 1, 2 ORDER BY 1, 2";
	static const char q_lone[] =
		"SELECT p.id, p.created_at, coalesce(m.age_band, p.age_band), coalesce(m.n, p.party_size)"
		" FROM participants p LEFT JOIN participant_members m ON m.participant_id = p.id"
		" WHERE p.session_id IS NULL AND p.created_at >= ?1 AND p.created_at < ?2"
		" ORDER BY p.created_at, p.id, m.rowid";
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
		s->group = year_index(year_groups, NGROUPS - 1, g);
		if (s->group < 0)
			s->group = 0;	/* the schema allows no other value */
		s->size = (long)sqlite3_column_int64(st, 4);
		s->checked = (long)sqlite3_column_int64(st, 5);
		s->projects = col_dup(st, 6);
		s->merged = col_dup(st, 7);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;

	if (!(st = store_stmt(r->h, q_gone)))
		return -1;
	sqlite3_bind_double(st, 1, r->start);
	sqlite3_bind_double(st, 2, r->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct r_gone *g;

		PUSH(r, r->gone, r->ngone, g);
		if (!g)
			break;
		g->id = sqlite3_column_int64(st, 0);
		g->started = sqlite3_column_double(st, 1);
		g->into = sqlite3_column_int64(st, 2);
		g->group = year_index(year_groups, NGROUPS - 1, (const char *)sqlite3_column_text(st, 3));
		if (g->group < 0)
			g->group = 0;
		g->size = (long)sqlite3_column_int64(st, 4);
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
int year_load_projects(struct report *r)
{
	static const char q[] =
		"WITH act(project_id, t, what) AS ("
		"  SELECT sp.project_id, s.started_at, 's' FROM session_projects sp"
		"   JOIN sessions s ON s.id = sp.session_id"
		"   WHERE s.started_at >= ?1 AND s.started_at < ?2 AND s.removed_at IS NULL"
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
int year_load_contributions(struct report *r)
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
int year_load_ratings(struct report *r)
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

/* The label of machine key: the staff's name for its plug, else
 * machine.KEY.name, else key; for a public view the plug's public name,
 * else key.  Malloc'd (caller frees); NULL when out of memory. */
static char *machine_label_load(struct report *r, const char *key)
{
	static const char q[] =
		"SELECT machine FROM device_settings WHERE id=?1 AND machine IS NOT NULL";
	/* a public view names no one: the plug's public name, else the key
	 * (the staff's names for a machine may name people, as devset_public
	 * has it for devices) */
	static const char q_pub[] =
		"SELECT public_name FROM devices WHERE id=?1 AND public_name <> ''";
	const char *plug = key, *name = NULL;
	sqlite3_stmt *st;
	char k[200], *out = NULL;

	if (r->h->conf) {
		snprintf(k, sizeof(k), "machine.%s.plug", key);
		if (conf_str(r->h->conf, k))
			plug = conf_str(r->h->conf, k);
		snprintf(k, sizeof(k), "machine.%s.name", key);
		name = r->public_view ? NULL : conf_str(r->h->conf, k);
	}
	if ((st = store_stmt(r->h, r->public_view ? q_pub : q))) {
		sqlite3_bind_text(st, 1, plug, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			out = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	return out ? out : strdup(name && *name ? name : key);
}

/* Closed busy periods overlapping the year, clipped to it (hours and a
 * time-proportional share of energy), and the list of machines: those
 * seen plus those configured, sorted.  0 or -1. */
int year_load_machine_use(struct report *r)
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
	if (r->nmach && !(r->mach_label = calloc((size_t)r->nmach, sizeof(*r->mach_label))))
		r->oom = 1;
	for (int i = 0; r->mach_label && i < r->nmach; i++)
		r->mach_label[i] = machine_label_load(r, r->mach[i]);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

const char *year_machine_label(const struct report *r, const char *key)
{
	for (int i = 0; i < r->nmach; i++)
		if (!strcmp(r->mach[i], key))
			return r->mach_label && r->mach_label[i] ? r->mach_label[i] : key;
	return key;
}

/* Jobs that ended in the year in a terminal state.  0 or -1. */
int year_load_jobs(struct report *r)
{
	static const char q[] =
		"SELECT j.id, d.id, j.kind, j.state, j.started_at, j.ended_at, j.duration_s"
		" FROM jobs j LEFT JOIN devices d ON d.dev = j.dev"
		" WHERE j.ended_at >= ?1 AND j.ended_at < ?2"
		" AND j.state IN (" VOCAB_SQL(VOCAB_JOB_END) ")"
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
void year_sort_bands(struct report *r)
{
	char *sorted[MAX_BANDS];
	int map[MAX_BANDS], n = 0;

	for (int s = 0; s < NSTD_BANDS; s++)
		band_index(r, year_std_bands[s]);	/* every standard band is listed */
	for (int s = 0; s < NSTD_BANDS; s++)
		for (int i = 0; i < r->nbands; i++)
			if (!strcmp(r->bands[i], year_std_bands[s]))
				sorted[n++] = r->bands[i];
	{
		int first_other = n;

		for (int i = 0; i < r->nbands; i++)
			if (year_index(year_std_bands, NSTD_BANDS, r->bands[i]) < 0)
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

void year_count_sessions(struct report *r)
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
			if (year_band_young(r->bands[r->bn[i].band]))
				s->young += r->bn[i].n;
		}
	}
	for (int i = 0; i < r->nses; i++)
		r->ses[i].counted = r->ses[i].size > r->ses[i].checked ? r->ses[i].size
								     : r->ses[i].checked;
}

/* Free everything the report loaded (the strings are owned by it). */
void year_free(struct report *r)
{
	for (int i = 0; i < r->nses; i++) {
		free(r->ses[i].projects);
		free(r->ses[i].merged);
	}
	free(r->ses);
	free(r->gone);
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
	for (int i = 0; i < r->nmach; i++) {
		free(r->mach[i]);
		if (r->mach_label)
			free(r->mach_label[i]);
	}
	free(r->mach);
	free(r->mach_label);
	free(r->figs);
	memset(r, 0, sizeof(*r));
}

int year_band_young(const char *b)
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
