#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# bench/compare.sh - is a faster machine still the same machine?
#
#   bench/compare.sh LAZYMMU OUTDIR     run every configuration, keep outputs
#   diff -r OUTDIR_BEFORE OUTDIR_AFTER  nothing may differ
#
# Runs `LAZYMMU run` on a broad set of configurations (every arch, workload
# and kernel; 1 to 16 CPUs; both schedulers; several seeds; DEBUG_PAGEALLOC,
# small TLBs with random eviction, the noflush design, no interrupts, lazy
# mode off) and keeps, per configuration, the --json output and, for the
# small ones, the Chrome trace (every event, in order) and the saved choices
# (every scheduler choice). A speed-up of the machine's hot paths must leave
# all three byte for byte as they were: build the tree before and after,
# run this with each binary, diff -r the two directories.
#
# Configurations are listed one a line, so that diff -r names the one that
# changed. About 400 runs; a few seconds with the release build.
set -u

bin=${1:?usage: bench/compare.sh LAZYMMU OUTDIR}
out=${2:?usage: bench/compare.sh LAZYMMU OUTDIR}
mkdir -p "$out" || exit 2

arches="generic arm64 ppc64-hash sparc64 xen-pv s390"
workloads=$("$bin" list 2>/dev/null |
	sed -n '/^workloads:/,/^[a-z]/p' | sed -n 's/^  \([a-z0-9-]*\)$/\1/p')
[ -n "$workloads" ] ||
	workloads="vmalloc vmalloc-touch-early vunmap fork munmap mprotect mremap"
kernels="6.16 6.17 7.0 7.1"

n=0
# one run: a name for the files, then the options
run() {
	name=$1
	shift
	n=$((n + 1))
	"$bin" run "$@" --json >"$out/$name.json" 2>"$out/$name.err"
	echo "exit $?" >>"$out/$name.json"
}

# the same, with the event stream and the choices kept (small runs only)
run_traced() {
	name=$1
	shift
	n=$((n + 1))
	"$bin" run "$@" --json --trace "$out/$name.trace" \
		--save-choices "$out/$name.choices" >"$out/$name.json" \
		2>"$out/$name.err"
	echo "exit $?" >>"$out/$name.json"
}

i=0
for a in $arches; do
	for w in $workloads; do
		for k in $kernels; do
			i=$((i + 1))
			cpus=$((1 << (i % 4)))	# 1 2 4 8
			seed=$((i * 7919))
			run_traced "$a.$w.$k.c$cpus" --arch "$a" --workload "$w" \
				--kernel "$k" --cpus "$cpus" --pages 24 \
				--seed "$seed"
			run "$a.$w.$k.rr" --arch "$a" --workload "$w" \
				--kernel "$k" --cpus 2 --pages 300 --sched rr \
				--seed "$seed"
		done
		# the options that change the machine, on the newest kernel
		run_traced "$a.$w.dpa" --arch "$a" --workload "$w" \
			--cpus 2 --pages 20 --debug-pagealloc --seed 5
		run_traced "$a.$w.tlb" --arch "$a" --workload "$w" \
			--cpus 3 --pages 40 --tlb-entries 6 --tlb-evict random \
			--seed 11
		run "$a.$w.tlb4" --arch "$a" --workload "$w" \
			--cpus 2 --pages 700 --tlb-entries 16 --seed 12
		run "$a.$w.noflush" --arch "$a" --workload "$w" \
			--cpus 2 --pages 50 --design noflush --seed 13
		run "$a.$w.noirq" --arch "$a" --workload "$w" \
			--cpus 4 --pages 50 --no-irq --seed 14
		run "$a.$w.lazyoff" --arch "$a" --workload "$w" \
			--cpus 2 --pages 50 --lazy off --no-sanitize --seed 15
		run "$a.$w.c16" --arch "$a" --workload "$w" \
			--cpus 16 --pages 64 --seed 16
	done
done
# the bench's own configurations, smaller
for c in 1 2 4 8 16; do
	p=$((8192 / c))
	for s in rr random; do
		run "bench.c$c.$s" --cpus "$c" --pages "$p" --sched "$s"
		run "bench.c$c.$s.nosan" --cpus "$c" --pages "$p" --sched "$s" \
			--no-sanitize
		run "bench.c$c.$s.lazyoff" --cpus "$c" --pages "$p" \
			--sched "$s" --lazy off
	done
done
run_traced s390.lazyv6 --arch s390 --kernel 7.1+lazy-v6 --cpus 2 --pages 600
run s390.lazyv6.c4 --arch s390 --kernel 7.1+lazy-v6 --cpus 4 --pages 300 \
	--workload munmap
echo "$n runs in $out"
