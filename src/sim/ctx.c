// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Coroutine switches (see ctx.h). The saved frame holds exactly the
 * registers the platform ABI says a callee must preserve; the rest are
 * dead across the call by definition.
 */
/*
 * _FORTIFY_SOURCE turns _longjmp() into __longjmp_chk(), which refuses a
 * jump to another stack: the portable switch does exactly that.
 */
#undef _FORTIFY_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/ctx.h"

#if defined(SIM_CTX_PORTABLE)

void sim_ctx_make(struct sim_ctx *ctx, void *stack, size_t size,
		  void (*entry)(void))
{
	if (getcontext(&ctx->uc))
		abort();
	ctx->uc.uc_stack.ss_sp = stack;
	ctx->uc.uc_stack.ss_size = size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, entry, 0);
	ctx->fresh = true;
}

/*
 * The first run of a context costs setcontext()'s sigprocmask, once per
 * task; every later switch is _setjmp()/_longjmp(), which save and load
 * the callee-saved registers and the stack pointer and leave the signal
 * mask alone (the machine never changes it).
 */
void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to)
{
	if (_setjmp(from->jb))
		return; /* resumed by a switch to @from */
	if (to->fresh) {
		to->fresh = false;
		setcontext(&to->uc);
		abort(); /* setcontext() returns only on error */
	}
	_longjmp(to->jb, 1);
}

const char *sim_ctx_impl(void)
{
	return "portable";
}

#elif defined(SIM_CTX_UCONTEXT)

void sim_ctx_make(struct sim_ctx *ctx, void *stack, size_t size,
		  void (*entry)(void))
{
	if (getcontext(&ctx->uc))
		abort();
	ctx->uc.uc_stack.ss_sp = stack;
	ctx->uc.uc_stack.ss_size = size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, entry, 0);
}

void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to)
{
	swapcontext(&from->uc, &to->uc);
}

const char *sim_ctx_impl(void)
{
	return "ucontext";
}

#else

/* sim_ctx_swap(&from->sp, to->sp): in assembly below. */
void sim_ctx_swap(void **save_sp, void *load_sp);

#if defined(SIM_CTX_X86_64)
/* System V: rbx, rbp, r12-r15 are callee-saved; the MXCSR and x87 control
 * word too, but nothing here changes them. */
__asm__(".text\n"
	".globl sim_ctx_swap\n"
	".type sim_ctx_swap, @function\n"
	"sim_ctx_swap:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size sim_ctx_swap, .-sim_ctx_swap\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");
#define CTX_SAVED_WORDS 6 /* then the return address */
#elif defined(SIM_CTX_ARM64)
/* AAPCS64: x19-x29, lr (x30), sp and d8-d15 are callee-saved. */
__asm__(".text\n"
	".globl sim_ctx_swap\n"
	".type sim_ctx_swap, %function\n"
	"sim_ctx_swap:\n"
	"	sub sp, sp, #160\n"
	"	stp x19, x20, [sp, #0]\n"
	"	stp x21, x22, [sp, #16]\n"
	"	stp x23, x24, [sp, #32]\n"
	"	stp x25, x26, [sp, #48]\n"
	"	stp x27, x28, [sp, #64]\n"
	"	stp x29, x30, [sp, #80]\n"
	"	stp d8, d9, [sp, #96]\n"
	"	stp d10, d11, [sp, #112]\n"
	"	stp d12, d13, [sp, #128]\n"
	"	stp d14, d15, [sp, #144]\n"
	"	mov x9, sp\n"
	"	str x9, [x0]\n"
	"	mov sp, x1\n"
	"	ldp x19, x20, [sp, #0]\n"
	"	ldp x21, x22, [sp, #16]\n"
	"	ldp x23, x24, [sp, #32]\n"
	"	ldp x25, x26, [sp, #48]\n"
	"	ldp x27, x28, [sp, #64]\n"
	"	ldp x29, x30, [sp, #80]\n"
	"	ldp d8, d9, [sp, #96]\n"
	"	ldp d10, d11, [sp, #112]\n"
	"	ldp d12, d13, [sp, #128]\n"
	"	ldp d14, d15, [sp, #144]\n"
	"	add sp, sp, #160\n"
	"	ret\n"
	".size sim_ctx_swap, .-sim_ctx_swap\n"
	".section .note.GNU-stack,\"\",%progbits\n"
	".text\n");
#define CTX_FRAME_BYTES 160
#define CTX_LR_SLOT 11 /* x30 at [sp, #88] */
#endif

void sim_ctx_make(struct sim_ctx *ctx, void *stack, size_t size,
		  void (*entry)(void))
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uintptr_t *sp;

#if defined(SIM_CTX_X86_64)
	/*
	 * entry starts as if called: after "ret" pops it, rsp is 8 mod 16,
	 * with a zero return address above (entry never returns).
	 */
	sp = (uintptr_t *)top;
	*--sp = 0;
	*--sp = (uintptr_t)entry;
	sp -= CTX_SAVED_WORDS;
	memset(sp, 0, CTX_SAVED_WORDS * sizeof(*sp));
#else
	sp = (uintptr_t *)(top - CTX_FRAME_BYTES);
	memset(sp, 0, CTX_FRAME_BYTES);
	sp[CTX_LR_SLOT] = (uintptr_t)entry;
#endif
	ctx->sp = sp;
}

void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to)
{
	sim_ctx_swap(&from->sp, to->sp);
}

const char *sim_ctx_impl(void)
{
#if defined(SIM_CTX_X86_64)
	return "x86-64 asm";
#else
	return "arm64 asm";
#endif
}

#endif
