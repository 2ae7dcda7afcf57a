// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The arch primitives as kernel code calls them, dispatched to the model of
 * the running machine, and the generic defaults a model leaves NULL: x86
 * native behaviour (arch/x86/include/asm/pgtable.h, arch/x86/mm/tlb.c,
 * arch/x86/mm/pat/set_memory.c): a store is seen by every walker at once,
 * and there is no lazy MMU mode.
 */
#include "sim/arch.h"
#include "sim/sim.h"

#define ARCH_OP(op) (sim_this->arch->op ? sim_this->arch->op : generic_##op)

/* x86: above this many pages a range flush becomes a full flush */
#define TLB_SINGLE_PAGE_FLUSH_CEILING 33

void sim_barrier(const char *insn)
{
	struct sim_event ev = { .type = SIM_EV_BARRIER, .what = insn };

	/* a barrier changes what other CPUs' walkers see */
	sim_sched_point_touch(SIM_TOUCH_BARRIER, NULL);
	sim_emit(&ev);
}

/* Deferred work of a section is paid now (one flush of a batch). */
void sim_batch_flush(const char *what)
{
	struct sim_event ev = { .type = SIM_EV_BATCH_FLUSH, .what = what };

	sim_emit(&ev);
}

static void tlb_flush_call(const char *what, unsigned long start,
			   unsigned long end)
{
	struct sim_event ev = { .type = SIM_EV_TLB_FLUSH_CALL, .what = what };

	ev.addr = start;
	ev.arg = (long)((end - start) >> PAGE_SHIFT);
	sim_emit(&ev);
}

void set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		pte_t pte)
{
	ARCH_OP(set_pte_at)(mm, addr, ptep, pte);
}

pte_t ptep_get(pte_t *ptep)
{
	return ARCH_OP(ptep_get)(ptep);
}

pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	return ARCH_OP(ptep_get_and_clear)(mm, addr, ptep);
}

void set_table_entry(pte_t *ptep, pte_t entry, int level, unsigned long addr)
{
	ARCH_OP(set_table_entry)(ptep, entry, level, addr);
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	tlb_flush_call("flush_tlb_kernel_range", start, end);
	ARCH_OP(flush_tlb_kernel_range)(start, end);
}

void flush_tlb_range(struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	tlb_flush_call("flush_tlb_range", start, end);
	ARCH_OP(flush_tlb_range)(mm, start, end);
}

void __kernel_map_pages(unsigned long pfn, int n, bool enable)
{
	ARCH_OP(kernel_map_pages)(pfn, n, enable);
}

/* ---- x86 native ------------------------------------------------------------ */

void generic_set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
			pte_t pte)
{
	(void)mm;
	sim_pt_write(ptep, pte, addr, SIM_PT_SEEN);
}

pte_t generic_ptep_get(pte_t *ptep)
{
	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	return *ptep;
}

pte_t generic_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				 pte_t *ptep)
{
	pte_t old = *ptep;

	(void)mm;
	sim_pt_write(ptep, 0, addr, SIM_PT_SEEN);
	return old;
}

void generic_set_table_entry(pte_t *ptep, pte_t entry, int level,
			     unsigned long addr)
{
	(void)level;
	sim_pt_write(ptep, entry, addr, SIM_PT_SEEN);
}

static void flush_range(unsigned long start, unsigned long end, uint16_t asid)
{
	if ((end - start) >> PAGE_SHIFT > TLB_SINGLE_PAGE_FLUSH_CEILING) {
		sim_tlb_inval_all(-1);
		return;
	}
	for (unsigned long a = start; a < end; a += PAGE_SIZE)
		sim_tlb_inval_page(-1, a, asid);
}

void generic_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	flush_range(start, end, TLB_ASID_ALL);
}

void generic_flush_tlb_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end)
{
	flush_range(start, end, mm->asid);
}

/*
 * __kernel_map_pages() on x86: __set_pages_p()/__set_pages_np() rewrite the
 * linear-map PTEs, then only the local TLB is flushed (flushing other CPUs
 * could deadlock, says the kernel's comment).
 */
void generic_kernel_map_pages(unsigned long pfn, int n, bool enable)
{
	for (int i = 0; i < n; i++) {
		unsigned long addr = sim_linear_addr(pfn + i);
		pte_t *ptep = sim_walk(&sim_this->init_mm, addr, 0, false);

		if (ptep)
			set_pte_at(&sim_this->init_mm, addr, ptep,
				   pfn_pte(pfn + i,
					   enable ? PAGE_KERNEL :
						    PAGE_KERNEL & ~PTE_VALID));
	}
	sim_tlb_inval_all(smp_processor_id());
}
