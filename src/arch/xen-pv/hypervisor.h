/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The simulated Xen hypervisor of a PV guest: what Xen checks when the guest
 * asks it to change a page table (xen/arch/x86/mm.c do_mmu_update(),
 * do_mmuext_op(), get_page_from_l1e(), and the ptwr emulation of a trapped
 * write, xen/arch/x86/pv/ro-page-fault.c), reduced to the three rules of
 * issue 8:
 *
 *   - no mapping of a frame the guest does not own (-EBUSY, Xen's
 *     could_not_pin; -EINVAL for a table entry);
 *   - no mapping of a frame beyond the machine's memory (-EPERM: Xen takes
 *     it for MMIO the domain may not map; -EINVAL for a table entry);
 *   - no writable mapping of a page-table page (-EBUSY), and no page-table
 *     pin of a frame that is still mapped writable (-EINVAL).
 *
 * A rejected update returns an error and is never applied. The core knows
 * nothing of the simulated machine: it reads frames and stores entries
 * through callbacks, so that the fuzz target (tests/fuzz/fuzz_xen_hv.c) runs
 * it over its own memory and the model (mmu_pv.c) over the machine's.
 */
#ifndef _LAZYMMU_ARCH_XEN_PV_HYPERVISOR_H
#define _LAZYMMU_ARCH_XEN_PV_HYPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/* Frames Xen and other domains own, just above the guest's memory. */
#define XEN_FOREIGN_FRAMES 64UL

/* struct mmu_update.ptr's low bits (xen/include/public/xen.h) */
#define MMU_NORMAL_PT_UPDATE 0
#define MMU_MACHPHYS_UPDATE 1
#define MMU_PT_UPDATE_PRESERVE_AD 2

/* struct mmuext_op.cmd (xen/include/public/xen.h) */
enum xen_mmuext_cmd {
	MMUEXT_PIN_L1_TABLE = 0,
	MMUEXT_PIN_L2_TABLE = 1,
	MMUEXT_PIN_L3_TABLE = 2,
	MMUEXT_PIN_L4_TABLE = 3,
	MMUEXT_UNPIN_TABLE = 4,
	MMUEXT_TLB_FLUSH_LOCAL = 6,
	MMUEXT_INVLPG_LOCAL = 7,
	MMUEXT_TLB_FLUSH_MULTI = 8,
	MMUEXT_INVLPG_MULTI = 9,
	MMUEXT_TLB_FLUSH_ALL = 10,
	MMUEXT_INVLPG_ALL = 11,
};

/* One update: @ptr the entry's machine address | command, @val its value. */
struct mmu_update {
	uint64_t ptr;
	uint64_t val;
};

struct mmuext_op {
	unsigned int cmd;
	unsigned long arg1; /* mfn (PIN, UNPIN) or linear address (INVLPG) */
};

struct xen_hv;

/*
 * How the hypervisor reaches memory: @table gives the host view of frame
 * @pfn (< nr_frames); @store writes an entry (@va: the address it maps, for
 * the machine's events, or 0); @rmw does the guest's trapped atomic
 * read-modify-write (cmpxchg of @old to @val, or xchg if @xchg), returning
 * what the entry held; @flush invalidates TLBs (@addr, or all if ~0UL; on
 * this CPU only if @local).
 */
struct xen_hv_ops {
	pte_t *(*table)(struct xen_hv *hv, unsigned long pfn);
	void (*store)(struct xen_hv *hv, pte_t *ptep, pte_t val,
		      unsigned long va);
	pte_t (*rmw)(struct xen_hv *hv, pte_t *ptep, pte_t old, pte_t val,
		     bool xchg, unsigned long va);
	void (*flush)(struct xen_hv *hv, unsigned long addr, bool local);
};

/*
 * The hypervisor's state for one guest, frames [0, nr_frames) the guest's
 * and [nr_frames, nr_frames + XEN_FOREIGN_FRAMES) someone else's. Per
 * frame: @pinned (level + 1 of a pinned table, 0 if none) and the type
 * counts Xen keeps: writable mappings (@wrcount) and references from
 * table entries (@tref), both counted in pinned tables only.
 */
struct xen_hv {
	const struct xen_hv_ops *ops;
	unsigned long nr_frames;
	uint8_t *pinned;
	uint32_t *wrcount;
	uint32_t *tref;
	unsigned long calls, rejected; /* every call, and those refused */
};

int xen_hv_mmu_update(struct xen_hv *hv, const struct mmu_update *req,
		      const unsigned long *va, unsigned int count,
		      unsigned int *done);
int xen_hv_mmuext_op(struct xen_hv *hv, const struct mmuext_op *op,
		     unsigned int count, unsigned int *done);
/*
 * A guest's write to a read-only page table, trapped and emulated (an
 * atomic xchg or cmpxchg): 0 and the old value in @prev, or an error and
 * nothing written.
 */
int xen_hv_ptwr_emulate(struct xen_hv *hv, uint64_t maddr, pte_t old, pte_t val,
			bool xchg, unsigned long va, pte_t *prev);
/* Pin a table as the domain builder does: no checks, for boot. */
void xen_hv_pin_boot(struct xen_hv *hv, unsigned long pfn, int level);
/* Whether every pinned table obeys the rules and every count is right. */
bool xen_hv_invariants(struct xen_hv *hv, char *why, size_t len);

#endif /* _LAZYMMU_ARCH_XEN_PV_HYPERVISOR_H */
