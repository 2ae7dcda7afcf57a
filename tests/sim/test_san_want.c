// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * What an observer wants, as it changes (sim_observer_want()), and the
 * narrow wants (SIM_EV_NARROW): the machine builds and delivers only those
 * events, the counters still count every one. The sanitizer asks only for
 * what its state lets it act on (san_want()), and tracks hidden stores
 * without SIM_EV_PTE_VISIBLE (the machine says which it still hides), its
 * table swept of the others.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "simtest.h"

#define KADDR (VMALLOC_START + 0x40000000UL)

static struct simtest T;

/* What the narrow observer was given. */
static struct {
	int access, access_used, pte_write, pte_write_seen, sleep;
	long access_pfn;
} got;

static void narrow_event(void *priv, const struct sim_event *ev)
{
	(void)priv;
	switch (ev->type) {
	case SIM_EV_ACCESS:
		got.access++;
		got.access_pfn = ev->arg;
		got.access_used += !sim_frame_free((unsigned long)ev->arg);
		break;
	case SIM_EV_PTE_WRITE:
		got.pte_write++;
		got.pte_write_seen += !ev->flag;
		break;
	case SIM_EV_SLEEP:
		got.sleep++;
		break;
	default:
		break;
	}
}

static int narrow_priv;

/* The observer wants only the narrow events. */
#define NARROW \
	(SIM_EV_ACCESS_FREED | SIM_EV_PTE_WRITE_HIDDEN | SIM_EV_SLEEP_ATOMIC)

static void narrow_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	bool whole = arg != NULL; /* another observer wants every access */
	const char *how = whole ? "beside a whole want" : "alone";
	unsigned long pfn = alloc_page(GFP_KERNEL), pfn2;
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	pte_t *ptep2 = pte_offset_kernel_alloc(KADDR + PAGE_SIZE);
	/* the tables' own stores (hidden until their barriers) before */
	uint64_t writes = sim_stats_total(&T.stats, SIM_STAT_pte_writes);

	memset(&got, 0, sizeof(got));
	/* a store every walker sees at once: not a hidden one */
	sim_pt_write(ptep, pfn_pte(pfn, PAGE_KERNEL), KADDR, SIM_PT_SEEN);
	ok(got.pte_write == 0, "%s: a store seen at once is not delivered",
	   how);
	/* an access to a frame in use */
	sim_store(KADDR, 1);
	ok(got.access == (whole ? 1 : 0),
	   "%s: an access to a frame in use is %s (%d)", how,
	   whole ? "delivered (the event is built anyway)" : "not built",
	   got.access);
	/* the frame freed under the TLB's translation: an access reaches it */
	__free_page(pfn);
	sim_load(KADDR);
	ok(got.access == (whole ? 2 : 1) && got.access_pfn == (long)pfn,
	   "%s: the access to the freed frame %lu is delivered (%d, %ld)", how,
	   pfn, got.access, got.access_pfn);
	/* 2 accesses counted: each once, built or not */
	ok(sim_stats_total(&T.stats, SIM_STAT_data_accesses) == 2,
	   "%s: the counter counts each access once (%llu)", how,
	   (unsigned long long)sim_stats_total(&T.stats,
					       SIM_STAT_data_accesses));
	/* might_sleep() where it may: nothing; in atomic context: delivered */
	might_sleep();
	ok(got.sleep == 0, "%s: might_sleep() where it may is not delivered",
	   how);
	preempt_disable();
	might_sleep();
	preempt_enable();
	ok(got.sleep == 1, "%s: might_sleep() in atomic context is delivered",
	   how);
	/* a store hidden from walkers (deferred in a section) */
	pfn2 = alloc_page(GFP_KERNEL);
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR + PAGE_SIZE, ptep2,
		   pfn_pte(pfn2, PAGE_KERNEL));
	lazy_mmu_mode_disable();
	ok(got.pte_write == 1 && got.pte_write_seen == 0,
	   "%s: the hidden store is delivered, only it (%d, %d seen)", how,
	   got.pte_write, got.pte_write_seen);
	ok(sim_stats_total(&T.stats, SIM_STAT_pte_writes) == writes + 2,
	   "%s: both stores counted once (%llu)", how,
	   (unsigned long long)(sim_stats_total(&T.stats, SIM_STAT_pte_writes) -
				writes));
	if (whole)
		return;
	/* now every access, then none */
	sim_observer_want(m, &narrow_priv, SIM_EV_BIT(SIM_EV_ACCESS));
	ok(!(m->ev_narrow & SIM_EV_ACCESS_FREED),
	   "wanted whole: the machine no longer tests the frame");
	sim_load(KADDR + PAGE_SIZE);
	ok(got.access == 2 && got.access_used == 1,
	   "wanted whole: an access to a frame in use is delivered (%d)",
	   got.access);
	sim_observer_want(m, &narrow_priv, 0);
	sim_load(KADDR + PAGE_SIZE);
	ok(got.access == 2, "wanted no more: not delivered (%d)", got.access);
	ok(sim_stats_total(&T.stats, SIM_STAT_data_accesses) == 4,
	   "the counter counted all 4 accesses (%llu)",
	   (unsigned long long)sim_stats_total(&T.stats,
					       SIM_STAT_data_accesses));
}

static void all_event(void *priv, const struct sim_event *ev)
{
	(void)priv;
	(void)ev;
}

static void narrow_run(bool whole, bool no_reset)
{
	struct sim_options opt = simtest_options("arm64", "7.0", 1);
	struct sim_observer nw = { .event = narrow_event,
				   .priv = &narrow_priv,
				   .events = NARROW };
	struct sim_observer all = { .event = all_event,
				    .events = SIM_EV_BIT(SIM_EV_ACCESS) };

	/* no reset mark: the stores take pt_store_fast(), else pt_store() */
	opt.no_reset = no_reset;
	memset(&got, 0, sizeof(got));
	T.m = sim_create(&opt);
	sim_stats_attach(T.m, &T.stats);
	sim_add_observer(T.m, &nw);
	if (whole)
		sim_add_observer(T.m, &all);
	/* a narrow want is tested unless its type is wanted whole */
	ok(T.m->ev_narrow == (whole ? NARROW & ~SIM_EV_ACCESS_FREED : NARROW),
	   "%s: the narrow wants the machine tests (%#llx)",
	   whole ? "beside a whole want" : "alone",
	   (unsigned long long)T.m->ev_narrow);
	sim_spawn(T.m, "narrow", 0, narrow_task, whole ? &narrow_priv : NULL);
	sim_run(T.m);
	sim_destroy(T.m);
}

/* ---- the sanitizer's wants ---------------------------------------------- */

static uint64_t san_events(void)
{
	for (int i = 0; i < T.m->nr_obs; i++)
		if (T.m->obs[i].priv == (void *)T.san)
			return T.m->obs[i].events;
	return 0;
}

#define W(type) SIM_EV_BIT(SIM_EV_##type)
/* the events the sanitizer wants only while deferred work is queued */
#define QUEUED (W(PAGE_FREE) | W(TLB_FLUSH_CALL))

/* arm64: its owed barriers are queued work that names no entry */
static void arm64_want_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long pfn = alloc_page(GFP_KERNEL);
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	uint64_t w = san_events();

	(void)arg;
	ok(!(w & (QUEUED | W(ACCESS) | W(PTE_WRITE) | W(PTE_READ) |
		  W(PTE_VISIBLE) | W(SLEEP))) &&
		   (w & NARROW) == NARROW,
	   "arm64: nothing queued: the narrow wants only (%#llx)",
	   (unsigned long long)w);
	lazy_mmu_mode_enable();
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	w = san_events();
	ok((w & QUEUED) == QUEUED && !(w & (W(PTE_READ) | W(ACCESS))),
	   "arm64: barriers owed: TLB flushes and frees wanted, no read or "
	   "access of an entry (%#llx)",
	   (unsigned long long)w);
	lazy_mmu_mode_disable();
	ok(!(san_events() & QUEUED), "arm64: paid: not wanted again");
}

/* ppc64-hash: an invalidation queued in a section, paid at its leave */
static void hash_want_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long pfn = alloc_page(GFP_KERNEL);
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	uint64_t w;

	(void)arg;
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	sim_load(KADDR);
	lazy_mmu_mode_enable();
	ptep_get_and_clear(&m->init_mm, KADDR, ptep);
	w = san_events();
	ok((w & (QUEUED | W(PTE_READ) | W(ACCESS))) ==
		   (QUEUED | W(PTE_READ) | W(ACCESS)),
	   "ppc64-hash: an entry's invalidation queued: its reads and every "
	   "access wanted (%#llx)",
	   (unsigned long long)w);
	lazy_mmu_mode_disable();
	w = san_events();
	ok(!(w & (QUEUED | W(PTE_READ))) && (w & W(ACCESS)) &&
		   (w & W(PTE_WRITE)),
	   "ppc64-hash: paid: accesses and every store watched for the "
	   "paid entry (%#llx)",
	   (unsigned long long)w);
	set_pte_at(&m->init_mm, KADDR, ptep, pfn_pte(pfn, PAGE_KERNEL));
	w = san_events();
	ok(!(w & (W(ACCESS) | W(PTE_WRITE))),
	   "ppc64-hash: the entry stored again: narrow wants again (%#llx)",
	   (unsigned long long)w);
}

/* ---- hidden stores tracked across sweeps ---------------------------------- */

#define ROUND1 700 /* more than half the first table: it grows */
#define ROUND2 3000 /* many sweeps; the first 700 stale by then */

static void sweep_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long pfn = alloc_page(GFP_KERNEL);
	unsigned long base2 = KADDR + ROUND1 * PAGE_SIZE;
	pte_t val = pfn_pte(pfn, PAGE_KERNEL);
	char want[96];
	size_t n;

	(void)arg;
	lazy_mmu_mode_enable();
	for (unsigned long i = 0; i < ROUND1; i++) {
		unsigned long a = KADDR + i * PAGE_SIZE;

		set_pte_at(&m->init_mm, a, pte_offset_kernel_alloc(a), val);
	}
	lazy_mmu_mode_disable();
	/* all visible now, with no event: the table still holds them */
	ok(san_nr_tracked(T.san) >= ROUND1,
	   "round 1: the %d entries stay in the table, stale (%zu)", ROUND1,
	   san_nr_tracked(T.san));
	lazy_mmu_mode_enable();
	for (unsigned long i = 0; i < ROUND2; i++) {
		unsigned long a = base2 + i * PAGE_SIZE;

		set_pte_at(&m->init_mm, a, pte_offset_kernel_alloc(a), val);
	}
	n = san_nr_tracked(T.san);
	/* swept: at most round 2's 3000, and the sweeps kept those */
	ok(n >= ROUND2 - 1 && n < ROUND1 + ROUND2,
	   "round 2: the stale entries swept out, the hidden ones kept (%zu)",
	   n);
	/* a stale entry is no hidden store: its access is fine */
	ok(sim_load(KADDR) == 0 && m->nr_findings == 0,
	   "round 1's entry, visible again: no finding (%s)",
	   m->nr_findings ? m->findings[0].message : "");
	/* round 2's first store, tracked before every sweep: still found */
	sim_load(base2);
	snprintf(want, sizeof(want), "walkers saw 0, the kernel wrote %#llx",
		 (unsigned long long)val);
	ok(findings(m, "deferred-access") == 1 &&
		   strstr(finding_text(m, "deferred-access"), want) &&
		   strstr(finding_text(m, "deferred-access"), "sweep_task"),
	   "round 2's first store: deferred-access with the machine's old "
	   "value and the store's: %s",
	   finding_text(m, "deferred-access"));
	lazy_mmu_mode_disable();
}

int main(void)
{
	diag("narrow wants, alone and beside a whole want");
	narrow_run(false, false);
	narrow_run(true, false);
	diag("the same without a reset mark (the stores' inline path)");
	narrow_run(false, true);

	diag("the sanitizer's wants follow its state");
	simtest_init(&T, "arm64", "7.0", 1, false, NULL);
	sim_spawn(T.m, "want", 0, arm64_want_task, NULL);
	sim_run(T.m);
	simtest_fini(&T);
	simtest_init(&T, "ppc64-hash", "7.0", 1, false, NULL);
	sim_spawn(T.m, "hash", 0, hash_want_task, NULL);
	sim_run(T.m);
	ok(T.m->nr_findings == 0, "ppc64-hash: no finding (%s)",
	   T.m->nr_findings ? T.m->findings[0].message : "");
	simtest_fini(&T);

	diag("hidden stores tracked without their visibility events");
	{
		struct sim_options opt = simtest_options("arm64", "7.0", 1);

		opt.nr_frames = 16384;
		simtest_init_opt(&T, &opt);
	}
	sim_spawn(T.m, "sweep", 0, sweep_task, NULL);
	sim_run(T.m);
	/* the reset forgets the table */
	sim_reset(T.m);
	ok(san_nr_tracked(T.san) == 0, "reset: the table is empty (%zu)",
	   san_nr_tracked(T.san));
	simtest_fini(&T);
	return tap_done();
}
