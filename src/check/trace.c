// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The trace writer (see trace.h). Time is logical: one microsecond per
 * machine event, so that every event has its own tick and the order on
 * screen is the order in which the machine ran them.
 */
#include <stdlib.h>

#include "check/trace.h"

#define TRACE_DEFERRED_TID 100 /* + CPU: the deferred-work track */

struct trace_writer {
	FILE *f;
	unsigned long ts;
	unsigned long nr;
	int nr_cpus;
};

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

static void args_begin(struct trace_writer *t, const struct sim_event *ev)
{
	fprintf(t->f, ",\"args\":{\"task\":\"%s\"",
		ev->task ? ev->task->comm : "");
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
			site = ev->task ? sim_section_site(ev->task) : NULL;
			head(t, "B", "lazy section", ev->cpu);
			args_begin(t, ev);
			fprintf(t->f, ",\"opened by\":\"%s\"}",
				site ? site->func : "");
		} else if (ev->arg == SIM_LAZY_DISABLE) {
			head(t, "E", "lazy section", ev->cpu);
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
		instant(t, ev->flag ? "PTE write (hidden)" : "PTE write",
			ev->cpu);
		args_begin(t, ev);
		fprintf(t->f, ",\"addr\":\"%#lx\",\"old\":\"%#llx\","
			"\"new\":\"%#llx\"}", ev->addr,
			(unsigned long long)ev->old,
			(unsigned long long)ev->new);
		if (ev->flag) {
			end(t);
			head(t, "b", "deferred store", TRACE_DEFERRED_TID + ev->cpu);
			fprintf(t->f, ",\"cat\":\"deferred\",\"id\":\"%p\","
				"\"args\":{\"addr\":\"%#lx\"}", (void *)ev->ptep,
				ev->addr);
		}
		break;
	case SIM_EV_PTE_VISIBLE:
		head(t, "e", "deferred store", TRACE_DEFERRED_TID + ev->cpu);
		fprintf(t->f, ",\"cat\":\"deferred\",\"id\":\"%p\"",
			(void *)ev->ptep);
		break;
	case SIM_EV_TLB_INVAL:
		instant(t, ev->arg ? "TLB invalidate page" : "TLB invalidate all",
			ev->cpu);
		fprintf(t->f, ",\"args\":{\"addr\":\"%#lx\"}", ev->addr);
		break;
	case SIM_EV_TLB_FLUSH_CALL:
		instant(t, ev->what, ev->cpu);
		fprintf(t->f, ",\"args\":{\"start\":\"%#lx\",\"pages\":%ld}",
			ev->addr, ev->arg);
		break;
	case SIM_EV_FAULT:
		instant(t, ev->flag ? "spurious fault" : "fault", ev->cpu);
		args_begin(t, ev);
		fprintf(t->f, ",\"addr\":\"%#lx\"}", ev->addr);
		break;
	case SIM_EV_IRQ_ENTER:
		head(t, "B", "interrupt", ev->cpu);
		break;
	case SIM_EV_IRQ_EXIT:
		head(t, "E", "interrupt", ev->cpu);
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
	case SIM_EV_ACCESS:
	case SIM_EV_PAGE_ALLOC:
	case SIM_EV_PAGE_FREE:
	case SIM_EV_HYPERCALL:
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
	t->f = f;
	t->nr_cpus = (int)m->opt.nr_cpus;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
	for (int c = 0; c < t->nr_cpus; c++) {
		fprintf(f, "%s{\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
			"\"name\":\"thread_name\",\"args\":{\"name\":\"CPU%d\"}}",
			t->nr++ ? ",\n" : "", c, c);
		fprintf(f, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
			"\"name\":\"thread_name\",\"args\":{\"name\":"
			"\"CPU%d deferred\"}}", TRACE_DEFERRED_TID + c, c);
	}
	o.priv = t;
	sim_add_observer(m, &o);
	return t;
}

unsigned long trace_finish(struct trace_writer *t)
{
	unsigned long nr = t->nr;

	fputs("\n]}\n", t->f);
	free(t);
	return nr;
}
