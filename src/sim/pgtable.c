// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Page tables: software walks, table allocation, the hardware stores and
 * atomic read-modify-writes of entries, and the walker's view of entries
 * that an architecture has stored but not yet made visible to its table
 * walkers. The kernel's walkers that call back (apply_to_page_range()) are
 * callers, in src/mm/memory.c.
 */
#define SIM_NO_SITES /* the machine: its calls keep the model's site */
#include <stdlib.h>
#include <string.h>

#include "sim/arch.h"
#include "sim/hostsan.h"
#include "sim/sim.h"

pte_t *sim_table_of(pte_t entry)
{
	return pfn_to_virt_raw(pte_pfn(entry));
}

/* A non-zero store to the table entry @ptep: widen its frame's raw range. */
static inline __attribute__((always_inline)) void
sim_frame_written(const pte_t *ptep)
{
	size_t off = (size_t)((const uint8_t *)ptep - sim_this->mem);
	struct page *pg = &sim_this->pages[off >> PAGE_SHIFT];
	unsigned int i = (unsigned int)(off >> 3) & (PTRS_PER_TABLE - 1);

	if (pg->raw_lo == pg->raw_hi) {
		pg->raw_lo = (uint16_t)i;
		pg->raw_hi = (uint16_t)(i + 1);
		/* a table not flagged PG_pgtable (a test's): its memory too */
		sim_this->mem_dirty[off >> (PAGE_SHIFT + 6)] |=
			1ULL << ((off >> PAGE_SHIFT) % 64);
	} else if (i < pg->raw_lo) {
		pg->raw_lo = (uint16_t)i;
	} else if (i >= pg->raw_hi) {
		pg->raw_hi = (uint16_t)(i + 1);
	}
}

/* The store to memory: a non-zero value widens the frame's raw range. */
static inline __attribute__((always_inline)) void pt_set(pte_t *ptep, pte_t val)
{
	if (val)
		sim_frame_written(ptep);
	*ptep = val;
}

/* Frame @pfn's memory all 0 again, writing only where it may not be. */
static void sim_frame_zero(unsigned long pfn)
{
	struct page *pg = &sim_this->pages[pfn];

#ifdef SIM_ASAN
	/* the sanitized builds check the invariant: 0 outside the range */
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		if ((i < pg->raw_lo || i >= pg->raw_hi) &&
		    ((const pte_t *)pfn_to_virt_raw(pfn))[i])
			sim_fail("frame %lu: entry %u is %#llx, outside its "
				 "raw range [%u, %u)",
				 pfn, i,
				 (unsigned long long)((
					 const pte_t *)pfn_to_virt_raw(pfn))[i],
				 pg->raw_lo, pg->raw_hi);
#endif
	if (pg->raw_hi > pg->raw_lo)
		memset((pte_t *)pfn_to_virt_raw(pfn) + pg->raw_lo, 0,
		       (size_t)(pg->raw_hi - pg->raw_lo) * sizeof(pte_t));
	pg->raw_lo = pg->raw_hi = 0;
}

static unsigned long pte_alloc_one_kernel(void)
{
	unsigned long pfn = alloc_page(GFP_KERNEL);

	if (!pfn)
		return 0;
	sim_frame_zero(pfn);
	sim_set_page_flags(pfn, sim_page_flags(pfn) | PG_pgtable);
	/* pagetable_pte_ctor() → ptlock_init(): the split PTE lock, free */
	memset(&pfn_to_page(pfn)->ptl, 0, sizeof(pfn_to_page(pfn)->ptl));
	return pfn;
}

static uint32_t *hidden_slot(const pte_t *ptep);

/*
 * Count hidden entry @h of @cpu in (@d = 1) or out (-1) of the per-CPU
 * tallies that let sim_pt_publish() and sim_pt_sync() skip a scan that
 * would find nothing. Call it around every change of @h's CPU, stage or
 * observed.
 */
static inline void hidden_account(struct sim_machine *m,
				  const struct sim_hidden *h, int cpu, int d)
{
	if (sim_hidden_stage(m, h, cpu) == 2) {
		m->hidden_stage2[cpu] += (uint32_t)d;
		if (h->observed)
			m->nr_hidden_observed += (uint32_t)d;
	} else {
		m->hidden_stage1[cpu] += (uint32_t)d;
	}
}

/*
 * sim_pt_hidden_ok() - whether the tallies, the slots and the per-CPU
 * arrays agree: every entry of CPU c's array (holes aside) is c's, its slot
 * names c and its index; every CPU's tallies count its entries by stage;
 * nr_hidden counts them all; no array is longer than its room, and CPUs
 * the machine does not have hold none.
 */
bool sim_pt_hidden_ok(const struct sim_machine *m)
{
	uint32_t observed = 0;
	size_t all = 0;

	for (int c = 0; c < SIM_MAX_CPUS; c++) {
		uint32_t stage1 = 0, stage2 = 0;

		if (m->hidden_len[c] > m->hidden_cap[c] ||
		    (m->hidden_len[c] && c >= (int)m->opt.nr_cpus))
			return false;
		for (uint32_t i = 0; i < m->hidden_len[c]; i++) {
			const struct sim_hidden *h = &m->hidden[c][i];
			size_t off;

			if (!h->ptep)
				continue;
			off = (size_t)((const uint8_t *)h->ptep - m->mem);
			if (m->hidden_slot[off / sizeof(pte_t)] !=
			    sim_hidden_slot_make(c, i))
				return false;
			stage1 += sim_hidden_stage(m, h, c) == 1;
			stage2 += sim_hidden_stage(m, h, c) == 2;
			observed +=
				sim_hidden_stage(m, h, c) == 2 && h->observed;
		}
		if (stage1 != m->hidden_stage1[c] ||
		    stage2 != m->hidden_stage2[c])
			return false;
		all += stage1 + stage2;
	}
	return observed == m->nr_hidden_observed && all == m->nr_hidden;
}

/* The test builds check the tallies and arrays before using them. */
static void hidden_check(const struct sim_machine *m, int cpu)
{
	(void)cpu;
#ifdef SIM_ASAN
	if (!sim_pt_hidden_ok(m))
		abort();
#else
	(void)m;
#endif
}

/*
 * Kernel code on this CPU reads the table entry @e: if another CPU's store
 * to it is hidden, this CPU has observed it (see struct sim_hidden). An
 * observer's walk (the sanitizer's, inside sim_emit()) observes nothing.
 */
static void pt_observe(const pte_t *e)
{
	struct sim_machine *m = sim_this;
	uint32_t slot;

	if (!pfn_to_page(sim_ptep_pfn(e))->nr_hidden || m->emitting ||
	    !m->running)
		return;
	slot = *hidden_slot(e);
	if (slot) {
		struct sim_hidden *h = sim_hidden_at(m, slot);
		int writer = sim_hidden_slot_cpu(slot);

		hidden_account(m, h, writer, -1);
		h->observed |= 1U << m->this_cpu;
		hidden_account(m, h, writer, 1);
	}
}

/*
 * sim_walk() - the entry for @addr in the table of @level (0 = PTE) of @mm,
 * allocating missing tables if @alloc. Returns NULL if a table is missing
 * (and !@alloc) or cannot be allocated.
 */
pte_t *sim_walk(struct mm_struct *mm, unsigned long addr, int level, bool alloc)
{
	pte_t *table = mm->pgd;

	/* kernel threads (init_mm) have no user mappings: TTBR0 is empty */
	if (addr < USER_TOP && mm == &sim_this->init_mm)
		return NULL;
	for (int l = 3; l > level; l--) {
		pte_t *e = &table[pt_index(addr, l)];

		pt_observe(e);
		if (!pte_valid(*e)) {
			unsigned long pfn;

			if (!alloc)
				return NULL;
			pfn = pte_alloc_one_kernel();
			if (!pfn)
				return NULL;
			/*
			 * __pte_alloc_kernel(): populate under the lock
			 * unless someone else did meanwhile.
			 */
			spin_lock(&mm->page_table_lock);
			if (!pte_valid(*e)) {
				set_table_entry(e,
						pfn_pte(pfn, PAGE_KERNEL_TABLE),
						l, addr);
				pfn = 0;
			}
			spin_unlock(&mm->page_table_lock);
			if (pfn)
				__free_page(pfn);
		}
		table = sim_table_of(*e);
	}
	return &table[pt_index(addr, level)];
}

pte_t *pte_offset_kernel_alloc(unsigned long addr)
{
	return sim_walk(&sim_this->init_mm, addr, 0, true);
}

struct mm_struct *sim_mm_alloc(const char *name)
{
	struct sim_machine *m = sim_this;
	struct mm_struct *mm = kzalloc(sizeof(*mm), GFP_KERNEL);
	unsigned long pfn = pte_alloc_one_kernel();

	if (!pfn) {
		kfree(mm);
		return NULL;
	}
	mm->pgd = pfn_to_virt_raw(pfn);
	mm->asid = m->next_asid++;
	mm->name = name;
	return mm;
}

/* ---- stores and what walkers see ------------------------------------------ */

/*
 * Hide the store to @ptep (@slot its hidden slot), the entry keeping @old
 * for walkers. A new entry goes at the end of this CPU's array, as does one
 * another CPU stored last; that CPU's array keeps a hole (or ends before
 * it). The caller made room: hidden_len[this_cpu] < hidden_cap[this_cpu].
 */
static inline __attribute__((always_inline)) void
hide_at(struct sim_machine *m, pte_t *ptep, pte_t old, uint32_t *slot)
{
	int cpu = m->this_cpu;
	struct sim_hidden *h;
	uint32_t i;

	if (*slot) {
		/* stored again: hidden anew, walkers keep the old value */
		int writer = sim_hidden_slot_cpu(*slot);
		uint32_t j = sim_hidden_slot_index(*slot);

		h = &m->hidden[writer][j];
		hidden_account(m, h, writer, -1);
		if (writer != cpu) {
			/* another CPU's store now: it moves to our array */
			old = h->old;
			if (j + 1 == m->hidden_len[writer])
				m->hidden_len[writer] = j;
			else
				h->ptep = NULL;
			i = m->hidden_len[cpu]++;
			h = &m->hidden[cpu][i];
			h->ptep = ptep;
			h->old = old;
			*slot = sim_hidden_slot_make(cpu, i);
		}
		h->epoch = m->hidden_epoch[cpu]; /* stage 2 */
		h->observed = 0;
		hidden_account(m, h, cpu, 1);
		return;
	}
	i = m->hidden_len[cpu]++;
	h = &m->hidden[cpu][i];
	h->ptep = ptep;
	h->old = old;
	h->epoch = m->hidden_epoch[cpu]; /* stage 2 */
	h->observed = 0;
	hidden_account(m, h, cpu, 1);
	m->nr_hidden++;
	*slot = sim_hidden_slot_make(cpu, i);
	pfn_to_page(sim_ptep_pfn(ptep))->nr_hidden++;
}

/* The event of a store of @val over @old to @ptep (@hidden: not yet seen). */
static inline void pt_write_event(pte_t *ptep, unsigned long addr, pte_t old,
				  pte_t val, bool hidden, enum sim_pt_vis vis)
{
	struct sim_event ev = { .type = SIM_EV_PTE_WRITE };

	ev.ptep = ptep;
	ev.addr = addr;
	ev.old = old;
	ev.new = val;
	ev.flag = hidden;
	ev.arg = vis;
	sim_emit(&ev);
}

/*
 * pt_store_fast()'s hidden store that an observer wants
 * (SIM_EV_PTE_WRITE_HIDDEN): hidden, stored and emitted (sim_emit()
 * counts it), out of line.
 */
static __attribute__((noinline)) void
pt_store_hidden_event(struct sim_machine *m, pte_t *ptep, pte_t val,
		      unsigned long addr, enum sim_pt_vis vis, uint32_t *slot)
{
	pte_t old = *ptep;

	hide_at(m, ptep, old, slot);
	pt_set(ptep, val);
	pt_write_event(ptep, addr, old, val, true, vis);
}

/*
 * pt_store() when it calls nothing (inline, no event built): no reset
 * mark to log for, the store counted in place (no observer wants it), and,
 * if hidden, room in this CPU's array of hidden entries; a hidden store an
 * observer wants (SIM_EV_PTE_WRITE_HIDDEN) has its event built out of line.
 * Returns false
 * having changed nothing: the caller then takes pt_store().
 */
static inline __attribute__((always_inline)) bool
pt_store_fast(pte_t *ptep, pte_t val, unsigned long addr, enum sim_pt_vis vis)
{
	struct sim_machine *m = sim_this;
	pte_t old = *ptep;

	if (m->mark || !(m->ev_in_place & SIM_EV_BIT(SIM_EV_PTE_WRITE)) ||
	    m->emitting)
		return false;
	if (vis != SIM_PT_SEEN) {
		uint32_t *slot = hidden_slot(ptep);

		/* room for a new entry, or one moved here, in this CPU's */
		if (m->hidden_len[m->this_cpu] == m->hidden_cap[m->this_cpu])
			return false;
		if (m->ev_narrow & SIM_EV_PTE_WRITE_HIDDEN) {
			pt_store_hidden_event(m, ptep, val, addr, vis, slot);
			return true;
		}
		hide_at(m, ptep, old, slot);
	}
	pt_set(ptep, val);
	m->in_place_base[m->this_cpu][m->in_place_of[SIM_EV_PTE_WRITE]]++;
	return true;
}

/*
 * sim_pt_write() - a store to a page-table entry (a hardware event).
 * @vis: unless SIM_PT_SEEN, the architecture does not guarantee that walkers
 * see the new value until this CPU publishes it (sim_pt_publish) and, for
 * this CPU's own walker, synchronises (sim_pt_sync).
 */
/* The store itself, with its event; no scheduling point. */
static void pt_store(pte_t *ptep, pte_t val, unsigned long addr,
		     enum sim_pt_vis vis)
{
	bool hide = vis != SIM_PT_SEEN;
	pte_t old = *ptep;

	if (hide)
		sim_pt_hide(ptep, old);
	sim_reset_log_pt_store(ptep);
	pt_set(ptep, val);
	/* a hidden store goes to an observer of those (narrow want) */
	if ((hide && (sim_this->ev_narrow & SIM_EV_PTE_WRITE_HIDDEN)) ||
	    !sim_count_in_place(sim_this, SIM_EV_PTE_WRITE))
		pt_write_event(ptep, addr, old, val, hide, vis);
}

/*
 * What a store of @val to @ptep touches. A table entry (pmd, pud, pgd; old
 * or new value has PTE_TABLE) is read by every software walk (sim_walk())
 * without a scheduling point: its store depends on every step.
 */
static enum sim_touch store_touch(const pte_t *ptep, pte_t val)
{
	return (val | *ptep) & PTE_TABLE ? SIM_TOUCH_GLOBAL : SIM_TOUCH_PTE;
}

void sim_pt_write(pte_t *ptep, pte_t val, unsigned long addr,
		  enum sim_pt_vis vis)
{
	sim_sched_point_touch(store_touch(ptep, val), ptep);
	if (!pt_store_fast(ptep, val, addr, vis))
		pt_store(ptep, val, addr, vis);
}

/*
 * sim_pt_xchg() - xchg(ptep, val): the kernel's atomic exchange
 * (native_ptep_get_and_clear(), arm64 __ptep_get_and_clear()). Another CPU
 * may step before the read, never between the read and the write, so no
 * update is lost. Returns the entry as memory held it (the kernel's view,
 * whatever walkers still see).
 */
pte_t sim_pt_xchg(pte_t *ptep, pte_t val, unsigned long addr,
		  enum sim_pt_vis vis)
{
	pte_t old;

	sim_sched_point_touch(store_touch(ptep, val), ptep);
	old = *ptep;
	if (!pt_store_fast(ptep, val, addr, vis))
		pt_store(ptep, val, addr, vis);
	return old;
}

/*
 * sim_pt_cmpxchg() - cmpxchg(ptep, old, val): store @val only if the entry
 * still holds @old, atomically. Returns what it held; a caller's loop
 * retries with that value, as the kernel's try_cmpxchg loops do. A failed
 * compare stores nothing and emits nothing.
 */
pte_t sim_pt_cmpxchg(pte_t *ptep, pte_t old, pte_t val, unsigned long addr,
		     enum sim_pt_vis vis)
{
	pte_t cur;

	sim_sched_point_touch(store_touch(ptep, val), ptep);
	cur = *ptep;
	if (cur == old && !pt_store_fast(ptep, val, addr, vis))
		pt_store(ptep, val, addr, vis);
	return cur;
}

static uint32_t *hidden_slot(const pte_t *ptep)
{
	size_t entry = (size_t)((const uint8_t *)ptep - sim_this->mem) / 8;

	return &sim_this->hidden_slot[entry];
}

void sim_pt_hide(pte_t *ptep, pte_t old)
{
	struct sim_machine *m = sim_this;
	int cpu = m->this_cpu;

	if (m->hidden_len[cpu] == m->hidden_cap[cpu]) {
		m->hidden_cap[cpu] =
			m->hidden_cap[cpu] ? 2 * m->hidden_cap[cpu] : 64;
		m->hidden[cpu] =
			realloc(m->hidden[cpu],
				m->hidden_cap[cpu] * sizeof(**m->hidden));
		if (!m->hidden[cpu])
			abort();
	}
	hide_at(m, ptep, old, hidden_slot(ptep));
}

/*
 * Entry @h of @cpu becomes visible to every walker, without its event: its
 * slot, frame count and tally back, a hole where it was.
 */
static inline __attribute__((always_inline)) void
unhide_quiet(struct sim_machine *m, struct sim_hidden *h, int cpu)
{
	hidden_account(m, h, cpu, -1);
	pfn_to_page(sim_ptep_pfn(h->ptep))->nr_hidden--;
	*hidden_slot(h->ptep) = 0;
	h->ptep = NULL;
	m->nr_hidden--;
}

/* unhide_quiet(), then its event if an observer wants it. */
static void unhide(struct sim_machine *m, struct sim_hidden *h, int cpu)
{
	pte_t *ptep = h->ptep;
	pte_t old = h->old;

	unhide_quiet(m, h, cpu);
	if (sim_wants(m, SIM_EV_PTE_VISIBLE)) {
		struct sim_event ev = { .type = SIM_EV_PTE_VISIBLE };

		ev.ptep = ptep;
		ev.old = old;
		ev.new = *ptep;
		sim_emit(&ev);
	}
}

/*
 * Stores of @cpu, and stores @cpu observed (a dsb is cumulative), become
 * visible to every walker but their writer CPU's (a dsb on @cpu).
 */
void sim_pt_publish(int cpu)
{
	struct sim_machine *m = sim_this;
	struct sim_hidden *h;
	uint32_t i;
	int c;

	hidden_check(m, cpu);
	if (!m->hidden_stage2[cpu] && !m->nr_hidden_observed)
		return; /* no stage-2 store of @cpu's, none observed */
	if (!m->nr_hidden_observed) {
		/*
		 * Only @cpu's own stores (no other CPU's was observed): its
		 * next epoch makes every one stage 1 at once, no visit to
		 * each (struct sim_hidden.epoch).
		 */
		m->hidden_epoch[cpu]++;
		m->hidden_stage1[cpu] += m->hidden_stage2[cpu];
		m->hidden_stage2[cpu] = 0;
		return;
	}
	for_each_hidden(m, c, i, h) {
		if (sim_hidden_stage(m, h, c) == 2 &&
		    (c == cpu || (h->observed & (1U << cpu)))) {
			hidden_account(m, h, c, -1);
			h->epoch = m->hidden_epoch[c] - 1; /* stage 1 */
			hidden_account(m, h, c, 1);
		}
	}
}

/*
 * Published stores become visible to @cpu's own walker too (an isb): one
 * pass over @cpu's array, in store order (so are the SIM_EV_PTE_VISIBLE
 * events), the stage-2 entries that stay moved down over the holes.
 */
void sim_pt_sync(int cpu)
{
	struct sim_machine *m = sim_this;
	struct sim_hidden *a = m->hidden[cpu];
	uint32_t n = m->hidden_len[cpu], w = 0;

	hidden_check(m, cpu);
	if (!m->hidden_stage1[cpu])
		return; /* no published store of @cpu's */
	if (!m->hidden_stage2[cpu] && !sim_wants(m, SIM_EV_PTE_VISIBLE)) {
		/*
		 * Every entry of @cpu's is published (the common case: a
		 * section paid at its leave), and no observer wants their
		 * events: all become visible, the array empty.
		 */
		for (uint32_t i = 0; i < n; i++) {
			const pte_t *ptep = a[i].ptep;

			if (!ptep)
				continue;
			pfn_to_page(sim_ptep_pfn(ptep))->nr_hidden--;
			*hidden_slot(ptep) = 0;
		}
		m->nr_hidden -= m->hidden_stage1[cpu];
		m->hidden_stage1[cpu] = 0;
		m->hidden_len[cpu] = 0;
		return;
	}
	for (uint32_t r = 0; r < n; r++) {
		if (!m->hidden_stage1[cpu] && w == r)
			return; /* the rest stays where it is */
		if (!a[r].ptep)
			continue;
		if (sim_hidden_stage(m, &a[r], cpu) == 1) {
			unhide(m, &a[r], cpu);
			continue;
		}
		if (w != r) {
			/* [w, r) are holes: the entry moves down into one */
			a[w] = a[r];
			a[r].ptep = NULL;
			*hidden_slot(a[w].ptep) = sim_hidden_slot_make(cpu, w);
		}
		w++;
	}
	m->hidden_len[cpu] = w;
}

/*
 * Every store becomes visible everywhere (a model without deferral): CPU 0's
 * first, each CPU's in store order.
 */
void sim_pt_sync_all(void)
{
	struct sim_machine *m = sim_this;
	struct sim_hidden *h;
	uint32_t i;
	int c;

	for_each_hidden(m, c, i, h)
		unhide(m, h, c);
	memset(m->hidden_len, 0, sizeof(m->hidden_len));
}

pte_t sim_pt_walker_read(const pte_t *ptep, int cpu)
{
	return sim_pt_walker_see(sim_this, ptep, cpu);
}
