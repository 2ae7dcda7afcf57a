#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# A command that never lies: write errors, option values, numbers and their
# limits, --trace - and --trace-limit, a run repeated from its own output,
# --version, help, usage, arch names, one format for findings. Every rule
# of src/cli/opt.c has a case here that fails when the rule is broken.
. "$(dirname "$0")/../tap.sh"
case $L in /*) ;; *) L=$(pwd)/$L ;; esac
# expect_usage "name" "message (fixed string)" ARGS...: exit 2, the message
# on stderr, nothing on stdout
expect_usage() {
	name=$1 msg=$2
	shift 2
	"$L" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -qF -- "$msg" "$tmp/err" && [ ! -s "$tmp/out" ]
	t $? "$name: exit 2, says '$msg' (rc $rc: $(head -c 160 "$tmp/err"))"
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

# ---- write errors are errors -------------------------------------------------
if [ -w /dev/full ]; then
	for args in "run --pages 4" "run --pages 4 --json" "list" "explain" "--version" "help run"; do
		# shellcheck disable=SC2086
		"$L" $args >/dev/full 2>"$tmp/err"
		rc=$?
		[ $rc = 2 ] && grep -q "standard output: write error: No space left" "$tmp/err"
		t $? "lazymmu $args >/dev/full: exit 2 and a message (rc $rc)"
	done
	"$L" >/dev/full 2>"$tmp/err"
	[ $? = 2 ] && grep -q "write error" "$tmp/err"
	t $? "the tour >/dev/full: exit 2"
	expect_usage "--trace /dev/full" "run: --trace /dev/full: write error: No space left on device" run --pages 4 --trace /dev/full
	"$L" run --pages 4 --trace - >/dev/full 2>"$tmp/err"
	[ $? = 2 ] && grep -q "run: --trace -: write error" "$tmp/err"
	t $? "--trace - with stdout on a full disk: exit 2"
else
	for i in 1 2 3 4 5 6 7 8 9; do skip "no /dev/full"; done
fi
"$L" run --pages 4 >&- 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "standard output is closed" "$tmp/err"
t $? "stdout closed: exit 2 and a message (rc $rc)"
"$L" run --pages 4 --trace "$tmp/c.json" >&- 2>"$tmp/err"
[ $? = 2 ] && [ ! -e "$tmp/c.json" ]
t $? "stdout closed: nothing run, no trace written into descriptor 1"

# ---- an option's value is never the next option ------------------------------
# every option of `run --help` that takes a value, B's and later ones too
valued=$("$L" run --help | sed -n 's/.*\[\(--[a-z-]*\) [^]]*\].*/\1/p; s/^  \(--[a-z-]*\) [A-Za-z|]\{1,\}  .*/\1/p' | sort -u)
[ "$(echo "$valued" | wc -w)" -ge 12 ]
t $? "run --help lists the valued options ($(echo $valued))"
for o in $valued; do
	expect_usage "$o --json" "run: $o needs a value, and '--json' is an option" run "$o" --json
done
expect_usage "a value that is a short option" "--seed needs a value, and '-h' is an option" run --seed -h
expect_usage "a value missing at the end" "run: --pages needs a value" run --pages
expect_usage "an empty value" "run: --workload needs a value, not an empty one" run --workload=
expect_usage "an empty value, next word" "run: --kernel needs a value, not an empty one" run --kernel ""
expect_usage "a flag given a value" "run: --json takes no value (got '--json=yes')" run --json=yes
expect_usage "a word that is no option" "run: unexpected argument 'vmalloc'" run --pages 4 vmalloc
(cd "$tmp" && "$L" run --pages 1 --trace=--json >/dev/null 2>&1) && [ -s "$tmp/--json" ]
t $? "after '=', a value may begin with '-' (--trace=--json writes the file --json)"

# ---- --trace - writes the trace to stdout, the report to stderr ---------------
"$L" run --pages 4 --trace - --json >"$tmp/t.json" 2>"$tmp/r.json"
t $? "--trace - exits 0"
head -c 40 "$tmp/t.json" | grep -q traceEvents && grep -q '"pages":4' "$tmp/r.json" && ! grep -q traceEvents "$tmp/r.json"
t $? "--trace -: the trace on stdout, the JSON report on stderr"
"$L" run --pages 4 --trace "$tmp/f.json" >/dev/null
cmp -s "$tmp/t.json" "$tmp/f.json"
t $? "--trace - writes what --trace FILE writes, byte for byte"

# ---- recorded choices follow the same rules -----------------------------------------
"$L" run --pages 4 --cpus 2 --save-choices - >"$tmp/ch" 2>"$tmp/rep"
[ $? = 0 ] && head -1 "$tmp/ch" | grep -q "^lazymmu-choices" && head -1 "$tmp/rep" | grep -q "^lazymmu run:"
t $? "--save-choices -: the choices on stdout, the report on stderr"
sed '2i --trace-limit 1G' "$tmp/ch" >"$tmp/ch2"
"$L" run --replay - <"$tmp/ch" >"$tmp/rep2" 2>&1
[ $? = 0 ] && cmp -s "$tmp/rep" "$tmp/rep2"
t $? "--replay - reads the choices from stdin and repeats the run"
expect_usage "--trace - and --save-choices -" "only one may take standard output" run --trace - --save-choices -
if [ -w /dev/full ]; then
	expect_usage "--save-choices /dev/full" "run: --save-choices /dev/full: write error: No space left on device" run --pages 4 --save-choices /dev/full
else
	skip "no /dev/full"
fi
expect_usage "--trace-limit in a choices file is an output option" "an output option" run --replay "$tmp/ch2"
# ---- --trace-limit: a trace too large is refused up front ----------------------
expect_usage "--trace-limit too small" "the trace would be" run --pages 64 --trace "$tmp/big.json" --trace-limit 1K
[ ! -e "$tmp/big.json" ]
t $? "a refused trace writes no file"
echo old >"$tmp/keep.json"
"$L" run --pages 64 --trace "$tmp/keep.json" --trace-limit 1K >/dev/null 2>&1
[ "$(cat "$tmp/keep.json")" = old ]
t $? "a refused trace leaves an existing file alone"
bytes=$(sed -n 's/.*the trace would be \([0-9]*\) bytes.*/\1/p' "$tmp/err")
"$L" run --pages 64 --trace "$tmp/big.json" --trace-limit "$bytes" >/dev/null
rc=$?
[ $rc = 0 ] && [ "$(wc -c <"$tmp/big.json")" -eq "$bytes" ]
t $? "--trace-limit at exactly the size ($bytes) writes that many bytes (rc $rc)"
expect_usage "--trace-limit one byte short" "above --trace-limit $((bytes - 1))" run --pages 64 --trace "$tmp/big.json" --trace-limit $((bytes - 1))
"$L" run --pages 64 --trace "$tmp/big.json" --trace-limit none >/dev/null
t $? "--trace-limit none: no limit"
"$L" run --pages 64 --trace "$tmp/big.json" --trace-limit 1M >/dev/null
t $? "--trace-limit 1M (a suffix)"
"$L" run --help | grep -q "default 1G"
t $? "run --help gives the default --trace-limit"
for v in 0 -1 " 1" 1X 1KB K 1.5M; do
	expect_usage "--trace-limit '$v'" "run: --trace-limit" run --pages 1 --trace "$tmp/x.json" --trace-limit="$v"
done
expect_usage "an unwritable trace fails before the run" "--trace /nonexistent/t.json" run --trace /nonexistent/t.json

# ---- numbers: digits only, and the limit broken named ----------------------------
for o in --pages --cpus --seed --tlb-entries; do
	for v in " 4" "4 " "	4" "+4" "-4" "4x" "0x4" "4e0" "4.0"; do
		expect_usage "$o '$v'" "run: $o '$v': not a decimal number" run "$o=$v"
	done
done
expect_usage "--pages below" "run: --pages 0: below the minimum, 1" run --pages 0
expect_usage "--pages above" "run: --pages 16777217: above the maximum, 16777216" run --pages 16777217
expect_usage "--cpus below" "run: --cpus 0: below the minimum, 1" run --cpus 0
expect_usage "--cpus above" "run: --cpus 33: above the maximum, 32" run --cpus 33
expect_usage "--tlb-entries above" "run: --tlb-entries 4097: above the maximum, 4096" run --tlb-entries 4097
expect_usage "--seed above 2^64-1" "run: --seed 18446744073709551616: above the maximum, 18446744073709551615" run --seed 18446744073709551616
"$L" run --pages 1 --seed 18446744073709551615 >/dev/null
t $? "--seed 2^64-1 is accepted"
expect_usage "pages x cpus, its own message" "run: --pages 524289 x --cpus 32: 16777248 pages in all, above the maximum, 16777216" run --pages 524289 --cpus 32
"$L" run --pages 65537 --sched rr --json >"$tmp/j"
t $? "--pages 65537 (above the old limit) runs"
"$L" run --pages 1 --cpus 32 --json >"$tmp/j" && grep -q '"cpus":32' "$tmp/j"
t $? "--cpus 32 runs"

# ---- a run can be repeated from its output -------------------------------------
# the options of the run (not of its output) and where JSON carries each
runopts=$("$L" run --help | grep -o '\[--[a-z-]*' | tr -d '[' | sort -u |
	grep -v -e '^--json$' -e '^--trace$' -e '^--trace-limit$' -e '^--save-choices$' -e '^--replay$')
key() {
	case $1 in
	--fix) echo fixes ;;
	--no-irq) echo irq ;;
	--no-sanitize) echo sanitize ;;
	*) echo "$1" | sed 's/^--//; s/-/_/g' ;;
	esac
}
word() {
	case $1 in
	--no-irq) echo "irq " ;;
	--no-sanitize) echo "sanitizer off" ;;
	--debug-pagealloc) echo DEBUG_PAGEALLOC ;;
	--pages) echo " pages," ;;
	--cpus) echo " CPU" ;;
	*) echo "$1" | sed 's/^--//' ;;
	esac
}
set -- --kernel 6.16 --pages 3 --cpus 2 --seed 9 --sched random --debug-pagealloc \
	--no-irq --no-sanitize --tlb-entries 8 --tlb-evict random --lazy on --design passthrough \
	--stop-on-first --arch xen-pv --fix xen-revert-ctxsw
"$L" run "$@" --json >"$tmp/a.json"
"$L" run "$@" | head -1 >"$tmp/head"
for o in $runopts; do
	grep -q "\"$(key "$o")\":" "$tmp/a.json"
	t $? "--json carries $o as \"$(key "$o")\""
	grep -qF -- "$(word "$o")" "$tmp/head"
	t $? "the header carries $o ($(word "$o"))"
done
if [ $have_py = 1 ]; then
	python3 - "$tmp/a.json" >"$tmp/args" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
a = ['--arch', d['arch'], '--kernel', d['kernel'], '--workload', d['workload'],
     '--pages', d['pages'], '--cpus', d['cpus'], '--seed', d['seed'],
     '--sched', d['sched'], '--tlb-entries', d['tlb_entries'],
     '--tlb-evict', d['tlb_evict'], '--lazy', 'on' if d['lazy'] else 'off']
if d['design']: a += ['--design', d['design']]
for f in d['fixes']: a += ['--fix', f]
if d['debug_pagealloc']: a.append('--debug-pagealloc')
if not d['irq']: a.append('--no-irq')
if not d['sanitize']: a.append('--no-sanitize')
if d['stop_on_first']: a.append('--stop-on-first')
print('\n'.join(str(x) for x in a))
EOF
	# shellcheck disable=SC2046
	(IFS='
'; "$L" run $(cat "$tmp/args") --json >"$tmp/b.json")
	cmp -s "$tmp/a.json" "$tmp/b.json"
	t $? "a run rebuilt from its JSON gives the same JSON"
	"$L" run --pages 3 --cpus 2 --seed 9 --json >"$tmp/c.json"
	! cmp -s "$tmp/a.json" "$tmp/c.json"
	t $? "(and the options used there do change the run)"
else
	skip "no python3"; skip "no python3"
fi

# ---- --version, help, usage ------------------------------------------------------
"$L" --version >"$tmp/out"
[ $? = 0 ] && grep -q "^lazymmu [0-9]" "$tmp/out" && grep -q "models Linux 6.16, 6.17, 7.0, 7.1" "$tmp/out"
t $? "--version: the version and the kernels modelled"
for c in run list explain; do
	"$L" help $c >"$tmp/a" && "$L" $c --help >"$tmp/b" && cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/a" ]
	t $? "lazymmu help $c is lazymmu $c --help"
done
"$L" help tour | grep -q "usage: lazymmu$"
t $? "lazymmu help tour"
"$L" help >"$tmp/a" && "$L" --help >"$tmp/b" && cmp -s "$tmp/a" "$tmp/b"
t $? "lazymmu help is lazymmu --help"
expect_usage "help of an unknown command" "help: unknown command 'frob'" help frob
"$L" --help | grep -q "^  run \[--arch A\] \[--workload W\] \[OPTION...\]"
t $? "the usage shows --arch and --workload as optional"
"$L" run --help | sed -n '1,/^  --/p' | sed '$d' | grep -v "lazymmu run --replay FILE" >"$tmp/syn"
! sed 's/\[[^]]*\]//g' "$tmp/syn" | grep -q -- '--'
t $? "run's synopsis: every option in brackets (all are optional; --replay FILE is its own form)"
"$L" run --help | grep "^  --design" | grep -q "passthrough, v7.0, noflush"
t $? "run --help lists the designs that exist"
# a fix is named in run --help only if some run accepts it
fixes=$("$L" list | awk '/^[a-z]/ { on = /^fixes/; next } on && /^  [^ ]/ { print $1 }')
fixline=$("$L" run --help | grep "^  --fix")
for f in $fixes; do
	ok=1
	for a in $("$L" list | awk '/^[a-z]/ { on = /^arches \(/; next } on && /^  [^ ]/ { print $1 }'); do
		for w in $("$L" list | awk '/^[a-z]/ { on = /^workloads/; next } on && /^  [^ ]/ { print $1 }'); do
			for k in 6.16 7.0 7.1; do
				"$L" run --arch "$a" --workload "$w" --kernel $k --pages 1 --fix "$f" >/dev/null 2>&1
				[ $? -lt 2 ] && ok=0 && break
			done
			# one run that accepts it is enough (the loop is
			# arches x workloads x kernels runs per fix)
			[ $ok = 0 ] && break
		done
		[ $ok = 0 ] && break
	done
	if [ $ok = 0 ]; then echo "$fixline" | grep -qw -- "$f"; else ! echo "$fixline" | grep -qw -- "$f"; fi
	t $? "run --help names fix $f only if a run accepts it"
done
if ! "$L" run --help | head -5 | grep -q -- "--fix"; then
	echo "$fixline" | grep -q "none changes a modelled workload yet"
	t $? "no applicable fix: --fix out of the synopsis, and its line says why"
fi

# ---- arch names ---------------------------------------------------------------------
planned=$("$L" list | awk '/^[a-z]/ { on = /^arches planned/; next } on && /^  [^ ]/ { print $1 }')
# every arch the design names is modelled today: then list has no such
# heading; a planned arch (sim_arch_planned[]) must be listed under it
planned_src=$(awk '/sim_arch_planned\[\] = \{/ { p = 1 } p { print } p && /};/ { exit }' src/arch/arch.c)
if echo "$planned_src" | grep -q '"[a-z0-9-]*"'
then
	[ -n "$planned" ]
	t $? "list names the planned arches ($(echo $planned))"
else
	! "$L" list | grep -q "^arches planned"
	t $? "list has no planned heading when every arch is modelled"
fi
for a in $planned; do
	expect_usage "planned arch $a" "run: arch '$a' is not modelled yet" run --arch "$a"
done
expect_usage "an unknown arch is unknown" "run: unknown arch 'mips'" run --arch mips
"$L" run --arch x86 --pages 4 --json >"$tmp/a" && "$L" run --arch generic --pages 4 --json >"$tmp/b" && cmp -s "$tmp/a" "$tmp/b"
t $? "--arch x86 is --arch generic"

# ---- one format for findings ----------------------------------------------------------
"$L" >"$tmp/tour"
"$L" run --workload vmalloc-touch-early --pages 2 --sched rr >"$tmp/run"
[ $? = 1 ]
t $? "a run with findings exits 1"
grep "^  deferred-access: " "$tmp/run" >"$tmp/a"
grep "^  deferred-access: " "$tmp/tour" >"$tmp/b"
[ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"
t $? "the tour and run print findings the same way: '  kind: message'"

echo "1..$n"
exit $fail
