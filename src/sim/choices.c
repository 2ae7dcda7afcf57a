// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Recorded choices: their text form and the replay policy.
 *
 * The machine records every choice it asks the policy (machine.c:
 * choose()): what was asked, the options and the answer. Fed back through
 * sim_policy_replay(), the same machine asks the same questions and gets
 * the same answers, so the run is the same run; a question that differs
 * from the recorded one is divergence, an error that stops the run.
 *
 * One choice is one line: "WHAT N ALLOWED CUR ANSWER", e.g. "cpu 2 0x3 0 1"
 * (two CPUs, both can step, CPU0 was running, CPU1 steps next).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

static const char *const choice_names[] = {
	[SIM_CHOOSE_CPU] = "cpu",     [SIM_CHOOSE_PREEMPT] = "preempt",
	[SIM_CHOOSE_IRQ] = "irq",     [SIM_CHOOSE_MIGRATE] = "migrate",
	[SIM_CHOOSE_EVICT] = "evict",
};

#define NR_CHOICE_NAMES (sizeof(choice_names) / sizeof(choice_names[0]))

const char *sim_choice_name(enum sim_choice what)
{
	if ((size_t)what < NR_CHOICE_NAMES && choice_names[what])
		return choice_names[what];
	return "?";
}

int sim_choice_format(const struct sim_choice_rec *r, char *buf, size_t len)
{
	return snprintf(buf, len, "%s %u %#x %u %u",
			sim_choice_name((enum sim_choice)r->what), r->n,
			r->allowed, r->cur, r->answer);
}

/* One unsigned field of a choice line, at most @max; advances *@s. */
static int field(const char **s, unsigned long max, unsigned long *v)
{
	char *end;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	if (**s < '0' || **s > '9')
		return -1;
	*v = strtoul(*s, &end, 0);
	if (end == *s || *v > max || (*end && *end != ' ' && *end != '\t'))
		return -1;
	*s = end;
	return 0;
}

/*
 * sim_choice_parse() - read one choice line (no newline). Returns 0, or
 * -1 with what is wrong in @err.
 */
int sim_choice_parse(const char *line, struct sim_choice_rec *r, char *err,
		     size_t errlen)
{
	unsigned long n, allowed, cur, answer;
	const char *s = line;
	size_t w = 0;

	while (s[w] && s[w] != ' ' && s[w] != '\t')
		w++;
	memset(r, 0, sizeof(*r));
	r->what = NR_CHOICE_NAMES;
	for (size_t i = 0; i < NR_CHOICE_NAMES; i++)
		if (choice_names[i] && strlen(choice_names[i]) == w &&
		    !strncmp(choice_names[i], s, w))
			r->what = (uint8_t)i;
	if (r->what == NR_CHOICE_NAMES) {
		snprintf(err, errlen,
			 "unknown choice '%.*s' (cpu, preempt, irq, migrate, "
			 "evict)",
			 (int)(w > 20 ? 20 : w), s);
		return -1;
	}
	s += w;
	if (field(&s, 0xffff, &n) || field(&s, 0xffffffffUL, &allowed) ||
	    field(&s, 0xffff, &cur) || field(&s, 0xffff, &answer)) {
		snprintf(err, errlen,
			 "expected 'WHAT N ALLOWED CUR ANSWER', got '%.60s'",
			 line);
		return -1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s) {
		snprintf(err, errlen, "unexpected '%.20s' after the answer", s);
		return -1;
	}
	if (n < 2 || answer >= n ||
	    (answer < 32 && !(allowed & (1UL << answer)))) {
		snprintf(err, errlen, "answer %lu is not among the options",
			 answer);
		return -1;
	}
	r->n = (uint16_t)n;
	r->allowed = (uint32_t)allowed;
	r->cur = (uint16_t)cur;
	r->answer = (uint16_t)answer;
	return 0;
}

struct policy_replay {
	struct sim_policy p;
	const struct sim_choice_rec *rec;
	size_t n, next;
	const char *name;
	unsigned int first_line;
};

static unsigned int replay_choose(struct sim_policy *p, enum sim_choice what,
				  unsigned int n, unsigned int cur,
				  uint32_t allowed)
{
	struct policy_replay *r = (struct policy_replay *)p;
	struct sim_choice_rec q = { .what = (uint8_t)what,
				    .n = (uint16_t)n,
				    .cur = (uint16_t)cur,
				    .allowed = allowed };
	const struct sim_choice_rec *e;
	char want[64], got[64];

	sim_choice_format(&q, want, sizeof(want));
	*strrchr(want, ' ') = '\0'; /* the question, without an answer */
	if (r->next == r->n) {
		sim_fail("%s: the run diverges after its %zu recorded choices: "
			 "it asks '%s'",
			 r->name, r->n, want);
		return 0;
	}
	e = &r->rec[r->next];
	if (e->what != q.what || e->n != q.n || e->cur != q.cur ||
	    e->allowed != q.allowed) {
		sim_choice_format(e, got, sizeof(got));
		sim_fail("%s:%zu: the run diverges: it asks '%s', the recorded "
			 "choice is '%s'",
			 r->name, r->first_line + r->next, want, got);
		return 0;
	}
	r->next++;
	return e->answer;
}

static void replay_free(struct sim_policy *p)
{
	free(p);
}

/* sim_reset(): replay the same choices from the first */
static void replay_reset(struct sim_policy *p)
{
	((struct policy_replay *)p)->next = 0;
}

struct sim_policy *sim_policy_replay(const struct sim_choice_rec *rec, size_t n,
				     const char *name, unsigned int first_line)
{
	struct policy_replay *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->p.choose = replay_choose;
	r->p.destroy = replay_free;
	r->p.reset = replay_reset;
	r->rec = rec;
	r->n = n;
	r->name = name ? name : "replay";
	r->first_line = first_line;
	return &r->p;
}
