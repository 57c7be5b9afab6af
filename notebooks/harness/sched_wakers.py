#!/usr/bin/env python3
"""Reads a `perf script` text of `perf sched record` (as sched_placement.py does) for two
things about the worker processes named by pid:

1. wake-ups of their threads, by whether the waker is of the same process, whether it ran on
   the woken thread's last CPU, whether that CPU and the other were busy, and where the woken
   thread then ran (the wake-affine placement);
2. involuntary switch-outs (preemptions) of their threads: how long until each ran again,
   split by whether the other CPU was idle at the switch and who took the CPU.

    python3 sched_wakers.py run.txt PID PID
"""

import sys
from collections import Counter

import sched_placement as sp


def events(path, tidmap):
    """The parsed events of a `perf script` text, recording each thread's process in
    `tidmap` as they come."""
    for line in open(path, errors="replace"):
        ev = sp.parse(line)
        if not ev:
            continue
        if ev["tid"]:
            tidmap[int(ev["tid"])] = int(ev["pid"])
        yield ev


def wakers(path, workers):
    """Counter of (waker, waker's CPU, last CPU state, other CPU state, where it ran)."""
    tidmap, pending, oncpu, counts = {}, {}, {}, Counter()
    for ev in events(path, tidmap):
        e = ev["event"]
        if e.endswith("sched_waking"):
            tid = int(ev["fields"]["pid"])
            if tidmap.get(tid) not in workers:
                continue
            wcpu, prev = int(ev["cpu"]), int(ev["fields"]["target_cpu"])
            waker = int(ev["tid"]) if ev["tid"] else 0
            same = tidmap.get(waker) == tidmap.get(tid)
            pending[tid] = (wcpu, prev, same, oncpu.get(1 - prev, 0) == 0, oncpu.get(prev, 0) == 0)
        elif e.endswith("sched_switch"):
            cpu, nxt = int(ev["cpu"]), int(ev["next"].get("next_pid", 0))
            oncpu[cpu] = nxt
            p = pending.pop(nxt, None)
            if p:
                wcpu, prev, same, other_idle, prev_idle = p
                counts[(
                    "waker same process" if same else "waker other",
                    "waker on last cpu" if wcpu == prev else "waker on other cpu",
                    "last idle" if prev_idle else "last busy",
                    "other idle" if other_idle else "other busy",
                    "ran on last" if cpu == prev else "ran on other",
                )] += 1
    return counts


def preemptions(path, workers):
    """(wait us, other CPU idle, taken by same process, taken by a worker, resumed there)."""
    tidmap, oncpu, pre, waits = {}, {}, {}, []
    for ev in events(path, tidmap):
        if not ev["event"].endswith("sched_switch"):
            continue
        now, cpu = ev["time"], int(ev["cpu"])
        nxt, prev = int(ev["next"].get("next_pid", 0)), int(ev["prev"].get("prev_pid", 0))
        oncpu[cpu] = nxt
        if ev["prev"].get("prev_state", "R").startswith("R") and prev and tidmap.get(prev) in workers:
            pre[prev] = (now, cpu, oncpu.get(1 - cpu, 0) == 0, tidmap.get(nxt) == tidmap.get(prev), tidmap.get(nxt) in workers)
        if nxt in pre:
            at, c, idle, same, worker = pre.pop(nxt)
            waits.append(((now - at) * 1e6, idle, same, worker, cpu == c))
    return waits


def pct(v, q):
    v = sorted(v)
    return round(v[int(q * (len(v) - 1))], 1) if v else None


def main():
    path, workers = sys.argv[1], set(int(x) for x in sys.argv[2:])
    for key, n in sorted(wakers(path, workers).items(), key=lambda kv: -kv[1]):
        print(n, key)
    waits = preemptions(path, workers)
    for label, keep in [("all", lambda w: True), ("other cpu idle", lambda w: w[1]), ("other busy", lambda w: not w[1])]:
        v = [w[0] for w in waits if keep(w)]
        print("preempted (%s): %d, %.1f ms, median %s us, p90 %s us" % (label, len(v), sum(v) / 1000, pct(v, 0.5), pct(v, 0.9)))


if __name__ == "__main__":
    main()
