#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# lazymmu run and lazymmu list: JSON contract, exit statuses, messages for
# bad input, determinism.
. "$(dirname "$0")/../tap.sh"
# expect_usage "name" "message regex" ARGS...: exit 2, message on stderr
expect_usage() {
	name=$1 re=$2
	shift 2
	"$L" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q -- "$re" "$tmp/err" && [ ! -s "$tmp/out" ]
	t $? "$name: exit 2, says '$re' (rc $rc: $(head -c 120 "$tmp/err"))"
}
json() { python3 -c "import json,sys; d=json.load(open('$tmp/j')); $1"; }

"$L" run --arch arm64 --workload vmalloc --json >"$tmp/j"
t $? "run --json exits 0 on a clean run"
if [ $have_py = 1 ]; then
	json "
for k in ['arch','kernel','workload','lazy','pages','events','findings']:
    assert k in d, k
for k in ['pte_writes','barriers','hypercalls','batch_flushes','tlb_invalidations','faults','unbatched_in_section']:
    assert isinstance(d['events'][k], int), k
assert d['arch'] == 'arm64' and d['workload'] == 'vmalloc' and d['lazy'] is True
assert d['pages'] == 512 and d['findings'] == []
"
	t $? "run --json has the contract fields (docs/user-guide.md, JSON)"
	"$L" run --arch arm64 --workload vmalloc --kernel 6.16 --lazy off --pages 64 --cpus 2 --json >"$tmp/j"
	json "assert d['kernel'] == '6.16' and d['lazy'] is False and d['pages'] == 64 and d['cpus'] == 2 and len(d['per_cpu']) == 2"
	t $? "run --json reflects --kernel, --lazy, --pages, --cpus"
	json "assert d['events']['barriers'] >= 2 * 64 * 2"
	t $? "lazy off: at least a dsb+isb per page"
else
	n=$((n + 3)); echo "ok $((n - 2)) # SKIP no python3"; echo "ok $((n - 1)) # SKIP no python3"; echo "ok $n # SKIP no python3"
fi

"$L" run --arch arm64 --workload vmalloc --cpus 3 --debug-pagealloc --seed 7 --json >"$tmp/a"
"$L" run --arch arm64 --workload vmalloc --cpus 3 --debug-pagealloc --seed 7 --json >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b"
t $? "same seed: identical JSON"
"$L" run --arch arm64 --workload vmalloc --cpus 3 --debug-pagealloc --seed 8 --json >"$tmp/b"
! cmp -s "$tmp/a" "$tmp/b"
t $? "another seed: different JSON"
"$L" run --arch arm64 --workload vmalloc --seed 5 | grep -q "seed 5"
t $? "text output prints the seed"

expect_usage "unknown arch" "unknown arch 'mips'" run --arch mips --workload vmalloc
# the first arch still planned, if any (options.sh checks every one)
planned=$("$L" list | awk '/^[a-z]/ { on = /^arches planned/; next } on && /^  [^ ]/ { print $1; exit }')
if [ -n "$planned" ]; then
	expect_usage "unmodelled arch" "arch '$planned'" run --arch "$planned" --workload vmalloc
else
	t 0 "unmodelled arch: none left # SKIP every arch is modelled"
fi
expect_usage "unknown kernel" "unknown kernel version '5.10'" run --arch arm64 --workload vmalloc --kernel 5.10
expect_usage "unknown workload" "unknown workload 'fork2'" run --arch arm64 --workload fork2
expect_usage "zero pages" "--pages 0" run --arch arm64 --workload vmalloc --pages 0
expect_usage "huge pages" "--pages 99999999" run --arch arm64 --workload vmalloc --pages 99999999
expect_usage "pages not a number" "--pages '12x'" run --arch arm64 --workload vmalloc --pages 12x
expect_usage "negative seed" "--seed '-1'" run --arch arm64 --workload vmalloc --seed -1
expect_usage "too many cpus" "--cpus 33: above the maximum, 32" run --arch arm64 --workload vmalloc --cpus 33
expect_usage "pages x cpus" "--pages 1048576 x --cpus 32: 33554432 pages in all, above the maximum, 16777216" run --arch arm64 --workload vmalloc --pages 1048576 --cpus 32
expect_usage "bad --lazy" "--lazy 'maybe'" run --arch arm64 --workload vmalloc --lazy maybe
expect_usage "unknown option" "unknown option '--frobnicate'" run --frobnicate
expect_usage "missing value" "--arch needs a value" run --arch
expect_usage "unknown fix" "unknown fix 'nolazy'" run --arch arm64 --workload vmalloc --fix nolazy
expect_usage "unknown command" "unknown command 'frob'" frob
expect_usage "list takes no argument" "unexpected argument" list x

expect_usage "unwritable trace" "--trace /nonexistent/dir/t.json" run --arch arm64 --workload vmalloc --trace /nonexistent/dir/t.json
"$L" run --arch arm64 --workload vmalloc --pages 8 --cpus 2 --debug-pagealloc --trace "$tmp/t.json" >/dev/null
t $? "run --trace writes a trace and exits 0"
if [ $have_py = 1 ]; then
	python3 -c "
import json, collections
d = json.load(open('$tmp/t.json'))
ev = d['traceEvents']
ph = collections.Counter(e['ph'] for e in ev)
assert ph['B'] == ph['E'] and ph['B'] > 0, ph
assert ph['b'] == ph['e'] and ph['b'] > 0, ph
names = {e['args']['name'] for e in ev if e['ph'] == 'M'}
assert names == {'CPU0', 'CPU1', 'CPU0 deferred', 'CPU1 deferred', 'task vmalloc/0', 'task vmalloc/1'}, names
for tid in {e['tid'] for e in ev}:
    b = sum(1 for e in ev if e['tid'] == tid and e['ph'] == 'B')
    assert b == sum(1 for e in ev if e['tid'] == tid and e['ph'] == 'E'), tid
assert all(e['args']['opened by'] for e in ev if e['ph'] == 'B' and e['name'] == 'lazy section')
ts = [e['ts'] for e in ev if 'ts' in e]
assert ts == sorted(ts)
"
	t $? "the trace is valid JSON: balanced slices, deferred stores, CPU tracks"
else
	n=$((n + 1)); echo "ok $n # SKIP no python3"
fi

"$L" run --arch arm64 --workload vmalloc --pages 8 --cpus 2 --debug-pagealloc --trace "$tmp/t2.json" >/dev/null
cmp -s "$tmp/t.json" "$tmp/t2.json"
t $? "the same run writes the same trace, byte for byte"
"$L" run --arch generic --workload vmalloc --json >"$tmp/j"
grep -q '"lazy":false' "$tmp/j"
t $? "generic (no lazy MMU mode) reports lazy false"

"$L" run --arch arm64 --workload vmalloc-touch-early --pages 4 --json >"$tmp/j"
rc=$?
[ $rc = 1 ] && grep -q '"kind":"deferred-access"' "$tmp/j" && grep -q 'touch_early_task' "$tmp/j"
t $? "a wrong caller: exit 1, deferred-access naming the section's opener (rc $rc)"
"$L" run --arch arm64 --workload vmalloc-touch-early --pages 4 --lazy off >/dev/null
t $? "the same caller with the mode off: nothing deferred, exit 0"
"$L" run --arch generic --workload vmalloc-touch-early --pages 4 >/dev/null
t $? "the same caller on generic (x86 native): exit 0"

# versions, designs, fixes (src/sim/registry.c)
expect_usage "known fix, another workload" "fix 'pagemap-order' changes workload pagemap-wp, not vmalloc" run --fix pagemap-order
expect_usage "a fix's older name is an alias" "fix 'pagemap-order' changes workload pagemap-wp, not vmalloc" run --fix pagemap-scan-order
expect_usage "--fix is repeatable: the second is read" "unknown fix 'bogus'" run --fix pagemap-order --fix bogus
"$L" list | grep -A1 '^  migrate-order$' | grep -q 'alias: migrate-vma-order'
t $? "lazymmu list names migrate-order's alias migrate-vma-order"
# pagemap-wp on Xen PV: the flush inside the section is flush-in-section,
# which says no harm follows (the flush is queued behind the updates); the
# fix (by its old name too) leaves first: clean
"$L" run --arch xen-pv --workload pagemap-wp --pages 8 --json >"$tmp/j"
rc=$?
[ $rc = 1 ] && grep -q '"kind":"flush-in-section"' "$tmp/j" && grep -q 'no harm on xen-pv' "$tmp/j"
t $? "pagemap-wp on xen-pv upstream: exit 1, flush-in-section, no harm (rc $rc)"
"$L" run --arch xen-pv --workload pagemap-wp --pages 8 --fix pagemap-scan-order >/dev/null
t $? "pagemap-wp on xen-pv with the fix (old name): exit 0"
expect_usage "a fix of another arch" "changes arch xen-pv only" run --fix xen-tolerate-nested
# issue 9 wrote the last pending fixes (tlb-batch-nolazy, arm64-nonest):
# their old names are aliases now, and select the same fix
expect_usage "a fix by its old name, another workload" "fix 'tlb-batch-nolazy' changes workload debug-pagealloc, munmap, not vmalloc" run --fix tlb-next-batch-leave
"$L" run --workload debug-pagealloc --pages 8 --kernel 6.16 --design noflush >"$tmp/out"
rc=$?
[ $rc = 1 ] && grep -q "DEBUG_PAGEALLOC" "$tmp/out" && grep -q "deferred-access" "$tmp/out"
t $? "debug-pagealloc turns DEBUG_PAGEALLOC on; under noflush the batch header write is a deferred-access (rc $rc)"
"$L" run --workload debug-pagealloc --pages 8 --kernel 6.16 --design noflush --fix arm64-never-nest >"$tmp/out"
t $? "the same with --fix arm64-never-nest (arm64-nonest's old name): nothing nests, exit 0"
"$L" list | grep -q "alias: tlb-next-batch-leave"
t $? "lazymmu list names the old name of tlb-batch-nolazy"
expect_usage "a fix merged already" "fix 'kasan-pause' is merged in 6.17: kernel 7.0 has it" run --kernel 7.0 --fix kasan-pause
expect_usage "a fix not merged in 6.16, another workload" "changes workload kasan-populate, kasan-depopulate, not vmalloc" run --kernel 6.16 --fix kasan-pause
expect_usage "unknown design" "unknown design 'bogus'" run --design bogus
expect_usage "a design on an arch without the mode" "generic has no lazy MMU mode" run --arch generic --design v7.0
expect_usage "a design with --lazy off" "with --lazy off" run --design noflush --lazy off
"$L" run --pages 8 --design noflush >"$tmp/out"
t $? "run --design noflush exits 0 on vmalloc (no nesting there)"
head -1 "$tmp/out" | grep -q "lazy on, design noflush, sched"
t $? "the human header names the design: $(head -1 "$tmp/out")"
"$L" run --pages 8 --kernel 6.16 | head -1 | grep -q "design passthrough"
t $? "the default design of 6.16 is passthrough"
"$L" run --pages 8 --lazy off | head -1 | grep -q "design"
[ $? = 1 ]
t $? "--lazy off: no design in the header"
if [ $have_py = 1 ]; then
	"$L" run --pages 8 --json >"$tmp/a"
	"$L" run --pages 8 --design noflush --json >"$tmp/j"
	python3 -c "
import json
a = json.load(open('$tmp/a')); d = json.load(open('$tmp/j'))
assert a['design'] == 'v7.0' and a['fixes'] == [], (a['design'], a['fixes'])
assert d['design'] == 'noflush' and d['fixes'] == [], d['design']
del a['design'], d['design']
assert a == d, 'noflush changes nothing without nesting'
"
	t $? "run --json: design and fixes; noflush equals v7.0 when nothing nests"
	"$L" run --pages 8 --kernel 6.17 --json >"$tmp/j"
	json "assert d['design'] == 'passthrough' and d['kernel'] == '6.17'"
	t $? "run --json --kernel 6.17: design passthrough"
	"$L" run --pages 8 --lazy off --json >"$tmp/j"
	json "assert d['design'] is None and d['lazy'] is False"
	t $? "run --json --lazy off: design null"
	"$L" run --arch arm64 --workload vmalloc-touch-early --pages 2 --cpus 2 --json >"$tmp/j"
	json "
f = d['findings']
assert len(f) == 8, len(f)
for x in f:
    assert set(x) == {'kind','message','cpu','task','addr','old','new','section'}, x
assert [x['kind'] for x in f] == ['deferred-access', 'bad-access'] * 4, f
for x in f[::2]:
    assert x['cpu'] in (0, 1)
    assert x['task']['pid'] in (1, 2) and x['task']['comm'].startswith('touch-early/')
    assert int(x['addr'], 16) >= 0xffff800000000000 and int(x['new'], 16) != 0 and x['old'] == '0x0'
    assert x['section']['func'] == 'touch_early_task' and x['section']['file'] == 'src/mm/workloads.c' and x['section']['line'] > 0
    assert hex(int(x['addr'], 16)) in x['message']
"
	t $? "findings are objects: kind, message, cpu, task, addr, old, new, section"
	"$L" run --arch arm64 --workload vmalloc-touch-early --pages 2 --json >"$tmp/j"
	json "assert d['events']['pte_writes'] == 2 + 3 and len(d['findings']) == 4, d['events']"
	t $? "finding events count as no other event (2 maps, 3 clears, the image's PTE table)"
	"$L" run --arch arm64 --workload vmalloc-touch-early --pages 2 --trace "$tmp/t.json" >/dev/null
	python3 -c "
import json
ev = json.load(open('$tmp/t.json'))['traceEvents']
f = [e for e in ev if e.get('cat') == 'finding']
assert len(f) == 4, len(f)
for e in f:
    assert e['ph'] == 'i' and e['name'] == e['args']['kind']
assert [e['name'] for e in f] == ['deferred-access', 'bad-access'] * 2, f
for e in f[::2]:
    assert 'touch_early_task' in e['args']['message']
"
	t $? "the trace draws each finding as an instant with its kind and message"
else
	for i in 1 2 3 4 5 6; do n=$((n + 1)); echo "ok $n # SKIP no python3"; done
fi

"$L" run --arch arm64 --workload vmalloc --pages=16 --json >"$tmp/j" && grep -q '"pages":16' "$tmp/j"
t $? "--opt=value form is accepted"
"$L" list >"$tmp/out"
grep -q "arm64" "$tmp/out" && grep -q "vmalloc" "$tmp/out" && grep -q "7.0" "$tmp/out" && grep -q "deferred-access" "$tmp/out"
t $? "list shows arches, workloads, versions and finding kinds"
grep -q "^designs" "$tmp/out" && grep -q "^  noflush" "$tmp/out" && grep -q "^  passthrough" "$tmp/out" &&
	grep -q "^  xen-tolerate-nested" "$tmp/out" && grep -q "merged in 7.1" "$tmp/out" && grep -q "^  deadlock " "$tmp/out"
t $? "list shows the designs, the fixes (merged or not) and every finding kind"
"$L" >"$tmp/out"
t $? "the default tour exits 0"
cp "$tmp/out" "$tmp/tour"
grep -q "barriers off" "$tmp/out" && grep -q "lazy_mmu_mode_active" "$tmp/out"
t $? "the tour shows the vmalloc table and the KUnit sequence"
# the per-arch table: a column per model that defers vmalloc's work, and
# each cell is what that run counts (off -> on), checked against run --json
hdr=$(grep "^ pages  arm64" "$tmp/tour")
for h in "arm64 dsb/isb" "ppc64 flushes" "xen hypercalls" "s390 IPTEs" "+lazy-v6 IPTEs"; do
	echo "$hdr" | grep -qF "$h"
	t $? "the tour's arch table has a column '$h'"
done
xen_on=$("$L" run --arch xen-pv --pages 64 --sched rr --json | sed 's/.*"hypercalls":\([0-9]*\).*/\1/')
xen_off=$("$L" run --arch xen-pv --pages 64 --sched rr --lazy off --json | sed 's/.*"hypercalls":\([0-9]*\).*/\1/')
grep "^    64 " "$tmp/tour" | tail -1 | grep -qF "$xen_off -> $xen_on"
t $? "the tour's xen-pv cell at 64 pages is run's hypercalls ($xen_off -> $xen_on)"

# xen-pv: every version runs clean; its fixes are taken on 7.0, refused on 7.1
for k in 6.16 6.17 7.0 7.1; do
	"$L" run --arch xen-pv --kernel $k --cpus 2 --pages 64 --debug-pagealloc >"$tmp/out" 2>&1 &&
		grep -q "findings: none" "$tmp/out"
	t $? "xen-pv $k: a clean run"
done
"$L" run --arch xen-pv --kernel 7.0 --fix xen-tolerate-nested --fix xen-revert-ctxsw --pages 8 >"$tmp/out" 2>&1
t $? "xen-pv 7.0 takes --fix xen-tolerate-nested and xen-revert-ctxsw"
expect_usage "xen fix merged" "fix 'xen-tolerate-nested' is merged in 7.1" run --arch xen-pv --kernel 7.1 --fix xen-tolerate-nested
expect_usage "xen fix, another arch" "fix 'xen-revert-ctxsw' changes arch xen-pv only" run --arch arm64 --kernel 7.0 --fix xen-revert-ctxsw
# ppc64-hash and sparc64: every version, both workloads, clean, batching as
# each arch does (sparc64 never batches kernel mappings)
for a in ppc64-hash sparc64; do
	for k in 6.16 6.17 7.0 7.1; do
		for w in vmalloc vmalloc-touch-early; do
			"$L" run --arch $a --kernel $k --workload $w --cpus 2 --seed 3 --debug-pagealloc --json >"$tmp/j"
			t $? "$a $k $w: exit 0, no findings"
		done
		grep -q "\"arch\":\"$a\",\"kernel\":\"$k\"" "$tmp/j"
		t $? "$a $k: the JSON names arch and kernel"
	done
done
"$L" run --arch sparc64 --pages 600 --json | grep -q '"batch_flushes":0,'
t $? "sparc64 vmalloc: no batch flush (init_mm is not batched)"
"$L" run --arch ppc64-hash --pages 600 --json | grep -q '"batch_flushes":0,'
[ $? != 0 ]
t $? "ppc64-hash vmalloc: batch flushes"

# issue 9: the KASAN shadow and BPF arena workloads and their fixes
"$L" list >"$tmp/list"
grep -q "^  nolazy-apply$" "$tmp/list" && grep -q "^    alias: apply-nolazy (the older name)$" "$tmp/list"
t $? "list: nolazy-apply with its alias apply-nolazy"
grep -q "^  kasan-revert-pause$" "$tmp/list" && grep -q "reverts what was merged in 6.17" "$tmp/list"
t $? "list: kasan-revert-pause, a revert of 6.17"
"$L" run --arch ppc64-hash --kernel 6.16 --workload kasan-depopulate --pages 8 --sched rr >"$tmp/out"
[ $? = 1 ] && [ "$(grep -c "^  flush-in-section:" "$tmp/out")" = 1 ]
t $? "ppc64-hash 6.16 kasan-depopulate: exit 1, flush-in-section (once for the 8 frees of one walk)"
"$L" run --arch ppc64-hash --kernel 6.16 --workload kasan-depopulate --pages 8 --sched rr --fix apply-nolazy >"$tmp/out"
t $? "the same with --fix apply-nolazy (the alias): exit 0"
"$L" run --arch ppc64-hash --kernel 6.16 --workload kasan-depopulate --pages 8 --sched rr --fix kasan-pause >"$tmp/out"
t $? "the same with --fix kasan-pause: exit 0"
expect_usage "a revert on a kernel without what it reverts" "fix 'kasan-revert-pause' reverts what 6.17 merged: kernel 6.16 does not have it" run --kernel 6.16 --workload kasan-populate --fix kasan-revert-pause
expect_usage "nolazy-apply on kasan-populate" "changes workload kasan-depopulate, bpf-arena-free, not kasan-populate" run --workload kasan-populate --fix nolazy-apply
for w in kasan-populate kasan-depopulate bpf-arena-free; do
	"$L" run --arch arm64 --workload $w --pages 16 --cpus 3 --seed 2 >/dev/null
	t $? "arm64 7.1 $w, 3 CPUs: exit 0, no findings"
done

echo "1..$n"
exit $fail
