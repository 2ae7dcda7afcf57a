/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Helpers for tests that drive the machine directly: build a machine for a
 * model, steer the scheduler from the test (which CPU steps, when an
 * interrupt arrives), and read counters.
 */
#ifndef _LAZYMMU_TESTS_SIMTEST_H
#define _LAZYMMU_TESTS_SIMTEST_H

#include <stdlib.h>
#include <string.h>

#include "check/sanitizer.h"
#include "sim/arch.h"
#include "sim/stats.h"

/*
 * The steering policy: the CPU in want_cpu steps (if it can: busy and not
 * blocked; else the current CPU, else the lowest that can), an interrupt
 * arrives at the next scheduling point when want_irq is set, a preemption
 * when want_preempt is set.
 */
static int want_cpu = -1;
static bool want_irq, want_preempt;
/* after this many more CPU choices, want_cpu becomes want_cpu_next */
static int want_cpu_in = -1, want_cpu_next;
/* the CPU the next preempted task goes to (-1: it stays) */
static int steer_migrate = -1;

static unsigned int steer_choose(struct sim_policy *p, enum sim_choice what,
				 unsigned int n, unsigned int cur,
				 uint32_t allowed)
{
	(void)p;
	(void)n;
	switch (what) {
	case SIM_CHOOSE_CPU:
		if (want_cpu_in > 0 && --want_cpu_in == 0) {
			want_cpu = want_cpu_next;
			want_cpu_in = -1;
		}
		if (want_cpu >= 0 && want_cpu < 32 &&
		    (allowed & (1U << want_cpu)))
			return (unsigned int)want_cpu;
		return sim_set_nth(allowed, sim_set_rank(allowed, cur));
	case SIM_CHOOSE_IRQ:
		if (want_irq) {
			want_irq = false;
			return 1;
		}
		return 0;
	case SIM_CHOOSE_PREEMPT:
		if (want_preempt) {
			want_preempt = false;
			return 1;
		}
		return 0;
	case SIM_CHOOSE_MIGRATE:
		if (steer_migrate >= 0) {
			unsigned int c = (unsigned int)steer_migrate;

			steer_migrate = -1;
			return c;
		}
		return cur;
	case SIM_CHOOSE_EVICT:
		return cur;
	}
	return 0;
}

static struct sim_policy steer_policy = { .choose = steer_choose };

struct simtest {
	struct sim_machine *m;
	struct sim_stats stats;
	struct san_state *san;
};

/* The options simtest_init() uses; callers may adjust them. */
static inline struct sim_options
simtest_options(const char *arch, const char *kernel, unsigned int cpus)
{
	struct sim_options opt = { 0 };

	opt.arch = sim_arch_find(arch, kernel);
	if (!opt.arch)
		abort();
	opt.kernel = sim_kernel_parse(kernel); /* 0 ("any"): the newest */
	opt.lazy = opt.arch->lazy ?
			   sim_design_default(opt.kernel ? opt.kernel :
							   sim_kernel_newest) :
			   SIM_LAZY_OFF;
	opt.nr_cpus = cpus;
	opt.nr_frames = 4096;
	opt.policy = &steer_policy;
	return opt;
}

/* A machine with counters and the sanitizer attached. */
static inline void simtest_init_opt(struct simtest *t,
				    const struct sim_options *opt)
{
	want_cpu = want_cpu_in = steer_migrate = -1;
	want_irq = want_preempt = false;
	t->m = sim_create(opt);
	sim_stats_attach(t->m, &t->stats);
	t->san = san_attach(t->m);
}

static inline void simtest_init(struct simtest *t, const char *arch,
				const char *kernel, unsigned int cpus,
				bool debug_pagealloc, void (*irq)(void *))
{
	struct sim_options opt = simtest_options(arch, kernel, cpus);

	opt.debug_pagealloc = debug_pagealloc;
	opt.irq_handler = irq;
	simtest_init_opt(t, &opt);
}

static inline void simtest_fini(struct simtest *t)
{
	sim_destroy(t->m);
	san_detach(t->san);
}

static inline uint64_t stat(struct simtest *t, enum sim_stat s)
{
	return sim_stats_total(&t->stats, s);
}

/* Number of findings of @kind so far. */
static inline int findings(struct sim_machine *m, const char *kind)
{
	int n = 0;

	for (size_t i = 0; i < m->nr_findings; i++)
		n += !strcmp(m->findings[i].kind, kind);
	return n;
}

static inline const char *finding_text(struct sim_machine *m, const char *kind)
{
	for (size_t i = 0; i < m->nr_findings; i++)
		if (!strcmp(m->findings[i].kind, kind))
			return m->findings[i].message;
	return "";
}

/* FNV-1a, a word at a time: the tests' hashes of machine state. */
static inline uint64_t simtest_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

/*
 * Hidden entry @i of CPU @c's array, hashed alone: where it is, the old
 * value walkers still see, its CPU, its stage and the CPUs that observed
 * it. 0 for a hole.
 */
static inline uint64_t simtest_hidden_entry(const struct sim_machine *m, int c,
					    uint32_t i)
{
	const struct sim_hidden *x = &m->hidden[c][i];
	uint64_t h = 0xcbf29ce484222325ULL;

	if (!x->ptep)
		return 0;
	h = simtest_mix(h, (uint64_t)((const uint8_t *)x->ptep - m->mem));
	h = simtest_mix(simtest_mix(h, x->old), (uint64_t)c);
	h = simtest_mix(h, (uint64_t)sim_hidden_stage(m, x, c));
	return simtest_mix(h, x->observed);
}

/*
 * Two machines ran the same run: the same counters (@sa, @sb: their stats
 * observers), points, findings, error and choices, the recorded ones byte
 * for byte (a machine that only counted its choices compares by count).
 */
static inline bool simtest_same_run(const struct sim_machine *x,
				    const struct sim_stats *sa,
				    const struct sim_machine *y,
				    const struct sim_stats *sb)
{
	for (int s = 0; s < SIM_STAT_NR; s++)
		if (sim_stats_total(sa, s) != sim_stats_total(sb, s))
			return false;
	if (x->points != y->points || x->nr_findings != y->nr_findings ||
	    x->nr_choices != y->nr_choices || strcmp(x->error, y->error))
		return false;
	if (!x->choices || !y->choices)
		return true; /* one counted them only: the counts agree */
	return !memcmp(x->choices, y->choices,
		       x->nr_choices * sizeof(*x->choices));
}

/* Switch the machine to @cpu now (from a task). */
static inline void run_on(int cpu)
{
	want_cpu = cpu;
	sim_sched_point();
}

#endif /* _LAZYMMU_TESTS_SIMTEST_H */
