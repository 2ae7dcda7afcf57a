/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The four API calls as values, for tests that pick calls at run time.
 */
#ifndef _LAZYMMU_TESTS_CORE_CALLS_H
#define _LAZYMMU_TESTS_CORE_CALLS_H

#include <lazymmu/lazy_mmu.h>

enum op { ENABLE, DISABLE, PAUSE, RESUME, NR_OPS };

static const char *const op_name[NR_OPS] = {
	[ENABLE] = "enable",
	[DISABLE] = "disable",
	[PAUSE] = "pause",
	[RESUME] = "resume",
};

/* call() - make the API call @op names. */
static inline void call(enum op op)
{
	switch (op) {
	case ENABLE:
		lazy_mmu_mode_enable();
		break;
	case DISABLE:
		lazy_mmu_mode_disable();
		break;
	case PAUSE:
		lazy_mmu_mode_pause();
		break;
	case RESUME:
		lazy_mmu_mode_resume();
		break;
	case NR_OPS:
		break;
	}
}

#endif /* _LAZYMMU_TESTS_CORE_CALLS_H */
