// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * What issue 7's fifth round (cost per write flat from 2 to 16 CPUs)
 * added to the machine, each checked where it could go wrong:
 *
 *  - a data access's walk reads memory while stores are hidden elsewhere,
 *    and takes the walker's view (access_fast_hidden()) as soon as a table
 *    on its way, at any level, holds a hidden entry.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
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

int main(void)
{
	test_walk();
	return tap_done();
}
