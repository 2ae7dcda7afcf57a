// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lazymmu run: one workload on one architecture model, its event counts and
 * the sanitizer's findings.
 */
#include <errno.h>
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
	      "                   [--stop-on-first] [--save-choices FILE]\n"
	      "       lazymmu run --replay FILE [--json] [--trace FILE]\n"
	      "                   [--save-choices FILE]\n"
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
	"--arch",      "--workload",	 "--kernel",	  "--fix",
	"--design",    "--lazy",	 "--pages",	  "--cpus",
	"--seed",      "--sched",	 "--tlb-entries", "--trace",
	"--tlb-evict", "--save-choices", "--replay",	  NULL
};

/* What `run` does with a run besides running it: output and choices. */
struct run_io {
	bool json;
	const char *save_choices; /* write the run's choices here */
	const char *replay; /* take the run and its choices from here */
	const char *semantic; /* the first option that changes the run */
};

static bool takes_value(const char *opt)
{
	for (const char *const *v = valued; *v; v++)
		if (!strcmp(*v, opt))
			return true;
	return false;
}

static int parse(int argc, char **argv, struct lmm_run_config *c,
		 struct run_io *io)
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
		if (!io->semantic && strcmp(opt, "--json") &&
		    strcmp(opt, "--trace") && strcmp(opt, "--save-choices") &&
		    strcmp(opt, "--replay") && strcmp(opt, "-h") &&
		    strcmp(opt, "--help"))
			io->semantic = argv[i];
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
		} else if (!strcmp(opt, "--save-choices")) {
			io->save_choices = val;
		} else if (!strcmp(opt, "--replay")) {
			io->replay = val;
		} else if (!strcmp(opt, "--stop-on-first")) {
			c->stop_on_first = true;
		} else if (!strcmp(opt, "--json")) {
			io->json = true;
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
	printf(",\"choices\":%zu,\"stopped\":%s", r->nr_choices,
	       r->stopped ? "true" : "false");
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
	if (r->stopped)
		printf("\nthe run stopped early: %s\n",
		       c->stop_on_first ?
			       "at its first finding (--stop-on-first)" :
			       "at a deadlock, its tasks abandoned");
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

/* ---- recorded choices: --save-choices and --replay ------------------------ */

#define CHOICES_MAGIC "lazymmu-choices 1"

/*
 * The file: a first line naming the format, every option of the run (one
 * a line, as on the command line, so that --replay alone reproduces it),
 * "choices N", then one line per choice (sim_choice_format()).
 */
static int save_choices(const char *path, const struct lmm_run_config *c,
			const struct lmm_run_result *r)
{
	FILE *f = fopen(path, "w");
	char line[64];

	if (!f)
		return lmm_usage_error("run: --save-choices %s: %s", path,
				       strerror(errno));
	fprintf(f, "%s\n", CHOICES_MAGIC);
	fprintf(f, "--arch %s\n--kernel %s\n--workload %s\n--lazy %s\n",
		c->arch, r->kernel, c->workload, c->lazy ? "on" : "off");
	fprintf(f, "--pages %lu\n--cpus %u\n--seed %llu\n--sched %s\n",
		c->pages, c->cpus, (unsigned long long)c->seed,
		c->sched ? c->sched : "random");
	if (c->design)
		fprintf(f, "--design %s\n", c->design);
	for (unsigned int i = 0; i < c->nr_fixes; i++)
		fprintf(f, "--fix %s\n", c->fixes[i]);
	if (c->tlb_entries)
		fprintf(f, "--tlb-entries %u\n", c->tlb_entries);
	fprintf(f, "--tlb-evict %s\n", c->tlb_random_evict ? "random" : "fifo");
	if (c->debug_pagealloc)
		fputs("--debug-pagealloc\n", f);
	if (!c->irqs)
		fputs("--no-irq\n", f);
	if (!c->sanitize)
		fputs("--no-sanitize\n", f);
	if (c->stop_on_first)
		fputs("--stop-on-first\n", f);
	fprintf(f, "choices %zu\n", r->nr_choices);
	for (size_t i = 0; i < r->nr_choices; i++) {
		sim_choice_format(&r->choices[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (fclose(f))
		return lmm_usage_error("run: --save-choices %s: %s", path,
				       strerror(errno));
	return 0;
}

struct replay_file {
	char *text; /* the file, its lines cut in place */
	struct sim_choice_rec *rec;
	size_t nr;
	unsigned int first_line; /* the line of the first choice */
};

static int replay_error(const char *path, unsigned int line, const char *what)
{
	return lmm_usage_error("run: --replay %s:%u: %s", path, line, what);
}

/* The whole of @path, NUL-terminated; NULL with errno set on failure. */
static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 4096, got;
	char *buf = NULL, *nbuf;

	if (!f)
		return NULL;
	for (;;) {
		nbuf = realloc(buf, cap + 1);
		if (!nbuf)
			break;
		buf = nbuf;
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (len < cap)
			break;
		cap *= 2;
	}
	if (!nbuf || ferror(f)) {
		free(buf);
		fclose(f);
		errno = nbuf ? EIO : ENOMEM;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	return buf;
}

/*
 * Read a choices file: its options into @c, its choices into @rf. Returns
 * 0, or prints a message naming the file and line and returns 2.
 */
static int load_replay(const char *path, struct lmm_run_config *c,
		       struct replay_file *rf)
{
	char *p, *line, err[128];
	unsigned int ln = 0;
	unsigned long nr = 0;
	bool have_count = false;
	int ret;

	memset(rf, 0, sizeof(*rf));
	rf->text = read_all(path);
	if (!rf->text)
		return lmm_usage_error("run: --replay %s: %s", path,
				       errno == EINVAL ? "not a text file" :
							 strerror(errno));
	for (p = rf->text; *p || !have_count; ln++) {
		char *nl, *argv[2];
		int argc = 1;
		struct run_io io = { 0 };

		if (!*p)
			return replay_error(path, ln + 1,
					    "the file ends before its choices "
					    "('choices N')");
		line = p;
		nl = strchr(p, '\n');
		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p += strlen(p);
		}
		if (ln == 0) {
			if (strcmp(line, CHOICES_MAGIC))
				return replay_error(
					path, 1,
					"not a lazymmu choices file (the first "
					"line must be '" CHOICES_MAGIC "')");
			continue;
		}
		if (have_count) {
			if (rf->nr == nr)
				return replay_error(path, ln + 1,
						    "more choices than the "
						    "'choices' line says");
			if (sim_choice_parse(line, &rf->rec[rf->nr], err,
					     sizeof(err)))
				return replay_error(path, ln + 1, err);
			rf->nr++;
			continue;
		}
		if (!strncmp(line, "choices ", 8)) {
			char *end;

			errno = 0;
			nr = strtoul(line + 8, &end, 10);
			if (errno || *end || end == line + 8 ||
			    line[8] == '-' || nr > 100000000UL)
				return replay_error(path, ln + 1,
						    "expected 'choices N'");
			rf->rec = calloc(nr ? nr : 1, sizeof(*rf->rec));
			if (!rf->rec)
				return replay_error(path, ln + 1,
						    "too many choices");
			have_count = true;
			rf->first_line = ln + 2;
			continue;
		}
		if (strncmp(line, "--", 2))
			return replay_error(path, ln + 1,
					    "expected an option of the run "
					    "('--name value') or 'choices N'");
		argv[0] = line;
		nl = strchr(line, ' ');
		if (nl) {
			*nl = '\0';
			argv[1] = nl + 1;
			argc = 2;
		}
		ret = parse(argc, argv, c, &io);
		if (ret)
			return replay_error(path, ln + 1,
					    ret < 0 ? "--help is no option "
						      "of a run" :
						      "bad option (above)");
		if (io.json || io.replay || io.save_choices ||
		    !strcmp(argv[0], "--trace"))
			return replay_error(path, ln + 1,
					    "an output option, not an option "
					    "of the run");
	}
	if (rf->nr != nr)
		return replay_error(path, ln + 1,
				    "the file ends before its last choice");
	return 0;
}

int lmm_cmd_run(int argc, char **argv)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	struct replay_file rf = { 0 };
	struct run_io io = { 0 };
	char err[320];
	int ret;

	lmm_run_defaults(&c);
	ret = parse(argc, argv, &c, &io);
	if (ret < 0)
		return LMM_EXIT_CLEAN;
	if (ret)
		return ret;
	if (io.replay) {
		if (io.semantic)
			return lmm_usage_error(
				"run: %s with --replay: the run's options come "
				"from the file (only --json, --trace and "
				"--save-choices may go with it)",
				io.semantic);
		ret = load_replay(io.replay, &c, &rf);
		if (ret) {
			free(rf.text);
			free(rf.rec);
			return ret;
		}
		c.replay = rf.rec;
		c.nr_replay = rf.nr;
		c.replay_name = io.replay;
		c.replay_line = rf.first_line;
	}
	c.record_choices = io.save_choices != NULL;
	ret = lmm_run(&c, &r, err, sizeof(err));
	if (ret) {
		if (io.replay && !strstr(err, io.replay))
			ret = lmm_usage_error("run: --replay %s: %s", io.replay,
					      err);
		else
			ret = lmm_usage_error("run: %s", err);
		free(rf.text);
		free(rf.rec);
		return ret;
	}
	if (io.save_choices)
		ret = save_choices(io.save_choices, &c, &r);
	if (!ret) {
		if (io.json)
			print_json(&c, &r);
		else
			print_text(&c, &r);
		ret = r.nr_findings ? LMM_EXIT_FINDINGS : LMM_EXIT_CLEAN;
	}
	lmm_run_result_free(&r);
	free(rf.text);
	free(rf.rec);
	return ret;
}
