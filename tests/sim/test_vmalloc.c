// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * vmalloc/vfree on arm64 and generic, end to end: barrier counts with the
 * mode off and on, no findings on 7.0 under random scheduling, interrupts
 * and DEBUG_PAGEALLOC, a deliberately wrong caller, determinism.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "mm/mm.h"
#include "simtest.h"

static struct simtest T;
static unsigned long nr_pages;
static uint64_t vmap_barriers;

/*
 * vmalloc() after boot: the area starts right after the kernel image, 448
 * pages before a 2M boundary, in the PTE table that maps the image's end.
 */
static void vmap_task(void *arg)
{
	struct vm_struct *area;
	uint64_t b;

	(void)arg;
	b = stat(&T, SIM_STAT_barriers);
	area = vmalloc(nr_pages);
	vmap_barriers = stat(&T, SIM_STAT_barriers) - b;
	for (unsigned long i = 0; i < nr_pages; i++)
		sim_store(area->addr + i * PAGE_SIZE, i);
	vfree(area);
}

static uint64_t vmap_run(const char *kernel, bool lazy, unsigned long pages)
{
	diag("vmalloc(%lu) on arm64 %s, lazy %s", pages, kernel,
	     lazy ? "on" : "off");
	simtest_init(&T, "arm64", kernel, 1, false, NULL);
	if (!lazy)
		T.m->opt.lazy = SIM_LAZY_OFF;
	nr_pages = pages;
	sim_spawn(T.m, "vmap", 0, vmap_task, NULL);
	sim_run(T.m);
	ok(T.m->nr_findings == 0, "no findings");
	simtest_fini(&T);
	return vmap_barriers;
}

/* A wrong caller: touches the new mapping before closing its section. */
static void wrong_caller(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long addr = VMALLOC_START, pfn = alloc_page(GFP_KERNEL);
	pte_t *pte = pte_offset_kernel_alloc(addr);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, addr, pte, pfn_pte(pfn, PAGE_KERNEL));
	sim_store(addr, 1); /* too early */
	lazy_mmu_mode_disable();
}

/* Many sections' worth of tracked entries first, then the wrong caller. */
static void churn_then_wrong(void *arg)
{
	for (int i = 0; i < 3; i++)
		vfree(vmalloc(1500));
	wrong_caller(arg);
}

static void run_ok(struct lmm_run_config *c, struct lmm_run_result *r)
{
	char err[160];

	if (lmm_run(c, r, err, sizeof(err))) {
		printf("# %s\n", err);
		abort();
	}
}

static bool same_result(const struct lmm_run_result *a,
			const struct lmm_run_result *b)
{
	if (memcmp(&a->stats, &b->stats, sizeof(a->stats)) ||
	    a->nr_findings != b->nr_findings || a->points != b->points)
		return false;
	for (size_t i = 0; i < a->nr_findings; i++)
		if (strcmp(a->findings[i].message, b->findings[i].message))
			return false;
	return true;
}

int main(void)
{
	static const char *const kernels[] = { "6.16", "7.0" };
	struct lmm_run_config c;
	struct lmm_run_result r, r2;
	uint64_t b;

	for (int k = 0; k < 2; k++) {
		/* 448 PTEs in the image's last table, 64 in a new one */
		b = vmap_run(kernels[k], false, 512);
		ok(b == 1024 + 2,
		   "%s lazy off: 512 PTEs and one new table cost 1026 "
		   "barriers (%llu)",
		   kernels[k], (unsigned long long)b);
		b = vmap_run(kernels[k], true, 512);
		ok(b == 2 * 2 + 2,
		   "%s lazy on: one dsb+isb per PTE table, one for the new "
		   "table (%llu)",
		   kernels[k], (unsigned long long)b);
		/* 1000 pages: 448 + 512 + 40, two new tables */
		b = vmap_run(kernels[k], true, 1000);
		ok(b == 3 * 2 + 2 * 2,
		   "%s lazy on, 1000 pages: one pair per PTE table, one per "
		   "new table (%llu)",
		   kernels[k], (unsigned long long)b);
	}

	/* the whole workload through lmm_run, as `lazymmu run` does */
	lmm_run_defaults(&c);
	c.sched = "rr";
	c.lazy = false;
	run_ok(&c, &r);
	b = sim_stats_total(&r.stats, SIM_STAT_barriers);
	lmm_run_result_free(&r);
	c.lazy = true;
	run_ok(&c, &r);
	ok(b == 1026 && sim_stats_total(&r.stats, SIM_STAT_barriers) == 6,
	   "run: lazy on saves 1020 of %llu barriers", (unsigned long long)b);
	ok(sim_stats_total(&r.stats, SIM_STAT_pte_writes) == 512 + 513 + 1,
	   "run: 512 maps, 513 clears (the guard page's too), 1 table entry");
	ok(sim_stats_total(&r.stats, SIM_STAT_batch_flushes) == 2,
	   "run: two batch flushes (the map sections; the unmap owes "
	   "nothing)");
	ok(sim_stats_total(&r.stats, SIM_STAT_tlb_invalidations) == 0,
	   "run: vfree() flushes nothing: 513 lazy pages are below "
	   "lazy_max_pages() (8192)");
	lmm_run_result_free(&r);

	c.arch = "generic";
	run_ok(&c, &r);
	ok(sim_stats_total(&r.stats, SIM_STAT_barriers) == 0 &&
		   sim_stats_total(&r.stats, SIM_STAT_lazy_calls) == 0 &&
		   r.nr_findings == 0,
	   "generic (x86 native): no barriers, no lazy calls, no findings");
	lmm_run_result_free(&r);

	/* no findings on 7.0 (and 6.16) under random scheduling */
	for (int k = 0; k < 2; k++) {
		for (uint64_t seed = 1; seed <= 4; seed++) {
			lmm_run_defaults(&c);
			c.kernel = kernels[k];
			c.cpus = 4;
			c.pages = 300;
			c.seed = seed;
			c.debug_pagealloc = true;
			run_ok(&c, &r);
			ok(r.nr_findings == 0 &&
				   sim_stats_total(&r.stats,
						   SIM_STAT_context_switches) >
					   0 &&
				   sim_stats_total(&r.stats,
						   SIM_STAT_interrupts) > 0,
			   "%s, 4 CPUs, DEBUG_PAGEALLOC, seed %llu: no findings "
			   "(%llu switches, %llu interrupts)%s%s",
			   kernels[k], (unsigned long long)seed,
			   (unsigned long long)sim_stats_total(
				   &r.stats, SIM_STAT_context_switches),
			   (unsigned long long)sim_stats_total(
				   &r.stats, SIM_STAT_interrupts),
			   r.nr_findings ? ": " : "",
			   r.nr_findings ? r.findings[0].message : "");
			lmm_run_result_free(&r);
		}
	}

	/* determinism */
	lmm_run_defaults(&c);
	c.cpus = 3;
	c.pages = 200;
	c.debug_pagealloc = true;
	c.seed = 99;
	run_ok(&c, &r);
	run_ok(&c, &r2);
	ok(same_result(&r, &r2), "same seed: identical counters and findings");
	lmm_run_result_free(&r2);
	c.seed = 100;
	run_ok(&c, &r2);
	ok(!same_result(&r, &r2), "another seed: another run");
	lmm_run_result_free(&r);
	lmm_run_result_free(&r2);

	/* the wrong caller */
	for (int k = 0; k < 2; k++) {
		simtest_init(&T, "arm64", kernels[k], 1, false, NULL);
		sim_spawn(T.m, "wrong", 0, wrong_caller, NULL);
		sim_run(T.m);
		ok(findings(T.m, "deferred-access") == 1 &&
			   strstr(finding_text(T.m, "deferred-access"),
				  "wrong_caller"),
		   "%s: access inside the section before disable: %s",
		   kernels[k], finding_text(T.m, "deferred-access"));
		simtest_fini(&T);
	}
	simtest_init(&T, "arm64", "7.0", 1, true, NULL);
	sim_spawn(T.m, "churn", 0, churn_then_wrong, NULL);
	sim_run(T.m);
	ok(findings(T.m, "deferred-access") == 1 &&
		   findings(T.m, "bad-access") == 1 && T.m->nr_findings == 2,
	   "after 4500 tracked entries the sanitizer still finds exactly the "
	   "one deferred access, and the machine its oops (%zu findings)",
	   T.m->nr_findings);
	simtest_fini(&T);

	/* once reported a barrier-in-flight race as a deferred access */
	lmm_run_defaults(&c);
	c.cpus = 5;
	c.pages = 3;
	c.tlb_entries = 8;
	c.tlb_random_evict = true;
	/* 2357 before spinlocks blocked; any seed with spurious faults */
	c.seed = 2;
	run_ok(&c, &r);
	ok(r.nr_findings == 0,
	   "5 CPUs sharing a PTE table, barriers in flight: no finding");
	lmm_run_result_free(&r);

	lmm_run_defaults(&c);
	c.cpus = 4;
	c.pages = 2048;
	c.debug_pagealloc = true;
	run_ok(&c, &r);
	ok(r.nr_findings == 0,
	   "4 CPUs x 2048 pages, DEBUG_PAGEALLOC: no findings");
	lmm_run_result_free(&r);
	return tap_done();
}
