// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Exhaustive check of the generic lazy MMU layer against an independent
 * reference model of the transition table of docs/core.md.
 *
 * Operations: the four API calls plus irq-enter and irq-exit. Interrupt
 * context nests as it does in the kernel (a depth; in_interrupt() is
 * depth > 0); irq-exit at depth 0 is defined as a no-op, like any other
 * step it is still checked.
 *
 * Reachable states: every (enable_count, pause_count) in 0..255 x 0..255 is
 * reachable from (0, 0) through the API (enable e times, then pause p
 * times), at any interrupt depth. Rather than walk 500 calls to get to the
 * extremes, the search seeds the task's state directly with start states
 * near both ends of both counters, each in and out of interrupt context,
 * and from each enumerates EVERY sequence of up to MAX_LEN operations,
 * comparing the core with the model after every step: the hooks called
 * (arch_enter/leave/flush, warnings), both counters, the counters each hook
 * observed, is_lazy_mmu_mode_active() and __task_lazy_mmu_mode_active().
 * The search is a DFS that saves and restores both states around each step,
 * so each step runs once per prefix (sum 6^k, k = 1..8, steps per start).
 *
 * The reference is written twice: as the table itself (rules, first match
 * wins) and as the rule the table encodes (hooks mark changes of the active
 * state; a nested disable flushes; counters stay in 0..255). The two are
 * compared over the whole state space first.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "recorder.h"

#define MAX_LEN 8

enum op {
	OP_ENABLE,
	OP_DISABLE,
	OP_PAUSE,
	OP_RESUME,
	OP_IRQ_ENTER,
	OP_IRQ_EXIT,
	NR_OPS
};

static const char *const op_name[NR_OPS] = {
	[OP_ENABLE] = "enable",	      [OP_DISABLE] = "disable",
	[OP_PAUSE] = "pause",	      [OP_RESUME] = "resume",
	[OP_IRQ_ENTER] = "irq-enter", [OP_IRQ_EXIT] = "irq-exit",
};

/* ---- reference model --------------------------------------------------- */

struct mstate {
	int enable, pause; /* the task's counters */
	int irq; /* interrupt nesting depth */
};

struct mresult {
	char hook; /* 0, 'E', 'L' or 'F' */
	bool warned;
};

static bool model_active(const struct mstate *s)
{
	return s->irq == 0 && s->enable > 0 && s->pause == 0;
}

/* The table of docs/core.md, one rule per cell; the first matching rule wins. */
enum cond {
	ALWAYS,
	IN_IRQ,
	PAUSED, /* pause_count > 0 */
	E_IS_0,
	E_IS_1,
	E_IS_MAX,
	P_IS_0,
	P_IS_MAX,
	P_IS_0_E_POS, /* pause 0 -> 1 while enabled */
	P_IS_1_E_POS, /* pause 1 -> 0 while enabled */
};

enum effect { NOTHING, WARN, E_INC, E_DEC, P_INC, P_DEC };

static const struct rule {
	enum op op;
	enum cond cond;
	enum effect effect;
	char hook;
} rules[] = {
	{ OP_ENABLE, IN_IRQ, NOTHING, 0 },
	{ OP_ENABLE, PAUSED, NOTHING, 0 },
	{ OP_ENABLE, E_IS_MAX, WARN, 0 },
	{ OP_ENABLE, E_IS_0, E_INC, 'E' },
	{ OP_ENABLE, ALWAYS, E_INC, 0 },

	{ OP_DISABLE, IN_IRQ, NOTHING, 0 },
	{ OP_DISABLE, PAUSED, NOTHING, 0 },
	{ OP_DISABLE, E_IS_0, WARN, 0 },
	{ OP_DISABLE, E_IS_1, E_DEC, 'L' },
	{ OP_DISABLE, ALWAYS, E_DEC, 'F' },

	{ OP_PAUSE, IN_IRQ, NOTHING, 0 },
	{ OP_PAUSE, P_IS_MAX, WARN, 0 },
	{ OP_PAUSE, P_IS_0_E_POS, P_INC, 'L' },
	{ OP_PAUSE, ALWAYS, P_INC, 0 },

	{ OP_RESUME, IN_IRQ, NOTHING, 0 },
	{ OP_RESUME, P_IS_0, WARN, 0 },
	{ OP_RESUME, P_IS_1_E_POS, P_DEC, 'E' },
	{ OP_RESUME, ALWAYS, P_DEC, 0 },
};

static bool cond_holds(enum cond c, const struct mstate *s)
{
	switch (c) {
	case ALWAYS:
		return true;
	case IN_IRQ:
		return s->irq > 0;
	case PAUSED:
		return s->pause > 0;
	case E_IS_0:
		return s->enable == 0;
	case E_IS_1:
		return s->enable == 1;
	case E_IS_MAX:
		return s->enable == 255;
	case P_IS_0:
		return s->pause == 0;
	case P_IS_MAX:
		return s->pause == 255;
	case P_IS_0_E_POS:
		return s->pause == 0 && s->enable > 0;
	case P_IS_1_E_POS:
		return s->pause == 1 && s->enable > 0;
	}
	return false;
}

/* table_step() - the reference: @s after @op, with the hook and warning. */
static struct mstate table_step(struct mstate s, enum op op, struct mresult *r)
{
	size_t i;

	r->hook = 0;
	r->warned = false;
	if (op == OP_IRQ_ENTER) {
		s.irq++;
		return s;
	}
	if (op == OP_IRQ_EXIT) {
		if (s.irq > 0)
			s.irq--;
		return s;
	}
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *ru = &rules[i];

		if (ru->op != op || !cond_holds(ru->cond, &s))
			continue;
		switch (ru->effect) {
		case NOTHING:
			break;
		case WARN:
			r->warned = true;
			break;
		case E_INC:
			s.enable++;
			break;
		case E_DEC:
			s.enable--;
			break;
		case P_INC:
			s.pause++;
			break;
		case P_DEC:
			s.pause--;
			break;
		}
		r->hook = ru->hook;
		return s;
	}
	return s; /* not reached: every op ends with an ALWAYS rule */
}

/*
 * derived_step() - the same semantics stated as a rule: outside interrupts
 * (and, for enable/disable, outside pauses) a call moves its counter by
 * one; leaving 0..255 is a misuse that changes nothing; arch_enter marks
 * becoming active, arch_leave stopping being active, arch_flush a disable
 * that leaves the mode active.
 */
static struct mstate derived_step(struct mstate s, enum op op,
				  struct mresult *r)
{
	struct mstate n = s;
	bool before, after;

	r->hook = 0;
	r->warned = false;
	if (op == OP_IRQ_ENTER || op == OP_IRQ_EXIT)
		return table_step(s, op, r);
	if (s.irq)
		return s;
	if ((op == OP_ENABLE || op == OP_DISABLE) && s.pause)
		return s;
	n.enable += op == OP_ENABLE ? 1 : op == OP_DISABLE ? -1 : 0;
	n.pause += op == OP_PAUSE ? 1 : op == OP_RESUME ? -1 : 0;
	if (n.enable < 0 || n.enable > 255 || n.pause < 0 || n.pause > 255) {
		r->warned = true;
		return s;
	}
	before = model_active(&s);
	after = model_active(&n);
	if (!before && after)
		r->hook = 'E';
	else if (before && !after)
		r->hook = 'L';
	else if (before && after && op == OP_DISABLE)
		r->hook = 'F';
	return n;
}

static void test_models_agree(void)
{
	unsigned long checked = 0, bad = 0;
	struct mstate s;
	int op;

	for (s.irq = 0; s.irq <= 1; s.irq++) {
		for (s.enable = 0; s.enable <= 255; s.enable++) {
			for (s.pause = 0; s.pause <= 255; s.pause++) {
				for (op = 0; op < NR_OPS; op++) {
					struct mresult a, b;
					struct mstate ta, tb;

					ta = table_step(s, op, &a);
					tb = derived_step(s, op, &b);
					checked++;
					if (memcmp(&ta, &tb, sizeof(ta)) ||
					    a.hook != b.hook ||
					    a.warned != b.warned)
						bad++;
				}
			}
		}
	}
	ok(bad == 0,
	   "the table and the rule it encodes agree (%lu cases, %lu differ)",
	   checked, bad);
}

/* ---- the core, side by side -------------------------------------------- */

static struct rec_task task = { .name = "exhaustive" };
static int irq_depth;
static struct mstate model;
static enum op path[MAX_LEN];
static struct mstate start;
static unsigned long steps, sequences;

static void core_step(enum op op)
{
	switch (op) {
	case OP_ENABLE:
		lazy_mmu_mode_enable();
		break;
	case OP_DISABLE:
		lazy_mmu_mode_disable();
		break;
	case OP_PAUSE:
		lazy_mmu_mode_pause();
		break;
	case OP_RESUME:
		lazy_mmu_mode_resume();
		break;
	case OP_IRQ_ENTER:
		irq_depth++;
		break;
	case OP_IRQ_EXIT:
		if (irq_depth > 0)
			irq_depth--;
		break;
	case NR_OPS:
		break;
	}
	in_irq = irq_depth > 0;
}

static void print_divergence(int len, const struct mresult *want,
			     const char *why)
{
	const struct lazy_mmu_state *s = &task.lazy_mmu_state;
	char seq[MAX_LEN * 12], got[REC_LOG_MAX + 2];
	size_t n = 0;
	int i;

	seq[0] = '\0';
	for (i = 0; i <= len; i++)
		n += (size_t)snprintf(seq + n, sizeof(seq) - n, "%s%s",
				      i ? " " : "", op_name[path[i]]);
	diag("first divergence from (enable %d, pause %d, irq %d): %s",
	     start.enable, start.pause, start.irq, seq);
	diag("  %s", why);
	diag("  core:  enable %u pause %u irq %d hooks \"%s\" active %d",
	     s->enable_count, s->pause_count, irq_depth,
	     rec_trace(got, sizeof(got)), is_lazy_mmu_mode_active());
	diag("  model: enable %d pause %d irq %d hooks \"%s%s\" active %d",
	     model.enable, model.pause, model.irq,
	     want->hook ? (char[]){ want->hook, '\0' } : "",
	     want->warned ? "W" : "", model_active(&model));
}

/* compare() - the core against the model after one step. */
static const char *compare(const struct mresult *want)
{
	const struct lazy_mmu_state *s = &task.lazy_mmu_state;
	int n = want->hook ? 1 : 0;

	n += want->warned;
	if (s->enable_count != model.enable || s->pause_count != model.pause)
		return "counters differ";
	if (irq_depth != model.irq)
		return "interrupt depth differs (test bug)";
	if (rec_len != n)
		return "number of hooks/warnings differs";
	if (n && rec_log[0].kind != (want->warned ? REC_WARN : want->hook))
		return "hook differs";
	if (n && (rec_log[0].seen.enable_count != s->enable_count ||
		  rec_log[0].seen.pause_count != s->pause_count))
		return "the hook did not see the updated counters";
	if (is_lazy_mmu_mode_active() != model_active(&model))
		return "is_lazy_mmu_mode_active() differs";
	if (__task_lazy_mmu_mode_active(s) !=
	    (model.enable > 0 && model.pause == 0))
		return "__task_lazy_mmu_mode_active() differs";
	if (rec_bad_pre || rec_state_in_irq)
		return "a hook precondition was violated";
	return NULL;
}

/* dfs() - every continuation of length MAX_LEN - @depth; false on failure. */
static bool dfs(int depth)
{
	int op;

	for (op = 0; op < NR_OPS; op++) {
		struct lazy_mmu_state saved = task.lazy_mmu_state;
		struct mstate saved_model = model;
		int saved_irq = irq_depth;
		struct mresult want;
		const char *why;

		path[depth] = op;
		rec_reset();
		core_step(op);
		model = table_step(model, op, &want);
		steps++;
		why = compare(&want);
		if (why) {
			print_divergence(depth, &want, why);
			return false;
		}
		if (depth + 1 < MAX_LEN) {
			if (!dfs(depth + 1))
				return false;
		} else {
			sequences++;
		}
		task.lazy_mmu_state = saved;
		model = saved_model;
		irq_depth = saved_irq;
		in_irq = irq_depth > 0;
	}
	return true;
}

static bool run_from(int enable, int pause, int irq)
{
	start = (struct mstate){ enable, pause, irq };
	model = start;
	current = &task;
	rec_set_state((unsigned int)enable, (unsigned int)pause);
	irq_depth = irq;
	in_irq = irq > 0;
	rec_reset();
	return dfs(0);
}

static void test_sequences(void)
{
	/* Both ends of both counters (250 reaches 255 in 5 steps), a middle. */
	static const int starts[] = { 0, 1, 128, 250, 255 };
	unsigned long all_steps = 0, all_sequences = 0;
	size_t i, j;
	int irq;

	for (irq = 0; irq <= 1; irq++) {
		for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
			for (j = 0; j < sizeof(starts) / sizeof(starts[0]);
			     j++) {
				bool pass;

				steps = sequences = 0;
				pass = run_from(starts[i], starts[j], irq);
				ok(pass,
				   "every sequence of up to %d ops from (enable %d, pause %d)%s: %lu steps",
				   MAX_LEN, starts[i], starts[j],
				   irq ? " in interrupt" : "", steps);
				all_steps += steps;
				all_sequences += sequences;
			}
		}
	}
	diag("%lu sequences of length %d (and all their prefixes) checked, %lu steps",
	     all_sequences, MAX_LEN, all_steps);
}

/* Every single step from every state, at interrupt depth 0 and 1. */
static void test_all_states_one_step(void)
{
	unsigned long checked = 0;
	bool pass = true;
	int e, p, irq, op;

	current = &task;
	for (irq = 0; irq <= 1 && pass; irq++) {
		for (e = 0; e <= 255 && pass; e++) {
			for (p = 0; p <= 255 && pass; p++) {
				for (op = 0; op < NR_OPS && pass; op++) {
					struct mresult want;
					const char *why;

					start = (struct mstate){ e, p, irq };
					model = start;
					rec_set_state((unsigned int)e,
						      (unsigned int)p);
					irq_depth = irq;
					in_irq = irq;
					rec_reset();
					path[0] = op;
					core_step(op);
					model = table_step(model, op, &want);
					why = compare(&want);
					if (why) {
						print_divergence(0, &want, why);
						pass = false;
					}
					checked++;
				}
			}
		}
	}
	ok(pass, "every op from every state, in and out of interrupt (%lu)",
	   checked);
}

int main(void)
{
	test_models_agree();
	test_all_states_one_step();
	test_sequences();
	return tap_done();
}
