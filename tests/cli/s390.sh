#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# lazymmu run --arch s390: mainline 7.1 against Gordeev's series (kernel
# label 7.1+lazy-v6) compare by IPTE counts; the label is refused for the
# other arches; every version runs clean on a few machines.
. "$(dirname "$0")/../tap.sh"
lmm=$L

# inval KERNEL ARGS... - tlb_invalidations of a vmalloc run, rr scheduling.
inval() {
	k=$1
	shift
	"$lmm" run --arch s390 --kernel "$k" --sched rr --json "$@" |
		python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["events"]["tlb_invalidations"] if not d["findings"] else -1)'
}

# 512 pages: 7.1 pays 512 IPTEs (plus whatever kernel flushes vfree()'s
# lazy purge makes); the series 2 to 4 IPTE ranges of up to 256 (one or two
# PTE tables) plus the same kernel flushes
a=$(inval 7.1 --pages 512)
b=$(inval 7.1+lazy-v6 --pages 512)
t "$([ "$a" -ge 512 ] && [ $((a - b)) -ge 508 ] && [ $((a - b)) -le 510 ]; echo $?)" \
	"512 pages: 7.1 $a TLB invalidations, 7.1+lazy-v6 $b"
c=$(inval 7.1+lazy-v6 --pages 512 --lazy off)
t "$([ "$c" = "$a" ]; echo $?)" "7.1+lazy-v6 --lazy off is mainline (got $c)"

for arch in arm64 generic; do
	err=$("$lmm" run --arch $arch --kernel 7.1+lazy-v6 2>&1 >/dev/null)
	rc=$?
	t "$([ $rc = 2 ] && echo "$err" | grep -q 'no model for kernel 7.1+lazy-v6'; echo $?)" \
		"$arch --kernel 7.1+lazy-v6: exit 2, no model ($err)"
done
"$lmm" list | grep -q '7.1+lazy-v6'
t $? "lazymmu list shows the label"

for k in 6.16 7.0 7.1 7.1+lazy-v6; do
	for c in 1 4; do
		"$lmm" run --arch s390 --kernel $k --cpus $c --seed $((c * 7)) \
			--pages 300 --debug-pagealloc >/dev/null 2>&1
		t $? "s390 $k, $c CPUs, DEBUG_PAGEALLOC: clean"
	done
done
echo "1..$n"
exit $fail
