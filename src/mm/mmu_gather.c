// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * mm/mmu_gather.c and include/asm-generic/tlb.h (v6.16 .. v7.1):
 * tlb_gather_mmu(), __tlb_remove_folio_pages() (__tlb_remove_folio_pages_size()),
 * tlb_next_batch(), tlb_flush_mmu_tlbonly(), tlb_flush_mmu() with
 * tlb_batch_pages_flush(), tlb_finish_mmu() with tlb_batch_list_free().
 *
 * The gather collects the range whose TLB entries must go and the pages to
 * free once they have: pages are freed only after the flush
 * (tlb_flush_mmu()), never before it. When the bundle inside the gather is
 * full, tlb_next_batch() takes a page with __get_free_page(GFP_NOWAIT) —
 * from inside zap_pte_range()'s lazy MMU section, under the PTL — which
 * fails, or stops at MAX_GATHER_BATCH_COUNT, and then the caller forces a
 * flush. With DEBUG_PAGEALLOC that allocation rewrites the linear map from
 * inside the section (the seed thread's chain), and tlb_next_batch() then
 * writes the new batch's header through the linear map, still inside it.
 *
 * --fix tlb-batch-nolazy ("[RFC PATCH v1 5/6] mm: Avoid calling page
 * allocator while in lazy mmu mode", Ryan Roberts, 2025-05-30,
 * 20250530140446.2387131-6-ryan.roberts@arm.com, not merged): the
 * allocation runs outside lazy MMU mode, and tlb_flush_mmu_tlbonly(),
 * tlb_batch_pages_flush() and tlb_batch_list_free() warn
 * (VM_WARN_ON(arch_in_lazy_mmu_mode())) if called in it. Its fourth
 * warning, in tlb_remove_table(), is not modelled: page tables are not
 * freed through the gather here.
 *
 * Not modelled: delayed rmaps (tlb->delayed_rmap), page-table freeing
 * through the gather (free_pgtables()), inc/dec_tlb_flush_pending().
 */
#include "mm/mm.h"
#include "sim/arch.h"

static void __tlb_reset_range(struct mmu_gather *tlb)
{
	tlb->start = tlb->fullmm ? 0 : ~0UL;
	tlb->end = 0;
	tlb->freed_tables = false;
}

static void __tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm,
			     bool fullmm)
{
	tlb->mm = mm;
	tlb->fullmm = fullmm;
	tlb->local.next = NULL;
	tlb->local.nr = 0;
	tlb->local.max = MMU_GATHER_BUNDLE;
	tlb->local.pfn = 0;
	tlb->local.pages = tlb->__pages;
	tlb->active = &tlb->local;
	tlb->batch_count = 0;
	tlb->nr_batch_alloc = 0;
	tlb->nr_batch_fail = 0;
	__tlb_reset_range(tlb);
}

/* tlb_gather_mmu(): a gather for a range of @mm (munmap, mprotect). */
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm)
{
	__tlb_gather_mmu(tlb, mm, false);
}

/* tlb_gather_mmu_fullmm(): the whole mm goes (exit_mmap()). */
void tlb_gather_mmu_fullmm(struct mmu_gather *tlb, struct mm_struct *mm)
{
	__tlb_gather_mmu(tlb, mm, true);
}

void tlb_flush_pte_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size)
{
	if (addr < tlb->start)
		tlb->start = addr;
	if (addr + size > tlb->end)
		tlb->end = addr + size;
}

/*
 * VM_WARN_ON(arch_in_lazy_mmu_mode()) of tlb-batch-nolazy: a TLB flush or
 * page free of the gather while the task's lazy MMU mode is on, whatever
 * it has deferred (the sanitizer's flush-in-section asks for deferred
 * work too). arch_in_lazy_mmu_mode() is what the design in force says is
 * active (is_lazy_mmu_mode_active() from 7.0).
 */
static void tlb_warn_lazy(const char *func)
{
	if (!sim_fix_enabled(SIM_FIX_TLB_NEXT_BATCH_LEAVE) ||
	    !is_lazy_mmu_mode_active())
		return;
	sim_report("arch-bug",
		   "CPU%d %s: VM_WARN_ON(arch_in_lazy_mmu_mode()) in %s(): "
		   "a TLB flush or page free in lazy MMU mode "
		   "(tlb-batch-nolazy)",
		   smp_processor_id(), current->comm, func);
}

/*
 * __get_free_page(GFP_NOWAIT) for a batch. Under tlb-batch-nolazy, if the
 * mode is on, it is left around the allocation and entered again after:
 * arch_leave/arch_enter_lazy_mmu_mode() in the patch (against 6.15), which
 * the generic calls of the design in force stand for here: a leave and an
 * enter before 7.0, lazy_mmu_mode_pause()/resume() from 7.0 (what the
 * nesting series turned every such leave/enter pair into, "[PATCH v6
 * 07/14] mm: introduce generic lazy_mmu helpers").
 */
static unsigned long tlb_alloc_batch_page(void)
{
	bool lazy_mmu = sim_fix_enabled(SIM_FIX_TLB_NEXT_BATCH_LEAVE) &&
			is_lazy_mmu_mode_active();
	unsigned long pfn;

	if (lazy_mmu)
		lazy_mmu_mode_pause();
	pfn = alloc_page(GFP_NOWAIT);
	if (lazy_mmu)
		lazy_mmu_mode_resume();
	return pfn;
}

/*
 * tlb_next_batch(): the next batch, a page of GFP_NOWAIT (it may not
 * sleep: the caller holds the PTL and may be in a lazy MMU section).
 * false when MAX_GATHER_BATCH_COUNT batches exist or the page allocator
 * has nothing. The new page's header (batch->next = NULL, nr, max) is
 * written through the linear map at once: with DEBUG_PAGEALLOC, the first
 * use of a page the allocation has just made valid (Ryan Roberts'
 * alloc_page-then-write_to_page, af9a96e1-064b-4627-bd34-e7e7e8a05452@
 * arm.com, 2025-05-30).
 */
static bool tlb_next_batch(struct mmu_gather *tlb)
{
	struct mmu_gather_batch *batch = tlb->active;
	unsigned long pfn;

	if (batch->next) {
		tlb->active = batch->next;
		return true;
	}
	if (tlb->batch_count == MAX_GATHER_BATCH_COUNT)
		return false;
	tlb->nr_batch_alloc++;
	pfn = tlb_alloc_batch_page();
	if (!pfn) {
		tlb->nr_batch_fail++;
		return false;
	}
	/* the page holds the batch: its list is a kernel object beside it */
	batch = kzalloc(sizeof(*batch), GFP_NOWAIT);
	batch->pages =
		kcalloc(MAX_GATHER_BATCH, sizeof(*batch->pages), GFP_NOWAIT);
	batch->pfn = pfn;
	batch->max = MAX_GATHER_BATCH;
	sim_store(sim_linear_addr(pfn), 0); /* batch->next = NULL */
	tlb->batch_count++;
	tlb->active->next = batch;
	tlb->active = batch;
	return true;
}

/*
 * __tlb_remove_folio_pages(): queue @nr_pages frames from @pfn to be freed
 * after the flush, one entry each (single pages; the kernel's two-entry
 * encoding of a large folio is not modelled). true: the batch is full and
 * no next one could be had; the caller must flush (zap_pte_range()'s
 * force_flush). A batch counts as full one entry early, "batch->nr >=
 * batch->max - 1", so that a page and its count always fit
 * (__tlb_remove_folio_pages_size(), mm/mmu_gather.c, since David
 * Hildenbrand's "mm/mmu_gather: add __tlb_remove_folio_pages()", v6.9;
 * the same in v6.16 .. v7.1): the bundle holds 7 pages, a batch page 509.
 */
bool __tlb_remove_folio_pages(struct mmu_gather *tlb, unsigned long pfn,
			      unsigned int nr_pages)
{
	for (unsigned int i = 0; i < nr_pages; i++) {
		struct mmu_gather_batch *batch = tlb->active;

		batch->pages[batch->nr++] = pfn + i;
		if (batch->nr >= batch->max - 1) {
			if (!tlb_next_batch(tlb))
				return true;
		}
	}
	return false;
}

/* tlb_remove_page(): queue one page; flush at once if the gather is full. */
void tlb_remove_page(struct mmu_gather *tlb, unsigned long pfn)
{
	if (__tlb_remove_folio_pages(tlb, pfn, 1))
		tlb_flush_mmu(tlb);
}

/*
 * tlb_flush_mmu_tlbonly() → tlb_flush(): flush_tlb_mm() for a full mm,
 * else flush_tlb_range() over what was gathered (arm64's tlb_flush() in
 * arch/arm64/include/asm/tlb.h does the same through __flush_tlb_range()).
 */
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	tlb_warn_lazy(__func__);
	if (!tlb->end)
		return;
	if (tlb->fullmm)
		flush_tlb_mm(tlb->mm);
	else
		flush_tlb_range(tlb->mm, tlb->start, tlb->end);
	__tlb_reset_range(tlb);
}

/*
 * tlb_batch_pages_flush(): drop the gathered pages; a page goes back to
 * the allocator once no mm maps it (its reference: folio_put()).
 */
static void tlb_batch_pages_flush(struct mmu_gather *tlb)
{
	tlb_warn_lazy(__func__);
	for (struct mmu_gather_batch *b = &tlb->local; b && b->nr;
	     b = b->next) {
		for (unsigned int i = 0; i < b->nr; i++)
			if (!pfn_to_page(b->pages[i])->mapcount)
				__free_page(b->pages[i]);
		b->nr = 0;
	}
	tlb->active = &tlb->local;
}

/* tlb_flush_mmu(): flush the TLB, then free the pages. */
void tlb_flush_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu_tlbonly(tlb);
	tlb_batch_pages_flush(tlb);
}

/* tlb_batch_list_free(): the batch pages go back to the allocator. */
static void tlb_batch_list_free(struct mmu_gather *tlb)
{
	struct mmu_gather_batch *b, *next;

	tlb_warn_lazy(__func__);
	for (b = tlb->local.next; b; b = next) {
		next = b->next;
		__free_page(b->pfn);
		kfree(b->pages);
		kfree(b);
	}
	tlb->local.next = NULL;
}

/* tlb_finish_mmu(): the last flush, then the batch pages go. */
void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
	tlb_batch_list_free(tlb);
}
