/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Which host sanitizer the machine is built with, and what it must be told:
 * coroutine stack switches (machine.c) and which bytes of machine-owned
 * memory are live (kmem.c). Empty in a release build.
 */
#ifndef _LAZYMMU_SIM_HOSTSAN_H
#define _LAZYMMU_SIM_HOSTSAN_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define SIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIM_TSAN 1
#endif
#endif

#ifdef SIM_ASAN
#include <sanitizer/asan_interface.h>
#define sim_poison(p, n) __asan_poison_memory_region((p), (n))
#define sim_unpoison(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define sim_poison(p, n) ((void)(p), (void)(n))
#define sim_unpoison(p, n) ((void)(p), (void)(n))
#endif
#ifdef SIM_TSAN
#include <sanitizer/tsan_interface.h>
#endif

#endif /* _LAZYMMU_SIM_HOSTSAN_H */
