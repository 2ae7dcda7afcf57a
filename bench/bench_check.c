// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * bench_check - the model checker's speed (issue 11): executions per second
 * on small workloads (2 CPUs), the time to exhaust the default bounds of
 * `lazymmu check` on each workload, and the time to the first finding of
 * each bug it must find. Ends with grep-able lines:
 *
 *	SUMMARY bench_check rate workload=... executions=... per_s=... cpu_per_s=...
 *	SUMMARY bench_check exhaust arch=... workload=... executions=... seconds=...
 *	SUMMARY bench_check first arch=... kernel=... workload=... seconds=...
 *
 * Every workload of the registry (lmm_workloads[]) is exhausted on arm64;
 * --matrix also on every other model; --quick exhausts vmalloc and vunmap
 * only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "check/explore.h"
#include "check/run.h"
#include "mm/mm.h"

static const char usage[] =
	"[--quick] [--out DIR] [--reps N] [--seed S] [--matrix]";

struct job {
	struct lmm_run_config rc;
	const struct lmm_workload *w;
	struct lmm_workload_params params;
	struct mc_config c;
};

static void spawn(struct sim_machine *m, void *arg)
{
	struct job *j = arg;

	lmm_run_spawn(m, j->w, &j->params);
}

/* The check of `lazymmu check` with these options; false if unmodelled. */
static bool setup(struct job *j, const char *arch, const char *kernel,
		  const char *workload, const char *design, unsigned long pages,
		  unsigned int bound, bool irq)
{
	const struct lmm_workload *w;
	char err[320];

	memset(j, 0, sizeof(*j));
	w = lmm_workload_find(workload);
	if (!w)
		return false;
	/* as lazymmu check: the fewest pages that reach the chain */
	if (w->check_pages > pages)
		pages = w->check_pages;
	lmm_run_defaults(&j->rc);
	j->rc.arch = arch;
	j->rc.kernel = kernel;
	j->rc.workload = workload;
	j->rc.design = design;
	j->rc.pages = pages;
	j->rc.cpus = 2;
	j->rc.debug_pagealloc = design != NULL;
	if (lmm_run_options(&j->rc, &j->c.opt, &j->w, err, sizeof(err))) {
		fprintf(stderr, "bench_check: %s\n", err);
		return false;
	}
	j->params.pages = pages;
	if (irq) {
		j->c.opt.irq_handler = j->w->irq;
		j->c.opt.irq_arg = &j->params;
	}
	j->c.spawn = spawn;
	j->c.spawn_arg = j;
	j->c.sanitize = true;
	j->c.preemption_bound = bound;
	j->c.reduce = true;
	return true;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void rate(const char *workload, unsigned long pages, unsigned int bound,
		 unsigned int reps)
{
	struct job j;
	double best = 0, best_cpu = 0;
	uint64_t execs = 0;

	if (!setup(&j, "arm64", "7.1", workload, NULL, pages, bound, false))
		return;
	for (unsigned int r = 0; r < reps; r++) {
		struct mc_result res;
		double c0 = thread_cpu_s(), cpu;

		mc_explore(&j.c, &res);
		cpu = thread_cpu_s() - c0;
		execs = res.executions + res.redundant;
		if (res.seconds > 0 && execs / res.seconds > best)
			best = execs / res.seconds;
		if (cpu > 0 && execs / cpu > best_cpu)
			best_cpu = execs / cpu;
		mc_result_free(&res);
	}
	printf("%-22s %2lu pages, bound %u, irq off: %8llu executions, "
	       "%9.0f/s (%9.0f/s of CPU)\n",
	       workload, pages, bound, (unsigned long long)execs, best,
	       best_cpu);
	printf("SUMMARY bench_check rate workload=%s pages=%lu bound=%u "
	       "executions=%llu per_s=%.0f cpu_per_s=%.0f\n",
	       workload, pages, bound, (unsigned long long)execs, best,
	       best_cpu);
}

static void exhaust(const char *arch, const char *workload)
{
	struct job j;
	struct mc_result res;

	/* the defaults of lazymmu check: 4 pages, bound 2, interrupts on */
	if (!setup(&j, arch, "7.1", workload, NULL, 4, 2, true))
		return;
	mc_explore(&j.c, &res);
	printf("%-10s %-22s exhausted: %9llu executions in %7.2f s (%s)\n",
	       arch, workload, (unsigned long long)res.executions, res.seconds,
	       res.complete ? "complete" : "incomplete");
	printf("SUMMARY bench_check exhaust arch=%s workload=%s executions=%llu "
	       "seconds=%.3f complete=%d\n",
	       arch, workload, (unsigned long long)res.executions, res.seconds,
	       res.complete);
	mc_result_free(&res);
}

static void first(const char *arch, const char *kernel, const char *workload,
		  const char *design, const char *kind)
{
	struct job j;
	struct mc_result res;
	bool found = false;

	if (!setup(&j, arch, kernel, workload, design, 4, 2, true))
		return;
	j.c.stop_on_first = true;
	mc_explore(&j.c, &res);
	for (size_t i = 0; i < res.nr_findings; i++)
		found |= !strcmp(res.findings[i].f.kind, kind);
	printf("%-8s %-4s %-20s %-8s first %s: %s after %llu executions, "
	       "%.3f s\n",
	       arch, kernel, workload, design ? design : "", kind,
	       found ? "found" : "NOT found",
	       (unsigned long long)res.executions, res.seconds);
	printf("SUMMARY bench_check first arch=%s kernel=%s workload=%s "
	       "design=%s kind=%s found=%d executions=%llu seconds=%.3f\n",
	       arch, kernel, workload, design ? design : "-", kind, found,
	       (unsigned long long)res.executions, res.seconds);
	mc_result_free(&res);
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .name = "bench_check", .seed = 1 };
	static const char *const others[] = { "generic", "ppc64-hash",
					      "sparc64", "xen-pv",
					      "s390",	 NULL };
	bool matrix = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--matrix"))
			matrix = true;
		else if (!bench_parse_common(&o, usage, argc, argv, &i))
			bench_usage_error(&o, usage, "unknown option", argv[i]);
	}
	if (!o.reps)
		o.reps = o.quick ? 1 : 3;
	printf("executions per second (2 CPUs, sleep sets):\n");
	rate("vmalloc", 2, 2, o.reps);
	rate("vunmap", 1, 2, o.reps);
	rate("ctxsw", 2, 2, o.reps);
	rate("pagemap-wp", 2, 2, o.reps);
	printf("\ntime to the first finding (defaults: 4 pages, bound 2, "
	       "irq on):\n");
	first("xen-pv", "7.0", "vmalloc", NULL, "arch-bug");
	first("xen-pv", "7.0", "ctxsw", NULL, "arch-bug");
	first("arm64", "7.1", "vmalloc-touch-early", NULL, "deferred-access");
	first("arm64", "7.0", "alloc-write", "noflush", "deferred-access");
	first("arm64", "7.0", "debug-pagealloc", "noflush", "deferred-access");
	printf("\ntime to exhaust the defaults (arm64 7.1, 4 pages, bound 2, "
	       "irq on):\n");
	/* every shipped workload (the registry), as the issue asks */
	for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
		if (!o.quick || !strcmp(w->name, "vmalloc") ||
		    !strcmp(w->name, "vunmap"))
			exhaust("arm64", w->name);
	if (!matrix)
		return 0;
	/* --matrix: every other model too (minutes) */
	printf("\ntime to exhaust the defaults, every other model (7.1):\n");
	for (const char *const *a = others; *a; a++)
		for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
			exhaust(*a, w->name);
	return 0;
}
