#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# lazymmu run --save-choices / --replay / --stop-on-first: a run re-executed
# from its recorded choices prints the same bytes; bad files are exit 2
# with the line.
. "$(dirname "$0")/../tap.sh"
# bad "name" "message regex" FILE: --replay FILE exits 2 saying that
bad() {
	"$L" run --replay "$3" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q -- "$2" "$tmp/err" && [ ! -s "$tmp/out" ]
	t $? "$1: exit 2, says '$2' (rc $rc: $(head -c 160 "$tmp/err"))"
}

run="run --arch arm64 --workload vmalloc --cpus 3 --pages 24 --debug-pagealloc --seed 7"
"$L" $run --save-choices "$tmp/c" >"$tmp/a"
t $? "--save-choices: the run exits 0 and writes the file"
head -1 "$tmp/c" | grep -qx "lazymmu-choices 1" &&
	grep -qx -- "--seed 7" "$tmp/c" && grep -qx -- "--cpus 3" "$tmp/c" &&
	grep -qx -- "--debug-pagealloc" "$tmp/c" && grep -q "^choices [0-9]" "$tmp/c"
t $? "the file names the format and every option of the run"
"$L" run --replay "$tmp/c" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b"
t $? "--replay FILE alone: byte-identical text output"
"$L" $run --json >"$tmp/a"
"$L" run --replay "$tmp/c" --json >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b"
t $? "--replay FILE --json: byte-identical JSON"
"$L" run --replay "$tmp/c" --save-choices "$tmp/c2" >/dev/null
cmp -s "$tmp/c" "$tmp/c2"
t $? "a replayed run records the same choices"

"$L" run --workload vmalloc-touch-early --pages 6 --cpus 2 --stop-on-first \
	--save-choices "$tmp/s" --json >"$tmp/a"
rc=$?
[ $rc = 1 ] && grep -q '"stopped":true' "$tmp/a" &&
	[ "$(grep -o '"kind":' "$tmp/a" | wc -l)" = 1 ]
t $? "--stop-on-first: exit 1, one finding, stopped (rc $rc)"
"$L" run --replay "$tmp/s" --json >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b"
t $? "a stopped run replays byte for byte"

if command -v python3 >/dev/null 2>&1; then
	"$L" run --workload vmalloc-touch-early --pages 6 --cpus 2 --stop-on-first \
		--trace "$tmp/t.json" >/dev/null
	python3 -c "
import json
ev = json.load(open('$tmp/t.json'))['traceEvents']
for tid in {e['tid'] for e in ev}:
    n = lambda ph: sum(1 for e in ev if e['tid'] == tid and e['ph'] == ph)
    assert n('B') == n('E') and n('B') + n('b') > 0 or tid < 1000, tid
assert sum(e['ph'] == 'b' for e in ev) == sum(e['ph'] == 'e' for e in ev) > 0
assert sum(e['ph'] == 'B' for e in ev) == sum(e['ph'] == 'E' for e in ev) > 0
"
	t $? "a stopped run's trace closes the slices its abandoned tasks left open"
else
	n=$((n + 1)); echo "ok $n # SKIP no python3"
fi

# a corrupt recording
c="$tmp/c"
first=$(grep -n "^choices" "$c" | cut -d: -f1)
l=$((first + 3))
awk -v l=$l 'NR == l { $5 = ($5 == 0) ? 1 : 0 } { print }' "$c" >"$tmp/d1"
"$L" run --replay "$tmp/d1" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "diverges" "$tmp/err" && grep -q ":[0-9]*:" "$tmp/err"
t $? "another answer than recorded: divergence, exit 2, with a line (rc $rc: $(head -c 160 "$tmp/err"))"
echo "not a recording" >"$tmp/d2"
bad "not a choices file" "d2:1: not a lazymmu choices file" "$tmp/d2"
sed "${first}s/.*/choices 12x/" "$c" >"$tmp/d3"
bad "bad count" "d3:$first: expected 'choices N'" "$tmp/d3"
sed "$((first + 2))s/.*/cpu 3 0x7 0 9/" "$c" >"$tmp/d4"
bad "answer out of range" "d4:$((first + 2)): answer 9 is not among" "$tmp/d4"
sed "$((first + 2))s/.*/frob 1 2/" "$c" >"$tmp/d5"
bad "unknown choice" "d5:$((first + 2)): unknown choice 'frob'" "$tmp/d5"
head -n $((first + 5)) "$c" >"$tmp/d6"
bad "truncated" "d6:$((first + 6)): the file ends before its last choice" "$tmp/d6"
sed "2s/.*/--arch mips/" "$c" >"$tmp/d7"
bad "bad option in the header" "d7: unknown arch 'mips'" "$tmp/d7"
sed "2s/.*/--json/" "$c" >"$tmp/d8"
bad "output option in the header" "d8:2: an output option" "$tmp/d8"
sed "3s/.*/--pages 12x/" "$c" >"$tmp/d9"
bad "bad value in the header" "d9:3: bad option" "$tmp/d9"
bad "missing file" "--replay $tmp/nope" "$tmp/nope"
"$L" run --replay "$c" --seed 3 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "\-\-seed with --replay" "$tmp/err"
t $? "--replay with an option of the run: exit 2 (rc $rc)"
"$L" run --arch arm64 --save-choices /nonexistent/dir/c >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "save-choices /nonexistent/dir/c" "$tmp/err"
t $? "unwritable --save-choices: exit 2 (rc $rc)"

echo "1..$n"
exit $fail
