// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * PAGEMAP_SCAN with PM_SCAN_WP_MATCHING: fs/proc/task_mmu.c
 * do_pagemap_scan() → walk_page_range() → pagemap_scan_test_walk(),
 * pagemap_scan_pmd_entry() → make_uffd_wp_pte() (v6.16 .. v7.1).
 *
 * pagemap_scan_pmd_entry(), read in each version:
 *  - v6.16, v6.17: under the PTE table's lock, arch_enter_lazy_mmu_mode();
 *    the exclusive-WP fast path (no output vector) write-protects each
 *    written entry with make_uffd_wp_pte(), ptep_modify_prot_start() and
 *    _commit() of pte_mkuffd_wp(); then flush_tlb_range() of the entries
 *    changed, then arch_leave_lazy_mmu_mode(), then the unlock (the
 *    section's scope since ad449d856bd7 "fs/proc/task_mmu: reduce scope of
 *    lazy mmu region", v6.15; the pre-image of "[PATCH v6 07/14] mm:
 *    introduce generic lazy_mmu helpers", 2025-12-15,
 *    20251215150323.2218608-8-kevin.brodsky@arm.com);
 *  - v7.0: the same with lazy_mmu_mode_enable()/_disable() (that patch;
 *    read in a v7.0 tree, fs/proc/task_mmu.c at 2762f5863471 of
 *    julianw1010/hydra-7.0.0-fork);
 *  - v7.1: assumed as v7.0 (no change to the function was found);
 *  - s390's "mm: make lazy MMU mode context-aware" (RFC 2026-03-25)
 *    makes the enable lazy_mmu_mode_enable_with_ptes(): the ranged hook
 *    on the 7.1+lazy-v6 label, a plain enable everywhere else.
 * The flush comes before the leave in every version: Ryan Roberts' "[RFC
 * PATCH v1 1/6] fs/proc/task_mmu: Fix pte update and tlb maintenance
 * ordering in pagemap_scan_pmd_entry()" (2025-05-30, not merged) puts the
 * leave first; --fix pagemap-order applies it.
 *
 * pagemap_scan_test_walk(): a VMA whose uffd-wp is not async (or the arch
 * has no uffd-wp at all) is skipped silently under PM_SCAN_WP_MATCHING.
 * Only x86_64 (generic, xen-pv here) and arm64 (5b32510af77b "arm64/mm:
 * Add uffd write-protect support", v6.10) select HAVE_ARCH_USERFAULTFD_WP
 * among the modelled arches; powerpc, sparc64 and s390 do not, so there
 * PAGEMAP_SCAN write-protects nothing and opens no section.
 *
 * Not modelled: the output vector and the other two loops, THP and
 * hugetlb entries, PTE markers of empty entries (every page is present).
 */
#include <string.h>

#include "mm/mm.h"
#include "sim/arch.h"

/*
 * The uffd-wp software bit of a present PTE (arm64 PTE_UFFD_WP is bit 58,
 * x86 _PAGE_UFFD_WP a software bit too); pte_mkuffd_wp() also
 * write-protects, as both arches' do.
 */
#define PTE_UFFD_WP (1ULL << 58)

bool pte_uffd_wp(pte_t pte)
{
	return pte_present(pte) && (pte & PTE_UFFD_WP);
}

static pte_t pte_mkuffd_wp(pte_t pte)
{
	return pte_wrprotect(pte | PTE_UFFD_WP);
}

/* CONFIG_HAVE_ARCH_USERFAULTFD_WP of the arch the run models. */
bool pgtable_supports_uffd_wp(void)
{
	static const char *const have[] = { "arm64", "generic", "xen-pv" };
	const char *arch = sim_machine()->arch->name;

	for (size_t i = 0; i < sizeof(have) / sizeof(have[0]); i++)
		if (!strcmp(arch, have[i]))
			return true;
	return false;
}

/* make_uffd_wp_pte(): a present entry, through modify_prot start/commit */
static void make_uffd_wp_pte(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *pte, pte_t ptent)
{
	pte_t old_pte;

	if (!pte_present(ptent))
		return; /* markers of empty or swapped entries: none here */
	old_pte = ptep_modify_prot_start(vma, addr, pte);
	ptent = pte_mkuffd_wp(old_pte);
	ptep_modify_prot_commit(vma, addr, pte, old_pte, ptent);
}

/*
 * pagemap_scan_pmd_entry(), the exclusive-WP fast path: every entry of
 * [@start, @end) (one PTE table) not yet uffd-wp is write-protected in one
 * section; the flush comes before the leave (upstream), or after it with
 * --fix pagemap-order.
 */
static int pagemap_scan_pmd_entry(struct vm_area_struct *vma, pte_t *pmd,
				  unsigned long start, unsigned long end)
{
	bool fix = sim_fix_enabled(SIM_FIX_PAGEMAP_SCAN_ORDER);
	unsigned long addr, flush_end = 0;
	pte_t *pte, *start_pte;
	spinlock_t *ptl;

	start_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, start, &ptl);
	if (!pte)
		return 0; /* walk->action = ACTION_AGAIN: no table, nothing */
	lazy_mmu_mode_enable_with_ptes(vma->vm_mm, start, end, start_pte);
	for (addr = start; addr != end; pte++, addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);

		if (pte_uffd_wp(ptent))
			continue;
		make_uffd_wp_pte(vma, addr, pte, ptent);
		if (!flush_end)
			start = addr;
		flush_end = addr + PAGE_SIZE;
	}
	/* flush_and_return: */
	if (fix)
		lazy_mmu_mode_disable();
	if (flush_end)
		flush_tlb_range(vma->vm_mm, start, addr);
	if (!fix)
		lazy_mmu_mode_disable();
	pte_unmap_unlock(start_pte, ptl);
	cond_resched();
	return 0;
}

long do_pagemap_scan_wp(struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	/* mmap_read_lock(); mmu_notifier_invalidate_range_start(): no-ops */
	for (struct vm_area_struct *vma = find_vma_intersection(mm, start, end);
	     vma && vma->vm_start < end; vma = vma->vm_next) {
		unsigned long s = vma->vm_start > start ? vma->vm_start : start;
		unsigned long e = vma->vm_end < end ? vma->vm_end : end;

		/* pagemap_scan_test_walk(): no async uffd-wp, skipped */
		if (!pgtable_supports_uffd_wp())
			continue;
		for (unsigned long addr = s, next; addr != e; addr = next) {
			pte_t *pmd = pmd_off(mm, addr);

			next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);
			if (next > e)
				next = e;
			if (pmd && pte_valid(*pmd))
				pagemap_scan_pmd_entry(vma, pmd, addr, next);
		}
	}
	return 0;
}

/*
 * The pagemap-wp workload: the process registered its VMA with
 * userfaultfd in async write-protect mode (UFFD_FEATURE_WP_ASYNC, the
 * CRIU and Windows GetWriteWatch() use) and wrote every page; it then
 * asks PAGEMAP_SCAN to write-protect the written pages. Afterwards each
 * page still reads its data, and a write through the first CPU's TLB
 * faults (the uffd-wp fault that marks it written again), where the arch
 * has uffd-wp; elsewhere the pages stay writable.
 */
static void pagemap_wp_path(struct mm_struct *mm, unsigned long pages)
{
	bool wp = pgtable_supports_uffd_wp();

	do_pagemap_scan_wp(mm, LMM_USER_BASE,
			   LMM_USER_BASE + pages * PAGE_SIZE);
	for (unsigned long i = 0; i < pages; i++) {
		unsigned long addr = LMM_USER_BASE + i * PAGE_SIZE;
		pte_t *ptep = sim_walk(mm, addr, 0, false);
		uint64_t v = 0;

		if (!ptep || pte_uffd_wp(*ptep) != wp ||
		    !sim_probe_load(addr, &v) || v != lmm_token(addr) ||
		    sim_probe_store(addr, v) == wp)
			sim_report("bad-access",
				   "%s: pagemap-wp: %#lx is not %s with its "
				   "data",
				   current->comm, addr,
				   wp ? "write-protected" : "writable");
	}
}

void pagemap_wp_task(void *arg)
{
	const struct lmm_workload_params *p = arg;

	lmm_user_task(p->pages, VM_READ | VM_WRITE, pagemap_wp_path);
}
