/*
 * rng.h — a small seeded PRNG for the simulators (xorshift64* seeded by
 * splitmix64).  Never rand(): a run with the same --seed must make the same
 * choices on every platform and libc.
 */
#ifndef MLAB_DEV_RNG_H
#define MLAB_DEV_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_u64(struct rng *r);
double rng_unit(struct rng *r);			/* [0, 1) */
double rng_uniform(struct rng *r, double lo, double hi);
long rng_range(struct rng *r, long lo, long hi);	/* lo..hi inclusive */
int rng_chance(struct rng *r, double p);	/* 1 with probability p */
double rng_gauss(struct rng *r, double mean, double sd);

#endif
