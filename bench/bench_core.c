// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * bench_core: the generic layer should cost nothing beyond its hook calls.
 *
 * Runs the real core (<lazymmu/lazy_mmu.h>, inline as a kernel caller gets
 * it) under a trivial embedder defined here: the six hooks of
 * <lazymmu/env.h> are empty out-of-line functions. Each
 * case is timed twice: through the core's API, and as the minimum any
 * implementation must pay, the same hook calls with the counter update
 * written out inline (no pause or overflow checks, no call into the core).
 * The ratio core/minimum is what the layer adds.
 *
 *	bench_core [--quick] [--out DIR] [--reps N] [--iters N]
 *
 * The hooks are defined by this program, not by libsim.a's embed.o: the
 * program references nothing that libsim.a defines, so the linker never
 * pulls embed.o in, and the core's calls bind to these definitions. (Were
 * embed.o ever pulled in, the link would fail on duplicate symbols rather
 * than measure the wrong thing.)
 *
 * Ends with grep-able lines, one per case and one overall:
 *	SUMMARY bench_core enable_disable_ns=... minimum_ns=... ratio=...
 *	SUMMARY bench_core ratio_geomean=... ratio_max=... worst=...
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <lazymmu/env.h>
#include <lazymmu/lazy_mmu.h>

#include "bench.h"

static const char usage[] = "[--quick] [--out DIR] [--reps N] [--iters N]";

/* ---- the trivial embedder ------------------------------------------------ */

/*
 * Empty, but opaque to the optimiser: never inlined, never analysed across
 * the call (gcc's noipa), and a compiler barrier so that no call can be
 * dropped as side-effect free.
 */
#if defined(__clang__)
#define BENCH_HOOK __attribute__((noinline))
#else
#define BENCH_HOOK __attribute__((noinline, noipa))
#endif
#define BENCH_BARRIER() __asm__ volatile("" ::: "memory")

static struct lazy_mmu_state task_state; /* the one task's state */
static bool in_irq; /* what lazy_mmu_in_interrupt() answers */
static unsigned long nr_warnings;

BENCH_HOOK struct lazy_mmu_state *lazy_mmu_current_state(void)
{
	BENCH_BARRIER();
	return &task_state;
}

BENCH_HOOK bool lazy_mmu_in_interrupt(void)
{
	BENCH_BARRIER();
	return in_irq;
}

BENCH_HOOK void arch_enter_lazy_mmu_mode(void)
{
	BENCH_BARRIER();
}

BENCH_HOOK void arch_leave_lazy_mmu_mode(void)
{
	BENCH_BARRIER();
}

BENCH_HOOK void arch_flush_lazy_mmu_mode(void)
{
	BENCH_BARRIER();
}

BENCH_HOOK void lazy_mmu_warn(const char *what)
{
	(void)what;
	nr_warnings++; /* a benchmark case misused the API */
}

/* ---- the minimum: the same hook calls, counters written out inline ------- */

static inline void min_enable(void)
{
	struct lazy_mmu_state *s;

	if (lazy_mmu_in_interrupt())
		return;
	s = lazy_mmu_current_state();
	if (s->enable_count++ == 0)
		arch_enter_lazy_mmu_mode();
}

static inline void min_disable(void)
{
	struct lazy_mmu_state *s;

	if (lazy_mmu_in_interrupt())
		return;
	s = lazy_mmu_current_state();
	if (--s->enable_count == 0)
		arch_leave_lazy_mmu_mode();
	else
		arch_flush_lazy_mmu_mode();
}

static inline void min_pause(void)
{
	struct lazy_mmu_state *s;

	if (lazy_mmu_in_interrupt())
		return;
	s = lazy_mmu_current_state();
	if (s->pause_count++ == 0 && s->enable_count)
		arch_leave_lazy_mmu_mode();
}

static inline void min_resume(void)
{
	struct lazy_mmu_state *s;

	if (lazy_mmu_in_interrupt())
		return;
	s = lazy_mmu_current_state();
	if (--s->pause_count == 0 && s->enable_count)
		arch_enter_lazy_mmu_mode();
}

static inline bool min_active(void)
{
	const struct lazy_mmu_state *s;

	if (lazy_mmu_in_interrupt())
		return false;
	s = lazy_mmu_current_state();
	return s->enable_count && !s->pause_count;
}

/* ---- the cases: one loop through the core, one through the minimum ------- */

/* where is_active results go, so that none is optimised away */
static volatile unsigned long active_sink;

#define BENCH_LOOP __attribute__((noinline))

BENCH_LOOP static void core_enable_disable(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		lazy_mmu_mode_enable();
		lazy_mmu_mode_disable();
	}
}

BENCH_LOOP static void min_enable_disable(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		min_enable();
		min_disable();
	}
}

BENCH_LOOP static void core_nested(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		lazy_mmu_mode_enable();
		lazy_mmu_mode_enable();
		lazy_mmu_mode_disable();
		lazy_mmu_mode_disable();
	}
}

BENCH_LOOP static void min_nested(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		min_enable();
		min_enable();
		min_disable();
		min_disable();
	}
}

BENCH_LOOP static void core_pause_resume(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		lazy_mmu_mode_pause();
		lazy_mmu_mode_resume();
	}
}

BENCH_LOOP static void min_pause_resume(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		min_pause();
		min_resume();
	}
}

BENCH_LOOP static void core_is_active(unsigned long n)
{
	unsigned long active = 0;

	for (unsigned long i = 0; i < n; i++)
		active += is_lazy_mmu_mode_active();
	active_sink += active;
}

BENCH_LOOP static void min_is_active(unsigned long n)
{
	unsigned long active = 0;

	for (unsigned long i = 0; i < n; i++)
		active += min_active();
	active_sink += active;
}

/* In interrupt context every call returns after lazy_mmu_in_interrupt(). */
BENCH_LOOP static void core_irq_noop(unsigned long n)
{
	core_enable_disable(n);
}

BENCH_LOOP static void min_irq_noop(unsigned long n)
{
	min_enable_disable(n);
}

/*
 * The bare hook calls (issue 7's yardsticks): the calls any implementation
 * makes, with nothing else: no counter, no branch on what they return.
 * outer_bare: an outermost pair, enable() then disable(): each asks the
 * embedder whether it runs in interrupt and for the task's state, then
 * enter, then leave. nested_flush: a nested pair inside an open section:
 * the same two questions twice, and the one flush that the inner disable
 * owes (7.0: every disable flushes).
 */
static inline void bare_context(void)
{
	(void)lazy_mmu_in_interrupt();
	(void)lazy_mmu_current_state();
}

BENCH_LOOP static void core_outer_bare(unsigned long n)
{
	core_enable_disable(n);
}

BENCH_LOOP static void min_outer_bare(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		bare_context();
		arch_enter_lazy_mmu_mode();
		bare_context();
		arch_leave_lazy_mmu_mode();
	}
}

BENCH_LOOP static void core_nested_flush(unsigned long n)
{
	core_enable_disable(n);
}

BENCH_LOOP static void min_nested_flush(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		bare_context();
		bare_context();
		arch_flush_lazy_mmu_mode();
	}
}

struct core_case {
	const char *name;
	const char *what;
	unsigned int calls; /* API calls per iteration */
	unsigned int hooks; /* hook calls per iteration */
	bool open_section; /* run inside an open section */
	bool irq; /* run in interrupt context */
	void (*core)(unsigned long n);
	void (*min)(unsigned long n);
	/* results, per API call */
	double core_ns, min_ns;
	double core_insns, min_insns; /* < 0: not counted */
};

/* One case: its loops are core_<name>() and min_<name>(). */
#define CORE_CASE(_name, _what, _calls, _hooks, _open, _irq)         \
	{                                                            \
		.name = #_name, .what = _what, .calls = _calls,      \
		.hooks = _hooks, .open_section = _open, .irq = _irq, \
		.core = core_##_name, .min = min_##_name,            \
	}

static struct core_case cases[] = {
	CORE_CASE(enable_disable, "enable(); disable();", 2, 6, false, false),
	CORE_CASE(nested, "enable(); enable(); disable(); disable();", 4, 11,
		  false, false),
	CORE_CASE(pause_resume, "pause(); resume(); in a section", 2, 6, true,
		  false),
	CORE_CASE(is_active, "is_lazy_mmu_mode_active(); in a section", 1, 2,
		  true, false),
	CORE_CASE(irq_noop, "enable(); disable(); in interrupt", 2, 2, false,
		  true),
	CORE_CASE(outer_bare, "enable(); disable(); against the bare hooks", 2,
		  6, false, false),
	CORE_CASE(nested_flush,
		  "enable(); disable(); in a section against the bare flush", 2,
		  5, true, false),
};

#define CASE_OUTER_BARE 5
#define CASE_NESTED_FLUSH 6

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

/* ---- instructions, where the machine can count them ---------------------- */

static int perf_fd = -1;
static int perf_errno;

static void perf_init(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_HW_INSTRUCTIONS;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	perf_fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (perf_fd < 0)
		perf_errno = errno;
}

/* Instructions @fn(n) retires, or -1 if they cannot be counted. */
static double perf_count(void (*fn)(unsigned long n), unsigned long n)
{
	uint64_t count;

	if (perf_fd < 0)
		return -1.0;
	ioctl(perf_fd, PERF_EVENT_IOC_RESET, 0);
	ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0);
	fn(n);
	ioctl(perf_fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(perf_fd, &count, sizeof(count)) != sizeof(count))
		return -1.0;
	return (double)count;
}

/* ---- running a case ------------------------------------------------------ */

static void enter_case(const struct core_case *c)
{
	memset(&task_state, 0, sizeof(task_state));
	in_irq = false;
	if (c->open_section)
		lazy_mmu_mode_enable();
	in_irq = c->irq;
}

/* The case must leave the state as it found it, with no misuse. */
static void leave_case(const struct core_case *c)
{
	in_irq = false;
	if (task_state.enable_count != c->open_section ||
	    task_state.pause_count || nr_warnings) {
		fprintf(stderr,
			"bench_core: %s left enable_count=%u pause_count=%u "
			"after %lu warnings: the core does not behave as "
			"benchmarked\n",
			c->name, task_state.enable_count,
			task_state.pause_count, nr_warnings);
		exit(1);
	}
	if (c->open_section)
		lazy_mmu_mode_disable();
}

static uint64_t time_loop(const struct core_case *c,
			  void (*fn)(unsigned long n), unsigned long n)
{
	uint64_t t0, t1;

	enter_case(c);
	t0 = bench_now_ns();
	fn(n);
	t1 = bench_now_ns();
	leave_case(c);
	return t1 - t0;
}

static void run_case(struct core_case *c, unsigned int reps, unsigned long n)
{
	uint64_t t_core[1000] = { 0 }, t_min[1000] = { 0 };
	double per = (double)n * c->calls;

	/* warm up both, untimed */
	time_loop(c, c->core, n / 16 + 1);
	time_loop(c, c->min, n / 16 + 1);
	for (unsigned int i = 0; i < reps; i++) {
		if (i % 2) {
			t_min[i] = time_loop(c, c->min, n);
			t_core[i] = time_loop(c, c->core, n);
		} else {
			t_core[i] = time_loop(c, c->core, n);
			t_min[i] = time_loop(c, c->min, n);
		}
	}
	c->core_ns = (double)bench_min(t_core, reps) / per;
	c->min_ns = (double)bench_min(t_min, reps) / per;

	enter_case(c);
	c->core_insns = perf_count(c->core, n);
	c->min_insns = perf_count(c->min, n);
	leave_case(c);
	if (c->core_insns >= 0)
		c->core_insns /= per;
	if (c->min_insns >= 0)
		c->min_insns /= per;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .name = "bench_core", .seed = 0 };
	unsigned long iters = 0, v;
	double log_sum = 0.0, worst_ratio = 0.0;
	const char *worst = "";
	FILE *csv;

	for (int i = 1; i < argc; i++) {
		if (bench_parse_common(&o, usage, argc, argv, &i))
			continue;
		if (!strcmp(argv[i], "--iters") && i + 1 < argc) {
			if (!bench_parse_ulong(argv[++i], 1UL << 40, &v) || !v)
				bench_usage_error(&o, usage, "bad --iters",
						  argv[i]);
			iters = v;
		} else {
			bench_usage_error(&o, usage, "unknown option", argv[i]);
		}
	}
	if (!o.reps)
		o.reps = o.quick ? 1 : 5;
	if (!iters)
		iters = o.quick ? 1000000 : 20000000;
	csv = bench_csv_open(&o); /* fail before running, not after */
	perf_init();

	printf("bench_core: %lu iterations per loop, reps=%u%s (best of %u); "
	       "ns and instructions per API call\n",
	       iters, o.reps, o.quick ? " quick" : "", o.reps);
	if (perf_fd < 0)
		printf("instructions: not counted (perf_event_open: %s)\n",
		       strerror(perf_errno));
	printf("%-15s %5s %5s %9s %9s %6s %9s %9s  %s\n", "case", "calls",
	       "hooks", "core_ns", "min_ns", "ratio", "core_ins", "min_ins",
	       "per iteration");
	fflush(stdout);
	for (size_t i = 0; i < NR_CASES; i++) {
		struct core_case *c = &cases[i];
		double ratio;

		run_case(c, o.reps, iters);
		ratio = c->core_ns / c->min_ns;
		log_sum += log(ratio);
		if (ratio > worst_ratio) {
			worst_ratio = ratio;
			worst = c->name;
		}
		printf("%-15s %5u %5u %9.3f %9.3f %5.2fx", c->name, c->calls,
		       c->hooks, c->core_ns, c->min_ns, ratio);
		if (c->core_insns >= 0)
			printf(" %9.1f %9.1f", c->core_insns, c->min_insns);
		else
			printf(" %9s %9s", "-", "-");
		printf("  %s\n", c->what);
		fflush(stdout);
	}

	if (csv) {
		fprintf(csv, "case,calls_per_iter,hooks_per_iter,iters,reps,"
			     "core_ns_per_call,min_ns_per_call,ratio,"
			     "core_insns_per_call,min_insns_per_call\n");
		for (size_t i = 0; i < NR_CASES; i++) {
			const struct core_case *c = &cases[i];

			fprintf(csv, "%s,%u,%u,%lu,%u,%.4f,%.4f,%.4f,", c->name,
				c->calls, c->hooks, iters, o.reps, c->core_ns,
				c->min_ns, c->core_ns / c->min_ns);
			if (c->core_insns >= 0)
				fprintf(csv, "%.2f,%.2f\n", c->core_insns,
					c->min_insns);
			else
				fprintf(csv, ",\n");
		}
		bench_csv_close(&o, csv);
	}

	for (size_t i = 0; i < NR_CASES; i++) {
		const struct core_case *c = &cases[i];

		printf("SUMMARY bench_core %s_ns=%.3f minimum_ns=%.3f "
		       "ratio=%.2f",
		       c->name, c->core_ns, c->min_ns, c->core_ns / c->min_ns);
		if (c->core_insns >= 0)
			printf(" insns=%.1f minimum_insns=%.1f", c->core_insns,
			       c->min_insns);
		printf("\n");
	}
	{
		const struct core_case *ob = &cases[CASE_OUTER_BARE];
		const struct core_case *nf = &cases[CASE_NESTED_FLUSH];
		double ratio = ob->core_ns / ob->min_ns;
		double delta = (nf->core_ns - nf->min_ns) * nf->calls;

		printf("SUMMARY bench_core goals outer_pair_ns=%.3f "
		       "bare_hooks_ns=%.3f ratio=%.3f(%s) nested_pair_ns=%.3f "
		       "bare_flush_ns=%.3f delta_ns=%.3f(%s)\n",
		       ob->core_ns * ob->calls, ob->min_ns * ob->calls, ratio,
		       ratio <= 1.05 ? "met" : "missed",
		       nf->core_ns * nf->calls, nf->min_ns * nf->calls, delta,
		       delta <= 0.3 ? "met" : "missed");
	}
	printf("SUMMARY bench_core ratio_geomean=%.2f ratio_max=%.2f worst=%s "
	       "iters=%lu reps=%u\n",
	       exp(log_sum / NR_CASES), worst_ratio, worst, iters, o.reps);
	return 0;
}
