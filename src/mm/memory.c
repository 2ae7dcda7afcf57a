// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * mm/memory.c (v6.16 .. v7.1): apply_to_page_range() and
 * apply_to_existing_page_range(), which call @fn on each PTE of a range
 * with one lazy MMU section per PTE table (apply_to_pte_range(),
 * 44562c71e2cf); arm64's set_memory_valid() used it in v6.16. The s390
 * series converts the section to lazy_mmu_mode_enable_with_ptes() ("[PATCH
 * v6 1/4] mm: Make lazy MMU mode context-aware", 2026-07-15,
 * e10936f12fa0ac6f97e547aa94528cfb18b8ddac.1784121418.git.agordeev@linux.
 * ibm.com), which is lazy_mmu_mode_enable() on every other model.
 *
 * With --fix nolazy-apply, the _nolazy variants of Ryan Roberts' "[RFC
 * PATCH v1 3/6] mm: Avoid calling page allocator from
 * apply_to_page_range()" (2025-05-30, not merged): the same walk with no
 * section, for callbacks that allocate or free pages.
 */
#include "mm/memory.h"
#include "sim/arch.h"

static int apply_to_pte_range(struct mm_struct *mm, unsigned long addr,
			      unsigned long end, pte_fn_t fn, void *data,
			      bool create, bool lazy)
{
	pte_t *pte = sim_walk(mm, addr, 0, create);
	int err = 0;

	if (!pte)
		return create ? -12 /* -ENOMEM */ : 0;
	if (lazy)
		lazy_mmu_mode_enable_with_ptes(mm, addr, end, pte);
	do {
		if (create || pte_valid(ptep_get(pte))) {
			err = fn(pte, addr, data);
			if (err)
				break;
		}
	} while (pte++, addr += PAGE_SIZE, addr != end);
	if (lazy)
		lazy_mmu_mode_disable();
	return err;
}

static int __apply_to_page_range(struct mm_struct *mm, unsigned long addr,
				 unsigned long size, pte_fn_t fn, void *data,
				 bool create, bool lazy)
{
	unsigned long end = addr + size, next;
	int err = 0;

	for (; addr != end && !err; addr = next) {
		next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);
		if (next > end || next == 0)
			next = end;
		err = apply_to_pte_range(mm, addr, next, fn, data, create,
					 lazy);
	}
	return err;
}

/*
 * apply_to_page_range() - call @fn on every PTE of [@addr, @addr + @size)
 * in @mm, allocating missing tables. Returns the first error of @fn, or
 * -ENOMEM.
 */
int apply_to_page_range(struct mm_struct *mm, unsigned long addr,
			unsigned long size, pte_fn_t fn, void *data)
{
	return __apply_to_page_range(mm, addr, size, fn, data, true, true);
}

/*
 * apply_to_existing_page_range() - as apply_to_page_range(), but only on
 * present PTEs, and allocating nothing.
 */
int apply_to_existing_page_range(struct mm_struct *mm, unsigned long addr,
				 unsigned long size, pte_fn_t fn, void *data)
{
	return __apply_to_page_range(mm, addr, size, fn, data, false, true);
}

/* apply_to_page_range_nolazy() - as apply_to_page_range(), no section. */
int apply_to_page_range_nolazy(struct mm_struct *mm, unsigned long addr,
			       unsigned long size, pte_fn_t fn, void *data)
{
	return __apply_to_page_range(mm, addr, size, fn, data, true, false);
}

/*
 * apply_to_existing_page_range_nolazy() - as
 * apply_to_existing_page_range(), no section.
 */
int apply_to_existing_page_range_nolazy(struct mm_struct *mm,
					unsigned long addr, unsigned long size,
					pte_fn_t fn, void *data)
{
	return __apply_to_page_range(mm, addr, size, fn, data, false, false);
}
