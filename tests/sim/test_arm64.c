// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The arm64 model, one fixture per kernel version (6.16, 7.0): when a
 * kernel entry becomes visible to walkers, what a lazy section defers and
 * when it is paid, interrupts, context switch, nesting under
 * DEBUG_PAGEALLOC, and the sanitizer's findings.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "simtest.h"

static struct simtest T;
static const char *kver;

#define KADDR (VMALLOC_START + 0x40000000UL)

/* The last barrier instruction the machine executed. */
static const char *last_barrier = "";

static void watch_barriers(void *priv, const struct sim_event *ev)
{
	(void)priv;
	if (ev->type == SIM_EV_BARRIER)
		last_barrier = ev->what;
}

static unsigned long page_at(unsigned long addr, pte_t **ptep)
{
	unsigned long pfn = alloc_page(GFP_KERNEL);

	*ptep = pte_offset_kernel_alloc(addr);
	sim_phys_write(pfn << PAGE_SHIFT, addr);
	return pfn;
}

/* Outside a section a valid kernel store is followed by dsb+isb at once. */
static void immediate_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = page_at(KADDR, &ptep);
	uint64_t b = stat(&T, SIM_STAT_barriers);
	struct mm_struct *mm;

	(void)arg;
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	ok(stat(&T, SIM_STAT_barriers) == b + 2,
	   "%s: outside a section, dsb ishst + isb at once", kver);
	ok(sim_load(KADDR) == KADDR && stat(&T, SIM_STAT_faults) == 0,
	   "%s: the entry is usable at once", kver);

	mm = sim_mm_alloc("user");
	ptep = sim_walk(mm, 0x400000, 0, true);
	b = stat(&T, SIM_STAT_barriers);
	set_pte_at(mm, 0x400000, ptep, pfn_pte(pfn, PAGE_USER_RW));
	ok(stat(&T, SIM_STAT_barriers) == b,
	   "%s: a user PTE store needs no barriers", kver);
	kfree(mm);
}

/* Inside a section the barriers are owed; an access before they are paid. */
static void deferred_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *p1, *p2;
	unsigned long f1 = page_at(KADDR, &p1),
		      f2 = page_at(KADDR + PAGE_SIZE, &p2);
	uint64_t b = stat(&T, SIM_STAT_barriers);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, p1, pfn_pte(f1, PAGE_KERNEL));
	set_pte_at(&m->init_mm, KADDR + PAGE_SIZE, p2,
		   pfn_pte(f2, PAGE_KERNEL));
	ok(stat(&T, SIM_STAT_barriers) == b,
	   "%s: in a section, no barrier for two stores", kver);
	ok(test_thread_flag(TIF_LAZY_MMU_PENDING),
	   "%s: TIF_LAZY_MMU_PENDING records what is owed", kver);
	/*
	 * No dsb completed the stores: the fault handler's AT walk need not
	 * see them (is_spurious_el1_translation_fault()), so the fault is
	 * real, an oops, not a spurious fault the kernel retries.
	 */
	ok(sim_load(KADDR) == 0 && stat(&T, SIM_STAT_faults) == 1 &&
		   stat(&T, SIM_STAT_spurious_faults) == 0 &&
		   findings(m, "bad-access") == 1,
	   "%s: an access before any dsb faults for real (%s)", kver,
	   finding_text(m, "bad-access"));
	ok(findings(m, "deferred-access") == 1 &&
		   strstr(finding_text(m, "deferred-access"),
			  "deferred_task") &&
		   strstr(finding_text(m, "deferred-access"), "an oops"),
	   "%s: deferred-access names the section's opener: %s", kver,
	   finding_text(m, "deferred-access"));
	lazy_mmu_mode_disable();
	ok(stat(&T, SIM_STAT_barriers) == b + 2 &&
		   stat(&T, SIM_STAT_batch_flushes) == 1,
	   "%s: disable pays one dsb+isb for both stores", kver);
	ok(!test_thread_flag(TIF_LAZY_MMU_PENDING),
	   "%s: nothing owed after disable", kver);
	ok(sim_load(KADDR + PAGE_SIZE) == KADDR + PAGE_SIZE &&
		   stat(&T, SIM_STAT_faults) == 1,
	   "%s: after disable, an access does not fault", kver);
}

/* Another CPU before the writer's dsb; the writer's CPU before its isb. */
static int step;

static void writer_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = page_at(KADDR, &ptep);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	step = 1;
	run_on(1); /* reader: access before any barrier */
	sim_barrier("dsb ishst");
	sim_pt_publish(0);
	step = 2;
	run_on(1); /* reader: access after the dsb */
	sim_load(KADDR);
	ok(stat(&T, SIM_STAT_faults) == 2 &&
		   stat(&T, SIM_STAT_spurious_faults) == 1,
	   "%s: the writer's own CPU still faults after dsb, before isb: a "
	   "spurious fault, the AT walk sees what a dsb completed",
	   kver);
	lazy_mmu_mode_disable();
	step = 3;
}

static void reader_task(void *arg)
{
	(void)arg;
	while (step < 1)
		run_on(0);
	sim_load(KADDR);
	ok(stat(&T, SIM_STAT_faults) == 1 &&
		   stat(&T, SIM_STAT_spurious_faults) == 0,
	   "%s: another CPU faults before the writer's dsb, for real", kver);
	sim_tlb_inval_all(1);
	run_on(0);
	while (step < 2)
		run_on(0);
	sim_load(KADDR);
	ok(stat(&T, SIM_STAT_faults) == 1,
	   "%s: after the writer's dsb another CPU sees the entry", kver);
	want_cpu = 0;
}

/*
 * Outside a section the barriers follow the store at once. Here a new PTE
 * table is installed (set_pmd()) and another CPU, between the store and
 * its dsb, finds the pmd entry valid (as __pte_alloc() would), maps a page
 * in the table and touches it. Its own dsb is cumulative: it completes
 * the pmd store it observed, so its walker sees the table, no fault.
 */
#define KADDR3 (KADDR + 4 * PTE_TABLE_SPAN)

static void inflight_writer(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep, *pmdp;
	unsigned long table = (page_at(KADDR, &ptep), alloc_page(GFP_KERNEL));

	(void)arg;
	memset(pfn_to_virt_raw(table), 0, PAGE_SIZE);
	sim_set_page_flags(table, sim_page_flags(table) | PG_pgtable);
	pmdp = sim_walk(&m->init_mm, KADDR3, 1, false);
	want_cpu_next = 1;
	want_cpu_in = 2; /* the store's point, then the dsb's: switch there */
	set_pmd(pmdp, pfn_pte(table, PAGE_KERNEL_TABLE), KADDR3);
	ok(step == 1, "%s: the other CPU ran between the store and the dsb",
	   kver);
	ok(stat(&T, SIM_STAT_faults) == 0 && m->nr_findings == 0,
	   "%s: its dsb completed the pmd store it had read: no fault (%s)",
	   kver, m->nr_findings ? m->findings[0].message : "");
}

static void inflight_reader(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long pfn = alloc_page(GFP_NOWAIT);
	pte_t *ptep = sim_walk(&m->init_mm, KADDR3, 0, false);

	(void)arg;
	ok(ptep != NULL, "%s: the reader finds the new table in memory", kver);
	set_pte_at(&m->init_mm, KADDR3, ptep, pfn_pte(pfn, PAGE_KERNEL));
	sim_load(KADDR3);
	step = 1;
	want_cpu = 0;
}

/* Interrupt-context stores are never deferred, even inside a section. */
static void irq_store(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = sim_walk(&m->init_mm, KADDR + 2 * PAGE_SIZE, 0, false);
	uint64_t b = stat(&T, SIM_STAT_barriers);

	(void)arg;
	set_pte_at(&m->init_mm, KADDR + 2 * PAGE_SIZE, ptep,
		   pfn_pte(pte_pfn(*sim_walk(&m->init_mm, KADDR, 0, false)),
			   PAGE_KERNEL));
	ok(stat(&T, SIM_STAT_barriers) == b + 2,
	   "%s: a store in interrupt context pays its barriers at once", kver);
	ok(!is_lazy_mmu_mode_active() && sim_task_lazy_mmu_mode_active(current),
	   "%s: the mode is not active in interrupt context (the "
	   "interrupted task's is)",
	   kver);
}

static void irq_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = page_at(KADDR, &ptep);

	(void)arg;
	pte_offset_kernel_alloc(KADDR + 2 * PAGE_SIZE);
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	want_irq = true;
	sim_sched_point();
	ok(stat(&T, SIM_STAT_interrupts) == 1, "%s: the interrupt ran", kver);
	ok(test_thread_flag(TIF_LAZY_MMU_PENDING),
	   "%s: the task's owed barriers survive the interrupt", kver);
	lazy_mmu_mode_disable();
	ok(findings(m, "state-leak") == 0,
	   "%s: the handler left the task's lazy state alone", kver);
}

/* Preempted in a section: dsb(ish) at the switch, the isb stays owed. */
static void preempted_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = page_at(KADDR, &ptep);
	uint64_t b;

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	b = stat(&T, SIM_STAT_barriers);
	want_preempt = true;
	sim_sched_point(); /* the other task runs, then this one again */
	ok(stat(&T, SIM_STAT_context_switches) == 1 &&
		   stat(&T, SIM_STAT_barriers) == b + 1 &&
		   !strcmp(last_barrier, "dsb ish"),
	   "%s: the preemption issued one dsb ish, nothing else did "
	   "(%d switches, %llu barriers, last %s)",
	   kver, (int)stat(&T, SIM_STAT_context_switches),
	   (unsigned long long)(stat(&T, SIM_STAT_barriers) - b), last_barrier);
	ok(test_thread_flag(TIF_LAZY_MMU_PENDING),
	   "%s: the owed isb stays with the task", kver);
	/* __switch_to() has no isb: this CPU's walker may still miss it */
	ok(sim_pt_walker_read(ptep, 0) == 0 &&
		   sim_pt_walker_read(ptep, 1) == *ptep,
	   "%s: after the switch's dsb other CPUs' walkers see the entry, "
	   "this CPU's does not (no isb)",
	   kver);
	lazy_mmu_mode_disable();
	ok(sim_pt_walker_read(ptep, 0) == *ptep,
	   "%s: the owed isb, paid at disable, makes it visible here", kver);
}

static void idle_task(void *arg)
{
	(void)arg;
	sim_sched_point();
}

/*
 * DEBUG_PAGEALLOC: allocating a page inside a section rewrites the linear
 * map in a section of its own (apply_to_page_range / update_range_prot).
 * 6.16: the inner leave ends batching for the rest of the outer section.
 * 7.0: the inner disable only flushes; the outer section keeps batching.
 */
static void nested_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	unsigned long a = alloc_page(GFP_KERNEL), c;
	uint64_t b;

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(a, PAGE_KERNEL));
	c = alloc_page(GFP_NOWAIT); /* nests on arm64 */
	ok(!test_thread_flag(TIF_LAZY_MMU_PENDING) &&
		   sim_pt_walker_read(ptep, 0) == *ptep,
	   "%s: the inner section's disable paid what the outer one owed",
	   kver);
	sim_store(sim_linear_addr(c), c);
	ok(stat(&T, SIM_STAT_faults) == 0 && findings(m, "bad-access") == 0,
	   "%s: the page allocated in the section is usable at once", kver);
	b = stat(&T, SIM_STAT_barriers);
	for (int i = 1; i <= 8; i++)
		set_pte_at(&m->init_mm, KADDR + i * PAGE_SIZE, ptep + i,
			   pfn_pte(a, PAGE_KERNEL));
	if (!strcmp(kver, "6.16")) {
		ok(stat(&T, SIM_STAT_barriers) == b + 16 &&
			   stat(&T, SIM_STAT_unbatched_in_section) == 8,
		   "6.16: after the nested leave, 8 stores paid 16 barriers "
		   "(unbatched_in_section %llu)",
		   (unsigned long long)stat(&T, SIM_STAT_unbatched_in_section));
	} else {
		ok(stat(&T, SIM_STAT_barriers) == b &&
			   stat(&T, SIM_STAT_unbatched_in_section) == 0,
		   "7.0: the outer section still batches after the nested one");
	}
	lazy_mmu_mode_disable();
	ok(findings(m, "deferred-access") == 0,
	   "%s: no deferred access: the inner section flushed", kver);
}

/*
 * pte_valid_not_user() (arch/arm64/include/asm/pgtable.h, v6.16..v7.0)
 * asks PTE_UXN as well as PTE_USER: an execute-only user entry
 * (PAGE_EXECONLY) has PTE_USER clear, and only kernel entries always have
 * UXN set. Such a user entry needs no barriers; a kernel one does.
 */
static void execonly_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *mm = sim_mm_alloc("user");
	pte_t *ptep = sim_walk(mm, 0x400000, 0, true), *kptep;
	unsigned long pfn = page_at(KADDR, &kptep);
	uint64_t b = stat(&T, SIM_STAT_barriers);

	(void)arg;
	set_pte_at(mm, 0x400000, ptep,
		   pfn_pte(pfn, PTE_VALID | PTE_AF | PTE_RDONLY));
	ok(stat(&T, SIM_STAT_barriers) == b,
	   "%s: an execute-only user entry (no PTE_USER, no UXN) needs no "
	   "barriers",
	   kver);
	set_pte_at(&m->init_mm, KADDR, kptep, pfn_pte(pfn, PAGE_KERNEL));
	ok(stat(&T, SIM_STAT_barriers) == b + 2,
	   "%s: a kernel entry (UXN set) pays dsb+isb", kver);
	kfree(mm);
}

/*
 * A paused section defers nothing: the pause pays what the section owed
 * (6.16: the open-coded arch_leave_lazy_mmu_mode(); 7.0: the core's pause
 * calls arch_leave), a store while paused pays its barriers at once, and
 * after the resume the section defers again.
 */
static void paused_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	unsigned long pfn = alloc_page(GFP_KERNEL);
	uint64_t b = stat(&T, SIM_STAT_barriers);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	lazy_mmu_mode_pause();
	ok(stat(&T, SIM_STAT_barriers) == b + 2 &&
		   !test_thread_flag(TIF_LAZY_MMU_PENDING),
	   "%s: pause pays the owed dsb+isb (%llu barriers)", kver,
	   (unsigned long long)(stat(&T, SIM_STAT_barriers) - b));
	set_pte_at(&m->init_mm, KADDR + PAGE_SIZE, ptep + 1,
		   pfn_pte(pfn, PAGE_KERNEL));
	ok(stat(&T, SIM_STAT_barriers) == b + 4 &&
		   !test_thread_flag(TIF_LAZY_MMU_PENDING),
	   "%s: a store while paused pays its barriers at once", kver);
	ok(sim_load(KADDR + PAGE_SIZE) == 0 && stat(&T, SIM_STAT_faults) == 0,
	   "%s: and is usable at once", kver);
	lazy_mmu_mode_resume();
	set_pte_at(&m->init_mm, KADDR + 2 * PAGE_SIZE, ptep + 2,
		   pfn_pte(pfn, PAGE_KERNEL));
	ok(stat(&T, SIM_STAT_barriers) == b + 4 &&
		   test_thread_flag(TIF_LAZY_MMU_PENDING),
	   "%s: after resume a store is deferred again", kver);
	lazy_mmu_mode_disable();
	ok(stat(&T, SIM_STAT_barriers) == b + 6 &&
		   findings(m, "deferred-access") == 0,
	   "%s: disable pays it", kver);
}

/*
 * A section opened and closed by an interrupt handler (apply_to_pte_range()
 * for a GFP_ATOMIC allocation under DEBUG_PAGEALLOC) leaves the interrupted
 * task's section alone: 6.16's hooks return at once in interrupt context
 * (b81c688426a9), so arch_leave does not clear the task's TIF_LAZY_MMU;
 * 7.0's generic calls are no-ops there (9273dfaeaca8).
 */
static void irq_section(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = sim_walk(&m->init_mm, KADDR + 3 * PAGE_SIZE, 0, false);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR + 3 * PAGE_SIZE, ptep,
		   pfn_pte(pte_pfn(*sim_walk(&m->init_mm, KADDR, 0, false)),
			   PAGE_KERNEL));
	lazy_mmu_mode_disable();
}

static void irq_section_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = page_at(KADDR, &ptep);
	uint64_t b;

	(void)arg;
	pte_offset_kernel_alloc(KADDR + 3 * PAGE_SIZE);
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	want_irq = true;
	sim_sched_point();
	ok(stat(&T, SIM_STAT_interrupts) == 1, "%s: the interrupt ran", kver);
	b = stat(&T, SIM_STAT_barriers);
	set_pte_at(&m->init_mm, KADDR + PAGE_SIZE, ptep + 1,
		   pfn_pte(pfn, PAGE_KERNEL));
	ok(stat(&T, SIM_STAT_barriers) == b &&
		   stat(&T, SIM_STAT_unbatched_in_section) == 0,
	   "%s: after a handler's own section, the task's section still "
	   "defers (%llu barriers)",
	   kver, (unsigned long long)(stat(&T, SIM_STAT_barriers) - b));
	lazy_mmu_mode_disable();
	ok(stat(&T, SIM_STAT_barriers) == b + 2 &&
		   findings(m, "state-leak") == 0,
	   "%s: the task's disable pays, no state-leak", kver);
}

/*
 * An interrupt's return (eret) is context-synchronising: a store published
 * by its dsb but still owing its isb is seen by this CPU's walker once an
 * interrupt has returned (arm64_exception_return()).
 */
static void eret_handler(void *arg)
{
	(void)arg;
}

static void eret_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = page_at(KADDR, &ptep);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	sim_barrier("dsb ishst");
	sim_pt_publish(0);
	ok(sim_pt_walker_read(ptep, 0) != *ptep,
	   "%s: after the dsb alone, this CPU's walker misses the entry", kver);
	want_irq = true;
	sim_sched_point();
	ok(stat(&T, SIM_STAT_interrupts) == 1 &&
		   sim_pt_walker_read(ptep, 0) == *ptep,
	   "%s: after the interrupt's eret, it sees it", kver);
	ok(sim_load(KADDR) == KADDR && stat(&T, SIM_STAT_faults) == 0,
	   "%s: an access after the eret does not fault", kver);
	lazy_mmu_mode_disable();
}

/* Misuse and leaks become findings; the run carries on. */
static void misuse_task(void *arg)
{
	struct sim_machine *m = sim_machine();

	(void)arg;
	preempt_disable();
	alloc_page(GFP_KERNEL);
	preempt_enable();
	ok(findings(m, "sleep-in-atomic") == 1,
	   "%s: GFP_KERNEL with preemption disabled: sleep-in-atomic", kver);
	if (!strcmp(kver, "7.0")) {
		lazy_mmu_mode_disable();
		ok(findings(m, "api-misuse") == 1 &&
			   current->lazy_mmu_state.enable_count == 0,
		   "7.0: disable without enable: api-misuse, state unchanged");
	}
	lazy_mmu_mode_enable(); /* never closed: state-leak at exit */
}

static void one(const char *name, void (*fn)(void *), unsigned int cpus,
		bool dpa, void (*irq)(void *), void (*fn2)(void *))
{
	diag("%s %s", kver, name);
	struct sim_observer o = { .event = watch_barriers };

	simtest_init(&T, "arm64", kver, cpus, dpa, irq);
	sim_add_observer(T.m, &o);
	last_barrier = "";
	sim_spawn(T.m, name, 0, fn, NULL);
	if (fn2)
		sim_spawn(T.m, "other", cpus > 1 ? 1 : 0, fn2, NULL);
	sim_run(T.m);
}

int main(void)
{
	static const char *const versions[] = { "6.16", "7.0" };

	for (int v = 0; v < 2; v++) {
		kver = versions[v];
		one("immediate", immediate_task, 1, false, NULL, NULL);
		simtest_fini(&T);
		one("deferred", deferred_task, 1, false, NULL, NULL);
		simtest_fini(&T);
		step = 0;
		one("two CPUs", writer_task, 2, false, NULL, reader_task);
		simtest_fini(&T);
		step = 0;
		one("in flight", inflight_writer, 2, false, NULL,
		    inflight_reader);
		simtest_fini(&T);
		one("interrupt", irq_task, 1, false, irq_store, NULL);
		simtest_fini(&T);
		one("preempted", preempted_task, 1, false, NULL, idle_task);
		simtest_fini(&T);
		one("execute-only", execonly_task, 1, false, NULL, NULL);
		simtest_fini(&T);
		one("paused", paused_task, 1, false, NULL, NULL);
		simtest_fini(&T);
		one("interrupt section", irq_section_task, 1, false,
		    irq_section, NULL);
		simtest_fini(&T);
		one("eret", eret_task, 1, false, eret_handler, NULL);
		simtest_fini(&T);
		one("nested", nested_task, 1, true, NULL, NULL);
		simtest_fini(&T);
		one("misuse", misuse_task, 1, false, NULL, NULL);
		ok(findings(T.m, "state-leak") == 1,
		   "%s: a task exiting with a section open: state-leak: %s",
		   kver, finding_text(T.m, "state-leak"));
		simtest_fini(&T);
	}
	return tap_done();
}
