/*
 * explain.c — the rows behind one figure, as a table of text cells:
 * ids, dates, codes and counts, never names, e-mails, notes or file names.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/explain.h"
#include "report/fig.h"
#include "core/conf.h"
#include "report/fiscal.h"
#include "core/hub.h"
#include "report/year.h"

/* Append one cell (formatted; fmt NULL for a null) to the current row;
 * the table owns the text.  Out of memory sets x->oom. */
static void xcell(struct xtab *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xcell(struct xtab *x, const char *fmt, ...)
{
	char **slot, *s = NULL;
	va_list ap;

	x->cells = year_grow(x->cells, x->ncells, sizeof(char *), (void **)&slot);
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

	xcell(x, "%s", fig_num(v, dec, b, sizeof(b)));
}

void explain_free(struct xtab *x)
{
	for (int i = 0; i < x->ncells; i++)
		free(x->cells[i]);
	free(x->cells);
	x->cells = NULL;
	x->ncells = 0;
}

/* Does name equal base, or base + "." + anything? Sets *sub to the rest. */
int explain_family(const char *name, const char *base, const char **sub)
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
	x->types = "nsssbnnssb";
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
		"group_type", "group_size", "checked_in", "projects", "counted",
		"merged_from", "removed" };
	const char *g = *sub ? sub_key(sub, "by_group") : NULL;

	x->cols = cols;
	x->types = "nsssnnsbss";
	x->ncols = 10;
	for (int i = 0; i < r->nses; i++) {
		struct r_session *s = &r->ses[i];

		if (g && strcmp(year_groups[s->group], g))
			continue;
		xcell(x, "%lld", s->id);
		xtime(x, s->started);
		if (s->has_end)
			xtime(x, s->ended_at);
		else
			xcell(x, NULL);
		xcell(x, "%s", year_groups[s->group]);
		xcell(x, "%ld", s->size);
		xcell(x, "%ld", s->checked);
		xcell(x, s->projects ? "%s" : NULL, s->projects);
		xcell(x, "1");
		xcell(x, s->merged ? "%s" : NULL, s->merged);
		xcell(x, NULL);
	}
	/* removed sessions: listed, counted 0, saying what became of them
	 * (the reason is in the audit log, which may name people) */
	for (int i = 0; i < r->ngone; i++) {
		struct r_gone *s = &r->gone[i];

		if (g && strcmp(year_groups[s->group], g))
			continue;
		xcell(x, "%lld", s->id);
		xtime(x, s->started);
		xcell(x, NULL);
		xcell(x, "%s", year_groups[s->group]);
		xcell(x, "%ld", s->size);
		xcell(x, NULL);
		xcell(x, NULL);
		xcell(x, "0");
		xcell(x, NULL);
		if (s->into)
			xcell(x, "merged into %lld", s->into);
		else
			xcell(x, "deleted");
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
		return strcmp(year_groups[s->group], key) ? 0 : s->counted;
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
		return year_band_young(band) ? l->n : 0;
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
	} else if (explain_family(name, "participants", &sub) && *sub) {
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
		xcell(x, "%s", year_groups[s->group]);
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
		xcell(x, "%ld", kn && year_band_young(r->bands[l->band]) ? l->n : 0);
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
	x->types = "nsssssnnsnb";
	x->ncols = 11;
	if (!strcmp(name, "contributions_pending"))
		status = "pending";
	else if (!strcmp(name, "contributions_rejected"))
		status = "rejected";
	else if (explain_family(name, "contributions_confirmed", &sub) && *sub) {
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
	int rate = explain_family(name, "appreciation_rate_pct", &sub);
	int pos = !strcmp(name, "votes_positive");

	if (!rate)
		explain_family(name, "votes", &sub);
	if (*sub)
		scale = sub_key(sub, "by_scale");
	x->cols = cols;
	x->types = "nsnnbnsb";
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
		/* "api:NAME", "kiosk:NAME": the account's name only to staff */
		if (v->source && r->public_view && (!strncmp(v->source, "api:", 4) ||
						    !strncmp(v->source, "kiosk:", 6)))
			xcell(x, "%.*s", (int)strcspn(v->source, ":"), v->source);
		else
			xcell(x, v->source ? "%s" : NULL, v->source);
		xcell(x, "%d", rate ? v->positive : 1);
	}
}

static void explain_machines(struct report *r, const char *name, struct xtab *x)
{
	static const char *const cols[] = { "use_id", "machine", "plug", "started_at",
		"ended_at", "counted_from", "counted_to", "hours", "energy_kwh", "counted" };
	const char *sub = "", *m = NULL;
	int energy = explain_family(name, "machine_energy_kwh", &sub);

	if (!energy)
		explain_family(name, "machine_busy_hours", &sub);
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
	x->types = "nsssssnb";
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
void explain_rows(struct report *r, const char *name, struct xtab *x)
{
	const char *sub;

	if (!strcmp(name, "participation_projects") || !strcmp(name, "quebec_culture_projects"))
		explain_projects(r, name, x);
	else if (explain_family(name, "sessions", &sub))
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
