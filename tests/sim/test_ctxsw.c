// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The ctxsw and kunit workloads (src/mm/ctxsw.c), end to end through
 * lmm_run():
 *  - ctxsw on Xen PV 7.0 with the random policy hits the double enter (or
 *    leave) of 291b3abed657 for some seed of a small set; 7.1 (4594437880ce),
 *    7.0 with --fix xen-tolerate-nested or xen-revert-ctxsw, and 6.16 (no
 *    counters) never do on the same seeds, though tasks are switched;
 *  - ctxsw leaves deferred work on every model with a lazy MMU mode and is
 *    clean on every model but Xen 7.0;
 *  - kunit (mm/tests/lazy_mmu_mode_kunit.c) is clean on every arch at 7.0
 *    and later, lazy on and off, with an interrupt at every point; run on
 *    the pre-7.0 mapping it fails where that mapping breaks the 7.0
 *    contract; a planted wrong answer, in a task and in the interrupt
 *    handler's checks, is caught.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "mm/mm.h"
#include "simtest.h"

/*
 * The seed search: seeds 1..SEEDS, ROUNDS rounds per thread. The random
 * policy preempts at 2 in 1000 scheduling points; each round has four
 * outermost calls (enable, pause, resume, disable) whose hook sits behind
 * a scheduling point, so a run of 2 x 32 rounds offers 256 windows: about
 * 0.5 preemptions in a window per seed, and seeds 2, 3, 8, 9, 14, 15 and 16
 * of 1..16 hit one (measured; the policy and the workload are
 * deterministic, so this list changes only if either does).
 */
#define SEEDS 16
#define ROUNDS 32

struct outcome {
	int bug; /* runs with an arch-bug finding that is Xen's BUG_ON */
	int other; /* runs with any other finding */
	int first; /* the first seed with a BUG_ON, or 0 */
	uint64_t switches; /* context switches in all runs */
	char msg[400];
};

static bool run_one(const char *arch, const char *kernel, const char *fix,
		    const char *workload, unsigned long pages, uint64_t seed,
		    bool lazy, struct lmm_run_result *r)
{
	struct lmm_run_config c;
	char err[160];

	lmm_run_defaults(&c);
	c.arch = arch;
	c.kernel = kernel;
	c.workload = workload;
	c.pages = pages;
	c.seed = seed;
	c.lazy = lazy;
	if (fix)
		c.fixes[c.nr_fixes++] = fix;
	if (lmm_run(&c, r, err, sizeof(err))) {
		diag("%s %s %s: %s", arch, kernel, workload, err);
		return false;
	}
	return true;
}

static struct outcome search(const char *arch, const char *kernel,
			     const char *fix)
{
	struct outcome o = { 0 };

	for (uint64_t s = 1; s <= SEEDS; s++) {
		struct lmm_run_result r;
		bool bug = false;

		if (!run_one(arch, kernel, fix, "ctxsw", ROUNDS, s, true, &r)) {
			o.other++;
			continue;
		}
		o.switches +=
			sim_stats_total(&r.stats, SIM_STAT_context_switches);
		for (size_t i = 0; i < r.nr_findings; i++) {
			if (!strcmp(r.findings[i].kind, "arch-bug") &&
			    strstr(r.findings[i].message, "BUG_ON")) {
				bug = true;
				continue;
			}
			if (!o.msg[0])
				snprintf(o.msg, sizeof(o.msg), "%s: %.300s",
					 r.findings[i].kind,
					 r.findings[i].message);
			o.other++;
		}
		if (bug && !o.first) {
			o.first = (int)s;
			snprintf(o.msg, sizeof(o.msg), "%.300s",
				 r.findings[0].message);
		}
		o.bug += bug;
		lmm_run_result_free(&r);
	}
	return o;
}

static void ctxsw_seeds(void)
{
	struct outcome o;

	o = search("xen-pv", "7.0", NULL);
	/* some seed of 1..16 preempts in a window (2 is the first: above) */
	ok(o.bug > 0 && o.other == 0,
	   "xen-pv 7.0: the double enter/leave found at seed %d of 1..%d, in "
	   "%d runs (%s)",
	   o.first, SEEDS, o.bug, o.msg);
	/*
	 * 7.1 tolerates it: enter skips when in MMU mode, leave when in
	 * none. The runs switched tasks (else "clean" would prove nothing).
	 */
	o = search("xen-pv", "7.1", NULL);
	ok(o.bug == 0 && o.other == 0 && o.switches > 0,
	   "xen-pv 7.1: no BUG_ON on seeds 1..%d, %llu switches (%s)", SEEDS,
	   (unsigned long long)o.switches, o.msg);
	o = search("xen-pv", "7.0", "xen-tolerate-nested");
	ok(o.bug == 0 && o.other == 0 && o.switches > 0,
	   "xen-pv 7.0 + xen-tolerate-nested: no BUG_ON on seeds 1..%d (%s)",
	   SEEDS, o.msg);
	/* switch-in re-enters only a task switched out in MMU mode */
	o = search("xen-pv", "7.0", "xen-revert-ctxsw");
	ok(o.bug == 0 && o.other == 0 && o.switches > 0,
	   "xen-pv 7.0 + xen-revert-ctxsw: no BUG_ON on seeds 1..%d (%s)",
	   SEEDS, o.msg);
	/* no counter before the hook, and no nesting: no window */
	o = search("xen-pv", "6.16", NULL);
	ok(o.bug == 0 && o.other == 0 && o.switches > 0,
	   "xen-pv 6.16: no BUG_ON on seeds 1..%d (%s)", SEEDS, o.msg);
}

/*
 * Every other model, 7.0 and 7.1, on the same seeds with 3 CPUs (the other
 * two read and write the user pages meanwhile): clean. And what each
 * defers, with the round-robin policy (one thread after the other): its
 * batch_flushes counter, 2 threads x 4 rounds:
 *   arm64:          one per round: the pause pays the kernel PTE's dsb+isb
 *                   (the nested disable owed nothing: arm64 defers kernel
 *                   barriers only, and the user PTE needs none) = 8
 *   ppc64-hash:     the nested disable flushes the user PTE's hash
 *                   invalidation, the last disable the kernel clear's,
 *                   but the first round of each thread has no hashed
 *                   kernel entry to clear yet = 2 x (4 + 1) = 10
 *   sparc64:        the nested disable and the last disable flush the
 *                   user PTE's two TSB invalidations = 2 x 4 x 2 = 16
 *   xen-pv:         the pause issues the kernel map's and the user
 *                   update's multicall, the last disable the clear's and
 *                   the user restore's = 16
 *   s390 lazy-v6:   the pause applies the per-CPU cache of the kernel
 *                   PTE's table = 8
 */
static void ctxsw_models(void)
{
	static const struct {
		const char *arch, *kernel;
		uint64_t flushes;
	} m[] = {
		{ "arm64", "7.1", 8 },	      { "ppc64-hash", "7.1", 10 },
		{ "sparc64", "7.1", 16 },     { "xen-pv", "7.1", 16 },
		{ "s390", "7.1+lazy-v6", 8 }, { "s390", "7.1", 0 },
		{ "generic", "7.1", 0 },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct lmm_run_config c;
		struct lmm_run_result r;
		char err[160];
		uint64_t f = ~0ULL;

		lmm_run_defaults(&c);
		c.arch = m[i].arch;
		c.kernel = m[i].kernel;
		c.workload = "ctxsw";
		c.pages = 4;
		c.sched = "rr";
		if (!lmm_run(&c, &r, err, sizeof(err))) {
			f = sim_stats_total(&r.stats, SIM_STAT_batch_flushes);
			lmm_run_result_free(&r);
		}
		ok(f == m[i].flushes, "ctxsw on %s %s: %llu batch flushes",
		   m[i].arch, m[i].kernel, (unsigned long long)f);
	}
	for (const char *const *a = sim_arch_names; *a; a++) {
		int clean = 0, n = 0;

		for (int k = 0; k < 2; k++)
			for (uint64_t s = 1; s <= 4; s++) {
				struct lmm_run_config c;
				struct lmm_run_result r;
				char err[160];

				if (!strcmp(*a, "xen-pv") && k == 0)
					continue; /* the 7.0 bug: above */
				lmm_run_defaults(&c);
				c.arch = *a;
				c.kernel = k ? "7.1" : "7.0";
				c.workload = "ctxsw";
				c.pages = 8;
				c.cpus = 3;
				c.seed = s;
				n++;
				if (lmm_run(&c, &r, err, sizeof(err))) {
					diag("%s", err);
					continue;
				}
				if (r.nr_findings)
					diag("%s %s seed %llu: %s", *a,
					     c.kernel, (unsigned long long)s,
					     r.findings[0].message);
				clean += !r.nr_findings;
				lmm_run_result_free(&r);
			}
		ok(clean == n, "ctxsw on %s, 3 CPUs: %d of %d runs clean", *a,
		   clean, n);
	}
}

/* ---- kunit -------------------------------------------------------------------- */

/* kunit on every arch at 7.0 and 7.1 (and lazy-v6), lazy on and off. */
static void kunit_clean(void)
{
	int clean = 0, n = 0;

	for (const char *const *a = sim_arch_names; *a; a++)
		for (int k = 0; k < 3; k++)
			for (int lazy = 0; lazy < 2; lazy++) {
				const char *kv = k == 0 ? "7.0" :
						 k == 1 ? "7.1" :
							  "7.1+lazy-v6";
				struct lmm_run_result r;

				if (k == 2 && strcmp(*a, "s390"))
					continue;
				n++;
				if (!run_one(*a, kv, NULL, "kunit", 1, 1, lazy,
					     &r))
					continue;
				if (r.nr_findings)
					diag("%s %s: %s", *a, kv,
					     r.findings[0].message);
				clean += !r.nr_findings;
				lmm_run_result_free(&r);
			}
	ok(clean == n && n == 2 * (2 * 6 + 1),
	   "kunit: clean on every arch at 7.0, 7.1 and 7.1+lazy-v6, lazy on "
	   "and off (%d of %d)",
	   clean, n);
}

/*
 * Before 7.0 there is no such test (it came with the 7.0 layer); run on
 * the pre-7.0 mapping (passthrough) on arm64 6.16 it fails three steps,
 * each for the reason 7.0 changed: a nested disable is a leave, which ends
 * the mode (1ef3095b1405: step 3, false); an enable while paused is an
 * enter (step 5, true); the inner resume is an enter (step 8, true).
 */
static void kunit_616(void)
{
	struct lmm_run_result r;
	int n = -1;
	bool steps = false;

	if (run_one("arm64", "6.16", NULL, "kunit", 1, 1, true, &r)) {
		n = (int)r.nr_findings;
		steps = n == 3 && strstr(r.findings[0].message, "step 3:") &&
			strstr(r.findings[1].message, "step 5:") &&
			strstr(r.findings[2].message, "step 8:") &&
			!strcmp(r.findings[0].kind, "arch-bug");
		lmm_run_result_free(&r);
	}
	ok(steps,
	   "kunit on arm64 6.16 (passthrough): steps 3, 5, 8 fail (%d "
	   "findings)",
	   n);
}

/*
 * An interrupt at the k-th scheduling point of the kunit run, for every k
 * until one comes after the task's end: each runs the sequence in
 * interrupt context (where nothing is active) while the task's section
 * may be open. Clean, on every arch at 7.0. The points (expected_points()):
 * one before each of the 11 checks, one before each arch hook the calls
 * reach (with a lazy MMU mode: enter, flush, leave, enter, leave), and the
 * hooks' own preempt_enable()s.
 */
static unsigned int expected_points(const char *arch)
{
	if (!strcmp(arch, "arm64"))
		return 11 + 5; /* the hooks touch no preempt_count */
	if (!strcmp(arch, "ppc64-hash") || !strcmp(arch, "sparc64"))
		return 11 + 5 + 2; /* each arch_leave's preempt_enable() */
	if (!strcmp(arch, "xen-pv"))
		return 11 + 5 + 3; /* xen_flush_lazy_mmu(), 2 x leave */
	return 11; /* generic, s390 mainline: no lazy MMU mode, no hook */
}

static unsigned int irq_at, irq_seen;

static unsigned int irq_choose(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed)
{
	(void)p;
	(void)n;
	(void)allowed;
	if (what == SIM_CHOOSE_IRQ)
		return irq_seen++ == irq_at;
	return cur;
}

static struct sim_policy irq_policy = { .choose = irq_choose };

static void kunit_irqs(void)
{
	for (const char *const *a = sim_arch_names; *a; a++) {
		unsigned int want = expected_points(*a);
		unsigned int points = 0, dirty = 0, irqs = 0;
		struct simtest T;

		for (irq_at = 0;; irq_at++) {
			struct sim_options opt = simtest_options(*a, "7.0", 1);

			opt.policy = &irq_policy;
			opt.irq_handler = kunit_irq;
			irq_seen = 0;
			simtest_init_opt(&T, &opt);
			sim_spawn(T.m, "kunit/0", 0, kunit_task, NULL);
			sim_run(T.m);
			irqs += (unsigned int)stat(&T, SIM_STAT_interrupts);
			if (T.m->nr_findings) {
				if (!dirty++)
					diag("%s irq at %u: %s", *a, irq_at,
					     T.m->findings[0].message);
			}
			simtest_fini(&T);
			if (irq_seen <= irq_at)
				break; /* no k-th point: every one done */
			points++;
		}
		ok(dirty == 0 && points == want && irqs == points,
		   "kunit on %s 7.0: an interrupt at each of %u points (%u), "
		   "clean (%u dirty)",
		   *a, points, want, dirty);
	}
}

/* A planted wrong answer: a section left open before the test starts. */
static void leaked_section(void *arg)
{
	(void)arg;
	lazy_mmu_mode_enable();
	kunit_task(NULL);
	lazy_mmu_mode_disable();
}

/*
 * A planted wrong answer for the interrupt's checks: the handler run from
 * the task, inside its section, where in_interrupt() is false and the
 * mode is active; its checks must say so.
 */
static void irq_from_task(void *arg)
{
	(void)arg;
	lazy_mmu_mode_enable();
	kunit_irq(NULL);
	lazy_mmu_mode_disable();
}

static void kunit_planted(void)
{
	struct simtest T;

	simtest_init(&T, "arm64", "7.0", 1, false, NULL);
	sim_spawn(T.m, "kunit/0", 0, leaked_section, NULL);
	sim_run(T.m);
	/* step 0 (before any call) reads active: the leaked section */
	ok(findings(T.m, "arch-bug") >= 1 &&
		   strstr(finding_text(T.m, "arch-bug"),
			  "step 0: is_lazy_mmu_mode_active() is true"),
	   "planted: a section left open is caught at step 0 (%s)",
	   finding_text(T.m, "arch-bug"));
	simtest_fini(&T);

	simtest_init(&T, "arm64", "7.0", 1, false, NULL);
	sim_spawn(T.m, "kunit/0", 0, irq_from_task, NULL);
	sim_run(T.m);
	ok(findings(T.m, "arch-bug") >= 1 &&
		   strstr(finding_text(T.m, "arch-bug"), "(in interrupt)"),
	   "planted: the interrupt's checks, run where the mode is active, "
	   "catch it (%s)",
	   finding_text(T.m, "arch-bug"));
	simtest_fini(&T);
}

int main(void)
{
	ctxsw_seeds();
	ctxsw_models();
	kunit_clean();
	kunit_616();
	kunit_irqs();
	kunit_planted();
	return tap_done();
}
