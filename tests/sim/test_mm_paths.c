// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The kernel paths of the user-space workloads (src/mm/fork.c, munmap.c,
 * mprotect.c, mremap.c, vmalloc.c's vunmap(), mmu_gather.c): where each
 * opens and closes its lazy MMU section, where it flushes and frees
 * relative to the section and to its page-table locks, and what each
 * costs on arm64 and generic (x86 native), the reason for every expected
 * number beside it. Then each workload end to end through lmm_run() on
 * every modelled arch, with other CPUs reading and writing the pages: no
 * findings.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "mm/mm.h"
#include "simtest.h"

static struct simtest T;
static const char *arch, *kver;
static unsigned long nr_pages;

/* ---- a recorder of the path's events ------------------------------------- */

struct rec {
	bool on; /* recording: the path runs */
	int enables, disables; /* generic lazy calls */
	int in_section; /* the path's section is open now */
	uint64_t barriers_in, barriers_out;
	uint64_t inval; /* TLB invalidation operations */
	int flush_calls;
	const char *flush_what;
	bool flush_in_section;
	int flush_preempt; /* preempt_count at the flush: PTLs held */
	int disables_before_flush;
	int frees, frees_in_section, frees_before_flush;
	int allocs_in_section;
	int pte_writes;
};

static struct rec R;

static void rec_event(void *priv, const struct sim_event *ev)
{
	(void)priv;
	if (!R.on || !ev->task || ev->cpu != 0)
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
	case SIM_EV_BARRIER:
		if (R.in_section)
			R.barriers_in++;
		else
			R.barriers_out++;
		break;
	case SIM_EV_TLB_INVAL:
		R.inval++;
		break;
	case SIM_EV_TLB_FLUSH_CALL:
		if (!R.flush_calls++) {
			R.flush_what = ev->what;
			R.flush_in_section = ev->task->lazy_sections > 0;
			R.flush_preempt = ev->task->preempt_count;
			R.disables_before_flush = R.disables;
		}
		break;
	case SIM_EV_PAGE_FREE:
		R.frees++;
		R.frees_in_section += ev->task->lazy_sections > 0;
		R.frees_before_flush += R.flush_calls == 0;
		break;
	case SIM_EV_PAGE_ALLOC:
		R.allocs_in_section += ev->task->lazy_sections > 0;
		break;
	case SIM_EV_PTE_WRITE:
		R.pte_writes++;
		break;
	default:
		break;
	}
}

static const struct sim_observer rec_obs = { .event = rec_event };

static bool arm64(void)
{
	return !strcmp(arch, "arm64");
}

static bool lazy(void)
{
	return T.m->opt.lazy != SIM_LAZY_OFF;
}

static void start(const char *a, const char *k, bool debug_pagealloc)
{
	arch = a;
	kver = k;
	simtest_init(&T, a, k, 1, debug_pagealloc, NULL);
	sim_add_observer(T.m, &rec_obs);
	memset(&R, 0, sizeof(R));
}

static void finish(void)
{
	ok(T.m->nr_findings == 0, "%s %s: no findings%s%s", arch, kver,
	   T.m->nr_findings ? ": " : "",
	   T.m->nr_findings ? T.m->findings[0].message : "");
	simtest_fini(&T);
}

/* ---- fork ------------------------------------------------------------------ */

static void fork_check(void *arg)
{
	struct mm_struct *parent = lmm_user_setup(nr_pages, VM_READ | VM_WRITE);
	struct mm_struct *child;
	uint64_t v = 0;

	(void)arg;
	R.on = true;
	child = dup_mmap(parent);
	R.on = false;
	/*
	 * One PTE table of 64 pages: one section, opened and closed once
	 * (copy_pte_range() enters per table); with no lazy mode (generic)
	 * none at all.
	 */
	ok(R.enables == (lazy() ? 1 : 0) && R.disables == R.enables,
	   "%s %s: fork: %d section(s) for one PTE table", arch, kver,
	   R.enables);
	/* 64 wrprotects of the parent + 64 set_ptes() of the child, plus
	 * the child's three new tables (pud, pmd, PTE table) */
	ok(R.pte_writes == 2 * 64 + 3, "%s %s: fork: %d PTE writes (131)", arch,
	   kver, R.pte_writes);
	/*
	 * Inside the section nothing is paid on either arch: arm64 emits
	 * barriers only for valid kernel entries (__set_pte_complete():
	 * pte_valid_not_user()), and a user PTE is not one.
	 */
	ok(R.barriers_in == 0, "%s %s: fork: no barrier in the section", arch,
	   kver);
	/*
	 * One flush, flush_tlb_mm(parent), after the section and with no
	 * PTL held (dup_mmap(), after every VMA): on arm64 dsb ishst; tlbi
	 * aside1is; dsb ish: one invalidation, two barriers (the others
	 * outside are the child's three table stores, a dsb ishst + isb
	 * each: 6).
	 */
	ok(R.flush_calls == 1 && R.flush_what &&
		   !strcmp(R.flush_what, "flush_tlb_mm") &&
		   !R.flush_in_section && R.flush_preempt == 0 &&
		   R.disables_before_flush == R.enables,
	   "%s %s: fork: one flush_tlb_mm() after the section, no PTL held",
	   arch, kver);
	ok(R.inval == 1, "%s %s: fork: one TLB invalidation (the ASID)", arch,
	   kver);
	ok(R.barriers_out == (arm64() ? 2 + 6 : 0),
	   "%s %s: fork: %llu barriers outside the section (%d)", arch, kver,
	   (unsigned long long)R.barriers_out, arm64() ? 8 : 0);
	/* the parent is write-protected for COW; the child reads its data */
	ok(pte_write(*sim_walk(parent, LMM_USER_BASE, 0, false)) == false,
	   "%s %s: fork: the parent's PTE is write-protected", arch, kver);
	kthread_use_mm(child);
	ok(user_load(LMM_USER_BASE + PAGE_SIZE, &v) &&
		   v == lmm_token(LMM_USER_BASE + PAGE_SIZE),
	   "%s %s: fork: the child reads the parent's data", arch, kver);
	ok(user_store(LMM_USER_BASE, 7) &&
		   pfn_to_page(
			   pte_pfn(*sim_walk(parent, LMM_USER_BASE, 0, false)))
				   ->mapcount == 1,
	   "%s %s: fork: a child's write copies the page (COW)", arch, kver);
	kthread_use_mm(parent);
	ok(user_load(LMM_USER_BASE, &v) && v == lmm_token(LMM_USER_BASE),
	   "%s %s: fork: the parent keeps its data", arch, kver);
}

/* ---- munmap ------------------------------------------------------------ */

static void munmap_check(void *arg)
{
	struct mm_struct *mm = lmm_user_setup(nr_pages, VM_READ | VM_WRITE);
	unsigned long nr_free = sim_machine()->nr_free;
	uint64_t v;

	(void)arg;
	R.on = true;
	do_munmap(mm, LMM_USER_BASE, nr_pages * PAGE_SIZE);
	R.on = false;
	ok(R.enables == (lazy() ? 1 : 0) && R.disables == R.enables,
	   "%s %s: munmap: %d section(s) for one PTE table", arch, kver,
	   R.enables);
	/*
	 * The bundle in the gather holds 7 pages (full at max - 1); the 7th
	 * fills it and tlb_next_batch() takes one GFP_NOWAIT page, inside
	 * the section (with the mode on), which holds the other 57.
	 */
	ok(R.allocs_in_section == (lazy() ? 1 : 0),
	   "%s %s: munmap: the batch page is allocated in the section", arch,
	   kver);
	/*
	 * One flush, tlb_finish_mmu()'s flush_tlb_range() of the 64 pages,
	 * after the section, with no PTL held: on arm64 below MAX_DVM_OPS
	 * (512), so dsb ishst, 64 tlbi vale1is, dsb ish; x86 native flushes
	 * the whole ASID above tlb_single_page_flush_ceiling (33 pages): one.
	 */
	ok(R.flush_calls == 1 && R.flush_what &&
		   !strcmp(R.flush_what, "flush_tlb_range") &&
		   !R.flush_in_section && R.flush_preempt == 0,
	   "%s %s: munmap: one flush_tlb_range() after the section", arch,
	   kver);
	ok(R.inval == (arm64() ? 64 : 1),
	   "%s %s: munmap: %llu TLB invalidations (%d)", arch, kver,
	   (unsigned long long)R.inval, arm64() ? 64 : 1);
	ok(R.barriers_in == 0 && R.barriers_out == (arm64() ? 2 : 0),
	   "%s %s: munmap: barriers %llu in, %llu after the section", arch,
	   kver, (unsigned long long)R.barriers_in,
	   (unsigned long long)R.barriers_out);
	/* 64 pages and the batch page, all freed after the flush */
	ok(R.frees == 65 && R.frees_before_flush == 0 &&
		   R.frees_in_section == 0,
	   "%s %s: munmap: %d frees, %d before the flush (65, 0)", arch, kver,
	   R.frees, R.frees_before_flush);
	ok(sim_machine()->nr_free == nr_free + 64,
	   "%s %s: munmap: every page back in the allocator", arch, kver);
	ok(!sim_probe_load(LMM_USER_BASE, &v) && !find_vma(mm, 0),
	   "%s %s: munmap: the address faults, the VMA is gone", arch, kver);
}

/* ---- mprotect ---------------------------------------------------------- */

static void mprotect_check(void *arg)
{
	struct mm_struct *mm = lmm_user_setup(nr_pages, VM_READ | VM_WRITE);
	uint64_t v;

	(void)arg;
	R.on = true;
	do_mprotect(mm, LMM_USER_BASE, nr_pages * PAGE_SIZE, VM_READ);
	R.on = false;
	ok(R.enables == (lazy() ? 1 : 0) && R.disables == R.enables,
	   "%s %s: mprotect: %d section(s)", arch, kver, R.enables);
	/* ptep_modify_prot_start() clears, _commit() stores: two a page */
	ok(R.pte_writes == 2 * 64, "%s %s: mprotect: %d PTE writes (128)", arch,
	   kver, R.pte_writes);
	/* tlb_finish_mmu(): after the section and after the PTL is dropped */
	ok(R.flush_calls == 1 && R.flush_what &&
		   !strcmp(R.flush_what, "flush_tlb_range") &&
		   !R.flush_in_section && R.flush_preempt == 0 &&
		   R.disables_before_flush == R.enables,
	   "%s %s: mprotect: the flush comes after the PTL is dropped", arch,
	   kver);
	ok(sim_probe_load(LMM_USER_BASE, &v) && v == lmm_token(LMM_USER_BASE) &&
		   !sim_probe_store(LMM_USER_BASE, v),
	   "%s %s: mprotect: the page reads its data, a write faults", arch,
	   kver);
}

/* ---- mremap ------------------------------------------------------------ */

static void mremap_check(void *arg)
{
	struct mm_struct *mm = lmm_user_setup(nr_pages, VM_READ | VM_WRITE);
	uint64_t v = 0;

	(void)arg;
	R.on = true;
	do_mremap(mm, LMM_USER_BASE, nr_pages * PAGE_SIZE, LMM_USER_MOVED);
	R.on = false;
	ok(R.enables == (lazy() ? 1 : 0) && R.disables == R.enables,
	   "%s %s: mremap: %d section(s)", arch, kver, R.enables);
	/*
	 * The flush after leaving, under both PTLs (the old and the new PTE
	 * table are different tables: preempt_count 2).
	 */
	ok(R.flush_calls == 1 && R.flush_what &&
		   !strcmp(R.flush_what, "flush_tlb_range") &&
		   !R.flush_in_section && R.flush_preempt == 2 &&
		   R.disables_before_flush == R.enables,
	   "%s %s: mremap: the flush after leaving, under both PTLs (%d)", arch,
	   kver, R.flush_preempt);
	ok(user_load(LMM_USER_MOVED + PAGE_SIZE, &v) &&
		   v == lmm_token(LMM_USER_BASE + PAGE_SIZE) &&
		   !sim_probe_load(LMM_USER_BASE, &v),
	   "%s %s: mremap: the data moved, the old address faults", arch, kver);
}

/* ---- vunmap ------------------------------------------------------------ */

static void vunmap_check(void *arg)
{
	unsigned long pages[64], addr;
	int flushes;

	(void)arg;
	for (int i = 0; i < 64; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	addr = vmap(pages, 64);
	sim_store(addr, 5);
	R.on = true;
	vunmap(addr);
	flushes = R.flush_calls;
	vm_unmap_aliases();
	R.on = false;
	/* a lazy purge: no flush at vunmap() unless DEBUG_PAGEALLOC */
	ok(flushes == (T.m->opt.debug_pagealloc ? 1 : 0),
	   "%s %s: vunmap: %d flush(es) at vunmap()", arch, kver, flushes);
	/* the purge's flush_tlb_kernel_range(), outside any section */
	ok(R.flush_calls == flushes + 1 && !R.flush_in_section,
	   "%s %s: vunmap: the purge flushes once, outside the section", arch,
	   kver);
	ok(sim_load(sim_linear_addr(pages[0])) == 5,
	   "%s %s: vunmap: the pages keep their data", arch, kver);
	for (int i = 0; i < 64; i++)
		__free_page(pages[i]);
}

/* ---- the mmu_gather alone ------------------------------------------------ */

static void gather_check(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long want = MMU_GATHER_BUNDLE - 1 +
			     MAX_GATHER_BATCH_COUNT * (MAX_GATHER_BATCH - 1);
	unsigned long nr_free, i, first = 0, pfn;
	struct mmu_gather tlb;
	bool full = false;

	(void)arg;
	/*
	 * A batch is full at max - 1 entries (__tlb_remove_folio_pages_size(),
	 * room for a page and its count; issue 9 corrected the model, which
	 * filled all max): 7 + 19 x 509 = 9678 pages, then
	 * MAX_GATHER_BATCH_COUNT stops it.
	 */
	nr_free = m->nr_free;
	tlb_gather_mmu(&tlb, &m->init_mm);
	for (i = 0; i < want + 1 && !full; i++) {
		pfn = alloc_page(GFP_KERNEL);
		if (!first)
			first = pfn;
		full = __tlb_remove_folio_pages(&tlb, pfn, 1);
	}
	ok(full && i == want && tlb.batch_count == MAX_GATHER_BATCH_COUNT &&
		   tlb.nr_batch_alloc == MAX_GATHER_BATCH_COUNT,
	   "gather: full after %lu pages, %u batch pages (%lu, %lu)", i,
	   tlb.batch_count, want, (unsigned long)MAX_GATHER_BATCH_COUNT);
	tlb_finish_mmu(&tlb);
	ok(m->nr_free == nr_free, "gather: every page and batch page freed");

	/* with the allocator empty, the 7th page forces the flush */
	while (alloc_page(GFP_NOWAIT))
		;
	tlb_gather_mmu(&tlb, &m->init_mm);
	full = false;
	for (i = 0; i < MMU_GATHER_BUNDLE - 1 && !full; i++)
		full = __tlb_remove_folio_pages(&tlb, first + i, 1);
	ok(full && i == MMU_GATHER_BUNDLE - 1 && tlb.nr_batch_fail == 1,
	   "gather: a failed GFP_NOWAIT batch page forces a flush at page %lu",
	   i);
	tlb.local.nr = 0; /* those pages are not ours to free */
	tlb_finish_mmu(&tlb);
}

static bool lazy_off; /* build the run as if without the lazy MMU mode */

static void run_check(const char *a, const char *k, bool dpa,
		      void (*fn)(void *), unsigned long pages)
{
	start(a, k, dpa);
	if (lazy_off)
		T.m->opt.lazy = SIM_LAZY_OFF;
	nr_pages = pages;
	sim_spawn(T.m, "path", 0, fn, NULL);
	sim_run(T.m);
	finish();
}

/* ---- end to end, with other CPUs reading and writing -------------------- */

static void e2e(void)
{
	static const char *const ws[] = { "vunmap", "fork", "munmap",
					  "mprotect", "mremap" };
	static const char *const kernels[] = { "6.16", "7.0" };

	for (size_t w = 0; w < sizeof(ws) / sizeof(ws[0]); w++) {
		int clean = 0, n = 0;

		for (const char *const *a = sim_arch_names; *a; a++)
			for (size_t k = 0; k < 2; k++)
				for (int cpus = 1; cpus <= 3; cpus += 2)
					for (int dpa = 0; dpa < 2; dpa++) {
						struct lmm_run_config c;
						struct lmm_run_result r;
						char err[160];

						lmm_run_defaults(&c);
						c.arch = *a;
						c.kernel = kernels[k];
						c.workload = ws[w];
						c.cpus = (unsigned int)cpus;
						c.pages = 48;
						c.debug_pagealloc = dpa;
						c.seed = 7 + (uint64_t)n;
						n++;
						if (lmm_run(&c, &r, err,
							    sizeof(err))) {
							diag("%s", err);
							continue;
						}
						if (!r.nr_findings)
							clean++;
						else
							diag("%s %s %s cpus %d: %s",
							     ws[w], c.arch,
							     c.kernel, cpus,
							     r.findings[0]
								     .message);
						lmm_run_result_free(&r);
					}
		ok(clean == n, "%s: %d of %d configurations clean", ws[w],
		   clean, n);
	}
}

int main(void)
{
	static const char *const arches[] = { "arm64", "generic" };
	static const char *const kernels[] = { "6.16", "7.0" };

	for (int a = 0; a < 2; a++) {
		for (int k = 0; k < 2; k++) {
			run_check(arches[a], kernels[k], false, fork_check, 64);
			run_check(arches[a], kernels[k], false, munmap_check,
				  64);
			run_check(arches[a], kernels[k], false, mprotect_check,
				  64);
			run_check(arches[a], kernels[k], false, mremap_check,
				  64);
			run_check(arches[a], kernels[k], false, vunmap_check,
				  64);
			run_check(arches[a], kernels[k], true, vunmap_check,
				  64);
		}
	}
	/*
	 * arm64 with the mode off: no section, and every other count the
	 * same (the same assertions, which depend on lazy() only for the
	 * section counts): user PTEs defer nothing on arm64.
	 */
	lazy_off = true;
	run_check("arm64", "7.0", false, fork_check, 64);
	run_check("arm64", "7.0", false, munmap_check, 64);
	run_check("arm64", "6.16", false, mprotect_check, 64);
	run_check("arm64", "6.16", false, mremap_check, 64);
	lazy_off = false;
	{
		struct sim_options opt = simtest_options("arm64", "7.0", 1);

		opt.nr_frames = 16384;
		arch = "arm64";
		kver = "7.0";
		simtest_init_opt(&T, &opt);
		sim_spawn(T.m, "gather", 0, gather_check, NULL);
		sim_run(T.m);
		simtest_fini(&T);
	}
	e2e();
	return tap_done();
}
