// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The registries of kernel versions, designs, fixes and finding kinds (see
 * registry.h). Sources are cited as in the references of docs/arch-models.md:
 * mailing-list messages by subject, date and Message-ID.
 */
#include <string.h>

#include "sim/registry.h"

/* ---- kernel versions -------------------------------------------------------- */

const struct sim_kernel_version sim_kernels[] = {
#define SIM_KERNEL_ENTRY(a, b, name) { name, SIM_KERNEL(a, b) },
	SIM_KERNELS(SIM_KERNEL_ENTRY)
#undef SIM_KERNEL_ENTRY
		{ NULL, 0 }
};

/* The names alone, for code that lists them (src/arch/arch.c declared it). */
const char *const sim_kernel_versions[] = {
#define SIM_KERNEL_NAME(a, b, name) name,
	SIM_KERNELS(SIM_KERNEL_NAME)
#undef SIM_KERNEL_NAME
		NULL
};

const int sim_kernel_newest =
	SIM_KERNEL(7, 1); /* the last of SIM_KERNELS(); a test checks */

const struct sim_kernel_label sim_kernel_labels[] = {
	{
		.name = "7.1+lazy-v6",
		.version = SIM_KERNEL(7, 1) | 1 << 16,
		.arch = "s390",
		.series = "\"[PATCH v6 0/4] s390/mm: Batch PTE updates in lazy "
			  "MMU mode\", Alexander Gordeev, 2026-07-15, "
			  "cover.1784121418.git.agordeev@linux.ibm.com (RFC "
			  "2026-03-25, cover.1774420056.git.agordeev@linux."
			  "ibm.com)",
	},
	{ .name = NULL }
};

int sim_kernel_parse(const char *name)
{
	for (const struct sim_kernel_version *k = sim_kernels; k->name; k++)
		if (!strcmp(k->name, name))
			return k->version;
	for (const struct sim_kernel_label *l = sim_kernel_labels; l->name; l++)
		if (!strcmp(l->name, name))
			return l->version;
	return 0;
}

const char *sim_kernel_name(int v)
{
	for (const struct sim_kernel_version *k = sim_kernels; k->name; k++)
		if (k->version == v)
			return k->name;
	for (const struct sim_kernel_label *l = sim_kernel_labels; l->name; l++)
		if (l->version == v)
			return l->name;
	return NULL;
}

/* ---- designs -------------------------------------------------------------------- */

const struct sim_design sim_designs[] = {
	{
		.name = "passthrough",
		.layer = SIM_LAZY_DIRECT,
		.summary = "before 7.0: lazy_mmu_mode_enable/disable() are "
			   "arch_enter/arch_leave_lazy_mmu_mode(), pause is "
			   "leave and resume is enter; nesting is left to "
			   "each arch",
		.source = "include/linux/pgtable.h up to v6.19; renamed by "
			  "\"[PATCH v6 07/14] mm: introduce generic lazy_mmu "
			  "helpers\", 2025-12-15, "
			  "20251215150323.2218608-8-kevin.brodsky@arm.com",
		.active = "true from an enter hook to the next leave hook of "
			  "the task, outside interrupts (what the arch's own "
			  "flag says: arm64 TIF_LAZY_MMU, Ryan Roberts' "
			  "arch_in_lazy_mmu_mode())",
	},
	{
		.name = "v7.0",
		.layer = SIM_LAZY_NESTING,
		.summary = "per-task enable/pause counters (src/core): a "
			   "nested enable calls no hook, every disable "
			   "flushes, pause/resume leave and re-enter",
		.source = "5ab246749569 \"mm: enable lazy_mmu sections to "
			  "nest\" (v6 09/14, 2025-12-15, "
			  "20251215150323.2218608-10-kevin.brodsky@arm.com), "
			  "v7.0",
		.active = "enable_count > 0 and pause_count == 0, false in "
			  "interrupt (the core's is_lazy_mmu_mode_active())",
	},
	{
		.name = "noflush",
		.layer = SIM_LAZY_NOFLUSH,
		.summary = "hypothetical: the v7.0 counters, but a nested "
			   "disable calls no arch_flush_lazy_mmu_mode(); an "
			   "inner section's updates stay deferred until the "
			   "outermost disable",
		.source = "the alternative v7.0 rejected: Catalin Marinas "
			  "asked that every exit flush "
			  "(aEhKSq0zVaUJkomX@arm.com, 2025-06-10), Kevin "
			  "Brodsky's reason to Alexander Gordeev "
			  "(66335cf3-d49d-4b27-a37b-0a8a5e2c5d78@arm.com, "
			  "2025-09-05), against Ryan Roberts' alloc-then-"
			  "write sequence "
			  "(af9a96e1-064b-4627-bd34-e7e7e8a05452@arm.com, "
			  "2025-05-30)",
		.active = "as v7.0: the core's counters are kept",
	},
	{ .name = NULL }
};

const struct sim_design *sim_design_find(const char *name)
{
	for (const struct sim_design *d = sim_designs; d->name; d++)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

const struct sim_design *sim_design_of(enum sim_lazy_layer layer)
{
	for (const struct sim_design *d = sim_designs; d->name; d++)
		if (d->layer == layer)
			return d;
	return NULL;
}

enum sim_lazy_layer sim_design_default(int v)
{
	return v >= SIM_KERNEL(7, 0) ? SIM_LAZY_NESTING : SIM_LAZY_DIRECT;
}

/* ---- fixes ------------------------------------------------------------------------ */

/*
 * The workload names are those of lmm_workloads[] (pagemap-wp,
 * migrate-collect, munmap, kasan-*, bpf-arena-free); a fix
 * whose workload is not the one run is refused, so that no run claims a
 * fix it does not exercise.
 */
const struct sim_fix_info sim_fixes[] = {
	{
		.id = SIM_FIX_PAGEMAP_SCAN_ORDER,
		.name = "pagemap-order",
		.alias = "pagemap-scan-order",
		.summary = "pagemap_scan_pmd_entry(): leave lazy MMU mode "
			   "before flush_tlb_range(), not after (not merged: "
			   "the RFC was dropped for the nesting series, whose "
			   "v7.0 code keeps the flush inside the section)",
		.source = "\"[RFC PATCH v1 1/6] fs/proc/task_mmu: Fix pte "
			  "update and tlb maintenance ordering in "
			  "pagemap_scan_pmd_entry()\", Ryan Roberts, "
			  "2025-05-30, "
			  "20250530140446.2387131-2-ryan.roberts@arm.com",
		.workloads = { "pagemap-wp" },
	},
	{
		.id = SIM_FIX_MIGRATE_VMA_ORDER,
		.name = "migrate-order",
		.alias = "migrate-vma-order",
		.summary = "migrate_vma_collect_pmd(): leave lazy MMU mode "
			   "before the final flush_tlb_range(), not after (not "
			   "merged, as pagemap-order; the per-page "
			   "ptep_clear_flush() of anon-exclusive pages stays "
			   "inside the section)",
		.source = "\"[RFC PATCH v1 2/6] mm: Fix pte update and tlb "
			  "maintenance ordering in migrate_vma_collect_pmd()"
			  "\", Ryan Roberts, 2025-05-30, "
			  "20250530140446.2387131-3-ryan.roberts@arm.com",
		.workloads = { "migrate-collect" },
	},
	{
		.id = SIM_FIX_APPLY_NOLAZY,
		.name = "nolazy-apply",
		.alias = "apply-nolazy",
		.summary = "apply_to_page_range_nolazy() and "
			   "apply_to_existing_page_range_nolazy() open no "
			   "lazy MMU section; the callers whose callback "
			   "frees pages use them (KASAN depopulate, BPF arena "
			   "free)",
		.source = "\"[RFC PATCH v1 3/6] mm: Avoid calling page "
			  "allocator from apply_to_page_range()\", Ryan "
			  "Roberts, 2025-05-30, "
			  "20250530140446.2387131-4-ryan.roberts@arm.com; "
			  "abandoned for the arm64-only fix (2025-06-02)",
		.workloads = { "kasan-depopulate", "bpf-arena-free" },
	},
	{
		.id = SIM_FIX_KASAN_PAUSE,
		.name = "kasan-pause",
		.summary = "the KASAN shadow populate and depopulate callbacks "
			   "leave lazy MMU mode around each PTE access "
			   "(pause/resume from 7.0), so that ptep_get() and "
			   "set_pte_at() see no deferred value; with its "
			   "series' 1/2, the depopulate free moves after the "
			   "PTL",
		.source = "\"[PATCH 2/2] mm/kasan: avoid lazy MMU mode "
			  "hazards\", Alexander Gordeev, 2025-08-18, "
			  "0d2efb7ddddbff6b288fbffeeb10166e90771718.1755528662."
			  "git.agordeev@linux.ibm.com, with 1/2 "
			  "adb258634194593db294c0d1fb35646e894d6ead.1755528662."
			  "git.agordeev@linux.ibm.com (hotfixes for 6.17-rc5, "
			  "20250901172234.3a74524a97b595a5a81d1697@linux-"
			  "foundation.org)",
		.merged = "6.17",
		.workloads = { "kasan-populate", "kasan-depopulate" },
	},
	{
		.id = SIM_FIX_TLB_NEXT_BATCH_LEAVE,
		.name = "tlb-batch-nolazy",
		.alias = "tlb-next-batch-leave",
		.summary = "tlb_next_batch() leaves lazy MMU mode around its "
			   "GFP_NOWAIT allocation (pause/resume from 7.0); the "
			   "mmu_gather warns on a TLB flush or page free in "
			   "lazy MMU mode",
		.source = "\"[RFC PATCH v1 5/6] mm: Avoid calling page "
			  "allocator while in lazy mmu mode\", Ryan Roberts, "
			  "2025-05-30, "
			  "20250530140446.2387131-6-ryan.roberts@arm.com",
		.workloads = { "debug-pagealloc", "munmap" },
	},
	{
		.id = SIM_FIX_ARM64_NEVER_NEST,
		.name = "arm64-nonest",
		.alias = "arm64-never-nest",
		.summary = "arm64 __kernel_map_pages() leaves lazy MMU mode "
			   "around set_memory_valid() and re-enters it, and a "
			   "nested enter warns again (1ef3095b1405 reverted), "
			   "so sections never nest (declined by Will Deacon)",
		.source = "\"[PATCH v1] arm64/mm: Ensure lazy_mmu_mode never "
			  "nests\", Ryan Roberts, 2025-06-06, "
			  "20250606135654.178300-1-ryan.roberts@arm.com",
		.arch = "arm64",
		.workloads = { "debug-pagealloc", "munmap", "alloc-write",
			       "kasan-depopulate" },
	},
	{
		.id = SIM_FIX_XEN_TOLERATE_NESTED,
		.name = "xen-tolerate-nested",
		.summary = "xen_enter_lazy_mmu() skips entering when already "
			   "in XEN_LAZY_MMU, xen_leave_lazy_mmu() skips "
			   "leaving when in none: a switch between the core's "
			   "counter update and its hook no longer hits BUG_ON",
		.source = "\"[PATCH] x86/xen: Tolerate nested XEN_LAZY_MMU "
			  "entering/leaving\", Juergen Gross, 2026-05-08, "
			  "20260508143933.493013-1-jgross@suse.com "
			  "(v7.1-rc4)",
		.merged = "7.1",
		.arch = "xen-pv",
	},
	{
		.id = SIM_FIX_XEN_REVERT_CTXSW,
		.name = "xen-revert-ctxsw",
		.summary = "revert 291b3abed657 \"x86/xen: use lazy_mmu_state "
			   "when context-switching\": switch-in re-enters only "
			   "if switch-out left (TIF_LAZY_MMU_UPDATES)",
		.source = "Kevin Brodsky, \"Re: [PATCH] x86/xen: Tolerate "
			  "nested XEN_LAZY_MMU entering/leaving\", "
			  "2026-05-08, "
			  "362bc938-18ea-4f6a-938a-893dfb1c956d@arm.com",
		.arch = "xen-pv",
	},
	{
		.id = SIM_FIX_KASAN_REVERT_PAUSE,
		.name = "kasan-revert-pause",
		.summary = "hypothetical: take Gordeev's leave/enter (7.0: "
			   "pause/resume) out of the KASAN shadow callbacks "
			   "again, to show what it protects against on the "
			   "models of 6.17 and later (the s390 series' PTE "
			   "cache, which it was a prerequisite for)",
		.source = "a revert of \"[PATCH 2/2] mm/kasan: avoid lazy MMU "
			  "mode hazards\" (6.17); its cover letter calls the "
			  "series \"a pre-requisite for the s390 lazy MMU "
			  "mode implementation\" "
			  "(cover.1755528662.git.agordeev@linux.ibm.com)",
		.reverts = "6.17",
		.workloads = { "kasan-populate", "kasan-depopulate" },
	},
	{ .name = NULL }
};

/* By name, or by the name it had before (@alias), which stays accepted. */
const struct sim_fix_info *sim_fix_find(const char *name)
{
	for (const struct sim_fix_info *f = sim_fixes; f->name; f++)
		if (!strcmp(f->name, name) ||
		    (f->alias && !strcmp(f->alias, name)))
			return f;
	return NULL;
}

bool sim_fix_changes(const struct sim_fix_info *f, const char *arch,
		     const char *workload)
{
	if (f->arch && strcmp(f->arch, arch))
		return false;
	if (!f->workloads[0])
		return true;
	for (const char *const *w = f->workloads; *w; w++)
		if (!strcmp(*w, workload))
			return true;
	return false;
}

/* ---- finding kinds ---------------------------------------------------------------- */

const struct sim_finding_kind sim_finding_kinds[] = {
	{ "deferred-access",
	  "an access or PTE read saw a value whose update was still deferred" },
	{ "stale-tlb",
	  "a stale translation survived a flush or reached a freed frame" },
	{ "flush-in-section",
	  "a TLB flush or page free while the task still has deferred updates" },
	{ "arch-bug", "an assertion of the machine or an architecture fired" },
	{ "sleep-in-atomic",
	  "might_sleep() with preemption disabled or in interrupt" },
	{ "state-leak", "lazy state left changed at task exit or irq return" },
	{ "api-misuse", "lazy MMU counter underflow or overflow" },
	{ "bad-access", "an access with no valid translation or to no frame" },
	{ "bad-page", "a free of a frame that is not allocated" },
	{ "deadlock",
	  "a spinlock that can never be taken: a cycle of waiters, an "
	  "interrupt on its holder's CPU, every CPU blocked" },
	{ NULL, NULL }
};

const struct sim_finding_kind *sim_finding_kind_find(const char *name)
{
	for (const struct sim_finding_kind *k = sim_finding_kinds; k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}
