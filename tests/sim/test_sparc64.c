// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * sparc64 (src/arch/sparc64/sparc64.c), one fixture per kernel version:
 * vmalloc is never batched (init_mm is left to flush_tlb_kernel_range());
 * a user mm's changed valid entries are (192 + 192 + 116 for 500); an mm
 * change flushes early; a stale TSB entry seen by a caller that relies on
 * an update before the flush; preemption off in a section
 * (sleep-in-atomic); a switch in the window before arch_enter; an
 * interrupt inside a section (batched by tb->active before 7.0, at once
 * from 7.0); nesting before and after 7.0.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "simtest.h"

#define init_mm (sim_machine()->init_mm)
#define UADDR 0x400000UL /* 2 MiB aligned: one PTE table for 512 pages */

struct fixture {
	const char *kernel;
	/* before 7.0: the per-CPU tb->active decides; from 7.0 the core */
	bool batch_active;
};

static const struct fixture fixtures[] = {
	{ "6.16", true },
	{ "6.17", true },
	{ "7.0", false },
	{ "7.1", false },
};

static const struct fixture *F;
static struct simtest T;

#include "batch_obs.h"

static void start(bool lazy, void (*irq)(void *))
{
	static struct sim_observer o = { .event = obs_event };

	simtest_init(&T, "sparc64", F->kernel, 1, false, irq);
	if (!lazy)
		T.m->opt.lazy = SIM_LAZY_OFF;
	sim_add_observer(T.m, &o);
	obs_reset();
}

static uint64_t st(enum sim_stat s)
{
	return stat(&T, s);
}

/* ---- user mappings -------------------------------------------------------------- */

static unsigned long upage(unsigned long i)
{
	return UADDR + i * PAGE_SIZE;
}

/* A user mm with @n pages mapped and touched; it becomes current's. */
static struct mm_struct *umap(const char *name, unsigned long n)
{
	struct mm_struct *mm = sim_mm_alloc(name);

	sim_vma_add(mm, UADDR, upage(n), VM_READ | VM_WRITE);
	current->mm = mm;
	for (unsigned long i = 0; i < n; i++) {
		unsigned long pfn = alloc_page(GFP_KERNEL);

		sim_phys_write(pfn << PAGE_SHIFT, pfn);
		set_pte_at(mm, upage(i), sim_walk(mm, upage(i), 0, true),
			   pfn_pte(pfn, PAGE_USER_RW));
		sim_load(upage(i));
	}
	return mm;
}

static void uclear(struct mm_struct *mm, unsigned long i)
{
	ptep_get_and_clear(mm, upage(i), sim_walk(mm, upage(i), 0, false));
}

/* ---- batching counts ------------------------------------------------------------ */

static uint64_t unmap_flushes, unmap_invals;

/*
 * vmap_pages_range() of 512 pages, touch, vunmap_range(): kernel
 * mappings, never batched; vunmap_range() flushes at once.
 */
static void vmalloc_task(void *arg)
{
	unsigned long base = VMALLOC_START + 0x40000000UL, pages[512];
	uint64_t b, i;

	(void)arg;
	for (unsigned long p = 0; p < 512; p++)
		pages[p] = alloc_page(GFP_KERNEL);
	vmap_pages_range(base, base + 512 * PAGE_SIZE, pages);
	for (unsigned long p = 0; p < 512; p++)
		sim_store(base + p * PAGE_SIZE, p);
	obs_reset();
	b = st(SIM_STAT_batch_flushes);
	i = st(SIM_STAT_tlb_invalidations);
	vunmap_range(base, base + 512 * PAGE_SIZE);
	unmap_flushes = st(SIM_STAT_batch_flushes) - b;
	unmap_invals = st(SIM_STAT_tlb_invalidations) - i;
}

/* 500 user pages cleared in one section (zap_pte_range's shape) */
static void user_task(void *arg)
{
	struct mm_struct *mm = umap("user", 500);
	uint64_t b, i;

	(void)arg;
	obs_reset();
	b = st(SIM_STAT_batch_flushes);
	i = st(SIM_STAT_tlb_invalidations);
	lazy_mmu_mode_enable();
	for (unsigned long p = 0; p < 500; p++)
		uclear(mm, p);
	lazy_mmu_mode_disable();
	unmap_flushes = st(SIM_STAT_batch_flushes) - b;
	unmap_invals = st(SIM_STAT_tlb_invalidations) - i;
}

static void run_task(void (*fn)(void *), void *arg, bool lazy)
{
	start(lazy, NULL);
	sim_spawn(T.m, "task", 0, fn, arg);
	sim_run(T.m);
}

static void test_counts(void)
{
	run_task(vmalloc_task, NULL, true);
	ok(unmap_flushes == 0 && obs.queued == 0,
	   "%s: vunmap of 512 touched pages: no batch flush, nothing queued "
	   "(init_mm is left to flush_tlb_kernel_range()) (%llu)",
	   F->kernel, (unsigned long long)unmap_flushes);
	ok(unmap_invals == 1,
	   "%s: flush_tlb_kernel_range() of 2 MiB: one full demap (%llu)",
	   F->kernel, (unsigned long long)unmap_invals);
	ok(T.m->nr_findings == 0, "%s: vmalloc: no findings", F->kernel);
	simtest_fini(&T);

	run_task(user_task, NULL, true);
	ok(unmap_flushes == 3 && obs.size[0] == 192 && obs.size[1] == 192 &&
		   obs.size[2] == 116,
	   "%s: 500 user entries in a section: 192 + 192 (full: "
	   "TLB_BATCH_NR) + 116 (the leave) (%llu: %ld + %ld + %ld)",
	   F->kernel, (unsigned long long)unmap_flushes, obs.size[0],
	   obs.size[1], obs.size[2]);
	ok(unmap_invals == 500 && T.m->nr_findings == 0,
	   "%s: one demap per address, clean (%llu)", F->kernel,
	   (unsigned long long)unmap_invals);
	simtest_fini(&T);

	run_task(user_task, NULL, false);
	ok(unmap_flushes == 0 && unmap_invals == 500 && obs.queued == 0,
	   "%s lazy off: each entry flushed at once (%llu, %llu)", F->kernel,
	   (unsigned long long)unmap_flushes, (unsigned long long)unmap_invals);
	simtest_fini(&T);
}

/* The vmalloc workload through lmm_run(): no batch flush, lazy on or off. */
static void test_run(void)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	char err[160];

	for (int lazy = 0; lazy < 2; lazy++) {
		lmm_run_defaults(&c);
		c.arch = "sparc64";
		c.kernel = F->kernel;
		c.sched = "rr";
		c.cpus = 1;
		c.pages = 512;
		c.lazy = lazy;
		if (lmm_run(&c, &r, err, sizeof(err))) {
			ok(0, "%s: lmm_run: %s", F->kernel, err);
			return;
		}
		ok(sim_stats_total(&r.stats, SIM_STAT_batch_flushes) == 0 &&
			   r.nr_findings == 0,
		   "%s run vmalloc lazy %s: no batch flush, no findings",
		   F->kernel, lazy ? "on" : "off");
		lmm_run_result_free(&r);
	}
}

/* ---- an mm change flushes the batch early ----------------------------------- */

static void mm_change_task(void *arg)
{
	struct mm_struct *a = umap("a", 2), *b = umap("b", 1);

	(void)arg;
	obs_reset();
	lazy_mmu_mode_enable();
	uclear(a, 0);
	uclear(b, 0); /* another mm: flush first */
	uclear(a, 1); /* and back */
	ok(obs.flushes == 2 && obs.size[0] == 1 && obs.size[1] == 1,
	   "%s: mm a, b, a: two early flushes of one entry (%d)", F->kernel,
	   obs.flushes);
	lazy_mmu_mode_disable();
	ok(obs.flushes == 3, "%s: the leave flushes the last", F->kernel);
	/* kernel entries are not batched at all */
	obs_reset();
	lazy_mmu_mode_enable();
	set_pte_at(&init_mm, VMALLOC_START,
		   pte_offset_kernel_alloc(VMALLOC_START),
		   pfn_pte(alloc_page(GFP_KERNEL), PAGE_KERNEL));
	ptep_get_and_clear(&init_mm, VMALLOC_START,
			   sim_walk(&init_mm, VMALLOC_START, 0, false));
	lazy_mmu_mode_disable();
	ok(obs.queued == 0 && obs.flushes == 0,
	   "%s: an init_mm entry cleared in a section: not batched", F->kernel);
}

/* ---- hazard visibility: a stale TSB entry until the flush -------------------- */

static void remap_task(void *arg)
{
	bool flush_first = arg != NULL;
	struct mm_struct *mm = umap("remap", 1);
	unsigned long y = alloc_page(GFP_KERNEL), x;
	pte_t *ptep = sim_walk(mm, upage(0), 0, false);
	uint64_t v;

	sim_phys_write(y << PAGE_SHIFT, y);
	x = pte_pfn(*ptep);
	lazy_mmu_mode_enable();
	ptep_get_and_clear(mm, upage(0), ptep);
	set_pte_at(mm, upage(0), ptep, pfn_pte(y, PAGE_USER_RW));
	if (flush_first)
		lazy_mmu_mode_disable();
	sim_tlb_inval_all(-1); /* the TLBs lose everything; the TSB does not */
	v = sim_load(upage(0));
	if (flush_first) {
		ok(v == y && T.m->nr_findings == 0,
		   "%s: remap, flush, access: the new frame, clean", F->kernel);
		return;
	}
	ok(v == x,
	   "%s: remap in a section: past a TLB flush the stale TSB entry "
	   "still reaches the old frame",
	   F->kernel);
	ok(findings(T.m, "deferred-access") == 1 &&
		   strstr(finding_text(T.m, "deferred-access"), "remap_task"),
	   "%s: access before the flush: deferred-access: %s", F->kernel,
	   finding_text(T.m, "deferred-access"));
	lazy_mmu_mode_disable();
	ok(sim_load(upage(0)) == y, "%s: after the leave: the new frame",
	   F->kernel);
}

/* ---- preemption: off for the whole section ------------------------------------- */

static void sleep_task(void *arg)
{
	unsigned long pfn;

	(void)arg;
	lazy_mmu_mode_enable();
	ok(!preemptible(), "%s: arch_enter disabled preemption", F->kernel);
	pfn = alloc_page(GFP_KERNEL); /* might_sleep() */
	lazy_mmu_mode_disable();
	ok(preemptible(), "%s: arch_leave enabled it again", F->kernel);
	__free_page(pfn);
	ok(findings(T.m, "sleep-in-atomic") == 1,
	   "%s: GFP_KERNEL allocation inside a section: sleep-in-atomic: %s",
	   F->kernel, finding_text(T.m, "sleep-in-atomic"));
}

/*
 * A preempted before arch_enter (from 7.0 in the window after the counter
 * update), B runs and starts C, which queues behind A and is runnable all
 * through A's section, yet runs only after it.
 */
static bool b_ran, c_ran, b_before_section, c_in_section;
static struct mm_struct *window_mm;

static void window_c(void *arg)
{
	(void)arg;
	c_ran = true;
}

static void window_a(void *arg)
{
	(void)arg;
	window_mm = umap("window", 3);
	obs_reset();
	want_preempt = true;
	lazy_mmu_mode_enable();
	b_before_section = b_ran;
	want_preempt = true; /* never asked: preemption is off */
	uclear(window_mm, 0);
	uclear(window_mm, 1);
	c_in_section = c_ran;
	lazy_mmu_mode_disable();
}

static void window_b(void *arg)
{
	(void)arg;
	b_ran = true;
	uclear(window_mm, 2); /* B is not lazy: flushed at once */
	sim_spawn(sim_machine(), "C", 0, window_c, NULL);
}

static void test_window(void)
{
	b_ran = c_ran = b_before_section = c_in_section = false;
	start(true, NULL);
	sim_spawn(T.m, "A", 0, window_a, NULL);
	sim_spawn(T.m, "B", 0, window_b, NULL);
	sim_run(T.m);
	ok(b_before_section && !c_in_section && c_ran,
	   "%s: A switched out before arch_enter, never inside its section",
	   F->kernel);
	ok(obs.flushes == 1 && obs.size[0] == 2 && T.m->nr_findings == 0,
	   "%s: A's two entries in one batch flush, B's at once, clean (%d)",
	   F->kernel, obs.flushes);
	simtest_fini(&T);
}

/* ---- an interrupt inside a section --------------------------------------------- */

static struct mm_struct *irq_mm;

/* The handler clears an entry of the interrupted task's mm. */
static void irq_unmap(void *arg)
{
	(void)arg;
	uclear(irq_mm, 1);
}

static void irq_task(void *arg)
{
	(void)arg;
	irq_mm = umap("irq", 2);
	obs_reset();
	lazy_mmu_mode_enable();
	want_irq = true;
	uclear(irq_mm, 0);
	lazy_mmu_mode_disable();
}

static void test_irq(void)
{
	start(true, irq_unmap);
	sim_spawn(T.m, "irq", 0, irq_task, NULL);
	sim_run(T.m);
	ok(st(SIM_STAT_interrupts) == 1, "%s: one interrupt", F->kernel);
	if (F->batch_active)
		ok(obs.queued_in_irq == 1 && obs.inval_in_irq == 0 &&
			   obs.flushes == 1 && obs.size[0] == 2,
		   "%s: tb->active is the CPU's: the handler's flush joins the "
		   "task's batch (%ld queued in irq)",
		   F->kernel, obs.queued_in_irq);
	else
		ok(obs.queued_in_irq == 0 && obs.inval_in_irq == 1 &&
			   obs.flushes == 1 && obs.size[0] == 1,
		   "%s: not lazy in interrupt context: the handler's flush is "
		   "at once (%ld demaps in irq)",
		   F->kernel, obs.inval_in_irq);
	ok(T.m->nr_findings == 0, "%s: interrupt: no findings", F->kernel);
	simtest_fini(&T);
}

/* ---- nesting --------------------------------------------------------------------- */

static void nested_task(void *arg)
{
	struct mm_struct *mm = umap("nested", 3);

	(void)arg;
	obs_reset();
	lazy_mmu_mode_enable();
	uclear(mm, 0);
	lazy_mmu_mode_enable();
	uclear(mm, 1);
	lazy_mmu_mode_disable();
	uclear(mm, 2);
	lazy_mmu_mode_disable();
	if (F->batch_active)
		ok(st(SIM_STAT_unbatched_in_section) == 1 && obs.flushes == 1,
		   "%s: after a nested leave the outer section runs "
		   "unbatched",
		   F->kernel);
	else
		ok(st(SIM_STAT_unbatched_in_section) == 0 && obs.flushes == 2 &&
			   obs.size[1] == 1,
		   "%s: the nested disable flushes, the outer batches on",
		   F->kernel);
}

/*
 * sim_reset() brings the model's state back as init() left it (the
 * batches, the TSB): a second run after a reset counts what the first did.
 */
static void test_reset(void)
{
	uint64_t f1, i1;

	start(true, NULL);
	sim_spawn(T.m, "vmalloc", 0, vmalloc_task, NULL);
	sim_run(T.m);
	f1 = st(SIM_STAT_batch_flushes);
	i1 = st(SIM_STAT_tlb_invalidations);
	sim_reset(T.m);
	sim_spawn(T.m, "vmalloc", 0, vmalloc_task, NULL);
	sim_run(T.m);
	ok(st(SIM_STAT_batch_flushes) == f1 &&
		   st(SIM_STAT_tlb_invalidations) == i1 &&
		   T.m->nr_findings == 0,
	   "%s: after sim_reset() the same run counts the same (%llu, %llu)",
	   F->kernel, (unsigned long long)f1, (unsigned long long)i1);
	simtest_fini(&T);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		F = &fixtures[i];
		diag("sparc64 %s", F->kernel);
		test_counts();
		test_run();
		run_task(mm_change_task, NULL, true);
		simtest_fini(&T);
		run_task(remap_task, NULL, true);
		simtest_fini(&T);
		run_task(remap_task, (void *)1, true);
		simtest_fini(&T);
		run_task(sleep_task, NULL, true);
		simtest_fini(&T);
		test_window();
		test_irq();
		test_reset();
		run_task(nested_task, NULL, true);
		simtest_fini(&T);
	}
	return tap_done();
}
