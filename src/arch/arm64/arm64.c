// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * arm64: arch/arm64/include/asm/pgtable.h, arch/arm64/mm/pageattr.c,
 * arch/arm64/mm/mmu.c, arch/arm64/mm/fault.c, arch/arm64/kernel/process.c,
 * arch/arm64/include/asm/tlbflush.h, as in v6.16 (5fdd05efa1cd batching,
 * b81c688426a9 no batching in interrupts, 1ef3095b1405 nesting tolerated)
 * and v7.0 (4dd9b4d7a8d5 on the generic nesting layer).
 *
 * What is deferred: a store of a valid kernel entry must be followed by
 * dsb(ishst) (the walkers see it) and isb (this CPU drops any speculative
 * "invalid" it holds) before the entry may be used. Inside a lazy section
 * the pair is owed (TIF_LAZY_MMU_PENDING) and emitted once at flush or leave.
 * User entries need no barriers: TLB maintenance orders them.
 */
#include "mm/memory.h"
#include "sim/arch.h"
#include "sim/sim.h"

/* ---- barriers --------------------------------------------------------------- */

static void dsb(const char *insn)
{
	sim_barrier(insn);
	sim_pt_publish(smp_processor_id());
}

static void isb(void)
{
	sim_barrier("isb");
	sim_pt_sync(smp_processor_id());
}

static void emit_pte_barriers(void)
{
	dsb("dsb ishst");
	isb();
}

/* PTE_VALID set, PTE_USER clear and PTE_UXN set: a kernel mapping. */
static bool pte_valid_not_user(pte_t pte)
{
	return (pte & (PTE_VALID | PTE_USER | PTE_UXN)) ==
	       (PTE_VALID | PTE_UXN);
}

/* ---- queue_pte_barriers() ------------------------------------------------ */

/*
 * Whether queue_pte_barriers() defers, per version. v6.16: TIF_LAZY_MMU
 * marks the mode and interrupts never defer; v7.0: the generic layer says
 * whether the mode is active (false in interrupt context).
 */
static bool deferring_616(void)
{
	return !in_interrupt() && test_thread_flag(TIF_LAZY_MMU);
}

static bool deferring_70(void)
{
	return is_lazy_mmu_mode_active();
}

/*
 * Owe the barriers to the section if it defers, else pay them now. What is
 * owed is reported as deferred work of the task (the flag is per task),
 * named by the store (@addr) that made it owed.
 */
static void queue_pte_barriers(bool defer, unsigned long addr)
{
	if (!defer) {
		emit_pte_barriers();
		sim_unbatched_update();
		return;
	}
	/* test before set: no atomic RMW when already pending */
	if (!test_thread_flag(TIF_LAZY_MMU_PENDING)) {
		set_thread_flag(TIF_LAZY_MMU_PENDING);
		sim_deferred_queued("owed dsb+isb", current, NULL, addr, 0, 1);
	}
}

/* The owed barriers, if any, are emitted now (a flush or leave). */
static void pay_pte_barriers(void)
{
	if (test_and_clear_thread_flag(TIF_LAZY_MMU_PENDING)) {
		sim_batch_flush("owed dsb+isb");
		emit_pte_barriers();
		sim_deferred_paid("owed dsb+isb", current, 1);
	}
}

/*
 * @nr stores of consecutive frames from @pte, then one queue_pte_barriers()
 * if @barriers: __set_ptes_anysz() calls __set_pte_complete() once after
 * the stores (f89b399e8d6e, v6.16; v7.0). Walkers may miss a newly valid
 * entry until the barriers (at once, or at the section's flush). Nothing
 * the stores' scheduling points run changes this task's mode: @deferring
 * is asked once. Inlined: each caller's copy knows @nr and @deferring.
 */
static inline __attribute__((always_inline)) void
set_entries(pte_t *ptep, pte_t pte, unsigned long addr, unsigned int nr,
	    bool barriers, bool (*deferring)(void))
{
	bool defer = barriers && deferring();

	for (;;) {
		enum sim_pt_vis vis = SIM_PT_SEEN;

		if (barriers && !pte_valid(*ptep))
			vis = defer ? SIM_PT_DEFERRED : SIM_PT_IN_FLIGHT;
		sim_pt_write(ptep, pte, addr, vis);
		if (--nr == 0)
			break;
		ptep++;
		addr += PAGE_SIZE;
		pte = pte_next_pfn(pte);
	}
	if (barriers)
		queue_pte_barriers(defer, addr);
}

/* ---- set_p4d(): top-level entries (arch/arm64/mm/mmu.c) ------------------ */

struct arm64_state {
	spinlock_t swapper_pgdir_lock;
};

/* in_swapper_pgdir(): @ptep lies in init_mm's pgd, swapper_pg_dir */
static bool in_swapper_pgdir(const pte_t *ptep)
{
	return sim_ptep_pfn(ptep) == sim_ptep_pfn(sim_this->init_mm.pgd);
}

static enum sim_pt_vis new_entry_vis(const pte_t *ptep, pte_t entry)
{
	return pte_valid(entry) && !pte_valid(*ptep) ? SIM_PT_IN_FLIGHT :
						       SIM_PT_SEEN;
}

/*
 * set_swapper_pgd() (arch/arm64/mm/mmu.c, v6.16, v7.0): swapper_pg_dir is
 * read-only in the kernel image, so the entry is written through the
 * FIX_PGD fixmap slot, under swapper_pgdir_lock, at once: whatever the
 * lazy MMU mode, nothing of it is owed to a section but the fixmap PTE's
 * own barriers. pgd_set_fixmap() → __set_fixmap() → __set_pte() of a
 * kernel PTE (queue_pte_barriers()); the store (its dsb is the flush's);
 * pgd_clear_fixmap() → __set_fixmap(FIX_PGD, 0, FIXMAP_PAGE_CLEAR):
 * __pte_clear(), then flush_tlb_kernel_range() of the slot: dsb ishst,
 * one tlbi vaale1is, dsb ish, isb. The store is modelled to the pgd
 * itself, not as a data access through the fixmap address.
 */
static void set_swapper_pgd(pte_t *pgdp, pte_t pgd, unsigned long addr,
			    bool (*deferring)(void))
{
	struct arm64_state *s = sim_arch_state();
	pte_t *fixmap = sim_walk(&sim_this->init_mm, FIX_PGD_ADDR, 0, false);

	spin_lock(&s->swapper_pgdir_lock);
	set_entries(fixmap, pfn_pte(sim_ptep_pfn(pgdp), PAGE_KERNEL),
		    FIX_PGD_ADDR, 1, true, deferring);
	sim_pt_write(pgdp, pgd, addr, new_entry_vis(pgdp, pgd));
	sim_pt_write(fixmap, 0, FIX_PGD_ADDR, SIM_PT_SEEN);
	flush_tlb_kernel_range(FIX_PGD_ADDR, FIX_PGD_ADDR + PAGE_SIZE);
	spin_unlock(&s->swapper_pgdir_lock);
}

/*
 * set_p4d() (asm/pgtable.h, 4 levels, 4K pages: the p4d is the pgd): in
 * swapper_pg_dir through set_swapper_pgd(); elsewhere (a user pgd) the
 * store, then dsb(ishst) and isb() at once. Never queued: only set_pmd()
 * and set_pud() call queue_pte_barriers().
 */
static void set_p4d(pte_t *p4dp, pte_t p4d, unsigned long addr,
		    bool (*deferring)(void))
{
	if (in_swapper_pgdir(p4dp)) {
		set_swapper_pgd(p4dp, p4d, addr, deferring);
		return;
	}
	sim_pt_write(p4dp, p4d, addr, new_entry_vis(p4dp, p4d));
	emit_pte_barriers();
}

#define ARM64_VERSION(v)                                                     \
	static void set_pte_at_##v(struct mm_struct *mm, unsigned long addr, \
				   pte_t *ptep, pte_t pte)                   \
	{                                                                    \
		(void)mm;                                                    \
		set_entries(ptep, pte, addr, 1, pte_valid_not_user(pte),     \
			    deferring_##v);                                  \
	}                                                                    \
	/* __set_ptes(): the barriers once for the whole run */              \
	static void set_ptes_##v(struct mm_struct *mm, unsigned long addr,   \
				 pte_t *ptep, pte_t pte, unsigned int nr)    \
	{                                                                    \
		(void)mm;                                                    \
		set_entries(ptep, pte, addr, nr, pte_valid_not_user(pte),    \
			    deferring_##v);                                  \
	}                                                                    \
	/* set_pmd() / set_pud(): any valid entry queues the barriers */     \
	static void set_table_entry_##v(pte_t *ptep, pte_t entry, int level, \
					unsigned long addr)                  \
	{                                                                    \
		if (level == 3)                                              \
			set_p4d(ptep, entry, addr, deferring_##v);           \
		else                                                         \
			set_entries(ptep, entry, addr, 1, pte_valid(entry),  \
				    deferring_##v);                          \
	}

ARM64_VERSION(616)
ARM64_VERSION(70)

static pte_t arm64_ptep_get(pte_t *ptep)
{
	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	return *ptep;
}

/*
 * __ptep_get_and_clear(): xchg_relaxed(ptep, 0), atomic; an invalid entry
 * needs no barriers.
 */
static pte_t arm64_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				      pte_t *ptep)
{
	(void)mm;
	return sim_pt_xchg(ptep, 0, addr, SIM_PT_SEEN);
}

/* ---- the lazy MMU hooks ------------------------------------------------------ */

static void arch_enter_616(void)
{
	/*
	 * Nesting is tolerated (1ef3095b1405): a nested enter finds the flag
	 * set already; the first leave clears it and the rest of the outer
	 * section runs unbatched. arm64-nonest reverts that commit: a nested
	 * enter is a VM_WARN_ON again (and still sets the flag).
	 */
	if (in_interrupt())
		return;
	if (sim_fix_enabled(SIM_FIX_ARM64_NEVER_NEST) &&
	    test_thread_flag(TIF_LAZY_MMU))
		sim_report(
			"arch-bug",
			"CPU%d %s: VM_WARN_ON(test_thread_flag(TIF_LAZY_MMU))"
			" in arch_enter_lazy_mmu_mode(): nested lazy MMU "
			"section (arm64-nonest)",
			smp_processor_id(), current->comm);
	set_thread_flag(TIF_LAZY_MMU);
}

static void arch_flush_616(void)
{
	if (in_interrupt())
		return;
	pay_pte_barriers();
}

static void arch_leave_616(void)
{
	if (in_interrupt())
		return;
	arch_flush_616();
	clear_thread_flag(TIF_LAZY_MMU);
}

static void arch_enter_70(void)
{
}

static void arch_flush_70(void)
{
	pay_pte_barriers();
}

static void arch_leave_70(void)
{
	arch_flush_70();
}

/* ---- TLB maintenance (asm/tlbflush.h) ----------------------------------------- */

/* MAX_DVM_OPS: the most TLBIs a flush issues one page at a time */
#define MAX_DVM_OPS PTRS_PER_TABLE

/*
 * __flush_tlb_range_limit_excess() (v6.16, v7.0), without FEAT_TLBIRANGE
 * (not modelled): a range of MAX_DVM_OPS pages or more is flushed whole.
 * At exactly 512 pages the kernel issues one TLBI, not 512.
 */
static bool __flush_tlb_range_limit_excess(unsigned long start,
					   unsigned long end,
					   unsigned long stride)
{
	return end - start >= MAX_DVM_OPS * stride;
}

/* flush_tlb_all(): dsb ishst; tlbi vmalle1is; dsb ish; isb */
static void flush_tlb_all(void)
{
	dsb("dsb ishst");
	sim_tlb_inval_all(-1);
	dsb("dsb ish");
	isb();
}

/*
 * flush_tlb_kernel_range(): flush_tlb_all() past the limit, else dsb
 * ishst; tlbi vaale1is per page; dsb ish; isb.
 */
static void arm64_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	if (__flush_tlb_range_limit_excess(start, end, PAGE_SIZE)) {
		flush_tlb_all();
		return;
	}
	dsb("dsb ishst");
	for (unsigned long a = start; a < end; a += PAGE_SIZE)
		sim_tlb_inval_page(-1, a, TLB_ASID_ALL); /* vaale1is */
	dsb("dsb ish");
	isb();
}

/* flush_tlb_mm(): dsb ishst; tlbi aside1is (the mm's ASID); dsb ish */
static void arm64_flush_tlb_mm(struct mm_struct *mm)
{
	dsb("dsb ishst");
	sim_tlb_inval_asid(-1, mm->asid);
	dsb("dsb ish");
}

/*
 * flush_tlb_range() → __flush_tlb_range(): __flush_tlb_range_nosync()
 * (flush_tlb_mm() past the limit, else dsb ishst and tlbi vale1is per
 * page), then dsb ish.
 */
static void arm64_flush_tlb_range(struct mm_struct *mm, unsigned long start,
				  unsigned long end)
{
	if (__flush_tlb_range_limit_excess(start, end, PAGE_SIZE)) {
		arm64_flush_tlb_mm(mm);
	} else {
		dsb("dsb ishst");
		for (unsigned long a = start; a < end; a += PAGE_SIZE)
			sim_tlb_inval_page(-1, a, mm->asid); /* vale1is */
	}
	dsb("dsb ish");
}

/*
 * flush_tlb_page() → __flush_tlb_page_nosync(): dsb ishst; tlbi vale1is
 * (address and ASID); then dsb ish.
 */
static void arm64_flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	dsb("dsb ishst");
	sim_tlb_inval_page(-1, addr, vma->vm_mm->asid);
	dsb("dsb ish");
}

/* ---- context switch and exceptions -------------------------------------------- */

/*
 * __switch_to() (arch/arm64/kernel/process.c, v6.16, v7.0): its dsb(ish)
 * makes the outgoing task's table stores visible to the other CPUs'
 * walkers. It has no isb, and emit_pte_barriers() says so: "There is no
 * guarantee of an isb being issued though". This CPU's own walker may
 * still miss them until its next isb or exception return; the owed isb
 * stays recorded in the task's TIF_LAZY_MMU_PENDING and is emitted when it
 * next flushes, on whatever CPU, before it uses the addresses (Roberts,
 * v4 11/11).
 *
 * The model runs this for a task that stops running and will run again
 * (preemption, sleep), as it did before the machine called the model on
 * every switch. It leaves out the switches from idle (no task's stores to
 * order) and from a dying task: the kernel's dsb there would also publish
 * the stores a task leaks when it exits inside a section (a state-leak),
 * which the model keeps hidden, so that the counts of runs measured
 * before stay the same.
 */
static void arm64_switch_out(struct task_struct *prev)
{
	if (!prev || (prev->flags & PF_EXITING))
		return;
	dsb("dsb ish");
}

/* An exception return (eret) is context-synchronising, like an isb. */
static void arm64_exception_return(void)
{
	sim_pt_sync(smp_processor_id());
}

/*
 * is_spurious_el1_translation_fault() (arch/arm64/mm/fault.c, v6.16,
 * v7.0): the handler asks the MMU (at s1e1r; isb; read PAR_EL1) whether
 * the address translates now; if it does, the fault was the walker not
 * yet seeing a valid entry, and the access is retried. The AT walk comes
 * after the exception entry, a context synchronisation event, so it sees
 * every store a dsb completed (this CPU's included); a store no dsb
 * completed yet (hidden at stage 2) it need not see, and the model says it
 * does not: the fault is then real, the kernel's "Unable to handle kernel
 * paging request".
 */
static bool arm64_spurious_fault(unsigned long addr)
{
	pte_t *table = sim_this->init_mm.pgd;

	if (addr < PAGE_OFFSET)
		return false;
	for (int level = 3; level >= 0; level--) {
		/* any CPU but a store's writer sees it once published */
		pte_t e = sim_pt_walker_read(&table[pt_index(addr, level)], -1);

		if (!pte_valid(e))
			return false;
		if (level == 0)
			return true;
		table = sim_table_of(e);
	}
	return false;
}

/* ---- DEBUG_PAGEALLOC: __kernel_map_pages() → set_memory_valid() ---------------- */

static int change_page_range(pte_t *ptep, unsigned long addr, void *data)
{
	bool enable = *(bool *)data;
	pte_t pte = ptep_get(ptep);

	pte = enable ? pte | PTE_VALID : pte & ~PTE_VALID;
	set_pte_at(&sim_this->init_mm, addr, ptep, pte);
	return 0;
}

/*
 * __change_memory_common()'s flush (arch/arm64/mm/pageattr.c, v6.16 and
 * v7.0): none when the range only becomes valid, "as a non-valid entry
 * cannot be cached in the TLB" (Steven Price's Realm series, 2024: v6.16
 * tests set_mask == PTE_VALID and clear_mask == 0, v7.0
 * PTE_PRESENT_VALID_KERNEL / PTE_PRESENT_INVALID). A DEBUG_PAGEALLOC
 * allocation pays no flush; only the free does.
 */
static void change_memory_flush(unsigned long start, unsigned long size,
				bool enable)
{
	if (!enable)
		flush_tlb_kernel_range(start, start + size);
}

/*
 * --fix arm64-nonest ("[PATCH v1] arm64/mm: Ensure lazy_mmu_mode never
 * nests", Ryan Roberts, 2025-06-06, 20250606135654.178300-1-ryan.roberts@
 * arm.com, declined): __kernel_map_pages() asks arch_in_lazy_mmu_mode()
 * (TIF_LAZY_MMU, outside interrupts) and, if so, leaves the mode around
 * set_memory_valid() and enters it again after, so that its own section
 * is never nested. The patch calls the arch hooks; the generic calls of
 * the design in force stand for them (a leave and an enter before 7.0).
 * On 7.0, where it was never posted, it is modelled as the series would
 * have converted it: lazy_mmu_mode_pause()/resume() when
 * is_lazy_mmu_mode_active().
 */
static void kernel_map_pages_nonest(void (*set_memory_valid)(unsigned long, int,
							     bool),
				    bool (*in_lazy)(void), unsigned long pfn,
				    int n, bool enable)
{
	bool lazy_mmu = sim_fix_enabled(SIM_FIX_ARM64_NEVER_NEST) && in_lazy();

	if (lazy_mmu)
		lazy_mmu_mode_pause();
	set_memory_valid(pfn, n, enable);
	if (lazy_mmu)
		lazy_mmu_mode_resume();
}

/* v6.16: __change_memory_common() → apply_to_page_range(), then flush. */
static void set_memory_valid_616(unsigned long pfn, int n, bool enable)
{
	unsigned long start = sim_linear_addr(pfn);
	unsigned long size = (unsigned long)n << PAGE_SHIFT;

	apply_to_page_range(&sim_this->init_mm, start, size, change_page_range,
			    &enable);
	change_memory_flush(start, size, enable);
}

static void kernel_map_pages_616(unsigned long pfn, int n, bool enable)
{
	kernel_map_pages_nonest(set_memory_valid_616, deferring_616, pfn, n,
				enable);
}

/*
 * v7.0: __change_memory_common() → update_range_prot() (first in v6.18,
 * Dev Jain, a660194dd101), which opens its own section around the walk.
 */
static void update_range_prot(unsigned long start, unsigned long size,
			      bool enable)
{
	lazy_mmu_mode_enable();
	for (unsigned long a = start; a < start + size; a += PAGE_SIZE) {
		pte_t *ptep = sim_walk(&sim_this->init_mm, a, 0, false);

		if (ptep)
			change_page_range(ptep, a, &enable);
	}
	lazy_mmu_mode_disable();
}

static void set_memory_valid_70(unsigned long pfn, int n, bool enable)
{
	unsigned long start = sim_linear_addr(pfn);
	unsigned long size = (unsigned long)n << PAGE_SHIFT;

	update_range_prot(start, size, enable);
	change_memory_flush(start, size, enable);
}

static void kernel_map_pages_70(unsigned long pfn, int n, bool enable)
{
	kernel_map_pages_nonest(set_memory_valid_70, deferring_70, pfn, n,
				enable);
}

#define ARM64_COMMON                                            \
	.name = "arm64", .ptep_get = arm64_ptep_get,            \
	.state_size = sizeof(struct arm64_state),               \
	.ptep_get_and_clear = arm64_ptep_get_and_clear,         \
	.flush_tlb_kernel_range = arm64_flush_tlb_kernel_range, \
	.flush_tlb_range = arm64_flush_tlb_range,               \
	.switch_out = arm64_switch_out,                         \
	.exception_return = arm64_exception_return,             \
	.spurious_fault = arm64_spurious_fault

/* the TLB flushes of user address spaces, the same in both versions */
#define ARM64_FLUSH_MM                      \
	.flush_tlb_mm = arm64_flush_tlb_mm, \
	.flush_tlb_page = arm64_flush_tlb_page

DEFINE_SIM_ARCH(arm64_6_16_ops, ARM64_COMMON, .kernel = "6.16",
		.models = "arch/arm64/include/asm/pgtable.h (v6.16), "
			  "arch/arm64/mm/pageattr.c (apply_to_page_range)",
		.lazy = SIM_LAZY_DIRECT, .set_pte_at = set_pte_at_616,
		.set_ptes = set_ptes_616, ARM64_FLUSH_MM,
		.set_table_entry = set_table_entry_616,
		.arch_enter_lazy_mmu_mode = arch_enter_616,
		.arch_leave_lazy_mmu_mode = arch_leave_616,
		.arch_flush_lazy_mmu_mode = arch_flush_616,
		.kernel_map_pages = kernel_map_pages_616);

DEFINE_SIM_ARCH(arm64_7_0_ops, ARM64_COMMON, .kernel = "7.0",
		.models = "arch/arm64/include/asm/pgtable.h (v7.0), "
			  "arch/arm64/mm/pageattr.c (update_range_prot)",
		.lazy = SIM_LAZY_NESTING, .set_pte_at = set_pte_at_70,
		.set_ptes = set_ptes_70, ARM64_FLUSH_MM,
		.set_table_entry = set_table_entry_70,
		.arch_enter_lazy_mmu_mode = arch_enter_70,
		.arch_leave_lazy_mmu_mode = arch_leave_70,
		.arch_flush_lazy_mmu_mode = arch_flush_70,
		.kernel_map_pages = kernel_map_pages_70);
