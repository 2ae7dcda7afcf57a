/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The kernel paths that open lazy MMU sections, and the workloads built
 * from them.
 */
#ifndef _LAZYMMU_MM_MM_H
#define _LAZYMMU_MM_MM_H

#include "mm/memory.h"
#include "sim/sim.h"

/* mm/vmalloc.c */
struct vm_struct {
	unsigned long addr;
	unsigned long nr_pages;
	unsigned long *pages; /* pfns */
};

/*
 * A range of the vmalloc area (struct vmap_area): busy from get_vm_area()
 * to vfree(), then lazily freed, its PTEs cleared but its TLB entries not
 * yet flushed, until __purge_vmap_area_lazy(). [va_start, va_end) includes
 * the guard page. Machine-owned (kzalloc()), linked by address from
 * sim_machine.vmap_areas.
 */
struct vmap_area {
	unsigned long va_start;
	unsigned long va_end;
	bool lazy; /* on the purge list */
	bool purging; /* being purged: still busy until the flush is done */
	struct vmap_area *next;
};

unsigned long get_vm_area(unsigned long nr_pages); /* 0: no room */
struct vm_struct *vmalloc(unsigned long nr_pages);
void vfree(struct vm_struct *area);
int vmap_pages_range(unsigned long addr, unsigned long end,
		     const unsigned long *pages);
void vunmap_range_noflush(unsigned long addr, unsigned long end);
void vunmap_range(unsigned long addr, unsigned long end);
unsigned long lazy_max_pages(void);
void vm_unmap_aliases(void);

/* workloads.c */
struct lmm_workload_params {
	unsigned long pages;
};

struct lmm_workload {
	const char *name;
	const char *comm; /* its tasks' name (TASK_COMM_LEN with "/cpu") */
	const char *summary;
	const char *models; /* kernel paths */
	void (*task)(void *params); /* one instance per CPU */
	void (*irq)(void *params); /* what an interrupt does, or NULL */
};

extern const struct lmm_workload lmm_workloads[];
const struct lmm_workload *lmm_workload_find(const char *name);

#endif /* _LAZYMMU_MM_MM_H */
