// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lazymmu check: the model checker (src/check/explore.c) on a workload,
 * its findings each with the shortest trace found, drawn in columns; the
 * replay of a saved trace; shards run here (--jobs) or elsewhere (--shard)
 * and merged (--merge). docs/checker.md says how it works.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check/columns.h"
#include "check/explore.h"
#include "check/run.h"
#include "check/trace.h"
#include "cli/lmm.h"
#include "mm/mm.h"
#include "sim/arch.h"

#define CHECK_MAGIC "lazymmu-check 1"
#define CHECK_DEFAULT_PAGES 4
#define CHECK_DEFAULT_CPUS 2
#define CHECK_MAX_JOBS 256
#define CHECK_TRACE_ROWS 40 /* rows of each trace in the summary */
#define CHECK_MAX_OPTS 32

/* Everything a check is: the run's machine and workload, the bounds. */
struct check {
	struct lmm_run_config run;
	unsigned int bound;
	bool irq;
	bool reduce;
	bool stop_on_first;
	uint64_t max_executions;
	unsigned int shard, nr_shards;
	unsigned int jobs;
	bool json;
	const char *save;
	const char *replay;
	const char *trace;
	bool merge;
	/* the options that describe the exploration, as words */
	char opts[CHECK_MAX_OPTS][96];
	unsigned int nr_opts;
	/* built */
	const struct lmm_workload *w;
	struct lmm_workload_params params;
	struct mc_config mc;
};

static int usage(FILE *f)
{
	fputs("usage: lazymmu check [--arch A] [--workload W] [--kernel V] "
	      "[--fix F]...\n"
	      "                     [--design D] [--lazy on|off] [--pages N] "
	      "[--cpus N]\n"
	      "                     [--debug-pagealloc] [--tlb-entries N] "
	      "[--tlb-evict fifo|random]\n"
	      "                     [--preemption-bound K] [--irq on|off] "
	      "[--no-reduce]\n"
	      "                     [--max-executions N] [--stop-on-first] "
	      "[--jobs N]\n"
	      "                     [--shard I/N] [--json] [--save FILE]\n"
	      "       lazymmu check --replay FILE [--json] [--trace FILE]\n"
	      "       lazymmu check --merge [--json] FILE...\n",
	      f);
	fprintf(f,
		"  the machine and workload: as for lazymmu run (lazymmu run "
		"--help), but\n"
		"                    --pages defaults to %d (or the fewest that reach the\n"
		"                    workload's chain: debug-pagealloc 8) and --cpus to %d\n"
		"  --preemption-bound K  preemptions per execution, 0..%d "
		"(default %d): a CPU\n"
		"                    switch, a preemption or an interrupt where "
		"the running\n"
		"                    task could have gone on\n"
		"  --irq on|off      interrupts at every scheduling point "
		"(default on)\n"
		"  --no-reduce       no sleep sets: every interleaving in the "
		"bound\n"
		"  --max-executions N  stop after N executions\n"
		"  --stop-on-first   stop after the first execution with a "
		"finding\n"
		"  --jobs N          N processes here, 1..%d (default 1)\n"
		"  --shard I/N       explore only slice I of N (0 <= I < N)\n"
		"  --json            one JSON object instead of the text\n"
		"  --save FILE       write the first finding's trace, to "
		"replay\n"
		"  --replay FILE     run a saved trace again, drawn in columns\n"
		"  --trace FILE      with --replay: a Chrome trace of it too\n"
		"  --merge FILE...   join the JSON of shards into one result\n",
		CHECK_DEFAULT_PAGES, CHECK_DEFAULT_CPUS,
		MC_MAX_PREEMPTION_BOUND, MC_DEFAULT_PREEMPTION_BOUND,
		CHECK_MAX_JOBS);
	return f == stderr ? LMM_EXIT_USAGE : LMM_EXIT_CLEAN;
}

/* The run's options check takes, passed to lmm_run_option(). */
static const char *const run_valued[] = {
	"--arch",      "--workload", "--kernel", "--fix",
	"--design",    "--lazy",     "--pages",	 "--tlb-entries",
	"--tlb-evict", "--cpus",     NULL
};

static const char *const valued[] = { "--arch",
				      "--workload",
				      "--kernel",
				      "--fix",
				      "--design",
				      "--lazy",
				      "--pages",
				      "--tlb-entries",
				      "--tlb-evict",
				      "--cpus",
				      "--seed",
				      "--sched",
				      "--trace-limit",
				      "--save-choices",
				      "--preemption-bound",
				      "--irq",
				      "--max-executions",
				      "--jobs",
				      "--shard",
				      "--save",
				      "--replay",
				      "--trace",
				      NULL };

static const char *const flags[] = { "--json",		"--debug-pagealloc",
				     "--stop-on-first", "--no-reduce",
				     "--merge",		"--no-irq",
				     "--no-sanitize",	"-h",
				     "--help",		NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static void add_opt(struct check *k, const char *name, const char *val)
{
	if (k->nr_opts < CHECK_MAX_OPTS)
		snprintf(k->opts[k->nr_opts++], sizeof(k->opts[0]), "%s%s%s",
			 name, val ? " " : "", val ? val : "");
}

/* One option; 0, LMM_EXIT_USAGE, or -1 for --help. */
static int one_option(struct check *k, const char *opt, const char *val,
		      bool from_file)
{
	unsigned long v;

	if (in_list(run_valued, opt) || !strcmp(opt, "--debug-pagealloc")) {
		char *argv[2] = { (char *)opt, (char *)val };
		int ret = lmm_run_option(val ? 2 : 1, argv, &k->run);

		if (ret)
			return ret < 0 ? LMM_EXIT_USAGE : ret;
		/* the fixes are kept in order; the others once, last wins */
		for (unsigned int i = 0; i < k->nr_opts; i++) {
			if (strcmp(opt, "--fix") &&
			    !strncmp(k->opts[i], opt, strlen(opt)) &&
			    (k->opts[i][strlen(opt)] == ' ' ||
			     !k->opts[i][strlen(opt)])) {
				memmove(k->opts[i], k->opts[i + 1],
					(k->nr_opts - i - 1) *
						sizeof(k->opts[0]));
				k->nr_opts--;
				break;
			}
		}
		add_opt(k, opt, val);
		return 0;
	}
	if (!strcmp(opt, "--preemption-bound")) {
		if (lmm_parse_ulong("check: --preemption-bound", val, 0,
				    MC_MAX_PREEMPTION_BOUND, &v))
			return LMM_EXIT_USAGE;
		k->bound = (unsigned int)v;
	} else if (!strcmp(opt, "--irq")) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			return lmm_usage_error(
				"check: --irq '%s': expected on or off", val);
		k->irq = !strcmp(val, "on");
	} else if (!strcmp(opt, "--no-reduce")) {
		k->reduce = false;
	} else if (!from_file && !strcmp(opt, "--max-executions")) {
		if (lmm_parse_ulong("check: --max-executions", val, 1, ~0UL,
				    &v))
			return LMM_EXIT_USAGE;
		k->max_executions = v;
	} else if (!from_file && !strcmp(opt, "--stop-on-first")) {
		k->stop_on_first = true;
	} else if (!from_file && !strcmp(opt, "--jobs")) {
		if (lmm_parse_ulong("check: --jobs", val, 1, CHECK_MAX_JOBS,
				    &v))
			return LMM_EXIT_USAGE;
		k->jobs = (unsigned int)v;
	} else if (!from_file && !strcmp(opt, "--shard")) {
		unsigned long i, n;
		char *end, *end2;

		errno = 0;
		i = strtoul(val, &end, 10);
		n = *end == '/' ? strtoul(end + 1, &end2, 10) : 0;
		if (errno || end == val || *end != '/' || end2 == end + 1 ||
		    *end2 || val[0] < '0' || val[0] > '9' || end[1] < '0' ||
		    end[1] > '9' || n < 1 || n > 1000000 || i >= n)
			return lmm_usage_error(
				"check: --shard '%s': expected I/N with 0 <= I "
				"< N <= 1000000",
				val);
		k->shard = (unsigned int)i;
		k->nr_shards = (unsigned int)n;
	} else if (!from_file && !strcmp(opt, "--json")) {
		k->json = true;
	} else if (!from_file && !strcmp(opt, "--save")) {
		k->save = val;
	} else if (!from_file && !strcmp(opt, "--replay")) {
		k->replay = val;
	} else if (!from_file && !strcmp(opt, "--trace")) {
		k->trace = val;
	} else if (!from_file && !strcmp(opt, "--merge")) {
		k->merge = true;
	} else if (!from_file &&
		   (!strcmp(opt, "-h") || !strcmp(opt, "--help"))) {
		return -1;
	} else if (!strcmp(opt, "--seed") || !strcmp(opt, "--sched") ||
		   !strcmp(opt, "--no-irq") || !strcmp(opt, "--no-sanitize") ||
		   !strcmp(opt, "--save-choices") ||
		   !strcmp(opt, "--trace-limit")) {
		return lmm_usage_error(
			"check: %s is an option of run, not of check (the "
			"checker makes every choice itself; interrupts: --irq "
			"on|off; a trace to replay: --save)",
			opt);
	} else {
		if (from_file)
			return lmm_usage_error("check: unknown option '%s'",
					       opt);
		lmm_usage_error("check: unknown option '%s'", opt);
		return usage(stderr);
	}
	return 0;
}

static void check_defaults(struct check *k)
{
	memset(k, 0, sizeof(*k));
	lmm_run_defaults(&k->run);
	k->run.pages = CHECK_DEFAULT_PAGES;
	k->run.cpus = CHECK_DEFAULT_CPUS;
	k->bound = MC_DEFAULT_PREEMPTION_BOUND;
	k->irq = true;
	k->reduce = true;
	k->jobs = 1;
}

/* Whether option @name was given (on the command line or in a file). */
static bool opt_given(const struct check *k, const char *name)
{
	size_t len = strlen(name);

	for (unsigned int i = 0; i < k->nr_opts; i++)
		if (!strncmp(k->opts[i], name, len) && k->opts[i][len] == ' ')
			return true;
	return false;
}

/* The options that define the exploration, in the order of the file. */
static void canonical_opts(struct check *k, char out[][96], unsigned int *nr)
{
	char buf[96];

	static const char *const always[] = { "--arch", "--kernel", "--pages",
					      "--cpus" };

	*nr = 0;
	/* what defaults to something, written out: defaults may change */
	for (size_t a = 0; a < sizeof(always) / sizeof(always[0]); a++) {
		if (opt_given(k, always[a]))
			continue;
		if (a == 0)
			snprintf(buf, sizeof(buf), "--arch %s", k->run.arch);
		else if (a == 1)
			snprintf(buf, sizeof(buf), "--kernel %s",
				 k->run.kernel ? k->run.kernel :
						 lmm_newest_kernel);
		else if (a == 2)
			snprintf(buf, sizeof(buf), "--pages %lu", k->run.pages);
		else
			snprintf(buf, sizeof(buf), "--cpus %u", k->run.cpus);
		snprintf(out[(*nr)++], 96, "%s", buf);
	}
	for (unsigned int i = 0; i < k->nr_opts; i++)
		snprintf(out[(*nr)++], 96, "%s", k->opts[i]);
	snprintf(buf, sizeof(buf), "--preemption-bound %u", k->bound);
	snprintf(out[(*nr)++], 96, "%s", buf);
	snprintf(out[(*nr)++], 96, "--irq %s", k->irq ? "on" : "off");
	if (!k->reduce)
		snprintf(out[(*nr)++], 96, "--no-reduce");
}

/* ---- the machine ---------------------------------------------------------------- */

static void spawn(struct sim_machine *m, void *arg)
{
	struct check *k = arg;

	lmm_run_spawn(m, k->w, &k->params);
}

/* Build k->mc from the options; LMM_EXIT_USAGE after a message. */
static int build(struct check *k)
{
	char err[320];

	if (lmm_run_options(&k->run, &k->mc.opt, &k->w, err, sizeof(err)))
		return lmm_usage_error("check: %s", err);
	/*
	 * a workload whose chain needs more pages than the default
	 * (debug-pagealloc: the mmu_gather's batch page) gets them, unless
	 * --pages says otherwise
	 */
	if (!opt_given(k, "--pages") && k->w->check_pages > k->run.pages)
		k->run.pages = k->w->check_pages;
	/* shown and saved as the machine runs it (lmm_run_options()) */
	k->run.debug_pagealloc = k->mc.opt.debug_pagealloc;
	k->params.pages = k->run.pages;
	if (k->irq) {
		k->mc.opt.irq_handler = k->w->irq;
		k->mc.opt.irq_arg = &k->params;
	}
	k->mc.spawn = spawn;
	k->mc.spawn_arg = k;
	k->mc.sanitize = true;
	k->mc.preemption_bound = k->bound;
	k->mc.reduce = k->reduce;
	k->mc.max_executions = k->max_executions;
	k->mc.stop_on_first = k->stop_on_first;
	k->mc.shard = k->shard;
	k->mc.nr_shards = k->nr_shards;
	return 0;
}

/* ---- a finding's trace, replayed and drawn ------------------------------------------ */

struct drawn {
	struct mc_columns cols;
	struct sim_finding f; /* the finding at cols.stop_at */
	bool found;
	FILE *trace;
	struct trace_writer *tw;
};

static void capture(void *priv, const struct sim_event *ev)
{
	struct drawn *d = priv;

	/* the columns observer runs first: its count includes this event */
	if (ev->type == SIM_EV_FINDING && d->cols.events == d->cols.stop_at &&
	    !d->found && ev->finding) {
		d->f = *ev->finding;
		d->found = true;
	}
}

static void draw_attach(struct sim_machine *m, void *arg)
{
	struct drawn *d = arg;
	struct sim_observer o = mc_columns_observer(&d->cols);
	struct sim_observer cap = { .event = capture, .priv = d };

	sim_add_observer(m, &o);
	sim_add_observer(m, &cap);
	if (d->trace)
		d->tw = trace_attach(m, d->trace);
}

static void draw_finish(struct sim_machine *m, void *arg)
{
	struct drawn *d = arg;

	(void)m;
	if (d->tw)
		trace_finish(d->tw);
}

/* Replay @mf's trace into @d; 0, or LMM_EXIT_USAGE after a message. */
static int draw(struct check *k, const struct mc_finding *mf, struct drawn *d,
		FILE *trace)
{
	struct mc_hooks h = { draw_attach, draw_finish, d };
	char err[320];

	memset(d, 0, sizeof(*d));
	mc_columns_init(&d->cols, k->run.cpus, mf->events);
	d->trace = trace;
	if (mc_replay(&k->mc, mf->choices, mf->nr_choices, &h, err,
		      sizeof(err))) {
		mc_columns_free(&d->cols);
		return lmm_usage_error("check: %s%s%s",
				       k->replay ? k->replay : "",
				       k->replay ? ": " : "", err);
	}
	if (!d->found) {
		mc_columns_free(&d->cols);
		return lmm_usage_error("check: %s%sthe trace does not reach "
				       "its finding at event %llu",
				       k->replay ? k->replay : "",
				       k->replay ? ": " : "",
				       (unsigned long long)mf->events);
	}
	return 0;
}

/* ---- output ----------------------------------------------------------------------- */

static void header(const struct check *k, FILE *f)
{
	fprintf(f,
		"lazymmu check: arch %s, kernel %s, workload %s, %lu page%s, "
		"%u CPU%s, lazy %s%s%s%s, preemption bound %u, irq %s, %s",
		k->run.arch, k->run.kernel, k->run.workload, k->run.pages,
		k->run.pages == 1 ? "" : "s", k->run.cpus,
		k->run.cpus == 1 ? "" : "s", k->run.lazy ? "on" : "off",
		k->run.design ? ", design " : "",
		k->run.design ? k->run.design : "",
		k->run.debug_pagealloc ? ", DEBUG_PAGEALLOC" : "", k->bound,
		k->irq ? "on" : "off",
		k->reduce ? "sleep sets" : "no reduction");
	for (unsigned int i = 0; i < k->run.nr_fixes; i++)
		fprintf(f, ", fix %s", k->run.fixes[i]);
	if (k->run.tlb_entries != 64)
		fprintf(f, ", tlb-entries %u", k->run.tlb_entries);
	if (k->run.tlb_random_evict)
		fputs(", tlb-evict random", f);
	if (k->nr_shards > 1)
		fprintf(f, ", shard %u/%u", k->shard, k->nr_shards);
	fputc('\n', f);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct mc_finding *)a)->key,
		      ((const struct mc_finding *)b)->key);
}

static void print_text(struct check *k, struct mc_result *r)
{
	header(k, stdout);
	printf("executions: %llu%s, %llu cut by sleep sets",
	       (unsigned long long)r->executions,
	       r->complete ? " (complete: the bounded space is exhausted)" :
			     " (incomplete)",
	       (unsigned long long)r->redundant);
	if (r->foreign)
		printf(", %llu left to other shards",
		       (unsigned long long)r->foreign);
	printf("; at most %zu choices in one\n", r->max_depth);
	if (!r->nr_findings) {
		printf("findings: none\n");
		return;
	}
	printf("findings: %zu (deduplicated by kind and site)\n",
	       r->nr_findings);
	for (size_t i = 0; i < r->nr_findings; i++) {
		struct mc_finding *mf = &r->findings[i];
		struct drawn d;

		if (draw(k, mf, &d, NULL))
			continue;
		printf("\n");
		lmm_print_finding(stdout, &d.f);
		printf("    found in %llu execution%s; shortest trace: %llu "
		       "events, %zu choices%s\n",
		       (unsigned long long)mf->hits, mf->hits == 1 ? "" : "s",
		       (unsigned long long)mf->events, mf->nr_choices,
		       i == 0 && k->save ? " (saved)" : "");
		mc_columns_print(&d.cols, stdout, CHECK_TRACE_ROWS, "    ");
		mc_columns_free(&d.cols);
	}
}

static void json_rows(const struct mc_columns *c)
{
	fputs("\"rows\":[", stdout);
	for (size_t i = 0; i < c->nr_rows; i++) {
		const struct mc_row *r = &c->rows[i];

		printf("%s{\"event\":%llu,", i ? "," : "",
		       (unsigned long long)r->seq);
		if (r->col < 0)
			fputs("\"cpu\":null,\"column\":\"deferred\"", stdout);
		else
			printf("\"cpu\":%d,\"column\":\"CPU%d\"", r->col,
			       r->col);
		fputs(",\"text\":", stdout);
		lmm_json_string(r->text);
		/* the model's call that caused it, or null */
		fputs(",\"site\":", stdout);
		if (r->site) {
			fputs("{\"func\":", stdout);
			lmm_json_string(r->site->func);
			fputs(",\"file\":", stdout);
			lmm_json_string(r->site->file);
			printf(",\"line\":%d}", r->site->line);
		} else {
			fputs("null", stdout);
		}
		putchar('}');
	}
	putchar(']');
}

/*
 * The result as JSON. @draw_rows: replay each finding for its rows and its
 * full finding object (a shard written for --jobs needs neither).
 */
static void print_json(struct check *k, struct mc_result *r, bool draw_rows)
{
	char opts[CHECK_MAX_OPTS + 7][96], line[64];
	unsigned int nr;

	canonical_opts(k, opts, &nr);
	fputs("{\"command\":\"check\",\"arch\":", stdout);
	lmm_json_string(k->run.arch);
	fputs(",\"kernel\":", stdout);
	lmm_json_string(k->run.kernel);
	fputs(",\"workload\":", stdout);
	lmm_json_string(k->run.workload);
	fputs(",\"design\":", stdout);
	lmm_json_string(k->run.design);
	fputs(",\"fixes\":[", stdout);
	for (unsigned int i = 0; i < k->run.nr_fixes; i++) {
		if (i)
			putchar(',');
		lmm_json_string(k->run.fixes[i]);
	}
	printf("],\"pages\":%lu,\"cpus\":%u,\"lazy\":%s,"
	       "\"debug_pagealloc\":%s,\"preemption_bound\":%u,\"irq\":%s,"
	       "\"reduce\":%s,\"shard\":%u,\"shards\":%u",
	       k->run.pages, k->run.cpus, k->run.lazy ? "true" : "false",
	       k->run.debug_pagealloc ? "true" : "false", k->bound,
	       k->irq ? "true" : "false", k->reduce ? "true" : "false",
	       k->nr_shards > 1 ? k->shard : 0,
	       k->nr_shards > 1 ? k->nr_shards : 1);
	fputs(",\"options\":[", stdout);
	for (unsigned int i = 0; i < nr; i++) {
		if (i)
			putchar(',');
		lmm_json_string(opts[i]);
	}
	printf("],\"executions\":%llu,\"redundant\":%llu,\"foreign\":%llu,"
	       "\"complete\":%s,\"max_depth\":%zu,\"seconds\":%.3f",
	       (unsigned long long)r->executions,
	       (unsigned long long)r->redundant, (unsigned long long)r->foreign,
	       r->complete ? "true" : "false", r->max_depth, r->seconds);
	fputs(",\"findings\":[", stdout);
	for (size_t i = 0; i < r->nr_findings; i++) {
		struct mc_finding *mf = &r->findings[i];
		struct drawn d;
		bool drawn = draw_rows && !draw(k, mf, &d, NULL);
		const struct sim_finding *f = drawn ? &d.f : &mf->f;

		if (i)
			putchar(',');
		/* the finding as run prints it, then what check adds */
		lmm_print_finding_json(f, false);
		fputs(",\"key\":", stdout);
		lmm_json_string(mf->key);
		printf(",\"hits\":%llu,\"trace\":{\"events\":%llu,"
		       "\"choices\":[",
		       (unsigned long long)mf->hits,
		       (unsigned long long)mf->events);
		for (size_t c = 0; c < mf->nr_choices; c++) {
			sim_choice_format(&mf->choices[c], line, sizeof(line));
			if (c)
				putchar(',');
			lmm_json_string(line);
		}
		putchar(']');
		if (drawn) {
			putchar(',');
			json_rows(&d.cols);
			mc_columns_free(&d.cols);
		}
		fputs("}}", stdout);
	}
	puts("]}");
}

/* ---- --save and --replay ----------------------------------------------------------- */

/*
 * The file: CHECK_MAGIC, the options of the exploration (one a line, as on
 * the command line), "finding KEY", "events N", "choices N", then one line
 * per choice (sim_choice_format()), as `run --save-choices` writes its own.
 */
static int save_trace(struct check *k, const struct mc_finding *mf)
{
	char opts[CHECK_MAX_OPTS + 7][96], line[64], what[4200];
	unsigned int nr;
	FILE *f = fopen(k->save, "w");

	if (!f)
		return lmm_usage_error("check: --save %s: %s", k->save,
				       strerror(errno));
	canonical_opts(k, opts, &nr);
	fprintf(f, "%s\n", CHECK_MAGIC);
	for (unsigned int i = 0; i < nr; i++)
		fprintf(f, "%s\n", opts[i]);
	fprintf(f, "finding %s\nevents %llu\nchoices %zu\n", mf->key,
		(unsigned long long)mf->events, mf->nr_choices);
	for (size_t i = 0; i < mf->nr_choices; i++) {
		sim_choice_format(&mf->choices[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	snprintf(what, sizeof(what), "check: --save %s", k->save);
	return lmm_finish_stream(f, what, true);
}

/* The whole of @path (- is stdin), NUL-terminated; NULL on failure. */
static char *read_all(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t len = 0, cap = 4096;
	char *buf = NULL;

	if (!f)
		return NULL;
	for (;;) {
		char *nbuf = realloc(buf, cap + 1);

		if (!nbuf) {
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		buf = nbuf;
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		if (f != stdin)
			fclose(f);
		errno = EIO;
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	return buf;
}

static int file_error(const char *path, unsigned int line, const char *what)
{
	return lmm_usage_error("check: --replay %s:%u: %s", path, line, what);
}

/* Read a saved trace: options into @k, the finding into @mf. */
static int load_trace(struct check *k, const char *path, char **text,
		      struct mc_finding *mf)
{
	unsigned long nr = 0;
	unsigned int ln = 0;
	bool have_count = false;
	char *p, err[128];

	memset(mf, 0, sizeof(*mf));
	*text = read_all(path);
	if (!*text)
		return lmm_usage_error("check: --replay %s: %s", path,
				       errno == EINVAL ? "not a text file" :
							 strerror(errno));
	for (p = *text; *p || !have_count; ln++) {
		char *line = p, *nl, *end;

		if (!*p)
			return file_error(path, ln + 1,
					  "the file ends before its choices "
					  "('choices N')");
		nl = strchr(p, '\n');
		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p += strlen(p);
		}
		if (ln == 0) {
			if (strcmp(line, CHECK_MAGIC))
				return file_error(
					path, 1,
					"not a lazymmu check trace (the first "
					"line must be '" CHECK_MAGIC "')");
			continue;
		}
		if (have_count) {
			if (mf->nr_choices == nr)
				return file_error(path, ln + 1,
						  "more choices than the "
						  "'choices' line says");
			if (sim_choice_parse(line, &mf->choices[mf->nr_choices],
					     err, sizeof(err)))
				return file_error(path, ln + 1, err);
			mf->nr_choices++;
			continue;
		}
		if (!strncmp(line, "finding ", 8)) {
			snprintf(mf->key, sizeof(mf->key), "%s", line + 8);
			continue;
		}
		if (!strncmp(line, "events ", 7) ||
		    !strncmp(line, "choices ", 8)) {
			bool ev = line[0] == 'e';
			const char *num = line + (ev ? 7 : 8);
			unsigned long v;

			errno = 0;
			v = strtoul(num, &end, 10);
			if (errno || *end || end == num || *num < '0' ||
			    *num > '9' || v > 100000000UL || (ev && !v))
				return file_error(path, ln + 1,
						  ev ? "expected 'events N'" :
						       "expected 'choices N'");
			if (ev) {
				mf->events = v;
				continue;
			}
			nr = v;
			mf->choices = calloc(nr ? nr : 1, sizeof(*mf->choices));
			if (!mf->choices)
				return file_error(path, ln + 1,
						  "too many choices");
			have_count = true;
			continue;
		}
		if (strncmp(line, "--", 2))
			return file_error(
				path, ln + 1,
				"expected an option ('--name value'), "
				"'finding', 'events' or 'choices N'");
		nl = strchr(line, ' ');
		if (nl)
			*nl = '\0';
		if (!in_list(valued, line) && !in_list(flags, line))
			return file_error(path, ln + 1, "unknown option");
		if (in_list(valued, line) != (nl != NULL))
			return file_error(path, ln + 1,
					  nl ? "this option takes no value" :
					       "this option needs a value");
		if (one_option(k, line, nl ? nl + 1 : NULL, true))
			return file_error(path, ln + 1,
					  "not an option of the exploration "
					  "(above)");
	}
	if (mf->nr_choices != nr)
		return file_error(path, ln + 1,
				  "the file ends before its last choice");
	if (!mf->events)
		return file_error(path, ln + 1,
				  "no 'events N' line: which event is the "
				  "finding");
	return 0;
}

static int cmd_replay(struct check *k)
{
	struct mc_finding mf;
	struct drawn d;
	char *text = NULL;
	FILE *trace = NULL;
	int ret;

	ret = load_trace(k, k->replay, &text, &mf);
	if (!ret)
		ret = build(k);
	if (!ret && k->trace) {
		trace = strcmp(k->trace, "-") ? fopen(k->trace, "w") : NULL;
		if (!trace)
			ret = lmm_usage_error("check: --trace %s: %s", k->trace,
					      strcmp(k->trace, "-") ?
						      strerror(errno) :
						      "- is not supported "
						      "here; name a file");
	}
	if (!ret)
		ret = draw(k, &mf, &d, trace);
	if (trace && !ret) {
		char what[4200];

		snprintf(what, sizeof(what), "check: --trace %s", k->trace);
		ret = lmm_finish_stream(trace, what, true);
		trace = NULL;
	}
	if (trace)
		fclose(trace);
	if (!ret) {
		char key[MC_KEY_LEN];

		mc_finding_key(&d.f, key, sizeof(key));
		if (mf.key[0] && strcmp(mf.key, key)) {
			ret = lmm_usage_error(
				"check: --replay %s: the run diverges: it "
				"reaches another finding than the one saved "
				"('%s', not '%s'): the file was made for other "
				"options or another version",
				k->replay, key, mf.key);
			mc_columns_free(&d.cols);
			free(mf.choices);
			free(text);
			return ret;
		}
		if (k->json) {
			fputs("{\"command\":\"check\",\"replay\":", stdout);
			lmm_json_string(k->replay);
			fputs(",\"finding\":", stdout);
			lmm_print_finding_json(&d.f, false);
			fputs(",\"key\":", stdout);
			lmm_json_string(key);
			printf(",\"trace\":{\"events\":%llu,",
			       (unsigned long long)mf.events);
			json_rows(&d.cols);
			puts("}}}");
		} else {
			header(k, stdout);
			printf("replay of %s: %llu events, %zu choices\n\n",
			       k->replay, (unsigned long long)mf.events,
			       mf.nr_choices);
			mc_columns_print(&d.cols, stdout, 0, "");
			printf("\nfinding:\n");
			lmm_print_finding(stdout, &d.f);
		}
		mc_columns_free(&d.cols);
		ret = LMM_EXIT_FINDINGS;
	}
	free(mf.choices);
	free(text);
	return ret;
}

/* ---- reading a shard's JSON (--merge, --jobs) ---------------------------------------- */

/*
 * A JSON value, as much of JSON as check writes: objects, arrays, strings
 * (with the escapes lmm_json_string() writes), numbers, true, false, null.
 */
struct jv {
	char type; /* o a s n t f z(null) */
	char *str; /* s: the string; n: the number's text */
	char *key; /* in an object: the member's name */
	struct jv *kids; /* o, a */
	size_t nr;
};

struct jparse {
	const char *s;
	const char *err;
};

static void jskip(struct jparse *p)
{
	while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r')
		p->s++;
}

static char *jstring(struct jparse *p)
{
	size_t cap = 16, n = 0;
	char *out = malloc(cap);

	if (!out)
		abort();
	p->s++; /* the quote */
	while (*p->s && *p->s != '"') {
		char ch = *p->s++;

		if (ch == '\\') {
			ch = *p->s++;
			switch (ch) {
			case 'n':
				ch = '\n';
				break;
			case 't':
				ch = '\t';
				break;
			case 'r':
				ch = '\r';
				break;
			case 'b':
				ch = '\b';
				break;
			case 'f':
				ch = '\f';
				break;
			case 'u': {
				unsigned int v = 0;

				for (int i = 0; i < 4; i++) {
					char h = *p->s++;

					v = v * 16 +
					    (unsigned int)(h >= 'a' ?
								   h - 'a' +
									   10 :
							   h >= 'A' ?
								   h - 'A' +
									   10 :
								   h - '0');
				}
				ch = v < 0x80 ? (char)v : '?';
				break;
			}
			case '\0':
				p->err = "a string ends in an escape";
				free(out);
				return NULL;
			default:
				break;
			}
		}
		if (n + 2 > cap) {
			cap *= 2;
			out = realloc(out, cap);
			if (!out)
				abort();
		}
		out[n++] = ch;
	}
	if (*p->s != '"') {
		p->err = "a string is not closed";
		free(out);
		return NULL;
	}
	p->s++;
	out[n] = '\0';
	return out;
}

static bool jvalue(struct jparse *p, struct jv *v, int depth);

static bool jlist(struct jparse *p, struct jv *v, char close, int depth)
{
	size_t cap = 0;

	p->s++;
	jskip(p);
	if (*p->s == close) {
		p->s++;
		return true;
	}
	for (;;) {
		struct jv kid = { 0 };

		jskip(p);
		if (close == '}') {
			if (*p->s != '"') {
				p->err = "expected a member name";
				return false;
			}
			kid.key = jstring(p);
			if (!kid.key)
				return false;
			jskip(p);
			if (*p->s != ':') {
				free(kid.key);
				p->err = "expected ':'";
				return false;
			}
			p->s++;
		}
		if (!jvalue(p, &kid, depth + 1)) {
			free(kid.key);
			return false;
		}
		if (v->nr == cap) {
			cap = cap ? 2 * cap : 8;
			v->kids = realloc(v->kids, cap * sizeof(*v->kids));
			if (!v->kids)
				abort();
		}
		v->kids[v->nr++] = kid;
		jskip(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s == close) {
			p->s++;
			return true;
		}
		p->err = close == '}' ? "expected ',' or '}'" :
					"expected ',' or ']'";
		return false;
	}
}

static bool jvalue(struct jparse *p, struct jv *v, int depth)
{
	const char *start;

	jskip(p);
	if (depth > 64) {
		p->err = "nested too deep";
		return false;
	}
	switch (*p->s) {
	case '{':
		v->type = 'o';
		return jlist(p, v, '}', depth);
	case '[':
		v->type = 'a';
		return jlist(p, v, ']', depth);
	case '"':
		v->type = 's';
		v->str = jstring(p);
		return v->str != NULL;
	}
	if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "null", 4)) {
		v->type = p->s[0] == 't' ? 't' : 'z';
		p->s += 4;
		return true;
	}
	if (!strncmp(p->s, "false", 5)) {
		v->type = 'f';
		p->s += 5;
		return true;
	}
	start = p->s;
	while ((*p->s >= '0' && *p->s <= '9') || *p->s == '-' || *p->s == '.' ||
	       *p->s == 'e' || *p->s == 'E' || *p->s == '+')
		p->s++;
	if (p->s == start) {
		p->err = "expected a value";
		return false;
	}
	v->type = 'n';
	v->str = strndup(start, (size_t)(p->s - start));
	if (!v->str)
		abort();
	return true;
}

static void jfree(struct jv *v)
{
	for (size_t i = 0; i < v->nr; i++) {
		jfree(&v->kids[i]);
		free(v->kids[i].key);
	}
	free(v->kids);
	free(v->str);
}

static const struct jv *jget(const struct jv *o, const char *key, char type)
{
	if (!o || o->type != 'o')
		return NULL;
	for (size_t i = 0; i < o->nr; i++)
		if (!strcmp(o->kids[i].key, key))
			return o->kids[i].type == type ||
					       (type == 'b' &&
						(o->kids[i].type == 't' ||
						 o->kids[i].type == 'f')) ?
				       &o->kids[i] :
				       NULL;
	return NULL;
}

static bool jnum(const struct jv *o, const char *key, uint64_t *out)
{
	const struct jv *v = jget(o, key, 'n');
	char *end;

	if (!v || v->str[0] == '-')
		return false;
	errno = 0;
	*out = strtoull(v->str, &end, 10);
	return !errno && (!*end || *end == '.');
}

struct shard_in {
	const char *name;
	struct jv root;
	char *text;
};

/*
 * One shard's JSON into @k (its options, the first time; later ones must
 * be the same) and @r. Returns 0 or LMM_EXIT_USAGE after a message.
 */
static int merge_one(struct check *k, struct shard_in *in, struct mc_result *r,
		     bool first, bool *seen, unsigned int *nr_shards)
{
	struct jparse p;
	const struct jv *opts, *fs, *v;
	uint64_t exec, red, foreign, depth, shard, shards;
	double secs = 0;
	bool ok;

	in->text = read_all(in->name);
	if (!in->text)
		return lmm_usage_error("check: --merge %s: %s", in->name,
				       errno == EINVAL ? "not a text file" :
							 strerror(errno));
	p.s = in->text;
	p.err = NULL;
	ok = jvalue(&p, &in->root, 0);
	if (ok) {
		jskip(&p);
		if (*p.s) {
			ok = false;
			p.err = "text after the object";
		}
	}
	if (!ok)
		return lmm_usage_error("check: --merge %s: not JSON: %s (at "
				       "byte %zu)",
				       in->name, p.err,
				       (size_t)(p.s - in->text));
	opts = jget(&in->root, "options", 'a');
	fs = jget(&in->root, "findings", 'a');
	if (!opts || !fs || !jnum(&in->root, "executions", &exec) ||
	    !jnum(&in->root, "redundant", &red) ||
	    !jnum(&in->root, "foreign", &foreign) ||
	    !jnum(&in->root, "max_depth", &depth) ||
	    !jnum(&in->root, "shard", &shard) ||
	    !jnum(&in->root, "shards", &shards) ||
	    !jget(&in->root, "complete", 'b'))
		return lmm_usage_error(
			"check: --merge %s: not the JSON of lazymmu check "
			"(options, executions, complete, findings...)",
			in->name);
	if (first) {
		for (size_t i = 0; i < opts->nr; i++) {
			char word[96], *sp;
			int ret;

			if (opts->kids[i].type != 's')
				return lmm_usage_error(
					"check: --merge %s: bad options",
					in->name);
			/* split in place: the run keeps pointers to it */
			snprintf(word, sizeof(word), "%s", opts->kids[i].str);
			sp = strchr(opts->kids[i].str, ' ');
			if (sp)
				*sp = '\0';
			ret = one_option(k, opts->kids[i].str,
					 sp ? sp + 1 : NULL, true);
			if (ret)
				return lmm_usage_error(
					"check: --merge %s: bad option '%s'",
					in->name, word);
		}
		*nr_shards = (unsigned int)shards;
	} else {
		char mine[CHECK_MAX_OPTS + 7][96];
		unsigned int nr;

		canonical_opts(k, mine, &nr);
		ok = nr == opts->nr && shards == *nr_shards;
		for (size_t i = 0; ok && i < nr; i++)
			ok = opts->kids[i].type == 's' &&
			     !strcmp(opts->kids[i].str, mine[i]);
		if (!ok)
			return lmm_usage_error(
				"check: --merge %s: another exploration than "
				"%s (its options or shard count differ)",
				in->name, "the first file's");
	}
	if (shards < 1 || shards > 1000000 || shard >= shards)
		return lmm_usage_error("check: --merge %s: bad shard %llu/%llu",
				       in->name, (unsigned long long)shard,
				       (unsigned long long)shards);
	if (seen[shard])
		return lmm_usage_error("check: --merge %s: shard %llu/%llu "
				       "given twice",
				       in->name, (unsigned long long)shard,
				       (unsigned long long)shards);
	seen[shard] = true;
	r->executions += exec;
	r->redundant += red;
	r->foreign += foreign;
	if (depth > r->max_depth)
		r->max_depth = depth;
	v = jget(&in->root, "seconds", 'n');
	if (v)
		secs = strtod(v->str, NULL);
	if (secs > r->seconds)
		r->seconds = secs;
	if (jget(&in->root, "complete", 'b')->type != 't')
		r->complete = false;
	for (size_t i = 0; i < fs->nr; i++) {
		const struct jv *f = &fs->kids[i];
		const struct jv *key = jget(f, "key", 's');
		const struct jv *kind = jget(f, "kind", 's');
		const struct jv *msg = jget(f, "message", 's');
		const struct jv *tr = jget(f, "trace", 'o');
		const struct jv *ch = jget(tr, "choices", 'a');
		struct sim_choice_rec *rec;
		struct sim_finding sf = { 0 };
		uint64_t events, hits;
		char err[128];

		if (!key || !kind || !msg || !ch ||
		    !jnum(tr, "events", &events) || !jnum(f, "hits", &hits))
			return lmm_usage_error("check: --merge %s: finding %zu "
					       "lacks key, kind, message, hits "
					       "or trace",
					       in->name, i + 1);
		rec = calloc(ch->nr ? ch->nr : 1, sizeof(*rec));
		if (!rec)
			abort();
		for (size_t c = 0; c < ch->nr; c++) {
			if (ch->kids[c].type != 's' ||
			    sim_choice_parse(ch->kids[c].str, &rec[c], err,
					     sizeof(err))) {
				free(rec);
				return lmm_usage_error(
					"check: --merge %s: finding %zu, "
					"choice %zu: %s",
					in->name, i + 1, c + 1,
					ch->kids[c].type == 's' ?
						err :
						"not a string");
			}
		}
		snprintf(sf.kind, sizeof(sf.kind), "%s", kind->str);
		snprintf(sf.message, sizeof(sf.message), "%s", msg->str);
		sf.cpu = -1;
		mc_merge_finding(r, &sf, key->str, events, rec, ch->nr, hits);
		free(rec);
	}
	return 0;
}

/* ---- exploring: here, in jobs, merged ------------------------------------------------ */

static void progress(const struct mc_result *r, void *arg)
{
	(void)arg;
	fprintf(stderr,
		"\rcheck: %llu executions, %.0f/s, depth %zu, %zu findings, "
		"%.1f s   ",
		(unsigned long long)r->executions,
		r->seconds > 0 ? (double)r->executions / r->seconds : 0.0,
		r->max_depth, r->nr_findings, r->seconds);
}

static void free_inputs(struct shard_in *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		jfree(&in[i].root);
		free(in[i].text);
	}
	free(in);
}

/*
 * --jobs N: N processes, each one slice of the shard, writing its result
 * as JSON to a file of its own; then merged here.
 */
static int run_jobs(struct check *k, struct mc_result *r)
{
	struct shard_in *in = calloc(k->jobs, sizeof(*in));
	char dir[] = "/tmp/lazymmu-check-XXXXXX";
	char(*names)[64] = calloc(k->jobs, sizeof(*names));
	unsigned int nr = k->nr_shards > 1 ? k->nr_shards : 1;
	bool *seen = calloc(nr, sizeof(*seen));
	int ret = 0;

	if (!in || !names || !seen)
		abort();
	if (!mkdtemp(dir)) {
		free(in);
		free(names);
		free(seen);
		return lmm_usage_error("check: --jobs: %s", strerror(errno));
	}
	fflush(stdout);
	fflush(stderr);
	for (unsigned int j = 0; j < k->jobs; j++) {
		pid_t pid;

		snprintf(names[j], sizeof(names[j]), "%s/%u.json", dir, j);
		pid = fork();
		if (pid < 0) {
			ret = lmm_usage_error("check: --jobs: fork: %s",
					      strerror(errno));
			k->jobs = j;
			break;
		}
		if (pid == 0) {
			struct mc_result cr;
			int st;

			if (!freopen(names[j], "w", stdout))
				_exit(LMM_EXIT_USAGE);
			k->mc.job = j;
			k->mc.nr_jobs = k->jobs;
			k->mc.progress = NULL;
			if (mc_explore(&k->mc, &cr)) {
				fprintf(stderr, "lazymmu: check: %s\n",
					cr.error);
				_exit(LMM_EXIT_USAGE);
			}
			print_json(k, &cr, false);
			st = lmm_finish_stream(stdout, "check: --jobs", true);
			_exit(st);
		}
	}
	for (unsigned int j = 0; j < k->jobs; j++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ret = LMM_EXIT_USAGE;
	}
	if (ret) {
		lmm_usage_error("check: --jobs: a job failed (above)");
	} else {
		struct check probe;

		memset(r, 0, sizeof(*r));
		r->complete = true;
		for (unsigned int j = 0; j < k->jobs && !ret; j++) {
			/* every job's JSON names the same shard: forget it */
			probe = *k;
			in[j].name = names[j];
			memset(seen, 0, nr * sizeof(*seen));
			ret = merge_one(&probe, &in[j], r, false, seen, &nr);
		}
	}
	for (unsigned int j = 0; j < k->jobs; j++)
		unlink(names[j]);
	rmdir(dir);
	free_inputs(in, k->jobs);
	free(names);
	free(seen);
	return ret;
}

static int explore(struct check *k, struct mc_result *r)
{
	int ret;

	if (k->jobs > 1)
		return run_jobs(k, r);
	if (isatty(STDERR_FILENO)) {
		k->mc.progress = progress;
		k->mc.progress_arg = k;
	}
	ret = mc_explore(&k->mc, r);
	if (k->mc.progress)
		fputs("\r\033[K", stderr);
	if (ret)
		return lmm_usage_error("check: %s", r->error);
	return 0;
}

/* --merge FILE...: the shards' results as one. */
static int cmd_merge(struct check *k, char **files, int nr_files)
{
	struct shard_in *in = calloc((size_t)nr_files, sizeof(*in));
	unsigned int nr_shards = 0;
	struct mc_result r = { .complete = true };
	bool *seen = calloc(1000001, sizeof(bool));
	unsigned int missing = 0;
	int ret = 0;

	if (!in || !seen)
		abort();
	for (int i = 0; i < nr_files && !ret; i++) {
		in[i].name = files[i];
		ret = merge_one(k, &in[i], &r, i == 0, seen, &nr_shards);
	}
	if (!ret) {
		for (unsigned int s = 0; s < nr_shards; s++)
			missing += !seen[s];
		if (missing) {
			r.complete = false;
			fprintf(stderr,
				"lazymmu: check: --merge: %u of the %u shards "
				"missing: the result is not the whole "
				"exploration\n",
				missing, nr_shards);
		}
		ret = build(k);
	}
	if (!ret) {
		if (r.nr_findings > 1)
			qsort(r.findings, r.nr_findings, sizeof(*r.findings),
			      by_key);
		if (k->json)
			print_json(k, &r, true);
		else
			print_text(k, &r);
		ret = r.nr_findings ? LMM_EXIT_FINDINGS : LMM_EXIT_CLEAN;
	}
	mc_result_free(&r);
	free_inputs(in, (size_t)nr_files);
	free(seen);
	return ret;
}

int lmm_cmd_check(int argc, char **argv)
{
	struct lmm_args a = { .cmd = "check",
			      .argc = argc,
			      .argv = argv,
			      .valued = valued,
			      .flags = flags };
	const char *semantic = NULL, *val;
	struct check *k = malloc(sizeof(*k));
	struct mc_result r;
	char opt[32];
	int ret;

	if (!k)
		abort();
	check_defaults(k);
	for (;;) {
		int word = a.i;

		ret = lmm_next_option(&a, opt, sizeof(opt), &val);
		if (ret != 1)
			break;
		ret = one_option(k, opt, val, false);
		if (ret)
			break;
		if (k->merge)
			break;
		if (!semantic && strcmp(opt, "--json") &&
		    strcmp(opt, "--trace") && strcmp(opt, "--replay"))
			semantic = argv[word];
	}
	if (ret < 0) {
		free(k);
		return usage(stdout);
	}
	if (ret) {
		free(k);
		return ret;
	}
	if (k->merge) {
		char **files = argv + a.i;
		int nr = argc - a.i, n = 0;

		if (semantic || k->replay || k->trace) {
			free(k);
			return lmm_usage_error(
				"check: --merge takes the options from its "
				"files (only --json may go with it)");
		}
		/* --json may come among the files */
		for (int i = 0; i < nr; i++) {
			if (!strcmp(files[i], "--json"))
				k->json = true;
			else
				files[n++] = files[i];
		}
		if (!n) {
			free(k);
			return lmm_usage_error("check: --merge needs the JSON "
					       "files of the shards");
		}
		ret = cmd_merge(k, files, n);
		free(k);
		return ret;
	}
	if (k->replay) {
		if (semantic) {
			free(k);
			return lmm_usage_error(
				"check: %s with --replay: the options come "
				"from the file (only --json and --trace may go "
				"with it)",
				semantic);
		}
		ret = cmd_replay(k);
		free(k);
		return ret;
	}
	if (k->trace) {
		free(k);
		return lmm_usage_error("check: --trace goes with --replay (a "
				       "trace of one execution)");
	}
	ret = build(k);
	if (!ret)
		ret = explore(k, &r);
	if (ret) {
		free(k);
		return ret;
	}
	if (r.nr_findings > 1)
		qsort(r.findings, r.nr_findings, sizeof(*r.findings), by_key);
	if (k->save && r.nr_findings)
		ret = save_trace(k, &r.findings[0]);
	if (!ret) {
		if (k->json)
			print_json(k, &r, true);
		else
			print_text(k, &r);
		ret = r.nr_findings ? LMM_EXIT_FINDINGS : LMM_EXIT_CLEAN;
	}
	mc_result_free(&r);
	free(k);
	return ret;
}
