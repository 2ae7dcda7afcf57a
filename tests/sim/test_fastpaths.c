// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The machine's fast paths (issue 7, 20 M PTE writes per second) keep
 * every run as it was:
 *
 *  - a machine built with no_reset (what lmm_run() builds: no post-boot
 *    snapshot, no logging for sim_reset()) runs the same run, choice for
 *    choice, as one built with the snapshot;
 *  - the busy-CPU set a scheduling point reads (m->busy) is at every event
 *    the set of CPUs with a task, and m->nr_blocked never counts fewer
 *    tasks than wait for a spinlock, under contention on up to 16 CPUs;
 *  - the linear map built a table at a time maps every frame to itself;
 *  - an observer gets exactly the events its mask names, however many
 *    observers there are, and an event no observer wants (not even built
 *    then) changes nothing else of the run; the counters count the same
 *    whether the machine counts for them in place (no event built) or
 *    sim_emit() delivers the event;
 *  - a machine whose per-frame arrays take the huge-page path (2^17
 *    frames: 4 MiB of struct pages) boots every frame free and runs clean;
 *  - the leaf paths that call nothing (a data access's TLB lookup, walk
 *    and fill in access_fast(); a PTE store counted in place in
 *    pt_store_fast(); sim_pt_sync() of a whole section in one pass) leave
 *    the machine at every scheduling point exactly as the general paths
 *    do: the same TLBs, the same hidden stores (as a set: with no observer
 *    of SIM_EV_PTE_VISIBLE a sync unhides in its CPU's list order, so the
 *    order of m->hidden may differ), the same tallies and slots.
 *
 * Runs the vmalloc workload under the random scheduler (interrupts,
 * preemption, migration) on several seeds: `-s SEED` picks the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "check/sanitizer.h"
#include "mm/mm.h"
#include "sim/arch.h"
#include "sim/stats.h"
#include "simtest.h"

struct run {
	struct sim_machine *m;
	struct sim_stats stats;
	struct san_state *san;
};

/* The checking observer: busy set and blocked count against the truth. */
struct watch {
	struct sim_machine *m;
	unsigned long events;
	unsigned long busy_wrong;
	unsigned long blocked_wrong;
	unsigned int max_blocked; /* the most tasks seen waiting at once */
};

static void watch_event(void *priv, const struct sim_event *ev)
{
	struct watch *w = priv;
	struct sim_machine *m = w->m;
	uint32_t busy = 0;
	unsigned int blocked = 0;

	(void)ev;
	w->events++;
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		if (m->cpu[c].curr)
			busy |= 1U << c;
	for (size_t i = 0; i < m->nr_tasks; i++)
		if (m->tasks[i] && m->tasks[i]->blocked_on)
			blocked++;
	if (busy != m->busy)
		w->busy_wrong++;
	if (m->nr_blocked < blocked)
		w->blocked_wrong++;
	if (blocked > w->max_blocked)
		w->max_blocked = blocked;
}

/*
 * A policy that checks each CPU choice's options against the truth (the
 * CPUs with a task that waits for no held lock), then lets the random
 * policy answer.
 */
struct checked_policy {
	struct sim_policy p;
	struct sim_policy *inner;
	unsigned long cpu_choices;
	unsigned long blocked_choices; /* with a busy CPU left out */
	unsigned long wrong;
};

static unsigned int checked_choose(struct sim_policy *p, enum sim_choice what,
				   unsigned int n, unsigned int cur,
				   uint32_t allowed)
{
	struct checked_policy *cp = (struct checked_policy *)p;
	struct sim_machine *m = sim_this;

	if (what == SIM_CHOOSE_CPU) {
		uint32_t truth = 0;

		for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
			const struct task_struct *t = m->cpu[c].curr;

			if (t && !(t->blocked_on && t->blocked_on->owner))
				truth |= 1U << c;
		}
		cp->cpu_choices++;
		/* a busy CPU left out: a task waits for a lock there */
		if (truth != m->busy)
			cp->blocked_choices++;
		if (allowed != truth)
			cp->wrong++;
	}
	return cp->inner->choose(cp->inner, what, n, cur, allowed);
}

static void checked_destroy(struct sim_policy *p)
{
	struct checked_policy *cp = (struct checked_policy *)p;

	cp->inner->destroy(cp->inner);
}

static struct checked_policy checker;

static struct sim_policy *checked_random(uint64_t seed, unsigned int sw,
					 unsigned int preempt, unsigned int irq)
{
	memset(&checker, 0, sizeof(checker));
	checker.p.choose = checked_choose;
	checker.p.destroy = checked_destroy;
	checker.inner = sim_policy_random(seed, sw, preempt, irq);
	return &checker.p;
}

static void build(struct run *r, const char *arch, unsigned int cpus,
		  unsigned long pages, uint64_t seed, bool no_reset,
		  bool fine_steps, struct lmm_workload_params *params)
{
	const struct lmm_workload *wl = lmm_workload_find("vmalloc");
	struct sim_options opt = { 0 };
	char comm[16];

	memset(r, 0, sizeof(*r));
	opt.arch = sim_arch_find(arch, "7.1");
	opt.lazy = opt.arch->lazy;
	opt.nr_cpus = cpus;
	opt.nr_frames = pages * cpus * 2 + 1024;
	opt.policy = sim_policy_random(seed, 200, 2, 1);
	opt.irq_handler = wl->irq;
	opt.irq_arg = params;
	opt.no_reset = no_reset;
	opt.fine_steps = fine_steps; /* spinlocks are steps: contention */
	params->pages = pages;
	r->m = sim_create(&opt);
	sim_stats_attach(r->m, &r->stats);
	r->san = san_attach(r->m);
	for (unsigned int c = 0; c < cpus; c++) {
		snprintf(comm, sizeof(comm), "%s/%u", wl->comm, c);
		sim_spawn(r->m, comm, (int)c, wl->task, params);
	}
}

static void destroy(struct run *r)
{
	sim_destroy(r->m);
	san_detach(r->san);
}

/* Same counters, points, findings and every recorded choice. */
static bool same_run(const struct run *a, const struct run *b)
{
	return simtest_same_run(a->m, &a->stats, b->m, &b->stats);
}

static void test_no_reset(uint64_t seed)
{
	static const unsigned int cpus[] = { 1, 2, 4 };

	for (int a = 0; a < 2; a++) {
		const char *arch = a ? "generic" : "arm64";

		for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
			struct lmm_workload_params pa, pb;
			struct run ra, rb;

			build(&ra, arch, cpus[i], 40, seed + i, false, true,
			      &pa);
			build(&rb, arch, cpus[i], 40, seed + i, true, true,
			      &pb);
			sim_run(ra.m);
			sim_run(rb.m);
			ok(ra.m->nr_choices > 0 && same_run(&ra, &rb),
			   "%s, %u CPUs: no_reset runs the same run (%zu "
			   "choices, %llu points)",
			   arch, cpus[i], rb.m->nr_choices,
			   (unsigned long long)rb.m->points);
			ok(ra.m->mark && !rb.m->mark,
			   "%s, %u CPUs: only the snapshot machine has a mark",
			   arch, cpus[i]);
			destroy(&ra);
			destroy(&rb);
		}
	}
}

/* Tasks that hold one spinlock across scheduling points: contention. */
static spinlock_t contended;

static void lock_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < 40; i++) {
		spin_lock(&contended);
		for (int k = 0; k < 3; k++)
			sim_sched_point();
		spin_unlock(&contended);
		sim_sched_point();
	}
}

static void test_busy(uint64_t seed)
{
	static const unsigned int cpus[] = { 2, 4, 16 };
	static const unsigned int lock_cpus[] = { 4, 8, 16 };

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		struct lmm_workload_params p;
		struct watch w = { 0 };
		struct sim_observer o = { .event = watch_event, .priv = &w };
		struct run r;

		build(&r, "arm64", cpus[i], 64, seed + 10 + i, true, true, &p);
		sim_set_policy(r.m, checked_random(seed + 10 + i, 200, 2, 1));
		w.m = r.m;
		sim_add_observer(r.m, &o);
		sim_run(r.m);
		/* 994 to about 1,100 events, as the seed interleaves them */
		ok(w.events > 900 && !w.busy_wrong,
		   "vmalloc, %u CPUs: the busy set is right at each of %lu "
		   "events",
		   cpus[i], w.events);
		/*
		 * How many CPU choices are drawn depends on the seed: on 2
		 * CPUs from 2 to about 800 (seeds 1..400), fewer when one
		 * CPU's task waits for a lock most of the run (a single CPU
		 * that can run is no choice). At least one is asked.
		 */
		ok(!w.blocked_wrong && checker.cpu_choices > 0 &&
			   !checker.wrong,
		   "vmalloc, %u CPUs: the blocked count never falls short; "
		   "each of %lu CPU choices offered exactly the CPUs that "
		   "can run",
		   cpus[i], checker.cpu_choices);
		destroy(&r);
	}
	/*
	 * The lockers run on the lower half: on 2 CPUs that is one CPU and an
	 * idle one, where a waiting CPU leaves one that can run, which is no
	 * choice; from 4 CPUs up a choice with a waiting CPU left out happens
	 * for every seed (at least 6 of them at 4 CPUs, seeds 1..400).
	 */
	for (size_t i = 0; i < sizeof(lock_cpus) / sizeof(lock_cpus[0]); i++) {
		struct watch w = { 0 };
		struct sim_observer o = { .event = watch_event, .priv = &w };
		struct sim_options opt = { 0 };
		struct sim_machine *m;
		uint64_t points;

		memset(&contended, 0, sizeof(contended));
		opt.arch = sim_arch_find("arm64", "7.1");
		opt.lazy = opt.arch->lazy;
		opt.nr_cpus = lock_cpus[i];
		opt.nr_frames = 1024;
		opt.policy = checked_random(seed + 20 + i, 300, 100, 0);
		opt.no_reset = true;
		m = sim_create(&opt);
		w.m = m;
		sim_add_observer(m, &o);
		/*
		 * Two tasks on each CPU of the lower half, the upper half idle:
		 * preempted tasks migrate to idle CPUs (place_on_idle()).
		 */
		for (unsigned int c = 0; c < lock_cpus[i] / 2; c++) {
			sim_spawn(m, "locker", (int)c, lock_task, NULL);
			sim_spawn(m, "locker", (int)c, lock_task, NULL);
		}
		sim_run(m);
		points = m->points;
		/*
		 * How many CPU choices a run draws depends on the seed (on 2
		 * CPUs, on when a preempted locker first migrates to the idle
		 * CPU: 39 for seed 99); what must happen for every seed is a
		 * choice with a busy CPU left out because its task waits.
		 */
		ok(w.max_blocked > 0 && !w.busy_wrong && !w.blocked_wrong &&
			   checker.blocked_choices > 0 && !checker.wrong &&
			   !m->nr_findings && !m->error[0],
		   "spinlock, %u CPUs: up to %u tasks waited; each of %lu "
		   "CPU choices offered exactly the CPUs that can run, %lu "
		   "of them with a waiting CPU left out; %llu points, no "
		   "finding",
		   lock_cpus[i], w.max_blocked, checker.cpu_choices,
		   checker.blocked_choices, (unsigned long long)points);
		sim_destroy(m);
	}
}

static void test_linear_map(void)
{
	struct lmm_workload_params p;
	struct run r;
	unsigned long wrong = 0;
	struct sim_machine *saved = sim_this;

	build(&r, "arm64", 1, 700, 1, true, false, &p);
	sim_this = r.m;
	for (unsigned long pfn = 0; pfn < r.m->nr_frames; pfn++) {
		pte_t *ptep =
			sim_walk(&r.m->init_mm, sim_linear_addr(pfn), 0, false);

		if (!ptep || !pte_valid(*ptep) || pte_pfn(*ptep) != pfn)
			wrong++;
	}
	sim_this = saved;
	ok(r.m->nr_frames > 1024 && !wrong,
	   "the linear map maps each of %lu frames to itself", r.m->nr_frames);
	destroy(&r);
}

/* Events by type, as an observer receives them. */
struct tally {
	unsigned long n[SIM_EV_NR];
};

static void tally_event(void *priv, const struct sim_event *ev)
{
	((struct tally *)priv)->n[ev->type]++;
}

/* The events of @t outside @mask. */
static unsigned long tally_outside(const struct tally *t, uint64_t mask)
{
	unsigned long n = 0;

	for (int e = 0; e < SIM_EV_NR; e++)
		if (!(mask & SIM_EV_BIT(e)))
			n += t->n[e];
	return n;
}

static void test_observer_masks(uint64_t seed)
{
	const uint64_t mask = SIM_EV_BIT(SIM_EV_PTE_WRITE) |
			      SIM_EV_BIT(SIM_EV_PTE_VISIBLE) |
			      SIM_EV_BIT(SIM_EV_SLEEP);
	struct lmm_workload_params pa, pb;
	struct tally ta = { { 0 } }, tb = { { 0 } }, all = { { 0 } };
	struct sim_observer oa = { .event = tally_event,
				   .priv = &ta,
				   .events = mask };
	struct sim_observer ob = oa,
			    oall = { .event = tally_event, .priv = &all };
	struct run ra, rb;

	/*
	 * ra: counters, sanitizer and the masked observer (three: the loop
	 * of emit_each()); rb: the same run with only the counters and the
	 * masked one (two: sim_emit()'s unrolled case), then an observer of
	 * every event. PTE_VISIBLE and SLEEP are events the counters do not
	 * want: with the sanitizer off, only the masked observer asks for
	 * them.
	 */
	build(&ra, "arm64", 2, 100, seed + 30, true, false, &pa);
	ob.priv = &tb;
	sim_add_observer(ra.m, &oa);
	sim_run(ra.m);

	build(&rb, "arm64", 2, 100, seed + 30, true, false, &pb);
	/* the sanitizer out: detach it by rebuilding the observer list */
	rb.m->nr_obs = 1;
	sim_observers_changed(rb.m);
	sim_add_observer(rb.m, &ob);
	ok(rb.m->ev_wanted == (rb.m->obs[0].events | mask) &&
		   !(rb.m->obs[0].events & SIM_EV_BIT(SIM_EV_SLEEP)),
	   "the machine wants the union of its observers' events; the "
	   "counters want no SLEEP");
	sim_run(rb.m);
	ok(ta.n[SIM_EV_PTE_WRITE] > 200 && ta.n[SIM_EV_PTE_VISIBLE] > 0 &&
		   ta.n[SIM_EV_SLEEP] >= 200 && !tally_outside(&ta, mask),
	   "three observers: the masked one got %lu PTE writes, %lu "
	   "visible, %lu sleeps and nothing else",
	   ta.n[SIM_EV_PTE_WRITE], ta.n[SIM_EV_PTE_VISIBLE],
	   ta.n[SIM_EV_SLEEP]);
	ok(!memcmp(&ta, &tb, sizeof(ta)),
	   "two observers: the masked one got the same events as with three");
	ok(same_run(&ra, &rb),
	   "the sanitizer's events change nothing of the run (%llu points)",
	   (unsigned long long)rb.m->points);
	destroy(&ra);
	destroy(&rb);

	/*
	 * Counters alone (SLEEP, PTE_VISIBLE, PTE_READ not even built), then
	 * counters and an observer of every event: the same run, and what
	 * the counters count is what the full observer saw.
	 */
	build(&ra, "arm64", 2, 100, seed + 31, true, false, &pa);
	ra.m->nr_obs = 1;
	sim_observers_changed(ra.m);
	/*
	 * Alone, the counters count in place every event they count but a
	 * fault (which may also be spurious: their own code counts it); with
	 * an observer of every event, none in place, but sim_emit() still
	 * counts them for the counters (ev_counted) instead of calling them.
	 */
	ok(ra.m->ev_in_place ==
			   (ra.m->obs[0].events & ~SIM_EV_BIT(SIM_EV_FAULT)) &&
		   (ra.m->ev_in_place & SIM_EV_BIT(SIM_EV_PTE_WRITE)) &&
		   ra.m->emit_plan[SIM_EV_FAULT] == 1 &&
		   !ra.m->emit_plan[SIM_EV_PTE_WRITE],
	   "counters alone: every event they count but a fault counted in "
	   "place");
	sim_run(ra.m);
	build(&rb, "arm64", 2, 100, seed + 31, true, false, &pb);
	rb.m->nr_obs = 1;
	sim_observers_changed(rb.m);
	sim_add_observer(rb.m, &oall);
	ok(!rb.m->ev_in_place && rb.m->ev_counted == ra.m->ev_in_place,
	   "with an observer of every event: none in place, the same counted "
	   "without a call");
	sim_run(rb.m);
	ok(same_run(&ra, &rb) && all.n[SIM_EV_SLEEP] >= 200 &&
		   all.n[SIM_EV_PTE_VISIBLE] > 0,
	   "events nobody wants are not built, and the run is the same "
	   "(%lu sleeps, %lu visible when wanted)",
	   all.n[SIM_EV_SLEEP], all.n[SIM_EV_PTE_VISIBLE]);
	ok(sim_stats_total(&rb.stats, SIM_STAT_pte_writes) ==
			   all.n[SIM_EV_PTE_WRITE] &&
		   sim_stats_total(&rb.stats, SIM_STAT_data_accesses) ==
			   all.n[SIM_EV_ACCESS] &&
		   sim_stats_total(&rb.stats, SIM_STAT_page_allocs) ==
			   all.n[SIM_EV_PAGE_ALLOC] &&
		   all.n[SIM_EV_ACCESS] >= 2 * 2 * 100,
	   "the counters' mask lets through every event they count (%lu "
	   "accesses: 2 CPUs x 100 pages, stored then loaded, and the "
	   "interrupts' own)",
	   all.n[SIM_EV_ACCESS]);
	destroy(&ra);
	destroy(&rb);
}

/*
 * A policy that hashes, at every choice, what the leaf paths change: each
 * CPU's TLB (entries and FIFO victims), the hidden stores in their order
 * with their slots and frames' counts, and the tallies; then lets the
 * random policy answer.
 */
struct hashing_policy {
	struct sim_policy p;
	struct sim_policy *inner;
	uint64_t *hash; /* one per choice */
	size_t nr, cap;
};

/*
 * The hidden entries as a set (each CPU's array, holes skipped): each entry
 * hashes alone and the hashes add up, so a run whose syncs leave holes in
 * other places still compares; its slot must name its CPU and index.
 */
static uint64_t hidden_set(const struct sim_machine *m)
{
	const struct sim_hidden *x;
	uint64_t sum = 0;
	uint32_t i;
	int c;

	for_each_hidden(m, c, i, x) {
		size_t off = (size_t)((const uint8_t *)x->ptep - m->mem);
		uint64_t h;

		h = simtest_mix(simtest_hidden_entry(m, c, i),
				m->hidden_slot[off / 8] ==
					sim_hidden_slot_make(c, i));
		sum += simtest_mix(h, m->pages[off >> PAGE_SHIFT].nr_hidden);
	}
	return sum;
}

static uint64_t leaf_state(const struct sim_machine *m)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		const struct sim_tlb *tlb = &m->cpu[c].tlb;

		for (unsigned int i = 0; i < tlb->capacity; i++) {
			const struct sim_tlb_entry *e = &tlb->e[i];

			h = simtest_mix(h, sim_tlb_entry_valid(e));
			if (sim_tlb_entry_valid(e)) {
				h = simtest_mix(h, e->vpn);
				h = simtest_mix(h, e->pte);
				h = simtest_mix(h, sim_tlb_entry_global(e));
				if (!sim_tlb_entry_global(e))
					h = simtest_mix(h, tlb->asid[i]);
			}
		}
		for (unsigned int i = 0; i < tlb->sets; i++)
			h = simtest_mix(h, tlb->next[i]);
		h = simtest_mix(simtest_mix(h, m->hidden_stage1[c]),
				m->hidden_stage2[c]);
	}
	h = simtest_mix(simtest_mix(h, m->nr_hidden), m->nr_hidden_observed);
	return simtest_mix(h, hidden_set(m));
}

static unsigned int hashing_choose(struct sim_policy *p, enum sim_choice what,
				   unsigned int n, unsigned int cur,
				   uint32_t allowed)
{
	struct hashing_policy *hp = (struct hashing_policy *)p;

	if (hp->nr == hp->cap) {
		hp->cap = hp->cap ? 2 * hp->cap : 4096;
		hp->hash = realloc(hp->hash, hp->cap * sizeof(*hp->hash));
		if (!hp->hash)
			abort();
	}
	hp->hash[hp->nr++] = leaf_state(sim_this);
	return hp->inner->choose(hp->inner, what, n, cur, allowed);
}

static void hashing_destroy(struct sim_policy *p)
{
	struct hashing_policy *hp = (struct hashing_policy *)p;

	hp->inner->destroy(hp->inner);
}

/* Every event the leaf paths leave unbuilt: wanting them turns them off. */
static void want_event(void *priv, const struct sim_event *ev)
{
	(void)priv;
	(void)ev;
}

/* Every hidden slot of @m's frames: 0 once nothing is hidden. */
static bool slots_clear(const struct sim_machine *m)
{
	for (size_t i = 0; i < m->nr_frames * PTRS_PER_TABLE; i++)
		if (m->hidden_slot[i])
			return false;
	return true;
}

/* The same entries have a slot (its index may differ: hidden_set()). */
static bool same_slots(const struct sim_machine *a, const struct sim_machine *b)
{
	for (size_t i = 0; i < a->nr_frames * PTRS_PER_TABLE; i++)
		if (!a->hidden_slot[i] != !b->hidden_slot[i])
			return false;
	return true;
}

static void test_leaf_paths(uint64_t seed)
{
	static const unsigned int cpus[] = { 1, 2, 4 };
	struct sim_observer want = { .event = want_event,
				     .events = SIM_EV_BIT(SIM_EV_PTE_WRITE) |
					       SIM_EV_BIT(SIM_EV_PTE_VISIBLE) |
					       SIM_EV_BIT(SIM_EV_ACCESS) };

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		struct hashing_policy ha, hb;
		struct lmm_workload_params pa, pb;
		struct run ra, rb;
		bool leaf, tlbs = true;

		/*
		 * ra: counters alone, so that the leaf paths run; rb: the
		 * same run with the general paths (translate_inline off, and
		 * an observer of the events they would not build).
		 */
		build(&ra, "arm64", cpus[i], 60, seed + 40 + i, true, false,
		      &pa);
		build(&rb, "arm64", cpus[i], 60, seed + 40 + i, true, false,
		      &pb);
		ra.m->nr_obs = rb.m->nr_obs = 1;
		sim_observers_changed(ra.m);
		sim_observers_changed(rb.m);
		sim_add_observer(rb.m, &want);
		rb.m->translate_inline = false;
		leaf = ra.m->translate_inline &&
		       (ra.m->ev_in_place & SIM_EV_BIT(SIM_EV_PTE_WRITE)) &&
		       !sim_wants(ra.m, SIM_EV_PTE_VISIBLE) &&
		       !(rb.m->ev_in_place & SIM_EV_BIT(SIM_EV_PTE_WRITE));
		memset(&ha, 0, sizeof(ha));
		memset(&hb, 0, sizeof(hb));
		ha.p.choose = hb.p.choose = hashing_choose;
		ha.p.destroy = hb.p.destroy = hashing_destroy;
		ha.inner = ra.m->opt.policy;
		hb.inner = rb.m->opt.policy;
		ra.m->opt.policy = &ha.p;
		rb.m->opt.policy = &hb.p;
		sim_run(ra.m);
		sim_run(rb.m);
		for (unsigned int c = 0; c < cpus[i]; c++)
			tlbs &= !memcmp(ra.m->cpu[c].tlb.e, rb.m->cpu[c].tlb.e,
					ra.m->cpu[c].tlb.capacity *
						sizeof(*ra.m->cpu[c].tlb.e));
		ok(leaf && same_run(&ra, &rb) && !ra.m->error[0] &&
			   !rb.m->error[0],
		   "%u CPUs: the leaf paths run the same run as the general "
		   "ones (%zu choices, %llu points)",
		   cpus[i], ra.m->nr_choices, (unsigned long long)ra.m->points);
		/* five scheduling points a page, each draws an interrupt */
		ok(ha.nr >= 5 * 60 && ha.nr == hb.nr &&
			   !memcmp(ha.hash, hb.hash, ha.nr * sizeof(*ha.hash)),
		   "%u CPUs: TLBs, hidden stores, slots and tallies the same "
		   "at each of %zu choices",
		   cpus[i], ha.nr);
		/*
		 * A store a CPU made after its last barrier may stay hidden
		 * at the end (2 CPUs on this seed): its slot is set then.
		 */
		ok(tlbs && ra.m->nr_hidden == rb.m->nr_hidden &&
			   ra.m->nr_frames == rb.m->nr_frames &&
			   same_slots(ra.m, rb.m) &&
			   hidden_set(ra.m) == hidden_set(rb.m) &&
			   (ra.m->nr_hidden || slots_clear(ra.m)),
		   "%u CPUs: the same TLBs and hidden slots at the end (%u "
		   "stores still hidden)",
		   cpus[i], (unsigned int)ra.m->nr_hidden);
		ra.m->opt.policy = ha.inner;
		rb.m->opt.policy = hb.inner;
		free(ha.hash);
		free(hb.hash);
		destroy(&ra);
		destroy(&rb);
	}
}

static void test_large_machine(void)
{
	struct lmm_workload_params p;
	struct sim_machine *m;
	unsigned long free_flags = 0;
	struct run r;

	/* 2 x 65536 + 1024 frames: 4 MiB of struct pages, 1 MiB stacks */
	build(&r, "arm64", 2, 32768, 2, true, false, &p);
	m = r.m;
	for (unsigned long pfn = 0; pfn < m->nr_frames; pfn++)
		free_flags += !!((m->frame_flags[pfn] ^ PG_free) & PG_free);
	ok(m->nr_frames == 2 * 65536 + 1024 && free_flags == m->nr_free &&
		   sim_free_stack_at(m, m->nr_free - 1) == m->boot_next_pfn,
	   "%lu frames: each of %lu free frames is PG_free, lowest on top",
	   m->nr_frames, m->nr_free);
	sim_run(m);
	ok(!m->nr_findings && !m->error[0] &&
		   sim_stats_total(&r.stats, SIM_STAT_pte_writes) >
			   2 * 2 * 32768,
	   "vmalloc of 2 x 32768 pages on it: %llu PTE writes, no finding",
	   (unsigned long long)sim_stats_total(&r.stats, SIM_STAT_pte_writes));
	destroy(&r);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_seed(argc, argv, 1);

	test_no_reset(seed);
	test_busy(seed);
	test_linear_map();
	test_observer_masks(seed);
	test_leaf_paths(seed);
	test_large_machine();
	return tap_done();
}
