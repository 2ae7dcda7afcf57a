// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * What the user-space workloads share: a process's address space built
 * as a program would (mmap() of an anonymous private VMA, each page
 * faulted in by a store: mm/mmap.c, mm/memory.c handle_mm_fault()), the
 * other CPUs' threads that read and write the pages while the kernel
 * path changes them, and the checks that the path did what it must.
 *
 * The threads of the other CPUs use probes that handle no fault: a fault
 * there is what a thread of the process would see (SIGSEGV on an
 * unmapped or read-only page), expected, not a finding. They store into
 * a page only the token it already holds, so they never change what the
 * first task checks; what they can reach through a stale translation is
 * what the sanitizer judges.
 */
#include "mm/mm.h"
#include "sim/arch.h"

bool lmm_user_first(void)
{
	return smp_processor_id() == 0;
}

static struct lmm_user_run *user_run(void)
{
	struct sim_machine *m = sim_machine();

	if (!m->workload)
		m->workload = kzalloc(sizeof(struct lmm_user_run), GFP_KERNEL);
	return m->workload;
}

struct lmm_user_run *lmm_user_publish(struct mm_struct *mm, unsigned long start,
				      unsigned long pages)
{
	struct lmm_user_run *run = user_run();

	run->mm = mm;
	run->start = start;
	run->pages = pages;
	return run;
}

/* lmm_user_done() - the path is over: the other CPUs' threads stop. */
static void user_done(void)
{
	user_run()->done = true;
}

struct mm_struct *lmm_user_setup(unsigned long pages, unsigned long vm_flags)
{
	struct mm_struct *mm = sim_mm_alloc("user");
	unsigned long end = LMM_USER_BASE + pages * PAGE_SIZE;

	if (!mm || !sim_vma_add(mm, LMM_USER_BASE, end, vm_flags | VM_READ)) {
		sim_report("bad-access", "%s: no user mm for %lu pages",
			   current->comm, pages);
		return NULL;
	}
	kthread_use_mm(mm);
	for (unsigned long addr = LMM_USER_BASE; addr < end; addr += PAGE_SIZE)
		if (!user_store(addr, lmm_token(addr))) {
			sim_report("bad-access",
				   "%s: the fault at %#lx populated nothing",
				   current->comm, addr);
			return NULL;
		}
	return mm;
}

void lmm_user_accessor(void)
{
	struct sim_machine *m = sim_machine();
	struct lmm_user_run *run;

	/* until the first task has built what it changes */
	while (!(run = m->workload) || (!run->pages && !run->done))
		cond_resched();
	while (!run->done) {
		if (run->mm && current->mm != run->mm)
			kthread_use_mm(run->mm);
		for (unsigned long i = 0; i < run->pages && !run->done; i++) {
			unsigned long addr = run->start + i * PAGE_SIZE;
			uint64_t v;

			if (sim_probe_load(addr, &v) && v == lmm_token(addr))
				sim_probe_store(addr, v);
		}
		run->passes++;
		cond_resched();
	}
	run->stopped++;
}

void lmm_user_check(const char *what, unsigned long start,
		    unsigned long token_base, unsigned long pages, bool want,
		    bool writable)
{
	for (unsigned long i = 0; i < pages; i++) {
		unsigned long addr = start + i * PAGE_SIZE;
		uint64_t want_v = lmm_token(token_base + i * PAGE_SIZE), v = 0;
		bool loaded = user_load(addr, &v);

		if (!want) {
			if (loaded)
				sim_report("bad-access",
					   "%s: %s: %#lx still reads %#llx",
					   current->comm, what, addr,
					   (unsigned long long)v);
			continue;
		}
		if (!loaded || v != want_v) {
			sim_report("bad-access",
				   "%s: %s: %#lx reads %s%#llx, not %#llx",
				   current->comm, what, addr,
				   loaded ? "" : "nothing (SIGSEGV) ",
				   (unsigned long long)v,
				   (unsigned long long)want_v);
			continue;
		}
		if (user_store(addr, v) != writable)
			sim_report("bad-access", "%s: %s: %#lx is %swritable",
				   current->comm, what, addr,
				   writable ? "not " : "");
	}
}

/*
 * The task of a user workload: the first CPU's builds its mm with @pages
 * pages, publishes them, runs @path, and checks; the others read and
 * write what it publishes meanwhile.
 */
void lmm_user_task(unsigned long pages, unsigned long vm_flags,
		   void (*path)(struct mm_struct *mm, unsigned long pages))
{
	struct mm_struct *mm;

	if (!lmm_user_first()) {
		lmm_user_accessor();
		return;
	}
	mm = lmm_user_setup(pages, vm_flags);
	if (mm) {
		lmm_user_publish(mm, LMM_USER_BASE, pages);
		lmm_user_wait_passes();
		path(mm, pages);
	}
	user_done();
}

/* The first task says the path is over (after its checks, if it likes). */
void lmm_user_done(void)
{
	user_done();
}

/*
 * So that the other CPUs' TLBs hold the pages' translations when the path
 * starts (a stale one is then there to be used, where the path leaves one).
 */
void lmm_user_wait_passes(void)
{
	struct lmm_user_run *run = user_run();

	while (run->passes < sim_machine()->opt.nr_cpus - 1)
		cond_resched();
}

void lmm_user_stop(void)
{
	struct lmm_user_run *run = user_run();

	run->done = true;
	while (run->stopped < sim_machine()->opt.nr_cpus - 1)
		cond_resched();
}

/*
 * Write a token to each of @pages kernel pages at @addr, then let the
 * other CPUs read and write them (lmm_user_accessor()) for their passes,
 * and stop them: what a caller's users do before it unmaps the pages.
 */
void lmm_kernel_share(unsigned long addr, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		sim_store(addr + i * PAGE_SIZE,
			  lmm_token(addr + i * PAGE_SIZE));
	lmm_user_publish(NULL, addr, pages);
	lmm_user_wait_passes();
	lmm_user_stop();
}
