// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The two callers that flush the TLB inside their lazy MMU section
 * (src/mm/task_mmu.c pagemap_scan_pmd_entry(), src/mm/migrate_device.c
 * migrate_vma_collect_pmd()), and Ryan Roberts' RFC 1/6 and 2/6 that move
 * the leave before the flush (--fix pagemap-order, migrate-order): on
 * every arch, at 6.16, 7.0 and 7.1 (and s390's 7.1+lazy-v6), lazy mode on
 * and off, fix on and off. Per run: where the flush falls relative to the
 * section and the PTL, what the path costs (PTE writes, barriers, batch
 * flushes, hypercalls, TLB invalidations) and the findings, each expected
 * value with its reason. Then the workloads end to end through lmm_run()
 * with 2 CPUs reading and writing the pages: no stale-tlb anywhere.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "mm/mm.h"
#include "simtest.h"

#define NR_PAGES 64 /* one PTE table */

static struct simtest T;

/* ---- a recorder of the path's events ------------------------------------- */

struct rec {
	bool on;
	int enables, disables, in_section;
	int flush_calls; /* flush_tlb_range() calls */
	int page_flushes; /* flush_tlb_page() calls */
	bool range_in_section; /* flush_tlb_range() inside the section */
	int range_preempt; /* preempt_count at flush_tlb_range(): PTL held */
	uint64_t barriers, hypercalls, batch_flushes, inval, pte_writes;
	uint64_t hypercalls_in; /* issued while the section is open */
};

static struct rec R;

static void rec_event(void *priv, const struct sim_event *ev)
{
	(void)priv;
	if (!R.on || ev->cpu != 0)
		return;
	switch (ev->type) {
	case SIM_EV_LAZY_CALL:
		if (ev->arg == SIM_LAZY_ENABLE) {
			R.enables++;
			R.in_section++;
		} else if (ev->arg == SIM_LAZY_DISABLE) {
			R.disables++;
			R.in_section--;
		}
		break;
	case SIM_EV_TLB_FLUSH_CALL:
		if (!strcmp(ev->what, "flush_tlb_page")) {
			R.page_flushes++;
			break;
		}
		if (!R.flush_calls++) {
			R.range_in_section = ev->task->lazy_sections > 0;
			R.range_preempt = ev->task->preempt_count;
		}
		break;
	case SIM_EV_BARRIER:
		R.barriers++;
		break;
	case SIM_EV_HYPERCALL:
		R.hypercalls++;
		R.hypercalls_in += R.in_section > 0;
		break;
	case SIM_EV_BATCH_FLUSH:
		R.batch_flushes++;
		break;
	case SIM_EV_TLB_INVAL:
		R.inval++;
		break;
	case SIM_EV_PTE_WRITE:
		R.pte_writes++;
		break;
	default:
		break;
	}
}

static const struct sim_observer rec_obs = { .event = rec_event };

/* ---- one configuration ------------------------------------------------- */

struct cfg {
	const char *arch, *kernel;
	bool lazy, fix;
};

static struct cfg C;

static void pagemap_path(void *arg)
{
	struct mm_struct *mm = lmm_user_setup(NR_PAGES, VM_READ | VM_WRITE);

	(void)arg;
	R.on = true;
	do_pagemap_scan_wp(mm, LMM_USER_BASE,
			   LMM_USER_BASE + NR_PAGES * PAGE_SIZE);
	R.on = false;
}

static unsigned long old_pfn;

static void migrate_path(void *arg)
{
	struct mm_struct *mm = lmm_user_setup(NR_PAGES, VM_READ | VM_WRITE);
	unsigned long src[NR_PAGES], dst[NR_PAGES];
	struct migrate_vma args = {
		.vma = vma_lookup(mm, LMM_USER_BASE),
		.start = LMM_USER_BASE,
		.end = LMM_USER_BASE + NR_PAGES * PAGE_SIZE,
		.src = src,
		.dst = dst,
	};

	(void)arg;
	old_pfn = pte_pfn(*sim_walk(mm, LMM_USER_BASE, 0, false));
	R.on = true;
	migrate_vma_setup(&args);
	R.on = false;
	/* no destination: finalize puts the old pages back */
	migrate_vma_finalize(&args);
}

static void run(void (*fn)(void *), bool migrate)
{
	struct sim_options opt = simtest_options(C.arch, C.kernel, 1);

	if (!C.lazy)
		opt.lazy = SIM_LAZY_OFF;
	if (C.fix)
		opt.fixes |= 1ULL << (migrate ? SIM_FIX_MIGRATE_VMA_ORDER :
						SIM_FIX_PAGEMAP_SCAN_ORDER);
	simtest_init_opt(&T, &opt);
	sim_add_observer(T.m, &rec_obs);
	memset(&R, 0, sizeof(R));
	sim_spawn(T.m, "path", 0, fn, NULL);
	sim_run(T.m);
}

static const char *name(void)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "%s %s lazy %s%s", C.arch, C.kernel,
		 C.lazy ? "on" : "off", C.fix ? " +fix" : "");
	return buf;
}

static bool is(const char *arch)
{
	return !strcmp(C.arch, arch);
}

/* the arch defers user PTE work in a section (arm64 defers none) */
static bool queues(void)
{
	return is("ppc64-hash") || is("sparc64") || is("xen-pv");
}

/* a section is opened: the mode is on and the arch has one */
static bool section(void)
{
	return C.lazy && !is("generic") &&
	       (!is("s390") || !strcmp(C.kernel, "7.1+lazy-v6"));
}

static void no_harm(const char *w)
{
	/* nothing the model finds: no stale translation, no data lost */
	ok(findings(T.m, "stale-tlb") == 0 &&
		   findings(T.m, "bad-access") == 0 &&
		   findings(T.m, "deferred-access") == 0,
	   "%s %s: no stale-tlb, bad-access or deferred-access", w, name());
}

/* ---- pagemap_scan_pmd_entry() ------------------------------------------- */

static void check_pagemap(void)
{
	/* x86_64 (generic, xen-pv) and arm64 have uffd-wp; the others not */
	bool wp = is("generic") || is("arm64") || is("xen-pv");
	bool sec = wp && section();
	uint64_t writes, inval, hc, hc_in;
	int fis;

	run(pagemap_path, false);
	ok(R.enables == (sec ? 1 : 0) && R.disables == R.enables,
	   "pagemap %s: %d section(s) (%d): one PTE table%s", name(), R.enables,
	   sec ? 1 : 0,
	   wp ? "" : "; no uffd-wp on this arch, the VMA is skipped");
	/*
	 * make_uffd_wp_pte(): ptep_modify_prot_start() clears and _commit()
	 * stores, two writes a page; Xen's start only reads (the commit is
	 * an MMU_PT_UPDATE_PRESERVE_AD mmu_update): one.
	 */
	writes = !wp ? 0 : is("xen-pv") ? NR_PAGES : 2 * NR_PAGES;
	ok(R.pte_writes == writes, "pagemap %s: %llu PTE writes (%llu)", name(),
	   (unsigned long long)R.pte_writes, (unsigned long long)writes);
	/*
	 * One flush_tlb_range() under the PTL (preempt_count 1): inside the
	 * section upstream, after the leave with the fix.
	 */
	ok(R.flush_calls == (wp ? 1 : 0) &&
		   R.range_in_section == (sec && !C.fix) &&
		   R.range_preempt == (wp ? 1 : 0),
	   "pagemap %s: flush_tlb_range() %s, under the PTL", name(),
	   !wp		 ? "never" :
	   sec && !C.fix ? "before the leave" :
			   "after the leave");
	/*
	 * arm64: 64 pages < MAX_DVM_OPS, one TLBI each between dsb ishst
	 * and dsb ish; user PTE stores need no barrier. x86 native and Xen:
	 * 64 pages > tlb_single_page_flush_ceiling (33), one full flush.
	 */
	inval = is("arm64") ? 64 : wp ? 1 : 0;
	ok(R.inval == inval && R.barriers == (is("arm64") ? 2U : 0U),
	   "pagemap %s: %llu TLB invalidations (%llu), %llu barriers", name(),
	   (unsigned long long)R.inval, (unsigned long long)inval,
	   (unsigned long long)R.barriers);
	/*
	 * Xen, mode off: each mmu_update is a hypercall, then the flush: 65.
	 * On: the 64 updates fill the multicall's 512 bytes of arguments
	 * twice (32 x 16 bytes), paid when the 33rd does not fit and when
	 * the flush's mmuext_op does not (in the section); the leave issues
	 * the queued flush: 3. With the fix the leave pays the second 32
	 * and the flush, outside the mode, is issued at once: 3, one of
	 * them in the section.
	 */
	hc = !is("xen-pv") ? 0 : C.lazy ? 3 : 65;
	hc_in = !is("xen-pv") || !C.lazy ? 0 : C.fix ? 1 : 2;
	ok(R.hypercalls == hc && R.hypercalls_in == hc_in &&
		   R.batch_flushes == (is("xen-pv") && C.lazy ? 2U : 0U),
	   "pagemap %s: %llu hypercalls (%llu), %llu in the section (%llu), "
	   "%llu batch flushes",
	   name(), (unsigned long long)R.hypercalls, (unsigned long long)hc,
	   (unsigned long long)R.hypercalls_in, (unsigned long long)hc_in,
	   (unsigned long long)R.batch_flushes);
	/*
	 * Upstream order on Xen: flush_tlb_range() with the second 32
	 * updates still queued: flush-in-section (harmless: the flush is
	 * queued behind them). arm64 queues nothing for user PTEs.
	 */
	fis = is("xen-pv") && C.lazy && !C.fix ? 1 : 0;
	ok(findings(T.m, "flush-in-section") == fis,
	   "pagemap %s: %d flush-in-section (%d)%s%s", name(),
	   findings(T.m, "flush-in-section"), fis, fis ? ": " : "",
	   fis ? finding_text(T.m, "flush-in-section") : "");
	if (fis)
		ok(strstr(finding_text(T.m, "flush-in-section"),
			  "no harm on xen-pv"),
		   "pagemap %s: the finding says why no harm follows", name());
	no_harm("pagemap");
	simtest_fini(&T);
}

/* ---- migrate_vma_collect_pmd() ------------------------------------------ */

static void check_migrate(void)
{
	bool sec = section();
	bool ppc_sparc = is("ppc64-hash") || is("sparc64");
	uint64_t inval, hc, bf;
	int fis;

	run(migrate_path, true);
	ok(R.enables == (sec ? 1 : 0) && R.disables == R.enables,
	   "migrate %s: %d section(s) (%d)", name(), R.enables, sec ? 1 : 0);
	/*
	 * Each page: ptep_clear_flush() (anon-exclusive: the clear, then
	 * flush_tlb_page() in the section; on s390 ptep_xchg_direct(): an
	 * IPTE at once, no flush call) and set_pte_at() of the migration
	 * entry: 128 writes, 64 page flushes (s390: none), every arch.
	 */
	ok(R.pte_writes == 2 * NR_PAGES &&
		   R.page_flushes == (is("s390") ? 0 : NR_PAGES),
	   "migrate %s: %llu PTE writes (128), %d flush_tlb_page() (%d)",
	   name(), (unsigned long long)R.pte_writes, R.page_flushes,
	   is("s390") ? 0 : NR_PAGES);
	/*
	 * The final flush_tlb_range() under the PTL: in the section
	 * upstream, after the leave with the fix; ppc64-hash and sparc64
	 * also hold preemption off for the section (2).
	 */
	ok(R.flush_calls == 1 && R.range_in_section == (sec && !C.fix) &&
		   R.range_preempt == (sec && !C.fix && ppc_sparc ? 2 : 1),
	   "migrate %s: flush_tlb_range() %s, under the PTL (%d)", name(),
	   sec && !C.fix ? "before the leave" : "after the leave",
	   R.range_preempt);
	/*
	 * arm64: a dsb ishst; tlbi; dsb ish per flush_tlb_page(), then the
	 * range's 64 TLBIs between two dsbs: 128 TLBIs, 130 barriers.
	 * x86 native, Xen: 64 single-page flushes and one full flush (64 >
	 * 33). ppc64-hash, sparc64: the flush calls do nothing; one HPTE
	 * (TSB) invalidation a cleared page, batched or not. s390: an IPTE
	 * a cleared page, the flush calls do nothing.
	 */
	inval = is("arm64") ? 128 : is("generic") || is("xen-pv") ? 65 : 64;
	ok(R.inval == inval && R.barriers == (is("arm64") ? 130U : 0U),
	   "migrate %s: %llu TLB invalidations (%llu), %llu barriers", name(),
	   (unsigned long long)R.inval, (unsigned long long)inval,
	   (unsigned long long)R.barriers);
	/*
	 * Batch flushes: ppc64-hash and sparc64 pay the 64 queued
	 * invalidations at the leave (one), Xen its multicall whenever the
	 * next entry does not fit (16 + 24 bytes a page: 5 times in 64
	 * pages) and at the leave: 6. Hypercalls (Xen): the 64 trapped
	 * xchg of the clears, plus the 6 multicalls (the fix: 7, the
	 * final flush issued on its own); with the mode off 3 a page (xchg,
	 * invlpg, mmu_update) and the final flush: 193.
	 */
	bf = !C.lazy || !sec ? 0 : ppc_sparc ? 1 : is("xen-pv") ? 6 : 0;
	hc = !is("xen-pv") ? 0 : !C.lazy ? 193 : C.fix ? 71 : 70;
	ok(R.batch_flushes == bf && R.hypercalls == hc,
	   "migrate %s: %llu batch flushes (%llu), %llu hypercalls (%llu)",
	   name(), (unsigned long long)R.batch_flushes, (unsigned long long)bf,
	   (unsigned long long)R.hypercalls, (unsigned long long)hc);
	/*
	 * Upstream, where the arch queues: the first flush_tlb_page() that
	 * finds work queued (ppc64-hash, sparc64: the page's own HPTE/TSB
	 * invalidation; Xen: the previous page's mmu_update), again after
	 * each payment of the queue (Xen: 5), and flush_tlb_range(). The fix
	 * moves only flush_tlb_range() out: one fewer.
	 */
	fis = !C.lazy || !queues() ? 0 : ppc_sparc ? 1 : 6;
	fis += fis && !C.fix;
	ok(findings(T.m, "flush-in-section") == fis,
	   "migrate %s: %d flush-in-section (%d)", name(),
	   findings(T.m, "flush-in-section"), fis);
	if (fis) {
		char harm[48];

		snprintf(harm, sizeof(harm), "no harm on %s", C.arch);
		ok(strstr(finding_text(T.m, "flush-in-section"), harm),
		   "migrate %s: the finding says '%s'", name(), harm);
	}
	no_harm("migrate");
	simtest_fini(&T);
}

/* ---- end to end, 2 CPUs reading and writing ---------------------------- */

static void e2e(void)
{
	static const char *const ws[] = { "pagemap-wp", "migrate-collect" };
	static const char *const kernels[] = { "6.16", "7.0", "7.1" };

	for (size_t w = 0; w < 2; w++) {
		int clean = 0, fis_ok = 0, n = 0;

		for (const char *const *a = sim_arch_names; *a; a++)
			for (size_t k = 0; k < 3; k++)
				for (int fix = 0; fix < 2; fix++) {
					struct lmm_run_config c;
					struct lmm_run_result r;
					char err[160];
					size_t bad = 0, fis = 0;
					bool want;

					lmm_run_defaults(&c);
					c.arch = *a;
					c.kernel = kernels[k];
					c.workload = ws[w];
					c.cpus = 2;
					c.pages = 48;
					c.seed = 11 + (uint64_t)n;
					if (fix)
						c.fixes[c.nr_fixes++] =
							w ? "migrate-order" :
							    "pagemap-order";
					n++;
					if (lmm_run(&c, &r, err, sizeof(err))) {
						diag("%s", err);
						continue;
					}
					for (size_t i = 0; i < r.nr_findings;
					     i++) {
						if (!strcmp(r.findings[i].kind,
							    "flush-in-section"))
							fis++;
						else
							bad++;
						if (strcmp(r.findings[i].kind,
							   "flush-in-section"))
							diag("%s %s %s: %s",
							     ws[w], *a,
							     kernels[k],
							     r.findings[i]
								     .message);
					}
					/*
					 * flush-in-section where the arch
					 * queues user PTE work: pagemap only
					 * on xen-pv (uffd-wp), and only
					 * upstream; migrate on ppc64-hash,
					 * sparc64, xen-pv, fix or not (the
					 * ptep_clear_flush() of each page)
					 */
					want = w ? !strcmp(*a, "ppc64-hash") ||
							       !strcmp(*a,
								       "sparc64") ||
							       !strcmp(*a,
								       "xen-pv") :
						   !strcmp(*a, "xen-pv") &&
							       !fix;
					clean += !bad;
					fis_ok += (fis > 0) == want;
					lmm_run_result_free(&r);
				}
		/* the other CPU's accesses never use a stale translation */
		ok(clean == n,
		   "%s, 2 CPUs: %d of %d runs with no finding but "
		   "flush-in-section",
		   ws[w], clean, n);
		ok(fis_ok == n,
		   "%s, 2 CPUs: flush-in-section exactly where the arch "
		   "queues (%d of %d)",
		   ws[w], fis_ok, n);
	}
}

int main(void)
{
	static const char *const arches[] = { "generic", "arm64",  "ppc64-hash",
					      "sparc64", "xen-pv", "s390" };
	static const char *const kernels[] = { "6.16", "7.0", "7.1",
					       "7.1+lazy-v6" };

	for (size_t a = 0; a < 6; a++)
		for (size_t k = 0; k < 4; k++) {
			/* the label is s390's only */
			if (k == 3 && strcmp(arches[a], "s390"))
				continue;
			for (int lz = 1; lz >= 0; lz--)
				for (int fx = 0; fx < 2; fx++) {
					C = (struct cfg){ arches[a], kernels[k],
							  lz, fx };
					check_pagemap();
					check_migrate();
				}
		}
	/* the fixes' older names still name them */
	ok(sim_fix_find("pagemap-scan-order") ==
			   sim_fix_find("pagemap-order") &&
		   sim_fix_find("migrate-vma-order") ==
			   sim_fix_find("migrate-order") &&
		   sim_fix_find("pagemap-order")->id ==
			   SIM_FIX_PAGEMAP_SCAN_ORDER,
	   "pagemap-scan-order and migrate-vma-order are aliases");
	e2e();
	return tap_done();
}
