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
	bool in_irq;
};

#define SAN_SLOTS 4096 /* power of two; more hidden entries are not tracked */

struct san_state {
	struct san_entry slot[SAN_SLOTS];
	size_t nr_tracked;
	struct lazy_mmu_state irq_state[SIM_MAX_CPUS];
	long irq_sections[SIM_MAX_CPUS];
};

static size_t slot_of(const pte_t *ptep)
{
	uintptr_t h = (uintptr_t)ptep >> 3;

	return (h ^ (h >> 9)) & (SAN_SLOTS - 1);
}

static struct san_entry *lookup(struct san_state *s, const pte_t *ptep)
{
	for (size_t i = slot_of(ptep), n = 0; n < SAN_SLOTS;
	     i = (i + 1) & (SAN_SLOTS - 1), n++) {
		if (s->slot[i].ptep == ptep)
			return &s->slot[i];
		if (!s->slot[i].ptep)
			return NULL;
	}
	return NULL;
}

static void track(struct san_state *s, const struct sim_event *ev)
{
	struct san_entry *e = lookup(s, ev->ptep);
	const struct sim_section *site;

	if (!e) {
		size_t i = slot_of(ev->ptep);

		if (s->nr_tracked >= SAN_SLOTS / 2)
			return;
		while (s->slot[i].ptep)
			i = (i + 1) & (SAN_SLOTS - 1);
		e = &s->slot[i];
		e->ptep = ev->ptep;
		e->visible = ev->old;
		s->nr_tracked++;
	}
	e->written = ev->new;
	e->cpu = ev->cpu;
	memcpy(e->comm, ev->task->comm, sizeof(e->comm));
	e->in_irq = in_interrupt();
	site = e->in_irq ? NULL : sim_section_site(ev->task);
	if (site)
		e->site = *site;
	else
		memset(&e->site, 0, sizeof(e->site));
}

/* Remove @e, re-inserting the rest of its probe chain. */
static void untrack(struct san_state *s, struct san_entry *e)
{
	size_t i = (size_t)(e - s->slot);

	e->ptep = NULL;
	s->nr_tracked--;
	for (i = (i + 1) & (SAN_SLOTS - 1); s->slot[i].ptep;
	     i = (i + 1) & (SAN_SLOTS - 1)) {
		struct san_entry moved = s->slot[i];
		size_t j = slot_of(moved.ptep);

		s->slot[i].ptep = NULL;
		while (s->slot[j].ptep)
			j = (j + 1) & (SAN_SLOTS - 1);
		s->slot[j] = moved;
	}
}

/* A spurious fault at @addr: find the hidden entry on its walk. */
static void deferred_access(struct san_state *s, const struct sim_event *ev)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *mm = ev->addr >= PAGE_OFFSET ? &m->init_mm :
							 ev->task->mm;

	for (int level = 3; level >= 0; level--) {
		pte_t *ptep = sim_walk(mm, ev->addr, level, false);
		struct san_entry *e = ptep ? lookup(s, ptep) : NULL;

		if (!e)
			continue;
		if (e->site.func)
			sim_report("deferred-access",
				   "CPU%d %s: access to %#lx before its %s update "
				   "was visible (stored on CPU%d by %s in the lazy "
				   "MMU section opened by %s() at %s:%d)",
				   ev->cpu, ev->task->comm, ev->addr,
				   level ? "table" : "PTE", e->cpu, e->comm,
				   e->site.func, e->site.file, e->site.line);
		else
			sim_report("deferred-access",
				   "CPU%d %s: access to %#lx before its %s update "
				   "was visible (stored on CPU%d by %s, %s)",
				   ev->cpu, ev->task->comm, ev->addr,
				   level ? "table" : "PTE", e->cpu, e->comm,
				   e->in_irq ? "in interrupt" :
					       "outside any section");
		return;
	}
	sim_report("deferred-access",
		   "CPU%d %s: spurious fault at %#lx on an entry not tracked",
		   ev->cpu, ev->task->comm, ev->addr);
}

/* An access reached a freed frame: through a stale TLB entry or the table. */
static void freed_frame(const struct sim_event *ev)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *mm = ev->addr >= PAGE_OFFSET ? &m->init_mm :
							 ev->task->mm;
	pte_t *ptep = sim_walk(mm, ev->addr, 0, false);

	if (ptep && pte_valid(*ptep) && pte_pfn(*ptep) == (unsigned long)ev->arg)
		sim_report("bad-access",
			   "CPU%d %s: %#lx is still mapped to frame %ld, "
			   "which was freed",
			   ev->cpu, ev->task->comm, ev->addr, ev->arg);
	else
		sim_report("stale-tlb",
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
		if (ev->flag)
			deferred_access(s, ev);
		break;
	case SIM_EV_ACCESS:
		if (pfn_to_page((unsigned long)ev->arg)->flags & PG_free)
			freed_frame(ev);
		break;
	case SIM_EV_SLEEP:
		if (!preemptible())
			sim_report("sleep-in-atomic",
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
				   ev->state.enable_count, ev->state.pause_count);
		break;
	case SIM_EV_TASK_EXIT:
		if (ev->state.enable_count || ev->state.pause_count || ev->arg)
			sim_report("state-leak",
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
	o.priv = s;
	sim_add_observer(m, &o);
	return s;
}

void san_detach(struct san_state *s)
{
	free(s);
}
