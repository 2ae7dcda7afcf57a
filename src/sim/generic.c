// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The generic lazy MMU layer as each kernel version has it, and the machine
 * as the core's embedder.
 *
 * 7.0+:   include/linux/pgtable.h calls into the core (src/core), which
 *         calls back through sim_embedder.
 * <7.0:   the generic calls are the arch hooks themselves
 *         (arch_enter_lazy_mmu_mode() / arch_leave_lazy_mmu_mode(); a pause
 *         was open-coded as leave + enter, as mm/kasan/shadow.c did).
 * off:    !CONFIG_ARCH_HAS_LAZY_MMU_MODE: the calls are empty.
 *
 * Whatever the version, the machine also records what callers meant (the
 * sections they opened and where), for the sanitizer and for counting
 * updates paid at once inside a section.
 */
#include <stdio.h>

#include "sim/arch.h"
#include "sim/sim.h"

static void lazy_call(const char *what, enum sim_lazy_call call)
{
	struct sim_event ev = { .type = SIM_EV_LAZY_CALL, .what = what };

	ev.arg = call;
	sim_emit(&ev);
}

/* Entry to an arch hook: a scheduling point, an event, the model's hook. */
static void hook(const char *what, void (*fn)(void))
{
	struct sim_event ev = { .type = SIM_EV_LAZY_HOOK, .what = what };

	sim_sched_point_touch(SIM_TOUCH_LAZY, current);
	sim_emit(&ev);
	if (fn)
		fn();
}

static void hook_enter(void)
{
	hook("arch_enter_lazy_mmu_mode",
	     sim_this->arch->arch_enter_lazy_mmu_mode);
}

static void hook_leave(void)
{
	hook("arch_leave_lazy_mmu_mode",
	     sim_this->arch->arch_leave_lazy_mmu_mode);
}

static void hook_flush(void)
{
	hook("arch_flush_lazy_mmu_mode",
	     sim_this->arch->arch_flush_lazy_mmu_mode);
}

void sim_lazy_mmu_mode_enable(const char *func, const char *file, int line)
{
	struct task_struct *t = current;

	if (sim_this->opt.lazy == SIM_LAZY_OFF)
		return;
	if (!in_interrupt()) {
		if (t->lazy_sections < SIM_MAX_SECTION_DEPTH) {
			t->section[t->lazy_sections].func = func;
			t->section[t->lazy_sections].file = file;
			t->section[t->lazy_sections].line = line;
		}
		t->lazy_sections++;
	}
	lazy_call("lazy_mmu_mode_enable", SIM_LAZY_ENABLE);
	if (sim_this->opt.lazy == SIM_LAZY_NESTING)
		(lazy_mmu_mode_enable)();
	else
		hook_enter();
}

void sim_lazy_mmu_mode_disable(void)
{
	struct task_struct *t = current;

	if (sim_this->opt.lazy == SIM_LAZY_OFF)
		return;
	lazy_call("lazy_mmu_mode_disable", SIM_LAZY_DISABLE);
	if (sim_this->opt.lazy == SIM_LAZY_NESTING)
		(lazy_mmu_mode_disable)();
	else
		hook_leave();
	if (!in_interrupt() && t->lazy_sections > 0)
		t->lazy_sections--;
}

void sim_lazy_mmu_mode_pause(void)
{
	struct task_struct *t = current;

	if (sim_this->opt.lazy == SIM_LAZY_OFF)
		return;
	lazy_call("lazy_mmu_mode_pause", SIM_LAZY_PAUSE);
	if (sim_this->opt.lazy == SIM_LAZY_NESTING)
		(lazy_mmu_mode_pause)();
	else
		hook_leave();
	if (!in_interrupt())
		t->lazy_paused++;
}

void sim_lazy_mmu_mode_resume(void)
{
	struct task_struct *t = current;

	if (sim_this->opt.lazy == SIM_LAZY_OFF)
		return;
	lazy_call("lazy_mmu_mode_resume", SIM_LAZY_RESUME);
	if (!in_interrupt() && t->lazy_paused > 0)
		t->lazy_paused--;
	if (sim_this->opt.lazy == SIM_LAZY_NESTING)
		(lazy_mmu_mode_resume)();
	else
		hook_enter();
}

/* ---- the embedder ------------------------------------------------------------ */

static struct lazy_mmu_state *emb_current_state(void *priv)
{
	(void)priv;
	return &current->lazy_mmu_state;
}

static bool emb_in_interrupt(void *priv)
{
	(void)priv;
	return in_interrupt();
}

static void emb_enter(void *priv)
{
	(void)priv;
	hook_enter();
}

static void emb_leave(void *priv)
{
	(void)priv;
	hook_leave();
}

static void emb_flush(void *priv)
{
	(void)priv;
	hook_flush();
}

static void emb_warn(void *priv, const char *what)
{
	struct sim_event ev = { .type = SIM_EV_WARN, .what = what };
	const struct sim_section *s = sim_section_site(current);

	(void)priv;
	sim_emit(&ev);
	sim_report("api-misuse", "CPU%d %s: %s%s%s", smp_processor_id(),
		   current->comm, what, s ? ", section opened in " : "",
		   s ? s->func : "");
}

const struct sim_embedder_ops sim_embedder = {
	.current_state = emb_current_state,
	.in_interrupt = emb_in_interrupt,
	.arch_enter = emb_enter,
	.arch_leave = emb_leave,
	.arch_flush = emb_flush,
	.warn = emb_warn,
};
