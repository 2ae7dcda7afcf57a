// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * mremap(): mm/mremap.c move_vma() → move_page_tables() → move_ptes()
 * (v6.16 .. v7.1). Per PTE table: the new table allocated, the old PTL
 * taken and the new one nested (if another table); one lazy MMU section
 * in which each entry is cleared at the old address
 * (ptep_get_and_clear()) and set at the new one (set_pte_at()), a present
 * one forcing a flush; leave; then, still under both PTLs,
 * flush_tlb_range() of the old range; unlock the new, then the old.
 *
 * Not modelled: the pmd-level moves (move_normal_pmd()), the VMA merge,
 * the munmap of the old VMA's range (its PTEs are empty by then: the
 * model unlinks the VMA), soft-dirty and uffd bits.
 */
#include "mm/mm.h"
#include "sim/arch.h"

static void move_ptes(struct vm_area_struct *vma, pte_t *old_pmd,
		      unsigned long old_addr, unsigned long old_end,
		      pte_t *new_pmd, unsigned long new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long len = old_end - old_addr;
	spinlock_t *old_ptl, *new_ptl;
	pte_t *old_pte, *new_pte;
	bool force_flush = false;

	old_pte = pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
	if (!old_pte)
		return;
	/* pte_offset_map_rw_nolock() of the new table, then its lock */
	new_pte = &sim_table_of(*new_pmd)[pt_index(new_addr, 0)];
	new_ptl = pte_lockptr(mm, new_pmd);
	if (new_ptl != old_ptl)
		spin_lock(new_ptl); /* spin_lock_nested() */
	/* flush_tlb_batched_pending(): nothing pending (no reclaim) */
	lazy_mmu_mode_enable_with_ptes(mm, old_addr, old_end, old_pte);
	for (; old_addr < old_end; old_pte++, old_addr += PAGE_SIZE, new_pte++,
				   new_addr += PAGE_SIZE) {
		pte_t pte;

		if (pte_none(ptep_get(old_pte)))
			continue;
		pte = ptep_get_and_clear(mm, old_addr, old_pte);
		if (pte_present(pte))
			force_flush = true;
		/* move_pte(), move_soft_dirty_pte(): nothing to change */
		set_pte_at(mm, new_addr, new_pte, pte);
	}
	lazy_mmu_mode_disable();
	if (force_flush)
		flush_tlb_range(mm, old_end - len, old_end);
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	pte_unmap_unlock(old_pte - 1, old_ptl);
}

/* The end of the PTE table @addr is in, or @end. */
static unsigned long table_end(unsigned long addr, unsigned long end)
{
	unsigned long next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);

	return next < end ? next : end;
}

unsigned long do_mremap(struct mm_struct *mm, unsigned long old_addr,
			unsigned long len, unsigned long new_addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, old_addr), *new_vma;
	unsigned long old_end = old_addr + len, extent;

	if (!vma || vma->vm_start != old_addr || vma->vm_end != old_end)
		return -22UL; /* -EINVAL: whole VMAs only */
	new_vma = sim_vma_add(mm, new_addr, new_addr + len, vma->vm_flags);
	if (!new_vma)
		return -12UL; /* -ENOMEM */
	/* move_page_tables(): extents that stay in one table at both ends */
	for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
		unsigned long o = table_end(old_addr, old_end);
		unsigned long n = table_end(new_addr, new_addr + len);
		pte_t *old_pmd = pmd_off(mm, old_addr), *new_pmd;

		extent = o - old_addr;
		if (n - new_addr < extent)
			extent = n - new_addr;
		cond_resched();
		if (!old_pmd || !pte_valid(*old_pmd))
			continue;
		/* alloc_new_pmd() and pte_alloc(): outside the section */
		if (!sim_walk(mm, new_addr, 0, true))
			return -12UL;
		new_pmd = pmd_off(mm, new_addr);
		move_ptes(vma, old_pmd, old_addr, old_addr + extent, new_pmd,
			  new_addr);
	}
	__vma_unlink_list(mm, vma);
	vm_area_free(vma);
	return new_vma->vm_start;
}

/* The mremap workload: move the VMA; the data is at the new address,
 * writable, and the old range faults (SIGSEGV, expected). */
static void mremap_path(struct mm_struct *mm, unsigned long pages)
{
	if (do_mremap(mm, LMM_USER_BASE, pages * PAGE_SIZE, LMM_USER_MOVED) !=
	    LMM_USER_MOVED) {
		sim_report("bad-access", "%s: mremap failed", current->comm);
		return;
	}
	lmm_user_check("mremap: new", LMM_USER_MOVED, LMM_USER_BASE, pages,
		       true, true);
	lmm_user_check("mremap: old", LMM_USER_BASE, LMM_USER_BASE, pages,
		       false, false);
}

void mremap_task(void *arg)
{
	const struct lmm_workload_params *p = arg;

	lmm_user_task(p->pages, VM_READ | VM_WRITE, mremap_path);
}
