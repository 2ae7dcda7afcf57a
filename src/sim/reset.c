// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * sim_reset(): the machine back to the state sim_create() left it in (just
 * after boot), so that the same tasks can be spawned and run again with
 * results bit-identical to a fresh machine's: what a stateless model
 * checker does at every execution.
 *
 * The cost is what the run touched, not the machine's size. sim_create()
 * takes a snapshot (struct sim_mark); during a run the machine logs what
 * it changes that the snapshot cannot restore cheaply:
 *
 *   page tables of boot    every store into a frame that was a table at
 *                          the mark: (entry, old value), undone in reverse
 *                          (sim_pt_write() calls sim_reset_log_pt_store());
 *   frames                 the free stack's low-water mark: every frame
 *                          allocated was popped above it, so only its
 *                          slots and their struct pages need restoring,
 *                          plus the pages freed that were not free at boot;
 *   data words             the frames whose first word was written (a
 *                          bitmap keeps the log free of duplicates), the
 *                          slots of the data-word table that were filled;
 *   TLBs                   whether a CPU's TLB was filled at all;
 *   hidden entries         each CPU's array (sim_pt_hide()): the arrays
 *                          carried, their lengths 0 in the snapshot, so
 *                          copied back;
 *   kernel objects         the arena's post-boot bump point (kmem.c);
 *   tasks                  structs and stacks are kept for sim_spawn() to
 *                          recycle: no mmap() or munmap() per run.
 *
 * Every other field of struct sim_machine is copied back from the snapshot
 * in one assignment, so that a field added later (a counter, a flag, a
 * per-CPU value) is reset without anyone listing it. A field that owns
 * host memory which grows during a run must instead be carried over below
 * (reset_carry()), or the run's allocation leaks (LeakSanitizer says so).
 *
 * The model's state is copied back as its init() left it (a model keeps
 * its state in sim_arch_ops.state_size/cpu_state_size bytes, pointing only
 * to kernel objects and frames); the policy goes through its reset() hook (or the caller installs a fresh one with
 * sim_set_policy()); observers through their reset() hook.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/arch.h"
#include "sim/sim.h"

struct sim_mark {
	struct sim_machine m; /* the machine right after boot */
	struct page *pages; /* every frame's struct page */
	uint8_t *frame_flags; /* and its flags (m->frame_flags) */
	/* [0, m.nr_free), the implicit part written out (sim_free_stack_at) */
	unsigned long *free_stack;
	uint64_t *word0; /* first words, NULL if all were 0 */
	struct sim_word *words; /* the data-word table, NULL if empty */
	void *arch_state; /* the model's state after init() */
	void *cpu_arch_state[SIM_MAX_CPUS];
};

static void *dup_or_die(const void *p, size_t size)
{
	void *q = malloc(size ? size : 1);

	if (!q) {
		fprintf(stderr, "lazymmu: out of memory for the reset mark\n");
		exit(2);
	}
	memcpy(q, p, size);
	return q;
}

/* Grow a log of @elem-byte entries: *@buf holds *@cap of them. */
void sim_reset_log_grow(void **buf, size_t *cap, size_t elem)
{
	size_t n = *cap ? 2 * *cap : 64;
	void *p = realloc(*buf, n * elem);

	if (!p)
		abort();
	*buf = p;
	*cap = n;
}

/*
 * The fields of struct sim_machine that sim_reset() keeps: the host memory
 * the machine owns (emptied by the reset), and the caller's settings made
 * after sim_create() (the policy, the observers). In the struct's order
 * (sim_reset_mark() checks): the reset copies the bytes between them.
 */
#define CARRY(field)                                             \
	{                                                        \
		offsetof(struct sim_machine, field),             \
			sizeof(((struct sim_machine *)0)->field) \
	}

static const struct carried {
	size_t off, len;
} carried[] = {
	CARRY(opt.policy),
	CARRY(words), /* the data-word table */
	CARRY(words_cap),
	CARRY(hidden), /* each CPU's array of hidden stores */
	CARRY(hidden_cap),
	CARRY(tasks), /* task structs and stacks, for sim_spawn() */
	CARRY(tasks_cap),
	CARRY(nr_task_structs),
	CARRY(kmem),
	CARRY(undo), /* the reset's own logs */
	CARRY(undo_cap),
	CARRY(freed_log),
	CARRY(freed_log_cap),
	CARRY(word0_log),
	CARRY(word0_log_cap),
	CARRY(words_log),
	CARRY(words_log_cap),
	CARRY(obs), /* the observers and what sim_emit() does with them */
	CARRY(nr_obs),
	CARRY(ev_wanted),
	CARRY(ev_narrow),
	CARRY(emit_plan),
	CARRY(ev_counted),
	CARRY(ev_in_place),
	CARRY(in_place_base),
	CARRY(in_place_of),
	CARRY(findings), /* lmm_run() may have taken them: then NULL */
	CARRY(findings_cap),
	CARRY(pending), /* findings an observer reported */
	CARRY(pending_cap),
	CARRY(choices), /* the run's recorded choices (choices.c) */
	CARRY(choices_cap),
};

#define NR_CARRIED (sizeof(carried) / sizeof(carried[0]))

/* carried[] in the struct's order, none overlapping: else abort. */
static void check_carried(void)
{
	for (size_t i = 1; i < NR_CARRIED; i++) {
		if (carried[i].off < carried[i - 1].off + carried[i - 1].len) {
			fprintf(stderr,
				"lazymmu: reset.c: carried[%zu] is out of the "
				"order of struct sim_machine\n",
				i);
			abort();
		}
	}
}

/*
 * sim_reset_mark() - take the post-boot snapshot (sim_create(), after the
 * model's init()). Costs the machine's size once.
 */
void sim_reset_mark(struct sim_machine *m)
{
	struct sim_mark *mk = calloc(1, sizeof(*mk));

	if (!mk)
		abort();
	check_carried();
	if (m->nr_hidden) {
		fprintf(stderr, "lazymmu: %s: init() left stores hidden\n",
			m->arch->name);
		abort();
	}
	/* holes only (entries moved, none synced since): the arrays empty */
	memset(m->hidden_len, 0, sizeof(m->hidden_len));
	mk->pages = dup_or_die(m->pages, m->nr_frames * sizeof(*m->pages));
	mk->frame_flags = dup_or_die(m->frame_flags,
				     m->nr_frames * sizeof(*m->frame_flags));
	mk->free_stack =
		dup_or_die(m->free_stack, m->nr_free * sizeof(*m->free_stack));
	for (unsigned long i = 0; i < m->nr_free; i++)
		mk->free_stack[i] = sim_free_stack_at(m, i);
	for (unsigned long pfn = 0; pfn < m->nr_frames; pfn++) {
		if (m->word0[pfn]) {
			mk->word0 = dup_or_die(
				m->word0, m->nr_frames * sizeof(*m->word0));
			break;
		}
	}
	if (m->nr_words)
		mk->words =
			dup_or_die(m->words, m->words_cap * sizeof(*m->words));
	if (m->arch->state_size)
		mk->arch_state = dup_or_die(m->arch_state, m->arch->state_size);
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		if (m->arch->cpu_state_size)
			mk->cpu_arch_state[c] = dup_or_die(
				m->cpu[c].arch_state, m->arch->cpu_state_size);
	m->free_low = m->nr_free;
	m->mark = mk;
	mk->m = *m;
}

void sim_reset_free(struct sim_machine *m)
{
	struct sim_mark *mk = m->mark;

	free(m->undo);
	free(m->freed_log);
	free(m->word0_log);
	free(m->words_log);
	if (!mk)
		return;
	free(mk->pages);
	free(mk->frame_flags);
	free(mk->free_stack);
	free(mk->word0);
	free(mk->words);
	free(mk->arch_state);
	for (int c = 0; c < SIM_MAX_CPUS; c++)
		free(mk->cpu_arch_state[c]);
	free(mk);
	m->mark = NULL;
}

static void log_undo(struct sim_machine *m, pte_t *ptep)
{
	if (m->nr_undo == m->undo_cap)
		sim_reset_log_grow((void **)&m->undo, &m->undo_cap,
				   sizeof(*m->undo));
	m->undo[m->nr_undo].ptep = ptep;
	m->undo[m->nr_undo].old = *ptep;
	m->nr_undo++;
}

/* A store to @ptep is about to happen: log it if its table is boot's. */
void sim_reset_log_pt_store(pte_t *ptep)
{
	struct sim_machine *m = sim_this;

	/* PG_pgtable is stored as it is (only PG_free is inverted) */
	if (m->mark && (m->mark->frame_flags[sim_ptep_pfn(ptep)] & PG_pgtable))
		log_undo(m, ptep);
}

/*
 * Frame @pfn is being freed. If it was not free after boot, its struct page
 * must be restored although the low-water mark does not cover it; if it was
 * a table then, its entries too, whatever is stored there meanwhile.
 */
void sim_reset_log_free(struct sim_machine *m, unsigned long pfn)
{
	unsigned int boot = m->mark->frame_flags[pfn] ^ PG_free;

	if (boot & PG_free)
		return;
	if (m->nr_freed_log == m->freed_log_cap)
		sim_reset_log_grow((void **)&m->freed_log, &m->freed_log_cap,
				   sizeof(*m->freed_log));
	m->freed_log[m->nr_freed_log++] = pfn;
	if (boot & PG_pgtable) {
		pte_t *table = pfn_to_virt_raw(pfn);

		for (int i = 0; i < PTRS_PER_TABLE; i++)
			log_undo(m, &table[i]);
	}
}

/*
 * Frame @pfn's struct page and flags as after boot. Its memory is not restored (only
 * boot's tables are, by the undo log): its raw range keeps covering what
 * this run wrote there, widened by boot's (see struct page).
 */
static void restore_page(struct sim_machine *m, const struct sim_mark *mk,
			 unsigned long pfn)
{
	struct page *pg = &m->pages[pfn];
	unsigned int lo = pg->raw_lo, hi = pg->raw_hi;

	m->frame_flags[pfn] = mk->frame_flags[pfn];
	*pg = mk->pages[pfn];
	if (hi <= lo)
		return;
	if (pg->raw_hi > pg->raw_lo) {
		lo = lo < pg->raw_lo ? lo : pg->raw_lo;
		hi = hi > pg->raw_hi ? hi : pg->raw_hi;
	}
	pg->raw_lo = (uint16_t)lo;
	pg->raw_hi = (uint16_t)hi;
}

/* Page tables, frames, data words, TLBs, as after boot. */
static void reset_memory(struct sim_machine *m, const struct sim_mark *mk)
{
	const struct sim_hidden *h;
	uint32_t j;
	int c;

	for_each_hidden(m, c, j, h) {
		m->hidden_slot[((const uint8_t *)h->ptep - m->mem) >> 3] = 0;
		pfn_to_page(sim_ptep_pfn(h->ptep))->nr_hidden--;
	}
	for (size_t i = m->nr_undo; i-- > 0;)
		*m->undo[i].ptep = m->undo[i].old;

	for (unsigned long i = m->free_low; i < mk->m.nr_free; i++) {
		unsigned long pfn = mk->free_stack[i];

		m->free_stack[i] = pfn;
		restore_page(m, mk, pfn);
	}
	for (size_t i = 0; i < m->nr_freed_log; i++)
		restore_page(m, mk, m->freed_log[i]);
	/* boot's tables: their locks and counters, whatever a model adds */
	for (unsigned long pfn = 0; pfn < m->boot_next_pfn; pfn++) {
		m->pages[pfn] = mk->pages[pfn];
		m->frame_flags[pfn] = mk->frame_flags[pfn];
	}

	for (size_t i = 0; i < m->nr_word0_log; i++) {
		unsigned long pfn = m->word0_log[i];

		m->word0[pfn] = mk->word0 ? mk->word0[pfn] : 0;
		m->word0_dirty[pfn / 64] = 0;
	}
	if (mk->words && m->words_cap == mk->m.words_cap) {
		memcpy(m->words, mk->words, m->words_cap * sizeof(*m->words));
	} else if (mk->words) {
		free(m->words);
		m->words = dup_or_die(mk->words,
				      mk->m.words_cap * sizeof(*m->words));
		m->words_cap = mk->m.words_cap;
	} else if (m->words_rehashed) {
		memset(m->words, 0, m->words_cap * sizeof(*m->words));
	} else {
		for (size_t i = 0; i < m->nr_words_log; i++)
			m->words[m->words_log[i]].pa1 = 0;
	}

	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		struct sim_tlb *tlb = &m->cpu[c].tlb;

		if (!tlb->dirty)
			continue;
		memset(tlb->e, 0, tlb->capacity * sizeof(*tlb->e));
		memset(tlb->next, 0, tlb->sets * sizeof(*tlb->next));
	}
}

/*
 * Every field back to its post-boot value, but those carried[] lists
 * stay: the bytes between them are copied from the mark (one pass over
 * the struct, not a copy of it set aside and one back).
 */
static void reset_carry(struct sim_machine *m, const struct sim_mark *mk)
{
	unsigned char *to = (unsigned char *)m;
	const unsigned char *from = (const unsigned char *)&mk->m;
	size_t at = 0;

	for (size_t i = 0; i < NR_CARRIED; i++) {
		memcpy(to + at, from + at, carried[i].off - at);
		at = carried[i].off + carried[i].len;
	}
	memcpy(to + at, from + at, sizeof(*m) - at);
	if (!m->findings)
		m->findings_cap = 0;
}

/*
 * sim_reset() - @m back to its state right after sim_create(): no task, no
 * finding, every counter, table, frame, TLB, kernel object and the model's
 * state as boot left them. Observers with a reset() hook and the policy
 * with one are reset too. Then sim_spawn() and sim_run() as on a fresh
 * machine give the same run, bit for bit. Not from inside sim_run(); after
 * a run that completed or was stopped (sim_stop()).
 */
void sim_reset(struct sim_machine *m)
{
	struct sim_machine *saved = sim_this;
	const struct sim_mark *mk = m->mark;

	if (m->running) {
		fprintf(stderr, "lazymmu: sim_reset() inside sim_run()\n");
		abort();
	}
	if (!mk) {
		fprintf(stderr, "lazymmu: sim_reset() of a machine built with "
				"no_reset\n");
		abort();
	}
	sim_this = m;
	reset_memory(m, mk);
	sim_kmem_reset(m);
	reset_carry(m, mk);
	/*
	 * The model's state as its init() left it, byte for byte: it points
	 * only into the machine (kernel objects, frames), which are back to
	 * boot too. Calling init() again instead would allocate anew what
	 * boot already holds.
	 */
	if (m->arch->state_size)
		memcpy(m->arch_state, mk->arch_state, m->arch->state_size);
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		if (m->arch->cpu_state_size)
			memcpy(m->cpu[c].arch_state, mk->cpu_arch_state[c],
			       m->arch->cpu_state_size);

	if (m->opt.policy->reset)
		m->opt.policy->reset(m->opt.policy);
	for (int i = 0; i < m->nr_obs; i++)
		if (m->obs[i].reset)
			m->obs[i].reset(m->obs[i].priv);
	sim_this = saved;
}
