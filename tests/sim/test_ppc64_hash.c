// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * powerpc book3s64 hash (src/arch/ppc64-hash/hash.c), one fixture per
 * kernel version: the ppc64_tlb_batch's counts on vmalloc (192 + 192 +
 * 128 for 512 touched pages), its early flush on an mm change, a stale
 * HPTE seen by a caller that relies on an update before the flush,
 * preemption off in a section (sleep-in-atomic), a switch in the 7.0
 * window before arch_enter, an interrupt inside a section (batched by the
 * per-CPU batch->active before 7.0, paid at once from 7.0), nesting
 * before and after 7.0, DEBUG_PAGEALLOC bypassing the batch.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "simtest.h"

#define init_mm (sim_machine()->init_mm)
#define UADDR 0x400000UL

struct fixture {
	const char *kernel;
	/* before 7.0: the per-CPU batch->active decides (interrupts batch
	 * too, a nested leave ends batching); from 7.0 the generic layer */
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

static void start(unsigned int cpus, bool lazy, bool debug_pagealloc,
		  void (*irq)(void *))
{
	static struct sim_observer o = { .event = obs_event };

	simtest_init(&T, "ppc64-hash", F->kernel, cpus, debug_pagealloc, irq);
	if (!lazy)
		T.m->opt.lazy = SIM_LAZY_OFF;
	sim_add_observer(T.m, &o);
	obs_reset();
}

static uint64_t st(enum sim_stat s)
{
	return stat(&T, s);
}

/* ---- batching counts: vmalloc ---------------------------------------------- */

static bool touch;
static uint64_t unmap_flushes, unmap_invals;

/*
 * 512 pages mapped at a 2 MiB boundary (one PTE table) with
 * vmap_pages_range(), touched (or not), then unmapped with vunmap_range():
 * vunmap_pte_range()'s one section clears all 512.
 */
static void vmalloc_task(void *arg)
{
	unsigned long base = VMALLOC_START + 0x40000000UL, pages[512];
	uint64_t b, i;

	(void)arg;
	for (unsigned long p = 0; p < 512; p++)
		pages[p] = alloc_page(GFP_KERNEL);
	vmap_pages_range(base, base + 512 * PAGE_SIZE, pages);
	if (touch)
		for (unsigned long p = 0; p < 512; p++)
			sim_store(base + p * PAGE_SIZE, p);
	obs_reset();
	b = st(SIM_STAT_batch_flushes);
	i = st(SIM_STAT_tlb_invalidations);
	vunmap_range(base, base + 512 * PAGE_SIZE);
	unmap_flushes = st(SIM_STAT_batch_flushes) - b;
	unmap_invals = st(SIM_STAT_tlb_invalidations) - i;
}

static void test_vmalloc_counts(void)
{
	/* lazy on, touched: every PTE is hashed (H_PAGE_HASHPTE) */
	start(1, true, false, NULL);
	touch = true;
	sim_spawn(T.m, "vmalloc", 0, vmalloc_task, NULL);
	sim_run(T.m);
	ok(unmap_flushes == 3,
	   "%s: vunmap of 512 touched pages of one PTE table: 3 batch "
	   "flushes "
	   "(%llu)",
	   F->kernel, (unsigned long long)unmap_flushes);
	ok(obs.flushes == 3 && obs.size[0] == 192 && obs.size[1] == 192 &&
		   obs.size[2] == 128,
	   "%s: 192 + 192 (full: PPC64_TLB_BATCH_NR) + 128 (the leave) "
	   "(%ld + %ld + %ld)",
	   F->kernel, obs.size[0], obs.size[1], obs.size[2]);
	ok(unmap_invals == 512, "%s: one tlbie per hashed page, 512 (%llu)",
	   F->kernel, (unsigned long long)unmap_invals);
	ok(st(SIM_STAT_unbatched_in_section) == 0 && T.m->nr_findings == 0,
	   "%s: nothing paid at once in a section, no findings", F->kernel);
	simtest_fini(&T);

	/* lazy off: the same 512 invalidations, each flushed at once */
	start(1, false, false, NULL);
	sim_spawn(T.m, "vmalloc", 0, vmalloc_task, NULL);
	sim_run(T.m);
	ok(unmap_flushes == 0 && unmap_invals == 512 && obs.queued == 0,
	   "%s lazy off: no batch, 512 flush_hash_page() (%llu, %llu)",
	   F->kernel, (unsigned long long)unmap_flushes,
	   (unsigned long long)unmap_invals);
	simtest_fini(&T);

	/* never touched: never hashed, nothing to invalidate */
	start(1, true, false, NULL);
	touch = false;
	sim_spawn(T.m, "vmalloc", 0, vmalloc_task, NULL);
	sim_run(T.m);
	ok(unmap_flushes == 0 && unmap_invals == 0,
	   "%s: untouched pages have no HPTE: no flush (%llu, %llu)", F->kernel,
	   (unsigned long long)unmap_flushes, (unsigned long long)unmap_invals);
	simtest_fini(&T);
}

/* Batch flushes of @n entries cleared in one section: one per 192, and the
 * leave's for the rest. */
static uint64_t flushes_of(unsigned long n)
{
	return n / 192 + (n % 192 != 0);
}

/*
 * The vmalloc workload through lmm_run(), as `lazymmu run` does. The first
 * area goes right after the kernel image (first fit, mm/vmalloc.c), which
 * ends KIMAGE_SIZE into the vmalloc area: its 512 pages straddle two PTE
 * tables, one section and one batch each.
 */
static void test_run_counts(void)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	char err[160];
	uint64_t flushes[2], invals[2], want;
	unsigned long end = KIMAGE_VADDR + KIMAGE_SIZE;
	unsigned long first =
		(PTE_TABLE_SPAN - end % PTE_TABLE_SPAN) / PAGE_SIZE;

	if (first > 512)
		first = 512;
	want = flushes_of(first) + flushes_of(512 - first);

	for (int lazy = 0; lazy < 2; lazy++) {
		lmm_run_defaults(&c);
		c.arch = "ppc64-hash";
		c.kernel = F->kernel;
		c.sched = "rr";
		c.cpus = 1;
		c.pages = 512;
		c.lazy = lazy;
		if (lmm_run(&c, &r, err, sizeof(err))) {
			ok(0, "%s: lmm_run: %s", F->kernel, err);
			return;
		}
		flushes[lazy] =
			sim_stats_total(&r.stats, SIM_STAT_batch_flushes);
		invals[lazy] =
			sim_stats_total(&r.stats, SIM_STAT_tlb_invalidations);
		ok(r.nr_findings == 0, "%s run lazy %s: no findings", F->kernel,
		   lazy ? "on" : "off");
		lmm_run_result_free(&r);
	}
	ok(flushes[1] == want && flushes[0] == 0,
	   "%s run, 512 pages, %lu + %lu in two PTE tables: %llu batch "
	   "flushes lazy on, 0 off (%llu, %llu)",
	   F->kernel, first, 512 - first, (unsigned long long)want,
	   (unsigned long long)flushes[1], (unsigned long long)flushes[0]);
	ok(invals[1] == 512 && invals[0] == 512,
	   "%s run: 512 invalidations either way (%llu, %llu)", F->kernel,
	   (unsigned long long)invals[1], (unsigned long long)invals[0]);
}

/* ---- an mm change flushes the batch early ---------------------------------- */

static unsigned long kpage(unsigned long i)
{
	return VMALLOC_START + 0x40000000UL + i * PAGE_SIZE;
}

/* Map @n kernel pages, touching each so that it is hashed. */
static void map_kernel(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		unsigned long pfn = alloc_page(GFP_KERNEL);

		set_pte_at(&init_mm, kpage(i),
			   pte_offset_kernel_alloc(kpage(i)),
			   pfn_pte(pfn, PAGE_KERNEL));
		sim_phys_write(pfn << PAGE_SHIFT, pfn);
		sim_load(kpage(i));
	}
}

static void kclear(unsigned long i)
{
	ptep_get_and_clear(&init_mm, kpage(i),
			   sim_walk(&init_mm, kpage(i), 0, false));
}

static void mm_change_task(void *arg)
{
	struct mm_struct *mm = sim_mm_alloc("user"), *saved = current->mm;
	pte_t *uptep = sim_walk(mm, UADDR, 0, true);

	(void)arg;
	sim_vma_add(mm, UADDR, UADDR + PAGE_SIZE, VM_READ | VM_WRITE);
	set_pte_at(mm, UADDR, uptep,
		   pfn_pte(alloc_page(GFP_KERNEL), PAGE_USER_RW));
	current->mm = mm;
	sim_load(UADDR);
	map_kernel(2);
	obs_reset();
	lazy_mmu_mode_enable();
	kclear(0);
	ptep_get_and_clear(mm, UADDR, uptep); /* another mm: flush first */
	kclear(1); /* and back */
	ok(obs.flushes == 2 && obs.size[0] == 1 && obs.size[1] == 1,
	   "%s: init_mm, user mm, init_mm: two early flushes of one entry "
	   "(%d)",
	   F->kernel, obs.flushes);
	lazy_mmu_mode_disable();
	ok(obs.flushes == 3 && obs.size[2] == 1,
	   "%s: the leave flushes the last entry", F->kernel);
	current->mm = saved;
}

/* ---- hazard visibility: a stale HPTE until the flush ------------------------ */

static void remap_task(void *arg)
{
	bool flush_first = arg != NULL;
	unsigned long y = alloc_page(GFP_KERNEL), x;
	pte_t *ptep;
	uint64_t v;

	sim_phys_write(y << PAGE_SHIFT, y);
	map_kernel(1);
	ptep = sim_walk(&init_mm, kpage(0), 0, false);
	x = pte_pfn(*ptep);
	lazy_mmu_mode_enable();
	ptep_get_and_clear(&init_mm, kpage(0), ptep);
	set_pte_at(&init_mm, kpage(0), ptep, pfn_pte(y, PAGE_KERNEL));
	if (flush_first)
		lazy_mmu_mode_disable();
	/* the TLBs lose everything; the HPT does not */
	sim_tlb_inval_all(-1);
	v = sim_load(kpage(0));
	if (flush_first) {
		ok(v == y && T.m->nr_findings == 0,
		   "%s: remap, flush, access: reaches the new frame, clean",
		   F->kernel);
		return;
	}
	ok(v == x,
	   "%s: remap in a section: the stale HPTE still reaches the "
	   "old frame",
	   F->kernel);
	ok(findings(T.m, "deferred-access") == 1 &&
		   strstr(finding_text(T.m, "deferred-access"), "remap_task"),
	   "%s: access before the flush: deferred-access: %s", F->kernel,
	   finding_text(T.m, "deferred-access"));
	lazy_mmu_mode_disable();
	ok(sim_load(kpage(0)) == y, "%s: after the leave: the new frame",
	   F->kernel);
}

/* ---- preemption: off for the whole section ---------------------------------- */

static void sleep_task(void *arg)
{
	unsigned long pfn;

	(void)arg;
	ok(preemptible(), "%s: preemptible outside a section", F->kernel);
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
 * A switch: task A is preempted where it can be (from 7.0, in the window
 * between the counter update and arch_enter; before 7.0 at the same point
 * before the hook), task B clears a hashed page meanwhile on the same CPU.
 * Inside the section no preemption: task C, which B starts and which is
 * runnable through A's section, runs only after A's leave.
 */
static bool b_ran, c_ran, b_before_section, c_in_section;

static void window_a(void *arg)
{
	(void)arg;
	map_kernel(3);
	obs_reset();
	want_preempt = true; /* at the next point: the hook's window */
	lazy_mmu_mode_enable();
	b_before_section = b_ran;
	want_preempt = true; /* never asked: preemption is off */
	kclear(0);
	kclear(1);
	c_in_section = c_ran;
	lazy_mmu_mode_disable();
}

static void window_c(void *arg)
{
	(void)arg;
	c_ran = true;
}

static void window_b(void *arg)
{
	(void)arg;
	b_ran = true;
	kclear(2); /* B is not lazy: flushed at once */
	/* C queues behind A: runnable through A's section */
	sim_spawn(sim_machine(), "C", 0, window_c, NULL);
}

static void test_window(void)
{
	b_ran = c_ran = b_before_section = c_in_section = false;
	start(1, true, false, NULL);
	sim_spawn(T.m, "A", 0, window_a, NULL);
	sim_spawn(T.m, "B", 0, window_b, NULL);
	sim_run(T.m);
	ok(b_before_section && !c_in_section && c_ran,
	   "%s: A switched out before arch_enter, never inside its section",
	   F->kernel);
	ok(obs.flushes == 1 && obs.size[0] == 2 && T.m->nr_findings == 0,
	   "%s: A's two entries in one batch flush, B's paid at once, clean "
	   "(%d flushes)",
	   F->kernel, obs.flushes);
	simtest_fini(&T);
}

/* ---- an interrupt inside a section ------------------------------------------ */

/* The handler unmaps a hashed kernel page (a vunmap from a softirq). */
static void irq_unmap(void *arg)
{
	(void)arg;
	kclear(1);
}

static void irq_task(void *arg)
{
	(void)arg;
	map_kernel(2);
	obs_reset();
	lazy_mmu_mode_enable();
	want_irq = true; /* at the clear's scheduling point */
	kclear(0);
	lazy_mmu_mode_disable();
}

static void test_irq(void)
{
	start(1, true, false, irq_unmap);
	sim_spawn(T.m, "irq", 0, irq_task, NULL);
	sim_run(T.m);
	ok(st(SIM_STAT_interrupts) == 1, "%s: one interrupt", F->kernel);
	if (F->batch_active) {
		/* batch->active is the CPU's: the handler's update queues */
		ok(obs.queued_in_irq == 1 && obs.inval_in_irq == 0 &&
			   obs.flushes == 1 && obs.size[0] == 2,
		   "%s: the handler's invalidation joins the task's batch, "
		   "paid at its leave (%ld queued in irq, %d flushes)",
		   F->kernel, obs.queued_in_irq, obs.flushes);
	} else {
		/* is_lazy_mmu_mode_active() is false in interrupt context */
		ok(obs.queued_in_irq == 0 && obs.inval_in_irq == 1 &&
			   obs.flushes == 1 && obs.size[0] == 1,
		   "%s: the handler's invalidation is paid at once, the task's "
		   "batched (%ld invalidations in irq)",
		   F->kernel, obs.inval_in_irq);
	}
	ok(T.m->nr_findings == 0, "%s: interrupt: no findings", F->kernel);
	simtest_fini(&T);
}

/* ---- nesting ---------------------------------------------------------------- */

static void nested_task(void *arg)
{
	(void)arg;
	map_kernel(3);
	obs_reset();
	lazy_mmu_mode_enable();
	kclear(0);
	lazy_mmu_mode_enable();
	kclear(1);
	lazy_mmu_mode_disable();
	kclear(2); /* after the inner section */
	lazy_mmu_mode_disable();
}

static void test_nested(void)
{
	start(1, true, false, NULL);
	sim_spawn(T.m, "nested", 0, nested_task, NULL);
	sim_run(T.m);
	if (F->batch_active)
		/* the inner leave flushed and cleared batch->active */
		ok(st(SIM_STAT_unbatched_in_section) == 1 && obs.flushes == 1,
		   "%s: after a nested leave the outer section runs "
		   "unbatched (%llu)",
		   F->kernel,
		   (unsigned long long)st(SIM_STAT_unbatched_in_section));
	else
		/* the nested disable calls arch_flush: the outer batches on */
		ok(st(SIM_STAT_unbatched_in_section) == 0 && obs.flushes == 2 &&
			   obs.size[1] == 1,
		   "%s: the nested disable flushes, the outer section "
		   "batches on (%d flushes)",
		   F->kernel, obs.flushes);
	simtest_fini(&T);
}

/* ---- DEBUG_PAGEALLOC: the linear map bypasses the batch --------------------- */

static void pagealloc_task(void *arg)
{
	unsigned long pfn = alloc_page(GFP_KERNEL);
	uint64_t inv;

	(void)arg;
	sim_store(sim_linear_addr(pfn), 1);
	lazy_mmu_mode_enable();
	inv = st(SIM_STAT_tlb_invalidations);
	__free_page(pfn);
	ok(st(SIM_STAT_tlb_invalidations) == inv + 1 && obs.queued == 0,
	   "%s: free in a section: hash__kernel_map_pages() invalidates at "
	   "once, nothing queued",
	   F->kernel);
	lazy_mmu_mode_disable();
	ok(st(SIM_STAT_unbatched_in_section) == 1,
	   "%s: counted as unbatched in a section", F->kernel);
}

static void run_task(const char *name, void (*fn)(void *), void *arg,
		     bool debug_pagealloc)
{
	start(1, true, debug_pagealloc, NULL);
	sim_spawn(T.m, name, 0, fn, arg);
	sim_run(T.m);
	simtest_fini(&T);
}

/*
 * sim_reset() brings the model's state back as init() left it (the
 * batches, the HPT, a boot object): a second run after a reset counts what the first did.
 */
static void test_reset(void)
{
	uint64_t f1, i1;

	touch = true;
	start(1, true, false, NULL);
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
		diag("ppc64-hash %s", F->kernel);
		test_vmalloc_counts();
		test_run_counts();
		run_task("mm", mm_change_task, NULL, false);
		run_task("remap", remap_task, NULL, false);
		run_task("remap", remap_task, (void *)1, false);
		run_task("sleep", sleep_task, NULL, false);
		test_window();
		test_irq();
		test_nested();
		test_reset();
		run_task("pagealloc", pagealloc_task, NULL, true);
	}
	return tap_done();
}
