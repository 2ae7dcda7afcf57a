// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lazymmu explain: run a sequence of lazy MMU calls through the real core
 * (src/core/lazy_mmu.c) under a recording embedder, and print one row per
 * call: the arch hook it reached, or why it reached none, and the state after
 * it. The reasons are derived from what was observed (the state before and
 * after, the hook and the warning recorded), not from a copy of the rules.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lazymmu/lazy_mmu.h>

#include "cli/lmm.h"
#include "sim/embed.h"

enum explain_call {
	CALL_ENABLE,
	CALL_DISABLE,
	CALL_PAUSE,
	CALL_RESUME,
	CALL_IRQ_ENTER,
	CALL_IRQ_EXIT,
};

static const struct {
	const char *name;
	void (*fn)(void); /* NULL: not a core call */
} explain_calls[] = {
	[CALL_ENABLE] = { "enable", lazy_mmu_mode_enable },
	[CALL_DISABLE] = { "disable", lazy_mmu_mode_disable },
	[CALL_PAUSE] = { "pause", lazy_mmu_mode_pause },
	[CALL_RESUME] = { "resume", lazy_mmu_mode_resume },
	[CALL_IRQ_ENTER] = { "irq-enter", NULL },
	[CALL_IRQ_EXIT] = { "irq-exit", NULL },
};

#define NR_EXPLAIN_CALLS (sizeof(explain_calls) / sizeof(explain_calls[0]))

/* mm/tests/lazy_mmu_mode_kunit.c, lazy_mmu_mode_active, in call order. */
static const enum explain_call kunit_sequence[] = {
	CALL_ENABLE, /* active */
	CALL_ENABLE, /* nested section: still active */
	CALL_DISABLE, /* still active, the outer section is open */
	CALL_PAUSE, /* paused section: not active */
	CALL_ENABLE, /* no effect while paused */
	CALL_DISABLE, /* no effect while paused */
	CALL_PAUSE, /* nested pause: no effect */
	CALL_RESUME, /* no effect */
	CALL_RESUME, /* active again */
	CALL_DISABLE, /* not active */
};

/* The recording embedder: one task, an interrupt depth, the last call. */
struct explain_env {
	struct lazy_mmu_state state;
	unsigned int irq_depth;
	const char *hook; /* arch hook reached by the current call */
	bool warned;
	char warning[128];
};

/* One row of the explanation: a call and what it did. */
struct explain_row {
	enum explain_call call;
	const char *hook; /* NULL: none */
	const char *reason; /* why no hook; NULL if one, or not a core call */
	struct lazy_mmu_state state; /* after the call */
	unsigned int irq_depth;
	bool active; /* is_lazy_mmu_mode_active() after the call */
	bool warned;
	char warning[128]; /* what lazy_mmu_warn() said, if warned */
};

static struct lazy_mmu_state *env_current_state(void *priv)
{
	return &((struct explain_env *)priv)->state;
}

static bool env_in_interrupt(void *priv)
{
	return ((struct explain_env *)priv)->irq_depth > 0;
}

static void env_arch_enter(void *priv)
{
	((struct explain_env *)priv)->hook = "arch_enter";
}

static void env_arch_leave(void *priv)
{
	((struct explain_env *)priv)->hook = "arch_leave";
}

static void env_arch_flush(void *priv)
{
	((struct explain_env *)priv)->hook = "arch_flush";
}

static void env_warn(void *priv, const char *what)
{
	struct explain_env *env = priv;

	env->warned = true;
	snprintf(env->warning, sizeof(env->warning), "%s", what);
}

static bool same_state(struct lazy_mmu_state a, struct lazy_mmu_state b)
{
	return a.enable_count == b.enable_count &&
	       a.pause_count == b.pause_count;
}

/*
 * Why a core call reached no arch hook, from the state before (@b) and after
 * (@a) it. "unexplained" means the core did something this table does not
 * know about.
 */
static const char *no_hook_reason(enum explain_call call,
				  struct lazy_mmu_state b,
				  struct lazy_mmu_state a, bool in_interrupt)
{
	if (in_interrupt && same_state(a, b))
		return "interrupt";
	switch (call) {
	case CALL_ENABLE:
	case CALL_DISABLE:
		if (b.pause_count > 0 && same_state(a, b))
			return "paused";
		if (call == CALL_ENABLE && b.enable_count > 0 &&
		    a.enable_count == b.enable_count + 1)
			return "nested";
		break;
	case CALL_PAUSE:
		if (a.pause_count != b.pause_count + 1)
			break;
		if (b.pause_count > 0)
			return "paused";
		if (b.enable_count == 0)
			return "not enabled";
		break;
	case CALL_RESUME:
		if (a.pause_count + 1 != b.pause_count)
			break;
		if (a.pause_count > 0)
			return "paused";
		if (a.enable_count == 0)
			return "not enabled";
		break;
	default:
		break;
	}
	return "unexplained";
}

static void explain_one(struct explain_env *env, enum explain_call call,
			struct explain_row *row)
{
	struct lazy_mmu_state before = env->state;

	env->hook = NULL;
	env->warned = false;
	if (call == CALL_IRQ_ENTER)
		env->irq_depth++;
	else if (call == CALL_IRQ_EXIT)
		env->irq_depth--;
	else
		explain_calls[call].fn();

	row->call = call;
	row->hook = env->hook;
	row->reason = NULL;
	row->warned = env->warned;
	if (env->warned) {
		row->reason = "misuse";
		memcpy(row->warning, env->warning, sizeof(row->warning));
	} else if (explain_calls[call].fn && !env->hook) {
		row->reason = no_hook_reason(call, before, env->state,
					     env->irq_depth > 0);
	}
	row->state = env->state;
	row->irq_depth = env->irq_depth;
	row->active = is_lazy_mmu_mode_active();
}

static void print_json(const struct explain_row *rows, size_t n)
{
	puts("{\"calls\":[");
	for (size_t i = 0; i < n; i++) {
		const struct explain_row *r = &rows[i];

		fputs("  {\"call\":", stdout);
		lmm_json_string(explain_calls[r->call].name);
		fputs(",\"hook\":", stdout);
		lmm_json_string(r->hook);
		fputs(",\"reason\":", stdout);
		lmm_json_string(r->reason);
		printf(",\"enable_count\":%u,\"pause_count\":%u",
		       r->state.enable_count, r->state.pause_count);
		printf(",\"in_interrupt\":%s,\"irq_depth\":%u,\"active\":%s",
		       r->irq_depth ? "true" : "false", r->irq_depth,
		       r->active ? "true" : "false");
		fputs(",\"warning\":", stdout);
		lmm_json_string(r->warned ? r->warning : NULL);
		printf("}%s\n", i + 1 < n ? "," : "");
	}
	puts("]}");
}

/* Print @line without trailing blanks. */
static void put_trimmed(char *line)
{
	size_t len = strlen(line);

	while (len > 0 && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

static void print_table(const struct explain_row *rows, size_t n)
{
	char line[256];
	int w = snprintf(NULL, 0, "%zu", n);

	snprintf(line, sizeof(line),
		 "%*s  %-9s  %-10s  %6s  %5s  %3s  %-6s  %s", w, "#", "call",
		 "arch hook", "enable", "pause", "irq", "active",
		 "no hook because");
	put_trimmed(line);
	for (size_t i = 0; i < n; i++) {
		const struct explain_row *r = &rows[i];
		const char *hook = r->hook;
		char reason[160] = "";

		if (!hook)
			hook = explain_calls[r->call].fn ? "none" : "-";
		if (r->warned)
			snprintf(reason, sizeof(reason), "%s: %s", r->reason,
				 r->warning);
		else if (r->reason)
			snprintf(reason, sizeof(reason), "%s", r->reason);
		snprintf(line, sizeof(line),
			 "%*zu  %-9s  %-10s  %6u  %5u  %3u  %-6s  %s", w, i + 1,
			 explain_calls[r->call].name, hook,
			 r->state.enable_count, r->state.pause_count,
			 r->irq_depth, r->active ? "yes" : "no", reason);
		put_trimmed(line);
	}
}

static int usage(FILE *f)
{
	fputs("usage: lazymmu explain [CALL...] [--json]\n"
	      "Runs the calls through the generic lazy MMU layer (Linux 7.0) and\n"
	      "prints, for each, the arch hook it reached or why none, and the\n"
	      "state after it. CALL is one of:\n"
	      "  enable, disable, pause, resume  lazy_mmu_mode_<CALL>()\n"
	      "  irq-enter, irq-exit             enter or leave interrupt context\n"
	      "With no CALL: the KUnit lazy_mmu_mode_active sequence.\n"
	      "  --json  one JSON object: {\"calls\":[{...}, ...]}\n",
	      f);
	return f == stderr ? LMM_EXIT_USAGE : LMM_EXIT_CLEAN;
}

static int parse_call(const char *word, enum explain_call *call)
{
	for (size_t i = 0; i < NR_EXPLAIN_CALLS; i++) {
		if (!strcmp(word, explain_calls[i].name)) {
			*call = i;
			return 0;
		}
	}
	return -1;
}

#define EXPLAIN_CALL_NAMES "enable, disable, pause, resume, irq-enter, irq-exit"

/*
 * Parse the words after "explain" into @calls (room for @argc). Returns -1
 * to go on, or the exit status: every error is found before anything runs.
 */
static int parse_args(int argc, char **argv, enum explain_call *calls,
		      size_t *n, bool *json)
{
	unsigned int depth = 0;

	for (int i = 0; i < argc; i++) {
		const char *word = argv[i];

		if (!strcmp(word, "--help") || !strcmp(word, "-h"))
			return usage(stdout);
		if (!strcmp(word, "--json")) {
			*json = true;
			continue;
		}
		if (word[0] == '-')
			return lmm_usage_error(
				"explain: unknown option '%s' (expected --json or --help)",
				word);
		if (parse_call(word, &calls[*n]))
			return lmm_usage_error(
				"explain: unknown call '%s' (expected %s)",
				word, EXPLAIN_CALL_NAMES);
		if (calls[*n] == CALL_IRQ_ENTER)
			depth++;
		else if (calls[*n] == CALL_IRQ_EXIT && depth-- == 0)
			return lmm_usage_error(
				"explain: 'irq-exit' (argument %d) without a matching irq-enter",
				i + 1);
		(*n)++;
	}
	return -1;
}

/* Run @calls through the core under the recorder, one row each. */
static void explain_run(const enum explain_call *calls, size_t n,
			struct explain_row *rows)
{
	struct explain_env env = { 0 };
	const struct sim_embedder_ops recorder = {
		.current_state = env_current_state,
		.in_interrupt = env_in_interrupt,
		.arch_enter = env_arch_enter,
		.arch_leave = env_arch_leave,
		.arch_flush = env_arch_flush,
		.warn = env_warn,
		.priv = &env,
	};
	const struct sim_embedder_ops *prev = sim_embedder_install(&recorder);

	for (size_t i = 0; i < n; i++)
		explain_one(&env, calls[i], &rows[i]);
	sim_embedder_install(prev);
}

int lmm_cmd_explain(int argc, char **argv)
{
	const enum explain_call *seq;
	enum explain_call *calls;
	struct explain_row *rows = NULL;
	size_t n = 0;
	bool json = false;
	int ret;

	calls = calloc(argc > 0 ? argc : 1, sizeof(*calls));
	if (!calls)
		return lmm_usage_error("explain: out of memory");
	ret = parse_args(argc, argv, calls, &n, &json);
	if (ret >= 0)
		goto out;

	seq = calls;
	if (n == 0) {
		seq = kunit_sequence;
		n = sizeof(kunit_sequence) / sizeof(kunit_sequence[0]);
	}
	rows = calloc(n, sizeof(*rows));
	if (!rows) {
		ret = lmm_usage_error("explain: out of memory");
		goto out;
	}
	explain_run(seq, n, rows);

	if (json) {
		print_json(rows, n);
	} else {
		if (seq == kunit_sequence)
			puts("The KUnit case lazy_mmu_mode_active (mm/tests/lazy_mmu_mode_kunit.c):\n");
		print_table(rows, n);
	}
	ret = LMM_EXIT_CLEAN;
out:
	free(rows);
	free(calls);
	return ret;
}
