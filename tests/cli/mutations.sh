#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# make mutate's list: every mutation of tests/mutations.txt still applies to
# the tree (its text found exactly once), so that a change that moves
# guarded code must update the mutation in the same commit; and
# tests/mutate reports a mutation that no longer applies, or a list it
# cannot read, instead of passing it.
M=$(dirname "$0")/../mutate
. "$(dirname "$0")/../tap.sh"

"$M" -n >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q ' 0 stale$' "$tmp/out"
t $? "every mutation of tests/mutations.txt applies: $(tail -n 1 "$tmp/out")"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/out"

printf '%s\n' 'mutation gone' 'breaks: nothing' 'file: tests/mutations.txt' \
	'@@' '-text that is in no file, anywhere' '+x' \
	'mutation twice' 'breaks: nothing' 'file: tests/cli/mutations.sh' \
	'@@' '-rc=$?' '+rc=0' \
	'mutation fine' 'breaks: nothing' 'file: tests/cli/mutations.sh' \
	'@@' ' M=$(dirname "$0")/../mutate' '+#' >"$tmp/list"
MUTATIONS_FILE="$tmp/list" "$M" -n >"$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^STALE    gone: .*:4: its text is in tests/mutations.txt no more' "$tmp/out" &&
	grep -q '^STALE    twice: .*in tests/cli/mutations.sh [0-9]* times' "$tmp/out" &&
	! grep -q 'fine' "$tmp/out" && grep -q '1 apply, 2 stale' "$tmp/out"
t $? "a text not found, or found twice, is STALE and fails (rc $rc: $(head -n 1 "$tmp/out"))"

printf '%s\n' 'mutation nofile' 'breaks: nothing' '@@' '-x' >"$tmp/list"
MUTATIONS_FILE="$tmp/list" "$M" -n >"$tmp/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q ':3: a hunk before .file:' "$tmp/out"
t $? "a list it cannot read: exit 2, a message naming the line (rc $rc: $(cat "$tmp/out"))"

printf '%s\n' 'mutation quiet' 'file: tests/cli/mutations.sh' '@@' '-x' >"$tmp/list"
MUTATIONS_FILE="$tmp/list" "$M" -n >"$tmp/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'quiet says not what it breaks' "$tmp/out"
t $? "a mutation must say what it breaks: exit 2 (rc $rc)"

# "tests: test_explore" once named no test ("tests/sim/test_explore" is the
# name): the mutation ran nothing and survived in make mutate.
printf '%s\n' 'mutation unaimed' 'breaks: nothing' 'tests: test_nothing_by_this_name' \
	'file: tests/cli/mutations.sh' '@@' ' M=$(dirname "$0")/../mutate' '+#' \
	'mutation aimed' 'breaks: nothing' 'tests: tests/cli/kunit.sh' \
	'file: tests/cli/mutations.sh' '@@' ' M=$(dirname "$0")/../mutate' '+#' >"$tmp/list"
MUTATIONS_FILE="$tmp/list" "$M" -n >"$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^STALE    unaimed: .*:1: tests: test_nothing_by_this_name names no test' "$tmp/out" &&
	! grep -q '^STALE    aimed' "$tmp/out" && grep -q '1 apply, 1 stale' "$tmp/out"
t $? "a tests: prefix that names no test is STALE (rc $rc: $(head -n 1 "$tmp/out"))"

"$M" -n no-such-mutation >"$tmp/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'no mutation named no-such-mutation' "$tmp/out"
t $? "an unknown name: exit 2 (rc $rc)"

echo "1..$n"
exit $fail
