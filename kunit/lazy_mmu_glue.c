// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The six hooks of <lazymmu/env.h> from kernel primitives: lazymmu's core
 * embedded in a Linux kernel (User-Mode Linux under KUnit, make
 * check-kunit).
 *
 * In Linux v7.0 the state is a member of struct task_struct
 * (include/linux/sched.h, task_struct::lazy_mmu_state, "mm: enable
 * lazy_mmu sections to nest", 5ab246749569). The kernel this runs in
 * (Debian's 6.1) has no such member, and lazymmu does not patch
 * task_struct: the state is attached to the task from outside, in a hash
 * table keyed by the task_struct pointer. The arch hooks record that they
 * ran and batch nothing (UML has no MMU batching to model).
 */
#include <linux/bug.h>
#include <linux/hashtable.h>
#include <linux/minmax.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <lazymmu/env.h>
#include <lazymmu/lazy_mmu.h>

#include "lazy_mmu_glue.h"

/*
 * Before v7.0, <linux/pgtable.h> defines arch_enter/leave/flush_lazy_mmu_mode()
 * as empty macros when the architecture has none (UML has none). With one
 * in scope the hooks below would not be defined, and the core's calls to
 * them in this file would compile to nothing.
 */
#if defined(arch_enter_lazy_mmu_mode) || defined(arch_leave_lazy_mmu_mode) || \
	defined(arch_flush_lazy_mmu_mode)
#error "<linux/pgtable.h>'s no-op lazy MMU macros are in scope"
#endif

/*
 * struct lazymmu_task_state - a task's lazy MMU state, attached from
 * outside task_struct.
 * @node: in lazymmu_states, hashed by @task.
 * @task: the task (only compared, never dereferenced after it died).
 * @pid, @start_time: the task's, to tell a new task that got a freed
 *	task_struct back from the one that had it.
 * @state: what lazy_mmu_current_state() returns for the task.
 */
struct lazymmu_task_state {
	struct hlist_node node;
	const struct task_struct *task;
	pid_t pid;
	u64 start_time;
	struct lazy_mmu_state state;
};

static DEFINE_HASHTABLE(lazymmu_states, 6);
static DEFINE_SPINLOCK(lazymmu_states_lock);

/* Handed out, with a warning, when an entry cannot be allocated. */
static struct lazy_mmu_state lazymmu_fallback_state;

/*
 * lazy_mmu_current_state() - &current->lazy_mmu_state, as v7.0 has it.
 *
 * The entry of the current task, created at { 0, 0 } on its first call
 * (v7.0's state starts at zero: fork copies a task outside any section,
 * init_task is static). Entries are never freed, so the pointer lives as
 * long as the task, as env.h requires; only the task itself ever looks its
 * entry up, so when a new task has the pointer of a dead one, it is the
 * new task that finds the entry and resets it. Memory: one entry per
 * task_struct address that ever called the core, a few in a KUnit run.
 * Called outside interrupt context only (the core checks first).
 */
struct lazy_mmu_state *lazy_mmu_current_state(void)
{
	struct task_struct *tsk = current;
	struct lazymmu_task_state *e, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&lazymmu_states_lock, flags);
	hash_for_each_possible(lazymmu_states, e, node, (unsigned long)tsk) {
		if (e->task == tsk) {
			found = e;
			break;
		}
	}
	if (found &&
	    (found->pid != tsk->pid || found->start_time != tsk->start_time)) {
		/* The task_struct was freed and reused: a new task. */
		found->pid = tsk->pid;
		found->start_time = tsk->start_time;
		found->state = (struct lazy_mmu_state){ 0 };
	}
	if (!found) {
		/* Callers may hold spinlocks: the core's API never sleeps. */
		found = kzalloc(sizeof(*found), GFP_ATOMIC);
		if (found) {
			found->task = tsk;
			found->pid = tsk->pid;
			found->start_time = tsk->start_time;
			hash_add(lazymmu_states, &found->node,
				 (unsigned long)tsk);
		}
	}
	spin_unlock_irqrestore(&lazymmu_states_lock, flags);

	if (WARN_ONCE(!found, "lazymmu: no memory for a task's lazy MMU state"))
		return &lazymmu_fallback_state;
	return &found->state;
}

/* lazy_mmu_in_interrupt() - in_interrupt(): hardirq, softirq, NMI, or BH off. */
bool lazy_mmu_in_interrupt(void)
{
	return in_interrupt();
}

/* --- what the hooks record, for the KUnit suite ---------------------- */

static DEFINE_SPINLOCK(lazymmu_log_lock);
static struct lazymmu_glue_event lazymmu_log[LAZYMMU_GLUE_LOG_SIZE];
static unsigned int lazymmu_log_nr;
static unsigned int lazymmu_log_counts[LAZYMMU_GLUE_NR_KINDS];

static void lazymmu_glue_record(enum lazymmu_glue_kind kind, const char *what)
{
	struct lazymmu_glue_event ev = {
		.kind = kind,
		.task = current,
		.in_interrupt = in_interrupt(),
		.what = what,
	};
	unsigned long flags;

	if (!ev.in_interrupt) {
		const struct lazy_mmu_state *s = lazy_mmu_current_state();

		ev.enable_count = s->enable_count;
		ev.pause_count = s->pause_count;
	}
	spin_lock_irqsave(&lazymmu_log_lock, flags);
	if (lazymmu_log_nr < LAZYMMU_GLUE_LOG_SIZE)
		lazymmu_log[lazymmu_log_nr] = ev;
	lazymmu_log_nr++;
	lazymmu_log_counts[kind]++;
	spin_unlock_irqrestore(&lazymmu_log_lock, flags);
}

void lazymmu_glue_log_reset(void)
{
	unsigned long flags;

	spin_lock_irqsave(&lazymmu_log_lock, flags);
	lazymmu_log_nr = 0;
	memset(lazymmu_log_counts, 0, sizeof(lazymmu_log_counts));
	spin_unlock_irqrestore(&lazymmu_log_lock, flags);
}

unsigned int lazymmu_glue_log_read(struct lazymmu_glue_event *ev,
				   unsigned int max)
{
	unsigned long flags;
	unsigned int nr;

	spin_lock_irqsave(&lazymmu_log_lock, flags);
	nr = lazymmu_log_nr;
	memcpy(ev, lazymmu_log,
	       min3(max, nr, (unsigned int)LAZYMMU_GLUE_LOG_SIZE) *
		       sizeof(*ev));
	spin_unlock_irqrestore(&lazymmu_log_lock, flags);
	return nr;
}

unsigned int lazymmu_glue_count(enum lazymmu_glue_kind kind)
{
	unsigned long flags;
	unsigned int nr;

	spin_lock_irqsave(&lazymmu_log_lock, flags);
	nr = lazymmu_log_counts[kind];
	spin_unlock_irqrestore(&lazymmu_log_lock, flags);
	return nr;
}

/* --- the arch hooks: UML batches nothing; record that they ran -------- */

void arch_enter_lazy_mmu_mode(void)
{
	lazymmu_glue_record(LAZYMMU_GLUE_ENTER, NULL);
}

void arch_leave_lazy_mmu_mode(void)
{
	lazymmu_glue_record(LAZYMMU_GLUE_LEAVE, NULL);
}

void arch_flush_lazy_mmu_mode(void)
{
	lazymmu_glue_record(LAZYMMU_GLUE_FLUSH, NULL);
}

/*
 * lazy_mmu_warn() - v7.0 checks with VM_WARN_ON_ONCE() (DEBUG_VM only);
 * here WARN_ONCE(), so that a kernel without DEBUG_VM still prints the
 * first misuse. The core calls it on every misuse; each is recorded.
 */
void lazy_mmu_warn(const char *what)
{
	lazymmu_glue_record(LAZYMMU_GLUE_WARN, what);
	WARN_ONCE(1, "lazymmu: %s\n", what);
}
