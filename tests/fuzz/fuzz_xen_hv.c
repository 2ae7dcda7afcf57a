// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target over the simulated Xen hypervisor's update interface
 * (src/arch/xen-pv/hypervisor.c): mmu_update, mmuext_op (pin, unpin, TLB
 * ops) and the emulation of trapped writes, in any order, with any
 * arguments, on a guest of NR_FRAMES frames. After every call it asserts
 * that nothing invalid was accepted: every pinned table obeys the rules
 * (no foreign or out-of-range frame, no writable mapping of a page table,
 * table entries naming tables pinned one level below), the hypervisor's
 * type counts match the tables, and a refused single update left memory
 * as it was. `make fuzz` builds and runs it (FUZZ_TIME seconds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/xen-pv/hypervisor.h"

#define NR_FRAMES 8UL
#define FRAME_RANGE (NR_FRAMES + XEN_FOREIGN_FRAMES + 4)

static pte_t mem[NR_FRAMES][PTRS_PER_TABLE], before[NR_FRAMES][PTRS_PER_TABLE];
static uint8_t pinned[NR_FRAMES];
static uint32_t wrcount[NR_FRAMES], tref[NR_FRAMES];

static pte_t *f_table(struct xen_hv *hv, unsigned long pfn)
{
	(void)hv;
	if (pfn >= NR_FRAMES)
		abort(); /* the hypervisor reached a frame it must refuse */
	return mem[pfn];
}

static void f_store(struct xen_hv *hv, pte_t *ptep, pte_t val, unsigned long va)
{
	(void)hv;
	(void)va;
	*ptep = val;
}

static pte_t f_rmw(struct xen_hv *hv, pte_t *ptep, pte_t old, pte_t val,
		   bool xchg, unsigned long va)
{
	pte_t prev = *ptep;

	(void)hv;
	(void)va;
	if (xchg || prev == old)
		*ptep = val;
	return prev;
}

static void f_flush(struct xen_hv *hv, unsigned long addr, bool local)
{
	(void)hv;
	(void)addr;
	(void)local;
}

static const struct xen_hv_ops f_ops = { f_table, f_store, f_rmw, f_flush };

struct input {
	const uint8_t *d;
	size_t n;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && in->n; i++, in->d++, in->n--)
		v |= (uint64_t)*in->d << (8 * i);
	return v;
}

/* An entry's value: a frame near the guest's range and any of the bits. */
static pte_t take_pte(struct input *in)
{
	uint64_t pfn = take(in, 1) % FRAME_RANGE;
	uint64_t bits = take(in, 1);
	pte_t v = pfn << PAGE_SHIFT;

	v |= (bits & 1) ? PTE_VALID : 0;
	v |= (bits & 2) ? PTE_TABLE : 0;
	v |= (bits & 4) ? PTE_RDONLY : 0;
	v |= (bits & 8) ? PTE_AF : 0;
	v |= (bits & 16) ? PTE_USER : 0;
	return v;
}

static uint64_t take_maddr(struct input *in)
{
	uint64_t pfn = take(in, 1) % FRAME_RANGE;
	uint64_t idx = take(in, 2) % PTRS_PER_TABLE;

	return (pfn << PAGE_SHIFT) | (idx << 3);
}

static void check(struct xen_hv *hv, int err, bool single)
{
	char why[160];

	if (!xen_hv_invariants(hv, why, sizeof(why))) {
		fprintf(stderr, "invariant broken: %s\n", why);
		abort();
	}
	if (err && single && memcmp(mem, before, sizeof(mem))) {
		fprintf(stderr, "a refused update changed memory\n");
		abort();
	}
}

/*
 * Whether the entry @bad names holds what it held before the call, unless
 * one of the @nr updates applied before it wrote there.
 */
static bool refused_untouched(const struct mmu_update *bad,
			      const struct mmu_update *u, unsigned int nr)
{
	uint64_t pfn = bad->ptr >> PAGE_SHIFT;
	uint64_t idx = (bad->ptr & (PAGE_SIZE - 1)) >> 3;

	for (unsigned int i = 0; i < nr; i++)
		if ((u[i].ptr & ~7ULL) == (bad->ptr & ~7ULL))
			return true;
	return mem[pfn][idx] == before[pfn][idx];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xen_hv hv = { .ops = &f_ops,
			     .nr_frames = NR_FRAMES,
			     .pinned = pinned,
			     .wrcount = wrcount,
			     .tref = tref };
	struct input in = { data, size };

	memset(mem, 0, sizeof(mem));
	memset(pinned, 0, sizeof(pinned));
	memset(wrcount, 0, sizeof(wrcount));
	memset(tref, 0, sizeof(tref));
	while (in.n) {
		unsigned int op = (unsigned int)take(&in, 1) % 3;
		int err;

		memcpy(before, mem, sizeof(mem));
		if (op == 0) {
			struct mmu_update u[4];
			unsigned int n = 1 + (unsigned int)take(&in, 1) % 4;

			for (unsigned int i = 0; i < n; i++) {
				u[i].ptr = take_maddr(&in) | (take(&in, 1) % 4);
				u[i].val = take_pte(&in);
			}
			unsigned int done;

			err = xen_hv_mmu_update(&hv, u, NULL, n, &done);
			check(&hv, err, n == 1);
			/* the refused entry itself is never written */
			if (err && (u[done].ptr >> PAGE_SHIFT) < NR_FRAMES &&
			    !refused_untouched(&u[done], u, done))
				abort();
		} else if (op == 1) {
			struct mmuext_op o;

			o.cmd = (unsigned int)take(&in, 1) % 13;
			o.arg1 = (unsigned long)(take(&in, 1) % FRAME_RANGE);
			if (o.cmd == MMUEXT_INVLPG_LOCAL ||
			    o.cmd == MMUEXT_INVLPG_MULTI)
				o.arg1 <<= PAGE_SHIFT;
			err = xen_hv_mmuext_op(&hv, &o, 1, NULL);
			check(&hv, err, true);
		} else {
			uint64_t maddr = take_maddr(&in);
			pte_t old = take_pte(&in), val = take_pte(&in), prev;
			bool xchg = take(&in, 1) & 1;

			err = xen_hv_ptwr_emulate(&hv, maddr, old, val, xchg, 0,
						  &prev);
			check(&hv, err, true);
		}
	}
	return 0;
}
