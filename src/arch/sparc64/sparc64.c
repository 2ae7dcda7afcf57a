// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * sparc64: arch/sparc/mm/tlb.c, arch/sparc/include/asm/tlbflush_64.h,
 * arch/sparc/include/asm/pgtable_64.h (__set_pte_at(),
 * maybe_tlb_batch_add()), arch/sparc/mm/init_64.c
 * (flush_tlb_kernel_range(), __kernel_map_pages()), as in v6.16/v6.17
 * (tb->active; a1d416bf9faf preemption off in the section) and v7.0/v7.1
 * (dacd24ec4965 is_lazy_mmu_mode_active(), 442bf488b9e8
 * arch_flush_lazy_mmu_mode()).
 *
 * What is deferred (style 3 of docs/design.md): a PTE store is in memory
 * at once, but the TSB (a software translation cache the TLB-miss handler
 * reads before the page tables) and the TLBs keep the old translation
 * until flushed. __set_pte_at() owes a TSB+TLB flush when a user mm's
 * valid entry changes: tlb_batch_add_one() queues it in the per-CPU
 * tlb_batch while lazy, else flushes at once. Kernel mappings (init_mm)
 * are never batched: flush_tlb_kernel_range() flushes them, so vmalloc
 * costs no batch flush. flush_tlb_mm/page/range() do nothing.
 */
#include <string.h>

#include "mm/memory.h"
#include "sim/arch.h"
#include "sim/sim.h"

/* asm/tlbflush_64.h */
#define TLB_BATCH_NR 192

/*
 * The TSB: direct-mapped, one entry per slot, tagged with the context.
 * The kernel has a TSB for init_mm (KERNEL_TSB_NENTRIES) and one per user
 * mm that grows with its RSS (tsb_grow()); the model has one table of
 * TSB_ENTRIES for all, indexed by page and context. A new entry replaces
 * whatever held its slot: the TSB is a cache the TLB-miss handler reads,
 * and dropping an entry needs no TLB flush.
 */
#define TSB_ENTRIES 4096

struct tsb_entry {
	unsigned long vpn;
	pte_t pte;
	uint16_t ctx;
	bool valid;
};

struct sparc64_tsb {
	struct tsb_entry e[TSB_ENTRIES];
};

/* asm/tlbflush_64.h: struct tlb_batch, per CPU */
struct tlb_batch {
	unsigned int hugepage_shift;
	struct mm_struct *mm;
	unsigned long tlb_nr;
	unsigned long active; /* before 7.0: the CPU is in lazy MMU mode */
	unsigned long vaddrs[TLB_BATCH_NR];
};

static struct tlb_batch *this_batch(void)
{
	return sim_arch_cpu_state(smp_processor_id());
}

static struct sparc64_tsb *tsb(void)
{
	return sim_arch_state();
}

/* CTX_HWBITS(mm->context): the machine's ASID; the kernel's context is 0 */
static uint16_t mm_ctx(struct mm_struct *mm, unsigned long addr)
{
	return addr >= PAGE_OFFSET ? 0 : mm->asid;
}

/*
 * The linear map: sparc64 maps it with large pages through
 * kern_linear_pte_xor (or, with DEBUG_PAGEALLOC, the kernel page tables),
 * not through the TSB entries the model keeps: it translates through the
 * table, which __kernel_map_pages() rewrites.
 */
static bool is_linear_addr(unsigned long addr)
{
	return addr >= PAGE_OFFSET && addr < VMALLOC_START;
}

static struct tsb_entry *tsb_slot(unsigned long vpn, uint16_t ctx)
{
	return &tsb()->e[(vpn ^ ((unsigned long)ctx << 7)) % TSB_ENTRIES];
}

static void tsb_flush_page(unsigned long addr, uint16_t ctx)
{
	struct tsb_entry *e = tsb_slot(addr >> PAGE_SHIFT, ctx);

	if (e->valid && e->vpn == addr >> PAGE_SHIFT && e->ctx == ctx)
		e->valid = false;
}

/* ---- the MMU: TLB miss → TSB → page tables ------------------------------- */

static bool sparc64_translate(struct mm_struct *mm, unsigned long addr, int cpu,
			      pte_t *pte)
{
	uint16_t ctx = mm_ctx(mm, addr);
	struct tsb_entry *e = tsb_slot(addr >> PAGE_SHIFT, ctx);

	(void)cpu;
	if (is_linear_addr(addr) || !e->valid || e->vpn != addr >> PAGE_SHIFT ||
	    e->ctx != ctx)
		return false;
	*pte = e->pte;
	return true;
}

/* The TSB miss handler loads the entry it found in the tables. */
static void sparc64_translate_fill(struct mm_struct *mm, unsigned long addr,
				   int cpu, pte_t pte)
{
	uint16_t ctx = mm_ctx(mm, addr);

	(void)cpu;
	if (is_linear_addr(addr))
		return;
	*tsb_slot(addr >> PAGE_SHIFT, ctx) = (struct tsb_entry){
		.vpn = addr >> PAGE_SHIFT, .pte = pte, .ctx = ctx, .valid = true
	};
}

/* ---- tlb.c: flush_tlb_pending(), tlb_batch_add_one() --------------------- */

/*
 * global_flush_tlb_page() (smp_flush_tlb_page(): every CPU the mm ran on;
 * the model: every CPU).
 */
static void global_flush_tlb_page(struct mm_struct *mm, unsigned long vaddr)
{
	sim_tlb_inval_page(-1, vaddr, mm->asid);
}

/*
 * flush_tlb_pending(): flush_tsb_user() drops the batch's TSB entries,
 * then one page flush or one smp_flush_tlb_pending() cross-call for all
 * (one TLB demap per address). The batch is emptied first: an interrupt at
 * one of the demaps' scheduling points finds it empty (the kernel's
 * cross-call runs with the batch's CPU held by get_cpu_var()).
 */
static void flush_tlb_pending(void)
{
	struct tlb_batch *tb = this_batch();
	unsigned long vaddrs[TLB_BATCH_NR], nr = tb->tlb_nr;
	struct mm_struct *mm = tb->mm;

	if (!nr)
		return;
	memcpy(vaddrs, tb->vaddrs, nr * sizeof(vaddrs[0]));
	tb->tlb_nr = 0;
	sim_batch_flush(nr == 1 ? "flush_tlb_pending" :
				  "flush_tlb_pending: smp_flush_tlb_pending");
	for (unsigned long i = 0; i < nr; i++)
		tsb_flush_page(vaddrs[i], mm->asid);
	for (unsigned long i = 0; i < nr; i++) {
		global_flush_tlb_page(mm, vaddrs[i]);
		sim_deferred_paid("tlb_batch", tb, 1);
	}
}

/*
 * Whether tlb_batch_add_one() batches: v6.16/v6.17 the per-CPU tb->active
 * (an interrupt inside a section batches too; any leave ends it); v7.0
 * the generic layer (false in interrupt context).
 */
static bool batching_616(struct tlb_batch *tb)
{
	return tb->active;
}

static bool batching_70(struct tlb_batch *tb)
{
	(void)tb;
	return is_lazy_mmu_mode_active();
}

static void tlb_batch_add_one(struct mm_struct *mm, unsigned long vaddr,
			      pte_t *ptep, pte_t pte,
			      bool (*batching)(struct tlb_batch *))
{
	unsigned int hugepage_shift = PAGE_SHIFT;
	struct tlb_batch *tb;
	unsigned long nr;

	preempt_disable(); /* get_cpu_var() */
	tb = this_batch();
	nr = tb->tlb_nr;
	if (nr != 0 && mm != tb->mm) {
		flush_tlb_pending();
		nr = 0;
	}
	if (!batching(tb)) {
		/* flush_tsb_user_page(), global_flush_tlb_page() */
		tsb_flush_page(vaddr, mm->asid);
		global_flush_tlb_page(mm, vaddr);
		sim_unbatched_update();
		preempt_enable(); /* put_cpu_var() */
		return;
	}
	if (nr == 0) {
		tb->mm = mm;
		tb->hugepage_shift = hugepage_shift;
	}
	if (tb->hugepage_shift != hugepage_shift) {
		flush_tlb_pending();
		tb->hugepage_shift = hugepage_shift;
		nr = 0;
	}
	tb->vaddrs[nr] = vaddr;
	tb->tlb_nr = ++nr;
	sim_deferred_queued("tlb_batch", tb, ptep, vaddr, pte, 1);
	if (nr >= TLB_BATCH_NR)
		flush_tlb_pending();
	preempt_enable();
}

/*
 * maybe_tlb_batch_add() (pgtable_64.h): only a user mm's entry that was
 * valid (pte_accessible()); "it is more efficient to let
 * flush_tlb_kernel_range() handle init_mm tlb flushes". tlb_batch_add()
 * adds it unless fullmm (exit_mmap(), which the model has no path for).
 */
static void maybe_tlb_batch_add(struct mm_struct *mm, unsigned long vaddr,
				pte_t *ptep, pte_t orig, pte_t pte,
				bool (*batching)(struct tlb_batch *))
{
	if (mm != &sim_machine()->init_mm && pte_valid(orig))
		tlb_batch_add_one(mm, vaddr, ptep, pte, batching);
}

static pte_t sparc64_ptep_get(pte_t *ptep)
{
	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	return *ptep;
}

/*
 * __set_pte_at(): store, then maybe_tlb_batch_add() of the old entry.
 * pte_clear() is set_pte_at() of 0. ptep_get_and_clear() and
 * ptep_set_wrprotect() are the generic ones (include/linux/pgtable.h: a
 * read, then pte_clear() / set_pte_at(), under the PTE lock); the model
 * makes the read and store one atomic step as the machine's rule wants,
 * then adds to the batch as __set_pte_at() does.
 */
#define SPARC64_VERSION(v)                                                    \
	static void set_pte_at_##v(struct mm_struct *mm, unsigned long addr,  \
				   pte_t *ptep, pte_t pte)                    \
	{                                                                     \
		pte_t orig = *ptep;                                           \
		sim_pt_write(ptep, pte, addr, SIM_PT_SEEN);                   \
		maybe_tlb_batch_add(mm, addr, ptep, orig, pte, batching_##v); \
	}                                                                     \
	static void pte_clear_##v(struct mm_struct *mm, unsigned long addr,   \
				  pte_t *ptep)                                \
	{                                                                     \
		set_pte_at_##v(mm, addr, ptep, 0);                            \
	}                                                                     \
	static pte_t ptep_get_and_clear_##v(struct mm_struct *mm,             \
					    unsigned long addr, pte_t *ptep)  \
	{                                                                     \
		pte_t orig = sim_pt_xchg(ptep, 0, addr, SIM_PT_SEEN);         \
		maybe_tlb_batch_add(mm, addr, ptep, orig, 0, batching_##v);   \
		return orig;                                                  \
	}                                                                     \
	static void ptep_set_wrprotect_##v(struct mm_struct *mm,              \
					   unsigned long addr, pte_t *ptep)   \
	{                                                                     \
		pte_t old;                                                    \
		do {                                                          \
			old = sparc64_ptep_get(ptep);                         \
		} while (sim_pt_cmpxchg(ptep, old, pte_wrprotect(old), addr,  \
					SIM_PT_SEEN) != old);                 \
		maybe_tlb_batch_add(mm, addr, ptep, old, pte_wrprotect(old),  \
				    batching_##v);                            \
	}

SPARC64_VERSION(616)
SPARC64_VERSION(70)

/* ---- the lazy MMU hooks (tlb.c) ------------------------------------------- */

/*
 * v6.16/v6.17: enter disables preemption (a1d416bf9faf, v6.15) and marks
 * the batch active; leave flushes it, clears active (a nested leave too)
 * and re-enables preemption. No arch_flush_lazy_mmu_mode().
 */
static void arch_enter_616(void)
{
	preempt_disable();
	this_batch()->active = 1;
}

static void arch_leave_616(void)
{
	struct tlb_batch *tb = this_batch();

	if (tb->tlb_nr)
		flush_tlb_pending();
	tb->active = 0;
	preempt_enable();
}

/*
 * v7.0 (dacd24ec4965, 442bf488b9e8): enter only disables preemption;
 * flush flushes pending entries; leave flushes and re-enables preemption.
 */
static void arch_enter_70(void)
{
	preempt_disable();
}

static void arch_flush_70(void)
{
	if (this_batch()->tlb_nr)
		flush_tlb_pending();
}

static void arch_leave_70(void)
{
	arch_flush_70();
	preempt_enable();
}

/* ---- TLB maintenance ------------------------------------------------------- */

/* flush_tlb_mm(), flush_tlb_page(), flush_tlb_range(): empty inlines */
static void sparc64_flush_tlb_range(struct mm_struct *mm, unsigned long start,
				    unsigned long end)
{
	(void)mm;
	(void)start;
	(void)end;
}

static void sparc64_flush_tlb_mm(struct mm_struct *mm)
{
	(void)mm;
}

static void sparc64_flush_tlb_page(struct vm_area_struct *vma,
				   unsigned long addr)
{
	(void)vma;
	(void)addr;
}

/*
 * flush_tlb_kernel_range() → do_flush_tlb_kernel_range():
 * flush_tsb_kernel_range(), then smp_flush_tlb_kernel_range(), a
 * cross-call of __flush_tlb_kernel_range() (arch/sparc/mm/ultra.S), which
 * demaps page by page and, from 256 KiB up, the whole TLB instead
 * (a74ad5e660a9, 2017; the threshold as recalled, not checked in a stored
 * tree). The OBP hole split does not arise in the machine's layout.
 */
#define KERNEL_RANGE_SLOW (1UL << 18)

static void sparc64_flush_tlb_kernel_range(unsigned long start,
					   unsigned long end)
{
	for (unsigned long a = start; a < end && a >= start; a += PAGE_SIZE)
		tsb_flush_page(a, 0);
	if (end - start >= KERNEL_RANGE_SLOW) {
		sim_tlb_inval_all(-1);
		return;
	}
	for (unsigned long a = start; a < end; a += PAGE_SIZE)
		sim_tlb_inval_page(-1, a, TLB_ASID_ALL);
}

#define SPARC64_COMMON(v)                                            \
	.name = "sparc64", .state_size = sizeof(struct sparc64_tsb), \
	.cpu_state_size = sizeof(struct tlb_batch),                  \
	.set_pte_at = set_pte_at_##v, .ptep_get = sparc64_ptep_get,  \
	.pte_clear = pte_clear_##v,                                  \
	.ptep_get_and_clear = ptep_get_and_clear_##v,                \
	.ptep_set_wrprotect = ptep_set_wrprotect_##v,                \
	.flush_tlb_kernel_range = sparc64_flush_tlb_kernel_range,    \
	.flush_tlb_range = sparc64_flush_tlb_range,                  \
	.flush_tlb_mm = sparc64_flush_tlb_mm,                        \
	.flush_tlb_page = sparc64_flush_tlb_page,                    \
	.translate = sparc64_translate,                              \
	.translate_fill = sparc64_translate_fill

/*
 * __kernel_map_pages() (init_64.c): kernel_map_range(), the kernel TSB
 * range, and this CPU's TLB only ("we should perform an IPI and flush all
 * tlbs, but that can deadlock"): the generic default, which rewrites the
 * linear-map entries and flushes the local TLB.
 */
DEFINE_SIM_ARCH(sparc64_6_16_ops, SPARC64_COMMON(616), .kernel = "6.16",
		.models = "arch/sparc/mm/tlb.c, asm/tlbflush_64.h, "
			  "asm/pgtable_64.h (tb->active, v6.16)",
		.lazy = SIM_LAZY_DIRECT,
		.arch_enter_lazy_mmu_mode = arch_enter_616,
		.arch_leave_lazy_mmu_mode = arch_leave_616);

DEFINE_SIM_ARCH(sparc64_7_0_ops, SPARC64_COMMON(70), .kernel = "7.0",
		.models = "arch/sparc/mm/tlb.c, asm/tlbflush_64.h, "
			  "asm/pgtable_64.h (is_lazy_mmu_mode_active(), v7.0)",
		.lazy = SIM_LAZY_NESTING,
		.arch_enter_lazy_mmu_mode = arch_enter_70,
		.arch_leave_lazy_mmu_mode = arch_leave_70,
		.arch_flush_lazy_mmu_mode = arch_flush_70);
