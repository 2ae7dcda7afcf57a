/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The embedder of the core inside the lazymmu program. The six hooks of
 * <lazymmu/env.h> are defined once (embed.c) and forward to the embedder
 * installed on the calling thread: the simulated machine while it runs, or
 * a recorder (`lazymmu explain`). One indirect call per hook.
 */
#ifndef _LAZYMMU_SIM_EMBED_H
#define _LAZYMMU_SIM_EMBED_H

#include <stdbool.h>

#include <lazymmu/lazy_mmu.h>

struct sim_embedder_ops {
	struct lazy_mmu_state *(*current_state)(void *priv);
	bool (*in_interrupt)(void *priv);
	void (*arch_enter)(void *priv);
	void (*arch_leave)(void *priv);
	void (*arch_flush)(void *priv);
	void (*warn)(void *priv, const char *what);
	void *priv;
};

/*
 * sim_embedder_install() - make @e the embedder of the calling thread.
 * Returns the previous one (NULL if none) so that callers can nest.
 */
const struct sim_embedder_ops *
sim_embedder_install(const struct sim_embedder_ops *e);

#endif /* _LAZYMMU_SIM_EMBED_H */
