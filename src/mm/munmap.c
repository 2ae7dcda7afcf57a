// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * munmap(): mm/vma.c do_vmi_munmap() → vms_complete_munmap_vmas() →
 * unmap_region() (tlb_gather_mmu(), unmap_vmas(), tlb_finish_mmu()) and
 * mm/memory.c zap_pte_range() (v6.16 .. v7.1, the v6.14+ shape). Per PTE
 * table, under its lock: one lazy MMU section in which every present entry
 * is cleared (ptep_get_and_clear_full()), its range recorded and its page
 * queued in the mmu_gather (__tlb_remove_folio_pages(), which may take a
 * GFP_NOWAIT batch page, inside the section); leave; if the gather was
 * full (force_flush), tlb_flush_mmu_tlbonly() while the PTL is still held,
 * unlock, tlb_flush_mmu() (frees the pages), and go on with the rest of the
 * table. The last flush and the frees are tlb_finish_mmu()'s. Both TLB
 * flush and page frees come after the section.
 *
 * Not modelled: page-table freeing (free_pgtables()), rss, rmaps, the
 * split of a VMA in the middle (only whole VMAs, or a range at either
 * end, are unmapped).
 */
#include "mm/mm.h"
#include "sim/arch.h"

static unsigned long zap_pte_range(struct mmu_gather *tlb,
				   struct vm_area_struct *vma, pte_t *pmd,
				   unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = tlb->mm;
	bool force_flush = false;
	spinlock_t *ptl;
	pte_t *start_pte, *pte;

	start_pte = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return end;
	(void)vma;
	/* flush_tlb_batched_pending(): nothing pending (no reclaim) */
	lazy_mmu_mode_enable_with_ptes(mm, addr, end, start_pte);
	do {
		pte_t ptent = ptep_get(pte);
		unsigned long pfn;

		if (pte_none(ptent))
			continue;
		if (!pte_present(ptent)) {
			/* zap_nonpresent_ptes(): a swap entry goes */
			pte_clear(mm, addr, pte);
			continue;
		}
		/* zap_present_ptes() → zap_present_folio_ptes() */
		ptent = ptep_get_and_clear(mm, addr, pte);
		pfn = pte_pfn(ptent);
		tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
		if (pfn_to_page(pfn)->mapcount)
			pfn_to_page(pfn)->mapcount--;
		if (__tlb_remove_folio_pages(tlb, pfn, 1)) {
			force_flush = true;
			addr += PAGE_SIZE;
			break;
		}
	} while (pte++, addr += PAGE_SIZE, addr != end);
	lazy_mmu_mode_disable();
	/* tlb_flush_rmaps() would go here too, under the PTL */
	if (force_flush)
		tlb_flush_mmu_tlbonly(tlb);
	pte_unmap_unlock(start_pte, ptl);
	if (force_flush)
		tlb_flush_mmu(tlb);
	return addr;
}

/* unmap_page_range() down to zap_pmd_range(): each PTE table, retried */
static void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			     unsigned long addr, unsigned long end)
{
	unsigned long next;

	for (; addr != end; addr = next) {
		pte_t *pmd = pmd_off(tlb->mm, addr);

		next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);
		if (next > end)
			next = end;
		if (!pmd || !pte_valid(*pmd))
			continue;
		/* zap_pmd_range(): "if (addr != next) goto retry" */
		for (unsigned long a = addr; a != next;)
			a = zap_pte_range(tlb, vma, pmd, a, next);
		cond_resched();
	}
}

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long end = start + len;
	struct vm_area_struct *vma = find_vma_intersection(mm, start, end);
	struct mmu_gather tlb;

	if (!vma)
		return 0;
	if (vma->vm_start < start && vma->vm_end > end)
		return -22; /* -EINVAL: a split in the middle, not modelled */
	/* unmap_region() */
	tlb_gather_mmu(&tlb, mm);
	for (struct vm_area_struct *v = vma; v && v->vm_start < end;
	     v = v->vm_next)
		unmap_page_range(&tlb, v,
				 v->vm_start > start ? v->vm_start : start,
				 v->vm_end < end ? v->vm_end : end);
	tlb_finish_mmu(&tlb);
	/* the VMAs go, or shrink */
	while (vma && vma->vm_start < end) {
		struct vm_area_struct *next = vma->vm_next;

		if (vma->vm_start >= start && vma->vm_end <= end) {
			__vma_unlink_list(mm, vma);
			vm_area_free(vma);
		} else if (vma->vm_start < start) {
			vma->vm_end = start;
		} else {
			vma->vm_start = end;
		}
		vma = next;
	}
	return 0;
}

/*
 * The munmap workload: unmap every page of the VMA; afterwards every
 * address faults (SIGSEGV, expected) and every page is back in the
 * allocator, with the gather's batch pages.
 */
static void munmap_path(struct mm_struct *mm, unsigned long pages)
{
	unsigned long *pfns = kcalloc(pages, sizeof(*pfns), GFP_KERNEL);
	unsigned long i, freed = 0;

	/* the frames mapped now: each must be free afterwards */
	for (i = 0; i < pages; i++) {
		pte_t *pte =
			sim_walk(mm, LMM_USER_BASE + i * PAGE_SIZE, 0, false);

		pfns[i] = pte && pte_present(*pte) ? pte_pfn(*pte) : 0;
	}
	do_munmap(mm, LMM_USER_BASE, pages * PAGE_SIZE);
	for (i = 0; i < pages; i++)
		freed += pfns[i] && sim_frame_free(pfns[i]);
	if (freed != pages)
		sim_report("bad-access", "%s: munmap freed %lu of %lu pages",
			   current->comm, freed, pages);
	kfree(pfns);
	lmm_user_check("munmap", LMM_USER_BASE, LMM_USER_BASE, pages, false,
		       false);
}

void munmap_task(void *arg)
{
	const struct lmm_workload_params *p = arg;

	lmm_user_task(p->pages, VM_READ | VM_WRITE, munmap_path);
}

/*
 * The debug-pagealloc workload: the munmap workload on a kernel with
 * CONFIG_DEBUG_PAGEALLOC (the run turns it on), the chain of the
 * 1ef3095b1405 comment and of Ryan Roberts' RFC 5/6: zap_pte_range()'s
 * section → __tlb_remove_folio_pages() → tlb_next_batch() →
 * __get_free_page(GFP_NOWAIT) → debug_pagealloc_map_pages() →
 * __kernel_map_pages(), which on arm64 rewrites the linear map in a lazy
 * section of its own (nested), then the batch header is written through
 * the linear map. A batch page is taken once 7 pages are queued, and again
 * every 509 pages (MAX_GATHER_BATCH - 1), up to MAX_GATHER_BATCH_COUNT.
 */
void debug_pagealloc_task(void *arg)
{
	munmap_task(arg);
}
