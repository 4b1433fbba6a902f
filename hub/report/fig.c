/*
 * fig.c — every figure of the year computed from the loaded rows, in
 * the published order, with its target and gap; numbers formatted with a
 * fixed number of decimals.
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
#include "report/fig.h"
#include "report/year.h"

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
	if (!fig_default_target(f->name, r->fy, &t)) {
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
void fig_compute(struct report *r)
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
			young += year_band_young(r->bands[l->band]) ? l->n : 0;
		} else {
			unknown += l->n;
		}
	}
	for (int i = 0; i < r->ncon; i++) {
		struct r_contrib *c = &r->con[i];
		int k;

		if (!strcmp(c->status, "confirmed")) {
			conf[0]++;
			if ((k = year_index(year_kinds, NKINDS, c->kind)) >= 0)
				kind_n[k]++;
			if ((k = year_index(year_licences, NLICENCES, c->licence)) >= 0)
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
		fig_add(r, 0, 0, ses_g[g], "sessions.by_group.%s", year_groups[g]);
	for (int g = 0; g < NGROUPS; g++)
		fig_add(r, 0, 0, ppl_g[g], "participants.by_group.%s", year_groups[g]);
	for (int b = 0; b < r->nbands; b++)
		fig_add(r, 0, 0, band_n[b], "participants.by_age.%s", r->bands[b]);
	fig_add(r, 0, 0, unknown, "participants.by_age.unknown");
	for (int k = 0; k < NKINDS; k++)
		fig_add(r, 0, 0, kind_n[k], "contributions_confirmed.by_kind.%s", year_kinds[k]);
	for (int k = 0; k < NLICENCES; k++)
		fig_add(r, 0, 0, lic_n[k], "contributions_confirmed.by_licence.%s", year_licences[k]);
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

const struct fig *fig_find(const struct report *r, const char *name)
{
	for (int i = 0; i < r->nfigs; i++)
		if (!strcmp(r->figs[i].name, name))
			return &r->figs[i];
	return NULL;
}


/* v with dec decimals, trailing zeros dropped, never "-0". Returns buf. */
char *fig_num(double v, int dec, char *buf, size_t len)
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
char *fig_gap(const struct fig *f, char *buf, size_t len)
{
	char v[64];

	fig_num(f->v, f->dec, v, sizeof(v));
	return fig_num(strtod(v, NULL) - f->t, f->dec > 0 ? f->dec : 3, buf, len);
}

int fig_default_target(const char *name, int fy, double *t)
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
