/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The lazy MMU sanitizer: an observer of the machine that names each hazard
 * when it happens (the finding kinds of docs/user-guide.md):
 *   deferred-access  an access or walk saw an entry whose update was still
 *                    deferred (an arm64 walker before the owed barriers),
 *                    or a ptep_get() or access that an update a model
 *                    still queues would change
 *   stale-tlb        a stale translation reached a freed frame, or the
 *                    old frame after the model paid its invalidation
 *   flush-in-section a TLB flush or page free by a task in a section with
 *                    deferred work still queued
 *   sleep-in-atomic  might_sleep() with preemption disabled or in interrupt
 *   state-leak       lazy state non-zero at task exit, or changed by an
 *                    interrupt handler
 * (api-misuse is reported by the machine when the core warns.)
 */
#ifndef _LAZYMMU_CHECK_SANITIZER_H
#define _LAZYMMU_CHECK_SANITIZER_H

#include "sim/sim.h"

struct san_state;

/* san_attach() - watch @m until san_detach(); findings go to @m. */
struct san_state *san_attach(struct sim_machine *m);
void san_detach(struct san_state *s);
/* san_nr_tracked() - entries in its table of hidden stores, stale or not
 * (for the tests: a sweep keeps those the machine still hides). */
size_t san_nr_tracked(const struct san_state *s);

#endif /* _LAZYMMU_CHECK_SANITIZER_H */
