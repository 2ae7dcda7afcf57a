// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * mm/kasan/shadow.c (v6.16, v6.17, v7.0, v7.1): the shadow of the vmalloc
 * area, populated by kasan_populate_vmalloc() and depopulated by
 * kasan_release_vmalloc(), both through apply_to_page_range() callbacks,
 * so inside its lazy MMU section (one per PTE table).
 *
 * v6.16: kasan_populate_vmalloc_pte() takes a page bulk-allocated before
 *   the walk (b6ea95a34cbd "kasan: avoid sleepable page allocation from
 *   atomic context", Gordeev, May 2025), poisons it, and under
 *   init_mm.page_table_lock installs it with set_pte_at() if ptep_get()
 *   finds the entry empty; __kasan_populate_vmalloc() frees the pages it
 *   did not install after each walk of at most 512 pages.
 *   kasan_depopulate_vmalloc_pte() reads the entry, and under the lock
 *   clears it and frees its page: a free inside the section.
 * v6.17: "mm/kasan: fix vmalloc shadow memory (de-)population races"
 *   (1/2: the populate check moves under the lock, the depopulate free
 *   after it) and "mm/kasan: avoid lazy MMU mode hazards" (2/2: each
 *   callback calls arch_leave_lazy_mmu_mode() first and
 *   arch_enter_lazy_mmu_mode() last), Gordeev, 2025-08-18, hotfixes for
 *   6.17-rc5. The model calls lazy_mmu_mode_pause()/resume(), which the
 *   pre-7.0 design (passthrough) maps onto exactly those hooks.
 * v7.0, v7.1: the same, as lazy_mmu_mode_pause()/resume() ("[PATCH v6
 *   07/14] mm: introduce generic lazy_mmu helpers", Kevin Brodsky,
 *   2025-12-15).
 *
 * --fix kasan-pause puts the 6.17 callbacks on 6.16; --fix
 * kasan-revert-pause the 6.16 ones on 6.17 and later; --fix nolazy-apply
 * walks the depopulate with apply_to_existing_page_range_nolazy() (Ryan
 * Roberts' RFC 3/6, 2025-05-30).
 *
 * kasan_release_vmalloc() follows its caller kasan_release_vmalloc_node()
 * (mm/vmalloc.c, from __purge_vmap_area_lazy()): the depopulate walk
 * (KASAN_VMALLOC_PAGE_RANGE), then one flush_tlb_kernel_range() of the
 * shadow (KASAN_VMALLOC_TLB_FLUSH).
 */
#include "mm/mm.h"
#include "sim/arch.h"

/* A page of shadow for 8 pages of vmalloc (generic KASAN: 1 byte per 8). */
#define KASAN_SHADOW_SCALE_SHIFT 3
/*
 * The model's shadow of the vmalloc area: in the vmalloc area's top-level
 * table, 256 GiB in, where no vmalloc() of a run reaches (at most 2^24
 * pages, 64 GiB), so that every model treats it as the kernel mapping it is
 * (ppc64-hash and sparc64 hash and cache it like vmalloc, not like the
 * linear map). The kernel's KASAN_SHADOW_OFFSET is the arch's.
 */
#define KASAN_SHADOW_VMALLOC (VMALLOC_START + (256UL << 30))
#define KASAN_VMALLOC_INVALID 0xf8 /* mm/kasan/kasan.h */

unsigned long kasan_mem_to_shadow(unsigned long addr)
{
	return KASAN_SHADOW_VMALLOC +
	       ((addr - VMALLOC_START) >> KASAN_SHADOW_SCALE_SHIFT);
}

/* The 6.17 callbacks (pause around each PTE access) run, or the 6.16 ones. */
static bool kasan_pauses(void)
{
	if (sim_fix_enabled(SIM_FIX_KASAN_REVERT_PAUSE))
		return false;
	return sim_kernel() >= SIM_KERNEL(6, 17) ||
	       sim_fix_enabled(SIM_FIX_KASAN_PAUSE);
}

/* ---- populate ------------------------------------------------------------ */

struct vmalloc_populate_data {
	unsigned long start;
	unsigned long *pages; /* pfns; 0: installed (the kernel's NULL) */
};

static int kasan_populate_vmalloc_pte(pte_t *ptep, unsigned long addr,
				      void *_data)
{
	struct vmalloc_populate_data *data = _data;
	struct mm_struct *init_mm = &sim_machine()->init_mm;
	bool pause = kasan_pauses();
	unsigned long index, pfn;

	if (pause)
		lazy_mmu_mode_pause(); /* 6.17: arch_leave_lazy_mmu_mode() */
	else if (!pte_none(ptep_get(ptep)))
		return 0; /* 6.16 checks before the lock; 6.17 1/2 moved it */
	index = (addr - data->start) >> PAGE_SHIFT;
	pfn = data->pages[index];
	/* __memset(page_to_virt(page), KASAN_VMALLOC_INVALID, PAGE_SIZE) */
	sim_store(sim_linear_addr(pfn), KASAN_VMALLOC_INVALID);
	spin_lock(&init_mm->page_table_lock);
	if (pte_none(ptep_get(ptep))) {
		set_pte_at(init_mm, addr, ptep, pfn_pte(pfn, PAGE_KERNEL));
		data->pages[index] = 0;
	}
	spin_unlock(&init_mm->page_table_lock);
	if (pause)
		lazy_mmu_mode_resume(); /* 6.17: arch_enter_lazy_mmu_mode() */
	return 0;
}

/* ___free_pages_bulk(): the pages the walk did not install. */
static void ___free_pages_bulk(unsigned long *pages, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++) {
		if (pages[i]) {
			__free_page(pages[i]);
			pages[i] = 0;
		}
	}
}

/*
 * ___alloc_pages_bulk(): alloc_pages_bulk(GFP_KERNEL) until @nr pages are
 * there (the model allocates one at a time: the same pages, each mapped
 * by DEBUG_PAGEALLOC as it is allocated, before the walk).
 */
static int ___alloc_pages_bulk(unsigned long *pages, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			___free_pages_bulk(pages, i);
			return -12; /* -ENOMEM */
		}
	}
	return 0;
}

/*
 * __kasan_populate_vmalloc(): a page of pointers (__get_free_page(): the
 * frame, with its contents a kernel object beside it, as the mmu_gather's
 * batches), then per 512 shadow pages: allocate, walk, free the rest.
 */
static int __kasan_populate_vmalloc(unsigned long start, unsigned long end)
{
	unsigned long nr_total = (end - start) >> PAGE_SHIFT, nr_pages;
	const unsigned long per_walk = PAGE_SIZE / sizeof(void *);
	struct vmalloc_populate_data data;
	unsigned long array_pfn = alloc_page(GFP_KERNEL);
	int ret = 0;

	data.pages = kcalloc(per_walk, sizeof(*data.pages), GFP_KERNEL);
	if (!array_pfn || !data.pages) {
		kfree(data.pages);
		if (array_pfn)
			__free_page(array_pfn);
		return -12;
	}
	while (nr_total) {
		nr_pages = nr_total < per_walk ? nr_total : per_walk;
		ret = ___alloc_pages_bulk(data.pages, nr_pages);
		if (ret)
			break;
		data.start = start;
		ret = apply_to_page_range(&sim_machine()->init_mm, start,
					  nr_pages * PAGE_SIZE,
					  kasan_populate_vmalloc_pte, &data);
		___free_pages_bulk(data.pages, nr_pages);
		if (ret)
			break;
		start += nr_pages * PAGE_SIZE;
		nr_total -= nr_pages;
	}
	kfree(data.pages);
	__free_page(array_pfn);
	return ret;
}

int kasan_populate_vmalloc(unsigned long addr, unsigned long size)
{
	unsigned long start = kasan_mem_to_shadow(addr) & ~(PAGE_SIZE - 1);
	unsigned long end = (kasan_mem_to_shadow(addr + size) + PAGE_SIZE - 1) &
			    ~(PAGE_SIZE - 1);

	return __kasan_populate_vmalloc(start, end);
}

/* ---- depopulate ---------------------------------------------------------- */

static int kasan_depopulate_vmalloc_pte(pte_t *ptep, unsigned long addr,
					void *unused)
{
	struct mm_struct *init_mm = &sim_machine()->init_mm;
	pte_t pte;

	(void)unused;
	if (!kasan_pauses()) {
		/* 6.16: the page from a read outside the lock, freed in it */
		unsigned long pfn = pte_pfn(ptep_get(ptep));

		spin_lock(&init_mm->page_table_lock);
		if (!pte_none(ptep_get(ptep))) {
			pte_clear(init_mm, addr, ptep);
			__free_page(pfn);
		}
		spin_unlock(&init_mm->page_table_lock);
		return 0;
	}
	lazy_mmu_mode_pause(); /* 6.17: arch_leave_lazy_mmu_mode() */
	spin_lock(&init_mm->page_table_lock);
	pte = ptep_get(ptep);
	if (!pte_none(pte))
		pte_clear(init_mm, addr, ptep);
	spin_unlock(&init_mm->page_table_lock);
	if (!pte_none(pte))
		__free_page(pte_pfn(pte));
	lazy_mmu_mode_resume(); /* 6.17: arch_enter_lazy_mmu_mode() */
	return 0;
}

/*
 * kasan_release_vmalloc() for the area [@start, @end), as
 * kasan_release_vmalloc_node() calls it once the area's own TLB flush is
 * done: the shadow pages only this area used are depopulated, then their
 * TLB entries flushed. The model's areas own whole shadow pages (every
 * area it releases starts on a 32 KiB boundary and is a multiple of it).
 */
void kasan_release_vmalloc(unsigned long start, unsigned long end)
{
	unsigned long shadow_start = kasan_mem_to_shadow(start);
	unsigned long shadow_end = kasan_mem_to_shadow(end);
	struct mm_struct *init_mm = &sim_machine()->init_mm;

	if (shadow_end <= shadow_start)
		return;
	if (sim_fix_enabled(SIM_FIX_APPLY_NOLAZY))
		apply_to_existing_page_range_nolazy(
			init_mm, shadow_start, shadow_end - shadow_start,
			kasan_depopulate_vmalloc_pte, NULL);
	else
		apply_to_existing_page_range(
			init_mm, shadow_start, shadow_end - shadow_start,
			kasan_depopulate_vmalloc_pte, NULL);
	flush_tlb_kernel_range(shadow_start, shadow_end);
}

/* ---- the workloads ------------------------------------------------------- */

/* The vmalloc pages whose shadow is @shadow_pages pages. */
static unsigned long kasan_area_pages(unsigned long shadow_pages)
{
	return shadow_pages << KASAN_SHADOW_SCALE_SHIFT;
}

/* Write each shadow page's token, read it back (kasan_unpoison_vmalloc()) */
static void kasan_touch_shadow(unsigned long shadow, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		sim_store(shadow + i * PAGE_SIZE,
			  lmm_token(shadow + i * PAGE_SIZE));
	for (unsigned long i = 0; i < pages; i++)
		if (sim_load(shadow + i * PAGE_SIZE) !=
		    lmm_token(shadow + i * PAGE_SIZE))
			sim_report("bad-access",
				   "%s: shadow page %lu at %#lx lost its data",
				   current->comm, i, shadow + i * PAGE_SIZE);
}

/*
 * kasan-populate: vmalloc()'s alloc_vmap_area() → kasan_populate_vmalloc()
 * for an area of 8N pages, whose shadow is N pages; then the shadow is
 * written (kasan_unpoison_vmalloc()). With --cpus N every CPU populates
 * the same shadow at once, as two vmalloc()s of neighbouring areas do for
 * the shadow page they share: the lock decides which page is installed,
 * the other is freed after the walk.
 */
void kasan_populate_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	unsigned long pages = kasan_area_pages(p->pages), addr;
	struct sim_machine *m = sim_machine();
	struct lmm_user_run *run;

	if (lmm_user_first()) {
		addr = get_vm_area(pages);
		if (!addr) {
			sim_report("bad-access",
				   "%s: no vmalloc area of %lu "
				   "pages",
				   current->comm, pages);
			lmm_user_done();
			return;
		}
		run = lmm_user_publish(NULL, addr, p->pages);
	} else {
		while (!(run = m->workload) || (!run->pages && !run->done))
			cond_resched();
		if (run->done)
			return;
	}
	if (kasan_populate_vmalloc(run->start, pages * PAGE_SIZE))
		sim_report("bad-access", "%s: kasan_populate_vmalloc() failed",
			   current->comm);
	kasan_touch_shadow(kasan_mem_to_shadow(run->start), p->pages);
}

/*
 * kasan-depopulate: populate the shadow of an area of 8N pages (as
 * kasan-populate), write it while the other CPUs read and write it too,
 * stop them (the area is being freed), then kasan_release_vmalloc(), as
 * __purge_vmap_area_lazy() does once the area is purged; afterwards no
 * shadow address may translate.
 */
void kasan_depopulate_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	unsigned long pages = kasan_area_pages(p->pages), addr, shadow;

	if (!lmm_user_first()) {
		lmm_user_accessor();
		return;
	}
	addr = get_vm_area(pages);
	if (!addr || kasan_populate_vmalloc(addr, pages * PAGE_SIZE)) {
		sim_report("bad-access", "%s: no shadow for %lu pages",
			   current->comm, pages);
		lmm_user_done();
		return;
	}
	shadow = kasan_mem_to_shadow(addr);
	kasan_touch_shadow(shadow, p->pages);
	lmm_user_publish(NULL, shadow, p->pages);
	lmm_user_wait_passes();
	lmm_user_stop();
	kasan_release_vmalloc(addr, addr + pages * PAGE_SIZE);
	for (unsigned long i = 0; i < p->pages; i++) {
		uint64_t v;

		if (sim_probe_load(shadow + i * PAGE_SIZE, &v))
			sim_report("bad-access",
				   "%s: shadow %#lx still translates after "
				   "kasan_release_vmalloc()",
				   current->comm, shadow + i * PAGE_SIZE);
	}
}
