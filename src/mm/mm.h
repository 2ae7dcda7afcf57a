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

unsigned long get_vm_area(unsigned long nr_pages); /* 0: no room */
struct vm_struct *vmalloc(unsigned long nr_pages);
void vfree(struct vm_struct *area);
int vmap_pages_range(unsigned long addr, unsigned long end,
		     const unsigned long *pages);
void vunmap_range(unsigned long addr, unsigned long end);

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
