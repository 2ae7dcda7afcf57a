// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Scheduler policies: round-robin (no preemption, no interrupts, CPUs take
 * turns every @quantum scheduling points) and seeded random. A run is
 * replayed from its recorded choices by sim_policy_replay() (choices.c).
 */
#include <stdlib.h>

#include "sim/policy.h"
#include "sim/sim.h"

/*
 * CPU choices: the CPUs that can step, in id order, and the position of
 * the current one among them (0 if it cannot step). The machine answers
 * the common questions inline with the same rule (machine.c,
 * sched_point_rr()).
 */
unsigned int sim_rr_choose(struct sim_policy *p, enum sim_choice what,
			   unsigned int n, unsigned int cur, uint32_t allowed)
{
	struct policy_rr *rr = (struct policy_rr *)p;
	unsigned int k, i;

	(void)n;
	switch (what) {
	case SIM_CHOOSE_CPU:
		k = sim_set_count(allowed);
		i = sim_set_rank(allowed, cur);
		if (rr->left > 0) {
			rr->left--;
			return sim_set_nth(allowed, i);
		}
		rr->left = rr->quantum;
		return sim_set_nth(allowed, (i + 1) % k);
	case SIM_CHOOSE_MIGRATE:
	case SIM_CHOOSE_EVICT:
		return cur;
	default:
		return 0;
	}
}

static void policy_free(struct sim_policy *p)
{
	free(p);
}

static void rr_reset(struct sim_policy *p)
{
	struct policy_rr *rr = (struct policy_rr *)p;

	rr->left = rr->quantum;
}

struct sim_policy *sim_policy_rr(unsigned int quantum)
{
	struct policy_rr *rr = calloc(1, sizeof(*rr));

	if (!rr)
		abort();
	rr->p.choose = sim_rr_choose;
	rr->p.destroy = policy_free;
	rr->p.reset = rr_reset;
	rr->quantum = quantum;
	rr->left = quantum;
	return &rr->p;
}

/*
 * The random policy's draws are in sim/policy.h, inline, so that the
 * machine's choose() can call them directly (the policy it runs nearly
 * always); through the table they are the same function.
 */
unsigned int sim_random_choose(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed)
{
	return random_choose(p, what, n, cur, allowed);
}

static struct rnd_rate rnd_rate(unsigned int per_1000)
{
	return (struct rnd_rate){ .max = rnd_rate_max(per_1000),
				  .per_1000 = per_1000 };
}

static void random_reset(struct sim_policy *p)
{
	struct policy_random *r = (struct policy_random *)p;

	r->state = r->state0;
}

struct sim_policy *sim_policy_random(uint64_t seed,
				     unsigned int switch_per_1000,
				     unsigned int preempt_per_1000,
				     unsigned int irq_per_1000)
{
	struct policy_random *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->p.choose = sim_random_choose;
	r->p.destroy = policy_free;
	r->p.reset = random_reset;
	/* splitmix64 of the seed: never zero, well mixed */
	seed += 0x9e3779b97f4a7c15ULL;
	seed = (seed ^ (seed >> 30)) * 0xbf58476d1ce4e5b9ULL;
	seed = (seed ^ (seed >> 27)) * 0x94d049bb133111ebULL;
	r->state = (seed ^ (seed >> 31)) | 1;
	r->state0 = r->state;
	r->switch_rate = rnd_rate(switch_per_1000);
	r->preempt_rate = rnd_rate(preempt_per_1000);
	r->irq_rate = rnd_rate(irq_per_1000);
	return &r->p;
}
