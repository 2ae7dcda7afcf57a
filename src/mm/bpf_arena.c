// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * kernel/bpf/arena.c (v6.16 .. v7.1): a BPF arena's kernel half is a
 * vmalloc-area range (arena->kern_vm, get_vm_area() of KERN_VM_SZ, here N
 * pages) into which bpf_arena_alloc_pages() maps pages with
 * vm_area_map_pages() (vmap_pages_range(): a lazy MMU section per PTE
 * table). arena_map_free() walks it with apply_to_existing_page_range()
 * and existing_page_cb(), which reads each entry with ptep_get() and
 * __free_page()s its page without clearing the entry (its comment: nobody
 * may access the arena by then, and the TLB flush is deferred anyway),
 * so every free happens inside the walk's section; free_vm_area() then
 * unmaps the range (remove_vm_area() → free_unmap_vmap_area(): the PTEs
 * cleared, the flush left to the lazy purge).
 *
 * Every copy read, from the first (v6.9) to a 2026 tree with the arena's
 * scratch page, has that shape of existing_page_cb() and arena_map_free();
 * later versions changed the allocation side (range tree, non-sleepable
 * kfuncs) and arena_free_pages(), not this walk. With --fix nolazy-apply
 * the walk is apply_to_existing_page_range_nolazy() (Ryan Roberts' RFC
 * 3/6, 2025-05-30, not merged).
 */
#include "mm/mm.h"
#include "sim/arch.h"

static int existing_page_cb(pte_t *ptep, unsigned long addr, void *data)
{
	pte_t pte = ptep_get(ptep);

	(void)addr;
	(void)data;
	if (!pte_present(pte)) /* sanity check */
		return 0;
	/* the entry stays: nobody may use the arena any more */
	__free_page(pte_pfn(pte));
	return 0;
}

/* arena_map_free(): free the pages from the walk, then the kernel range. */
static void arena_map_free(unsigned long kern_vm_start, unsigned long pages)
{
	struct mm_struct *init_mm = &sim_machine()->init_mm;

	if (sim_fix_enabled(SIM_FIX_APPLY_NOLAZY))
		apply_to_existing_page_range_nolazy(init_mm, kern_vm_start,
						    pages * PAGE_SIZE,
						    existing_page_cb, NULL);
	else
		apply_to_existing_page_range(init_mm, kern_vm_start,
					     pages * PAGE_SIZE,
					     existing_page_cb, NULL);
	vunmap(kern_vm_start); /* free_vm_area() → remove_vm_area() */
}

/*
 * bpf-arena-free: an arena of N pages (arena_map_alloc()'s get_vm_area()),
 * N pages allocated and mapped (bpf_arena_alloc_pages()), written by the
 * "program" while the other CPUs read and write them; the map's last
 * reference goes (the other CPUs stop: a user of a freed map is the
 * bug existing_page_cb()'s comment rules out), then arena_map_free().
 */
void bpf_arena_free_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	unsigned long *pages, addr, i;

	if (!lmm_user_first()) {
		lmm_user_accessor();
		return;
	}
	addr = get_vm_area(p->pages);
	pages = kcalloc(p->pages, sizeof(*pages), GFP_KERNEL);
	for (i = 0; addr && pages && i < p->pages; i++)
		if (!(pages[i] = alloc_page(GFP_KERNEL)))
			break;
	if (!addr || !pages || i < p->pages ||
	    vmap_pages_range(addr, addr + p->pages * PAGE_SIZE, pages)) {
		sim_report("bad-access", "%s: no arena of %lu pages",
			   current->comm, p->pages);
		lmm_user_done();
		return;
	}
	lmm_kernel_share(addr, p->pages);
	arena_map_free(addr, p->pages);
	kfree(pages);
}
