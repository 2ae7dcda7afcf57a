// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lazymmu - the command: dispatch to the subcommands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/lmm.h"

int lmm_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("lazymmu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return LMM_EXIT_USAGE;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} lmm_commands[] = {
	{ "list", lmm_cmd_list,
	  "list                        arches, kernels, workloads, findings" },
	{ "run", lmm_cmd_run,
	  "run --arch A --workload W [OPTION...]  one workload, its events" },
	{ "explain", lmm_cmd_explain,
	  "explain [CALL...] [--json]  the core's transition table" },
};

static int usage(FILE *f)
{
	fputs("usage: lazymmu [COMMAND [OPTION...]]\n"
	      "  (no command)                the default tour\n",
	      f);
	for (size_t i = 0; i < sizeof(lmm_commands) / sizeof(lmm_commands[0]);
	     i++)
		fprintf(f, "  %s\n", lmm_commands[i].help);
	return f == stderr ? LMM_EXIT_USAGE : LMM_EXIT_CLEAN;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return lmm_cmd_tour(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return usage(stdout);
	for (size_t i = 0; i < sizeof(lmm_commands) / sizeof(lmm_commands[0]);
	     i++)
		if (!strcmp(argv[1], lmm_commands[i].name))
			return lmm_commands[i].fn(argc - 2, argv + 2);
	lmm_usage_error("unknown command '%s'", argv[1]);
	return usage(stderr);
}
