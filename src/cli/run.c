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

		if (x->pending)
			continue;
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
	      "                   [--stop-on-first] [--json] [--trace FILE]\n"
	      "                   [--trace-limit SIZE] [--save-choices FILE]\n"
	      "       lazymmu run --replay FILE [--json] [--trace FILE]\n"
	      "                   [--trace-limit SIZE] [--save-choices FILE]\n",
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
	fprintf(f, " (default %s)\n", lmm_newest_kernel);
	/* labels of proposed series, each for its one arch */
	for (const struct sim_kernel_label *l = sim_kernel_labels; l->name; l++)
		fprintf(f, "                    %s: %s only\n", l->name,
			l->arch);
	fputs("  --design D        ", f);
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
		"  --stop-on-first   end the run at its first finding\n"
		"  --save-choices FILE  write the run's options and every "
		"scheduler choice\n"
		"                    to FILE (- is stdout, as for --trace)\n"
		"  --replay FILE     run again from such a file (- is stdin)\n"
		"A value goes in the next word or after '='; one that begins "
		"with '-'\nafter '=' only. lazymmu list shows what each name "
		"means.\n",
		LMM_MAX_PAGES, LMM_MAX_TOTAL_PAGES, SIM_MAX_CPUS);
	return f == stderr ? LMM_EXIT_USAGE : LMM_EXIT_CLEAN;
}

/* Options of run (and, later, check) that take a value, and those that do not. */
static const char *const valued[] = {
	"--arch",      "--workload",	"--kernel",	  "--fix",
	"--design",    "--lazy",	"--pages",	  "--cpus",
	"--seed",      "--sched",	"--tlb-entries",  "--trace",
	"--tlb-evict", "--trace-limit", "--save-choices", "--replay",
	NULL
};

static const char *const flags[] = { "--json",		"--debug-pagealloc",
				     "--no-irq",	"--no-sanitize",
				     "--stop-on-first", "-h",
				     "--help",		NULL };

/* Options that say where the output goes, not what the run does. */
static const char *const output_options[] = { "--json",	       "--trace",
					      "--trace-limit", "--save-choices",
					      "--replay",      "-h",
					      "--help",	       NULL };

/* What `run` does with a run besides running it: output and choices. */
struct run_io {
	bool json;
	const char *save_choices; /* write the run's choices here */
	const char *replay; /* take the run and its choices from here */
	const char *semantic; /* the first option that changes the run */
};

static int parse(int argc, char **argv, struct lmm_run_config *c,
		 struct run_io *io)
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

	for (;;) {
		int word = a.i;
		bool output = false;

		ret = lmm_next_option(&a, opt, sizeof(opt), &val);
		if (ret != 1)
			break;
		for (const char *const *o = output_options; *o; o++)
			output |= !strcmp(*o, opt);
		if (!io->semantic && !output)
			io->semantic = argv[word];
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
	printf(",\"stop_on_first\":%s", c->stop_on_first ? "true" : "false");
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
	if (c->stop_on_first)
		fputs(", stop-on-first", stdout);
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
		lmm_print_finding(stdout, &r->findings[i]);
}

/*
 * --trace - (or --save-choices -): the trace takes standard output, the
 * report goes to standard error. Descriptor 1 is handed to the trace's
 * stream and then made a copy of 2, so that everything printed to stdout
 * lands on stderr.
 */
static FILE *take_stdout(const char *opt)
{
	FILE *f;
	int fd;

	fflush(stdout);
	fd = dup(STDOUT_FILENO);
	if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ||
	    !(f = fdopen(fd, "w"))) {
		lmm_usage_error("run: %s -: %s", opt, strerror(errno));
		return NULL;
	}
	return f;
}

/* ---- recorded choices: --save-choices and --replay ------------------------ */

#define CHOICES_MAGIC "lazymmu-choices 1"

/*
 * The file: a first line naming the format, every option of the run (one
 * a line, as on the command line, so that --replay alone reproduces it),
 * "choices N", then one line per choice (sim_choice_format()).
 */
static int save_choices(const char *path, FILE *stream,
			const struct lmm_run_config *c,
			const struct lmm_run_result *r)
{
	FILE *f = stream ? stream : fopen(path, "w");
	char what[4200];
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
	snprintf(what, sizeof(what), "run: --save-choices %s", path);
	return lmm_finish_stream(f, what, true);
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
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
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
		    !strcmp(argv[0], "--trace") ||
		    !strcmp(argv[0], "--trace-limit"))
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
	FILE *choices = NULL; /* --save-choices - */
	char err[320] = "";
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
				"from the file (only --json, --trace, "
				"--trace-limit and --save-choices may go "
				"with it)",
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
	/* what the run will do (lmm_run() too): shown, saved, replayed */
	if (lmm_workload_debug_pagealloc(lmm_workload_find(c.workload)))
		c.debug_pagealloc = true;
	if (c.trace && !strcmp(c.trace, "-") && io.save_choices &&
	    !strcmp(io.save_choices, "-"))
		ret = lmm_usage_error("run: --trace - and --save-choices -: "
				      "only one may take standard output");
	else if (c.trace && !strcmp(c.trace, "-") &&
		 !(c.trace_stream = take_stdout("--trace")))
		ret = LMM_EXIT_USAGE;
	else if (io.save_choices && !strcmp(io.save_choices, "-") &&
		 !(choices = take_stdout("--save-choices")))
		ret = LMM_EXIT_USAGE;
	if (ret) {
		free(rf.text);
		free(rf.rec);
		return ret;
	}
	ret = lmm_run(&c, &r, err, sizeof(err));
	if (!ret && c.trace_stream &&
	    lmm_finish_stream(c.trace_stream, "run: --trace -", true)) {
		lmm_run_result_free(&r);
		ret = -2;
	} else if (c.trace_stream && ret) {
		fclose(c.trace_stream);
	}
	if (ret) {
		if (ret == -2)
			ret = LMM_EXIT_USAGE;
		else if (io.replay && !strstr(err, io.replay))
			ret = lmm_usage_error("run: --replay %s: %s", io.replay,
					      err);
		else
			ret = lmm_usage_error("run: %s", err);
		if (choices)
			fclose(choices);
		free(rf.text);
		free(rf.rec);
		return ret;
	}
	if (io.save_choices)
		ret = save_choices(io.save_choices, choices, &c, &r);
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
