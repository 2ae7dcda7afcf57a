/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The seeded random policy's state and draws (policy.c), inline: the
 * machine's choose() (machine.c) asks them directly when the policy in
 * force is this one, which saves an indirect call and lets a choice of
 * constant kind (an interrupt, a preemption) fold the switch away. The
 * draws are the same either way, so is the run.
 */
#ifndef _LAZYMMU_SIM_POLICY_H
#define _LAZYMMU_SIM_POLICY_H

#include "sim/sim.h"

/*
 * A rate: a draw says yes @per_1000 times in 1000. @max is the same test
 * without a division (rnd_per_1000()); 0 per 1000 draws nothing.
 */
struct rnd_rate {
	uint64_t max;
	unsigned int per_1000;
};

struct policy_random {
	struct sim_policy p;
	uint64_t state;
	uint64_t state0; /* as seeded: what reset() goes back to */
	struct rnd_rate switch_rate, preempt_rate, irq_rate;
};

/* xorshift64* */
static inline uint64_t rnd_next(struct policy_random *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * The remainder by 1000 of a value below 2^32 without a division: with
 * RND_M = ceil(2^64 / 1000), the low 64 bits of v * RND_M, times 1000,
 * have v % 1000 as their high 64 bits (Lemire, Kaser and Kurz, "Faster
 * Remainder by Direct Computation", 2019: exact for every 32-bit v). So
 * v % 1000 < p exactly when those low bits are at most
 * ceil(p * 2^64 / 1000) - 1, rnd_rate_max(p), computed once per policy.
 * tests/sim/test_policy.c checks both against the division.
 */
#define RND_M (UINT64_MAX / 1000 + 1)

static inline uint64_t rnd_rate_max(unsigned int per_1000)
{
	/* 2^64 = 1000 q + 616: ceil(p 2^64 / 1000) = p q + ceil(616 p / 1000) */
	const uint64_t q = UINT64_MAX / 1000, rem = UINT64_MAX % 1000 + 1;

	if (per_1000 == 0)
		return 0; /* never: no draw is made (rnd_per_1000()) */
	if (per_1000 >= 1000)
		return UINT64_MAX; /* always */
	return per_1000 * q + (per_1000 * rem + 999) / 1000 - 1;
}

/* (v % 1000) < @per_1000 of the draw's top 31 bits v; no draw if 0. */
static inline bool rnd_per_1000(struct policy_random *r,
				const struct rnd_rate *rate)
{
	return rate->per_1000 && (rnd_next(r) >> 33) * RND_M <= rate->max;
}

static inline unsigned int random_choose(struct sim_policy *p,
					 enum sim_choice what, unsigned int n,
					 unsigned int cur, uint32_t allowed)
{
	struct policy_random *r = (struct policy_random *)p;

	switch (what) {
	case SIM_CHOOSE_CPU:
		/* the same draws as when CPUs were named by position */
		if (!rnd_per_1000(r, &r->switch_rate)) {
			/* stay: cur if it may run, else the first allowed */
			return cur < 32 && (allowed & (1U << cur)) ?
				       cur :
				       sim_set_nth(allowed, 0);
		}
		/* 31 bits: the 32-bit remainder is the same, and cheaper */
		return sim_set_nth(allowed, (uint32_t)(rnd_next(r) >> 33) %
						    sim_set_count(allowed));
	case SIM_CHOOSE_PREEMPT:
		return rnd_per_1000(r, &r->preempt_rate);
	case SIM_CHOOSE_IRQ:
		return rnd_per_1000(r, &r->irq_rate);
	case SIM_CHOOSE_MIGRATE:
	case SIM_CHOOSE_EVICT:
		return (uint32_t)(rnd_next(r) >> 33) % n;
	}
	return 0;
}

/* The random policy's choose(), as its table holds it. */
unsigned int sim_random_choose(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed);

#endif /* _LAZYMMU_SIM_POLICY_H */
