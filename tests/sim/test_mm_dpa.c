// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The DEBUG_PAGEALLOC chains of issue 9: the debug-pagealloc workload
 * (munmap whose mmu_gather takes a GFP_NOWAIT batch page inside
 * zap_pte_range()'s section, then writes its header) and alloc-write
 * (Ryan Roberts' alloc_page-then-write_to_page, in the shape of the old
 * kasan_populate_vmalloc_pte()), on arm64 6.16/6.17/7.0/7.1 with the mode
 * on and off, under each design, with and without the fixes
 * tlb-batch-nolazy and arm64-nonest; then on every other arch. The reason
 * for every expected number is beside it.
 *
 * What the arm64 numbers say, in short: the linear-map entry a
 * DEBUG_PAGEALLOC allocation makes valid is the only barrier-bearing
 * update of the munmap chain (user PTEs owe none), so there 6.16 loses
 * nothing measurable although its nested leave ends the outer section's
 * batching; alloc-write maps kernel pages after each allocation, and there
 * 6.16 pays every mapping's dsb+isb at once (unbatched) where 7.0 batches.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "mm/mm.h"
#include "simtest.h"

static struct simtest T;

/* ---- a recorder of the run -------------------------------------------------- */

struct rec {
	/* in: inside a section opened by @outer (zap_pte_range() ...) */
	uint64_t barriers, barriers_in;
	uint64_t unbatched;
	int nested; /* enables inside an open, unpaused section */
	int nowait_in; /* GFP_NOWAIT allocations inside one */
	int nowait;
	/* linear-map stores inside a section whose mode is not active */
	int lost_stores;
	int linear_stores_in;
};

static struct rec R;
static const char *outer; /* the function whose sections count as "in" */

static bool open_section(const struct task_struct *t)
{
	return t->lazy_sections > 0 && t->lazy_paused == 0;
}

static void rec_event(void *priv, const struct sim_event *ev)
{
	const struct task_struct *t = ev->task;

	(void)priv;
	if (!t || ev->cpu != 0)
		return;
	switch (ev->type) {
	case SIM_EV_BARRIER:
		R.barriers++;
		R.barriers_in += t->lazy_sections > 0 &&
				 !strcmp(t->section[0].func, outer);
		break;
	case SIM_EV_UNBATCHED:
		R.unbatched++;
		break;
	case SIM_EV_LAZY_CALL:
		/* the enable counted itself before it was emitted */
		if (ev->arg == SIM_LAZY_ENABLE && t->lazy_sections >= 2 &&
		    t->lazy_paused == 0)
			R.nested++;
		break;
	case SIM_EV_PAGE_ALLOC:
		if (strcmp(ev->what, "GFP_NOWAIT"))
			break;
		R.nowait++;
		R.nowait_in += open_section(t);
		break;
	case SIM_EV_ACCESS:
		if (!ev->flag || ev->addr < PAGE_OFFSET ||
		    ev->addr >= VMALLOC_START || !open_section(t))
			break;
		R.linear_stores_in++;
		R.lost_stores += !sim_is_lazy_mmu_mode_active();
		break;
	default:
		break;
	}
}

static const struct sim_observer rec_obs = { .event = rec_event };

/* ---- one configuration ------------------------------------------------------- */

enum layer_pick { L_DEFAULT, L_OFF, L_PASS, L_V70, L_NOFLUSH };

static const char *const layer_names[] = { "default", "lazy off", "passthrough",
					   "v7.0", "noflush" };

struct conf {
	const char *arch, *kernel;
	enum layer_pick layer;
	uint64_t fixes;
	const char *what; /* "tlb-batch-nolazy" ... for the names */
};

/*
 * Run @task (debug_pagealloc_task or alloc_write_task) on one CPU of a
 * machine with DEBUG_PAGEALLOC, as the run of that workload builds it.
 */
static enum sim_lazy_layer run_conf(const struct conf *c, void (*task)(void *),
				    unsigned long pages)
{
	struct sim_options opt = simtest_options(c->arch, c->kernel, 1);
	static struct lmm_workload_params params;

	switch (c->layer) {
	case L_DEFAULT:
		break;
	case L_OFF:
		opt.lazy = SIM_LAZY_OFF;
		break;
	case L_PASS:
		opt.lazy = SIM_LAZY_DIRECT;
		break;
	case L_V70:
		opt.lazy = SIM_LAZY_NESTING;
		break;
	case L_NOFLUSH:
		opt.lazy = SIM_LAZY_NOFLUSH;
		break;
	}
	if (opt.arch->lazy == SIM_LAZY_OFF)
		opt.lazy = SIM_LAZY_OFF;
	opt.fixes = c->fixes;
	opt.debug_pagealloc = true;
	opt.nr_frames = pages * 2 + 1024;
	params.pages = pages;
	outer = task == alloc_write_task ? "apply_to_pte_range" :
					   "zap_pte_range";
	memset(&R, 0, sizeof(R));
	simtest_init_opt(&T, &opt);
	sim_add_observer(T.m, &rec_obs);
	sim_spawn(T.m, "dpa/0", 0, task, &params);
	sim_run(T.m);
	return opt.lazy;
}

static const char *name(const struct conf *c)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "%s %s %s%s%s", c->arch, c->kernel,
		 layer_names[c->layer], c->what ? " + " : "",
		 c->what ? c->what : "");
	return buf;
}

/*
 * The section the DEBUG_PAGEALLOC update was deferred in, which a
 * deferred-access names: apply_to_page_range()'s in 6.16 (and 6.17, on
 * the 6.16 model), update_range_prot()'s in 7.0 (and 7.1).
 */
static const char *map_section(const struct conf *c)
{
	return sim_kernel_parse(c->kernel) >= SIM_KERNEL(7, 0) ?
		       "update_range_prot" :
		       "apply_to_pte_range";
}

#define FIX(f) (1ULL << (f))
#define NONEST FIX(SIM_FIX_ARM64_NEVER_NEST)
#define NOLAZY FIX(SIM_FIX_TLB_NEXT_BATCH_LEAVE)

/* ---- arm64: debug-pagealloc --------------------------------------------------- */

/*
 * 1024 pages: two PTE tables, so two zap_pte_range() sections; the gather
 * takes a batch page once 7 pages are queued (page 7, table 0) and once
 * 509 more are (page 516, table 1): one GFP_NOWAIT allocation in each
 * section.
 */
#define DPA_PAGES 1024

static uint64_t dpa_barriers_off; /* the total with the mode off */

static void arm64_dpa(const struct conf *c)
{
	enum sim_lazy_layer l = run_conf(c, debug_pagealloc_task, DPA_PAGES);
	bool fixed = c->fixes && l != SIM_LAZY_OFF;
	bool paused_alloc = (c->fixes & NOLAZY) && l != SIM_LAZY_OFF;
	const char *n = name(c);

	/*
	 * With the mode off there is no section to allocate in;
	 * tlb-batch-nolazy pauses it around the allocation; arm64-nonest
	 * only around __kernel_map_pages(), inside the allocation.
	 */
	ok(R.nowait == 2 &&
		   R.nowait_in == (l == SIM_LAZY_OFF || paused_alloc ? 0 : 2),
	   "dpa %s: 2 batch pages, %d taken inside a section (%d)", n,
	   R.nowait_in, l == SIM_LAZY_OFF || paused_alloc ? 0 : 2);
	/*
	 * Each allocation's linear-map update opens a section inside the
	 * zap section (apply_to_page_range() in 6.16, update_range_prot()
	 * in 7.0): nested, unless a fix leaves the mode first (then the
	 * inner section runs paused, not nested).
	 */
	ok(R.nested == (l == SIM_LAZY_OFF || fixed ? 0 : 2),
	   "dpa %s: %d nested enables", n, R.nested);
	/*
	 * The batch header is written right after the allocation, in the
	 * zap section. Under passthrough the nested leave has cleared the
	 * mode (TIF_LAZY_MMU, 1ef3095b1405): the rest of the outer section
	 * no longer batches, the loss the issue is about; under v7.0 the
	 * inner disable only flushes. Under noflush the write finds the
	 * page not yet valid for the walkers (no store succeeds).
	 */
	ok(R.lost_stores == (l == SIM_LAZY_DIRECT && !fixed ? 2 : 0) &&
		   R.linear_stores_in == (l == SIM_LAZY_OFF		  ? 0 :
					  l == SIM_LAZY_NOFLUSH && !fixed ? 0 :
									    2),
	   "dpa %s: %d header writes in a section, %d of them after it "
	   "stopped batching",
	   n, R.linear_stores_in, R.lost_stores);
	/*
	 * Nothing is paid at once inside a section: the only updates that
	 * owe barriers are the two linear-map entries made valid, and each
	 * is deferred to its own inner section's end. The zap's own updates
	 * are user PTEs, which owe none on arm64 (pte_valid_not_user()), so
	 * the outer section's lost batching costs nothing here.
	 */
	ok(R.unbatched == 0, "dpa %s: unbatched_in_section %llu (0)", n,
	   (unsigned long long)R.unbatched);
	/*
	 * Inside the zap sections: one dsb ishst + isb per allocation (its
	 * inner disable, or noflush's outer one, or its own section or at
	 * once while paused): 4. (The faults that populated the pages and
	 * the frees after the zap pay theirs outside.)
	 */
	ok(R.barriers_in == (l == SIM_LAZY_OFF ? 0 : 4),
	   "dpa %s: %llu barriers inside sections (%d)", n,
	   (unsigned long long)R.barriers_in, l == SIM_LAZY_OFF ? 0 : 4);
	/*
	 * And so the whole run costs the same barriers whatever the
	 * design, fix or mode: 6.16's loss is invisible in this chain.
	 */
	if (l == SIM_LAZY_OFF && !dpa_barriers_off)
		dpa_barriers_off = R.barriers;
	ok(R.barriers == dpa_barriers_off,
	   "dpa %s: %llu barriers in all, as with the mode off (%llu)", n,
	   (unsigned long long)R.barriers,
	   (unsigned long long)dpa_barriers_off);
	/*
	 * noflush: each header write is a deferred-access (Ryan's "BANG");
	 * every other configuration is clean.
	 */
	if (l == SIM_LAZY_NOFLUSH && !fixed)
		ok(findings(T.m, "deferred-access") == 2 &&
			   strstr(finding_text(T.m, "deferred-access"),
				  map_section(c)),
		   "dpa %s: 2 deferred-access in zap_pte_range()'s section: "
		   "%s",
		   n, finding_text(T.m, "deferred-access"));
	else
		ok(T.m->nr_findings == 0, "dpa %s: no findings%s%s", n,
		   T.m->nr_findings ? ": " : "",
		   T.m->nr_findings ? T.m->findings[0].message : "");
	simtest_fini(&T);
}

/* ---- arm64: alloc-write -------------------------------------------------------- */

/*
 * 64 pages of the first vmalloc area, which starts 64 entries into the
 * PTE table of the kernel image's last 2M: one apply_to_pte_range()
 * section for all of them.
 */
#define AW_PAGES 64

static uint64_t aw_barriers_off;

static void arm64_aw(const struct conf *c)
{
	enum sim_lazy_layer l = run_conf(c, alloc_write_task, AW_PAGES);
	bool fixed = (c->fixes & NONEST) && l != SIM_LAZY_OFF;
	const char *n = name(c);
	uint64_t in;

	/* one allocation per page, each nested unless the fix pauses */
	ok(R.nowait == AW_PAGES &&
		   R.nested == (l == SIM_LAZY_OFF || fixed ? 0 : AW_PAGES),
	   "aw %s: %d allocations, %d nested", n, R.nowait, R.nested);
	/*
	 * passthrough: the first nested leave clears the mode, and so does
	 * each later one (each inner enter sets it again): every
	 * set_pte_at() of a kernel mapping after an allocation pays its
	 * dsb+isb at once inside the open section, 64 of them. v7.0 and
	 * the fix keep the mode on for them.
	 */
	ok(R.unbatched == (l == SIM_LAZY_DIRECT && !fixed ? AW_PAGES : 0),
	   "aw %s: unbatched_in_section %llu (%d)", n,
	   (unsigned long long)R.unbatched,
	   l == SIM_LAZY_DIRECT && !fixed ? AW_PAGES : 0);
	/*
	 * Barriers inside the section, 2 per pair:
	 *   passthrough: per page the inner leave pays the new page's
	 *     entry, then the mapping pays its own: 4 x 64 = 256;
	 *   v7.0: per page the inner disable's flush pays the new page's
	 *     entry and the previous mapping at once; the outer disable
	 *     pays the last mapping: 2 x 64 + 2 = 130;
	 *   the fix: per page the leave (pause) pays the previous mapping
	 *     (none before the first), the paused update_range_prot() or
	 *     the inner apply_to_page_range() section pays the new page's
	 *     entry; the outer disable pays the last mapping: 2 + 4 x 63 +
	 *     2 = 256, nothing unbatched;
	 *   noflush: nothing until the outer disable: 2.
	 */
	in = l == SIM_LAZY_OFF	   ? 0 :
	     fixed		   ? 256 :
	     l == SIM_LAZY_DIRECT  ? 256 :
	     l == SIM_LAZY_NOFLUSH ? 2 :
				     130;
	ok(R.barriers_in == in, "aw %s: %llu barriers in the section (%llu)", n,
	   (unsigned long long)R.barriers_in, (unsigned long long)in);
	/*
	 * In all: with the mode off each page costs two pairs at once, 256
	 * in the section's place; 6.16 saves none of them; v7.0 saves 126
	 * (63 pairs); noflush "saves" 254 by never completing the
	 * allocations' updates.
	 */
	if (l == SIM_LAZY_OFF && !aw_barriers_off)
		aw_barriers_off = R.barriers;
	ok(R.barriers == aw_barriers_off - 256 + (l == SIM_LAZY_OFF ? 256 : in),
	   "aw %s: %llu barriers in all (mode off: %llu)", n,
	   (unsigned long long)R.barriers, (unsigned long long)aw_barriers_off);
	if (l == SIM_LAZY_NOFLUSH && !fixed)
		ok(findings(T.m, "deferred-access") == AW_PAGES &&
			   strstr(finding_text(T.m, "deferred-access"),
				  map_section(c)),
		   "aw %s: %d deferred-access, one per write_to_page: %s", n,
		   findings(T.m, "deferred-access"),
		   finding_text(T.m, "deferred-access"));
	else
		ok(T.m->nr_findings == 0, "aw %s: no findings%s%s", n,
		   T.m->nr_findings ? ": " : "",
		   T.m->nr_findings ? T.m->findings[0].message : "");
	simtest_fini(&T);
}

static void arm64_matrix(void)
{
	static const char *const kernels[] = { "6.16", "6.17", "7.0", "7.1" };
	static const struct {
		uint64_t fixes;
		const char *what;
		bool dpa_only;
	} fixes[] = {
		{ 0, NULL, false },
		{ NONEST, "arm64-nonest", false },
		{ NOLAZY, "tlb-batch-nolazy", true },
		{ NONEST | NOLAZY, "both fixes", true },
	};
	struct conf off = { "arm64", "7.0", L_OFF, 0, NULL };

	/* the references first: the mode off */
	arm64_dpa(&off);
	arm64_aw(&off);
	for (size_t k = 0; k < 4; k++)
		for (int l = L_DEFAULT; l <= L_NOFLUSH; l++)
			for (size_t f = 0; f < 4; f++) {
				struct conf c = { "arm64", kernels[k],
						  (enum layer_pick)l,
						  fixes[f].fixes,
						  fixes[f].what };

				if (l == L_OFF && f)
					continue; /* no section to fix */
				arm64_dpa(&c);
				if (!fixes[f].dpa_only)
					arm64_aw(&c);
			}
}

/* ---- the fixes' own assertions ---------------------------------------------------- */

static void gather_in_section(void *arg)
{
	struct mmu_gather tlb;

	(void)arg;
	tlb_gather_mmu(&tlb, &sim_machine()->init_mm);
	lazy_mmu_mode_enable();
	tlb_finish_mmu(&tlb); /* wrongly, inside the section */
	lazy_mmu_mode_disable();
	tlb_gather_mmu(&tlb, &sim_machine()->init_mm);
	tlb_finish_mmu(&tlb); /* rightly, after it */
}

static void nested_enter(void *arg)
{
	(void)arg;
	lazy_mmu_mode_enable();
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
	lazy_mmu_mode_disable();
}

static void fix_warnings(void)
{
	static const char *const kernels[] = { "6.16", "7.0" };

	for (int k = 0; k < 2; k++)
		for (int on = 0; on < 2; on++) {
			struct sim_options opt =
				simtest_options("arm64", kernels[k], 1);

			opt.fixes = on ? NOLAZY : 0;
			simtest_init_opt(&T, &opt);
			sim_spawn(T.m, "gather", 0, gather_in_section, NULL);
			sim_run(T.m);
			/*
			 * tlb_finish_mmu() in the section: the three
			 * VM_WARN_ONs of RFC 5/6 it passes
			 * (tlb_flush_mmu_tlbonly(), tlb_batch_pages_flush(),
			 * tlb_batch_list_free()) fire with the fix; after the
			 * section none does; without the fix nothing warns.
			 */
			ok(findings(T.m, "arch-bug") == (on ? 3 : 0) &&
				   (!on || strstr(finding_text(T.m, "arch-bug"),
						  "tlb_flush_mmu_tlbonly")),
			   "arm64 %s%s: %d mmu_gather warnings in lazy mode "
			   "(%d) %s",
			   kernels[k], on ? " + tlb-batch-nolazy" : "",
			   findings(T.m, "arch-bug"), on ? 3 : 0,
			   finding_text(T.m, "arch-bug"));
			simtest_fini(&T);
		}
	for (int on = 0; on < 2; on++) {
		struct sim_options opt = simtest_options("arm64", "6.16", 1);

		opt.fixes = on ? NONEST : 0;
		simtest_init_opt(&T, &opt);
		sim_spawn(T.m, "nest", 0, nested_enter, NULL);
		sim_run(T.m);
		/* the revert of 1ef3095b1405 warns on a nested enter again */
		ok(findings(T.m, "arch-bug") == (on ? 1 : 0),
		   "arm64 6.16%s: a nested enter warns %d time(s) (%d) %s",
		   on ? " + arm64-nonest" : "", findings(T.m, "arch-bug"),
		   on ? 1 : 0, finding_text(T.m, "arch-bug"));
		simtest_fini(&T);
	}
}

/* ---- the gather's batch pages -------------------------------------------------------- */

static void batch_sizes(void)
{
	/*
	 * __tlb_remove_folio_pages_size(): a batch is full at max - 1
	 * entries. The bundle (8) takes 7 pages, then the first batch page
	 * is taken; each batch page (510) takes 509 more, then the next.
	 */
	static const struct {
		unsigned long pages;
		int batches;
	} t[] = { { 6, 0 }, { 7, 1 }, { 515, 1 }, { 516, 2 }, { 1025, 3 } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct conf c = { "arm64", "7.0", L_DEFAULT, 0, NULL };

		run_conf(&c, debug_pagealloc_task, t[i].pages);
		ok(R.nowait == t[i].batches && R.nowait_in == t[i].batches &&
			   T.m->nr_findings == 0,
		   "munmap of %lu pages: %d batch page(s) (%d), all in a "
		   "section",
		   t[i].pages, R.nowait, t[i].batches);
		simtest_fini(&T);
	}
}

/* ---- the other arches ------------------------------------------------------------------ */

/*
 * What each other arch's model counts in the two chains, the same under
 * every design and version it has (below), with the mode on.
 * unbatched_in_section: on xen-pv every zap_pte_range() clear is a
 * trapped xchg emulated at once (not a pv-op: one hypercall inside the
 * section, each of the 1024), and so is each of vfree()'s vunmap clears
 * after alloc-write (64 pages and the guard page's entry: 65); s390
 * 7.1+lazy-v6's zap_pte_range() and apply_to_pte_range() open their
 * sections with lazy_mmu_mode_enable_with_ptes() (the series' v6 1/4),
 * whose clears are cached and invalidated by range at the flush;
 * ppc64-hash and sparc64 queue their invalidations in the section's batch;
 * generic has no section. None of them models a barrier.
 */
static const struct {
	const char *arch, *kernel;
	bool lazy;
	uint64_t unbatched_dpa, unbatched_aw;
} others[] = {
	{ "ppc64-hash", "6.16", true, 0, 0 },
	{ "ppc64-hash", "7.0", true, 0, 0 },
	{ "sparc64", "6.16", true, 0, 0 },
	{ "sparc64", "7.0", true, 0, 0 },
	{ "xen-pv", "6.16", true, DPA_PAGES, AW_PAGES + 1 },
	{ "xen-pv", "7.0", true, DPA_PAGES, AW_PAGES + 1 },
	{ "s390", "7.1+lazy-v6", true, 0, 0 },
	{ "s390", "7.0", false, 0, 0 },
	{ "generic", "7.0", false, 0, 0 },
};

static void other_arches(void)
{
	for (int w = 0; w < 2; w++) {
		struct sim_stats ref = { 0 };
		const char *wn = w ? "alloc-write" : "debug-pagealloc";

		for (size_t a = 0; a < sizeof(others) / sizeof(others[0]);
		     a++) {
			int runs = 0, same = 0, good = 0;

			for (int l = L_DEFAULT; l <= L_NOFLUSH; l++) {
				struct conf c = { others[a].arch,
						  others[a].kernel,
						  (enum layer_pick)l, 0, NULL };
				uint64_t unb = w ? others[a].unbatched_aw :
						   others[a].unbatched_dpa;
				bool on = others[a].lazy && l != L_OFF;
				bool eq = true;

				if (!others[a].lazy && l != L_DEFAULT)
					continue; /* no mode: no design */
				run_conf(&c,
					 w ? alloc_write_task :
					     debug_pagealloc_task,
					 w ? AW_PAGES : DPA_PAGES);
				/*
				 * None of these arches' __kernel_map_pages()
				 * opens a lazy section (ppc64 hash: the bolted
				 * linear HPTE directly; sparc64:
				 * kernel_map_range(); Xen PV and x86: CPA,
				 * then arch_flush_lazy_mmu_mode(); s390 and
				 * generic: plain PTE stores): nothing nests, and the
				 * allocation's update is complete before the
				 * write, whatever the design. The batch pages
				 * (2) are taken in the zap section if there
				 * is one; with the mode off nothing is
				 * counted unbatched.
				 */
				good += R.nested == 0 &&
					T.m->nr_findings == 0 &&
					R.barriers == 0 &&
					R.unbatched == (on ? unb : 0) &&
					(w || (R.nowait == 2 &&
					       R.nowait_in == (on ? 2 : 0)));
				if (T.m->nr_findings)
					diag("%s: %s", name(&c),
					     T.m->findings[0].message);
				/*
				 * and every counter but the generic calls'
				 * is the same under each design
				 */
				if (l != L_OFF) {
					if (!runs++)
						ref = T.stats;
					for (int s = 0; s < SIM_STAT_NR; s++)
						if (s != SIM_STAT_lazy_calls &&
						    s != SIM_STAT_arch_hooks)
							eq &= sim_stats_total(
								      &T.stats,
								      s) ==
							      sim_stats_total(
								      &ref, s);
					same += eq;
				}
				simtest_fini(&T);
			}
			ok(runs > 0 && same == runs &&
				   good == runs + others[a].lazy,
			   "%s %s %s: %d design(s) alike, %d of %d runs as "
			   "expected (unbatched %llu, no nesting, no finding)",
			   wn, others[a].arch, others[a].kernel, same, good,
			   runs + others[a].lazy,
			   (unsigned long long)(w ? others[a].unbatched_aw :
						    others[a].unbatched_dpa));
		}
	}
}

/* ---- through lmm_run(): the workload turns DEBUG_PAGEALLOC on, aliases --------------- */

static void through_run(void)
{
	struct lmm_run_config c;
	struct lmm_run_result a, b;
	char err[256];
	bool same = true;

	lmm_run_defaults(&c);
	c.workload = "debug-pagealloc";
	c.kernel = "6.16";
	ok(!lmm_run(&c, &a, err, sizeof(err)), "lmm_run debug-pagealloc");
	c.workload = "munmap";
	c.debug_pagealloc = true;
	ok(!lmm_run(&c, &b, err, sizeof(err)), "lmm_run munmap");
	/* debug-pagealloc is munmap with DEBUG_PAGEALLOC turned on */
	for (int s = 0; s < SIM_STAT_NR; s++)
		same &= sim_stats_total(&a.stats, s) ==
			sim_stats_total(&b.stats, s);
	ok(same && a.nr_findings == 0,
	   "debug-pagealloc runs munmap --debug-pagealloc without being "
	   "asked (%llu barriers, %llu frees)",
	   (unsigned long long)sim_stats_total(&a.stats, SIM_STAT_barriers),
	   (unsigned long long)sim_stats_total(&a.stats, SIM_STAT_page_frees));
	lmm_run_result_free(&a);
	lmm_run_result_free(&b);

	/* the old names still select the fixes */
	ok(sim_fix_find("tlb-next-batch-leave") ==
			   sim_fix_find("tlb-batch-nolazy") &&
		   sim_fix_find("arm64-never-nest") ==
			   sim_fix_find("arm64-nonest") &&
		   sim_fix_find("arm64-nonest")->id ==
			   SIM_FIX_ARM64_NEVER_NEST &&
		   !sim_fix_find("arm64-nonest")->merged,
	   "arm64-never-nest and tlb-next-batch-leave are aliases");
	lmm_run_defaults(&c);
	c.workload = "debug-pagealloc";
	c.kernel = "6.16";
	c.design = "noflush";
	c.fixes[c.nr_fixes++] = "tlb-next-batch-leave";
	ok(!lmm_run(&c, &a, err, sizeof(err)) && a.nr_findings == 0,
	   "run --fix tlb-next-batch-leave (the alias) under noflush: clean");
	lmm_run_result_free(&a);
	c.fixes[0] = "arm64-nonest";
	c.workload = "alloc-write";
	c.pages = 64;
	ok(!lmm_run(&c, &a, err, sizeof(err)) && a.nr_findings == 0,
	   "run alloc-write --fix arm64-nonest under noflush: clean");
	lmm_run_result_free(&a);
	c.fixes[0] = "tlb-batch-nolazy";
	ok(lmm_run(&c, &a, err, sizeof(err)) &&
		   strstr(err, "changes workload debug-pagealloc, munmap"),
	   "tlb-batch-nolazy refused for alloc-write: %s", err);
}

int main(void)
{
	arm64_matrix();
	fix_warnings();
	batch_sizes();
	other_arches();
	through_run();
	return tap_done();
}
