// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Unit tests of the generic lazy MMU layer (src/core) against its contract
 * (docs/core.md): the upstream KUnit case, every row of the transition
 * table with the exact arch hooks, interrupt context, misuse at both ends
 * of both counters, and deep nesting.
 *
 * The program is its own embedder (tests/core/recorder.h): every arch hook
 * and warning is logged with the counters it observed.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "calls.h"
#include "recorder.h"

static struct rec_task task_a = { .name = "A" };
static struct rec_task task_b = { .name = "B" };

/* Start a case: task A is current, outside interrupts, state (e, p). */
static void setup(unsigned int e, unsigned int p)
{
	current = &task_a;
	in_irq = 0;
	rec_set_state(e, p);
	rec_reset();
	rec_bad_pre = 0;
	rec_state_in_irq = 0;
}

static bool state_is(const struct lazy_mmu_state *s, unsigned int e,
		     unsigned int p)
{
	return s->enable_count == e && s->pause_count == p;
}

/*
 * check() - after some calls: the log since the last rec_reset() is exactly
 * @hooks, each hook observed current's counters (e, p) (the state they left:
 * counters are updated before the hook), current's state is (e, p),
 * is_lazy_mmu_mode_active() agrees, and no hook saw a state its
 * precondition forbids. diag()s what differs; resets the log.
 */
static bool check(const char *ctx, const char *hooks, unsigned int e,
		  unsigned int p)
{
	const struct lazy_mmu_state *s = &current->lazy_mmu_state;
	bool want_active = e > 0 && p == 0;
	bool pass = true;
	char got[REC_LOG_MAX + 2];
	int i;

	rec_trace(got, sizeof(got));
	if (strcmp(got, hooks)) {
		diag("%s: hooks \"%s\", expected \"%s\"", ctx, got, hooks);
		pass = false;
	}
	for (i = 0; i < rec_len && i < REC_LOG_MAX; i++) {
		if (!state_is(&rec_log[i].seen, e, p)) {
			diag("%s: hook %c saw (%u,%u), expected (%u,%u)", ctx,
			     rec_log[i].kind, rec_log[i].seen.enable_count,
			     rec_log[i].seen.pause_count, e, p);
			pass = false;
		}
	}
	if (!state_is(s, e, p)) {
		diag("%s: state (%u,%u), expected (%u,%u)", ctx,
		     s->enable_count, s->pause_count, e, p);
		pass = false;
	}
	if (is_lazy_mmu_mode_active() != want_active) {
		diag("%s: is_lazy_mmu_mode_active() is %d", ctx, !want_active);
		pass = false;
	}
	if (__task_lazy_mmu_mode_active(s) != want_active) {
		diag("%s: __task_lazy_mmu_mode_active() is %d", ctx,
		     !want_active);
		pass = false;
	}
	if (rec_bad_pre || rec_state_in_irq) {
		diag("%s: %d hook precondition violations, %d state lookups in interrupt",
		     ctx, (int)rec_bad_pre, (int)rec_state_in_irq);
		pass = false;
	}
	rec_reset();
	return pass;
}

/* One call, then check(). */
static bool step(enum op op, const char *hooks, unsigned int e, unsigned int p)
{
	char ctx[64];

	snprintf(ctx, sizeof(ctx), "%s -> (%u,%u)", op_name[op], e, p);
	call(op);
	return check(ctx, hooks, e, p);
}

/* ---- the upstream KUnit case ------------------------------------------ */

static int kunit_expectations, kunit_failures;

static void expect_active_at(bool want, int line)
{
	kunit_expectations++;
	if (is_lazy_mmu_mode_active() != want) {
		kunit_failures++;
		diag("line %d: expected %s", line,
		     want ? "active" : "not active");
	}
}

#define expect_active() expect_active_at(true, __LINE__)
#define expect_not_active() expect_active_at(false, __LINE__)

/* mm/tests/lazy_mmu_mode_kunit.c, lazy_mmu_mode_active (Linux 7.0). */
static void test_kunit_lazy_mmu_mode_active(void)
{
	setup(0, 0);

	expect_not_active();

	lazy_mmu_mode_enable();
	expect_active();

	{
		/* Nested section */
		lazy_mmu_mode_enable();
		expect_active();

		lazy_mmu_mode_disable();
		expect_active();
	}

	{
		/* Paused section */
		lazy_mmu_mode_pause();
		expect_not_active();

		{
			/* No effect (paused) */
			lazy_mmu_mode_enable();
			expect_not_active();

			lazy_mmu_mode_disable();
			expect_not_active();

			lazy_mmu_mode_pause();
			expect_not_active();

			lazy_mmu_mode_resume();
			expect_not_active();
		}

		lazy_mmu_mode_resume();
		expect_active();
	}

	lazy_mmu_mode_disable();
	expect_not_active();

	ok(kunit_expectations == 11 && kunit_failures == 0,
	   "kunit lazy_mmu_mode_active (%d expectations, %d failed)",
	   kunit_expectations, kunit_failures);
	/* The hooks of the same walk (each one's counters: test_table()). */
	{
		char got[REC_LOG_MAX + 2];

		rec_trace(got, sizeof(got));
		ok(!strcmp(got, "EFLEL") && rec_warns == 0 &&
			   state_is(&task_a.lazy_mmu_state, 0, 0),
		   "kunit walk calls enter, flush, leave, enter, leave (got \"%s\"); no warning",
		   got);
		rec_reset();
	}
}

/* ---- the transition table ---------------------------------------------- */

static const struct row {
	const char *name;
	unsigned int e, p; /* before */
	enum op op;
	const char *hooks;
	unsigned int ne, np; /* after */
} rows[] = {
	{ "enable 0->1 calls arch_enter", 0, 0, ENABLE, "E", 1, 0 },
	{ "nested enable 1->2 calls nothing", 1, 0, ENABLE, "", 2, 0 },
	{ "nested enable 7->8 calls nothing", 7, 0, ENABLE, "", 8, 0 },
	{ "nested enable 254->255 calls nothing", 254, 0, ENABLE, "", 255, 0 },
	{ "disable 1->0 calls arch_leave", 1, 0, DISABLE, "L", 0, 0 },
	{ "nested disable 2->1 calls arch_flush", 2, 0, DISABLE, "F", 1, 0 },
	{ "nested disable 255->254 calls arch_flush", 255, 0, DISABLE, "F", 254,
	  0 },
	{ "pause with enable 1 calls arch_leave", 1, 0, PAUSE, "L", 1, 1 },
	{ "pause with enable 3 calls arch_leave", 3, 0, PAUSE, "L", 3, 1 },
	{ "pause with enable 255 calls arch_leave", 255, 0, PAUSE, "L", 255,
	  1 },
	{ "pause with enable 0 calls nothing", 0, 0, PAUSE, "", 0, 1 },
	{ "nested pause 1->2 (enabled) calls nothing", 1, 1, PAUSE, "", 1, 2 },
	{ "nested pause 1->2 (not enabled) calls nothing", 0, 1, PAUSE, "", 0,
	  2 },
	{ "nested pause 254->255 calls nothing", 2, 254, PAUSE, "", 2, 255 },
	{ "resume 1->0 with enable 1 calls arch_enter", 1, 1, RESUME, "E", 1,
	  0 },
	{ "resume 1->0 with enable 3 calls arch_enter", 3, 1, RESUME, "E", 3,
	  0 },
	{ "resume 1->0 with enable 0 calls nothing", 0, 1, RESUME, "", 0, 0 },
	{ "nested resume 2->1 calls nothing", 1, 2, RESUME, "", 1, 1 },
	{ "nested resume 255->254 calls nothing", 4, 255, RESUME, "", 4, 254 },
	{ "enable while paused (enable 0) has no effect", 0, 1, ENABLE, "", 0,
	  1 },
	{ "enable while paused (enable 1) has no effect", 1, 1, ENABLE, "", 1,
	  1 },
	{ "enable while paused (enable 255) has no effect, no warning", 255, 1,
	  ENABLE, "", 255, 1 },
	{ "disable while paused (enable 2) has no effect", 2, 3, DISABLE, "", 2,
	  3 },
	{ "disable while paused (enable 1) has no effect", 1, 1, DISABLE, "", 1,
	  1 },
	{ "disable while paused (enable 0) has no effect, no warning", 0, 1,
	  DISABLE, "", 0, 1 },
};

static void test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		unsigned long warns = rec_warns;

		setup(r->e, r->p);
		ok(step(r->op, r->hooks, r->ne, r->np) && rec_warns == warns,
		   "table: %s", r->name);
	}
}

/* Kevin Brodsky's summary table (v6 09/14 commit message), in order. */
static void test_upstream_summary(void)
{
	bool pass = true;

	setup(0, 0);
	pass &= step(ENABLE, "E", 1, 0);
	pass &= step(ENABLE, "", 2, 0);
	pass &= step(PAUSE, "L", 2, 1);
	pass &= step(RESUME, "E", 2, 0);
	pass &= step(DISABLE, "F", 1, 0);
	pass &= step(DISABLE, "L", 0, 0);
	ok(pass,
	   "upstream summary: enable, nested enable, pause, resume, nested disable, disable");

	setup(0, 0);
	pass = step(PAUSE, "", 0, 1);
	pass &= step(ENABLE, "", 0, 1);
	pass &= step(DISABLE, "", 0, 1);
	pass &= step(RESUME, "", 0, 0);
	pass &= step(ENABLE, "E", 1, 0);
	pass &= step(DISABLE, "L", 0, 0);
	ok(pass, "pause/resume while not enabled: no hooks, enable ignored");
}

/* Counters are updated before the hook: each hook sees the new counters. */
static void test_hook_sees_new_counters(void)
{
	bool pass = true;

	setup(0, 0);
	call(ENABLE);
	pass &= rec_len == 1 && rec_log[0].kind == REC_ENTER &&
		state_is(&rec_log[0].seen, 1, 0);
	rec_reset();
	call(PAUSE);
	pass &= rec_len == 1 && rec_log[0].kind == REC_LEAVE &&
		state_is(&rec_log[0].seen, 1, 1);
	rec_reset();
	call(RESUME);
	pass &= rec_len == 1 && rec_log[0].kind == REC_ENTER &&
		state_is(&rec_log[0].seen, 1, 0);
	rec_reset();
	call(ENABLE);
	call(DISABLE);
	pass &= rec_len == 1 && rec_log[0].kind == REC_FLUSH &&
		state_is(&rec_log[0].seen, 1, 0);
	rec_reset();
	call(DISABLE);
	pass &= rec_len == 1 && rec_log[0].kind == REC_LEAVE &&
		state_is(&rec_log[0].seen, 0, 0);
	pass &= rec_bad_pre == 0;
	ok(pass, "each hook observes the already-updated counters");
}

/* State lives in current: another task's section is invisible. */
static void test_per_task(void)
{
	bool pass = true;

	setup(0, 0);
	task_b.lazy_mmu_state = (struct lazy_mmu_state){ 0, 0 };
	pass &= step(ENABLE, "E", 1, 0);
	current = &task_b;
	pass &= step(ENABLE, "E", 1, 0);
	pass &= step(PAUSE, "L", 1, 1);
	current = &task_a;
	pass &= check("back to A", "", 1, 0);
	pass &= step(DISABLE, "L", 0, 0);
	current = &task_b;
	pass &= check("back to B", "", 1, 1);
	pass &= step(RESUME, "E", 1, 0);
	pass &= step(DISABLE, "L", 0, 0);
	ok(pass && state_is(&task_a.lazy_mmu_state, 0, 0),
	   "state is per task (current's lazy_mmu_state only)");
}

/* is_lazy_mmu_mode_active() over the whole state space. */
static void test_active_all_states(void)
{
	const struct lazy_mmu_state *s = &task_a.lazy_mmu_state;
	unsigned int e, p, bad = 0;

	setup(0, 0);
	for (e = 0; e <= 255; e++) {
		for (p = 0; p <= 255; p++) {
			bool want = e > 0 && p == 0;

			rec_set_state(e, p);
			if (is_lazy_mmu_mode_active() != want ||
			    __task_lazy_mmu_mode_active(s) != want)
				bad++;
		}
	}
	ok(bad == 0 && rec_len == 0,
	   "active iff enable_count > 0 && pause_count == 0, all 65536 states (%u wrong)",
	   bad);
}

/* ---- interrupt context ------------------------------------------------- */

static const struct lazy_mmu_state irq_states[] = {
	{ 0, 0 },   { 1, 0 },	{ 2, 0 },     { 255, 0 }, { 0, 1 },
	{ 1, 1 },   { 2, 2 },	{ 0, 255 },   { 1, 255 }, { 255, 255 },
	{ 255, 1 }, { 254, 0 }, { 128, 127 },
};

#define NR_IRQ_STATES (sizeof(irq_states) / sizeof(irq_states[0]))

static void test_irq(void)
{
	enum op op;
	size_t i;

	for (op = 0; op < NR_OPS; op++) {
		unsigned int bad = 0;
		unsigned long warns = rec_warns;

		for (i = 0; i < NR_IRQ_STATES; i++) {
			const struct lazy_mmu_state *s = &irq_states[i];

			setup(s->enable_count, s->pause_count);
			in_irq = 1;
			call(op);
			call(op);
			in_irq = 0;
			if (!state_is(&task_a.lazy_mmu_state, s->enable_count,
				      s->pause_count) ||
			    rec_len != 0)
				bad++;
		}
		ok(bad == 0 && rec_warns == warns,
		   "in interrupt: %s is a no-op in %zu states, even at the limits (%u wrong)",
		   op_name[op], NR_IRQ_STATES, bad);
	}

	{
		const struct lazy_mmu_state *ts = &task_a.lazy_mmu_state;
		unsigned int bad_active = 0, bad_task = 0;

		for (i = 0; i < NR_IRQ_STATES; i++) {
			const struct lazy_mmu_state *s = &irq_states[i];
			bool saved = s->enable_count > 0 && s->pause_count == 0;

			setup(s->enable_count, s->pause_count);
			in_irq = 1;
			if (is_lazy_mmu_mode_active())
				bad_active++;
			if (__task_lazy_mmu_mode_active(ts) != saved)
				bad_task++;
			in_irq = 0;
		}
		ok(bad_active == 0,
		   "in interrupt: is_lazy_mmu_mode_active() is false, also when the task's mode is active");
		ok(bad_task == 0,
		   "in interrupt: __task_lazy_mmu_mode_active() reports the saved state");
	}

	{
		bool pass = true;

		/* An active section, interrupted: all calls ignored. */
		setup(0, 0);
		pass &= step(ENABLE, "E", 1, 0);
		in_irq = 1;
		pass &= !is_lazy_mmu_mode_active();
		call(DISABLE);
		call(PAUSE);
		call(ENABLE);
		call(RESUME);
		call(RESUME);
		pass &= !is_lazy_mmu_mode_active();
		in_irq = 0;
		pass &= check("after the interrupt", "", 1, 0);
		pass &= step(DISABLE, "L", 0, 0);
		ok(pass && rec_state_in_irq == 0,
		   "interrupt inside a section leaves it active and untouched");
	}

	{
		/* The core must check in_interrupt first. */
		setup(1, 0);
		in_irq = 1;
		for (op = 0; op < NR_OPS; op++)
			call(op);
		(void)is_lazy_mmu_mode_active();
		in_irq = 0;
		ok(rec_state_in_irq == 0 && rec_bad_pre == 0,
		   "in interrupt: lazy_mmu_current_state() is never called");
	}
}

/* ---- misuse ------------------------------------------------------------ */

static bool one_warning(const char *ctx, const char *call_name, unsigned int e,
			unsigned int p)
{
	bool pass = true;

	if (rec_len == 1 && rec_log[0].kind == REC_WARN) {
		const char *what = rec_log[0].what;

		if (!what || !strstr(what, call_name)) {
			diag("%s: warning \"%s\" does not name %s", ctx,
			     what ? what : "(null)", call_name);
			pass = false;
		}
	}
	return check(ctx, "W", e, p) && pass;
}

static void test_misuse(void)
{
	static const struct misuse {
		const char *name;
		unsigned int e, p;
		enum op op;
	} cases[] = {
		{ "disable at enable_count 0", 0, 0, DISABLE },
		{ "resume at pause_count 0", 0, 0, RESUME },
		{ "resume at pause_count 0 inside a section", 3, 0, RESUME },
		{ "resume at pause_count 0 at enable_count 255", 255, 0,
		  RESUME },
		{ "enable at enable_count 255", 255, 0, ENABLE },
		{ "pause at pause_count 255", 0, 255, PAUSE },
		{ "pause at pause_count 255 inside a section", 1, 255, PAUSE },
		{ "pause at pause_count 255, enable_count 255", 255, 255,
		  PAUSE },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct misuse *m = &cases[i];
		unsigned long warns = rec_warns;
		char ctx[96];

		snprintf(ctx, sizeof(ctx), "misuse: %s", m->name);
		setup(m->e, m->p);
		call(m->op);
		ok(one_warning(ctx, op_name[m->op], m->e, m->p) &&
			   rec_warns == warns + 1,
		   "%s: warns once, changes nothing, calls no hook", ctx);
	}

	{
		unsigned long warns;
		bool pass;

		/* Every misuse is reported (the embedder dedups). */
		setup(0, 0);
		warns = rec_warns;
		call(DISABLE);
		call(DISABLE);
		call(RESUME);
		pass = check("repeated misuse", "WWW", 0, 0);
		pass &= step(ENABLE, "E", 1, 0);
		pass &= step(DISABLE, "L", 0, 0);
		ok(pass && rec_warns == warns + 3,
		   "misuse: every misuse warns; the state stays usable");
	}
}

/* ---- limits and deep nesting ------------------------------------------- */

static void test_limits(void)
{
	unsigned long warns = rec_warns;
	unsigned int i, hooks_wrong = 0;
	bool pass;

	setup(0, 0);
	call(ENABLE);
	pass = check("first enable", "E", 1, 0);
	for (i = 2; i <= 255; i++) {
		call(ENABLE);
		if (rec_len != 0 || task_a.lazy_mmu_state.enable_count != i)
			hooks_wrong++;
		rec_reset();
	}
	pass &= check("255 enables", "", 255, 0);
	ok(pass && hooks_wrong == 0 && rec_warns == warns,
	   "255 nested enables are allowed; only the first calls arch_enter");
	call(ENABLE);
	ok(one_warning("256th enable", "enable", 255, 0),
	   "the 256th enable warns and changes nothing");
	for (i = 254; i >= 1; i--) {
		call(DISABLE);
		if (rec_len != 1 || rec_log[0].kind != REC_FLUSH ||
		    !state_is(&rec_log[0].seen, i, 0))
			hooks_wrong++;
		rec_reset();
	}
	pass = step(DISABLE, "L", 0, 0);
	ok(pass && hooks_wrong == 0,
	   "255 disables: 254 call arch_flush, the last arch_leave");

	setup(1, 0);
	pass = step(PAUSE, "L", 1, 1);
	for (i = 2; i <= 255; i++) {
		call(PAUSE);
		if (rec_len != 0 || task_a.lazy_mmu_state.pause_count != i)
			hooks_wrong++;
		rec_reset();
	}
	pass &= check("255 pauses", "", 1, 255);
	call(PAUSE);
	pass &= one_warning("256th pause", "pause", 1, 255);
	for (i = 254; i >= 1; i--) {
		call(RESUME);
		if (rec_len != 0 || task_a.lazy_mmu_state.pause_count != i)
			hooks_wrong++;
		rec_reset();
	}
	pass &= step(RESUME, "E", 1, 0);
	ok(pass && hooks_wrong == 0,
	   "255 nested pauses allowed, 256th warns; only the outer pause/resume call hooks");
}

static void test_deep_nesting(void)
{
	unsigned int i, enters = 0, flushes = 0, wrong = 0;
	unsigned long leaves;
	bool pass;

	setup(0, 0);
	for (i = 1; i <= 200; i++) {
		call(ENABLE);
		enters += rec_len;
		if (task_a.lazy_mmu_state.enable_count != i ||
		    !is_lazy_mmu_mode_active())
			wrong++;
		rec_reset();
	}
	for (i = 199; i >= 1; i--) {
		call(DISABLE);
		if (rec_len == 1 && rec_log[0].kind == REC_FLUSH)
			flushes++;
		if (!state_is(&task_a.lazy_mmu_state, i, 0) ||
		    !is_lazy_mmu_mode_active())
			wrong++;
		rec_reset();
	}
	leaves = rec_leaves;
	call(DISABLE);
	leaves = rec_leaves - leaves;
	pass = check("200-deep, end", "L", 0, 0);
	ok(pass && enters == 1 && flushes == 199 && leaves == 1 && !wrong,
	   "200-deep nesting: 1 arch_enter, 199 arch_flush, 1 arch_leave (%u enters, %u flushes, %lu leaves)",
	   enters, flushes, leaves);

	/* Again, with a pause at depth 100. */
	setup(0, 0);
	pass = step(ENABLE, "E", 1, 0);
	for (i = 2; i <= 100; i++)
		pass &= step(ENABLE, "", i, 0);
	pass &= step(PAUSE, "L", 100, 1);
	pass &= step(ENABLE, "", 100, 1);
	pass &= step(DISABLE, "", 100, 1);
	pass &= step(PAUSE, "", 100, 2);
	pass &= step(DISABLE, "", 100, 2);
	pass &= step(RESUME, "", 100, 1);
	pass &= step(RESUME, "E", 100, 0);
	for (i = 101; i <= 200; i++)
		pass &= step(ENABLE, "", i, 0);
	for (i = 199; i >= 100; i--)
		pass &= step(DISABLE, "F", i, 0);
	pass &= step(PAUSE, "L", 100, 1);
	pass &= step(RESUME, "E", 100, 0);
	for (i = 99; i >= 1; i--)
		pass &= step(DISABLE, "F", i, 0);
	pass &= step(DISABLE, "L", 0, 0);
	ok(pass && rec_bad_pre == 0,
	   "200-deep nesting with pause/resume at depth 100");
}

int main(void)
{
	test_kunit_lazy_mmu_mode_active();
	test_table();
	test_upstream_summary();
	test_hook_sees_new_counters();
	test_per_task();
	test_active_all_states();
	test_irq();
	test_misuse();
	test_limits();
	test_deep_nesting();
	return tap_done();
}
