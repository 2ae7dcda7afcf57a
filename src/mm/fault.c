// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * User page faults: arch/arm64/mm/fault.c do_page_fault() (find the VMA,
 * check its permission, call the handler, retry the access) and
 * mm/memory.c handle_mm_fault() (v6.16 .. v7.1) for anonymous private
 * VMAs: do_anonymous_page() allocates a zeroed page and maps it under the
 * split PTE lock; do_wp_page() on a write to a write-protected PTE of a
 * writable VMA copies the page (wp_page_copy(): ptep_clear_flush(), then
 * the new entry) or, when no other mm maps it, makes the entry writable
 * again (wp_page_reuse()). A write fault on an entry that is writable in
 * memory is spurious (a stale read-only TLB entry): the kernel's
 * flush_tlb_fix_spurious_fault().
 *
 * Simplified: a read fault on an empty entry also allocates (the kernel
 * maps the shared zero page read-only until the first write); no lazy MMU
 * section is opened on this path, as in the kernel.
 */
#include "mm/mm.h"
#include "sim/arch.h"

/* clear_user_highpage() / copy_user_highpage(): through the linear map */
static void copy_page_data(unsigned long to, unsigned long from)
{
	sim_store(sim_linear_addr(to),
		  from ? sim_load(sim_linear_addr(from)) : 0);
}

static unsigned int do_anonymous_page(struct vm_area_struct *vma,
				      unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	unsigned long pfn = alloc_page(GFP_KERNEL);
	pte_t *pte;

	if (!pfn)
		return VM_FAULT_OOM;
	copy_page_data(pfn, 0);
	pte = pte_alloc_map_lock(mm, addr, &ptl);
	if (!pte) {
		__free_page(pfn);
		return VM_FAULT_OOM;
	}
	if (!pte_none(ptep_get(pte))) {
		/* another thread faulted it in meanwhile */
		pte_unmap_unlock(pte, ptl);
		__free_page(pfn);
		return 0;
	}
	pfn_to_page(pfn)->mapcount = 1;
	set_ptes(mm, addr, pte, pfn_pte(pfn, vma->vm_page_prot), 1);
	pte_unmap_unlock(pte, ptl);
	return 0;
}

static unsigned int do_wp_page(struct vm_area_struct *vma, unsigned long addr,
			       pte_t *pte, spinlock_t *ptl, pte_t orig)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long old = pte_pfn(orig), pfn;

	if (pfn_to_page(old)->mapcount <= 1) {
		/*
		 * wp_page_reuse(): ours alone, writable again in place. The
		 * kernel's ptep_set_access_flags() has no primitive here:
		 * ptep_clear_flush() and set_pte_at() stand for it, so that
		 * no arch keeps the read-only entry cached (s390's is
		 * ptep_xchg_direct(), an IPTE at once, as its
		 * ptep_clear_flush()).
		 */
		ptep_clear_flush(vma, addr, pte);
		set_pte_at(mm, addr, pte, pte_mkwrite(orig));
		pte_unmap_unlock(pte, ptl);
		return 0;
	}
	pte_unmap_unlock(pte, ptl);
	/* wp_page_copy(): allocate and copy outside the lock */
	pfn = alloc_page(GFP_KERNEL);
	if (!pfn)
		return VM_FAULT_OOM;
	copy_page_data(pfn, old);
	spin_lock(ptl);
	if (ptep_get(pte) != orig) {
		spin_unlock(ptl);
		__free_page(pfn);
		return 0;
	}
	/* ptep_clear_flush(): no CPU may keep writing the old page */
	ptep_clear_flush(vma, addr, pte);
	pfn_to_page(pfn)->mapcount = 1;
	set_pte_at(mm, addr, pte, pte_mkwrite(pfn_pte(pfn, vma->vm_page_prot)));
	pfn_to_page(old)->mapcount--;
	spin_unlock(ptl);
	if (!pfn_to_page(old)->mapcount)
		__free_page(old);
	return 0;
}

unsigned int handle_mm_fault(struct vm_area_struct *vma, unsigned long addr,
			     unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *pmd = pmd_off(mm, addr), *pte, entry;
	spinlock_t *ptl;

	addr &= ~(PAGE_SIZE - 1);
	if (!pmd || !pte_valid(*pmd))
		return do_anonymous_page(vma, addr);
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return do_anonymous_page(vma, addr);
	entry = ptep_get(pte);
	if (pte_none(entry)) {
		pte_unmap_unlock(pte, ptl);
		return do_anonymous_page(vma, addr);
	}
	if (!pte_present(entry)) {
		/* a swap or migration entry: not modelled */
		pte_unmap_unlock(pte, ptl);
		return VM_FAULT_SIGSEGV;
	}
	if ((flags & FAULT_FLAG_WRITE) && !pte_write(entry))
		return do_wp_page(vma, addr, pte, ptl, entry);
	/* spurious: a stale TLB entry (flush_tlb_fix_spurious_fault()) */
	pte_unmap_unlock(pte, ptl);
	flush_tlb_page(vma, addr);
	return 0;
}

/*
 * do_page_fault() for a user access: no VMA, or a write to a VMA without
 * VM_WRITE, is SIGSEGV; else the handler, and the access is retried (a
 * few times: each fault can only make progress).
 */
static bool user_access(unsigned long addr, bool write, uint64_t *val)
{
	for (int tries = 0; tries < 4; tries++) {
		struct vm_area_struct *vma;
		bool done = write ? sim_probe_store(addr, *val) :
				    sim_probe_load(addr, val);

		if (done)
			return true;
		vma = vma_lookup(current->mm, addr);
		if (!vma || (write && !(vma->vm_flags & VM_WRITE)))
			return false;
		if (handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0) &
		    (VM_FAULT_OOM | VM_FAULT_SIGSEGV))
			return false;
	}
	return false;
}

bool user_load(unsigned long addr, uint64_t *val)
{
	return user_access(addr, false, val);
}

bool user_store(unsigned long addr, uint64_t val)
{
	return user_access(addr, true, &val);
}
