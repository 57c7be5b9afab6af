#!/usr/bin/env python3
"""How long a worker's thread, woken by a thread of its own process that then stops running,
waits before it runs, by whether the other CPUs were busy and where it ran, from a `perf
sched` record of one case.

    perf sched record -a -o perf.data -- python3 measure.py --cases C --only CASE --reps 1 \\
        --no-quiet-check --out DIR
    perf script -i perf.data -F comm,pid,tid,cpu,time,event,trace \\
        | grep -E 'sched_switch|sched_waking' | gzip > sched.txt.gz
    python3 handover_latency.py [--workers P] sched.txt.gz [more records...]

A GIL hand-over is such a wake-up: the holder drops the GIL, signals a waiter and then waits
itself (for the GIL, for work, or for the waiter to take it). So every wake-up of a worker's
thread by another thread of its process whose run ends within `WAKER_STOPS_S` is counted, with
its latency (from the `sched_waking` event to the woken thread's next run), by

- whether every other CPU ran a thread at the wake-up ("others busy") or one idled;
- whether the woken thread ran on the waker's CPU or elsewhere.

The worker processes (`--workers`, 2 by default) and their pool threads are found as
`sched_idle.worker_pools` does.
Wake-ups that led to no run within `MAX_LATENCY_S` (a thread woken while still on a CPU, or
a record's end) are left out. Several records are pooled. Stdlib only.
"""

import argparse
import gzip
import statistics
import sys
from collections import defaultdict

import sched_idle

WAKER_STOPS_S = 200e-6
MAX_LATENCY_S = 5e-3
PLACES = (("others busy", "on the waker's CPU"), ("others busy", "elsewhere"),
          ("one idle", "on the waker's CPU"), ("one idle", "elsewhere"))


def run_at(runs, tid, t):
    """The run (start, end, cpu) of `tid` that spans `t`, if any."""
    for s, e, c in runs.get(tid, []):
        if s <= t <= e:
            return (s, e, c)
    return None


def others_busy(runs, cpus, cpu, t):
    """Whether every CPU but `cpu` ran a thread at `t` (unknown counts as not busy)."""
    return all(sched_idle.occupant(runs, c, t) not in (0, None) for c in cpus if c != cpu)


def latencies(runs, wakes, tgid_of, pool):
    """{(others busy or one idle, on the waker's CPU or elsewhere): [latency, s]} over the
    wake-ups described in the module doc."""
    workers = set(pool.values())
    cpus = sorted({c for intervals in runs.values() for _s, _e, c in intervals})
    out = defaultdict(list)
    for t, cpu, waker, wakee in wakes:
        if tgid_of.get(wakee) not in workers or waker in (0, wakee) \
                or tgid_of.get(waker) != tgid_of.get(wakee):
            continue
        waker_run = run_at(runs, waker, t)
        if waker_run is None or waker_run[1] - t > WAKER_STOPS_S:
            continue
        nxt = sched_idle.run_after_wake(runs, wakee, t)
        if nxt is None or nxt[0] - t > MAX_LATENCY_S:
            continue
        state = "others busy" if others_busy(runs, cpus, cpu, t) else "one idle"
        where = "on the waker's CPU" if nxt[2] == cpu else "elsewhere"
        out[(state, where)].append(nxt[0] - t)
    return out


def quartiles_us(values):
    """(p25, median, p75) of `values` (s) in us."""
    if len(values) == 1:
        return (values[0] * 1e6,) * 3
    q = statistics.quantiles(values, n=4, method="inclusive")
    return (q[0] * 1e6, q[1] * 1e6, q[2] * 1e6)


def report(records, out=sys.stdout, workers=2):
    """Pools the records (each an iterable of trace lines) of cases with `workers` worker
    processes and prints the table; 1 if no worker was found in any."""
    pooled = defaultdict(list)
    for lines in records:
        runs, wakes, tgid_of = sched_idle.runs_and_wakes(sched_idle.read_events(lines))
        pool = sched_idle.worker_pools(runs, tgid_of, workers)
        for key, values in latencies(runs, wakes, tgid_of, pool).items():
            pooled[key].extend(values)
    if not pooled:
        print("no wake-up of a worker's thread by its own process found", file=out)
        return 1
    print("wake-ups of a worker's thread by its own process, the waker stopping at once:",
          file=out)
    for state, where in PLACES:
        values = pooled.get((state, where), [])
        if not values:
            print("  %-11s ran %-19s    0" % (state, where), file=out)
            continue
        p25, median, p75 = quartiles_us(values)
        print("  %-11s ran %-19s %4d: latency median %5.0f us (quartiles %.0f-%.0f)"
              % (state, where, len(values), median, p25, p75), file=out)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("traces", nargs="+", help="perf script text (-F comm,pid,tid,cpu,time,"
                                             "event,trace), gzipped or not")
    p.add_argument("--workers", type=int, default=2,
                   help="worker processes in the recorded cases (default 2)")
    opts = p.parse_args(argv)
    records = []
    for path in opts.traces:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            records.append(f.readlines())
    return report(records, workers=opts.workers)


if __name__ == "__main__":
    sys.exit(main())
