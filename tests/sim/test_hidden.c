// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The per-CPU lists of hidden stores (issue 7, cost per write flat from 1
 * to 16 CPUs): a barrier of a CPU visits that CPU's hidden entries, not
 * every CPU's (src/sim/pgtable.c, sim_pt_publish() and sim_pt_sync()).
 *
 *  - at every scheduler choice the lists, tallies and slots agree with a
 *    full scan of m->hidden (sim_pt_hidden_ok());
 *  - a run with no observer of SIM_EV_PTE_VISIBLE (its syncs walk a CPU's
 *    list, so m->hidden's order is free) and the same run with one (its
 *    syncs scan in index order, the events in today's order) see, at
 *    every choice, the same hidden entries as a set, the same value from
 *    every CPU's walker at each of them, the same tallies; and at the end
 *    the same counters, findings and choices; on 1, 2, 4 and 16 CPUs;
 *  - sim_reset() brings the lists back to empty: a second run after a
 *    reset is the first again.
 *
 * Runs the vmalloc workload on arm64 7.1 (stores hidden until a dsb, then
 * until an isb) under the random scheduler (interrupts, preemption,
 * migration): `-s SEED` picks the first seed.
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
	struct lmm_workload_params params;
};

/* A policy that records, at each choice, the state of the hidden stores. */
struct hashing_policy {
	struct sim_policy p;
	struct sim_policy *inner;
	uint64_t *set; /* per choice: the entries as a set, what walkers see */
	uint64_t *order; /* per choice: the entries in m->hidden's order */
	size_t nr, cap;
	unsigned long bad; /* choices at which sim_pt_hidden_ok() failed */
	size_t max_hidden; /* the most entries hidden at once */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL; /* FNV-1a, a word at a time */
}

/*
 * Each entry hashed alone (where, the old value, writer, stage, observers,
 * and the value each CPU's walker sees there), the hashes summed: the same
 * whatever order m->hidden keeps them in.
 */
static uint64_t hidden_set(const struct sim_machine *m)
{
	uint64_t sum = mix(m->nr_hidden, m->nr_hidden_observed);

	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		sum = mix(mix(sum, m->hidden_stage1[c]), m->hidden_stage2[c]);
	for (size_t i = 0; i < m->nr_hidden; i++) {
		const struct sim_hidden *x = &m->hidden[i];
		size_t off = (size_t)((const uint8_t *)x->ptep - m->mem);
		uint64_t h = 0xcbf29ce484222325ULL;

		h = mix(mix(mix(mix(h, off), x->old), (uint64_t)x->cpu),
			(uint64_t)sim_hidden_stage(m, x));
		h = mix(h, x->observed);
		for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
			h = mix(h, sim_pt_walker_see(m, x->ptep, (int)c));
		sum += h;
	}
	return sum;
}

static uint64_t hidden_order(const struct sim_machine *m)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < m->nr_hidden; i++)
		h = mix(h, (uint64_t)(m->hidden[i].ptep - (pte_t *)m->mem));
	return h;
}

static unsigned int hashing_choose(struct sim_policy *p, enum sim_choice what,
				   unsigned int n, unsigned int cur,
				   uint32_t allowed)
{
	struct hashing_policy *hp = (struct hashing_policy *)p;
	const struct sim_machine *m = sim_this;

	if (hp->nr == hp->cap) {
		hp->cap = hp->cap ? 2 * hp->cap : 4096;
		hp->set = realloc(hp->set, hp->cap * sizeof(*hp->set));
		hp->order = realloc(hp->order, hp->cap * sizeof(*hp->order));
		if (!hp->set || !hp->order)
			abort();
	}
	hp->set[hp->nr] = hidden_set(m);
	hp->order[hp->nr++] = hidden_order(m);
	hp->bad += !sim_pt_hidden_ok(m);
	if (m->nr_hidden > hp->max_hidden)
		hp->max_hidden = m->nr_hidden;
	return hp->inner->choose(hp->inner, what, n, cur, allowed);
}

static void hashing_destroy(struct sim_policy *p)
{
	struct hashing_policy *hp = (struct hashing_policy *)p;

	hp->inner->destroy(hp->inner);
}

/* The observer of SIM_EV_PTE_VISIBLE: it counts them. */
static void visible_event(void *priv, const struct sim_event *ev)
{
	(void)ev;
	++*(unsigned long *)priv;
}

static void spawn(struct run *r, const struct lmm_workload *wl)
{
	char comm[16];

	for (unsigned int c = 0; c < r->m->opt.nr_cpus; c++) {
		snprintf(comm, sizeof(comm), "%s/%u", wl->comm, c);
		sim_spawn(r->m, comm, (int)c, wl->task, &r->params);
	}
}

static void build(struct run *r, unsigned int cpus, unsigned long pages,
		  uint64_t seed, struct hashing_policy *hp)
{
	const struct lmm_workload *wl = lmm_workload_find("vmalloc");
	struct sim_options opt = { 0 };

	memset(r, 0, sizeof(*r));
	memset(hp, 0, sizeof(*hp));
	opt.arch = sim_arch_find("arm64", "7.1");
	opt.lazy = opt.arch->lazy;
	opt.nr_cpus = cpus;
	opt.nr_frames = pages * cpus * 2 + 1024;
	hp->p.choose = hashing_choose;
	hp->p.destroy = hashing_destroy;
	hp->inner = sim_policy_random(seed, 200, 2, 1);
	opt.policy = &hp->p;
	opt.irq_handler = wl->irq;
	opt.irq_arg = &r->params;
	r->params.pages = pages;
	r->m = sim_create(&opt);
	sim_stats_attach(r->m, &r->stats);
	r->san = san_attach(r->m);
	spawn(r, wl);
}

static void destroy(struct run *r, struct hashing_policy *hp)
{
	sim_destroy(r->m);
	san_detach(r->san);
	free(hp->set);
	free(hp->order);
}

/* Same counters, points, findings and every recorded choice. */
static bool same_run(const struct run *a, const struct run *b)
{
	return simtest_same_run(a->m, &a->stats, b->m, &b->stats);
}

static void test_lists(uint64_t seed)
{
	static const unsigned int cpus[] = { 1, 2, 4, 16 };
	unsigned long visible = 0;
	struct sim_observer want = { .event = visible_event,
				     .priv = &visible,
				     .events = SIM_EV_BIT(SIM_EV_PTE_VISIBLE) };

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		/* 16 CPUs share the pages so that the run stays short */
		unsigned long pages = cpus[i] == 16 ? 24 : 60;
		struct hashing_policy ha, hb;
		struct run ra, rb;
		size_t reordered = 0;

		visible = 0;
		build(&ra, cpus[i], pages, seed + i, &ha);
		build(&rb, cpus[i], pages, seed + i, &hb);
		/*
		 * The sanitizer wants PTE_VISIBLE (its stale-entry checks):
		 * keep only the counters, as lazymmu run --no-sanitize does.
		 */
		ra.m->nr_obs = rb.m->nr_obs = 1;
		sim_observers_changed(ra.m);
		sim_observers_changed(rb.m);
		sim_add_observer(rb.m, &want);
		ok(!sim_wants(ra.m, SIM_EV_PTE_VISIBLE) &&
			   sim_wants(rb.m, SIM_EV_PTE_VISIBLE),
		   "%u CPUs: only the second run has an observer of "
		   "PTE_VISIBLE (the counters want none)",
		   cpus[i]);
		sim_run(ra.m);
		sim_run(rb.m);
		ok(same_run(&ra, &rb) && !ra.m->error[0] && !rb.m->error[0],
		   "%u CPUs: with and without the observer, the same run "
		   "(%zu choices, %llu points, %zu findings)",
		   cpus[i], ra.m->nr_choices, (unsigned long long)ra.m->points,
		   ra.m->nr_findings);
		/*
		 * Every choice, both runs: the checks of sim_pt_hidden_ok()
		 * (a list upkeep slip shows at the next choice). The arm64
		 * section keeps a page's two stores hidden till its leave, so
		 * entries pile up: max_hidden > cpus shows several CPUs' at
		 * once.
		 */
		ok(!ha.bad && !hb.bad && ha.nr > 0 && ha.max_hidden > cpus[i],
		   "%u CPUs: lists, tallies and slots agree with a full scan "
		   "at each of %zu + %zu choices (%zu hidden at most)",
		   cpus[i], ha.nr, hb.nr, ha.max_hidden);
		for (size_t k = 0; k < ha.nr && k < hb.nr; k++)
			reordered += ha.order[k] != hb.order[k];
		ok(ha.nr == hb.nr &&
			   !memcmp(ha.set, hb.set, ha.nr * sizeof(*ha.set)),
		   "%u CPUs: the same hidden entries, stages, observers and "
		   "walker views at each choice (m->hidden's order differs at "
		   "%zu)",
		   cpus[i], reordered);
		/*
		 * On one CPU there are no lists (every entry is that CPU's):
		 * the order is today's. On 16, CPUs' sections overlap and
		 * a sync takes its CPU's list: the order must differ somewhere,
		 * or the list path never ran.
		 */
		if (cpus[i] == 1)
			ok(!reordered,
			   "1 CPU: the hidden list in today's order");
		if (cpus[i] == 16)
			ok(reordered > 0,
			   "16 CPUs: the syncs took the per-CPU lists "
			   "(m->hidden's order differs at %zu choices)",
			   reordered);
		ok(visible > 0 && ra.m->nr_hidden == rb.m->nr_hidden,
		   "%u CPUs: %lu PTE_VISIBLE events observed; %zu stores "
		   "still hidden in both at the end",
		   cpus[i], visible, ra.m->nr_hidden);
		destroy(&ra, &ha);
		destroy(&rb, &hb);
	}
}

/* sim_reset() empties the lists: a run after a reset is the first again. */
static void test_reset(uint64_t seed)
{
	struct hashing_policy ha;
	struct run ra;
	uint64_t *first;
	size_t nr;
	bool heads = true;

	build(&ra, 4, 40, seed + 10, &ha);
	sim_run(ra.m);
	nr = ha.nr;
	first = malloc((nr + 1) * sizeof(*first));
	if (!first)
		abort();
	memcpy(first, ha.set, nr * sizeof(*first));
	sim_reset(ra.m);
	for (int c = 0; c < SIM_MAX_CPUS; c++)
		heads &= !ra.m->hidden_head[c];
	ok(heads && !ra.m->nr_hidden && sim_pt_hidden_ok(ra.m),
	   "after sim_reset(): no hidden entry, every CPU's list empty");
	ha.inner->destroy(ha.inner);
	ha.inner = sim_policy_random(seed + 10, 200, 2, 1);
	ha.nr = 0;
	ha.bad = 0;
	spawn(&ra, lmm_workload_find("vmalloc"));
	sim_run(ra.m);
	ok(ha.nr == nr && nr > 0 &&
		   !memcmp(ha.set, first, nr * sizeof(*first)) && !ha.bad,
	   "the run after the reset: the same hidden entries and walker "
	   "views at each of its %zu choices, lists sound at each",
	   nr);
	free(first);
	destroy(&ra, &ha);
}

/* ---- a store again by another CPU moves the entry to that CPU's list ---- */

#define KADDR (VMALLOC_START + 0x40000000UL)

static unsigned long restore_pfn[3];

/*
 * The number of entries on @cpu's list, or -1 if one is not @cpu's or the
 * list is longer than the whole (a cycle).
 */
static int list_len(const struct sim_machine *m, int cpu)
{
	size_t n = 0;

	for (uint32_t j = m->hidden_head[cpu]; j; j = m->hidden[j - 1].next) {
		if (j > m->nr_hidden || m->hidden[j - 1].cpu != cpu ||
		    ++n > m->nr_hidden)
			return -1;
	}
	return (int)n;
}

/* CPU 0: two stores hidden (no dsb), then it exits. */
static void store_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = sim_walk(&m->init_mm, KADDR, 0, true);

	(void)arg;
	restore_pfn[0] = alloc_page(GFP_KERNEL);
	restore_pfn[1] = alloc_page(GFP_KERNEL);
	sim_pt_write(ptep, pfn_pte(restore_pfn[0], PAGE_KERNEL), KADDR,
		     SIM_PT_DEFERRED);
	sim_pt_write(ptep + 1, pfn_pte(restore_pfn[1], PAGE_KERNEL),
		     KADDR + PAGE_SIZE, SIM_PT_DEFERRED);
	ok(sim_pt_hidden_ok(m) && list_len(m, 0) == 2 && list_len(m, 1) == 0,
	   "CPU 0 stored two entries: both on CPU 0's list");
}

/* CPU 1, after: stores the first entry again, then its barriers. */
static void restore_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = sim_walk(&m->init_mm, KADDR, 0, false);
	pte_t mine;

	(void)arg;
	restore_pfn[2] = alloc_page(GFP_KERNEL);
	mine = pfn_pte(restore_pfn[2], PAGE_KERNEL);
	sim_pt_write(ptep, mine, KADDR, SIM_PT_DEFERRED);
	ok(sim_pt_hidden_ok(m) && list_len(m, 0) == 1 && list_len(m, 1) == 1 &&
		   m->nr_hidden == 2,
	   "CPU 1 stored the first again: it moved to CPU 1's list "
	   "(one entry each)");
	sim_pt_publish(1);
	ok(sim_pt_walker_read(ptep, 0) == mine &&
		   sim_pt_walker_read(ptep, 1) == 0 &&
		   sim_pt_walker_read(ptep + 1, 1) == 0 &&
		   m->hidden_stage2[0] == 1,
	   "CPU 1's dsb publishes its store alone: CPU 0 sees it, CPU 1 "
	   "not yet; CPU 0's other store stays hidden from all");
	sim_pt_sync(1);
	ok(sim_pt_walker_read(ptep, 1) == mine && m->nr_hidden == 1 &&
		   list_len(m, 1) == 0 && list_len(m, 0) == 1 &&
		   sim_pt_hidden_ok(m),
	   "CPU 1's isb: its store visible to all, CPU 0's still hidden");
}

static void test_restore(void)
{
	struct simtest t;

	simtest_init(&t, "arm64", "7.1", 2, false, NULL);
	t.m->nr_obs = 1; /* the counters: no PTE_VISIBLE, the list path */
	sim_observers_changed(t.m);
	want_cpu = 0; /* CPU 0's task to its end, then CPU 1's */
	sim_spawn(t.m, "store", 0, store_task, NULL);
	sim_spawn(t.m, "restore", 1, restore_task, NULL);
	sim_run(t.m);
	ok(!t.m->error[0], "the two tasks ran to their end, no machine error");
	simtest_fini(&t);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_seed(argc, argv, 1);

	test_lists(seed);
	test_reset(seed);
	test_restore();
	return tap_done();
}
