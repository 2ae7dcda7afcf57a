// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The lazy MMU sanitizer (see sanitizer.h).
 *
 * For every entry an architecture stores but hides from walkers, it keeps
 * the value the kernel wrote, the value walkers still see, and who wrote
 * it from which section; a translation fault the architecture calls
 * spurious on such an entry is a deferred access.
 */
#include <stdlib.h>
#include <string.h>

#include "check/sanitizer.h"
#include "sim/arch.h"

struct san_entry {
	const pte_t *ptep; /* NULL: free slot */
	pte_t written; /* what the kernel wrote */
	pte_t visible; /* what walkers still see */
	int cpu;
	char comm[16];
	struct sim_section site; /* func == NULL: no section open */
	bool deferred; /* SIM_PT_DEFERRED, not merely in flight */
	int pid; /* the writer task */
	uint32_t gen; /* its batch flushes before the store */
};

/*
 * Hidden entries, in an open-addressing table keyed by the entry's
 * simulated physical address (stable and well spread, unlike host
 * pointers), with linear probing and backward-shift deletion.
 */
struct san_state {
	struct san_entry *slot;
	size_t cap; /* power of two */
	size_t nr_tracked;
	struct lazy_mmu_state irq_state[SIM_MAX_CPUS];
	long irq_sections[SIM_MAX_CPUS];
	/*
	 * Per pid, the batch flushes its task made: a deferred store whose
	 * writer has flushed since was paid for, even if a walker still
	 * lags (__switch_to() has no isb): a fault on it is recovered.
	 */
	uint32_t *flush_gen;
	size_t nr_gen;
};

static uint32_t *flush_gen(struct san_state *s, int pid)
{
	if ((size_t)pid >= s->nr_gen) {
		size_t n = 2 * (size_t)pid + 16;

		s->flush_gen = realloc(s->flush_gen, n * sizeof(*s->flush_gen));
		if (!s->flush_gen)
			abort();
		memset(s->flush_gen + s->nr_gen, 0,
		       (n - s->nr_gen) * sizeof(*s->flush_gen));
		s->nr_gen = n;
	}
	return &s->flush_gen[pid];
}

static size_t slot_of(const struct san_state *s, const pte_t *ptep)
{
	uint64_t pa = (uint64_t)((const uint8_t *)ptep - sim_machine()->mem);

	return (size_t)((pa >> 3) * 0x9e3779b97f4a7c15ULL >> 32) & (s->cap - 1);
}

static struct san_entry *lookup(struct san_state *s, const pte_t *ptep)
{
	for (size_t i = slot_of(s, ptep); s->slot[i].ptep;
	     i = (i + 1) & (s->cap - 1))
		if (s->slot[i].ptep == ptep)
			return &s->slot[i];
	return NULL;
}

static struct san_entry *insert(struct san_state *s, const pte_t *ptep)
{
	size_t i;

	if (2 * (s->nr_tracked + 1) > s->cap) {
		struct san_entry *old = s->slot;
		size_t cap = s->cap;

		s->cap *= 2;
		s->slot = calloc(s->cap, sizeof(*s->slot));
		if (!s->slot)
			abort();
		for (size_t j = 0; j < cap; j++) {
			if (!old[j].ptep)
				continue;
			for (i = slot_of(s, old[j].ptep); s->slot[i].ptep;
			     i = (i + 1) & (s->cap - 1))
				;
			s->slot[i] = old[j];
		}
		free(old);
	}
	for (i = slot_of(s, ptep); s->slot[i].ptep; i = (i + 1) & (s->cap - 1))
		;
	s->nr_tracked++;
	s->slot[i].ptep = ptep;
	return &s->slot[i];
}

static void track(struct san_state *s, const struct sim_event *ev)
{
	struct san_entry *e = lookup(s, ev->ptep);
	const struct sim_section *site;

	if (!e) {
		e = insert(s, ev->ptep);
		e->visible = ev->old;
	}
	e->written = ev->new;
	e->deferred = ev->arg == SIM_PT_DEFERRED;
	e->pid = ev->task->pid;
	e->gen = *flush_gen(s, ev->task->pid);
	e->cpu = ev->cpu;
	memcpy(e->comm, ev->task->comm, sizeof(e->comm));
	site = in_interrupt() ? NULL : sim_section_site(ev->task);
	if (site)
		e->site = *site;
	else
		memset(&e->site, 0, sizeof(e->site));
}

/* Remove @e: shift back the entries of its probe run that may move. */
static void untrack(struct san_state *s, struct san_entry *e)
{
	size_t hole = (size_t)(e - s->slot), mask = s->cap - 1;

	s->nr_tracked--;
	for (size_t i = (hole + 1) & mask; s->slot[i].ptep;
	     i = (i + 1) & mask) {
		size_t home = slot_of(s, s->slot[i].ptep);

		/* movable if its home is not within (hole, i] */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			s->slot[hole] = s->slot[i];
			hole = i;
		}
	}
	s->slot[hole].ptep = NULL;
}

/*
 * A fault at @addr: find the hidden entry on its walk. Spurious (the
 * architecture's handler found the address translating now) or not (the
 * kernel oopses), a store still owed by its writer's open section is a
 * deferred access.
 */
static void deferred_access(struct san_state *s, const struct sim_event *ev)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *mm =
		ev->addr >= PAGE_OFFSET ? &m->init_mm : ev->task->mm;
	struct sim_finding_at at = { .have = SIM_FINDING_ADDR,
				     .addr = ev->addr };

	for (int level = 3; level >= 0; level--) {
		pte_t *ptep = sim_walk(mm, ev->addr, level, false);
		struct san_entry *e = ptep ? lookup(s, ptep) : NULL;

		if (!e)
			continue;
		/*
		 * A store whose barriers follow at once raced with this
		 * access: the kernel recovers the spurious fault and no lazy
		 * section is to blame.
		 */
		if (!e->deferred || e->gen != *flush_gen(s, e->pid))
			return;
		/* a deferred store was made with a section open */
		at.have |= SIM_FINDING_VALUES | SIM_FINDING_SECTION;
		at.old = e->visible;
		at.new = e->written;
		at.section = e->site.func ? &e->site : NULL;
		sim_report_at(
			&at, "deferred-access",
			"CPU%d %s: access to %#lx before its %s update was "
			"visible (walkers saw %#llx, the kernel wrote %#llx "
			"on CPU%d in %s, in the lazy MMU section opened by "
			"%s() at %s:%d)%s",
			ev->cpu, ev->task->comm, ev->addr,
			level ? "table" : "PTE", (unsigned long long)e->visible,
			(unsigned long long)e->written, e->cpu, e->comm,
			e->site.func ? e->site.func : "?",
			e->site.file ? e->site.file : "?", e->site.line,
			ev->flag ? "" :
				   "; no dsb completed the store, so the fault "
				   "handler's walk missed it too: an oops");
		return;
	}
	if (!ev->flag)
		return; /* a real fault: the machine reports the access */
	sim_report_at(
		&at, "deferred-access",
		"CPU%d %s: spurious fault at %#lx on an entry not tracked",
		ev->cpu, ev->task->comm, ev->addr);
}

/* An access reached a freed frame: through a stale TLB entry or the table. */
static void freed_frame(const struct sim_event *ev)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *mm =
		ev->addr >= PAGE_OFFSET ? &m->init_mm : ev->task->mm;
	pte_t *ptep = sim_walk(mm, ev->addr, 0, false);
	struct sim_finding_at at = { .have = SIM_FINDING_ADDR,
				     .addr = ev->addr };

	if (ptep && pte_valid(*ptep) &&
	    pte_pfn(*ptep) == (unsigned long)ev->arg)
		sim_report_at(&at, "bad-access",
			      "CPU%d %s: %#lx is still mapped to frame %ld, "
			      "which was freed",
			      ev->cpu, ev->task->comm, ev->addr, ev->arg);
	else
		sim_report_at(&at, "stale-tlb",
			      "CPU%d %s: a stale TLB entry for %#lx reached "
			      "frame %ld after it was freed",
			      ev->cpu, ev->task->comm, ev->addr, ev->arg);
}

static bool state_changed(struct lazy_mmu_state a, struct lazy_mmu_state b)
{
	return a.enable_count != b.enable_count ||
	       a.pause_count != b.pause_count;
}

static void san_event(void *priv, const struct sim_event *ev)
{
	struct san_state *s = priv;
	struct san_entry *e;

	switch (ev->type) {
	case SIM_EV_PTE_WRITE:
		if (ev->flag)
			track(s, ev);
		break;
	case SIM_EV_PTE_VISIBLE:
		e = lookup(s, ev->ptep);
		if (e)
			untrack(s, e);
		break;
	case SIM_EV_FAULT:
		deferred_access(s, ev);
		break;
	case SIM_EV_BATCH_FLUSH:
		if (ev->task)
			(*flush_gen(s, ev->task->pid))++;
		break;
	case SIM_EV_ACCESS:
		if (pfn_to_page((unsigned long)ev->arg)->flags & PG_free)
			freed_frame(ev);
		break;
	case SIM_EV_SLEEP:
		if (!preemptible())
			sim_report(
				"sleep-in-atomic",
				"CPU%d %s: might sleep with preempt_count %d%s"
				"%s%s",
				ev->cpu, ev->task->comm,
				ev->task->preempt_count,
				in_interrupt() ? ", in interrupt" : "",
				sim_section_site(ev->task) ?
					", in the lazy MMU section opened by " :
					"",
				sim_section_site(ev->task) ?
					sim_section_site(ev->task)->func :
					"");
		break;
	case SIM_EV_IRQ_ENTER:
		s->irq_state[ev->cpu] = ev->state;
		s->irq_sections[ev->cpu] = ev->arg;
		break;
	case SIM_EV_IRQ_EXIT:
		if (state_changed(s->irq_state[ev->cpu], ev->state) ||
		    s->irq_sections[ev->cpu] != ev->arg)
			sim_report("state-leak",
				   "CPU%d: interrupt handler changed %s's lazy "
				   "MMU state from %u/%u to %u/%u",
				   ev->cpu, ev->task->comm,
				   s->irq_state[ev->cpu].enable_count,
				   s->irq_state[ev->cpu].pause_count,
				   ev->state.enable_count,
				   ev->state.pause_count);
		break;
	case SIM_EV_TASK_EXIT:
		if (ev->state.enable_count || ev->state.pause_count || ev->arg)
			sim_report(
				"state-leak",
				"%s exits with lazy MMU state enable_count=%u "
				"pause_count=%u (%ld section(s) left open%s%s)",
				ev->task->comm, ev->state.enable_count,
				ev->state.pause_count, ev->arg,
				sim_section_site(ev->task) ?
					", innermost opened by " :
					"",
				sim_section_site(ev->task) ?
					sim_section_site(ev->task)->func :
					"");
		break;
	default:
		break;
	}
}

struct san_state *san_attach(struct sim_machine *m)
{
	struct san_state *s = calloc(1, sizeof(*s));
	struct sim_observer o = { .event = san_event };

	if (!s)
		abort();
	s->cap = 1024;
	s->slot = calloc(s->cap, sizeof(*s->slot));
	if (!s->slot)
		abort();
	o.priv = s;
	sim_add_observer(m, &o);
	return s;
}

void san_detach(struct san_state *s)
{
	free(s->flush_gen);
	free(s->slot);
	free(s);
}
