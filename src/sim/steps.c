// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * What a step touches, and when two steps of different CPUs commute: the
 * independence relation a model checker uses to skip interleavings that
 * only reorder independent steps.
 *
 * A step runs from one scheduling point of a CPU to its next; the point
 * says what the step touches (struct sim_step). The relation is exact
 * when the machine is built with sim_options.fine_steps (every access to
 * the allocator and to spinlocks is then a step of its own); otherwise an
 * allocation, a free or a lock may ride along in the step before it.
 */
#include "sim/sim.h"

static const char *const touch_names[] = {
	[SIM_TOUCH_LOCAL] = "local",	 [SIM_TOUCH_PTE] = "pte",
	[SIM_TOUCH_DATA] = "data",	 [SIM_TOUCH_TLB] = "tlb",
	[SIM_TOUCH_LOCK] = "lock",	 [SIM_TOUCH_LAZY] = "lazy",
	[SIM_TOUCH_ARCH] = "arch",	 [SIM_TOUCH_ALLOC] = "alloc",
	[SIM_TOUCH_GLOBAL] = "global",	 [SIM_TOUCH_PTE_READ] = "pte-read",
	[SIM_TOUCH_BARRIER] = "barrier", [SIM_TOUCH_YIELD] = "yield",
};

const char *sim_touch_name(enum sim_touch kind)
{
	if ((size_t)kind < sizeof(touch_names) / sizeof(touch_names[0]) &&
	    touch_names[kind])
		return touch_names[kind];
	return "?";
}

#define PAIR(x, y) ((1U << (x)) | (1U << (y)))

/*
 * Kinds of different steps that never commute whatever their objects
 * (each pair once; the relation is symmetric).
 */
static const unsigned int conflicting_pairs[] = {
	/* a data access walks the tables: conservatively every entry */
	PAIR(SIM_TOUCH_PTE, SIM_TOUCH_DATA),
	/* a barrier changes what walkers see of stored entries */
	PAIR(SIM_TOUCH_PTE, SIM_TOUCH_BARRIER),
	PAIR(SIM_TOUCH_DATA, SIM_TOUCH_BARRIER),
	/* TLB maintenance removes what a data access would hit */
	PAIR(SIM_TOUCH_DATA, SIM_TOUCH_TLB),
	/* an access may reach a frame that is freed (or mapped) meanwhile */
	PAIR(SIM_TOUCH_DATA, SIM_TOUCH_ALLOC),
};

static bool kinds_conflict(enum sim_touch a, enum sim_touch b)
{
	unsigned int pair = PAIR(a, b);

	/* a model's batch or queue is paid into tables, TLBs, caches */
	if (a == SIM_TOUCH_ARCH || b == SIM_TOUCH_ARCH)
		return b != SIM_TOUCH_LAZY && a != SIM_TOUCH_LAZY &&
		       b != SIM_TOUCH_LOCK && a != SIM_TOUCH_LOCK;
	for (size_t i = 0;
	     i < sizeof(conflicting_pairs) / sizeof(conflicting_pairs[0]); i++)
		if (conflicting_pairs[i] == pair)
			return true;
	return false;
}

bool sim_steps_dependent(const struct sim_step *a, const struct sim_step *b)
{
	if (a->kind == SIM_TOUCH_LOCAL || b->kind == SIM_TOUCH_LOCAL ||
	    a->kind == SIM_TOUCH_YIELD || b->kind == SIM_TOUCH_YIELD)
		return false;
	if (a->kind == SIM_TOUCH_GLOBAL || b->kind == SIM_TOUCH_GLOBAL)
		return true;
	if (a->kind != b->kind) {
		/* a read and a store of the same entry */
		if ((a->kind == SIM_TOUCH_PTE &&
		     b->kind == SIM_TOUCH_PTE_READ) ||
		    (a->kind == SIM_TOUCH_PTE_READ && b->kind == SIM_TOUCH_PTE))
			return a->obj == b->obj;
		return kinds_conflict(a->kind, b->kind);
	}
	switch (a->kind) {
	case SIM_TOUCH_PTE_READ: /* reads commute */
	case SIM_TOUCH_TLB: /* invalidations commute */
	case SIM_TOUCH_BARRIER: /* each publishes its own CPU's stores */
		return false;
	case SIM_TOUCH_ALLOC: /* one free list */
		return true;
	case SIM_TOUCH_ARCH: /* NULL: the model's whole state */
		return !a->obj || !b->obj || a->obj == b->obj;
	default: /* PTE, DATA, LOCK, LAZY: the same object */
		return a->obj == b->obj;
	}
}
