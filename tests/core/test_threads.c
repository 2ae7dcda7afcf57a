// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The generic lazy MMU layer under real concurrency: threads as tasks,
 * signals as interrupts.
 *
 * The embedder (tests/core/recorder.h with REC_TLS = _Thread_local): each
 * pthread is a task, `current` points to a _Thread_local struct rec_task,
 * and interrupt context is a _Thread_local flag that the SIGUSR1 handler
 * sets while it runs. A separate thread sends SIGUSR1 to random workers
 * with pthread_kill() at random intervals (a nanosleep() of 0..20 us; a
 * sleeper is woken promptly even when the workers keep every CPU busy).
 *
 * Each of NR_WORKERS threads makes at least ITERATIONS random API calls,
 * and goes on until its handler has run MIN_IRQS times (for at most
 * MAX_EXTRA_SECONDS more). The calls come from a seeded xorshift, biased
 * to keep both counters in range but sometimes driving them into misuse at
 * 0 and at 255. Each thread keeps its own model of its counters
 * and checks after every call that its own hook log holds exactly the hook
 * (or warning) that call implies, with the new counters, and nothing from
 * anyone else. The signal handler calls all four API calls and
 * is_lazy_mmu_mode_active() in interrupt context and checks they had no
 * effect: no counter change, no hook, no warning, not active. The handler
 * only touches _Thread_local data, volatile sig_atomic_t counters and the
 * core (whose calls in interrupt context read nothing but the flag).
 *
 * The seed is printed (tap_seed()); it is 1 unless given: rerun with
 * `test_threads -s SEED`, `test_threads SEED` or LAZYMMU_SEED=SEED. The
 * call sequence of each thread depends on the seed only; where the
 * signals land does not.
 *
 * Under ThreadSanitizer an asynchronous signal is deferred until the
 * thread next enters a function TSan intercepts, so the handler runs only
 * at those points (the workers call clock_gettime() every CLOCK_EVERY
 * calls for that reason); under ASan or a plain build it lands anywhere,
 * including between a counter update and its hook ("inside an API call"
 * in the diagnostics).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REC_TLS _Thread_local
#include "../tap.h"
#include "calls.h"
#include "recorder.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

#define NR_WORKERS 4
/*
 * 1,000,000 calls per thread everywhere. TSan's cost here is small (all
 * the hot data is thread-local), so no reduction is needed; should one
 * ever be, key it on UNDER_TSAN and keep >= 1,000,000 elsewhere.
 */
#define ITERATIONS 1000000UL
/* Then go on until this many interrupts, for at most this long. */
#define MIN_IRQS 1000
#define MAX_EXTRA_SECONDS 20
#define CLOCK_EVERY 1024

struct worker {
	int id;
	pthread_t thread;
	uint64_t seed;
	atomic_int finished;
	/* Written by the worker, read by main after pthread_join(). */
	unsigned long calls, hooks[3], warns[NR_OPS], no_effect;
	unsigned long irqs, irqs_in_call, irqs_while_active, irq_bad;
	int irq_first_bad;
	bool failed;
	char failure[256];
};

static struct worker workers[NR_WORKERS];
static atomic_int workers_done;
static pthread_barrier_t start_line;

/* ---- per-thread PRNG ---------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* xorshift64* */
static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* ---- the interrupt ------------------------------------------------------ */

static _Thread_local struct rec_task this_task;
static _Thread_local volatile sig_atomic_t irq_runs, irq_in_call,
	irq_while_active, irq_bad, irq_first_bad, in_call;

static void irq_fail(int why)
{
	if (!irq_bad)
		irq_first_bad = why;
	irq_bad++;
}

static bool same_state(const struct lazy_mmu_state *a,
		       const struct lazy_mmu_state *b)
{
	return a->enable_count == b->enable_count &&
	       a->pause_count == b->pause_count;
}

static const char *const irq_why[] = {
	[1] = "is_lazy_mmu_mode_active() true in interrupt",
	[2] = "a call changed the state in interrupt",
	[3] = "a hook or warning ran in interrupt",
	[4] = "__task_lazy_mmu_mode_active() does not report the saved state",
	[5] = "a hook precondition was violated",
};

static void on_irq(int sig)
{
	int saved_errno = errno;
	struct rec_task *t = current;
	struct lazy_mmu_state before;
	sig_atomic_t total, prev_irq;
	bool saved_active;
	int i;

	(void)sig;
	if (!t)
		return;
	before = t->lazy_mmu_state;
	total = rec_total;
	saved_active = before.enable_count > 0 && before.pause_count == 0;
	if (saved_active)
		irq_while_active++;
	if (in_call)
		irq_in_call++;

	prev_irq = in_irq;
	in_irq = 1;
	for (i = 0; i < NR_OPS; i++) {
		if (is_lazy_mmu_mode_active())
			irq_fail(1);
		/* Start with a different call each time. */
		call((enum op)((irq_runs + i) % NR_OPS));
		if (!same_state(&t->lazy_mmu_state, &before))
			irq_fail(2);
		if (rec_total != total)
			irq_fail(3);
	}
	if (is_lazy_mmu_mode_active())
		irq_fail(1);
	if (__task_lazy_mmu_mode_active(&t->lazy_mmu_state) != saved_active)
		irq_fail(4);
	if (rec_bad_pre || rec_state_in_irq)
		irq_fail(5);
	in_irq = prev_irq;
	irq_runs++;
	errno = saved_errno;
}

/* ---- the thread's own model and call choice ----------------------------- */

/*
 * model_call() - what @op does to @m outside interrupts: returns the hook
 * letter ('E', 'L', 'F', 'W' for a warning, 0 for none) and updates @m.
 */
static char model_call(struct lazy_mmu_state *m, enum op op)
{
	bool was = m->enable_count > 0 && m->pause_count == 0;

	switch (op) {
	case ENABLE:
		if (m->pause_count)
			return 0;
		if (m->enable_count == 255)
			return 'W';
		m->enable_count++;
		return was ? 0 : 'E';
	case DISABLE:
		if (m->pause_count)
			return 0;
		if (m->enable_count == 0)
			return 'W';
		m->enable_count--;
		return m->enable_count ? 'F' : 'L';
	case PAUSE:
		if (m->pause_count == 255)
			return 'W';
		m->pause_count++;
		return was ? 'L' : 0;
	case RESUME:
		if (m->pause_count == 0)
			return 'W';
		m->pause_count--;
		return m->pause_count == 0 && m->enable_count ? 'E' : 0;
	case NR_OPS:
		break;
	}
	return 0;
}

/*
 * Target depths the random walk hovers around. Mostly small; sometimes
 * above 255, which drives a counter to 255 and one call past it (a
 * warning), after which the target drops again.
 */
struct targets {
	unsigned int enable, pause;
};

#define CLIMB 300

static void retarget(struct targets *t, uint64_t r)
{
	t->enable = (r & 7) == 0 ? CLIMB : 1 + (unsigned int)((r >> 3) % 6);
	r >>= 16;
	t->pause = (r & 7) == 0 ? CLIMB : (unsigned int)((r >> 3) % 3);
}

static enum op pick(uint64_t *rng, const struct lazy_mmu_state *s,
		    struct targets *t)
{
	unsigned int e = s->enable_count, p = s->pause_count;
	uint64_t r = next(rng);

	if ((r & 0xfff) == 0)
		retarget(t, r >> 12);
	r >>= 12;
	/* 1 in 32: any call, whatever the state (misuse at 0 included). */
	if ((r & 31) == 0)
		return (enum op)((r >> 5) % NR_OPS);
	r >>= 8;
	if (t->pause == CLIMB) {
		if (p == 255)
			t->pause = 0;
		return PAUSE; /* the last one warns */
	}
	if (t->enable == CLIMB && p == 0) {
		if (e == 255)
			t->enable = 2;
		return ENABLE; /* the last one warns */
	}
	if (p > t->pause || (p > 0 && (r & 3) == 0))
		return RESUME;
	r >>= 2;
	if (p < t->pause && (r & 7) == 0)
		return PAUSE;
	r >>= 3;
	if (e < t->enable)
		return (r & 3) ? ENABLE : DISABLE;
	return DISABLE;
}

/* ---- workers and the interrupt source ----------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* check_call() - the log holds exactly @hook, seen with state @m. */
static bool check_call(struct worker *w, unsigned long i, enum op op, char hook,
		       const struct lazy_mmu_state *before,
		       const struct lazy_mmu_state *m)
{
	const struct lazy_mmu_state *s = &this_task.lazy_mmu_state;
	sig_atomic_t n = rec_len;
	bool want_active = m->enable_count > 0 && m->pause_count == 0;
	const char *why = NULL;

	if (n != (hook ? 1 : 0))
		why = "wrong number of hooks";
	else if (hook && rec_log[0].kind != hook)
		why = "wrong hook";
	else if (hook && !same_state(&rec_log[0].seen, m))
		why = "the hook did not see the new counters";
	else if (!same_state(s, m))
		why = "counters differ from the thread's model";
	else if (is_lazy_mmu_mode_active() != want_active)
		why = "is_lazy_mmu_mode_active() differs";
	else if (rec_bad_pre || rec_state_in_irq)
		why = "a hook precondition was violated";
	if (!why)
		return true;
	snprintf(
		w->failure, sizeof(w->failure),
		"call %lu: %s at (%u,%u): %s; log %d entries, first '%c', state (%u,%u), model (%u,%u) hook '%c'",
		i, op_name[op], before->enable_count, before->pause_count, why,
		(int)n, n ? rec_log[0].kind : '-', s->enable_count,
		s->pause_count, m->enable_count, m->pause_count,
		hook ? hook : '-');
	w->failed = true;
	return false;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct lazy_mmu_state m = { 0, 0 };
	struct targets t = { 3, 0 };
	uint64_t rng = splitmix64(w->seed) | 1;
	sigset_t set;
	double deadline = 0;
	unsigned long i;

	current = &this_task;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	pthread_barrier_wait(&start_line);

	for (i = 0;; i++) {
		struct lazy_mmu_state before = m;
		enum op op;
		char hook;

		if (i % CLOCK_EVERY == 0 && i >= ITERATIONS) {
			/* Done, once the handler has run often enough. */
			if (irq_runs >= MIN_IRQS)
				break;
			if (!deadline)
				deadline = now() + MAX_EXTRA_SECONDS;
			else if (now() > deadline)
				break;
		} else if (i % CLOCK_EVERY == 0) {
			(void)now(); /* a signal delivery point for TSan */
		}
		op = pick(&rng, &m, &t);
		hook = model_call(&m, op);
		rec_reset();
		in_call = 1;
		call(op);
		in_call = 0;
		if (!check_call(w, i, op, hook, &before, &m))
			break;
		if (hook == 'W')
			w->warns[op]++;
		else if (hook == 'E')
			w->hooks[0]++;
		else if (hook == 'L')
			w->hooks[1]++;
		else if (hook == 'F')
			w->hooks[2]++;
		else if (same_state(&before, &m))
			w->no_effect++;
	}
	w->calls = i;

	pthread_sigmask(SIG_BLOCK, &set, NULL);
	w->irqs = (unsigned long)irq_runs;
	w->irqs_in_call = (unsigned long)irq_in_call;
	w->irqs_while_active = (unsigned long)irq_while_active;
	w->irq_bad = (unsigned long)irq_bad;
	w->irq_first_bad = irq_first_bad;
	atomic_store(&w->finished, 1);
	atomic_fetch_add(&workers_done, 1);
	return NULL;
}

static void *signaller_main(void *arg)
{
	uint64_t rng = splitmix64(*(uint64_t *)arg ^ 0x5157ULL) | 1;
	unsigned long *sent = calloc(1, sizeof(*sent));

	pthread_barrier_wait(&start_line);
	while (sent && atomic_load(&workers_done) < NR_WORKERS) {
		uint64_t r = next(&rng);
		struct worker *w = &workers[r % NR_WORKERS];
		struct timespec ts = { 0, (long)((r >> 16) % 20000) };

		if (!atomic_load(&w->finished) &&
		    pthread_kill(w->thread, SIGUSR1) == 0)
			(*sent)++;
		nanosleep(&ts, NULL);
	}
	return sent;
}

int main(int argc, char **argv)
{
	unsigned long total_warns[NR_OPS] = { 0 }, *sent = NULL;
	struct sigaction sa;
	pthread_t signaller;
	uint64_t seed = tap_seed(argc, argv, 1);
	sigset_t set;
	void *ret;
	int i, k;

	diag("%d threads x %lu calls%s", NR_WORKERS, ITERATIONS,
#ifdef UNDER_TSAN
	     ", ThreadSanitizer"
#else
	     ""
#endif
	);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_irq;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		perror("sigaction");
		return EXIT_FAILURE;
	}
	/* Only the workers take SIGUSR1, and only while they run. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	pthread_barrier_init(&start_line, NULL, NR_WORKERS + 1);
	for (i = 0; i < NR_WORKERS; i++) {
		workers[i].id = i;
		workers[i].seed = seed + (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		if (pthread_create(&workers[i].thread, NULL, worker_main,
				   &workers[i])) {
			perror("pthread_create");
			return EXIT_FAILURE;
		}
	}
	if (pthread_create(&signaller, NULL, signaller_main, &seed)) {
		perror("pthread_create");
		return EXIT_FAILURE;
	}
	/* The signaller stops once every worker is done; join it first. */
	pthread_join(signaller, &ret);
	sent = ret;
	for (i = 0; i < NR_WORKERS; i++)
		pthread_join(workers[i].thread, NULL);
	pthread_barrier_destroy(&start_line);
	diag("%lu signals sent", sent ? *sent : 0);
	free(sent);

	for (i = 0; i < NR_WORKERS; i++) {
		struct worker *w = &workers[i];

		diag("thread %d: %lu calls: %lu arch_enter, %lu arch_leave, %lu arch_flush, %lu no effect",
		     i, w->calls, w->hooks[0], w->hooks[1], w->hooks[2],
		     w->no_effect);
		diag("thread %d: warnings: disable@0 %lu, resume@0 %lu, enable@255 %lu, pause@255 %lu",
		     i, w->warns[DISABLE], w->warns[RESUME], w->warns[ENABLE],
		     w->warns[PAUSE]);
		diag("thread %d: %lu interrupts (%lu inside an API call, %lu while the mode was active)",
		     i, w->irqs, w->irqs_in_call, w->irqs_while_active);
		if (w->failed)
			diag("thread %d: %s", i, w->failure);
		ok(!w->failed && w->calls >= ITERATIONS,
		   "thread %d: %lu calls, after each its own hook log and state matched its own model",
		   i, w->calls);
		ok(w->irqs > 0 && w->irq_bad == 0,
		   "thread %d: interrupt handler ran %lu times, every call there had no effect%s%s",
		   i, w->irqs, w->irq_bad ? ": " : "",
		   w->irq_bad ? irq_why[w->irq_first_bad] : "");
		for (k = 0; k < NR_OPS; k++)
			total_warns[k] += w->warns[k];
	}
	ok(total_warns[DISABLE] && total_warns[RESUME] && total_warns[ENABLE] &&
		   total_warns[PAUSE],
	   "misuse reached at all four ends (disable@0 %lu, resume@0 %lu, enable@255 %lu, pause@255 %lu)",
	   total_warns[DISABLE], total_warns[RESUME], total_warns[ENABLE],
	   total_warns[PAUSE]);
	return tap_done();
}
