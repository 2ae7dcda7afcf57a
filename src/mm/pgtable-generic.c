// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The page-table locks: include/linux/mm.h (pte_lockptr(), pmd_lock(),
 * pte_offset_map_lock(), pte_unmap_unlock(), v6.16 .. v7.1) and
 * mm/pgtable-generic.c (__pte_offset_map_lock(), v6.5+). With
 * USE_SPLIT_PTE_PTLOCKS each PTE table has its own spinlock in its ptdesc
 * (struct page here); the pmd level and above take mm->page_table_lock
 * (no split pmd locks: they need huge pmds, which are not modelled).
 */
#include "mm/memory.h"
#include "sim/arch.h"

pte_t *pmd_off(struct mm_struct *mm, unsigned long addr)
{
	return sim_walk(mm, addr, 1, false);
}

spinlock_t *pte_lockptr(struct mm_struct *mm, pte_t *pmd)
{
	(void)mm;
	return &pfn_to_page(pte_pfn(*pmd))->ptl;
}

spinlock_t *pmd_lockptr(struct mm_struct *mm, pte_t *pmd)
{
	(void)pmd;
	return &mm->page_table_lock;
}

spinlock_t *pmd_lock(struct mm_struct *mm, pte_t *pmd)
{
	spinlock_t *ptl = pmd_lockptr(mm, pmd);

	spin_lock(ptl);
	return ptl;
}

/*
 * __pte_offset_map_lock(): read the pmd locklessly, lock the table it
 * points to, and retry if the pmd changed meanwhile (the table was freed
 * or replaced by another CPU). The lockless read is a step of its own.
 */
pte_t *pte_offset_map_lock(struct mm_struct *mm, pte_t *pmd, unsigned long addr,
			   spinlock_t **ptlp)
{
	for (;;) {
		pte_t pmdval;
		spinlock_t *ptl;

		sim_sched_point_touch(SIM_TOUCH_PTE_READ, pmd);
		pmdval = *pmd; /* pmdp_get_lockless() */
		if (!pte_valid(pmdval) || !(pmdval & PTE_TABLE))
			return NULL;
		ptl = pte_lockptr(mm, &pmdval);
		spin_lock(ptl);
		if (*pmd == pmdval) {
			*ptlp = ptl;
			return &sim_table_of(pmdval)[pt_index(addr, 0)];
		}
		spin_unlock(ptl);
	}
}

void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	(void)pte;
	spin_unlock(ptl);
}

pte_t *pte_alloc_map_lock(struct mm_struct *mm, unsigned long addr,
			  spinlock_t **ptlp)
{
	pte_t *pmd;

	/* __pte_alloc() → pmd_install() under pmd_lock(): sim_walk() */
	if (!sim_walk(mm, addr, 0, true))
		return NULL;
	pmd = pmd_off(mm, addr);
	return pmd ? pte_offset_map_lock(mm, pmd, addr, ptlp) : NULL;
}
