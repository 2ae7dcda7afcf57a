// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The three ways of deferring, on the test-only models of style_models.h:
 * for each, a caller that relies on an update before its section is
 * flushed is a deferred-access at the address it used, and one that
 * flushes first is clean. Also: a TLB flush or a page free with deferred
 * work still queued is a flush-in-section; an access that still reaches
 * the old frame after the model paid its invalidation is a stale-tlb; the
 * models' state is the machine's (init/fini).
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "simtest.h"
#include "style_models.h"

#define KADDR (VMALLOC_START + 0x40000000UL)
#define TLB_ENTRIES 4
#define init_mm (sim_machine()->init_mm)

static struct simtest T;
static const char *style;
static char kaddr_text[32]; /* "0x..." as findings print KADDR */

/* Frames X and Y, holding their own numbers; KADDR's PTE (invalid). */
static unsigned long X, Y;

static pte_t *setup(void)
{
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);

	X = alloc_page(GFP_KERNEL);
	Y = alloc_page(GFP_KERNEL);
	sim_phys_write(X << PAGE_SHIFT, X);
	sim_phys_write(Y << PAGE_SHIFT, Y);
	return ptep;
}

/* Load TLB_ENTRIES other pages, so that KADDR leaves the TLB. */
static void evict_tlb(void)
{
	for (int i = 1; i <= TLB_ENTRIES; i++) {
		unsigned long a = KADDR + (unsigned long)i * PAGE_SIZE;

		set_pte_at(&init_mm, a, pte_offset_kernel_alloc(a),
			   pfn_pte(X, PAGE_KERNEL));
		sim_load(a);
	}
}

static bool caught_at_kaddr(void)
{
	return findings(sim_machine(), "deferred-access") >= 1 &&
	       strstr(finding_text(sim_machine(), "deferred-access"),
		      kaddr_text);
}

static int nr_findings(void)
{
	return (int)sim_machine()->nr_findings;
}

/* ---- (1) hidden from walkers ----------------------------------------------- */

static void hide_caller(void *arg)
{
	bool flush_first = arg != NULL;
	pte_t *ptep = setup();

	lazy_mmu_mode_enable();
	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(X, PAGE_KERNEL));
	ok(sim_pt_walker_read(ptep, 0) == 0,
	   "hide: the store is hidden from the walker in the section");
	if (flush_first)
		lazy_mmu_mode_disable();
	ok(sim_load(KADDR) == X, "hide: the access reaches X (%s)",
	   flush_first ? "after the flush" : "via a spurious fault");
	if (flush_first) {
		ok(nr_findings() == 0, "hide: flushed first: clean");
		return;
	}
	ok(findings(sim_machine(), "deferred-access") == 1 && caught_at_kaddr(),
	   "hide: access before the flush: deferred-access at %s: %s",
	   kaddr_text, finding_text(sim_machine(), "deferred-access"));
	lazy_mmu_mode_disable();
}

/* ---- (2) queued, not in memory ----------------------------------------------- */

static void queue_caller(void *arg)
{
	bool flush_first = arg != NULL;
	pte_t *ptep = setup();
	pte_t got;

	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(X, PAGE_KERNEL));
	lazy_mmu_mode_enable();
	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(Y, PAGE_KERNEL));
	ok(*ptep == pfn_pte(X, PAGE_KERNEL),
	   "queue: the table keeps the old value in the section");
	if (flush_first) {
		lazy_mmu_mode_disable();
		flush_tlb_kernel_range(KADDR, KADDR + PAGE_SIZE);
	}
	got = ptep_get(ptep);
	if (flush_first) {
		ok(got == pfn_pte(Y, PAGE_KERNEL) && sim_load(KADDR) == Y,
		   "queue: flushed first: ptep_get() and the access see Y");
		ok(nr_findings() == 0, "queue: flushed first: clean");
		return;
	}
	ok(got == pfn_pte(X, PAGE_KERNEL),
	   "queue: the kernel's own ptep_get() reads the old value");
	ok(findings(sim_machine(), "deferred-access") == 1 && caught_at_kaddr(),
	   "queue: ptep_get() before the flush: deferred-access at %s: %s",
	   kaddr_text, finding_text(sim_machine(), "deferred-access"));
	got = sim_load(KADDR);
	ok(got == X && findings(sim_machine(), "deferred-access") == 2,
	   "queue: an access before the flush reaches X: deferred-access");
	lazy_mmu_mode_disable();
	ok(*ptep == pfn_pte(Y, PAGE_KERNEL), "queue: the flush stores Y");
}

/* A TLB flush and a page free with the update still queued. */
static void queue_flusher(void *arg)
{
	pte_t *ptep = setup();
	unsigned long spare = alloc_page(GFP_KERNEL);

	(void)arg;
	lazy_mmu_mode_enable();
	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(Y, PAGE_KERNEL));
	sim_load(KADDR);
	ok(findings(sim_machine(), "bad-access") == 1 &&
		   findings(sim_machine(), "deferred-access") == 1 &&
		   strstr(finding_text(sim_machine(), "deferred-access"),
			  "faulted"),
	   "queue: a new mapping used before the flush faults: "
	   "deferred-access: %s",
	   finding_text(sim_machine(), "deferred-access"));
	flush_tlb_kernel_range(KADDR, KADDR + PAGE_SIZE);
	ok(findings(sim_machine(), "flush-in-section") == 1 &&
		   strstr(finding_text(sim_machine(), "flush-in-section"),
			  "flush_tlb_kernel_range"),
	   "flush_tlb_kernel_range() with an update queued: "
	   "flush-in-section: %s",
	   finding_text(sim_machine(), "flush-in-section"));
	__free_page(spare);
	ok(findings(sim_machine(), "flush-in-section") == 2,
	   "__free_page() with an update queued: flush-in-section");
	lazy_mmu_mode_disable();
	flush_tlb_kernel_range(KADDR, KADDR + PAGE_SIZE);
	__free_page(X);
	lazy_mmu_mode_enable();
	flush_tlb_kernel_range(KADDR, KADDR + PAGE_SIZE);
	lazy_mmu_mode_disable();
	ok(findings(sim_machine(), "flush-in-section") == 2,
	   "after the flush, or in a section with nothing queued: none");
}

/* ---- (3) in memory, the model's translation cache is stale ------------------ */

static void cache_caller(void *arg)
{
	bool flush_first = arg != NULL;
	pte_t *ptep = setup();
	uint64_t v;

	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(X, PAGE_KERNEL));
	ok(sim_load(KADDR) == X, "cache: X is mapped and cached");
	lazy_mmu_mode_enable();
	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(Y, PAGE_KERNEL));
	ok(*ptep == pfn_pte(Y, PAGE_KERNEL) &&
		   ptep_get(ptep) == pfn_pte(Y, PAGE_KERNEL),
	   "cache: the store is in memory at once");
	if (flush_first)
		lazy_mmu_mode_disable();
	evict_tlb();
	v = sim_load(KADDR);
	if (flush_first) {
		ok(v == Y, "cache: flushed first: the access reaches Y");
		ok(nr_findings() == 0, "cache: flushed first: clean");
		return;
	}
	ok(v == X, "cache: past a TLB eviction the cache still gives X");
	ok(findings(sim_machine(), "deferred-access") == 1 && caught_at_kaddr(),
	   "cache: access before the flush: deferred-access at %s: %s",
	   kaddr_text, finding_text(sim_machine(), "deferred-access"));
	lazy_mmu_mode_disable();
	evict_tlb();
	ok(sim_load(KADDR) == Y, "cache: after the flush the access reaches Y");
}

/* A broken model pays its invalidation without dropping the hash entry. */
static void cache_forgets(void *arg)
{
	pte_t *ptep = setup();
	uint64_t v;

	(void)arg;
	((struct style_hpt *)sim_arch_state())->forget_inval = true;
	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(X, PAGE_KERNEL));
	sim_load(KADDR);
	lazy_mmu_mode_enable();
	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(Y, PAGE_KERNEL));
	lazy_mmu_mode_disable();
	evict_tlb();
	v = sim_load(KADDR);
	ok(v == X && findings(sim_machine(), "stale-tlb") == 1 &&
		   findings(sim_machine(), "deferred-access") == 0,
	   "cache: old frame reached after the invalidation was paid: "
	   "stale-tlb: %s",
	   finding_text(sim_machine(), "stale-tlb"));
}

/*
 * The same broken model, a write-protect: a write through the cached
 * writable entry after the invalidation was paid reaches the right frame,
 * but the table says read-only: stale-tlb (what a PAGEMAP_SCAN write-protect
 * would suffer if the queue paid at the leave were not the invalidation).
 */
static void cache_forgets_wp(void *arg)
{
	pte_t *ptep = setup();

	(void)arg;
	((struct style_hpt *)sim_arch_state())->forget_inval = true;
	set_pte_at(&init_mm, KADDR, ptep, pfn_pte(X, PAGE_KERNEL));
	sim_load(KADDR);
	lazy_mmu_mode_enable();
	set_pte_at(&init_mm, KADDR, ptep,
		   pte_wrprotect(pfn_pte(X, PAGE_KERNEL)));
	lazy_mmu_mode_disable();
	evict_tlb();
	ok(sim_probe_store(KADDR, X) &&
		   findings(sim_machine(), "stale-tlb") == 1 &&
		   strstr(finding_text(sim_machine(), "stale-tlb"), "wrote"),
	   "cache: a write through the old writable entry after the "
	   "write-protect was paid: stale-tlb: %s",
	   finding_text(sim_machine(), "stale-tlb"));
}

/* ---- the runs ------------------------------------------------------------------ */

static void run(const struct sim_arch_ops *ops, const char *name,
		void (*fn)(void *), bool flush_first)
{
	struct sim_options opt = { 0 };
	int fini_before = style_fini_ok;

	style = ops->name;
	diag("%s: %s", style, name);
	opt.arch = ops;
	opt.lazy = ops->lazy;
	opt.nr_cpus = 2;
	opt.nr_frames = 4096;
	opt.tlb_entries = TLB_ENTRIES;
	opt.policy = &steer_policy;
	simtest_init_opt(&T, &opt);
	for (unsigned int c = 0; c < opt.nr_cpus; c++)
		ok(((struct style_cpu *)T.m->cpu[c].arch_state)->magic ==
			   STYLE_MAGIC,
		   "%s: init() set up CPU%u's state", style, c);
	sim_spawn(T.m, name, 0, fn, flush_first ? (void *)1 : NULL);
	sim_run(T.m);
	simtest_fini(&T);
	ok(style_fini_ok == fini_before + 1,
	   "%s: fini() found the state init() left", style);
}

int main(void)
{
	snprintf(kaddr_text, sizeof(kaddr_text), "%#lx", KADDR);
	run(&style_hide_ops, "relies", hide_caller, false);
	run(&style_hide_ops, "flushes", hide_caller, true);
	run(&style_queue_ops, "relies", queue_caller, false);
	run(&style_queue_ops, "flushes", queue_caller, true);
	run(&style_queue_ops, "flusher", queue_flusher, false);
	run(&style_cache_ops, "relies", cache_caller, false);
	run(&style_cache_ops, "flushes", cache_caller, true);
	run(&style_cache_ops, "forgets", cache_forgets, false);
	run(&style_cache_ops, "forgets-wp", cache_forgets_wp, false);
	return tap_done();
}
