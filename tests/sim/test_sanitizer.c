// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Sanitizer findings that no model bug of the shipped models gives, checked
 * with fixtures that cause them on purpose: an interrupt handler that
 * returns with the interrupted task's lazy state changed (state-leak), and
 * an access through a TLB entry that survived its frame's free because
 * nobody flushed (stale-tlb). Each with its clean counterpart.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "simtest.h"

#define KADDR (VMALLOC_START + 0x40000000UL)

static struct simtest T;

/*
 * A broken handler: what a generic layer without its in_interrupt() check
 * (9273dfaeaca8) would do, an enable counted on the interrupted task.
 */
static void leaky_handler(void *arg)
{
	(void)arg;
	current->lazy_mmu_state.enable_count++;
}

/* A correct one: its calls are no-ops in interrupt context. */
static void clean_handler(void *arg)
{
	(void)arg;
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
}

static void irq_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	bool leaky = arg != NULL;

	lazy_mmu_mode_enable();
	want_irq = true;
	sim_sched_point();
	ok(stat(&T, SIM_STAT_interrupts) == 1, "%s handler: the interrupt ran",
	   leaky ? "leaky" : "clean");
	if (leaky) {
		ok(findings(m, "state-leak") == 1 &&
			   strstr(finding_text(m, "state-leak"),
				  "interrupt handler changed"),
		   "leaky handler: state-leak at the interrupt's return: %s",
		   finding_text(m, "state-leak"));
		current->lazy_mmu_state.enable_count--;
	} else {
		ok(findings(m, "state-leak") == 0,
		   "clean handler: no state-leak (%s)",
		   finding_text(m, "state-leak"));
	}
	lazy_mmu_mode_disable();
}

/*
 * Unmap a kernel page, free its frame, access the address again. Without a
 * TLB flush between the unmap and the free, the CPU's TLB still translates
 * to the freed frame: stale-tlb. With the flush the access faults instead.
 */
static void stale_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	bool flush = arg != NULL;
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	unsigned long pfn = alloc_page(GFP_KERNEL);
	const char *how = flush ? "flushed" : "not flushed";

	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	sim_store(KADDR, 42); /* the TLB now holds the translation */
	ptep_get_and_clear(&m->init_mm, KADDR, ptep);
	if (flush)
		flush_tlb_kernel_range(KADDR, KADDR + PAGE_SIZE);
	__free_page(pfn);
	ok(findings(m, "stale-tlb") == 0, "%s: no finding before the access",
	   how);
	if (!flush) {
		sim_load(KADDR);
		ok(findings(m, "stale-tlb") == 1 &&
			   strstr(finding_text(m, "stale-tlb"),
				  "after it was freed"),
		   "%s: the access through the TLB reached the freed frame: "
		   "stale-tlb: %s",
		   how, finding_text(m, "stale-tlb"));
	}
}

int main(void)
{
	static int yes = 1;
	static const char *const kernels[] = { "6.16", "7.0" };

	for (int k = 0; k < 2; k++) {
		diag("arm64 %s, leaky and clean interrupt handlers",
		     kernels[k]);
		simtest_init(&T, "arm64", kernels[k], 1, false, leaky_handler);
		sim_spawn(T.m, "leaky", 0, irq_task, &yes);
		sim_run(T.m);
		simtest_fini(&T);
		simtest_init(&T, "arm64", kernels[k], 1, false, clean_handler);
		sim_spawn(T.m, "clean", 0, irq_task, NULL);
		sim_run(T.m);
		ok(T.m->nr_findings == 0, "clean handler: no finding at all");
		simtest_fini(&T);
	}

	diag("generic 7.0, a free without a TLB flush");
	simtest_init(&T, "generic", "7.0", 1, false, NULL);
	sim_spawn(T.m, "stale", 0, stale_task, NULL);
	sim_run(T.m);
	simtest_fini(&T);
	simtest_init(&T, "generic", "7.0", 1, false, NULL);
	sim_spawn(T.m, "flushed", 0, stale_task, &yes);
	sim_run(T.m);
	ok(T.m->nr_findings == 0, "flushed: no finding at all");
	simtest_fini(&T);
	return tap_done();
}
