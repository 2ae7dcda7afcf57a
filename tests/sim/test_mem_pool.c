// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The host memory a destroyed machine leaves for the next one of the same
 * size (src/sim/mem.c: sim_mem_free(), mem_set_clean(), issue 7: a fresh
 * host page costs microseconds in a guest). A machine built on kept memory
 * must start as one built on fresh memory:
 *
 *  - right after sim_create(), the state of its frames (every frame's
 *    memory and hidden-store slots, struct page, flags and first word, and
 *    the free stack's counters) hashes the same as a fresh machine's with
 *    the same options, and the memory is the kept one (the pool works);
 *  - its run is the fresh machine's run (counters, points, findings,
 *    choices);
 *
 * whatever the machine before it did: a whole run; a run stopped at its
 * first finding with stores still hidden; stores through the linear map to
 * frames never allocated (first words and others); runs with sim_reset()
 * between them; DEBUG_PAGEALLOC; a different model on the same number of
 * frames. And the free stack whose bottom is implicit (the frames never
 * allocated, lowest on top: struct sim_machine.fresh_pfn) hands out frames
 * in the order an explicit stack would. `-s SEED` picks the random
 * scheduler's seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "check/sanitizer.h"
#include "mm/mm.h"
#include "sim/arch.h"
#include "sim/stats.h"
#include "simtest.h"

#define CPUS 2
#define PAGES 96 /* per CPU: a run takes frames well above boot's */
#define FRAMES (PAGES * CPUS * 2 + 1024)

static uint64_t seed;

struct run {
	struct sim_machine *m;
	struct sim_stats stats;
	struct san_state *san;
	struct lmm_workload_params params;
};

static uint64_t mix(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL; /* FNV-1a */
	return h;
}

/* Everything of @m's frames that a kept machine could carry over. */
static uint64_t state_hash(const struct sim_machine *m)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned long n = m->nr_frames;

	h = mix(h, m->mem, n << PAGE_SHIFT);
	h = mix(h, m->hidden_slot, n * PTRS_PER_TABLE * sizeof(uint32_t));
	h = mix(h, m->pages, n * sizeof(*m->pages));
	h = mix(h, m->frame_flags, n);
	h = mix(h, m->word0, n * sizeof(*m->word0));
	h = mix(h, &m->nr_free, sizeof(m->nr_free));
	h = mix(h, &m->fresh_pfn, sizeof(m->fresh_pfn));
	h = mix(h, &m->word0_high, sizeof(m->word0_high));
	return mix(h, &m->boot_next_pfn, sizeof(m->boot_next_pfn));
}

static struct sim_options options(const char *arch, const char *wl_name,
				  bool dp, struct run *r)
{
	const struct lmm_workload *wl = lmm_workload_find(wl_name);
	struct sim_options opt = { 0 };

	opt.arch = sim_arch_find(arch, "7.1");
	opt.kernel = sim_kernel_parse("7.1");
	opt.lazy =
		opt.arch->lazy ? sim_design_default(opt.kernel) : SIM_LAZY_OFF;
	opt.nr_cpus = CPUS;
	opt.nr_frames = FRAMES;
	opt.debug_pagealloc = dp;
	opt.policy = sim_policy_random(seed, 200, 2, 1);
	opt.irq_handler = wl->irq;
	opt.irq_arg = &r->params;
	return opt;
}

static void build(struct run *r, const struct sim_options *opt)
{
	r->params.pages = PAGES;
	r->m = sim_create(opt);
	sim_stats_attach(r->m, &r->stats);
	r->san = san_attach(r->m);
}

static void spawn(struct run *r, const char *wl_name)
{
	const struct lmm_workload *wl = lmm_workload_find(wl_name);
	char comm[16];

	for (unsigned int c = 0; c < r->m->opt.nr_cpus; c++) {
		snprintf(comm, sizeof(comm), "%s/%u", wl->comm, c);
		sim_spawn(r->m, comm, (int)c, wl->task, &r->params);
	}
}

static void destroy(struct run *r)
{
	sim_destroy(r->m);
	san_detach(r->san);
}

/* Stores through the linear map to the top frames, never allocated. */
static void wild_task(void *arg)
{
	struct sim_machine *m = sim_machine();

	(void)arg;
	for (unsigned long pfn = m->nr_frames - 3; pfn < m->nr_frames; pfn++) {
		sim_store(sim_linear_addr(pfn), 0x5a5a0000 + pfn);
		sim_store(sim_linear_addr(pfn) + 64, pfn);
	}
}

/*
 * The dirt a machine leaves: @how says what it did before sim_destroy()
 * kept its memory.
 */
enum dirt { WHOLE_RUN, STOPPED, WILD, RESET, DP, OTHER_ARCH, NR_DIRT };

static const char *const dirt_name[NR_DIRT] = {
	"a whole vmalloc run",
	"a run stopped at its first finding, stores still hidden",
	"stores to frames never allocated (linear map)",
	"runs with sim_reset() between them",
	"DEBUG_PAGEALLOC",
	"another model (xen-pv) on as many frames",
};

static const void *dirty(enum dirt how)
{
	struct run d = { 0 };
	struct sim_options opt;
	const void *mem;

	switch (how) {
	case WHOLE_RUN:
	case WILD:
		opt = options("arm64", "vmalloc", false, &d);
		opt.no_reset = true;
		break;
	case STOPPED:
		opt = options("arm64", "vmalloc-touch-early", false, &d);
		opt.stop_on_finding = true;
		opt.no_reset = true;
		break;
	case RESET:
		opt = options("arm64", "vmalloc", false, &d);
		break;
	case DP:
		opt = options("arm64", "vmalloc", true, &d);
		opt.no_reset = true;
		break;
	case OTHER_ARCH:
	default:
		opt = options("xen-pv", "vmalloc", false, &d);
		opt.no_reset = true;
		break;
	}
	build(&d, &opt);
	if (how == WILD)
		sim_spawn(d.m, "wild", 0, wild_task, NULL);
	spawn(&d, how == STOPPED ? "vmalloc-touch-early" : "vmalloc");
	sim_run(d.m);
	if (how == STOPPED)
		ok(d.m->stopped && d.m->nr_hidden > 0,
		   "%s: stopped with %zu stores hidden", dirt_name[how],
		   d.m->nr_hidden);
	if (how == RESET) {
		sim_reset(d.m);
		sim_spawn(d.m, "wild", 1, wild_task, NULL);
		spawn(&d, "vmalloc");
		sim_run(d.m);
		sim_reset(d.m);
		sim_spawn(d.m, "wild", 0, wild_task, NULL);
		sim_run(d.m); /* and destroyed after a run, not a reset */
	}
	mem = d.m->mem;
	destroy(&d);
	return mem;
}

/* The machine of the check: arm64 7.1 vmalloc, with or without DP. */
static void check_after(enum dirt how, bool dp)
{
	struct run fresh = { 0 }, kept = { 0 };
	struct sim_options opt;
	uint64_t h_fresh, h_kept;
	const void *mem;

	sim_mem_pool_drain();
	opt = options("arm64", "vmalloc", dp, &fresh);
	opt.no_reset = true;
	build(&fresh, &opt);
	h_fresh = state_hash(fresh.m);
	spawn(&fresh, "vmalloc");
	sim_run(fresh.m);
	sim_mem_pool_drain(); /* nothing of it is kept: fresh's stays */

	mem = dirty(how);
	opt = options("arm64", "vmalloc", dp, &kept);
	opt.no_reset = true;
	build(&kept, &opt);
	h_kept = state_hash(kept.m);
	ok(kept.m->mem == mem && h_kept == h_fresh,
	   "after %s: the next machine%s is built on the kept memory, "
	   "its frames as fresh ones (state %016llx, fresh %016llx)",
	   dirt_name[how], dp ? " (DEBUG_PAGEALLOC)" : "",
	   (unsigned long long)h_kept, (unsigned long long)h_fresh);
	spawn(&kept, "vmalloc");
	sim_run(kept.m);
	ok(simtest_same_run(fresh.m, &fresh.stats, kept.m, &kept.stats) &&
		   !kept.m->nr_findings,
	   "after %s: its run is the fresh machine's (%llu PTE writes, "
	   "%llu points)",
	   dirt_name[how],
	   (unsigned long long)sim_stats_total(&kept.stats,
					       SIM_STAT_pte_writes),
	   (unsigned long long)kept.m->points);
	destroy(&kept);
	destroy(&fresh);
}

/*
 * The free stack: the frames never allocated are its implicit bottom,
 * lowest on top; a frame freed goes on top, above them (LIFO).
 */
static void free_stack_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	unsigned long fresh = m->fresh_pfn, nr_free = m->nr_free;
	unsigned long a, b, c, d;

	(void)arg;
	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL);
	ok(a == fresh && b == fresh + 1 && m->nr_free == nr_free - 2 &&
		   sim_free_stack_at(m, m->nr_free - 1) == fresh + 2,
	   "the lowest frame never allocated comes first (%lu, %lu from "
	   "%lu), the next one is then on top",
	   a, b, fresh);
	__free_page(a);
	ok(m->nr_free == nr_free - 1 &&
		   sim_free_stack_at(m, m->nr_free - 1) == a &&
		   sim_free_stack_at(m, m->nr_free - 2) == fresh + 2,
	   "a frame freed goes on top, above the frames never allocated");
	c = alloc_page(GFP_KERNEL);
	d = alloc_page(GFP_KERNEL);
	ok(c == a && d == fresh + 2 && m->fresh_pfn == fresh + 3,
	   "it is handed out again first, then the implicit part goes on "
	   "(%lu, %lu)",
	   c, d);
	__free_page(b);
	__free_page(c);
	__free_page(d);
	ok(m->nr_free == nr_free && sim_frame_free(b) &&
		   sim_free_stack_at(m, m->nr_free - 1) == d &&
		   sim_free_stack_at(m, 0) == m->nr_frames - 1,
	   "all back: the last freed on top, the highest frame at the bottom");
}

static void test_free_stack(void)
{
	struct run r = { 0 };
	struct sim_options opt = options("arm64", "vmalloc", false, &r);

	build(&r, &opt);
	sim_spawn(r.m, "free-stack", 0, free_stack_task, NULL);
	sim_run(r.m);
	ok(!r.m->error[0], "the free stack's task ran to its end");
	destroy(&r);
}

/*
 * Kernel objects' chunks (src/sim/kmem.c) are kept too: the next machine
 * bumps from the last one's, whatever bytes they hold (the runs above
 * already compare a machine on kept chunks with a fresh one). Two machines
 * alike allocate alike, so the same object lands at the same address.
 */
static void *probe_obj;

static void kmem_probe_task(void *arg)
{
	(void)arg;
	probe_obj = kmalloc(100, GFP_KERNEL);
}

static void *kmem_probe(void)
{
	struct run r = { 0 };
	struct sim_options opt = options("arm64", "vmalloc", false, &r);

	opt.no_reset = true;
	build(&r, &opt);
	sim_spawn(r.m, "probe", 0, kmem_probe_task, NULL);
	sim_run(r.m);
	destroy(&r);
	return probe_obj;
}

static void test_kmem_kept(void)
{
	void *first, *second;

	sim_mem_pool_drain();
	first = kmem_probe();
	second = kmem_probe();
	ok(first && second == first,
	   "the next machine's kernel objects come from the last one's kept "
	   "chunks (the same object at %p, then %p)",
	   first, second);
}

/* A machine of another size takes fresh memory; the kept set is replaced. */
static void test_other_size(void)
{
	struct run a = { 0 }, b = { 0 };
	struct sim_options opt;
	const void *mem, *mem_a;

	sim_mem_pool_drain();
	mem = dirty(WHOLE_RUN);
	opt = options("arm64", "vmalloc", false, &a);
	opt.nr_frames = FRAMES + 512;
	opt.no_reset = true;
	build(&a, &opt);
	ok(a.m->mem != mem, "a machine of another size is not built on the "
			    "kept memory");
	mem_a = a.m->mem;
	destroy(&a);
	opt = options("arm64", "vmalloc", false, &b);
	opt.nr_frames = FRAMES + 512;
	opt.no_reset = true;
	build(&b, &opt);
	ok(b.m->mem == mem_a,
	   "the last machine destroyed is the one kept: the next of its "
	   "size is built on its memory");
	destroy(&b);
	sim_mem_pool_drain();
}

int main(int argc, char **argv)
{
	seed = tap_seed(argc, argv, 1);
	for (int how = 0; how < NR_DIRT; how++)
		check_after((enum dirt)how, false);
	check_after(WHOLE_RUN, true);
	check_after(DP, true);
	test_other_size();
	test_free_stack();
	test_kmem_kept();
	sim_mem_pool_drain();
	return tap_done();
}
