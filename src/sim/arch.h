/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The architecture interface: the kernel's arch primitives that the mm paths
 * and the machine call. Each src/arch/<arch>/ model fills one table per
 * kernel version with DEFINE_SIM_ARCH(); a NULL member takes the generic
 * default of src/sim/arch.c (x86 native behaviour: stores are visible at
 * once, no lazy mode).
 *
 * Every primitive runs on the current CPU for the current task.
 */
#ifndef _LAZYMMU_SIM_ARCH_H
#define _LAZYMMU_SIM_ARCH_H

#include "sim/sim.h"

struct sim_arch_ops {
	const char *name; /* "arm64" */
	const char *kernel; /* "7.0" */
	const char *models; /* kernel files this table models */
	enum sim_lazy_layer lazy; /* generic layer of this kernel version */

	/* page-table stores and reads */
	void (*set_pte_at)(struct mm_struct *mm, unsigned long addr,
			   pte_t *ptep, pte_t pte);
	pte_t (*ptep_get)(pte_t *ptep);
	pte_t (*ptep_get_and_clear)(struct mm_struct *mm, unsigned long addr,
				    pte_t *ptep);
	/* a table entry at @level (1 = pmd, 2 = pud, 3 = pgd) */
	void (*set_table_entry)(pte_t *ptep, pte_t entry, int level,
				unsigned long addr);

	/* TLB maintenance */
	void (*flush_tlb_kernel_range)(unsigned long start, unsigned long end);
	void (*flush_tlb_range)(struct mm_struct *mm, unsigned long start,
				unsigned long end);

	/* the lazy MMU hooks */
	void (*arch_enter_lazy_mmu_mode)(void);
	void (*arch_leave_lazy_mmu_mode)(void);
	void (*arch_flush_lazy_mmu_mode)(void);

	/* context switch: prev is still current when this runs */
	void (*switch_to)(struct task_struct *prev, struct task_struct *next);
	/* return from an exception or interrupt on this CPU */
	void (*exception_return)(void);

	/* DEBUG_PAGEALLOC: (un)map @n frames of the linear map */
	void (*kernel_map_pages)(unsigned long pfn, int n, bool enable);

	/*
	 * A kernel-mode translation fault at @addr: return true if it is
	 * spurious (the entry is valid in memory; the access may retry).
	 */
	bool (*spurious_fault)(unsigned long addr);
};

#define DEFINE_SIM_ARCH(ident, ...) \
	const struct sim_arch_ops ident = { __VA_ARGS__ }

/* The registered models (src/arch/arch.c). */
const struct sim_arch_ops *sim_arch_find(const char *name, const char *kernel);
extern const char *const sim_kernel_versions[];
extern const char *const sim_arch_names[];

/* Primitives as kernel code calls them: dispatch to the machine's model. */
void set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		pte_t pte);
pte_t ptep_get(pte_t *ptep);
pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep);
void set_table_entry(pte_t *ptep, pte_t entry, int level, unsigned long addr);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
void flush_tlb_range(struct mm_struct *mm, unsigned long start,
		     unsigned long end);
void __kernel_map_pages(unsigned long pfn, int n, bool enable);

/* The generic defaults (x86 native), for models to reuse. */
void generic_set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
			pte_t pte);
pte_t generic_ptep_get(pte_t *ptep);
pte_t generic_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				 pte_t *ptep);
void generic_set_table_entry(pte_t *ptep, pte_t entry, int level,
			     unsigned long addr);
void generic_flush_tlb_kernel_range(unsigned long start, unsigned long end);
void generic_flush_tlb_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end);
void generic_kernel_map_pages(unsigned long pfn, int n, bool enable);

/* Hardware and model events a model emits. */
void sim_barrier(const char *insn);
void sim_batch_flush(const char *what);

#endif /* _LAZYMMU_SIM_ARCH_H */
