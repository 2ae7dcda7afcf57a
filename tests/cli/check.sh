#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# lazymmu check: exit status (0 clean, 1 findings, 2 bad input), the JSON
# of the fixed surface (executions, complete, findings), a saved trace
# replayed byte for byte (and as a Perfetto trace), shards and jobs that
# add up to the whole exploration, no progress line when stderr is not a
# terminal, bad options and files named.
. "$(dirname "$0")/../tap.sh"

# bad "name" "message regex" ARGS...: exit 2 saying that, nothing on stdout
bad() {
	name=$1 re=$2
	shift 2
	"$L" check "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q -- "$re" "$tmp/err" && [ ! -s "$tmp/out" ]
	t $? "$name: exit 2, says '$re' (rc $rc: $(head -c 160 "$tmp/err"))"
}

clean="--workload vmalloc --pages 2 --preemption-bound 1"
early="--workload vmalloc-touch-early --pages 2 --preemption-bound 1 --irq off"

"$L" check $clean >"$tmp/a" 2>"$tmp/e"
rc=$?
[ $rc = 0 ] && grep -q "findings: none" "$tmp/a" &&
	grep -q "complete: the bounded space is exhausted" "$tmp/a"
t $? "a clean workload: exit 0, complete, no findings (rc $rc)"
[ ! -s "$tmp/e" ]
t $? "no progress line when stderr is not a terminal"

"$L" check $early >"$tmp/a"
rc=$?
# each finding: its message, how often, then the trace in columns that
# ends at the finding (">> kind" in the finding's CPU column); each row's
# site (issue 11) in a column of its own after the event's number
[ $rc = 1 ] && grep -q "^  deferred-access: " "$tmp/a" &&
	grep -q "shortest trace: [0-9]* events" "$tmp/a" &&
	grep -q "event  site  *CPU0 .*CPU1 .*deferred work" "$tmp/a" &&
	grep -q ">> deferred-access" "$tmp/a"
t $? "findings: exit 1, each with its trace in columns (rc $rc)"

if [ $have_py = 1 ]; then
	"$L" check $early --json >"$tmp/j"
	python3 -c "
import json
r = json.load(open('$tmp/j'))
assert r['executions'] > 0 and r['complete'] is True, r
f = r['findings']
assert f and all(x['kind'] and x['message'] and x['trace'] for x in f)
assert all(x['trace']['rows'][-1]['text'].startswith('>> ') for x in f)
assert {x['kind'] for x in f} == {'deferred-access', 'bad-access'}
"
	t $? "--json: executions, complete, findings with kind, message, trace"
else
	n=$((n + 1)); echo "ok $n # SKIP no python3"
fi

# Sites: each row names the model line that caused it, found here by the
# code's own text (so that an edit above it moves both). The early PTE
# write is workloads.c's set_pte_at() in touch_early_task(), a call over
# two lines: gcc names its first line, clang the line its arguments end.
src=$(dirname "$0")/../../src
wl=$(grep -n 'set_pte_at(&m->init_mm, addr, pte,$' "$src/mm/workloads.c" | cut -d: -f1)
st=$(grep -n 'sim_store(addr, area->pages\[i\]); /\* too early' "$src/mm/workloads.c" | cut -d: -f1)
{ grep -q "touch_early_task workloads.c:$wl  *pte 0x[0-9a-f]* 0->[0-9a-f]* deferred" "$tmp/a" ||
	grep -q "touch_early_task workloads.c:$((wl + 1))  *pte 0x[0-9a-f]* 0->[0-9a-f]* deferred" "$tmp/a"; } &&
	grep -q "touch_early_task workloads.c:$st  *fault 0x" "$tmp/a"
t $? "sites: the early PTE write names its set_pte_at() (workloads.c:$wl), the fault its sim_store() (:$st)"
if [ $have_py = 1 ]; then
	python3 -c "
import json
r = json.load(open('$tmp/j'))
rows = [w for f in r['findings'] for w in f['trace']['rows']]
pte = [w for w in rows if w['text'].startswith('pte ')]
assert pte and all(w['site'] == {'func': 'touch_early_task',
       'file': 'src/mm/workloads.c', 'line': w['site']['line']} and
       w['site']['line'] in ($wl, $wl + 1) for w in pte), pte
# the switch and exit rows are the machine's own: no site
assert all(w['site'] is None for w in rows
           if w['text'].startswith(('switch to', 'exit '))), rows
"
	t $? "--json: each row's site as func, file, line (null for the machine's own rows)"
else
	n=$((n + 1)); echo "ok $n # SKIP no python3"
fi
# Xen PV 7.0's double enter: each hypercall names a hypercall() call of
# the model (its first line or, with clang, a later line of the same call);
# the clear queued in the section names ctxsw_round()'s pte_clear()
"$L" check --arch xen-pv --kernel 7.0 --workload ctxsw --stop-on-first >"$tmp/x"
pc=$(grep -n 'pte_clear(&m->init_mm, ka, kptep);' "$src/mm/ctxsw.c" | cut -d: -f1)
bad_hc=$(grep ' hypercall ' "$tmp/x" | while read -r ev fn where rest; do
	l=${where#mmu_pv.c:}
	case $l in *[!0-9]*|'') echo "$ev $fn $where"; continue ;; esac
	[ "$l" -gt 4 ] &&
		sed -n "$((l - 4)),${l}p" "$src/arch/xen-pv/mmu_pv.c" |
		grep -q 'hypercall(' || echo "$ev $fn $where"
done)
grep -q ' hypercall ' "$tmp/x" && [ -z "$bad_hc" ] &&
	grep -q "ctxsw_round ctxsw.c:$pc  .*queues xen: mmu_update: 0x[0-9a-f]* = 0\$" "$tmp/x"
t $? "sites: xen-pv hypercalls name the model's hypercall() lines; the queued clear names ctxsw.c:$pc ($bad_hc)"

# --save, --replay: byte for byte, twice; the same trace as the summary's
"$L" check $early --save "$tmp/s" >/dev/null
head -1 "$tmp/s" | grep -qx "lazymmu-check 1" &&
	grep -qx -- "--workload vmalloc-touch-early" "$tmp/s" &&
	grep -qx -- "--preemption-bound 1" "$tmp/s" && grep -q "^choices [0-9]" "$tmp/s"
t $? "--save FILE: the format, the options, the choices"
"$L" check --replay "$tmp/s" >"$tmp/r1"
rc=$?
"$L" check --replay "$tmp/s" >"$tmp/r2"
[ $rc = 1 ] && cmp -s "$tmp/r1" "$tmp/r2" && grep -q "^finding:" "$tmp/r1"
t $? "--replay: exit 1 with the finding, the same bytes every time (rc $rc)"
first=$(grep -m1 "^  [a-z-]*: " "$tmp/a")
grep -qxF -- "$first" "$tmp/r1"
t $? "--replay reaches the finding the summary printed first"
"$L" check --replay "$tmp/s" --json >"$tmp/r1"
"$L" check --replay "$tmp/s" --json >"$tmp/r2"
cmp -s "$tmp/r1" "$tmp/r2"
t $? "--replay --json: the same bytes"
if [ $have_py = 1 ]; then
	"$L" check --replay "$tmp/s" --trace "$tmp/t.json" >/dev/null
	python3 -c "
import json
ev = json.load(open('$tmp/t.json'))['traceEvents']
assert any(e.get('cat') == 'finding' or 'finding' in str(e.get('name', '')) or e.get('ph') == 'i' for e in ev)
"
	t $? "--replay --trace: a Chrome trace of the execution"
	python3 -c "
import json, re
ev = json.load(open('$tmp/t.json'))['traceEvents']
w = [e for e in ev if e.get('name') == 'PTE write (deferred)']
assert w and all(re.fullmatch(r'touch_early_task src/mm/workloads\.c:($wl|$((wl + 1)))',
                              e['args']['site']) for e in w), w
"
	t $? "--replay --trace: each PTE write's site as an argument"
else
	n=$((n + 1)); echo "ok $n # SKIP no python3"
fi

# shards and jobs add up to the whole
"$L" check $early --preemption-bound 2 --json >"$tmp/whole"
for i in 0 1 2; do
	"$L" check $early --preemption-bound 2 --shard $i/3 --json >"$tmp/s$i"
done
"$L" check --merge "$tmp/s0" "$tmp/s1" "$tmp/s2" --json >"$tmp/merged"
rc=$?
"$L" check $early --preemption-bound 2 --jobs 3 --json >"$tmp/jobs"
if [ $have_py = 1 ]; then
	python3 -c "
import json, sys
def load(p):
    r = json.load(open(p))
    return (r['executions'], r['redundant'], r['complete'],
            [(f['key'], f['hits'], f['trace']['events'], f['trace']['choices'])
             for f in r['findings']])
w, m, j = load('$tmp/whole'), load('$tmp/merged'), load('$tmp/jobs')
parts = [json.load(open('$tmp/s%d' % i)) for i in range(3)]
assert all(p['executions'] < w[0] for p in parts), 'a shard is a slice'
assert sum(p['executions'] for p in parts) == w[0]
assert m == w, (m[:3], w[:3])
assert j == w, (j[:3], w[:3])
"
	t $? "3 shards merged, and --jobs 3, equal the whole: executions, findings, traces (rc $rc)"
else
	n=$((n + 1)); echo "ok $n # SKIP no python3"
fi
"$L" check --merge "$tmp/s0" "$tmp/s1" >"$tmp/m2" 2>"$tmp/e"
grep -q "1 of the 3 shards missing" "$tmp/e" && grep -q "(incomplete)" "$tmp/m2"
t $? "--merge with a shard missing: says so, incomplete"

# bad input
bad "--preemption-bound x" "not a decimal number" --preemption-bound x
bad "--preemption-bound 65" "above the maximum" --preemption-bound 65
bad "--irq maybe" "expected on or off" --irq maybe
bad "--shard 3/3" "expected I/N" --shard 3/3
bad "--shard x" "expected I/N" --shard x
bad "--jobs 0" "below the minimum" --jobs 0
bad "--seed" "option of run, not of check" --seed 1
# debug-pagealloc's chain needs the mmu_gather's batch page, taken when
# the 8th page is queued (MMU_GATHER_BUNDLE): without --pages, check runs 8
# pages there, and the noflush design's deferred-access is found unprompted;
# an explicit --pages 4 stays 4 (too few: nothing to find).
"$L" check --workload debug-pagealloc --kernel 7.0 --design noflush \
	--stop-on-first >"$tmp/a"
rc=$?
[ $rc = 1 ] && grep -q "debug-pagealloc, 8 pages" "$tmp/a" &&
	grep -q "^  deferred-access: " "$tmp/a"
t $? "debug-pagealloc, noflush: 8 pages by default, deferred-access found (rc $rc)"
"$L" check --workload debug-pagealloc --kernel 7.0 --design noflush \
	--pages 4 --max-executions 50 >"$tmp/a"
rc=$?
[ $rc = 0 ] && grep -q "debug-pagealloc, 4 pages" "$tmp/a"
t $? "debug-pagealloc with --pages 4: 4 pages, no batch page, clean (rc $rc)"

bad "--no-irq" "option of run, not of check" --no-irq
bad "unknown workload" "unknown workload" --workload nope
bad "unknown arch" "unknown arch" --arch vax
bad "--trace without --replay" "goes with --replay" --trace "$tmp/x"
bad "--replay with options" "options come from the file" --replay "$tmp/s" --pages 3
bad "--replay missing file" "No such file" --replay "$tmp/none"
printf 'hello\n' >"$tmp/bad1"
bad "--replay not a trace" "not a lazymmu check trace" --replay "$tmp/bad1"
sed 's/^--pages 2$/--pages 3/' "$tmp/s" >"$tmp/bad2"
bad "--replay of other options" "diverges" --replay "$tmp/bad2"
sed '/^choices/,$d' "$tmp/s" >"$tmp/bad3"
bad "--replay without choices" "ends before its choices" --replay "$tmp/bad3"
printf '{"x":' >"$tmp/bad4"
bad "--merge of bad JSON" "not JSON" --merge "$tmp/bad4"
bad "--merge of the same shard twice" "given twice" --merge "$tmp/s0" "$tmp/s0"
bad "--merge of other explorations" "another exploration" --merge "$tmp/s0" "$tmp/whole"
bad "--merge with options" "options from its files" --pages 3 --merge "$tmp/s0"

echo "1..$n"
exit $fail
