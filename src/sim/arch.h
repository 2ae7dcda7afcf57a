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
	/*
	 * SIM_LAZY_OFF: the arch does not select ARCH_HAS_LAZY_MMU_MODE.
	 * Otherwise the design its version has; lmm_run() takes the design
	 * from the kernel version (sim_design_default()) or --design.
	 */
	enum sim_lazy_layer lazy;

	/*
	 * The model's own state, zeroed by the machine: state_size bytes per
	 * machine (sim_arch_state()) and cpu_state_size bytes per CPU
	 * (sim_arch_cpu_state(cpu)). init() runs after boot, fini() before
	 * the machine is freed; both with the machine current (sim_machine()).
	 * A model keeps no state anywhere else.
	 */
	size_t state_size;
	size_t cpu_state_size;
	void (*init)(struct sim_machine *m);
	void (*fini)(struct sim_machine *m);

	/* page-table stores and reads */
	void (*set_pte_at)(struct mm_struct *mm, unsigned long addr,
			   pte_t *ptep, pte_t pte);
	/* set_ptes(): @nr consecutive entries mapping consecutive frames */
	void (*set_ptes)(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
			 pte_t pte, unsigned int nr);
	pte_t (*ptep_get)(pte_t *ptep);
	/* read-modify-write primitives are atomic (xchg / cmpxchg loop) */
	pte_t (*ptep_get_and_clear)(struct mm_struct *mm, unsigned long addr,
				    pte_t *ptep);
	void (*pte_clear)(struct mm_struct *mm, unsigned long addr,
			  pte_t *ptep);
	void (*ptep_set_wrprotect)(struct mm_struct *mm, unsigned long addr,
				   pte_t *ptep);
	pte_t (*ptep_modify_prot_start)(struct vm_area_struct *vma,
					unsigned long addr, pte_t *ptep);
	void (*ptep_modify_prot_commit)(struct vm_area_struct *vma,
					unsigned long addr, pte_t *ptep,
					pte_t old_pte, pte_t pte);
	/*
	 * ptep_clear_flush(): clear and flush this entry now, whatever a
	 * batch would do (mm/pgtable-generic.c; s390 ptep_xchg_direct())
	 */
	pte_t (*ptep_clear_flush)(struct vm_area_struct *vma,
				  unsigned long addr, pte_t *ptep);
	/* a table entry at @level (1 = pmd, 2 = pud, 3 = pgd) */
	void (*set_table_entry)(pte_t *ptep, pte_t entry, int level,
				unsigned long addr);
	void (*clear_table_entry)(pte_t *ptep, int level, unsigned long addr);

	/* TLB maintenance */
	void (*flush_tlb_kernel_range)(unsigned long start, unsigned long end);
	void (*flush_tlb_range)(struct mm_struct *mm, unsigned long start,
				unsigned long end);
	void (*flush_tlb_mm)(struct mm_struct *mm);
	void (*flush_tlb_page)(struct vm_area_struct *vma, unsigned long addr);

	/* the lazy MMU hooks */
	void (*arch_enter_lazy_mmu_mode)(void);
	void (*arch_leave_lazy_mmu_mode)(void);
	void (*arch_flush_lazy_mmu_mode)(void);
	/*
	 * lazy_mmu_mode_enable_with_ptes() of a proposal (s390, Gordeev's
	 * "s390/mm: Batch PTE updates in lazy MMU mode"): the outermost
	 * enable of a section whose caller names the PTE table range
	 * [@addr, @end) of @mm starting at @ptep. NULL: the plain
	 * arch_enter_lazy_mmu_mode() is called instead.
	 */
	void (*arch_enter_lazy_mmu_mode_for_pte_range)(struct mm_struct *mm,
						       unsigned long addr,
						       unsigned long end,
						       pte_t *ptep);

	/*
	 * Context switch, on every switch whatever caused it (preemption,
	 * sleep, exit, a task placed on an idle CPU): switch_out() with
	 * @prev still current (NULL: the CPU was idle), then switch_mm()
	 * if the address space changes, then switch_in() with @next current
	 * (NULL: the CPU goes idle). Xen's xen_start_context_switch(prev) /
	 * xen_end_context_switch(next); arm64's __switch_to().
	 */
	void (*switch_out)(struct task_struct *prev);
	void (*switch_mm)(struct mm_struct *prev, struct mm_struct *next);
	void (*switch_in)(struct task_struct *next);
	/* return from an exception or interrupt on this CPU */
	void (*exception_return)(void);

	/* DEBUG_PAGEALLOC: (un)map @n frames of the linear map */
	void (*kernel_map_pages)(unsigned long pfn, int n, bool enable);

	/*
	 * A kernel-mode translation fault at @addr: return true if it is
	 * spurious (the entry is valid in memory; the access may retry).
	 */
	bool (*spurious_fault)(unsigned long addr);

	/*
	 * A translation cache the model owns (powerpc hash HPT, sparc64 TSB,
	 * s390's per-CPU PTE cache), consulted on a TLB miss before the
	 * table walk: return true and the entry in @pte if the cache
	 * translates @addr for @mm on @cpu (possibly to an old frame: the
	 * cache survives TLB eviction until the model invalidates it).
	 * translate_fill() is told of every successful table walk, so the
	 * model can fill its cache (a hash fault inserting an HPTE).
	 */
	bool (*translate)(struct mm_struct *mm, unsigned long addr, int cpu,
			  pte_t *pte);
	void (*translate_fill)(struct mm_struct *mm, unsigned long addr,
			       int cpu, pte_t pte);
};

#define DEFINE_SIM_ARCH(ident, ...) \
	const struct sim_arch_ops ident = { __VA_ARGS__ }

/* The registered models (src/arch/arch.c). */
const struct sim_arch_ops *sim_arch_find(const char *name, const char *kernel);
extern const char *const sim_kernel_versions[];
extern const char *const sim_arch_names[];
/* Arches planned and not modelled: sim_arch_names[] holds none of them. */
extern const char *const sim_arch_planned[];

/*
 * Primitives as kernel code calls them: dispatch to the machine's model.
 * ptep_get_and_clear(), ptep_set_wrprotect() and ptep_modify_prot_start()
 * are atomic read-modify-writes: no scheduling point between their read
 * and their write.
 */
void set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		pte_t pte);
void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte,
	      unsigned int nr);
pte_t ptep_get(pte_t *ptep);
pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep);
void pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep);
void ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr, pte_t *ptep);
pte_t ptep_modify_prot_start(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep);
void ptep_modify_prot_commit(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep, pte_t old_pte, pte_t pte);
pte_t ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
		       pte_t *ptep);
void set_table_entry(pte_t *ptep, pte_t entry, int level, unsigned long addr);
void clear_table_entry(pte_t *ptep, int level, unsigned long addr);
/* set_pmd() / pmd_clear() of a pmd mapping @addr (an entry at level 1) */
void set_pmd(pte_t *pmdp, pte_t pmd, unsigned long addr);
void pmd_clear(pte_t *pmdp, unsigned long addr);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
void flush_tlb_range(struct mm_struct *mm, unsigned long start,
		     unsigned long end);
void flush_tlb_mm(struct mm_struct *mm);
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);
void __kernel_map_pages(unsigned long pfn, int n, bool enable);

/* The generic defaults (x86 native), for models to reuse. */
void generic_set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
			pte_t pte);
void generic_set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		      pte_t pte, unsigned int nr);
pte_t generic_ptep_get(pte_t *ptep);
pte_t generic_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				 pte_t *ptep);
void generic_pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep);
void generic_ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr,
				pte_t *ptep);
pte_t generic_ptep_modify_prot_start(struct vm_area_struct *vma,
				     unsigned long addr, pte_t *ptep);
void generic_ptep_modify_prot_commit(struct vm_area_struct *vma,
				     unsigned long addr, pte_t *ptep,
				     pte_t old_pte, pte_t pte);
pte_t generic_ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
			       pte_t *ptep);
void generic_set_table_entry(pte_t *ptep, pte_t entry, int level,
			     unsigned long addr);
void generic_clear_table_entry(pte_t *ptep, int level, unsigned long addr);
void generic_flush_tlb_kernel_range(unsigned long start, unsigned long end);
void generic_flush_tlb_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end);
void generic_flush_tlb_mm(struct mm_struct *mm);
void generic_flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);
void generic_kernel_map_pages(unsigned long pfn, int n, bool enable);

/* Hardware and model events a model emits. */
void sim_barrier(const char *insn);
void sim_batch_flush(const char *what);
/*
 * Deferred work, as the model keeps it in @queue (named @what): @n items
 * queued (an update of @ptep at @addr to @value, or, with @ptep NULL, work
 * tied to no entry such as owed barriers), or the oldest @n items paid.
 * What the sanitizer makes of them: an update queued while memory still
 * holds another value is a deferred store (the table changes when paid);
 * one whose value is in memory already is an owed invalidation (of the
 * model's translation cache). Pay an update after storing it.
 */
void sim_deferred_queued(const char *what, const void *queue, pte_t *ptep,
			 unsigned long addr, pte_t value, long n);
void sim_deferred_paid(const char *what, const void *queue, long n);

/*
 * The primitives above as models call them: each call names its line
 * (SIM_SITE_CALL(), sim.h), which every event it emits carries. Not
 * sim_pt_write() and the other machine stores: a PTE write names the
 * set_pte_at() (or other primitive) call that made it.
 */
#ifndef SIM_NO_SITES
#define set_pte_at(...) SIM_SITE_CALL_VOID(set_pte_at(__VA_ARGS__))
#define set_ptes(...) SIM_SITE_CALL_VOID(set_ptes(__VA_ARGS__))
#define ptep_get(...) SIM_SITE_CALL(pte_t, ptep_get(__VA_ARGS__))
#define ptep_get_and_clear(...) \
	SIM_SITE_CALL(pte_t, ptep_get_and_clear(__VA_ARGS__))
#define pte_clear(...) SIM_SITE_CALL_VOID(pte_clear(__VA_ARGS__))
#define ptep_set_wrprotect(...) \
	SIM_SITE_CALL_VOID(ptep_set_wrprotect(__VA_ARGS__))
#define ptep_modify_prot_start(...) \
	SIM_SITE_CALL(pte_t, ptep_modify_prot_start(__VA_ARGS__))
#define ptep_modify_prot_commit(...) \
	SIM_SITE_CALL_VOID(ptep_modify_prot_commit(__VA_ARGS__))
#define ptep_clear_flush(...) \
	SIM_SITE_CALL(pte_t, ptep_clear_flush(__VA_ARGS__))
#define set_table_entry(...) SIM_SITE_CALL_VOID(set_table_entry(__VA_ARGS__))
#define clear_table_entry(...) \
	SIM_SITE_CALL_VOID(clear_table_entry(__VA_ARGS__))
#define set_pmd(...) SIM_SITE_CALL_VOID(set_pmd(__VA_ARGS__))
#define pmd_clear(...) SIM_SITE_CALL_VOID(pmd_clear(__VA_ARGS__))
#define flush_tlb_kernel_range(...) \
	SIM_SITE_CALL_VOID(flush_tlb_kernel_range(__VA_ARGS__))
#define flush_tlb_range(...) SIM_SITE_CALL_VOID(flush_tlb_range(__VA_ARGS__))
#define flush_tlb_mm(...) SIM_SITE_CALL_VOID(flush_tlb_mm(__VA_ARGS__))
#define flush_tlb_page(...) SIM_SITE_CALL_VOID(flush_tlb_page(__VA_ARGS__))
#define __kernel_map_pages(...) \
	SIM_SITE_CALL_VOID(__kernel_map_pages(__VA_ARGS__))
#define sim_barrier(...) SIM_SITE_CALL_VOID(sim_barrier(__VA_ARGS__))
#define sim_batch_flush(...) SIM_SITE_CALL_VOID(sim_batch_flush(__VA_ARGS__))
#endif

#endif /* _LAZYMMU_SIM_ARCH_H */
