# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# Sourced by the shell tests (tests/cli/*.sh): the command under test ($L,
# from $LAZYMMU), a scratch directory ($tmp, removed at exit), whether
# python3 is there ($have_py), and t STATUS NAME, which prints one TAP line
# and remembers a failure in $fail.
L=${LAZYMMU:-build/lazymmu}
n=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
have_py=0
command -v python3 >/dev/null 2>&1 && have_py=1
