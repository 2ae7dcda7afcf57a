// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The default tour: what `lazymmu` with no arguments (and `make run`) shows.
 */
#include <stdio.h>

#include "check/run.h"
#include "sim/arch.h"
#include "cli/lmm.h"

/*
 * vmalloc barriers on arm64 with the mode off and on, next to the time
 * change Ryan Roberts measured for test_vmalloc.ko fix_size_alloc_test on
 * an Apple M2 ("[PATCH v4 0/11] Perf improvements for hugetlb and vmalloc
 * on arm64", 2025-04-22).
 */
static int tour_vmalloc(void)
{
	static const struct {
		unsigned long pages;
		const char *m2;
	} rows[] = { { 1, "+2.14%" },
		     { 4, "-9.93%" },
		     { 16, "-25.07%" },
		     { 64, "-29.43%" },
		     { 512, "-31.96%" } };
	struct lmm_run_config c;
	struct lmm_run_result r;
	char err[160];

	puts("vmalloc() + touch + vfree() on arm64 (kernel 7.1, 1 CPU): barrier "
	     "instructions\n(dsb, isb) with the lazy MMU mode off and on.\n");
	printf("%6s %12s %12s %10s %14s %10s\n", "pages", "barriers off",
	       "barriers on", "saved", "batch flushes", "M2 time*");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t b[2], flushes = 0;

		for (int lazy = 0; lazy < 2; lazy++) {
			lmm_run_defaults(&c);
			c.pages = rows[i].pages;
			c.lazy = lazy;
			c.sched = "rr";
			if (lmm_run(&c, &r, err, sizeof(err))) {
				fprintf(stderr, "lazymmu: %s\n", err);
				return LMM_EXIT_USAGE;
			}
			b[lazy] = sim_stats_total(&r.stats, SIM_STAT_barriers);
			if (lazy)
				flushes = sim_stats_total(
					&r.stats, SIM_STAT_batch_flushes);
			lmm_run_result_free(&r);
		}
		printf("%6lu %12llu %12llu %9.1f%% %14llu %10s\n",
		       rows[i].pages, (unsigned long long)b[0],
		       (unsigned long long)b[1],
		       100.0 * (double)(b[0] - b[1]) / (double)b[0],
		       (unsigned long long)flushes, rows[i].m2);
	}
	puts("\n* time change of the real thing, vmalloc with barrier batching, "
	     "Apple M2\n  (Roberts, v4 cover letter, 2025-04-22).\n\n"
	     "The area starts where the kernel image ends, 448 pages before "
	     "a 2M boundary.\nWith the mode off each PTE store pays dsb "
	     "ishst + isb. With it on, each PTE\ntable's section pays one "
	     "pair at its end (1 table up to 448 pages, 2 at 512),\nand a "
	     "new PTE table's pmd entry, written outside the sections, one "
	     "pair at once\n(512 pages: 2 + 2 + 2 = 6). vfree() flushes no "
	     "TLB: the area waits on the lazy\npurge list, below "
	     "lazy_max_pages() (8192 pages on 1 CPU).\n");
	return LMM_EXIT_CLEAN;
}

/*
 * The same vmalloc on every architecture model, each counted in what it
 * defers: arm64 barriers, powerpc-hash and sparc64 invalidations, Xen PV
 * hypercalls, s390 IPTEs (mainline has no lazy mode; Gordeev's series is
 * its own kernel label). "off" and "on" are --lazy off and on.
 */
static int tour_arches(void)
{
	static const struct {
		const char *arch, *kernel, *head;
		enum sim_stat on, off; /* the counter, mode on and off */
	} cols[] = {
		{ "arm64", "7.1", "arm64 dsb/isb", SIM_STAT_barriers,
		  SIM_STAT_barriers },
		/* off, each invalidation is flushed on its own */
		{ "ppc64-hash", "7.1", "ppc64 flushes", SIM_STAT_batch_flushes,
		  SIM_STAT_tlb_invalidations },
		{ "xen-pv", "7.1", "xen hypercalls", SIM_STAT_hypercalls,
		  SIM_STAT_hypercalls },
		{ "s390", "7.1", "s390 IPTEs", SIM_STAT_tlb_invalidations,
		  SIM_STAT_tlb_invalidations },
		{ "s390", "7.1+lazy-v6", "+lazy-v6 IPTEs",
		  SIM_STAT_tlb_invalidations, SIM_STAT_tlb_invalidations },
	};

	static const unsigned long pages[] = { 1, 8, 64, 512 };
	struct lmm_run_config c;
	struct lmm_run_result r;
	char err[160];

	puts("The same vmalloc() + touch + vfree() on each architecture "
	     "model (kernel 7.1,\n1 CPU), counted in what each defers, "
	     "lazy MMU mode off -> on:\n");
	printf("%6s", "pages");
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		if (sim_arch_find(cols[k].arch, cols[k].kernel))
			printf(" %14s", cols[k].head);
	putchar('\n');
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		printf("%6lu", pages[i]);
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			uint64_t v[2];
			char cell[32];

			if (!sim_arch_find(cols[k].arch, cols[k].kernel))
				continue;
			for (int lazy = 0; lazy < 2; lazy++) {
				lmm_run_defaults(&c);
				c.arch = cols[k].arch;
				c.kernel = cols[k].kernel;
				c.pages = pages[i];
				c.lazy = lazy;
				c.sched = "rr";
				if (lmm_run(&c, &r, err, sizeof(err))) {
					fprintf(stderr, "lazymmu: %s\n", err);
					return LMM_EXIT_USAGE;
				}
				v[lazy] = sim_stats_total(&r.stats,
							  lazy ? cols[k].on :
								 cols[k].off);
				lmm_run_result_free(&r);
			}
			snprintf(cell, sizeof(cell), "%llu -> %llu",
				 (unsigned long long)v[0],
				 (unsigned long long)v[1]);
			printf(" %14s", cell);
		}
		putchar('\n');
	}
	puts("\nppc64-hash invalidates one HPTE per page either way: off, "
	     "each is flushed on\nits own; on, they go in batches of up to "
	     "192 (ppc64_tlb_batch), one flush\neach. xen-pv's vfree() "
	     "clears with a native xchg that traps once per page\nin either "
	     "mode. sparc64 batches user mappings only: vmalloc leaves it "
	     "nothing\nto defer. s390 mainline has no lazy MMU mode; "
	     "Gordeev's series (7.1+lazy-v6)\nbatches IPTEs per PTE table.");
	return LMM_EXIT_CLEAN;
}

/* The sanitizer on a deliberately wrong caller. */
static int tour_sanitizer(void)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	char err[160];

	lmm_run_defaults(&c);
	c.workload = "vmalloc-touch-early";
	c.pages = 2;
	c.sched = "rr";
	if (lmm_run(&c, &r, err, sizeof(err))) {
		fprintf(stderr, "lazymmu: %s\n", err);
		return LMM_EXIT_USAGE;
	}
	puts("\nThe sanitizer on a caller that writes its pages inside the "
	     "section that maps\nthem (lazymmu run --workload "
	     "vmalloc-touch-early --pages 2):\n");
	for (size_t i = 0; i < r.nr_findings; i++)
		lmm_print_finding(stdout, &r.findings[i]);
	lmm_run_result_free(&r);
	return LMM_EXIT_CLEAN;
}

int lmm_cmd_tour(int argc, char **argv)
{
	int ret;

	(void)argc;
	(void)argv;
	puts("lazymmu: Linux's lazy MMU mode, outside the kernel.\n");
	ret = tour_vmalloc();
	if (!ret)
		ret = tour_arches();
	if (ret)
		return ret;
	putchar('\n');
	puts("The Linux 7.0 lazy MMU API, call by call (lazymmu explain):\n");
	ret = lmm_cmd_explain(0, NULL);
	if (!ret)
		ret = tour_sanitizer();
	puts("\nMore: lazymmu list; lazymmu run --arch arm64 --workload vmalloc "
	     "[--kernel 6.16]\n      [--lazy off] [--cpus 4] "
	     "[--debug-pagealloc] [--json]; lazymmu explain --help");
	return ret;
}
