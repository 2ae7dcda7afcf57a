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

/* Each counted event and the counter it feeds. */
#define STAT_EVENTS(X)                     \
	X(PTE_WRITE, pte_writes)           \
	X(BARRIER, barriers)               \
	X(HYPERCALL, hypercalls)           \
	X(BATCH_FLUSH, batch_flushes)      \
	X(TLB_INVAL, tlb_invalidations)    \
	X(ACCESS, data_accesses)           \
	X(FAULT, faults)                   \
	X(UNBATCHED, unbatched_in_section) \
	X(LAZY_CALL, lazy_calls)           \
	X(LAZY_HOOK, arch_hooks)           \
	X(SWITCH, context_switches)        \
	X(IRQ_ENTER, interrupts)           \
	X(PAGE_ALLOC, page_allocs)         \
	X(PAGE_FREE, page_frees)

/*
 * The counter each event feeds, plus one: an event left out of the table
 * (0) feeds none, so a new event type is never counted by accident.
 */
static const uint8_t stat_of_event[SIM_EV_NR] = {
#define STAT_OF(ev, stat) [SIM_EV_##ev] = 1 + SIM_STAT_##stat,
	STAT_EVENTS(STAT_OF)
#undef STAT_OF
};

/* The same less one, for sim_count_in_place() (never asked for an event
 * that feeds none). */
static const uint8_t counter_of_event[SIM_EV_NR] = {
#define COUNTER_OF(ev, stat) [SIM_EV_##ev] = SIM_STAT_##stat,
	STAT_EVENTS(COUNTER_OF)
#undef COUNTER_OF
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

	/* the events stat_of_event[] counts, and no other; all but a fault
	 * (which may also be spurious) with one counter, in place */
	for (int t = 0; t < SIM_EV_NR; t++)
		if (stat_of_event[t])
			o.events |= SIM_EV_BIT(t);
	o.counted = o.events & ~SIM_EV_BIT(SIM_EV_FAULT);
	o.counter = &s->cpu[0][0];
	o.counter_of = counter_of_event;
	o.counter_stride = SIM_STAT_NR;
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
