#!/usr/bin/env python3
"""How long a pool thread woken on the work queue takes to get the GIL, in the records that
`body_starts.py` reads: for each body start by a thread woken on the queue, the time from its
wake-up to its `take_gil` entry and from there to the GIL, and who held the GIL before it.

    python3 woken_wait.py [RECORD ...]   (default: the 2 x 6 and 2 x 3 rho 0.7 records)
"""
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import body_starts as bs  # noqa: E402
import brief_holds as bh  # noqa: E402


def woken_body_starts(R):
    """(body start, wake time) of each body start by a thread woken on the queue."""
    for h in bs.body_start_holds(R):
        prev = R.own(h, -1)
        slept = prev is not None and R.last_sleep(h.tid, prev.dropped, h.start)
        wakes = R.wakers(h.tid, slept, h.start) if slept else []
        if wakes:
            yield h, wakes[-1][0]


def analyse(path):
    R = bh.Record(path)
    to_entry, in_take, before = [], [], Counter()
    for h, woke in woken_body_starts(R):
        to_entry.append((h.start - woke) * 1e6)
        in_take.append((h.taken - h.start) * 1e6)
        p = R.proc(h, -1)
        if p is not None:
            before[(R.role(h.pid, p.tid), bh.length_class(p.length))] += 1
    print(path)
    print("  wake-up -> take_gil entry, us:", bh.q(to_entry))
    print("  take_gil entry -> GIL, us:", bh.q(in_take))
    print("  the GIL's holder before it (role, hold):", before.most_common(8))


if __name__ == "__main__":
    for p in sys.argv[1:] or bs.RECORDS:
        analyse(p)
