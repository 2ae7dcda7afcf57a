// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * s390: mainline (6.16 .. 7.1, no lazy MMU mode, one IPTE per update of a
 * valid PTE) against Gordeev's series (kernel label "7.1+lazy-v6": per-CPU
 * PTE cache, IPTEs of up to 256 entries at flush and leave). Batching
 * counts with the vmalloc workload, the cache's hazard (a direct
 * dereference vs ptep_get()), preemption, an interrupt in a section, and
 * the label's registry rules.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "mm/mm.h"
#include "simtest.h"

/* a PTE table of its own, past the kernel image (KIMAGE_SIZE) */
#define KADDR (VMALLOC_START + 64 * PTE_TABLE_SPAN)

static struct simtest T;
static const char *kver;

static void run_ok(struct lmm_run_config *c, struct lmm_run_result *r)
{
	char err[160];

	if (lmm_run(c, r, err, sizeof(err))) {
		printf("# %s\n", err);
		memset(r, 0, sizeof(*r));
	}
}

static uint64_t run_stat(const char *kernel, bool lazy, unsigned long pages,
			 enum sim_stat s)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	uint64_t v;

	lmm_run_defaults(&c);
	c.arch = "s390";
	c.kernel = kernel;
	c.lazy = lazy;
	c.pages = pages;
	c.sched = "rr";
	run_ok(&c, &r);
	v = sim_stats_total(&r.stats, s) + (r.nr_findings ? 1000000 : 0);
	lmm_run_result_free(&r);
	return v;
}

/* ---- the vmalloc workload: IPTE counts ----------------------------------- */

static void test_vmalloc_counts(void)
{
	static const char *const mainline[] = { "6.16", "6.17", "7.0", "7.1" };
	uint64_t m71 = run_stat("7.1", true, 512, SIM_STAT_tlb_invalidations);
	uint64_t v6 =
		run_stat("7.1+lazy-v6", true, 512, SIM_STAT_tlb_invalidations);

	for (int k = 0; k < 4; k++) {
		/*
		 * vunmap's ptep_get_and_clear() of 512 valid entries costs
		 * 512 IPTEs (vmap stores invalid entries: none); the kernel
		 * flushes vfree() may add come on top, lazy on or off alike
		 * (no lazy MMU mode in mainline).
		 */
		uint64_t on = run_stat(mainline[k], true, 512,
				       SIM_STAT_tlb_invalidations);
		uint64_t off = run_stat(mainline[k], false, 512,
					SIM_STAT_tlb_invalidations);

		ok(on >= 512 && on < 520 && on == off && on == m71,
		   "%s: 512 pages: 512 IPTEs + kernel flushes, lazy on or off "
		   "alike: %llu/%llu",
		   mainline[k], (unsigned long long)on,
		   (unsigned long long)off);
	}
	/*
	 * The series: the 512 clears are applied per PTE table in IPTEs of
	 * up to 256, so 2 (one table) to 4 (a split over two) instead of
	 * 512; the same kernel flushes as 7.1 come on top.
	 */
	ok(m71 - v6 >= 512 - 4 && m71 - v6 <= 512 - 2,
	   "7.1+lazy-v6: 512 pages: 2 to 4 IPTEs instead of 512 (%llu vs "
	   "%llu)",
	   (unsigned long long)v6, (unsigned long long)m71);
	/* with the mode off the series is mainline: one IPTE per page */
	ok(run_stat("7.1+lazy-v6", false, 512, SIM_STAT_tlb_invalidations) ==
		   m71,
	   "7.1+lazy-v6 lazy off: as 7.1");
	/* the cache changes when entries are paid, not what is stored */
	ok(run_stat("7.1+lazy-v6", true, 512, SIM_STAT_pte_writes) ==
		   run_stat("7.1", true, 512, SIM_STAT_pte_writes),
	   "7.1+lazy-v6 stores what 7.1 stores");
}

/*
 * On the machine: 512 pages in one PTE table of their own, mapped then
 * unmapped with vmap_pages_range() / vunmap_range_noflush(), so that the
 * count is the IPTEs alone: 512 on 7.1, 2 (256 + 256) with the series, in
 * 2 cache applications (the map's, with no IPTE: its entries were
 * invalid, and the unmap's).
 */
static uint64_t table_inval, table_flushes;

static void table_task(void *arg)
{
	unsigned long *pages =
		kcalloc(PTRS_PER_TABLE, sizeof(*pages), GFP_KERNEL);
	uint64_t inv, bf;

	(void)arg;
	for (int i = 0; i < PTRS_PER_TABLE; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	pte_offset_kernel_alloc(KADDR);
	inv = stat(&T, SIM_STAT_tlb_invalidations);
	bf = stat(&T, SIM_STAT_batch_flushes);
	vmap_pages_range(KADDR, KADDR + PTE_TABLE_SPAN, pages);
	vunmap_range_noflush(KADDR, KADDR + PTE_TABLE_SPAN);
	table_inval = stat(&T, SIM_STAT_tlb_invalidations) - inv;
	table_flushes = stat(&T, SIM_STAT_batch_flushes) - bf;
}

static void test_one_table(void)
{
	static const char *const kernels[] = { "7.1", "7.1+lazy-v6" };
	static const uint64_t want[] = { 512, 2 }, want_bf[] = { 0, 2 };

	for (int k = 0; k < 2; k++) {
		simtest_init(&T, "s390", kernels[k], 1, false, NULL);
		sim_spawn(T.m, "table", 0, table_task, NULL);
		sim_run(T.m);
		ok(table_inval == want[k] && table_flushes == want_bf[k] &&
			   T.m->nr_findings == 0,
		   "%s: one table of 512 valid entries cleared: %llu IPTEs, "
		   "%llu cache flushes",
		   kernels[k], (unsigned long long)table_inval,
		   (unsigned long long)table_flushes);
		simtest_fini(&T);
	}
}

/* ---- the registry: the label is s390's only ---------------------------- */

static void test_label(void)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	char err[160] = "";

	ok(sim_kernel_parse("7.1+lazy-v6") >= SIM_KERNEL(7, 1) &&
		   SIM_KERNEL_SERIES(sim_kernel_parse("7.1+lazy-v6")) == 1 &&
		   !strcmp(sim_kernel_name(sim_kernel_parse("7.1+lazy-v6")),
			   "7.1+lazy-v6"),
	   "the label parses to 7.1 plus a series, and back");
	ok(sim_arch_find("s390", "7.1+lazy-v6") &&
		   !sim_arch_find("arm64", "7.1+lazy-v6") &&
		   !sim_arch_find("generic", "7.1+lazy-v6") &&
		   sim_arch_find("generic", "7.1"),
	   "only s390 has a model of the label; generic covers versions");
	lmm_run_defaults(&c);
	c.arch = "arm64";
	c.kernel = "7.1+lazy-v6";
	ok(lmm_run(&c, &r, err, sizeof(err)) != 0 &&
		   strstr(err, "no model for kernel 7.1+lazy-v6"),
	   "arm64 --kernel 7.1+lazy-v6 is refused: %s", err);
}

/* ---- ptep_flush_lazy(): the mm attached to this CPU only ----------------- */

static uint64_t user_stat_k(const char *kernel, const char *workload,
			    unsigned int cpus, unsigned int *findings)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	uint64_t v;

	lmm_run_defaults(&c);
	c.arch = "s390";
	c.kernel = kernel;
	c.workload = workload;
	c.pages = 64;
	c.cpus = cpus;
	c.sched = "rr";
	run_ok(&c, &r);
	v = sim_stats_total(&r.stats, SIM_STAT_tlb_invalidations);
	*findings = (unsigned int)r.nr_findings;
	lmm_run_result_free(&r);
	return v;
}

static uint64_t user_stat(const char *workload, unsigned int cpus,
			  unsigned int *findings)
{
	return user_stat_k("7.1", workload, cpus, findings);
}

static void test_attach_mask(void)
{
	unsigned int f1, f2;
	uint64_t one, two;

	/*
	 * munmap of 64 present pages on one CPU: the user mm is attached
	 * to that CPU alone, so ptep_get_and_clear() -> ptep_flush_lazy()
	 * marks each entry invalid without an IPTE and sets flush_mm; the
	 * mmu_gather's flush_tlb_range() -> __tlb_flush_mm_lazy() then
	 * purges the mm once (IDTE): 1 invalidation. With a second CPU
	 * running a thread of the process, both are attached: 64 IPTEs.
	 */
	one = user_stat("munmap", 1, &f1);
	two = user_stat("munmap", 2, &f2);
	ok(one == 1 && f1 == 0,
	   "munmap, 1 CPU: IPTEs put off, one IDTE at the flush (%llu)",
	   (unsigned long long)one);
	ok(two == 64 && f2 == 0, "munmap, 2 CPUs attached: 64 IPTEs (%llu)",
	   (unsigned long long)two);
	/*
	 * fork of 64 pages on one CPU: the parent's 64 write-protects are
	 * put off and paid by dup_mmap()'s flush_tlb_mm() (1); the child's
	 * 64 COW copies and the parent's 64 writes after them go through
	 * ptep_clear_flush(), which is ptep_xchg_direct() on s390: an
	 * IPTE at once, each (128). Were the COW path lazy too, the stale
	 * read-only entry would fault forever (bad-access).
	 */
	/*
	 * The series (v6 1/4) converts zap_pte_range(), change_pte_range()
	 * and move_ptes() to lazy_mmu_mode_enable_with_ptes(): with two
	 * CPUs attached, mainline pays 64 IPTEs for 64 pages, the series
	 * one ranged IPTE at the disable (64 entries <= 256).
	 */
	static const char *const paths[] = { "munmap", "mprotect", "mremap" };

	for (int i = 0; i < 3; i++) {
		one = user_stat_k("7.1", paths[i], 2, &f1);
		two = user_stat_k("7.1+lazy-v6", paths[i], 2, &f2);
		ok(one == 64 && two == 1 && !f1 && !f2,
		   "%s, 2 CPUs: 64 IPTEs on 7.1, 1 ranged IPTE with the "
		   "series (%llu, %llu)",
		   paths[i], (unsigned long long)one, (unsigned long long)two);
	}
	one = user_stat("fork", 1, &f1);
	ok(one == 129 && f1 == 0,
	   "fork, 1 CPU: 1 put-off flush + 128 direct IPTEs (%llu, %u "
	   "findings)",
	   (unsigned long long)one, f1);
}

/* ---- the cache on the machine ------------------------------------------ */

static unsigned long map_one(pte_t **ptep)
{
	unsigned long pfn = alloc_page(GFP_KERNEL);

	*ptep = pte_offset_kernel_alloc(KADDR);
	return pfn;
}

/*
 * A caller that dereferences the PTE itself (the series' KASAN
 * "direct-pte-access"): the machine sees the read the kernel made, with
 * the value in memory.
 */
static pte_t direct_read(pte_t *ptep)
{
	struct sim_event ev = { .type = SIM_EV_PTE_READ };

	ev.ptep = ptep;
	ev.old = ev.new = *ptep;
	sim_emit(&ev);
	return ev.old;
}

static bool direct;

static void reader_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = map_one(&ptep);
	pte_t v;

	(void)arg;
	lazy_mmu_mode_enable_with_ptes(&m->init_mm, KADDR, KADDR + PAGE_SIZE,
				       ptep);
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	ok(*ptep == 0, "%s: memory keeps the old value in the section", kver);
	v = direct ? direct_read(ptep) : ptep_get(ptep);
	if (direct)
		ok(v == 0 && findings(m, "deferred-access") == 1,
		   "%s: a direct dereference reads the old value: "
		   "deferred-access: %s",
		   kver, finding_text(m, "deferred-access"));
	else
		ok(pte_pfn(v) == pfn && findings(m, "deferred-access") == 0,
		   "%s: ptep_get() reads the cached value: clean", kver);
	lazy_mmu_mode_disable();
	ok(pte_pfn(*ptep) == pfn, "%s: the leave stored the value", kver);
	sim_store(KADDR, 1);
	ok(stat(&T, SIM_STAT_faults) == 0, "%s: usable after the leave", kver);
}

/* An access before the leave: the entry is still invalid in memory. */
static void early_access_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = map_one(&ptep);

	(void)arg;
	lazy_mmu_mode_enable_with_ptes(&m->init_mm, KADDR, KADDR + PAGE_SIZE,
				       ptep);
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	sim_load(KADDR); /* too early */
	lazy_mmu_mode_disable();
	ok(findings(m, "deferred-access") >= 1,
	   "%s: an access before the leave: deferred-access", kver);
}

/*
 * Preemption: the cache is per CPU, so the ranged enter disables it; a
 * preemption asked for inside the section does not happen, a sleep is
 * sleep-in-atomic. A plain enable sets up no cache and keeps preemption.
 */
static void preempt_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = map_one(&ptep);
	uint64_t sw;

	(void)arg;
	lazy_mmu_mode_enable_with_ptes(&m->init_mm, KADDR, KADDR + PAGE_SIZE,
				       ptep);
	ok(!preemptible(), "%s: no preemption in a ranged section", kver);
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	sw = stat(&T, SIM_STAT_context_switches);
	want_preempt = true;
	sim_sched_point();
	ok(stat(&T, SIM_STAT_context_switches) == sw,
	   "%s: no context switch while the cache is live", kver);
	alloc_page(GFP_KERNEL);
	ok(findings(m, "sleep-in-atomic") == 1,
	   "%s: a sleep in the section: sleep-in-atomic", kver);
	lazy_mmu_mode_disable();
	want_preempt = false;
	ok(preemptible(), "%s: the leave re-enables preemption", kver);
	lazy_mmu_mode_enable();
	ok(preemptible(), "%s: a plain enable leaves preemption on", kver);
	set_pte_at(&m->init_mm, KADDR + PAGE_SIZE, ptep + 1,
		   pfn_pte(pfn, PAGE_KERNEL));
	ok(ptep[1] != 0, "%s: a plain section stores at once", kver);
	lazy_mmu_mode_disable();
}

/*
 * A switch in the core's window: the 7.1 core raises the count, then calls
 * the ranged hook at a preemptible scheduling point. The other task runs
 * there; the hook then sets the cache up with the range the task carries.
 */
static void window_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = map_one(&ptep);
	uint64_t sw = stat(&T, SIM_STAT_context_switches);

	(void)arg;
	want_preempt = true; /* at the next point: the hook's */
	lazy_mmu_mode_enable_with_ptes(&m->init_mm, KADDR, KADDR + PAGE_SIZE,
				       ptep);
	ok(stat(&T, SIM_STAT_context_switches) > sw,
	   "%s: preempted between the count and the hook", kver);
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	ok(*ptep == 0 && !preemptible(),
	   "%s: after the switch the hook still set the cache up", kver);
	lazy_mmu_mode_disable();
	ok(pte_pfn(*ptep) == pfn && m->nr_findings == 0,
	   "%s: the leave stored it; clean", kver);
}

/* A context switch inside a plain section: nothing is cached, all paid. */
static void plain_switch_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = map_one(&ptep);
	uint64_t sw, inv;

	(void)arg;
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	lazy_mmu_mode_enable();
	sw = stat(&T, SIM_STAT_context_switches);
	want_preempt = true;
	sim_sched_point();
	ok(stat(&T, SIM_STAT_context_switches) > sw,
	   "%s: a plain section may be preempted", kver);
	inv = stat(&T, SIM_STAT_tlb_invalidations);
	ptep_get_and_clear(&m->init_mm, KADDR, ptep);
	ok(stat(&T, SIM_STAT_tlb_invalidations) == inv + 1 &&
		   stat(&T, SIM_STAT_unbatched_in_section) == 1,
	   "%s: outside a ranged section a clear pays its IPTE at once "
	   "(unbatched_in_section)",
	   kver);
	lazy_mmu_mode_disable();
}

static void idle_task(void *arg)
{
	(void)arg;
	sim_sched_point();
}

/*
 * The interrupt clears an entry of the task's cached range that the task
 * left alone: interrupt context bypasses the cache (the mode is not active
 * there), so the clear is paid at once and the task's cache is untouched.
 */
static void irq_handler(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long a = KADDR + 2 * PAGE_SIZE;
	pte_t *ptep = sim_walk(&m->init_mm, a, 0, false);
	uint64_t inv = stat(&T, SIM_STAT_tlb_invalidations);

	(void)arg;
	ptep_get_and_clear(&m->init_mm, a, ptep);
	ok(stat(&T, SIM_STAT_tlb_invalidations) == inv + 1,
	   "%s: the handler's clear pays one IPTE at once", kver);
}

static void irq_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = map_one(&ptep);
	uint64_t inv;

	(void)arg;
	for (int i = 0; i < 4; i++)
		set_pte_at(&m->init_mm, KADDR + i * PAGE_SIZE, ptep + i,
			   pfn_pte(pfn, PAGE_KERNEL));
	lazy_mmu_mode_enable_with_ptes(&m->init_mm, KADDR,
				       KADDR + 4 * PAGE_SIZE, ptep);
	for (int i = 0; i < 2; i++)
		ptep_get_and_clear(&m->init_mm, KADDR + i * PAGE_SIZE,
				   ptep + i);
	want_irq = true;
	sim_sched_point();
	ok(stat(&T, SIM_STAT_interrupts) == 1, "%s: the interrupt ran", kver);
	ptep_get_and_clear(&m->init_mm, KADDR + 3 * PAGE_SIZE, ptep + 3);
	inv = stat(&T, SIM_STAT_tlb_invalidations);
	lazy_mmu_mode_disable();
	/* entries 0, 1 and 3 cleared: runs 0-1 and 3, two IPTEs */
	ok(stat(&T, SIM_STAT_tlb_invalidations) == inv + 2 && !ptep[0] &&
		   !ptep[1] && !ptep[2] && !ptep[3],
	   "%s: the leave applies the 3 cached clears as 2 IPTE runs", kver);
	ok(m->nr_findings == 0, "%s: clean", kver);
}

/* Mainline primitives: IPTE only for a valid entry. */
static void mainline_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep;
	unsigned long pfn = map_one(&ptep);
	uint64_t inv = stat(&T, SIM_STAT_tlb_invalidations);

	(void)arg;
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	ok(stat(&T, SIM_STAT_tlb_invalidations) == inv,
	   "%s: storing an invalid entry needs no IPTE", kver);
	ptep_set_wrprotect(&m->init_mm, KADDR, ptep);
	ok(stat(&T, SIM_STAT_tlb_invalidations) == inv + 1 &&
		   !pte_write(*ptep) && pte_valid(*ptep),
	   "%s: wrprotect of a writable entry: one IPTE", kver);
	ptep_get_and_clear(&m->init_mm, KADDR, ptep);
	ptep_get_and_clear(&m->init_mm, KADDR, ptep);
	ok(stat(&T, SIM_STAT_tlb_invalidations) == inv + 2 && !*ptep,
	   "%s: clearing a valid entry: one IPTE; an invalid one: none", kver);
}

static void one(const char *kernel, const char *name, void (*fn)(void *),
		void (*irq)(void *), void (*fn2)(void *))
{
	kver = kernel;
	diag("%s %s", kernel, name);
	simtest_init(&T, "s390", kernel, 1, false, irq);
	sim_spawn(T.m, name, 0, fn, NULL);
	if (fn2)
		sim_spawn(T.m, "other", 0, fn2, NULL);
	sim_run(T.m);
	simtest_fini(&T);
}

int main(void)
{
	static const char *const mainline[] = { "6.16", "7.1" };

	test_vmalloc_counts();
	test_attach_mask();
	test_one_table();
	test_label();
	for (int k = 0; k < 2; k++)
		one(mainline[k], "mainline", mainline_task, NULL, NULL);
	one("7.1+lazy-v6", "mainline paths", mainline_task, NULL, NULL);
	direct = false;
	one("7.1+lazy-v6", "ptep_get", reader_task, NULL, NULL);
	direct = true;
	one("7.1+lazy-v6", "direct", reader_task, NULL, NULL);
	one("7.1+lazy-v6", "early access", early_access_task, NULL, NULL);
	one("7.1+lazy-v6", "preemption", preempt_task, NULL, idle_task);
	one("7.1+lazy-v6", "window", window_task, NULL, idle_task);
	one("7.1+lazy-v6", "plain switch", plain_switch_task, NULL, idle_task);
	one("7.1+lazy-v6", "interrupt", irq_task, irq_handler, NULL);
	return tap_done();
}
