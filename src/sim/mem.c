// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Physical frames, the boot-time linear map and the page allocator with
 * DEBUG_PAGEALLOC (mm/page_alloc.c: debug_pagealloc_{map,unmap}_pages() call
 * the architecture's __kernel_map_pages() on every allocation and free).
 */
#define SIM_NO_SITES /* the machine: its calls keep the model's site */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>

#include "sim/arch.h"
#include "sim/hostsan.h"
#include "sim/sim.h"

unsigned long sim_ptep_pfn(const pte_t *ptep)
{
	return (unsigned long)((const uint8_t *)ptep - sim_this->mem) >>
	       PAGE_SHIFT;
}

/*
 * Boot: take the next frame for a table, before the allocator exists. The
 * boot tables are frames [1, m->boot_next_pfn).
 */
static pte_t *boot_table(struct sim_machine *m)
{
	unsigned long pfn = m->boot_next_pfn++;

	sim_set_page_flags(pfn, PG_pgtable | PG_reserved);
	/* boot writes its tables with raw stores: any entry may be set */
	pfn_to_page(pfn)->raw_lo = 0;
	pfn_to_page(pfn)->raw_hi = PTRS_PER_TABLE;
	return pfn_to_virt_raw(pfn);
}

/*
 * The PTE of @addr in init_mm, the tables above it created with raw stores:
 * boot runs before any CPU.
 */
static pte_t *boot_pte(struct sim_machine *m, unsigned long addr)
{
	pte_t *table = m->init_mm.pgd;

	for (int level = 3; level > 0; level--) {
		pte_t *e = &table[pt_index(addr, level)];

		if (!pte_valid(*e))
			*e = pfn_pte(sim_ptep_pfn(boot_table(m)),
				     PAGE_KERNEL_TABLE);
		table = sim_table_of(*e);
	}
	return &table[pt_index(addr, 0)];
}

/* Map @pfn in the linear map. */
static void boot_map(struct sim_machine *m, unsigned long pfn, bool valid)
{
	*boot_pte(m, sim_linear_addr(pfn)) =
		pfn_pte(pfn, valid ? PAGE_KERNEL : PAGE_KERNEL & ~PTE_VALID);
}

/*
 * Map every frame, valid. The same tables, taken from the boot frames in
 * the same order, as boot_map() of each pfn in turn; but the walk is done
 * once per PTE table (512 frames), not once per frame: the linear map is
 * contiguous, so the next frame's entry is the next slot of the same table
 * until the index wraps.
 */
static void boot_map_all(struct sim_machine *m, unsigned long n)
{
	for (unsigned long pfn = 0; pfn < n;) {
		unsigned long addr = sim_linear_addr(pfn);
		unsigned int i = pt_index(addr, 0);
		/* a new PTE table: its first entry is i slots back */
		pte_t *table = boot_pte(m, addr) - i;
		unsigned long end = pfn + (PTRS_PER_TABLE - i);

		/* the rest of this table, a loop the compiler vectorises */
		if (end > n)
			end = n;
		for (; pfn < end; pfn++, i++)
			table[i] = pfn_pte(pfn, PAGE_KERNEL);
	}
}

/*
 * Boot's tables are the first frames after pfn 0 (boot_table() takes them
 * in order): the linear map's PTE tables, one per 512 frames, and a few
 * above them and for the image and the fixmap. Their host pages are
 * faulted in with one madvise() rather than one fault each as boot writes
 * them (256 faults for 2^17 frames; a fault costs microseconds in a
 * guest). A hint: where the host lacks MADV_POPULATE_WRITE (before Linux
 * 5.14) it fails and boot faults them in as before; the memory is zero
 * either way, so nothing the machine does depends on it.
 */
static void boot_prefault(struct sim_machine *m, unsigned long n)
{
#ifdef MADV_POPULATE_WRITE
	unsigned long tables = n / PTRS_PER_TABLE + 16;

	if (tables > n - 1)
		tables = n - 1;
	madvise(m->mem + PAGE_SIZE, tables << PAGE_SHIFT, MADV_POPULATE_WRITE);
#else
	(void)m;
	(void)n;
#endif
}

/*
 * The per-frame arrays (struct page, flags, the free stack, first words):
 * zeroed, and for a large machine in transparent huge pages where the host
 * offers them (madvise mode): 4 MiB of struct pages for 2^17 frames is
 * 1,024 host page faults in 4 KiB pages, 2 in 2 MiB ones, and a run's
 * tables are spread over all of them. Frames themselves (mem) are sparse
 * (only tables are touched) and stay in small pages.
 */
#define FRAME_ARRAY_HUGE (2UL << 20)
#ifdef SIM_ASAN
#define FRAME_ARRAY_MIN (~0UL >> 1) /* never: ASan checks heap bounds */
#else
#define FRAME_ARRAY_MIN (FRAME_ARRAY_HUGE / 2) /* at most 1 MiB wasted */
#endif

static size_t frame_array_size(size_t size)
{
	return (size + FRAME_ARRAY_HUGE - 1) & ~(FRAME_ARRAY_HUGE - 1);
}

static void *frame_array_alloc(size_t n, size_t elem)
{
	size_t size = n * elem, len;
	uint8_t *p, *aligned;

	if (size < FRAME_ARRAY_MIN)
		return calloc(n, elem);
	/* 2 MiB aligned: map one huge page more, trim both ends */
	len = frame_array_size(size);
	p = mmap(NULL, len + FRAME_ARRAY_HUGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	aligned = (uint8_t *)(((uintptr_t)p + FRAME_ARRAY_HUGE - 1) &
			      ~(uintptr_t)(FRAME_ARRAY_HUGE - 1));
	if (aligned > p)
		munmap(p, (size_t)(aligned - p));
	if (aligned + len < p + len + FRAME_ARRAY_HUGE)
		munmap(aligned + len,
		       (size_t)(p + len + FRAME_ARRAY_HUGE - (aligned + len)));
#ifdef MADV_HUGEPAGE
	madvise(aligned, len, MADV_HUGEPAGE); /* a hint: may fail */
#endif
	return aligned;
}

static void frame_array_free(void *p, size_t n, size_t elem)
{
	if (!p)
		return;
	if (n * elem < FRAME_ARRAY_MIN)
		free(p);
	else
		munmap(p, frame_array_size(n * elem));
}

/* The host memory behind a machine's frames (sim_mem_init()). */
struct mem_set {
	unsigned long nr_frames;
	uint8_t *mem;
	uint32_t *hidden_slot;
	struct page *pages;
	uint8_t *frame_flags;
	uint64_t *word0;
	unsigned long *free_stack;
	uint64_t *mem_dirty;
	/* kept: struct pages, flags, first words [0, dirty_hi) may be set */
	unsigned long dirty_hi;
};

static bool mem_set_alloc(struct mem_set *s, unsigned long n)
{
	s->nr_frames = n;
	s->mem = mmap(NULL, n << PAGE_SHIFT, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	s->hidden_slot =
		mmap(NULL, n * PTRS_PER_TABLE * sizeof(uint32_t),
		     PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->mem == MAP_FAILED)
		s->mem = NULL;
	if (s->hidden_slot == MAP_FAILED)
		s->hidden_slot = NULL;
	s->pages = frame_array_alloc(n, sizeof(*s->pages));
	s->frame_flags = frame_array_alloc(n, sizeof(*s->frame_flags));
	s->word0 = frame_array_alloc(n, sizeof(*s->word0));
	s->free_stack = frame_array_alloc(n, sizeof(*s->free_stack));
	s->mem_dirty = calloc((n + 63) / 64, sizeof(*s->mem_dirty));
	return s->mem && s->hidden_slot && s->pages && s->frame_flags &&
	       s->word0 && s->free_stack && s->mem_dirty;
}

static void mem_set_free(struct mem_set *s)
{
	unsigned long n = s->nr_frames;

	if (s->mem)
		munmap(s->mem, n << PAGE_SHIFT);
	if (s->hidden_slot)
		munmap(s->hidden_slot, n * PTRS_PER_TABLE * sizeof(uint32_t));
	frame_array_free(s->pages, n, sizeof(*s->pages));
	frame_array_free(s->frame_flags, n, sizeof(*s->frame_flags));
	frame_array_free(s->word0, n, sizeof(*s->word0));
	frame_array_free(s->free_stack, n, sizeof(*s->free_stack));
	free(s->mem_dirty);
	memset(s, 0, sizeof(*s));
}

/*
 * The host memory of the last machine destroyed, kept for the next one of
 * the same size (bench_sim, the tests: many machines in one process). In
 * a guest a fresh host page costs microseconds the first time it is
 * touched (the guest's fault, then the hypervisor's: bench/README.md), a
 * run of 65,536 pages touches about a thousand, and zeroing again what a
 * machine wrote costs a small part of that. Only what a machine may have
 * written is zeroed (mem_set_clean()), and only when the memory is taken
 * again (a process that destroys its last machine and exits pays
 * nothing), so a machine built on kept memory starts as on fresh memory:
 * tests/sim/test_mem_pool.c compares the two.
 * One set is kept, the last; none above MEM_POOL_MAX frames (a pool must
 * not hold gigabytes for a caller that is done).
 */
#define MEM_POOL_MAX (1UL << 20)

static struct mem_set pool;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Zero what the machine that had @s may have written of its frames: the
 * memory of every frame that was ever a table, and its hidden-store slots
 * (mem_dirty: only tables are stored to in mem); struct page, flags and
 * first words of the frames below the highest ever handed out or written.
 */
static void mem_set_clean(struct mem_set *s)
{
	unsigned long words = (s->nr_frames + 63) / 64, hi = s->dirty_hi;

	for (unsigned long w = 0; w < words; w++) {
		for (uint64_t b = s->mem_dirty[w]; b; b &= b - 1) {
			unsigned long pfn =
				w * 64 + (unsigned long)__builtin_ctzll(b);

			memset(s->mem + (pfn << PAGE_SHIFT), 0, PAGE_SIZE);
			memset(s->hidden_slot + pfn * PTRS_PER_TABLE, 0,
			       PTRS_PER_TABLE * sizeof(*s->hidden_slot));
		}
	}
	memset(s->mem_dirty, 0, words * sizeof(*s->mem_dirty));
	memset(s->pages, 0, hi * sizeof(*s->pages));
	memset(s->frame_flags, 0, hi * sizeof(*s->frame_flags));
	memset(s->word0, 0, hi * sizeof(*s->word0));
	s->dirty_hi = 0;
}

/* sim_destroy(): what sim_mem_init() allocated, kept if it may be reused. */
void sim_mem_free(struct sim_machine *m)
{
	struct mem_set s = {
		.nr_frames = m->nr_frames,
		.mem = m->mem,
		.hidden_slot = m->hidden_slot,
		.pages = m->pages,
		.frame_flags = m->frame_flags,
		.word0 = m->word0,
		.free_stack = m->free_stack,
		.mem_dirty = m->mem_dirty,
		.dirty_hi = m->fresh_pfn > m->word0_high ? m->fresh_pfn :
							   m->word0_high,
	};

	free(m->word0_dirty);
	if (s.nr_frames > MEM_POOL_MAX) {
		mem_set_free(&s);
		return;
	}
	pthread_mutex_lock(&pool_lock);
	if (pool.nr_frames)
		mem_set_free(&pool); /* the older goes */
	pool = s;
	pthread_mutex_unlock(&pool_lock);
}

/*
 * Give back everything kept from destroyed machines (at exit, or for a
 * test of fresh memory): frames here, kernel-object chunks (kmem.c), task
 * stacks and the hidden-store arrays (machine.c).
 */
void sim_mem_pool_drain(void)
{
	pthread_mutex_lock(&pool_lock);
	if (pool.nr_frames)
		mem_set_free(&pool);
	pthread_mutex_unlock(&pool_lock);
	sim_kmem_keep_drain();
	sim_spare_drain();
}

/* The kept set if it has @n frames (then the pool is empty), else false. */
static bool mem_pool_take(struct mem_set *s, unsigned long n)
{
	bool hit;

	pthread_mutex_lock(&pool_lock);
	hit = pool.nr_frames == n;
	if (hit) {
		*s = pool;
		memset(&pool, 0, sizeof(pool));
	}
	pthread_mutex_unlock(&pool_lock);
	if (hit)
		mem_set_clean(s); /* outside the lock: it may take a while */
	return hit;
}

void sim_mem_init(struct sim_machine *m)
{
	unsigned long n = m->opt.nr_frames ? m->opt.nr_frames : 4096;
	struct mem_set s;
	bool kept = mem_pool_take(&s, n);

	if (!kept && !mem_set_alloc(&s, n)) {
		fprintf(stderr, "lazymmu: cannot allocate %lu frames\n", n);
		exit(2);
	}
	m->nr_frames = n;
	m->mem = s.mem;
	m->hidden_slot = s.hidden_slot;
	m->pages = s.pages;
	m->frame_flags = s.frame_flags;
	m->word0 = s.word0;
	m->free_stack = s.free_stack;
	m->mem_dirty = s.mem_dirty;
	m->word0_dirty = calloc((n + 63) / 64, sizeof(*m->word0_dirty));
	if (!m->word0_dirty) {
		fprintf(stderr, "lazymmu: cannot allocate %lu frames\n", n);
		exit(2);
	}
	/* pfn 0 stays reserved: alloc_page() returns 0 on failure */
	sim_set_page_flags(0, PG_reserved);
	m->boot_next_pfn = 1;
	if (!kept)
		boot_prefault(m, n); /* kept memory is in already */
	m->init_mm.pgd = boot_table(m);
	m->init_mm.asid = 0;
	m->init_mm.name = "init_mm";
	m->next_asid = 1;
	boot_map_all(m, n);
	/*
	 * map_kernel() (arch/arm64/mm/mmu.c): the image's tables, down to the
	 * PTE table of its last, partial 2M (its pages are not modelled:
	 * nothing accesses them); early_fixmap_init(): the fixmap's tables.
	 */
	boot_pte(m, KIMAGE_VADDR + KIMAGE_SIZE - PAGE_SIZE);
	boot_pte(m, FIX_PGD_ADDR);
	/*
	 * Free frames, lowest pfn allocated first: every frame above boot's,
	 * the implicit part of the free stack (see struct sim_machine). Their
	 * flags read PG_free as they are (zero): nothing to write.
	 */
	m->fresh_pfn = m->boot_next_pfn;
	m->nr_free = n - m->fresh_pfn;
	if (m->opt.debug_pagealloc)
		for (unsigned long pfn = n; pfn-- > m->boot_next_pfn;)
			boot_map(m, pfn,
				 false); /* free: not in the linear map */
}

/* Take the frame on top of the free stack (m->nr_free > 0). */
static inline unsigned long free_pop(struct sim_machine *m)
{
	unsigned long pos = --m->nr_free;

	if (pos >= m->nr_frames - m->fresh_pfn)
		return m->free_stack[pos]; /* freed since boot */
	/* the implicit part's top: pos == nr_frames - 1 - fresh_pfn */
	return m->fresh_pfn++;
}

/* The frame at position @pos of the free stack (pos < m->nr_free). */
unsigned long sim_free_stack_at(const struct sim_machine *m, unsigned long pos)
{
	if (pos >= m->nr_frames - m->fresh_pfn)
		return m->free_stack[pos];
	return m->nr_frames - 1 - pos;
}

/* ---- physical memory: table frames in mem, other frames' words hashed ---- */

static size_t word_slot(const struct sim_machine *m, unsigned long pa)
{
	uint64_t h = (uint64_t)pa * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (m->words_cap - 1);
}

static struct sim_word *word_find(struct sim_machine *m, unsigned long pa,
				  bool create)
{
	size_t i;

	if (!m->words_cap) {
		if (!create)
			return NULL;
		m->words_cap = 1024;
		m->words = calloc(m->words_cap, sizeof(*m->words));
		if (!m->words)
			abort();
	}
	for (i = word_slot(m, pa); m->words[i].pa1;
	     i = (i + 1) & (m->words_cap - 1))
		if (m->words[i].pa1 == (uint64_t)pa + 1)
			return &m->words[i];
	if (!create)
		return NULL;
	if (2 * (m->nr_words + 1) > m->words_cap) {
		struct sim_word *old = m->words;
		size_t cap = m->words_cap;

		m->words_cap *= 2;
		m->words = calloc(m->words_cap, sizeof(*m->words));
		if (!m->words)
			abort();
		for (size_t j = 0; j < cap; j++) {
			if (!old[j].pa1)
				continue;
			i = word_slot(m, (unsigned long)old[j].pa1 - 1);
			while (m->words[i].pa1)
				i = (i + 1) & (m->words_cap - 1);
			m->words[i] = old[j];
		}
		free(old);
		m->words_rehashed = true; /* slots moved: the log is void */
		return word_find(m, pa, true);
	}
	m->nr_words++;
	m->words[i].pa1 = (uint64_t)pa + 1;
	if (m->mark) {
		/* sim_reset() empties the slots a run filled */
		if (m->nr_words_log == m->words_log_cap)
			sim_reset_log_grow((void **)&m->words_log,
					   &m->words_log_cap,
					   sizeof(*m->words_log));
		m->words_log[m->nr_words_log++] = i;
	}
	return &m->words[i];
}

/* The aligned 64-bit word at physical address @pa. */
uint64_t sim_phys_read(unsigned long pa)
{
	struct sim_machine *m = sim_this;
	struct sim_word *w;

	pa &= ~7UL;
	if (m->frame_flags[pa >> PAGE_SHIFT] & PG_pgtable) /* not inverted */
		return *(uint64_t *)(m->mem + pa);
	if (!(pa & (PAGE_SIZE - 1)))
		return m->word0[pa >> PAGE_SHIFT];
	w = word_find(m, pa, false);
	return w ? w->val : 0;
}

/* The first word of a frame; sim_reset() restores those written. */
static void word0_write(struct sim_machine *m, unsigned long pfn, uint64_t val)
{
	uint64_t bit = 1ULL << (pfn % 64);

	if (m->mark && !(m->word0_dirty[pfn / 64] & bit)) {
		m->word0_dirty[pfn / 64] |= bit;
		if (m->nr_word0_log == m->word0_log_cap)
			sim_reset_log_grow((void **)&m->word0_log,
					   &m->word0_log_cap,
					   sizeof(*m->word0_log));
		m->word0_log[m->nr_word0_log++] = pfn;
	}
	m->word0[pfn] = val;
}

/* sim_phys_write() of a word that is not in a table (out of line). */
static __attribute__((noinline)) void
phys_write_word(struct sim_machine *m, unsigned long pa, uint64_t val)
{
	if (!(pa & (PAGE_SIZE - 1))) {
		if (pa >> PAGE_SHIFT >= m->word0_high)
			m->word0_high = (pa >> PAGE_SHIFT) + 1;
		word0_write(m, pa >> PAGE_SHIFT, val);
	} else {
		word_find(m, pa, true)->val = val;
	}
}

void sim_phys_write(unsigned long pa, uint64_t val)
{
	struct sim_machine *m = sim_this;

	pa &= ~7UL;
	if (m->frame_flags[pa >> PAGE_SHIFT] & PG_pgtable) /* not inverted */
		*(uint64_t *)(m->mem + pa) = val;
	else if (!(pa & (PAGE_SIZE - 1)) && !m->mark &&
		 pa >> PAGE_SHIFT < m->fresh_pfn)
		m->word0[pa >> PAGE_SHIFT] = val; /* word0_write(): no log */
	else
		phys_write_word(m, pa, val);
}

/*
 * The events of alloc_page() and __free_page() for an observer that wants
 * them, out of line: their frames would weigh on every allocation.
 */
static __attribute__((noinline)) void alloc_page_event(unsigned long pfn,
						       gfp_t gfp)
{
	struct sim_event ev = { .type = SIM_EV_PAGE_ALLOC };

	ev.arg = (long)pfn;
	ev.what = gfp & GFP_KERNEL ? "GFP_KERNEL" :
		  gfp & GFP_ATOMIC ? "GFP_ATOMIC" :
				     "GFP_NOWAIT";
	sim_emit(&ev);
}

static __attribute__((noinline)) void free_page_event(unsigned long pfn)
{
	struct sim_event ev = { .type = SIM_EV_PAGE_FREE };

	ev.arg = (long)pfn;
	sim_emit(&ev);
}

/* sim_reset_log_free(), kept out of __free_page()'s frame. */
static __attribute__((noinline)) void free_page_log(struct sim_machine *m,
						    unsigned long pfn)
{
	sim_reset_log_free(m, pfn);
}

unsigned long alloc_page(gfp_t gfp)
{
	struct sim_machine *m = sim_this;
	unsigned long pfn;

	if (gfp & GFP_KERNEL)
		sim_might_sleep_touch(SIM_TOUCH_ALLOC, NULL);
	else if (m->opt.fine_steps)
		sim_sched_point_touch(SIM_TOUCH_ALLOC, NULL);
	if (m->nr_free == 0)
		return 0;
	pfn = free_pop(m);
	if (m->nr_free < m->free_low)
		m->free_low = m->nr_free; /* sim_reset() restores from here */
	sim_set_page_flags(pfn, 0);
	if (!sim_count_in_place(m, SIM_EV_PAGE_ALLOC))
		alloc_page_event(pfn, gfp);
	if (m->opt.debug_pagealloc)
		__kernel_map_pages(pfn, 1, true);
	return pfn;
}

void __free_page(unsigned long pfn)
{
	struct sim_machine *m = sim_this;
	unsigned int flags;

	if (m->opt.fine_steps)
		sim_sched_point_touch(SIM_TOUCH_ALLOC, NULL);
	if (pfn == 0 || pfn >= m->nr_frames) {
		sim_report("bad-page", "__free_page(%lu): no such frame", pfn);
		return;
	}
	flags = sim_page_flags(pfn);
	if (flags & (PG_free | PG_reserved)) {
		sim_report("bad-page", "__free_page(%lu): frame is %s", pfn,
			   flags & PG_free ? "already free" : "reserved");
		return;
	}
	if (!sim_count_in_place(m, SIM_EV_PAGE_FREE))
		free_page_event(pfn);
	if (m->opt.debug_pagealloc)
		__kernel_map_pages(pfn, 1, false);
	if (m->mark)
		free_page_log(m, pfn);
	sim_set_page_flags(pfn, PG_free);
	m->free_stack[m->nr_free++] = pfn; /* above the implicit part */
}
