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

unsigned long vmap(const unsigned long *pages, unsigned long nr_pages);
void vunmap(unsigned long addr);

/* mm/kasan/shadow.c (src/mm/kasan_shadow.c): the vmalloc area's shadow */
unsigned long kasan_mem_to_shadow(unsigned long addr);
int kasan_populate_vmalloc(unsigned long addr, unsigned long size);
void kasan_release_vmalloc(unsigned long start, unsigned long end);

/* ---- mm/mmu_gather.c, include/asm-generic/tlb.h --------------------------- */

/*
 * MAX_GATHER_BATCH: the pages one batch page holds ((PAGE_SIZE - the
 * header) / sizeof(void *), 510 at 4K); MAX_GATHER_BATCH_COUNT: batch
 * pages per gather (10000UL / MAX_GATHER_BATCH, 19); MMU_GATHER_BUNDLE: the
 * batch inside struct mmu_gather itself.
 */
#define MAX_GATHER_BATCH ((PAGE_SIZE - 2 * sizeof(void *)) / sizeof(void *))
#define MAX_GATHER_BATCH_COUNT (10000UL / MAX_GATHER_BATCH)
#define MMU_GATHER_BUNDLE 8

/*
 * A batch of pages to free after the TLB flush. @pfn is the frame the
 * kernel's batch lives in (0: the bundle inside the gather); its list of
 * pages is a kernel object beside it.
 */
struct mmu_gather_batch {
	struct mmu_gather_batch *next;
	unsigned int nr;
	unsigned int max;
	unsigned long pfn;
	unsigned long *pages; /* pfns */
};

struct mmu_gather {
	struct mm_struct *mm;
	unsigned long start, end; /* the range to flush; end == 0: none */
	bool fullmm;
	bool freed_tables;
	unsigned int batch_count;
	struct mmu_gather_batch *active;
	struct mmu_gather_batch local;
	unsigned long __pages[MMU_GATHER_BUNDLE];
	/* what the gather did (tests, docs): batch pages tried, failed */
	unsigned int nr_batch_alloc, nr_batch_fail;
};

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm);
void tlb_gather_mmu_fullmm(struct mmu_gather *tlb, struct mm_struct *mm);
/* __tlb_adjust_range(): extend the range the flush covers. */
void tlb_flush_pte_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
/* true: the batch is full and no new one could be had (force a flush) */
bool __tlb_remove_folio_pages(struct mmu_gather *tlb, unsigned long pfn,
			      unsigned int nr_pages);
void tlb_remove_page(struct mmu_gather *tlb, unsigned long pfn);
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

/* ---- page faults: mm/memory.c handle_mm_fault() (src/mm/fault.c) ---------- */

#define VM_FAULT_OOM 0x0001U
#define VM_FAULT_SIGSEGV 0x0040U
#define FAULT_FLAG_WRITE 0x01U

unsigned int handle_mm_fault(struct vm_area_struct *vma, unsigned long addr,
			     unsigned int flags);
/*
 * The user accesses of the workloads' tasks, as a user program's load or
 * store: a fault goes to the fault handler (do_page_fault() → find_vma()
 * → handle_mm_fault()) and the access is retried. false: SIGSEGV (no VMA,
 * or no permission), which the caller expected or reports.
 */
bool user_load(unsigned long addr, uint64_t *val);
bool user_store(unsigned long addr, uint64_t val);

/* ---- the kernel paths ------------------------------------------------------ */

/* kernel/fork.c dup_mmap() with mm/memory.c copy_pte_range() */
struct mm_struct *dup_mmap(struct mm_struct *oldmm);
/* mm/vma.c do_vmi_munmap() → unmap_region(), mm/memory.c zap_pte_range() */
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
/* mm/mprotect.c mprotect_fixup() → change_protection() */
int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		unsigned long vm_flags);
/* mm/mremap.c move_vma() → move_page_tables() → move_ptes() */
unsigned long do_mremap(struct mm_struct *mm, unsigned long old_addr,
			unsigned long len, unsigned long new_addr);

/*
 * fs/proc/task_mmu.c: PAGEMAP_SCAN with PM_SCAN_WP_MATCHING (and no output
 * vector) over [@start, @end) of @mm; pte_uffd_wp() of a present entry;
 * whether the arch has uffd-wp (HAVE_ARCH_USERFAULTFD_WP).
 */
long do_pagemap_scan_wp(struct mm_struct *mm, unsigned long start,
			unsigned long end);
bool pte_uffd_wp(pte_t pte);
bool pgtable_supports_uffd_wp(void);

/* mm/migrate_device.c (include/linux/migrate.h) */
struct migrate_vma {
	struct vm_area_struct *vma;
	unsigned long *dst; /* migrate_pfn() of each new page, or 0 */
	unsigned long *src; /* migrate_pfn() | MIGRATE_PFN_* of each page */
	unsigned long cpages; /* pages collected */
	unsigned long npages; /* entries of src and dst */
	unsigned long start, end;
};

int migrate_vma_setup(struct migrate_vma *args);
void migrate_vma_finalize(struct migrate_vma *migrate);

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
	/*
	 * the fewest pages that reach the workload's chain, if more than
	 * lazymmu check's default of 4 (0: the default will do)
	 */
	unsigned long check_pages;
};

extern const struct lmm_workload lmm_workloads[];

/* src/mm/user.c: what the user-space workloads share */
#define LMM_USER_BASE 0x0000000400000000UL /* the VMA a workload maps */
#define LMM_USER_MOVED 0x0000000800000000UL /* where mremap moves it */

/*
 * What the first task publishes (sim_machine()->workload) for the CPUs
 * that work alongside it: they run in @mm and read and write
 * [@start, @start + @pages pages) until @done.
 */
struct lmm_user_run {
	struct mm_struct *mm; /* NULL: kernel addresses (init_mm) */
	unsigned long start;
	unsigned long pages;
	unsigned long passes; /* full passes the other CPUs' threads made */
	unsigned int stopped; /* the other CPUs' threads that saw @done */
	bool done;
};

/* The value a workload keeps in the first word of its page at @addr. */
static inline uint64_t lmm_token(unsigned long addr)
{
	return (uint64_t)addr ^ 0x5eed000000000001ULL;
}

/*
 * lmm_user_setup() - the first task's user mm: an anonymous private VMA
 * of @pages pages at LMM_USER_BASE with @vm_flags, each page faulted in
 * by a store of its token; the task then runs in it. NULL if it failed
 * (reported as bad-access).
 */
struct mm_struct *lmm_user_setup(unsigned long pages, unsigned long vm_flags);
/* Publish [@start, +@pages) of @mm to the other CPUs' tasks. */
struct lmm_user_run *lmm_user_publish(struct mm_struct *mm, unsigned long start,
				      unsigned long pages);
/* The task of every CPU but the first: read and write what is published. */
void lmm_user_accessor(void);
/* Whether the current task is the workload's first (its CPU 0 at start). */
bool lmm_user_first(void);
/* Check each page of [start, +pages) in the current mm: @want readable
 * with its token of @token_base, @writable or not, or unmapped if !@want. */
void lmm_user_check(const char *what, unsigned long start,
		    unsigned long token_base, unsigned long pages, bool want,
		    bool writable);

/*
 * lmm_user_task() - a user workload's task: on the first CPU, build the mm
 * (lmm_user_setup()), publish it, run @path, then let the others stop; on
 * the others, lmm_user_accessor().
 */
void lmm_user_task(unsigned long pages, unsigned long vm_flags,
		   void (*path)(struct mm_struct *mm, unsigned long pages));
void lmm_user_done(void);
/* lmm_user_done(), then wait until every other CPU's thread has stopped. */
void lmm_user_stop(void);
/* Wait until the other CPUs' threads have made, between them, one pass
 * over the pages per CPU. */
void lmm_user_wait_passes(void);

void fork_task(void *arg);
void munmap_task(void *arg);
void debug_pagealloc_task(void *arg);
void alloc_write_task(void *arg);
void mprotect_task(void *arg);
void mremap_task(void *arg);
void vunmap_task(void *arg);
void kasan_populate_task(void *arg);
void kasan_depopulate_task(void *arg);
void bpf_arena_free_task(void *arg);
void pagemap_wp_task(void *arg);
void migrate_collect_task(void *arg);
/* ctxsw.c */
void ctxsw_task(void *arg);
void kunit_task(void *arg);
void kunit_irq(void *arg);
void lmm_kernel_share(unsigned long addr, unsigned long pages);
const struct lmm_workload *lmm_workload_find(const char *name);
/*
 * lmm_workload_debug_pagealloc() - whether @w's chain needs
 * CONFIG_DEBUG_PAGEALLOC (debug-pagealloc, alloc-write): its runs turn it
 * on, whatever --debug-pagealloc says.
 */
bool lmm_workload_debug_pagealloc(const struct lmm_workload *w);

#endif /* _LAZYMMU_MM_MM_H */
