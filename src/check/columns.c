// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * A counterexample in columns (see columns.h). One row per event that a
 * reader of a lazy MMU trace needs: page-table stores and reads, barriers,
 * TLB maintenance, accesses and faults, the generic calls (an enable shows
 * the call site that opened the section) and the arch hooks, switches,
 * interrupts, allocations, findings; deferred work in the last column.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check/columns.h"

void mc_columns_init(struct mc_columns *c, unsigned int nr_cpus,
		     uint64_t stop_at)
{
	memset(c, 0, sizeof(*c));
	c->nr_cpus = nr_cpus;
	c->stop_at = stop_at;
}

void mc_columns_free(struct mc_columns *c)
{
	free(c->rows);
	c->rows = NULL;
	c->nr_rows = c->cap_rows = 0;
}

static void row(struct mc_columns *c, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void row(struct mc_columns *c, int col, const char *fmt, ...)
{
	struct mc_row *r;
	va_list ap;

	if (c->nr_rows == c->cap_rows) {
		c->cap_rows = c->cap_rows ? 2 * c->cap_rows : 256;
		c->rows = realloc(c->rows, c->cap_rows * sizeof(*c->rows));
		if (!c->rows)
			abort();
	}
	r = &c->rows[c->nr_rows++];
	r->seq = c->events;
	r->col = col;
	r->site = c->site;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

static const char *const lazy_calls[] = {
	[SIM_LAZY_ENABLE] = "enable",
	[SIM_LAZY_DISABLE] = "disable",
	[SIM_LAZY_PAUSE] = "pause",
	[SIM_LAZY_RESUME] = "resume",
};

/* The file name without its directories: rows are narrow. */
static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}

static void columns_event(void *priv, const struct sim_event *ev)
{
	struct mc_columns *c = priv;
	const struct sim_section *site;
	int cpu = ev->cpu;
	unsigned long long o = (unsigned long long)ev->old;
	unsigned long long n = (unsigned long long)ev->new;

	if (c->stop_at && c->events >= c->stop_at)
		return;
	c->events++;
	c->site = ev->site;
	switch (ev->type) {
	case SIM_EV_PTE_WRITE:
		row(c, cpu, "pte %#lx %llx->%llx%s", ev->addr, o, n,
		    ev->arg == SIM_PT_DEFERRED	? " deferred" :
		    ev->arg == SIM_PT_IN_FLIGHT ? " in flight" :
						  "");
		break;
	case SIM_EV_PTE_VISIBLE:
		row(c, cpu, "visible %#lx = %llx", ev->addr, n);
		break;
	case SIM_EV_PTE_READ:
		row(c, cpu, "ptep_get %#lx = %llx", ev->addr, o);
		break;
	case SIM_EV_BARRIER:
	case SIM_EV_LAZY_HOOK:
	case SIM_EV_WARN:
		row(c, cpu, "%s%s", ev->type == SIM_EV_WARN ? "WARN " : "",
		    ev->what ? ev->what : "?");
		break;
	case SIM_EV_HYPERCALL:
		row(c, cpu, "hypercall %s", ev->what ? ev->what : "");
		break;
	case SIM_EV_BATCH_FLUSH:
		row(c, cpu, "batch flush %s", ev->what ? ev->what : "");
		break;
	case SIM_EV_TLB_INVAL:
		if (ev->arg)
			row(c, cpu, "tlbi %#lx (%ld)", ev->addr, ev->arg);
		else
			row(c, cpu, "tlbi all");
		break;
	case SIM_EV_TLB_FLUSH_CALL:
		row(c, cpu, "%s(%#lx, %ld)", ev->what ? ev->what : "flush",
		    ev->addr, ev->arg);
		break;
	case SIM_EV_ACCESS:
		row(c, cpu, "%s %#lx", ev->flag ? "store" : "load", ev->addr);
		break;
	case SIM_EV_FAULT:
		row(c, cpu, "%sfault %#lx", ev->flag ? "spurious " : "",
		    ev->addr);
		break;
	case SIM_EV_LAZY_CALL:
		/* an enable's site is the section's; else the task's */
		site = ev->arg == SIM_LAZY_ENABLE && !ev->site ?
			       sim_section_site(ev->task) :
			       NULL;
		if (site)
			row(c, cpu, "lazy_mmu_mode_enable() %s %s:%d",
			    site->func, base(site->file), site->line);
		else
			row(c, cpu, "lazy_mmu_mode_%s()",
			    ev->arg >= 0 && ev->arg <= SIM_LAZY_RESUME ?
				    lazy_calls[ev->arg] :
				    "?");
		break;
	case SIM_EV_SWITCH:
		row(c, cpu, "switch to %s", ev->what ? ev->what : "?");
		break;
	case SIM_EV_SWITCH_MM:
		row(c, cpu, "switch_mm %s", ev->what ? ev->what : "?");
		break;
	case SIM_EV_IRQ_ENTER:
		row(c, cpu, "irq enter");
		break;
	case SIM_EV_IRQ_EXIT:
		row(c, cpu, "irq exit");
		break;
	case SIM_EV_TASK_EXIT:
		row(c, cpu, "exit %s", ev->task ? ev->task->comm : "");
		break;
	case SIM_EV_PAGE_ALLOC:
		row(c, cpu, "alloc_page pfn %ld", ev->arg);
		break;
	case SIM_EV_PAGE_FREE:
		row(c, cpu, "free pfn %ld", ev->arg);
		break;
	case SIM_EV_DEFERRED_QUEUED:
		if (ev->ptep)
			row(c, -1, "CPU%d queues %s: %#lx = %llx", cpu,
			    ev->what ? ev->what : "", ev->addr, n);
		else
			row(c, -1, "CPU%d owes %s (%ld)", cpu,
			    ev->what ? ev->what : "", ev->arg);
		break;
	case SIM_EV_DEFERRED_PAID:
		row(c, -1, "CPU%d pays %s (%ld)", cpu, ev->what ? ev->what : "",
		    ev->arg);
		break;
	case SIM_EV_FINDING:
		row(c, cpu, ">> %s", ev->what ? ev->what : "finding");
		break;
	case SIM_EV_SLEEP:
	case SIM_EV_UNBATCHED:
	case SIM_EV_NR:
		break;
	}
}

struct sim_observer mc_columns_observer(struct mc_columns *c)
{
	struct sim_observer o = { .event = columns_event, .priv = c };

	return o;
}

/*
 * @s as "func file:line" in @buf, at most @width characters: a long
 * function name loses its end, never the file and line.
 */
static int site_format(const struct sim_site *s, char *buf, int width)
{
	char where[64];
	int n, room;

	if (!s) {
		buf[0] = '\0';
		return 0;
	}
	n = snprintf(where, sizeof(where), "%s:%d", base(s->file), s->line);
	room = width - n - 1;
	if (room < 1)
		room = 1;
	return snprintf(buf, (size_t)width + 1, "%.*s %s", room,
			s->func ? s->func : "?", where);
}

void mc_columns_print(const struct mc_columns *c, FILE *f, size_t max_rows,
		      const char *indent)
{
	unsigned int ncol = c->nr_cpus + 1;
	int w = ncol > 3 ? 34 : 44;
	int sw = 4; /* "site" */
	size_t first = 0;
	char name[16], site[MC_SITE_WIDTH + 1];

	if (max_rows && c->nr_rows > max_rows) {
		first = c->nr_rows - max_rows;
		fprintf(f, "%s(%zu earlier rows not shown)\n", indent, first);
	}
	/* the site column is as wide as the widest site shown */
	for (size_t i = first; i < c->nr_rows; i++) {
		int n = site_format(c->rows[i].site, site, MC_SITE_WIDTH);

		if (n > sw)
			sw = n > MC_SITE_WIDTH ? MC_SITE_WIDTH : n;
	}
	fprintf(f, "%s%6s  %-*s", indent, "event", sw, "site");
	for (unsigned int i = 0; i < ncol; i++) {
		if (i < c->nr_cpus)
			snprintf(name, sizeof(name), "CPU%u", i);
		else
			snprintf(name, sizeof(name), "deferred work");
		fprintf(f, "  %-*s", i + 1 < ncol ? w : 0, name);
	}
	fputc('\n', f);
	for (size_t i = first; i < c->nr_rows; i++) {
		const struct mc_row *r = &c->rows[i];
		unsigned int col =
			r->col < 0 ? c->nr_cpus : (unsigned int)r->col;

		site_format(r->site, site, sw);
		fprintf(f, "%s%6llu  %-*s", indent, (unsigned long long)r->seq,
			sw, site);
		for (unsigned int k = 0; k < col; k++)
			fprintf(f, "  %-*s", w, "");
		fprintf(f, "  %s\n", r->text);
	}
}
