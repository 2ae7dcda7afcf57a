#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The docs follow the registries (src/sim/registry.c): every finding kind,
# design and fix that `lazymmu list` prints is documented in
# docs/user-guide.md, and every finding kind in the man page.
. "$(dirname "$0")/../tap.sh"
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

# The trace events: every name a run emits is in the user guide's table
# (docs/user-guide.md, "Trace"), and every name of the table is in the code.
sed -n '/^### Trace$/,/^## /p' docs/user-guide.md >"$tmp/trace.md"
grep -q "^| name | track" "$tmp/trace.md"
t $? "the user guide has a table of trace events"
kinds_re=$(echo $kinds | tr ' ' '|')
for args in "--pages 8 --cpus 2 --debug-pagealloc" \
	"--kernel 6.16 --pages 8 --cpus 2 --debug-pagealloc --seed 3" \
	"--workload vmalloc-touch-early --pages 2" \
	"--arch generic --pages 40 --cpus 2 --debug-pagealloc" \
	"--pages 600 --cpus 2 --tlb-entries 4" \
	"--design noflush --debug-pagealloc --pages 8 --cpus 4"; do
	# shellcheck disable=SC2086
	"$L" run $args --trace "$tmp/t.json" >/dev/null
	grep -o '"name":"[^"]*"' "$tmp/t.json" | sed 's/"name":"//; s/"$//'
done | sort -u | grep -Ev "^(CPU[0-9]+( deferred)?|task .*|[a-z-]+/[0-9]+|idle|$kinds_re)$" >"$tmp/names"
[ "$(wc -l <"$tmp/names")" -ge 15 ]
t $? "the runs emit the trace events ($(wc -l <"$tmp/names") names)"
while IFS= read -r name; do
	grep -qF "\`$name\`" "$tmp/trace.md"
	t $? "the user guide names trace event '$name'"
done <"$tmp/names"
grep '^| `' "$tmp/trace.md" | cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' >"$tmp/documented"
while IFS= read -r name; do
	grep -rqF "$name" src
	t $? "trace event '$name' of the user guide is in the code"
done <"$tmp/documented"

# No file cites a document the repository does not have.
for f in $(grep -rlE '[A-Za-z0-9_-]+\.md\b' README.md docs src include tests bench Makefile .ci 2>/dev/null); do
	for md in $(sed 's/\\-/-/g' "$f" | grep -ohE '[A-Za-z0-9_./$-]*[A-Za-z0-9_-]+\.md\b' | grep -v '^\$' | sort -u); do
		case $md in /*) false ;; *) [ -f "$md" ] || [ -f "docs/$md" ] || [ -f "$(dirname "$f")/$md" ] ;; esac
		t $? "$f cites $md, which the repository has"
	done
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
