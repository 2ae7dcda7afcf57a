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
 * inside the section (the seed thread's chain).
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
 * tlb_next_batch(): the next batch, a page of GFP_NOWAIT (it may not
 * sleep: the caller holds the PTL and may be in a lazy MMU section).
 * false when MAX_GATHER_BATCH_COUNT batches exist or the page allocator
 * has nothing.
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
	pfn = alloc_page(GFP_NOWAIT);
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
	tlb->batch_count++;
	tlb->active->next = batch;
	tlb->active = batch;
	return true;
}

/*
 * __tlb_remove_folio_pages(): queue @nr_pages frames from @pfn to be freed
 * after the flush. true: the batch is full and no next one could be had;
 * the caller must flush (zap_pte_range()'s force_flush).
 */
bool __tlb_remove_folio_pages(struct mmu_gather *tlb, unsigned long pfn,
			      unsigned int nr_pages)
{
	for (unsigned int i = 0; i < nr_pages; i++) {
		struct mmu_gather_batch *batch = tlb->active;

		batch->pages[batch->nr++] = pfn + i;
		if (batch->nr == batch->max) {
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

/* tlb_finish_mmu(): the last flush, then the batch pages go. */
void tlb_finish_mmu(struct mmu_gather *tlb)
{
	struct mmu_gather_batch *b, *next;

	tlb_flush_mmu(tlb);
	for (b = tlb->local.next; b; b = next) {
		next = b->next;
		__free_page(b->pfn);
		kfree(b->pages);
		kfree(b);
	}
	tlb->local.next = NULL;
}
