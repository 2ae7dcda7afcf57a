// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Versions, designs, fixes and finding kinds as values of the machine:
 * the kernel version a model can compare, the design in force (noflush on
 * arm64 7.x against v7.0, passthrough's is_lazy_mmu_mode_active()), the
 * set of fixes, the refusal of an unregistered finding kind, structured
 * findings and findings as events (also when an observer reports one).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "check/run.h"
#include "simtest.h"

static struct simtest T;

#define KADDR (VMALLOC_START + 0x40000000UL)

/* ---- kernel versions ------------------------------------------------------- */

static void test_kernel_table(void)
{
	int prev = 0;
	bool sorted = true, names = true;
	size_t n = 0;

	for (const struct sim_kernel_version *k = sim_kernels; k->name; k++) {
		sorted &= k->version > prev;
		prev = k->version;
		names &= sim_kernel_versions[n] &&
			 !strcmp(sim_kernel_versions[n], k->name) &&
			 sim_kernel_parse(k->name) == k->version &&
			 !strcmp(sim_kernel_name(k->version), k->name);
		n++;
	}
	ok(n == 4 && sorted && names && !sim_kernel_versions[n],
	   "four versions, oldest first; names and values agree both ways");
	ok(sim_kernel_parse("7.0") == SIM_KERNEL(7, 0) &&
		   SIM_KERNEL(6, 17) < SIM_KERNEL(7, 0) &&
		   SIM_KERNEL_MAJOR(SIM_KERNEL(6, 16)) == 6 &&
		   SIM_KERNEL_MINOR(SIM_KERNEL(6, 16)) == 16,
	   "SIM_KERNEL(a, b) orders versions as numbers");
	ok(!sim_kernel_parse("5.10") && !sim_kernel_parse("7") &&
		   !sim_kernel_name(SIM_KERNEL(6, 18)),
	   "an unmodelled version parses to 0");
	ok(prev == sim_kernel_newest &&
		   !strcmp(sim_kernel_name(sim_kernel_newest),
			   lmm_newest_kernel),
	   "the newest version is the last of the table and run's default");
}

static int seen_kernel;

static void kernel_task(void *arg)
{
	(void)arg;
	seen_kernel = sim_kernel();
}

static int kernel_of(const char *arch, const char *kernel, int given)
{
	struct sim_options opt = simtest_options(arch, kernel, 1);

	opt.kernel = given;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "k", 0, kernel_task, NULL);
	seen_kernel = -1;
	sim_run(T.m);
	simtest_fini(&T);
	return seen_kernel;
}

static void test_kernel_value(void)
{
	ok(kernel_of("arm64", "6.17", SIM_KERNEL(6, 17)) == SIM_KERNEL(6, 17),
	   "a task reads the machine's version: sim_kernel() == 6.17 on the "
	   "6.16 table run as 6.17");
	ok(kernel_of("arm64", "7.0", 0) == SIM_KERNEL(7, 0),
	   "no version given: the arch table's (7.0)");
	ok(kernel_of("generic", "7.0", 0) == sim_kernel_newest,
	   "no version given, table for any: the newest");
}

/* ---- designs ------------------------------------------------------------------ */

static void test_design_table(void)
{
	ok(sim_design_find("v7.0")->layer == SIM_LAZY_NESTING &&
		   sim_design_find("passthrough")->layer == SIM_LAZY_DIRECT &&
		   sim_design_find("noflush")->layer == SIM_LAZY_NOFLUSH &&
		   !sim_design_find("off") && !sim_design_of(SIM_LAZY_OFF),
	   "three named designs; 'off' is not one");
	ok(sim_design_default(SIM_KERNEL(6, 17)) == SIM_LAZY_DIRECT &&
		   sim_design_default(SIM_KERNEL(7, 0)) == SIM_LAZY_NESTING &&
		   sim_design_default(SIM_KERNEL(7, 1)) == SIM_LAZY_NESTING,
	   "the default design follows the version: passthrough < 7.0 <= "
	   "v7.0");
	for (const struct sim_design *d = sim_designs; d->name; d++)
		ok(d->summary && *d->summary && d->source && *d->source &&
			   d->active && *d->active &&
			   sim_design_of(d->layer) == d,
		   "design %s says what it changes, where it comes from and "
		   "what is_lazy_mmu_mode_active() means",
		   d->name);
}

/*
 * Pages mapped in two nested sections: one in the outer, one in the inner
 * (touched after the inner disable), then a third in the outer again.
 * v7.0 flushes at the inner disable; noflush does not.
 */
static uint64_t nest_barriers, nest_flushes, nest_inner;
static int nest_findings;

static void nested_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *p1 = pte_offset_kernel_alloc(KADDR);
	pte_t *p2 = pte_offset_kernel_alloc(KADDR + PAGE_SIZE);
	pte_t *p3 = pte_offset_kernel_alloc(KADDR + 2 * PAGE_SIZE);
	unsigned long f1 = alloc_page(GFP_KERNEL), f2 = alloc_page(GFP_KERNEL);
	unsigned long f3 = alloc_page(GFP_KERNEL);
	uint64_t b = stat(&T, SIM_STAT_barriers);
	uint64_t fl = stat(&T, SIM_STAT_batch_flushes);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, p1, pfn_pte(f1, PAGE_KERNEL));
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR + PAGE_SIZE, p2,
		   pfn_pte(f2, PAGE_KERNEL));
	lazy_mmu_mode_disable();
	nest_inner = stat(&T, SIM_STAT_barriers) - b;
	sim_store(KADDR + PAGE_SIZE, 1); /* relies on the inner disable */
	set_pte_at(&m->init_mm, KADDR + 2 * PAGE_SIZE, p3,
		   pfn_pte(f3, PAGE_KERNEL));
	lazy_mmu_mode_disable();
	nest_barriers = stat(&T, SIM_STAT_barriers) - b;
	nest_flushes = stat(&T, SIM_STAT_batch_flushes) - fl;
	nest_findings = findings(m, "deferred-access");
}

static void run_nested(const char *kernel, enum sim_lazy_layer design)
{
	struct sim_options opt = simtest_options("arm64", kernel, 1);

	opt.lazy = design;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "nest", 0, nested_task, NULL);
	sim_run(T.m);
	simtest_fini(&T);
}

static void test_noflush(void)
{
	const char *const kernels[] = { "7.0", "7.1" };

	for (int i = 0; i < 2; i++) {
		uint64_t b70;

		run_nested(kernels[i], SIM_LAZY_NESTING);
		b70 = nest_barriers;
		ok(nest_inner == 2 && nest_flushes == 2 && b70 == 4 &&
			   nest_findings == 0,
		   "%s v7.0: the nested disable flushes (dsb+isb there and at "
		   "the outer disable: %llu barriers); the inner page is usable",
		   kernels[i], (unsigned long long)b70);
		run_nested(kernels[i], SIM_LAZY_NOFLUSH);
		ok(nest_inner == 0 && nest_flushes == 1 && nest_barriers == 2 &&
			   nest_barriers < b70,
		   "%s noflush: the nested disable does not flush (%llu "
		   "barriers, %llu batch flush, all at the outer disable)",
		   kernels[i], (unsigned long long)nest_barriers,
		   (unsigned long long)nest_flushes);
		ok(nest_findings == 1,
		   "%s noflush: touching the inner page after its disable is a "
		   "deferred-access",
		   kernels[i]);
	}
}

/* is_lazy_mmu_mode_active() as a model sees it, through each design. */
static bool act[5], task_act[2];

static void active_task(void *arg)
{
	(void)arg;
	act[0] = is_lazy_mmu_mode_active();
	task_act[0] = sim_task_lazy_mmu_mode_active(current);
	lazy_mmu_mode_enable();
	act[1] = is_lazy_mmu_mode_active();
	task_act[1] = sim_task_lazy_mmu_mode_active(current);
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
	act[2] = is_lazy_mmu_mode_active();
	lazy_mmu_mode_pause();
	act[3] = is_lazy_mmu_mode_active();
	lazy_mmu_mode_resume();
	lazy_mmu_mode_disable();
	act[4] = is_lazy_mmu_mode_active();
}

static void run_active(const char *arch, const char *kernel,
		       enum sim_lazy_layer design)
{
	struct sim_options opt = simtest_options(arch, kernel, 1);

	if (opt.lazy != SIM_LAZY_OFF)
		opt.lazy = design;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "act", 0, active_task, NULL);
	sim_run(T.m);
	simtest_fini(&T);
}

static void test_active(void)
{
	run_active("arm64", "7.0", SIM_LAZY_NESTING);
	ok(!act[0] && act[1] && act[2] && !act[3] && !act[4],
	   "v7.0: active in a section, still after a nested disable, not "
	   "while paused");
	run_active("arm64", "7.0", SIM_LAZY_NOFLUSH);
	ok(!act[0] && act[1] && act[2] && !act[3] && !act[4],
	   "noflush: the core's counters, so the same answers as v7.0");
	run_active("arm64", "6.16", SIM_LAZY_DIRECT);
	ok(!act[0] && act[1] && !act[2] && !act[3] && !act[4],
	   "passthrough: active from enter to the next leave; the nested "
	   "disable (a leave) ends it");
	ok(!task_act[0] && task_act[1],
	   "passthrough: a task's saved state says active inside a section");
	run_active("arm64", "7.0", SIM_LAZY_NESTING);
	ok(!task_act[0] && task_act[1],
	   "v7.0: a task's saved state is the core's counters");
	run_active("generic", "7.0", SIM_LAZY_NESTING);
	ok(!act[0] && !act[1] && !act[2] && !act[3] && !act[4],
	   "no lazy MMU mode: never active");
}

/* ---- fixes ---------------------------------------------------------------------- */

static bool fix_seen[SIM_FIX_NR];

static void fix_task(void *arg)
{
	(void)arg;
	for (int f = 0; f < SIM_FIX_NR; f++)
		fix_seen[f] = sim_fix_enabled((enum sim_fix)f);
}

static int run_err(struct lmm_run_config *c, char *err, size_t len)
{
	struct lmm_run_result r;
	int ret;

	c->pages = 2;
	ret = lmm_run(c, &r, err, len);
	if (!ret)
		lmm_run_result_free(&r);
	return ret;
}

static void test_fixes(void)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 1);
	struct lmm_run_config c;
	char err[256];
	int n = 0;

	for (const struct sim_fix_info *f = sim_fixes; f->name; f++, n++)
		ok((int)f->id == n && sim_fix_find(f->name) == f &&
			   *f->summary && *f->source,
		   "fix %s: registered in enum order, with what it changes "
		   "and where it comes from",
		   f->name);
	ok(n == SIM_FIX_NR, "every enum sim_fix has an entry");

	opt.fixes = 1ULL << SIM_FIX_APPLY_NOLAZY |
		    1ULL << SIM_FIX_XEN_TOLERATE_NESTED;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "fix", 0, fix_task, NULL);
	sim_run(T.m);
	simtest_fini(&T);
	ok(fix_seen[SIM_FIX_APPLY_NOLAZY] &&
		   fix_seen[SIM_FIX_XEN_TOLERATE_NESTED] &&
		   !fix_seen[SIM_FIX_PAGEMAP_SCAN_ORDER],
	   "a model reads the run's set of fixes with sim_fix_enabled()");

	lmm_run_defaults(&c);
	c.fixes[c.nr_fixes++] = "no-such-fix";
	ok(run_err(&c, err, sizeof(err)) && strstr(err, "unknown fix"),
	   "unknown fix refused: %s", err);
	lmm_run_defaults(&c);
	/* the older name of pagemap-order, still accepted (an alias) */
	c.fixes[c.nr_fixes++] = "pagemap-scan-order";
	ok(run_err(&c, err, sizeof(err)) &&
		   strstr(err, "fix 'pagemap-order' changes workload "
			       "pagemap-wp, not vmalloc"),
	   "a fix of another workload refused: %s", err);
	lmm_run_defaults(&c);
	c.fixes[c.nr_fixes++] = "xen-tolerate-nested";
	ok(run_err(&c, err, sizeof(err)) && strstr(err, "arch xen-pv only"),
	   "a fix of another arch refused: %s", err);
	lmm_run_defaults(&c);
	c.kernel = "6.17";
	c.fixes[c.nr_fixes++] = "kasan-pause";
	ok(run_err(&c, err, sizeof(err)) &&
		   strstr(err, "is merged in 6.17: kernel 6.17 has it"),
	   "a fix merged in the version run refused: %s", err);
	ok(sim_fix_changes(sim_fix_find("arm64-never-nest"), "arm64",
			   "munmap") &&
		   !sim_fix_changes(sim_fix_find("arm64-never-nest"), "arm64",
				    "vmalloc"),
	   "sim_fix_changes() matches arch and workload");
}

static void test_run_design(void)
{
	struct lmm_run_config c;
	struct lmm_run_result r;
	char err[256];

	lmm_run_defaults(&c);
	c.pages = 2;
	c.kernel = "6.16";
	ok(!lmm_run(&c, &r, err, sizeof(err)) && r.design &&
		   !strcmp(r.design, "passthrough") &&
		   r.kernel_version == SIM_KERNEL(6, 16),
	   "lmm_run on 6.16: design passthrough");
	lmm_run_result_free(&r);
	c.kernel = "7.0";
	c.design = "noflush";
	ok(!lmm_run(&c, &r, err, sizeof(err)) && r.design &&
		   !strcmp(r.design, "noflush"),
	   "--design noflush on 7.0 is the design run");
	lmm_run_result_free(&r);
	c.lazy = false;
	ok(run_err(&c, err, sizeof(err)) && strstr(err, "--lazy off"),
	   "--design with --lazy off refused: %s", err);
	c.lazy = true;
	c.design = "nesting";
	ok(run_err(&c, err, sizeof(err)) && strstr(err, "unknown design"),
	   "unknown design refused: %s", err);
	c.design = NULL;
	c.arch = "generic";
	ok(!lmm_run(&c, &r, err, sizeof(err)) && !r.design,
	   "generic has no lazy mode: no design");
	lmm_run_result_free(&r);
}

/* ---- finding kinds and structured findings ---------------------------------- */

static void test_kinds(void)
{
	const char *const used[] = { "deferred-access",	 "stale-tlb",
				     "flush-in-section", "arch-bug",
				     "sleep-in-atomic",	 "state-leak",
				     "api-misuse",	 "bad-access",
				     "bad-page",	 "deadlock" };
	bool all = true;

	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
		all &= sim_finding_kind_find(used[i]) &&
		       *sim_finding_kind_find(used[i])->meaning;
	ok(all, "every kind of the user guide (and deadlock) is registered");
	ok(!sim_finding_kind_find("use-after-free"), "others are not");
}

static void bad_kind_task(void *arg)
{
	(void)arg;
	sim_report("no-such-kind", "x");
}

/* sim_report() of an unregistered kind aborts, in a child process. */
static void test_bad_kind(void)
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct sim_options opt = simtest_options("arm64", "7.0", 1);

		if (!freopen("/dev/null", "w", stderr))
			_exit(1);
		simtest_init_opt(&T, &opt);
		sim_spawn(T.m, "bad", 0, bad_kind_task, NULL);
		sim_run(T.m);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	   "sim_report() of an unregistered kind aborts");
}

/*
 * Observers: the first reports a finding on every barrier, the second and
 * the first count FINDING events; neither is re-entered during an event.
 */
struct obs {
	int depth, max_depth;
	int findings;
	bool report_on_barrier;
	const struct sim_finding *last;
	struct sim_finding copy;
};

static struct obs o1, o2;
static bool report_barriers; /* o1 reports from now on */

static void obs_event(void *priv, const struct sim_event *ev)
{
	struct obs *o = priv;

	o->depth++;
	if (o->depth > o->max_depth)
		o->max_depth = o->depth;
	if (ev->type == SIM_EV_FINDING) {
		o->findings++;
		o->copy = *ev->finding;
		o->last = ev->finding;
	}
	if (o->report_on_barrier && report_barriers &&
	    ev->type == SIM_EV_BARRIER)
		sim_report("arch-bug", "from an observer on %s", ev->what);
	o->depth--;
}

static struct task_struct *other_task;

static void report_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *p = pte_offset_kernel_alloc(KADDR);
	unsigned long f = alloc_page(GFP_KERNEL);
	struct sim_finding_at at = { .have = SIM_FINDING_ADDR |
					     SIM_FINDING_VALUES,
				     .addr = KADDR,
				     .old = 1,
				     .new = 2 };

	(void)arg;
	lazy_mmu_mode_enable();
	sim_report_at(&at, "bad-page", "with details");
	lazy_mmu_mode_disable();
	sim_report("bad-page", "without a section");
	report_barriers = true;
	set_pte_at(&m->init_mm, KADDR, p, pfn_pte(f, PAGE_KERNEL));
	report_barriers = false;
	at.have = SIM_FINDING_CPU;
	at.cpu = 0;
	at.task = other_task;
	sim_report_at(&at, "state-leak", "of another task");
}

static void test_structured(void)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 2);
	struct sim_observer a = { .event = obs_event, .priv = &o1 };
	struct sim_observer b = { .event = obs_event, .priv = &o2 };
	const struct sim_finding *f;
	struct sim_machine *m;

	simtest_init_opt(&T, &opt);
	m = T.m;
	o1 = (struct obs){ .report_on_barrier = true };
	o2 = (struct obs){ 0 };
	sim_add_observer(m, &a);
	sim_add_observer(m, &b);
	other_task = sim_spawn(m, "idle", 0, kernel_task, NULL);
	sim_spawn(m, "reporter", 1, report_task, NULL);
	sim_run(m);

	f = &m->findings[0];
	ok(m->nr_findings == 5 && !strcmp(f->kind, "bad-page") && f->cpu == 1 &&
		   f->pid == 2 && !strcmp(f->comm, "reporter"),
	   "a finding records the CPU and task that reported it");
	ok((f->have & SIM_FINDING_ADDR) && f->addr == KADDR &&
		   (f->have & SIM_FINDING_VALUES) && f->old == 1 && f->new == 2,
	   "sim_report_at() records the address and the two values");
	ok((f->have & SIM_FINDING_SECTION) &&
		   !strcmp(f->section.func, "report_task") &&
		   strstr(f->section.file, "test_registry.c") &&
		   f->section.line > 0,
	   "the open section's call site is filled from the context: "
	   "%s:%d",
	   f->section.file, f->section.line);
	f = &m->findings[1];
	ok(!(f->have &
	     (SIM_FINDING_SECTION | SIM_FINDING_ADDR | SIM_FINDING_VALUES)) &&
		   !strcmp(f->message, "without a section"),
	   "sim_report() outside a section: no section, no address");
	ok(!strcmp(m->findings[2].kind, "arch-bug") &&
		   strstr(m->findings[2].message, "from an observer on dsb"),
	   "an observer's report is a finding like any other");
	ok(o1.findings == 5 && o2.findings == 5,
	   "every finding reaches every observer, also the one an observer "
	   "reported (first %d, second %d)",
	   o1.findings, o2.findings);
	ok(o1.max_depth == 1 && o2.max_depth == 1,
	   "no observer is re-entered: a finding reported from an observer "
	   "is emitted after the event");
	ok(!strcmp(o2.copy.message, m->findings[4].message),
	   "the event carries the finding itself");
	f = &m->findings[4];
	ok(f->cpu == 0 && f->pid == 1 && !strcmp(f->comm, "idle") &&
		   !(f->have & SIM_FINDING_ADDR),
	   "SIM_FINDING_CPU names another CPU and task than the current");
	simtest_fini(&T);
}

int main(void)
{
	test_kernel_table();
	test_kernel_value();
	test_design_table();
	test_noflush();
	test_active();
	test_fixes();
	test_run_design();
	test_kinds();
	test_bad_kind();
	test_structured();
	return tap_done();
}
