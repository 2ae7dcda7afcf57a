/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A counterexample in columns: an observer that keeps the machine's events
 * as rows, one column per CPU and one for deferred work (owed barriers,
 * queued invalidations, multicalls: what a model queued and when it paid),
 * so that a reader sees when an update really took effect, and the line
 * of model code whose call made each event (its site). The model
 * checker attaches it to the replay of a finding's trace (explore.h).
 */
#ifndef _LAZYMMU_CHECK_COLUMNS_H
#define _LAZYMMU_CHECK_COLUMNS_H

#include <stdint.h>
#include <stdio.h>

#include "sim/sim.h"

#define MC_COL_TEXT 72

struct mc_row {
	uint64_t seq; /* the event's number in the run, from 1 */
	int col; /* a CPU, or -1: deferred work */
	/* the model's call that caused the event (static), or NULL */
	const struct sim_site *site;
	char text[MC_COL_TEXT];
};

/* The widest site column mc_columns_print() draws. */
#define MC_SITE_WIDTH 40

/*
 * struct mc_columns - the rows of one run, up to event @stop_at (0: all);
 * @events counts every event, drawn or not.
 */
struct mc_columns {
	unsigned int nr_cpus;
	uint64_t stop_at;
	uint64_t events;
	const struct sim_site *site; /* the event being drawn's */
	struct mc_row *rows;
	size_t nr_rows, cap_rows;
};

void mc_columns_init(struct mc_columns *c, unsigned int nr_cpus,
		     uint64_t stop_at);
/* The observer that fills @c (sim_add_observer() or mc_replay()). */
struct sim_observer mc_columns_observer(struct mc_columns *c);
/*
 * mc_columns_print() - the last @max_rows rows (0: all) as a table, each
 * line prefixed with @indent: the event's number, its site ("func
 * file:line", the file without its directories; blank if none), then one
 * column per CPU and one for deferred work.
 */
void mc_columns_print(const struct mc_columns *c, FILE *f, size_t max_rows,
		      const char *indent);
void mc_columns_free(struct mc_columns *c);

#endif /* _LAZYMMU_CHECK_COLUMNS_H */
