// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The model checker (src/check/explore.c) on models whose interleavings are
 * counted by hand, as litmus tests state their result: each expected count
 * is written beside the reasoning that gives it. Then: a planted bug in a
 * test-only architecture model found with its trace, and the correct model
 * clean; a trace replayed byte for byte; shards that add up to the whole;
 * reduced and full searches that find the same findings; what the checker
 * must find unprompted on the real workloads (skipped until they exist).
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/columns.h"
#include "check/explore.h"
#include "check/run.h"
#include "mm/mm.h"
#include "simtest.h"
#include "style_models.h"

/* ---- litmus models: tasks that are only scheduling points ------------------- */

/*
 * A litmus task: preemption off (so that the only choices are which CPU
 * steps, and interrupts where asked), then @points scheduling points that
 * touch @kind: the same object on every CPU (dependent steps) or one of
 * its own (independent). A task with p points runs p + 1 segments: from
 * its start to its first point, between points, from its last point to
 * its exit. The first segment touches nothing (a task that has not run has
 * a LOCAL footprint).
 */
struct litmus {
	unsigned int points;
	enum sim_touch kind;
	bool same;
};

static pte_t litmus_obj[SIM_MAX_CPUS];

static void litmus_task(void *arg)
{
	const struct litmus *l = arg;
	int cpu = smp_processor_id();

	preempt_disable();
	for (unsigned int i = 0; i < l->points; i++)
		sim_sched_point_touch(l->kind, &litmus_obj[l->same ? 0 : cpu]);
	/* no preempt_enable(): it would be one more point */
}

static void litmus_spawn(struct sim_machine *m, void *arg)
{
	for (unsigned int cpu = 0; cpu < m->opt.nr_cpus; cpu++)
		sim_spawn(m, "litmus", (int)cpu, litmus_task, arg);
}

static void no_irq_work(void *arg)
{
	(void)arg;
}

static struct mc_config litmus_config(struct litmus *l, unsigned int cpus,
				      unsigned int bound, bool reduce)
{
	struct mc_config c = { 0 };

	c.opt = simtest_options("generic", "7.0", cpus);
	c.spawn = litmus_spawn;
	c.spawn_arg = l;
	c.preemption_bound = bound;
	c.reduce = reduce;
	return c;
}

static uint64_t executions(struct mc_config *c, uint64_t *redundant)
{
	struct mc_result r;

	if (mc_explore(c, &r)) {
		diag("explore failed: %s", r.error);
		return ~0ULL;
	}
	if (redundant)
		*redundant = r.redundant;
	if (!r.complete)
		diag("not complete");
	mc_result_free(&r);
	return r.executions;
}

static void test_litmus(void)
{
	struct litmus dep1 = { 1, SIM_TOUCH_PTE, true };
	struct litmus ind1 = { 1, SIM_TOUCH_PTE, false };
	struct litmus dep2 = { 2, SIM_TOUCH_PTE, true };
	struct litmus irq3 = { 3, SIM_TOUCH_LOCAL, true };
	struct mc_config c;
	uint64_t n, red;

	/*
	 * 2 CPUs x 1 point: 2 segments each, a0 a1 and b0 b1. Without
	 * reduction and unbounded, every interleaving of the two sequences
	 * is one choice sequence: C(4, 2) = 6.
	 */
	c = litmus_config(&dep1, 2, 64, false);
	n = executions(&c, NULL);
	ok(n == 6, "litmus 2x1, dependent, no reduction: C(4,2) = 6 (got %llu)",
	   (unsigned long long)n);

	/*
	 * The same steps on two different PTEs: every step commutes with
	 * every step of the other CPU, so one execution stands for all six.
	 * Sleep sets cut the others where every CPU left is asleep: after b0
	 * with a asleep (a0 or a1 tried first), b1, then a runs alone, asleep
	 * still: 2 cut.
	 */
	c = litmus_config(&ind1, 2, 64, true);
	n = executions(&c, &red);
	ok(n == 1 && red == 2,
	   "litmus 2x1, independent, sleep sets: 1 execution, 2 cut (got "
	   "%llu, %llu)",
	   (unsigned long long)n, (unsigned long long)red);

	/*
	 * Dependent on one PTE: a1 and b1 conflict, a0 and b0 touch nothing,
	 * so there are two classes (a1 before b1, or after). Sleep sets
	 * explore a0 a1 b0 b1, then a0 b0 b1 a1 (b0 before a1: a asleep
	 * after b0, woken by b1); from b0 first, a is asleep and b1 does
	 * not wake a0: cut. 2 executions, 1 cut.
	 */
	c = litmus_config(&dep1, 2, 64, true);
	n = executions(&c, &red);
	ok(n == 2 && red == 1,
	   "litmus 2x1, dependent, sleep sets: 2 executions, 1 cut (got "
	   "%llu, %llu)",
	   (unsigned long long)n, (unsigned long long)red);

	/*
	 * 2 CPUs x 2 points (3 segments each), no reduction. Unbounded:
	 * C(6, 3) = 20. A preemption is a switch away from a CPU whose task
	 * could go on (not at its exit; the first pick is free). Bound 0: the
	 * first CPU runs to its end, then the other: 2. Bound 1: a^k b^3
	 * a^(3-k) for k = 1, 2, or no switch, for either first: 2 x 3 = 6.
	 * Bound 2: also a^k b^j a^(3-k) b^(3-j), j, k in {1, 2}: 2 x 7 = 14.
	 */
	c = litmus_config(&dep2, 2, 64, false);
	n = executions(&c, NULL);
	ok(n == 20, "litmus 2x2 unbounded: C(6,3) = 20 (got %llu)",
	   (unsigned long long)n);
	c.preemption_bound = 0;
	n = executions(&c, NULL);
	ok(n == 2, "litmus 2x2, preemption bound 0: 2 (got %llu)",
	   (unsigned long long)n);
	c.preemption_bound = 1;
	n = executions(&c, NULL);
	ok(n == 6, "litmus 2x2, preemption bound 1: 6 (got %llu)",
	   (unsigned long long)n);
	c.preemption_bound = 2;
	n = executions(&c, NULL);
	ok(n == 14, "litmus 2x2, preemption bound 2: 14 (got %llu)",
	   (unsigned long long)n);

	/*
	 * 1 CPU, 3 points, interrupts on: at each point an interrupt or not,
	 * 2^3 = 8 unbounded; an interrupt costs a preemption, so bound K
	 * gives sum over i <= K of C(3, i): 1, 4, 7.
	 */
	c = litmus_config(&irq3, 1, 64, false);
	c.opt.irq_handler = no_irq_work;
	n = executions(&c, NULL);
	ok(n == 8, "litmus irq 1x3 unbounded: 2^3 = 8 (got %llu)",
	   (unsigned long long)n);
	for (unsigned int k = 0; k <= 2; k++) {
		static const uint64_t want[] = { 1, 4, 7 };

		c.preemption_bound = k;
		n = executions(&c, NULL);
		ok(n == want[k], "litmus irq 1x3, bound %u: %llu (got %llu)", k,
		   (unsigned long long)want[k], (unsigned long long)n);
	}

	/* --max-executions stops early, not complete */
	{
		struct mc_result r;

		c = litmus_config(&dep2, 2, 64, false);
		c.max_executions = 5;
		mc_explore(&c, &r);
		ok(r.executions == 5 && !r.complete,
		   "max_executions 5: 5 executions, incomplete");
		mc_result_free(&r);
	}
}

/* ---- a planted bug in a test-only model ------------------------------------- */

/*
 * style_queue_ops queues each update on its CPU and drains the queue when
 * a task is switched out (as xen_start_context_switch() leaves lazy mode).
 * The planted bug: a copy that forgets to drain at the switch. A task
 * preempted in its section and migrated to the other CPU then closes the
 * section there, which flushes that CPU's (empty) queue: its update stays
 * queued on the first CPU, and the access after the flush reaches the old
 * frame. Only a preemption inside the section, with the migration, shows
 * it: the checker must find the interleaving itself.
 */
static DEFINE_SIM_ARCH(planted_ops, .name = "style-queue-planted",
		       .kernel = "test", .models = "tests/sim/style_models.h",
		       .lazy = SIM_LAZY_NESTING,
		       .cpu_state_size = sizeof(struct style_cpu),
		       .init = style_init, .fini = style_fini,
		       .set_pte_at = queue_set_pte_at,
		       .arch_leave_lazy_mmu_mode = queue_flush_cpu,
		       .arch_flush_lazy_mmu_mode = queue_flush_cpu);

#define KADDR (VMALLOC_START + 0x40000000UL)

static void planted_task(void *arg)
{
	struct mm_struct *mm = &sim_machine()->init_mm;
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	unsigned long x = alloc_page(GFP_KERNEL), y = alloc_page(GFP_KERNEL);

	(void)arg;
	sim_phys_write(x << PAGE_SHIFT, x);
	sim_phys_write(y << PAGE_SHIFT, y);
	set_pte_at(mm, KADDR, ptep, pfn_pte(x, PAGE_KERNEL));
	lazy_mmu_mode_enable();
	set_pte_at(mm, KADDR, ptep, pfn_pte(y, PAGE_KERNEL));
	lazy_mmu_mode_disable();
	flush_tlb_kernel_range(KADDR, KADDR + PAGE_SIZE);
	sim_load(KADDR);
}

/* One task, on CPU 0; CPU 1 idle, where a preempted task may go. */
static void planted_spawn(struct sim_machine *m, void *arg)
{
	sim_spawn(m, "planted", 0, planted_task, arg);
}

static struct mc_config planted_config(const struct sim_arch_ops *arch)
{
	struct mc_config c = { 0 };

	c.opt.arch = arch;
	c.opt.lazy = SIM_LAZY_NESTING;
	c.opt.kernel = SIM_KERNEL(7, 0);
	c.opt.nr_cpus = 2;
	c.opt.nr_frames = 4096;
	c.spawn = planted_spawn;
	c.sanitize = true;
	c.preemption_bound = 1;
	c.reduce = true;
	return c;
}

/* A finding of @kind in @r (NULL: any finding). */
static bool has_kind(const struct mc_result *r, const char *kind)
{
	if (!kind)
		return r->nr_findings > 0;
	for (size_t i = 0; i < r->nr_findings; i++)
		if (!strcmp(r->findings[i].f.kind, kind))
			return true;
	return false;
}

/* A replayed trace drawn in columns, as text (the caller frees it). */
static void columns_attach(struct sim_machine *m, void *arg)
{
	struct sim_observer o = mc_columns_observer(arg);

	sim_add_observer(m, &o);
}

static char *drawn(const struct mc_config *c, const struct mc_finding *mf)
{
	struct mc_columns cols;
	struct mc_hooks h = { .attach = columns_attach, .arg = &cols };
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mc_columns_init(&cols, c->opt.nr_cpus, mf->events);
	if (mc_replay(c, mf->choices, mf->nr_choices, &h, err, sizeof(err)))
		fprintf(f, "replay failed: %s\n", err);
	mc_columns_print(&cols, f, 0, "");
	fclose(f);
	mc_columns_free(&cols);
	return buf;
}

static void test_planted(void)
{
	struct mc_config c = planted_config(&planted_ops);
	struct mc_result r;
	int ret = mc_explore(&c, &r);

	ok(ret == 0 && r.complete,
	   "planted bug: the bounded space is explored (%llu executions)",
	   (unsigned long long)r.executions);
	ok(has_kind(&r, "deferred-access"),
	   "planted bug: deferred-access found (a switch that does not "
	   "drain the queue, then a migration)");
	if (r.nr_findings) {
		const struct mc_finding *mf = &r.findings[0];
		bool preempt = false, migrate = false;

		for (size_t i = 0; i < mf->nr_choices; i++) {
			preempt |= mf->choices[i].what == SIM_CHOOSE_PREEMPT &&
				   mf->choices[i].answer == 1;
			migrate |= mf->choices[i].what == SIM_CHOOSE_MIGRATE &&
				   mf->choices[i].answer == 1;
		}
		ok(preempt && migrate,
		   "planted bug: its trace preempts the task and moves it to "
		   "CPU1 (%zu choices, %llu events)",
		   mf->nr_choices, (unsigned long long)mf->events);
		diag("%s", mf->f.message);
	}
	mc_result_free(&r);

	c = planted_config(&style_queue_ops);
	ret = mc_explore(&c, &r);
	ok(ret == 0 && r.complete && r.nr_findings == 0,
	   "the correct model (drains at switch-out): clean in %llu "
	   "executions",
	   (unsigned long long)r.executions);
	mc_result_free(&r);
}

/* ---- the real workloads ---------------------------------------------------------- */

struct wl {
	struct lmm_run_config rc;
	const struct lmm_workload *w;
	struct lmm_workload_params params;
	struct mc_config c;
};

static void wl_spawn(struct sim_machine *m, void *arg)
{
	struct wl *x = arg;

	lmm_run_spawn(m, x->w, &x->params);
}

/*
 * @x set up as `lazymmu check` would: @fix and @design may be NULL. False
 * (with a diagnostic) if lmm_run_options() refuses it.
 */
static bool wl_config(struct wl *x, const char *arch, const char *kernel,
		      const char *workload, const char *design, const char *fix,
		      bool dpa, unsigned long pages, unsigned int bound,
		      bool irq)
{
	char err[320];

	memset(x, 0, sizeof(*x));
	lmm_run_defaults(&x->rc);
	x->rc.arch = arch;
	x->rc.kernel = kernel;
	x->rc.workload = workload;
	x->rc.design = design;
	if (fix)
		x->rc.fixes[x->rc.nr_fixes++] = fix;
	x->rc.debug_pagealloc = dpa;
	x->rc.pages = pages;
	x->rc.cpus = 2;
	if (lmm_run_options(&x->rc, &x->c.opt, &x->w, err, sizeof(err))) {
		diag("%s", err);
		return false;
	}
	x->params.pages = pages;
	if (irq) {
		x->c.opt.irq_handler = x->w->irq;
		x->c.opt.irq_arg = &x->params;
	}
	x->c.spawn = wl_spawn;
	x->c.spawn_arg = x;
	x->c.sanitize = true;
	x->c.preemption_bound = bound;
	x->c.reduce = true;
	return true;
}

/* The keys of @r's findings, sorted, as one string (the caller frees). */
static char *keys(const struct mc_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char **k = calloc(r->nr_findings + 1, sizeof(*k));

	for (size_t i = 0; i < r->nr_findings; i++)
		k[i] = r->findings[i].key;
	for (size_t i = 0; i < r->nr_findings; i++)
		for (size_t j = i + 1; j < r->nr_findings; j++)
			if (strcmp(k[j], k[i]) < 0) {
				const char *t = k[i];

				k[i] = k[j];
				k[j] = t;
			}
	for (size_t i = 0; i < r->nr_findings; i++)
		fprintf(f, "%s\n", k[i]);
	fclose(f);
	free(k);
	return buf;
}

static const struct mc_finding *find_key(const struct mc_result *r,
					 const char *key)
{
	for (size_t i = 0; i < r->nr_findings; i++)
		if (!strcmp(r->findings[i].key, key))
			return &r->findings[i];
	return NULL;
}

/* The same findings (kind and message key) reduced and in full. */
static void reduced_is_full(const char *arch, const char *kernel,
			    const char *workload, unsigned long pages,
			    unsigned int bound, bool irq)
{
	struct wl x;
	struct mc_result red, full;
	char *kr, *kf;

	if (!wl_config(&x, arch, kernel, workload, NULL, NULL, false, pages,
		       bound, irq)) {
		ok(0, "reduced = full: %s %s %s configured", arch, kernel,
		   workload);
		return;
	}
	mc_explore(&x.c, &red);
	x.c.reduce = false;
	mc_explore(&x.c, &full);
	kr = keys(&red);
	kf = keys(&full);
	ok(red.complete && full.complete && !strcmp(kr, kf) &&
		   red.executions <= full.executions,
	   "reduced = full: %s %s %s, %lu pages, bound %u, irq %s: %zu "
	   "findings both ways, %llu executions reduced, %llu in full",
	   arch, kernel, workload, pages, bound, irq ? "on" : "off",
	   red.nr_findings, (unsigned long long)red.executions,
	   (unsigned long long)full.executions);
	free(kr);
	free(kf);
	mc_result_free(&red);
	mc_result_free(&full);
}

static void test_reduced_full(void)
{
	reduced_is_full("arm64", "7.1", "vmalloc-touch-early", 2, 2, false);
	reduced_is_full("arm64", "7.1", "vmalloc", 2, 2, true);
	reduced_is_full("xen-pv", "7.0", "vmalloc", 2, 2, false);
	reduced_is_full("ppc64-hash", "7.1", "vunmap", 1, 1, true);
	reduced_is_full("generic", "7.1", "munmap", 1, 1, false);
	reduced_is_full("sparc64", "7.1", "mremap", 1, 1, false);
}

/* Replay a finding's trace twice: the same text, ending at the finding. */
static void test_replay(void)
{
	struct wl x;
	struct mc_result r;
	char *a, *b;

	if (!wl_config(&x, "arm64", "7.1", "vmalloc-touch-early", NULL, NULL,
		       false, 2, 1, false))
		return;
	mc_explore(&x.c, &r);
	ok(r.nr_findings > 0, "touch-early: %zu findings to replay",
	   r.nr_findings);
	if (!r.nr_findings)
		return;
	a = drawn(&x.c, &r.findings[0]);
	b = drawn(&x.c, &r.findings[0]);
	ok(!strcmp(a, b) && strstr(a, ">> "),
	   "a replayed trace is the same byte for byte, and ends at a "
	   "finding");
	diag("%.400s", a);
	free(a);
	free(b);
	mc_result_free(&r);
}

/* Shards 0..N-1 add up to the whole: executions, findings, traces. */
static void test_shards(unsigned int nr)
{
	struct wl x;
	struct mc_result whole, part, sum = { .complete = true };
	uint64_t execs = 0, redundant = 0;
	char *kw, *ks;
	bool same_traces = true;

	if (!wl_config(&x, "arm64", "7.1", "vmalloc-touch-early", NULL, NULL,
		       false, 2, 2, false))
		return;
	mc_explore(&x.c, &whole);
	x.c.nr_shards = nr;
	for (unsigned int s = 0; s < nr; s++) {
		x.c.shard = s;
		mc_explore(&x.c, &part);
		execs += part.executions;
		redundant += part.redundant;
		sum.complete &= part.complete;
		for (size_t i = 0; i < part.nr_findings; i++) {
			const struct mc_finding *f = &part.findings[i];

			mc_merge_finding(&sum, &f->f, f->key, f->events,
					 f->choices, f->nr_choices, f->hits);
		}
		mc_result_free(&part);
	}
	for (size_t i = 0; i < whole.nr_findings; i++) {
		const struct mc_finding *w = &whole.findings[i];
		const struct mc_finding *s = find_key(&sum, w->key);

		same_traces &= s && s->events == w->events &&
			       s->nr_choices == w->nr_choices &&
			       s->hits == w->hits &&
			       !memcmp(s->choices, w->choices,
				       w->nr_choices * sizeof(*w->choices));
	}
	kw = keys(&whole);
	ks = keys(&sum);
	ok(execs == whole.executions && redundant == whole.redundant &&
		   sum.complete && !strcmp(kw, ks) && same_traces,
	   "%u shards add up: %llu executions (whole %llu), the same %zu "
	   "findings with the same shortest traces",
	   nr, (unsigned long long)execs, (unsigned long long)whole.executions,
	   whole.nr_findings);
	free(kw);
	free(ks);
	mc_result_free(&whole);
	mc_result_free(&sum);
}

/*
 * What the checker must find unprompted. @workload may not exist yet
 * (other helpers are writing it): then the case is a TAP skip.
 */
static void must_find(const char *what, const char *arch, const char *kernel,
		      const char *workload, const char *design, const char *fix,
		      bool dpa, const char *kind, bool want, unsigned int bound)
{
	struct wl x;
	struct mc_result r;
	bool found;

	if (!lmm_workload_find(workload)) {
		ok(1, "# SKIP %s: workload %s is not modelled yet", what,
		   workload);
		return;
	}
	/*
	 * 2 pages, except debug-pagealloc: its mmu_gather takes a batch
	 * page (the allocation inside the zap section) once 7 pages are
	 * queued, so it needs 8.
	 */
	if (!wl_config(&x, arch, kernel, workload, design, fix, dpa,
		       strcmp(workload, "debug-pagealloc") ? 2 : 8, bound,
		       true)) {
		ok(0, "%s: configured", what);
		return;
	}
	x.c.stop_on_first = want;
	mc_explore(&x.c, &r);
	found = has_kind(&r, kind);
	ok(found == want && (want || r.complete),
	   "%s: %s %s%s in %llu executions (%.2f s)", what,
	   kind ? kind : "a finding", found ? "found" : "not found",
	   want ? "" : ", complete", (unsigned long long)r.executions,
	   r.seconds);
	if (found)
		diag("%s", r.findings[0].f.message);
	mc_result_free(&r);
}

static void test_unprompted(void)
{
	/* on the workloads that exist today */
	must_find("touch-early", "arm64", "7.1", "vmalloc-touch-early", NULL,
		  NULL, false, "deferred-access", true, 2);
	must_find("xen 7.0 double enter (vmalloc)", "xen-pv", "7.0", "vmalloc",
		  NULL, NULL, false, "arch-bug", true, 2);
	must_find("xen 7.1 (vmalloc)", "xen-pv", "7.1", "vmalloc", NULL, NULL,
		  false, "arch-bug", false, 1);
	must_find("xen 7.0 + xen-tolerate-nested (vmalloc)", "xen-pv", "7.0",
		  "vmalloc", NULL, "xen-tolerate-nested", false, "arch-bug",
		  false, 1);
	/* the issue's: on the workloads being written now */
	must_find("xen 7.0 double enter (ctxsw)", "xen-pv", "7.0", "ctxsw",
		  NULL, NULL, false, "arch-bug", true, 2);
	must_find("xen 7.1 (ctxsw)", "xen-pv", "7.1", "ctxsw", NULL, NULL,
		  false, "arch-bug", false, 2);
	must_find("xen 7.0 + xen-tolerate-nested (ctxsw)", "xen-pv", "7.0",
		  "ctxsw", NULL, "xen-tolerate-nested", false, "arch-bug",
		  false, 2);
	must_find("noflush (alloc-write)", "arm64", "7.0", "alloc-write",
		  "noflush", NULL, true, "deferred-access", true, 2);
	must_find("noflush (debug-pagealloc)", "arm64", "7.0",
		  "debug-pagealloc", "noflush", NULL, true, "deferred-access",
		  true, 2);
	/*
	 * The KUnit sequence with an interrupt (and up to one preemption)
	 * at every point: clean under the v7.0 design on every arch. Xen PV
	 * is clean from 7.1: on 7.0 a preemption between the core's counter
	 * update and Xen's hook is the shipped regression, which the
	 * checker finds on this workload too (leave_lazy()'s BUG_ON).
	 */
	for (const char *const *a = sim_arch_names; *a; a++) {
		const char *k = strcmp(*a, "xen-pv") ? "7.0" : "7.1";
		char what[64];

		snprintf(what, sizeof(what), "kunit with interrupts, %s %s", *a,
			 k);
		must_find(what, *a, k, "kunit", NULL, NULL, false, NULL, false,
			  1);
	}
	must_find("xen 7.0 double enter/leave (kunit)", "xen-pv", "7.0",
		  "kunit", NULL, NULL, false, "arch-bug", true, 1);
}

#if defined(__SANITIZE_THREAD__)
static const bool under_tsan = true;
#else
static const bool under_tsan = false;
#endif

int main(void)
{
	test_litmus();
	test_planted();
	test_replay();
	test_shards(2);
	test_shards(3);
	/*
	 * The checker is one thread: TSan has nothing to see in whole
	 * explorations of the workloads, ten times slower. The ASan+UBSan
	 * build runs them.
	 */
	if (under_tsan) {
		ok(1, "# SKIP reduced = full on workloads: run in the ASan "
		      "build");
		ok(1, "# SKIP what it finds unprompted: run in the ASan build");
	} else {
		test_reduced_full();
		test_unprompted();
	}
	return tap_done();
}
