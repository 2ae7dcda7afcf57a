// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * mm/vmalloc.c (v6.16 .. v7.1): vmalloc() places its area first fit after
 * the kernel image, with a guard page (alloc_vmap_area()), and maps its
 * pages with vmap_pages_range(), one lazy MMU section per PTE table
 * (vmap_pages_pte_range(), 44562c71e2cf). vfree() does not flush:
 * free_unmap_vmap_area() clears the PTEs (a section per table,
 * vunmap_pte_range()) and puts the area on the purge list; the pages are
 * freed at once; __purge_vmap_area_lazy() flushes the kernel TLB once, for
 * every area on the list, when vmap_lazy_nr exceeds lazy_max_pages() or at
 * vm_unmap_aliases(). vunmap_range() still flushes at once.
 */
#include <stdlib.h>

#include "mm/mm.h"
#include "sim/arch.h"

/* ---- the vmap areas: alloc_vmap_area(), free_vmap_area_noflush() ---------- */

static struct vmap_area *vmap_area_insert(struct vmap_area **link,
					  unsigned long start,
					  unsigned long end)
{
	struct vmap_area *va = kzalloc(sizeof(*va), GFP_KERNEL);

	if (!va)
		return NULL;
	va->va_start = start;
	va->va_end = end;
	va->next = *link;
	*link = va;
	return va;
}

/*
 * The list, as boot leaves it: the kernel image's areas (declare_kernel_vmas()
 * in arch/arm64/mm/mmu.c, VM_NO_GUARD) at the start of the vmalloc area.
 */
static struct vmap_area **vmap_areas(void)
{
	struct sim_machine *m = sim_machine();

	if (!m->vmap_areas)
		vmap_area_insert(&m->vmap_areas, KIMAGE_VADDR,
				 KIMAGE_VADDR + KIMAGE_SIZE);
	return &m->vmap_areas;
}

/*
 * The first free range of @size bytes (page aligned) from VMALLOC_START:
 * alloc_vmap_area() → __alloc_vmap_area(), first fit in the free tree.
 * Areas being purged are still busy. 0: no room.
 */
static unsigned long alloc_vmap_area(unsigned long size)
{
	struct vmap_area **link = vmap_areas();
	unsigned long addr = VMALLOC_START;

	for (; *link; link = &(*link)->next) {
		if ((*link)->va_start - addr >= size)
			break;
		addr = (*link)->va_end;
	}
	if (!*link && VMALLOC_END - addr < size)
		return 0;
	return vmap_area_insert(link, addr, addr + size) ? addr : 0;
}

static struct vmap_area *find_vmap_area(unsigned long addr)
{
	for (struct vmap_area *va = *vmap_areas(); va; va = va->next)
		if (va->va_start == addr && !va->lazy)
			return va;
	return NULL;
}

/* Unlink and free @va now (an area that never mapped anything). */
static void free_vmap_area(struct vmap_area *va)
{
	for (struct vmap_area **link = vmap_areas(); *link;
	     link = &(*link)->next) {
		if (*link == va) {
			*link = va->next;
			kfree(va);
			return;
		}
	}
}

/* lazy_max_pages(): 32 MiB of pages per fls(num_online_cpus()). */
unsigned long lazy_max_pages(void)
{
	unsigned int cpus = sim_machine()->opt.nr_cpus, log = 0;

	while (cpus >> log)
		log++; /* fls() */
	return log * (32UL * 1024 * 1024 / PAGE_SIZE);
}

/*
 * __purge_vmap_area_lazy(): one flush_tlb_kernel_range() from the lowest
 * start to the highest end of the lazily freed areas, then their ranges
 * are free again. Until the flush they stay busy, so no area is reused
 * while a TLB may still hold its old translations.
 */
static void __purge_vmap_area_lazy(void)
{
	struct sim_machine *m = sim_machine();
	unsigned long start = ~0UL, end = 0, nr = 0;
	struct vmap_area **link;

	for (struct vmap_area *va = *vmap_areas(); va; va = va->next) {
		if (!va->lazy || va->purging)
			continue;
		va->purging = true;
		if (va->va_start < start)
			start = va->va_start;
		if (va->va_end > end)
			end = va->va_end;
		nr += (va->va_end - va->va_start) >> PAGE_SHIFT;
	}
	if (!nr)
		return;
	m->vmap_lazy_nr -= nr;
	flush_tlb_kernel_range(start, end);
	for (link = vmap_areas(); *link;) {
		struct vmap_area *va = *link;

		if (va->purging && va->va_start >= start && va->va_end <= end) {
			*link = va->next;
			kfree(va);
		} else {
			link = &va->next;
		}
	}
}

/*
 * free_vmap_area_noflush(): onto the purge list; past lazy_max_pages() the
 * kernel schedules drain_vmap_work, which the model runs at once (the
 * earliest a kworker could).
 */
static void free_vmap_area_noflush(struct vmap_area *va)
{
	struct sim_machine *m = sim_machine();

	va->lazy = true;
	m->vmap_lazy_nr += (va->va_end - va->va_start) >> PAGE_SHIFT;
	if (m->vmap_lazy_nr > lazy_max_pages())
		__purge_vmap_area_lazy();
}

/* vm_unmap_aliases(): purge whatever is lazily freed. */
void vm_unmap_aliases(void)
{
	__purge_vmap_area_lazy();
}

/*
 * get_vm_area(): an area of @nr_pages and its guard page, first fit; when
 * the vmalloc area is full, purge the lazily freed areas and retry once
 * (alloc_vmap_area()'s "overflow" path).
 */
unsigned long get_vm_area(unsigned long nr_pages)
{
	unsigned long addr;

	if (!nr_pages || nr_pages > (VMALLOC_END - VMALLOC_START) / PAGE_SIZE)
		return 0;
	addr = alloc_vmap_area((nr_pages + 1) * PAGE_SIZE);
	if (!addr && sim_machine()->vmap_lazy_nr) {
		__purge_vmap_area_lazy();
		addr = alloc_vmap_area((nr_pages + 1) * PAGE_SIZE);
	}
	return addr;
}

/* ---- page tables ----------------------------------------------------------- */

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

/* vunmap_range_noflush(): clear the PTEs, a section per PTE table. */
void vunmap_range_noflush(unsigned long addr, unsigned long end)
{
	for (unsigned long next; addr != end; addr = next) {
		next = pte_table_end(addr, end);
		vunmap_pte_range(addr, next);
	}
}

/* vunmap_range(): clear the PTEs, then flush their TLB entries at once. */
void vunmap_range(unsigned long addr, unsigned long end)
{
	vunmap_range_noflush(addr, end);
	flush_tlb_kernel_range(addr, end);
}

/*
 * free_unmap_vmap_area(): clear the PTEs of [va_start, va_end) without a
 * flush, except with DEBUG_PAGEALLOC (debug_pagealloc_enabled_static():
 * catch use after free at once), then onto the purge list.
 */
static void free_unmap_vmap_area(struct vmap_area *va)
{
	vunmap_range_noflush(va->va_start, va->va_end);
	if (sim_machine()->opt.debug_pagealloc)
		flush_tlb_kernel_range(va->va_start, va->va_end);
	free_vmap_area_noflush(va);
}

/* ---- vmalloc(), vfree() ------------------------------------------------------ */

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
			     area->pages)) {
		free_unmap_vmap_area(find_vmap_area(area->addr));
		area->addr = 0;
		goto fail_pages;
	}
	return area;

fail_pages:
	while (i-- > 0)
		__free_page(area->pages[i]);
fail:
	if (area->addr)
		free_vmap_area(find_vmap_area(area->addr));
	kfree(area->pages);
	kfree(area);
	return NULL;
}

/*
 * vfree() → remove_vm_area() → free_unmap_vmap_area(), then the pages are
 * freed at once: their stale TLB entries, if any, survive until the purge.
 * (vm_reset_perms(), which flushes before the pages go, runs only for
 * VM_FLUSH_RESET_PERMS areas: executable memory, not vmalloc().)
 */
void vfree(struct vm_struct *area)
{
	struct vmap_area *va;

	if (!area)
		return;
	va = find_vmap_area(area->addr);
	if (va)
		free_unmap_vmap_area(va);
	else
		vunmap_range(area->addr,
			     area->addr + area->nr_pages * PAGE_SIZE);
	for (unsigned long i = 0; i < area->nr_pages; i++)
		__free_page(area->pages[i]);
	kfree(area->pages);
	kfree(area);
}

/* ---- vmap(), vunmap() --------------------------------------------------------- */

/*
 * vmap(): map the caller's @nr_pages frames into a new area (one section
 * per PTE table, vmap_pages_range()); 0 if there is no room. The pages
 * stay the caller's.
 */
unsigned long vmap(const unsigned long *pages, unsigned long nr_pages)
{
	unsigned long addr = get_vm_area(nr_pages);

	if (!addr)
		return 0;
	if (vmap_pages_range(addr, addr + nr_pages * PAGE_SIZE, pages)) {
		free_unmap_vmap_area(find_vmap_area(addr));
		return 0;
	}
	return addr;
}

/*
 * vunmap() → remove_vm_area() → free_unmap_vmap_area(): the PTEs are
 * cleared without a flush (except with DEBUG_PAGEALLOC) and the area goes
 * on the purge list; the pages are not freed (the caller's).
 */
void vunmap(unsigned long addr)
{
	struct vmap_area *va = find_vmap_area(addr);

	if (va)
		free_unmap_vmap_area(va);
}
