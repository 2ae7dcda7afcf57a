/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * An observer for the tests of the batching models (ppc64-hash, sparc64):
 * how many batch flushes, how many items each paid, and what was queued or
 * invalidated inside interrupts. Attach obs_event; obs_reset() between runs.
 */
#ifndef _LAZYMMU_TESTS_BATCH_OBS_H
#define _LAZYMMU_TESTS_BATCH_OBS_H

#include <string.h>

#include "sim/sim.h"

#define MAX_FLUSHES 16

static struct {
	int flushes; /* SIM_EV_BATCH_FLUSH */
	long size[MAX_FLUSHES]; /* items paid after each batch flush */
	long queued, queued_in_irq; /* SIM_EV_DEFERRED_QUEUED */
	long inval_in_irq; /* SIM_EV_TLB_INVAL inside an interrupt */
} obs;

static void obs_event(void *priv, const struct sim_event *ev)
{
	bool irq = this_cpu()->irq_depth > 0;

	(void)priv;
	switch (ev->type) {
	case SIM_EV_BATCH_FLUSH:
		if (obs.flushes < MAX_FLUSHES)
			obs.size[obs.flushes] = 0;
		obs.flushes++;
		break;
	case SIM_EV_DEFERRED_PAID:
		if (obs.flushes > 0 && obs.flushes <= MAX_FLUSHES)
			obs.size[obs.flushes - 1] += ev->arg;
		break;
	case SIM_EV_DEFERRED_QUEUED:
		obs.queued += ev->arg;
		obs.queued_in_irq += irq ? ev->arg : 0;
		break;
	case SIM_EV_TLB_INVAL:
		obs.inval_in_irq += irq;
		break;
	default:
		break;
	}
}

static void obs_reset(void)
{
	memset(&obs, 0, sizeof(obs));
}

#endif /* _LAZYMMU_TESTS_BATCH_OBS_H */
