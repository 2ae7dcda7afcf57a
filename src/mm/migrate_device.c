// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Device memory migration: mm/migrate_device.c migrate_vma_setup() →
 * migrate_vma_collect() → migrate_vma_collect_pmd(), then
 * migrate_vma_pages() and migrate_vma_finalize() (v6.16 .. v7.1), driven
 * as a driver does (lib/test_hmm.c: collect, allocate and copy, finalize).
 *
 * migrate_vma_collect_pmd(), read in each version:
 *  - v6.16, v6.17: under the PTE table's lock, arch_enter_lazy_mmu_mode();
 *    per present entry of a page it may lock: an anon-exclusive page's
 *    entry is cleared with ptep_clear_flush() (ptep_get_and_clear(), then
 *    flush_tlb_page() of that page, inside the section: 6c287605fd56,
 *    v5.19), folio_try_share_anon_rmap_pte(), any other with
 *    ptep_get_and_clear(); then set_pte_at() of a migration entry and
 *    folio_remove_rmap_pte(); after the loop, if an entry was present,
 *    flush_tlb_range() (under the PTL since 60bae7370896
 *    "mm/migrate_device.c: flush TLB while holding PTL"), then
 *    arch_leave_lazy_mmu_mode(), then the unlock. Read in torvalds/linux
 *    mm/migrate_device.c at 022a12deda53 (the v6.15/v6.16 shape:
 *    page_pgmap(), folio_remove_rmap_pte()); 6.17 assumed the same.
 *  - v7.0: lazy_mmu_mode_enable()/_disable() in the same places, the
 *    large-folio and THP paths of the device-THP series around them
 *    (julianw1010/hydra-linux-7.0.0 mm/migrate_device.c at e72a68798f9c;
 *    "[PATCH v6 07/14] mm: introduce generic lazy_mmu helpers",
 *    2025-12-15, 20251215150323.2218608-8-kevin.brodsky@arm.com, still
 *    shows the flush before the disable); v7.1 assumed as v7.0.
 * Ryan Roberts' "[RFC PATCH v1 2/6] mm: Fix pte update and tlb maintenance
 * ordering in migrate_vma_collect_pmd()" (2025-05-30, not merged) moves
 * the leave before the final flush_tlb_range() only: --fix migrate-order.
 * The per-page flush of ptep_clear_flush() stays in the section with it.
 *
 * Anon-exclusive here: a page that only this mm maps (mapcount 1: faulted
 * in by this process, not shared by fork), which is PageAnonExclusive()
 * for a private anonymous page. Not modelled: device-private and
 * device-coherent entries, the zero page, large folios, the mmu
 * notifiers, the LRU isolation of migrate_vma_unmap() (no page is pinned,
 * so every collected page migrates), young and dirty bits of the entry.
 */
#include "mm/mm.h"
#include "sim/arch.h"

/* include/linux/migrate.h */
#define MIGRATE_PFN_VALID (1UL << 0)
#define MIGRATE_PFN_MIGRATE (1UL << 1)
#define MIGRATE_PFN_WRITE (1UL << 3)
#define MIGRATE_PFN_SHIFT 6

static unsigned long migrate_pfn(unsigned long pfn)
{
	return (pfn << MIGRATE_PFN_SHIFT) | MIGRATE_PFN_VALID;
}

static unsigned long migrate_pfn_to_pfn(unsigned long mpfn)
{
	return mpfn & MIGRATE_PFN_VALID ? mpfn >> MIGRATE_PFN_SHIFT : 0;
}

static void migrate_vma_collect_pmd(struct migrate_vma *migrate, pte_t *pmdp,
				    unsigned long start, unsigned long end)
{
	bool fix = sim_fix_enabled(SIM_FIX_MIGRATE_VMA_ORDER);
	struct vm_area_struct *vma = migrate->vma;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr = start, unmapped = 0;
	spinlock_t *ptl;
	pte_t *ptep;

	ptep = pte_offset_map_lock(mm, pmdp, start, &ptl);
	if (!ptep)
		return; /* goto again: no table, the range is a hole */
	lazy_mmu_mode_enable();
	for (; addr < end; addr += PAGE_SIZE, ptep++) {
		unsigned long mpfn = 0, pfn;
		bool anon_exclusive;
		swp_entry_t entry;
		pte_t pte = ptep_get(ptep);

		if (pte_none(pte)) {
			/* vma_is_anonymous(): the driver may populate it */
			mpfn = MIGRATE_PFN_MIGRATE;
			migrate->cpages++;
			goto next;
		}
		if (!pte_present(pte))
			goto next; /* no device-private entry is modelled */
		/* MIGRATE_VMA_SELECT_SYSTEM: a system RAM page */
		pfn = pte_pfn(pte);
		mpfn = migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE;
		mpfn |= pte_write(pte) ? MIGRATE_PFN_WRITE : 0;
		/* folio_get(), folio_trylock(): no one else holds it */
		anon_exclusive = pfn_to_page(pfn)->mapcount == 1;
		if (anon_exclusive)
			/* folio_try_share_anon_rmap_pte() then succeeds */
			pte = ptep_clear_flush(vma, addr, ptep);
		else
			pte = ptep_get_and_clear(mm, addr, ptep);
		migrate->cpages++;
		if (mpfn & MIGRATE_PFN_WRITE)
			entry = make_writable_migration_entry(pfn);
		else if (anon_exclusive)
			entry = make_readable_exclusive_migration_entry(pfn);
		else
			entry = make_readable_migration_entry(pfn);
		set_pte_at(mm, addr, ptep, swp_entry_to_pte(entry));
		/* folio_remove_rmap_pte(), folio_put(): the collect ref stays */
		pfn_to_page(pfn)->mapcount--;
		if (pte_present(pte))
			unmapped++;
next:
		migrate->dst[migrate->npages] = 0;
		migrate->src[migrate->npages++] = mpfn;
	}
	if (fix)
		lazy_mmu_mode_disable();
	/* Only flush the TLB if we actually modified any entries */
	if (unmapped)
		flush_tlb_range(mm, start, end);
	if (!fix)
		lazy_mmu_mode_disable();
	pte_unmap_unlock(ptep - 1, ptl);
}

/* migrate_vma_collect(): walk_page_range() over each PTE table */
static void migrate_vma_collect(struct migrate_vma *migrate)
{
	struct mm_struct *mm = migrate->vma->vm_mm;

	for (unsigned long addr = migrate->start, next; addr != migrate->end;
	     addr = next) {
		pte_t *pmd = pmd_off(mm, addr);

		next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);
		if (next > migrate->end)
			next = migrate->end;
		if (pmd && pte_valid(*pmd)) {
			migrate_vma_collect_pmd(migrate, pmd, addr, next);
			continue;
		}
		/* migrate_vma_collect_hole() */
		for (unsigned long a = addr; a < next; a += PAGE_SIZE) {
			migrate->dst[migrate->npages] = 0;
			migrate->src[migrate->npages++] = MIGRATE_PFN_MIGRATE;
			migrate->cpages++;
		}
	}
}

int migrate_vma_setup(struct migrate_vma *args)
{
	if (!args->vma || args->start >= args->end ||
	    args->start < args->vma->vm_start ||
	    args->end > args->vma->vm_end || !args->src || !args->dst)
		return -22; /* -EINVAL */
	args->npages = 0;
	args->cpages = 0;
	migrate_vma_collect(args);
	/* migrate_vma_unmap(): every page is unmapped and unpinned already */
	return 0;
}

/*
 * migrate_vma_finalize() with migrate_vma_pages() (no struct page state
 * here): each migration entry becomes a present entry of the new page (or
 * of the old one if the driver gave none: remove_migration_ptes(), which
 * installs a non-present → present entry: no flush), then the old page is
 * freed. Its translations were flushed by the collect: a stale one that
 * reaches it now is what the sanitizer reports as stale-tlb.
 */
void migrate_vma_finalize(struct migrate_vma *migrate)
{
	struct vm_area_struct *vma = migrate->vma;
	struct mm_struct *mm = vma->vm_mm;

	for (unsigned long i = 0; i < migrate->npages; i++) {
		unsigned long addr = migrate->start + i * PAGE_SIZE;
		unsigned long src = migrate_pfn_to_pfn(migrate->src[i]);
		unsigned long dst = migrate_pfn_to_pfn(migrate->dst[i]);
		unsigned long pfn = dst ? dst : src;
		spinlock_t *ptl;
		pte_t *ptep, *pmd, pte;

		if (!src)
			continue;
		pmd = pmd_off(mm, addr);
		ptep = pmd ? pte_offset_map_lock(mm, pmd, addr, &ptl) : NULL;
		if (!ptep)
			continue;
		pte = ptep_get(ptep);
		if (is_swap_pte(pte) &&
		    is_migration_entry(pte_to_swp_entry(pte)) &&
		    swp_offset_pfn(pte_to_swp_entry(pte)) == src) {
			pte = pfn_pte(pfn, vma->vm_page_prot);
			if (!is_writable_migration_entry(
				    pte_to_swp_entry(ptep_get(ptep))))
				pte = pte_wrprotect(pte);
			pfn_to_page(pfn)->mapcount++;
			set_pte_at(mm, addr, ptep, pte);
		}
		pte_unmap_unlock(ptep, ptl);
		if (dst)
			__free_page(src); /* folio_putback_lru(), folio_put() */
	}
}

/*
 * The migrate-collect workload: a driver migrates the process's pages
 * (private, anonymous, written: anon-exclusive) to new pages, as
 * lib/test_hmm.c does with MIGRATE_VMA_SELECT_SYSTEM: collect (the
 * migration entries), allocate and copy, finalize; each page then reads
 * its data from a new frame and is writable.
 */
static void migrate_collect_path(struct mm_struct *mm, unsigned long pages)
{
	struct migrate_vma args = {
		.vma = vma_lookup(mm, LMM_USER_BASE),
		.start = LMM_USER_BASE,
		.end = LMM_USER_BASE + pages * PAGE_SIZE,
		.src = kcalloc(pages, sizeof(unsigned long), GFP_KERNEL),
		.dst = kcalloc(pages, sizeof(unsigned long), GFP_KERNEL),
	};

	if (migrate_vma_setup(&args)) {
		sim_report("bad-access", "%s: migrate_vma_setup() failed",
			   current->comm);
		goto out;
	}
	for (unsigned long i = 0; i < args.npages; i++) {
		unsigned long src = migrate_pfn_to_pfn(args.src[i]), dst;

		if (!src || !(args.src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		dst = alloc_page(GFP_KERNEL); /* the device's page */
		if (!dst)
			continue;
		sim_store(sim_linear_addr(dst),
			  sim_load(sim_linear_addr(src))); /* the copy */
		args.dst[i] = migrate_pfn(dst);
	}
	migrate_vma_finalize(&args);
	lmm_user_check("migrate-collect", LMM_USER_BASE, LMM_USER_BASE, pages,
		       true, true);
out:
	kfree(args.src);
	kfree(args.dst);
}

void migrate_collect_task(void *arg)
{
	const struct lmm_workload_params *p = arg;

	lmm_user_task(p->pages, VM_READ | VM_WRITE, migrate_collect_path);
}
