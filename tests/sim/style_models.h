/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Three test-only architecture models, one per way of deferring, each
 * about a page: the smallest model that defers that way, for tests (and,
 * later, the model checker's) to run callers on before the real models
 * exist. Each keeps its state in the machine (sim_arch_state(),
 * sim_arch_cpu_state()) with init/fini, reports its deferred work
 * (sim_deferred_queued/paid) and drains its per-CPU queue when a task is
 * switched out, as Xen's xen_start_context_switch() does.
 *
 *   style_hide_ops   (1) in memory, hidden from walkers until the flush
 *                        (arm64's barriers, arch/arm64/include/asm/pgtable.h)
 *   style_queue_ops  (2) queued, not in memory: the table keeps the old
 *                        value until the flush (Xen PV multicalls,
 *                        arch/x86/xen/mmu_pv.c xen_batched_set_pte())
 *   style_cache_ops  (3) in memory, but a translation cache the model owns
 *                        keeps the old frame until its invalidation is
 *                        paid (powerpc hash HPT and hpte_need_flush(),
 *                        arch/powerpc/mm/book3s64/hash_tlb.c)
 *
 * All three run on the 7.0 generic layer (is_lazy_mmu_mode_active()).
 */
#ifndef _LAZYMMU_TESTS_STYLE_MODELS_H
#define _LAZYMMU_TESTS_STYLE_MODELS_H

#include <string.h>

#include "sim/arch.h"
#include "sim/sim.h"

#define STYLE_MAGIC 0x5354594cUL
#define STYLE_QUEUE_LEN 8
#define STYLE_HPT_SIZE 64

/* How many times a style model's fini() found its state as init() left it. */
static int style_fini_ok;

struct style_item {
	pte_t *ptep;
	unsigned long addr;
	pte_t val;
};

/* Per CPU, for every style: the model's queue (owed work) on that CPU. */
struct style_cpu {
	unsigned long magic;
	unsigned int nr;
	struct style_item q[STYLE_QUEUE_LEN];
};

/* Per machine, style 3 only: the hash table every CPU translates through. */
struct style_hpt {
	unsigned long magic;
	bool forget_inval; /* a broken model: pays without invalidating */
	struct {
		unsigned long vpn;
		pte_t pte;
		bool valid;
	} e[STYLE_HPT_SIZE];
};

static struct style_cpu *style_this_cpu(void)
{
	return sim_arch_cpu_state(smp_processor_id());
}

/*
 * Take this CPU's queue into @q and empty it first, so that a switch while
 * the caller drains @q finds nothing to drain again. Returns its length.
 */
static unsigned int style_take(struct style_item *q)
{
	struct style_cpu *st = style_this_cpu();
	unsigned int nr = st->nr;

	memcpy(q, st->q, nr * sizeof(q[0]));
	st->nr = 0;
	return nr;
}

static void style_init(struct sim_machine *m)
{
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		((struct style_cpu *)sim_arch_cpu_state((int)c))->magic =
			STYLE_MAGIC;
	if (sim_arch_state())
		((struct style_hpt *)sim_arch_state())->magic = STYLE_MAGIC;
}

static void style_fini(struct sim_machine *m)
{
	bool intact =
		!sim_arch_state() ||
		((struct style_hpt *)sim_arch_state())->magic == STYLE_MAGIC;

	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		intact &= ((struct style_cpu *)sim_arch_cpu_state((int)c))
				  ->magic == STYLE_MAGIC;
	style_fini_ok += intact;
}

/* ---- (1) hide: the store is in memory, walkers see it at the flush -------- */

static void hide_set_pte_at(struct mm_struct *mm, unsigned long addr,
			    pte_t *ptep, pte_t pte)
{
	struct style_cpu *st;

	(void)mm;
	if (!is_lazy_mmu_mode_active()) {
		sim_pt_write(ptep, pte, addr, SIM_PT_SEEN);
		return;
	}
	sim_pt_write(ptep, pte, addr, SIM_PT_DEFERRED);
	st = style_this_cpu();
	if (st->nr++ == 0) /* one barrier owed, however many stores */
		sim_deferred_queued("hide: owed barrier", st, NULL, addr, 0, 1);
}

static void hide_flush_cpu(void)
{
	struct style_cpu *st = style_this_cpu();

	if (!st->nr)
		return;
	st->nr = 0;
	sim_barrier("hide: barrier");
	sim_pt_publish(smp_processor_id());
	sim_pt_sync(smp_processor_id());
	sim_deferred_paid("hide: owed barrier", st, 1);
}

static void hide_switch_out(struct task_struct *prev)
{
	(void)prev;
	hide_flush_cpu();
}

/* ---- (2) queue: the table keeps the old value until the flush ------------- */

static void queue_flush_cpu(void)
{
	struct style_cpu *st = style_this_cpu();
	struct style_item q[STYLE_QUEUE_LEN];
	unsigned int nr = style_take(q);

	if (!nr)
		return;
	sim_batch_flush("queue: multicall");
	for (unsigned int i = 0; i < nr; i++) {
		sim_pt_write(q[i].ptep, q[i].val, q[i].addr, SIM_PT_SEEN);
		sim_deferred_paid("queue: mmu_update", st, 1);
	}
}

static void queue_set_pte_at(struct mm_struct *mm, unsigned long addr,
			     pte_t *ptep, pte_t pte)
{
	struct style_cpu *st;

	(void)mm;
	if (!is_lazy_mmu_mode_active()) {
		sim_pt_write(ptep, pte, addr, SIM_PT_SEEN);
		return;
	}
	sim_sched_point_touch(SIM_TOUCH_ARCH, style_this_cpu());
	if (style_this_cpu()->nr == STYLE_QUEUE_LEN)
		queue_flush_cpu();
	st = style_this_cpu();
	st->q[st->nr++] = (struct style_item){ ptep, addr, pte };
	sim_deferred_queued("queue: mmu_update", st, ptep, addr, pte, 1);
}

static void queue_switch_out(struct task_struct *prev)
{
	(void)prev;
	queue_flush_cpu();
}

/* ---- (3) cache: the model's translation cache survives until invalidated -- */

static struct style_hpt *style_hpt(void)
{
	return sim_arch_state();
}

static bool cache_translate(struct mm_struct *mm, unsigned long addr, int cpu,
			    pte_t *pte)
{
	unsigned long vpn = addr >> PAGE_SHIFT;
	struct style_hpt *h = style_hpt();

	(void)mm;
	(void)cpu;
	if (!h->e[vpn % STYLE_HPT_SIZE].valid ||
	    h->e[vpn % STYLE_HPT_SIZE].vpn != vpn)
		return false;
	*pte = h->e[vpn % STYLE_HPT_SIZE].pte;
	return true;
}

/* A hash fault inserts the entry the walk found. */
static void cache_translate_fill(struct mm_struct *mm, unsigned long addr,
				 int cpu, pte_t pte)
{
	unsigned long vpn = addr >> PAGE_SHIFT;
	struct style_hpt *h = style_hpt();

	(void)mm;
	(void)cpu;
	h->e[vpn % STYLE_HPT_SIZE].vpn = vpn;
	h->e[vpn % STYLE_HPT_SIZE].pte = pte;
	h->e[vpn % STYLE_HPT_SIZE].valid = true;
}

/* Invalidate the hash entry and, as tlbie does, every TLB's. */
static void cache_invalidate(unsigned long addr)
{
	unsigned long vpn = addr >> PAGE_SHIFT;
	struct style_hpt *h = style_hpt();

	if (!h->forget_inval && h->e[vpn % STYLE_HPT_SIZE].vpn == vpn)
		h->e[vpn % STYLE_HPT_SIZE].valid = false;
	sim_tlb_inval_page(-1, addr, TLB_ASID_ALL);
}

static void cache_flush_cpu(void)
{
	struct style_cpu *st = style_this_cpu();
	struct style_item q[STYLE_QUEUE_LEN];
	unsigned int nr = style_take(q);

	if (!nr)
		return;
	sim_batch_flush("cache: flush_hash_range");
	for (unsigned int i = 0; i < nr; i++) {
		cache_invalidate(q[i].addr);
		sim_deferred_paid("cache: hpte_need_flush", st, 1);
	}
}

/* The store is in memory at once; an entry that was valid owes a flush. */
static void cache_set_pte_at(struct mm_struct *mm, unsigned long addr,
			     pte_t *ptep, pte_t pte)
{
	pte_t old = *ptep;
	struct style_cpu *st;

	(void)mm;
	sim_pt_write(ptep, pte, addr, SIM_PT_SEEN);
	if (!pte_valid(old))
		return;
	if (!is_lazy_mmu_mode_active()) {
		cache_invalidate(addr);
		return;
	}
	if (style_this_cpu()->nr == STYLE_QUEUE_LEN)
		cache_flush_cpu();
	st = style_this_cpu();
	st->q[st->nr++] = (struct style_item){ ptep, addr, pte };
	sim_deferred_queued("cache: hpte_need_flush", st, ptep, addr, pte, 1);
}

static void cache_switch_out(struct task_struct *prev)
{
	(void)prev;
	cache_flush_cpu();
}

#define STYLE_COMMON(style)                                                   \
	.kernel = "test", .models = "tests/sim/style_models.h",               \
	.lazy = SIM_LAZY_NESTING, .cpu_state_size = sizeof(struct style_cpu), \
	.init = style_init, .fini = style_fini,                               \
	.set_pte_at = style##_set_pte_at,                                     \
	.arch_leave_lazy_mmu_mode = style##_flush_cpu,                        \
	.arch_flush_lazy_mmu_mode = style##_flush_cpu,                        \
	.switch_out = style##_switch_out

static DEFINE_SIM_ARCH(style_hide_ops, .name = "style-hide",
		       STYLE_COMMON(hide));
static DEFINE_SIM_ARCH(style_queue_ops, .name = "style-queue",
		       STYLE_COMMON(queue));
static DEFINE_SIM_ARCH(style_cache_ops, .name = "style-cache",
		       STYLE_COMMON(cache),
		       .state_size = sizeof(struct style_hpt),
		       .translate = cache_translate,
		       .translate_fill = cache_translate_fill);

#endif /* _LAZYMMU_TESTS_STYLE_MODELS_H */
