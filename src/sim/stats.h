/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Per-CPU event counters: an observer of the machine.
 */
#ifndef _LAZYMMU_SIM_STATS_H
#define _LAZYMMU_SIM_STATS_H

#include <stdint.h>

#include "sim/sim.h"

#define SIM_STATS(X)            \
	X(pte_writes)           \
	X(barriers)             \
	X(hypercalls)           \
	X(batch_flushes)        \
	X(tlb_invalidations)    \
	X(faults)               \
	X(spurious_faults)      \
	X(unbatched_in_section) \
	X(data_accesses)        \
	X(lazy_calls)           \
	X(arch_hooks)           \
	X(interrupts)           \
	X(context_switches)     \
	X(page_allocs)          \
	X(page_frees)

enum sim_stat {
#define SIM_STAT_ENUM(name) SIM_STAT_##name,
	SIM_STATS(SIM_STAT_ENUM)
#undef SIM_STAT_ENUM
		SIM_STAT_NR
};

extern const char *const sim_stat_names[SIM_STAT_NR];

struct sim_stats {
	uint64_t cpu[SIM_MAX_CPUS][SIM_STAT_NR];
};

/* sim_stats_attach() - count @m's events into @s (zeroed first, and again
 * at every sim_reset()). */
void sim_stats_attach(struct sim_machine *m, struct sim_stats *s);
uint64_t sim_stats_total(const struct sim_stats *s, enum sim_stat stat);

#endif /* _LAZYMMU_SIM_STATS_H */
