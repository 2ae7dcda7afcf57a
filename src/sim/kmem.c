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
 */
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

struct sim_kobj {
	struct sim_kobj *next, *prev;
	size_t size;
	max_align_t data[];
};

static struct sim_kobj *kobj_of(const void *p)
{
	return (struct sim_kobj *)((char *)p - offsetof(struct sim_kobj, data));
}

void *kmalloc(size_t size, gfp_t gfp)
{
	struct sim_machine *m = sim_this;
	struct sim_kobj *o = malloc(sizeof(*o) + size);

	(void)gfp;
	if (!o)
		abort();
	o->size = size;
	o->prev = NULL;
	o->next = m->kobjs;
	if (m->kobjs)
		m->kobjs->prev = o;
	m->kobjs = o;
	return o->data;
}

void *kzalloc(size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);

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
	struct sim_machine *m = sim_this;
	struct sim_kobj *o;

	if (!p)
		return;
	o = kobj_of(p);
	if (o->prev)
		o->prev->next = o->next;
	else
		m->kobjs = o->next;
	if (o->next)
		o->next->prev = o->prev;
	free(o);
}

/* Free every kernel object of @m (sim_destroy). */
void sim_kmem_free_all(struct sim_machine *m)
{
	while (m->kobjs) {
		struct sim_kobj *o = m->kobjs;

		m->kobjs = o->next;
		free(o);
	}
}
