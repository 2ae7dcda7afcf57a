// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KUnit suite for lazymmu's core built into a kernel (make check-kunit).
 *
 * Its first case is the one case of Linux v7.0's own suite
 * (mm/tests/lazy_mmu_mode_kunit.c, lazy_mmu_mode_active(), "mm: Add basic
 * tests for lazy_mmu", ee628d9cc8d5), re-written here against the same
 * API. The others check what that suite leaves out (upstream.md §3): which
 * arch hook each call reaches and with which counters, nested disables
 * flushing, pause/resume, misuse, other tasks, and interrupt context
 * entered for real, from hrtimer callbacks (hard and soft) and with bottom
 * halves disabled.
 *
 * Each case runs in a kthread of its own (KUnit's try-catch), a new task:
 * its state starts at { 0, 0 }, which .init checks.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/sched.h>

#include <lazymmu/env.h>
#include <lazymmu/lazy_mmu.h>

#include "lazy_mmu_glue.h"

/* See lazy_mmu_glue.c: the core's hook calls must not compile to nothing. */
#if defined(arch_enter_lazy_mmu_mode) || defined(arch_leave_lazy_mmu_mode) || \
	defined(arch_flush_lazy_mmu_mode)
#error "<linux/pgtable.h>'s no-op lazy MMU macros are in scope"
#endif

#define EV_ENTER LAZYMMU_GLUE_ENTER
#define EV_LEAVE LAZYMMU_GLUE_LEAVE
#define EV_FLUSH LAZYMMU_GLUE_FLUSH
#define EV_WARN LAZYMMU_GLUE_WARN

static const char *const kind_name[] = {
	[EV_ENTER] = "arch_enter",
	[EV_LEAVE] = "arch_leave",
	[EV_FLUSH] = "arch_flush",
	[EV_WARN] = "lazy_mmu_warn",
};

/* The current task's counters. */
static struct lazy_mmu_state *state(void)
{
	return lazy_mmu_current_state();
}

static void expect_state(struct kunit *test, u8 enable, u8 pause, int line)
{
	const struct lazy_mmu_state *s = state();

	KUNIT_EXPECT_EQ_MSG(test, s->enable_count, enable, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, s->pause_count, pause, "line %d", line);
	/* The mode is active exactly when enabled and not paused. */
	KUNIT_EXPECT_EQ_MSG(test, is_lazy_mmu_mode_active(),
			    enable > 0 && pause == 0, "line %d", line);
}

#define EXPECT_STATE(test, e, p) expect_state(test, e, p, __LINE__)

/*
 * expect_hooks() - the hooks run since the last reset are exactly @want,
 * in order, each run by the current task outside interrupt context and
 * seeing the counters @want gives (the core updates them first).
 */
struct want {
	enum lazymmu_glue_kind kind;
	u8 enable_count;
	u8 pause_count;
};

static void expect_hooks(struct kunit *test, const struct want *want,
			 unsigned int nr, int line)
{
	struct lazymmu_glue_event ev[LAZYMMU_GLUE_LOG_SIZE];
	unsigned int got = lazymmu_glue_log_read(ev, ARRAY_SIZE(ev));
	unsigned int i;

	KUNIT_ASSERT_LE(test, nr, (unsigned int)LAZYMMU_GLUE_LOG_SIZE);
	KUNIT_EXPECT_EQ_MSG(test, got, nr, "line %d: number of hook calls",
			    line);
	for (i = 0; i < min(got, nr); i++) {
		KUNIT_EXPECT_EQ_MSG(test, ev[i].kind, want[i].kind,
				    "line %d: hook %u is %s, want %s", line, i,
				    kind_name[ev[i].kind],
				    kind_name[want[i].kind]);
		KUNIT_EXPECT_EQ_MSG(test, ev[i].enable_count,
				    want[i].enable_count,
				    "line %d: hook %u enable_count", line, i);
		KUNIT_EXPECT_EQ_MSG(test, ev[i].pause_count,
				    want[i].pause_count,
				    "line %d: hook %u pause_count", line, i);
		KUNIT_EXPECT_PTR_EQ_MSG(test, ev[i].task, current,
					"line %d: hook %u ran in another task",
					line, i);
		KUNIT_EXPECT_FALSE_MSG(test, ev[i].in_interrupt,
				       "line %d: hook %u ran in interrupt",
				       line, i);
	}
}

#define EXPECT_HOOKS(test, ...)                                   \
	do {                                                      \
		static const struct want w_[] = { __VA_ARGS__ };  \
		expect_hooks(test, w_, ARRAY_SIZE(w_), __LINE__); \
	} while (0)

#define EXPECT_NO_HOOKS(test) expect_hooks(test, NULL, 0, __LINE__)

static int lazymmu_test_init(struct kunit *test)
{
	/* A new task: v7.0's state starts at zero (init_task, fork). */
	KUNIT_EXPECT_EQ(test, state()->enable_count, 0);
	KUNIT_EXPECT_EQ(test, state()->pause_count, 0);
	lazymmu_glue_log_reset();
	return 0;
}

/*
 * Linux v7.0 mm/tests/lazy_mmu_mode_kunit.c, lazy_mmu_mode_active(): the
 * same calls, each followed by the same expectation on
 * is_lazy_mmu_mode_active() (EXPECT_STATE checks it, and the counters).
 */
static void lazy_mmu_mode_active(struct kunit *test)
{
	EXPECT_STATE(test, 0, 0);

	lazy_mmu_mode_enable();
	EXPECT_STATE(test, 1, 0); /* active */

	/* Nested section: active throughout (the outer one is open). */
	lazy_mmu_mode_enable();
	EXPECT_STATE(test, 2, 0);
	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 1, 0);

	/* Paused section: not active, whatever is called inside. */
	lazy_mmu_mode_pause();
	EXPECT_STATE(test, 1, 1);
	lazy_mmu_mode_enable(); /* no effect while paused */
	EXPECT_STATE(test, 1, 1);
	lazy_mmu_mode_disable(); /* no effect while paused */
	EXPECT_STATE(test, 1, 1);
	lazy_mmu_mode_pause(); /* pauses nest */
	EXPECT_STATE(test, 1, 2);
	lazy_mmu_mode_resume();
	EXPECT_STATE(test, 1, 1);
	lazy_mmu_mode_resume(); /* active again, at the same level */
	EXPECT_STATE(test, 1, 0);

	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 0, 0);
}

/*
 * The arch hooks each call reaches, in order, and the counters they see:
 * the table of the v5/v6 commit message of "mm: enable lazy_mmu sections
 * to nest" (upstream.md §1.2), row by row.
 */
static void hooks_in_order(struct kunit *test)
{
	lazy_mmu_mode_enable(); /* enable: arch_enter, 1/0 */
	lazy_mmu_mode_enable(); /* nested enable: no hook, 2/0 */
	lazy_mmu_mode_pause(); /* pause: arch_leave, 2/1 */
	lazy_mmu_mode_resume(); /* resume: arch_enter, 2/0 */
	lazy_mmu_mode_disable(); /* nested disable: arch_flush, 1/0 */
	lazy_mmu_mode_disable(); /* disable: arch_leave, 0/0 */

	/* Counters as each hook saw them: updated before the hook. */
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_LEAVE, 2, 1 },
		     { EV_ENTER, 2, 0 }, { EV_FLUSH, 1, 0 },
		     { EV_LEAVE, 0, 0 });
	EXPECT_STATE(test, 0, 0);
}

/*
 * Every disable flushes: a nested one calls arch_flush (the outer section
 * stays open, active), the outermost arch_leave; one hook per disable.
 */
static void nested_disable_flushes(struct kunit *test)
{
	lazy_mmu_mode_enable();
	lazy_mmu_mode_enable();
	lazy_mmu_mode_enable();
	EXPECT_STATE(test, 3, 0);
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }); /* nested enables: none */

	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 2, 0);
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_FLUSH, 2, 0 });

	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 1, 0);
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_FLUSH, 2, 0 },
		     { EV_FLUSH, 1, 0 });

	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 0, 0);
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_FLUSH, 2, 0 },
		     { EV_FLUSH, 1, 0 }, { EV_LEAVE, 0, 0 });
}

/*
 * pause/resume: allowed without a section (no hook), nest, make enable and
 * disable no-ops, and resume re-enters at the level the pause left.
 */
static void pause_resume(struct kunit *test)
{
	/* Not enabled: pause and resume change the counter only. */
	lazy_mmu_mode_pause();
	EXPECT_STATE(test, 0, 1);
	lazy_mmu_mode_enable(); /* paused: no effect */
	EXPECT_STATE(test, 0, 1);
	lazy_mmu_mode_resume();
	EXPECT_STATE(test, 0, 0);
	EXPECT_NO_HOOKS(test);

	/* Two levels deep, paused twice. */
	lazy_mmu_mode_enable();
	lazy_mmu_mode_enable();
	lazy_mmu_mode_pause(); /* leaves whatever the level */
	EXPECT_STATE(test, 2, 1);
	lazy_mmu_mode_pause(); /* nested pause: no hook */
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
	lazy_mmu_mode_disable(); /* all three: paused, no effect */
	EXPECT_STATE(test, 2, 2);
	lazy_mmu_mode_resume(); /* still paused: no hook */
	EXPECT_STATE(test, 2, 1);
	lazy_mmu_mode_resume(); /* re-enters at level 2 */
	EXPECT_STATE(test, 2, 0);
	lazy_mmu_mode_disable();
	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 0, 0);

	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_LEAVE, 2, 1 },
		     { EV_ENTER, 2, 0 }, { EV_FLUSH, 1, 0 },
		     { EV_LEAVE, 0, 0 });
}

/*
 * Underflow: disable with no section, resume with no pause. Each warns
 * through lazy_mmu_warn() (naming the call and counter), changes nothing
 * and calls no arch hook; what follows behaves as if it had not happened.
 * (v7.0 would let the u8 wrap: docs/core.md, "Misuse".)
 */
static void misuse_underflow(struct kunit *test)
{
	struct lazymmu_glue_event ev[2];

	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 0, 0);
	lazy_mmu_mode_resume();
	EXPECT_STATE(test, 0, 0);

	/* Paused with nothing enabled, disable is a no-op, not a misuse. */
	lazy_mmu_mode_pause();
	lazy_mmu_mode_disable();
	lazy_mmu_mode_resume();
	EXPECT_STATE(test, 0, 0);

	KUNIT_ASSERT_EQ(test, lazymmu_glue_log_read(ev, 2), 2U);
	KUNIT_EXPECT_EQ(test, ev[0].kind, EV_WARN);
	KUNIT_EXPECT_STREQ(test, ev[0].what,
			   "lazy_mmu_mode_disable: enable_count underflow");
	KUNIT_EXPECT_EQ(test, ev[1].kind, EV_WARN);
	KUNIT_EXPECT_STREQ(test, ev[1].what,
			   "lazy_mmu_mode_resume: pause_count underflow");

	/* The state is intact: a section works as ever. */
	lazymmu_glue_log_reset();
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_LEAVE, 0, 0 });
}

/*
 * Overflow: the 256th enable (or pause) warns and changes nothing; 255
 * disables then close every section: 254 nested ones flush, the last
 * leaves.
 */
static void misuse_overflow(struct kunit *test)
{
	struct lazymmu_glue_event ev[LAZYMMU_GLUE_LOG_SIZE];
	unsigned int i;

	for (i = 0; i < 255; i++)
		lazy_mmu_mode_enable();
	EXPECT_STATE(test, 255, 0);
	lazy_mmu_mode_enable(); /* the 256th */
	EXPECT_STATE(test, 255, 0);
	KUNIT_ASSERT_EQ(test, lazymmu_glue_log_read(ev, ARRAY_SIZE(ev)), 2U);
	KUNIT_EXPECT_EQ(test, ev[0].kind, EV_ENTER); /* the first enable */
	KUNIT_EXPECT_EQ(test, ev[1].kind, EV_WARN);
	KUNIT_EXPECT_STREQ(test, ev[1].what,
			   "lazy_mmu_mode_enable: enable_count overflow");

	for (i = 0; i < 255; i++)
		lazy_mmu_mode_disable();
	EXPECT_STATE(test, 0, 0);
	KUNIT_EXPECT_EQ(test, lazymmu_glue_count(EV_ENTER), 1U);
	KUNIT_EXPECT_EQ(test, lazymmu_glue_count(EV_FLUSH), 254U);
	KUNIT_EXPECT_EQ(test, lazymmu_glue_count(EV_LEAVE), 1U);
	KUNIT_EXPECT_EQ(test, lazymmu_glue_count(EV_WARN), 1U);

	/* Pauses: not enabled, so no arch hook at all, only the warning. */
	lazymmu_glue_log_reset();
	for (i = 0; i < 256; i++)
		lazy_mmu_mode_pause();
	EXPECT_STATE(test, 0, 255);
	KUNIT_ASSERT_EQ(test, lazymmu_glue_log_read(ev, ARRAY_SIZE(ev)), 1U);
	KUNIT_EXPECT_EQ(test, ev[0].kind, EV_WARN);
	KUNIT_EXPECT_STREQ(test, ev[0].what,
			   "lazy_mmu_mode_pause: pause_count overflow");
	for (i = 0; i < 255; i++)
		lazy_mmu_mode_resume();
	EXPECT_STATE(test, 0, 0);
	KUNIT_EXPECT_EQ(test, lazymmu_glue_count(EV_WARN), 1U);
}

/*
 * The core's own out-of-line definitions (src/core/lazy_mmu.c), called
 * through pointers, as a caller that takes their address does: they are
 * the same layer as the inline copies.
 */
static void out_of_line_copies(struct kunit *test)
{
	void (*volatile enable)(void) = lazy_mmu_mode_enable;
	void (*volatile disable)(void) = lazy_mmu_mode_disable;
	void (*volatile pause)(void) = lazy_mmu_mode_pause;
	void (*volatile resume)(void) = lazy_mmu_mode_resume;
	bool (*volatile active)(void) = is_lazy_mmu_mode_active;

	enable();
	enable();
	KUNIT_EXPECT_TRUE(test, active());
	pause();
	KUNIT_EXPECT_FALSE(test, active());
	resume();
	disable();
	disable();
	KUNIT_EXPECT_FALSE(test, active());
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_LEAVE, 2, 1 },
		     { EV_ENTER, 2, 0 }, { EV_FLUSH, 1, 0 },
		     { EV_LEAVE, 0, 0 });
}

/* --- other tasks --------------------------------------------------------- */

struct other_task {
	struct completion done;
	bool active_at_start;
	u8 enable_count, pause_count;
	bool active_inside;
};

static int other_task_fn(void *data)
{
	struct other_task *o = data;

	o->active_at_start = is_lazy_mmu_mode_active();
	lazy_mmu_mode_enable();
	o->active_inside = is_lazy_mmu_mode_active();
	lazy_mmu_mode_disable();
	o->enable_count = state()->enable_count;
	o->pause_count = state()->pause_count;
	complete(&o->done);
	return 0;
}

/*
 * The state is per task: while this task's section is open, another task
 * starts inactive, its own section calls its own hooks, and this task's
 * counters do not move. (This task sleeps in its section to let the other
 * run; the glue's hooks do not disable preemption, so that is harmless
 * here.)
 */
static void state_is_per_task(struct kunit *test)
{
	struct other_task *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	struct lazymmu_glue_event ev[3];
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, o);
	init_completion(&o->done);
	lazy_mmu_mode_enable();

	t = kthread_run(other_task_fn, o, "lazymmu_other");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&o->done, 10 * HZ),
			0UL);

	KUNIT_EXPECT_FALSE(test, o->active_at_start);
	KUNIT_EXPECT_TRUE(test, o->active_inside);
	KUNIT_EXPECT_EQ(test, o->enable_count, 0);
	KUNIT_EXPECT_EQ(test, o->pause_count, 0);
	EXPECT_STATE(test, 1, 0); /* ours, untouched */

	/* Our enter, then the other task's enter and leave, as its own. */
	KUNIT_ASSERT_EQ(test, lazymmu_glue_log_read(ev, 3), 3U);
	KUNIT_EXPECT_EQ(test, ev[0].kind, EV_ENTER);
	KUNIT_EXPECT_PTR_EQ(test, ev[0].task, current);
	KUNIT_EXPECT_EQ(test, ev[1].kind, EV_ENTER);
	KUNIT_EXPECT_PTR_EQ(test, ev[1].task, t);
	KUNIT_EXPECT_EQ(test, ev[1].enable_count, 1);
	KUNIT_EXPECT_EQ(test, ev[2].kind, EV_LEAVE);
	KUNIT_EXPECT_PTR_EQ(test, ev[2].task, t);
	KUNIT_EXPECT_EQ(test, ev[2].enable_count, 0);

	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 0, 0);
}

/* --- interrupt context ------------------------------------------------- */

/*
 * What the interrupt handler saw. The test task fills @task and @state
 * (its own) before arming the timer; the handler does not call
 * lazy_mmu_current_state(), which is for task context only.
 */
struct irq_probe {
	struct hrtimer timer;
	struct task_struct *task;
	const struct lazy_mmu_state *state;
	bool done;
	bool in_interrupt;
	bool in_hardirq;
	bool in_softirq;
	bool interrupted_task; /* current was the test task */
	bool active; /* is_lazy_mmu_mode_active() there */
	bool task_active; /* the interrupted task's saved state */
	u8 enable_count, pause_count; /* the test task's, after the calls */
	unsigned int hooks; /* hook calls made by the calls */
};

static unsigned int hooks_so_far(void)
{
	return lazymmu_glue_count(EV_ENTER) + lazymmu_glue_count(EV_LEAVE) +
	       lazymmu_glue_count(EV_FLUSH) + lazymmu_glue_count(EV_WARN);
}

static enum hrtimer_restart irq_probe_fn(struct hrtimer *timer)
{
	struct irq_probe *p = container_of(timer, struct irq_probe, timer);
	unsigned int before = hooks_so_far();

	p->in_interrupt = in_interrupt();
	p->in_hardirq = in_hardirq();
	p->in_softirq = in_serving_softirq();
	p->interrupted_task = current == p->task;
	p->active = is_lazy_mmu_mode_active();
	p->task_active = __task_lazy_mmu_mode_active(p->state);

	/*
	 * A legal pair, then what would be misuse in task context (two
	 * disables and two resumes with one section open, no pause): in
	 * interrupt context every one returns at once.
	 */
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
	lazy_mmu_mode_pause();
	lazy_mmu_mode_disable();
	lazy_mmu_mode_disable();
	lazy_mmu_mode_resume();
	lazy_mmu_mode_resume();

	p->hooks = hooks_so_far() - before;
	p->enable_count = p->state->enable_count;
	p->pause_count = p->state->pause_count;
	WRITE_ONCE(p->done, true);
	return HRTIMER_NORESTART;
}

/*
 * Fire a 1 ms hrtimer in @mode while this task spins inside an open
 * section (spins, so that a hard interrupt lands on this task), then check
 * that the handler was in interrupt context, saw the mode inactive there,
 * and that its calls changed nothing and reached no hook.
 */
static void irq_noop(struct kunit *test, enum hrtimer_mode mode)
{
	struct irq_probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	u64 deadline;

	KUNIT_ASSERT_NOT_NULL(test, p);
	lazy_mmu_mode_enable();
	p->task = current;
	p->state = state();

	hrtimer_init(&p->timer, CLOCK_MONOTONIC, mode);
	p->timer.function = irq_probe_fn;
	hrtimer_start(&p->timer, ms_to_ktime(1), mode);
	deadline = ktime_get_ns() + 5 * NSEC_PER_SEC;
	while (!READ_ONCE(p->done) && ktime_get_ns() < deadline)
		cpu_relax();
	hrtimer_cancel(&p->timer);
	KUNIT_ASSERT_TRUE_MSG(test, READ_ONCE(p->done),
			      "the hrtimer did not fire within 5 s");

	KUNIT_EXPECT_TRUE(test, p->in_interrupt);
	if (mode == HRTIMER_MODE_REL_HARD) {
		KUNIT_EXPECT_TRUE(test, p->in_hardirq);
		/* The interrupt came while this task was in its section. */
		KUNIT_EXPECT_TRUE(test, p->interrupted_task);
	} else {
		KUNIT_EXPECT_TRUE(test, p->in_softirq);
	}
	/* Inactive in interrupt context, though the task's section is open. */
	KUNIT_EXPECT_FALSE(test, p->active);
	KUNIT_EXPECT_TRUE(test, p->task_active);
	/* Seven calls, no hook, no warning, no counter moved. */
	KUNIT_EXPECT_EQ(test, p->hooks, 0U);
	KUNIT_EXPECT_EQ(test, p->enable_count, 1);
	KUNIT_EXPECT_EQ(test, p->pause_count, 0);

	/* Back in the task: the section is as it was. */
	EXPECT_STATE(test, 1, 0);
	lazy_mmu_mode_disable();
	EXPECT_STATE(test, 0, 0);
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_LEAVE, 0, 0 });
}

static void hardirq_is_noop(struct kunit *test)
{
	irq_noop(test, HRTIMER_MODE_REL_HARD);
}

static void softirq_is_noop(struct kunit *test)
{
	irq_noop(test, HRTIMER_MODE_REL_SOFT);
}

/*
 * in_interrupt() also counts a task that disabled bottom halves, and so
 * does the core: inside local_bh_disable() every call is a no-op and the
 * mode reads inactive, though the task's section is open.
 */
static void bh_disabled_is_noop(struct kunit *test)
{
	lazy_mmu_mode_enable();

	local_bh_disable();
	KUNIT_EXPECT_TRUE(test, in_interrupt());
	KUNIT_EXPECT_FALSE(test, is_lazy_mmu_mode_active());
	lazy_mmu_mode_disable();
	lazy_mmu_mode_pause();
	local_bh_enable();

	EXPECT_STATE(test, 1, 0);
	lazy_mmu_mode_disable();
	EXPECT_HOOKS(test, { EV_ENTER, 1, 0 }, { EV_LEAVE, 0, 0 });
}

static struct kunit_case lazymmu_core_cases[] = {
	KUNIT_CASE(lazy_mmu_mode_active),   KUNIT_CASE(hooks_in_order),
	KUNIT_CASE(nested_disable_flushes), KUNIT_CASE(pause_resume),
	KUNIT_CASE(misuse_underflow),	    KUNIT_CASE(misuse_overflow),
	KUNIT_CASE(out_of_line_copies),	    KUNIT_CASE(state_is_per_task),
	KUNIT_CASE(hardirq_is_noop),	    KUNIT_CASE(softirq_is_noop),
	KUNIT_CASE(bh_disabled_is_noop),    {}
};

static struct kunit_suite lazymmu_core_suite = {
	.name = "lazymmu_core",
	.init = lazymmu_test_init,
	.test_cases = lazymmu_core_cases,
};
kunit_test_suite(lazymmu_core_suite);

MODULE_DESCRIPTION("KUnit tests for lazymmu's generic lazy MMU layer");
MODULE_LICENSE("Dual MIT/GPL");
