/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * lazymmu's core embedded in Linux (make check-kunit): what the glue
 * (lazy_mmu_glue.c) records of the hooks it provides, for the KUnit suite.
 */
#ifndef _LAZYMMU_KUNIT_GLUE_H
#define _LAZYMMU_KUNIT_GLUE_H

#include <linux/types.h>

struct task_struct;

enum lazymmu_glue_kind {
	LAZYMMU_GLUE_ENTER, /* arch_enter_lazy_mmu_mode() */
	LAZYMMU_GLUE_LEAVE, /* arch_leave_lazy_mmu_mode() */
	LAZYMMU_GLUE_FLUSH, /* arch_flush_lazy_mmu_mode() */
	LAZYMMU_GLUE_WARN, /* lazy_mmu_warn() */
	LAZYMMU_GLUE_NR_KINDS,
};

/*
 * struct lazymmu_glue_event - one call of a hook, in the order they came.
 * @kind: which hook.
 * @task: current when it ran.
 * @in_interrupt: in_interrupt() when it ran (the core never calls a hook
 *	there; recorded so that a test sees it if it did).
 * @enable_count, @pause_count: the calling task's counters when the hook
 *	ran (the core updates them before the arch hook); 0 in interrupt.
 * @what: lazy_mmu_warn()'s message, NULL for the other hooks.
 */
struct lazymmu_glue_event {
	enum lazymmu_glue_kind kind;
	struct task_struct *task;
	bool in_interrupt;
	u8 enable_count;
	u8 pause_count;
	const char *what;
};

/* Events kept in order; later ones are only counted. */
#define LAZYMMU_GLUE_LOG_SIZE 16

/* Forget every recorded event and zero the counts. */
void lazymmu_glue_log_reset(void);

/*
 * Copy the first recorded events (up to @max) into @ev; return how many
 * hooks ran since the last reset (may exceed what was kept).
 */
unsigned int lazymmu_glue_log_read(struct lazymmu_glue_event *ev,
				   unsigned int max);

/* How many times hook @kind ran since the last reset. */
unsigned int lazymmu_glue_count(enum lazymmu_glue_kind kind);

#endif /* _LAZYMMU_KUNIT_GLUE_H */
