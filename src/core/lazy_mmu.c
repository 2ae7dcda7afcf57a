// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The generic lazy MMU layer, Linux v7.0 (mm: enable lazy_mmu sections to
 * nest, 5ab246749569; mm: bail out of lazy_mmu_mode_* in interrupt context,
 * 9273dfaeaca8).
 *
 * The functions are defined in <lazymmu/lazy_mmu.h>, inline for callers;
 * with LAZY_MMU_CORE_EMIT defined, the header gives this file plain
 * definitions, the one external definition of each. Freestanding: only
 * <stdint.h>, <stdbool.h> and <stddef.h>, and the hooks of <lazymmu/env.h>.
 */
#define LAZY_MMU_CORE_EMIT

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lazymmu/env.h>
#include <lazymmu/lazy_mmu.h>
