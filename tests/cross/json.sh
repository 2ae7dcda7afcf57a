#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The same seed gives the same run on every architecture: make check-cross
# runs this with $LAZYMMU the command cross-built for another architecture
# (under qemu-user) and $LAZYMMU_NATIVE the host's, and every output below
# must be the same bytes from both: run --json for every arch model and
# workload (names read from `lazymmu help run`, so new ones are covered),
# at several kernels, CPUs, seeds and scheduler options, the Chrome trace
# and the saved scheduler choices of a run, the default tour and the
# core's table. Endianness, word size, char signedness (ppc64le and arm64
# have unsigned char) and the coroutine switch would all show here.
. "$(dirname "$0")/../tap.sh"
N=${LAZYMMU_NATIVE:-}
if [ -z "$N" ] || [ ! -x "$N" ]; then
	echo "ok 1 # SKIP no LAZYMMU_NATIVE to compare with (make check-cross sets it)"
	echo "1..1"
	exit 0
fi

# same NAME ARGS...: stdout, stderr and exit status of both, compared;
# files the run writes go to $tmp/{n,c}.out.*: an argument @OUT@.x names one
same() {
	case_name=$1
	shift
	for side in n c; do
		cmd=$N
		[ $side = c ] && cmd=$L
		args=
		for arg in "$@"; do
			case $arg in
			@OUT@*) arg=$tmp/$side.out${arg#@OUT@} ;;
			esac
			args="$args $arg"
		done
		# shellcheck disable=SC2086 # $args: words without spaces
		$cmd $args >"$tmp/$side.stdout" 2>"$tmp/$side.stderr"
		echo $? >"$tmp/$side.rc"
	done
	diffs=
	for f in stdout stderr rc; do
		cmp -s "$tmp/n.$f" "$tmp/c.$f" || diffs="$diffs $f"
	done
	for f in "$tmp"/n.out.*; do
		[ -e "$f" ] || continue
		c=$tmp/c.${f#"$tmp"/n.}
		cmp -s "$f" "$c" || diffs="$diffs ${f#"$tmp"/n.}"
	done
	# an empty stdout would compare equal without showing anything
	[ -z "$diffs" ] && [ -s "$tmp/n.stdout" ]
	st=$?
	read -r rc <"$tmp/n.rc"
	t $st "$case_name: same bytes natively and on ${CROSS_ARCH:-the other arch}${diffs:+ (differ:$diffs)} (exit $rc)"
	if [ -n "$diffs" ]; then
		diff "$tmp/n.stdout" "$tmp/c.stdout" | head -n 10 | cut -c1-300 | sed "s/^/# /"
	fi
	rm -f "$tmp"/[nc].*
}

usage=$("$N" help run 2>&1)
arches=$(echo "$usage" | sed -n 's/^  --arch A *\([^(]*\)(.*/\1/p' | tr -d ,)
workloads=$(echo "$usage" | sed -n 's/^  --workload W *\([^(]*\)(.*/\1/p' | tr -d ,)
[ -n "$arches" ] && [ -n "$workloads" ]
t $? "arches and workloads read from 'lazymmu help run' ($(echo $arches) / $(echo $workloads))"

# every model with every workload: 2 CPUs, interrupts and preemption
# drawn from the seed, DEBUG_PAGEALLOC on every other one
seed=1
for a in $arches; do
	for w in $workloads; do
		dp=
		[ $((seed % 2)) = 0 ] && dp=--debug-pagealloc
		same "run --arch $a --workload $w --cpus 2 --pages 24 --seed $seed${dp:+ $dp}" \
			run --arch "$a" --workload "$w" --cpus 2 --pages 24 \
			--seed $seed $dp --json
		seed=$((seed + 1))
	done
done

# other kernels, designs, and scheduler and TLB options
same "arm64 6.16, 3 CPUs, DEBUG_PAGEALLOC" run --arch arm64 --kernel 6.16 \
	--workload munmap --cpus 3 --pages 40 --debug-pagealloc --seed 7 --json
same "xen-pv 7.0 (the nested-enter BUG_ON), 4 CPUs" run --arch xen-pv \
	--kernel 7.0 --workload vmalloc --cpus 4 --pages 64 --seed 11 --json
same "s390 7.1+lazy-v6, 600 pages" run --arch s390 --kernel 7.1+lazy-v6 \
	--workload vmalloc --pages 600 --json
same "ppc64-hash noflush design, random TLB eviction" run --arch ppc64-hash \
	--design noflush --workload fork --cpus 2 --pages 32 \
	--tlb-entries 8 --tlb-evict random --seed 5 --json
same "sparc64, round-robin, no interrupts, lazy off" run --arch sparc64 \
	--workload mremap --cpus 2 --pages 32 --sched rr --no-irq --lazy off --json
same "a seed above 2^63" run --arch arm64 --workload fork --cpus 2 \
	--pages 16 --seed 18446744073709551557 --json
# the trace writer and the saved choices, as files
same "Chrome trace and saved choices of a 2-CPU xen-pv run" run --arch xen-pv \
	--workload munmap --cpus 2 --pages 16 --seed 3 --json \
	--trace @OUT@.trace --save-choices @OUT@.choices
# the text outputs
same "the default tour" 
same "explain --json" explain --json

echo "1..$n"
exit $fail
