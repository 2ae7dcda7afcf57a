/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The lazymmu command: one function per subcommand. Each returns the exit
 * status: 0 clean, 1 findings, 2 bad usage or bad input.
 */
#ifndef _LAZYMMU_CLI_LMM_H
#define _LAZYMMU_CLI_LMM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sim_finding;

/* The release; `lazymmu --version`. */
#define LMM_VERSION "0.7"

#define LMM_EXIT_CLEAN 0
#define LMM_EXIT_FINDINGS 1
#define LMM_EXIT_USAGE 2

/* lmm_usage_error() - print "lazymmu: <message>" to stderr, return 2. */
int lmm_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* lmm_json_string() - @s as a JSON string on stdout; NULL prints null. */
void lmm_json_string(const char *s);

/*
 * The words after a command, read one option at a time (src/cli/opt.c says
 * the rules). @valued and @flags: the options that take a value and those
 * that take none, NULL-terminated.
 */
struct lmm_args {
	const char *cmd; /* "run": begins every message */
	int argc;
	char **argv;
	int i; /* the next word */
	const char *const *valued;
	const char *const *flags;
};

/*
 * lmm_next_option() - the next option into @name (without "=value") and its
 * value into @value (NULL for a flag or an unknown option). Returns 1, 0
 * when no word is left, or LMM_EXIT_USAGE after a message.
 */
int lmm_next_option(struct lmm_args *a, char *name, size_t size,
		    const char **value);

/*
 * lmm_parse_ulong() - parse the value of option @opt as a decimal number in
 * [min, max]. Returns 0, or prints a message naming the option and the
 * limit broken and returns LMM_EXIT_USAGE.
 */
int lmm_parse_ulong(const char *opt, const char *value, unsigned long min,
		    unsigned long max, unsigned long *out);

/*
 * lmm_parse_size() - a size in bytes: digits, optionally followed by K, M
 * or G (KiB, MiB, GiB); "none" gives 0 (no limit). Same return as above.
 */
int lmm_parse_size(const char *opt, const char *value, uint64_t *out);

/* lmm_print_finding() - one finding, as every command prints it. */
void lmm_print_finding(FILE *f, const struct sim_finding *finding);

/*
 * lmm_stdio_init() - keep descriptors 0-2 from being reused when closed;
 * sets lmm_stdout_closed if stdout was.
 */
void lmm_stdio_init(void);
extern bool lmm_stdout_closed;

/*
 * lmm_finish_stream() - flush @f (and close it if @close) and check that
 * everything written reached it. Returns 0, or prints "@what: write error:
 * <reason>" and returns LMM_EXIT_USAGE.
 */
int lmm_finish_stream(FILE *f, const char *what, bool close);

struct lmm_run_config;
int lmm_run_option(int argc, char **argv, struct lmm_run_config *c);
/*
 * lmm_print_finding_json() - one finding as the JSON object of `run`, left
 * open (no closing brace) unless @close, for the caller's own fields.
 */
void lmm_print_finding_json(const struct sim_finding *f, bool close);

int lmm_cmd_check(int argc, char **argv);
int lmm_cmd_explain(int argc, char **argv);
int lmm_cmd_tour(int argc, char **argv);
int lmm_cmd_run(int argc, char **argv);
int lmm_cmd_list(int argc, char **argv);

#endif /* _LAZYMMU_CLI_LMM_H */
