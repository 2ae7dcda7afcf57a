#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# A test that draws random numbers prints its seed and takes it from
# `-s SEED`, an argument or $LAZYMMU_SEED (tests/tap.h, tap_seed()); with
# none it uses a fixed one, never the clock. test_threads is that test.
L=${LAZYMMU:-build/lazymmu}
T=$(dirname "$L")/tests/core/test_threads
n=0
fail=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
if [ ! -x "$T" ]; then
	echo "ok 1 # SKIP $T not built"
	echo "1..1"
	exit 0
fi
! grep -n "clock_gettime(CLOCK_REALTIME\|time(NULL)" tests/*/*.c tests/*.h
t $? "no test seeds itself from the clock"
"$T" -s 7 >"${TMPDIR:-/tmp}/seed.$$" 2>&1
rc=$?
grep -q "^# seed 7 (from -s; rerun: .*test_threads -s 7)" "${TMPDIR:-/tmp}/seed.$$"
t $? "test_threads -s 7 prints its seed and how to rerun (rc $rc)"
rm -f "${TMPDIR:-/tmp}/seed.$$"
LAZYMMU_SEED=x8 "$T" >/dev/null 2>&1
[ $? = 2 ]
t $? "a malformed seed is exit status 2"
"$T" -s " 8" 2>&1 >/dev/null | grep -q "not a decimal number"
t $? "a seed with a space is refused with a message"
echo "1..$n"
exit $fail
