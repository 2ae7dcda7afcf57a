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
		/* the labels of proposed series this arch has a model of */
		for (const struct sim_kernel_label *l = sim_kernel_labels;
		     l->name; l++) {
			const struct sim_arch_ops *ops =
				sim_arch_find(*a, l->name);

			if (ops && !strcmp(l->arch, *a))
				printf("    %s   %s\n", l->name, ops->models);
		}
		if (!strcmp(*a, "generic"))
			puts("    (--arch x86 is this model)");
	}
	if (sim_arch_planned[0])
		puts("arches planned, not modelled yet:");
	for (const char *const *a = sim_arch_planned; *a; a++)
		if (!sim_arch_find(*a, lmm_newest_kernel))
			printf("  %s\n", *a);
	printf("kernels:\n ");
	for (const struct sim_kernel_version *k = sim_kernels; k->name; k++)
		printf(" %s", k->name);
	printf("   (default %s)\n", lmm_newest_kernel);
	for (const struct sim_kernel_label *l = sim_kernel_labels; l->name; l++)
		printf("  %s   (%s only) %s\n", l->name, l->arch, l->series);
	puts("workloads:");
	for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
		printf("  %s\n    %s\n    %s\n", w->name, w->summary,
		       w->models);
	puts("designs (--design; default: passthrough before 7.0, v7.0 from "
	     "7.0):");
	for (const struct sim_design *d = sim_designs; d->name; d++)
		printf("  %s\n    %s\n    is_lazy_mmu_mode_active(): %s\n"
		       "    from: %s\n",
		       d->name, d->summary, d->active, d->source);
	puts("fixes (--fix, repeatable):");
	for (const struct sim_fix_info *f = sim_fixes; f->name; f++) {
		printf("  %s\n", f->name);
		if (f->alias)
			printf("    alias: %s (the older name)\n", f->alias);
		printf("    %s\n    from: %s\n    %s%s%s", f->summary,
		       f->source,
		       f->reverts ? "reverts what was merged in " :
		       f->merged  ? "merged in " :
				    "not merged",
		       f->reverts ? f->reverts :
		       f->merged  ? f->merged :
				    "",
		       f->arch ? "; arch " : "");
		if (f->arch)
			fputs(f->arch, stdout);
		fputs("; workloads:", stdout);
		if (!f->workloads[0])
			fputs(" any", stdout);
		for (const char *const *w = f->workloads; *w; w++)
			printf(" %s%s", *w,
			       lmm_workload_find(*w) ? "" : " (not modelled)");
		putchar('\n');
	}
	puts("finding kinds:");
	for (const struct sim_finding_kind *k = sim_finding_kinds; k->name; k++)
		printf("  %-16s %s\n", k->name, k->meaning);
	return LMM_EXIT_CLEAN;
}
