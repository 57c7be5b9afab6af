#!/usr/bin/env python3
"""What the machine's stalls are: who waits while a CPU idles, from `perf sched` records.

    python3 stall_kinds.py [--processes 2] RECORD [RECORD ...]

run from `notebooks/measurements`. In the last 5 s of each record (`sched_idle.py --last 5`'s
window), every overlap of a CPU's idle stretch with a pool thread's wait behind another thread
(`sched_idle.queued_waits`: the stalls `sched_idle.py` counts) is put down to that wait's kind: how
the thread came to wait (woken onto a CPU busy with another thread, or switched out while
runnable: preempted) and what it then ran (a moment under the migration cost, 0.5 ms: a GIL
waiter checking and sleeping again, or a holder forced off queuing up; or longer: a body).
Prints, per record, each kind's overlaps and share of the stalled time. An overlap with two
waits counts for both. Stdlib only.
"""

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "harness"))
import sched_idle  # noqa: E402

MOMENT_S = 0.0005
KINDS = (("woken", "moment"), ("woken", "longer"), ("preempted", "moment"),
         ("preempted", "longer"))


def kinded_waits(events, runs, pool):
    """(queued at, ran at, kind) of every wait `sched_idle.queued_waits` finds, in time
    order: how it came to wait, and whether its next run was a moment or longer."""
    return sorted((t, nxt[0], (how, "moment" if nxt[1] - nxt[0] < MOMENT_S else "longer"))
                  for t, how, nxt, _last in sched_idle.queued_waits(events, runs, pool))


def stalled_by_kind(idle, waits):
    """Counter of overlaps and Counter of stalled seconds, by kind."""
    count, seconds = collections.Counter(), collections.Counter()
    for a, b in idle:
        for x, y, kind in waits:
            if x >= b:
                break
            overlap = min(b, y) - max(a, x)
            if overlap > 0:
                count[kind] += 1
                seconds[kind] += overlap
    return count, seconds


def report(path, processes, out=sys.stdout):
    """One record's line."""
    with sched_idle.open_trace(path) as lines:
        events = sched_idle.read_events(lines)
    runs, _wakes, tgid_of = sched_idle.runs_and_wakes(events)
    pool = sched_idle.worker_pools(runs, tgid_of, processes)
    end = sched_idle.burst_window(runs, pool)[1]
    idle = sched_idle.idle_spans(runs, (end - 5.0, end))
    count, seconds = stalled_by_kind(idle, kinded_waits(events, runs, pool))
    total = sum(seconds.values()) or 1.0
    parts = ["%s then a %s: %d (%.0f%%)" % (how, ran, count[(how, ran)],
                                            100 * seconds[(how, ran)] / total)
             for how, ran in KINDS]
    print("%s: %s" % (path, "; ".join(parts)), file=out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("records", nargs="+")
    args = p.parse_args(argv)
    for path in args.records:
        report(path, args.processes)


if __name__ == "__main__":
    main()
