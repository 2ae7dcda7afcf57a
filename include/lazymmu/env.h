/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * lazymmu: the hooks an embedder of the generic lazy MMU layer provides.
 *
 * The core (src/core/) calls these and nothing else. In Linux they are
 * &current->lazy_mmu_state, in_interrupt(), the three arch hooks of
 * <asm/pgtable.h> and VM_WARN_ON_ONCE(). Each is called only from the task
 * whose state is being changed (the core never touches another task).
 */
#ifndef _LAZYMMU_ENV_H
#define _LAZYMMU_ENV_H

#include <stdbool.h>

struct lazy_mmu_state;

/*
 * lazy_mmu_current_state() - the current task's lazy MMU state.
 * pre:  called outside interrupt context (the core checks first).
 * post: returns a pointer to storage that lives as long as the task and is
 *       only ever changed by that task's own calls into the core.
 */
struct lazy_mmu_state *lazy_mmu_current_state(void);

/*
 * lazy_mmu_in_interrupt() - whether the caller runs in interrupt context
 * (hard or soft interrupt, NMI). In Linux: in_interrupt().
 */
bool lazy_mmu_in_interrupt(void);

/*
 * arch_enter_lazy_mmu_mode() - the mode becomes active for the current task.
 * pre:  the counters were already updated: the task's state is active.
 *       The embedder may be preempted between that update and this call
 *       (upstream does not disable preemption there).
 * post: the architecture may defer page-table updates.
 */
void arch_enter_lazy_mmu_mode(void);

/*
 * arch_leave_lazy_mmu_mode() - the mode stops being active.
 * pre:  the counters were already updated: the task's state is not active.
 * post: every deferred update has taken effect; later ones are not deferred.
 */
void arch_leave_lazy_mmu_mode(void);

/*
 * arch_flush_lazy_mmu_mode() - a nested section closed; the mode stays active.
 * pre:  the task's state is active.
 * post: every deferred update has taken effect; later ones may be deferred.
 */
void arch_flush_lazy_mmu_mode(void);

/*
 * lazy_mmu_warn() - report a misuse of the API (counter underflow or
 * overflow). @what names the call and the problem. Called on every misuse;
 * the embedder decides whether to print once (VM_WARN_ON_ONCE) or always.
 * The core has left the state unchanged and called no arch hook.
 */
void lazy_mmu_warn(const char *what);

#endif /* _LAZYMMU_ENV_H */
