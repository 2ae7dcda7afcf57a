/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The lazymmu command: one function per subcommand. Each returns the exit
 * status: 0 clean, 1 findings, 2 bad usage or bad input.
 */
#ifndef _LAZYMMU_CLI_LMM_H
#define _LAZYMMU_CLI_LMM_H

#define LMM_EXIT_CLEAN 0
#define LMM_EXIT_FINDINGS 1
#define LMM_EXIT_USAGE 2

/* lmm_usage_error() - print "lazymmu: <message>" to stderr, return 2. */
int lmm_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* lmm_json_string() - @s as a JSON string on stdout; NULL prints null. */
void lmm_json_string(const char *s);

/*
 * lmm_parse_ulong() - parse the value of option @opt as a decimal number in
 * [min, max]. Returns 0, or prints a message naming the option and returns
 * LMM_EXIT_USAGE.
 */
int lmm_parse_ulong(const char *opt, const char *value, unsigned long min,
		    unsigned long max, unsigned long *out);

int lmm_cmd_explain(int argc, char **argv);
int lmm_cmd_tour(int argc, char **argv);
int lmm_cmd_run(int argc, char **argv);
int lmm_cmd_list(int argc, char **argv);

#endif /* _LAZYMMU_CLI_LMM_H */
