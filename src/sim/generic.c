// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The generic lazy MMU layer of each design (sim_designs[] in registry.c),
 * and the machine as the core's embedder.
 *
 * v7.0:        include/linux/pgtable.h calls into the core (src/core),
 *              which calls back through sim_embedder (5ab246749569).
 * passthrough: before 7.0 the generic calls are the arch hooks themselves
 *              (arch_enter_lazy_mmu_mode() / arch_leave_lazy_mmu_mode(); a
 *              pause was open-coded as leave + enter, as mm/kasan/shadow.c
 *              did in 6.17).
 * noflush:     hypothetical: the core, except that a nested disable calls
 *              no hook (the core would call arch_flush_lazy_mmu_mode()).
 * off:         !CONFIG_ARCH_HAS_LAZY_MMU_MODE: the calls are empty.
 *
 * Whatever the design, the machine also records what callers meant (the
 * sections they opened and where), for the sanitizer and for counting
 * updates paid at once inside a section.
 */
#include <stdio.h>

#include "sim/arch.h"
#include "sim/hostsan.h"
#include "sim/sim.h"

/* (events only counted are counted in place, not built: the checker) */
static void lazy_call(const char *what, enum sim_lazy_call call)
{
	struct sim_event ev = { .type = SIM_EV_LAZY_CALL, .what = what };

	if (sim_count_in_place(sim_this, SIM_EV_LAZY_CALL))
		return;
	ev.arg = call;
	sim_emit(&ev);
}

/* Entry to an arch hook: a scheduling point, an event, the model's hook. */
static void hook(const char *what, void (*fn)(void))
{
	sim_sched_point_touch(SIM_TOUCH_LAZY, current);
	if (!sim_count_in_place(sim_this, SIM_EV_LAZY_HOOK)) {
		struct sim_event ev = { .type = SIM_EV_LAZY_HOOK,
					.what = what };

		sim_emit(&ev);
	}
	if (fn)
		fn();
}

/* The ranged enter, with the range lazy_mmu_mode_enable_with_ptes() gave. */
static void enter_for_pte_range(void)
{
	struct task_struct *t = current;

	sim_this->arch->arch_enter_lazy_mmu_mode_for_pte_range(
		t->lazy_ptes.mm, t->lazy_ptes.addr, t->lazy_ptes.end,
		t->lazy_ptes.ptep);
}

/*
 * The enter hook: the ranged one when the task is in
 * lazy_mmu_mode_enable_with_ptes() and the arch has it (never for an
 * interrupt handler, whose current is the task it interrupted).
 */
static void hook_enter(void)
{
	if (!in_interrupt() && current->lazy_ptes.ptep &&
	    sim_this->arch->arch_enter_lazy_mmu_mode_for_pte_range) {
		hook("arch_enter_lazy_mmu_mode_for_pte_range",
		     enter_for_pte_range);
		return;
	}
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

/* ---- the designs ------------------------------------------------------------ */

/*
 * One table of the four calls and the query per design, indexed by
 * enum sim_lazy_layer. SIM_LAZY_OFF has none: the calls return first.
 */
struct lazy_layer_ops {
	void (*enable)(void);
	void (*disable)(void);
	void (*pause)(void);
	void (*resume)(void);
	bool (*active)(void);
	/* @t's saved state, whatever the context (at context switch) */
	bool (*task_active)(const struct task_struct *t);
};

/*
 * passthrough: the hooks, whatever the nesting. What is "active" is what
 * the arch's own flag would say (arm64 TIF_LAZY_MMU in 6.16, Ryan Roberts'
 * proposed arch_in_lazy_mmu_mode(), "[RFC PATCH v1 4/6]", 2025-05-30): set
 * by an enter, cleared by any leave, so a nested leave ends it as
 * 1ef3095b1405 does on arm64. Interrupts neither change nor see it.
 */
static void passthrough_enter(void)
{
	if (!in_interrupt())
		current->lazy_entered = true;
	hook_enter();
}

static void passthrough_leave(void)
{
	if (!in_interrupt())
		current->lazy_entered = false;
	hook_leave();
}

static bool passthrough_active(void)
{
	return !in_interrupt() && current->lazy_entered;
}

static bool passthrough_task_active(const struct task_struct *t)
{
	return t->lazy_entered;
}

static void core_enable(void)
{
	(lazy_mmu_mode_enable)();
}

static void core_disable(void)
{
	(lazy_mmu_mode_disable)();
}

static void core_pause(void)
{
	(lazy_mmu_mode_pause)();
}

static void core_resume(void)
{
	(lazy_mmu_mode_resume)();
}

static bool core_active(void)
{
	return (is_lazy_mmu_mode_active)();
}

static bool core_task_active(const struct task_struct *t)
{
	return __task_lazy_mmu_mode_active(&t->lazy_mmu_state);
}

/*
 * noflush: a nested disable (outside interrupts, not paused, the count
 * staying above 0) only drops the count; every other case is the core's,
 * warnings included.
 */
static void noflush_disable(void)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	if (!in_interrupt() && state->pause_count == 0 &&
	    state->enable_count > 1) {
		state->enable_count--;
		return;
	}
	(lazy_mmu_mode_disable)();
}

static const struct lazy_layer_ops layers[SIM_LAZY_NR] = {
	[SIM_LAZY_DIRECT] = { .enable = passthrough_enter,
			      .disable = passthrough_leave,
			      .pause = passthrough_leave,
			      .resume = passthrough_enter,
			      .active = passthrough_active,
			      .task_active = passthrough_task_active },
	[SIM_LAZY_NESTING] = { .enable = core_enable,
			       .disable = core_disable,
			       .pause = core_pause,
			       .resume = core_resume,
			       .active = core_active,
			       .task_active = core_task_active },
	[SIM_LAZY_NOFLUSH] = { .enable = core_enable,
			       .disable = noflush_disable,
			       .pause = core_pause,
			       .resume = core_resume,
			       .active = core_active,
			       .task_active = core_task_active },
};

static const struct lazy_layer_ops *layer(void)
{
	enum sim_lazy_layer l = sim_this->opt.lazy;

	return l > SIM_LAZY_OFF && l < SIM_LAZY_NR ? &layers[l] : NULL;
}

/* ---- the calls kernel code makes ------------------------------------------------ */

/*
 * The call site that opens the section is the site of the enable call
 * itself (SIM_SITE_CALL() in the lazy_mmu_mode_enable() macro).
 */
void sim_lazy_mmu_mode_enable(void)
{
	const struct lazy_layer_ops *ops = layer();
	const struct sim_site *site = sim_this->site;
	struct task_struct *t = current;

	if (!ops)
		return;
	if (!in_interrupt()) {
		if (t->lazy_sections < SIM_MAX_SECTION_DEPTH) {
			t->section[t->lazy_sections].func =
				site ? site->func : "?";
			t->section[t->lazy_sections].file =
				site ? site->file : "?";
			t->section[t->lazy_sections].line =
				site ? site->line : 0;
		}
		t->lazy_sections++;
	}
	lazy_call("lazy_mmu_mode_enable", SIM_LAZY_ENABLE);
	ops->enable();
}

/*
 * lazy_mmu_mode_enable_with_ptes() (Gordeev, "mm: make lazy MMU mode
 * context-aware", RFC 2026-03-25, renamed from lazy_mmu_mode_enable_pte()
 * and lazy_mmu_mode_enable_for_pte_range() in v3): the enable of the design
 * in force, whose outermost enter hook is the arch's ranged one if it has
 * one. A nested enable calls no hook (v7.0), so its range is dropped.
 */
void sim_lazy_mmu_mode_enable_with_ptes(struct mm_struct *mm,
					unsigned long addr, unsigned long end,
					pte_t *ptep)
{
	struct task_struct *t = current;

	if (in_interrupt()) {
		sim_lazy_mmu_mode_enable();
		return;
	}
	t->lazy_ptes.mm = mm;
	t->lazy_ptes.addr = addr;
	t->lazy_ptes.end = end;
	t->lazy_ptes.ptep = ptep;
	sim_lazy_mmu_mode_enable();
	t->lazy_ptes.ptep = NULL;
}

void sim_lazy_mmu_mode_disable(void)
{
	const struct lazy_layer_ops *ops = layer();
	struct task_struct *t = current;

	if (!ops)
		return;
	lazy_call("lazy_mmu_mode_disable", SIM_LAZY_DISABLE);
	ops->disable();
	if (!in_interrupt() && t->lazy_sections > 0)
		t->lazy_sections--;
}

void sim_lazy_mmu_mode_pause(void)
{
	const struct lazy_layer_ops *ops = layer();
	struct task_struct *t = current;

	if (!ops)
		return;
	lazy_call("lazy_mmu_mode_pause", SIM_LAZY_PAUSE);
	ops->pause();
	if (!in_interrupt())
		t->lazy_paused++;
}

void sim_lazy_mmu_mode_resume(void)
{
	const struct lazy_layer_ops *ops = layer();
	struct task_struct *t = current;

	if (!ops)
		return;
	lazy_call("lazy_mmu_mode_resume", SIM_LAZY_RESUME);
	if (!in_interrupt() && t->lazy_paused > 0)
		t->lazy_paused--;
	ops->resume();
}

/*
 * is_lazy_mmu_mode_active() as models see it: the design's answer; false
 * when the kernel has no lazy MMU mode.
 *
 * The core's designs answer without a call: the core's
 * is_lazy_mmu_mode_active() (include/lazymmu/lazy_mmu.h) is
 * !lazy_mmu_in_interrupt() && __task_lazy_mmu_mode_active() of
 * lazy_mmu_current_state(), and while a machine runs its embedder is
 * sim_embedder, whose two hooks are in_interrupt() and &current's state:
 * the same answer, without the three calls through the embedder (arm64
 * asks it at every kernel PTE store). The sanitized builds (every test)
 * also ask the core and stop on a difference, so the core stays in the
 * loop.
 */
bool sim_is_lazy_mmu_mode_active(void)
{
	struct sim_machine *m = sim_this;
	enum sim_lazy_layer l = m->opt.lazy;

	if (l == SIM_LAZY_NESTING || l == SIM_LAZY_NOFLUSH) {
		const struct sim_cpu *cpu = m->cur_cpu;
		bool active =
			!cpu->irq_depth &&
			__task_lazy_mmu_mode_active(&cpu->curr->lazy_mmu_state);

#ifdef SIM_ASAN
		if (active != core_active())
			sim_fail("is_lazy_mmu_mode_active(): the core says %d,"
				 " the machine %d",
				 !active, active);
#endif
		return active;
	}
	return l == SIM_LAZY_DIRECT && passthrough_active();
}

/*
 * __task_lazy_mmu_mode_active() of @t as models see it (Xen's switch-in
 * asks it of next): the core's counters, or passthrough's flag, whose
 * kernels had no counters (the core's would read 0).
 */
bool sim_task_lazy_mmu_mode_active(const struct task_struct *t)
{
	const struct lazy_layer_ops *ops = layer();

	return ops && ops->task_active(t);
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
