// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The trace writer (see trace.h). Time is logical: one microsecond per
 * machine event, so that every event has its own tick and the order on
 * screen is the order in which the machine ran them.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check/trace.h"

#define TRACE_DEFERRED_TID 100 /* + CPU: the deferred-work track */
#define TRACE_TASK_TID 1000 /* + pid: the task's lazy sections */
#define TRACE_MAX_NAMED 4096

struct trace_writer {
	struct sim_machine *m;
	FILE *f;
	unsigned long ts;
	unsigned long nr;
	int nr_cpus;
	uint8_t named[TRACE_MAX_NAMED / 8]; /* task tracks already named */
	/* slices begun and not ended, closed by a run that stops early */
	int open_irq[SIM_MAX_CPUS];
	struct open_section {
		int tid;
		int cpu;
	} * open_sections;
	size_t nr_open, cap_open;
};

static void open_section(struct trace_writer *t, int tid, int cpu)
{
	if (t->nr_open == t->cap_open) {
		t->cap_open = t->cap_open ? 2 * t->cap_open : 16;
		t->open_sections =
			realloc(t->open_sections,
				t->cap_open * sizeof(*t->open_sections));
		if (!t->open_sections)
			abort();
	}
	t->open_sections[t->nr_open].tid = tid;
	t->open_sections[t->nr_open++].cpu = cpu;
}

/* The innermost open section of track @tid ends. */
static void close_section(struct trace_writer *t, int tid)
{
	for (size_t i = t->nr_open; i-- > 0;) {
		if (t->open_sections[i].tid == tid) {
			t->open_sections[i] = t->open_sections[--t->nr_open];
			return;
		}
	}
}

static void name_track(struct trace_writer *t, int tid, const char *name)
{
	fprintf(t->f,
		"%s{\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
		"\"name\":\"thread_name\",\"args\":{\"name\":\"%s\"}}",
		t->nr++ ? ",\n" : "", tid, name);
}

/* The track of @task's sections (named the first time it is used). */
static int task_track(struct trace_writer *t, const struct task_struct *task)
{
	int pid = task->pid;

	if (pid < TRACE_MAX_NAMED && !(t->named[pid / 8] & (1U << (pid % 8)))) {
		char name[40];

		t->named[pid / 8] |= (uint8_t)(1U << (pid % 8));
		snprintf(name, sizeof(name), "task %s", task->comm);
		name_track(t, TRACE_TASK_TID + pid, name);
	}
	return TRACE_TASK_TID + pid;
}

static void head(struct trace_writer *t, const char *ph, const char *name,
		 int tid)
{
	fprintf(t->f, "%s{\"ph\":\"%s\",\"pid\":1,\"tid\":%d,\"ts\":%lu,",
		t->nr++ ? ",\n" : "", ph, tid, t->ts);
	fprintf(t->f, "\"name\":\"%s\"", name);
}

static void end(struct trace_writer *t)
{
	fputc('}', t->f);
}

static void instant(struct trace_writer *t, const char *name, int tid)
{
	head(t, "i", name, tid);
	fputs(",\"s\":\"t\"", t->f);
}

/* The model's call that caused @ev, as an arg: "func file:line". */
static void site_arg(struct trace_writer *t, const struct sim_event *ev)
{
	if (ev->site)
		fprintf(t->f, ",\"site\":\"%s %s:%d\"", ev->site->func,
			ev->site->file, ev->site->line);
}

static void args_begin(struct trace_writer *t, const struct sim_event *ev)
{
	fprintf(t->f, ",\"args\":{\"task\":\"%s\"",
		ev->task ? ev->task->comm : "");
	site_arg(t, ev);
}

/* @s as a JSON string (a finding's message may hold any character). */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * A finding: an instant on the CPU's track named after its kind, global in
 * scope so that it stands out across every track.
 */
static void finding(struct trace_writer *t, const struct sim_event *ev)
{
	const struct sim_finding *f = ev->finding;

	head(t, "i", f->kind, ev->cpu);
	fputs(",\"s\":\"g\",\"cat\":\"finding\",\"args\":{\"kind\":", t->f);
	json_string(t->f, f->kind);
	fputs(",\"message\":", t->f);
	json_string(t->f, f->message);
	if (f->have & SIM_FINDING_ADDR)
		fprintf(t->f, ",\"addr\":\"%#lx\"", f->addr);
	fputc('}', t->f);
}

/* An entry's simulated physical address: a stable id across runs. */
static unsigned long entry_pa(const pte_t *ptep)
{
	return (unsigned long)((const uint8_t *)ptep - sim_machine()->mem);
}

static void trace_event(void *priv, const struct sim_event *ev)
{
	struct trace_writer *t = priv;
	const struct sim_section *site;

	unsigned long nr = t->nr;

	t->ts++;
	switch (ev->type) {
	case SIM_EV_LAZY_CALL:
		if (ev->arg == SIM_LAZY_ENABLE) {
			site = sim_section_site(ev->task);
			head(t, "B", "lazy section", task_track(t, ev->task));
			open_section(t, task_track(t, ev->task), ev->cpu);
			fprintf(t->f,
				",\"args\":{\"opened by\":\"%s\","
				"\"cpu\":%d",
				site ? site->func : "", ev->cpu);
			site_arg(t, ev);
			fputc('}', t->f);
		} else if (ev->arg == SIM_LAZY_DISABLE) {
			head(t, "E", "lazy section", task_track(t, ev->task));
			close_section(t, task_track(t, ev->task));
		} else {
			instant(t, ev->what, ev->cpu);
		}
		break;
	case SIM_EV_LAZY_HOOK:
	case SIM_EV_BARRIER:
	case SIM_EV_BATCH_FLUSH:
	case SIM_EV_SWITCH:
	case SIM_EV_WARN:
		instant(t, ev->what, ev->cpu);
		args_begin(t, ev);
		fputs("}", t->f);
		break;
	case SIM_EV_PTE_WRITE:
		instant(t,
			ev->arg == SIM_PT_DEFERRED  ? "PTE write (deferred)" :
			ev->arg == SIM_PT_IN_FLIGHT ? "PTE write (in flight)" :
						      "PTE write",
			ev->cpu);
		args_begin(t, ev);
		fprintf(t->f,
			",\"addr\":\"%#lx\",\"old\":\"%#llx\","
			"\"new\":\"%#llx\"}",
			ev->addr, (unsigned long long)ev->old,
			(unsigned long long)ev->new);
		if (ev->flag) {
			end(t);
			head(t, "b", "deferred store",
			     TRACE_DEFERRED_TID + ev->cpu);
			fprintf(t->f,
				",\"cat\":\"deferred\",\"id\":\"%#lx\","
				"\"args\":{\"addr\":\"%#lx\"}",
				entry_pa(ev->ptep), ev->addr);
		}
		break;
	case SIM_EV_PTE_VISIBLE:
		head(t, "e", "deferred store", TRACE_DEFERRED_TID + ev->cpu);
		fprintf(t->f, ",\"cat\":\"deferred\",\"id\":\"%#lx\"",
			entry_pa(ev->ptep));
		break;
	case SIM_EV_TLB_INVAL:
		instant(t,
			ev->arg ? "TLB invalidate page" : "TLB invalidate all",
			ev->cpu);
		fprintf(t->f, ",\"args\":{\"addr\":\"%#lx\"", ev->addr);
		site_arg(t, ev);
		fputc('}', t->f);
		break;
	case SIM_EV_TLB_FLUSH_CALL:
		instant(t, ev->what, ev->cpu);
		fprintf(t->f, ",\"args\":{\"start\":\"%#lx\",\"pages\":%ld",
			ev->addr, ev->arg);
		site_arg(t, ev);
		fputc('}', t->f);
		break;
	case SIM_EV_FAULT:
		instant(t, ev->flag ? "spurious fault" : "fault", ev->cpu);
		args_begin(t, ev);
		fprintf(t->f, ",\"addr\":\"%#lx\"}", ev->addr);
		break;
	case SIM_EV_IRQ_ENTER:
		head(t, "B", "interrupt", ev->cpu);
		t->open_irq[ev->cpu]++;
		break;
	case SIM_EV_IRQ_EXIT:
		head(t, "E", "interrupt", ev->cpu);
		t->open_irq[ev->cpu]--;
		break;
	case SIM_EV_SLEEP:
		instant(t, "might_sleep", ev->cpu);
		break;
	case SIM_EV_UNBATCHED:
		instant(t, "unbatched update in section", ev->cpu);
		break;
	case SIM_EV_TASK_EXIT:
		instant(t, "task exit", ev->cpu);
		args_begin(t, ev);
		fputs("}", t->f);
		break;
	case SIM_EV_DEFERRED_QUEUED:
	case SIM_EV_DEFERRED_PAID:
		/* the model's deferred work, as its own actor */
		instant(t,
			ev->type == SIM_EV_DEFERRED_QUEUED ? "deferred queued" :
							     "deferred paid",
			TRACE_DEFERRED_TID + ev->cpu);
		args_begin(t, ev);
		fprintf(t->f, ",\"queue\":\"%s\",\"n\":%ld", ev->what, ev->arg);
		if (ev->ptep)
			fprintf(t->f, ",\"addr\":\"%#lx\",\"new\":\"%#llx\"",
				ev->addr, (unsigned long long)ev->new);
		fputs("}", t->f);
		break;
	case SIM_EV_SWITCH_MM:
		instant(t, "switch_mm", ev->cpu);
		fprintf(t->f, ",\"args\":{\"mm\":\"%s\"}",
			ev->what ? ev->what : "");
		break;
	case SIM_EV_FINDING:
		finding(t, ev);
		break;
	case SIM_EV_ACCESS:
	case SIM_EV_PAGE_ALLOC:
	case SIM_EV_PAGE_FREE:
	case SIM_EV_HYPERCALL:
	case SIM_EV_PTE_READ:
	case SIM_EV_NR:
		t->ts--; /* not drawn */
		break;
	}
	if (t->nr != nr)
		end(t);
}

struct trace_writer *trace_attach(struct sim_machine *m, FILE *f)
{
	struct trace_writer *t = calloc(1, sizeof(*t));
	struct sim_observer o = { .event = trace_event };

	if (!t)
		abort();
	t->m = m;
	t->f = f;
	t->nr_cpus = (int)m->opt.nr_cpus;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
	for (int c = 0; c < t->nr_cpus; c++) {
		char name[32];

		snprintf(name, sizeof(name), "CPU%d", c);
		name_track(t, c, name);
		snprintf(name, sizeof(name), "CPU%d deferred", c);
		name_track(t, TRACE_DEFERRED_TID + c, name);
	}
	o.priv = t;
	sim_add_observer(m, &o);
	return t;
}

/*
 * A run that stopped early (sim_stop(): a finding with stop_on_finding, a
 * deadlock) abandoned its tasks inside their sections, interrupts and
 * deferred stores: end those slices one tick after the last event, so that
 * the trace stays well formed.
 */
static void close_abandoned(struct trace_writer *t)
{
	const struct sim_machine *m = t->m;
	const struct sim_hidden *h;
	uint32_t i;
	int c;

	t->ts++;
	while (t->nr_open) {
		head(t, "E", "lazy section",
		     t->open_sections[t->nr_open - 1].tid);
		end(t);
		t->nr_open--;
	}
	for (c = 0; c < t->nr_cpus; c++) {
		for (; t->open_irq[c] > 0; t->open_irq[c]--) {
			head(t, "E", "interrupt", c);
			end(t);
		}
	}
	/* the stores still hidden: CPU 0's first, each CPU's in store order */
	for_each_hidden(m, c, i, h) {
		head(t, "e", "deferred store", TRACE_DEFERRED_TID + c);
		fprintf(t->f, ",\"cat\":\"deferred\",\"id\":\"%#lx\"",
			(unsigned long)((const uint8_t *)h->ptep - m->mem));
		end(t);
	}
}

unsigned long trace_finish(struct trace_writer *t)
{
	unsigned long nr;

	if (t->m->stopped)
		close_abandoned(t);
	nr = t->nr;
	fputs("\n]}\n", t->f);
	free(t->open_sections);
	free(t);
	return nr;
}
