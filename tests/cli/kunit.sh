#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# What make check-kunit rests on, checked without building a kernel:
# kunit/ktap-count, which turns the kernel's KTAP into its verdict, and the
# core's inline definitions under the kernel's "every inline is gnu_inline"
# (include/linux/compiler_types.h), which once kept vmlinux from linking.
. "$(dirname "$0")/../tap.sh"
C=kunit/ktap-count

# A suite as 6.1's lib/kunit/test.c prints it: cases four spaces deep.
cat >"$tmp/pass.ktap" <<'EOF'
KTAP version 1
1..1
    KTAP version 1
    # Subtest: lazymmu_core
    1..3
    ok 1 lazy_mmu_mode_active
    ok 2 hooks_in_order
    ok 3 softirq_is_noop # SKIP no hrtimers
# lazymmu_core: pass:2 fail:0 skip:1 total:3
ok 1 lazymmu_core
EOF
out=$("$C" "$tmp/pass.ktap")
rc=$?
# Two "ok", one "ok ... # SKIP"; the top-level "ok 1 lazymmu_core" is the
# suite, not a case.
[ "$out" = "2 passed, 0 failed, 1 skipped" ]
t $? "passing suite: cases counted, suite line not: '$out'"
[ $rc = 0 ]
t $? "passing suite: exit 0 (got $rc)"

sed 's/^    ok 2 hooks_in_order/    not ok 2 hooks_in_order/' \
	"$tmp/pass.ktap" >"$tmp/fail.ktap"
out=$("$C" "$tmp/fail.ktap")
rc=$?
[ "$out" = "1 passed, 1 failed, 1 skipped" ]
t $? "a failing case is counted as failed: '$out'"
[ $rc = 1 ]
t $? "a failing case: exit 1 (got $rc)"

# The kernel died after case 1 of 3: the two unreported cases failed.
head -n 6 "$tmp/pass.ktap" >"$tmp/crash.ktap"
out=$("$C" "$tmp/crash.ktap" | head -n 1)
"$C" "$tmp/crash.ktap" >/dev/null
rc=$?
[ "$out" = "1 passed, 2 failed, 0 skipped" ]
t $? "cases announced by the plan but never reported fail: '$out'"
[ $rc = 1 ]
t $? "a crashed run: exit 1 (got $rc)"

# No KTAP at all (the kernel did not boot): nothing passed, that fails.
: >"$tmp/empty.ktap"
out=$("$C" "$tmp/empty.ktap")
rc=$?
[ "$out" = "0 passed, 0 failed, 0 skipped" ] && [ $rc = 1 ]
t $? "no case ran: exit 1 (got '$out', $rc)"

# printk timestamps before the KTAP, as a console with PRINTK_TIME has.
sed 's/^/[    1.234567] /' "$tmp/pass.ktap" >"$tmp/time.ktap"
out=$("$C" "$tmp/time.ktap")
[ "$out" = "2 passed, 0 failed, 1 skipped" ]
t $? "timestamped console lines: '$out'"

# The core's inline definitions, compiled as Linux compiles them: two
# callers and the core must link, with one definition of each function
# (the core's): the callers' copies stay inline only.
# And the C99 inline definitions that compilers without GNU C get
# (LAZY_MMU_C99_INLINE picks them under gcc and clang too): there the
# prototypes must say "inline" as well, or every caller emits a definition.
for c in gcc clang; do
	if ! command -v $c >/dev/null 2>&1; then
		t 0 "# SKIP $c not installed"
		t 0 "# SKIP $c not installed"
		continue
	fi
	printf '%s\n' '#define inline inline __attribute__((__gnu_inline__)) __attribute__((__unused__))' >"$tmp/kinline.h"
	for u in 1 2; do
		cat >"$tmp/user$u.c" <<EOF
#include <lazymmu/lazy_mmu.h>
void user$u(void);
void user$u(void) { lazy_mmu_mode_enable(); lazy_mmu_mode_disable(); }
EOF
	done
	cat >"$tmp/hooks.c" <<'EOF'
#include <lazymmu/lazy_mmu.h>
static struct lazy_mmu_state s;
struct lazy_mmu_state *lazy_mmu_current_state(void) { return &s; }
bool lazy_mmu_in_interrupt(void) { return false; }
void arch_enter_lazy_mmu_mode(void) {}
void arch_leave_lazy_mmu_mode(void) {}
void arch_flush_lazy_mmu_mode(void) {}
void lazy_mmu_warn(const char *what) { (void)what; }
void user1(void);
void user2(void);
int main(void) { user1(); user2(); return s.enable_count; }
EOF
	for mode in kernel c99; do
		if [ $mode = kernel ]; then
			flags="-std=gnu11 -include $tmp/kinline.h"
			what="when every inline is gnu_inline (as in Linux)"
		else
			flags="-std=c11 -DLAZY_MMU_C99_INLINE"
			what="with C99 inline definitions (compilers without GNU C)"
		fi
		rc=0
		for f in src/core/lazy_mmu.c "$tmp/user1.c" "$tmp/user2.c" \
			"$tmp/hooks.c"; do
			$c $flags -O0 -Iinclude -c "$f" \
				-o "$tmp/$c-$(basename "$f" .c).o" 2>"$tmp/err" || rc=1
		done
		[ $rc = 0 ] && $c -o "$tmp/$c-linked" "$tmp/$c-lazy_mmu.o" \
			"$tmp/$c-user1.o" "$tmp/$c-user2.o" "$tmp/$c-hooks.o" \
			2>"$tmp/err" && "$tmp/$c-linked"
		rc=$?
		[ $rc = 0 ] || sed 's/^/# /' "$tmp/err" | head -n 8
		t $rc "$c: the core links with two callers $what"
	done
done

echo "1..$n"
exit $fail
