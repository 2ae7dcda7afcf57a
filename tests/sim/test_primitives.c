// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The arch primitives the callers need, per model (generic, arm64 6.16,
 * arm64 7.0): atomic read-modify-writes raced on two CPUs under every
 * schedule of their first steps, set_ptes() and its barriers, pte_clear(),
 * ptep_modify_prot_start/commit(), set_pmd()/pmd_clear(), user mms with
 * VMAs reached through current->mm, flush_tlb_mm()/flush_tlb_page() by
 * ASID, the split PTE lock, and swap/migration entry encodings.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "mm/memory.h"
#include "simtest.h"

static struct simtest T;
static const char *arch, *kver;

#define KADDR (VMALLOC_START + 0x40000000UL)
#define UADDR 0x400000UL

/* ---- a policy that switches CPUs on the schedule given by a bit mask --- */

/*
 * Once armed, the k-th CPU choice switches to the other CPU if bit k of
 * sched_mask is set, and stays otherwise (and after 32 choices). The racing
 * calls take at most two steps each, so sweeping the masks of the first
 * NR_MASKS = 2^5 choices tries every interleaving of their steps.
 */
static unsigned int sched_mask, sched_k;
static bool sched_armed;

static unsigned int mask_choose(struct sim_policy *p, enum sim_choice what,
				unsigned int n, unsigned int cur,
				uint32_t allowed)
{
	unsigned int i = sim_set_rank(allowed, cur);

	(void)p;
	(void)n;
	if (what == SIM_CHOOSE_MIGRATE || what == SIM_CHOOSE_EVICT)
		return cur;
	if (what != SIM_CHOOSE_CPU)
		return 0;
	if (!sched_armed || sched_k >= 32)
		return sim_set_nth(allowed, i);
	if ((sched_mask >> sched_k++) & 1)
		i = (i + 1) % sim_set_count(allowed);
	return sim_set_nth(allowed, i);
}

static struct sim_policy mask_policy = { .choose = mask_choose };

static void race_init(unsigned int mask)
{
	struct sim_options opt = simtest_options(arch, kver, 2);

	opt.policy = &mask_policy;
	opt.nr_frames = 256; /* hundreds of machines: keep each small */
	sched_mask = mask;
	sched_k = 0;
	sched_armed = false;
	simtest_init_opt(&T, &opt);
}

/* Run @fn once on one CPU (a phase of a test). */
static void run_task(const char *comm, int cpu, void (*fn)(void *))
{
	sim_spawn(T.m, comm, cpu, fn, NULL);
	sim_run(T.m);
}

/* ---- atomic read-modify-write ------------------------------------------------ */

static struct mm_struct *umm;
static pte_t *uptep;
static unsigned long upfn;
static pte_t got[2];
static bool in_call[2], overlapped;

/* A user mm with one present entry at UADDR. */
static void setup_entry(void *arg)
{
	(void)arg;
	umm = sim_mm_alloc("race");
	upfn = alloc_page(GFP_KERNEL);
	uptep = sim_walk(umm, UADDR, 0, true);
	set_pte_at(umm, UADDR, uptep, pfn_pte(upfn, PAGE_USER_RW));
}

static void enter_call(void)
{
	int cpu = smp_processor_id();

	in_call[cpu] = true;
	overlapped |= in_call[!cpu];
}

static void clear_task(void *arg)
{
	int cpu = smp_processor_id();

	(void)arg;
	enter_call();
	got[cpu] = ptep_get_and_clear(umm, UADDR, uptep);
	in_call[cpu] = false;
}

static void wrprotect_task(void *arg)
{
	int cpu = smp_processor_id();

	(void)arg;
	enter_call();
	ptep_set_wrprotect(umm, UADDR, uptep);
	in_call[cpu] = false;
}

/*
 * One race: both CPUs call @fn0 and @fn1 at once, the CPU choices following
 * @mask. Returns the entry left in memory.
 */
static pte_t race(unsigned int mask, void (*fn0)(void *), void (*fn1)(void *))
{
	pte_t left;

	race_init(mask);
	run_task("setup", 0, setup_entry);
	got[0] = got[1] = 0;
	in_call[0] = in_call[1] = false;
	sim_spawn(T.m, "cpu0", 0, fn0, NULL);
	sim_spawn(T.m, "cpu1", 1, fn1, NULL);
	sched_armed = true;
	sim_run(T.m);
	left = *uptep;
	simtest_fini(&T);
	return left;
}

#define NR_MASKS 32

/* Two CPUs clear one present entry: exactly one gets the frame. */
static void test_get_and_clear_race(void)
{
	int bad = 0, nr_overlap = 0;

	for (unsigned int mask = 0; mask < NR_MASKS; mask++) {
		pte_t left;
		int winners;

		overlapped = false;
		left = race(mask, clear_task, clear_task);
		winners = pte_valid(got[0]) + pte_valid(got[1]);
		nr_overlap += overlapped;
		if (winners != 1 || pte_valid(left) ||
		    pte_pfn(got[0] | got[1]) != upfn) {
			if (!bad++)
				diag("schedule %#x: CPU0 got %#llx, CPU1 got "
				     "%#llx, left %#llx",
				     mask, (unsigned long long)got[0],
				     (unsigned long long)got[1],
				     (unsigned long long)left);
		}
	}
	ok(nr_overlap > 0, "%s %s: the calls overlapped in %d of %d schedules",
	   arch, kver, nr_overlap, NR_MASKS);
	ok(bad == 0,
	   "%s %s: racing ptep_get_and_clear(): exactly one CPU gets the "
	   "frame under every schedule (%d lost updates)",
	   arch, kver, bad);
}

/* A wrprotect racing a clear never brings the entry back. */
static void test_wrprotect_race(void)
{
	int bad = 0, nr_overlap = 0;

	for (unsigned int mask = 0; mask < NR_MASKS; mask++) {
		pte_t left;

		overlapped = false;
		left = race(mask, wrprotect_task, clear_task);
		nr_overlap += overlapped;
		if (pte_valid(left) || !pte_valid(got[1]) ||
		    pte_pfn(got[1]) != upfn) {
			if (!bad++)
				diag("schedule %#x: the clear got %#llx, "
				     "left %#llx",
				     mask, (unsigned long long)got[1],
				     (unsigned long long)left);
		}
	}
	ok(nr_overlap > 0,
	   "%s %s: wrprotect and clear overlapped in %d of %d schedules", arch,
	   kver, nr_overlap, NR_MASKS);
	ok(bad == 0,
	   "%s %s: ptep_set_wrprotect() racing ptep_get_and_clear() never "
	   "resurrects the entry (%d schedules did)",
	   arch, kver, bad);
}

/* One scheduling point per xchg; a failed cmpxchg stores nothing. */
static void rmw_task(void *arg)
{
	pte_t *ptep = sim_walk(umm, UADDR, 0, false);
	uint64_t points = sim_machine()->points;
	uint64_t writes = stat(&T, SIM_STAT_pte_writes);
	pte_t v = *ptep, cur;

	(void)arg;
	cur = sim_pt_xchg(ptep, 0, UADDR, SIM_PT_SEEN);
	ok(cur == v && *ptep == 0 && sim_machine()->points == points + 1 &&
		   stat(&T, SIM_STAT_pte_writes) == writes + 1,
	   "%s %s: sim_pt_xchg() returns the old entry, stores, one point",
	   arch, kver);
	cur = sim_pt_cmpxchg(ptep, v, v, UADDR, SIM_PT_SEEN);
	ok(cur == 0 && *ptep == 0 &&
		   stat(&T, SIM_STAT_pte_writes) == writes + 1,
	   "%s %s: a failed cmpxchg stores nothing and returns the entry", arch,
	   kver);
	cur = sim_pt_cmpxchg(ptep, 0, v, UADDR, SIM_PT_SEEN);
	ok(cur == 0 && *ptep == v &&
		   stat(&T, SIM_STAT_pte_writes) == writes + 2,
	   "%s %s: a successful cmpxchg stores", arch, kver);
	ptep_set_wrprotect(umm, UADDR, ptep);
	ok(*ptep == (v | PTE_RDONLY) && !pte_write(*ptep),
	   "%s %s: ptep_set_wrprotect() sets PTE_RDONLY, keeps the frame", arch,
	   kver);
}

/* ---- set_ptes(), pte_clear(), modify_prot, pmd ------------------------------------ */

static bool arm64(void)
{
	return !strcmp(arch, "arm64");
}

static void set_ptes_task(void *arg)
{
	struct sim_machine *m = sim_machine();
	pte_t *ptep = pte_offset_kernel_alloc(KADDR);
	unsigned long pfn[4];
	uint64_t b, w;
	bool consecutive = true;

	(void)arg;
	for (int i = 0; i < 4; i++) {
		pfn[i] = alloc_page(GFP_KERNEL);
		consecutive &= pfn[i] == pfn[0] + i;
		sim_phys_write(pfn[i] << PAGE_SHIFT, 100 + i);
	}
	ok(consecutive, "%s %s: four consecutive frames", arch, kver);
	b = stat(&T, SIM_STAT_barriers);
	w = stat(&T, SIM_STAT_pte_writes);
	set_ptes(&m->init_mm, KADDR, ptep, pfn_pte(pfn[0], PAGE_KERNEL), 4);
	ok(stat(&T, SIM_STAT_pte_writes) == w + 4,
	   "%s %s: set_ptes(4) stores four entries", arch, kver);
	ok(stat(&T, SIM_STAT_barriers) == b + (arm64() ? 2 : 0),
	   "%s %s: set_ptes(4) outside a section pays %d barriers once "
	   "(paid %llu)",
	   arch, kver, arm64() ? 2 : 0,
	   (unsigned long long)(stat(&T, SIM_STAT_barriers) - b));
	for (int i = 0; i < 4; i++)
		if (sim_load(KADDR + i * PAGE_SIZE) != (uint64_t)(100 + i))
			consecutive = false;
	ok(consecutive && stat(&T, SIM_STAT_faults) == 0,
	   "%s %s: entry i maps frame pfn + i", arch, kver);

	/* in a section: owed until the disable, then one pair */
	for (int i = 0; i < 4; i++)
		pte_clear(&m->init_mm, KADDR + i * PAGE_SIZE, ptep + i);
	ok(!pte_valid(ptep[0]) && !ptep[3], "%s %s: pte_clear() stores 0", arch,
	   kver);
	flush_tlb_kernel_range(KADDR, KADDR + 4 * PAGE_SIZE);
	b = stat(&T, SIM_STAT_barriers);
	lazy_mmu_mode_enable();
	set_ptes(&m->init_mm, KADDR, ptep, pfn_pte(pfn[0], PAGE_KERNEL), 4);
	ok(stat(&T, SIM_STAT_barriers) == b,
	   "%s %s: in a section set_ptes(4) pays nothing yet", arch, kver);
	lazy_mmu_mode_disable();
	ok(stat(&T, SIM_STAT_barriers) == b + (arm64() ? 2 : 0),
	   "%s %s: the disable pays one pair for the run", arch, kver);
	ok(findings(m, "deferred-access") == 0 &&
		   findings(m, "bad-access") == 0,
	   "%s %s: no findings", arch, kver);
}

static void modify_prot_task(void *arg)
{
	struct mm_struct *mm = sim_mm_alloc("mprotect");
	struct vm_area_struct *vma =
		sim_vma_add(mm, UADDR, UADDR + PAGE_SIZE, VM_READ | VM_WRITE);
	pte_t *ptep = sim_walk(mm, UADDR, 0, true);
	unsigned long pfn = alloc_page(GFP_KERNEL);
	struct mm_struct *saved = current->mm;
	pte_t old;

	(void)arg;
	set_ptes(mm, UADDR, ptep, pfn_pte(pfn, vma->vm_page_prot), 1);
	old = ptep_modify_prot_start(vma, UADDR, ptep);
	ok(old == pfn_pte(pfn, PAGE_USER_RW) && *ptep == 0,
	   "%s %s: ptep_modify_prot_start() returns the entry, clears it", arch,
	   kver);
	ptep_modify_prot_commit(vma, UADDR, ptep, old, pte_wrprotect(old));
	ok(*ptep == (old | PTE_RDONLY),
	   "%s %s: ptep_modify_prot_commit() stores the new entry", arch, kver);
	sim_phys_write(pfn << PAGE_SHIFT, 77);
	current->mm = mm;
	ok(sim_load(UADDR) == 77, "%s %s: the new entry translates", arch,
	   kver);
	current->mm = saved;
}

static void pmd_task(void *arg)
{
	struct mm_struct *mm = sim_mm_alloc("pmd");
	pte_t *pmdp = sim_walk(mm, UADDR, 1, true);
	unsigned long pfn = alloc_page(GFP_KERNEL);
	uint64_t b = stat(&T, SIM_STAT_barriers);

	(void)arg;
	memset(pfn_to_virt_raw(pfn), 0, PAGE_SIZE);
	sim_set_page_flags(pfn, sim_page_flags(pfn) | PG_pgtable);
	set_pmd(pmdp, pfn_pte(pfn, PAGE_KERNEL_TABLE), UADDR);
	ok(*pmdp == pfn_pte(pfn, PAGE_KERNEL_TABLE) &&
		   stat(&T, SIM_STAT_barriers) == b + (arm64() ? 2 : 0),
	   "%s %s: set_pmd() of a table: %s", arch, kver,
	   arm64() ? "dsb+isb (any valid pmd)" : "a plain store");
	b = stat(&T, SIM_STAT_barriers);
	pmd_clear(pmdp, UADDR);
	ok(*pmdp == 0 && stat(&T, SIM_STAT_barriers) == b,
	   "%s %s: pmd_clear() stores 0 with no barriers", arch, kver);
	sim_set_page_flags(pfn, sim_page_flags(pfn) & ~PG_pgtable);
	__free_page(pfn);
}

/* ---- user mms, VMAs, flushes by ASID ----------------------------------------- */

static void vma_task(void *arg)
{
	struct mm_struct *mm = sim_mm_alloc("vma");
	struct vm_area_struct *a, *b, *c;

	(void)arg;
	a = sim_vma_add(mm, 0x10000, 0x20000, VM_READ);
	c = sim_vma_add(mm, 0x40000, 0x50000, VM_READ | VM_WRITE);
	b = sim_vma_add(mm, 0x20000, 0x30000, VM_READ);
	ok(a && b && c && mm->map_count == 3 && mm->mmap == a &&
		   a->vm_next == b && b->vm_next == c && a->vm_mm == mm,
	   "VMAs are linked in address order");
	ok(!sim_vma_add(mm, 0x1f000, 0x21000, VM_READ) &&
		   !sim_vma_add(mm, 0x30000, 0x30000, VM_READ) &&
		   mm->map_count == 3,
	   "an overlapping or empty VMA is refused");
	ok(find_vma(mm, 0x0) == a && find_vma(mm, 0x1ffff) == a &&
		   find_vma(mm, 0x20000) == b && find_vma(mm, 0x30000) == c &&
		   find_vma(mm, 0x50000) == NULL,
	   "find_vma(): the first VMA ending above the address");
	ok(vma_lookup(mm, 0x30000) == NULL && vma_lookup(mm, 0x40000) == c &&
		   find_vma_intersection(mm, 0x30000, 0x40000) == NULL &&
		   find_vma_intersection(mm, 0x30000, 0x40001) == c,
	   "vma_lookup(), find_vma_intersection()");
	ok(a->vm_page_prot == (PAGE_USER_RW | PTE_RDONLY) &&
		   c->vm_page_prot == PAGE_USER_RW,
	   "vm_page_prot follows VM_WRITE");
	__vma_unlink_list(mm, b);
	vm_area_free(b);
	ok(mm->map_count == 2 && a->vm_next == c &&
		   vma_lookup(mm, 0x20000) == NULL,
	   "an unlinked VMA is gone");
}

/*
 * Two mms map UADDR to different frames. A task reaches each through
 * current->mm; TLB entries are tagged by ASID, and flush_tlb_page() and
 * flush_tlb_mm() drop only their own mm's.
 */
static void asid_task(void *arg)
{
	struct mm_struct *ma = sim_mm_alloc("a"), *mb = sim_mm_alloc("b");
	struct vm_area_struct *va =
		sim_vma_add(ma, UADDR, UADDR + 0x10000, VM_READ | VM_WRITE);
	struct vm_area_struct *vb =
		sim_vma_add(mb, UADDR, UADDR + 0x10000, VM_READ | VM_WRITE);
	pte_t *pa = sim_walk(ma, UADDR, 0, true);
	pte_t *pb = sim_walk(mb, UADDR, 0, true);
	struct mm_struct *saved = current->mm;
	unsigned long f[4];
	uint64_t b0;

	(void)arg;
	for (int i = 0; i < 4; i++) {
		f[i] = alloc_page(GFP_KERNEL);
		sim_phys_write(f[i] << PAGE_SHIFT, 0xa0 + i);
	}
	b0 = stat(&T, SIM_STAT_barriers);
	set_ptes(ma, UADDR, pa, pfn_pte(f[0], va->vm_page_prot), 1);
	set_ptes(mb, UADDR, pb, pfn_pte(f[1], vb->vm_page_prot), 1);
	ok(stat(&T, SIM_STAT_barriers) == b0,
	   "%s %s: user set_ptes() needs no barriers", arch, kver);
	current->mm = ma;
	ok(sim_load(UADDR) == 0xa0, "%s %s: mm a's mapping through current->mm",
	   arch, kver);
	sim_store(UADDR + 8, 0xa5);
	ok(sim_phys_read((f[0] << PAGE_SHIFT) + 8) == 0xa5,
	   "%s %s: a store through it reaches mm a's frame", arch, kver);
	current->mm = mb;
	ok(sim_load(UADDR) == 0xa1, "%s %s: mm b's, same address, other ASID",
	   arch, kver);

	/* remap both without flushing: each ASID keeps its stale entry */
	set_pte_at(ma, UADDR, pa, pfn_pte(f[2], PAGE_USER_RW));
	set_pte_at(mb, UADDR, pb, pfn_pte(f[3], PAGE_USER_RW));
	current->mm = ma;
	ok(sim_load(UADDR) == 0xa0, "%s %s: a's TLB entry is stale", arch,
	   kver);
	flush_tlb_page(va, UADDR);
	ok(sim_load(UADDR) == 0xa2, "%s %s: flush_tlb_page(a) drops it", arch,
	   kver);
	current->mm = mb;
	ok(sim_load(UADDR) == 0xa1,
	   "%s %s: flush_tlb_page(a) left b's stale entry", arch, kver);
	flush_tlb_mm(ma);
	ok(sim_load(UADDR) == 0xa1,
	   "%s %s: flush_tlb_mm(a) left b's stale entry", arch, kver);
	flush_tlb_mm(mb);
	ok(sim_load(UADDR) == 0xa3, "%s %s: flush_tlb_mm(b) drops it", arch,
	   kver);
	current->mm = saved;
}

/* ---- the split PTE lock --------------------------------------------------------- */

static int inside, max_inside;
static spinlock_t *locks[2];
static unsigned long lock_addr[2];

static void ptl_setup(void *arg)
{
	(void)arg;
	umm = sim_mm_alloc("ptl");
	for (int i = 0; i < 2; i++)
		sim_walk(umm, lock_addr[i], 0, true);
}

static void ptl_task(void *arg)
{
	int cpu = smp_processor_id();
	spinlock_t *ptl;
	pte_t *pte;

	(void)arg;
	pte = pte_offset_map_lock(umm, pmd_off(umm, lock_addr[cpu]),
				  lock_addr[cpu], &ptl);
	locks[cpu] = ptl;
	if (++inside > max_inside)
		max_inside = inside;
	for (int i = 0; i < 6; i++)
		sim_sched_point(); /* hold it across steps of the other CPU */
	inside--;
	pte_unmap_unlock(pte, ptl);
}

/* Two CPUs lock the tables of two addresses; returns the most inside. */
static int ptl_race(unsigned long a0, unsigned long a1)
{
	lock_addr[0] = a0;
	lock_addr[1] = a1;
	inside = max_inside = 0;
	race_init(0xffffffff); /* switch at every choice */
	run_task("setup", 0, ptl_setup);
	sim_spawn(T.m, "ptl0", 0, ptl_task, NULL);
	sim_spawn(T.m, "ptl1", 1, ptl_task, NULL);
	sched_armed = true;
	sim_run(T.m);
	return max_inside;
}

static void pmd_lock_task(void *arg)
{
	(void)arg;
	ok(pmd_lock(umm, pmd_off(umm, lock_addr[0])) == &umm->page_table_lock,
	   "%s %s: pmd_lock() is mm->page_table_lock", arch, kver);
	spin_unlock(&umm->page_table_lock);
}

static void test_ptl(void)
{
	int n;

	n = ptl_race(UADDR, UADDR + PAGE_SIZE);
	ok(n == 1 && locks[0] == locks[1],
	   "%s %s: two CPUs locking one PTE table serialize (max %d inside)",
	   arch, kver, n);
	run_task("pmd_lock", 0, pmd_lock_task);
	simtest_fini(&T);
	n = ptl_race(UADDR, UADDR + PTE_TABLE_SPAN);
	ok(n == 2 && locks[0] != locks[1],
	   "%s %s: two PTE tables have two locks, held at once (max %d)", arch,
	   kver, n);
	ok(locks[0] != &umm->page_table_lock,
	   "%s %s: the split lock is not page_table_lock", arch, kver);
	simtest_fini(&T);
}

/* ---- swap and migration entries -------------------------------------------------- */

static void test_swp(void)
{
	static const struct {
		unsigned int type;
		uint64_t offset;
	} cases[] = {
		{ 0, 1 },
		{ 1, 0 },
		{ 3, 0x12345 },
		{ MAX_SWAPFILES - 1, (1ULL << __SWP_OFFSET_BITS) - 1 },
		{ SWP_MIGRATION_READ, 42 },
		{ SWP_MIGRATION_WRITE, 0x3ffff },
	};
	bool round = true, never_valid = true, is_swap = true;
	swp_entry_t e;
	pte_t pte;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = swp_entry(cases[i].type, cases[i].offset);
		pte = swp_entry_to_pte(e);
		round &= swp_type(e) == cases[i].type &&
			 swp_offset(e) == cases[i].offset &&
			 pte_to_swp_entry(pte).val == e.val;
		never_valid &= !pte_valid(pte) && !pte_present(pte);
		is_swap &= is_swap_pte(pte);
	}
	ok(round, "swp_entry() → pte → swp_entry round-trips type and offset");
	ok(never_valid, "a swap or migration PTE is never pte_valid()");
	ok(is_swap && !is_swap_pte(0) && !is_swap_pte(pfn_pte(5, PAGE_USER_RW)),
	   "is_swap_pte(): not none, not present");
	ok(swp_entry_to_pte(swp_entry(1, 1)) == ((1ULL << 3) | (1ULL << 8)) &&
		   swp_entry_to_pte(swp_entry(31, 0)) == (31ULL << 3),
	   "the arm64 layout: type from bit 3, offset from bit 8");
	pte = pte_swp_mkexclusive(swp_entry_to_pte(swp_entry(2, 9)));
	ok(pte_swp_exclusive(pte) &&
		   pte_to_swp_entry(pte).val == swp_entry(2, 9).val,
	   "PTE_SWP_EXCLUSIVE is not part of the entry");

	e = make_writable_migration_entry(1234);
	ok(is_migration_entry(e) && is_writable_migration_entry(e) &&
		   swp_offset_pfn(e) == 1234,
	   "a writable migration entry");
	e = pte_to_swp_entry(
		swp_entry_to_pte(make_readable_migration_entry(99)));
	ok(is_migration_entry(e) && is_readable_migration_entry(e) &&
		   !is_writable_migration_entry(e) && swp_offset_pfn(e) == 99,
	   "a readable migration entry survives its PTE");
	e = make_readable_exclusive_migration_entry(7);
	ok(is_migration_entry(e) && !is_writable_migration_entry(e) &&
		   !is_readable_migration_entry(e),
	   "a readable-exclusive migration entry");
	ok(!is_migration_entry(swp_entry(MAX_SWAPFILES - 1, 5)) &&
		   !is_migration_entry(swp_entry(SWP_HWPOISON, 5)),
	   "swap types below the migration types are not migration");
	ok(SWP_MIGRATION_WRITE < (1 << MAX_SWAPFILES_SHIFT),
	   "every type fits in five bits");
}

/* ---- fixtures ----------------------------------------------------------------------- */

static void one_cpu(void (*fn)(void *), const char *comm)
{
	simtest_init(&T, arch, kver, 1, false, NULL);
	run_task(comm, 0, fn);
	simtest_fini(&T);
}

static void fixture(const char *a, const char *k)
{
	arch = a;
	kver = k;
	diag("fixture %s %s", a, k);
	test_get_and_clear_race();
	test_wrprotect_race();
	simtest_init(&T, arch, kver, 1, false, NULL);
	run_task("setup", 0, setup_entry);
	run_task("rmw", 0, rmw_task);
	simtest_fini(&T);
	one_cpu(set_ptes_task, "set_ptes");
	one_cpu(modify_prot_task, "modify_prot");
	one_cpu(pmd_task, "pmd");
	one_cpu(asid_task, "asid");
	test_ptl();
}

int main(void)
{
	fixture("generic", "7.0");
	fixture("arm64", "6.16");
	fixture("arm64", "7.0");
	arch = "generic";
	kver = "7.0";
	one_cpu(vma_task, "vma");
	test_swp();
	return tap_done();
}
