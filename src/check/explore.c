// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The model checker's exploration (see explore.h and docs/checker.md).
 *
 * The search tree: a node per choice of an execution, in the order the
 * machine asks them. A node keeps the question, the answer taken, the
 * options still to try (@todo) and those tried before the answer (@done).
 * An execution replays the nodes of the current path; past its end, every
 * new choice becomes a node that takes its first option. When the run
 * ends, the deepest node with an option left takes it and the path below
 * it is dropped: depth-first, stateless, one sim_reset() per execution.
 *
 * Bound: an answer costs one preemption when the running task could have
 * gone on and is stopped instead: another CPU chosen while the current one
 * could step, a preemption, an interrupt (the first pick of a run is
 * free). A CPU switch at a cond_resched()
 * (SIM_TOUCH_YIELD) is free and tried first, and staying there costs one,
 * so that a task that waits for another CPU in a loop never spins alone;
 * the same for yielding to another task runnable on the CPU there.
 * Where the preempted task goes, and which TLB entry a fill evicts, cost
 * nothing. A preempted task sent back to its own CPU with nothing else to
 * run there is not switched at all: that answer is not tried.
 *
 * Reduction: sleep sets (Godefroid). At a CPU choice, a CPU is asleep if
 * it was tried at an earlier node of the path (or asleep there) and every
 * step taken since is independent of its pending step
 * (sim_steps_dependent()); an asleep CPU is not tried, since an equivalent
 * execution, with the same steps in another order of independent ones, was
 * explored. When every CPU that can step is asleep the execution is
 * redundant and is cut. Conservative where the footprints say too little:
 * a preemption or an interrupt, or several steps between two CPU choices,
 * wake every CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/explore.h"
#include "check/sanitizer.h"

#define MC_MAX_DEPTH (1 << 22)

/*
 * What an execution carries from one choice to the next: the preemptions
 * left, the sleep-set bookkeeping of the last CPU choice, the shard's
 * subtree so far. A node keeps it as it was after its choice (@after), so
 * that an execution replays the recorded prefix without recomputing it.
 */
struct mc_state {
	unsigned int budget; /* preemptions left */
	bool pend_valid, pend_clear;
	uint32_t pend_indep; /* CPUs asleep after the last CPU choice's step */
	uint64_t pend_points; /* the machine's points at that choice */
	unsigned int branches; /* branching choices so far (shards) */
	uint64_t subtree; /* index of the subtree so far, modulo nr_shards */
	uint64_t subtree2; /* of the job's slice, modulo nr_jobs */
};

/*
 * A node of the path; its question and answer are x->path[] at the same
 * index (kept apart: the replay reads nothing else).
 */
struct mc_node {
	uint32_t todo; /* options still to try */
	uint32_t done; /* options tried before the answer */
	uint32_t sleep; /* CPU choices: asleep here */
	uint8_t budget; /* preemptions left before this choice */
	/*
	 * at a cond_resched(): a CPU choice of @q.cur, or a preemption
	 * there with another task runnable on the CPU
	 */
	bool yield;
	bool start; /* CPU choice before any task ran: free */
	uint8_t nr_options; /* options explored here, the answer included */
	uint8_t cost; /* cost(answer), kept with the answer */
	struct mc_state after; /* the state after this choice */
};

struct mc_fev {
	uint64_t events; /* events up to the finding, inclusive */
	size_t depth; /* choices made before it */
};

/*
 * The path: nodes [0, nr_nodes), questions and answers in path[]. The
 * first nr_valid are answered as recorded and their @after is what this
 * execution's state will be after them (the machine is deterministic);
 * from nr_valid on, mc_choose_slow() works the state out (the node
 * backtrack() changed, then new ones).
 */
struct mc_explorer {
	struct sim_policy p; /* first: the machine's policy */
	const struct mc_config *c;
	struct sim_machine *m;
	struct sim_choice_rec *path;
	struct mc_node *nodes;
	size_t nr_nodes, cap_nodes;
	size_t nr_valid;
	size_t depth; /* choices made in this execution */
	bool replay_only; /* mc_replay(): no backtracking, first options */
	/* this execution: the state after st_depth choices */
	struct mc_state st;
	size_t st_depth;
	bool redundant;
	/* shards */
	unsigned int levels, levels2, levels_all;
	bool foreign;
	/* the events and findings of this execution */
	uint64_t events;
	struct mc_fev *fev;
	size_t nr_fev, cap_fev;
	char err[256];
};

/* ---- options, their order and their cost ---------------------------------- */

static bool has(uint32_t set, unsigned int i)
{
	return i < 32 && (set & (1U << i));
}

/* The options of a question: bits 0..n-1, or the CPUs allowed. */
static uint32_t options_of(const struct sim_choice_rec *q)
{
	if (q->what == SIM_CHOOSE_CPU)
		return q->allowed;
	if (q->n >= 32)
		return q->allowed;
	return q->allowed & ((1U << q->n) - 1);
}

/* The order in which the options of question @q are tried: lower first. */
static unsigned int order(const struct sim_choice_rec *q,
			  const struct mc_node *nd, unsigned int a)
{
	switch (q->what) {
	case SIM_CHOOSE_CPU:
		if (nd->yield)
			return a == q->cur ? 1000 : a;
		return a == q->cur ? 0 : 1 + a;
	case SIM_CHOOSE_PREEMPT:
		return nd->yield ? !a : a;
	case SIM_CHOOSE_IRQ:
		return a;
	default:
		return a == q->cur ? 0 : 1 + a;
	}
}

/*
 * The answers to question @q that cost a preemption, as a set (bit a:
 * answer a; an answer costs one or nothing). Answers from 32 on cost
 * nothing (only the TLB entry a fill evicts has that many).
 */
static inline uint32_t costly(const struct sim_choice_rec *q,
			      const struct mc_node *nd)
{
	switch (q->what) {
	case SIM_CHOOSE_CPU:
		if (!has(q->allowed, q->cur) || nd->start)
			return 0; /* the current CPU cannot step: free */
		if (nd->yield)
			return 1U << q->cur; /* staying in a wait loop */
		return ~(1U << q->cur);
	case SIM_CHOOSE_PREEMPT:
		if (nd->yield)
			return 1U << 0; /* not yielding to a runnable task */
		return ~(1U << 0);
	case SIM_CHOOSE_IRQ:
		return ~(1U << 0);
	default:
		return 0;
	}
}

/* Preemptions the answer @a to question @q costs. */
static inline unsigned int cost(const struct sim_choice_rec *q,
				const struct mc_node *nd, unsigned int a)
{
	return has(costly(q, nd), a);
}

/* The first option of @set in the node's order; @set must not be empty. */
static inline unsigned int first_option(const struct sim_choice_rec *q,
					const struct mc_node *nd, uint32_t set)
{
	unsigned int best = 0, best_order = ~0U;

	for (uint32_t s = set; s; s &= s - 1) {
		unsigned int a = (unsigned int)__builtin_ctz(s);
		unsigned int o = order(q, nd, a);

		if (o < best_order) {
			best_order = o;
			best = a;
		}
	}
	return best;
}

static unsigned int rank_of(const struct sim_choice_rec *q,
			    const struct mc_node *nd, uint32_t set,
			    unsigned int a)
{
	unsigned int r = 0, oa = order(q, nd, a);

	for (uint32_t s = set; s; s &= s - 1)
		r += order(q, nd, (unsigned int)__builtin_ctz(s)) < oa;
	return r;
}

/* ---- the policy ------------------------------------------------------------ */

/* Room for one more node (and its question). */
static void grow_path(struct mc_explorer *x)
{
	if (x->nr_nodes < x->cap_nodes)
		return;
	x->cap_nodes = x->cap_nodes ? 2 * x->cap_nodes : 1024;
	x->nodes = realloc(x->nodes, x->cap_nodes * sizeof(*x->nodes));
	x->path = realloc(x->path, x->cap_nodes * sizeof(*x->path));
	if (!x->nodes || !x->path)
		abort();
}

/* The CPUs asleep at a CPU choice (see the top of the file). */
static uint32_t asleep(const struct mc_explorer *x, uint32_t allowed)
{
	if (!x->c->reduce || !x->st.pend_valid || x->st.pend_clear ||
	    x->m->points != x->st.pend_points + 1)
		return 0;
	return x->st.pend_indep & allowed;
}

/*
 * After a CPU choice answered @a with @set also tried or asleep there: the
 * CPUs of @set whose pending step is independent of @a's stay asleep.
 */
static void after_cpu_choice(struct mc_explorer *x, uint32_t set,
			     unsigned int a)
{
	const struct sim_machine *m = x->m;
	const struct sim_step *taken = &m->cpu[a].next;

	x->st.pend_indep = 0;
	if (!x->c->reduce)
		return;
	for (uint32_t s = set & ~(1U << a); s; s &= s - 1) {
		unsigned int t = (unsigned int)__builtin_ctz(s);

		if (!sim_steps_dependent(&m->cpu[t].next, taken))
			x->st.pend_indep |= 1U << t;
	}
	x->st.pend_valid = true;
	x->st.pend_clear = false;
	x->st.pend_points = m->points;
}

/*
 * Shards: the first x->levels branching choices name the subtree, whose
 * index modulo nr_shards must be the shard; the next x->levels2 name the
 * job's slice of it. @final: the run ended (fewer branching choices).
 */
static bool owned(const struct mc_explorer *x, bool final)
{
	const struct mc_config *c = x->c;
	const struct mc_state *st = &x->st;

	if (st->branches < x->levels)
		return !final || st->subtree == c->shard;
	if (st->subtree != c->shard)
		return false;
	if (st->branches < x->levels + x->levels2)
		return !final || st->subtree2 == c->job;
	return !x->levels2 || st->subtree2 == c->job;
}

static void shard_step(struct mc_explorer *x, const struct sim_choice_rec *q,
		       const struct mc_node *nd, uint32_t opts)
{
	struct mc_state *st = &x->st;
	unsigned int r;

	if (st->branches >= x->levels_all || nd->nr_options < 2)
		return;
	r = rank_of(q, nd, opts, q->answer);
	if (st->branches < x->levels)
		st->subtree =
			(st->subtree * nd->nr_options + r) % x->c->nr_shards;
	else
		st->subtree2 =
			(st->subtree2 * nd->nr_options + r) % x->c->nr_jobs;
	st->branches++;
	if ((st->branches == x->levels || st->branches == x->levels_all) &&
	    !owned(x, false)) {
		x->foreign = true;
		sim_stop();
	}
}

/* The run asks another question than the path recorded at @d: a failure. */
static __attribute__((noinline, cold)) unsigned int
diverged(const struct sim_choice_rec *rec, size_t d, enum sim_choice what,
	 unsigned int n, unsigned int cur, uint32_t allowed)
{
	char want[64], got[64];
	struct sim_choice_rec q = { .what = (uint8_t)what,
				    .n = (uint16_t)n,
				    .cur = (uint16_t)cur,
				    .allowed = allowed };

	sim_choice_format(&q, want, sizeof(want));
	*strrchr(want, ' ') = '\0';
	sim_choice_format(rec, got, sizeof(got));
	sim_fail("the run diverges at choice %zu: it asks '%s', the recorded "
		 "choice is '%s' (the machine is not deterministic, or the "
		 "file was made for other options)",
		 d + 1, want, got);
	return sim_set_nth(allowed, 0);
}

/* Whether the run asks another question than @q records. */
static inline bool differs(const struct sim_choice_rec *q, enum sim_choice what,
			   unsigned int n, unsigned int cur, uint32_t allowed)
{
	return q->what != what || q->n != n || q->cur != cur ||
	       q->allowed != allowed;
}

/*
 * A question past the recorded path: a new node, its options within the
 * bound and not asleep, the first of them taken. NULL if every CPU that
 * could step is asleep (the execution is redundant: stopped).
 */
static inline struct mc_node *new_choice(struct mc_explorer *x,
					 enum sim_choice what, unsigned int n,
					 unsigned int cur, uint32_t allowed)
{
	struct sim_machine *m = x->m;
	struct sim_choice_rec *q;
	struct mc_node *nd;
	uint32_t all, opts;

	grow_path(x);
	q = &x->path[x->nr_nodes];
	nd = &x->nodes[x->nr_nodes];
	memset(q, 0, sizeof(*q));
	memset(nd, 0, sizeof(*nd));
	q->what = (uint8_t)what;
	q->n = (uint16_t)n;
	q->cur = (uint16_t)cur;
	q->allowed = allowed;
	nd->budget = (uint8_t)x->st.budget;
	nd->yield = (what == SIM_CHOOSE_CPU && cur < SIM_MAX_CPUS &&
		     m->cpu[cur].next.kind == SIM_TOUCH_YIELD) ||
		    (what == SIM_CHOOSE_PREEMPT &&
		     this_cpu()->next.kind == SIM_TOUCH_YIELD &&
		     this_cpu()->rq_tail);
	nd->start = what == SIM_CHOOSE_CPU && !m->in_task;
	all = options_of(q);
	if (what == SIM_CHOOSE_MIGRATE && !m->cpu[m->this_cpu].rq_tail)
		all &= ~(1U << cur); /* back here alone: no switch */
	if (n > 32)
		all = has(all, cur) ? 1U << cur : all & -all;
	/* within the bound: what costs one only while one is left */
	opts = x->st.budget ? all : all & ~costly(q, nd);
	if (what == SIM_CHOOSE_CPU)
		nd->sleep = asleep(x, allowed);
	opts &= ~nd->sleep;
	if (!opts) {
		/* every CPU that can step is asleep: redundant */
		x->redundant = true;
		sim_stop();
		return NULL;
	}
	q->answer = (uint16_t)first_option(q, nd, opts);
	nd->cost = (uint8_t)cost(q, nd, q->answer);
	nd->todo = x->replay_only ? 0 : opts & ~(1U << q->answer);
	nd->nr_options = (uint8_t)sim_set_count(opts);
	x->nr_nodes++;
	return nd;
}

/* The state after @d choices of this execution: recorded, or the start. */
static void load_state(struct mc_explorer *x, size_t d)
{
	if (d) {
		x->st = x->nodes[d - 1].after;
	} else {
		memset(&x->st, 0, sizeof(x->st));
		x->st.budget = x->c->preemption_bound;
	}
	x->st_depth = d;
}

/*
 * The policy past the valid prefix (d == x->nr_valid): the node that
 * backtrack() changed, or a new one. Works the state out from the
 * previous node's, and keeps the result with the node.
 */
static __attribute__((noinline)) unsigned int
mc_choose_slow(struct mc_explorer *x, enum sim_choice what, unsigned int n,
	       unsigned int cur, uint32_t allowed)
{
	size_t d = x->depth;
	struct sim_choice_rec *q;
	struct mc_node *nd;

	if (x->st_depth != d)
		load_state(x, d);
	if (d < x->nr_nodes) {
		q = &x->path[d];
		if (differs(q, what, n, cur, allowed))
			return diverged(q, d, what, n, cur, allowed);
		nd = &x->nodes[d];
	} else {
		if (d >= MC_MAX_DEPTH) {
			sim_fail("an execution made more than %d choices: a "
				 "task that waits for another forever (a "
				 "livelock)?",
				 MC_MAX_DEPTH);
			return sim_set_nth(allowed, 0);
		}
		nd = new_choice(x, what, n, cur, allowed);
		if (!nd)
			return sim_set_nth(allowed, 0);
		q = &x->path[d];
	}
	x->depth = d + 1;
	x->st.budget -= nd->cost;
	if (what == SIM_CHOOSE_CPU)
		after_cpu_choice(x, nd->sleep | nd->done, q->answer);
	else if ((what == SIM_CHOOSE_PREEMPT || what == SIM_CHOOSE_IRQ) &&
		 q->answer)
		x->st.pend_clear = true;
	if (x->st.branches < x->levels_all)
		shard_step(x, q, nd, nd->todo | nd->done | (1U << q->answer));
	nd->after = x->st;
	x->st_depth = d + 1;
	x->nr_valid = d + 1;
	return q->answer;
}

/*
 * The machine answers the questions of the valid prefix itself, from the
 * path (struct sim_policy.replay), until the prefix ends or the run asks
 * another question: the choices made are those it answered, then those
 * mc_choose() answered.
 */
static size_t depth_of(const struct mc_explorer *x)
{
	return x->p.replay ? (size_t)(x->p.replay - x->path) : x->depth;
}

/* The machine's replay is over: the policy answers from here on. */
static void end_machine_replay(struct mc_explorer *x)
{
	x->depth = depth_of(x);
	x->p.replay = NULL;
	x->p.replay_left = 0;
}

/*
 * The policy. Most questions of an execution replay the valid prefix of
 * the path, whose answers and states are known: the machine answers them
 * (above), or, if it asks here, that case only checks the question and
 * answers. The rest is mc_choose_slow().
 */
static unsigned int mc_choose(struct sim_policy *p, enum sim_choice what,
			      unsigned int n, unsigned int cur,
			      uint32_t allowed)
{
	struct mc_explorer *x = (struct mc_explorer *)p;
	size_t d;

	if (x->p.replay)
		end_machine_replay(x);
	d = x->depth;
	if (__builtin_expect(d < x->nr_valid, 1)) {
		const struct sim_choice_rec *q = &x->path[d];

		if (__builtin_expect(differs(q, what, n, cur, allowed), 0))
			return diverged(q, d, what, n, cur, allowed);
		x->depth = d + 1;
		return q->answer;
	}
	return mc_choose_slow(x, what, n, cur, allowed);
}

/* ---- observers: events and findings of an execution ------------------------- */

/*
 * The explorer counts every event of an execution (a finding's trace is
 * measured in events) and notes where each finding came. Every event but
 * a finding is counted in place by the machine (struct sim_observer
 * .counted, all into x->events), so that an event nobody else wants is
 * not even built; a finding is delivered here.
 */
static const uint8_t mc_event_counter[SIM_EV_NR]; /* all: x->events */

static void mc_event(void *priv, const struct sim_event *ev)
{
	struct mc_explorer *x = priv;

	x->events++;
	if (ev->type != SIM_EV_FINDING)
		return; /* only if another observer counts in place first */
	if (x->nr_fev == x->cap_fev) {
		x->cap_fev = x->cap_fev ? 2 * x->cap_fev : 64;
		x->fev = realloc(x->fev, x->cap_fev * sizeof(*x->fev));
		if (!x->fev)
			abort();
	}
	x->fev[x->nr_fev].events = x->events;
	x->fev[x->nr_fev].depth = depth_of(x);
	x->nr_fev++;
}

static void mc_event_reset(void *priv)
{
	struct mc_explorer *x = priv;

	x->events = 0;
	x->nr_fev = 0;
}

/* ---- findings ------------------------------------------------------------------ */

void mc_finding_key(const struct sim_finding *f, char *key, size_t len)
{
	size_t k = 0;
	const char *s;

	k = (size_t)snprintf(key, len, "%s: ", f->kind);
	if (k >= len)
		k = len - 1;
	for (s = f->message; *s && k + 1 < len; s++) {
		if ((*s >= '0' && *s <= '9')) {
			if (s[0] == '0' && s[1] == 'x')
				s++;
			while (s[1] && ((s[1] >= '0' && s[1] <= '9') ||
					(s[1] >= 'a' && s[1] <= 'f')))
				s++;
			key[k++] = '#';
			continue;
		}
		key[k++] = *s;
	}
	key[k] = '\0';
}

/* Whether trace (e1, c1) is shorter than (e2, c2). */
static bool shorter(uint64_t e1, const struct sim_choice_rec *c1, size_t n1,
		    uint64_t e2, const struct sim_choice_rec *c2, size_t n2)
{
	if (e1 != e2)
		return e1 < e2;
	if (n1 != n2)
		return n1 < n2;
	return n1 && memcmp(c1, c2, n1 * sizeof(*c1)) < 0;
}

void mc_merge_finding(struct mc_result *r, const struct sim_finding *f,
		      const char *key, uint64_t events,
		      const struct sim_choice_rec *choices, size_t nr_choices,
		      uint64_t hits)
{
	struct mc_finding *mf = NULL;

	for (size_t i = 0; i < r->nr_findings; i++) {
		if (!strcmp(r->findings[i].key, key)) {
			mf = &r->findings[i];
			break;
		}
	}
	if (mf) {
		mf->hits += hits;
		if (!shorter(events, choices, nr_choices, mf->events,
			     mf->choices, mf->nr_choices))
			return;
		free(mf->choices);
	} else {
		if (r->nr_findings == r->findings_cap) {
			r->findings_cap =
				r->findings_cap ? 2 * r->findings_cap : 16;
			r->findings =
				realloc(r->findings,
					r->findings_cap * sizeof(*r->findings));
			if (!r->findings)
				abort();
		}
		mf = &r->findings[r->nr_findings++];
		memset(mf, 0, sizeof(*mf));
		snprintf(mf->key, sizeof(mf->key), "%s", key);
		mf->hits = hits;
	}
	mf->f = *f;
	mf->events = events;
	mf->nr_choices = nr_choices;
	mf->choices = malloc((nr_choices ? nr_choices : 1) * sizeof(*choices));
	if (!mf->choices)
		abort();
	if (nr_choices)
		memcpy(mf->choices, choices, nr_choices * sizeof(*choices));
}

/* The findings of the execution that just ended, into @r. */
static void collect(struct mc_explorer *x, struct mc_result *r)
{
	const struct sim_machine *m = x->m;
	size_t nr = m->nr_findings < x->nr_fev ? m->nr_findings : x->nr_fev;
	char key[MC_KEY_LEN];

	for (size_t i = 0; i < nr; i++) {
		const struct mc_fev *fe = &x->fev[i];
		uint64_t hit = 1;

		mc_finding_key(&m->findings[i], key, sizeof(key));
		/* hits count executions: one per key in each */
		for (size_t j = 0; j < i && hit; j++) {
			char other[MC_KEY_LEN];

			mc_finding_key(&m->findings[j], other, sizeof(other));
			hit = strcmp(key, other) != 0;
		}
		/* the choices that reach it: the first fe->depth of the path */
		mc_merge_finding(r, &m->findings[i], key, fe->events, x->path,
				 fe->depth, hit);
	}
}

/* ---- the search ------------------------------------------------------------------ */

/*
 * Back to the deepest node with an option left, which takes it; false
 * when none is left (the bounded space is exhausted). The nodes above it
 * stay valid: the next execution replays them as they were.
 */
static bool backtrack(struct mc_explorer *x)
{
	while (x->nr_nodes) {
		size_t k = x->nr_nodes - 1;
		struct sim_choice_rec *q = &x->path[k];
		struct mc_node *nd = &x->nodes[k];

		if (nd->todo) {
			unsigned int a = first_option(q, nd, nd->todo);

			nd->done |= 1U << q->answer;
			nd->todo &= ~(1U << a);
			q->answer = (uint16_t)a;
			nd->cost = (uint8_t)cost(q, nd, a);
			x->nr_valid = x->c->no_replay_cache ? 0 : k;
			return true;
		}
		x->nr_nodes--;
	}
	x->nr_valid = 0;
	return false;
}

unsigned int mc_shard_levels(unsigned int nr_shards)
{
	unsigned int bits = 0;

	while (bits < 32 && (1ULL << bits) < nr_shards)
		bits++;
	return bits * 2 + 4 > 24 ? 24 : bits * 2 + 4;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct sim_machine *
build(struct mc_explorer *x, const struct mc_config *c, struct san_state **san)
{
	struct sim_options opt = c->opt;
	struct sim_observer self = {
		.event = mc_event,
		.priv = x,
		.reset = mc_event_reset,
		.events = SIM_EV_ALL,
		.counted = SIM_EV_ALL & ~SIM_EV_BIT(SIM_EV_FINDING),
		.counter = &x->events,
		.counter_of = mc_event_counter,
		.counter_stride = 0, /* every CPU's too */
	};
	struct sim_machine *m;

	x->p.choose = mc_choose;
	opt.policy = &x->p;
	opt.fine_steps = true;
	opt.no_reset = false;
	opt.stop_on_finding = false;
	opt.no_choice_record = true;
	m = sim_create(&opt);
	x->m = m;
	*san = c->sanitize ? san_attach(m) : NULL;
	sim_add_observer(m, &self);
	return m;
}

/* One execution from post-boot state, along the current path. */
static void execute(struct mc_explorer *x)
{
	const struct mc_config *c = x->c;

	sim_reset(x->m);
	x->depth = 0;
	load_state(x, 0);
	x->redundant = false;
	x->foreign = false;
	/* the machine answers the valid prefix itself */
	x->p.replay = x->nr_valid ? x->path : NULL;
	x->p.replay_left = x->nr_valid;
	c->spawn(x->m, c->spawn_arg);
	sim_run(x->m);
	end_machine_replay(x);
	/* the state after the last choice (made past the valid prefix) */
	if (x->st_depth != x->depth)
		load_state(x, x->depth);
}

int mc_explore(const struct mc_config *c, struct mc_result *r)
{
	struct mc_explorer x = { .c = c };
	struct san_state *san;
	struct sim_machine *m;
	double t0 = now_s(), next_progress = t0 + 0.5;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	x.levels = c->nr_shards > 1 ? mc_shard_levels(c->nr_shards) : 0;
	x.levels2 = c->nr_jobs > 1 ? mc_shard_levels(c->nr_jobs) : 0;
	x.levels_all = x.levels + x.levels2;
	m = build(&x, c, &san);
	for (;;) {
		execute(&x);
		if (sim_error(m) && !x.foreign && !x.redundant) {
			snprintf(r->error, sizeof(r->error), "%s",
				 sim_error(m));
			ret = -1;
			break;
		}
		if (!x.foreign && !owned(&x, true))
			x.foreign = true; /* ended above the shard levels */
		if (x.depth > r->max_depth)
			r->max_depth = x.depth;
		if (x.foreign) {
			r->foreign++;
		} else {
			if (!x.redundant && !m->stopped && x.st.pend_valid &&
			    !x.st.pend_clear && x.st.pend_indep)
				x.redundant = true; /* an asleep CPU ran last */
			if (x.redundant)
				r->redundant++;
			else
				r->executions++;
			collect(&x, r);
		}
		if ((c->stop_on_first && r->nr_findings) ||
		    (c->max_executions && r->executions >= c->max_executions)) {
			r->complete = !backtrack(&x);
			break;
		}
		if (c->progress && !(r->executions & 255)) {
			double t = now_s();

			if (t >= next_progress) {
				r->seconds = t - t0;
				c->progress(r, c->progress_arg);
				next_progress = t + 0.5;
			}
		}
		if (!backtrack(&x)) {
			r->complete = true;
			break;
		}
	}
	r->seconds = now_s() - t0;
	sim_destroy(m);
	if (san)
		san_detach(san);
	free(x.nodes);
	free(x.path);
	free(x.fev);
	return ret;
}

void mc_result_free(struct mc_result *r)
{
	for (size_t i = 0; i < r->nr_findings; i++)
		free(r->findings[i].choices);
	free(r->findings);
	r->findings = NULL;
	r->nr_findings = r->findings_cap = 0;
}

int mc_replay(const struct mc_config *c, const struct sim_choice_rec *rec,
	      size_t n, const struct mc_hooks *hooks, char *err, size_t errlen)
{
	struct mc_config one = *c;
	struct mc_explorer x = { .c = &one, .replay_only = true };
	struct san_state *san;
	struct sim_machine *m;
	int ret = 0;

	one.nr_shards = 0;
	one.nr_jobs = 0;
	one.preemption_bound = 0; /* past the recorded choices: go on */
	one.reduce = false;
	m = build(&x, &one, &san);
	if (hooks && hooks->attach)
		hooks->attach(m, hooks->arg);
	x.cap_nodes = n + 1024;
	x.nodes = calloc(x.cap_nodes, sizeof(*x.nodes));
	x.path = calloc(x.cap_nodes, sizeof(*x.path));
	if (!x.nodes || !x.path)
		abort();
	for (size_t i = 0; i < n; i++) {
		x.path[i] = rec[i];
		x.nodes[i].cost =
			(uint8_t)cost(&rec[i], &x.nodes[i], rec[i].answer);
	}
	x.nr_nodes = n;
	execute(&x);
	if (sim_error(m)) {
		snprintf(err, errlen, "%s", sim_error(m));
		ret = -1;
	} else if (x.depth < n) {
		snprintf(err, errlen,
			 "the run diverges: it ends after %zu of the %zu "
			 "recorded choices",
			 x.depth, n);
		ret = -1;
	}
	if (hooks && hooks->finish)
		hooks->finish(m, hooks->arg);
	sim_destroy(m);
	if (san)
		san_detach(san);
	free(x.nodes);
	free(x.path);
	free(x.fev);
	return ret;
}
