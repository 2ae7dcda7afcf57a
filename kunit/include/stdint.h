/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * <stdint.h> for the lazymmu core built into Linux (make check-kunit).
 *
 * The kernel builds with -nostdinc and has no <stdint.h> of its own. The
 * compiler's would not do either: it types uint64_t as unsigned long on
 * x86-64 where <linux/types.h> has unsigned long long, and any file that
 * includes both (the glue, the KUnit suite) fails on the conflicting
 * typedefs. The core needs only uint8_t and UINT8_MAX from here
 * (docs/core.md, "Building it in"); the kernel has both, under its names.
 */
#ifndef _LAZYMMU_KUNIT_STDINT_H
#define _LAZYMMU_KUNIT_STDINT_H

#include <linux/limits.h>
#include <linux/types.h>

#ifndef UINT8_MAX
#define UINT8_MAX U8_MAX
#endif

#endif /* _LAZYMMU_KUNIT_STDINT_H */
