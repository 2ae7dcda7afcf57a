// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * mprotect(): mm/mprotect.c do_mprotect_pkey() → mprotect_fixup() →
 * change_protection() → change_pte_range() (v6.16 .. v7.1). The caller
 * gathers (tlb_gather_mmu()); per PTE table, under its lock: one lazy MMU
 * section in which each present entry is taken with
 * ptep_modify_prot_start(), changed (pte_modify()) and put back with
 * ptep_modify_prot_commit(), and its range recorded in the gather
 * (tlb_flush_pte_range(): pte_needs_flush() is true on arm64, which does
 * not define it); leave, unlock. The TLB flush is tlb_finish_mmu()'s, in
 * do_mprotect_pkey() after every VMA, with no PTL held.
 *
 * Not modelled: NUMA hinting and uffd-wp, the VMA split and merge (only
 * whole VMAs change), the batching of v6.19+ (modify_prot_start_ptes()).
 */
#include "mm/mm.h"
#include "sim/arch.h"

/* pte_modify(): the frame and state bits kept, the permission replaced */
static pte_t pte_modify(pte_t pte, pte_t newprot)
{
	return (pte & ~PTE_RDONLY) | (newprot & PTE_RDONLY);
}

static void change_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			     pte_t *pmd, unsigned long addr, unsigned long end,
			     pte_t newprot)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);

	if (!pte)
		return;
	/* flush_tlb_batched_pending(): nothing pending (no reclaim) */
	lazy_mmu_mode_enable_with_ptes(vma->vm_mm, addr, end, pte);
	do {
		pte_t oldpte = ptep_get(pte), ptent;

		if (!pte_present(oldpte))
			continue;
		oldpte = ptep_modify_prot_start(vma, addr, pte);
		ptent = pte_modify(oldpte, newprot);
		ptep_modify_prot_commit(vma, addr, pte, oldpte, ptent);
		tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
	} while (pte++, addr += PAGE_SIZE, addr != end);
	lazy_mmu_mode_disable();
	pte_unmap_unlock(pte, ptl);
}

/* change_protection(): each PTE table of [@start, @end) of @vma */
static void change_protection(struct mmu_gather *tlb,
			      struct vm_area_struct *vma, unsigned long start,
			      unsigned long end)
{
	for (unsigned long addr = start, next; addr != end; addr = next) {
		pte_t *pmd = pmd_off(vma->vm_mm, addr);

		next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);
		if (next > end)
			next = end;
		if (pmd && pte_valid(*pmd))
			change_pte_range(tlb, vma, pmd, addr, next,
					 vma->vm_page_prot);
		cond_resched();
	}
}

int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		unsigned long vm_flags)
{
	unsigned long end = start + len;
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, mm);
	for (struct vm_area_struct *vma = find_vma_intersection(mm, start, end);
	     vma && vma->vm_start < end; vma = vma->vm_next) {
		/* mprotect_fixup(): the VMA's flags first, then the PTEs */
		vma->vm_flags = vm_flags;
		vma->vm_page_prot = vm_get_page_prot(vm_flags);
		change_protection(&tlb, vma,
				  vma->vm_start > start ? vma->vm_start : start,
				  vma->vm_end < end ? vma->vm_end : end);
	}
	tlb_finish_mmu(&tlb);
	return 0;
}

/* The mprotect workload: make the VMA read-only; each page then reads its
 * data, and a write faults (SIGSEGV, expected). */
static void mprotect_path(struct mm_struct *mm, unsigned long pages)
{
	do_mprotect(mm, LMM_USER_BASE, pages * PAGE_SIZE, VM_READ);
	lmm_user_check("mprotect", LMM_USER_BASE, LMM_USER_BASE, pages, true,
		       false);
}

void mprotect_task(void *arg)
{
	const struct lmm_workload_params *p = arg;

	lmm_user_task(p->pages, VM_READ | VM_WRITE, mprotect_path);
}
