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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * tap_seed() - the seed of a test that draws random numbers: `-s SEED` or
 * `SEED` on the command line, else $LAZYMMU_SEED, else @fallback: fixed, so
 * that a run given no seed is the same run every time (never the clock).
 * Printed as a diagnostic with how to rerun. A seed that is not decimal
 * digits only, or overflows 64 bits, is exit status 2 with a message.
 */
static inline uint64_t tap_seed(int argc, char **argv, uint64_t fallback)
{
	const char *s = getenv("LAZYMMU_SEED"), *from = "LAZYMMU_SEED";
	uint64_t v = 0;

	if (argc > 2 && !strcmp(argv[1], "-s")) {
		s = argv[2];
		from = "-s";
	} else if (argc > 1) {
		s = argv[1];
		from = "the argument";
	}
	if (!s || !*s) {
		v = fallback;
		from = "the default";
	} else {
		for (const char *p = s; *p; p++) {
			unsigned int d = (unsigned int)(*p - '0');

			if (*p < '0' || *p > '9' || v > (UINT64_MAX - d) / 10) {
				fprintf(stderr,
					"%s: seed '%s' (%s): not a decimal "
					"number 0..2^64-1\n",
					argv[0], s, from);
				exit(2);
			}
			v = v * 10 + d;
		}
	}
	printf("# seed %llu (from %s; rerun: %s -s %llu)\n",
	       (unsigned long long)v, from, argv[0], (unsigned long long)v);
	return v;
}

/* tap_done() - print the plan; returns the exit status for main(). */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* _LAZYMMU_TESTS_TAP_H */
