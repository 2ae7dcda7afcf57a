#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# `make format` is a no-op on a clean tree: every file it formats is
# already formatted (clang-format --dry-run --Werror). The output of
# clang-format changes between its major versions; the tree follows
# clang-format 14 (Debian 12), so another version is a SKIP.
#
# PENDING: files known not to be formatted yet, each reported as a SKIP
# until formatted; a PENDING file that is formatted fails, so that the
# list only shrinks. Empty it with `make format` once nobody edits them.
PENDING=""
CF=${CLANG_FORMAT:-clang-format}
n=0
fail=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
if ! command -v "$CF" >/dev/null 2>&1; then
	echo "ok 1 # SKIP $CF not installed"
	echo "1..1"
	exit 0
fi
ver=$("$CF" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [ "$ver" != 14 ]; then
	echo "ok 1 # SKIP $CF is version $ver, the tree follows 14"
	echo "1..1"
	exit 0
fi
files=$(${MAKE:-make} -s --no-print-directory format-files)
[ "$(echo "$files" | wc -w)" -ge 40 ]
t $? "make format-files lists the sources ($(echo "$files" | wc -w) files)"
bad=
for f in $files; do
	pending=0
	for p in $PENDING; do [ "$p" = "$f" ] && pending=1; done
	if "$CF" --dry-run --Werror "$f" >/dev/null 2>&1; then
		[ $pending = 0 ]
		t $? "$f is formatted$([ $pending = 1 ] && echo ': remove it from PENDING')"
	elif [ $pending = 1 ]; then
		n=$((n + 1))
		echo "ok $n - $f # SKIP pending: not formatted yet"
	else
		bad="$bad $f"
		t 1 "$f is formatted (make format changes it)"
	fi
done
echo "1..$n"
exit $fail
