#!/usr/bin/env python3
"""Where Linux runs a worker's thread woken by a thread of its own process on another CPU, from a
`perf sched` record of one case.

    perf sched record -a -o perf.data -- python3 measure.py --cases C --only CASE --reps 1 \\
        --no-quiet-check --out DIR
    perf script -i perf.data -F comm,pid,tid,cpu,time,event,trace \\
        | grep -E 'sched_switch|sched_waking' | gzip > sched.txt.gz
    python3 sched_wake_cpu.py sched.txt.gz [--last SECONDS] [--processes N]

The worker processes and their pool threads are found as `sched_idle.worker_pools` does (the
`--processes` busiest, two by default), and with `--last` only the wake-ups in the last SECONDS
before the last pool-thread run ends are counted (a Poisson case's steady load); a
worker's other threads are its dispatch path. Every wake-up of a worker's thread by another
thread of its process running on another CPU than the one the woken thread last ran on is
counted by its kind (`wake_kind`: a pool thread woken by a pool thread, as a GIL hand-over or
briefly; a pool thread woken by the dispatch path; a dispatch thread woken by a pool thread or
by the dispatch path), by whether that last CPU was busy or idle, and by where the woken thread
next ran: on the waker's CPU within `PLACED_S` of the wake-up (placed there at the wake-up),
later there (moved by a balance), or elsewhere. Where it ran is read from the switch events
(`sched_waking`'s target_cpu is the thread's CPU before the kernel chooses one). A second
table counts every wake-up of a worker's thread by kind (`spread`): how often its waker ran on
another CPU than the woken thread's last (how far a process's threads are spread over the
CPUs) and how often the woken thread moved. Stdlib only.
"""

import argparse
import sys
from collections import Counter

import sched_idle

PLACED_S = 200e-6


def last_run_before(runs, tid, t):
    """The thread's last run (start, end, cpu) ending by `t`, if any."""
    before = [r for r in runs.get(tid, []) if r[1] <= t]
    return before[-1] if before else None


KINDS = ("GIL hand-over", "brief", "dispatch", "pool wakes dispatch", "dispatch wakes dispatch")


def wake_kind(by_pool_thread, of_pool_thread, run):
    """A pool thread's wake-up by a pool thread of the same process that leads to a `run` of
    0.5 ms or more hands the GIL over; a shorter one is the other side of a switch (the new
    holder telling the old one it has taken the GIL) or a wait that found the GIL taken. Any
    other thread of the process is the dispatch path: a pool thread it wakes is "dispatch"; a
    dispatch thread woken is named by its waker."""
    if not of_pool_thread:
        return "pool wakes dispatch" if by_pool_thread else "dispatch wakes dispatch"
    if not by_pool_thread:
        return "dispatch"
    if run[1] - run[0] >= sched_idle.HOLDER_MIN_RUN_S:
        return "GIL hand-over"
    return "brief"


def worker_wakes(runs, wakes, tgid_of, pool):
    """Every wake-up of a worker's thread by another thread whose runs before and after it are
    in the record: (time, the waker's CPU, waker, woken thread, whether the waker is a thread of
    the woken one's process, the woken thread's last run and its next, each (start, end, cpu))."""
    workers = set(pool.values())
    for t, cpu, waker, wakee in wakes:
        process = tgid_of.get(wakee)
        if process not in workers or waker == wakee:
            continue
        last = last_run_before(runs, wakee, t)
        nxt = sched_idle.run_after_wake(runs, wakee, t)
        if last is None or nxt is None:
            continue
        own = waker != 0 and tgid_of.get(waker) == process
        yield t, cpu, waker, wakee, own, last, nxt


def placements(runs, wakes, tgid_of, pool):
    """Counter of (waker kind, last CPU state, where it ran) over the wake-ups described in
    the module doc."""
    counts = Counter()
    for t, cpu, waker, wakee, own, last, nxt in worker_wakes(runs, wakes, tgid_of, pool):
        if not own or last[2] == cpu:
            continue
        kind = wake_kind(waker in pool, wakee in pool, nxt)
        there = sched_idle.occupant(runs, last[2], t)
        if there is None:
            continue  # the record does not say what ran there
        state = "idle" if there == 0 else "busy"
        if nxt[2] != cpu:
            where = "elsewhere"
        elif nxt[0] - t < PLACED_S:
            where = "placed on the waker's CPU"
        else:
            where = "later on the waker's CPU"
        counts[(kind, state, where)] += 1
    return counts


NOT_OWN = {True: "pool, by no thread of its process", False: "dispatch, by no thread of its process"}


def spread(runs, wakes, tgid_of, pool):
    """Counter over every wake-up of a worker's thread (not only those from another CPU): per
    kind (`wake_kind`'s, or woken by no thread of its process: a timer, an interrupt, the
    host), `(kind, "all")`, `(kind, "waker elsewhere")` when the waker ran on another CPU than
    the woken thread's last, and `(kind, "moved")` when the woken thread next ran on another
    CPU than its last. How far a process's threads are spread over the CPUs, and how often
    they move."""
    counts = Counter()
    for _t, cpu, waker, wakee, own, last, nxt in worker_wakes(runs, wakes, tgid_of, pool):
        kind = wake_kind(waker in pool, wakee in pool, nxt) if own else NOT_OWN[wakee in pool]
        counts[(kind, "all")] += 1
        counts[(kind, "waker elsewhere")] += own and last[2] != cpu
        counts[(kind, "moved")] += nxt[2] != last[2]
    return counts


def report(lines, out=sys.stdout, last_s=None, processes=2):
    runs, wakes, tgid_of = sched_idle.runs_and_wakes(sched_idle.read_events(lines))
    pool = sched_idle.worker_pools(runs, tgid_of, processes)
    if not pool:
        print("no worker pool threads found", file=out)
        return 1
    if last_s is not None:
        end = sched_idle.burst_window(runs, pool)[1]
        wakes = [w for w in wakes if end - last_s <= w[0] <= end]
    counts = placements(runs, wakes, tgid_of, pool)
    print("pool threads: %d in %d processes" % (len(pool), len(set(pool.values()))), file=out)
    print("woken by its own process on another CPU than its last:", file=out)
    for kind in KINDS:
        for state in ("busy", "idle"):
            row = {w: counts[(kind, state, w)] for w in
                   ("placed on the waker's CPU", "later on the waker's CPU", "elsewhere")}
            total = sum(row.values())
            print("  %-23s last CPU %-4s %4d: placed on the waker's CPU %d, later there %d"
                  % (kind, state, total, row["placed on the waker's CPU"],
                     row["later on the waker's CPU"]), file=out)
    wide = spread(runs, wakes, tgid_of, pool)
    print("every wake-up: the waker on another CPU than the woken thread's last, and the woken "
          "thread run on another CPU than its last:", file=out)
    for kind in KINDS + tuple(NOT_OWN.values()):
        n = wide[(kind, "all")]
        if n:
            print("  %-37s %5d: waker elsewhere %5d (%4.1f%%), moved %5d (%4.1f%%)"
                  % (kind, n, wide[(kind, "waker elsewhere")],
                     100.0 * wide[(kind, "waker elsewhere")] / n, wide[(kind, "moved")],
                     100.0 * wide[(kind, "moved")] / n), file=out)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sched_idle.add_trace_arguments(p)
    opts = p.parse_args(argv)
    with sched_idle.open_trace(opts.trace) as f:
        return report(f, last_s=opts.last, processes=opts.processes)


if __name__ == "__main__":
    sys.exit(main())
