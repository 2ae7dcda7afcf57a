// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * fork(): kernel/fork.c dup_mmap() and mm/memory.c copy_page_range() →
 * copy_pte_range() → copy_present_ptes() (v6.16 .. v7.1). Per PTE table:
 * the child's table is allocated and locked, the parent's locked nested,
 * then one lazy MMU section over the table in which every present entry of
 * a COW mapping is write-protected in the parent (ptep_set_wrprotect(),
 * wrprotect_ptes() for a batch of one) and set in the child (set_ptes());
 * leave, unlock both, cond_resched(). No TLB flush inside: dup_mmap()
 * flushes the parent once, flush_tlb_mm(oldmm), after every VMA is copied.
 *
 * Not modelled: the -EAGAIN path for pinned pages (copy_present_page()
 * with its preallocated folio), swap and device entries beyond a plain
 * copy, rss counters, anon_vma.
 */
#include "mm/mm.h"
#include "sim/arch.h"

/* is_cow_mapping(): private and may be written (VM_MAYWRITE ~ VM_WRITE) */
static bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_WRITE)) == VM_WRITE;
}

static int copy_pte_range(struct vm_area_struct *dst_vma,
			  struct vm_area_struct *src_vma, pte_t *src_pmd,
			  unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	spinlock_t *dst_ptl, *src_ptl;
	pte_t *dst_pte, *src_pte;

	dst_pte = pte_alloc_map_lock(dst_mm, addr, &dst_ptl);
	if (!dst_pte)
		return -12; /* -ENOMEM */
	/* spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING) */
	src_pte = pte_offset_map_lock(src_mm, src_pmd, addr, &src_ptl);
	if (!src_pte) {
		pte_unmap_unlock(dst_pte, dst_ptl);
		return 0;
	}
	/* v6 1/4 of Gordeev's series: the source table is the hint */
	lazy_mmu_mode_enable_with_ptes(src_mm, addr, end, src_pte);
	do {
		pte_t ptent = ptep_get(src_pte);

		if (pte_none(ptent))
			continue;
		if (!pte_present(ptent)) {
			/* copy_nonpresent_pte(): a swap entry, copied */
			set_pte_at(dst_mm, addr, dst_pte, ptent);
			continue;
		}
		/* copy_present_ptes() → __copy_present_ptes() */
		if (is_cow_mapping(src_vma->vm_flags) && pte_write(ptent)) {
			ptep_set_wrprotect(src_mm, addr, src_pte);
			ptent = pte_wrprotect(ptent);
		}
		pfn_to_page(pte_pfn(ptent))->mapcount++;
		set_ptes(dst_mm, addr, dst_pte, ptent, 1);
	} while (dst_pte++, src_pte++, addr += PAGE_SIZE, addr != end);
	lazy_mmu_mode_disable();
	pte_unmap_unlock(src_pte, src_ptl);
	pte_unmap_unlock(dst_pte, dst_ptl);
	cond_resched();
	return 0;
}

/* copy_page_range(): each PTE table of the VMA that the parent has. */
static int copy_page_range(struct vm_area_struct *dst_vma,
			   struct vm_area_struct *src_vma)
{
	unsigned long addr = src_vma->vm_start, end = src_vma->vm_end, next;

	for (; addr != end; addr = next) {
		pte_t *src_pmd = pmd_off(src_vma->vm_mm, addr);
		int err;

		next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);
		if (next > end)
			next = end;
		if (!src_pmd || !pte_valid(*src_pmd))
			continue;
		err = copy_pte_range(dst_vma, src_vma, src_pmd, addr, next);
		if (err)
			return err;
	}
	return 0;
}

struct mm_struct *dup_mmap(struct mm_struct *oldmm)
{
	struct mm_struct *mm = sim_mm_alloc("child");

	if (!mm)
		return NULL;
	for (struct vm_area_struct *vma = oldmm->mmap; vma;
	     vma = vma->vm_next) {
		struct vm_area_struct *tmp = sim_vma_add(
			mm, vma->vm_start, vma->vm_end, vma->vm_flags);

		if (!tmp || copy_page_range(tmp, vma))
			break;
	}
	/* the parent's writable TLB entries go: once, after every VMA */
	flush_tlb_mm(oldmm);
	return mm;
}

/*
 * The fork workload: fork a process of N present pages; the child must
 * read the parent's data; a write in the child copies the page (COW) and
 * leaves the parent's alone.
 */
static void fork_path(struct mm_struct *parent, unsigned long pages)
{
	struct mm_struct *child = dup_mmap(parent);
	uint64_t v = 0;

	if (!child) {
		sim_report("bad-access", "%s: fork: no child mm",
			   current->comm);
		return;
	}
	kthread_use_mm(child);
	lmm_user_check("fork: child", LMM_USER_BASE, LMM_USER_BASE, pages, true,
		       true);
	/* the child writes: its own copy from now on */
	if (!user_store(LMM_USER_BASE, 42))
		sim_report("bad-access", "%s: fork: the child cannot write",
			   current->comm);
	kthread_use_mm(parent);
	if (!user_load(LMM_USER_BASE, &v) || v != lmm_token(LMM_USER_BASE))
		sim_report("bad-access",
			   "%s: fork: the child's write reached the parent "
			   "(%#llx)",
			   current->comm, (unsigned long long)v);
	lmm_user_check("fork: parent", LMM_USER_BASE, LMM_USER_BASE, pages,
		       true, true);
}

void fork_task(void *arg)
{
	const struct lmm_workload_params *p = arg;

	lmm_user_task(p->pages, VM_READ | VM_WRITE, fork_path);
}
