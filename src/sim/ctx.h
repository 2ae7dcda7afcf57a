/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Coroutine stacks for tasks: a switch saves the callee-saved registers on
 * the current stack and resumes another. Hand-written for x86-64 and arm64,
 * and only where that assembly is valid; a portable switch elsewhere. None
 * makes a system call per switch, except under TSan or shadow stacks.
 *
 * Which one (sim_ctx_impl() says it at run time):
 * - SIM_CTX_X86_64: ELF, x86-64 System V with 64-bit pointers (not x32,
 *   whose ILP32 frames and pointer stores the code does not do), and no
 *   CET shadow stack (a "ret" to a stack the shadow stack never saw would
 *   fault: docs/design.md).
 * - SIM_CTX_ARM64: ELF, AArch64 LP64 (AAPCS64; not ILP32), and no Guarded
 *   Control Stack (arm64's shadow stack, same reason).
 * - SIM_CTX_PORTABLE: everywhere else, or when SIM_CTX_FORCE_PORTABLE is
 *   defined (the tests build it on x86-64 too): makecontext() prepares a
 *   new stack, its first run starts with setcontext(), and every switch
 *   after that is _setjmp()/_longjmp(), which keep the signal mask where
 *   glibc's swapcontext() makes a sigprocmask system call.
 * - SIM_CTX_UCONTEXT: swapcontext() for every switch, where _longjmp()
 *   across stacks is not allowed: with shadow stacks, which glibc's
 *   makecontext()/swapcontext() give each context, and instead of the
 *   portable switch under TSan (its longjmp interceptor looks for a
 *   jmp_buf saved on the same fiber).
 */
#ifndef _LAZYMMU_SIM_CTX_H
#define _LAZYMMU_SIM_CTX_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__CET__)
#if __CET__ & 2
#define SIM_CTX_SHADOW_STACK 1 /* -fcf-protection=return or =full */
#endif
#endif
#if defined(__ARM_FEATURE_GCS_DEFAULT)
#define SIM_CTX_SHADOW_STACK 1
#endif
#if defined(__SANITIZE_THREAD__)
#define SIM_CTX_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIM_CTX_TSAN 1
#endif
#endif

#if defined(SIM_CTX_SHADOW_STACK)
#define SIM_CTX_UCONTEXT 1
#elif defined(__ELF__) && defined(__x86_64__) && defined(__LP64__) && \
	!defined(__ILP32__) && !defined(SIM_CTX_FORCE_PORTABLE)
#define SIM_CTX_X86_64 1
#elif defined(__ELF__) && defined(__aarch64__) && defined(__LP64__) && \
	!defined(__ILP32__) && !defined(SIM_CTX_FORCE_PORTABLE)
#define SIM_CTX_ARM64 1
#elif defined(SIM_CTX_TSAN)
#define SIM_CTX_UCONTEXT 1
#else
#define SIM_CTX_PORTABLE 1
#endif

#if defined(SIM_CTX_PORTABLE)
#include <setjmp.h>
#include <ucontext.h>
#elif defined(SIM_CTX_UCONTEXT)
#include <ucontext.h>
#endif

struct sim_ctx {
#if defined(SIM_CTX_PORTABLE)
	jmp_buf jb; /* saved by the last switch away from this context */
	ucontext_t uc; /* a new context, until its first run */
	bool fresh; /* never run: start it from uc, not jb */
#elif defined(SIM_CTX_UCONTEXT)
	ucontext_t uc;
#else
	void *sp; /* saved stack pointer */
#endif
};

/* sim_ctx_make() - @ctx will start @entry on the stack [@stack, +@size). */
void sim_ctx_make(struct sim_ctx *ctx, void *stack, size_t size,
		  void (*entry)(void));

/* sim_ctx_switch() - save the running context in @from, resume @to. */
void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to);

/*
 * sim_ctx_impl() - which switch this build uses: "x86-64 asm", "arm64 asm",
 * "portable" or "ucontext".
 */
const char *sim_ctx_impl(void);

#endif /* _LAZYMMU_SIM_CTX_H */
