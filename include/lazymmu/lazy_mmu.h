/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * lazymmu: the generic lazy MMU mode API, Linux 7.0 semantics.
 *
 * Models include/linux/pgtable.h and include/linux/sched.h of Linux v7.0
 * (the "Nesting support for lazy MMU mode" series).
 *
 * The lazy MMU mode allows an architecture to defer the cost of page-table
 * updates (barriers, hash-PTE or TSB invalidations, hypercalls) until the
 * section is flushed. A section opens with lazy_mmu_mode_enable() and closes
 * with lazy_mmu_mode_disable(); sections may nest, and every disable flushes,
 * so that once it returns the caller may rely on its earlier page-table
 * changes having taken effect even if an outer section is still open:
 *
 *	lazy_mmu_mode_enable();
 *	<update PTEs>		// may be deferred
 *	lazy_mmu_mode_pause();
 *	<code that needs the updates to have taken effect>
 *	lazy_mmu_mode_resume();
 *	<update PTEs>
 *	lazy_mmu_mode_disable();	// deferred updates take effect
 *
 * State is per task (struct lazy_mmu_state in the task) and every call is a
 * no-op in interrupt context. The hooks this layer calls are declared in
 * <lazymmu/env.h>.
 *
 * The calls are inline functions, as upstream's are static inline, so that
 * they cost nothing beyond the counter update and the hook; the core
 * (src/core/lazy_mmu.c) emits the one out-of-line copy of each, for callers
 * that take their address or build without optimisation (see
 * LAZY_MMU_INLINE below).
 *
 * Counters are updated before the arch hook is called, as upstream does.
 * Where upstream warns and lets a u8 wrap, this layer warns and leaves the
 * state unchanged.
 */
#ifndef _LAZYMMU_LAZY_MMU_H
#define _LAZYMMU_LAZY_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include <lazymmu/env.h>

/*
 * struct lazy_mmu_state - per-task lazy MMU mode state.
 * @enable_count: number of open (nested) sections, 0..255.
 * @pause_count: number of nested pauses, 0..255.
 *
 * The mode is active when enable_count > 0 && pause_count == 0.
 */
struct lazy_mmu_state {
	uint8_t enable_count;
	uint8_t pause_count;
};

/*
 * LAZY_MMU_INLINE - how a caller's file sees the definitions below: as an
 * inline definition only, never emitted there, so that the one external
 * definition of each function is src/core/lazy_mmu.c's (it defines
 * LAZY_MMU_CORE_EMIT before including this header, and gets plain
 * definitions).
 *
 * GNU C says so with "extern inline" and the gnu_inline attribute, which
 * means the same in every mode. The C99 "inline" alone is not enough in a
 * kernel: Linux gives every "inline" the gnu_inline attribute
 * (include/linux/compiler_types.h, read in v6.1), and then a plain inline
 * definition is emitted as an external one in every file that includes the
 * header, and vmlinux does not link (multiple definitions). Other compilers
 * get the C99 inline definition.
 */
#if defined(LAZY_MMU_CORE_EMIT)
#define LAZY_MMU_INLINE
#define LAZY_MMU_DECL
#elif defined(__GNUC__) && !defined(LAZY_MMU_C99_INLINE)
#define LAZY_MMU_INLINE extern inline __attribute__((__gnu_inline__))
#define LAZY_MMU_DECL
#else
#define LAZY_MMU_INLINE inline
#define LAZY_MMU_DECL inline
#endif

/*
 * The prototypes: in C99 a definition stays inline only if every
 * declaration of the function in the file says "inline" without "extern",
 * so under the C99 branch the prototypes say "inline" too (LAZY_MMU_DECL).
 * LAZY_MMU_C99_INLINE picks that branch under GNU C as well (the test of it,
 * tests/cli/kunit.sh).
 */
LAZY_MMU_DECL void lazy_mmu_mode_enable(void);
LAZY_MMU_DECL void lazy_mmu_mode_disable(void);
LAZY_MMU_DECL void lazy_mmu_mode_pause(void);
LAZY_MMU_DECL void lazy_mmu_mode_resume(void);
LAZY_MMU_DECL bool
__task_lazy_mmu_mode_active(const struct lazy_mmu_state *state);
LAZY_MMU_DECL bool is_lazy_mmu_mode_active(void);

/**
 * lazy_mmu_mode_enable() - Enable the lazy MMU mode.
 *
 * Enters a new lazy MMU mode section; if the mode was not already enabled,
 * calls arch_enter_lazy_mmu_mode(). Sections may nest: a nested enable has no
 * functional effect.
 *
 * Must be paired with a call to lazy_mmu_mode_disable().
 *
 * Has no effect if called:
 * - While paused - see lazy_mmu_mode_pause()
 * - In interrupt context
 *
 * Calling it with 255 sections already open is a misuse: it is reported
 * through lazy_mmu_warn() and changes nothing.
 */
LAZY_MMU_INLINE void lazy_mmu_mode_enable(void)
{
	struct lazy_mmu_state *state;

	if (lazy_mmu_in_interrupt())
		return;
	state = lazy_mmu_current_state();
	if (state->pause_count > 0)
		return;
	if (state->enable_count == UINT8_MAX) {
		lazy_mmu_warn("lazy_mmu_mode_enable: enable_count overflow");
		return;
	}
	if (state->enable_count++ == 0)
		arch_enter_lazy_mmu_mode();
}

/**
 * lazy_mmu_mode_disable() - Disable the lazy MMU mode.
 *
 * Exits the current section. If it was the outermost one, calls
 * arch_leave_lazy_mmu_mode(); otherwise calls arch_flush_lazy_mmu_mode(), so
 * that every update made so far takes effect whatever the nesting level.
 *
 * Must match a call to lazy_mmu_mode_enable().
 *
 * Has no effect if called:
 * - While paused - see lazy_mmu_mode_pause()
 * - In interrupt context
 *
 * Calling it with no section open is a misuse: it is reported through
 * lazy_mmu_warn() and changes nothing.
 */
LAZY_MMU_INLINE void lazy_mmu_mode_disable(void)
{
	struct lazy_mmu_state *state;

	if (lazy_mmu_in_interrupt())
		return;
	state = lazy_mmu_current_state();
	if (state->pause_count > 0)
		return;
	if (state->enable_count == 0) {
		lazy_mmu_warn("lazy_mmu_mode_disable: enable_count underflow");
		return;
	}
	if (--state->enable_count == 0)
		arch_leave_lazy_mmu_mode();
	else
		arch_flush_lazy_mmu_mode();
}

/**
 * lazy_mmu_mode_pause() - Pause the lazy MMU mode.
 *
 * Pauses the mode whatever the nesting level: if it was active, calls
 * arch_leave_lazy_mmu_mode(), so that every update made so far takes effect
 * and later updates are applied at once. Calls to enable() and disable()
 * have no effect until the matching resume(); pause/resume pairs may nest.
 * Pausing while the mode is not enabled is allowed.
 *
 * Must be paired with a call to lazy_mmu_mode_resume().
 *
 * Has no effect if called:
 * - In interrupt context
 *
 * Calling it with 255 pauses already in effect is a misuse: it is reported
 * through lazy_mmu_warn() and changes nothing.
 */
LAZY_MMU_INLINE void lazy_mmu_mode_pause(void)
{
	struct lazy_mmu_state *state;

	if (lazy_mmu_in_interrupt())
		return;
	state = lazy_mmu_current_state();
	if (state->pause_count == UINT8_MAX) {
		lazy_mmu_warn("lazy_mmu_mode_pause: pause_count overflow");
		return;
	}
	if (state->pause_count++ == 0 && state->enable_count > 0)
		arch_leave_lazy_mmu_mode();
}

/**
 * lazy_mmu_mode_resume() - Resume the lazy MMU mode.
 *
 * Ends the current pause. If it was the outermost pause and a section is
 * open, calls arch_enter_lazy_mmu_mode(): the mode is active again at the
 * nesting level it had before the pause.
 *
 * Must match a call to lazy_mmu_mode_pause().
 *
 * Has no effect if called:
 * - In interrupt context
 *
 * Calling it with no pause in effect is a misuse: it is reported through
 * lazy_mmu_warn() and changes nothing.
 */
LAZY_MMU_INLINE void lazy_mmu_mode_resume(void)
{
	struct lazy_mmu_state *state;

	if (lazy_mmu_in_interrupt())
		return;
	state = lazy_mmu_current_state();
	if (state->pause_count == 0) {
		lazy_mmu_warn("lazy_mmu_mode_resume: pause_count underflow");
		return;
	}
	if (--state->pause_count == 0 && state->enable_count > 0)
		arch_enter_lazy_mmu_mode();
}

/**
 * __task_lazy_mmu_mode_active() - Whether a task's lazy MMU mode is active.
 * @state: the task's lazy_mmu_state.
 *
 * Looks at the saved state only (interrupt context is not considered).
 * Intended for architecture code, for example at context switch; generic
 * code must use the enable/disable/pause/resume API instead.
 *
 * Return: true if @state has a section open and no pause in effect.
 */
LAZY_MMU_INLINE bool
__task_lazy_mmu_mode_active(const struct lazy_mmu_state *state)
{
	return state->enable_count > 0 && state->pause_count == 0;
}

/**
 * is_lazy_mmu_mode_active() - Whether the lazy MMU mode is active.
 *
 * Intended for architecture code deciding whether to defer an update.
 *
 * Return: false in interrupt context, otherwise
 * __task_lazy_mmu_mode_active() of the current task.
 */
LAZY_MMU_INLINE bool is_lazy_mmu_mode_active(void)
{
	if (lazy_mmu_in_interrupt())
		return false;
	return __task_lazy_mmu_mode_active(lazy_mmu_current_state());
}

#endif /* _LAZYMMU_LAZY_MMU_H */
