// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * powerpc book3s64 hash MMU: arch/powerpc/mm/book3s64/hash_tlb.c,
 * arch/powerpc/include/asm/book3s/64/tlbflush-hash.h,
 * arch/powerpc/include/asm/book3s/64/hash.h (hash__pte_update()),
 * arch/powerpc/mm/book3s64/hash_utils.c (hash__kernel_map_pages()),
 * arch/powerpc/kernel/process.c (__switch_to()), as in v6.16/v6.17
 * (batch->active) and v7.0/v7.1 (313a05a15a1b is_lazy_mmu_mode_active(),
 * c3f0778ffeca arch_flush_lazy_mmu_mode(), 58852f24f956 no re-activation
 * in __switch_to()).
 *
 * What is deferred (style 3 of docs/design.md): the Linux PTE is in memory
 * at once, but the MMU translates through the hash page table (HPT), which
 * a hash fault fills from the PTE (marking it H_PAGE_HASHPTE). Changing a
 * hashed PTE owes an HPTE invalidation (tlbie): hpte_need_flush() queues
 * it in the per-CPU ppc64_tlb_batch while lazy, else pays it at once. Until
 * paid, the stale HPTE (and every TLB entry made from it) still reaches
 * the old frame. flush_tlb_*() do nothing on hash.
 */
#include <string.h>

#include "mm/memory.h"
#include "sim/arch.h"
#include "sim/sim.h"

/* asm/book3s/64/tlbflush-hash.h */
#define PPC64_TLB_BATCH_NR 192

/* page and segment sizes: 4K pages, 1T segments (user and kernel) */
#define MMU_PAGE_4K 0
#define MMU_SEGSIZE_1T 1

/*
 * The HPT: groups of 8 HPTEs (a PTEG), an entry's group chosen by hashing
 * its virtual page. htab_shift_for_mem_size() (hash_utils.c) aims for one
 * PTEG per two pages of memory, at least 2048 PTEGs (the architecture's
 * minimum, 2^18 bytes); the model sizes it so from the machine's frames,
 * at most HPT_MAX_GROUPS (host memory). A full group loses an entry, as
 * hpte_remove() does.
 */
#define HPTES_PER_GROUP 8
#define HPT_MIN_GROUPS 2048UL
#define HPT_MAX_GROUPS (1UL << 16)

/*
 * One slot. @valid: the HPTE translates (to @pte's frame, possibly old).
 * @hashpte: the Linux PTE's H_PAGE_HASHPTE, kept here beside the HPTE
 * rather than in the PTE (the machine's PTE format has no software bit for
 * it): set by the hash fault, left set by an invalidation that keeps the
 * PTE (pte_update() clearing only some bits), cleared with the PTE.
 */
struct hpte {
	unsigned long vpn;
	pte_t pte;
	uint16_t asid;
	bool valid;
	bool hashpte;
};

/* The machine's HPT: a kernel object allocated at boot (hash_init()). */
struct ppc64_hpt {
	struct hpte *slot; /* groups x HPTES_PER_GROUP */
	unsigned long groups; /* a power of two */
};

/* One queued invalidation: what hpte_need_flush() keeps as vpn + rpte. */
struct ppc64_tlb_batch_entry {
	unsigned long addr;
	uint16_t asid;
};

/* asm/book3s/64/tlbflush-hash.h: struct ppc64_tlb_batch, per CPU */
struct ppc64_tlb_batch {
	int active; /* before 7.0: the CPU is in lazy MMU mode */
	unsigned long index;
	struct mm_struct *mm;
	struct ppc64_tlb_batch_entry e[PPC64_TLB_BATCH_NR];
	unsigned int psize;
	int ssize;
};

/* process.c before 58852f24f956: thread_info local_flags _TLF_LAZY_MMU */
#define _TLF_LAZY_MMU (1U << 8)

static struct ppc64_tlb_batch *this_batch(void)
{
	return sim_arch_cpu_state(smp_processor_id());
}

static struct ppc64_hpt *hpt(void)
{
	return sim_arch_state();
}

/*
 * The kernel's linear map is bolted in the HPT at boot (htab_bolt_mapping())
 * and changed only by hash__kernel_map_pages(): the model translates it
 * through the table, which that function keeps exact.
 */
static bool is_linear_addr(unsigned long addr)
{
	return addr >= PAGE_OFFSET && addr < VMALLOC_START;
}

static uint16_t addr_asid(struct mm_struct *mm, unsigned long addr)
{
	return addr >= PAGE_OFFSET ? 0 : mm->asid;
}

static uint16_t tlb_asid(uint16_t asid)
{
	return asid ? asid : TLB_ASID_ALL;
}

static struct hpte *hpt_group(unsigned long vpn, uint16_t asid)
{
	unsigned long h = vpn ^ ((unsigned long)asid * 0x9e3779b1UL);

	return &hpt()->slot[(h & (hpt()->groups - 1)) * HPTES_PER_GROUP];
}

static struct hpte *hpt_find(unsigned long vpn, uint16_t asid)
{
	struct hpte *g = hpt_group(vpn, asid);

	for (int i = 0; i < HPTES_PER_GROUP; i++)
		if ((g[i].valid || g[i].hashpte) && g[i].vpn == vpn &&
		    g[i].asid == asid)
			return &g[i];
	return NULL;
}

/*
 * hpte_remove(): the group is full, a victim goes. The hardware's tlbie
 * drops its TLB entries with it; the model clears them without a
 * scheduling point (the hash fault runs with interrupts off).
 */
static void hpte_evict(struct hpte *h)
{
	struct sim_machine *m = sim_machine();

	if (h->valid) {
		for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
			sim_tlb_drop_page(&m->cpu[c].tlb, h->vpn, h->asid);
	}
	memset(h, 0, sizeof(*h));
}

/* htab_initialize(): the HPT, sized to memory (htab_shift_for_mem_size()) */
static void hash_init(struct sim_machine *m)
{
	unsigned long groups = HPT_MIN_GROUPS;

	while (groups < m->nr_frames / 2 && groups < HPT_MAX_GROUPS)
		groups <<= 1;
	hpt()->slot = kcalloc(groups * HPTES_PER_GROUP, sizeof(struct hpte),
			      GFP_KERNEL);
	hpt()->groups = groups;
}

/* ---- the MMU: hash fault and HPT lookup --------------------------------- */

static bool hash_translate(struct mm_struct *mm, unsigned long addr, int cpu,
			   pte_t *pte)
{
	struct hpte *h;

	(void)cpu;
	if (is_linear_addr(addr))
		return false;
	h = hpt_find(addr >> PAGE_SHIFT, addr_asid(mm, addr));
	if (!h || !h->valid)
		return false;
	*pte = h->pte;
	return true;
}

/*
 * __hash_page_4K(): the HPTE is inserted from the Linux PTE, which gains
 * H_PAGE_HASHPTE. A full group loses its slot @vpn picks (hpte_remove()
 * takes a pseudo-random one).
 */
static void hash_translate_fill(struct mm_struct *mm, unsigned long addr,
				int cpu, pte_t pte)
{
	unsigned long vpn = addr >> PAGE_SHIFT;
	uint16_t asid = addr_asid(mm, addr);
	struct hpte *h, *g;

	(void)cpu;
	if (is_linear_addr(addr))
		return;
	h = hpt_find(vpn, asid);
	if (!h) {
		g = hpt_group(vpn, asid);
		for (int i = 0; i < HPTES_PER_GROUP && !h; i++)
			if (!g[i].valid && !g[i].hashpte)
				h = &g[i];
		if (!h) {
			h = &g[vpn % HPTES_PER_GROUP];
			hpte_evict(h);
		}
	}
	*h = (struct hpte){ .vpn = vpn,
			    .pte = pte,
			    .asid = asid,
			    .valid = true,
			    .hashpte = true };
}

/* ---- hash_tlb.c: hpte_need_flush(), __flush_tlb_pending() ------------- */

/*
 * flush_hash_page(): invalidate the HPTE and, with tlbie, every CPU's TLB
 * entry for the page (mm_is_thread_local() would make it tlbiel, this
 * CPU only; the model always broadcasts).
 */
static void flush_hash_page(unsigned long addr, uint16_t asid)
{
	struct hpte *h = hpt_find(addr >> PAGE_SHIFT, asid);

	if (h)
		h->valid = false;
	sim_tlb_inval_page(-1, addr, tlb_asid(asid));
}

/*
 * __flush_tlb_pending(): one flush_hash_range() of the batch (one tlbie
 * per entry). The entries leave the batch first: an interrupt at one of
 * the tlbies' scheduling points finds it empty (the kernel's
 * native_flush_hash_range() runs with interrupts off).
 */
static void __flush_tlb_pending(struct ppc64_tlb_batch *batch)
{
	struct ppc64_tlb_batch_entry e[PPC64_TLB_BATCH_NR];
	unsigned long n = batch->index;

	memcpy(e, batch->e, n * sizeof(e[0]));
	batch->index = 0;
	sim_batch_flush("__flush_tlb_pending");
	for (unsigned long i = 0; i < n; i++) {
		flush_hash_page(e[i].addr, e[i].asid);
		sim_deferred_paid("ppc64_tlb_batch", batch, 1);
	}
}

/*
 * Whether hpte_need_flush() batches: v6.16/v6.17 the per-CPU
 * batch->active (so an interrupt inside a section batches too, and any
 * leave, nested or not, ends it); v7.0 the generic layer's answer (false
 * in interrupt context).
 */
static bool batching_616(struct ppc64_tlb_batch *batch)
{
	return batch->active;
}

static bool batching_70(struct ppc64_tlb_batch *batch)
{
	(void)batch;
	return is_lazy_mmu_mode_active();
}

/*
 * hpte_need_flush(): a hashed Linux PTE changed (to @pte, in memory
 * already). Flush now unless batching; flush the batch first if it holds
 * another mm, page size or segment size; flush it when full.
 */
static void hpte_need_flush(struct mm_struct *mm, unsigned long addr,
			    pte_t *ptep, pte_t pte,
			    bool (*batching)(struct ppc64_tlb_batch *))
{
	struct ppc64_tlb_batch *batch;
	uint16_t asid = addr_asid(mm, addr);
	unsigned int psize = MMU_PAGE_4K;
	int ssize = MMU_SEGSIZE_1T; /* user_segment_size() / mmu_kernel_ssize */
	unsigned long i;

	preempt_disable(); /* get_cpu_var() */
	batch = this_batch();
	i = batch->index;
	if (!batching(batch)) {
		flush_hash_page(addr, asid);
		sim_unbatched_update();
		preempt_enable(); /* put_cpu_var() */
		return;
	}
	if (i != 0 && (mm != batch->mm || batch->psize != psize ||
		       batch->ssize != ssize)) {
		__flush_tlb_pending(batch);
		i = 0;
	}
	if (i == 0) {
		batch->mm = mm;
		batch->psize = psize;
		batch->ssize = ssize;
	}
	batch->e[i] = (struct ppc64_tlb_batch_entry){ addr, asid };
	batch->index = ++i;
	sim_deferred_queued("ppc64_tlb_batch", batch, ptep, addr, pte, 1);
	if (i >= PPC64_TLB_BATCH_NR)
		__flush_tlb_pending(batch);
	preempt_enable();
}

/* ---- hash__pte_update() and the primitives built on it ----------------- */

/*
 * The H_PAGE_HASHPTE of the PTE at @addr: whether hash__pte_update() calls
 * hpte_need_flush(). @clear: the update clears the whole PTE, and the bit
 * with it.
 */
static bool test_hashpte(struct mm_struct *mm, unsigned long addr, bool clear)
{
	struct hpte *h = hpt_find(addr >> PAGE_SHIFT, addr_asid(mm, addr));
	bool hashed = h && h->hashpte;

	if (h && clear)
		h->hashpte = false;
	return hashed;
}

/* hash__pte_update(): an atomic ldarx/stdcx. loop, then the flush. */
static pte_t pte_update(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
			pte_t clr, pte_t set,
			bool (*batching)(struct ppc64_tlb_batch *))
{
	pte_t old, new;

	if (clr == ~(pte_t)0 && set == 0) {
		old = sim_pt_xchg(ptep, 0, addr, SIM_PT_SEEN);
		new = 0;
	} else {
		do {
			sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
			old = *ptep;
			new = (old & ~clr) | set;
		} while (sim_pt_cmpxchg(ptep, old, new, addr, SIM_PT_SEEN) !=
			 old);
	}
	if (test_hashpte(mm, addr, new == 0) && pte_valid(old))
		hpte_need_flush(mm, addr, ptep, new, batching);
	return old;
}

/*
 * hash__set_pte_at(): a plain store. The kernel stores only over an entry
 * that is not valid (set_ptes() VM_WARN_ONs a valid one); the store clears
 * H_PAGE_HASHPTE, and an HPTE of a valid old entry would stay stale.
 */
static void hash_set_pte_at(struct mm_struct *mm, unsigned long addr,
			    pte_t *ptep, pte_t pte)
{
	sim_pt_write(ptep, pte, addr, SIM_PT_SEEN);
	test_hashpte(mm, addr, true);
}

static pte_t hash_ptep_get(pte_t *ptep)
{
	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	return *ptep;
}

#define PPC64_VERSION(v)                                                       \
	static pte_t ptep_get_and_clear_##v(struct mm_struct *mm,              \
					    unsigned long addr, pte_t *ptep)   \
	{                                                                      \
		return pte_update(mm, addr, ptep, ~(pte_t)0, 0, batching_##v); \
	}                                                                      \
	static void pte_clear_##v(struct mm_struct *mm, unsigned long addr,    \
				  pte_t *ptep)                                 \
	{                                                                      \
		pte_update(mm, addr, ptep, ~(pte_t)0, 0, batching_##v);        \
	}                                                                      \
	/* ptep_set_wrprotect(): pte_update(clr = _PAGE_WRITE) */              \
	static void ptep_set_wrprotect_##v(struct mm_struct *mm,               \
					   unsigned long addr, pte_t *ptep)    \
	{                                                                      \
		if (!pte_write(hash_ptep_get(ptep)))                           \
			return;                                                \
		pte_update(mm, addr, ptep, 0, PTE_RDONLY, batching_##v);       \
	}                                                                      \
	/* ptep_modify_prot_start(): ptep_get_and_clear() */                   \
	static pte_t ptep_modify_prot_start_##v(                               \
		struct vm_area_struct *vma, unsigned long addr, pte_t *ptep)   \
	{                                                                      \
		return pte_update(vma->vm_mm, addr, ptep, ~(pte_t)0, 0,        \
				  batching_##v);                               \
	}

PPC64_VERSION(616)
PPC64_VERSION(70)

/* ---- the lazy MMU hooks (asm/book3s/64/tlbflush-hash.h) ------------------ */

/*
 * v6.16/v6.17: enter disables preemption (b9ef323ea168, v6.1) and marks the
 * batch active; leave drains it, clears active (a nested leave too: the
 * rest of the outer section runs unbatched) and re-enables preemption.
 * arch_flush_lazy_mmu_mode() is empty. Radix (no-op) is not modelled.
 */
static void arch_enter_616(void)
{
	preempt_disable();
	this_batch()->active = 1;
}

static void arch_leave_616(void)
{
	struct ppc64_tlb_batch *batch = this_batch();

	if (batch->index)
		__flush_tlb_pending(batch);
	batch->active = 0;
	preempt_enable();
}

/*
 * v7.0 (313a05a15a1b, c3f0778ffeca): enter only disables preemption;
 * flush drains a non-empty batch; leave flushes and re-enables preemption.
 */
static void arch_enter_70(void)
{
	preempt_disable();
}

static void arch_flush_70(void)
{
	struct ppc64_tlb_batch *batch = this_batch();

	if (batch->index)
		__flush_tlb_pending(batch);
}

static void arch_leave_70(void)
{
	arch_flush_70();
	preempt_enable();
}

/*
 * __switch_to() before 58852f24f956 (7.0): a task switched out with the
 * batch active has it flushed and deactivated (_TLF_LAZY_MMU remembers),
 * and reactivated when it is switched back in. Dead code since
 * b9ef323ea168 (no switch with preemption off), kept as the kernel did.
 */
static void switch_out_616(struct task_struct *prev)
{
	struct ppc64_tlb_batch *batch = this_batch();

	if (!prev || !batch->active)
		return;
	prev->thread_flags |= _TLF_LAZY_MMU;
	if (batch->index)
		__flush_tlb_pending(batch);
	batch->active = 0;
}

static void switch_in_616(struct task_struct *next)
{
	if (!next || !(next->thread_flags & _TLF_LAZY_MMU))
		return;
	next->thread_flags &= ~_TLF_LAZY_MMU;
	this_batch()->active = 1;
}

/* ---- TLB maintenance: nothing on hash ------------------------------------ */

/*
 * asm/book3s/64/tlbflush.h: flush_tlb_range(), flush_tlb_kernel_range(),
 * flush_tlb_mm() and flush_tlb_page() call the radix versions when
 * radix_enabled() and otherwise do nothing (the empty hash__ versions went
 * in baf1ed24b27d, v6.2): on hash the HPTE invalidation is the flush.
 */
static void hash_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
}

static void hash_flush_tlb_range(struct mm_struct *mm, unsigned long start,
				 unsigned long end)
{
	(void)mm;
	(void)start;
	(void)end;
}

static void hash_flush_tlb_mm(struct mm_struct *mm)
{
	(void)mm;
}

static void hash_flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	(void)vma;
	(void)addr;
}

/*
 * DEBUG_PAGEALLOC: hash__kernel_map_pages() → kernel_map_linear_page() /
 * kernel_unmap_linear_page(): the bolted linear-map HPTE is inserted or
 * invalidated directly (mmu_hash_ops.hpte_invalidate, a tlbie), with
 * interrupts off, never through hpte_need_flush() and its batch. The
 * model's linear map is the table (see is_linear_addr()): the entry is
 * rewritten and, on unmap, the page's TLB entries invalidated everywhere.
 */
static void hash_kernel_map_pages(unsigned long pfn, int n, bool enable)
{
	for (int i = 0; i < n; i++) {
		unsigned long addr = sim_linear_addr(pfn + (unsigned long)i);
		pte_t *ptep = sim_walk(&sim_machine()->init_mm, addr, 0, false);

		if (!ptep)
			continue;
		sim_pt_write(ptep,
			     enable ? *ptep | PTE_VALID : *ptep & ~PTE_VALID,
			     addr, SIM_PT_SEEN);
		if (!enable) {
			sim_tlb_inval_page(-1, addr, TLB_ASID_ALL);
			sim_unbatched_update();
		}
	}
}

#define PPC64_COMMON(v)                                                      \
	.name = "ppc64-hash", .state_size = sizeof(struct ppc64_hpt),        \
	.cpu_state_size = sizeof(struct ppc64_tlb_batch), .init = hash_init, \
	.set_pte_at = hash_set_pte_at, .ptep_get = hash_ptep_get,            \
	.ptep_get_and_clear = ptep_get_and_clear_##v,                        \
	.pte_clear = pte_clear_##v,                                          \
	.ptep_set_wrprotect = ptep_set_wrprotect_##v,                        \
	.ptep_modify_prot_start = ptep_modify_prot_start_##v,                \
	.flush_tlb_kernel_range = hash_flush_tlb_kernel_range,               \
	.flush_tlb_range = hash_flush_tlb_range,                             \
	.flush_tlb_mm = hash_flush_tlb_mm,                                   \
	.flush_tlb_page = hash_flush_tlb_page,                               \
	.kernel_map_pages = hash_kernel_map_pages,                           \
	.translate = hash_translate, .translate_fill = hash_translate_fill

DEFINE_SIM_ARCH(ppc64_hash_6_16_ops, PPC64_COMMON(616), .kernel = "6.16",
		.models = "arch/powerpc/mm/book3s64/hash_tlb.c, "
			  "asm/book3s/64/tlbflush-hash.h (batch->active), "
			  "arch/powerpc/kernel/process.c (v6.16)",
		.lazy = SIM_LAZY_DIRECT,
		.arch_enter_lazy_mmu_mode = arch_enter_616,
		.arch_leave_lazy_mmu_mode = arch_leave_616,
		.switch_out = switch_out_616, .switch_in = switch_in_616);

DEFINE_SIM_ARCH(ppc64_hash_7_0_ops, PPC64_COMMON(70), .kernel = "7.0",
		.models = "arch/powerpc/mm/book3s64/hash_tlb.c, "
			  "asm/book3s/64/tlbflush-hash.h "
			  "(is_lazy_mmu_mode_active(), v7.0)",
		.lazy = SIM_LAZY_NESTING,
		.arch_enter_lazy_mmu_mode = arch_enter_70,
		.arch_leave_lazy_mmu_mode = arch_leave_70,
		.arch_flush_lazy_mmu_mode = arch_flush_70);
