// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The arch primitives as kernel code calls them, dispatched to the model of
 * the running machine, and the generic defaults a model leaves NULL: x86
 * native behaviour (arch/x86/include/asm/pgtable.h, arch/x86/mm/tlb.c,
 * arch/x86/mm/pat/set_memory.c): a store is seen by every walker at once,
 * and there is no lazy MMU mode.
 */
#define SIM_NO_SITES /* the machine: its calls keep the model's site */
#include "sim/arch.h"
#include "sim/sim.h"

#define ARCH_OP(op) (sim_this->arch->op ? sim_this->arch->op : generic_##op)

/* x86: above this many pages a range flush becomes a full flush */
#define TLB_SINGLE_PAGE_FLUSH_CEILING 33

void sim_barrier(const char *insn)
{
	/* a barrier changes what other CPUs' walkers see */
	sim_sched_point_touch(SIM_TOUCH_BARRIER, NULL);
	if (!sim_count_in_place(sim_this, SIM_EV_BARRIER)) {
		struct sim_event ev = { .type = SIM_EV_BARRIER, .what = insn };

		sim_emit(&ev);
	}
}

/* Deferred work of a section is paid now (one flush of a batch). */
void sim_batch_flush(const char *what)
{
	struct sim_event ev = { .type = SIM_EV_BATCH_FLUSH, .what = what };

	sim_emit(&ev);
}

void sim_deferred_queued(const char *what, const void *queue, pte_t *ptep,
			 unsigned long addr, pte_t value, long n)
{
	struct sim_event ev = { .type = SIM_EV_DEFERRED_QUEUED, .what = what };

	ev.obj = queue;
	ev.ptep = ptep;
	ev.addr = addr;
	ev.old = ptep ? *ptep : 0;
	ev.new = value;
	ev.arg = n;
	sim_emit(&ev);
}

void sim_deferred_paid(const char *what, const void *queue, long n)
{
	struct sim_event ev = { .type = SIM_EV_DEFERRED_PAID, .what = what };

	ev.obj = queue;
	ev.arg = n;
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

/* set_ptes(): @nr >= 1 entries mapping @nr consecutive frames from @pte. */
void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte,
	      unsigned int nr)
{
	if (nr)
		ARCH_OP(set_ptes)(mm, addr, ptep, pte, nr);
}

/* Every model's ptep_get() is seen: the value the kernel read. */
pte_t ptep_get(pte_t *ptep)
{
	struct sim_event ev = { .type = SIM_EV_PTE_READ };
	pte_t pte = ARCH_OP(ptep_get)(ptep);

	ev.ptep = ptep;
	ev.old = pte;
	ev.new = pte;
	sim_emit(&ev);
	return pte;
}

pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	return ARCH_OP(ptep_get_and_clear)(mm, addr, ptep);
}

void pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	ARCH_OP(pte_clear)(mm, addr, ptep);
}

void ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	ARCH_OP(ptep_set_wrprotect)(mm, addr, ptep);
}

pte_t ptep_modify_prot_start(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep)
{
	return ARCH_OP(ptep_modify_prot_start)(vma, addr, ptep);
}

void ptep_modify_prot_commit(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep, pte_t old_pte, pte_t pte)
{
	ARCH_OP(ptep_modify_prot_commit)(vma, addr, ptep, old_pte, pte);
}

pte_t ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
		       pte_t *ptep)
{
	return ARCH_OP(ptep_clear_flush)(vma, addr, ptep);
}

void set_table_entry(pte_t *ptep, pte_t entry, int level, unsigned long addr)
{
	ARCH_OP(set_table_entry)(ptep, entry, level, addr);
}

void clear_table_entry(pte_t *ptep, int level, unsigned long addr)
{
	ARCH_OP(clear_table_entry)(ptep, level, addr);
}

/* The kernel's set_pmd() has no address; ours takes it for the events. */
void set_pmd(pte_t *pmdp, pte_t pmd, unsigned long addr)
{
	set_table_entry(pmdp, pmd, 1, addr);
}

void pmd_clear(pte_t *pmdp, unsigned long addr)
{
	clear_table_entry(pmdp, 1, addr);
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

void flush_tlb_mm(struct mm_struct *mm)
{
	tlb_flush_call("flush_tlb_mm", 0, USER_TOP);
	ARCH_OP(flush_tlb_mm)(mm);
}

void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	addr &= ~(PAGE_SIZE - 1);
	tlb_flush_call("flush_tlb_page", addr, addr + PAGE_SIZE);
	ARCH_OP(flush_tlb_page)(vma, addr);
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

/*
 * set_ptes() of include/linux/pgtable.h (v6.16, v7.0), which an arch
 * without its own uses: set_pte() per entry, the frame advancing by one
 * (pte_next_pfn()). Each entry is the model's set_pte_at(); the loop opens
 * no lazy section (it did until "mm: fix lazy mmu docs and usage", Ryan
 * Roberts, v6.15).
 */
void generic_set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		      pte_t pte, unsigned int nr)
{
	for (;;) {
		set_pte_at(mm, addr, ptep, pte);
		if (--nr == 0)
			break;
		ptep++;
		addr += PAGE_SIZE;
		pte = pte_next_pfn(pte);
	}
}

/* native_ptep_get_and_clear() (asm/pgtable_64.h, SMP): xchg(ptep, 0) */
pte_t generic_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				 pte_t *ptep)
{
	(void)mm;
	return sim_pt_xchg(ptep, 0, addr, SIM_PT_SEEN);
}

/*
 * ptep_clear_flush() (mm/pgtable-generic.c): ptep_get_and_clear(), then
 * flush_tlb_page() if the old entry could be cached (pte_accessible()).
 */
pte_t generic_ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
			       pte_t *ptep)
{
	pte_t pte = ptep_get_and_clear(vma->vm_mm, addr, ptep);

	if (pte_valid(pte))
		flush_tlb_page(vma, addr);
	return pte;
}

/* native_pte_clear(): a plain store of 0 */
void generic_pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	(void)mm;
	sim_pt_write(ptep, 0, addr, SIM_PT_SEEN);
}

/*
 * ptep_set_wrprotect() (arch/x86/include/asm/pgtable.h, since v6.6
 * 75c1d1854306): READ_ONCE(), then a try_cmpxchg() loop applying
 * pte_wrprotect(), which retries with the value it found. Another CPU may
 * step between the read and the cmpxchg: its update is kept, never
 * overwritten by a stale one. arm64's __ptep_set_wrprotect() is the same
 * loop (cmpxchg_relaxed).
 */
void generic_ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr,
				pte_t *ptep)
{
	pte_t old, cur;

	(void)mm;
	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	old = *ptep;
	while ((cur = sim_pt_cmpxchg(ptep, old, pte_wrprotect(old), addr,
				     SIM_PT_SEEN)) != old)
		old = cur;
}

/*
 * __ptep_modify_prot_start() / __ptep_modify_prot_commit()
 * (include/linux/pgtable.h): the entry is cleared atomically, so hardware
 * A/D updates cannot be lost while the caller computes the new value, then
 * set again. x86 native and arm64 (arch/arm64/mm/mmu.c, erratum 2645198
 * aside) use these.
 */
pte_t generic_ptep_modify_prot_start(struct vm_area_struct *vma,
				     unsigned long addr, pte_t *ptep)
{
	return ptep_get_and_clear(vma->vm_mm, addr, ptep);
}

void generic_ptep_modify_prot_commit(struct vm_area_struct *vma,
				     unsigned long addr, pte_t *ptep,
				     pte_t old_pte, pte_t pte)
{
	(void)old_pte;
	set_pte_at(vma->vm_mm, addr, ptep, pte);
}

/* native_set_pmd() / native_set_pud(): a plain store */
void generic_set_table_entry(pte_t *ptep, pte_t entry, int level,
			     unsigned long addr)
{
	(void)level;
	sim_pt_write(ptep, entry, addr, SIM_PT_SEEN);
}

/* native_pmd_clear() / native_pud_clear(): a plain store of 0 */
void generic_clear_table_entry(pte_t *ptep, int level, unsigned long addr)
{
	(void)level;
	sim_pt_write(ptep, 0, addr, SIM_PT_SEEN);
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
 * flush_tlb_mm() → flush_tlb_mm_range(mm, 0, TLB_FLUSH_ALL): every entry
 * of the mm's address space (its ASID), on every CPU; other address spaces
 * and global kernel entries stay.
 */
void generic_flush_tlb_mm(struct mm_struct *mm)
{
	sim_tlb_inval_asid(-1, mm->asid);
}

/* flush_tlb_page() → flush_tlb_mm_range(mm, addr, addr + PAGE_SIZE) */
void generic_flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	flush_range(addr, addr + PAGE_SIZE, vma->vm_mm->asid);
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
