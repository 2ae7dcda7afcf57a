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
	  vmalloc_task, page_churn_irq },
	{ "vmalloc-touch-early", "touch-early",
	  "a deliberately wrong caller: vmalloc that writes each page before "
	  "closing its section",
	  "mm/vmalloc.c, with the mapping loop's caller relying on deferred "
	  "updates", touch_early_task, page_churn_irq },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct lmm_workload *lmm_workload_find(const char *name)
{
	for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
		if (!strcmp(w->name, name))
			return w;
	return NULL;
}
