/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What the benchmarks share: the options every benchmark takes (--quick,
 * --out DIR, --reps N), a monotonic clock, medians, and the CSV copy of the
 * table. Header-only, so that each bench/bench_*.c stays one program.
 */
#ifndef _LAZYMMU_BENCH_BENCH_H
#define _LAZYMMU_BENCH_BENCH_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct bench_opts {
	const char *name; /* the benchmark: bench_sim, bench_core */
	bool quick; /* one repetition, small sizes: < 5 s in all */
	const char *out; /* also write <out>/<name>.csv */
	unsigned int reps; /* repetitions; the best (or median) counts */
	uint64_t seed;
};

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* bench_median() - median of @v[0..n); sorts @v. */
static inline uint64_t bench_median(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline uint64_t bench_min(const uint64_t *v, unsigned int n)
{
	uint64_t min = v[0];

	for (unsigned int i = 1; i < n; i++)
		if (v[i] < min)
			min = v[i];
	return min;
}

static inline bool bench_parse_ulong(const char *s, unsigned long max,
				     unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return !errno && end != s && !*end && *s != '-' && *v <= max;
}

/*
 * bench_usage_error() - report a bad command line and exit 2 (as the
 * lazymmu command does).
 */
static inline void bench_usage_error(const struct bench_opts *o,
				     const char *usage, const char *what,
				     const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\nusage: %s %s\n", o->name, what,
		arg ? ": " : "", arg ? arg : "", o->name, usage);
	exit(2);
}

/*
 * bench_parse_common() - take the options every benchmark has at argv[*i]
 * (advancing *i past its value). Returns false if argv[*i] is not one.
 */
static inline bool bench_parse_common(struct bench_opts *o, const char *usage,
				      int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	unsigned long v;

	if (!strcmp(a, "--quick")) {
		o->quick = true;
		return true;
	}
	if (!strcmp(a, "--out") || !strcmp(a, "--reps") ||
	    !strcmp(a, "--seed") || !strcmp(a, "-s")) {
		if (*i + 1 >= argc)
			bench_usage_error(o, usage, "missing value after", a);
		++*i;
		if (!strcmp(a, "--out")) {
			o->out = argv[*i];
		} else if (!strcmp(a, "--reps")) {
			if (!bench_parse_ulong(argv[*i], 1000, &v) || !v)
				bench_usage_error(o, usage,
						  "--reps must be 1..1000",
						  argv[*i]);
			o->reps = (unsigned int)v;
		} else {
			if (!bench_parse_ulong(argv[*i], ULONG_MAX, &v))
				bench_usage_error(o, usage, "bad seed",
						  argv[*i]);
			o->seed = v;
		}
		return true;
	}
	if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
		printf("usage: %s %s\n", o->name, usage);
		exit(0);
	}
	return false;
}

/* bench_mkdir_p() - create @dir and its parents; 0 or -1 with errno. */
static inline int bench_mkdir_p(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0777) && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * bench_csv_open() - <out>/<name>.csv for writing, or NULL if no --out was
 * given. Exits 2 if the file cannot be created.
 */
static inline FILE *bench_csv_open(const struct bench_opts *o)
{
	char path[4096];
	FILE *f;

	if (!o->out)
		return NULL;
	if (bench_mkdir_p(o->out)) {
		fprintf(stderr, "%s: cannot create %s: %s\n", o->name, o->out,
			strerror(errno));
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/%s.csv", o->out, o->name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot create %s: %s\n", o->name, path,
			strerror(errno));
		exit(2);
	}
	return f;
}

static inline void bench_csv_close(const struct bench_opts *o, FILE *f)
{
	if (!f)
		return;
	if (fclose(f)) {
		fprintf(stderr, "%s: cannot write %s/%s.csv: %s\n", o->name,
			o->out, o->name, strerror(errno));
		exit(2);
	}
	printf("wrote %s/%s.csv\n", o->out, o->name);
}

#endif /* _LAZYMMU_BENCH_BENCH_H */
