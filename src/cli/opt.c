// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Options of the subcommands: one word at a time, values, numbers, sizes.
 *
 * The rules, the same for every option of every command:
 * - an option takes its value as the next word or after '=' (--pages=64);
 * - a value is never the next option: "--trace --json" is an error, not a
 *   trace file named --json. A value that begins with '-' must be given
 *   after '=' (--trace=-x); "-" alone and a negative number ("-1", refused
 *   as a number below) are values;
 * - a value is never empty;
 * - a flag takes no value (--json=1 is an error);
 * - a word that is no option is an error (no command takes operands);
 * - a number is decimal digits and nothing else: no space, no sign, no
 *   0x, no suffix; a message says which limit it broke.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/lmm.h"

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* A word that reads as an option: "-x", "--x"; not "-" and not "-1". */
static bool is_option_word(const char *w)
{
	return w[0] == '-' && w[1] && !(w[1] >= '0' && w[1] <= '9');
}

int lmm_next_option(struct lmm_args *a, char *name, size_t size,
		    const char **value)
{
	const char *word, *eq;
	bool valued;

	if (a->i >= a->argc)
		return 0;
	word = a->argv[a->i++];
	*value = NULL;
	if (word[0] != '-' || !word[1])
		return lmm_usage_error("%s: unexpected argument '%s' (%s takes "
				       "options only; %s --help)",
				       a->cmd, word, a->cmd, a->cmd);
	eq = word[1] == '-' ? strchr(word, '=') : NULL;
	if (eq) {
		snprintf(name, size, "%.*s", (int)(eq - word), word);
		*value = eq + 1;
	} else {
		snprintf(name, size, "%s", word);
	}
	valued = in_list(a->valued, name);
	if (!valued) {
		if (eq && in_list(a->flags, name))
			return lmm_usage_error(
				"%s: %s takes no value (got '%s')", a->cmd,
				name, word);
		return 1; /* a flag, or unknown: the caller says which */
	}
	if (!eq) {
		if (a->i >= a->argc)
			return lmm_usage_error("%s: %s needs a value", a->cmd,
					       name);
		if (is_option_word(a->argv[a->i]))
			return lmm_usage_error(
				"%s: %s needs a value, and '%s' is an option "
				"(a value that begins with '-' goes after '=': "
				"%s=%s)",
				a->cmd, name, a->argv[a->i], name,
				a->argv[a->i]);
		*value = a->argv[a->i++];
	}
	if (!**value)
		return lmm_usage_error("%s: %s needs a value, not an empty one",
				       a->cmd, name);
	return 1;
}

/* @s is one or more decimal digits and nothing else. */
static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Parse the digits of @s; false if they overflow 64 bits. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

int lmm_parse_ulong(const char *opt, const char *value, unsigned long min,
		    unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (!value || !*value)
		return lmm_usage_error("%s needs a value", opt);
	if (!all_digits(value))
		return lmm_usage_error(
			"%s '%s': not a decimal number (digits "
			"only: no space, sign, prefix or suffix)",
			opt, value);
	if (!parse_u64(value, strlen(value), &v) || v > max)
		return lmm_usage_error("%s %s: above the maximum, %lu", opt,
				       value, max);
	if (v < min)
		return lmm_usage_error("%s %s: below the minimum, %lu", opt,
				       value, min);
	*out = (unsigned long)v;
	return 0;
}

int lmm_parse_size(const char *opt, const char *value, uint64_t *out)
{
	size_t len = value ? strlen(value) : 0;
	unsigned int shift = 0;
	uint64_t v;

	if (!len)
		return lmm_usage_error("%s needs a value", opt);
	if (!strcmp(value, "none")) {
		*out = 0;
		return 0;
	}
	switch (value[len - 1]) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	}
	if (shift)
		len--;
	for (size_t i = 0; i < len; i++)
		if (value[i] < '0' || value[i] > '9')
			len = 0;
	if (!len)
		return lmm_usage_error("%s '%s': not a size (bytes as decimal "
				       "digits, then K, M or G for KiB, MiB, "
				       "GiB; or none)",
				       opt, value);
	if (!parse_u64(value, len, &v) || v > (UINT64_MAX >> shift))
		return lmm_usage_error("%s %s: above the maximum, 16 EiB", opt,
				       value);
	if (!v)
		return lmm_usage_error("%s %s: below the minimum, 1 (no limit: "
				       "%s none)",
				       opt, value, opt);
	*out = v << shift;
	return 0;
}
