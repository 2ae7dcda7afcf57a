/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The seeded random policy's state and draws (policy.c), inline: the
 * machine's scheduling points (machine.c, sched_point_random()) draw them
 * directly when the policy in force is this one, with the state in a
 * register across a point's questions; every other question goes through
 * the policy's table (sim_random_choose()). The draws are the same either
 * way, so is the run. The round-robin policy's state too, whose points
 * the machine answers the same way (sched_point_rr()).
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

/*
 * xorshift64*: the state steps by rnd_step(), a draw is rnd_out() of the
 * new state. Pure, so that a caller may keep the state in a register
 * across several draws (machine.c) and store it once.
 */
static inline uint64_t rnd_step(uint64_t x)
{
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return x;
}

static inline uint64_t rnd_out(uint64_t x)
{
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

/* Whether the draw of state @x says yes at @rate: (v % 1000) < per_1000. */
static inline bool rnd_below(uint64_t x, const struct rnd_rate *rate)
{
	return (rnd_out(x) >> 33) * RND_M <= rate->max;
}

/* A draw at @rate (none if the rate is 0 per 1000). */
static inline bool rnd_per_1000(struct policy_random *r,
				const struct rnd_rate *rate)
{
	if (!rate->per_1000)
		return false;
	r->state = rnd_step(r->state);
	return rnd_below(r->state, rate);
}

/* A choice among @n values, n <= 2^31: the draw's top 31 bits modulo n. */
static inline unsigned int rnd_pick(uint64_t x, unsigned int n)
{
	/* 31 bits: the 32-bit remainder is the 64-bit one, and cheaper */
	return (uint32_t)(rnd_out(x) >> 33) % n;
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
		r->state = rnd_step(r->state);
		return sim_set_nth(allowed,
				   rnd_pick(r->state, sim_set_count(allowed)));
	case SIM_CHOOSE_PREEMPT:
		return rnd_per_1000(r, &r->preempt_rate);
	case SIM_CHOOSE_IRQ:
		return rnd_per_1000(r, &r->irq_rate);
	case SIM_CHOOSE_MIGRATE:
	case SIM_CHOOSE_EVICT:
		r->state = rnd_step(r->state);
		return rnd_pick(r->state, n);
	}
	return 0;
}

/* The random policy's choose(), as its table holds it. */
unsigned int sim_random_choose(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed);

/*
 * @p as the random policy whose scheduling points the machine may draw
 * inline (machine.c: every rate nonzero, so that each question draws),
 * else NULL.
 */
static inline struct policy_random *
sim_policy_random_inline(struct sim_policy *p)
{
	struct policy_random *r = (struct policy_random *)p;

	if (p->choose != sim_random_choose || !r->switch_rate.per_1000 ||
	    !r->preempt_rate.per_1000 || !r->irq_rate.per_1000)
		return NULL;
	return r;
}

/*
 * Round-robin: CPUs take turns, each for @quantum + 1 consecutive CPU
 * choices; @left is what the CPU in turn still has. No preemption, no
 * interrupt, no migration: every other question is answered 0 or "stay".
 */
struct policy_rr {
	struct sim_policy p;
	unsigned int quantum;
	unsigned int left;
};

/* The round-robin policy's choose(), as its table holds it. */
unsigned int sim_rr_choose(struct sim_policy *p, enum sim_choice what,
			   unsigned int n, unsigned int cur, uint32_t allowed);

/*
 * @p as the round-robin policy, whose scheduling points the machine
 * answers inline (machine.c, sched_point_rr()), else NULL.
 */
static inline struct policy_rr *sim_policy_rr_inline(struct sim_policy *p)
{
	return p->choose == sim_rr_choose ? (struct policy_rr *)p : NULL;
}

#endif /* _LAZYMMU_SIM_POLICY_H */
