// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The per-CPU arrays of hidden stores (issue 7, cost per write flat from 1
 * to 16 CPUs): each CPU keeps its own array, in store order; a barrier of a
 * CPU visits that CPU's array only (src/sim/pgtable.c, sim_pt_publish() and
 * sim_pt_sync()).
 *
 *  - at every scheduler choice the arrays, tallies and slots agree
 *    (sim_pt_hidden_ok());
 *  - a run with no observer of SIM_EV_PTE_VISIBLE (its syncs take the
 *    quiet passes) and the same run with one see, at every choice, the
 *    same hidden entries in the same order in every CPU's array, the same
 *    value from every CPU's walker at each, the same tallies; and at the
 *    end the same counters, findings and choices; on 1, 2, 4 and 16 CPUs;
 *  - sim_reset() brings the arrays back to empty: a second run after a
 *    reset is the first again;
 *  - a sync's PTE_VISIBLE events come in its CPU's store order, and the
 *    stage-2 entries that stay keep theirs;
 *  - a store again by another CPU moves the entry to that CPU's array: it
 *    becomes visible at that CPU's sync, not the first's;
 *  - sim_pt_hidden_ok() catches a slot naming the wrong CPU or index, a
 *    wrong count, an array longer than its room;
 *  - the arrays a destroyed machine kept go to the next machine empty.
 *
 * The runs: the vmalloc workload on arm64 7.1 (stores hidden until a dsb,
 * then until an isb) under the random scheduler (interrupts, preemption,
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
	uint64_t *order; /* per choice: the entries in the arrays' order */
	size_t nr, cap;
	unsigned long bad; /* choices at which sim_pt_hidden_ok() failed */
	size_t max_hidden; /* the most entries hidden at once */
};

/*
 * Each entry hashed alone (where, the old value, writer, stage, observers,
 * and the value each CPU's walker sees there), the hashes summed: the same
 * whatever the order of the arrays.
 */
static uint64_t hidden_set(const struct sim_machine *m)
{
	uint64_t sum = simtest_mix(m->nr_hidden, m->nr_hidden_observed);
	const struct sim_hidden *x;
	uint32_t i;
	int c;

	for (c = 0; c < (int)m->opt.nr_cpus; c++)
		sum = simtest_mix(simtest_mix(sum, m->hidden_stage1[c]),
				  m->hidden_stage2[c]);
	for_each_hidden(m, c, i, x) {
		uint64_t h = simtest_hidden_entry(m, c, i);

		for (unsigned int v = 0; v < m->opt.nr_cpus; v++)
			h = simtest_mix(h,
					sim_pt_walker_see(m, x->ptep, (int)v));
		sum += h;
	}
	return sum;
}

/* The entries of every CPU's array in order, holes and lengths too. */
static uint64_t hidden_order(const struct sim_machine *m)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int c = 0; c < (int)m->opt.nr_cpus; c++) {
		h = simtest_mix(h, m->hidden_len[c]);
		for (uint32_t i = 0; i < m->hidden_len[c]; i++) {
			const pte_t *ptep = m->hidden[c][i].ptep;

			h = simtest_mix(
				h, ptep ? (uint64_t)(ptep - (pte_t *)m->mem) :
					  ~0ULL);
		}
	}
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
		 * (an upkeep slip shows at the next choice). The arm64
		 * section keeps a page's two stores hidden till its leave, so
		 * entries pile up: max_hidden > cpus shows several CPUs' at
		 * once.
		 */
		ok(!ha.bad && !hb.bad && ha.nr > 0 && ha.max_hidden > cpus[i],
		   "%u CPUs: arrays, tallies and slots agree at each of %zu + "
		   "%zu choices (%zu hidden at most)",
		   cpus[i], ha.nr, hb.nr, ha.max_hidden);
		for (size_t k = 0; k < ha.nr && k < hb.nr; k++)
			reordered += ha.order[k] != hb.order[k];
		/*
		 * The arrays' order is the CPUs' store order whether or not
		 * the events are wanted (the passes differ only in emitting
		 * them): no choice sees another order, or other holes.
		 */
		ok(ha.nr == hb.nr &&
			   !memcmp(ha.set, hb.set, ha.nr * sizeof(*ha.set)) &&
			   !reordered,
		   "%u CPUs: the same hidden entries, in the same order, "
		   "stages, observers and walker views at each choice (order "
		   "differs at %zu)",
		   cpus[i], reordered);
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
	bool empty = true;

	build(&ra, 4, 40, seed + 10, &ha);
	sim_run(ra.m);
	nr = ha.nr;
	first = malloc((nr + 1) * sizeof(*first));
	if (!first)
		abort();
	memcpy(first, ha.set, nr * sizeof(*first));
	sim_reset(ra.m);
	for (int c = 0; c < SIM_MAX_CPUS; c++)
		empty &= !ra.m->hidden_len[c];
	ok(empty && !ra.m->nr_hidden && sim_pt_hidden_ok(ra.m),
	   "after sim_reset(): no hidden entry, every CPU's array empty");
	ha.inner->destroy(ha.inner);
	ha.inner = sim_policy_random(seed + 10, 200, 2, 1);
	ha.nr = 0;
	ha.bad = 0;
	spawn(&ra, lmm_workload_find("vmalloc"));
	sim_run(ra.m);
	ok(ha.nr == nr && nr > 0 &&
		   !memcmp(ha.set, first, nr * sizeof(*first)) && !ha.bad,
	   "the run after the reset: the same hidden entries and walker "
	   "views at each of its %zu choices, arrays sound at each",
	   nr);
	free(first);
	destroy(&ra, &ha);
}

/* ---- a sync in store order ----------------------------------------------- */

#define KADDR (VMALLOC_START + 0x40000000UL)

/* The PTE_VISIBLE events seen: their entries, in order. */
static const pte_t *visible_at[8];
static unsigned int nr_visible;

static void record_visible(void *priv, const struct sim_event *ev)
{
	(void)priv;
	if (nr_visible < 8)
		visible_at[nr_visible] = ev->ptep;
	nr_visible++;
}

/* The live entries of @cpu's array, or -1 if one's slot does not match. */
static int arr_len(const struct sim_machine *m, int cpu)
{
	int n = 0;

	for (uint32_t i = 0; i < m->hidden_len[cpu]; i++) {
		const pte_t *ptep = m->hidden[cpu][i].ptep;

		if (!ptep)
			continue;
		if (m->hidden_slot[((const uint8_t *)ptep - m->mem) / 8] !=
		    sim_hidden_slot_make(cpu, (uint32_t)i))
			return -1;
		n++;
	}
	return n;
}

static unsigned long order_pfn[4];

/*
 * CPU 0 stores entries 5, 1, 3 (not in address order), publishes them
 * (dsb), stores 7 and stores 1 again (both stage 2 now), then syncs (isb):
 * 5 and 3 become visible, in that order; 1 and 7 stay, in that order.
 */
static void order_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = sim_walk(&m->init_mm, KADDR, 0, true);
	static const int at[4] = { 5, 1, 3, 7 };

	(void)arg;
	for (int i = 0; i < 4; i++)
		order_pfn[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 3; i++)
		sim_pt_write(ptep + at[i], pfn_pte(order_pfn[i], PAGE_KERNEL),
			     KADDR + (unsigned long)at[i] * PAGE_SIZE,
			     SIM_PT_DEFERRED);
	sim_pt_publish(0);
	sim_pt_write(ptep + 7, pfn_pte(order_pfn[3], PAGE_KERNEL),
		     KADDR + 7 * PAGE_SIZE, SIM_PT_DEFERRED);
	sim_pt_write(ptep + 1, pfn_pte(order_pfn[3], PAGE_KERNEL),
		     KADDR + PAGE_SIZE, SIM_PT_DEFERRED);
	nr_visible = 0;
	sim_pt_sync(0);
	ok(nr_visible == 2 && visible_at[0] == ptep + 5 &&
		   visible_at[1] == ptep + 3 && m->hidden_len[0] == 2 &&
		   m->hidden[0][0].ptep == ptep + 1 &&
		   m->hidden[0][1].ptep == ptep + 7 && arr_len(m, 0) == 2 &&
		   sim_pt_hidden_ok(m),
	   "the isb: entries 5 and 3 visible in store order; 1 and 7, "
	   "stored again and new since the dsb, stay, moved down in their "
	   "order");
	sim_pt_publish(0);
	nr_visible = 0;
	sim_pt_sync(0);
	ok(nr_visible == 2 && visible_at[0] == ptep + 1 &&
		   visible_at[1] == ptep + 7 && !m->nr_hidden &&
		   !m->hidden_len[0],
	   "the next dsb and isb: 1, then 7; the array empty");
	/*
	 * Five in a row, all published: the events in store order. (A
	 * swap-remove from one shared list, as before, gave 18, 10, 12, 14,
	 * 16: each unhide moved the last entry into the hole.)
	 */
	for (int i = 0; i < 5; i++)
		sim_pt_write(ptep + 10 + 2 * (4 - i),
			     pfn_pte(order_pfn[0], PAGE_KERNEL),
			     KADDR + (unsigned long)(10 + 2 * (4 - i)) *
					     PAGE_SIZE,
			     SIM_PT_DEFERRED);
	sim_pt_publish(0);
	nr_visible = 0;
	sim_pt_sync(0);
	ok(nr_visible == 5 && visible_at[0] == ptep + 18 &&
		   visible_at[1] == ptep + 16 && visible_at[2] == ptep + 14 &&
		   visible_at[3] == ptep + 12 && visible_at[4] == ptep + 10,
	   "five stores (entries 18, 16, 14, 12, 10) become visible in "
	   "that order");
}

static void test_order(void)
{
	struct simtest t;
	struct sim_observer obs = { .event = record_visible,
				    .events = SIM_EV_BIT(SIM_EV_PTE_VISIBLE) };

	simtest_init(&t, "arm64", "7.1", 2, false, NULL);
	sim_add_observer(t.m, &obs);
	want_cpu = 0;
	sim_spawn(t.m, "order", 0, order_task, NULL);
	sim_run(t.m);
	ok(!t.m->error[0], "the store-order task ran to its end");
	simtest_fini(&t);
}

/* ---- a store again by another CPU moves the entry to that CPU's array --- */

static unsigned long restore_pfn[3];

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
	ok(sim_pt_hidden_ok(m) && arr_len(m, 0) == 2 && arr_len(m, 1) == 0,
	   "CPU 0 stored two entries: both in CPU 0's array");
}

/*
 * CPU 1, after: stores the first entry again; CPU 0's barriers (called
 * from here) leave it hidden, CPU 1's make it visible.
 */
static void restore_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = sim_walk(&m->init_mm, KADDR, 0, false);
	pte_t mine;

	(void)arg;
	restore_pfn[2] = alloc_page(GFP_KERNEL);
	mine = pfn_pte(restore_pfn[2], PAGE_KERNEL);
	sim_pt_write(ptep, mine, KADDR, SIM_PT_DEFERRED);
	/*
	 * Entry 0 was index 0 of CPU 0's array (not its last): a hole there,
	 * CPU 0's length still 2; in CPU 1's at index 0.
	 */
	ok(sim_pt_hidden_ok(m) && arr_len(m, 0) == 1 && arr_len(m, 1) == 1 &&
		   m->nr_hidden == 2 && m->hidden_len[0] == 2 &&
		   !m->hidden[0][0].ptep &&
		   m->hidden_slot[((uint8_t *)ptep - m->mem) / 8] ==
			   sim_hidden_slot_make(1, 0),
	   "CPU 1 stored the first again: it moved to CPU 1's array (one "
	   "entry each, a hole in CPU 0's)");
	sim_pt_publish(0);
	sim_pt_sync(0);
	ok(sim_pt_walker_read(ptep + 1, 0) ==
			   pfn_pte(restore_pfn[1], PAGE_KERNEL) &&
		   sim_pt_walker_read(ptep + 1, 1) ==
			   pfn_pte(restore_pfn[1], PAGE_KERNEL) &&
		   sim_pt_walker_read(ptep, 0) == 0 &&
		   sim_pt_walker_read(ptep, 1) == 0 && m->nr_hidden == 1 &&
		   !m->hidden_len[0] && arr_len(m, 1) == 1 &&
		   sim_pt_hidden_ok(m),
	   "CPU 0's dsb and isb: its other store visible to all; the moved "
	   "one, CPU 1's now, still hidden from both (0)");
	sim_pt_publish(1);
	ok(sim_pt_walker_read(ptep, 0) == mine &&
		   sim_pt_walker_read(ptep, 1) == 0 &&
		   m->hidden_stage1[1] == 1 && !m->hidden_stage2[1],
	   "CPU 1's dsb publishes it: CPU 0 sees it, CPU 1 not yet");
	sim_pt_sync(1);
	ok(sim_pt_walker_read(ptep, 1) == mine && !m->nr_hidden &&
		   arr_len(m, 1) == 0 && !m->hidden_len[1] &&
		   sim_pt_hidden_ok(m),
	   "CPU 1's isb: its store visible to all, nothing hidden");
}

static void test_restore(void)
{
	struct simtest t;

	simtest_init(&t, "arm64", "7.1", 2, false, NULL);
	t.m->nr_obs = 1; /* the counters: no PTE_VISIBLE, the quiet passes */
	sim_observers_changed(t.m);
	want_cpu = 0; /* CPU 0's task to its end, then CPU 1's */
	sim_spawn(t.m, "store", 0, store_task, NULL);
	sim_spawn(t.m, "restore", 1, restore_task, NULL);
	sim_run(t.m);
	ok(!t.m->error[0], "the two tasks ran to their end, no machine error");
	simtest_fini(&t);
}

/* ---- sim_pt_hidden_ok() catches what it checks --------------------------- */

/* Three stores hidden on CPU 1, then the checker's own checks broken. */
static void corrupt_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = sim_walk(&m->init_mm, KADDR, 0, true);
	uint32_t *slot = &m->hidden_slot[((uint8_t *)(ptep + 1) - m->mem) / 8];
	uint32_t keep;

	(void)arg;
	for (int i = 0; i < 3; i++)
		sim_pt_write(
			ptep + i, pfn_pte(alloc_page(GFP_KERNEL), PAGE_KERNEL),
			KADDR + (unsigned long)i * PAGE_SIZE, SIM_PT_DEFERRED);
	keep = *slot;
	ok(sim_pt_hidden_ok(m) && keep == sim_hidden_slot_make(1, 1),
	   "three stores of CPU 1: sound; entry 1's slot is CPU 1, index 1");
	*slot = sim_hidden_slot_make(0, 1);
	ok(!sim_pt_hidden_ok(m), "a slot naming the wrong CPU: caught");
	*slot = sim_hidden_slot_make(1, 2);
	ok(!sim_pt_hidden_ok(m), "a slot naming the wrong index: caught");
	*slot = keep;
	m->nr_hidden++;
	ok(!sim_pt_hidden_ok(m), "a total one too many: caught");
	m->nr_hidden--;
	m->hidden_stage2[1]--;
	ok(!sim_pt_hidden_ok(m), "a stage tally one short: caught");
	m->hidden_stage2[1]++;
	m->hidden_len[0] = m->hidden_cap[0] + 1;
	ok(!sim_pt_hidden_ok(m), "an array longer than its room: caught");
	m->hidden_len[0] = 0;
	ok(sim_pt_hidden_ok(m), "all put back: sound again");
	sim_pt_publish(1);
	sim_pt_sync(1);
}

static void test_corrupt(void)
{
	struct simtest t;

	simtest_init(&t, "arm64", "7.1", 2, false, NULL);
	want_cpu = 1;
	sim_spawn(t.m, "corrupt", 1, corrupt_task, NULL);
	sim_run(t.m);
	ok(!t.m->error[0], "the corrupting task ran to its end");
	simtest_fini(&t);
}

/* ---- arrays kept between machines ----------------------------------------- */

static pte_t *kept_ptep;

/*
 * Three stores hidden on CPU @arg, left hidden: the machine ends so. On a
 * machine built on kept arrays, every walker sees the entries' memory
 * before (no stale entry of the last machine's counts).
 */
static void leave_hidden_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = sim_walk(&m->init_mm, KADDR, 0, true);
	int cpu = (int)(long)arg;
	bool clear = true;

	for (int i = 0; i < 3; i++)
		for (int v = 0; v < 2; v++)
			clear &= !sim_pt_walker_read(ptep + 8 * cpu + i, v);
	ok(clear,
	   "CPU %d: every walker sees its entries empty before its "
	   "stores",
	   cpu);
	kept_ptep = ptep;

	for (int i = 0; i < 3; i++)
		sim_pt_write(ptep + 8 * cpu + i,
			     pfn_pte(alloc_page(GFP_KERNEL), PAGE_KERNEL),
			     KADDR + (unsigned long)(8 * cpu + i) * PAGE_SIZE,
			     SIM_PT_DEFERRED);
}

static void test_kept(void)
{
	struct simtest t;
	struct sim_hidden *arr[2];
	bool same = true;

	simtest_init(&t, "arm64", "7.1", 2, false, NULL);
	sim_spawn(t.m, "leave0", 0, leave_hidden_task, (void *)0L);
	sim_spawn(t.m, "leave1", 1, leave_hidden_task, (void *)1L);
	sim_run(t.m);
	ok(t.m->nr_hidden == 6 && t.m->hidden_len[0] == 3 &&
		   t.m->hidden_len[1] == 3,
	   "the first machine ends with three stores hidden on each CPU");
	arr[0] = t.m->hidden[0];
	arr[1] = t.m->hidden[1];
	simtest_fini(&t);

	/* the next machine: the same arrays, nothing in them counted */
	simtest_init(&t, "arm64", "7.1", 2, false, NULL);
	for (int c = 0; c < 2; c++)
		same &= t.m->hidden[c] == arr[c] && !t.m->hidden_len[c] &&
			t.m->hidden[c][0].ptep; /* the stale entry, not read */
	ok(same && !t.m->nr_hidden && sim_pt_hidden_ok(t.m),
	   "the next machine has both arrays, empty (their old entries "
	   "there, not counted)");
	sim_spawn(t.m, "leave0", 0, leave_hidden_task, (void *)0L);
	sim_spawn(t.m, "leave1", 1, leave_hidden_task, (void *)1L);
	sim_run(t.m);
	ok(t.m->nr_hidden == 6 && t.m->hidden_len[0] == 3 &&
		   t.m->hidden_len[1] == 3 && sim_pt_hidden_ok(t.m) &&
		   t.m->hidden[1][0].ptep == kept_ptep + 8 &&
		   t.m->hidden[0][2].ptep == kept_ptep + 2 &&
		   sim_pt_walker_see(t.m, kept_ptep + 8, 1) == 0,
	   "its run fills them from index 0 again, sound");
	simtest_fini(&t);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_seed(argc, argv, 1);

	test_lists(seed);
	test_reset(seed);
	test_order();
	test_restore();
	test_corrupt();
	test_kept();
	return tap_done();
}
