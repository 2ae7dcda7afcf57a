// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The machine: page tables, the walker's view of hidden entries, TLBs,
 * the page allocator and DEBUG_PAGEALLOC, tasks and the scheduler,
 * determinism.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "simtest.h"

static struct simtest T;

#define KADDR (VMALLOC_START + 0x40000000UL)

/* ---- page tables and the walker ------------------------------------------- */

static void pgtable_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long before = m->nr_free, pfn;
	pte_t *ptep, *again;

	(void)arg;
	ptep = sim_walk(&m->init_mm, KADDR, 0, true);
	ok(ptep != NULL, "sim_walk allocates the tables for a fresh address");
	ok(before - m->nr_free == 2,
	   "two tables (pmd, pte) were allocated; the pgd entry of the "
	   "vmalloc area (the kernel image's) exists from boot (%lu)",
	   before - m->nr_free);
	again = sim_walk(&m->init_mm, KADDR + PAGE_SIZE, 0, true);
	ok(again == ptep + 1 && before - m->nr_free == 2,
	   "the next address shares the PTE table, nothing allocated");
	ok(sim_walk(&m->init_mm, KADDR + (1UL << 30), 0, false) == NULL,
	   "a walk without allocation stops at a missing table");
	ok(sim_page_flags(sim_ptep_pfn(ptep)) & PG_pgtable,
	   "table frames are marked PG_pgtable");

	pfn = alloc_page(GFP_KERNEL);
	sim_pt_write(ptep, pfn_pte(pfn, PAGE_KERNEL), KADDR, SIM_PT_DEFERRED);
	ok(sim_pt_walker_read(ptep, 0) == 0 && sim_pt_walker_read(ptep, 1) == 0,
	   "a hidden store is seen by no walker");
	ok(ptep_get(ptep) == pfn_pte(pfn, PAGE_KERNEL),
	   "the kernel reads what it wrote");
	sim_pt_publish(0);
	ok(sim_pt_walker_read(ptep, 1) == pfn_pte(pfn, PAGE_KERNEL) &&
		   sim_pt_walker_read(ptep, 0) == 0,
	   "published: other CPUs' walkers see it, the writer's does not");
	sim_pt_sync(0);
	ok(sim_pt_walker_read(ptep, 0) == pfn_pte(pfn, PAGE_KERNEL) &&
		   m->nr_hidden == 0,
	   "synchronised: every walker sees it, nothing hidden");
	ok(pfn_to_page(sim_ptep_pfn(ptep))->nr_hidden == 0,
	   "the table's hidden count is back to 0");
}

/* ---- TLBs ---------------------------------------------------------------------- */

static void tlb_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long x = alloc_page(GFP_KERNEL), y = alloc_page(GFP_KERNEL);
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	uint64_t faults;

	(void)arg;
	sim_phys_write(x << PAGE_SHIFT, 0x1111);
	sim_phys_write(y << PAGE_SHIFT, 0x2222);
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(x, PAGE_KERNEL));
	ok(sim_load(KADDR) == 0x1111, "a load translates through the table");
	sim_pt_write(ptep, pfn_pte(y, PAGE_KERNEL), KADDR, SIM_PT_SEEN);
	ok(sim_load(KADDR) == 0x1111,
	   "without a flush the TLB keeps the old translation");
	sim_tlb_inval_page(-1, KADDR, TLB_ASID_ALL);
	ok(sim_load(KADDR) == 0x2222, "after invalidation the new one is used");

	/* FIFO eviction at capacity 4 */
	for (int i = 1; i <= 4; i++) {
		pte_t *p = pte_offset_kernel_alloc(KADDR + i * PAGE_SIZE);

		set_pte_at(&m->init_mm, KADDR + i * PAGE_SIZE, p,
			   pfn_pte(x, PAGE_KERNEL));
		sim_load(KADDR + i * PAGE_SIZE);
	}
	sim_pt_write(ptep, pfn_pte(x, PAGE_KERNEL), KADDR, SIM_PT_SEEN);
	ok(sim_load(KADDR) == 0x1111,
	   "the oldest entry was evicted: a fresh walk sees the change");

	/* a missing translation is a fault and a finding */
	faults = stat(&T, SIM_STAT_faults);
	sim_pt_write(ptep, 0, KADDR, SIM_PT_SEEN);
	sim_tlb_inval_all(-1);
	sim_load(KADDR);
	ok(stat(&T, SIM_STAT_faults) == faults + 1 &&
		   findings(m, "bad-access") == 1,
	   "a load through an invalid entry faults and is reported");
}

static void asid_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *a = sim_mm_alloc("a"), *b = sim_mm_alloc("b");
	unsigned long x = alloc_page(GFP_KERNEL), y = alloc_page(GFP_KERNEL);
	unsigned long ua = 0x400000;

	(void)arg;
	sim_phys_write(x << PAGE_SHIFT, 0xa);
	sim_phys_write(y << PAGE_SHIFT, 0xb);
	set_pte_at(a, ua, sim_walk(a, ua, 0, true), pfn_pte(x, PAGE_USER_RW));
	set_pte_at(b, ua, sim_walk(b, ua, 0, true), pfn_pte(y, PAGE_USER_RW));
	ok(a->asid != b->asid && a->asid != 0, "each mm has its own ASID");
	current->mm = a;
	ok(sim_load(ua) == 0xa, "mm a sees its page");
	current->mm = b;
	ok(sim_load(ua) == 0xb,
	   "mm b at the same address: the TLB entry of a does not match");
	current->mm = &m->init_mm;
	kfree(a);
	kfree(b);
}

/* Random eviction: the policy names the victim (here: always the last). */
static unsigned int last_slot_choose(struct sim_policy *p, enum sim_choice what,
				     unsigned int n, unsigned int cur,
				     uint32_t allowed)
{
	(void)p;
	if (what == SIM_CHOOSE_EVICT)
		return n - 1;
	return what == SIM_CHOOSE_CPU ?
		       sim_set_nth(allowed, sim_set_rank(allowed, cur)) :
		       0;
}

static struct sim_policy last_slot_policy = { .choose = last_slot_choose };

static void evict_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long x = alloc_page(GFP_KERNEL), y = alloc_page(GFP_KERNEL);

	(void)arg;
	sim_phys_write(x << PAGE_SHIFT, 0x1111);
	sim_phys_write(y << PAGE_SHIFT, 0x2222);
	for (int i = 0; i < 5; i++) {
		unsigned long a = KADDR + i * PAGE_SIZE;

		set_pte_at(&m->init_mm, a, pte_offset_kernel_alloc(a),
			   pfn_pte(x, PAGE_KERNEL));
		sim_load(a);
	}
	/* pages 0..3 filled slots 0..3; page 4 replaced slot 3 (page 3) */
	for (int i = 0; i < 5; i++) {
		unsigned long a = KADDR + i * PAGE_SIZE;

		sim_pt_write(sim_walk(&m->init_mm, a, 0, false),
			     pfn_pte(y, PAGE_KERNEL), a, SIM_PT_SEEN);
	}
	ok(sim_load(KADDR) == 0x1111 &&
		   sim_load(KADDR + 4 * PAGE_SIZE) == 0x1111,
	   "random eviction: pages 0 and 4 still cached");
	ok(sim_load(KADDR + 3 * PAGE_SIZE) == 0x2222,
	   "random eviction: the policy's victim (page 3) was replaced");
}

/* ---- the page allocator and DEBUG_PAGEALLOC ------------------------------------ */

static void alloc_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long nr_free = m->nr_free, pfn;

	(void)arg;
	pfn = alloc_page(GFP_KERNEL);
	ok(pfn && m->nr_free == nr_free - 1 && !sim_frame_free(pfn),
	   "alloc_page takes a free frame");
	sim_store(sim_linear_addr(pfn), 42);
	ok(sim_load(sim_linear_addr(pfn)) == 42,
	   "the frame is mapped in the linear map");
	__free_page(pfn);
	ok(m->nr_free == nr_free && sim_frame_free(pfn),
	   "__free_page returns it");
	__free_page(pfn);
	ok(findings(m, "bad-page") == 1, "a double free is reported");
	ok(m->nr_free == nr_free, "and changes nothing");
	sim_tlb_inval_all(-1);
	sim_load(sim_linear_addr(pfn));
	ok(findings(m, "bad-access") == 1,
	   "DEBUG_PAGEALLOC: a freed page is unmapped from the linear map");
}

/* ---- tasks, preemption, determinism --------------------------------------------- */

static int steps[4];

static void counting_task(void *arg)
{
	int id = (int)(long)arg;

	for (int i = 0; i < 1000; i++) {
		steps[id]++;
		sim_sched_point();
	}
}

struct trace_obs {
	uint64_t hash;
	unsigned long events;
};

static void trace_event(void *priv, const struct sim_event *ev)
{
	struct trace_obs *t = priv;

	t->hash = (t->hash ^ (uint64_t)(ev->type * 31 + ev->cpu * 7 +
					(ev->task ? ev->task->pid : 0))) *
		  0x100000001b3ULL;
	t->events++;
}

static void churn_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		unsigned long pfn = alloc_page(GFP_KERNEL);

		sim_store(sim_linear_addr(pfn), (uint64_t)i);
		__free_page(pfn);
	}
}

/* One random run of 4 churning tasks on 2 CPUs: a hash of its events. */
static uint64_t random_run(uint64_t seed, unsigned long *events)
{
	struct sim_options opt = { 0 };
	struct trace_obs t = { .hash = 0xcbf29ce484222325ULL };
	struct sim_observer o = { .event = trace_event, .priv = &t };
	struct sim_machine *m;

	opt.arch = sim_arch_find("arm64", "7.0");
	opt.lazy = opt.arch->lazy;
	opt.nr_cpus = 2;
	opt.nr_frames = 2048;
	opt.debug_pagealloc = true;
	opt.policy = sim_policy_random(seed, 300, 50, 0);
	m = sim_create(&opt);
	sim_add_observer(m, &o);
	for (long i = 0; i < 4; i++)
		sim_spawn(m, "churn", -1, churn_task, NULL);
	sim_run(m);
	*events = t.events;
	sim_destroy(m);
	return t.hash;
}

static void run_task_test(const char *name, void (*fn)(void *), bool dpa,
			  unsigned int tlb)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 2);

	diag("%s", name);
	opt.debug_pagealloc = dpa;
	opt.tlb_entries = tlb;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, name, 0, fn, NULL);
	sim_run(T.m);
	simtest_fini(&T);
}

int main(void)
{
	unsigned long e1, e2, e3;
	uint64_t h1, h2, h3;

	run_task_test("pgtable", pgtable_task, false, 0);
	run_task_test("tlb", tlb_task, false, 4);
	run_task_test("asid", asid_task, false, 0);
	{
		struct sim_options opt = simtest_options("arm64", "7.0", 1);

		opt.tlb_entries = 4;
		opt.tlb_random_evict = true;
		opt.policy = &last_slot_policy;
		simtest_init_opt(&T, &opt);
		sim_spawn(T.m, "evict", 0, evict_task, NULL);
		sim_run(T.m);
		simtest_fini(&T);
	}
	run_task_test("alloc", alloc_task, true, 0);

	/* preemption: 3 tasks on one CPU, switched at random */
	{
		struct sim_options opt = { 0 };
		struct sim_machine *m;

		opt.arch = sim_arch_find("generic", "7.0");
		opt.nr_cpus = 1;
		opt.policy = sim_policy_random(7, 0, 100, 0);
		m = sim_create(&opt);
		memset(steps, 0, sizeof(steps));
		for (long i = 0; i < 3; i++)
			sim_spawn(m, "count", 0, counting_task, (void *)i);
		sim_run(m);
		ok(steps[0] == 1000 && steps[1] == 1000 && steps[2] == 1000,
		   "three preempted tasks on one CPU all run to completion");
		ok(m->nr_live == 0, "no task left alive");
		sim_destroy(m);
	}
	/* 4 CPUs, round-robin */
	{
		struct sim_options opt = { 0 };
		struct sim_machine *m;

		opt.arch = sim_arch_find("generic", "7.0");
		opt.nr_cpus = 4;
		m = sim_create(&opt);
		memset(steps, 0, sizeof(steps));
		for (long i = 0; i < 4; i++)
			sim_spawn(m, "count", (int)i, counting_task, (void *)i);
		sim_run(m);
		ok(steps[0] + steps[1] + steps[2] + steps[3] == 4000,
		   "four CPUs round-robin: every task completes");
		sim_destroy(m);
	}

	h1 = random_run(1, &e1);
	h2 = random_run(1, &e2);
	h3 = random_run(2, &e3);
	ok(h1 == h2 && e1 == e2,
	   "same seed, same run: %lu events, hash %016llx both times", e1,
	   (unsigned long long)h1);
	ok(h1 != h3, "another seed, another interleaving (%016llx vs %016llx)",
	   (unsigned long long)h1, (unsigned long long)h3);
	return tap_done();
}
