/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Coroutine stacks for tasks: a switch saves the callee-saved registers on
 * the current stack and resumes another. Hand-written for x86-64 and arm64
 * (no system call per switch); ucontext elsewhere.
 */
#ifndef _LAZYMMU_SIM_CTX_H
#define _LAZYMMU_SIM_CTX_H

#include <stddef.h>

#if !defined(__x86_64__) && !defined(__aarch64__)
#define SIM_CTX_UCONTEXT 1
#include <ucontext.h>
#endif

struct sim_ctx {
#ifdef SIM_CTX_UCONTEXT
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

#endif /* _LAZYMMU_SIM_CTX_H */
