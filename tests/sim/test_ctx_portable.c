// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The portable coroutine switch (makecontext() once, then _setjmp() and
 * _longjmp()), built here whatever the host, so that x86-64's make check
 * runs it too: src/sim/ctx.c itself with SIM_CTX_FORCE_PORTABLE. Nothing
 * else of the library is linked in (tests/sim/ctx_body.h).
 */
#define SIM_CTX_FORCE_PORTABLE 1
#include "sim/ctx.c"

#include "ctx_body.h"

int main(void)
{
	const char *impl = sim_ctx_impl();

	diag("switch: %s", impl);
	/* under TSan the portable switch is swapcontext (ctx.h) */
#ifdef SIM_TSAN
	ok(!strcmp(impl, "ucontext"), "TSan: swapcontext (%s)", impl);
#else
	ok(!strcmp(impl, "portable"), "forced: the portable switch (%s)", impl);
#endif
	ctx_tests(impl);
	printf("1..%d\n", tap_count);
	return tap_failures != 0;
}
