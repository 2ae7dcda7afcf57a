#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# trace-reorder.py BEFORE_DIR AFTER_DIR: every differing .trace must differ
# only in the order of "deferred store" end rows ("ph":"e") within one run of
# such rows (one sync's SIM_EV_PTE_VISIBLE rows, or the end-of-trace list):
# same lines elsewhere, same run boundaries, same ts sequence in each run,
# the same (tid, id) multiset in each run. A run mixing tids is allowed only
# as the file's last run (the list of stores still hidden at the end).
import os, re, sys
b, a = sys.argv[1], sys.argv[2]
VIS = re.compile(r'^\{"ph":"e","pid":1,"tid":(\d+),"ts":(\d+),"name":"deferred store","cat":"deferred","id":"(0x[0-9a-f]+)"\},?$')
changed = bad = 0
for f in sorted(os.listdir(b)):
    if not f.endswith('.trace'):
        continue
    lb = open(os.path.join(b, f)).read().split('\n')
    la = open(os.path.join(a, f)).read().split('\n')
    if lb == la:
        continue
    changed += 1
    why = None
    if len(lb) != len(la):
        why = 'line counts differ'
    else:
        i, runs = 0, []
        while i < len(lb) and not why:
            mb, ma = VIS.match(lb[i]), VIS.match(la[i])
            if bool(mb) != bool(ma):
                why = 'line %d: a visibility row in one only' % (i + 1)
            elif not mb:
                if lb[i] != la[i]:
                    why = 'line %d differs (not a visibility row)' % (i + 1)
                i += 1
            else:
                j = i
                while j < len(lb) and VIS.match(lb[j]) and VIS.match(la[j]):
                    j += 1
                rb = [VIS.match(x).groups() for x in lb[i:j]]
                ra = [VIS.match(x).groups() for x in la[i:j]]
                if [x[1] for x in rb] != [x[1] for x in ra]:
                    why = 'run at %d: ts differ' % (i + 1)
                elif sorted((x[0], x[2]) for x in rb) != sorted((x[0], x[2]) for x in ra):
                    why = 'run at %d: rows differ as a set' % (i + 1)
                runs.append((i, j, len({x[0] for x in rb}) > 1))
                i = j
        if not why:
            for (s, e, mixed) in runs[:-1]:
                if mixed and any(lb[k] != la[k] for k in range(s, e)):
                    why = 'run at %d mixes CPUs and is not the last' % (s + 1)
    if why:
        bad += 1
        print('BAD', f, why)
print('changed traces: %d, only reordered: %d, other differences: %d' % (changed, changed - bad, bad))
sys.exit(1 if bad else 0)
