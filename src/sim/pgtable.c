// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Page tables: software walks, table allocation, apply_to_page_range()
 * (mm/memory.c: one lazy MMU section per PTE table, as apply_to_pte_range()
 * opens), and the walker's view of entries that an architecture has stored
 * but not yet made visible to its table walkers.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/arch.h"
#include "sim/sim.h"

pte_t *sim_table_of(pte_t entry)
{
	return pfn_to_virt_raw(pte_pfn(entry));
}

static unsigned long pte_alloc_one_kernel(void)
{
	unsigned long pfn = alloc_page(GFP_KERNEL);

	if (!pfn)
		return 0;
	memset(pfn_to_virt_raw(pfn), 0, PAGE_SIZE);
	pfn_to_page(pfn)->flags |= PG_pgtable;
	return pfn;
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

static int apply_to_pte_range(struct mm_struct *mm, unsigned long addr,
			      unsigned long end, pte_fn_t fn, void *data,
			      bool create)
{
	pte_t *pte = sim_walk(mm, addr, 0, create);
	int err = 0;

	if (!pte)
		return create ? -12 /* -ENOMEM */ : 0;
	lazy_mmu_mode_enable();
	do {
		if (create || pte_valid(ptep_get(pte))) {
			err = fn(pte, addr, data);
			if (err)
				break;
		}
	} while (pte++, addr += PAGE_SIZE, addr != end);
	lazy_mmu_mode_disable();
	return err;
}

static int __apply_to_page_range(struct mm_struct *mm, unsigned long addr,
				 unsigned long size, pte_fn_t fn, void *data,
				 bool create)
{
	unsigned long end = addr + size, next;
	int err = 0;

	for (; addr != end && !err; addr = next) {
		next = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);
		if (next > end || next == 0)
			next = end;
		err = apply_to_pte_range(mm, addr, next, fn, data, create);
	}
	return err;
}

int apply_to_page_range(struct mm_struct *mm, unsigned long addr,
			unsigned long size, pte_fn_t fn, void *data)
{
	return __apply_to_page_range(mm, addr, size, fn, data, true);
}

int apply_to_existing_page_range(struct mm_struct *mm, unsigned long addr,
				 unsigned long size, pte_fn_t fn, void *data)
{
	return __apply_to_page_range(mm, addr, size, fn, data, false);
}

/* ---- stores and what walkers see ------------------------------------------ */

/*
 * sim_pt_write() - a store to a page-table entry (a hardware event).
 * @vis: unless SIM_PT_SEEN, the architecture does not guarantee that walkers
 * see the new value until this CPU publishes it (sim_pt_publish) and, for
 * this CPU's own walker, synchronises (sim_pt_sync).
 */
void sim_pt_write(pte_t *ptep, pte_t val, unsigned long addr,
		  enum sim_pt_vis vis)
{
	bool hide = vis != SIM_PT_SEEN;
	struct sim_event ev = { .type = SIM_EV_PTE_WRITE };

	/*
	 * A table entry (pmd, pud, pgd) is read by every software walk
	 * (sim_walk()) without a scheduling point: its store depends on all.
	 */
	sim_sched_point_touch((val | *ptep) & PTE_TABLE ? SIM_TOUCH_GLOBAL :
							  SIM_TOUCH_PTE,
			      ptep);
	ev.ptep = ptep;
	ev.addr = addr;
	ev.old = *ptep;
	ev.new = val;
	ev.flag = hide;
	ev.arg = vis;
	if (hide)
		sim_pt_hide(ptep, *ptep);
	*ptep = val;
	sim_emit(&ev);
}

static uint32_t *hidden_slot(const pte_t *ptep)
{
	size_t entry = (size_t)((const uint8_t *)ptep - sim_this->mem) / 8;

	return &sim_this->hidden_slot[entry];
}

void sim_pt_hide(pte_t *ptep, pte_t old)
{
	struct sim_machine *m = sim_this;
	uint32_t *slot = hidden_slot(ptep);
	struct sim_hidden *h;

	if (*slot) {
		/* stored again: hidden anew, walkers keep the old value */
		h = &m->hidden[*slot - 1];
		h->cpu = m->this_cpu;
		h->stage = 2;
		return;
	}
	if (m->nr_hidden == m->hidden_cap) {
		m->hidden_cap = m->hidden_cap ? 2 * m->hidden_cap : 64;
		m->hidden =
			realloc(m->hidden, m->hidden_cap * sizeof(*m->hidden));
		if (!m->hidden)
			abort();
	}
	h = &m->hidden[m->nr_hidden++];
	h->ptep = ptep;
	h->old = old;
	h->cpu = m->this_cpu;
	h->stage = 2;
	*slot = (uint32_t)m->nr_hidden;
	pfn_to_page(sim_ptep_pfn(ptep))->nr_hidden++;
}

static void unhide(size_t i)
{
	struct sim_machine *m = sim_this;
	struct sim_event ev = { .type = SIM_EV_PTE_VISIBLE };

	ev.ptep = m->hidden[i].ptep;
	ev.old = m->hidden[i].old;
	ev.new = *m->hidden[i].ptep;
	pfn_to_page(sim_ptep_pfn(ev.ptep))->nr_hidden--;
	*hidden_slot(ev.ptep) = 0;
	m->hidden[i] = m->hidden[--m->nr_hidden];
	if (i < m->nr_hidden)
		*hidden_slot(m->hidden[i].ptep) = (uint32_t)i + 1;
	sim_emit(&ev);
}

/* Stores of @cpu become visible to every other CPU's walker (a dsb). */
void sim_pt_publish(int cpu)
{
	struct sim_machine *m = sim_this;

	for (size_t i = 0; i < m->nr_hidden; i++)
		if (m->hidden[i].cpu == cpu && m->hidden[i].stage == 2)
			m->hidden[i].stage = 1;
}

/* Published stores become visible to @cpu's own walker too (an isb). */
void sim_pt_sync(int cpu)
{
	struct sim_machine *m = sim_this;

	for (size_t i = 0; i < m->nr_hidden;) {
		if (m->hidden[i].cpu == cpu && m->hidden[i].stage == 1)
			unhide(i);
		else
			i++;
	}
}

/* Every store becomes visible everywhere (a model without deferral). */
void sim_pt_sync_all(void)
{
	while (sim_this->nr_hidden)
		unhide(sim_this->nr_hidden - 1);
}

pte_t sim_pt_walker_read(const pte_t *ptep, int cpu)
{
	const struct sim_hidden *h;
	uint32_t slot;

	if (!pfn_to_page(sim_ptep_pfn(ptep))->nr_hidden)
		return *ptep;
	slot = *hidden_slot(ptep);
	if (!slot)
		return *ptep;
	h = &sim_this->hidden[slot - 1];
	return h->stage == 2 || h->cpu == cpu ? h->old : *ptep;
}
