/*
 * rng.c — splitmix64 seeding, xorshift64* generation (see rng.h).
 */
#include <math.h>

#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;

	r->s = splitmix64(&x);
	if (r->s == 0)		/* xorshift's one forbidden state */
		r->s = 0x2545f4914f6cdd1dULL;
}

uint64_t rng_u64(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

double rng_unit(struct rng *r)
{
	return (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

double rng_uniform(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

long rng_range(struct rng *r, long lo, long hi)
{
	if (hi <= lo)
		return lo;
	return lo + (long)(rng_u64(r) % (uint64_t)(hi - lo + 1));
}

int rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* Box-Muller; one value per call keeps the sequence easy to reason about. */
double rng_gauss(struct rng *r, double mean, double sd)
{
	double u1 = rng_unit(r), u2 = rng_unit(r);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return mean + sd * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
