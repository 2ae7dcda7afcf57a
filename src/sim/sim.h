/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The simulated machine: CPUs with TLBs and page-table walkers, physical
 * frames, 4-level page tables, tasks run as coroutines, a scheduler policy,
 * interrupts and the kernel services the mm paths need (per-task state,
 * preempt_count, a page allocator with DEBUG_PAGEALLOC).
 *
 * Kernel-style globals: the machine and the task running on the calling
 * thread are reached through sim_machine() and current, so that models of
 * kernel code read like the kernel. Everything is deterministic: the only
 * source of choice is the scheduler policy (struct sim_policy).
 *
 * Invariants (checked by tests/sim/test_machine.c):
 *   cpu->curr == NULL  <=>  the CPU's runqueue is empty
 *   sum over frames of PG_free == nr_free
 *   page(pfn)->nr_hidden == number of hidden entries stored in frame pfn
 */
#ifndef _LAZYMMU_SIM_SIM_H
#define _LAZYMMU_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lazymmu/lazy_mmu.h>

#include "sim/ctx.h"
#include "sim/embed.h"
#include "sim/registry.h"

#define SIM_MAX_CPUS 32 /* the width of a choice's allowed set of CPUs */
#define SIM_MAX_SECTION_DEPTH 16

/* ---- addresses and page-table entries ---------------------------------- */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PTRS_PER_TABLE 512
#define PTE_TABLE_SPAN (PAGE_SIZE * PTRS_PER_TABLE) /* one PTE table maps 2M */

/*
 * Kernel virtual layout (arm64 48-bit, simplified): the linear map of all
 * frames, then the vmalloc area. User addresses are below USER_TOP.
 */
#define PAGE_OFFSET 0xffff000000000000UL
#define VMALLOC_START 0xffff800000000000UL
#define VMALLOC_END 0xffff808000000000UL
#define USER_TOP 0x0001000000000000UL

/*
 * The kernel image lies at the start of the vmalloc area (arm64:
 * KIMAGE_VADDR is MODULES_END, which is VMALLOC_START; no KASLR), so the
 * top-level entry of the vmalloc area exists from boot and a vmalloc()
 * never writes one. Its end (_end) is aligned to SEGMENT_ALIGN (64K), not
 * to 2M: the first vmalloc area starts inside the 2M that the image's last
 * PTE table maps. KIMAGE_SIZE is a defconfig-sized image (42.25 MiB).
 */
#define KIMAGE_VADDR VMALLOC_START
#define KIMAGE_SIZE 0x2a40000UL

/*
 * The fixmap slot set_swapper_pgd() maps swapper_pg_dir through (FIX_PGD,
 * arch/arm64/include/asm/fixmap.h); its PTE table (bm_pte) exists from boot.
 */
#define FIX_PGD_ADDR 0xfffffffffe000000UL

typedef uint64_t pte_t; /* an entry at any level */

/* Entry bits: an arm64-like layout, shared by every model. */
#define PTE_VALID (1ULL << 0)
#define PTE_TABLE (1ULL << 1) /* next-level table (non-leaf) */
#define PTE_USER (1ULL << 6)
#define PTE_RDONLY (1ULL << 7)
#define PTE_AF (1ULL << 10)
#define PTE_UXN (1ULL << 54)
#define PTE_PFN_MASK 0x0000fffffffff000ULL

#define PAGE_KERNEL (PTE_VALID | PTE_AF | PTE_UXN)
#define PAGE_KERNEL_TABLE (PTE_VALID | PTE_TABLE)
#define PAGE_USER_RW (PTE_VALID | PTE_AF | PTE_USER | PTE_UXN)

static inline bool pte_valid(pte_t pte)
{
	return pte & PTE_VALID;
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return (pte & PTE_PFN_MASK) >> PAGE_SHIFT;
}

static inline pte_t pfn_pte(unsigned long pfn, pte_t prot)
{
	return ((pte_t)pfn << PAGE_SHIFT) | prot;
}

static inline bool pte_none(pte_t pte)
{
	return !pte;
}

/* No PROT_NONE bit in this layout: present is valid. */
static inline bool pte_present(pte_t pte)
{
	return pte_valid(pte);
}

/* Writable: PTE_RDONLY clear (no separate DBM/PTE_WRITE bit modelled). */
static inline bool pte_write(pte_t pte)
{
	return !(pte & PTE_RDONLY);
}

static inline pte_t pte_wrprotect(pte_t pte)
{
	return pte | PTE_RDONLY;
}

static inline pte_t pte_mkwrite(pte_t pte)
{
	return pte & ~PTE_RDONLY;
}

/* pte_next_pfn(): the same entry for the next frame (set_ptes()). */
static inline pte_t pte_next_pfn(pte_t pte)
{
	return pte + ((pte_t)1 << PAGE_SHIFT);
}

/*
 * Swap and migration entries (include/linux/swapops.h, include/linux/swap.h
 * v6.16..v7.0), in the non-present PTE layout of arm64
 * (arch/arm64/include/asm/pgtable.h: __SWP_TYPE_SHIFT 3, five type bits,
 * fifty offset bits from bit 8, PTE_SWP_EXCLUSIVE bit 2). PTE_VALID (bit 0)
 * is never set in one, so no walker ever uses it. Pure shifts and masks of
 * a 64-bit value: the same on a big-endian host.
 *
 * swp_entry_t is the arch-independent form: the type in the top bits of a
 * 63-bit xarray value, the offset below; swp_entry_to_pte() and
 * pte_to_swp_entry() convert through the arch's layout.
 */
typedef struct {
	uint64_t val;
} swp_entry_t;

#define MAX_SWAPFILES_SHIFT 5
#define SWP_DEVICE_NUM 3 /* device private/exclusive: not modelled */
#define SWP_MIGRATION_NUM 3
#define SWP_HWPOISON_NUM 1
#define SWP_PTE_MARKER_NUM 1
#define MAX_SWAPFILES                                                      \
	((1 << MAX_SWAPFILES_SHIFT) - SWP_DEVICE_NUM - SWP_MIGRATION_NUM - \
	 SWP_HWPOISON_NUM - SWP_PTE_MARKER_NUM)
#define SWP_HWPOISON MAX_SWAPFILES
#define SWP_MIGRATION_READ (MAX_SWAPFILES + SWP_HWPOISON_NUM)
#define SWP_MIGRATION_READ_EXCLUSIVE (MAX_SWAPFILES + SWP_HWPOISON_NUM + 1)
#define SWP_MIGRATION_WRITE (MAX_SWAPFILES + SWP_HWPOISON_NUM + 2)

#define SWP_TYPE_SHIFT (63 - MAX_SWAPFILES_SHIFT) /* BITS_PER_XA_VALUE - 5 */
#define SWP_OFFSET_MASK ((1ULL << SWP_TYPE_SHIFT) - 1)

/* arm64's non-present layout */
#define __SWP_TYPE_SHIFT 3
#define __SWP_TYPE_BITS 5
#define __SWP_TYPE_MASK ((1ULL << __SWP_TYPE_BITS) - 1)
#define __SWP_OFFSET_SHIFT (__SWP_TYPE_BITS + __SWP_TYPE_SHIFT)
#define __SWP_OFFSET_BITS 50
#define __SWP_OFFSET_MASK ((1ULL << __SWP_OFFSET_BITS) - 1)
#define PTE_SWP_EXCLUSIVE (1ULL << 2)

static inline swp_entry_t swp_entry(unsigned int type, uint64_t offset)
{
	swp_entry_t e = { ((uint64_t)type << SWP_TYPE_SHIFT) |
			  (offset & SWP_OFFSET_MASK) };

	return e;
}

static inline unsigned int swp_type(swp_entry_t entry)
{
	return (unsigned int)(entry.val >> SWP_TYPE_SHIFT);
}

static inline uint64_t swp_offset(swp_entry_t entry)
{
	return entry.val & SWP_OFFSET_MASK;
}

/* Not none, not present: a swap, migration or other software entry. */
static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}

static inline pte_t swp_entry_to_pte(swp_entry_t entry)
{
	return (((pte_t)swp_type(entry) & __SWP_TYPE_MASK)
		<< __SWP_TYPE_SHIFT) |
	       ((swp_offset(entry) & __SWP_OFFSET_MASK) << __SWP_OFFSET_SHIFT);
}

/* The entry of a swap PTE; software bits (PTE_SWP_EXCLUSIVE) dropped. */
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	return swp_entry(
		(unsigned int)((pte >> __SWP_TYPE_SHIFT) & __SWP_TYPE_MASK),
		(pte >> __SWP_OFFSET_SHIFT) & __SWP_OFFSET_MASK);
}

static inline bool pte_swp_exclusive(pte_t pte)
{
	return pte & PTE_SWP_EXCLUSIVE;
}

static inline pte_t pte_swp_mkexclusive(pte_t pte)
{
	return pte | PTE_SWP_EXCLUSIVE;
}

static inline swp_entry_t make_readable_migration_entry(uint64_t pfn)
{
	return swp_entry(SWP_MIGRATION_READ, pfn);
}

static inline swp_entry_t make_readable_exclusive_migration_entry(uint64_t pfn)
{
	return swp_entry(SWP_MIGRATION_READ_EXCLUSIVE, pfn);
}

static inline swp_entry_t make_writable_migration_entry(uint64_t pfn)
{
	return swp_entry(SWP_MIGRATION_WRITE, pfn);
}

static inline bool is_migration_entry(swp_entry_t entry)
{
	unsigned int type = swp_type(entry);

	return type >= SWP_MIGRATION_READ && type <= SWP_MIGRATION_WRITE;
}

static inline bool is_writable_migration_entry(swp_entry_t entry)
{
	return swp_type(entry) == SWP_MIGRATION_WRITE;
}

static inline bool is_readable_migration_entry(swp_entry_t entry)
{
	return swp_type(entry) == SWP_MIGRATION_READ;
}

/* The frame a migration entry stands for (swp_offset_pfn()). */
static inline unsigned long swp_offset_pfn(swp_entry_t entry)
{
	return (unsigned long)swp_offset(entry);
}

/* Index of @addr in the table of @level (3 = pgd ... 0 = pte). */
static inline unsigned int pt_index(unsigned long addr, int level)
{
	return (addr >> (PAGE_SHIFT + 9 * level)) & (PTRS_PER_TABLE - 1);
}

/* ---- frames and the page allocator -------------------------------------- */

struct task_struct;

/*
 * A spinlock. A task that finds it held is blocked: its CPU is not offered
 * to the policy until the lock is free (no loop of scheduling points), and
 * a cycle of waiters, or every busy CPU blocked, is a deadlock finding.
 */
typedef struct {
	struct task_struct *owner;
	int irq_depth; /* the owner's interrupt depth when it took the lock */
} spinlock_t;

void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);

/*
 * A frame's flags (sim_page_flags()). They are kept apart from struct page,
 * a byte per frame in m->frame_flags with PG_free inverted, so that a
 * frame's memory type is one byte in a dense array (64 frames a cache
 * line: sim_phys_read() asks it at every data access), and so that boot
 * writes nothing for its free frames: a byte no one wrote reads free.
 */
#define PG_free (1U << 0)
#define PG_pgtable (1U << 1)
#define PG_reserved (1U << 2)

/*
 * A frame's descriptor. For a page-table frame it is also the kernel's
 * struct ptdesc: @ptl is the split PTE lock of a PTE table
 * (ptlock_ptr(), include/linux/mm.h, USE_SPLIT_PTE_PTLOCKS), taken by
 * pte_offset_map_lock() (src/mm/memory.h). Its flags are elsewhere (see
 * PG_free): a data frame's struct page is not touched by the allocator.
 */
struct page {
	uint32_t nr_hidden; /* entries of this table not yet seen by walkers */
	spinlock_t ptl; /* PG_pgtable: the split PTE lock */
	/*
	 * User PTEs mapping this frame (the folio's mapcount, which stands
	 * for its reference count here): the mmu_gather frees a zapped page
	 * only once no mm maps it (src/mm/mmu_gather.c).
	 */
	uint32_t mapcount;
	/*
	 * Entries [raw_lo, raw_hi) of the frame's memory may be non-zero;
	 * every other one is 0 (an empty range: the whole frame is 0). Kept by
	 * the machine's stores (pt_store()) and boot (a boot table: all), so
	 * that a new table is zeroed where it was written, not in full.
	 */
	uint16_t raw_lo, raw_hi;
};

typedef unsigned int gfp_t;
#define GFP_KERNEL 0x1U /* may sleep */
#define GFP_NOWAIT 0x2U /* may not sleep */
#define GFP_ATOMIC 0x4U /* may not sleep, interrupt-safe */

/* ---- tasks --------------------------------------------------------------- */

/* Thread flags (arm64 thread_info). */
#define TIF_LAZY_MMU (1U << 0) /* 6.16: in lazy mode */
#define TIF_LAZY_MMU_PENDING (1U << 1) /* barriers owed */

/* Task flags (task_struct.flags). */
#define PF_EXITING 0x00000004U /* do_exit(): the task is dying */

struct vm_area_struct;

struct mm_struct {
	spinlock_t page_table_lock; /* the pmd level and above (pmd_lock()) */
	pte_t *pgd;
	uint16_t asid;
	const char *name;
	struct vm_area_struct *mmap; /* VMAs by address (src/mm/mmap.c) */
	int map_count;
	/*
	 * The arch model's part of the kernel's mm_context_t (s390:
	 * cpu_attach_mask and flush_mm); zero in a new mm.
	 */
	unsigned long context[2];
};

/* vm_flags (include/linux/mm.h) */
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL

/*
 * A user mapping (include/linux/mm_types.h). The kernel keeps an mm's VMAs
 * in a maple tree since 6.1; a list sorted by address does here (the
 * kernel's own list before 6.1): vm_start < vm_end <= next->vm_start.
 * Allocated with kzalloc(), so a run abandoned at any point leaks none.
 */
struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start; /* first address, page aligned */
	unsigned long vm_end; /* first address after, page aligned */
	unsigned long vm_flags;
	pte_t vm_page_prot; /* the PTE bits of the mapping */
	struct vm_area_struct *vm_next; /* the mm's next VMA by address */
};

struct sim_section {
	const char *func; /* the caller that opened the section */
	const char *file;
	int line;
};

/*
 * struct sim_site - a line of model code that called a kernel-facing
 * primitive (set_pte_at(), sim_barrier(), sim_load(), ...): one static
 * const object per call site, made by SIM_SITE_CALL(). The machine keeps
 * the site of the innermost such call in progress (sim_machine.site) and
 * gives it to every event emitted meanwhile (sim_event.site).
 */
struct sim_site {
	const char *func;
	const char *file;
	int line;
};

struct task_struct {
	int pid;
	char comm[16];
	struct lazy_mmu_state lazy_mmu_state;
	unsigned int thread_flags;
	unsigned int flags; /* PF_* */
	int preempt_count; /* preempt_disable() depth */
	struct mm_struct *mm;
	/* where the task runs */
	int cpu;
	struct task_struct *rq_next; /* this CPU's runqueue (circular) */
	spinlock_t *blocked_on; /* the lock it waits for, or NULL */
	/* what the callers meant, whatever the kernel version does with it */
	int lazy_sections; /* sections opened by callers, not yet closed */
	int lazy_paused;
	bool lazy_entered; /* passthrough design: entered, not yet left */
	/* lazy_mmu_mode_enable_with_ptes() in progress: its PTE range */
	struct {
		struct mm_struct *mm;
		unsigned long addr, end;
		pte_t *ptep; /* NULL: none */
	} lazy_ptes;
	struct sim_section section[SIM_MAX_SECTION_DEPTH];
	/* the coroutine */
	void (*fn)(void *arg);
	void *arg;
	struct sim_ctx ctx;
	void *stack;
	size_t stack_size;
	void *fiber; /* TSan fiber */
	/* placed on an idle CPU: the idle -> task switch runs when it does */
	bool switch_from_idle;
};

/* ---- TLBs ----------------------------------------------------------------- */

/*
 * A TLB entry: 16 bytes, so that a set of four ways is one cache line
 * (struct sim_tlb.e is line-aligned). A way holds a valid translation or
 * nothing: a fill takes only a valid entry, so pte 0 is a free way. A
 * kernel entry (no PTE_USER) is global, matched under every ASID; a user
 * entry's ASID is in struct sim_tlb.asid[], read only when the vpn
 * matches.
 */
struct sim_tlb_entry {
	unsigned long vpn;
	pte_t pte; /* 0: the way is free */
};

static inline bool sim_tlb_entry_valid(const struct sim_tlb_entry *e)
{
	return e->pte != 0;
}

static inline bool sim_tlb_entry_global(const struct sim_tlb_entry *e)
{
	return !(e->pte & PTE_USER);
}

/*
 * A set-associative TLB: capacity = sets x ways, a page's set is its vpn
 * modulo sets; a fill replaces the set's FIFO victim, or the one the policy
 * picks with random eviction. A capacity that is not a multiple of 4 makes
 * it fully associative (one set).
 */
struct sim_tlb {
	struct sim_tlb_entry *e;
	/* per entry: a user entry's ASID (else stale; never reset: unread) */
	uint16_t *asid;
	unsigned int capacity;
	unsigned int ways;
	unsigned int sets;
	unsigned int set_mask; /* sets - 1 if sets is a power of two, else 0 */
	unsigned int *next; /* per set: FIFO victim */
	bool dirty; /* filled since boot or the last sim_reset() */
};

/* ---- events and observers ------------------------------------------------ */

enum sim_event_type {
	SIM_EV_PTE_WRITE, /* a page-table entry was stored */
	SIM_EV_PTE_VISIBLE, /* a hidden entry became visible to walkers */
	SIM_EV_BARRIER,
	SIM_EV_HYPERCALL,
	SIM_EV_BATCH_FLUSH, /* deferred work of a section paid at once */
	SIM_EV_TLB_INVAL, /* one TLB invalidation operation */
	SIM_EV_TLB_FLUSH_CALL, /* flush_tlb_*() called by kernel code */
	SIM_EV_ACCESS, /* a data load or store */
	SIM_EV_FAULT,
	SIM_EV_UNBATCHED, /* an update paid at once inside a section */
	SIM_EV_LAZY_CALL, /* generic lazy_mmu_mode_*() call */
	SIM_EV_LAZY_HOOK, /* arch_{enter,leave,flush}_lazy_mmu_mode() */
	SIM_EV_SLEEP,
	SIM_EV_SWITCH,
	SIM_EV_IRQ_ENTER,
	SIM_EV_IRQ_EXIT,
	SIM_EV_TASK_EXIT,
	SIM_EV_PAGE_ALLOC,
	SIM_EV_PAGE_FREE,
	SIM_EV_WARN, /* lazy_mmu_warn() */
	SIM_EV_PTE_READ, /* ptep_get(): kernel code read an entry (old = value) */
	/*
	 * A model deferred work (arg: how many items) in its queue (obj,
	 * named by what): an update of ptep at addr to new, or work tied to
	 * no entry (ptep NULL: arm64's owed barriers).
	 */
	SIM_EV_DEFERRED_QUEUED,
	SIM_EV_DEFERRED_PAID, /* the oldest arg items of queue obj were paid */
	SIM_EV_FINDING, /* a finding was reported (what = kind) */
	SIM_EV_SWITCH_MM, /* switch_mm(): the CPU's mm changes (obj: the new) */
	SIM_EV_NR
};

/* SIM_EV_LAZY_CALL: which generic call (in arg) */
enum sim_lazy_call {
	SIM_LAZY_ENABLE,
	SIM_LAZY_DISABLE,
	SIM_LAZY_PAUSE,
	SIM_LAZY_RESUME,
};

struct sim_event {
	enum sim_event_type type;
	int cpu;
	struct task_struct *task;
	unsigned long addr; /* virtual address, if any */
	pte_t *ptep; /* entry, for PTE events */
	pte_t old, new;
	const char *what; /* barrier name, hook name, call name, ... */
	const void *obj; /* DEFERRED_*: the model's queue */
	bool flag; /* PTE_WRITE: hidden; FAULT: spurious; ACCESS: write */
	/* pages (TLB_*), pfn (PAGE_*, ACCESS), call (LAZY_CALL),
	 * enum sim_pt_vis (PTE_WRITE) */
	long arg;
	struct lazy_mmu_state state; /* IRQ_ENTER/EXIT, TASK_EXIT */
	const struct sim_finding *finding; /* FINDING */
	/* the model's call in progress (sim_machine.site), or NULL */
	const struct sim_site *site;
};

/*
 * struct sim_observer - watches a machine's events.
 * @reset: optional; sim_reset() calls it so the observer forgets the run
 *         (counters back to zero, tracked entries dropped). An observer
 *         without one must be reset by its owner, or detached with the
 *         machine.
 * @events: optional; the events it wants, SIM_EV_BIT(type) each (0: every
 *         event), and narrow wants (SIM_EV_NARROW). An event no observer
 *         wants is not delivered, and the machine's hot paths do not even
 *         build it (sim_wants()). It may change (sim_observer_want()).
 */
struct sim_observer {
	void (*event)(void *priv, const struct sim_event *ev);
	void *priv;
	void (*reset)(void *priv);
	uint64_t events;
	/*
	 * Optional, for an observer that only counts some events (the
	 * counters): @counted, the events (SIM_EV_BIT(type) each, a subset
	 * of @events) whose whole delivery is
	 * counter[cpu * counter_stride + counter_of[type]]++. The machine
	 * increments the counter itself and does not call @event for them
	 * (the first such observer only); while no other observer wants
	 * such an event, it is not even built (sim_count_in_place()). The
	 * counts are the same.
	 */
	uint64_t counted;
	uint64_t *counter;
	const uint8_t *counter_of;
	unsigned int counter_stride;
};

#define SIM_EV_BIT(type) (1ULL << (type))
#define SIM_EV_ALL ((1ULL << SIM_EV_NR) - 1)

/*
 * Narrow wants, beside the SIM_EV_BIT()s in an observer's @events: only
 * the events of a type that pass a test the machine makes before building
 * them. An observer with the narrow bit but not its type's bit gets:
 * SIM_EV_ACCESS_FREED: the data accesses (SIM_EV_ACCESS) whose frame is
 *         free (sim_frame_free());
 * SIM_EV_PTE_WRITE_HIDDEN: the stores (SIM_EV_PTE_WRITE) hidden from
 *         walkers (flag set);
 * SIM_EV_SLEEP_ATOMIC: might_sleep() (SIM_EV_SLEEP) where it may not
 *         (!preemptible()).
 * It may get others too (another observer wants the whole type): the
 * narrowing saves the machine's work, the observer keeps its own tests.
 */
#define SIM_EV_ACCESS_FREED (1ULL << 61)
#define SIM_EV_PTE_WRITE_HIDDEN (1ULL << 62)
#define SIM_EV_SLEEP_ATOMIC (1ULL << 63)
#define SIM_EV_NARROW \
	(SIM_EV_ACCESS_FREED | SIM_EV_PTE_WRITE_HIDDEN | SIM_EV_SLEEP_ATOMIC)
_Static_assert(SIM_EV_NR <= 61, "event types overlap the narrow wants");

/* ---- findings -------------------------------------------------------------- */

/*
 * A finding: its kind (a name of sim_finding_kinds[]) and message, and what
 * is known of where it happened. cpu < 0: no CPU; pid == 0: no task;
 * SIM_FINDING_ADDR / _VALUES / _SECTION in @have say whether addr, the
 * values and the section are known.
 */
struct sim_finding {
	char kind[24];
	char message[384];
	int cpu;
	int pid;
	char comm[16];
	unsigned int have;
	unsigned long addr; /* the address accessed or updated */
	pte_t old, new; /* e.g. what walkers still saw, what the kernel wrote */
	struct sim_section section; /* the call site that opened the section */
};

#define SIM_FINDING_ADDR (1U << 0)
#define SIM_FINDING_VALUES (1U << 1)
#define SIM_FINDING_SECTION (1U << 2)
#define SIM_FINDING_CPU (1U << 3) /* cpu and task given, not current's */

/*
 * What a reporter knows beyond the current context (sim_report_at()): set
 * the bits of @have for the fields filled. Without SIM_FINDING_CPU the CPU
 * and task are the current ones; without SIM_FINDING_SECTION the section is
 * the current task's innermost open one, if any.
 */
struct sim_finding_at {
	unsigned int have;
	int cpu;
	const struct task_struct *task;
	unsigned long addr;
	pte_t old, new;
	const struct sim_section *section; /* NULL with the bit: none */
};

/* ---- what a step touches ----------------------------------------------------- */

/*
 * Every scheduling point says what the step after it touches, so that a
 * model checker can tell independent steps of two CPUs apart: two steps
 * commute unless they touch the same object of the same kind (or one of
 * them is SIM_TOUCH_GLOBAL). @obj identifies the object: a PTE's address,
 * a lock, a task (lazy state), a model's batch or queue; NULL with
 * SIM_TOUCH_TLB means every TLB.
 */
enum sim_touch {
	SIM_TOUCH_LOCAL, /* only the CPU's and task's private state */
	SIM_TOUCH_PTE, /* a page-table entry (obj: the entry) */
	SIM_TOUCH_DATA, /* a data access (obj: the virtual page) */
	SIM_TOUCH_TLB, /* TLB maintenance (obj: NULL, every TLB) */
	SIM_TOUCH_LOCK, /* a spinlock (obj: the lock) */
	SIM_TOUCH_LAZY, /* a task's lazy MMU state (obj: the task) */
	SIM_TOUCH_ARCH, /* a batch or queue of the model (obj: it) */
	SIM_TOUCH_ALLOC, /* the page allocator (obj: NULL) */
	SIM_TOUCH_GLOBAL, /* anything: depends on every other step */
	SIM_TOUCH_PTE_READ, /* a page-table entry read (obj: the entry) */
	SIM_TOUCH_BARRIER, /* a barrier: what walkers see (obj: NULL) */
	/*
	 * cond_resched(): nothing shared, as LOCAL, but the task may be
	 * waiting for another CPU (a loop around it): a model checker
	 * switches CPUs here first, so that a waiter never spins alone
	 */
	SIM_TOUCH_YIELD,
};

struct sim_step {
	enum sim_touch kind;
	const void *obj;
};

/*
 * sim_steps_dependent() - whether two steps of different CPUs may not
 * commute (the independence relation of the model checker). Steps of one
 * CPU are ordered anyway. See docs/design.md, "Driving the scheduler".
 */
bool sim_steps_dependent(const struct sim_step *a, const struct sim_step *b);
const char *sim_touch_name(enum sim_touch kind);

/* ---- scheduler policy ----------------------------------------------------- */

enum sim_choice {
	SIM_CHOOSE_CPU, /* which CPU steps next: a CPU id in @allowed */
	SIM_CHOOSE_PREEMPT, /* 1 = preempt the running task here */
	SIM_CHOOSE_IRQ, /* 1 = an interrupt arrives here */
	SIM_CHOOSE_MIGRATE, /* which CPU a preempted task goes to */
	SIM_CHOOSE_EVICT, /* which TLB entry a fill replaces (random eviction) */
};

#define SIM_CHOICE_ALL 0xffffffffU

/*
 * struct sim_policy - decides every nondeterministic choice of a run.
 * @choose: return a value in [0, n) that is in @allowed; @cur is the option
 *          that means "carry on as before" (the current CPU, 0 = no
 *          preemption/interrupt), which a policy may favour (for a CPU
 *          choice it may not be in @allowed: the current CPU went idle or
 *          is blocked). For SIM_CHOOSE_CPU, n is the number of CPUs and
 *          @allowed has bit i set if CPU i can step (busy, not blocked);
 *          for every other choice every value below n is allowed (bits
 *          0..n-1 of @allowed; SIM_CHOICE_ALL when n >= 32). At least two
 *          values are allowed: a choice with one option is not asked. An
 *          answer outside the options stops the run with an error
 *          (sim_error()); so does sim_choose() from an observer.
 * @reset:  optional; back to the state it was created in (sim_reset()
 *          calls it), so that a reset machine makes the same choices.
 * @replay, @replay_left: optional; answers known in advance (the model
 *          checker's recorded path). While @replay_left > 0, a question
 *          equal to *@replay (what, n, cur, allowed) gets its answer
 *          without a call to @choose, and @replay steps past it
 *          (@replay_left - 1); any other question goes to @choose, the
 *          record left in place. The same run as @choose answering them.
 */
struct sim_policy {
	unsigned int (*choose)(struct sim_policy *p, enum sim_choice what,
			       unsigned int n, unsigned int cur,
			       uint32_t allowed);
	void (*destroy)(struct sim_policy *p);
	void (*reset)(struct sim_policy *p);
	const struct sim_choice_rec *replay;
	size_t replay_left;
};

/* One choice of a run, as the machine records it (choices.c). */
struct sim_choice_rec {
	uint8_t what; /* enum sim_choice */
	uint8_t pad; /* 0: no hidden padding, records compare with memcmp */
	uint16_t n;
	uint16_t cur;
	uint16_t answer;
	uint32_t allowed;
};

/* Allowed sets of CPU choices: the k-th allowed id, the number of ids. */
static inline unsigned int sim_set_count(uint32_t set)
{
	/*
	 * SWAR, not __builtin_popcount(): without -mpopcnt that is a call
	 * into libgcc at every choice (8 % of a re-execution, bench_sim)
	 */
	set = set - ((set >> 1) & 0x55555555U);
	set = (set & 0x33333333U) + ((set >> 2) & 0x33333333U);
	return (((set + (set >> 4)) & 0x0f0f0f0fU) * 0x01010101U) >> 24;
}

static inline unsigned int sim_set_nth(uint32_t set, unsigned int k)
{
	for (; k; k--)
		set &= set - 1;
	return (unsigned int)__builtin_ctz(set);
}

/* The rank of @id among the allowed ids, or 0 if it is not allowed. */
static inline unsigned int sim_set_rank(uint32_t set, unsigned int id)
{
	if (id >= 32 || !(set & (1U << id)))
		return 0;
	return sim_set_count(set & ((1U << id) - 1));
}

struct sim_policy *sim_policy_rr(unsigned int quantum);
struct sim_policy *sim_policy_random(uint64_t seed,
				     unsigned int switch_per_1000,
				     unsigned int preempt_per_1000,
				     unsigned int irq_per_1000);
/*
 * sim_policy_replay() - answer with the recorded choices @rec; a question
 * that differs from the recorded one (or one past the end) stops the run
 * with an error naming @name and the line (@first_line + index) of the
 * choice. @rec must outlive the machine.
 */
struct sim_policy *sim_policy_replay(const struct sim_choice_rec *rec, size_t n,
				     const char *name, unsigned int first_line);
const char *sim_choice_name(enum sim_choice what);
int sim_choice_parse(const char *line, struct sim_choice_rec *r, char *err,
		     size_t errlen);
int sim_choice_format(const struct sim_choice_rec *r, char *buf, size_t len);

/* ---- architecture interface ---------------------------------------------- */

struct sim_arch_ops; /* src/sim/arch.h */
struct vmap_area; /* src/mm/mm.h */

/* ---- the machine ----------------------------------------------------------- */

struct sim_options {
	const struct sim_arch_ops *arch;
	/* the design of the generic layer (registry.h); OFF: no lazy mode */
	enum sim_lazy_layer lazy;
	int kernel; /* SIM_KERNEL(7, 0); 0: the arch table's, else newest */
	uint64_t fixes; /* bit (1 << enum sim_fix) per fix applied */
	unsigned int nr_cpus;
	unsigned long nr_frames;
	unsigned int tlb_entries;
	bool tlb_random_evict; /* false: FIFO; true: the policy picks */
	bool debug_pagealloc;
	struct sim_policy *policy; /* owned by the machine; NULL: round-robin */
	void (*irq_handler)(void *arg); /* what an interrupt does */
	void *irq_arg;
	bool stop_on_finding; /* the run ends at the first finding */
	/*
	 * Every access to the page allocator and to a spinlock is a step of
	 * its own (a scheduling point), so that step footprints are exact;
	 * off, they ride in the step before them (the historical choice
	 * sequences of runs).
	 */
	bool fine_steps;
	/*
	 * Count choices but keep no record of them (m->choices stays NULL):
	 * a record is 12 bytes a choice, and a long run makes millions.
	 */
	bool no_choice_record;
	/*
	 * One run only (lmm_run()): take no post-boot snapshot, so that
	 * building the machine costs no copy of its frames' state and the
	 * run logs nothing for sim_reset(), which then refuses to run.
	 */
	bool no_reset;
};

struct sim_cpu {
	int id;
	struct task_struct *curr;
	struct sim_step next; /* what curr's next step touches */
	/* the address space the CPU runs in (kept while idle, as lazy TLB) */
	struct mm_struct *active_mm;
	void *arch_state; /* the model's per-CPU state (sim_arch_ops) */
	struct task_struct *rq_tail; /* runnable tasks other than curr */
	int irq_depth;
	struct sim_tlb tlb;
};

/*
 * A store hidden from some walkers: an entry of its CPU's array
 * (struct sim_machine.hidden[cpu]), which keeps them in store order. The
 * CPU is the array's; the entry's slot (struct sim_machine.hidden_slot,
 * sim_hidden_slot_make()) names both.
 */
struct sim_hidden {
	/*
	 * The entry; NULL: a hole, left where an entry went (to another
	 * CPU's array, or visible, in the middle of a sync), never visited.
	 */
	pte_t *ptep;
	pte_t old; /* what walkers still see */
	/*
	 * The stage (sim_hidden_stage()) — 2: hidden from all walkers; 1:
	 * from its CPU's only — as an epoch: stage 2 while @epoch is its
	 * CPU's struct sim_machine.hidden_epoch, which that CPU's dsb advances
	 * (one increment publishes all its stores, no visit to each); stage 1
	 * once they differ (a store published alone: its CPU's epoch - 1).
	 */
	uint32_t epoch;
	/*
	 * CPUs whose kernel code read the new value from memory (a table
	 * walk through it): a dsb of theirs publishes it too, as a dsb is
	 * cumulative over the stores its CPU observed.
	 */
	uint32_t observed;
};

/*
 * A hidden slot (struct sim_machine.hidden_slot, one per entry of mem):
 * 0 if walkers see the entry, else (index << SIM_HIDDEN_CPU_BITS | cpu) + 1,
 * its place in m->hidden[cpu].
 */
#define SIM_HIDDEN_CPU_BITS 5
_Static_assert(SIM_MAX_CPUS <= 1 << SIM_HIDDEN_CPU_BITS,
	       "a hidden slot's CPU bits hold every CPU");

static inline uint32_t sim_hidden_slot_make(int cpu, uint32_t i)
{
	return (i << SIM_HIDDEN_CPU_BITS | (uint32_t)cpu) + 1;
}

static inline int sim_hidden_slot_cpu(uint32_t slot)
{
	return (int)((slot - 1) & ((1U << SIM_HIDDEN_CPU_BITS) - 1));
}

static inline uint32_t sim_hidden_slot_index(uint32_t slot)
{
	return (slot - 1) >> SIM_HIDDEN_CPU_BITS;
}

struct sim_machine {
	struct sim_options opt;
	const struct sim_arch_ops *arch;
	struct sim_cpu cpu[SIM_MAX_CPUS];
	int this_cpu; /* the CPU stepping now */
	struct sim_cpu *cur_cpu; /* &cpu[this_cpu], for this_cpu() */

	/* physical memory */
	unsigned long boot_next_pfn; /* boot: the next frame for a table */
	uint8_t *mem;
	struct page *pages;
	uint8_t *frame_flags; /* PG_ flags, PG_free inverted (sim_page_flags) */
	/*
	 * Bitmap: frames whose memory may have been written since the
	 * machine was built (every frame ever a table; not restored by
	 * sim_reset()), zeroed again when sim_destroy() keeps the memory for
	 * the next machine (mem.c: mem_set_clean()).
	 */
	uint64_t *mem_dirty;
	/* 1 + the highest frame a first word was written to at or above
	 * fresh_pfn (a store through the linear map to a frame never
	 * allocated), for mem_set_clean(); 0: none */
	unsigned long word0_high;
	unsigned long nr_frames;
	/*
	 * The free frames, a stack, the top allocated first: positions
	 * [0, nr_free). Those below nr_frames - fresh_pfn are implicit
	 * (position i holds frame nr_frames - 1 - i: every frame from
	 * fresh_pfn up, never allocated since boot, lowest on top) and are
	 * never written; free_stack[] holds the positions above, frames freed
	 * since (mem.c: free_pos()).
	 */
	unsigned long *free_stack;
	unsigned long nr_free;
	unsigned long fresh_pfn;
	struct mm_struct init_mm;
	uint16_t next_asid;
	/*
	 * mm/vmalloc.c: the vmap areas, busy or lazily freed, by address (a
	 * list of kzalloc()ed struct vmap_area; NULL: not set up since boot),
	 * and vmap_lazy_nr, the pages freed but not yet purged.
	 */
	struct vmap_area *vmap_areas;
	unsigned long vmap_lazy_nr;
	/*
	 * The running workload's shared object (a kernel object the first
	 * task publishes for the CPUs that work alongside it; src/mm/user.c),
	 * NULL after boot.
	 */
	void *workload;

	/*
	 * Data words of frames that are not page tables, by physical address
	 * (open addressing; 0 = empty slot, so addresses are stored + 1).
	 * Only page-table frames live in mem, so that a large simulated
	 * memory costs the host only what the tables use.
	 */
	struct sim_word {
		uint64_t pa1; /* physical address + 1 */
		uint64_t val;
	} * words;
	size_t nr_words, words_cap;
	uint64_t *word0; /* the first word of each frame: the common case */

	/*
	 * Entries stored but not yet seen by some walkers: each CPU's array,
	 * hidden[c][0, hidden_len[c]), in the order c stored them, holes
	 * (ptep NULL) included; nr_hidden counts the entries of all (holes
	 * not). The arrays and their capacities are host memory kept across
	 * sim_reset() and from machine to machine (machine.c: hidden_get());
	 * the lengths are 0 after boot.
	 */
	struct sim_hidden *hidden[SIM_MAX_CPUS];
	uint32_t hidden_cap[SIM_MAX_CPUS];
	uint32_t hidden_len[SIM_MAX_CPUS];
	size_t nr_hidden;
	/*
	 * How many hidden entries each CPU stored, by stage, and how many
	 * stage-2 entries some CPU observed (pgtable.c: hidden_account()):
	 * a publish or sync that would find nothing skips the scan.
	 */
	uint32_t hidden_stage1[SIM_MAX_CPUS], hidden_stage2[SIM_MAX_CPUS];
	uint32_t nr_hidden_observed;
	/*
	 * Each CPU's publish epoch (struct sim_hidden.epoch): a CPU's stores
	 * since its last dsb carry its current epoch. 0 after boot, so
	 * sim_reset() restores them with the post-boot copy.
	 */
	uint32_t hidden_epoch[SIM_MAX_CPUS];
	/* translations may take the inline path (sim_translate_setup()) */
	bool translate_inline;
	uint32_t *hidden_slot; /* per entry of mem: sim_hidden_slot_make() */

	/*
	 * tasks: tasks[0, nr_tasks) are this run's; tasks[nr_tasks,
	 * nr_task_structs) are structs and stacks kept for sim_spawn() to
	 * recycle after sim_reset()
	 */
	struct task_struct **tasks;
	size_t nr_tasks, tasks_cap, nr_task_structs;
	int nr_live;

	/* coroutines: sim_run()'s caller's stack is the scheduler's */
	struct sim_ctx sched_ctx;
	void *sched_fiber;
	struct task_struct *switching_from; /* read on arrival (ASan) */
	const void *sched_stack_bottom; /* learnt from ASan at each sim_run */
	size_t sched_stack_size;
	bool running;
	bool in_sched;

	struct sim_kmem {
		struct sim_kmem_chunk *chunks, *cur; /* cur: bump from it */
		void *free[48]; /* freed objects by size class (log2) */
		struct sim_kmem_chunk *mark_chunk; /* post-boot bump point */
		size_t mark_used;
		unsigned char *boot_bytes; /* boot objects as boot left them */
		size_t boot_len;
		bool marked;
	} kmem; /* kernel objects (kmem.c) */

	/*
	 * What a run changed since the post-boot mark, so that sim_reset()
	 * costs what the run touched (reset.c): stores into tables that
	 * existed at boot (undone in reverse), the free stack's low-water
	 * mark (frames below it never left it), pages freed that were not
	 * free at boot, first words written, data-word slots created.
	 */
	struct sim_mark *mark;
	struct sim_undo {
		pte_t *ptep;
		pte_t old;
	} * undo;
	size_t nr_undo, undo_cap;
	unsigned long free_low;
	unsigned long *freed_log;
	size_t nr_freed_log, freed_log_cap;
	unsigned long *word0_log; /* pfns whose word0 was written */
	size_t nr_word0_log, word0_log_cap;
	uint64_t *word0_dirty; /* bitmap: pfn already in word0_log */
	size_t *words_log; /* slots of words[] created */
	size_t nr_words_log, words_log_cap;
	bool words_rehashed;

	/* the model's per-machine state (sim_arch_ops.state_size bytes) */
	void *arch_state;

	/* observers and results */
	struct sim_observer obs[8];
	int nr_obs;
	/* the union of the observers' @events, with the type of each narrow
	 * want (SIM_EV_NARROW) */
	uint64_t ev_wanted;
	/* the narrow wants whose type no observer wants whole: the machine
	 * tests before it builds such an event */
	uint64_t ev_narrow;
	/* sim_observers_changed(): per event type, the observers sim_emit()
	 * calls (bit i: obs[i]; not the counter for what it counts); the
	 * events the first observer with @counted counts, all (ev_counted)
	 * and those no other observer wants whole (ev_in_place; not
	 * SIM_EV_ACCESS while SIM_EV_ACCESS_FREED is in ev_narrow:
	 * sim_count_access_in_place()) */
	uint8_t emit_plan[SIM_EV_NR];
	uint64_t ev_counted, ev_in_place;
	/* that observer's counters: each CPU's first, and per event type
	 * the one it feeds (@counter_of) */
	uint64_t *in_place_base[SIM_MAX_CPUS];
	uint8_t in_place_of[SIM_EV_NR];
	struct sim_finding *findings;
	size_t nr_findings, findings_cap;
	size_t findings_dropped;
	/* findings reported by an observer, emitted after the event */
	int emitting;
	/*
	 * The site of the model's innermost primitive call in progress
	 * (SIM_SITE_CALL()), NULL if none: what sim_emit() puts in each
	 * event. Saved across every coroutine switch (each task keeps its
	 * own), NULL in an interrupt handler and in the context switch until
	 * their code calls a primitive.
	 */
	const struct sim_site *site;
	struct sim_finding *pending;
	size_t nr_pending, pending_cap;
	uint64_t points; /* scheduling points passed */

	/* every choice of the run, in order (choices.c); only counted with
	 * no_choice_record */
	struct sim_choice_rec *choices;
	size_t nr_choices, choices_cap;
	bool in_task; /* a task's stack is running, not the scheduler's */
	bool stopped; /* the run was ended early (finding, deadlock, error) */
	char error[256]; /* why the run could not go on, or "" */
	struct sim_ctx abandon_ctx; /* where an abandoned task's state goes */
	/*
	 * Kept as tasks come and go, so that a scheduling point need not
	 * look at every CPU: the CPUs with a task (cpu[c].curr != NULL), and
	 * how many tasks wait for a spinlock (never less than the truth:
	 * while it is 0, no busy CPU is blocked).
	 */
	uint32_t busy;
	unsigned int nr_blocked;
	/*
	 * busy as a table, kept with it (machine.c, set_curr()): its
	 * nr_busy CPU ids in ascending order, busy_id[k] ==
	 * sim_set_nth(busy, k). A scheduling point picks the k-th busy CPU
	 * with one load instead of a loop whose length is the draw.
	 */
	uint8_t busy_id[SIM_MAX_CPUS];
	unsigned int nr_busy;
	/*
	 * What a scheduling point does, set by sim_run() (machine.c,
	 * sim_sched_point_touch()): draw the random policy's choices inline
	 * (@random: the policy, if it is the seeded random one, else NULL),
	 * answer the round-robin policy's inline (@rr, likewise), or ask
	 * the policy; SIM_POINT_QUIET: one CPU, no interrupts, so only a
	 * runnable task can make a point ask anything.
	 */
	struct policy_random *random;
	struct policy_rr *rr;
	enum sim_point_mode {
		SIM_POINT_QUIET,
		SIM_POINT_ASK,
		SIM_POINT_RANDOM,
		SIM_POINT_RANDOM_RECORD,
		SIM_POINT_RR,
		SIM_POINT_RR_RECORD,
	} point_mode;
};

/* The machine running on this thread, and its current task. */
extern _Thread_local struct sim_machine *sim_this;

static inline struct sim_machine *sim_machine(void)
{
	return sim_this;
}

static inline struct sim_cpu *this_cpu(void)
{
	return sim_this->cur_cpu;
}

static inline struct task_struct *sim_current(void)
{
	return sim_this->cur_cpu->curr;
}
#define current (sim_current())

static inline int smp_processor_id(void)
{
	return sim_this->this_cpu;
}

/* machine.c */
struct sim_machine *sim_create(const struct sim_options *opt);
void sim_destroy(struct sim_machine *m);
void sim_add_observer(struct sim_machine *m, const struct sim_observer *o);
/* sim_observers_changed() - after m->obs[] or nr_obs changed other than by
 * sim_add_observer() (a test taking an observer out): what sim_emit() does
 * with each event, again. */
void sim_observers_changed(struct sim_machine *m);
/*
 * sim_observer_want() - the observer of @m whose @priv is @priv now wants
 * @events (its @events from now on: SIM_EV_BIT()s and narrow wants). An
 * observer whose state makes it drop some events says so, and the machine
 * neither builds nor delivers them while that lasts; it must ask for them
 * again before its handler would act on one. Cheap when nothing changes.
 */
void sim_observer_want(struct sim_machine *m, const void *priv,
		       uint64_t events);
struct task_struct *sim_spawn(struct sim_machine *m, const char *comm, int cpu,
			      void (*fn)(void *arg), void *arg);
void sim_run(struct sim_machine *m);
bool sim_stopped(const struct sim_machine *m);
void sim_reset(struct sim_machine *m);
void sim_set_policy(struct sim_machine *m, struct sim_policy *p);
/*
 * kthread_use_mm() - run the current task in @mm from now on (kernel/
 * kthread.c: switch_mm_irqs_off() with interrupts off, so no scheduling
 * point): the model's switch_mm() and a SIM_EV_SWITCH_MM if the CPU's mm
 * changes.
 */
void kthread_use_mm(struct mm_struct *mm);
void sim_emit(struct sim_event *ev);
void sim_report(const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sim_report_at(const struct sim_finding_at *at, const char *kind,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sim_stop(void);
void sim_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline const char *sim_error(const struct sim_machine *m)
{
	return m->error[0] ? m->error : NULL;
}
void sim_sched_point_touch(enum sim_touch kind, const void *obj);
void sim_sched_point(void); /* touches nothing shared (SIM_TOUCH_LOCAL) */
unsigned int sim_choose(enum sim_choice what, unsigned int n, unsigned int cur);
void might_sleep(void);
void sim_might_sleep_touch(enum sim_touch kind, const void *obj);
void cond_resched(void);
void preempt_disable(void);
void preempt_enable(void);
bool in_interrupt(void);
bool preemptible(void);
void set_thread_flag(unsigned int flag);
void clear_thread_flag(unsigned int flag);
bool test_thread_flag(unsigned int flag);
bool test_and_clear_thread_flag(unsigned int flag);
void sim_unbatched_update(void);
bool sim_in_section(void);
const struct sim_section *sim_section_site(const struct task_struct *t);

/*
 * sim_wants() - whether some observer of @m wants events of @type: an
 * emitter whose event costs more to build than this test asks it first.
 * sim_emit() drops unwanted events anyway.
 */
static inline bool sim_wants(const struct sim_machine *m,
			     enum sim_event_type type)
{
	return m->ev_wanted & SIM_EV_BIT(type);
}

/*
 * sim_count_in_place() - if the only observer that wants events of @type
 * only counts them (struct sim_observer.counted), count one on this CPU and
 * return true: the caller then neither builds nor emits the event. Else
 * false: build it and sim_emit() it. Asked first on the hot paths (a PTE
 * store, a data access, a page allocated or freed).
 */
static inline bool sim_count_in_place(struct sim_machine *m,
				      enum sim_event_type type)
{
	if (!(m->ev_in_place & SIM_EV_BIT(type)) || m->emitting)
		return false;
	m->in_place_base[m->this_cpu][m->in_place_of[type]]++;
	return true;
}

/*
 * sim_count_narrowed() - an event of @type that its narrow want's test
 * turned away (no observer wants it but the counter, if that counts
 * @type): counted in place, and true: the caller builds nothing. False:
 * build and emit it (counted, but not in place now).
 */
static inline bool sim_count_narrowed(struct sim_machine *m,
				      enum sim_event_type type)
{
	return !(m->ev_counted & SIM_EV_BIT(type)) ||
	       sim_count_in_place(m, type);
}

/* The running machine's kernel version: sim_kernel() >= SIM_KERNEL(7, 0). */
static inline int sim_kernel(void)
{
	return sim_this->opt.kernel;
}

/* Whether the run applies @fix (sim_fixes[] in registry.c). */
static inline bool sim_fix_enabled(enum sim_fix fix)
{
	return sim_this->opt.fixes & (1ULL << fix);
}

/* The model's state (see sim_arch_ops.state_size, cpu_state_size). */
static inline void *sim_arch_state(void)
{
	return sim_this->arch_state;
}

static inline void *sim_arch_cpu_state(int cpu)
{
	return sim_this->cpu[cpu].arch_state;
}

/* mem.c: frames, the page allocator, DEBUG_PAGEALLOC */
static inline struct page *pfn_to_page(unsigned long pfn)
{
	return &sim_this->pages[pfn];
}

/* Frame @pfn's PG_ flags. */
static inline unsigned int sim_page_flags(unsigned long pfn)
{
	return sim_this->frame_flags[pfn] ^ PG_free;
}

static inline void sim_set_page_flags(unsigned long pfn, unsigned int flags)
{
	struct sim_machine *m = sim_this;

	m->frame_flags[pfn] = (uint8_t)(flags ^ PG_free);
	if (flags & PG_pgtable) /* its memory will be written */
		m->mem_dirty[pfn / 64] |= 1ULL << (pfn % 64);
}

/* Whether frame @pfn is free (in the page allocator). */
static inline bool sim_frame_free(unsigned long pfn)
{
	return sim_page_flags(pfn) & PG_free;
}

/*
 * sim_count_access_in_place() - sim_count_in_place() for a data access to
 * physical address @pa: while an observer wants the accesses to free frames
 * (SIM_EV_ACCESS_FREED, ev_narrow), ev_in_place leaves SIM_EV_ACCESS out,
 * so that the common test stays one; then an access to a frame in use is
 * counted (if the counter counts accesses) and not built, one to a free
 * frame is built and emitted (false).
 */
static inline bool sim_count_access_in_place(struct sim_machine *m,
					     unsigned long pa)
{
	if (!(m->ev_in_place & SIM_EV_BIT(SIM_EV_ACCESS))) {
		if (!(m->ev_narrow & SIM_EV_ACCESS_FREED) || m->emitting ||
		    sim_frame_free(pa >> PAGE_SHIFT))
			return false;
		if (!(m->ev_counted & SIM_EV_BIT(SIM_EV_ACCESS)))
			return true;
	} else if (m->emitting) {
		return false;
	}
	m->in_place_base[m->this_cpu][m->in_place_of[SIM_EV_ACCESS]]++;
	return true;
}
static inline void *pfn_to_virt_raw(unsigned long pfn)
{
	return sim_this->mem + (pfn << PAGE_SHIFT);
}
static inline unsigned long sim_linear_addr(unsigned long pfn)
{
	return PAGE_OFFSET + (pfn << PAGE_SHIFT);
}
unsigned long alloc_page(gfp_t gfp); /* returns a pfn, 0 on failure */
/* the kept host memory of destroyed machines back to the host (mem.c) */
void sim_mem_pool_drain(void);
void sim_kmem_keep_drain(void); /* kmem.c's part of it */
void sim_spare_drain(void); /* machine.c's: task stacks, hidden arrays */
/* the frame at position @pos of the free stack, 0 <= @pos < nr_free */
unsigned long sim_free_stack_at(const struct sim_machine *m, unsigned long pos);
uint64_t sim_phys_read(unsigned long pa);
void sim_phys_write(unsigned long pa, uint64_t val);
void __free_page(unsigned long pfn);
unsigned long sim_ptep_pfn(const pte_t *ptep);
bool sim_pt_hidden_ok(const struct sim_machine *m);

/*
 * Whether the table frame holding @p (an entry, or the table itself) has
 * any hidden entry: if not, every walker sees its memory.
 */
static inline bool sim_table_has_hidden(const struct sim_machine *m,
					const void *p)
{
	size_t off = (size_t)((const uint8_t *)p - m->mem);

	return m->pages[off >> PAGE_SHIFT].nr_hidden != 0;
}

/* @h's stage: 2 (hidden from every walker) or 1 (from its CPU's, @cpu's). */
static inline int sim_hidden_stage(const struct sim_machine *m,
				   const struct sim_hidden *h, int cpu)
{
	return h->epoch == m->hidden_epoch[cpu] ? 2 : 1;
}

/*
 * for_each_hidden() - each hidden entry @h of machine @m, with its CPU @c
 * and its index @i in that CPU's array: CPU 0's array first, each in store
 * order, holes skipped. @c is an int, @i a uint32_t, both the caller's.
 */
#define for_each_hidden(m, c, i, h)                              \
	for ((c) = 0; (c) < (int)(m)->opt.nr_cpus; (c)++)        \
		for ((i) = 0; (i) < (m)->hidden_len[c]; (i)++)   \
			if (!((h) = &(m)->hidden[c][i])->ptep) { \
			} else

/* The hidden entry of slot @slot (not 0). */
static inline struct sim_hidden *sim_hidden_at(const struct sim_machine *m,
					       uint32_t slot)
{
	return &m->hidden[sim_hidden_slot_cpu(slot)]
			 [sim_hidden_slot_index(slot)];
}

/*
 * sim_pt_walker_read() inline, for the machine's hot paths (the table
 * walk of a TLB miss): what @cpu's walker sees at the entry @ptep of @m.
 */
static inline pte_t sim_pt_walker_see(const struct sim_machine *m,
				      const pte_t *ptep, int cpu)
{
	size_t off = (size_t)((const uint8_t *)ptep - m->mem);
	const struct sim_hidden *h;
	uint32_t slot;
	int writer;

	if (!sim_table_has_hidden(m, ptep))
		return *ptep;
	slot = m->hidden_slot[off / sizeof(pte_t)];
	if (!slot)
		return *ptep;
	writer = sim_hidden_slot_cpu(slot);
	h = sim_hidden_at(m, slot);
	return writer == cpu || sim_hidden_stage(m, h, writer) == 2 ? h->old :
								      *ptep;
}

/*
 * sim_pt_hidden() - the hidden store at @ptep of @m (its @old: what
 * walkers that do not see it read), or NULL if walkers see the entry.
 */
static inline const struct sim_hidden *
sim_pt_hidden(const struct sim_machine *m, const pte_t *ptep)
{
	size_t off = (size_t)((const uint8_t *)ptep - m->mem);
	uint32_t slot;

	if (!m->pages[off >> PAGE_SHIFT].nr_hidden)
		return NULL;
	slot = m->hidden_slot[off / sizeof(pte_t)];
	return slot ? sim_hidden_at(m, slot) : NULL;
}
void sim_mem_init(struct sim_machine *m);
void sim_mem_free(struct sim_machine *m);

/* kmem.c: kernel objects, owned by the machine */
void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void kfree(const void *p);
void sim_kmem_mark(struct sim_machine *m);
void sim_kmem_reset(struct sim_machine *m);
void sim_kmem_free_all(struct sim_machine *m);

/* reset.c: what sim_reset() needs to know of a run */
void sim_reset_mark(struct sim_machine *m);
void sim_reset_free(struct sim_machine *m);
void sim_reset_log_pt_store(pte_t *ptep);
void sim_reset_log_free(struct sim_machine *m, unsigned long pfn);
void sim_reset_log_grow(void **buf, size_t *cap, size_t elem);

/* pgtable.c: page tables and their walks */
pte_t *sim_table_of(pte_t entry);
pte_t *sim_walk(struct mm_struct *mm, unsigned long addr, int level,
		bool alloc);
pte_t *pte_offset_kernel_alloc(unsigned long addr);
struct mm_struct *sim_mm_alloc(const char *name);
/*
 * Who sees a page-table store: every walker at once (SEEN); no walker until
 * the barriers that follow the store right away (IN_FLIGHT: another CPU may
 * race with them, which the kernel recovers as a spurious fault); or no
 * walker until the lazy MMU section is flushed (DEFERRED).
 */
enum sim_pt_vis {
	SIM_PT_SEEN,
	SIM_PT_IN_FLIGHT,
	SIM_PT_DEFERRED,
};

void sim_pt_write(pte_t *ptep, pte_t val, unsigned long addr,
		  enum sim_pt_vis vis);
/*
 * Atomic read-modify-writes (xchg, cmpxchg): one scheduling point before
 * the read, none between the read and the write, the events of
 * sim_pt_write() when they store. Both return what the entry held.
 */
pte_t sim_pt_xchg(pte_t *ptep, pte_t val, unsigned long addr,
		  enum sim_pt_vis vis);
pte_t sim_pt_cmpxchg(pte_t *ptep, pte_t old, pte_t val, unsigned long addr,
		     enum sim_pt_vis vis);
void sim_pt_hide(pte_t *ptep, pte_t old);
void sim_pt_publish(int cpu);
void sim_pt_sync(int cpu);
void sim_pt_sync_all(void);
pte_t sim_pt_walker_read(const pte_t *ptep, int cpu);

/* tlb.c: translation and data access */
#define TLB_ASID_ALL 0xffffU
void sim_tlb_init(struct sim_tlb *tlb, unsigned int capacity);
/* After the TLBs and the model are set: whether translate() may take its
 * inline path (tlb.c). */
void sim_translate_setup(struct sim_machine *m);
void sim_tlb_inval_page(int cpu, unsigned long addr, uint16_t asid);
void sim_tlb_drop_page(struct sim_tlb *tlb, unsigned long vpn, uint16_t asid);
void sim_tlb_inval_range(int cpu, unsigned long addr, unsigned long nr,
			 uint16_t asid);
void sim_tlb_inval_all(int cpu);
void sim_tlb_inval_asid(int cpu, uint16_t asid);
uint64_t sim_load(unsigned long addr);
void sim_store(unsigned long addr, uint64_t val);
bool sim_translate(unsigned long addr, unsigned long *pa);
/*
 * sim_probe_load() / sim_probe_store() - a data access that may fault
 * without a finding (a user access whose fault the caller handles, or
 * expects: an unmapped or read-only page). A store also checks the
 * translation's write permission (PTE_RDONLY): what the TLB holds, however
 * old. Return false, with a SIM_EV_FAULT, if the access faults.
 */
bool sim_probe_load(unsigned long addr, uint64_t *val);
bool sim_probe_store(unsigned long addr, uint64_t val);

/* generic.c: the generic lazy MMU layer of the design in force */
void sim_lazy_mmu_mode_enable(void);
void sim_lazy_mmu_mode_enable_with_ptes(struct mm_struct *mm,
					unsigned long addr, unsigned long end,
					pte_t *ptep);
void sim_lazy_mmu_mode_disable(void);
void sim_lazy_mmu_mode_pause(void);
void sim_lazy_mmu_mode_resume(void);
bool sim_is_lazy_mmu_mode_active(void);
bool sim_task_lazy_mmu_mode_active(const struct task_struct *t);
extern const struct sim_embedder_ops sim_embedder;

/*
 * SIM_SITE_CALL(type, call) / SIM_SITE_CALL_VOID(call) - @call, a call of a
 * kernel-facing primitive returning @type (or nothing), with this line as
 * the machine's site while it runs: every event it emits names the model
 * code that caused it. The site before it comes back when it returns, so
 * that the rest of an outer primitive keeps its own. Cost: a thread-local
 * load, a load and two stores around the call.
 *
 * The primitives are wrapped under their own names below (and in arch.h),
 * so models call them as the kernel does. A file of the machine itself
 * defines SIM_NO_SITES before its includes: its own calls leave the
 * model's site alone (and its definitions are not macros).
 */
#ifdef SIM_NO_SITES
#define SIM_SITE_CALL(type, call) (call)
#define SIM_SITE_CALL_VOID(call) (call)
#else
#define SIM_SITE_ENTER()                                                \
	static const struct sim_site __sim_site = { __func__, __FILE__, \
						    __LINE__ };         \
	struct sim_machine *const __sim_m = sim_this;                   \
	const struct sim_site *const __sim_prev = __sim_m->site;        \
	__sim_m->site = &__sim_site
#define SIM_SITE_CALL(type, call)           \
	({                                  \
		SIM_SITE_ENTER();           \
		type __sim_ret = (call);    \
		__sim_m->site = __sim_prev; \
		__sim_ret;                  \
	})
#define SIM_SITE_CALL_VOID(call)            \
	({                                  \
		SIM_SITE_ENTER();           \
		(call);                     \
		__sim_m->site = __sim_prev; \
		(void)0;                    \
	})
#endif

/*
 * Kernel code (src/mm, src/arch, the machine's kernel services) calls the
 * generic lazy MMU layer of the design in force (sim_designs[]): the 7.0
 * core, the pre-7.0 passthrough onto the arch hooks, the hypothetical
 * noflush, or nothing when the kernel has no lazy MMU mode. The core's own
 * functions are still reachable as (lazy_mmu_mode_enable)().
 */
#define lazy_mmu_mode_enable() SIM_SITE_CALL_VOID(sim_lazy_mmu_mode_enable())
/*
 * The proposed lazy_mmu_mode_enable_with_ptes(mm, addr, end, ptep) (s390
 * series, 2026): an enable whose caller names the one PTE table range it
 * updates; an arch without the ranged hook gets a plain enable.
 */
#define lazy_mmu_mode_enable_with_ptes(mm, addr, end, ptep) \
	SIM_SITE_CALL_VOID(                                 \
		sim_lazy_mmu_mode_enable_with_ptes(mm, addr, end, ptep))
#define lazy_mmu_mode_disable() SIM_SITE_CALL_VOID(sim_lazy_mmu_mode_disable())
#define lazy_mmu_mode_pause() SIM_SITE_CALL_VOID(sim_lazy_mmu_mode_pause())
#define lazy_mmu_mode_resume() SIM_SITE_CALL_VOID(sim_lazy_mmu_mode_resume())
/* as models see it: through the design in force (registry.h) */
#define is_lazy_mmu_mode_active() sim_is_lazy_mmu_mode_active()

/* The machine's primitives that emit events, as models call them. */
#ifndef SIM_NO_SITES
#define kthread_use_mm(...) SIM_SITE_CALL_VOID(kthread_use_mm(__VA_ARGS__))
#define alloc_page(...) SIM_SITE_CALL(unsigned long, alloc_page(__VA_ARGS__))
#define __free_page(...) SIM_SITE_CALL_VOID(__free_page(__VA_ARGS__))
#define sim_tlb_inval_page(...) \
	SIM_SITE_CALL_VOID(sim_tlb_inval_page(__VA_ARGS__))
#define sim_tlb_inval_range(...) \
	SIM_SITE_CALL_VOID(sim_tlb_inval_range(__VA_ARGS__))
#define sim_tlb_inval_all(...) \
	SIM_SITE_CALL_VOID(sim_tlb_inval_all(__VA_ARGS__))
#define sim_tlb_inval_asid(...) \
	SIM_SITE_CALL_VOID(sim_tlb_inval_asid(__VA_ARGS__))
#define sim_walk(...) SIM_SITE_CALL(pte_t *, sim_walk(__VA_ARGS__))
#define pte_offset_kernel_alloc(...) \
	SIM_SITE_CALL(pte_t *, pte_offset_kernel_alloc(__VA_ARGS__))
#define sim_load(...) SIM_SITE_CALL(uint64_t, sim_load(__VA_ARGS__))
#define sim_store(...) SIM_SITE_CALL_VOID(sim_store(__VA_ARGS__))
#define sim_probe_load(...) SIM_SITE_CALL(bool, sim_probe_load(__VA_ARGS__))
#define sim_probe_store(...) SIM_SITE_CALL(bool, sim_probe_store(__VA_ARGS__))
#endif

#endif /* _LAZYMMU_SIM_SIM_H */
