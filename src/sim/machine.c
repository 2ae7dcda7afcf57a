// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The machine: CPUs, tasks as coroutines, scheduling points, preemption,
 * interrupts, events and findings.
 *
 * A task runs until a scheduling point, where the policy may deliver an
 * interrupt, preempt the task (moving it to a runqueue) or let another CPU
 * step. Only one CPU steps at a time, so the machine needs no locks; the
 * interleaving of CPUs is exactly the sequence of the policy's choices.
 */
#define SIM_NO_SITES /* the machine: its calls keep the model's site */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "sim/arch.h"
#include "sim/policy.h"
#include "sim/sim.h"

#include "sim/hostsan.h"

#ifdef SIM_ASAN
#define SIM_STACK_SIZE (512UL * 1024)
#else
#define SIM_STACK_SIZE (128UL * 1024)
#endif

/*
 * The machine the calling thread runs, like the kernel's current: kernel
 * code (src/mm, src/arch, the core's hooks) reaches its machine through
 * it, so that it reads like the kernel instead of passing a machine to
 * every primitive. Thread-local, not global: each host thread runs at most
 * one machine at a time, and machines on different threads share nothing.
 * It is the only mutable state outside the machines besides the embedder
 * installed on the thread (embed.c), for the same reason.
 */
_Thread_local struct sim_machine *sim_this;

/* ---- coroutines ----------------------------------------------------------- */

/*
 * Arrival on a stack after a switch. ASan says which stack we came from:
 * if from sim_run()'s caller (the scheduler), remember its bounds for the
 * switches back.
 */
static void coro_finish(struct sim_machine *m, void *fake)
{
#ifdef SIM_ASAN
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(fake, &bottom, &size);
	if (!m->switching_from) {
		m->sched_stack_bottom = bottom;
		m->sched_stack_size = size;
	}
#else
	(void)m;
	(void)fake;
#endif
}

/*
 * Switch from @from (NULL: the scheduler) to @to (NULL: the scheduler).
 * @dying: @from will never run again. Out of line: most scheduling points
 * do not switch, and should not pay for the registers a switch saves.
 */
static __attribute__((noinline)) void
coro_switch(struct task_struct *from, struct task_struct *to, bool dying)
{
	struct sim_machine *m = sim_this;
	struct sim_ctx *from_ctx = from ? &from->ctx : &m->sched_ctx;
	struct sim_ctx *to_ctx = to ? &to->ctx : &m->sched_ctx;
	/* on this stack: each task (and the scheduler) gets its own back */
	const struct sim_site *site = m->site;
	void *fake = NULL;

#ifdef SIM_ASAN
	__sanitizer_start_switch_fiber(
		dying ? NULL : &fake, to ? to->stack : m->sched_stack_bottom,
		to ? to->stack_size : m->sched_stack_size);
#else
	(void)dying;
#endif
#ifdef SIM_TSAN
	__tsan_switch_to_fiber(to ? to->fiber : m->sched_fiber, 0);
#endif
	m->switching_from = from;
	m->in_task = to != NULL;
	sim_ctx_switch(from_ctx, to_ctx);
	coro_finish(m, fake);
	m->site = site;
}

/*
 * Leave the running task for good and return to sim_run(): the run is
 * over (stop at a finding, a deadlock, an error). The task's stack is
 * abandoned as it is; sim_destroy() unmaps it, and kernel objects come
 * from the machine (kmalloc), so nothing leaks.
 */
static _Noreturn void abandon_task(void)
{
	struct sim_machine *m = sim_this;

#ifdef SIM_ASAN
	__sanitizer_start_switch_fiber(NULL, m->sched_stack_bottom,
				       m->sched_stack_size);
#endif
#ifdef SIM_TSAN
	__tsan_switch_to_fiber(m->sched_fiber, 0);
#endif
	m->switching_from = (struct task_struct *)&m->abandon_ctx;
	m->in_task = false;
	sim_ctx_switch(&m->abandon_ctx, &m->sched_ctx);
	abort(); /* an abandoned task is never resumed */
}

static void task_exit(void);
static void finish_idle_placement(struct task_struct *t);

static void task_trampoline(void)
{
	struct sim_machine *m = sim_this;
	struct task_struct *t;

	coro_finish(m, NULL);
	t = current;
	m->in_sched = false;
	m->site = NULL; /* a new task has called nothing yet */
	finish_idle_placement(t);
	t->fn(t->arg);
	task_exit();
}

/*
 * sim_stopped() - the last sim_run() of @m ended early (sim_stop(): a
 * finding with stop_on_finding, a deadlock, an error, the policy): its
 * tasks are left where they were, for sim_reset() or sim_destroy().
 */
bool sim_stopped(const struct sim_machine *m)
{
	return m->stopped;
}

/* The CPU stepping now is @cpu (m->this_cpu and this_cpu()'s m->cur_cpu). */
static inline void set_this_cpu(struct sim_machine *m, int cpu)
{
	m->this_cpu = cpu;
	m->cur_cpu = &m->cpu[cpu];
}

/* ---- runqueues ------------------------------------------------------------- */

/* Each CPU's runqueue: a circular list of runnable tasks other than curr. */
static void rq_push(struct sim_machine *m, int cpu, struct task_struct *t)
{
	struct task_struct *tail = m->cpu[cpu].rq_tail;

	if (!tail) {
		t->rq_next = t;
	} else {
		t->rq_next = tail->rq_next;
		tail->rq_next = t;
	}
	m->cpu[cpu].rq_tail = t;
	t->cpu = cpu;
}

static struct task_struct *rq_pop(struct sim_machine *m, int cpu)
{
	struct task_struct *tail = m->cpu[cpu].rq_tail, *head;

	if (!tail)
		return NULL;
	head = tail->rq_next;
	if (head == tail)
		m->cpu[cpu].rq_tail = NULL;
	else
		tail->rq_next = head->rq_next;
	head->rq_next = NULL;
	return head;
}

/* ---- events and findings ---------------------------------------------------- */

static void emit_pending_findings(struct sim_machine *m);
static void emit_pending(struct sim_machine *m);

/*
 * Observers run in registration order. An event emitted while observers
 * run (a finding an observer reports) is not delivered at once, which
 * would re-enter observers in the middle of an event: findings are queued
 * and emitted to every observer once the current event has reached all of
 * them. Observers emit no other event: they must not change the machine
 * (docs/design.md).
 */
void sim_emit(struct sim_event *ev)
{
	struct sim_machine *m = sim_this;
	unsigned int plan;

	if (m->ev_counted & SIM_EV_BIT(ev->type)) {
		/* the counters' delivery, without a call */
		m->in_place_base[m->this_cpu][m->in_place_of[ev->type]]++;
	}
	plan = m->emit_plan[ev->type];
	if (!plan)
		return; /* no observer (else) wants it */
	ev->cpu = m->this_cpu;
	ev->task = m->cur_cpu->curr;
	ev->site = m->site;
	m->emitting++;
	do {
		/* in registration order */
		const struct sim_observer *o = &m->obs[__builtin_ctz(plan)];

		o->event(o->priv, ev);
		plan &= plan - 1;
	} while (plan);
	if (--m->emitting == 0 && m->nr_pending)
		emit_pending(m);
}

/* Findings queued while observers ran, now to every observer (cold). */
static __attribute__((noinline)) void emit_pending(struct sim_machine *m)
{
	emit_pending_findings(m);
	if (m->opt.stop_on_finding)
		sim_stop(); /* once every observer saw the finding */
}

/*
 * sim_stop() - end the run now: the running task and every other one are
 * abandoned where they are. From outside a task (the scheduler), the run
 * ends at the next choice.
 */
void sim_stop(void)
{
	struct sim_machine *m = sim_this;

	if (!m->running)
		return;
	m->stopped = true;
	if (m->in_task)
		abandon_task();
}

/* sim_fail() - the run cannot go on (a bad choice): say why and stop. */
void sim_fail(const char *fmt, ...)
{
	struct sim_machine *m = sim_this;
	va_list ap;

	if (!m->error[0]) {
		va_start(ap, fmt);
		vsnprintf(m->error, sizeof(m->error), fmt, ap);
		va_end(ap);
	}
	sim_stop();
}

void sim_add_observer(struct sim_machine *m, const struct sim_observer *o)
{
	if (m->nr_obs == (int)(sizeof(m->obs) / sizeof(m->obs[0]))) {
		fprintf(stderr, "lazymmu: too many observers\n");
		abort();
	}
	m->obs[m->nr_obs] = *o;
	if (!o->events)
		m->obs[m->nr_obs].events = SIM_EV_ALL;
	m->obs[m->nr_obs].counted &= m->obs[m->nr_obs].events;
	m->nr_obs++;
	sim_observers_changed(m);
}

/* Each narrow want (SIM_EV_NARROW) and the type it narrows. */
static const struct {
	uint64_t bit;
	enum sim_event_type type;
} narrow_of[] = {
	{ SIM_EV_ACCESS_FREED, SIM_EV_ACCESS },
	{ SIM_EV_PTE_WRITE_HIDDEN, SIM_EV_PTE_WRITE },
	{ SIM_EV_SLEEP_ATOMIC, SIM_EV_SLEEP },
};

#define NR_NARROW (sizeof(narrow_of) / sizeof(narrow_of[0]))

/* @events' types, whole or narrowed. */
static uint64_t types_of(uint64_t events)
{
	uint64_t t = events & SIM_EV_ALL;

	for (size_t i = 0; i < NR_NARROW; i++)
		if (events & narrow_of[i].bit)
			t |= SIM_EV_BIT(narrow_of[i].type);
	return t;
}

/* The first observer with @counted, -1 if none. */
static int counter_of(const struct sim_machine *m)
{
	for (int i = 0; i < m->nr_obs; i++)
		if (m->obs[i].counted)
			return i;
	return -1;
}

/*
 * The masks of what sim_emit() does, from m->obs[] (see
 * sim_observers_changed()); the counter's counters are set up apart.
 */
static void observers_masks(struct sim_machine *m, int counter)
{
	uint64_t whole = 0, narrow = 0, others = 0;

	m->ev_wanted = 0;
	for (int i = 0; i < m->nr_obs; i++) {
		uint64_t ev = m->obs[i].events;

		m->ev_wanted |= ev | types_of(ev);
		narrow |= ev & SIM_EV_NARROW;
		if (i != counter)
			others |= ev & SIM_EV_ALL;
		else
			whole |= ev & SIM_EV_ALL & ~m->obs[i].counted;
	}
	whole |= others;
	/*
	 * a narrow want whose type an observer wants whole (but the counter,
	 * which counts it in place): no test, every such event is built
	 */
	m->ev_narrow = narrow;
	for (size_t i = 0; i < NR_NARROW; i++)
		if (whole & SIM_EV_BIT(narrow_of[i].type))
			m->ev_narrow &= ~narrow_of[i].bit;
	m->ev_counted = m->ev_in_place = 0;
	if (counter >= 0) {
		m->ev_counted = m->obs[counter].counted &
				(m->obs[counter].events & SIM_EV_ALL);
		m->ev_in_place = m->ev_counted & ~others;
	}
	/* sim_count_access_in_place() tests the narrow want apart */
	if (m->ev_narrow & SIM_EV_ACCESS_FREED)
		m->ev_in_place &= ~SIM_EV_BIT(SIM_EV_ACCESS);
}

/* emit_plan[@t]: the observers sim_emit() calls for events of type @t. */
static void observers_plan(struct sim_machine *m, int t, int counter)
{
	m->emit_plan[t] = 0;
	for (int i = 0; i < m->nr_obs; i++)
		if ((types_of(m->obs[i].events) & SIM_EV_BIT(t)) &&
		    !(i == counter && (m->ev_counted & SIM_EV_BIT(t))))
			m->emit_plan[t] |= (uint8_t)(1U << i);
}

/*
 * What sim_emit() does with each event, from m->obs[]: ev_wanted, the union
 * of the observers' @events (a narrow want adds its type), and ev_narrow,
 * the narrow wants the hot paths test. The first observer with @counted is
 * the machine's counter: sim_emit() increments its counters itself for the
 * events it counts (ev_counted) and does not call it for them
 * (emit_plan[type]: the observers to call, a bit each; an observer with a
 * narrow want is called for its type, and tests), and sim_count_in_place()
 * does the same, without an event, for those that no other observer wants
 * whole (ev_in_place). The counts are the same.
 */
void sim_observers_changed(struct sim_machine *m)
{
	int counter = counter_of(m);

	observers_masks(m, counter);
	for (int t = 0; t < SIM_EV_NR; t++)
		observers_plan(m, t, counter);
	if (counter < 0)
		return;
	for (int c = 0; c < SIM_MAX_CPUS; c++)
		m->in_place_base[c] =
			m->obs[counter].counter +
			(size_t)c * m->obs[counter].counter_stride;
	for (int t = 0; t < SIM_EV_NR; t++)
		m->in_place_of[t] = (m->ev_counted & SIM_EV_BIT(t)) ?
					    m->obs[counter].counter_of[t] :
					    0;
}

void sim_observer_want(struct sim_machine *m, const void *priv, uint64_t events)
{
	uint64_t changed;
	int i, counter;

	for (i = 0; i < m->nr_obs && m->obs[i].priv != priv; i++)
		;
	if (i == m->nr_obs) {
		fprintf(stderr, "lazymmu: sim_observer_want(): no observer\n");
		abort();
	}
	if (m->obs[i].events == events)
		return;
	/* the types whose plan may change */
	changed = types_of(m->obs[i].events ^ events);
	m->obs[i].events = events;
	counter = counter_of(m);
	if (i == counter) {
		/* what it counts may change: all again */
		sim_observers_changed(m);
		return;
	}
	observers_masks(m, counter);
	for (; changed; changed &= changed - 1)
		observers_plan(m, __builtin_ctzll(changed), counter);
}

#define SIM_MAX_FINDINGS 1000

static void emit_finding(const struct sim_finding *f)
{
	struct sim_event ev = { .type = SIM_EV_FINDING };

	ev.what = f->kind;
	ev.finding = f;
	ev.addr = f->have & SIM_FINDING_ADDR ? f->addr : 0;
	ev.old = f->old;
	ev.new = f->new;
	sim_emit(&ev);
}

/*
 * Findings queued while observers ran, in the order reported; those that
 * their own delivery reports join the queue and follow.
 */
static void emit_pending_findings(struct sim_machine *m)
{
	m->emitting++;
	for (size_t i = 0; i < m->nr_pending; i++) {
		struct sim_finding f = m->pending[i]; /* the queue may grow */

		emit_finding(&f);
	}
	m->nr_pending = 0;
	m->emitting--;
}

static void *grow(void *p, size_t *cap, size_t size)
{
	*cap = *cap ? 2 * *cap : 16;
	p = realloc(p, *cap * size);
	if (!p)
		abort();
	return p;
}

static void report(const struct sim_finding_at *at, const char *kind,
		   const char *fmt, va_list ap)
{
	struct sim_machine *m = sim_this;
	const struct task_struct *t = m->cpu[m->this_cpu].curr;
	const struct sim_section *site = NULL;
	struct sim_finding f;

	if (!sim_finding_kind_find(kind)) {
		fprintf(stderr,
			"lazymmu: sim_report: finding kind '%s' is not in "
			"sim_finding_kinds[] (src/sim/registry.c)\n",
			kind);
		abort();
	}
	memset(&f, 0, sizeof(f));
	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	f.cpu = m->running ? m->this_cpu : -1;
	if (at && (at->have & SIM_FINDING_CPU)) {
		f.cpu = at->cpu;
		t = at->task;
	}
	if (t) {
		f.pid = t->pid;
		memcpy(f.comm, t->comm, sizeof(f.comm));
	}
	f.have = at ? at->have & (SIM_FINDING_ADDR | SIM_FINDING_VALUES) : 0;
	if (at) {
		f.addr = at->addr;
		f.old = at->old;
		f.new = at->new;
	}
	if (at && (at->have & SIM_FINDING_SECTION))
		site = at->section;
	else if (t && m->running && !m->cpu[m->this_cpu].irq_depth)
		site = sim_section_site(t);
	if (site && site->func) {
		f.section = *site;
		f.have |= SIM_FINDING_SECTION;
	}

	if (m->nr_findings < SIM_MAX_FINDINGS) {
		if (m->nr_findings == m->findings_cap)
			m->findings = grow(m->findings, &m->findings_cap,
					   sizeof(*m->findings));
		m->findings[m->nr_findings++] = f;
	} else {
		m->findings_dropped++;
	}
	if (m->emitting) {
		if (m->nr_pending == m->pending_cap)
			m->pending = grow(m->pending, &m->pending_cap,
					  sizeof(*m->pending));
		m->pending[m->nr_pending++] = f;
	} else {
		emit_finding(&f);
		if (m->opt.stop_on_finding)
			sim_stop();
	}
}

/*
 * sim_report() - report a finding of registered @kind (sim_finding_kinds[]),
 * with the current CPU, task and innermost open section.
 */
void sim_report(const char *kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(NULL, kind, fmt, ap);
	va_end(ap);
}

/* sim_report_at() - the same, with what the reporter knows in @at. */
void sim_report_at(const struct sim_finding_at *at, const char *kind,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(at, kind, fmt, ap);
	va_end(ap);
}

/* ---- kernel services: preemption, flags, interrupts ------------------------ */

bool in_interrupt(void)
{
	return this_cpu()->irq_depth > 0;
}

bool preemptible(void)
{
	return current->preempt_count == 0 && !in_interrupt();
}

void preempt_disable(void)
{
	current->preempt_count++;
}

void preempt_enable(void)
{
	if (current->preempt_count == 0) {
		sim_report("arch-bug", "preempt_enable() underflow in %s",
			   current->comm);
		return;
	}
	current->preempt_count--;
	if (current->preempt_count == 0)
		sim_sched_point();
}

void set_thread_flag(unsigned int flag)
{
	current->thread_flags |= flag;
}

void clear_thread_flag(unsigned int flag)
{
	current->thread_flags &= ~flag;
}

bool test_thread_flag(unsigned int flag)
{
	return current->thread_flags & flag;
}

bool test_and_clear_thread_flag(unsigned int flag)
{
	bool was = current->thread_flags & flag;

	current->thread_flags &= ~flag;
	return was;
}

static void pick_cpu_and_switch(struct task_struct *from, bool dying);

/* A task whose lock is still held cannot step. */
static bool task_blocked(const struct task_struct *t)
{
	return t->blocked_on && t->blocked_on->owner;
}

/* @cpu runs @t (NULL: idle); m->busy, m->busy_id and m->nr_busy follow. */
static void set_curr(struct sim_machine *m, struct sim_cpu *cpu,
		     struct task_struct *t)
{
	uint32_t busy = m->busy;

	cpu->curr = t;
	if (t)
		busy |= 1U << cpu->id;
	else
		busy &= ~(1U << cpu->id);
	if (busy == m->busy)
		return;
	m->busy = busy;
	m->nr_busy = 0;
	for (; busy; busy &= busy - 1)
		m->busy_id[m->nr_busy++] = (uint8_t)__builtin_ctz(busy);
}

#ifdef SIM_ASAN
/* Whether m->busy_id and m->nr_busy list m->busy (the test builds). */
static bool busy_table_ok(const struct sim_machine *m)
{
	unsigned int k = 0;

	for (uint32_t left = m->busy; left; left &= left - 1, k++)
		if (k >= m->nr_busy || m->busy_id[k] != __builtin_ctz(left))
			return false;
	return k == m->nr_busy;
}
#endif

/*
 * Append the chain of waiters that starts at @t to @buf: "A (CPU0) waits
 * for a lock held by B (CPU1), which waits for ...". Returns true if the
 * chain comes back to @t (a cycle).
 */
static bool wait_chain(struct task_struct *t, char *buf, size_t len)
{
	struct sim_machine *m = sim_this;
	struct task_struct *w = t;
	size_t used = strlen(buf);

	for (size_t i = 0; i <= m->nr_tasks && task_blocked(w); i++) {
		struct task_struct *o = w->blocked_on->owner;

		used += (size_t)snprintf(
			buf + used, used < len ? len - used : 0,
			"%s%s (CPU%d) waits for a lock held by %s",
			i ? ", which" : "", i ? "" : w->comm, w->cpu, o->comm);
		if (o == t)
			return true;
		w = o;
	}
	return false;
}

static void report_deadlock(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void report_deadlock(const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_report("deadlock", "%s", msg);
	sim_stop();
}

/*
 * spin_lock() (include/linux/spinlock.h): preemption off, then the lock.
 * A held lock blocks the task: its CPU steps again only once the lock is
 * free, and then competes for it anew. A waiter that closes a cycle, or
 * an interrupt handler taking a lock the task it interrupted holds, is a
 * deadlock: the run ends with that finding.
 */
void spin_lock(spinlock_t *lock)
{
	preempt_disable();
	for (;;) {
		char msg[320];

		if (sim_this->opt.fine_steps)
			sim_sched_point_touch(SIM_TOUCH_LOCK, lock);
		if (!lock->owner)
			break;

		if (lock->owner == current) {
			if (this_cpu()->irq_depth > lock->irq_depth) {
				report_deadlock(
					"CPU%d %s: an interrupt handler takes a "
					"spinlock its interrupted task holds",
					smp_processor_id(), current->comm);
				return;
			}
			sim_report("arch-bug", "%s: spinlock recursion",
				   current->comm);
			return;
		}
		current->blocked_on = lock;
		sim_this->nr_blocked++;
		this_cpu()->next.kind = SIM_TOUCH_LOCK;
		this_cpu()->next.obj = lock;
		/* here: an initialiser would clear 320 bytes per lock */
		msg[0] = '\0';
		if (wait_chain(current, msg, sizeof(msg))) {
			report_deadlock("%s", msg);
			return;
		}
		pick_cpu_and_switch(current, false);
		current->blocked_on = NULL;
		sim_this->nr_blocked--;
	}
	lock->owner = current;
	lock->irq_depth = this_cpu()->irq_depth;
}

void spin_unlock(spinlock_t *lock)
{
	if (sim_this->opt.fine_steps)
		sim_sched_point_touch(SIM_TOUCH_LOCK, lock);
	lock->owner = NULL;
	preempt_enable();
}

bool sim_in_section(void)
{
	struct task_struct *t = current;

	return !in_interrupt() && t->lazy_sections > 0 && t->lazy_paused == 0;
}

const struct sim_section *sim_section_site(const struct task_struct *t)
{
	int d = t->lazy_sections;

	if (d <= 0)
		return NULL;
	if (d > SIM_MAX_SECTION_DEPTH)
		d = SIM_MAX_SECTION_DEPTH;
	return &t->section[d - 1];
}

void sim_unbatched_update(void)
{
	struct sim_event ev = { .type = SIM_EV_UNBATCHED };

	if (sim_this->opt.lazy != SIM_LAZY_OFF && sim_in_section())
		sim_emit(&ev);
}

/* out of line: rare, and its event would weigh on every point */
static __attribute__((noinline)) void do_irq(void)
{
	struct sim_machine *m = sim_this;
	struct sim_cpu *cpu = this_cpu();
	struct sim_event ev = { .type = SIM_EV_IRQ_ENTER };
	const struct sim_site *site = m->site;

	/* the handler's rows are its own, not the interrupted call's */
	m->site = NULL;
	cpu->irq_depth++;
	ev.state = current->lazy_mmu_state;
	ev.arg = current->lazy_sections;
	sim_emit(&ev);
	m->opt.irq_handler(m->opt.irq_arg);
	ev.type = SIM_EV_IRQ_EXIT;
	ev.state = current->lazy_mmu_state;
	ev.arg = current->lazy_sections;
	sim_emit(&ev);
	if (m->arch->exception_return)
		m->arch->exception_return();
	cpu->irq_depth--;
	m->site = site;
}

/* ---- scheduling --------------------------------------------------------------- */

/*
 * Ask the policy; check and record the answer. Returns the first allowed
 * value if the run was stopped meanwhile (only from the scheduler's own
 * context; a task is abandoned at once).
 */
/* An observer drew a choice: refuse (cold; kept out of choose()). */
static __attribute__((noinline, cold)) unsigned int
choose_in_observer(enum sim_choice what, uint32_t allowed)
{
	sim_fail("an observer asked for a %s choice: observers never "
		 "draw choices",
		 sim_choice_name(what));
	return sim_set_nth(allowed, 0);
}

/* The policy answered outside the options: stop the run (cold). */
static __attribute__((noinline, cold)) unsigned int
choose_bad_answer(enum sim_choice what, unsigned int n, unsigned int a,
		  uint32_t allowed)
{
	sim_fail("the scheduler policy answered %u to a %s choice "
		 "(options: %u, allowed %#x)",
		 a, sim_choice_name(what), n, allowed);
	return sim_set_nth(allowed, 0);
}

/* Append the choice to the run's record. */
static __attribute__((noinline)) unsigned int
choose_record(struct sim_machine *m, enum sim_choice what, unsigned int n,
	      unsigned int cur, uint32_t allowed, unsigned int a)
{
	struct sim_choice_rec *r;

	if (m->nr_choices == m->choices_cap) {
		m->choices_cap = m->choices_cap ? 2 * m->choices_cap : 256;
		m->choices = realloc(m->choices,
				     m->choices_cap * sizeof(*m->choices));
		if (!m->choices)
			abort();
	}
	r = &m->choices[m->nr_choices++];
	r->what = (uint8_t)what;
	r->pad = 0;
	r->n = (uint16_t)n;
	r->cur = (uint16_t)cur;
	r->answer = (uint16_t)a;
	r->allowed = allowed;
	return a;
}

/* Whether @q records this question (its answer aside). */
static inline bool replay_matches(const struct sim_choice_rec *q,
				  enum sim_choice what, unsigned int n,
				  unsigned int cur, uint32_t allowed)
{
	return q->what == what && q->n == n && q->cur == cur &&
	       q->allowed == allowed;
}

/*
 * Always inlined: most calls pass a constant @n and @allowed (an interrupt
 * or preemption is a choice of two), which folds the checks on them away.
 */
static inline __attribute__((always_inline)) unsigned int
choose(enum sim_choice what, unsigned int n, unsigned int cur, uint32_t allowed)
{
	struct sim_machine *m = sim_this;
	struct sim_policy *p = m->opt.policy;
	unsigned int a;

	if (n > 32)
		allowed = SIM_CHOICE_ALL; /* not a CPU set: [0, n) */
	else if (n < 32)
		allowed &= (1U << n) - 1;
	/* at most one option (at most one bit set): nothing to ask */
	if (n > 32 ? n <= 1 : !(allowed & (allowed - 1)))
		return n > 32 || !allowed ? 0 : sim_set_nth(allowed, 0);
	if (__builtin_expect(m->emitting, 0))
		return choose_in_observer(what, allowed);
	if (p->replay_left &&
	    replay_matches(p->replay, what, n, cur, allowed)) {
		/* an answer known in advance (struct sim_policy) */
		a = p->replay->answer;
		p->replay++;
		p->replay_left--;
	} else {
		/* the random policy's common questions never get here */
		a = p->choose(p, what, n, cur, allowed);
		if (__builtin_expect(m->stopped, 0))
			return sim_set_nth(allowed, 0);
	}
	if (__builtin_expect(a >= n || (a < 32 && !(allowed & (1U << a))), 0))
		return choose_bad_answer(what, n, a, allowed);
	if (m->opt.no_choice_record) {
		m->nr_choices++;
		return a;
	}
	return choose_record(m, what, n, cur, allowed, a);
}

unsigned int sim_choose(enum sim_choice what, unsigned int n, unsigned int cur)
{
	return choose(what, n, cur, SIM_CHOICE_ALL);
}

/* The busy CPUs whose task waits for no held lock (cold). */
static __attribute__((noinline, cold)) uint32_t
unblocked_cpus(struct sim_machine *m, uint32_t busy)
{
	uint32_t allowed = busy;

	for (uint32_t left = busy; left; left &= left - 1) {
		unsigned int c = (unsigned int)__builtin_ctz(left);

		if (task_blocked(m->cpu[c].curr))
			allowed &= ~(1U << c);
	}
	return allowed;
}

/* Every busy CPU waits for a spinlock (cold: its message buffer would
 * weigh on every scheduling point's stack frame). */
static __attribute__((noinline, cold)) void all_blocked(struct sim_machine *m,
							uint32_t busy)
{
	char msg[320] = "every busy CPU waits for a spinlock: ";

	wait_chain(m->cpu[sim_set_nth(busy, 0)].curr, msg, sizeof(msg));
	report_deadlock("%s", msg);
}

/*
 * Let the policy pick which CPU steps next among those that can (busy and
 * not blocked on a lock); switch to it. Busy CPUs that are all blocked are
 * a deadlock.
 */
static void pick_cpu_and_switch(struct task_struct *from, bool dying)
{
	struct sim_machine *m = sim_this;
	uint32_t busy = m->busy, allowed = busy;
	unsigned int cpu;

	if (m->nr_blocked) {
		/* some task waits for a lock: leave out the CPUs it blocks */
		allowed = unblocked_cpus(m, busy);
	}
	if (!busy) {
		coro_switch(from, NULL, dying);
		return;
	}
	if (!allowed) {
		all_blocked(m, busy);
		return; /* from the scheduler: sim_run() ends */
	}
	cpu = choose(SIM_CHOOSE_CPU, m->opt.nr_cpus, (unsigned int)m->this_cpu,
		     allowed);
	if (m->stopped)
		return; /* from the scheduler: sim_run() ends */
	set_this_cpu(m, (int)cpu);
	if (m->cur_cpu->curr != from)
		coro_switch(from, m->cur_cpu->curr, dying);
}

/*
 * context_switch() - the model's context-switch hooks, on this CPU, as
 * kernel/sched/core.c context_switch() runs them: switch_out() with @prev
 * current (NULL: the CPU was idle), switch_mm() if @next runs in another
 * address space than the CPU, switch_in() with @next current (NULL: the CPU
 * goes idle). Interrupts are off: nothing here is a scheduling point.
 * Leaves this CPU's curr = @next.
 */
static void context_switch(struct task_struct *prev, struct task_struct *next)
{
	struct sim_machine *m = sim_this;
	struct sim_cpu *cpu = this_cpu();
	bool in_sched = m->in_sched;
	const struct sim_site *site = m->site;

	/* the switch belongs to neither task: no site of prev's */
	m->site = NULL;
	m->in_sched = true;
	set_curr(m, cpu, prev);
	if (m->arch->switch_out)
		m->arch->switch_out(prev);
	if (next && next->mm != cpu->active_mm) {
		struct sim_event ev = { .type = SIM_EV_SWITCH_MM };

		ev.what = next->mm->name;
		ev.obj = next->mm;
		sim_emit(&ev);
		if (m->arch->switch_mm)
			m->arch->switch_mm(cpu->active_mm, next->mm);
		cpu->active_mm = next->mm;
	}
	set_curr(m, cpu, next);
	if (next)
		next->cpu = cpu->id;
	if (m->arch->switch_in)
		m->arch->switch_in(next);
	m->in_sched = in_sched;
	m->site = site;
}

void kthread_use_mm(struct mm_struct *mm)
{
	struct sim_machine *m = sim_this;
	struct sim_cpu *cpu = this_cpu();
	bool in_sched = m->in_sched;

	current->mm = mm;
	if (cpu->active_mm == mm)
		return;
	m->in_sched = true;
	{
		struct sim_event ev = { .type = SIM_EV_SWITCH_MM };

		ev.what = mm->name;
		ev.obj = mm;
		sim_emit(&ev);
	}
	if (m->arch->switch_mm)
		m->arch->switch_mm(cpu->active_mm, mm);
	cpu->active_mm = mm;
	m->in_sched = in_sched;
}

/*
 * A task placed on an idle CPU (spawned there, or migrated there when
 * preempted) is switched in from idle when that CPU first runs it.
 */
static void place_on_idle(struct sim_machine *m, int cpu, struct task_struct *t)
{
	set_curr(m, &m->cpu[cpu], t);
	t->cpu = cpu;
	t->switch_from_idle = true;
}

static void finish_idle_placement(struct task_struct *t)
{
	if (!t->switch_from_idle)
		return;
	t->switch_from_idle = false;
	context_switch(NULL, t);
}

/*
 * Switch this CPU from current to the next task of its runqueue, putting
 * current on the runqueue of a CPU the policy picks (it may migrate).
 */
static void preempt_current(void)
{
	struct sim_machine *m = sim_this;
	struct sim_cpu *cpu = this_cpu();
	struct task_struct *prev = cpu->curr, *next;
	struct sim_event ev = { .type = SIM_EV_SWITCH };
	const struct sim_site *site;
	int target = m->this_cpu;

	if (m->opt.nr_cpus > 1)
		target = sim_choose(SIM_CHOOSE_MIGRATE, m->opt.nr_cpus,
				    m->this_cpu);
	next = rq_pop(m, m->this_cpu);
	if (!next && target == m->this_cpu)
		return;
	m->in_sched = true;
	ev.what = next ? next->comm : "idle";
	site = m->site;
	m->site = NULL; /* the machine's row */
	sim_emit(&ev);
	m->site = site;
	context_switch(prev, next);
	m->in_sched = false;
	if (m->cpu[target].curr == NULL && target != m->this_cpu)
		place_on_idle(m, target, prev);
	else
		rq_push(m, target, prev);
	if (next) {
		next->cpu = m->this_cpu;
		coro_switch(prev, next, false);
	} else {
		pick_cpu_and_switch(prev, false);
	}
	/* prev runs again, here or on the idle CPU it was placed on */
	finish_idle_placement(prev);
}

void sim_sched_point(void)
{
	sim_sched_point_touch(SIM_TOUCH_LOCAL, NULL);
}

/* Whether @q records this question answered @a. */
static inline bool replay_answers(const struct sim_choice_rec *q,
				  enum sim_choice what, unsigned int n,
				  unsigned int cur, uint32_t allowed,
				  unsigned int a)
{
	return replay_matches(q, what, n, cur, allowed) && q->answer == a;
}

/*
 * A point whose questions the policy's record (struct sim_policy.replay)
 * answers "carry on": no interrupt, no preemption, this CPU steps again
 * (most points of the model checker's replay). The questions the code
 * below would ask, in its order, with the options choose() would give
 * them, consumed and counted at once. False, with nothing consumed, for
 * any other point: the code below asks it (and choose() answers from the
 * record).
 */
static bool replay_carry_on(struct sim_machine *m, struct sim_cpu *cpu)
{
	struct sim_policy *p = m->opt.policy;
	const struct sim_choice_rec *q = p->replay;
	size_t left = p->replay_left, k = 0;
	unsigned int nr_cpus = m->opt.nr_cpus;

	if (!m->opt.no_choice_record || m->nr_blocked)
		return false; /* a record to append; CPUs blocked: rare */
	if (m->opt.irq_handler && cpu->irq_depth == 0) {
		if (k == left ||
		    !replay_answers(&q[k], SIM_CHOOSE_IRQ, 2, 0, 3, 0))
			return false;
		k++;
	}
	/* preemptible(), of @cpu: this CPU */
	if (cpu->curr->preempt_count == 0 && cpu->irq_depth <= 0 &&
	    (cpu->rq_tail || nr_cpus > 1)) {
		if (k == left ||
		    !replay_answers(&q[k], SIM_CHOOSE_PREEMPT, 2, 0, 3, 0))
			return false;
		k++;
	}
	if (nr_cpus > 1) {
		uint32_t allowed = m->busy; /* with this CPU: curr runs */
		unsigned int me = (unsigned int)m->this_cpu;

		if (nr_cpus < 32)
			allowed &= (1U << nr_cpus) - 1;
		if (allowed & (allowed - 1)) {
			if (k == left ||
			    !replay_answers(&q[k], SIM_CHOOSE_CPU, nr_cpus, me,
					    allowed, me))
				return false;
			k++;
		}
	}
	p->replay = q + k;
	p->replay_left = left - k;
	m->nr_choices += k;
	return true;
}

/*
 * The choices a scheduling point may draw: an interrupt, a preemption,
 * the next CPU. Out of line: a point on one CPU without interrupts or
 * runnable tasks draws none and should not pay for the registers this
 * needs.
 */
static __attribute__((noinline)) void sched_point_ask(struct sim_machine *m,
						      struct sim_cpu *cpu)
{
	if (m->opt.irq_handler && cpu->irq_depth == 0 &&
	    choose(SIM_CHOOSE_IRQ, 2, 0, SIM_CHOICE_ALL))
		do_irq();
	if (preemptible() && (this_cpu()->rq_tail || m->opt.nr_cpus > 1) &&
	    choose(SIM_CHOOSE_PREEMPT, 2, 0, SIM_CHOICE_ALL)) {
		preempt_current();
		return;
	}
	if (m->opt.nr_cpus > 1)
		pick_cpu_and_switch(cpu->curr, false);
}

/*
 * The choices a scheduling point may draw, answered from the policy's
 * record if that says "carry on", else asked; the record's case saves
 * no registers.
 */
static __attribute__((noinline)) void sched_point_choose(struct sim_machine *m,
							 struct sim_cpu *cpu)
{
	if (m->opt.policy->replay_left && replay_carry_on(m, cpu))
		return;
	sched_point_ask(m, cpu);
}

/* ---- the random policy, inline ---------------------------------------------- */

/*
 * What choose() does with an answer, for the random policy drawn inline
 * (and the round-robin one answered inline, below): count it, or record
 * it if the run keeps its choices (@record, a constant: each has its own
 * copy of the code below). choose()'s checks cannot fail here: these
 * policies answer within the options, never stop the run, and are not
 * asked from an observer (sim_sched_point_touch() refuses a point there
 * before any draw).
 */
static inline __attribute__((always_inline)) void
random_counted(struct sim_machine *m, const bool record, enum sim_choice what,
	       unsigned int n, unsigned int cur, uint32_t allowed,
	       unsigned int a)
{
	if (record)
		choose_record(m, what, n, cur, allowed, a);
	else
		m->nr_choices++;
}

static inline __attribute__((always_inline)) void
random_pick(struct sim_machine *m, struct sim_cpu *cpu, struct policy_random *r,
	    uint64_t x, uint32_t allowed, const bool record);

/* random_pick() while some task waits for a lock (cold). */
static __attribute__((noinline, cold)) void
random_pick_unblocked(struct sim_machine *m, struct sim_cpu *cpu,
		      struct policy_random *r, uint64_t x, const bool record)
{
	uint32_t allowed = unblocked_cpus(m, m->busy); /* never 0: cpu's */

	if (record)
		random_pick(m, cpu, r, x, allowed, true);
	else
		random_pick(m, cpu, r, x, allowed, false);
}

/*
 * The @k-th CPU of @allowed (rnd_pick() of its count): from the table of
 * busy CPUs when @allowed is every busy CPU (no task waits for a lock),
 * without the loop of sim_set_nth(), whose length is the draw.
 */
static inline unsigned int random_nth(const struct sim_machine *m,
				      uint32_t allowed, uint64_t x)
{
	if (__builtin_expect(allowed == m->busy, 1))
		return m->busy_id[rnd_pick(x, m->nr_busy)];
	return sim_set_nth(allowed, rnd_pick(x, sim_set_count(allowed)));
}

/*
 * sched_point_choose() from its preemption on, for the random policy with
 * the state @x not yet stored back: the same questions in the same order,
 * drawn from the same stream, counted or recorded the same, so the same
 * run (tests/sim/test_policy.c compares the two), without choose()'s
 * generic work (the indirect call, the normalisation of the options, the
 * checks of the answer). Every call it makes is its last act, so that the
 * common case saves no registers.
 */
static inline __attribute__((always_inline)) void
random_preempt_and_pick(struct sim_machine *m, struct sim_cpu *cpu,
			struct policy_random *r, uint64_t x, const bool record)
{
	bool yes;

	if (cpu->curr->preempt_count == 0 && cpu->irq_depth == 0 &&
	    (cpu->rq_tail || m->opt.nr_cpus > 1)) {
		x = rnd_step(x);
		yes = rnd_below(x, &r->preempt_rate);
		random_counted(m, record, SIM_CHOOSE_PREEMPT, 2, 0, 3, yes);
		if (yes) {
			r->state = x;
			preempt_current();
			return;
		}
	}
	if (m->opt.nr_cpus == 1) {
		r->state = x;
		return;
	}
	if (__builtin_expect(m->nr_blocked, 0)) {
		/* some task waits for a lock: leave out the CPUs it blocks */
		random_pick_unblocked(m, cpu, r, x, record);
		return;
	}
	random_pick(m, cpu, r, x, m->busy, record);
}

/*
 * pick_cpu_and_switch() for a running task (on @cpu) among the CPUs
 * @allowed, drawn inline. Its CPU can step, so it is among the options,
 * and it is what "no switch" answers.
 */
static inline __attribute__((always_inline)) void
random_pick(struct sim_machine *m, struct sim_cpu *cpu, struct policy_random *r,
	    uint64_t x, uint32_t allowed, const bool record)
{
	unsigned int me, a;

	if (!(allowed & (allowed - 1)))
		goto out; /* only this CPU can step: nothing to ask */
	me = (unsigned int)cpu->id;
	x = rnd_step(x);
	if (!rnd_below(x, &r->switch_rate)) {
		a = me; /* stay */
	} else {
		x = rnd_step(x);
		a = random_nth(m, allowed, x);
	}
	random_counted(m, record, SIM_CHOOSE_CPU, m->opt.nr_cpus, me, allowed,
		       a);
	if (a != me) {
		r->state = x;
		set_this_cpu(m, (int)a);
		coro_switch(cpu->curr, m->cpu[a].curr, false);
		return;
	}
out:
	r->state = x;
}

/* The rest of a point after an interrupt (rare). */
static __attribute__((noinline)) void
random_after_irq(struct sim_machine *m, struct sim_cpu *cpu, const bool record)
{
	struct policy_random *r = m->random;

	do_irq(); /* cpu: still this CPU, cpu->curr still its task */
	if (record)
		random_preempt_and_pick(m, cpu, r, r->state, true);
	else
		random_preempt_and_pick(m, cpu, r, r->state, false);
}

/*
 * sched_point_choose() for the random policy (m->random: every rate
 * nonzero, so that each question draws).
 */
static inline __attribute__((always_inline)) void
random_point(struct sim_machine *m, struct sim_cpu *cpu, const bool record)
{
	struct policy_random *r = m->random;
	uint64_t x = r->state;
	bool yes;

	if (m->opt.irq_handler && cpu->irq_depth == 0) {
		x = rnd_step(x);
		yes = rnd_below(x, &r->irq_rate);
		random_counted(m, record, SIM_CHOOSE_IRQ, 2, 0, 3, yes);
		if (yes) {
			r->state = x;
			random_after_irq(m, cpu, record);
			return;
		}
	}
	random_preempt_and_pick(m, cpu, r, x, record);
}

/* Choices counted (no_choice_record): lazymmu run, bench_sim. */
static __attribute__((noinline)) void sched_point_random(struct sim_machine *m,
							 struct sim_cpu *cpu)
{
	random_point(m, cpu, false);
}

/* Choices recorded (--save-choices, the tests). */
static __attribute__((noinline)) void
sched_point_random_record(struct sim_machine *m, struct sim_cpu *cpu)
{
	random_point(m, cpu, true);
}

/* ---- the round-robin policy, inline --------------------------------------- */

/*
 * The CPU question of a round-robin point, answered inline with
 * sim_rr_choose()'s rule: this CPU while its turn lasts, then the next
 * busy CPU in id order, which gets a new turn; nothing to ask if this CPU
 * is the only busy one. With a task waiting for a lock (rare) it is asked
 * as any policy's is, among the unblocked CPUs.
 */
static inline __attribute__((always_inline)) void
rr_pick(struct sim_machine *m, struct sim_cpu *cpu, const bool record)
{
	struct policy_rr *rr = m->rr;
	unsigned int me = (unsigned int)cpu->id, k, a;

	if (__builtin_expect(m->nr_blocked, 0)) {
		pick_cpu_and_switch(cpu->curr, false);
		return;
	}
	if (m->nr_busy < 2)
		return; /* only this CPU can step: nothing to ask */
	if (rr->left > 0) {
		rr->left--;
		random_counted(m, record, SIM_CHOOSE_CPU, m->opt.nr_cpus, me,
			       m->busy, me);
		return;
	}
	rr->left = rr->quantum;
	k = sim_set_count(m->busy & ((1U << me) - 1)); /* this CPU's rank */
	a = m->busy_id[k + 1 < m->nr_busy ? k + 1 : 0];
	random_counted(m, record, SIM_CHOOSE_CPU, m->opt.nr_cpus, me, m->busy,
		       a);
	set_this_cpu(m, (int)a);
	coro_switch(cpu->curr, m->cpu[a].curr, false);
}

/* rr_pick(), choices counted, out of line: once a turn (cold). */
static __attribute__((noinline)) void rr_pick_counted(struct sim_machine *m,
						      struct sim_cpu *cpu)
{
	rr_pick(m, cpu, false);
}

/*
 * sched_point_choose() for the round-robin policy (m->rr), answered
 * inline with sim_rr_choose()'s rule: the same questions in the same
 * order, the same answers, counted or recorded the same, the policy's
 * turn kept in the same field, so the same run (tests/sim/test_policy.c
 * compares the two). The policy answers every interrupt and preemption
 * question 0 and keeps this CPU while its turn lasts. Choices recorded,
 * any options.
 */
static __attribute__((noinline)) void
sched_point_rr_record(struct sim_machine *m, struct sim_cpu *cpu)
{
	if (m->opt.irq_handler && cpu->irq_depth == 0)
		random_counted(m, true, SIM_CHOOSE_IRQ, 2, 0, 3, 0);
	/* preemptible(), of @cpu: this CPU */
	if (cpu->curr->preempt_count == 0 && cpu->irq_depth <= 0 &&
	    (cpu->rq_tail || m->opt.nr_cpus > 1))
		random_counted(m, true, SIM_CHOOSE_PREEMPT, 2, 0, 3, 0);
	if (m->opt.nr_cpus > 1)
		rr_pick(m, cpu, true);
}

/*
 * The same, choices counted (lazymmu run --sched rr, bench_sim), for
 * more than one CPU and no interrupt handler (SIM_POINT_RR): no
 * interrupt question; the preemption question whenever the task is
 * preemptible (more than one CPU; never in an interrupt, as round-robin
 * delivers none: the test builds check it); while the turn lasts, both
 * counted with one add and nothing else done.
 */
static inline __attribute__((always_inline)) void
sched_point_rr(struct sim_machine *m, struct sim_cpu *cpu)
{
	struct policy_rr *rr = m->rr;
	unsigned int preempt_asked = cpu->curr->preempt_count == 0;

#ifdef SIM_ASAN
	if (cpu->irq_depth)
		abort(); /* an interrupt under round-robin */
#endif
	if (__builtin_expect(rr->left > 0, 1) && m->nr_busy >= 2 &&
	    !m->nr_blocked) {
		rr->left--;
		m->nr_choices += preempt_asked + 1;
		return;
	}
	m->nr_choices += preempt_asked;
	rr_pick_counted(m, cpu);
}

/*
 * A preemption question outside a scheduling point (might_sleep(),
 * cond_resched() with a runnable task), drawn inline under the random
 * policy as at a point, else asked as sim_choose() asks it. From an
 * observer it goes to sim_choose(), which refuses it.
 */
static bool choose_preempt(struct sim_machine *m)
{
	struct policy_random *r = m->random;
	bool yes;

	if (!r || m->emitting)
		return sim_choose(SIM_CHOOSE_PREEMPT, 2, 0);
	r->state = rnd_step(r->state);
	yes = rnd_below(r->state, &r->preempt_rate);
	random_counted(m, !m->opt.no_choice_record, SIM_CHOOSE_PREEMPT, 2, 0, 3,
		       yes);
	return yes;
}

void sim_sched_point_touch(enum sim_touch kind, const void *obj)
{
	struct sim_machine *m = sim_this;
	enum sim_point_mode mode;
	struct sim_cpu *cpu;

	if (m->emitting) {
		/* it would count a point and maybe draw: the run would change */
		sim_fail("an observer reached a scheduling point: observers "
			 "never change the run");
		return;
	}
	m->points++;
	cpu = this_cpu();
#ifdef SIM_ASAN
	if (cpu != &m->cpu[m->this_cpu])
		abort(); /* m->this_cpu written without set_this_cpu() */
	if (!busy_table_ok(m))
		abort(); /* m->busy written without set_curr() */
#endif
	cpu->next.kind = kind;
	cpu->next.obj = obj;
	if (m->in_sched)
		return;
	mode = m->point_mode;
	if (mode == SIM_POINT_QUIET) {
		/* one CPU, no interrupts: only a runnable task asks */
		if (cpu->rq_tail)
			sched_point_choose(m, cpu);
	} else if (mode == SIM_POINT_RANDOM) {
		/* the questions of sched_point_choose(), drawn inline */
		sched_point_random(m, cpu);
	} else if (mode == SIM_POINT_RR) {
		/* the same, for round-robin: one turn's points count only */
		sched_point_rr(m, cpu);
	} else if (mode == SIM_POINT_RANDOM_RECORD) {
		sched_point_random_record(m, cpu);
	} else if (mode == SIM_POINT_RR_RECORD) {
		sched_point_rr_record(m, cpu);
	} else if ((m->opt.irq_handler && cpu->irq_depth == 0) ||
		   m->opt.nr_cpus > 1 || cpu->rq_tail) {
		/* no interrupt to draw, one CPU, nothing runnable: none */
		sched_point_choose(m, cpu);
	}
}

/*
 * might_sleep() whose next step touches @kind/@obj (alloc_page(): the page
 * allocator).
 */
void sim_might_sleep_touch(enum sim_touch kind, const void *obj)
{
	/* the narrow want: only where it may not sleep (else counted) */
	if (sim_wants(sim_this, SIM_EV_SLEEP) &&
	    (!(sim_this->ev_narrow & SIM_EV_SLEEP_ATOMIC) || !preemptible() ||
	     !sim_count_narrowed(sim_this, SIM_EV_SLEEP))) {
		struct sim_event ev = { .type = SIM_EV_SLEEP };

		sim_emit(&ev);
	}
	if (!preemptible()) {
		/* reported by the sanitizer; the task does not sleep */
		this_cpu()->next.kind = kind;
		this_cpu()->next.obj = obj;
		return;
	}
	if (this_cpu()->rq_tail && choose_preempt(sim_this)) {
		this_cpu()->next.kind = kind;
		this_cpu()->next.obj = obj;
		preempt_current();
	} else {
		sim_sched_point_touch(kind, obj);
	}
}

void might_sleep(void)
{
	sim_might_sleep_touch(SIM_TOUCH_LOCAL, NULL);
}

void cond_resched(void)
{
	/* what a switch here leaves: a policy sees the voluntary point */
	this_cpu()->next.kind = SIM_TOUCH_YIELD;
	this_cpu()->next.obj = NULL;
	if (preemptible() && this_cpu()->rq_tail && choose_preempt(sim_this))
		preempt_current();
	else
		sim_sched_point_touch(SIM_TOUCH_YIELD, NULL);
}

static void task_exit(void)
{
	struct sim_machine *m = sim_this;
	struct sim_cpu *cpu = this_cpu();
	struct task_struct *t = cpu->curr, *next;
	struct sim_event ev = { .type = SIM_EV_TASK_EXIT };

	t->flags |= PF_EXITING;
	ev.state = t->lazy_mmu_state;
	ev.arg = t->lazy_sections;
	sim_emit(&ev);
	m->nr_live--;
	next = rq_pop(m, m->this_cpu);
	context_switch(t, next);
	if (next) {
		next->cpu = m->this_cpu;
		coro_switch(t, next, true);
	} else {
		pick_cpu_and_switch(t, true);
	}
	abort(); /* an exited task is never resumed */
}

/*
 * Where task @t's stack starts below the top of its mapping: a different
 * offset for each of 16 tasks in a row, SIM_STACK_COLOR bytes apart. The
 * mappings are page-aligned and the same size, so at one offset the hot
 * top frames of every task (a scheduling point's and the switch's) would
 * fall in the same sets of the host's caches (the L1 data cache indexes
 * 4 KiB, the L2 a multiple of it): with 16 CPUs' tasks taking turns every
 * few steps, more lines than the sets have ways. Host addresses only:
 * nothing of the run depends on them.
 */
#define SIM_STACK_COLOR 256UL
#define SIM_STACK_COLORS 16UL

static size_t task_stack_color(const struct task_struct *t)
{
	return ((unsigned long)(t->pid - 1) % SIM_STACK_COLORS) *
	       SIM_STACK_COLOR;
}

static void task_init_context(struct task_struct *t)
{
	/* a recycled stack may carry the poison of an old task's frames */
	sim_unpoison(t->stack, t->stack_size);
	sim_ctx_make(&t->ctx, t->stack, t->stack_size - task_stack_color(t),
		     task_trampoline);
#ifdef SIM_TSAN
	/* a fresh fiber: an old one keeps the frames its task never left */
	if (t->fiber)
		__tsan_destroy_fiber(t->fiber);
	t->fiber = __tsan_create_fiber(0);
#endif
}

/*
 * Host memory kept from one machine for the next (lmm_run() builds and
 * destroys a machine per run; a benchmark or a test runs many): task
 * stacks and the CPUs' arrays of hidden stores, whose pages the host has
 * faulted in already. A new machine would fault each page in again (a few
 * microseconds a fault in a guest) and sim_destroy() would unmap them:
 * with 16 CPUs, 16 stacks and 16 arrays of a section's stores each. Shared
 * by every thread (the checker's jobs build machines on several), under a
 * lock taken once per stack and once for the arrays, never per step.
 * Nothing of a run depends on which memory it gets.
 */
#define SPARE_STACKS_MAX 64

static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static void *spare_stacks[SPARE_STACKS_MAX];
static unsigned int nr_spare_stacks;
static struct sim_hidden *spare_hidden[SIM_MAX_CPUS];
static uint32_t spare_hidden_cap[SIM_MAX_CPUS];

/* A stack of SIM_STACK_SIZE bytes: a kept one, else a new mapping. */
static void *stack_get(void)
{
	void *stack = NULL;

	pthread_mutex_lock(&spare_lock);
	if (nr_spare_stacks)
		stack = spare_stacks[--nr_spare_stacks];
	pthread_mutex_unlock(&spare_lock);
	if (stack)
		return stack;
	stack = mmap(NULL, SIM_STACK_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (stack == MAP_FAILED)
		abort();
	return stack;
}

/* A dead machine's stack: kept for the next (room permitting), or unmapped. */
static void stack_put(void *stack)
{
	bool kept = false;

	sim_unpoison(stack, SIM_STACK_SIZE);
	pthread_mutex_lock(&spare_lock);
	if (nr_spare_stacks < SPARE_STACKS_MAX) {
		spare_stacks[nr_spare_stacks++] = stack;
		kept = true;
	}
	pthread_mutex_unlock(&spare_lock);
	if (!kept)
		munmap(stack, SIM_STACK_SIZE);
}

/* A new machine's arrays of hidden stores: kept ones, or none yet. */
static void hidden_get(struct sim_machine *m)
{
	pthread_mutex_lock(&spare_lock);
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		m->hidden[c] = spare_hidden[c];
		m->hidden_cap[c] = spare_hidden_cap[c];
		spare_hidden[c] = NULL;
		spare_hidden_cap[c] = 0;
	}
	pthread_mutex_unlock(&spare_lock);
}

/* A dead machine's arrays: each kept if larger than the kept one, or freed. */
static void hidden_put(struct sim_machine *m)
{
	struct sim_hidden *drop[SIM_MAX_CPUS];

	pthread_mutex_lock(&spare_lock);
	for (int c = 0; c < SIM_MAX_CPUS; c++) {
		drop[c] = m->hidden[c];
		if (m->hidden_cap[c] > spare_hidden_cap[c]) {
			drop[c] = spare_hidden[c];
			spare_hidden[c] = m->hidden[c];
			spare_hidden_cap[c] = m->hidden_cap[c];
		}
	}
	pthread_mutex_unlock(&spare_lock);
	for (int c = 0; c < SIM_MAX_CPUS; c++) {
		free(drop[c]);
		m->hidden[c] = NULL;
		m->hidden_cap[c] = 0;
		m->hidden_len[c] = 0;
	}
}

/* The kept stacks and arrays back to the host (sim_mem_pool_drain()). */
void sim_spare_drain(void)
{
	pthread_mutex_lock(&spare_lock);
	while (nr_spare_stacks)
		munmap(spare_stacks[--nr_spare_stacks], SIM_STACK_SIZE);
	for (int c = 0; c < SIM_MAX_CPUS; c++) {
		free(spare_hidden[c]);
		spare_hidden[c] = NULL;
		spare_hidden_cap[c] = 0;
	}
	pthread_mutex_unlock(&spare_lock);
}

/*
 * A task struct and its stack: the next one kept from an earlier run
 * (sim_reset() keeps them all), or a new one. Either way the machine owns
 * it until sim_destroy(); no mmap() per run.
 */
static struct task_struct *task_get(struct sim_machine *m)
{
	struct task_struct *t;

	if (m->nr_tasks == m->tasks_cap) {
		m->tasks_cap = m->tasks_cap ? 2 * m->tasks_cap : 8;
		m->tasks = realloc(m->tasks, m->tasks_cap * sizeof(*m->tasks));
		if (!m->tasks)
			abort();
	}
	if (m->nr_tasks < m->nr_task_structs) {
		struct task_struct keep;

		t = m->tasks[m->nr_tasks];
		keep = *t;
		memset(t, 0, sizeof(*t));
		t->stack = keep.stack;
		t->stack_size = keep.stack_size;
		t->fiber = keep.fiber;
		return t;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->stack_size = SIM_STACK_SIZE;
	t->stack = stack_get();
	m->tasks[m->nr_task_structs++] = t;
	return t;
}

struct task_struct *sim_spawn(struct sim_machine *m, const char *comm, int cpu,
			      void (*fn)(void *arg), void *arg)
{
	struct task_struct *t = task_get(m);

	if (cpu < 0 || (unsigned int)cpu >= m->opt.nr_cpus)
		cpu = (int)(m->nr_tasks % m->opt.nr_cpus);
	m->nr_tasks++;
	t->pid = (int)m->nr_tasks;
	/* TASK_COMM_LEN, truncated; t is zeroed (no printf: once per run) */
	memcpy(t->comm, comm, strnlen(comm, sizeof(t->comm) - 1));
	t->fn = fn;
	t->arg = arg;
	t->mm = &m->init_mm;
	task_init_context(t);
	m->nr_live++;
	if (!m->cpu[cpu].curr)
		place_on_idle(m, cpu, t);
	else
		rq_push(m, cpu, t);
	return t;
}

/* ---- life cycle ------------------------------------------------------------- */

/*
 * What a scheduling point does under @m's options and policy
 * (sim_sched_point_touch()): kept by sim_create(), sim_set_policy() and
 * every sim_run() (after sim_reset() too, which restores the post-boot
 * fields).
 */
static void set_point_mode(struct sim_machine *m)
{
	m->random = sim_policy_random_inline(m->opt.policy);
	m->rr = sim_policy_rr_inline(m->opt.policy);
	if (m->random)
		m->point_mode = m->opt.no_choice_record ?
					SIM_POINT_RANDOM :
					SIM_POINT_RANDOM_RECORD;
	else if (m->rr && !m->opt.no_choice_record &&
		 (m->opt.irq_handler || m->opt.nr_cpus > 1))
		m->point_mode = SIM_POINT_RR_RECORD;
	else if (m->rr && !m->opt.irq_handler && m->opt.nr_cpus > 1)
		m->point_mode = SIM_POINT_RR; /* counted */
	else if (m->opt.irq_handler || m->opt.nr_cpus > 1)
		m->point_mode = SIM_POINT_ASK;
	else
		m->point_mode = SIM_POINT_QUIET;
}

struct sim_machine *sim_create(const struct sim_options *opt)
{
	struct sim_machine *m = calloc(1, sizeof(*m));
	struct sim_machine *saved = sim_this;

	if (!m)
		abort();
	m->opt = *opt;
	if (m->opt.nr_cpus == 0)
		m->opt.nr_cpus = 1;
	if (m->opt.nr_cpus > SIM_MAX_CPUS)
		m->opt.nr_cpus = SIM_MAX_CPUS;
	if (!m->opt.tlb_entries)
		m->opt.tlb_entries = 64;
	if (!m->opt.policy)
		m->opt.policy = sim_policy_rr(64);
	m->arch = m->opt.arch;
	/* the version: the caller's, else the arch table's, else the newest */
	if (!m->opt.kernel)
		m->opt.kernel =
			m->arch->kernel ? sim_kernel_parse(m->arch->kernel) : 0;
	if (!m->opt.kernel)
		m->opt.kernel = sim_kernel_newest;
	set_this_cpu(m, 0);
	set_point_mode(m);
	sim_this = m;
	hidden_get(m);
	sim_mem_init(m);
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		m->cpu[c].id = (int)c;
		m->cpu[c].active_mm = &m->init_mm;
		sim_tlb_init(&m->cpu[c].tlb, m->opt.tlb_entries);
	}
	sim_translate_setup(m);
	if (m->arch->state_size) {
		m->arch_state = calloc(1, m->arch->state_size);
		if (!m->arch_state)
			abort();
	}
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		if (!m->arch->cpu_state_size)
			break;
		m->cpu[c].arch_state = calloc(1, m->arch->cpu_state_size);
		if (!m->cpu[c].arch_state)
			abort();
	}
	if (m->arch->init)
		m->arch->init(m);
	/* what sim_reset() goes back to */
	sim_kmem_mark(m);
	if (!m->opt.no_reset)
		sim_reset_mark(m);
	sim_this = saved;
	return m;
}

/*
 * sim_set_policy() - @p decides the next run's choices (NULL: round-robin);
 * the machine owns it and destroys the policy it replaces. For a caller
 * that brings a fresh policy to each run of a reset machine.
 */
void sim_set_policy(struct sim_machine *m, struct sim_policy *p)
{
	struct sim_policy *old = m->opt.policy;

	m->opt.policy = p ? p : sim_policy_rr(64);
	if (old && old != m->opt.policy && old->destroy)
		old->destroy(old);
	set_point_mode(m);
}

void sim_destroy(struct sim_machine *m)
{
	struct sim_machine *saved = sim_this;

	sim_this = m;
	if (m->arch->fini)
		m->arch->fini(m);
	sim_this = saved;
	free(m->arch_state);
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++)
		free(m->cpu[c].arch_state);
	/* every task, finished, suspended by sim_stop() or kept for reuse */
	for (size_t i = 0; i < m->nr_task_structs; i++) {
		stack_put(m->tasks[i]->stack);
#ifdef SIM_TSAN
		__tsan_destroy_fiber(m->tasks[i]->fiber);
#endif
		free(m->tasks[i]);
	}
	free(m->tasks);
	for (unsigned int c = 0; c < m->opt.nr_cpus; c++) {
		free(m->cpu[c].tlb.e);
		free(m->cpu[c].tlb.asid);
		free(m->cpu[c].tlb.next);
	}
	if (m->opt.policy && m->opt.policy->destroy)
		m->opt.policy->destroy(m->opt.policy);
	sim_mem_free(m);
	hidden_put(m);
	free(m->words);
	free(m->findings);
	free(m->choices);
	free(m->pending);
	sim_kmem_free_all(m);
	sim_reset_free(m);
	free(m);
}

/*
 * sim_run() - run every spawned task to completion on the calling thread,
 * or until sim_stop(). Several machines may run at once on different
 * threads (the model checker's jobs): all state is in the machine or
 * thread-local. After a stop it does nothing until sim_reset().
 */
void sim_run(struct sim_machine *m)
{
	struct sim_machine *saved = sim_this;
	const struct sim_embedder_ops *old;

	sim_this = m;
	old = sim_embedder_install(&sim_embedder);
#ifdef SIM_TSAN
	m->sched_fiber = __tsan_get_current_fiber();
#endif
	m->running = true;
	m->site = NULL;
	set_point_mode(m);
	/* a stopped run's tasks are abandoned: nothing to resume */
	if (m->nr_live > 0 && !m->stopped) {
		int c = 0;

		while (!m->cpu[c].curr)
			c++;
		set_this_cpu(m, c);
		m->switching_from = NULL;
		pick_cpu_and_switch(NULL, false);
	}
	m->running = false;
	sim_embedder_install(old);
	sim_this = saved;
}
