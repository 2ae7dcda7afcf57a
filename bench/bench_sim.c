// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * bench_sim: how fast the simulated machine runs, and what the sanitizer
 * costs. Runs the vmalloc workload through lmm_run() (as `lazymmu run`
 * does) on one CPU and on four, under round-robin and random scheduling,
 * with the lazy MMU mode on and off, each with the sanitizer on and off,
 * and reports simulated PTE writes and scheduling points per second of
 * host time. The sanitizer's cost is the ratio of the two timings of each
 * pair, run alternately so that drift of a shared machine hits both alike.
 *
 *	bench_sim [--quick] [--out DIR] [--reps N] [--seed S] [--arch A]
 *		  [--pages N]
 *
 * Ends with grep-able lines:
 *	SUMMARY bench_sim arch=... cpus=... pages=... sched=... lazy=...
 *		sanitize=... pte_writes_per_s=... points_per_s=...
 *	SUMMARY bench_sim sanitizer_overhead=1.23x ...
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/run.h"
#include "sim/stats.h"

#include "bench.h"

static const char usage[] =
	"[--quick] [--out DIR] [--reps N] [--seed S] [--arch A] [--pages N]";

struct sim_case {
	unsigned int cpus;
	unsigned long pages; /* per CPU */
	const char *sched;
	bool lazy;
	bool sanitize;
	/* results */
	const char *kernel;
	uint64_t pte_writes;
	uint64_t points;
	size_t findings;
	bool varied; /* counters differed between repetitions */
	uint64_t best_ns;
	uint64_t median_ns;
};

struct sim_bench {
	struct bench_opts o;
	const char *arch;
	unsigned long pages; /* of the 1-CPU runs; 4 CPUs run a quarter each */
};

static double per_s(uint64_t n, uint64_t ns)
{
	return ns ? (double)n * 1e9 / (double)ns : 0.0;
}

static const char *on_off(bool b)
{
	return b ? "on" : "off";
}

/* One lmm_run() of @c, timed; records (or checks) its counters. */
static uint64_t run_once(const struct sim_bench *b, struct sim_case *c,
			 bool first)
{
	struct lmm_run_config cfg;
	struct lmm_run_result r;
	uint64_t t0, t1, pte_writes;
	char err[256];

	lmm_run_defaults(&cfg);
	cfg.arch = b->arch;
	cfg.cpus = c->cpus;
	cfg.pages = c->pages;
	cfg.sched = c->sched;
	cfg.lazy = c->lazy;
	cfg.sanitize = c->sanitize;
	cfg.seed = b->o.seed;
	t0 = bench_now_ns();
	if (lmm_run(&cfg, &r, err, sizeof(err))) {
		fprintf(stderr, "bench_sim: %s\n", err);
		exit(2);
	}
	t1 = bench_now_ns();
	pte_writes = sim_stats_total(&r.stats, SIM_STAT_pte_writes);
	if (first) {
		c->kernel = r.kernel;
		c->pte_writes = pte_writes;
		c->points = r.points;
		c->findings = r.nr_findings + r.findings_dropped;
	} else if (c->pte_writes != pte_writes || c->points != r.points) {
		c->varied = true; /* the machine is meant to be deterministic */
	}
	lmm_run_result_free(&r);
	return t1 - t0;
}

/*
 * Time @on (sanitizer on) and @off alternately, after one untimed run of
 * each that also records the counters.
 */
static void run_pair(const struct sim_bench *b, struct sim_case *on,
		     struct sim_case *off)
{
	unsigned int n = b->o.reps;
	uint64_t t_on[1000] = { 0 }, t_off[1000] = { 0 };

	run_once(b, on, true);
	run_once(b, off, true);
	for (unsigned int i = 0; i < n; i++) {
		/* alternate who goes first: neither always runs warm */
		if (i % 2) {
			t_off[i] = run_once(b, off, false);
			t_on[i] = run_once(b, on, false);
		} else {
			t_on[i] = run_once(b, on, false);
			t_off[i] = run_once(b, off, false);
		}
	}
	on->best_ns = bench_min(t_on, n);
	off->best_ns = bench_min(t_off, n);
	on->median_ns = bench_median(t_on, n);
	off->median_ns = bench_median(t_off, n);
}

static void parse(struct sim_bench *b, int argc, char **argv)
{
	unsigned long v;

	for (int i = 1; i < argc; i++) {
		if (bench_parse_common(&b->o, usage, argc, argv, &i))
			continue;
		if (!strcmp(argv[i], "--arch") && i + 1 < argc) {
			b->arch = argv[++i];
		} else if (!strcmp(argv[i], "--pages") && i + 1 < argc) {
			if (!bench_parse_ulong(argv[++i], LMM_MAX_PAGES, &v) ||
			    v < 4)
				bench_usage_error(&b->o, usage,
						  "--pages must be 4..16777216",
						  argv[i]);
			b->pages = v;
		} else {
			bench_usage_error(&b->o, usage, "unknown option",
					  argv[i]);
		}
	}
}

int main(int argc, char **argv)
{
	static const char *const scheds[] = { "rr", "random" };
	struct sim_bench b = {
		.o = { .name = "bench_sim", .reps = 0, .seed = 1 },
		.arch = "arm64",
	};
	struct sim_case cases[16];
	unsigned int nr = 0, nr_ratios = 0;
	double log_sum = 0.0, min_ratio = 0.0, max_ratio = 0.0;
	bool any_varied = false;
	FILE *csv;

	parse(&b, argc, argv);
	if (!b.o.reps)
		b.o.reps = b.o.quick ? 1 : 5;
	if (!b.pages)
		b.pages = b.o.quick ? 4096 : 65536;

	csv = bench_csv_open(&b.o); /* fail before running, not after */
	for (unsigned int size = 0; size < 2; size++) {
		for (unsigned int s = 0; s < 2; s++) {
			for (int lazy = 1; lazy >= 0; lazy--) {
				for (int san = 1; san >= 0; san--) {
					struct sim_case *c = &cases[nr++];

					memset(c, 0, sizeof(*c));
					c->cpus = size ? 4 : 1;
					c->pages = size ? b.pages / 4 : b.pages;
					c->sched = scheds[s];
					c->lazy = lazy;
					c->sanitize = san;
				}
			}
		}
	}

	printf("bench_sim: arch=%s workload=vmalloc seed=%llu reps=%u%s "
	       "(best of %u; rates from the best)\n",
	       b.arch, (unsigned long long)b.o.seed, b.o.reps,
	       b.o.quick ? " quick" : "", b.o.reps);
	printf("%4s %6s %-6s %-4s %-4s %10s %10s %5s %9s %9s %9s %9s %6s\n",
	       "cpus", "pages", "sched", "lazy", "san", "pte_writes", "points",
	       "find", "best_ms", "median_ms", "Mpte/s", "Mpoint/s", "san_x");
	fflush(stdout);
	for (unsigned int i = 0; i < nr; i += 2) {
		double ratio;

		run_pair(&b, &cases[i], &cases[i + 1]);
		ratio = (double)cases[i].best_ns / (double)cases[i + 1].best_ns;
		log_sum += log(ratio);
		if (!nr_ratios || ratio < min_ratio)
			min_ratio = ratio;
		if (!nr_ratios || ratio > max_ratio)
			max_ratio = ratio;
		nr_ratios++;
		for (unsigned int j = i; j < i + 2; j++) {
			const struct sim_case *c = &cases[j];

			printf("%4u %6lu %-6s %-4s %-4s %10llu %10llu %5zu "
			       "%9.2f %9.2f %9.3f %9.3f ",
			       c->cpus, c->pages, c->sched, on_off(c->lazy),
			       on_off(c->sanitize),
			       (unsigned long long)c->pte_writes,
			       (unsigned long long)c->points, c->findings,
			       c->best_ns / 1e6, c->median_ns / 1e6,
			       per_s(c->pte_writes, c->best_ns) / 1e6,
			       per_s(c->points, c->best_ns) / 1e6);
			if (c->sanitize)
				printf("%5.2fx", ratio);
			if (c->varied)
				printf(" (counters varied between runs!)");
			printf("\n");
			any_varied |= c->varied;
		}
		fflush(stdout);
	}

	if (csv) {
		fprintf(csv, "arch,kernel,workload,cpus,pages,sched,lazy,"
			     "sanitize,seed,reps,pte_writes,points,findings,"
			     "best_ns,median_ns,pte_writes_per_s,points_per_s,"
			     "sanitizer_ratio\n");
		for (unsigned int i = 0; i < nr; i++) {
			const struct sim_case *c = &cases[i];
			const struct sim_case *on = c->sanitize ? c : c - 1;

			fprintf(csv,
				"%s,%s,vmalloc,%u,%lu,%s,%s,%s,%llu,%u,"
				"%llu,%llu,%zu,%llu,%llu,%.0f,%.0f,%.4f\n",
				b.arch, c->kernel, c->cpus, c->pages, c->sched,
				on_off(c->lazy), on_off(c->sanitize),
				(unsigned long long)b.o.seed, b.o.reps,
				(unsigned long long)c->pte_writes,
				(unsigned long long)c->points, c->findings,
				(unsigned long long)c->best_ns,
				(unsigned long long)c->median_ns,
				per_s(c->pte_writes, c->best_ns),
				per_s(c->points, c->best_ns),
				(double)on->best_ns / (double)on[1].best_ns);
		}
		bench_csv_close(&b.o, csv);
	}
	if (any_varied)
		printf("warning: the same seed gave different counters: the "
		       "machine is not deterministic\n");

	for (unsigned int i = 0; i < nr; i++) {
		const struct sim_case *c = &cases[i];

		printf("SUMMARY bench_sim arch=%s cpus=%u pages=%lu sched=%s "
		       "lazy=%s sanitize=%s pte_writes_per_s=%.0f "
		       "points_per_s=%.0f ns_per_point=%.1f\n",
		       b.arch, c->cpus, c->pages, c->sched, on_off(c->lazy),
		       on_off(c->sanitize), per_s(c->pte_writes, c->best_ns),
		       per_s(c->points, c->best_ns),
		       c->points ? (double)c->best_ns / (double)c->points :
				   0.0);
	}
	printf("SUMMARY bench_sim sanitizer_overhead=%.2fx min=%.2fx max=%.2fx "
	       "pairs=%u reps=%u\n",
	       exp(log_sum / nr_ratios), min_ratio, max_ratio, nr_ratios,
	       b.o.reps);
	return 0;
}
