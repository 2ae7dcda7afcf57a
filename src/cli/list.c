// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lazymmu list: what exists (arches, kernel versions, workloads, fixes,
 * designs, finding kinds).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check/run.h"
#include "cli/lmm.h"
#include "mm/mm.h"
#include "sim/arch.h"

static const char *const finding_kinds[][2] = {
	{ "deferred-access", "an access saw an update still deferred" },
	{ "stale-tlb", "a stale translation reached a freed frame" },
	{ "flush-in-section",
	  "a TLB flush or free with updates deferred (not yet detected)" },
	{ "arch-bug", "an architecture's own assertion fired" },
	{ "sleep-in-atomic", "might_sleep() with preemption disabled" },
	{ "state-leak", "lazy state left changed at task exit or irq return" },
	{ "api-misuse", "counter underflow or overflow" },
	{ "bad-access", "an access with no valid translation" },
	{ "bad-page", "a free of a frame that is not allocated" },
	{ "deadlock", "spinlock waiters in a cycle, or every busy CPU waiting" },
};

int lmm_cmd_list(int argc, char **argv)
{
	if (argc > 0 &&
	    (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		puts("usage: lazymmu list\n"
		     "the arch models per kernel version, the kernel versions, "
		     "workloads,\nfixes, designs and finding kinds");
		return LMM_EXIT_CLEAN;
	}
	if (argc > 0)
		return lmm_usage_error("list: unexpected argument '%s'",
				       argv[0]);
	puts("arches (kernel versions: the model and the files it follows):");
	for (const char *const *a = sim_arch_names; *a; a++) {
		const struct sim_arch_ops *shown[8] = { NULL };
		int nr_shown = 0;

		printf("  %s\n", *a);
		/* one line per distinct model, with the versions it covers */
		for (const char *const *k = sim_kernel_versions; *k; k++) {
			const struct sim_arch_ops *ops = sim_arch_find(*a, *k);
			bool seen = false;

			for (int i = 0; i < nr_shown; i++)
				seen |= shown[i] == ops;
			if (!ops || seen || nr_shown == 8)
				continue;
			shown[nr_shown++] = ops;
			printf("    ");
			for (const char *const *v = sim_kernel_versions; *v;
			     v++)
				if (sim_arch_find(*a, *v) == ops)
					printf("%s ", *v);
			printf("  %s\n", ops->models);
		}
	}
	printf("kernels:\n ");
	for (const char *const *k = sim_kernel_versions; *k; k++)
		printf(" %s", *k);
	printf("   (default %s)\n", lmm_newest_kernel);
	puts("workloads:");
	for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
		printf("  %s\n    %s\n    %s\n", w->name, w->summary,
		       w->models);
	puts("fixes:\n  (none yet)");
	puts("designs:\n  (none yet)");
	puts("finding kinds:");
	for (size_t i = 0; i < sizeof(finding_kinds) / sizeof(finding_kinds[0]);
	     i++)
		printf("  %-16s %s\n", finding_kinds[i][0],
		       finding_kinds[i][1]);
	return LMM_EXIT_CLEAN;
}
