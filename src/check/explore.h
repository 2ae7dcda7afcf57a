/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The model checker: a stateless, depth-first exploration of the choices
 * of a machine (CHESS style). Each execution resets the machine to its
 * post-boot state (sim_reset()), spawns the tasks again and runs them with
 * a policy that replays a prefix of choices, then takes the first option
 * allowed at every new choice, remembering the options not yet tried;
 * backtracking takes the deepest one left. See docs/checker.md.
 *
 * What it chooses: which CPU steps, whether the running task is preempted
 * at a scheduling point, whether an interrupt arrives there, where a
 * preempted task goes (and which TLB entry a fill evicts, with random
 * eviction). Bounded by preemptions (a CPU switch, a preemption or an
 * interrupt where the running task could have continued costs one); reduced
 * by sleep sets over sim_steps_dependent().
 */
#ifndef _LAZYMMU_CHECK_EXPLORE_H
#define _LAZYMMU_CHECK_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

#define MC_DEFAULT_PREEMPTION_BOUND 2
#define MC_MAX_PREEMPTION_BOUND 64
#define MC_KEY_LEN 448

/*
 * struct mc_config - what to explore.
 * @opt: the machine (the checker sets its policy, fine_steps, and turns
 *       no_reset and stop_on_finding off); @opt.irq_handler non-NULL means
 *       interrupts are choices.
 * @spawn: spawn the tasks of one execution on @m (after every reset).
 * @sanitize: attach the sanitizer.
 * @preemption_bound: preemptions allowed per execution.
 * @reduce: prune with sleep sets (false: every interleaving in the bound).
 * @max_executions: stop after this many (0: no limit).
 * @stop_on_first: stop after the first execution with a finding.
 * @shard, @nr_shards: explore only shard @shard of @nr_shards (0 or 1:
 *       all); see mc_explore().
 * @job, @nr_jobs: of that, only slice @job of @nr_jobs (0 or 1: all).
 * @progress: called about every 0.5 s with the result so far, if set.
 * @no_replay_cache: work out the state of every choice of every
 *       execution from its start, as if no prefix had been run before
 *       (tests: the same exploration, found the slow way).
 */
struct mc_result;

struct mc_config {
	struct sim_options opt;
	void (*spawn)(struct sim_machine *m, void *arg);
	void *spawn_arg;
	bool sanitize;
	unsigned int preemption_bound;
	bool reduce;
	uint64_t max_executions;
	bool stop_on_first;
	unsigned int shard, nr_shards;
	unsigned int job, nr_jobs; /* a slice of the shard (--jobs) */
	void (*progress)(const struct mc_result *r, void *arg);
	void *progress_arg;
	bool no_replay_cache;
};

/*
 * struct mc_finding - one finding kind and site, deduplicated over every
 * execution: @f as the shortest trace found reported it, @key (kind and
 * message with every number blanked, which holds the site), @events the
 * machine events up to and including it in that trace, @choices the
 * choices that reach it (replayed, then the first option everywhere),
 * @hits the executions that found it.
 */
struct mc_finding {
	struct sim_finding f;
	char key[MC_KEY_LEN];
	uint64_t events;
	struct sim_choice_rec *choices;
	size_t nr_choices;
	uint64_t hits;
};

/*
 * struct mc_result - what an exploration found.
 * @executions: complete executions (of this shard);
 * @redundant: executions cut by the sleep sets (every CPU that could step
 *             was asleep: an equivalent execution was explored);
 * @foreign: partial executions left to another shard;
 * @complete: the bounded space (of this shard) was exhausted;
 * @max_depth: the most choices in one execution.
 */
struct mc_result {
	uint64_t executions;
	uint64_t redundant;
	uint64_t foreign;
	bool complete;
	size_t max_depth;
	double seconds;
	struct mc_finding *findings;
	size_t nr_findings, findings_cap;
	char error[256];
};

/*
 * mc_explore() - explore @c. Returns 0, or -1 with @r->error set if a run
 * failed (nondeterminism, a bad model). Shards: the first few branching
 * choices of every execution (mc_shard_levels()) name its subtree; shard
 * I of N explores the subtrees whose index is I modulo N, so the shards'
 * executions and findings add up to the whole exploration's. Jobs split a
 * shard the same way, by the branching choices after those.
 */
int mc_explore(const struct mc_config *c, struct mc_result *r);
void mc_result_free(struct mc_result *r);
unsigned int mc_shard_levels(unsigned int nr_shards);

/*
 * mc_finding_key() - @f's deduplication key: "kind: message" with every
 * run of digits (decimal or hex) replaced by '#'.
 */
void mc_finding_key(const struct sim_finding *f, char *key, size_t len);

/*
 * mc_merge_finding() - add one finding with its trace to @r: a new key, or
 * a shorter trace (fewer events, then fewer choices, then the smaller
 * sequence) for a known one. Copies @choices.
 */
void mc_merge_finding(struct mc_result *r, const struct sim_finding *f,
		      const char *key, uint64_t events,
		      const struct sim_choice_rec *choices, size_t nr_choices,
		      uint64_t hits);

/*
 * struct mc_hooks - what mc_replay() calls on its machine: @attach after
 * it is built (add observers: a trace, the columns), @finish after the run,
 * before it is destroyed.
 */
struct mc_hooks {
	void (*attach)(struct sim_machine *m, void *arg);
	void (*finish)(struct sim_machine *m, void *arg);
	void *arg;
};

/*
 * mc_replay() - one execution of @c's machine that answers the @n choices
 * @rec, then the first option at every further choice (what a trace of
 * mc_explore() needs), with @hooks (may be NULL). Returns 0, or -1 with
 * @err set if the run diverges.
 */
int mc_replay(const struct mc_config *c, const struct sim_choice_rec *rec,
	      size_t n, const struct mc_hooks *hooks, char *err, size_t errlen);

#endif /* _LAZYMMU_CHECK_EXPLORE_H */
