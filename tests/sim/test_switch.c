// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Every context switch calls the model: a recording test-only model logs
 * switch_out(prev) / switch_mm(prev, next) / switch_in(next) with the CPU
 * and who was current, and each kind of switch (a task started on an idle
 * CPU, preemption, cond_resched(), a sleep, exit to a runqueue or to idle,
 * migration onto an idle CPU) must give exactly the expected sequence,
 * with switch_mm only where the address spaces differ. Also: the model's
 * state is allocated zeroed, per machine and per CPU, init() and fini()
 * run once each with the machine current.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "simtest.h"

#define REC_MAX 64

/* The model's per-machine state: the log. */
struct rec_state {
	unsigned long magic;
	int n;
	char log[REC_MAX][24];
	bool current_ok; /* every hook ran with the task it names current */
};

struct rec_cpu {
	unsigned long magic;
	int switches_in;
};

static int init_calls, fini_calls;
static bool init_zeroed, init_machine_current, fini_intact;

static const char *who(const struct task_struct *t)
{
	return t ? t->comm : "-";
}

static void rec(const char *fmt, const char *a, const char *b)
{
	struct rec_state *r = sim_arch_state();

	if (r->n < REC_MAX)
		snprintf(r->log[r->n++], sizeof(r->log[0]), fmt,
			 smp_processor_id(), a, b);
}

static void rec_switch_out(struct task_struct *prev)
{
	struct rec_state *r = sim_arch_state();

	r->current_ok &= sim_current() == prev;
	rec("%d out %s%s", who(prev), "");
}

static void rec_switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	rec("%d mm %s>%s", prev->name, next->name);
}

static void rec_switch_in(struct task_struct *next)
{
	struct rec_state *r = sim_arch_state();

	r->current_ok &= sim_current() == next;
	((struct rec_cpu *)sim_arch_cpu_state(smp_processor_id()))
		->switches_in++;
	rec("%d in %s%s", who(next), "");
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

static void rec_init(struct sim_machine *m)
{
	init_calls++;
	init_machine_current = sim_machine() == m;
	init_zeroed = all_zero(sim_arch_state(), sizeof(struct rec_state));
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		init_zeroed &= all_zero(sim_arch_cpu_state((int)c),
					sizeof(struct rec_cpu));
		((struct rec_cpu *)sim_arch_cpu_state((int)c))->magic = c + 1;
	}
	((struct rec_state *)sim_arch_state())->magic = 0x5245;
	((struct rec_state *)sim_arch_state())->current_ok = true;
}

static void rec_fini(struct sim_machine *m)
{
	fini_calls++;
	fini_intact = sim_machine() == m &&
		      ((struct rec_state *)sim_arch_state())->magic == 0x5245;
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		fini_intact &=
			((struct rec_cpu *)sim_arch_cpu_state((int)c))->magic ==
			c + 1;
}

static DEFINE_SIM_ARCH(rec_ops, .name = "recording", .kernel = "test",
		       .models = "tests/sim/test_switch.c",
		       .lazy = SIM_LAZY_NESTING,
		       .state_size = sizeof(struct rec_state),
		       .cpu_state_size = sizeof(struct rec_cpu),
		       .init = rec_init, .fini = rec_fini,
		       .switch_out = rec_switch_out, .switch_mm = rec_switch_mm,
		       .switch_in = rec_switch_in);

/* ---- steering: the test's policy, with a migration target ----------------- */

static int want_migrate = -1;

static unsigned int mig_choose(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed)
{
	if (what == SIM_CHOOSE_MIGRATE && want_migrate >= 0) {
		unsigned int to = (unsigned int)want_migrate;

		want_migrate = -1;
		return to;
	}
	return steer_choose(p, what, n, cur, allowed);
}

static struct sim_policy mig_policy = { .choose = mig_choose };

/* ---- the tasks -------------------------------------------------------------- */

enum how { PREEMPT, COND_RESCHED, SLEEP, EXIT };
static enum how how;
static int switch_mm_events;

static void yielder(void *arg)
{
	(void)arg;
	switch (how) {
	case PREEMPT:
		want_preempt = true;
		sim_sched_point();
		break;
	case COND_RESCHED:
		want_preempt = true;
		cond_resched();
		break;
	case SLEEP:
		want_preempt = true;
		might_sleep();
		break;
	case EXIT:
		break;
	}
}

static void quiet(void *arg)
{
	(void)arg;
}

static void migrant(void *arg)
{
	(void)arg;
	want_migrate = 1;
	want_preempt = true;
	sim_sched_point();
	ok(smp_processor_id() == 1, "migrated: the task runs on CPU1 now");
}

/* Spawns A and B in user mms: different ones, or one shared (@arg). */
static void spawner(void *arg)
{
	struct mm_struct *a = sim_mm_alloc("a");
	struct mm_struct *b = arg ? a : sim_mm_alloc("b");

	how = PREEMPT;
	sim_spawn(sim_machine(), "A", 0, yielder, NULL)->mm = a;
	sim_spawn(sim_machine(), "B", 0, quiet, NULL)->mm = b;
}

static void count_switch_mm(void *priv, const struct sim_event *ev)
{
	(void)priv;
	switch_mm_events += ev->type == SIM_EV_SWITCH_MM;
}

/* ---- the runs ------------------------------------------------------------------ */

static struct simtest T;

static struct sim_machine *machine(unsigned int cpus)
{
	struct sim_options opt = { 0 };
	struct sim_observer o = { .event = count_switch_mm };

	opt.arch = &rec_ops;
	opt.lazy = rec_ops.lazy;
	opt.nr_cpus = cpus;
	opt.nr_frames = 1024;
	opt.policy = &mig_policy;
	simtest_init_opt(&T, &opt);
	switch_mm_events = 0;
	sim_add_observer(T.m, &o);
	return T.m;
}

/* The log, joined with "; ". */
static const char *log_of(struct sim_machine *m)
{
	static char buf[REC_MAX * 26];
	struct rec_state *r = m->arch_state;

	buf[0] = 0;
	for (int i = 0; i < r->n; i++) {
		if (i)
			strcat(buf, "; ");
		strcat(buf, r->log[i]);
	}
	return buf;
}

static void expect(const char *what, const char *want)
{
	const char *got = log_of(T.m);
	struct rec_state *r = T.m->arch_state;

	if (!ok(!strcmp(got, want) && r->current_ok, "%s", what))
		diag("got:  %s\n# want: %s", got, want);
}

static void one_cpu(enum how h, const char *what, const char *want)
{
	how = h;
	machine(1);
	sim_spawn(T.m, "A", 0, yielder, NULL);
	sim_spawn(T.m, "B", 0, quiet, NULL);
	sim_run(T.m);
	expect(what, want);
	simtest_fini(&T);
}

int main(void)
{
	struct sim_machine *m;

	/* model state */
	m = machine(3);
	ok(init_calls == 1 && init_machine_current && init_zeroed,
	   "init() runs once, with the machine current, on zeroed state");
	ok(m->arch_state && m->cpu[0].arch_state && m->cpu[1].arch_state &&
		   m->cpu[2].arch_state &&
		   m->cpu[0].arch_state != m->cpu[1].arch_state &&
		   m->cpu[1].arch_state != m->cpu[2].arch_state,
	   "per-machine state and one per-CPU state for each CPU");
	simtest_fini(&T);
	ok(fini_calls == 1 && fini_intact,
	   "fini() runs once, with the machine current, before the state "
	   "is freed");

	/* a lone task: started on an idle CPU, exits to idle */
	how = EXIT;
	machine(1);
	sim_spawn(T.m, "A", 0, yielder, NULL);
	sim_run(T.m);
	expect("started on an idle CPU, exit to idle",
	       "0 out -; 0 in A; 0 out A; 0 in -");
	simtest_fini(&T);

	one_cpu(PREEMPT, "preemption, then exit to a runqueue",
		"0 out -; 0 in A; 0 out A; 0 in B; 0 out B; 0 in A; "
		"0 out A; 0 in -");
	one_cpu(COND_RESCHED, "cond_resched()",
		"0 out -; 0 in A; 0 out A; 0 in B; 0 out B; 0 in A; "
		"0 out A; 0 in -");
	one_cpu(SLEEP, "a sleep (might_sleep)",
		"0 out -; 0 in A; 0 out A; 0 in B; 0 out B; 0 in A; "
		"0 out A; 0 in -");

	/* preempted with nothing else to run here: onto the idle CPU1 */
	machine(2);
	sim_spawn(T.m, "A", 0, migrant, NULL);
	sim_run(T.m);
	expect("migration onto an idle CPU",
	       "0 out -; 0 in A; 0 out A; 0 in -; 1 out -; 1 in A; "
	       "1 out A; 1 in -");
	ok(((struct rec_cpu *)T.m->cpu[1].arch_state)->switches_in == 2,
	   "per-CPU state: CPU1's switch_in() counted its own switches");
	simtest_fini(&T);

	/* switch_mm only when the address spaces differ */
	machine(1);
	sim_spawn(T.m, "S", 0, spawner, (void *)0);
	sim_run(T.m);
	expect("different mms: switch_mm between out and in",
	       "0 out -; 0 in S; 0 out S; 0 mm init_mm>a; 0 in A; 0 out A; "
	       "0 mm a>b; 0 in B; 0 out B; 0 mm b>a; 0 in A; 0 out A; 0 in -");
	ok(switch_mm_events == 3, "one SIM_EV_SWITCH_MM per switch_mm (%d)",
	   switch_mm_events);
	simtest_fini(&T);

	machine(1);
	sim_spawn(T.m, "S", 0, spawner, (void *)1);
	sim_run(T.m);
	expect("the same mm: no switch_mm between its tasks",
	       "0 out -; 0 in S; 0 out S; 0 mm init_mm>a; 0 in A; 0 out A; "
	       "0 in B; 0 out B; 0 in A; 0 out A; 0 in -");
	ok(switch_mm_events == 1, "one SIM_EV_SWITCH_MM (%d)",
	   switch_mm_events);
	simtest_fini(&T);
	return tap_done();
}
