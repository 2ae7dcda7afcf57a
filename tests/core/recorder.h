/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A recording embedder for the core's tests.
 *
 * Defines the six hooks of <lazymmu/env.h>, so include it in exactly one
 * translation unit of a test program (each core test program is its own
 * embedder: it links with liblazymmu.a only). The embedder's world is:
 *
 *   current	the running task (struct rec_task, which holds the task's
 *		struct lazy_mmu_state as the kernel's task_struct does);
 *   in_irq	non-zero while "in interrupt context";
 *   rec_log	every arch hook and warning since rec_reset(), in order, each
 *		with the counters of current that the hook observed.
 *
 * Inside each hook the recorder also checks the preconditions that env.h
 * states: arch_enter and arch_flush run with current's mode active,
 * arch_leave with it inactive (the counters are updated before the hook),
 * no hook and no lazy_mmu_current_state() runs in interrupt context.
 * Violations are counted in rec_bad_pre and rec_state_in_irq.
 *
 * Define REC_TLS to _Thread_local before including this header to get one
 * recorder per thread (tests/core/test_threads.c). The counters a signal
 * handler looks at are volatile sig_atomic_t.
 */
#ifndef _LAZYMMU_TESTS_CORE_RECORDER_H
#define _LAZYMMU_TESTS_CORE_RECORDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lazymmu/env.h>
#include <lazymmu/lazy_mmu.h>

#ifndef REC_TLS
#define REC_TLS
#endif

/* A task of the recording embedder. */
struct rec_task {
	const char *name;
	struct lazy_mmu_state lazy_mmu_state;
};

/* What a log entry records; the values are the letters of rec_trace(). */
enum rec_kind {
	REC_ENTER = 'E', /* arch_enter_lazy_mmu_mode() */
	REC_LEAVE = 'L', /* arch_leave_lazy_mmu_mode() */
	REC_FLUSH = 'F', /* arch_flush_lazy_mmu_mode() */
	REC_WARN = 'W', /* lazy_mmu_warn() */
};

struct rec_event {
	char kind; /* enum rec_kind */
	struct lazy_mmu_state seen; /* current's counters at the call */
	const char *what; /* lazy_mmu_warn()'s message, or NULL */
};

#define REC_LOG_MAX 512

static REC_TLS struct rec_task *current;
static REC_TLS volatile sig_atomic_t in_irq;

static REC_TLS struct rec_event rec_log[REC_LOG_MAX];
/* Events since rec_reset(); only the first REC_LOG_MAX are in rec_log. */
static REC_TLS volatile sig_atomic_t rec_len;
/* Events ever recorded, and per kind. */
static REC_TLS volatile sig_atomic_t rec_total;
static REC_TLS unsigned long rec_enters, rec_leaves, rec_flushes, rec_warns;
/* A hook ran in interrupt context or with a state its precondition forbids. */
static REC_TLS volatile sig_atomic_t rec_bad_pre;
/* lazy_mmu_current_state() was called in interrupt context. */
static REC_TLS volatile sig_atomic_t rec_state_in_irq;

static inline void rec_reset(void)
{
	rec_len = 0;
}

/* Set current's counters directly (a test's starting state). */
static inline void rec_set_state(unsigned int enable, unsigned int pause)
{
	current->lazy_mmu_state.enable_count = (uint8_t)enable;
	current->lazy_mmu_state.pause_count = (uint8_t)pause;
}

/*
 * rec_trace() - the kinds logged since rec_reset() as a string, e.g. "EF"
 * or "" (a '+' ends it if the log overflowed). Returns @buf.
 */
static inline const char *rec_trace(char *buf, size_t size)
{
	size_t i, n = (size_t)rec_len;

	if (!size)
		return buf;
	for (i = 0; i < n && i < REC_LOG_MAX && i + 1 < size; i++)
		buf[i] = rec_log[i].kind;
	if (n > REC_LOG_MAX && i + 1 < size)
		buf[i++] = '+';
	buf[i] = '\0';
	return buf;
}

static inline void rec_record(char kind, const char *what)
{
	sig_atomic_t n = rec_len;

	if (in_irq)
		rec_bad_pre++;
	if (n < REC_LOG_MAX) {
		rec_log[n].kind = kind;
		rec_log[n].seen = current->lazy_mmu_state;
		rec_log[n].what = what;
	}
	rec_len = n + 1;
	rec_total++;
}

struct lazy_mmu_state *lazy_mmu_current_state(void)
{
	if (in_irq)
		rec_state_in_irq++;
	return &current->lazy_mmu_state;
}

bool lazy_mmu_in_interrupt(void)
{
	return in_irq != 0;
}

void arch_enter_lazy_mmu_mode(void)
{
	if (!__task_lazy_mmu_mode_active(&current->lazy_mmu_state))
		rec_bad_pre++;
	rec_enters++;
	rec_record(REC_ENTER, NULL);
}

void arch_leave_lazy_mmu_mode(void)
{
	if (__task_lazy_mmu_mode_active(&current->lazy_mmu_state))
		rec_bad_pre++;
	rec_leaves++;
	rec_record(REC_LEAVE, NULL);
}

void arch_flush_lazy_mmu_mode(void)
{
	if (!__task_lazy_mmu_mode_active(&current->lazy_mmu_state))
		rec_bad_pre++;
	rec_flushes++;
	rec_record(REC_FLUSH, NULL);
}

void lazy_mmu_warn(const char *what)
{
	rec_warns++;
	rec_record(REC_WARN, what);
}

#endif /* _LAZYMMU_TESTS_CORE_RECORDER_H */
