// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * What issue 7's fifth round (cost per write flat from 2 to 16 CPUs)
 * added to the machine, each checked where it could go wrong:
 *
 *  - a data access's walk reads memory while stores are hidden elsewhere,
 *    and takes the walker's view (access_fast_hidden()) as soon as a table
 *    on its way, at any level, holds a hidden entry;
 *  - a CPU's dsb publishes its own stores by advancing its epoch: each
 *    of them, and none of another CPU's, nor one it stores again after;
 *  - each of 16 tasks in a row starts its stack at its own offset in the
 *    host's cache sets (the same frames land 256 bytes apart);
 *  - host memory kept from a destroyed machine for the next (task stacks,
 *    the CPUs' arrays of hidden stores) goes to one machine at a time, and
 *    a run on kept memory is the run on fresh memory.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "mm/mm.h"
#include "simtest.h"

static struct simtest T;

#define KADDR (VMALLOC_START + 0x40000000UL)
/* the next 2 MiB: its own PTE table, the same pmd table as KADDR */
#define KADDR2 (KADDR + PTE_TABLE_SPAN)

/* ---- the access's walk and hidden stores -------------------------------- */

static void walk_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long x = alloc_page(GFP_KERNEL), y = alloc_page(GFP_KERNEL);
	unsigned long other = alloc_page(GFP_KERNEL);
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	pte_t *ptep2 = pte_offset_kernel_alloc(KADDR2);
	pte_t *pmdp = sim_walk(&m->init_mm, KADDR2, 1, false);
	unsigned int bad;
	pte_t e;

	(void)arg;
	sim_phys_write(x << PAGE_SHIFT, 0x1111);
	sim_phys_write(y << PAGE_SHIFT, 0x2222);
	sim_pt_write(ptep, pfn_pte(x, PAGE_KERNEL), KADDR, SIM_PT_SEEN);
	sim_pt_write(ptep2, pfn_pte(x, PAGE_KERNEL), KADDR2, SIM_PT_SEEN);
	sim_pt_publish(0);
	sim_pt_sync(0);
	/* the leaf path is what is tested: its conditions hold */
	ok(m->translate_inline && !m->nr_hidden && pmdp &&
		   sim_table_of(*pmdp) == ptep2 - pt_index(KADDR2, 0),
	   "set up: two PTE tables under one pmd table, nothing hidden, "
	   "the inline path on");

	/*
	 * A hidden store elsewhere in the walked PTE table (KADDR's
	 * neighbour): the walk goes the walker's way and finds what memory
	 * holds at KADDR, the new value being seen by every walker.
	 */
	sim_pt_write(ptep + 1, pfn_pte(other, PAGE_KERNEL), KADDR + PAGE_SIZE,
		     SIM_PT_DEFERRED);
	sim_tlb_inval_all(-1);
	ok(m->nr_hidden == 1 && sim_load(KADDR) == 0x1111,
	   "a hidden entry beside the walked one: the walk sees memory");

	/*
	 * The walked PTE itself hidden (stage 2, this CPU's own store): the
	 * walker still sees x, though memory holds y.
	 */
	sim_pt_write(ptep, pfn_pte(y, PAGE_KERNEL), KADDR, SIM_PT_DEFERRED);
	sim_tlb_inval_all(-1);
	ok(ptep_get(ptep) == pfn_pte(y, PAGE_KERNEL) &&
		   sim_load(KADDR) == 0x1111,
	   "the walked PTE hidden: the walk sees the old entry (x, 0x1111), "
	   "not memory's (y)");
	sim_pt_publish(0);
	sim_pt_sync(0);
	sim_tlb_inval_all(-1);
	ok(!m->nr_hidden && sim_load(KADDR) == 0x2222,
	   "published and synchronised: the walk sees y (0x2222)");

	/*
	 * A hidden pmd entry: KADDR2's table entry stored again, its old
	 * value 0 (no table) hidden from walkers. The PTE table below holds
	 * no hidden entry, so only the upper level's count can say that the
	 * walk must not read memory: the walker sees no table and faults.
	 */
	e = *pmdp;
	sim_pt_write(pmdp, 0, KADDR2, SIM_PT_SEEN);
	sim_pt_write(pmdp, e, KADDR2, SIM_PT_DEFERRED);
	sim_tlb_inval_all(-1);
	bad = (unsigned int)findings(m, "bad-access");
	ok(*pmdp == e && sim_load(KADDR2) == 0 &&
		   findings(m, "bad-access") == (int)bad + 1,
	   "a hidden pmd entry (old: none): the walk faults, a bad-access "
	   "finding, and the load reads nothing");
	sim_pt_publish(0);
	sim_pt_sync(0);
	sim_tlb_inval_all(-1);
	ok(!m->nr_hidden && sim_load(KADDR2) == 0x1111,
	   "published and synchronised: the walk reaches x (0x1111)");
}

static void test_walk(void)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 2);

	diag("the access's walk and hidden stores");
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "walk", 0, walk_task, NULL);
	sim_run(T.m);
	ok(!T.m->error[0], "the run ends without a machine error (%s)",
	   T.m->error);
	simtest_fini(&T);
}

/* ---- a dsb's publish by epoch ------------------------------------------- */

static pte_t *epoch_ptep;
static pte_t epoch_val;

/* What CPU @cpu's walker sees at entry @i of the test's table. */
static pte_t seen(int i, int cpu)
{
	return sim_pt_walker_read(epoch_ptep + i, cpu);
}

/* CPU1: a store to entry 2, then back to CPU0 (the steering policy). */
static void epoch_cpu1_task(void *arg)
{
	(void)arg;
	sim_pt_write(epoch_ptep + 2, epoch_val, KADDR + 2 * PAGE_SIZE,
		     SIM_PT_DEFERRED);
	run_on(0);
}

static void epoch_cpu0_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t v;

	(void)arg;
	epoch_ptep = pte_offset_kernel_alloc(KADDR);
	v = epoch_val = pfn_pte(alloc_page(GFP_KERNEL), PAGE_KERNEL);
	run_on(1); /* CPU1 stores first */
	sim_pt_write(epoch_ptep, v, KADDR, SIM_PT_DEFERRED);
	sim_pt_write(epoch_ptep + 1, v, KADDR + PAGE_SIZE, SIM_PT_DEFERRED);
	ok(m->nr_hidden == 3 && m->hidden_stage2[0] == 2 &&
		   m->hidden_stage2[1] == 1 && !seen(0, 1) && !seen(2, 0),
	   "three stores hidden from every walker: two of CPU0, one of CPU1");
	sim_pt_publish(0);
	ok(seen(0, 1) == v && seen(1, 1) == v && !seen(0, 0) && !seen(1, 0) &&
		   !seen(2, 0) && !seen(2, 1) && m->hidden_stage1[0] == 2 &&
		   m->hidden_stage2[0] == 0 && m->hidden_stage2[1] == 1 &&
		   sim_pt_hidden_ok(m),
	   "CPU0's dsb: its two stores seen by CPU1's walker, not its own; "
	   "CPU1's store still hidden from both; tallies agree");
	sim_pt_write(epoch_ptep, v, KADDR, SIM_PT_DEFERRED);
	ok(!seen(0, 1) && seen(1, 1) == v && m->hidden_stage2[0] == 1 &&
		   m->hidden_stage1[0] == 1 && sim_pt_hidden_ok(m),
	   "entry 0 stored again after the dsb: hidden from every walker "
	   "again, entry 1 still published");
	sim_pt_publish(0);
	sim_pt_sync(0);
	ok(seen(0, 0) == v && seen(1, 0) == v && !seen(2, 0) &&
		   m->nr_hidden == 1 && sim_pt_hidden_ok(m),
	   "a second dsb and an isb: CPU0's stores seen everywhere, CPU1's "
	   "still hidden");
	sim_pt_publish(1);
	sim_pt_sync(1);
	ok(!m->nr_hidden && seen(2, 0) == v && seen(2, 1) == v,
	   "CPU1's dsb and isb: all seen");
}

static void test_publish_epoch(void)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 2);

	diag("a dsb's publish by epoch");
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "epoch0", 0, epoch_cpu0_task, NULL);
	sim_spawn(T.m, "epoch1", 1, epoch_cpu1_task, NULL);
	sim_run(T.m);
	ok(!T.m->error[0], "the run ends without a machine error (%s)",
	   T.m->error);
	simtest_fini(&T);
}

/* ---- stack colours ------------------------------------------------------ */

#define NR_COLOUR_TASKS 17
static uintptr_t frame_at[NR_COLOUR_TASKS];

static void colour_task(void *arg)
{
	/* the same call chain in every task: only the stack's start differs */
	frame_at[(long)arg] = (uintptr_t)__builtin_frame_address(0);
}

static void test_stack_colours(void)
{
	struct sim_options opt = simtest_options("generic", "7.0", 1);
	unsigned int distinct = 0;

	diag("stack colours");
	simtest_init_opt(&T, &opt);
	for (long i = 0; i < NR_COLOUR_TASKS; i++)
		sim_spawn(T.m, "colour", 0, colour_task, (void *)i);
	sim_run(T.m);
	for (int i = 0; i < 16; i++) {
		bool seen = false;

		for (int j = 0; j < i; j++)
			seen |= (frame_at[i] & 4095) == (frame_at[j] & 4095);
		distinct += !seen;
	}
	/* 16 colours 256 bytes apart: 16 offsets in a 4 KiB page */
	ok(distinct == 16,
	   "16 tasks in a row: their frames at 16 offsets in a page (%u)",
	   distinct);
	ok((frame_at[16] & 4095) == (frame_at[0] & 4095) &&
		   frame_at[1] % 4096 + 256 == frame_at[0] % 4096,
	   "the 17th task takes the first one's colour; the second's frame "
	   "is 256 bytes below the first's");
	simtest_fini(&T);
}

/* ---- host memory kept between machines ---------------------------------- */

struct kept_run {
	uint64_t points, pte_writes, choices;
	uintptr_t hidden[4]; /* each CPU's array of hidden stores */
	uint32_t hidden_cap[4];
	unsigned int findings;
};

static void vmalloc_run(struct kept_run *k)
{
	const struct lmm_workload *wl = lmm_workload_find("vmalloc");
	struct sim_options opt = simtest_options("arm64", "7.0", 4);
	struct lmm_workload_params params = { .pages = 700 };

	opt.policy = sim_policy_random(11, 200, 2, 1);
	opt.irq_handler = wl->irq;
	opt.irq_arg = &params;
	simtest_init_opt(&T, &opt);
	for (int c = 0; c < 4; c++)
		sim_spawn(T.m, "vmalloc", c, wl->task, &params);
	sim_run(T.m);
	k->points = T.m->points;
	k->pte_writes = stat(&T, SIM_STAT_pte_writes);
	k->choices = T.m->nr_choices;
	k->findings = (unsigned int)T.m->nr_findings;
	for (int c = 0; c < 4; c++) {
		k->hidden[c] = (uintptr_t)T.m->hidden[c];
		k->hidden_cap[c] = T.m->hidden_cap[c];
	}
	simtest_fini(&T);
}

static bool stacks_distinct(struct sim_machine *const *ms, int n)
{
	for (int a = 0; a < n; a++)
		for (size_t i = 0; i < ms[a]->nr_task_structs; i++)
			for (int b = 0; b < n; b++)
				for (size_t j = 0; j < ms[b]->nr_task_structs;
				     j++)
					if ((a != b || i != j) &&
					    ms[a]->tasks[i]->stack ==
						    ms[b]->tasks[j]->stack)
						return false;
	return true;
}

static void test_kept_memory(void)
{
	struct kept_run one, two;
	struct sim_machine *ms[3];
	bool kept = true;
	struct sim_options opt = simtest_options("generic", "7.0", 2);

	diag("host memory kept between machines");
	vmalloc_run(&one);
	vmalloc_run(&two);
	/*
	 * The first run's arrays (each grown past its first 64 entries to
	 * hold its CPU's sections of 700 pages) are the second's, CPU by CPU.
	 */
	for (int c = 0; c < 4; c++)
		kept &= one.hidden_cap[c] > 64 &&
			two.hidden[c] == one.hidden[c] &&
			two.hidden_cap[c] == one.hidden_cap[c];
	ok(kept,
	   "the second machine ran on the first one's arrays of hidden "
	   "stores (CPU 0's capacity %u)",
	   one.hidden_cap[0]);
	ok(one.points == two.points && one.pte_writes == two.pte_writes &&
		   one.choices == two.choices && one.findings == two.findings &&
		   one.pte_writes > 2 * 4 * 700,
	   "and ran the same run: %llu points, %llu PTE writes",
	   (unsigned long long)two.points, (unsigned long long)two.pte_writes);

	/* three machines alive at once, from kept memory: none shares */
	for (int i = 0; i < 3; i++) {
		ms[i] = sim_create(&opt);
		for (int c = 0; c < 2; c++)
			sim_spawn(ms[i], "idle", c, colour_task, (void *)0L);
	}
	ok(stacks_distinct(ms, 3) && ms[0]->hidden_cap[0] &&
		   ms[0]->hidden_cap[1] && !ms[1]->hidden_cap[0] &&
		   !ms[1]->hidden_cap[1] && !ms[2]->hidden_cap[0] &&
		   !ms[2]->hidden_cap[1] && !ms[0]->hidden_cap[2],
	   "three machines at once: six stacks, all different; the kept "
	   "arrays of CPUs 0 and 1 go to the first only (2 CPUs: none for "
	   "CPU 2)");
	for (int i = 0; i < 3; i++) {
		sim_run(ms[i]);
		sim_destroy(ms[i]);
	}
}

int main(void)
{
	test_walk();
	test_publish_epoch();
	test_stack_colours();
	test_kept_memory();
	return tap_done();
}
