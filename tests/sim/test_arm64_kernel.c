// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * arm64 as the kernel does it (issue 7), each behaviour against the kernel
 * function it models, in both versions: the MAX_DVM_OPS limit of
 * flush_tlb_kernel_range(), no flush when DEBUG_PAGEALLOC maps a page,
 * set_p4d() through set_swapper_pgd(), vfree()'s lazy purge, and
 * get_vm_area()'s first fit after the kernel image.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "mm/mm.h"
#include "simtest.h"

static struct simtest T;
static const char *kver;

#define KADDR (VMALLOC_START + 0x40000000UL)

/* __flush_tlb_range_limit_excess(): 512 pages or more is one TLBI. */
static void limit_task(void *arg)
{
	uint64_t t = stat(&T, SIM_STAT_tlb_invalidations);

	(void)arg;
	flush_tlb_kernel_range(KADDR, KADDR + 511 * PAGE_SIZE);
	ok(stat(&T, SIM_STAT_tlb_invalidations) - t == 511,
	   "%s: 511 pages: one tlbi vaale1is per page", kver);
	t = stat(&T, SIM_STAT_tlb_invalidations);
	flush_tlb_kernel_range(KADDR, KADDR + 512 * PAGE_SIZE);
	ok(stat(&T, SIM_STAT_tlb_invalidations) - t == 1,
	   "%s: exactly 512 pages: flush_tlb_all(), one tlbi vmalle1is (%llu)",
	   kver,
	   (unsigned long long)(stat(&T, SIM_STAT_tlb_invalidations) - t));
}

/* __change_memory_common(): making a page valid flushes nothing. */
static void pagealloc_task(void *arg)
{
	uint64_t b = stat(&T, SIM_STAT_barriers);
	uint64_t t = stat(&T, SIM_STAT_tlb_invalidations);
	unsigned long pfn = alloc_page(GFP_KERNEL);

	(void)arg;
	ok(stat(&T, SIM_STAT_tlb_invalidations) == t &&
		   stat(&T, SIM_STAT_barriers) - b == 2,
	   "%s: DEBUG_PAGEALLOC alloc: its section's dsb+isb, no TLB flush "
	   "(%llu barriers, %llu TLBIs)",
	   kver, (unsigned long long)(stat(&T, SIM_STAT_barriers) - b),
	   (unsigned long long)(stat(&T, SIM_STAT_tlb_invalidations) - t));
	sim_store(sim_linear_addr(pfn), pfn);
	b = stat(&T, SIM_STAT_barriers);
	__free_page(pfn);
	ok(stat(&T, SIM_STAT_tlb_invalidations) - t == 1 &&
		   stat(&T, SIM_STAT_barriers) - b == 3,
	   "%s: free: the invalid store owes nothing, the flush is dsb "
	   "ishst, tlbi, dsb ish, isb",
	   kver);
}

/*
 * set_p4d(): a new top-level kernel entry goes through set_swapper_pgd(),
 * at once even inside a section; a user pgd entry pays dsb+isb at once.
 */
#define NEW_PGD_ADDR (VMALLOC_END + (1UL << 39)) /* no pgd entry at boot */

static void new_table(unsigned long pfn)
{
	memset(pfn_to_virt_raw(pfn), 0, PAGE_SIZE);
	sim_set_page_flags(pfn, sim_page_flags(pfn) | PG_pgtable);
}

static void p4d_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *pgdp = &m->init_mm.pgd[pt_index(NEW_PGD_ADDR, 3)];
	unsigned long table = alloc_page(GFP_KERNEL);
	uint64_t b, t, w;
	struct mm_struct *mm;

	(void)arg;
	ok(pte_valid(m->init_mm.pgd[pt_index(VMALLOC_START, 3)]) &&
		   !pte_valid(*pgdp),
	   "%s: after boot the vmalloc area's pgd entry exists (the kernel "
	   "image lies there), the next one does not",
	   kver);
	new_table(table);
	b = stat(&T, SIM_STAT_barriers);
	t = stat(&T, SIM_STAT_tlb_invalidations);
	w = stat(&T, SIM_STAT_pte_writes);
	set_table_entry(pgdp, pfn_pte(table, PAGE_KERNEL_TABLE), 3,
			NEW_PGD_ADDR);
	ok(sim_pt_walker_read(pgdp, 0) == *pgdp && pte_valid(*pgdp),
	   "%s: the swapper pgd entry is visible when set_p4d() returns", kver);
	ok(stat(&T, SIM_STAT_pte_writes) - w == 3 &&
		   stat(&T, SIM_STAT_tlb_invalidations) - t == 1 &&
		   stat(&T, SIM_STAT_barriers) - b == 5,
	   "%s: fixmap set (dsb+isb), pgd store, fixmap clear and the "
	   "slot's flush (3 barriers, 1 TLBI) (%llu writes, %llu barriers)",
	   kver, (unsigned long long)(stat(&T, SIM_STAT_pte_writes) - w),
	   (unsigned long long)(stat(&T, SIM_STAT_barriers) - b));

	/*
	 * Inside a section (no kernel path does this) the pgd entry is
	 * still written at once, but the fixmap PTE's own barriers are
	 * queued like any kernel PTE's, and the slot's flush then runs with
	 * them owed: the sanitizer says so.
	 */
	pgdp++;
	table = alloc_page(GFP_KERNEL);
	new_table(table);
	lazy_mmu_mode_enable();
	set_table_entry(pgdp, pfn_pte(table, PAGE_KERNEL_TABLE), 3,
			NEW_PGD_ADDR + (1UL << 39));
	ok(sim_pt_walker_read(pgdp, 0) == *pgdp && pte_valid(*pgdp) &&
		   findings(m, "flush-in-section") == 1,
	   "%s: in a section the pgd entry is not deferred; the fixmap's "
	   "barriers are: flush-in-section",
	   kver);
	lazy_mmu_mode_disable();

	mm = sim_mm_alloc("user");
	table = alloc_page(GFP_KERNEL);
	new_table(table);
	lazy_mmu_mode_enable();
	b = stat(&T, SIM_STAT_barriers);
	set_table_entry(&mm->pgd[0], pfn_pte(table, PAGE_KERNEL_TABLE), 3,
			0x400000);
	ok(stat(&T, SIM_STAT_barriers) - b == 2 &&
		   sim_pt_walker_read(&mm->pgd[0], 0) == mm->pgd[0],
	   "%s: a user pgd entry: dsb ishst + isb at once, in a section too",
	   kver);
	lazy_mmu_mode_disable();
}

/* get_vm_area(): first fit after the kernel image, a guard page each. */
static void place_task(void *arg)
{
	struct vm_struct *a = vmalloc(512), *b = vmalloc(1);
	uint64_t t;

	(void)arg;
	ok(a && a->addr == KIMAGE_VADDR + KIMAGE_SIZE,
	   "%s: the first area starts where the kernel image ends (%#lx)", kver,
	   a ? a->addr : 0);
	ok(a && a->addr % PTE_TABLE_SPAN != 0,
	   "%s: ... which is not 2M aligned: 512 pages span two PTE tables",
	   kver);
	ok(a && b && b->addr == a->addr + 513 * PAGE_SIZE,
	   "%s: the next area follows the first's guard page", kver);
	vfree(a);
	t = stat(&T, SIM_STAT_tlb_invalidations);
	vunmap_range(b->addr, b->addr + PAGE_SIZE);
	ok(stat(&T, SIM_STAT_tlb_invalidations) - t == 1,
	   "%s: vunmap_range() still flushes at once", kver);
	vfree(b);
}

/* vfree() puts the area on the purge list; the purge flushes once. */
static void purge_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	struct vm_struct *a = vmalloc(8);
	unsigned long addr = a->addr, pa;
	uint64_t t = stat(&T, SIM_STAT_tlb_invalidations);
	struct vm_struct *b;

	(void)arg;
	sim_store(addr, 1); /* a TLB entry for the area */
	vfree(a);
	ok(stat(&T, SIM_STAT_tlb_invalidations) == t && m->vmap_lazy_nr == 9,
	   "%s: vfree() flushes nothing; 9 lazy pages (8 and the guard)", kver);
	ok(sim_translate(addr, &pa),
	   "%s: the stale TLB entry survives until the purge", kver);
	b = vmalloc(8);
	ok(b->addr == addr + 9 * PAGE_SIZE,
	   "%s: a lazily freed range is not reused before the purge", kver);
	vfree(b);
	vm_unmap_aliases();
	ok(stat(&T, SIM_STAT_tlb_invalidations) - t == 18 &&
		   m->vmap_lazy_nr == 0,
	   "%s: vm_unmap_aliases(): one flush from the lowest start to the "
	   "highest end (18 pages)",
	   kver);
	ok(!sim_translate(addr, &pa) && findings(m, "bad-access") == 0,
	   "%s: after the purge the address no longer translates", kver);
	b = vmalloc(8);
	ok(b->addr == addr, "%s: after the purge the range is reused", kver);
	vfree(b);

	ok(lazy_max_pages() == 8192, "%s: lazy_max_pages() is 8192 on 1 CPU",
	   kver);
}

static void purge_more_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	uint64_t t = stat(&T, SIM_STAT_tlb_invalidations);

	(void)arg;
	for (int i = 0; i < 4; i++)
		vfree(vmalloc(2047));
	ok(stat(&T, SIM_STAT_tlb_invalidations) == t &&
		   m->vmap_lazy_nr == 4 * 2048,
	   "%s: 8192 lazy pages, not past lazy_max_pages(): no flush", kver);
	vfree(vmalloc(2047));
	ok(stat(&T, SIM_STAT_tlb_invalidations) - t == 1 &&
		   m->vmap_lazy_nr == 0,
	   "%s: the 5th vfree passes it: the purge, one full flush", kver);
}

/* A use after vfree() through the stale TLB entry: stale-tlb. */
static void use_after_vfree_task(void *arg)
{
	struct vm_struct *a = vmalloc(1);
	unsigned long addr = a->addr;

	(void)arg;
	sim_store(addr, 1);
	vfree(a);
	sim_load(addr);
	ok(findings(sim_machine(), "stale-tlb") == 1,
	   "%s: a load after vfree() reaches the freed frame through the "
	   "stale TLB entry: stale-tlb",
	   kver);
}

/*
 * __switch_to() has no isb: a task's deferred store, published by the
 * switch's dsb, stays hidden from the old CPU's walker after the task
 * paid its barriers on another CPU. A later access from the old CPU takes
 * a spurious fault the kernel recovers: no deferred access, the section
 * had paid.
 */
static int lag_step;

static void lag_writer(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long pfn = alloc_page(GFP_KERNEL);
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);

	(void)arg;
	sim_phys_write(pfn << PAGE_SHIFT, 42);
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	steer_migrate = 1;
	want_preempt = true;
	sim_sched_point(); /* preempted on CPU0, resumed on CPU1 */
	ok(smp_processor_id() == 1 && sim_pt_walker_read(ptep, 0) == 0 &&
		   sim_pt_walker_read(ptep, 1) == *ptep,
	   "%s: moved to CPU1; the switch's dsb published the store to CPU1's "
	   "walker, not CPU0's",
	   kver);
	lazy_mmu_mode_disable(); /* dsb+isb on CPU1 */
	lag_step = 1;
	want_cpu = 0;
	sim_sched_point();
}

static void lag_reader(void *arg)
{
	struct sim_machine *m = sim_machine();

	(void)arg;
	while (lag_step < 1)
		run_on(1);
	ok(sim_load(KADDR) == 42 && stat(&T, SIM_STAT_spurious_faults) == 1 &&
		   findings(m, "deferred-access") == 0,
	   "%s: CPU0, no isb since, faults spuriously on it after the writer "
	   "paid: recovered, no deferred-access (%s)",
	   kver, finding_text(m, "deferred-access"));
}

static void one_cpus(const char *name, void (*fn)(void *), bool dpa,
		     unsigned long frames, unsigned int cpus,
		     void (*fn2)(void *))
{
	struct sim_options opt = simtest_options("arm64", kver, cpus);

	diag("%s %s", kver, name);
	opt.debug_pagealloc = dpa;
	if (frames)
		opt.nr_frames = frames;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, name, 0, fn, NULL);
	if (fn2)
		sim_spawn(T.m, "other", 0, fn2, NULL);
	sim_run(T.m);
}

static void one(const char *name, void (*fn)(void *), bool dpa,
		unsigned long frames)
{
	one_cpus(name, fn, dpa, frames, 1, NULL);
}

int main(void)
{
	static const char *const versions[] = { "6.16", "7.0" };

	for (int v = 0; v < 2; v++) {
		kver = versions[v];
		one("limit", limit_task, false, 0);
		simtest_fini(&T);
		one("pagealloc", pagealloc_task, true, 0);
		ok(T.m->nr_findings == 0, "%s: no findings", kver);
		simtest_fini(&T);
		one("p4d", p4d_task, false, 0);
		ok(T.m->nr_findings == 1, "%s: no other finding (%s)", kver,
		   T.m->nr_findings ? T.m->findings[0].message : "");
		simtest_fini(&T);
		one("place", place_task, false, 0);
		simtest_fini(&T);
		one("purge", purge_task, false, 3000);
		ok(T.m->nr_findings == 0, "%s: no findings", kver);
		/* sim_reset(): back to boot, the vmalloc area empty again */
		sim_reset(T.m);
		ok(!T.m->vmap_areas && !T.m->vmap_lazy_nr,
		   "%s: sim_reset() forgets the vmap areas and the lazy pages",
		   kver);
		sim_spawn(T.m, "place", 0, place_task, NULL);
		sim_run(T.m);
		simtest_fini(&T);
		one("purge-more", purge_more_task, false, 3000);
		simtest_fini(&T);
		one("use-after-vfree", use_after_vfree_task, false, 0);
		simtest_fini(&T);
		lag_step = 0;
		one_cpus("lag", lag_writer, false, 0, 2, lag_reader);
		ok(T.m->nr_findings == 0, "%s: no findings", kver);
		simtest_fini(&T);
	}
	return tap_done();
}
