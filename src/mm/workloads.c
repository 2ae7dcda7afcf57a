// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Workloads: what each CPU's task does in `lazymmu run`, and what an
 * interrupt does meanwhile.
 */
#include <stdio.h>
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
	{ "vmalloc", "vmalloc(N pages), touch every page, vfree()",
	  "mm/vmalloc.c: vmap_pages_pte_range(), vunmap_pte_range()",
	  vmalloc_task, page_churn_irq },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct lmm_workload *lmm_workload_find(const char *name)
{
	for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
		if (!strcmp(w->name, name))
			return w;
	return NULL;
}
