// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lazymmu - the command: dispatch to the subcommands; check that standard
 * output took everything (a write error is exit status 2, never 0).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check/run.h"
#include "cli/lmm.h"
#include "sim/arch.h"

int lmm_usage_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout); /* what came before goes before the message */
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
	  "run [--arch A] [--workload W] [OPTION...]\n"
	  "                              one workload, its events and findings" },
	{ "check", lmm_cmd_check,
	  "check [--arch A] [--workload W] [OPTION...]\n"
	  "                              every interleaving in a bound: the "
	  "model checker" },
	{ "explain", lmm_cmd_explain,
	  "explain [CALL...] [--json]  the core's transition table" },
};

#define NR_COMMANDS (sizeof(lmm_commands) / sizeof(lmm_commands[0]))

static int usage(FILE *f)
{
	fputs("usage: lazymmu [COMMAND [OPTION...]]\n"
	      "  (no command)                the default tour\n",
	      f);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %s\n", lmm_commands[i].help);
	fputs("  help [COMMAND]              this, or the usage of COMMAND\n"
	      "  --version                   the version and the kernels "
	      "modelled\n",
	      f);
	return f == stderr ? LMM_EXIT_USAGE : LMM_EXIT_CLEAN;
}

static int version(void)
{
	printf("lazymmu %s\nmodels Linux", LMM_VERSION);
	for (const char *const *k = sim_kernel_versions; *k; k++)
		printf("%s %s", k == sim_kernel_versions ? "" : ",", *k);
	printf(" (default %s)\n", lmm_newest_kernel);
	return LMM_EXIT_CLEAN;
}

static int find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, lmm_commands[i].name))
			return (int)i;
	return -1;
}

/* lazymmu help [COMMAND]: the usage, on stdout. */
static int help(int argc, char **argv)
{
	char *help_argv[] = { "--help", NULL };
	int i;

	if (argc == 0)
		return usage(stdout);
	if (argc > 1)
		return lmm_usage_error("help: one command at most (got '%s' "
				       "after '%s')",
				       argv[1], argv[0]);
	if (!strcmp(argv[0], "help"))
		return usage(stdout);
	if (!strcmp(argv[0], "tour")) {
		puts("usage: lazymmu\n"
		     "The default tour: vmalloc barriers on arm64 with the lazy "
		     "MMU mode off\nand on, the KUnit sequence through the core, "
		     "and the sanitizer on a\nwrong caller. It takes no options.");
		return LMM_EXIT_CLEAN;
	}
	i = find_command(argv[0]);
	if (i < 0) {
		lmm_usage_error("help: unknown command '%s'", argv[0]);
		return usage(stderr);
	}
	return lmm_commands[i].fn(1, help_argv);
}

static int dispatch(int argc, char **argv)
{
	int i;

	if (argc < 2)
		return lmm_cmd_tour(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(stdout);
	if (!strcmp(argv[1], "help"))
		return help(argc - 2, argv + 2);
	if (!strcmp(argv[1], "--version")) {
		if (argc > 2)
			return lmm_usage_error("--version: unexpected argument "
					       "'%s'",
					       argv[2]);
		return version();
	}
	i = find_command(argv[1]);
	if (i >= 0)
		return lmm_commands[i].fn(argc - 2, argv + 2);
	lmm_usage_error("unknown command '%s'", argv[1]);
	return usage(stderr);
}

int main(int argc, char **argv)
{
	int ret, out;

	lmm_stdio_init();
	if (lmm_stdout_closed)
		return lmm_usage_error("standard output is closed: nothing "
				       "could be reported");
	ret = dispatch(argc, argv);
	out = lmm_finish_stream(stdout, "standard output", true);
	return out ? out : ret;
}
