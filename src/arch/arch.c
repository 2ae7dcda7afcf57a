// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The registered architecture models and the kernel versions they cover.
 */
#include <string.h>

#include "sim/arch.h"

extern const struct sim_arch_ops generic_ops;
extern const struct sim_arch_ops arm64_6_16_ops, arm64_7_0_ops;
extern const struct sim_arch_ops ppc64_hash_6_16_ops, ppc64_hash_7_0_ops;
extern const struct sim_arch_ops sparc64_6_16_ops, sparc64_7_0_ops;
extern const struct sim_arch_ops xen_pv_6_16_ops, xen_pv_7_0_ops,
	xen_pv_7_1_ops;
extern const struct sim_arch_ops s390_ops, s390_lazy_v6_ops;

const char *const sim_arch_names[] = { "generic", "arm64",  "ppc64-hash",
				       "sparc64", "xen-pv", "s390",
				       NULL };

/* Arches named by the design (docs/design.md) that have no model yet. */
const char *const sim_arch_planned[] = { NULL };

static const struct {
	const char *arch, *kernel;
	const struct sim_arch_ops *ops;
} sim_arches[] = {
	{ "generic", NULL, &generic_ops },
	/* arm64 did not change lazy MMU behaviour between 6.16 and 6.19 */
	{ "arm64", "6.16", &arm64_6_16_ops },
	{ "arm64", "6.17", &arm64_6_16_ops },
	{ "arm64", "7.0", &arm64_7_0_ops },
	{ "arm64", "7.1", &arm64_7_0_ops },
	/* 6.16-6.19: batch->active; 7.0 is_lazy_mmu_mode_active() */
	{ "ppc64-hash", "6.16", &ppc64_hash_6_16_ops },
	{ "ppc64-hash", "6.17", &ppc64_hash_6_16_ops },
	{ "ppc64-hash", "7.0", &ppc64_hash_7_0_ops },
	{ "ppc64-hash", "7.1", &ppc64_hash_7_0_ops },
	/* 6.16-6.19: tb->active; 7.0 is_lazy_mmu_mode_active() */
	{ "sparc64", "6.16", &sparc64_6_16_ops },
	{ "sparc64", "6.17", &sparc64_6_16_ops },
	{ "sparc64", "7.0", &sparc64_7_0_ops },
	{ "sparc64", "7.1", &sparc64_7_0_ops },
	/* xen-pv: mmu_pv.c unchanged for lazy MMU between 6.16 and 6.19 */
	{ "xen-pv", "6.16", &xen_pv_6_16_ops },
	{ "xen-pv", "6.17", &xen_pv_6_16_ops },
	{ "xen-pv", "7.0", &xen_pv_7_0_ops },
	{ "xen-pv", "7.1", &xen_pv_7_1_ops },
	/* s390: no lazy MMU mode in mainline 6.16 .. 7.1 */
	{ "s390", "6.16", &s390_ops },
	{ "s390", "6.17", &s390_ops },
	{ "s390", "7.0", &s390_ops },
	{ "s390", "7.1", &s390_ops },
	/* Gordeev's series on 7.1 (sim_kernel_labels[]) */
	{ "s390", "7.1+lazy-v6", &s390_lazy_v6_ops },
};

/*
 * The model of @name as in @kernel; NULL if there is none. A model of
 * every version (generic) is not one of a proposed series' label.
 */
const struct sim_arch_ops *sim_arch_find(const char *name, const char *kernel)
{
	bool label = SIM_KERNEL_SERIES(sim_kernel_parse(kernel)) != 0;

	for (size_t i = 0; i < sizeof(sim_arches) / sizeof(sim_arches[0]); i++)
		if (!strcmp(sim_arches[i].arch, name) &&
		    ((!sim_arches[i].kernel && !label) ||
		     (sim_arches[i].kernel &&
		      !strcmp(sim_arches[i].kernel, kernel))))
			return sim_arches[i].ops;
	return NULL;
}
