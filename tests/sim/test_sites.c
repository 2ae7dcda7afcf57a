// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Sites: every event names the line of model code whose primitive call
 * caused it (struct sim_site, SIM_SITE_CALL() in sim.h). A PTE write names
 * the set_pte_at() call, here in this file (compared with __LINE__ taken
 * on the same line as the call); a barrier or a hypercall names the arch
 * model's line; an access names the caller's. A site never leaks: a task
 * switched out inside a call gets its own back, another task never sees it,
 * an interrupt handler's rows are its own, and the site of a call ends with
 * it. The column printer shows each row's site.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/columns.h"
#include "simtest.h"

#define KADDR (VMALLOC_START + 0x40000000UL)

static struct simtest T;

/* Each watched event: its type, task, site, address. */
#define MAX_SEEN 256
static struct seen {
	enum sim_event_type type;
	const struct task_struct *task;
	const struct sim_site *site;
	unsigned long addr;
	const pte_t *ptep;
} seen[MAX_SEEN];
static int nr_seen;

static void watch(void *priv, const struct sim_event *ev)
{
	(void)priv;
	if (nr_seen < MAX_SEEN)
		seen[nr_seen++] = (struct seen){ ev->type, ev->task, ev->site,
						 ev->addr, ev->ptep };
}

/* The first event of @type at @addr (0: any) from @from on, or NULL. */
static const struct seen *find(enum sim_event_type type, unsigned long addr,
			       int from)
{
	for (int i = from; i < nr_seen; i++)
		if (seen[i].type == type && (!addr || seen[i].addr == addr))
			return &seen[i];
	return NULL;
}

/* The first store to the leaf entry @ptep from @from on, or NULL. */
static const struct seen *store_to(const pte_t *ptep, int from)
{
	for (int i = from; i < nr_seen; i++)
		if (seen[i].type == SIM_EV_PTE_WRITE && seen[i].ptep == ptep)
			return &seen[i];
	return NULL;
}

static bool site_is(const struct sim_site *s, const char *func,
		    const char *file_end, int line)
{
	size_t n = strlen(file_end), fn;

	if (!s || !s->func || !s->file)
		return false;
	fn = strlen(s->file);
	return !strcmp(s->func, func) && fn >= n &&
	       !strcmp(s->file + fn - n, file_end) &&
	       (!line || s->line == line);
}

static const char *show(const struct sim_site *s)
{
	static char buf[160];

	if (!s)
		return "none";
	snprintf(buf, sizeof(buf), "%s %s:%d", s->func, s->file, s->line);
	return buf;
}

/* A page to map at @addr: its PTE, its frame. */
static pte_t *page_at(unsigned long addr, unsigned long *pfn)
{
	*pfn = alloc_page(GFP_KERNEL);
	return pte_offset_kernel_alloc(addr);
}

/* ---- one task: the site of a PTE write, a barrier, a hypercall ---------- */

static int writer_line, load_line;

static void writer(void *arg)
{
	struct sim_machine *m = sim_machine();
	struct mm_struct *mm = &m->init_mm;
	unsigned long pfn;
	pte_t *ptep = page_at(KADDR, &pfn), v = pfn_pte(pfn, PAGE_KERNEL);

	(void)arg;
	nr_seen = 0;
	/* one line each: __LINE__ is the call's line with gcc and clang */
	writer_line = __LINE__, set_pte_at(mm, KADDR, ptep, v);
	/* the call is over: its site with it (nothing encloses this one) */
	ok(m->site == NULL, "%s: after the call, no site is left in force",
	   m->arch->name);
	load_line = __LINE__, (void)sim_load(KADDR);
}

static void one_task(const char *arch, const char *kernel)
{
	struct sim_observer o = { .event = watch };
	const struct seen *w, *b, *h, *a;

	simtest_init(&T, arch, kernel, 1, false, NULL);
	sim_add_observer(T.m, &o);
	sim_spawn(T.m, "t", 0, writer, NULL);
	sim_run(T.m);

	w = find(SIM_EV_PTE_WRITE, KADDR, 0);
	ok(w && site_is(w->site, "writer", "tests/sim/test_sites.c",
			writer_line),
	   "%s %s: the PTE write names the set_pte_at() call: writer "
	   "test_sites.c:%d (got %s)",
	   arch, kernel, writer_line, w ? show(w->site) : "no write");
	a = find(SIM_EV_ACCESS, KADDR, 0);
	ok(a && site_is(a->site, "writer", "tests/sim/test_sites.c", load_line),
	   "%s %s: the load names its sim_load() call, line %d (got %s)", arch,
	   kernel, load_line, a ? show(a->site) : "no access");
	if (!strcmp(arch, "arm64")) {
		/* a valid kernel entry: dsb ishst and isb, from the model */
		b = find(SIM_EV_BARRIER, 0, 0);
		ok(b && b->site && strstr(b->site->file, "src/arch/arm64/"),
		   "arm64 %s: the barrier names the arch model's line (%s)",
		   kernel, b ? show(b->site) : "no barrier");
	}
	if (!strcmp(arch, "xen-pv")) {
		/* no lazy mode: one mmu_update hypercall, now */
		h = find(SIM_EV_HYPERCALL, 0, 0);
		ok(h && site_is(h->site, "mmu_update_now",
				"src/arch/xen-pv/mmu_pv.c", 0),
		   "xen-pv %s: the hypercall names the model's line in "
		   "mmu_update_now() (%s)",
		   kernel, h ? show(h->site) : "no hypercall");
	}
	simtest_fini(&T);
}

/* ---- two tasks: a switch inside a call keeps each task's site ----------- */

static int line_a, line_b;
static struct task_struct *task_a, *task_b;
static pte_t *ptep_a, *ptep_b;

/*
 * A on CPU0 calls set_pte_at() and, at the scheduling point before the
 * store, the machine goes to CPU1 (want_cpu): B calls set_pte_at() and at
 * its own point goes back to CPU0, where A's store happens; A's unwrapped
 * access follows, then A exits and B's store happens, then B's unwrapped
 * store of an entry.
 */
static void task_fn_a(void *arg)
{
	struct mm_struct *mm = &sim_machine()->init_mm;
	unsigned long pfn;
	pte_t *ptep = page_at(KADDR, &pfn), v = pfn_pte(pfn, PAGE_KERNEL);

	(void)arg;
	ptep_a = ptep;
	want_cpu = 1;
	line_a = __LINE__, set_pte_at(mm, KADDR, ptep, v);
	/* the machine's own call: no site, whatever B called */
	(sim_store)(KADDR, 1);
}

static void task_fn_b(void *arg)
{
	struct mm_struct *mm = &sim_machine()->init_mm;
	unsigned long pfn, a = KADDR + PAGE_SIZE;
	pte_t *ptep = page_at(a, &pfn), v = pfn_pte(pfn, PAGE_KERNEL);

	(void)arg;
	ptep_b = ptep;
	want_cpu = 0;
	line_b = __LINE__, set_pte_at(mm, a, ptep, v);
	(set_pte_at)(mm, a, ptep, 0);
}

static void two_tasks(void)
{
	struct sim_observer o = { .event = watch };
	const struct seen *wa, *wb, *sa, *wb2;
	int leaks = 0;

	simtest_init(&T, "generic", "7.0", 2, false, NULL);
	sim_add_observer(T.m, &o);
	want_cpu = 0;
	task_a = sim_spawn(T.m, "a", 0, task_fn_a, NULL);
	task_b = sim_spawn(T.m, "b", 1, task_fn_b, NULL);
	nr_seen = 0;
	sim_run(T.m);

	wa = store_to(ptep_a, 0);
	wb = store_to(ptep_b, 0);
	sa = find(SIM_EV_ACCESS, KADDR, 0);
	wb2 = wb ? store_to(ptep_b, (int)(wb - seen) + 1) : NULL;
	/* the order the steering makes: B's call began before A's store */
	ok(wa && wb && wa < wb && wa->task == task_a && wb->task == task_b,
	   "A's store, then B's: B's call was in progress at A's store");
	ok(wa && site_is(wa->site, "task_fn_a", "test_sites.c", line_a),
	   "switched back inside its call, A's store names A's line %d, "
	   "not B's %d (got %s)",
	   line_a, line_b, wa ? show(wa->site) : "none");
	ok(wb && site_is(wb->site, "task_fn_b", "test_sites.c", line_b),
	   "B's store, after A exited, names B's line %d (got %s)", line_b,
	   wb ? show(wb->site) : "none");
	ok(sa && sa->task == task_a && sa->site == NULL,
	   "A's unwrapped access after the call: no site, not B's (got %s)",
	   sa ? show(sa->site) : "no access");
	ok(wb2 && wb2->site == NULL,
	   "B's unwrapped store after its call: no site, not A's (got %s)",
	   wb2 ? show(wb2->site) : "no store");
	/* page_at()'s own calls name page_at, in either task */
	for (int i = 0; i < nr_seen; i++)
		if (seen[i].site &&
		    ((seen[i].task == task_a &&
		      !strcmp(seen[i].site->func, "task_fn_b")) ||
		     (seen[i].task == task_b &&
		      !strcmp(seen[i].site->func, "task_fn_a"))))
			leaks++;
	ok(leaks == 0, "no event of one task names the other's function (%d)",
	   leaks);
	simtest_fini(&T);
}

/* ---- an interrupt inside a call: the handler's rows are its own --------- */

static int line_task, line_irq;
static pte_t *ptep_task, *ptep_unwrapped, *ptep_irq;

/* Both entries share the task's PTE table (the same 2M): no allocation. */
static void irq_handler(void *arg)
{
	struct mm_struct *mm = &sim_machine()->init_mm;

	(void)arg;
	/* unwrapped: the machine's call, no site, not the task's */
	(set_pte_at)(mm, KADDR + 2 * PAGE_SIZE, ptep_unwrapped, 0);
	line_irq = __LINE__, set_pte_at(mm, KADDR + 3 * PAGE_SIZE, ptep_irq, 0);
}

static void irq_task(void *arg)
{
	struct mm_struct *mm = &sim_machine()->init_mm;
	unsigned long pfn;
	pte_t *ptep = page_at(KADDR, &pfn), v = pfn_pte(pfn, PAGE_KERNEL);

	(void)arg;
	ptep_task = ptep;
	ptep_unwrapped = ptep + 2;
	ptep_irq = ptep + 3;
	nr_seen = 0;
	want_irq = true; /* at the first point inside set_pte_at() */
	line_task = __LINE__, set_pte_at(mm, KADDR, ptep, v);
}

static void interrupt(void)
{
	struct sim_observer o = { .event = watch };
	const struct seen *in, *hw, *hl, *out, *tw;

	simtest_init(&T, "generic", "7.0", 1, false, irq_handler);
	sim_add_observer(T.m, &o);
	sim_spawn(T.m, "t", 0, irq_task, NULL);
	sim_run(T.m);

	in = find(SIM_EV_IRQ_ENTER, 0, 0);
	hw = store_to(ptep_unwrapped, 0);
	hl = store_to(ptep_irq, 0);
	out = find(SIM_EV_IRQ_EXIT, 0, 0);
	tw = store_to(ptep_task, 0);
	ok(in && out && hw && hl && tw && in < hw && hl < out && out < tw,
	   "the interrupt came inside the task's set_pte_at(), before its "
	   "store");
	ok(in && !in->site && out && !out->site,
	   "irq enter and exit: no site (got %s, %s)",
	   in ? show(in->site) : "-", out ? show(out->site) : "-");
	ok(hw && !hw->site,
	   "the handler's unwrapped store: no site, not the interrupted "
	   "call's line %d (got %s)",
	   line_task, hw ? show(hw->site) : "none");
	ok(hl && site_is(hl->site, "irq_handler", "test_sites.c", line_irq),
	   "the handler's own call names its line %d (got %s)", line_irq,
	   hl ? show(hl->site) : "none");
	ok(tw && site_is(tw->site, "irq_task", "test_sites.c", line_task),
	   "after the handler, the task's store names its line %d (got %s)",
	   line_task, tw ? show(tw->site) : "none");
	simtest_fini(&T);
}

/* ---- the columns: each row's site, drawn ---------------------------------- */

static void columns(void)
{
	struct mc_columns c;
	struct sim_observer o;
	char *buf = NULL, want[96], pte[64];
	const char *row, *eol, *at;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	simtest_init(&T, "generic", "7.0", 1, false, NULL);
	mc_columns_init(&c, 1, 0);
	o = mc_columns_observer(&c);
	sim_add_observer(T.m, &o);
	sim_spawn(T.m, "t", 0, writer, NULL);
	sim_run(T.m);
	mc_columns_print(&c, f, 0, "");
	fclose(f);
	/*
	 * the site column: the function, the file without its directories;
	 * the PTE write's row is the line that holds it
	 */
	snprintf(want, sizeof(want), "writer test_sites.c:%d ", writer_line);
	snprintf(pte, sizeof(pte), "pte %#lx 0->", KADDR);
	row = buf ? strstr(buf, want) : NULL;
	eol = row ? strchr(row, '\n') : NULL;
	at = row ? strstr(row, pte) : NULL;
	ok(buf && strstr(buf, "event  site") && at && eol && at < eol,
	   "columns: the PTE write's row shows its site '%s'", want);
	if (!(at && eol && at < eol))
		diag("%s", buf ? buf : "");
	free(buf);
	mc_columns_free(&c);
	simtest_fini(&T);
}

int main(void)
{
	one_task("generic", "7.0");
	one_task("arm64", "7.0");
	one_task("xen-pv", "7.0");
	two_tasks();
	interrupt();
	columns();
	printf("1..%d\n", tap_count);
	return tap_failures != 0;
}
