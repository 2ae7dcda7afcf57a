// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Helpers shared by the subcommands: JSON strings, number options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/lmm.h"

void lmm_json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

int lmm_parse_ulong(const char *opt, const char *value, unsigned long min,
		    unsigned long max, unsigned long *out)
{
	unsigned long long v;
	char *end;

	if (!value)
		return lmm_usage_error("%s needs a value", opt);
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno == ERANGE)
		return lmm_usage_error("%s '%s': too large", opt, value);
	if (errno || end == value || *end || value[0] == '-' ||
	    value[0] == '+' || value[0] == ' ')
		return lmm_usage_error("%s '%s': not a number", opt, value);
	if (v < min || v > max)
		return lmm_usage_error("%s %s: must be %lu..%lu", opt, value,
				       min, max);
	*out = (unsigned long)v;
	return 0;
}
