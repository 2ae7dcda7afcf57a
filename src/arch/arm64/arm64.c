// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * arm64: arch/arm64/include/asm/pgtable.h, arch/arm64/mm/pageattr.c,
 * arch/arm64/kernel/process.c, arch/arm64/include/asm/tlbflush.h, as in
 * v6.16 (5fdd05efa1cd batching, b81c688426a9 no batching in interrupts,
 * 1ef3095b1405 nesting tolerated) and v7.0 (4dd9b4d7a8d5 on the generic
 * nesting layer).
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
 * @nr stores of consecutive frames from @pte, followed by one
 * queue_pte_barriers() if @barriers: __set_ptes_anysz() stores every entry
 * and then calls __set_pte_complete() once (f89b399e8d6e, v6.16; v7.0).
 * Walkers may miss a newly valid entry until the barriers: right after the
 * stores, or when the section is flushed. Nothing the stores' scheduling
 * points may run (an interrupt, another task) changes this task's mode, so
 * @deferring is asked once.
 */
static void set_entries(pte_t *ptep, pte_t pte, unsigned long addr,
			unsigned int nr, bool barriers, bool (*deferring)(void))
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
	/* set_pmd() / set_pud() / set_p4d(): any valid entry */             \
	static void set_table_entry_##v(pte_t *ptep, pte_t entry, int level, \
					unsigned long addr)                  \
	{                                                                    \
		(void)level;                                                 \
		set_entries(ptep, entry, addr, 1, pte_valid(entry),          \
			    deferring_##v);                                  \
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
	 * section runs unbatched.
	 */
	if (in_interrupt())
		return;
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

/* MAX_DVM_OPS: above this many pages a range becomes a full flush */
#define MAX_DVM_OPS PTRS_PER_TABLE

static void arm64_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	dsb("dsb ishst");
	if ((end - start) >> PAGE_SHIFT > MAX_DVM_OPS) {
		sim_tlb_inval_all(-1); /* tlbi vmalle1is */
	} else {
		for (unsigned long a = start; a < end; a += PAGE_SIZE)
			sim_tlb_inval_page(-1, a, TLB_ASID_ALL); /* vaale1is */
	}
	dsb("dsb ish");
	isb();
}

static void arm64_flush_tlb_range(struct mm_struct *mm, unsigned long start,
				  unsigned long end)
{
	dsb("dsb ishst");
	if ((end - start) >> PAGE_SHIFT > MAX_DVM_OPS) {
		sim_tlb_inval_all(-1); /* tlbi aside1is */
	} else {
		for (unsigned long a = start; a < end; a += PAGE_SIZE)
			sim_tlb_inval_page(-1, a, mm->asid); /* vale1is */
	}
	dsb("dsb ish");
}

/* flush_tlb_mm(): dsb ishst; tlbi aside1is (the mm's ASID); dsb ish */
static void arm64_flush_tlb_mm(struct mm_struct *mm)
{
	dsb("dsb ishst");
	sim_tlb_inval_asid(-1, mm->asid);
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
 * __switch_to(): its dsb(ish) makes the outgoing task's table stores
 * visible to every walker. No isb: the owed one stays recorded in the
 * task's TIF_LAZY_MMU_PENDING and is emitted when it next flushes, on
 * whatever CPU, before it uses the addresses (Roberts, v4 11/11). The
 * CPU itself leaves the task's context, so nothing it speculated for the
 * task survives: the model treats the switch as synchronising this CPU.
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
	sim_pt_sync(smp_processor_id());
}

/* An exception return (eret) is context-synchronising, like an isb. */
static void arm64_exception_return(void)
{
	sim_pt_sync(smp_processor_id());
}

/*
 * is_spurious_el1_translation_fault(): the fault handler asks the MMU
 * (AT S1E1R) whether the address translates now; if it does, the fault was
 * the walker not yet seeing a valid entry, and the access is retried.
 */
static bool arm64_spurious_fault(unsigned long addr)
{
	pte_t *ptep;

	if (addr < PAGE_OFFSET)
		return false;
	ptep = sim_walk(&sim_this->init_mm, addr, 0, false);
	return ptep && pte_valid(*ptep);
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

/* v6.16: __change_memory_common() → apply_to_page_range(), then flush. */
static void kernel_map_pages_616(unsigned long pfn, int n, bool enable)
{
	unsigned long start = sim_linear_addr(pfn);
	unsigned long size = (unsigned long)n << PAGE_SHIFT;

	apply_to_page_range(&sim_this->init_mm, start, size, change_page_range,
			    &enable);
	flush_tlb_kernel_range(start, start + size);
}

/* v7.0: update_range_prot() opens its own section around the walk. */
static void kernel_map_pages_70(unsigned long pfn, int n, bool enable)
{
	unsigned long start = sim_linear_addr(pfn);
	unsigned long size = (unsigned long)n << PAGE_SHIFT;

	lazy_mmu_mode_enable();
	for (unsigned long a = start; a < start + size; a += PAGE_SIZE) {
		pte_t *ptep = sim_walk(&sim_this->init_mm, a, 0, false);

		if (ptep)
			change_page_range(ptep, a, &enable);
	}
	lazy_mmu_mode_disable();
	flush_tlb_kernel_range(start, start + size);
}

#define ARM64_COMMON                                            \
	.name = "arm64", .ptep_get = arm64_ptep_get,            \
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
