// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * One run of a workload (see run.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
}

static bool known_arch(const char *a)
{
	for (const char *const *n = sim_arch_names; *n; n++)
		if (!strcmp(*n, a))
			return true;
	return false;
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

int lmm_run(const struct lmm_run_config *c, struct lmm_run_result *r, char *err,
	    size_t errlen)
{
	const char *kernel = c->kernel ? c->kernel : lmm_newest_kernel;
	const struct lmm_workload *w = lmm_workload_find(c->workload);
	struct lmm_workload_params params = { .pages = c->pages };
	struct sim_options opt = { 0 };
	const struct sim_arch_ops *arch;
	struct san_state *san = NULL;
	struct trace_writer *tw = NULL;
	FILE *trace = NULL;
	struct sim_machine *m;
	char comm[16];

	memset(r, 0, sizeof(*r));
	if (!sim_kernel_parse(kernel)) {
		snprintf(err, errlen,
			 "unknown kernel version '%s' (lazymmu list)", kernel);
		return -1;
	}
	arch = sim_arch_find(c->arch, kernel);
	if (!arch) {
		snprintf(err, errlen,
			 known_arch(c->arch) ?
				 "arch '%s' has no model for kernel %s" :
				 "unknown arch '%s' (lazymmu list)",
			 c->arch, kernel);
		return -1;
	}
	if (!w) {
		snprintf(err, errlen, "unknown workload '%s' (lazymmu list)",
			 c->workload);
		return -1;
	}
	if (c->cpus < 1 || c->cpus > SIM_MAX_CPUS) {
		snprintf(err, errlen, "--cpus %u: must be 1..%d", c->cpus,
			 SIM_MAX_CPUS);
		return -1;
	}
	if (c->pages < 1 || c->pages > LMM_MAX_PAGES ||
	    c->pages * c->cpus > LMM_MAX_TOTAL_PAGES) {
		snprintf(
			err, errlen,
			"--pages %lu: must be 1..%lu, and pages x cpus at most %lu",
			c->pages, LMM_MAX_PAGES, LMM_MAX_TOTAL_PAGES);
		return -1;
	}
	if (c->sched && strcmp(c->sched, "random") && strcmp(c->sched, "rr")) {
		snprintf(err, errlen, "unknown scheduler '%s' (random, rr)",
			 c->sched);
		return -1;
	}
	if (pick_design(c, arch, kernel, &opt.lazy, err, errlen) ||
	    pick_fixes(c, kernel, &opt.fixes, err, errlen))
		return -1;

	if (c->trace) {
		trace = fopen(c->trace, "w");
		if (!trace) {
			snprintf(err, errlen, "--trace %s: %s", c->trace,
				 strerror(errno));
			return -1;
		}
	}

	opt.arch = arch;
	opt.kernel = sim_kernel_parse(kernel);
	opt.nr_cpus = c->cpus;
	/* the workload's pages, their tables, the linear map's, some slack */
	opt.nr_frames = c->pages * c->cpus * 2 + 1024;
	opt.tlb_entries = c->tlb_entries;
	opt.tlb_random_evict = c->tlb_random_evict;
	opt.debug_pagealloc = c->debug_pagealloc;
	opt.stop_on_finding = c->stop_on_first;
	opt.no_choice_record = !c->record_choices;
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
	for (unsigned int cpu = 0; cpu < c->cpus; cpu++) {
		snprintf(comm, sizeof(comm), "%s/%u", w->comm, cpu);
		sim_spawn(m, comm, (int)cpu, w->task, &params);
	}
	sim_run(m);
	if (tw) {
		r->trace_events = trace_finish(tw);
		fclose(trace);
	}
	r->kernel = kernel;
	r->kernel_version = opt.kernel;
	r->lazy = opt.lazy != SIM_LAZY_OFF;
	r->design = r->lazy ? sim_design_of(opt.lazy)->name : NULL;
	r->models = arch->models;
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
	else
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
