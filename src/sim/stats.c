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

/*
 * The counter each event feeds, plus one: an event left out of the table
 * (0) feeds none, so a new event type is never counted by accident.
 */
static const uint8_t stat_of_event[SIM_EV_NR] = {
	[SIM_EV_PTE_WRITE] = 1 + SIM_STAT_pte_writes,
	[SIM_EV_BARRIER] = 1 + SIM_STAT_barriers,
	[SIM_EV_HYPERCALL] = 1 + SIM_STAT_hypercalls,
	[SIM_EV_BATCH_FLUSH] = 1 + SIM_STAT_batch_flushes,
	[SIM_EV_TLB_INVAL] = 1 + SIM_STAT_tlb_invalidations,
	[SIM_EV_ACCESS] = 1 + SIM_STAT_data_accesses,
	[SIM_EV_FAULT] = 1 + SIM_STAT_faults,
	[SIM_EV_UNBATCHED] = 1 + SIM_STAT_unbatched_in_section,
	[SIM_EV_LAZY_CALL] = 1 + SIM_STAT_lazy_calls,
	[SIM_EV_LAZY_HOOK] = 1 + SIM_STAT_arch_hooks,
	[SIM_EV_SWITCH] = 1 + SIM_STAT_context_switches,
	[SIM_EV_IRQ_ENTER] = 1 + SIM_STAT_interrupts,
	[SIM_EV_PAGE_ALLOC] = 1 + SIM_STAT_page_allocs,
	[SIM_EV_PAGE_FREE] = 1 + SIM_STAT_page_frees,
};

static void stats_event(void *priv, const struct sim_event *ev)
{
	struct sim_stats *s = priv;
	int stat = stat_of_event[ev->type] - 1;

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

	/* the events stat_of_event[] counts, and no other */
	for (int t = 0; t < SIM_EV_NR; t++)
		if (stat_of_event[t])
			o.events |= SIM_EV_BIT(t);
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
