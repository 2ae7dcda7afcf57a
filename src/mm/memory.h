/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The kernel's mm services that other kernel code calls, arch code
 * included: apply_to_page_range() (mm/memory.c), the page-table locks and
 * pte_offset_map_lock() (include/linux/mm.h, mm/pgtable-generic.c), VMAs
 * (mm/mmap.c).
 *
 * The rule: an architecture model (src/arch/) may include this header, as
 * the kernel's arch code calls these; it never includes src/mm/mm.h (the
 * callers that open sections, and the workloads). Everything declared here
 * uses only the machine and the arch primitives.
 */
#ifndef _LAZYMMU_MM_MEMORY_H
#define _LAZYMMU_MM_MEMORY_H

#include "sim/sim.h"

/* ---- mm/memory.c ------------------------------------------------------------ */

typedef int (*pte_fn_t)(pte_t *ptep, unsigned long addr, void *data);
int apply_to_page_range(struct mm_struct *mm, unsigned long addr,
			unsigned long size, pte_fn_t fn, void *data);
int apply_to_existing_page_range(struct mm_struct *mm, unsigned long addr,
				 unsigned long size, pte_fn_t fn, void *data);
/* The same walks with no lazy MMU section (--fix nolazy-apply). */
int apply_to_page_range_nolazy(struct mm_struct *mm, unsigned long addr,
			       unsigned long size, pte_fn_t fn, void *data);
int apply_to_existing_page_range_nolazy(struct mm_struct *mm,
					unsigned long addr, unsigned long size,
					pte_fn_t fn, void *data);

/* ---- page-table locks (include/linux/mm.h, mm/pgtable-generic.c) ---------- */

/*
 * pmd_off() - the pmd entry of @addr in @mm: an entry at level 1 (NULL if
 * an upper table is missing). The PTE table it points to is the one
 * pte_offset_map_lock() locks.
 */
pte_t *pmd_off(struct mm_struct *mm, unsigned long addr);

/* The split PTE lock of the PTE table @pmd points to (its ptdesc's). */
spinlock_t *pte_lockptr(struct mm_struct *mm, pte_t *pmd);

/* The pmd level has no split lock here: mm->page_table_lock. */
spinlock_t *pmd_lockptr(struct mm_struct *mm, pte_t *pmd);
spinlock_t *pmd_lock(struct mm_struct *mm, pte_t *pmd);

/*
 * pte_offset_map_lock() - the PTE of @addr in the table @pmd points to,
 * with that table's lock held (*@ptlp). NULL, no lock held, if @pmd maps
 * no table. Must be paired with pte_unmap_unlock().
 */
pte_t *pte_offset_map_lock(struct mm_struct *mm, pte_t *pmd, unsigned long addr,
			   spinlock_t **ptlp);
void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl);

/*
 * pte_alloc_map_lock() - as pte_offset_map_lock(), allocating the PTE
 * table (and the tables above it) first if missing (__pte_alloc(): the
 * new table is installed under pmd_lock()). NULL if out of memory.
 */
pte_t *pte_alloc_map_lock(struct mm_struct *mm, unsigned long addr,
			  spinlock_t **ptlp);

/* ---- VMAs (mm/mmap.c) ------------------------------------------------------- */

/*
 * An mm's VMAs are a list sorted by address (struct vm_area_struct in
 * src/sim/sim.h). The kernel changes it under mmap_lock; these helpers
 * reach no scheduling point, so each is atomic in the machine.
 */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
void vm_area_free(struct vm_area_struct *vma);
/* Link @vma into its mm; -ENOMEM if it overlaps a VMA or is empty. */
int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma);
/* Unlink @vma from @mm (the caller frees it). */
void __vma_unlink_list(struct mm_struct *mm, struct vm_area_struct *vma);
/* The first VMA that ends after @addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
/* The VMA that contains @addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
/* The first VMA that intersects [@start, @end), or NULL. */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end);
/* vm_get_page_prot(): the PTE bits of a user mapping with @vm_flags. */
pte_t vm_get_page_prot(unsigned long vm_flags);
/*
 * sim_vma_add() - a VMA for [@start, @end) with @vm_flags, linked into
 * @mm (what mmap() leaves behind, without populating it). NULL if it
 * overlaps another.
 */
struct vm_area_struct *sim_vma_add(struct mm_struct *mm, unsigned long start,
				   unsigned long end, unsigned long vm_flags);

#endif /* _LAZYMMU_MM_MEMORY_H */
