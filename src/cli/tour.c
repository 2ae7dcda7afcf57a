// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The default tour: what `lazymmu` with no arguments (and `make run`) shows.
 */
#include <stdio.h>
#include <string.h>

#include "check/run.h"
#include "mm/mm.h"
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

/*
 * What each model defers, as a counter with the mode off and on: arm64 the
 * barriers; powerpc hash and sparc64 one flush per invalidation off, one
 * per batch on; Xen PV the hypercalls; s390 the IPTEs. An arch added later
 * without a row here is counted in batch flushes off and on.
 */
static const struct tour_cost {
	const char *arch, *unit;
	enum sim_stat off, on;
} tour_costs[] = {
	{ "arm64", "dsb/isb", SIM_STAT_barriers, SIM_STAT_barriers },
	{ "ppc64-hash", "flushes", SIM_STAT_tlb_invalidations,
	  SIM_STAT_batch_flushes },
	{ "sparc64", "flushes", SIM_STAT_tlb_invalidations,
	  SIM_STAT_batch_flushes },
	{ "xen-pv", "hypercalls", SIM_STAT_hypercalls, SIM_STAT_hypercalls },
	{ "s390", "IPTEs", SIM_STAT_tlb_invalidations,
	  SIM_STAT_tlb_invalidations },
	{ NULL, "flushes", SIM_STAT_batch_flushes, SIM_STAT_batch_flushes },
};

#define TOUR_MAX_MODELS 16
#define TOUR_PAGES 16

struct tour_model {
	const char *arch, *kernel;
	char head[16];
	const struct tour_cost *cost;
	bool lazy; /* the model has a lazy MMU mode: a column */
};

/*
 * The models: every arch at the newest kernel, then every proposed series
 * (a kernel label) on its arch, in registry order.
 */
static size_t tour_models(struct tour_model *m)
{
	size_t n = 0;

	for (const char *const *a = sim_arch_names; *a; a++) {
		const struct sim_arch_ops *ops =
			sim_arch_find(*a, lmm_newest_kernel);

		if (!ops || n == TOUR_MAX_MODELS)
			continue;
		m[n].arch = *a;
		m[n].kernel = lmm_newest_kernel;
		snprintf(m[n].head, sizeof(m[n].head), "%s", *a);
		m[n].lazy = ops->lazy != SIM_LAZY_OFF;
		n++;
	}
	for (const struct sim_kernel_label *l = sim_kernel_labels; l->name;
	     l++) {
		const struct sim_arch_ops *ops =
			sim_arch_find(l->arch, l->name);
		const char *plus = strchr(l->name, '+');

		if (!ops || n == TOUR_MAX_MODELS)
			continue;
		m[n].arch = l->arch;
		m[n].kernel = l->name;
		/* "lazy-v6": the series' part of the label */
		snprintf(m[n].head, sizeof(m[n].head), "%s",
			 plus ? plus + 1 : l->name);
		m[n].lazy = ops->lazy != SIM_LAZY_OFF;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		m[i].cost = tour_costs;
		while (m[i].cost->arch && strcmp(m[i].cost->arch, m[i].arch))
			m[i].cost++;
	}
	return n;
}

/* "  kind N, kind N" of a run's findings, kinds in order of appearance. */
static void tour_findings(char *buf, size_t len, const struct lmm_run_result *r)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < r->nr_findings; i++) {
		const char *kind = r->findings[i].kind;
		size_t n = 0, j;

		for (j = 0; j < i && strcmp(r->findings[j].kind, kind); j++)
			;
		if (j < i)
			continue; /* counted at its first */
		for (j = i; j < r->nr_findings; j++)
			n += !strcmp(r->findings[j].kind, kind);
		used += (size_t)snprintf(buf + used,
					 used < len ? len - used : 0,
					 "%s%s %zu", used ? ", " : "", kind, n);
	}
}

/*
 * The matrix: every workload (lmm_workloads[]) on every model, lazy MMU
 * mode off > on, counted in what the model defers (a column per model
 * with a lazy MMU mode), then the findings of every run (the models
 * without a mode included). TOUR_PAGES pages, 1 CPU, round-robin: no
 * preemption, no interrupt, the same numbers every time.
 */
static int tour_matrix(void)
{
	struct tour_model models[TOUR_MAX_MODELS];
	size_t n = tour_models(models), lines = 0;
	char found[64][160];
	size_t nr_found = 0;

	printf("\nEvery workload on every model (kernel %s, %d pages, 1 CPU, "
	       "round-robin),\ncounted in what each model defers, lazy MMU "
	       "mode off>on:\n\n%-19s",
	       lmm_newest_kernel, TOUR_PAGES, "");
	for (size_t k = 0; k < n; k++)
		if (models[k].lazy)
			printf(" %11s", models[k].head);
	printf("\n%-19s", "workload");
	for (size_t k = 0; k < n; k++)
		if (models[k].lazy)
			printf(" %11s", models[k].cost->unit);
	putchar('\n');
	for (const struct lmm_workload *w = lmm_workloads; w->name; w++) {
		printf("%-19s", w->name);
		for (size_t k = 0; k < n; k++) {
			uint64_t v[2] = { 0, 0 };
			char cell[32] = "n/a", what[100];
			bool ran = true;

			for (int lazy = 0; lazy < 2; lazy++) {
				struct lmm_run_config c;
				struct lmm_run_result r;
				char err[160];

				if (!models[k].lazy && !lazy)
					continue; /* off and on are the same */
				lmm_run_defaults(&c);
				c.arch = models[k].arch;
				c.kernel = models[k].kernel;
				c.workload = w->name;
				c.pages = TOUR_PAGES;
				c.lazy = lazy;
				c.sched = "rr";
				if (lmm_run(&c, &r, err, sizeof(err))) {
					ran = false;
					continue;
				}
				v[lazy] = sim_stats_total(
					&r.stats, lazy ? models[k].cost->on :
							 models[k].cost->off);
				tour_findings(what, sizeof(what), &r);
				if (what[0] && nr_found < 64)
					snprintf(found[nr_found++],
						 sizeof(found[0]),
						 "  %s on %s%s: %s", w->name,
						 models[k].head,
						 !models[k].lazy ? "" :
						 lazy		 ? " (on)" :
								   " (off)",
						 what);
				lmm_run_result_free(&r);
			}
			if (!models[k].lazy)
				continue;
			if (ran)
				snprintf(cell, sizeof(cell), "%llu>%llu",
					 (unsigned long long)v[0],
					 (unsigned long long)v[1]);
			printf(" %11s", cell);
		}
		putchar('\n');
		lines++;
	}
	putchar('\n');
	for (size_t k = 0; k < n; k++)
		if (models[k].lazy && strcmp(models[k].head, models[k].arch))
			printf("%s: %s at kernel %s, a proposed series\n",
			       models[k].head, models[k].arch,
			       models[k].kernel);
	printf("\nFindings of those runs (the models without a lazy MMU mode "
	       "too):\n");
	for (size_t i = 0; i < nr_found; i++)
		puts(found[i]);
	if (!nr_found)
		puts("  none");
	puts("\nvmalloc-touch-early is wrong on purpose (the sanitizer's "
	     "example below). A\nflush-in-section is a caller that flushes "
	     "the TLB before it leaves the section\n(the kernel's own order "
	     "in some paths); lazymmu run prints, per arch, whether\nharm "
	     "can follow. ctxsw's tasks are never switched under "
	     "round-robin: the Xen\n7.0 window needs the random policy "
	     "(lazymmu run --arch xen-pv --kernel 7.0\n--workload ctxsw "
	     "--pages 32 --seed 2) or the model checker.");
	return lines ? LMM_EXIT_CLEAN : LMM_EXIT_USAGE;
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
	if (!ret)
		ret = tour_matrix();
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
