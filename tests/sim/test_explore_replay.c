// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * How the checker replays the shared prefix of its executions (issue 11,
 * its speed), and that nothing it prints changes with it:
 *
 * - the machine answers questions a policy knows in advance (struct
 *   sim_policy.replay): the same run as the policy answering them, and a
 *   question other than the record's goes to the policy;
 * - the explorer keeps each choice's state (preemptions left, sleep
 *   sets, shard) with its node and does not work it out again for the
 *   prefix an execution replays: the same exploration as working it out
 *   at every choice of every execution (mc_config.no_replay_cache), on
 *   workloads with and without findings, with interrupts, shards, jobs;
 * - the explorer counts events in place (no call per event): a finding's
 *   event number is the number of events a plain observer was delivered
 *   up to and including it.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/columns.h"
#include "check/explore.h"
#include "check/run.h"
#include "mm/mm.h"
#include "sim/stats.h"

struct wl {
	struct lmm_run_config rc;
	const struct lmm_workload *w;
	struct lmm_workload_params params;
	struct mc_config c;
};

static void wl_spawn(struct sim_machine *m, void *arg)
{
	struct wl *x = arg;

	lmm_run_spawn(m, x->w, &x->params);
}

/* @x as `lazymmu check` sets it up, 2 CPUs; false if refused. */
static bool wl_config(struct wl *x, const char *arch, const char *kernel,
		      const char *workload, unsigned long pages,
		      unsigned int bound, bool irq)
{
	char err[320];

	memset(x, 0, sizeof(*x));
	lmm_run_defaults(&x->rc);
	x->rc.arch = arch;
	x->rc.kernel = kernel;
	x->rc.workload = workload;
	x->rc.pages = pages;
	x->rc.cpus = 2;
	if (lmm_run_options(&x->rc, &x->c.opt, &x->w, err, sizeof(err))) {
		diag("%s", err);
		return false;
	}
	x->params.pages = pages;
	if (irq) {
		x->c.opt.irq_handler = x->w->irq;
		x->c.opt.irq_arg = &x->params;
	}
	x->c.spawn = wl_spawn;
	x->c.spawn_arg = x;
	x->c.sanitize = true;
	x->c.preemption_bound = bound;
	x->c.reduce = true;
	return true;
}

/* ---- the machine answers what the policy knows in advance --------------- */

struct asked {
	struct sim_policy p;
	unsigned long calls;
};

/* Asked only when the record does not answer: the first option. */
static unsigned int asked_choose(struct sim_policy *p, enum sim_choice what,
				 unsigned int n, unsigned int cur,
				 uint32_t allowed)
{
	(void)what;
	(void)n;
	(void)cur;
	((struct asked *)p)->calls++;
	return sim_set_nth(allowed, 0);
}

/* What a run did: its choices, points and every counter. */
struct outcome {
	size_t nr_choices;
	uint64_t points;
	struct sim_stats stats;
};

/*
 * One run of @x's machine with @policy into @o; with @record, its choices
 * are recorded and returned (the caller frees), else only counted (the
 * machine then answers whole points from a policy's record at once).
 */
static struct sim_choice_rec *run_once(struct wl *x, struct sim_policy *policy,
				       bool record, struct outcome *o)
{
	struct sim_options opt = x->c.opt;
	struct sim_machine *m;
	struct sim_choice_rec *rec = NULL;

	memset(o, 0, sizeof(*o));
	opt.policy = policy;
	opt.no_choice_record = !record;
	m = sim_create(&opt);
	sim_stats_attach(m, &o->stats);
	lmm_run_spawn(m, x->w, &x->params);
	sim_run(m);
	o->nr_choices = m->nr_choices;
	o->points = m->points;
	if (record) {
		rec = malloc((m->nr_choices ? m->nr_choices : 1) *
			     sizeof(*rec));
		if (!rec)
			abort();
		memcpy(rec, m->choices, m->nr_choices * sizeof(*rec));
	}
	sim_destroy(m); /* and the policy, if it has a destroy() */
	return rec;
}

static void test_policy_replay(void)
{
	struct wl x;
	struct sim_choice_rec *rec, *again, *wrong;
	struct asked a = { .p = { .choose = asked_choose } };
	struct outcome o, o2;
	size_t n, k;

	if (!wl_config(&x, "arm64", "7.1", "vmalloc", 2, 2, true))
		return;
	/*
	 * A random run with interrupts: every kind of question, recorded;
	 * most points carry on, some switch CPUs, preempt, interrupt.
	 */
	rec = run_once(&x, sim_policy_random(7, 300, 100, 100), true, &o);
	n = o.nr_choices;
	ok(n > 20, "a random run of vmalloc asks %zu questions", n);

	/* every answer known in advance: the policy is never asked */
	a.p.replay = rec;
	a.p.replay_left = n;
	again = run_once(&x, &a.p, true, &o2);
	ok(a.calls == 0 && a.p.replay_left == 0 &&
		   !memcmp(&o, &o2, sizeof(o)) &&
		   !memcmp(again, rec, n * sizeof(*rec)),
	   "replayed by the machine, choices recorded: the same %zu "
	   "choices, %llu points and counters; the policy asked %lu times "
	   "(0: every question was the record's)",
	   o2.nr_choices, (unsigned long long)o2.points, a.calls);
	free(again);

	/* choices counted: a point that carries on is answered whole */
	a.p.replay = rec;
	a.p.replay_left = n;
	run_once(&x, &a.p, false, &o2);
	ok(a.calls == 0 && a.p.replay_left == 0 && !memcmp(&o, &o2, sizeof(o)),
	   "replayed by the machine, choices counted: the same %zu "
	   "choices, %llu points and counters; the policy asked %lu times",
	   o2.nr_choices, (unsigned long long)o2.points, a.calls);

	/*
	 * The record's question k changed (another allowed set): questions
	 * 0..k-1 are answered from it; question k goes to the policy, and
	 * the record stays at k (so every later question goes there too:
	 * none is the changed record k's).
	 */
	k = n / 2;
	wrong = malloc(n * sizeof(*wrong));
	if (!wrong)
		abort();
	memcpy(wrong, rec, n * sizeof(*rec));
	wrong[k].allowed ^= 1U << 31;
	for (int record = 1; record >= 0; record--) {
		a.calls = 0;
		a.p.replay = wrong;
		a.p.replay_left = n;
		again = run_once(&x, &a.p, record, &o2);
		ok(a.p.replay == wrong + k && a.p.replay_left == n - k &&
			   a.calls == o2.nr_choices - k &&
			   (!record || !memcmp(again, rec, k * sizeof(*rec))),
		   "choices %s: a question other than the record's goes to "
		   "the policy: %zu answered from the record (%zu expected), "
		   "%lu by the policy, the record left in place",
		   record ? "recorded" : "counted",
		   (size_t)(a.p.replay - wrong), k, a.calls);
		free(again);
	}
	free(wrong);
	free(rec);
}

/* ---- the prefix's state kept with its nodes --------------------------- */

/* Whether @a and @b are the same result, finding for finding. */
static bool same_result(const struct mc_result *a, const struct mc_result *b)
{
	if (a->executions != b->executions || a->redundant != b->redundant ||
	    a->foreign != b->foreign || a->complete != b->complete ||
	    a->max_depth != b->max_depth || a->nr_findings != b->nr_findings)
		return false;
	for (size_t i = 0; i < a->nr_findings; i++) {
		const struct mc_finding *fa = &a->findings[i];
		const struct mc_finding *fb = &b->findings[i];

		if (strcmp(fa->key, fb->key) || fa->hits != fb->hits ||
		    fa->events != fb->events ||
		    fa->nr_choices != fb->nr_choices ||
		    strcmp(fa->f.message, fb->f.message) ||
		    memcmp(fa->choices, fb->choices,
			   fa->nr_choices * sizeof(*fa->choices)))
			return false;
	}
	return true;
}

/*
 * The exploration of @x with the prefix's state kept, and worked out at
 * every choice: the same executions, cuts, depth, findings and traces.
 */
static void cached_is_recomputed(struct wl *x, const char *what)
{
	struct mc_result fast, slow;

	x->c.no_replay_cache = false;
	mc_explore(&x->c, &fast);
	x->c.no_replay_cache = true;
	mc_explore(&x->c, &slow);
	ok(same_result(&fast, &slow) && fast.executions > 1,
	   "%s: the same exploration with the prefix's state kept and "
	   "worked out again: %llu executions, %llu cut, %llu foreign, "
	   "depth %zu, %zu findings (recomputed: %llu, %llu, %llu, %zu, %zu)",
	   what, (unsigned long long)fast.executions,
	   (unsigned long long)fast.redundant, (unsigned long long)fast.foreign,
	   fast.max_depth, fast.nr_findings,
	   (unsigned long long)slow.executions,
	   (unsigned long long)slow.redundant, (unsigned long long)slow.foreign,
	   slow.max_depth, slow.nr_findings);
	mc_result_free(&fast);
	mc_result_free(&slow);
}

static void test_cached_prefix(void)
{
	struct wl x;

	/* the workload: cond_resched() yields, sleep sets at work */
	if (wl_config(&x, "arm64", "7.1", "ctxsw", 1, 2, false)) {
		x.c.max_executions = 2000;
		cached_is_recomputed(&x, "ctxsw, 1 page, bound 2");
	}
	/* interrupts: their answers wake every CPU (pend_clear) */
	if (wl_config(&x, "arm64", "7.1", "vmalloc", 2, 2, true))
		cached_is_recomputed(&x, "vmalloc with interrupts");
	/* findings, each with its shortest trace */
	if (wl_config(&x, "xen-pv", "7.0", "vmalloc", 2, 2, false))
		cached_is_recomputed(&x, "xen-pv 7.0 vmalloc (arch-bug)");
	if (wl_config(&x, "arm64", "7.1", "vmalloc-touch-early", 2, 2, false)) {
		cached_is_recomputed(&x, "touch-early (deferred-access)");
		/* shards and jobs: the subtree index kept with the prefix */
		x.c.nr_shards = 3;
		x.c.shard = 1;
		cached_is_recomputed(&x, "touch-early, shard 1/3");
		x.c.nr_jobs = 2;
		x.c.job = 1;
		cached_is_recomputed(&x, "touch-early, shard 1/3, job 1/2");
	}
	/* the preemption bound: with 1, most answers run out of it */
	if (wl_config(&x, "arm64", "7.1", "pagemap-wp", 2, 1, false))
		cached_is_recomputed(&x, "pagemap-wp, bound 1");
}

/* ---- events counted in place ------------------------------------------ */

struct count_all {
	uint64_t events; /* every event delivered so far */
	uint64_t at_finding; /* the count at the first finding, 0: none */
};

static void count_event(void *priv, const struct sim_event *ev)
{
	struct count_all *c = priv;

	c->events++;
	if (ev->type == SIM_EV_FINDING && !c->at_finding)
		c->at_finding = c->events;
}

static void count_attach(struct sim_machine *m, void *arg)
{
	/* every event, delivered (not counted in place) */
	struct sim_observer o = { .event = count_event,
				  .priv = arg,
				  .events = SIM_EV_ALL };

	sim_add_observer(m, &o);
}

/*
 * The first finding of @x's exploration replayed with an observer that is
 * delivered every event: its count up to the finding is the trace's.
 */
static void events_counted(struct wl *x, const char *what)
{
	struct mc_result r;
	struct count_all c = { 0 };
	struct mc_hooks h = { .attach = count_attach, .arg = &c };
	char err[256];

	mc_explore(&x->c, &r);
	if (!r.nr_findings) {
		ok(0, "%s: a finding to count the events of", what);
		mc_result_free(&r);
		return;
	}
	mc_replay(&x->c, r.findings[0].choices, r.findings[0].nr_choices, &h,
		  err, sizeof(err));
	ok(c.at_finding == r.findings[0].events && c.events > c.at_finding,
	   "%s: a finding's event number counts every event: %llu (an "
	   "observer delivered every event counts %llu up to it, %llu in "
	   "the whole replay)",
	   what, (unsigned long long)r.findings[0].events,
	   (unsigned long long)c.at_finding, (unsigned long long)c.events);
	mc_result_free(&r);
}

static void test_events_counted(void)
{
	struct wl x;

	/*
	 * Traces with lazy calls, arch hooks, page allocations, batch
	 * flushes and hypercalls: events no observer of the checker but its
	 * count wants, counted in place without an event
	 */
	if (wl_config(&x, "arm64", "7.1", "vmalloc-touch-early", 2, 1, false))
		events_counted(&x, "touch-early");
	if (wl_config(&x, "xen-pv", "7.0", "vmalloc", 2, 2, false))
		events_counted(&x, "xen-pv 7.0 vmalloc");
}

#if defined(__SANITIZE_THREAD__)
static const bool under_tsan = true;
#else
static const bool under_tsan = false;
#endif

int main(void)
{
	test_policy_replay();
	/*
	 * The checker is one thread: TSan has nothing to see in whole
	 * explorations, ten times slower. The ASan+UBSan build runs them.
	 */
	if (under_tsan)
		ok(1, "# SKIP the prefix's state kept = worked out again: run "
		      "in the ASan build");
	else
		test_cached_prefix();
	test_events_counted();
	return tap_done();
}
