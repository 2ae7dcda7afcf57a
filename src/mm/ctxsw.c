// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Two workloads of the generic lazy MMU API itself, v6.16 .. v7.1, rather
 * than of one kernel path:
 *
 * ctxsw: models no single kernel function but the calls every lazy caller
 * makes (include/linux/pgtable.h lazy_mmu_mode_enable/disable/pause/
 * resume(), v7.0), by two tasks on one CPU that are preempted and switched
 * between them: the window between the core's counter update and its arch
 * hook that broke Xen PV in 7.0 (291b3abed657 "x86/xen: use lazy_mmu_state
 * when context-switching"; fixed in v7.1-rc4 by 4594437880ce "x86/xen:
 * Tolerate nested XEN_LAZY_MMU entering/leaving").
 *
 * kunit: mm/tests/lazy_mmu_mode_kunit.c lazy_mmu_mode_active() (v7.0,
 * "[PATCH v6 14/14] mm: Add basic tests for lazy_mmu", 2025-12-15,
 * 20251215150323.2218608-15-kevin.brodsky@arm.com; read at torvalds/linux
 * 42d3b66d4cdb) as a task on the machine, and the same sequence from the
 * workload's interrupt, where the mode must never read active.
 */
#include <stdio.h>

#include "mm/mm.h"
#include "sim/arch.h"

/* ---- ctxsw ----------------------------------------------------------------- */

/*
 * What the two tasks share: the process's mm (both are its threads), and
 * how many of them have not finished (the last says the path is over to
 * the other CPUs' threads, lmm_user_done()). A kernel object.
 */
struct ctxsw_run {
	struct mm_struct *mm;
	unsigned long rounds;
	int live;
};

struct ctxsw_task_arg {
	struct ctxsw_run *run;
	unsigned long uaddr; /* this task's user page */
};

/*
 * One round on this task's kernel page @ka (its PTE @kptep, frame @pfn)
 * and user page @ua of @vma: every generic call, each outermost one with
 * its arch hook behind a scheduling point where the task may be switched
 * out (v7.0 updates the counters before the hook, with preemption on):
 *
 *   enable            kernel PTE mapped (arm64: dsb+isb owed; Xen: queued;
 *                     s390 series: in the per-CPU cache of ka's table)
 *     enable          nested (7.0 on), under the PTL: the user PTE
 *                     write-protected
 *                     with ptep_modify_prot_start/commit() (ppc64 hash,
 *                     sparc64: a batched invalidation; Xen: queued)
 *     disable         nested: arch_flush_lazy_mmu_mode() pays it all
 *   pause             the arch leaves: the kernel page is written
 *   resume            the arch enters again
 *                     the user PTE made writable again, the kernel PTE
 *                     cleared
 *   disable           the arch leaves; then the kernel TLB flush
 */
static void ctxsw_round(struct vm_area_struct *vma, unsigned long ua,
			unsigned long ka, pte_t *kptep, unsigned long pfn,
			unsigned long round)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *mm = vma->vm_mm;
	pte_t *pmd = pmd_off(mm, ua), *uptep, old;
	spinlock_t *ptl;
	/*
	 * Sections nest on purpose from 7.0 on; before, the generic calls
	 * were the arch hooks, no caller nested by design (Xen's
	 * enter_lazy() BUG()s on it) and the inner pair is left out.
	 */
	bool nest = m->opt.lazy != SIM_LAZY_DIRECT;

	lazy_mmu_mode_enable_with_ptes(&m->init_mm, ka, ka + PAGE_SIZE, kptep);
	set_pte_at(&m->init_mm, ka, kptep, pfn_pte(pfn, PAGE_KERNEL));

	uptep = pte_offset_map_lock(mm, pmd, ua, &ptl);
	if (uptep) {
		if (nest)
			lazy_mmu_mode_enable();
		old = ptep_modify_prot_start(vma, ua, uptep);
		ptep_modify_prot_commit(vma, ua, uptep, old,
					pte_wrprotect(old));
		if (nest)
			lazy_mmu_mode_disable();
		pte_unmap_unlock(uptep, ptl);
	}

	lazy_mmu_mode_pause();
	/* paused: every update so far has taken effect */
	sim_store(ka, lmm_token(ka) + round);
	if (sim_load(ka) != lmm_token(ka) + round)
		sim_report("bad-access", "%s: round %lu: %#lx lost its data",
			   current->comm, round, ka);
	lazy_mmu_mode_resume();

	uptep = pte_offset_map_lock(mm, pmd, ua, &ptl);
	if (uptep) {
		old = ptep_modify_prot_start(vma, ua, uptep);
		ptep_modify_prot_commit(vma, ua, uptep, old, pte_mkwrite(old));
		pte_unmap_unlock(uptep, ptl);
	}
	pte_clear(&m->init_mm, ka, kptep);
	lazy_mmu_mode_disable();
	/* the clear is in the table now: flush after the section */
	flush_tlb_kernel_range(ka, ka + PAGE_SIZE);
}

/* A thread of the process: @arg->run->rounds rounds, then its checks. */
static void ctxsw_thread(struct ctxsw_task_arg *arg)
{
	struct ctxsw_run *run = arg->run;
	struct mm_struct *mm = run->mm;
	struct vm_area_struct *vma;
	unsigned long ka = get_vm_area(1), pfn = alloc_page(GFP_KERNEL);
	pte_t *kptep = ka ? pte_offset_kernel_alloc(ka) : NULL;

	if (current->mm != mm)
		kthread_use_mm(mm);
	vma = vma_lookup(mm, arg->uaddr);
	if (!kptep || !pfn || !vma) {
		sim_report("bad-access", "%s: no kernel page or VMA for ctxsw",
			   current->comm);
	} else {
		for (unsigned long r = 0; r < run->rounds; r++)
			ctxsw_round(vma, arg->uaddr, ka, kptep, pfn, r);
		/* the user page: still there, writable again */
		lmm_user_check("ctxsw", arg->uaddr, arg->uaddr, 1, true, true);
	}
	if (pfn)
		__free_page(pfn);
	kfree(arg);
	if (--run->live == 0)
		lmm_user_done();
}

static void ctxsw_sibling(void *arg)
{
	ctxsw_thread(arg);
}

/*
 * The first CPU's task builds the process (two user pages, one per
 * thread), publishes them to the other CPUs' threads, spawns the second
 * thread on its own CPU (the kernel's clone(): a runnable task behind the
 * current one) and runs the first; the other CPUs' tasks read and write
 * the user pages meanwhile.
 */
void ctxsw_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	struct ctxsw_task_arg *a, *b;
	struct ctxsw_run *run;
	struct mm_struct *mm;
	char comm[16];

	if (!lmm_user_first()) {
		lmm_user_accessor();
		return;
	}
	mm = lmm_user_setup(2, VM_READ | VM_WRITE);
	if (!mm) {
		lmm_user_done();
		return;
	}
	lmm_user_publish(mm, LMM_USER_BASE, 2);
	run = kzalloc(sizeof(*run), GFP_KERNEL);
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	run->mm = mm;
	run->rounds = p->pages;
	run->live = 2;
	a->run = b->run = run;
	a->uaddr = LMM_USER_BASE;
	b->uaddr = LMM_USER_BASE + PAGE_SIZE;
	snprintf(comm, sizeof(comm), "%.13s+1", current->comm);
	sim_spawn(sim_machine(), comm, smp_processor_id(), ctxsw_sibling, b);
	ctxsw_thread(a);
}

/* ---- kunit ------------------------------------------------------------------- */

/*
 * KUNIT_EXPECT_TRUE/FALSE(test, is_lazy_mmu_mode_active()) after @step. A
 * wrong answer is reported as arch-bug (an assertion fired: the kernel's
 * KUnit test would fail); the run goes on, as an EXPECT does.
 */
static void kunit_expect(const char *ctx, int step, const char *call, bool want)
{
	bool active;

	/* the check reads the task's lazy state: an interrupt may come first */
	sim_sched_point_touch(SIM_TOUCH_LAZY, current);
	active = is_lazy_mmu_mode_active();
	if (active == want)
		return;
	sim_report("arch-bug",
		   "CPU%d %s: KUnit lazy_mmu_mode_active%s, step %d: "
		   "is_lazy_mmu_mode_active() is %s after %s, expected %s",
		   smp_processor_id(), current ? current->comm : "idle", ctx,
		   step, active ? "true" : "false", call,
		   want ? "true" : "false");
}

/*
 * The test's sequence. @irq: run from an interrupt, where every call does
 * nothing and the mode is never active (v6 08/14 "mm: bail out of
 * lazy_mmu_mode_* in interrupt context"). Without a lazy MMU mode (the
 * arch selects no ARCH_HAS_LAZY_MMU_MODE, or --lazy off) the test is not
 * built (its Kconfig depends on it); the calls are then the empty stubs,
 * which leave the mode inactive throughout, and that is what is checked.
 */
static void kunit_sequence(bool irq)
{
	static const struct {
		enum sim_lazy_call call;
		const char *name;
		bool active; /* expected after the call, in task context */
	} steps[] = {
		{ SIM_LAZY_ENABLE, "lazy_mmu_mode_enable()", true },
		/* Nested section */
		{ SIM_LAZY_ENABLE, "nested lazy_mmu_mode_enable()", true },
		{ SIM_LAZY_DISABLE, "nested lazy_mmu_mode_disable()", true },
		/* Paused section */
		{ SIM_LAZY_PAUSE, "lazy_mmu_mode_pause()", false },
		/* No effect (paused) */
		{ SIM_LAZY_ENABLE, "lazy_mmu_mode_enable() while paused",
		  false },
		{ SIM_LAZY_DISABLE, "lazy_mmu_mode_disable() while paused",
		  false },
		{ SIM_LAZY_PAUSE, "nested lazy_mmu_mode_pause()", false },
		{ SIM_LAZY_RESUME, "nested lazy_mmu_mode_resume()", false },
		{ SIM_LAZY_RESUME, "lazy_mmu_mode_resume()", true },
		{ SIM_LAZY_DISABLE, "lazy_mmu_mode_disable()", false },
	};
	const char *ctx = irq ? " (in interrupt)" : "";
	bool lazy = sim_machine()->opt.lazy != SIM_LAZY_OFF;

	kunit_expect(ctx, 0, "nothing", false);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		switch (steps[i].call) {
		case SIM_LAZY_ENABLE:
			lazy_mmu_mode_enable();
			break;
		case SIM_LAZY_DISABLE:
			lazy_mmu_mode_disable();
			break;
		case SIM_LAZY_PAUSE:
			lazy_mmu_mode_pause();
			break;
		case SIM_LAZY_RESUME:
			lazy_mmu_mode_resume();
			break;
		}
		kunit_expect(ctx, (int)i + 1, steps[i].name,
			     steps[i].active && lazy && !irq);
	}
}

/*
 * The test case on the first CPU (kunit_run_case_catch_errors() runs it in
 * a kthread: a task, preemptible); the other CPUs' tasks have nothing of
 * it to access and exit.
 */
void kunit_task(void *arg)
{
	(void)arg;
	if (lmm_user_first())
		kunit_sequence(false);
}

/* The same sequence from an interrupt: nothing may read active there. */
void kunit_irq(void *arg)
{
	(void)arg;
	kunit_sequence(true);
}
