// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * One run of a workload (see run.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "check/run.h"
#include "check/sanitizer.h"
#include "check/trace.h"
#include "mm/mm.h"
#include "sim/arch.h"

const char *const lmm_newest_kernel = "7.1";

void lmm_run_defaults(struct lmm_run_config *c)
{
	memset(c, 0, sizeof(*c));
	c->arch = "arm64";
	c->kernel = lmm_newest_kernel;
	c->workload = "vmalloc";
	c->lazy = true;
	c->pages = 512;
	c->cpus = 1;
	c->seed = 1;
	c->sched = "random";
	c->sanitize = true;
	c->irqs = true;
	c->tlb_entries = 64;
	c->trace_limit = LMM_DEFAULT_TRACE_LIMIT;
}

const char *lmm_arch_canonical(const char *name)
{
	return strcmp(name, "x86") ? name : "generic";
}

bool lmm_run_irqs(const struct lmm_run_config *c)
{
	return c->irqs && !(c->sched && !strcmp(c->sched, "rr"));
}

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/*
 * A stream that counts what is written to it and keeps nothing: the trace
 * of a dry run, whose size is checked against --trace-limit.
 */
static ssize_t count_write(void *cookie, const char *buf, size_t size)
{
	(void)buf;
	*(uint64_t *)cookie += size;
	return (ssize_t)size;
}

/*
 * The size of @c's trace: run it once with the trace counted. The run is
 * deterministic, so the real one writes exactly as much.
 */
static int trace_size(const struct lmm_run_config *c, uint64_t *bytes,
		      char *err, size_t errlen)
{
	cookie_io_functions_t io = { .write = count_write };
	struct lmm_run_config dry = *c;
	struct lmm_run_result r;
	int ret;

	*bytes = 0;
	dry.trace_stream = fopencookie(bytes, "w", io);
	if (!dry.trace_stream) {
		snprintf(err, errlen, "--trace %s: %s", c->trace,
			 strerror(errno));
		return -1;
	}
	dry.trace_limit = 0;
	ret = lmm_run(&dry, &r, err, errlen);
	fclose(dry.trace_stream);
	if (!ret)
		lmm_run_result_free(&r);
	return ret;
}

/* Whether the trace file can be written, before anything is run. */
static int trace_writable(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!access(path, F_OK)) {
		if (!access(path, W_OK))
			return 0;
	} else if (errno == ENOENT) {
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else
			snprintf(dir, sizeof(dir), "%.*s",
				 slash == path ? 1 : (int)(slash - path), path);
		if (!access(dir, W_OK | X_OK))
			return 0;
	}
	snprintf(err, errlen, "--trace %s: %s", path, strerror(errno));
	return -1;
}

/*
 * The design in force: none with --lazy off or on an arch without the
 * mode, else --design or the kernel version's.
 */
static int pick_design(const struct lmm_run_config *c,
		       const struct sim_arch_ops *arch, const char *kernel,
		       enum sim_lazy_layer *layer, char *err, size_t errlen)
{
	const struct sim_design *d = NULL;

	if (c->design) {
		d = sim_design_find(c->design);
		if (!d) {
			snprintf(err, errlen,
				 "unknown design '%s' (lazymmu list)",
				 c->design);
			return -1;
		}
		if (arch->lazy == SIM_LAZY_OFF || !c->lazy) {
			snprintf(err, errlen,
				 "--design %s: %s has no lazy MMU mode%s",
				 c->design, c->arch,
				 c->lazy ? "" : " with --lazy off");
			return -1;
		}
	}
	if (arch->lazy == SIM_LAZY_OFF || !c->lazy)
		*layer = SIM_LAZY_OFF;
	else
		*layer = d ? d->layer :
			     sim_design_default(sim_kernel_parse(kernel));
	return 0;
}

/*
 * The fixes applied: every name must be known; then each must be for this
 * arch, not merged already in this version, and change this workload.
 */
static int pick_fixes(const struct lmm_run_config *c, const char *kernel,
		      uint64_t *fixes, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < c->nr_fixes; i++) {
		if (!sim_fix_find(c->fixes[i])) {
			snprintf(err, errlen, "unknown fix '%s' (lazymmu list)",
				 c->fixes[i]);
			return -1;
		}
	}
	for (unsigned int i = 0; i < c->nr_fixes; i++) {
		const struct sim_fix_info *f = sim_fix_find(c->fixes[i]);

		if (f->arch && strcmp(f->arch, c->arch)) {
			snprintf(err, errlen,
				 "fix '%s' changes arch %s only, not %s",
				 f->name, f->arch, c->arch);
			return -1;
		}
		if (f->merged &&
		    sim_kernel_parse(kernel) >= sim_kernel_parse(f->merged)) {
			snprintf(err, errlen,
				 "fix '%s' is merged in %s: kernel %s has it",
				 f->name, f->merged, kernel);
			return -1;
		}
		if (f->reverts &&
		    sim_kernel_parse(kernel) < sim_kernel_parse(f->reverts)) {
			snprintf(err, errlen,
				 "fix '%s' reverts what %s merged: kernel %s "
				 "does not have it",
				 f->name, f->reverts, kernel);
			return -1;
		}
		if (f->pending && sim_fix_changes(f, c->arch, c->workload)) {
			snprintf(err, errlen,
				 "fix '%s' is not modelled yet for workload %s",
				 f->name, c->workload);
			return -1;
		}
		if (!sim_fix_changes(f, c->arch, c->workload)) {
			char ws[80] = "";
			bool modelled = false;

			for (const char *const *w = f->workloads; *w; w++) {
				size_t len = strlen(ws);

				snprintf(ws + len, sizeof(ws) - len, "%s%s",
					 len ? ", " : "", *w);
				modelled |= lmm_workload_find(*w) != NULL;
			}
			snprintf(err, errlen,
				 "fix '%s' changes workload %s, not %s%s",
				 f->name, ws, c->workload,
				 modelled ? "" : " (not modelled yet)");
			return -1;
		}
		*fixes |= 1ULL << f->id;
	}
	return 0;
}

/* Close the trace file; a write error is an error of the run. */
static int close_trace(FILE *f, const char *path, char *err, size_t errlen)
{
	int bad, e;

	errno = 0;
	bad = fflush(f) != 0 || ferror(f);
	e = errno;
	if (fclose(f) && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad)
		snprintf(err, errlen, "--trace %s: write error: %s", path,
			 e ? strerror(e) : "unknown error");
	return bad ? -1 : 0;
}

int lmm_run_options(const struct lmm_run_config *c, struct sim_options *opt,
		    const struct lmm_workload **wp, char *err, size_t errlen)
{
	const char *kernel = c->kernel ? c->kernel : lmm_newest_kernel;
	const struct lmm_workload *w = lmm_workload_find(c->workload);
	const struct sim_arch_ops *arch;

	memset(opt, 0, sizeof(*opt));
	if (!sim_kernel_parse(kernel)) {
		snprintf(err, errlen,
			 "unknown kernel version '%s' (lazymmu list)", kernel);
		return -1;
	}
	arch = sim_arch_find(lmm_arch_canonical(c->arch), kernel);
	if (!arch) {
		if (in_list(sim_arch_names, c->arch))
			snprintf(err, errlen,
				 "arch '%s' has no model for kernel %s",
				 c->arch, kernel);
		else if (in_list(sim_arch_planned, c->arch))
			snprintf(err, errlen,
				 "arch '%s' is not modelled yet (planned; "
				 "lazymmu list shows what is)",
				 c->arch);
		else
			snprintf(err, errlen,
				 "unknown arch '%s' (lazymmu list)", c->arch);
		return -1;
	}
	if (!w) {
		snprintf(err, errlen, "unknown workload '%s' (lazymmu list)",
			 c->workload);
		return -1;
	}
	if (c->cpus < 1 || c->cpus > SIM_MAX_CPUS) {
		snprintf(err, errlen, "--cpus %u: %s, %u", c->cpus,
			 c->cpus ? "above the maximum" : "below the minimum",
			 c->cpus ? SIM_MAX_CPUS : 1);
		return -1;
	}
	if (c->pages < 1 || c->pages > LMM_MAX_PAGES) {
		snprintf(err, errlen, "--pages %lu: %s, %lu", c->pages,
			 c->pages ? "above the maximum" : "below the minimum",
			 c->pages ? LMM_MAX_PAGES : 1);
		return -1;
	}
	if (c->pages * c->cpus > LMM_MAX_TOTAL_PAGES) {
		snprintf(err, errlen,
			 "--pages %lu x --cpus %u: %lu pages in all, above the "
			 "maximum, %lu (about 92 bytes of memory each)",
			 c->pages, c->cpus, c->pages * c->cpus,
			 LMM_MAX_TOTAL_PAGES);
		return -1;
	}
	if (c->sched && strcmp(c->sched, "random") && strcmp(c->sched, "rr")) {
		snprintf(err, errlen, "unknown scheduler '%s' (random, rr)",
			 c->sched);
		return -1;
	}
	if (pick_design(c, arch, kernel, &opt->lazy, err, errlen) ||
	    pick_fixes(c, kernel, &opt->fixes, err, errlen))
		return -1;
	opt->arch = arch;
	opt->kernel = sim_kernel_parse(kernel);
	opt->nr_cpus = c->cpus;
	/* the workload's pages, their tables, the linear map's, some slack */
	opt->nr_frames = c->pages * c->cpus * 2 + 1024;
	opt->tlb_entries = c->tlb_entries;
	opt->tlb_random_evict = c->tlb_random_evict;
	/* a workload whose chain needs DEBUG_PAGEALLOC turns it on */
	opt->debug_pagealloc =
		c->debug_pagealloc || lmm_workload_debug_pagealloc(w);
	*wp = w;
	return 0;
}

/*
 * "@name/@cpu" cut to 15 characters, as snprintf() into 16 bytes would: the
 * checker spawns at every execution, and snprintf() was 2 % of it.
 */
static void task_comm(char comm[16], const char *name, unsigned int cpu)
{
	char digits[10];
	int nd = 0;
	size_t n = 0;

	do
		digits[nd++] = (char)('0' + cpu % 10);
	while ((cpu /= 10));
	while (*name && n < 15)
		comm[n++] = *name++;
	if (n < 15)
		comm[n++] = '/';
	while (nd && n < 15)
		comm[n++] = digits[--nd];
	comm[n] = '\0';
}

void lmm_run_spawn(struct sim_machine *m, const struct lmm_workload *w,
		   struct lmm_workload_params *params)
{
	char comm[16];

	for (unsigned int cpu = 0; cpu < m->opt.nr_cpus; cpu++) {
		task_comm(comm, w->comm, cpu);
		sim_spawn(m, comm, (int)cpu, w->task, params);
	}
}

int lmm_run(const struct lmm_run_config *c, struct lmm_run_result *r, char *err,
	    size_t errlen)
{
	const char *kernel = c->kernel ? c->kernel : lmm_newest_kernel;
	const struct lmm_workload *w;
	struct lmm_workload_params params = { .pages = c->pages };
	struct sim_options opt;
	struct san_state *san = NULL;
	struct trace_writer *tw = NULL;
	FILE *trace = NULL;
	struct sim_machine *m;

	memset(r, 0, sizeof(*r));
	if (lmm_run_options(c, &opt, &w, err, errlen))
		return -1;

	if (c->trace && !c->trace_stream &&
	    trace_writable(c->trace, err, errlen))
		return -1;
	if (c->trace && c->trace_limit) {
		uint64_t bytes;

		if (trace_size(c, &bytes, err, errlen))
			return -1;
		if (bytes > c->trace_limit) {
			snprintf(err, errlen,
				 "--trace %s: the trace would be %llu bytes "
				 "(%.1f MiB), above --trace-limit %llu; "
				 "nothing written (raise --trace-limit, or "
				 "trace a smaller run)",
				 c->trace, (unsigned long long)bytes,
				 (double)bytes / (1 << 20),
				 (unsigned long long)c->trace_limit);
			return -1;
		}
	}
	if (c->trace_stream) {
		trace = c->trace_stream;
	} else if (c->trace) {
		trace = fopen(c->trace, "w");
		if (!trace) {
			snprintf(err, errlen, "--trace %s: %s", c->trace,
				 strerror(errno));
			return -1;
		}
	}

	opt.stop_on_finding = c->stop_on_first;
	opt.no_choice_record = !c->record_choices;
	opt.no_reset = true; /* one run: no snapshot for sim_reset() */
	if (c->sched && !strcmp(c->sched, "rr")) {
		opt.policy = sim_policy_rr(64);
	} else {
		opt.policy = sim_policy_random(c->seed, 200, 2, 1);
		if (c->irqs) {
			opt.irq_handler = w->irq;
			opt.irq_arg = &params;
		}
	}
	if (c->replay) {
		opt.policy->destroy(opt.policy);
		opt.policy = sim_policy_replay(c->replay, c->nr_replay,
					       c->replay_name, c->replay_line);
	}
	m = sim_create(&opt);
	sim_stats_attach(m, &r->stats);
	if (c->sanitize)
		san = san_attach(m);
	if (trace)
		tw = trace_attach(m, trace);
	lmm_run_spawn(m, w, &params);
	sim_run(m);
	if (tw) {
		r->trace_events = trace_finish(tw);
		if (!c->trace_stream &&
		    close_trace(trace, c->trace, err, errlen))
			r->trace_error = true;
	}
	r->kernel = kernel;
	r->kernel_version = opt.kernel;
	r->lazy = opt.lazy != SIM_LAZY_OFF;
	r->design = r->lazy ? sim_design_of(opt.lazy)->name : NULL;
	r->models = opt.arch->models;
	r->findings = m->findings;
	r->nr_findings = m->nr_findings;
	r->findings_dropped = m->findings_dropped;
	r->points = m->points;
	r->stopped = m->stopped;
	r->choices = m->choices;
	r->nr_choices = m->nr_choices;
	m->findings = NULL;
	m->choices = NULL;
	if (sim_error(m))
		snprintf(err, errlen, "%s", sim_error(m));
	else if (c->replay && r->nr_choices != c->nr_replay)
		snprintf(err, errlen,
			 "%s: the run diverges: it ends after %zu of the %zu "
			 "recorded choices",
			 c->replay_name ? c->replay_name : "replay",
			 r->nr_choices, c->nr_replay);
	else if (!r->trace_error) /* else err says why (close_trace()) */
		err = NULL;
	sim_destroy(m);
	if (san)
		san_detach(san);
	if (err) {
		lmm_run_result_free(r);
		return -1;
	}
	return 0;
}

void lmm_run_result_free(struct lmm_run_result *r)
{
	free(r->findings);
	r->findings = NULL;
	free(r->choices);
	r->choices = NULL;
}
