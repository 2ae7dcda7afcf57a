// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * x86 Xen PV guest: arch/x86/xen/mmu_pv.c, arch/x86/xen/multicalls.c,
 * arch/x86/xen/enlighten_pv.c (context switch), arch/x86/include/asm/xen/
 * hypervisor.h (enter_lazy(), leave_lazy(), xen_get_lazy_mode()) and
 * arch/x86/mm/pat/set_memory.c (__kernel_map_pages()), as in v6.16/v6.17,
 * v7.0 (291b3abed657 "x86/xen: use lazy_mmu_state when context-switching",
 * "x86/xen: simplify flush_lazy_mmu()") and v7.1 (4594437880ce "x86/xen:
 * Tolerate nested XEN_LAZY_MMU entering/leaving", v7.1-rc4).
 *
 * What is deferred (style 2, queued, not in memory): the guest cannot write
 * its page tables, they are read-only to it. set_pte() and friends ask the
 * hypervisor (hypervisor.c) with an mmu_update hypercall; in lazy MMU mode
 * the request, and the TLB flushes' mmuext_ops, wait in the per-CPU
 * multicall buffer until xen_mc_flush(), and the table keeps the old value
 * meanwhile: the kernel's own ptep_get() reads it. The native atomic
 * read-modify-writes (ptep_get_and_clear(), ptep_set_wrprotect()) are not
 * pv-ops: they trap, and Xen emulates them at once.
 */
#include <errno.h>
#include <string.h>

#include "arch/xen-pv/hypervisor.h"
#include "mm/memory.h"
#include "sim/arch.h"
#include "sim/sim.h"

/* arch/x86/xen/multicalls.h: MC_BATCH entries, MC_ARGS bytes of arguments */
#define MC_BATCH 32
#define MC_ARGS (MC_BATCH * 16)

/* argument sizes (xen/include/public/xen.h, x86-64) */
#define MMU_UPDATE_SIZE 16 /* struct mmu_update: ptr, val */
#define MMUEXT_OP_SIZE 24 /* struct mmuext_op: cmd, arg1, arg2 */

/* x86 tlb_single_page_flush_ceiling: above, a range flushes everything */
#define TLB_SINGLE_PAGE_FLUSH_CEILING 33

/* thread flag of x86 (arch/x86/include/asm/thread_info.h), before 7.0 */
#define TIF_LAZY_MMU_UPDATES (1U << 8)

/* enum xen_lazy_mode (arch/x86/include/asm/xen/hypervisor.h) */
enum xen_lazy_mode {
	XEN_LAZY_NONE,
	XEN_LAZY_MMU,
	XEN_LAZY_CPU,
};

enum mc_op {
	HYPERVISOR_mmu_update,
	HYPERVISOR_mmuext_op,
};

struct mc_entry {
	enum mc_op op;
	unsigned int first, nr; /* its arguments in upd[] or ext[] */
};

/*
 * Per CPU: xen_lazy_mode and the multicall buffer (struct mc_buffer of
 * multicalls.c), arguments kept typed rather than as bytes; @argidx counts
 * the bytes they would take. @queued: mmu_updates reported as deferred.
 */
struct xen_pv_cpu {
	enum xen_lazy_mode lazy_mode;
	unsigned int mcidx, argidx;
	struct mc_entry entries[MC_BATCH];
	unsigned int nr_upd, nr_ext;
	struct mmu_update upd[MC_ARGS / MMU_UPDATE_SIZE];
	unsigned long va[MC_ARGS / MMU_UPDATE_SIZE];
	struct mmuext_op ext[MC_ARGS / MMU_UPDATE_SIZE];
	unsigned int queued;
};

struct xen_pv_state {
	struct xen_hv hv;
};

static struct xen_pv_cpu *xen_cpu(void)
{
	return sim_arch_cpu_state(smp_processor_id());
}

static struct xen_hv *xen_hv(void)
{
	return &((struct xen_pv_state *)sim_arch_state())->hv;
}

static uint64_t virt_to_machine(const pte_t *ptep)
{
	return (uint64_t)((const uint8_t *)ptep - sim_this->mem);
}

/* ---- the hypervisor over the machine's memory ----------------------------- */

static pte_t *hv_table(struct xen_hv *hv, unsigned long pfn)
{
	(void)hv;
	return pfn_to_virt_raw(pfn);
}

static void hv_store(struct xen_hv *hv, pte_t *ptep, pte_t val,
		     unsigned long va)
{
	(void)hv;
	sim_pt_write(ptep, val, va, SIM_PT_SEEN);
}

static pte_t hv_rmw(struct xen_hv *hv, pte_t *ptep, pte_t old, pte_t val,
		    bool xchg, unsigned long va)
{
	(void)hv;
	if (xchg)
		return sim_pt_xchg(ptep, val, va, SIM_PT_SEEN);
	return sim_pt_cmpxchg(ptep, old, val, va, SIM_PT_SEEN);
}

static void hv_flush(struct xen_hv *hv, unsigned long addr, bool local)
{
	int cpu = local ? smp_processor_id() : -1;

	(void)hv;
	if (addr == ~0UL)
		sim_tlb_inval_all(cpu);
	else
		sim_tlb_inval_page(cpu, addr, TLB_ASID_ALL);
}

static const struct xen_hv_ops hv_ops = {
	.table = hv_table,
	.store = hv_store,
	.rmw = hv_rmw,
	.flush = hv_flush,
};

/* A hypercall (or a trapped write) reaches Xen: the `hypercalls` counter. */
static void hypercall(const char *what, unsigned long addr)
{
	struct sim_event ev = { .type = SIM_EV_HYPERCALL, .what = what };

	ev.addr = addr;
	sim_emit(&ev);
}

/* each hypercall row names the model's line that made it */
#define hypercall(...) SIM_SITE_CALL_VOID(hypercall(__VA_ARGS__))

/* Xen refused: the guest's xen_mc_flush() prints it; a model error here. */
static void rejected(const char *what, int err, uint64_t ptr, uint64_t val)
{
	sim_report("arch-bug", "CPU%d: Xen rejected %s (%d): %#llx = %#llx",
		   smp_processor_id(), what, err, (unsigned long long)ptr,
		   (unsigned long long)val);
}

/*
 * preempt_disable()/preempt_enable() of the hooks and xen_mc_flush() (the
 * kernel's local_irq_save()), which also run in the context switch, where
 * the CPU may have no task (idle).
 */
static void xen_preempt_disable(void)
{
	if (current)
		preempt_disable();
}

static void xen_preempt_enable(void)
{
	if (current)
		preempt_enable();
}

/* ---- lazy mode (asm/xen/hypervisor.h, enlighten_pv.c) ---------------------- */

static const char *const lazy_name[] = { "NONE", "MMU", "CPU" };

/* enter_lazy(): BUG_ON(this_cpu_read(xen_lazy_mode) != XEN_LAZY_NONE) */
static void enter_lazy(enum xen_lazy_mode mode)
{
	struct xen_pv_cpu *c = xen_cpu();

	if (c->lazy_mode != XEN_LAZY_NONE)
		sim_report("arch-bug",
			   "CPU%d %s: enter_lazy(%s): BUG_ON, already in %s",
			   smp_processor_id(), current ? current->comm : "idle",
			   lazy_name[mode], lazy_name[c->lazy_mode]);
	c->lazy_mode = mode;
}

/* leave_lazy(): BUG_ON(this_cpu_read(xen_lazy_mode) != mode) */
static void leave_lazy(enum xen_lazy_mode mode)
{
	struct xen_pv_cpu *c = xen_cpu();

	if (c->lazy_mode != mode)
		sim_report("arch-bug",
			   "CPU%d %s: leave_lazy(%s): BUG_ON, in %s",
			   smp_processor_id(), current ? current->comm : "idle",
			   lazy_name[mode], lazy_name[c->lazy_mode]);
	c->lazy_mode = XEN_LAZY_NONE;
}

/* xen_get_lazy_mode(): nothing is lazy in interrupt context */
static enum xen_lazy_mode xen_get_lazy_mode(void)
{
	return in_interrupt() ? XEN_LAZY_NONE : xen_cpu()->lazy_mode;
}

/* ---- multicalls.c ----------------------------------------------------------- */

/*
 * xen_mc_flush(): issue the buffer as one multicall (one entry: the
 * hypercall itself), with interrupts off. The buffer is taken first, so
 * that anything the stores' scheduling points run finds it empty.
 */
static void xen_mc_flush(void)
{
	struct xen_pv_cpu *c = xen_cpu(), b;
	struct xen_hv *hv = xen_hv();

	if (!c->mcidx)
		return;
	sim_sched_point_touch(SIM_TOUCH_ARCH, c);
	c = xen_cpu();
	if (!c->mcidx)
		return;
	memcpy(&b, c, sizeof(b));
	c->mcidx = c->argidx = c->nr_upd = c->nr_ext = c->queued = 0;
	if (b.queued)
		sim_batch_flush("xen_mc_flush");
	hypercall(b.mcidx == 1 ? (b.entries[0].op == HYPERVISOR_mmu_update ?
					  "mmu_update" :
					  "mmuext_op") :
				 "multicall",
		  0);
	xen_preempt_disable();
	for (unsigned int i = 0; i < b.mcidx; i++) {
		struct mc_entry *e = &b.entries[i];
		unsigned int done = 0;
		int err;

		if (e->op == HYPERVISOR_mmu_update) {
			err = xen_hv_mmu_update(hv, &b.upd[e->first],
						&b.va[e->first], e->nr, &done);
			if (err)
				rejected("mmu_update", err,
					 b.upd[e->first + done].ptr,
					 b.upd[e->first + done].val);
		} else {
			err = xen_hv_mmuext_op(hv, &b.ext[e->first], e->nr,
					       &done);
			if (err)
				rejected("mmuext_op", err,
					 b.ext[e->first + done].cmd,
					 b.ext[e->first + done].arg1);
		}
	}
	if (b.queued)
		sim_deferred_paid("xen: mmu_update", xen_cpu(), b.queued);
	xen_preempt_enable();
}

/* __xen_mc_entry(): a new entry, flushing first if the buffer is full. */
static struct mc_entry *xen_mc_entry(enum mc_op op, unsigned int args)
{
	struct xen_pv_cpu *c = xen_cpu();
	struct mc_entry *e;

	if (c->mcidx == MC_BATCH || c->argidx + args > MC_ARGS) {
		xen_mc_flush();
		c = xen_cpu();
	}
	e = &c->entries[c->mcidx++];
	e->op = op;
	e->first = op == HYPERVISOR_mmu_update ? c->nr_upd : c->nr_ext;
	e->nr = 0;
	return e;
}

/*
 * xen_extend_mmu_update(): merged into the last entry if that is an
 * mmu_update with room left (xen_mc_extend_args()), else a new entry.
 */
static void xen_extend_mmu_update(uint64_t ptr, pte_t val, unsigned long va)
{
	struct xen_pv_cpu *c = xen_cpu();
	struct mc_entry *e = c->mcidx ? &c->entries[c->mcidx - 1] : NULL;

	if (!e || e->op != HYPERVISOR_mmu_update ||
	    c->argidx + MMU_UPDATE_SIZE > MC_ARGS) {
		e = xen_mc_entry(HYPERVISOR_mmu_update, MMU_UPDATE_SIZE);
		c = xen_cpu();
	}
	c->upd[c->nr_upd] = (struct mmu_update){ ptr, val };
	c->va[c->nr_upd++] = va;
	c->argidx += MMU_UPDATE_SIZE;
	e->nr++;
}

static void xen_mc_mmuext(unsigned int cmd, unsigned long arg1)
{
	struct mc_entry *e = xen_mc_entry(HYPERVISOR_mmuext_op, MMUEXT_OP_SIZE);
	struct xen_pv_cpu *c = xen_cpu();

	c->ext[c->nr_ext++] = (struct mmuext_op){ cmd, arg1 };
	c->argidx += MMUEXT_OP_SIZE;
	e->nr++;
}

/* xen_mc_issue(mode): flush unless the CPU is lazy in @mode. */
static void xen_mc_issue(enum xen_lazy_mode mode)
{
	if (xen_get_lazy_mode() != mode || mode == XEN_LAZY_NONE)
		xen_mc_flush();
}

/* ---- PTE updates (mmu_pv.c) ---------------------------------------------------- */

/*
 * An mmu_update queued in lazy MMU mode: the table keeps the old value,
 * which is what the sanitizer is told.
 */
static void queue_mmu_update(pte_t *ptep, unsigned int cmd, pte_t val,
			     unsigned long va)
{
	struct xen_pv_cpu *c;

	sim_sched_point_touch(SIM_TOUCH_ARCH, xen_cpu());
	xen_extend_mmu_update(virt_to_machine(ptep) | cmd, val, va);
	c = xen_cpu();
	c->queued++;
	sim_deferred_queued("xen: mmu_update", c, ptep, va, val, 1);
	xen_mc_issue(XEN_LAZY_MMU);
}

/* HYPERVISOR_mmu_update() of one entry, now. */
static void mmu_update_now(pte_t *ptep, unsigned int cmd, pte_t val,
			   unsigned long va)
{
	struct mmu_update u = { virt_to_machine(ptep) | cmd, val };
	int err;

	hypercall("mmu_update", va);
	err = xen_hv_mmu_update(xen_hv(), &u, &va, 1, NULL);
	if (err)
		rejected("mmu_update", err, u.ptr, u.val);
	sim_unbatched_update();
}

/*
 * xen_set_pte() → __xen_set_pte(): xen_batched_set_pte() queues in lazy
 * MMU mode, else one mmu_update ("a hypercall is much cheaper" than
 * trapping the write).
 */
static void xen_set_pte(pte_t *ptep, pte_t val, unsigned long va)
{
	if (xen_get_lazy_mode() == XEN_LAZY_MMU)
		queue_mmu_update(ptep, MMU_NORMAL_PT_UPDATE, val, va);
	else
		mmu_update_now(ptep, MMU_NORMAL_PT_UPDATE, val, va);
}

/* set_pte_at() → set_ptes() → set_pte() (x86 since v6.6) */
static void xen_set_pte_at(struct mm_struct *mm, unsigned long addr,
			   pte_t *ptep, pte_t pte)
{
	(void)mm;
	xen_set_pte(ptep, pte, addr);
}

/* pte_clear() of PARAVIRT_XXL (asm/paravirt.h): set_pte(ptep, 0) */
static void xen_pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	(void)mm;
	xen_set_pte(ptep, 0, addr);
}

/* A trapped atomic write: Xen emulates it (ptwr_emulated_update()). */
static pte_t ptwr(pte_t *ptep, pte_t old, pte_t val, bool xchg,
		  unsigned long va)
{
	pte_t prev = old;
	int err;

	hypercall(xchg ? "ptwr xchg" : "ptwr cmpxchg", va);
	err = xen_hv_ptwr_emulate(xen_hv(), virt_to_machine(ptep), old, val,
				  xchg, va, &prev);
	if (err) {
		rejected("ptwr", err, virt_to_machine(ptep), val);
		return xchg ? *ptep : old; /* nothing written; no retry */
	}
	sim_unbatched_update();
	return prev;
}

/* native_ptep_get_and_clear(): xchg, which traps */
static pte_t xen_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				    pte_t *ptep)
{
	(void)mm;
	return ptwr(ptep, 0, 0, true, addr);
}

/* ptep_set_wrprotect(): a try_cmpxchg loop (75c1d1854306, v6.6), trapped */
static void xen_ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr,
				   pte_t *ptep)
{
	pte_t old;

	(void)mm;
	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	old = *ptep;
	for (;;) {
		pte_t prev = ptwr(ptep, old, pte_wrprotect(old), false, addr);

		if (prev == old)
			break;
		old = prev;
	}
}

/* xen_ptep_modify_prot_start(): "just return the pte as-is" */
static pte_t xen_ptep_modify_prot_start(struct vm_area_struct *vma,
					unsigned long addr, pte_t *ptep)
{
	(void)vma;
	(void)addr;
	sim_sched_point_touch(SIM_TOUCH_PTE_READ, ptep);
	return *ptep;
}

/* xen_ptep_modify_prot_commit(): MMU_PT_UPDATE_PRESERVE_AD, batched */
static void xen_ptep_modify_prot_commit(struct vm_area_struct *vma,
					unsigned long addr, pte_t *ptep,
					pte_t old_pte, pte_t pte)
{
	(void)vma;
	(void)old_pte;
	if (xen_get_lazy_mode() == XEN_LAZY_MMU) {
		queue_mmu_update(ptep, MMU_PT_UPDATE_PRESERVE_AD, pte, addr);
		return;
	}
	/* xen_mc_batch(); extend; xen_mc_issue(XEN_LAZY_MMU): issued now */
	xen_extend_mmu_update(virt_to_machine(ptep) | MMU_PT_UPDATE_PRESERVE_AD,
			      pte, addr);
	xen_mc_flush();
	sim_unbatched_update();
}

/* ---- page-table pages: pinned, read-only to the guest ----------------------- */

/* The linear-map entry of frame @pfn (its alias, made read-only to pin). */
static pte_t *linear_pte(unsigned long pfn)
{
	return sim_walk(&sim_this->init_mm, sim_linear_addr(pfn), 0, false);
}

/*
 * xen_alloc_ptpage(): the new table's linear alias read-only
 * (__set_pfn_prot(), make_lowmem_page_readonly()), then
 * MMUEXT_PIN_L<level+1>_TABLE, in the multicall buffer.
 */
static void xen_alloc_ptpage(unsigned long pfn, int level)
{
	pte_t *alias = linear_pte(pfn);

	if (xen_hv()->pinned[pfn])
		return;
	if (alias && pte_valid(*alias) && pte_write(*alias))
		xen_extend_mmu_update(virt_to_machine(alias),
				      pte_wrprotect(*alias),
				      sim_linear_addr(pfn));
	xen_mc_mmuext(MMUEXT_PIN_L1_TABLE + (unsigned int)level, pfn);
}

/* xen_release_ptpage(): unpin, then the alias writable again. */
static void xen_release_ptpage(unsigned long pfn)
{
	pte_t *alias = linear_pte(pfn);

	xen_mc_mmuext(MMUEXT_UNPIN_TABLE, pfn);
	if (alias && pte_valid(*alias))
		xen_extend_mmu_update(virt_to_machine(alias),
				      pte_mkwrite(*alias),
				      sim_linear_addr(pfn));
}

/*
 * pmd_populate_kernel() (paravirt alloc_pte → xen_alloc_ptpage()) then
 * set_pmd() → xen_set_pmd_hyper(): all through the multicall buffer,
 * issued unless lazy.
 */
static void xen_set_table_entry(pte_t *ptep, pte_t entry, int level,
				unsigned long addr)
{
	bool lazy = xen_get_lazy_mode() == XEN_LAZY_MMU;

	sim_sched_point_touch(SIM_TOUCH_ARCH, xen_cpu());
	if (pte_valid(entry) && (entry & PTE_TABLE))
		xen_alloc_ptpage(pte_pfn(entry), level - 1);
	if (lazy) {
		queue_mmu_update(ptep, MMU_NORMAL_PT_UPDATE, entry, addr);
		return;
	}
	xen_extend_mmu_update(virt_to_machine(ptep), entry, addr);
	xen_mc_flush();
}

/* pmd_clear() then pte_free_kernel() (paravirt release_pte) */
static void xen_clear_table_entry(pte_t *ptep, int level, unsigned long addr)
{
	pte_t old = *ptep;

	(void)level;
	sim_sched_point_touch(SIM_TOUCH_ARCH, xen_cpu());
	xen_extend_mmu_update(virt_to_machine(ptep), 0, addr);
	if (pte_valid(old) && (old & PTE_TABLE))
		xen_release_ptpage(pte_pfn(old));
	xen_mc_issue(XEN_LAZY_MMU);
}

/*
 * xen_activate_mm() / xen_pgd_pin(): an address space's tables are pinned
 * before it is loaded; its lower tables were pinned as they were linked.
 */
static void xen_switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	(void)prev;
	if (!next || !next->pgd || xen_hv()->pinned[sim_ptep_pfn(next->pgd)])
		return;
	xen_alloc_ptpage(sim_ptep_pfn(next->pgd), 3);
	xen_mc_flush();
}

/* ---- TLB flushes: mmuext_ops through the multicall buffer ------------------- */

/*
 * xen_flush_tlb_multi(): one MMUEXT_INVLPG_MULTI for one page, else
 * MMUEXT_TLB_FLUSH_MULTI, issued unless lazy (xen_mc_issue(XEN_LAZY_MMU)).
 * The kernel's flush_tlb_kernel_range() IPIs every CPU, each issuing its
 * own local flush; modelled as the one multi-CPU op per page (up to
 * tlb_single_page_flush_ceiling pages) or one full flush.
 */
static void xen_flush_range(unsigned long start, unsigned long end)
{
	unsigned long pages = (end - start) >> PAGE_SHIFT;

	if (pages > TLB_SINGLE_PAGE_FLUSH_CEILING) {
		xen_mc_mmuext(MMUEXT_TLB_FLUSH_MULTI, 0);
	} else {
		for (unsigned long a = start; a < end; a += PAGE_SIZE)
			xen_mc_mmuext(MMUEXT_INVLPG_MULTI, a);
	}
	xen_mc_issue(XEN_LAZY_MMU);
}

static void xen_flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	xen_flush_range(start, end);
}

static void xen_flush_tlb_range(struct mm_struct *mm, unsigned long start,
				unsigned long end)
{
	(void)mm;
	xen_flush_range(start, end);
}

static void xen_flush_tlb_mm(struct mm_struct *mm)
{
	(void)mm;
	xen_mc_mmuext(MMUEXT_TLB_FLUSH_MULTI, 0);
	xen_mc_issue(XEN_LAZY_MMU);
}

static void xen_flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	(void)vma;
	xen_flush_range(addr, addr + PAGE_SIZE);
}

/* ---- the lazy MMU hooks (mmu_pv.c) ---------------------------------------------- */

/*
 * 4594437880ce (v7.1-rc4, "x86/xen: Tolerate nested XEN_LAZY_MMU
 * entering/leaving", 20260508143933.493013-1-jgross@suse.com), or
 * --fix xen-tolerate-nested: enter only if not in MMU mode, leave only if
 * in some mode, both asking xen_get_lazy_mode().
 */
static bool xen_tolerates_nesting(void)
{
	return sim_kernel() >= SIM_KERNEL(7, 1) ||
	       sim_fix_enabled(SIM_FIX_XEN_TOLERATE_NESTED);
}

static void xen_enter_lazy_mmu(void)
{
	if (!xen_tolerates_nesting()) {
		enter_lazy(XEN_LAZY_MMU);
		return;
	}
	xen_preempt_disable();
	if (xen_get_lazy_mode() != XEN_LAZY_MMU)
		enter_lazy(XEN_LAZY_MMU);
	xen_preempt_enable();
}

static void xen_leave_lazy_mmu(void)
{
	xen_preempt_disable();
	xen_mc_flush();
	if (!xen_tolerates_nesting() || xen_get_lazy_mode() != XEN_LAZY_NONE)
		leave_lazy(XEN_LAZY_MMU);
	xen_preempt_enable();
}

/* v6.16: xen_flush_lazy_mmu() is a leave and an enter */
static void xen_flush_lazy_mmu_616(void)
{
	xen_preempt_disable();
	if (xen_get_lazy_mode() == XEN_LAZY_MMU) {
		xen_leave_lazy_mmu();
		xen_enter_lazy_mmu();
	}
	xen_preempt_enable();
}

/* v7.0 ("x86/xen: simplify flush_lazy_mmu()"): just the multicalls */
static void xen_flush_lazy_mmu_70(void)
{
	xen_preempt_disable();
	if (xen_get_lazy_mode() == XEN_LAZY_MMU)
		xen_mc_flush();
	xen_preempt_enable();
}

static void xen_flush_lazy_mmu(void)
{
	if (sim_kernel() >= SIM_KERNEL(7, 0))
		xen_flush_lazy_mmu_70();
	else
		xen_flush_lazy_mmu_616();
}

/* ---- context switch (enlighten_pv.c) ------------------------------------------- */

/*
 * Before 7.0 and with xen-revert-ctxsw: TIF_LAZY_MMU_UPDATES marks a task
 * switched out in MMU mode, and only that task re-enters at switch-in.
 */
static bool ctxsw_tif(void)
{
	return sim_kernel() < SIM_KERNEL(7, 0) ||
	       sim_fix_enabled(SIM_FIX_XEN_REVERT_CTXSW);
}

/*
 * xen_start_context_switch(prev). The machine's context switch has no site
 * of its own: the hooks name their lines for the multicalls they flush.
 */
static void xen_start_context_switch(struct task_struct *prev)
{
	if (xen_cpu()->lazy_mode == XEN_LAZY_MMU) {
		SIM_SITE_CALL_VOID(xen_leave_lazy_mmu());
		if (prev && ctxsw_tif())
			prev->thread_flags |= TIF_LAZY_MMU_UPDATES;
	}
	enter_lazy(XEN_LAZY_CPU);
}

/* xen_end_context_switch(next) */
static void xen_end_context_switch(struct task_struct *next)
{
	bool reenter;

	SIM_SITE_CALL_VOID(xen_mc_flush());
	leave_lazy(XEN_LAZY_CPU);
	if (!next)
		return;
	if (ctxsw_tif()) {
		reenter = next->thread_flags & TIF_LAZY_MMU_UPDATES;
		next->thread_flags &= ~TIF_LAZY_MMU_UPDATES;
	} else {
		/* 291b3abed657: __task_lazy_mmu_mode_active(next) */
		reenter = sim_task_lazy_mmu_mode_active(next);
	}
	if (reenter)
		SIM_SITE_CALL_VOID(xen_enter_lazy_mmu());
}

/* ---- DEBUG_PAGEALLOC (arch/x86/mm/pat/set_memory.c) ----------------------------- */

/*
 * __kernel_map_pages(): __set_pages_p()/__set_pages_np() store each
 * linear-map entry with set_pte_atomic() (= set_pte() under
 * PARAVIRT_XXL), then a local __flush_tlb_all() (xen_flush_tlb(),
 * MMUEXT_TLB_FLUSH_LOCAL), then arch_flush_lazy_mmu_mode(): whatever was
 * queued is issued before it returns.
 */
static void xen_kernel_map_pages(unsigned long pfn, int n, bool enable)
{
	for (int i = 0; i < n; i++) {
		pte_t *ptep = linear_pte(pfn + (unsigned long)i);
		pte_t pte;

		if (!ptep)
			continue;
		pte = *ptep;
		pte = enable ? pte | PTE_VALID : pte & ~PTE_VALID;
		xen_set_pte(ptep, pte, sim_linear_addr(pfn + (unsigned long)i));
	}
	xen_mc_mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
	xen_mc_issue(XEN_LAZY_MMU);
	xen_flush_lazy_mmu();
}

/* ---- boot ------------------------------------------------------------------------- */

/* Mark @pfn's table and those below it, as the domain builder pins them. */
static void pin_boot_tree(struct xen_hv *hv, unsigned long pfn, int level)
{
	pte_t *t = pfn_to_virt_raw(pfn);

	if (level > 0)
		for (int i = 0; i < PTRS_PER_TABLE; i++)
			if (pte_valid(t[i]) && (t[i] & PTE_TABLE))
				pin_boot_tree(hv, pte_pfn(t[i]), level - 1);
	xen_hv_pin_boot(hv, pfn, level);
}

/*
 * The domain as Xen starts it: every frame of the machine the guest's,
 * the boot tables pinned and their linear aliases read-only (the domain
 * builder's job, done with plain stores before any CPU runs).
 */
static void xen_pv_init(struct sim_machine *m)
{
	struct xen_hv *hv = xen_hv();

	hv->ops = &hv_ops;
	hv->nr_frames = m->nr_frames;
	hv->pinned = kzalloc(m->nr_frames, GFP_KERNEL);
	hv->wrcount = kcalloc(m->nr_frames, sizeof(uint32_t), GFP_KERNEL);
	hv->tref = kcalloc(m->nr_frames, sizeof(uint32_t), GFP_KERNEL);
	for (unsigned long pfn = 1; pfn < m->boot_next_pfn; pfn++) {
		pte_t *alias = linear_pte(pfn);

		if (alias)
			*alias = pte_wrprotect(*alias);
	}
	pin_boot_tree(hv, sim_ptep_pfn(m->init_mm.pgd), 3);
}

static void xen_pv_fini(struct sim_machine *m)
{
	struct xen_hv *hv = xen_hv();

	(void)m;
	kfree(hv->pinned);
	kfree(hv->wrcount);
	kfree(hv->tref);
}

#define XEN_PV_COMMON                                                       \
	.name = "xen-pv",                                                   \
	.models = "arch/x86/xen/mmu_pv.c, arch/x86/xen/multicalls.c, "      \
		  "arch/x86/xen/enlighten_pv.c, "                           \
		  "arch/x86/mm/pat/set_memory.c",                           \
	.state_size = sizeof(struct xen_pv_state),                          \
	.cpu_state_size = sizeof(struct xen_pv_cpu), .init = xen_pv_init,   \
	.fini = xen_pv_fini, .set_pte_at = xen_set_pte_at,                  \
	.ptep_get_and_clear = xen_ptep_get_and_clear,                       \
	.pte_clear = xen_pte_clear,                                         \
	.ptep_set_wrprotect = xen_ptep_set_wrprotect,                       \
	.ptep_modify_prot_start = xen_ptep_modify_prot_start,               \
	.ptep_modify_prot_commit = xen_ptep_modify_prot_commit,             \
	.set_table_entry = xen_set_table_entry,                             \
	.clear_table_entry = xen_clear_table_entry,                         \
	.flush_tlb_kernel_range = xen_flush_tlb_kernel_range,               \
	.flush_tlb_range = xen_flush_tlb_range,                             \
	.flush_tlb_mm = xen_flush_tlb_mm,                                   \
	.flush_tlb_page = xen_flush_tlb_page,                               \
	.arch_enter_lazy_mmu_mode = xen_enter_lazy_mmu,                     \
	.arch_leave_lazy_mmu_mode = xen_leave_lazy_mmu,                     \
	.arch_flush_lazy_mmu_mode = xen_flush_lazy_mmu,                     \
	.switch_out = xen_start_context_switch, .switch_mm = xen_switch_mm, \
	.switch_in = xen_end_context_switch,                                \
	.kernel_map_pages = xen_kernel_map_pages

/* v6.16, v6.17: passthrough onto the hooks, TIF_LAZY_MMU_UPDATES */
DEFINE_SIM_ARCH(xen_pv_6_16_ops, XEN_PV_COMMON, .kernel = "6.16",
		.lazy = SIM_LAZY_DIRECT);
/* v7.0: the core's counters; 291b3abed657 context switch */
DEFINE_SIM_ARCH(xen_pv_7_0_ops, XEN_PV_COMMON, .kernel = "7.0",
		.lazy = SIM_LAZY_NESTING);
/* v7.1: 4594437880ce tolerates nested enter/leave (sim_kernel() decides) */
DEFINE_SIM_ARCH(xen_pv_7_1_ops, XEN_PV_COMMON, .kernel = "7.1",
		.lazy = SIM_LAZY_NESTING);
