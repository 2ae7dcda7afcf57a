// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The seeded random policy drawn inline (issue 7: the scheduling point's
 * cost; src/sim/machine.c, sched_point_random(); src/sim/policy.h):
 *
 *  - its test "v % 1000 < per_1000" without a division (rnd_below() at
 *    rnd_rate_max()) gives the division's answer at every rate, for the
 *    values around every boundary of the remainder and beyond;
 *  - a scheduling point drawn inline asks the same questions in the same
 *    order and gets the same answers as one asked through the policy's
 *    table (choose(), the path every other policy takes): the same
 *    recorded choices, byte for byte, the same counters and points, and
 *    the policy's state the same at the end; counted (no_choice_record)
 *    as recorded. On the vmalloc workload (interrupts, preemption,
 *    migration) at 1 to 16 CPUs, and on tasks that contend for a
 *    spinlock (blocked CPUs left out of the choice, runqueues, an
 *    interrupt handler with its own scheduling points);
 *  - the round-robin policy answered inline (sched_point_rr(), seventh
 *    round) likewise gives the table's run: quanta 0, 3 and 64, 2 to 16
 *    CPUs, a runqueue, with and without an interrupt handler, and tasks
 *    that wait for a lock;
 *  - sim_run() takes the inline path exactly when the policy is the
 *    random one with every rate nonzero (a zero rate draws nothing, which
 *    the generic path keeps), or round-robin on more than one CPU without
 *    an interrupt handler (counted) or with choices recorded.
 *
 * `-s SEED` picks the first seed.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/sanitizer.h"
#include "mm/mm.h"
#include "sim/arch.h"
#include "sim/policy.h"
#include "sim/stats.h"
#include "simtest.h"

/* ---- the remainder without a division ------------------------------------- */

static unsigned long rate_mismatches;

static void check_rate(unsigned int p, uint64_t v)
{
	struct rnd_rate rate = { .max = rnd_rate_max(p), .per_1000 = p };
	/* rnd_below() of a state whose draw has v as its top 31 bits */
	bool fast = v * RND_M <= rate.max;

	if (fast != (v % 1000 < p))
		rate_mismatches++;
}

static void test_rate(uint64_t seed)
{
	uint64_t x = seed | 1;
	unsigned long checked = 0;

	rate_mismatches = 0;
	/* every rate, at each side of each of its boundaries: v = 1000 k +
	 * p - 1 (the last yes) and 1000 k + p (the first no), k over the
	 * whole 31-bit range, and the largest v */
	for (unsigned int p = 1; p <= 1000; p++) {
		for (uint64_t k = 0; k <= (1ULL << 31) / 1000; k += 997) {
			check_rate(p, 1000 * k + p - 1);
			check_rate(p, 1000 * k + p);
			checked += 2;
		}
		check_rate(p, (1ULL << 31) - 1);
		checked++;
	}
	/* every v below 2^17 and a million drawn ones at the policy's rates */
	for (uint64_t v = 0; v < (1ULL << 17); v++) {
		check_rate(1, v);
		check_rate(2, v);
		check_rate(200, v);
		checked += 3;
	}
	for (int i = 0; i < 1000000; i++) {
		x = rnd_step(x);
		check_rate(1 + (unsigned int)(x % 999), rnd_out(x) >> 33);
		checked++;
	}
	ok(!rate_mismatches && checked > 4000000,
	   "v %% 1000 < p without a division: the division's answer for %lu "
	   "(p, v), each boundary of each rate",
	   checked);
	ok(rnd_rate_max(1000) == UINT64_MAX && rnd_rate_max(2000) == UINT64_MAX,
	   "a rate of 1000 per 1000 (or more) always says yes");
}

/* ---- the inline draws against the table's ------------------------------ */

/*
 * The random policy behind a table of its own: the machine does not see
 * sim_random_choose(), so every choice goes through choose() and the
 * policy's choose(), as for any other policy. The answers are the random
 * policy's. Also counts what the runs must have exercised.
 */
struct via_table {
	struct sim_policy p;
	struct sim_policy *inner;
	unsigned long irqs, preempts, switches, blocked_choices;
};

static unsigned int via_choose(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed)
{
	struct via_table *v = (struct via_table *)p;
	unsigned int a = v->inner->choose(v->inner, what, n, cur, allowed);

	v->irqs += what == SIM_CHOOSE_IRQ && a;
	v->preempts += what == SIM_CHOOSE_PREEMPT && a;
	v->switches += what == SIM_CHOOSE_CPU && a != cur;
	v->blocked_choices += what == SIM_CHOOSE_CPU && sim_this->nr_blocked;
	return a;
}

static void via_destroy(struct sim_policy *p)
{
	struct via_table *v = (struct via_table *)p;

	v->inner->destroy(v->inner);
}

/* The random policy's rates, or (@rr) round-robin with @quantum. */
struct rates {
	unsigned int sw, preempt, irq;
	bool rr;
	unsigned int quantum;
};

/* How a run is driven, and what it ends with. */
enum how {
	INLINE_RECORDED, /* sim_policy_random(), choices recorded */
	INLINE_COUNTED, /* the same, no_choice_record */
	TABLE, /* struct via_table, choices recorded */
};

struct result {
	struct sim_machine *m;
	struct sim_stats stats;
	struct san_state *san;
	struct via_table via;
	uint64_t state; /* the random policy's, after the run */
	enum sim_point_mode mode;
};

static struct sim_policy *make_policy(struct result *r, enum how how,
				      uint64_t seed, struct rates rt)
{
	struct sim_policy *p =
		rt.rr ? sim_policy_rr(rt.quantum) :
			sim_policy_random(seed, rt.sw, rt.preempt, rt.irq);

	if (how != TABLE)
		return p;
	memset(&r->via, 0, sizeof(r->via));
	r->via.p.choose = via_choose;
	r->via.p.destroy = via_destroy;
	r->via.inner = p;
	return &r->via.p;
}

/* The policy's state: the random one's, or round-robin's turn. */
static uint64_t policy_state(struct result *r)
{
	struct sim_policy *p = r->m->opt.policy;

	if (p->choose == via_choose)
		p = ((struct via_table *)p)->inner;
	if (p->choose == sim_rr_choose)
		return ((struct policy_rr *)p)->left;
	return ((struct policy_random *)p)->state;
}

static void finish(struct result *r)
{
	sim_run(r->m);
	r->state = policy_state(r);
	r->mode = r->m->point_mode;
}

static void release(struct result *r)
{
	sim_destroy(r->m);
	if (r->san)
		san_detach(r->san);
}

/* The same run: counters, points, choices (recorded ones byte for byte). */
static bool same_run(const struct result *a, const struct result *b)
{
	return a->state == b->state &&
	       simtest_same_run(a->m, &a->stats, b->m, &b->stats);
}

/* A task queued behind CPU 0's (round-robin never preempts it). */
static void rr_second_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++)
		sim_sched_point();
}

static void build_vmalloc(struct result *r, enum how how, unsigned int cpus,
			  uint64_t seed, struct rates rt, bool fine_steps,
			  struct lmm_workload_params *params)
{
	const struct lmm_workload *wl = lmm_workload_find("vmalloc");
	struct sim_options opt = { 0 };
	char comm[16];

	memset(r, 0, sizeof(*r));
	opt.arch = sim_arch_find("arm64", "7.1");
	opt.lazy = opt.arch->lazy;
	opt.nr_cpus = cpus;
	opt.nr_frames = 40 * cpus * 2 + 1024;
	opt.policy = make_policy(r, how, seed, rt);
	opt.irq_handler = wl->irq;
	opt.irq_arg = params;
	opt.no_reset = true;
	opt.no_choice_record = how == INLINE_COUNTED;
	opt.fine_steps = fine_steps;
	params->pages = 40;
	r->m = sim_create(&opt);
	sim_stats_attach(r->m, &r->stats);
	r->san = san_attach(r->m);
	for (unsigned int c = 0; c < cpus; c++) {
		snprintf(comm, sizeof(comm), "%s/%u", wl->comm, c);
		sim_spawn(r->m, comm, (int)c, wl->task, params);
	}
}

static void test_vmalloc(uint64_t seed)
{
	static const unsigned int cpus[] = { 1, 2, 3, 4, 8, 16 };
	/* lazymmu run's rates, then frequent preemption and interrupts */
	static const struct rates rates[] = {
		{ .sw = 200, .preempt = 2, .irq = 1 },
		{ .sw = 300, .preempt = 50, .irq = 20 }
	};

	for (size_t ri = 0; ri < 2; ri++) {
		unsigned long irqs = 0, preempts = 0, switches = 0;

		for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
			struct lmm_workload_params pa, pb, pc;
			struct result a, b, c;
			uint64_t s = seed + 100 * ri + i;
			bool fine = i % 2; /* allocator and locks as steps */

			build_vmalloc(&a, INLINE_RECORDED, cpus[i], s,
				      rates[ri], fine, &pa);
			build_vmalloc(&b, INLINE_COUNTED, cpus[i], s, rates[ri],
				      fine, &pb);
			build_vmalloc(&c, TABLE, cpus[i], s, rates[ri], fine,
				      &pc);
			finish(&a);
			finish(&b);
			finish(&c);
			/*
			 * The inline paths must have run, else this compares
			 * the table with itself.
			 */
			ok(a.mode == SIM_POINT_RANDOM_RECORD &&
				   b.mode == SIM_POINT_RANDOM &&
				   c.mode == SIM_POINT_ASK &&
				   c.m->nr_choices > 200 && same_run(&a, &c) &&
				   same_run(&b, &c),
			   "vmalloc, %u CPUs, rates %u/%u/%u: inline, recorded "
			   "and counted, is the table's run (%zu choices, "
			   "%lu interrupts, %lu preemptions, %lu switches)",
			   cpus[i], rates[ri].sw, rates[ri].preempt,
			   rates[ri].irq, c.m->nr_choices, c.via.irqs,
			   c.via.preempts, c.via.switches);
			irqs += c.via.irqs;
			preempts += c.via.preempts;
			switches += c.via.switches;
			release(&a);
			release(&b);
			release(&c);
		}
		/* each kind of answer was drawn: the comparison covered it */
		ok(irqs > 0 && preempts > 0 && switches > 0,
		   "rates %u/%u/%u: the runs drew %lu interrupts, %lu "
		   "preemptions, %lu switches",
		   rates[ri].sw, rates[ri].preempt, rates[ri].irq, irqs,
		   preempts, switches);
	}
}

/* Tasks that hold one spinlock across scheduling points: contention. */
static spinlock_t contended;

static void lock_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < 30; i++) {
		spin_lock(&contended);
		for (int k = 0; k < 3; k++)
			sim_sched_point();
		spin_unlock(&contended);
		sim_sched_point();
	}
}

/* An interrupt whose handler passes scheduling points (CPU choices). */
static void irq_points(void *arg)
{
	(void)arg;
	sim_sched_point();
	sim_sched_point();
}

static void build_locks(struct result *r, enum how how, unsigned int cpus,
			uint64_t seed, struct rates rt)
{
	struct sim_options opt = { 0 };

	memset(r, 0, sizeof(*r));
	memset(&contended, 0, sizeof(contended));
	opt.arch = sim_arch_find("arm64", "7.1");
	opt.lazy = opt.arch->lazy;
	opt.nr_cpus = cpus;
	opt.nr_frames = 1024;
	opt.policy = make_policy(r, how, seed, rt);
	opt.irq_handler = irq_points;
	opt.no_reset = true;
	opt.no_choice_record = how == INLINE_COUNTED;
	r->m = sim_create(&opt);
	sim_stats_attach(r->m, &r->stats);
	/*
	 * Two tasks on each CPU of the lower half, the upper half idle:
	 * runqueues, and preempted tasks that migrate to idle CPUs.
	 */
	for (unsigned int c = 0; c < cpus / 2; c++) {
		sim_spawn(r->m, "locker", (int)c, lock_task, NULL);
		sim_spawn(r->m, "locker", (int)c, lock_task, NULL);
	}
}

static void test_locks(uint64_t seed)
{
	static const unsigned int cpus[] = { 2, 4, 16 };

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		struct result a, b, c;
		uint64_t s = seed + 200 + i;

		const struct rates rt = { .sw = 300,
					  .preempt = 100,
					  .irq = 50 };

		build_locks(&a, INLINE_RECORDED, cpus[i], s, rt);
		finish(&a);
		build_locks(&b, INLINE_COUNTED, cpus[i], s, rt);
		finish(&b);
		build_locks(&c, TABLE, cpus[i], s, rt);
		finish(&c);
		/* blocked_choices: CPU choices asked while a task waited */
		ok(a.mode == SIM_POINT_RANDOM_RECORD &&
			   b.mode == SIM_POINT_RANDOM && same_run(&a, &c) &&
			   same_run(&b, &c) && c.via.blocked_choices > 0 &&
			   c.via.irqs > 0 && c.via.preempts > 0 &&
			   !c.m->nr_findings && !c.m->error[0],
		   "spinlock, %u CPUs: inline is the table's run (%zu "
		   "choices, %lu of them while a task waited, %lu "
		   "interrupts, %lu preemptions)",
		   cpus[i], c.m->nr_choices, c.via.blocked_choices, c.via.irqs,
		   c.via.preempts);
		release(&a);
		release(&b);
		release(&c);
	}
}

/* ---- round-robin answered inline ----------------------------------------- */

/*
 * Round-robin (sched_point_rr(), rr_pick(): the turn counted down at each
 * CPU question, the next busy CPU in id order when it ends) against the
 * policy's table: the vmalloc workload at 2 to 16 CPUs, with a second task
 * on CPU 0 (a runqueue: preemption questions on one CPU too), with and
 * without an interrupt handler (whose questions only the recorded inline
 * path answers; counted, the generic path keeps them), at quanta 0 (a
 * switch at every CPU question), 3 and 64 (lazymmu run's).
 */
static void test_rr_vmalloc(uint64_t seed)
{
	static const unsigned int cpus[] = { 2, 3, 4, 8, 16 };
	static const unsigned int quanta[] = { 0, 3, 64 };
	unsigned long switches = 0;

	for (size_t qi = 0; qi < 3; qi++) {
		for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
			struct rates rt = { .rr = true, .quantum = quanta[qi] };
			bool irq = (qi + i) % 2;
			struct lmm_workload_params pa, pb, pc;
			struct result a, b, c;
			uint64_t s = seed + 300 + 10 * qi + i;
			bool fine = i % 2;

			build_vmalloc(&a, INLINE_RECORDED, cpus[i], s, rt, fine,
				      &pa);
			build_vmalloc(&b, INLINE_COUNTED, cpus[i], s, rt, fine,
				      &pb);
			build_vmalloc(&c, TABLE, cpus[i], s, rt, fine, &pc);
			if (!irq) {
				a.m->opt.irq_handler = NULL;
				b.m->opt.irq_handler = NULL;
				c.m->opt.irq_handler = NULL;
			}
			sim_spawn(a.m, "second", 0, rr_second_task, NULL);
			sim_spawn(b.m, "second", 0, rr_second_task, NULL);
			sim_spawn(c.m, "second", 0, rr_second_task, NULL);
			finish(&a);
			finish(&b);
			finish(&c);
			ok(a.mode == SIM_POINT_RR_RECORD &&
				   b.mode == (irq ? SIM_POINT_ASK :
						    SIM_POINT_RR) &&
				   c.mode == SIM_POINT_ASK &&
				   c.m->nr_choices > 200 &&
				   c.via.switches > 0 && same_run(&a, &c) &&
				   same_run(&b, &c) && !c.m->nr_findings &&
				   !c.m->error[0],
			   "rr quantum %u, vmalloc, %u CPUs, %s: inline, "
			   "recorded and counted, is the table's run (%zu "
			   "choices, %lu switches)",
			   quanta[qi], cpus[i],
			   irq ? "interrupt handler" : "no interrupts",
			   c.m->nr_choices, c.via.switches);
			switches += c.via.switches;
			release(&a);
			release(&b);
			release(&c);
		}
	}
	ok(switches > 100, "rr: the runs switched CPUs %lu times", switches);
}

/*
 * Round-robin never preempts nor migrates: a locker on each idle CPU too,
 * so that CPUs contend; no interrupt handler, so that counted choices
 * take the inline path.
 */
static void rr_lockers(struct result *r)
{
	for (unsigned int c = r->m->opt.nr_cpus / 2; c < r->m->opt.nr_cpus; c++)
		sim_spawn(r->m, "locker", (int)c, lock_task, NULL);
	r->m->opt.irq_handler = NULL;
}

/* Round-robin with tasks that wait for a lock: the generic CPU question. */
static void test_rr_locks(void)
{
	/* 3: a CPU question while one of three waits has two options */
	static const unsigned int cpus[] = { 3, 4, 16 };

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		struct rates rt = { .rr = true, .quantum = (unsigned int)i };
		struct result a, b, c;

		build_locks(&a, INLINE_RECORDED, cpus[i], 0, rt);
		rr_lockers(&a);
		finish(&a);
		build_locks(&b, INLINE_COUNTED, cpus[i], 0, rt);
		rr_lockers(&b);
		finish(&b);
		build_locks(&c, TABLE, cpus[i], 0, rt);
		rr_lockers(&c);
		finish(&c);
		ok(a.mode == SIM_POINT_RR_RECORD && b.mode == SIM_POINT_RR &&
			   same_run(&a, &c) && same_run(&b, &c) &&
			   c.via.blocked_choices > 0 && !c.m->nr_findings &&
			   !c.m->error[0],
		   "rr, spinlock, %u CPUs: inline is the table's run (%zu "
		   "choices, %lu of them while a task waited)",
		   cpus[i], c.m->nr_choices, c.via.blocked_choices);
		release(&a);
		release(&b);
		release(&c);
	}
}

/* ---- which path sim_run() takes ------------------------------------------ */

static void test_modes(uint64_t seed)
{
	static const struct {
		const char *what;
		unsigned int cpus;
		bool random, irq;
		struct rates rt;
		enum sim_point_mode want;
	} cases[] = {
		/* round-robin, one CPU, no interrupts: only runqueues ask */
		{ "rr, 1 CPU", 1, false, false, { 0 }, SIM_POINT_QUIET },
		/* round-robin on CPUs: answered inline when counted */
		{ "rr, 2 CPUs", 2, false, false, { 0 }, SIM_POINT_RR },
		{ "rr, 2 CPUs, interrupts",
		  2,
		  false,
		  true,
		  { 0 },
		  SIM_POINT_ASK },
		{ "rr, 1 CPU, interrupts",
		  1,
		  false,
		  true,
		  { 0 },
		  SIM_POINT_ASK },
		{ "random",
		  2,
		  true,
		  true,
		  { .sw = 200, .preempt = 2, .irq = 1 },
		  SIM_POINT_RANDOM },
		/* a zero rate draws nothing: the generic path keeps that */
		{ "random, no switches",
		  2,
		  true,
		  true,
		  { .sw = 0, .preempt = 2, .irq = 1 },
		  SIM_POINT_ASK },
		{ "random, no preemption",
		  2,
		  true,
		  true,
		  { .sw = 200, .preempt = 0, .irq = 1 },
		  SIM_POINT_ASK },
		{ "random, no interrupts",
		  2,
		  true,
		  true,
		  { .sw = 200, .preempt = 2, .irq = 0 },
		  SIM_POINT_ASK },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lmm_workload_params params;
		struct result r;

		build_vmalloc(&r, INLINE_COUNTED, cases[i].cpus, seed + i,
			      cases[i].rt, false, &params);
		if (!cases[i].random)
			sim_set_policy(r.m, NULL); /* round-robin */
		if (!cases[i].irq)
			r.m->opt.irq_handler = NULL;
		sim_run(r.m);
		ok(r.m->point_mode == cases[i].want && !r.m->nr_findings &&
			   !r.m->error[0],
		   "%s: scheduling points take the %s path", cases[i].what,
		   cases[i].want == SIM_POINT_QUIET  ? "quiet" :
		   cases[i].want == SIM_POINT_RANDOM ? "inline random" :
		   cases[i].want == SIM_POINT_RR     ? "inline rr" :
						       "generic");
		release(&r);
	}
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_seed(argc, argv, 1);

	test_rate(seed);
	test_vmalloc(seed);
	test_locks(seed);
	test_rr_vmalloc(seed);
	test_rr_locks();
	test_modes(seed);
	return tap_done();
}
