#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The core builds as a freestanding object from include/ and src/core/ alone,
# sees no header beyond the compiler's <stdint.h> <stdbool.h> <stddef.h>, and
# needs nothing from outside but the six hooks of <lazymmu/env.h>.
cc=${CC:-gcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

for c in gcc clang; do
	command -v $c >/dev/null 2>&1 || { n=$((n + 1)); echo "ok $n - # SKIP $c not installed"; continue; }
	inc=$($c -print-file-name=include)
	objs=""
	rc=0
	for f in src/core/*.c; do
		o="$tmp/$c-$(basename "$f" .c).o"
		$c -std=c11 -ffreestanding -nostdinc -isystem "$inc" -Iinclude \
			-Wall -Wextra -Werror -O2 -c "$f" -o "$o" 2>"$tmp/err" || { cat "$tmp/err" | sed 's/^/# /'; rc=1; }
		objs="$objs $o"
	done
	t $rc "core compiles freestanding with $c (-ffreestanding -nostdinc)"
	[ $rc = 0 ] || continue
	undef=$(nm -u $objs | awk 'NF==2 {print $2}' | sort -u | tr '\n' ' ')
	want="arch_enter_lazy_mmu_mode arch_flush_lazy_mmu_mode arch_leave_lazy_mmu_mode lazy_mmu_current_state lazy_mmu_in_interrupt lazy_mmu_warn "
	[ "$undef" = "$want" ]
	t $? "core ($c) needs only the six env.h hooks (got: $undef)"
done
echo "1..$n"
exit $fail
