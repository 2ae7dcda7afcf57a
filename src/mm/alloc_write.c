// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * alloc-write: Ryan Roberts' "alloc_page inside a lazy section, then
 * write_to_page" ("Re: [PATCH v1] arm64/mm: Ensure lazy_mmu_mode never
 * nests", 2025-06-10; af9a96e1-064b-4627-bd34-e7e7e8a05452@arm.com,
 * 2025-05-30), in the shape a kernel caller had it: mm/kasan/shadow.c
 * kasan_populate_vmalloc_pte() up to v6.15 (before b6ea95a34cbd "kasan:
 * avoid sleepable page allocation from atomic context"), an
 * apply_to_page_range() callback that, for each PTE of a vmalloc range and
 * inside apply_to_pte_range()'s lazy MMU section, allocates a page, writes
 * it through the linear map (its __memset()), then maps it with
 * set_pte_at(&init_mm, ...). The allocation here is GFP_NOWAIT (KASAN's
 * GFP_KERNEL could sleep in the section: Gordeev's reason for that
 * commit); the init_mm.page_table_lock and the pte_none() recheck are
 * left out (one task populates the range).
 *
 * With DEBUG_PAGEALLOC (the run turns it on) the allocation makes the page
 * valid in the linear map; on arm64 in a nested section of its own
 * (apply_to_page_range() in v6.16, update_range_prot() in v7.0), whose
 * disable must complete that update before the write:
 *   6.16 (1ef3095b1405): the inner leave pays the barriers and clears
 *        TIF_LAZY_MMU, so every set_pte_at() after it pays its own
 *        dsb+isb: unbatched, although the section is open;
 *   7.0: the inner disable flushes (arch_flush_lazy_mmu_mode()), the mode
 *        stays on, the mappings stay batched;
 *   noflush: the inner disable does nothing, the new page is not yet
 *        valid for the walkers when it is written: deferred-access.
 */
#include "mm/mm.h"
#include "sim/arch.h"

struct alloc_write {
	unsigned long *pages;
	unsigned long nr;
};

/* kasan_populate_vmalloc_pte() (≤ v6.15), with GFP_NOWAIT */
static int alloc_write_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct alloc_write *aw = data;
	unsigned long pfn = alloc_page(GFP_NOWAIT);

	if (!pfn)
		return -12; /* -ENOMEM */
	/* write_to_page: the __memset() of the new page */
	sim_store(sim_linear_addr(pfn), lmm_token(addr));
	set_pte_at(&sim_machine()->init_mm, addr, ptep,
		   pfn_pte(pfn, PAGE_KERNEL));
	aw->pages[aw->nr++] = pfn;
	return 0;
}

/*
 * Populate N pages of a vmalloc area that way, read each back through its
 * new mapping, then vfree() the area (its pages go back).
 */
void alloc_write_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	struct vm_struct *area = kzalloc(sizeof(*area), GFP_KERNEL);
	struct alloc_write aw = { 0 };
	unsigned long i;
	int err;

	area->pages = kcalloc(p->pages, sizeof(*area->pages), GFP_KERNEL);
	area->addr = get_vm_area(p->pages);
	if (!area->pages || !area->addr) {
		sim_report("bad-access", "%s: no vmalloc area of %lu pages",
			   current->comm, p->pages);
		kfree(area->pages);
		kfree(area);
		return;
	}
	aw.pages = area->pages;
	err = apply_to_page_range(&sim_machine()->init_mm, area->addr,
				  p->pages * PAGE_SIZE, alloc_write_pte, &aw);
	area->nr_pages = aw.nr;
	if (err)
		sim_report("bad-access", "%s: populated %lu of %lu pages",
			   current->comm, aw.nr, p->pages);
	for (i = 0; i < aw.nr; i++) {
		unsigned long addr = area->addr + i * PAGE_SIZE;

		if (sim_load(addr) != lmm_token(addr))
			sim_report("bad-access",
				   "%s: page %lu at %#lx lost its data",
				   current->comm, i, addr);
	}
	vfree(area);
}
