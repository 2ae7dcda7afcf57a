/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The trace writer: an observer that writes the machine's events as a
 * Chrome trace (JSON), which Perfetto (ui.perfetto.dev) and chrome://tracing
 * open. One track per CPU with hardware events and interrupts, one per task
 * with its lazy sections as (nested) slices, and
 * one "deferred" track per CPU showing each hidden page-table store from the
 * moment it was written until walkers could see it.
 */
#ifndef _LAZYMMU_CHECK_TRACE_H
#define _LAZYMMU_CHECK_TRACE_H

#include <stdio.h>

#include "sim/sim.h"

struct trace_writer;

/* trace_attach() - write @m's events to @f (left open; see trace_finish). */
struct trace_writer *trace_attach(struct sim_machine *m, FILE *f);
/* trace_finish() - close the JSON; returns the number of events written. */
unsigned long trace_finish(struct trace_writer *t);

#endif /* _LAZYMMU_CHECK_TRACE_H */
