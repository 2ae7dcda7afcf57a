/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * <stddef.h> for the lazymmu core built into Linux (make check-kunit):
 * NULL and offsetof from <linux/stddef.h>, size_t from <linux/types.h>.
 */
#ifndef _LAZYMMU_KUNIT_STDDEF_H
#define _LAZYMMU_KUNIT_STDDEF_H

#include <linux/stddef.h>
#include <linux/types.h>

#endif /* _LAZYMMU_KUNIT_STDDEF_H */
