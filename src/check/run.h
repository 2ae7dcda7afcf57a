/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * One run of a workload on a machine built from names (arch, kernel,
 * workload): what `lazymmu run`, the tests and the benchmarks share.
 */
#ifndef _LAZYMMU_CHECK_RUN_H
#define _LAZYMMU_CHECK_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/stats.h"

/*
 * What memory allows: a simulated page costs the host about 92 bytes
 * (two frames of struct page, free stack, first word, and the linear
 * map's entry; page-table frames are touched only where tables are), so
 * 2^24 pages in all take about 1.5 GiB and 25 s; a CPU costs about 14 KiB
 * (its TLB, its task's stack as touched). The number of CPUs is bounded by
 * SIM_MAX_CPUS, not by memory. docs/user-guide.md explains the numbers.
 */
#define LMM_MAX_PAGES 16777216UL
#define LMM_MAX_TOTAL_PAGES 16777216UL /* pages x cpus */
#define LMM_DEFAULT_TRACE_LIMIT (1ULL << 30)
#define LMM_MAX_FIXES 8

struct lmm_run_config {
	const char *arch; /* "arm64", "generic" */
	const char *kernel; /* NULL: the newest modelled */
	const char *workload; /* "vmalloc" */
	bool lazy; /* false: as if !CONFIG_ARCH_HAS_LAZY_MMU_MODE */
	const char *design; /* NULL: the kernel version's (sim_designs[]) */
	const char *fixes[LMM_MAX_FIXES]; /* names of sim_fixes[] */
	unsigned int nr_fixes;
	unsigned long pages;
	unsigned int cpus;
	uint64_t seed;
	const char *sched; /* "random" (default) or "rr" */
	bool sanitize;
	bool debug_pagealloc;
	bool irqs; /* deliver interrupts (random scheduling only) */
	unsigned int tlb_entries;
	bool tlb_random_evict;
	const char *trace; /* write a Chrome/Perfetto trace here, or NULL */
	/*
	 * Or to this stream (left open; the caller checks it for errors);
	 * @trace then only names it in messages.
	 */
	FILE *trace_stream;
	/*
	 * Refuse, before writing anything, a trace larger than this many
	 * bytes (0: no limit). The size is known by running the machine
	 * once with the trace counted, not written: runs are deterministic.
	 */
	uint64_t trace_limit;
	bool stop_on_first; /* end the run at the first finding */
	bool record_choices; /* keep every choice in the result (else count) */
	/*
	 * Replay these recorded choices instead of asking the scheduler
	 * (sim_policy_replay()); @replay_name and @replay_line (the line of
	 * the first choice) name them in a divergence message.
	 */
	const struct sim_choice_rec *replay;
	size_t nr_replay;
	const char *replay_name;
	unsigned int replay_line;
};

struct lmm_run_result {
	const char *kernel; /* the version run */
	bool lazy; /* the mode was there: requested and the arch has one */
	const char *design; /* the design in force; NULL when !lazy */
	int kernel_version; /* SIM_KERNEL() of @kernel */
	const char *models; /* kernel files of the arch model */
	struct sim_stats stats;
	struct sim_finding *findings;
	size_t nr_findings;
	size_t findings_dropped;
	uint64_t points;
	unsigned long trace_events;
	bool trace_error; /* the trace could not be written (lmm_run() fails) */
	bool stopped; /* ended early: a finding with stop_on_first, a deadlock */
	struct sim_choice_rec *choices; /* every choice, if record_choices */
	size_t nr_choices;
};

/* lmm_run_defaults() - the defaults of `lazymmu run`. */
void lmm_run_defaults(struct lmm_run_config *c);

struct sim_options;
struct lmm_workload;

/*
 * lmm_run_options() - check @c and fill @opt with the machine it runs on
 * (arch, kernel, design, fixes, CPUs, frames, TLB, DEBUG_PAGEALLOC; not the
 * policy, the interrupt handler or the choice recording) and *@w with its
 * workload: what lmm_run() and the model checker share. Returns 0, or -1
 * with a message naming the bad option in @err.
 */
int lmm_run_options(const struct lmm_run_config *c, struct sim_options *opt,
		    const struct lmm_workload **w, char *err, size_t errlen);

/* lmm_run_spawn() - the workload's task on every CPU of @m, as lmm_run(). */
struct sim_machine;
struct lmm_workload_params;
void lmm_run_spawn(struct sim_machine *m, const struct lmm_workload *w,
		   struct lmm_workload_params *params);

/*
 * lmm_run() - build the machine, run the workload on every CPU, collect
 * counters, findings and choices. Returns 0, or -1 with a message naming
 * the bad option in @err if the configuration is impossible or the run
 * could not go on (a replay that diverges).
 */
int lmm_run(const struct lmm_run_config *c, struct lmm_run_result *r, char *err,
	    size_t errlen);
void lmm_run_result_free(struct lmm_run_result *r);

extern const char *const lmm_newest_kernel;

/* lmm_arch_canonical() - the model's name for arch @name (x86: generic). */
const char *lmm_arch_canonical(const char *name);

/* lmm_run_irqs() - whether the run delivers interrupts (random only). */
bool lmm_run_irqs(const struct lmm_run_config *c);

#endif /* _LAZYMMU_CHECK_RUN_H */
