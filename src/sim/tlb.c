// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-CPU TLBs, the hardware table walker, data loads and stores through
 * translation, and translation faults.
 *
 * The walker reads entries as this CPU's walker sees them
 * (sim_pt_walker_read), which may lag the page table when an architecture
 * has not yet made a store visible; a model's own translation cache, asked
 * before the walk, may lag it until the model invalidates it. TLB entries
 * are tagged by ASID; kernel entries are global.
 */
#define SIM_NO_SITES /* the machine: its calls keep the model's site */
#include <stdlib.h>
#include <string.h>

#include "sim/arch.h"
#include "sim/sim.h"

#define TLB_WAYS 4

void sim_tlb_init(struct sim_tlb *tlb, unsigned int capacity)
{
	/* line-aligned: a set of four ways is one line (struct sim_tlb_entry) */
	size_t bytes = (capacity * sizeof(*tlb->e) + 63) & ~(size_t)63;

	tlb->e = aligned_alloc(64, bytes);
	if (tlb->e)
		memset(tlb->e, 0, bytes);
	tlb->asid = calloc(capacity, sizeof(*tlb->asid));
	tlb->capacity = capacity;
	tlb->ways = capacity % TLB_WAYS ? capacity : TLB_WAYS;
	tlb->sets = capacity / tlb->ways;
	/* a power of two (the default 64 entries): a mask, not a division */
	tlb->set_mask = tlb->sets & (tlb->sets - 1) ? 0 : tlb->sets - 1;
	tlb->next = calloc(tlb->sets, sizeof(*tlb->next));
	if (!tlb->e || !tlb->asid || !tlb->next)
		abort();
}

/*
 * The inline path of translate() needs the default geometry (sets of
 * TLB_WAYS, a power of two of them; every CPU's TLB has the same) and a
 * model without a translation cache of its own.
 */
void sim_translate_setup(struct sim_machine *m)
{
	const struct sim_tlb *tlb = &m->cpu[0].tlb;

	m->translate_inline = tlb->ways == TLB_WAYS && tlb->set_mask &&
			      !m->arch->translate && !m->arch->translate_fill;
}

/* The set @vpn belongs to. */
static inline unsigned long tlb_set_index(const struct sim_tlb *tlb,
					  unsigned long vpn)
{
	return tlb->set_mask || tlb->sets == 1 ? vpn & tlb->set_mask :
						 vpn % tlb->sets;
}

/* The first entry of @vpn's set. */
static inline struct sim_tlb_entry *tlb_set(struct sim_tlb *tlb,
					    unsigned long vpn)
{
	return &tlb->e[tlb_set_index(tlb, vpn) * tlb->ways];
}

/* The ASIDs of @set's ways (struct sim_tlb.asid). */
static inline const uint16_t *tlb_set_asid(const struct sim_tlb *tlb,
					   const struct sim_tlb_entry *set)
{
	return &tlb->asid[set - tlb->e];
}

/*
 * Whether valid way @i of @set translates @vpn under @asid. The ASID is
 * looked up only for a user entry whose vpn matches: a lookup that misses
 * reads the set's line alone.
 */
static inline bool tlb_matches(const struct sim_tlb *tlb,
			       const struct sim_tlb_entry *set, unsigned int i,
			       unsigned long vpn, uint16_t asid)
{
	return set[i].vpn == vpn && (sim_tlb_entry_global(&set[i]) ||
				     tlb_set_asid(tlb, set)[i] == asid);
}

/*
 * The lookup for translate(), which fills on a miss: one pass over the set
 * also finds the first invalid way (*@free, NULL if none), which is the
 * slot a fill takes. Always inlined: the callers pass the constant
 * TLB_WAYS in the common case (any capacity that is a multiple of 4),
 * which unrolls the loop into four compares.
 */
static inline __attribute__((always_inline)) struct sim_tlb_entry *
tlb_lookup_free(const struct sim_tlb *tlb, struct sim_tlb_entry *set,
		unsigned int ways, unsigned long vpn, uint16_t asid,
		struct sim_tlb_entry **free)
{
	*free = NULL;
#pragma GCC unroll 4
	for (unsigned int i = 0; i < ways; i++) {
		struct sim_tlb_entry *e = &set[i];

		if (!sim_tlb_entry_valid(e)) {
			if (!*free)
				*free = e;
		} else if (tlb_matches(tlb, set, i, vpn, asid)) {
			return e;
		}
	}
	return NULL;
}

/* The first invalid way of @set, or NULL. */
static inline struct sim_tlb_entry *tlb_first_free(struct sim_tlb *tlb,
						   struct sim_tlb_entry *set)
{
	for (unsigned int i = 0; i < tlb->ways; i++)
		if (!sim_tlb_entry_valid(&set[i]))
			return &set[i];
	return NULL;
}

/*
 * Store a translation in way @e: a valid entry, never 0 (which would read
 * as a free way); global if it is a kernel entry (no PTE_USER).
 */
static inline __attribute__((always_inline)) void
tlb_store(struct sim_tlb *tlb, struct sim_tlb_entry *e, unsigned long vpn,
	  uint16_t asid, pte_t pte)
{
#ifdef SIM_ASAN
	if (!pte)
		abort(); /* it would read as a free way */
#endif
	e->vpn = vpn;
	e->pte = pte;
	if (!sim_tlb_entry_global(e))
		tlb->asid[e - tlb->e] = asid; /* read only for a user entry */
	tlb->dirty = true;
}

/* The entry a fill of a full @set takes: the victim. */
static inline __attribute__((always_inline)) struct sim_tlb_entry *
tlb_victim(struct sim_tlb *tlb, struct sim_tlb_entry *set, unsigned int ways,
	   unsigned int *next)
{
	unsigned int victim;

	victim = *next < ways ? *next : 0;
	if (sim_this->opt.tlb_random_evict)
		victim = sim_choose(SIM_CHOOSE_EVICT, tlb->ways, victim);
	*next = victim + 1 < ways ? victim + 1 : 0;
	return &set[victim];
}

/*
 * Fill @vpn into set @idx (@set its first entry), taking @free if the
 * lookup found an invalid way, else the victim.
 */
static inline __attribute__((always_inline)) void
tlb_fill(struct sim_tlb *tlb, unsigned long idx, struct sim_tlb_entry *set,
	 struct sim_tlb_entry *free, unsigned long vpn, uint16_t asid,
	 pte_t pte)
{
	struct sim_tlb_entry *e = free;

	if (e)
		;
	else if (tlb->ways == TLB_WAYS)
		e = tlb_victim(tlb, set, TLB_WAYS, &tlb->next[idx]);
	else
		e = tlb_victim(tlb, set, tlb->ways, &tlb->next[idx]);
	tlb_store(tlb, e, vpn, asid, pte);
}

/*
 * sim_tlb_drop_page() - drop @tlb's entries for @vpn under @asid
 * (TLB_ASID_ALL: any), with no event and no scheduling point: for a model
 * whose hardware drops them as a side effect (ppc64 hash's HPTE eviction).
 */
void sim_tlb_drop_page(struct sim_tlb *tlb, unsigned long vpn, uint16_t asid)
{
	struct sim_tlb_entry *set = tlb_set(tlb, vpn);

	for (unsigned int i = 0; i < tlb->ways; i++) {
		struct sim_tlb_entry *e = &set[i];

		if (sim_tlb_entry_valid(e) &&
		    (asid == TLB_ASID_ALL ?
			     e->vpn == vpn :
			     tlb_matches(tlb, set, i, vpn, asid)))
			e->pte = 0;
	}
}

/*
 * sim_tlb_inval_page() - invalidate @addr on @cpu (-1: every CPU, a
 * broadcast). One TLB invalidation operation.
 */
void sim_tlb_inval_page(int cpu, unsigned long addr, uint16_t asid)
{
	struct sim_machine *m = sim_this;
	struct sim_event ev = { .type = SIM_EV_TLB_INVAL, .arg = 1 };

	sim_sched_point_touch(SIM_TOUCH_TLB, NULL);
	ev.addr = addr;
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		if (cpu < 0 || (int)c == cpu)
			sim_tlb_drop_page(&m->cpu[c].tlb, addr >> PAGE_SHIFT,
					  asid);
	sim_emit(&ev);
}

/*
 * sim_tlb_inval_range() - invalidate @nr pages from @addr on @cpu (-1:
 * every CPU) as one operation: an instruction that takes a range (s390's
 * IPTE with a range of up to 256 entries).
 */
void sim_tlb_inval_range(int cpu, unsigned long addr, unsigned long nr,
			 uint16_t asid)
{
	struct sim_machine *m = sim_this;
	struct sim_event ev = { .type = SIM_EV_TLB_INVAL, .arg = (long)nr };

	sim_sched_point_touch(SIM_TOUCH_TLB, NULL);
	ev.addr = addr;
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		if (cpu < 0 || (int)c == cpu)
			for (unsigned long i = 0; i < nr; i++)
				sim_tlb_drop_page(&m->cpu[c].tlb,
						  (addr >> PAGE_SHIFT) + i,
						  asid);
	sim_emit(&ev);
}

/* sim_tlb_inval_all() - flush @cpu's TLB (-1: every CPU). One operation. */
void sim_tlb_inval_all(int cpu)
{
	struct sim_machine *m = sim_this;
	struct sim_event ev = { .type = SIM_EV_TLB_INVAL, .arg = 0 };

	sim_sched_point_touch(SIM_TOUCH_TLB, NULL);
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		if (cpu >= 0 && (int)c != cpu)
			continue;
		for (unsigned int i = 0; i < m->cpu[c].tlb.capacity; i++)
			m->cpu[c].tlb.e[i].pte = 0;
	}
	sim_emit(&ev);
}

/*
 * sim_tlb_inval_asid() - drop every non-global entry tagged @asid on @cpu
 * (-1: every CPU): a flush of one address space (tlbi aside1is, x86's
 * flush of a PCID). One operation.
 */
void sim_tlb_inval_asid(int cpu, uint16_t asid)
{
	struct sim_machine *m = sim_this;
	struct sim_event ev = { .type = SIM_EV_TLB_INVAL, .arg = 0 };

	sim_sched_point_touch(SIM_TOUCH_TLB, NULL);
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		struct sim_tlb *tlb = &m->cpu[c].tlb;

		if (cpu >= 0 && (int)c != cpu)
			continue;
		for (unsigned int i = 0; i < tlb->capacity; i++)
			if (sim_tlb_entry_valid(&tlb->e[i]) &&
			    !sim_tlb_entry_global(&tlb->e[i]) &&
			    tlb->asid[i] == asid)
				tlb->e[i].pte = 0;
	}
	sim_emit(&ev);
}

/* The hardware walk, as @cpu's walker sees the tables. 0: no translation. */
static pte_t hw_walk(struct mm_struct *mm, unsigned long addr, int cpu)
{
	pte_t *table = mm->pgd;

	if (addr < USER_TOP && mm == &sim_this->init_mm)
		return 0;
	if (!sim_this->nr_hidden) {
		/* nothing hidden anywhere: every walker sees memory */
#pragma GCC unroll 3
		for (int level = 3; level > 0; level--) {
			pte_t e = table[pt_index(addr, level)];

			if (!pte_valid(e))
				return 0;
			table = sim_table_of(e);
		}
		return pte_valid(table[pt_index(addr, 0)]) ?
			       table[pt_index(addr, 0)] :
			       0;
	}
	for (int level = 3; level >= 0; level--) {
		pte_t e =
			sim_pt_walker_read(&table[pt_index(addr, level)], cpu);

		if (!pte_valid(e))
			return 0;
		if (level == 0)
			return e;
		table = sim_table_of(e);
	}
	return 0;
}

/* The walk through what memory holds now (the kernel's view). */
static pte_t mem_walk(struct mm_struct *mm, unsigned long addr)
{
	pte_t *ptep = sim_walk(mm, addr, 0, false);

	return ptep && pte_valid(*ptep) ? *ptep : 0;
}

/*
 * sim_translate() - translate @addr on the current CPU, filling the TLB.
 * On a TLB miss, a translation cache the model owns (sim_arch_ops.translate:
 * a hash HPT, a TSB, a per-CPU PTE cache) is asked first; only if it misses
 * is the table walked, and the model is told of the walk (translate_fill)
 * so that it may cache it. A hit may be older than the table: the model
 * keeps it until its own invalidation, whatever the TLB evicts.
 * On a translation fault, the architecture decides whether it is spurious
 * (the entry is valid in memory): then the access is retried and succeeds.
 * Returns false if the fault is real.
 */
static bool translate_slow(unsigned long addr, unsigned long *pa,
			   pte_t *ptep_out);

/*
 * sim_translate(), also giving the entry the translation used. The common
 * case inline, with few values live: the default TLB geometry (sets of 4,
 * a power of two of them), a model without a translation cache of its
 * own, nothing hidden (every walker sees memory), and a hit or a walk that
 * finds a valid entry. Anything else (a fault, a model's hook) goes to
 * translate_slow(), which starts over: nothing was changed yet.
 */
static inline __attribute__((always_inline)) bool
translate(unsigned long addr, unsigned long *pa, pte_t *ptep_out)
{
	struct sim_machine *m = sim_this;
	struct sim_cpu *cpu = m->cur_cpu;
	struct sim_tlb *tlb = &cpu->tlb;
	unsigned long vpn = addr >> PAGE_SHIFT, idx;
	struct sim_tlb_entry *set, *e, *free;
	const pte_t *table;
	uint16_t asid = 0;
	pte_t pte;

	if (!m->translate_inline)
		return translate_slow(addr, pa, ptep_out);
	if (addr >= PAGE_OFFSET) {
		table = m->init_mm.pgd;
	} else {
		const struct mm_struct *mm = cpu->curr->mm;

		if (mm == &m->init_mm) /* no user mappings: a fault */
			return translate_slow(addr, pa, ptep_out);
		table = mm->pgd;
		asid = mm->asid;
	}
	idx = vpn & tlb->set_mask;
	set = &tlb->e[idx * TLB_WAYS];
	e = tlb_lookup_free(tlb, set, TLB_WAYS, vpn, asid, &free);
	if (e) {
		pte = e->pte;
	} else if (!m->nr_hidden) {
		/* nothing hidden anywhere: every walker sees memory */
#pragma GCC unroll 3
		for (int level = 3; level > 0; level--) {
			pte_t t = table[pt_index(addr, level)];

			if (!pte_valid(t))
				return translate_slow(addr, pa, ptep_out);
			table = sim_table_of(t);
		}
		pte = table[pt_index(addr, 0)];
		if (!pte_valid(pte))
			return translate_slow(addr, pa, ptep_out);
		tlb_fill(tlb, idx, set, free, vpn, asid, pte);
	} else {
		/* as this CPU's walker sees the tables (hw_walk()) */
		for (int level = 3; level > 0; level--) {
			pte_t t = sim_pt_walker_read(
				&table[pt_index(addr, level)], cpu->id);

			if (!pte_valid(t))
				return translate_slow(addr, pa, ptep_out);
			table = sim_table_of(t);
		}
		pte = sim_pt_walker_read(&table[pt_index(addr, 0)], cpu->id);
		if (!pte_valid(pte))
			return translate_slow(addr, pa, ptep_out);
		tlb_fill(tlb, idx, set, free, vpn, asid, pte);
	}
	*pa = (pte_pfn(pte) << PAGE_SHIFT) | (addr & (PAGE_SIZE - 1));
	*ptep_out = pte;
	return true;
}

bool sim_translate(unsigned long addr, unsigned long *pa)
{
	pte_t pte;

	return translate(addr, pa, &pte);
}

/* translate(), every case. */
static __attribute__((noinline)) bool
translate_slow(unsigned long addr, unsigned long *pa, pte_t *ptep_out)
{
	struct sim_machine *m = sim_this;
	struct sim_cpu *cpu = m->cur_cpu;
	struct sim_tlb *tlb = &cpu->tlb;
	bool kernel = addr >= PAGE_OFFSET;
	struct mm_struct *mm = kernel ? &m->init_mm : cpu->curr->mm;
	unsigned long vpn = addr >> PAGE_SHIFT;
	uint16_t asid = kernel ? 0 : mm->asid;
	unsigned long idx;
	struct sim_tlb_entry *set, *e, *free;
	pte_t pte;
	/* a model's hook ran since the lookup: it may have changed the TLB */
	bool hooked = m->arch->translate;

	/* the set's index once, for the lookup and the fill */
	if (tlb->ways == TLB_WAYS && tlb->set_mask) {
		/* the default 64 entries: 16 sets of 4 */
		idx = vpn & tlb->set_mask;
		set = &tlb->e[idx * TLB_WAYS];
		e = tlb_lookup_free(tlb, set, TLB_WAYS, vpn, asid, &free);
	} else {
		idx = tlb_set_index(tlb, vpn);
		set = &tlb->e[idx * tlb->ways];
		e = tlb_lookup_free(tlb, set, tlb->ways, vpn, asid, &free);
	}

	if (e) {
		pte = e->pte;
	} else if (m->arch->translate &&
		   m->arch->translate(mm, addr, cpu->id, &pte)) {
		/* the model's translation cache hit: no table walk */
		tlb_fill(tlb, idx, set, tlb_first_free(tlb, set), vpn, asid,
			 pte);
	} else {
		pte = hw_walk(mm, addr, cpu->id);
		if (!pte) {
			struct sim_event ev = { .type = SIM_EV_FAULT };
			bool spurious = m->arch->spurious_fault ?
						m->arch->spurious_fault(addr) :
						pte_valid(mem_walk(mm, addr));

			hooked = true;
			ev.addr = addr;
			ev.flag = spurious;
			sim_emit(&ev);
			if (m->arch->exception_return)
				m->arch->exception_return();
			if (!spurious)
				return false;
			pte = mem_walk(mm, addr);
			if (!pte)
				return false;
		}
		if (m->arch->translate_fill) {
			m->arch->translate_fill(mm, addr, cpu->id, pte);
			hooked = true;
		}
		if (hooked)
			free = tlb_first_free(tlb, set);
		tlb_fill(tlb, idx, set, free, vpn, asid, pte);
	}
	*pa = (pte_pfn(pte) << PAGE_SHIFT) | (addr & (PAGE_SIZE - 1));
	*ptep_out = pte;
	return true;
}

/* access() found no translation, or no frame behind it (cold). */
static __attribute__((noinline, cold)) long
access_failed(unsigned long addr, bool write, bool translated)
{
	struct sim_machine *m = sim_this;
	struct sim_finding_at at = { .have = SIM_FINDING_ADDR, .addr = addr };

	if (!translated)
		sim_report_at(&at, "bad-access",
			      "CPU%d %s: unhandled %s fault at %#lx",
			      m->this_cpu, current->comm,
			      write ? "write" : "read", addr);
	else
		sim_report_at(&at, "bad-access",
			      "CPU%d %s: %#lx translates to no frame",
			      m->this_cpu, current->comm, addr);
	return -1;
}

/* The access's event, for an observer that wants it (out of line: its
 * frame would weigh on every access). */
static __attribute__((noinline)) void
access_event(unsigned long addr, bool write, unsigned long pfn)
{
	struct sim_event ev = { .type = SIM_EV_ACCESS };

	ev.addr = addr;
	ev.flag = write;
	ev.arg = (long)pfn;
	sim_emit(&ev);
}

/*
 * access() after its scheduling point: no call on the common path (a TLB
 * hit or an inline walk, no observer of the access), so that it saves no
 * registers there.
 */
static __attribute__((noinline)) long access_translate(unsigned long addr,
						       bool write)
{
	struct sim_machine *m = sim_this;
	unsigned long pa;
	pte_t pte;

	if (!translate(addr & ~7UL, &pa, &pte))
		return access_failed(addr, write, false);
	if ((pa >> PAGE_SHIFT) >= m->nr_frames)
		return access_failed(addr, write, true);
	if (sim_wants(m, SIM_EV_ACCESS) && !sim_count_access_in_place(m, pa))
		access_event(addr, write, pa >> PAGE_SHIFT);
	return (long)pa;
}

/*
 * The common case of access() after its scheduling point, calling nothing
 * (no frame of its own to save registers for: inline in sim_load() and
 * sim_store()): the inline path's conditions (see translate()), a TLB hit
 * or a walk (as this CPU's walker sees the tables) that finds a valid
 * entry and a free way or round-robin eviction, a frame behind it.
 * Returns the physical address, or -1 having changed nothing: the caller
 * then takes access_translate(), which starts over. @hidden: the copy that
 * walks as this CPU's walker sees the tables (access_fast_hidden(), out of
 * line); the other, whose walk reads memory with fewer registers, calls it
 * when a table on its way holds a hidden entry.
 */
static long access_fast_hidden(unsigned long addr);

static inline __attribute__((always_inline)) long
access_fast_walk(unsigned long addr, bool hidden)
{
	struct sim_machine *m = sim_this;
	struct sim_cpu *cpu = m->cur_cpu;
	struct sim_tlb *tlb = &cpu->tlb;
	unsigned long vpn, idx, pa;
	struct sim_tlb_entry *set, *e, *free;
	const pte_t *table;
	uint16_t asid = 0;
	pte_t pte;

	if (!m->translate_inline)
		return -1;
	addr &= ~7UL;
	vpn = addr >> PAGE_SHIFT;
	if (addr >= PAGE_OFFSET) {
		table = m->init_mm.pgd;
	} else {
		const struct mm_struct *mm = cpu->curr->mm;

		if (mm == &m->init_mm)
			return -1;
		table = mm->pgd;
		asid = mm->asid;
	}
	idx = vpn & tlb->set_mask;
	set = &tlb->e[idx * TLB_WAYS];
	e = tlb_lookup_free(tlb, set, TLB_WAYS, vpn, asid, &free);
	if (e) {
		pte = e->pte;
		pa = (pte_pfn(pte) << PAGE_SHIFT) | (addr & (PAGE_SIZE - 1));
		return (pa >> PAGE_SHIFT) < m->nr_frames ? (long)pa : -1;
	}
	if (!free && m->opt.tlb_random_evict)
		return -1;
	if (!hidden) {
		/*
		 * Memory, as every walker sees it unless a table on the way
		 * holds a hidden entry: with stores hidden somewhere (some
		 * CPU in a section), each table's count says whether this
		 * walk can pass it by; the rare walk through such a table
		 * starts over in the copy that reads as this CPU's walker
		 * sees (access_fast_hidden()). Other CPUs' sections store in
		 * their own tables, so with many CPUs most walks stay here.
		 */
		bool any = m->nr_hidden != 0;

#pragma GCC unroll 3
		for (int level = 3; level > 0; level--) {
			pte_t t = table[pt_index(addr, level)];

			if (any && sim_table_has_hidden(m, table))
				return access_fast_hidden(addr);
			if (!pte_valid(t))
				return -1;
			table = sim_table_of(t);
		}
		if (any && sim_table_has_hidden(m, table))
			return access_fast_hidden(addr);
		pte = table[pt_index(addr, 0)];
	} else {
		/* as this CPU's walker sees the tables (hw_walk()) */
		for (int level = 3; level > 0; level--) {
			pte_t t = sim_pt_walker_see(
				m, &table[pt_index(addr, level)], cpu->id);

			if (!pte_valid(t))
				return -1;
			table = sim_table_of(t);
		}
		pte = sim_pt_walker_see(m, &table[pt_index(addr, 0)], cpu->id);
	}
	pa = (pte_pfn(pte) << PAGE_SHIFT) | (addr & (PAGE_SIZE - 1));
	if (!pte_valid(pte) || (pa >> PAGE_SHIFT) >= m->nr_frames)
		return -1;
	if (!free) {
		/* tlb_victim() without random eviction */
		unsigned int *next = &tlb->next[idx];
		unsigned int victim = *next < TLB_WAYS ? *next : 0;

		*next = (victim + 1) & (TLB_WAYS - 1);
		free = &set[victim];
	}
	tlb_store(tlb, free, vpn, asid, pte);
	return (long)pa;
}

static __attribute__((noinline)) long access_fast_hidden(unsigned long addr)
{
	return access_fast_walk(addr, true);
}

static inline __attribute__((always_inline)) long
access_fast(unsigned long addr)
{
	return access_fast_walk(addr, false);
}

/* The physical address @addr reaches, or -1 if the access fails. */
static inline long access(unsigned long addr, bool write)
{
	struct sim_machine *m = sim_this;
	long pa;

	sim_sched_point_touch(SIM_TOUCH_DATA,
			      (const void *)(addr & ~(PAGE_SIZE - 1)));
	pa = access_fast(addr);
	if (pa < 0)
		return access_translate(addr, write);
	if (sim_wants(m, SIM_EV_ACCESS) &&
	    !sim_count_access_in_place(m, (unsigned long)pa))
		access_event(addr, write, (unsigned long)pa >> PAGE_SHIFT);
	return pa;
}

uint64_t sim_load(unsigned long addr)
{
	long pa = access(addr, false);

	return pa < 0 ? 0 : sim_phys_read((unsigned long)pa);
}

void sim_store(unsigned long addr, uint64_t val)
{
	long pa = access(addr, true);

	if (pa >= 0)
		sim_phys_write((unsigned long)pa, val);
}

/*
 * A probe: the access of sim_load()/sim_store() that reports nothing when
 * it faults. A store through a read-only translation is a permission
 * fault (emitted as SIM_EV_FAULT, not spurious): the TLB's entry decides,
 * so a stale writable one still lets it through.
 */
static long probe(unsigned long addr, bool write)
{
	struct sim_machine *m = sim_this;
	struct sim_event ev = { .type = SIM_EV_ACCESS };
	unsigned long pa;
	pte_t pte;

	sim_sched_point_touch(SIM_TOUCH_DATA,
			      (const void *)(addr & ~(PAGE_SIZE - 1)));
	if (!translate(addr & ~7UL, &pa, &pte))
		return -1;
	if (write && (pte & PTE_RDONLY)) {
		struct sim_event f = { .type = SIM_EV_FAULT };

		f.addr = addr;
		sim_emit(&f);
		if (m->arch->exception_return)
			m->arch->exception_return();
		return -1;
	}
	if ((pa >> PAGE_SHIFT) >= m->nr_frames)
		return -1;
	ev.addr = addr;
	ev.flag = write;
	ev.arg = (long)(pa >> PAGE_SHIFT);
	sim_emit(&ev);
	return (long)pa;
}

bool sim_probe_load(unsigned long addr, uint64_t *val)
{
	long pa = probe(addr, false);

	if (pa < 0)
		return false;
	*val = sim_phys_read((unsigned long)pa);
	return true;
}

bool sim_probe_store(unsigned long addr, uint64_t val)
{
	long pa = probe(addr, true);

	if (pa < 0)
		return false;
	sim_phys_write((unsigned long)pa, val);
	return true;
}
