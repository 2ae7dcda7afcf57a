// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The scheduler a model checker drives: step footprints and their
 * independence, blocking spinlocks and deadlocks, checked and recorded
 * choices, replay, stopping at the first finding, observers that never
 * draw choices.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "check/run.h"
#include "check/trace.h"
#include "mm/mm.h"
#include "simtest.h"

static struct simtest T;

#define KADDR (VMALLOC_START + 0x40000000UL)

static struct sim_step step(enum sim_touch kind, const void *obj)
{
	struct sim_step s = { .kind = kind, .obj = obj };

	return s;
}

/* The footprint of the step the current task is in. */
static bool in_step(enum sim_touch kind, const void *obj)
{
	const struct sim_step *s = &this_cpu()->next;

	return s->kind == kind && s->obj == obj;
}

/* ---- footprints ------------------------------------------------------------- */

static void footprint_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	unsigned long pfn;

	(void)arg;
	pfn = alloc_page(GFP_KERNEL);
	ok(in_step(SIM_TOUCH_ALLOC, NULL),
	   "alloc_page(GFP_KERNEL): the step touches the page allocator");
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	/* arm64: the store, then dsb and isb paid at once */
	ok(in_step(SIM_TOUCH_BARRIER, NULL),
	   "set_pte_at() outside a section ends in a barrier step");
	sim_pt_write(ptep + 1, pfn_pte(pfn, PAGE_KERNEL), KADDR + PAGE_SIZE,
		     SIM_PT_SEEN);
	ok(in_step(SIM_TOUCH_PTE, ptep + 1),
	   "a PTE store: kind pte, the entry stored");
	ptep_get(ptep);
	ok(in_step(SIM_TOUCH_PTE_READ, ptep),
	   "ptep_get(): kind pte-read, the entry read");
	sim_load(KADDR + 8);
	ok(in_step(SIM_TOUCH_DATA, (const void *)KADDR),
	   "a data access: kind data, the virtual page");
	sim_tlb_inval_page(-1, KADDR, TLB_ASID_ALL);
	ok(in_step(SIM_TOUCH_TLB, NULL), "TLB maintenance: kind tlb");
	lazy_mmu_mode_enable();
	ok(in_step(SIM_TOUCH_LAZY, current),
	   "between the core's counter update and its hook: lazy, the task");
	lazy_mmu_mode_disable();
	sim_pt_write(ptep + 2, pfn_pte(pfn, PAGE_KERNEL_TABLE), KADDR,
		     SIM_PT_SEEN);
	ok(this_cpu()->next.kind == SIM_TOUCH_GLOBAL,
	   "storing a table entry (read by every software walk): global");
	sim_pt_write(ptep + 2, 0, KADDR, SIM_PT_SEEN);
}

/* With fine_steps, allocator and lock accesses are steps of their own. */
static spinlock_t fine_lock;

static void fine_task(void *arg)
{
	unsigned long pfn;

	(void)arg;
	sim_sched_point();
	pfn = alloc_page(GFP_NOWAIT);
	ok(in_step(SIM_TOUCH_ALLOC, NULL),
	   "fine steps: a GFP_NOWAIT allocation is an allocator step");
	sim_sched_point();
	spin_lock(&fine_lock);
	ok(in_step(SIM_TOUCH_LOCK, &fine_lock),
	   "fine steps: taking a lock is a step on the lock");
	sim_sched_point();
	__free_page(pfn);
	ok(in_step(SIM_TOUCH_ALLOC, NULL),
	   "fine steps: a free is an allocator step");
	spin_unlock(&fine_lock);
}

static void test_footprints(void)
{
	int a, b, c;
	struct sim_step pte_a = step(SIM_TOUCH_PTE, &a),
			pte_b = step(SIM_TOUCH_PTE, &b),
			read_a = step(SIM_TOUCH_PTE_READ, &a),
			read_b = step(SIM_TOUCH_PTE_READ, &b),
			data = step(SIM_TOUCH_DATA, &c),
			lock_a = step(SIM_TOUCH_LOCK, &a),
			lock_b = step(SIM_TOUCH_LOCK, &b),
			lazy_a = step(SIM_TOUCH_LAZY, &a),
			lazy_b = step(SIM_TOUCH_LAZY, &b),
			tlb = step(SIM_TOUCH_TLB, NULL),
			bar = step(SIM_TOUCH_BARRIER, NULL),
			alloc = step(SIM_TOUCH_ALLOC, NULL),
			local = step(SIM_TOUCH_LOCAL, NULL),
			global = step(SIM_TOUCH_GLOBAL, NULL),
			arch = step(SIM_TOUCH_ARCH, NULL);
	struct sim_options opt;

	simtest_init(&T, "arm64", "7.0", 1, false, NULL);
	sim_spawn(T.m, "fp", 0, footprint_task, NULL);
	sim_run(T.m);
	simtest_fini(&T);

	opt = simtest_options("arm64", "7.0", 1);
	opt.fine_steps = true;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "fine", 0, fine_task, NULL);
	sim_run(T.m);
	simtest_fini(&T);

	ok(!sim_steps_dependent(&pte_a, &pte_b) &&
		   sim_steps_dependent(&pte_a, &pte_a),
	   "stores to different PTEs commute; to the same PTE they do not");
	ok(!sim_steps_dependent(&read_a, &read_a) &&
		   sim_steps_dependent(&read_a, &pte_a) &&
		   sim_steps_dependent(&pte_a, &read_a) &&
		   !sim_steps_dependent(&read_b, &pte_a),
	   "reads commute; a read and a store of one entry do not");
	ok(sim_steps_dependent(&data, &pte_b) &&
		   sim_steps_dependent(&data, &bar) &&
		   sim_steps_dependent(&data, &tlb) &&
		   sim_steps_dependent(&bar, &pte_a) &&
		   sim_steps_dependent(&alloc, &data),
	   "a data access walks the tables: it depends on stores, "
	   "barriers, TLB maintenance and the allocator");
	ok(!sim_steps_dependent(&tlb, &tlb) &&
		   !sim_steps_dependent(&bar, &bar) &&
		   !sim_steps_dependent(&tlb, &pte_a) &&
		   sim_steps_dependent(&alloc, &alloc),
	   "invalidations and barriers commute; allocations do not");
	ok(sim_steps_dependent(&lock_a, &lock_a) &&
		   !sim_steps_dependent(&lock_a, &lock_b) &&
		   sim_steps_dependent(&lazy_a, &lazy_a) &&
		   !sim_steps_dependent(&lazy_a, &lazy_b) &&
		   !sim_steps_dependent(&lazy_a, &pte_a),
	   "locks and lazy states: the same object only");
	ok(!sim_steps_dependent(&local, &global) &&
		   sim_steps_dependent(&global, &lock_a) &&
		   sim_steps_dependent(&arch, &pte_a) &&
		   !sim_steps_dependent(&arch, &lock_a),
	   "local steps commute with all, global ones with none");
	ok(!strcmp(sim_touch_name(SIM_TOUCH_PTE_READ), "pte-read") &&
		   !strcmp(sim_touch_name(SIM_TOUCH_BARRIER), "barrier"),
	   "footprint kinds have names");
}

/*
 * Two CPUs about to store a PTE each: the policy looks at both pending
 * steps when it picks a CPU.
 */
static pte_t *store_to[2];
static int both_pte, dependent_seen;

static unsigned int peek_choose(struct sim_policy *p, enum sim_choice what,
				unsigned int n, unsigned int cur,
				uint32_t allowed)
{
	struct sim_machine *m = sim_machine();
	const struct sim_step *a = &m->cpu[0].next, *b = &m->cpu[1].next;

	(void)p;
	(void)n;
	if (what != SIM_CHOOSE_CPU)
		return 0;
	if (allowed == 3 && a->kind == SIM_TOUCH_PTE &&
	    b->kind == SIM_TOUCH_PTE) {
		both_pte++;
		dependent_seen += sim_steps_dependent(a, b);
	}
	return sim_set_nth(allowed, (sim_set_rank(allowed, cur) + 1) %
					    sim_set_count(allowed));
}

static struct sim_policy peek_policy = { .choose = peek_choose };

static bool same_pte;

static void store_task(void *arg)
{
	int cpu = (int)(long)arg;
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);

	store_to[cpu] = same_pte ? ptep : ptep + cpu;
	sim_pt_write(store_to[cpu], pfn_pte(100 + cpu, PAGE_KERNEL), KADDR,
		     SIM_PT_SEEN);
}

static void test_pair(bool same)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 2);

	opt.policy = &peek_policy;
	simtest_init_opt(&T, &opt);
	same_pte = same;
	both_pte = dependent_seen = 0;
	sim_spawn(T.m, "st0", 0, store_task, (void *)0L);
	sim_spawn(T.m, "st1", 1, store_task, (void *)1L);
	sim_run(T.m);
	ok(both_pte > 0 && dependent_seen == (same ? both_pte : 0),
	   "two CPUs storing %s PTE: %s (%d of %d choices)",
	   same ? "the same" : "different", same ? "dependent" : "independent",
	   dependent_seen, both_pte);
	simtest_fini(&T);
}

static void idle_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++)
		sim_sched_point();
}

/* ---- blocking spinlocks ---------------------------------------------------- */

static spinlock_t lock_a, lock_b;
static bool holding;
static int offered_while_held; /* CPU choices offering CPU1 while held */
static int choices_while_held; /* CPU choices asked while it was held */
static int offered_after_try; /* CPU1 offered after it tried the lock */

static unsigned int watch_choose(struct sim_policy *p, enum sim_choice what,
				 unsigned int n, unsigned int cur,
				 uint32_t allowed)
{
	if (what == SIM_CHOOSE_CPU && holding) {
		choices_while_held++;
		if (allowed & 2) {
			offered_while_held++;
			return 0; /* a spinning CPU1 would never let go */
		}
	}
	/*
	 * CPU1 offered again while CPU0's task holds the lock, after CPU1
	 * was sent to try it: it spins instead of blocking. Send CPU0, so
	 * that the run ends and the test fails rather than hangs.
	 */
	if (what == SIM_CHOOSE_CPU && !holding && lock_a.owner &&
	    lock_a.owner->cpu == 0 && want_cpu == 1 && (allowed & 2) &&
	    cur == 1) {
		offered_after_try++;
		return 0;
	}
	return steer_choose(p, what, n, cur, allowed);
}

static struct sim_policy watch_policy = { .choose = watch_choose };

static void holder_task(void *arg)
{
	(void)arg;
	spin_lock(&lock_a);
	run_on(1); /* CPU1 tries the lock and blocks: back to CPU0 */
	holding = true;
	for (int i = 0; i < 20; i++) {
		want_cpu = i % 3;
		sim_sched_point(); /* CPU1 is never offered */
	}
	holding = false;
	spin_unlock(&lock_a);
}

static bool waiter_got_it;

static void waiter_task(void *arg)
{
	(void)arg;
	spin_lock(&lock_a);
	waiter_got_it = !holding;
	spin_unlock(&lock_a);
}

static void test_blocking(void)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 3);

	opt.policy = &watch_policy;
	simtest_init_opt(&T, &opt);
	memset(&lock_a, 0, sizeof(lock_a));
	holding = waiter_got_it = false;
	offered_while_held = choices_while_held = offered_after_try = 0;
	sim_spawn(T.m, "holder", 0, holder_task, NULL);
	sim_spawn(T.m, "waiter", 1, waiter_task, NULL);
	sim_spawn(T.m, "idle", 2, idle_task, NULL);
	want_cpu = 0;
	sim_run(T.m);
	ok(waiter_got_it && T.m->nr_live == 0 && T.m->nr_findings == 0,
	   "the waiter takes the lock once it is free; both finish");
	ok(offered_while_held == 0 && offered_after_try == 0 &&
		   choices_while_held > 0,
	   "a CPU blocked on a held lock is never offered (%d of %d CPU "
	   "choices offered it)",
	   offered_while_held, choices_while_held);
	simtest_fini(&T);
}

/* A takes a then b; B takes b then a: ABBA. */
static void abba_0(void *arg)
{
	(void)arg;
	spin_lock(&lock_a);
	run_on(1);
	spin_lock(&lock_b);
	ok(0, "abba: CPU0 never gets both locks");
}

static void abba_1(void *arg)
{
	(void)arg;
	spin_lock(&lock_b);
	spin_lock(&lock_a);
	ok(0, "abba: CPU1 never gets both locks");
}

static void irq_takes_lock(void *arg)
{
	(void)arg;
	spin_lock(&lock_a);
	spin_unlock(&lock_a);
}

static void irq_victim(void *arg)
{
	(void)arg;
	spin_lock(&lock_a);
	want_irq = true;
	sim_sched_point();
	ok(0, "the interrupted task never goes on");
}

static void exits_holding(void *arg)
{
	(void)arg;
	spin_lock(&lock_a);
}

static void test_deadlocks(void)
{
	memset(&lock_a, 0, sizeof(lock_a));
	memset(&lock_b, 0, sizeof(lock_b));
	simtest_init(&T, "arm64", "7.0", 2, false, NULL);
	sim_spawn(T.m, "abba0", 0, abba_0, NULL);
	sim_spawn(T.m, "abba1", 1, abba_1, NULL);
	want_cpu = 0;
	sim_run(T.m);
	ok(findings(T.m, "deadlock") == 1 && T.m->stopped && T.m->nr_live == 2,
	   "ABBA on two CPUs: one deadlock finding, the run ends, both tasks "
	   "abandoned: %s",
	   finding_text(T.m, "deadlock"));
	ok(strstr(finding_text(T.m, "deadlock"), "abba0") &&
		   strstr(finding_text(T.m, "deadlock"), "abba1"),
	   "the finding names the cycle's tasks");
	simtest_fini(&T);

	memset(&lock_a, 0, sizeof(lock_a));
	simtest_init(&T, "arm64", "7.0", 1, false, irq_takes_lock);
	sim_spawn(T.m, "victim", 0, irq_victim, NULL);
	sim_run(T.m);
	ok(findings(T.m, "deadlock") == 1 && T.m->stopped &&
		   strstr(finding_text(T.m, "deadlock"), "interrupt"),
	   "an interrupt handler taking the lock its task holds: %s",
	   finding_text(T.m, "deadlock"));
	simtest_fini(&T);

	memset(&lock_a, 0, sizeof(lock_a));
	simtest_init(&T, "arm64", "7.0", 2, false, NULL);
	sim_spawn(T.m, "leaker", 0, exits_holding, NULL);
	sim_spawn(T.m, "waiter", 1, waiter_task, NULL);
	want_cpu = 0;
	sim_run(T.m);
	ok(findings(T.m, "deadlock") == 1 && T.m->nr_live == 1 &&
		   strstr(finding_text(T.m, "deadlock"), "every busy CPU"),
	   "every busy CPU blocked (the holder exited): %s",
	   finding_text(T.m, "deadlock"));
	simtest_fini(&T);
}

/* ---- choices ------------------------------------------------------------------ */

static unsigned int bad_answer;

static unsigned int bad_choose(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed)
{
	(void)p;
	(void)cur;
	(void)allowed;
	(void)n;
	return what == SIM_CHOOSE_CPU ? bad_answer : 0;
}

static struct sim_policy bad_policy = { .choose = bad_choose };

static void spin_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++)
		sim_sched_point();
	ok(0, "a task under a failing policy is abandoned");
}

static void observer_chooses(void *priv, const struct sim_event *ev)
{
	(void)priv;
	if (ev->type == SIM_EV_BARRIER)
		sim_choose(SIM_CHOOSE_IRQ, 2, 0);
}

static void observer_steps(void *priv, const struct sim_event *ev)
{
	(void)priv;
	if (ev->type == SIM_EV_BARRIER)
		sim_sched_point();
}

static void barrier_task(void *arg)
{
	(void)arg;
	sim_barrier("dmb");
	ok(0, "the run stops at the observer's choice");
}

static void test_choose_checks(void)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 3);
	struct sim_observer o = { .event = observer_chooses };

	opt.policy = &bad_policy;
	bad_answer = 7;
	T.m = sim_create(&opt);
	for (int c = 0; c < 3; c++)
		sim_spawn(T.m, "s", c, spin_task, NULL);
	sim_run(T.m);
	ok(sim_error(T.m) && strstr(sim_error(T.m), "answered 7") &&
		   T.m->stopped && T.m->nr_live == 3,
	   "an answer out of range stops the run with an error: %s",
	   sim_error(T.m) ? sim_error(T.m) : "(none)");
	sim_destroy(T.m);

	/* CPU1 is idle: an id in range but not offered */
	opt.policy = &bad_policy;
	bad_answer = 1;
	T.m = sim_create(&opt);
	sim_spawn(T.m, "s0", 0, spin_task, NULL);
	sim_spawn(T.m, "s2", 2, spin_task, NULL);
	sim_run(T.m);
	ok(sim_error(T.m) && strstr(sim_error(T.m), "answered 1"),
	   "naming a CPU that cannot step is an error: %s",
	   sim_error(T.m) ? sim_error(T.m) : "(none)");
	sim_destroy(T.m);

	simtest_init(&T, "arm64", "7.0", 1, false, NULL);
	sim_add_observer(T.m, &o);
	sim_spawn(T.m, "b", 0, barrier_task, NULL);
	sim_run(T.m);
	ok(sim_error(T.m) && strstr(sim_error(T.m), "observer"),
	   "sim_choose() from an observer is an error: %s",
	   sim_error(T.m) ? sim_error(T.m) : "(none)");
	simtest_fini(&T);

	o.event = observer_steps;
	simtest_init(&T, "arm64", "7.0", 1, false, NULL);
	sim_add_observer(T.m, &o);
	sim_spawn(T.m, "b", 0, barrier_task, NULL);
	sim_run(T.m);
	ok(sim_error(T.m) && strstr(sim_error(T.m), "scheduling point"),
	   "a scheduling point from an observer is an error too: %s",
	   sim_error(T.m) ? sim_error(T.m) : "(none)");
	simtest_fini(&T);
}

/* A machine running the vmalloc workload under @policy. */
static struct sim_machine *workload_machine(struct sim_policy *policy,
					    struct lmm_workload_params *params,
					    unsigned int cpus)
{
	const struct lmm_workload *w = lmm_workload_find("vmalloc");
	struct sim_options opt = simtest_options("arm64", "7.0", cpus);
	struct sim_machine *m;

	opt.policy = policy;
	opt.debug_pagealloc = true;
	opt.irq_handler = w->irq;
	opt.irq_arg = params;
	m = sim_create(&opt);
	for (unsigned int c = 0; c < cpus; c++)
		sim_spawn(m, "vm", (int)c, w->task, params);
	return m;
}

static bool same_choices(const struct sim_machine *a,
			 const struct sim_machine *b)
{
	return a->nr_choices == b->nr_choices &&
	       !memcmp(a->choices, b->choices,
		       a->nr_choices * sizeof(*a->choices));
}

static void test_replay(void)
{
	struct lmm_workload_params params = { .pages = 24 };
	struct sim_machine *rec, *rep;
	struct sim_choice_rec *copy;
	struct sim_stats s1, s2;
	size_t n;
	char line[64], err[64];
	struct sim_choice_rec back;

	rec = workload_machine(sim_policy_random(11, 300, 20, 20), &params, 3);
	sim_stats_attach(rec, &s1);
	sim_run(rec);
	n = rec->nr_choices;
	copy = malloc(n * sizeof(*copy));
	memcpy(copy, rec->choices, n * sizeof(*copy));
	ok(n > 100 && copy[0].what == SIM_CHOOSE_CPU,
	   "every choice is recorded (%zu)", n);

	rep = workload_machine(sim_policy_replay(copy, n, "t", 1), &params, 3);
	sim_stats_attach(rep, &s2);
	sim_run(rep);
	ok(!sim_error(rep) && same_choices(rec, rep) &&
		   !memcmp(&s1, &s2, sizeof(s1)) && rep->points == rec->points,
	   "replaying the recorded choices is the same run");
	sim_destroy(rep);

	/* answer differently at one CPU choice: the run diverges */
	for (size_t i = 0; i < n; i++) {
		if (copy[i].what == SIM_CHOOSE_IRQ && copy[i].answer == 0) {
			copy[i].answer = 1;
			break;
		}
	}
	rep = workload_machine(sim_policy_replay(copy, n, "t", 1), &params, 3);
	sim_run(rep);
	ok(sim_error(rep) && strstr(sim_error(rep), "diverges") && rep->stopped,
	   "an answer that changes the run: divergence is an error: %s",
	   sim_error(rep) ? sim_error(rep) : "(none)");
	sim_destroy(rep);

	memcpy(copy, rec->choices, n * sizeof(*copy));
	rep = workload_machine(sim_policy_replay(copy, n / 2, "t", 1), &params,
			       3);
	sim_run(rep);
	ok(sim_error(rep) && strstr(sim_error(rep), "after its"),
	   "running past the recorded choices is divergence: %s",
	   sim_error(rep) ? sim_error(rep) : "(none)");
	sim_destroy(rep);

	sim_choice_format(&rec->choices[0], line, sizeof(line));
	ok(!sim_choice_parse(line, &back, err, sizeof(err)) &&
		   !memcmp(&back, &rec->choices[0], sizeof(back)),
	   "a choice line reads back as the choice");
	ok(sim_choice_parse("cpu 3 0x5 0 1", &back, line, sizeof(line)) &&
		   strstr(line, "not among"),
	   "a line naming an answer outside its options is rejected: %s", line);
	ok(sim_choice_parse("frob 2 3 0 0", &back, line, sizeof(line)) &&
		   sim_choice_parse("cpu 2 3 0", &back, line, sizeof(line)) &&
		   sim_choice_parse("cpu 2 3 0 1 x", &back, line, sizeof(line)),
	   "malformed choice lines are rejected");
	sim_destroy(rec);
	free(copy);
}

/* Observers never draw: choices with every observer equal those without. */
static void test_observers(void)
{
	struct lmm_workload_params params = { .pages = 24 };
	struct sim_machine *bare, *all;
	struct sim_stats stats;
	struct san_state *san;
	struct trace_writer *tw;
	FILE *f = tmpfile();

	bare = workload_machine(sim_policy_random(5, 300, 20, 20), &params, 3);
	sim_run(bare);
	all = workload_machine(sim_policy_random(5, 300, 20, 20), &params, 3);
	sim_stats_attach(all, &stats);
	san = san_attach(all);
	tw = trace_attach(all, f);
	sim_run(all);
	ok(trace_finish(tw) > 0 &&
		   sim_stats_total(&stats, SIM_STAT_interrupts) > 0,
	   "counters, sanitizer and trace writer saw the run");
	ok(bare->nr_choices > 100 && same_choices(bare, all),
	   "the choice sequence with every observer is the one without "
	   "(%zu choices)",
	   all->nr_choices);
	sim_destroy(bare);
	sim_destroy(all);
	san_detach(san);
	fclose(f);
}

/* ---- stop at the first finding ------------------------------------------------- */

static bool after_first;

static void two_findings(void *arg)
{
	(void)arg;
	kzalloc(64, GFP_KERNEL); /* a kernel object, abandoned with the task */
	sim_report("api-misuse", "first");
	after_first = true;
	sim_report("api-misuse", "second");
}

static void test_stop(void)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 2);
	struct lmm_run_config c;
	struct lmm_run_result r;
	char err[256];
	int ret;

	opt.stop_on_finding = true;
	simtest_init_opt(&T, &opt);
	after_first = false;
	sim_spawn(T.m, "two", 0, two_findings, NULL);
	sim_spawn(T.m, "other", 1, idle_task, NULL);
	sim_run(T.m);
	ok(T.m->nr_findings == 1 && !after_first && T.m->stopped &&
		   T.m->nr_live == 2,
	   "stop_on_finding: the run ends at the first finding, tasks "
	   "abandoned mid-way");
	simtest_fini(&T);

	lmm_run_defaults(&c);
	c.workload = "vmalloc-touch-early";
	c.pages = 8;
	c.cpus = 2;
	c.stop_on_first = true;
	ret = lmm_run(&c, &r, err, sizeof(err));
	ok(!ret && r.nr_findings == 1 && r.stopped,
	   "lmm_run with stop_on_first: one finding, stopped");
	lmm_run_result_free(&r);
	c.stop_on_first = false;
	ret = lmm_run(&c, &r, err, sizeof(err));
	ok(!ret && r.nr_findings > 1 && !r.stopped,
	   "the same run without it: every finding (%zu)", r.nr_findings);
	lmm_run_result_free(&r);
}

int main(void)
{
	/* a lock that spins instead of blocking hangs: fail, do not hang */
	alarm(120);
	test_footprints();
	test_pair(false);
	test_pair(true);
	test_blocking();
	test_deadlocks();
	test_choose_checks();
	test_replay();
	test_observers();
	test_stop();
	return tap_done();
}
