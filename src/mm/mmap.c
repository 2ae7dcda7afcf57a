// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * VMAs: mm/mmap.c and mm/vma.c (find_vma(), vma_lookup(),
 * find_vma_intersection(), insert_vm_struct(), vm_get_page_prot()) and
 * kernel/fork.c (vm_area_alloc(), vm_area_free()), v6.16 .. v7.1, on a
 * list sorted by address instead of the maple tree (the list is what
 * mm->mmap was before 6.1; __vma_unlink_list() is mm/util.c of v5.x).
 */
#include "mm/memory.h"

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = kzalloc(sizeof(*vma), GFP_KERNEL);

	vma->vm_mm = mm;
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	kfree(vma);
}

int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct **link = &mm->mmap;

	if (vma->vm_start >= vma->vm_end || vma->vm_end > USER_TOP ||
	    (vma->vm_start | vma->vm_end) & (PAGE_SIZE - 1))
		return -12; /* -ENOMEM */
	while (*link && (*link)->vm_end <= vma->vm_start)
		link = &(*link)->vm_next;
	if (*link && (*link)->vm_start < vma->vm_end)
		return -12; /* overlaps *link */
	vma->vm_mm = mm;
	vma->vm_next = *link;
	*link = vma;
	mm->map_count++;
	return 0;
}

void __vma_unlink_list(struct mm_struct *mm, struct vm_area_struct *vma)
{
	for (struct vm_area_struct **link = &mm->mmap; *link;
	     link = &(*link)->vm_next) {
		if (*link == vma) {
			*link = vma->vm_next;
			vma->vm_next = NULL;
			mm->map_count--;
			return;
		}
	}
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = mm->mmap;

	while (vma && vma->vm_end <= addr)
		vma = vma->vm_next;
	return vma;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}

/* A user mapping: read-only unless VM_WRITE (no execute: UXN set). */
pte_t vm_get_page_prot(unsigned long vm_flags)
{
	return vm_flags & VM_WRITE ? PAGE_USER_RW : PAGE_USER_RW | PTE_RDONLY;
}

struct vm_area_struct *sim_vma_add(struct mm_struct *mm, unsigned long start,
				   unsigned long end, unsigned long vm_flags)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);

	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_flags = vm_flags;
	vma->vm_page_prot = vm_get_page_prot(vm_flags);
	if (insert_vm_struct(mm, vma)) {
		vm_area_free(vma);
		return NULL;
	}
	return vma;
}
