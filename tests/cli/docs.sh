#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The docs follow the registries (src/sim/registry.c): every finding kind,
# design and fix that `lazymmu list` prints is documented in
# docs/user-guide.md, and every finding kind in the man page.
L=${LAZYMMU:-build/lazymmu}
n=0
fail=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
# section HEADING: the names listed under HEADING (two-space indent)
section() {
	"$L" list | awk -v h="$1" '
		/^[a-z]/ { on = index($0, h) == 1; next }
		on && /^  [^ ]/ { print $1 }'
}
kinds=$(section "finding kinds")
[ "$(echo "$kinds" | wc -w)" -ge 10 ]
t $? "lazymmu list prints the finding kinds ($(echo $kinds))"
for k in $kinds; do
	grep -q "^| \`$k\` |" docs/user-guide.md
	t $? "user guide documents finding kind $k"
	man=$(echo "$k" | sed 's/-/\\\\-/g')
	grep -q "^\.B $man\$" docs/lazymmu.1
	t $? "man page documents finding kind $k"
done
for d in $(section "designs"); do
	grep -q "^| \`$d\` |" docs/user-guide.md
	t $? "user guide documents design $d"
done
for f in $(section "fixes"); do
	grep -q "^| \`$f\` |" docs/user-guide.md
	t $? "user guide documents fix $f"
done
# every mutation of make mutate is listed in docs/testing.md
muts=$(sed -n 's/^mutation \([^ ]*\)$/\1/p' tests/mutations.txt)
[ "$(echo "$muts" | wc -w)" -ge 20 ]
t $? "tests/mutations.txt holds the mutations ($(echo $muts | wc -w))"
for x in $muts; do
	grep -q "\`$x\`" docs/testing.md
	t $? "docs/testing.md lists mutation $x"
done
echo "1..$n"
exit $fail
