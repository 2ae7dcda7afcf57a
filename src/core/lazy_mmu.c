// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The generic lazy MMU layer, Linux v7.0 (mm: enable lazy_mmu sections to
 * nest, 5ab246749569; mm: bail out of lazy_mmu_mode_* in interrupt context,
 * 9273dfaeaca8).
 *
 * Freestanding: only <stdint.h>, <stdbool.h> and <stddef.h>, and the hooks of
 * <lazymmu/env.h>. Counters are updated before the arch hook is called, as
 * upstream does. Where upstream warns and lets a u8 wrap, this layer warns
 * and leaves the state unchanged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lazymmu/env.h>
#include <lazymmu/lazy_mmu.h>

void lazy_mmu_mode_enable(void)
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

void lazy_mmu_mode_disable(void)
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

void lazy_mmu_mode_pause(void)
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

void lazy_mmu_mode_resume(void)
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

bool __task_lazy_mmu_mode_active(const struct lazy_mmu_state *state)
{
	return state->enable_count > 0 && state->pause_count == 0;
}

bool is_lazy_mmu_mode_active(void)
{
	if (lazy_mmu_in_interrupt())
		return false;
	return __task_lazy_mmu_mode_active(lazy_mmu_current_state());
}
