#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# lazymmu explain: the rows it prints for the KUnit sequence and for chosen
# calls (hooks, reasons, counters), its JSON, and its bad-input exits.
lmm=${LAZYMMU:-build/lazymmu}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

# row N FIELDS... - table row N of $tmp/out, blanks squeezed, equals FIELDS.
row() {
	r=$1
	shift
	got=$(awk -v r="$r" '$1 == r { $1 = $1; print; exit }' "$tmp/out")
	[ "$got" = "$r $*" ] || { echo "# row $r: got '$got', want '$r $*'"; return 1; }
}

# py ARGS... - python3, its error output shown as TAP diagnostics.
py() {
	python3 "$@" 2>"$tmp/pyerr"
	r=$?
	sed 's/^/# /' "$tmp/pyerr"
	return $r
}

# explain ARGS... - run explain, output in $tmp/out, stderr in $tmp/err.
explain() {
	"$lmm" explain "$@" >"$tmp/out" 2>"$tmp/err"
}

explain
t $? "explain with no calls exits 0"
grep -q 'lazy_mmu_mode_active' "$tmp/out"
t $? "default output names the KUnit case"
row 1 enable arch_enter 1 0 0 yes &&
	row 2 enable none 2 0 0 yes nested &&
	row 3 disable arch_flush 1 0 0 yes
t $? "default: enable, nested enable, nested disable flushes"
row 4 pause arch_leave 1 1 0 no
t $? "default: row 4 is pause -> arch_leave, counts 1/1, not active"
row 5 enable none 1 1 0 no paused &&
	row 6 disable none 1 1 0 no paused &&
	row 7 pause none 1 2 0 no paused &&
	row 8 resume none 1 1 0 no paused
t $? "default: no effect while paused (enable, disable, nested pause/resume)"
row 9 resume arch_enter 1 0 0 yes && row 10 disable arch_leave 0 0 0 no
t $? "default: outer resume re-enters, final disable leaves"
[ "$(grep -c '^ *[0-9]' "$tmp/out")" = 10 ]
t $? "default: exactly 10 rows"

explain enable enable disable disable
row 3 disable arch_flush 1 0 0 yes && row 4 disable arch_leave 0 0 0 no
t $? "nested disable reaches arch_flush, outer disable arch_leave"

explain pause enable disable resume
row 1 pause none 0 1 0 no "not enabled" &&
	row 2 enable none 0 1 0 no paused &&
	row 3 disable none 0 1 0 no paused &&
	row 4 resume none 0 0 0 no "not enabled"
t $? "pause/resume with nothing enabled: not enabled; enable while paused: paused"

explain enable irq-enter enable disable pause resume irq-exit disable
row 2 irq-enter - 1 0 1 no &&
	row 3 enable none 1 0 1 no interrupt &&
	row 4 disable none 1 0 1 no interrupt &&
	row 5 pause none 1 0 1 no interrupt &&
	row 6 resume none 1 0 1 no interrupt &&
	row 7 irq-exit - 1 0 0 yes &&
	row 8 disable arch_leave 0 0 0 no
t $? "interrupt: every call is a no-op, mode not active, task state kept"

explain disable resume
rc=$?
[ $rc = 0 ] &&
	row 1 disable none 0 0 0 no misuse: lazy_mmu_mode_disable: enable_count underflow &&
	row 2 resume none 0 0 0 no misuse: lazy_mmu_mode_resume: pause_count underflow
t $? "misuse: disable/resume with nothing open warn, change nothing, exit 0"

"$lmm" explain $(yes enable | head -n 256) >"$tmp/out" 2>"$tmp/err"
row 255 enable none 255 0 0 yes nested &&
	row 256 enable none 255 0 0 yes misuse: lazy_mmu_mode_enable: enable_count overflow
t $? "misuse: the 256th enable overflows and changes nothing"

explain enable irq-enter disable irq-exit pause disable --json
rc=$?
if command -v python3 >/dev/null 2>&1; then
	py - "$tmp/out" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    calls = json.load(f)["calls"]
want = [
    ("enable", "arch_enter", None, 1, 0, False, True, None),
    ("irq-enter", None, None, 1, 0, True, False, None),
    ("disable", None, "interrupt", 1, 0, True, False, None),
    ("irq-exit", None, None, 1, 0, False, True, None),
    ("pause", "arch_leave", None, 1, 1, False, False, None),
    ("disable", None, "paused", 1, 1, False, False, None),
]
got = [(c["call"], c["hook"], c["reason"], c["enable_count"],
        c["pause_count"], c["in_interrupt"], c["active"], c["warning"])
       for c in calls]
if got != want:
    print("# got  %s\n# want %s" % (got, want))
    sys.exit(1)
EOF
	r=$?
	[ $rc = 0 ] && [ $r = 0 ]
	t $? "--json: one valid object, 6 calls with the right values"
	explain disable --json
	py -c 'import json, sys; c = json.load(sys.stdin)["calls"][0]; sys.exit(not (c["reason"] == "misuse" and c["warning"] == "lazy_mmu_mode_disable: enable_count underflow"))' <"$tmp/out"
	t $? "--json: misuse row carries the warning text"
	explain --json
	py -m json.tool <"$tmp/out" >/dev/null &&
		[ "$(py -c 'import json, sys; print(len(json.load(sys.stdin)["calls"]))' <"$tmp/out")" = 10 ]
	t $? "--json with no calls: valid JSON, the 10 KUnit calls"
else
	for c in 1 2 3; do
		n=$((n + 1))
		echo "ok $n - # SKIP python3 not installed (JSON check)"
	done
fi

explain enable foo disable
rc=$?
[ $rc = 2 ] && [ ! -s "$tmp/out" ] &&
	grep -q "^lazymmu: explain: unknown call 'foo' (expected enable, disable, pause, resume, irq-enter, irq-exit)$" "$tmp/err"
t $? "unknown word: exit 2, message names it, nothing on stdout"

explain --frobnicate
rc=$?
[ $rc = 2 ] && grep -q "'--frobnicate'" "$tmp/err"
t $? "unknown option: exit 2, message names it"

explain enable irq-exit
rc=$?
[ $rc = 2 ] && [ ! -s "$tmp/out" ] &&
	grep -q "'irq-exit' (argument 2)" "$tmp/err"
t $? "irq-exit without irq-enter: exit 2, message names the word and position"

explain --help
rc=$?
[ $rc = 0 ] && grep -q '^usage: lazymmu explain' "$tmp/out"
t $? "--help prints usage and exits 0"

echo "1..$n"
exit $fail
