// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * mm/vmalloc.c (v6.16 .. v7.1): vmalloc() maps its pages with
 * vmap_pages_range(), one lazy MMU section per PTE table
 * (vmap_pages_pte_range(), 44562c71e2cf); vunmap_range() clears the PTEs
 * in a section per table (vunmap_pte_range()), then flushes the kernel TLB
 * range at once. vfree() here unmaps eagerly: the kernel's lazy purge of
 * vmap areas only delays the same flush.
 */
#include <stdlib.h>

#include "mm/mm.h"
#include "sim/arch.h"

/* get_vm_area(): the next free range, with a guard page after it. */
unsigned long get_vm_area(unsigned long nr_pages)
{
	struct sim_machine *m = sim_machine();
	unsigned long addr;

	if (!m->vmap_next)
		m->vmap_next = VMALLOC_START;
	addr = m->vmap_next;
	if (nr_pages > (VMALLOC_END - addr) / PAGE_SIZE - 1)
		return 0;
	m->vmap_next += (nr_pages + 1) * PAGE_SIZE;
	return addr;
}

static unsigned long pte_table_end(unsigned long addr, unsigned long end)
{
	unsigned long next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);

	return next < end ? next : end;
}

static int vmap_pages_pte_range(unsigned long addr, unsigned long end,
				const unsigned long **pages)
{
	/* pte_alloc_kernel_track(): outside the section */
	pte_t *pte = pte_offset_kernel_alloc(addr);

	if (!pte)
		return -12; /* -ENOMEM */
	/* the s390 series converts this caller (mm/vmalloc.c, RFC 1/2) */
	lazy_mmu_mode_enable_with_ptes(&sim_machine()->init_mm, addr, end, pte);
	do {
		set_pte_at(&sim_machine()->init_mm, addr, pte,
			   pfn_pte(**pages, PAGE_KERNEL));
		(*pages)++;
	} while (pte++, addr += PAGE_SIZE, addr != end);
	lazy_mmu_mode_disable();
	return 0;
}

int vmap_pages_range(unsigned long addr, unsigned long end,
		     const unsigned long *pages)
{
	for (unsigned long next; addr != end; addr = next) {
		int err;

		next = pte_table_end(addr, end);
		err = vmap_pages_pte_range(addr, next, &pages);
		if (err)
			return err;
	}
	return 0;
}

static void vunmap_pte_range(unsigned long addr, unsigned long end)
{
	pte_t *pte = sim_walk(&sim_machine()->init_mm, addr, 0, false);

	if (!pte)
		return;
	lazy_mmu_mode_enable_with_ptes(&sim_machine()->init_mm, addr, end, pte);
	do {
		ptep_get_and_clear(&sim_machine()->init_mm, addr, pte);
	} while (pte++, addr += PAGE_SIZE, addr != end);
	lazy_mmu_mode_disable();
}

void vunmap_range(unsigned long addr, unsigned long end)
{
	unsigned long start = addr;

	for (unsigned long next; addr != end; addr = next) {
		next = pte_table_end(addr, end);
		vunmap_pte_range(addr, next);
	}
	flush_tlb_kernel_range(start, end);
}

struct vm_struct *vmalloc(unsigned long nr_pages)
{
	struct vm_struct *area = kzalloc(sizeof(*area), GFP_KERNEL);
	unsigned long i;

	area->pages = kcalloc(nr_pages, sizeof(*area->pages), GFP_KERNEL);
	area->addr = get_vm_area(nr_pages);
	if (!area->pages || !area->addr)
		goto fail;
	area->nr_pages = nr_pages;
	for (i = 0; i < nr_pages; i++) {
		area->pages[i] = alloc_page(GFP_KERNEL);
		if (!area->pages[i])
			goto fail_pages;
	}
	if (vmap_pages_range(area->addr, area->addr + nr_pages * PAGE_SIZE,
			     area->pages))
		goto fail_pages;
	return area;

fail_pages:
	while (i-- > 0)
		__free_page(area->pages[i]);
fail:
	kfree(area->pages);
	kfree(area);
	return NULL;
}

void vfree(struct vm_struct *area)
{
	if (!area)
		return;
	vunmap_range(area->addr, area->addr + area->nr_pages * PAGE_SIZE);
	for (unsigned long i = 0; i < area->nr_pages; i++)
		__free_page(area->pages[i]);
	kfree(area->pages);
	kfree(area);
}
