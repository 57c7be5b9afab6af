#!/usr/bin/env python3
"""Which of gil_timeline's hand-overs to another thread involve a brief (<100 us) pool hold,
and of which kind (brief_holds.classify_pool). Same rule as gil_timeline.handovers: a take
that follows a drop made with another thread of the process waiting in take_gil.

    python3 handover_attr.py RECORD [RECORD...]
"""
import os
import sys
from collections import Counter, defaultdict
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "harness"))
import brief_holds as b  # noqa: E402
import gil_timeline as gt  # noqa: E402


def kind_of(R, kinds, tid, t):
    h = R.hold_at(tid, t)
    if h is None or h.tid not in R.pools[h.pid] or h.length >= b.BRIEF:
        return "a long/mid hold" if h is not None and h.tid in R.pools[h.pid] else "-"
    return kinds.get((h.tid, h.taken), "brief (outside window)")


for path in sys.argv[1:]:
    R = b.Record(path)
    kinds = {}
    for hs in R.by_pid.values():
        for h in hs:
            if h.tid in R.pools[h.pid] and R.inwin(h) and h.length < b.BRIEF:
                c = R.how_came(h)
                kinds[(h.tid, h.taken)] = "spurious wake" if c.startswith("spurious") else \
                    "body end" if c.startswith("body end") else c.split(":")[0]
    lo, hi, pools = R.lo, R.hi, R.pools
    waiting, dropped, since, out = defaultdict(set), {}, {}, []
    for t, pid, tid, cpu, kind, ev in R.events:
        if kind not in gt.GIL_KINDS or pid not in pools or not lo <= t <= hi:
            continue
        if kind == gt.TAKE:
            waiting[pid].add(tid)
        elif kind == gt.TAKEN:
            waiting[pid].discard(tid)
            since[tid] = t
            if pid in dropped:
                at, by, took = dropped.pop(pid)
                if tid != by:
                    out.append((pid, by, took, tid, t))
        elif kind == gt.DROP:
            took = since.pop(tid, None)
            if waiting[pid] - {tid} and took is not None:
                dropped[pid] = (t, tid, took)
    n = R.invocations
    pp = [(pid, by, took, tid, t) for pid, by, took, tid, t in out
          if by in pools[pid] and tid in pools[pid]]
    print(path.split("/")[-2], "hand-overs to another thread %.2f/inv, pool->pool %.2f/inv"
          % (len(out) / n, len(pp) / n))
    c = Counter()
    for pid, by, took, tid, t in pp:
        d = kind_of(R, kinds, by, took)
        k = kind_of(R, kinds, tid, t)
        c["dropper: %s | taker: %s" % (d, k)] += 1
    for k, v in c.most_common():
        print("  %4d %5.2f/inv  %s" % (v, v / n, k))
    none = sum(v for k, v in c.items() if "spurious" not in k and "body end" not in k)
    print("  pool->pool with no brief hold of either kind on either side: %.2f/inv" % (none / n))
    allr = Counter()
    for pid, by, took, tid, t in out:
        d = kind_of(R, kinds, by, took)
        k = kind_of(R, kinds, tid, t)
        if "spurious" in d + k:
            allr["spurious"] += 1
        elif "body end" in d + k:
            allr["body end"] += 1
    print("  all hand-overs to another thread touching a brief pool hold: %s (per inv: %s)"
          % (dict(allr), {k: round(v / n, 2) for k, v in allr.items()}))
