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

struct policy_random {
	struct sim_policy p;
	uint64_t state;
	uint64_t state0; /* as seeded: what reset() goes back to */
	unsigned int switch_per_1000, preempt_per_1000, irq_per_1000;
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

static inline bool rnd_per_1000(struct policy_random *r, unsigned int per_1000)
{
	return per_1000 && (rnd_next(r) >> 33) % 1000 < per_1000;
}

static inline unsigned int random_choose(struct sim_policy *p,
					 enum sim_choice what, unsigned int n,
					 unsigned int cur, uint32_t allowed)
{
	struct policy_random *r = (struct policy_random *)p;

	switch (what) {
	case SIM_CHOOSE_CPU:
		/* the same draws as when CPUs were named by position */
		if (!rnd_per_1000(r, r->switch_per_1000)) {
			/* stay: cur if it may run, else the first allowed */
			return cur < 32 && (allowed & (1U << cur)) ?
				       cur :
				       sim_set_nth(allowed, 0);
		}
		return sim_set_nth(allowed,
				   (unsigned int)((rnd_next(r) >> 33) %
						  sim_set_count(allowed)));
	case SIM_CHOOSE_PREEMPT:
		return rnd_per_1000(r, r->preempt_per_1000);
	case SIM_CHOOSE_IRQ:
		return rnd_per_1000(r, r->irq_per_1000);
	case SIM_CHOOSE_MIGRATE:
	case SIM_CHOOSE_EVICT:
		return (unsigned int)((rnd_next(r) >> 33) % n);
	}
	return 0;
}

/* The random policy's choose(), as its table holds it. */
unsigned int sim_random_choose(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed);

#endif /* _LAZYMMU_SIM_POLICY_H */
