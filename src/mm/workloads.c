// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Workloads: what each CPU's task does in `lazymmu run`, and what an
 * interrupt does meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"
#include "sim/arch.h"

/* vmalloc(N pages), write every page, vfree(). */
static void vmalloc_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	struct vm_struct *area = vmalloc(p->pages);

	if (!area) {
		sim_report("bad-access", "%s: vmalloc(%lu pages) failed",
			   current->comm, p->pages);
		return;
	}
	for (unsigned long i = 0; i < area->nr_pages; i++)
		sim_store(area->addr + i * PAGE_SIZE, area->pages[i]);
	for (unsigned long i = 0; i < area->nr_pages; i++)
		if (sim_load(area->addr + i * PAGE_SIZE) != area->pages[i])
			sim_report("bad-access",
				   "%s: page %lu of %#lx lost its data",
				   current->comm, i, area->addr);
	vfree(area);
}

/*
 * A deliberately wrong caller, the bug class of Ryan Roberts' RFC (2025-05-30,
 * patches 1-2): it relies on its page-table updates inside the section that
 * may still defer them. Like vmalloc(), but each page is written as soon as
 * it is mapped, before lazy_mmu_mode_disable(). On arm64 no dsb completed
 * the store, so every such access takes a fault not even the fault
 * handler's walk explains away (an oops: bad-access), which the sanitizer
 * reports as deferred-access.
 */
static void touch_early_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	struct sim_machine *m = sim_machine();
	struct vm_struct *area = kzalloc(sizeof(*area), GFP_KERNEL);
	unsigned long addr, i;
	pte_t *pte = NULL;

	area->nr_pages = p->pages;
	area->addr = get_vm_area(p->pages);
	area->pages = kcalloc(p->pages, sizeof(*area->pages), GFP_KERNEL);
	if (!area->addr || !area->pages) {
		kfree(area->pages);
		kfree(area);
		return;
	}
	for (i = 0; i < p->pages; i++)
		area->pages[i] = alloc_page(GFP_KERNEL);
	for (i = 0, addr = area->addr; i < p->pages; i++, addr += PAGE_SIZE) {
		if (!pte || !(addr & (PTE_TABLE_SPAN - 1))) {
			if (pte)
				lazy_mmu_mode_disable();
			pte = pte_offset_kernel_alloc(addr);
			lazy_mmu_mode_enable();
		} else {
			pte++;
		}
		set_pte_at(&m->init_mm, addr, pte,
			   pfn_pte(area->pages[i], PAGE_KERNEL));
		sim_store(addr, area->pages[i]); /* too early */
	}
	lazy_mmu_mode_disable();
	vfree(area);
}

/*
 * vmap() N pages of the caller's, write each through the mapping,
 * vunmap() (no flush: the area goes on the purge list), read the data
 * back through the linear map, vm_unmap_aliases() (the purge: one
 * flush_tlb_kernel_range()), after which the old addresses fault
 * (expected), then free the pages. With --cpus N the other CPUs read and
 * write the vmap addresses all along.
 */
void vunmap_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	unsigned long *pages, addr, i;

	if (!lmm_user_first()) {
		lmm_user_accessor();
		return;
	}
	pages = kcalloc(p->pages, sizeof(*pages), GFP_KERNEL);
	for (i = 0; i < p->pages; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	addr = vmap(pages, p->pages);
	if (!addr) {
		sim_report("bad-access", "%s: vmap(%lu pages) failed",
			   current->comm, p->pages);
		lmm_user_done();
		return;
	}
	/*
	 * The other CPUs' kernel threads use the area while it is mapped,
	 * then stop: an access once vunmap() has begun is a use after
	 * vunmap() by its caller, not the kernel path's (on s390 7.1+lazy-v6
	 * the sanitizer says so: deferred-access). Their TLB entries stay
	 * stale until the purge, unused.
	 */
	lmm_kernel_share(addr, p->pages);
	vunmap(addr);
	for (i = 0; i < p->pages; i++)
		if (sim_load(sim_linear_addr(pages[i])) !=
		    lmm_token(addr + i * PAGE_SIZE))
			sim_report("bad-access",
				   "%s: page %lu lost its data at vunmap()",
				   current->comm, i);
	vm_unmap_aliases();
	for (i = 0; i < p->pages; i++) {
		uint64_t v;

		if (sim_probe_load(addr + i * PAGE_SIZE, &v))
			sim_report("bad-access",
				   "%s: %#lx still translates after the purge",
				   current->comm, addr + i * PAGE_SIZE);
		__free_page(pages[i]);
	}
	kfree(pages);
}

/*
 * A softirq that allocates and frees a page (an RCU callback, a network
 * buffer): with DEBUG_PAGEALLOC it rewrites the linear map from interrupt
 * context, where nothing may be deferred.
 */
static void page_churn_irq(void *arg)
{
	unsigned long pfn = alloc_page(GFP_ATOMIC);

	(void)arg;
	if (!pfn)
		return;
	sim_store(sim_linear_addr(pfn), pfn);
	__free_page(pfn);
}

const struct lmm_workload lmm_workloads[] = {
	{ "vmalloc", "vmalloc", "vmalloc(N pages), touch every page, vfree()",
	  "mm/vmalloc.c: vmap_pages_pte_range(), vunmap_pte_range()",
	  vmalloc_task, page_churn_irq, 0 },
	{ "vmalloc-touch-early", "touch-early",
	  "a deliberately wrong caller: vmalloc that writes each page before "
	  "closing its section",
	  "mm/vmalloc.c, with the mapping loop's caller relying on deferred "
	  "updates",
	  touch_early_task, page_churn_irq, 0 },
	{ "vunmap", "vunmap",
	  "vmap(N pages), write them, vunmap() (lazy purge), purge, free",
	  "mm/vmalloc.c: vmap(), vunmap() → free_unmap_vmap_area(), "
	  "__purge_vmap_area_lazy()",
	  vunmap_task, page_churn_irq, 0 },
	{ "fork", "fork",
	  "fork a process of N present pages: copy_pte_range() in a section, "
	  "the parent flushed once after; the child reads the data, COW",
	  "kernel/fork.c: dup_mmap(); mm/memory.c: copy_pte_range()", fork_task,
	  page_churn_irq, 0 },
	{ "munmap", "munmap",
	  "munmap N present pages: zap_pte_range() in a section with the "
	  "mmu_gather; flush and frees after the section",
	  "mm/vma.c: unmap_region(); mm/memory.c: zap_pte_range(); "
	  "mm/mmu_gather.c",
	  munmap_task, page_churn_irq, 0 },
	{ "mprotect", "mprotect",
	  "mprotect N present pages read-only: change_pte_range() in a "
	  "section, the flush in tlb_finish_mmu() after the PTL is dropped",
	  "mm/mprotect.c: change_pte_range(), do_mprotect_pkey()",
	  mprotect_task, page_churn_irq, 0 },
	{ "mremap", "mremap",
	  "mremap N present pages elsewhere: move_ptes() in a section, the "
	  "flush after leaving, under both PTLs",
	  "mm/mremap.c: move_ptes()", mremap_task, page_churn_irq, 0 },
	{ "kasan-populate", "kasan-pop",
	  "kasan_populate_vmalloc() of an area whose shadow is N pages: "
	  "apply_to_page_range() with kasan_populate_vmalloc_pte(); with "
	  "--cpus N every CPU populates the same shadow at once",
	  "mm/kasan/shadow.c: __kasan_populate_vmalloc(), "
	  "kasan_populate_vmalloc_pte(); mm/memory.c: apply_to_page_range()",
	  kasan_populate_task, page_churn_irq, 0 },
	{ "kasan-depopulate", "kasan-depop",
	  "populate N shadow pages, then kasan_release_vmalloc(): "
	  "kasan_depopulate_vmalloc_pte() clears each entry and frees its "
	  "page from the walk's section; the TLB flush after",
	  "mm/kasan/shadow.c: kasan_release_vmalloc(), "
	  "kasan_depopulate_vmalloc_pte(); mm/memory.c: "
	  "apply_to_existing_page_range()",
	  kasan_depopulate_task, page_churn_irq, 0 },
	{ "bpf-arena-free", "arena-free",
	  "a BPF arena of N pages mapped and written, then arena_map_free(): "
	  "existing_page_cb() frees each page from the walk's section, the "
	  "area is unmapped after",
	  "kernel/bpf/arena.c: arena_map_free(), existing_page_cb(); "
	  "mm/memory.c: apply_to_existing_page_range()",
	  bpf_arena_free_task, page_churn_irq, 0 },
	{ "pagemap-wp", "pagemap-wp",
	  "PAGEMAP_SCAN write-protects N written pages (uffd-wp async): "
	  "pagemap_scan_pmd_entry() in a section, flush_tlb_range() before "
	  "the leave (upstream), under the PTL",
	  "fs/proc/task_mmu.c: pagemap_scan_pmd_entry(), make_uffd_wp_pte()",
	  pagemap_wp_task, page_churn_irq, 0 },
	{ "migrate-collect", "migrate",
	  "a driver migrates N pages: migrate_vma_collect_pmd() installs "
	  "migration entries in a section, flush_tlb_range() before the "
	  "leave (upstream); copy, finalize, old pages freed",
	  "mm/migrate_device.c: migrate_vma_collect_pmd(), "
	  "migrate_vma_finalize()",
	  migrate_collect_task, page_churn_irq, 0 },
	{ "ctxsw", "ctxsw",
	  "two threads on one CPU: N rounds each of enable, nested "
	  "enable/disable, pause, resume, disable over a kernel and a user "
	  "PTE, preempted and switched (the Xen 7.0 window)",
	  "no single function: the calls every lazy caller makes "
	  "(include/linux/pgtable.h lazy_mmu_mode_*())",
	  ctxsw_task, page_churn_irq, 0 },
	{ "kunit", "kunit",
	  "the KUnit test's sequence, is_lazy_mmu_mode_active() checked at "
	  "each step, in a task and from its interrupt",
	  "mm/tests/lazy_mmu_mode_kunit.c: lazy_mmu_mode_active()", kunit_task,
	  kunit_irq, 0 },
	{ "debug-pagealloc", "dpa-munmap",
	  "munmap N present pages with DEBUG_PAGEALLOC on (the run turns it "
	  "on): the mmu_gather's GFP_NOWAIT batch page, taken inside the zap "
	  "section once 7 pages are queued and every 509 after, rewrites the "
	  "linear map there, and its header is written at once",
	  "mm/memory.c: zap_pte_range(); mm/mmu_gather.c: tlb_next_batch(); "
	  "mm/page_alloc.c: debug_pagealloc_map_pages(); the arch's "
	  "__kernel_map_pages()",
	  debug_pagealloc_task, page_churn_irq,
	  /* the batch page is taken when the 8th page is queued */
	  MMU_GATHER_BUNDLE },
	{ "alloc-write", "alloc-write",
	  "Ryan Roberts' alloc_page-then-write_to_page: populate N vmalloc "
	  "pages from an apply_to_page_range() callback that allocates each "
	  "page, writes it through the linear map and maps it, all in the "
	  "section, with DEBUG_PAGEALLOC on (the run turns it on)",
	  "mm/kasan/shadow.c: kasan_populate_vmalloc_pte() up to v6.15; "
	  "mm/memory.c: apply_to_pte_range(); the arch's __kernel_map_pages()",
	  alloc_write_task, page_churn_irq, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0 },
};

const struct lmm_workload *lmm_workload_find(const char *name)
{
	for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
		if (!strcmp(w->name, name))
			return w;
	return NULL;
}

bool lmm_workload_debug_pagealloc(const struct lmm_workload *w)
{
	return w &&
	       (w->task == debug_pagealloc_task || w->task == alloc_write_task);
}
