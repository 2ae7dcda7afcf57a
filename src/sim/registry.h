/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Versions, designs, fixes and finding kinds as values: one registry each
 * (src/sim/registry.c), read by the machine, the models, the sanitizer,
 * `lazymmu list`, `lazymmu run --kernel/--design/--fix` and the docs test.
 *
 *   kernel versions  SIM_KERNEL(7, 0): a number a caller can compare
 *   designs          the generic lazy MMU layer in force (enum sim_lazy_layer)
 *   fixes            proposed or merged patches applied on top (enum sim_fix)
 *   finding kinds    the names sim_report() accepts
 *
 * Everything here is constant: a run's own values (its version, design and
 * fixes) live in its struct sim_options.
 */
#ifndef _LAZYMMU_SIM_REGISTRY_H
#define _LAZYMMU_SIM_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- kernel versions -------------------------------------------------------- */

/* A kernel version as a number: SIM_KERNEL(7, 0) < SIM_KERNEL(7, 1). */
#define SIM_KERNEL(major, minor) ((major) << 8 | (minor))
#define SIM_KERNEL_MAJOR(v) (((v) >> 8) & 0xff)
#define SIM_KERNEL_MINOR(v) ((v)&0xff)

/* The modelled versions, oldest first: X(major, minor, "name"). */
#define SIM_KERNELS(X)   \
	X(6, 16, "6.16") \
	X(6, 17, "6.17") \
	X(7, 0, "7.0")   \
	X(7, 1, "7.1")

struct sim_kernel_version {
	const char *name; /* "7.0" */
	int version; /* SIM_KERNEL(7, 0) */
};

extern const struct sim_kernel_version sim_kernels[]; /* ends with NULL name */
extern const int sim_kernel_newest;

/*
 * Labels of proposed series: a modelled version with patches not merged,
 * "7.1+lazy-v6". The number is the base version with the series in the
 * bits above (SIM_KERNEL_SERIES()), so `sim_kernel() >= SIM_KERNEL(7, 0)`
 * holds for it as for its base. Only @arch has a model of it: `--kernel`
 * takes the label for that arch, every other says it has no model for it.
 */
#define SIM_KERNEL_SERIES(v) ((v) >> 16)

struct sim_kernel_label {
	const char *name; /* "7.1+lazy-v6" */
	int version; /* SIM_KERNEL(7, 1) | 1 << 16 */
	const char *arch; /* "s390" */
	const char *series; /* the series: subject, version, date, Message-ID */
};

extern const struct sim_kernel_label sim_kernel_labels[]; /* NULL name ends */

/* sim_kernel_parse() - the version named @name, or 0 if none is modelled. */
int sim_kernel_parse(const char *name);
/* sim_kernel_name() - the name of modelled version @v, or NULL. */
const char *sim_kernel_name(int v);

/* ---- designs of the generic layer ------------------------------------------- */

/*
 * The generic lazy MMU layer in force: a design. The kernel version picks
 * its own (sim_design_default()); `--design` picks another for comparison.
 * SIM_LAZY_OFF is no layer at all (!CONFIG_ARCH_HAS_LAZY_MMU_MODE, or
 * `--lazy off`) and is not a design one can name.
 */
enum sim_lazy_layer {
	SIM_LAZY_OFF, /* !CONFIG_ARCH_HAS_LAZY_MMU_MODE: the calls are empty */
	SIM_LAZY_DIRECT, /* passthrough, before 7.0: the calls are the hooks */
	SIM_LAZY_NESTING, /* v7.0: the core (src/core) */
	SIM_LAZY_NOFLUSH, /* noflush: the core, but a nested disable does not
			   * flush */
	SIM_LAZY_NR
};

struct sim_design {
	const char *name; /* "v7.0" */
	enum sim_lazy_layer layer;
	const char *summary; /* what it changes, one line */
	const char *source; /* the patch or message it comes from */
	/* is_lazy_mmu_mode_active() as models see it under this design */
	const char *active;
};

extern const struct sim_design sim_designs[]; /* ends with NULL name */

const struct sim_design *sim_design_find(const char *name);
const struct sim_design *sim_design_of(enum sim_lazy_layer layer);
/* sim_design_default() - the design of kernel version @v. */
enum sim_lazy_layer sim_design_default(int v);

/* ---- fixes -------------------------------------------------------------------- */

enum sim_fix {
	SIM_FIX_PAGEMAP_SCAN_ORDER,
	SIM_FIX_MIGRATE_VMA_ORDER,
	SIM_FIX_APPLY_NOLAZY,
	SIM_FIX_KASAN_PAUSE,
	SIM_FIX_TLB_NEXT_BATCH_LEAVE,
	SIM_FIX_ARM64_NEVER_NEST,
	SIM_FIX_XEN_TOLERATE_NESTED,
	SIM_FIX_XEN_REVERT_CTXSW,
	SIM_FIX_KASAN_REVERT_PAUSE,
	SIM_FIX_NR
};

#define SIM_FIX_MAX_WORKLOADS 4

struct sim_fix_info {
	enum sim_fix id;
	const char *name; /* "pagemap-order" */
	/* an older name, still accepted by sim_fix_find(), or NULL */
	const char *alias; /* "pagemap-scan-order" */
	const char *summary; /* what it changes */
	const char *source; /* patch subject, date, Message-ID */
	const char *merged; /* kernel version it is in, or NULL: not merged */
	/* a revert: the version that merged what it takes out (older: refused) */
	const char *reverts;
	const char *arch; /* the one arch it changes, or NULL: any */
	/* the workloads whose behaviour it changes (NULL-terminated) */
	const char *workloads[SIM_FIX_MAX_WORKLOADS + 1];
	/*
	 * Its workload is modelled but the fix's change is not written yet:
	 * refused like a fix of an unmodelled workload, so that no run
	 * claims a fix it does not exercise.
	 */
	bool pending;
};

extern const struct sim_fix_info sim_fixes[]; /* ends with NULL name */

/* sim_fix_find() - the fix named @name (or whose alias is @name), or NULL. */
const struct sim_fix_info *sim_fix_find(const char *name);
/* sim_fix_changes() - whether fix @f changes @workload on @arch. */
bool sim_fix_changes(const struct sim_fix_info *f, const char *arch,
		     const char *workload);

/* ---- finding kinds ------------------------------------------------------------ */

struct sim_finding_kind {
	const char *name; /* "deferred-access" */
	const char *meaning; /* one line */
};

extern const struct sim_finding_kind sim_finding_kinds[]; /* NULL name ends */

/* sim_finding_kind_find() - the registered kind @name, or NULL. */
const struct sim_finding_kind *sim_finding_kind_find(const char *name);

#endif /* _LAZYMMU_SIM_REGISTRY_H */
