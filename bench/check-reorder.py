#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# check-reorder.py BEFORE_DIR AFTER_DIR: every differing `lazymmu check
# --json` output (/work/check-cmp.sh's) must differ only in the order of
# "visible" rows of its counterexample within one run of them (a sync's
# SIM_EV_PTE_VISIBLE events): the same text elsewhere, the same rows in
# each run as a multiset, each run on one CPU. Exit 1 otherwise.
import os, re, sys

b, a = sys.argv[1], sys.argv[2]
# a counterexample row: {"event":N,"cpu":C,"column":...,"text":"...",...}
ROW = re.compile(r'\{"event":\d+,"cpu":(\d+|null),"column":"[^"]*",'
                 r'"text":"(visible [^"]*)"')
changed = bad = 0
for f in sorted(os.listdir(b)):
    tb = open(os.path.join(b, f)).read()
    ta = open(os.path.join(a, f)).read()
    if tb == ta:
        continue
    changed += 1
    # the text with each visible row's text blanked: must be the same
    blank = lambda t: ROW.sub(lambda m: m.group(0)[:m.start(2) - m.start(0)]
                              + 'visible', t)
    why = None
    if blank(tb) != blank(ta):
        why = 'differs beyond the visible rows'
    else:
        def runs(t):
            # the counterexample's events in order; a run: visible rows
            # one after another, no other event between
            out, cur = [], []
            for ev in t.split('{"event":')[1:]:
                m = ROW.match('{"event":' + ev)
                if m:
                    cur.append((m.group(1), m.group(2)))
                elif cur:
                    out.append(cur)
                    cur = []
            if cur:
                out.append(cur)
            return out
        xb_all, xa_all = runs(tb), runs(ta)
        if len(xb_all) != len(xa_all):
            why = 'not the same runs of visible rows'
        for xb, xa in zip(xb_all, xa_all):
            if len({r[0] for r in xb}) > 1 or sorted(xb) != sorted(xa):
                why = 'a run of visible rows differs as a set'
    if why:
        bad += 1
        print('BAD', f, why)
print('changed outputs: %d, only reordered: %d, other differences: %d'
      % (changed, changed - bad, bad))
sys.exit(1 if bad else 0)
