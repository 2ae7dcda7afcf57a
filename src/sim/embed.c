// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The <lazymmu/env.h> hooks of the lazymmu program: each forwards to the
 * embedder installed on the calling thread (see embed.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <lazymmu/env.h>

#include "sim/embed.h"

/*
 * Thread-local, not global, like sim_this: the core's hooks are plain
 * functions with no argument to say which machine calls, and each host
 * thread runs at most one machine (or recorder) at a time.
 */
static _Thread_local const struct sim_embedder_ops *installed;

const struct sim_embedder_ops *
sim_embedder_install(const struct sim_embedder_ops *e)
{
	const struct sim_embedder_ops *old = installed;

	installed = e;
	return old;
}

static const struct sim_embedder_ops *embedder(void)
{
	if (!installed) {
		fprintf(stderr,
			"lazymmu: lazy MMU call with no embedder installed\n");
		abort();
	}
	return installed;
}

struct lazy_mmu_state *lazy_mmu_current_state(void)
{
	const struct sim_embedder_ops *e = embedder();

	return e->current_state(e->priv);
}

bool lazy_mmu_in_interrupt(void)
{
	const struct sim_embedder_ops *e = embedder();

	return e->in_interrupt(e->priv);
}

void arch_enter_lazy_mmu_mode(void)
{
	const struct sim_embedder_ops *e = embedder();

	e->arch_enter(e->priv);
}

void arch_leave_lazy_mmu_mode(void)
{
	const struct sim_embedder_ops *e = embedder();

	e->arch_leave(e->priv);
}

void arch_flush_lazy_mmu_mode(void)
{
	const struct sim_embedder_ops *e = embedder();

	e->arch_flush(e->priv);
}

void lazy_mmu_warn(const char *what)
{
	const struct sim_embedder_ops *e = embedder();

	e->warn(e->priv, what);
}
