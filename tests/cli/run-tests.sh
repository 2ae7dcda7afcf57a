#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# tests/run-tests, the harness of make check: its closing line counts
# passes, failures and skips apart ("# SKIP" is no pass), a crash without
# a failing case is a failure, a program with no case too, and the exit
# status says whether anything failed.
. "$(dirname "$0")/../tap.sh"
R=$(dirname "$0")/../run-tests
# prog NAME STATUS LINE...: a fake test program printing LINEs
prog() {
	f="$tmp/$1" rc=$2
	shift 2
	{ echo '#!/bin/sh'; for l in "$@"; do printf "echo '%s'\n" "$l"; done
	  echo "exit $rc"; } >"$f"
	chmod +x "$f"
}
last() { "$R" "$@" 2>&1 | tail -n 1; }

prog mixed 0 "ok 1 - a" "ok 2 # SKIP no python3" "ok 3 - # skip no clang" \
	"ok 4 - a name with # in it"
out=$(last "$tmp/mixed")
[ "$out" = "2 passed, 0 failed, 2 skipped" ]
t $? "skips are counted apart, not as passes: '$out'"
"$R" "$tmp/mixed" >/dev/null 2>&1
t $? "only passes and skips: exit 0"

prog failing 1 "ok 1 - a" "not ok 2 - b"
out=$(last "$tmp/mixed" "$tmp/failing")
[ "$out" = "3 passed, 1 failed, 2 skipped" ]
t $? "a failing case is counted: '$out'"
"$R" "$tmp/failing" >/dev/null 2>&1
[ $? -ne 0 ]
t $? "a failing case: non-zero exit"

prog crash 134 "ok 1 - a"
out=$(last "$tmp/crash")
[ "$out" = "1 passed, 1 failed, 0 skipped" ]
t $? "a crash after passing cases is a failure: '$out'"

prog empty 0 "# nothing"
out=$(last "$tmp/empty")
[ "$out" = "0 passed, 1 failed, 0 skipped" ]
t $? "a program that runs no case is a failure: '$out'"

prog skipall 0 "ok 1 # SKIP clang not installed"
out=$(last "$tmp/skipall")
[ "$out" = "0 passed, 0 failed, 1 skipped" ]
t $? "a program whose every case is skipped: no pass, no failure: '$out'"

echo "1..$n"
exit $fail
