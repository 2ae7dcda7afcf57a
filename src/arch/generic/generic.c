// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * generic: x86 native (no PARAVIRT_XXL), any modelled version. The kernel
 * does not select ARCH_HAS_LAZY_MMU_MODE: the generic calls are empty and
 * every primitive takes the defaults of src/sim/arch.c.
 */
#include "sim/arch.h"

DEFINE_SIM_ARCH(generic_ops, .name = "generic", .kernel = "any",
		.models = "arch/x86/include/asm/pgtable.h, arch/x86/mm/tlb.c, "
			  "arch/x86/mm/pat/set_memory.c (native)",
		.lazy = SIM_LAZY_OFF);
