// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The lazy MMU sanitizer (see sanitizer.h).
 *
 * A model may defer in three ways, and the sanitizer follows each:
 * (1) in memory, hidden from walkers (arm64): for every entry stored but
 *     hidden it keeps the value the kernel wrote, the value walkers still
 *     see, and who wrote it from which section; a translation fault on
 *     such an entry, spurious or not, is a deferred access while the
 *     writer has not flushed since (on arm64 a store no dsb completed is
 *     not even spurious: the kernel oopses);
 * (2) queued, not in memory (Xen PV multicalls) and (3) in memory with a
 *     stale translation in the model's own cache (powerpc hash, sparc64,
 *     s390): the model reports its queue (SIM_EV_DEFERRED_QUEUED/PAID);
 *     a ptep_get() or an access that an unpaid update would change is a
 *     deferred access, and an access that still reaches the old frame
 *     after the model paid its invalidation is a stale TLB.
 * Deferred work still queued by a task in a section when it flushes the
 * TLB or frees a page is a flush in the section.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/sanitizer.h"
#include "sim/arch.h"

/*
 * The last store hidden at an entry: tracked while the machine keeps it
 * hidden (sim_pt_hidden(); what walkers still see is the machine's). An
 * entry the machine shows again stays here, stale, until the table is
 * swept or the entry is hidden anew: the sanitizer needs no event when a
 * store becomes visible.
 */
struct san_entry {
	const pte_t *ptep;
	uint32_t tag; /* != san_state.tag: a free slot */
	pte_t written; /* what the kernel wrote */
	int cpu;
	char comm[16];
	struct sim_section site; /* func == NULL: no section open */
	bool deferred; /* SIM_PT_DEFERRED, not merely in flight */
	int pid; /* the writer task */
	uint32_t gen; /* its batch flushes before the store */
};

/* An item of deferred work a model reported, not yet paid. */
struct san_queued {
	const void *queue;
	const char *what; /* the queue's name */
	const pte_t *ptep; /* NULL: work tied to no entry */
	unsigned long addr;
	pte_t value; /* what the entry becomes */
	bool in_memory; /* stored already: an owed invalidation (style 3) */
	int cpu;
	const struct task_struct *task;
	char comm[16];
	struct sim_section site;
};

/* An invalidation the model paid: the old translation must be gone. */
/* Paid invalidations watched for stale-tlb: the most recent ones. */
#define SAN_MAX_PAID 256

struct san_paid {
	const pte_t *ptep;
	unsigned long addr;
	const char *what;
};

/*
 * Hidden entries, in an open-addressing table keyed by the entry's
 * simulated physical address (stable and well spread, unlike host
 * pointers), with linear probing and no deletion: a slot is in use while
 * its tag is the table's, so that emptying the table is a new tag. When
 * it is half full, the entries the machine still hides stay (sweep()).
 * Queued work and paid invalidations are short lists: a model's queue
 * holds a batch, and both are empty on arm64's paths but for owed
 * barriers, which name no entry.
 */
struct san_state {
	struct sim_machine *m;
	uint64_t want; /* the events it asked for (san_want()) */
	struct san_entry *slot;
	size_t cap; /* power of two */
	size_t nr_tracked; /* slots in use: entries, stale or not */
	uint32_t tag; /* of the slots in use */
	struct san_entry *spare; /* sweep()'s */
	size_t spare_cap;
	struct lazy_mmu_state irq_state[SIM_MAX_CPUS];
	long irq_sections[SIM_MAX_CPUS];
	struct san_queued *queued; /* oldest first */
	size_t nr_queued, queued_cap;
	size_t nr_queued_pte; /* items of queued that name an entry */
	struct san_paid *paid;
	size_t nr_paid, paid_cap;
	/*
	 * Per pid, the batch flushes its task made: a deferred store whose
	 * writer has flushed since was paid for, even if a walker still
	 * lags (__switch_to() has no isb): a fault on it is recovered.
	 */
	uint32_t *flush_gen;
	size_t nr_gen;
	/* the last flush-in-section reported, until a payment */
	struct {
		const struct task_struct *task;
		const void *queue;
		unsigned long addr;
		char what[32];
	} fis;
};

/*
 * The work of an event beyond its dispatch, out of line: san_event() runs
 * for nearly every event of a run, and most need no more than a test.
 */
#define SAN_SLOW __attribute__((noinline))

static SAN_SLOW uint32_t *flush_gen_grow(struct san_state *s, int pid);

/* @pid's batch flushes; the table grows to hold it (out of line). */
static inline uint32_t *flush_gen(struct san_state *s, int pid)
{
	if ((size_t)pid < s->nr_gen)
		return &s->flush_gen[pid];
	return flush_gen_grow(s, pid);
}

static SAN_SLOW uint32_t *flush_gen_grow(struct san_state *s, int pid)
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
	uint64_t pa = (uint64_t)((const uint8_t *)ptep - s->m->mem);

	return (size_t)((pa >> 3) * 0x9e3779b97f4a7c15ULL >> 32) & (s->cap - 1);
}

/* The entry of @ptep in the table, stale or not. */
static struct san_entry *lookup(struct san_state *s, const pte_t *ptep)
{
	for (size_t i = slot_of(s, ptep); s->slot[i].tag == s->tag;
	     i = (i + 1) & (s->cap - 1))
		if (s->slot[i].ptep == ptep)
			return &s->slot[i];
	return NULL;
}

/*
 * The store hidden at @ptep, if the machine still hides it (*@h: the
 * machine's entry), else NULL.
 */
static struct san_entry *tracked(struct san_state *s, const pte_t *ptep,
				 const struct sim_hidden **h)
{
	*h = sim_pt_hidden(s->m, ptep);
	return *h ? lookup(s, ptep) : NULL;
}

/* Every slot free: a new tag (the old ones cleared when it wraps). */
static void forget_all(struct san_state *s)
{
	s->nr_tracked = 0;
	if (++s->tag == 0) {
		memset(s->slot, 0, s->cap * sizeof(*s->slot));
		s->tag = 1;
	}
}

/* A free slot for @ptep, not in the table, in use from now. */
static struct san_entry *place(struct san_state *s, const pte_t *ptep)
{
	size_t i;

	for (i = slot_of(s, ptep); s->slot[i].tag == s->tag;
	     i = (i + 1) & (s->cap - 1))
		;
	s->nr_tracked++;
	s->slot[i].ptep = ptep;
	s->slot[i].tag = s->tag;
	return &s->slot[i];
}

/*
 * The table is half full: keep only the entries the machine still hides
 * (found from its CPUs' arrays of hidden stores, which hold them all), in a
 * table at least four times their number (the same one, or one grown).
 */
static SAN_SLOW void sweep(struct san_state *s)
{
	const struct sim_machine *m = s->m;
	const struct sim_hidden *h;
	size_t live = 0;
	uint32_t j;
	int c;

	if (s->spare_cap < m->nr_hidden) {
		s->spare_cap = 2 * m->nr_hidden;
		s->spare = realloc(s->spare, s->spare_cap * sizeof(*s->spare));
		if (!s->spare)
			abort();
	}
	for_each_hidden(m, c, j, h) {
		const struct san_entry *e = lookup(s, h->ptep);

		if (e)
			s->spare[live++] = *e;
	}
	forget_all(s);
	if (4 * (live + 1) > s->cap) {
		while (4 * (live + 1) > s->cap)
			s->cap *= 2;
		free(s->slot);
		s->slot = calloc(s->cap, sizeof(*s->slot));
		if (!s->slot)
			abort();
		s->tag = 1;
	}
	for (size_t j = 0; j < live; j++) {
		s->spare[j].tag = s->tag;
		*place(s, s->spare[j].ptep) = s->spare[j];
	}
}

/*
 * The entry of @ptep (stale or not), or a new one, in one probe. A sweep
 * first if the table is half full (@ptep, hidden now, stays).
 */
static struct san_entry *find_or_place(struct san_state *s, const pte_t *ptep)
{
	size_t i;

	if (2 * (s->nr_tracked + 1) > s->cap)
		sweep(s);
	for (i = slot_of(s, ptep); s->slot[i].tag == s->tag;
	     i = (i + 1) & (s->cap - 1))
		if (s->slot[i].ptep == ptep)
			return &s->slot[i];
	s->nr_tracked++;
	s->slot[i].ptep = ptep;
	s->slot[i].tag = s->tag;
	return &s->slot[i];
}

static SAN_SLOW void track(struct san_state *s, const struct sim_event *ev)
{
	struct san_entry *e = find_or_place(s, ev->ptep);
	const struct sim_section *site;

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

/*
 * A fault at @addr: find the hidden entry on its walk. Spurious (the
 * architecture's handler found the address translating now) or not (the
 * kernel oopses), a store still owed by its writer's open section is a
 * deferred access. Returns whether the fault is accounted for (a hidden
 * entry on the walk, or a spurious fault reported).
 */
static SAN_SLOW bool deferred_access(struct san_state *s,
				     const struct sim_event *ev)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *mm =
		ev->addr >= PAGE_OFFSET ? &m->init_mm : ev->task->mm;
	struct sim_finding_at at = { .have = SIM_FINDING_ADDR,
				     .addr = ev->addr };

	for (int level = 3; level >= 0; level--) {
		pte_t *ptep = sim_walk(mm, ev->addr, level, false);
		const struct sim_hidden *h = NULL;
		struct san_entry *e = ptep ? tracked(s, ptep, &h) : NULL;

		if (!e)
			continue;
		/*
		 * A store whose barriers follow at once raced with this
		 * access: the kernel recovers the spurious fault and no lazy
		 * section is to blame.
		 */
		if (!e->deferred || e->gen != *flush_gen(s, e->pid))
			return true;
		/* a deferred store was made with a section open */
		at.have |= SIM_FINDING_VALUES | SIM_FINDING_SECTION;
		at.old = h->old;
		at.new = e->written;
		at.section = e->site.func ? &e->site : NULL;
		sim_report_at(
			&at, "deferred-access",
			"CPU%d %s: access to %#lx before its %s update was "
			"visible (walkers saw %#llx, the kernel wrote %#llx "
			"on CPU%d in %s, in the lazy MMU section opened by "
			"%s() at %s:%d)%s",
			ev->cpu, ev->task->comm, ev->addr,
			level ? "table" : "PTE", (unsigned long long)h->old,
			(unsigned long long)e->written, e->cpu, e->comm,
			e->site.func ? e->site.func : "?",
			e->site.file ? e->site.file : "?", e->site.line,
			ev->flag ? "" :
				   "; no dsb completed the store, so the fault "
				   "handler's walk missed it too: an oops");
		return true;
	}
	if (!ev->flag)
		return false; /* a real fault: the machine reports the access */
	sim_report_at(
		&at, "deferred-access",
		"CPU%d %s: spurious fault at %#lx on an entry not tracked",
		ev->cpu, ev->task->comm, ev->addr);
	return true;
}

/* An access reached a freed frame: through a stale TLB entry or the table. */
static SAN_SLOW void freed_frame(const struct sim_event *ev)
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

/* ---- deferred work a model reports (styles 2 and 3) ------------------------ */

static void *grow(void *p, size_t *cap, size_t nr, size_t size)
{
	if (nr < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 16;
	p = realloc(p, *cap * size);
	if (!p)
		abort();
	return p;
}

/* @n items, for @n consecutive entries mapping consecutive frames. */
static SAN_SLOW void queued(struct san_state *s, const struct sim_event *ev)
{
	const struct sim_section *site = NULL;

	if (ev->task && !in_interrupt())
		site = sim_section_site(ev->task);
	for (long i = 0; i < ev->arg; i++) {
		struct san_queued *q;
		pte_t value = ev->new;

		if (ev->ptep && pte_valid(value))
			value += (pte_t)i << PAGE_SHIFT;
		s->queued = grow(s->queued, &s->queued_cap, s->nr_queued,
				 sizeof(*s->queued));
		q = &s->queued[s->nr_queued++];
		memset(q, 0, sizeof(*q));
		q->queue = ev->obj;
		q->what = ev->what;
		q->ptep = ev->ptep ? ev->ptep + i : NULL;
		q->addr = ev->addr + (unsigned long)i * PAGE_SIZE;
		q->value = value;
		q->in_memory = q->ptep && *q->ptep == value;
		q->cpu = ev->cpu;
		q->task = ev->task;
		if (ev->task)
			memcpy(q->comm, ev->task->comm, sizeof(q->comm));
		if (site)
			q->site = *site;
		s->nr_queued_pte += q->ptep != NULL;
	}
}

static void unqueue(struct san_state *s, size_t i)
{
	s->nr_queued_pte -= s->queued[i].ptep != NULL;
	memmove(&s->queued[i], &s->queued[i + 1],
		(s->nr_queued - i - 1) * sizeof(*s->queued));
	s->nr_queued--;
}

static void drop_paid(struct san_state *s, size_t i)
{
	memmove(&s->paid[i], &s->paid[i + 1],
		(s->nr_paid - i - 1) * sizeof(*s->paid));
	s->nr_paid--;
}

/* The table entry changes again: a paid invalidation is history. */
static SAN_SLOW void forget_paid(struct san_state *s, const pte_t *ptep)
{
	for (size_t i = 0; i < s->nr_paid; i++) {
		if (s->paid[i].ptep == ptep) {
			drop_paid(s, i);
			return;
		}
	}
}

/* The oldest @ev->arg items of the queue are paid. */
static SAN_SLOW void paid(struct san_state *s, const struct sim_event *ev)
{
	long n = ev->arg;

	s->fis.task = NULL;
	for (size_t i = 0; i < s->nr_queued && n > 0;) {
		struct san_queued *q = &s->queued[i];

		if (q->queue != ev->obj) {
			i++;
			continue;
		}
		if (q->in_memory) {
			struct san_paid *p;

			forget_paid(s, q->ptep);
			if (s->nr_paid == SAN_MAX_PAID)
				drop_paid(s, 0);
			s->paid = grow(s->paid, &s->paid_cap, s->nr_paid,
				       sizeof(*s->paid));
			p = &s->paid[s->nr_paid++];
			p->ptep = q->ptep;
			p->addr = q->addr;
			p->what = q->what;
		}
		unqueue(s, i);
		n--;
	}
}

/* The newest unpaid update of @ptep (of any style if !@store_only). */
static struct san_queued *queued_update(struct san_state *s, const pte_t *ptep,
					bool store_only)
{
	for (size_t i = s->nr_queued; i-- > 0;) {
		struct san_queued *q = &s->queued[i];

		if (q->ptep == ptep && (!store_only || !q->in_memory))
			return q;
	}
	return NULL;
}

/*
 * "@what <q's address> @how": the access or read that relied on @q. @seen:
 * the entry it saw, if known (NULL: a frame reached through a cache).
 */
static void report_queued(const struct sim_event *ev, const char *what,
			  const char *how, const struct san_queued *q,
			  const pte_t *seen)
{
	struct sim_finding_at at = {
		.have = SIM_FINDING_ADDR | SIM_FINDING_SECTION, .addr = q->addr
	};

	at.section = q->site.func ? &q->site : NULL;
	if (seen) {
		at.have |= SIM_FINDING_VALUES;
		at.old = *seen;
		at.new = q->value;
	}
	sim_report_at(&at, "deferred-access",
		      "CPU%d %s: %s %#lx %s, but the update to %#llx that %s "
		      "queued on CPU%d (%s) is not paid yet (in the lazy MMU "
		      "section opened by %s() at %s:%d)",
		      ev->cpu, ev->task ? ev->task->comm : "idle", what,
		      q->addr, how, (unsigned long long)q->value, q->comm,
		      q->cpu, q->what, q->site.func ? q->site.func : "?",
		      q->site.file ? q->site.file : "?", q->site.line);
}

/* ptep_get() returned an entry whose queued update is not in memory. */
static SAN_SLOW void pte_read(struct san_state *s, const struct sim_event *ev)
{
	struct san_queued *q = queued_update(s, ev->ptep, true);

	char how[40];

	if (!q || q->value == ev->old)
		return;
	snprintf(how, sizeof(how), "read %#llx", (unsigned long long)ev->old);
	report_queued(ev, "ptep_get() of the PTE of", how, q, &ev->old);
}

static struct mm_struct *ev_mm(const struct sim_event *ev)
{
	struct sim_machine *m = sim_machine();

	if (ev->addr >= PAGE_OFFSET || !ev->task)
		return &m->init_mm;
	return ev->task->mm;
}

/*
 * An access reached frame @ev->arg (or, for a fault, none): compare with
 * what the unpaid update of its entry will map, and with the table after
 * a paid invalidation.
 */
static SAN_SLOW void queued_access(struct san_state *s,
				   const struct sim_event *ev, bool fault)
{
	pte_t *ptep = sim_walk(ev_mm(ev), ev->addr, 0, false);
	struct san_queued *q;
	unsigned long pfn = (unsigned long)ev->arg;

	if (!ptep)
		return;
	q = s->nr_queued_pte ? queued_update(s, ptep, false) : NULL;
	if (q) {
		char how[40];

		snprintf(how, sizeof(how), "reached frame %lu", pfn);
		/*
		 * Another thread of the process using a user address whose
		 * update is unpaid (during munmap, mprotect, mremap): it
		 * reaches the old frame, which the kernel allows until the
		 * path's TLB flush (as a TLB entry would on any arch), or it
		 * faults, and the fault handler waits on the PTL the path
		 * holds. After the flush the same access is stale-tlb, on a
		 * freed frame bad-access. Only the task that queued the
		 * update relies on it.
		 */
		if (q->task != ev->task && ev->addr < USER_TOP)
			return;
		if (fault && pte_valid(q->value))
			report_queued(ev, "an access to", "faulted", q, ptep);
		else if (!fault &&
			 (!pte_valid(q->value) || pte_pfn(q->value) != pfn))
			report_queued(ev, "an access to", how, q,
				      q->in_memory ? NULL : ptep);
		return;
	}
	if (fault)
		return;
	for (size_t i = 0; i < s->nr_paid; i++) {
		struct sim_finding_at at = { .have = SIM_FINDING_ADDR,
					     .addr = ev->addr };

		if (s->paid[i].ptep != ptep)
			continue;
		/* a write through a translation a write-protect removed */
		if (!pte_valid(*ptep) || pte_pfn(*ptep) != pfn ||
		    (ev->flag && !pte_write(*ptep)))
			sim_report_at(&at, "stale-tlb",
				      "CPU%d %s: %#lx %s frame %lu after "
				      "its invalidation (%s) was paid; the "
				      "table maps %#llx",
				      ev->cpu, ev->task->comm, ev->addr,
				      ev->flag ? "wrote" : "reached", pfn,
				      s->paid[i].what,
				      (unsigned long long)*ptep);
		return;
	}
}

/*
 * Whether harm can follow a TLB flush made with work still queued, per
 * arch (docs/user-guide.md, "Is the finding harmful?"): on every arch that
 * queues, the queue paid at the leave is itself the invalidation, or the
 * flush is queued behind it. stale-tlb is the harm, if the model finds one.
 */
static const struct {
	const char *arch;
	const char *flush;
} san_harm[] = {
	{ "ppc64-hash", "no harm on ppc64-hash: flush_tlb_*() does nothing "
			"on hash, the queued HPTE invalidations paid at the "
			"leave are the flush" },
	{ "sparc64", "no harm on sparc64: flush_tlb_*() of user addresses "
		     "is empty, the queued TSB/TLB flush paid at the leave is "
		     "the flush" },
	{ "xen-pv", "no harm on xen-pv: the flush is queued in the same "
		    "multicall, behind the updates" },
	{ "s390", "no harm on s390: flush_tlb_*() does nothing, the PTE "
		  "cache applied at the leave IPTEs what it changes" },
	{ "arm64", "no harm on arm64: only barriers are owed, and the flush "
		   "begins with the dsb that completes the stores" },
};

static const char *harm(const char *what)
{
	const char *arch = sim_machine()->arch->name;

	if (!strcmp(what, "__free_page()"))
		return "harm if a translation reaches the page before the "
		       "queue is paid (stale-tlb)";
	for (size_t i = 0; i < sizeof(san_harm) / sizeof(san_harm[0]); i++)
		if (!strcmp(san_harm[i].arch, arch))
			return san_harm[i].flush;
	return "harm if a stale translation is used (stale-tlb)";
}

/*
 * A TLB flush or a page free by a task in a section that still has
 * deferred work queued: the flush may come before the update it should
 * follow (Roberts' RFC, 2025-05-30, patches 1, 2 and 5). One finding per
 * kind of call while the same queued work waits: a loop that flushes each
 * page (ptep_clear_flush()) is one finding, not one a page.
 */
static SAN_SLOW void flush_in_section(struct san_state *s,
				      const struct sim_event *ev,
				      const char *what)
{
	const struct san_queued *first = NULL;
	struct sim_finding_at at = { .have = SIM_FINDING_ADDR |
					     SIM_FINDING_SECTION };
	size_t n = 0;

	if (!ev->task || !sim_in_section())
		return;
	for (size_t i = 0; i < s->nr_queued; i++) {
		if (s->queued[i].task != ev->task)
			continue;
		if (!first)
			first = &s->queued[i];
		n++;
	}
	if (!first)
		return;
	if (s->fis.task == ev->task && s->fis.queue == first->queue &&
	    s->fis.addr == first->addr && !strcmp(s->fis.what, what))
		return; /* reported already, nothing paid since */
	s->fis.task = ev->task;
	s->fis.queue = first->queue;
	s->fis.addr = first->addr;
	snprintf(s->fis.what, sizeof(s->fis.what), "%s", what);
	at.addr = first->addr;
	at.section = first->site.func ? &first->site : NULL;
	sim_report_at(&at, "flush-in-section",
		      "CPU%d %s: %s with %zu deferred item(s) still queued "
		      "(%s, first at %#lx) in the lazy MMU section opened by "
		      "%s() at %s:%d; %s",
		      ev->cpu, ev->task->comm, what, n, first->what,
		      first->addr, first->site.func ? first->site.func : "?",
		      first->site.file ? first->site.file : "?",
		      first->site.line, harm(what));
}

/* A task's own queue (a thread flag: arm64's owed barriers) dies with it. */
static SAN_SLOW void task_gone(struct san_state *s, const struct task_struct *t)
{
	for (size_t i = 0; i < s->nr_queued;) {
		if (s->queued[i].queue == t)
			unqueue(s, i);
		else
			i++;
	}
}

static bool state_changed(struct lazy_mmu_state a, struct lazy_mmu_state b)
{
	return a.enable_count != b.enable_count ||
	       a.pause_count != b.pause_count;
}

/*
 * The events san_event() has a case for, but for those it wants only in
 * some states (SAN_WHEN): every event but those listed (a new event type
 * reaches it unless listed here). SIM_EV_PTE_VISIBLE: the machine says
 * which stores it still hides (tracked()).
 */
#define SAN_WHEN                                                            \
	(SIM_EV_BIT(SIM_EV_PTE_WRITE) | SIM_EV_BIT(SIM_EV_PTE_READ) |       \
	 SIM_EV_BIT(SIM_EV_TLB_FLUSH_CALL) | SIM_EV_BIT(SIM_EV_PAGE_FREE) | \
	 SIM_EV_BIT(SIM_EV_ACCESS) | SIM_EV_BIT(SIM_EV_SLEEP))
#define SAN_EVENTS                                                         \
	(SIM_EV_ALL &                                                      \
	 ~(SIM_EV_BIT(SIM_EV_BARRIER) | SIM_EV_BIT(SIM_EV_HYPERCALL) |     \
	   SIM_EV_BIT(SIM_EV_TLB_INVAL) | SIM_EV_BIT(SIM_EV_UNBATCHED) |   \
	   SIM_EV_BIT(SIM_EV_LAZY_CALL) | SIM_EV_BIT(SIM_EV_LAZY_HOOK) |   \
	   SIM_EV_BIT(SIM_EV_SWITCH) | SIM_EV_BIT(SIM_EV_PAGE_ALLOC) |     \
	   SIM_EV_BIT(SIM_EV_WARN) | SIM_EV_BIT(SIM_EV_FINDING) |          \
	   SIM_EV_BIT(SIM_EV_SWITCH_MM) | SIM_EV_BIT(SIM_EV_PTE_VISIBLE) | \
	   SAN_WHEN))

/*
 * What san_event() acts on in the sanitizer's state now, so that the
 * machine builds no other event for it (sim_observer_want()): each case
 * of SAN_WHEN wants its event exactly when its test of the state can
 * pass. Called after each change of nr_queued, nr_queued_pte or nr_paid.
 */
static void san_want(struct san_state *s)
{
	uint64_t want = SAN_EVENTS | SIM_EV_SLEEP_ATOMIC;

	/* a store hidden is tracked; any store forgets a paid entry */
	want |= s->nr_paid ? SIM_EV_BIT(SIM_EV_PTE_WRITE) :
			     SIM_EV_PTE_WRITE_HIDDEN;
	if (s->nr_queued_pte)
		want |= SIM_EV_BIT(SIM_EV_PTE_READ);
	if (s->nr_queued)
		want |= SIM_EV_BIT(SIM_EV_TLB_FLUSH_CALL) |
			SIM_EV_BIT(SIM_EV_PAGE_FREE);
	/* a freed frame always; any frame while work is queued or paid */
	want |= s->nr_queued_pte || s->nr_paid ? SIM_EV_BIT(SIM_EV_ACCESS) :
						 SIM_EV_ACCESS_FREED;
	if (want != s->want) {
		s->want = want;
		sim_observer_want(s->m, s, want);
	}
}

static void san_event(void *priv, const struct sim_event *ev)
{
	struct san_state *s = priv;

	/* an event with a case here must not be left out in san_attach() */
	switch (ev->type) {
	case SIM_EV_PTE_WRITE:
		if (ev->flag)
			track(s, ev);
		if (s->nr_paid) {
			forget_paid(s, ev->ptep);
			san_want(s);
		}
		break;
	case SIM_EV_PTE_READ:
		if (s->nr_queued_pte)
			pte_read(s, ev);
		break;
	case SIM_EV_DEFERRED_QUEUED:
		queued(s, ev);
		san_want(s);
		break;
	case SIM_EV_DEFERRED_PAID:
		paid(s, ev);
		san_want(s);
		break;
	case SIM_EV_TLB_FLUSH_CALL:
		if (s->nr_queued)
			flush_in_section(s, ev, ev->what);
		break;
	case SIM_EV_PAGE_FREE:
		if (s->nr_queued)
			flush_in_section(s, ev, "__free_page()");
		break;
	case SIM_EV_FAULT:
		if (!deferred_access(s, ev) && !ev->flag && s->nr_queued_pte)
			queued_access(s, ev, true);
		break;
	case SIM_EV_BATCH_FLUSH:
		if (ev->task)
			(*flush_gen(s, ev->task->pid))++;
		break;
	case SIM_EV_ACCESS:
		if (sim_frame_free((unsigned long)ev->arg))
			freed_frame(ev);
		else if (s->nr_queued_pte || s->nr_paid)
			queued_access(s, ev, false);
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
		if (s->nr_queued) {
			task_gone(s, ev->task);
			san_want(s);
		}
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

/* sim_reset(): forget the run; a run that completed tracks nothing. */
static void san_reset(void *priv)
{
	struct san_state *s = priv;

	forget_all(s);
	s->nr_queued = 0;
	s->nr_queued_pte = 0;
	s->nr_paid = 0;
	s->fis.task = NULL;
	memset(s->irq_state, 0, sizeof(s->irq_state));
	memset(s->irq_sections, 0, sizeof(s->irq_sections));
	san_want(s);
}

struct san_state *san_attach(struct sim_machine *m)
{
	struct san_state *s = calloc(1, sizeof(*s));
	struct sim_observer o = {
		.event = san_event,
		.reset = san_reset,
		.events = SAN_EVENTS, /* and san_want()'s */
	};

	if (!s)
		abort();
	s->m = m;
	s->cap = 1024;
	s->slot = calloc(s->cap, sizeof(*s->slot));
	if (!s->slot)
		abort();
	s->tag = 1;
	o.priv = s;
	sim_add_observer(m, &o);
	san_want(s);
	return s;
}

void san_detach(struct san_state *s)
{
	free(s->flush_gen);
	free(s->queued);
	free(s->paid);
	free(s->slot);
	free(s->spare);
	free(s);
}

size_t san_nr_tracked(const struct san_state *s)
{
	return s->nr_tracked;
}
