// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lazymmu run: one workload on one architecture model, its event counts and
 * the sanitizer's findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/run.h"
#include "cli/lmm.h"

static int usage(FILE *f)
{
	fputs("usage: lazymmu run --arch A --workload W [--kernel V] [--fix F]...\n"
	      "                   [--design D] [--lazy on|off] [--pages N] [--cpus N]\n"
	      "                   [--seed S] [--json] [--trace FILE] [--sched random|rr]\n"
	      "                   [--debug-pagealloc] [--no-irq] [--no-sanitize]\n"
	      "                   [--tlb-entries N] [--tlb-evict fifo|random]\n"
	      "defaults: --arch arm64 --workload vmalloc --kernel 7.1 --lazy on\n"
	      "          --pages 512 --cpus 1 --seed 1 --sched random\n"
	      "          --design: the kernel version's (passthrough before 7.0)\n"
	      "(lazymmu list shows the arches, versions, workloads, fixes and\n"
	      "designs; --fix may be given more than once)\n",
	      f);
	return f == stderr ? LMM_EXIT_USAGE : LMM_EXIT_CLEAN;
}

/* Options of run (and, later, check) that take a value. */
static const char *const valued[] = {
	"--arch",	 "--workload", "--kernel",    "--fix",	"--design",
	"--lazy",	 "--pages",    "--cpus",      "--seed", "--sched",
	"--tlb-entries", "--trace",    "--tlb-evict", NULL
};

static bool takes_value(const char *opt)
{
	for (const char *const *v = valued; *v; v++)
		if (!strcmp(*v, opt))
			return true;
	return false;
}

static int parse(int argc, char **argv, struct lmm_run_config *c, bool *json)
{
	unsigned long v;

	for (int i = 0; i < argc; i++) {
		char opt[32];
		const char *val = NULL, *eq = strchr(argv[i], '=');

		if (eq && (size_t)(eq - argv[i]) < sizeof(opt)) {
			snprintf(opt, sizeof(opt), "%.*s", (int)(eq - argv[i]),
				 argv[i]);
			val = eq + 1;
		} else {
			snprintf(opt, sizeof(opt), "%s", argv[i]);
		}
		if (takes_value(opt) && !val) {
			if (i + 1 >= argc)
				return lmm_usage_error("run: %s needs a value",
						       opt);
			val = argv[++i];
		} else if (!takes_value(opt) && val) {
			return lmm_usage_error("run: %s takes no value", opt);
		}

		if (!strcmp(opt, "--arch")) {
			c->arch = val;
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
			if (lmm_parse_ulong("--pages", val, 1, LMM_MAX_PAGES,
					    &c->pages))
				return LMM_EXIT_USAGE;
		} else if (!strcmp(opt, "--cpus")) {
			if (lmm_parse_ulong("--cpus", val, 1, 16, &v))
				return LMM_EXIT_USAGE;
			c->cpus = (unsigned int)v;
		} else if (!strcmp(opt, "--seed")) {
			if (lmm_parse_ulong("--seed", val, 0, ~0UL, &v))
				return LMM_EXIT_USAGE;
			c->seed = v;
		} else if (!strcmp(opt, "--sched")) {
			c->sched = val;
		} else if (!strcmp(opt, "--tlb-entries")) {
			if (lmm_parse_ulong("--tlb-entries", val, 1, 4096, &v))
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
			lmm_usage_error("run: unknown option '%s'", argv[i]);
			return usage(stderr);
		}
	}
	return 0;
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

static void print_text(const struct lmm_run_config *c,
		       const struct lmm_run_result *r)
{
	printf("lazymmu run: arch %s, kernel %s, workload %s, %lu page%s, "
	       "%u CPU%s, lazy %s%s%s, sched %s, seed %llu%s",
	       c->arch, r->kernel, c->workload, c->pages,
	       c->pages == 1 ? "" : "s", c->cpus, c->cpus == 1 ? "" : "s",
	       r->lazy ? "on" :
	       c->lazy ? "off (the arch has no lazy MMU mode)" :
			 "off",
	       r->design ? ", design " : "", r->design ? r->design : "",
	       c->sched, (unsigned long long)c->seed,
	       c->debug_pagealloc ? ", DEBUG_PAGEALLOC" : "");
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
		printf("  %-16s %s\n", r->findings[i].kind,
		       r->findings[i].message);
}

int lmm_cmd_run(int argc, char **argv)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	bool json = false;
	char err[256];
	int ret;

	lmm_run_defaults(&c);
	ret = parse(argc, argv, &c, &json);
	if (ret < 0)
		return LMM_EXIT_CLEAN;
	if (ret)
		return ret;
	if (lmm_run(&c, &r, err, sizeof(err)))
		return lmm_usage_error("run: %s", err);
	if (json)
		print_json(&c, &r);
	else
		print_text(&c, &r);
	ret = r.nr_findings ? LMM_EXIT_FINDINGS : LMM_EXIT_CLEAN;
	lmm_run_result_free(&r);
	return ret;
}
