// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The events a checker needs: ptep_get() is seen for every model
 * (SIM_EV_PTE_READ, from the dispatcher); arm64 reports its owed barriers
 * as deferred work queued (TIF_LAZY_MMU_PENDING set) and paid (the flush),
 * per CPU and task; the trace writer draws them on the deferred track; and
 * flush-in-section fires on arm64 exactly when a TLB flush comes while the
 * barriers are still owed, not on the correct paths.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/trace.h"
#include "simtest.h"

#define KADDR (VMALLOC_START + 0x40000000UL)

static struct simtest T;
static const char *kver;

static struct {
	int reads, queued, paid;
	pte_t read_value;
	const struct task_struct *queued_by, *paid_by;
	const void *queue;
	int queued_cpu;
	long queued_n, paid_n;
} seen;

static void watch(void *priv, const struct sim_event *ev)
{
	(void)priv;
	switch (ev->type) {
	case SIM_EV_PTE_READ:
		seen.reads++;
		seen.read_value = ev->old;
		break;
	case SIM_EV_DEFERRED_QUEUED:
		seen.queued++;
		seen.queued_by = ev->task;
		seen.queued_cpu = ev->cpu;
		seen.queued_n = ev->arg;
		seen.queue = ev->obj;
		break;
	case SIM_EV_DEFERRED_PAID:
		seen.paid++;
		seen.paid_by = ev->task;
		seen.paid_n = ev->arg;
		break;
	default:
		break;
	}
}

static pte_t *page_at(unsigned long addr, unsigned long *pfn)
{
	*pfn = alloc_page(GFP_KERNEL);
	return pte_offset_kernel_alloc(addr);
}

static void reader(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long pfn;
	pte_t *ptep = page_at(KADDR, &pfn);

	(void)arg;
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	memset(&seen, 0, sizeof(seen));
	ok(ptep_get(ptep) == pfn_pte(pfn, PAGE_KERNEL) && seen.reads == 1 &&
		   seen.read_value == pfn_pte(pfn, PAGE_KERNEL),
	   "%s %s: ptep_get() emits one PTE read with the value read",
	   m->arch->name, kver);
}

static void owed(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long f1, f2;
	pte_t *p1 = page_at(KADDR, &f1), *p2 = page_at(KADDR + PAGE_SIZE, &f2);

	(void)arg;
	memset(&seen, 0, sizeof(seen));
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, p1, pfn_pte(f1, PAGE_KERNEL));
	set_pte_at(&m->init_mm, KADDR + PAGE_SIZE, p2,
		   pfn_pte(f2, PAGE_KERNEL));
	ok(seen.queued == 1 && seen.queued_n == 1 &&
		   seen.queued_by == current && seen.queued_cpu == 0 &&
		   seen.queue == current && seen.paid == 0,
	   "%s: TIF_LAZY_MMU_PENDING set: one item queued, by this task "
	   "on CPU0, in its own queue",
	   kver);
	flush_tlb_kernel_range(KADDR, KADDR + 2 * PAGE_SIZE);
	ok(findings(m, "flush-in-section") == 1,
	   "%s: a TLB flush with the barriers still owed: "
	   "flush-in-section: %s",
	   kver, finding_text(m, "flush-in-section"));
	lazy_mmu_mode_disable();
	ok(seen.paid == 1 && seen.paid_n == 1 && seen.paid_by == current,
	   "%s: the flush pays it", kver);
	flush_tlb_kernel_range(KADDR, KADDR + 2 * PAGE_SIZE);
	lazy_mmu_mode_enable();
	flush_tlb_kernel_range(KADDR, KADDR + 2 * PAGE_SIZE);
	lazy_mmu_mode_disable();
	ok(findings(m, "flush-in-section") == 1 && seen.queued == 1,
	   "%s: a flush after the section, or in one that owes nothing: "
	   "no finding",
	   kver);
}

/* Many sections and a DEBUG_PAGEALLOC free inside one: nothing owed. */
static void correct(void *arg)
{
	struct sim_machine *m = sim_machine();

	(void)arg;
	for (int i = 0; i < 4; i++) {
		unsigned long a = KADDR + (unsigned long)i * PAGE_SIZE, pfn;
		pte_t *ptep = page_at(a, &pfn);

		lazy_mmu_mode_enable();
		set_pte_at(&m->init_mm, a, ptep, pfn_pte(pfn, PAGE_KERNEL));
		/*
		 * the allocation's linear-map update opens a nested section
		 * whose end pays what was owed (6.16: and ends the batching)
		 */
		__free_page(alloc_page(GFP_KERNEL));
		lazy_mmu_mode_disable();
		flush_tlb_kernel_range(a, a + PAGE_SIZE);
	}
	ok(findings(m, "flush-in-section") == 0 && seen.queued == seen.paid,
	   "%s: a free inside a section under DEBUG_PAGEALLOC: the nested "
	   "section paid what was owed, no flush-in-section (%d queued, %d "
	   "paid)",
	   kver, seen.queued, seen.paid);
}

/*
 * The same under the hypothetical noflush design (7.0 counters, a nested
 * disable does not flush): update_range_prot()'s flush_tlb_kernel_range()
 * after its nested section runs with the outer section's barriers (and its
 * own) still owed: a genuine flush-in-section.
 */
static void noflush_nested(void *arg)
{
	struct sim_machine *m = sim_machine();
	const struct sim_finding *f = NULL;
	unsigned long pfn;
	pte_t *ptep = page_at(KADDR, &pfn);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	__free_page(alloc_page(GFP_KERNEL));
	lazy_mmu_mode_disable();
	for (size_t i = 0; i < m->nr_findings && !f; i++)
		if (!strcmp(m->findings[i].kind, "flush-in-section") &&
		    strstr(m->findings[i].message, "flush_tlb_kernel_range") &&
		    strstr(m->findings[i].message, "noflush_nested"))
			f = &m->findings[i];
	/* the free's flush: making a page valid flushes nothing */
	ok(f != NULL,
	   "7.0 noflush: DEBUG_PAGEALLOC's flush after a nested section that "
	   "did not flush: flush-in-section: %s",
	   f ? f->message : finding_text(m, "flush-in-section"));
}

static void one(const char *arch, void (*fn)(void *), bool dpa, FILE *trace)
{
	struct sim_observer o = { .event = watch };
	struct trace_writer *tw = NULL;

	simtest_init(&T, arch, kver, 1, dpa, NULL);
	sim_add_observer(T.m, &o);
	if (trace)
		tw = trace_attach(T.m, trace);
	memset(&seen, 0, sizeof(seen));
	sim_spawn(T.m, "t", 0, fn, NULL);
	sim_run(T.m);
	if (tw)
		trace_finish(tw);
	simtest_fini(&T);
}

int main(void)
{
	static const char *const versions[] = { "6.16", "7.0" };
	struct sim_options opt;

	for (int v = 0; v < 2; v++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		kver = versions[v];
		one("generic", reader, false, NULL);
		one("arm64", reader, false, NULL);
		one("arm64", owed, false, f);
		fclose(f);
		ok(strstr(buf, "\"tid\":100,\"ts\":") &&
			   strstr(buf, "\"name\":\"deferred queued\"") &&
			   strstr(buf, "\"name\":\"deferred paid\"") &&
			   strstr(buf, "\"queue\":\"owed dsb+isb\""),
		   "%s: the trace draws queued and paid on the deferred track",
		   kver);
		free(buf);
		one("arm64", correct, true, NULL);
	}

	opt = simtest_options("arm64", "7.0", 1);
	opt.lazy = SIM_LAZY_NOFLUSH;
	opt.debug_pagealloc = true;
	simtest_init_opt(&T, &opt);
	sim_spawn(T.m, "t", 0, noflush_nested, NULL);
	sim_run(T.m);
	simtest_fini(&T);
	return tap_done();
}
