// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-CPU event counters.
 */
#include <string.h>

#include "sim/stats.h"

const char *const sim_stat_names[SIM_STAT_NR] = {
#define SIM_STAT_NAME(name) #name,
	SIM_STATS(SIM_STAT_NAME)
#undef SIM_STAT_NAME
};

static const int8_t stat_of_event[SIM_EV_NR] = {
	[SIM_EV_PTE_WRITE] = SIM_STAT_pte_writes,
	[SIM_EV_PTE_VISIBLE] = -1,
	[SIM_EV_BARRIER] = SIM_STAT_barriers,
	[SIM_EV_HYPERCALL] = SIM_STAT_hypercalls,
	[SIM_EV_BATCH_FLUSH] = SIM_STAT_batch_flushes,
	[SIM_EV_TLB_INVAL] = SIM_STAT_tlb_invalidations,
	[SIM_EV_TLB_FLUSH_CALL] = -1,
	[SIM_EV_ACCESS] = SIM_STAT_data_accesses,
	[SIM_EV_FAULT] = SIM_STAT_faults,
	[SIM_EV_UNBATCHED] = SIM_STAT_unbatched_in_section,
	[SIM_EV_LAZY_CALL] = SIM_STAT_lazy_calls,
	[SIM_EV_LAZY_HOOK] = SIM_STAT_arch_hooks,
	[SIM_EV_SLEEP] = -1,
	[SIM_EV_SWITCH] = SIM_STAT_context_switches,
	[SIM_EV_IRQ_ENTER] = SIM_STAT_interrupts,
	[SIM_EV_IRQ_EXIT] = -1,
	[SIM_EV_TASK_EXIT] = -1,
	[SIM_EV_PAGE_ALLOC] = SIM_STAT_page_allocs,
	[SIM_EV_PAGE_FREE] = SIM_STAT_page_frees,
	[SIM_EV_WARN] = -1,
	[SIM_EV_PTE_READ] = -1,
	[SIM_EV_DEFERRED_QUEUED] = -1,
	[SIM_EV_DEFERRED_PAID] = -1,
	[SIM_EV_FINDING] = -1,
	[SIM_EV_SWITCH_MM] = -1,
};

static void stats_event(void *priv, const struct sim_event *ev)
{
	struct sim_stats *s = priv;
	int stat = stat_of_event[ev->type];

	if (stat < 0)
		return;
	s->cpu[ev->cpu][stat]++;
	if (ev->type == SIM_EV_FAULT && ev->flag)
		s->cpu[ev->cpu][SIM_STAT_spurious_faults]++;
}

static void stats_reset(void *priv)
{
	struct sim_stats *s = priv;

	memset(s, 0, sizeof(*s));
}

void sim_stats_attach(struct sim_machine *m, struct sim_stats *s)
{
	struct sim_observer o = {
		.event = stats_event,
		.priv = s,
		.reset = stats_reset,
	};

	memset(s, 0, sizeof(*s));
	sim_add_observer(m, &o);
}

uint64_t sim_stats_total(const struct sim_stats *s, enum sim_stat stat)
{
	uint64_t sum = 0;

	for (int c = 0; c < SIM_MAX_CPUS; c++)
		sum += s->cpu[c][stat];
	return sum;
}
