#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The tour's matrix (src/cli/tour.c tour_matrix()): a row per workload of
# `lazymmu list`, a column per model with a lazy MMU mode, each cell what
# `lazymmu run` counts (off>on), the findings listed; deterministic.
. "$(dirname "$0")/../tap.sh"

"$L" >"$tmp/tour"
t $? "the tour exits 0"
"$L" >"$tmp/tour2"
cmp -s "$tmp/tour" "$tmp/tour2"
t $? "the tour prints the same twice (round-robin, no seed)"

# the matrix alone: from its title to the line before the findings
sed -n '/^Every workload on every model/,/^Findings of those runs/p' "$tmp/tour" >"$tmp/m"
[ -s "$tmp/m" ]
t $? "the tour has the workload x model matrix"

# every workload `lazymmu list` names has its row, generated from the
# registry: a workload added later appears without touching the tour
"$L" list | sed -n '/^workloads:/,/^[a-z]/p' | grep '^  [a-z]' | sed 's/^  //' >"$tmp/ws"
[ "$(wc -l <"$tmp/ws")" -ge 9 ]
t $? "list names the workloads ($(wc -l <"$tmp/ws"))"
missing=""
for w in $(cat "$tmp/ws"); do
	grep -q "^$w  *[0-9n]" "$tmp/m" || missing="$missing $w"
done
[ -z "$missing" ]
t $? "a matrix row per workload (missing:$missing)"

# the columns: every model with a lazy MMU mode at the newest kernel, and
# s390's proposed series (a kernel label); generic and s390 mainline have
# none, so no column
hdr=$(sed -n '4p' "$tmp/m")
for h in arm64 ppc64-hash sparc64 xen-pv lazy-v6; do
	echo "$hdr" | grep -qw -- "$h"
	t $? "a matrix column '$h'"
done
echo "$hdr" | grep -qw generic
[ $? != 0 ]
t $? "no column for generic (x86 native has no lazy MMU mode)"

# cell: the column's position among the headers, the row's value there
cell() {
	col=$(echo "$hdr" | awk -v h="$2" '{ for (i = 1; i <= NF; i++) if ($i == h) print i + 1 }')
	grep "^$1 " "$tmp/m" | awk -v c="$col" '{ print $c }'
}

# vmalloc on arm64, 16 pages: with the mode off each of the 16 kernel PTE
# stores pays dsb ishst + isb (32); on, the one PTE table's section pays
# one pair at its end (2). vfree() pays none (its flush waits for the lazy
# purge).
v=$(cell vmalloc arm64)
[ "$v" = "32>2" ]
t $? "vmalloc on arm64: 32>2 barriers ($v)"

# ctxsw on xen-pv: the cell is what `lazymmu run` counts, hypercalls off
# and on, with the same options (16 rounds a thread, round-robin)
on=$("$L" run --arch xen-pv --workload ctxsw --pages 16 --sched rr --json | sed 's/.*"hypercalls":\([0-9]*\).*/\1/')
off=$("$L" run --arch xen-pv --workload ctxsw --pages 16 --sched rr --lazy off --json | sed 's/.*"hypercalls":\([0-9]*\).*/\1/')
v=$(cell ctxsw xen-pv)
[ -n "$on" ] && [ "$v" = "$off>$on" ] && [ "$on" -lt "$off" ]
t $? "ctxsw on xen-pv: run's hypercalls, off>on, fewer on ($v; run: $off>$on)"

# fork on sparc64: off, one TSB flush per write-protected parent PTE and
# per child PTE, each invalidation on its own (tlb_invalidations); on,
# the section's batch flushed once (batch_flushes)
on=$("$L" run --arch sparc64 --workload fork --pages 16 --sched rr --json | sed 's/.*"batch_flushes":\([0-9]*\).*/\1/')
off=$("$L" run --arch sparc64 --workload fork --pages 16 --sched rr --lazy off --json | sed 's/.*"tlb_invalidations":\([0-9]*\).*/\1/')
v=$(cell fork sparc64)
[ "$v" = "$off>$on" ] && [ "$on" = 1 ]
t $? "fork on sparc64: invalidations off, one batch flush on ($v)"

# kunit updates no PTE: nothing to defer anywhere
v=$(grep "^kunit " "$tmp/m" | awk '{ for (i = 2; i <= NF; i++) if ($i != "0>0") bad = 1; print bad ? "no" : "yes" }')
[ "$v" = yes ]
t $? "kunit: 0>0 in every column"

# findings: the deliberately wrong caller on arm64, and nothing of ctxsw
# or kunit (round-robin never switches ctxsw's threads)
sed -n '/^Findings of those runs/,/^$/p' "$tmp/tour" >"$tmp/f"
grep -q "^  vmalloc-touch-early on arm64 (on): deferred-access 16" "$tmp/f"
t $? "the findings list the wrong caller on arm64: deferred-access, one per page"
! grep -q "ctxsw\|kunit" "$tmp/f"
t $? "no findings for ctxsw and kunit in the tour"

# 80 columns
awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$tmp/m"
t $? "the matrix fits in 80 columns"

echo "1..$n"
exit $fail
