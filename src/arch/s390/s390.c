// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * s390: arch/s390/include/asm/pgtable.h, arch/s390/mm/pgtable.c,
 * arch/s390/include/asm/tlbflush.h as in v6.16 .. v7.1 (no lazy MMU mode:
 * s390 does not select ARCH_HAS_LAZY_MMU_MODE), and Alexander Gordeev's
 * series "s390/mm: Batch PTE updates in lazy MMU mode" (RFC 2026-03-25,
 * cover.1774420056.git.agordeev@linux.ibm.com; v6 2026-07-15,
 * cover.1784121418.git.agordeev@linux.ibm.com) on 7.1, run as the kernel
 * label "7.1+lazy-v6".
 *
 * Mainline: a valid PTE may not be changed while a CPU may use it; it is
 * first invalidated with IPTE (invalidate the entry and purge it from every
 * CPU's TLB), then the new value is stored: ptep_xchg_lazy() /
 * ptep_xchg_direct() → ptep_flush_lazy() / ptep_flush_direct() →
 * __ptep_ipte(). One IPTE per update of a valid entry, counted as one TLB
 * invalidation. An invalid entry is stored with no IPTE (set_pte()).
 *
 * The series: lazy_mmu_mode_enable_with_ptes(mm, addr, end, ptep) sets up
 * a per-CPU cache of new values for the entries of one PTE table;
 * ptep_get(), set_pte() and the read-modify-writes go through it, memory
 * keeps the old values, and flush and leave apply the cache with IPTEs of
 * up to 256 entries each. The cache holds values not yet in memory (the
 * machine's deferral style 2): a direct dereference of such a PTE reads the
 * old value, which the series' KASAN "direct-pte-access" catches and the
 * sanitizer reports as deferred-access.
 */
#include <string.h>

#include "sim/arch.h"
#include "sim/sim.h"

/* IPTE's range form invalidates at most 256 consecutive entries. */
#define IPTE_RANGE_MAX 256

/*
 * Per CPU: the series' cache (a lowcore flag says it is active, as Heiko
 * Carstens asked in v3). @val[i] is the new value of entry i of the range
 * if bit i of @dirty is set; @nr_queued counts the updates reported as
 * queued, paid all at once when the cache is applied.
 */
struct s390_lazy_cpu {
	bool active;
	struct mm_struct *mm;
	pte_t *ptep; /* the first entry of the range */
	unsigned long addr; /* the address it maps */
	unsigned int nr; /* entries in the range */
	unsigned long nr_queued;
	uint64_t dirty[PTRS_PER_TABLE / 64];
	pte_t val[PTRS_PER_TABLE];
};

static struct s390_lazy_cpu *lazy_cpu(void)
{
	return sim_arch_cpu_state(smp_processor_id());
}

/* ---- mainline: IPTE per update ----------------------------------------- */

/* mm->context (mm_context_t, arch/s390/include/asm/mmu.h), as the model keeps it */
#define S390_ATTACH 0 /* cpu_attach_mask: the CPUs the mm is attached to */
#define S390_FLUSH_MM 1 /* flush_mm: a TLB flush ptep_flush_lazy() put off */

/*
 * Whether only this CPU has @mm attached (cpumask_equal(&mm->context.
 * cpu_attach_mask, cpumask_of(smp_processor_id())) in ptep_flush_lazy()).
 * init_mm never: each CPU sets itself in init_mm's mask as it comes
 * online and, since kernel threads borrow the previous mm, nothing
 * clears it, so on a machine of more than one CPU the kernel's own
 * mappings always take the IPTE path. A one-CPU machine keeps that path
 * too: the model does not simulate the boot that would attach only CPU 0.
 */
static bool attached_here_only(struct mm_struct *mm)
{
	if (!mm || mm == &sim_machine()->init_mm)
		return false;
	return mm->context[S390_ATTACH] == 1UL << smp_processor_id();
}

/*
 * ptep_xchg_lazy() (arch/s390/mm/pgtable.c, v6.16 .. v7.1: read in
 * patches against 6.17-6.19 and in linux-next 09691f6b7478, unchanged in
 * shape since 4.13): a valid old entry is flushed by ptep_flush_lazy(),
 * which issues IPTE unless only this CPU has the mm attached; then it
 * only marks the entry invalid and sets mm->context.flush_mm, leaving the
 * purge of this CPU's TLB to the next __tlb_flush_mm_lazy() (flush_tlb_mm/
 * range(), or the next switch into the mm). Then the new value is stored.
 * An invalid old entry is just replaced.
 */
static void ptep_flush_lazy(struct mm_struct *mm, unsigned long addr, pte_t old)
{
	if (!pte_valid(old))
		return;
	if (attached_here_only(mm)) {
		mm->context[S390_FLUSH_MM] = 1;
		return;
	}
	sim_tlb_inval_page(-1, addr, TLB_ASID_ALL); /* IPTE */
	if (sim_in_section())
		sim_unbatched_update();
}

static pte_t ptep_xchg(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		       pte_t new)
{
	pte_t old;

	preempt_disable();
	old = sim_pt_xchg(ptep, 0, addr, SIM_PT_SEEN);
	ptep_flush_lazy(mm, addr, old);
	if (new)
		sim_pt_write(ptep, new, addr, SIM_PT_SEEN);
	preempt_enable();
	return old;
}

/*
 * __tlb_flush_mm_lazy() (arch/s390/include/asm/tlbflush.h): if a flush
 * was put off, __tlb_flush_mm(): one IDTE of the mm's ASCE (or a global
 * purge), every CPU.
 */
static void tlb_flush_mm_lazy(struct mm_struct *mm)
{
	if (!mm || !mm->context[S390_FLUSH_MM])
		return;
	mm->context[S390_FLUSH_MM] = 0;
	sim_tlb_inval_asid(-1, mm->asid);
}

/*
 * switch_mm_irqs_off() (arch/s390/include/asm/mmu_context.h, the
 * get_lowcore() era, 6.11 on): this CPU joins @next's cpu_attach_mask and,
 * if the mm changes, leaves @prev's.
 */
static void s390_switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	unsigned long bit = 1UL << smp_processor_id();

	if (next)
		next->context[S390_ATTACH] |= bit;
	if (prev && prev != next)
		prev->context[S390_ATTACH] &= ~bit;
}

/*
 * finish_arch_post_lock_switch() (mmu_context.h): after every switch into
 * a task with an mm, __tlb_flush_mm_lazy() of it, so that a flush put off
 * on one CPU is done before the mm runs on another.
 */
static void s390_switch_in(struct task_struct *next)
{
	if (next && next->mm != &sim_machine()->init_mm)
		tlb_flush_mm_lazy(next->mm);
}

/*
 * ptep_clear_flush() is ptep_xchg_direct() on s390 (asm/pgtable.h):
 * ptep_flush_direct() issues the IPTE at once, the local form when only
 * this CPU has the mm attached (counted as one invalidation either way,
 * done on every CPU: the local form is not modelled), then stores the
 * invalid entry. Never deferred, never cached by the series.
 */
static pte_t s390_ptep_clear_flush(struct vm_area_struct *vma,
				   unsigned long addr, pte_t *ptep)
{
	pte_t old;

	(void)vma;
	preempt_disable();
	old = sim_pt_xchg(ptep, 0, addr, SIM_PT_SEEN);
	if (pte_valid(old)) {
		sim_tlb_inval_page(-1, addr, TLB_ASID_ALL); /* IPTE */
		if (sim_in_section())
			sim_unbatched_update();
	}
	preempt_enable();
	return old;
}

/* ---- the series' per-CPU cache ------------------------------------------ */

/* The index of @ptep in this CPU's active cache, or -1 if it is not there. */
static int cache_index(const pte_t *ptep)
{
	struct s390_lazy_cpu *c = lazy_cpu();

	/* mainline has no cache (no cpu_state_size) */
	if (!c || !c->active || in_interrupt() || ptep < c->ptep ||
	    ptep >= c->ptep + c->nr)
		return -1;
	return (int)(ptep - c->ptep);
}

static pte_t cache_read(int i, const pte_t *ptep)
{
	struct s390_lazy_cpu *c = lazy_cpu();

	return c->dirty[i / 64] & (1ULL << (i % 64)) ? c->val[i] : *ptep;
}

static void cache_write(int i, pte_t *ptep, pte_t pte)
{
	struct s390_lazy_cpu *c = lazy_cpu();

	sim_sched_point_touch(SIM_TOUCH_ARCH, c);
	c = lazy_cpu();
	c->val[i] = pte;
	c->dirty[i / 64] |= 1ULL << (i % 64);
	c->nr_queued++;
	sim_deferred_queued("s390: lazy pte cache", c, ptep,
			    c->addr + (unsigned long)i * PAGE_SIZE, pte, 1);
}

/*
 * Apply the cache: entries whose memory value is valid are invalidated by
 * IPTE, one instruction per run of up to 256 consecutive such entries,
 * then every new value is stored. The cache is emptied first, so that a
 * switch while applying it (none: preemption is off) finds it empty.
 */
static void cache_apply(void)
{
	struct s390_lazy_cpu *c = lazy_cpu();
	uint64_t dirty[PTRS_PER_TABLE / 64], ipte[PTRS_PER_TABLE / 64] = { 0 };
	pte_t val[PTRS_PER_TABLE];
	unsigned long queued = c->nr_queued, addr = c->addr;
	pte_t *ptep = c->ptep;
	unsigned int nr = c->nr;

	if (!queued)
		return;
	memcpy(dirty, c->dirty, sizeof(dirty));
	memcpy(val, c->val, sizeof(val));
	memset(c->dirty, 0, sizeof(c->dirty));
	c->nr_queued = 0;
	sim_batch_flush("s390: lazy pte cache");
	for (unsigned int i = 0; i < nr;) {
		unsigned int run = 0;

		while (i + run < nr && run < IPTE_RANGE_MAX &&
		       (dirty[(i + run) / 64] & (1ULL << ((i + run) % 64))) &&
		       pte_valid(ptep[i + run]))
			run++;
		if (!run) {
			i++;
			continue;
		}
		/* IPTE range: the entries invalid, every TLB purged of them */
		for (unsigned int j = i; j < i + run; j++) {
			sim_pt_write(&ptep[j], 0, addr + j * PAGE_SIZE,
				     SIM_PT_SEEN);
			ipte[j / 64] |= 1ULL << (j % 64);
		}
		sim_tlb_inval_range(-1, addr + i * PAGE_SIZE, run,
				    TLB_ASID_ALL);
		i += run;
	}
	/* every new value is stored but a clear that the IPTE already made */
	for (unsigned int i = 0; i < nr; i++)
		if (dirty[i / 64] & (1ULL << (i % 64)) &&
		    !(ipte[i / 64] & (1ULL << (i % 64)) && !val[i]))
			sim_pt_write(&ptep[i], val[i], addr + i * PAGE_SIZE,
				     SIM_PT_SEEN);
	sim_deferred_paid("s390: lazy pte cache", lazy_cpu(), (long)queued);
}

/*
 * arch_enter_lazy_mmu_mode_for_pte_range(): the cache is set up for the
 * entries of [@addr, @end), which the caller guarantees lie in one PTE
 * table. The cache is per CPU, so preemption stays off until the leave.
 */
static void s390_enter_for_pte_range(struct mm_struct *mm, unsigned long addr,
				     unsigned long end, pte_t *ptep)
{
	struct s390_lazy_cpu *c;

	preempt_disable();
	c = lazy_cpu();
	c->active = true;
	c->mm = mm;
	c->ptep = ptep;
	c->addr = addr;
	c->nr = (unsigned int)((end - addr) >> PAGE_SHIFT);
	if (c->nr > PTRS_PER_TABLE)
		c->nr = PTRS_PER_TABLE;
	c->nr_queued = 0;
	memset(c->dirty, 0, sizeof(c->dirty));
}

/* A plain enable: no range, no cache; updates are paid at once. */
static void s390_enter(void)
{
}

static void s390_flush(void)
{
	cache_apply();
}

static void s390_leave(void)
{
	struct s390_lazy_cpu *c = lazy_cpu();

	if (!c->active)
		return;
	cache_apply();
	lazy_cpu()->active = false;
	preempt_enable();
}

/* ---- the primitives ------------------------------------------------------ */

static pte_t s390_ptep_get(pte_t *ptep)
{
	int i;

	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	i = cache_index(ptep);
	return i < 0 ? *ptep : cache_read(i, ptep);
}

/* set_pte_at() → set_ptes() → set_pte(): a store, no IPTE */
static void s390_set_pte_at(struct mm_struct *mm, unsigned long addr,
			    pte_t *ptep, pte_t pte)
{
	int i = cache_index(ptep);

	(void)mm;
	if (i >= 0) {
		cache_write(i, ptep, pte);
		return;
	}
	sim_pt_write(ptep, pte, addr, SIM_PT_SEEN);
}

/* ptep_get_and_clear(): ptep_xchg_lazy(mm, addr, ptep, invalid) */
static pte_t s390_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				     pte_t *ptep)
{
	int i = cache_index(ptep);
	pte_t old;

	if (i < 0)
		return ptep_xchg(mm, addr, ptep, 0);
	old = cache_read(i, ptep);
	cache_write(i, ptep, 0);
	return old;
}

static pte_t s390_lazy_ptep_get_and_clear(struct mm_struct *mm,
					  unsigned long addr, pte_t *ptep)
{
	return s390_ptep_get_and_clear(mm, addr, ptep);
}

/* pte_clear(): set_pte(ptep, invalid) */
static void s390_pte_clear(struct mm_struct *mm, unsigned long addr,
			   pte_t *ptep)
{
	s390_set_pte_at(mm, addr, ptep, 0);
}

/* ptep_set_wrprotect(): if writable, ptep_xchg_lazy() of the wrprotected */
static void s390_ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr,
				    pte_t *ptep)
{
	int i = cache_index(ptep);
	pte_t pte;

	if (i >= 0) {
		pte = cache_read(i, ptep);
		if (pte_write(pte))
			cache_write(i, ptep, pte_wrprotect(pte));
		return;
	}
	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	pte = *ptep;
	if (!pte_write(pte))
		return;
	/*
	 * ptep_xchg_lazy() stores pte_wrprotect() of what it read under
	 * the PTL; the model recomputes it from the value the xchg took.
	 */
	preempt_disable();
	pte = sim_pt_xchg(ptep, 0, addr, SIM_PT_SEEN);
	ptep_flush_lazy(mm, addr, pte);
	if (pte)
		sim_pt_write(ptep, pte_wrprotect(pte), addr, SIM_PT_SEEN);
	preempt_enable();
}

/* ---- TLB maintenance (asm/tlbflush.h) --------------------------------------- */

/*
 * flush_tlb_kernel_range() is __tlb_flush_kernel(): IDTE of init_mm's ASCE
 * (or CSP/global purge): every CPU's kernel entries, one operation.
 */
static void s390_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
	sim_tlb_inval_all(-1);
}

/*
 * flush_tlb_range() and flush_tlb_mm() are __tlb_flush_mm_lazy(): they
 * flush only if ptep_flush_lazy() put a flush off (mm->context.flush_mm).
 * flush_tlb_page() is empty on s390.
 */
static void s390_flush_tlb_range(struct mm_struct *mm, unsigned long start,
				 unsigned long end)
{
	(void)start;
	(void)end;
	tlb_flush_mm_lazy(mm);
}

static void s390_flush_tlb_mm(struct mm_struct *mm)
{
	tlb_flush_mm_lazy(mm);
}

static void s390_flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	(void)vma;
	(void)addr;
}

#define S390_COMMON                                                         \
	.name = "s390", .ptep_get = s390_ptep_get,                          \
	.set_pte_at = s390_set_pte_at, .pte_clear = s390_pte_clear,         \
	.ptep_set_wrprotect = s390_ptep_set_wrprotect,                      \
	.flush_tlb_kernel_range = s390_flush_tlb_kernel_range,              \
	.flush_tlb_range = s390_flush_tlb_range,                            \
	.flush_tlb_mm = s390_flush_tlb_mm,                                  \
	.flush_tlb_page = s390_flush_tlb_page, .switch_mm = s390_switch_mm, \
	.switch_in = s390_switch_in, .ptep_clear_flush = s390_ptep_clear_flush

DEFINE_SIM_ARCH(s390_ops, S390_COMMON, .kernel = "6.16",
		.models = "arch/s390/include/asm/pgtable.h, "
			  "arch/s390/mm/pgtable.c (ptep_xchg_lazy, IPTE per "
			  "update; no lazy MMU mode)",
		.lazy = SIM_LAZY_OFF,
		.ptep_get_and_clear = s390_ptep_get_and_clear);

DEFINE_SIM_ARCH(
	s390_lazy_v6_ops, S390_COMMON, .kernel = "7.1+lazy-v6",
	.models = "Gordeev, \"s390/mm: Batch PTE updates in lazy MMU "
		  "mode\" v6 (2026-07-15) on 7.1: per-CPU PTE cache, "
		  "IPTE ranges of 256",
	.lazy = SIM_LAZY_NESTING,
	.cpu_state_size = sizeof(struct s390_lazy_cpu),
	.ptep_get_and_clear = s390_lazy_ptep_get_and_clear,
	.arch_enter_lazy_mmu_mode = s390_enter,
	.arch_leave_lazy_mmu_mode = s390_leave,
	.arch_flush_lazy_mmu_mode = s390_flush,
	.arch_enter_lazy_mmu_mode_for_pte_range = s390_enter_for_pte_range);
