#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# gcc and clang both compile every source file warning-free at -Wall -Wextra.
n=0
fail=0
for c in gcc clang; do
	n=$((n + 1))
	if ! command -v $c >/dev/null 2>&1; then
		echo "ok $n - # SKIP $c not installed"
		continue
	fi
	out=$(for f in src/*/*.c src/arch/*/*.c tests/*/*.c bench/*.c; do
		[ -f "$f" ] || continue
		$c -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -Wall -Wextra -Werror \
			-O2 -fsyntax-only "$f" 2>&1
	done)
	if [ -z "$out" ]; then
		echo "ok $n - $c -Wall -Wextra: no warnings"
	else
		echo "not ok $n - $c -Wall -Wextra: warnings"
		echo "$out" | head -40 | sed 's/^/# /'
		fail=1
	fi
done
echo "1..$n"
exit $fail
