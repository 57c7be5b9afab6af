#!/usr/bin/env python3
"""Which waiter a released GIL goes to, in a `perf sched` record of two worker processes.

    python3 handover_choice.py ../r1/sched.txt.gz --last 5

For every GIL hand-over (`../../../harness/sched_idle.py`'s: a pool thread woken by a pool
thread of its own process, then running 0.5 ms or more) it finds the process's other GIL
waiters at that instant: its pool threads, neither the releaser nor running, whose last run
ended within 5.2 ms (a thread in CPython's timed GIL wait wakes every 5 ms, so one asleep
longer is not waiting for the GIL), leaving out a thread whose next wake-up comes from its own
process's dispatch path (it waits for work). The waiter the release signals is the one asleep
longest in its current timed wait: the one whose last run ended first. Prints, apart for
hand-overs with no CPU idle and with one, how many waiters there were on average and how often
the GIL went to the signalled waiter (beside the share a uniform draw among the waiters would
give it) and to the holder before the releaser. Stdlib only.
"""

import argparse
import bisect
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "harness"))
import sched_idle  # noqa: E402

GIL_WAIT_S = 0.0052


class Timeline:
    """Each pool thread's runs and wakers, and the CPUs' idle stretches, for lookups by time."""

    def __init__(self, runs, wakes, pool):
        self.starts = {t: [s for s, _e, _c in runs[t]] for t in pool}
        self.ends = {t: [e for _s, e, _c in runs[t]] for t in pool}
        self.wakers = collections.defaultdict(list)
        for t, _cpu, waker, wakee in wakes:
            self.wakers[wakee].append((t, waker))
        self.idle = sorted((s, e) for s, e, _c in runs.get(0, []))
        self.idle_starts = [s for s, _e in self.idle]

    def running(self, tid, t):
        i = bisect.bisect_right(self.starts[tid], t) - 1
        return i >= 0 and self.ends[tid][i] > t

    def last_end(self, tid, t):
        i = bisect.bisect_right(self.ends[tid], t) - 1
        return self.ends[tid][i] if i >= 0 else None

    def next_waker(self, tid, t):
        return next((waker for tt, waker in self.wakers[tid] if tt > t), None)

    def cpu_idle(self, t):
        i = bisect.bisect_right(self.idle_starts, t)
        return any(s <= t < e for s, e in self.idle[max(0, i - 3):i])


def waiters(line, pool, tgid_of, releaser, wakee, t):
    """(last run's end, thread) of each GIL waiter of the wakee's process at `t`."""
    process = pool[wakee]
    out = []
    for tid in pool:
        if pool[tid] != process or tid == releaser or line.running(tid, t):
            continue
        ended = line.last_end(tid, t)
        if ended is None or t - ended > GIL_WAIT_S:
            continue
        waker = releaser if tid == wakee else line.next_waker(tid, t)
        if waker is not None and waker not in pool and tgid_of.get(waker) == process:
            continue
        out.append((ended, tid))
    return out


def choices(lines, last_s):
    """Counter of (no CPU idle or a CPU idle, what) over the record's hand-overs."""
    events = sched_idle.read_events(lines)
    runs, wakes, tgid_of = sched_idle.runs_and_wakes(events)
    pool = sched_idle.worker_pools(runs, tgid_of)
    window = sched_idle.burst_window(runs, pool)
    if last_s is not None:
        window = (window[1] - last_s, window[1])
    line = Timeline(runs, wakes, pool)
    out, before = collections.Counter(), {}
    for handover in sched_idle.handover_events(runs, wakes, pool, window):
        t, releaser, wakee = handover["t"], handover["waker"], handover["wakee"]
        waiting = waiters(line, pool, tgid_of, releaser, wakee, t)
        if wakee not in [tid for _e, tid in waiting]:
            out["skipped"] += 1
            continue
        key = "a CPU idle" if line.cpu_idle(t) else "no CPU idle"
        out[(key, "hand-overs")] += 1
        out[(key, "waiters")] += len(waiting)
        out[(key, "uniform")] += 1 / len(waiting)
        out[(key, "signalled")] += wakee == min(waiting)[1]
        out[(key, "holder before")] += before.get(pool[wakee]) == wakee
        before[pool[wakee]] = releaser
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sched_idle.add_trace_arguments(p)
    args = p.parse_args(argv)
    with sched_idle.open_trace(args.trace) as lines:
        out = choices(lines, args.last)
    print("%s: %d hand-overs whose wakee was not found waiting left out"
          % (args.trace, out["skipped"]))
    for key in ("no CPU idle", "a CPU idle"):
        n = out[(key, "hand-overs")]
        if n:
            print("  %-12s %4d hand-overs, %.1f waiters; to the signalled waiter %.0f%% (a "
                  "uniform draw: %.0f%%), to the holder before %.0f%%"
                  % (key, n, out[(key, "waiters")] / n, 100 * out[(key, "signalled")] / n,
                     100 * out[(key, "uniform")] / n, 100 * out[(key, "holder before")] / n))


if __name__ == "__main__":
    main()
