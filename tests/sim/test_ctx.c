// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The coroutine switch this build selected (src/sim/ctx.h): the one the
 * host's ABI calls for, callee-saved registers kept, no system call per
 * switch (tests/sim/ctx_body.h). make check-cross runs it on arm64 (the
 * hand-written switch), s390x and ppc64le (the portable one).
 */
#include "sim/ctx.h"

#include "ctx_body.h"

/*
 * The switch this host should get, from the compiler's own macros: the
 * assembly only for ELF x86-64 LP64 and ELF AArch64 LP64 without shadow
 * stacks (ctx.h), the portable switch elsewhere (swapcontext under TSan).
 */
static const char *expected_impl(void)
{
#if defined(__CET__) && (__CET__ & 2)
	return "ucontext";
#elif defined(__ELF__) && defined(__x86_64__) && defined(__LP64__)
	return "x86-64 asm";
#elif defined(__ELF__) && defined(__aarch64__) && defined(__LP64__)
	return "arm64 asm";
#elif defined(SIM_TSAN)
	return "ucontext";
#else
	return "portable";
#endif
}

int main(void)
{
	const char *impl = sim_ctx_impl();

	diag("switch: %s", impl);
	ok(!strcmp(impl, expected_impl()), "this host takes the %s switch (%s)",
	   expected_impl(), impl);
	ctx_tests(impl);
	printf("1..%d\n", tap_count);
	return tap_failures != 0;
}
