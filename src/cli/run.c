// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lazymmu run: one workload on one architecture model, its event counts and
 * the sanitizer's findings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/run.h"
#include "cli/lmm.h"
#include "mm/mm.h"
#include "sim/arch.h"

/* The names of @list (NULL-terminated) as "a, b, c". */
static void names(FILE *f, const char *const *list)
{
	for (const char *const *n = list; *n; n++)
		fprintf(f, "%s%s", n == list ? "" : ", ", *n);
}

/*
 * The fixes that change a modelled workload on a modelled arch, printed to
 * @f if not NULL; returns how many.
 */
static int applicable_fixes(FILE *f)
{
	int nr = 0;

	for (const struct sim_fix_info *x = sim_fixes; x->name; x++) {
		bool applies = false;

		for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
			for (const char *const *a = sim_arch_names; *a; a++)
				applies |= sim_fix_changes(x, *a, w->name);
		if (applies && f)
			fprintf(f, "%s%s", nr ? ", " : "", x->name);
		nr += applies;
	}
	if (!nr && f)
		fputs("none changes a modelled workload yet (lazymmu list)", f);
	return nr;
}

/*
 * The usage: every option is optional (each has a default); the values
 * listed are those that exist, read from the registries.
 */
static int usage(FILE *f)
{
	fprintf(f,
		"usage: lazymmu run [--arch A] [--workload W] [--kernel V] "
		"[--design D]%s\n",
		applicable_fixes(NULL) ? " [--fix F]..." : "");
	fputs("                   [--lazy on|off] [--pages N] [--cpus N] "
	      "[--seed S]\n"
	      "                   [--sched random|rr] [--debug-pagealloc] "
	      "[--no-irq]\n"
	      "                   [--no-sanitize] [--tlb-entries N] "
	      "[--tlb-evict fifo|random]\n"
	      "                   [--json] [--trace FILE] [--trace-limit SIZE]"
	      "\n",
	      f);
	fputs("  --arch A          ", f);
	names(f, sim_arch_names);
	fputs(" (default arm64; x86 is generic)\n                    "
	      "not modelled yet:",
	      f);
	for (const char *const *a = sim_arch_planned; *a; a++)
		if (!sim_arch_find(*a, lmm_newest_kernel))
			fprintf(f, " %s", *a);
	fputs("\n  --workload W      ", f);
	for (const struct lmm_workload *w = lmm_workloads; w->name; w++)
		fprintf(f, "%s%s", w == lmm_workloads ? "" : ", ", w->name);
	fprintf(f, " (default vmalloc)\n  --kernel V        ");
	names(f, sim_kernel_versions);
	fprintf(f, " (default %s)\n  --design D        ", lmm_newest_kernel);
	for (const struct sim_design *d = sim_designs; d->name; d++)
		fprintf(f, "%s%s", d == sim_designs ? "" : ", ", d->name);
	fputs(" (default: the kernel's,\n"
	      "                    passthrough before 7.0, v7.0 from 7.0)\n"
	      "  --fix F           ",
	      f);
	applicable_fixes(f);
	fprintf(f,
		"\n  --lazy on|off     default on\n"
		"  --pages N         pages per CPU, 1..%lu (default 512); "
		"pages x CPUs\n"
		"                    at most %lu\n"
		"  --cpus N          1..%d (default 1)\n"
		"  --seed S          0..18446744073709551615 (default 1)\n"
		"  --sched P         random (default) or rr\n"
		"  --tlb-entries N   1..4096 (default 64)\n"
		"  --tlb-evict E     fifo (default) or random\n"
		"  --json            one JSON object instead of the table\n"
		"  --trace FILE      also a Chrome trace, to FILE; - is stdout "
		"(the report\n"
		"                    then goes to stderr)\n"
		"  --trace-limit SIZE  refuse, before running, a trace larger "
		"than SIZE\n"
		"                    (K, M, G suffixes; default 1G; none)\n"
		"A value goes in the next word or after '='; one that begins "
		"with '-'\nafter '=' only. lazymmu list shows what each name "
		"means.\n",
		LMM_MAX_PAGES, LMM_MAX_TOTAL_PAGES, SIM_MAX_CPUS);
	return f == stderr ? LMM_EXIT_USAGE : LMM_EXIT_CLEAN;
}

/* Options of run (and, later, check) that take a value, and those that do not. */
static const char *const valued[] = {
	"--arch",      "--workload",	"--kernel",
	"--fix",       "--design",	"--lazy",
	"--pages",     "--cpus",	"--seed",
	"--sched",     "--tlb-entries", "--trace",
	"--tlb-evict", "--trace-limit", NULL
};

static const char *const flags[] = { "--json",	 "--debug-pagealloc",
				     "--no-irq", "--no-sanitize",
				     "-h",	 "--help",
				     NULL };

static int parse(int argc, char **argv, struct lmm_run_config *c, bool *json)
{
	struct lmm_args a = { .cmd = "run",
			      .argc = argc,
			      .argv = argv,
			      .valued = valued,
			      .flags = flags };
	const char *val;
	unsigned long v;
	char opt[32];
	int ret;

	while ((ret = lmm_next_option(&a, opt, sizeof(opt), &val)) == 1) {
		if (!strcmp(opt, "--arch")) {
			c->arch = lmm_arch_canonical(val);
		} else if (!strcmp(opt, "--workload")) {
			c->workload = val;
		} else if (!strcmp(opt, "--kernel")) {
			c->kernel = val;
		} else if (!strcmp(opt, "--fix")) {
			if (c->nr_fixes == LMM_MAX_FIXES)
				return lmm_usage_error(
					"run: --fix given more than %d times",
					LMM_MAX_FIXES);
			c->fixes[c->nr_fixes++] = val;
		} else if (!strcmp(opt, "--design")) {
			c->design = val;
		} else if (!strcmp(opt, "--lazy")) {
			if (strcmp(val, "on") && strcmp(val, "off"))
				return lmm_usage_error(
					"run: --lazy '%s': expected on or off",
					val);
			c->lazy = !strcmp(val, "on");
		} else if (!strcmp(opt, "--pages")) {
			if (lmm_parse_ulong("run: --pages", val, 1,
					    LMM_MAX_PAGES, &c->pages))
				return LMM_EXIT_USAGE;
		} else if (!strcmp(opt, "--cpus")) {
			if (lmm_parse_ulong("run: --cpus", val, 1, SIM_MAX_CPUS,
					    &v))
				return LMM_EXIT_USAGE;
			c->cpus = (unsigned int)v;
		} else if (!strcmp(opt, "--seed")) {
			if (lmm_parse_ulong("run: --seed", val, 0, ~0UL, &v))
				return LMM_EXIT_USAGE;
			c->seed = v;
		} else if (!strcmp(opt, "--sched")) {
			if (strcmp(val, "random") && strcmp(val, "rr"))
				return lmm_usage_error(
					"run: --sched '%s': expected random or "
					"rr",
					val);
			c->sched = val;
		} else if (!strcmp(opt, "--tlb-entries")) {
			if (lmm_parse_ulong("run: --tlb-entries", val, 1, 4096,
					    &v))
				return LMM_EXIT_USAGE;
			c->tlb_entries = (unsigned int)v;
		} else if (!strcmp(opt, "--tlb-evict")) {
			if (strcmp(val, "fifo") && strcmp(val, "random"))
				return lmm_usage_error(
					"run: --tlb-evict '%s': expected fifo or "
					"random",
					val);
			c->tlb_random_evict = !strcmp(val, "random");
		} else if (!strcmp(opt, "--trace")) {
			c->trace = val;
		} else if (!strcmp(opt, "--trace-limit")) {
			if (lmm_parse_size("run: --trace-limit", val,
					   &c->trace_limit))
				return LMM_EXIT_USAGE;
		} else if (!strcmp(opt, "--json")) {
			*json = true;
		} else if (!strcmp(opt, "--debug-pagealloc")) {
			c->debug_pagealloc = true;
		} else if (!strcmp(opt, "--no-irq")) {
			c->irqs = false;
		} else if (!strcmp(opt, "--no-sanitize")) {
			c->sanitize = false;
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			return usage(stdout) - 1; /* -1: stop, exit 0 */
		} else {
			lmm_usage_error("run: unknown option '%s'", opt);
			return usage(stderr);
		}
	}
	return ret;
}

static void json_hex(bool known, unsigned long long v)
{
	if (known)
		printf("\"0x%llx\"", v);
	else
		fputs("null", stdout);
}

/*
 * A finding as a JSON object: kind and message, then what is known of it;
 * an unknown field is null. Addresses and values are hex strings (a JSON
 * number cannot hold every 64-bit value).
 */
static void print_finding(const struct sim_finding *f)
{
	fputs("{\"kind\":", stdout);
	lmm_json_string(f->kind);
	fputs(",\"message\":", stdout);
	lmm_json_string(f->message);
	if (f->cpu >= 0)
		printf(",\"cpu\":%d", f->cpu);
	else
		fputs(",\"cpu\":null", stdout);
	if (f->pid) {
		printf(",\"task\":{\"pid\":%d,\"comm\":", f->pid);
		lmm_json_string(f->comm);
		putchar('}');
	} else {
		fputs(",\"task\":null", stdout);
	}
	fputs(",\"addr\":", stdout);
	json_hex(f->have & SIM_FINDING_ADDR, f->addr);
	fputs(",\"old\":", stdout);
	json_hex(f->have & SIM_FINDING_VALUES, f->old);
	fputs(",\"new\":", stdout);
	json_hex(f->have & SIM_FINDING_VALUES, f->new);
	if (f->have & SIM_FINDING_SECTION) {
		fputs(",\"section\":{\"func\":", stdout);
		lmm_json_string(f->section.func);
		fputs(",\"file\":", stdout);
		lmm_json_string(f->section.file);
		printf(",\"line\":%d}", f->section.line);
	} else {
		fputs(",\"section\":null", stdout);
	}
	putchar('}');
}

static void print_json(const struct lmm_run_config *c,
		       const struct lmm_run_result *r)
{
	fputs("{\"arch\":", stdout);
	lmm_json_string(c->arch);
	fputs(",\"kernel\":", stdout);
	lmm_json_string(r->kernel);
	fputs(",\"workload\":", stdout);
	lmm_json_string(c->workload);
	fputs(",\"design\":", stdout);
	lmm_json_string(r->design);
	fputs(",\"fixes\":[", stdout);
	for (unsigned int i = 0; i < c->nr_fixes; i++) {
		if (i)
			putchar(',');
		lmm_json_string(c->fixes[i]);
	}
	putchar(']');
	printf(",\"lazy\":%s,\"pages\":%lu,\"cpus\":%u,\"seed\":%llu",
	       r->lazy ? "true" : "false", c->pages, c->cpus,
	       (unsigned long long)c->seed);
	fputs(",\"sched\":", stdout);
	lmm_json_string(c->sched);
	printf(",\"debug_pagealloc\":%s,\"sanitize\":%s",
	       c->debug_pagealloc ? "true" : "false",
	       c->sanitize ? "true" : "false");
	printf(",\"irq\":%s,\"tlb_entries\":%u,\"tlb_evict\":\"%s\"",
	       lmm_run_irqs(c) ? "true" : "false", c->tlb_entries,
	       c->tlb_random_evict ? "random" : "fifo");
	fputs(",\"model\":", stdout);
	lmm_json_string(r->models);
	fputs(",\"events\":{", stdout);
	for (int s = 0; s < SIM_STAT_NR; s++)
		printf("%s\"%s\":%llu", s ? "," : "", sim_stat_names[s],
		       (unsigned long long)sim_stats_total(&r->stats, s));
	fputs("},\"per_cpu\":[", stdout);
	for (unsigned int cpu = 0; cpu < c->cpus; cpu++) {
		printf("%s{", cpu ? "," : "");
		for (int s = 0; s < SIM_STAT_NR; s++)
			printf("%s\"%s\":%llu", s ? "," : "", sim_stat_names[s],
			       (unsigned long long)r->stats.cpu[cpu][s]);
		putchar('}');
	}
	printf("],\"scheduling_points\":%llu,\"findings_dropped\":%zu",
	       (unsigned long long)r->points, r->findings_dropped);
	fputs(",\"findings\":[", stdout);
	for (size_t i = 0; i < r->nr_findings; i++) {
		if (i)
			putchar(',');
		print_finding(&r->findings[i]);
	}
	puts("]}");
}

/*
 * The header: every option that changes the run, so that the run can be
 * repeated from it (tests/cli/options.sh checks each option is there).
 */
static void print_text(const struct lmm_run_config *c,
		       const struct lmm_run_result *r)
{
	printf("lazymmu run: arch %s, kernel %s, workload %s, %lu page%s, "
	       "%u CPU%s, lazy %s%s%s, sched %s, seed %llu, irq %s, "
	       "tlb-entries %u, tlb-evict %s%s%s",
	       c->arch, r->kernel, c->workload, c->pages,
	       c->pages == 1 ? "" : "s", c->cpus, c->cpus == 1 ? "" : "s",
	       r->lazy ? "on" :
	       c->lazy ? "off (the arch has no lazy MMU mode)" :
			 "off",
	       r->design ? ", design " : "", r->design ? r->design : "",
	       c->sched, (unsigned long long)c->seed,
	       lmm_run_irqs(c) ? "on" : "off", c->tlb_entries,
	       c->tlb_random_evict ? "random" : "fifo",
	       c->debug_pagealloc ? ", DEBUG_PAGEALLOC" : "",
	       c->sanitize ? "" : ", sanitizer off");
	for (unsigned int i = 0; i < c->nr_fixes; i++)
		printf(", fix %s", c->fixes[i]);
	putchar('\n');
	printf("model: %s\n\n", r->models);
	printf("%-22s %10s", "event", "total");
	if (c->cpus > 1)
		for (unsigned int cpu = 0; cpu < c->cpus; cpu++)
			printf(" %9s%u", "CPU", cpu);
	putchar('\n');
	for (int s = 0; s < SIM_STAT_NR; s++) {
		printf("%-22s %10llu", sim_stat_names[s],
		       (unsigned long long)sim_stats_total(&r->stats, s));
		if (c->cpus > 1)
			for (unsigned int cpu = 0; cpu < c->cpus; cpu++)
				printf(" %10llu", (unsigned long long)
							  r->stats.cpu[cpu][s]);
		putchar('\n');
	}
	if (!c->sanitize)
		printf("\nsanitizer: off\n");
	if (!r->nr_findings) {
		printf("\nfindings: none\n");
		return;
	}
	printf("\nfindings: %zu%s\n", r->nr_findings + r->findings_dropped,
	       r->findings_dropped ? " (first 1000 shown)" : "");
	for (size_t i = 0; i < r->nr_findings; i++)
		lmm_print_finding(stdout, &r->findings[i]);
}

/*
 * --trace -: the trace takes standard output, the report goes to standard
 * error. Descriptor 1 is handed to the trace's stream and then made a copy
 * of 2, so that everything printed to stdout lands on stderr.
 */
static int trace_to_stdout(struct lmm_run_config *c)
{
	int fd;

	fflush(stdout);
	fd = dup(STDOUT_FILENO);
	if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		return lmm_usage_error("run: --trace -: %s", strerror(errno));
	c->trace_stream = fdopen(fd, "w");
	if (!c->trace_stream)
		return lmm_usage_error("run: --trace -: %s", strerror(errno));
	return 0;
}

int lmm_cmd_run(int argc, char **argv)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	bool json = false;
	char err[320] = "";
	int ret;

	lmm_run_defaults(&c);
	ret = parse(argc, argv, &c, &json);
	if (ret < 0)
		return LMM_EXIT_CLEAN;
	if (ret)
		return ret;
	if (c.trace && !strcmp(c.trace, "-") && trace_to_stdout(&c))
		return LMM_EXIT_USAGE;
	if (lmm_run(&c, &r, err, sizeof(err))) {
		if (c.trace_stream)
			fclose(c.trace_stream);
		return lmm_usage_error("run: %s", err);
	}
	if (c.trace_stream &&
	    lmm_finish_stream(c.trace_stream, "run: --trace -", true)) {
		lmm_run_result_free(&r);
		return LMM_EXIT_USAGE;
	}
	if (json)
		print_json(&c, &r);
	else
		print_text(&c, &r);
	ret = r.nr_findings ? LMM_EXIT_FINDINGS : LMM_EXIT_CLEAN;
	lmm_run_result_free(&r);
	return ret;
}
