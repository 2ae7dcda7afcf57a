// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Machine-owned state: sim_reset() gives runs bit-identical to a fresh
 * machine's (counters, findings, the event stream), after complete runs
 * and after runs stopped midway; sim_stop() unwinds a run and leaks
 * nothing (this program runs under ASan with LeakSanitizer); kernel
 * objects come from the machine's arena; two machines on two threads at
 * once give the results they give one after the other (and run under
 * TSan); boot takes its tables from the machine, not from process-wide
 * state.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "check/run.h"
#include "check/sanitizer.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "sim/arch.h"
#include "sim/hostsan.h"
#include "sim/stats.h"
#include "style_models.h"

/* ---- what a run did: counters, findings, a hash of every event ------------ */

struct outcome {
	uint64_t stats[SIM_STAT_NR];
	uint64_t points;
	size_t nr_findings;
	uint64_t findings_hash;
	uint64_t events;
	uint64_t events_hash;
	uint64_t nr_choices;
	uint64_t choices_hash;
	bool stopped;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

struct recorder {
	struct sim_machine *m;
	uint64_t events, hash;
};

/* Every field of every event, with pointers made machine-independent. */
static void rec_event(void *priv, const struct sim_event *ev)
{
	struct recorder *r = priv;
	uint64_t f[12] = {
		(uint64_t)ev->type,
		(uint64_t)ev->cpu,
		ev->task ? (uint64_t)ev->task->pid : 0,
		ev->addr,
		ev->ptep ? (uint64_t)((const uint8_t *)ev->ptep - r->m->mem) :
			   ~0ULL,
		ev->old,
		ev->new,
		(uint64_t)ev->flag,
		(uint64_t)ev->arg,
		ev->state.enable_count,
		ev->state.pause_count,
	};

	r->events++;
	r->hash = fnv(r->hash, f, sizeof(f));
	r->hash = fnv_str(r->hash, ev->what);
}

static void rec_reset(void *priv)
{
	struct recorder *r = priv;

	r->events = 0;
	r->hash = 0xcbf29ce484222325ULL;
}

struct rig {
	struct sim_machine *m;
	struct sim_stats stats;
	struct san_state *san;
	struct recorder rec;
	const struct lmm_workload *w;
	struct lmm_workload_params params;
};

struct rig_config {
	const char *kernel; /* of arm64, or a test-only model: "style-queue" */
	const char *workload;
	unsigned int cpus;
	unsigned long pages;
	uint64_t seed;
	bool debug_pagealloc;
	unsigned long nr_frames;
	struct sim_policy *policy; /* NULL: random, as lmm_run() */
	bool stop_on_finding;
};

/*
 * A user address space: an mm with a VMA, PTEs set under the split PTE
 * lock, data through the user mapping, write-protect, clear, flush; the mm
 * and its VMA are left for the reset to take back (kernel objects), its
 * tables too.
 */
static void user_task(void *arg)
{
	const struct lmm_workload_params *p = arg;
	unsigned long start = 0x400000, end = start + p->pages * PAGE_SIZE;
	struct mm_struct *mm = sim_mm_alloc("user");
	pte_t prot = vm_get_page_prot(VM_READ | VM_WRITE);
	struct mm_struct *old = current->mm;
	spinlock_t *ptl;
	pte_t *pte;

	sim_vma_add(mm, start, end, VM_READ | VM_WRITE);
	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		unsigned long pfn = alloc_page(GFP_KERNEL); /* may sleep */

		pte = pte_alloc_map_lock(mm, a, &ptl);
		set_pte_at(mm, a, pte, pfn_pte(pfn, prot));
		pte_unmap_unlock(pte, ptl);
	}
	current->mm = mm;
	for (unsigned long a = start; a < end; a += PAGE_SIZE)
		sim_store(a, a);
	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		pte = pte_offset_map_lock(mm, pmd_off(mm, a), a, &ptl);
		ptep_set_wrprotect(mm, a, pte);
		pte_unmap_unlock(pte, ptl);
	}
	flush_tlb_mm(mm);
	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		pte = pte_offset_map_lock(mm, pmd_off(mm, a), a, &ptl);
		__free_page(pte_pfn(ptep_get_and_clear(mm, a, pte)));
		pte_unmap_unlock(pte, ptl);
	}
	flush_tlb_mm(mm);
	current->mm = old;
}

static const struct lmm_workload user_workload = {
	"user", "user", "a user mm", "", user_task, NULL, 0,
};

/* arm64 of @kernel, or the test-only model of that name (style_models.h) */
static const struct sim_arch_ops *rig_arch(const char *kernel)
{
	static const struct sim_arch_ops *const styles[] = { &style_hide_ops,
							     &style_queue_ops,
							     &style_cache_ops };

	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
		if (!strcmp(styles[i]->name, kernel))
			return styles[i];
	return sim_arch_find("arm64", kernel);
}

/* A machine as lmm_run() builds it, with the recorder as a third observer. */
static void rig_create(struct rig *g, const struct rig_config *c)
{
	struct sim_options opt = { 0 };
	struct sim_observer o = { .event = rec_event, .reset = rec_reset };

	memset(g, 0, sizeof(*g));
	g->w = strcmp(c->workload, "user") ? lmm_workload_find(c->workload) :
					     &user_workload;
	g->params.pages = c->pages;
	opt.arch = rig_arch(c->kernel);
	opt.lazy = opt.arch->lazy;
	opt.nr_cpus = c->cpus;
	opt.nr_frames =
		c->nr_frames ? c->nr_frames : c->pages * c->cpus * 2 + 1024;
	opt.debug_pagealloc = c->debug_pagealloc;
	opt.policy =
		c->policy ? c->policy : sim_policy_random(c->seed, 200, 2, 1);
	opt.irq_handler = g->w->irq;
	opt.irq_arg = &g->params;
	opt.stop_on_finding = c->stop_on_finding;
	g->m = sim_create(&opt);
	sim_stats_attach(g->m, &g->stats);
	g->san = san_attach(g->m);
	g->rec.m = g->m;
	o.priv = &g->rec;
	rec_reset(&g->rec);
	sim_add_observer(g->m, &o);
}

static void rig_spawn_run(struct rig *g)
{
	char comm[16];

	for (unsigned int cpu = 0; cpu < g->m->opt.nr_cpus; cpu++) {
		snprintf(comm, sizeof(comm), "%s/%u", g->w->comm, cpu);
		sim_spawn(g->m, comm, (int)cpu, g->w->task, &g->params);
	}
	sim_run(g->m);
}

static void rig_outcome(struct rig *g, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	for (int s = 0; s < SIM_STAT_NR; s++)
		o->stats[s] = sim_stats_total(&g->stats, s);
	o->points = g->m->points;
	o->nr_findings = g->m->nr_findings;
	o->findings_hash = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < g->m->nr_findings; i++) {
		o->findings_hash =
			fnv_str(o->findings_hash, g->m->findings[i].kind);
		o->findings_hash =
			fnv_str(o->findings_hash, g->m->findings[i].message);
	}
	o->events = g->rec.events;
	o->events_hash = g->rec.hash;
	o->nr_choices = g->m->nr_choices;
	o->choices_hash = fnv(0xcbf29ce484222325ULL, g->m->choices,
			      g->m->nr_choices * sizeof(*g->m->choices));
	o->stopped = sim_stopped(g->m);
}

static void rig_destroy(struct rig *g)
{
	sim_destroy(g->m);
	san_detach(g->san);
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* ---- stopping after K choices ------------------------------------------------ */

struct stop_after {
	struct sim_policy p;
	struct sim_policy *inner;
	unsigned long k, asked;
};

static unsigned int stop_choose(struct sim_policy *p, enum sim_choice what,
				unsigned int n, unsigned int cur,
				uint32_t allowed)
{
	struct stop_after *s = (struct stop_after *)p;
	unsigned int v = s->inner->choose(s->inner, what, n, cur, allowed);

	if (++s->asked == s->k)
		sim_stop(); /* from the policy, in a task: unwinds now */
	return v;
}

static void stop_reset(struct sim_policy *p)
{
	struct stop_after *s = (struct stop_after *)p;

	s->asked = 0;
	s->inner->reset(s->inner);
}

static void stop_destroy(struct sim_policy *p)
{
	struct stop_after *s = (struct stop_after *)p;

	s->inner->destroy(s->inner);
	free(s);
}

static struct stop_after *stop_after(uint64_t seed, unsigned long k)
{
	struct stop_after *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->p.choose = stop_choose;
	s->p.reset = stop_reset;
	s->p.destroy = stop_destroy;
	s->inner = sim_policy_random(seed, 200, 2, 1);
	s->k = k;
	return s;
}

static void test_stop(void)
{
	struct rig_config c = {
		"7.0", "vmalloc", 2, 64, 3, true, 0, NULL, false
	};
	struct stop_after *s;
	struct rig g;
	unsigned long total;
	bool all = true;

	/* how many choices the whole run makes */
	s = stop_after(c.seed, 0);
	c.policy = &s->p;
	rig_create(&g, &c);
	rig_spawn_run(&g);
	total = s->asked;
	ok(!sim_stopped(g.m) && g.m->nr_live == 0 && total > 100,
	   "a run that is never stopped completes (%lu choices)", total);
	rig_destroy(&g);

	for (unsigned long k = 1; k < total; k = k * 3 + 1) {
		s = stop_after(c.seed, k);
		c.policy = &s->p;
		rig_create(&g, &c);
		rig_spawn_run(&g);
		if (!sim_stopped(g.m) || s->asked != k || g.m->nr_live == 0) {
			all = false;
			diag("k=%lu: stopped %d asked %lu live %d", k,
			     sim_stopped(g.m), s->asked, g.m->nr_live);
		}
		/* a stopped machine stays stopped: nothing runs */
		sim_run(g.m);
		if (s->asked != k)
			all = false;
		rig_destroy(&g); /* LeakSanitizer checks at exit */
	}
	ok(all, "stopped after K choices: sim_run() returns, the policy was "
		"asked exactly K times, tasks are left suspended");

	/* stopped, then reset: the same machine runs the whole run */
	s = stop_after(c.seed, 1);
	c.policy = &s->p;
	rig_create(&g, &c);
	rig_spawn_run(&g);
	ok(sim_stopped(g.m) && s->asked == 1, "stopped at the first choice");
	sim_reset(g.m);
	s->k = 0;
	rig_spawn_run(&g);
	ok(!sim_stopped(g.m) && g.m->nr_live == 0 && s->asked == total,
	   "after sim_reset() it runs to the end: %lu choices", s->asked);
	rig_destroy(&g);
}

/* ---- reset gives the fresh machine's run ----------------------------------- */

static void test_reset_same(const char *kernel, const char *workload,
			    unsigned int cpus, bool dpa)
{
	struct rig_config c = { kernel, workload, cpus, 8,    11,
				dpa,	0,	  NULL, false };
	struct outcome fresh, again, r;
	struct stop_after *s;
	struct rig g;
	bool all = true;

	rig_create(&g, &c);
	rig_spawn_run(&g);
	rig_outcome(&g, &fresh);
	rig_destroy(&g);
	rig_create(&g, &c);
	rig_spawn_run(&g);
	rig_outcome(&g, &again);
	for (int i = 0; i < 3; i++) {
		sim_reset(g.m);
		ok(g.m->nr_findings == 0 && g.m->points == 0 &&
			   g.m->nr_tasks == 0 && g.rec.events == 0 &&
			   sim_stats_total(&g.stats, SIM_STAT_pte_writes) == 0,
		   "reset: no task, finding, point, event or count left");
		rig_spawn_run(&g);
		rig_outcome(&g, &r);
		all &= same(&fresh, &r);
	}
	rig_destroy(&g);
	ok(same(&fresh, &again) && all,
	   "%s %s %s, %u CPU(s)%s: three runs after sim_reset() are the "
	   "fresh machine's (%llu events, %llu points, %zu findings)",
	   rig_arch(kernel)->name, rig_arch(kernel)->kernel, workload, cpus,
	   dpa ? ", DEBUG_PAGEALLOC" : "", (unsigned long long)fresh.events,
	   (unsigned long long)fresh.points, fresh.nr_findings);

	/* stopped midway, at several points, then reset and run through */
	all = true;
	for (unsigned long k = 3; k < 2000; k = k * 5 / 4 + 1) {
		s = stop_after(c.seed, k);
		c.policy = &s->p;
		rig_create(&g, &c);
		rig_spawn_run(&g);
		sim_reset(g.m);
		s->k = 0; /* this time, to the end */
		rig_spawn_run(&g);
		rig_outcome(&g, &r);
		all &= same(&fresh, &r);
		rig_destroy(&g);
	}
	c.policy = NULL;
	ok(all, "... and after runs stopped midway (tasks suspended, locks "
		"held, entries hidden, objects allocated)");
}

/* A run that stops at its first finding, again and again. */
static void test_reset_stop_on_finding(void)
{
	struct rig_config c = {
		"7.0", "vmalloc-touch-early", 2, 8, 11, true, 0, NULL, true
	};
	struct outcome fresh, r;
	struct rig g;
	bool all = true;

	rig_create(&g, &c);
	rig_spawn_run(&g);
	rig_outcome(&g, &fresh);
	for (int i = 0; i < 3; i++) {
		sim_reset(g.m);
		rig_spawn_run(&g);
		rig_outcome(&g, &r);
		all &= same(&fresh, &r);
	}
	rig_destroy(&g);
	ok(all && fresh.stopped && fresh.nr_findings == 1,
	   "stop at the first finding, reset, run: the same finding, events "
	   "and choices each time (%llu choices)",
	   (unsigned long long)fresh.nr_choices);
}

/* What the run touched is what reset has to undo: a few entries. */
static void test_reset_cost(void)
{
	struct rig_config c = { "7.0", "vmalloc", 2,	2,    1,
				false, 1UL << 16, NULL, false };
	struct rig g;

	rig_create(&g, &c);
	rig_spawn_run(&g);
	/*
	 * The areas lie in the boot-time PTE table of the kernel image's
	 * end: each CPU's 2 maps and 3 clears (the guard page's too) are
	 * stores into a boot table, 10 in all.
	 */
	ok(g.m->nr_undo <= 12 && g.m->nr_word0_log <= 8 &&
		   g.m->nr_free - g.m->free_low <= 16 &&
		   g.m->nr_freed_log == 0 && g.m->nr_words_log <= 8,
	   "a 2-page run on 65536 frames leaves %zu table stores, %zu words, "
	   "%lu frames and %zu freed to undo",
	   g.m->nr_undo, g.m->nr_word0_log, g.m->nr_free - g.m->free_low,
	   g.m->nr_freed_log);
	sim_reset(g.m);
	ok(g.m->nr_undo == 0 && g.m->nr_word0_log == 0 &&
		   g.m->free_low == g.m->nr_free,
	   "reset empties the logs");
	rig_destroy(&g);
}

/* ---- kernel objects ------------------------------------------------------------ */

struct kmem_seen {
	void *a, *b, *c;
	bool reused, zeroed;
};

static void kmem_task(void *arg)
{
	struct kmem_seen *k = arg;
	unsigned char *z;

	k->a = kmalloc(40, GFP_KERNEL);
	k->b = kmalloc(1000, GFP_KERNEL);
	kfree(k->a);
	k->c = kmalloc(48, GFP_KERNEL); /* same size class as a */
	k->reused = k->c == k->a;
	z = kzalloc(300, GFP_KERNEL);
	k->zeroed = true;
	for (int i = 0; i < 300; i++)
		k->zeroed &= z[i] == 0;
	memset(z, 0xff, 300);
	kfree(z);
	(void)kmalloc(1UL << 20, GFP_KERNEL); /* a chunk of its own; leaked */
}

static void test_kmem(void)
{
	struct rig_config c = {
		"7.0", "vmalloc", 1, 1, 1, false, 0, NULL, false
	};
	struct kmem_seen first = { 0 }, second = { 0 };
	struct rig g;

	rig_create(&g, &c);
	sim_spawn(g.m, "kmem", 0, kmem_task, &first);
	sim_run(g.m);
	ok(first.reused && first.zeroed && (uintptr_t)first.b % 16 == 0,
	   "kfree()d objects are recycled by size class; kzalloc() zeroes; "
	   "objects are 16-byte aligned");
	sim_reset(g.m);
#ifdef SIM_ASAN
	ok(__asan_address_is_poisoned(first.b),
	   "after reset, the run's objects are poisoned (ASan)");
#endif
	sim_spawn(g.m, "kmem", 0, kmem_task, &second);
	sim_run(g.m);
	ok(second.a == first.a && second.b == first.b && second.c == first.c &&
		   second.zeroed,
	   "after reset, the same allocations return the same objects");
	rig_destroy(&g);
}

/* ---- two machines on two threads --------------------------------------------- */

struct job {
	struct lmm_run_config cfg;
	struct outcome out[3];
	pthread_barrier_t *start;
};

static void job_outcome(const struct lmm_run_result *r, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	for (int s = 0; s < SIM_STAT_NR; s++)
		o->stats[s] = sim_stats_total(&r->stats, s);
	o->points = r->points;
	o->nr_findings = r->nr_findings;
	o->findings_hash = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < r->nr_findings; i++) {
		o->findings_hash =
			fnv_str(o->findings_hash, r->findings[i].kind);
		o->findings_hash =
			fnv_str(o->findings_hash, r->findings[i].message);
	}
}

/* Three runs: two through lmm_run(), one on a machine reset between. */
static void *job_run(void *arg)
{
	struct job *j = arg;
	struct lmm_run_result r;
	struct rig_config c = { j->cfg.kernel,
				j->cfg.workload,
				j->cfg.cpus,
				j->cfg.pages,
				j->cfg.seed,
				true,
				0,
				NULL,
				false };
	struct rig g;
	char err[128];

	if (j->start)
		pthread_barrier_wait(j->start);
	for (int i = 0; i < 2; i++) {
		if (lmm_run(&j->cfg, &r, err, sizeof(err)))
			abort();
		job_outcome(&r, &j->out[i]);
		lmm_run_result_free(&r);
	}
	rig_create(&g, &c);
	rig_spawn_run(&g);
	sim_reset(g.m);
	rig_spawn_run(&g);
	rig_outcome(&g, &j->out[2]);
	j->out[2].events = j->out[2].events_hash = 0;
	rig_destroy(&g);
	return NULL;
}

static void test_threads(void)
{
	struct job seq[2], par[2];
	pthread_barrier_t start;
	pthread_t th[2];
	bool all = true;

	for (int i = 0; i < 2; i++) {
		lmm_run_defaults(&seq[i].cfg);
		seq[i].cfg.kernel = "7.0";
		seq[i].cfg.workload = i ? "vmalloc-touch-early" : "vmalloc";
		seq[i].cfg.cpus = 2;
		seq[i].cfg.pages = 64;
		seq[i].cfg.seed = 5 + i;
		seq[i].cfg.debug_pagealloc = true;
		seq[i].start = NULL;
		par[i] = seq[i];
		job_run(&seq[i]);
	}
	pthread_barrier_init(&start, NULL, 2);
	for (int i = 0; i < 2; i++) {
		par[i].start = &start;
		if (pthread_create(&th[i], NULL, job_run, &par[i]))
			abort();
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 3; k++)
			all &= same(&seq[i].out[k], &par[i].out[k]);
	ok(all && seq[1].out[0].nr_findings > 0,
	   "two machines on two threads at once: the results of the same "
	   "runs one after the other (%zu findings on the second)",
	   seq[1].out[0].nr_findings);
}

/*
 * Boot on two threads at once. With a process-wide "next boot table"
 * counter (as mem.c had), each boot hands the other's frames out as its
 * own tables: the tables differ from a lone boot's (and TSan reports the
 * race).
 */
struct boot_job {
	pthread_barrier_t *start;
	uint64_t hash[4];
};

#define BOOT_FRAMES (1UL << 16)

static uint64_t boot_fingerprint(void)
{
	struct sim_options opt = { 0 };
	struct sim_machine *m;
	uint64_t h = 0xcbf29ce484222325ULL;

	opt.arch = sim_arch_find("arm64", "7.0");
	opt.nr_frames = BOOT_FRAMES;
	opt.debug_pagealloc = true;
	m = sim_create(&opt);
	h = fnv(h, &m->boot_next_pfn, sizeof(m->boot_next_pfn));
	h = fnv(h, &m->nr_free, sizeof(m->nr_free));
	h = fnv(h, m->mem, m->boot_next_pfn << PAGE_SHIFT);
	h = fnv(h, m->pages, m->nr_frames * sizeof(*m->pages));
	sim_destroy(m);
	return h;
}

static void *boot_run(void *arg)
{
	struct boot_job *b = arg;

	for (int i = 0; i < 4; i++) {
		pthread_barrier_wait(b->start);
		b->hash[i] = boot_fingerprint();
	}
	return NULL;
}

static void test_boot_threads(void)
{
	uint64_t ref = boot_fingerprint();
	struct boot_job jobs[2];
	pthread_barrier_t start;
	pthread_t th[2];
	int bad = 0;

	pthread_barrier_init(&start, NULL, 2);
	for (int i = 0; i < 2; i++) {
		jobs[i].start = &start;
		if (pthread_create(&th[i], NULL, boot_run, &jobs[i]))
			abort();
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 4; k++)
			bad += jobs[i].hash[k] != ref;
	ok(bad == 0,
	   "eight boots of %lu frames, two at a time on two threads: every "
	   "one builds the tables a lone boot builds (%d differ)",
	   BOOT_FRAMES, bad);
}

int main(void)
{
	test_stop();
	test_reset_same("6.16", "vmalloc", 1, true);
	test_reset_same("6.16", "vmalloc", 2, true);
	test_reset_same("7.0", "vmalloc", 1, false);
	test_reset_same("7.0", "vmalloc", 2, true);
	test_reset_same("7.0", "vmalloc-touch-early", 2, true);
	test_reset_same("6.16", "vmalloc-touch-early", 1, false);
	test_reset_same("7.0", "user", 2, true);
	/* models with state of their own: queues, a translation cache */
	test_reset_same("style-hide", "vmalloc-touch-early", 2, false);
	test_reset_same("style-queue", "vmalloc-touch-early", 2, false);
	test_reset_same("style-cache", "vmalloc", 2, false);
	test_reset_same("style-cache", "user", 2, false);
	test_reset_stop_on_finding();
	test_reset_cost();
	test_kmem();
	test_threads();
	test_boot_threads();
	return tap_done();
}
