// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated Xen hypervisor (see hypervisor.h): Xen's checks of a PV
 * guest's page-table updates, after xen/arch/x86/mm.c (do_mmu_update(),
 * mod_l1_entry(), get_page_from_l1e(), do_mmuext_op() MMUEXT_PIN_*_TABLE /
 * MMUEXT_UNPIN_TABLE and the TLB ops) and xen/arch/x86/pv/ro-page-fault.c
 * (ptwr_emulated_update()). Reduced to ownership, range and the
 * page-table/writable type rule. The error codes are get_page_from_l1e()'s
 * and get_page_and_type_from_mfn()'s, read in a recent xen/arch/x86/mm.c
 * (docs/arch-models.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/xen-pv/hypervisor.h"

/*
 * Whether @val may be stored in a pinned table of @level (0 = L1, leaf
 * entries): get_page_from_l1e() for a leaf, get_page_from_l2e() and up for
 * a table entry, which must name a table pinned one level below.
 */
static int check_entry(const struct xen_hv *hv, int level, pte_t val,
		       unsigned long self)
{
	unsigned long pfn;

	if (!pte_valid(val))
		return 0; /* not present: Xen does not look further */
	pfn = pte_pfn(val);
	if (level > 0 && (val & PTE_TABLE)) {
		/*
		 * get_page_from_l2e() and up: get_page_and_type_from_mfn() of
		 * a table one level below; no such frame, another domain's, or
		 * a frame of another type all fail with -EINVAL.
		 */
		if (pfn >= hv->nr_frames)
			return -EINVAL;
		return hv->pinned[pfn] == level ? 0 : -EINVAL;
	}
	/*
	 * get_page_from_l1e() (a block entry at level > 0 is checked as one
	 * frame, a simplification). A frame that is not valid RAM is treated
	 * as MMIO, which a domain without I/O permission may not map: -EPERM.
	 */
	if (pfn >= hv->nr_frames + XEN_FOREIGN_FRAMES)
		return -EPERM;
	/* real_pg_owner != pg_owner: goto could_not_pin, -EBUSY */
	if (pfn >= hv->nr_frames)
		return -EBUSY;
	/* get_page_type(PGT_writable_page) of a table fails: could_not_pin */
	if (pte_write(val) && (hv->pinned[pfn] || pfn == self))
		return -EBUSY;
	return 0;
}

/* Take (@d = 1) or drop (-1) the type reference an entry of @level holds. */
static void account(struct xen_hv *hv, int level, pte_t val, int d)
{
	unsigned long pfn = pte_pfn(val);

	if (!pte_valid(val) || pfn >= hv->nr_frames)
		return;
	if (level > 0 && (val & PTE_TABLE))
		hv->tref[pfn] += (uint32_t)d;
	else if (pte_write(val))
		hv->wrcount[pfn] += (uint32_t)d;
}

/* The table frame of machine address @maddr: 0 and its pfn, or an error. */
static int table_frame(const struct xen_hv *hv, uint64_t maddr,
		       unsigned long *pfn)
{
	*pfn = (unsigned long)(maddr >> PAGE_SHIFT);
	if (*pfn >= hv->nr_frames + XEN_FOREIGN_FRAMES)
		return -EINVAL;
	if (*pfn >= hv->nr_frames)
		return -EPERM;
	return 0;
}

static int mmu_update_one(struct xen_hv *hv, const struct mmu_update *u,
			  unsigned long va)
{
	unsigned int cmd = u->ptr & 7;
	uint64_t maddr = u->ptr & ~7ULL;
	unsigned long tpfn;
	pte_t *ptep, val = u->val;
	int level, err;

	if (cmd != MMU_NORMAL_PT_UPDATE && cmd != MMU_PT_UPDATE_PRESERVE_AD)
		return -ENOSYS;
	err = table_frame(hv, maddr, &tpfn);
	if (err)
		return err;
	ptep = hv->ops->table(hv, tpfn) + ((maddr & (PAGE_SIZE - 1)) >> 3);
	level = hv->pinned[tpfn] - 1;
	if (level < 0) {
		/* not a page table: an ordinary write to the guest's page */
		hv->ops->store(hv, ptep, val, va);
		return 0;
	}
	/* MMU_PT_UPDATE_PRESERVE_AD: the hardware's accessed bit survives */
	if (cmd == MMU_PT_UPDATE_PRESERVE_AD)
		val |= *ptep & PTE_AF;
	err = check_entry(hv, level, val, tpfn);
	if (err)
		return err;
	account(hv, level, *ptep, -1);
	account(hv, level, val, 1);
	hv->ops->store(hv, ptep, val, va);
	return 0;
}

int xen_hv_mmu_update(struct xen_hv *hv, const struct mmu_update *req,
		      const unsigned long *va, unsigned int count,
		      unsigned int *done)
{
	unsigned int i;
	int err = 0;

	hv->calls++;
	for (i = 0; i < count; i++) {
		err = mmu_update_one(hv, &req[i], va ? va[i] : 0);
		if (err)
			break; /* do_mmu_update() stops at the first error */
	}
	if (done)
		*done = i;
	hv->rejected += err != 0;
	return err;
}

static int pin(struct xen_hv *hv, unsigned long mfn, int level)
{
	pte_t *t;
	int err;

	err = table_frame(hv, (uint64_t)mfn << PAGE_SHIFT, &mfn);
	if (err)
		return err;
	if (hv->pinned[mfn] || hv->wrcount[mfn])
		return -EINVAL; /* pinned already, or mapped writable */
	t = hv->ops->table(hv, mfn);
	for (int i = 0; i < PTRS_PER_TABLE; i++) {
		err = check_entry(hv, level, t[i], mfn);
		if (err)
			return err;
	}
	for (int i = 0; i < PTRS_PER_TABLE; i++)
		account(hv, level, t[i], 1);
	hv->pinned[mfn] = (uint8_t)(level + 1);
	return 0;
}

static int unpin(struct xen_hv *hv, unsigned long mfn)
{
	pte_t *t;
	int err, level;

	err = table_frame(hv, (uint64_t)mfn << PAGE_SHIFT, &mfn);
	if (err)
		return err;
	if (!hv->pinned[mfn] || hv->tref[mfn])
		return -EINVAL; /* not pinned, or still linked from a table */
	level = hv->pinned[mfn] - 1;
	t = hv->ops->table(hv, mfn);
	for (int i = 0; i < PTRS_PER_TABLE; i++)
		account(hv, level, t[i], -1);
	hv->pinned[mfn] = 0;
	return 0;
}

static int mmuext_one(struct xen_hv *hv, const struct mmuext_op *op)
{
	switch (op->cmd) {
	case MMUEXT_PIN_L1_TABLE:
	case MMUEXT_PIN_L2_TABLE:
	case MMUEXT_PIN_L3_TABLE:
	case MMUEXT_PIN_L4_TABLE:
		return pin(hv, op->arg1, (int)op->cmd - MMUEXT_PIN_L1_TABLE);
	case MMUEXT_UNPIN_TABLE:
		return unpin(hv, op->arg1);
	case MMUEXT_TLB_FLUSH_LOCAL:
		hv->ops->flush(hv, ~0UL, true);
		return 0;
	case MMUEXT_INVLPG_LOCAL:
		hv->ops->flush(hv, op->arg1 & ~(PAGE_SIZE - 1), true);
		return 0;
	case MMUEXT_TLB_FLUSH_MULTI:
	case MMUEXT_TLB_FLUSH_ALL:
		hv->ops->flush(hv, ~0UL, false);
		return 0;
	case MMUEXT_INVLPG_MULTI:
	case MMUEXT_INVLPG_ALL:
		hv->ops->flush(hv, op->arg1 & ~(PAGE_SIZE - 1), false);
		return 0;
	default:
		return -ENOSYS;
	}
}

int xen_hv_mmuext_op(struct xen_hv *hv, const struct mmuext_op *op,
		     unsigned int count, unsigned int *done)
{
	unsigned int i;
	int err = 0;

	hv->calls++;
	for (i = 0; i < count; i++) {
		err = mmuext_one(hv, &op[i]);
		if (err)
			break;
	}
	if (done)
		*done = i;
	hv->rejected += err != 0;
	return err;
}

int xen_hv_ptwr_emulate(struct xen_hv *hv, uint64_t maddr, pte_t old, pte_t val,
			bool xchg, unsigned long va, pte_t *prev)
{
	unsigned long tpfn;
	pte_t *ptep;
	int level, err;

	hv->calls++;
	err = table_frame(hv, maddr & ~7ULL, &tpfn);
	if (!err) {
		level = hv->pinned[tpfn] - 1;
		if (level >= 0)
			err = check_entry(hv, level, val, tpfn);
	}
	if (err) {
		hv->rejected++;
		return err;
	}
	ptep = hv->ops->table(hv, tpfn) + ((maddr & (PAGE_SIZE - 1)) >> 3);
	*prev = hv->ops->rmw(hv, ptep, old, val, xchg, va);
	if (level >= 0 && (xchg || *prev == old)) {
		account(hv, level, *prev, -1);
		account(hv, level, val, 1);
	}
	return 0;
}

void xen_hv_pin_boot(struct xen_hv *hv, unsigned long pfn, int level)
{
	pte_t *t = hv->ops->table(hv, pfn);

	for (int i = 0; i < PTRS_PER_TABLE; i++)
		account(hv, level, t[i], 1);
	hv->pinned[pfn] = (uint8_t)(level + 1);
}

bool xen_hv_invariants(struct xen_hv *hv, char *why, size_t len)
{
	uint32_t *wr = calloc(hv->nr_frames, sizeof(*wr));
	uint32_t *tr = calloc(hv->nr_frames, sizeof(*tr));
	bool ok = wr && tr;

	for (unsigned long f = 0; ok && f < hv->nr_frames; f++) {
		int level = hv->pinned[f] - 1;
		pte_t *t;

		if (level < 0)
			continue;
		t = hv->ops->table(hv, f);
		for (int i = 0; ok && i < PTRS_PER_TABLE; i++) {
			unsigned long pfn = pte_pfn(t[i]);

			if (!pte_valid(t[i]))
				continue;
			if (check_entry(hv, level, t[i], f)) {
				snprintf(why, len,
					 "table %lu[%d] = %#llx breaks a rule",
					 f, i, (unsigned long long)t[i]);
				ok = false;
			} else if (level > 0 && (t[i] & PTE_TABLE)) {
				tr[pfn]++;
			} else if (pte_write(t[i])) {
				wr[pfn]++;
			}
		}
	}
	for (unsigned long f = 0; ok && f < hv->nr_frames; f++) {
		if (wr[f] != hv->wrcount[f] || tr[f] != hv->tref[f]) {
			snprintf(why, len,
				 "frame %lu: counts %u/%u, kept %u/%u", f,
				 wr[f], tr[f], hv->wrcount[f], hv->tref[f]);
			ok = false;
		} else if (hv->pinned[f] && wr[f]) {
			snprintf(why, len, "table %lu mapped writable", f);
			ok = false;
		}
	}
	free(wr);
	free(tr);
	return ok;
}
