/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * <stdbool.h> for the lazymmu core built into Linux (make check-kunit): bool
 * is <linux/types.h>'s, true and false <linux/stddef.h>'s. The compiler's
 * would #define bool, true and false over the kernel's typedef and enum.
 */
#ifndef _LAZYMMU_KUNIT_STDBOOL_H
#define _LAZYMMU_KUNIT_STDBOOL_H

#include <linux/stddef.h>
#include <linux/types.h>

#endif /* _LAZYMMU_KUNIT_STDBOOL_H */
