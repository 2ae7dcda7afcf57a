/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Minimal TAP producer for lazymmu's tests: one "ok N - name" or
 * "not ok N - name" line per case, diagnostics as "# ..." lines, the plan
 * at the end. Include once per test program.
 */
#ifndef _LAZYMMU_TESTS_TAP_H
#define _LAZYMMU_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_count;
static int tap_failures;

__attribute__((format(printf, 4, 5))) static bool
tap_ok(bool pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failures++;
		printf("# failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

/* ok(cond, "name %d", ...) - one test case. */
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* diag("...") - a diagnostic line; never affects the result. */
#define diag(...)                    \
	do {                         \
		printf("# ");        \
		printf(__VA_ARGS__); \
		putchar('\n');       \
	} while (0)

/* tap_done() - print the plan; returns the exit status for main(). */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* _LAZYMMU_TESTS_TAP_H */
