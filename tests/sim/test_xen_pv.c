// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * xen-pv, per kernel version: multicall batching (vmalloc), the queued
 * updates' visibility (ptep_get() reads the old value until the flush),
 * the hypervisor's validation, a context switch and an interrupt inside a
 * section, sleeping in a section, and the 7.0 double enter (291b3abed657)
 * that 7.1 (4594437880ce) and --fix xen-tolerate-nested tolerate.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "arch/xen-pv/hypervisor.h"
#include "check/run.h"
#include "mm/mm.h"
#include "simtest.h"

static const char *const kernels[] = { "6.16", "6.17", "7.0", "7.1" };
static struct simtest T;
static unsigned long nr_pages;
static uint64_t vmap_hcalls;

static struct xen_hv *hv(void)
{
	/* struct xen_pv_state begins with the hypervisor (mmu_pv.c) */
	return sim_arch_state();
}

/* The hypervisor's own check, from inside the run (it reads the frames). */
static bool inv_ok;
static char inv_why[160];

static void check_hv(void)
{
	inv_why[0] = 0;
	inv_ok = xen_hv_invariants(hv(), inv_why, sizeof(inv_why));
}

static void vmap_task(void *arg)
{
	struct vm_struct *area;
	uint64_t h;

	(void)arg;
	h = stat(&T, SIM_STAT_hypercalls);
	area = vmalloc(nr_pages);
	vmap_hcalls = stat(&T, SIM_STAT_hypercalls) - h;
	for (unsigned long i = 0; i < nr_pages; i++)
		sim_store(area->addr + i * PAGE_SIZE, i);
	vfree(area);
	check_hv();
}

/*
 * Hypercalls of vmalloc(@pages) alone. After boot the area starts right
 * after the kernel image, IMAGE_TAIL pages before a 2M boundary, in the PTE
 * table that maps the image's end (tests/sim/test_vmalloc.c); past it
 * vmalloc() links a new PTE table.
 */
#define IMAGE_TAIL 448
static uint64_t vmap_run(const char *kernel, bool lazy, unsigned long pages)
{
	simtest_init(&T, "xen-pv", kernel, 1, false, NULL);
	if (!lazy)
		T.m->opt.lazy = SIM_LAZY_OFF;
	nr_pages = pages;
	sim_spawn(T.m, "vmap", 0, vmap_task, NULL);
	sim_run(T.m);
	ok(T.m->nr_findings == 0, "%s vmalloc(%lu) lazy %s: no findings%s%s",
	   kernel, pages, lazy ? "on" : "off", T.m->nr_findings ? ": " : "",
	   T.m->nr_findings ? T.m->findings[0].message : "");
	simtest_fini(&T);
	return vmap_hcalls;
}

static const char *first_finding(struct sim_machine *m)
{
	return m->nr_findings ? m->findings[0].message : "none";
}

/* ---- visibility: the table keeps the old value until the flush --------- */

static pte_t seen_inside, seen_after;
static bool read_inside; /* the wrong caller reads before disabling */

static void queue_caller(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long addr = VMALLOC_START;
	pte_t *ptep = pte_offset_kernel_alloc(addr);
	pte_t pte = pfn_pte(alloc_page(GFP_KERNEL), PAGE_KERNEL);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, addr, ptep, pte);
	seen_inside = *ptep; /* the machine's memory, not a kernel read */
	if (read_inside)
		(void)ptep_get(ptep); /* relies on the update: too early */
	lazy_mmu_mode_disable();
	seen_after = ptep_get(ptep);
	sim_store(addr, 1);
}

/* ---- a context switch and a sleep inside a section ------------------------ */

#define SW_PAGES 4
static pte_t sw_mid[SW_PAGES], sw_end[SW_PAGES];
static bool sw_sleep; /* cond_resched() inside the section */

static void switch_a(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = pte_offset_kernel_alloc(VMALLOC_START);
	unsigned long pfn[SW_PAGES];

	(void)arg;
	for (int i = 0; i < SW_PAGES; i++)
		pfn[i] = alloc_page(GFP_KERNEL);
	lazy_mmu_mode_enable();
	for (int i = 0; i < SW_PAGES; i++) {
		if (i == 2) {
			/* switch to b here: it records what memory holds */
			want_preempt = true;
			if (sw_sleep)
				cond_resched();
		}
		set_pte_at(&m->init_mm, VMALLOC_START + i * PAGE_SIZE, ptep + i,
			   pfn_pte(pfn[i], PAGE_KERNEL));
	}
	for (int i = 0; i < SW_PAGES; i++)
		sw_end[i] = ptep[i]; /* still queued after the switch? */
	lazy_mmu_mode_disable();
}

static void switch_b(void *arg)
{
	pte_t *ptep = pte_offset_kernel_alloc(VMALLOC_START);

	(void)arg;
	for (int i = 0; i < SW_PAGES; i++)
		sw_mid[i] = ptep[i];
}

/* ---- an interrupt inside a section ------------------------------------------ */

static pte_t irq_task_seen, irq_own_seen;
static bool irq_fired;

static void irq_set(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long addr = VMALLOC_START + 10 * PAGE_SIZE;
	pte_t *ptep = sim_walk(&m->init_mm, addr, 0, false);

	(void)arg;
	if (irq_fired || !ptep)
		return;
	irq_fired = true;
	/* xen_get_lazy_mode() is NONE here: an mmu_update at once */
	set_pte_at(&m->init_mm, addr, ptep, pfn_pte(1000, PAGE_KERNEL));
	irq_own_seen = *ptep;
	irq_task_seen = ptep[-10]; /* the task's queued update */
}

static void irq_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = pte_offset_kernel_alloc(VMALLOC_START);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, VMALLOC_START, ptep, pfn_pte(999, PAGE_KERNEL));
	want_irq = true;
	sim_sched_point();
	lazy_mmu_mode_disable();
}

/* ---- the 7.0 double enter ---------------------------------------------------- */

/*
 * Preempt task "a" at the scheduling point between the core's counter
 * update and its arch hook (SIM_TOUCH_LAZY), once.
 */
static bool preempt_at_hook;

static unsigned int hook_choose(struct sim_policy *p, enum sim_choice what,
				unsigned int n, unsigned int cur,
				uint32_t allowed)
{
	struct sim_machine *m = sim_machine();

	if (what == SIM_CHOOSE_PREEMPT && preempt_at_hook &&
	    m->cpu[m->this_cpu].next.kind == SIM_TOUCH_LAZY &&
	    !strcmp(current->comm, "a")) {
		preempt_at_hook = false;
		return 1;
	}
	return steer_choose(p, what, n, cur, allowed);
}

static struct sim_policy hook_policy = { .choose = hook_choose };

static bool nest_at_disable; /* preempt at the disable's hook instead */

static void nest_a(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = pte_offset_kernel_alloc(VMALLOC_START);

	(void)arg;
	preempt_at_hook = !nest_at_disable;
	lazy_mmu_mode_enable(); /* counter 1, preempted, then the hook */
	set_pte_at(&m->init_mm, VMALLOC_START, ptep, pfn_pte(999, PAGE_KERNEL));
	preempt_at_hook = nest_at_disable;
	lazy_mmu_mode_disable(); /* counter 0, preempted, then the hook */
}

static void nest_b(void *arg)
{
	(void)arg;
	sim_sched_point();
}

static void run_nest(const char *kernel, uint64_t fixes)
{
	struct sim_options opt = simtest_options("xen-pv", kernel, 1);

	opt.fixes = fixes;
	opt.policy = &hook_policy;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "a", 0, nest_a, NULL);
	sim_spawn(T.m, "b", 0, nest_b, NULL);
	sim_run(T.m);
}

/* ---- the hypervisor's rules, asked directly ----------------------------------- */

static int hv_err[6];
static pte_t hv_after[6];

static void hv_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = pte_offset_kernel_alloc(VMALLOC_START);
	unsigned long table = sim_ptep_pfn(ptep), data = alloc_page(GFP_KERNEL);
	pte_t vals[6] = {
		/* 0: another domain's frame */
		pfn_pte(m->nr_frames + 1, PAGE_KERNEL),
		/* 1: beyond the machine */
		pfn_pte(m->nr_frames + XEN_FOREIGN_FRAMES, PAGE_KERNEL),
		/* 2: a page table, writable */
		pfn_pte(table, PAGE_KERNEL),
		/* 3: a page table, read-only: allowed */
		pte_wrprotect(pfn_pte(table, PAGE_KERNEL)),
		/* 4: the guest's data frame: allowed */
		pfn_pte(data, PAGE_KERNEL),
		/* 5: not present: never checked */
		0x123400,
	};

	(void)arg;
	for (int i = 0; i < 6; i++) {
		struct mmu_update u = {
			(uint64_t)((uint8_t *)&ptep[i] - m->mem), vals[i]
		};

		hv_err[i] = xen_hv_mmu_update(hv(), &u, NULL, 1, NULL);
		hv_after[i] = ptep[i];
	}
	/* through the guest: a writable mapping of a page table, refused */
	set_pte_at(&m->init_mm, VMALLOC_START + 8 * PAGE_SIZE, ptep + 8,
		   pfn_pte(table, PAGE_KERNEL));
	check_hv();
}

int main(void)
{
	static const unsigned long sizes[] = { 1, 8, 64, 512 };

	/* batching: 512 bytes of arguments hold 32 mmu_updates */
	for (int k = 0; k < 4; k++) {
		for (int s = 0; s < 4; s++) {
			unsigned long n = sizes[s];
			uint64_t on = vmap_run(kernels[k], true, n);
			uint64_t off = vmap_run(kernels[k], false, n);

			/*
			 * off: one mmu_update hypercall per PTE (__xen_set_pte());
			 * on: consecutive mmu_updates merge into one multicall
			 * entry of at most MC_ARGS / 16 = 32, flushed when full
			 * and at leave, one section per PTE table: ceil(a / 32)
			 * + ceil(b / 32) for the a entries in the image's table
			 * and the b in the next. A new table costs one more
			 * (alias read-only, pin, link: one multicall, outside
			 * the sections).
			 */
			unsigned long a = n < IMAGE_TAIL ? n : IMAGE_TAIL;
			unsigned long b = n - a;

			ok(off == n + (b > 0) && on == (a + 31) / 32 +
								 (b + 31) / 32 +
								 (b > 0),
			   "%s vmalloc(%lu): %llu hypercalls lazy on, %llu off",
			   kernels[k], n, (unsigned long long)on,
			   (unsigned long long)off);
		}
		ok(vmap_run(kernels[k], true, 512) * 10 <=
			   vmap_run(kernels[k], false, 512),
		   "%s: 512 pages, lazy on at most a tenth of lazy off",
		   kernels[k]);
	}

	/* visibility: the correct caller is clean, the wrong one is caught */
	for (int k = 0; k < 4; k++) {
		for (int wrong = 0; wrong < 2; wrong++) {
			simtest_init(&T, "xen-pv", kernels[k], 1, false, NULL);
			read_inside = wrong;
			sim_spawn(T.m, "q", 0, queue_caller, NULL);
			sim_run(T.m);
			/* queued, not in memory: the table holds 0 */
			ok(seen_inside == 0 && pte_valid(seen_after),
			   "%s: the update is in memory after the flush only",
			   kernels[k]);
			if (wrong)
				ok(findings(T.m, "deferred-access") == 1,
				   "%s: ptep_get() before the flush: %s",
				   kernels[k], first_finding(T.m));
			else
				ok(T.m->nr_findings == 0,
				   "%s: the correct caller is clean (%s)",
				   kernels[k], first_finding(T.m));
			simtest_fini(&T);
		}
	}

	/*
	 * A switch inside a section: xen_start_context_switch() leaves MMU
	 * mode and flushes, so b sees a's first two updates in memory; a is
	 * back in MMU mode when it runs again (TIF_LAZY_MMU_UPDATES before
	 * 7.0, its counter from 7.0), so its last two are queued again.
	 * The same for a sleep: Xen keeps preemption enabled in a section,
	 * so cond_resched() there is no sleep-in-atomic.
	 */
	for (int k = 0; k < 4; k++) {
		for (int sleep = 0; sleep < 2; sleep++) {
			uint64_t hc;

			simtest_init(&T, "xen-pv", kernels[k], 1, false, NULL);
			sw_sleep = sleep;
			memset(sw_mid, 0, sizeof(sw_mid));
			sim_spawn(T.m, "a", 0, switch_a, NULL);
			sim_spawn(T.m, "b", 0, switch_b, NULL);
			sim_run(T.m);
			hc = stat(&T, SIM_STAT_hypercalls);
			ok(pte_valid(sw_mid[0]) && pte_valid(sw_mid[1]) &&
				   !sw_mid[2] && !sw_mid[3] && !sw_end[2] &&
				   !sw_end[3] &&
				   stat(&T, SIM_STAT_context_switches) >= 1 &&
				   T.m->nr_findings == 0,
			   "%s: %s in a section flushes at switch-out, "
			   "re-enters at switch-in (%llu hypercalls, %s)",
			   kernels[k], sleep ? "cond_resched()" : "preemption",
			   (unsigned long long)hc, first_finding(T.m));
			simtest_fini(&T);
		}
	}

	/*
	 * An interrupt inside a section: nothing is lazy in interrupt
	 * context (xen_get_lazy_mode()), so its update is in memory at once;
	 * the task's stays queued.
	 */
	for (int k = 0; k < 4; k++) {
		simtest_init(&T, "xen-pv", kernels[k], 1, false, irq_set);
		irq_fired = false;
		irq_task_seen = irq_own_seen = 0;
		sim_spawn(T.m, "t", 0, irq_task, NULL);
		sim_run(T.m);
		ok(irq_fired && pte_valid(irq_own_seen) && irq_task_seen == 0 &&
			   T.m->nr_findings == 0,
		   "%s: an interrupt's update is immediate, the task's stays "
		   "queued (%s)",
		   kernels[k], first_finding(T.m));
		simtest_fini(&T);
	}

	/*
	 * The double enter: a is preempted between the core's counter
	 * update and arch_enter_lazy_mmu_mode(); xen_end_context_switch()
	 * sees __task_lazy_mmu_mode_active(a) and enters; then the hook
	 * enters again: BUG_ON in 7.0, tolerated in 7.1 and with the fix;
	 * with the context-switch change reverted, a is not re-entered.
	 */
	run_nest("7.0", 0);
	ok(findings(T.m, "arch-bug") == 1 &&
		   strstr(first_finding(T.m), "enter_lazy(MMU)"),
	   "7.0: a switch between counter and hook double-enters: %s",
	   first_finding(T.m));
	simtest_fini(&T);
	run_nest("7.1", 0);
	ok(T.m->nr_findings == 0 && stat(&T, SIM_STAT_context_switches) >= 1,
	   "7.1: the same schedule is tolerated (%s)", first_finding(T.m));
	simtest_fini(&T);
	run_nest("7.0", 1ULL << SIM_FIX_XEN_TOLERATE_NESTED);
	ok(T.m->nr_findings == 0, "7.0 + xen-tolerate-nested: clean (%s)",
	   first_finding(T.m));
	simtest_fini(&T);
	run_nest("7.0", 1ULL << SIM_FIX_XEN_REVERT_CTXSW);
	ok(T.m->nr_findings == 0, "7.0 + xen-revert-ctxsw: clean (%s)",
	   first_finding(T.m));
	simtest_fini(&T);
	/*
	 * The same at disable: switched out in MMU mode, a leaves it there;
	 * its counter is 0, so it is not re-entered; its leave hook then
	 * finds no mode: BUG_ON in 7.0, tolerated in 7.1.
	 */
	nest_at_disable = true;
	run_nest("7.0", 0);
	ok(findings(T.m, "arch-bug") == 1 &&
		   strstr(first_finding(T.m), "leave_lazy(MMU)"),
	   "7.0: a switch between counter and leave hook: %s",
	   first_finding(T.m));
	simtest_fini(&T);
	run_nest("7.1", 0);
	ok(T.m->nr_findings == 0, "7.1: tolerated (%s)", first_finding(T.m));
	simtest_fini(&T);
	nest_at_disable = false;
	run_nest("6.16", 0);
	ok(T.m->nr_findings == 0,
	   "6.16: no counter before the hook, nothing to double-enter (%s)",
	   first_finding(T.m));
	simtest_fini(&T);

	/* the hypervisor's rules */
	simtest_init(&T, "xen-pv", "7.1", 1, false, NULL);
	sim_spawn(T.m, "hv", 0, hv_task, NULL);
	sim_run(T.m);
	/* get_page_from_l1e(): real_pg_owner != pg_owner, could_not_pin */
	ok(hv_err[0] == -EBUSY && hv_after[0] == 0,
	   "another domain's frame: -EBUSY, not applied (%d)", hv_err[0]);
	/* get_page_from_l1e(): !mfn_valid() is MMIO, not permitted */
	ok(hv_err[1] == -EPERM && hv_after[1] == 0,
	   "a frame beyond the machine: -EPERM, not applied (%d)", hv_err[1]);
	/* get_page_type(PGT_writable_page) of a table fails: could_not_pin */
	ok(hv_err[2] == -EBUSY && hv_after[2] == 0,
	   "a writable mapping of a page table: -EBUSY, not applied (%d)",
	   hv_err[2]);
	ok(hv_err[3] == 0 && pte_valid(hv_after[3]),
	   "a read-only mapping of a page table: applied (%d)", hv_err[3]);
	ok(hv_err[4] == 0 && pte_valid(hv_after[4]),
	   "the guest's own frame: applied (%d)", hv_err[4]);
	ok(hv_err[5] == 0 && hv_after[5] == 0x123400,
	   "a non-present entry: applied unchecked (%d)", hv_err[5]);
	ok(findings(T.m, "arch-bug") == 1 &&
		   strstr(first_finding(T.m), "rejected"),
	   "the guest's refused mmu_update is reported: %s",
	   first_finding(T.m));
	ok(inv_ok, "every pinned table obeys the rules, counts right%s%s",
	   inv_ok ? "" : ": ", inv_why);
	simtest_fini(&T);

	/* whole runs, DEBUG_PAGEALLOC, 4 CPUs: clean, and the counts hold */
	for (int k = 0; k < 4; k++) {
		simtest_init(&T, "xen-pv", kernels[k], 1, true, NULL);
		nr_pages = 100;
		sim_spawn(T.m, "vmap", 0, vmap_task, NULL);
		sim_run(T.m);
		ok(T.m->nr_findings == 0 && inv_ok,
		   "%s DEBUG_PAGEALLOC: clean, hypervisor consistent (%s%s)",
		   kernels[k], first_finding(T.m), inv_why);
		simtest_fini(&T);
	}
	/* sim_reset(): the hypervisor's state comes back with the machine */
	{
		struct sim_stats first;

		simtest_init(&T, "xen-pv", "7.0", 2, true, NULL);
		nr_pages = 300;
		sim_spawn(T.m, "vmap", 0, vmap_task, NULL);
		sim_spawn(T.m, "vmap", 1, vmap_task, NULL);
		sim_run(T.m);
		first = T.stats;
		sim_reset(T.m);
		sim_spawn(T.m, "vmap", 0, vmap_task, NULL);
		sim_spawn(T.m, "vmap", 1, vmap_task, NULL);
		sim_run(T.m);
		ok(!memcmp(&first, &T.stats, sizeof(first)) && inv_ok &&
			   T.m->nr_findings == 0,
		   "a reset machine runs the same again (%llu hypercalls)",
		   (unsigned long long)stat(&T, SIM_STAT_hypercalls));
		simtest_fini(&T);
	}
	return tap_done();
}
