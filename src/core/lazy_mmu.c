// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The generic lazy MMU layer, Linux v7.0 (mm: enable lazy_mmu sections to
 * nest, 5ab246749569; mm: bail out of lazy_mmu_mode_* in interrupt context,
 * 9273dfaeaca8).
 *
 * The functions are defined inline in <lazymmu/lazy_mmu.h>; this file emits
 * their one external definition each (C11 6.7.4). Freestanding: only
 * <stdint.h>, <stdbool.h> and <stddef.h>, and the hooks of <lazymmu/env.h>.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lazymmu/env.h>
#include <lazymmu/lazy_mmu.h>

extern inline void lazy_mmu_mode_enable(void);
extern inline void lazy_mmu_mode_disable(void);
extern inline void lazy_mmu_mode_pause(void);
extern inline void lazy_mmu_mode_resume(void);
extern inline bool
__task_lazy_mmu_mode_active(const struct lazy_mmu_state *state);
extern inline bool is_lazy_mmu_mode_active(void);
