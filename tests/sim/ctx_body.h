/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The coroutine switch of src/sim/ctx.c, alone, on the host it was built
 * for: test_ctx.c checks the switch this build selected, and
 * test_ctx_portable.c the portable one (built on x86-64 too). Included once
 * per test program, after the sim_ctx API is declared.
 *
 * 1. Registers the ABI says a callee preserves (integer and floating
 *    point: x86-64 rbx/rbp/r12-r15, arm64 x19-x29 and d8-d15, ppc64 r14-r31
 *    and f14-f31, s390x r6-r13 and f8-f15) hold across switches: two
 *    coroutines keep many live values across a thousand switches and end
 *    with the values of the same loop run without switching.
 * 2. A switch makes no system call: glibc's swapcontext() saves and loads
 *    the signal mask (rt_sigprocmask), so a mask changed on one coroutine
 *    would be undone by the switch to the other. Here the mask a coroutine
 *    sets is the mask the next one sees.
 */
#include <signal.h>
#include <sys/mman.h>

#include "sim/hostsan.h"
#include "../tap.h"

#define CTX_STACK_SIZE (512 * 1024) /* ASan's frames are large */
#define CTX_ROUNDS 1000

struct coro {
	struct sim_ctx ctx;
	void *stack;
	size_t size;
#ifdef SIM_TSAN
	void *fiber;
#endif
};

static struct coro main_co, co[2];
static struct coro *running = &main_co;
static struct coro *switching_from;
static uint64_t sums[2];
static double fsums[2];
static int mask_seen_blocked = -1;

/* Arrival on a stack: tell ASan, learn main's stack from the first one. */
static void arrived(void *fake)
{
#ifdef SIM_ASAN
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(fake, &bottom, &size);
	if (switching_from == &main_co && !main_co.stack) {
		main_co.stack = (void *)bottom;
		main_co.size = size;
	}
#else
	(void)fake;
#endif
}

static void co_switch(struct coro *to)
{
	struct coro *from = running;
	void *fake = NULL;

#ifdef SIM_ASAN
	__sanitizer_start_switch_fiber(&fake, to->stack, to->size);
#endif
#ifdef SIM_TSAN
	__tsan_switch_to_fiber(to->fiber, 0);
#endif
	switching_from = from;
	running = to;
	sim_ctx_switch(&from->ctx, &to->ctx);
	arrived(fake);
}

static void co_init(struct coro *c, void (*entry)(void))
{
	c->size = CTX_STACK_SIZE;
	c->stack = mmap(NULL, c->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->stack == MAP_FAILED)
		abort();
	memset(&c->ctx, 0, sizeof(c->ctx));
	sim_ctx_make(&c->ctx, c->stack, c->size, entry);
#ifdef SIM_TSAN
	c->fiber = __tsan_create_fiber(0);
#endif
}

static void co_fini(struct coro *c)
{
#ifdef SIM_TSAN
	__tsan_destroy_fiber(c->fiber);
#endif
	munmap(c->stack, c->size);
}

/* between rounds: a switch to the other coroutine, or nothing */
typedef void between_fn(int who);

__attribute__((noinline)) static void no_switch(int who)
{
	__asm__ volatile("" ::"r"(who) : "memory");
}

static void switch_other(int who)
{
	co_switch(&co[!who]);
}

/*
 * Twelve integers and eight doubles live across every call of @between:
 * more than the caller-saved registers hold, so the compiler keeps them in
 * callee-saved registers (or spills them to this stack), which the switch
 * must bring back.
 */
__attribute__((noinline)) static void work(int who, between_fn *between)
{
	uint64_t a = 1 + who, b = 2, c = 3, d = 5, e = 7, f = 11, g = 13,
		 h = 17, i = 19, j = 23, k = 29, l = 31;
	double x = 0.5 + who, y = 1.25, z = 2.5, u = 3.75, v = 5.5, w = 7.25,
	       p = 9.5, q = 11.75;

	for (int r = 0; r < CTX_ROUNDS; r++) {
		a = a * 3 + (uint64_t)r;
		b ^= a;
		c += b >> 3;
		d = d * 5 + c;
		e ^= d << 1;
		f += e;
		g = g * 7 + f;
		h ^= g >> 5;
		i += h;
		j = j * 11 + i;
		k ^= j;
		l += k >> 7;
		x = x * 0.5 + (double)(a & 1023);
		y = y * 0.25 + x;
		z = z * 0.125 + y;
		u = u * 0.5 + z;
		v = v * 0.25 + u;
		w = w * 0.125 + v;
		p = p * 0.5 + w;
		q = q * 0.25 + p;
		between(who);
	}
	sums[who] = a + b + c + d + e + f + g + h + i + j + k + l;
	fsums[who] = x + y + z + u + v + w + p + q;
}

static bool usr1_blocked(void)
{
	sigset_t s;

	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, SIGUSR1) == 1;
}

static void co_entry0(void)
{
	sigset_t s;

	arrived(NULL);
	work(0, switch_other);
	/* both have run: block SIGUSR1 here, then let co[1] look */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	co_switch(&co[1]);
	abort(); /* never resumed */
}

static void co_entry1(void)
{
	arrived(NULL);
	work(1, switch_other);
	/* co[0] left its loop first, blocked SIGUSR1 and switched here */
	mask_seen_blocked = usr1_blocked();
	co_switch(&main_co);
	abort(); /* never resumed */
}

static void ctx_tests(const char *impl)
{
	uint64_t want[2];
	double fwant[2];
	sigset_t s;

	for (int who = 0; who < 2; who++) {
		work(who, no_switch);
		want[who] = sums[who];
		fwant[who] = fsums[who];
		sums[who] = 0;
		fsums[who] = 0;
	}
#ifdef SIM_TSAN
	main_co.fiber = __tsan_get_current_fiber();
#endif
	co_init(&co[0], co_entry0);
	co_init(&co[1], co_entry1);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);

	co_switch(&co[0]);

	/* the same sums as without switching (computed above) */
	ok(sums[0] == want[0] && sums[1] == want[1],
	   "%s: integer callee-saved values hold across %d switches "
	   "(%llx %llx)",
	   impl, 2 * CTX_ROUNDS, (unsigned long long)sums[0],
	   (unsigned long long)sums[1]);
	ok(fsums[0] == fwant[0] && fsums[1] == fwant[1],
	   "%s: floating-point callee-saved values hold (%g %g)", impl,
	   fsums[0], fsums[1]);
	if (!strcmp(impl, "ucontext")) {
		/* swapcontext() saves and loads the mask: by design */
		printf("ok %d # SKIP %s: swapcontext makes a system call\n",
		       ++tap_count, impl);
	} else {
		/* co[0] blocked SIGUSR1 and switched: co[1] sees it blocked */
		ok(mask_seen_blocked == 1,
		   "%s: a switch leaves the signal mask alone: no "
		   "rt_sigprocmask per switch (seen %d)",
		   impl, mask_seen_blocked);
	}
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	co_fini(&co[0]);
	co_fini(&co[1]);
}
