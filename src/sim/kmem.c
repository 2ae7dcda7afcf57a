// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Kernel objects (vm_structs, mms, VMAs, arrays of pfns) come from the
 * machine, not from whoever calls: kmalloc() and friends hand out memory
 * the machine owns, so that a run abandoned at any point (a model checker
 * stopping at its first finding) leaks nothing: sim_destroy() frees it.
 *
 * Unlike the kernel's, these never sleep and never fail for want of
 * simulated memory: they are the host's memory for the model's objects,
 * not simulated frames.
 *
 * An arena: chunks of host memory, bumped; a freed object goes on the free
 * list of its size class (a power of two, header included) for the next
 * kmalloc() of that class. sim_kmem_mark() records the bump point after
 * boot; sim_kmem_reset() moves it back there and empties the free lists,
 * which costs what the run allocated, not what it freed one by one.
 * Objects allocated during boot are never recycled: kfree() of one during
 * a run leaves it for sim_kmem_reset() to restore, bytes included.
 *
 * Under ASan, memory not handed out is poisoned, so a use after kfree() or
 * after a reset is still reported.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hostsan.h"
#include "sim/sim.h"

#define KMEM_CHUNK (64UL * 1024)
#define KMEM_MIN_CLASS 5 /* 32 bytes: the header and 16 of data */

/*
 * Objects are 16-byte aligned on every host, as x86-64's max_align_t is:
 * s390x's max_align_t is 8-aligned, which put data[] 24 bytes into its
 * chunk and every object at 8 mod 16 there (make check-cross).
 */
#define KMEM_ALIGN 16

struct sim_kmem_chunk {
	struct sim_kmem_chunk *next;
	size_t size; /* bytes of data[] */
	size_t used;
	_Alignas(KMEM_ALIGN) max_align_t data[];
};

/* In front of every object; 16 bytes keep data KMEM_ALIGN-aligned. */
struct kobj_hdr {
	uint32_t cls; /* log2 of the object's bytes, header included */
	uint32_t boot; /* allocated before sim_kmem_mark() */
	union {
		size_t size; /* live: what was asked for */
		struct kobj_hdr *next_free; /* on a free list */
	};
};

_Static_assert(sizeof(struct kobj_hdr) == 16, "kobj_hdr keeps alignment");

static unsigned int class_of(size_t bytes)
{
	unsigned int cls = KMEM_MIN_CLASS;

	while (((size_t)1 << cls) < bytes)
		cls++;
	return cls;
}

static struct sim_kmem_chunk *next_chunk(struct sim_kmem *k,
					 struct sim_kmem_chunk *c)
{
	return c ? c->next : k->chunks;
}

/*
 * Chunks of destroyed machines, kept for the next machines (as mem.c keeps
 * their frames): a run's arrays of pfns are chunks of their own (512 KiB
 * at 65,536 pages), which glibc unmaps when they are freed, and a fresh
 * host page costs microseconds in a guest. Up to KMEM_KEEP_MAX bytes,
 * shared by every thread under a lock taken once per chunk. A kept chunk's
 * bytes are whatever its last machine left, as a recycled heap block's
 * are: kmalloc() never promised zeroes (kzalloc() writes them).
 */
#define KMEM_KEEP_MAX (64UL << 20)

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_kmem_chunk *kept;
static size_t kept_bytes;

/* A kept chunk of at least @size bytes and at most 4 times that, or NULL. */
static struct sim_kmem_chunk *chunk_take(size_t size)
{
	struct sim_kmem_chunk **pp, *c = NULL;

	pthread_mutex_lock(&kept_lock);
	for (pp = &kept; *pp; pp = &(*pp)->next) {
		if ((*pp)->size >= size && (*pp)->size / 4 <= size) {
			c = *pp;
			*pp = c->next;
			kept_bytes -= c->size;
			break;
		}
	}
	pthread_mutex_unlock(&kept_lock);
	return c;
}

/* A dead machine's chunk: kept for the next (room permitting), or freed. */
static void chunk_put(struct sim_kmem_chunk *c)
{
	bool keep;

	sim_poison(c->data, c->size);
	pthread_mutex_lock(&kept_lock);
	keep = kept_bytes + c->size <= KMEM_KEEP_MAX;
	if (keep) {
		c->next = kept;
		kept = c;
		kept_bytes += c->size;
	}
	pthread_mutex_unlock(&kept_lock);
	if (!keep) {
		sim_unpoison(c->data, c->size);
		free(c);
	}
}

/* Every kept chunk back to the host (sim_mem_pool_drain()). */
void sim_kmem_keep_drain(void)
{
	pthread_mutex_lock(&kept_lock);
	while (kept) {
		struct sim_kmem_chunk *c = kept;

		kept = c->next;
		sim_unpoison(c->data, c->size);
		free(c);
	}
	kept_bytes = 0;
	pthread_mutex_unlock(&kept_lock);
}

/* Bump @bytes from the current chunk, moving on to (or adding) the next. */
static struct kobj_hdr *bump(struct sim_kmem *k, size_t bytes)
{
	struct sim_kmem_chunk *c = k->cur, *next;
	struct kobj_hdr *h;

	while (!c || c->size - c->used < bytes) {
		next = next_chunk(k, c);
		if (next && next->size >= bytes) {
			/* chunks after cur hold nothing live */
			next->used = 0;
		} else {
			size_t size = bytes > KMEM_CHUNK ? bytes : KMEM_CHUNK;

			next = chunk_take(size); /* keeps its own size */
			if (!next) {
				/* both multiples of KMEM_ALIGN, as C11 asks */
				next = aligned_alloc(KMEM_ALIGN,
						     sizeof(*next) + size);
				if (!next)
					abort();
				next->size = size;
			}
			next->used = 0;
			next->next = next_chunk(k, c);
			if (c)
				c->next = next;
			else
				k->chunks = next;
			sim_poison(next->data, size);
		}
		c = next;
	}
	k->cur = c;
	h = (struct kobj_hdr *)((char *)c->data + c->used);
	c->used += bytes;
	sim_unpoison(h, sizeof(*h));
	return h;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	struct sim_kmem *k = &sim_this->kmem;
	unsigned int cls;
	struct kobj_hdr *h;

	(void)gfp;
	if (size > ((size_t)1 << 46))
		return NULL;
	cls = class_of(sizeof(*h) + size);
	h = k->free[cls];
	if (h) {
		sim_unpoison(h, sizeof(*h));
		k->free[cls] = h->next_free;
	} else {
		h = bump(k, (size_t)1 << cls);
	}
	h->cls = cls;
	h->boot = !k->marked;
	h->size = size;
	sim_unpoison(h + 1, size);
	return h + 1;
}

void *kzalloc(size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);

	if (p)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kzalloc(n * size, gfp);
}

void kfree(const void *p)
{
	struct sim_kmem *k = &sim_this->kmem;
	struct kobj_hdr *h;

	if (!p)
		return;
	h = (struct kobj_hdr *)p - 1;
	if (h->boot && k->marked)
		return; /* sim_kmem_reset() brings it back */
	h->next_free = k->free[h->cls];
	k->free[h->cls] = h;
	sim_poison(h, (size_t)1 << h->cls);
}

/*
 * sim_kmem_mark() - the post-boot state of the kernel objects: where the
 * arena's bump point is and the bytes of everything allocated so far.
 */
void sim_kmem_mark(struct sim_machine *m)
{
	struct sim_kmem *k = &m->kmem;
	size_t len = 0;

	k->marked = true;
	k->mark_chunk = k->cur;
	k->mark_used = k->cur ? k->cur->used : 0;
	/* what boot freed is not worth recycling: forget it */
	memset(k->free, 0, sizeof(k->free));
	for (struct sim_kmem_chunk *c = k->chunks; k->cur; c = c->next) {
		len += c == k->cur ? k->mark_used : c->used;
		if (c == k->cur)
			break;
	}
	k->boot_len = len;
	if (!len)
		return;
	k->boot_bytes = malloc(len);
	if (!k->boot_bytes)
		abort();
	len = 0;
	for (struct sim_kmem_chunk *c = k->chunks;; c = c->next) {
		size_t n = c == k->cur ? k->mark_used : c->used;

		sim_unpoison(c->data, n);
		memcpy(k->boot_bytes + len, c->data, n);
		len += n;
		if (c == k->cur)
			break;
	}
}

/* sim_kmem_reset() - every kernel object back to its post-boot state. */
void sim_kmem_reset(struct sim_machine *m)
{
	struct sim_kmem *k = &m->kmem;
	size_t len = 0;

#ifdef SIM_ASAN
	/* poison what the run handed out: from the mark to the bump point */
	for (struct sim_kmem_chunk *c = k->mark_chunk ? k->mark_chunk :
							k->chunks;
	     c; c = c->next) {
		size_t from = c == k->mark_chunk ? k->mark_used : 0;

		sim_poison((char *)c->data + from, c->used - from);
		if (c == k->cur)
			break;
	}
#endif
	memset(k->free, 0, sizeof(k->free));
	k->cur = k->mark_chunk;
	if (k->cur)
		k->cur->used = k->mark_used;
	for (struct sim_kmem_chunk *c = k->chunks; k->boot_len; c = c->next) {
		size_t n = c == k->cur ? k->mark_used : c->used;

		sim_unpoison(c->data, n);
		memcpy(c->data, k->boot_bytes + len, n);
		len += n;
		if (c == k->cur)
			break;
	}
}

/* Free every kernel object of @m (sim_destroy). */
void sim_kmem_free_all(struct sim_machine *m)
{
	struct sim_kmem *k = &m->kmem;

	while (k->chunks) {
		struct sim_kmem_chunk *c = k->chunks;

		k->chunks = c->next;
		chunk_put(c);
	}
	free(k->boot_bytes);
	memset(k, 0, sizeof(*k));
}
